//! Outlook's RTF bodies: PidTagRtfCompressed ([MS-OXRTFCP]) decompressed,
//! HTML and plain text taken back out of RTF that encapsulates them
//! ([MS-OXRTFEX] `\fromhtml1`, `\fromtext`), and a plain-text rendering of
//! any RTF, for messages whose only body is RTF.
//!
//! Everything here reads untrusted bytes and is bounded: the decompressed
//! size by [`MAX_RTF_BYTES`], group nesting by [`MAX_RTF_DEPTH`]; a control
//! word's name is read up to 32 letters and its parameter up to 11
//! characters (sign included, clamped to `i32`), `\ucN` up to 16, and the
//! header is looked at for its first 64 tokens. Nothing here converts
//! native (Word-authored) RTF formatting to HTML; such a body gives plain
//! text only.
//!
//! ```
//! use oxpim_mapi::rtf;
//!
//! // MS-OXRTFCP 4.1: a compressed "hello world" document.
//! let compressed = [
//!     0x2d, 0, 0, 0, 0x2b, 0, 0, 0, 0x4c, 0x5a, 0x46, 0x75, 0xf1, 0xc5, 0xc7, 0xa7,
//!     0x03, 0x00, 0x0a, 0x00, 0x72, 0x63, 0x70, 0x67, 0x31, 0x32, 0x35, 0x42, 0x32,
//!     0x0a, 0xf3, 0x20, 0x68, 0x65, 0x6c, 0x09, 0x00, 0x20, 0x62, 0x77, 0x05, 0xb0,
//!     0x6c, 0x64, 0x7d, 0x0a, 0x80, 0x0f, 0xa0,
//! ];
//! let raw = rtf::decompress(&compressed)?;
//! assert_eq!(raw, b"{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n");
//! assert_eq!(rtf::text_of(&raw)?, "hello world");
//! # Ok::<(), rtf::RtfError>(())
//! ```
//!
//! [MS-OXRTFCP]: https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxrtfcp/
//! [MS-OXRTFEX]: https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxrtfex/

use crate::codepage;

/// Largest decompressed RTF accepted (the header's RAWSIZE), 64 MiB.
pub const MAX_RTF_BYTES: usize = 64 << 20;

/// Deepest group nesting read; deeper RTF is refused.
pub const MAX_RTF_DEPTH: usize = 512;

/// COMPTYPE of compressed content (`LZFu`).
const COMPRESSED: u32 = 0x7546_5A4C;
/// COMPTYPE of content stored as it is (`MELA`).
const UNCOMPRESSED: u32 = 0x414C_454D;

/// The dictionary's first 207 bytes (MS-OXRTFCP 2.1.2.1; bytes 168 and 169
/// are CR LF).
const INITIAL: &[u8; 207] = b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx";

/// Why an RTF body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RtfError {
    /// Fewer than the 16 header bytes.
    #[error("compressed RTF is {0} bytes, shorter than its 16-byte header")]
    TooShort(usize),
    /// COMPTYPE is neither `LZFu` nor `MELA`.
    #[error("compressed RTF has an unknown type 0x{0:08X}")]
    UnknownType(u32),
    /// RAWSIZE is over [`MAX_RTF_BYTES`].
    #[error("compressed RTF says it holds {0} bytes, more than the {MAX_RTF_BYTES} read")]
    TooLarge(u32),
    /// The CRC of the compressed content does not match the header's.
    #[error("compressed RTF fails its CRC (header 0x{stored:08X}, content 0x{computed:08X})")]
    Crc {
        /// The header's CRC.
        stored: u32,
        /// The CRC of the content read.
        computed: u32,
    },
    /// The content ends before its end marker or RAWSIZE bytes.
    #[error("compressed RTF ends early, after {0} of its bytes")]
    Truncated(usize),
    /// Groups nest deeper than [`MAX_RTF_DEPTH`].
    #[error("RTF groups nest deeper than {MAX_RTF_DEPTH}")]
    TooDeep,
}

/// The CRC-32 of MS-OXRTFCP (also used by MS-OXMSG name hashing):
/// reflected polynomial 0xEDB88320, initial value 0, no final XOR.
pub fn crc32(data: &[u8]) -> u32 {
    // Evaluated at compile time: an index out of range would not compile.
    #[allow(clippy::indexing_slicing)]
    const TABLE: [u32; 256] = {
        let mut t = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            t[i] = c;
            i += 1;
        }
        t
    };
    let mut crc = 0u32;
    for &b in data {
        // The index is masked to 0..=255, so it is always in the table.
        #[allow(clippy::indexing_slicing)]
        let entry = TABLE[((crc ^ u32::from(b)) & 0xFF) as usize];
        crc = entry ^ (crc >> 8);
    }
    crc
}

fn u32_at(data: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    if let Some(s) = data.get(at..at + 4) {
        b.copy_from_slice(s);
    }
    u32::from_le_bytes(b)
}

