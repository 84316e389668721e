//! Calendar files converted to Outlook messages one series at a time, so
//! that the memory a conversion needs follows the largest series, not the
//! file.
//!
//! A first pass over the bytes (the lexer only, no tree) finds each
//! VCALENDAR's own lines, its VTIMEZONEs and its children, and groups the
//! VEVENTs by UID as [`crate::calendar_to_messages`] does. Each group is then
//! parsed and imported on its own, as a VCALENDAR of the calendar's lines,
//! all its VTIMEZONEs and the group's components; its messages are handed
//! to the caller and dropped before the next group is read. Diagnostics
//! carry the line numbers of the file, and those about the shared lines
//! (calendar properties, time zones) are reported once.
//!
//! The result is that of [`crate::calendar_to_messages`] on the parsed
//! file: the same messages in the same order and the same diagnostics, the
//! parser's in file order (`crates/oxpim/tests/parts.rs` checks both over
//! the external corpus). Two things differ by design: conversion
//! diagnostics come series by series (zone notes with the first series
//! that used the zone), and past `max_messages` the error names the first
//! VEVENT of the series where the limit was reached. A file this split
//! cannot reproduce exactly is converted whole instead, and
//! [`PartsReport::split`] says so: vCalendar 1.0 or a second VERSION,
//! anything outside a VCALENDAR, unbalanced BEGIN/END or a component name
//! the parser refuses, a line that is not `name:value`, a
//! quoted-printable value, a VEVENT without UID or with an escaped or
//! parameterised one, a component of more than 100 000 lines, a calendar
//! of several series whose METHOD is not PUBLISH, and calendars whose own
//! lines and time zones, parsed again for every series, would cost more
//! than eight times the file.

use std::collections::{HashMap, HashSet};

use oxpim_contentline::{Code, Diagnostic, Parser, Severity};
use oxpim_lexer::Lexer;
use oxpim_mapi::Message;
use oxpim_mapi::ical::{ImportOptions, Importer};

/// What [`calendar_bytes_to_messages`] reports.
#[derive(Debug, Clone, Default)]
pub struct PartsReport {
    /// Parser diagnostics, in file order.
    pub parse: Vec<Diagnostic>,
    /// Conversion diagnostics.
    pub import: Vec<Diagnostic>,
    /// Messages handed to the callback.
    pub messages: usize,
    /// True when the file was converted series by series; false when it
    /// was parsed and converted whole (see the module documentation).
    pub split: bool,
}

/// A run of whole lines of the input.
#[derive(Debug, Clone, Copy)]
struct Chunk {
    start: usize,
    end: usize,
    /// The file's line number of its first line.
    line: u32,
    /// Its physical lines.
    lines: u32,
}

#[derive(Debug)]
struct Child {
    chunk: Chunk,
    /// `Some` for a VEVENT: its UID.
    uid: Option<String>,
    timezone: bool,
    /// Its content lines.
    count: usize,
}

/// Most content lines of one component in a file that is split.
const MAX_CHILD_LINES: usize = 100_000;

/// An iana-token or x-name, as the parser accepts after BEGIN and END.
fn component_name(v: &[u8]) -> bool {
    !v.is_empty() && v.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
}

#[derive(Debug)]
struct Calendar {
    /// BEGIN:VCALENDAR, the calendar's own lines, END:VCALENDAR.
    begin: Chunk,
    own: Vec<Chunk>,
    end: Chunk,
    children: Vec<Child>,
    method: Option<String>,
    version_2: bool,
    version_other: bool,
}

impl Calendar {
    /// Its series: the distinct UIDs of its VEVENTs.
    fn series(&self) -> usize {
        self.children
            .iter()
            .filter_map(|c| c.uid.as_deref())
            .collect::<HashSet<&str>>()
            .len()
    }
}

fn is(name: &[u8], want: &str) -> bool {
    name.eq_ignore_ascii_case(want.as_bytes())
}

