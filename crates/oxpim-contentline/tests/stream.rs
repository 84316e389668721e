//! The streaming reader.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::io::Read;

use oxpim_contentline::{Code, ParseOptions, Parser, StreamReader};

/// A reader that produces a big calendar on the fly, a few bytes at a time,
/// so that nothing but the reader under test holds it.
struct Generated {
    events: usize,
    next: usize,
    pending: Vec<u8>,
    pos: usize,
    done: bool,
    max_read: usize,
}

impl Generated {
    fn new(events: usize, max_read: usize) -> Self {
        Generated {
            events,
            next: 0,
            pending: b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//gen//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Z\r\nEND:VTIMEZONE\r\n".to_vec(),
            pos: 0,
            done: false,
            max_read,
        }
    }
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos >= self.pending.len() {
            self.pending.clear();
            self.pos = 0;
            if self.next < self.events {
                let i = self.next;
                self.next += 1;
                self.pending.extend_from_slice(
                    format!(
                        "BEGIN:VEVENT\r\nUID:{i}\r\nDTSTART;TZID=Z:20250101T090000\r\nDESCRIPTION:{}\r\n {}\r\nEND:VEVENT\r\n",
                        "x".repeat(70),
                        "y".repeat(70)
                    )
                    .as_bytes(),
                );
            } else if !self.done {
                self.done = true;
                self.pending.extend_from_slice(b"END:VCALENDAR\r\n");
            } else {
                return Ok(0);
            }
        }
        let n = buf
            .len()
            .min(self.pending.len() - self.pos)
            .min(self.max_read);
        buf[..n].copy_from_slice(&self.pending[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[test]
fn yields_each_calendar_child_with_shared_header() {
    let items: Vec<_> = StreamReader::new(Generated::new(500, 7), ParseOptions::default())
        .map(Result::unwrap)
        .collect();
    assert_eq!(items.len(), 500);
    for (i, it) in items.iter().enumerate() {
        assert_eq!(it.component.text("UID"), Some(i.to_string().as_str()));
        assert_eq!(it.component.text("DESCRIPTION").map(str::len), Some(140));
        let cal = it.container.as_ref().unwrap();
        assert_eq!(cal.text("PRODID"), Some("-//gen//EN"));
        assert_eq!(
            cal.components.len(),
            1,
            "the VTIMEZONE travels with every item"
        );
        assert!(it.diagnostics.is_empty());
    }
    // Items of one calendar share one header allocation.
    assert!(std::sync::Arc::ptr_eq(
        items[0].container.as_ref().unwrap(),
        items[499].container.as_ref().unwrap()
    ));
}

#[test]
fn stream_matches_whole_parse() {
    let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\nBEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nEND:VEVENT\r\nBEGIN:VTODO\r\nUID:2\r\nEND:VTODO\r\nEND:VCALENDAR\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nFN:B\r\nEND:VCARD\r\n";
    let whole = Parser::new().parse(text.as_bytes()).document;
    let streamed: Vec<_> = StreamReader::new(text.as_bytes(), ParseOptions::default())
        .map(|r| r.unwrap().into_component())
        .collect();
    assert_eq!(streamed.len(), 4);
    assert_eq!(streamed[0], whole.components[0]);
    assert_eq!(streamed[3], whole.components[2]);
    assert_eq!(streamed[1].components[0].text("UID"), Some("1"));
    assert_eq!(streamed[2].components[0].text("UID"), Some("2"));
}

#[test]
fn diagnostics_travel_with_items_and_keep_absolute_lines() {
    let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nBDAY:not-a-date\r\nEND:VCARD\r\n";
    let items: Vec<_> = StreamReader::new(text.as_bytes(), ParseOptions::default())
        .map(Result::unwrap)
        .collect();
    assert!(items[0].diagnostics.is_empty());
    assert_eq!(items[1].diagnostics.len(), 1);
    assert_eq!(items[1].diagnostics[0].line, 7);
    assert_eq!(items[1].diagnostics[0].code, Code::InvalidValue);
}

#[test]
fn truncated_stream_still_yields_what_it_has() {
    let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\n";
    let items: Vec<_> = StreamReader::new(text.as_bytes(), ParseOptions::default())
        .map(Result::unwrap)
        .collect();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].component.text("FN"), Some("A"));
    assert!(
        items[0]
            .diagnostics
            .iter()
            .any(|d| d.code == Code::MissingEnd)
    );
}

#[test]
fn object_size_limit_gives_an_error_not_unbounded_memory() {
    let mut opts = ParseOptions::default();
    opts.limits.max_object_bytes = 4096;
    // One VCARD far bigger than the limit.
    let mut text = String::from("BEGIN:VCARD\r\nVERSION:3.0\r\n");
    for i in 0..1000 {
        text.push_str(&format!("NOTE:{i}\r\n"));
    }
    text.push_str("END:VCARD\r\n");
    let results: Vec<_> = StreamReader::new(text.as_bytes(), opts).collect();
    assert!(results.iter().any(|r| {
        r.as_ref()
            .is_err_and(|e| e.to_string().contains("larger than the limit"))
    }));
}

#[test]
fn bom_and_crlf_split_across_reads() {
    let text = b"\xEF\xBB\xBFBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Caf\xC3\r\n \xA9\r\nEND:VCARD\r\n";
    struct OneByte<'a>(&'a [u8]);
    impl Read for OneByte<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() || buf.is_empty() {
                return Ok(0);
            }
            buf[0] = self.0[0];
            self.0 = &self.0[1..];
            Ok(1)
        }
    }
    let items: Vec<_> = StreamReader::new(OneByte(text), ParseOptions::default())
        .map(Result::unwrap)
        .collect();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].component.text("FN"), Some("Café"));
    assert!(
        items[0].diagnostics.is_empty(),
        "{:?}",
        items[0].diagnostics
    );
}
