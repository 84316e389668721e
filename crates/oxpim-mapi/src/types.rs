//! Property types, tags, GUIDs and the two MAPI time encodings.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

/// A property type (MS-OXCDATA 2.11.1): the low 16 bits of a property tag.
///
/// A newtype rather than an enum, so that types oxpim does not know (read
/// from a file) are kept rather than lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PropType(pub u16);

macro_rules! prop_types {
    ($( $(#[$doc:meta])* $konst:ident = $code:literal, $name:literal, $fixed:expr; )*) => {
        impl PropType {
            $( $(#[$doc])* pub const $konst: PropType = PropType($code); )*

            /// Every type oxpim knows, in code order.
            pub const ALL: &'static [PropType] = &[$(PropType($code)),*];

            /// The canonical name (`PtypString`), if the type is known.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $code => Some($name), )*
                    _ => None,
                }
            }

            /// The type with this canonical name.
            pub fn from_name(name: &str) -> Option<PropType> {
                match name {
                    $( $name => Some(PropType($code)), )*
                    _ => None,
                }
            }

            /// Bytes of one value of a fixed-size type (for multi-valued
            /// types, of one element); `None` for variable-size types.
            pub fn fixed_size(self) -> Option<usize> {
                match self.0 & !0x1000 {
                    $( c if c == ($code & !0x1000) && $fixed != 0 => Some($fixed), )*
                    _ => None,
                }
            }
        }
    };
}

prop_types! {
    /// PtypUnspecified (only in requests).
    UNSPECIFIED = 0x0000, "PtypUnspecified", 0;
    /// PtypNull.
    NULL = 0x0001, "PtypNull", 0;
    /// PtypInteger16.
    INTEGER16 = 0x0002, "PtypInteger16", 2;
    /// PtypInteger32.
    INTEGER32 = 0x0003, "PtypInteger32", 4;
    /// PtypFloating32.
    FLOATING32 = 0x0004, "PtypFloating32", 4;
    /// PtypFloating64.
    FLOATING64 = 0x0005, "PtypFloating64", 8;
    /// PtypCurrency (value × 10 000).
    CURRENCY = 0x0006, "PtypCurrency", 8;
    /// PtypFloatingTime (days since 1899-12-30).
    FLOATING_TIME = 0x0007, "PtypFloatingTime", 8;
    /// PtypErrorCode.
    ERROR_CODE = 0x000A, "PtypErrorCode", 4;
    /// PtypBoolean.
    BOOLEAN = 0x000B, "PtypBoolean", 1;
    /// PtypObject (an embedded message or storage).
    OBJECT = 0x000D, "PtypObject", 0;
    /// PtypInteger64.
    INTEGER64 = 0x0014, "PtypInteger64", 8;
    /// PtypString8 (a code-page string).
    STRING8 = 0x001E, "PtypString8", 0;
    /// PtypString (UTF-16 on the wire).
    STRING = 0x001F, "PtypString", 0;
    /// PtypTime (FILETIME).
    TIME = 0x0040, "PtypTime", 8;
    /// PtypGuid.
    GUID = 0x0048, "PtypGuid", 16;
    /// PtypServerId.
    SERVER_ID = 0x00FB, "PtypServerId", 0;
    /// PtypRestriction.
    RESTRICTION = 0x00FD, "PtypRestriction", 0;
    /// PtypRuleAction.
    RULE_ACTION = 0x00FE, "PtypRuleAction", 0;
    /// PtypBinary.
    BINARY = 0x0102, "PtypBinary", 0;
    /// PtypMultipleInteger16.
    MULTIPLE_INTEGER16 = 0x1002, "PtypMultipleInteger16", 2;
    /// PtypMultipleInteger32.
    MULTIPLE_INTEGER32 = 0x1003, "PtypMultipleInteger32", 4;
    /// PtypMultipleFloating32.
    MULTIPLE_FLOATING32 = 0x1004, "PtypMultipleFloating32", 4;
    /// PtypMultipleFloating64.
    MULTIPLE_FLOATING64 = 0x1005, "PtypMultipleFloating64", 8;
    /// PtypMultipleCurrency.
    MULTIPLE_CURRENCY = 0x1006, "PtypMultipleCurrency", 8;
    /// PtypMultipleFloatingTime.
    MULTIPLE_FLOATING_TIME = 0x1007, "PtypMultipleFloatingTime", 8;
    /// PtypMultipleInteger64.
    MULTIPLE_INTEGER64 = 0x1014, "PtypMultipleInteger64", 8;
    /// PtypMultipleString8.
    MULTIPLE_STRING8 = 0x101E, "PtypMultipleString8", 0;
    /// PtypMultipleString.
    MULTIPLE_STRING = 0x101F, "PtypMultipleString", 0;
    /// PtypMultipleTime.
    MULTIPLE_TIME = 0x1040, "PtypMultipleTime", 8;
    /// PtypMultipleGuid.
    MULTIPLE_GUID = 0x1048, "PtypMultipleGuid", 16;
    /// PtypMultipleBinary.
    MULTIPLE_BINARY = 0x1102, "PtypMultipleBinary", 0;
}

impl PropType {
    /// True for the multi-valued types (`0x1000` set).
    pub fn is_multi(self) -> bool {
        self.0 & 0x1000 != 0
    }

    /// The element type of a multi-valued type (the type itself otherwise).
    pub fn element(self) -> PropType {
        PropType(self.0 & !0x1000)
    }
}

impl fmt::Display for PropType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "0x{:04X}", self.0),
        }
    }
}

