//! One recurrence rule, expanded with the `rrule` crate in wall-clock time.
//!
//! The crate is driven with UTC as a stand-in for the wall clock of the
//! series (no gaps or folds there), following the recipe in
//! `../shared/reference/peers.md` §3.2–3.3. What the crate does not do, or
//! does differently from RFC 5545, is done here around it:
//!
//! - every default that RFC 5545 takes from DTSTART (BYSECOND, BYMINUTE,
//!   BYHOUR, BYDAY, BYMONTHDAY, BYMONTH) is made explicit, so that the crate
//!   can start at the beginning of DTSTART's period, or of a later period
//!   (skipping ahead to a window), without changing the rule;
//! - BYSETPOS (any FREQ, ±366), COUNT and UNTIL (a DATE, floating or UTC)
//!   are applied here; DTSTART is always the first instance and counts;
//! - BYDAY ordinals outside the crate's per-FREQ ranges are filtered here;
//! - BYSECOND=60, parts that RFC 5545 forbids for the FREQ, and X- parts
//!   are dropped with a note; RSCALE other than GREGORIAN gives a note and
//!   no rule instances;
//! - DST: see [`Occurrence`].
//!
//! DAILY and WEEKLY rules whose candidates are whole days at one time of
//! day (no BYMONTH, BYMONTHDAY, BYYEARDAY, BYWEEKNO, BYDAY ordinals or
//! lists of times), the most common rules by far, get their candidates
//! from [`Days`] instead of the crate: the same date-times in the same
//! order (tested against the crate over many rules), at a fraction of the
//! cost. Everything else above applies to them unchanged.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono::{
    Datelike, Month, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone as _, Timelike,
    Weekday,
};
use oxpim_contentline::value::{Frequency, Recur};

use crate::zone::{LocalTime, TimeZone, ZoneCursor};

/// Bounds on one expansion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleLimits {
    /// Most instances produced (DTSTART included).
    pub max_instances: usize,
    /// Most candidates examined in a row without producing an instance;
    /// a rule that never matches ends there with a note.
    pub max_empty: u64,
}

impl Default for RuleLimits {
    fn default() -> Self {
        RuleLimits {
            max_instances: 100_000,
            max_empty: 1_000_000,
        }
    }
}

/// Where a rule stops, in the terms of its series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// A UTC instant (series with a zone, or in UTC).
    Utc(NaiveDateTime),
    /// A wall-clock time (floating series).
    Wall(NaiveDateTime),
    /// A date: instances on or before it.
    Date(NaiveDate),
}

/// One instance of a rule.
///
/// For a series with a zone, `utc` is its instant. Local times that do not
/// exist (clocks jumped forward) move forward by the gap for DAILY and
/// coarser rules (RFC 5545 §3.3.5) and are skipped, uncounted, for HOURLY,
/// MINUTELY and SECONDLY rules (RFC 5545 §3.3.10), since the next instance
/// already covers that instant. Local times that happen twice take the first
/// occurrence for DAILY and coarser rules, and both occurrences for finer
/// rules: a sub-daily rule has neither duplicate nor missing instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Occurrence {
    /// The UTC instant (`None` for floating and all-day series).
    pub utc: Option<NaiveDateTime>,
    /// The wall-clock time in the series' zone.
    pub wall: NaiveDateTime,
}

/// A rule ready to expand.
#[derive(Debug, Clone)]
pub struct RuleSpec {
    /// The rule.
    pub recur: Recur,
    /// DTSTART as a wall-clock time (00:00 for all-day series).
    pub dtstart: NaiveDateTime,
    /// The zone of the series (`None`: floating or all-day).
    pub zone: Option<TimeZone>,
    /// UNTIL, converted to the series' terms by the caller.
    pub until: Option<Until>,
    /// True to emit DTSTART as the first instance (RRULE); false for EXRULE.
    pub include_dtstart: bool,
    /// Skip ahead to periods that can reach this wall-clock time (only used
    /// when the rule has no COUNT).
    pub skip_to: Option<NaiveDateTime>,
    /// Bounds.
    pub limits: RuleLimits,
}

fn period_key(freq: Frequency, wkst: Weekday, t: NaiveDateTime) -> i64 {
    let days = i64::from(t.date().num_days_from_ce());
    match freq {
        Frequency::Yearly => i64::from(t.year()),
        Frequency::Monthly => i64::from(t.year()) * 12 + i64::from(t.month()),
        Frequency::Weekly => {
            let back = (7 + t.weekday().num_days_from_monday() - wkst.num_days_from_monday()) % 7;
            days - i64::from(back)
        }
        Frequency::Daily => days,
        Frequency::Hourly => days * 24 + i64::from(t.hour()),
        Frequency::Minutely => (days * 24 + i64::from(t.hour())) * 60 + i64::from(t.minute()),
        Frequency::Secondly => {
            ((days * 24 + i64::from(t.hour())) * 60 + i64::from(t.minute())) * 60
                + i64::from(t.second())
        }
    }
}

/// The first instant of the period (of FREQ) that contains `t`.
fn period_start(freq: Frequency, wkst: Weekday, t: NaiveDateTime) -> NaiveDateTime {
    let date = t.date();
    let midnight = |d: NaiveDate| d.and_time(NaiveTime::MIN);
    match freq {
        Frequency::Yearly => NaiveDate::from_ymd_opt(t.year(), 1, 1).map_or(t, midnight),
        Frequency::Monthly => NaiveDate::from_ymd_opt(t.year(), t.month(), 1).map_or(t, midnight),
        Frequency::Weekly => {
            let back =
                (7 + date.weekday().num_days_from_monday() - wkst.num_days_from_monday()) % 7;
            TimeDelta::try_days(i64::from(back))
                .and_then(|d| date.checked_sub_signed(d))
                .map_or(t, midnight)
        }
        Frequency::Daily => midnight(date),
        Frequency::Hourly => date.and_hms_opt(t.hour(), 0, 0).unwrap_or(t),
        Frequency::Minutely => date.and_hms_opt(t.hour(), t.minute(), 0).unwrap_or(t),
        Frequency::Secondly => t,
    }
}

fn add_months(t: NaiveDateTime, months: i64) -> Option<NaiveDateTime> {
    let total = i64::from(t.year()) * 12 + i64::from(t.month0()) + months;
    let y = i32::try_from(total.div_euclid(12)).ok()?;
    let m = u32::try_from(total.rem_euclid(12)).ok()? + 1;
    Some(NaiveDate::from_ymd_opt(y, m, 1)?.and_time(t.time()))
}

/// Moves the period start `base` forward by whole INTERVAL periods so that
/// it is at most one period before `target`.
fn skip_ahead(
    freq: Frequency,
    interval: u32,
    base: NaiveDateTime,
    target: NaiveDateTime,
) -> NaiveDateTime {
    if target <= base {
        return base;
    }
    let interval = i64::from(interval.max(1));
    let whole = |units: i64| (units / interval - 1).max(0) * interval;
    let shifted = match freq {
        Frequency::Yearly => add_months(base, whole(i64::from(target.year() - base.year())) * 12),
        Frequency::Monthly => {
            let months = (i64::from(target.year()) * 12 + i64::from(target.month0()))
                - (i64::from(base.year()) * 12 + i64::from(base.month0()));
            add_months(base, whole(months))
        }
        Frequency::Weekly => TimeDelta::try_days(whole((target - base).num_days() / 7) * 7)
            .and_then(|d| base.checked_add_signed(d)),
        Frequency::Daily => TimeDelta::try_days(whole((target - base).num_days()))
            .and_then(|d| base.checked_add_signed(d)),
        Frequency::Hourly => TimeDelta::try_hours(whole((target - base).num_hours()))
            .and_then(|d| base.checked_add_signed(d)),
        Frequency::Minutely => TimeDelta::try_minutes(whole((target - base).num_minutes()))
            .and_then(|d| base.checked_add_signed(d)),
        Frequency::Secondly => TimeDelta::try_seconds(whole((target - base).num_seconds()))
            .and_then(|d| base.checked_add_signed(d)),
    };
    shifted.unwrap_or(base)
}

