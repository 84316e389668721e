//! Transfer encodings (quoted-printable, base64) and character sets.

use std::borrow::Cow;

/// Problems met while decoding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DecodeIssues {
    /// Quoted-printable `=` not followed by two hex digits (kept as is).
    pub bad_qp: bool,
    /// Characters outside the base64 alphabet (skipped).
    pub bad_base64: bool,
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// Decodes quoted-printable (RFC 2045 §6.7). Soft line breaks have already
/// been joined by the lexer; a trailing `=` is dropped, a stray `=` kept.
pub fn quoted_printable(s: &[u8], issues: &mut DecodeIssues) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0usize;
    while i < s.len() {
        match s.get(i) {
            Some(b'=') => {
                match (
                    s.get(i + 1).copied().and_then(hex),
                    s.get(i + 2).copied().and_then(hex),
                ) {
                    (Some(h), Some(l)) => {
                        out.push(h << 4 | l);
                        i += 3;
                    }
                    _ if i + 1 == s.len() => i += 1,
                    _ => {
                        issues.bad_qp = true;
                        out.push(b'=');
                        i += 1;
                    }
                }
            }
            Some(&b) => {
                out.push(b);
                i += 1;
            }
            None => break,
        }
    }
    out
}

/// Encodes bytes as quoted-printable without line breaks (the writer folds).
pub fn encode_quoted_printable(out: &mut String, data: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in data {
        if (b' '..=b'~').contains(&b) && b != b'=' {
            out.push(char::from(b));
        } else {
            out.push('=');
            out.push(char::from(
                HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'),
            ));
            out.push(char::from(
                HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0'),
            ));
        }
    }
}

fn b64_value(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// Decodes base64 leniently: whitespace is skipped, padding optional, and
/// characters outside the alphabet are skipped and reported.
pub fn base64(s: &[u8], issues: &mut DecodeIssues) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3 + 3);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for &b in s {
        if b == b'=' {
            break;
        }
        match b64_value(b) {
            Some(v) => {
                acc = (acc << 6) | u32::from(v);
                bits += 6;
                if bits >= 8 {
                    bits -= 8;
                    out.push(((acc >> bits) & 0xff) as u8);
                }
            }
            None => {
                if !b.is_ascii_whitespace() {
                    issues.bad_base64 = true;
                }
            }
        }
    }
    out
}

/// Encodes bytes as standard base64 with padding.
pub fn encode_base64(out: &mut String, data: &[u8]) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let ch = |i: u32| char::from(ALPHABET.get((i & 63) as usize).copied().unwrap_or(b'A'));
    let mut chunks = data.chunks_exact(3);
    for c in &mut chunks {
        let n = (u32::from(c.first().copied().unwrap_or(0)) << 16)
            | (u32::from(c.get(1).copied().unwrap_or(0)) << 8)
            | u32::from(c.get(2).copied().unwrap_or(0));
        out.push(ch(n >> 18));
        out.push(ch(n >> 12));
        out.push(ch(n >> 6));
        out.push(ch(n));
    }
    let rest = chunks.remainder();
    match rest {
        [a] => {
            let n = u32::from(*a) << 16;
            out.push(ch(n >> 18));
            out.push(ch(n >> 12));
            out.push_str("==");
        }
        [a, b] => {
            let n = (u32::from(*a) << 16) | (u32::from(*b) << 8);
            out.push(ch(n >> 18));
            out.push(ch(n >> 12));
            out.push(ch(n >> 6));
            out.push('=');
        }
        _ => {}
    }
}

/// How text bytes were turned into a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// Valid UTF-8 (or ASCII).
    Utf8,
    /// Decoded with the named CHARSET.
    Declared,
    /// The CHARSET label was unknown; UTF-8 or Windows-1252 was used.
    UnknownLabel,
    /// No CHARSET, not valid UTF-8: decoded as Windows-1252 (the legacy
    /// default of vCard 2.1 and vCalendar 1.0 writers).
    LegacyFallback,
    /// Not valid UTF-8: decoded lossily with U+FFFD.
    Lossy,
}

/// Decodes text bytes. `label` is the CHARSET parameter; `legacy` selects
/// Windows-1252 rather than lossy UTF-8 for undeclared non-UTF-8 bytes.
pub fn decode_text<'a>(
    bytes: &'a [u8],
    label: Option<&str>,
    legacy: bool,
) -> (Cow<'a, str>, Charset) {
    if let Some(label) = label {
        match encoding_rs::Encoding::for_label(label.trim().as_bytes()) {
            Some(enc) if enc == encoding_rs::UTF_8 => {}
            Some(enc) => {
                let (s, _) = enc.decode_without_bom_handling(bytes);
                return (s, Charset::Declared);
            }
            None => {
                return match crate::str::utf8(bytes) {
                    Some(s) => (Cow::Borrowed(s), Charset::UnknownLabel),
                    None => {
                        let (s, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
                        (s, Charset::UnknownLabel)
                    }
                };
            }
        }
    }
    match crate::str::utf8(bytes) {
        Some(s) => (Cow::Borrowed(s), Charset::Utf8),
        None if legacy && label.is_none() => {
            let (s, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (s, Charset::LegacyFallback)
        }
        None => (String::from_utf8_lossy(bytes), Charset::Lossy),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qp() {
        let mut i = DecodeIssues::default();
        assert_eq!(
            quoted_printable(b"Caf=C3=A9=0D=0Ax=", &mut i),
            "Café\r\nx".as_bytes()
        );
        assert!(!i.bad_qp);
        assert_eq!(quoted_printable(b"a=zz", &mut i), b"a=zz");
        assert!(i.bad_qp);
        let mut s = String::new();
        encode_quoted_printable(&mut s, "Café=\n".as_bytes());
        assert_eq!(s, "Caf=C3=A9=3D=0A");
    }

    #[test]
    fn b64() {
        let mut i = DecodeIssues::default();
        assert_eq!(base64(b"SGVs bG8=\r\n", &mut i), b"Hello");
        assert_eq!(base64(b"SGVsbG8", &mut i), b"Hello");
        assert!(!i.bad_base64);
        base64(b"SGV*sbG8", &mut i);
        assert!(i.bad_base64);
        for data in [&b""[..], b"a", b"ab", b"abc", b"abcd", &[0, 255, 128, 7]] {
            let mut s = String::new();
            encode_base64(&mut s, data);
            assert_eq!(base64(s.as_bytes(), &mut i), data);
        }
        let mut s = String::new();
        encode_base64(&mut s, b"Hello");
        assert_eq!(s, "SGVsbG8=");
    }

    #[test]
    fn charsets() {
        assert_eq!(
            decode_text("Straße".as_bytes(), None, true),
            (Cow::Borrowed("Straße"), Charset::Utf8)
        );
        let latin1 = b"Stra\xdfe";
        assert_eq!(decode_text(latin1, None, true).0, "Straße");
        assert_eq!(decode_text(latin1, None, true).1, Charset::LegacyFallback);
        assert_eq!(decode_text(latin1, None, false).1, Charset::Lossy);
        assert_eq!(decode_text(latin1, Some("ISO-8859-1"), false).0, "Straße");
        assert_eq!(
            decode_text(b"\x8f\xb1", Some("shift_jis"), false).1,
            Charset::Declared
        );
        assert_eq!(
            decode_text(b"abc", Some("x-nonsense"), false).1,
            Charset::UnknownLabel
        );
        assert_eq!(
            decode_text("é".as_bytes(), Some("utf-8"), false).1,
            Charset::Utf8
        );
    }
}
