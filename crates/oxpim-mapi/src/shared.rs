//! Text and bytes of property values that may be shared.
//!
//! A calendar names the same attendees in event after event; a converter
//! that gives each recipient row its own copy of the display name, the
//! address and the entry ID spends most of its time allocating, copying and
//! freeing them. [`Text`] and [`Bytes`] hold their contents either owned or
//! behind a reference count (or static), so that one copy can serve every
//! row and message that carries it. Either way they read as `str` and
//! `[u8]`, compare by contents and are immutable; [`Text::into_string`] and
//! [`Bytes::into_vec`] give owned buffers back (without a copy when owned).

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// The text of a PtypString value: owned, shared or static. Reads as `str`.
#[derive(Clone)]
pub struct Text(TextRepr);

#[derive(Clone)]
enum TextRepr {
    Owned(String),
    Shared(Arc<str>),
    Static(&'static str),
}

impl Text {
    /// Text that lives for the whole program (no allocation).
    pub const fn from_static(s: &'static str) -> Text {
        Text(TextRepr::Static(s))
    }

    /// Text behind a reference count: clones share it.
    pub fn shared(s: Arc<str>) -> Text {
        Text(TextRepr::Shared(s))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            TextRepr::Owned(s) => s,
            TextRepr::Shared(s) => s,
            TextRepr::Static(s) => s,
        }
    }

    /// The text as an owned `String` (copied unless it was owned).
    pub fn into_string(self) -> String {
        match self.0 {
            TextRepr::Owned(s) => s,
            TextRepr::Shared(s) => s.as_ref().to_owned(),
            TextRepr::Static(s) => s.to_owned(),
        }
    }

