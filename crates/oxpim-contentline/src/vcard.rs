//! vCard version conversion: 2.1 ⇄ 3.0 ⇄ 4.0 without losing data.
//!
//! What a target version has no standard place for is carried by an X-
//! property or parameter — the ones other software already uses where such
//! a convention exists (`X-ANNIVERSARY`, `X-GENDER`,
//! `X-ADDRESSBOOKSERVER-KIND`/`-MEMBER`), `X-<NAME>` otherwise — and
//! converting back to a version that has the standard form restores it:
//!
//! | 4.0 | 3.0 and 2.1 |
//! |---|---|
//! | `PHOTO:data:image/jpeg;base64,…` (also LOGO, SOUND, KEY) | `PHOTO;ENCODING=b;TYPE=JPEG:…` (2.1: `ENCODING=BASE64`) |
//! | `PHOTO;MEDIATYPE=image/jpeg:http://…` (a URL; also LOGO, SOUND, KEY) | `PHOTO;TYPE=JPEG;VALUE=uri:http://…` (2.1: `VALUE=URL`) |
//! | `TZ;VALUE=utc-offset:-0500` | `TZ:-05:00` (RFC 2426's extended form) |
//! | `X-AGENT:BEGIN:VCARD\n…` (the agent's card, converted, as text) | 3.0: `AGENT:BEGIN:VCARD\n…`; 2.1: an empty `AGENT:` line followed by the card, embedded |
//! | `PREF=1` | `TYPE=pref` |
//! | `PREF=2` … `PREF=100` | `X-PREF=2` … |
//! | `ANNIVERSARY`, `GENDER`, `KIND`, `MEMBER` | `X-ANNIVERSARY`, `X-GENDER`, `X-ADDRESSBOOKSERVER-KIND`, `X-ADDRESSBOOKSERVER-MEMBER` |
//! | other 4.0-only properties (`RELATED`, `LANG`, `XML`, `CLIENTPIDMAP`, …) | `X-<NAME>` |
//! | `ADR;LABEL="…"` | a `LABEL` property with the address's TYPE |
//! | `N;SORT-AS="…"`, `ORG;SORT-AS="…"` | `SORT-STRING` |
//! | other 4.0-only parameters (`PID`, `ALTID`, `MEDIATYPE`, `CALSCALE`, …) | `X-<PARAMETER>` |
//! | `GEO:geo:48.2,16.3` | `GEO:48.2;16.3` |
//! | `X-<NAME>` for 3.0-only properties | `CLASS`, `MAILER`, `AGENT`, `NAME`, `PROFILE`, `LABEL` (without an address) |
//!
//! Groups (`item1.TEL`, `item1.X-ABLabel`, Apple's labels) are kept in every
//! version. Between 2.1 and 3.0, bare parameters (`TEL;WORK;VOICE`) and
//! `TYPE=` lists (a 4.0 quoted list, `TYPE="work,cell"`, is split into its
//! types), `ENCODING=BASE64` and `ENCODING=b`, and quoted-printable
//! with CHARSET (2.1) or plain UTF-8 (3.0) are the writer's business: the
//! model holds decoded values.

use crate::diag::{Code, Diagnostic, Severity};
use crate::model::{Component, Dialect, Param, ParamValue, Property};
use crate::value::{Value, ValueType};

/// Properties that only vCard 4.0 (RFC 6350 and its extensions) defines,
/// with the name 3.0 and 2.1 carry them under.
const ONLY_40: &[(&str, &str)] = &[
    ("ANNIVERSARY", "X-ANNIVERSARY"),
    ("GENDER", "X-GENDER"),
    ("KIND", "X-ADDRESSBOOKSERVER-KIND"),
    ("MEMBER", "X-ADDRESSBOOKSERVER-MEMBER"),
    ("RELATED", "X-RELATED"),
    ("LANG", "X-LANG"),
    ("XML", "X-XML"),
    ("CLIENTPIDMAP", "X-CLIENTPIDMAP"),
    ("BIRTHPLACE", "X-BIRTHPLACE"),
    ("DEATHPLACE", "X-DEATHPLACE"),
    ("DEATHDATE", "X-DEATHDATE"),
    ("EXPERTISE", "X-EXPERTISE"),
    ("HOBBY", "X-HOBBY"),
    ("INTEREST", "X-INTEREST"),
    ("ORG-DIRECTORY", "X-ORG-DIRECTORY"),
    ("CONTACT-URI", "X-CONTACT-URI"),
    ("CREATED", "X-CREATED"),
    ("GRAMGENDER", "X-GRAMGENDER"),
    ("LANGUAGE", "X-LANGUAGE"),
    ("PRONOUNS", "X-PRONOUNS"),
    ("SOCIALPROFILE", "X-SOCIALPROFILE"),
];

/// Aliases read as the 4.0 property (written by other software).
const ALIASES_40: &[(&str, &str)] = &[
    ("X-MS-ANNIVERSARY", "ANNIVERSARY"),
    ("X-EVOLUTION-ANNIVERSARY", "ANNIVERSARY"),
];

/// Properties of 3.0 (and 2.1) that vCard 4.0 dropped, with the name 4.0
/// carries them under.
const ONLY_30: &[(&str, &str)] = &[
    ("CLASS", "X-CLASS"),
    ("MAILER", "X-MAILER"),
    ("AGENT", "X-AGENT"),
    ("NAME", "X-NAME"),
    ("PROFILE", "X-PROFILE"),
];

/// The vCard 4.0 name of a property a conversion out of 4.0 carried under
/// an X- name (`X-ADDRESSBOOKSERVER-KIND` → `KIND`), unless `p` says the
/// name was the card's own (see [`convert`]); `None` for other names.
pub fn carried_40_name(p: &Property) -> Option<&'static str> {
    let name = p.name().to_ascii_uppercase();
    if p.params()
        .get(LITERAL)
        .is_some_and(|l| listed(l).contains(&name))
    {
        return None;
    }
    ONLY_40
        .iter()
        .find(|(_, alias)| *alias == name)
        .map(|(n, _)| *n)
}

/// The parameter that lists the names a card converted from 4.0 had of its
/// own although they are carrier names (see [`literal_names`]).
const LITERAL: &str = "X-OXPIM-LITERAL";

