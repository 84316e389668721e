//! iCalendar ⇄ Outlook appointments and meetings, as [MS-OXCICAL] and
//! [MS-OXOCAL] describe them.
//!
//! [`Importer`] turns the VEVENTs of a calendar into MAPI [`Message`]s (one
//! per series: a recurring master carries its exceptions as embedded
//! messages), and [`Exporter`] turns such messages back into a VCALENDAR.
//!
//! The structural work (times and time zones, UID ⇄ global object ID,
//! message class, recurrence and exceptions) is done here; every other
//! property is mapped by an [`EventRule`] held in a [`Registry`]. The
//! default registry holds the MS-OXCICAL rules; a caller adds or replaces
//! rules (for its own `X-` properties, say) without touching this crate:
//!
//! ```
//! use oxpim_mapi::ical::{DirectRule, ExportOptions, Exporter, ImportOptions, Importer, Registry, ValueKind};
//! use oxpim_mapi::{NamedProperty, sets};
//!
//! let project = NamedProperty::string(sets::PS_PUBLIC_STRINGS, "x-acme-project");
//! let registry = Registry::default().with(DirectRule::new("X-ACME-PROJECT", project.clone(), ValueKind::Text));
//! let ics = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\nUID:1@x\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250102T100000Z\r\nSUMMARY:Plan\r\nX-ACME-PROJECT:Apollo\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
//! let doc = oxpim_contentline::parse(ics).document;
//! let imported = Importer::new(ImportOptions::default()).with_registry(registry.clone()).import(&doc);
//! let m = &imported.messages[0];
//! assert_eq!(m.properties.get(&project.into()).and_then(|v| v.as_str()), Some("Apollo"));
//! let back = Exporter::new(ExportOptions::default()).with_registry(registry).export(&imported.messages);
//! let event = &back.document.components[0].components[0];
//! assert_eq!(event.text("X-ACME-PROJECT"), Some("Apollo"));
//! ```
//!
//! [MS-OXCICAL]: https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxcical/
//! [MS-OXOCAL]: https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxocal/

mod alarm;
mod attach;
mod export;
mod import;
pub mod pattern;
pub(crate) mod people;
mod rules;
pub mod zones;

use std::fmt;
use std::sync::Arc;

use chrono::NaiveDateTime;
use oxpim_contentline::{Code, Component, Diagnostic, Document, Severity};
use oxpim_recur::{ResolverChain, TimeZone, ZoneResolver};

use crate::message::Message;
use crate::named::NamedProperty;
use crate::props::PropDef;
use crate::types::{FileTime, Guid};
use crate::value::PropValue;

pub use import::{made_up_uid, too_many_messages};
pub use rules::{DirectRule, ValueKind};

/// oxpim's own property set: what MS-OXCICAL does not map but oxpim keeps,
/// so that a message exports back to the iCalendar it came from.
pub const PSETID_OXPIM: Guid = Guid(0x6F78_7069_6D00_4E2E_A1C0_0000_0000_0001);

/// The iCalendar properties and components of a VEVENT that no rule maps
/// (GEO, URL, RELATED-TO, extra VALARMs, X- properties…), as content
/// lines. Outlook ignores it; [`Exporter`] writes its lines back.
pub fn unmapped_property() -> NamedProperty {
    NamedProperty::string(PSETID_OXPIM, "ical-unmapped")
}

/// Parameters of mapped VEVENT properties that Outlook has no property for
/// (a DESCRIPTION's ALTREP, a CATEGORIES' LANGUAGE, X- parameters…): for
/// the first line of each name, its parameters as a content line with an
/// empty value. [`Exporter`] adds each to the line of that name it writes,
/// where that line does not have it; ORGANIZER and ATTENDEE keep theirs on
/// their recipient rows.
pub fn line_params_property() -> NamedProperty {
    NamedProperty::string(PSETID_OXPIM, "ical-line-params")
}

