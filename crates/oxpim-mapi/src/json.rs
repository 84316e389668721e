//! The JSON view of a message that `oxpim dump` and `oxpim mapi` print.
//!
//! Schema: `{"message_class", "properties": [..], "recipients":
//! [{"properties"}], "attachments": [{"properties", "embedded" | "storage"}]}`.
//! Each property is `{"tag", "name", "type", "value"}` for tagged
//! properties and `{"named": {"set", "set_name", "lid" | "name"}, "name",
//! "type", "value"}` for named ones; `name` is the canonical name or null.
//! Properties are sorted: tags by tag, then named properties by set and
//! name, so that two dumps of the same content compare equal. Binary values
//! are lower-case hex, PtypTime values RFC 3339 UTC, PtypFloatingTime values
//! ISO 8601 without zone, PtypCurrency a decimal string, error codes hex.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::message::{AttachedObject, Message, PropertyBag, Storage};
use crate::named::{PropKey, PropName, sets};
use crate::props;
use crate::types::{FileTime, PropTag, floating_time_to_datetime};
use crate::value::PropValue;
use crate::{codepage, types::Guid};

/// The JSON view of a message (see the module documentation).
pub fn message_to_json(m: &Message) -> Value {
    let mut o = Map::new();
    o.insert(
        "message_class".into(),
        m.message_class().map_or(Value::Null, Value::String),
    );
    let cp = m.properties.codepage();
    o.insert("properties".into(), bag_to_json(&m.properties));
    o.insert(
        "recipients".into(),
        Value::Array(
            m.recipients
                .iter()
                .map(|r| json!({ "properties": rows_to_json(r, cp) }))
                .collect(),
        ),
    );
    let attachments = m
        .attachments
        .iter()
        .map(|a| {
            let mut o = Map::new();
            o.insert("properties".into(), rows_to_json(&a.properties, cp));
            match &a.object {
                Some(AttachedObject::Message(e)) => {
                    o.insert("embedded".into(), message_to_json(e));
                }
                Some(AttachedObject::Storage(s)) => {
                    o.insert("storage".into(), storage_to_json(s));
                }
                None => {}
            }
            Value::Object(o)
        })
        .collect();
    o.insert("attachments".into(), Value::Array(attachments));
    Value::Object(o)
}

fn storage_to_json(s: &Storage) -> Value {
    json!({
        "clsid": s.clsid.to_string(),
        "streams": s.streams.iter().map(|(n, b)| json!({"name": n, "data": hex(b)})).collect::<Vec<_>>(),
        "storages": s.storages.iter().map(|(n, st)| json!({"name": n, "storage": storage_to_json(st)})).collect::<Vec<_>>(),
    })
}

/// The JSON array of a property bag's properties (sorted as described in
/// the module documentation).
pub fn bag_to_json(bag: &PropertyBag) -> Value {
    sorted_json(bag, bag.codepage())
}

fn sorted_json(bag: &PropertyBag, cp: u32) -> Value {
    let mut entries: Vec<(&PropKey, &PropValue)> = bag.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    Value::Array(
        entries
            .into_iter()
            .map(|(k, v)| property_to_json(k, v, cp))
            .collect(),
    )
}

/// A recipient or attachment row: its own code page properties if any,
/// else the message's.
fn rows_to_json(bag: &PropertyBag, message_cp: u32) -> Value {
    let has_own = [0x3FFD_u16, 0x3FF1, 0x3FDE]
        .iter()
        .any(|id| bag.get(&PropKey::Tag(*id)).is_some());
    sorted_json(bag, if has_own { bag.codepage() } else { message_cp })
}

fn property_to_json(key: &PropKey, v: &PropValue, cp: u32) -> Value {
    let ptype = v.prop_type();
    let mut o = Map::new();
    match key {
        PropKey::Tag(id) => {
            o.insert(
                "tag".into(),
                Value::String(PropTag::new(*id, ptype).to_string()),
            );
        }
        PropKey::Named(n) => {
            let mut named = Map::new();
            named.insert("set".into(), Value::String(n.set.to_string()));
            if let Some(s) = sets::name_of(n.set) {
                named.insert("set_name".into(), Value::String(s.to_owned()));
            }
            match &n.name {
                PropName::Lid(l) => named.insert("lid".into(), json!(l)),
                PropName::String(s) => named.insert("name".into(), json!(s)),
            };
            o.insert("named".into(), Value::Object(named));
        }
    }
    o.insert(
        "name".into(),
        props::by_key(key, ptype).map_or(Value::Null, |d| Value::String(d.name.to_owned())),
    );
    o.insert(
        "type".into(),
        Value::String(
            ptype
                .name()
                .map_or_else(|| format!("0x{:04X}", ptype.0), str::to_owned),
        ),
    );
    o.insert("value".into(), value_to_json(v, cp));
    Value::Object(o)
}

