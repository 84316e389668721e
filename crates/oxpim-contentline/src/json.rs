//! jCal (RFC 7265) and jCard (RFC 7095).
//!
//! A document with one top-level component becomes one jCal/jCard array;
//! several become an array of them (as ical.js does).

use serde_json::{Map, Number, Value as J, json};

/// The JSON value type used by jCal/jCard (re-exported from serde_json).
pub type JsonValue = J;

use crate::decode::{base64, encode_base64};
use crate::model::{Component, Dialect, Document, Param, ParamValue, Params, Property};
use crate::str::Str;
use crate::value::recur::{format_until_ext, parse_recur, weekday_code};
use crate::value::time::{
    format_date_and_or_time, format_date_ext, format_date_time_ext, format_duration,
    format_time_ext, format_utc_offset_ext, format_vcard_time, parse_date, parse_date_and_or_time,
    parse_date_time, parse_duration, parse_period, parse_time_part, parse_utc_offset,
    parse_vcard_time,
};
use crate::value::{Recur, Time, Value, ValueType, Values};

/// Errors reading jCal/jCard.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JsonError {
    /// The text is not JSON.
    #[error("not JSON: {0}")]
    Syntax(String),
    /// The JSON is not shaped like jCal/jCard.
    #[error("not jCal/jCard: {0}")]
    Shape(String),
}

// ---------------------------------------------------------------------------
// Text model → JSON
// ---------------------------------------------------------------------------

/// Converts a document to jCal/jCard.
pub fn to_json(doc: &Document) -> J {
    let comps: Vec<J> = doc.components.iter().map(component_to_json).collect();
    if comps.len() == 1 {
        comps.into_iter().next().unwrap_or(J::Null)
    } else {
        J::Array(comps)
    }
}

/// Converts a document to pretty-printed jCal/jCard text.
pub fn to_json_string(doc: &Document) -> String {
    serde_json::to_string_pretty(&to_json(doc)).unwrap_or_default()
}

/// Converts one component (and its subtree).
pub fn component_to_json(c: &Component) -> J {
    // Iterative post-order construction.
    struct Frame<'a> {
        comp: &'a Component,
        children: Vec<J>,
        next: usize,
    }
    let mut stack = vec![Frame {
        comp: c,
        children: Vec::new(),
        next: 0,
    }];
    loop {
        let Some(top) = stack.last_mut() else {
            return J::Null;
        };
        if let Some(child) = top.comp.components.get(top.next) {
            top.next += 1;
            stack.push(Frame {
                comp: child,
                children: Vec::new(),
                next: 0,
            });
            continue;
        }
        let Some(done) = stack.pop() else {
            return J::Null;
        };
        let props: Vec<J> = done
            .comp
            .properties
            .iter()
            .map(|p| property_to_json(p, done.comp.dialect))
            .collect();
        // RFC 7095 §3.2: a jCard is ["vcard", properties]; it has no
        // sub-component array (vCards have no sub-components).
        let node = if done.comp.is("VCARD") && done.children.is_empty() {
            json!([done.comp.name.to_ascii_lowercase(), props])
        } else {
            json!([done.comp.name.to_ascii_lowercase(), props, done.children])
        };
        match stack.last_mut() {
            Some(parent) => parent.children.push(node),
            None => return node,
        }
    }
}

fn json_type(p: &Property, d: Dialect) -> String {
    // A value kept as written because it is not of its type is "unknown"
    // (RFC 7265 §5): typed, it would be jCal that no reader (oxpim's own
    // included) takes.
    if p.values
        .as_slice()
        .iter()
        .any(|v| matches!(v, Value::Invalid(_)))
    {
        return "unknown".into();
    }
    match (&p.value_type, d) {
        (ValueType::Other(n), _) => n.to_ascii_lowercase(),
        (t, _) => t.json_name(),
    }
}

