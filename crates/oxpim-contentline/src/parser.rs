//! Building the component tree from content lines.

use std::sync::Arc;

use oxpim_lexer::{ContentLine, LexOptions, Lexer, LineKind, Malformed};

use crate::diag::{Code, Diagnostic, Sink};
use crate::model::{Component, Dialect, Document, Property, Raw, Source};
use crate::names::Name;
use crate::str::Str;
use crate::typing::{LineInput, TypeCtx, build_property};
use crate::value::time::Shown;
use crate::value::{Value, ValueType, Values};

/// Bounds on what one parser accepts. Every bound applies per parser
/// instance; see `docs/limits.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest component nesting (default 64). Deeper `BEGIN` lines are
    /// reported and their lines kept only as source bytes.
    pub max_depth: usize,
    /// Longest unfolded line in bytes (default 64 MiB).
    pub max_line_bytes: usize,
    /// Most parameters typed per property (default 1 000).
    pub max_params: usize,
    /// Most values typed per property or parameter (default 100 000).
    pub max_values: usize,
    /// Most properties per component (default 1 000 000).
    pub max_properties: usize,
    /// Most diagnostics per document or stream item (default 1 000).
    pub max_diagnostics: usize,
    /// Largest object the streaming reader buffers (default 256 MiB).
    pub max_object_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 64,
            max_line_bytes: LexOptions::DEFAULT_MAX_LINE_BYTES,
            max_params: 1_000,
            max_values: 100_000,
            max_properties: 1_000_000,
            max_diagnostics: 1_000,
            max_object_bytes: 256 << 20,
        }
    }
}

/// How a parser behaves. Chosen per parser instance: there is no global
/// switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseOptions {
    /// Strict mode: every deviation from the specification is an error, and
    /// style checks (line length, CRLF, case, blank lines, required
    /// properties) are made. Parsing still recovers and goes on.
    pub strict: bool,
    /// Bounds on hostile input.
    pub limits: Limits,
    /// Threads a whole-document parse may use (default 1; 0 = one per
    /// core). A large input is cut at `BEGIN` lines of calendar components
    /// or of top-level objects into about equal pieces, at least
    /// [`MIN_BYTES_PER_THREAD`] each, that are parsed at once and joined.
    /// The result is the one-thread result, item for item and diagnostic
    /// for diagnostic; where that cannot be assured (strict mode, a piece
    /// that does not end where the next begins, too many diagnostics) the
    /// input is parsed again on one thread. The streaming reader always
    /// uses one.
    pub threads: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            strict: false,
            limits: Limits::default(),
            threads: 1,
        }
    }
}

/// Input bytes per thread below which a whole-document parse does not
/// start another thread (see [`ParseOptions::threads`]).
pub const MIN_BYTES_PER_THREAD: usize = 1 << 20;

/// Most threads one parse uses, whatever is asked.
const MAX_THREADS: usize = 64;

/// The result of parsing a whole input.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The component tree.
    pub document: Document,
    /// Every problem met, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        crate::diag::has_errors(&self.diagnostics)
    }
}

/// Parses iCalendar, vCalendar and vCard text.
///
/// ```
/// use oxpim_contentline::{Parser, Dialect};
///
/// let parsed = Parser::new().parse(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zo\xC3\xAB\r\nEND:VCARD\r\n");
/// let card = &parsed.document.components[0];
/// assert_eq!(card.dialect(), Dialect::VCard30);
/// assert_eq!(card.text("FN"), Some("Zoë"));
/// assert!(parsed.diagnostics.is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Parser {
    opts: ParseOptions,
}

impl Parser {
    /// A lenient parser with default limits.
    pub fn new() -> Self {
        Parser::default()
    }
    /// A strict parser with default limits.
    pub fn strict() -> Self {
        Parser {
            opts: ParseOptions {
                strict: true,
                ..ParseOptions::default()
            },
        }
    }
    /// A parser with the given options.
    pub fn with_options(opts: ParseOptions) -> Self {
        Parser { opts }
    }
    /// The options.
    pub fn options(&self) -> &ParseOptions {
        &self.opts
    }

    /// Parses a complete input. Never fails: problems become diagnostics.
    pub fn parse(&self, input: &[u8]) -> Parsed {
        self.parse_shared(Source::from_slice(input))
    }

    /// Parses an owned input (the buffer is kept, not copied, when it is
    /// valid UTF-8).
    pub fn parse_vec(&self, input: Vec<u8>) -> Parsed {
        self.parse_shared(Source::new(input))
    }

    /// Parses `input` cut into up to `pieces` pieces, one thread each,
    /// whatever its size (see [`ParseOptions::threads`]), and returns what
    /// one thread would; `None` when there is nothing to cut at, when the
    /// pieces cannot be joined into that result, or in strict mode. For
    /// tests and fuzzing of the threaded parse: [`Parser::parse`] with
    /// `threads` set falls back to one thread by itself.
    pub fn parse_in_pieces(&self, input: &[u8], pieces: usize) -> Option<Parsed> {
        if self.opts.strict {
            return None;
        }
        parse_cut(
            &self.opts,
            &Source::from_slice(input),
            pieces.min(MAX_THREADS),
        )
    }

    fn parse_shared(&self, src: Source) -> Parsed {
        let threads = match self.opts.threads {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => n,
        };
        if threads > 1
            && !self.opts.strict
            && let Some(parsed) = parse_in_pieces(&self.opts, &src, threads)
        {
            return parsed;
        }
        // One thread: the whole input is one piece.
        let whole = Piece {
            start: 0,
            end: src.bytes().len(),
            line: 1,
            kind: PieceStart::Input,
        };
        let r = parse_piece(&self.opts, src, &whole, true);
        into_parsed(r.builder, r.bom)
    }
}

/// The document and diagnostics of a builder that has finished.
fn into_parsed(mut b: Builder, bom: bool) -> Parsed {
    let mut document = Document::new(std::mem::take(&mut b.done));
    document.leading = b.leading.take();
    document.bom = bom;
    Parsed {
        document,
        diagnostics: std::mem::take(&mut b.sink.items),
    }
}

/// How raw source bytes are kept.
pub(crate) enum RawMode {
    /// Ranges of one shared buffer.
    Shared(Source),
    /// Owned copies (streaming).
    Owned,
}

/// Which item the next trivia lines (blank or malformed) belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Last {
    None,
    Leading,
    Begin,
    Prop,
    ChildEnd,
    TopEnd,
}

