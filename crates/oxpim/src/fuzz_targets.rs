//! The bodies of the fuzz targets in `fuzz/` (cargo-fuzz) and of their
//! regression tests (`crates/oxpim/tests/fuzz_regressions.rs`), so that a
//! crash found by the fuzzer is replayed on the stable toolchain by
//! `cargo test`.
//!
//! Each function takes arbitrary bytes and panics only when oxpim breaks a
//! promise: a panic inside the library, a round trip that changes a
//! document, a limit that does not hold. They are not an API for other
//! uses; their checks may grow.

use crate::{Dialect, ExpandOptions, Parser, WriteOptions};

/// A fuzz target's body.
pub type Target = fn(&[u8]);

/// The targets, by name, as `cargo xtask fuzz` runs them.
pub const TARGETS: &[(&str, Target)] = &[
    ("lexer", lexer),
    ("parse", parse),
    ("roundtrip", roundtrip),
    ("expand", expand),
    ("msg_read", msg_read),
    ("ical_mapi", ical_mapi),
    ("vcard_contact", vcard_contact),
    ("rtf", rtf),
];

/// The lexer over the bytes: lines come in order, each inside the input,
/// line numbers never go back, and the raw bytes of all lines are no more
/// than the input.
pub fn lexer(data: &[u8]) {
    let mut last_offset = 0usize;
    let mut last_line = 0u32;
    let mut raw = 0usize;
    for line in oxpim_lexer::Lexer::new(data) {
        assert!(line.offset() >= last_offset, "lines out of order");
        assert!(line.offset() <= data.len(), "line past the input");
        assert!(line.line() >= last_line, "line numbers go back");
        raw += line.raw().len();
        last_offset = line.offset();
        last_line = line.line();
        let _ = line.params().count();
        let _ = line.value();
    }
    assert!(
        raw <= data.len(),
        "{raw} raw bytes from {} input bytes",
        data.len()
    );
}

/// Wraps the bytes as each dialect would see them, so that every dialect's
/// typing runs: the bytes as they are, and as the body of a vCard 2.1, 3.0,
/// 4.0, a vCalendar 1.0 and an iCalendar 2.0 object.
fn dialect_inputs(data: &[u8]) -> Vec<Vec<u8>> {
    let mut v = vec![data.to_vec()];
    for (begin, version) in [
        ("VCARD", "2.1"),
        ("VCARD", "3.0"),
        ("VCARD", "4.0"),
        ("VCALENDAR", "1.0"),
        ("VCALENDAR", "2.0"),
    ] {
        let mut w = format!("BEGIN:{begin}\r\nVERSION:{version}\r\n").into_bytes();
        w.extend_from_slice(data);
        w.extend_from_slice(format!("\r\nEND:{begin}\r\n").as_bytes());
        v.push(w);
    }
    v
}

/// The parser, lenient and strict, in every dialect: no panic, and every
/// diagnostic points at a line of the input; cut into pieces parsed on
/// threads of their own, the input gives the one-thread result whenever
/// the pieces join.
pub fn parse(data: &[u8]) {
    for input in dialect_inputs(data) {
        let lines = input
            .iter()
            .filter(|b| **b == b'\n' || **b == b'\r')
            .count()
            + 1;
        for parser in [Parser::new(), Parser::strict()] {
            let parsed = parser.parse(&input);
            for d in &parsed.diagnostics {
                assert!(
                    usize::try_from(d.line).unwrap_or(usize::MAX) <= lines + 1,
                    "diagnostic at line {} of {lines}: {}",
                    d.line,
                    d.message
                );
            }
            for pieces in [2, 5] {
                if let Some(joined) = parser.parse_in_pieces(&input, pieces) {
                    assert_eq!(
                        format!("{joined:?}"),
                        format!("{parsed:?}"),
                        "{pieces} pieces differ from one thread"
                    );
                }
            }
        }
    }
}

/// Parse → write → parse gives the same tree: the faithful writer
/// reproduces its own output, and canonical output is a fixed point.
pub fn roundtrip(data: &[u8]) {
    for (variant, input) in dialect_inputs(data).into_iter().enumerate() {
        let parsed = Parser::new().parse(&input);
        let faithful = parsed.document.to_bytes();
        // Every input line comes out unchanged and in order; only END lines
        // closing what the input left open may be added.
        let (kept_in, ends_in) = split_ends(&input);
        let (kept_out, ends_out) = split_ends(&faithful);
        assert!(
            kept_in == kept_out && ends_out >= ends_in,
            "faithful output is not the input (variant {variant}): {}",
            first_diff(&kept_in.join(&b'\n'), &kept_out.join(&b'\n'))
        );
        let first = parsed.document.to_canonical_bytes();
        let reparsed = Parser::new().parse(&first);
        let second = reparsed.document.to_canonical_bytes();
        assert!(
            first == second,
            "fmt(fmt(x)) != fmt(x): {}",
            first_diff(&first, &second)
        );
    }
}

