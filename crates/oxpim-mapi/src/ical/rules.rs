//! The default MS-OXCICAL rules for the simple properties: texts,
//! classification, importance, busy status, lists, sequence and stamps,
//! and the `X-MICROSOFT-*` / `X-MS-OLK-*` properties that map one to one.

use std::sync::Arc;

use chrono::NaiveDateTime;
use oxpim_contentline::value::time::parse_date_time;
use oxpim_contentline::{DateTime, Property, Value, ValueType, Values};

use super::{EventRule, ExportContext, ImportContext, filetime, from_filetime};
use crate::codepage;
use crate::named::PropKey;
use crate::props::{self, PropDef};
use crate::types::PropType;
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
    /// A rule named `name` that maps the iCalendar properties `handles`.
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

impl EventRule for FnRule {
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

/// How a [`DirectRule`] reads and writes its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// TEXT ⇄ PtypString.
    Text,
    /// BOOLEAN (`TRUE`/`FALSE`) ⇄ PtypBoolean.
    Boolean,
    /// INTEGER ⇄ PtypInteger32.
    Integer,
    /// DATE-TIME (any zone; written in UTC) ⇄ PtypTime.
    UtcTime,
}

impl ValueKind {
    fn ptype(self) -> PropType {
        match self {
            ValueKind::Text => PropType::STRING,
            ValueKind::Boolean => PropType::BOOLEAN,
            ValueKind::Integer => PropType::INTEGER32,
            ValueKind::UtcTime => PropType::TIME,
        }
    }
}

/// A property that maps one to one: the iCalendar property `ical` ⇄ one
/// MAPI property. Most `X-MS-OLK-*` properties are such rules; a caller
/// adds its own the same way.
#[derive(Debug, Clone)]
pub struct DirectRule {
    ical: String,
    key: PropKey,
    kind: ValueKind,
}

impl DirectRule {
    /// A rule between the iCalendar property named `ical` and `key`.
    pub fn new(ical: &str, key: impl Into<PropKey>, kind: ValueKind) -> DirectRule {
        DirectRule {
            ical: ical.to_ascii_uppercase(),
            key: key.into(),
            kind,
        }
    }

    /// A rule for a canonical property.
    pub fn for_def(ical: &str, def: &PropDef, kind: ValueKind) -> DirectRule {
        DirectRule::new(ical, def.key(), kind)
    }
}

impl EventRule for DirectRule {
    fn name(&self) -> &str {
        &self.ical
    }
    fn handles(&self, name: &str) -> bool {
        self.ical.eq_ignore_ascii_case(name)
    }
    fn import(&self, cx: &mut ImportContext<'_>) {
        let Some(p) = cx.event.property(&self.ical) else {
            return;
        };
        let line = p.line();
        let text = prop_text(p);
        let value = match self.kind {
            ValueKind::Text => Some(PropValue::String(text.clone().into())),
            ValueKind::Boolean => parse_bool(&text).map(PropValue::Bool),
            ValueKind::Integer => text.trim().parse::<i32>().ok().map(PropValue::I32),
            ValueKind::UtcTime => date_time_of(p)
                .and_then(|dt| cx.to_utc(&dt))
                .and_then(filetime)
                .map(PropValue::Time),
        };
        match value {
            Some(v) if v.prop_type() == self.kind.ptype() => {
                cx.message.properties.insert(self.key.clone(), v);
            }
            _ => cx.warn(
                line,
                format!(
                    "{} value {text:?} is not a {:?}; not converted",
                    self.ical, self.kind
                ),
            ),
        }
    }
    fn export(&self, cx: &mut ExportContext<'_>) {
        let Some(v) = cx.message.properties.get(&self.key) else {
            return;
        };
        let text = match (self.kind, v) {
            (ValueKind::Text, PropValue::String(s)) => s.as_str().to_owned(),
            (ValueKind::Text, PropValue::String8(b)) => {
                codepage::decode(b, cx.message.properties.codepage())
            }
            (ValueKind::Boolean, PropValue::Bool(b)) => bool_text(*b).to_owned(),
            (ValueKind::Integer, PropValue::I32(i)) => i.to_string(),
            (ValueKind::UtcTime, PropValue::Time(t)) => {
                if let Some(t) = from_filetime(*t) {
                    cx.event.push(utc_prop(&self.ical, t));
                }
                return;
            }
            _ => return,
        };
        let vt = if self.kind == ValueKind::Text {
            ValueType::Text
        } else {
            ValueType::Unknown
        };
        let value = if self.kind == ValueKind::Text {
            Value::Text(text.into())
        } else {
            Value::Unknown(text.into())
        };
        cx.event.push(Property::new(&self.ical, vt, value));
    }
}

/// The text of a property's first value, as written for unknown types.
pub(crate) fn prop_text(p: &Property) -> String {
    match p.value() {
        Some(v) => oxpim_contentline::value::display_text(v).into_owned(),
        None => String::new(),
    }
}

/// All the values of a property as texts (lists split).
pub(crate) fn prop_texts(p: &Property) -> Vec<String> {
    p.values()
        .as_slice()
        .iter()
        .map(|v| oxpim_contentline::value::display_text(v).into_owned())
        .collect()
}

pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    let s = s.trim();
    let is = |w: &str| s.eq_ignore_ascii_case(w);
    if is("TRUE") || is("1") || is("YES") {
        Some(true)
    } else if is("FALSE") || is("0") || is("NO") {
        Some(false)
    } else {
        None
    }
}

pub(crate) fn bool_text(b: bool) -> &'static str {
    if b { "TRUE" } else { "FALSE" }
}

/// A DATE-TIME of a property, typed or (for X- properties) parsed from its
/// text with its TZID.
pub(crate) fn date_time_of(p: &Property) -> Option<DateTime> {
    match p.value()? {
        Value::DateTime(dt) => Some(dt.clone()),
        Value::Date(d) => Some(DateTime::floating(d.and_time(chrono::NaiveTime::MIN))),
        other => {
            let text = oxpim_contentline::value::display_text(other);
            parse_date_time(text.trim().as_bytes(), p.param("TZID")).map(|(dt, _)| dt)
        }
    }
}

