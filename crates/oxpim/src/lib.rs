//! # oxpim
//!
//! The facade of the oxpim toolkit: one dependency that re-exports the
//! layered crates and offers the high-level API. oxpim reads and writes
//! iCalendar 2.0, vCalendar 1.0 and vCard 2.1/3.0/4.0 faithfully, expands
//! recurrences exactly, and (as its other crates land) converts to and from
//! the MAPI objects and `.msg` files Outlook and Exchange use.
//!
//! | crate | what it does |
//! |---|---|
//! | [`lexer`] (`oxpim-lexer`) | bytes → content lines: unfolding, QP soft breaks, spans |
//! | [`contentline`] (`oxpim-contentline`) | component tree, typed values, dialects, diagnostics, writer, jCal/jCard |
//! | [`recur`] (`oxpim-recur`) | time zones (VTIMEZONE, IANA, Windows, Outlook names) and recurrence expansion |
//! | [`mapi`] (`oxpim-mapi`) | MAPI property model: tags, types, values, named properties, canonical names, messages |
//! | [`msg`] (`oxpim-msg`) | Outlook `.msg` files: reproducible writer, bounded reader |
//!
//! iCalendar ⇄ Outlook: [`calendar_to_messages`] and [`messages_to_calendar`]
//! (MS-OXCICAL, in [`mapi::ical`]).
//!
//! What this crate must never do: hold logic of its own that a lower crate
//! needs, or reach around the layers. It composes the lower crates through
//! their public APIs only.
//!
//! ```
//! let parsed = oxpim::parse(b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada Lovelace\r\nEND:VCARD\r\n");
//! assert_eq!(parsed.document.components[0].text("FN"), Some("Ada Lovelace"));
//! let jcard = oxpim::to_json(&parsed.document);
//! assert_eq!(jcard[1][1], serde_json_value());
//! # fn serde_json_value() -> oxpim::contentline::json::JsonValue {
//! #     oxpim::contentline::json::JsonValue::from(vec!["fn".into(), oxpim::contentline::json::JsonValue::Object(Default::default()), "text".into(), "Ada Lovelace".into()])
//! # }
//! ```

pub use oxpim_contentline as contentline;
pub use oxpim_lexer as lexer;
pub use oxpim_mapi as mapi;
pub use oxpim_msg as msg;
pub use oxpim_recur as recur;

pub use oxpim_recur::{DtstartPolicy, ExpandOptions, Expander, Expansion, Instance, Moment};

pub use oxpim_contentline::{
    Code, Component, Diagnostic, Dialect, Document, ParseOptions, Parsed, Parser, Property,
    Severity, StreamItem, StreamReader, Value, ValueType, WriteOptions, parse,
};

/// jCal/jCard of a document (see [`contentline::json`]).
pub fn to_json(doc: &Document) -> contentline::json::JsonValue {
    contentline::json::to_json(doc)
}

/// The instances of every event, to-do and journal entry of a document,
/// sorted by start (see [`recur::Expander`]).
pub fn expand(doc: &Document, options: ExpandOptions) -> Expansion {
    Expander::new(options).expand_document(doc)
}

pub use oxpim_mapi::Message;
pub use oxpim_mapi::ical::{ExportOptions, Exported, ImportOptions, Imported, Unrepresentable};

/// The Outlook messages (appointments, meeting requests and responses) of
/// the calendars in a document, per MS-OXCICAL (see [`mapi::ical`]).
pub fn calendar_to_messages(doc: &Document, options: ImportOptions) -> Imported {
    mapi::ical::Importer::new(options).import(doc)
}

/// A VCALENDAR with the events of Outlook messages, per MS-OXCICAL.
pub fn messages_to_calendar(messages: &[Message], options: ExportOptions) -> Exported {
    mapi::ical::Exporter::new(options).export(messages)
}

/// Canonical (normalised) text of a document, as `oxpim fmt` writes it.
pub fn format(doc: &Document) -> Vec<u8> {
    doc.to_canonical_bytes()
}