fn trimmed(v: &[u8]) -> &[u8] {
    v.trim_ascii()
}

/// The first pass: `None` when the file is not a sequence of well-formed
/// iCalendar 2.0 VCALENDARs whose VEVENTs all have a plain UID.
fn scan(bytes: &[u8]) -> Option<Vec<Calendar>> {
    let mut cals: Vec<Calendar> = Vec::new();
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut child: Option<Child> = None;
    let mut lexer = Lexer::new(bytes);
    for l in lexer.by_ref() {
        let raw = l.raw();
        let chunk = Chunk {
            start: l.offset(),
            end: l.offset() + raw.len(),
            line: l.line(),
            lines: l.physical_lines(),
        };
        let name = l.name();
        // What the parser reads otherwise than as one line of its place is
        // left to the whole-file path: a line that is not `name:value`
        // (the parser joins it to the line before), a quoted-printable
        // value (the lexer may join the next line to it, which in a part
        // can be another), a BEGIN or END with a name the parser refuses.
        if matches!(l.kind(), oxpim_lexer::LineKind::Malformed(_))
            || l.quoted_printable()
            || ((is(name, "BEGIN") || is(name, "END")) && !component_name(trimmed(l.value())))
        {
            return None;
        }
        if trimmed(raw).is_empty() {
            if let Some(c) = &mut child {
                c.chunk.end = chunk.end;
                c.chunk.lines = c.chunk.lines.saturating_add(chunk.lines);
            }
            continue;
        }
        let value = trimmed(l.value());
        match stack.len() {
            0 => {
                if !(is(name, "BEGIN") && value.eq_ignore_ascii_case(b"VCALENDAR")) {
                    return None;
                }
                stack.push(value.to_ascii_uppercase());
                cals.push(Calendar {
                    begin: chunk,
                    own: Vec::new(),
                    end: chunk,
                    children: Vec::new(),
                    method: None,
                    version_2: false,
                    version_other: false,
                });
            }
            1 => {
                let cal = cals.last_mut()?;
                if is(name, "BEGIN") {
                    stack.push(value.to_ascii_uppercase());
                    child = Some(Child {
                        chunk,
                        uid: value.eq_ignore_ascii_case(b"VEVENT").then(String::new),
                        timezone: value.eq_ignore_ascii_case(b"VTIMEZONE"),
                        count: 1,
                    });
                } else if is(name, "END") {
                    if !value.eq_ignore_ascii_case(b"VCALENDAR") {
                        return None;
                    }
                    stack.pop();
                    cal.end = chunk;
                } else {
                    if is(name, "VERSION") {
                        if value == b"2.0" {
                            cal.version_2 = true;
                        } else {
                            cal.version_other = true;
                        }
                    }
                    // The importer reads the first METHOD.
                    if is(name, "METHOD") && cal.method.is_none() {
                        cal.method = Some(String::from_utf8_lossy(value).to_ascii_uppercase());
                    }
                    cal.own.push(chunk);
                }
            }
            depth => {
                let c = child.as_mut()?;
                c.chunk.end = chunk.end;
                c.chunk.lines = c.chunk.lines.saturating_add(chunk.lines);
                c.count += 1;
                // Far below the parser's property limit, beyond which a late
                // UID would be dropped and one made up from positions.
                if c.count > MAX_CHILD_LINES {
                    return None;
                }
                if is(name, "BEGIN") {
                    stack.push(value.to_ascii_uppercase());
                } else if is(name, "END") {
                    let open = stack.pop()?;
                    if !value.eq_ignore_ascii_case(&open) {
                        return None;
                    }
                    if depth == 2 {
                        let done = child.take()?;
                        if done.uid.as_deref() == Some("") {
                            return None; // a VEVENT without UID
                        }
                        cals.last_mut()?.children.push(done);
                    }
                } else if depth == 2
                    && is(name, "UID")
                    && let Some(uid) = &mut c.uid
                    && uid.is_empty()
                {
                    // The UID as the importer reads it: text without escapes.
                    let text = std::str::from_utf8(l.value()).ok()?;
                    if text.contains('\\') || text.trim().is_empty() || l.params().next().is_some()
                    {
                        return None;
                    }
                    uid.push_str(text);
                }
            }
        }
    }
    if !stack.is_empty() || cals.is_empty() || cals.iter().any(|c| !c.version_2 || c.version_other)
    {
        return None;
    }
    Some(cals)
}