/// Parameters never kept by [`line_params_property`]: they describe how a
/// value is written (VALUE, ENCODING, CHARSET) or its zone (TZID), which
/// export decides.
pub(crate) const UNKEPT_PARAMS: [&str; 4] = ["VALUE", "TZID", "ENCODING", "CHARSET"];

/// Parameters the default rules write from Outlook's own properties: a
/// kept one does not replace or revive them.
pub(crate) const OUTLOOK_PARAMS: [(&str, &str); 7] = [
    ("SUMMARY", "LANGUAGE"),
    ("LOCATION", "ALTREP"),
    ("X-ALT-DESC", "FMTTYPE"),
    ("ATTACH", "FMTTYPE"),
    ("ATTACH", "X-FILENAME"),
    ("ATTACH", "FILENAME"),
    ("RECURRENCE-ID", "RANGE"),
];

/// True when the default rules write parameter `param` of `name` from
/// Outlook's properties (see [`OUTLOOK_PARAMS`]).
pub(crate) fn outlook_param(name: &str, param: &str) -> bool {
    OUTLOOK_PARAMS
        .iter()
        .any(|(n, p)| name.eq_ignore_ascii_case(n) && param.eq_ignore_ascii_case(p))
}

/// Start of the value of a kept parameter line that records its line's
/// value (see [`value_fingerprint`]).
const FINGERPRINT: &str = "oxpim-fp:";

/// For a TEXT line whose parameters describe its text (a DESCRIPTION's
/// ALTREP, a SUMMARY's LANGUAGE, a CONTACT's ALTREP…), a fingerprint of
/// the text: kept parameters are written back only onto a line whose
/// fingerprint is the same, so a text replaced in Outlook does not take the
/// old one's parameters. White space is left out (bodies come back with
/// other line breaks). None for other value types, whose written form
/// export decides (a DTSTART in another zone), and for CATEGORIES and
/// RESOURCES, whose lines MS-OXCICAL merges into one list.
pub(crate) fn value_fingerprint(p: &oxpim_contentline::Property) -> Option<String> {
    if *p.value_type() != oxpim_contentline::ValueType::Text
        || p.is("CATEGORIES")
        || p.is("RESOURCES")
    {
        return None;
    }
    // FNV-1a over the characters that are not white space, values
    // separated by a comma (as the line writes them).
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    let mut eat = |b: u8| h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3);
    for (i, v) in p.values().as_slice().iter().enumerate() {
        if i > 0 {
            eat(b',');
        }
        let mut utf8 = [0u8; 4];
        for c in v
            .as_str()
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_whitespace())
        {
            for b in c.encode_utf8(&mut utf8).bytes() {
                eat(b);
            }
        }
    }
    Some(format!("{FINGERPRINT}{h:016x}"))
}

/// True when the kept parameter line `kept` may go onto `line`: it records
/// no value, or the value it records is `line`'s.
pub(crate) fn kept_params_fit(
    kept: &oxpim_contentline::Property,
    line: &oxpim_contentline::Property,
) -> bool {
    match kept.as_text() {
        Some(v) if v.starts_with(FINGERPRINT) => value_fingerprint(line).as_deref() == Some(v),
        _ => true,
    }
}

/// True for a RECURRENCE-ID with `RANGE=THISANDFUTURE` (an override
/// Outlook holds as that instance only; import keeps its VEVENT, export
/// writes it in place of the instance's exception).
pub(crate) fn this_and_future(rid: &oxpim_contentline::Property) -> bool {
    rid.param("RANGE")
        .is_some_and(|r| r.eq_ignore_ascii_case("THISANDFUTURE"))
}

/// The VEVENT of kept text (content lines of one VEVENT's properties and
/// components, as the import wrote them), read back.
pub(crate) fn kept_event(text: &str) -> Option<Component> {
    let wrapped = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n{text}END:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    oxpim_contentline::Parser::new()
        .parse(wrapped.as_bytes())
        .document
        .components
        .into_iter()
        .next()
        .and_then(|c| c.components.into_iter().next())
}

