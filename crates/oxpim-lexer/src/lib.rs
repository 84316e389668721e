//! # oxpim-lexer
//!
//! The bottom layer of oxpim: it turns the bytes of an iCalendar (RFC 5545),
//! vCalendar 1.0 or vCard 2.1/3.0/4.0 file into *content lines* — logical,
//! unfolded lines with the spans of their group, name, parameters and value,
//! and the exact source bytes they came from.
//!
//! What it does:
//! - line breaks CRLF, LF and bare CR, mixed in one input;
//! - unfolding (a line that starts with a space or a tab continues the one
//!   before) on bytes, before any UTF-8 decoding, so a fold that splits a
//!   multi-byte character is repaired;
//! - quoted-printable soft line breaks (`=` at the end of a line) for
//!   properties with `ENCODING=QUOTED-PRINTABLE` or the bare vCard 2.1
//!   `QUOTED-PRINTABLE` parameter;
//! - a leading UTF-8 byte order mark;
//! - zero-copy where a line is not folded; linear time on every input,
//!   including a single 50 MB line, millions of empty lines and LF-only files.
//!
//! What it must never do: decode text (charsets, escapes, encodings belong to
//! `oxpim-contentline`), know about components or property semantics, allocate
//! for a line that needs no unfolding, panic on any input, or take more than
//! linear time.
//!
//! ```
//! use oxpim_lexer::{Lexer, LineKind};
//!
//! let input = b"BEGIN:VEVENT\r\nSUMMARY;LANGUAGE=en:Caf\xC3\r\n \xA9\r\nEND:VEVENT\r\n";
//! let lines: Vec<_> = Lexer::new(input).collect();
//! assert_eq!(lines[1].name(), b"SUMMARY");
//! assert_eq!(lines[1].value(), "Café".as_bytes());
//! let param = lines[1].params().next().unwrap();
//! assert_eq!(param.name.of(lines[1].text()), b"LANGUAGE");
//! assert!(matches!(lines[2].kind(), LineKind::Property(_)));
//! ```

mod header;
mod lines;

pub use header::{
    Header, HeaderScan, Malformed, ParamValues, Params, RawParam, RawParamValue, Span, scan_header,
};
pub use lines::{BOM, ContentLine, LexOptions, Lexer, LineBreaks, LineKind, count_line_breaks};