pub(crate) fn utc_prop(name: &str, t: NaiveDateTime) -> Property {
    Property::new(name, ValueType::DateTime, Value::DateTime(DateTime::utc(t)))
}

fn text_prop(name: &str, s: &str) -> Property {
    Property::text(name, s)
}

/// Strips CR and LF (MS-OXCICAL: SUMMARY and LOCATION are one line).
fn one_line(s: &str) -> String {
    if s.contains(['\r', '\n']) {
        s.replace("\r\n", " ").replace(['\r', '\n'], " ")
    } else {
        s.to_owned()
    }
}

fn import_summary(cx: &mut ImportContext<'_>) {
    let p = cx.event.property("SUMMARY");
    let text = p.map(prop_text).unwrap_or_default();
    cx.set(&props::PID_TAG_SUBJECT, one_line(&text));
    if let Some(lang) = p.and_then(|p| p.param("LANGUAGE")) {
        match codepage::lcid_for_tag(lang) {
            Some(id) => cx.set(&props::PID_TAG_MESSAGE_LOCALE_ID, id as i32),
            // Kept with the line's parameters (`ical-line-params`), or
            // dropped with their warning.
            None if cx.options.keep_unmapped => {
                let line = p.map_or(0, Property::line);
                cx.warn(
                    line,
                    format!(
                        "LANGUAGE={lang} has no Windows locale ID; kept in oxpim's own property for export"
                    ),
                );
            }
            None => {}
        }
    }
}

fn export_summary(cx: &mut ExportContext<'_>) {
    // No subject, no SUMMARY (RFC 5545 has it optional; an empty one
    // would read back as a summary "").
    let Some(subject) = cx.text(&props::PID_TAG_SUBJECT).filter(|s| !s.is_empty()) else {
        return;
    };
    let mut p = text_prop("SUMMARY", &subject);
    let lcid = match cx
        .message
        .properties
        .get_def(&props::PID_TAG_MESSAGE_LOCALE_ID)
    {
        Some(PropValue::I32(id)) => Some(*id as u32),
        _ => None,
    };
    // The tag as the line had it (`de`, which the locale ID gives back as
    // `de-de`; or one with no locale ID, while there is none) while the
    // locale ID is still the one it gave; else the locale ID's (not on
    // exceptions, which share the series').
    let kept = super::kept_line_params(cx.message)
        .into_iter()
        .find(|k| k.is("SUMMARY"))
        .and_then(|k| k.param("LANGUAGE").map(str::to_owned))
        .filter(|k| codepage::lcid_for_tag(k) == lcid);
    let tag = kept.or_else(|| {
        (!cx.is_exception)
            .then(|| lcid.and_then(codepage::tag_for_lcid))
            .flatten()
            .map(str::to_owned)
    });
    if let Some(tag) = tag {
        p.params_mut().set("LANGUAGE", tag);
    }
    cx.event.push(p);
}

fn import_location(cx: &mut ImportContext<'_>) {
    let Some(p) = cx.event.property("LOCATION") else {
        // An override is a whole VEVENT (RFC 5545 §3.8.4.4): without a
        // LOCATION it has none, while an exception message inherits what
        // it does not set (MS-OXOCAL 2.2.10.1).
        if cx.is_exception
            && cx
                .master
                .is_some_and(|m| m.properties.get_def(&props::PID_LID_LOCATION).is_some())
        {
            cx.set(&props::PID_LID_LOCATION, String::new());
        }
        return;
    };
    cx.set(&props::PID_LID_LOCATION, one_line(&prop_text(p)));
    if let Some(url) = p.param("ALTREP") {
        cx.set(&props::PID_NAME_LOCATION_URL, url.to_owned());
    }
}

fn export_location(cx: &mut ExportContext<'_>) {
    let Some(loc) = cx.text(&props::PID_LID_LOCATION).filter(|l| !l.is_empty()) else {
        return;
    };
    let mut p = text_prop("LOCATION", &loc);
    if let Some(url) = cx.text(&props::PID_NAME_LOCATION_URL) {
        p.params_mut().set("ALTREP", url);
    }
    cx.event.push(p);
}

fn import_body(cx: &mut ImportContext<'_>) {
    // MS-OXCICAL: REPLY and COUNTER carry the body in COMMENT, others in
    // DESCRIPTION; the other one is not a body.
    let (name, other) = if cx.method.is_response() {
        ("COMMENT", "DESCRIPTION")
    } else {
        ("DESCRIPTION", "COMMENT")
    };
    // The other one has no Outlook property: kept as written.
    let event = cx.event;
    for p in event.properties_named(other) {
        cx.keep_property(p);
    }
    let texts = cx.event.properties_named(name).map(|p| {
        p.value().map_or(
            std::borrow::Cow::Borrowed(""),
            oxpim_contentline::value::display_text,
        )
    });
    if let Some(body) = body_of(texts) {
        cx.set(&props::PID_TAG_BODY, body);
    }
}

/// The texts joined by line breaks, with every LF and CRLF written CRLF as
/// Outlook's bodies end lines (a lone CR is left as it is); `None` without
/// texts. One pass, without copying each text first.
fn body_of<T: AsRef<str>>(texts: impl Iterator<Item = T>) -> Option<String> {
    let mut body: Option<String> = None;
    for text in texts {
        if let Some(b) = &mut body {
            // A CR that ends the text before makes one line break with
            // the joining LF.
            b.push_str(if b.ends_with('\r') { "\n" } else { "\r\n" });
        }
        push_crlf(body.get_or_insert_with(String::new), text.as_ref());
    }
    body
}

