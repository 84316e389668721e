//! The header of a content line: `[group "."] name *(";" param) ":"`.
//!
//! Tokenised with a logos lexer over the already unfolded bytes. The header is
//! scanned once per line to find the colon that starts the value (a colon
//! inside a quoted parameter value does not count); parameters are tokenised
//! again, lazily, when a caller iterates them.

use logos::Logos;

/// Tokens of a content-line header.
#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq)]
#[logos(utf8 = false)]
enum Tok {
    /// Letters, digits, `-` and `_`: names, and most parameter values.
    #[regex(b"[A-Za-z0-9_-]+")]
    Word,
    #[token(b".")]
    Dot,
    #[token(b";")]
    Semi,
    #[token(b"=")]
    Eq,
    #[token(b",")]
    Comma,
    #[token(b":")]
    Colon,
    /// An opening double quote. The quoted string itself is skipped by
    /// [`skip_quoted`]; backslash is not an escape inside it (RFC 5545 §3.1).
    #[token(b"\"")]
    Quote,
    /// Any other run of bytes (spaces, `/`, `@`, non-ASCII, ...).
    #[regex(b"[^\";:,=.A-Za-z0-9_-]+")]
    Other,
}

/// A half-open byte range inside the unfolded text of one content line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    /// The bytes of `text` this span covers; empty when out of range.
    pub fn of<'t>(&self, text: &'t [u8]) -> &'t [u8] {
        text.get(self.start..self.end).unwrap_or_default()
    }
    /// Length in bytes.
    pub const fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }
    /// True when the span is empty.
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Why a line is not a content line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Malformed {
    /// The line does not start with a name made of letters, digits and `-`.
    BadName,
    /// A name was found but no `:` separates it from a value.
    NoColon,
}

/// Where the parts of a content line are, as found by [`scan_header`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The group prefix (`item1` in `item1.TEL`), without the dot.
    pub group: Option<Span>,
    /// The property name.
    pub name: Span,
    /// Everything between the name and the value colon, starting with `;`
    /// (empty when there are no parameters).
    pub params: Span,
    /// The value: everything after the colon.
    pub value: Span,
    /// A `"` without its closing quote was read as an ordinary byte.
    pub unterminated_quote: bool,
}

/// Result of scanning a header.
pub type HeaderScan = Result<Header, Malformed>;

