//! The default MS-OXVCARD rules, one per vCard type (or family of types).
//!
//! Rows of MS-OXVCARD that the spec pages state are followed as written
//! (FN, EMAIL, TEL, X-MS-TEL, URL, PHOTO, LABEL, X-MS-MANAGER,
//! X-MS-ASSISTANT); the others follow MS-OXPROPS's consumer lists and
//! Outlook's own output, as `docs/decisions.md` records.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use oxpim_contentline::value::text::{EscapeReport, unescape};
use oxpim_contentline::{
    DateTime, Dialect, Param, ParamValue, Property, Str, Value, ValueType, Values,
};

use super::{ContactRule, ExportContext, ImportContext, uid_property};
use crate::ical::PSETID_OXPIM;
use crate::message::Attachment;
use crate::named::{NamedProperty, PropKey};
use crate::props::{self, PropDef};
use crate::types::FileTime;
use crate::value::PropValue;

/// A rule made of two functions.
#[derive(Clone)]
pub struct FnRule {
    name: &'static str,
    handles: &'static [&'static str],
    import: fn(&mut ImportContext<'_>),
    export: fn(&mut ExportContext<'_>),
}

impl FnRule {
    /// A rule named `name` that maps the vCard properties `handles`.
    pub const fn new(
        name: &'static str,
        handles: &'static [&'static str],
        import: fn(&mut ImportContext<'_>),
        export: fn(&mut ExportContext<'_>),
    ) -> FnRule {
        FnRule {
            name,
            handles,
            import,
            export,
        }
    }
}

impl ContactRule for FnRule {
    fn name(&self) -> &str {
        self.name
    }
    fn handles(&self, name: &str) -> bool {
        self.handles.iter().any(|h| h.eq_ignore_ascii_case(name))
    }
    fn import(&self, cx: &mut ImportContext<'_>) {
        (self.import)(cx);
    }
    fn export(&self, cx: &mut ExportContext<'_>) {
        (self.export)(cx);
    }
}

/// How a [`DirectRule`] stores its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// One PtypString; the first property of the name is mapped, further
    /// ones are kept as unmapped.
    Text,
    /// A PtypMultipleString; each property of the name adds its values.
    List,
}

/// A vCard property that maps one to one to a string property: the first
/// name is written on export, the others are read as aliases.
#[derive(Debug, Clone)]
pub struct DirectRule {
    names: Vec<String>,
    key: PropKey,
    kind: TextKind,
}

impl DirectRule {
    /// A rule between the vCard property `name` (and `aliases`) and `key`.
    pub fn new(
        name: &str,
        aliases: &[&str],
        key: impl Into<PropKey>,
        kind: TextKind,
    ) -> DirectRule {
        let mut names = vec![name.to_ascii_uppercase()];
        names.extend(aliases.iter().map(|a| a.to_ascii_uppercase()));
        DirectRule {
            names,
            key: key.into(),
            kind,
        }
    }
}

impl ContactRule for DirectRule {
    fn name(&self) -> &str {
        self.names.first().map_or("", String::as_str)
    }
    fn handles(&self, name: &str) -> bool {
        self.names.iter().any(|n| n.eq_ignore_ascii_case(name))
    }
    fn import(&self, cx: &mut ImportContext<'_>) {
        let slot = self.name().to_owned();
        let mut list: Vec<String> = Vec::new();
        let mut done = false;
        for p in cx.card.properties.iter().filter(|p| self.handles(p.name())) {
            match self.kind {
                TextKind::Text => {
                    let t = text_of(p);
                    if done {
                        keep_second(cx, p);
                    } else if !t.trim().is_empty() {
                        let several = p.values().len() > 1;
                        // A list (NICKNAME:Johnny,JD) is one Outlook
                        // string, its items joined with commas (as a 2.1
                        // reader of the list reads it); the line is kept
                        // with its values, so that export gives the list
                        // back.
                        let t = if several { list_items(p).join(",") } else { t };
                        cx.message
                            .properties
                            .insert(self.key.clone(), PropValue::String(crlf(t.trim()).into()));
                        if several {
                            cx.remember_value(&slot, p);
                        } else {
                            cx.remember(&slot, p);
                        }
                        done = true;
                    }
                }
                TextKind::List => {
                    if list.is_empty() {
                        cx.remember(&slot, p);
                    }
                    list.extend(texts_of(p).into_iter().filter(|t| !t.trim().is_empty()));
                }
            }
        }
        if !list.is_empty() {
            cx.message
                .properties
                .insert(self.key.clone(), PropValue::MvString(list));
        }
    }
    fn export(&self, cx: &mut ExportContext<'_>) {
        let name = self.name().to_owned();
        match (self.kind, cx.message.properties.get(&self.key)) {
            (TextKind::Text, Some(v)) => {
                let text = match v {
                    PropValue::String(s) => s.as_str().to_owned(),
                    PropValue::String8(b) => {
                        crate::codepage::decode(b, cx.message.properties.codepage())
                    }
                    _ => return,
                };
                if text.trim().is_empty() {
                    return;
                }
                let mut p = vprop(&name, lf(&text));
                // The list the text was joined from, while it still is.
                if let Some(kept) = cx
                    .kept_value(&name)
                    .filter(|k| k.values().len() > 1 && list_items(k).join(",") == text)
                {
                    let values = kept.values().clone();
                    let vt = p.value_type().clone();
                    p.set_values(vt, values);
                }
                cx.restore(&name, &mut p, true);
                cx.push(p);
            }
            (TextKind::List, Some(PropValue::MvString(items))) => {
                // One line per value (`X-MS-CHILD` per child).
                for item in items.clone() {
                    let mut p = vprop(&name, lf(&item));
                    cx.restore(&name, &mut p, true);
                    cx.push(p);
                }
            }
            _ => {}
        }
    }
}

// ---- helpers -------------------------------------------------------------

/// A text property typed as vCard 3.0 types it by default (so that no
/// `VALUE=` is written; a URI for properties whose values are URIs),
/// untyped for X- properties.
fn vprop(name: &str, text: impl Into<Str>) -> Property {
    let vt = match oxpim_contentline::value::registry::lookup(Dialect::VCard30, name)
        .map(|s| s.default)
    {
        Some(t @ (ValueType::Text | ValueType::PhoneNumber)) => t,
        // FBURL, CALURI, CALADRURI (RFC 2739): URIs, no VALUE=TEXT.
        Some(ValueType::Uri) => {
            return Property::new(name, ValueType::Uri, Value::Uri(text.into()));
        }
        Some(_) => ValueType::Text,
        None => ValueType::Unknown,
    };
    Property::new(name, vt, Value::Text(text.into()))
}

fn unesc(s: &str) -> String {
    unescape(s, Dialect::VCard30, &mut EscapeReport::default()).into_owned()
}

/// The text of one value (unknown values unescaped).
fn value_text(v: &Value) -> String {
    match v {
        Value::Text(s) | Value::Uri(s) | Value::CalAddress(s) => s.to_string(),
        Value::Unknown(s) | Value::Invalid(s) => unesc(s),
        Value::Structured(parts) => parts
            .iter()
            .map(|c| {
                c.iter()
                    .map(|s| s.as_ref())
                    .collect::<Vec<&str>>()
                    .join(",")
            })
            .collect::<Vec<String>>()
            .join(";"),
        other => oxpim_contentline::value::display_text(other).into_owned(),
    }
}

/// A property's values as one text (lists joined with commas).
pub(crate) fn text_of(p: &Property) -> String {
    let v = p.values().as_slice();
    if let [one] = v {
        return value_text(one);
    }
    v.iter().map(value_text).collect::<Vec<String>>().join(",")
}

/// The non-blank items of a list value, trimmed (`NICKNAME:Johnny, JD`).
fn list_items(p: &Property) -> Vec<String> {
    texts_of(p)
        .iter()
        .map(|x| x.trim().to_owned())
        .filter(|x| !x.is_empty())
        .collect()
}

/// A property's values as texts (a list property gives several; an unknown
/// value is split at unescaped commas).
fn texts_of(p: &Property) -> Vec<String> {
    let v = p.values().as_slice();
    if let [Value::Unknown(s)] = v {
        return split_unescaped(s, ',').iter().map(|x| unesc(x)).collect();
    }
    v.iter().map(value_text).collect()
}

fn split_unescaped(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            out.push(s.get(start..i).unwrap_or(""));
            start = i + c.len_utf8();
        }
    }
    out.push(s.get(start..).unwrap_or(""));
    out
}

/// The structured components of a value (N, ADR, ORG), each a list.
fn components(p: &Property) -> Vec<Vec<String>> {
    match p.value() {
        Some(Value::Structured(parts)) => parts
            .iter()
            .map(|c| c.iter().map(|s| s.to_string()).collect())
            .collect(),
        Some(v) => split_unescaped(&value_text_raw(v), ';')
            .iter()
            .map(|c| vec![unesc(c)])
            .collect(),
        None => Vec::new(),
    }
}