/// The RTF held by a PidTagRtfCompressed value.
///
/// Compressed content must pass its CRC, computed over the COMPSIZE − 12
/// bytes after the header or, when that does not match (writers disagree on
/// COMPSIZE and some pad the value), over everything after the header; the
/// content runs to its end marker or to RAWSIZE bytes. Content stored
/// uncompressed (`MELA`) must hold RAWSIZE bytes.
pub fn decompress(data: &[u8]) -> Result<Vec<u8>, RtfError> {
    if data.len() < 16 {
        return Err(RtfError::TooShort(data.len()));
    }
    let comp_size = usize::try_from(u32_at(data, 0)).unwrap_or(usize::MAX);
    let raw_size = u32_at(data, 4);
    let kind = u32_at(data, 8);
    let stored_crc = u32_at(data, 12);
    let raw = usize::try_from(raw_size).unwrap_or(usize::MAX);
    if raw > MAX_RTF_BYTES {
        return Err(RtfError::TooLarge(raw_size));
    }
    let contents = data.get(16..).unwrap_or_default();
    match kind {
        UNCOMPRESSED => contents
            .get(..raw)
            .map(<[u8]>::to_vec)
            .ok_or(RtfError::Truncated(contents.len())),
        COMPRESSED => {
            let declared = comp_size
                .checked_sub(12)
                .and_then(|n| contents.get(..n))
                .filter(|c| crc32(c) == stored_crc);
            let contents = match declared {
                Some(c) => c,
                None => {
                    let computed = crc32(contents);
                    if computed != stored_crc {
                        return Err(RtfError::Crc {
                            stored: stored_crc,
                            computed,
                        });
                    }
                    contents
                }
            };
            lzfu(contents, raw)
        }
        other => Err(RtfError::UnknownType(other)),
    }
}

/// MS-OXRTFCP 3.1.3.2: runs of eight tokens, each a literal byte or a
/// big-endian reference (12-bit dictionary offset, 4-bit length − 2) into
/// a 4096-byte circular dictionary; a reference to the write position ends
/// the content.
fn lzfu(contents: &[u8], raw: usize) -> Result<Vec<u8>, RtfError> {
    struct Dict {
        buf: [u8; 4096],
        write: usize,
    }
    impl Dict {
        fn put(&mut self, out: &mut Vec<u8>, b: u8) {
            out.push(b);
            if let Some(slot) = self.buf.get_mut(self.write) {
                *slot = b;
            }
            self.write = (self.write + 1) & 0xFFF;
        }
    }
    let mut dict = Dict {
        buf: [0u8; 4096],
        write: INITIAL.len(),
    };
    if let Some(d) = dict.buf.get_mut(..INITIAL.len()) {
        d.copy_from_slice(INITIAL);
    }
    // A token gives at most 17 bytes for 17 bits of input: RAWSIZE, which
    // the input does not vouch for, only caps the first allocation.
    let mut out = Vec::with_capacity(raw.min(contents.len().saturating_mul(8)));
    let mut input = contents.iter().copied();
    while let Some(control) = input.next() {
        for bit in 0..8 {
            if out.len() >= raw {
                return Ok(out);
            }
            if control & (1 << bit) == 0 {
                let Some(b) = input.next() else {
                    return Err(RtfError::Truncated(out.len()));
                };
                dict.put(&mut out, b);
                continue;
            }
            let (Some(hi), Some(lo)) = (input.next(), input.next()) else {
                return Err(RtfError::Truncated(out.len()));
            };
            let word = u16::from_be_bytes([hi, lo]);
            let offset = usize::from(word >> 4);
            let len = usize::from(word & 0xF) + 2;
            if offset == dict.write {
                return Ok(out);
            }
            for i in 0..len {
                if out.len() >= raw {
                    return Ok(out);
                }
                // Read one byte at a time: a reference may overlap the bytes
                // it is writing.
                let b = dict.buf.get((offset + i) & 0xFFF).copied().unwrap_or(0);
                dict.put(&mut out, b);
            }
        }
    }
    if out.len() >= raw {
        Ok(out)
    } else {
        Err(RtfError::Truncated(out.len()))
    }
}

/// One RTF token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    Open,
    Close,
    /// A control word and its numeric parameter.
    Word(&'a [u8], Option<i32>),
    /// A control symbol: `\` and one non-letter (`\'` is [`Tok::Byte`]).
    Symbol(u8),
    /// A byte given as `\'hh`.
    Byte(u8),
    /// Plain text bytes (never `\`, `{`, `}`, CR or LF).
    Text(&'a [u8]),
}

struct Lexer<'a> {
    src: &'a [u8],
    at: usize,
}