/// The kept parameter lines of a message ([`line_params_property`]).
pub(crate) fn kept_line_params(m: &Message) -> Vec<oxpim_contentline::Property> {
    m.properties
        .get(&line_params_property().into())
        .and_then(PropValue::as_str)
        .and_then(kept_event)
        .map(|ev| ev.properties)
        .unwrap_or_default()
}

/// The VCALENDAR-level properties that no rule maps (X-WR-CALNAME…), as
/// content lines.
pub fn calendar_property() -> NamedProperty {
    NamedProperty::string(PSETID_OXPIM, "ical-calendar")
}

/// Set on messages whose iCalendar times were floating (no zone) and not
/// all-day: Outlook has no such appointments, so the times were read in the
/// floating zone; export writes them floating again.
pub fn floating_property() -> NamedProperty {
    NamedProperty::string(PSETID_OXPIM, "ical-floating")
}

/// The VTIMEZONEs of the message's start and end zones as the iCalendar
/// gave them. Export writes them back (and computes times with them) while
/// they still give the message's zone blobs: Windows rules change only on
/// 1 January, a VTIMEZONE at any time.
pub fn vtimezones_property() -> NamedProperty {
    NamedProperty::string(PSETID_OXPIM, "ical-vtimezones")
}

/// The class of embedded exception messages (MS-OXCICAL 2.1.3.1.1.20.20).
pub const EXCEPTION_CLASS: &str = "IPM.OLE.CLASS.{00061055-0000-0000-C000-000000000046}";

/// A METHOD (RFC 5546).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Method {
    /// No METHOD: a plain calendar.
    None,
    /// PUBLISH.
    Publish,
    /// REQUEST.
    Request,
    /// REPLY.
    Reply,
    /// ADD.
    Add,
    /// CANCEL.
    Cancel,
    /// REFRESH.
    Refresh,
    /// COUNTER.
    Counter,
    /// DECLINECOUNTER.
    DeclineCounter,
    /// Anything else, uppercase.
    Other(String),
}

impl Method {
    /// The METHOD named `s` (any case).
    pub fn parse(s: &str) -> Method {
        match s.trim().to_ascii_uppercase().as_str() {
            "" => Method::None,
            "PUBLISH" => Method::Publish,
            "REQUEST" => Method::Request,
            "REPLY" => Method::Reply,
            "ADD" => Method::Add,
            "CANCEL" => Method::Cancel,
            "REFRESH" => Method::Refresh,
            "COUNTER" => Method::Counter,
            "DECLINECOUNTER" => Method::DeclineCounter,
            other => Method::Other(other.to_owned()),
        }
    }

    /// The name, or `None` for [`Method::None`].
    pub fn name(&self) -> Option<&str> {
        Some(match self {
            Method::None => return None,
            Method::Publish => "PUBLISH",
            Method::Request => "REQUEST",
            Method::Reply => "REPLY",
            Method::Add => "ADD",
            Method::Cancel => "CANCEL",
            Method::Refresh => "REFRESH",
            Method::Counter => "COUNTER",
            Method::DeclineCounter => "DECLINECOUNTER",
            Method::Other(s) => s,
        })
    }

    /// True for REPLY and COUNTER, whose COMMENT is the body and whose
    /// DTSTAMP is the attendee's.
    pub fn is_response(&self) -> bool {
        matches!(self, Method::Reply | Method::Counter)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name().unwrap_or("(none)"))
    }
}

/// What the importer does with a recurrence that Outlook cannot represent
/// (MS-OXCICAL 2.1.3.2; see `docs/decisions.md`). Whatever is chosen, a
/// diagnostic says so, and the original rule, dates and exceptions are kept
/// in [`unmapped_property`], so that exporting the message gives back the
/// series as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unrepresentable {
    /// One appointment at the first instance (MS-OXCICAL's "graceful
    /// failure": no PidLidAppointmentRecur).
    #[default]
    FirstInstance,
    /// One appointment per instance, up to [`ImportOptions::max_expanded`]
    /// (the rest are dropped with a diagnostic).
    Expand,
    /// No message for the series; an error.
    Reject,
}

