//! Writing text: faithful (source bytes of unmodified items) or canonical.

use std::fmt::Write as _;

use memchr::memchr2;

use crate::decode::{encode_base64, encode_quoted_printable};
use crate::model::{Component, Dialect, Document, ParamValue, Property, Raw};
use crate::value::registry;
use crate::value::text::{
    PARAM_CARET, PARAM_ENCODE, PARAM_QUOTE, blank_edged, encode_caret, escape_into,
    param_byte_kinds, param_needs_quotes,
};
use crate::value::time::{
    format_date, format_date_and_or_time, format_date_time, format_duration, format_period,
    format_time, format_utc_offset, format_utc_offset_ext, format_vcard_time,
};
use crate::value::{Value, ValueType, recur::format_recur};

/// How to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    /// Write the source bytes of every unmodified item (with CRLF line
    /// breaks), so that an unmodified document comes out line for line as
    /// it came in. When false, everything is serialised from the typed
    /// model (normalisation, `oxpim fmt`).
    pub faithful: bool,
    /// Fold lines longer than this many octets (75 in RFC 5545/6350).
    pub fold_at: usize,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            faithful: true,
            fold_at: 75,
        }
    }
}

impl WriteOptions {
    /// Canonical serialisation (normalisation).
    pub fn canonical() -> Self {
        WriteOptions {
            faithful: false,
            fold_at: 75,
        }
    }
}

/// Writes a document.
pub fn write_document(doc: &Document, opts: &WriteOptions) -> Vec<u8> {
    let mut w = Writer::new(*opts);
    // Size the output once: growing a large buffer by doubling copies it
    // and touches fresh pages at every step.
    let estimate: usize = doc.components.iter().map(estimated_len).sum();
    w.out.reserve(estimate + estimate / 16);
    w.document(doc);
    std::mem::take(&mut w.out)
}

/// Bytes a streaming write gathers before passing them on (see
/// [`write_document_to`]).
pub const STREAM_CHUNK: usize = 64 * 1024;

/// Writes a document to `sink` as it is serialised, in pieces of about
/// [`STREAM_CHUNK`] bytes (more only for a single longer item), instead of
/// building the whole text in memory first: the memory used does not grow
/// with the document. The bytes are those [`write_document`] returns.
///
/// What is held at a time: the pieces gathered so far, one item more (a
/// property's line, or in a faithful write an item's source bytes with
/// the comment and blank lines kept with it, and the document's leading
/// bytes), and one small frame per open component.
///
/// `sink` gets `write_all` calls and no `flush`. Pass a buffered sink
/// (`BufWriter`) as `&mut` and flush it afterwards: one dropped here would
/// flush itself and lose that flush's error. The first error of `sink`
/// stops the writing (nothing more is serialised or passed on) and is
/// returned.
pub fn write_document_to<W: std::io::Write>(
    doc: &Document,
    opts: &WriteOptions,
    mut sink: W,
) -> std::io::Result<()> {
    let mut w = Writer::new(*opts);
    w.out.reserve(STREAM_CHUNK + STREAM_CHUNK / 4);
    w.sink = Some(Spill {
        to: &mut sink,
        error: None,
    });
    w.document(doc);
    w.spill_now();
    match w.sink.take().and_then(|s| s.error) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// About how many bytes a component will take: its source bytes where it
/// has them, a typical line length otherwise.
fn estimated_len(c: &Component) -> usize {
    let mut total = 0usize;
    let mut stack = vec![c];
    while let Some(c) = stack.pop() {
        total += c.begin_raw.as_ref().map_or(16, |r| r.bytes().len());
        total += c.end_raw.as_ref().map_or(16, |r| r.bytes().len());
        total += c
            .properties
            .iter()
            .map(|p| p.raw.as_ref().map_or(80, |r| r.bytes().len()))
            .sum::<usize>();
        stack.extend(c.components.iter());
    }
    total
}

/// Writes one component (and its subtree).
pub fn write_component(c: &Component, opts: &WriteOptions) -> Vec<u8> {
    let mut out = Vec::new();
    write_component_into(c, opts, &mut out);
    out
}

/// Writes one property as it would appear in `dialect`, with its line break.
pub fn write_property(p: &Property, dialect: Dialect, opts: &WriteOptions) -> Vec<u8> {
    let mut out = Vec::new();
    write_property_into(p, dialect, opts, &mut out);
    out
}

/// [`write_component`], appending to `out` (no buffer of its own).
pub fn write_component_into(c: &Component, opts: &WriteOptions, out: &mut Vec<u8>) {
    let mut w = Writer::new(*opts);
    w.out = std::mem::take(out);
    w.out.reserve(estimated_len(c));
    w.component(c);
    *out = std::mem::take(&mut w.out);
}

/// [`write_property`], appending to `out` (no buffer of its own).
pub fn write_property_into(p: &Property, dialect: Dialect, opts: &WriteOptions, out: &mut Vec<u8>) {
    let mut w = Writer::new(*opts);
    w.out = std::mem::take(out);
    w.out
        .reserve(p.raw.as_ref().map_or(80, |r| r.bytes().len()) + 2);
    w.property(p, dialect);
    *out = std::mem::take(&mut w.out);
}

/// Writes text to a `String` (the output is always UTF-8 unless source
/// bytes were not).
pub fn to_string(doc: &Document, opts: &WriteOptions) -> String {
    String::from_utf8_lossy(&write_document(doc, opts)).into_owned()
}

struct Writer<'s> {
    opts: WriteOptions,
    out: Vec<u8>,
    /// Scratch buffers, reused for every property.
    line: String,
    value: String,
    /// Where a streaming write passes `out` on ([`write_document_to`]);
    /// `None` when the whole text is built in `out`.
    sink: Option<Spill<'s>>,
}