fn params_to_json(p: &Property, d: Dialect) -> Map<String, J> {
    let mut m = Map::new();
    for (name, param) in p.params.iter() {
        match name {
            "VALUE" => continue,
            "CHARSET" => continue,
            "ENCODING" if !matches!(p.value(), Some(Value::Binary(_))) => continue,
            _ => {}
        }
        let mut vals: Vec<String> = Vec::new();
        for v in &param.values {
            if d.is_vcard() && name == "TYPE" && v.value.contains(',') {
                vals.extend(v.value.split(',').map(|s| s.trim().to_string()));
            } else {
                vals.push(v.value.to_string());
            }
        }
        let key = name.to_ascii_lowercase();
        let value = if vals.len() == 1 {
            J::String(vals.pop().unwrap_or_default())
        } else {
            J::Array(vals.into_iter().map(J::String).collect())
        };
        m.insert(key, value);
    }
    if d.is_vcard()
        && let Some(g) = &p.group
    {
        m.insert("group".into(), J::String(g.to_ascii_lowercase()));
    }
    m
}

fn num(f: f64) -> J {
    Number::from_f64(f).map_or(J::Null, J::Number)
}

fn value_to_json(v: &Value, d: Dialect) -> J {
    let mut s = String::new();
    match v {
        Value::Text(t)
        | Value::CalAddress(t)
        | Value::Uri(t)
        | Value::Unknown(t)
        | Value::Invalid(t) => J::String(t.to_string()),
        Value::Structured(comps) => {
            if comps.len() == 1 && comps.first().is_some_and(|c| c.len() == 1) {
                return J::String(
                    comps
                        .first()
                        .and_then(|c| c.first())
                        .map(|x| x.to_string())
                        .unwrap_or_default(),
                );
            }
            J::Array(
                comps
                    .iter()
                    .map(|c| {
                        if c.len() == 1 {
                            J::String(c.first().map(|x| x.to_string()).unwrap_or_default())
                        } else {
                            J::Array(c.iter().map(|x| J::String(x.to_string())).collect())
                        }
                    })
                    .collect(),
            )
        }
        Value::Binary(b) => {
            encode_base64(&mut s, b);
            J::String(s)
        }
        Value::Boolean(b) => J::Bool(*b),
        Value::Integer(i) => J::Number((*i).into()),
        Value::Float(f) => num(*f),
        Value::Geo(a, b) => J::Array(vec![num(*a), num(*b)]),
        Value::Date(dt) => {
            format_date_ext(&mut s, dt);
            J::String(s)
        }
        Value::DateTime(dt) => {
            format_date_time_ext(&mut s, dt);
            J::String(s)
        }
        Value::Time(t) => {
            format_time_ext(&mut s, &t.time);
            if t.utc {
                s.push('Z');
            }
            J::String(s)
        }
        Value::Duration(du) => {
            format_duration(&mut s, du);
            J::String(s)
        }
        Value::Period(p) => {
            let mut a = String::new();
            format_date_time_ext(&mut a, &p.start);
            let b = match &p.end {
                crate::value::PeriodEnd::End(e) => {
                    let mut b = String::new();
                    format_date_time_ext(&mut b, e);
                    b
                }
                crate::value::PeriodEnd::Duration(du) => {
                    let mut b = String::new();
                    format_duration(&mut b, du);
                    b
                }
            };
            json!([a, b])
        }
        Value::Recur(r) => recur_to_json(r),
        Value::UtcOffset(o) => {
            format_utc_offset_ext(&mut s, o);
            J::String(s)
        }
        Value::VCardDateTime(v) => {
            if v.date.is_none() && d != Dialect::VCard40 {
                format_vcard_time(&mut s, v, true);
            } else {
                format_date_and_or_time(&mut s, v, true);
            }
            J::String(s)
        }
    }
}

fn scalar_or_list(items: Vec<J>) -> J {
    if items.len() == 1 {
        items.into_iter().next().unwrap_or(J::Null)
    } else {
        J::Array(items)
    }
}