/// The names an [`LITERAL`] parameter lists, uppercase.
fn listed(param: &Param) -> Vec<String> {
    param
        .values
        .iter()
        .flat_map(|v| v.value.split(','))
        .map(|n| n.trim().to_ascii_uppercase())
        .collect()
}

/// The names of a 4.0 property that the conversion out of 4.0 would make
/// ambiguous: its own name when it is one that carries a 4.0 property
/// (`X-GENDER`, `X-MS-ANNIVERSARY`), and its parameters that carry 4.0
/// parameters (`X-PID`, `X-PREF`, `X-SORT-AS`). Converting back to 4.0
/// would turn them into the 4.0 names.
fn literal_names(p: &Property) -> Vec<String> {
    let name = p.name().to_ascii_uppercase();
    let mut out = Vec::new();
    if ONLY_40.iter().any(|(_, alias)| *alias == name)
        || ALIASES_40.iter().any(|(alias, _)| *alias == name)
    {
        out.push(name);
    }
    for (pn, _) in p.params().iter() {
        let pn = pn.to_ascii_uppercase();
        let carrier = pn
            .strip_prefix("X-")
            .is_some_and(|b| PARAMS_40.contains(&b) || b == "PREF" || b == "SORT-AS");
        if carrier {
            out.push(pn);
        }
    }
    out
}

/// Parameters that only 4.0 defines (PREF, LABEL and SORT-AS have their
/// own conversions).
const PARAMS_40: &[&str] = &[
    "PID",
    "ALTID",
    "MEDIATYPE",
    "CALSCALE",
    "GEO",
    "TZ",
    "INDEX",
    "LEVEL",
    "CC",
    "AUTHOR",
    "AUTHOR-NAME",
    "CREATED",
    "DERIVED",
    "PHONETIC",
    "PROP-ID",
    "SCRIPT",
    "SERVICE-TYPE",
    "USERNAME",
];

/// Properties whose value is a binary object.
const BINARY: &[&str] = &["PHOTO", "LOGO", "SOUND", "KEY"];

fn is_binary_prop(name: &str) -> bool {
    BINARY.iter().any(|b| b.eq_ignore_ascii_case(name))
}

fn version_of(d: Dialect) -> Option<&'static str> {
    match d {
        Dialect::VCard21 => Some("2.1"),
        Dialect::VCard30 => Some("3.0"),
        Dialect::VCard40 => Some("4.0"),
        _ => None,
    }
}

/// The media type of a binary object from its TYPE parameter values
/// (`JPEG`, `image/png`, `X509`), and the TYPE values left.
fn media_type(prop: &str, types: &[String]) -> (String, Vec<String>) {
    let family = match prop.to_ascii_uppercase().as_str() {
        "SOUND" => "audio",
        "KEY" => "application",
        _ => "image",
    };
    let mut rest = Vec::new();
    let mut found = None;
    for t in types {
        let l = t.to_ascii_lowercase();
        let known = match l.as_str() {
            "jpeg" | "jpg" | "png" | "gif" | "bmp" | "tiff" | "webp" | "svg+xml"
                if family == "image" =>
            {
                Some(format!(
                    "image/{}",
                    if l == "jpg" { "jpeg" } else { l.as_str() }
                ))
            }
            "wave" | "wav" | "mp3" | "ogg" | "basic" | "aiff" | "pcm" if family == "audio" => {
                Some(format!("audio/{l}"))
            }
            "x509" => Some("application/pkix-cert".to_owned()),
            "pgp" => Some("application/pgp-keys".to_owned()),
            _ if l.contains('/') => Some(l.clone()),
            _ => None,
        };
        match known {
            Some(m) if found.is_none() => found = Some(m),
            _ => rest.push(t.clone()),
        }
    }
    let default = match family {
        "image" => "image/jpeg",
        "audio" => "audio/basic",
        _ => "application/octet-stream",
    };
    (found.unwrap_or_else(|| default.to_owned()), rest)
}

/// The TYPE value 3.0 and 2.1 use for a media type (`image/jpeg` → `JPEG`).
fn type_of_media(media: &str) -> String {
    match media.to_ascii_lowercase().as_str() {
        "application/pkix-cert" | "application/x-x509-ca-cert" => "X509".to_owned(),
        "application/pgp-keys" => "PGP".to_owned(),
        m => m
            .split_once('/')
            .map_or(m, |(_, sub)| sub)
            .to_ascii_uppercase(),
    }
}

/// Splits a `data:` URI into its media type and decoded bytes.
pub fn parse_data_uri(uri: &str) -> Option<(String, Vec<u8>)> {
    let rest = uri
        .trim()
        .strip_prefix("data:")
        .or_else(|| uri.trim().strip_prefix("DATA:"))?;
    let (meta, data) = rest.split_once(',')?;
    let base64 = meta.to_ascii_lowercase().ends_with(";base64");
    let media = meta.split(';').next().unwrap_or("").to_owned();
    let bytes = if base64 {
        crate::decode::base64(data.as_bytes(), &mut crate::decode::DecodeIssues::default())
    } else {
        percent_decode(data)
    };
    Some((
        if media.is_empty() {
            "text/plain".to_owned()
        } else {
            media
        },
        bytes,
    ))
}

