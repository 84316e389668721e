//! Writing: faithful round trip, canonical form, folding, escaping.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use oxpim_contentline::{
    Component, DateTime, Dialect, Document, Param, ParamValue, Parser, Property, STREAM_CHUNK,
    Value, ValueType, WriteOptions, write_document, write_document_to,
};

fn lines(b: &[u8]) -> Vec<String> {
    String::from_utf8(b.to_vec())
        .unwrap()
        .split("\r\n")
        .map(str::to_string)
        .collect()
}

#[test]
fn unmodified_document_round_trips_byte_for_byte() {
    // Odd but legal: lowercase names, quoted params, long folded lines,
    // unusual parameter order, tab folds.
    let input = "BEGIN:VCALENDAR\r\nprodid:-//x//y//EN\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20250101T000000Z\r\nATTENDEE;RSVP=TRUE;CN=\"Smith, John\";ROLE=REQ-PARTICIPANT:mailto:j\r\n @example.com\r\nDESCRIPTION:line one\\nline\r\n\ttwo\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let doc = Parser::new().parse(input.as_bytes()).document;
    assert_eq!(doc.to_bytes(), input.as_bytes());
}

#[test]
fn lf_input_comes_back_with_crlf_lines_unchanged() {
    let input = "BEGIN:VCARD\nVERSION:3.0\nFN:A\n  B\nEND:VCARD\n";
    let out = Parser::new().parse(input.as_bytes()).document.to_bytes();
    assert_eq!(out, input.replace('\n', "\r\n").as_bytes());
}

#[test]
fn blank_lines_bom_and_interleaving_are_kept() {
    let input = "\u{FEFF}\r\nBEGIN:VCALENDAR\r\nVERSION:2.0\r\n\r\nBEGIN:VTIMEZONE\r\nTZID:X\r\nEND:VTIMEZONE\r\nX-AFTER-CHILD:1\r\nBEGIN:VEVENT\r\nUID:1\r\nEND:VEVENT\r\n\r\nEND:VCALENDAR\r\n\r\n";
    let p = Parser::new().parse(input.as_bytes());
    assert!(p.document.had_bom());
    assert_eq!(p.document.to_bytes(), input.as_bytes());
}

#[test]
fn modified_property_is_reserialised_others_kept() {
    let input = "BEGIN:VEVENT\r\nSUMMARY:old\r\nX-KEEP;x-odd=\"q\":Raw\\,Text\r\nEND:VEVENT\r\n";
    let mut doc = Parser::new().parse(input.as_bytes()).document;
    let ev = &mut doc.components[0];
    ev.property_mut("SUMMARY").unwrap().set_values(
        ValueType::Text,
        Value::Text("new, text; with\nlines".into()),
    );
    let out = String::from_utf8(doc.to_bytes()).unwrap();
    assert_eq!(
        out,
        "BEGIN:VEVENT\r\nSUMMARY:new\\, text\\; with\\nlines\r\nX-KEEP;x-odd=\"q\":Raw\\,Text\r\nEND:VEVENT\r\n"
    );
}

#[test]
fn canonical_form_normalises() {
    let input =
        "begin:vevent\r\nsummary;language=en:Hi\r\ndtstart:20250101\r\nx-y:z\r\nend:vevent\r\n";
    let doc = Parser::new().parse(input.as_bytes()).document;
    let out = String::from_utf8(doc.to_canonical_bytes()).unwrap();
    assert_eq!(
        out,
        "BEGIN:VEVENT\r\nSUMMARY;LANGUAGE=en:Hi\r\nDTSTART;VALUE=DATE:20250101\r\nX-Y:z\r\nEND:VEVENT\r\n"
    );
}

#[test]
fn folding_at_75_octets_never_inside_utf8() {
    let mut ev = Component::new("VEVENT", Dialect::ICalendar);
    let text = "Grüße aus Łódź — 東京 😀 ".repeat(20);
    ev.push(Property::text("DESCRIPTION", text.clone()));
    let doc = Document::new(vec![ev]);
    let out = doc.to_bytes();
    assert!(std::str::from_utf8(&out).is_ok());
    for l in lines(&out) {
        assert!(l.len() <= 75, "{} octets: {l}", l.len());
    }
    let back = Parser::new().parse(&out);
    assert!(back.diagnostics.is_empty());
    assert_eq!(
        back.document.components[0].text("DESCRIPTION"),
        Some(text.as_str())
    );
}