/// The JSON form of one value; PtypString8 text is decoded with `codepage`.
pub fn value_to_json(v: &PropValue, codepage: u32) -> Value {
    match v {
        PropValue::Null => Value::Null,
        PropValue::I16(x) => json!(x),
        PropValue::I32(x) => json!(x),
        PropValue::F32(x) => float(f64::from(*x)),
        PropValue::F64(x) => float(*x),
        PropValue::Currency(x) => Value::String(currency(*x)),
        PropValue::FloatingTime(x) => floating(*x),
        PropValue::ErrorCode(x) => Value::String(format!("0x{x:08X}")),
        PropValue::Bool(x) => json!(x),
        PropValue::I64(x) => json!(x),
        PropValue::String8(b) => Value::String(codepage::decode(b, codepage)),
        PropValue::String(s) => Value::String(s.as_str().to_owned()),
        PropValue::Time(t) => time(*t),
        PropValue::Guid(g) => Value::String(g.to_string()),
        PropValue::ServerId(b) => Value::String(hex(b)),
        PropValue::Binary(b) => Value::String(hex(b)),
        PropValue::MvI16(x) => json!(x),
        PropValue::MvI32(x) => json!(x),
        PropValue::MvF32(x) => x.iter().map(|f| float(f64::from(*f))).collect(),
        PropValue::MvF64(x) => x.iter().map(|f| float(*f)).collect(),
        PropValue::MvCurrency(x) => x.iter().map(|c| Value::String(currency(*c))).collect(),
        PropValue::MvFloatingTime(x) => x.iter().map(|f| floating(*f)).collect(),
        PropValue::MvI64(x) => json!(x),
        PropValue::MvString8(x) => x
            .iter()
            .map(|b| Value::String(codepage::decode(b, codepage)))
            .collect(),
        PropValue::MvString(x) => json!(x),
        PropValue::MvTime(x) => x.iter().map(|t| time(*t)).collect(),
        PropValue::MvGuid(x) => x
            .iter()
            .map(|g: &Guid| Value::String(g.to_string()))
            .collect(),
        PropValue::MvBinary(x) => x.iter().map(|b| Value::String(hex(b))).collect(),
        PropValue::Unknown { bytes, .. } => Value::String(hex(bytes)),
    }
}

fn float(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or_else(|| Value::String(x.to_string()), Value::Number)
}

fn currency(x: i64) -> String {
    let sign = if x < 0 { "-" } else { "" };
    let a = x.unsigned_abs();
    format!("{sign}{}.{:04}", a / 10_000, a % 10_000)
}

fn floating(x: f64) -> Value {
    floating_time_to_datetime(x).map_or_else(
        || float(x),
        |t| Value::String(t.format("%Y-%m-%dT%H:%M:%S%.3f").to_string()),
    )
}

fn time(t: FileTime) -> Value {
    t.to_datetime().map_or_else(
        || json!(t.0),
        |d| Value::String(d.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
    )
}

/// Lower-case hex of bytes.
pub fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        let _ = write!(s, "{x:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Attachment;
    use crate::named::NamedProperty;

    #[test]
    fn schema() {
        let mut m = Message::with_class("IPM.Appointment");
        m.properties
            .insert(PropKey::Tag(0x0037), PropValue::String("Hi".into()));
        m.properties.insert(
            NamedProperty::lid(sets::PSETID_Appointment, 0x820D),
            PropValue::Time(FileTime(133_802_064_000_000_000)),
        );
        m.properties
            .insert(PropKey::Tag(0x0E08), PropValue::Currency(-12_345));
        let mut r = PropertyBag::new();
        r.insert(
            PropKey::Tag(0x0FFF),
            PropValue::Binary(vec![0, 0xAB].into()),
        );
        m.recipients.push(r);
        m.attachments
            .push(Attachment::embedded(Message::with_class("IPM.Note")));
        let j = message_to_json(&m);
        assert_eq!(j["message_class"], "IPM.Appointment");
        let p = &j["properties"];
        assert_eq!(p[0]["tag"], "0x001A001F");
        assert_eq!(p[0]["name"], "PidTagMessageClass");
        assert_eq!(p[1]["name"], "PidTagSubject");
        assert_eq!(p[1]["type"], "PtypString");
        assert_eq!(p[2]["value"], "-1.2345");
        assert_eq!(p[3]["named"]["lid"], 0x820D);
        assert_eq!(
            p[3]["named"]["set"],
            "{00062002-0000-0000-C000-000000000046}"
        );
        assert_eq!(p[3]["name"], "PidLidAppointmentStartWhole");
        assert_eq!(p[3]["value"], "2025-01-01T12:00:00Z");
        assert_eq!(j["recipients"][0]["properties"][0]["value"], "00ab");
        assert_eq!(j["attachments"][0]["embedded"]["message_class"], "IPM.Note");
        assert_eq!(
            value_to_json(&PropValue::FloatingTime(45658.75), 0),
            "2025-01-01T18:00:00.000"
        );
        assert_eq!(
            value_to_json(&PropValue::ErrorCode(0x8004_010F), 0),
            "0x8004010F"
        );
        assert_eq!(
            value_to_json(&PropValue::String8(b"caf\xE9".to_vec()), 1252),
            "café"
        );
    }
}