impl<'a> Lexer<'a> {
    fn next(&mut self) -> Option<Tok<'a>> {
        loop {
            let b = *self.src.get(self.at)?;
            match b {
                b'{' => {
                    self.at += 1;
                    return Some(Tok::Open);
                }
                b'}' => {
                    self.at += 1;
                    return Some(Tok::Close);
                }
                b'\r' | b'\n' | 0 => self.at += 1,
                b'\\' => return Some(self.control()),
                _ => {
                    let start = self.at;
                    while let Some(c) = self.src.get(self.at) {
                        if matches!(c, b'\\' | b'{' | b'}' | b'\r' | b'\n' | 0) {
                            break;
                        }
                        self.at += 1;
                    }
                    return Some(Tok::Text(self.src.get(start..self.at).unwrap_or_default()));
                }
            }
        }
    }

    fn control(&mut self) -> Tok<'a> {
        self.at += 1; // the backslash
        let Some(&c) = self.src.get(self.at) else {
            return Tok::Text(b"");
        };
        if !c.is_ascii_alphabetic() {
            self.at += 1;
            if c == b'\'' {
                let hex = self.src.get(self.at..self.at + 2).unwrap_or_default();
                let value = std::str::from_utf8(hex)
                    .ok()
                    .filter(|h| h.len() == 2 && h.bytes().all(|b| b.is_ascii_hexdigit()))
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                return match value {
                    Some(v) => {
                        self.at += 2;
                        Tok::Byte(v)
                    }
                    None => Tok::Text(b""),
                };
            }
            // `\` before a line break is a paragraph mark.
            return if c == b'\r' || c == b'\n' {
                Tok::Word(b"par", None)
            } else {
                Tok::Symbol(c)
            };
        }
        let start = self.at;
        while self.src.get(self.at).is_some_and(u8::is_ascii_alphabetic) && self.at - start < 32 {
            self.at += 1;
        }
        let name = self.src.get(start..self.at).unwrap_or_default();
        let num_start = self.at;
        if self.src.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        while self.src.get(self.at).is_some_and(u8::is_ascii_digit) && self.at - num_start < 11 {
            self.at += 1;
        }
        let param = std::str::from_utf8(self.src.get(num_start..self.at).unwrap_or_default())
            .ok()
            .and_then(|s| s.parse::<i64>().ok())
            .map(|v| v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32);
        if param.is_none() && self.at > num_start {
            // A lone `-` is not a parameter.
            self.at = num_start;
        }
        // One space after a control word belongs to it.
        if self.src.get(self.at) == Some(&b' ') {
            self.at += 1;
        }
        if name == b"bin" {
            // Binary data: skipped, bounded by the input.
            let n = usize::try_from(param.unwrap_or(0)).unwrap_or(0);
            self.at = self.at.saturating_add(n).min(self.src.len());
        }
        Tok::Word(name, param)
    }
}

/// Destinations whose text is not part of the body.
const SKIPPED: &[&[u8]] = &[
    b"fonttbl",
    b"colortbl",
    b"stylesheet",
    b"info",
    b"pict",
    b"object",
    b"header",
    b"headerl",
    b"headerr",
    b"headerf",
    b"footer",
    b"footerl",
    b"footerr",
    b"footerf",
    b"footnote",
    b"fldinst",
    b"filetbl",
    b"listtable",
    b"listoverridetable",
    b"revtbl",
    b"rsidtbl",
    b"xe",
    b"tc",
    b"nonshppict",
    b"themedata",
    b"colorschememapping",
    b"latentstyles",
    b"datastore",
    b"generator",
    b"xmlnstbl",
    b"pgdsctbl",
];

/// What a reading keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The document's text, as a reader that does not know encapsulation
    /// shows it.
    Text,
    /// MS-OXRTFEX de-encapsulation: `\htmltag` groups and the text outside
    /// `\htmlrtf` regions.
    Encapsulated,
}

#[derive(Debug, Clone, Copy)]
struct Group {
    skip: bool,
    htmlrtf: bool,
    htmltag: bool,
    uc: usize,
    /// The code page of the current font (`\fN`), when its font table
    /// entry gives one.
    font_cp: Option<u32>,
    /// In a `\upr` group: 1 until its first child (the ANSI form, left
    /// out for the `\*\ud` Unicode form that follows), then 2.
    upr: u8,
}

/// Text gathered from RTF: bytes in the code page in force, decoded in
/// runs, and Unicode characters from `\u` (UTF-16 code units: a surrogate
/// pair is joined; a lone surrogate becomes U+FFFD).
struct Out {
    text: String,
    bytes: Vec<u8>,
    codepage: u32,
    /// A high surrogate waiting for its low half.
    high: Option<u32>,
}

impl Out {
    fn flush(&mut self) {
        if self.high.take().is_some() {
            self.text.push(char::REPLACEMENT_CHARACTER);
        }
        if !self.bytes.is_empty() {
            let enc = codepage::encoding(self.codepage).unwrap_or(encoding_rs::WINDOWS_1252);
            self.text
                .push_str(&enc.decode_without_bom_handling(&self.bytes).0);
            self.bytes.clear();
        }
    }
    /// Bytes to come are in `cp`.
    fn codepage(&mut self, cp: u32) {
        if cp != self.codepage {
            self.flush();
            self.codepage = cp;
        }
    }
    fn char(&mut self, c: char) {
        self.flush();
        self.text.push(c);
    }
    fn str(&mut self, s: &str) {
        self.flush();
        self.text.push_str(s);
    }
    /// One UTF-16 code unit given by `\uN`.
    fn unit(&mut self, unit: u32) {
        match (self.high.take(), unit) {
            (Some(high), 0xDC00..=0xDFFF) => {
                let c = 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00);
                self.char(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            (pending, _) => {
                if pending.is_some() {
                    self.text.push(char::REPLACEMENT_CHARACTER);
                }
                if (0xD800..=0xDBFF).contains(&unit) {
                    self.flush();
                    self.high = Some(unit);
                } else {
                    self.char(char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER));
                }
            }
        }
    }
}