impl Drop for Writer<'_> {
    fn drop(&mut self) {
        if self.line.capacity() <= SCRATCH_KEPT && self.value.capacity() <= SCRATCH_KEPT {
            let scratch = (
                std::mem::take(&mut self.line),
                std::mem::take(&mut self.value),
            );
            let _ = SCRATCH.try_with(|s| s.set(Some(scratch)));
        }
    }
}

/// The destination of a streaming write, and its first error.
struct Spill<'s> {
    to: &'s mut dyn std::io::Write,
    error: Option<std::io::Error>,
}

thread_local! {
    /// The scratch buffers of the last [`Writer`] dropped on this thread,
    /// for the next one: callers that write many single properties or
    /// components (import keeps unmapped lines and alarms as text) would
    /// otherwise allocate and grow two buffers for each.
    static SCRATCH: std::cell::Cell<Option<(String, String)>> =
        const { std::cell::Cell::new(None) };
}

/// Largest scratch buffer kept for the next writer on a thread (a longer
/// line's buffer is freed with its writer).
const SCRATCH_KEPT: usize = 16 * 1024;

impl<'s> Writer<'s> {
    fn new(opts: WriteOptions) -> Self {
        // A writer made while another is alive on the thread (a sink that
        // writes) finds none and makes its own.
        let (line, value) = SCRATCH
            .try_with(std::cell::Cell::take)
            .ok()
            .flatten()
            .unwrap_or_default();
        Writer {
            opts,
            out: Vec::new(),
            line,
            value,
            sink: None,
        }
    }

    /// A whole document: its leading bytes (faithful) and components.
    fn document(&mut self, doc: &Document) {
        if self.opts.faithful
            && let Some(r) = &doc.leading
        {
            // Leading bytes that end without a line break (a BOM) begin
            // the first line: no line break is added after them.
            let b = r.bytes();
            let cut = b
                .iter()
                .rposition(|c| *c == b'\n' || *c == b'\r')
                .map_or(0, |i| i + 1);
            let (lines, prefix) = b.split_at(cut);
            self.raw(lines);
            self.out.extend_from_slice(prefix);
        }
        for c in &doc.components {
            if self.failed() {
                return;
            }
            self.component(c);
        }
    }

    /// Passes the gathered bytes on when a streaming write has gathered
    /// [`STREAM_CHUNK`] of them.
    fn spill(&mut self) {
        if self.out.len() >= STREAM_CHUNK {
            self.spill_now();
        }
    }

    /// Passes the gathered bytes on (streaming writes only). After an
    /// error they are dropped: the write is abandoned.
    fn spill_now(&mut self) {
        if let Some(s) = &mut self.sink {
            if s.error.is_none()
                && let Err(e) = s.to.write_all(&self.out)
            {
                s.error = Some(e);
            }
            self.out.clear();
        }
    }

    /// True once the sink of a streaming write has failed.
    fn failed(&self) -> bool {
        self.sink.as_ref().is_some_and(|s| s.error.is_some())
    }

    /// Copies source bytes, turning every line break into CRLF.
    fn raw(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        while let Some(i) = memchr2(b'\r', b'\n', rest) {
            self.out
                .extend_from_slice(rest.get(..i).unwrap_or_default());
            self.out.extend_from_slice(b"\r\n");
            let skip = match (rest.get(i), rest.get(i + 1), rest.get(i + 2)) {
                (Some(b'\r'), Some(b'\n'), _) => 2,
                (Some(b'\r'), Some(b'\r'), Some(b'\n')) => 3,
                _ => 1,
            };
            rest = rest.get(i + skip..).unwrap_or_default();
        }
        if !rest.is_empty() {
            self.out.extend_from_slice(rest);
            self.out.extend_from_slice(b"\r\n");
        }
    }