struct Frame {
    comp: Component,
    /// Properties waiting for the dialect (index in comp.properties, line).
    pending: Vec<(usize, ContentLine<'static>)>,
    resolved: bool,
}

/// A completed child of a split container, or a completed top-level object.
pub(crate) enum Completed {
    Object(Component, Vec<Diagnostic>),
    Piece {
        container: Arc<Component>,
        child: Component,
        diagnostics: Vec<Diagnostic>,
    },
}

pub(crate) struct Builder {
    opts: ParseOptions,
    ctx: TypeCtx,
    pub(crate) sink: Sink,
    raw_mode: RawMode,
    stack: Vec<Frame>,
    pub(crate) done: Vec<Component>,
    pub(crate) last: Last,
    pub(crate) leading: Option<Raw>,
    ignored_depth: usize,
    reported_long: bool,
    reported_break: bool,
    reported_blank: bool,
    /// Streaming: split top-level VCALENDARs into pieces.
    split: bool,
    pub(crate) completed: Vec<Completed>,
    container: Option<Arc<Component>>,
    container_dirty: bool,
    pieces_emitted: usize,
    /// Bytes of source fed since the last completed item (streaming).
    pub(crate) fed_bytes: usize,
    /// The text of the last property while continuation lines without
    /// their leading space are joined to it: set on the property when the
    /// next item starts, so that joining many lines stays linear.
    join: Option<String>,
    /// Emptied property buffers of closed components, reused by the next
    /// open one: a component's properties are gathered in a buffer that
    /// has grown before and are moved once, into a vector of exactly their
    /// number, when it closes.
    spare: Vec<Vec<Property>>,
}

/// Spare property buffers kept for reuse (one per open nesting level is
/// enough; more would only hold memory).
const SPARE_BUFFERS: usize = 8;

/// A buffer that grew beyond this many properties (a huge component) is
/// freed rather than kept.
const MAX_SPARE_CAPACITY: usize = 4096;

fn name_of(line: &ContentLine<'_>) -> String {
    String::from_utf8_lossy(line.name()).to_ascii_uppercase()
}

/// The component name of a BEGIN or END line: its value, trimmed and
/// uppercased (interned when known, so no allocation for VEVENT & co).
fn value_name(line: &ContentLine<'_>) -> Name {
    Name::new(String::from_utf8_lossy(line.value()).trim())
}

/// VERSION is not listed: a missing one is reported where the dialect is
/// guessed (`Code::Version`, once).
fn required(d: Dialect, comp: &str) -> &'static [&'static str] {
    match (d, comp) {
        (Dialect::ICalendar, "VCALENDAR") => &["PRODID"],
        (Dialect::ICalendar, "VEVENT" | "VTODO" | "VJOURNAL" | "VFREEBUSY") => &["UID", "DTSTAMP"],
        (Dialect::ICalendar, "VTIMEZONE") => &["TZID"],
        (Dialect::ICalendar, "STANDARD" | "DAYLIGHT") => &["DTSTART", "TZOFFSETFROM", "TZOFFSETTO"],
        (Dialect::ICalendar, "VALARM") => &["ACTION", "TRIGGER"],
        (Dialect::VCard21, "VCARD") => &["N"],
        (Dialect::VCard30, "VCARD") => &["N", "FN"],
        (Dialect::VCard40, "VCARD") => &["FN"],
        _ => &[],
    }
}

/// Properties a component may have at most once (RFC 5545 §3.6 and its
/// subsections; RFC 6350 §6, cardinality `1` or `*1`). vCard 3.0 and 2.1
/// give no cardinalities beyond their required properties.
fn at_most_once(d: Dialect, comp: &str) -> &'static [&'static str] {
    match (d, comp) {
        (Dialect::ICalendar, "VCALENDAR") => &["PRODID", "VERSION", "CALSCALE", "METHOD"],
        (Dialect::ICalendar, "VEVENT") => &[
            "DTSTAMP",
            "UID",
            "DTSTART",
            "CLASS",
            "CREATED",
            "DESCRIPTION",
            "GEO",
            "LAST-MODIFIED",
            "LOCATION",
            "ORGANIZER",
            "PRIORITY",
            "SEQUENCE",
            "STATUS",
            "SUMMARY",
            "TRANSP",
            "URL",
            "RECURRENCE-ID",
            "DTEND",
            "DURATION",
        ],
        (Dialect::ICalendar, "VTODO") => &[
            "DTSTAMP",
            "UID",
            "CLASS",
            "COMPLETED",
            "CREATED",
            "DESCRIPTION",
            "DTSTART",
            "GEO",
            "LAST-MODIFIED",
            "LOCATION",
            "ORGANIZER",
            "PERCENT-COMPLETE",
            "PRIORITY",
            "RECURRENCE-ID",
            "SEQUENCE",
            "STATUS",
            "SUMMARY",
            "URL",
            "DUE",
            "DURATION",
        ],
        (Dialect::ICalendar, "VJOURNAL") => &[
            "DTSTAMP",
            "UID",
            "CLASS",
            "CREATED",
            "DTSTART",
            "LAST-MODIFIED",
            "ORGANIZER",
            "RECURRENCE-ID",
            "SEQUENCE",
            "STATUS",
            "SUMMARY",
            "URL",
        ],
        (Dialect::ICalendar, "VFREEBUSY") => &[
            "DTSTAMP",
            "UID",
            "CONTACT",
            "DTSTART",
            "DTEND",
            "ORGANIZER",
            "URL",
        ],
        (Dialect::ICalendar, "VTIMEZONE") => &["TZID", "LAST-MODIFIED", "TZURL"],
        (Dialect::ICalendar, "STANDARD" | "DAYLIGHT") => &["DTSTART", "TZOFFSETTO", "TZOFFSETFROM"],
        (Dialect::ICalendar, "VALARM") => &["ACTION", "TRIGGER", "DURATION", "REPEAT"],
        (Dialect::VCard40, "VCARD") => &[
            "VERSION",
            "N",
            "BDAY",
            "ANNIVERSARY",
            "GENDER",
            "PRODID",
            "REV",
            "UID",
            "KIND",
        ],
        _ => &[],
    }
}

/// RFC 6350's fixed structures: N has five components (§6.2.2), ADR seven
/// (§6.3.1), GENDER's sex is one of M, F, O, N, U or empty (§6.2.7), and
/// MEMBER belongs to a group (§6.6.5). The problems, with their lines.
fn vcard40_problems(comp: &Component) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for p in &comp.properties {
        let want = match p.name() {
            "N" => 5,
            "ADR" => 7,
            _ => 0,
        };
        if want > 0
            && let Some(Value::Structured(parts)) = p.value()
            && parts.len() != want
        {
            out.push((
                p.line,
                format!(
                    "{} has {} components; RFC 6350 fixes {want}",
                    p.name(),
                    parts.len()
                ),
            ));
        }
        if p.is("GENDER") {
            let sex = match p.value() {
                Some(Value::Structured(parts)) => parts
                    .first()
                    .and_then(|c| c.first())
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
                Some(v) => v
                    .as_str()
                    .map(|t| t.split(';').next().unwrap_or("").to_owned())
                    .unwrap_or_default(),
                None => String::new(),
            };
            if !matches!(
                sex.trim().to_ascii_uppercase().as_str(),
                "" | "M" | "F" | "O" | "N" | "U"
            ) {
                out.push((
                    p.line,
                    format!(
                        "GENDER '{sex}': the sex is one of M, F, O, N, U or empty (RFC 6350 §6.2.7)"
                    ),
                ));
            }
        }
    }
    let group = comp
        .property("KIND")
        .and_then(|k| k.as_text())
        .is_some_and(|k| k.trim().eq_ignore_ascii_case("group"));
    if !group && let Some(m) = comp.property("MEMBER") {
        out.push((
            m.line,
            "MEMBER in a card whose KIND is not group (RFC 6350 §6.6.5)".to_owned(),
        ));
    }
    out
}

impl Builder {
    pub(crate) fn new(opts: ParseOptions, raw_mode: RawMode, split: bool) -> Self {
        Builder {
            opts,
            ctx: TypeCtx {
                max_params: opts.limits.max_params,
                max_values: opts.limits.max_values,
                controls: true,
            },
            sink: Sink::new(opts.strict, opts.limits.max_diagnostics),
            raw_mode,
            stack: Vec::new(),
            done: Vec::new(),
            last: Last::None,
            leading: None,
            ignored_depth: 0,
            reported_long: false,
            reported_break: false,
            reported_blank: false,
            split,
            completed: Vec::new(),
            container: None,
            container_dirty: false,
            spare: Vec::new(),
            pieces_emitted: 0,
            fed_bytes: 0,
            join: None,
        }
    }

    fn make_raw(&self, line: &ContentLine<'_>) -> Raw {
        match &self.raw_mode {
            RawMode::Shared(src) => {
                Raw::range(src, line.offset(), line.offset() + line.raw().len())
            }
            RawMode::Owned => Raw::owned(line.raw()),
        }
    }

