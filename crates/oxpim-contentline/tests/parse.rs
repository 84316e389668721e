//! Parsing: structure, recovery, dialects, typed values.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use oxpim_contentline::{
    Code, Dialect, Frequency, ParseOptions, Parser, Severity, Skip, VZone, Value, ValueType, Zone,
    has_errors,
};

fn parse(s: &str) -> oxpim_contentline::Parsed {
    Parser::new().parse(s.as_bytes())
}

fn codes(p: &oxpim_contentline::Parsed) -> Vec<Code> {
    p.diagnostics.iter().map(|d| d.code).collect()
}

const EVENT: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//oxpim//test//EN\r\nBEGIN:VEVENT\r\nUID:1@example.com\r\nDTSTAMP:20250101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20250310T090000\r\nDURATION:PT1H\r\nSUMMARY:Planning\\, Q2\\; budget\\nnext line\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

#[test]
fn builds_the_component_tree() {
    let p = parse(EVENT);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let cal = &p.document.components[0];
    assert_eq!(cal.name(), "VCALENDAR");
    assert_eq!(cal.dialect(), Dialect::ICalendar);
    assert_eq!(cal.properties.len(), 2);
    let ev = &cal.components[0];
    assert_eq!(ev.name(), "VEVENT");
    assert_eq!(ev.line(), 4);
    assert_eq!(ev.text("SUMMARY"), Some("Planning, Q2; budget\nnext line"));
    let names: Vec<_> = ev.properties.iter().map(|p| p.name()).collect();
    assert_eq!(names, ["UID", "DTSTAMP", "DTSTART", "DURATION", "SUMMARY"]);
}

#[test]
fn date_time_forms() {
    let p = parse(EVENT);
    let ev = &p.document.components[0].components[0];
    let dt = ev
        .property("DTSTART")
        .unwrap()
        .value()
        .unwrap()
        .as_date_time()
        .unwrap()
        .clone();
    assert_eq!(dt.zone, Zone::Tzid("Europe/Berlin".into()));
    assert_eq!(dt.local.to_string(), "2025-03-10 09:00:00");
    let stamp = ev
        .property("DTSTAMP")
        .unwrap()
        .value()
        .unwrap()
        .as_date_time()
        .unwrap()
        .clone();
    assert_eq!(stamp.zone, Zone::Utc);
    let p = parse("BEGIN:VEVENT\r\nDTSTART:20250310T090000\r\nEND:VEVENT\r\n");
    let dt = p.document.components[0]
        .property("DTSTART")
        .unwrap()
        .value()
        .unwrap()
        .as_date_time()
        .unwrap()
        .clone();
    assert_eq!(dt.zone, Zone::Floating);
}

#[test]
fn names_are_case_insensitive_and_params_keep_order() {
    let p = parse(
        "begin:vcalendar\r\nversion:2.0\r\nbegin:vevent\r\nattendee;rsvp=TRUE;cn=\"Doe, Jane\";role=CHAIR:mailto:j@x\r\nend:vevent\r\nend:vcalendar\r\n",
    );
    assert!(!has_errors(&p.diagnostics), "{:?}", p.diagnostics);
    let ev = &p.document.components[0].components[0];
    let att = ev.property("Attendee").unwrap();
    assert_eq!(att.name(), "ATTENDEE");
    let order: Vec<_> = att.params().iter().map(|(n, _)| n).collect();
    assert_eq!(order, ["RSVP", "CN", "ROLE"]);
    assert_eq!(att.param("cn"), Some("Doe, Jane"));
    assert!(att.params().get("CN").unwrap().values[0].quoted);
    // Strict mode on another instance reports the lowercase names; the
    // lenient parser above did not.
    let strict =
        Parser::strict().parse(b"begin:vcalendar\r\nversion:2.0\r\nprodid:x\r\nend:vcalendar\r\n");
    assert!(
        strict
            .diagnostics
            .iter()
            .any(|d| d.code == Code::Case && d.severity == Severity::Error)
    );
}

#[test]
fn multi_valued_and_quoted_parameters() {
    let p = parse(
        "BEGIN:VEVENT\r\nATTENDEE;DELEGATED-TO=\"mailto:a@x\",\"mailto:b@x\";MEMBER=\"mailto:g@x\":mailto:c@x\r\nEND:VEVENT\r\n",
    );
    let att = p.document.components[0].property("ATTENDEE").unwrap();
    let d: Vec<_> = att.params().get("DELEGATED-TO").unwrap().iter().collect();
    assert_eq!(d, ["mailto:a@x", "mailto:b@x"]);
    assert_eq!(att.as_text(), Some("mailto:c@x"));
}

