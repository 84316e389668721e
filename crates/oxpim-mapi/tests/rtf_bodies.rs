//! Messages whose body is (only) Outlook's compressed RTF: export takes
//! DESCRIPTION, X-ALT-DESC and a contact's NOTE from it (MS-OXRTFCP,
//! MS-OXRTFEX), and says so when the RTF cannot be read.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use oxpim_mapi::{FileTime, Message, PropValue, ical, props, vcard};

/// `rtf` in a PidTagRtfCompressed value stored uncompressed (`MELA`).
fn mela(rtf: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&(rtf.len() as u32 + 12).to_le_bytes());
    v.extend_from_slice(&(rtf.len() as u32).to_le_bytes());
    v.extend_from_slice(b"MELA");
    v.extend_from_slice(&[0; 4]);
    v.extend_from_slice(rtf);
    v
}

const HTML_RTF: &[u8] =
    b"{\\rtf1\\ansi\\ansicpg1252\\fromhtml1 \\deff0{\\fonttbl{\\f0\\fswiss Arial;}}\r\n\
{\\*\\htmltag19 <html>}{\\*\\htmltag50 <body>}{\\*\\htmltag64 <p>}\\htmlrtf {\\htmlrtf0 \
Agenda: caf\\'e9\\htmlrtf }\\htmlrtf0 {\\*\\htmltag72 </p>}\\htmlrtf \\par \\htmlrtf0 \
{\\*\\htmltag58 </body>}{\\*\\htmltag27 </html>}}";

fn appointment(rtf: Option<Vec<u8>>) -> Message {
    let mut m = Message::with_class("IPM.Appointment");
    m.properties.set(&props::PID_TAG_SUBJECT, "Review").unwrap();
    let start = FileTime::from_datetime(
        chrono::NaiveDate::from_ymd_opt(2025, 3, 4)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
            .and_utc(),
    )
    .unwrap();
    let end = FileTime(start.0 + 36_000_000_000);
    for def in [
        &props::PID_LID_APPOINTMENT_START_WHOLE,
        &props::PID_TAG_START_DATE,
    ] {
        m.properties.set(def, start).unwrap();
    }
    for def in [
        &props::PID_LID_APPOINTMENT_END_WHOLE,
        &props::PID_TAG_END_DATE,
    ] {
        m.properties.set(def, end).unwrap();
    }
    if let Some(rtf) = rtf {
        m.properties.insert(
            props::PID_TAG_RTF_COMPRESSED.key(),
            PropValue::Binary(rtf.into()),
        );
    }
    m
}

fn exported(m: Message) -> ical::Exported {
    ical::Exporter::new(ical::ExportOptions::default()).export(&[m])
}