#[test]
fn escaping_and_parameter_quoting() {
    let mut p = Property::new(
        "ATTENDEE",
        ValueType::CalAddress,
        Value::CalAddress("mailto:a@b".into()),
    );
    p.params_mut().set("CN", "Doe, \"JD\" Jane");
    p.params_mut().insert(
        "DELEGATED-TO",
        Param {
            values: vec![ParamValue::new("mailto:x@y"), ParamValue::new("mailto:z@y")].into(),
            bare: false,
        },
    );
    let mut ev = Component::new("VEVENT", Dialect::ICalendar);
    ev.push(p);
    ev.push(Property::text("SUMMARY", "a\\b;c,d"));
    let out = String::from_utf8(Document::new(vec![ev.clone()]).to_bytes()).unwrap();
    let unfolded = out.replace("\r\n ", "");
    assert!(unfolded.contains("ATTENDEE;CN=\"Doe, ^'JD^' Jane\";DELEGATED-TO=\"mailto:x@y\",\"mailto:z@y\":mailto:a@b\r\n"), "{out}");
    assert!(unfolded.contains("SUMMARY:a\\\\b\\;c\\,d\r\n"), "{out}");
    let back = Parser::new().parse(out.as_bytes()).document;
    assert_eq!(back.components[0], ev);
}

#[test]
fn tzid_is_written_for_date_times_built_in_code() {
    let mut ev = Component::new("VEVENT", Dialect::ICalendar);
    let local = chrono::NaiveDate::from_ymd_opt(2025, 3, 1)
        .unwrap()
        .and_hms_opt(9, 30, 0)
        .unwrap();
    ev.push(Property::new(
        "DTSTART",
        ValueType::DateTime,
        Value::DateTime(DateTime::with_tzid(local, "Europe/Paris")),
    ));
    ev.push(Property::new(
        "DTEND",
        ValueType::Date,
        Value::Date(local.date()),
    ));
    let out = String::from_utf8(Document::new(vec![ev]).to_bytes()).unwrap();
    assert!(
        out.contains("DTSTART;TZID=Europe/Paris:20250301T093000\r\n"),
        "{out}"
    );
    assert!(out.contains("DTEND;VALUE=DATE:20250301\r\n"), "{out}");
}

#[test]
fn vcard21_canonical_uses_qp_and_bare_types() {
    let input = "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Müller;Jürgen\r\nTEL;WORK;VOICE:123\r\nNOTE:line1\r\nEND:VCARD\r\n";
    let mut doc = Parser::new().parse(input.as_bytes()).document;
    doc.components[0].property_mut("NOTE").unwrap().set_values(
        ValueType::Text,
        Value::Text("Zeile 1\nZeile 2 — café".into()),
    );
    doc.forget_source();
    let out = String::from_utf8(doc.to_bytes()).unwrap();
    assert!(
        out.contains("N;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:M=C3=BCller;J=C3=BCrgen\r\n"),
        "{out}"
    );
    assert!(out.contains("TEL;WORK;VOICE:123\r\n"), "{out}");
    // Long quoted-printable lines use soft breaks.
    assert!(out.replace("=\r\n", "").contains("NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Zeile 1=0D=0AZeile 2 =E2=80=94 caf=C3=A9\r\n"), "{out}");
    assert!(out.split("\r\n").all(|l| l.len() <= 76));
    let back = Parser::new().parse(out.as_bytes());
    assert!(back.diagnostics.is_empty(), "{:?}", back.diagnostics);
    assert_eq!(
        back.document.components[0].text("NOTE"),
        Some("Zeile 1\nZeile 2 — café")
    );
}

