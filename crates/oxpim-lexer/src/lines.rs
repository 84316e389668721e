//! Splitting input into logical content lines.

use std::borrow::Cow;

use memchr::memchr2;

use crate::header::{Header, Malformed, Params, Span, scan_header};

/// Options of a [`Lexer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LexOptions {
    /// Longest unfolded line kept, in bytes. A longer line is still consumed
    /// in linear time and its raw bytes are still reported, but its text is
    /// cut at this length and [`ContentLine::too_long`] is set.
    pub max_line_bytes: usize,
    /// True when the input is complete. When false (streaming), a line that
    /// touches the end of the input is not reported, because more bytes could
    /// still continue it; see [`Lexer::offset`].
    pub complete: bool,
}

impl LexOptions {
    /// The default longest line: 64 MiB.
    pub const DEFAULT_MAX_LINE_BYTES: usize = 64 << 20;
}

impl Default for LexOptions {
    fn default() -> Self {
        LexOptions {
            max_line_bytes: Self::DEFAULT_MAX_LINE_BYTES,
            complete: true,
        }
    }
}

/// The kinds of line break met in the input (a bit set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LineBreaks(u8);

impl LineBreaks {
    const CRLF: u8 = 1;
    const LF: u8 = 2;
    const CR: u8 = 4;
    const CRCRLF: u8 = 8;
    /// At least one `\r\n`.
    pub fn crlf(self) -> bool {
        self.0 & Self::CRLF != 0
    }
    /// At least one bare `\n`.
    pub fn lf(self) -> bool {
        self.0 & Self::LF != 0
    }
    /// At least one bare `\r`.
    pub fn cr(self) -> bool {
        self.0 & Self::CR != 0
    }
    /// At least one `\r\r\n` (read as one line break).
    pub fn crcrlf(self) -> bool {
        self.0 & Self::CRCRLF != 0
    }
}

/// What a logical line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// `[group.]name[;params]:value`.
    Property(Header),
    /// An empty line.
    Blank,
    /// Something else; kept so that callers can report it and keep its bytes.
    Malformed(Malformed),
}

/// One logical (unfolded) content line.
#[derive(Debug, Clone)]
pub struct ContentLine<'a> {
    raw: Cow<'a, [u8]>,
    offset: usize,
    line: u32,
    physical_lines: u32,
    text: Cow<'a, [u8]>,
    kind: LineKind,
    breaks: LineBreaks,
    qp_joins: u32,
    too_long: bool,
    terminated: bool,
}

