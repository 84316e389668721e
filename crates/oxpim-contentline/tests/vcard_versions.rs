//! vCard version conversion loses nothing: 4.0 → 3.0 → 4.0, 4.0 → 2.1 →
//! 4.0, 3.0 → 4.0 → 3.0 and 3.0 → 2.1 → 3.0 give back every property,
//! parameter and value — including what peers document losing: PHOTO data
//! URIs, PREF, ANNIVERSARY, group labels, KIND and MEMBER.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;

use oxpim_contentline::vcard::convert;
use oxpim_contentline::{
    Component, Dialect, Parser, Value, ValueType, WriteOptions, write_component,
};

const V4: &str = "BEGIN:VCARD\r
VERSION:4.0\r
KIND:group\r
FN:Team\r
MEMBER:urn:uuid:03a0e51f-d1aa-4385-8a53-e29025acd8af\r
MEMBER:mailto:b@example.com\r
END:VCARD\r
BEGIN:VCARD\r
VERSION:4.0\r
FN:Ann Lee\r
N;SORT-AS=\"Lee,Ann\":Lee;Ann;;;\r
ORG;SORT-AS=Acme:Acme Corp;R&D\r
GENDER:F\r
ANNIVERSARY:20100611\r
BDAY:19800415\r
PHOTO:data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ==\r
item1.EMAIL;PREF=1:ann@example.com\r
item1.X-ABLabel:Work mail\r
TEL;TYPE=cell;PREF=2:+1 555 0100\r
TEL;VALUE=uri;TYPE=work:tel:+1-555-0101\r
ADR;TYPE=home;LABEL=\"12 Main St\\nSpringfield\":;;12 Main St;Springfield;;;\r
RELATED;TYPE=spouse:urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6\r
LANG;PREF=1:en\r
CLIENTPIDMAP:1;urn:uuid:3df403f4-5924-4bb7-b077-3c711d9eb34b\r
EMAIL;PID=1.1:ann.lee@example.org\r
GEO:geo:48.2,16.37\r
NOTE:Zoë from Łódź\\, with a \\; and a\\nline break\r
END:VCARD\r
BEGIN:VCARD\r
VERSION:4.0\r
FN:Carriers of its own\r
GENDER:M\r
X-GENDER:male\r
X-MS-ANNIVERSARY:20110113\r
EMAIL;X-PID=7;X-PREF=3:own@example.com\r
END:VCARD\r
";

const V3: &str = "BEGIN:VCARD\r
VERSION:3.0\r
FN:Bo Kim\r
N:Kim;Bo;;Dr.;\r
SORT-STRING:Kim\r
item3.SORT-STRING;X-SOURCE=import:Kim Bo\r
CLASS:PRIVATE\r
MAILER:Mutt\r
PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ==\r
ADR;TYPE=work,pref:;Suite 5;1 Elm St;Boston;MA;02110;USA\r
LABEL;TYPE=work,pref:1 Elm St\\nBoston\r
item2.TEL;TYPE=voice:+1 617 555 0199\r
item2.X-ABLabel:_$!<Assistant>!$_\r
EMAIL;TYPE=internet,pref:bo@example.com\r
X-ANNIVERSARY:2001-09-01\r
GEO:42.36;-71.06\r
NOTE:Grüße aus Köln\r
END:VCARD\r
";

fn cards(text: &str) -> Vec<Component> {
    let parsed = Parser::new().parse(text.as_bytes());
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    parsed.document.components
}

/// Each property as a line with parameters sorted and lowercased; the
/// VERSION line left out.
fn norm(c: &Component) -> BTreeSet<String> {
    let text = String::from_utf8(write_component(c, &WriteOptions::canonical())).unwrap();
    // Unfold and re-parse to get comparable properties in the card's dialect.
    let parsed = Parser::new().parse(text.as_bytes());
    let card = &parsed.document.components[0];
    card.properties
        .iter()
        .filter(|p| !p.is("VERSION"))
        .map(|p| {
            // A `tel:` URI and the same number as text are one telephone
            // number (RFC 6350 §6.4.1 allows both); 3.0 and 2.1 only have
            // the text form, so that is what comes back.
            let mut p = p.clone();
            if p.is("TEL")
                && let Some(Value::Uri(u)) = p.value().cloned()
                && let Some(num) = u.strip_prefix("tel:")
            {
                p.params_mut().remove("VALUE");
                p.set_values(ValueType::Text, Value::Text(num.to_owned().into()));
            }
            let mut params: Vec<String> = p
                .params()
                .iter()
                .map(|(n, v)| {
                    let mut vals: Vec<String> = v
                        .iter()
                        .flat_map(|x| x.split(','))
                        .map(|x| x.to_ascii_lowercase())
                        .collect();
                    vals.sort();
                    format!("{}={}", n.to_ascii_lowercase(), vals.join(","))
                })
                .collect();
            params.sort();
            let values: Vec<String> = p
                .values()
                .as_slice()
                .iter()
                .map(|v| format!("{v:?}"))
                .collect();
            format!(
                "{}{};{}:{}",
                p.group()
                    .map(|g| format!("{}.", g.to_ascii_lowercase()))
                    .unwrap_or_default(),
                p.name(),
                params.join(";"),
                values.join("|")
            )
        })
        .collect()
}