#[test]
fn binary_values_per_dialect() {
    for (d, version, needle) in [
        (Dialect::VCard21, "2.1", "PHOTO;ENCODING=BASE64:AAEC"),
        (Dialect::VCard30, "3.0", "PHOTO;ENCODING=b:AAEC"),
        (
            Dialect::VCard40,
            "4.0",
            "PHOTO:data:application/octet-stream;base64,AAEC",
        ),
    ] {
        let mut c = Component::new("VCARD", d);
        c.push(Property::text("VERSION", version));
        c.push(Property::new(
            "PHOTO",
            ValueType::Binary,
            Value::Binary(vec![0, 1, 2]),
        ));
        let out = String::from_utf8(Document::new(vec![c]).to_bytes()).unwrap();
        assert!(out.contains(needle), "{d:?}: {out}");
    }
}

#[test]
fn utc_offsets_per_dialect() {
    // RFC 2426 writes TZ in the extended form (`TZ:-05:00`); iCalendar and
    // vCard 4.0 in the basic one.
    for (text, needle) in [
        (
            "BEGIN:VCARD\r\nVERSION:3.0\r\nTZ:-0500\r\nEND:VCARD\r\n",
            "TZ:-05:00\r\n",
        ),
        (
            "BEGIN:VCARD\r\nVERSION:3.0\r\nTZ:+05:30\r\nEND:VCARD\r\n",
            "TZ:+05:30\r\n",
        ),
        (
            "BEGIN:VCARD\r\nVERSION:4.0\r\nTZ;VALUE=utc-offset:-05:00\r\nEND:VCARD\r\n",
            "TZ;VALUE=utc-offset:-0500\r\n",
        ),
        (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:X\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0500\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n",
            "TZOFFSETTO:-0500\r\n",
        ),
    ] {
        let doc = Parser::new().parse(text.as_bytes()).document;
        let out = String::from_utf8(doc.to_canonical_bytes()).unwrap();
        assert!(out.contains(needle), "{out}");
    }
}

#[test]
fn canonical_vcard_2_1_passes_strict_mode() {
    // Base64 data ends with an empty line, and quoted-printable lines are
    // up to 76 octets (RFC 2045): neither is an error in 2.1.
    let photo = "QUFB".repeat(40);
    let note = "é".repeat(60);
    let text = format!(
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;John\r\nPHOTO;ENCODING=BASE64;TYPE=JPEG:{photo}\r\n\r\nNOTE:{note}\r\nEND:VCARD\r\n"
    );
    let doc = Parser::new().parse(text.as_bytes()).document;
    let canonical = doc.to_canonical_bytes();
    let strict = Parser::strict().parse(&canonical);
    assert!(strict.diagnostics.is_empty(), "{:?}", strict.diagnostics);
    // A vCard 4.0 line over 75 octets is RFC 6350's rule, not RFC 5545's.
    let long = format!(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:{}\r\nEND:VCARD\r\n",
        "A".repeat(80)
    );
    let strict = Parser::strict().parse(long.as_bytes());
    assert!(
        strict
            .diagnostics
            .iter()
            .any(|d| d.message.contains("RFC 6350 folds at 75")),
        "{:?}",
        strict.diagnostics
    );
}

#[test]
fn canonical_is_idempotent_on_a_messy_file() {
    let input = "BEGIN:VCALENDAR\nversion:2.0\nBEGIN:VEVENT\nDTSTART:20250101\nSUMMARY:a\\:b\nX-ALT-DESC;FMTTYPE=text/html:<p>\n<b>x</b>\nEND:VEVENT\nEND:VCALENDAR";
    let once = write_document(
        &Parser::new().parse(input.as_bytes()).document,
        &WriteOptions::canonical(),
    );
    let twice = write_document(
        &Parser::new().parse(&once).document,
        &WriteOptions::canonical(),
    );
    assert_eq!(once, twice);
}

#[test]
fn a_byte_order_mark_stays_at_the_start_of_the_first_line() {
    // Found by the roundtrip fuzz target: a line break was added after the
    // BOM, so the faithful output had one more (empty) line.
    for text in [
        &b"\xEF\xBB\xBFBEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\nEND:VCARD\r\n"[..],
        &b"\xEF\xBB\xBFjunk\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\nEND:VCARD\r\n"[..],
    ] {
        let parsed = oxpim_contentline::Parser::new().parse(text);
        assert_eq!(
            parsed.document.to_bytes(),
            text,
            "{}",
            String::from_utf8_lossy(&parsed.document.to_bytes())
        );
    }
}