impl<'a> ContentLine<'a> {
    /// The exact source bytes of this line: every physical line it spans,
    /// with their line breaks.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }
    /// Byte offset of [`raw`](Self::raw) in the input.
    pub fn offset(&self) -> usize {
        self.offset
    }
    /// 1-based number of the physical line where this logical line starts.
    pub fn line(&self) -> u32 {
        self.line
    }
    /// How many physical lines this logical line spans.
    pub fn physical_lines(&self) -> u32 {
        self.physical_lines
    }
    /// The unfolded bytes, without the line break. Borrowed from the input
    /// when the line was not folded.
    pub fn text(&self) -> &[u8] {
        &self.text
    }
    /// Takes the unfolded bytes out of the line.
    pub fn into_text(self) -> Cow<'a, [u8]> {
        self.text
    }
    /// Copies borrowed bytes so that the line outlives its input.
    pub fn into_owned(self) -> ContentLine<'static> {
        ContentLine {
            raw: Cow::Owned(self.raw.into_owned()),
            offset: self.offset,
            line: self.line,
            physical_lines: self.physical_lines,
            text: Cow::Owned(self.text.into_owned()),
            kind: self.kind,
            breaks: self.breaks,
            qp_joins: self.qp_joins,
            too_long: self.too_long,
            terminated: self.terminated,
        }
    }
    /// What this line is.
    pub fn kind(&self) -> LineKind {
        self.kind
    }
    /// The header when this is a property line.
    pub fn header(&self) -> Option<&Header> {
        match &self.kind {
            LineKind::Property(h) => Some(h),
            _ => None,
        }
    }
    /// Whether the parameters declare quoted-printable encoding
    /// (`ENCODING=QUOTED-PRINTABLE` or the bare 2.1 parameter): the lines
    /// the lexer joins at soft breaks.
    pub fn quoted_printable(&self) -> bool {
        self.header()
            .is_some_and(|h| params_say_qp(h.params.of(&self.text)))
    }
    /// The property name (empty for other lines).
    pub fn name(&self) -> &[u8] {
        self.header().map_or(&[][..], |h| h.name.of(&self.text))
    }
    /// The group prefix, if any.
    pub fn group(&self) -> Option<&[u8]> {
        self.header()
            .and_then(|h| h.group)
            .map(|g| g.of(&self.text))
    }
    /// The value bytes (still escaped and encoded as written).
    pub fn value(&self) -> &[u8] {
        self.header().map_or(&[][..], |h| h.value.of(&self.text))
    }
    /// Iterates the parameters.
    pub fn params(&self) -> Params<'_> {
        let span = self.header().map_or(Span::default(), |h| h.params);
        Params::new(&self.text, span)
    }
    /// The line breaks this line used.
    pub fn breaks(&self) -> LineBreaks {
        self.breaks
    }
    /// True when continuation lines were joined to the first one.
    pub fn folded(&self) -> bool {
        self.physical_lines > 1
    }
    /// How many quoted-printable soft line breaks (`=` at the end of a line)
    /// were joined.
    pub fn qp_soft_breaks(&self) -> u32 {
        self.qp_joins
    }
    /// True when the unfolded text was cut at [`LexOptions::max_line_bytes`].
    pub fn too_long(&self) -> bool {
        self.too_long
    }
    /// False when the input ended without a line break after this line.
    pub fn terminated(&self) -> bool {
        self.terminated
    }

    /// Maps a byte offset in [`text`](Self::text) back to a 1-based
    /// (line, column) position in the source. Columns count bytes.
    ///
    /// Runs in time linear in the length of the raw line; meant for
    /// diagnostics, not for hot paths.
    pub fn locate(&self, text_offset: usize) -> (u32, u32) {
        let mut line = self.line;
        let mut consumed = 0usize; // text bytes accounted for so far
        let mut pos = 0usize; // position in raw
        let raw: &[u8] = &self.raw;
        let mut first = true;
        loop {
            let rest = raw.get(pos..).unwrap_or_default();
            let (content_len, brk_len) = match memchr2(b'\r', b'\n', rest) {
                Some(i) => {
                    let len = match (rest.get(i), rest.get(i + 1), rest.get(i + 2)) {
                        (Some(b'\r'), Some(b'\n'), _) => 2,
                        (Some(b'\r'), Some(b'\r'), Some(b'\n')) => 3,
                        _ => 1,
                    };
                    (i, len)
                }
                None => (rest.len(), 0),
            };
            // Bytes of this physical line that were dropped from the text:
            // the fold's leading whitespace.
            let mut skip = 0usize;
            if !first && matches!(rest.first(), Some(b' ' | b'\t')) {
                skip = 1;
            }
            let mut contributes = content_len.saturating_sub(skip);
            // A quoted-printable soft break drops the trailing '='.
            let next = raw.get(pos + content_len + brk_len..).unwrap_or_default();
            let qp_join = self.qp_joins > 0
                && brk_len > 0
                && !next.is_empty()
                && content_len > skip
                && rest.get(content_len.wrapping_sub(1)) == Some(&b'=');
            if qp_join {
                contributes -= 1;
            }
            if text_offset < consumed + contributes || brk_len == 0 || next.is_empty() {
                let col = text_offset.saturating_sub(consumed) + skip + 1;
                return (line, u32::try_from(col).unwrap_or(u32::MAX));
            }
            consumed += contributes;
            pos += content_len + brk_len;
            line += 1;
            first = false;
        }
    }
}

/// Iterator of [`ContentLine`]s over a byte slice.
///
/// Handles CRLF, LF and bare CR (mixed in one input), folding with space or
/// tab, a leading UTF-8 byte order mark, and quoted-printable soft line
/// breaks for properties with `ENCODING=QUOTED-PRINTABLE` (or the bare
/// vCard 2.1 `QUOTED-PRINTABLE` parameter). Runs in time linear in the input.
#[derive(Debug, Clone)]
pub struct Lexer<'a> {
    input: &'a [u8],
    pos: usize,
    line: u32,
    opts: LexOptions,
    bom: bool,
}

/// The UTF-8 byte order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