/// Maps the line numbers of a part back to the file.
struct LineMap {
    /// (first line in the part, first line in the file, lines, shared).
    pieces: Vec<(u32, u32, u32, bool)>,
}

impl LineMap {
    fn file_line(&self, line: u32) -> (u32, bool) {
        // Pieces are in part order: the last one starting at or before `line`.
        let i = self.pieces.partition_point(|p| p.0 <= line);
        match i.checked_sub(1).and_then(|i| self.pieces.get(i)) {
            Some(&(p, f, n, shared)) if line < p.saturating_add(n.max(1)) => {
                (f.saturating_add(line - p), shared)
            }
            _ => (line, true),
        }
    }
}

/// One part: the calendar's lines and time zones, then `members`.
fn assemble(bytes: &[u8], cal: &Calendar, members: &[&Child]) -> (Vec<u8>, LineMap) {
    let mut text = Vec::new();
    let mut pieces = Vec::new();
    let mut next = 1u32;
    let mut add = |c: &Chunk, shared: bool, text: &mut Vec<u8>| {
        if let Some(b) = bytes.get(c.start..c.end) {
            text.extend_from_slice(b);
            if !b.ends_with(b"\n") && !b.ends_with(b"\r") {
                text.extend_from_slice(b"\r\n");
            }
            pieces.push((next, c.line, c.lines.max(1), shared));
            next = next.saturating_add(c.lines.max(1));
        }
    };
    add(&cal.begin, true, &mut text);
    for c in &cal.own {
        add(c, true, &mut text);
    }
    for c in cal.children.iter().filter(|c| c.timezone) {
        add(&c.chunk, true, &mut text);
    }
    for m in members {
        add(&m.chunk, false, &mut text);
    }
    add(&cal.end, true, &mut text);
    (text, LineMap { pieces })
}

