//! The importer's structural work: calendars, series and their
//! exceptions, times and zones, UIDs, message classes, recurrence.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};
use oxpim_contentline::{
    Component, DateTime, Diagnostic, Dialect, Document, Property, Severity, Value, WriteOptions,
    Zone, write_component, write_component_into, write_property, write_property_into,
};
use oxpim_recur::{ExpandOptions, Expander, Moment, TimeZone, ZoneResolver};

use super::pattern::{self, Series};
use super::rules::{CORE_PROPERTIES, date_time_of, parse_bool, prop_text};
use super::zones::{ZoneBlobs, blobs_from_vtimezone, blobs_from_zone};
use super::{
    EXCEPTION_CLASS, ImportContext, Imported, Importer, Method, PSETID_OXPIM, Unrepresentable,
    calendar_property, diag, filetime, unmapped_property,
};
use crate::blob::recur::{
    AppointmentRecurrencePattern, Exception, ExceptionInfo, ExtendedException, OverrideFlags,
    RecurFrequency, RecurrencePattern, Skip,
};
use crate::blob::{GlobalObjectId, minutes_from_date, minutes_from_datetime};
use crate::codepage;
use crate::message::{Attachment, Message};
use crate::named::NamedProperty;
use crate::props;
use crate::shared::{Bytes, Text};
use crate::types::FileTime;
use crate::value::PropValue;

/// RECURRENCE-ID VEVENTs kept as written when their series could not be
/// mapped (see [`super::Unrepresentable`]).
pub fn exceptions_property() -> NamedProperty {
    NamedProperty::string(PSETID_OXPIM, "ical-exceptions")
}

/// FILETIME of 4500-08-31 23:59: PidLidClipEnd of a series without end
/// (MS-OXOCAL 2.2.1.15).
pub const CLIP_END_NEVER: u64 = 0x0CB2_E579_49B4_7A00;

/// A zone the importer resolved, with its blobs.
pub(crate) struct ZoneEntry {
    pub tzid: String,
    pub zone: TimeZone,
    pub blobs: ZoneBlobs,
    /// The VTIMEZONE as written (canonical text), if the zone came from one.
    pub vtimezone: Option<String>,
    /// The blobs and name as property values, encoded on first use and
    /// shared by every message in the zone.
    encoded: std::cell::OnceCell<EncodedZone>,
}

/// A zone's property values (MS-OXOCAL 2.2.1.39–2.2.1.43), encoded once.
struct EncodedZone {
    display: Bytes,
    recur: Bytes,
    tz_struct: Bytes,
    tzid: Text,
}

impl ZoneEntry {
    fn encoded(&self) -> &EncodedZone {
        self.encoded.get_or_init(|| {
            let bytes = |b: Vec<u8>| Bytes::shared(b.into());
            EncodedZone {
                display: bytes(self.blobs.definition(false).encode()),
                recur: bytes(self.blobs.definition(true).encode()),
                tz_struct: bytes(self.blobs.tz_struct().encode()),
                tzid: Text::shared(self.tzid.as_str().into()),
            }
        })
    }

    /// PidLidAppointmentTimeZoneDefinitionStartDisplay/EndDisplay.
    fn display_definition(&self) -> Bytes {
        self.encoded().display.clone()
    }

    /// PidLidAppointmentTimeZoneDefinitionRecur.
    fn recur_definition(&self) -> Bytes {
        self.encoded().recur.clone()
    }

    /// PidLidTimeZoneStruct.
    fn tz_struct(&self) -> Bytes {
        self.encoded().tz_struct.clone()
    }

    /// PidLidTimeZoneDescription.
    fn description(&self) -> Text {
        self.encoded().tzid.clone()
    }
}

/// The zones of one calendar, resolved once per TZID.
pub(crate) struct Zones<'c> {
    vtz: HashMap<String, &'c Component>,
    resolver: &'c dyn ZoneResolver,
    cache: RefCell<HashMap<String, Option<Rc<ZoneEntry>>>>,
    pub floating: Rc<ZoneEntry>,
    pub utc: Rc<ZoneEntry>,
    /// What resolving said, by the key of the zone it concerns (a
    /// lowercase TZID; [`FLOATING_NOTE`] for the floating zone's), in the
    /// order of first resolution: each key once, as the cache resolves
    /// each zone once.
    notes: RefCell<Vec<(String, String)>>,
    /// The TZID as first written for each key, in the order of first
    /// resolution: the entry a key gets (its name in the blobs, what the
    /// resolver was asked) is that of its first spelling.
    spellings: RefCell<Vec<(String, String)>>,
}

/// The note key of an unknown floating zone.
const FLOATING_NOTE: &str = "\0floating";

impl<'c> Zones<'c> {
    fn new(
        cal: &'c Component,
        resolver: &'c dyn ZoneResolver,
        floating: Option<&str>,
    ) -> Zones<'c> {
        let mut vtz = HashMap::new();
        for c in cal.children("VTIMEZONE") {
            if let Some(id) = c.text("TZID") {
                vtz.entry(id.trim().to_lowercase()).or_insert(c);
            }
        }
        let utc = Rc::new(ZoneEntry {
            tzid: "UTC".into(),
            zone: TimeZone::Utc,
            blobs: ZoneBlobs::utc(),
            vtimezone: None,
            encoded: std::cell::OnceCell::new(),
        });
        let mut z = Zones {
            vtz,
            resolver,
            cache: RefCell::new(HashMap::new()),
            floating: utc.clone(),
            utc,
            notes: RefCell::new(Vec::new()),
            spellings: RefCell::new(Vec::new()),
        };
        if let Some(f) = floating.filter(|f| !f.eq_ignore_ascii_case("UTC")) {
            match z.resolve(f) {
                Some(e) => z.floating = e,
                None => z.notes.borrow_mut().push((
                    FLOATING_NOTE.to_owned(),
                    format!("floating zone {f:?} is unknown; UTC is used"),
                )),
            }
        }
        z
    }

    /// The zone named by a TZID.
    pub(crate) fn resolve(&self, tzid: &str) -> Option<Rc<ZoneEntry>> {
        let key = tzid.trim().to_lowercase();
        if let Some(hit) = self.cache.borrow().get(&key) {
            return hit.clone();
        }
        let vtz = self.vtz.get(&key).copied();
        self.spellings
            .borrow_mut()
            .push((key.clone(), tzid.to_owned()));
        let entry = self.resolver.resolve(tzid, vtz).map(|r| {
            self.notes
                .borrow_mut()
                .extend(r.notes.iter().map(|n| (key.clone(), n.clone())));
            let (blobs, text) = match vtz.map(|v| (v, blobs_from_vtimezone(tzid.trim(), v))) {
                Some((v, Ok(b))) => (
                    b,
                    Some(utf8_or_lossy(write_component(
                        v,
                        &WriteOptions::canonical(),
                    ))),
                ),
                _ => (blobs_from_zone(tzid.trim(), &r.zone), None),
            };
            Rc::new(ZoneEntry {
                tzid: tzid.trim().to_owned(),
                zone: r.zone,
                blobs,
                vtimezone: text,
                encoded: std::cell::OnceCell::new(),
            })
        });
        self.cache.borrow_mut().insert(key, entry.clone());
        entry
    }

    /// The zone of a DATE-TIME (floating: the floating zone).
    fn zone_of(&self, dt: &DateTime) -> Result<Rc<ZoneEntry>, String> {
        match &dt.zone {
            Zone::Utc => Ok(self.utc.clone()),
            Zone::Floating => Ok(self.floating.clone()),
            Zone::Tzid(t) => self.resolve(t).ok_or_else(|| {
                format!("time zone {t:?} is unknown; read as {}", self.floating.tzid)
            }),
        }
    }

    /// The UTC instant of a DATE-TIME.
    pub(crate) fn to_utc(&self, dt: &DateTime) -> Option<NaiveDateTime> {
        match &dt.zone {
            Zone::Utc => Some(dt.local),
            _ => {
                let z = self.zone_of(dt).unwrap_or_else(|_| self.floating.clone());
                Some(z.zone.to_utc(dt.local))
            }
        }
    }
}

/// Start and end of one VEVENT.
#[derive(Clone)]
struct Times {
    start: NaiveDateTime,
    end: NaiveDateTime,
    /// Wall-clock start in `zone`.
    start_local: NaiveDateTime,
    all_day: bool,
    zone: Rc<ZoneEntry>,
    end_zone: Rc<ZoneEntry>,
    /// DTSTART was a UTC value.
    utc: bool,
    /// DTSTART was a floating DATE-TIME (not all-day).
    floating: bool,
    /// The original times of a COUNTER (X-MS-OLK-ORIGINALSTART/END).
    original: Option<(NaiveDateTime, NaiveDateTime)>,
}

impl Times {
    fn minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }
}

struct Cal<'c> {
    imp: &'c Importer,
    cal: &'c Component,
    method: Method,
    zones: Zones<'c>,
    legacy_until: bool,
    calendar_type: u16,
    calendar_kept: Option<String>,
    now: NaiveDateTime,
    diags: Vec<Diagnostic>,
    produced: usize,
    /// Whether a rule maps a property name (asked once per name).
    handled: RefCell<HashMap<String, bool, BuildNameHasher>>,
    /// The recipients met so far, built once each.
    people: super::people::People,
}

/// FNV-1a over a property name: the few dozen names of one calendar are
/// looked up once per property, where SipHash's cost shows. The cache holds
/// at most [`MAX_CACHED_NAMES`] names.
#[derive(Default)]
pub(crate) struct NameHasher(u64);

impl std::hash::Hasher for NameHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub(crate) type BuildNameHasher = std::hash::BuildHasherDefault<NameHasher>;

/// Property names whose rule lookup is cached per calendar.
const MAX_CACHED_NAMES: usize = 256;