#[test]
fn writing_into_a_buffer_appends_what_the_plain_writers_return() {
    let doc = oxpim_contentline::Parser::new()
        .parse(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nSUMMARY:a\\, b\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
        .document;
    let cal = &doc.components[0];
    let ev = &cal.components[0];
    let opts = oxpim_contentline::WriteOptions::canonical();
    let mut out = b"prefix\r\n".to_vec();
    oxpim_contentline::write_property_into(
        &ev.properties[1],
        oxpim_contentline::Dialect::ICalendar,
        &opts,
        &mut out,
    );
    oxpim_contentline::write_component_into(&ev.components[0], &opts, &mut out);
    let mut expected = b"prefix\r\n".to_vec();
    expected.extend(oxpim_contentline::write_property(
        &ev.properties[1],
        oxpim_contentline::Dialect::ICalendar,
        &opts,
    ));
    expected.extend(oxpim_contentline::write_component(&ev.components[0], &opts));
    assert_eq!(out, expected);
    assert!(String::from_utf8_lossy(&out).contains("SUMMARY:a\\, b\r\nBEGIN:VALARM"));
}

#[test]
fn parameter_values_are_quoted_and_encoded_per_dialect() {
    // (value, iCalendar form, vCard 2.1 form): one case for each kind of
    // byte the writer looks for in a parameter value.
    let cases = [
        ("plain", "plain", "plain"),
        ("a:b", "\"a:b\"", "\"a:b\""),
        ("a;b", "\"a;b\"", "\"a;b\""),
        ("a,b", "\"a,b\"", "\"a,b\""),
        (" lead", "\" lead\"", "\" lead\""),
        ("trail\t", "\"trail\t\"", "\"trail\t\""),
        ("x^y", "x^^y", "x^y"),
        ("say \"hi\"", "say ^'hi^'", "say hi"),
        ("two\nlines", "two^nlines", "twolines"),
        ("q\"u:o", "\"q^'u:o\"", "\"qu:o\""),
        ("é:ü", "\"é:ü\"", "\"é:ü\""),
    ];
    for (value, ical, v21) in cases {
        for (dialect, want) in [(Dialect::ICalendar, ical), (Dialect::VCard21, v21)] {
            let mut p = Property::new("X-TEST", ValueType::Unknown, Value::Unknown("v".into()));
            p.params_mut().set("X-P", value);
            let mut c = Component::new("VCARD", dialect);
            c.push(p);
            let out = String::from_utf8(write_document(
                &Document::new(vec![c]),
                &WriteOptions::canonical(),
            ))
            .unwrap();
            let line = out.lines().find(|l| l.starts_with("X-TEST")).unwrap();
            assert_eq!(
                line,
                format!("X-TEST;X-P={want}:v"),
                "{value:?} in {dialect:?}"
            );
        }
    }
}

#[test]
fn a_tzid_parameter_present_is_not_written_twice() {
    let local = chrono::NaiveDate::from_ymd_opt(2025, 3, 1)
        .unwrap()
        .and_hms_opt(9, 30, 0)
        .unwrap();
    let mut p = Property::new(
        "DTSTART",
        ValueType::DateTime,
        Value::DateTime(DateTime::with_tzid(local, "Europe/Paris")),
    );
    p.params_mut().set("tzid", "Europe/Paris");
    let mut ev = Component::new("VEVENT", Dialect::ICalendar);
    ev.push(p);
    let out = String::from_utf8(write_document(
        &Document::new(vec![ev]),
        &WriteOptions::canonical(),
    ))
    .unwrap();
    assert!(
        out.contains("DTSTART;TZID=Europe/Paris:20250301T093000\r\n"),
        "{out}"
    );
}

/// A sink that records the size of each write and fails once it has
/// taken `fail_after` bytes.
struct Recorder {
    bytes: Vec<u8>,
    writes: Vec<usize>,
    fail_after: usize,
    /// Calls refused with an error.
    refused: usize,
}

impl std::io::Write for Recorder {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() >= self.fail_after {
            self.refused += 1;
            return Err(std::io::Error::new(std::io::ErrorKind::BrokenPipe, "full"));
        }
        self.writes.push(buf.len());
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn recorder(fail_after: usize) -> Recorder {
    Recorder {
        bytes: Vec::new(),
        writes: Vec::new(),
        fail_after,
        refused: 0,
    }
}

/// A calendar of `events` events, with a BOM, folded lines and one
/// line of `long` bytes.
fn big_calendar(events: usize, long: usize) -> Vec<u8> {
    let mut s = String::from("\u{feff}BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n");
    for i in 0..events {
        s.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:e{i}\r\nDTSTAMP:20250101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20250102T10{:02}00\r\nSUMMARY:Meeting \\, number {i}\r\nDESCRIPTION:a long description that is folded over two lines by the\r\n  writer of this file\r\nEND:VEVENT\r\n",
            i % 60
        ));
    }
    s.push_str(&format!("X-LONG:{}\r\n", "x".repeat(long)));
    s.push_str("END:VCALENDAR\r\n");
    s.into_bytes()
}

