//! `ImportOptions::threads`: converting the series of a calendar on several
//! threads gives what one thread gives — the same messages in the same
//! order and the same diagnostics in the same order — over the external
//! corpus gathered into one calendar, generated calendars, the
//! `max_messages` limit and the zone notes that each thread's own zone
//! cache would otherwise repeat.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use oxpim::{Document, ImportOptions, Imported, WriteOptions};

mod common;
use common::{berlin_rules, corpus_dir, files_under};

fn options(threads: usize) -> ImportOptions {
    ImportOptions {
        now: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)),
        threads,
        // All of them compared, not the first thousand.
        max_diagnostics: usize::MAX,
        ..ImportOptions::default()
    }
}

fn diagnostics(i: &Imported) -> Vec<String> {
    i.diagnostics
        .iter()
        .map(|d| format!("{}:{}: {:?}: {}", d.line, d.column, d.severity, d.message))
        .collect()
}

/// Converts `doc` with 1 thread and with `more`, and asserts that the
/// results are equal; returns the one-thread result.
fn same_on(doc: &Document, more: &[usize], base: ImportOptions, what: &str) -> Imported {
    let one = oxpim::calendar_to_messages(
        doc,
        ImportOptions {
            threads: 1,
            ..base.clone()
        },
    );
    for &n in more {
        let many = oxpim::calendar_to_messages(
            doc,
            ImportOptions {
                threads: n,
                ..base.clone()
            },
        );
        assert_eq!(
            one.messages.len(),
            many.messages.len(),
            "{what}: message count with {n} threads"
        );
        for (i, (a, b)) in one.messages.iter().zip(&many.messages).enumerate() {
            assert!(a == b, "{what}: message {i} differs with {n} threads");
        }
        assert_eq!(
            diagnostics(&one),
            diagnostics(&many),
            "{what}: diagnostics with {n} threads"
        );
    }
    one
}

/// The VTIMEZONEs and VEVENTs of every corpus calendar, written into one
/// VCALENDAR (a zone's first VTIMEZONE wins): some hundreds of series of
/// every producer, with their oddities.
fn corpus_in_one() -> Option<Vec<u8>> {
    let mut files = files_under(&corpus_dir().join("ical"));
    files.retain(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("ics")));
    if files.is_empty() {
        return None;
    }
    let mut zones: Vec<u8> = Vec::new();
    let mut events: Vec<u8> = Vec::new();
    let mut tzids = std::collections::HashSet::new();
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        let doc = oxpim::parse(&bytes).document;
        for cal in doc.components.iter().filter(|c| c.is("VCALENDAR")) {
            if cal.dialect() != oxpim::Dialect::ICalendar {
                continue;
            }
            for c in &cal.components {
                let text = oxpim::contentline::write_component(c, &WriteOptions::default());
                if c.is("VTIMEZONE") {
                    if tzids.insert(c.text("TZID").unwrap_or_default().to_lowercase()) {
                        zones.extend(text);
                    }
                } else if c.is("VEVENT") {
                    events.extend(text);
                }
            }
        }
    }
    let mut out = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//oxpim//tests//EN\r\n".to_vec();
    out.extend(zones);
    out.extend(events);
    out.extend_from_slice(b"END:VCALENDAR\r\n");
    Some(out)
}

#[test]
fn the_corpus_in_one_calendar_converts_the_same_on_several_threads() {
    let Some(bytes) = corpus_in_one() else {
        assert!(
            std::env::var("OXPIM_REQUIRE_EXTERNAL").as_deref() != Ok("1"),
            "corpus not found at {} and OXPIM_REQUIRE_EXTERNAL=1",
            corpus_dir().display()
        );
        eprintln!("SKIPPED: no corpus at {}", corpus_dir().display());
        return;
    };
    let doc = oxpim::parse(&bytes).document;
    let one = same_on(&doc, &[2, 3, 7], options(1), "corpus in one calendar");
    // Enough series that every thread count above was used.
    assert!(
        one.messages.len() > 7 * 8,
        "{} messages",
        one.messages.len()
    );
    // Cut short by the limit: the same messages and the one error.
    let limit = one.messages.len() / 2;
    let cut = same_on(
        &doc,
        &[2, 3],
        ImportOptions {
            max_messages: limit,
            ..options(1)
        },
        "corpus, max_messages",
    );
    assert_eq!(cut.messages.len(), limit);
    let said = oxpim::mapi::ical::too_many_messages(limit);
    assert_eq!(
        cut.diagnostics.iter().filter(|d| d.message == said).count(),
        1
    );
}