    fn extend_raw(raw: &mut Raw, line: &ContentLine<'_>) {
        raw.extend(line.offset() + line.raw().len(), line.raw());
    }

    /// Attaches a trivia line to the item before it; returns the property
    /// it was attached to, if any.
    fn attach_trivia(&mut self, line: &ContentLine<'_>) -> Option<&mut Property> {
        let raw = match self.last {
            Last::None if self.split => None,
            Last::None => {
                self.leading = Some(self.make_raw(line));
                self.last = Last::Leading;
                return None;
            }
            Last::Leading => self.leading.as_mut(),
            Last::Begin => self
                .stack
                .last_mut()
                .and_then(|f| f.comp.begin_raw.as_mut()),
            Last::Prop => self
                .stack
                .last_mut()
                .and_then(|f| f.comp.properties.last_mut())
                .and_then(|p| p.raw.as_mut()),
            Last::ChildEnd => self
                .stack
                .last_mut()
                .and_then(|f| f.comp.components.last_mut())
                .and_then(|c| c.end_raw.as_mut()),
            Last::TopEnd => self.done.last_mut().and_then(|c| c.end_raw.as_mut()),
        };
        match raw {
            Some(r) => Self::extend_raw(r, line),
            None if self.split => {
                // Streaming keeps no trivia for items already emitted:
                // memory stays bounded.
            }
            None => {
                // The item has no source bytes (auto-closed): keep the
                // trivia as leading bytes.
                match &mut self.leading {
                    Some(r) => Self::extend_raw(r, line),
                    None => self.leading = Some(self.make_raw(line)),
                }
            }
        }
        if self.last == Last::Prop {
            self.stack
                .last_mut()
                .and_then(|f| f.comp.properties.last_mut())
        } else {
            None
        }
    }

    fn style_checks(&mut self, line: &ContentLine<'_>) {
        if !self.sink.strict {
            return;
        }
        let b = line.breaks();
        if !self.reported_break && (b.lf() || b.cr() || b.crcrlf()) {
            self.reported_break = true;
            self.sink.report(
                line.line(),
                1,
                Code::LineBreak,
                "line break is not CRLF (further ones are not reported)",
            );
        }
        if !self.reported_long {
            // The limit of the dialect being read: 75 octets (RFC 5545,
            // RFC 6350 and RFC 2426), 76 for vCard 2.1 and vCalendar 1.0,
            // whose quoted-printable lines RFC 2045 allows 76.
            let (limit, rule) = match self.stack.last().map(|f| f.comp.dialect) {
                Some(Dialect::VCard21 | Dialect::VCalendar10) => (76, "RFC 2045 allows 76"),
                Some(Dialect::VCard40) => (75, "RFC 6350 folds at 75"),
                Some(Dialect::VCard30) => (75, "RFC 2425 folds at 75"),
                _ => (75, "RFC 5545 folds at 75"),
            };
            for (n, phys) in (line.line()..).zip(line.raw().split(|&c| c == b'\n')) {
                let len = phys.strip_suffix(b"\r").unwrap_or(phys).len();
                if len > limit {
                    self.reported_long = true;
                    self.sink.report(
                        n,
                        76,
                        Code::LongLine,
                        format!("line is {len} octets long; {rule} (further long lines are not reported)"),
                    );
                    break;
                }
            }
        }
    }

    pub(crate) fn feed(&mut self, line: ContentLine<'_>) {
        self.fed_bytes = self.fed_bytes.saturating_add(line.raw().len());
        self.style_checks(&line);
        if line.too_long() {
            self.sink.report(
                line.line(),
                1,
                Code::LineTooLong,
                format!(
                    "line is longer than {} bytes; its text was cut (source bytes kept)",
                    self.opts.limits.max_line_bytes
                ),
            );
        }
        if !matches!(line.kind(), LineKind::Blank | LineKind::Malformed(_)) {
            self.flush_join();
        }
        match line.kind() {
            LineKind::Blank => {
                // vCard 2.1 and vCalendar 1.0 end base64 data with an
                // empty line (looked at only when the line would be
                // reported: strict mode, first blank line).
                let ends_base64 = |b: &Self| {
                    b.stack.last().is_some_and(|f| {
                        matches!(f.comp.dialect, Dialect::VCard21 | Dialect::VCalendar10)
                            && f.comp
                                .properties
                                .last()
                                .is_some_and(|p| matches!(p.value(), Some(Value::Binary(_))))
                    })
                };
                if !self.reported_blank && self.sink.wants(Code::BlankLine) && !ends_base64(self) {
                    self.reported_blank = true;
                    self.sink.report(
                        line.line(),
                        1,
                        Code::BlankLine,
                        "empty line (further ones are not reported)",
                    );
                }
                self.attach_trivia(&line);
            }
            LineKind::Malformed(m) => self.malformed(line, m),
            LineKind::Property(_) => {
                let name = line.name();
                if name.eq_ignore_ascii_case(b"BEGIN") {
                    self.begin(line);
                } else if name.eq_ignore_ascii_case(b"END") {
                    self.end(line);
                } else {
                    self.property(line);
                }
            }
        }
    }

    /// Gives the last property the text joined to it (see `join`).
    fn flush_join(&mut self) {
        let Some(text) = self.join.take() else {
            return;
        };
        if self.last != Last::Prop {
            return;
        }
        if let Some(Value::Text(s) | Value::Unknown(s)) = self
            .stack
            .last_mut()
            .and_then(|f| f.comp.properties.last_mut())
            .and_then(|p| p.values.as_mut_slice().first_mut())
        {
            *s = Str::from(text);
        }
    }

    fn malformed(&mut self, line: ContentLine<'_>, m: Malformed) {
        let what = match m {
            Malformed::BadName => "does not start with a property name",
            Malformed::NoColon => "has no ':' between name and value",
        };
        let mut join = self.join.take();
        let joined = {
            let prop = self.attach_trivia(&line);
            match prop {
                Some(p)
                    if matches!(
                        p.value_type,
                        ValueType::Text | ValueType::Unknown | ValueType::Binary
                    ) && p.values.len() == 1
                        // VERSION decides the dialect: never extended.
                        && !p.name.eq_ignore_ascii_case("VERSION") =>
                {
                    // A continuation line written without its leading
                    // space (Outlook's X-ALT-DESC, bad folders): keep its
                    // text as part of the value.
                    let extra = String::from_utf8_lossy(line.text());
                    match p.values.as_mut_slice().first_mut() {
                        Some(Value::Text(s)) => {
                            let buf = join.get_or_insert_with(|| s.to_string());
                            buf.push('\n');
                            buf.push_str(&extra);
                            Some(p.name.to_string())
                        }
                        Some(Value::Unknown(s)) => {
                            // Unknown values are kept as written: the line
                            // break as the escape a writer would use.
                            let buf = join.get_or_insert_with(|| s.to_string());
                            buf.push_str("\\n");
                            buf.push_str(&extra);
                            Some(p.name.to_string())
                        }
                        Some(Value::Binary(b)) => {
                            // Base64 lines without indentation (old vCard
                            // 2.1 writers).
                            let mut issues = crate::decode::DecodeIssues::default();
                            b.extend(crate::decode::base64(line.text(), &mut issues));
                            Some(p.name.to_string())
                        }
                        _ => None,
                    }
                }
                _ => None,
            }
        };
        self.join = join;
        match joined {
            Some(prop) => self.sink.report(
                line.line(),
                1,
                Code::MalformedLine,
                format!("line {what}; joined to the {prop} value above as a continuation line"),
            ),
            None => self.sink.report(
                line.line(),
                1,
                Code::MalformedLine,
                format!(
                    "line {what}: '{}'; kept only as source bytes",
                    Shown(line.text())
                ),
            ),
        }
    }

