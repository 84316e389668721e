//! Typed property values.

pub mod recur;
pub mod registry;
pub mod text;
pub mod time;

use std::borrow::Cow;

use chrono::NaiveDate;

pub use crate::str::Str;

pub use recur::{Frequency, Recur, RecurMonth, RecurUntil, Skip, WeekdayNum};
pub use time::{
    DateTime, Duration, PartialDate, PartialDateTime, PartialTime, Period, PeriodEnd, Time,
    UtcOffset, VZone, Zone,
};

/// The value types of RFC 5545 §3.3, RFC 6350 §4 and RFC 2426, as named by
/// `VALUE=` and by jCal/jCard.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// BINARY (base64 data; vCard 3.0 writes it with ENCODING=b).
    Binary,
    /// BOOLEAN.
    Boolean,
    /// CAL-ADDRESS.
    CalAddress,
    /// DATE.
    Date,
    /// DATE-TIME.
    DateTime,
    /// DURATION.
    Duration,
    /// FLOAT.
    Float,
    /// INTEGER.
    Integer,
    /// PERIOD.
    Period,
    /// RECUR.
    Recur,
    /// TEXT.
    Text,
    /// TIME.
    Time,
    /// URI (vCard 3.0 also says URL, vCard 2.1 says URL/CONTENT-ID/CID).
    Uri,
    /// UTC-OFFSET.
    UtcOffset,
    /// vCard 4.0 date-and-or-time.
    DateAndOrTime,
    /// vCard 4.0 timestamp.
    Timestamp,
    /// vCard 4.0 language-tag.
    LanguageTag,
    /// vCard 3.0 phone-number.
    PhoneNumber,
    /// vCard 3.0 inline vCard (AGENT).
    VCard,
    /// Any other name from `VALUE=`, uppercase.
    Other(Box<str>),
    /// No type known (X- and unknown properties without `VALUE=`); the value
    /// is kept as written.
    Unknown,
}

impl ValueType {
    /// The name used by `VALUE=` (uppercase).
    pub fn name(&self) -> &str {
        match self {
            ValueType::Binary => "BINARY",
            ValueType::Boolean => "BOOLEAN",
            ValueType::CalAddress => "CAL-ADDRESS",
            ValueType::Date => "DATE",
            ValueType::DateTime => "DATE-TIME",
            ValueType::Duration => "DURATION",
            ValueType::Float => "FLOAT",
            ValueType::Integer => "INTEGER",
            ValueType::Period => "PERIOD",
            ValueType::Recur => "RECUR",
            ValueType::Text => "TEXT",
            ValueType::Time => "TIME",
            ValueType::Uri => "URI",
            ValueType::UtcOffset => "UTC-OFFSET",
            ValueType::DateAndOrTime => "DATE-AND-OR-TIME",
            ValueType::Timestamp => "TIMESTAMP",
            ValueType::LanguageTag => "LANGUAGE-TAG",
            ValueType::PhoneNumber => "PHONE-NUMBER",
            ValueType::VCard => "VCARD",
            ValueType::Other(n) => n,
            ValueType::Unknown => "UNKNOWN",
        }
    }

    /// The jCal/jCard type name (lowercase).
    pub fn json_name(&self) -> String {
        self.name().to_ascii_lowercase()
    }

    /// The type named by a `VALUE=` parameter (case-insensitive). vCard
    /// spellings (`URL`, `CONTENT-ID`, `CID`, `INLINE`) map to URI and BINARY.
    pub fn from_name(s: &str) -> ValueType {
        // Known names are at most 16 bytes: uppercase those on the stack.
        let mut buf = [0u8; 16];
        let up = match buf.get_mut(..s.len()) {
            Some(b) => {
                b.copy_from_slice(s.as_bytes());
                b.make_ascii_uppercase();
                std::str::from_utf8(b).unwrap_or_default()
            }
            None => "",
        };
        match up {
            "BINARY" | "INLINE" => ValueType::Binary,
            "BOOLEAN" => ValueType::Boolean,
            "CAL-ADDRESS" => ValueType::CalAddress,
            "DATE" => ValueType::Date,
            "DATE-TIME" => ValueType::DateTime,
            "DURATION" => ValueType::Duration,
            "FLOAT" => ValueType::Float,
            "INTEGER" => ValueType::Integer,
            "PERIOD" => ValueType::Period,
            "RECUR" => ValueType::Recur,
            "TEXT" => ValueType::Text,
            "TIME" => ValueType::Time,
            "URI" | "URL" | "CONTENT-ID" | "CID" => ValueType::Uri,
            "UTC-OFFSET" => ValueType::UtcOffset,
            "DATE-AND-OR-TIME" => ValueType::DateAndOrTime,
            "TIMESTAMP" => ValueType::Timestamp,
            "LANGUAGE-TAG" => ValueType::LanguageTag,
            "PHONE-NUMBER" => ValueType::PhoneNumber,
            "VCARD" => ValueType::VCard,
            "UNKNOWN" => ValueType::Unknown,
            _ => ValueType::Other(s.to_ascii_uppercase().into()),
        }
    }
}

