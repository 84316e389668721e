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
            date.checked_sub_signed(TimeDelta::days(i64::from(back)))
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
        Frequency::Weekly => {
            base.checked_add_signed(TimeDelta::days(whole((target - base).num_days() / 7) * 7))
        }
        Frequency::Daily => {
            base.checked_add_signed(TimeDelta::days(whole((target - base).num_days())))
        }
        Frequency::Hourly => {
            base.checked_add_signed(TimeDelta::hours(whole((target - base).num_hours())))
        }
        Frequency::Minutely => {
            base.checked_add_signed(TimeDelta::minutes(whole((target - base).num_minutes())))
        }
        Frequency::Secondly => {
            base.checked_add_signed(TimeDelta::seconds(whole((target - base).num_seconds())))
        }
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
        let next = if d.month() == 12 {
            NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
        };
        let len = next.and_then(|n| n.pred_opt()).map_or(31, |l| l.day());
        (d.day(), len)
    } else {
        let len = if NaiveDate::from_ymd_opt(d.year(), 2, 29).is_some() {
            366
        } else {
            365
        };
        (d.ordinal(), len)
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

/// Iterator over the instances of one rule, in order.
pub struct RuleIter<'z> {
    freq: Frequency,
    wkst: Weekday,
    inner: Option<rrule::RRuleSetIter>,
    set_pos: Vec<i16>,
    ordinal_filter: Option<(OrdinalFilter, bool)>,
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
            ordinal_filter: None,
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
        let Ok(interval) = u16::try_from(r.interval()) else {
            notes.push(format!("INTERVAL={} is larger than 65535, which the rule engine cannot expand; the rule adds no instances", r.interval()));
            it.notes = notes;
            return it;
        };

        // Parts RFC 5545 forbids for this FREQ, and the leap second.
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
        let mut by_week_no = r.by_week_no.clone();
        if !by_week_no.is_empty() && freq != Frequency::Yearly {
            notes.push("BYWEEKNO is only allowed with FREQ=YEARLY; ignored".into());
            by_week_no.clear();
        }
        let mut by_year_day = r.by_year_day.clone();
        if !by_year_day.is_empty()
            && matches!(
                freq,
                Frequency::Daily | Frequency::Weekly | Frequency::Monthly
            )
        {
            notes.push(
                "BYYEARDAY is not allowed with FREQ=DAILY, WEEKLY or MONTHLY; ignored".into(),
            );
            by_year_day.clear();
        }
        let mut by_month_day = r.by_month_day.clone();
        if !by_month_day.is_empty() && freq == Frequency::Weekly {
            notes.push("BYMONTHDAY is not allowed with FREQ=WEEKLY; ignored".into());
            by_month_day.clear();
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
        match freq {
            Frequency::Weekly if by_day.is_empty() => by_day.push((0, dt.weekday())),
            Frequency::Monthly if by_day.is_empty() && by_month_day.is_empty() => {
                by_month_day.push(dt_day)
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
                    by_day.push((0, dt.weekday()));
                }
            }
            _ => {}
        }

        // BYDAY ordinals the crate rejects are filtered here.
        let crate_can = by_day
            .iter()
            .all(|(n, _)| *n == 0 || crate_ordinal_ok(freq, i8::try_from(*n).unwrap_or(i8::MAX)));
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
            it.ordinal_filter = Some((by_day.clone(), !by_month.is_empty()));
            plain.into_iter().map(rrule::NWeekday::Every).collect()
        };

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
        let proxy = rrule::Tz::UTC.from_utc_datetime(&base);
        let built = catch_unwind(AssertUnwindSafe(|| rule.build(proxy)));
        match built {
            Ok(Ok(set)) => it.inner = Some(set.limit().into_iter()),
            Ok(Err(e)) => notes.push(format!(
                "the rule cannot be expanded: {e}; it adds no instances"
            )),
            Err(_) => {
                notes.push("the rule engine failed on this rule; it adds no instances".into())
            }
        }
        it.notes = notes;
        it
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
                    self.push(Occurrence {
                        utc: Some(second),
                        wall,
                    });
                }
            }
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
        if self.done {
            return;
        }
        let is_dtstart = !self.dtstart_pending && self.emitted == 0;
        if !is_dtstart && self.past_until(&o) {
            self.done = true;
            return;
        }
        self.out.push_back(o);
        self.emitted += 1;
        self.empty = 0;
        if self.count.is_some_and(|c| self.emitted >= u64::from(c)) {
            self.done = true;
        } else if self.emitted >= self.limits.max_instances as u64 {
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
            // DTSTART is read by the §3.3.5 policy even for sub-daily rules.
            self.resolve(dt, false);
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
                self.done = true;
                break;
            };
            let next = catch_unwind(AssertUnwindSafe(|| inner.next()));
            let c = match next {
                Ok(Some(c)) => c.naive_utc(),
                Ok(None) => {
                    if needs_groups {
                        self.flush_group();
                        self.group_key = None;
                    }
                    self.inner = None;
                    if !self.any_candidate {
                        self.notes.push("the rule matches no date (none found in the rule engine's search range)".into());
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
            self.empty += 1;
            if self.empty > self.limits.max_empty {
                self.notes.push(format!(
                    "no instance in {} candidate dates: the rule never matches; expansion stopped",
                    self.limits.max_empty
                ));
                self.emit_dtstart();
                self.done = true;
                break;
            }
            if let Some((filter, in_month)) = &self.ordinal_filter
                && !ordinal_matches(filter, self.freq, *in_month, c.date())
            {
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

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S").unwrap()
    }

    fn run(
        rule: &str,
        start: &str,
        zone: Option<&TimeZone>,
        until: Option<Until>,
        n: usize,
    ) -> Vec<String> {
        let (recur, _) = parse_recur(rule).unwrap();
        let spec = RuleSpec {
            recur,
            dtstart: dt(start),
            zone: zone.cloned(),
            until,
            include_dtstart: true,
            skip_to: None,
            limits: RuleLimits::default(),
        };
        RuleIter::new(&spec, zone)
            .take(n)
            .map(|o| match o.utc {
                Some(u) => format!("{}Z", u.format("%Y%m%dT%H%M%S")),
                None => o.wall.format("%Y%m%dT%H%M%S").to_string(),
            })
            .collect()
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
        let (recur, _) = parse_recur("FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30").unwrap();
        let spec = RuleSpec {
            recur,
            dtstart: dt("20250101T000000"),
            zone: None,
            until: None,
            include_dtstart: true,
            skip_to: None,
            limits: RuleLimits::default(),
        };
        let mut it = RuleIter::new(&spec, None);
        let all: Vec<_> = it.by_ref().collect();
        assert_eq!(all.len(), 1, "only DTSTART");
        assert!(!it.notes().is_empty());
    }

    #[test]
    fn skip_ahead_gives_the_same_instances() {
        let (recur, _) = parse_recur("FREQ=MINUTELY;INTERVAL=7").unwrap();
        let mk = |skip| RuleSpec {
            recur: recur.clone(),
            dtstart: dt("20000101T000000"),
            zone: None,
            until: None,
            include_dtstart: true,
            skip_to: skip,
            limits: RuleLimits::default(),
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
        let (recur, _) = parse_recur("FREQ=MINUTELY;BYSECOND=0,60;COUNT=3").unwrap();
        let spec = RuleSpec {
            recur,
            dtstart: dt("20250101T000000"),
            zone: None,
            until: None,
            include_dtstart: true,
            skip_to: None,
            limits: RuleLimits::default(),
        };
        let mut it = RuleIter::new(&spec, None);
        assert_eq!(it.by_ref().count(), 3);
        assert!(it.notes().iter().any(|n| n.contains("BYSECOND=60")));
    }
}
