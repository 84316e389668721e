//! Messages: a property bag, a recipient table and attachments.

use crate::named::{PropKey, PropName};
use crate::props::{self, PropDef};
use crate::types::{FileTime, Guid, PropType};
use crate::value::PropValue;
use crate::{Error, codepage};

/// Bags up to this size are searched linearly; larger ones get a hash
/// index. Recipient rows and attachments hold about a dozen properties,
/// where comparing keys beats hashing them.
const LINEAR: usize = 16;

/// An insertion-ordered map of properties: a vector, plus a hash index once
/// it is large.
#[derive(Debug, Clone, Default)]
struct Entries {
    items: Vec<(PropKey, PropValue)>,
    /// Open-addressing table of item positions plus one (0 = free slot),
    /// probed linearly from the key's hash; its length is a power of two at
    /// least twice the number of items. Empty while the bag is small. It
    /// holds no copies of keys: a bag's string names are not cloned to be
    /// found.
    index: Vec<u32>,
}

/// A hash of a key for the bag's index, mixed further by [`Entries::probe`]:
/// the ID of a tagged property, the set and LID of a numeric named one,
/// the set and bytes of a string name.
fn key_hash(key: &PropKey) -> u64 {
    match key {
        PropKey::Tag(id) => u64::from(*id),
        PropKey::Named(n) => {
            let set = (n.set.0 as u64) ^ ((n.set.0 >> 64) as u64).rotate_left(29);
            match &n.name {
                PropName::Lid(lid) => set ^ (u64::from(*lid) << 17) ^ 0x1_0000,
                PropName::String(name) => name.bytes().fold(set ^ 0x2_0000, |h, b| {
                    (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
                }),
            }
        }
    }
}

impl Entries {
    fn with_capacity(n: usize) -> Entries {
        Entries {
            items: Vec::with_capacity(n),
            index: Vec::new(),
        }
    }

    fn has_index(&self) -> bool {
        !self.index.is_empty()
    }

    /// The slots to probe for `hash`, in order: from its home slot (the
    /// high bits of a multiplicative hash are its well-mixed ones) on,
    /// wrapping, each slot at most once. Empty without an index.
    fn probe(&self, hash: u64) -> impl Iterator<Item = usize> + use<> {
        let len = self.index.len();
        let bits = len.trailing_zeros();
        let home = if bits == 0 {
            0
        } else {
            (hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
        };
        let mask = len.wrapping_sub(1);
        (0..len).map(move |k| (home + k) & mask)
    }

    fn position(&self, key: &PropKey) -> Option<usize> {
        if !self.has_index() {
            return self.items.iter().position(|(k, _)| k == key);
        }
        // The table is never full: a free slot ends the search.
        for slot in self.probe(key_hash(key)) {
            let at = *self.index.get(slot)?;
            let i = usize::try_from(at.checked_sub(1)?).ok()?;
            if self.items.get(i).is_some_and(|(k, _)| k == key) {
                return Some(i);
            }
        }
        None
    }

    /// Records item `i` in the index (which has room for it).
    fn index_slot(&mut self, i: usize) {
        let Some(hash) = self.items.get(i).map(|(k, _)| key_hash(k)) else {
            return;
        };
        let free = self
            .probe(hash)
            .find(|&slot| self.index.get(slot) == Some(&0));
        if let Some(slot) = free.and_then(|slot| self.index.get_mut(slot)) {
            *slot = u32::try_from(i + 1).unwrap_or(u32::MAX);
        }
    }

    fn build_index(&mut self) {
        let size = (self.items.len() * 2).next_power_of_two().max(64);
        self.index.clear();
        self.index.resize(size, 0);
        for i in 0..self.items.len() {
            self.index_slot(i);
        }
    }

    /// Appends a key known to be absent.
    fn push(&mut self, key: PropKey, value: PropValue) {
        self.items.push((key, value));
        if self.has_index() {
            if self.items.len() * 2 > self.index.len() {
                self.build_index();
            } else {
                self.index_slot(self.items.len() - 1);
            }
        } else if self.items.len() > LINEAR {
            self.build_index();
        }
    }

    fn insert(&mut self, key: PropKey, value: PropValue) -> Option<PropValue> {
        if let Some(i) = self.position(&key) {
            return self
                .items
                .get_mut(i)
                .map(|slot| std::mem::replace(&mut slot.1, value));
        }
        self.push(key, value);
        None
    }

    fn get(&self, key: &PropKey) -> Option<&PropValue> {
        self.position(key)
            .and_then(|i| self.items.get(i))
            .map(|(_, v)| v)
    }

    fn shift_remove(&mut self, key: &PropKey) -> Option<PropValue> {
        let i = self.position(key)?;
        let (_, v) = self.items.remove(i);
        // A bag keeps its index once it has one (so `push_new` keeps
        // replacing a present key, as documented).
        if self.has_index() {
            self.build_index();
        }
        Some(v)
    }
}

/// Properties in insertion order, one value per key.
#[derive(Debug, Clone, Default)]
pub struct PropertyBag {
    entries: Entries,
}

impl PartialEq for PropertyBag {
    /// The same properties with the same values, in any order.
    fn eq(&self, other: &PropertyBag) -> bool {
        self.entries.items.len() == other.entries.items.len()
            && self
                .entries
                .items
                .iter()
                .all(|(k, v)| other.entries.get(k) == Some(v))
    }
}

impl PropertyBag {
    /// An empty bag.
    pub fn new() -> PropertyBag {
        PropertyBag::default()
    }

    /// An empty bag with room for `n` properties.
    pub fn with_capacity(n: usize) -> PropertyBag {
        PropertyBag {
            entries: Entries::with_capacity(n),
        }
    }

    /// Makes room for `n` more properties.
    pub fn reserve(&mut self, n: usize) {
        self.entries.items.reserve(n);
    }

    /// Number of properties.
    pub fn len(&self) -> usize {
        self.entries.items.len()
    }

    /// True when the bag holds no property.
    pub fn is_empty(&self) -> bool {
        self.entries.items.is_empty()
    }

    /// The properties in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&PropKey, &PropValue)> {
        self.entries.items.iter().map(|(k, v)| (k, v))
    }

    /// Sets a property by key, whatever the value's type; returns the value
    /// it replaces.
    pub fn insert(&mut self, key: impl Into<PropKey>, value: PropValue) -> Option<PropValue> {
        self.entries.insert(key.into(), value)
    }

    /// Appends a property the bag does not hold yet (building a bag from
    /// distinct keys without searching it). A key already present is
    /// replaced, as [`insert`](Self::insert) does, when the bag has an index;
    /// small bags check in debug builds only.
    pub fn push_new(&mut self, key: impl Into<PropKey>, value: PropValue) {
        let key = key.into();
        if self.entries.has_index() {
            self.entries.insert(key, value);
            return;
        }
        debug_assert!(
            self.entries.position(&key).is_none(),
            "push_new: {key} is present"
        );
        self.entries.push(key, value);
    }

    /// Sets a canonical property, checking that the value has the table's
    /// type.
    pub fn set(&mut self, def: &PropDef, value: impl Into<PropValue>) -> Result<(), Error> {
        let value = value.into();
        if value.prop_type() != def.ptype {
            return Err(Error::TypeMismatch {
                name: def.name,
                expected: def.ptype,
                found: value.prop_type(),
            });
        }
        self.entries.insert(def.key(), value);
        Ok(())
    }

    /// The value of a key.
    pub fn get(&self, key: &PropKey) -> Option<&PropValue> {
        self.entries.get(key)
    }

    /// The value of a canonical property, if it has the table's type.
    pub fn get_def(&self, def: &PropDef) -> Option<&PropValue> {
        self.entries
            .get(&def.key())
            .filter(|v| v.prop_type() == def.ptype)
    }

    /// Removes a property, keeping the order of the others.
    pub fn remove(&mut self, key: &PropKey) -> Option<PropValue> {
        self.entries.shift_remove(key)
    }

    /// A PtypString property.
    pub fn str(&self, def: &PropDef) -> Option<&str> {
        self.get_def(def).and_then(PropValue::as_str)
    }

    /// A PtypInteger32 property.
    pub fn i32(&self, def: &PropDef) -> Option<i32> {
        self.get_def(def).and_then(PropValue::as_i32)
    }

    /// A PtypBoolean property.
    pub fn bool(&self, def: &PropDef) -> Option<bool> {
        self.get_def(def).and_then(PropValue::as_bool)
    }

    /// A PtypTime property.
    pub fn time(&self, def: &PropDef) -> Option<FileTime> {
        self.get_def(def).and_then(PropValue::as_time)
    }

    /// A PtypBinary property.
    pub fn binary(&self, def: &PropDef) -> Option<&[u8]> {
        self.get_def(def).and_then(PropValue::as_binary)
    }

    /// The text of a string property (PtypString, or PtypString8 decoded
    /// with `codepage`), whichever of the two the bag holds.
    pub fn text(&self, def: &PropDef, codepage: u32) -> Option<String> {
        match self.get(&def.key())? {
            PropValue::String(s) => Some(s.as_str().to_owned()),
            PropValue::String8(b) => Some(codepage::decode(b, codepage)),
            _ => None,
        }
    }

    /// The code page of PtypString8 values in this bag:
    /// PidTagMessageCodepage; else the ANSI code page of
    /// PidTagMessageLocaleId; else PidTagInternetCodepage when it is a
    /// Windows code page (not, say, ISO-2022-JP, which Outlook records there
    /// while storing Shift_JIS); else 1252.
    pub fn codepage(&self) -> u32 {
        let int = |id: u16| match self.get(&PropKey::Tag(id)) {
            Some(PropValue::I32(v)) => u32::try_from(*v).ok(),
            _ => None,
        };
        int(0x3FFD)
            .or_else(|| int(0x3FF1).map(codepage::for_locale))
            .or_else(|| int(0x3FDE).filter(|cp| codepage::is_windows_codepage(*cp)))
            .unwrap_or(1252)
    }

    /// True when any value is PtypString or PtypMultipleString.
    pub fn has_unicode_strings(&self) -> bool {
        self.entries
            .items
            .iter()
            .map(|(_, v)| v)
            .any(|v| matches!(v.prop_type(), PropType::STRING | PropType::MULTIPLE_STRING))
    }

    /// True when any value is PtypString8 or PtypMultipleString8.
    pub fn has_string8(&self) -> bool {
        self.entries.items.iter().map(|(_, v)| v).any(|v| {
            matches!(
                v.prop_type(),
                PropType::STRING8 | PropType::MULTIPLE_STRING8
            )
        })
    }
}

impl FromIterator<(PropKey, PropValue)> for PropertyBag {
    fn from_iter<I: IntoIterator<Item = (PropKey, PropValue)>>(iter: I) -> PropertyBag {
        PropertyBag {
            entries: {
                let mut e = Entries::default();
                for (k, v) in iter {
                    e.insert(k, v);
                }
                e
            },
        }
    }
}

/// A MAPI message: properties, recipients (each row a property bag) and
/// attachments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Message {
    /// The message's own properties.
    pub properties: PropertyBag,
    /// The recipient table, in order.
    pub recipients: Vec<PropertyBag>,
    /// The attachments, in order.
    pub attachments: Vec<Attachment>,
}

