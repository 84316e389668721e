//! Recurrence expansion throughput (instances per second) against the
//! `rrule` crate used directly and calcard's `expand_dates`, and the cost of
//! a one-hour window far from DTSTART.
//!
//! Run with `cargo bench -p oxpim-benches --bench recur` or
//! `cargo xtask bench`.
//!
//! The series are in a zone given by a VTIMEZONE (Outlook's Berlin rules
//! under a custom TZID) for oxpim and calcard; the `rrule` crate cannot read
//! a VTIMEZONE, so it gets the IANA zone Europe/Berlin, which has the same
//! rules. Each expansion produces `N` instances.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::hint::black_box;
use std::str::FromStr;
use std::time::Duration;

use chrono::NaiveDate;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use oxpim::contentline::{Document, Parser};
use oxpim::{ExpandOptions, Expander};

const N: usize = 100_000;

const VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Customized Time Zone\r\nBEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";

fn calendar(dtstart: &str, duration: &str, rule: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//oxpim//bench//EN\r\n{VTIMEZONE}BEGIN:VEVENT\r\nUID:bench\r\nDTSTART;TZID=Customized Time Zone:{dtstart}\r\nDURATION:{duration}\r\nRRULE:{rule}\r\nSUMMARY:Series\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn parse(text: &str) -> Document {
    Parser::new().parse(text.as_bytes()).document
}

fn rrule_set(dtstart: &str, rule: &str) -> rrule::RRuleSet {
    rrule::RRuleSet::from_str(&format!(
        "DTSTART;TZID=Europe/Berlin:{dtstart}\nRRULE:{rule}"
    ))
    .expect("the rrule crate parses the rule")
}

fn throughput(c: &mut Criterion) {
    let cases = [
        ("daily", "20200101T090000", "FREQ=DAILY"),
        ("weekly", "20200106T090000", "FREQ=WEEKLY;BYDAY=MO,WE,FR"),
    ];
    let mut g = c.benchmark_group("expand");
    g.sample_size(20);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(5));
    g.throughput(Throughput::Elements(N as u64));
    for (name, dtstart, rule) in cases {
        let text = calendar(dtstart, "PT1H", rule);
        let doc = parse(&text);
        let expander = Expander::new(ExpandOptions {
            max_instances: N,
            ..ExpandOptions::default()
        });
        let check = expander.expand_document(&doc);
        assert_eq!(check.instances.len(), N);
        g.bench_with_input(BenchmarkId::new("oxpim", name), &doc, |b, d| {
            b.iter(|| expander.expand_document(black_box(d)).instances.len())
        });

        let set = rrule_set(dtstart, rule);
        assert_eq!((&set).into_iter().take(N).count(), N);
        g.bench_with_input(BenchmarkId::new("rrule", name), &set, |b, s| {
            b.iter(|| black_box(s).into_iter().take(N).count())
        });

        let cal = calcard::icalendar::ICalendar::parse(&text).expect("calcard parses it");
        let expanded = cal.expand_dates(calcard::common::timezone::Tz::UTC, N);
        assert_eq!(expanded.events.len(), N);
        assert!(expanded.errors.is_empty());
        g.bench_with_input(BenchmarkId::new("calcard", name), &cal, |b, c| {
            b.iter(|| {
                black_box(c)
                    .expand_dates(calcard::common::timezone::Tz::UTC, N)
                    .events
                    .len()
            })
        });
    }
    g.finish();
}

fn window(c: &mut Criterion) {
    let dtstart = "20000101T000000";
    let rule = "FREQ=MINUTELY";
    let text = calendar(dtstart, "PT1M", rule);
    let doc = parse(&text);
    let from = NaiveDate::from_ymd_opt(2026, 6, 1)
        .and_then(|d| d.and_hms_opt(10, 0, 0))
        .unwrap();
    let to = NaiveDate::from_ymd_opt(2026, 6, 1)
        .and_then(|d| d.and_hms_opt(11, 0, 0))
        .unwrap();
    let expander = Expander::new(ExpandOptions {
        from: Some(from),
        to: Some(to),
        ..ExpandOptions::default()
    });
    assert_eq!(expander.expand_document(&doc).instances.len(), 60);

    let mut g = c.benchmark_group("window");
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(3));
    g.bench_with_input(
        BenchmarkId::new("oxpim", "minutely-2000-one-hour-2026"),
        &doc,
        |b, d| b.iter(|| expander.expand_document(black_box(d)).instances.len()),
    );

    // The rrule crate walks every minute from 2000 (about 13.8 M of them).
    let berlin = rrule::Tz::Europe__Berlin;
    let after = chrono::TimeZone::from_utc_datetime(&berlin, &from);
    let before = chrono::TimeZone::from_utc_datetime(&berlin, &to);
    let set = rrule_set(dtstart, rule).after(after).before(before);
    let n = set.clone().all(1000).dates.len();
    assert!((59..=61).contains(&n), "{n}");
    g.measurement_time(Duration::from_secs(20));
    g.bench_with_input(
        BenchmarkId::new("rrule", "minutely-2000-one-hour-2026"),
        &set,
        |b, s| b.iter(|| black_box(s).clone().all(1000).dates.len()),
    );
    g.finish();
}

criterion_group!(benches, throughput, window);
criterion_main!(benches);