fn value_text_raw(v: &Value) -> Cow<'_, str> {
    match v {
        Value::Unknown(s) | Value::Invalid(s) => Cow::Borrowed(s.as_ref()),
        other => Cow::Owned(value_text(other)),
    }
}

fn component(parts: &[Vec<String>], i: usize, sep: &str) -> String {
    parts
        .get(i)
        .map(|c| {
            c.iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .collect::<Vec<&str>>()
                .join(sep)
        })
        .unwrap_or_default()
}

fn structured(parts: Vec<String>) -> Value {
    Value::Structured(parts.into_iter().map(|s| vec![Str::from(s)]).collect())
}

/// The TYPE values, lowercased.
fn types(p: &Property) -> Vec<String> {
    p.params()
        .get("TYPE")
        .map(|t| {
            t.iter()
                .flat_map(|v| v.split(','))
                .map(|v| v.trim().to_ascii_lowercase())
                .filter(|v| !v.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn set_types(p: &mut Property, t: &[&str]) {
    if t.is_empty() {
        return;
    }
    p.params_mut().insert(
        "TYPE",
        Param {
            values: t.iter().map(|v| ParamValue::new(*v)).collect(),
            bare: false,
        },
    );
}

/// MAPI strings break lines with CR LF; vCard values with LF.
fn crlf(s: &str) -> String {
    if s.contains('\n') {
        s.replace("\r\n", "\n").replace('\n', "\r\n")
    } else {
        s.to_owned()
    }
}

fn lf(s: &str) -> String {
    s.replace("\r\n", "\n")
}

fn set_str(cx: &mut ImportContext<'_>, def: &PropDef, s: &str) {
    let s = s.trim();
    if !s.is_empty() {
        cx.set(def, PropValue::String(crlf(s).into()));
    }
}

fn has(cx: &ImportContext<'_>, def: &PropDef) -> bool {
    cx.message.properties.get_def(def).is_some()
}

/// A calendar date from a vCard date value (any version's form).
fn date_of(p: &Property) -> Option<NaiveDate> {
    match p.value()? {
        Value::Date(d) => Some(*d),
        Value::DateTime(dt) => Some(dt.local.date()),
        Value::VCardDateTime(v) => v.naive_date(),
        other => {
            let t = value_text(other);
            let t = t.trim();
            let date = t.split('T').next().unwrap_or(t).replace('-', "");
            if date.len() != 8 {
                return None;
            }
            NaiveDate::parse_from_str(&date, "%Y%m%d").ok()
        }
    }
}

/// A UTC instant from a vCard timestamp (REV), any form.
fn instant_of(p: &Property) -> Option<NaiveDateTime> {
    let v = p.value()?;
    match v {
        Value::DateTime(dt) => Some(dt.local),
        Value::Date(d) => Some(d.and_time(NaiveTime::MIN)),
        _ => {
            let t = value_text(v);
            let t = t.trim().trim_end_matches('Z').replace([':', '-'], "");
            let (d, time) = t.split_once('T').unwrap_or((&t, "000000"));
            let time: String = time.chars().take(6).collect();
            let time = format!("{time:0<6}");
            NaiveDateTime::parse_from_str(&format!("{d}T{time}"), "%Y%m%dT%H%M%S").ok()
        }
    }
}

fn filetime(t: NaiveDateTime) -> Option<FileTime> {
    FileTime::from_datetime(t.and_utc())
}

fn from_filetime(f: FileTime) -> Option<NaiveDateTime> {
    f.to_datetime().map(|d| d.naive_utc())
}

// ---- N, FN ---------------------------------------------------------------

const N_PARTS: [&PropDef; 5] = [
    &props::PID_TAG_SURNAME,
    &props::PID_TAG_GIVEN_NAME,
    &props::PID_TAG_MIDDLE_NAME,
    &props::PID_TAG_DISPLAY_NAME_PREFIX,
    &props::PID_TAG_GENERATION,
];

fn import_n(cx: &mut ImportContext<'_>) {
    let Some(p) = cx.card.property("N") else {
        return;
    };
    let parts = components(p);
    // Several given or additional names (Outlook writes `Richter,James`)
    // are one Outlook field: joined with spaces.
    for (i, def) in N_PARTS.iter().enumerate() {
        let c = component(&parts, i, " ");
        set_str(cx, def, &c);
    }
    // The names of a part stay apart for export (kept with the value).
    if has_name_lists(&parts) {
        cx.remember_value("N", p);
    } else {
        cx.remember("N", p);
    }
    if cx.card.properties.iter().filter(|q| q.is("N")).count() > 1 {
        for q in cx.card.properties.iter().filter(|q| q.is("N")).skip(1) {
            cx.keep(q);
        }
    }
}

fn export_n(cx: &mut ExportContext<'_>) {
    let parts: Vec<String> = N_PARTS
        .iter()
        .map(|d| cx.text(d).map(|s| s.trim().to_owned()).unwrap_or_default())
        .collect();
    // vCard 3.0 requires N, even empty. Parts of several names are
    // written as the card had them while Outlook's fields still join them
    // (not in vCard 2.1, which has no lists there: a comma is text).
    let lists = cx.options.version != Dialect::VCard21;
    let kept = cx
        .kept_value("N")
        .filter(|_| lists)
        .map(components)
        .filter(|k| {
            // (A slot of `remember` has no value, so no list either.)
            has_name_lists(k)
                && k.len() <= N_PARTS.len()
                && parts
                    .iter()
                    .enumerate()
                    .all(|(i, part)| component(k, i, " ") == *part)
        });
    let value = match kept {
        Some(k) => Value::Structured(
            k.iter()
                .map(|c| c.iter().map(|s| Str::from(s.trim())).collect())
                .collect(),
        ),
        None => structured(parts),
    };
    let mut p = Property::new("N", ValueType::Text, value);
    cx.restore("N", &mut p, true);
    cx.push(p);
}

/// The name to tell the user for `p`: the card's own (`ANNIVERSARY`) when
/// the rules see it under the 3.0 carrier name (`X-ANNIVERSARY`).
fn shown_name(cx: &ImportContext<'_>, p: &Property) -> String {
    name_in_card(cx.version, p)
}

/// [`shown_name`] for a card read as `version`.
pub(crate) fn name_in_card(version: Dialect, p: &Property) -> String {
    match (version, oxpim_contentline::vcard::carried_40_name(p)) {
        (Dialect::VCard40, Some(n)) => n.to_owned(),
        _ => p.name().to_owned(),
    }
}

/// Keeps, with a warning, every property named in `names` but `used`: a
/// rule that maps one property of a name (Outlook has one display name,
/// company, sensitivity, ...) must not drop the others silently.
fn keep_further(cx: &mut ImportContext<'_>, names: &[&str], used: &Property) {
    let card = cx.card;
    for q in card
        .properties
        .iter()
        .filter(|q| names.iter().any(|n| q.is(n)) && !std::ptr::eq(*q, used))
    {
        keep_second(cx, q);
    }
}

/// Keeps `q`, a further property of a name Outlook holds once, and says so.
fn keep_second(cx: &mut ImportContext<'_>, q: &Property) {
    cx.keep(q);
    let shown = shown_name(cx, q);
    cx.warn(
        q.line(),
        format!("a second {shown} has no Outlook property; kept as written"),
    );
}

fn import_fn(cx: &mut ImportContext<'_>) {
    let Some(p) = cx.card.property("FN") else {
        return;
    };
    keep_further(cx, &["FN"], p);
    let t = text_of(p);
    let t = t.trim();
    if !t.is_empty() {
        // MS-OXVCARD FN: display name, normalized subject, conversation
        // topic (the subject too, as Outlook writes contacts).
        for def in [
            &props::PID_TAG_DISPLAY_NAME,
            &props::PID_TAG_NORMALIZED_SUBJECT,
            &props::PID_TAG_CONVERSATION_TOPIC,
            &props::PID_TAG_SUBJECT,
        ] {
            cx.set(def, PropValue::String(t.to_owned().into()));
        }
    }
    cx.remember("FN", p);
}

fn export_fn(cx: &mut ExportContext<'_>) {
    let name = cx
        .text(&props::PID_TAG_DISPLAY_NAME)
        .or_else(|| cx.text(&props::PID_TAG_NORMALIZED_SUBJECT))
        .or_else(|| {
            let parts: Vec<String> = [
                &props::PID_TAG_DISPLAY_NAME_PREFIX,
                &props::PID_TAG_GIVEN_NAME,
                &props::PID_TAG_MIDDLE_NAME,
                &props::PID_TAG_SURNAME,
                &props::PID_TAG_GENERATION,
            ]
            .iter()
            .filter_map(|d| cx.text(d))
            .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        })
        .or_else(|| cx.text(&props::PID_TAG_COMPANY_NAME))
        .unwrap_or_default();
    let mut p = vprop("FN", name.trim());
    cx.restore("FN", &mut p, true);
    cx.push(p);
}

// ---- ORG -----------------------------------------------------------------

fn import_org(cx: &mut ImportContext<'_>) {
    let Some(p) = cx.card.property("ORG") else {
        return;
    };
    keep_further(cx, &["ORG"], p);
    let parts = components(p);
    set_str(cx, &props::PID_TAG_COMPANY_NAME, &component(&parts, 0, ","));
    let units = org_units(&parts);
    set_str(cx, &props::PID_TAG_DEPARTMENT_NAME, &units.join(", "));
    if units.len() > 1 && cx.options.keep_unmapped {
        // Outlook has one department, the units joined: the line is kept
        // with its value, so that export can give the units back.
        cx.slots.push(("ORG".to_owned(), p.clone()));
    } else {
        cx.remember("ORG", p);
    }
}

/// The non-empty organisational units of an ORG (its parts after the
/// company).
fn org_units(parts: &[Vec<String>]) -> Vec<String> {
    (1..parts.len())
        .map(|i| component(parts, i, ","))
        .filter(|s| !s.is_empty())
        .collect()
}

/// True when a part of a structured value holds several non-empty names
/// (`ing. jr,M.Sc.`): Outlook's one field per part joins them.
fn has_name_lists(parts: &[Vec<String>]) -> bool {
    parts
        .iter()
        .any(|c| c.iter().filter(|s| !s.trim().is_empty()).count() > 1)
}

/// The organisational units of the ORG kept on import ([`import_org`]),
/// when they still give `company` and the department `dept`.
fn kept_units(cx: &ExportContext<'_>, company: &str, dept: &str) -> Option<Vec<String>> {
    let parts = components(cx.kept_value("ORG")?);
    let units = org_units(&parts);
    (units.len() > 1 && component(&parts, 0, ",") == company && units.join(", ") == dept)
        .then_some(units)
}

fn export_org(cx: &mut ExportContext<'_>) {
    let company = cx.text(&props::PID_TAG_COMPANY_NAME);
    let dept = cx.text(&props::PID_TAG_DEPARTMENT_NAME);
    if company.is_none() && dept.is_none() {
        return;
    }
    let company = company.unwrap_or_default();
    let mut parts = vec![company.clone()];
    if let Some(d) = dept {
        match kept_units(cx, &company, &d) {
            Some(units) => parts.extend(units),
            None => parts.push(d),
        }
    }
    let mut p = Property::new("ORG", ValueType::Text, structured(parts));
    cx.restore("ORG", &mut p, true);
    cx.push(p);
}

// ---- PHOTO ---------------------------------------------------------------

/// The image format of a photo: from its bytes, else its TYPE.
fn image_kind(bytes: &[u8], t: &[String]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8]) {
        return Some("jpeg");
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G']) {
        return Some("png");
    }
    if bytes.starts_with(b"GIF8") {
        return Some("gif");
    }
    if bytes.starts_with(b"BM") {
        return Some("bmp");
    }
    t.iter().find_map(|x| match x.trim_start_matches("image/") {
        "jpeg" | "jpg" => Some("jpeg"),
        "png" => Some("png"),
        "gif" => Some("gif"),
        "bmp" => Some("bmp"),
        _ => None,
    })
}

fn import_photo(cx: &mut ImportContext<'_>) {
    let mut done = false;
    for p in cx.card.properties.iter().filter(|p| p.is("PHOTO")) {
        match p.value() {
            Some(Value::Binary(bytes)) if !done => {
                let t = types(p);
                let kind = match image_kind(bytes, &t) {
                    Some(k) => k,
                    None => {
                        cx.warn(
                            p.line(),
                            format!(
                                "PHOTO of type {:?} is none of bmp, gif, jpeg, png (MS-OXVCARD 2.1.3.2.4); stored with that type",
                                t.first().map_or("unknown", String::as_str)
                            ),
                        );
                        "jpeg"
                    }
                };
                let ext = format!(".{kind}");
                let mut a = Attachment::by_value(&format!("ContactPhoto{ext}"), bytes.clone());
                let ap = &mut a.properties;
                ap.insert(
                    props::PID_TAG_ATTACH_EXTENSION.key(),
                    PropValue::String(ext.clone().into()),
                );
                ap.insert(
                    props::PID_TAG_ATTACH_FILENAME.key(),
                    PropValue::from(format!(
                        "ContactPicture{}",
                        if kind == "jpeg" { ".jpg" } else { ext.as_str() }
                    )),
                );
                ap.insert(
                    props::PID_TAG_ATTACHMENT_CONTACT_PHOTO.key(),
                    PropValue::Bool(true),
                );
                ap.insert(
                    props::PID_TAG_ATTACHMENT_HIDDEN.key(),
                    PropValue::Bool(true),
                );
                ap.insert(props::PID_TAG_RENDERING_POSITION.key(), PropValue::I32(-1));
                ap.insert(
                    props::PID_TAG_ATTACH_MIME_TAG.key(),
                    PropValue::String(format!("image/{kind}").into()),
                );
                cx.message.attachments.push(a);
                cx.remember("PHOTO", p);
                done = true;
            }
            _ => {
                // A photo by URI (MS-OXVCARD supports only inline photos;
                // oxpim fetches nothing), or a second photo.
                cx.keep(p);
                cx.warn(
                    p.line(),
                    if done {
                        "a second PHOTO has no Outlook property; kept as written".to_owned()
                    } else {
                        "PHOTO by URI is not fetched (MS-OXVCARD maps only inline photos); kept as written".to_owned()
                    },
                );
            }
        }
    }
}

fn export_photo(cx: &mut ExportContext<'_>) {
    let photo = cx.message.attachments.iter().find(|a| {
        a.properties
            .bool(&props::PID_TAG_ATTACHMENT_CONTACT_PHOTO)
            .unwrap_or(false)
    });
    let Some(a) = photo else {
        return;
    };
    let Some(bytes) = a.properties.binary(&props::PID_TAG_ATTACH_DATA_BINARY) else {
        return;
    };
    let ext = a
        .properties
        .str(&props::PID_TAG_ATTACH_EXTENSION)
        .map(|e| e.trim_start_matches('.').to_ascii_lowercase())
        .unwrap_or_default();
    let kind = image_kind(bytes, &[ext]).unwrap_or("jpeg");
    let mut p = Property::new("PHOTO", ValueType::Binary, Value::Binary(bytes.to_vec()));
    p.params_mut().set("ENCODING", "b");
    cx.restore("PHOTO", &mut p, false);
    set_types(&mut p, &[kind.to_ascii_uppercase().as_str()]);
    cx.push(p);
}

// ---- BDAY, anniversary ---------------------------------------------------

/// MS-OXOCNTC 2.2.1.5.1: the date at 11:59 UTC.
fn at_1159(d: NaiveDate) -> Option<FileTime> {
    filetime(d.and_hms_opt(11, 59, 0)?)
}

/// The calendar date a stored birthday means: the local-midnight property
/// when there is one, else the UTC value rounded to the nearest midnight
/// (Outlook stores local midnight in UTC, 11:59 UTC by the spec).
fn stored_date(cx: &ExportContext<'_>, utc: &PropDef, local: &PropDef) -> Option<NaiveDate> {
    if let Some(t) = cx.message.properties.time(local).and_then(from_filetime) {
        return Some(t.date());
    }
    let t = cx.message.properties.time(utc).and_then(from_filetime)?;
    Some(if t.hour() >= 12 {
        t.date().succ_opt().unwrap_or(t.date())
    } else {
        t.date()
    })
}

fn import_date(
    cx: &mut ImportContext<'_>,
    names: &[&str],
    utc: &PropDef,
    local: &PropDef,
    slot: &str,
) {
    let mut done = false;
    for p in cx
        .card
        .properties
        .iter()
        .filter(|p| names.iter().any(|n| p.is(n)))
    {
        match date_of(p) {
            Some(d) if !done => {
                if let (Some(u), Some(l)) = (at_1159(d), filetime(d.and_time(NaiveTime::MIN))) {
                    cx.set(utc, PropValue::Time(u));
                    cx.set(local, PropValue::Time(l));
                    if has_time(p) {
                        // Outlook holds the day: the value is kept whole.
                        cx.remember_value(slot, p);
                        if cx.options.keep_unmapped {
                            cx.warn(
                                p.line(),
                                format!(
                                    "{} {:?}: Outlook holds the date; the time is kept for export",
                                    shown_name(cx, p),
                                    text_of(p)
                                ),
                            );
                        } else {
                            cx.warn(
                                p.line(),
                                format!(
                                    "{} {:?}: Outlook holds the date; the time is dropped",
                                    shown_name(cx, p),
                                    text_of(p)
                                ),
                            );
                        }
                    } else {
                        cx.remember(slot, p);
                    }
                    done = true;
                } else {
                    // Before 1601-01-01 (or past 30828): no FILETIME holds it.
                    cx.keep(p);
                    cx.warn(
                        p.line(),
                        format!(
                            "{} {:?} is outside the dates Outlook can hold (1601 to 30827); kept as written",
                            shown_name(cx, p),
                            text_of(p)
                        ),
                    );
                }
            }
            _ => {
                cx.keep(p);
                if !done {
                    cx.warn(
                        p.line(),
                        format!("{} {:?} is not a full date (Outlook needs year, month and day); kept as written", shown_name(cx, p), text_of(p)),
                    );
                }
            }
        }
    }
}

fn export_date(cx: &mut ExportContext<'_>, name: &str, utc: &PropDef, local: &PropDef, slot: &str) {
    let Some(d) = stored_date(cx, utc, local) else {
        return;
    };
    // X- properties untyped, as Outlook writes them (`X-MS-ANNIVERSARY:20110113`).
    let mut p = if name.starts_with("X-") {
        vprop(name, d.format("%Y%m%d").to_string())
    } else {
        Property::new(name, ValueType::Date, Value::Date(d))
    };
    // A value with a time, kept whole, while its day is still Outlook's.
    if let Some(kept) = cx
        .kept_value(slot)
        .filter(|k| has_time(k) && date_of(k) == Some(d))
    {
        p.set_values(kept.value_type().clone(), kept.values().clone());
    }
    cx.restore(slot, &mut p, true);
    cx.push(p);
}

/// True when a date property's value has a time of day.
fn has_time(p: &Property) -> bool {
    match p.value() {
        Some(Value::DateTime(_)) => true,
        Some(other) => value_text(other).contains('T'),
        None => false,
    }
}

fn import_bday(cx: &mut ImportContext<'_>) {
    import_date(
        cx,
        &["BDAY"],
        &props::PID_TAG_BIRTHDAY,
        &props::PID_LID_BIRTHDAY_LOCAL,
        "BDAY",
    );
}

fn export_bday(cx: &mut ExportContext<'_>) {
    export_date(
        cx,
        "BDAY",
        &props::PID_TAG_BIRTHDAY,
        &props::PID_LID_BIRTHDAY_LOCAL,
        "BDAY",
    );
}

const ANNIVERSARY: &[&str] = &[
    "X-MS-ANNIVERSARY",
    "X-ANNIVERSARY",
    "X-EVOLUTION-ANNIVERSARY",
    "ANNIVERSARY",
];

fn import_anniversary(cx: &mut ImportContext<'_>) {
    import_date(
        cx,
        ANNIVERSARY,
        &props::PID_TAG_WEDDING_ANNIVERSARY,
        &props::PID_LID_WEDDING_ANNIVERSARY_LOCAL,
        "ANNIVERSARY",
    );
}

fn export_anniversary(cx: &mut ExportContext<'_>) {
    export_date(
        cx,
        "X-MS-ANNIVERSARY",
        &props::PID_TAG_WEDDING_ANNIVERSARY,
        &props::PID_LID_WEDDING_ANNIVERSARY_LOCAL,
        "ANNIVERSARY",
    );
}

// ---- ADR, LABEL ----------------------------------------------------------

/// The properties of one physical address (MS-OXOCNTC 2.2.1.3).
struct AddressGroup {
    kind: &'static str,
    id: i32,
    pobox: &'static PropDef,
    street: &'static PropDef,
    city: &'static PropDef,
    state: &'static PropDef,
    postal: &'static PropDef,
    country: &'static PropDef,
    full: &'static PropDef,
}

const HOME: AddressGroup = AddressGroup {
    kind: "home",
    id: 1,
    pobox: &props::PID_TAG_HOME_ADDRESS_POST_OFFICE_BOX,
    street: &props::PID_TAG_HOME_ADDRESS_STREET,
    city: &props::PID_TAG_HOME_ADDRESS_CITY,
    state: &props::PID_TAG_HOME_ADDRESS_STATE_OR_PROVINCE,
    postal: &props::PID_TAG_HOME_ADDRESS_POSTAL_CODE,
    country: &props::PID_TAG_HOME_ADDRESS_COUNTRY,
    full: &props::PID_LID_HOME_ADDRESS,
};

const WORK: AddressGroup = AddressGroup {
    kind: "work",
    id: 2,
    pobox: &props::PID_LID_WORK_ADDRESS_POST_OFFICE_BOX,
    street: &props::PID_LID_WORK_ADDRESS_STREET,
    city: &props::PID_LID_WORK_ADDRESS_CITY,
    state: &props::PID_LID_WORK_ADDRESS_STATE,
    postal: &props::PID_LID_WORK_ADDRESS_POSTAL_CODE,
    country: &props::PID_LID_WORK_ADDRESS_COUNTRY,
    full: &props::PID_LID_WORK_ADDRESS,
};

const OTHER: AddressGroup = AddressGroup {
    kind: "other",
    id: 3,
    pobox: &props::PID_TAG_OTHER_ADDRESS_POST_OFFICE_BOX,
    street: &props::PID_TAG_OTHER_ADDRESS_STREET,
    city: &props::PID_TAG_OTHER_ADDRESS_CITY,
    state: &props::PID_TAG_OTHER_ADDRESS_STATE_OR_PROVINCE,
    postal: &props::PID_TAG_OTHER_ADDRESS_POSTAL_CODE,
    country: &props::PID_TAG_OTHER_ADDRESS_COUNTRY,
    full: &props::PID_LID_OTHER_ADDRESS,
};

const MAILING: AddressGroup = AddressGroup {
    kind: "mailing",
    id: 0,
    pobox: &props::PID_TAG_POST_OFFICE_BOX,
    street: &props::PID_TAG_STREET_ADDRESS,
    city: &props::PID_TAG_LOCALITY,
    state: &props::PID_TAG_STATE_OR_PROVINCE,
    postal: &props::PID_TAG_POSTAL_CODE,
    country: &props::PID_TAG_COUNTRY,
    full: &props::PID_TAG_POSTAL_ADDRESS,
};

const GROUPS: [&AddressGroup; 3] = [&HOME, &WORK, &OTHER];

/// Where the extended-address part of a home or other ADR is kept (it is
/// also the first line of the street, where Outlook shows it).
fn extended_property(kind: &str) -> NamedProperty {
    NamedProperty::string(PSETID_OXPIM, format!("vcard-adr-extended-{kind}"))
}

fn group_of_types(t: &[String]) -> &'static AddressGroup {
    if t.iter().any(|x| x == "work") {
        &WORK
    } else if t.iter().any(|x| x == "home") {
        &HOME
    } else {
        &OTHER
    }
}

/// The full text of an address: street, then "City, State Postal", then
/// the country (the US layout Outlook uses by default).
fn compose(street: &str, city: &str, state: &str, postal: &str, country: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    if !street.is_empty() {
        lines.push(street.to_owned());
    }
    let region = [state, postal]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<&str>>()
        .join(" ");
    let line2 = match (city.is_empty(), region.is_empty()) {
        (false, false) => format!("{city}, {region}"),
        (false, true) => city.to_owned(),
        (true, false) => region,
        (true, true) => String::new(),
    };
    if !line2.is_empty() {
        lines.push(line2);
    }
    if !country.is_empty() {
        lines.push(country.to_owned());
    }
    lines.join("\r\n")
}

fn import_adr(cx: &mut ImportContext<'_>) {
    let mut postal_id: Option<i32> = None;
    let mut filled: Vec<i32> = Vec::new();
    let adrs: Vec<&Property> = cx.card.properties.iter().filter(|p| p.is("ADR")).collect();
    for p in adrs {
        let t = types(p);
        let mut g = group_of_types(&t);
        if filled.contains(&g.id) {
            // A second address of a kind goes to Other while that is free.
            if filled.contains(&OTHER.id) {
                cx.keep(p);
                cx.warn(
                    p.line(),
                    "no free Outlook address (home, work and other are taken); ADR kept as written",
                );
                continue;
            }
            g = &OTHER;
        }
        filled.push(g.id);
        let parts = components(p);
        let pobox = component(&parts, 0, ", ");
        let extended = component(&parts, 1, ", ");
        let mut street = component(&parts, 2, "\n");
        let city = component(&parts, 3, ", ");
        let state = component(&parts, 4, ", ");
        let postal = component(&parts, 5, ", ");
        let country = component(&parts, 6, ", ");
        if !extended.is_empty() {
            if g.id == WORK.id && !has(cx, &props::PID_TAG_OFFICE_LOCATION) {
                // Outlook writes the office as the work address's extended part.
                set_str(cx, &props::PID_TAG_OFFICE_LOCATION, &extended);
            } else {
                street = if street.is_empty() {
                    extended.clone()
                } else {
                    format!("{extended}\n{street}")
                };
                cx.message.properties.insert(
                    extended_property(g.kind),
                    PropValue::String(crlf(&extended).into()),
                );
            }
        }
        set_str(cx, g.pobox, &pobox);
        set_str(cx, g.street, &street);
        set_str(cx, g.city, &city);
        set_str(cx, g.state, &state);
        set_str(cx, g.postal, &postal);
        set_str(cx, g.country, &country);
        let full = compose(&crlf(&street), &city, &state, &postal, &country);
        set_str(cx, g.full, &full);
        if t.iter().any(|x| x == "pref") && postal_id.is_none() {
            postal_id = Some(g.id);
        }
        cx.remember(&format!("ADR:{}", g.kind), p);
    }
    // LABEL is ignored by MS-OXVCARD; its text is the full address of the
    // group with the same type when that group exists, else it is kept.
    let labels: Vec<&Property> = cx
        .card
        .properties
        .iter()
        .filter(|p| p.is("LABEL"))
        .collect();
    for l in labels {
        let g = group_of_types(&types(l));
        let text = text_of(l);
        if filled.contains(&g.id) && !text.trim().is_empty() {
            cx.set(g.full, PropValue::String(crlf(text.trim_end()).into()));
            cx.remember(&format!("LABEL:{}", g.kind), l);
        } else {
            cx.keep(l);
        }
    }
    if let Some(p) = cx.card.property("X-MS-OL-DEFAULT-POSTAL-ADDRESS") {
        match text_of(p).trim().parse::<i32>() {
            Ok(n) if (0..=3).contains(&n) => postal_id = Some(n),
            _ => {
                cx.keep(p);
                cx.warn(
                    p.line(),
                    "X-MS-OL-DEFAULT-POSTAL-ADDRESS is not 0 to 3; kept as written",
                );
            }
        }
        cx.remember("X-MS-OL-DEFAULT-POSTAL-ADDRESS", p);
    }
    let Some(id) = postal_id else {
        return;
    };
    cx.set(&props::PID_LID_POSTAL_ADDRESS_ID, PropValue::I32(id));
    // MS-OXOCNTC 2.2.1.3.9: the mailing address equals the chosen one.
    if let Some(g) = GROUPS.iter().find(|g| g.id == id) {
        for (from, to) in [
            (g.pobox, MAILING.pobox),
            (g.street, MAILING.street),
            (g.city, MAILING.city),
            (g.state, MAILING.state),
            (g.postal, MAILING.postal),
            (g.country, MAILING.country),
            (g.full, MAILING.full),
        ] {
            if let Some(v) = cx.message.properties.get_def(from).cloned() {
                cx.message.properties.insert(to.key(), v);
            }
        }
    }
}

fn export_adr(cx: &mut ExportContext<'_>) {
    let postal_id = cx
        .message
        .properties
        .i32(&props::PID_LID_POSTAL_ADDRESS_ID)
        .unwrap_or(0);
    let mut any = false;
    let is_empty = |cx: &ExportContext<'_>, g: &AddressGroup| {
        [g.pobox, g.street, g.city, g.state, g.postal, g.country]
            .iter()
            .all(|d| cx.text(d).is_none())
    };
    // A mailing address that is none of the three (no PidLidPostalAddressId):
    // written as the work address, as MS-OXVCARD's export example does.
    let mailing_as = if postal_id == 0 && !is_empty(cx, &MAILING) && is_empty(cx, &WORK) {
        Some(WORK.id)
    } else {
        None
    };
    let postal_id = mailing_as.unwrap_or(postal_id);
    for g in GROUPS {
        let from = if mailing_as == Some(g.id) {
            &MAILING
        } else {
            g
        };
        let get = |d: &PropDef| cx.text(d).map(|s| lf(s.trim())).unwrap_or_default();
        let (pobox, mut street, city, state, postal, country) = (
            get(from.pobox),
            get(from.street),
            get(from.city),
            get(from.state),
            get(from.postal),
            get(from.country),
        );
        let mut extended = String::new();
        if g.id == WORK.id {
            extended = cx.text(&props::PID_TAG_OFFICE_LOCATION).unwrap_or_default();
        } else if let Some(e) = cx
            .message
            .properties
            .get(&extended_property(g.kind).into())
            .and_then(PropValue::as_str)
        {
            let e = lf(e);
            if let Some(rest) = street.strip_prefix(&e) {
                let rest = rest.strip_prefix('\n').unwrap_or(rest).to_owned();
                extended = e;
                street = rest;
            }
        }
        if [&pobox, &extended, &street, &city, &state, &postal, &country]
            .iter()
            .all(|s| s.is_empty())
        {
            continue;
        }
        any = true;
        let mut p = Property::new(
            "ADR",
            ValueType::Text,
            structured(vec![
                pobox,
                extended,
                street.clone(),
                city.clone(),
                state.clone(),
                postal.clone(),
                country.clone(),
            ]),
        );
        let slot = format!("ADR:{}", g.kind);
        let mut t: Vec<&str> = match g.id {
            1 => vec!["home"],
            2 => vec!["work"],
            _ => vec!["postal"],
        };
        if postal_id == g.id {
            t.push("pref");
        }
        set_types(&mut p, &t);
        cx.restore(&slot, &mut p, true);
        let adr_types: Vec<String> = types(&p);
        cx.push(p);
        // MS-OXVCARD LABEL: each address is also exported as a label.
        let full = cx
            .text(from.full)
            .map(|s| lf(s.trim_end()))
            .unwrap_or_else(|| lf(&compose(&street, &city, &state, &postal, &country)));
        // A card read from a vCard gets a LABEL only where it had one.
        let from_vcard = cx.slots.iter().any(|(n, _)| n == &slot);
        let had_label = cx
            .slots
            .iter()
            .any(|(n, _)| *n == format!("LABEL:{}", g.kind));
        if !full.is_empty() && (had_label || !from_vcard) {
            let mut l = vprop("LABEL", full);
            let lt: Vec<&str> = adr_types.iter().map(String::as_str).collect();
            set_types(&mut l, &lt);
            if had_label {
                // The label's own parameters (TYPE=parcel), with pref where
                // the address has it now.
                cx.restore(&format!("LABEL:{}", g.kind), &mut l, true);
                let pref = adr_types.iter().any(|t| t.eq_ignore_ascii_case("pref"));
                let mut own: Vec<String> = types(&l)
                    .into_iter()
                    .filter(|t| !t.eq_ignore_ascii_case("pref"))
                    .collect();
                if own.is_empty() {
                    own = adr_types
                        .iter()
                        .filter(|t| !t.eq_ignore_ascii_case("pref"))
                        .cloned()
                        .collect();
                }
                if pref {
                    own.push("pref".to_owned());
                }
                let own: Vec<&str> = own.iter().map(String::as_str).collect();
                set_types(&mut l, &own);
            } else {
                cx.restore(&format!("LABEL:{}", g.kind), &mut l, false);
            }
            cx.push(l);
        }
    }
    if any && postal_id > 0 {
        let mut p = vprop("X-MS-OL-DEFAULT-POSTAL-ADDRESS", postal_id.to_string());
        cx.restore("X-MS-OL-DEFAULT-POSTAL-ADDRESS", &mut p, true);
        cx.push(p);
    }
}

