//! Property values.

use crate::shared::{Bytes, Text};
use crate::types::{FileTime, Guid, PropType};

/// One property value, of any MS-OXCDATA type.
///
/// PtypObject is not a value: an attachment's embedded message or storage is
/// held by [`crate::Attachment`]. Types oxpim does not know are kept as
/// [`PropValue::Unknown`] so that nothing read is lost.
#[derive(Debug, Clone, PartialEq)]
pub enum PropValue {
    /// PtypNull.
    Null,
    /// PtypInteger16.
    I16(i16),
    /// PtypInteger32.
    I32(i32),
    /// PtypFloating32.
    F32(f32),
    /// PtypFloating64.
    F64(f64),
    /// PtypCurrency: the amount × 10 000.
    Currency(i64),
    /// PtypFloatingTime: days since 1899-12-30 (see
    /// [`crate::floating_time_to_datetime`]).
    FloatingTime(f64),
    /// PtypErrorCode.
    ErrorCode(u32),
    /// PtypBoolean.
    Bool(bool),
    /// PtypInteger64.
    I64(i64),
    /// PtypString8: bytes in the message's code page, without a NUL.
    String8(Vec<u8>),
    /// PtypString (owned, or shared between properties: [`Text`]).
    String(Text),
    /// PtypTime.
    Time(FileTime),
    /// PtypGuid.
    Guid(Guid),
    /// PtypServerId (opaque bytes).
    ServerId(Vec<u8>),
    /// PtypBinary (owned, or shared between properties: [`Bytes`]).
    Binary(Bytes),
    /// PtypMultipleInteger16.
    MvI16(Vec<i16>),
    /// PtypMultipleInteger32.
    MvI32(Vec<i32>),
    /// PtypMultipleFloating32.
    MvF32(Vec<f32>),
    /// PtypMultipleFloating64.
    MvF64(Vec<f64>),
    /// PtypMultipleCurrency.
    MvCurrency(Vec<i64>),
    /// PtypMultipleFloatingTime.
    MvFloatingTime(Vec<f64>),
    /// PtypMultipleInteger64.
    MvI64(Vec<i64>),
    /// PtypMultipleString8.
    MvString8(Vec<Vec<u8>>),
    /// PtypMultipleString.
    MvString(Vec<String>),
    /// PtypMultipleTime.
    MvTime(Vec<FileTime>),
    /// PtypMultipleGuid.
    MvGuid(Vec<Guid>),
    /// PtypMultipleBinary.
    MvBinary(Vec<Vec<u8>>),
    /// A type oxpim does not model (PtypRestriction, PtypRuleAction, or a
    /// code it does not know), kept as bytes.
    Unknown {
        /// The type code.
        ptype: PropType,
        /// The bytes as stored.
        bytes: Vec<u8>,
        /// True when the bytes were stored inline in a property entry (at
        /// most 8), false when they had a stream of their own.
        inline: bool,
    },
}

impl PropValue {
    /// The property type of this value.
    pub fn prop_type(&self) -> PropType {
        match self {
            PropValue::Null => PropType::NULL,
            PropValue::I16(_) => PropType::INTEGER16,
            PropValue::I32(_) => PropType::INTEGER32,
            PropValue::F32(_) => PropType::FLOATING32,
            PropValue::F64(_) => PropType::FLOATING64,
            PropValue::Currency(_) => PropType::CURRENCY,
            PropValue::FloatingTime(_) => PropType::FLOATING_TIME,
            PropValue::ErrorCode(_) => PropType::ERROR_CODE,
            PropValue::Bool(_) => PropType::BOOLEAN,
            PropValue::I64(_) => PropType::INTEGER64,
            PropValue::String8(_) => PropType::STRING8,
            PropValue::String(_) => PropType::STRING,
            PropValue::Time(_) => PropType::TIME,
            PropValue::Guid(_) => PropType::GUID,
            PropValue::ServerId(_) => PropType::SERVER_ID,
            PropValue::Binary(_) => PropType::BINARY,
            PropValue::MvI16(_) => PropType::MULTIPLE_INTEGER16,
            PropValue::MvI32(_) => PropType::MULTIPLE_INTEGER32,
            PropValue::MvF32(_) => PropType::MULTIPLE_FLOATING32,
            PropValue::MvF64(_) => PropType::MULTIPLE_FLOATING64,
            PropValue::MvCurrency(_) => PropType::MULTIPLE_CURRENCY,
            PropValue::MvFloatingTime(_) => PropType::MULTIPLE_FLOATING_TIME,
            PropValue::MvI64(_) => PropType::MULTIPLE_INTEGER64,
            PropValue::MvString8(_) => PropType::MULTIPLE_STRING8,
            PropValue::MvString(_) => PropType::MULTIPLE_STRING,
            PropValue::MvTime(_) => PropType::MULTIPLE_TIME,
            PropValue::MvGuid(_) => PropType::MULTIPLE_GUID,
            PropValue::MvBinary(_) => PropType::MULTIPLE_BINARY,
            PropValue::Unknown { ptype, .. } => *ptype,
        }
    }

    /// The text of a PtypString value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            PropValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// A PtypInteger32 value.
    pub fn as_i32(&self) -> Option<i32> {
        match self {
            PropValue::I32(v) => Some(*v),
            _ => None,
        }
    }

    /// A PtypBoolean value.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            PropValue::Bool(v) => Some(*v),
            _ => None,
        }
    }

    /// A PtypTime value.
    pub fn as_time(&self) -> Option<FileTime> {
        match self {
            PropValue::Time(v) => Some(*v),
            _ => None,
        }
    }

    /// The bytes of a PtypBinary value.
    pub fn as_binary(&self) -> Option<&[u8]> {
        match self {
            PropValue::Binary(v) => Some(v),
            _ => None,
        }
    }

    /// The texts of a PtypMultipleString value.
    pub fn as_strings(&self) -> Option<&[String]> {
        match self {
            PropValue::MvString(v) => Some(v),
            _ => None,
        }
    }
}

impl From<&str> for PropValue {
    fn from(s: &str) -> PropValue {
        PropValue::String(s.into())
    }
}
impl From<String> for PropValue {
    fn from(s: String) -> PropValue {
        PropValue::String(s.into())
    }
}
impl From<i32> for PropValue {
    fn from(v: i32) -> PropValue {
        PropValue::I32(v)
    }
}
impl From<bool> for PropValue {
    fn from(v: bool) -> PropValue {
        PropValue::Bool(v)
    }
}
impl From<FileTime> for PropValue {
    fn from(v: FileTime) -> PropValue {
        PropValue::Time(v)
    }
}
impl From<Vec<u8>> for PropValue {
    fn from(v: Vec<u8>) -> PropValue {
        PropValue::Binary(v.into())
    }
}
impl From<Text> for PropValue {
    fn from(s: Text) -> PropValue {
        PropValue::String(s)
    }
}

impl From<Bytes> for PropValue {
    fn from(b: Bytes) -> PropValue {
        PropValue::Binary(b)
    }
}

impl From<Vec<String>> for PropValue {
    fn from(v: Vec<String>) -> PropValue {
        PropValue::MvString(v)
    }
}
impl From<f64> for PropValue {
    fn from(v: f64) -> PropValue {
        PropValue::F64(v)
    }
}