#[test]
fn rfc6868_carets_are_decoded() {
    let p = parse(
        "BEGIN:VEVENT\r\nATTENDEE;CN=\"George Herman ^'Babe^' Ruth\";X-ADDR=\"Line 1^nLine 2^^\":mailto:g@x\r\nEND:VEVENT\r\n",
    );
    let att = p.document.components[0].property("ATTENDEE").unwrap();
    assert_eq!(att.param("CN"), Some("George Herman \"Babe\" Ruth"));
    assert_eq!(att.param("X-ADDR"), Some("Line 1\nLine 2^"));
}

#[test]
fn recovers_from_truncated_input() {
    let p = parse("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nSUMMARY:cut here");
    let cal = &p.document.components[0];
    assert_eq!(cal.components[0].text("SUMMARY"), Some("cut here"));
    let missing: Vec<_> = p
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::MissingEnd)
        .collect();
    assert_eq!(missing.len(), 2);
    assert!(missing.iter().all(|d| d.severity == Severity::Error));
}

#[test]
fn recovers_from_mismatched_and_unmatched_end() {
    let p = parse(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nEND:VEVENT\r\nEND:VTODO\r\nEND:VCALENDAR\r\nEND:VCALENDAR\r\n",
    );
    let cal = &p.document.components[0];
    assert_eq!(
        cal.components[0].components[0].text("ACTION"),
        Some("DISPLAY")
    );
    let c = codes(&p);
    assert!(c.contains(&Code::MissingEnd), "{c:?}");
    assert!(c.contains(&Code::MismatchedEnd), "{c:?}");
    assert!(c.contains(&Code::UnmatchedEnd), "{c:?}");
    // The diagnostic names the right line.
    let mis = p
        .diagnostics
        .iter()
        .find(|d| d.code == Code::MismatchedEnd)
        .unwrap();
    assert_eq!(mis.line, 6);
}

#[test]
fn truncated_component_name_closes_innermost() {
    let p = parse(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nEND:VEVEN\r\nBEGIN:VEVENT\r\nUID:b\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    assert_eq!(p.document.components[0].components.len(), 2);
    assert!(codes(&p).contains(&Code::MismatchedEnd));
}

#[test]
fn line_without_colon_is_reported_and_kept() {
    let input = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nthis line is junk\r\nBEGIN:VEVENT\r\nNOCOLON\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let p = parse(input);
    let junk: Vec<_> = p
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::MalformedLine)
        .collect();
    assert_eq!(junk.len(), 2);
    assert_eq!(junk[0].line, 3);
    assert_eq!(junk[1].line, 5);
    // Nothing is lost: the faithful writer reproduces the input.
    assert_eq!(p.document.to_bytes(), input.as_bytes());
}

#[test]
fn continuation_without_space_joins_text_value() {
    let p = parse(
        "BEGIN:VEVENT\r\nX-ALT-DESC;FMTTYPE=text/html:<html><body>\r\n<p style=\"color:red\">Hi</p>\r\n</body></html>\r\nEND:VEVENT\r\n",
    );
    let ev = &p.document.components[0];
    assert_eq!(
        ev.text("X-ALT-DESC"),
        Some("<html><body>\n<p style=\"color:red\">Hi</p>\n</body></html>")
    );
    assert_eq!(codes(&p), [Code::MalformedLine, Code::MalformedLine]);
}

#[test]
fn unknown_nested_components_are_kept() {
    let p = parse(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nBEGIN:X-CUSTOM\r\nX-THING;X-P=1:raw\\,text\r\nBEGIN:X-DEEPER\r\nEND:X-DEEPER\r\nEND:X-CUSTOM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    let x = &p.document.components[0].components[0].components[0];
    assert_eq!(x.name(), "X-CUSTOM");
    assert_eq!(x.components[0].name(), "X-DEEPER");
    let thing = x.property("X-THING").unwrap();
    assert_eq!(thing.value_type(), &ValueType::Unknown);
    assert_eq!(thing.value(), Some(&Value::Unknown("raw\\,text".into())));
}

#[test]
fn concatenated_objects() {
    let p = parse(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nFN:B\r\nEND:VCARD\r\nBEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
    );
    let d: Vec<_> = p.document.components.iter().map(|c| c.dialect()).collect();
    assert_eq!(d, [Dialect::VCard30, Dialect::VCard40, Dialect::ICalendar]);
}

#[test]
fn invalid_utf8_is_decoded_lossily_and_kept_for_round_trip() {
    let input = b"BEGIN:VEVENT\r\nSUMMARY:caf\xe9 \xff\r\nEND:VEVENT\r\n";
    let p = Parser::new().parse(input);
    assert_eq!(
        p.document.components[0].text("SUMMARY"),
        Some("caf\u{FFFD} \u{FFFD}")
    );
    let d = p
        .diagnostics
        .iter()
        .find(|d| d.code == Code::InvalidUtf8)
        .unwrap();
    // At the first byte that is not UTF-8.
    assert_eq!((d.line, d.column), (2, 12));
    assert_eq!(p.document.to_bytes(), input);
}

#[test]
fn value_that_does_not_parse_is_kept_raw_with_diagnostic() {
    let input = "BEGIN:VEVENT\r\nDTSTART:2025-13-45T99\r\nPRIORITY:high\r\nEND:VEVENT\r\n";
    let p = parse(input);
    let ev = &p.document.components[0];
    assert_eq!(
        ev.property("DTSTART").unwrap().value(),
        Some(&Value::Invalid("2025-13-45T99".into()))
    );
    assert_eq!(
        ev.property("PRIORITY").unwrap().value(),
        Some(&Value::Invalid("high".into()))
    );
    let bad: Vec<_> = p
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::InvalidValue)
        .collect();
    assert_eq!(bad.len(), 2);
    assert_eq!((bad[0].line, bad[0].column), (2, 9));
    assert_eq!(p.document.to_bytes(), input.as_bytes());
    assert_eq!(p.document.to_canonical_bytes(), input.as_bytes());
}

