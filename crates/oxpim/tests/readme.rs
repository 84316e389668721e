//! The README's examples, run against the bundled files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::Path;

fn example(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples")
            .join(name),
    )
    .expect("bundled example")
}

#[test]
fn contact_example() {
    let bytes = example("outlook-contact.vcf");
    let parsed = oxpim::parse(bytes.as_slice());
    let card = &parsed.document.components[0];
    assert_eq!(card.text("FN"), Some("Dr. Ana Müller"));
    assert_eq!(parsed.document.to_bytes(), bytes);
    assert!(!oxpim::format(&parsed.document).is_empty());
}

#[test]
fn expansion_example() {
    let meeting = oxpim::parse(example("outlook-meeting.ics").as_slice());
    let expansion = oxpim::expand(&meeting.document, oxpim::ExpandOptions::default());
    let first = &expansion.instances[0];
    assert_eq!(first.start.to_string(), "2026-01-06T08:00:00Z");
    assert_eq!(first.end.to_string(), "2026-01-06T08:30:00Z");
    assert_eq!(first.summary.as_deref(), Some("Projekt-Jour-fixe"));
    assert!(
        expansion.diagnostics.is_empty(),
        "{:?}",
        expansion.diagnostics
    );
}

#[test]
fn outlook_example() {
    let meeting = oxpim::parse(example("outlook-meeting.ics").as_slice());
    let imported = oxpim::calendar_to_messages(&meeting.document, oxpim::ImportOptions::default());
    let request = &imported.messages[0];
    assert_eq!(
        request.message_class().as_deref(),
        Some("IPM.Schedule.Meeting.Request")
    );
    assert!(
        request
            .properties
            .get_def(&oxpim::mapi::props::PID_LID_APPOINTMENT_RECUR)
            .is_some()
    );
    let bytes = oxpim::msg::to_bytes(request).unwrap();
    assert_eq!(
        oxpim::msg::from_bytes(&bytes).unwrap().message_class(),
        request.message_class()
    );
    let back = oxpim::messages_to_calendar(&imported.messages, oxpim::ExportOptions::default());
    let a = oxpim::expand(&meeting.document, oxpim::ExpandOptions::default()).instances;
    let b = oxpim::expand(&back.document, oxpim::ExpandOptions::default()).instances;
    let show = |v: &[oxpim::Instance]| {
        v.iter()
            .map(|i| format!("{} {}", i.start, i.end))
            .collect::<Vec<_>>()
    };
    assert_eq!(show(&a), show(&b));
}

#[test]
fn outlook_contact_example() {
    let parsed = oxpim::parse(example("outlook-contact.vcf").as_slice());
    let contacts =
        oxpim::cards_to_contacts(&parsed.document, oxpim::ContactImportOptions::default());
    let ana = &contacts.messages[0];
    assert_eq!(ana.message_class().as_deref(), Some("IPM.Contact"));
    assert_eq!(
        ana.properties
            .str(&oxpim::mapi::props::PID_LID_EMAIL1_EMAIL_ADDRESS),
        Some("ana.mueller@example.com")
    );
    assert!(!oxpim::msg::to_bytes(ana).unwrap().is_empty());
    let v4 = oxpim::contacts_to_cards(
        &contacts.messages,
        oxpim::ContactExportOptions {
            version: oxpim::Dialect::VCard40,
            ..Default::default()
        },
    );
    let text = String::from_utf8(oxpim::format(&v4.document)).unwrap();
    assert!(
        text.contains("VERSION:4.0") && text.contains("FN:Dr. Ana Müller"),
        "{text}"
    );
}