    fn begin(&mut self, line: ContentLine<'_>) {
        let name = value_name(&line);
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            self.sink.report(
                line.line(),
                1,
                Code::MalformedLine,
                format!(
                    "BEGIN with an invalid component name '{}'",
                    Shown(line.value())
                ),
            );
            self.attach_trivia(&line);
            return;
        }
        if self.ignored_depth > 0 || self.stack.len() >= self.opts.limits.max_depth {
            if self.ignored_depth == 0 {
                self.sink.report(
                    line.line(),
                    1,
                    Code::TooDeep,
                    format!("components nested deeper than {}; BEGIN:{name} and what it holds are kept only as source bytes", self.opts.limits.max_depth),
                );
            }
            self.ignored_depth += 1;
            self.attach_trivia(&line);
            return;
        }
        if self.sink.strict
            && (line.name().iter().any(u8::is_ascii_lowercase)
                || line.value().iter().any(u8::is_ascii_lowercase))
        {
            self.sink.report(
                line.line(),
                1,
                Code::Case,
                format!("BEGIN:{name} is not written in uppercase"),
            );
        }
        // A child starts: the parent's dialect must be known now.
        if let Some(top) = self.stack.last()
            && !top.resolved
        {
            self.resolve_top(None);
        }
        let is_object = name == "VCALENDAR" || name == "VCARD";
        let dialect = match self.stack.last() {
            Some(f) if !is_object => f.comp.dialect,
            _ if is_object => Dialect::Unknown,
            _ => {
                // A top-level VEVENT etc.: iCalendar without its VCALENDAR.
                if self.sink.strict {
                    self.sink.report(
                        line.line(),
                        1,
                        Code::UnexpectedComponent,
                        format!("top-level {name} outside a VCALENDAR or VCARD"),
                    );
                }
                Dialect::ICalendar
            }
        };
        let mut comp = Component::named(name, dialect);
        if let Some(buf) = self.spare.pop() {
            comp.properties = buf;
        }
        comp.line = line.line();
        comp.begin_raw = Some(self.make_raw(&line));
        if let Some(parent) = self.stack.last() {
            comp.after_properties = parent.comp.properties.len();
        }
        self.stack.push(Frame {
            comp,
            pending: Vec::new(),
            resolved: !is_object,
        });
        self.last = Last::Begin;
    }

    fn end(&mut self, line: ContentLine<'_>) {
        let name = value_name(&line);
        if self.ignored_depth > 0 {
            self.ignored_depth -= 1;
            self.attach_trivia(&line);
            return;
        }
        let Some(pos) = self.stack.iter().rposition(|f| *f.comp.name == *name) else {
            // Tolerate a truncated name ("END:VEVEN") for the innermost component.
            let similar = self.stack.last().is_some_and(|f| {
                name.len() >= 3
                    && (f.comp.name.starts_with(name.as_str()) || name.starts_with(&*f.comp.name))
            });
            if similar {
                let open = self
                    .stack
                    .last()
                    .map(|f| f.comp.name.to_string())
                    .unwrap_or_default();
                self.sink.report(
                    line.line(),
                    1,
                    Code::MismatchedEnd,
                    format!("END:{name} closes {open}"),
                );
                self.close_top(Some(&line));
            } else {
                let msg = match self.stack.last() {
                    Some(f) => format!(
                        "END:{name} does not match the open BEGIN:{} (line {}); ignored",
                        f.comp.name, f.comp.line
                    ),
                    None => format!("END:{name} without a BEGIN; ignored"),
                };
                let code = if self.stack.is_empty() {
                    Code::UnmatchedEnd
                } else {
                    Code::MismatchedEnd
                };
                self.sink.report(line.line(), 1, code, msg);
                self.attach_trivia(&line);
            }
            return;
        };
        if self.sink.strict
            && (line.name().iter().any(u8::is_ascii_lowercase)
                || line.value().iter().any(u8::is_ascii_lowercase))
        {
            self.sink.report(
                line.line(),
                1,
                Code::Case,
                format!("END:{name} is not written in uppercase"),
            );
        }
        while self.stack.len() > pos + 1 {
            if let Some(f) = self.stack.last() {
                let msg = format!(
                    "BEGIN:{} at line {} has no END (closed by END:{name})",
                    f.comp.name, f.comp.line
                );
                self.sink.report(line.line(), 1, Code::MissingEnd, msg);
            }
            self.close_top(None);
        }
        self.close_top(Some(&line));
    }

    /// Decides the dialect of the innermost object frame, typing the
    /// properties that waited for it. `version` is the VERSION value seen.
    fn resolve_top(&mut self, version: Option<(&str, u32)>) {
        let strict = self.sink.strict;
        let Some(frame) = self.stack.last_mut() else {
            return;
        };
        if frame.resolved {
            return;
        }
        frame.resolved = true;
        let cname = frame.comp.name.to_string();
        let dialect = match version.and_then(|(v, _)| Dialect::from_version(&cname, v)) {
            Some(d) => d,
            None => {
                let guess = if cname == "VCARD" {
                    let twenty_one = frame
                        .pending
                        .iter()
                        .any(|(_, l)| l.params().any(|p| p.bare));
                    if twenty_one {
                        Dialect::VCard21
                    } else {
                        Dialect::VCard30
                    }
                } else {
                    Dialect::ICalendar
                };
                let (line, msg) = match version {
                    Some((v, line)) => (
                        line,
                        format!("unknown {cname} VERSION '{v}'; read as {}", guess.label()),
                    ),
                    None => (
                        frame.comp.line,
                        format!(
                            "{cname} has no VERSION before its content; read as {}",
                            guess.label()
                        ),
                    ),
                };
                // A missing VERSION in a VCALENDAR is normal enough in
                // real files to be only a strict-mode finding.
                if version.is_some() || cname == "VCARD" || strict {
                    self.sink.report(line, 1, Code::Version, msg);
                }
                guess
            }
        };
        frame.comp.dialect = dialect;
        let pending = std::mem::take(&mut frame.pending);
        for (idx, line) in pending {
            let prop = self.type_line(dialect, &line);
            if let Some(frame) = self.stack.last_mut()
                && let Some(slot) = frame.comp.properties.get_mut(idx)
            {
                let raw = slot.raw.take();
                *slot = prop;
                slot.raw = raw;
            }
        }
    }

    fn type_line(&mut self, dialect: Dialect, line: &ContentLine<'_>) -> Property {
        let Some(header) = line.header().copied() else {
            return Property::new("X-INVALID", ValueType::Unknown, Value::Unknown(Str::new()));
        };
        let locate = |off: usize| line.locate(off);
        // An unfolded line of a valid UTF-8 source is a slice of it: no
        // second validation, and values can share the buffer.
        let shared = match &self.raw_mode {
            RawMode::Shared(src) if !line.folded() && !line.too_long() => src
                .text()
                .and_then(|t| t.get(line.offset()..line.offset() + line.text().len()))
                .map(|s| (s, src)),
            _ => None,
        };
        let li = LineInput {
            text: line.text(),
            header,
            line: line.line(),
            locate: &locate,
            line_str: shared.map(|(s, _)| s),
            shared: shared.map(|(_, src)| src),
        };
        build_property(dialect, &li, &self.ctx, &mut self.sink)
    }

    fn property(&mut self, line: ContentLine<'_>) {
        if self.ignored_depth > 0 {
            self.attach_trivia(&line);
            return;
        }
        let raw = self.make_raw(&line);
        let max_props = self.opts.limits.max_properties;
        let Some(frame) = self.stack.last_mut() else {
            self.sink.report(
                line.line(),
                1,
                Code::OutsideComponent,
                format!(
                    "property {} outside any component; kept only as source bytes",
                    Shown(line.name())
                ),
            );
            self.attach_trivia(&line);
            return;
        };
        if frame.comp.properties.len() >= max_props {
            let cname = frame.comp.name.to_string();
            self.sink.report(line.line(), 1, Code::TooMany, format!("{cname} has more than {max_props} properties; the rest are kept only as source bytes"));
            self.attach_trivia(&line);
            return;
        }
        if !frame.resolved {
            if line.name().eq_ignore_ascii_case(b"VERSION") {
                let v = String::from_utf8_lossy(line.value()).trim().to_string();
                let l = line.line();
                self.resolve_top(Some((&v, l)));
            } else {
                // Keep the line until the dialect is known.
                let idx = frame.comp.properties.len();
                let mut placeholder = Property::new(
                    &name_of(&line),
                    ValueType::Unknown,
                    Value::Unknown(Str::new()),
                );
                placeholder.values = Values::Many(Vec::new());
                placeholder.line = line.line();
                placeholder.raw = Some(raw);
                frame.comp.properties.push(placeholder);
                frame.pending.push((idx, line.into_owned()));
                self.last = Last::Prop;
                if self.stack.len() == 1 {
                    self.container_dirty = true;
                }
                return;
            }
        }
        let dialect = self
            .stack
            .last()
            .map_or(Dialect::Unknown, |f| f.comp.dialect);
        let mut prop = self.type_line(dialect, &line);
        prop.raw = Some(raw);
        if let Some(frame) = self.stack.last_mut() {
            frame.comp.properties.push(prop);
        }
        self.last = Last::Prop;
        if self.stack.len() == 1 {
            self.container_dirty = true;
        }
    }

    fn check_required(&mut self, comp: &Component) {
        if !self.sink.strict {
            return;
        }
        for req in required(comp.dialect, &comp.name) {
            if comp.property(req).is_none() {
                self.sink.report(
                    comp.line,
                    1,
                    Code::MissingProperty,
                    format!("{} has no {req}", comp.name),
                );
            }
        }
        if comp.dialect == Dialect::ICalendar && !comp.is("STANDARD") && !comp.is("DAYLIGHT") {
            // Observances of a VTIMEZONE have local DTSTARTs and UTC
            // UNTILs by their own rule (RFC 5545 §3.6.5).
            for (line, problem) in until_problems(comp) {
                self.sink
                    .report(line, 1, Code::UntilForm, problem.to_string());
            }
        }
        for name in at_most_once(comp.dialect, &comp.name) {
            if let Some(second) = comp.properties_named(name).nth(1) {
                self.sink.report(
                    second.line,
                    1,
                    Code::Cardinality,
                    format!("{} has more than one {name}", comp.name),
                );
            }
        }
        if comp.dialect == Dialect::ICalendar
            && (comp.is("VEVENT") || comp.is("VTODO"))
            && comp.property("DURATION").is_some()
            && let Some(end) = comp.property("DTEND").or_else(|| comp.property("DUE"))
        {
            self.sink.report(
                end.line,
                1,
                Code::Cardinality,
                format!(
                    "{} has both {} and DURATION (RFC 5545 §3.6.1, §3.6.2)",
                    comp.name,
                    end.name()
                ),
            );
        }
        if matches!(comp.dialect, Dialect::VCard30 | Dialect::VCard40) && comp.is("VCARD") {
            // RFC 2426 §3.5.4 / RFC 6350: a card holds no component; 3.0
            // writes an agent's card as the AGENT's text (2.1 embeds it).
            for c in &comp.components {
                self.sink.report(
                    c.line,
                    1,
                    Code::UnexpectedComponent,
                    format!(
                        "{} inside a {} VCARD (an agent's card is the AGENT's text)",
                        c.name,
                        comp.dialect.label()
                    ),
                );
            }
        }
        if comp.dialect == Dialect::VCard40 && comp.is("VCARD") {
            for (line, problem) in vcard40_problems(comp) {
                self.sink.report(line, 1, Code::Grammar, problem);
            }
        }
        if comp.dialect == Dialect::ICalendar && comp.is("VALARM") {
            // RFC 5545 §3.8.6.3: an absolute trigger MUST be in UTC.
            for p in comp.properties_named("TRIGGER") {
                if let Some(Value::DateTime(dt)) = p.value()
                    && !dt.is_utc()
                {
                    self.sink.report(
                        p.line,
                        1,
                        Code::Grammar,
                        "TRIGGER;VALUE=DATE-TIME must be in UTC (RFC 5545 §3.8.6.3)",
                    );
                }
            }
        }
        if comp.dialect == Dialect::ICalendar && comp.is("VCALENDAR") && self.pieces_emitted == 0 {
            if comp.components.is_empty() {
                self.sink.report(
                    comp.line,
                    1,
                    Code::MissingProperty,
                    "VCALENDAR has no calendar component",
                );
            }
            // RFC 5545 §3.2.19: every TZID needs its VTIMEZONE.
            let defined: Vec<&str> = comp
                .children("VTIMEZONE")
                .filter_map(|tz| tz.text("TZID"))
                .collect();
            let mut missing: Vec<(u32, String)> = Vec::new();
            comp.walk(&mut |c| {
                for p in &c.properties {
                    if let Some(tz) = p.param("TZID")
                        && !defined.contains(&tz)
                        && !missing.iter().any(|(_, m)| m == tz)
                    {
                        missing.push((p.line, tz.to_string()));
                    }
                }
            });
            for (line, tz) in missing {
                self.sink.report(
                    line,
                    1,
                    Code::UndefinedTimeZone,
                    format!("TZID '{tz}' has no VTIMEZONE in this calendar"),
                );
            }
        }
    }

    /// Closes the innermost component, with its END line if there is one.
    fn close_top(&mut self, end_line: Option<&ContentLine<'_>>) {
        if self.stack.last().is_some_and(|f| !f.resolved) {
            self.resolve_top(None);
        }
        let end_raw = end_line.map(|l| self.make_raw(l));
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let mut comp = frame.comp;
        comp.end_raw = end_raw;
        // A finished component keeps no spare capacity (a tree can be many
        // times the size of its input): its properties move into a vector
        // of their exact number, and the buffer they grew in is kept for
        // the next component.
        if comp.properties.capacity() > comp.properties.len() {
            let mut exact = Vec::with_capacity(comp.properties.len());
            exact.append(&mut comp.properties);
            let buf = std::mem::replace(&mut comp.properties, exact);
            if self.spare.len() < SPARE_BUFFERS && buf.capacity() <= MAX_SPARE_CAPACITY {
                self.spare.push(buf);
            }
        }
        comp.components.shrink_to_fit();
        self.check_required(&comp);
        let depth = self.stack.len();
        match self.stack.last_mut() {
            Some(parent) => {
                let parent_is_split_container =
                    self.split && depth == 1 && parent.comp.is("VCALENDAR");
                if parent_is_split_container && !comp.is("VTIMEZONE") {
                    if self.container_dirty || self.container.is_none() {
                        self.container = Some(Arc::new(parent.comp.clone()));
                        self.container_dirty = false;
                    }
                    if let Some(c) = &self.container {
                        self.completed.push(Completed::Piece {
                            container: c.clone(),
                            child: comp,
                            diagnostics: std::mem::take(&mut self.sink.items),
                        });
                        self.pieces_emitted += 1;
                    }
                    // The piece carries its own END bytes.
                    self.container_dirty = false;
                    self.last = Last::None;
                } else {
                    parent.comp.components.push(comp);
                    if depth == 1 {
                        self.container_dirty = true;
                    }
                    self.last = Last::ChildEnd;
                }
            }
            None => {
                if self.split {
                    // A calendar whose children all went out as pieces is
                    // emitted again only when something came after the last
                    // piece (properties or time zones), so nothing is lost.
                    if !(comp.is("VCALENDAR") && self.pieces_emitted > 0 && !self.container_dirty) {
                        self.completed.push(Completed::Object(
                            comp,
                            std::mem::take(&mut self.sink.items),
                        ));
                    }
                    self.container = None;
                    self.container_dirty = false;
                    self.pieces_emitted = 0;
                    self.last = Last::None;
                } else {
                    self.done.push(comp);
                    self.last = Last::TopEnd;
                }
            }
        }
    }

    /// Closes whatever is still open at the end of the input.
    pub(crate) fn finish(&mut self) {
        self.flush_join();
        while let Some(f) = self.stack.last() {
            let msg = format!(
                "BEGIN:{} at line {} has no END before the end of the input",
                f.comp.name, f.comp.line
            );
            let line = f.comp.line;
            self.sink.report(line, 1, Code::MissingEnd, msg);
            self.close_top(None);
        }
    }
}