fn recur_to_json(r: &Recur) -> J {
    let mut m = Map::new();
    if let Some(rs) = &r.rscale {
        m.insert("rscale".into(), J::String(rs.clone()));
    }
    m.insert("freq".into(), J::String(r.freq.as_str().into()));
    if let Some(u) = &r.until {
        let mut s = String::new();
        format_until_ext(&mut s, u);
        m.insert("until".into(), J::String(s));
    }
    if let Some(c) = r.count {
        m.insert("count".into(), J::Number(c.into()));
    }
    if let Some(i) = r.interval {
        m.insert("interval".into(), J::Number(i.into()));
    }
    let nums = |v: Vec<i64>| scalar_or_list(v.into_iter().map(|n| J::Number(n.into())).collect());
    if !r.by_second.is_empty() {
        m.insert(
            "bysecond".into(),
            nums(r.by_second.iter().map(|&x| i64::from(x)).collect()),
        );
    }
    if !r.by_minute.is_empty() {
        m.insert(
            "byminute".into(),
            nums(r.by_minute.iter().map(|&x| i64::from(x)).collect()),
        );
    }
    if !r.by_hour.is_empty() {
        m.insert(
            "byhour".into(),
            nums(r.by_hour.iter().map(|&x| i64::from(x)).collect()),
        );
    }
    if !r.by_day.is_empty() {
        m.insert(
            "byday".into(),
            scalar_or_list(r.by_day.iter().map(|d| J::String(d.to_string())).collect()),
        );
    }
    if !r.by_month_day.is_empty() {
        m.insert(
            "bymonthday".into(),
            nums(r.by_month_day.iter().map(|&x| i64::from(x)).collect()),
        );
    }
    if !r.by_year_day.is_empty() {
        m.insert(
            "byyearday".into(),
            nums(r.by_year_day.iter().map(|&x| i64::from(x)).collect()),
        );
    }
    if !r.by_week_no.is_empty() {
        m.insert(
            "byweekno".into(),
            nums(r.by_week_no.iter().map(|&x| i64::from(x)).collect()),
        );
    }
    if !r.by_month.is_empty() {
        m.insert(
            "bymonth".into(),
            scalar_or_list(
                r.by_month
                    .iter()
                    .map(|bm| {
                        if bm.leap {
                            J::String(bm.to_string())
                        } else {
                            J::Number(bm.month.into())
                        }
                    })
                    .collect(),
            ),
        );
    }
    if !r.by_set_pos.is_empty() {
        m.insert(
            "bysetpos".into(),
            nums(r.by_set_pos.iter().map(|&x| i64::from(x)).collect()),
        );
    }
    if let Some(w) = r.wkst {
        m.insert("wkst".into(), J::String(weekday_code(w).into()));
    }
    if let Some(sk) = r.skip {
        let s = match sk {
            crate::value::Skip::Omit => "OMIT",
            crate::value::Skip::Backward => "BACKWARD",
            crate::value::Skip::Forward => "FORWARD",
        };
        m.insert("skip".into(), J::String(s.into()));
    }
    for (k, v) in &r.other {
        m.insert(k.to_ascii_lowercase(), J::String(v.clone()));
    }
    J::Object(m)
}

/// Converts one property to its jCal/jCard array.
pub fn property_to_json(p: &Property, d: Dialect) -> J {
    let mut name = p.name.to_ascii_lowercase();
    if !d.is_vcard()
        && let Some(g) = &p.group
    {
        name = format!("{}.{name}", g.to_ascii_lowercase());
    }
    let mut arr = vec![
        J::String(name),
        J::Object(params_to_json(p, d)),
        J::String(json_type(p, d)),
    ];
    for v in p.values.as_slice() {
        arr.push(value_to_json(v, d));
    }
    J::Array(arr)
}

// ---------------------------------------------------------------------------
// JSON → text model
// ---------------------------------------------------------------------------

/// The deepest JSON nesting [`from_json_str`] reads: a calendar nested as
/// deep as the parser's default `Limits::max_depth` (64 components) takes
/// two arrays a level, plus its properties' arrays. serde_json's own limit
/// (128) refused what `oxpim json` wrote for such a calendar; deeper input
/// is refused before it is parsed, so the stack stays bounded.
pub const MAX_JSON_DEPTH: usize = 160;

