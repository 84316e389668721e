//! TEXT escaping (RFC 5545 §3.3.11, RFC 6350 §3.4), list and structure
//! splitting, and RFC 6868 parameter value encoding.

use std::borrow::Cow;

use memchr::{memchr, memchr2, memchr3};

use crate::Dialect;

/// What unescaping met.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EscapeReport {
    /// A backslash followed by a character that is not an escape in this
    /// dialect; both characters were kept.
    pub unknown_escape: bool,
    /// The byte offset, in the escaped text, of the first such backslash.
    pub first_unknown: Option<usize>,
}

/// True for dialects where a backslash escapes `,` `;` `\` and newlines.
fn full_escapes(d: Dialect) -> bool {
    !matches!(d, Dialect::VCard21 | Dialect::VCalendar10)
}

/// Unescapes a TEXT value. vCard 2.1 and vCalendar 1.0 only know `\;`
/// (and `\\`); the others know `\\ \; \, \n \N`.
pub fn unescape<'a>(s: &'a str, d: Dialect, report: &mut EscapeReport) -> Cow<'a, str> {
    let Some(first) = memchr(b'\\', s.as_bytes()) else {
        return Cow::Borrowed(s);
    };
    let full = full_escapes(d);
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    out.push_str(s.get(..first).unwrap_or(""));
    // `i` is always at a backslash; runs between backslashes are copied
    // whole. Every cut is next to an ASCII byte, so on a char boundary.
    let mut i = first;
    loop {
        let consumed = match b.get(i + 1) {
            Some(b'\\') => {
                out.push('\\');
                2
            }
            Some(b';') => {
                out.push(';');
                2
            }
            Some(b',') if full => {
                out.push(',');
                2
            }
            Some(b'n' | b'N') if full => {
                out.push('\n');
                2
            }
            Some(_) => {
                if full {
                    report.unknown_escape = true;
                    report.first_unknown.get_or_insert(i);
                }
                // Keep the backslash; the next character is copied with
                // the following run.
                out.push('\\');
                1
            }
            None => {
                out.push('\\');
                1
            }
        };
        let from = i + consumed;
        match b.get(from..).and_then(|rest| memchr(b'\\', rest)) {
            Some(j) => {
                out.push_str(s.get(from..from + j).unwrap_or(""));
                i = from + j;
            }
            None => {
                out.push_str(s.get(from..).unwrap_or(""));
                break;
            }
        }
    }
    Cow::Owned(out)
}

/// Splits `s` at every `sep` not preceded by an escaping backslash.
pub fn split_unescaped(s: &str, sep: u8) -> Vec<&str> {
    let b = s.as_bytes();
    let mut parts = Vec::new();
    let mut start = 0usize;
    let mut i = 0usize;
    while i < b.len() {
        match b.get(i) {
            Some(b'\\') => i += 2,
            Some(&c) if c == sep => {
                parts.push(s.get(start..i).unwrap_or(""));
                start = i + 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    parts.push(s.get(start..).unwrap_or(""));
    parts
}

/// Escapes a TEXT value for writing: `\\ ; , newline` in RFC 5545 and
/// vCard 3.0/4.0, only `\\ ;` in vCard 2.1 and vCalendar 1.0 (whose line
/// breaks travel in quoted-printable). Runs without special characters are
/// copied whole.
pub fn escape_into(out: &mut String, s: &str, d: Dialect) {
    let full = full_escapes(d);
    let b = s.as_bytes();
    out.reserve(s.len());
    // The next special byte of each kind, found with SIMD searches and
    // remembered until passed (so the whole scan stays linear).
    let find_a = |from: usize| -> usize {
        let rest = b.get(from..).unwrap_or_default();
        let hit = if full {
            memchr3(b'\\', b';', b',', rest)
        } else {
            memchr2(b'\\', b';', rest)
        };
        hit.map_or(b.len(), |k| from + k)
    };
    let find_b = |from: usize| -> usize {
        if !full {
            return b.len();
        }
        memchr2(b'\n', b'\r', b.get(from..).unwrap_or_default()).map_or(b.len(), |k| from + k)
    };
    let mut next_a = find_a(0);
    let mut next_b = find_b(0);
    let mut run = 0usize;
    loop {
        let i = next_a.min(next_b);
        if i >= b.len() {
            break;
        }
        out.push_str(s.get(run..i).unwrap_or(""));
        let mut step = 1;
        out.push_str(match b.get(i) {
            Some(b'\\') => "\\\\",
            Some(b';') => "\\;",
            Some(b',') => "\\,",
            Some(b'\r') if b.get(i + 1) == Some(&b'\n') => {
                // CRLF is one line break.
                step = 2;
                "\\n"
            }
            _ => "\\n",
        });
        run = i + step;
        if next_a < run {
            next_a = find_a(run);
        }
        if next_b < run {
            next_b = find_b(run);
        }
    }
    out.push_str(s.get(run..).unwrap_or(""));
}

/// Decodes RFC 6868 caret escapes in a parameter value: `^n` newline,
/// `^^` caret, `^'` double quote. Any other caret stays as written.
pub fn decode_caret(s: &str) -> Cow<'_, str> {
    if !s.contains('^') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '^' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('n' | 'N') => {
                chars.next();
                out.push('\n');
            }
            Some('^') => {
                chars.next();
                out.push('^');
            }
            Some('\'') => {
                chars.next();
                out.push('"');
            }
            _ => out.push('^'),
        }
    }
    Cow::Owned(out)
}