impl<'a> Lexer<'a> {
    /// A lexer with default options over complete input.
    pub fn new(input: &'a [u8]) -> Self {
        Self::with_options(input, LexOptions::default())
    }

    /// A lexer with the given options.
    pub fn with_options(input: &'a [u8], opts: LexOptions) -> Self {
        let bom = input.starts_with(BOM);
        Lexer {
            input,
            pos: if bom { BOM.len() } else { 0 },
            line: 1,
            opts,
            bom,
        }
    }

    /// A lexer that starts at `offset` of `input`, counting lines from
    /// `line`. Used by streaming readers that resume in the middle of a
    /// buffer. No byte order mark is looked for.
    pub fn resume(input: &'a [u8], offset: usize, line: u32, opts: LexOptions) -> Self {
        Lexer {
            input,
            pos: offset.min(input.len()),
            line,
            opts,
            bom: false,
        }
    }

    /// True when the input started with a UTF-8 byte order mark (skipped).
    pub fn had_bom(&self) -> bool {
        self.bom
    }

    /// Offset of the next unread byte. With incomplete input, this is where
    /// the line that could not be finished starts.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// 1-based number of the next physical line.
    pub fn line_number(&self) -> u32 {
        self.line
    }

    /// Finds the end of the physical line starting at `start`:
    /// (end of content, start of next line, break kind bit), or `None` when
    /// the input is incomplete and the line break could still change.
    fn physical_line(&self, start: usize) -> Option<(usize, usize, u8)> {
        let rest = self.input.get(start..).unwrap_or_default();
        match memchr2(b'\r', b'\n', rest) {
            Some(i) => {
                let at = start + i;
                if self.input.get(at) == Some(&b'\r') {
                    match self.input.get(at + 1) {
                        Some(b'\n') => Some((at, at + 2, LineBreaks::CRLF)),
                        // CR CR LF: a CRLF file passed through a text-mode
                        // conversion (seen in iPhone exports). One break.
                        Some(b'\r') if self.input.get(at + 2) == Some(&b'\n') => {
                            Some((at, at + 3, LineBreaks::CRCRLF))
                        }
                        Some(b'\r') if self.input.get(at + 2).is_none() && !self.opts.complete => {
                            None
                        }
                        Some(_) => Some((at, at + 1, LineBreaks::CR)),
                        None if self.opts.complete => Some((at, at + 1, LineBreaks::CR)),
                        None => None,
                    }
                } else {
                    Some((at, at + 1, LineBreaks::LF))
                }
            }
            None if self.opts.complete => Some((self.input.len(), self.input.len(), 0)),
            None => None,
        }
    }
}

/// Whether the header declares quoted-printable encoding; `None` while the
/// header is not complete (no value colon seen yet).
impl Lexer<'_> {
    /// Bytes of content in the fold continuation lines starting at `at`
    /// (a capacity hint, capped at the line limit).
    fn continuation_len(&self, mut at: usize) -> usize {
        let mut total = 0usize;
        while matches!(self.input.get(at), Some(b' ' | b'\t')) && total < self.opts.max_line_bytes {
            let rest = self.input.get(at..).unwrap_or_default();
            match memchr2(b'\r', b'\n', rest) {
                Some(i) => {
                    total += i;
                    at += i + 1;
                    if self.input.get(at.wrapping_sub(1)) == Some(&b'\r')
                        && self.input.get(at) == Some(&b'\n')
                    {
                        at += 1;
                    }
                }
                None => {
                    total += rest.len();
                    break;
                }
            }
        }
        total.min(self.opts.max_line_bytes)
    }
}

fn is_qp_header(text: &[u8]) -> Option<bool> {
    match scan_header(text) {
        Ok(h) => Some(params_say_qp(h.params.of(text))),
        Err(_) => None,
    }
}

/// The quoted-printable rule on a header's parameter bytes.
fn params_say_qp(params: &[u8]) -> bool {
    params
        .windows(16)
        .any(|w| w.eq_ignore_ascii_case(b"QUOTED-PRINTABLE"))
}

fn starts_with_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    hay.get(..needle.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(needle))
}

impl<'a> Iterator for Lexer<'a> {
    type Item = ContentLine<'a>;