#[test]
fn date_without_value_date_is_accepted_leniently() {
    let p = parse("BEGIN:VEVENT\r\nDTSTART:20250101\r\nEND:VEVENT\r\n");
    let prop = p.document.components[0].property("DTSTART").unwrap();
    assert_eq!(prop.value_type(), &ValueType::Date);
    assert!(matches!(prop.value(), Some(Value::Date(_))));
    assert_eq!(p.diagnostics[0].severity, Severity::Warning);
    // Normalisation adds the missing VALUE=DATE.
    assert!(
        String::from_utf8(p.document.to_canonical_bytes())
            .unwrap()
            .contains("DTSTART;VALUE=DATE:20250101\r\n")
    );
}

#[test]
fn every_value_type() {
    let input = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n\
ATTACH;ENCODING=BASE64;VALUE=BINARY:SGVsbG8=\r\n\
X-B;VALUE=BOOLEAN:TRUE\r\n\
ORGANIZER:mailto:boss@example.com\r\n\
X-D;VALUE=DATE:20250102\r\n\
DTEND:20250102T100000Z\r\n\
DURATION:-P1W\r\n\
X-F;VALUE=FLOAT:-1.5\r\n\
SEQUENCE:7\r\n\
FREEBUSY:20250102T100000Z/PT1H,20250103T100000Z/20250103T120000Z\r\n\
RRULE:RSCALE=GREGORIAN;FREQ=MONTHLY;BYMONTHDAY=31;SKIP=BACKWARD;X-NAME=keep\r\n\
CATEGORIES:a,b\\,c\r\n\
X-T;VALUE=TIME:123000Z\r\n\
URL:https://example.com/a,b\r\n\
X-O;VALUE=UTC-OFFSET:-0330\r\n\
GEO:37.5;-122.25\r\n\
REQUEST-STATUS:2.0;Success\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";
    let p = parse(input);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let ev = &p.document.components[0].components[0];
    let v = |n: &str| ev.property(n).unwrap().values().as_slice().to_vec();
    assert_eq!(v("ATTACH"), [Value::Binary(b"Hello".to_vec())]);
    assert_eq!(v("X-B"), [Value::Boolean(true)]);
    assert_eq!(
        v("ORGANIZER"),
        [Value::CalAddress("mailto:boss@example.com".into())]
    );
    assert!(matches!(v("X-D")[0], Value::Date(_)));
    assert!(matches!(&v("DTEND")[0], Value::DateTime(d) if d.is_utc()));
    assert!(matches!(&v("DURATION")[0], Value::Duration(d) if d.total_seconds() == -7 * 86400));
    assert_eq!(v("X-F"), [Value::Float(-1.5)]);
    assert_eq!(v("SEQUENCE"), [Value::Integer(7)]);
    assert_eq!(v("FREEBUSY").len(), 2);
    assert!(v("FREEBUSY").iter().all(|x| matches!(x, Value::Period(_))));
    let r = ev
        .property("RRULE")
        .unwrap()
        .value()
        .unwrap()
        .as_recur()
        .unwrap()
        .clone();
    assert_eq!(r.freq, Frequency::Monthly);
    assert_eq!(r.rscale.as_deref(), Some("GREGORIAN"));
    assert_eq!(r.skip, Some(Skip::Backward));
    assert_eq!(r.other, [("X-NAME".to_string(), "keep".to_string())]);
    assert_eq!(
        v("CATEGORIES"),
        [Value::Text("a".into()), Value::Text("b,c".into())]
    );
    assert!(matches!(v("X-T")[0], Value::Time(t) if t.utc));
    assert_eq!(v("URL"), [Value::Uri("https://example.com/a,b".into())]);
    assert!(matches!(v("X-O")[0], Value::UtcOffset(o) if o.seconds == -(3 * 3600 + 1800)));
    assert_eq!(v("GEO"), [Value::Geo(37.5, -122.25)]);
    assert_eq!(
        v("REQUEST-STATUS"),
        [Value::Structured(vec![
            vec!["2.0".into()],
            vec!["Success".into()]
        ])]
    );
    // Canonical output of typed values parses back to the same values.
    let again = Parser::new().parse(&p.document.to_canonical_bytes());
    assert_eq!(again.document.components[0].components[0], *ev);
}