    fn component(&mut self, root: &Component) {
        // An explicit stack instead of recursion: trees come from input.
        // One frame per open component (bounded by the parser's nesting
        // limit), holding where its properties and children are up to,
        // so that nothing is gathered per item.
        struct Frame<'a> {
            c: &'a Component,
            prop: usize,
            child: usize,
        }
        self.begin(root);
        let mut stack = vec![Frame {
            c: root,
            prop: 0,
            child: 0,
        }];
        while let Some(top) = stack.last_mut() {
            if self.sink.is_some() {
                self.spill();
                if self.failed() {
                    return;
                }
            }
            // Properties and children, interleaved as in the source when
            // faithful, properties first otherwise; but a card embedded in
            // a vCard 2.1 card (an agent's) always follows its AGENT line.
            let c = top.c;
            let props_done = top.prop >= c.properties.len();
            if let Some(ch) = c.components.get(top.child)
                && (props_done
                    || ((self.opts.faithful || c.dialect == Dialect::VCard21)
                        && ch.after_properties <= top.prop))
            {
                top.child += 1;
                self.begin(ch);
                stack.push(Frame {
                    c: ch,
                    prop: 0,
                    child: 0,
                });
            } else if let Some(p) = c.properties.get(top.prop) {
                top.prop += 1;
                self.property(p, c.dialect);
            } else {
                stack.pop();
                self.end(c);
            }
        }
    }

    /// A component's BEGIN line.
    fn begin(&mut self, c: &Component) {
        self.delimiter(c.begin_raw.as_ref(), b"BEGIN:", c);
        // A vCard without VERSION (or with one oxpim does not know) is read
        // as 2.1 only when it has a bare parameter, and canonical text may
        // give such a parameter a name (one that cannot stand bare). So the
        // canonical text of a card read as 2.1 states VERSION:2.1 (an
        // unknown VERSION is left out): read again, it is read the same
        // way. Other guesses (3.0, iCalendar) hold for canonical text as
        // they are. See docs/decisions.md.
        if !self.opts.faithful
            && c.dialect == Dialect::VCard21
            && c.is("VCARD")
            && !c.properties_named("VERSION").any(states_2_1)
        {
            self.out.extend_from_slice(b"VERSION:2.1\r\n");
        }
    }

    /// A component's END line.
    fn end(&mut self, c: &Component) {
        self.delimiter(c.end_raw.as_ref(), b"END:", c);
    }

    /// A BEGIN or END line: its source bytes when faithful, else the
    /// keyword and the component's name.
    fn delimiter(&mut self, raw: Option<&Raw>, keyword: &[u8], c: &Component) {
        match (raw, self.opts.faithful) {
            (Some(r), true) => self.raw(r.bytes()),
            _ => {
                self.out.extend_from_slice(keyword);
                self.out.extend_from_slice(c.name.as_bytes());
                self.out.extend_from_slice(b"\r\n");
            }
        }
    }

    fn property(&mut self, p: &Property, dialect: Dialect) {
        if self.opts.faithful
            && let Some(r) = &p.raw
        {
            self.raw(r.bytes());
            return;
        }
        // A VERSION oxpim does not know, in a card read as 2.1: canonical
        // text is 2.1 and [`Writer::begin`] has said so.
        if !self.opts.faithful && dialect == Dialect::VCard21 && p.is("VERSION") && !states_2_1(p) {
            return;
        }
        let mut line = std::mem::take(&mut self.line);
        let mut value = std::mem::take(&mut self.value);
        line.clear();
        value.clear();
        match canonical_line(&mut line, &mut value, p, dialect, self.opts.fold_at) {
            LineFold::Qp => fold_qp(&mut self.out, &line, self.opts.fold_at + 1),
            LineFold::Plain => fold(&mut self.out, &line, self.opts.fold_at),
            LineFold::Separators => fold_legacy(&mut self.out, &line, self.opts.fold_at),
        }
        if dialect == Dialect::VCard21 && matches!(p.value(), Some(Value::Binary(_))) {
            // vCard 2.1 ends base64 data with an empty line.
            self.out.extend_from_slice(b"\r\n");
        }
        self.line = line;
        self.value = value;
    }
}

/// True when a VERSION property says 2.1.
fn states_2_1(p: &Property) -> bool {
    p.as_text().is_some_and(|v| v.trim() == "2.1")
}

/// Folds `line` at `width` octets, never inside a UTF-8 character, with
/// CRLF and one space; appends the final CRLF.
pub fn fold(out: &mut Vec<u8>, line: &str, width: usize) {
    let b = line.as_bytes();
    let width = width.max(4);
    if b.len() <= width {
        out.extend_from_slice(b);
        out.extend_from_slice(b"\r\n");
        return;
    }
    let mut start = 0usize;
    let mut limit = width;
    while start < b.len() {
        let mut end = (start + limit).min(b.len());
        // Back off to a character boundary.
        while end > start && end < b.len() && !line.is_char_boundary(end) {
            end -= 1;
        }
        if end == start {
            end = (start + limit).min(b.len());
        }
        if start > 0 {
            out.push(b' ');
        }
        out.extend_from_slice(b.get(start..end).unwrap_or_default());
        out.extend_from_slice(b"\r\n");
        start = end;
        limit = width - 1;
    }
}

