//! [`Str`]: an immutable string that is static, owned, or a slice of a
//! shared source buffer.
//!
//! Parsing a document creates thousands of short strings (values, parameter
//! values). Most of them appear in the input exactly as they must be stored
//! (no escapes, no folding); those share the input buffer instead of being
//! copied into an allocation of their own.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// The whole input of a parse, shared by the items that came from it:
/// validated UTF-8 text when it is, bytes otherwise. One pointer wide, so
/// that every [`Str`] and source range that refers to it stays small.
#[derive(Clone)]
pub(crate) struct Source(Arc<SourceBuf>);

#[derive(Clone)]
enum SourceBuf {
    /// Valid UTF-8: values can be slices of it.
    Text(String),
    /// Not valid UTF-8 somewhere.
    Bytes(Vec<u8>),
    /// A copy of one item's source bytes (streaming, or offsets beyond
    /// 4 GiB), not a whole input: the whole buffer is the item's range.
    Copy(Vec<u8>),
    /// The same input as another source, behind a reference count of its
    /// own: a thread that builds part of a tree clones only its alias, so
    /// that threads do not contend for one counter.
    Alias(Source),
}

impl Source {
    /// Validates once and copies the input into a shared buffer.
    pub(crate) fn from_slice(input: &[u8]) -> Source {
        Source(Arc::new(match utf8(input) {
            Some(s) => SourceBuf::Text(s.to_owned()),
            None => SourceBuf::Bytes(input.to_vec()),
        }))
    }

    /// Validates once and shares the input (no copy).
    pub(crate) fn new(input: Vec<u8>) -> Source {
        Source(Arc::new(match String::from_utf8(input) {
            Ok(s) => SourceBuf::Text(s),
            Err(e) => SourceBuf::Bytes(e.into_bytes()),
        }))
    }

    /// A private copy of one item's bytes (see [`Source::copied`]).
    pub(crate) fn copy(bytes: Vec<u8>) -> Source {
        Source(Arc::new(SourceBuf::Copy(bytes)))
    }

    /// The same input behind a reference count of its own (see
    /// `SourceBuf::Alias`). An alias of an alias refers to the original.
    pub(crate) fn alias(&self) -> Source {
        match &*self.0 {
            SourceBuf::Alias(inner) => Source(Arc::new(SourceBuf::Alias(inner.clone()))),
            _ => Source(Arc::new(SourceBuf::Alias(self.clone()))),
        }
    }

    /// The bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        match &*self.0 {
            SourceBuf::Text(t) => t.as_bytes(),
            SourceBuf::Bytes(b) | SourceBuf::Copy(b) => b,
            SourceBuf::Alias(inner) => inner.bytes(),
        }
    }

    /// The text, when the whole input is valid UTF-8.
    pub(crate) fn text(&self) -> Option<&str> {
        match &*self.0 {
            SourceBuf::Text(t) => Some(t),
            SourceBuf::Bytes(_) | SourceBuf::Copy(_) => None,
            SourceBuf::Alias(inner) => inner.text(),
        }
    }

    /// The bytes of a copy made by [`Source::copy`]; `None` for a whole
    /// input.
    pub(crate) fn copied(&self) -> Option<&[u8]> {
        match &*self.0 {
            SourceBuf::Copy(b) => Some(b),
            _ => None,
        }
    }

    /// The bytes of a copy made by [`Source::copy`], to append to (copied
    /// again first if another item shares them); `None` for a whole input,
    /// which is never copied here.
    pub(crate) fn copied_mut(&mut self) -> Option<&mut Vec<u8>> {
        if !matches!(*self.0, SourceBuf::Copy(_)) {
            return None;
        }
        match Arc::make_mut(&mut self.0) {
            SourceBuf::Copy(b) => Some(b),
            _ => None,
        }
    }
}

/// `bytes` as text when they are valid UTF-8. SIMD validation (the
/// `simdutf8` crate): several times faster than `std::str::from_utf8` on
/// text that is not pure ASCII, and validation of the input and of every
/// unfolded line is a measurable share of a parse.
pub(crate) fn utf8(bytes: &[u8]) -> Option<&str> {
    simdutf8::basic::from_utf8(bytes).ok()
}