/// Options of an import.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOptions {
    /// The zone of floating times and all-day events ("the calendar
    /// owner's zone", which MS-OXCICAL takes from the system): a TZID,
    /// IANA or Windows name. `None`: the calendar's `X-WR-TIMEZONE`, else
    /// UTC. oxpim never reads the host's zone.
    pub floating_zone: Option<String>,
    /// The current time, for reminders (instances before it get none).
    /// `None`: the system clock.
    pub now: Option<NaiveDateTime>,
    /// The e-mail address of the mailbox owner, which decides whether a
    /// PUBLISHed meeting is the owner's own (organizer) or an invitation.
    pub user: Option<String>,
    /// Overrides the calendar's METHOD.
    pub method: Option<String>,
    /// What to do with recurrences Outlook cannot represent.
    pub unrepresentable: Unrepresentable,
    /// Most messages [`Unrepresentable::Expand`] makes of one series.
    pub max_expanded: usize,
    /// Most messages one import produces; further VEVENTs are dropped
    /// with an error.
    pub max_messages: usize,
    /// Keep what no rule maps in [`unmapped_property`] (default true).
    pub keep_unmapped: bool,
    /// Most diagnostics one import reports (default 1 000); one final
    /// `Truncated` error says there were more.
    pub max_diagnostics: usize,
    /// Most pattern instances counted for a COUNT or an UNTIL, and looked
    /// through for the next reminder (default [`pattern::MAX_COUNTED`]); a
    /// rule leaving more is unrepresentable.
    pub max_counted: usize,
    /// Most bytes of one inline ATTACH (default 64 MiB); a larger one is
    /// dropped with an error.
    pub max_attachment_bytes: usize,
    /// Threads that convert the series of one calendar (default 1: the
    /// calling thread only; 0: as many as the machine runs at once, see
    /// [`std::thread::available_parallelism`]). The messages, their order
    /// and the diagnostics are the same whatever the number, as long as the
    /// registered rules and zone resolver give the same answer to the same
    /// question (the default ones do; one that counts calls does not). A
    /// calendar gets at most one thread per 8 series and at most 64; the
    /// threads are scoped to the call and have ended when it returns.
    pub threads: usize,
}

impl ImportOptions {
    /// The threads [`ImportOptions::threads`] asks for, 0 resolved.
    pub fn thread_count(&self) -> usize {
        match self.threads {
            0 => std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            n => n,
        }
    }
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            floating_zone: None,
            now: None,
            user: None,
            method: None,
            unrepresentable: Unrepresentable::FirstInstance,
            max_expanded: 1000,
            max_messages: 1_000_000,
            keep_unmapped: true,
            max_diagnostics: 1_000,
            max_counted: pattern::MAX_COUNTED,
            max_attachment_bytes: attach::MAX_ATTACHMENT,
            threads: 1,
        }
    }
}

/// Options of an export.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportOptions {
    /// The METHOD; `None` derives it from the message class of a single
    /// message, and omits it for several (a calendar export).
    pub method: Option<String>,
    /// PRODID.
    pub prodid: String,
    /// DTSTAMP for messages without PidLidOwnerCriticalChange; `None`: the
    /// system clock.
    pub now: Option<NaiveDateTime>,
    /// The zone all-day and floating items are read in when they carry no
    /// zone of their own (as [`ImportOptions::floating_zone`]; `None`: UTC).
    pub floating_zone: Option<String>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            method: None,
            prodid: format!("-//oxpim//oxpim {}//EN", env!("CARGO_PKG_VERSION")),
            now: None,
            floating_zone: None,
        }
    }
}

/// The messages of an import and what was noticed.
#[derive(Debug, Clone, Default)]
pub struct Imported {
    /// One message per series (or per instance, see [`Unrepresentable`]).
    pub messages: Vec<Message>,
    /// Problems, with the line of the iCalendar property they concern.
    pub diagnostics: Vec<Diagnostic>,
}

