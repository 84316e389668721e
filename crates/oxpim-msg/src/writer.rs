//! The .msg writer: a [`Message`] to compound-file bytes, reproducibly.

use std::io::{Cursor, Write};
use std::time::{Duration, SystemTime};

use cfb::{CompoundFile, Version};
use oxpim_mapi::{
    AttachedObject, Message, PropKey, PropTag, PropType, PropValue, PropertyBag, Storage,
};

use crate::layout::{Level, utf16le};
use crate::nameid;
use crate::{MAX_DEPTH, MAX_ROWS, PROPS_STREAM, WriteError};

type Cfb = CompoundFile<Cursor<Vec<u8>>>;

/// CLSID of a .msg root storage ("Outlook 97-2003 Item File").
pub const MSG_CLSID: u128 = 0x00020D0B_0000_0000_C000_000000000046;

/// PidTagStoreSupportMask's STORE_UNICODE_OK bit.
pub const STORE_UNICODE_OK: i32 = 0x0004_0000;

/// PROPATTR_READABLE | PROPATTR_WRITABLE.
const FLAGS: u32 = 6;

/// The FILETIME 0 (1601-01-01) as a `SystemTime`: every storage gets it, so
/// that the same message always gives the same bytes.
fn epoch_1601() -> SystemTime {
    SystemTime::UNIX_EPOCH
        .checked_sub(Duration::from_secs(11_644_473_600))
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

/// Writes a message as .msg bytes (see the crate documentation for the
/// rules).
pub fn to_bytes(message: &Message) -> Result<Vec<u8>, WriteError> {
    let mut names = nameid::Builder::default();
    collect_names(message, &mut names, 0)?;
    let mut cf = CompoundFile::create_with_version(Version::V3, Cursor::new(Vec::new()))?;
    cf.set_storage_clsid("/", uuid::Uuid::from_u128(MSG_CLSID))?;
    let t0 = epoch_1601();
    cf.set_created_time("/", t0)?;
    cf.set_modified_time("/", t0)?;
    let mut w = Writer { cf, names, t0 };
    w.message("", message, Level::Top, 0)?;
    w.storage_dir(nameid::STORAGE)?;
    for (name, bytes) in w.names.streams() {
        w.stream(&format!("{}/{name}", nameid::STORAGE), &bytes)?;
    }
    w.cf.flush()?;
    Ok(w.cf.into_inner().into_inner())
}

/// Assigns named-property IDs in a canonical order: sorted by set and name
/// over the whole message tree, so that insertion order does not change the
/// bytes.
fn collect_names(m: &Message, names: &mut nameid::Builder, depth: usize) -> Result<(), WriteError> {
    if depth > MAX_DEPTH {
        return Err(WriteError::TooDeep(MAX_DEPTH));
    }
    let mut all = Vec::new();
    gather(m, &mut all, depth)?;
    all.sort();
    all.dedup();
    for n in all {
        names.id(&n).ok_or(WriteError::TooManyNamedProperties)?;
    }
    Ok(())
}

fn gather(
    m: &Message,
    out: &mut Vec<oxpim_mapi::NamedProperty>,
    depth: usize,
) -> Result<(), WriteError> {
    if depth > MAX_DEPTH {
        return Err(WriteError::TooDeep(MAX_DEPTH));
    }
    let bags = std::iter::once(&m.properties)
        .chain(&m.recipients)
        .chain(m.attachments.iter().map(|a| &a.properties));
    for bag in bags {
        for (k, v) in bag.iter() {
            if let PropKey::Named(n) = k
                && !is_left_out(v)
            {
                out.push(n.clone());
            }
        }
    }
    for a in &m.attachments {
        if let Some(AttachedObject::Message(e)) = &a.object {
            gather(e, out, depth + 1)?;
        }
    }
    Ok(())
}

struct Writer {
    cf: Cfb,
    names: nameid::Builder,
    t0: SystemTime,
}

/// One entry of a property stream, with the streams it needs.
struct Entry {
    tag: PropTag,
    /// The 8 bytes after the flags.
    value: [u8; 8],
    streams: Vec<(String, Vec<u8>)>,
}

impl Writer {
    fn storage_dir(&mut self, path: &str) -> Result<(), WriteError> {
        self.cf.create_storage(path)?;
        self.cf.set_created_time(path, self.t0)?;
        self.cf.set_modified_time(path, self.t0)?;
        Ok(())
    }

    fn stream(&mut self, path: &str, bytes: &[u8]) -> Result<(), WriteError> {
        let mut s = self.cf.create_new_stream(path)?;
        s.write_all(bytes)?;
        s.flush()?;
        Ok(())
    }

    fn message(
        &mut self,
        dir: &str,
        m: &Message,
        level: Level,
        depth: usize,
    ) -> Result<(), WriteError> {
        if depth > MAX_DEPTH {
            return Err(WriteError::TooDeep(MAX_DEPTH));
        }
        if m.recipients.len() > MAX_ROWS || m.attachments.len() > MAX_ROWS {
            return Err(WriteError::TooManyRows(MAX_ROWS));
        }
        let bags = std::iter::once(&m.properties)
            .chain(&m.recipients)
            .chain(m.attachments.iter().map(|a| &a.properties));
        let (mut unicode, mut ansi) = (false, false);
        for b in bags {
            unicode |= b.has_unicode_strings();
            ansi |= b.has_string8();
        }
        if unicode && ansi {
            return Err(WriteError::MixedStringTypes);
        }
        let mut props = m.properties.clone();
        let mask_key = PropKey::Tag(0x340D);
        match props.get(&mask_key) {
            Some(PropValue::I32(mask)) if ansi && mask & STORE_UNICODE_OK != 0 => {
                return Err(WriteError::MixedStringTypes);
            }
            Some(PropValue::I32(mask)) if !ansi && mask & STORE_UNICODE_OK == 0 => {
                let mask = mask | STORE_UNICODE_OK;
                props.insert(mask_key, PropValue::I32(mask));
            }
            Some(PropValue::I32(_)) => {}
            _ if !ansi => {
                props.insert(mask_key, PropValue::I32(STORE_UNICODE_OK));
            }
            _ => {
                props.remove(&mask_key);
            }
        }
        let rows = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        // 8 reserved bytes, next recipient/attachment IDs, the two counts,
        // and (top level only) 8 more reserved bytes.
        let mut header = vec![0u8; 8];
        let (r, a) = (rows(m.recipients.len()), rows(m.attachments.len()));
        for v in [r, a, r, a] {
            header.extend_from_slice(&v.to_le_bytes());
        }
        header.resize(level.header_len(), 0);
        self.properties(dir, &props, header, None)?;
        for (i, r) in m.recipients.iter().enumerate() {
            let sub = format!("{dir}/__recip_version1.0_#{i:08X}");
            self.storage_dir(&sub)?;
            self.properties(&sub, r, vec![0; Level::Row.header_len()], None)?;
        }
        for (i, a) in m.attachments.iter().enumerate() {
            let sub = format!("{dir}/__attach_version1.0_#{i:08X}");
            self.storage_dir(&sub)?;
            let object = match &a.object {
                None => None,
                Some(AttachedObject::Message(_)) => Some(1),
                Some(AttachedObject::Storage(_)) => Some(4),
            };
            if object.is_some() && a.properties.get(&PropKey::Tag(0x3701)).is_some() {
                return Err(WriteError::AttachmentDataTwice(i));
            }
            let want = match &a.object {
                None => None,
                Some(AttachedObject::Message(_)) => Some(5),
                Some(AttachedObject::Storage(_)) => Some(6),
            };
            let method_key = PropKey::Tag(0x3705);
            let mut bag = std::borrow::Cow::Borrowed(&a.properties);
            match (a.properties.get(&method_key), want) {
                (Some(PropValue::I32(m)), Some(w)) if *m != w => {
                    return Err(WriteError::AttachMethod(i, *m));
                }
                (None, Some(w)) => {
                    bag.to_mut().insert(method_key, PropValue::I32(w));
                }
                _ => {}
            }
            self.properties(&sub, &bag, vec![0; Level::Row.header_len()], object)?;
            let obj = format!("{sub}/__substg1.0_3701000D");
            match &a.object {
                None => {}
                Some(AttachedObject::Message(e)) => {
                    self.storage_dir(&obj)?;
                    self.message(&obj, e, Level::Embedded, depth + 1)?;
                }
                Some(AttachedObject::Storage(s)) => self.custom_storage(&obj, s, depth + 1)?,
            }
        }
        Ok(())
    }

    fn custom_storage(&mut self, path: &str, s: &Storage, depth: usize) -> Result<(), WriteError> {
        if depth > MAX_DEPTH {
            return Err(WriteError::TooDeep(MAX_DEPTH));
        }
        self.storage_dir(path)?;
        self.cf
            .set_storage_clsid(path, uuid::Uuid::from_u128(s.clsid.0))?;
        for (name, bytes) in &s.streams {
            self.stream(&format!("{path}/{name}"), bytes)?;
        }
        for (name, child) in &s.storages {
            self.custom_storage(&format!("{path}/{name}"), child, depth + 1)?;
        }
        Ok(())
    }

    /// Writes a property stream and its value streams. `object` is the
    /// Reserved value of a PtypObject entry for PidTagAttachDataObject.
    fn properties(
        &mut self,
        dir: &str,
        bag: &PropertyBag,
        mut out: Vec<u8>,
        object: Option<u32>,
    ) -> Result<(), WriteError> {
        let mut entries = Vec::with_capacity(bag.len() + 1);
        for (key, value) in bag.iter() {
            if is_left_out(value) {
                continue;
            }
            let id = match key {
                PropKey::Tag(id) if *id < 0x8000 => *id,
                PropKey::Tag(id) => return Err(WriteError::TagInNamedRange(*id)),
                PropKey::Named(n) => self.names.id(n).ok_or(WriteError::TooManyNamedProperties)?,
            };
            if let Some(e) = encode(PropTag::new(id, value.prop_type()), value)? {
                entries.push(e);
            }
        }
        if let Some(reserved) = object {
            let mut value = [0u8; 8];
            value[..4].copy_from_slice(&u32::MAX.to_le_bytes());
            value[4..].copy_from_slice(&reserved.to_le_bytes());
            entries.push(Entry {
                tag: PropTag::new(0x3701, PropType::OBJECT),
                value,
                streams: Vec::new(),
            });
        }
        entries.sort_by_key(|e| e.tag);
        for e in &entries {
            out.extend_from_slice(&e.tag.0.to_le_bytes());
            out.extend_from_slice(&FLAGS.to_le_bytes());
            out.extend_from_slice(&e.value);
        }
        let base = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        self.stream(&format!("{base}{PROPS_STREAM}"), &out)?;
        for e in entries {
            for (name, bytes) in e.streams {
                self.stream(&format!("{base}{name}"), &bytes)?;
            }
        }
        Ok(())
    }
}

/// Values the writer leaves out: empty strings (MS-OXMSG requires at least
/// one character, and Outlook refuses files with empty string streams).
fn is_left_out(v: &PropValue) -> bool {
    match v {
        PropValue::String(s) => s.is_empty(),
        PropValue::String8(b) => b.is_empty(),
        _ => false,
    }
}

fn size32(n: usize) -> Result<u32, WriteError> {
    u32::try_from(n).map_err(|_| WriteError::TooLarge)
}

/// The entry of one value; `None` for values that are not written (empty
/// strings: MS-OXMSG requires at least one character, and Outlook refuses
/// files with empty string streams).
fn encode(tag: PropTag, v: &PropValue) -> Result<Option<Entry>, WriteError> {
    let stream_name = format!("__substg1.0_{:08X}", tag.0);
    let mut value = [0u8; 8];
    let mut put = |bytes: &[u8]| {
        for (d, s) in value.iter_mut().zip(bytes) {
            *d = *s;
        }
    };
    let mut streams = Vec::new();
    let mut variable = |data: Vec<u8>, size: usize| -> Result<[u8; 8], WriteError> {
        let mut v = [0u8; 8];
        v[..4].copy_from_slice(&size32(size)?.to_le_bytes());
        streams.push((stream_name.clone(), data));
        Ok(v)
    };
    fn packed<T: Copy, const N: usize>(xs: &[T], f: impl Fn(T) -> [u8; N]) -> Vec<u8> {
        xs.iter().flat_map(|x| f(*x)).collect()
    }
    match v {
        PropValue::Null => {}
        PropValue::I16(x) => put(&x.to_le_bytes()),
        PropValue::I32(x) => put(&x.to_le_bytes()),
        PropValue::F32(x) => put(&x.to_le_bytes()),
        PropValue::F64(x) | PropValue::FloatingTime(x) => put(&x.to_le_bytes()),
        PropValue::Currency(x) | PropValue::I64(x) => put(&x.to_le_bytes()),
        PropValue::ErrorCode(x) => put(&x.to_le_bytes()),
        PropValue::Bool(x) => put(&[u8::from(*x)]),
        PropValue::Time(t) => put(&t.0.to_le_bytes()),
        _ if is_left_out(v) => return Ok(None),
        PropValue::String(s) => {
            let data = utf16le(s);
            let n = data.len() + 2;
            value = variable(data, n)?;
        }
        PropValue::String8(b) => {
            let n = b.len() + 1;
            value = variable(b.clone(), n)?;
        }
        PropValue::Guid(g) => value = variable(g.to_le_bytes().to_vec(), 16)?,
        PropValue::ServerId(b) => value = variable(b.clone(), b.len())?,
        PropValue::Binary(b) => value = variable(b.to_vec(), b.len())?,
        PropValue::Unknown { ptype, .. }
            if ptype.name().is_some() && ptype.0 != 0x00FD && ptype.0 != 0x00FE =>
        {
            return Err(WriteError::UnknownOfKnownType(*ptype));
        }
        PropValue::Unknown { bytes, inline, .. } => {
            if *inline && bytes.len() <= 8 {
                put(bytes);
            } else {
                value = variable(bytes.clone(), bytes.len())?;
            }
        }
        PropValue::MvI16(x) => value = fixed_mv(&mut variable, packed(x, i16::to_le_bytes))?,
        PropValue::MvI32(x) => value = fixed_mv(&mut variable, packed(x, i32::to_le_bytes))?,
        PropValue::MvF32(x) => value = fixed_mv(&mut variable, packed(x, f32::to_le_bytes))?,
        PropValue::MvF64(x) | PropValue::MvFloatingTime(x) => {
            value = fixed_mv(&mut variable, packed(x, f64::to_le_bytes))?;
        }
        PropValue::MvCurrency(x) | PropValue::MvI64(x) => {
            value = fixed_mv(&mut variable, packed(x, i64::to_le_bytes))?;
        }
        PropValue::MvTime(x) => {
            let data = x.iter().flat_map(|t| t.0.to_le_bytes()).collect();
            value = fixed_mv(&mut variable, data)?;
        }
        PropValue::MvGuid(x) => {
            let data = x.iter().flat_map(|g| g.to_le_bytes()).collect();
            value = fixed_mv(&mut variable, data)?;
        }
        PropValue::MvString(x) => {
            let items = x.iter().map(|s| {
                let mut b = utf16le(s);
                b.extend_from_slice(&[0, 0]);
                b
            });
            return var_mv(tag, stream_name, items.collect(), 4).map(Some);
        }
        PropValue::MvString8(x) => {
            let items = x.iter().map(|s| {
                let mut b = s.clone();
                b.push(0);
                b
            });
            return var_mv(tag, stream_name, items.collect(), 4).map(Some);
        }
        PropValue::MvBinary(x) => return var_mv(tag, stream_name, x.clone(), 8).map(Some),
    }
    Ok(Some(Entry {
        tag,
        value,
        streams,
    }))
}

fn fixed_mv(
    variable: &mut impl FnMut(Vec<u8>, usize) -> Result<[u8; 8], WriteError>,
    data: Vec<u8>,
) -> Result<[u8; 8], WriteError> {
    let n = data.len();
    variable(data, n)
}

/// A variable-length multi-valued property: a length stream (entries of
/// `width` bytes: the length, then zero padding) and one stream per value.
fn var_mv(
    tag: PropTag,
    base: String,
    items: Vec<Vec<u8>>,
    width: usize,
) -> Result<Entry, WriteError> {
    let mut lengths = Vec::with_capacity(items.len() * width);
    let mut streams = Vec::with_capacity(items.len() + 1);
    for (i, item) in items.into_iter().enumerate() {
        lengths.extend_from_slice(&size32(item.len())?.to_le_bytes());
        lengths.resize(lengths.len() + width - 4, 0);
        streams.push((format!("{base}-{i:08X}"), item));
    }
    let mut value = [0u8; 8];
    value[..4].copy_from_slice(&size32(lengths.len())?.to_le_bytes());
    streams.insert(0, (base, lengths));
    Ok(Entry {
        tag,
        value,
        streams,
    })
}