/// A property tag: the property ID in the high 16 bits, the type in the
/// low 16 (MS-OXCDATA 2.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PropTag(pub u32);

impl PropTag {
    /// A tag from an ID and a type.
    pub const fn new(id: u16, ty: PropType) -> PropTag {
        PropTag(((id as u32) << 16) | ty.0 as u32)
    }
    /// The property ID.
    pub const fn id(self) -> u16 {
        (self.0 >> 16) as u16
    }
    /// The property type.
    pub const fn prop_type(self) -> PropType {
        PropType((self.0 & 0xFFFF) as u16)
    }
    /// True for IDs reserved for named properties (0x8000–0xFFFE).
    pub const fn is_named_id(self) -> bool {
        let id = self.id();
        id >= 0x8000 && id != 0xFFFF
    }
}

impl fmt::Display for PropTag {
    /// `0x0037001F`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:08X}", self.0)
    }
}

/// A GUID, held as its 128-bit value in the textual order
/// (`{00062002-0000-0000-C000-000000000046}` is `0x00062002_0000_0000_C000_000000000046`).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guid(pub u128);

impl Guid {
    /// The 16 bytes as MAPI stores them: Data1, Data2 and Data3 little-endian,
    /// Data4 as written.
    pub fn to_le_bytes(self) -> [u8; 16] {
        let b = self.0.to_be_bytes();
        [
            b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13],
            b[14], b[15],
        ]
    }

    /// A GUID from the 16 bytes MAPI stores.
    pub fn from_le_bytes(b: [u8; 16]) -> Guid {
        let be = [
            b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13],
            b[14], b[15],
        ];
        Guid(u128::from_be_bytes(be))
    }
}

impl fmt::Display for Guid {
    /// `{00062002-0000-0000-C000-000000000046}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        write!(
            f,
            "{{{:08X}-{:04X}-{:04X}-{:04X}-{:012X}}}",
            (v >> 96) as u32,
            (v >> 80) as u16,
            (v >> 64) as u16,
            (v >> 48) as u16,
            v & 0xFFFF_FFFF_FFFF
        )
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A GUID string that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuidError;

impl fmt::Display for GuidError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a GUID (expected {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX})")
    }
}

impl std::error::Error for GuidError {}

impl FromStr for Guid {
    type Err = GuidError;
    /// Reads `{…}` or the bare form, in either case.
    fn from_str(s: &str) -> Result<Guid, GuidError> {
        let s = s.trim();
        let s = s
            .strip_prefix('{')
            .and_then(|x| x.strip_suffix('}'))
            .unwrap_or(s);
        let groups: Vec<&str> = s.split('-').collect();
        let widths = [8, 4, 4, 4, 12];
        if groups.len() != 5
            || groups
                .iter()
                .zip(widths)
                .any(|(g, w)| g.len() != w || !g.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(GuidError);
        }
        let hex: String = groups.concat();
        u128::from_str_radix(&hex, 16)
            .map(Guid)
            .map_err(|_| GuidError)
    }
}

/// A FILETIME: 100-nanosecond ticks since 1601-01-01 00:00 UTC (PtypTime).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileTime(pub u64);

/// Ticks between 1601-01-01 and 1970-01-01.
const EPOCH_DIFF_TICKS: i128 = 116_444_736_000_000_000;

impl FileTime {
    /// The instant, if chrono can represent it (it can for every u64).
    pub fn to_datetime(self) -> Option<DateTime<Utc>> {
        let ticks = i128::from(self.0) - EPOCH_DIFF_TICKS;
        let secs = i64::try_from(ticks.div_euclid(10_000_000)).ok()?;
        let nanos = u32::try_from(ticks.rem_euclid(10_000_000) * 100).ok()?;
        DateTime::from_timestamp(secs, nanos)
    }