/// The calendar of an export and what was noticed.
#[derive(Debug, Clone, Default)]
pub struct Exported {
    /// One VCALENDAR.
    pub document: Document,
    /// Problems (line 0: they concern MAPI properties, not lines).
    pub diagnostics: Vec<Diagnostic>,
}

/// What a rule sees and changes while a VEVENT is imported.
pub struct ImportContext<'a> {
    /// The METHOD in force.
    pub method: &'a Method,
    /// The VCALENDAR.
    pub calendar: &'a Component,
    /// The VEVENT.
    pub event: &'a Component,
    /// The message being built.
    pub message: &'a mut Message,
    /// True when the VEVENT is an exception of a series being imported.
    pub is_exception: bool,
    /// True for all-day events.
    pub all_day: bool,
    /// The start (UTC) of the event, and of the series' first instance.
    pub start: Option<NaiveDateTime>,
    /// The end (UTC).
    pub end: Option<NaiveDateTime>,
    /// The options.
    pub options: &'a ImportOptions,
    /// The zone of the event's start.
    pub zone: &'a TimeZone,
    /// The series master, when importing an exception (its rules have run).
    pub master: Option<&'a Message>,
    pub(crate) next_start: Option<NaiveDateTime>,
    pub(crate) zones: &'a import::Zones<'a>,
    pub(crate) people: &'a people::People,
    pub(crate) kept: &'a mut Vec<u8>,
    pub(crate) diagnostics: &'a mut Vec<Diagnostic>,
}

impl ImportContext<'_> {
    /// Reports a problem at a line of the input.
    pub fn warn(&mut self, line: u32, message: impl Into<String>) {
        let line = self.line_or_event(line);
        self.diagnostics
            .push(diag(line, Severity::Warning, message));
    }

    /// Reports an error at a line of the input.
    pub fn error(&mut self, line: u32, message: impl Into<String>) {
        let line = self.line_or_event(line);
        self.diagnostics.push(diag(line, Severity::Error, message));
    }

    /// `line`, or the VEVENT's own for a line 0 (something built in code,
    /// such as a VALARM made of a vCalendar alarm).
    fn line_or_event(&self, line: u32) -> u32 {
        if line == 0 { self.event.line() } else { line }
    }

    /// Sets a canonical property (the value must have the table's type).
    pub fn set(&mut self, def: &PropDef, value: impl Into<PropValue>) {
        let value = value.into();
        if value.prop_type() == def.ptype {
            self.message.properties.insert(def.key(), value);
        } else {
            self.diagnostics.push(diag(
                0,
                Severity::Error,
                format!(
                    "internal: {} is {}, not {}",
                    def.name,
                    def.ptype,
                    value.prop_type()
                ),
            ));
        }
    }

    /// The UTC instant of a DATE-TIME of this calendar (floating times in
    /// the floating zone; TZIDs through the calendar's VTIMEZONEs and the
    /// resolver).
    pub fn to_utc(&self, dt: &oxpim_contentline::DateTime) -> Option<NaiveDateTime> {
        self.zones.to_utc(dt)
    }

    /// Keeps a property as written in [`unmapped_property`], for a rule
    /// that maps it only in part.
    pub fn keep_property(&mut self, p: &oxpim_contentline::Property) {
        if self.options.keep_unmapped {
            oxpim_contentline::write_property_into(
                p,
                oxpim_contentline::Dialect::ICalendar,
                &oxpim_contentline::WriteOptions::canonical(),
                self.kept,
            );
        }
    }

    /// Keeps a component as written in [`unmapped_property`].
    pub fn keep_component(&mut self, c: &Component) {
        if self.options.keep_unmapped {
            oxpim_contentline::write_component_into(
                c,
                &oxpim_contentline::WriteOptions::canonical(),
                self.kept,
            );
        }
    }

    /// The start (UTC) of the first instance at or after "now" (see
    /// [`ImportOptions::now`]), for reminders; `None` when every instance
    /// is in the past.
    pub fn next_instance_start(&self) -> Option<NaiveDateTime> {
        self.next_start
    }
}