/// Appends `text` to `out` with each LF, and each CRLF, written CRLF.
fn push_crlf(out: &mut String, text: &str) {
    out.reserve(text.len());
    let b = text.as_bytes();
    let mut run = 0usize;
    for i in memchr::memchr_iter(b'\n', b) {
        let end = if i > run && b.get(i - 1) == Some(&b'\r') {
            i - 1
        } else {
            i
        };
        out.push_str(text.get(run..end).unwrap_or_default());
        out.push_str("\r\n");
        run = i + 1;
    }
    out.push_str(text.get(run..).unwrap_or_default());
}

/// The plain body of an exported message, when it has one that is not only
/// white space (Outlook writes `"\r\n"` for none).
fn plain_body(cx: &ExportContext<'_>) -> Option<String> {
    cx.message
        .properties
        .text(&props::PID_TAG_BODY, cx.message.properties.codepage())
        .filter(|b| !b.trim().is_empty())
}

fn export_body(cx: &mut ExportContext<'_>) {
    let raw = cx
        .message
        .properties
        .text(&props::PID_TAG_BODY, cx.message.properties.codepage());
    // Without a plain body (or only white space), the text of the RTF
    // one: a message whose only body is RTF would otherwise lose it.
    let from_rtf = if raw.as_deref().is_some_and(|b| !b.trim().is_empty()) {
        None
    } else {
        match cx.rtf().map(|r| r.and_then(crate::rtf::text_of)) {
            Some(Ok(text)) if !text.trim().is_empty() => Some(text),
            Some(Err(e)) => {
                // One warning for the message: export_html, which also
                // reads the RTF when there is no PidTagHtml, stays silent
                // when there is no plain body.
                let what = if cx.message.properties.binary(&props::PID_TAG_HTML).is_some() {
                    "DESCRIPTION"
                } else {
                    "DESCRIPTION or X-ALT-DESC"
                };
                cx.warn(format!(
                    "PidTagRtfCompressed not read ({e}); no {what} from it"
                ));
                None
            }
            _ => None,
        }
    };
    // Else the plain body as it is, even empty (as written before).
    let Some(body) = from_rtf.or(raw) else {
        return;
    };
    let name = if cx.method.is_response() {
        "COMMENT"
    } else {
        "DESCRIPTION"
    };
    cx.event.push(text_prop(name, &body.replace("\r\n", "\n")));
}

fn import_html(cx: &mut ImportContext<'_>) {
    for p in cx.event.properties_named("X-ALT-DESC") {
        let fmt = p.param("FMTTYPE").unwrap_or_default();
        if fmt.eq_ignore_ascii_case("text/html") {
            let html = prop_text(p);
            cx.message.properties.insert(
                props::PID_TAG_HTML.key(),
                PropValue::Binary(html.into_bytes().into()),
            );
            cx.message.properties.insert(
                props::PID_TAG_INTERNET_CODEPAGE.key(),
                PropValue::I32(65001),
            );
            return;
        }
    }
}

fn export_html(cx: &mut ExportContext<'_>) {
    let Some(html) = cx.message.properties.binary(&props::PID_TAG_HTML) else {
        // MS-OXCICAL 2.1.3.1.1.20.27: the RTF body gives X-ALT-DESC when
        // it encapsulates HTML (MS-OXRTFEX); native RTF is not converted.
        // An RTF body marked out of date (PidTagRtfInSync false) beside a
        // plain body is not used.
        let plain = plain_body(cx).is_some();
        if plain && cx.message.properties.bool(&props::PID_TAG_RTF_IN_SYNC) == Some(false) {
            return;
        }
        match cx.rtf().map(|r| r.and_then(crate::rtf::html_of)) {
            Some(Ok(Some(html))) => {
                let mut p = text_prop("X-ALT-DESC", &html);
                p.params_mut().set("FMTTYPE", "text/html");
                cx.event.push(p);
            }
            // Without a plain body export_body has said it.
            Some(Err(e)) if plain => {
                cx.warn(format!(
                    "PidTagRtfCompressed not read ({e}); no X-ALT-DESC from it"
                ));
            }
            _ => {}
        }
        return;
    };
    let cp = cx
        .message
        .properties
        .i32(&props::PID_TAG_INTERNET_CODEPAGE)
        .and_then(|c| u32::try_from(c).ok())
        .unwrap_or(65001);
    let text = codepage::decode(html, cp);
    let mut p = text_prop("X-ALT-DESC", &text);
    p.params_mut().set("FMTTYPE", "text/html");
    cx.event.push(p);
}

/// MS-OXOCAL 2.2.10.2: classification, categories and contacts are not
/// set on exceptions; an exception's own lines are kept as written.
fn keep_on_exception(cx: &mut ImportContext<'_>, name: &str) -> bool {
    if !cx.is_exception {
        return false;
    }
    let ev = cx.event;
    for p in ev.properties_named(name) {
        cx.keep_property(p);
    }
    true
}

fn import_class(cx: &mut ImportContext<'_>) {
    if keep_on_exception(cx, "CLASS") {
        return;
    }
    let p = cx.event.property("CLASS");
    let text = p.map(prop_text).unwrap_or_default().to_ascii_uppercase();
    let v = match text.as_str() {
        "" | "PUBLIC" => 0,
        "PERSONAL" | "X-PERSONAL" => 1,
        "PRIVATE" => 2,
        "CONFIDENTIAL" => 3,
        other => {
            cx.warn(
                p.map_or(0, Property::line),
                format!("CLASS:{other} is unknown; read as PRIVATE"),
            );
            2
        }
    };
    cx.set(&props::PID_TAG_SENSITIVITY, v);
    if v == 2 {
        cx.set(&props::PID_LID_PRIVATE, true);
    }
}

fn export_class(cx: &mut ExportContext<'_>) {
    if cx.is_exception {
        return;
    }
    let Some(v) = cx.message.properties.i32(&props::PID_TAG_SENSITIVITY) else {
        return;
    };
    let s = match v {
        1 => "X-PERSONAL",
        2 => "PRIVATE",
        3 => "CONFIDENTIAL",
        _ => "PUBLIC",
    };
    cx.event.push(Property::new(
        "CLASS",
        ValueType::Text,
        Value::Text(s.into()),
    ));
}