#[test]
fn streaming_writes_what_the_whole_writer_returns_in_bounded_pieces() {
    let long = 3 * STREAM_CHUNK;
    let input = big_calendar(3000, long);
    let doc = Parser::new().parse(&input).document;
    for opts in [WriteOptions::default(), WriteOptions::canonical()] {
        let whole = write_document(&doc, &opts);
        let mut sink = recorder(usize::MAX);
        write_document_to(&doc, &opts, &mut sink).unwrap();
        assert_eq!(sink.bytes, whole, "faithful: {}", opts.faithful);
        // Several pieces, none much beyond the chunk size except the one
        // that holds the long line.
        assert!(
            sink.writes.len() > whole.len() / (2 * STREAM_CHUNK),
            "{:?}",
            sink.writes
        );
        let over: Vec<usize> = sink
            .writes
            .iter()
            .copied()
            .filter(|&n| n > STREAM_CHUNK + 1024)
            .collect();
        assert_eq!(over.len(), 1, "{:?}", sink.writes);
        assert!(over[0] < STREAM_CHUNK + long + 1024);
    }
    // The faithful text is the input itself, BOM included.
    let mut sink = recorder(usize::MAX);
    write_document_to(&doc, &WriteOptions::default(), &mut sink).unwrap();
    assert_eq!(sink.bytes, input);
}

#[test]
fn streaming_stops_at_the_first_error_of_the_sink() {
    let doc = Parser::new().parse(&big_calendar(3000, 10)).document;
    let mut sink = recorder(STREAM_CHUNK);
    let err = write_document_to(&doc, &WriteOptions::canonical(), &mut sink).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
    // One piece was taken and the next refused; nothing was offered after
    // the error.
    assert_eq!(sink.writes.len(), 1);
    assert_eq!(sink.refused, 1);
    assert!(sink.bytes.len() >= STREAM_CHUNK);
    // An empty document writes nothing and succeeds.
    let mut empty = recorder(0);
    write_document_to(
        &Document::new(Vec::new()),
        &WriteOptions::canonical(),
        &mut empty,
    )
    .unwrap();
    assert!(empty.writes.is_empty());
}