fn to_crate_freq(f: Frequency) -> rrule::Frequency {
    match f {
        Frequency::Secondly => rrule::Frequency::Secondly,
        Frequency::Minutely => rrule::Frequency::Minutely,
        Frequency::Hourly => rrule::Frequency::Hourly,
        Frequency::Daily => rrule::Frequency::Daily,
        Frequency::Weekly => rrule::Frequency::Weekly,
        Frequency::Monthly => rrule::Frequency::Monthly,
        Frequency::Yearly => rrule::Frequency::Yearly,
    }
}

/// The crate's accepted BYDAY ordinal range per FREQ.
fn crate_ordinal_ok(freq: Frequency, n: i8) -> bool {
    let n = i32::from(n);
    match freq {
        Frequency::Monthly => (-4..=5).contains(&n),
        Frequency::Yearly => (-52..=53).contains(&n),
        _ => false,
    }
}

/// BYDAY entries filtered here: (ordinal, weekday); ordinal 0 = every.
type OrdinalFilter = Vec<(i32, Weekday)>;

fn ordinal_matches(filter: &OrdinalFilter, freq: Frequency, in_month: bool, d: NaiveDate) -> bool {
    let w = d.weekday();
    let (pos, len) = if freq == Frequency::Monthly || in_month {
        (d.day(), days_in_month(d.year(), d.month()))
    } else {
        (d.ordinal(), days_in_year(d.year()))
    };
    filter.iter().any(|&(n, wd)| {
        wd == w
            && match n.signum() {
                0 => true,
                1 => i64::from(pos - 1) / 7 + 1 == i64::from(n),
                _ => i64::from(len - pos) / 7 + 1 == i64::from(-n),
            }
    })
}

/// Conditions on candidate dates that the crate is not asked to apply.
#[derive(Debug, Clone)]
struct DayFilter {
    freq: Frequency,
    wkst: Weekday,
    /// BYDAY with ordinals, and whether BYMONTH makes them count in months.
    ordinals: Option<(OrdinalFilter, bool)>,
    week_no: Vec<i8>,
    year_day: Vec<i16>,
    month_day: Vec<i8>,
}

impl Default for DayFilter {
    fn default() -> Self {
        DayFilter {
            freq: Frequency::Daily,
            wkst: Weekday::Mon,
            ordinals: None,
            week_no: Vec::new(),
            year_day: Vec::new(),
            month_day: Vec::new(),
        }
    }
}

pub(crate) fn days_in_month(y: i32, m: u32) -> u32 {
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y.saturating_add(1), 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).map_or(31, |l| l.day())
}

fn days_in_year(y: i32) -> u32 {
    if NaiveDate::from_ymd_opt(y, 2, 29).is_some() {
        366
    } else {
        365
    }
}

/// True when `pos` (1-based) is picked by `n` (1-based, or negative from
/// the end) among `len` positions.
fn pos_matches(n: i32, pos: u32, len: u32) -> bool {
    let (pos, len) = (i64::from(pos), i64::from(len));
    match n.signum() {
        1 => i64::from(n) == pos,
        -1 => len + i64::from(n) + 1 == pos,
        _ => false,
    }
}

/// The RFC 5545 week of `d` with weeks starting on `wkst`: week 1 is the
/// first week with at least four days in the year. Returns the week
/// number, and the number of weeks of the year the week belongs to.
pub(crate) fn week_of(d: NaiveDate, wkst: Weekday) -> (u32, u32) {
    // The first day of week 1 of year `y`.
    let week1 = |y: i32| -> Option<NaiveDate> {
        let jan1 = NaiveDate::from_ymd_opt(y, 1, 1)?;
        let back = (7 + jan1.weekday().num_days_from_monday() - wkst.num_days_from_monday()) % 7;
        let start = jan1.checked_sub_signed(TimeDelta::try_days(i64::from(back))?)?;
        // The week holding 1 January counts when 4+ of its days are in y.
        if 7 - back >= 4 {
            Some(start)
        } else {
            start.checked_add_signed(TimeDelta::try_days(7)?)
        }
    };
    let y = d.year();
    let (Some(this), Some(next), Some(prev)) = (week1(y), week1(y + 1), week1(y - 1)) else {
        return (1, 52);
    };
    let (start, end) = if d < this {
        (prev, this)
    } else if d >= next {
        (next, week1(y + 2).unwrap_or(next))
    } else {
        (this, next)
    };
    let weeks = u32::try_from((end - start).num_days() / 7).unwrap_or(52);
    let week = u32::try_from((d - start).num_days() / 7).unwrap_or(0) + 1;
    (week, weeks)
}

impl DayFilter {
    fn is_empty(&self) -> bool {
        self.week_no.is_empty() && self.year_day.is_empty() && self.month_day.is_empty()
    }

    fn matches(&self, d: NaiveDate) -> bool {
        if let Some((ords, in_month)) = &self.ordinals
            && !ordinal_matches(ords, self.freq, *in_month, d)
        {
            return false;
        }
        if !self.month_day.is_empty() {
            let len = days_in_month(d.year(), d.month());
            if !self
                .month_day
                .iter()
                .any(|&n| pos_matches(i32::from(n), d.day(), len))
            {
                return false;
            }
        }
        if !self.year_day.is_empty() {
            let len = days_in_year(d.year());
            if !self
                .year_day
                .iter()
                .any(|&n| pos_matches(i32::from(n), d.ordinal(), len))
            {
                return false;
            }
        }
        if !self.week_no.is_empty() {
            let (week, weeks) = week_of(d, self.wkst);
            if !self
                .week_no
                .iter()
                .any(|&n| pos_matches(i32::from(n), week, weeks))
            {
                return false;
            }
        }
        true
    }
}

fn select_positions(group: &[NaiveDateTime], set_pos: &[i16], out: &mut Vec<NaiveDateTime>) {
    let len = group.len() as i64;
    let mut picked: Vec<NaiveDateTime> = set_pos
        .iter()
        .filter_map(|&p| {
            let p = i64::from(p);
            let idx = if p > 0 { p - 1 } else { len + p };
            if (0..len).contains(&idx) {
                group.get(usize::try_from(idx).ok()?).copied()
            } else {
                None
            }
        })
        .collect();
    picked.sort();
    picked.dedup();
    out.extend(picked);
}

/// Builds the crate's iterator for `rule` from the period start `base`.
fn start_engine(
    rule: &rrule::RRule<rrule::Unvalidated>,
    base: NaiveDateTime,
) -> Result<Source, String> {
    let proxy = rrule::Tz::UTC.from_utc_datetime(&base);
    let rule = rule.clone();
    match catch_unwind(AssertUnwindSafe(|| rule.build(proxy))) {
        Ok(Ok(set)) => Ok(Source::Engine(Box::new(set.limit().into_iter()))),
        Ok(Err(e)) => Err(format!(
            "the rule cannot be expanded: {e}; it adds no instances"
        )),
        Err(_) => Err("the rule engine failed on this rule; it adds no instances".into()),
    }
}

/// What is needed to restart the engine later in the series.
struct Restart {
    rule: rrule::RRule<rrule::Unvalidated>,
    base: NaiveDateTime,
    interval: u32,
}

/// Which kind of [`Source`] a rule uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SourceKind {
    Engine,
    Step,
}

/// Where candidate date-times come from.
enum Source {
    /// The rrule crate.
    Engine(Box<rrule::RRuleSetIter>),
    /// DAILY and WEEKLY rules made of whole days at one time of day,
    /// generated here (see [`Days`]).
    Days(Box<Days>),
    /// Plain stepping from DTSTART by INTERVAL periods, for a rule without
    /// BY parts whose INTERVAL is beyond the crate's 65535.
    Step {
        next: Option<NaiveDateTime>,
        k: u64,
        interval: u32,
    },
}