/// What a piece of the input starts with, and so the state its builder
/// starts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PieceStart {
    /// The start of the input.
    Input,
    /// `BEGIN:VCALENDAR` or `BEGIN:VCARD`: no component is open.
    TopLevel,
    /// `BEGIN:VEVENT`, `VTODO`, `VJOURNAL` or `VFREEBUSY`: inside the
    /// iCalendar VCALENDAR that the pieces before opened.
    InCalendar,
}

/// One piece of the input: bytes `start..end`, its first line number.
#[derive(Debug, Clone, Copy)]
struct Piece {
    start: usize,
    end: usize,
    line: u32,
    kind: PieceStart,
}

/// A piece parsed: its builder, not finished unless it is the last, and
/// the line number after it.
struct PieceResult {
    builder: Builder,
    next_line: u32,
    bom: bool,
}

/// The kind of piece a `BEGIN` line with this component name starts, if it
/// may start one.
fn piece_start_of(name: &[u8]) -> Option<PieceStart> {
    match name {
        b"VCALENDAR" | b"VCARD" => Some(PieceStart::TopLevel),
        b"VEVENT" | b"VTODO" | b"VJOURNAL" | b"VFREEBUSY" => Some(PieceStart::InCalendar),
        _ => None,
    }
}

/// Where to cut `bytes` into about `n` pieces: the starts of `BEGIN` lines
/// (written in uppercase, after a line break) of the components
/// [`piece_start_of`] accepts, at or after each `k/n` of the input.
fn cut_points(bytes: &[u8], n: usize) -> Vec<(usize, PieceStart)> {
    let finder = memchr::memmem::Finder::new(b"BEGIN:");
    let mut cuts: Vec<(usize, PieceStart)> = Vec::new();
    for k in 1..n {
        let target = bytes.len() / n * k;
        let mut from = cuts.last().map_or(target, |&(at, _)| target.max(at + 1));
        while let Some(i) = bytes.get(from..).and_then(|rest| finder.find(rest)) {
            let at = from + i;
            from = at + 1;
            if !matches!(
                at.checked_sub(1).and_then(|b| bytes.get(b)),
                Some(b'\r' | b'\n')
            ) {
                continue;
            }
            let name_start = at + b"BEGIN:".len();
            let rest = bytes.get(name_start..).unwrap_or_default();
            let name_len = memchr::memchr2(b'\r', b'\n', rest).unwrap_or(rest.len());
            if let Some(kind) = rest.get(..name_len).and_then(piece_start_of) {
                cuts.push((at, kind));
                break;
            }
        }
    }
    cuts
}