/// What a rule sees and changes while a message is exported.
pub struct ExportContext<'a> {
    /// The METHOD of the calendar being written.
    pub method: &'a Method,
    /// The message.
    pub message: &'a Message,
    /// The VEVENT being built.
    pub event: &'a mut Component,
    /// True when the message is an exception of a series being exported.
    pub is_exception: bool,
    /// True for all-day items.
    pub all_day: bool,
    /// The zone local times are written in.
    pub zone: &'a TimeZone,
    /// The TZID of that zone (`None`: times are written in UTC).
    pub tzid: Option<&'a str>,
    /// The options.
    pub options: &'a ExportOptions,
    /// The series master, when exporting an exception.
    pub master: Option<&'a Message>,
    pub(crate) diagnostics: &'a mut Vec<Diagnostic>,
    /// The message's PidTagRtfCompressed decompressed, once for the rules
    /// that read it (the body's text and the HTML it may encapsulate).
    pub(crate) rtf: std::cell::OnceCell<Option<Result<Vec<u8>, crate::rtf::RtfError>>>,
}

impl ExportContext<'_> {
    /// The message's RTF body decompressed (`None` when it has none),
    /// decompressed on the first call only.
    pub(crate) fn rtf(&self) -> Option<Result<&[u8], crate::rtf::RtfError>> {
        self.rtf
            .get_or_init(|| {
                self.message
                    .properties
                    .binary(&crate::props::PID_TAG_RTF_COMPRESSED)
                    .map(crate::rtf::decompress)
            })
            .as_ref()
            .map(|r| r.as_deref().map_err(Clone::clone))
    }

    /// Reports a problem.
    pub fn warn(&mut self, message: impl Into<String>) {
        self.diagnostics.push(diag(0, Severity::Warning, message));
    }

    /// The message's value of a property, falling back to the series
    /// master's for exceptions (MS-OXOCAL 2.2.10.1: an exception inherits
    /// what it does not set).
    pub fn get(&self, def: &PropDef) -> Option<&PropValue> {
        self.message
            .properties
            .get_def(def)
            .or_else(|| self.master.and_then(|m| m.properties.get_def(def)))
    }

    /// A string property (PtypString, or PtypString8 decoded).
    pub fn text(&self, def: &PropDef) -> Option<String> {
        let own = self
            .message
            .properties
            .text(def, self.message.properties.codepage());
        own.or_else(|| {
            self.master
                .and_then(|m| m.properties.text(def, m.properties.codepage()))
        })
    }
}

/// One mapping between iCalendar properties and MAPI properties, both
/// ways. Rules are values: a [`Registry`] holds them by [`name`](Self::name).
pub trait EventRule: Send + Sync {
    /// A stable name; a registry holds one rule per name.
    fn name(&self) -> &str;

    /// True when this rule maps the iCalendar property (or component)
    /// named `name` (uppercase) on import, so that it is not reported and
    /// kept as unmapped.
    fn handles(&self, name: &str) -> bool;

    /// Reads the VEVENT, writes the message.
    fn import(&self, cx: &mut ImportContext<'_>);

    /// Reads the message, writes the VEVENT.
    fn export(&self, cx: &mut ExportContext<'_>);
}

/// An ordered set of rules, by name.
#[derive(Clone)]
pub struct Registry {
    rules: Vec<Arc<dyn EventRule>>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.rules.iter().map(|r| r.name()))
            .finish()
    }
}

impl Default for Registry {
    /// The MS-OXCICAL rules.
    fn default() -> Self {
        Registry {
            rules: rules::default_rules(),
        }
    }
}

impl Registry {
    /// A registry without rules.
    pub fn empty() -> Registry {
        Registry { rules: Vec::new() }
    }

    /// Adds a rule, replacing the one with the same name in place.
    pub fn with(mut self, rule: impl EventRule + 'static) -> Registry {
        let rule: Arc<dyn EventRule> = Arc::new(rule);
        match self.rules.iter().position(|r| r.name() == rule.name()) {
            Some(i) => {
                if let Some(slot) = self.rules.get_mut(i) {
                    *slot = rule;
                }
            }
            None => self.rules.push(rule),
        }
        self
    }

