//! PidLidAppointmentRecur: RecurrencePattern (MS-OXOCAL 2.2.1.44.1) and
//! AppointmentRecurrencePattern with its exceptions (2.2.1.44.2–5), and the
//! dates a pattern gives, computed from the blob's own rules
//! ([`RecurrencePattern::dates`]) rather than through RRULE.

use chrono::{Datelike, Months, NaiveDate, TimeDelta, Weekday};

use super::tz::{nth_weekday, weekday_from_sunday0};
use super::{BlobError, Reader, datetime_from_minutes, minutes_from_date, put_utf16, utf16_len};

/// RecurFrequency values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecurFrequency(pub u16);

impl RecurFrequency {
    /// Daily.
    pub const DAILY: RecurFrequency = RecurFrequency(0x200A);
    /// Weekly.
    pub const WEEKLY: RecurFrequency = RecurFrequency(0x200B);
    /// Monthly.
    pub const MONTHLY: RecurFrequency = RecurFrequency(0x200C);
    /// Yearly.
    pub const YEARLY: RecurFrequency = RecurFrequency(0x200D);
}

/// PatternType values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PatternType(pub u16);

impl PatternType {
    /// Every Period days.
    pub const DAY: PatternType = PatternType(0x0000);
    /// Days of the week, every Period weeks.
    pub const WEEK: PatternType = PatternType(0x0001);
    /// A day of the month.
    pub const MONTH: PatternType = PatternType(0x0002);
    /// The Nth of some weekdays of the month.
    pub const MONTH_NTH: PatternType = PatternType(0x0003);
    /// The last day of the month.
    pub const MONTH_END: PatternType = PatternType(0x0004);
    /// A day of the Hijri month.
    pub const HJ_MONTH: PatternType = PatternType(0x000A);
    /// The Nth weekday of the Hijri month.
    pub const HJ_MONTH_NTH: PatternType = PatternType(0x000B);
    /// The last day of the Hijri month.
    pub const HJ_MONTH_END: PatternType = PatternType(0x000C);

    /// Bytes of PatternTypeSpecific for this type; `None` if unknown.
    pub fn specific_len(self) -> Option<usize> {
        match self.0 {
            0x0000 => Some(0),
            0x0001 | 0x0002 | 0x0004 | 0x000A | 0x000C => Some(4),
            0x0003 | 0x000B => Some(8),
            _ => None,
        }
    }
}

/// EndType values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EndType(pub u32);

impl EndType {
    /// Ends after a date.
    pub const AFTER_DATE: EndType = EndType(0x0000_2021);
    /// Ends after a number of occurrences.
    pub const AFTER_COUNT: EndType = EndType(0x0000_2022);
    /// Never ends.
    pub const NEVER: EndType = EndType(0x0000_2023);
    /// Never ends (an older spelling).
    pub const NEVER_OLD: EndType = EndType(0xFFFF_FFFF);

    /// True for both spellings of "never".
    pub fn is_never(self) -> bool {
        self == Self::NEVER || self == Self::NEVER_OLD
    }
}

/// PatternTypeSpecific.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatternSpecific {
    /// Daily: nothing.
    None,
    /// Week: the day mask (Sunday 0x01 … Saturday 0x40).
    Week(u32),
    /// Month, MonthEnd, HjMonth, HjMonthEnd: the day of the month.
    Month(u32),
    /// MonthNth: the day mask and N (1–4, 5 = last).
    MonthNth {
        /// Day mask.
        mask: u32,
        /// Which one: 1–4, or 5 for the last.
        n: u32,
    },
}

/// The bit of a weekday in a day mask.
pub fn weekday_bit(w: Weekday) -> u32 {
    1 << w.num_days_from_sunday()
}

/// RecurrencePattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecurrencePattern {
    /// ReaderVersion (0x3004).
    pub reader_version: u16,
    /// WriterVersion (0x3004).
    pub writer_version: u16,
    /// RecurFrequency.
    pub frequency: RecurFrequency,
    /// PatternType.
    pub pattern_type: PatternType,
    /// CalendarType (0 = Gregorian, or Hijri for the Hj pattern types).
    pub calendar_type: u16,
    /// FirstDateTime (see MS-OXOCAL 2.2.1.44.1.1).
    pub first_date_time: u32,
    /// Period: minutes (daily), weeks, or months.
    pub period: u32,
    /// SlidingFlag (tasks only).
    pub sliding_flag: u32,
    /// PatternTypeSpecific.
    pub specific: PatternSpecific,
    /// EndType.
    pub end_type: EndType,
    /// OccurrenceCount.
    pub occurrence_count: u32,
    /// FirstDOW, 0 = Sunday.
    pub first_dow: u32,
    /// DeletedInstanceDates: local midnights, minutes since 1601.
    pub deleted: Vec<u32>,
    /// ModifiedInstanceDates: local midnights, minutes since 1601.
    pub modified: Vec<u32>,
    /// StartDate: local midnight of the first occurrence.
    pub start_date: u32,
    /// EndDate: local midnight of the last occurrence, or
    /// [`super::NO_END_DATE`].
    pub end_date: u32,
}

/// Most deleted (or modified) instance dates read from a blob.
pub const MAX_INSTANCE_DATES: u32 = 100_000;

impl RecurrencePattern {
    fn read(r: &mut Reader<'_>) -> Result<RecurrencePattern, BlobError> {
        let reader_version = r.u16("ReaderVersion")?;
        let writer_version = r.u16("WriterVersion")?;
        let frequency = RecurFrequency(r.u16("RecurFrequency")?);
        let pattern_type = PatternType(r.u16("PatternType")?);
        let calendar_type = r.u16("CalendarType")?;
        let first_date_time = r.u32("FirstDateTime")?;
        let period = r.u32("Period")?;
        let sliding_flag = r.u32("SlidingFlag")?;
        let specific = match pattern_type.specific_len() {
            None => {
                return Err(r.error(format!("unknown PatternType 0x{:04X}", pattern_type.0)));
            }
            Some(0) => PatternSpecific::None,
            Some(8) => PatternSpecific::MonthNth {
                mask: r.u32("PatternTypeSpecific day mask")?,
                n: r.u32("PatternTypeSpecific N")?,
            },
            Some(_) if pattern_type == PatternType::WEEK => {
                PatternSpecific::Week(r.u32("PatternTypeSpecific day mask")?)
            }
            Some(_) => PatternSpecific::Month(r.u32("PatternTypeSpecific day")?),
        };
        let end_type = EndType(r.u32("EndType")?);
        let occurrence_count = r.u32("OccurrenceCount")?;
        let first_dow = r.u32("FirstDOW")?;
        let deleted = read_dates(r, "DeletedInstance")?;
        let modified = read_dates(r, "ModifiedInstance")?;
        let start_date = r.u32("StartDate")?;
        let end_date = r.u32("EndDate")?;
        Ok(RecurrencePattern {
            reader_version,
            writer_version,
            frequency,
            pattern_type,
            calendar_type,
            first_date_time,
            period,
            sliding_flag,
            specific,
            end_type,
            occurrence_count,
            first_dow,
            deleted,
            modified,
            start_date,
            end_date,
        })
    }