/// The lines other than `END:` lines (any line break), and how many `END:`
/// lines there are.
fn split_ends(b: &[u8]) -> (Vec<Vec<u8>>, usize) {
    let mut kept = Vec::new();
    let mut ends = 0;
    let text = b;
    let mut line = Vec::new();
    let mut i = 0;
    let mut push = |line: &mut Vec<u8>| {
        if line.len() >= 4
            && line
                .get(..4)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"END:"))
        {
            ends += 1;
        } else {
            kept.push(std::mem::take(line));
        }
        line.clear();
    };
    while let Some(&c) = text.get(i) {
        match c {
            b'\r' => {
                push(&mut line);
                // CR LF, and CR CR LF (one break, as the lexer reads it).
                if text.get(i + 1) == Some(&b'\n') {
                    i += 1;
                } else if text.get(i + 1) == Some(&b'\r') && text.get(i + 2) == Some(&b'\n') {
                    i += 2;
                }
            }
            b'\n' => push(&mut line),
            _ => line.push(c),
        }
        i += 1;
    }
    if !line.is_empty() {
        push(&mut line);
    }
    (kept, ends)
}

/// The first line where two outputs differ, both versions.
fn first_diff(a: &[u8], b: &[u8]) -> String {
    let (la, lb): (Vec<&[u8]>, Vec<&[u8]>) = (
        a.split(|c| *c == b'\n').collect(),
        b.split(|c| *c == b'\n').collect(),
    );
    for (i, (x, y)) in la.iter().zip(&lb).enumerate() {
        if x != y {
            return format!(
                "line {}: {:?} vs {:?}",
                i + 1,
                String::from_utf8_lossy(x),
                String::from_utf8_lossy(y)
            );
        }
    }
    format!("{} lines vs {}", la.len(), lb.len())
}

/// Recurrence expansion from arbitrary RRULE, DTSTART and VTIMEZONE text:
/// the bytes are the body of a VCALENDAR (or a whole calendar); expansion
/// stays within its limits.
pub fn expand(data: &[u8]) {
    let input = if data
        .windows(15)
        .any(|w| w.eq_ignore_ascii_case(b"BEGIN:VCALENDAR"))
    {
        data.to_vec()
    } else {
        let mut w = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//fuzz//EN\r\n".to_vec();
        w.extend_from_slice(data);
        w.extend_from_slice(b"\r\nEND:VCALENDAR\r\n");
        w
    };
    let parsed = Parser::new().parse(&input);
    let options = ExpandOptions {
        max_instances: 20,
        max_generated: 20_000,
        max_empty: 20_000,
        ..ExpandOptions::default()
    };
    let expansion = crate::expand(&parsed.document, options);
    let series = parsed
        .document
        .components
        .iter()
        .map(|c| c.components.len() + 1)
        .sum::<usize>();
    assert!(
        expansion.instances.len() <= 20 * series.max(1) + series,
        "{} instances for {series} series",
        expansion.instances.len()
    );
}

/// A message without what the writer changes by design
/// (`docs/decisions.md`, "Empty strings are not written", "The Unicode
/// mask is added" and "The attach method of an embedded object"): empty
/// strings, PidTagStoreSupportMask, and the PidTagAttachMethod the writer
/// gives an attachment holding an object without one.
fn normalised(m: &oxpim_mapi::Message) -> oxpim_mapi::Message {
    use oxpim_mapi::{AttachedObject, PropValue, PropertyBag};
    fn bag(b: &PropertyBag) -> PropertyBag {
        let mut out = PropertyBag::new();
        for (k, v) in b.iter() {
            let empty = match v {
                PropValue::String(s) => s.is_empty(),
                PropValue::String8(s) => s.is_empty(),
                _ => false,
            };
            if !empty && *k != oxpim_mapi::PropKey::Tag(0x340D) {
                out.insert(k.clone(), v.clone());
            }
        }
        out
    }
    let mut out = oxpim_mapi::Message {
        properties: bag(&m.properties),
        recipients: m.recipients.iter().map(bag).collect(),
        attachments: Vec::with_capacity(m.attachments.len()),
    };
    for a in &m.attachments {
        let mut a2 = a.clone();
        a2.properties = bag(&a.properties);
        let method = oxpim_mapi::PropKey::Tag(0x3705);
        let implied = match &a.object {
            Some(AttachedObject::Message(_)) => Some(5),
            Some(AttachedObject::Storage(_)) => Some(6),
            None => None,
        };
        if let Some(m) = implied
            && a2.properties.get(&method).is_none()
        {
            a2.properties.insert(method, PropValue::I32(m));
        }
        if let Some(AttachedObject::Message(inner)) = &a.object {
            a2.object = Some(AttachedObject::Message(Box::new(normalised(inner))));
        }
        out.attachments.push(a2);
    }
    out
}