/// The code page of a font table's `\fcharsetN` (RTF 1.9.1), or `None`
/// for the default and symbol character sets (the document's code page is
/// used).
fn charset_codepage(charset: i32) -> Option<u32> {
    Some(match charset {
        0 => 1252,
        77 => 10000,
        78 => 10001,
        128 => 932,
        129 => 949,
        130 => 1361,
        134 => 936,
        136 => 950,
        161 => 1253,
        162 => 1254,
        163 => 1258,
        177 => 1255,
        178 => 1256,
        186 => 1257,
        204 => 1251,
        222 => 874,
        238 => 1250,
        254 => 437,
        255 => 850,
        _ => return None,
    })
}

/// Most fonts whose code page is kept from a font table.
const MAX_FONTS: usize = 4096;

/// The code page of each font of the font table (`\cpgN`, else
/// `\fcharsetN`), by font number; at most [`MAX_FONTS`]. Looked up in
/// logarithmic time, so that a table of many fonts and a body switching
/// fonts often stay linear.
fn font_codepages(rtf: &[u8]) -> std::collections::BTreeMap<i32, u32> {
    let mut fonts: std::collections::BTreeMap<i32, (u32, bool)> = Default::default();
    let mut lx = Lexer { src: rtf, at: 0 };
    let mut depth = 0usize;
    // The depth of the font table group, once in it.
    let mut table: Option<usize> = None;
    let mut font: Option<i32> = None;
    let mut seen = 0usize;
    while let Some(t) = lx.next() {
        seen += 1;
        match t {
            Tok::Open => depth += 1,
            Tok::Close => {
                if table == Some(depth) {
                    break;
                }
                depth = depth.saturating_sub(1);
            }
            Tok::Word(b"fonttbl", _) if table.is_none() => table = Some(depth),
            Tok::Word(name, Some(n)) if table.is_some() => {
                let cp = match name {
                    b"f" => {
                        font = Some(n);
                        None
                    }
                    b"cpg" => u32::try_from(n).ok().filter(|c| *c > 0).map(|c| (c, true)),
                    b"fcharset" => charset_codepage(n).map(|c| (c, false)),
                    _ => None,
                };
                if let (Some(f), Some((cp, explicit))) = (font, cp) {
                    // \cpg wins over \fcharset, whichever comes first.
                    let room = fonts.len() < MAX_FONTS;
                    match fonts.get_mut(&f) {
                        Some(entry) if explicit || !entry.1 => *entry = (cp, explicit),
                        Some(_) => {}
                        None if room => {
                            fonts.insert(f, (cp, explicit));
                        }
                        None => {}
                    }
                }
            }
            Tok::Text(t) if table.is_none() && !t.iter().all(u8::is_ascii_whitespace) => break,
            _ => {}
        }
        // The font table is in the header: a document without one is not
        // read to its end.
        if table.is_none() && seen > 64 {
            break;
        }
    }
    fonts.into_iter().map(|(f, (cp, _))| (f, cp)).collect()
}

/// How an RTF body was made, from its header (MS-OXRTFEX 2.2.3.1): a
/// `\fromhtml1` or `\fromtext` among the first 64 tokens (the
/// specification looks at the first 10 control words; Outlook writes it
/// right after `\ansicpg`), before any text that is not white space.
fn encapsulation(rtf: &[u8]) -> Option<&'static str> {
    let mut lx = Lexer { src: rtf, at: 0 };
    let mut seen = 0;
    while let Some(t) = lx.next() {
        match t {
            Tok::Word(b"fromhtml", Some(1)) => return Some("html"),
            Tok::Word(b"fromtext", _) => return Some("text"),
            Tok::Text(t) if !t.iter().all(u8::is_ascii_whitespace) => return None,
            _ => {}
        }
        seen += 1;
        if seen > 64 {
            return None;
        }
    }
    None
}

/// The document's code page: `\ansicpgN` in the header, else that of
/// `\mac`, `\pc` or `\pca`, else Windows-1252.
fn ansi_codepage(rtf: &[u8]) -> u32 {
    let mut lx = Lexer { src: rtf, at: 0 };
    let mut set = 1252;
    for _ in 0..64 {
        match lx.next() {
            Some(Tok::Word(b"ansicpg", Some(cp))) => {
                return u32::try_from(cp).ok().filter(|c| *c > 0).unwrap_or(1252);
            }
            Some(Tok::Word(b"mac", _)) => set = 10000,
            Some(Tok::Word(b"pc", _)) => set = 437,
            Some(Tok::Word(b"pca", _)) => set = 850,
            Some(Tok::Text(t)) if !t.iter().all(u8::is_ascii_whitespace) => break,
            None => break,
            _ => {}
        }
    }
    set
}

/// `\deffN` in the header: the font in force before any `\fN`.
fn default_font(rtf: &[u8]) -> Option<i32> {
    let mut lx = Lexer { src: rtf, at: 0 };
    for _ in 0..64 {
        match lx.next()? {
            Tok::Word(b"deff", n) => return n,
            Tok::Text(t) if !t.iter().all(u8::is_ascii_whitespace) => return None,
            _ => {}
        }
    }
    None
}