    /// Reads a RecurrencePattern blob (as tasks store it).
    pub fn decode(bytes: &[u8]) -> Result<RecurrencePattern, BlobError> {
        let mut r = Reader::new(bytes, "RecurrencePattern");
        Self::read(&mut r)
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.reader_version.to_le_bytes());
        out.extend_from_slice(&self.writer_version.to_le_bytes());
        out.extend_from_slice(&self.frequency.0.to_le_bytes());
        out.extend_from_slice(&self.pattern_type.0.to_le_bytes());
        out.extend_from_slice(&self.calendar_type.to_le_bytes());
        for v in [self.first_date_time, self.period, self.sliding_flag] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        match self.specific {
            PatternSpecific::None => {}
            PatternSpecific::Week(v) | PatternSpecific::Month(v) => {
                out.extend_from_slice(&v.to_le_bytes());
            }
            PatternSpecific::MonthNth { mask, n } => {
                out.extend_from_slice(&mask.to_le_bytes());
                out.extend_from_slice(&n.to_le_bytes());
            }
        }
        for v in [self.end_type.0, self.occurrence_count, self.first_dow] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for list in [&self.deleted, &self.modified] {
            out.extend_from_slice(&u32::try_from(list.len()).unwrap_or(u32::MAX).to_le_bytes());
            for d in list {
                out.extend_from_slice(&d.to_le_bytes());
            }
        }
        out.extend_from_slice(&self.start_date.to_le_bytes());
        out.extend_from_slice(&self.end_date.to_le_bytes());
    }

    /// The blob.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        self.write(&mut out);
        out
    }

    /// The first day of the week, from FirstDOW.
    pub fn week_start(&self) -> Weekday {
        u16::try_from(self.first_dow)
            .ok()
            .and_then(weekday_from_sunday0)
            .unwrap_or(Weekday::Sun)
    }

    /// The dates of the pattern's occurrences in order, from StartDate, as
    /// MS-OXOCAL defines them (FirstDateTime and Period select days, weeks
    /// and months; a day of the month past its end falls on the last day),
    /// before deleted and modified instances are applied. Stops at the
    /// pattern's end or after `limit` dates.
    ///
    /// Only Gregorian patterns are computed; others are an error.
    pub fn dates(&self, limit: usize) -> Result<Vec<NaiveDate>, String> {
        let mut out = Vec::new();
        if limit == 0 {
            return Ok(out);
        }
        self.visit(&mut |d| {
            out.push(d);
            out.len() < limit
        })?;
        Ok(out)
    }

    /// Calls `f` with each date of [`dates`](Self::dates), in order, until
    /// the pattern ends or `f` returns false.
    pub fn visit(&self, f: &mut dyn FnMut(NaiveDate) -> bool) -> Result<(), String> {
        self.walk(Skip::NONE, &mut |_, d| f(d))
    }

    /// Like [`visit`](Self::visit), with each date's index (0 for the
    /// first), but whole periods (days, weeks or months of the pattern) that
    /// `skip` allows to leave out are stepped over in constant time instead
    /// of being walked date by date.
    ///
    /// `f` is called in order until the pattern or `f` stops; an occurrence
    /// is left out only when `skip` allows it (an index below
    /// [`Skip::below`] and, when [`Skip::before`] is set, a date before it).
    /// From two occurrences before the first one that `skip` does not allow,
    /// none is left out, so that a caller can look back from it. (Today the
    /// walk steps over periods once, after the first one after StartDate.)
    pub fn walk(
        &self,
        skip: Skip,
        f: &mut dyn FnMut(usize, NaiveDate) -> bool,
    ) -> Result<(), String> {
        if self.calendar_type > 1 && self.calendar_type != 2
            || self.pattern_type.0 >= PatternType::HJ_MONTH.0
        {
            return Err(format!(
                "calendar type {} / pattern type 0x{:04X} is not Gregorian",
                self.calendar_type, self.pattern_type.0
            ));
        }
        if self.period == 0 {
            return Err("Period is 0".into());
        }
        let start = datetime_from_minutes(self.start_date).date();
        let mut w = Walker {
            start,
            end: datetime_from_minutes(self.end_date).date(),
            by_date: self.end_type == EndType::AFTER_DATE,
            max: match self.end_type {
                EndType::AFTER_COUNT => self.occurrence_count as usize,
                _ => usize::MAX,
            },
            count: 0,
            skip,
            f,
        };
        if w.max == 0 {
            return Ok(());
        }
        // Steps are bounded: past year 4500 every pattern has ended.
        let horizon = NaiveDate::from_ymd_opt(4501, 1, 1).ok_or("no horizon")?;
        match (self.pattern_type, self.specific) {
            (PatternType::DAY, _) => {
                let step = i64::from(self.period / 1440).max(1);
                let period = i64::from(self.period);
                let off = (i64::from(self.start_date) - i64::from(self.first_date_time))
                    .rem_euclid(period);
                let mut d = start;
                if off != 0 {
                    d += TimeDelta::days((period - off) / 1440);
                }
                // Every date from here on is counted: one per step.
                let d0 = d;
                let whole = |x: NaiveDate| (x - d0).num_days().div_euclid(step);
                w.jump(1, whole, whole(horizon), |k| {
                    d += TimeDelta::days(k.saturating_mul(step));
                    true
                });
                while d < horizon && w.push(d) {
                    d += TimeDelta::days(step);
                }
            }
            (PatternType::WEEK, PatternSpecific::Week(mask)) => {
                if mask & 0x7F == 0 {
                    return Err("empty day mask".into());
                }
                let ws = self.week_start();
                let back =
                    (7 + start.weekday().num_days_from_sunday() - ws.num_days_from_sunday()) % 7;
                let mut week = start - TimeDelta::days(i64::from(back));
                let period_min = 10_080 * i64::from(self.period);
                loop {
                    let wm = i64::from(minutes_from_date(week).ok_or("date before 1601")?);
                    if (wm - i64::from(self.first_date_time)).rem_euclid(period_min) == 0 {
                        break;
                    }
                    week += TimeDelta::days(7);
                    if week > horizon {
                        return Ok(());
                    }
                }
                let len = 7 * i64::from(self.period);
                let per = (mask & 0x7F).count_ones() as usize;
                let mut jumped = false;
                'weeks: while week < horizon {
                    // A week wholly after StartDate has all its days counted.
                    if !jumped && week >= start {
                        jumped = true;
                        let wk = week;
                        let whole = |x: NaiveDate| (x - wk).num_days().div_euclid(len);
                        w.jump(per, whole, whole(horizon), |k| {
                            week += TimeDelta::days(k.saturating_mul(len));
                            true
                        });
                    }
                    for i in 0..7 {
                        let d = week + TimeDelta::days(i);
                        if mask & weekday_bit(d.weekday()) != 0 && !w.push(d) {
                            break 'weeks;
                        }
                        if w.by_date && d > w.end {
                            break 'weeks;
                        }
                    }
                    week += TimeDelta::days(len);
                }
            }
            (pt, spec)
                if pt == PatternType::MONTH
                    || pt == PatternType::MONTH_END
                    || pt == PatternType::MONTH_NTH =>
            {
                let base = NaiveDate::from_ymd_opt(1601, 1, 1).ok_or("no 1601")?;
                let first_month =
                    months_between(base, datetime_from_minutes(self.first_date_time).date());
                let mut month = start.with_day(1).ok_or("bad start")?;
                let p = i64::from(self.period);
                let adv = (first_month - months_between(base, month)).rem_euclid(p);
                month = month
                    .checked_add_months(Months::new(u32::try_from(adv).unwrap_or(0)))
                    .ok_or("month overflow")?;
                // Each month of the pattern has exactly one date, unless the
                // nth-weekday data is out of range (then no jumps).
                let one_per_month = match spec {
                    PatternSpecific::MonthNth { mask, n } => mask & 0x7F != 0 && n >= 1,
                    _ => true,
                };
                let mut jumped = !one_per_month;
                while month < horizon {
                    if !jumped && month >= start {
                        jumped = true;
                        let m = month;
                        let whole = |x: NaiveDate| months_between(m, x).div_euclid(p);
                        w.jump(1, whole, whole(horizon), |k| {
                            let next = u32::try_from(k.saturating_mul(p))
                                .ok()
                                .and_then(|n| month.checked_add_months(Months::new(n)));
                            next.map(|n| month = n).is_some()
                        });
                    }
                    let days = days_in_month(month);
                    let day = match (pt, spec) {
                        (PatternType::MONTH_END, _) => Some(days),
                        (PatternType::MONTH, PatternSpecific::Month(d)) => {
                            if d == 0 {
                                return Err("day of month 0".into());
                            }
                            Some(d.min(days))
                        }
                        (PatternType::MONTH_NTH, PatternSpecific::MonthNth { mask, n }) => {
                            nth_in_mask(month, mask, n)
                        }
                        _ => return Err("pattern data does not match its type".into()),
                    };
                    if let Some(day) = day
                        && let Some(d) = month.with_day(day)
                        && !w.push(d)
                    {
                        break;
                    }
                    if w.by_date && month > w.end {
                        break;
                    }
                    month = month
                        .checked_add_months(Months::new(self.period))
                        .ok_or("month overflow")?;
                }
            }
            _ => return Err("pattern data does not match its type".into()),
        }
        Ok(())
    }
}

