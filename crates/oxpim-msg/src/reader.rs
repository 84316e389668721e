//! The .msg reader: bounded, and never panicking on hostile files.

use std::cell::Cell;
use std::collections::HashMap;
use std::io::{Cursor, Read};

use cfb::CompoundFile;
use oxpim_mapi::{
    AttachedObject, Attachment, FileTime, Guid, Message, NamedProperty, PropKey, PropTag, PropType,
    PropValue, PropertyBag, Storage,
};

use crate::layout::{Level, le16, le32, le64};
use crate::nameid;
use crate::{PROPS_STREAM, ReadError, ReadOptions};

type Cfb<'a> = CompoundFile<Cursor<&'a [u8]>>;

/// Most warnings kept; later ones are counted in a last line.
const MAX_WARNINGS: usize = 1000;

/// The children of one storage, looked up by name case-insensitively,
/// remembering which streams were used.
struct Kids {
    list: Vec<(String, bool, u64)>,
    index: HashMap<(bool, String), usize>,
    used: Vec<Cell<bool>>,
}

impl Kids {
    fn find(&self, name: &str, stream: bool) -> Option<String> {
        let i = *self.index.get(&(stream, name.to_ascii_uppercase()))?;
        if let Some(u) = self.used.get(i) {
            u.set(true);
        }
        self.list.get(i).map(|(n, _, _)| n.clone())
    }

    /// Streams nothing asked for.
    fn unused_streams(&self) -> impl Iterator<Item = &str> {
        self.list
            .iter()
            .zip(&self.used)
            .filter(|((_, s, _), u)| *s && !u.get())
            .map(|((n, _, _), _)| n.as_str())
    }
}

/// A message read from a .msg file, with what the reader had to tolerate.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadOutcome {
    /// The message.
    pub message: Message,
    /// Departures from MS-OXMSG that were tolerated (wrong sizes, streams
    /// without entries, unresolvable names…), each naming where it was.
    pub warnings: Vec<String>,
}

pub(crate) fn read(bytes: &[u8], opts: &ReadOptions) -> Result<ReadOutcome, ReadError> {
    let cf =
        CompoundFile::open(Cursor::new(bytes)).map_err(|e| ReadError::Container(e.to_string()))?;
    let mut r = Reader {
        cf,
        opts,
        names: Vec::new(),
        warnings: header_warnings(bytes),
        budget: opts.max_total_bytes,
        fatal: None,
        suppressed: 0,
    };
    r.load_names()?;
    let message = r.message("", Level::Top, 0)?;
    if r.suppressed > 0 {
        let more = format!("… and {} more warnings", r.suppressed);
        r.warnings.push(more);
    }
    Ok(ReadOutcome {
        message,
        warnings: r.warnings,
    })
}

/// Header counts (MS-CFB 2.2) the container layer does not need and so
/// does not check: a count larger than the file's sectors is a lie worth
/// reporting.
fn header_warnings(bytes: &[u8]) -> Vec<String> {
    let field = |at: usize| {
        bytes
            .get(at..at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_le_bytes)
    };
    let shift = bytes
        .get(0x1E..0x20)
        .and_then(|b| <[u8; 2]>::try_from(b).ok())
        .map_or(9, u16::from_le_bytes);
    let sector = 1u64 << u32::from(shift.clamp(7, 16));
    let sectors = (bytes.len() as u64).saturating_sub(sector) / sector;
    let mut w = Vec::new();
    for (at, what) in [
        (0x2C, "FAT sectors"),
        (0x40, "mini FAT sectors"),
        (0x48, "DIFAT sectors"),
    ] {
        if let Some(n) = field(at)
            && u64::from(n) > sectors
        {
            w.push(format!(
                "header: {n} {what}, but the file has {sectors} sectors"
            ));
        }
    }
    if let Some(cutoff) = field(0x38)
        && cutoff != 4096
    {
        w.push(format!("header: mini stream cutoff {cutoff}, not 4096"));
    }
    w
}

struct Reader<'a, 'o> {
    cf: Cfb<'a>,
    opts: &'o ReadOptions,
    names: Vec<Option<NamedProperty>>,
    warnings: Vec<String>,
    budget: u64,
    /// An error met while decoding one value, raised after it.
    fatal: Option<ReadError>,
    /// Warnings beyond [`MAX_WARNINGS`].
    suppressed: usize,
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        format!("/{name}")
    } else {
        format!("{dir}/{name}")
    }
}

