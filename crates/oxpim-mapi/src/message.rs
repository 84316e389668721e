//! Messages: a property bag, a recipient table and attachments.

use crate::named::PropKey;
use crate::props::{self, PropDef};
use crate::types::{FileTime, Guid, PropType};
use crate::value::PropValue;
use crate::{Error, codepage};

/// A fast, non-cryptographic hasher for property keys (the multiply-rotate
/// scheme of rustc's FxHasher). Bags are small and their keys are not
/// chosen by an attacker in a way that matters: a bag is bounded by the
/// reader's limits.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b.get_mut(..chunk.len())
                .map(|d| d.copy_from_slice(chunk))
                .unwrap_or_default();
            self.write_u64(u64::from_le_bytes(b));
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u8(&mut self, v: u8) {
        self.write_u64(u64::from(v));
    }
    fn write_u16(&mut self, v: u16) {
        self.write_u64(u64::from(v));
    }
    fn write_u32(&mut self, v: u32) {
        self.write_u64(u64::from(v));
    }
    fn write_u128(&mut self, v: u128) {
        self.write_u64(v as u64);
        self.write_u64((v >> 64) as u64);
    }
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
}

type BuildKeyHasher = std::hash::BuildHasherDefault<KeyHasher>;

/// Bags up to this size are searched linearly; larger ones get a hash
/// index. Recipient rows and attachments hold about a dozen properties,
/// where comparing keys beats hashing them.
const LINEAR: usize = 16;

/// An insertion-ordered map of properties: a vector, plus a hash index once
/// it is large.
#[derive(Debug, Clone, Default)]
struct Entries {
    items: Vec<(PropKey, PropValue)>,
    index: Option<std::collections::HashMap<PropKey, usize, BuildKeyHasher>>,
}

impl Entries {
    fn with_capacity(n: usize) -> Entries {
        Entries {
            items: Vec::with_capacity(n),
            index: None,
        }
    }

    fn position(&self, key: &PropKey) -> Option<usize> {
        match &self.index {
            Some(ix) => ix.get(key).copied(),
            None => self.items.iter().position(|(k, _)| k == key),
        }
    }

    fn build_index(&mut self) {
        let mut ix = std::collections::HashMap::with_capacity_and_hasher(
            self.items.len() * 2,
            BuildKeyHasher::default(),
        );
        for (i, (k, _)) in self.items.iter().enumerate() {
            ix.insert(k.clone(), i);
        }
        self.index = Some(ix);
    }

    fn insert(&mut self, key: PropKey, value: PropValue) -> Option<PropValue> {
        if let Some(i) = self.position(&key) {
            return self
                .items
                .get_mut(i)
                .map(|slot| std::mem::replace(&mut slot.1, value));
        }
        if let Some(ix) = &mut self.index {
            ix.insert(key.clone(), self.items.len());
        }
        self.items.push((key, value));
        if self.index.is_none() && self.items.len() > LINEAR {
            self.build_index();
        }
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
        if self.index.is_some() {
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
        if self.entries.index.is_some() {
            self.entries.insert(key, value);
            return;
        }
        debug_assert!(
            self.entries.position(&key).is_none(),
            "push_new: {key} is present"
        );
        self.entries.items.push((key, value));
        if self.entries.items.len() > LINEAR {
            self.entries.build_index();
        }
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
            PropValue::String(s) => Some(s.clone()),
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
        m.properties
            .insert(PropKey::Tag(0x001A), PropValue::String(class.to_owned()));
        m
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
        properties.insert(PropKey::Tag(0x3701), PropValue::Binary(data));
        if !filename.is_empty() {
            properties.insert(PropKey::Tag(0x3707), PropValue::String(filename.to_owned()));
            properties.insert(PropKey::Tag(0x3001), PropValue::String(filename.to_owned()));
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
