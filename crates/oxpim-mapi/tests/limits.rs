//! The import bounds of `docs/limits.md` are options of one importer:
//! counted pattern instances, inline attachment size, diagnostics.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use oxpim_contentline::{Code, Severity};
use oxpim_mapi::ical::{ImportOptions, Imported, Importer};

fn import(body: &str, options: ImportOptions) -> Imported {
    let text = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//oxpim//tests//EN\r\n{body}END:VCALENDAR\r\n"
    );
    let parsed = oxpim_contentline::parse(text.as_bytes());
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    Importer::new(options).import(&parsed.document)
}

fn said(i: &Imported, needle: &str) -> bool {
    i.diagnostics.iter().any(|d| d.message.contains(needle))
}

const DAILY_500: &str = "BEGIN:VEVENT\r\nUID:c\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250101T090000Z\r\nDTEND:20250101T100000Z\r\nRRULE:FREQ=DAILY;COUNT=500\r\nEND:VEVENT\r\n";

#[test]
fn counted_instances() {
    let plain = import(DAILY_500, ImportOptions::default());
    assert!(
        !said(&plain, "instances oxpim counts"),
        "{:?}",
        plain.diagnostics
    );
    let few = import(
        DAILY_500,
        ImportOptions {
            max_counted: 100,
            ..ImportOptions::default()
        },
    );
    assert!(
        said(&few, "COUNT=500 is above the 100 instances oxpim counts"),
        "{:?}",
        few.diagnostics
    );
    assert_eq!(few.messages.len(), 1);
}

#[test]
fn attachment_size() {
    // 12 bytes inline.
    let body = "BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250101T090000Z\r\nATTACH;VALUE=BINARY;ENCODING=BASE64;FMTTYPE=text/plain;X-FILENAME=a.txt:aGVsbG8gd29ybGQh\r\nEND:VEVENT\r\n";
    let kept = import(body, ImportOptions::default());
    assert_eq!(kept.messages[0].attachments.len(), 1);
    let dropped = import(
        body,
        ImportOptions {
            max_attachment_bytes: 8,
            ..ImportOptions::default()
        },
    );
    assert_eq!(dropped.messages[0].attachments.len(), 0);
    assert!(
        dropped
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error
                && d.message
                    .contains("ATTACH of 12 bytes is above the limit of 8")),
        "{:?}",
        dropped.diagnostics
    );
}

#[test]
fn diagnostics_are_capped() {
    // Each event has a GEO, which Outlook cannot hold: one warning each.
    let mut body = String::new();
    for i in 0..20 {
        body.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:g{i}\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250101T090000Z\r\nGEO:1.5;2.5\r\nEND:VEVENT\r\n"
        ));
    }
    let all = import(&body, ImportOptions::default());
    assert_eq!(all.diagnostics.len(), 20, "{:?}", all.diagnostics);
    let capped = import(
        &body,
        ImportOptions {
            max_diagnostics: 5,
            ..ImportOptions::default()
        },
    );
    assert_eq!(capped.diagnostics.len(), 6);
    assert_eq!(capped.diagnostics[..5], all.diagnostics[..5]);
    assert_eq!(capped.diagnostics[5].code, Code::Truncated);
    // Only warnings were left out: the notice is a warning, not an error.
    assert_eq!(capped.diagnostics[5].severity, Severity::Warning);
    assert_eq!(capped.messages.len(), 20);
}

#[test]
fn max_messages_bounds_the_whole_document() {
    // Three calendars of two events each; at most three messages in all,
    // and the limit said once.
    let mut text = String::new();
    for c in 0..3 {
        text.push_str("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//oxpim//tests//EN\r\n");
        for e in 0..2 {
            text.push_str(&format!(
                "BEGIN:VEVENT\r\nUID:c{c}e{e}\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250101T090000Z\r\nEND:VEVENT\r\n"
            ));
        }
        text.push_str("END:VCALENDAR\r\n");
    }
    let parsed = oxpim_contentline::parse(text.as_bytes());
    let imported = Importer::new(ImportOptions {
        max_messages: 3,
        ..ImportOptions::default()
    })
    .import(&parsed.document);
    assert_eq!(imported.messages.len(), 3);
    let said = imported
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("more than 3 messages"))
        .count();
    assert_eq!(said, 1, "{:?}", imported.diagnostics);
}