/// One typed value. A property has one or more (see [`Values`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// TEXT (unescaped), also PHONE-NUMBER and LANGUAGE-TAG.
    Text(Str),
    /// A structured value (N, ADR, ORG, GENDER, REQUEST-STATUS,
    /// CLIENTPIDMAP, vCalendar alarms): components, each a list of values.
    Structured(Vec<Vec<Str>>),
    /// Decoded BINARY data.
    Binary(Vec<u8>),
    /// BOOLEAN.
    Boolean(bool),
    /// CAL-ADDRESS (usually `mailto:`).
    CalAddress(Str),
    /// URI.
    Uri(Str),
    /// DATE.
    Date(NaiveDate),
    /// DATE-TIME.
    DateTime(DateTime),
    /// TIME.
    Time(Time),
    /// DURATION.
    Duration(Duration),
    /// FLOAT.
    Float(f64),
    /// GEO: latitude and longitude.
    Geo(f64, f64),
    /// INTEGER.
    Integer(i64),
    /// PERIOD.
    Period(Box<Period>),
    /// RECUR.
    Recur(Box<Recur>),
    /// UTC-OFFSET.
    UtcOffset(UtcOffset),
    /// A vCard date, time, date-time, date-and-or-time or timestamp.
    VCardDateTime(PartialDateTime),
    /// A value of unknown type, as written (escapes not decoded).
    Unknown(Str),
    /// A value that did not parse as its type, as written. A diagnostic
    /// was reported.
    Invalid(Str),
}

impl Value {
    /// The text of a TEXT, URI, CAL-ADDRESS, unknown or invalid value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s)
            | Value::Uri(s)
            | Value::CalAddress(s)
            | Value::Unknown(s)
            | Value::Invalid(s) => Some(s),
            _ => None,
        }
    }
    /// The DATE-TIME, if this is one.
    pub fn as_date_time(&self) -> Option<&DateTime> {
        match self {
            Value::DateTime(d) => Some(d),
            _ => None,
        }
    }
    /// The DATE, if this is one.
    pub fn as_date(&self) -> Option<NaiveDate> {
        match self {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }
    /// The integer, if this is one.
    pub fn as_integer(&self) -> Option<i64> {
        match self {
            Value::Integer(i) => Some(*i),
            _ => None,
        }
    }
    /// The recurrence rule, if this is one.
    pub fn as_recur(&self) -> Option<&Recur> {
        match self {
            Value::Recur(r) => Some(r),
            _ => None,
        }
    }
    /// The duration, if this is one.
    pub fn as_duration(&self) -> Option<&Duration> {
        match self {
            Value::Duration(d) => Some(d),
            _ => None,
        }
    }
    /// True for a value that failed to parse.
    pub fn is_invalid(&self) -> bool {
        matches!(self, Value::Invalid(_))
    }
}

/// The values of one property: one in most cases, several for lists
/// (CATEGORIES, EXDATE, RDATE, NICKNAME…). Avoids a heap allocation for
/// the common single value.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Exactly one value.
    One(Value),
    /// Zero or more values.
    Many(Vec<Value>),
}

impl Values {
    /// The values as a slice.
    pub fn as_slice(&self) -> &[Value] {
        match self {
            Values::One(v) => std::slice::from_ref(v),
            Values::Many(v) => v,
        }
    }
    /// The values as a mutable slice.
    pub fn as_mut_slice(&mut self) -> &mut [Value] {
        match self {
            Values::One(v) => std::slice::from_mut(v),
            Values::Many(v) => v,
        }
    }
    /// The first value.
    pub fn first(&self) -> Option<&Value> {
        self.as_slice().first()
    }
    /// Number of values.
    pub fn len(&self) -> usize {
        self.as_slice().len()
    }
    /// True when there is no value.
    pub fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }
    /// Builds from a vector.
    pub fn from_vec(mut v: Vec<Value>) -> Self {
        if v.len() == 1
            && let Some(one) = v.pop()
        {
            return Values::One(one);
        }
        Values::Many(v)
    }
}

impl From<Value> for Values {
    fn from(v: Value) -> Self {
        Values::One(v)
    }
}

impl<'a> IntoIterator for &'a Values {
    type Item = &'a Value;
    type IntoIter = std::slice::Iter<'a, Value>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

/// Text of a value for display: TEXT as is, other types formatted.
pub fn display_text(v: &Value) -> Cow<'_, str> {
    match v.as_str() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(crate::write::format_value_plain(v)),
    }
}

#[cfg(test)]
mod tests {
    use super::ValueType;

    #[test]
    fn value_type_names_are_read_in_any_case() {
        let known = [
            ValueType::Binary,
            ValueType::Boolean,
            ValueType::CalAddress,
            ValueType::Date,
            ValueType::DateTime,
            ValueType::Duration,
            ValueType::Float,
            ValueType::Integer,
            ValueType::Period,
            ValueType::Recur,
            ValueType::Text,
            ValueType::Time,
            ValueType::Uri,
            ValueType::UtcOffset,
            ValueType::DateAndOrTime,
            ValueType::Timestamp,
            ValueType::LanguageTag,
            ValueType::PhoneNumber,
            ValueType::VCard,
            ValueType::Unknown,
        ];
        for t in known {
            let name = t.name().to_owned();
            assert_eq!(ValueType::from_name(&name), t);
            assert_eq!(ValueType::from_name(&name.to_ascii_lowercase()), t);
        }
        assert_eq!(ValueType::from_name("url"), ValueType::Uri);
        assert_eq!(ValueType::from_name("Inline"), ValueType::Binary);
        // Other names are kept, uppercased, whatever their length.
        for other in [
            "x-mine",
            "date-and-or-time-x",
            "",
            "t\u{e9}xt",
            "a-very-long-value-type-name",
        ] {
            assert_eq!(
                ValueType::from_name(other),
                ValueType::Other(other.to_ascii_uppercase().into()),
                "{other:?}"
            );
        }
    }
}