impl Message {
    /// An empty message.
    pub fn new() -> Message {
        Message::default()
    }

    /// An empty message with PidTagMessageClass set.
    pub fn with_class(class: &str) -> Message {
        let mut m = Message::new();
        m.properties.insert(
            PropKey::Tag(0x001A),
            PropValue::String(class.to_owned().into()),
        );
        m
    }

    /// True when PidTagMessageClass (either string type) is `class`,
    /// ignoring ASCII case; a PtypString class is compared without a copy.
    pub fn has_class(&self, class: &str) -> bool {
        match self.properties.get(&PropKey::Tag(0x001A)) {
            Some(PropValue::String(c)) => c.eq_ignore_ascii_case(class),
            Some(PropValue::String8(_)) => self
                .message_class()
                .is_some_and(|c| c.eq_ignore_ascii_case(class)),
            _ => false,
        }
    }

    /// PidTagMessageClass (either string type).
    pub fn message_class(&self) -> Option<String> {
        let def = props::by_name("PidTagMessageClass")?;
        self.properties.text(def, self.properties.codepage())
    }
}

/// An attachment: its properties (for data by value, PidTagAttachDataBinary
/// holds the bytes) and, for embedded messages and storages, the object.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attachment {
    /// The attachment's own properties.
    pub properties: PropertyBag,
    /// The embedded message or storage (PidTagAttachDataObject), if any.
    pub object: Option<AttachedObject>,
}