/// Where a line's value starts: after its first colon outside quotes (the
/// whole line when it has none).
fn header_end(b: &[u8]) -> usize {
    let mut quoted = false;
    b.iter()
        .position(|c| {
            if *c == b'"' {
                quoted = !quoted;
            }
            *c == b':' && !quoted
        })
        .map_or(b.len(), |i| i + 1)
}

/// Folds a vCard 2.1 / vCalendar 1.0 line whose value is not text (dates,
/// lists, rules, URIs): after the first line, breaks only right after a
/// `,`, `;` or blank of the value, so that a reader that keeps the fold's
/// blank (the 2.1 and 1.0 specifications) sees a harmless blank after a
/// separator and one that drops it sees the value as written. The name and
/// parameters are never folded. A stretch longer than `width` without a
/// separator is folded inside it, as [`fold`] does.
fn fold_legacy(out: &mut Vec<u8>, line: &str, width: usize) {
    let b = line.as_bytes();
    let width = width.max(8);
    if b.len() <= width {
        out.extend_from_slice(b);
        out.extend_from_slice(b"\r\n");
        return;
    }
    let header_end = header_end(b);
    let mut start = 0usize;
    let mut limit = width;
    while start < b.len() {
        let hard = (start + limit).min(b.len());
        let mut end = hard;
        if hard < b.len() {
            // The last separator within the window, after the header.
            let from = start.max(header_end);
            if let Some(i) = b
                .get(from..hard)
                .and_then(|w| w.iter().rposition(|c| matches!(c, b',' | b';')))
            {
                end = from + i + 1;
            } else if hard < header_end {
                end = header_end;
            }
            while end > start && end < b.len() && !line.is_char_boundary(end) {
                end -= 1;
            }
            if end == start {
                end = hard;
            }
        }
        if start > 0 {
            out.push(b' ');
        }
        out.extend_from_slice(b.get(start..end).unwrap_or_default());
        out.extend_from_slice(b"\r\n");
        start = end;
        limit = width - 1;
    }
}

/// Folds a quoted-printable line with soft line breaks (`=` CRLF, no
/// indentation), never splitting an `=XX` triplet.
fn fold_qp(out: &mut Vec<u8>, line: &str, width: usize) {
    let b = line.as_bytes();
    if b.len() <= width {
        out.extend_from_slice(b);
        out.extend_from_slice(b"\r\n");
        return;
    }
    // Soft breaks only inside the value: a reader knows the line is
    // quoted-printable only once it has read the parameters, so the name
    // and parameters stay whole on the first line, however long.
    let header_end = header_end(b);
    let mut start = 0usize;
    let room = width.max(8) - 1;
    while start < b.len() {
        // A continuation line must not start with a blank (readers take it
        // for folding): a blank that lands there is written encoded.
        let mut lead = 0;
        if start > 0 {
            match b.get(start) {
                Some(b' ') => {
                    out.extend_from_slice(b"=20");
                    start += 1;
                    lead = 3;
                }
                Some(b'\t') => {
                    out.extend_from_slice(b"=09");
                    start += 1;
                    lead = 3;
                }
                _ => {}
            }
            if start >= b.len() {
                out.extend_from_slice(b"\r\n");
                break;
            }
        }
        let mut end = (start + room.saturating_sub(lead).max(4)).min(b.len());
        if start == 0 && end < header_end {
            end = header_end;
        } else if end < b.len() {
            loop {
                // A line after a soft break must not start with a space or
                // a tab: readers take that for folding. Keep the blanks on
                // this line, before the '='.
                while end > start + 1 && matches!(b.get(end), Some(b' ' | b'\t')) {
                    end -= 1;
                }
                // Do not cut "=XX" (this moves the cut onto a '=', never
                // onto a blank).
                if b.get(end.saturating_sub(1)) == Some(&b'=') {
                    end -= 1;
                } else if b.get(end.saturating_sub(2)) == Some(&b'=') {
                    end -= 2;
                }
                // Nor start with BEGIN: or END: (readers, oxpim's lexer
                // among them, do not join a component boundary).
                let rest = b.get(end..).unwrap_or_default();
                let boundary = [&b"BEGIN:"[..], &b"END:"[..]].iter().any(|k| {
                    rest.get(..k.len())
                        .is_some_and(|r| r.eq_ignore_ascii_case(k))
                });
                if boundary && end > start + 3 {
                    end -= 1;
                    continue;
                }
                break;
            }
            // Never back into the name and parameters: a soft break there
            // is no break a reader knows of.
            if start == 0 && end < header_end {
                end = header_end;
            }
        }
        out.extend_from_slice(b.get(start..end).unwrap_or_default());
        if end < b.len() {
            out.extend_from_slice(b"=\r\n");
        } else {
            out.extend_from_slice(b"\r\n");
        }
        start = end;
    }
}

