//! `calendar_bytes_to_messages` (series by series) gives what
//! `calendar_to_messages` gives on the parsed file: the same messages in the
//! same order, the same parser diagnostics and the same conversion
//! diagnostics, over the external corpus and generated calendars; and its
//! memory follows the largest series, not the file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use oxpim::{Diagnostic, ImportOptions, Message, PartsReport};

mod common;
use common::{berlin_rules, corpus_dir, files_under, peak_growth, serial};

fn options() -> ImportOptions {
    ImportOptions {
        now: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)),
        ..ImportOptions::default()
    }
}

fn by_parts(bytes: &[u8], options: ImportOptions) -> (Vec<Message>, PartsReport) {
    let mut got = Vec::new();
    let report =
        oxpim::calendar_bytes_to_messages(bytes.to_vec(), options, &mut |m, _| got.push(m));
    (got, report)
}

fn sorted(d: &[Diagnostic]) -> Vec<String> {
    let mut v: Vec<String> = d
        .iter()
        .map(|d| format!("{}:{}: {:?}: {}", d.line, d.column, d.severity, d.message))
        .collect();
    v.sort();
    v
}

/// The same diagnostics, in any order; beyond the cap (one `Truncated`
/// error at the end), the same number.
fn same_diagnostics(a: &[Diagnostic], b: &[Diagnostic], what: &str, kind: &str) {
    let truncated = |d: &[Diagnostic]| d.last().is_some_and(|d| d.code == oxpim::Code::Truncated);
    if truncated(a) || truncated(b) {
        assert!(
            truncated(a) && truncated(b) && a.len() == b.len(),
            "{what}: {kind} diagnostics: {} and {}",
            a.len(),
            b.len()
        );
        return;
    }
    let (a, b) = (sorted(a), sorted(b));
    let only_a: Vec<&String> = a.iter().filter(|x| !b.contains(x)).take(5).collect();
    let only_b: Vec<&String> = b.iter().filter(|x| !a.contains(x)).take(5).collect();
    assert!(
        a == b,
        "{what}: {kind} diagnostics differ ({} by parts, {} whole)\nonly by parts: {only_a:#?}\nonly whole: {only_b:#?}",
        a.len(),
        b.len()
    );
}

/// Returns whether the file was split.
fn same(bytes: &[u8], what: &str) -> bool {
    let parsed = oxpim::parse(bytes);
    let whole = oxpim::calendar_to_messages(&parsed.document, options());
    let (messages, report) = by_parts(bytes, options());
    assert_eq!(report.messages, messages.len(), "{what}");
    assert_eq!(
        messages.len(),
        whole.messages.len(),
        "{what}: message count"
    );
    for (i, (a, b)) in messages.iter().zip(&whole.messages).enumerate() {
        assert!(a == b, "{what}: message {i} differs");
    }
    same_diagnostics(&report.parse, &parsed.diagnostics, what, "parser");
    same_diagnostics(&report.import, &whole.diagnostics, what, "conversion");
    report.split
}

/// The `.ics` files under `dir`, sorted.
fn calendars(dir: &Path) -> Vec<PathBuf> {
    let mut v = files_under(dir);
    v.retain(|p| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("ics"))
    });
    v
}