#[test]
fn rdate_exdate_lists_and_value_overrides() {
    let p = parse(
        "BEGIN:VEVENT\r\nRDATE;VALUE=DATE:20250101,20250201\r\nEXDATE;TZID=America/New_York:20250101T090000,20250102T090000\r\nRDATE;VALUE=PERIOD:20250105T090000Z/PT30M\r\nEND:VEVENT\r\n",
    );
    let ev = &p.document.components[0];
    let rd: Vec<_> = ev.properties_named("RDATE").collect();
    assert_eq!(rd[0].value_type(), &ValueType::Date);
    assert_eq!(rd[0].values().len(), 2);
    assert_eq!(rd[1].value_type(), &ValueType::Period);
    let ex = ev.property("EXDATE").unwrap();
    assert!(
        ex.values()
            .as_slice()
            .iter()
            .all(|v| v.as_date_time().unwrap().tzid() == Some("America/New_York"))
    );
}

#[test]
fn vcard_structured_values_and_dates() {
    let p = parse(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Jane Doe\r\nN:Doe;Jane;Ann,Marie;Dr.;\r\nADR;TYPE=work:;;1 Main St;Springfield;;12345;USA\r\nORG:ABC\\, Inc.;Research\r\nGENDER:F;she/her\r\nBDAY:--0412\r\nANNIVERSARY:20090808T1430-0500\r\nREV:20250101T120000Z\r\nLANG;PREF=1:fr-CA\r\nTEL;VALUE=uri;TYPE=\"work,voice\":tel:+1-555-0100\r\nEND:VCARD\r\n",
    );
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let c = &p.document.components[0];
    let n = c.property("N").unwrap().value().unwrap().clone();
    assert_eq!(
        n,
        Value::Structured(vec![
            vec!["Doe".into()],
            vec!["Jane".into()],
            vec!["Ann".into(), "Marie".into()],
            vec!["Dr.".into()],
            vec!["".into()]
        ])
    );
    let org = c.property("ORG").unwrap().value().unwrap().clone();
    assert_eq!(
        org,
        Value::Structured(vec![vec!["ABC, Inc.".into()], vec!["Research".into()]])
    );
    let Some(Value::VCardDateTime(bday)) = c.property("BDAY").unwrap().value() else {
        panic!()
    };
    assert_eq!(
        (
            bday.date.unwrap().month,
            bday.date.unwrap().day,
            bday.date.unwrap().year
        ),
        (Some(4), Some(12), None)
    );
    let Some(Value::VCardDateTime(ann)) = c.property("ANNIVERSARY").unwrap().value() else {
        panic!()
    };
    assert_eq!(ann.time.unwrap().zone, Some(VZone::Offset(-300)));
    assert_eq!(
        c.property("REV").unwrap().value_type(),
        &ValueType::Timestamp
    );
    assert_eq!(
        c.property("LANG").unwrap().value_type(),
        &ValueType::LanguageTag
    );
    let tel = c.property("TEL").unwrap();
    assert_eq!(tel.value_type(), &ValueType::Uri);
    assert!(tel.params().get("TYPE").unwrap().has("voice"));
}

#[test]
fn dialect_detection() {
    let cases = [
        (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
            Dialect::ICalendar,
        ),
        (
            "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nEND:VCALENDAR\r\n",
            Dialect::VCalendar10,
        ),
        (
            "BEGIN:VCARD\r\nVERSION:2.1\r\nEND:VCARD\r\n",
            Dialect::VCard21,
        ),
        (
            "BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n",
            Dialect::VCard30,
        ),
        (
            "BEGIN:VCARD\r\nVERSION:4.0\r\nEND:VCARD\r\n",
            Dialect::VCard40,
        ),
        // VERSION after other properties still decides.
        (
            "BEGIN:VCARD\r\nN:Doe;John\r\nTEL;WORK;VOICE:1\r\nVERSION:2.1\r\nEND:VCARD\r\n",
            Dialect::VCard21,
        ),
    ];
    for (text, want) in cases {
        let p = parse(text);
        assert_eq!(p.document.components[0].dialect(), want, "{text}");
    }
    // Properties read before VERSION are typed in the dialect found later.
    let p = parse("BEGIN:VCARD\r\nNOTE:a\\,b\r\nVERSION:2.1\r\nEND:VCARD\r\n");
    assert_eq!(p.document.components[0].text("NOTE"), Some("a\\,b"));
    let p = parse("BEGIN:VCARD\r\nNOTE:a\\,b\r\nVERSION:3.0\r\nEND:VCARD\r\n");
    assert_eq!(p.document.components[0].text("NOTE"), Some("a,b"));
    // A missing VERSION is guessed and reported.
    let p = parse("BEGIN:VCARD\r\nTEL;HOME:1\r\nEND:VCARD\r\n");
    assert_eq!(p.document.components[0].dialect(), Dialect::VCard21);
    assert!(codes(&p).contains(&Code::Version));
    // Once, also in strict mode (it was said again as a missing property).
    for text in [
        "BEGIN:VCARD\r\nFN:x\r\nN:x;;;;\r\nEND:VCARD\r\n",
        "BEGIN:VCALENDAR\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTAMP:20240101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    ] {
        let p = Parser::strict().parse(text.as_bytes());
        let about: Vec<&str> = p
            .diagnostics
            .iter()
            .filter(|d| d.message.contains("VERSION"))
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(about.len(), 1, "{about:?}");
    }
}