/// Scans the header of an unfolded content line.
///
/// Linear in the length of the header: every byte is read by the logos
/// automaton at most twice (an unterminated quote is rescanned once).
pub fn scan_header(text: &[u8]) -> HeaderScan {
    fast_header(text).unwrap_or_else(|| logos_header(text))
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// The common case without quotes before the value colon, found with one
/// SIMD search; `None` sends the line to the full tokenizer.
fn fast_header(text: &[u8]) -> Option<HeaderScan> {
    // The value colon: the first ':' outside double quotes. An unterminated
    // quote goes to the full tokenizer.
    let mut from = 0usize;
    let stop = loop {
        let rest = text.get(from..)?;
        let at = from + memchr::memchr2(b':', b'"', rest)?;
        if text.get(at) == Some(&b':') {
            break at;
        }
        let close = memchr::memchr(b'"', text.get(at + 1..)?)?;
        from = at + 1 + close + 1;
    };
    // [group "."] name, then ';' or ':'.
    let mut group: Option<Span> = None;
    let mut start = 0usize;
    let mut i = 0usize;
    loop {
        match text.get(i) {
            Some(&b) if is_name_byte(b) => i += 1,
            Some(b'.') if i > start => {
                group = Some(Span::new(group.map_or(0, |g| g.start), i));
                i += 1;
                start = i;
            }
            Some(b';' | b':') if i > start => break,
            _ => return Some(Err(Malformed::BadName)),
        }
    }
    Some(Ok(Header {
        group,
        name: Span::new(start, i),
        params: Span::new(i, stop),
        value: Span::new(stop + 1, text.len()),
        unterminated_quote: false,
    }))
}

fn logos_header(text: &[u8]) -> HeaderScan {
    let mut lex = Tok::lexer(text);
    // Name part: Word (Dot Word)* followed by ';' or ':'.
    let mut name = match lex.next() {
        Some(Ok(Tok::Word)) => span_of(&lex),
        _ => return Err(Malformed::BadName),
    };
    let mut group: Option<Span> = None;
    loop {
        match lex.next() {
            Some(Ok(Tok::Dot)) => match lex.next() {
                Some(Ok(Tok::Word)) => {
                    let g_start = group.map_or(name.start, |g| g.start);
                    group = Some(Span::new(g_start, name.end));
                    name = span_of(&lex);
                }
                _ => return Err(Malformed::BadName),
            },
            Some(Ok(Tok::Colon)) => {
                let colon = lex.span();
                return Ok(Header {
                    group,
                    name,
                    params: Span::new(name.end, name.end),
                    value: Span::new(colon.end, text.len()),
                    unterminated_quote: false,
                });
            }
            Some(Ok(Tok::Semi)) => break,
            None => return Err(Malformed::NoColon),
            _ => return Err(Malformed::BadName),
        }
    }
    // Parameters: everything up to the first colon that is not inside quotes.
    let params_start = name.end;
    let mut unterminated_quote = false;
    loop {
        match lex.next() {
            Some(Ok(Tok::Colon)) => {
                let colon = lex.span();
                return Ok(Header {
                    group,
                    name,
                    params: Span::new(params_start, colon.start),
                    value: Span::new(colon.end, text.len()),
                    unterminated_quote,
                });
            }
            Some(Ok(Tok::Quote)) => {
                if !skip_quoted(&mut lex) {
                    unterminated_quote = true;
                }
            }
            Some(_) => {}
            None => return Err(Malformed::NoColon),
        }
    }
}

/// After a [`Tok::Quote`], moves the lexer past the closing quote. Returns
/// false (and moves nothing) when there is no closing quote: the opening
/// quote is then an ordinary byte.
fn skip_quoted(lex: &mut logos::Lexer<'_, Tok>) -> bool {
    match memchr::memchr(b'"', lex.remainder()) {
        Some(i) => {
            lex.bump(i + 1);
            true
        }
        None => false,
    }
}

fn span_of(lex: &logos::Lexer<'_, Tok>) -> Span {
    let r = lex.span();
    Span::new(r.start, r.end)
}

/// One parameter as written: `NAME=value,"quoted value"` or a bare `VALUE`
/// (vCard 2.1 writes `TEL;WORK;VOICE:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawParam {
    /// The parameter name; for a bare parameter, the whole token.
    pub name: Span,
    /// True when the parameter had no `=` (vCard 2.1 style).
    pub bare: bool,
    /// Span of the values part (after the `=`), empty for bare parameters.
    pub values: Span,
    /// The value, when there is exactly one (no comma): found in the same
    /// pass, so that [`RawParam::values`] need not tokenize again.
    pub single: Option<RawParamValue>,
}

/// One value of a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawParamValue {
    /// The value bytes, without surrounding quotes.
    pub span: Span,
    /// True when the value was written in double quotes.
    pub quoted: bool,
}

/// Iterator over the parameters of a header (see [`Header::params`]).
#[derive(Clone)]
pub struct Params<'t> {
    lex: logos::Lexer<'t, Tok>,
    base: usize,
    pending: Option<(Tok, Span)>,
}

impl<'t> Params<'t> {
    /// Iterates the parameters found in `text[span]` (a span that starts at
    /// the `;` before the first parameter).
    pub fn new(text: &'t [u8], span: Span) -> Self {
        let region = span.of(text);
        Params {
            lex: Tok::lexer(region),
            base: span.start,
            pending: None,
        }
    }

    fn next_tok(&mut self) -> Option<(Tok, Span)> {
        if let Some(p) = self.pending.take() {
            return Some(p);
        }
        let t = self.lex.next()?;
        let t = match t {
            // A quoted string becomes one token; an unterminated quote is an
            // ordinary byte.
            Ok(Tok::Quote) if skip_quoted(&mut self.lex) => Tok::Quote,
            Ok(Tok::Quote) | Err(()) => Tok::Other,
            Ok(t) => t,
        };
        let r = self.lex.span();
        let span = Span::new(self.base + r.start, self.base + r.end);
        Some((t, span))
    }
}