    /// True when clones share this text rather than copy it.
    pub fn is_shared(&self) -> bool {
        !matches!(self.0, TextRepr::Owned(_))
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::from_static("")
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(TextRepr::Owned(s))
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text(TextRepr::Owned(s.to_owned()))
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Text {
        Text(TextRepr::Owned(s.clone()))
    }
}

impl From<Arc<str>> for Text {
    fn from(s: Arc<str>) -> Text {
        Text::shared(s)
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        t.into_string()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl From<Box<str>> for Text {
    fn from(s: Box<str>) -> Text {
        Text(TextRepr::Owned(s.into()))
    }
}

impl From<std::borrow::Cow<'_, str>> for Text {
    fn from(s: std::borrow::Cow<'_, str>) -> Text {
        Text(TextRepr::Owned(s.into_owned()))
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Text) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The bytes of a PtypBinary value: owned, shared or static. Reads as
/// `[u8]`.
#[derive(Clone)]
pub struct Bytes(BytesRepr);

#[derive(Clone)]
enum BytesRepr {
    Owned(Vec<u8>),
    Shared(Arc<[u8]>),
    Static(&'static [u8]),
}

impl Bytes {
    /// Bytes that live for the whole program (no allocation).
    pub const fn from_static(b: &'static [u8]) -> Bytes {
        Bytes(BytesRepr::Static(b))
    }

    /// Bytes behind a reference count: clones share them.
    pub fn shared(b: Arc<[u8]>) -> Bytes {
        Bytes(BytesRepr::Shared(b))
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        match &self.0 {
            BytesRepr::Owned(b) => b,
            BytesRepr::Shared(b) => b,
            BytesRepr::Static(b) => b,
        }
    }

    /// The bytes as an owned `Vec` (copied unless they were owned).
    pub fn into_vec(self) -> Vec<u8> {
        match self.0 {
            BytesRepr::Owned(b) => b,
            BytesRepr::Shared(b) => b.as_ref().to_vec(),
            BytesRepr::Static(b) => b.to_vec(),
        }
    }

    /// True when clones share these bytes rather than copy them.
    pub fn is_shared(&self) -> bool {
        !matches!(self.0, BytesRepr::Owned(_))
    }
}

impl Default for Bytes {
    fn default() -> Bytes {
        Bytes::from_static(&[])
    }
}

impl Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl Borrow<[u8]> for Bytes {
    fn borrow(&self) -> &[u8] {
        self.as_slice()
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(b: Vec<u8>) -> Bytes {
        Bytes(BytesRepr::Owned(b))
    }
}

impl From<&[u8]> for Bytes {
    fn from(b: &[u8]) -> Bytes {
        Bytes(BytesRepr::Owned(b.to_vec()))
    }
}

impl<const N: usize> From<[u8; N]> for Bytes {
    fn from(b: [u8; N]) -> Bytes {
        Bytes(BytesRepr::Owned(b.to_vec()))
    }
}

impl From<Arc<[u8]>> for Bytes {
    fn from(b: Arc<[u8]>) -> Bytes {
        Bytes::shared(b)
    }
}

impl From<Bytes> for Vec<u8> {
    fn from(b: Bytes) -> Vec<u8> {
        b.into_vec()
    }
}

impl PartialEq for Bytes {
    fn eq(&self, other: &Bytes) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Bytes {}

impl PartialEq<[u8]> for Bytes {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_slice() == other
    }
}

impl PartialEq<Vec<u8>> for Bytes {
    fn eq(&self, other: &Vec<u8>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl PartialEq<&[u8]> for Bytes {
    fn eq(&self, other: &&[u8]) -> bool {
        self.as_slice() == *other
    }
}

impl<const N: usize> PartialEq<[u8; N]> for Bytes {
    fn eq(&self, other: &[u8; N]) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl PartialEq<Bytes> for [u8] {
    fn eq(&self, other: &Bytes) -> bool {
        self == other.as_slice()
    }
}

impl PartialEq<Bytes> for Vec<u8> {
    fn eq(&self, other: &Bytes) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl From<std::borrow::Cow<'_, [u8]>> for Bytes {
    fn from(b: std::borrow::Cow<'_, [u8]>) -> Bytes {
        Bytes(BytesRepr::Owned(b.into_owned()))
    }
}

impl PartialOrd for Bytes {
    fn partial_cmp(&self, other: &Bytes) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Bytes {
    fn cmp(&self, other: &Bytes) -> std::cmp::Ordering {
        self.as_slice().cmp(other.as_slice())
    }
}

impl std::hash::Hash for Bytes {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_reads_compares_and_hashes_by_contents_whatever_it_holds() {
        use std::collections::HashSet;
        let owned = Text::from("Rossi, Sybil".to_owned());
        let shared = Text::shared(Arc::from("Rossi, Sybil"));
        let fixed = Text::from_static("Rossi, Sybil");
        assert!(!owned.is_shared() && shared.is_shared() && fixed.is_shared());
        assert_eq!(owned, shared);
        assert_eq!(shared, fixed);
        assert_eq!(&*owned, "Rossi, Sybil");
        assert_eq!(shared, "Rossi, Sybil");
        let name = String::from("Rossi, Sybil");
        assert!("Rossi, Sybil" == shared && name == fixed);
        assert_eq!(
            Text::from(std::borrow::Cow::Borrowed("x")),
            Text::from(Box::from("x"))
        );
        let (a, b) = (Text::from("a"), Text::from_static("b"));
        assert_eq!(a.cmp(&b), std::cmp::Ordering::Less);
        let set: HashSet<Text> = [owned.clone(), shared.clone(), fixed.clone()].into();
        assert_eq!(set.len(), 1);
        assert!(set.contains("Rossi, Sybil"));
        assert_eq!(
            format!("{fixed} {shared:?}"),
            "Rossi, Sybil \"Rossi, Sybil\""
        );
        assert_eq!(shared.clone().into_string(), "Rossi, Sybil");
        assert_eq!(Text::default(), "");
        // Clones of shared text are the same allocation.
        let again = shared.clone();
        assert!(std::ptr::eq(shared.as_str(), again.as_str()));
        assert!(!std::ptr::eq(owned.as_str(), owned.clone().as_str()));
    }

    #[test]
    fn bytes_read_compare_and_share() {
        let owned = Bytes::from(vec![1u8, 2, 3]);
        let shared = Bytes::shared(Arc::from(&[1u8, 2, 3][..]));
        assert_eq!(owned, shared);
        assert_eq!(&*shared, &[1, 2, 3]);
        let (array, slice) = ([1u8, 2, 3], &[1u8, 2, 3][..]);
        assert!(shared == array && shared == slice && slice.to_vec() == shared);
        assert_eq!(shared.clone().into_vec(), vec![1, 2, 3]);
        assert_eq!(
            Bytes::from([0u8]).cmp(&Bytes::from_static(&[1])),
            std::cmp::Ordering::Less
        );
        let again = shared.clone();
        assert!(std::ptr::eq(shared.as_slice(), again.as_slice()));
        assert!(Bytes::default().is_empty());
        assert_eq!(format!("{shared:?}"), "[1, 2, 3]");
    }
}