/// Parses `src` in pieces on up to `threads` threads (see
/// [`ParseOptions::threads`]); `None` when the input is too small to
/// share or when the pieces cannot be joined into exactly what one thread
/// gives, for the caller to parse it on one.
fn parse_in_pieces(opts: &ParseOptions, src: &Source, threads: usize) -> Option<Parsed> {
    let bytes = src.bytes();
    let n = threads
        .min(MAX_THREADS)
        .min(bytes.len() / MIN_BYTES_PER_THREAD);
    parse_cut(opts, src, n)
}

/// [`parse_in_pieces`] with the number of pieces given (tests cut small
/// inputs into many).
fn parse_cut(opts: &ParseOptions, src: &Source, n: usize) -> Option<Parsed> {
    if n < 2 {
        return None;
    }
    let bytes = src.bytes();
    let cuts = cut_points(bytes, n);
    if cuts.is_empty() {
        return None;
    }
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    let (mut start, mut line, mut kind) = (0usize, 1u32, PieceStart::Input);
    for (at, next_kind) in cuts {
        pieces.push(Piece {
            start,
            end: at,
            line,
            kind,
        });
        let breaks = oxpim_lexer::count_line_breaks(bytes.get(start..at)?);
        line = line.saturating_add(u32::try_from(breaks).unwrap_or(u32::MAX));
        (start, kind) = (at, next_kind);
    }
    pieces.push(Piece {
        start,
        end: bytes.len(),
        line,
        kind,
    });
    let last = pieces.len() - 1;
    // Each piece counts its references to the input on an alias of its own.
    let run = |i: usize, piece: &Piece| parse_piece(opts, src.alias(), piece, i == last);
    let results: Vec<PieceResult> = std::thread::scope(|scope| {
        let (first, rest) = pieces.split_first()?;
        let started: Vec<_> = rest
            .iter()
            .enumerate()
            .map(|(i, piece)| {
                let handle = std::thread::Builder::new()
                    .name("oxpim-parse".into())
                    .spawn_scoped(scope, move || run(i + 1, piece));
                (i + 1, piece, handle.ok())
            })
            .collect();
        let mut results = vec![run(0, first)];
        for (i, piece, handle) in started {
            match handle.map(std::thread::ScopedJoinHandle::join) {
                Some(Ok(r)) => results.push(r),
                Some(Err(e)) => std::panic::resume_unwind(e),
                // A thread that could not be started: its piece here.
                None => results.push(run(i, piece)),
            }
        }
        Some(results)
    })?;
    join_pieces(opts, &pieces, results)
}

/// RFC 5545 §3.3.10's rules for UNTIL against `comp`'s DTSTART: the same
/// value type; UTC when DTSTART is UTC or has a TZID; local when DTSTART
/// is local. The line of each rule that breaks one, with what it breaks.
fn until_problems(comp: &Component) -> Vec<(u32, &'static str)> {
    use crate::value::recur::RecurUntil;
    let Some(start) = comp.property("DTSTART").and_then(Property::value) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in comp
        .properties
        .iter()
        .filter(|p| p.is("RRULE") || p.is("EXRULE"))
    {
        let Some(Value::Recur(r)) = p.value() else {
            continue;
        };
        let problem = match (&r.until, start) {
            (Some(RecurUntil::DateTime(_)), Value::Date(_)) => {
                "UNTIL is a DATE-TIME but DTSTART is a DATE; it must be a DATE too"
            }
            (Some(RecurUntil::Date(_)), Value::DateTime(_)) => {
                "UNTIL is a DATE but DTSTART is a DATE-TIME; it must be a DATE-TIME too"
            }
            (Some(RecurUntil::DateTime(u)), Value::DateTime(s))
                if !u.is_utc() && (s.is_utc() || s.tzid().is_some()) =>
            {
                "UNTIL must be in UTC when DTSTART is in UTC or has a TZID"
            }
            (Some(RecurUntil::DateTime(u)), Value::DateTime(s))
                if u.is_utc() && !s.is_utc() && s.tzid().is_none() =>
            {
                "UNTIL must be a local time when DTSTART is a local time"
            }
            _ => continue,
        };
        out.push((p.line, problem));
    }
    out
}