// ---- TEL, X-MS-TEL -------------------------------------------------------

/// The telephone property a TEL with these types fills, in the order of
/// precedence of `docs/decisions.md`; the second of a pair is the
/// fallback for a second number of that kind.
fn tel_targets(t: &[String]) -> Option<(&'static PropDef, Option<&'static PropDef>)> {
    let is = |x: &str| t.iter().any(|v| v == x);
    if is("fax") {
        return Some(if is("home") {
            (&props::PID_TAG_HOME_FAX_NUMBER, None)
        } else if is("work") {
            (&props::PID_TAG_BUSINESS_FAX_NUMBER, None)
        } else {
            (&props::PID_TAG_PRIMARY_FAX_NUMBER, None)
        });
    }
    Some(if is("cell") {
        (&props::PID_TAG_MOBILE_TELEPHONE_NUMBER, None)
    } else if is("pager") {
        (&props::PID_TAG_PAGER_TELEPHONE_NUMBER, None)
    } else if is("car") {
        (&props::PID_TAG_CAR_TELEPHONE_NUMBER, None)
    } else if is("isdn") {
        (&props::PID_TAG_ISDN_NUMBER, None)
    } else if is("textphone") {
        (
            &props::PID_TAG_TELECOMMUNICATIONS_DEVICE_FOR_DEAF_TELEPHONE_NUMBER,
            None,
        )
    } else if is("home") {
        (
            &props::PID_TAG_HOME_TELEPHONE_NUMBER,
            Some(&props::PID_TAG_HOME2_TELEPHONE_NUMBER),
        )
    } else if is("work") {
        (
            &props::PID_TAG_BUSINESS_TELEPHONE_NUMBER,
            Some(&props::PID_TAG_BUSINESS2_TELEPHONE_NUMBER),
        )
    } else if is("pref") {
        (&props::PID_TAG_PRIMARY_TELEPHONE_NUMBER, None)
    } else if is("pcs") {
        return None;
    } else {
        // voice, msg, video, bbs, modem, no TYPE, or one MS-OXVCARD does not name.
        (&props::PID_TAG_OTHER_TELEPHONE_NUMBER, None)
    })
}

