//! The named-property mapping storage `__nameid_version1.0` (MS-OXMSG
//! 2.2.3): property IDs 0x8000… ⇄ (set, LID or string name).

use std::collections::HashMap;

use oxpim_mapi::{Guid, NamedProperty, PropName, sets};

use crate::layout::{le16, le32, utf16le};

/// Path of the mapping storage.
pub const STORAGE: &str = "__nameid_version1.0";
/// The GUID stream.
pub const GUID_STREAM: &str = "__substg1.0_00020102";
/// The entry stream.
pub const ENTRY_STREAM: &str = "__substg1.0_00030102";
/// The string stream.
pub const STRING_STREAM: &str = "__substg1.0_00040102";

/// Longest string name read from a mapping storage, in bytes.
pub const MAX_NAME_BYTES: usize = 4096;

/// Most named properties one file can map (IDs 0x8000–0xFFFE).
pub const MAX_NAMED: usize = 0x7FFF;

/// The CRC-32 of MS-OXMSG name hashing (as MS-OXRTFCP): reflected
/// polynomial 0xEDB88320, initial value 0, no final XOR.
pub use oxpim_mapi::rtf::crc32;

/// The hash key of a name: the LID, or the CRC-32 of the UTF-16LE string
/// name (lower-cased first in PS_INTERNET_HEADERS, as Outlook does).
fn hash_key(n: &NamedProperty) -> u32 {
    match &n.name {
        PropName::Lid(l) => *l,
        PropName::String(s) if n.set == sets::PS_INTERNET_HEADERS => {
            crc32(&utf16le(&s.to_lowercase()))
        }
        PropName::String(s) => crc32(&utf16le(s)),
    }
}

/// The bucket stream ID (0x1000–0x101E) of a name with a GUID index.
pub fn bucket(key: u32, guid_index: u32, is_string: bool) -> u32 {
    0x1000 + ((key ^ ((guid_index << 1) | u32::from(is_string))) % 0x1F)
}

/// The streams of a mapping storage, built from named properties in the
/// order of their IDs.
#[derive(Debug, Default)]
pub struct Builder {
    ids: HashMap<NamedProperty, u16>,
    guids: Vec<Guid>,
    entries: Vec<u8>,
    strings: Vec<u8>,
    buckets: Vec<(u32, Vec<u8>)>,
}

impl Builder {
    /// The ID of a named property, assigning the next one on first use;
    /// `None` when all 0x7FFF IDs are taken.
    pub fn id(&mut self, n: &NamedProperty) -> Option<u16> {
        if let Some(id) = self.ids.get(n) {
            return Some(*id);
        }
        let index = self.ids.len();
        if index >= MAX_NAMED {
            return None;
        }
        let id = 0x8000 + u16::try_from(index).ok()?;
        let guid_index = match n.set {
            sets::PS_MAPI => 1,
            sets::PS_PUBLIC_STRINGS => 2,
            g => {
                let pos = match self.guids.iter().position(|x| *x == g) {
                    Some(p) => p,
                    None => {
                        self.guids.push(g);
                        self.guids.len() - 1
                    }
                };
                // The GUID index has 15 bits.
                let g = 3 + u32::try_from(pos).ok()?;
                if g > 0x7FFF {
                    return None;
                }
                g
            }
        };
        let is_string = matches!(n.name, PropName::String(_));
        let ident = match &n.name {
            PropName::Lid(l) => *l,
            PropName::String(s) => {
                let offset = u32::try_from(self.strings.len()).ok()?;
                let bytes = utf16le(s);
                self.strings
                    .extend_from_slice(&u32::try_from(bytes.len()).ok()?.to_le_bytes());
                self.strings.extend_from_slice(&bytes);
                while !self.strings.len().is_multiple_of(4) {
                    self.strings.push(0);
                }
                offset
            }
        };
        let index_kind =
            (u32::try_from(index).ok()? << 16) | (guid_index << 1) | u32::from(is_string);
        self.entries.extend_from_slice(&ident.to_le_bytes());
        self.entries.extend_from_slice(&index_kind.to_le_bytes());
        let key = hash_key(n);
        let b = bucket(key, guid_index, is_string);
        let slot = match self.buckets.iter().position(|(id, _)| *id == b) {
            Some(p) => p,
            None => {
                self.buckets.push((b, Vec::new()));
                self.buckets.len() - 1
            }
        };
        if let Some((_, bytes)) = self.buckets.get_mut(slot) {
            bytes.extend_from_slice(&key.to_le_bytes());
            bytes.extend_from_slice(&index_kind.to_le_bytes());
        }
        self.ids.insert(n.clone(), id);
        Some(id)
    }

