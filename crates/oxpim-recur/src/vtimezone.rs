//! A VTIMEZONE evaluated from its STANDARD/DAYLIGHT observances.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{Datelike, NaiveDate, NaiveDateTime, Weekday};
use oxpim_contentline::value::{Frequency, Recur, RecurUntil, Value};
use oxpim_contentline::{Component, Zone};

use crate::rule::{RuleIter, RuleLimits, RuleSpec, Until, days_in_month};
use crate::zone::{Span, ZoneRules, add_secs};

/// Transitions are computed on demand, this many years at a time, and kept.
const BLOCK_YEARS: i32 = 8;
/// Most transitions computed for one block of years.
pub const MAX_TRANSITIONS: usize = 100_000;
/// Most observances read from one VTIMEZONE.
pub const MAX_OBSERVANCES: usize = 1_000;
/// Most observances whose RRULE needs the rule engine (the usual yearly
/// shapes do not count); the rules of the others are ignored.
pub const MAX_RULE_OBSERVANCES: usize = 64;
/// Bounds on what one VTIMEZONE may cost, per resolver
/// ([`crate::resolve::VTimezoneRules::limits`]); the defaults are the
/// constants above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZoneLimits {
    /// Most observances read (the first ones are kept), default
    /// [`MAX_OBSERVANCES`].
    pub max_observances: usize,
    /// Most observances whose RRULE needs the rule engine, default
    /// [`MAX_RULE_OBSERVANCES`].
    pub max_rule_observances: usize,
    /// Most transitions computed per block of eight years, default
    /// [`MAX_TRANSITIONS`].
    pub max_transitions: usize,
}

impl Default for ZoneLimits {
    fn default() -> Self {
        ZoneLimits {
            max_observances: MAX_OBSERVANCES,
            max_rule_observances: MAX_RULE_OBSERVANCES,
            max_transitions: MAX_TRANSITIONS,
        }
    }
}

/// Most blocks looked at backwards for the offset in effect.
const MAX_BLOCKS_BACK: i32 = 64;
/// Most blocks kept per VTIMEZONE (the cache starts over beyond).
const MAX_BLOCKS: usize = 1_024;

/// A hasher for block numbers: a multiply, where SipHash cost more than
/// the lookup it guards (the numbers come from dates, not from input that
/// could pick them to collide, and at most `MAX_BLOCKS` are held).
#[derive(Default)]
struct BlockHasher(u64);

impl std::hash::Hasher for BlockHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_i32(&mut self, n: i32) {
        self.0 = (u64::from(n as u32) ^ self.0).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type BuildBlockHasher = std::hash::BuildHasherDefault<BlockHasher>;

#[derive(Debug, Clone)]
struct Observance {
    dtstart: NaiveDateTime,
    from: i32,
    to: i32,
    recur: Option<Recur>,
    /// The rule, when it has one of the shapes zones use, in a form that
    /// needs no rule engine.
    shape: Option<YearlyShape>,
    rdates: Vec<NaiveDateTime>,
}

/// The shapes of the yearly rules found in practically every VTIMEZONE.
#[derive(Debug, Clone)]
enum YearlyShape {
    /// `BYMONTH=m;BYDAY=nWD` (n in ±1..±5).
    NthWeekday { month: u32, n: i8, weekday: Weekday },
    /// `BYMONTH=m;BYDAY=WD;BYMONTHDAY=a,b,...` (the old US rules).
    WeekdayInDays {
        month: u32,
        weekday: Weekday,
        days: Vec<i8>,
    },
    /// `BYMONTH=m;BYMONTHDAY=d` (d > 0).
    MonthDay { month: u32, day: u32 },
}

impl YearlyShape {
    fn of(r: &Recur) -> Option<YearlyShape> {
        let plain = r.freq == Frequency::Yearly
            && r.interval() == 1
            && r.count.is_none()
            && r.by_second.is_empty()
            && r.by_minute.is_empty()
            && r.by_hour.is_empty()
            && r.by_year_day.is_empty()
            && r.by_week_no.is_empty()
            && r.by_set_pos.is_empty()
            && r.rscale.is_none()
            && r.other.is_empty();
        let [m] = r.by_month.as_slice() else {
            return None;
        };
        if !plain || m.leap || !(1..=12).contains(&m.month) {
            return None;
        }
        let month = u32::from(m.month);
        match (r.by_day.as_slice(), r.by_month_day.as_slice()) {
            ([d], []) => match d.ordinal {
                Some(n) if n != 0 && (-5..=5).contains(&n) => Some(YearlyShape::NthWeekday {
                    month,
                    n,
                    weekday: d.weekday,
                }),
                _ => None,
            },
            ([d], days) if d.ordinal.is_none() && !days.is_empty() => {
                Some(YearlyShape::WeekdayInDays {
                    month,
                    weekday: d.weekday,
                    days: days.to_vec(),
                })
            }
            ([], [day]) if *day > 0 => Some(YearlyShape::MonthDay {
                month,
                day: u32::from(day.unsigned_abs()),
            }),
            _ => None,
        }
    }

