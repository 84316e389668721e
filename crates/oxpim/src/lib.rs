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
//! (MS-OXCICAL, in [`mapi::ical`]). vCard ⇄ Outlook contacts:
//! [`cards_to_contacts`] and [`contacts_to_cards`] (MS-OXVCARD, in
//! [`mapi::vcard`]). vCard 2.1 ⇄ 3.0 ⇄ 4.0: [`convert_vcards`].
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

// The fuzz targets' bodies: public so that `fuzz/` and the regression tests
// reach them, hidden because they are not an API (they panic by design).
#[doc(hidden)]
pub mod fuzz_targets;

pub use oxpim_contentline as contentline;
pub use oxpim_lexer as lexer;
pub use oxpim_mapi as mapi;
pub use oxpim_msg as msg;
pub use oxpim_recur as recur;

pub use oxpim_recur::{DtstartPolicy, ExpandOptions, Expander, Expansion, Instance, Moment};

use chrono::Timelike;

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

mod parts;
pub use parts::{PartsReport, calendar_bytes_to_messages};

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

pub use oxpim_mapi::vcard::{
    ExportOptions as ContactExportOptions, Exported as ExportedContacts,
    ImportOptions as ContactImportOptions, Imported as ImportedContacts,
};

/// The Outlook contacts (IPM.Contact) of the vCards in a document, per
/// MS-OXVCARD (see [`mapi::vcard`]).
pub fn cards_to_contacts(doc: &Document, options: ContactImportOptions) -> ImportedContacts {
    mapi::vcard::Importer::new(options).import(doc)
}

/// vCards (3.0 unless the options say otherwise) of Outlook contacts, per
/// MS-OXVCARD.
pub fn contacts_to_cards(messages: &[Message], options: ContactExportOptions) -> ExportedContacts {
    mapi::vcard::Exporter::new(options).export(messages)
}

/// Every VCARD of a document in vCard `version` (2.1, 3.0 or 4.0), without
/// loss (see [`contentline::vcard`]); other components are left out, with a
/// diagnostic.
pub fn convert_vcards(doc: &Document, version: Dialect) -> (Document, Vec<Diagnostic>) {
    convert_each(doc, "a vCard", |c| {
        c.is("VCARD")
            .then(|| contentline::vcard::convert(c, version))
    })
}

/// Each top-level component that `f` converts (`None`: not of the kind,
/// left out with a diagnostic naming `kind`).
fn convert_each(
    doc: &Document,
    kind: &str,
    f: impl Fn(&Component) -> Option<(Component, Vec<Diagnostic>)>,
) -> (Document, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut out = Vec::new();
    for c in &doc.components {
        match f(c) {
            Some((converted, d)) => {
                out.push(converted);
                diags.extend(d);
            }
            None => diags.push(Diagnostic {
                line: c.line(),
                column: 1,
                severity: Severity::Warning,
                code: Code::Conversion,
                message: format!("{} is not {kind}; left out", c.name()),
            }),
        }
    }
    (Document::new(out), diags)
}

/// Every VCALENDAR of a document in iCalendar 2.0: vCalendar 1.0 ones are
/// converted (rules, alarms, attendees, TZ/DAYLIGHT; see
/// [`recur::vcal::to_icalendar`]), iCalendar ones are kept as they are;
/// other components are left out, with a diagnostic.
pub fn vcalendars_to_icalendar(doc: &Document) -> (Document, Vec<Diagnostic>) {
    convert_each(doc, "a calendar", |c| {
        if !c.is("VCALENDAR") {
            None
        } else if c.dialect() == Dialect::VCalendar10 {
            let (mut cal, d) = recur::vcal::to_icalendar(c);
            complete_icalendar(&mut cal);
            Some((cal, d))
        } else {
            Some((c.clone(), Vec::new()))
        }
    })
}

/// Adds what iCalendar requires and vCalendar does not have (RFC 5545
/// §3.6, §3.6.1): PRODID; each event's, to-do's and journal's UID (made from
/// its text, so the same file gives the same UID) and DTSTAMP (its
/// LAST-MODIFIED, else CREATED, else the current time).
fn complete_icalendar(cal: &mut Component) {
    if cal.property("PRODID").is_none() {
        let at = cal
            .properties
            .iter()
            .position(|p| p.is("VERSION"))
            .map_or(0, |i| i + 1);
        cal.properties.insert(
            at,
            Property::text("PRODID", "-//oxpim//vCalendar 1.0 conversion//EN"),
        );
    }
    for (i, c) in cal.components.iter_mut().enumerate() {
        if !(c.is("VEVENT") || c.is("VTODO") || c.is("VJOURNAL")) {
            continue;
        }
        if c.property("UID").is_none() {
            let uid = mapi::ical::made_up_uid(c, i);
            c.properties.insert(0, Property::text("UID", uid));
        }
        if c.property("DTSTAMP").is_none() {
            let utc_of = |name: &str| match c.property(name).and_then(Property::value) {
                Some(Value::DateTime(dt)) if dt.is_utc() => Some(dt.local),
                _ => None,
            };
            let stamp = utc_of("LAST-MODIFIED")
                .or_else(|| utc_of("CREATED"))
                .unwrap_or_else(|| {
                    let now = chrono::Utc::now().naive_utc();
                    now.with_nanosecond(0).unwrap_or(now)
                });
            c.push(Property::new(
                "DTSTAMP",
                ValueType::DateTime,
                Value::DateTime(contentline::DateTime::utc(stamp)),
            ));
        }
    }
}

/// Canonical (normalised) text of a document, as `oxpim fmt` writes it.
pub fn format(doc: &Document) -> Vec<u8> {
    doc.to_canonical_bytes()
}

/// [`format`] written to `sink` as it is produced, in pieces of about
/// [`contentline::STREAM_CHUNK`] bytes, without holding the whole text in
/// memory (see [`contentline::write_document_to`]: pass a `BufWriter` as
/// `&mut` and flush it afterwards).
pub fn format_to<W: std::io::Write>(doc: &Document, sink: W) -> std::io::Result<()> {
    contentline::write_document_to(doc, &contentline::WriteOptions::canonical(), sink)
}

/// The examples of `docs/limits.md`, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/limits.md")]
pub struct LimitsGuide;