#[test]
fn vcard21_outlook_style() {
    let input = b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;LANGUAGE=de:M\xfcller;J\xfcrgen\r\nFN:J\xfcrgen M\xfcller\r\nTEL;WORK;VOICE:(0)30 1234\r\nADR;HOME;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:;;Hauptstra=DFe 5;Berlin\r\nLABEL;WORK;ENCODING=QUOTED-PRINTABLE:Hauptstra=C3=9Fe 5=0D=0A=\r\nBerlin\r\nNOTE;CHARSET=UTF-8:Stra\xc3\x9fe\r\nEMAIL;PREF;INTERNET:j@example.de\r\nPHOTO;TYPE=JPEG;ENCODING=BASE64:\r\n SGVsbG8g\r\n d29ybGQ=\r\n\r\nEND:VCARD\r\n";
    let p = Parser::new().parse(input);
    let c = &p.document.components[0];
    assert_eq!(c.dialect(), Dialect::VCard21);
    // No CHARSET and not UTF-8: the legacy Windows-1252 reading, reported.
    assert_eq!(c.text("FN"), Some("Jürgen Müller"));
    assert!(
        p.diagnostics
            .iter()
            .any(|d| d.code == Code::InvalidUtf8 && d.line == 3)
    );
    let adr = c.property("ADR").unwrap().value().unwrap().clone();
    assert_eq!(
        adr,
        Value::Structured(vec![
            vec!["".into()],
            vec!["".into()],
            vec!["Hauptstraße 5".into()],
            vec!["Berlin".into()]
        ])
    );
    assert_eq!(c.text("LABEL"), Some("Hauptstraße 5\nBerlin"));
    assert_eq!(c.text("NOTE"), Some("Straße"));
    let tel = c.property("TEL").unwrap();
    let types: Vec<_> = tel.params().get("TYPE").unwrap().iter().collect();
    assert_eq!(types, ["WORK", "VOICE"]);
    assert!(tel.params().get("TYPE").unwrap().bare);
    assert_eq!(
        c.property("PHOTO").unwrap().value(),
        Some(&Value::Binary(b"Hello world".to_vec()))
    );
    assert_eq!(p.document.to_bytes(), input);
}

#[test]
fn vcard_without_charset_valid_utf8_is_utf8() {
    let p = parse("BEGIN:VCARD\r\nVERSION:2.1\r\nADR;HOME:;;Straße 1;Köln\r\nEND:VCARD\r\n");
    let adr = p.document.components[0]
        .property("ADR")
        .unwrap()
        .value()
        .unwrap()
        .clone();
    assert_eq!(
        adr,
        Value::Structured(vec![
            vec!["".into()],
            vec!["".into()],
            vec!["Straße 1".into()],
            vec!["Köln".into()]
        ])
    );
    assert!(p.diagnostics.is_empty());
}

#[test]
fn vcard30_encoding_b() {
    let p = parse(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nPHOTO;ENCODING=b;TYPE=JPEG:SGVsbG8=\r\nKEY;ENCODING=B:AQID\r\nPHOTO;VALUE=uri:http://example.com/p.jpg\r\nEND:VCARD\r\n",
    );
    let c = &p.document.components[0];
    let photos: Vec<_> = c.properties_named("PHOTO").collect();
    assert_eq!(photos[0].value(), Some(&Value::Binary(b"Hello".to_vec())));
    assert_eq!(
        photos[1].value(),
        Some(&Value::Uri("http://example.com/p.jpg".into()))
    );
    assert_eq!(
        c.property("KEY").unwrap().value(),
        Some(&Value::Binary(vec![1, 2, 3]))
    );
}

