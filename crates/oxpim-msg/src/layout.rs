//! Shared pieces of the .msg layout: the storage levels with their
//! property-stream header lengths, and little-endian field access.

/// Which kind of object a property stream belongs to (it fixes the header).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Level {
    /// The .msg itself.
    Top,
    /// An embedded message (`__substg1.0_3701000D`).
    Embedded,
    /// A recipient or attachment storage.
    Row,
}

impl Level {
    /// Bytes of the property stream's header (MS-OXMSG 2.4.1).
    pub(crate) fn header_len(self) -> usize {
        match self {
            Level::Top => 32,
            Level::Embedded => 24,
            Level::Row => 8,
        }
    }
}

/// `N` bytes from `at`, zero where `b` ends early.
fn bytes<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    let mut a = [0u8; N];
    for (d, s) in a.iter_mut().zip(b.iter().skip(at)) {
        *d = *s;
    }
    a
}

/// A little-endian u16 at `at` (zero-extended past the end).
pub(crate) fn le16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(bytes(b, at))
}

/// A little-endian u32 at `at` (zero-extended past the end).
pub(crate) fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes(b, at))
}

/// A little-endian u64 at `at` (zero-extended past the end).
pub(crate) fn le64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes(b, at))
}

/// UTF-16LE bytes of a string, without a terminator.
pub(crate) fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}
