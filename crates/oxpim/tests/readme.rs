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