impl Source {
    fn next(&mut self, freq: Frequency, dtstart: NaiveDateTime) -> Option<NaiveDateTime> {
        match self {
            Source::Engine(it) => it.next().map(|c| c.naive_utc()),
            Source::Days(days) => match days.next_candidate() {
                Some(c) => c,
                None => {
                    *self = days.engine();
                    self.next(freq, dtstart)
                }
            },
            Source::Step { next, k, interval } => loop {
                let cur = (*next)?;
                *k += 1;
                let steps = i64::try_from(*k).ok()?.checked_mul(i64::from(*interval))?;
                let day_steps = |unit: i64| TimeDelta::try_days(steps.checked_mul(unit)?);
                let following = match freq {
                    Frequency::Yearly | Frequency::Monthly => {
                        let months = if freq == Frequency::Yearly {
                            steps.checked_mul(12)?
                        } else {
                            steps
                        };
                        match add_months(dtstart, months) {
                            // Months without DTSTART's day are skipped.
                            Some(first) => match first.date().with_day(dtstart.day()) {
                                Some(d) => Some(d.and_time(dtstart.time())),
                                None => continue,
                            },
                            None => None,
                        }
                    }
                    Frequency::Weekly => day_steps(7).and_then(|d| dtstart.checked_add_signed(d)),
                    Frequency::Daily => day_steps(1).and_then(|d| dtstart.checked_add_signed(d)),
                    Frequency::Hourly => {
                        TimeDelta::try_hours(steps).and_then(|d| dtstart.checked_add_signed(d))
                    }
                    Frequency::Minutely => {
                        TimeDelta::try_minutes(steps).and_then(|d| dtstart.checked_add_signed(d))
                    }
                    Frequency::Secondly => {
                        TimeDelta::try_seconds(steps).and_then(|d| dtstart.checked_add_signed(d))
                    }
                };
                *next = following;
                return Some(cur);
            },
        }
    }
}

/// Periods in a row without a candidate after which the rule engine gives
/// up (the `rrule` crate's `MAX_ITER_LOOP`); [`Days`] does the same.
const ENGINE_EMPTY_PERIODS: u32 = 100_000;

/// The rule engine's year range (`rrule` crate: −10 000..=10 000).
const ENGINE_YEARS: i32 = 10_000;

/// The year from which [`Days`] hands the rule to the engine, so that the
/// end of the engine's year range (10 000) ends the series exactly as it
/// would have.
const DAYS_HANDOVER_YEAR: i32 = 9000;

/// The candidates of a DAILY or WEEKLY rule without BYMONTH, BYMONTHDAY,
/// BYYEARDAY, BYWEEKNO or BYDAY ordinals, at one time of day: the days of
/// each period (one day, or the BYDAY days of a week from WKST), INTERVAL
/// periods apart, from the period start `base` on. These are the same
/// date-times, in the same order, as the rrule crate gives for the rule
/// built in [`RuleIter::new`] (a test compares the two over many rules),
/// without the crate's per-candidate time-zone and buffer work, which is
/// most of an expansion's cost. From [`DAYS_HANDOVER_YEAR`] on, the crate
/// takes over at the period reached.
struct Days {
    /// The start (midnight) of the period whose days come next.
    period: NaiveDate,
    /// Days from one period to the next.
    step: u64,
    /// The candidate days of a period, as days after its start, ascending.
    offsets: Vec<u8>,
    /// For DAILY with BYDAY: the weekdays allowed (bit `n` for
    /// `num_days_from_monday() == n`); all for WEEKLY.
    weekdays: u8,
    /// The time of day of every candidate.
    time: NaiveTime,
    /// The candidates of the current period not yet given.
    pending: VecDeque<NaiveDateTime>,
    /// No candidates after this (the period counter overflowed, or
    /// [`ENGINE_EMPTY_PERIODS`] periods passed without one).
    finished: bool,
    /// The rule, for the engine that takes over.
    rule: rrule::RRule<rrule::Unvalidated>,
}

impl Days {
    /// The next candidate (`Some(None)` at the end), or `None` when the
    /// engine is to continue the rule from the period reached
    /// ([`Days::engine`]).
    fn next_candidate(&mut self) -> Option<Option<NaiveDateTime>> {
        if let Some(c) = self.pending.pop_front() {
            return Some(Some(c));
        }
        let mut periods = 0u32;
        while !self.finished {
            periods += 1;
            if periods >= ENGINE_EMPTY_PERIODS {
                self.finished = true;
                break;
            }
            if self.period.year() >= DAYS_HANDOVER_YEAR {
                return None;
            }
            for &off in &self.offsets {
                if let Some(d) = self
                    .period
                    .checked_add_days(chrono::Days::new(u64::from(off)))
                    && self.weekdays & (1 << d.weekday().num_days_from_monday()) != 0
                {
                    self.pending.push_back(d.and_time(self.time));
                }
            }
            // The engine ends where its period counter leaves its year
            // range, even when a long INTERVAL jumps past the handover year.
            match self.period.checked_add_days(chrono::Days::new(self.step)) {
                Some(next) if (-ENGINE_YEARS..=ENGINE_YEARS).contains(&next.year()) => {
                    self.period = next;
                }
                _ => self.finished = true,
            }
            if let Some(c) = self.pending.pop_front() {
                return Some(Some(c));
            }
        }
        Some(None)
    }

    /// The engine, started at the period reached.
    fn engine(&self) -> Source {
        let base = self.period.and_time(NaiveTime::MIN);
        match start_engine(&self.rule, base) {
            Ok(engine) => engine,
            // Not reached: the same rule started before.
            Err(_) => Source::Step {
                next: None,
                k: 0,
                interval: 1,
            },
        }
    }
}

/// Iterator over the instances of one rule, in order.
pub struct RuleIter<'z> {
    freq: Frequency,
    wkst: Weekday,
    inner: Option<Source>,
    set_pos: Vec<i16>,
    filter: Option<DayFilter>,
    restart: Option<Restart>,
    forcing_dtstart: bool,
    limited: bool,
    /// Second occurrences of repeated local times (sub-daily rules), held
    /// until every earlier instant has been emitted.
    held: std::collections::BinaryHeap<std::cmp::Reverse<Occurrence>>,
    last_candidate: Option<NaiveDateTime>,
    source_kind: SourceKind,
    group: Vec<NaiveDateTime>,
    group_key: Option<i64>,
    selected: VecDeque<NaiveDateTime>,
    out: VecDeque<Occurrence>,
    dtstart: NaiveDateTime,
    dtstart_pending: bool,
    until: Option<Until>,
    count: Option<u32>,
    emitted: u64,
    empty: u64,
    limits: RuleLimits,
    sub_daily: bool,
    cursor: Option<ZoneCursor<'z>>,
    done: bool,
    notes: Vec<String>,
    any_candidate: bool,
}

