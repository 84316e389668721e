//! The binary structures of calendar items (MS-OXOCAL 2.2.1): global object
//! IDs, time zone blobs and recurrence patterns.
//!
//! Every structure here decodes from bytes and encodes back to the same
//! bytes: fields the specification reserves are kept as read, so that a
//! blob Outlook wrote survives a round trip unchanged. Decoding never
//! panics and never reads past the end of its input; a blob that does not
//! fit its layout is a [`BlobError`] naming the offset and the field.

pub mod goid;
pub mod recur;
pub mod tz;

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};

pub use goid::GlobalObjectId;
pub use recur::{
    AppointmentRecurrencePattern, ChangeHighlight, EndType, ExceptionInfo, ExtendedException,
    OverrideFlags, PatternSpecific, PatternType, RecurFrequency, RecurrencePattern, Skip,
};
pub use tz::{SystemTime, TimeZoneDefinition, TimeZoneStruct, TzRule};

/// A blob that does not fit its layout.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{structure}: {what} at byte {offset}")]
pub struct BlobError {
    /// The structure being read (`AppointmentRecurrencePattern`).
    pub structure: &'static str,
    /// The offset where reading failed.
    pub offset: usize,
    /// What was wrong.
    pub what: String,
}

/// A little-endian reader over a byte slice that reports, rather than
/// panics at, the end of its input.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    structure: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], structure: &'static str) -> Self {
        Reader {
            bytes,
            pos: 0,
            structure,
        }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    pub(crate) fn error(&self, what: impl Into<String>) -> BlobError {
        BlobError {
            structure: self.structure,
            offset: self.pos,
            what: what.into(),
        }
    }

    pub(crate) fn take(&mut self, n: usize, field: &str) -> Result<&'a [u8], BlobError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.bytes.len())
            .ok_or_else(|| {
                self.error(format!(
                    "{field} needs {n} bytes, {} left",
                    self.remaining()
                ))
            })?;
        let s = self.bytes.get(self.pos..end).unwrap_or_default();
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self, field: &str) -> Result<[u8; N], BlobError> {
        let s = self.take(N, field)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    pub(crate) fn u8(&mut self, field: &str) -> Result<u8, BlobError> {
        Ok(self.array::<1>(field)?[0])
    }
    pub(crate) fn u16(&mut self, field: &str) -> Result<u16, BlobError> {
        Ok(u16::from_le_bytes(self.array(field)?))
    }
    pub(crate) fn u32(&mut self, field: &str) -> Result<u32, BlobError> {
        Ok(u32::from_le_bytes(self.array(field)?))
    }
    pub(crate) fn i32(&mut self, field: &str) -> Result<i32, BlobError> {
        Ok(i32::from_le_bytes(self.array(field)?))
    }
    pub(crate) fn u64(&mut self, field: &str) -> Result<u64, BlobError> {
        Ok(u64::from_le_bytes(self.array(field)?))
    }
    pub(crate) fn fixed<const N: usize>(&mut self, field: &str) -> Result<[u8; N], BlobError> {
        self.array(field)
    }

    /// UTF-16LE code units, decoded lossily (lone surrogates become U+FFFD).
    pub(crate) fn utf16(&mut self, units: usize, field: &str) -> Result<String, BlobError> {
        let n = units
            .checked_mul(2)
            .ok_or_else(|| self.error(format!("{field}: length overflows")))?;
        let raw = self.take(n, field)?;
        let u: Vec<u16> = raw
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes(<[u8; 2]>::try_from(c).unwrap_or_default()))
            .collect();
        Ok(String::from_utf16_lossy(&u))
    }
}

/// Appends UTF-16LE code units of `s`.
pub(crate) fn put_utf16(out: &mut Vec<u8>, s: &str) {
    out.reserve(s.len() * 2);
    if s.is_ascii() {
        for b in s.bytes() {
            out.push(b);
            out.push(0);
        }
        return;
    }
    for u in s.encode_utf16() {
        let [a, b] = u.to_le_bytes();
        out.push(a);
        out.push(b);
    }
}

/// The number of UTF-16 code units of `s`.
pub(crate) fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

fn epoch_1601() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(1601, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or(NaiveDateTime::MIN)
}

/// Minutes since 1601-01-01 00:00 (the unit of recurrence blobs) of a
/// date-time; `None` before 1601 or past the 32-bit range (year 9767).
pub fn minutes_from_datetime(t: NaiveDateTime) -> Option<u32> {
    u32::try_from((t - epoch_1601()).num_minutes()).ok()
}

/// The date-time `minutes` after 1601-01-01 00:00.
pub fn datetime_from_minutes(minutes: u32) -> NaiveDateTime {
    epoch_1601() + TimeDelta::minutes(i64::from(minutes))
}

/// Minutes since 1601 of a date at midnight.
pub fn minutes_from_date(d: NaiveDate) -> Option<u32> {
    minutes_from_datetime(d.and_time(chrono::NaiveTime::MIN))
}

/// 4500-12-31 23:59 in minutes: the EndDate of a series without end.
pub const NO_END_DATE: u32 = 0x5AE9_80DF;
/// 4501-01-01 00:01 in minutes, which some writers store in
/// PidLidReminderDelta to mean "unset".
pub const REMINDER_DELTA_UNSET: u32 = 0x5AE9_80E1;

/// Hex of bytes, upper case (for messages and UIDs).
pub fn to_hex(bytes: &[u8]) -> String {
    use fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02X}");
    }
    s
}

/// Bytes from hex (either case); `None` for odd lengths or other characters.
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    b.chunks_exact(2)
        .map(|p| {
            let hi = char::from(*p.first()?).to_digit(16)?;
            let lo = char::from(*p.get(1)?).to_digit(16)?;
            u8::try_from(hi * 16 + lo).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_since_1601() {
        let d = NaiveDate::from_ymd_opt(2008, 2, 13).unwrap();
        assert_eq!(minutes_from_date(d), Some(0x0CC3_3F00));
        assert_eq!(
            datetime_from_minutes(NO_END_DATE),
            NaiveDate::from_ymd_opt(4500, 12, 31)
                .unwrap()
                .and_hms_opt(23, 59, 0)
                .unwrap()
        );
        assert_eq!(
            minutes_from_datetime(epoch_1601() - TimeDelta::minutes(1)),
            None
        );
    }

    #[test]
    fn hex() {
        assert_eq!(to_hex(&[0x04, 0xAB]), "04AB");
        assert_eq!(from_hex("04ab"), Some(vec![0x04, 0xAB]));
        assert_eq!(from_hex("0"), None);
        assert_eq!(from_hex("0g"), None);
    }

    #[test]
    fn reader_reports_the_end() {
        let mut r = Reader::new(&[1, 2, 3], "Test");
        assert_eq!(r.u16("a").unwrap(), 0x0201);
        let e = r.u32("b").unwrap_err();
        assert_eq!(e.offset, 2);
        assert!(e.to_string().contains("b needs 4 bytes, 1 left"), "{e}");
        assert_eq!(r.u8("c").unwrap(), 3);
    }
}