/// Telephone properties in the order export writes them, with the TYPE.
const TEL_EXPORT: &[(&PropDef, &[&str])] = &[
    (
        &props::PID_TAG_BUSINESS_TELEPHONE_NUMBER,
        &["work", "voice"],
    ),
    (
        &props::PID_TAG_BUSINESS2_TELEPHONE_NUMBER,
        &["work", "voice"],
    ),
    (&props::PID_TAG_HOME_TELEPHONE_NUMBER, &["home", "voice"]),
    (&props::PID_TAG_HOME2_TELEPHONE_NUMBER, &["home", "voice"]),
    (&props::PID_TAG_MOBILE_TELEPHONE_NUMBER, &["cell", "voice"]),
    (&props::PID_TAG_PAGER_TELEPHONE_NUMBER, &["pager"]),
    (&props::PID_TAG_CAR_TELEPHONE_NUMBER, &["car", "voice"]),
    (&props::PID_TAG_ISDN_NUMBER, &["isdn"]),
    (&props::PID_TAG_PRIMARY_TELEPHONE_NUMBER, &["pref", "voice"]),
    (&props::PID_TAG_OTHER_TELEPHONE_NUMBER, &["voice"]),
    (&props::PID_TAG_HOME_FAX_NUMBER, &["home", "fax"]),
    (&props::PID_TAG_BUSINESS_FAX_NUMBER, &["work", "fax"]),
    (&props::PID_TAG_PRIMARY_FAX_NUMBER, &["fax"]),
];