impl<'z> RuleIter<'z> {
    /// Prepares the expansion. Notes about changed or ignored rule parts
    /// are available from [`notes`](Self::notes).
    pub fn new(spec: &RuleSpec, zone: Option<&'z TimeZone>) -> RuleIter<'z> {
        RuleIter::build(spec, zone, true)
    }

    /// [`RuleIter::new`]; `native` lets [`Days`] generate the candidates of
    /// the rules it can (tests compare it with the engine).
    fn build(spec: &RuleSpec, zone: Option<&'z TimeZone>, native: bool) -> RuleIter<'z> {
        let r = &spec.recur;
        let mut notes = Vec::new();
        let freq = r.freq;
        let wkst = r.wkst.unwrap_or(Weekday::Mon);
        let dt = spec.dtstart;
        let mut it = RuleIter {
            freq,
            wkst,
            inner: None,
            set_pos: r.by_set_pos.clone(),
            filter: None,
            restart: None,
            forcing_dtstart: false,
            limited: false,
            held: std::collections::BinaryHeap::new(),
            last_candidate: None,
            source_kind: SourceKind::Engine,
            group: Vec::new(),
            group_key: None,
            selected: VecDeque::new(),
            out: VecDeque::new(),
            dtstart: dt,
            dtstart_pending: spec.include_dtstart,
            until: spec.until,
            count: r.count,
            emitted: 0,
            empty: 0,
            limits: spec.limits,
            sub_daily: matches!(
                freq,
                Frequency::Hourly | Frequency::Minutely | Frequency::Secondly
            ),
            cursor: zone.map(TimeZone::cursor),
            done: false,
            notes: Vec::new(),
            any_candidate: false,
        };
        if let Some(rs) = &r.rscale
            && !rs.eq_ignore_ascii_case("GREGORIAN")
        {
            notes.push(format!("RSCALE={rs} is not supported: only the Gregorian calendar is expanded; the rule adds no instances"));
            it.notes = notes;
            return it;
        }
        if r.skip.is_some() {
            notes.push("SKIP only applies with a non-Gregorian RSCALE; ignored".into());
        }
        for (k, _) in &r.other {
            notes.push(format!("rule part {k} is not understood and was ignored"));
        }
        let plain = !r.has_by_parts() && r.by_set_pos.is_empty();
        // Large intervals overflow the engine's counters: a rule without BY
        // parts is stepped here instead.
        if plain && r.interval() >= 1000 {
            it.inner = Some(Source::Step {
                next: Some(dt),
                k: 0,
                interval: r.interval(),
            });
            it.source_kind = SourceKind::Step;
            it.notes = notes;
            return it;
        }
        let Ok(interval) = u16::try_from(r.interval()) else {
            notes.push(format!("INTERVAL={} is larger than 65535, which the rule engine cannot expand together with BY parts; the rule adds no instances", r.interval()));
            it.notes = notes;
            return it;
        };

        // The leap second.
        let mut by_second: Vec<u8> = r.by_second.iter().copied().filter(|s| *s < 60).collect();
        if by_second.len() != r.by_second.len() {
            notes.push(
                "BYSECOND=60 (a leap second) never falls on a time oxpim can represent; dropped"
                    .into(),
            );
            if by_second.is_empty() {
                notes.push("BYSECOND holds only 60: the rule adds no instances".into());
                it.notes = notes;
                return it;
            }
        }

        // What a filter does to a rule without days of its own, said with
        // each note (`FREQ=WEEKLY;BYWEEKNO=4` gives every day of week 4).
        const FILTER_NOTE: &str = "; a rule that names no day of its own then covers every day of its period, as python-dateutil does";
        // Parts RFC 5545 forbids for this FREQ are applied as filters on the
        // candidate dates, as dateutil and ical.js do (docs/decisions.md).
        let mut filter = DayFilter::default();
        let mut by_week_no = r.by_week_no.clone();
        if !by_week_no.is_empty() && freq != Frequency::Yearly {
            notes.push(
                format!("BYWEEKNO is only allowed with FREQ=YEARLY; applied as a filter on the dates{FILTER_NOTE}"),
            );
            filter.week_no = std::mem::take(&mut by_week_no);
        }
        let mut by_year_day = r.by_year_day.clone();
        if !by_year_day.is_empty()
            && matches!(
                freq,
                Frequency::Daily | Frequency::Weekly | Frequency::Monthly
            )
        {
            notes.push(
                format!("BYYEARDAY is not allowed with FREQ=DAILY, WEEKLY or MONTHLY; applied as a filter on the dates{FILTER_NOTE}"),
            );
            filter.year_day = std::mem::take(&mut by_year_day);
        }
        let mut by_month_day = r.by_month_day.clone();
        if !by_month_day.is_empty() && freq == Frequency::Weekly {
            notes.push(
                format!("BYMONTHDAY is not allowed with FREQ=WEEKLY; applied as a filter on the dates{FILTER_NOTE}"),
            );
            filter.month_day = std::mem::take(&mut by_month_day);
        }
        let ordinals_allowed = matches!(freq, Frequency::Monthly)
            || (freq == Frequency::Yearly && by_week_no.is_empty());
        let mut by_day: Vec<(i32, Weekday)> = Vec::new();
        for d in &r.by_day {
            match d.ordinal {
                Some(n) if !ordinals_allowed => {
                    notes.push(format!(
                        "BYDAY ordinal {n}{} is not allowed with this FREQ; read as every {}",
                        oxpim_contentline::value::recur::weekday_code(d.weekday),
                        oxpim_contentline::value::recur::weekday_code(d.weekday)
                    ));
                    by_day.push((0, d.weekday));
                }
                Some(n) => by_day.push((i32::from(n), d.weekday)),
                None => by_day.push((0, d.weekday)),
            }
        }
        let mut by_month: Vec<u8> = r
            .by_month
            .iter()
            .filter(|m| !m.leap && (1..=12).contains(&m.month))
            .map(|m| m.month)
            .collect();
        if by_month.len() != r.by_month.len() {
            notes.push("leap months and BYMONTH=13 belong to non-Gregorian scales; dropped".into());
            if by_month.is_empty() {
                it.notes = notes;
                return it;
            }
        }

        // RFC 5545 defaults taken from DTSTART, made explicit.
        let mut by_minute = r.by_minute.clone();
        let mut by_hour = r.by_hour.clone();
        if by_second.is_empty() && freq != Frequency::Secondly {
            by_second.push(u8::try_from(dt.second().min(59)).unwrap_or(0));
        }
        if by_minute.is_empty() && !matches!(freq, Frequency::Secondly | Frequency::Minutely) {
            by_minute.push(u8::try_from(dt.minute()).unwrap_or(0));
        }
        if by_hour.is_empty()
            && matches!(
                freq,
                Frequency::Daily | Frequency::Weekly | Frequency::Monthly | Frequency::Yearly
            )
        {
            by_hour.push(u8::try_from(dt.hour()).unwrap_or(0));
        }
        let dt_day = i8::try_from(dt.day()).unwrap_or(1);
        let dt_month = u8::try_from(dt.month()).unwrap_or(1);
        // Every day of the period: the filters above then pick the days.
        let every_day = |by_day: &mut Vec<(i32, Weekday)>| {
            for w in [
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
                Weekday::Sat,
                Weekday::Sun,
            ] {
                by_day.push((0, w));
            }
        };
        match freq {
            Frequency::Weekly if by_day.is_empty() => {
                if filter.is_empty() {
                    by_day.push((0, dt.weekday()));
                } else {
                    every_day(&mut by_day);
                }
            }
            Frequency::Monthly if by_day.is_empty() && by_month_day.is_empty() => {
                if filter.is_empty() {
                    by_month_day.push(dt_day);
                } else {
                    every_day(&mut by_day);
                }
            }
            Frequency::Yearly => {
                let none = by_month.is_empty()
                    && by_week_no.is_empty()
                    && by_year_day.is_empty()
                    && by_month_day.is_empty()
                    && by_day.is_empty();
                if none {
                    by_month.push(dt_month);
                    by_month_day.push(dt_day);
                } else if !by_month.is_empty()
                    && by_month_day.is_empty()
                    && by_day.is_empty()
                    && by_year_day.is_empty()
                    && by_week_no.is_empty()
                {
                    by_month_day.push(dt_day);
                } else if !by_week_no.is_empty()
                    && by_day.is_empty()
                    && by_month_day.is_empty()
                    && by_year_day.is_empty()
                {
                    // The weekday of DTSTART in the listed weeks (ical.js,
                    // sabre/vobject; decisions.md).
                    by_day.push((0, dt.weekday()));
                } else if by_month.is_empty()
                    && !by_month_day.is_empty()
                    && r.by_set_pos.is_empty()
                    && by_day.is_empty()
                    && by_year_day.is_empty()
                    && by_week_no.is_empty()
                {
                    // The month of DTSTART: Google Calendar and Windows
                    // Calendar write FREQ=YEARLY;BYMONTHDAY=n for a yearly
                    // date (ical.js agrees; decisions.md). With BYSETPOS
                    // the rule picks among the days of the whole year.
                    by_month.push(dt_month);
                }
            }
            _ => {}
        }

        // BYDAY ordinals the crate rejects, and lists that mix ordinals with
        // plain weekdays (the crate then requires both), are filtered here.
        let has_nth = by_day.iter().any(|(n, _)| *n != 0);
        let has_every = by_day.iter().any(|(n, _)| *n == 0);
        let crate_can = !(has_nth && has_every)
            && by_day.iter().all(|(n, _)| {
                *n == 0 || crate_ordinal_ok(freq, i8::try_from(*n).unwrap_or(i8::MAX))
            });
        let weekdays: Vec<rrule::NWeekday> = if crate_can {
            by_day
                .iter()
                .map(|&(n, w)| {
                    if n == 0 {
                        rrule::NWeekday::Every(w)
                    } else {
                        rrule::NWeekday::Nth(i16::try_from(n).unwrap_or(1), w)
                    }
                })
                .collect()
        } else {
            let mut plain: Vec<Weekday> = by_day.iter().map(|(_, w)| *w).collect();
            plain.sort_by_key(Weekday::num_days_from_monday);
            plain.dedup();
            filter.ordinals = Some((by_day.clone(), !by_month.is_empty()));
            plain.into_iter().map(rrule::NWeekday::Every).collect()
        };
        filter.wkst = wkst;
        filter.freq = freq;
        if !filter.is_empty() || filter.ordinals.is_some() {
            it.filter = Some(filter);
        }

        // Start at the beginning of DTSTART's period (or a later one).
        let mut base = period_start(freq, wkst, dt);
        if let (Some(target), None) = (spec.skip_to, r.count) {
            let skipped = skip_ahead(freq, r.interval(), base, target);
            if skipped > base {
                base = skipped;
                // DTSTART is long gone; it is still emitted first (the
                // caller's window drops it).
            }
        }
        let months: Vec<Month> = by_month
            .iter()
            .filter_map(|m| Month::try_from(*m).ok())
            .collect();
        // Whole days at one time of day: generated by `Days`.
        let days = match (
            freq,
            by_hour.as_slice(),
            by_minute.as_slice(),
            by_second.as_slice(),
        ) {
            (Frequency::Daily | Frequency::Weekly, &[h], &[m], &[sec])
                if native
                    && interval > 0
                    && (freq == Frequency::Daily || !weekdays.is_empty())
                    && months.is_empty()
                    && by_month_day.is_empty()
                    && by_year_day.is_empty()
                    && by_week_no.is_empty()
                    && weekdays
                        .iter()
                        .all(|w| matches!(w, rrule::NWeekday::Every(_))) =>
            {
                NaiveTime::from_hms_opt(u32::from(h), u32::from(m), u32::from(sec)).map(|time| {
                    let mut mask = 0u8;
                    for w in &weekdays {
                        if let rrule::NWeekday::Every(d) = w {
                            mask |= 1 << d.num_days_from_monday();
                        }
                    }
                    let (offsets, weekdays, step) = if freq == Frequency::Weekly {
                        let offsets: Vec<u8> = (0u8..7)
                            .filter(|k| {
                                let d = (wkst.num_days_from_monday() + u32::from(*k)) % 7;
                                mask & (1 << d) != 0
                            })
                            .collect();
                        (offsets, 0x7f, 7 * u64::from(interval))
                    } else {
                        let allowed = if mask == 0 { 0x7f } else { mask };
                        (vec![0], allowed, u64::from(interval))
                    };
                    (offsets, weekdays, step, time)
                })
            }
            _ => None,
        };
        let rule = rrule::RRule::new(to_crate_freq(freq))
            .interval(interval)
            .week_start(wkst)
            .by_month(&months)
            .by_month_day(by_month_day)
            .by_year_day(by_year_day)
            .by_week_no(by_week_no)
            .by_weekday(weekdays)
            .by_hour(by_hour)
            .by_minute(by_minute)
            .by_second(by_second);
        match start_engine(&rule, base) {
            Ok(src) => {
                it.inner = Some(match days {
                    Some((offsets, weekdays, step, time)) => Source::Days(Box::new(Days {
                        period: base.date(),
                        step,
                        offsets,
                        weekdays,
                        time,
                        pending: VecDeque::new(),
                        finished: false,
                        rule: rule.clone(),
                    })),
                    None => src,
                });
                if it.sub_daily && it.filter.as_ref().is_some_and(|f| !f.is_empty()) {
                    it.restart = Some(Restart {
                        rule,
                        base,
                        interval: r.interval(),
                    });
                }
            }
            Err(e) => notes.push(e),
        }
        it.notes = notes;
        it
    }

    /// For a sub-daily rule whose candidate fell on a day the filters
    /// reject: restarts the engine at the first period of the next day they
    /// accept, instead of examining every second of the days between.
    fn restart_after(&mut self, day: NaiveDate) -> bool {
        let Some(filter) = &self.filter else {
            return false;
        };
        let Some(restart) = &self.restart else {
            return false;
        };
        // Ten years hold every combination of leap year, week count and
        // weekday of 1 January.
        let mut next = day.succ_opt();
        let mut found = None;
        for _ in 0..3700 {
            let Some(d) = next else { break };
            if filter.matches(d) {
                found = Some(d);
                break;
            }
            next = d.succ_opt();
        }
        let Some(target) = found else {
            self.notes.push(format!(
                "no date in the ten years after {day} passes the rule's BYWEEKNO, BYYEARDAY or BYMONTHDAY; expansion stopped"
            ));
            self.inner = None;
            return true;
        };
        let unit = match self.freq {
            Frequency::Hourly => 3600,
            Frequency::Minutely => 60,
            _ => 1,
        };
        let step = i64::from(restart.interval.max(1)) * unit;
        let target = target.and_time(NaiveTime::MIN);
        let gap = (target - restart.base).num_seconds();
        if gap <= 0 {
            return false;
        }
        let periods = (gap + step - 1) / step;
        let Some(base) = periods
            .checked_mul(step)
            .and_then(TimeDelta::try_seconds)
            .and_then(|d| restart.base.checked_add_signed(d))
        else {
            return false;
        };
        match start_engine(&restart.rule, base) {
            Ok(src) => self.inner = Some(src),
            Err(e) => {
                self.notes.push(e);
                self.inner = None;
            }
        }
        true
    }

    /// Notes about rule parts that were changed, ignored or not supported,
    /// and about limits reached.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Number of instances produced so far.
    pub fn emitted(&self) -> u64 {
        self.emitted
    }

    /// True when the engine produced at least one candidate date (false: the
    /// rule matches nothing in the engine's search range).
    pub fn found_any(&self) -> bool {
        self.any_candidate
    }

    /// True when the expansion stopped at a limit rather than at the end of
    /// the rule.
    pub fn hit_limit(&self) -> bool {
        self.limited
    }

    fn resolve(&mut self, wall: NaiveDateTime, from_rule: bool) {
        let local = match &mut self.cursor {
            None => {
                self.push(Occurrence { utc: None, wall });
                return;
            }
            Some(c) => c.resolve(wall),
        };
        match local {
            LocalTime::Unique(u) => self.push(Occurrence { utc: Some(u), wall }),
            LocalTime::Gap { shifted } => {
                if !(from_rule && self.sub_daily) {
                    self.push(Occurrence {
                        utc: Some(shifted),
                        wall,
                    });
                }
            }
            LocalTime::Fold { first, second } => {
                self.push(Occurrence {
                    utc: Some(first),
                    wall,
                });
                if from_rule && self.sub_daily {
                    // Later local times of the fold come before it.
                    self.held.push(std::cmp::Reverse(Occurrence {
                        utc: Some(second),
                        wall,
                    }));
                }
            }
        }
    }

    /// Emits the held occurrences that come before `before` (all of them
    /// with `None`).
    fn release_held(&mut self, before: Option<NaiveDateTime>) {
        while let Some(std::cmp::Reverse(h)) = self.held.peek().copied() {
            let k = h.utc.unwrap_or(h.wall);
            if before.is_some_and(|b| k >= b) {
                break;
            }
            self.held.pop();
            self.push_one(h);
        }
    }

    fn past_until(&self, o: &Occurrence) -> bool {
        match self.until {
            None => false,
            Some(Until::Utc(u)) => o.utc.unwrap_or(o.wall) > u,
            Some(Until::Wall(w)) => o.wall > w,
            Some(Until::Date(d)) => o.wall.date() > d,
        }
    }

    fn push(&mut self, o: Occurrence) {
        if !self.held.is_empty() {
            self.release_held(Some(o.utc.unwrap_or(o.wall)));
        }
        self.push_one(o);
    }

    fn push_one(&mut self, o: Occurrence) {
        if self.done {
            return;
        }
        if !self.forcing_dtstart && self.past_until(&o) {
            self.done = true;
            return;
        }
        self.out.push_back(o);
        self.emitted += 1;
        self.empty = 0;
        if self.count.is_some_and(|c| self.emitted >= u64::from(c)) {
            self.done = true;
        } else if self.emitted >= self.limits.max_instances as u64 {
            self.limited = true;
            self.notes.push(format!(
                "stopped after {} instances (the limit)",
                self.limits.max_instances
            ));
            self.done = true;
        }
    }

    fn emit_dtstart(&mut self) {
        if self.dtstart_pending {
            self.dtstart_pending = false;
            let dt = self.dtstart;
            // DTSTART is read by the §3.3.5 policy even for sub-daily rules,
            // and is an instance even after UNTIL.
            self.forcing_dtstart = true;
            self.resolve(dt, false);
            self.forcing_dtstart = false;
        }
    }

    /// Handles one selected candidate (after BYSETPOS and ordinal filters).
    fn candidate(&mut self, c: NaiveDateTime) {
        if c < self.dtstart {
            return;
        }
        if c == self.dtstart {
            if self.dtstart_pending {
                self.emit_dtstart();
            } else if self.emitted == 0 {
                // EXRULE: DTSTART matched by the rule is an instance.
                self.resolve(c, true);
            }
            return;
        }
        self.emit_dtstart();
        self.resolve(c, true);
    }

    fn flush_group(&mut self) {
        let group = std::mem::take(&mut self.group);
        let mut picked = Vec::new();
        if self.set_pos.is_empty() {
            picked = group;
        } else {
            select_positions(&group, &self.set_pos, &mut picked);
        }
        self.selected.extend(picked);
    }

    fn pull(&mut self) {
        let needs_groups = !self.set_pos.is_empty();
        while self.out.is_empty() && !self.done {
            if let Some(c) = self.selected.pop_front() {
                self.candidate(c);
                continue;
            }
            let Some(inner) = self.inner.as_mut() else {
                self.emit_dtstart();
                self.release_held(None);
                self.done = true;
                break;
            };
            let (freq, dtstart) = (self.freq, self.dtstart);
            let next = catch_unwind(AssertUnwindSafe(|| inner.next(freq, dtstart)));
            let c = match next {
                Ok(Some(c)) => c,
                Ok(None) => {
                    if needs_groups {
                        self.flush_group();
                        self.group_key = None;
                    }
                    self.inner = None;
                    if !self.any_candidate {
                        self.notes.push("the rule matches no date (none found in the rule engine's search range)".into());
                    } else if let Some(last) = self.last_candidate
                        && !self.done
                        && matches!(self.source_kind, SourceKind::Engine)
                    {
                        // The rule has no end of its own here: the engine
                        // gave up (its year range, or 100 000 periods
                        // without a date).
                        self.limited = true;
                        self.notes.push(format!("the rule engine found no date after {last} within its search range; later instances, if any, are not expanded"));
                    }
                    continue;
                }
                Err(_) => {
                    self.notes.push(
                        "the rule engine failed while expanding this rule; the series ends here"
                            .into(),
                    );
                    self.inner = None;
                    continue;
                }
            };
            self.any_candidate = true;
            self.last_candidate = Some(c);
            // With BYSETPOS, whole periods count (one may hold many
            // candidates).
            if !needs_groups
                || self
                    .group_key
                    .is_none_or(|k| k != period_key(self.freq, self.wkst, c))
            {
                self.empty += 1;
            }
            if self.empty > self.limits.max_empty {
                self.limited = true;
                self.notes.push(format!(
                    "no instance in {} candidate dates: the rule never matches; expansion stopped",
                    self.limits.max_empty
                ));
                self.emit_dtstart();
                self.done = true;
                break;
            }
            if let Some(filter) = &self.filter
                && !filter.matches(c.date())
            {
                if self.restart.is_some() {
                    if needs_groups {
                        self.flush_group();
                        self.group_key = None;
                    }
                    self.restart_after(c.date());
                }
                continue;
            }
            if needs_groups {
                let key = period_key(self.freq, self.wkst, c);
                if self.group_key.is_some_and(|k| k != key) {
                    self.flush_group();
                }
                self.group_key = Some(key);
                self.group.push(c);
            } else {
                self.candidate(c);
            }
        }
    }
}

impl Iterator for RuleIter<'_> {
    type Item = Occurrence;

    fn next(&mut self) -> Option<Occurrence> {
        if self.out.is_empty() {
            self.pull();
        }
        self.out.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxpim_contentline::value::recur::parse_recur;

    pub(super) fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S").unwrap()
    }

    /// A floating rule from DTSTART `start` (included), default limits.
    pub(super) fn spec(rule: &str, start: &str) -> RuleSpec {
        let (recur, _) = parse_recur(rule).unwrap();
        RuleSpec {
            recur,
            dtstart: dt(start),
            zone: None,
            until: None,
            include_dtstart: true,
            skip_to: None,
            limits: RuleLimits::default(),
        }
    }

    fn run(
        rule: &str,
        start: &str,
        zone: Option<&TimeZone>,
        until: Option<Until>,
        n: usize,
    ) -> Vec<String> {
        let spec = RuleSpec {
            zone: zone.cloned(),
            until,
            ..spec(rule, start)
        };
        RuleIter::new(&spec, zone)
            .take(n)
            .map(|o| match o.utc {
                Some(u) => format!("{}Z", u.format("%Y%m%dT%H%M%S")),
                None => o.wall.format("%Y%m%dT%H%M%S").to_string(),
            })
            .collect()
    }

    /// Everything a rule's expansion gives: instances (UTC and wall time),
    /// notes, count and limit flag.
    fn expansion(spec: &RuleSpec, zone: Option<&TimeZone>, native: bool, n: usize) -> String {
        let mut it = RuleIter::build(spec, zone, native);
        let mut out = String::new();
        for o in it.by_ref().take(n) {
            out.push_str(&format!("{:?} {} | ", o.utc, o.wall));
        }
        format!(
            "{out}\nnotes {:?} emitted {} limited {} any {}",
            it.notes(),
            it.emitted(),
            it.hit_limit(),
            it.found_any()
        )
    }

    /// `Days` gives what the rule engine gives, over DAILY and WEEKLY rules
    /// with and without BYDAY, INTERVAL, WKST, COUNT, UNTIL, BYSETPOS, parts
    /// applied as filters, skipping ahead, across year ends and leap days,
    /// floating and in a zone with DST.
    #[test]
    fn days_match_the_engine() {
        let london = TimeZone::Iana(chrono_tz::Europe::London);
        let rules = [
            "FREQ=DAILY",
            "FREQ=DAILY;INTERVAL=3",
            "FREQ=DAILY;BYDAY=MO,WE,FR",
            "FREQ=DAILY;INTERVAL=2;BYDAY=SA,SU",
            "FREQ=DAILY;INTERVAL=10;BYDAY=TU",
            "FREQ=DAILY;BYDAY=1MO,FR",
            "FREQ=DAILY;BYMONTHDAY=1,15;BYDAY=MO,TU,WE,TH,FR",
            "FREQ=DAILY;COUNT=40;BYSETPOS=1",
            "FREQ=DAILY;BYHOUR=7",
            "FREQ=WEEKLY",
            "FREQ=WEEKLY;INTERVAL=2",
            "FREQ=WEEKLY;BYDAY=MO,WE,FR",
            "FREQ=WEEKLY;BYDAY=SU,MO;WKST=SU",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=MO",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU",
            "FREQ=WEEKLY;INTERVAL=3;BYDAY=SA,MO,MO;WKST=WE",
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;COUNT=30",
            "FREQ=WEEKLY;BYDAY=MO,WE,FR;BYSETPOS=-1",
            "FREQ=WEEKLY;BYDAY=2TU,TH",
            "FREQ=WEEKLY;BYMONTHDAY=1,2,3,4,5,6,7",
            "FREQ=WEEKLY;INTERVAL=5;BYYEARDAY=1,100,200,300",
            "FREQ=WEEKLY;BYDAY=FR;BYMINUTE=15;BYSECOND=30",
            "FREQ=WEEKLY;BYDAY=FR;BYHOUR=8,16",
            "FREQ=WEEKLY;BYDAY=MO;UNTIL=20250301T000000",
        ];
        let starts = [
            "20241230T090000",
            "20240229T000000",
            "20201231T235959",
            "20250329T013000",
            "20251026T013000",
            "20230108T120000",
        ];
        let mut compared = 0;
        for rule in rules {
            for start in starts {
                for (zone, skip) in [
                    (None, None),
                    (Some(&london), None),
                    (Some(&london), Some(dt("20310615T000000"))),
                ] {
                    let base = spec(rule, start);
                    let until = base
                        .recur
                        .until
                        .as_ref()
                        .map(|_| Until::Wall(dt("20250301T000000")));
                    let s = RuleSpec {
                        zone: zone.cloned(),
                        skip_to: skip,
                        until,
                        ..base
                    };
                    let a = expansion(&s, zone, true, 150);
                    let b = expansion(&s, zone, false, 150);
                    assert_eq!(a, b, "{rule} from {start}, zone {zone:?}, skip {skip:?}");
                    compared += 1;
                }
            }
        }
        assert_eq!(compared, rules.len() * starts.len() * 3);
        // The rules are read by `Days` (the engine's own would pass anyway).
        for rule in ["FREQ=DAILY;BYDAY=MO", "FREQ=WEEKLY;BYDAY=MO,WE;INTERVAL=2"] {
            let it = RuleIter::new(&spec(rule, "20250106T090000"), None);
            assert!(matches!(it.inner, Some(Source::Days(_))), "{rule}");
        }
        for rule in [
            "FREQ=MONTHLY",
            "FREQ=WEEKLY;BYHOUR=8,9",
            "FREQ=DAILY;BYMONTH=3",
        ] {
            let it = RuleIter::new(&spec(rule, "20250106T090000"), None);
            assert!(matches!(it.inner, Some(Source::Engine(_))), "{rule}");
        }
    }

    /// INTERVAL=0, which only the API can give (the parser rejects it): the
    /// engine's answer, not a period repeated forever.
    #[test]
    fn days_leave_a_zero_interval_to_the_engine() {
        for rule in ["FREQ=DAILY;BYHOUR=10", "FREQ=WEEKLY;BYDAY=MO"] {
            let mut s = spec(rule, "20250106T090000");
            s.recur.interval = Some(0);
            let it = RuleIter::new(&s, None);
            assert!(!matches!(it.inner, Some(Source::Days(_))), "{rule}");
            let a = expansion(&s, None, true, 20);
            let b = expansion(&s, None, false, 20);
            assert_eq!(a, b, "{rule}");
        }
    }

    /// Near the end of the engine's year range, and for a rule whose days
    /// never come, `Days` ends the series where the engine does, with the
    /// same notes.
    #[test]
    fn days_end_where_the_engine_ends() {
        for (rule, start, n) in [
            ("FREQ=DAILY;INTERVAL=29", "89900301T100000", 30_000),
            (
                "FREQ=WEEKLY;INTERVAL=9;BYDAY=MO,SU;WKST=SU",
                "89891231T100000",
                30_000,
            ),
            ("FREQ=DAILY;INTERVAL=7;BYDAY=TU", "20250106T090000", 10),
            ("FREQ=DAILY;INTERVAL=35;BYDAY=TU", "20250106T090000", 10),
            // An INTERVAL that jumps from before the handover year past the
            // engine's range.
            ("FREQ=WEEKLY;INTERVAL=60000;BYDAY=MO", "20250106T090000", 10),
            (
                "FREQ=WEEKLY;INTERVAL=52180;BYDAY=MO,TU",
                "20250106T090000",
                30,
            ),
        ] {
            let s = RuleSpec {
                limits: RuleLimits {
                    max_instances: 1_000_000,
                    max_empty: u64::MAX,
                },
                ..spec(rule, start)
            };
            let a = expansion(&s, None, true, n);
            let b = expansion(&s, None, false, n);
            assert_eq!(a, b, "{rule} from {start}");
            assert!(a.len() > 100, "{rule}: {a}");
        }
    }

    #[test]
    fn dtstart_is_first_and_counts() {
        // DTSTART on a Wednesday, rule on Mondays: DTSTART still first.
        let v = run(
            "FREQ=WEEKLY;BYDAY=MO;COUNT=3",
            "20250101T090000",
            None,
            None,
            10,
        );
        assert_eq!(v, ["20250101T090000", "20250106T090000", "20250113T090000"]);
    }

    #[test]
    fn bysetpos_any_freq_and_wide_range() {
        // Last weekday of the month.
        let v = run(
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3",
            "20250131T090000",
            None,
            None,
            10,
        );
        assert_eq!(v, ["20250131T090000", "20250228T090000", "20250331T090000"]);
        // -40 with BYHOUR expansion (the crate rejects < -31 for MONTHLY).
        let v = run(
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9,10;BYSETPOS=-40;COUNT=2",
            "20250101T090000",
            None,
            None,
            10,
        );
        // January has 23 weekdays x 2 hours = 46 candidates: -40 is the 7th, 6 Jan 09:00.
        assert_eq!(v, ["20250101T090000", "20250106T090000"]);
    }

    #[test]
    fn fifth_last_weekday_ordinal() {
        // -5MO: first Monday of months with five Mondays (crate range is -4).
        let v = run(
            "FREQ=MONTHLY;BYDAY=-5MO;COUNT=3",
            "20250303T100000",
            None,
            None,
            10,
        );
        assert_eq!(v, ["20250303T100000", "20250602T100000", "20250901T100000"]);
    }

    #[test]
    fn until_as_date_and_floating() {
        let v = run(
            "FREQ=DAILY;UNTIL=20250103",
            "20250101T090000",
            None,
            Some(Until::Date(NaiveDate::from_ymd_opt(2025, 1, 3).unwrap())),
            10,
        );
        assert_eq!(v.len(), 3);
        let v = run(
            "FREQ=DAILY",
            "20250101T090000",
            None,
            Some(Until::Wall(dt("20250102T090000"))),
            10,
        );
        assert_eq!(v.len(), 2);
    }

    #[test]
    fn dst_policy_daily_and_hourly() {
        let london = TimeZone::Iana(chrono_tz::Europe::London);
        // DAILY at 01:30 across spring-forward (01:00→02:00): shifted forward.
        let v = run(
            "FREQ=DAILY;COUNT=3",
            "20250329T013000",
            Some(&london),
            None,
            10,
        );
        assert_eq!(
            v,
            ["20250329T013000Z", "20250330T013000Z", "20250331T003000Z"]
        );
        // HOURLY across spring-forward: no duplicate instant.
        let v = run(
            "FREQ=HOURLY;COUNT=4",
            "20250330T000000",
            Some(&london),
            None,
            10,
        );
        assert_eq!(
            v,
            [
                "20250330T000000Z",
                "20250330T010000Z",
                "20250330T020000Z",
                "20250330T030000Z"
            ]
        );
        // HOURLY across fall-back: no missing instant.
        let v = run(
            "FREQ=HOURLY;COUNT=4",
            "20251026T000000",
            Some(&london),
            None,
            10,
        );
        assert_eq!(
            v,
            [
                "20251025T230000Z",
                "20251026T000000Z",
                "20251026T010000Z",
                "20251026T020000Z"
            ]
        );
    }

    #[test]
    fn never_matching_rule_ends() {
        let spec = spec("FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30", "20250101T000000");
        let mut it = RuleIter::new(&spec, None);
        let all: Vec<_> = it.by_ref().collect();
        assert_eq!(all.len(), 1, "only DTSTART");
        assert!(!it.notes().is_empty());
    }

    #[test]
    fn skip_ahead_gives_the_same_instances() {
        let mk = |skip| RuleSpec {
            skip_to: skip,
            ..spec("FREQ=MINUTELY;INTERVAL=7", "20000101T000000")
        };
        let target = dt("20260315T120000");
        let fast: Vec<_> = RuleIter::new(&mk(Some(target)), None)
            .filter(|o| o.wall >= target)
            .take(5)
            .collect();
        assert_eq!(fast.len(), 5);
        // Every instance is a whole number of 7-minute steps from DTSTART.
        for o in &fast {
            assert_eq!((o.wall - dt("20000101T000000")).num_minutes() % 7, 0);
        }
        assert!(fast[0].wall - target < TimeDelta::minutes(7));
    }

    #[test]
    fn bysecond_sixty_is_dropped_with_a_note() {
        let spec = spec("FREQ=MINUTELY;BYSECOND=0,60;COUNT=3", "20250101T000000");
        let mut it = RuleIter::new(&spec, None);
        assert_eq!(it.by_ref().count(), 3);
        assert!(it.notes().iter().any(|n| n.contains("BYSECOND=60")));
    }
}

#[cfg(test)]
mod filter_tests {
    use super::tests::spec;
    use super::*;