    fn next(&mut self) -> Option<ContentLine<'a>> {
        let input = self.input;
        if self.pos >= input.len() {
            return None;
        }
        let start = self.pos;
        let max = self.opts.max_line_bytes;
        let (first_end, mut next, brk) = self.physical_line(start)?;
        let mut breaks = brk;
        let mut terminated = brk != 0;
        let mut physical = 1u32;
        let mut qp_joins = 0u32;
        let mut too_long = false;
        let first = input.get(start..first_end).unwrap_or_default();
        let mut text: Cow<'a, [u8]> = if first.len() > max {
            too_long = true;
            Cow::Borrowed(first.get(..max).unwrap_or_default())
        } else {
            Cow::Borrowed(first)
        };
        // None = not yet known.
        let mut qp: Option<bool> = None;
        loop {
            if next >= input.len() {
                if !self.opts.complete && terminated {
                    // The next chunk could start with a fold.
                    return None;
                }
                break;
            }
            let c = input.get(next).copied().unwrap_or(b'\n');
            let is_fold = c == b' ' || c == b'\t';
            let soft_break = text.last() == Some(&b'=')
                && !too_long
                && {
                    match qp {
                        Some(v) => v,
                        None => {
                            let v = is_qp_header(&text);
                            qp = v;
                            v.unwrap_or(false)
                        }
                    }
                }
                && {
                    // Never swallow a component boundary.
                    let following = input.get(next..).unwrap_or_default();
                    is_fold
                        || !(starts_with_ignore_case(following, b"END:")
                            || starts_with_ignore_case(following, b"BEGIN:"))
                };
            if !is_fold && !soft_break {
                break;
            }
            let cont_start = if is_fold { next + 1 } else { next };
            let (cont_end, after, brk) = self.physical_line(cont_start)?;
            breaks |= brk;
            terminated = brk != 0;
            physical += 1;
            if let Cow::Borrowed(first) = text {
                // First continuation: size the buffer for the whole
                // logical line at once.
                let mut v = Vec::with_capacity(first.len() + self.continuation_len(next));
                v.extend_from_slice(first);
                text = Cow::Owned(v);
            }
            let owned = text.to_mut();
            if soft_break {
                owned.pop();
                qp_joins += 1;
            }
            let piece = input.get(cont_start..cont_end).unwrap_or_default();
            if !too_long {
                let room = max.saturating_sub(owned.len());
                if piece.len() > room {
                    too_long = true;
                    owned.extend_from_slice(piece.get(..room).unwrap_or_default());
                } else {
                    owned.extend_from_slice(piece);
                }
            }
            next = after;
        }
        let raw = input.get(start..next).unwrap_or_default();
        let kind = if text.is_empty() {
            LineKind::Blank
        } else {
            match scan_header(&text) {
                Ok(h) => LineKind::Property(h),
                Err(m) => LineKind::Malformed(m),
            }
        };
        let line = self.line;
        self.line = self.line.saturating_add(physical);
        self.pos = next;
        Some(ContentLine {
            raw: Cow::Borrowed(raw),
            offset: start,
            line,
            physical_lines: physical,
            text,
            kind,
            breaks: LineBreaks(breaks),
            qp_joins,
            too_long,
            terminated,
        })
    }
}