#[test]
fn base64_without_value_binary_is_inline_data() {
    // A URI cannot be base64-encoded: ATTACH with ENCODING=BASE64 and no
    // VALUE is inline data (a warning), and canonical text adds VALUE=BINARY.
    let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nATTACH;FMTTYPE=text/plain;ENCODING=BASE64:SGVsbG8=\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let p = parse(text);
    let attach = p.document.components[0].components[0]
        .property("ATTACH")
        .unwrap();
    assert_eq!(attach.value(), Some(&Value::Binary(b"Hello".to_vec())));
    assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
    assert_eq!(p.diagnostics[0].severity, Severity::Warning);
    assert!(p.diagnostics[0].message.contains("without VALUE=BINARY"));
    let canonical = String::from_utf8(p.document.to_canonical_bytes()).unwrap();
    assert!(
        canonical.contains("ATTACH;FMTTYPE=text/plain;ENCODING=BASE64;VALUE=BINARY:SGVsbG8=\r\n"),
        "{canonical}"
    );
    assert!(
        Parser::strict()
            .parse(text.as_bytes())
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error && d.message.contains("VALUE=BINARY"))
    );
}

#[test]
fn strict_mode_checks_until_against_dtstart() {
    // RFC 5545 §3.3.10: UNTIL has DTSTART's value type, and is in UTC when
    // DTSTART is in UTC or has a TZID. Lenient mode says nothing (the
    // expansion reads such an UNTIL in the series' zone).
    let event = |start: &str, until: &str| {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTAMP:20240101T000000Z\r\nDTSTART{start}\r\nRRULE:FREQ=DAILY;UNTIL={until}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )
    };
    let until_errors = |text: &str| -> Vec<String> {
        Parser::strict()
            .parse(text.as_bytes())
            .diagnostics
            .into_iter()
            .filter(|d| d.code == Code::UntilForm)
            .map(|d| {
                assert_eq!((d.line, d.severity), (8, Severity::Error));
                d.message
            })
            .collect()
    };
    for (start, until, wrong) in [
        (":20240105T090000Z", "20240108T090000Z", false),
        (":20240105T090000", "20240108T090000", false),
        (";VALUE=DATE:20240105", "20240108", false),
        (":20240105T090000Z", "20240108", true),
        (";VALUE=DATE:20240105", "20240108T000000Z", true),
        (":20240105T090000Z", "20240108T090000", true),
        (":20240105T090000", "20240108T090000Z", true),
    ] {
        let text = event(start, until);
        assert_eq!(
            until_errors(&text).len(),
            usize::from(wrong),
            "{start} {until}"
        );
        assert!(
            !parse(&text)
                .diagnostics
                .iter()
                .any(|d| d.code == Code::UntilForm)
        );
    }
    // A VTIMEZONE observance: local DTSTART, UTC UNTIL, as RFC 5545 wants.
    let zone = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTIMEZONE\r\nTZID:Z\r\nBEGIN:DAYLIGHT\r\nDTSTART:19870405T020000\r\nRRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=4;UNTIL=19980404T070000Z\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    assert!(until_errors(zone).is_empty());
}

#[test]
fn strict_mode_checks_cardinality_and_vcard_4_structures() {
    let codes = |text: &str| -> Vec<(u32, Code)> {
        Parser::strict()
            .parse(text.as_bytes())
            .diagnostics
            .into_iter()
            .filter(|d| matches!(d.code, Code::Cardinality | Code::Grammar))
            .map(|d| (d.line, d.code))
            .collect()
    };
    // RFC 5545 §3.6.1: SUMMARY at most once; DTEND and DURATION exclude
    // each other.
    let ev = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240105T090000Z\r\nSUMMARY:a\r\nSUMMARY:b\r\nDTEND:20240105T100000Z\r\nDURATION:PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    assert_eq!(
        codes(ev),
        vec![(9, Code::Cardinality), (10, Code::Cardinality)]
    );
    // RFC 6350 §6: N, UID, GENDER at most once; N of five components, ADR
    // of seven; the sex M/F/O/N/U; MEMBER only in a group.
    let card = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:A\r\nN:I;M\r\nN:A;B;;;\r\nUID:1\r\nUID:2\r\nADR:;;street\r\nGENDER:male\r\nMEMBER:mailto:a@example.com\r\nEND:VCARD\r\n";
    let mut got = codes(card);
    got.sort_by_key(|(l, _)| *l);
    assert_eq!(
        got,
        vec![
            (4, Code::Grammar),
            (5, Code::Cardinality),
            (7, Code::Cardinality),
            (8, Code::Grammar),
            (9, Code::Grammar),
            (10, Code::Grammar),
        ]
    );
    let good = "BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:group\r\nFN:A\r\nN:A;B;;;\r\nADR:;;street;;;;\r\nGENDER:O;nonbinary\r\nMEMBER:mailto:a@example.com\r\nEND:VCARD\r\n";
    assert!(codes(good).is_empty(), "{:?}", codes(good));
    // Lenient mode says nothing of these.
    assert!(
        !parse(card)
            .diagnostics
            .iter()
            .any(|d| matches!(d.code, Code::Cardinality | Code::Grammar))
    );
}