    fn run(rule: &str, start: &str, n: usize) -> (Vec<String>, Vec<String>) {
        let spec = spec(rule, start);
        let mut it = RuleIter::new(&spec, None);
        let v = it
            .by_ref()
            .take(n)
            .map(|o| o.wall.format("%Y%m%dT%H%M%S").to_string())
            .collect();
        (v, it.notes().to_vec())
    }

    #[test]
    fn mixed_ordinal_and_plain_weekdays_are_a_union() {
        // Third Monday, and every Wednesday and Friday, of each month.
        let (v, notes) = run(
            "FREQ=MONTHLY;BYDAY=3MO,WE,FR;COUNT=6",
            "20250101T090000",
            10,
        );
        assert_eq!(
            v,
            [
                "20250101T090000",
                "20250103T090000",
                "20250108T090000",
                "20250110T090000",
                "20250115T090000",
                "20250117T090000",
            ]
        );
        assert!(notes.is_empty(), "{notes:?}");
        let (v, _) = run("FREQ=MONTHLY;BYDAY=3MO,WE;COUNT=8", "20250101T090000", 10);
        assert!(v.contains(&"20250120T090000".to_string()), "{v:?}");
    }

    #[test]
    fn forbidden_parts_filter_the_dates() {
        // BYYEARDAY with MONTHLY: day 1, 100, 200, 365 of each year.
        let (v, notes) = run(
            "FREQ=MONTHLY;COUNT=4;BYYEARDAY=1,100,200,365",
            "19970902T090000",
            10,
        );
        assert_eq!(
            v,
            [
                "19970902T090000",
                "19971231T090000",
                "19980101T090000",
                "19980410T090000"
            ]
        );
        assert!(notes.iter().any(|n| n.contains("BYYEARDAY")));
        // BYMONTHDAY with WEEKLY: the 1st and 15th of months, on any weekday.
        let (v, _) = run("FREQ=WEEKLY;BYMONTHDAY=1,15;COUNT=3", "20250101T090000", 10);
        assert_eq!(v, ["20250101T090000", "20250115T090000", "20250201T090000"]);
        // BYWEEKNO with DAILY: days of ISO week 1 of 2026 (29 Dec 2025 – 4 Jan 2026).
        let (v, _) = run("FREQ=DAILY;BYWEEKNO=1;COUNT=8", "20251201T090000", 10);
        assert_eq!(v.get(1).map(String::as_str), Some("20251229T090000"));
        assert_eq!(v.get(7).map(String::as_str), Some("20260104T090000"));
    }

