//! Interop: files oxpim writes are read back by Python's `extract-msg` and
//! `olefile` (tests/interop/read_msg.py) with the same subject, body, times,
//! named properties, recipients and attachments.
//!
//! When Python or the packages are missing the test prints
//! `SKIPPED: …` and passes, unless `OXPIM_REQUIRE_EXTERNAL=1` (set by
//! `.ci/run`, which installs extract-msg 0.57.0), when it fails.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Utc};
use oxpim_mapi::{
    Attachment, FileTime, Message, NamedProperty, PropValue, PropertyBag, props, sets,
};
use serde_json::{Value, json};

fn ft(rfc3339: &str) -> FileTime {
    FileTime::from_datetime(rfc3339.parse::<DateTime<Utc>>().unwrap()).unwrap()
}

/// Runs the Python reader; `None` (after saying why) when it cannot run.
fn python_read(file: &Path, named: &Value) -> Option<Value> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop/read_msg.py");
    let spec = file.with_extension("named.json");
    std::fs::write(&spec, named.to_string()).unwrap();
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
    let out = match Command::new(&python)
        .arg(&script)
        .arg(file)
        .arg(&spec)
        .output()
    {
        Ok(o) => o,
        Err(e) => return skip(format!("cannot run {python}: {e}")),
    };
    match out.status.code() {
        Some(0) => Some(serde_json::from_slice(&out.stdout).unwrap()),
        Some(3) => skip(String::from_utf8_lossy(&out.stderr).trim().to_owned()),
        _ => panic!(
            "read_msg.py failed on {}:\n{}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

fn recipient(name: &str, email: &str, kind: i32) -> PropertyBag {
    let mut r = PropertyBag::new();
    r.set(&props::PID_TAG_RECIPIENT_TYPE, kind).unwrap();
    r.set(&props::PID_TAG_DISPLAY_NAME, name).unwrap();
    r.set(&props::PID_TAG_ADDRESS_TYPE, "SMTP").unwrap();
    r.set(&props::PID_TAG_EMAIL_ADDRESS, email).unwrap();
    r.set(&props::PID_TAG_SMTP_ADDRESS, email).unwrap();
    r
}

#[test]
fn extract_msg_reads_what_oxpim_writes() {
    let mut m = Message::with_class("IPM.Appointment");
    let p = &mut m.properties;
    p.set(&props::PID_TAG_SUBJECT, "Quarterly review — Überblick 東京")
        .unwrap();
    p.set(&props::PID_TAG_BODY, "Agenda:\r\n1. Numbers\r\n2. Plans")
        .unwrap();
    p.set(&props::PID_TAG_CREATION_TIME, ft("2025-03-01T08:00:00Z"))
        .unwrap();
    p.set(
        &props::PID_TAG_LAST_MODIFICATION_TIME,
        ft("2025-03-02T09:30:00Z"),
    )
    .unwrap();
    p.set(
        &props::PID_TAG_CLIENT_SUBMIT_TIME,
        ft("2025-03-02T09:31:15Z"),
    )
    .unwrap();
    p.set(
        &props::PID_LID_APPOINTMENT_START_WHOLE,
        ft("2025-04-01T13:00:00Z"),
    )
    .unwrap();
    p.set(
        &props::PID_LID_APPOINTMENT_END_WHOLE,
        ft("2025-04-01T14:30:00Z"),
    )
    .unwrap();
    p.set(&props::PID_LID_LOCATION, "Room 4.01").unwrap();
    p.set(&props::PID_LID_BUSY_STATUS, 2).unwrap();
    p.set(&props::PID_LID_APPOINTMENT_SUB_TYPE, false).unwrap();
    p.set(&props::PID_LID_REMINDER_DELTA, 15).unwrap();
    p.set(&props::PID_LID_EMAIL1_EMAIL_ADDRESS, "ann@example.org")
        .unwrap();
    p.set(&props::PID_LID_TASK_STATUS, 1).unwrap();
    p.set(
        &props::PID_NAME_KEYWORDS,
        vec!["Work".to_string(), "Q2".to_string()],
    )
    .unwrap();
    p.insert(
        NamedProperty::string(sets::PS_INTERNET_HEADERS, "X-Oxpim-Test"),
        PropValue::String("yes".into()),
    );
    m.recipients = vec![
        recipient("Ann Example", "ann@example.org", 1),
        recipient("Bob Beispiel", "bob@example.de", 2),
    ];
    let mut inner = Message::with_class("IPM.Note");
    inner
        .properties
        .set(&props::PID_TAG_SUBJECT, "Minutes")
        .unwrap();
    m.attachments = vec![
        Attachment::by_value("notes.txt", b"hello\x00world".to_vec()),
        Attachment::embedded(inner),
    ];

    let named = json!([
        ["820D", sets::PSETID_Appointment.to_string()],
        ["820E", sets::PSETID_Appointment.to_string()],
        ["8208", sets::PSETID_Appointment.to_string()],
        ["8205", sets::PSETID_Appointment.to_string()],
        ["8215", sets::PSETID_Appointment.to_string()],
        ["8501", sets::PSETID_Common.to_string()],
        ["8083", sets::PSETID_Address.to_string()],
        ["8101", sets::PSETID_Task.to_string()],
        ["Keywords", sets::PS_PUBLIC_STRINGS.to_string()],
        ["x-oxpim-test", sets::PS_INTERNET_HEADERS.to_string()],
    ]);
    let dir = std::env::temp_dir().join(format!("oxpim-interop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("appointment.msg");
    std::fs::write(&file, oxpim_msg::to_bytes(&m).unwrap()).unwrap();
    let Some(seen) = python_read(&file, &named) else {
        return;
    };
    std::fs::remove_dir_all(&dir).ok();

    assert_eq!(
        seen["ole_root_clsid"],
        "00020D0B-0000-0000-C000-000000000046"
    );
    assert_eq!(seen["class"], "IPM.Appointment");
    assert_eq!(seen["unicode"], true);
    assert_eq!(seen["subject"], "Quarterly review — Überblick 東京");
    assert_eq!(seen["body"], "Agenda:\r\n1. Numbers\r\n2. Plans");
    assert_eq!(seen["times"]["30070040"], "2025-03-01T08:00:00Z");
    assert_eq!(seen["times"]["30080040"], "2025-03-02T09:30:00Z");
    assert_eq!(seen["times"]["00390040"], "2025-03-02T09:31:15Z");
    assert_eq!(
        seen["named"],
        json!([
            "2025-04-01T13:00:00Z",
            "2025-04-01T14:30:00Z",
            "Room 4.01",
            2,
            false,
            15,
            "ann@example.org",
            1,
            ["Work", "Q2"],
            "yes"
        ])
    );
    assert_eq!(
        seen["recipients"],
        json!([
            {"name": "Ann Example", "email": "ann@example.org", "type": 1},
            {"name": "Bob Beispiel", "email": "bob@example.de", "type": 2}
        ])
    );
    assert_eq!(seen["attachments"][0]["name"], "notes.txt");
    assert_eq!(seen["attachments"][0]["data"], "68656c6c6f00776f726c64");
    assert_eq!(seen["attachments"][1]["embedded_subject"], "Minutes");
    assert_eq!(seen["attachments"][1]["embedded_class"], "IPM.Note");
}