/// RFC 3986 percent-decoding of a `data:` URI's text part (RFC 2397): `%XX`
/// is the byte XX; a `%` not followed by two hex digits stays as it is.
fn percent_decode(s: &str) -> Vec<u8> {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(h << 4 | l);
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// A `data:` URI for bytes of a media type.
pub fn data_uri(media: &str, bytes: &[u8]) -> String {
    let mut s = format!("data:{media};base64,");
    crate::decode::encode_base64(&mut s, bytes);
    s
}

/// `p` under another name and value type: its group, parameters, values
/// and line kept.
/// An AGENT line for vCard `to`: a 2.1 embedded card (next in `embedded`)
/// becomes the text of an empty AGENT line in 3.0 and 4.0; an agent card
/// held as text becomes, for 2.1, a card to embed after the line, which is
/// returned (the line's value is then empty).
fn agent(
    p: &mut Property,
    to: Dialect,
    embedded: &mut std::collections::VecDeque<Component>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Component> {
    // An agent named by a URI: `VALUE=URL` in 2.1, `VALUE=uri` in 3.0 and 4.0.
    let value = p.params().first("VALUE").map(str::to_ascii_lowercase);
    match (value.as_deref(), to) {
        (Some("uri"), Dialect::VCard21) => p.params_mut().set("VALUE", "URL"),
        (Some("url"), Dialect::VCard30 | Dialect::VCard40) => p.params_mut().set("VALUE", "uri"),
        _ => {}
    }
    let text = p.as_text().map(str::trim).unwrap_or_default();
    if to != Dialect::VCard21 {
        if text.is_empty()
            && let Some(card) = embedded.pop_front()
        {
            let (conv, more) = convert(&card, to);
            diags.extend(more);
            let opts = crate::WriteOptions {
                faithful: false,
                fold_at: usize::MAX,
            };
            let written = String::from_utf8_lossy(&crate::write_component(&conv, &opts))
                .replace("\r\n", "\n");
            p.params_mut().remove("VALUE");
            let ty = if to == Dialect::VCard30 {
                ValueType::VCard
            } else {
                ValueType::Text
            };
            p.set_values(ty, Value::Text(written.into()));
        }
        return None;
    }
    if !text
        .get(..11)
        .is_some_and(|b| b.eq_ignore_ascii_case("BEGIN:VCARD"))
    {
        return None;
    }
    let parsed = crate::Parser::new().parse(text.as_bytes());
    let card = parsed
        .document
        .components
        .into_iter()
        .find(|c| c.is("VCARD"))?;
    let (conv, more) = convert(&card, to);
    diags.extend(more);
    p.params_mut().remove("VALUE");
    p.set_values(ValueType::Text, Value::Text("".into()));
    Some(conv)
}

fn renamed_as(p: &Property, name: &str, value_type: ValueType) -> Property {
    let mut q = Property::new(name, value_type.clone(), Value::Text("".into()));
    q.set_values(value_type, p.values().clone());
    for (pn, pv) in p.params().iter() {
        q.params_mut().insert(pn, pv.clone());
    }
    q.set_group(p.group());
    q.line = p.line;
    q
}

fn types_of(p: &Property) -> Vec<String> {
    p.params()
        .get("TYPE")
        .map(|t| {
            t.iter()
                .flat_map(|v| v.split(','))
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn set_types(p: &mut Property, types: &[String]) {
    p.params_mut().remove("TYPE");
    if !types.is_empty() {
        p.params_mut().insert(
            "TYPE",
            Param {
                values: types.iter().map(|t| ParamValue::new(t.clone())).collect(),
                bare: false,
            },
        );
    }
}

fn warn(diags: &mut Vec<Diagnostic>, line: u32, msg: String) {
    diags.push(Diagnostic {
        line,
        column: 1,
        severity: Severity::Warning,
        code: Code::Conversion,
        message: msg,
    });
}

/// Converts one VCARD to vCard `to` (2.1, 3.0 or 4.0). The result has no
/// source bytes, so it is written in `to`'s syntax; diagnostics say what
/// took a carrier form. What `to` requires is added (N for 2.1 and 3.0,
/// FN for 3.0 and 4.0, all five components of N and seven of ADR), with a
/// warning for each property added; an empty N, which 4.0 does not
/// require, is left out in 4.0.
pub fn convert(card: &Component, to: Dialect) -> (Component, Vec<Diagnostic>) {
    convert_card(card, to, true)
}

/// [`convert`] without adding what `to` requires: the card's own
/// properties only, for a reader that maps them (oxpim-mapi's contact
/// import, which builds Outlook's display name itself).
pub fn convert_as_is(card: &Component, to: Dialect) -> (Component, Vec<Diagnostic>) {
    convert_card(card, to, false)
}

fn convert_card(card: &Component, to: Dialect, required: bool) -> (Component, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut out = card.clone();
    out.forget_source();
    out.set_dialect(to);
    let Some(version) = version_of(to) else {
        warn(
            &mut diags,
            card.line(),
            format!("{to:?} is not a vCard version; nothing converted"),
        );
        return (out, diags);
    };
    let to40 = to == Dialect::VCard40;
    let mut props: Vec<Property> = Vec::with_capacity(out.properties.len() + 2);
    let mut labels: Vec<Property> = Vec::new();
    let mut sort_string: Option<(u32, String)> = None;
    // vCard 2.1 embeds an agent's card after an empty AGENT line; 3.0 and
    // 4.0 hold it as the AGENT's text (RFC 2426 §3.5.4).
    let mut embedded: std::collections::VecDeque<Component> = std::collections::VecDeque::new();
    if to != Dialect::VCard21 {
        let (cards, rest): (Vec<Component>, Vec<Component>) = std::mem::take(&mut out.components)
            .into_iter()
            .partition(|c| c.is("VCARD"));
        embedded.extend(cards);
        out.components = rest;
    }
    for mut p in std::mem::take(&mut out.properties) {
        let name = p.name().to_ascii_uppercase();
        if name == "VERSION" {
            props.push(Property::text("VERSION", version));
            continue;
        }
        // Names a 4.0 card has of its own that are also carrier names
        // (a 4.0 `X-GENDER` next to GENDER, an `X-PID` parameter): marked
        // on the way out of 4.0 and kept as they are on the way back.
        let literal: Vec<String> = if to40 {
            p.params_mut()
                .remove(LITERAL)
                .map(|param| listed(&param))
                .unwrap_or_default()
        } else if card.dialect() == Dialect::VCard40 {
            literal_names(&p)
        } else {
            Vec::new()
        };
        // Property names.
        let renamed: Option<&str> = if to40 && literal.contains(&name) {
            None
        } else if to40 {
            ONLY_40
                .iter()
                .find(|(_, alias)| *alias == name)
                .map(|(n, _)| *n)
                .or_else(|| ALIASES_40.iter().find(|(a, _)| *a == name).map(|(_, n)| *n))
                .or_else(|| ONLY_30.iter().find(|(n, _)| *n == name).map(|(_, a)| *a))
        } else {
            ONLY_40
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, a)| *a)
                .or_else(|| ONLY_30.iter().find(|(_, a)| *a == name).map(|(n, _)| *n))
        };
        if let Some(new) = renamed {
            p = renamed_as(&p, new, p.value_type().clone());
        }
        let name = p.name().to_ascii_uppercase();
        if (name == "AGENT" || name == "X-AGENT")
            && let Some(mut card) = agent(&mut p, to, &mut embedded, &mut diags)
        {
            props.push(p);
            // Written right after its AGENT line.
            card.after_properties = props.len();
            out.components.push(card);
            continue;
        }
        // LABEL of 3.0 becomes the LABEL parameter of its ADR in 4.0.
        if to40 && (name == "LABEL" || name == "X-LABEL") {
            labels.push(p);
            continue;
        }
        if !to40 && name == "X-LABEL" {
            p = renamed_as(&p, "LABEL", ValueType::Text);
        }
        if to40 && name == "SORT-STRING" {
            // The first SORT-STRING without group or parameters becomes N's
            // SORT-AS; any other is kept whole as X-SORT-STRING, so that
            // nothing of it is lost.
            if sort_string.is_none() && p.group().is_none() && p.params().is_empty() {
                sort_string = p.as_text().map(|t| (p.line(), t.to_owned()));
                continue;
            }
            p = renamed_as(&p, "X-SORT-STRING", ValueType::Text);
        }
        if !to40 && name == "X-SORT-STRING" {
            p = renamed_as(&p, "SORT-STRING", ValueType::Text);
        }
        convert_params(&mut p, to, &mut labels, &mut sort_string, &literal);
        if !to40 && !literal.is_empty() {
            p.params_mut().set(LITERAL, literal.join(","));
        }
        convert_value(&mut p, to, &mut diags);
        retype(&mut p, to);
        // A quoted TYPE list (`TYPE="work,cell"`, RFC 6350 §6.4.1's form)
        // is one value in 3.0's grammar and cannot be written in 2.1:
        // its types become values of their own.
        if !to40
            && p.params()
                .get("TYPE")
                .is_some_and(|t| t.iter().any(|v| v.contains(',')))
        {
            let types = types_of(&p);
            set_types(&mut p, &types);
        }
        // 2.1 has no escape for a comma: one inside a category or nickname
        // reads back as two.
        if to == Dialect::VCard21
            && (name == "CATEGORIES" || name == "NICKNAME")
            && p.values()
                .as_slice()
                .iter()
                .any(|v| v.as_str().is_some_and(|t| t.contains(',')))
        {
            warn(
                &mut diags,
                p.line(),
                format!(
                    "{name}: vCard 2.1 cannot write a comma inside one value; it reads back as two values"
                ),
            );
        }
        if to == Dialect::VCard21 {
            // 2.1 has no quoted or encoded parameter values: a value with
            // one of these reads back cut, or loses the character.
            let bad: Vec<String> = p
                .params()
                .iter()
                .filter(|(_, v)| {
                    v.iter()
                        .any(|x| x.contains(['"', ';', ':', ',', '\n', '\r']))
                })
                .map(|(n, _)| n.to_owned())
                .collect();
            if !bad.is_empty() {
                warn(
                    &mut diags,
                    p.line(),
                    format!(
                        "{name}: vCard 2.1 cannot write the parameter value of {} (a quote, line break, ';', ':' or ','); a 2.1 reader may read it cut, and quotes and line breaks are left out",
                        bad.join(", ")
                    ),
                );
            }
        }
        if to == Dialect::VCard21
            && let Some(t) = p.params_mut().get_mut("TYPE")
        {
            // 2.1 lists types as bare parameters (`TEL;WORK;VOICE:`), the
            // form Outlook writes; the writer falls back to `TYPE=` for a
            // value that is not a token.
            t.bare = true;
        }
        props.push(p);
    }
    // Embedded cards no empty AGENT line took stay embedded.
    out.components.extend(embedded);
    if !to40 {
        // LABEL parameters of 4.0 addresses, as 3.0 LABEL properties; the
        // sort string of N.
        if to == Dialect::VCard21 {
            for l in &mut labels {
                if let Some(t) = l.params_mut().get_mut("TYPE") {
                    t.bare = true;
                }
            }
        }
        props.extend(labels);
        if let Some((_, s)) = sort_string {
            props.push(Property::text("SORT-STRING", s));
        }
        if required {
            complete(&mut props, to, card.line(), &mut diags);
        }
        out.properties = props;
        return (out, diags);
    }
    // 3.0 LABELs join the ADR with the same TYPE set (or become X-LABEL).
    for l in labels {
        let text = text_to_label_param(l.as_text().unwrap_or_default());
        let mut ltypes: Vec<String> = types_of(&l)
            .iter()
            .map(|t| t.to_ascii_lowercase())
            .collect();
        ltypes.retain(|t| t != "pref");
        ltypes.sort();
        let target = props.iter_mut().find(|p| {
            p.is("ADR") && !p.params().contains("LABEL") && {
                let mut t: Vec<String> =
                    types_of(p).iter().map(|t| t.to_ascii_lowercase()).collect();
                t.retain(|t| t != "pref");
                t.sort();
                t == ltypes
            }
        });
        match target {
            Some(adr) => adr.params_mut().set("LABEL", text),
            // The text itself, line breaks and all (not the parameter's
            // `\n` form, which a TEXT value would write as `\\n`).
            None => props.push(renamed_as(&l, "X-LABEL", ValueType::Text)),
        }
    }
    if let Some((_, s)) = sort_string {
        match props.iter_mut().find(|p| p.is("N")) {
            Some(n) => n.params_mut().set("SORT-AS", s),
            None => props.push(Property::text("X-SORT-STRING", s)),
        }
    }
    if required {
        complete(&mut props, to, card.line(), &mut diags);
    }
    out.properties = props;
    (out, diags)
}

/// Gives the converted card what `to` requires: N (2.1, 3.0: RFC 2426 §5
/// requires N and FN) and FN (3.0, 4.0: RFC 6350 §6.2.1), each said in a
/// warning; and N and ADR their five and seven components (a shorter one
/// is padded with empty ones, as RFC 6350 §6.2.2 and §6.3.1 fix them).
fn complete(props: &mut Vec<Property>, to: Dialect, line: u32, diags: &mut Vec<Diagnostic>) {
    if to == Dialect::VCard40 {
        // An empty N is what 3.0 and 2.1 require of a card without a name
        // (a group, an organisation); 4.0 does not, and it holds nothing:
        // left out, so that 4.0 → 3.0 → 4.0 gives the card back.
        props.retain(|p| {
            !(p.is("N")
                && p.group().is_none()
                && p.params().is_empty()
                && matches!(p.value(), Some(Value::Structured(parts))
                    if parts.iter().flatten().all(|s| s.trim().is_empty())))
        });
    }
    for p in props.iter_mut() {
        let want = if p.is("N") {
            5
        } else if p.is("ADR") {
            7
        } else {
            continue;
        };
        if let Some(Value::Structured(parts)) = p.values_mut().as_mut_slice().first_mut()
            && parts.len() < want
        {
            parts.resize_with(want, || vec![crate::Str::new()]);
        }
    }
    let at = props
        .iter()
        .position(|p| p.is("VERSION"))
        .map_or(0, |i| i + 1);
    if to != Dialect::VCard21 && !props.iter().any(|p| p.is("FN")) {
        let from_n = props
            .iter()
            .find(|p| p.is("N"))
            .and_then(|n| match n.value() {
                Some(Value::Structured(parts)) => {
                    // Prefix, given, additional, family, suffix.
                    let words: Vec<String> = [3usize, 1, 2, 0, 4]
                        .iter()
                        .filter_map(|i| parts.get(*i))
                        .flat_map(|c| c.iter().map(|s| s.trim().to_owned()))
                        .filter(|s| !s.is_empty())
                        .collect();
                    (!words.is_empty()).then(|| words.join(" "))
                }
                _ => None,
            });
        let name = from_n
            .or_else(|| {
                props
                    .iter()
                    .find(|p| p.is("ORG"))
                    .and_then(|o| match o.value() {
                        Some(Value::Structured(parts)) => parts
                            .first()
                            .and_then(|c| c.first())
                            .map(|s| s.trim().to_owned()),
                        Some(v) => v.as_str().map(str::to_owned),
                        None => None,
                    })
            })
            .or_else(|| {
                props
                    .iter()
                    .find(|p| p.is("EMAIL"))
                    .and_then(|e| e.value().and_then(Value::as_str).map(str::to_owned))
            })
            .unwrap_or_default();
        warn(
            diags,
            line,
            format!(
                "{} requires FN; FN:{name} was added (made from N, ORG or EMAIL)",
                to.label()
            ),
        );
        props.insert(at, Property::text("FN", name));
    }
    if to != Dialect::VCard40 && !props.iter().any(|p| p.is("N")) {
        warn(
            diags,
            line,
            format!("{} requires N; an empty N was added", to.label()),
        );
        let empty = (0..5).map(|_| vec![crate::Str::new()]).collect();
        props.insert(
            at,
            Property::new("N", ValueType::Text, Value::Structured(empty)),
        );
    }
}

/// Parameters of one property for the target version. LABEL and SORT-AS
/// parameters leaving 4.0 become properties (pushed to `labels` as LABEL
/// properties, or SORT-STRING).
fn convert_params(
    p: &mut Property,
    to: Dialect,
    labels: &mut Vec<Property>,
    sort: &mut Option<(u32, String)>,
    literal: &[String],
) {
    let to40 = to == Dialect::VCard40;
    // Bare 2.1 parameters are TYPE values; the writer decides their form.
    let names: Vec<String> = p
        .params()
        .iter()
        .map(|(n, _)| n.to_ascii_uppercase())
        .collect();
    for pn in names {
        if to != Dialect::VCard21
            && let Some(param) = p.params_mut().get_mut(&pn)
        {
            param.bare = false;
        }
        if to40 && literal.contains(&pn) {
            continue;
        }
        match pn.as_str() {
            "CHARSET" if to != Dialect::VCard21 => {
                p.params_mut().remove(&pn);
            }
            "ENCODING" => {
                // Values are decoded; the writer adds what the target needs.
                p.params_mut().remove(&pn);
            }
            "PREF" if !to40 => {
                let n = p.params().first("PREF").unwrap_or("1").trim().to_owned();
                p.params_mut().remove("PREF");
                if n == "1" {
                    let mut t = types_of(p);
                    if !t.iter().any(|x| x.eq_ignore_ascii_case("pref")) {
                        t.push("pref".to_owned());
                    }
                    set_types(p, &t);
                } else {
                    p.params_mut().set("X-PREF", n);
                }
            }
            "X-PREF" if to40 => {
                let n = p.params().first("X-PREF").unwrap_or("1").to_owned();
                p.params_mut().remove("X-PREF");
                p.params_mut().set("PREF", n);
            }
            "LABEL" if !to40 => {
                if let Some(text) = p.params().first("LABEL").map(label_param_to_text) {
                    let mut l = Property::text("LABEL", text);
                    let t = types_of(p);
                    set_types(&mut l, &t);
                    l.set_group(p.group());
                    labels.push(l);
                }
                p.params_mut().remove("LABEL");
            }
            "SORT-AS" if !to40 => {
                // N's sort string is 3.0's SORT-STRING; another property's
                // (ORG's) is carried as X-SORT-AS, so that both survive.
                if p.is("N") && sort.is_none() {
                    *sort = p
                        .params()
                        .first("SORT-AS")
                        .map(|s| (p.line(), s.to_owned()));
                    p.params_mut().remove("SORT-AS");
                } else if let Some(param) = p.params_mut().remove("SORT-AS") {
                    p.params_mut().insert("X-SORT-AS", param);
                }
            }
            "X-SORT-AS" if to40 => {
                if let Some(param) = p.params_mut().remove("X-SORT-AS") {
                    p.params_mut().insert("SORT-AS", param);
                }
            }
            _ => {
                if !to40 && PARAMS_40.contains(&pn.as_str()) {
                    if let Some(param) = p.params_mut().remove(&pn) {
                        p.params_mut().insert(&format!("X-{pn}"), param);
                    }
                } else if to40
                    && let Some(base) = pn.strip_prefix("X-")
                    && PARAMS_40.contains(&base)
                    && let Some(param) = p.params_mut().remove(&pn)
                {
                    p.params_mut().insert(base, param);
                }
            }
        }
    }
    if to40 {
        // TYPE=pref → PREF=1.
        let t = types_of(p);
        if t.iter().any(|x| x.eq_ignore_ascii_case("pref")) {
            let rest: Vec<String> = t
                .into_iter()
                .filter(|x| !x.eq_ignore_ascii_case("pref"))
                .collect();
            set_types(p, &rest);
            if !p.params().contains("PREF") {
                p.params_mut().set("PREF", "1");
            }
        }
    }
}

/// RFC 6350 writes the line breaks of a LABEL parameter as `\n` (RFC 6868
/// `^n` arrives already decoded as a line break): both become line breaks.
fn label_param_to_text(v: &str) -> String {
    v.replace("\\n", "\n").replace("\\N", "\n")
}

/// A LABEL property's text as a LABEL parameter, line breaks as `\n`.
fn text_to_label_param(v: &str) -> String {
    v.replace("\r\n", "\n").replace('\n', "\\n")
}

/// `scheme:rest` with an RFC 3986 scheme.
fn looks_like_uri(s: &str) -> bool {
    s.split_once(':').is_some_and(|(scheme, rest)| {
        !rest.is_empty()
            && scheme.len() > 1
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

fn text_like(t: &ValueType) -> bool {
    matches!(
        t,
        ValueType::Text | ValueType::PhoneNumber | ValueType::LanguageTag | ValueType::Unknown
    )
}

fn date_like(t: &ValueType) -> bool {
    matches!(
        t,
        ValueType::Date | ValueType::DateTime | ValueType::DateAndOrTime | ValueType::Timestamp
    )
}

/// The value type the target version gives the property by default, when
/// the value fits it (so that no `VALUE=` is written for a mere change of
/// version); carriers (X- names) hold their values untyped.
fn retype(p: &mut Property, to: Dialect) {
    let default = crate::value::registry::lookup(to, p.name()).map(|s| s.default);
    if let Some(v) = p.params().first("VALUE") {
        // `VALUE=` naming the target's default says nothing there.
        if default
            .as_ref()
            .is_some_and(|d| d.name().eq_ignore_ascii_case(v.trim()))
        {
            let values = p.values().clone();
            p.params_mut().remove("VALUE");
            if let Some(d) = default {
                p.set_values(d, values);
            }
        }
        return;
    }
    // A text that is a URI where the target's default is URI (UID in 4.0),
    // and the other way.
    match (p.value_type().clone(), &default, p.value().cloned()) {
        (ValueType::Text, Some(ValueType::Uri), Some(Value::Text(t))) if looks_like_uri(&t) => {
            p.set_values(ValueType::Uri, Value::Uri(t));
            return;
        }
        (ValueType::Uri, Some(ValueType::Text), Some(Value::Uri(t))) => {
            p.set_values(ValueType::Text, Value::Text(t));
            return;
        }
        _ => {}
    }
    let current = p.value_type().clone();
    if current == ValueType::Unknown
        && crate::value::registry::lookup(to, p.name()).is_some()
        && let Some(typed) = reparse(p, to)
    {
        *p = typed;
        return;
    }
    match crate::value::registry::lookup(to, p.name()).map(|s| s.default) {
        Some(default)
            if default != current
                && ((text_like(&current) && text_like(&default))
                    || (date_like(&current) && date_like(&default))) =>
        {
            let values = p.values().clone();
            p.set_values(default, values);
        }
        None if current != ValueType::Binary => {
            let values = p.values().clone();
            p.set_values(ValueType::Unknown, values);
        }
        _ => {}
    }
}

/// The property read again as the target version types it (for values
/// that were carried untyped under an X- name).
fn reparse(p: &Property, to: Dialect) -> Option<Property> {
    let version = version_of(to)?;
    let line = crate::write::write_property(p, to, &crate::write::WriteOptions::canonical());
    let mut text = format!("BEGIN:VCARD\r\nVERSION:{version}\r\n").into_bytes();
    text.extend_from_slice(&line);
    text.extend_from_slice(b"END:VCARD\r\n");
    let parsed = crate::Parser::new().parse(&text);
    let card = parsed.document.components.into_iter().next()?;
    let mut q = card.properties.into_iter().find(|x| x.is(p.name()))?;
    q.forget_source();
    q.set_group(p.group());
    if q.value().is_some_and(Value::is_invalid) {
        return None;
    }
    Some(q)
}

fn convert_value(p: &mut Property, to: Dialect, diags: &mut Vec<Diagnostic>) {
    let to40 = to == Dialect::VCard40;
    let name = p.name().to_ascii_uppercase();
    if is_binary_prop(&name) {
        match (p.value().cloned(), to40) {
            (Some(Value::Binary(bytes)), true) => {
                let (media, rest) = media_type(&name, &types_of(p));
                set_types(p, &rest);
                p.params_mut().remove("VALUE");
                p.set_values(ValueType::Uri, Value::Uri(data_uri(&media, &bytes).into()));
            }
            // A URL (2.1 `VALUE=URL`, 3.0 `VALUE=uri`): URI is 4.0's
            // default, and a TYPE naming a format is 4.0's MEDIATYPE.
            (Some(Value::Uri(u)), true) => {
                let types = types_of(p);
                let (media, rest) = media_type(&name, &types);
                if rest.len() < types.len() {
                    set_types(p, &rest);
                    p.params_mut().set("MEDIATYPE", media);
                }
                p.params_mut().remove("VALUE");
                p.set_values(ValueType::Uri, Value::Uri(u));
            }
            (Some(Value::Uri(u) | Value::Text(u) | Value::Unknown(u)), false) => {
                if let Some((media, bytes)) = parse_data_uri(&u) {
                    let mut t = types_of(p);
                    t.insert(0, type_of_media(&media));
                    set_types(p, &t);
                    p.params_mut().remove("VALUE");
                    p.params_mut().remove("MEDIATYPE");
                    p.params_mut().remove("X-MEDIATYPE");
                    p.set_values(ValueType::Binary, Value::Binary(bytes));
                } else {
                    // 4.0's MEDIATYPE of a URL is the TYPE of 3.0 and 2.1.
                    let media = ["MEDIATYPE", "X-MEDIATYPE"]
                        .iter()
                        .find_map(|m| p.params().first(m).map(str::to_owned));
                    if let Some(media) = media {
                        let mut t = types_of(p);
                        t.insert(0, type_of_media(&media));
                        set_types(p, &t);
                        p.params_mut().remove("MEDIATYPE");
                        p.params_mut().remove("X-MEDIATYPE");
                    }
                    let value = if to == Dialect::VCard21 { "URL" } else { "uri" };
                    p.params_mut().set("VALUE", value);
                    p.set_values(ValueType::Uri, Value::Uri(u));
                }
            }
            _ => {}
        }
        return;
    }
    match name.as_str() {
        "GEO" => match (p.value().cloned(), to40) {
            (Some(Value::Geo(lat, lon)), true) => {
                p.set_values(
                    ValueType::Uri,
                    Value::Uri(format!("geo:{lat},{lon}").into()),
                );
            }
            (Some(Value::Uri(u) | Value::Text(u) | Value::Unknown(u)), false) => {
                let coords = u
                    .trim()
                    .strip_prefix("geo:")
                    .map(|c| c.split(';').next().unwrap_or(c));
                let parsed = coords.and_then(|c| {
                    let (a, b) = c.split_once(',')?;
                    Some((a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?))
                });
                match parsed {
                    Some((a, b)) => p.set_values(ValueType::Float, Value::Geo(a, b)),
                    None => warn(
                        diags,
                        p.line(),
                        format!("GEO {u:?} is not a geo: URI; kept as written"),
                    ),
                }
            }
            _ => {}
        },
        "TEL" if !to40 => {
            if let Some(Value::Uri(u)) = p.value().cloned()
                && let Some(num) = u.strip_prefix("tel:")
            {
                p.params_mut().remove("VALUE");
                p.set_values(ValueType::Text, Value::Text(num.to_owned().into()));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Parser, WriteOptions, write_component};

    fn card(text: &str) -> Component {
        let parsed = Parser::new().parse(text.as_bytes());
        parsed.document.components.into_iter().next().unwrap()
    }

    fn text(c: &Component) -> String {
        String::from_utf8(write_component(c, &WriteOptions::canonical())).unwrap()
    }

    #[test]
    fn parameter_values_2_1_cannot_write_are_said() {
        let v4 = card(
            "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:P\r\nEMAIL;X-LBL=\"Tom:Work, Inc\":p@x\r\nNOTE;X-Q=\"a^nb\":hi\r\nTEL;TYPE=work:+1\r\nEND:VCARD\r\n",
        );
        let (_, diags) = convert(&v4, Dialect::VCard21);
        let said: Vec<&str> = diags
            .iter()
            .filter(|d| d.message.contains("cannot write the parameter value"))
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(said.len(), 2, "{said:?}");
        assert!(said[0].starts_with("EMAIL") && said[0].contains("X-LBL"));
        assert!(said[1].starts_with("NOTE") && said[1].contains("X-Q"));
        // 3.0 quotes them: nothing to say.
        let (_, diags) = convert(&v4, Dialect::VCard30);
        assert!(!diags.iter().any(|d| d.message.contains("parameter value")));
    }

    #[test]
    fn converted_cards_have_what_their_version_requires() {
        // 4.0 needs only FN; 3.0 and 2.1 need N (RFC 2426 §5).
        let only_fn = card("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Only FN\r\nEND:VCARD\r\n");
        for to in [Dialect::VCard30, Dialect::VCard21] {
            let (c, diags) = convert(&only_fn, to);
            let out = text(&c);
            assert!(out.contains("\r\nN:;;;;\r\n"), "{out}");
            assert!(diags.iter().any(|d| d.message.contains("requires N")));
        }
        let (c, diags) = convert(&only_fn, Dialect::VCard40);
        assert!(c.property("N").is_none() && diags.is_empty());
        // 3.0 and 4.0 need FN (RFC 6350 §6.2.1), made from N; N has its
        // five components (RFC 6350 §6.2.2), ADR its seven.
        let only_n =
            card("BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;J\r\nADR;HOME:;;Street 1\r\nEND:VCARD\r\n");
        for to in [Dialect::VCard30, Dialect::VCard40] {
            let (c, diags) = convert(&only_n, to);
            let out = text(&c);
            assert!(out.contains("\r\nFN:J Doe\r\n"), "{out}");
            assert!(out.contains("\r\nN:Doe;J;;;\r\n"), "{out}");
            assert!(out.contains(":;;Street 1;;;;\r\n"), "{out}");
            assert!(diags.iter().any(|d| d.message.contains("requires FN")));
        }
        // As is: nothing added.
        let (c, _) = convert_as_is(&only_fn, Dialect::VCard30);
        assert!(c.property("N").is_none());
    }

    #[test]
    fn labels_type_lists_and_categories_between_versions() {
        // A 3.0 LABEL with no ADR of its types: X-LABEL in 4.0 with the
        // same line break, and LABEL again in 3.0.
        let v3 = card(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nLABEL;TYPE=HOME:Line 1\\nLine 2\r\nEND:VCARD\r\n",
        );
        let (v4, _) = convert(&v3, Dialect::VCard40);
        let label = v4.property("X-LABEL").unwrap();
        assert_eq!(label.as_text(), Some("Line 1\nLine 2"));
        let (back, _) = convert(&card(&text(&v4)), Dialect::VCard30);
        assert!(
            text(&back).contains("LABEL;TYPE=HOME:Line 1\\nLine 2\r\n"),
            "{}",
            text(&back)
        );
        // RFC 6350's quoted TYPE list: separate types in 3.0 and 2.1.
        let v4 = card(
            "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:A\r\nTEL;VALUE=uri;TYPE=\"work,cell\":tel:+1-111\r\nEND:VCARD\r\n",
        );
        let (v3, _) = convert(&v4, Dialect::VCard30);
        assert!(
            text(&v3).contains("TEL;TYPE=work,cell:+1-111\r\n"),
            "{}",
            text(&v3)
        );
        let (v21, _) = convert(&v4, Dialect::VCard21);
        assert!(
            text(&v21).contains("TEL;work;cell:+1-111\r\n"),
            "{}",
            text(&v21)
        );
        // Categories in 2.1 are a comma list both ways; a comma inside one
        // cannot be written there, and the conversion says so.
        let v3 = card(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nN:A;;;;\r\nCATEGORIES:Friends,Work\r\nNICKNAME:Bob,Rob\r\nEND:VCARD\r\n",
        );
        let (v21, diags) = convert(&v3, Dialect::VCard21);
        assert!(diags.is_empty(), "{diags:?}");
        let read = card(&text(&v21));
        assert_eq!(read.property("CATEGORIES").unwrap().values().len(), 2);
        assert_eq!(read.property("NICKNAME").unwrap().values().len(), 2);
        let (again, _) = convert(&read, Dialect::VCard30);
        assert!(
            text(&again).contains("CATEGORIES:Friends,Work\r\n"),
            "{}",
            text(&again)
        );
        let comma = card(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nN:A;;;;\r\nCATEGORIES:A\\, B\r\nEND:VCARD\r\n",
        );
        let (_, diags) = convert(&comma, Dialect::VCard21);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(diags[0].message.contains("comma inside one value"));
        // A 2.1 photo URL: URI is 4.0's default (VALUE=URL is no 4.0 type)
        // and its format a MEDIATYPE; back in 3.0, TYPE and VALUE=uri.
        let v21 = card(
            "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:A\r\nPHOTO;VALUE=URL;TYPE=JPEG:http://x.example/p.jpg\r\nEND:VCARD\r\n",
        );
        let (v4, _) = convert(&v21, Dialect::VCard40);
        assert!(
            text(&v4).contains("PHOTO;MEDIATYPE=image/jpeg:http://x.example/p.jpg\r\n"),
            "{}",
            text(&v4)
        );
        let (v3, _) = convert(&card(&text(&v4)), Dialect::VCard30);
        assert!(
            text(&v3).contains("PHOTO;TYPE=JPEG;VALUE=uri:http://x.example/p.jpg\r\n"),
            "{}",
            text(&v3)
        );
    }

    #[test]
    fn agents_between_versions() {
        // 2.1 embeds the agent's card after an empty AGENT line; 3.0 holds
        // it as the AGENT's text (RFC 2426 §3.5.4), 4.0 as X-AGENT's.
        let v21 = card(
            "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Boss;Bob\r\nAGENT:\r\nBEGIN:VCARD\r\nVERSION:2.1\r\nN:Secretary;Sue\r\nTEL:+1 555 9999\r\nEND:VCARD\r\nFN:Bob Boss\r\nEND:VCARD\r\n",
        );
        let (v3, _) = convert(&v21, Dialect::VCard30);
        assert!(v3.components.is_empty());
        assert_eq!(
            v3.property("AGENT").unwrap().as_text(),
            // (with the FN that 3.0 requires, made from N)
            Some(
                "BEGIN:VCARD\nVERSION:3.0\nFN:Sue Secretary\nN:Secretary;Sue;;;\nTEL:+1 555 9999\nEND:VCARD\n"
            )
        );
        let t3 = text(&v3);
        assert!(
            t3.contains(
                "AGENT:BEGIN:VCARD\\nVERSION:3.0\\nFN:Sue Secretary\\nN:Secretary\\;Sue\\;"
            ),
            "{t3}"
        );
        let (v4, _) = convert(&v21, Dialect::VCard40);
        assert!(
            v4.property("X-AGENT")
                .unwrap()
                .as_text()
                .unwrap()
                .contains("VERSION:4.0")
        );
        // Back to 2.1: embedded again, right after its AGENT line.
        let (back, _) = convert(&card(&t3), Dialect::VCard21);
        let t21 = text(&back);
        assert!(
            t21.contains("AGENT:\r\nBEGIN:VCARD\r\nVERSION:2.1\r\nFN:Sue Secretary\r\nN:Secretary;Sue;;;\r\nTEL:+1 555 9999\r\nEND:VCARD\r\nFN:Bob Boss\r\n"),
            "{t21}"
        );
        // An agent named by a URI.
        let uri = card(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:B\r\nAGENT;VALUE=uri:CID:JQPUBLIC.part3@host3.com\r\nEND:VCARD\r\n",
        );
        let (v21, _) = convert(&uri, Dialect::VCard21);
        assert!(text(&v21).contains("AGENT;VALUE=URL:CID:JQPUBLIC.part3@host3.com\r\n"));
        let (v3, _) = convert(&card(&text(&v21)), Dialect::VCard30);
        assert!(text(&v3).contains("AGENT;VALUE=uri:CID:JQPUBLIC.part3@host3.com\r\n"));
    }

    #[test]
    fn photo_pref_and_anniversary() {
        let v4 = card(
            "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ann\r\nPHOTO:data:image/png;base64,iVBORw0KGgo=\r\nTEL;TYPE=cell;PREF=1:+1 555\r\nTEL;TYPE=home;PREF=2:+1 556\r\nANNIVERSARY:20100611\r\nEND:VCARD\r\n",
        );
        let (v3, _) = convert(&v4, Dialect::VCard30);
        let t3 = text(&v3);
        assert!(t3.contains("VERSION:3.0"), "{t3}");
        assert!(
            t3.contains("PHOTO;TYPE=PNG;ENCODING=b:iVBORw0KGgo="),
            "{t3}"
        );
        assert!(t3.contains("TEL;TYPE=cell,pref:+1 555"), "{t3}");
        assert!(t3.contains("TEL;TYPE=home;X-PREF=2:+1 556"), "{t3}");
        assert!(t3.contains("X-ANNIVERSARY:2010-06-11"), "{t3}");
        let (back, _) = convert(&card(&t3), Dialect::VCard40);
        let t4 = text(&back);
        assert!(
            t4.contains("PHOTO:data:image/png;base64,iVBORw0KGgo="),
            "{t4}"
        );
        assert!(t4.contains("TEL;TYPE=cell;PREF=1:+1 555"), "{t4}");
        assert!(t4.contains("TEL;TYPE=home;PREF=2:+1 556"), "{t4}");
        assert!(t4.contains("ANNIVERSARY:20100611"), "{t4}");
    }
}
