//! RECURRENCE-ID VEVENTs that other clients (and oxpim's own export) write
//! in forms that are easy to misplace: each stays part of its series.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use oxpim_mapi::ical::{ExportOptions, Exporter, ImportOptions, Imported, Importer};

fn import(text: &str) -> Imported {
    let parsed = oxpim_contentline::parse(text.as_bytes());
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    Importer::new(ImportOptions::default()).import(&parsed.document)
}

fn not_placed(i: &Imported) -> bool {
    i.diagnostics
        .iter()
        .any(|d| d.message.contains("is not an instance of the series"))
}

/// A cancelled instance that an EXDATE also deletes (Thunderbird writes
/// both; so does oxpim's export of a cancelled override).
#[test]
fn a_cancelled_override_of_an_excluded_date() {
    let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n\
BEGIN:VEVENT\r\nUID:w\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250106T090000Z\r\nDTEND:20250106T100000Z\r\n\
RRULE:FREQ=WEEKLY;COUNT=4\r\nEXDATE:20250113T090000Z\r\nSUMMARY:Weekly\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:w\r\nDTSTAMP:20250101T000000Z\r\nRECURRENCE-ID:20250113T090000Z\r\nDTSTART:20250113T090000Z\r\n\
DTEND:20250113T100000Z\r\nSTATUS:CANCELLED\r\nSUMMARY:Weekly\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let first = import(text);
    assert_eq!(first.messages.len(), 1, "{:?}", first.diagnostics);
    assert!(!not_placed(&first), "{:?}", first.diagnostics);
    // And again after export: one series, the instance still deleted.
    let exported = Exporter::new(ExportOptions::default()).export(&first.messages);
    let again = String::from_utf8(exported.document.to_canonical_bytes()).unwrap();
    let second = import(&again);
    assert_eq!(
        second.messages.len(),
        1,
        "{again}\n{:?}",
        second.diagnostics
    );
    assert!(!not_placed(&second), "{:?}", second.diagnostics);
    let back = Exporter::new(ExportOptions::default()).export(&second.messages);
    let text2 = String::from_utf8(back.document.to_canonical_bytes()).unwrap();
    assert!(text2.contains("20250113T090000Z"), "{text2}");
}

/// Google writes the RECURRENCE-ID of a DATE series as UTC midnight; in a
/// calendar whose floating zone is west of UTC that instant falls on the
/// day before, but the instance meant is the day written.
#[test]
fn a_utc_midnight_recurrence_id_of_an_all_day_series() {
    let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nX-WR-TIMEZONE:America/Los_Angeles\r\n\
BEGIN:VEVENT\r\nUID:x\r\nDTSTAMP:20250101T000000Z\r\nDTSTART;VALUE=DATE:20021225\r\n\
RRULE:FREQ=YEARLY;COUNT=3\r\nSUMMARY:Christmas\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:x\r\nDTSTAMP:20250101T000000Z\r\nRECURRENCE-ID:20031225T000000Z\r\n\
DTSTART;VALUE=DATE:20031225\r\nSUMMARY:Christmas (moved text)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let i = import(text);
    assert!(!not_placed(&i), "{:?}", i.diagnostics);
    assert_eq!(i.messages.len(), 1);
    assert_eq!(i.messages[0].attachments.len(), 1, "one exception");
}

/// A series Outlook cannot represent (RDATE only) keeps its overrides as
/// written for export; two overrides of one instance (two clients'
/// versions, as the calendar had them) are both written back, not the
/// second dropped as if it were the first again. Found by fuzzing
/// (`ical_mapi`: the second round trip exported fewer VEVENTs).
#[test]
fn two_kept_overrides_of_one_instance_both_come_back() {
    let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n\
BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:19980101T000000Z\r\nDTSTART:19980304T180000Z\r\nDTEND:19980304T200000Z\r\n\
RDATE:19980304T180000Z,19980311T180000Z,19980318T180000Z\r\nSUMMARY:S\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:19980101T000000Z\r\nRECURRENCE-ID:19980311T180000Z\r\n\
DTSTART:19980311T160000Z\r\nDTEND:19980311T180000Z\r\nSUMMARY:A\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:19980101T000000Z\r\nRECURRENCE-ID:19980311T180000Z\r\n\
DTSTART:19980311T150000Z\r\nDTEND:19980311T170000Z\r\nSUMMARY:B\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let first = import(text);
    assert_eq!(first.messages.len(), 1, "{:?}", first.diagnostics);
    let exported = Exporter::new(ExportOptions::default()).export(&first.messages);
    let summaries = |doc: &oxpim_contentline::Document| -> Vec<String> {
        let mut v: Vec<String> = doc
            .components
            .iter()
            .flat_map(|c| c.children("VEVENT"))
            .map(|e| e.text("SUMMARY").unwrap_or_default().to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(summaries(&exported.document), ["A", "B", "S"]);
    // And the same again after a second round.
    let again = String::from_utf8(exported.document.to_canonical_bytes()).unwrap();
    let second = import(&again);
    let back = Exporter::new(ExportOptions::default()).export(&second.messages);
    assert_eq!(summaries(&back.document), ["A", "B", "S"]);
}

/// A `RANGE=THISANDFUTURE` override: Outlook holds it as that instance's
/// exception, and the VEVENT is kept; export writes the kept VEVENT once,
/// in place of the exception's (whose RECURRENCE-ID is written in the
/// series' zone, `TZID=UTC:…` against the kept `…Z`).
#[test]
fn a_this_and_future_override_comes_back_once() {
    // The series in UTC, then in New York (the override's RECURRENCE-ID in
    // UTC both times).
    for (start, end) in [
        (":20240304T100000Z", ":20240304T110000Z"),
        (
            ";TZID=America/New_York:20240304T050000",
            ";TZID=America/New_York:20240304T060000",
        ),
    ] {
        let text = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n\
BEGIN:VEVENT\r\nUID:tf\r\nDTSTAMP:20240101T000000Z\r\nDTSTART{start}\r\nDTEND{end}\r\n\
RRULE:FREQ=DAILY;COUNT=6\r\nSUMMARY:base\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:tf\r\nDTSTAMP:20240101T000000Z\r\nRECURRENCE-ID;RANGE=THISANDFUTURE:20240306T100000Z\r\n\
DTSTART:20240306T120000Z\r\nDTEND:20240306T130000Z\r\nSUMMARY:shifted\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        let parsed = oxpim_contentline::parse(text.as_bytes());
        let first = Importer::new(ImportOptions::default()).import(&parsed.document);
        assert_eq!(first.messages.len(), 1, "{:?}", first.diagnostics);
        let exported = Exporter::new(ExportOptions::default()).export(&first.messages);
        let overrides: Vec<&oxpim_contentline::Component> = exported
            .document
            .components
            .iter()
            .flat_map(|c| c.children("VEVENT"))
            .filter(|e| e.property("RECURRENCE-ID").is_some())
            .collect();
        let written = String::from_utf8(exported.document.to_canonical_bytes()).unwrap();
        assert_eq!(overrides.len(), 1, "{written}");
        let rid = overrides[0].property("RECURRENCE-ID").unwrap();
        assert_eq!(rid.param("RANGE"), Some("THISANDFUTURE"), "{written}");
        assert_eq!(overrides[0].text("SUMMARY"), Some("shifted"));
    }
}