fn texts(e: &ical::Exported, name: &str) -> Vec<String> {
    e.document
        .components
        .iter()
        .flat_map(|c| c.components.iter())
        .filter(|c| c.name() == "VEVENT")
        .flat_map(|c| c.properties_named(name))
        .map(|p| p.as_text().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn an_rtf_only_appointment_keeps_its_text_and_html() {
    let e = exported(appointment(Some(mela(HTML_RTF))));
    assert_eq!(
        texts(&e, "X-ALT-DESC"),
        ["<html><body><p>Agenda: café</p></body></html>"]
    );
    assert_eq!(texts(&e, "DESCRIPTION"), ["Agenda: café"]);
    assert!(
        !e.diagnostics
            .iter()
            .any(|d| d.message.contains("RtfCompressed")),
        "{:?}",
        e.diagnostics
    );
}

#[test]
fn plain_and_html_bodies_win_over_the_rtf() {
    let mut m = appointment(Some(mela(HTML_RTF)));
    m.properties
        .set(&props::PID_TAG_BODY, "Plain text")
        .unwrap();
    m.properties.insert(
        props::PID_TAG_HTML.key(),
        PropValue::Binary(b"<p>Own HTML</p>".to_vec().into()),
    );
    let e = exported(m);
    assert_eq!(texts(&e, "DESCRIPTION"), ["Plain text"]);
    assert_eq!(texts(&e, "X-ALT-DESC"), ["<p>Own HTML</p>"]);
}

#[test]
fn native_rtf_gives_text_but_no_html() {
    let rtf = b"{\\rtf1\\ansi{\\fonttbl{\\f0 Calibri;}}\\pard First\\par Second\\par}";
    let e = exported(appointment(Some(mela(rtf))));
    assert_eq!(texts(&e, "DESCRIPTION"), ["First\nSecond"]);
    assert!(texts(&e, "X-ALT-DESC").is_empty());
}

/// LZFu content whose CRC does not match the header.
fn bad_rtf() -> Vec<u8> {
    let mut bad = mela(b"{\\rtf1 x}");
    bad[8..12].copy_from_slice(b"LZFu");
    bad[12..16].copy_from_slice(&[1, 2, 3, 4]);
    bad
}

/// The one warning about an unreadable RTF body among `diagnostics`.
fn rtf_warning(diagnostics: &[oxpim_contentline::Diagnostic]) -> String {
    let warned: Vec<&String> = diagnostics
        .iter()
        .filter(|d| d.message.contains("PidTagRtfCompressed not read"))
        .map(|d| &d.message)
        .collect();
    assert_eq!(warned.len(), 1, "{diagnostics:?}");
    warned[0].clone()
}

#[test]
fn an_unreadable_rtf_body_is_reported_once() {
    let e = exported(appointment(Some(bad_rtf())));
    assert!(texts(&e, "DESCRIPTION").is_empty());
    let warned = rtf_warning(&e.diagnostics);
    assert!(warned.contains("CRC"), "{}", warned);
    assert!(
        warned.contains("no DESCRIPTION or X-ALT-DESC"),
        "{}",
        warned
    );

    // An empty plain body is still written; the warning names what was
    // not taken from the RTF.
    let mut m = appointment(Some(bad_rtf()));
    m.properties.set(&props::PID_TAG_BODY, "").unwrap();
    m.properties.insert(
        props::PID_TAG_HTML.key(),
        PropValue::Binary(b"<p>x</p>".to_vec().into()),
    );
    let e = exported(m);
    assert_eq!(texts(&e, "DESCRIPTION"), [""]);
    let warned = rtf_warning(&e.diagnostics);
    assert!(warned.ends_with("no DESCRIPTION from it"), "{}", warned);

    // With a plain body, only the HTML is missed.
    let mut m = appointment(Some(bad_rtf()));
    m.properties.set(&props::PID_TAG_BODY, "Text").unwrap();
    let e = exported(m);
    assert_eq!(texts(&e, "DESCRIPTION"), ["Text"]);
    let warned = rtf_warning(&e.diagnostics);
    assert!(warned.ends_with("no X-ALT-DESC from it"), "{}", warned);
}

#[test]
fn an_rtf_body_out_of_sync_gives_no_html() {
    // PidTagRtfInSync false: the plain body is newer than the RTF one.
    let mut m = appointment(Some(mela(HTML_RTF)));
    m.properties
        .set(&props::PID_TAG_BODY, "Newer text")
        .unwrap();
    m.properties
        .set(&props::PID_TAG_RTF_IN_SYNC, false)
        .unwrap();
    let e = exported(m.clone());
    assert_eq!(texts(&e, "DESCRIPTION"), ["Newer text"]);
    assert!(texts(&e, "X-ALT-DESC").is_empty());
    // In sync, the RTF's HTML is the rich form of the same text.
    m.properties.set(&props::PID_TAG_RTF_IN_SYNC, true).unwrap();
    assert_eq!(texts(&exported(m), "X-ALT-DESC").len(), 1);
}

#[test]
fn a_contact_note_comes_from_an_rtf_body() {
    let mut m = Message::with_class("IPM.Contact");
    m.properties
        .set(&props::PID_TAG_DISPLAY_NAME, "Ann Example")
        .unwrap();
    m.properties.insert(
        props::PID_TAG_RTF_COMPRESSED.key(),
        PropValue::Binary(mela(b"{\\rtf1\\ansi Met at the fair.\\par Call back.\\par}").into()),
    );
    let e = vcard::Exporter::new(vcard::ExportOptions::default()).export(&[m]);
    let notes: Vec<String> = e
        .document
        .components
        .iter()
        .flat_map(|c| c.properties_named("NOTE"))
        .map(|p| p.as_text().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(notes, ["Met at the fair.\nCall back."]);

    let mut m = Message::with_class("IPM.Contact");
    m.properties
        .set(&props::PID_TAG_DISPLAY_NAME, "Bo Example")
        .unwrap();
    m.properties.insert(
        props::PID_TAG_RTF_COMPRESSED.key(),
        PropValue::Binary(bad_rtf().into()),
    );
    let e = vcard::Exporter::new(vcard::ExportOptions::default()).export(&[m]);
    let warned = rtf_warning(&e.diagnostics);
    assert!(warned.ends_with("no NOTE from it"), "{}", warned);
}