fn carets(d: Dialect) -> bool {
    matches!(
        d,
        Dialect::ICalendar | Dialect::VCard30 | Dialect::VCard40 | Dialect::Unknown
    )
}

/// True when a vCard 2.1 / vCalendar 1.0 bare parameter (`TEL;WORK:`) can
/// hold this value (letters of any script among them, as in `TYPÄ`); others
/// are written `NAME=value`.
fn bare_token(v: &str) -> bool {
    !v.is_empty()
        && v.bytes().all(|b| {
            b.is_ascii_alphanumeric() || b >= 0x80 || matches!(b, b'-' | b'_' | b'.' | b'/' | b'+')
        })
}

fn write_param_value(line: &mut String, v: &ParamValue, d: Dialect) {
    // Most values need no encoding: written as they are, after one pass
    // that finds both what needs encoding and what needs quotes.
    let caret = carets(d);
    let seen = param_byte_kinds(&v.value);
    let plain = seen & PARAM_ENCODE == 0 && !(caret && seen & PARAM_CARET != 0);
    if plain {
        let quote = v.quoted || seen & PARAM_QUOTE != 0 || blank_edged(&v.value);
        if quote {
            line.push('"');
        }
        line.push_str(&v.value);
        if quote {
            line.push('"');
        }
        return;
    }
    let mut enc = String::new();
    if caret {
        encode_caret(&mut enc, &v.value);
    } else {
        enc.extend(
            v.value
                .chars()
                .filter(|c| *c != '"' && *c != '\r' && *c != '\n'),
        );
    }
    if v.quoted || param_needs_quotes(&enc) {
        line.push('"');
        line.push_str(&enc);
        line.push('"');
    } else {
        line.push_str(&enc);
    }
}

fn list_sep(d: Dialect) -> char {
    if d == Dialect::VCalendar10 { ';' } else { ',' }
}

/// Serialises one value in the text format of `d` (escaped).
fn write_value(line: &mut String, v: &Value, d: Dialect, name: &str) {
    match v {
        Value::Text(s) => escape_into(line, s, d),
        Value::Structured(comps) => {
            for (i, comp) in comps.iter().enumerate() {
                if i > 0 {
                    line.push(';');
                }
                for (j, item) in comp.iter().enumerate() {
                    if j > 0 {
                        line.push(',');
                    }
                    escape_into(line, item, d);
                }
            }
        }
        Value::Binary(b) => {
            if d == Dialect::VCard40 {
                line.push_str("data:application/octet-stream;base64,");
            }
            encode_base64(line, b);
        }
        Value::Boolean(b) => line.push_str(if *b { "TRUE" } else { "FALSE" }),
        Value::CalAddress(s) | Value::Uri(s) | Value::Unknown(s) | Value::Invalid(s) => {
            if memchr2(b'\r', b'\n', s.as_bytes()).is_some()
                && !matches!(d, Dialect::VCard21 | Dialect::VCalendar10)
            {
                // A raw line break would end the line: written as the `\n`
                // escape (2.1 and vCalendar lines are quoted-printable).
                line.push_str(&s.replace("\r\n", "\\n").replace(['\r', '\n'], "\\n"));
            } else {
                line.push_str(s);
            }
        }
        Value::Date(dt) => format_date(line, dt),
        Value::DateTime(dt) => format_date_time(line, dt),
        Value::Time(t) => {
            format_time(line, &t.time);
            if t.utc {
                line.push('Z');
            }
        }
        Value::Duration(du) => format_duration(line, du),
        Value::Float(f) => {
            let _ = write!(line, "{f}");
        }
        Value::Geo(a, b) => {
            let sep = if matches!(d, Dialect::VCard21 | Dialect::VCalendar10) {
                ','
            } else {
                ';'
            };
            let _ = write!(line, "{a}{sep}{b}");
        }
        Value::Integer(i) => {
            let _ = write!(line, "{i}");
        }
        Value::Period(p) => format_period(line, p),
        Value::Recur(r) => format_recur(line, r),
        // RFC 2426 writes offsets in the ISO 8601 extended form (`TZ:-05:00`).
        Value::UtcOffset(o) if d == Dialect::VCard30 => format_utc_offset_ext(line, o),
        Value::UtcOffset(o) => format_utc_offset(line, o),
        Value::VCardDateTime(v) => {
            let ext = d == Dialect::VCard30;
            if v.date.is_none() && name != "BDAY" && name != "ANNIVERSARY" && d != Dialect::VCard40
            {
                format_vcard_time(line, v, ext);
            } else {
                format_date_and_or_time(line, v, ext);
            }
        }
    }
}

