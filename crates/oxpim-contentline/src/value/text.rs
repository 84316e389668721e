//! TEXT escaping (RFC 5545 §3.3.11, RFC 6350 §3.4), list and structure
//! splitting, and RFC 6868 parameter value encoding.

use std::borrow::Cow;

use memchr::{memchr, memchr3};

use crate::Dialect;

/// What unescaping met.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EscapeReport {
    /// A backslash followed by a character that is not an escape in this
    /// dialect; both characters were kept.
    pub unknown_escape: bool,
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

/// Escapes a TEXT value for writing. `structured` also escapes `;` and `,`
/// inside structured components (always escaped in RFC 5545 TEXT).
pub fn escape_into(out: &mut String, s: &str, d: Dialect) {
    let b = s.as_bytes();
    let full = full_escapes(d);
    // Fast path: nothing to escape.
    if memchr3(b'\\', b';', b',', b).is_none()
        && memchr(b'\n', b).is_none()
        && memchr(b'\r', b).is_none()
    {
        out.push_str(s);
        return;
    }
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' if full => out.push_str("\\,"),
            '\r' if full => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' if full => out.push_str("\\n"),
            other => out.push(other),
        }
    }
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
    for c in s.chars() {
        match c {
            '^' => out.push_str("^^"),
            '"' => out.push_str("^'"),
            '\n' => out.push_str("^n"),
            '\r' => {}
            other => out.push(other),
        }
    }
}

/// True when a parameter value must be quoted: it holds `:` `;` `,`, or
/// starts or ends with a blank that a reader could trim.
pub fn param_needs_quotes(s: &str) -> bool {
    s.bytes().any(|b| matches!(b, b':' | b';' | b','))
        || s.starts_with([' ', '\t'])
        || s.ends_with([' ', '\t'])
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
    fn carets() {
        assert_eq!(decode_caret("^^Ж 4 <>\\'^'^n:"), "^Ж 4 <>\\'\"\n:");
        assert_eq!(decode_caret("a^b"), "a^b");
        let mut out = String::new();
        encode_caret(&mut out, "^Ж \"q\"\n");
        assert_eq!(out, "^^Ж ^'q^'^n");
        assert_eq!(decode_caret(&out), "^Ж \"q\"\n");
    }
}