    #[test]
    fn week_numbers_follow_wkst_and_four_day_rule() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        // ISO weeks (Monday start).
        assert_eq!(week_of(d(2026, 1, 1), Weekday::Mon), (1, 53));
        assert_eq!(week_of(d(2020, 12, 31), Weekday::Mon), (53, 53));
        assert_eq!(week_of(d(2021, 1, 3), Weekday::Mon), (53, 53));
        assert_eq!(week_of(d(2021, 1, 4), Weekday::Mon), (1, 52));
        assert_eq!(week_of(d(2025, 12, 29), Weekday::Mon), (1, 53));
        // Sunday start: the week of Sunday 28 Dec 2025 has only 3 days in
        // 2026, so it is the last week of 2025 and week 1 starts 4 Jan.
        assert_eq!(week_of(d(2025, 12, 28), Weekday::Sun), (53, 53));
        assert_eq!(week_of(d(2026, 1, 4), Weekday::Sun).0, 1);
        // Monday start: that week (29 Dec – 4 Jan) has 4 days in 2026.
        assert_eq!(week_of(d(2026, 1, 1), Weekday::Mon).0, 1);
    }

    #[test]
    fn interval_beyond_the_engine_steps_plainly() {
        let (v, notes) = run(
            "FREQ=SECONDLY;INTERVAL=100000;COUNT=3",
            "20250101T000000",
            10,
        );
        assert_eq!(v, ["20250101T000000", "20250102T034640", "20250103T073320"]);
        assert!(notes.is_empty(), "{notes:?}");
        let (v, notes) = run(
            "FREQ=MINUTELY;INTERVAL=100000;BYSECOND=5;COUNT=3",
            "20250101T000000",
            10,
        );
        assert_eq!(v, ["20250101T000000"]);
        assert!(notes.iter().any(|n| n.contains("65535")));
    }
}

