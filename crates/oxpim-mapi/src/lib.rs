//! # oxpim-mapi
//!
//! The MAPI property model of oxpim: property tags and types (every type of
//! MS-OXCDATA, multi-valued ones too), values, FILETIME and PtypFloatingTime
//! conversions, named properties with the well-known property sets,
//! canonical names (PidTag…, PidLid…, PidName…) both ways, and messages
//! (property bag, recipient table, attachments, embedded messages); the
//! MS-OXOCAL blobs ([`blob`]); and the mappings to the open formats:
//! iCalendar ⇄ appointments and meetings ([`ical`], MS-OXCICAL) and vCard ⇄
//! contacts ([`vcard`], MS-OXVCARD), each a registry of rules a caller can
//! extend; and Outlook's compressed RTF bodies ([`rtf`], MS-OXRTFCP and
//! MS-OXRTFEX).
//!
//! What it must never do: read or write any file format (that is
//! `oxpim-msg`'s job; the RTF inside a PidTagRtfCompressed value is a
//! property's contents, read by [`rtf`]), lose a property it does not know (unknown types are
//! kept as bytes), or depend on a crate above it.
//!
//! ```
//! use oxpim_mapi::{Message, PropValue, props};
//!
//! let mut m = Message::with_class("IPM.Appointment");
//! m.properties.set(&props::PID_TAG_SUBJECT, "Planning")?;
//! m.properties.set(&props::PID_LID_LOCATION, "Room 1")?;
//! assert_eq!(m.properties.str(&props::PID_LID_LOCATION), Some("Room 1"));
//! // Canonical names both ways.
//! let def = oxpim_mapi::props::by_name("PidLidLocation").unwrap();
//! assert_eq!(def, &props::PID_LID_LOCATION);
//! // The table checks types.
//! assert!(m.properties.set(&props::PID_TAG_SUBJECT, 7).is_err());
//! # Ok::<(), oxpim_mapi::Error>(())
//! ```

pub mod blob;
pub mod codepage;
pub mod ical;
pub mod vcard;
#[rustfmt::skip]
mod generated;
pub mod json;
pub mod message;
pub mod named;
pub mod props;
pub mod rtf;
pub mod shared;
pub mod types;
pub mod value;

pub use message::{AttachedObject, Attachment, Message, PropertyBag, Storage};
pub use named::{NamedProperty, PropKey, PropName, sets};
pub use props::{PropDef, PropId};
pub use shared::{Bytes, Text};
pub use types::{
    FileTime, Guid, GuidError, PropTag, PropType, datetime_to_floating_time,
    floating_time_to_datetime,
};
pub use value::PropValue;

/// Keeps the first `max` diagnostics of a conversion and, when there were
/// more, ends them with one `Truncated` diagnostic: an error when an error
/// was among those left out, else a warning (so that many warnings do not
/// make a conversion fail).
pub fn cap_diagnostics(diags: &mut Vec<oxpim_contentline::Diagnostic>, max: usize) {
    use oxpim_contentline::Severity;
    oxpim_contentline::cap_diagnostics(diags, max, "conversion diagnostics", |rest| {
        if rest.iter().any(|d| d.severity == Severity::Error) {
            Severity::Error
        } else {
            Severity::Warning
        }
    });
}

/// Errors of the model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A value of the wrong type for a canonical property.
    #[error("{name} is {expected}, not {found}")]
    TypeMismatch {
        /// The property's canonical name.
        name: &'static str,
        /// The table's type.
        expected: PropType,
        /// The value's type.
        found: PropType,
    },
}

/// The examples of `docs/extending.md`, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/extending.md")]
pub struct ExtendingGuide;