/// The deepest nesting of arrays and objects in `s` (strings skipped).
fn json_depth(s: &str) -> usize {
    let (mut depth, mut max, mut in_str, mut escaped) = (0usize, 0usize, false, false);
    for b in s.bytes() {
        if in_str {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_str = false;
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Reads jCal/jCard text into a document.
pub fn from_json_str(s: &str) -> Result<Document, JsonError> {
    let depth = json_depth(s);
    if depth > MAX_JSON_DEPTH {
        return Err(JsonError::Shape(format!(
            "nested {depth} arrays deep; at most {MAX_JSON_DEPTH} are read"
        )));
    }
    let mut de = serde_json::Deserializer::from_str(s);
    // Bounded above, so serde_json's own limit (128) is not needed.
    de.disable_recursion_limit();
    let v = <J as serde::Deserialize>::deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| JsonError::Syntax(e.to_string()))?;
    from_json(&v)
}

/// Reads a jCal/jCard value (one component array, or an array of them).
pub fn from_json(v: &J) -> Result<Document, JsonError> {
    let arr = v
        .as_array()
        .ok_or_else(|| JsonError::Shape("expected an array".into()))?;
    let is_single = arr.first().is_some_and(J::is_string);
    let mut comps = Vec::new();
    if is_single {
        comps.push(component_from_json(v, None)?);
    } else {
        for c in arr {
            comps.push(component_from_json(c, None)?);
        }
    }
    Ok(Document::new(comps))
}

fn dialect_for(name: &str, props: &[J]) -> Dialect {
    let version = props.iter().find_map(|p| {
        let a = p.as_array()?;
        if a.first()?.as_str()?.eq_ignore_ascii_case("version") {
            a.get(3)?.as_str().map(str::to_string)
        } else {
            None
        }
    });
    match (name, version.as_deref()) {
        ("VCARD", Some(v)) => Dialect::from_version("VCARD", v).unwrap_or(Dialect::VCard40),
        ("VCARD", None) => Dialect::VCard40,
        ("VCALENDAR", Some(v)) => {
            Dialect::from_version("VCALENDAR", v).unwrap_or(Dialect::ICalendar)
        }
        _ => Dialect::ICalendar,
    }
}

fn component_from_json(v: &J, parent: Option<Dialect>) -> Result<Component, JsonError> {
    // Explicit stack: (json, index of parent in `built` arena).
    let shape = |what: &str| JsonError::Shape(what.to_string());
    let mut arena: Vec<(Component, Option<usize>)> = Vec::new();
    let mut todo: Vec<(&J, Option<usize>, Option<Dialect>)> = vec![(v, None, parent)];
    while let Some((node, parent_idx, parent_dialect)) = todo.pop() {
        if arena.len() > 1_000_000 {
            return Err(shape("too many components"));
        }
        let a = node
            .as_array()
            .ok_or_else(|| shape("a component must be an array"))?;
        let name = a
            .first()
            .and_then(J::as_str)
            .ok_or_else(|| shape("a component needs a name"))?
            .to_ascii_uppercase();
        let props = a
            .get(1)
            .and_then(J::as_array)
            .ok_or_else(|| shape("a component needs a property array"))?;
        // jCard objects have no sub-component array (RFC 7095 §3.2).
        let subs: &[J] = match a.get(2) {
            None => &[],
            Some(s) => s
                .as_array()
                .ok_or_else(|| shape("sub-components must be an array"))?,
        };
        let dialect = match parent_dialect {
            Some(d) if name != "VCARD" && name != "VCALENDAR" => d,
            _ => dialect_for(&name, props),
        };
        let mut comp = Component::new(&name, dialect);
        for p in props {
            comp.properties.push(property_from_json(p, dialect)?);
        }
        let idx = arena.len();
        arena.push((comp, parent_idx));
        for s in subs.iter().rev() {
            todo.push((s, Some(idx), Some(dialect)));
        }
    }
    // The arena is in depth-first pre-order: popping from the end attaches
    // every component after all its descendants, and each parent receives
    // its children last first; one reversal per parent restores the order.
    while arena.len() > 1 {
        let Some((child, parent)) = arena.pop() else {
            break;
        };
        match parent.and_then(|p| arena.get_mut(p)) {
            Some((par, _)) => par.components.push(child),
            None => return Err(shape("orphan component")),
        }
    }
    let mut root = arena.pop().map(|(c, _)| c).ok_or_else(|| shape("empty"))?;
    let mut stack = vec![&mut root];
    while let Some(c) = stack.pop() {
        c.components.reverse();
        stack.extend(c.components.iter_mut());
    }
    Ok(root)
}

fn param_from_json(v: &J) -> Result<Param, JsonError> {
    let to_pv = |x: &J| -> Result<ParamValue, JsonError> {
        match x {
            J::String(s) => Ok(ParamValue::new(s.clone())),
            J::Number(n) => Ok(ParamValue::new(n.to_string())),
            J::Bool(b) => Ok(ParamValue::new(if *b { "TRUE" } else { "FALSE" })),
            _ => Err(JsonError::Shape(
                "a parameter value must be a string".into(),
            )),
        }
    };
    let values = match v {
        J::Array(items) => items.iter().map(to_pv).collect::<Result<Vec<_>, _>>()?,
        other => vec![to_pv(other)?],
    };
    Ok(Param {
        values: values.into(),
        bare: false,
    })
}

fn str_of(v: &J) -> Result<&str, JsonError> {
    v.as_str()
        .ok_or_else(|| JsonError::Shape(format!("expected a string, found {v}")))
}

fn property_from_json(v: &J, d: Dialect) -> Result<Property, JsonError> {
    let a = v
        .as_array()
        .ok_or_else(|| JsonError::Shape("a property must be an array".into()))?;
    let raw_name = a
        .first()
        .and_then(J::as_str)
        .ok_or_else(|| JsonError::Shape("a property needs a name".into()))?;
    let obj = a
        .get(1)
        .and_then(J::as_object)
        .ok_or_else(|| JsonError::Shape("a property needs a parameter object".into()))?;
    let ty_name = a
        .get(2)
        .and_then(J::as_str)
        .ok_or_else(|| JsonError::Shape("a property needs a type".into()))?;
    let (group, name) = match raw_name.rsplit_once('.') {
        Some((g, n)) => (Some(g.to_string()), n),
        None => (None, raw_name),
    };
    let mut params = Params::new();
    let mut group = group;
    for (k, pv) in obj {
        if d.is_vcard() && k == "group" {
            group = Some(str_of(pv)?.to_string());
            continue;
        }
        let mut param = param_from_json(pv)?;
        // vCard 2.1 lists types as bare parameters (`TEL;WORK;VOICE`), as
        // its canonical text does; 2.1 has no comma lists.
        if d == Dialect::VCard21 && k.eq_ignore_ascii_case("type") {
            param.bare = true;
        }
        params.insert(k, param);
    }
    let ty = ValueType::from_name(ty_name);
    let tzid = params.first("TZID").map(str::to_string);
    let mut values = Vec::new();
    for item in a.iter().skip(3) {
        values.push(value_from_json(item, &ty, tzid.as_deref(), d)?);
    }
    let upper = name.to_ascii_uppercase();
    let default = crate::value::registry::lookup(d, &upper).map(|s| s.default);
    if default.as_ref() != Some(&ty)
        && ty != ValueType::Unknown
        // vCards mark binary data by ENCODING alone (VALUE=BINARY is not
        // a 2.1 or 4.0 value type); iCalendar needs VALUE=BINARY, or an
        // inline attachment reads as a URI.
        && !(ty == ValueType::Binary && d.is_vcard())
        && !params.contains("VALUE")
    {
        params.set("VALUE", ty.name());
    }
    let mut p = Property::new(&upper, ty, Value::Unknown(Str::new()));
    p.values = Values::from_vec(values);
    p.params = params;
    p.group = group.map(Into::into);
    Ok(p)
}

fn bad(ty: &ValueType, v: &J) -> JsonError {
    JsonError::Shape(format!("{v} is not a valid {} value", ty.json_name()))
}

fn value_from_json(
    v: &J,
    ty: &ValueType,
    tzid: Option<&str>,
    d: Dialect,
) -> Result<Value, JsonError> {
    Ok(match ty {
        ValueType::Text | ValueType::PhoneNumber | ValueType::VCard | ValueType::LanguageTag => {
            match v {
                J::String(s) => Value::Text(s.as_str().into()),
                J::Array(items) => Value::Structured(
                    items
                        .iter()
                        .map(|c| match c {
                            J::Array(list) => list
                                .iter()
                                .map(|x| str_of(x).map(Str::from))
                                .collect::<Result<Vec<_>, _>>(),
                            other => Ok(vec![Str::from(str_of(other)?)]),
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                ),
                _ => return Err(bad(ty, v)),
            }
        }
        ValueType::Uri => Value::Uri(str_of(v)?.into()),
        ValueType::CalAddress => Value::CalAddress(str_of(v)?.into()),
        ValueType::Boolean => Value::Boolean(v.as_bool().ok_or_else(|| bad(ty, v))?),
        ValueType::Integer => Value::Integer(v.as_i64().ok_or_else(|| bad(ty, v))?),
        ValueType::Float => match v {
            J::Array(xy) => match (
                xy.first().and_then(J::as_f64),
                xy.get(1).and_then(J::as_f64),
            ) {
                (Some(a), Some(b)) => Value::Geo(a, b),
                _ => return Err(bad(ty, v)),
            },
            other => Value::Float(other.as_f64().ok_or_else(|| bad(ty, v))?),
        },
        ValueType::Binary => {
            let mut issues = crate::decode::DecodeIssues::default();
            Value::Binary(base64(str_of(v)?.as_bytes(), &mut issues))
        }
        ValueType::Date if !d.is_vcard() => Value::Date(
            parse_date(str_of(v)?.as_bytes())
                .ok_or_else(|| bad(ty, v))?
                .0,
        ),
        ValueType::DateTime if !d.is_vcard() => Value::DateTime(
            parse_date_time(str_of(v)?.as_bytes(), tzid)
                .ok_or_else(|| bad(ty, v))?
                .0,
        ),
        ValueType::Date | ValueType::DateTime | ValueType::DateAndOrTime | ValueType::Timestamp => {
            Value::VCardDateTime(
                parse_date_and_or_time(str_of(v)?.as_bytes()).ok_or_else(|| bad(ty, v))?,
            )
        }
        ValueType::Time if d.is_vcard() => {
            Value::VCardDateTime(parse_vcard_time(str_of(v)?.as_bytes()).ok_or_else(|| bad(ty, v))?)
        }
        ValueType::Time => {
            let (t, utc, _) = parse_time_part(str_of(v)?.as_bytes()).ok_or_else(|| bad(ty, v))?;
            Value::Time(Time { time: t, utc })
        }
        ValueType::Duration => Value::Duration(
            parse_duration(str_of(v)?.as_bytes())
                .ok_or_else(|| bad(ty, v))?
                .0,
        ),
        ValueType::Period => {
            let pair = v.as_array().ok_or_else(|| bad(ty, v))?;
            let text = format!(
                "{}/{}",
                str_of(pair.first().ok_or_else(|| bad(ty, v))?)?,
                str_of(pair.get(1).ok_or_else(|| bad(ty, v))?)?
            );
            Value::Period(Box::new(
                parse_period(text.as_bytes(), tzid)
                    .ok_or_else(|| bad(ty, v))?
                    .0,
            ))
        }
        ValueType::UtcOffset => Value::UtcOffset(
            parse_utc_offset(str_of(v)?.as_bytes())
                .ok_or_else(|| bad(ty, v))?
                .0,
        ),
        ValueType::Recur => Value::Recur(Box::new(recur_from_json(v)?)),
        ValueType::Other(_) | ValueType::Unknown => match v {
            J::String(s) => Value::Unknown(s.as_str().into()),
            other => Value::Unknown(other.to_string().into()),
        },
    })
}

fn recur_from_json(v: &J) -> Result<Recur, JsonError> {
    let obj = v
        .as_object()
        .ok_or_else(|| JsonError::Shape("a recur value must be an object".into()))?;
    let mut parts = Vec::new();
    for (k, val) in obj {
        let text = match val {
            J::Array(items) => items
                .iter()
                .map(|x| match x {
                    J::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(","),
            J::String(s) => {
                if k == "until" {
                    s.replace(['-', ':'], "")
                } else {
                    s.clone()
                }
            }
            other => other.to_string(),
        };
        parts.push(format!("{}={text}", k.to_ascii_uppercase()));
    }
    parse_recur(&parts.join(";"))
        .map(|(r, _)| r)
        .map_err(JsonError::Shape)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Parser;

    #[test]
    fn jcal_round_trip() {
        let text = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART;TZID=Europe/Berlin:20200101T100000\r\nRRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20200301T000000Z\r\nCATEGORIES:a,b\\,c\r\nGEO:1.5;-2.25\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let doc = Parser::new().parse(text).document;
        let j = to_json(&doc);
        let ev = &j[2][0];
        assert_eq!(ev[0], "vevent");
        assert_eq!(
            ev[1][1],
            json!(["dtstart", {"tzid": "Europe/Berlin"}, "date-time", "2020-01-01T10:00:00"])
        );
        assert_eq!(
            ev[1][2][3],
            json!({"freq": "WEEKLY", "until": "2020-03-01T00:00:00Z", "byday": ["MO", "WE"]})
        );
        assert_eq!(ev[1][3], json!(["categories", {}, "text", "a", "b,c"]));
        assert_eq!(ev[1][4], json!(["geo", {}, "float", [1.5, -2.25]]));
        let back = from_json(&j).unwrap();
        assert_eq!(to_json(&back), j);
    }
}
