//! jCal (RFC 7265) and jCard (RFC 7095).

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use oxpim_contentline::json::{JsonError, from_json, from_json_str, to_json};
use oxpim_contentline::{Dialect, Parser, Value};
use serde_json::json;

#[test]
fn jcal_of_an_event() {
    let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VEVENT\r\nUID:4088E990AD89CB3DBB484909\r\nDTSTAMP:20080205T191224Z\r\nDTSTART;VALUE=DATE:20081006\r\nSUMMARY:Planning meeting\r\nRDATE;VALUE=PERIOD:19970101T180000Z/PT5H30M\r\nX-T;VALUE=TIME:123000\r\nTZOFFSETFROM:-0500\r\nATTENDEE;PARTSTAT=ACCEPTED;DELEGATED-FROM=\"mailto:a@x\",\"mailto:b@x\":mailto:c@x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let j = to_json(&Parser::new().parse(text.as_bytes()).document);
    assert_eq!(
        j,
        json!(["vcalendar",
            [["version", {}, "text", "2.0"], ["prodid", {}, "text", "-//x//EN"]],
            [["vevent", [
                ["uid", {}, "text", "4088E990AD89CB3DBB484909"],
                ["dtstamp", {}, "date-time", "2008-02-05T19:12:24Z"],
                ["dtstart", {}, "date", "2008-10-06"],
                ["summary", {}, "text", "Planning meeting"],
                ["rdate", {}, "period", ["1997-01-01T18:00:00Z", "PT5H30M"]],
                ["x-t", {}, "time", "12:30:00"],
                ["tzoffsetfrom", {}, "utc-offset", "-05:00"],
                ["attendee", {"partstat": "ACCEPTED", "delegated-from": ["mailto:a@x", "mailto:b@x"]}, "cal-address", "mailto:c@x"]
            ], []]]
        ])
    );
    // And back: JSON → text → JSON is stable.
    let doc = from_json(&j).unwrap();
    let text2 = doc.to_canonical_bytes();
    assert_eq!(to_json(&Parser::new().parse(&text2).document), j);
}

#[test]
fn jcard_of_a_vcard4() {
    let text = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Simon\r\nN:Perreault;Simon;;;ing. jr,M.Sc.\r\nBDAY:--0203\r\nitem1.TEL;VALUE=uri;TYPE=\"work,voice\";PREF=1:tel:+1-418-656-9254;ext=102\r\nEND:VCARD\r\n";
    let j = to_json(&Parser::new().parse(text.as_bytes()).document);
    assert_eq!(
        j,
        json!(["vcard", [
            ["version", {}, "text", "4.0"],
            ["fn", {}, "text", "Simon"],
            ["n", {}, "text", ["Perreault", "Simon", "", "", ["ing. jr", "M.Sc."]]],
            ["bday", {}, "date-and-or-time", "--02-03"],
            ["tel", {"type": ["work", "voice"], "pref": "1", "group": "item1"}, "uri", "tel:+1-418-656-9254;ext=102"]
        ]])
    );
    let back = from_json(&j).unwrap();
    let c = &back.components[0];
    assert_eq!(c.dialect(), Dialect::VCard40);
    assert_eq!(c.property("TEL").unwrap().group(), Some("item1"));
    assert_eq!(
        to_json(&Parser::new().parse(&back.to_canonical_bytes()).document),
        j
    );
}

#[test]
fn several_objects_become_an_array() {
    let text = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:A\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nFN:B\r\nEND:VCARD\r\n";
    let j = to_json(&Parser::new().parse(text.as_bytes()).document);
    assert_eq!(j.as_array().unwrap().len(), 2);
    assert_eq!(from_json(&j).unwrap().components.len(), 2);
}

#[test]
fn recur_object_both_ways() {
    let j = json!(["vcalendar", [], [["vevent", [
        ["rrule", {}, "recur", {"freq": "YEARLY", "count": 5, "byday": ["-1SU", "2MO"], "bymonth": 10, "until": "2030-01-01T00:00:00Z"}]
    ], []]]]);
    let doc = from_json(&j).unwrap();
    let r = doc.components[0].components[0]
        .property("RRULE")
        .unwrap()
        .value()
        .unwrap()
        .as_recur()
        .unwrap()
        .clone();
    assert_eq!(r.count, Some(5));
    assert_eq!(r.by_day.len(), 2);
    assert_eq!(r.by_month.len(), 1);
    assert!(matches!(
        r.until,
        Some(oxpim_contentline::RecurUntil::DateTime(_))
    ));
    let text = String::from_utf8(doc.to_canonical_bytes()).unwrap();
    assert!(
        text.contains(
            "RRULE:FREQ=YEARLY;UNTIL=20300101T000000Z;COUNT=5;BYDAY=-1SU,2MO;BYMONTH=10\r\n"
        ),
        "{text}"
    );
}

#[test]
fn value_type_becomes_value_parameter() {
    let j = json!(["vcalendar", [["x-foo", {}, "integer", 42], ["dtstart", {"tzid": "Europe/Berlin"}, "date-time", "2025-01-01T09:00:00"]], []]);
    let doc = from_json(&j).unwrap();
    let text = String::from_utf8(doc.to_canonical_bytes()).unwrap();
    assert!(text.contains("X-FOO;VALUE=INTEGER:42\r\n"), "{text}");
    assert!(
        text.contains("DTSTART;TZID=Europe/Berlin:20250101T090000\r\n"),
        "{text}"
    );
    let dt = doc.components[0]
        .property("DTSTART")
        .unwrap()
        .value()
        .unwrap()
        .as_date_time()
        .unwrap()
        .clone();
    assert_eq!(dt.tzid(), Some("Europe/Berlin"));
    assert_eq!(
        doc.components[0].property("X-FOO").unwrap().value(),
        Some(&Value::Integer(42))
    );
}