/// Which occurrences a [`RecurrencePattern::walk`] may leave out: those
/// with an index below `below` and, when `before` is set, a date before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Skip {
    /// Only occurrences dated before this may be left out (`None`: the date
    /// does not matter).
    pub before: Option<NaiveDate>,
    /// Only occurrences whose index is below this may be left out.
    pub below: usize,
}

impl Skip {
    /// Leave nothing out.
    pub const NONE: Skip = Skip {
        before: None,
        below: 0,
    };

    /// Leave out occurrences before a date.
    pub fn before(date: NaiveDate) -> Skip {
        Skip {
            before: Some(date),
            below: usize::MAX,
        }
    }

    /// Leave out occurrences whose index is below `index`.
    pub fn below(index: usize) -> Skip {
        Skip {
            before: None,
            below: index,
        }
    }
}

/// The state of one walk over a pattern's dates.
struct Walker<'f> {
    start: NaiveDate,
    end: NaiveDate,
    by_date: bool,
    max: usize,
    /// Occurrences counted so far (the index of the next one).
    count: usize,
    skip: Skip,
    f: &'f mut dyn FnMut(usize, NaiveDate) -> bool,
}

impl Walker<'_> {
    /// Offers one date; false when the walk ends.
    fn push(&mut self, d: NaiveDate) -> bool {
        if self.by_date && d > self.end {
            return false;
        }
        if d >= self.start {
            let i = self.count;
            self.count += 1;
            if !(self.f)(i, d) {
                return false;
            }
        }
        self.count < self.max
    }

    /// Steps over whole periods, each with `per` counted occurrences, from
    /// the walk's position: `advance(k)` moves the position `k` periods on
    /// (false when it cannot; then nothing is counted). `whole(x)` is the
    /// number of whole periods between the position and the date `x`;
    /// `to_horizon` is `whole` of the walk's horizon. Two periods are kept
    /// before the first occurrence the skip does not allow; none is stepped
    /// over that ends past the pattern's end date or its count.
    fn jump(
        &mut self,
        per: usize,
        whole: impl Fn(NaiveDate) -> i64,
        to_horizon: i64,
        advance: impl FnOnce(i64) -> bool,
    ) {
        let per_i = i64::try_from(per).unwrap_or(i64::MAX).max(1);
        let left_by_index = i64::try_from(self.skip.below.saturating_sub(self.count) / per.max(1))
            .unwrap_or(i64::MAX);
        let mut k = left_by_index.saturating_sub(2);
        if let Some(before) = self.skip.before {
            k = k.min(whole(before).saturating_sub(2));
        }
        if self.by_date {
            k = k.min(whole(self.end));
        }
        if self.max != usize::MAX {
            let left = i64::try_from(self.max.saturating_sub(self.count + 1)).unwrap_or(i64::MAX);
            k = k.min(left / per_i);
        }
        k = k.min(to_horizon.saturating_sub(1));
        if k > 0 && advance(k) {
            self.count = self
                .count
                .saturating_add(usize::try_from(k.saturating_mul(per_i)).unwrap_or(usize::MAX));
        }
    }
}

