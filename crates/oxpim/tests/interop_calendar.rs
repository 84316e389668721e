//! Interop: `.msg` files written from iCalendar are read by Python's
//! extract-msg (tests/interop/read_appointment.py) with the same subject,
//! location, start, end, organizer, attendees and body.
//!
//! Without Python or extract-msg the test prints `SKIPPED: …` and passes,
//! unless `OXPIM_REQUIRE_EXTERNAL=1` (set by `.ci/run`), when it fails.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use oxpim::ImportOptions;
use serde_json::{Value, json};

fn python_read(files: &[PathBuf]) -> Option<Value> {
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop/read_appointment.py");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let required = std::env::var("OXPIM_REQUIRE_EXTERNAL").as_deref() == Ok("1");
    let skip = |why: String| {
        assert!(
            !required,
            "interop reader unavailable and OXPIM_REQUIRE_EXTERNAL=1: {why}"
        );
        eprintln!("SKIPPED: interop with extract-msg: {why}");
        None
    };
    let out = match Command::new(&python).arg(&script).args(files).output() {
        Ok(o) => o,
        Err(e) => return skip(format!("cannot run {python}: {e}")),
    };
    match out.status.code() {
        Some(0) => Some(serde_json::from_slice(&out.stdout).unwrap()),
        Some(3) => skip(String::from_utf8_lossy(&out.stderr).trim().to_owned()),
        _ => panic!(
            "read_appointment.py failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

const EXTRA: &str = "BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//interop//EN\r
BEGIN:VEVENT\r
UID:single@example.com\r
DTSTAMP:20250101T000000Z\r
DTSTART:20250610T120000Z\r
DTEND:20250610T131500Z\r
SUMMARY:Lunch — Ünïcødé 😀\r
LOCATION:Café Zürich\r
DESCRIPTION:First line\\nSecond line\r
ORGANIZER;CN=Zoë Organizer:mailto:zoe@example.com\r
ATTENDEE;CN=Al Required;ROLE=REQ-PARTICIPANT:mailto:al@example.com\r
ATTENDEE;CN=Bo Optional;ROLE=OPT-PARTICIPANT:mailto:bo@example.com\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:allday@example.com\r
DTSTAMP:20250101T000000Z\r
DTSTART;VALUE=DATE:20250704\r
DTEND;VALUE=DATE:20250705\r
SUMMARY:Holiday\r
END:VEVENT\r
END:VCALENDAR\r
";

fn write_all(text: &[u8], dir: &Path, prefix: &str) -> Vec<(PathBuf, oxpim::Message)> {
    let parsed = oxpim::parse(text);
    let imported = oxpim::calendar_to_messages(
        &parsed.document,
        ImportOptions {
            floating_zone: Some("Europe/Berlin".into()),
            ..ImportOptions::default()
        },
    );
    imported
        .messages
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let path = dir.join(format!("{prefix}{i}.msg"));
            std::fs::write(&path, oxpim::msg::to_bytes(&m).unwrap()).unwrap();
            (path, m)
        })
        .collect()
}

#[test]
fn extract_msg_reads_appointments_written_from_icalendar() {
    let dir = std::env::temp_dir().join(format!("oxpim-cal-interop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let example = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/outlook-meeting.ics"
    ))
    .unwrap();
    let mut files = write_all(&example, &dir, "example");
    files.extend(write_all(EXTRA.as_bytes(), &dir, "extra"));
    let paths: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
    let Some(seen) = python_read(&paths) else {
        return;
    };
    std::fs::remove_dir_all(&dir).ok();
    let seen = seen.as_array().unwrap();
    assert_eq!(seen.len(), 3);

    // The Exchange meeting request of examples/: a weekly series.
    let meeting = &seen[0];
    assert_eq!(meeting["class"], "IPM.Schedule.Meeting.Request");
    assert_eq!(meeting["subject"], "Projekt-Jour-fixe");
    assert_eq!(meeting["location"], "Raum 4.12 (Berlin)");
    assert_eq!(meeting["start"], "2026-01-06T08:00:00Z");
    assert_eq!(meeting["end"], "2026-01-06T08:30:00Z");
    assert_eq!(meeting["organizer"], "Ana Müller");
    assert_eq!(meeting["required"], "Dubois, Grace");
    assert_eq!(meeting["optional"], "Łukasz Nowak");
    assert_eq!(meeting["recurring"], true);
    assert_eq!(meeting["attachments"], 1, "the moved instance");
    assert_eq!(
        meeting["body"],
        "Wöchentliche Abstimmung zum Projektstand.\r\n\r\nAgenda: Budget, Zeitplan; Risiken.\r\n"
    );
    assert_eq!(
        meeting["recipients"],
        json!([
            {"name": "Ana Müller", "email": "ana.mueller@example.com", "type": 1},
            {"name": "Dubois, Grace", "email": "grace.dubois@example.org", "type": 1},
            {"name": "Łukasz Nowak", "email": "lukasz@example.net", "type": 2}
        ])
    );

    let single = &seen[1];
    assert_eq!(single["class"], "IPM.Appointment");
    assert_eq!(single["subject"], "Lunch — Ünïcødé 😀");
    assert_eq!(single["location"], "Café Zürich");
    assert_eq!(single["start"], "2025-06-10T12:00:00Z");
    assert_eq!(single["end"], "2025-06-10T13:15:00Z");
    assert_eq!(single["organizer"], "Zoë Organizer");
    assert_eq!(single["required"], "Al Required");
    assert_eq!(single["optional"], "Bo Optional");
    assert_eq!(single["body"], "First line\r\nSecond line");
    assert_eq!(single["recurring"], false);

    // All-day in the floating zone (Europe/Berlin): midnight to midnight.
    let allday = &seen[2];
    assert_eq!(allday["subject"], "Holiday");
    assert_eq!(allday["start"], "2025-07-03T22:00:00Z");
    assert_eq!(allday["end"], "2025-07-04T22:00:00Z");
    let _ = files;
}

/// Whitespace aside: runs of whitespace become one space.
fn squeezed(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Real Outlook/Exchange `.msg` files of the corpus whose HTML body exists
/// only encapsulated in the RTF body (no PidTagHtml): the X-ALT-DESC that
/// export writes equals the HTML extract-msg (RTFDE) takes out of the same
/// RTF. (Which messages encapsulate HTML is checked by the conformance
/// suite `msg-rtf-bodies`; extract-msg makes HTML of plain bodies too, so
/// its answer to that question is not comparable.) Skipped when
/// `../shared/corpus` is not beside the repository, unless
/// `OXPIM_REQUIRE_EXTERNAL=1`.
#[test]
fn html_from_rtf_bodies_matches_extract_msg() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/msg");
    if !corpus.is_dir() {
        assert!(
            std::env::var("OXPIM_REQUIRE_EXTERNAL").as_deref() != Ok("1"),
            "corpus not found at {} and OXPIM_REQUIRE_EXTERNAL=1",
            corpus.display()
        );
        eprintln!("SKIPPED: no corpus at {}", corpus.display());
        return;
    }
    let mut cases: Vec<(PathBuf, String)> = Vec::new();
    let mut dirs = vec![corpus];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
                continue;
            }
            if p.extension().and_then(|x| x.to_str()) != Some("msg") {
                continue;
            }
            let Ok(m) = oxpim::msg::from_bytes(&std::fs::read(&p).unwrap()) else {
                continue;
            };
            if m.properties
                .binary(&oxpim::mapi::props::PID_TAG_HTML)
                .is_some()
            {
                continue;
            }
            let exported = oxpim::messages_to_calendar(&[m], oxpim::ExportOptions::default());
            let alt = exported
                .document
                .components
                .iter()
                .flat_map(|c| c.components.iter())
                .filter(|c| c.name() == "VEVENT")
                .flat_map(|c| c.properties_named("X-ALT-DESC"))
                .find_map(|p| p.as_text().map(str::to_owned));
            if let Some(alt) = alt {
                cases.push((p, alt));
            }
        }
    }
    cases.sort();
    // The corpus's Exchange meeting request is one.
    assert!(!cases.is_empty(), "no corpus .msg with HTML only in RTF");
    let files: Vec<PathBuf> = cases.iter().map(|(p, _)| p.clone()).collect();
    let Some(seen) = python_read(&files) else {
        return;
    };
    for ((path, ours), theirs) in cases.iter().zip(seen.as_array().unwrap()) {
        let theirs = theirs["html"]
            .as_str()
            .unwrap_or_else(|| panic!("extract-msg found no HTML in {}", path.display()));
        assert_eq!(
            squeezed(ours),
            squeezed(theirs),
            "HTML of {}",
            path.display()
        );
    }
}