#[test]
fn inline_binary_keeps_value_binary_both_ways() {
    // ATTACH's default type is URI: inline data needs VALUE=BINARY, or it
    // reads back as a URI.
    let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nATTACH;FMTTYPE=text/plain;ENCODING=BASE64;VALUE=BINARY:SGVsbG8=\r\nX-BIN;ENCODING=BASE64;VALUE=BINARY:SGk=\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let j = to_json(&Parser::new().parse(text.as_bytes()).document);
    let back = from_json(&j).unwrap().to_canonical_bytes();
    let back = String::from_utf8(back).unwrap();
    assert!(
        back.contains("ATTACH;FMTTYPE=text/plain;ENCODING=BASE64;VALUE=BINARY:SGVsbG8=\r\n"),
        "{back}"
    );
    assert!(
        back.contains("X-BIN;ENCODING=BASE64;VALUE=BINARY:SGk=\r\n"),
        "{back}"
    );
    let attach = Parser::new().parse(back.as_bytes()).document.components[0].components[0]
        .property("ATTACH")
        .unwrap()
        .value()
        .cloned();
    assert_eq!(attach, Some(Value::Binary(b"Hello".to_vec())));
}

#[test]
fn what_json_writes_reads_back() {
    // An X- property's DATE list is a list (it was one invalid DATE), and
    // a value kept as written because it is not of its type is "unknown"
    // (it was written as a "date" that reading refused).
    let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nX-DAYS;VALUE=DATE:20240101,20240102\r\nX-BAD;VALUE=DATE:garbage\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let parsed = Parser::new().parse(text.as_bytes());
    let ev = &parsed.document.components[0].components[0];
    assert_eq!(ev.property("X-DAYS").unwrap().values().len(), 2);
    assert_eq!(parsed.diagnostics.len(), 1, "{:?}", parsed.diagnostics);
    let j = to_json(&parsed.document);
    let props = &j[2][0][1];
    assert_eq!(
        props[1],
        json!(["x-days", {}, "date", "2024-01-01", "2024-01-02"])
    );
    assert_eq!(props[2], json!(["x-bad", {}, "unknown", "garbage"]));
    let back = String::from_utf8(from_json(&j).unwrap().to_canonical_bytes()).unwrap();
    assert!(
        back.contains("X-DAYS;VALUE=DATE:20240101,20240102\r\nX-BAD:garbage\r\n"),
        "{back}"
    );
}

#[test]
fn a_vcard_2_1_through_jcard_keeps_bare_types() {
    let text = "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;John\r\nTEL;WORK;VOICE:(905) 555-1234\r\nEMAIL;PREF;INTERNET:john@example.com\r\nEND:VCARD\r\n";
    let j = to_json(&Parser::new().parse(text.as_bytes()).document);
    let back = String::from_utf8(from_json(&j).unwrap().to_canonical_bytes()).unwrap();
    assert!(back.contains("TEL;WORK;VOICE:(905) 555-1234\r\n"), "{back}");
    assert!(
        back.contains("EMAIL;PREF;INTERNET:john@example.com\r\n"),
        "{back}"
    );
}

#[test]
fn bad_json_gives_errors_not_panics() {
    assert!(matches!(
        from_json_str("not json"),
        Err(JsonError::Syntax(_))
    ));
    assert!(matches!(from_json_str("{}"), Err(JsonError::Shape(_))));
    assert!(matches!(
        from_json_str("[\"vcalendar\"]"),
        Err(JsonError::Shape(_))
    ));
    assert!(matches!(
        from_json_str("[\"vcalendar\", [[\"dtstart\", {}, \"date-time\", \"garbage\"]], []]"),
        Err(JsonError::Shape(_))
    ));
    assert!(matches!(
        from_json_str("[\"vcalendar\", [[\"x\", {}, \"integer\", \"1\"]], []]"),
        Err(JsonError::Shape(_))
    ));
    assert!(matches!(
        from_json_str("[\"vcalendar\", [[\"rrule\", {}, \"recur\", {\"count\": 1}]], []]"),
        Err(JsonError::Shape(_))
    ));
    // Deep nesting is refused before parsing, not a crash.
    let deep = "[".repeat(100_000);
    assert!(matches!(from_json_str(&deep), Err(JsonError::Shape(_))));
    // Brackets inside strings do not count.
    let quoted = format!(
        "[\"vcalendar\", [[\"x-a\", {{}}, \"text\", \"{}\"]], []]",
        "[".repeat(1000)
    );
    assert!(from_json_str(&quoted).is_ok());
}

#[test]
fn a_calendar_nested_as_deep_as_the_parser_reads_comes_back_from_jcal() {
    // 63 components inside the VCALENDAR (the parser's default depth of
    // 64): its jCal is 128 arrays deep, which serde_json's own recursion
    // limit refused.
    let mut text = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n");
    for i in 0..63 {
        text.push_str(&format!("BEGIN:X-C\r\nX-P:{i}\r\n"));
    }
    for _ in 0..63 {
        text.push_str("END:X-C\r\n");
    }
    text.push_str("END:VCALENDAR\r\n");
    let doc = oxpim_contentline::parse(text.as_bytes()).document;
    let json = oxpim_contentline::json::to_json_string(&doc);
    let back = from_json_str(&json).unwrap();
    assert_eq!(back, doc);
}