fn days_in_month(first: NaiveDate) -> u32 {
    first
        .checked_add_months(Months::new(1))
        .map(|n| u32::try_from((n - first).num_days()).unwrap_or(31))
        .unwrap_or(31)
}

fn months_between(a: NaiveDate, b: NaiveDate) -> i64 {
    i64::from(b.year() - a.year()) * 12 + i64::from(b.month()) - i64::from(a.month())
}

/// The day of the month that is the `n`-th (5 = last) day whose weekday is
/// in `mask`.
fn nth_in_mask(first: NaiveDate, mask: u32, n: u32) -> Option<u32> {
    let days = days_in_month(first);
    let wd0 = first.weekday().num_days_from_sunday();
    let matches = |d: u32| mask & (1 << ((wd0 + d - 1) % 7)) != 0;
    if n >= 5 {
        (1..=days).rev().find(|d| matches(*d))
    } else {
        (1..=days)
            .filter(|d| matches(*d))
            .nth(n.checked_sub(1)? as usize)
    }
}

/// The `n`-th weekday of a month (re-exported for callers that convert
/// rules).
pub fn nth_weekday_of_month(year: i32, month: u32, w: Weekday, n: u8) -> Option<NaiveDate> {
    nth_weekday(year, month, w, n)
}

fn read_dates(r: &mut Reader<'_>, what: &str) -> Result<Vec<u32>, BlobError> {
    let n = r.u32(&format!("{what}Count"))?;
    if n > MAX_INSTANCE_DATES {
        return Err(r.error(format!("{what}Count {n} is above {MAX_INSTANCE_DATES}")));
    }
    if (r.remaining() / 4) < n as usize {
        return Err(r.error(format!("{what}Count {n} does not fit the blob")));
    }
    (0..n).map(|_| r.u32(&format!("{what}Dates"))).collect()
}

/// OverrideFlags of an exception (MS-OXOCAL 2.2.1.44.2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct OverrideFlags(pub u16);

impl OverrideFlags {
    /// ARO_SUBJECT.
    pub const SUBJECT: u16 = 0x0001;
    /// ARO_MEETINGTYPE.
    pub const MEETING_TYPE: u16 = 0x0002;
    /// ARO_REMINDERDELTA.
    pub const REMINDER_DELTA: u16 = 0x0004;
    /// ARO_REMINDER.
    pub const REMINDER: u16 = 0x0008;
    /// ARO_LOCATION.
    pub const LOCATION: u16 = 0x0010;
    /// ARO_BUSYSTATUS.
    pub const BUSY_STATUS: u16 = 0x0020;
    /// ARO_ATTACHMENT.
    pub const ATTACHMENT: u16 = 0x0040;
    /// ARO_SUBTYPE.
    pub const SUB_TYPE: u16 = 0x0080;
    /// ARO_APPTCOLOR.
    pub const APPT_COLOR: u16 = 0x0100;
    /// ARO_EXCEPTIONAL_BODY.
    pub const EXCEPTIONAL_BODY: u16 = 0x0200;

    /// True when `bit` is set.
    pub fn has(self, bit: u16) -> bool {
        self.0 & bit != 0
    }
}

/// ExceptionInfo: one changed instance. Times are local, minutes since 1601.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ExceptionInfo {
    /// New start.
    pub start: u32,
    /// New end.
    pub end: u32,
    /// The start of the instance it replaces.
    pub original_start: u32,
    /// Which of the fields below are present.
    pub flags: OverrideFlags,
    /// Subject in the message's code page (ARO_SUBJECT).
    pub subject: Option<Vec<u8>>,
    /// The exception's PidLidAppointmentStateFlags (ARO_MEETINGTYPE).
    pub meeting_type: Option<u32>,
    /// PidLidReminderDelta (ARO_REMINDERDELTA).
    pub reminder_delta: Option<u32>,
    /// PidLidReminderSet (ARO_REMINDER).
    pub reminder_set: Option<u32>,
    /// Location in the message's code page (ARO_LOCATION).
    pub location: Option<Vec<u8>>,
    /// PidLidBusyStatus (ARO_BUSYSTATUS).
    pub busy_status: Option<u32>,
    /// 1 when the exception has attachments (ARO_ATTACHMENT).
    pub attachment: Option<u32>,
    /// PidLidAppointmentSubType (ARO_SUBTYPE).
    pub sub_type: Option<u32>,
    /// PidLidAppointmentColor (ARO_APPTCOLOR).
    pub color: Option<u32>,
}

/// ChangeHighlight of an ExtendedException (WriterVersion2 ≥ 0x3009).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ChangeHighlight {
    /// The exception's PidLidChangeHighlight.
    pub value: u32,
    /// Reserved bytes after the value, kept as read.
    pub reserved: Vec<u8>,
}

/// ExtendedException: the Unicode subject and location of an exception.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ExtendedException {
    /// Present when WriterVersion2 ≥ 0x3009.
    pub change_highlight: Option<ChangeHighlight>,
    /// ReservedBlockEE1, kept as read.
    pub reserved1: Vec<u8>,
    /// Subject (ARO_SUBJECT).
    pub subject: Option<String>,
    /// Location (ARO_LOCATION).
    pub location: Option<String>,
    /// ReservedBlockEE2, kept as read.
    pub reserved2: Vec<u8>,
}

/// One exception: its ExceptionInfo and ExtendedException.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Exception {
    /// ExceptionInfo.
    pub info: ExceptionInfo,
    /// ExtendedException.
    pub extended: ExtendedException,
}