/// The number of line breaks in `input` as [`Lexer`] counts them over
/// complete input: CRLF, LF, a bare CR, and CR CR LF (one break). The line
/// number of the line that starts right after `input` is one more: a lexer
/// can [`resume`](Lexer::resume) there with the number a lexer from the
/// start would have reached.
pub fn count_line_breaks(input: &[u8]) -> usize {
    // Two passes the compiler vectorises: LF bytes, and CR bytes not
    // followed by LF. When there are none of the latter (LF or CRLF
    // files), the LF bytes are the breaks.
    const BLOCK: usize = 64;
    let mut lf = 0usize;
    let mut odd_cr = 0usize;
    let mut at = 0usize;
    while let (Some(block), Some(next)) =
        (input.get(at..at + BLOCK), input.get(at + 1..at + BLOCK + 1))
    {
        // At most 64 per block: the counts fit in a byte.
        let mut l = 0u8;
        let mut c = 0u8;
        for (&b, &n) in block.iter().zip(next) {
            l += u8::from(b == b'\n');
            c += u8::from(b == b'\r' && n != b'\n');
        }
        lf += usize::from(l);
        odd_cr += usize::from(c);
        at += BLOCK;
    }
    let tail = input.get(at..).unwrap_or_default();
    lf += tail.iter().filter(|&&b| b == b'\n').count();
    odd_cr += memchr::memchr_iter(b'\r', tail)
        .filter(|&i| tail.get(i + 1) != Some(&b'\n'))
        .count();
    if odd_cr == 0 {
        return lf;
    }
    // Otherwise a CR is a break of its own unless it is followed by LF or
    // by CR LF (the breaks those make end at their LF, counted above).
    let bare = memchr::memchr_iter(b'\r', input)
        .filter(|&i| match input.get(i + 1) {
            Some(b'\n') => false,
            Some(b'\r') => input.get(i + 2) != Some(&b'\n'),
            _ => true,
        })
        .count();
    lf + bare
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn texts(input: &[u8]) -> Vec<String> {
        Lexer::new(input)
            .map(|l| String::from_utf8_lossy(l.text()).into_owned())
            .collect()
    }

    #[test]
    fn mixed_line_endings() {
        let input = b"BEGIN:VCALENDAR\r\nA:1\nB:2\rC:3\r\nEND:VCALENDAR";
        assert_eq!(
            texts(input),
            ["BEGIN:VCALENDAR", "A:1", "B:2", "C:3", "END:VCALENDAR"]
        );
        let lines: Vec<_> = Lexer::new(input).collect();
        assert_eq!(lines[2].line(), 3);
        assert!(lines[2].breaks().cr());
        assert!(lines[1].breaks().lf());
        assert!(!lines[4].terminated());
        let total: usize = lines.iter().map(|l| l.raw().len()).sum();
        assert_eq!(total, input.len());
    }

    #[test]
    fn cr_cr_lf_is_one_break() {
        let input = b"PHOTO:abcd\r\r\n efgh\r\r\nX:1\r\r\n";
        let lines: Vec<_> = Lexer::new(input).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].value(), b"abcdefgh");
        assert!(lines[0].breaks().crcrlf());
        assert_eq!(lines[1].line(), 3);
        assert_eq!(lines[0].locate(6), (1, 7));
        assert_eq!(lines[0].locate(10), (2, 2));
    }

    #[test]
    fn folding_with_space_and_tab() {
        let input = b"DESCRIPTION:ab\r\n cd\r\n\tef\r\nX:1\r\n";
        let lines: Vec<_> = Lexer::new(input).collect();
        assert_eq!(lines[0].text(), b"DESCRIPTION:abcdef");
        assert_eq!(lines[0].physical_lines(), 3);
        assert_eq!(lines[1].line(), 4);
        assert!(matches!(lines[0].text, Cow::Owned(_)));
        assert!(matches!(lines[1].text, Cow::Borrowed(_)));
    }

    #[test]
    fn fold_splitting_utf8_sequence_is_repaired() {
        // "Café" with the two bytes of 'é' split across a fold.
        let input = b"SUMMARY:Caf\xC3\r\n \xA9 time\r\n";
        let l = Lexer::new(input).next().unwrap();
        assert_eq!(std::str::from_utf8(l.value()).unwrap(), "Café time");
    }

    #[test]
    fn bom_is_skipped() {
        let mut lx = Lexer::new(b"\xEF\xBB\xBFBEGIN:VCARD\r\n");
        assert!(lx.had_bom());
        assert_eq!(lx.next().unwrap().name(), b"BEGIN");
    }

    #[test]
    fn qp_soft_breaks_join_lines() {
        let input = b"LABEL;WORK;ENCODING=QUOTED-PRINTABLE:Cresent moon drive=0D=0A=\r\nAlbaney, New York\r\nEND:VCARD\r\n";
        let lines: Vec<_> = Lexer::new(input).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0].value(),
            b"Cresent moon drive=0D=0AAlbaney, New York"
        );
        assert_eq!(lines[0].qp_soft_breaks(), 1);
        assert_eq!(lines[1].line(), 3);
    }

    #[test]
    fn bare_qp_param_and_soft_break_before_end_is_not_joined() {
        let input = b"NOTE;QUOTED-PRINTABLE:a=\r\nb=\r\nEND:VCARD\r\n";
        let lines: Vec<_> = Lexer::new(input).collect();
        assert_eq!(lines[0].value(), b"ab=");
        assert_eq!(lines[1].name(), b"END");
    }

    #[test]
    fn equals_at_end_without_qp_is_not_a_soft_break() {
        let input = b"X-B64:abc=\r\nY:1\r\n";
        assert_eq!(texts(input), ["X-B64:abc=", "Y:1"]);
    }

    #[test]
    fn blank_and_malformed_lines() {
        let input = b"\r\n\r\nno colon\r\nA:1\r\n";
        let kinds: Vec<_> = Lexer::new(input).map(|l| l.kind()).collect();
        assert_eq!(kinds[0], LineKind::Blank);
        assert_eq!(kinds[1], LineKind::Blank);
        assert_eq!(kinds[2], LineKind::Malformed(Malformed::BadName));
        assert!(matches!(kinds[3], LineKind::Property(_)));
    }

    #[test]
    fn locate_maps_through_folds() {
        let input = b"ATTENDEE;CN=A;ROLE=REQ-PARTICI\r\n PANT;X=1:mailto:a@b\r\n";
        let l = Lexer::new(input).next().unwrap();
        let text = l.text();
        let x = text.windows(3).position(|w| w == b";X=").unwrap();
        assert_eq!(l.locate(x), (2, 6));
        assert_eq!(l.locate(0), (1, 1));
    }

    #[test]
    fn long_line_is_cut_but_consumed() {
        let mut input = b"X:".to_vec();
        input.extend(std::iter::repeat_n(b'a', 1000));
        input.extend_from_slice(b"\r\nY:1\r\n");
        let opts = LexOptions {
            max_line_bytes: 100,
            complete: true,
        };
        let lines: Vec<_> = Lexer::with_options(&input, opts).collect();
        assert!(lines[0].too_long());
        assert_eq!(lines[0].text().len(), 100);
        assert_eq!(lines[0].raw().len(), 1004);
        assert_eq!(lines[1].name(), b"Y");
    }

    #[test]
    fn incomplete_input_stops_before_unfinished_line() {
        let opts = LexOptions {
            complete: false,
            ..LexOptions::default()
        };
        let mut lx = Lexer::with_options(b"A:1\r\nB:2\r\nC:", opts);
        assert_eq!(lx.next().unwrap().name(), b"A");
        // B is terminated, but the next bytes could be a fold: still complete
        // because 'C' follows.
        assert_eq!(lx.next().unwrap().name(), b"B");
        assert!(lx.next().is_none());
        assert_eq!(lx.offset(), 10);
        // A line ending exactly at the end of a chunk is held back.
        let mut lx = Lexer::with_options(b"A:1\r\n", opts);
        assert!(lx.next().is_none());
        assert_eq!(lx.offset(), 0);
    }

    #[test]
    fn many_empty_lines_and_lf_only_are_linear() {
        let input = vec![b'\n'; 1_000_000];
        assert_eq!(Lexer::new(&input).count(), 1_000_000);
    }

    #[test]
    fn counted_breaks_match_the_lexer() {
        // Every mix of CR, LF, folds and text, up to 7 bytes (the CR CR LF
        // and CR CR CR LF cases included), and then some longer seeded ones.
        let alphabet: &[u8] = b"\r\n a:";
        let mut inputs: Vec<Vec<u8>> = vec![Vec::new()];
        let mut level = vec![Vec::new()];
        for _ in 0..7 {
            let mut next = Vec::new();
            for v in &level {
                for &c in alphabet {
                    let mut w: Vec<u8> = v.clone();
                    w.push(c);
                    next.push(w);
                }
            }
            inputs.extend(next.iter().cloned());
            level = next;
        }
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2000 {
            let len = (seed % 200) as usize;
            let mut v = Vec::with_capacity(len);
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                v.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            inputs.push(v);
        }
        for input in &inputs {
            let mut lexer = Lexer::new(input);
            for _ in lexer.by_ref() {}
            // The lexer's next line number counts the breaks it passed; a
            // last line without a break is not followed by another line.
            let ends_with_break = matches!(input.last(), Some(b'\r' | b'\n'));
            let lines = lexer.line_number() as usize - 1;
            let breaks = count_line_breaks(input);
            if ends_with_break || input.is_empty() {
                assert_eq!(breaks, lines, "{input:?}");
            } else {
                assert_eq!(breaks + 1, lines, "{input:?}");
            }
        }
    }
}