impl Iterator for Params<'_> {
    type Item = RawParam;

    fn next(&mut self) -> Option<RawParam> {
        // Skip to the start of a parameter (after ';').
        let (mut tok, mut span) = self.next_tok()?;
        while tok == Tok::Semi {
            (tok, span) = self.next_tok()?;
        }
        // The name runs until '=' or ';' (or the end).
        let name_start = span.start;
        let mut name_end = span.end;
        loop {
            match self.next_tok() {
                None | Some((Tok::Semi, _)) => {
                    return Some(RawParam {
                        name: Span::new(name_start, name_end),
                        bare: true,
                        values: Span::new(name_end, name_end),
                        single: None,
                    });
                }
                Some((Tok::Eq, eq)) => {
                    // Values run until the next ';' that is not quoted.
                    let v_start = eq.end;
                    let mut v_end = eq.end;
                    let mut tokens = 0usize;
                    let mut comma = false;
                    let mut first_quote: Option<Span> = None;
                    loop {
                        match self.next_tok() {
                            None => break,
                            Some((Tok::Semi, s)) => {
                                self.pending = Some((Tok::Semi, s));
                                break;
                            }
                            Some((t, s)) => {
                                tokens += 1;
                                comma |= t == Tok::Comma;
                                if tokens == 1 && t == Tok::Quote {
                                    first_quote = Some(s);
                                }
                                v_end = s.end;
                            }
                        }
                    }
                    let single = if comma {
                        None
                    } else {
                        Some(match (tokens, first_quote) {
                            (1, Some(q)) => RawParamValue {
                                span: Span::new(q.start + 1, q.end.saturating_sub(1)),
                                quoted: true,
                            },
                            _ => RawParamValue {
                                span: Span::new(v_start, v_end),
                                quoted: false,
                            },
                        })
                    };
                    return Some(RawParam {
                        name: Span::new(name_start, name_end),
                        bare: false,
                        values: Span::new(v_start, v_end),
                        single,
                    });
                }
                Some((_, s)) => name_end = s.end,
            }
        }
    }
}

impl RawParam {
    /// Iterates the comma-separated values of this parameter.
    pub fn values<'t>(&self, text: &'t [u8]) -> ParamValues<'t> {
        ParamValues {
            lex: Tok::lexer(self.values.of(text)),
            base: self.values.start,
            single: self.single,
            done: false,
            empty_region: self.values.is_empty() && !self.bare,
            bare: self.bare,
        }
    }
}

/// Iterator over the values of one parameter.
pub struct ParamValues<'t> {
    lex: logos::Lexer<'t, Tok>,
    base: usize,
    single: Option<RawParamValue>,
    done: bool,
    empty_region: bool,
    bare: bool,
}

