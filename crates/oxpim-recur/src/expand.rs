//! Expanding the events, to-dos and journal entries of a calendar into
//! instances: RRULE, RDATE (DATE, DATE-TIME, PERIOD), EXDATE (matched across
//! zones and value types), EXRULE, and RECURRENCE-ID overrides (replacing
//! one instance, shifting the rest with RANGE=THISANDFUTURE, removing an
//! instance with STATUS:CANCELLED, and reporting overrides that match no
//! instance).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use oxpim_contentline::value::{Duration as IcalDuration, PeriodEnd, RecurUntil, Value};
use oxpim_contentline::{
    Code, Component, DateTime, Diagnostic, Dialect, Document, Property, Severity, Zone,
};

use crate::resolve::{Resolved, ResolverChain, ZoneResolver};
use crate::rule::{Occurrence, RuleIter, RuleLimits, RuleSpec, Until};
use crate::zone::{TimeZone, add_secs};

/// A point in time as a calendar states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Moment {
    /// An all-day date.
    Date(NaiveDate),
    /// A floating (zone-less) wall-clock time.
    Floating(NaiveDateTime),
    /// An instant, in UTC.
    Utc(NaiveDateTime),
}

impl Moment {
    /// The value used to order and window instances: UTC for instants;
    /// floating times and dates are taken as if they were UTC.
    pub fn sort_key(&self) -> NaiveDateTime {
        match *self {
            Moment::Date(d) => d.and_time(NaiveTime::MIN),
            Moment::Floating(t) | Moment::Utc(t) => t,
        }
    }
}

impl fmt::Display for Moment {
    /// `YYYY-MM-DDTHH:MM:SSZ`, `YYYY-MM-DDTHH:MM:SS` or `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Moment::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Moment::Floating(t) => write!(f, "{}", t.format("%Y-%m-%dT%H:%M:%S")),
            Moment::Utc(t) => write!(f, "{}", t.format("%Y-%m-%dT%H:%M:%SZ")),
        }
    }
}

/// One instance of a calendar component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// The UID.
    pub uid: Arc<str>,
    /// The instance's original start (its RECURRENCE-ID); `None` for a
    /// component that does not recur.
    pub recurrence_id: Option<Moment>,
    /// Start.
    pub start: Moment,
    /// End.
    pub end: Moment,
    /// SUMMARY of the master or of the override that applies.
    pub summary: Option<Arc<str>>,
    /// VEVENT, VTODO or VJOURNAL.
    pub component: &'static str,
    /// True when a RECURRENCE-ID component gave this instance.
    pub overridden: bool,
}

/// Most overrides per series whose RECURRENCE-ID is checked against the
/// rules after a window skipped it.
pub const MAX_CHECKED_OVERRIDES: usize = 10_000;
/// Most RRULEs, and most EXRULEs, read per series.
pub const MAX_RULES: usize = 64;
// Both are the defaults of `ExpandOptions::max_checked_overrides` and
// `ExpandOptions::max_rules`.

/// Options of an expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandOptions {
    /// Only instances that end after this UTC instant (inclusive start of
    /// the window).
    pub from: Option<NaiveDateTime>,
    /// Only instances that start before this UTC instant.
    pub to: Option<NaiveDateTime>,
    /// Most instances reported per series.
    pub max_instances: usize,
    /// Most instances generated per series, window or not (a bound on work
    /// for rules with COUNT far before the window).
    pub max_generated: usize,
    /// Most candidate dates examined in a row without an instance.
    pub max_empty: u64,
    /// Only the series with this UID.
    pub uid: Option<String>,
    /// What to do with a DTSTART that its RRULE does not produce.
    pub dtstart: DtstartPolicy,
    /// Most RRULEs, and most EXRULEs, read per series (default
    /// [`MAX_RULES`]); the rest are ignored with a `Limit` warning.
    pub max_rules: usize,
    /// Most overrides per series whose RECURRENCE-ID is checked against
    /// the rules after a window skipped it (default
    /// [`MAX_CHECKED_OVERRIDES`]); the rest are reported unchecked.
    pub max_checked_overrides: usize,
}

/// What happens to a DTSTART that does not match its RRULE ("not
/// synchronized" in RFC 5545 §3.8.5.3, which leaves the result undefined).
///
/// RFC 5545 §3.3.10 counts DTSTART as the first instance, and Outlook,
/// Google Calendar, libical and calcard show it; python-dateutil and ical.js
/// drop it. See `docs/decisions.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DtstartPolicy {
    /// DTSTART is always the first instance, and counts toward COUNT.
    #[default]
    AlwaysFirst,
    /// DTSTART is an instance only when a rule produces it (or an RDATE
    /// names it); COUNT counts rule instances only.
    OnlyIfMatched,
}

impl Default for ExpandOptions {
    fn default() -> Self {
        ExpandOptions {
            from: None,
            to: None,
            max_instances: 1000,
            max_generated: 1_000_000,
            max_empty: 1_000_000,
            uid: None,
            dtstart: DtstartPolicy::AlwaysFirst,
            max_rules: MAX_RULES,
            max_checked_overrides: MAX_CHECKED_OVERRIDES,
        }
    }
}

/// Instances and what was noticed on the way.
#[derive(Debug, Clone, Default)]
pub struct Expansion {
    /// Instances sorted by start.
    pub instances: Vec<Instance>,
    /// Problems, as warnings.
    pub diagnostics: Vec<Diagnostic>,
}

/// Expands calendars.
pub struct Expander {
    resolver: Arc<dyn ZoneResolver>,
    opts: ExpandOptions,
}

