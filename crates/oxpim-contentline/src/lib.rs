//! # oxpim-contentline
//!
//! The grammar layer of oxpim: it reads the content lines that
//! `oxpim-lexer` produces into a tree of components, properties and
//! parameters with typed values, for iCalendar 2.0 (RFC 5545, RFC 7986,
//! RFC 9073/9074 names), vCalendar 1.0, and vCard 2.1, 3.0 (RFC 2426) and
//! 4.0 (RFC 6350); it writes that tree back, faithfully or canonically; and
//! it converts to and from jCal (RFC 7265) and jCard (RFC 7095), and vCards
//! between versions without loss ([`vcard`]).
//!
//! - **Dialects** are detected per object from `BEGIN` and `VERSION`
//!   ([`Dialect`]), and decide value types, escaping, list separators,
//!   `CHARSET` and `ENCODING` handling.
//! - **Typed values** ([`Value`]) follow each property's default type and
//!   `VALUE=` overrides. Unknown and X- properties keep their text as written.
//! - **Lenient by default, strict on request**, per [`Parser`] instance.
//!   Every problem is a [`Diagnostic`] with line, column, severity and
//!   message; parsing always goes on. Bad input never panics.
//! - **Faithful round trip**: an unmodified item is written back from its
//!   source bytes (with CRLF line breaks); normalisation is the explicit
//!   [`WriteOptions::canonical`] mode.
//! - **Streaming** ([`StreamReader`]) reads any `Read` in bounded memory.
//!
//! What it must never do: know about time zones, recurrence expansion or
//! MAPI (those live in `oxpim-recur` and `oxpim-mapi`), depend on the host's
//! locale or time zone, keep global state, or panic on any input.
//!
//! ```
//! use oxpim_contentline::{Parser, WriteOptions, write_document, Value};
//!
//! let input = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20250101T000000Z\r\nSUMMARY:Caf\xC3\xA9\\, bar\r\nDTSTART;VALUE=DATE:20250102\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
//! let parsed = Parser::new().parse(input);
//! assert!(parsed.diagnostics.is_empty());
//! let event = &parsed.document.components[0].components[0];
//! assert_eq!(event.text("SUMMARY"), Some("Café, bar"));
//! assert!(matches!(event.property("DTSTART").unwrap().value(), Some(Value::Date(_))));
//! // Unmodified documents come back byte for byte.
//! assert_eq!(write_document(&parsed.document, &WriteOptions::default()), input);
//! ```

mod decode;
mod diag;
#[cfg(feature = "json")]
pub mod json;
mod model;
mod names;
mod parser;
mod str;
mod stream;
mod typing;
pub mod value;
pub mod vcard;
mod write;

pub use decode::{
    Charset, DecodeIssues, base64 as decode_base64, decode_text, encode_base64,
    encode_quoted_printable, quoted_printable,
};
pub use diag::{Code, Diagnostic, Severity, cap_diagnostics, has_errors, truncation_notice};
pub use model::{Component, Dialect, Document, Param, ParamValue, Params, Property};
pub use names::Name;
pub use parser::{Limits, ParseOptions, Parsed, Parser};
pub use smallvec;
pub use str::Str;
pub use stream::{StreamItem, StreamReader};
pub use value::{
    DateTime, Duration, Frequency, PartialDate, PartialDateTime, PartialTime, Period, PeriodEnd,
    Recur, RecurMonth, RecurUntil, Skip, Time, UtcOffset, VZone, Value, ValueType, Values,
    WeekdayNum, Zone,
};
pub use write::{
    STREAM_CHUNK, WriteOptions, fold, to_string, write_component, write_component_into,
    write_document, write_document_to, write_property, write_property_into,
};

impl Document {
    /// Writes the document faithfully (unmodified items byte for byte).
    pub fn to_bytes(&self) -> Vec<u8> {
        write_document(self, &WriteOptions::default())
    }
    /// Writes the document canonically (normalised).
    pub fn to_canonical_bytes(&self) -> Vec<u8> {
        write_document(self, &WriteOptions::canonical())
    }
}

/// Parses with a lenient parser and default limits.
pub fn parse(input: &[u8]) -> Parsed {
    Parser::new().parse(input)
}