fn import_importance(cx: &mut ImportContext<'_>) {
    for name in [
        "X-MICROSOFT-CDO-IMPORTANCE",
        "X-MICROSOFT-MSNCALENDAR-IMPORTANCE",
    ] {
        if let Some(p) = cx.event.property(name) {
            match prop_text(p).trim().parse::<i32>() {
                Ok(v @ 0..=2) => {
                    cx.set(&props::PID_TAG_IMPORTANCE, v);
                    return;
                }
                _ => cx.warn(p.line(), format!("{name} is not 0, 1 or 2; ignored")),
            }
        }
    }
    let Some(p) = cx.event.property("PRIORITY") else {
        return;
    };
    let n = p.value().and_then(Value::as_integer);
    let Some(v) = n.and_then(importance_of_priority) else {
        if n != Some(0) {
            cx.warn(p.line(), "PRIORITY is not 0–9; ignored");
        }
        return;
    };
    cx.set(&props::PID_TAG_IMPORTANCE, v);
    // Outlook has three importances for nine priorities: a priority that
    // is not the one export writes for its importance is kept.
    if let Some(n) = n
        && n != priority_of_importance(v)
        && cx.options.keep_unmapped
    {
        cx.message.properties.insert(
            priority_property(),
            PropValue::I32(i32::try_from(n).unwrap_or_default()),
        );
    }
}

/// The PRIORITY an import read, when it was not 1, 5 or 9 (the ones
/// Outlook's importances give): export writes it again while the message's
/// importance is still the one it gave.
pub fn priority_property() -> crate::named::NamedProperty {
    crate::named::NamedProperty::string(super::PSETID_OXPIM, "ical-priority")
}

/// MS-OXCICAL PRIORITY → PidTagImportance: 1–4 high (2), 5 normal (1),
/// 6–9 low (0); 0 (undefined) none.
fn importance_of_priority(n: i64) -> Option<i32> {
    match n {
        1..=4 => Some(2),
        5 => Some(1),
        6..=9 => Some(0),
        _ => None,
    }
}

/// PidTagImportance → PRIORITY: high 1, low 9, normal 5.
fn priority_of_importance(v: i32) -> i64 {
    match v {
        2 => 1,
        0 => 9,
        _ => 5,
    }
}

fn export_importance(cx: &mut ExportContext<'_>) {
    let Some(v) = cx.message.properties.i32(&props::PID_TAG_IMPORTANCE) else {
        return;
    };
    let kept = match cx.message.properties.get(&priority_property().into()) {
        Some(PropValue::I32(n)) => Some(i64::from(*n)),
        _ => None,
    };
    let prio = kept
        .filter(|n| importance_of_priority(*n) == Some(v))
        .unwrap_or_else(|| priority_of_importance(v));
    cx.event.push(Property::new(
        "PRIORITY",
        ValueType::Integer,
        Value::Integer(prio),
    ));
    cx.event.push(Property::new(
        "X-MICROSOFT-CDO-IMPORTANCE",
        ValueType::Unknown,
        Value::Unknown(v.clamp(0, 2).to_string().into()),
    ));
}

fn busy_value(s: &str) -> Option<i32> {
    Some(match s.trim().to_ascii_uppercase().as_str() {
        "FREE" => 0,
        "TENTATIVE" => 1,
        "BUSY" => 2,
        "OOF" => 3,
        "WORKINGELSEWHERE" => 4,
        _ => return None,
    })
}

fn busy_name(v: i32) -> &'static str {
    match v {
        0 => "FREE",
        1 => "TENTATIVE",
        3 => "OOF",
        4 => "WORKINGELSEWHERE",
        _ => "BUSY",
    }
}

fn import_busy(cx: &mut ImportContext<'_>) {
    let mut busy = None;
    for name in [
        "X-MICROSOFT-CDO-BUSYSTATUS",
        "X-MICROSOFT-MSNCALENDAR-BUSYSTATUS",
    ] {
        if busy.is_none()
            && let Some(p) = cx.event.property(name)
        {
            busy = busy_value(&prop_text(p));
            if busy.is_none() {
                cx.warn(
                    p.line(),
                    format!("{name}:{} is unknown; ignored", prop_text(p)),
                );
            }
        }
    }
    if busy.is_none()
        && let Some(p) = cx.event.property("TRANSP")
    {
        busy = match prop_text(p).trim().to_ascii_uppercase().as_str() {
            "TRANSPARENT" => Some(0),
            "OPAQUE" => Some(2),
            _ => None,
        };
    }
    if busy.is_none()
        && let Some(p) = cx.event.property("STATUS")
    {
        busy = match prop_text(p).trim().to_ascii_uppercase().as_str() {
            "CANCELLED" => Some(0),
            "TENTATIVE" => Some(1),
            "CONFIRMED" => Some(2),
            _ => None,
        };
    }
    let mut intended = None;
    for name in [
        "X-MICROSOFT-CDO-INTENDEDSTATUS",
        "X-MICROSOFT-MSNCALENDAR-INTENDEDSTATUS",
    ] {
        if intended.is_none()
            && let Some(p) = cx.event.property(name)
        {
            intended = busy_value(&prop_text(p));
        }
    }
    if *cx.method == super::Method::Request && intended.is_none() && !cx.is_exception {
        // MS-OXCICAL 2.1.3.1.1.20.34: a request without INTENDEDSTATUS
        // intends its busy status, shown as tentative until answered.
        intended = Some(busy.unwrap_or(2));
        busy = Some(1);
    }
    if *cx.method == super::Method::Cancel {
        // MS-OXOCAL 2.2.8.4: cancellations are free.
        busy = Some(0);
        intended = Some(0);
    }
    // Default for appointments without any of the properties: busy.
    let busy = busy.unwrap_or(if cx.is_exception { -1 } else { 2 });
    if busy >= 0 {
        cx.set(&props::PID_LID_BUSY_STATUS, busy);
    }
    if let Some(i) = intended {
        cx.set(&props::PID_LID_INTENDED_BUSY_STATUS, i);
    }
}