fn read(rtf: &[u8], mode: Mode) -> Result<String, RtfError> {
    let ansi = ansi_codepage(rtf);
    let fonts = font_codepages(rtf);
    let font_cp = |n: i32| fonts.get(&n).copied();
    let mut out = Out {
        text: String::new(),
        bytes: Vec::new(),
        codepage: ansi,
        high: None,
    };
    let mut lx = Lexer { src: rtf, at: 0 };
    let mut stack: Vec<Group> = Vec::new();
    let mut g = Group {
        skip: false,
        htmlrtf: false,
        htmltag: false,
        uc: 1,
        font_cp: default_font(rtf).and_then(font_cp),
        upr: 0,
    };
    // A group's first token decides whether it is a destination.
    let mut first = false;
    let mut starred = false;
    // Fallback bytes still to drop after a `\u`.
    let mut fallback = 0usize;
    while let Some(t) = lx.next() {
        let at_start = std::mem::take(&mut first);
        match t {
            Tok::Open => {
                if stack.len() >= MAX_RTF_DEPTH {
                    return Err(RtfError::TooDeep);
                }
                let ansi_form = g.upr == 1;
                if ansi_form {
                    g.upr = 2;
                }
                stack.push(g);
                g.skip |= ansi_form;
                g.upr = 0;
                first = true;
                starred = false;
                fallback = 0;
                continue;
            }
            Tok::Close => {
                match stack.pop() {
                    Some(outer) => g = outer,
                    None => break,
                }
                fallback = 0;
                continue;
            }
            _ => {}
        }
        if t == Tok::Symbol(b'*') && at_start {
            starred = true;
            first = true;
            continue;
        }
        let was_starred = std::mem::take(&mut starred);
        if let Tok::Word(name, _) = t
            && (at_start || was_starred)
        {
            let tag = mode == Mode::Encapsulated && was_starred && name == b"htmltag";
            if tag {
                g.htmltag = true;
            } else if name == b"upr" && at_start {
                g.upr = 1;
            } else if name == b"ud" && was_starred {
                // The Unicode form of a \upr group: read.
            } else if was_starred || SKIPPED.contains(&name) {
                g.skip = true;
            }
        }
        if g.skip {
            continue;
        }
        let shown = match mode {
            Mode::Text => true,
            Mode::Encapsulated => g.htmltag || !g.htmlrtf,
        };
        match t {
            Tok::Word(b"htmlrtf", p) => g.htmlrtf = p != Some(0),
            Tok::Word(b"f", Some(n)) => g.font_cp = font_cp(n),
            Tok::Word(b"uc", p) => g.uc = usize::try_from(p.unwrap_or(1)).unwrap_or(1).min(16),
            Tok::Word(b"u", Some(v)) => {
                if shown {
                    let code = if v < 0 { v + 65536 } else { v };
                    match u32::try_from(code) {
                        Ok(unit) => out.unit(unit),
                        Err(_) => out.char(char::REPLACEMENT_CHARACTER),
                    }
                }
                fallback = g.uc;
            }
            Tok::Byte(b) => {
                if fallback > 0 {
                    fallback -= 1;
                } else if shown {
                    // MS-OXRTFEX 2.2.3.2: the current font's code page;
                    // inside an HTML tag, the document's.
                    out.codepage(if g.htmltag {
                        ansi
                    } else {
                        g.font_cp.unwrap_or(ansi)
                    });
                    out.bytes.push(b);
                }
            }
            Tok::Text(mut text) => {
                let drop = fallback.min(text.len());
                fallback -= drop;
                text = text.get(drop..).unwrap_or_default();
                if shown && !text.is_empty() {
                    out.codepage(if g.htmltag {
                        ansi
                    } else {
                        g.font_cp.unwrap_or(ansi)
                    });
                    out.bytes.extend_from_slice(text);
                }
            }
            Tok::Word(name, _) => {
                fallback = 0;
                if !shown {
                    continue;
                }
                let s = match name {
                    b"par" | b"line" | b"row" | b"page" | b"sect" => "\n",
                    b"tab" | b"cell" => "\t",
                    b"emdash" => "\u{2014}",
                    b"endash" => "\u{2013}",
                    b"bullet" => "\u{2022}",
                    b"lquote" => "\u{2018}",
                    b"rquote" => "\u{2019}",
                    b"ldblquote" => "\u{201C}",
                    b"rdblquote" => "\u{201D}",
                    _ => continue,
                };
                // In encapsulated HTML a paragraph mark is a line break of
                // the HTML source.
                out.str(if s == "\n" && mode == Mode::Encapsulated {
                    "\r\n"
                } else {
                    s
                });
            }
            Tok::Symbol(c) => {
                fallback = 0;
                if !shown {
                    continue;
                }
                match c {
                    b'\\' | b'{' | b'}' => out.bytes.push(c),
                    b'~' => out.char('\u{A0}'),
                    b'_' => out.char('\u{2011}'),
                    b'\t' => out.char('\t'),
                    _ => {}
                }
            }
            Tok::Open | Tok::Close => {}
        }
    }
    out.flush();
    Ok(out.text)
}

