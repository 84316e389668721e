//! Streaming: one object (or one calendar child) at a time from any `Read`.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::sync::Arc;

use oxpim_lexer::{BOM, LexOptions, Lexer};

use crate::diag::Diagnostic;
use crate::model::{Component, Document};
use crate::parser::{Builder, Completed, ParseOptions, RawMode};

/// One item of a stream.
///
/// A top-level VCALENDAR is split: every child component except VTIMEZONE
/// is its own item, with the calendar's properties and the VTIMEZONEs seen
/// so far shared in [`container`](Self::container). Other top-level objects
/// (VCARDs, a VCALENDAR without other children) are one item each, with no
/// container.
#[derive(Debug, Clone)]
pub struct StreamItem {
    /// The enclosing VCALENDAR's properties and time zones, shared between
    /// the items of one calendar.
    pub container: Option<Arc<Component>>,
    /// The component.
    pub component: Component,
    /// Diagnostics reported since the previous item.
    pub diagnostics: Vec<Diagnostic>,
}

impl StreamItem {
    /// A self-contained component: for a calendar child, a copy of the
    /// container with the child added; otherwise the component itself.
    pub fn into_component(self) -> Component {
        match self.container {
            Some(c) => {
                let mut cal = (*c).clone();
                cal.components.push(self.component);
                cal
            }
            None => self.component,
        }
    }
    /// The item as a one-component document.
    pub fn into_document(self) -> Document {
        Document::new(vec![self.into_component()])
    }
}

/// Reads objects from any `Read` in bounded memory: at most one calendar
/// child (or one non-calendar object), the calendar header, and one read
/// chunk are held at a time.
///
/// ```
/// use oxpim_contentline::{StreamReader, ParseOptions};
///
/// let text = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:b\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
/// let uids: Vec<String> = StreamReader::new(&text[..], ParseOptions::default())
///     .map(|item| item.unwrap().component.text("UID").unwrap().to_string())
///     .collect();
/// assert_eq!(uids, ["a", "b"]);
/// ```
pub struct StreamReader<R> {
    reader: R,
    opts: ParseOptions,
    buf: Vec<u8>,
    pos: usize,
    line: u32,
    eof: bool,
    done: bool,
    started: bool,
    builder: Builder,
    queue: VecDeque<StreamItem>,
    chunk: usize,
    scratch: Vec<u8>,
    /// Unconsumed bytes to buffer before the next lexing pass.
    want: usize,
}

impl<R: Read> StreamReader<R> {
    /// A reader with the given options.
    pub fn new(reader: R, opts: ParseOptions) -> Self {
        let chunk = 1 << 16;
        StreamReader {
            reader,
            opts,
            buf: Vec::new(),
            pos: 0,
            line: 1,
            eof: false,
            done: false,
            started: false,
            builder: Builder::new(opts, RawMode::Owned, true),
            queue: VecDeque::new(),
            chunk,
            scratch: Vec::new(),
            want: chunk,
        }
    }

    /// Bytes currently buffered (read but not yet consumed), for callers
    /// that monitor memory.
    pub fn buffered_bytes(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    fn collect(&mut self) {
        for c in std::mem::take(&mut self.builder.completed) {
            let (container, component, diagnostics) = match c {
                Completed::Object(comp, d) => (None, comp, d),
                Completed::Piece {
                    container,
                    child,
                    diagnostics,
                } => (Some(container), child, diagnostics),
            };
            self.queue.push_back(StreamItem {
                container,
                component,
                diagnostics,
            });
            self.builder.fed_bytes = 0;
            self.builder.sink.reset_count();
        }
    }

    /// Lexes what is buffered; returns true when at least one line was
    /// consumed.
    fn lex_available(&mut self) -> bool {
        let before = self.pos;
        let lex_opts = LexOptions {
            max_line_bytes: self.opts.limits.max_line_bytes,
            complete: self.eof,
        };
        let mut lexer = Lexer::resume(&self.buf, self.pos, self.line, lex_opts);
        for l in &mut lexer {
            self.builder.feed(l);
        }
        self.pos = lexer.offset();
        self.line = lexer.line_number();
        let progressed = self.pos > before;
        // Drop consumed bytes once they are the larger part of the buffer.
        if self.pos > 0 && self.pos >= self.buf.len() / 2 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        progressed
    }

    /// Reads until `want` unconsumed bytes are buffered or the input ends.
    fn fill(&mut self, want: usize) -> io::Result<()> {
        if self.scratch.len() != self.chunk {
            self.scratch = vec![0; self.chunk];
        }
        while self.buf.len().saturating_sub(self.pos) < want && !self.eof {
            let n = loop {
                match self.reader.read(&mut self.scratch) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            if n == 0 {
                self.eof = true;
            }
            self.buf
                .extend_from_slice(self.scratch.get(..n).unwrap_or_default());
        }
        if !self.started && (self.buf.len() >= BOM.len() || self.eof) {
            self.started = true;
            if self.buf.starts_with(BOM) {
                self.pos = BOM.len();
            }
        }
        Ok(())
    }
}

impl<R: Read> Iterator for StreamReader<R> {
    type Item = io::Result<StreamItem>;

    fn next(&mut self) -> Option<io::Result<StreamItem>> {
        loop {
            if let Some(item) = self.queue.pop_front() {
                return Some(Ok(item));
            }
            if self.done {
                return None;
            }
            if self.started {
                let pending = self.buffered_bytes();
                // When a pass consumed nothing (one long line is still
                // arriving), wait for twice as much before lexing again:
                // the rescanning of that line stays linear overall.
                self.want = if self.lex_available() {
                    self.chunk
                } else {
                    pending.saturating_mul(2).max(self.chunk)
                };
                self.collect();
                if !self.queue.is_empty() {
                    continue;
                }
                if self.eof {
                    self.builder.finish();
                    self.collect();
                    self.done = true;
                    continue;
                }
            }
            let limit = self.opts.limits.max_object_bytes;
            if self.buffered_bytes() > limit || self.builder.fed_bytes > limit {
                self.done = true;
                return Some(Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "an object or line near line {} is larger than the limit of {limit} bytes",
                        self.line
                    ),
                )));
            }
            let want = self.want.min(limit.saturating_add(1));
            if let Err(e) = self.fill(want) {
                self.done = true;
                return Some(Err(e));
            }
        }
    }
}