fn export_busy(cx: &mut ExportContext<'_>) {
    let Some(busy) = cx
        .get(&props::PID_LID_BUSY_STATUS)
        .and_then(PropValue::as_i32)
    else {
        return;
    };
    let transp = if busy == 0 || busy == 4 {
        "TRANSPARENT"
    } else {
        "OPAQUE"
    };
    cx.event.push(Property::new(
        "TRANSP",
        ValueType::Text,
        Value::Text(transp.into()),
    ));
    cx.event.push(Property::new(
        "X-MICROSOFT-CDO-BUSYSTATUS",
        ValueType::Unknown,
        Value::Unknown(busy_name(busy).into()),
    ));
    if *cx.method == super::Method::Request
        && !cx.is_exception
        && let Some(i) = cx
            .message
            .properties
            .i32(&props::PID_LID_INTENDED_BUSY_STATUS)
    {
        cx.event.push(Property::new(
            "X-MICROSOFT-CDO-INTENDEDSTATUS",
            ValueType::Unknown,
            Value::Unknown(busy_name(i).into()),
        ));
    }
}

/// MS-OXCICAL's normalisation of a list entry: separators removed,
/// whitespace collapsed, trimmed.
fn normalise_entry(s: &str, separators: &[char]) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s
        .split(|c: char| c.is_whitespace() || separators.contains(&c))
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Drops empty entries and entries equal to an earlier one ignoring case.
fn dedup_ci(items: Vec<String>) -> Vec<String> {
    if items.len() > 16 {
        // A long list: a set of lowercase copies keeps it linear.
        let mut seen = std::collections::HashSet::new();
        return items
            .into_iter()
            .filter(|s| !s.is_empty() && seen.insert(s.to_lowercase()))
            .collect();
    }
    // Lists are usually a few categories: comparing with those kept beats
    // building lowercase copies for a set.
    let mut kept: Vec<String> = Vec::with_capacity(items.len());
    for s in items {
        if !s.is_empty() && !kept.iter().any(|k| same_ignoring_case(k, &s)) {
            kept.push(s);
        }
    }
    kept
}

/// Equal under Unicode lowercasing (what `to_lowercase` on both sides
/// compares; it is context-sensitive, a word-final capital sigma becoming
/// `ς`), without building lowercase strings for ASCII text.
fn same_ignoring_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.to_lowercase() == b.to_lowercase()
}

fn import_categories(cx: &mut ImportContext<'_>) {
    if keep_on_exception(cx, "CATEGORIES") {
        return;
    }
    let seps = [';', ',', '\u{061B}', '\u{FE54}', '\u{FF1B}'];
    let mut changed: Option<(u32, String, String)> = None;
    let mut all: Vec<String> = Vec::new();
    for p in cx.event.properties_named("CATEGORIES") {
        for s in prop_texts(p) {
            let n = normalise_entry(&s, &seps);
            if changed.is_none() && s.contains(&seps[..]) {
                changed = Some((p.line(), s.clone(), n.clone()));
            }
            all.push(n);
        }
    }
    if let Some((line, was, now)) = changed {
        cx.warn(
            line,
            format!("category {was:?} holds a list separator, which MS-OXCICAL removes: stored as {now:?}"),
        );
    }
    let all = dedup_ci(all);
    if !all.is_empty() {
        cx.set(&props::PID_NAME_KEYWORDS, all);
    }
}

fn export_categories(cx: &mut ExportContext<'_>) {
    if cx.is_exception {
        return;
    }
    let Some(list) = cx
        .message
        .properties
        .get_def(&props::PID_NAME_KEYWORDS)
        .and_then(PropValue::as_strings)
    else {
        return;
    };
    if list.is_empty() {
        return;
    }
    let values: Vec<Value> = list.iter().map(|s| Value::Text(s.clone().into())).collect();
    let mut p = Property::new("CATEGORIES", ValueType::Text, Value::Text("".into()));
    p.set_values(ValueType::Text, Values::from_vec(values));
    cx.event.push(p);
}

fn import_contacts(cx: &mut ImportContext<'_>) {
    if keep_on_exception(cx, "CONTACT") {
        return;
    }
    let all: Vec<String> = cx
        .event
        .properties_named("CONTACT")
        .map(prop_text)
        .map(|s| normalise_entry(&s, &[';']))
        .collect();
    let all = dedup_ci(all);
    if !all.is_empty() {
        cx.set(&props::PID_LID_CONTACTS, all);
    }
}

fn export_contacts(cx: &mut ExportContext<'_>) {
    if cx.is_exception {
        return;
    }
    let Some(list) = cx
        .message
        .properties
        .get_def(&props::PID_LID_CONTACTS)
        .and_then(PropValue::as_strings)
    else {
        return;
    };
    for c in list {
        cx.event.push(text_prop("CONTACT", c));
    }
}

fn import_resources(cx: &mut ImportContext<'_>) {
    let all: Vec<String> = cx
        .event
        .properties_named("RESOURCES")
        .flat_map(prop_texts)
        .flat_map(|s| s.split(',').map(str::to_owned).collect::<Vec<_>>())
        .map(|s| normalise_entry(&s, &[';']))
        .filter(|s| !s.is_empty())
        .collect();
    if all.is_empty() {
        return;
    }
    append_semicolon_list(cx, &props::PID_LID_NON_SENDABLE_BCC, &all);
}

/// Appends entries to a `"; "`-separated string property.
pub(crate) fn append_semicolon_list(cx: &mut ImportContext<'_>, def: &PropDef, items: &[String]) {
    let mut list: Vec<String> = cx
        .message
        .properties
        .str(def)
        .map(|s| s.split("; ").map(str::to_owned).collect())
        .unwrap_or_default();
    list.extend(items.iter().cloned());
    cx.set(def, list.join("; "));
}