fn import_tel(cx: &mut ImportContext<'_>) {
    let tels: Vec<&Property> = cx.card.properties.iter().filter(|p| p.is("TEL")).collect();
    for p in tels {
        let number = text_of(p);
        let number = number.trim();
        if number.is_empty() {
            continue;
        }
        let t = types(p);
        let Some((first, second)) = tel_targets(&t) else {
            cx.keep(p);
            cx.warn(
                p.line(),
                "TEL;TYPE=pcs has no Outlook property (MS-OXVCARD drops it); kept as written",
            );
            continue;
        };
        let target = if !has(cx, first) {
            Some(first)
        } else {
            second.filter(|s| !has(cx, s))
        };
        match target {
            Some(def) => {
                cx.set(def, PropValue::String(number.to_owned().into()));
                cx.remember(&format!("TEL:{}", def.name), p);
            }
            None => {
                cx.keep(p);
                cx.warn(
                    p.line(),
                    if t.is_empty() {
                        "no free Outlook telephone property for a TEL without TYPE; kept as written"
                            .to_owned()
                    } else {
                        format!(
                            "no free Outlook telephone property for TEL;TYPE={}; kept as written",
                            t.join(",")
                        )
                    },
                );
            }
        }
    }
}

fn export_tel(cx: &mut ExportContext<'_>) {
    for (def, t) in TEL_EXPORT {
        let Some(number) = cx.text(def) else {
            continue;
        };
        let mut p = vprop("TEL", number.trim());
        set_types(&mut p, t);
        cx.restore(&format!("TEL:{}", def.name), &mut p, true);
        cx.push(p);
    }
}