#[test]
fn canonical_text_of_a_card_guessed_2_1_keeps_that_reading() {
    // Without VERSION a card is read as vCard 2.1 only when it has a bare
    // parameter; in 2.1 `\,` is not an escape. When canonical text gives
    // the bare parameter a name (a quoted value cannot stand bare), the
    // text read again would be guessed 3.0 and the backslash doubled on
    // every fmt (found by `cargo xtask fuzz --target roundtrip`). The
    // canonical text states VERSION:2.1.
    let input = "BEGIN:VCARD\r\nFN:Dummy\\, Dummy\r\nADR;\"a:b\":;;x;;;;\r\nEND:VCARD\r\n";
    let parsed = Parser::new().parse(input.as_bytes());
    let card = &parsed.document.components[0];
    assert_eq!(card.dialect(), Dialect::VCard21);
    let first = parsed.document.to_canonical_bytes();
    assert_eq!(lines(&first)[..2], ["BEGIN:VCARD", "VERSION:2.1"]);
    let again = Parser::new().parse(&first);
    assert_eq!(again.document.components[0].dialect(), Dialect::VCard21);
    assert_eq!(again.document.to_canonical_bytes(), first);
    assert_eq!(again.document.components[0].text("FN"), card.text("FN"));
    // Faithful writing adds nothing.
    assert_eq!(parsed.document.to_bytes(), input.as_bytes());

    // The same with a VERSION oxpim does not know, after the bare
    // parameter (the guess looks at the lines before VERSION): the card is
    // read as 2.1, written as 2.1, and its canonical text says 2.1 in place
    // of 5.0.
    let input =
        "BEGIN:VCARD\r\nFN:Dummy\\, Dummy\r\nADR;\"a:b\":;;x;;;;\r\nVERSION:5.0\r\nEND:VCARD\r\n";
    let parsed = Parser::new().parse(input.as_bytes());
    assert_eq!(parsed.document.components[0].dialect(), Dialect::VCard21);
    let first = parsed.document.to_canonical_bytes();
    let first_lines = lines(&first);
    assert_eq!(first_lines[..2], ["BEGIN:VCARD", "VERSION:2.1"]);
    assert_eq!(
        first_lines
            .iter()
            .filter(|l| l.starts_with("VERSION"))
            .count(),
        1
    );
    let again = Parser::new().parse(&first);
    assert_eq!(again.document.components[0].dialect(), Dialect::VCard21);
    assert_eq!(again.document.to_canonical_bytes(), first);
    // A stated 2.1 keeps its own line, once.
    let input = "BEGIN:VCARD\r\nVERSION:2.1\r\nADR;\"a:b\":;;x;;;;\r\nEND:VCARD\r\n";
    let doc = Parser::new().parse(input.as_bytes()).document;
    assert_eq!(
        lines(&doc.to_canonical_bytes())[..3],
        ["BEGIN:VCARD", "VERSION:2.1", "ADR;TYPE=\"a:b\":;;x;;;;"]
    );

    // A bare parameter in any script stays bare, as it was read.
    let input = "BEGIN:VCARD\r\nVERSION:2.1\r\nADR;TYP\u{c4};WORK:;;x;;;;\r\nEND:VCARD\r\n";
    let doc = Parser::new().parse(input.as_bytes()).document;
    assert_eq!(
        lines(&doc.to_canonical_bytes())[2],
        "ADR;TYP\u{c4};WORK:;;x;;;;"
    );

    // Guesses that canonical text cannot change get no VERSION line: a
    // card without bare parameters (3.0) and a calendar (iCalendar).
    for input in [
        "BEGIN:VCARD\r\nFN:x\r\nEND:VCARD\r\n",
        "BEGIN:VCALENDAR\r\nPRODID:x\r\nEND:VCALENDAR\r\n",
    ] {
        let doc = Parser::new().parse(input.as_bytes()).document;
        assert!(
            !lines(&doc.to_canonical_bytes())
                .iter()
                .any(|l| l.starts_with("VERSION")),
            "{input}"
        );
    }
}

#[test]
fn a_writer_inside_a_streaming_sink_writes_what_it_would_alone() {
    // Writers on one thread reuse scratch buffers; a sink that writes
    // (a writer made while another is alive) must get buffers of its own
    // and neither writer's text may change.
    let input = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u\r\nSUMMARY:a\\, b\r\nDESCRIPTION:one\\ntwo\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let doc = Parser::new().parse(input.as_bytes()).document;
    let event = &doc.components[0].components[0];
    let opts = WriteOptions::canonical();
    let alone = oxpim_contentline::write_component(event, &opts);
    struct Nested<'a> {
        event: &'a Component,
        text: Vec<u8>,
        inner: Vec<Vec<u8>>,
    }
    impl std::io::Write for Nested<'_> {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.text.extend_from_slice(b);
            self.inner.push(oxpim_contentline::write_component(
                self.event,
                &WriteOptions::canonical(),
            ));
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut sink = Nested {
        event,
        text: Vec::new(),
        inner: Vec::new(),
    };
    write_document_to(&doc, &opts, &mut sink).unwrap();
    assert_eq!(sink.text, write_document(&doc, &opts));
    assert!(!sink.inner.is_empty());
    assert!(sink.inner.iter().all(|t| *t == alone));
    // And after it, on the same thread, as before.
    assert_eq!(oxpim_contentline::write_component(event, &opts), alone);
}
