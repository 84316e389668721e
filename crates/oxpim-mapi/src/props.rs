//! Canonical property names (PidTag…, PidLid…, PidName…), both ways.
//!
//! The table lives in `data/properties.tsv`; `cargo xtask gen-names` turns it
//! into `src/generated.rs` (one constant per property and the list behind
//! the lookups). A test in xtask fails when the two disagree.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::named::{NamedProperty, PropKey, PropName};
use crate::types::{Guid, PropTag, PropType};

pub use crate::generated::*;

/// How a canonical property is identified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PropId {
    /// A tagged property's ID.
    Tag(u16),
    /// A numeric named property: set and LID.
    Lid(Guid, u32),
    /// A string-named property: set and name.
    Name(Guid, &'static str),
}

/// A property of the canonical table: name, identity and type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PropDef {
    /// The canonical name, `PidTagSubject`.
    pub name: &'static str,
    /// The tag ID, or the named-property identity.
    pub id: PropId,
    /// The property type.
    pub ptype: PropType,
}

impl PropDef {
    /// The key of this property in a [`crate::PropertyBag`].
    pub fn key(&self) -> PropKey {
        match self.id {
            PropId::Tag(id) => PropKey::Tag(id),
            PropId::Lid(set, lid) => PropKey::Named(NamedProperty::lid(set, lid)),
            PropId::Name(set, name) => PropKey::Named(NamedProperty::string(set, name)),
        }
    }

    /// The full tag, for a tagged property.
    pub fn tag(&self) -> Option<PropTag> {
        match self.id {
            PropId::Tag(id) => Some(PropTag::new(id, self.ptype)),
            _ => None,
        }
    }
}

impl From<&PropDef> for PropKey {
    fn from(d: &PropDef) -> PropKey {
        d.key()
    }
}

/// Every property of the canonical table, sorted by name.
pub fn all() -> &'static [PropDef] {
    crate::generated::ALL
}

/// The property with this canonical name (exact spelling).
pub fn by_name(name: &str) -> Option<&'static PropDef> {
    let all = all();
    all.binary_search_by(|d| d.name.cmp(name))
        .ok()
        .and_then(|i| all.get(i))
}

struct Index {
    tags: HashMap<u32, &'static PropDef>,
    tag_ids: HashMap<u16, &'static PropDef>,
    lids: HashMap<(Guid, u32), &'static PropDef>,
    names: HashMap<Guid, HashMap<&'static str, &'static PropDef>>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut ix = Index {
            tags: HashMap::new(),
            tag_ids: HashMap::new(),
            lids: HashMap::new(),
            names: HashMap::new(),
        };
        for d in all() {
            match d.id {
                PropId::Tag(id) => {
                    ix.tags.insert(PropTag::new(id, d.ptype).0, d);
                    ix.tag_ids.entry(id).or_insert(d);
                }
                PropId::Lid(set, lid) => {
                    ix.lids.insert((set, lid), d);
                }
                PropId::Name(set, name) => {
                    ix.names.entry(set).or_default().insert(name, d);
                }
            }
        }
        ix
    })
}

/// The canonical property of a tag. A PtypString8 tag finds the PtypString
/// entry of the same ID (the table lists the Unicode form); any other type
/// mismatch finds nothing.
pub fn by_tag(tag: PropTag) -> Option<&'static PropDef> {
    let ix = index();
    if let Some(d) = ix.tags.get(&tag.0) {
        return Some(d);
    }
    let ty = tag.prop_type();
    let unicode = match ty {
        PropType::STRING8 => PropType::STRING,
        PropType::MULTIPLE_STRING8 => PropType::MULTIPLE_STRING,
        _ => return None,
    };
    ix.tags.get(&PropTag::new(tag.id(), unicode).0).copied()
}

/// The canonical property of a named property (any type).
pub fn by_named(n: &NamedProperty) -> Option<&'static PropDef> {
    let ix = index();
    match &n.name {
        PropName::Lid(lid) => ix.lids.get(&(n.set, *lid)).copied(),
        PropName::String(s) => ix.names.get(&n.set)?.get(&**s).copied(),
    }
}

/// The canonical property of a bag key and value type: for tags, the entry
/// of [`by_tag`], else the first listed for the ID; for named properties,
/// [`by_named`].
pub fn by_key(key: &PropKey, ptype: PropType) -> Option<&'static PropDef> {
    match key {
        PropKey::Tag(id) => {
            by_tag(PropTag::new(*id, ptype)).or_else(|| index().tag_ids.get(id).copied())
        }
        PropKey::Named(n) => by_named(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::named::sets;

    #[test]
    fn lookups_both_ways() {
        let d = by_name("PidTagSubject").unwrap();
        assert_eq!(d.tag(), Some(PropTag(0x0037_001F)));
        assert_eq!(by_tag(PropTag(0x0037_001F)).unwrap().name, "PidTagSubject");
        assert_eq!(by_tag(PropTag(0x0037_001E)).unwrap().name, "PidTagSubject");
        assert!(by_tag(PropTag(0x0037_0003)).is_none());
        let s = by_name("PidLidAppointmentStartWhole").unwrap();
        assert_eq!(s.id, PropId::Lid(sets::PSETID_Appointment, 0x820D));
        assert_eq!(s.ptype, PropType::TIME);
        assert_eq!(
            by_named(&NamedProperty::lid(sets::PSETID_Appointment, 0x820D))
                .unwrap()
                .name,
            "PidLidAppointmentStartWhole"
        );
        let k = by_named(&NamedProperty::string(sets::PS_PUBLIC_STRINGS, "Keywords")).unwrap();
        assert_eq!(k.name, "PidNameKeywords");
        assert_eq!(k.ptype, PropType::MULTIPLE_STRING);
        assert!(by_name("PidTagNoSuchThing").is_none());
        // The same ID in two types keeps both names apart.
        assert_eq!(
            by_tag(PropTag(0x3701_0102)).unwrap().name,
            "PidTagAttachDataBinary"
        );
        assert_eq!(
            by_tag(PropTag(0x3701_000D)).unwrap().name,
            "PidTagAttachDataObject"
        );
    }

    #[test]
    fn table_is_consistent() {
        let all = all();
        assert!(all.len() > 150, "only {} properties", all.len());
        assert!(
            all.windows(2).all(|w| w[0].name < w[1].name),
            "sorted, unique"
        );
        for d in all {
            let prefix = match d.id {
                PropId::Tag(id) => {
                    assert!(id < 0x8000 || d.name.starts_with("PidTag"), "{}", d.name);
                    "PidTag"
                }
                PropId::Lid(..) => "PidLid",
                PropId::Name(..) => "PidName",
            };
            assert!(d.name.starts_with(prefix), "{} is not {prefix}…", d.name);
            assert!(d.ptype.name().is_some(), "{}: unknown type", d.name);
            assert_eq!(by_name(d.name), Some(d));
            assert_eq!(by_key(&d.key(), d.ptype), Some(d), "{}", d.name);
        }
    }
}