/// X-MS-TEL types (MS-OXVCARD 2.1.3.9.5).
const X_MS_TEL: &[(&str, &PropDef)] = &[
    ("assistant", &props::PID_TAG_ASSISTANT_TELEPHONE_NUMBER),
    ("callback", &props::PID_TAG_CALLBACK_TELEPHONE_NUMBER),
    ("company", &props::PID_TAG_COMPANY_MAIN_TELEPHONE_NUMBER),
    ("radio", &props::PID_TAG_RADIO_TELEPHONE_NUMBER),
    (
        "ttytdd",
        &props::PID_TAG_TELECOMMUNICATIONS_DEVICE_FOR_DEAF_TELEPHONE_NUMBER,
    ),
    (
        "ttyttd",
        &props::PID_TAG_TELECOMMUNICATIONS_DEVICE_FOR_DEAF_TELEPHONE_NUMBER,
    ),
];

fn import_x_ms_tel(cx: &mut ImportContext<'_>) {
    let tels: Vec<&Property> = cx
        .card
        .properties
        .iter()
        .filter(|p| p.is("X-MS-TEL"))
        .collect();
    for p in tels {
        let t = types(p);
        let def = t
            .iter()
            .find_map(|x| X_MS_TEL.iter().find(|(n, _)| n == x).map(|(_, d)| *d));
        match def {
            Some(d) if !has(cx, d) => {
                set_str(cx, d, &text_of(p));
                cx.remember(&format!("TEL:{}", d.name), p);
            }
            _ => {
                cx.keep(p);
                cx.warn(
                    p.line(),
                    format!(
                        "X-MS-TEL;TYPE={} has no free Outlook property; kept as written",
                        t.join(",")
                    ),
                );
            }
        }
    }
}

fn export_x_ms_tel(cx: &mut ExportContext<'_>) {
    for (name, def) in X_MS_TEL.iter().take(5) {
        let Some(number) = cx.text(def) else {
            continue;
        };
        let mut p = vprop("X-MS-TEL", number.trim());
        set_types(&mut p, &[name.to_ascii_uppercase().as_str()]);
        cx.restore(&format!("TEL:{}", def.name), &mut p, true);
        cx.push(p);
    }
}

// ---- EMAIL, IM -----------------------------------------------------------

const EMAILS: [&PropDef; 3] = [
    &props::PID_LID_EMAIL1_EMAIL_ADDRESS,
    &props::PID_LID_EMAIL2_EMAIL_ADDRESS,
    &props::PID_LID_EMAIL3_EMAIL_ADDRESS,
];
const EMAIL_TYPES: [&PropDef; 3] = [
    &props::PID_LID_EMAIL1_ADDRESS_TYPE,
    &props::PID_LID_EMAIL2_ADDRESS_TYPE,
    &props::PID_LID_EMAIL3_ADDRESS_TYPE,
];
const EMAIL_ORIGINALS: [&PropDef; 3] = [
    &props::PID_LID_EMAIL1_ORIGINAL_DISPLAY_NAME,
    &props::PID_LID_EMAIL2_ORIGINAL_DISPLAY_NAME,
    &props::PID_LID_EMAIL3_ORIGINAL_DISPLAY_NAME,
];

fn import_email(cx: &mut ImportContext<'_>) {
    let mails: Vec<&Property> = cx
        .card
        .properties
        .iter()
        .filter(|p| p.is("EMAIL"))
        .collect();
    let mut n = 0;
    for p in mails {
        let address = text_of(p);
        let address = address.trim();
        if address.is_empty() {
            continue;
        }
        // MS-OXVCARD 2.1.3.4.2: the first recognised TYPE wins; none is
        // "internet".
        let kind = types(p)
            .into_iter()
            .find(|t| matches!(t.as_str(), "internet" | "im" | "tlx"))
            .unwrap_or_else(|| "internet".into());
        match kind.as_str() {
            "im" if !has(cx, &props::PID_LID_INSTANT_MESSAGING_ADDRESS) => {
                set_str(cx, &props::PID_LID_INSTANT_MESSAGING_ADDRESS, address);
                cx.remember("IM", p);
            }
            "tlx" if !has(cx, &props::PID_TAG_TELEX_NUMBER) => {
                set_str(cx, &props::PID_TAG_TELEX_NUMBER, address);
                cx.remember("TLX", p);
            }
            "internet" if n < 3 => {
                if let (Some(def), Some(ty)) = (EMAILS.get(n), EMAIL_TYPES.get(n)) {
                    set_str(cx, def, address);
                    set_str(cx, ty, "SMTP");
                    cx.remember(&format!("EMAIL{}", n + 1), p);
                }
                n += 1;
            }
            _ => {
                cx.keep(p);
                cx.warn(
                    p.line(),
                    format!("Outlook holds three e-mail addresses (and one IM, one telex); EMAIL {address:?} kept as written"),
                );
            }
        }
    }
}

fn export_email(cx: &mut ExportContext<'_>) {
    for i in 0..3 {
        let (Some(def), Some(ty), Some(orig)) =
            (EMAILS.get(i), EMAIL_TYPES.get(i), EMAIL_ORIGINALS.get(i))
        else {
            continue;
        };
        let Some(mut address) = cx.text(def) else {
            continue;
        };
        let kind = cx.text(ty).unwrap_or_else(|| "SMTP".into());
        if !kind.eq_ignore_ascii_case("SMTP") {
            // An Exchange (EX) address: the SMTP address is the original
            // display name (MS-OXOCNTC 2.2.1.2.4), when it is one.
            match cx.text(orig).filter(|o| o.contains('@')) {
                Some(o) => address = o,
                None => {
                    cx.warn(format!(
                        "Email{} is a {kind} address without an SMTP form; written as stored",
                        i + 1
                    ));
                }
            }
        }
        let mut p = vprop("EMAIL", address.trim());
        if i == 0 {
            set_types(&mut p, &["internet", "pref"]);
        } else {
            set_types(&mut p, &["internet"]);
        }
        cx.restore(&format!("EMAIL{}", i + 1), &mut p, true);
        cx.push(p);
    }
    if let Some(telex) = cx.text(&props::PID_TAG_TELEX_NUMBER) {
        let mut p = vprop("EMAIL", telex.trim());
        set_types(&mut p, &["tlx"]);
        cx.restore("TLX", &mut p, true);
        cx.push(p);
    }
}

const IM: &[&str] = &["X-MS-IMADDRESS", "X-MS-RM-IMACCOUNT", "IMPP"];