#[cfg(test)]
mod order_tests {
    use super::tests::{dt, spec};
    use super::*;

    fn iter_of(
        rule: &str,
        start: &str,
        zone: Option<&TimeZone>,
        until: Option<Until>,
    ) -> RuleIter<'static> {
        let spec = RuleSpec {
            zone: zone.cloned(),
            until,
            ..spec(rule, start)
        };
        let zone: Option<&'static TimeZone> = zone.map(|z| &*Box::leak(Box::new(z.clone())));
        RuleIter::new(&spec, zone)
    }

    #[test]
    fn instants_in_a_fold_come_in_order() {
        let berlin = TimeZone::Iana(chrono_tz::Europe::Berlin);
        // 26 October 2025: 02:00–03:00 local happens twice (00:00Z–02:00Z).
        let got: Vec<NaiveDateTime> = iter_of(
            "FREQ=MINUTELY;INTERVAL=30;COUNT=7",
            "20251026T013000",
            Some(&berlin),
            None,
        )
        .filter_map(|o| o.utc)
        .collect();
        let want: Vec<NaiveDateTime> = [
            "20251025T233000",
            "20251026T000000",
            "20251026T003000",
            "20251026T010000",
            "20251026T013000",
            "20251026T020000",
            "20251026T023000",
        ]
        .iter()
        .map(|s| dt(s))
        .collect();
        assert_eq!(got, want);
        // UNTIL inside the fold keeps every instant up to it.
        let got: Vec<NaiveDateTime> = iter_of(
            "FREQ=MINUTELY;INTERVAL=30",
            "20251026T013000",
            Some(&berlin),
            Some(Until::Utc(dt("20251026T004500"))),
        )
        .filter_map(|o| o.utc)
        .collect();
        assert_eq!(got, want[..3].to_vec());
    }

    #[test]
    fn bysetpos_counts_periods_not_candidates_toward_the_empty_limit() {
        // 2 880 candidates a day, one picked per day.
        let spec = RuleSpec {
            limits: RuleLimits {
                max_instances: 100,
                max_empty: 1_000,
            },
            ..spec(
                "FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59;BYSECOND=0,30;BYSETPOS=-1;COUNT=3",
                "20250101T235930",
            )
        };
        let v: Vec<_> = RuleIter::new(&spec, None).map(|o| o.wall).collect();
        assert_eq!(v.len(), 3);
        assert_eq!(v[2], dt("20250103T235930"));
    }

    #[test]
    fn an_engine_that_gives_up_is_reported() {
        // The engine stops at year 9999; the rule has no end of its own.
        let mut it = iter_of(
            "FREQ=YEARLY;INTERVAL=900;BYMONTH=1;BYMONTHDAY=1",
            "20000101T000000",
            None,
            None,
        );
        let n = it.by_ref().count();
        assert_eq!(n, 9, "2000, 2900, … 9200");
        assert!(it.hit_limit());
        assert!(
            it.notes().iter().any(|m| m.contains("later instances")),
            "{:?}",
            it.notes()
        );
        // A plain rule with a large INTERVAL is stepped without the engine.
        let mut it = iter_of(
            "FREQ=MONTHLY;INTERVAL=65535;COUNT=3",
            "20000131T000000",
            None,
            None,
        );
        let v: Vec<_> = it.by_ref().map(|o| o.wall).collect();
        assert_eq!(v.len(), 3, "{v:?}");
        assert!(it.notes().is_empty(), "{:?}", it.notes());
    }
}