/// Parses one piece of `src` (the source its items keep) with a builder in
/// the state its start assumes; the last piece's builder is finished.
fn parse_piece(opts: &ParseOptions, src: Source, piece: &Piece, last: bool) -> PieceResult {
    let lex_opts = LexOptions {
        max_line_bytes: opts.limits.max_line_bytes,
        complete: true,
    };
    let input = src.bytes().get(..piece.end).unwrap_or_default();
    let mut lexer = match piece.kind {
        PieceStart::Input => Lexer::with_options(input, lex_opts),
        _ => Lexer::resume(input, piece.start, piece.line, lex_opts),
    };
    let bom = lexer.had_bom();
    let mut b = Builder::new(*opts, RawMode::Shared(src.clone()), false);
    // Values are searched for control characters only when the piece has
    // some that are not line breaks (almost never).
    b.ctx.controls =
        crate::typing::input_has_controls(input.get(piece.start..).unwrap_or_default());
    if bom {
        b.leading = Some(Raw::range(&src, 0, oxpim_lexer::BOM.len()));
        b.last = Last::Leading;
    }
    if piece.kind == PieceStart::InCalendar {
        // Stands for the VCALENDAR an earlier piece opened; joined into it.
        b.stack.push(Frame {
            comp: Component::named(Name::new("VCALENDAR"), Dialect::ICalendar),
            pending: Vec::new(),
            resolved: true,
        });
    }
    for line in &mut lexer {
        b.feed(line);
    }
    if last {
        b.finish();
    } else {
        b.flush_join();
    }
    PieceResult {
        builder: b,
        next_line: lexer.line_number(),
        bom,
    }
}

/// Moves the properties and children of `from` (a piece's stand-in for a
/// VCALENDAR) to the end of `into` (that VCALENDAR).
fn absorb(into: &mut Component, from: &mut Component) {
    let before = into.properties.len();
    for c in &mut from.components {
        if c.after_properties != usize::MAX {
            c.after_properties = c.after_properties.saturating_add(before);
        }
    }
    into.properties.append(&mut from.properties);
    into.components.append(&mut from.components);
}