#[test]
fn strict_mode_refuses_cards_inside_3_0_and_4_0_cards() {
    // 2.1 embeds an agent's card after AGENT; 3.0 and 4.0 hold no
    // component (RFC 2426 §3.5.4: the agent's card is the AGENT's text).
    let nested = |v: &str| {
        format!(
            "BEGIN:VCARD\r\nVERSION:{v}\r\nFN:a\r\nN:a;;;;\r\nAGENT:\r\nBEGIN:VCARD\r\nVERSION:{v}\r\nFN:b\r\nN:b;;;;\r\nEND:VCARD\r\nEND:VCARD\r\n"
        )
    };
    let unexpected = |text: &str| -> Vec<u32> {
        Parser::strict()
            .parse(text.as_bytes())
            .diagnostics
            .into_iter()
            .filter(|d| d.code == Code::UnexpectedComponent)
            .map(|d| d.line)
            .collect()
    };
    assert_eq!(unexpected(&nested("3.0")), vec![6]);
    assert_eq!(unexpected(&nested("4.0")), vec![6]);
    assert!(unexpected(&nested("2.1")).is_empty());
}

#[test]
fn strict_mode_wants_absolute_triggers_in_utc() {
    // RFC 5545 §3.8.6.3: a TRIGGER;VALUE=DATE-TIME MUST be in UTC.
    let cal = |trigger: &str| {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240105T090000Z\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:r\r\nTRIGGER{trigger}\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )
    };
    let grammar = |text: &str| -> Vec<(u32, Severity)> {
        Parser::strict()
            .parse(text.as_bytes())
            .diagnostics
            .into_iter()
            .filter(|d| d.code == Code::Grammar && d.message.contains("TRIGGER"))
            .map(|d| (d.line, d.severity))
            .collect()
    };
    assert_eq!(
        grammar(&cal(";VALUE=DATE-TIME:20240105T084500")),
        vec![(11, Severity::Error)]
    );
    assert!(grammar(&cal(";VALUE=DATE-TIME:20240105T084500Z")).is_empty());
    assert!(grammar(&cal(":-PT15M")).is_empty());
}

#[test]
fn escape_utf8_and_quote_problems_are_reported_at_their_byte() {
    // They were reported at the start of the value or of the parameters;
    // a fold moves the position to the next physical line.
    let pos = |text: &[u8], code: Code| -> Vec<(u32, u32)> {
        Parser::strict()
            .parse(text)
            .diagnostics
            .into_iter()
            .filter(|d| d.code == code)
            .map(|d| (d.line, d.column))
            .collect()
    };
    let card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\nN:;;;;\r\nNOTE:aaaa\r\n bbbb\r\n cc\\qdd\r\nTITLE:a\\:b\r\nEND:VCARD\r\n";
    assert_eq!(pos(card, Code::UnknownEscape), vec![(7, 4), (8, 8)]);
    let cal = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240101T000000Z\r\nSUMMARY:abcdef\xff\xfegh\r\nDESCRIPTION:0123456789\r\n 45 \xc3(x\r\nATTENDEE;CN=\"Ann\";X-A=\"open:mailto:a@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    assert_eq!(pos(cal, Code::InvalidUtf8), vec![(8, 15), (10, 5)]);
    assert_eq!(pos(cal, Code::UnterminatedQuote), vec![(11, 23)]);
}

#[test]
fn control_characters_in_values_are_reported_where_they_are() {
    // Content lines allow no control character but HTAB (RFC 5545 §3.1):
    // a warning (an error in strict mode) at the character, the value kept.
    let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nSUMMARY:tab\tok\r\nDESCRIPTION:a\u{0}b\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let p = parse(text);
    let found: Vec<(u32, u32, Severity)> = p
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("control character U+0000"))
        .map(|d| (d.line, d.column, d.severity))
        .collect();
    assert_eq!(found, [(6, 14, Severity::Warning)], "{:?}", p.diagnostics);
    let desc = p.document.components[0].components[0].text("DESCRIPTION");
    assert_eq!(desc, Some("a\u{0}b"));
    let strict = Parser::strict().parse(text.as_bytes());
    assert!(
        strict
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error && d.message.contains("U+0000"))
    );
    // The streaming reader says the same.
    let streamed: Vec<String> =
        oxpim_contentline::StreamReader::new(text.as_bytes(), ParseOptions::default())
            .flat_map(|item| item.unwrap().diagnostics)
            .map(|d| d.message)
            .filter(|m| m.contains("control character"))
            .collect();
    assert_eq!(streamed.len(), 1);
    // Without control characters, none is reported.
    assert!(parse(&text.replace('\u{0}', "")).diagnostics.is_empty());
}