    /// Removes the rule with this name.
    pub fn without(mut self, name: &str) -> Registry {
        self.rules.retain(|r| r.name() != name);
        self
    }

    /// The rule names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.rules.iter().map(|r| r.name()).collect()
    }

    pub(crate) fn rules(&self) -> &[Arc<dyn EventRule>] {
        &self.rules
    }

    pub(crate) fn handles(&self, name: &str) -> bool {
        self.rules.iter().any(|r| r.handles(name))
    }
}

/// Converts iCalendar to MAPI messages.
pub struct Importer {
    options: ImportOptions,
    registry: Registry,
    resolver: Arc<dyn ZoneResolver>,
}

impl Importer {
    /// An importer with the default rules and zone resolvers.
    pub fn new(options: ImportOptions) -> Importer {
        Importer {
            options,
            registry: Registry::default(),
            resolver: Arc::new(ResolverChain::default()),
        }
    }

    /// Uses these rules.
    pub fn with_registry(mut self, registry: Registry) -> Importer {
        self.registry = registry;
        self
    }

    /// Uses this zone resolver (see `oxpim_recur::resolve`).
    pub fn with_resolver(mut self, resolver: Arc<dyn ZoneResolver>) -> Importer {
        self.resolver = resolver;
        self
    }

    /// The options.
    pub fn options(&self) -> &ImportOptions {
        &self.options
    }

    /// Imports every VCALENDAR of a document (vCalendar 1.0 is converted
    /// to iCalendar first).
    pub fn import(&self, doc: &Document) -> Imported {
        let mut out = import::import_document(self, doc);
        crate::cap_diagnostics(&mut out.diagnostics, self.options.max_diagnostics);
        out
    }
}

/// Converts MAPI messages to iCalendar.
pub struct Exporter {
    options: ExportOptions,
    registry: Registry,
}

impl Exporter {
    /// An exporter with the default rules.
    pub fn new(options: ExportOptions) -> Exporter {
        Exporter {
            options,
            registry: Registry::default(),
        }
    }

    /// Uses these rules.
    pub fn with_registry(mut self, registry: Registry) -> Exporter {
        self.registry = registry;
        self
    }

    /// One VCALENDAR with the messages' VEVENTs and VTIMEZONEs.
    pub fn export(&self, messages: &[Message]) -> Exported {
        export::export_messages(self, messages)
    }
}

pub(crate) fn diag(line: u32, severity: Severity, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        line,
        column: 1,
        severity,
        code: Code::Conversion,
        message: message.into(),
    }
}

/// The current time, from an option or the system clock.
pub(crate) fn now_or(now: Option<NaiveDateTime>) -> NaiveDateTime {
    now.unwrap_or_else(|| {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        chrono::DateTime::from_timestamp(i64::try_from(secs).unwrap_or(0), 0)
            .map(|d| d.naive_utc())
            .unwrap_or_default()
    })
}

/// A FILETIME from a UTC date-time.
pub(crate) fn filetime(t: NaiveDateTime) -> Option<FileTime> {
    FileTime::from_datetime(t.and_utc())
}

/// A UTC date-time from a FILETIME.
pub(crate) fn from_filetime(f: FileTime) -> Option<NaiveDateTime> {
    f.to_datetime().map(|d| d.naive_utc())
}

/// The UID of an imported or exported message (from PidLidGlobalObjectId,
/// else PidLidCleanGlobalObjectId), as [`Exporter`] writes it.
pub fn uid_of(message: &Message) -> Option<String> {
    use crate::blob::GlobalObjectId;
    use crate::props;
    let b = message
        .properties
        .binary(&props::PID_LID_GLOBAL_OBJECT_ID)
        .or_else(|| {
            message
                .properties
                .binary(&props::PID_LID_CLEAN_GLOBAL_OBJECT_ID)
        })?;
    GlobalObjectId::decode(b).ok().map(|g| g.to_uid())
}