impl Expander {
    /// An expander with the default resolver chain.
    pub fn new(opts: ExpandOptions) -> Self {
        Expander {
            resolver: Arc::new(ResolverChain::default()),
            opts,
        }
    }

    /// An expander with a resolver of the caller's.
    pub fn with_resolver(resolver: Arc<dyn ZoneResolver>, opts: ExpandOptions) -> Self {
        Expander { resolver, opts }
    }

    /// The options.
    pub fn options(&self) -> &ExpandOptions {
        &self.opts
    }

    /// Expands every calendar of a document (vCalendar 1.0 is converted
    /// first).
    pub fn expand_document(&self, doc: &Document) -> Expansion {
        let mut out = Expansion::default();
        for c in &doc.components {
            let converted;
            let cal = if c.dialect() == Dialect::VCalendar10 {
                let (conv, diags) = crate::vcal::to_icalendar(c);
                out.diagnostics.extend(diags);
                converted = conv;
                &converted
            } else {
                c
            };
            let e = self.expand_calendar(cal);
            out.instances.extend(e.instances);
            out.diagnostics.extend(e.diagnostics);
        }
        out.instances.sort_by(|a, b| {
            a.start
                .sort_key()
                .cmp(&b.start.sort_key())
                .then_with(|| a.uid.cmp(&b.uid))
        });
        out
    }

    /// Expands one VCALENDAR (or a top-level component).
    pub fn expand_calendar(&self, cal: &Component) -> Expansion {
        let mut ctx = Ctx {
            zones: Zones::new(cal, self.resolver.as_ref()),
            diags: Vec::new(),
            opts: &self.opts,
        };
        let items: Vec<&Component> = if is_expandable(cal) {
            vec![cal]
        } else {
            cal.components.iter().filter(|c| is_expandable(c)).collect()
        };
        // Group by UID: masters and their overrides.
        let mut order: Vec<String> = Vec::new();
        let mut groups: HashMap<String, (Vec<&Component>, Vec<&Component>)> = HashMap::new();
        for (i, c) in items.iter().enumerate() {
            let uid = c
                .text("UID")
                .map_or_else(|| format!("\u{0}no-uid-{i}"), str::to_string);
            if let Some(want) = &self.opts.uid
                && *want != uid
            {
                continue;
            }
            let entry = groups.entry(uid.clone()).or_insert_with(|| {
                order.push(uid.clone());
                (Vec::new(), Vec::new())
            });
            if c.property("RECURRENCE-ID").is_some() {
                entry.1.push(c);
            } else {
                entry.0.push(c);
            }
        }
        let mut instances = Vec::new();
        for uid in order {
            let Some((masters, overrides)) = groups.remove(&uid) else {
                continue;
            };
            let shown: Arc<str> = if uid.starts_with('\u{0}') {
                Arc::from("")
            } else {
                Arc::from(uid.as_str())
            };
            if masters.len() > 1
                && let Some(m) = masters.get(1)
            {
                ctx.warn(m.line(), Code::Recurrence, format!("UID '{shown}' has {} components without RECURRENCE-ID; each is expanded on its own", masters.len()));
            }
            match masters.split_first() {
                Some((master, rest)) => {
                    ctx.series(&shown, Some(master), &overrides, &mut instances);
                    for m in rest {
                        ctx.series(&shown, Some(m), &[], &mut instances);
                    }
                }
                None => ctx.series(&shown, None, &overrides, &mut instances),
            }
        }
        instances.sort_by(|a, b| {
            a.start
                .sort_key()
                .cmp(&b.start.sort_key())
                .then_with(|| a.uid.cmp(&b.uid))
        });
        Expansion {
            instances,
            diagnostics: ctx.diags,
        }
    }
}

fn is_expandable(c: &Component) -> bool {
    c.is("VEVENT") || c.is("VTODO") || c.is("VJOURNAL")
}

fn component_name(c: &Component) -> &'static str {
    if c.is("VTODO") {
        "VTODO"
    } else if c.is("VJOURNAL") {
        "VJOURNAL"
    } else {
        "VEVENT"
    }
}

/// The zones of one calendar, resolved once each.
struct Zones<'c> {
    vtimezones: HashMap<String, &'c Component>,
    resolver: &'c dyn ZoneResolver,
    cache: HashMap<String, Option<TimeZone>>,
}

impl<'c> Zones<'c> {
    fn new(cal: &'c Component, resolver: &'c dyn ZoneResolver) -> Self {
        let vtimezones = cal
            .children("VTIMEZONE")
            .filter_map(|v| Some((v.text("TZID")?.to_string(), v)))
            .collect();
        Zones {
            vtimezones,
            resolver,
            cache: HashMap::new(),
        }
    }

    fn get(&mut self, tzid: &str, line: u32, diags: &mut Vec<Diagnostic>) -> Option<TimeZone> {
        if let Some(z) = self.cache.get(tzid) {
            return z.clone();
        }
        let vtz = self.vtimezones.get(tzid).copied();
        let r: Option<Resolved> = self.resolver.resolve(tzid, vtz);
        let zone = match r {
            Some(r) => {
                for n in r.notes {
                    diags.push(warning(line, Code::TimeZone, n));
                }
                Some(r.zone)
            }
            None => {
                diags.push(warning(line, Code::TimeZone, format!("unknown time zone '{tzid}' (no VTIMEZONE and no known name); its times are read as floating")));
                None
            }
        };
        self.cache.insert(tzid.to_string(), zone.clone());
        zone
    }
}

fn warning(line: u32, code: Code, message: String) -> Diagnostic {
    Diagnostic {
        line,
        column: 1,
        severity: Severity::Warning,
        code,
        message,
    }
}

/// How a series states its times.
#[derive(Debug, Clone)]
enum Kind {
    Date,
    Floating,
    Zoned(TimeZone),
}