    /// The streams to write: (name, bytes), the three mandatory ones first,
    /// then the buckets in ID order.
    pub fn streams(&self) -> Vec<(String, Vec<u8>)> {
        let mut out = vec![
            (
                GUID_STREAM.to_owned(),
                self.guids.iter().flat_map(|g| g.to_le_bytes()).collect(),
            ),
            (ENTRY_STREAM.to_owned(), self.entries.clone()),
            (STRING_STREAM.to_owned(), self.strings.clone()),
        ];
        let mut buckets = self.buckets.clone();
        buckets.sort_by_key(|(id, _)| *id);
        for (id, bytes) in buckets {
            out.push((format!("__substg1.0_{:08X}", (id << 16) | 0x0102), bytes));
        }
        out
    }
}

/// Why a mapping storage could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapError(pub String);

/// Reads the entry, GUID and string streams into a table indexed by
/// `id - 0x8000`. Entries that cannot be resolved are `None` and reported
/// in `warnings`.
pub fn parse(
    guids: &[u8],
    entries: &[u8],
    strings: &[u8],
    warnings: &mut Vec<String>,
) -> Result<Vec<Option<NamedProperty>>, MapError> {
    if !guids.len().is_multiple_of(16) {
        warnings.push(format!(
            "name map: GUID stream of {} bytes is not a multiple of 16",
            guids.len()
        ));
    }
    if !entries.len().is_multiple_of(8) {
        warnings.push(format!(
            "name map: entry stream of {} bytes is not a multiple of 8",
            entries.len()
        ));
    }
    if entries.len() / 8 > MAX_NAMED {
        return Err(MapError(format!(
            "name map: {} entries, more than the {MAX_NAMED} IDs that exist",
            entries.len() / 8
        )));
    }
    let guid_list: Vec<Guid> = guids
        .chunks_exact(16)
        .filter_map(|c| <[u8; 16]>::try_from(c).ok().map(Guid::from_le_bytes))
        .collect();
    let mut out = Vec::with_capacity(entries.len() / 8);
    for (i, e) in entries.chunks_exact(8).enumerate() {
        // chunks_exact gives 8 bytes.
        let (ident, v) = (le32(e, 0), le32(e, 4));
        let kind_string = v & 1 == 1;
        let guid_index = (v >> 1) & 0x7FFF;
        let prop_index = (v >> 16) as usize;
        if prop_index != i {
            warnings.push(format!(
                "name map: entry {i} says it is property index {prop_index}"
            ));
        }
        let set = match guid_index {
            1 => Some(sets::PS_MAPI),
            2 => Some(sets::PS_PUBLIC_STRINGS),
            g => (g as usize)
                .checked_sub(3)
                .and_then(|k| guid_list.get(k).copied()),
        };
        let Some(set) = set else {
            warnings.push(format!(
                "name map: entry {i} has GUID index {guid_index}, out of range"
            ));
            out.push(None);
            continue;
        };
        let name = if kind_string {
            match read_name(strings, ident) {
                Ok(s) => PropName::String(s.into()),
                Err(why) => {
                    warnings.push(format!("name map: entry {i}: {why}"));
                    out.push(None);
                    continue;
                }
            }
        } else {
            PropName::Lid(ident)
        };
        out.push(Some(NamedProperty { set, name }));
    }
    Ok(out)
}