    /// The onset date in year `y`, if the rule has one that year.
    fn date_in(&self, y: i32) -> Option<NaiveDate> {
        match self {
            YearlyShape::NthWeekday { month, n, weekday } => {
                let first = NaiveDate::from_ymd_opt(y, *month, 1)?;
                let len = days_in_month(y, *month);
                let ahead = (7 + weekday.num_days_from_monday()
                    - first.weekday().num_days_from_monday())
                    % 7;
                let first_match = 1 + ahead;
                let day = if *n > 0 {
                    first_match + 7 * (u32::from(n.unsigned_abs()) - 1)
                } else {
                    let last_match = first_match + 7 * ((len - first_match) / 7);
                    last_match.checked_sub(7 * (u32::from(n.unsigned_abs()) - 1))?
                };
                if day == 0 || day > len {
                    return None;
                }
                NaiveDate::from_ymd_opt(y, *month, day)
            }
            YearlyShape::WeekdayInDays {
                month,
                weekday,
                days,
            } => {
                let len = i64::from(days_in_month(y, *month));
                // The first day of the month in the list with that weekday.
                (1..=len)
                    .filter(|d| {
                        days.iter()
                            .any(|&x| i64::from(x) == *d || len + i64::from(x) + 1 == *d)
                    })
                    .filter_map(|d| NaiveDate::from_ymd_opt(y, *month, u32::try_from(d).ok()?))
                    .find(|d| d.weekday() == *weekday)
            }
            YearlyShape::MonthDay { month, day } => NaiveDate::from_ymd_opt(y, *month, *day),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Transition {
    utc: NaiveDateTime,
    from: i32,
    to: i32,
}

/// Rules of one VTIMEZONE. Transitions are computed when first needed, a
/// block of years at a time, and cached; reading a VTIMEZONE costs nothing
/// until a time is converted.
#[derive(Debug)]
pub struct VTimeZone {
    tzid: String,
    observances: Vec<Observance>,
    /// Year of the earliest onset of any observance.
    first_year: i32,
    /// Year after which no observance has an onset (`None`: some observance
    /// recurs without end).
    last_year: Option<i32>,
    blocks: Mutex<HashMap<i32, Arc<[Transition]>, BuildBlockHasher>>,
    /// The largest TZOFFSETFROM (seconds, at least 0): a transition whose
    /// onset is in a later block than an instant `utc` can only come at or
    /// before it when `utc` is within this much of that block's start.
    max_from: i32,
    cut: AtomicBool,
    /// Observances whose rule was found to match no date at all.
    dead: Vec<AtomicBool>,
    /// Most transitions computed per block.
    max_transitions: usize,
}

fn offset_of(c: &Component, name: &str) -> Option<i32> {
    match c.property(name)?.value()? {
        Value::UtcOffset(o) => Some(o.seconds),
        _ => None,
    }
}

fn local_of(v: &Value) -> Option<NaiveDateTime> {
    match v {
        Value::DateTime(dt) => Some(dt.local),
        Value::Date(d) => d.and_hms_opt(0, 0, 0),
        Value::Period(p) => Some(p.start.local),
        _ => None,
    }
}

impl VTimeZone {
    /// Reads a VTIMEZONE. `Err` explains why it cannot be used; notes list
    /// observances that were skipped or cut.
    pub fn from_component(c: &Component) -> Result<(VTimeZone, Vec<String>), String> {
        VTimeZone::from_component_with(c, &ZoneLimits::default())
    }

    /// [`VTimeZone::from_component`] within the given limits.
    pub fn from_component_with(
        c: &Component,
        limits: &ZoneLimits,
    ) -> Result<(VTimeZone, Vec<String>), String> {
        let (max_observances, max_rule_observances) =
            (limits.max_observances, limits.max_rule_observances);
        let tzid = c.text("TZID").unwrap_or_default().to_string();
        let mut notes = Vec::new();
        let mut observances = Vec::new();
        for o in c
            .components
            .iter()
            .filter(|o| o.is("STANDARD") || o.is("DAYLIGHT"))
        {
            let Some(dtstart) = o
                .property("DTSTART")
                .and_then(|p| p.value())
                .and_then(local_of)
            else {
                notes.push(format!(
                    "a {} observance without a usable DTSTART was skipped",
                    o.name()
                ));
                continue;
            };
            let Some(to) = offset_of(o, "TZOFFSETTO") else {
                notes.push(format!(
                    "a {} observance without TZOFFSETTO was skipped",
                    o.name()
                ));
                continue;
            };
            let from = offset_of(o, "TZOFFSETFROM").unwrap_or(to);
            let recur = o
                .property("RRULE")
                .and_then(|p| p.value())
                .and_then(Value::as_recur)
                .cloned();
            let rdates = o
                .properties_named("RDATE")
                .flat_map(|p| p.values().as_slice().iter().filter_map(local_of))
                .collect();
            let shape = recur.as_ref().and_then(YearlyShape::of);
            observances.push(Observance {
                dtstart,
                from,
                to,
                recur,
                shape,
                rdates,
            });
        }
        if observances.is_empty() {
            return Err(format!(
                "VTIMEZONE '{tzid}' has no usable STANDARD or DAYLIGHT observance"
            ));
        }
        if observances.len() > max_observances {
            notes.push(format!(
                "VTIMEZONE '{tzid}' has {} observances; only the first {max_observances} are used",
                observances.len()
            ));
            observances.truncate(max_observances);
        }
        let mut general = 0usize;
        for o in &mut observances {
            if o.recur.is_some() && o.shape.is_none() {
                general += 1;
                if general > max_rule_observances {
                    o.recur = None;
                }
            }
        }
        if general > max_rule_observances {
            notes.push(format!(
                "VTIMEZONE '{tzid}' has {general} observances with unusual RRULEs; the rules of all but the first {max_rule_observances} are ignored"
            ));
        }
        let first_year = observances
            .iter()
            .flat_map(|o| std::iter::once(o.dtstart).chain(o.rdates.iter().copied()))
            .map(|t| t.year())
            .min()
            .unwrap_or(1970);
        let mut last_year = Some(first_year);
        for o in &observances {
            let own = std::iter::once(o.dtstart)
                .chain(o.rdates.iter().copied())
                .map(|t| t.year())
                .max()
                .unwrap_or(first_year);
            let rule_end = match &o.recur {
                None => Some(own),
                Some(r) => match &r.until {
                    Some(RecurUntil::Date(d)) => Some(d.year()),
                    Some(RecurUntil::DateTime(dt)) => Some(dt.local.year()),
                    // COUNT: its instances are found by walking from DTSTART.
                    None if r.count.is_some() => None,
                    None => None,
                },
            };
            last_year = match (last_year, rule_end) {
                (Some(a), Some(b)) => Some(a.max(b).max(own)),
                _ => None,
            };
        }
        Ok((
            VTimeZone {
                tzid,
                first_year,
                last_year,
                blocks: Mutex::new(HashMap::default()),
                max_from: observances.iter().map(|o| o.from).max().unwrap_or(0).max(0),
                cut: AtomicBool::new(false),
                dead: observances.iter().map(|_| AtomicBool::new(false)).collect(),
                observances,
                max_transitions: limits.max_transitions,
            },
            notes,
        ))
    }

    /// The TZID.
    pub fn tzid(&self) -> &str {
        &self.tzid
    }

    /// Transitions whose onset (local) lies in `[from, to]` (years of the
    /// local onset), sorted by instant; whether the budget cut them; and
    /// whether some observance goes on after `to`.
    fn compute(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
        budget: usize,
    ) -> (Vec<Transition>, bool, bool) {
        let mut out = Vec::new();
        let mut cut = false;
        let mut open = false;
        for (oi, o) in self.observances.iter().enumerate() {
            let push = |out: &mut Vec<Transition>, local: NaiveDateTime| {
                out.push(Transition {
                    utc: add_secs(local, -i64::from(o.from)),
                    from: o.from,
                    to: o.to,
                });
            };
            if o.dtstart >= from && o.dtstart <= to {
                push(&mut out, o.dtstart);
            }
            for r in &o.rdates {
                if *r >= from && *r <= to {
                    push(&mut out, *r);
                }
            }
            let Some(recur) = &o.recur else { continue };
            let dead = self.dead.get(oi);
            if dead.is_some_and(|d| d.load(Ordering::Relaxed)) || out.len() >= budget {
                continue;
            }
            let until = recur.until.as_ref().map(|u| match u {
                RecurUntil::Date(d) => Until::Date(*d),
                // Onset in UTC = local - from.
                RecurUntil::DateTime(dt) if dt.zone == Zone::Utc => {
                    Until::Wall(add_secs(dt.local, i64::from(o.from)))
                }
                RecurUntil::DateTime(dt) => Until::Wall(dt.local),
            });
            if let Some(shape) = &o.shape {
                for y in from.year()..=to.year() {
                    let Some(onset) = shape.date_in(y).map(|d| d.and_time(o.dtstart.time())) else {
                        continue;
                    };
                    let before_until = match until {
                        None => true,
                        Some(Until::Date(d)) => onset.date() <= d,
                        Some(Until::Wall(w) | Until::Utc(w)) => onset <= w,
                    };
                    if !before_until {
                        break;
                    }
                    if onset > o.dtstart && onset >= from && onset <= to {
                        push(&mut out, onset);
                    }
                }
                if until.is_none() {
                    open = true;
                }
                continue;
            }
            let spec = RuleSpec {
                recur: recur.clone(),
                dtstart: o.dtstart,
                zone: None,
                until,
                include_dtstart: false,
                skip_to: if recur.count.is_none() {
                    Some(from)
                } else {
                    None
                },
                limits: RuleLimits {
                    max_instances: budget,
                    max_empty: 100_000,
                },
            };
            let mut it = RuleIter::new(&spec, None);
            let mut ended = true;
            for occ in it.by_ref() {
                if occ.wall > to {
                    ended = false;
                    break;
                }
                if occ.wall >= from && occ.wall != o.dtstart {
                    push(&mut out, occ.wall);
                }
                if out.len() >= budget {
                    cut = true;
                    break;
                }
            }
            if it.hit_limit() {
                cut = true;
            }
            if !it.found_any()
                && let Some(d) = dead
            {
                d.store(true, Ordering::Relaxed);
            }
            if !ended || (recur.count.is_none() && recur.until.is_none()) {
                open = true;
            }
        }
        out.sort_by_key(|t| t.utc);
        out.dedup_by(|b, a| {
            if a.utc == b.utc {
                *a = *b;
                true
            } else {
                false
            }
        });
        (out, cut, open)
    }

    /// The transitions whose local onset falls in block `b` (years
    /// `b * BLOCK_YEARS ..`), computed once.
    fn block(&self, b: i32) -> Arc<[Transition]> {
        let mut blocks = self
            .blocks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(t) = blocks.get(&b) {
            return t.clone();
        }
        let y0 = b.saturating_mul(BLOCK_YEARS);
        let from = NaiveDate::from_ymd_opt(y0, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0));
        let to = NaiveDate::from_ymd_opt(y0.saturating_add(BLOCK_YEARS - 1), 12, 31)
            .and_then(|d| d.and_hms_opt(23, 59, 59));
        let computed: Arc<[Transition]> = match (from, to) {
            (Some(f), Some(t)) => {
                let (tr, cut, _) = self.compute(f, t, self.max_transitions);
                if cut {
                    self.cut.store(true, Ordering::Relaxed);
                }
                tr.into()
            }
            _ => Arc::from(Vec::new()),
        };
        if blocks.len() >= MAX_BLOCKS {
            blocks.clear();
        }
        blocks.insert(b, computed.clone());
        computed
    }

    fn block_of(utc: NaiveDateTime) -> i32 {
        utc.year().div_euclid(BLOCK_YEARS)
    }

    /// The last transition at or before `utc`.
    fn last_before(&self, utc: NaiveDateTime) -> Option<Transition> {
        let first_block = self.first_year.div_euclid(BLOCK_YEARS) - 1;
        // Onsets are local times: one block of slack. Past the last onset
        // of every observance, start there.
        let (mut b, window) = match self.last_year {
            Some(l) if l.saturating_add(1) < utc.year() => {
                let b = l.saturating_add(1).div_euclid(BLOCK_YEARS);
                (b, b)
            }
            // The next block only when `utc` is near its start; the blocks
            // looked back at are the same either way.
            _ => (
                Self::block_of(add_secs(utc, i64::from(self.max_from)))
                    .clamp(Self::block_of(utc), Self::block_of(utc) + 1),
                Self::block_of(utc) + 1,
            ),
        };
        let stop = first_block.max(window.saturating_sub(MAX_BLOCKS_BACK));
        while b >= stop {
            let t = self.block(b);
            let i = t.partition_point(|x| x.utc <= utc);
            if let Some(x) = i.checked_sub(1).and_then(|j| t.get(j)) {
                return Some(*x);
            }
            b -= 1;
        }
        if stop <= first_block {
            return None;
        }
        // Nothing for centuries: the latest DTSTART or RDATE onset before
        // `utc` (rules that produced nothing that long are taken as over).
        self.observances
            .iter()
            .flat_map(|o| {
                std::iter::once(o.dtstart)
                    .chain(o.rdates.iter().copied())
                    .map(move |l| Transition {
                        utc: add_secs(l, -i64::from(o.from)),
                        from: o.from,
                        to: o.to,
                    })
            })
            .filter(|t| t.utc <= utc)
            .max_by_key(|t| t.utc)
    }

    /// The first transition after `utc`, looking at most two blocks ahead;
    /// `Err(bound)` when there is none before `bound` (the caller may treat
    /// the offset as constant until then), `Ok(None)` when there is none
    /// ever.
    fn first_after(&self, utc: NaiveDateTime) -> Result<Option<Transition>, NaiveDateTime> {
        let b0 = Self::block_of(utc) - 1;
        for b in b0..=b0 + 3 {
            let t = self.block(b);
            let i = t.partition_point(|x| x.utc <= utc);
            if let Some(x) = t.get(i) {
                return Ok(Some(*x));
            }
        }
        if self.last_year.is_some_and(|l| l < utc.year() - 1) {
            return Ok(None);
        }
        let bound = NaiveDate::from_ymd_opt((b0 + 3).saturating_mul(BLOCK_YEARS), 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or(utc);
        Err(bound.max(utc))
    }

    /// The offset before the first transition.
    fn initial_offset(&self) -> i32 {
        let first = self.first_year.div_euclid(BLOCK_YEARS);
        for b in first - 1..=first + 1 {
            if let Some(t) = self.block(b).first() {
                return t.from;
            }
        }
        self.observances.first().map_or(0, |o| o.from)
    }

    /// True when some block had more transitions than [`MAX_TRANSITIONS`]
    /// and was cut.
    pub fn was_cut(&self) -> bool {
        self.cut.load(Ordering::Relaxed)
    }
}

impl ZoneRules for VTimeZone {
    fn offset_at(&self, utc: NaiveDateTime) -> i32 {
        match self.last_before(utc) {
            Some(t) => t.to,
            None => self.initial_offset(),
        }
    }

    fn span(&self, utc: NaiveDateTime) -> Span {
        let before = self.last_before(utc);
        let offset = before.map_or_else(|| self.initial_offset(), |t| t.to);
        let end = match self.first_after(utc) {
            Ok(t) => t.map(|t| t.utc),
            Err(bound) => Some(bound),
        };
        Span {
            start: before.map(|t| t.utc),
            end,
            offset,
        }
    }

    fn warnings(&self) -> Vec<String> {
        if self.was_cut() {
            vec![format!(
                "VTIMEZONE '{}' has more than {} transitions in {BLOCK_YEARS} years; the rest were ignored",
                self.tzid, self.max_transitions
            )]
        } else {
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zone::{LocalTime, TimeZone};
    use oxpim_contentline::Parser;

    const WEST: &str = "BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";

    fn zone(text: &str) -> TimeZone {
        let doc = Parser::new().parse(text.as_bytes()).document;
        let (vtz, notes) = VTimeZone::from_component(&doc.components[0]).unwrap();
        assert!(notes.is_empty(), "{notes:?}");
        TimeZone::Rules(std::sync::Arc::new(vtz))
    }

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S").unwrap()
    }

    #[test]
    fn outlook_custom_zone_matches_berlin() {
        let z = zone(WEST);
        let berlin = TimeZone::Iana(chrono_tz::Europe::Berlin);
        let mut t = dt("20200101T000000");
        while t < dt("20300101T000000") {
            assert_eq!(z.offset_at(t), berlin.offset_at(t), "{t}");
            t = add_secs(t, 6 * 3600 + 7 * 60);
        }
        assert_eq!(
            z.resolve(dt("20250330T023000")),
            LocalTime::Gap {
                shifted: dt("20250330T013000")
            }
        );
        // Far future and past.
        assert_eq!(z.offset_at(dt("24000715T120000")), 7200);
        assert_eq!(z.offset_at(dt("24001215T120000")), 3600);
        assert_eq!(z.offset_at(dt("16500715T120000")), 7200);
        // Before the first onset (DAYLIGHT, 1601-01-01 02:00): its TZOFFSETFROM.
        assert_eq!(z.offset_at(dt("15000101T000000")), 3600);
    }

    /// A transition whose local onset opens a block (1 January of a year
    /// divisible by the block length) but whose instant, in a zone ahead
    /// of UTC, falls in the block before, is found from instants between
    /// the two; and the offsets around it are right at every hour.
    #[test]
    fn transitions_at_a_block_start_in_a_zone_ahead_of_utc() {
        let text = "BEGIN:VTIMEZONE\r\nTZID:Ahead\r\nBEGIN:STANDARD\r\nDTSTART:20000101T003000\r\nRRULE:FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1\r\nTZOFFSETFROM:+1400\r\nTZOFFSETTO:+1300\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:20000701T003000\r\nRRULE:FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=1\r\nTZOFFSETFROM:+1300\r\nTZOFFSETTO:+1400\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";
        let z = zone(text);
        assert_eq!(BLOCK_YEARS, 8);
        // 2024-01-01 00:30 at +14:00 is 2023-12-31 10:30 UTC.
        assert_eq!(z.offset_at(dt("20231231T102959")), 14 * 3600);
        assert_eq!(z.offset_at(dt("20231231T103000")), 13 * 3600);
        assert_eq!(z.offset_at(dt("20231231T235959")), 13 * 3600);
        let mut t = dt("20231230T000000");
        while t < dt("20240103T000000") {
            let want = if t < dt("20231231T103000") { 14 } else { 13 } * 3600;
            assert_eq!(z.offset_at(t), want, "{t}");
            t = add_secs(t, 1800);
        }
    }

    #[test]
    fn gmt_with_british_summer_time_rules() {
        let text = "BEGIN:VTIMEZONE\r\nTZID:GMT\r\nBEGIN:STANDARD\r\nDTSTART:16011028T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010325T010000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";
        let z = zone(text);
        assert_eq!(z.to_utc(dt("20250715T102000")), dt("20250715T092000"));
        assert_eq!(z.to_utc(dt("20250115T102000")), dt("20250115T102000"));
    }

    #[test]
    fn rdate_observances_and_no_observance() {
        let text = "BEGIN:VTIMEZONE\r\nTZID:X\r\nBEGIN:STANDARD\r\nDTSTART:20200101T000000\r\nRDATE:20210601T000000\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0400\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";
        let z = zone(text);
        assert_eq!(z.offset_at(dt("20191201T000000")), 3 * 3600);
        assert_eq!(z.offset_at(dt("20200601T000000")), 4 * 3600);
        let doc = Parser::new()
            .parse(b"BEGIN:VTIMEZONE\r\nTZID:Y\r\nEND:VTIMEZONE\r\n")
            .document;
        assert!(VTimeZone::from_component(&doc.components[0]).is_err());
    }

    #[test]
    fn thousands_of_observances_stay_bounded() {
        let mut text = String::from("BEGIN:VTIMEZONE\r\nTZID:Many\r\n");
        for i in 0..3000 {
            text.push_str(&format!(
                "BEGIN:DAYLIGHT\r\nDTSTART:19700101T{:02}0000\r\nRRULE:FREQ=DAILY\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0{}00\r\nEND:DAYLIGHT\r\n",
                i % 24,
                i % 9
            ));
        }
        text.push_str("END:VTIMEZONE\r\n");
        let doc = Parser::new().parse(text.as_bytes()).document;
        let (vtz, notes) = VTimeZone::from_component(&doc.components[0]).unwrap();
        assert!(
            notes.iter().any(|n| n.contains("3000 observances")),
            "{notes:?}"
        );
        // Some offset comes out, the work is bounded, and the cut is said.
        let o = vtz.offset_at(dt("19800101T120000"));
        assert!((0..=8 * 3600).contains(&o));
        assert!(vtz.was_cut());
        assert!(!vtz.warnings().is_empty());
    }

    #[test]
    fn fast_shapes_agree_with_the_rule_engine() {
        let rules = [
            (
                "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
                "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
            ),
            (
                "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU",
                "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU",
            ),
            (
                "RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=SU;BYMONTHDAY=1,2,3,4,5,6,7",
                "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=SU;BYMONTHDAY=-1,-2,-3,-4,-5,-6,-7",
            ),
            (
                "RRULE:FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=21;UNTIL=20300101T000000Z",
                "RRULE:FREQ=YEARLY;BYMONTH=9;BYDAY=-2FR;UNTIL=20300101T000000Z",
            ),
            (
                "RRULE:FREQ=YEARLY;BYMONTH=2;BYDAY=5SU",
                "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=4SA",
            ),
        ];
        for (day, std) in rules {
            let text = format!(
                "BEGIN:VTIMEZONE\r\nTZID:T\r\nBEGIN:STANDARD\r\nDTSTART:19801026T030000\r\n{std}\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0200\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19800330T020000\r\n{day}\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0300\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
            );
            let doc = Parser::new().parse(text.as_bytes()).document;
            let (fast, _) = VTimeZone::from_component(&doc.components[0]).unwrap();
            let (mut slow, _) = VTimeZone::from_component(&doc.components[0]).unwrap();
            assert!(
                fast.observances.iter().all(|o| o.shape.is_some()),
                "{day} {std}"
            );
            for o in &mut slow.observances {
                o.shape = None;
            }
            let mut t = dt("19790101T000000");
            while t < dt("20450101T000000") {
                assert_eq!(fast.offset_at(t), slow.offset_at(t), "{t} {day} {std}");
                t = add_secs(t, 86_400 / 3 + 17);
            }
            for y in 1981..2044 {
                assert_eq!(
                    fast.block(y / BLOCK_YEARS),
                    slow.block(y / BLOCK_YEARS),
                    "{y}"
                );
            }
        }
    }
}