/// The length of an instance.
#[derive(Debug, Clone, Copy)]
enum Length {
    Exact(TimeDelta),
    Days(i64),
    Nominal { days: i64, exact: TimeDelta },
}

struct Ctx<'c, 'o> {
    zones: Zones<'c>,
    diags: Vec<Diagnostic>,
    opts: &'o ExpandOptions,
}

/// One occurrence key: the instant for zoned series, the wall time
/// otherwise (dates at midnight).
fn key(o: &Occurrence) -> NaiveDateTime {
    o.utc.unwrap_or(o.wall)
}

fn nominal(d: &IcalDuration) -> Length {
    let sign: i64 = if d.negative { -1 } else { 1 };
    let days = sign * (i64::from(d.weeks) * 7 + i64::from(d.days));
    let exact =
        sign * (i64::from(d.hours) * 3600 + i64::from(d.minutes) * 60 + i64::from(d.seconds));
    Length::Nominal {
        days,
        exact: TimeDelta::try_seconds(exact).unwrap_or(TimeDelta::MAX),
    }
}

impl<'c> Ctx<'c, '_> {
    fn warn(&mut self, line: u32, code: Code, msg: String) {
        self.diags.push(warning(line, code, msg));
    }

    /// The kind of a DTSTART-like value and its wall time.
    fn kind_of(&mut self, p: &Property) -> Option<(Kind, NaiveDateTime)> {
        match p.value()? {
            Value::Date(d) => Some((Kind::Date, d.and_time(NaiveTime::MIN))),
            Value::DateTime(dt) => Some(match &dt.zone {
                Zone::Floating => (Kind::Floating, dt.local),
                Zone::Utc => (Kind::Zoned(TimeZone::Utc), dt.local),
                Zone::Tzid(t) => match self.zones.get(t, p.line(), &mut self.diags) {
                    Some(z) => (Kind::Zoned(z), dt.local),
                    None => (Kind::Floating, dt.local),
                },
            }),
            _ => None,
        }
    }

    /// A DATE or DATE-TIME value as an occurrence of a series of `kind`
    /// whose DTSTART wall time is `dtstart`.
    fn occurrence(
        &mut self,
        v: &Value,
        kind: &Kind,
        dtstart: NaiveDateTime,
        line: u32,
    ) -> Option<Occurrence> {
        let dt: DateTime = match v {
            Value::DateTime(dt) => dt.clone(),
            Value::Date(d) => DateTime::floating(d.and_time(dtstart.time())),
            Value::Period(p) => p.start.clone(),
            _ => return None,
        };
        Some(match kind {
            Kind::Date => Occurrence {
                utc: None,
                wall: dt.local.date().and_time(NaiveTime::MIN),
            },
            Kind::Floating => Occurrence {
                utc: None,
                wall: dt.local,
            },
            Kind::Zoned(z) => {
                let utc = match &dt.zone {
                    Zone::Utc => dt.local,
                    Zone::Floating => z.to_utc(dt.local),
                    Zone::Tzid(t) => match self.zones.get(t, line, &mut self.diags) {
                        Some(own) => own.to_utc(dt.local),
                        None => z.to_utc(dt.local),
                    },
                };
                Occurrence {
                    utc: Some(utc),
                    wall: z.to_local(utc),
                }
            }
        })
    }

    fn moment(kind: &Kind, o: &Occurrence) -> Moment {
        match kind {
            Kind::Date => Moment::Date(o.wall.date()),
            Kind::Floating => Moment::Floating(o.wall),
            Kind::Zoned(_) => Moment::Utc(o.utc.unwrap_or(o.wall)),
        }
    }

    fn end_of(kind: &Kind, o: &Occurrence, len: Length) -> Moment {
        // Every addition saturates at chrono's range.
        let plus = |t: NaiveDateTime, d: TimeDelta| {
            t.checked_add_signed(d).unwrap_or(if d > TimeDelta::zero() {
                NaiveDateTime::MAX
            } else {
                NaiveDateTime::MIN
            })
        };
        let days_after = |n: i64| {
            let d = o.wall.date();
            TimeDelta::try_days(n)
                .and_then(|x| d.checked_add_signed(x))
                .unwrap_or(if n > 0 {
                    NaiveDate::MAX
                } else {
                    NaiveDate::MIN
                })
        };
        let days_secs = |n: i64| n.saturating_mul(86_400);
        match (kind, len) {
            (Kind::Date, Length::Days(n) | Length::Nominal { days: n, .. }) => {
                Moment::Date(days_after(n))
            }
            (Kind::Date, Length::Exact(d)) => Moment::Date(days_after(d.num_days())),
            (Kind::Floating, Length::Exact(d)) => Moment::Floating(plus(o.wall, d)),
            (Kind::Floating, Length::Days(n)) => Moment::Floating(add_secs(o.wall, days_secs(n))),
            (Kind::Floating, Length::Nominal { days, exact }) => {
                Moment::Floating(plus(add_secs(o.wall, days_secs(days)), exact))
            }
            (Kind::Zoned(_), Length::Exact(d) | Length::Nominal { days: 0, exact: d }) => {
                Moment::Utc(plus(o.utc.unwrap_or(o.wall), d))
            }
            (Kind::Zoned(z), Length::Days(days) | Length::Nominal { days, exact: _ }) => {
                let exact = match len {
                    Length::Nominal { exact, .. } => exact,
                    _ => TimeDelta::zero(),
                };
                let wall = add_secs(o.wall, days_secs(days));
                let u = if wall == NaiveDateTime::MAX || wall == NaiveDateTime::MIN {
                    wall
                } else {
                    z.to_utc(wall)
                };
                Moment::Utc(plus(u, exact))
            }
        }
    }

    /// The length of a component's instances.
    fn length(&mut self, c: &Component, kind: &Kind, start: &Occurrence) -> Length {
        let len = self.written_length(c, kind, start);
        // An end before the start (RFC 5545 §3.8.2.2 wants it later): no
        // length, as the MAPI import does, and said.
        let end = Self::end_of(kind, start, len).sort_key();
        if end < Self::moment(kind, start).sort_key() {
            let line = ["DTEND", "DUE", "DURATION"]
                .iter()
                .find_map(|n| c.property(n))
                .map_or(c.line(), Property::line);
            self.warn(
                line,
                Code::Recurrence,
                "the end is before the start; the instance is given no length".into(),
            );
            return match kind {
                Kind::Date => Length::Days(0),
                _ => Length::Exact(TimeDelta::zero()),
            };
        }
        len
    }

    fn written_length(&mut self, c: &Component, kind: &Kind, start: &Occurrence) -> Length {
        let end_prop = c.property("DTEND").or_else(|| c.property("DUE"));
        if let Some(p) = end_prop
            && let Some(v) = p.value()
            && let Some(end) = self.occurrence(v, kind, start.wall, p.line())
        {
            return match kind {
                Kind::Date => Length::Days((end.wall.date() - start.wall.date()).num_days()),
                Kind::Floating => Length::Exact(end.wall - start.wall),
                Kind::Zoned(_) => Length::Exact(key(&end) - key(start)),
            };
        }
        if let Some(p) = c.property("DURATION")
            && let Some(d) = p.value().and_then(Value::as_duration)
        {
            let len = match kind {
                Kind::Date => {
                    // RFC 5545 §3.6.1: a DATE start takes whole days;
                    // `PT86400S` (Google) is one.
                    let secs = i64::from(d.hours) * 3600
                        + i64::from(d.minutes) * 60
                        + i64::from(d.seconds);
                    let mut days = i64::from(d.weeks) * 7 + i64::from(d.days) + secs / 86_400;
                    if secs % 86_400 != 0 {
                        days = days.max(1);
                        self.warn(
                            p.line(),
                            Code::Recurrence,
                            format!("the DURATION of an all-day event is not a number of whole days; {days} whole day(s) are used"),
                        );
                    }
                    Length::Days(if d.negative { -days } else { days })
                }
                _ => nominal(d),
            };
            let end = Self::end_of(kind, start, len).sort_key();
            if end == NaiveDateTime::MAX || end == NaiveDateTime::MIN {
                self.warn(
                    p.line(),
                    Code::Recurrence,
                    "DURATION reaches beyond the dates oxpim can represent (years ±262 143); the end is the last representable time".into(),
                );
            }
            return len;
        }
        match kind {
            Kind::Date => Length::Days(1),
            _ => Length::Exact(TimeDelta::zero()),
        }
    }

    fn until_of(&self, u: &RecurUntil, kind: &Kind) -> Until {
        match (u, kind) {
            (RecurUntil::Date(d), _) => Until::Date(*d),
            (RecurUntil::DateTime(dt), Kind::Date) => Until::Date(dt.local.date()),
            (RecurUntil::DateTime(dt), Kind::Floating) => Until::Wall(dt.local),
            (RecurUntil::DateTime(dt), Kind::Zoned(z)) => match dt.zone {
                Zone::Utc => Until::Utc(dt.local),
                // A floating UNTIL with a zoned DTSTART (iCloud, Zarafa):
                // read in the series' zone.
                _ => Until::Utc(z.to_utc(dt.local)),
            },
        }
    }

    /// The range of occurrence keys that can give instances in the window:
    /// an instance starts at its key (overrides aside, handled apart) and
    /// lasts at most `span` seconds. Keys are UTC for zoned series and
    /// wall-clock times for floating and all-day ones, compared with the
    /// window as if they were UTC.
    fn window_keys(&self, span: i64) -> (Option<NaiveDateTime>, Option<NaiveDateTime>) {
        let lo = self.opts.from.map(|f| add_secs(f, -span.max(0)));
        let hi = self.opts.to;
        (lo, hi)
    }

    fn in_window(&self, start: &Moment, end: &Moment) -> bool {
        let (s, e) = (start.sort_key(), end.sort_key());
        if let Some(to) = self.opts.to
            && s >= to
        {
            return false;
        }
        if let Some(from) = self.opts.from
            && e <= from
            && s < from
        {
            return false;
        }
        true
    }

    #[allow(clippy::too_many_lines)]
    fn series(
        &mut self,
        uid: &Arc<str>,
        master: Option<&Component>,
        overrides: &[&Component],
        out: &mut Vec<Instance>,
    ) {
        let Some(master) = master else {
            // Overrides without their master: each is its own instance.
            for o in overrides {
                self.lone(uid, o, out, true);
            }
            return;
        };
        let recurs = master.property("RRULE").is_some() || master.property("RDATE").is_some();
        if !recurs {
            self.lone(uid, master, out, false);
            for o in overrides {
                self.warn(o.line(), Code::Recurrence, format!("UID '{uid}': RECURRENCE-ID on a component that does not recur; reported as its own instance"));
                self.lone(uid, o, out, true);
            }
            return;
        }
        let Some(start_prop) = master.property("DTSTART") else {
            self.warn(
                master.line(),
                Code::Recurrence,
                format!(
                    "UID '{uid}': a recurring {} without DTSTART cannot be expanded",
                    master.name()
                ),
            );
            return;
        };
        let Some((kind, dtstart)) = self.kind_of(start_prop) else {
            self.warn(
                start_prop.line(),
                Code::Recurrence,
                format!("UID '{uid}': DTSTART is not a date or date-time"),
            );
            return;
        };
        let zone = match &kind {
            Kind::Zoned(z) => Some(z.clone()),
            _ => None,
        };
        let start_occ = match self.occurrence(
            start_prop.value().unwrap_or(&Value::Date(dtstart.date())),
            &kind,
            dtstart,
            start_prop.line(),
        ) {
            Some(o) => o,
            None => return,
        };
        let len = self.length(master, &kind, &start_occ);
        // RDATE periods may last longer than the master.
        let mut rdates: Vec<(Occurrence, Option<Moment>)> = Vec::new();
        for p in master.properties_named("RDATE") {
            for v in p.values() {
                if let Some(o) = self.occurrence(v, &kind, dtstart, p.line()) {
                    let end = match v {
                        Value::Period(per) => match &per.end {
                            PeriodEnd::Duration(d) => Some(Self::end_of(&kind, &o, nominal(d))),
                            PeriodEnd::End(e) => self
                                .occurrence(&Value::DateTime(e.clone()), &kind, dtstart, p.line())
                                .map(|eo| Self::moment(&kind, &eo)),
                        },
                        _ => None,
                    };
                    rdates.push((o, end));
                } else if !v.is_invalid() {
                    self.warn(
                        p.line(),
                        Code::Recurrence,
                        format!("UID '{uid}': an RDATE value is not a date, date-time or period"),
                    );
                }
            }
        }
        // Overrides by their RECURRENCE-ID key.
        struct Ovr<'a> {
            comp: &'a Component,
            key: NaiveDateTime,
            rid: Moment,
            future: bool,
            /// For THISANDFUTURE: how far its DTSTART moves it, in wall time.
            shift: TimeDelta,
            used: bool,
        }
        let mut ovr: Vec<Ovr<'_>> = Vec::new();
        for o in overrides {
            let Some(rp) = o.property("RECURRENCE-ID") else {
                continue;
            };
            let Some(oc) = rp
                .value()
                .and_then(|v| self.occurrence(v, &kind, dtstart, rp.line()))
            else {
                self.warn(rp.line(), Code::Recurrence, format!("UID '{uid}': RECURRENCE-ID is not a date or date-time; the override is ignored"));
                continue;
            };
            let future = rp
                .param("RANGE")
                .is_some_and(|r| r.eq_ignore_ascii_case("THISANDFUTURE"));
            let shift = if future {
                o.property("DTSTART")
                    .and_then(|p| {
                        p.value()
                            .and_then(|v| self.occurrence(v, &kind, dtstart, p.line()))
                    })
                    .map_or(TimeDelta::zero(), |n| n.wall - oc.wall)
            } else {
                TimeDelta::zero()
            };
            ovr.push(Ovr {
                comp: o,
                key: key(&oc),
                rid: Self::moment(&kind, &oc),
                future,
                shift,
                used: false,
            });
        }
        ovr.sort_by_key(|o| o.key);
        let exact: HashMap<NaiveDateTime, usize> =
            ovr.iter().enumerate().map(|(i, o)| (o.key, i)).collect();
        let futures: Vec<usize> = ovr
            .iter()
            .enumerate()
            .filter(|(_, o)| o.future)
            .map(|(i, _)| i)
            .collect();

        // Days of a nominal length vary by an hour across DST: slack.
        let master_span = (Self::end_of(&kind, &start_occ, len).sort_key() - key(&start_occ))
            .num_seconds()
            .saturating_add(2 * 3600);
        let longest = rdates
            .iter()
            .filter_map(|(o, e)| e.map(|e| (e.sort_key() - key(o)).num_seconds()))
            .fold(master_span, i64::max);
        let (mut lo, mut hi) = self.window_keys(longest);
        // Instances moved by THISANDFUTURE overrides come from further
        // away (an hour of slack for DST).
        let later = ovr
            .iter()
            .filter(|o| o.future)
            .map(|o| o.shift.num_seconds())
            .fold(0i64, i64::max);
        let earlier = ovr
            .iter()
            .filter(|o| o.future)
            .map(|o| -o.shift.num_seconds())
            .fold(0i64, i64::max);
        if later > 0 {
            lo = lo.map(|l| add_secs(l, -(later + 3600)));
        }
        if earlier > 0 {
            hi = hi.map(|h| add_secs(h, earlier + 3600));
        }
        let skip_wall = lo.map(|l| match &zone {
            Some(z) => z.to_local(l),
            None => l,
        });
        let summary: Option<Arc<str>> = master.text("SUMMARY").map(Arc::from);
        let cname = component_name(master);

        // The rules, each with its next occurrence.
        let mut iters: Vec<(RuleIter<'_>, Option<Occurrence>)> = Vec::new();
        let rule_limits = RuleLimits {
            max_instances: self.opts.max_generated,
            max_empty: self.opts.max_empty,
        };
        let mut specs = Vec::new();
        let max_rules = self.opts.max_rules;
        for name in ["RRULE", "EXRULE"] {
            let n = master.properties_named(name).count();
            if n > max_rules {
                self.warn(
                    master.line(),
                    Code::Limit,
                    format!("UID '{uid}': {n} {name}s; only the first {max_rules} are used"),
                );
            }
        }
        for p in master.properties_named("RRULE").take(max_rules) {
            match p.value() {
                Some(Value::Recur(r)) => {
                    let spec = RuleSpec {
                        recur: (**r).clone(),
                        dtstart: start_occ.wall,
                        zone: zone.clone(),
                        until: r.until.as_ref().map(|u| self.until_of(u, &kind)),
                        include_dtstart: self.opts.dtstart == DtstartPolicy::AlwaysFirst,
                        skip_to: skip_wall,
                        limits: rule_limits,
                    };
                    specs.push((spec, p.line()));
                }
                _ => self.warn(
                    p.line(),
                    Code::Recurrence,
                    format!("UID '{uid}': RRULE is not valid and was ignored"),
                ),
            }
        }
        for (spec, _) in &specs {
            let mut it = RuleIter::new(spec, zone.as_ref());
            let head = it.next();
            iters.push((it, head));
        }
        if specs.is_empty() {
            // RDATE-only series: DTSTART is the first instance.
            rdates.push((start_occ, None));
        }
        rdates.sort_by_key(|(o, _)| key(o));
        // Exclusions.
        let mut ex_keys: HashSet<NaiveDateTime> = HashSet::new();
        let mut ex_dates: HashSet<NaiveDate> = HashSet::new();
        for p in master.properties_named("EXDATE") {
            for v in p.values() {
                match (v, &kind) {
                    (Value::Date(d), Kind::Zoned(_) | Kind::Floating) => {
                        ex_dates.insert(*d);
                    }
                    _ => {
                        if let Some(o) = self.occurrence(v, &kind, dtstart, p.line()) {
                            ex_keys.insert(key(&o));
                        }
                    }
                }
            }
        }
        // EXRULEs, walked alongside the instances.
        let mut ex_specs = Vec::new();
        for p in master.properties_named("EXRULE").take(max_rules) {
            if let Some(Value::Recur(r)) = p.value() {
                let spec = RuleSpec {
                    recur: (**r).clone(),
                    dtstart: start_occ.wall,
                    zone: zone.clone(),
                    until: r.until.as_ref().map(|u| self.until_of(u, &kind)),
                    include_dtstart: false,
                    skip_to: skip_wall,
                    limits: rule_limits,
                };
                ex_specs.push((spec, p.line()));
            }
        }
        let mut exrules: Vec<(RuleIter<'_>, Option<NaiveDateTime>)> = Vec::new();
        for (spec, _) in &ex_specs {
            let mut it = RuleIter::new(spec, zone.as_ref());
            let head = it.next().map(|o| key(&o));
            exrules.push((it, head));
        }
        // Walk the merged, deduplicated occurrences.
        let mut rd = 0usize;
        let mut last: Option<NaiveDateTime> = None;
        let mut reported = 0usize;
        let mut truncated = false;
        loop {
            // Smallest head among rules and RDATEs.
            let mut best: Option<(NaiveDateTime, usize)> = None; // usize::MAX = rdate
            for (i, (_, head)) in iters.iter().enumerate() {
                if let Some(o) = head {
                    let k = key(o);
                    if best.is_none_or(|(b, _)| k < b) {
                        best = Some((k, i));
                    }
                }
            }
            if let Some((o, _)) = rdates.get(rd) {
                let k = key(o);
                if best.is_none_or(|(b, _)| k < b) {
                    best = Some((k, usize::MAX));
                }
            }
            let Some((k, src)) = best else { break };
            if hi.is_some_and(|h| k > h) {
                break;
            }
            let (occ, own_end) = if src == usize::MAX {
                let (o, e) = rdates.get(rd).cloned().unwrap_or((start_occ, None));
                rd += 1;
                (o, e)
            } else {
                match iters.get_mut(src) {
                    Some((it, head)) => match std::mem::replace(head, it.next()) {
                        Some(o) => (o, None),
                        None => continue,
                    },
                    None => continue,
                }
            };
            if last == Some(k) {
                continue; // an RDATE equal to a rule instance appears once
            }
            last = Some(k);
            if (!ex_keys.is_empty() && ex_keys.contains(&k))
                || (!ex_dates.is_empty() && ex_dates.contains(&occ.wall.date()))
            {
                continue;
            }
            let mut by_exrule = false;
            for (it, head) in &mut exrules {
                while head.is_some_and(|h| h < k) {
                    *head = it.next().map(|o| key(&o));
                }
                by_exrule |= *head == Some(k);
            }
            if by_exrule {
                continue;
            }
            let rid = Self::moment(&kind, &occ);
            // The override that applies, if any.
            let exact_hit = if exact.is_empty() {
                None
            } else {
                exact.get(&k).copied()
            };
            let inst = if let Some(i) = exact_hit {
                if let Some(o) = ovr.get_mut(i) {
                    o.used = true;
                }
                let comp = ovr.get(i).map(|o| o.comp);
                match comp {
                    Some(c) => self.override_instance(uid, c, rid, &kind, dtstart, len, &occ),
                    None => None,
                }
            } else if let Some(&fi) = futures
                .iter()
                .rev()
                .find(|&&fi| ovr.get(fi).is_some_and(|o| o.key <= k))
            {
                let (comp, shift) = match ovr.get(fi) {
                    Some(o) => (o.comp, o.shift),
                    None => continue,
                };
                self.shifted(uid, comp, shift, rid, &kind, dtstart, len, &occ)
            } else {
                let end = own_end.unwrap_or_else(|| Self::end_of(&kind, &occ, len));
                Some(Instance {
                    uid: uid.clone(),
                    recurrence_id: Some(rid),
                    start: rid,
                    end,
                    summary: summary.clone(),
                    component: cname,
                    overridden: false,
                })
            };
            let Some(inst) = inst else { continue };
            // RFC 5545 §3.3.4: years have four digits.
            if chrono::Datelike::year(&inst.start.sort_key()) > 9999 {
                self.warn(
                    master.line(),
                    Code::Limit,
                    format!("UID '{uid}': instances after the year 9999 cannot be written in iCalendar (four-digit years, RFC 5545 §3.3.4); the series stops there"),
                );
                break;
            }
            if !self.in_window(&inst.start, &inst.end) {
                continue;
            }
            if reported >= self.opts.max_instances {
                truncated = true;
                break;
            }
            reported += 1;
            out.push(inst);
        }
        let notes: Vec<(u32, String)> = specs
            .iter()
            .zip(iters.iter())
            .flat_map(|((_, line), (it, _))| it.notes().iter().map(move |n| (*line, n.clone())))
            .collect();
        for (line, n) in notes {
            self.warn(line, Code::Recurrence, format!("UID '{uid}': {n}"));
        }
        let notes: Vec<(u32, String)> = ex_specs
            .iter()
            .zip(exrules.iter())
            .flat_map(|((_, line), (it, _))| it.notes().iter().map(move |n| (*line, n.clone())))
            .collect();
        for (line, n) in notes {
            self.warn(line, Code::Recurrence, format!("UID '{uid}': EXRULE: {n}"));
        }
        if let Some(TimeZone::Rules(r)) = &zone {
            for w in r.warnings() {
                if !self.diags.iter().any(|d| d.message == w) {
                    self.warn(start_prop.line(), Code::TimeZone, w);
                }
            }
        }
        if truncated {
            self.warn(
                master.line(),
                Code::Limit,
                format!("UID '{uid}': more than {} instances; the rest were not expanded (raise the limit or narrow the window)", self.opts.max_instances),
            );
        }
        // Overrides not met on the walk: those whose RECURRENCE-ID lies
        // outside the keys walked (the window skipped them, or the walk
        // stopped first) may still move their instance into the window, and
        // whether they match an instance is checked exactly; those inside
        // the walked keys match no instance and are reported as extra
        // instances, as Outlook and CalDAV servers do.
        if truncated {
            return;
        }
        let skipped = skip_wall.is_some()
            && specs
                .iter()
                .chain(ex_specs.iter())
                .any(|(s, _)| s.recur.count.is_none());
        let ended_early = rd < rdates.len()
            || iters
                .iter()
                .any(|(it, head)| head.is_some() || it.hit_limit());
        let mut pending: Vec<(usize, Instance, bool)> = Vec::new();
        for i in 0..ovr.len() {
            let Some(o) = ovr.get(i) else { continue };
            if o.used {
                continue;
            }
            let (comp, okey, rid) = (o.comp, o.key, o.rid);
            let Some(inst) =
                self.override_instance(uid, comp, rid, &kind, dtstart, len, &start_occ)
            else {
                continue;
            };
            if !self.in_window(&inst.start, &inst.end) {
                continue;
            }
            let outside = (skipped && lo.is_some_and(|f| okey < f))
                || (ended_early && last.is_none_or(|l| okey > l));
            pending.push((i, inst, outside));
        }
        let unsure: Vec<NaiveDateTime> = pending
            .iter()
            .filter(|(_, _, outside)| *outside)
            .filter_map(|(i, _, _)| ovr.get(*i).map(|o| o.key))
            .take(self.opts.max_checked_overrides)
            .collect();
        let members = self.members(
            &unsure,
            &specs,
            &ex_specs,
            &rdates,
            &ex_keys,
            &ex_dates,
            zone.as_ref(),
        );
        let max_checked = self.opts.max_checked_overrides;
        for (i, inst, outside) in pending {
            let Some(o) = ovr.get(i) else { continue };
            let line = o.comp.line();
            if !outside || !members.contains(&o.key) {
                let why = if outside && !unsure.contains(&o.key) {
                    format!(
                        "UID '{uid}': RECURRENCE-ID {} was not checked against the series (more than {max_checked} to check); reported as an instance",
                        o.rid
                    )
                } else {
                    format!(
                        "UID '{uid}': RECURRENCE-ID {} matches no instance of the series; reported as an extra instance",
                        o.rid
                    )
                };
                self.warn(line, Code::Recurrence, why);
            }
            if reported < self.opts.max_instances {
                reported += 1;
                out.push(inst);
            } else if !truncated {
                truncated = true;
                self.warn(
                    master.line(),
                    Code::Limit,
                    format!("UID '{uid}': more than {} instances; the rest were not expanded (raise the limit or narrow the window)", self.opts.max_instances),
                );
            }
        }
    }

    /// Which of `keys` (occurrence keys, sorted) are instances of the
    /// series: a rule or RDATE gives them and no EXDATE or EXRULE removes
    /// them. Rules with COUNT are walked once from DTSTART; the others
    /// start next to each key.
    #[allow(clippy::too_many_arguments)]
    fn members(
        &self,
        keys: &[NaiveDateTime],
        specs: &[(RuleSpec, u32)],
        ex_specs: &[(RuleSpec, u32)],
        rdates: &[(Occurrence, Option<Moment>)],
        ex_keys: &HashSet<NaiveDateTime>,
        ex_dates: &HashSet<NaiveDate>,
        zone: Option<&TimeZone>,
    ) -> HashSet<NaiveDateTime> {
        if keys.is_empty() {
            return HashSet::new();
        }
        let wall_of = |k: NaiveDateTime| zone.map_or(k, |z| z.to_local(k));
        let produced = |list: &[(RuleSpec, u32)]| -> HashSet<NaiveDateTime> {
            let mut found = HashSet::new();
            for (spec, _) in list {
                if spec.recur.count.is_some() {
                    let mut spec = spec.clone();
                    spec.skip_to = None;
                    let mut it = RuleIter::new(&spec, zone).map(|o| key(&o)).peekable();
                    for &k in keys {
                        while it.next_if(|x| *x < k).is_some() {}
                        if it.peek() == Some(&k) {
                            found.insert(k);
                        }
                    }
                } else {
                    for &k in keys {
                        let mut spec = spec.clone();
                        spec.skip_to = Some(wall_of(k));
                        let hit = RuleIter::new(&spec, zone)
                            .map(|o| key(&o))
                            .find(|x| *x >= k)
                            .is_some_and(|x| x == k);
                        if hit {
                            found.insert(k);
                        }
                    }
                }
            }
            found
        };
        let by_rules = produced(specs);
        let by_exrules = produced(ex_specs);
        keys.iter()
            .copied()
            .filter(|k| by_rules.contains(k) || rdates.iter().any(|(o, _)| key(o) == *k))
            .filter(|k| {
                !ex_keys.contains(k)
                    && !ex_dates.contains(&wall_of(*k).date())
                    && !by_exrules.contains(k)
            })
            .collect()
    }

    /// The instance an override component describes (or `None` when it
    /// cancels its instance).
    #[allow(clippy::too_many_arguments)]
    fn override_instance(
        &mut self,
        uid: &Arc<str>,
        c: &Component,
        rid: Moment,
        kind: &Kind,
        dtstart: NaiveDateTime,
        master_len: Length,
        occ: &Occurrence,
    ) -> Option<Instance> {
        if c.text("STATUS")
            .is_some_and(|s| s.eq_ignore_ascii_case("CANCELLED"))
        {
            return None;
        }
        let start_occ = c
            .property("DTSTART")
            .and_then(|p| {
                p.value()
                    .and_then(|v| self.occurrence(v, kind, dtstart, p.line()))
            })
            .unwrap_or(*occ);
        let has_len = c.property("DTEND").is_some()
            || c.property("DUE").is_some()
            || c.property("DURATION").is_some();
        let len = if has_len {
            self.length(c, kind, &start_occ)
        } else {
            master_len
        };
        Some(Instance {
            uid: uid.clone(),
            recurrence_id: Some(rid),
            start: Self::moment(kind, &start_occ),
            end: Self::end_of(kind, &start_occ, len),
            summary: c.text("SUMMARY").map(Arc::from),
            component: component_name(c),
            overridden: true,
        })
    }

    /// An instance after a RANGE=THISANDFUTURE override: shifted by the
    /// override's move, with its length and summary.
    #[allow(clippy::too_many_arguments)]
    fn shifted(
        &mut self,
        uid: &Arc<str>,
        c: &Component,
        shift: TimeDelta,
        rid: Moment,
        kind: &Kind,
        dtstart: NaiveDateTime,
        master_len: Length,
        occ: &Occurrence,
    ) -> Option<Instance> {
        if c.text("STATUS")
            .is_some_and(|s| s.eq_ignore_ascii_case("CANCELLED"))
        {
            return None;
        }
        // The move is in wall-clock time: 09:00 stays 09:00 across DST.
        let wall = occ.wall.checked_add_signed(shift).unwrap_or(occ.wall);
        let moved = Occurrence {
            utc: match kind {
                Kind::Zoned(z) => Some(z.to_utc(wall)),
                _ => None,
            },
            wall,
        };
        let new_start = c.property("DTSTART").and_then(|p| {
            p.value()
                .and_then(|v| self.occurrence(v, kind, dtstart, p.line()))
        });
        let has_len = c.property("DTEND").is_some()
            || c.property("DUE").is_some()
            || c.property("DURATION").is_some();
        let len = match new_start {
            Some(ns) if has_len => self.length(c, kind, &ns),
            _ => master_len,
        };
        Some(Instance {
            uid: uid.clone(),
            recurrence_id: Some(rid),
            start: Self::moment(kind, &moved),
            end: Self::end_of(kind, &moved, len),
            summary: c.text("SUMMARY").map(Arc::from),
            component: component_name(c),
            overridden: true,
        })
    }

    /// A component that does not recur: one instance.
    fn lone(&mut self, uid: &Arc<str>, c: &Component, out: &mut Vec<Instance>, is_override: bool) {
        let Some(p) = c.property("DTSTART").or_else(|| c.property("DUE")) else {
            // A to-do or journal entry may have no date; an event has one
            // (RFC 5545 §3.6.1, outside scheduling methods).
            if c.is("VEVENT") {
                self.warn(
                    c.line(),
                    Code::Recurrence,
                    format!("UID '{uid}': VEVENT without DTSTART has no instance"),
                );
            }
            return;
        };
        let Some((kind, wall)) = self.kind_of(p) else {
            self.warn(
                p.line(),
                Code::Recurrence,
                format!(
                    "UID '{uid}': {} is not a date or date-time; no instance",
                    p.name()
                ),
            );
            return;
        };
        let Some(occ) = p
            .value()
            .and_then(|v| self.occurrence(v, &kind, wall, p.line()))
        else {
            return;
        };
        let len = if c.property("DTSTART").is_some() {
            self.length(c, &kind, &occ)
        } else {
            Length::Exact(TimeDelta::zero())
        };
        let rid = if is_override {
            c.property("RECURRENCE-ID")
                .and_then(|rp| {
                    rp.value()
                        .and_then(|v| self.occurrence(v, &kind, wall, rp.line()))
                })
                .map(|o| Self::moment(&kind, &o))
        } else {
            None
        };
        if is_override
            && c.text("STATUS")
                .is_some_and(|s| s.eq_ignore_ascii_case("CANCELLED"))
        {
            return;
        }
        let inst = Instance {
            uid: uid.clone(),
            recurrence_id: rid,
            start: Self::moment(&kind, &occ),
            end: Self::end_of(&kind, &occ, len),
            summary: c.text("SUMMARY").map(Arc::from),
            component: component_name(c),
            overridden: is_override,
        };
        if self.in_window(&inst.start, &inst.end) {
            out.push(inst);
        }
    }
}