/// `n` series: weekly in `tzid` (a VTIMEZONE with Berlin's rules), an
/// unknown TZID every 10th, floating times every 7th, attendees, an
/// override for every 5th and a repeated UID for every 13th.
fn generated(n: usize, tzid: &str, header: &str) -> Vec<u8> {
    let mut s = format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//oxpim//tests//EN\r\n{header}");
    s.push_str(&berlin_rules(tzid));
    for i in 0..n {
        let zone = if i % 10 == 3 {
            ";TZID=Nowhere/Special".to_owned()
        } else if i % 7 == 1 {
            String::new()
        } else {
            format!(";TZID={tzid}")
        };
        let uid = if i % 13 == 12 { i - 1 } else { i };
        s.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:series-{uid}@example.com\r\nDTSTAMP:20250101T000000Z\r\nDTSTART{zone}:20250106T{h:02}0000\r\nDTEND{zone}:20250106T{h:02}3000\r\nRRULE:FREQ=WEEKLY;COUNT=10\r\nSUMMARY:Series {i}\r\nGEO:48.1;11.5\r\nORGANIZER;CN=Org:mailto:org@example.com\r\nATTENDEE;CN=\"Ann {i}\";RSVP=TRUE:mailto:ann{i}@example.com\r\nATTENDEE;ROLE=OPT-PARTICIPANT:mailto:bob{i}@example.com\r\nEND:VEVENT\r\n",
            h = 8 + i % 10
        ));
        if i % 5 == 0 {
            s.push_str(&format!(
                "BEGIN:VEVENT\r\nUID:series-{uid}@example.com\r\nDTSTAMP:20250101T000000Z\r\nRECURRENCE-ID{zone}:20250113T{h:02}0000\r\nDTSTART{zone}:20250113T{h:02}1500\r\nDTEND{zone}:20250113T{h:02}4500\r\nSUMMARY:Moved {i}\r\nEND:VEVENT\r\n",
                h = 8 + i % 10
            ));
        }
    }
    s.push_str("END:VCALENDAR\r\n");
    s.into_bytes()
}

#[test]
fn generated_calendars_convert_the_same_on_several_threads() {
    for n in [0, 1, 15, 16, 17, 40, 333] {
        let doc = oxpim::parse(&generated(n, "Europe/Berlin", "")).document;
        let one = same_on(&doc, &[2, 4, 64], options(1), &format!("{n} series"));
        assert!(one.messages.len() >= n - n / 13, "{n} series");
    }
}

#[test]
fn zone_notes_are_given_once_whatever_the_threads() {
    // Every thread resolves these zones for itself; the notes (an unknown
    // floating zone, a TZID whose name disagrees with its VTIMEZONE) are
    // reported once, where one thread reports them.
    let doc = oxpim::parse(&generated(
        200,
        "America/New_York",
        "X-WR-TIMEZONE:Mars/Olympus_Mons\r\n",
    ))
    .document;
    let one = same_on(&doc, &[2, 5], options(1), "notes");
    let count = |needle: &str| {
        one.diagnostics
            .iter()
            .filter(|d| d.message.contains(needle))
            .count()
    };
    assert_eq!(count("floating zone \"Mars/Olympus_Mons\" is unknown"), 1);
    assert_eq!(count("TZID 'America/New_York' suggests"), 1);
    // Unknown TZIDs are reported where they are used, once per use.
    assert_eq!(
        count("time zone \"Nowhere/Special\" is unknown"),
        one.diagnostics
            .iter()
            .filter(|d| d.message.contains("Nowhere/Special"))
            .count()
    );
    assert!(count("time zone \"Nowhere/Special\" is unknown") >= 20);
}

#[test]
fn zero_threads_means_the_machine_s_parallelism() {
    let expected = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    assert_eq!(options(0).thread_count(), expected);
    assert_eq!(options(3).thread_count(), 3);
    assert_eq!(ImportOptions::default().threads, 1);
    let doc = oxpim::parse(&generated(50, "Europe/Berlin", "")).document;
    same_on(&doc, &[0], options(1), "threads 0");
}

/// Weekly series, the i-th in the zone `tzid(i)`.
fn series_in(n: usize, zones: &str, tzid: impl Fn(usize) -> String) -> oxpim::Document {
    let mut s = format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//oxpim//tests//EN\r\n{zones}");
    for i in 0..n {
        s.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:z{i}@example.com\r\nDTSTAMP:20250101T000000Z\r\nDTSTART;TZID={t}:20250106T090000\r\nDTEND;TZID={t}:20250106T100000\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:Z{i}\r\nEND:VEVENT\r\n",
            t = tzid(i)
        ));
    }
    s.push_str("END:VCALENDAR\r\n");
    oxpim::parse(s.as_bytes()).document
}

#[test]
fn a_note_first_met_by_a_later_thread_is_given_once_in_its_place() {
    // The zone whose name disagrees with its rules is used only by the
    // second half of the series, so with two threads only the second run
    // resolves it; an unknown zone is met by both halves.
    let zones = format!(
        "{}{}",
        berlin_rules("Europe/Berlin"),
        berlin_rules("America/New_York")
    );
    let doc = series_in(40, &zones, |i| {
        if i >= 20 && i % 2 == 0 {
            "America/New_York".into()
        } else if i % 7 == 3 {
            "Nowhere/Special".into()
        } else {
            "Europe/Berlin".into()
        }
    });
    let one = same_on(&doc, &[2, 3], options(1), "a later run's note");
    let notes: Vec<_> = one
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("TZID 'America/New_York' suggests"))
        .collect();
    assert_eq!(notes.len(), 1);
}

#[test]
fn a_zone_in_two_spellings_converts_as_on_one_thread() {
    // One thread resolves `europe/berlin` as the `Europe/Berlin` it met
    // first; a second run, meeting only the lowercase spelling, must not
    // make its own entry (its name shows in the zone description and blobs).
    let doc = series_in(40, &berlin_rules("Europe/Berlin"), |i| {
        if i < 20 {
            "Europe/Berlin".into()
        } else {
            "europe/berlin".into()
        }
    });
    let one = same_on(&doc, &[2, 4], options(1), "two spellings");
    assert_eq!(one.messages.len(), 40);
}