/// The PidLidAppointmentRecur blob.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AppointmentRecurrencePattern {
    /// The RecurrencePattern.
    pub pattern: RecurrencePattern,
    /// ReaderVersion2 (0x3006).
    pub reader_version2: u32,
    /// WriterVersion2 (0x3009; 0x3008 has no ChangeHighlight).
    pub writer_version2: u32,
    /// Minutes after local midnight when each occurrence starts.
    pub start_time_offset: u32,
    /// Minutes after that same midnight when it ends.
    pub end_time_offset: u32,
    /// The exceptions, in the order stored.
    pub exceptions: Vec<Exception>,
    /// ReservedBlock1, kept as read.
    pub reserved1: Vec<u8>,
    /// ReservedBlock2, kept as read.
    pub reserved2: Vec<u8>,
    /// Bytes after the structure (Outlook sometimes pads with zeros), kept
    /// as read.
    pub trailing: Vec<u8>,
}

/// Most bytes of a reserved block, a subject or a location in a blob.
pub const MAX_BLOCK: usize = 1 << 20;

fn block(r: &mut Reader<'_>, field: &str) -> Result<Vec<u8>, BlobError> {
    let n = r.u32(&format!("{field}Size"))? as usize;
    if n > MAX_BLOCK {
        return Err(r.error(format!("{field}Size {n} is above {MAX_BLOCK}")));
    }
    Ok(r.take(n, field)?.to_vec())
}

fn put_block(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&u32::try_from(b.len()).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(b);
}

impl ExceptionInfo {
    fn read(r: &mut Reader<'_>) -> Result<ExceptionInfo, BlobError> {
        let mut e = ExceptionInfo {
            start: r.u32("StartDateTime")?,
            end: r.u32("EndDateTime")?,
            original_start: r.u32("OriginalStartDate")?,
            flags: OverrideFlags(r.u16("OverrideFlags")?),
            ..Default::default()
        };
        let f = e.flags;
        let text = |r: &mut Reader<'_>, field: &str| -> Result<Vec<u8>, BlobError> {
            let _len = r.u16(&format!("{field}Length"))?;
            let len2 = r.u16(&format!("{field}Length2"))?;
            Ok(r.take(usize::from(len2), field)?.to_vec())
        };
        if f.has(OverrideFlags::SUBJECT) {
            e.subject = Some(text(r, "Subject")?);
        }
        if f.has(OverrideFlags::MEETING_TYPE) {
            e.meeting_type = Some(r.u32("MeetingType")?);
        }
        if f.has(OverrideFlags::REMINDER_DELTA) {
            e.reminder_delta = Some(r.u32("ReminderDelta")?);
        }
        if f.has(OverrideFlags::REMINDER) {
            e.reminder_set = Some(r.u32("ReminderSet")?);
        }
        if f.has(OverrideFlags::LOCATION) {
            e.location = Some(text(r, "Location")?);
        }
        if f.has(OverrideFlags::BUSY_STATUS) {
            e.busy_status = Some(r.u32("BusyStatus")?);
        }
        if f.has(OverrideFlags::ATTACHMENT) {
            e.attachment = Some(r.u32("Attachment")?);
        }
        if f.has(OverrideFlags::SUB_TYPE) {
            e.sub_type = Some(r.u32("SubType")?);
        }
        if f.has(OverrideFlags::APPT_COLOR) {
            e.color = Some(r.u32("AppointmentColor")?);
        }
        Ok(e)
    }

    fn write(&self, out: &mut Vec<u8>) {
        for v in [self.start, self.end, self.original_start] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&self.flags.0.to_le_bytes());
        let f = self.flags;
        let text = |out: &mut Vec<u8>, t: &Option<Vec<u8>>| {
            let t = t.as_deref().unwrap_or_default();
            let n = u16::try_from(t.len()).unwrap_or(u16::MAX - 1);
            out.extend_from_slice(&(n + 1).to_le_bytes());
            out.extend_from_slice(&n.to_le_bytes());
            out.extend_from_slice(t.get(..usize::from(n)).unwrap_or_default());
        };
        let int = |out: &mut Vec<u8>, v: Option<u32>| {
            out.extend_from_slice(&v.unwrap_or(0).to_le_bytes())
        };
        if f.has(OverrideFlags::SUBJECT) {
            text(out, &self.subject);
        }
        if f.has(OverrideFlags::MEETING_TYPE) {
            int(out, self.meeting_type);
        }
        if f.has(OverrideFlags::REMINDER_DELTA) {
            int(out, self.reminder_delta);
        }
        if f.has(OverrideFlags::REMINDER) {
            int(out, self.reminder_set);
        }
        if f.has(OverrideFlags::LOCATION) {
            text(out, &self.location);
        }
        if f.has(OverrideFlags::BUSY_STATUS) {
            int(out, self.busy_status);
        }
        if f.has(OverrideFlags::ATTACHMENT) {
            int(out, self.attachment);
        }
        if f.has(OverrideFlags::SUB_TYPE) {
            int(out, self.sub_type);
        }
        if f.has(OverrideFlags::APPT_COLOR) {
            int(out, self.color);
        }
    }
}

impl ExtendedException {
    fn read(
        r: &mut Reader<'_>,
        writer_version2: u32,
        info: &ExceptionInfo,
    ) -> Result<ExtendedException, BlobError> {
        let mut e = ExtendedException::default();
        if writer_version2 >= 0x3009 {
            let size = r.u32("ChangeHighlightSize")? as usize;
            if size > MAX_BLOCK {
                return Err(r.error(format!("ChangeHighlightSize {size} is above {MAX_BLOCK}")));
            }
            let value = if size >= 4 {
                r.u32("ChangeHighlightValue")?
            } else {
                0
            };
            let reserved = r
                .take(size.saturating_sub(4), "ChangeHighlight reserved")?
                .to_vec();
            e.change_highlight = Some(ChangeHighlight { value, reserved });
        }
        e.reserved1 = block(r, "ReservedBlockEE1")?;
        let f = info.flags;
        if f.has(OverrideFlags::SUBJECT) || f.has(OverrideFlags::LOCATION) {
            // The three times repeat ExceptionInfo's; they are checked, not kept.
            let start = r.u32("StartDateTime")?;
            let end = r.u32("EndDateTime")?;
            let orig = r.u32("OriginalStartDate")?;
            if (start, end, orig) != (info.start, info.end, info.original_start) {
                return Err(r.error("ExtendedException times differ from ExceptionInfo's"));
            }
            if f.has(OverrideFlags::SUBJECT) {
                let n = r.u16("WideCharSubjectLength")?;
                e.subject = Some(r.utf16(usize::from(n), "WideCharSubject")?);
            }
            if f.has(OverrideFlags::LOCATION) {
                let n = r.u16("WideCharLocationLength")?;
                e.location = Some(r.utf16(usize::from(n), "WideCharLocation")?);
            }
            e.reserved2 = block(r, "ReservedBlockEE2")?;
        }
        Ok(e)
    }