/// The text of written lines: no copy when they are UTF-8 (the writer's
/// output always is, unless source bytes were not).
pub(crate) fn utf8_or_lossy(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The parameters of the first line of each name of `ev` that is mapped
/// (not kept whole: `kept_whole` names those), as lines without values
/// (see [`super::line_params_property`]). ORGANIZER and ATTENDEE keep
/// theirs on their rows.
fn line_params(ev: &Component, kept_whole: &[String]) -> Vec<Property> {
    let mut out = Vec::new();
    for (i, p) in ev.properties.iter().enumerate() {
        // Most lines have no parameter to keep: that is found first, and
        // only then whether the line is its name's first.
        if p.params().is_empty() || p.is("ORGANIZER") || p.is("ATTENDEE") {
            continue;
        }
        let name = p.name();
        let keep = |pname: &str, param: &oxpim_contentline::Param| {
            if super::UNKEPT_PARAMS
                .iter()
                .any(|u| pname.eq_ignore_ascii_case(u))
            {
                return false;
            }
            // What export writes from Outlook's properties is not kept,
            // but for a SUMMARY LANGUAGE tag its locale ID gives back
            // otherwise (`de` as `de-de`).
            !super::outlook_param(name, pname)
                || (name == "SUMMARY"
                    && pname.eq_ignore_ascii_case("LANGUAGE")
                    && !param.first().is_some_and(|tag| {
                        crate::codepage::lcid_for_tag(tag)
                            .and_then(crate::codepage::tag_for_lcid)
                            .is_some_and(|t| t.eq_ignore_ascii_case(tag))
                    }))
        };
        if !p.params().iter().any(|(n, v)| keep(n, v)) {
            continue;
        }
        // Only the first line of a name: export puts the parameters on the
        // first line of that name it writes.
        let first = !ev
            .properties
            .get(..i)
            .unwrap_or_default()
            .iter()
            .any(|q| q.name() == name);
        if !first || kept_whole.iter().any(|n| n == name) {
            continue;
        }
        // No type: the line is written without a VALUE parameter. Its
        // value is empty, or the fingerprint of a text the parameters
        // describe.
        let mut line = Property::new(
            name,
            oxpim_contentline::ValueType::Unknown,
            Value::Text(super::value_fingerprint(p).unwrap_or_default().into()),
        );
        for (pname, param) in p.params().iter() {
            if keep(pname, param) {
                line.params_mut()
                    .insert(&pname.to_ascii_uppercase(), param.clone());
            }
        }
        out.push(line);
    }
    out
}

fn line_of(c: &Component, name: &str) -> u32 {
    c.property(name).map_or(c.line(), Property::line)
}

pub(crate) fn import_document(imp: &Importer, doc: &Document) -> Imported {
    let mut out = Imported::default();
    // Components outside any VCALENDAR (files that forgot it) are read as
    // one calendar.
    let loose: Vec<&Component> = doc
        .components
        .iter()
        .filter(|c| c.is("VEVENT") || c.is("VTIMEZONE") || c.is("VTODO") || c.is("VJOURNAL"))
        .collect();
    if let Some(first) = loose.first() {
        out.diagnostics.push(diag(
            first.line(),
            Severity::Warning,
            format!("{} outside a VCALENDAR; read as one calendar", first.name()),
        ));
        let mut cal = Component::new("VCALENDAR", Dialect::ICalendar);
        cal.components = loose.iter().map(|c| (*c).clone()).collect();
        import_calendar(imp, &cal, &mut out);
    }
    for c in &doc.components {
        if c.is("VEVENT") || c.is("VTIMEZONE") || c.is("VTODO") || c.is("VJOURNAL") {
            continue;
        }
        if c.dialect() == Dialect::VCalendar10 {
            let (conv, diags) = oxpim_recur::vcal::to_icalendar(c);
            out.diagnostics.extend(diags);
            import_calendar(imp, &conv, &mut out);
        } else if c.is("VCALENDAR") {
            import_calendar(imp, c, &mut out);
        } else {
            out.diagnostics.push(diag(
                c.line(),
                Severity::Warning,
                format!("{} is not a calendar; not converted", c.name()),
            ));
        }
    }
    out
}

/// VCALENDAR properties the importer reads itself.
const CALENDAR_PROPERTIES: &[&str] = &[
    "VERSION",
    "PRODID",
    "METHOD",
    "CALSCALE",
    "X-MICROSOFT-CALSCALE",
    "X-WR-TIMEZONE",
];

/// What earlier calendars of the document produced, so that
/// `max_messages` bounds the whole import; one past the limit when the
/// limit was already reported (it is reported once).
fn already_produced(imp: &Importer, out: &Imported) -> usize {
    let n = out.messages.len();
    let max = imp.options.max_messages;
    if n >= max
        && out
            .diagnostics
            .iter()
            .any(|d| d.message == too_many_messages(max))
    {
        max.saturating_add(1)
    } else {
        n
    }
}

/// The error an import reports, once, when `max_messages` drops messages.
pub fn too_many_messages(max: usize) -> String {
    format!("more than {max} messages; the rest are dropped")
}

fn import_calendar(imp: &Importer, cal: &Component, out: &mut Imported) {
    let method = Method::parse(
        imp.options
            .method
            .as_deref()
            .or_else(|| cal.text("METHOD"))
            .unwrap_or(""),
    );
    let prodid = cal.text("PRODID").unwrap_or_default();
    let legacy_until = legacy_outlook(prodid);
    let mut diags = Vec::new();
    let calendar_type = match cal.text("X-MICROSOFT-CALSCALE") {
        None => 0,
        Some(s) => pattern::calendar_type_of(s).unwrap_or_else(|| {
            diags.push(diag(
                line_of(cal, "X-MICROSOFT-CALSCALE"),
                Severity::Warning,
                format!("X-MICROSOFT-CALSCALE:{s} is unknown; Gregorian is used"),
            ));
            0
        }),
    };
    if let Some(s) = cal.text("CALSCALE")
        && !s.eq_ignore_ascii_case("GREGORIAN")
    {
        diags.push(diag(
            line_of(cal, "CALSCALE"),
            Severity::Warning,
            format!("CALSCALE:{s} is not supported; dates are read as Gregorian"),
        ));
    }
    let floating = imp
        .options
        .floating_zone
        .clone()
        .or_else(|| cal.text("X-WR-TIMEZONE").map(str::to_owned));
    let kept: Vec<u8> = cal
        .properties
        .iter()
        .filter(|p| !CALENDAR_PROPERTIES.iter().any(|n| p.is(n)))
        .flat_map(|p| write_property(p, Dialect::ICalendar, &WriteOptions::canonical()))
        .collect();
    let setup = Setup {
        imp,
        cal,
        method,
        legacy_until,
        calendar_type,
        calendar_kept: (!kept.is_empty() && imp.options.keep_unmapped).then(|| utf8_or_lossy(kept)),
        now: super::now_or(imp.options.now),
        floating,
    };
    // Group VEVENTs by UID, in order of first appearance.
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, Vec<&Component>> = HashMap::new();
    for (i, ev) in cal.components.iter().enumerate() {
        if ev.is("VTIMEZONE") {
            continue;
        }
        if !ev.is("VEVENT") {
            diags.push(diag(
                ev.line(),
                Severity::Warning,
                format!(
                    "{} is not converted: MS-OXCICAL maps VEVENT only (tasks and journal entries are other Outlook items)",
                    ev.name()
                ),
            ));
            continue;
        }
        let uid = match ev.text("UID") {
            Some(u) if !u.trim().is_empty() => u.to_owned(),
            _ => {
                let made = made_up_uid(ev, i);
                diags.push(diag(
                    ev.line(),
                    Severity::Warning,
                    format!("VEVENT without UID; UID {made} made from its content"),
                ));
                made
            }
        };
        if !groups.contains_key(&uid) {
            order.push(uid.clone());
        }
        groups.entry(uid).or_default().push(ev);
    }
    if matches!(
        setup.method,
        Method::Request | Method::Reply | Method::Cancel | Method::Counter
    ) && order.len() > 1
    {
        diags.push(diag(
            line_of(cal, "METHOD"),
            Severity::Warning,
            format!(
                "METHOD:{} describes one appointment, this file has {}; each is converted",
                setup.method,
                order.len()
            ),
        ));
    }
    let series: Vec<(String, Vec<&Component>)> = order
        .into_iter()
        .filter_map(|uid| groups.remove(&uid).map(|events| (uid, events)))
        .collect();
    let start = already_produced(imp, out);
    let parts = convert_in_parallel(&setup, &series, start)
        .unwrap_or_else(|| vec![setup.convert(&series, start)]);
    // Zone notes: each zone's once, in the order of first resolution (one
    // run resolves a zone once; later runs may resolve it again).
    let mut noted: HashSet<&str> = HashSet::new();
    let mut notes = Vec::new();
    for part in &parts {
        for (key, note) in &part.notes {
            if !noted.contains(key.as_str()) {
                notes.push(diag(cal.line(), Severity::Warning, note.clone()));
            }
        }
        noted.extend(part.notes.iter().map(|(key, _)| key.as_str()));
    }
    out.diagnostics.append(&mut diags);
    for part in parts {
        out.messages.extend(part.messages);
        out.diagnostics.extend(part.diagnostics);
    }
    out.diagnostics.append(&mut notes);
}

/// What every series of one calendar is converted with.
struct Setup<'c> {
    imp: &'c Importer,
    cal: &'c Component,
    method: Method,
    legacy_until: bool,
    calendar_type: u16,
    calendar_kept: Option<String>,
    now: NaiveDateTime,
    floating: Option<String>,
}

/// What converting a run of series gave.
struct Part {
    messages: Vec<Message>,
    diagnostics: Vec<Diagnostic>,
    notes: Vec<(String, String)>,
    spellings: Vec<(String, String)>,
    /// Messages produced, those past `max_messages` included.
    produced: usize,
}

/// Series per thread below which a thread is not worth starting (a series
/// converts in tens of microseconds, a thread starts in about ten).
const SERIES_PER_THREAD: usize = 8;

/// Most threads one calendar is converted on, whatever is asked.
const MAX_THREADS: usize = 64;

/// The stack of a converting thread: that of a main thread on Linux
/// (Rust's default for other threads is 2 MiB), so that a registered rule
/// that recurses has the room it has on the calling thread.
const WORKER_STACK: usize = 8 << 20;