/// Joins parsed pieces into the one-thread result, or `None` when some
/// piece did not end in the state the next one assumed (or joining could
/// differ from one thread's result in another way).
fn join_pieces(opts: &ParseOptions, pieces: &[Piece], results: Vec<PieceResult>) -> Option<Parsed> {
    let mut results = results.into_iter();
    let first = results.next()?;
    let bom = first.bom;
    let mut next_line = first.next_line;
    let mut acc = first.builder;
    for (piece, r) in pieces.get(1..)?.iter().zip(results) {
        // The piece before ended at this piece's first line, with nothing
        // left pending.
        if next_line != piece.line || acc.ignored_depth != 0 || acc.join.is_some() {
            return None;
        }
        let mut b = r.builder;
        if b.leading.is_some() {
            return None;
        }
        match piece.kind {
            PieceStart::Input => return None,
            PieceStart::TopLevel => {
                if !acc.stack.is_empty() {
                    return None;
                }
                acc.done.append(&mut b.done);
                acc.stack = std::mem::take(&mut b.stack);
            }
            PieceStart::InCalendar => {
                // Diagnostics that name the line of an open component would
                // name the stand-in's.
                if b.sink.items.iter().any(|d| {
                    matches!(
                        d.code,
                        Code::MissingEnd | Code::MismatchedEnd | Code::UnmatchedEnd
                    )
                }) {
                    return None;
                }
                let [frame] = acc.stack.as_mut_slice() else {
                    return None;
                };
                if !frame.resolved
                    || !frame.comp.is("VCALENDAR")
                    || frame.comp.dialect != Dialect::ICalendar
                {
                    return None;
                }
                if b.done.is_empty() {
                    // The VCALENDAR is still open at the end of this piece.
                    let [stand_in] = b.stack.as_mut_slice() else {
                        return None;
                    };
                    absorb(&mut frame.comp, &mut stand_in.comp);
                } else {
                    // Closed in this piece: the stand-in is its first
                    // finished object.
                    let mut stand_in = b.done.remove(0);
                    let mut real = acc.stack.pop()?.comp;
                    absorb(&mut real, &mut stand_in);
                    real.end_raw = stand_in.end_raw.take();
                    real.properties.shrink_to_fit();
                    real.components.shrink_to_fit();
                    acc.done.push(real);
                    acc.done.append(&mut b.done);
                    acc.stack = std::mem::take(&mut b.stack);
                }
            }
        }
        // Reports made once per input (the first blank line, long line or
        // other line break) belong to strict mode, which is parsed on one
        // thread; should one come from a later piece, one thread decides.
        if b.sink.truncated()
            || b.sink
                .items
                .iter()
                .any(|d| matches!(d.code, Code::BlankLine | Code::LongLine | Code::LineBreak))
        {
            return None;
        }
        acc.sink.items.append(&mut b.sink.items);
        acc.last = b.last;
        next_line = r.next_line;
    }
    if !acc.stack.is_empty()
        || acc.sink.truncated()
        || acc.sink.items.len() > opts.limits.max_diagnostics
    {
        return None;
    }
    Some(into_parsed(acc, bom))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod piece_tests {
    use super::*;

    /// One thread's result, as text that covers every field (source
    /// bytes, lines, positions, diagnostics).
    fn one_thread(input: &[u8]) -> String {
        format!("{:?}", Parser::new().parse(input))
    }

    /// The result of cutting `input` into `n` pieces, `None` when the
    /// pieces could not be joined.
    fn in_pieces(input: &[u8], n: usize) -> Option<String> {
        parse_cut(&ParseOptions::default(), &Source::from_slice(input), n).map(|p| format!("{p:?}"))
    }

    /// Asserts that every cut of `input` that joins gives the one-thread
    /// result; returns how many cuts joined.
    fn check(input: &[u8]) -> usize {
        let expected = one_thread(input);
        let mut joined = 0;
        for n in 2..=12 {
            if let Some(got) = in_pieces(input, n) {
                assert_eq!(
                    got,
                    expected,
                    "{n} pieces of {:?}",
                    String::from_utf8_lossy(input)
                );
                joined += 1;
            }
        }
        joined
    }

    fn event(i: usize, extra: &str) -> String {
        format!(
            "BEGIN:VEVENT\r\nUID:e{i}\r\nDTSTAMP:20250101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20250{}01T090000\r\nSUMMARY:Event {i}\\, with a fold that goes on and on and on past the seventy-\r\n five octets\r\n{extra}ATTENDEE;CN=\"A {i}\";PARTSTAT=ACCEPTED:mailto:a{i}@example.com\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\n",
            1 + i % 9
        )
    }

    fn calendar(events: usize, extra: impl Fn(usize) -> String) -> String {
        let mut s = String::from(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//oxpim//test//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n",
        );
        for i in 0..events {
            s.push_str(&event(i, &extra(i)));
        }
        s.push_str("END:VCALENDAR\r\n");
        s
    }

    #[test]
    fn a_calendar_in_pieces_is_the_calendar() {
        let cal = calendar(40, |_| String::new());
        assert_eq!(check(cal.as_bytes()), 11);
        // LF only, bare CR, and CR CR LF line breaks.
        for brk in ["\n", "\r", "\r\r\n"] {
            let other = cal.replace("\r\n", brk);
            assert_eq!(check(other.as_bytes()), 11, "{brk:?}");
        }
    }

    #[test]
    fn diagnostics_and_trivia_join_in_order() {
        // Blank lines (one reported), lines without a colon joined to the
        // value above, a value of the wrong type, a property after the
        // components (its position among them kept), a byte order mark.
        let cal = calendar(30, |i| match i % 4 {
            0 => "\r\n".into(),
            1 => "DESCRIPTION:first\r\ncontinued without a space\r\n".into(),
            2 => "PRIORITY:high\r\n".into(),
            _ => String::new(),
        })
        .replace("END:VCALENDAR", "X-AFTER:1\r\nEND:VCALENDAR");
        let mut input = oxpim_lexer::BOM.to_vec();
        input.extend_from_slice(cal.as_bytes());
        input.extend_from_slice(b"\r\n\r\n");
        assert!(check(&input) > 5);
        // The diagnostics joined are many, from every piece.
        let parsed = Parser::new().parse(&input);
        let malformed = parsed
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::MalformedLine)
            .count();
        assert_eq!(malformed, 8);
        assert!(parsed.diagnostics.len() > 12, "{:?}", parsed.diagnostics);
    }

    #[test]
    fn objects_side_by_side_are_cut_between_them() {
        let mut cards = String::new();
        for i in 0..60 {
            let version = ["2.1", "3.0", "4.0"][i % 3];
            cards.push_str(&format!(
                "BEGIN:VCARD\r\nVERSION:{version}\r\nFN:Person {i}\r\nN:P;{i};;;\r\nNOTE;ENCODING=QUOTED-PRINTABLE:a=\r\nb\r\nEND:VCARD\r\n"
            ));
        }
        assert_eq!(check(cards.as_bytes()), 11);
        // Calendars one after another, with components and top-level
        // objects to cut at.
        let two = format!(
            "{}{}",
            calendar(20, |_| String::new()),
            calendar(25, |_| String::new())
        );
        assert_eq!(check(two.as_bytes()), 11);
    }

    #[test]
    fn cuts_that_cannot_join_fall_back() {
        // No END:VCALENDAR: the last piece would report the stand-in.
        let open = calendar(30, |_| String::new()).replace("END:VCALENDAR\r\n", "");
        assert_eq!(check(open.as_bytes()), 0);
        assert!(
            Parser::new()
                .parse(open.as_bytes())
                .diagnostics
                .iter()
                .any(|d| d.code == Code::MissingEnd)
        );
        // A VEVENT inside a VEVENT: cuts there leave the piece before
        // with two open components.
        let nested = calendar(30, |i| {
            if i % 2 == 0 {
                "BEGIN:VEVENT\r\nUID:inner\r\nEND:VEVENT\r\n".into()
            } else {
                String::new()
            }
        });
        check(nested.as_bytes());
        // vCalendar 1.0: its VEVENTs are not iCalendar ones.
        let vcal = calendar(30, |_| String::new()).replace("VERSION:2.0", "VERSION:1.0");
        assert_eq!(check(vcal.as_bytes()), 0);
        // Too small to share, or nothing to cut at.
        assert!(in_pieces(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", 1).is_none());
        assert!(in_pieces(b"no components at all\r\n", 4).is_none());
    }

    #[test]
    fn the_public_cut_is_the_one_thread_parse() {
        let cal = calendar(10, |_| String::new());
        let got = Parser::new()
            .parse_in_pieces(cal.as_bytes(), 3)
            .expect("joins");
        assert_eq!(format!("{got:?}"), one_thread(cal.as_bytes()));
        assert!(
            Parser::strict()
                .parse_in_pieces(cal.as_bytes(), 3)
                .is_none()
        );
    }

    #[test]
    fn the_option_parses_large_inputs_in_pieces() {
        let cal = calendar(12_000, |_| String::new());
        assert!(cal.len() > 3 * MIN_BYTES_PER_THREAD);
        let opts = ParseOptions {
            threads: 3,
            ..ParseOptions::default()
        };
        assert!(
            parse_in_pieces(&opts, &Source::from_slice(cal.as_bytes()), 3).is_some(),
            "joins"
        );
        let got = Parser::with_options(opts).parse(cal.as_bytes());
        assert_eq!(format!("{got:?}"), one_thread(cal.as_bytes()));
        assert_eq!(got.document.components[0].components.len(), 12_001);
    }

    #[test]
    fn random_line_soups_in_pieces_are_the_soups() {
        // Lines drawn from a pool of the awkward (unbalanced BEGIN/END,
        // blank, malformed, folded, quoted-printable, wrong types, lower
        // case, other objects), joined by mixed line breaks: wherever the
        // pieces join, they give the one-thread result.
        let pool: &[&str] = &[
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "VERSION:1.0",
            "END:VCALENDAR",
            "BEGIN:VEVENT",
            "END:VEVENT",
            "BEGIN:VTODO",
            "END:VTODO",
            "BEGIN:VALARM",
            "END:VALARM",
            "BEGIN:VCARD",
            "VERSION:3.0",
            "END:VCARD",
            "begin:vevent",
            "END:VEVEN",
            "UID:x",
            "DTSTART:20250101T090000Z",
            "DTSTART:not a date",
            "SUMMARY:folded",
            " continued",
            "\tcontinued by tab",
            "NOTE;ENCODING=QUOTED-PRINTABLE:a=",
            "b=3D",
            "",
            "no colon here",
            "X-THING;A=\"q\";B=1,2:v",
            "PRIORITY:high",
        ];
        let breaks = ["\r\n", "\r\n", "\r\n", "\n", "\r", "\r\r\n"];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |m: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % m as u64) as usize
        };
        let mut joined = 0;
        for _ in 0..600 {
            // A calendar (or cards) of components with random lines in
            // and between them, so that many cuts join and some do not.
            let cards = next(4) == 0;
            let (open, close) = if cards {
                ("", "")
            } else {
                ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", "END:VCALENDAR\r\n")
            };
            let (begin, end) = if cards {
                ("BEGIN:VCARD\r\nVERSION:3.0", "END:VCARD")
            } else {
                ("BEGIN:VEVENT", "END:VEVENT")
            };
            let mut s = String::from(open);
            for _ in 0..next(60) {
                s.push_str(begin);
                s.push_str(breaks[next(breaks.len())]);
                for _ in 0..next(3) {
                    s.push_str(pool[next(pool.len())]);
                    s.push_str(breaks[next(breaks.len())]);
                }
                s.push_str(end);
                s.push_str(breaks[next(breaks.len())]);
                if next(8) == 0 {
                    s.push_str(pool[next(pool.len())]);
                    s.push_str(breaks[next(breaks.len())]);
                }
            }
            if next(6) != 0 {
                s.push_str(close);
            }
            joined += check(s.as_bytes());
        }
        assert!(joined > 200, "{joined} joined cuts");
    }

    #[test]
    fn corpus_files_in_pieces_are_the_files() {
        let dir = std::env::var_os("OXPIM_CORPUS").map_or_else(
            || std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
            std::path::PathBuf::from,
        );
        if !dir.is_dir() {
            assert_ne!(
                std::env::var("OXPIM_REQUIRE_EXTERNAL").as_deref(),
                Ok("1"),
                "corpus not found at {}",
                dir.display()
            );
            eprintln!("SKIPPED: no corpus at {}", dir.display());
            return;
        }
        let mut stack = vec![dir];
        let (mut files, mut joined) = (0, 0);
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p
                    .extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| matches!(x, "ics" | "vcs" | "vcf" | "ical"))
                {
                    let bytes = std::fs::read(&p).unwrap();
                    files += 1;
                    let expected = one_thread(&bytes);
                    for n in [2, 3, 7] {
                        if let Some(got) = in_pieces(&bytes, n) {
                            assert_eq!(got, expected, "{} in {n} pieces", p.display());
                            joined += 1;
                        }
                    }
                }
            }
        }
        assert!(files > 100, "{files} files");
        assert!(joined > 50, "{joined} joined cuts");
    }
}