/// Plain text of a value (basic forms, no escaping), for display.
pub(crate) fn format_value_plain(v: &Value) -> String {
    let mut s = String::new();
    match v {
        Value::Text(t) => s.push_str(t),
        Value::Structured(c) => {
            let parts: Vec<String> = c.iter().map(|x| x.join(",")).collect();
            s.push_str(&parts.join(";"));
        }
        other => write_value(&mut s, other, Dialect::ICalendar, ""),
    }
    s
}

fn needs_qp(s: &str) -> bool {
    s.bytes().any(|b| !(b' '..=b'~').contains(&b))
}

/// How a canonical line is folded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineFold {
    /// CRLF and a blank anywhere (RFC 5545/6350; base64 in every dialect).
    Plain,
    /// Quoted-printable soft breaks.
    Qp,
    /// vCard 2.1 / vCalendar 1.0 values that are not text: only after a
    /// separator (see [`fold_legacy`]).
    Separators,
}

/// True when every value of `p` is text that quoted-printable can carry
/// in vCard 2.1 and vCalendar 1.0 (text, structured, or an unknown
/// property's value). A value kept as written because it did not parse as
/// its type is not: read back, it must meet the same type again.
fn texty(p: &Property) -> bool {
    p.values
        .as_slice()
        .iter()
        .all(|v| matches!(v, Value::Text(_) | Value::Structured(_) | Value::Unknown(_)))
}

/// Builds the unfolded canonical line and says how to fold it.
///
/// vCard 2.1 / vCalendar 1.0 text is quoted-printable when it holds
/// non-ASCII or line breaks, or when the line would need folding: the
/// 2.1 and 1.0 specifications keep a fold's blank in the value, RFC
/// 2425-style readers (oxpim among them) drop it, and only a soft break
/// means the same to both (docs/decisions.md).
fn canonical_line(
    line: &mut String,
    value_text: &mut String,
    p: &Property,
    d: Dialect,
    width: usize,
) -> LineFold {
    let legacy = matches!(d, Dialect::VCard21 | Dialect::VCalendar10);
    let is_binary = matches!(p.value(), Some(Value::Binary(_)));
    if !legacy {
        write_head(line, p, d, is_binary, false, false);
        line.push(':');
        write_values(line, p, d);
        return LineFold::Plain;
    }
    // The legacy dialects need the value before the parameters (to
    // choose quoted-printable).
    write_values(value_text, p, d);
    let declared_qp = p
        .params
        .first("ENCODING")
        .is_some_and(|e| e.eq_ignore_ascii_case("QUOTED-PRINTABLE"));
    let unprintable = needs_qp(value_text);
    let mut qp = !is_binary && (declared_qp || unprintable);
    write_head(line, p, d, is_binary, qp, qp && unprintable);
    if !qp && !is_binary && line.len() + 1 + value_text.len() > width && texty(p) {
        qp = true;
        line.clear();
        write_head(line, p, d, is_binary, qp, unprintable);
    }
    line.push(':');
    if qp {
        let normalized = value_text.replace('\n', "\r\n");
        encode_quoted_printable(line, normalized.as_bytes());
        LineFold::Qp
    } else {
        line.push_str(value_text);
        if is_binary {
            LineFold::Plain
        } else {
            LineFold::Separators
        }
    }
}

/// The values of `p`, separated as `d` separates lists.
fn write_values(out: &mut String, p: &Property, d: Dialect) {
    let sep = list_sep(d);
    for (i, v) in p.values.as_slice().iter().enumerate() {
        if i > 0 {
            out.push(sep);
        }
        write_value(out, v, d, &p.name);
    }
}