fn utf16_text(b: &[u8]) -> (String, bool) {
    let mut units: Vec<u16> = b.chunks_exact(2).map(|c| le16(c, 0)).collect();
    while units.last() == Some(&0) {
        units.pop();
    }
    let s = String::from_utf16_lossy(&units);
    let lossy =
        char::decode_utf16(units.iter().copied()).any(|r| r.is_err()) || !b.len().is_multiple_of(2);
    (s, lossy)
}

impl Reader<'_, '_> {
    fn warn(&mut self, w: String) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(w);
        } else {
            self.suppressed += 1;
        }
    }

    /// The children of a storage. Names a compound file may not hold (with
    /// `/`, `\\`, `:` or `!`, or `.`/`..`) are skipped with a warning: they
    /// would alias other paths.
    fn children(&mut self, dir: &str) -> Result<Kids, ReadError> {
        let path = if dir.is_empty() { "/" } else { dir };
        let entries = self
            .cf
            .read_storage(path)
            .map_err(|e| ReadError::Container(format!("{path}: {e}")))?;
        let mut list = Vec::new();
        let mut bad = Vec::new();
        for e in entries {
            if list.len() + bad.len() >= self.opts.max_entries_per_storage {
                return Err(ReadError::Limit(format!(
                    "{path} has more than {} entries",
                    self.opts.max_entries_per_storage
                )));
            }
            let name = e.name();
            if name.contains(['/', '\\', ':', '!']) || name == "." || name == ".." {
                bad.push(name.to_owned());
                continue;
            }
            list.push((name.to_owned(), e.is_stream(), e.len()));
        }
        for n in bad {
            self.warn(format!("{path}: entry {n:?} has a forbidden name; ignored"));
        }
        let mut index = HashMap::with_capacity(list.len());
        for (i, (n, st, _)) in list.iter().enumerate() {
            index.entry((*st, n.to_ascii_uppercase())).or_insert(i);
        }
        let used = (0..list.len()).map(|_| Cell::new(false)).collect();
        Ok(Kids { list, index, used })
    }

    /// Warns about the streams of a storage that no property used.
    fn report_unused(&mut self, dir: &str, kids: &Kids) {
        let unused: Vec<String> = kids.unused_streams().map(str::to_owned).collect();
        for n in unused {
            self.warn(format!(
                "{}: stream without a property entry ignored",
                join(dir, &n)
            ));
        }
    }

    /// A stream's bytes, within the size limits.
    fn stream(&mut self, path: &str) -> Result<Vec<u8>, ReadError> {
        let len = self
            .cf
            .entry(path)
            .map_err(|e| ReadError::Container(format!("{path}: {e}")))?
            .len();
        if len > self.opts.max_stream_len {
            return Err(ReadError::Limit(format!(
                "{path} declares {len} bytes, more than the limit of {}",
                self.opts.max_stream_len
            )));
        }
        if len > self.budget {
            return Err(ReadError::Limit(format!(
                "reading {path} would pass the total limit of {} bytes",
                self.opts.max_total_bytes
            )));
        }
        self.budget -= len;
        let s = self
            .cf
            .open_stream(path)
            .map_err(|e| ReadError::Container(format!("{path}: {e}")))?;
        let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0).min(1 << 20));
        s.take(len)
            .read_to_end(&mut buf)
            .map_err(|e| ReadError::Container(format!("{path}: {e}")))?;
        if buf.len() as u64 != len {
            return Err(ReadError::Container(format!(
                "{path}: {} bytes readable of {len} declared",
                buf.len()
            )));
        }
        Ok(buf)
    }

    fn load_names(&mut self) -> Result<(), ReadError> {
        let root = self.children("")?;
        let Some(dir) = root.find(nameid::STORAGE, false) else {
            return Ok(());
        };
        let dir = join("", &dir);
        let kids = self.children(&dir)?;
        let mut missing = Vec::new();
        let mut get = |name: &str| -> Result<Vec<u8>, ReadError> {
            match kids.find(name, true) {
                Some(n) => self.stream(&join(&dir, &n)),
                None => {
                    missing.push(format!("{dir}: no {name} stream"));
                    Ok(Vec::new())
                }
            }
        };
        let guids = get(nameid::GUID_STREAM)?;
        let entries = get(nameid::ENTRY_STREAM)?;
        let strings = get(nameid::STRING_STREAM)?;
        for m in missing {
            self.warn(m);
        }
        let mut w = Vec::new();
        let parsed = nameid::parse(&guids, &entries, &strings, &mut w);
        for x in w {
            self.warn(format!("{dir}: {x}"));
        }
        self.names = parsed.map_err(|e| ReadError::Malformed(format!("{dir}: {}", e.0)))?;
        Ok(())
    }

    fn message(&mut self, dir: &str, level: Level, depth: usize) -> Result<Message, ReadError> {
        if depth > self.opts.max_depth {
            return Err(ReadError::Limit(format!(
                "{dir}: embedded messages nested deeper than {}",
                self.opts.max_depth
            )));
        }
        let kids = self.children(dir)?;
        let (properties, _) = self.properties(dir, &kids, level)?;
        let mut recips = Vec::new();
        let mut attachs = Vec::new();
        let mut odd = Vec::new();
        for (name, is_stream, _) in &kids.list {
            if *is_stream {
                continue;
            }
            let index = |prefix: &str| {
                name.get(..prefix.len())
                    .filter(|p| p.eq_ignore_ascii_case(prefix))
                    .and_then(|_| name.get(prefix.len()..))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
            };
            if let Some(i) = index("__recip_version1.0_#") {
                recips.push((i, name.clone()));
            } else if let Some(i) = index("__attach_version1.0_#") {
                attachs.push((i, name.clone()));
            } else if !(level == Level::Top && name.eq_ignore_ascii_case(nameid::STORAGE)) {
                odd.push(join(dir, name));
            }
        }
        for o in odd {
            self.warn(format!("{o}: unexpected storage ignored"));
        }
        let shown = if dir.is_empty() { "/" } else { dir };
        for (what, list) in [("recipients", &recips), ("attachments", &attachs)] {
            if list.len() > self.opts.max_rows {
                return Err(ReadError::Limit(format!(
                    "{shown}: {} {what}, more than {}",
                    list.len(),
                    self.opts.max_rows
                )));
            }
        }
        self.report_unused(dir, &kids);
        recips.sort();
        attachs.sort();
        let mut m = Message {
            properties,
            ..Message::default()
        };
        for (_, name) in recips {
            let sub = join(dir, &name);
            let kids = self.children(&sub)?;
            let (bag, _) = self.properties(&sub, &kids, Level::Row)?;
            self.report_substorages(&sub, &kids, None);
            self.report_unused(&sub, &kids);
            m.recipients.push(bag);
        }
        for (_, name) in attachs {
            let sub = join(dir, &name);
            let kids = self.children(&sub)?;
            let (properties, has_object) = self.properties(&sub, &kids, Level::Row)?;
            let mut a = Attachment {
                properties,
                object: None,
            };
            let obj_name = kids.find("__substg1.0_3701000D", false);
            self.report_substorages(&sub, &kids, obj_name.as_deref());
            self.report_unused(&sub, &kids);
            if let Some(obj) = obj_name {
                let path = join(&sub, &obj);
                let method = a
                    .properties
                    .get(&PropKey::Tag(0x3705))
                    .and_then(PropValue::as_i32);
                let obj_kids = self.children(&path)?;
                let has_props = obj_kids.find(PROPS_STREAM, true).is_some();
                let as_message = has_props && method != Some(6);
                if method == Some(5) && !has_props {
                    self.warn(format!(
                        "{path}: PidTagAttachMethod says embedded message but there is no \
                         {PROPS_STREAM}; kept as a storage"
                    ));
                }
                a.object = Some(if as_message {
                    AttachedObject::Message(Box::new(self.message(
                        &path,
                        Level::Embedded,
                        depth + 1,
                    )?))
                } else {
                    AttachedObject::Storage(self.storage(&path, depth + 1)?)
                });
            } else if has_object {
                self.warn(format!(
                    "{sub}: PidTagAttachDataObject listed but no __substg1.0_3701000D storage"
                ));
            }
            m.attachments.push(a);
        }
        Ok(m)
    }

    /// Warns about storages inside a recipient or attachment storage other
    /// than the attachment's object.
    fn report_substorages(&mut self, dir: &str, kids: &Kids, object: Option<&str>) {
        let odd: Vec<String> = kids
            .list
            .iter()
            .filter(|(n, st, _)| !*st && Some(n.as_str()) != object)
            .map(|(n, _, _)| join(dir, n))
            .collect();
        for o in odd {
            self.warn(format!("{o}: unexpected storage ignored"));
        }
    }

    fn storage(&mut self, path: &str, depth: usize) -> Result<Storage, ReadError> {
        if depth > self.opts.max_depth {
            return Err(ReadError::Limit(format!(
                "{path}: storages nested deeper than {}",
                self.opts.max_depth
            )));
        }
        let clsid = self
            .cf
            .entry(path)
            .map_err(|e| ReadError::Container(format!("{path}: {e}")))?
            .clsid()
            .as_u128();
        let mut s = Storage {
            clsid: Guid(clsid),
            ..Storage::default()
        };
        let kids = self.children(path)?;
        for (name, is_stream, _) in kids.list {
            let sub = join(path, &name);
            if is_stream {
                let data = self.stream(&sub)?;
                s.streams.push((name, data));
            } else {
                let child = self.storage(&sub, depth + 1)?;
                s.storages.push((name, child));
            }
        }
        s.streams.sort_by(|a, b| a.0.cmp(&b.0));
        s.storages.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(s)
    }

    /// The property bag of a storage; the flag says whether a PtypObject
    /// entry for PidTagAttachDataObject was present.
    fn properties(
        &mut self,
        dir: &str,
        kids: &Kids,
        level: Level,
    ) -> Result<(PropertyBag, bool), ReadError> {
        let Some(name) = kids.find(PROPS_STREAM, true) else {
            return Err(ReadError::Malformed(format!(
                "{}: no {PROPS_STREAM}",
                if dir.is_empty() { "/" } else { dir }
            )));
        };
        let stream_path = join(dir, &name);
        let data = self.stream(&stream_path)?;
        let expected = level.header_len();
        let alternative = match level {
            Level::Top => Some(24),
            Level::Embedded => Some(32),
            Level::Row => None,
        };
        let fits = |h: usize| data.len() >= h && (data.len() - h).is_multiple_of(16);
        let header = if fits(expected) {
            expected
        } else if let Some(h) = alternative.filter(|h| fits(*h)) {
            self.warn(format!(
                "{stream_path}: {h}-byte header where {expected} was expected"
            ));
            h
        } else if data.len() >= expected {
            self.warn(format!(
                "{stream_path}: {} trailing bytes ignored",
                (data.len() - expected) % 16
            ));
            expected
        } else {
            return Err(ReadError::Malformed(format!(
                "{stream_path}: {} bytes, shorter than its {expected}-byte header",
                data.len()
            )));
        };
        let mut bag = PropertyBag::new();
        let mut has_object = false;
        let body = data.get(header..).unwrap_or_default();
        if body.len() / 16 > self.opts.max_entries_per_storage {
            return Err(ReadError::Limit(format!(
                "{stream_path}: {} property entries, more than {}",
                body.len() / 16,
                self.opts.max_entries_per_storage
            )));
        }
        let mut seen = std::collections::HashSet::new();
        for e in body.chunks_exact(16) {
            let tag = PropTag(le32(e, 0));
            let value = e.get(8..16).unwrap_or_default();
            let ptype = tag.prop_type();
            if !seen.insert(tag.0) {
                self.warn(format!(
                    "{stream_path}: {tag} listed twice; the first is kept"
                ));
                continue;
            }
            if ptype == PropType::OBJECT {
                if level == Level::Row && tag.id() == 0x3701 {
                    has_object = true;
                } else {
                    self.warn(format!(
                        "{stream_path}: PtypObject property {tag} has no place in the model; ignored"
                    ));
                }
                continue;
            }
            let key = if tag.is_named_id() {
                let index = usize::from(tag.id() - 0x8000);
                match self.names.get(index).cloned().flatten() {
                    Some(n) => PropKey::Named(n),
                    None => {
                        self.warn(format!(
                            "{stream_path}: property {tag} has no name mapping; dropped"
                        ));
                        continue;
                    }
                }
            } else {
                PropKey::Tag(tag.id())
            };
            if bag.get(&key).is_some() {
                self.warn(format!(
                    "{stream_path}: {tag} names the same property as an earlier entry; the first is kept"
                ));
                continue;
            }
            match self.value(dir, kids, tag, value) {
                Ok(v) => {
                    bag.insert(key, v);
                }
                Err(why) => self.warn(format!("{stream_path}: {tag}: {why}")),
            }
            if let Some(e) = self.fatal.take() {
                return Err(e);
            }
        }
        Ok((bag, has_object))
    }

    /// Decodes one property value; `Err` is a reason for a warning (the
    /// property is left out), `ReadError`s are raised through `self`.
    fn value(
        &mut self,
        dir: &str,
        kids: &Kids,
        tag: PropTag,
        inline: &[u8],
    ) -> Result<PropValue, String> {
        let t = tag.prop_type();
        let size = le32(inline, 0) as usize;
        let stream_name = format!("__substg1.0_{:08X}", tag.0);
        let v = match t {
            PropType::NULL => PropValue::Null,
            PropType::INTEGER16 => PropValue::I16(le16(inline, 0) as i16),
            PropType::INTEGER32 => PropValue::I32(le32(inline, 0) as i32),
            PropType::FLOATING32 => PropValue::F32(f32::from_bits(le32(inline, 0))),
            PropType::FLOATING64 => PropValue::F64(f64::from_bits(le64(inline, 0))),
            PropType::CURRENCY => PropValue::Currency(le64(inline, 0) as i64),
            PropType::FLOATING_TIME => PropValue::FloatingTime(f64::from_bits(le64(inline, 0))),
            PropType::ERROR_CODE => PropValue::ErrorCode(le32(inline, 0)),
            PropType::BOOLEAN => PropValue::Bool(inline.first().is_some_and(|b| *b != 0)),
            PropType::INTEGER64 => PropValue::I64(le64(inline, 0) as i64),
            PropType::TIME => PropValue::Time(FileTime(le64(inline, 0))),
            _ => {
                let data = self.value_stream(dir, kids, &stream_name)?;
                let Some(data) = data else {
                    if t.name().is_some() {
                        return Err(format!("its stream {stream_name} is missing"));
                    }
                    return Ok(PropValue::Unknown {
                        ptype: t,
                        bytes: inline.to_vec(),
                        inline: true,
                    });
                };
                self.variable(dir, kids, tag, size, data)?
            }
        };
        Ok(v)
    }

    fn value_stream(
        &mut self,
        dir: &str,
        kids: &Kids,
        name: &str,
    ) -> Result<Option<Vec<u8>>, String> {
        match kids.find(name, true) {
            Some(n) => match self.stream(&join(dir, &n)) {
                Ok(d) => Ok(Some(d)),
                Err(e) => {
                    let why = e.to_string();
                    self.fatal = Some(e);
                    Err(why)
                }
            },
            None => Ok(None),
        }
    }

    fn variable(
        &mut self,
        dir: &str,
        kids: &Kids,
        tag: PropTag,
        size: usize,
        data: Vec<u8>,
    ) -> Result<PropValue, String> {
        let t = tag.prop_type();
        let stream = join(dir, &format!("__substg1.0_{:08X}", tag.0));
        let check = |want: usize, this: &mut Self| {
            if size != want {
                this.warn(format!(
                    "{stream}: the property entry's Size is {size} where the stream gives {want}"
                ));
            }
        };
        if t.is_multi() {
            check(data.len(), self);
        }
        Ok(match t {
            PropType::STRING => {
                check(data.len() + 2, self);
                let (s, lossy) = utf16_text(&data);
                if lossy {
                    self.warn(format!("{stream}: invalid UTF-16 replaced by U+FFFD"));
                }
                PropValue::String(s.into())
            }
            PropType::STRING8 => {
                check(data.len() + 1, self);
                let mut d = data;
                while d.last() == Some(&0) {
                    d.pop();
                }
                PropValue::String8(d)
            }
            PropType::GUID => {
                check(data.len(), self);
                let b: [u8; 16] = data
                    .as_slice()
                    .try_into()
                    .map_err(|_| format!("a GUID of {} bytes", data.len()))?;
                PropValue::Guid(Guid::from_le_bytes(b))
            }
            PropType::BINARY => {
                check(data.len(), self);
                PropValue::Binary(data.into())
            }
            PropType::SERVER_ID => PropValue::ServerId(data),
            PropType::MULTIPLE_INTEGER16 => {
                PropValue::MvI16(fixed(&data, 2)?.map(|c| le16(c, 0) as i16).collect())
            }
            PropType::MULTIPLE_INTEGER32 => {
                PropValue::MvI32(fixed(&data, 4)?.map(|c| le32(c, 0) as i32).collect())
            }
            PropType::MULTIPLE_FLOATING32 => PropValue::MvF32(
                fixed(&data, 4)?
                    .map(|c| f32::from_bits(le32(c, 0)))
                    .collect(),
            ),
            PropType::MULTIPLE_FLOATING64 => PropValue::MvF64(
                fixed(&data, 8)?
                    .map(|c| f64::from_bits(le64(c, 0)))
                    .collect(),
            ),
            PropType::MULTIPLE_CURRENCY => {
                PropValue::MvCurrency(fixed(&data, 8)?.map(|c| le64(c, 0) as i64).collect())
            }
            PropType::MULTIPLE_FLOATING_TIME => PropValue::MvFloatingTime(
                fixed(&data, 8)?
                    .map(|c| f64::from_bits(le64(c, 0)))
                    .collect(),
            ),
            PropType::MULTIPLE_INTEGER64 => {
                PropValue::MvI64(fixed(&data, 8)?.map(|c| le64(c, 0) as i64).collect())
            }
            PropType::MULTIPLE_TIME => {
                PropValue::MvTime(fixed(&data, 8)?.map(|c| FileTime(le64(c, 0))).collect())
            }
            PropType::MULTIPLE_GUID => PropValue::MvGuid(
                fixed(&data, 16)?
                    .map(|c| Guid::from_le_bytes(c.try_into().unwrap_or([0; 16])))
                    .collect(),
            ),
            PropType::MULTIPLE_STRING | PropType::MULTIPLE_STRING8 | PropType::MULTIPLE_BINARY => {
                let width = if t == PropType::MULTIPLE_BINARY { 8 } else { 4 };
                if !data.len().is_multiple_of(width) {
                    return Err(format!(
                        "length stream of {} bytes is not a multiple of {width}",
                        data.len()
                    ));
                }
                let count = data.len() / width;
                let mut items = Vec::with_capacity(count.min(4096));
                for i in 0..count {
                    let want = le32(&data, i * width) as usize;
                    let name = format!("__substg1.0_{:08X}-{i:08X}", tag.0);
                    let Some(item) = self.value_stream(dir, kids, &name)? else {
                        return Err(format!("value stream {name} is missing"));
                    };
                    if item.len() != want {
                        self.warn(format!(
                            "{dir}/{name}: {} bytes where the length stream says {want}",
                            item.len()
                        ));
                    }
                    items.push(item);
                }
                match t {
                    PropType::MULTIPLE_BINARY => PropValue::MvBinary(items),
                    PropType::MULTIPLE_STRING8 => PropValue::MvString8(
                        items
                            .into_iter()
                            .map(|mut b| {
                                while b.last() == Some(&0) {
                                    b.pop();
                                }
                                b
                            })
                            .collect(),
                    ),
                    _ => {
                        let mut out = Vec::with_capacity(items.len());
                        for (i, b) in items.iter().enumerate() {
                            let (text, lossy) = utf16_text(b);
                            if lossy {
                                self.warn(format!(
                                    "{stream}-{i:08X}: invalid UTF-16 replaced by U+FFFD"
                                ));
                            }
                            out.push(text);
                        }
                        PropValue::MvString(out)
                    }
                }
            }
            _ => PropValue::Unknown {
                ptype: t,
                bytes: data,
                inline: false,
            },
        })
    }
}

fn fixed(data: &[u8], width: usize) -> Result<std::slice::ChunksExact<'_, u8>, String> {
    if !data.len().is_multiple_of(width) {
        return Err(format!(
            "{} bytes is not a whole number of {width}-byte values",
            data.len()
        ));
    }
    Ok(data.chunks_exact(width))
}