fn export_resources(cx: &mut ExportContext<'_>) {
    let Some(bcc) = cx.message.properties.str(&props::PID_LID_NON_SENDABLE_BCC) else {
        return;
    };
    let values: Vec<Value> = bcc
        .split("; ")
        .filter(|s| !s.is_empty())
        .map(|s| Value::Text(s.to_owned().into()))
        .collect();
    if values.is_empty() {
        return;
    }
    let mut p = Property::new("RESOURCES", ValueType::Text, Value::Text("".into()));
    p.set_values(ValueType::Text, Values::from_vec(values));
    cx.event.push(p);
}

fn import_sequence(cx: &mut ImportContext<'_>) {
    let from = |name: &str| -> Option<(i32, u32)> {
        let p = cx.event.property(name)?;
        let v = match p.value()? {
            Value::Integer(i) => i32::try_from(*i).ok(),
            other => oxpim_contentline::value::display_text(other)
                .trim()
                .parse()
                .ok(),
        };
        v.map(|v| (v, p.line()))
    };
    if let Some((v, _)) = from("X-MICROSOFT-CDO-APPT-SEQUENCE").or_else(|| from("SEQUENCE")) {
        cx.set(&props::PID_LID_APPOINTMENT_SEQUENCE, v);
    }
}

fn export_sequence(cx: &mut ExportContext<'_>) {
    let v = cx
        .get(&props::PID_LID_APPOINTMENT_SEQUENCE)
        .and_then(PropValue::as_i32)
        .unwrap_or(0);
    cx.event.push(Property::new(
        "SEQUENCE",
        ValueType::Integer,
        Value::Integer(i64::from(v)),
    ));
}

fn import_stamps(cx: &mut ImportContext<'_>) {
    let stamp = if cx.method.is_response() {
        &props::PID_LID_ATTENDEE_CRITICAL_CHANGE
    } else {
        &props::PID_LID_OWNER_CRITICAL_CHANGE
    };
    for (name, def) in [
        ("DTSTAMP", stamp),
        ("CREATED", &props::PID_TAG_CREATION_TIME),
        ("LAST-MODIFIED", &props::PID_TAG_LAST_MODIFICATION_TIME),
    ] {
        if let Some(t) = cx
            .event
            .property(name)
            .and_then(date_time_of)
            .and_then(|dt| cx.to_utc(&dt))
            .and_then(filetime)
        {
            cx.set(def, t);
        }
    }
}

fn export_stamps(cx: &mut ExportContext<'_>) {
    let stamp = if cx.method.is_response() {
        &props::PID_LID_ATTENDEE_CRITICAL_CHANGE
    } else {
        &props::PID_LID_OWNER_CRITICAL_CHANGE
    };
    let t = cx
        .get(stamp)
        .and_then(PropValue::as_time)
        .and_then(from_filetime)
        .unwrap_or_else(|| super::now_or(cx.options.now));
    cx.event.push(utc_prop("DTSTAMP", t));
    for (name, def) in [
        ("CREATED", &props::PID_TAG_CREATION_TIME),
        ("LAST-MODIFIED", &props::PID_TAG_LAST_MODIFICATION_TIME),
    ] {
        if let Some(t) = cx.message.properties.time(def).and_then(from_filetime) {
            cx.event.push(utc_prop(name, t));
        }
    }
}

fn import_draft(cx: &mut ImportContext<'_>) {
    use super::Method;
    let invited = match cx.method {
        Method::Request | Method::Reply | Method::Cancel | Method::Counter => true,
        _ => {
            let draft = cx
                .event
                .property("X-MICROSOFT-ISDRAFT")
                .and_then(|p| parse_bool(&prop_text(p)))
                .unwrap_or(false);
            let meeting =
                cx.event.property("ORGANIZER").is_some() || cx.event.property("ATTENDEE").is_some();
            meeting && !draft
        }
    };
    cx.set(&props::PID_LID_F_INVITED, invited);
}

fn export_draft(cx: &mut ExportContext<'_>) {
    use super::Method;
    if !matches!(cx.method, Method::Publish | Method::None) || cx.is_exception {
        return;
    }
    let meeting = cx
        .message
        .properties
        .i32(&props::PID_LID_APPOINTMENT_STATE_FLAGS)
        .is_some_and(|f| f & 1 != 0);
    let received = cx
        .message
        .properties
        .i32(&props::PID_LID_APPOINTMENT_STATE_FLAGS)
        .is_some_and(|f| f & 2 != 0);
    let invited = cx
        .message
        .properties
        .bool(&props::PID_LID_F_INVITED)
        .unwrap_or(false);
    if meeting && !received && !invited {
        cx.event.push(Property::new(
            "X-MICROSOFT-ISDRAFT",
            ValueType::Unknown,
            Value::Unknown("TRUE".into()),
        ));
    }
}