/// Group, name and parameters of the canonical line (up to the colon).
/// `charset`: a quoted-printable value holds bytes outside printable
/// ASCII (non-ASCII text, or line breaks and other control characters).
fn write_head(
    line: &mut String,
    p: &Property,
    d: Dialect,
    is_binary: bool,
    qp: bool,
    charset: bool,
) {
    if let Some(g) = &p.group {
        line.push_str(g);
        line.push('.');
    }
    line.push_str(&p.name);
    let legacy = matches!(d, Dialect::VCard21 | Dialect::VCalendar10);
    let mut wrote_value_param = false;
    let mut wrote_encoding = false;
    let mut wrote_charset = false;
    for (name, param) in p.params.iter() {
        match name {
            "ENCODING" => {
                wrote_encoding = true;
                let enc = if is_binary {
                    match d {
                        Dialect::VCard30 => "b",
                        Dialect::VCard40 => continue,
                        _ => "BASE64",
                    }
                } else if qp {
                    "QUOTED-PRINTABLE"
                } else {
                    continue;
                };
                line.push_str(if legacy && param.bare {
                    ";"
                } else {
                    ";ENCODING="
                });
                line.push_str(enc);
                continue;
            }
            "CHARSET" => {
                wrote_charset = true;
                if d == Dialect::VCard40
                    || (!qp && d != Dialect::VCard21 && d != Dialect::VCalendar10)
                {
                    continue;
                }
                line.push_str(";CHARSET=UTF-8");
                continue;
            }
            "VALUE" => {
                wrote_value_param = true;
                let shown = if is_binary && d == Dialect::VCard40 {
                    "uri"
                } else {
                    param.first().unwrap_or("")
                };
                line.push_str(if legacy && param.bare { ";" } else { ";VALUE=" });
                line.push_str(shown);
                continue;
            }
            _ => {}
        }
        if param.bare && legacy && param.values.iter().all(|v| bare_token(&v.value)) {
            for v in &param.values {
                line.push(';');
                line.push_str(&v.value);
            }
            continue;
        }
        line.push(';');
        line.push_str(name);
        line.push('=');
        let several = param.values.len() > 1;
        for (i, v) in param.values.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            if several && v.value.is_empty() {
                // `X=,` reads as one empty value; `X="",""` as two.
                line.push_str("\"\"");
            } else {
                write_param_value(line, v, d);
            }
        }
    }
    // TZID of a DATE-TIME built in code (the values are looked at first:
    // most properties have none, and finding a parameter costs more).
    if let Some(tz) = p
        .values
        .as_slice()
        .iter()
        .find_map(|v| v.as_date_time().and_then(|dt| dt.tzid()))
        && !p.params.contains("TZID")
    {
        line.push_str(";TZID=");
        write_param_value(line, &ParamValue::new(tz), d);
    }
    if !wrote_value_param && p.value_type != ValueType::Unknown {
        let default = registry::lookup(d, &p.name).map(|s| s.default);
        let differs = default.as_ref() != Some(&p.value_type);
        let implied = match (&p.value_type, &default) {
            // Detected leniently from a value of the default's family.
            (
                ValueType::Date | ValueType::DateTime,
                Some(ValueType::Date | ValueType::DateTime),
            ) if d.is_vcard() => true,
            (ValueType::Uri, Some(ValueType::Binary)) if d == Dialect::VCard21 => {
                line.push_str(";VALUE=URL");
                true
            }
            // ENCODING says so in vCards and vCalendar; iCalendar needs
            // VALUE=BINARY too (written below when ENCODING is not there).
            (ValueType::Binary, _) => {
                !(wrote_encoding && matches!(d, Dialect::ICalendar | Dialect::Unknown))
            }
            _ => false,
        };
        if differs && !implied && !matches!(p.value_type, ValueType::Other(_)) {
            line.push_str(";VALUE=");
            line.push_str(p.value_type.name());
        }
    }
    if is_binary && !wrote_encoding {
        match d {
            Dialect::VCard30 => line.push_str(";ENCODING=b"),
            Dialect::VCard40 => {}
            Dialect::ICalendar | Dialect::Unknown => line.push_str(";ENCODING=BASE64;VALUE=BINARY"),
            _ => line.push_str(";ENCODING=BASE64"),
        }
    }
    if qp && !wrote_encoding {
        line.push_str(";ENCODING=QUOTED-PRINTABLE");
    }
    if charset && !wrote_charset {
        line.push_str(";CHARSET=UTF-8");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_never_splits_utf8_and_respects_width() {
        let s = format!("DESCRIPTION:{}", "é".repeat(100));
        let mut out = Vec::new();
        fold(&mut out, &s, 75);
        let text = std::str::from_utf8(&out).unwrap();
        for l in text.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        let unfolded = text.replace("\r\n ", "");
        assert_eq!(unfolded.trim_end(), s);
    }

    #[test]
    fn fold_short_line_untouched() {
        let mut out = Vec::new();
        fold(&mut out, "A:b", 75);
        assert_eq!(out, b"A:b\r\n");
    }

    #[test]
    fn qp_fold_keeps_triplets() {
        let mut out = Vec::new();
        let line = format!("NOTE;ENCODING=QUOTED-PRINTABLE:{}", "=C3=A9".repeat(30));
        fold_qp(&mut out, &line, 76);
        let text = std::str::from_utf8(&out).unwrap();
        for l in text.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 76);
        }
        let joined = text.replace("=\r\n", "");
        assert_eq!(joined.trim_end(), line);
        // Spaces never start a continuation line.
        let spaced = format!("NOTE;ENCODING=QUOTED-PRINTABLE:{}", "ab ".repeat(60));
        let mut out = Vec::new();
        fold_qp(&mut out, &spaced, 76);
        let text = std::str::from_utf8(&out).unwrap();
        assert!(text.split("\r\n").all(|l| !l.starts_with(' ')));
        assert_eq!(text.replace("=\r\n", "").trim_end_matches("\r\n"), spaced);
        // Triplets next to spaces, at every alignment.
        for pad in 0..8 {
            let mixed = format!(
                "NOTE;ENCODING=QUOTED-PRINTABLE:{}{}",
                "x".repeat(pad),
                "=E2=80=94 ".repeat(30)
            );
            let mut out = Vec::new();
            fold_qp(&mut out, &mixed, 76);
            let text = std::str::from_utf8(&out).unwrap();
            for l in text.split("\r\n") {
                assert!(!l.starts_with(' '));
                let body = l.strip_suffix('=').unwrap_or(l);
                let tail = body.rsplit('=').next().unwrap_or("");
                assert!(
                    body.rfind('=').is_none_or(|i| body.len() - i >= 3),
                    "cut triplet in {l:?} ({tail})"
                );
            }
            assert_eq!(text.replace("=\r\n", "").trim_end_matches("\r\n"), mixed);
        }
    }

    /// Canonical vCard 2.1 / vCalendar 1.0 never folds inside a word: a
    /// 2.1 reader keeps the fold's blank, a 3.0-style one drops it.
    #[test]
    fn legacy_lines_fold_where_both_unfoldings_agree() {
        let card = "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:J\r\nNOTE:A rather long note that goes well past the seventy-six octet limit of 2.1 lines\r\nEND:VCARD\r\n";
        let doc = crate::Parser::new().parse(card.as_bytes()).document;
        let out = String::from_utf8(write_document(&doc, &WriteOptions::canonical())).unwrap();
        assert!(
            out.contains("NOTE;ENCODING=QUOTED-PRINTABLE:A rather long note"),
            "{out}"
        );
        assert!(
            out.split("\r\n")
                .all(|l| l.len() <= 76 && !l.starts_with(' ')),
            "{out}"
        );
        let back = crate::Parser::new().parse(out.as_bytes()).document;
        let note = back.components[0]
            .property("NOTE")
            .and_then(|p| p.as_text());
        assert_eq!(
            note,
            Some("A rather long note that goes well past the seventy-six octet limit of 2.1 lines")
        );

        let dates: Vec<String> = (1..=9).map(|d| format!("2025010{d}T100000Z")).collect();
        let cal = format!(
            "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VEVENT\r\nDTSTART:20250101T100000Z\r\nEXDATE:{}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            dates.join(";")
        );
        let doc = crate::Parser::new().parse(cal.as_bytes()).document;
        let out = String::from_utf8(write_document(&doc, &WriteOptions::canonical())).unwrap();
        let lines: Vec<&str> = out.split("\r\n").collect();
        let at = lines.iter().position(|l| l.starts_with("EXDATE:")).unwrap();
        // Broken right after a separator, each piece no longer than 75.
        assert!(lines[at].ends_with(';'), "{out}");
        assert!(lines[at + 1].starts_with(" 2025"), "{out}");
        assert!(
            lines[at..]
                .iter()
                .take_while(|l| !l.starts_with("END"))
                .all(|l| l.len() <= 75)
        );
        // Keeping the blank (2.1 unfolding) and dropping it give the same dates.
        let kept = out.replace("\r\n ", " ");
        let dropped = out.replace("\r\n ", "");
        for text in [kept, dropped] {
            let line = text.lines().find(|l| l.starts_with("EXDATE:")).unwrap();
            let got: Vec<&str> = line["EXDATE:".len()..].split(';').map(str::trim).collect();
            assert_eq!(got, dates);
        }
    }

    /// A value that starts with a long run of blanks: the soft break
    /// backed off over them into the parameters (`NOTE;ENCODING=…=`).
    #[test]
    fn leading_blanks_never_move_a_soft_break_into_the_parameters() {
        let card = format!(
            "BEGIN:VCARD\r\nVERSION:2.1\r\nN:D;J\r\nNOTE:{}x\r\nEND:VCARD\r\n",
            " ".repeat(80)
        );
        let doc = crate::Parser::new().parse(card.as_bytes()).document;
        let out = String::from_utf8(write_document(&doc, &WriteOptions::canonical())).unwrap();
        assert!(out.contains("NOTE;ENCODING=QUOTED-PRINTABLE:"), "{out}");
        let back = crate::Parser::new().parse(out.as_bytes()).document;
        let note = back.components[0]
            .property("NOTE")
            .and_then(|p| p.as_text());
        assert_eq!(note.map(str::trim), Some("x"), "{out}");
        assert_eq!(note.map(str::len), Some(81), "{out}");
    }
}