fn import_im(cx: &mut ImportContext<'_>) {
    let ims: Vec<&Property> = cx
        .card
        .properties
        .iter()
        .filter(|p| IM.iter().any(|n| p.is(n)))
        .collect();
    for p in ims {
        if has(cx, &props::PID_LID_INSTANT_MESSAGING_ADDRESS) {
            cx.keep(p);
            cx.warn(
                p.line(),
                format!("Outlook holds one IM address; {} kept as written", p.name()),
            );
            continue;
        }
        set_str(cx, &props::PID_LID_INSTANT_MESSAGING_ADDRESS, &text_of(p));
        cx.remember("IM", p);
    }
}

fn export_im(cx: &mut ExportContext<'_>) {
    if let Some(im) = cx.text(&props::PID_LID_INSTANT_MESSAGING_ADDRESS) {
        let mut p = vprop("X-MS-IMADDRESS", im.trim());
        cx.restore("IM", &mut p, true);
        if p.is("IMPP") {
            p.set_values(ValueType::Uri, Value::Uri(im.trim().into()));
        }
        cx.push(p);
    }
}

// ---- URL -----------------------------------------------------------------

fn import_url(cx: &mut ImportContext<'_>) {
    let urls: Vec<&Property> = cx.card.properties.iter().filter(|p| p.is("URL")).collect();
    for p in urls {
        let url = text_of(p);
        let url = url.trim();
        let t = types(p);
        // MS-OXVCARD 2.1.3.7.8: home → personal, work → business; untyped:
        // the first personal, the second business.
        let work = t.iter().any(|x| x == "work")
            || (!t.iter().any(|x| x == "home") && has(cx, &props::PID_TAG_PERSONAL_HOME_PAGE));
        let (kind, def) = if work {
            ("work", &props::PID_TAG_BUSINESS_HOME_PAGE)
        } else {
            ("home", &props::PID_TAG_PERSONAL_HOME_PAGE)
        };
        if !has(cx, def) && !url.is_empty() {
            set_str(cx, def, url);
            if kind == "work" {
                // MS-OXOCNTC 2.2.1.10.12: PidLidHtml equals the business page.
                set_str(cx, &props::PID_LID_HTML, url);
            }
            cx.remember(&format!("URL:{kind}"), p);
        } else {
            cx.keep(p);
            cx.warn(
                p.line(),
                "Outlook holds one personal and one business web page; URL kept as written",
            );
        }
    }
}

fn export_url(cx: &mut ExportContext<'_>) {
    let business = cx
        .text(&props::PID_TAG_BUSINESS_HOME_PAGE)
        .or_else(|| cx.text(&props::PID_LID_HTML));
    // Personal first: an untyped URL read back is personal first.
    for (kind, url) in [
        ("home", cx.text(&props::PID_TAG_PERSONAL_HOME_PAGE)),
        ("work", business),
    ] {
        let Some(url) = url else {
            continue;
        };
        let mut p = Property::new("URL", ValueType::Uri, Value::Uri(url.trim().into()));
        set_types(&mut p, &[kind]);
        cx.restore(&format!("URL:{kind}"), &mut p, true);
        cx.push(p);
    }
}

// ---- NOTE, CATEGORIES, CLASS, REV, UID, KEY, GENDER, X-MS-TEXT --------------

fn import_note(cx: &mut ImportContext<'_>) {
    let notes: Vec<&Property> = cx.card.properties.iter().filter(|p| p.is("NOTE")).collect();
    for (i, p) in notes.into_iter().enumerate() {
        if i == 0 {
            set_str(cx, &props::PID_TAG_BODY, &text_of(p));
            cx.remember("NOTE", p);
        } else {
            cx.keep(p);
        }
    }
}

fn export_note(cx: &mut ExportContext<'_>) {
    // Without a plain body, the text of the RTF one.
    let body = match cx.text(&props::PID_TAG_BODY) {
        Some(b) => Some(b),
        None => match crate::rtf::message_text(&cx.message.properties) {
            Some(Ok(text)) => Some(text).filter(|t| !t.trim().is_empty()),
            Some(Err(e)) => {
                cx.warn(format!(
                    "PidTagRtfCompressed not read ({e}); no NOTE from it"
                ));
                None
            }
            None => None,
        },
    };
    if let Some(body) = body {
        let mut p = vprop("NOTE", lf(body.trim_end()));
        cx.restore("NOTE", &mut p, true);
        cx.push(p);
    }
}

fn import_categories(cx: &mut ImportContext<'_>) {
    let mut all: Vec<String> = Vec::new();
    let cats: Vec<&Property> = cx
        .card
        .properties
        .iter()
        .filter(|p| p.is("CATEGORIES"))
        .collect();
    for p in cats {
        if all.is_empty() {
            cx.remember("CATEGORIES", p);
        }
        // vCard 2.1 has no lists: a comma there still separates categories.
        let mut items = texts_of(p);
        if cx.version == Dialect::VCard21 {
            items = items
                .iter()
                .flat_map(|i| i.split(',').map(str::to_owned))
                .collect();
        }
        for c in items {
            let c = c.trim().to_owned();
            if !c.is_empty() && !all.contains(&c) {
                all.push(c);
            }
        }
    }
    if !all.is_empty() {
        cx.set(&props::PID_NAME_KEYWORDS, PropValue::MvString(all));
    }
}

fn export_categories(cx: &mut ExportContext<'_>) {
    // PidLidCategories: LID 0x2328 by the Outlook reference, 0x9000 by
    // MS-OXPROPS 2.49 (docs/decisions.md); either is read.
    let lid_9000: PropKey =
        NamedProperty::lid(crate::named::sets::PS_PUBLIC_STRINGS, 0x9000).into();
    let list = match cx
        .message
        .properties
        .get_def(&props::PID_NAME_KEYWORDS)
        .or_else(|| cx.message.properties.get_def(&props::PID_LID_CATEGORIES))
        .or_else(|| cx.message.properties.get(&lid_9000))
    {
        Some(PropValue::MvString(l)) if !l.is_empty() => l.clone(),
        _ => return,
    };
    if cx.options.version == Dialect::VCard21 && list.iter().any(|c| c.contains(',')) {
        cx.warn(
            "vCard 2.1 has no escape for a comma: a category with a comma reads back as several",
        );
    }
    let mut p = vprop("CATEGORIES", "");
    p.set_values(
        ValueType::Text,
        Values::Many(
            list.iter()
                .map(|s| Value::Text(s.as_str().into()))
                .collect(),
        ),
    );
    cx.restore("CATEGORIES", &mut p, true);
    cx.push(p);
}

fn import_class(cx: &mut ImportContext<'_>) {
    let Some(p) = cx.card.property("CLASS") else {
        return;
    };
    keep_further(cx, &["CLASS"], p);
    let v = match text_of(p).trim().to_ascii_uppercase().as_str() {
        "PUBLIC" => Some(0),
        "X-PERSONAL" | "PERSONAL" => Some(1),
        "PRIVATE" => Some(2),
        "CONFIDENTIAL" => Some(3),
        _ => None,
    };
    match v {
        Some(n) => {
            cx.set(&props::PID_TAG_SENSITIVITY, PropValue::I32(n));
            cx.set(&props::PID_LID_PRIVATE, PropValue::Bool(n == 2));
            cx.remember("CLASS", p);
        }
        None => {
            cx.keep(p);
            cx.warn(
                p.line(),
                "CLASS is none of PUBLIC, PRIVATE, CONFIDENTIAL; kept as written",
            );
        }
    }
}

fn export_class(cx: &mut ExportContext<'_>) {
    let s = cx
        .message
        .properties
        .i32(&props::PID_TAG_SENSITIVITY)
        .unwrap_or(0);
    let text = match s {
        1 => "X-PERSONAL",
        2 => "PRIVATE",
        3 => "CONFIDENTIAL",
        _ if cx.slots.iter().any(|(n, _)| n == "CLASS") => "PUBLIC",
        _ => return,
    };
    let mut p = vprop("CLASS", text);
    cx.restore("CLASS", &mut p, true);
    cx.push(p);
}

fn import_rev(cx: &mut ImportContext<'_>) {
    let Some(p) = cx.card.property("REV") else {
        return;
    };
    keep_further(cx, &["REV"], p);
    match instant_of(p).and_then(filetime) {
        Some(t) => {
            cx.set(&props::PID_TAG_LAST_MODIFICATION_TIME, PropValue::Time(t));
            cx.remember("REV", p);
        }
        None => {
            cx.keep(p);
            cx.warn(p.line(), "REV is not a timestamp; kept as written");
        }
    }
}

fn export_rev(cx: &mut ExportContext<'_>) {
    let Some(t) = cx
        .message
        .properties
        .time(&props::PID_TAG_LAST_MODIFICATION_TIME)
        .and_then(from_filetime)
    else {
        return;
    };
    let t = t.with_nanosecond(0).unwrap_or(t);
    let mut p = Property::new(
        "REV",
        ValueType::DateTime,
        Value::DateTime(DateTime::utc(t)),
    );
    cx.restore("REV", &mut p, false);
    cx.push(p);
}