/// The one-to-one rules of MS-OXCICAL 2.1.3.1.1.20.
fn direct_rules() -> Vec<DirectRule> {
    use ValueKind::*;
    let d = DirectRule::for_def;
    vec![
        d(
            "X-MICROSOFT-CDO-OWNERAPPTID",
            &props::PID_TAG_OWNER_APPOINTMENT_ID,
            Integer,
        ),
        d(
            "X-MICROSOFT-CDO-REPLYTIME",
            &props::PID_LID_APPOINTMENT_REPLY_TIME,
            UtcTime,
        ),
        d(
            "X-MICROSOFT-DISALLOW-COUNTER",
            &props::PID_LID_APPOINTMENT_NOT_ALLOW_PROPOSE,
            Boolean,
        ),
        d(
            "X-MS-OLK-ALLOWEXTERNCHECK",
            &props::PID_LID_ALLOW_EXTERNAL_CHECK,
            Boolean,
        ),
        d(
            "X-MS-OLK-APPTLASTSEQUENCE",
            &props::PID_LID_APPOINTMENT_LAST_SEQUENCE,
            Integer,
        ),
        d(
            "X-MS-OLK-APPTSEQTIME",
            &props::PID_LID_APPOINTMENT_SEQUENCE_TIME,
            UtcTime,
        ),
        d(
            "X-MS-OLK-AUTOFILLLOCATION",
            &props::PID_LID_AUTO_FILL_LOCATION,
            Boolean,
        ),
        d(
            "X-MS-OLK-AUTOSTARTCHECK",
            &props::PID_LID_AUTO_START_CHECK,
            Boolean,
        ),
        d(
            "X-MS-OLK-COLLABORATEDOC",
            &props::PID_LID_COLLABORATE_DOC,
            Text,
        ),
        d(
            "X-MS-OLK-CONFCHECK",
            &props::PID_LID_CONFERENCING_CHECK,
            Boolean,
        ),
        d(
            "X-MS-OLK-CONFTYPE",
            &props::PID_LID_CONFERENCING_TYPE,
            Integer,
        ),
        d("X-MS-OLK-DIRECTORY", &props::PID_LID_DIRECTORY, Text),
        d(
            "X-MS-OLK-MWSURL",
            &props::PID_LID_MEETING_WORKSPACE_URL,
            Text,
        ),
        d("X-MS-OLK-NETSHOWURL", &props::PID_LID_NET_SHOW_URL, Text),
        d(
            "X-MS-OLK-ONLINEPASSWORD",
            &props::PID_LID_ONLINE_PASSWORD,
            Text,
        ),
        d("X-MS-OLK-ORGALIAS", &props::PID_LID_ORGANIZER_ALIAS, Text),
    ]
}

/// The iCalendar properties the structural code of the importer maps
/// (times, UID, recurrence), or which are derived data it drops.
pub(crate) const CORE_PROPERTIES: &[&str] = &[
    "DTSTART",
    "DTEND",
    "DURATION",
    "UID",
    "RRULE",
    "RDATE",
    "EXDATE",
    "RECURRENCE-ID",
    "X-MICROSOFT-RRULE",
    "X-MICROSOFT-EXDATE",
    "X-MICROSOFT-CDO-ALLDAYEVENT",
    "X-MICROSOFT-MSNCALENDAR-ALLDAYEVENT",
    "X-MS-OLK-ORIGINALSTART",
    "X-MS-OLK-ORIGINALEND",
    "X-MICROSOFT-CDO-INSTTYPE",
];