impl<'c> Setup<'c> {
    /// Converts series in order, on this thread, counting messages from
    /// `start`.
    fn convert(&self, series: &[(String, Vec<&'c Component>)], start: usize) -> Part {
        let mut c = Cal {
            imp: self.imp,
            cal: self.cal,
            method: self.method.clone(),
            zones: Zones::new(
                self.cal,
                self.imp.resolver.as_ref(),
                self.floating.as_deref(),
            ),
            legacy_until: self.legacy_until,
            calendar_type: self.calendar_type,
            calendar_kept: self.calendar_kept.clone(),
            now: self.now,
            diags: Vec::new(),
            produced: start,
            handled: RefCell::new(HashMap::default()),
            people: super::people::People::default(),
        };
        let mut out = Imported::default();
        for (uid, events) in series {
            c.import_series(uid, events, &mut out);
        }
        Part {
            messages: out.messages,
            diagnostics: c.diags,
            notes: c.zones.notes.into_inner(),
            spellings: c.zones.spellings.into_inner(),
            produced: c.produced.saturating_sub(start),
        }
    }
}

/// Converts runs of series on several threads ([`ImportOptions::threads`]),
/// or `None` when one thread is asked for, the calendar is too small to
/// share, a zone is written in two spellings that runs met in another
/// order than one thread does, or it may give more than `max_messages` (the caller then
/// converts on one thread, which reports the limit where it is reached and
/// holds at most the limit's messages; runs would each hold that many).
/// Each run has its own zone cache; what the runs give, joined in order, is
/// what one thread gives, notes aside (joined by zone, see the caller).
///
/// [`ImportOptions::threads`]: super::ImportOptions::threads
fn convert_in_parallel(
    setup: &Setup<'_>,
    series: &[(String, Vec<&Component>)],
    start: usize,
) -> Option<Vec<Part>> {
    let threads = setup
        .imp
        .options
        .thread_count()
        .min(MAX_THREADS)
        .min(series.len() / SERIES_PER_THREAD);
    if threads < 2 {
        return None;
    }
    // At most two messages per VEVENT (a DTSTART that is not an instance
    // is one of its own), plus the expanded instances of each series.
    let per_series = match setup.imp.options.unrepresentable {
        Unrepresentable::Expand => setup.imp.options.max_expanded,
        _ => 0,
    };
    let most = series.iter().fold(start, |n, (_, events)| {
        n.saturating_add(events.len().saturating_mul(2))
            .saturating_add(per_series)
    });
    if most > setup.imp.options.max_messages {
        return None;
    }
    // Contiguous runs of about equal work (properties and subcomponents).
    let weight = |(_, events): &(String, Vec<&Component>)| -> usize {
        events
            .iter()
            .map(|e| e.properties.len() + e.components.len() + 1)
            .sum()
    };
    let total: usize = series.iter().map(weight).sum();
    let mut runs = Vec::with_capacity(threads);
    let (mut from, mut acc) = (0, 0);
    for (i, s) in series.iter().enumerate() {
        acc += weight(s);
        if runs.len() + 1 < threads && acc * threads >= total * (runs.len() + 1) {
            runs.push(series.get(from..=i)?);
            from = i + 1;
        }
    }
    runs.push(series.get(from..)?);
    let parts = std::thread::scope(|scope| {
        let (first, rest) = runs.split_first()?;
        // A run whose thread cannot be started is converted here, in turn.
        let started: Vec<_> = rest
            .iter()
            .map(|run| {
                let handle = std::thread::Builder::new()
                    .name("oxpim-import".into())
                    .stack_size(WORKER_STACK)
                    .spawn_scoped(scope, move || setup.convert(run, start));
                (run, handle.ok())
            })
            .collect();
        let mut parts = vec![setup.convert(first, start)];
        for (run, handle) in started {
            match handle.map(std::thread::ScopedJoinHandle::join) {
                Some(Ok(p)) => parts.push(p),
                // A rule that panics panics the import, as on one thread.
                Some(Err(e)) => std::panic::resume_unwind(e),
                None => parts.push(setup.convert(run, start)),
            }
        }
        Some(parts)
    })?;
    // A zone written in two spellings (`Europe/Berlin`, `europe/berlin`)
    // gets the first one's entry on one thread; a run that met another
    // spelling first made its own.
    let mut first: HashMap<&str, &str> = HashMap::new();
    for (key, tzid) in parts.iter().flat_map(|p| &p.spellings) {
        if *first.entry(key.as_str()).or_insert(tzid.as_str()) != tzid.as_str() {
            return None;
        }
    }
    let produced: usize = parts.iter().map(|p| p.produced).sum();
    (start.saturating_add(produced) <= setup.imp.options.max_messages).then_some(parts)
}

/// MS-OXCICAL 2.1.3.1.1.2: `-//Microsoft Corporation//Outlook N.M MIMEDIR//EN`
/// with N in 1–11 uses the legacy UNTIL rule.
fn legacy_outlook(prodid: &str) -> bool {
    let Some(rest) = prodid.strip_prefix("-//Microsoft Corporation//Outlook ") else {
        return false;
    };
    let Some(v) = rest.strip_suffix(" MIMEDIR//EN") else {
        return false;
    };
    let major = v.split('.').next().unwrap_or("");
    major.len() <= 2 && major.parse::<u32>().is_ok_and(|m| (1..=11).contains(&m))
}

/// The UID given to the `i`-th component `ev` when it has none:
/// `oxpim-` and an FNV-1a hash of its canonical text and place, so that the
/// same file gives the same UID.
pub fn made_up_uid(ev: &Component, i: usize) -> String {
    let text = write_component(ev, &WriteOptions::canonical());
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.iter().chain(i.to_le_bytes().iter()) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("oxpim-{h:016x}")
}

fn recurrence_id(ev: &Component) -> Option<&Property> {
    ev.property("RECURRENCE-ID")
}

fn is_recurring(ev: &Component) -> bool {
    ["RRULE", "X-MICROSOFT-RRULE", "RDATE", "EXRULE"]
        .iter()
        .any(|n| ev.property(n).is_some())
}

/// Kinds of VEVENT in a series.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Single,
    Master,
    Exception,
    Orphan,
}

impl<'c> Cal<'c> {
    fn warn(&mut self, line: u32, msg: impl Into<String>) {
        self.diags.push(diag(line, Severity::Warning, msg));
    }

    fn error(&mut self, line: u32, msg: impl Into<String>) {
        self.diags.push(diag(line, Severity::Error, msg));
    }

    fn push(&mut self, m: Message, out: &mut Imported, line: u32) {
        if self.produced >= self.imp.options.max_messages {
            if self.produced == self.imp.options.max_messages {
                self.error(line, too_many_messages(self.imp.options.max_messages));
            }
            self.produced += 1;
            return;
        }
        self.produced += 1;
        out.messages.push(m);
    }