#[derive(Clone)]
enum Repr {
    Static(&'static str),
    Owned(Box<str>),
    Shared { src: Source, start: u32, len: u32 },
}

/// An immutable UTF-8 string. Derefs to `str`; compares, hashes and
/// orders by content whatever its storage.
#[derive(Clone)]
pub struct Str(Repr);

impl Str {
    /// An empty string.
    pub const fn new() -> Str {
        Str(Repr::Static(""))
    }

    /// A string for a static text (no allocation).
    pub const fn from_static(s: &'static str) -> Str {
        Str(Repr::Static(s))
    }

    /// `piece` of `src` when `piece` lies inside its text (no copy), else
    /// a copy.
    pub(crate) fn share(src: &Source, piece: &str) -> Str {
        let Some(text) = src.text() else {
            return Str::from(piece);
        };
        let base = text.as_ptr() as usize;
        let at = piece.as_ptr() as usize;
        if at >= base
            && at + piece.len() <= base + text.len()
            && let (Ok(start), Ok(len)) = (u32::try_from(at - base), u32::try_from(piece.len()))
        {
            return Str(Repr::Shared {
                src: src.clone(),
                start,
                len,
            });
        }
        Str::from(piece)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Static(s) => s,
            Repr::Owned(s) => s,
            Repr::Shared { src, start, len } => {
                let start = *start as usize;
                src.text()
                    .and_then(|t| t.get(start..start + *len as usize))
                    .unwrap_or("")
            }
        }
    }

    /// True when the text lives in a shared source buffer.
    pub fn is_shared(&self) -> bool {
        matches!(self.0, Repr::Shared { .. })
    }
}

impl Default for Str {
    fn default() -> Self {
        Str::new()
    }
}

impl Deref for Str {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Str {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Str {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Str {
    fn from(s: &str) -> Self {
        if s.is_empty() {
            Str::new()
        } else {
            Str(Repr::Owned(s.into()))
        }
    }
}

impl From<String> for Str {
    fn from(s: String) -> Self {
        Str(Repr::Owned(s.into_boxed_str()))
    }
}

impl From<Box<str>> for Str {
    fn from(s: Box<str>) -> Self {
        Str(Repr::Owned(s))
    }
}

impl From<std::borrow::Cow<'_, str>> for Str {
    fn from(s: std::borrow::Cow<'_, str>) -> Self {
        match s {
            std::borrow::Cow::Borrowed(b) => Str::from(b),
            std::borrow::Cow::Owned(o) => Str::from(o),
        }
    }
}

impl From<Str> for String {
    fn from(s: Str) -> Self {
        s.as_str().to_string()
    }
}

impl PartialEq for Str {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Str {}

impl PartialEq<str> for Str {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Str {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Str {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Str> for str {
    fn eq(&self, other: &Str) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Str> for &str {
    fn eq(&self, other: &Str) -> bool {
        *self == other.as_str()
    }
}

impl Hash for Str {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for Str {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Str {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_does_not_change_meaning() {
        let src = Source::new(b"SUMMARY:Caf\xc3\xa9 time".to_vec());
        let piece = src.text().unwrap().get(8..).unwrap();
        let shared = Str::share(&src, piece);
        assert!(shared.is_shared());
        assert_eq!(shared, "Café time");
        assert_eq!(shared, Str::from("Café time"));
        assert_eq!(Str::from_static("x"), Str::from(String::from("x")));
        // A piece from elsewhere is copied.
        let other = String::from("Café time");
        let copied = Str::share(&src, &other);
        assert!(!copied.is_shared());
        assert_eq!(copied, shared);
        // Pieces of a source that is not UTF-8 are copied.
        let bytes = Source::new(b"X:\xff".to_vec());
        assert!(!Str::share(&bytes, "X").is_shared());
        assert_eq!(std::mem::size_of::<Str>(), 24);
        let mut set = std::collections::HashSet::new();
        set.insert(shared.clone());
        assert!(set.contains("Café time"));
    }
}