#[test]
fn the_corpus_converts_the_same_by_parts() {
    let _one = serial();
    let root = corpus_dir();
    let mut list = calendars(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples"));
    let bundled = list.len();
    list.extend(calendars(&root.join("ical")));
    if list.len() == bundled {
        assert!(
            std::env::var("OXPIM_REQUIRE_EXTERNAL").as_deref() != Ok("1"),
            "corpus not found at {} and OXPIM_REQUIRE_EXTERNAL=1",
            root.display()
        );
        eprintln!("SKIPPED: no corpus at {}", root.display());
    }
    list.sort();
    let mut split = 0;
    for f in &list {
        let bytes = std::fs::read(f).unwrap();
        if same(&bytes, &f.display().to_string()) {
            split += 1;
        }
    }
    eprintln!("{split} of {} files converted by parts", list.len());
    // Most real calendars are regular enough to be split.
    assert!(split * 2 > list.len(), "{split} of {}", list.len());
}

/// `n` weekly series in Berlin time, each with an override placed after
/// all the masters (so series are complete only at the end of the file),
/// and a GEO, which Outlook cannot hold (one warning each).
fn generated(n: usize, overrides_last: bool) -> Vec<u8> {
    let mut s = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//oxpim//tests//EN\r\nX-WR-CALNAME:Generated\r\n",
    );
    s.push_str(&berlin_rules("Europe/Berlin"));
    let master = |i: usize| {
        format!(
            "BEGIN:VEVENT\r\nUID:series-{i}@example.com\r\nDTSTAMP:20250101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20250106T{:02}0000\r\nDTEND;TZID=Europe/Berlin:20250106T{:02}3000\r\nRRULE:FREQ=WEEKLY;COUNT=10\r\nSUMMARY:Series {i}\r\nGEO:48.1;11.5\r\nATTENDEE;CN=\"Ann {i}\":mailto:ann{i}@example.com\r\nEND:VEVENT\r\n",
            8 + i % 10,
            8 + i % 10
        )
    };
    let over = |i: usize| {
        format!(
            "BEGIN:VEVENT\r\nUID:series-{i}@example.com\r\nDTSTAMP:20250101T000000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:20250113T{:02}0000\r\nDTSTART;TZID=Europe/Berlin:20250114T{:02}0000\r\nDTEND;TZID=Europe/Berlin:20250114T{:02}3000\r\nSUMMARY:Series {i}, moved\r\nEND:VEVENT\r\n",
            8 + i % 10,
            8 + i % 10,
            8 + i % 10
        )
    };
    for i in 0..n {
        s.push_str(&master(i));
        if !overrides_last {
            s.push_str(&over(i));
        }
    }
    if overrides_last {
        for i in 0..n {
            s.push_str(&over(i));
        }
    }
    s.push_str("END:VCALENDAR\r\n");
    s.into_bytes()
}

#[test]
fn generated_calendars_convert_the_same_by_parts() {
    let _one = serial();
    assert!(same(
        &generated(30, false),
        "overrides next to their masters"
    ));
    assert!(same(&generated(30, true), "overrides after all masters"));
    // Irregular files are converted whole, with the same result.
    let mut broken = generated(3, false);
    broken.truncate(broken.len() - "END:VCALENDAR\r\n".len());
    assert!(!same(&broken, "no END:VCALENDAR"));
    let vcal = b"BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VEVENT\r\nUID:v\r\nDTSTART:20250101T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    assert!(!same(vcal, "vCalendar 1.0"));
    let no_uid = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250101T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    assert!(!same(no_uid, "VEVENT without UID"));
}

fn cal(body: &str) -> Vec<u8> {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//oxpim//tests//EN\r\n{body}END:VCALENDAR\r\n"
    )
    .into_bytes()
}

const EV_A: &str = "BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250101T090000\r\nEND:VEVENT\r\n";
const EV_B: &str = "BEGIN:VEVENT\r\nUID:b\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250102T090000\r\nEND:VEVENT\r\n";