    /// The FILETIME of an instant; `None` before 1601 or after year 60056.
    pub fn from_datetime(t: DateTime<Utc>) -> Option<FileTime> {
        let ticks = i128::from(t.timestamp()) * 10_000_000
            + i128::from(t.timestamp_subsec_nanos() / 100)
            + EPOCH_DIFF_TICKS;
        u64::try_from(ticks).ok().map(FileTime)
    }
}

/// Converts a PtypFloatingTime (days since 1899-12-30, the fraction being
/// the time of day) to a date-time, to the millisecond.
pub fn floating_time_to_datetime(days: f64) -> Option<chrono::NaiveDateTime> {
    if !days.is_finite() || days.abs() > 3.0e6 {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    // Bounded above, so the cast cannot overflow.
    #[allow(clippy::cast_possible_truncation)]
    let ms = (days * 86_400_000.0).round() as i64;
    base.checked_add_signed(TimeDelta::try_milliseconds(ms)?)
}

/// The PtypFloatingTime of a date-time.
pub fn datetime_to_floating_time(t: chrono::NaiveDateTime) -> Option<f64> {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    #[allow(clippy::cast_precision_loss)]
    Some((t - base).num_milliseconds() as f64 / 86_400_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_bytes_and_text() {
        let g: Guid = "{00062004-0000-0000-C000-000000000046}".parse().unwrap();
        assert_eq!(
            g.to_le_bytes(),
            [
                0x04, 0x20, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00,
                0x00, 0x46
            ]
        );
        assert_eq!(Guid::from_le_bytes(g.to_le_bytes()), g);
        assert_eq!(g.to_string(), "{00062004-0000-0000-C000-000000000046}");
        let m: Guid = "6ed8da90-450b-101b-98da-00aa003f1305".parse().unwrap();
        assert_eq!(
            m.to_le_bytes(),
            [
                0x90, 0xDA, 0xD8, 0x6E, 0x0B, 0x45, 0x1B, 0x10, 0x98, 0xDA, 0x00, 0xAA, 0x00, 0x3F,
                0x13, 0x05
            ]
        );
        assert!(
            "{0006200-0000-0000-C000-000000000046}"
                .parse::<Guid>()
                .is_err()
        );
        assert!(
            "{+0062004-0000-0000-C000-000000000046}"
                .parse::<Guid>()
                .is_err()
        );
    }

    #[test]
    fn tags_and_types() {
        let t = PropTag(0x0037_001F);
        assert_eq!(t.id(), 0x0037);
        assert_eq!(t.prop_type(), PropType::STRING);
        assert_eq!(
            PropTag::new(0x3701, PropType::OBJECT).to_string(),
            "0x3701000D"
        );
        assert_eq!(PropType::MULTIPLE_BINARY.element(), PropType::BINARY);
        assert_eq!(PropType::MULTIPLE_TIME.fixed_size(), Some(8));
        assert_eq!(PropType::GUID.fixed_size(), Some(16));
        assert_eq!(PropType::STRING.fixed_size(), None);
        assert_eq!(PropType::BOOLEAN.fixed_size(), Some(1));
        for t in PropType::ALL {
            assert_eq!(PropType::from_name(t.name().unwrap()), Some(*t));
        }
        assert_eq!(PropType(0x0999).to_string(), "0x0999");
    }

    #[test]
    fn filetime() {
        let t = DateTime::from_timestamp(1_735_732_800, 0).unwrap(); // 2025-01-01T12:00:00Z
        let f = FileTime::from_datetime(t).unwrap();
        assert_eq!(f.0, 133_802_064_000_000_000);
        assert_eq!(f.to_datetime(), Some(t));
        assert_eq!(
            FileTime(0).to_datetime().unwrap().to_rfc3339(),
            "1601-01-01T00:00:00+00:00"
        );
        assert!(FileTime(u64::MAX).to_datetime().is_some());
    }

    #[test]
    fn floating_time() {
        let t = NaiveDate::from_ymd_opt(2025, 1, 1)
            .unwrap()
            .and_hms_opt(18, 0, 0)
            .unwrap();
        let d = datetime_to_floating_time(t).unwrap();
        assert!((d - 45658.75).abs() < 1e-9);
        assert_eq!(floating_time_to_datetime(d), Some(t));
        assert_eq!(floating_time_to_datetime(f64::NAN), None);
    }
}