/// The default rules, in the order they run.
pub(crate) fn default_rules() -> Vec<Arc<dyn EventRule>> {
    let mut v: Vec<Arc<dyn EventRule>> = vec![
        Arc::new(FnRule::new(
            "summary",
            &["SUMMARY"],
            import_summary,
            export_summary,
        )),
        Arc::new(FnRule::new(
            "location",
            &["LOCATION"],
            import_location,
            export_location,
        )),
        Arc::new(FnRule::new(
            "body",
            &["DESCRIPTION", "COMMENT"],
            import_body,
            export_body,
        )),
        Arc::new(FnRule::new(
            "html-body",
            &["X-ALT-DESC"],
            import_html,
            export_html,
        )),
        Arc::new(FnRule::new("class", &["CLASS"], import_class, export_class)),
        Arc::new(FnRule::new(
            "importance",
            &[
                "PRIORITY",
                "X-MICROSOFT-CDO-IMPORTANCE",
                "X-MICROSOFT-MSNCALENDAR-IMPORTANCE",
            ],
            import_importance,
            export_importance,
        )),
        Arc::new(FnRule::new(
            "busy-status",
            &[
                "TRANSP",
                "X-MICROSOFT-CDO-BUSYSTATUS",
                "X-MICROSOFT-MSNCALENDAR-BUSYSTATUS",
                "X-MICROSOFT-CDO-INTENDEDSTATUS",
                "X-MICROSOFT-MSNCALENDAR-INTENDEDSTATUS",
            ],
            import_busy,
            export_busy,
        )),
        Arc::new(FnRule::new(
            "categories",
            &["CATEGORIES"],
            import_categories,
            export_categories,
        )),
        Arc::new(FnRule::new(
            "contacts",
            &["CONTACT"],
            import_contacts,
            export_contacts,
        )),
        Arc::new(FnRule::new(
            "resources",
            &["RESOURCES"],
            import_resources,
            export_resources,
        )),
        Arc::new(FnRule::new(
            "sequence",
            &["SEQUENCE", "X-MICROSOFT-CDO-APPT-SEQUENCE"],
            import_sequence,
            export_sequence,
        )),
        Arc::new(FnRule::new(
            "timestamps",
            &["DTSTAMP", "CREATED", "LAST-MODIFIED"],
            import_stamps,
            export_stamps,
        )),
        Arc::new(FnRule::new(
            "draft",
            &["X-MICROSOFT-ISDRAFT"],
            import_draft,
            export_draft,
        )),
        Arc::new(super::people::attendees_rule()),
        Arc::new(super::people::sender_rule()),
        Arc::new(super::alarm::reminder_rule()),
        Arc::new(super::attach::attachments_rule()),
    ];
    for d in direct_rules() {
        v.push(Arc::new(d));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kept SUMMARY LANGUAGE tag follows a locale changed in Outlook;
    /// with `keep_unmapped` off, parameters are dropped with a warning.
    #[test]
    fn kept_line_parameters_give_way_to_outlook_and_to_keep_unmapped() {
        use crate::ical::{ExportOptions, Exporter, ImportOptions, Importer};
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:20250101T100000Z\r\nSUMMARY;LANGUAGE=de;X-A=1:Hallo\r\nLOCATION;ALTREP=\"http://a\";X-L=2:Room\r\nDESCRIPTION;ALTREP=\"cid:x\":Text\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let doc = oxpim_contentline::parse(text.as_bytes()).document;
        let import = |keep: bool| {
            Importer::new(ImportOptions {
                keep_unmapped: keep,
                ..ImportOptions::default()
            })
            .import(&doc)
        };
        // A parameter of the first exported line of a name.
        let param = |messages: &[crate::Message], name: &str, param: &str| {
            let exported = Exporter::new(ExportOptions::default()).export(messages);
            exported.document.components[0].components[0]
                .property(name)
                .and_then(|p| p.param(param))
                .map(str::to_owned)
        };
        let summary = |messages: &[crate::Message]| {
            (
                param(messages, "SUMMARY", "LANGUAGE"),
                param(messages, "SUMMARY", "X-A"),
                param(messages, "DESCRIPTION", "ALTREP"),
            )
        };
        let mut kept = import(true);
        assert_eq!(
            summary(&kept.messages),
            (Some("de".into()), Some("1".into()), Some("cid:x".into()))
        );
        // A LOCATION URL changed or removed in Outlook is not revived.
        let location = |messages: &[crate::Message]| {
            (
                param(messages, "LOCATION", "ALTREP"),
                param(messages, "LOCATION", "X-L"),
            )
        };
        assert_eq!(
            location(&kept.messages),
            (Some("http://a".into()), Some("2".into()))
        );
        let mut changed = kept.messages.clone();
        changed[0]
            .properties
            .set(&props::PID_NAME_LOCATION_URL, "http://b")
            .unwrap();
        assert_eq!(
            location(&changed),
            (Some("http://b".into()), Some("2".into()))
        );
        changed[0]
            .properties
            .remove(&props::PID_NAME_LOCATION_URL.key());
        assert_eq!(location(&changed), (None, Some("2".into())));
        // French (France) set in Outlook: its tag, not the kept one.
        let m = &mut kept.messages[0];
        m.properties
            .set(&props::PID_TAG_MESSAGE_LOCALE_ID, 0x040C_i32)
            .unwrap();
        assert_eq!(summary(&kept.messages).0.as_deref(), Some("fr-fr"));
        // Not kept: Outlook's own tag, and one warning per line.
        let dropped = import(false);
        assert_eq!(
            summary(&dropped.messages),
            (Some("de-de".into()), None, None)
        );
        // One warning for the event, naming what Outlook does not hold
        // (its locale ID holds SUMMARY's LANGUAGE).
        let warned: Vec<&str> = dropped
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .filter(|m| m.contains("parameters Outlook has no property for"))
            .collect();
        assert_eq!(warned.len(), 1, "{warned:?}");
        assert!(
            warned[0].ends_with(": SUMMARY (X-A), LOCATION (X-L), DESCRIPTION (ALTREP)"),
            "{warned:?}"
        );
    }

    /// The body as the importer built it before writing it in one pass:
    /// the texts joined by LF, then every LF or CRLF made CRLF.
    fn body_by_replacing(texts: &[&str]) -> String {
        let joined = texts.join("\n");
        if !joined.contains('\n') {
            joined
        } else if joined.contains('\r') {
            joined.replace("\r\n", "\n").replace('\n', "\r\n")
        } else {
            joined.replace('\n', "\r\n")
        }
    }

    #[test]
    fn bodies_get_crlf_line_breaks_as_joining_and_replacing_gives() {
        // Every text of up to six characters from CR, LF, 'a' and 'é',
        // alone and joined with each other, in one and two DESCRIPTIONs.
        let alphabet = ['\r', '\n', 'a', 'é'];
        let mut texts = vec![String::new()];
        for len in 1..=6u32 {
            for mut k in 0..4usize.pow(len) {
                let mut t = String::new();
                for _ in 0..len {
                    t.push(alphabet[k % 4]);
                    k /= 4;
                }
                texts.push(t);
            }
        }
        let pairs = texts.iter().step_by(7).flat_map(|a| {
            texts
                .iter()
                .step_by(11)
                .map(move |b| vec![a.as_str(), b.as_str()])
        });
        for parts in texts.iter().map(|t| vec![t.as_str()]).chain(pairs) {
            let built = body_of(parts.iter()).unwrap();
            assert_eq!(built, body_by_replacing(&parts), "{parts:?}");
        }
        assert_eq!(body_of(std::iter::empty::<&str>()), None);
    }

    #[test]
    fn list_entries_are_normalised_and_deduplicated() {
        let seps = [';', ',', '\u{FF1B}'];
        assert_eq!(
            normalise_entry("  Red;  team ,x\u{FF1B}y  ", &seps),
            "Red team x y"
        );
        assert_eq!(normalise_entry(" ;, ", &seps), "");
        let short = vec![
            "Été".into(),
            "été".into(),
            String::new(),
            "Work".into(),
            "WORK".into(),
        ];
        assert_eq!(dedup_ci(short), vec!["Été".to_string(), "Work".to_string()]);
        // Lowercasing in context: a final capital sigma is `ς`, in short
        // lists as in long ones.
        assert_eq!(
            dedup_ci(vec!["ΟΔΟΣ".into(), "οδος".into()]),
            vec!["ΟΔΟΣ".to_string()]
        );
        assert_eq!(dedup_ci(vec!["ΟΔΟΣ".into(), "οδοσ".into()]).len(), 2);
        // Long lists take the set path with the same meaning.
        let long: Vec<String> = (0..40)
            .map(|i| format!("c{}", i % 20))
            .chain(["C3".into()])
            .collect();
        let kept = dedup_ci(long);
        assert_eq!(kept.len(), 20);
        assert_eq!(kept.first().map(String::as_str), Some("c0"));
    }

    #[test]
    fn booleans_ignore_case_and_blanks() {
        assert_eq!(parse_bool(" true "), Some(true));
        assert_eq!(parse_bool("Yes"), Some(true));
        assert_eq!(parse_bool("0"), Some(false));
        assert_eq!(parse_bool("no"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
    }
}