/// The HTML encapsulated in `rtf` (MS-OXRTFEX, `\fromhtml1`), or `None`
/// when the RTF does not encapsulate HTML (or the HTML is only white
/// space). `\mhtmltag` groups, the same tags with their URLs rewritten for
/// MHTML, are left out: the HTML keeps the original tags.
pub fn html_of(rtf: &[u8]) -> Result<Option<String>, RtfError> {
    if encapsulation(rtf) != Some("html") {
        return Ok(None);
    }
    read(rtf, Mode::Encapsulated).map(|h| Some(h).filter(|h| !h.trim().is_empty()))
}

/// The plain text of `rtf`: the encapsulated text of a `\fromtext`
/// document, otherwise the text a reader shows, with paragraph marks as
/// line feeds and without the trailing ones. Formatting, pictures, field
/// instructions, headers and footers are left out.
pub fn text_of(rtf: &[u8]) -> Result<String, RtfError> {
    let mode = if encapsulation(rtf) == Some("text") {
        Mode::Encapsulated
    } else {
        Mode::Text
    };
    let mut text = read(rtf, mode)?;
    if mode == Mode::Encapsulated {
        text = text.replace("\r\n", "\n");
    }
    let kept = text.trim_end_matches(['\n', '\r']).len();
    text.truncate(kept);
    Ok(text)
}

/// The plain text of a message's PidTagRtfCompressed ([`text_of`] of
/// its [`decompress`]ion), or `None` when it has none. For a message whose
/// PidTagBody is missing or empty.
pub fn message_text(props: &crate::PropertyBag) -> Option<Result<String, RtfError>> {
    let data = props.binary(&crate::props::PID_TAG_RTF_COMPRESSED)?;
    Some(decompress(data).and_then(|rtf| text_of(&rtf)))
}