/// Files where a naive split would read something otherwise than the
/// parser does: each converts as the whole file does.
#[test]
fn edge_cases_convert_the_same() {
    let _one = serial();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "a BEGIN name the parser refuses, holding calendar properties",
            cal(&format!("BEGIN:X Y\r\nX-WR-TIMEZONE:America/New_York\r\nMETHOD:REQUEST\r\nEND:X Y\r\n{EV_A}{EV_B}")),
        ),
        (
            "a line without a colon after a VEVENT",
            cal(&format!("METHOD:PUBLISH\r\n{EV_A}x\r\n{EV_B}")),
        ),
        (
            "a quoted-printable soft break before a VEVENT",
            cal(&format!("X-A;ENCODING=QUOTED-PRINTABLE:abc=\r\n{EV_A}X-WR-TIMEZONE:Europe/Berlin\r\n{EV_B}")),
        ),
        (
            "a UID whose fold lost its space",
            cal(&format!("BEGIN:VEVENT\r\nUID:a\r\n1\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250101T090000Z\r\nEND:VEVENT\r\n{EV_B}{EV_A}")),
        ),
        (
            "two METHODs, the first REQUEST",
            cal(&format!("METHOD:REQUEST\r\nMETHOD:PUBLISH\r\n{EV_A}{EV_B}")),
        ),
        (
            "an unknown METHOD and one UID giving two messages",
            cal(&format!("METHOD:X-FOO\r\n{EV_A}{}", EV_A.replace("20250101T09", "20250105T09"))),
        ),
        (
            "VERSION 1.0 then 2.0",
            b"BEGIN:VCALENDAR\r\nVERSION:1.0\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:v\r\nDTSTART:20250101T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".to_vec(),
        ),
        (
            "a VTIMEZONE after the events, and a calendar property between them",
            cal(&format!("{}X-WR-CALNAME:Late\r\n{}{}", EV_A.replace("DTSTART:", "DTSTART;TZID=Europe/Berlin:"), EV_B, berlin_rules("Europe/Berlin"))),
        ),
        (
            "two calendars, the same UID in each",
            [cal(EV_A), cal(EV_A)].concat(),
        ),
        (
            "folded lines, LF and CR-only line ends, a BOM",
            [b"\xEF\xBB\xBF".to_vec(), cal(&format!("X-WR-CALNAME:A long\r\n  name\r\n{}{}", EV_A.replace("\r\n", "\n"), EV_B.replace("\r\n", "\r")))].concat(),
        ),
    ];
    for (what, bytes) in &cases {
        same(bytes, what);
    }
}

#[test]
fn the_message_limit_holds_across_parts() {
    let _one = serial();
    let bytes = generated(10, false);
    let (messages, report) = by_parts(
        &bytes,
        ImportOptions {
            max_messages: 4,
            ..options()
        },
    );
    assert!(report.split);
    assert_eq!(messages.len(), 4);
    let said: Vec<&Diagnostic> = report
        .import
        .iter()
        .filter(|d| d.message.contains("more than 4 messages"))
        .collect();
    assert_eq!(said.len(), 1, "{:?}", report.import);
    // The series past the limit are still converted for their warnings.
    let geo = report
        .import
        .iter()
        .filter(|d| d.message.contains("GEO"))
        .count();
    assert_eq!(geo, 10, "{:?}", report.import);
}

#[test]
fn memory_follows_the_series_not_the_file() {
    let _one = serial();
    // About 3 MB of series whose overrides sit next to them.
    let bytes = generated(6_000, false);
    let len = bytes.len() as u64;
    let mut n = 0usize;
    let mut split = false;
    let copy = bytes.clone();
    let parts = peak_growth(|| {
        let report = oxpim::calendar_bytes_to_messages(copy, options(), &mut |m, _| {
            n += 1;
            drop(m);
        });
        split = report.split;
    });
    let whole = peak_growth(|| {
        let parsed = oxpim::parse(&bytes);
        let imported = oxpim::calendar_to_messages(&parsed.document, options());
        assert_eq!(imported.messages.len(), 6_000);
    });
    let (Some(parts), Some(whole)) = (parts, whole) else {
        // Only Linux has /proc/self/clear_refs; there it must work.
        #[cfg(target_os = "linux")]
        panic!("cannot reset the peak RSS");
        #[cfg(not(target_os = "linux"))]
        return;
    };
    assert!(split);
    assert_eq!(n, 6_000);
    // Whole, the tree and every message are held at once; by parts, one
    // series, a position record per component and the diagnostics (one
    // per series here).
    eprintln!(
        "{} MB calendar: peak +{} MB by parts, +{} MB whole",
        len >> 20,
        parts >> 20,
        whole >> 20
    );
    assert!(
        parts * 4 < whole && parts < 2 * len + (16 << 20),
        "peak grew by {parts} bytes by parts, {whole} whole, for {len} bytes"
    );
}
