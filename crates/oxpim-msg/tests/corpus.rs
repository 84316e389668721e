//! Every `.msg` of the external corpus (`../shared/corpus/msg`, or
//! `$OXPIM_CORPUS/msg`) reads without error; its message class, subject and
//! times agree with the decodes that come with the corpus (msgreader's
//! `.json` files and the MANIFEST's message class); and what was read writes
//! back to a file that reads as the same message.
//!
//! Without the corpus the test says so and passes, unless
//! `OXPIM_REQUIRE_EXTERNAL=1` (set by `.ci/run`), when it fails.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::path::PathBuf;

use chrono::DateTime;
use oxpim_mapi::{Message, NamedProperty, PropKey, PropValue, sets};
use oxpim_msg::{ReadOptions, from_bytes, read, to_bytes};
use serde_json::Value;

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("OXPIM_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
        PathBuf::from,
    );
    let msg = dir.join("msg");
    if msg.is_dir() {
        return Some(msg);
    }
    if std::env::var("OXPIM_REQUIRE_EXTERNAL").as_deref() == Ok("1") {
        panic!(
            "corpus not found at {} and OXPIM_REQUIRE_EXTERNAL=1",
            msg.display()
        );
    }
    eprintln!("SKIPPED: no corpus at {} (set OXPIM_CORPUS)", msg.display());
    None
}

/// The MANIFEST rows: (relative path, message class).
fn manifest(dir: &std::path::Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let (path, class) = (cols.first()?, cols.get(4)?);
            path.ends_with(".msg")
                .then(|| (path.to_string(), class.to_string()))
        })
        .collect()
}

/// A string property as the decoders show it: Unicode text, or (for 8-bit
/// strings) each byte as one character, which is what msgreader's JSON holds.
fn text_as_decoded(v: &PropValue) -> Option<String> {
    match v {
        PropValue::String(s) => Some(s.as_str().to_owned()),
        PropValue::String8(b) => Some(b.iter().map(|&c| char::from(c)).collect()),
        _ => None,
    }
}

fn time_secs(v: Option<&PropValue>) -> Option<i64> {
    v.and_then(PropValue::as_time)
        .and_then(|t| t.to_datetime())
        .map(|d| d.timestamp())
}

fn check_against_json(name: &str, m: &Message, j: &Value) -> usize {
    let p = &m.properties;
    let mut checked = 0;
    let tag = |id: u16| p.get(&PropKey::Tag(id));
    let mut text = |field: &str, id: u16| {
        if let Some(want) = j.get(field).and_then(Value::as_str) {
            let have = tag(id).and_then(text_as_decoded);
            assert_eq!(have.as_deref(), Some(want), "{name}: {field}");
            checked += 1;
        }
    };
    text("messageClass", 0x001A);
    text("subject", 0x0037);
    let named = |lid| {
        p.get(&PropKey::Named(NamedProperty::lid(
            sets::PSETID_Appointment,
            lid,
        )))
    };
    let times = [
        ("creationTime", tag(0x3007)),
        ("lastModificationTime", tag(0x3008)),
        ("clientSubmitTime", tag(0x0039)),
        ("messageDeliveryTime", tag(0x0E06)),
        ("apptStartWhole", named(0x820D)),
        ("apptEndWhole", named(0x820E)),
    ];
    for (field, value) in times {
        if let Some(want) = j.get(field).and_then(Value::as_str) {
            let want = DateTime::parse_from_rfc2822(want)
                .unwrap_or_else(|e| panic!("{name}: {field} {want:?}: {e}"))
                .timestamp();
            assert_eq!(time_secs(value), Some(want), "{name}: {field}");
            checked += 1;
        }
    }
    checked
}

#[test]
fn corpus_files_read_and_agree_with_their_decodes() {
    let Some(dir) = corpus() else { return };
    let rows = manifest(&dir);
    assert!(rows.len() >= 20, "MANIFEST lists {} .msg files", rows.len());
    let mut fields = 0;
    for (rel, class) in &rows {
        let path = dir.join(rel);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let out = read(&bytes, &ReadOptions::default()).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let m = out.message;
        assert_eq!(
            m.message_class().as_deref(),
            Some(class.as_str()),
            "{rel}: class"
        );
        let json = path.with_extension("json");
        if json.is_file() {
            let j: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
            let n = check_against_json(rel, &m, &j);
            assert!(n >= 4, "{rel}: only {n} fields compared");
            fields += n;
        }
        // Written back, it reads as the same message, and writing is stable.
        let again = to_bytes(&m).unwrap_or_else(|e| panic!("{rel}: write: {e}"));
        let back = from_bytes(&again).unwrap_or_else(|e| panic!("{rel}: re-read: {e}"));
        let mut expected = m.clone();
        strip_for_rewrite(&mut expected);
        let mut got = back.clone();
        strip_for_rewrite(&mut got);
        assert_eq!(got, expected, "{rel}: rewrite changed the message");
        assert_eq!(
            to_bytes(&back).unwrap(),
            again,
            "{rel}: writing is not stable"
        );
    }
    assert!(fields > 100, "only {fields} decoded fields compared");
}

/// What a rewrite changes by design: empty strings are not written and a
/// Unicode mask is added where none was; storage child order is by name.
fn strip_for_rewrite(m: &mut Message) {
    let keys: Vec<PropKey> = m
        .properties
        .iter()
        .filter(|(k, v)| {
            matches!(v, PropValue::String(s) if s.is_empty())
                || matches!(v, PropValue::String8(s) if s.is_empty())
                || **k == PropKey::Tag(0x340D)
        })
        .map(|(k, _)| k.clone())
        .collect();
    for k in keys {
        m.properties.remove(&k);
    }
    for r in &mut m.recipients {
        let keys: Vec<PropKey> = r
            .iter()
            .filter(|(_, v)| matches!(v, PropValue::String(s) if s.is_empty()))
            .map(|(k, _)| k.clone())
            .collect();
        for k in keys {
            r.remove(&k);
        }
    }
    for a in &mut m.attachments {
        if let Some(oxpim_mapi::AttachedObject::Message(e)) = &mut a.object {
            strip_for_rewrite(e);
        }
    }
}

/// The 8-bit contact decodes, through its locale's code page (Shift_JIS for
/// LCID 1041, although PidTagInternetCodepage says ISO-2022-JP), to the same
/// text as its Unicode twin.
#[test]
fn string8_text_uses_the_message_code_page() {
    let Some(dir) = corpus() else { return };
    let read_subject = |name: &str| {
        let m =
            from_bytes(&std::fs::read(dir.join("msgreader-hiraoka").join(name)).unwrap()).unwrap();
        let def = oxpim_mapi::props::by_name("PidTagSubject").unwrap();
        (
            m.properties.text(def, m.properties.codepage()),
            m.properties.get(&def.key()).cloned(),
        )
    };
    let (ansi, raw) = read_subject("contactAnsi.msg");
    let (unicode, _) = read_subject("contactUnicode.msg");
    assert!(matches!(raw, Some(PropValue::String8(_))));
    assert_eq!(ansi.as_deref(), Some("コム ドット イグザンプル 殿"));
    assert_eq!(ansi, unicode);
}