/// Encodes a parameter value with RFC 6868 carets (for dialects that know
/// them); `"` becomes `^'` so that quoting stays possible.
pub fn encode_caret(out: &mut String, s: &str) {
    let b = s.as_bytes();
    let mut run = 0usize;
    for (i, &c) in b.iter().enumerate() {
        let rep = match c {
            b'^' => "^^",
            b'"' => "^'",
            b'\n' => "^n",
            b'\r' => "",
            _ => continue,
        };
        out.push_str(s.get(run..i).unwrap_or(""));
        out.push_str(rep);
        run = i + 1;
    }
    out.push_str(s.get(run..).unwrap_or(""));
}

/// Kinds of bytes in a parameter value, one bit each (see
/// [`param_byte_kinds`]): bytes a writer must encode (`"`, CR, LF)…
pub(crate) const PARAM_ENCODE: u8 = 1;
/// …a caret (encoded where RFC 6868 applies)…
pub(crate) const PARAM_CARET: u8 = 2;
/// …and bytes that make the value need quotes (`:` `;` `,`).
pub(crate) const PARAM_QUOTE: u8 = 4;

/// The kind of each byte of a parameter value (0 for most), looked up
/// rather than compared: one table load per byte.
// Indexing here runs at compile time (an out-of-range index would stop
// the build, not panic at run time).
#[allow(clippy::indexing_slicing)]
static PARAM_BYTES: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'"' as usize] = PARAM_ENCODE;
    t[b'\r' as usize] = PARAM_ENCODE;
    t[b'\n' as usize] = PARAM_ENCODE;
    t[b'^' as usize] = PARAM_CARET;
    t[b':' as usize] = PARAM_QUOTE;
    t[b';' as usize] = PARAM_QUOTE;
    t[b',' as usize] = PARAM_QUOTE;
    t
};

/// The kinds of bytes `s` holds ([`PARAM_ENCODE`], [`PARAM_CARET`],
/// [`PARAM_QUOTE`] or'ed together), in one pass.
pub(crate) fn param_byte_kinds(s: &str) -> u8 {
    s.bytes().fold(0u8, |acc, b| {
        acc | PARAM_BYTES.get(usize::from(b)).copied().unwrap_or(0)
    })
}

/// True when `s` starts or ends with a blank that a reader could trim.
pub(crate) fn blank_edged(s: &str) -> bool {
    s.starts_with([' ', '\t']) || s.ends_with([' ', '\t'])
}

/// True when a parameter value must be quoted: it holds `:` `;` `,`, or
/// starts or ends with a blank that a reader could trim.
pub fn param_needs_quotes(s: &str) -> bool {
    param_byte_kinds(s) & PARAM_QUOTE != 0 || blank_edged(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_rfc5545() {
        let mut r = EscapeReport::default();
        assert_eq!(
            unescape(r"a\,b\;c\\d\ne\Nf", Dialect::ICalendar, &mut r),
            "a,b;c\\d\ne\nf"
        );
        assert!(!r.unknown_escape);
        assert_eq!(unescape(r"x\:y", Dialect::ICalendar, &mut r), r"x\:y");
        assert!(r.unknown_escape);
        assert!(matches!(
            unescape("plain", Dialect::ICalendar, &mut r),
            Cow::Borrowed(_)
        ));
        assert_eq!(unescape("tail\\", Dialect::ICalendar, &mut r), "tail\\");
    }

    #[test]
    fn unescape_vcard21_keeps_commas_and_n() {
        let mut r = EscapeReport::default();
        assert_eq!(
            unescape(r"a\,b\;c\n", Dialect::VCard21, &mut r),
            r"a\,b;c\n"
        );
        assert!(!r.unknown_escape);
    }

    #[test]
    fn split_respects_escapes() {
        assert_eq!(
            split_unescaped(r"foo,blue\, fish,woot", b','),
            vec!["foo", r"blue\, fish", "woot"]
        );
        assert_eq!(split_unescaped(r"a;b\;c;", b';'), vec!["a", r"b\;c", ""]);
        assert_eq!(split_unescaped("", b','), vec![""]);
        assert_eq!(split_unescaped("x\\", b','), vec!["x\\"]);
    }

    #[test]
    fn escape_round_trip() {
        let s = "a,b;c\\d\ne";
        let mut out = String::new();
        escape_into(&mut out, s, Dialect::ICalendar);
        assert_eq!(out, r"a\,b\;c\\d\ne");
        let mut r = EscapeReport::default();
        assert_eq!(unescape(&out, Dialect::ICalendar, &mut r), s);
    }

    #[test]
    fn escape_line_breaks_and_unicode() {
        let mut out = String::new();
        escape_into(&mut out, "Zoë\r\nnext\rlast;é,\\", Dialect::VCard40);
        assert_eq!(out, "Zoë\\nnext\\nlast\\;é\\,\\\\");
        let mut out = String::new();
        escape_into(&mut out, "a,b;c\n", Dialect::VCard21);
        assert_eq!(out, "a,b\\;c\n");
    }

    #[test]
    fn carets() {
        assert_eq!(decode_caret("^^Ж 4 <>\\'^'^n:"), "^Ж 4 <>\\'\"\n:");
        assert_eq!(decode_caret("a^b"), "a^b");
        let mut out = String::new();
        encode_caret(&mut out, "^Ж \"q\"\n");
        assert_eq!(out, "^^Ж ^'q^'^n");
        assert_eq!(decode_caret(&out), "^Ж \"q\"\n");
    }
}