/// The .msg reader on arbitrary bytes: an error or a message; a message
/// read is written and reads back as the same message (less what the
/// writer changes by design: empty strings, the store support mask); and
/// it exports to iCalendar and to vCard (whatever its class) without a
/// panic, into text that parses back.
pub fn msg_read(data: &[u8]) {
    let options = oxpim_msg::ReadOptions {
        max_total_bytes: 64 << 20,
        ..oxpim_msg::ReadOptions::default()
    };
    let Ok(read) = oxpim_msg::read(data, &options) else {
        return;
    };
    let messages = std::slice::from_ref(&read.message);
    let calendar = crate::messages_to_calendar(messages, crate::ExportOptions::default());
    let cards = crate::contacts_to_cards(messages, crate::ContactExportOptions::default());
    for doc in [&calendar.document, &cards.document] {
        let text = crate::format(doc);
        let back = crate::parse(&text);
        assert!(
            back.document.components.len() == doc.components.len(),
            "an export does not parse back into as many objects"
        );
    }
    if let Ok(bytes) = oxpim_msg::to_bytes(&read.message) {
        let again = oxpim_msg::read(&bytes, &options);
        assert!(
            again.is_ok(),
            "our own .msg does not read back: {:?}",
            again.as_ref().err()
        );
        if let Ok(again) = again {
            assert!(
                normalised(&again.message) == normalised(&read.message),
                "our own .msg reads back as another message"
            );
        }
    }
}

/// iCalendar → MAPI → iCalendar → MAPI → iCalendar: no panic, and the
/// second round exports as many VEVENTs as the first. (The number of
/// messages may change: an override the first import could not place in
/// its series is placed once export has normalised its RECURRENCE-ID.)
pub fn ical_mapi(data: &[u8]) {
    fn events(d: &crate::Document) -> usize {
        d.components
            .iter()
            .map(|c| c.children("VEVENT").count())
            .sum()
    }
    let parsed = Parser::new().parse(data);
    let options = crate::ImportOptions {
        max_expanded: 50,
        max_messages: 200,
        ..crate::ImportOptions::default()
    };
    let imported = crate::calendar_to_messages(&parsed.document, options.clone());
    let exported = crate::messages_to_calendar(&imported.messages, crate::ExportOptions::default());
    let text = exported.document.to_canonical_bytes();
    let again = Parser::new().parse(&text);
    let second = crate::calendar_to_messages(&again.document, options);
    let exported2 = crate::messages_to_calendar(&second.messages, crate::ExportOptions::default());
    assert_eq!(
        events(&exported2.document),
        events(&exported.document),
        "the second round trip exports another number of VEVENTs:\n{}",
        String::from_utf8_lossy(&text)
    );
    for m in &imported.messages {
        let _ = oxpim_msg::to_bytes(m);
    }
}

/// vCard → contact → vCard (each version) → contact: no panic, as many
/// contacts each time.
pub fn vcard_contact(data: &[u8]) {
    let parsed = Parser::new().parse(data);
    let imported =
        crate::cards_to_contacts(&parsed.document, crate::ContactImportOptions::default());
    for version in [Dialect::VCard21, Dialect::VCard30, Dialect::VCard40] {
        let exported = crate::contacts_to_cards(
            &imported.messages,
            crate::ContactExportOptions {
                version,
                ..crate::ContactExportOptions::default()
            },
        );
        let text =
            crate::contentline::write_document(&exported.document, &WriteOptions::canonical());
        let again = Parser::new().parse(&text);
        let back =
            crate::cards_to_contacts(&again.document, crate::ContactImportOptions::default());
        assert_eq!(
            back.messages.len(),
            imported.messages.len(),
            "{version:?}:\n{}",
            String::from_utf8_lossy(&text)
        );
    }
}

/// Outlook's RTF bodies on arbitrary bytes: read as a PidTagRtfCompressed
/// value (as they are, and as LZFu content with the CRC made right, so
/// that the decoder itself is reached) they give an error or at most
/// `MAX_RTF_BYTES` of RTF, whose text and encapsulated HTML are then read;
/// read as RTF they give text (or the nesting error), and HTML only when
/// they say they encapsulate it.
pub fn rtf(data: &[u8]) {
    use oxpim_mapi::rtf;
    let mut lzfu = data.to_vec();
    if let (Some(kind), Some(content)) = (lzfu.get_mut(8..12), data.get(16..)) {
        kind.copy_from_slice(b"LZFu");
        let crc = rtf::crc32(content).to_le_bytes();
        if let Some(slot) = lzfu.get_mut(12..16) {
            slot.copy_from_slice(&crc);
        }
    }
    for value in [data, &lzfu] {
        if let Ok(raw) = rtf::decompress(value) {
            assert!(
                raw.len() <= rtf::MAX_RTF_BYTES,
                "decompressed past the limit"
            );
            let _ = rtf::text_of(&raw);
            let _ = rtf::html_of(&raw);
        }
    }
    let text = rtf::text_of(data);
    if let Ok(Some(_)) = rtf::html_of(data) {
        assert!(
            text.is_ok(),
            "HTML read where the text reading met too deep a nesting"
        );
    }
}