    fn write(&self, out: &mut Vec<u8>, writer_version2: u32, info: &ExceptionInfo) {
        if writer_version2 >= 0x3009 {
            let ch = self.change_highlight.clone().unwrap_or_default();
            out.extend_from_slice(
                &u32::try_from(4 + ch.reserved.len())
                    .unwrap_or(4)
                    .to_le_bytes(),
            );
            out.extend_from_slice(&ch.value.to_le_bytes());
            out.extend_from_slice(&ch.reserved);
        }
        put_block(out, &self.reserved1);
        let f = info.flags;
        if f.has(OverrideFlags::SUBJECT) || f.has(OverrideFlags::LOCATION) {
            for v in [info.start, info.end, info.original_start] {
                out.extend_from_slice(&v.to_le_bytes());
            }
            let text = |out: &mut Vec<u8>, t: &Option<String>| {
                let t = t.as_deref().unwrap_or_default();
                let n = utf16_len(t).min(usize::from(u16::MAX));
                out.extend_from_slice(&u16::try_from(n).unwrap_or(u16::MAX).to_le_bytes());
                let units: Vec<u16> = t.encode_utf16().take(n).collect();
                put_utf16(out, &String::from_utf16_lossy(&units));
            };
            if f.has(OverrideFlags::SUBJECT) {
                text(out, &self.subject);
            }
            if f.has(OverrideFlags::LOCATION) {
                text(out, &self.location);
            }
            put_block(out, &self.reserved2);
        }
    }
}

/// Most exceptions read from one blob.
pub const MAX_EXCEPTIONS: usize = 10_000;

impl AppointmentRecurrencePattern {
    /// Reads the blob.
    pub fn decode(bytes: &[u8]) -> Result<AppointmentRecurrencePattern, BlobError> {
        let mut r = Reader::new(bytes, "AppointmentRecurrencePattern");
        let pattern = RecurrencePattern::read(&mut r)?;
        let reader_version2 = r.u32("ReaderVersion2")?;
        let writer_version2 = r.u32("WriterVersion2")?;
        let start_time_offset = r.u32("StartTimeOffset")?;
        let end_time_offset = r.u32("EndTimeOffset")?;
        let count = usize::from(r.u16("ExceptionCount")?);
        if count > MAX_EXCEPTIONS {
            return Err(r.error(format!("ExceptionCount {count} is above {MAX_EXCEPTIONS}")));
        }
        let infos = (0..count)
            .map(|_| ExceptionInfo::read(&mut r))
            .collect::<Result<Vec<_>, _>>()?;
        let reserved1 = block(&mut r, "ReservedBlock1")?;
        let mut exceptions = Vec::with_capacity(count);
        for info in infos {
            let extended = ExtendedException::read(&mut r, writer_version2, &info)?;
            exceptions.push(Exception { info, extended });
        }
        let reserved2 = block(&mut r, "ReservedBlock2")?;
        let trailing = r.take(r.remaining(), "trailing bytes")?.to_vec();
        Ok(AppointmentRecurrencePattern {
            pattern,
            reader_version2,
            writer_version2,
            start_time_offset,
            end_time_offset,
            exceptions,
            reserved1,
            reserved2,
            trailing,
        })
    }