fn read_name(strings: &[u8], offset: u32) -> Result<String, String> {
    let start = offset as usize;
    if !start.is_multiple_of(4) {
        return Err(format!("string offset {offset} is not 4-aligned"));
    }
    let len_bytes = strings
        .get(start..start.saturating_add(4))
        .ok_or_else(|| format!("string offset {offset} beyond the string stream"))?;
    let len = le32(len_bytes, 0) as usize;
    if len > MAX_NAME_BYTES {
        return Err(format!(
            "string name of {len} bytes, longer than {MAX_NAME_BYTES}"
        ));
    }
    let body = strings
        .get(start + 4..(start + 4).saturating_add(len))
        .ok_or_else(|| format!("string of {len} bytes at {offset} runs past the stream"))?;
    if !len.is_multiple_of(2) {
        return Err(format!("string length {len} is odd"));
    }
    let units: Vec<u16> = body.chunks_exact(2).map(|c| le16(c, 0)).collect();
    Ok(String::from_utf16_lossy(&units))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_and_bucket_vectors() {
        // MS-OXMSG reference vectors (reference/mapi-contact-msg.md §4.9).
        assert_eq!(crc32(&utf16le("Keywords")), 0x2EDA_4D3B);
        assert_eq!(crc32(&utf16le("content-type")), 0x0450_B859);
        assert_eq!(crc32(&utf16le("content-class")), 0xE600_8F65);
        assert_eq!(crc32(&utf16le("x-ms-has-attach")), 0xCE52_1DF5);
        assert_eq!(bucket(0x2EDA_4D3B, 2, true), 0x1015);
        assert_eq!(bucket(0xE600_8F65, 2, true), 0x1016);
        assert_eq!(bucket(0xE600_8F65, 3, true), 0x1018);
        for (lid, want) in [
            (0x8083, 0x100A),
            (0x8082, 0x1009),
            (0x8080, 0x100B),
            (0x8084, 0x1007),
            (0x8005, 0x1004),
            (0x8006, 0x1001),
            (0x8028, 0x1010),
            (0x8029, 0x1011),
            (0x8062, 0x1008),
        ] {
            assert_eq!(bucket(lid, 3, false), want, "LID {lid:#x}");
        }
        // The spec's worked example: LID 0x811C with GUID index 4.
        assert_eq!(bucket(0x811C, 4, false), 0x101D);
    }

    #[test]
    fn build_and_parse() {
        let mut b = Builder::default();
        let email = NamedProperty::lid(sets::PSETID_Address, 0x8083);
        let kw = NamedProperty::string(sets::PS_PUBLIC_STRINGS, "Keywords");
        let task = NamedProperty::lid(sets::PSETID_Task, 0x811C);
        assert_eq!(b.id(&email), Some(0x8000));
        assert_eq!(b.id(&kw), Some(0x8001));
        assert_eq!(b.id(&task), Some(0x8002));
        assert_eq!(b.id(&email), Some(0x8000));
        let s = b.streams();
        let get = |n: &str| {
            s.iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        // Entry bytes as in the reference's probe: LID 0x8083, v = 6.
        assert_eq!(&get(ENTRY_STREAM)[0..8], &[0x83, 0x80, 0, 0, 6, 0, 0, 0]);
        // Keywords: string offset 0, GUID index 2, kind 1, index 1.
        assert_eq!(&get(ENTRY_STREAM)[8..16], &[0, 0, 0, 0, 5, 0, 1, 0]);
        assert_eq!(&get(STRING_STREAM)[0..4], &[16, 0, 0, 0]);
        assert_eq!(get(GUID_STREAM).len(), 32);
        assert_eq!(
            get("__substg1.0_10150102"),
            [0x3B, 0x4D, 0xDA, 0x2E, 5, 0, 1, 0]
        );
        let mut w = Vec::new();
        let map = parse(
            &get(GUID_STREAM),
            &get(ENTRY_STREAM),
            &get(STRING_STREAM),
            &mut w,
        )
        .unwrap();
        assert_eq!(map, vec![Some(email), Some(kw), Some(task)]);
        assert!(w.is_empty());
    }

    #[test]
    fn hostile_maps_give_warnings() {
        let mut w = Vec::new();
        // GUID index 9 with an empty GUID stream; string offset past the end.
        let entries = [0, 0, 0, 0, 18, 0, 0, 0, 40, 0, 0, 0, 5, 0, 1, 0];
        let map = parse(&[], &entries, &[4, 0, 0, 0], &mut w).unwrap();
        assert_eq!(map, vec![None, None]);
        assert_eq!(w.len(), 2, "{w:?}");
        let huge = vec![0u8; 8 * (MAX_NAMED + 1)];
        assert!(parse(&[], &huge, &[], &mut w).is_err());
    }
}