/// The calendars of `bytes` converted to messages as
/// [`crate::calendar_to_messages`] converts them, handing each message to
/// `on_message` as soon as its series is converted, with the number of
/// messages expected in all (the series found, for progress: a series can
/// give more than one message). See the module documentation for the memory this
/// needs and the files converted whole.
pub fn calendar_bytes_to_messages(
    bytes: Vec<u8>,
    options: ImportOptions,
    on_message: &mut dyn FnMut(Message, usize),
) -> PartsReport {
    let mut report = PartsReport::default();
    let several_series_method = |cal: &Calendar| {
        let method = options.method.clone().or_else(|| cal.method.clone());
        method.is_some_and(|m| !m.eq_ignore_ascii_case("PUBLISH"))
    };
    let cals = scan(&bytes).filter(|cals| {
        // Each part parses the calendar's own lines and time zones again:
        // where that would cost more than a few times the file, the file
        // is read whole (no input makes the split quadratic).
        let mut work = 0usize;
        for cal in cals {
            let shared: usize = cal
                .own
                .iter()
                .chain(cal.children.iter().filter(|c| c.timezone).map(|c| &c.chunk))
                .map(|c| c.end - c.start)
                .sum();
            let parts = cal.children.iter().filter(|c| !c.timezone).count().max(1);
            work = work.saturating_add(shared.saturating_mul(parts));
        }
        work <= bytes.len().saturating_mul(8).saturating_add(16 << 20)
            && cals
                .iter()
                .all(|cal| cal.series() <= 1 || !several_series_method(cal))
    });
    let Some(cals) = cals else {
        let parsed = Parser::new().parse_vec(bytes);
        let imported = crate::calendar_to_messages(&parsed.document, options);
        report.parse = parsed.diagnostics;
        report.import = imported.diagnostics;
        report.messages = imported.messages.len();
        let total = imported.messages.len();
        for m in imported.messages {
            on_message(m, total);
        }
        return report;
    };
    report.split = true;
    let max_messages = options.max_messages;
    let max_diagnostics = options.max_diagnostics;
    let part_options = ImportOptions {
        max_messages: usize::MAX,
        max_diagnostics: usize::MAX,
        ..options
    };
    let importer = Importer::new(part_options);
    // Diagnostics about shared lines that earlier parts reported.
    let mut seen_shared: HashSet<(u32, u32, String)> = HashSet::new();
    let mut limit_said = false;
    let expected: usize = cals.iter().map(Calendar::series).sum();
    for cal in &cals {
        // Groups in order of first appearance: VEVENTs by UID, every
        // other non-time-zone child on its own.
        let mut order: Vec<Vec<&Child>> = Vec::new();
        let mut by_uid: HashMap<&str, usize> = HashMap::new();
        for c in cal.children.iter().filter(|c| !c.timezone) {
            match c.uid.as_deref() {
                Some(uid) => match by_uid.get(uid) {
                    Some(&i) => {
                        if let Some(g) = order.get_mut(i) {
                            g.push(c);
                        }
                    }
                    None => {
                        by_uid.insert(uid, order.len());
                        order.push(vec![c]);
                    }
                },
                None => order.push(vec![c]),
            }
        }
        if order.is_empty() {
            order.push(Vec::new()); // the calendar's own lines still parse
        }
        for group in &order {
            let (text, map) = assemble(&bytes, cal, group);
            let parsed = Parser::new().parse_vec(text);
            let (document, parse_diagnostics) = (parsed.document, parsed.diagnostics);
            let mut this_part: Vec<(u32, u32, String)> = Vec::new();
            let mut keep = |d: Diagnostic, out: &mut Vec<Diagnostic>| {
                let (line, shared) = map.file_line(d.line);
                let d = Diagnostic { line, ..d };
                if shared {
                    let key = (d.line, d.column, d.message.clone());
                    if seen_shared.contains(&key) {
                        return;
                    }
                    this_part.push(key);
                }
                out.push(d);
            };
            for d in parse_diagnostics {
                keep(d, &mut report.parse);
            }
            let imported = importer.import(&document);
            drop(document);
            for d in imported.diagnostics {
                keep(d, &mut report.import);
            }
            seen_shared.extend(this_part);
            for m in imported.messages {
                if report.messages >= max_messages {
                    // Later series are still converted, for their
                    // diagnostics; their messages are dropped.
                    if !limit_said {
                        limit_said = true;
                        let line = group.first().map_or(cal.begin.line, |c| c.chunk.line);
                        report.import.push(Diagnostic {
                            line,
                            column: 1,
                            severity: Severity::Error,
                            code: Code::Conversion,
                            message: oxpim_mapi::ical::too_many_messages(max_messages),
                        });
                    }
                    continue;
                }
                report.messages += 1;
                on_message(m, expected);
            }
        }
    }
    report.parse.sort_by_key(|d| (d.line, d.column));
    cap_parse(
        &mut report.parse,
        oxpim_contentline::Limits::default().max_diagnostics,
    );
    oxpim_mapi::cap_diagnostics(&mut report.import, max_diagnostics);
    report
}

/// The parser's own cap: the first `max`, then one `Truncated` error.
fn cap_parse(diags: &mut Vec<Diagnostic>, max: usize) {
    oxpim_contentline::cap_diagnostics(diags, max, "diagnostics", |_| Severity::Error);
}