    /// The blob.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        self.pattern.write(&mut out);
        for v in [
            self.reader_version2,
            self.writer_version2,
            self.start_time_offset,
            self.end_time_offset,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        let n = self.exceptions.len().min(usize::from(u16::MAX));
        out.extend_from_slice(&u16::try_from(n).unwrap_or(u16::MAX).to_le_bytes());
        for e in self.exceptions.iter().take(n) {
            e.info.write(&mut out);
        }
        put_block(&mut out, &self.reserved1);
        for e in self.exceptions.iter().take(n) {
            e.extended.write(&mut out, self.writer_version2, &e.info);
        }
        put_block(&mut out, &self.reserved2);
        out.extend_from_slice(&self.trailing);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::{from_hex, to_hex};
    use super::*;

    fn blob(lines: &[&str]) -> Vec<u8> {
        from_hex(&lines.concat()).unwrap()
    }

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn weekly_no_exceptions() {
        // MS-OXOCAL 4.1.1.1.
        let b = blob(&[
            "043004300B2001000000C0210000010000000000000032000000222000000C00",
            "00000000000000000000000000008020BC0C20ADBC0C06300000093000005802",
            "00007602000000000000000000000000",
        ]);
        let p = AppointmentRecurrencePattern::decode(&b).unwrap();
        assert_eq!(p.pattern.frequency, RecurFrequency::WEEKLY);
        assert_eq!(p.pattern.specific, PatternSpecific::Week(0x32));
        assert_eq!(p.pattern.end_type, EndType::AFTER_COUNT);
        assert_eq!(p.pattern.occurrence_count, 12);
        assert_eq!((p.start_time_offset, p.end_time_offset), (600, 630));
        assert_eq!(p.encode(), b);
        let dates = p.pattern.dates(100).unwrap();
        assert_eq!(dates.len(), 12);
        assert_eq!(dates[0], d(2007, 3, 26));
        assert_eq!(dates[11], d(2007, 4, 20));
        assert_eq!(minutes_from_date(dates[11]), Some(p.pattern.end_date));
    }

    #[test]
    fn weekly_one_exception() {
        // MS-OXOCAL 4.1.1.2.
        let b = blob(&[
            "043004300B2001000000C0210000010000000000000032000000222000000C00",
            "00000000000001000000A096BC0C01000000A096BC0C8020BC0C20ADBC0C0630",
            "000009300000580200007602000001003499BC0C5299BC0CF898BC0C11002200",
            "210053696D706C6520526563757272656E636520776974682065786365707469",
            "6F6E730800070033342F34313431000000000400000000000000000000003499",
            "BC0C5299BC0CF898BC0C2100530069006D0070006C0065002000520065006300",
            "75007200720065006E0063006500200077006900740068002000650078006300",
            "65007000740069006F006E0073000700330034002F0034003100340031000000",
            "000000000000",
        ]);
        assert_eq!(b.len(), 262);
        let p = AppointmentRecurrencePattern::decode(&b).unwrap();
        assert_eq!(p.pattern.deleted, vec![0x0CBC_96A0]);
        assert_eq!(p.pattern.modified, vec![0x0CBC_96A0]);
        let e = &p.exceptions[0];
        assert_eq!(e.info.flags.0, 0x0011);
        assert_eq!(
            e.info.subject.as_deref(),
            Some(&b"Simple Recurrence with exceptions"[..])
        );
        assert_eq!(e.info.location.as_deref(), Some(&b"34/4141"[..]));
        assert_eq!(
            e.extended.subject.as_deref(),
            Some("Simple Recurrence with exceptions")
        );
        assert_eq!(e.extended.location.as_deref(), Some("34/4141"));
        assert_eq!(
            datetime_from_minutes(e.info.start).to_string(),
            "2007-04-16 11:00:00"
        );
        assert_eq!(to_hex(&p.encode()), to_hex(&b));
    }

    #[test]
    fn daily_with_deleted() {
        // MS-OXOCAL 4.1.1.3 (the blob, not its mistaken field table).
        let b = blob(&[
            "043004300A2000000000A0050000E010000000000000212000000A0000000000",
            "000002000000A0C1DC0C80D2DC0C00000000207EDC0C0016DD0C063000000930",
            "0000E0010000FE01000000000000000000000000",
        ]);
        let p = AppointmentRecurrencePattern::decode(&b).unwrap();
        assert_eq!(p.pattern.period, 4320);
        assert_eq!(p.pattern.occurrence_count, 10);
        assert_eq!(p.encode(), b);
        let dates = p.pattern.dates(100).unwrap();
        assert_eq!(dates.len(), 10);
        assert_eq!(dates[0], d(2011, 4, 7));
        assert_eq!(dates[9], d(2011, 5, 4));
        assert!(dates.contains(&d(2011, 4, 19)) && dates.contains(&d(2011, 4, 22)));
    }

    #[test]
    fn hebrew_yearly_with_exception() {
        // MS-OXOCAL 4.1.1.6.
        let b = blob(&[
            "043004300D200200080080750A000C0000000000000003000000232000000A00",
            "00000000000001000000207EDC0C01000000207EDC0C6074C40CDF80E95A0630",
            "000009300000E0010000FE01000001000080DC0C1E80DC0C0080DC0C24023C00",
            "0000010000000000000004000000000000000000000000000000",
        ]);
        let p = AppointmentRecurrencePattern::decode(&b).unwrap();
        assert_eq!(p.pattern.calendar_type, 8);
        assert_eq!(p.pattern.first_date_time, 685_440);
        let e = &p.exceptions[0];
        assert_eq!(e.info.flags.0, 0x0224);
        assert_eq!(e.info.reminder_delta, Some(60));
        assert_eq!(e.info.busy_status, Some(1));
        assert_eq!(
            e.extended.change_highlight.as_ref().map(|c| c.value),
            Some(0)
        );
        assert_eq!(p.encode(), b);
        assert!(p.pattern.dates(10).is_err());
    }

    #[test]
    fn monthly_dates_fall_on_the_last_day() {
        // Day 31 of every month from 2024-01-31: short months give their
        // last day (MS-OXOCAL), unlike RRULE's BYMONTHDAY=31.
        let start = minutes_from_date(d(2024, 1, 31)).unwrap();
        let p = RecurrencePattern {
            reader_version: 0x3004,
            writer_version: 0x3004,
            frequency: RecurFrequency::MONTHLY,
            pattern_type: PatternType::MONTH,
            calendar_type: 0,
            first_date_time: 0,
            period: 1,
            sliding_flag: 0,
            specific: PatternSpecific::Month(31),
            end_type: EndType::AFTER_COUNT,
            occurrence_count: 4,
            first_dow: 0,
            deleted: vec![],
            modified: vec![],
            start_date: start,
            end_date: 0,
        };
        assert_eq!(
            p.dates(10).unwrap(),
            vec![
                d(2024, 1, 31),
                d(2024, 2, 29),
                d(2024, 3, 31),
                d(2024, 4, 30)
            ]
        );
        let nth = RecurrencePattern {
            pattern_type: PatternType::MONTH_NTH,
            specific: PatternSpecific::MonthNth { mask: 0x3E, n: 5 },
            ..p.clone()
        };
        // The last weekday of each month.
        assert_eq!(
            nth.dates(3).unwrap(),
            vec![d(2024, 1, 31), d(2024, 2, 29), d(2024, 3, 29)]
        );
    }

    /// A small deterministic generator for the walk tests.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % n.max(1)
        }
    }

    fn random_pattern(g: &mut Lcg) -> RecurrencePattern {
        let start = d(2000, 1, 1) + TimeDelta::days(g.next(11_000) as i64);
        let start_date = minutes_from_date(start).unwrap();
        let mask = 1 + g.next(127) as u32;
        let (pattern_type, specific, period) = match g.next(5) {
            0 => (
                PatternType::DAY,
                PatternSpecific::None,
                1440 * (1 + g.next(9) as u32),
            ),
            1 => (
                PatternType::WEEK,
                PatternSpecific::Week(mask),
                1 + g.next(5) as u32,
            ),
            2 => (
                PatternType::MONTH,
                PatternSpecific::Month(1 + g.next(31) as u32),
                [1, 2, 3, 12, 24][g.next(5) as usize],
            ),
            3 => (
                PatternType::MONTH_END,
                PatternSpecific::None,
                1 + g.next(13) as u32,
            ),
            _ => (
                PatternType::MONTH_NTH,
                PatternSpecific::MonthNth {
                    mask,
                    n: 1 + g.next(5) as u32,
                },
                [1, 2, 12][g.next(3) as usize],
            ),
        };
        let end = start + TimeDelta::days(g.next(8_000) as i64);
        // FirstDateTime on a day that starts a week (1601-01-01 was a
        // Monday), as real patterns have it, so weekly ones find their weeks.
        let first_dow = g.next(7) as u32;
        let first_date_time = 1440 * ((first_dow + 6) % 7 + 7 * g.next(40_000) as u32);
        let (end_type, occurrence_count) = match g.next(3) {
            0 => (EndType::AFTER_COUNT, g.next(3_000) as u32),
            1 => (EndType::AFTER_DATE, 0),
            _ => (EndType::NEVER, 0),
        };
        RecurrencePattern {
            reader_version: 0x3004,
            writer_version: 0x3004,
            frequency: RecurFrequency::DAILY,
            pattern_type,
            calendar_type: 0,
            first_date_time,
            period,
            sliding_flag: 0,
            specific,
            end_type,
            occurrence_count,
            first_dow,
            deleted: vec![],
            modified: vec![],
            start_date,
            end_date: minutes_from_date(end).unwrap(),
        }
    }

    #[test]
    fn a_walk_that_skips_gives_the_same_dates_as_a_full_one() {
        const CAP: usize = 2_000;
        let mut g = Lcg(7);
        let mut skipped_some = 0;
        for case in 0..1_000 {
            let p = random_pattern(&mut g);
            let full = p.dates(CAP).unwrap_or_default();
            let len = full.len() as u64 + 2;
            let before = match g.next(3) {
                0 => None,
                _ => Some(
                    full.get(g.next(len) as usize)
                        .copied()
                        .unwrap_or(d(2040, 1, 1))
                        + TimeDelta::days(g.next(3) as i64 - 1),
                ),
            };
            let below = match g.next(3) {
                0 => usize::MAX,
                _ => g.next(len) as usize,
            };
            let skip = Skip { before, below };
            let mut seen: Vec<(usize, NaiveDate)> = Vec::new();
            let walked = p.walk(skip, &mut |i, d| {
                seen.push((i, d));
                i + 1 < CAP
            });
            assert_eq!(walked.is_ok(), p.dates(1).is_ok(), "case {case}: {p:?}");
            // The dates given are the full walk's, in order, to the end (or
            // to CAP: beyond it the reference has no dates to compare).
            if full.len() < CAP {
                assert!(
                    seen.iter().all(|(i, _)| *i < full.len()),
                    "case {case}: {p:?}"
                );
            }
            seen.retain(|(i, _)| *i < full.len());
            for w in seen.windows(2) {
                assert!(w[0].0 < w[1].0, "case {case}: {p:?} {skip:?}");
            }
            for (i, dd) in &seen {
                assert_eq!(full.get(*i), Some(dd), "case {case}: {p:?} {skip:?}");
            }
            let given: std::collections::HashSet<usize> = seen.iter().map(|(i, _)| *i).collect();
            // Only what the skip allows is left out, and nothing from two
            // before the first date it does not allow.
            let allowed = |j: usize| j < below && before.is_none_or(|b| full[j] < b);
            let needed = (0..full.len()).find(|j| !allowed(*j));
            for j in 0..full.len() {
                if !given.contains(&j) {
                    assert!(allowed(j), "case {case}: {j} {p:?} {skip:?}");
                    if let Some(n) = needed {
                        assert!(j + 2 < n, "case {case}: {j} {p:?} {skip:?}");
                    }
                }
            }
            let first = full.len() - given.len();
            skipped_some += usize::from(first > 2);
        }
        // The cases exercise real jumps, not only full walks.
        assert!(skipped_some > 200, "{skipped_some}");
    }

    #[test]
    fn a_walk_steps_over_long_stretches_in_a_few_calls() {
        let mut p = RecurrencePattern {
            reader_version: 0x3004,
            writer_version: 0x3004,
            frequency: RecurFrequency::DAILY,
            pattern_type: PatternType::DAY,
            calendar_type: 0,
            first_date_time: 0,
            period: 1440,
            sliding_flag: 0,
            specific: PatternSpecific::None,
            end_type: EndType::NEVER,
            occurrence_count: 0,
            first_dow: 0,
            deleted: vec![],
            modified: vec![],
            start_date: minutes_from_date(d(2001, 1, 1)).unwrap(),
            end_date: 0,
        };
        let mut calls = 0;
        let mut hit = None;
        p.walk(Skip::before(d(4000, 6, 1)), &mut |i, dd| {
            calls += 1;
            hit = Some((i, dd));
            dd < d(4000, 6, 1)
        })
        .unwrap();
        let index = (d(4000, 6, 1) - d(2001, 1, 1)).num_days() as usize;
        assert_eq!(hit, Some((index, d(4000, 6, 1))));
        assert!(calls <= 3, "{calls}");
        // Weekly, by index: the 100 000th Monday or Wednesday (weeks start
        // on Monday; FirstDateTime 0 is Monday 1601-01-01).
        p.first_dow = 1;
        p.pattern_type = PatternType::WEEK;
        p.specific = PatternSpecific::Week(0b1010);
        p.period = 1;
        p.end_type = EndType::AFTER_COUNT;
        p.occurrence_count = 100_000;
        let (mut calls, mut last) = (0, None);
        p.walk(Skip::below(99_999), &mut |i, dd| {
            calls += 1;
            last = Some((i, dd));
            true
        })
        .unwrap();
        let full = p.dates(100_000).unwrap();
        assert_eq!(last, Some((99_999, *full.last().unwrap())));
        assert!(calls <= 8, "{calls}");
    }

    #[test]
    fn hostile_blobs() {
        assert!(AppointmentRecurrencePattern::decode(&[]).is_err());
        // Unknown pattern type.
        assert!(RecurrencePattern::decode(&from_hex("043004300A200700").unwrap()).is_err());
        // A deleted count that does not fit.
        let mut b = blob(&[
            "043004300A2000000000A0050000E010000000000000212000000A0000000000",
            "000002000000A0C1DC0C80D2DC0C00000000207EDC0C0016DD0C063000000930",
            "0000E0010000FE01000000000000000000000000",
        ]);
        b[0x22..0x26].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        assert!(AppointmentRecurrencePattern::decode(&b).is_err());
        // Every truncation is an error, never a panic.
        let good = blob(&[
            "043004300B2001000000C0210000010000000000000032000000222000000C00",
            "00000000000001000000A096BC0C01000000A096BC0C8020BC0C20ADBC0C0630",
            "000009300000580200007602000001003499BC0C5299BC0CF898BC0C11002200",
            "210053696D706C6520526563757272656E636520776974682065786365707469",
            "6F6E730800070033342F34313431000000000400000000000000000000003499",
            "BC0C5299BC0CF898BC0C2100530069006D0070006C0065002000520065006300",
            "75007200720065006E0063006500200077006900740068002000650078006300",
            "65007000740069006F006E0073000700330034002F0034003100340031000000",
            "000000000000",
        ]);
        for n in 0..good.len() {
            assert!(
                AppointmentRecurrencePattern::decode(&good[..n]).is_err(),
                "{n}"
            );
        }
    }
}