/// The HTML encapsulated in a message's PidTagRtfCompressed ([`html_of`]
/// of its [`decompress`]ion): `None` when it has none, `Some(Ok(None))`
/// when its RTF holds no HTML. For a message without PidTagHtml.
pub fn message_html(props: &crate::PropertyBag) -> Option<Result<Option<String>, RtfError>> {
    let data = props.binary(&crate::props::PID_TAG_RTF_COMPRESSED)?;
    Some(decompress(data).and_then(|rtf| html_of(&rtf)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MS-OXRTFCP 4.1 and 4.2 (compressed forms, with their CRCs).
    const HELLO: &[u8] = &[
        0x2d, 0, 0, 0, 0x2b, 0, 0, 0, 0x4c, 0x5a, 0x46, 0x75, 0xf1, 0xc5, 0xc7, 0xa7, 0x03, 0x00,
        0x0a, 0x00, 0x72, 0x63, 0x70, 0x67, 0x31, 0x32, 0x35, 0x42, 0x32, 0x0a, 0xf3, 0x20, 0x68,
        0x65, 0x6c, 0x09, 0x00, 0x20, 0x62, 0x77, 0x05, 0xb0, 0x6c, 0x64, 0x7d, 0x0a, 0x80, 0x0f,
        0xa0,
    ];
    const RUN: &[u8] = &[
        0x1a, 0, 0, 0, 0x1c, 0, 0, 0, 0x4c, 0x5a, 0x46, 0x75, 0xe2, 0xd4, 0x4b, 0x51, 0x41, 0x00,
        0x04, 0x20, 0x57, 0x58, 0x59, 0x5a, 0x0d, 0x6e, 0x7d, 0x01, 0x0e, 0xb0,
    ];

    /// A PidTagRtfCompressed value: the header (COMPSIZE from `content`)
    /// and `content`.
    fn value(kind: &[u8; 4], raw_size: u32, crc: u32, content: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&(content.len() as u32 + 12).to_le_bytes());
        v.extend_from_slice(&raw_size.to_le_bytes());
        v.extend_from_slice(kind);
        v.extend_from_slice(&crc.to_le_bytes());
        v.extend_from_slice(content);
        v
    }

    #[test]
    fn spec_vectors_decompress() {
        assert_eq!(
            decompress(HELLO).unwrap(),
            b"{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n"
        );
        // A reference that overlaps the bytes it writes.
        assert_eq!(decompress(RUN).unwrap(), b"{\\rtf1 WXYZWXYZWXYZWXYZWXYZ}");
        assert_eq!(crc32(HELLO.get(16..).unwrap()), 0xA7C7_C5F1);
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        assert_eq!(decompress(&HELLO[..10]), Err(RtfError::TooShort(10)));
        let mut bad_crc = HELLO.to_vec();
        bad_crc[20] ^= 1;
        assert!(matches!(decompress(&bad_crc), Err(RtfError::Crc { .. })));
        let mut kind = HELLO.to_vec();
        kind[8] = b'X';
        assert!(matches!(decompress(&kind), Err(RtfError::UnknownType(_))));
        let mut huge = HELLO.to_vec();
        huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(decompress(&huge), Err(RtfError::TooLarge(u32::MAX)));
        // Cut content (with its CRC recomputed): truncated, not a panic.
        let mut cut = HELLO[..30].to_vec();
        let crc = crc32(&cut[16..]);
        cut[12..16].copy_from_slice(&crc.to_le_bytes());
        assert!(matches!(decompress(&cut), Err(RtfError::Truncated(n)) if n > 0));
        // Every prefix and every single-byte change is handled.
        for n in 0..HELLO.len() {
            let _ = decompress(&HELLO[..n]);
            for bit in 0..8 {
                let mut v = HELLO.to_vec();
                v[n] ^= 1 << bit;
                let crc = crc32(v.get(16..).unwrap_or_default());
                if n >= 16 {
                    v[12..16].copy_from_slice(&crc.to_le_bytes());
                }
                if let Ok(out) = decompress(&v) {
                    assert!(out.len() <= MAX_RTF_BYTES);
                }
            }
        }
    }

    #[test]
    fn uncompressed_content_is_taken_as_is() {
        let body = b"{\\rtf1 plain}";
        let mut v = value(b"MELA", body.len() as u32, 0, body);
        v.extend_from_slice(b"padding");
        assert_eq!(decompress(&v).unwrap(), body);
        assert_eq!(text_of(&decompress(&v).unwrap()).unwrap(), "plain");
    }

    #[test]
    fn native_rtf_gives_its_text() {
        let rtf = b"{\\rtf1\\ansi\\ansicpg1252{\\fonttbl{\\f0 Arial;}}{\\colortbl;\\red0\\green0\\blue0;}\
{\\*\\generator Writer;}{\\info{\\title T}}\\pard Caf\\'e9 \\b bold\\b0\\par\r\n\
Tab\\tab end\\~x \\{braces\\} \\\\ {\\field{\\*\\fldinst HYPERLINK x}{\\fldrslt link}}\
{\\pict\\wmetafile8 0123abcd}\\uc1\\u8364?\\u-4064?\\par\\par}";
        assert_eq!(
            text_of(rtf).unwrap(),
            "Café bold\nTab\tend\u{a0}x {braces} \\ link€\u{f020}"
        );
    }

    #[test]
    fn double_byte_code_pages_and_unicode_fallbacks() {
        // Shift-JIS bytes decode together; \uc2 drops two fallback bytes.
        let rtf = b"{\\rtf1\\ansi\\ansicpg932 \\'93\\'fa\\'96\\'7b \\uc2\\u26085\\'93\\'fa!}";
        assert_eq!(text_of(rtf).unwrap(), "日本 日!");
    }

    #[test]
    fn surrogate_pairs_and_fallback_scopes() {
        // 😀 as Word writes it: two \u code units, each with a fallback.
        assert_eq!(text_of(b"{\\rtf1\\uc1 \\u-10179?\\u-8704?}").unwrap(), "😀");
        // A lone high surrogate.
        assert_eq!(text_of(b"{\\rtf1\\uc1 \\u-10179?x}").unwrap(), "\u{FFFD}x");
        // \uc is restored at the end of its group.
        assert_eq!(
            text_of(b"{\\rtf1\\uc1 {\\uc2\\u26085??}\\u26412?}").unwrap(),
            "日本"
        );
    }

    /// Random RTF token soup (seeded, so a failure repeats): reading never
    /// panics (overflow checks included in test builds), text and HTML
    /// agree on the nesting limit, and LZFu content with a right CRC
    /// decodes within its RAWSIZE or gives an error.
    #[test]
    fn random_token_soup_is_read_without_panics() {
        const PIECES: &[&[u8]] = &[
            b"{",
            b"}",
            b"\\",
            b"\\*",
            b"\\fonttbl",
            b"\\f1",
            b"\\f-2",
            b"\\fcharset204",
            b"\\fcharset128",
            b"\\cpg932",
            b"\\cpg-1",
            b"\\deff1",
            b"\\ansicpg65001",
            b"\\fromhtml1",
            b"\\fromtext",
            b"\\htmltag64 ",
            b"\\mhtmltag4",
            b"\\htmlrtf",
            b"\\htmlrtf0",
            b"\\u-10179",
            b"\\u-8704",
            b"\\u65",
            b"\\u2147483647",
            b"\\u-2147483648",
            b"\\uc0",
            b"\\uc3",
            b"\\uc99999999999",
            b"\\'e9",
            b"\\'8",
            b"\\'",
            b"\\par",
            b"\\tab",
            b"\\bin3 ",
            b"\\bin-5",
            b"\\upr",
            b"\\ud",
            b"?",
            b" ",
            b"text",
            b"\r\n",
            b"\0",
            b"\xff\xfe",
            b"\\~",
            b"\\{",
            b"-",
            b"12",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..4000 {
            let mut doc = b"{\\rtf1".to_vec();
            let n = (next() % 200) as usize;
            for _ in 0..n {
                let piece = PIECES[(next() % PIECES.len() as u64) as usize];
                doc.extend_from_slice(piece);
            }
            let text = text_of(&doc);
            let html = html_of(&doc);
            if let Ok(Some(_)) = html {
                assert!(text.is_ok());
            }
            // The same bytes as LZFu content.
            let raw_size = (next() % 4096) as u32;
            match decompress(&value(b"LZFu", raw_size, crc32(&doc), &doc)) {
                Ok(raw) => assert!(raw.len() <= raw_size as usize),
                Err(e) => assert!(
                    matches!(e, RtfError::Truncated(_)),
                    "{e} for a value with a right CRC"
                ),
            }
        }
    }

    #[test]
    fn upr_groups_give_their_unicode_form() {
        let rtf = b"{\\rtf1\\ansi {\\upr{caf\\'e9 ANSI}{\\*\\ud{caf\\u233? unicode}}} end}";
        assert_eq!(text_of(rtf).unwrap(), "café unicode end");
    }

    #[test]
    fn each_font_has_its_code_page() {
        // MS-OXRTFEX 2.2.3.2: \'hh bytes are in the current font's code
        // page (\fcharset, or \cpg, which wins), else the document's.
        let rtf = b"{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Arial;}\
{\\f1\\fcharset204 Arial Cyr;}{\\f2\\cpg1253\\fcharset204 Greek;}}\
\\f1 \\'cf\\'f0\\'e8 {\\f2 \\'e1}\\f0  caf\\'e9}";
        assert_eq!(text_of(rtf).unwrap(), "При α café");
    }

    #[test]
    fn compressed_size_and_padding() {
        // Padding after the content: the CRC is of COMPSIZE − 12 bytes.
        let mut padded = HELLO.to_vec();
        padded.extend_from_slice(&[0; 5]);
        assert_eq!(decompress(&padded).unwrap(), decompress(HELLO).unwrap());
        // Stored content shorter than RAWSIZE is truncated, not shortened.
        let short = value(b"MELA", 100, 0, b"{\\rtf1 x}");
        assert_eq!(decompress(&short), Err(RtfError::Truncated(9)));
    }

    #[test]
    fn encapsulated_html_comes_back() {
        // MS-OXRTFEX: tags come from \htmltag groups; RTF-only text in
        // \htmlrtf regions and \mhtmltag groups (the tag with its URL
        // rewritten for MHTML) are left out.
        let rtf =
            b"{\\rtf1\\ansi\\ansicpg1252\\fromhtml1 \\deff0{\\fonttbl{\\f0\\fswiss Arial;}}\r\n\
{\\*\\htmltag19 <html>}{\\*\\htmltag34 <head>}{\\*\\htmltag41 </head>}\
{\\*\\htmltag50 <body>}\\htmlrtf {\\b RTF only}\\htmlrtf0 \
{\\*\\htmltag64 <p>}Caf\\'e9 {\\*\\mhtmltag84 <a href=\"cid:y\">}{\\*\\htmltag84 <a href=\"x\">}\
link{\\*\\htmltag92 </a>}\\htmlrtf \\par \\htmlrtf0 {\\*\\htmltag72 </p>}\\par\
{\\*\\htmltag58 </body>}{\\*\\htmltag27 </html>}}";
        assert_eq!(
            html_of(rtf).unwrap().unwrap(),
            "<html><head></head><body><p>Café <a href=\"x\">link</a></p>\r\n</body></html>"
        );
        // Read as plain RTF, the same document shows its RTF text.
        assert_eq!(text_of(rtf).unwrap(), "RTF onlyCafé link");
        // Native RTF encapsulates no HTML.
        assert_eq!(html_of(b"{\\rtf1\\ansi hello}").unwrap(), None);
    }

    #[test]
    fn encapsulated_text_comes_back() {
        let rtf = b"{\\rtf1\\ansi\\ansicpg1252\\fromtext \\deff0{\\fonttbl{\\f0 Courier;}}\r\n\
{\\*\\htmltag64}line one\\par\r\nline two\\par\r\n}";
        assert_eq!(text_of(rtf).unwrap(), "line one\nline two");
        assert_eq!(html_of(rtf).unwrap(), None);
    }

    #[test]
    fn nesting_is_bounded_and_odd_input_is_read() {
        let deep = "{".repeat(MAX_RTF_DEPTH + 1);
        assert_eq!(text_of(deep.as_bytes()), Err(RtfError::TooDeep));
        let ok = format!(
            "{}x{}",
            "{".repeat(MAX_RTF_DEPTH),
            "}".repeat(MAX_RTF_DEPTH)
        );
        assert_eq!(text_of(ok.as_bytes()).unwrap(), "x");
        // Unbalanced braces, a trailing backslash, bad hex, a huge \bin
        // and a huge parameter.
        for (odd, text) in [
            (&b"}}{\\rtf1 a"[..], ""),
            (b"{\\rtf1 b\\", "b"),
            (b"{\\rtf1 c\\'zz}", "czz"),
            (b"{\\rtf1 c\\'+f}", "c+f"),
            (b"{\\rtf1 d\\bin99999999 ignored}", "d"),
            // A code unit past U+FFFF; its fallback character dropped.
            (b"{\\rtf1 e\\u99999999999 f\\uc99999999999 g}", "e\u{FFFD}g"),
        ] {
            assert_eq!(
                text_of(odd).unwrap(),
                text,
                "{}",
                String::from_utf8_lossy(odd)
            );
            assert_eq!(html_of(odd).unwrap(), None);
        }
    }
}