impl Attachment {
    /// An attachment by value (PidTagAttachMethod 1).
    pub fn by_value(filename: &str, data: Vec<u8>) -> Attachment {
        let mut properties = PropertyBag::new();
        properties.insert(PropKey::Tag(0x3705), PropValue::I32(1));
        properties.insert(PropKey::Tag(0x3701), PropValue::Binary(data.into()));
        if !filename.is_empty() {
            properties.insert(
                PropKey::Tag(0x3707),
                PropValue::String(filename.to_owned().into()),
            );
            properties.insert(
                PropKey::Tag(0x3001),
                PropValue::String(filename.to_owned().into()),
            );
        }
        Attachment {
            properties,
            object: None,
        }
    }

    /// An embedded-message attachment (PidTagAttachMethod 5).
    pub fn embedded(message: Message) -> Attachment {
        let mut properties = PropertyBag::new();
        properties.insert(PropKey::Tag(0x3705), PropValue::I32(5));
        Attachment {
            properties,
            object: Some(AttachedObject::Message(Box::new(message))),
        }
    }

    /// The embedded message, if there is one.
    pub fn embedded_message(&self) -> Option<&Message> {
        match &self.object {
            Some(AttachedObject::Message(m)) => Some(m),
            _ => None,
        }
    }
}