fn via(text: &str, from: Dialect, middle: Dialect) {
    for c in cards(text) {
        let (mid, _) = convert(&c, middle);
        let mid_text =
            String::from_utf8(write_component(&mid, &WriteOptions::canonical())).unwrap();
        let mid_card = cards(&mid_text).remove(0);
        assert_eq!(mid_card.dialect(), middle, "{mid_text}");
        let (back, _) = convert(&mid_card, from);
        let (a, b) = (norm(&c), norm(&back));
        let lost: Vec<_> = a.difference(&b).collect();
        let added: Vec<_> = b.difference(&a).collect();
        assert!(
            lost.is_empty() && added.is_empty(),
            "via {middle:?}: lost {lost:#?}\nadded {added:#?}\n{mid_text}"
        );
    }
}

#[test]
fn four_to_three_and_back() {
    via(V4, Dialect::VCard40, Dialect::VCard30);
}

#[test]
fn four_to_two_one_and_back() {
    via(V4, Dialect::VCard40, Dialect::VCard21);
}

#[test]
fn three_to_four_and_back() {
    via(V3, Dialect::VCard30, Dialect::VCard40);
}

#[test]
fn three_to_two_one_and_back() {
    via(V3, Dialect::VCard30, Dialect::VCard21);
}

#[test]
fn the_carriers_are_the_usual_ones() {
    let c = &cards(V4)[0];
    let (v3, _) = convert(c, Dialect::VCard30);
    let t = String::from_utf8(write_component(&v3, &WriteOptions::canonical())).unwrap();
    assert!(t.contains("X-ADDRESSBOOKSERVER-KIND:group"), "{t}");
    assert!(
        t.contains("X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:03a0e51f"),
        "{t}"
    );
    let c = &cards(V4)[1];
    let (v3, _) = convert(c, Dialect::VCard30);
    let t = String::from_utf8(write_component(&v3, &WriteOptions::canonical())).unwrap();
    for want in [
        "X-GENDER:F",
        "PHOTO;TYPE=JPEG;ENCODING=b:/9j/4AAQSkZJRgABAQ==",
        "item1.EMAIL;TYPE=pref:ann@example.com",
        "item1.X-ABLABEL:Work mail",
        "LABEL;TYPE=home:12 Main St\\nSpringfield",
        "SORT-STRING:Lee\\,Ann",
        "GEO:48.2;16.37",
        "EMAIL;X-PID=1.1:ann.lee@example.org",
    ] {
        assert!(t.contains(want), "{want} in\n{t}");
    }
    let (v21, _) = convert(c, Dialect::VCard21);
    let t = String::from_utf8(write_component(&v21, &WriteOptions::canonical())).unwrap();
    assert!(
        t.contains("PHOTO;JPEG;ENCODING=BASE64:") || t.contains("PHOTO;TYPE=JPEG;ENCODING=BASE64:"),
        "{t}"
    );
    assert!(
        t.contains("CHARSET=UTF-8") && t.contains("QUOTED-PRINTABLE"),
        "{t}"
    );
    // 2.1 types are bare parameters, as Outlook writes them.
    let tel = t
        .lines()
        .find(|l| l.starts_with("TEL") && l.contains("555 0100"))
        .unwrap();
    assert!(
        tel.starts_with("TEL;cell") && !tel.contains("TYPE="),
        "{tel}"
    );
    // N's sort string is 3.0's SORT-STRING; ORG's is carried, not dropped.
    let (v3, _) = convert(c, Dialect::VCard30);
    let t = String::from_utf8(write_component(&v3, &WriteOptions::canonical())).unwrap();
    assert!(t.contains("ORG;X-SORT-AS=Acme:Acme Corp;R&D"), "{t}");
}

#[test]
fn a_second_sort_string_is_kept_whole() {
    let c = &cards(V3)[0];
    let (v4, _) = convert(c, Dialect::VCard40);
    let t = String::from_utf8(write_component(&v4, &WriteOptions::canonical())).unwrap();
    assert!(t.contains("N;SORT-AS=Kim:Kim;Bo;;Dr.;"), "{t}");
    assert!(
        t.contains("item3.X-SORT-STRING;X-SOURCE=import:Kim Bo"),
        "{t}"
    );
}

#[test]
fn a_percent_encoded_data_uri_keeps_its_bytes() {
    let text = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\nLOGO:data:image/svg+xml,%3Csvg%2F%3E%zz\r\nEND:VCARD\r\n";
    let c = &cards(text)[0];
    let (v3, _) = convert(c, Dialect::VCard30);
    let logo = v3.property("LOGO").unwrap();
    // `<svg/>%zz`: the escapes decoded, the broken one kept as written.
    match logo.value() {
        Some(Value::Binary(b)) => assert_eq!(&b[..], b"<svg/>%zz"),
        other => panic!("{other:?}"),
    }
    let (back, _) = convert(&v3, Dialect::VCard40);
    let (_, bytes) = oxpim_contentline::vcard::parse_data_uri(
        back.property("LOGO").unwrap().as_text().unwrap_or_default(),
    )
    .or_else(|| match back.property("LOGO").unwrap().value() {
        Some(Value::Uri(u)) => oxpim_contentline::vcard::parse_data_uri(u),
        _ => None,
    })
    .unwrap();
    assert_eq!(bytes, b"<svg/>%zz");
}
