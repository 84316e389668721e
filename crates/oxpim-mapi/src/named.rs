//! Named properties: a property set GUID plus a numeric LID or a string name.

use std::fmt;

use crate::types::Guid;

/// The well-known property sets (MS-OXPROPS 1.3.2).
pub mod sets {
    // The constants keep Microsoft's spelling (PSETID_Appointment).
    #![allow(non_upper_case_globals)]
    use crate::types::Guid;

    macro_rules! sets {
        ($( $(#[$doc:meta])* $konst:ident = $value:literal; )*) => {
            $( $(#[$doc])* pub const $konst: Guid = Guid($value); )*

            /// Every set listed here with its symbolic name, in this order.
            pub const ALL: &[(&str, Guid)] = &[$((stringify!($konst), Guid($value))),*];
        };
    }

    sets! {
        /// PS_MAPI: named aliases of tagged properties.
        PS_MAPI = 0x00020328_0000_0000_C000_000000000046;
        /// PS_PUBLIC_STRINGS (for example `Keywords`, the categories).
        PS_PUBLIC_STRINGS = 0x00020329_0000_0000_C000_000000000046;
        /// PS_INTERNET_HEADERS: Internet headers as string-named properties.
        PS_INTERNET_HEADERS = 0x00020386_0000_0000_C000_000000000046;
        /// PSETID_Common: reminders, privacy, task mode, …
        PSETID_Common = 0x00062008_0000_0000_C000_000000000046;
        /// PSETID_Address: contacts.
        PSETID_Address = 0x00062004_0000_0000_C000_000000000046;
        /// PSETID_Appointment: calendar items.
        PSETID_Appointment = 0x00062002_0000_0000_C000_000000000046;
        /// PSETID_Meeting: meetings.
        PSETID_Meeting = 0x6ED8DA90_450B_101B_98DA_00AA003F1305;
        /// PSETID_Task: tasks.
        PSETID_Task = 0x00062003_0000_0000_C000_000000000046;
        /// PSETID_Log: journal entries.
        PSETID_Log = 0x0006200A_0000_0000_C000_000000000046;
        /// PSETID_Note: sticky notes.
        PSETID_Note = 0x0006200E_0000_0000_C000_000000000046;
        /// PSETID_Report: reports.
        PSETID_Report = 0x00062013_0000_0000_C000_000000000046;
        /// PSETID_Remote: remote messaging.
        PSETID_Remote = 0x00062014_0000_0000_C000_000000000046;
        /// PSETID_Sharing: sharing.
        PSETID_Sharing = 0x00062040_0000_0000_C000_000000000046;
        /// PSETID_PostRss: RSS items.
        PSETID_PostRss = 0x00062041_0000_0000_C000_000000000046;
        /// PSETID_Messaging: messaging.
        PSETID_Messaging = 0x41F28F13_83F4_4114_A584_EEDB5A6B0BFF;
        /// PSETID_UnifiedMessaging: unified messaging.
        PSETID_UnifiedMessaging = 0x4442858E_A9E3_4E80_B900_317A210CC15B;
        /// PSETID_AirSync: sync.
        PSETID_AirSync = 0x71035549_0739_4DCB_9163_00F0580DBBDF;
        /// PSETID_Attachment: attachments.
        PSETID_Attachment = 0x96357F7F_59E1_47D0_99A7_46515C183B54;
        /// PSETID_CalendarAssistant: calendar assistant.
        PSETID_CalendarAssistant = 0x11000E07_B51B_40D6_AF21_CAA85EDAB1D0;
        /// PSETID_XmlExtractedEntities: extracted entities.
        PSETID_XmlExtractedEntities = 0x23239608_685D_4732_9C55_4C95CB4E8E33;
    }

    /// The symbolic name of a well-known set.
    pub fn name_of(set: Guid) -> Option<&'static str> {
        ALL.iter().find(|(_, g)| *g == set).map(|(n, _)| *n)
    }

    /// The set with this symbolic name (`PSETID_Appointment`).
    pub fn by_name(name: &str) -> Option<Guid> {
        ALL.iter().find(|(n, _)| *n == name).map(|(_, g)| *g)
    }
}

/// The name part of a named property.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PropName {
    /// A numeric name (MNID_ID), the LID.
    Lid(u32),
    /// A string name (MNID_STRING). Names known in code are static
    /// (no allocation each time a key is built); names read from files
    /// are owned.
    String(std::borrow::Cow<'static, str>),
}

/// A named property: set plus name. The property ID it gets is local to one
/// store or one .msg file; this pair is the stable identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NamedProperty {
    /// The property set.
    pub set: Guid,
    /// The LID or string name.
    pub name: PropName,
}

impl NamedProperty {
    /// A numeric named property.
    pub fn lid(set: Guid, lid: u32) -> NamedProperty {
        NamedProperty {
            set,
            name: PropName::Lid(lid),
        }
    }

    /// A string-named property.
    pub fn string(set: Guid, name: impl Into<std::borrow::Cow<'static, str>>) -> NamedProperty {
        NamedProperty {
            set,
            name: PropName::String(name.into()),
        }
    }
}

impl fmt::Display for NamedProperty {
    /// `PSETID_Appointment:0x820D` or `PS_PUBLIC_STRINGS:"Keywords"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match sets::name_of(self.set) {
            Some(n) => f.write_str(n)?,
            None => write!(f, "{}", self.set)?,
        }
        match &self.name {
            PropName::Lid(l) => write!(f, ":0x{l:04X}"),
            PropName::String(s) => write!(f, ":{s:?}"),
        }
    }
}

/// What a property in a bag is keyed by: a tagged property's ID, or a
/// named property. The type is carried by the value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PropKey {
    /// A tagged property's 16-bit ID (below 0x8000).
    Tag(u16),
    /// A named property.
    Named(NamedProperty),
}

impl From<NamedProperty> for PropKey {
    fn from(n: NamedProperty) -> PropKey {
        PropKey::Named(n)
    }
}

impl fmt::Display for PropKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PropKey::Tag(id) => write!(f, "0x{id:04X}"),
            PropKey::Named(n) => n.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_names_and_display() {
        assert_eq!(
            sets::PSETID_Meeting.to_string(),
            "{6ED8DA90-450B-101B-98DA-00AA003F1305}"
        );
        assert_eq!(sets::name_of(sets::PSETID_Address), Some("PSETID_Address"));
        assert_eq!(
            sets::by_name("PS_PUBLIC_STRINGS"),
            Some(sets::PS_PUBLIC_STRINGS)
        );
        let k = NamedProperty::lid(sets::PSETID_Appointment, 0x820D);
        assert_eq!(k.to_string(), "PSETID_Appointment:0x820D");
        let s = NamedProperty::string(Guid(1), "Keywords");
        assert_eq!(
            s.to_string(),
            "{00000000-0000-0000-0000-000000000001}:\"Keywords\""
        );
    }
}
