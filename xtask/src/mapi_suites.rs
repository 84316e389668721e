//! Conformance suites of the MAPI conversions.

use std::path::Path;

use chrono::NaiveDate;
use oxpim::{ExpandOptions, ExportOptions, ImportOptions, Parser};

use crate::conformance::{Outcome, Suite, files_under, guarded, rel};

fn instances(doc: &oxpim::Document) -> Result<Vec<String>, String> {
    let from = NaiveDate::from_ymd_opt(1990, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0));
    let to = NaiveDate::from_ymd_opt(2040, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0));
    let e = oxpim::expand(
        doc,
        ExpandOptions {
            max_instances: 5000,
            from,
            to,
            ..ExpandOptions::default()
        },
    );
    if e.diagnostics.iter().any(|d| d.code == oxpim::Code::Limit) {
        return Err("the expansion reached a limit".into());
    }
    let mut v: Vec<String> = e
        .instances
        .iter()
        .filter(|i| i.component == "VEVENT")
        // A VEVENT without UID gets one made up on import.
        .map(|i| {
            let uid = if i.uid.starts_with("oxpim-") {
                ""
            } else {
                &*i.uid
            };
            format!("{uid} {} {}", i.start, i.end)
        })
        .collect();
    v.sort();
    Ok(v)
}

/// Every calendar file of the corpus through MAPI and back: iCalendar →
/// messages → .msg bytes → messages → iCalendar must give the same event
/// instances (1990–2040) as the original.
pub fn suite_mapi_roundtrip(corpus: &Path) -> Suite {
    let mut s = Suite::new("mapi-roundtrip-instances");
    let mut files = files_under(&corpus.join("ical"), &["ics", "ical", "ifb"]);
    files.extend(files_under(&corpus.join("vcal"), &["vcs"]));
    let now = NaiveDate::from_ymd_opt(2025, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0));
    for p in files {
        let outcome = guarded(|| {
            let Ok(bytes) = std::fs::read(&p) else {
                return Outcome::Skip("unreadable".into());
            };
            let doc = Parser::new().parse(&bytes).document;
            let before = match instances(&doc) {
                Ok(v) if v.is_empty() => return Outcome::Skip("no VEVENT instance".into()),
                Ok(v) => v,
                Err(e) => return Outcome::Skip(e),
            };
            // Each VCALENDAR on its own (files of several iTIP messages
            // reuse UIDs across them).
            let mut after = Vec::new();
            for cal in &doc.components {
                let one = oxpim::Document::new(vec![cal.clone()]);
                let imported = oxpim::calendar_to_messages(
                    &one,
                    ImportOptions {
                        now,
                        floating_zone: Some("UTC".into()),
                        ..ImportOptions::default()
                    },
                );
                let mut messages = Vec::with_capacity(imported.messages.len());
                for m in &imported.messages {
                    let bytes = match oxpim::msg::to_bytes(m) {
                        Ok(b) => b,
                        Err(e) => return Outcome::Fail(format!("writing .msg: {e}")),
                    };
                    match oxpim::msg::from_bytes(&bytes) {
                        Ok(back) => messages.push(back),
                        Err(e) => return Outcome::Fail(format!("reading .msg: {e}")),
                    }
                }
                if messages.is_empty() {
                    continue;
                }
                let exported = oxpim::messages_to_calendar(
                    &messages,
                    ExportOptions {
                        now,
                        floating_zone: Some("UTC".into()),
                        ..ExportOptions::default()
                    },
                );
                let text = oxpim::format(&exported.document);
                let back = Parser::new().parse(&text).document;
                match instances(&back) {
                    Ok(v) => after.extend(v),
                    Err(e) => return Outcome::Fail(format!("after the round trip: {e}")),
                }
            }
            after.sort();
            let mut before = before;
            before.sort();
            if before == after {
                return Outcome::Pass;
            }
            let missing: Vec<&String> = before
                .iter()
                .filter(|x| !after.contains(x))
                .take(2)
                .collect();
            let extra: Vec<&String> = after
                .iter()
                .filter(|x| !before.contains(x))
                .take(2)
                .collect();
            Outcome::Fail(format!(
                "{} instances before, {} after; missing {missing:?}, extra {extra:?}",
                before.len(),
                after.len()
            ))
        });
        s.add(rel(corpus, &p), outcome);
    }
    s
}

/// Whitespace-insensitive form of a body text: runs of spaces, tabs, line
/// breaks and no-break spaces become one space.
fn squeezed(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '\u{a0}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The RTF body (PidTagRtfCompressed) of every corpus `.msg`: it must
/// decompress (CRC checked); HTML it encapsulates must come out; otherwise,
/// where the message also has a plain body (PidTagBody, written by Outlook
/// from the same text), the RTF's text must equal it but for whitespace.
pub fn suite_msg_rtf(corpus: &Path) -> Suite {
    let mut s = Suite::new("msg-rtf-bodies");
    for path in files_under(&corpus.join("msg"), &["msg"]) {
        let case = rel(corpus, &path);
        let outcome = guarded(|| {
            let Ok(bytes) = std::fs::read(&path) else {
                return Outcome::Fail("unreadable".into());
            };
            let message = match oxpim::msg::from_bytes(&bytes) {
                Ok(m) => m,
                Err(e) => return Outcome::Fail(format!("read: {e}")),
            };
            let props = &message.properties;
            let Some(data) = props.binary(&oxpim::mapi::props::PID_TAG_RTF_COMPRESSED) else {
                return Outcome::Skip("no RTF body".into());
            };
            let rtf = match oxpim::mapi::rtf::decompress(data) {
                Ok(r) => r,
                Err(e) => return Outcome::Fail(format!("decompress: {e}")),
            };
            // Encapsulated HTML: Outlook's plain body is made from the HTML
            // (links and bullets written out), not from the RTF; the HTML
            // itself is compared with extract-msg's in the interop tests.
            match oxpim::mapi::rtf::html_of(&rtf) {
                Ok(Some(html)) if html.trim_start().starts_with('<') => return Outcome::Pass,
                Ok(Some(html)) => {
                    return Outcome::Fail(format!(
                        "encapsulated HTML does not start with a tag: {:?}",
                        html.chars().take(80).collect::<String>()
                    ));
                }
                Ok(None) => {}
                Err(e) => return Outcome::Fail(format!("html: {e}")),
            }
            let text = match oxpim::mapi::rtf::text_of(&rtf) {
                Ok(t) => t,
                Err(e) => return Outcome::Fail(format!("text: {e}")),
            };
            let plain = props
                .text(&oxpim::mapi::props::PID_TAG_BODY, props.codepage())
                .unwrap_or_default();
            if plain.trim().is_empty() {
                Outcome::Skip("no plain body to compare with".into())
            } else if squeezed(&plain) == squeezed(&text) {
                Outcome::Pass
            } else {
                let (a, b) = (squeezed(&text), squeezed(&plain));
                let at = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
                let near = |s: &str| {
                    s.chars()
                        .skip(at.saturating_sub(30))
                        .take(80)
                        .collect::<String>()
                };
                Outcome::Fail(format!(
                    "RTF text differs from PidTagBody after {at} characters: {:?} / {:?}",
                    near(&a),
                    near(&b)
                ))
            }
        });
        s.add(case, outcome);
    }
    s
}
