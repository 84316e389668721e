//! Expands one recurring series in a VTIMEZONE zone repeatedly (for
//! profilers): `profile_expand [instances] [iterations] [daily|weekly|window|tz]`.
//! `tz` only reads the VTIMEZONE (the cost of a zone per calendar).
#![allow(missing_docs)]

const VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Customized Time Zone\r\nBEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";

fn main() {
    let arg = |i: usize| std::env::args().nth(i);
    let n: usize = arg(1).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let iters: usize = arg(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let what = arg(3).unwrap_or_else(|| "daily".into());
    let rule = match what.as_str() {
        "weekly" => "FREQ=WEEKLY;BYDAY=MO,WE,FR",
        "window" => "FREQ=MINUTELY",
        _ => "FREQ=DAILY",
    };
    let (start, duration) = if what == "window" {
        ("20000101T000000", "PT1M")
    } else {
        ("20200106T090000", "PT1H")
    };
    let text = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{VTIMEZONE}BEGIN:VEVENT\r\nUID:p\r\nDTSTART;TZID=Customized Time Zone:{start}\r\nDURATION:{duration}\r\nRRULE:{rule}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    let doc = oxpim::Parser::new().parse(text.as_bytes()).document;
    let hour = |h| chrono::NaiveDate::from_ymd_opt(2026, 6, 1).and_then(|d| d.and_hms_opt(h, 0, 0));
    let window = what == "window";
    let expander = oxpim::Expander::new(oxpim::ExpandOptions {
        max_instances: n,
        from: if window { hour(10) } else { None },
        to: if window { hour(11) } else { None },
        ..oxpim::ExpandOptions::default()
    });
    let mut total = 0usize;
    let start = std::time::Instant::now();
    for _ in 0..iters {
        total += if what == "tz" {
            doc.components
                .first()
                .and_then(|c| c.components.first())
                .and_then(|v| oxpim::recur::VTimeZone::from_component(v).ok())
                .map_or(0, |(z, _)| z.tzid().len())
        } else {
            expander.expand_document(&doc).instances.len()
        };
    }
    let per = start.elapsed() / u32::try_from(iters.max(1)).unwrap_or(1);
    eprintln!("{per:?} per iteration");
    println!("{total}");
}