fn import_uid(cx: &mut ImportContext<'_>) {
    if let Some(p) = cx.card.property("UID") {
        keep_further(cx, &["UID"], p);
        let t = text_of(p);
        if !t.trim().is_empty() {
            cx.message.properties.insert(
                uid_property(),
                PropValue::String(t.trim().to_owned().into()),
            );
            cx.remember("UID", p);
        }
    }
}

fn export_uid(cx: &mut ExportContext<'_>) {
    if let Some(uid) = cx
        .message
        .properties
        .get(&uid_property().into())
        .and_then(PropValue::as_str)
    {
        let mut p = vprop("UID", uid);
        cx.restore("UID", &mut p, true);
        cx.push(p);
    }
}

fn import_key(cx: &mut ImportContext<'_>) {
    let keys: Vec<&Property> = cx.card.properties.iter().filter(|p| p.is("KEY")).collect();
    let mut certs: Vec<Vec<u8>> = Vec::new();
    for p in keys {
        let t = types(p);
        match p.value() {
            Some(Value::Binary(b)) if !t.iter().any(|x| x.contains("pgp")) => {
                if certs.is_empty() {
                    cx.remember("KEY", p);
                }
                certs.push(b.clone());
            }
            _ => {
                // A PGP key or a key by URI: Outlook holds X.509
                // certificates only.
                cx.keep(p);
            }
        }
    }
    if !certs.is_empty() {
        cx.set(
            &props::PID_TAG_USER_X509_CERTIFICATE,
            PropValue::MvBinary(certs),
        );
    }
}

fn export_key(cx: &mut ExportContext<'_>) {
    let certs = match cx
        .message
        .properties
        .get_def(&props::PID_TAG_USER_X509_CERTIFICATE)
    {
        Some(PropValue::MvBinary(c)) => c.clone(),
        _ => return,
    };
    for c in certs {
        let mut p = Property::new("KEY", ValueType::Binary, Value::Binary(c));
        p.params_mut().set("ENCODING", "b");
        cx.restore("KEY", &mut p, false);
        set_types(&mut p, &["X509"]);
        cx.push(p);
    }
}

fn import_gender(cx: &mut ImportContext<'_>) {
    let Some(p) = cx
        .card
        .property("X-GENDER")
        .or_else(|| cx.card.property("GENDER"))
    else {
        return;
    };
    keep_further(cx, &["X-GENDER", "GENDER"], p);
    // Only the plain sex values map (MS-OXOCNTC 2.2.1.10.20: 1 female,
    // 2 male); anything richer is kept as written.
    match text_of(p).trim().to_ascii_uppercase().as_str() {
        "F" => cx.set(&props::PID_TAG_GENDER, PropValue::I16(1)),
        "M" => cx.set(&props::PID_TAG_GENDER, PropValue::I16(2)),
        _ => {
            cx.keep(p);
            let shown = shown_name(cx, p);
            cx.warn(
                p.line(),
                format!(
                    "{shown} {:?}: Outlook holds female or male only; kept as written",
                    text_of(p)
                ),
            );
            return;
        }
    }
    cx.remember("GENDER", p);
}

fn export_gender(cx: &mut ExportContext<'_>) {
    let g = match cx.message.properties.get_def(&props::PID_TAG_GENDER) {
        Some(PropValue::I16(1)) => "F",
        Some(PropValue::I16(2)) => "M",
        _ => return,
    };
    let mut p = vprop("X-GENDER", g);
    cx.restore("GENDER", &mut p, true);
    cx.push(p);
}

const USER_FIELDS: [&PropDef; 4] = [
    &props::PID_LID_CONTACT_USER_FIELD1,
    &props::PID_LID_CONTACT_USER_FIELD2,
    &props::PID_LID_CONTACT_USER_FIELD3,
    &props::PID_LID_CONTACT_USER_FIELD4,
];

fn import_text_fields(cx: &mut ImportContext<'_>) {
    let fields: Vec<&Property> = cx
        .card
        .properties
        .iter()
        .filter(|p| p.is("X-MS-TEXT"))
        .collect();
    for (i, p) in fields.into_iter().enumerate() {
        match USER_FIELDS.get(i) {
            Some(def) => {
                set_str(cx, def, &text_of(p));
                cx.remember(&format!("X-MS-TEXT{}", i + 1), p);
            }
            None => {
                cx.keep(p);
                cx.warn(
                    p.line(),
                    "Outlook holds four user fields; X-MS-TEXT kept as written",
                );
            }
        }
    }
}

fn export_text_fields(cx: &mut ExportContext<'_>) {
    for (i, def) in USER_FIELDS.iter().enumerate() {
        if let Some(t) = cx.text(def) {
            let mut p = vprop("X-MS-TEXT", lf(&t));
            cx.restore(&format!("X-MS-TEXT{}", i + 1), &mut p, true);
            cx.push(p);
        }
    }
}

pub(crate) fn default_rules() -> Vec<Arc<dyn ContactRule>> {
    let direct =
        |name: &str, aliases: &[&str], def: &PropDef, kind: TextKind| -> Arc<dyn ContactRule> {
            Arc::new(DirectRule::new(name, aliases, def.key(), kind))
        };
    vec![
        Arc::new(FnRule::new("FN", &["FN"], import_fn, export_fn)),
        Arc::new(FnRule::new("N", &["N"], import_n, export_n)),
        direct("NICKNAME", &[], &props::PID_TAG_NICKNAME, TextKind::Text),
        Arc::new(FnRule::new("ORG", &["ORG"], import_org, export_org)),
        direct("TITLE", &[], &props::PID_TAG_TITLE, TextKind::Text),
        direct("ROLE", &[], &props::PID_TAG_PROFESSION, TextKind::Text),
        Arc::new(FnRule::new("PHOTO", &["PHOTO"], import_photo, export_photo)),
        Arc::new(FnRule::new("BDAY", &["BDAY"], import_bday, export_bday)),
        Arc::new(FnRule::new(
            "X-MS-ANNIVERSARY",
            ANNIVERSARY,
            import_anniversary,
            export_anniversary,
        )),
        Arc::new(FnRule::new(
            "ADR",
            &["ADR", "LABEL", "X-MS-OL-DEFAULT-POSTAL-ADDRESS"],
            import_adr,
            export_adr,
        )),
        Arc::new(FnRule::new("TEL", &["TEL"], import_tel, export_tel)),
        Arc::new(FnRule::new(
            "X-MS-TEL",
            &["X-MS-TEL"],
            import_x_ms_tel,
            export_x_ms_tel,
        )),
        Arc::new(FnRule::new("EMAIL", &["EMAIL"], import_email, export_email)),
        Arc::new(FnRule::new("X-MS-IMADDRESS", IM, import_im, export_im)),
        Arc::new(FnRule::new("URL", &["URL"], import_url, export_url)),
        Arc::new(FnRule::new(
            "CATEGORIES",
            &["CATEGORIES"],
            import_categories,
            export_categories,
        )),
        Arc::new(FnRule::new("CLASS", &["CLASS"], import_class, export_class)),
        Arc::new(FnRule::new("KEY", &["KEY"], import_key, export_key)),
        Arc::new(FnRule::new(
            "X-GENDER",
            &["X-GENDER", "GENDER"],
            import_gender,
            export_gender,
        )),
        direct(
            "X-MS-MANAGER",
            &[],
            &props::PID_TAG_MANAGER_NAME,
            TextKind::Text,
        ),
        direct(
            "X-MS-ASSISTANT",
            &["X-ASSISTANT"],
            &props::PID_TAG_ASSISTANT,
            TextKind::Text,
        ),
        direct(
            "X-MS-SPOUSE",
            &[],
            &props::PID_TAG_SPOUSE_NAME,
            TextKind::Text,
        ),
        direct(
            "X-MS-CHILD",
            &["X-MS-CHILDREN"],
            &props::PID_TAG_CHILDRENS_NAMES,
            TextKind::List,
        ),
        direct(
            "X-MS-INTERESTS",
            &[],
            &props::PID_TAG_HOBBIES,
            TextKind::Text,
        ),
        // Phonetic (yomi) names: the X- properties Apple and Android write
        // and read; MS-OXVCARD names no vCard form for them.
        direct(
            "X-PHONETIC-FIRST-NAME",
            &[],
            &props::PID_LID_YOMI_FIRST_NAME,
            TextKind::Text,
        ),
        direct(
            "X-PHONETIC-LAST-NAME",
            &[],
            &props::PID_LID_YOMI_LAST_NAME,
            TextKind::Text,
        ),
        direct(
            "X-PHONETIC-ORG",
            &[],
            &props::PID_LID_YOMI_COMPANY_NAME,
            TextKind::Text,
        ),
        Arc::new(FnRule::new(
            "X-MS-TEXT",
            &["X-MS-TEXT"],
            import_text_fields,
            export_text_fields,
        )),
        direct(
            "FBURL",
            &[],
            &props::PID_LID_FREE_BUSY_LOCATION,
            TextKind::Text,
        ),
        Arc::new(FnRule::new("REV", &["REV"], import_rev, export_rev)),
        Arc::new(FnRule::new("UID", &["UID"], import_uid, export_uid)),
        Arc::new(FnRule::new("NOTE", &["NOTE"], import_note, export_note)),
    ]
}