impl Iterator for ParamValues<'_> {
    type Item = RawParamValue;

    fn next(&mut self) -> Option<RawParamValue> {
        if self.done || self.bare {
            return None;
        }
        if let Some(v) = self.single.take() {
            self.done = true;
            return Some(v);
        }
        if self.empty_region {
            // `NAME=` has one empty value.
            self.done = true;
            return Some(RawParamValue {
                span: Span::new(self.base, self.base),
                quoted: false,
            });
        }
        let mut start: Option<usize> = None;
        let mut end = 0usize;
        let mut only_quoted: Option<Span> = None;
        let mut pieces = 0usize;
        loop {
            let t = match self.lex.next() {
                Some(Ok(Tok::Quote)) if skip_quoted(&mut self.lex) => Some(Ok(Tok::Quote)),
                Some(Ok(Tok::Quote)) => Some(Ok(Tok::Other)),
                t => t,
            };
            let r = self.lex.span();
            let span = Span::new(self.base + r.start, self.base + r.end);
            match t {
                None => {
                    self.done = true;
                    break;
                }
                Some(Ok(Tok::Comma)) => {
                    if start.is_none() {
                        // An empty value between commas.
                        return Some(RawParamValue {
                            span: Span::new(span.start, span.start),
                            quoted: false,
                        });
                    }
                    break;
                }
                Some(Ok(Tok::Quote)) => {
                    pieces += 1;
                    if start.is_none() {
                        start = Some(span.start);
                        only_quoted = Some(Span::new(span.start + 1, span.end.saturating_sub(1)));
                    }
                    end = span.end;
                }
                Some(_) => {
                    pieces += 1;
                    if start.is_none() {
                        start = Some(span.start);
                    }
                    end = span.end;
                }
            }
        }
        let start = start?;
        if pieces == 1
            && let Some(q) = only_quoted
        {
            return Some(RawParamValue {
                span: q,
                quoted: true,
            });
        }
        Some(RawParamValue {
            span: Span::new(start, end),
            quoted: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (name, bare, [(value, quoted)]) for each parameter.
    type Seen = Vec<(String, bool, Vec<(String, bool)>)>;

    fn params(text: &str) -> Seen {
        let t = text.as_bytes();
        let h = scan_header(t).unwrap();
        Params::new(t, h.params)
            .map(|p| {
                let name = String::from_utf8_lossy(p.name.of(t)).into_owned();
                let vals = p
                    .values(t)
                    .map(|v| (String::from_utf8_lossy(v.span.of(t)).into_owned(), v.quoted))
                    .collect();
                (name, p.bare, vals)
            })
            .collect()
    }

    #[test]
    fn simple_property() {
        let h = scan_header(b"SUMMARY:Hello: world").unwrap();
        assert_eq!(h.name.of(b"SUMMARY:Hello: world"), b"SUMMARY");
        assert_eq!(h.value.of(b"SUMMARY:Hello: world"), b"Hello: world");
        assert!(h.params.is_empty());
        assert!(h.group.is_none());
    }

    #[test]
    fn group_and_params() {
        let t = b"item1.TEL;TYPE=work,voice;PREF=1:+1 555";
        let h = scan_header(t).unwrap();
        assert_eq!(h.group.unwrap().of(t), b"item1");
        assert_eq!(h.name.of(t), b"TEL");
        assert_eq!(h.value.of(t), b"+1 555");
        assert_eq!(
            params(std::str::from_utf8(t).unwrap()),
            vec![
                (
                    "TYPE".into(),
                    false,
                    vec![("work".into(), false), ("voice".into(), false)]
                ),
                ("PREF".into(), false, vec![("1".into(), false)]),
            ]
        );
    }

    #[test]
    fn colon_inside_quotes_does_not_end_header() {
        let t = br#"X-BAR;PARAM1="VAL1:FOO":BAZ;BAR"#;
        let h = scan_header(t).unwrap();
        assert_eq!(h.value.of(t), b"BAZ;BAR");
        let p = params(std::str::from_utf8(t).unwrap());
        assert_eq!(p[0].2, vec![("VAL1:FOO".to_string(), true)]);
    }

    #[test]
    fn quoted_lists_and_semicolons() {
        let p = params(r#"ATTENDEE;DELEGATED-TO="mailto:a@b","mailto:c@d";CN="Foo; Bar":mailto:x"#);
        assert_eq!(
            p[0].2,
            vec![("mailto:a@b".into(), true), ("mailto:c@d".into(), true)]
        );
        assert_eq!(p[1].2, vec![("Foo; Bar".into(), true)]);
    }

    #[test]
    fn backslash_is_not_an_escape_in_params() {
        let t = br#"ATTENDEE;CN="Y\":mailto:y@example.org"#;
        let h = scan_header(t).unwrap();
        assert_eq!(h.value.of(t), b"mailto:y@example.org");
        let t = br"ATTENDEE;CN=X\:mailto:x@example.org";
        let h = scan_header(t).unwrap();
        assert_eq!(h.value.of(t), b"mailto:x@example.org");
    }

    #[test]
    fn bare_params_vcard21() {
        let p = params("TEL;WORK;VOICE:555");
        assert_eq!(p.len(), 2);
        assert!(p[0].1 && p[1].1);
        assert_eq!(p[0].0, "WORK");
        assert_eq!(p[1].0, "VOICE");
    }

    #[test]
    fn equals_inside_values_and_empty_values() {
        let p = params("ATTACH;X-B=UGFy=;EMPTY=;LIST=a,,b:x");
        assert_eq!(p[0].2, vec![("UGFy=".into(), false)]);
        assert_eq!(p[1].2, vec![("".into(), false)]);
        assert_eq!(
            p[2].2,
            vec![("a".into(), false), ("".into(), false), ("b".into(), false)]
        );
    }

    #[test]
    fn unterminated_quote_is_literal() {
        let t = br#"X;P="abc:value"#;
        let h = scan_header(t).unwrap();
        assert!(h.unterminated_quote);
        assert_eq!(h.value.of(t), b"value");
    }

    #[test]
    fn fast_path_agrees_with_tokenizer() {
        // Every combination of a few header pieces, plus junk.
        let pieces: &[&[u8]] = &[
            b"A",
            b"x-y",
            b".",
            b";",
            b":",
            b"=",
            b",",
            b"\"",
            b" ",
            b"\xc3\xa9",
            b"_",
            b"9",
            b"v:w",
        ];
        let mut cases: Vec<Vec<u8>> = Vec::new();
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    for d in pieces {
                        cases.push([*a, *b, *c, *d].concat());
                    }
                }
            }
        }
        for case in &cases {
            if let Some(fast) = fast_header(case) {
                assert_eq!(
                    fast,
                    logos_header(case),
                    "{:?}",
                    String::from_utf8_lossy(case)
                );
            }
        }
    }

    #[test]
    fn malformed_lines() {
        assert_eq!(scan_header(b"no colon here"), Err(Malformed::BadName));
        assert_eq!(scan_header(b"NOCOLON"), Err(Malformed::NoColon));
        assert_eq!(
            scan_header(b"<html><body style=\"a:b\">"),
            Err(Malformed::BadName)
        );
        assert_eq!(scan_header(b":value"), Err(Malformed::BadName));
        assert_eq!(scan_header(b""), Err(Malformed::BadName));
    }
}