#[test]
fn vcalendar10_lists_and_qp() {
    let p = parse(
        "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VEVENT\r\nCATEGORIES:MEETING;BUSINESS\r\nSUMMARY;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Caf=C3=A9 =\r\nmeeting\r\nDTSTART:20250101T090000Z\r\nRRULE:W2 MO WE #0\r\nAALARM:20250101T085500Z;PT5M;2;\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let ev = &p.document.components[0].components[0];
    assert_eq!(ev.property("CATEGORIES").unwrap().values().len(), 2);
    assert_eq!(ev.text("SUMMARY"), Some("Café meeting"));
    assert_eq!(
        ev.property("RRULE").unwrap().value(),
        Some(&Value::Unknown("W2 MO WE #0".into()))
    );
    assert!(
        matches!(ev.property("AALARM").unwrap().value(), Some(Value::Structured(c)) if c.len() == 4)
    );
}

#[test]
fn strict_and_lenient_are_per_instance() {
    let input = b"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\nUID:1\nDTSTAMP:20250101T000000Z\nCLASS:\nEND:VEVENT\nEND:VCALENDAR\n";
    let lenient = Parser::new().parse(input);
    let strict = Parser::strict().parse(input);
    assert!(lenient.diagnostics.is_empty());
    let c = codes(&strict);
    assert!(c.contains(&Code::LineBreak), "{c:?}");
    assert!(c.contains(&Code::Grammar), "{c:?}");
    assert!(strict.has_errors());
    // The trees are the same.
    assert_eq!(lenient.document, strict.document);
}

#[test]
fn strict_checks_required_properties_and_time_zones() {
    let p = Parser::strict().parse(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;TZID=Nowhere/City:20250101T090000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
    let msgs: Vec<_> = p.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert!(msgs.contains(&"VCALENDAR has no PRODID"), "{msgs:?}");
    assert!(msgs.contains(&"VEVENT has no UID"), "{msgs:?}");
    assert!(
        msgs.iter()
            .any(|m| m.contains("TZID 'Nowhere/City' has no VTIMEZONE")),
        "{msgs:?}"
    );
}

#[test]
fn nesting_limit_is_enforced() {
    let mut s = String::new();
    for _ in 0..100 {
        s.push_str("BEGIN:X-A\r\n");
    }
    for _ in 0..100 {
        s.push_str("END:X-A\r\n");
    }
    let opts = ParseOptions {
        limits: oxpim_contentline::Limits {
            max_depth: 10,
            ..Default::default()
        },
        ..Default::default()
    };
    let p = Parser::with_options(opts).parse(s.as_bytes());
    let mut depth = 0;
    let mut c = &p.document.components[0];
    while let Some(next) = c.components.first() {
        depth += 1;
        c = next;
    }
    assert_eq!(depth, 9);
    assert_eq!(
        p.diagnostics
            .iter()
            .filter(|d| d.code == Code::TooDeep)
            .count(),
        1
    );
    assert_eq!(p.document.to_bytes(), s.as_bytes());
}

#[test]
fn parameter_limit_is_enforced() {
    let mut s = String::from("BEGIN:VEVENT\r\nX-P");
    for i in 0..50 {
        s.push_str(&format!(";P{i}=v"));
    }
    s.push_str(":x\r\nEND:VEVENT\r\n");
    let opts = ParseOptions {
        limits: oxpim_contentline::Limits {
            max_params: 20,
            ..Default::default()
        },
        ..Default::default()
    };
    let p = Parser::with_options(opts).parse(s.as_bytes());
    assert_eq!(
        p.document.components[0]
            .property("X-P")
            .unwrap()
            .params()
            .len(),
        20
    );
    assert!(codes(&p).contains(&Code::TooMany));
    assert_eq!(p.document.to_bytes(), s.as_bytes());
}

#[test]
fn diagnostic_cap() {
    let mut s = String::from("BEGIN:VEVENT\r\n");
    for _ in 0..50 {
        s.push_str("junk\r\n");
    }
    s.push_str("END:VEVENT\r\n");
    let opts = ParseOptions {
        limits: oxpim_contentline::Limits {
            max_diagnostics: 10,
            ..Default::default()
        },
        ..Default::default()
    };
    let p = Parser::with_options(opts).parse(s.as_bytes());
    assert_eq!(p.diagnostics.len(), 11);
    assert_eq!(p.diagnostics[10].code, Code::Truncated);
}

#[test]
fn column_positions_point_into_folded_lines() {
    let p = parse(
        "BEGIN:VEVENT\r\nDTSTART;TZID=Europe/Berlin;X-LONG-PARAMETER-NAME=abcdefghijklmnopqrstuvwxyz:\r\n 2025BAD\r\nEND:VEVENT\r\n",
    );
    let d = p
        .diagnostics
        .iter()
        .find(|d| d.code == Code::InvalidValue)
        .unwrap();
    assert_eq!((d.line, d.column), (3, 2));
}