/// What PidTagAttachDataObject holds.
#[derive(Debug, Clone, PartialEq)]
pub enum AttachedObject {
    /// An embedded message (PidTagAttachMethod 5).
    Message(Box<Message>),
    /// An application-defined storage (PidTagAttachMethod 6), kept as is.
    Storage(Storage),
}

/// A compound-file storage kept opaque: its class ID, streams and child
/// storages, by name. The order of names carries no meaning (compound files
/// keep their own); the .msg reader returns them sorted by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Storage {
    /// The storage's CLSID.
    pub clsid: Guid,
    /// Streams: name and bytes.
    pub streams: Vec<(String, Vec<u8>)>,
    /// Child storages: name and content.
    pub storages: Vec<(String, Storage)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::named::{NamedProperty, sets};

    fn key(i: u32) -> PropKey {
        match i % 3 {
            0 => PropKey::Tag(u16::try_from(i).unwrap_or(0)),
            1 => PropKey::Named(NamedProperty::lid(sets::PSETID_Appointment, i)),
            _ => PropKey::Named(NamedProperty::string(
                sets::PS_PUBLIC_STRINGS,
                format!("name-{i}"),
            )),
        }
    }

    #[test]
    fn bags_find_replace_and_remove_at_every_size() {
        // Across the switch from linear search to the index, and across
        // index rebuilds, every key is found, replaced in place and removed
        // with the order of the others kept.
        for n in [1u32, 15, 16, 17, 40, 300] {
            let mut bag = PropertyBag::new();
            for i in 0..n {
                assert_eq!(bag.insert(key(i), PropValue::I32(i as i32)), None);
            }
            assert_eq!(bag.len(), n as usize);
            for i in 0..n {
                assert_eq!(bag.get(&key(i)), Some(&PropValue::I32(i as i32)));
            }
            assert_eq!(bag.get(&key(n + 1)), None);
            assert_eq!(
                bag.insert(key(0), PropValue::I32(-1)),
                Some(PropValue::I32(0))
            );
            assert_eq!(bag.len(), n as usize);
            for i in (0..n).step_by(2) {
                assert!(bag.remove(&key(i)).is_some());
            }
            for i in 0..n {
                assert_eq!(bag.get(&key(i)).is_some(), i % 2 == 1, "key {i} of {n}");
            }
            let order: Vec<PropKey> = bag.iter().map(|(k, _)| k.clone()).collect();
            let expected: Vec<PropKey> = (0..n).filter(|i| i % 2 == 1).map(key).collect();
            assert_eq!(order, expected);
            // push_new after removals goes through the index when there is one.
            bag.push_new(key(n + 2), PropValue::Bool(true));
            assert_eq!(bag.get(&key(n + 2)), Some(&PropValue::Bool(true)));
            if n > 16 {
                // A bag that had an index keeps it, shrunk or not: push_new
                // of a present key replaces it.
                let len = bag.len();
                bag.push_new(key(1), PropValue::Bool(false));
                assert_eq!(bag.len(), len);
                assert_eq!(bag.get(&key(1)), Some(&PropValue::Bool(false)));
            }
        }
    }
}