    fn import_series(&mut self, uid: &str, events: &[&'c Component], out: &mut Imported) {
        let masters: Vec<&Component> = events
            .iter()
            .copied()
            .filter(|e| recurrence_id(e).is_none())
            .collect();
        let overrides: Vec<&Component> = events
            .iter()
            .copied()
            .filter(|e| recurrence_id(e).is_some())
            .collect();
        let mut masters = masters.into_iter();
        let master = masters.next();
        for extra in masters {
            self.warn(
                extra.line(),
                format!("another VEVENT with UID {uid}; converted as its own appointment"),
            );
            if let Some(m) = self.single(uid, extra, Role::Single) {
                self.push(m, out, extra.line());
            }
        }
        match master {
            Some(m) if is_recurring(m) => self.recurring(uid, m, &overrides, out),
            Some(m) => {
                if let Some(msg) = self.single(uid, m, Role::Single) {
                    self.push(msg, out, m.line());
                }
                for o in overrides {
                    self.warn(o.line(), "RECURRENCE-ID of a VEVENT that does not recur; converted as its own appointment");
                    if let Some(msg) = self.single(uid, o, Role::Orphan) {
                        self.push(msg, out, o.line());
                    }
                }
            }
            None => {
                for o in overrides {
                    if let Some(msg) = self.single(uid, o, Role::Orphan) {
                        self.push(msg, out, o.line());
                    }
                }
            }
        }
    }

    fn date_value_local(
        &mut self,
        p: &Property,
    ) -> Option<(NaiveDateTime, Rc<ZoneEntry>, bool, bool)> {
        // (wall time, zone, is DATE, is UTC)
        match p.value()? {
            Value::Date(d) => Some((
                d.and_time(NaiveTime::MIN),
                self.zones.floating.clone(),
                true,
                false,
            )),
            Value::DateTime(dt) => {
                let z = match self.zones.zone_of(dt) {
                    Ok(z) => z,
                    Err(e) => {
                        self.warn(p.line(), e);
                        self.zones.floating.clone()
                    }
                };
                Some((dt.local, z, false, dt.is_utc()))
            }
            _ => None,
        }
    }

    fn times(&mut self, ev: &Component) -> Option<Times> {
        let Some(sp) = ev.property("DTSTART") else {
            self.error(
                ev.line(),
                "VEVENT without DTSTART; not converted (Outlook needs a start)",
            );
            return None;
        };
        let Some((slocal, szone, sdate, sutc)) = self.date_value_local(sp) else {
            self.error(sp.line(), "DTSTART could not be read; VEVENT not converted");
            return None;
        };
        let mut end: Option<(NaiveDateTime, Rc<ZoneEntry>, bool)> = None;
        if let Some(ep) = ev.property("DTEND") {
            match self.date_value_local(ep) {
                Some((l, z, d, _)) => end = Some((l, z, d)),
                None => self.warn(ep.line(), "DTEND could not be read; ignored"),
            }
        }
        let start_utc = szone.zone.to_utc(slocal);
        let dur = ev
            .property("DURATION")
            .and_then(|p| p.value())
            .and_then(Value::as_duration)
            .copied();
        // An exact DURATION's end instant: its wall time may be the second
        // of two equal local times, which converting back would not give.
        let mut exact_end = None;
        let (end_local, end_zone, edate) = match (end, dur) {
            // RFC 5545: DTEND has DTSTART's type; a DATE-TIME end of a DATE
            // start is read as its date, as expansion reads it.
            (Some((l, z, false)), _) if sdate => {
                self.warn(
                    line_of(ev, "DTEND"),
                    "DTEND is a DATE-TIME but DTSTART a DATE; its date is used",
                );
                (l.date().and_time(NaiveTime::MIN), z, true)
            }
            (Some(e), _) => e,
            (None, Some(d)) => {
                let nominal = d.hours == 0 && d.minutes == 0 && d.seconds == 0;
                if nominal || sdate {
                    let days = i64::from(d.weeks) * 7 + i64::from(d.days);
                    let days = if d.negative { -days } else { days };
                    (slocal + TimeDelta::days(days), szone.clone(), sdate)
                } else {
                    let u = start_utc + TimeDelta::seconds(d.total_seconds());
                    exact_end = Some(u);
                    (szone.zone.to_local(u), szone.clone(), false)
                }
            }
            (None, None) if sdate => (slocal + TimeDelta::days(1), szone.clone(), true),
            (None, None) => (slocal, szone.clone(), false),
        };
        let floating_midnight = |p: Option<&Property>| {
            p.and_then(|p| p.value()).is_some_and(|v| match v {
                Value::Date(_) => true,
                Value::DateTime(dt) => {
                    dt.zone == Zone::Floating && dt.local.time() == NaiveTime::MIN
                }
                _ => false,
            })
        };
        let cdo_all_day = [
            "X-MICROSOFT-CDO-ALLDAYEVENT",
            "X-MICROSOFT-MSNCALENDAR-ALLDAYEVENT",
        ]
        .iter()
        .any(|n| {
            ev.property(n)
                .is_some_and(|p| parse_bool(&prop_text(p)) == Some(true))
        });
        // MS-OXCICAL: DTSTART and DTEND both floating midnights (or dates).
        // A midnight DTSTART alone lasts no time and is not all-day.
        let mut all_day = (sdate && edate)
            || (floating_midnight(Some(sp))
                && end_local.time() == NaiveTime::MIN
                && end_local > slocal
                && (ev
                    .property("DTEND")
                    .is_none_or(|p| floating_midnight(Some(p)))));
        if !all_day
            && cdo_all_day
            && slocal.time() == NaiveTime::MIN
            && end_local.time() == NaiveTime::MIN
        {
            all_day = true;
        }
        let (start_local, start, end, zone, end_zone) = if all_day {
            let f = self.zones.floating.clone();
            let s = slocal.date().and_time(NaiveTime::MIN);
            let mut e = end_local.date().and_time(NaiveTime::MIN);
            if e <= s {
                self.warn(
                    sp.line(),
                    "all-day event ends before it starts; one day is used",
                );
                e = s + TimeDelta::days(1);
            }
            (s, f.zone.to_utc(s), f.zone.to_utc(e), f.clone(), f)
        } else {
            let mut e = exact_end.unwrap_or_else(|| end_zone.zone.to_utc(end_local));
            if e < start_utc {
                self.warn(
                    sp.line(),
                    "the event ends before it starts; its end is its start",
                );
                e = start_utc;
            }
            (slocal, start_utc, e, szone, end_zone)
        };
        let mut original = None;
        if self.method == Method::Counter {
            let get = |name: &str| {
                ev.property(name)
                    .and_then(date_time_of)
                    .and_then(|dt| self.zones.to_utc(&dt))
            };
            if let (Some(a), Some(b)) = (get("X-MS-OLK-ORIGINALSTART"), get("X-MS-OLK-ORIGINALEND"))
            {
                original = Some((a, b));
            }
        }
        // Floating, or in a zone nobody knows (which expansion also reads
        // as wall-clock time).
        let floating = !all_day
            && matches!(sp.value(), Some(Value::DateTime(dt))
                if dt.zone == Zone::Floating
                    || dt.tzid().is_some_and(|t| self.zones.resolve(t).is_none()));
        if floating {
            self.warn(
                sp.line(),
                format!(
                    "floating time read in {} (Outlook has no floating appointments); it is written floating again on export",
                    zone.tzid
                ),
            );
        }
        Some(Times {
            start,
            end,
            start_local,
            all_day,
            zone,
            end_zone,
            utc: sutc,
            floating,
            original,
        })
    }

    fn class_for(&mut self, ev: &Component) -> (&'static str, bool) {
        match &self.method {
            Method::None | Method::Publish => ("IPM.Appointment", false),
            Method::Request => ("IPM.Schedule.Meeting.Request", false),
            Method::Cancel => ("IPM.Schedule.Meeting.Canceled", false),
            Method::Reply | Method::Counter => {
                let counter = self.method == Method::Counter;
                let attendees: Vec<&Property> = ev.properties_named("ATTENDEE").collect();
                if attendees.len() != 1 {
                    self.warn(
                        ev.line(),
                        format!(
                            "METHOD:{} needs exactly one ATTENDEE, found {}",
                            self.method,
                            attendees.len()
                        ),
                    );
                }
                let ps = attendees
                    .first()
                    .and_then(|a| a.param("PARTSTAT"))
                    .unwrap_or_default()
                    .to_ascii_uppercase();
                let class = match ps.as_str() {
                    "ACCEPTED" if !counter => "IPM.Schedule.Meeting.Resp.Pos",
                    "DECLINED" if !counter => "IPM.Schedule.Meeting.Resp.Neg",
                    _ => "IPM.Schedule.Meeting.Resp.Tent",
                };
                (class, counter)
            }
            other => {
                let other = other.clone();
                self.warn(
                    line_of(self.cal, "METHOD"),
                    format!(
                        "METHOD:{other} has no Outlook message class; imported as an appointment"
                    ),
                );
                ("IPM.Appointment", false)
            }
        }
    }

    /// The message of one VEVENT, without recurrence.
    fn base(
        &mut self,
        uid: &str,
        ev: &Component,
        role: Role,
        t: &Times,
        master: Option<&Message>,
    ) -> Message {
        let (class, counter) = if role == Role::Exception {
            (EXCEPTION_CLASS, false)
        } else {
            self.class_for(ev)
        };
        let mut m = Message::with_class(class);
        m.properties.reserve(64);
        let p = &mut m.properties;
        let ft = |x: NaiveDateTime| filetime(x).unwrap_or(FileTime(0));
        let (start, end) = match (self.method == Method::Counter, t.original) {
            (true, Some(o)) => o,
            _ => (t.start, t.end),
        };
        let _ = p.set(&props::PID_LID_APPOINTMENT_START_WHOLE, ft(start));
        let _ = p.set(&props::PID_LID_APPOINTMENT_END_WHOLE, ft(end));
        let _ = p.set(&props::PID_TAG_START_DATE, ft(start));
        let _ = p.set(&props::PID_TAG_END_DATE, ft(end));
        let _ = p.set(&props::PID_LID_COMMON_START, ft(start));
        let _ = p.set(&props::PID_LID_COMMON_END, ft(end));
        let minutes = i32::try_from((end - start).num_minutes()).unwrap_or(i32::MAX);
        let _ = p.set(&props::PID_LID_APPOINTMENT_DURATION, minutes);
        if counter {
            let _ = p.set(&props::PID_LID_APPOINTMENT_COUNTER_PROPOSAL, true);
            let _ = p.set(
                &props::PID_LID_APPOINTMENT_PROPOSED_START_WHOLE,
                ft(t.start),
            );
            let _ = p.set(&props::PID_LID_APPOINTMENT_PROPOSED_END_WHOLE, ft(t.end));
            let _ = p.set(
                &props::PID_LID_APPOINTMENT_PROPOSED_DURATION,
                i32::try_from(t.minutes()).unwrap_or(i32::MAX),
            );
        }
        let _ = p.set(&props::PID_LID_APPOINTMENT_SUB_TYPE, t.all_day);
        if t.floating {
            p.insert(super::floating_property(), PropValue::Bool(true));
        }
        if self.imp.options.keep_unmapped {
            let mut texts = String::new();
            for z in [&t.zone, &t.end_zone] {
                if let Some(v) = &z.vtimezone
                    && !texts.contains(v.as_str())
                {
                    texts.push_str(v);
                }
            }
            if !texts.is_empty() {
                p.insert(
                    super::vtimezones_property(),
                    PropValue::String(texts.into()),
                );
            }
        }
        // Display zones: the zones of DTSTART and DTEND; a UTC time has none.
        if !t.utc || t.all_day {
            let _ = p.set(
                &props::PID_LID_APPOINTMENT_TIME_ZONE_DEFINITION_START_DISPLAY,
                t.zone.display_definition(),
            );
            let _ = p.set(
                &props::PID_LID_APPOINTMENT_TIME_ZONE_DEFINITION_END_DISPLAY,
                t.end_zone.display_definition(),
            );
        }
        // UID ⇄ global object ID (MS-OXCICAL 2.1.3.1.1.20.26).
        let goid = GlobalObjectId::from_uid(uid);
        let instance = match role {
            Role::Exception | Role::Orphan => recurrence_id(ev).and_then(|rp| {
                goid.instance_date()
                    .or_else(|| self.recurrence_id_local(rp).map(|(l, _)| l.date()))
            }),
            _ => goid.instance_date(),
        };
        let with_date = match instance {
            Some(d) => goid.for_instance(d),
            None => goid.clone(),
        };
        let _ = p.set(&props::PID_LID_GLOBAL_OBJECT_ID, with_date.encode());
        let _ = p.set(
            &props::PID_LID_CLEAN_GLOBAL_OBJECT_ID,
            goid.clean().encode(),
        );
        if let Some(rp) = recurrence_id(ev)
            && let Some((_, utc)) = self.recurrence_id_local(rp)
        {
            let _ = p.set(&props::PID_LID_EXCEPTION_REPLACE_TIME, ft(utc));
        }
        // Meeting bookkeeping (MS-OXOCAL 2.2.1.10, 2.2.1.11, 2.2.6.5).
        let meeting = ev.property("ORGANIZER").is_some() || ev.property("ATTENDEE").is_some();
        let organizer = ev
            .property("ORGANIZER")
            .map(prop_text)
            .and_then(|o| super::people::mailto(&o).map(str::to_ascii_lowercase));
        let user_is_organizer = match (&self.imp.options.user, &organizer) {
            (Some(u), Some(o)) => u.eq_ignore_ascii_case(o),
            _ => false,
        };
        let (flags, response) = match self.method {
            Method::Request => (0x3, 5),
            Method::Cancel => (0x7, 5),
            Method::Reply | Method::Counter => (0x3, 0),
            _ if meeting && user_is_organizer => (0x1, 1),
            _ if meeting => (0x3, 0),
            _ => (0, 0),
        };
        let cancelled = ev
            .text("STATUS")
            .is_some_and(|s| s.eq_ignore_ascii_case("CANCELLED"));
        let flags = if cancelled && meeting {
            flags | 0x4
        } else {
            flags
        };
        let _ = p.set(&props::PID_LID_APPOINTMENT_STATE_FLAGS, flags);
        if role != Role::Exception {
            let _ = p.set(&props::PID_LID_RESPONSE_STATUS, response);
            let meeting_type = match self.method {
                Method::Request => {
                    let seq = ev
                        .property("SEQUENCE")
                        .and_then(|p| p.value())
                        .and_then(Value::as_integer);
                    if seq.unwrap_or(0) > 0 {
                        0x0001_0000
                    } else {
                        0x0000_0001
                    }
                }
                _ => 0,
            };
            if meeting_type != 0 {
                let _ = p.set(&props::PID_LID_MEETING_TYPE, meeting_type);
            }
            if matches!(self.method, Method::Request | Method::Cancel) {
                let _ = p.set(&props::PID_LID_APPOINTMENT_MESSAGE_CLASS, "IPM.Appointment");
            }
        }
        let _ = p.set(&props::PID_LID_RECURRING, role == Role::Master);
        let _ = p.set(&props::PID_LID_IS_RECURRING, role != Role::Single);
        let _ = p.set(
            &props::PID_LID_IS_EXCEPTION,
            matches!(role, Role::Exception | Role::Orphan),
        );
        if role != Role::Master {
            let _ = p.set(&props::PID_LID_CLIP_START, ft(t.start));
            let _ = p.set(&props::PID_LID_CLIP_END, ft(t.end));
        }
        let icon = match (class, role == Role::Master, meeting) {
            ("IPM.Appointment", false, false) => Some(0x400),
            ("IPM.Appointment", true, false) => Some(0x401),
            ("IPM.Appointment", false, true) => Some(0x402),
            ("IPM.Appointment", true, true) => Some(0x403),
            ("IPM.Schedule.Meeting.Request", _, _) => Some(0x404),
            ("IPM.Schedule.Meeting.Resp.Pos", _, _) => Some(0x405),
            ("IPM.Schedule.Meeting.Resp.Neg", _, _) => Some(0x406),
            ("IPM.Schedule.Meeting.Resp.Tent", _, _) => Some(0x407),
            ("IPM.Schedule.Meeting.Canceled", _, _) => Some(0x408),
            _ => None,
        };
        if let Some(i) = icon {
            let _ = p.set(&props::PID_TAG_ICON_INDEX, i);
        }
        let _ = p.set(&props::PID_TAG_MESSAGE_FLAGS, 1);
        let _ = master;
        m
    }

    /// RECURRENCE-ID as a wall-clock time of its own zone, and in UTC.
    fn recurrence_id_local(&self, p: &Property) -> Option<(NaiveDateTime, NaiveDateTime)> {
        match p.value()? {
            Value::Date(d) => {
                let l = d.and_time(NaiveTime::MIN);
                Some((l, self.zones.floating.zone.to_utc(l)))
            }
            Value::DateTime(dt) => {
                let utc = self.zones.to_utc(dt)?;
                Some((dt.local, utc))
            }
            _ => None,
        }
    }

    /// Runs the rules on a VEVENT; returns what they asked to keep.
    #[allow(clippy::too_many_arguments)]
    fn run_rules(
        &mut self,
        ev: &Component,
        m: &mut Message,
        role: Role,
        t: &Times,
        master: Option<&Message>,
        next: Option<NaiveDateTime>,
        kept: &mut Vec<u8>,
    ) {
        let options = &self.imp.options;
        let mut cx = ImportContext {
            method: &self.method,
            calendar: self.cal,
            event: ev,
            message: m,
            is_exception: role == Role::Exception,
            all_day: t.all_day,
            start: Some(t.start),
            end: Some(t.end),
            options,
            zone: &t.zone.zone,
            master,
            next_start: next,
            zones: &self.zones,
            people: &self.people,
            kept,
            diagnostics: &mut self.diags,
        };
        for rule in self.imp.registry.rules() {
            rule.import(&mut cx);
        }
    }

    fn handles(&self, name: &str) -> bool {
        if let Some(h) = self.handled.borrow().get(name) {
            return *h;
        }
        let h = self.imp.registry.handles(name);
        let mut cache = self.handled.borrow_mut();
        // Bounded, so that names crafted to collide cost at most this many
        // comparisons per lookup.
        if cache.len() < MAX_CACHED_NAMES {
            cache.insert(name.to_owned(), h);
        }
        h
    }

    /// Properties and components no rule maps, as content lines; `also`
    /// names core properties to keep all the same, `skip` properties to
    /// leave out.
    fn unmapped(
        &self,
        ev: &Component,
        also: &[&str],
        skip: &[&str],
        kept: &mut Vec<u8>,
    ) -> Vec<String> {
        let mut names = Vec::new();
        for p in &ev.properties {
            let core = CORE_PROPERTIES.iter().any(|n| p.is(n)) && !also.iter().any(|n| p.is(n));
            if core || skip.iter().any(|n| p.is(n)) || self.handles(p.name()) {
                continue;
            }
            if !names.iter().any(|n: &String| n == p.name()) {
                names.push(p.name().to_owned());
            }
            write_property_into(p, Dialect::ICalendar, &WriteOptions::canonical(), kept);
        }
        for c in &ev.components {
            if self.handles(c.name()) {
                continue;
            }
            names.push(c.name().to_owned());
            write_component_into(c, &WriteOptions::canonical(), kept);
        }
        names
    }

    fn finish_message(&mut self, ev: &Component, m: &mut Message, kept: Vec<u8>, names: &[String]) {
        if !names.is_empty() {
            let hidden: Vec<&String> = names.iter().filter(|n| !n.starts_with("X-")).collect();
            let msg = if self.imp.options.keep_unmapped {
                format!(
                    "not mapped to Outlook properties (kept in oxpim's own property for export): {}",
                    names.join(", ")
                )
            } else {
                format!(
                    "not mapped to Outlook properties, dropped: {}",
                    names.join(", ")
                )
            };
            if !hidden.is_empty() || !self.imp.options.keep_unmapped {
                self.warn(ev.line(), msg);
            }
        }
        let lines = line_params(ev, names);
        if !lines.is_empty() {
            if self.imp.options.keep_unmapped {
                let mut text = Vec::new();
                for line in &lines {
                    write_property_into(
                        line,
                        Dialect::ICalendar,
                        &WriteOptions::canonical(),
                        &mut text,
                    );
                }
                m.properties.insert(
                    super::line_params_property(),
                    PropValue::String(utf8_or_lossy(text).into()),
                );
            } else {
                let dropped: Vec<String> = lines
                    .iter()
                    .filter_map(|l| {
                        let params: Vec<&str> = l
                            .params()
                            .iter()
                            .map(|(n, _)| n)
                            .filter(|n| !super::outlook_param(l.name(), n))
                            .collect();
                        (!params.is_empty())
                            .then(|| format!("{} ({})", l.name(), params.join(", ")))
                    })
                    .collect();
                if !dropped.is_empty() {
                    self.warn(
                        ev.line(),
                        format!(
                            "parameters Outlook has no property for, dropped (keep_unmapped is off): {}",
                            dropped.join(", ")
                        ),
                    );
                }
            }
        }
        if self.imp.options.keep_unmapped {
            let mut kept = kept;
            self.add_referenced_zones(&mut kept);
            if !kept.is_empty() {
                m.properties.insert(
                    unmapped_property(),
                    PropValue::String(utf8_or_lossy(kept).into()),
                );
            }
            if let Some(c) = &self.calendar_kept {
                m.properties
                    .insert(calendar_property(), PropValue::String(c.clone().into()));
            }
        }
    }

    /// Appends the VTIMEZONEs that kept lines refer to by TZID.
    fn add_referenced_zones(&self, kept: &mut Vec<u8>) {
        // The canonical writer spells parameter names in uppercase.
        if kept.is_empty() || !kept.windows(5).any(|w| w == b"TZID=") {
            return;
        }
        let text = String::from_utf8_lossy(kept).to_lowercase();
        let mut extra = Vec::new();
        for c in self.cal.children("VTIMEZONE") {
            if let Some(id) = c.text("TZID") {
                let needle = format!("tzid={}", id.to_lowercase());
                let quoted = format!("tzid=\"{}\"", id.to_lowercase());
                if text.contains(&needle) || text.contains(&quoted) {
                    write_component_into(c, &WriteOptions::canonical(), &mut extra);
                }
            }
        }
        kept.extend(extra);
    }

    /// A VEVENT as one appointment (single, orphan, or fallback master).
    fn single(&mut self, uid: &str, ev: &Component, role: Role) -> Option<Message> {
        let t = self.times(ev)?;
        let mut m = self.base(uid, ev, role, &t, None);
        let next = (t.start >= self.now).then_some(t.start);
        let mut kept = Vec::new();
        self.run_rules(ev, &mut m, role, &t, None, next, &mut kept);
        let names = self.unmapped(ev, &[], &[], &mut kept);
        self.finish_message(ev, &mut m, kept, &names);
        Some(m)
    }

    fn recurring(
        &mut self,
        uid: &str,
        ev: &'c Component,
        overrides: &[&'c Component],
        out: &mut Imported,
    ) {
        let Some(t) = self.times(ev) else { return };
        match self.map_recurrence(ev, &t) {
            Ok((p, None)) => {
                if let Err((line, why)) = self.recurring_mapped(uid, ev, overrides, &t, p, out) {
                    self.fallback(uid, ev, overrides, &t, line, &why, out);
                }
            }
            Ok((p, Some(first))) => {
                // RFC 5545 counts a DTSTART its rule does not give as an
                // instance; an Outlook series starts at its first pattern
                // instance. The series starts there, and DTSTART's instance
                // becomes an appointment of its own (an orphan instance).
                let line = line_of(ev, "DTSTART");
                self.warn(
                    line,
                    format!(
                        "DTSTART {} is not an instance of its rule: the Outlook series starts at {}, and the DTSTART instance is an appointment of its own",
                        t.start_local, first
                    ),
                );
                let mut shifted = t.clone();
                shifted.start_local = first;
                if t.all_day {
                    let days = (t.end - t.start).num_days().max(1);
                    shifted.start = t.zone.zone.to_utc(first);
                    shifted.end = t.zone.zone.to_utc(first + TimeDelta::days(days));
                } else {
                    shifted.start = t.zone.zone.to_utc(first);
                    shifted.end = shifted.start + (t.end - t.start);
                }
                if let Err((line, why)) =
                    self.recurring_mapped(uid, ev, overrides, &shifted, p, out)
                {
                    self.fallback(uid, ev, overrides, &t, line, &why, out);
                    return;
                }
                // Unless EXDATE removes it, or an override replaces it.
                let excluded = ev.properties_named("EXDATE").any(|x| {
                    x.values().as_slice().iter().any(|v| match v {
                        Value::DateTime(dt) => self.zones.to_utc(dt) == Some(t.start),
                        Value::Date(d) => *d == t.start_local.date(),
                        _ => false,
                    })
                });
                let replaced = overrides.iter().any(|o| {
                    recurrence_id(o)
                        .and_then(|rp| self.recurrence_id_local(rp))
                        .is_some_and(|(_, u)| u == t.start)
                });
                if !excluded && !replaced {
                    self.dtstart_instance(uid, ev, &t, out);
                }
            }
            Err((line, why)) => self.fallback(uid, ev, overrides, &t, line, &why, out),
        }
    }

    /// DTSTART's own instance of a series whose rule does not give it.
    fn dtstart_instance(&mut self, uid: &str, ev: &Component, t: &Times, out: &mut Imported) {
        let mut m = self.base(uid, ev, Role::Orphan, t, None);
        let goid = GlobalObjectId::from_uid(uid).for_instance(t.start_local.date());
        m.properties.insert(
            props::PID_LID_GLOBAL_OBJECT_ID.key(),
            PropValue::Binary(goid.encode().into()),
        );
        if let Some(f) = filetime(t.start) {
            m.properties.insert(
                props::PID_LID_EXCEPTION_REPLACE_TIME.key(),
                PropValue::Time(f),
            );
        }
        let next = (t.start >= self.now).then_some(t.start);
        let mut kept = Vec::new();
        self.run_rules(ev, &mut m, Role::Orphan, t, None, next, &mut kept);
        // The series' STATUS stays with the series: on an instance,
        // CANCELLED would cancel it.
        let names = self.unmapped(ev, &[], &["STATUS"], &mut kept);
        self.finish_message(ev, &mut m, kept, &names);
        self.push(m, out, ev.line());
    }

    fn map_recurrence(
        &mut self,
        ev: &Component,
        t: &Times,
    ) -> Result<(RecurrencePattern, Option<NaiveDateTime>), (u32, String)> {
        let rules: Vec<&Property> = ev
            .properties_named("RRULE")
            .chain(ev.properties_named("X-MICROSOFT-RRULE"))
            .collect();
        let line = rules.first().map_or(ev.line(), |p| p.line());
        if ev.property("EXRULE").is_some() {
            return Err((line_of(ev, "EXRULE"), "EXRULE has no Outlook form".into()));
        }
        let r = match rules.as_slice() {
            [] => {
                return Err((
                    line_of(ev, "RDATE"),
                    "RDATE without RRULE has no Outlook form".into(),
                ));
            }
            [one] => one,
            _ => return Err((line, "several RRULEs have no Outlook form".into())),
        };
        let recur = match r.value() {
            Some(Value::Recur(rr)) => (**rr).clone(),
            _ => {
                let text = prop_text(r);
                oxpim_contentline::value::recur::parse_recur(&text)
                    .map(|(rr, _)| rr)
                    .map_err(|e| (line, format!("RRULE could not be read: {e}")))?
            }
        };
        let mut cal_type = if r.is("X-MICROSOFT-RRULE") {
            self.calendar_type
        } else {
            0
        };
        if cal_type > 2 && cal_type != 6 {
            return Err((
                line,
                format!(
                    "calendar type {cal_type} (X-MICROSOFT-CALSCALE) cannot be computed by oxpim"
                ),
            ));
        }
        if cal_type == 6 {
            cal_type = 0;
            if !matches!(
                recur.freq,
                oxpim_contentline::Frequency::Daily | oxpim_contentline::Frequency::Weekly
            ) {
                return Err((
                    line,
                    "Hijri monthly and yearly patterns cannot be computed by oxpim".into(),
                ));
            }
        }
        let series = Series {
            start: t.start_local,
            all_day: t.all_day,
            zone: &t.zone.zone,
            legacy_until: self.legacy_until,
            calendar_type: cal_type,
            max_counted: self.imp.options.max_counted,
        };
        match pattern::from_rrule(&recur, &series) {
            Ok(p) => Ok((p, None)),
            Err(e) if e.dtstart_not_instance => {
                let Some(first) = pattern::first_rule_instance(&recur, &series) else {
                    return Err((line, "the rule gives no instance besides DTSTART".into()));
                };
                let mut rest = recur.clone();
                if let Some(c) = rest.count {
                    // COUNT counted DTSTART.
                    if c <= 1 {
                        return Err((line, "COUNT=1 with a DTSTART the rule does not give".into()));
                    }
                    rest.count = Some(c - 1);
                }
                let shifted = Series {
                    start: first,
                    ..series
                };
                pattern::from_rrule(&rest, &shifted)
                    .map(|p| (p, Some(first)))
                    .map_err(|e| (line, e.reason))
            }
            Err(e) => Err((line, e.reason)),
        }
    }

    /// The wall-clock time of a UTC instant in the series' zone.
    fn local_in(t: &Times, utc: NaiveDateTime) -> NaiveDateTime {
        if t.all_day {
            // Floating all-day series: wall time in the floating zone.
            t.zone.zone.to_local(utc)
        } else {
            t.zone.zone.to_local(utc)
        }
    }

    fn minutes_of(l: NaiveDateTime) -> u32 {
        minutes_from_datetime(l).unwrap_or(0)
    }

    #[allow(clippy::too_many_lines)]
    fn recurring_mapped(
        &mut self,
        uid: &str,
        ev: &'c Component,
        overrides: &[&'c Component],
        t: &Times,
        mut p: RecurrencePattern,
        out: &mut Imported,
    ) -> Result<(), (u32, String)> {
        let start_offset = t.start_local.num_seconds_from_midnight() / 60;
        let minutes = if t.all_day {
            ((t.end - t.start).num_days().max(1)) * 1440
        } else {
            t.minutes()
        };
        let end_offset = start_offset.saturating_add(u32::try_from(minutes.max(0)).unwrap_or(0));
        // Which of the dates EXDATE, RDATE and RECURRENCE-ID name are
        // instances: the pattern is walked once, up to the last of them.
        let mut candidates: Vec<NaiveDate> = Vec::new();
        for name in ["EXDATE", "X-MICROSOFT-EXDATE", "RDATE"] {
            for xp in ev.properties_named(name) {
                for v in xp.values().as_slice() {
                    match v {
                        Value::Date(d) => candidates.push(*d),
                        Value::DateTime(dt) => {
                            if let Some(u) = self.zones.to_utc(dt) {
                                candidates.push(Self::local_in(t, u).date());
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        for o in overrides {
            if let Some((local, utc)) = recurrence_id(o).and_then(|rp| self.recurrence_id_local(rp))
            {
                candidates.push(local.date());
                candidates.push(Self::local_in(t, utc).date());
            }
        }
        candidates.sort();
        candidates.dedup();
        // Each candidate is looked up with a walk that steps over the
        // pattern's periods before it, so a far date costs no more than a
        // near one.
        let mut members = Vec::with_capacity(candidates.len());
        for c in &candidates {
            let mut member = false;
            let walked = p.walk(Skip::before(*c), &mut |_, d| {
                member |= d == *c;
                d < *c
            });
            if let Err(e) = walked {
                return Err((line_of(ev, "RRULE"), e));
            }
            if member {
                members.push(*c);
            }
        }
        let is_instance = |d: NaiveDate| members.binary_search(&d).is_ok();
        // EXDATE: instance dates removed.
        let mut deleted: Vec<NaiveDate> = Vec::new();
        for xp in ev
            .properties_named("EXDATE")
            .chain(ev.properties_named("X-MICROSOFT-EXDATE"))
        {
            for v in xp.values().as_slice().iter() {
                let local = match v {
                    Value::Date(d) => Some(*d),
                    Value::DateTime(dt) => {
                        self.zones.to_utc(dt).map(|u| Self::local_in(t, u).date())
                    }
                    _ => None,
                };
                match local {
                    Some(d) if is_instance(d) => deleted.push(d),
                    Some(d) => self.warn(
                        xp.line(),
                        format!("EXDATE {d} is not an instance of the series; ignored"),
                    ),
                    None => self.warn(xp.line(), "EXDATE value could not be read; ignored"),
                }
            }
        }
        // RDATE: moves of excluded instances (MS-OXCICAL 2.1.3.1.1.20.18).
        let mut moves: Vec<(NaiveDateTime, NaiveDate)> = Vec::new();
        for rp in ev.properties_named("RDATE") {
            for v in rp.values().as_slice().iter() {
                let local = match v {
                    Value::Date(d) => Some(d.and_time(t.start_local.time())),
                    Value::DateTime(dt) => self.zones.to_utc(dt).map(|u| Self::local_in(t, u)),
                    _ => None,
                };
                let Some(l) = local else {
                    return Err((rp.line(), "RDATE;VALUE=PERIOD has no Outlook form".into()));
                };
                if is_instance(l.date())
                    && !deleted.contains(&l.date())
                    && l.time() == t.start_local.time()
                {
                    continue; // already an instance
                }
                moves.push((l, l.date()));
            }
        }
        moves.sort();
        let mut pairs: Vec<(NaiveDateTime, NaiveDate)> = Vec::new(); // (new start, original date)
        for (new, _) in &moves {
            let free: Vec<NaiveDate> = deleted
                .iter()
                .copied()
                .filter(|d| !pairs.iter().any(|(_, o)| o == d))
                .collect();
            let best = free
                .into_iter()
                .min_by_key(|d| (new.date() - *d).num_days().abs());
            match best {
                Some(o) => pairs.push((*new, o)),
                None => {
                    return Err((
                        line_of(ev, "RDATE"),
                        "an RDATE that is not a moved EXDATE instance has no Outlook form".into(),
                    ));
                }
            }
        }
        // The master message.
        let mut m = self.base(uid, ev, Role::Master, t, None);
        let next = self.next_instance(&p, &deleted, t, start_offset);
        let mut kept = Vec::new();
        self.run_rules(ev, &mut m, Role::Master, t, None, next, &mut kept);
        // Exceptions.
        let cp = m.properties.codepage();
        let mut exceptions: Vec<Exception> = Vec::new();
        let mut modified: Vec<NaiveDate> = Vec::new();
        let mut exc_kept: Vec<u8> = Vec::new();
        for (new, orig) in &pairs {
            let orig_local = orig.and_time(t.start_local.time());
            deleted.push(*orig);
            modified.push(new.date());
            let dur = i64::from(end_offset - start_offset);
            exceptions.push(Exception {
                info: ExceptionInfo {
                    start: Self::minutes_of(*new),
                    end: Self::minutes_of(*new + TimeDelta::minutes(dur)),
                    original_start: Self::minutes_of(orig_local),
                    ..Default::default()
                },
                extended: ExtendedException::default(),
            });
        }
        for o in overrides {
            let Some(rp) = recurrence_id(o) else { continue };
            if super::this_and_future(rp) {
                self.warn(
                    rp.line(),
                    "RANGE=THISANDFUTURE has no Outlook form: only this instance is changed in Outlook (the VEVENT is kept for export)",
                );
                write_component_into(o, &WriteOptions::canonical(), &mut exc_kept);
            }
            let Some((_, orig_utc)) = self.recurrence_id_local(rp) else {
                self.warn(
                    rp.line(),
                    "RECURRENCE-ID could not be read; converted as its own appointment",
                );
                if let Some(msg) = self.single(uid, o, Role::Orphan) {
                    self.push(msg, out, o.line());
                }
                continue;
            };
            let orig_local = if t.all_day {
                match rp.value() {
                    Some(Value::Date(d)) => d.and_time(NaiveTime::MIN),
                    // A DATE-TIME for a DATE series (Google writes UTC
                    // midnight of the day): the day as written, not as
                    // seen from the floating zone, which may be another.
                    Some(Value::DateTime(dt)) => dt.local.date().and_time(NaiveTime::MIN),
                    _ => Self::local_in(t, orig_utc),
                }
            } else {
                Self::local_in(t, orig_utc)
            };
            let cancelled = o
                .text("STATUS")
                .is_some_and(|s| s.eq_ignore_ascii_case("CANCELLED"));
            if cancelled && is_instance(orig_local.date()) {
                // A cancelled instance is a deleted one, whether or not an
                // EXDATE deletes it too (oxpim's own export writes both, as
                // do other clients).
                if !deleted.contains(&orig_local.date()) {
                    deleted.push(orig_local.date());
                }
                write_component_into(o, &WriteOptions::canonical(), &mut exc_kept);
                continue;
            }
            if !is_instance(orig_local.date()) || deleted.contains(&orig_local.date()) {
                self.warn(
                    rp.line(),
                    format!("RECURRENCE-ID {} is not an instance of the series; converted as its own appointment", orig_local.date()),
                );
                if let Some(msg) = self.single(uid, o, Role::Orphan) {
                    self.push(msg, out, o.line());
                }
                continue;
            }
            let Some(et) = self.times(o) else { continue };
            let mut em = self.base(uid, o, Role::Exception, &et, Some(&m));
            let enext = (et.start >= self.now).then_some(et.start);
            let mut ekept = Vec::new();
            self.run_rules(
                o,
                &mut em,
                Role::Exception,
                &et,
                Some(&m),
                enext,
                &mut ekept,
            );
            let names = self.unmapped(o, &[], &[], &mut ekept);
            let saved_calendar = self.calendar_kept.take();
            self.finish_message(o, &mut em, ekept, &names);
            self.calendar_kept = saved_calendar;
            let new_start = Self::local_in(t, et.start);
            let new_end = Self::local_in(t, et.end);
            let (info, extended) = exception_info(
                &m,
                &em,
                cp,
                Self::minutes_of(new_start),
                Self::minutes_of(new_end),
                Self::minutes_of(orig_local),
            );
            if info.flags.has(OverrideFlags::EXCEPTIONAL_BODY) {
                let _ = em.properties.set(&props::PID_LID_F_EXCEPTIONAL_BODY, true);
            }
            deleted.push(orig_local.date());
            modified.push(new_start.date());
            exceptions.push(Exception { info, extended });
            let subject = em
                .properties
                .str(&props::PID_TAG_SUBJECT)
                .unwrap_or_default()
                .to_owned();
            let mut a = Attachment::embedded(em);
            let ap = &mut a.properties;
            let lt = |l: NaiveDateTime| PropValue::Time(filetime(l).unwrap_or(FileTime(0)));
            ap.insert(props::PID_TAG_RENDERING_POSITION.key(), PropValue::I32(-1));
            ap.insert(
                props::PID_TAG_DISPLAY_NAME.key(),
                PropValue::String(subject.into()),
            );
            ap.insert(props::PID_TAG_EXCEPTION_START_TIME.key(), lt(new_start));
            ap.insert(props::PID_TAG_EXCEPTION_END_TIME.key(), lt(new_end));
            ap.insert(
                props::PID_TAG_EXCEPTION_REPLACE_TIME.key(),
                PropValue::Time(filetime(orig_utc).unwrap_or(FileTime(0))),
            );
            ap.insert(
                props::PID_TAG_ATTACH_ENCODING.key(),
                PropValue::Binary(Vec::new().into()),
            );
            ap.insert(props::PID_TAG_ATTACHMENT_FLAGS.key(), PropValue::I32(0x2));
            ap.insert(props::PID_TAG_ATTACHMENT_LINK_ID.key(), PropValue::I32(0));
            ap.insert(props::PID_TAG_ATTACH_FLAGS.key(), PropValue::I32(0));
            ap.insert(
                props::PID_TAG_ATTACHMENT_HIDDEN.key(),
                PropValue::Bool(true),
            );
            ap.insert(
                props::PID_TAG_ATTACHMENT_CONTACT_PHOTO.key(),
                PropValue::Bool(false),
            );
            m.attachments.push(a);
        }
        deleted.sort();
        deleted.dedup();
        modified.sort();
        if modified.windows(2).any(|w| w.first() == w.get(1)) {
            self.warn(
                ev.line(),
                "two changed instances fall on one day, which Outlook does not allow",
            );
        }
        exceptions.sort_by_key(|e| e.info.start);
        p.deleted = deleted
            .iter()
            .filter_map(|d| minutes_from_date(*d))
            .collect();
        p.modified = modified
            .iter()
            .filter_map(|d| minutes_from_date(*d))
            .collect();
        let blob = AppointmentRecurrencePattern {
            pattern: p.clone(),
            reader_version2: 0x3006,
            writer_version2: 0x3009,
            start_time_offset: start_offset,
            end_time_offset: end_offset,
            exceptions,
            reserved1: Vec::new(),
            reserved2: Vec::new(),
            trailing: Vec::new(),
        };
        let mp = &mut m.properties;
        let _ = mp.set(&props::PID_LID_APPOINTMENT_RECUR, blob.encode());
        let rectype = match p.frequency {
            RecurFrequency::DAILY => 1,
            RecurFrequency::WEEKLY => 2,
            RecurFrequency::MONTHLY => 3,
            RecurFrequency::YEARLY => 4,
            _ => 0,
        };
        let _ = mp.set(&props::PID_LID_RECURRENCE_TYPE, rectype);
        let _ = mp.set(
            &props::PID_LID_RECURRENCE_PATTERN,
            pattern::describe(&p, start_offset, end_offset),
        );
        let _ = mp.set(&props::PID_LID_TIME_ZONE_STRUCT, t.zone.tz_struct());
        let _ = mp.set(&props::PID_LID_TIME_ZONE_DESCRIPTION, t.zone.description());
        let _ = mp.set(
            &props::PID_LID_APPOINTMENT_TIME_ZONE_DEFINITION_RECUR,
            t.zone.recur_definition(),
        );
        let midnight_utc = |m: u32| t.zone.zone.to_utc(crate::blob::datetime_from_minutes(m));
        let clip_start = filetime(midnight_utc(p.start_date)).unwrap_or(FileTime(0));
        let clip_end = if p.end_type.is_never() {
            FileTime(CLIP_END_NEVER)
        } else {
            filetime(midnight_utc(p.end_date)).unwrap_or(FileTime(CLIP_END_NEVER))
        };
        let _ = mp.set(&props::PID_LID_CLIP_START, clip_start);
        let _ = mp.set(&props::PID_LID_CLIP_END, clip_end);
        if !m.attachments.is_empty() {
            let _ = m.properties.set(&props::PID_TAG_HAS_ATTACHMENTS, true);
        }
        let names = self.unmapped(ev, &[], &[], &mut kept);
        self.finish_message(ev, &mut m, kept, &names);
        if !exc_kept.is_empty() && self.imp.options.keep_unmapped {
            m.properties.insert(
                exceptions_property(),
                PropValue::String(utf8_or_lossy(exc_kept).into()),
            );
        }
        self.push(m, out, ev.line());
        Ok(())
    }

    /// The start (UTC) of the first instance at or after "now", looking at
    /// most `ImportOptions::max_counted` instances ahead.
    fn next_instance(
        &self,
        p: &RecurrencePattern,
        deleted: &[NaiveDate],
        t: &Times,
        offset: u32,
    ) -> Option<NaiveDateTime> {
        let mut found = None;
        let max_counted = self.imp.options.max_counted;
        // Dates before "now" (less a day for zones) cannot be the next one:
        // the walk steps over them.
        let now_day = self.now.date().pred_opt().unwrap_or(self.now.date());
        let skip = Skip {
            before: Some(now_day),
            below: max_counted,
        };
        let _ = p.walk(skip, &mut |i, d| {
            if i >= max_counted {
                return false;
            }
            if d >= now_day && !deleted.contains(&d) {
                let u = t
                    .zone
                    .zone
                    .to_utc(d.and_time(NaiveTime::MIN) + TimeDelta::minutes(i64::from(offset)));
                if u >= self.now {
                    found = Some(u);
                    return false;
                }
            }
            i + 1 < max_counted
        });
        found
    }

    #[allow(clippy::too_many_arguments)]
    fn fallback(
        &mut self,
        uid: &str,
        ev: &'c Component,
        overrides: &[&'c Component],
        t: &Times,
        line: u32,
        why: &str,
        out: &mut Imported,
    ) {
        let policy = self.imp.options.unrepresentable;
        let what = match policy {
            Unrepresentable::FirstInstance => "imported as its first instance",
            Unrepresentable::Expand => "imported as one appointment per instance",
            Unrepresentable::Reject => "not imported",
        };
        let sev = if policy == Unrepresentable::Reject {
            Severity::Error
        } else {
            Severity::Warning
        };
        // Rejected, there is no message to keep the rule in.
        let kept = if policy == Unrepresentable::Reject {
            ""
        } else {
            "; the rule is kept for export"
        };
        self.diags.push(diag(
            line,
            sev,
            format!("recurrence not representable in Outlook ({why}); {what}{kept}"),
        ));
        match policy {
            Unrepresentable::Reject => {}
            Unrepresentable::FirstInstance => {
                let mut m = self.base(uid, ev, Role::Single, t, None);
                let next = (t.start >= self.now).then_some(t.start);
                let mut kept = Vec::new();
                self.run_rules(ev, &mut m, Role::Single, t, None, next, &mut kept);
                let names = self.unmapped(
                    ev,
                    &[
                        "RRULE",
                        "RDATE",
                        "EXDATE",
                        "EXRULE",
                        "X-MICROSOFT-RRULE",
                        "X-MICROSOFT-EXDATE",
                    ],
                    &[],
                    &mut kept,
                );
                let mut exc: Vec<u8> = Vec::new();
                for o in overrides {
                    write_component_into(o, &WriteOptions::canonical(), &mut exc);
                }
                self.add_referenced_zones(&mut exc);
                let names: Vec<String> = names
                    .into_iter()
                    .filter(|n| {
                        ![
                            "RRULE",
                            "RDATE",
                            "EXDATE",
                            "EXRULE",
                            "X-MICROSOFT-RRULE",
                            "X-MICROSOFT-EXDATE",
                        ]
                        .contains(&n.as_str())
                    })
                    .collect();
                self.finish_message(ev, &mut m, kept, &names);
                if !exc.is_empty() && self.imp.options.keep_unmapped {
                    m.properties.insert(
                        exceptions_property(),
                        PropValue::String(utf8_or_lossy(exc).into()),
                    );
                }
                self.push(m, out, ev.line());
            }
            Unrepresentable::Expand => self.expand_fallback(uid, ev, overrides, t, out),
        }
    }

    fn expand_fallback(
        &mut self,
        uid: &str,
        ev: &'c Component,
        overrides: &[&'c Component],
        t: &Times,
        out: &mut Imported,
    ) {
        let mut cal = Component::new("VCALENDAR", Dialect::ICalendar);
        cal.properties = self.cal.properties.clone();
        cal.components = self.cal.children("VTIMEZONE").cloned().collect();
        cal.components.push(ev.clone());
        cal.components
            .extend(overrides.iter().map(|o| (*o).clone()));
        let max = self.imp.options.max_expanded;
        let exp = Expander::new(ExpandOptions {
            max_instances: max,
            ..ExpandOptions::default()
        })
        .expand_calendar(&cal);
        if exp.instances.len() >= max {
            self.warn(
                ev.line(),
                format!("only the first {max} instances are imported"),
            );
        }
        let mut base = self.base(uid, ev, Role::Orphan, t, None);
        let mut kept = Vec::new();
        self.run_rules(ev, &mut base, Role::Orphan, t, None, None, &mut kept);
        let floating = self.zones.floating.zone.clone();
        let to_utc = |m: Moment| match m {
            Moment::Utc(u) => u,
            Moment::Floating(f) => floating.to_utc(f),
            Moment::Date(d) => floating.to_utc(d.and_time(NaiveTime::MIN)),
        };
        for i in exp.instances.iter().take(max) {
            if i.overridden {
                let found = overrides.iter().find(|o| {
                    recurrence_id(o)
                        .and_then(|rp| self.recurrence_id_local(rp))
                        .map(|(_, u)| {
                            Some(Moment::Utc(u)) == i.recurrence_id
                                || i.recurrence_id.map(to_utc) == Some(u)
                        })
                        .unwrap_or(false)
                });
                if let Some(o) = found
                    && let Some(msg) = self.single(uid, o, Role::Orphan)
                {
                    self.push(msg, out, o.line());
                }
                continue;
            }
            let (s, e) = (to_utc(i.start), to_utc(i.end));
            let mut m = base.clone();
            let ft = |x: NaiveDateTime| PropValue::Time(filetime(x).unwrap_or(FileTime(0)));
            for (def, v) in [
                (&props::PID_LID_APPOINTMENT_START_WHOLE, s),
                (&props::PID_LID_APPOINTMENT_END_WHOLE, e),
                (&props::PID_TAG_START_DATE, s),
                (&props::PID_TAG_END_DATE, e),
                (&props::PID_LID_COMMON_START, s),
                (&props::PID_LID_COMMON_END, e),
                (&props::PID_LID_CLIP_START, s),
                (&props::PID_LID_CLIP_END, e),
                (
                    &props::PID_LID_EXCEPTION_REPLACE_TIME,
                    i.recurrence_id.map_or(s, to_utc),
                ),
            ] {
                m.properties.insert(def.key(), ft(v));
            }
            let local = t.zone.zone.to_local(i.recurrence_id.map_or(s, to_utc));
            let goid = GlobalObjectId::from_uid(uid).for_instance(local.date());
            m.properties.insert(
                props::PID_LID_GLOBAL_OBJECT_ID.key(),
                PropValue::Binary(goid.encode().into()),
            );
            if let Some(PropValue::Bool(true)) =
                m.properties.get(&props::PID_LID_REMINDER_SET.key())
            {
                if s < self.now {
                    m.properties
                        .insert(props::PID_LID_REMINDER_SET.key(), PropValue::Bool(false));
                } else if let Some(delta) = m.properties.i32(&props::PID_LID_REMINDER_DELTA) {
                    m.properties
                        .insert(props::PID_LID_REMINDER_TIME.key(), ft(s));
                    m.properties.insert(
                        props::PID_LID_REMINDER_SIGNAL_TIME.key(),
                        ft(s - TimeDelta::minutes(i64::from(delta))),
                    );
                }
            }
            self.push(m, out, ev.line());
        }
    }
}

/// ExceptionInfo and ExtendedException of an exception message compared
/// with its master.
fn exception_info(
    master: &Message,
    exc: &Message,
    cp: u32,
    start: u32,
    end: u32,
    original: u32,
) -> (ExceptionInfo, ExtendedException) {
    let mp = &master.properties;
    let ep = &exc.properties;
    let mut info = ExceptionInfo {
        start,
        end,
        original_start: original,
        ..Default::default()
    };
    let mut ext = ExtendedException {
        change_highlight: Some(Default::default()),
        ..Default::default()
    };
    let mut flags = 0u16;
    let differs =
        |def: &props::PropDef| ep.get_def(def).is_some() && ep.get_def(def) != mp.get_def(def);
    if differs(&props::PID_TAG_SUBJECT) {
        flags |= OverrideFlags::SUBJECT;
        let s = ep.str(&props::PID_TAG_SUBJECT).unwrap_or_default();
        info.subject = Some(codepage::encode(s, cp));
        ext.subject = Some(s.to_owned());
    }
    if differs(&props::PID_LID_APPOINTMENT_STATE_FLAGS) {
        flags |= OverrideFlags::MEETING_TYPE;
        info.meeting_type = ep
            .i32(&props::PID_LID_APPOINTMENT_STATE_FLAGS)
            .map(|v| v as u32);
    }
    if differs(&props::PID_LID_REMINDER_DELTA) {
        flags |= OverrideFlags::REMINDER_DELTA;
        info.reminder_delta = ep.i32(&props::PID_LID_REMINDER_DELTA).map(|v| v as u32);
    }
    if differs(&props::PID_LID_REMINDER_SET) {
        flags |= OverrideFlags::REMINDER;
        info.reminder_set = ep.bool(&props::PID_LID_REMINDER_SET).map(u32::from);
    }
    if differs(&props::PID_LID_LOCATION)
        || (ep.get_def(&props::PID_LID_LOCATION).is_none()
            && mp.get_def(&props::PID_LID_LOCATION).is_some())
    {
        flags |= OverrideFlags::LOCATION;
        let s = ep.str(&props::PID_LID_LOCATION).unwrap_or_default();
        info.location = Some(codepage::encode(s, cp));
        ext.location = Some(s.to_owned());
    }
    if differs(&props::PID_LID_BUSY_STATUS) {
        flags |= OverrideFlags::BUSY_STATUS;
        info.busy_status = ep.i32(&props::PID_LID_BUSY_STATUS).map(|v| v as u32);
    }
    if !exc.attachments.is_empty() {
        flags |= OverrideFlags::ATTACHMENT;
        info.attachment = Some(1);
    }
    if differs(&props::PID_LID_APPOINTMENT_SUB_TYPE) {
        flags |= OverrideFlags::SUB_TYPE;
        info.sub_type = ep.bool(&props::PID_LID_APPOINTMENT_SUB_TYPE).map(u32::from);
    }
    if ep.get_def(&props::PID_TAG_BODY) != mp.get_def(&props::PID_TAG_BODY) {
        flags |= OverrideFlags::EXCEPTIONAL_BODY;
    }
    info.flags = OverrideFlags(flags);
    (info, ext)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Messages in one zone share its encoded blobs and name; another zone
    /// has its own, and each message's blobs are that zone's encoding.
    #[test]
    fn messages_in_one_zone_share_its_blobs() {
        use crate::ical::{ImportOptions, Importer};
        let event = |uid: &str, tzid: &str| {
            format!(
                "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART;TZID={tzid}:20250101T100000\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\n"
            )
        };
        let text = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{}{}{}END:VCALENDAR\r\n",
            event("a", "Europe/Berlin"),
            event("b", "Europe/Berlin"),
            event("c", "America/New_York")
        );
        let doc = oxpim_contentline::parse(text.as_bytes()).document;
        let out = Importer::new(ImportOptions::default()).import(&doc);
        let [a, b, c] = &out.messages[..] else {
            panic!("{} messages", out.messages.len());
        };
        let bin = |m: &Message, def: &props::PropDef| match m.properties.get_def(def) {
            Some(PropValue::Binary(x)) => x.clone(),
            other => panic!("{other:?}"),
        };
        for def in [
            &props::PID_LID_APPOINTMENT_TIME_ZONE_DEFINITION_START_DISPLAY,
            &props::PID_LID_APPOINTMENT_TIME_ZONE_DEFINITION_RECUR,
            &props::PID_LID_TIME_ZONE_STRUCT,
        ] {
            let (x, y, z) = (bin(a, def), bin(b, def), bin(c, def));
            assert!(x.is_shared() && x == y && std::ptr::eq(x.as_slice(), y.as_slice()));
            assert_ne!(x, z, "{}", def.name);
        }
        let berlin = crate::blob::tz::TimeZoneDefinition::decode(&bin(
            a,
            &props::PID_LID_APPOINTMENT_TIME_ZONE_DEFINITION_RECUR,
        ))
        .unwrap();
        assert_eq!(berlin.key_name, "Europe/Berlin");
        assert_eq!(
            a.properties.str(&props::PID_LID_TIME_ZONE_DESCRIPTION),
            Some("Europe/Berlin")
        );
    }

    #[test]
    fn legacy_prodid() {
        assert!(legacy_outlook(
            "-//Microsoft Corporation//Outlook 11.0 MIMEDIR//EN"
        ));
        assert!(!legacy_outlook(
            "-//Microsoft Corporation//Outlook 12.0 MIMEDIR//EN"
        ));
        assert!(!legacy_outlook(
            "-//Google Inc//Google Calendar 70.9054//EN"
        ));
        assert!(!legacy_outlook(
            "-//Microsoft Corporation//Outlook 123.0 MIMEDIR//EN"
        ));
    }

    #[test]
    fn clip_end_constant() {
        let t = FileTime(CLIP_END_NEVER).to_datetime().unwrap();
        assert_eq!(t.to_rfc3339(), "4500-08-31T23:59:00+00:00");
    }
}
