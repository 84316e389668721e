//! RRULE ⇄ RecurrencePattern (MS-OXCICAL 2.1.3.2).
//!
//! Import maps a rule onto one of the six templates (daily, weekly,
//! monthly, monthly Nth, yearly, yearly Nth) only where the pattern's dates
//! by MS-OXOCAL's own definition are the dates the rule gives by RFC 5545,
//! DTSTART being the pattern's first date (checked on every import). A rule
//! that fits no template is [`Unmappable`] with the reason. The agreement
//! is proved by tests over random rules of every accepted shape rather than
//! re-checked on each import (`docs/decisions.md`).
//! Export writes a rule that gives exactly the pattern's dates (see
//! `docs/decisions.md` for the forms used where RFC 5545 and MS-OXOCAL
//! count days of the month differently).

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Weekday};
use oxpim_contentline::value::recur::RecurUntil;
use oxpim_contentline::{DateTime, Frequency, Recur, RecurMonth, WeekdayNum};
use oxpim_recur::{RuleIter, RuleLimits, RuleSpec, TimeZone, Until};

use crate::blob::recur::{
    EndType, PatternSpecific, PatternType, RecurFrequency, RecurrencePattern, Skip, weekday_bit,
};
use crate::blob::{NO_END_DATE, datetime_from_minutes, minutes_from_date};

/// Why a rule has no Outlook form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmappable {
    /// A sentence for people.
    pub reason: String,
    /// True when the only problem is a DTSTART that the rule does not give
    /// (the importer then starts the series at the first rule instance).
    pub dtstart_not_instance: bool,
}

impl std::fmt::Display for Unmappable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

fn no(msg: impl Into<String>) -> Unmappable {
    Unmappable {
        reason: msg.into(),
        dtstart_not_instance: false,
    }
}

/// A DTSTART the rule does not give (the importer then starts the series
/// at the rule's first instance).
fn not_an_instance(msg: String) -> Unmappable {
    Unmappable {
        dtstart_not_instance: true,
        ..no(msg)
    }
}

/// What the importer knows about the series.
#[derive(Debug, Clone)]
pub struct Series<'z> {
    /// DTSTART as a wall-clock time in the series' zone (midnight for
    /// all-day series).
    pub start: NaiveDateTime,
    /// True for all-day series.
    pub all_day: bool,
    /// The zone (for UNTIL in UTC).
    pub zone: &'z TimeZone,
    /// MS-OXCICAL 2.1.3.2.4: UNTIL from Outlook 1–11 means 23:59 local.
    pub legacy_until: bool,
    /// CalendarType (from X-MICROSOFT-CALSCALE).
    pub calendar_type: u16,
    /// Most pattern instances counted for a COUNT or an UNTIL
    /// ([`crate::ical::ImportOptions::max_counted`]).
    pub max_counted: usize,
}

/// Most dates counted for a COUNT or an UNTIL by default (beyond, the rule
/// is unrepresentable); see [`Series::max_counted`].
pub const MAX_COUNTED: usize = 200_000;

fn mask_of(days: &[WeekdayNum]) -> u32 {
    days.iter().fold(0, |m, d| m | weekday_bit(d.weekday))
}

fn sunday0(w: Weekday) -> u32 {
    w.num_days_from_sunday()
}

fn days_in_month(y: i32, m: u32) -> u32 {
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.checked_add_months(Months::new(1)))
        .and_then(|n| n.pred_opt())
        .map_or(31, |d| d.day())
}

/// Fewest days month `m` has (February: 28).
fn min_days(m: u32) -> u32 {
    match m {
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The BYMONTHDAY form oxpim exports for MS-OXOCAL's day `d` of the month
/// where some months are shorter (29, 30): `BYMONTHDAY=28,…,d;BYSETPOS=-1`,
/// the last existing day of 28..=d. Recognised on import.
fn clamp_form(r: &Recur) -> Option<i8> {
    let days = &r.by_month_day;
    let d = *days.last()?;
    if r.by_set_pos.as_slice() == [-1]
        && days.len() >= 2
        && days.first() == Some(&28)
        && days
            .windows(2)
            .all(|w| w.get(1).copied() == w.first().map(|x| x + 1))
        && (29..=31).contains(&d)
        && r.by_day.is_empty()
    {
        Some(d)
    } else {
        None
    }
}

/// Maps an RRULE onto a RecurrencePattern for a series starting at
/// `s.start`; EndType, OccurrenceCount and EndDate are computed from the
/// pattern's own dates. Deleted and modified dates are left empty.
pub fn from_rrule(r: &Recur, s: &Series<'_>) -> Result<RecurrencePattern, Unmappable> {
    let start = s.start;
    let interval = r.interval();
    if interval == 0 {
        return Err(no("INTERVAL=0"));
    }
    if r.rscale
        .as_deref()
        .is_some_and(|c| !c.eq_ignore_ascii_case("GREGORIAN"))
    {
        return Err(no(format!(
            "RSCALE={} has no Outlook form",
            r.rscale.as_deref().unwrap_or("")
        )));
    }
    if r.skip.is_some() {
        return Err(no("SKIP has no Outlook form"));
    }
    let single_or_start = |v: &[u8], own: u32, part: &str| -> Result<(), Unmappable> {
        match v {
            [] => Ok(()),
            [x] if u32::from(*x) == own => Ok(()),
            _ => Err(no(format!(
                "{part} other than DTSTART's has no Outlook form"
            ))),
        }
    };
    use chrono::Timelike;
    single_or_start(&r.by_second, start.second(), "BYSECOND")?;
    single_or_start(&r.by_minute, start.minute(), "BYMINUTE")?;
    single_or_start(&r.by_hour, start.hour(), "BYHOUR")?;
    if !r.by_year_day.is_empty() {
        return Err(no("BYYEARDAY has no Outlook form"));
    }
    if !r.by_week_no.is_empty() {
        return Err(no("BYWEEKNO has no Outlook form"));
    }
    if r.count.is_some() && r.until.is_some() {
        return Err(no("COUNT and UNTIL together"));
    }
    if r.by_month.iter().any(|m| m.leap) {
        return Err(no("leap months have no Gregorian Outlook form"));
    }
    let ordinals = r.by_day.iter().any(|d| d.ordinal.is_some());
    let start_day = start.date();
    let wkst = r.wkst;
    let mut p = RecurrencePattern {
        reader_version: 0x3004,
        writer_version: 0x3004,
        frequency: RecurFrequency::DAILY,
        pattern_type: PatternType::DAY,
        calendar_type: s.calendar_type,
        first_date_time: 0,
        period: 0,
        sliding_flag: 0,
        specific: PatternSpecific::None,
        end_type: EndType::NEVER,
        occurrence_count: 10,
        first_dow: wkst.map_or(0, sunday0),
        deleted: Vec::new(),
        modified: Vec::new(),
        start_date: minutes_from_date(start_day).ok_or_else(|| no("DTSTART before 1601"))?,
        end_date: NO_END_DATE,
    };
    let nth = |n: i16| -> Result<u32, Unmappable> {
        match n {
            1..=4 => Ok(u32::try_from(n).unwrap_or(1)),
            -1 => Ok(5),
            _ => Err(no(format!("position {n} has no Outlook form (1–4 or -1)"))),
        }
    };
    let single_month = |r: &Recur| -> Result<u32, Unmappable> {
        match r.by_month.as_slice() {
            [] => Ok(start_day.month()),
            [m] => Ok(u32::from(m.month)),
            _ => Err(no("several BYMONTH values have no Outlook form")),
        }
    };
    let weekly = |p: &mut RecurrencePattern, mask: u32, weeks: u32| -> Result<(), Unmappable> {
        if weeks > 99 {
            return Err(no(format!("every {weeks} weeks is above Outlook's 99")));
        }
        p.frequency = RecurFrequency::WEEKLY;
        p.pattern_type = PatternType::WEEK;
        p.period = weeks;
        p.specific = PatternSpecific::Week(mask);
        // WKST only matters with several days every few weeks; RFC 5545's
        // default there is Monday, MS-OXCICAL's Sunday elsewhere.
        if wkst.is_none() && weeks > 1 && mask.count_ones() > 1 {
            p.first_dow = 1;
        }
        Ok(())
    };
    match r.freq {
        Frequency::Daily => {
            if !r.by_month.is_empty() || !r.by_month_day.is_empty() || !r.by_set_pos.is_empty() {
                return Err(no(
                    "DAILY with BYMONTH, BYMONTHDAY or BYSETPOS has no Outlook form",
                ));
            }
            if r.by_day.is_empty() {
                if interval > 999 {
                    return Err(no(format!("every {interval} days is above Outlook's 999")));
                }
                p.frequency = RecurFrequency::DAILY;
                p.pattern_type = PatternType::DAY;
                p.period = 1440 * interval;
            } else if ordinals || interval != 1 {
                return Err(no(
                    "DAILY with BYDAY has an Outlook form only every day with plain weekdays",
                ));
            } else {
                // Every day that is one of these weekdays = weekly on them.
                weekly(&mut p, mask_of(&r.by_day), 1)?;
                p.frequency = RecurFrequency::DAILY;
            }
        }
        Frequency::Weekly => {
            if !r.by_month.is_empty() || !r.by_month_day.is_empty() || !r.by_set_pos.is_empty() {
                return Err(no(
                    "WEEKLY with BYMONTH, BYMONTHDAY or BYSETPOS has no Outlook form",
                ));
            }
            if ordinals {
                return Err(no("WEEKLY with ordinal BYDAY has no Outlook form"));
            }
            let mask = if r.by_day.is_empty() {
                weekday_bit(start_day.weekday())
            } else {
                mask_of(&r.by_day)
            };
            weekly(&mut p, mask, interval)?;
        }
        Frequency::Monthly | Frequency::Yearly => {
            let yearly = r.freq == Frequency::Yearly;
            let months = if yearly {
                interval
                    .checked_mul(12)
                    .ok_or_else(|| no("INTERVAL too large"))?
            } else {
                interval
            };
            if months > 99 {
                return Err(no(format!("every {months} months is above Outlook's 99")));
            }
            if !yearly && !r.by_month.is_empty() {
                return Err(no("MONTHLY with BYMONTH has no Outlook form"));
            }
            let month = single_month(r)?;
            if yearly && month != start_day.month() {
                // A yearly pattern recurs in StartDate's month: a series
                // whose DTSTART lies in another month starts at its first
                // instance in BYMONTH's.
                return Err(not_an_instance(format!(
                    "DTSTART {start_day} is not an instance of its rule (BYMONTH={month})"
                )));
            }
            p.period = months;
            // MS-OXCICAL: yearly rules every N > 1 years SHOULD be monthly
            // (every 12·N months); monthly ones every 12·N months MAY be yearly.
            p.frequency = if (yearly && interval == 1) || (!yearly && interval.is_multiple_of(12)) {
                RecurFrequency::YEARLY
            } else {
                RecurFrequency::MONTHLY
            };
            let max_day = if yearly { min_days(month) } else { 28 };
            if let Some(d) = clamp_form(r) {
                p.pattern_type = PatternType::MONTH;
                p.specific = PatternSpecific::Month(u32::try_from(d).unwrap_or(31));
            } else if !r.by_day.is_empty() {
                if !r.by_month_day.is_empty() {
                    return Err(no("BYDAY with BYMONTHDAY has no Outlook form"));
                }
                let (mask, n) = match (r.by_day.as_slice(), r.by_set_pos.as_slice()) {
                    (
                        [
                            WeekdayNum {
                                ordinal: Some(o),
                                weekday,
                            },
                        ],
                        [],
                    ) => (weekday_bit(*weekday), nth(i16::from(*o))?),
                    (days, [pos]) if !ordinals => (mask_of(days), nth(*pos)?),
                    (_, []) if !ordinals && !yearly && interval == 1 => {
                        // Every such weekday of every month = weekly.
                        weekly(&mut p, mask_of(&r.by_day), 1)?;
                        p.frequency = RecurFrequency::WEEKLY;
                        return finish(p, r, s);
                    }
                    _ => {
                        return Err(no(
                            "BYDAY needs one ordinal (2MO, -1FR) or plain days with one BYSETPOS for Outlook",
                        ));
                    }
                };
                if yearly && r.by_month.is_empty() {
                    // Without BYMONTH a yearly BYDAY counts through the
                    // year: its first weekdays fall in January, its last in
                    // December (RFC 5545), not in DTSTART's month.
                    let rule_month = if n == 5 { 12 } else { 1 };
                    if start_day.month() != rule_month {
                        return Err(not_an_instance(format!(
                            "DTSTART {start_day} is not an instance of its rule (a yearly BYDAY without BYMONTH falls in {})",
                            if n == 5 { "December" } else { "January" }
                        )));
                    }
                }
                p.pattern_type = PatternType::MONTH_NTH;
                p.specific = PatternSpecific::MonthNth { mask, n };
            } else {
                if !r.by_set_pos.is_empty() {
                    return Err(no("BYSETPOS without BYDAY has no Outlook form"));
                }
                let day = match r.by_month_day.as_slice() {
                    [] => i8::try_from(start_day.day()).unwrap_or(1),
                    [d] => *d,
                    _ => return Err(no("several BYMONTHDAY values have no Outlook form")),
                };
                let mday = match day {
                    -1 => 31,
                    d if d >= 1 && u32::try_from(d).is_ok_and(|d| d <= max_day) => {
                        u32::try_from(d).unwrap_or(1)
                    }
                    d if d >= 1 => {
                        return Err(no(format!(
                            "day {d} skips shorter months in RFC 5545 but falls on their last day in Outlook"
                        )));
                    }
                    d => return Err(no(format!("BYMONTHDAY={d} has no Outlook form (only -1)"))),
                };
                p.pattern_type = PatternType::MONTH;
                p.specific = PatternSpecific::Month(mday);
            }
        }
        _ => return Err(no(format!("FREQ={} has no Outlook form", r.freq.as_str()))),
    }
    finish(p, r, s)
}

/// FirstDateTime (MS-OXOCAL 2.2.1.44.1.1), the end, and the check against
/// the rule.
fn finish(
    mut p: RecurrencePattern,
    r: &Recur,
    s: &Series<'_>,
) -> Result<RecurrencePattern, Unmappable> {
    let start_day = s.start.date();
    p.first_date_time = first_date_time(&p, start_day)?;
    // The first date of the pattern is StartDate.
    let first = p.dates(1).map_err(no)?;
    if let Some(f) = first.first()
        && *f != start_day
    {
        return Err(not_an_instance(format!(
            "DTSTART {start_day} is not an instance of its rule (the first is {f}); Outlook starts a series at its first instance"
        )));
    }
    let until = r.until.as_ref().map(|u| until_wall(u, s));
    match (r.count, until) {
        (Some(c), _) => {
            p.end_type = EndType::AFTER_COUNT;
            p.occurrence_count = c;
            // Only the last date is needed: the walk steps over the others.
            let want = usize::try_from(c).unwrap_or(usize::MAX).min(s.max_counted);
            let (mut seen, mut last) = (0usize, None);
            p.walk(Skip::below(want.saturating_sub(1)), &mut |i, d| {
                seen = i + 1;
                last = Some(d);
                seen < want
            })
            .map_err(no)?;
            if seen < c as usize {
                return Err(no(format!(
                    "COUNT={c} is above the {} instances oxpim counts",
                    s.max_counted
                )));
            }
            let last = last.ok_or_else(|| no("COUNT=0"))?;
            p.end_date = minutes_from_date(last).ok_or_else(|| no("date out of range"))?;
            if c > 999 {
                // Outlook's count stops at 999: end by date instead.
                p.end_type = EndType::AFTER_DATE;
            }
        }
        (None, Some(until)) => {
            p.end_type = EndType::AFTER_DATE;
            let time = s.start.time();
            let mut probe = p.clone();
            probe.end_type = EndType::AFTER_DATE;
            probe.end_date =
                minutes_from_date(until.date()).ok_or_else(|| no("UNTIL out of range"))?;
            // The number of dates up to UNTIL's date (at most max_counted)
            // and the last two of them; the walk steps over the others.
            let cap = s.max_counted;
            let (mut n, mut tail) = (0usize, [None, None]);
            let skip = Skip {
                before: Some(until.date()),
                below: cap.saturating_sub(1),
            };
            probe
                .walk(skip, &mut |i, d| {
                    n = i + 1;
                    tail = [tail[1], Some(d)];
                    n < cap
                })
                .map_err(no)?;
            // The end date is UNTIL's date (Outlook's "end by"), unless an
            // instance on that date starts after UNTIL.
            let mut end_day = until.date();
            while let Some(d) = tail[1].filter(|d| d.and_time(time) > until) {
                tail = [None, tail[0]];
                n -= 1;
                end_day = d.pred_opt().unwrap_or(d);
            }
            let last = tail[1].ok_or_else(|| no("UNTIL is before DTSTART"))?;
            if n >= cap {
                return Err(no(format!("UNTIL leaves more than {cap} instances")));
            }
            p.occurrence_count = u32::try_from(n).unwrap_or(u32::MAX);
            p.end_date =
                minutes_from_date(end_day.max(last)).ok_or_else(|| no("date out of range"))?;
            if last.year() >= 4501 {
                p.end_type = EndType::NEVER;
                p.end_date = NO_END_DATE;
                p.occurrence_count = 10;
            }
        }
        (None, None) => {}
    }
    Ok(p)
}

/// UNTIL as a wall-clock time of the series.
fn until_wall(u: &RecurUntil, s: &Series<'_>) -> NaiveDateTime {
    match u {
        RecurUntil::Date(d) => d
            .and_hms_opt(23, 59, 59)
            .unwrap_or(d.and_time(NaiveTime::MIN)),
        RecurUntil::DateTime(dt) => {
            if s.legacy_until && dt.is_utc() {
                // Outlook 1–11 wrote the date only, meaning 23:59 local.
                return dt.local.date().and_hms_opt(23, 59, 0).unwrap_or(dt.local);
            }
            match dt.zone {
                oxpim_contentline::Zone::Utc if !s.all_day => s.zone.to_local(dt.local),
                _ => dt.local,
            }
        }
    }
}

/// FirstDateTime for the pattern starting on `start`.
pub fn first_date_time(p: &RecurrencePattern, start: NaiveDate) -> Result<u32, Unmappable> {
    let sd = i64::from(minutes_from_date(start).ok_or_else(|| no("date before 1601"))?);
    let period = i64::from(p.period.max(1));
    let v = match p.pattern_type {
        PatternType::DAY => sd.rem_euclid(period),
        PatternType::WEEK => {
            let ws = p.week_start();
            let back = (7 + start.weekday().num_days_from_sunday() - ws.num_days_from_sunday()) % 7;
            let w = sd - i64::from(back) * 1440;
            w.rem_euclid(10_080 * period)
        }
        _ => {
            let base = NaiveDate::from_ymd_opt(1601, 1, 1).ok_or_else(|| no("no 1601"))?;
            let months = i64::from(start.year() - 1601) * 12 + i64::from(start.month0());
            let off = months.rem_euclid(period);
            let d = base
                .checked_add_months(Months::new(u32::try_from(off).unwrap_or(0)))
                .ok_or_else(|| no("month overflow"))?;
            i64::from(minutes_from_date(d).ok_or_else(|| no("date out of range"))?)
        }
    };
    u32::try_from(v).map_err(|_| no("FirstDateTime out of range"))
}

/// The first instance the rule itself gives (not counting DTSTART), as a
/// wall-clock time; `None` when it gives none.
pub fn first_rule_instance(r: &Recur, s: &Series<'_>) -> Option<NaiveDateTime> {
    let spec = wall_rule(r, s, false, 1, 100_000);
    RuleIter::new(&spec, None).next().map(|o| o.wall)
}

/// The rule of a series in its wall-clock time (UNTIL as a wall time), for
/// oxpim-recur, with `limits` on what the walk may give and pass over.
fn wall_rule(
    r: &Recur,
    s: &Series<'_>,
    include_dtstart: bool,
    max_instances: usize,
    max_empty: u64,
) -> RuleSpec {
    let mut recur = r.clone();
    recur.until = None;
    RuleSpec {
        recur,
        dtstart: s.start,
        zone: None,
        until: r.until.as_ref().map(|u| Until::Wall(until_wall(u, s))),
        include_dtstart,
        skip_to: None,
        limits: RuleLimits {
            max_instances,
            max_empty,
        },
    }
}

/// Whether export writes RRULE or X-MICROSOFT-RRULE, with the
/// X-MICROSOFT-CALSCALE value for the latter.
pub fn calendar_scale(p: &RecurrencePattern) -> Option<&'static str> {
    let hj = p.pattern_type.0 >= PatternType::HJ_MONTH.0;
    let name = match p.calendar_type {
        0 if hj => "Hijri",
        0..=2 => return None,
        3 => "Japan",
        4 => "Taiwan",
        5 => "Korea",
        6 => "Hijri",
        7 => "Thai",
        8 => "Hebrew",
        9 => "GregorianMeFrench",
        10 => "GregorianArabic",
        11 => "GregorianXlitEnglish",
        12 => "GregorianXlitFrench",
        14 => "JapanLunar",
        15 => "ChineseLunar",
        16 => "Saka",
        17 => "LunarEtoChn",
        18 => "LunarEtoKor",
        19 => "LunarRokuyou",
        20 => "KoreaLunar",
        23 => "Umalqura",
        _ => return Some("Gregorian"),
    };
    Some(name)
}

/// The CalendarType of an X-MICROSOFT-CALSCALE value (MS-OXCICAL
/// 2.1.3.1.1.8); Hijri is 6 here and rewritten per pattern type on import.
pub fn calendar_type_of(scale: &str) -> Option<u16> {
    Some(match scale.trim().to_ascii_lowercase().as_str() {
        "" => 0,
        "gregorian" => 1,
        "gregorian_us" => 2,
        "japan" => 3,
        "taiwan" => 4,
        "korea" => 5,
        "hijri" => 6,
        "thai" => 7,
        "hebrew" => 8,
        "gregorianmefrench" => 9,
        "gregorianarabic" => 10,
        "gregorianxlitenglish" => 11,
        "gregorianxlitfrench" => 12,
        "japanlunar" => 14,
        "chineselunar" => 15,
        "saka" => 16,
        "lunaretochn" => 17,
        "lunaretokor" => 18,
        "lunarrokuyou" => 19,
        "korealunar" => 20,
        "umalqura" => 23,
        _ => return None,
    })
}

fn weekdays(mask: u32) -> Vec<WeekdayNum> {
    [
        Weekday::Sun,
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
    ]
    .into_iter()
    .filter(|w| mask & weekday_bit(*w) != 0)
    .map(|weekday| WeekdayNum {
        ordinal: None,
        weekday,
    })
    .collect()
}

/// The day-of-month parts for MS-OXOCAL's day `d` in months of at least
/// `shortest` days: `d` itself, `-1` for 31, or the clamping form.
fn month_day_parts(r: &mut Recur, d: u32, shortest: u32) {
    if d >= 31 {
        r.by_month_day = vec![-1];
    } else if d <= shortest {
        r.by_month_day = vec![i8::try_from(d).unwrap_or(1)];
    } else {
        r.by_month_day = (28..=d).filter_map(|x| i8::try_from(x).ok()).collect();
        r.by_set_pos = vec![-1];
    }
}

/// The RRULE that gives exactly the pattern's dates. `end` is the UTC
/// instant of the last instance's start (for UNTIL), or its date for
/// all-day series.
pub fn to_rrule(p: &RecurrencePattern, until: Option<RecurUntil>) -> Result<Recur, Unmappable> {
    let start = datetime_from_minutes(p.start_date).date();
    let mut r;
    match (p.pattern_type, p.specific) {
        (PatternType::DAY, _) => {
            r = Recur::new(Frequency::Daily);
            let days = (p.period / 1440).max(1);
            if days != 1 {
                r.interval = Some(days);
            }
        }
        (PatternType::WEEK, PatternSpecific::Week(mask)) => {
            r = Recur::new(Frequency::Weekly);
            if p.period > 1 {
                r.interval = Some(p.period);
            }
            r.by_day = weekdays(mask);
            if p.period > 1 && mask.count_ones() > 1 {
                r.wkst = Some(p.week_start());
            }
        }
        (pt, spec) => {
            let yearly = p.period.is_multiple_of(12) && p.period > 0;
            r = Recur::new(if yearly {
                Frequency::Yearly
            } else {
                Frequency::Monthly
            });
            let n = if yearly { p.period / 12 } else { p.period };
            if n > 1 {
                r.interval = Some(n);
            }
            let month = if yearly {
                // The month of the first instance (FirstDateTime's month for
                // Gregorian patterns).
                let m = u8::try_from(start.month()).unwrap_or(1);
                r.by_month = vec![RecurMonth {
                    month: m,
                    leap: false,
                }];
                start.month()
            } else {
                0
            };
            let shortest = if yearly { min_days(month) } else { 28 };
            match (pt, spec) {
                (PatternType::MONTH | PatternType::HJ_MONTH, PatternSpecific::Month(d)) => {
                    month_day_parts(&mut r, d, shortest);
                }
                (PatternType::MONTH_END | PatternType::HJ_MONTH_END, _) => {
                    r.by_month_day = vec![-1];
                }
                (
                    PatternType::MONTH_NTH | PatternType::HJ_MONTH_NTH,
                    PatternSpecific::MonthNth { mask, n },
                ) => {
                    r.by_day = weekdays(mask);
                    let pos = if n >= 5 {
                        -1
                    } else {
                        i16::try_from(n).unwrap_or(1)
                    };
                    r.by_set_pos = vec![pos];
                }
                _ => return Err(no("pattern data does not match its type")),
            }
        }
    }
    match p.end_type {
        EndType::AFTER_COUNT => r.count = Some(p.occurrence_count),
        EndType::AFTER_DATE => r.until = until,
        _ => {}
    }
    Ok(r)
}

/// The wall-clock start of the last instance of a pattern ending by date.
pub fn last_start(p: &RecurrencePattern, start_offset: u32) -> NaiveDateTime {
    datetime_from_minutes(p.end_date) + TimeDelta::minutes(i64::from(start_offset))
}

/// An English sentence describing the pattern, for PidLidRecurrencePattern.
pub fn describe(p: &RecurrencePattern, start_offset: u32, end_offset: u32) -> String {
    let names = |mask: u32| -> String {
        let v: Vec<&str> = weekdays(mask)
            .iter()
            .map(|w| match w.weekday {
                Weekday::Sun => "Sunday",
                Weekday::Mon => "Monday",
                Weekday::Tue => "Tuesday",
                Weekday::Wed => "Wednesday",
                Weekday::Thu => "Thursday",
                Weekday::Fri => "Friday",
                Weekday::Sat => "Saturday",
            })
            .collect();
        v.join(", ")
    };
    let ord = |n: u32| match n {
        1 => "first",
        2 => "second",
        3 => "third",
        4 => "fourth",
        _ => "last",
    };
    let every = |n: u32, unit: &str| {
        if n == 1 {
            format!("every {unit}")
        } else {
            format!("every {n} {unit}s")
        }
    };
    let what = match (p.pattern_type, p.specific) {
        (PatternType::DAY, _) => every((p.period / 1440).max(1), "day"),
        (PatternType::WEEK, PatternSpecific::Week(m)) => {
            format!("{} on {}", every(p.period, "week"), names(m))
        }
        (PatternType::MONTH, PatternSpecific::Month(d)) => {
            format!("day {d} of {}", every(p.period, "month"))
        }
        (PatternType::MONTH_NTH, PatternSpecific::MonthNth { mask, n }) => {
            format!(
                "the {} {} of {}",
                ord(n),
                names(mask),
                every(p.period, "month")
            )
        }
        (PatternType::MONTH_END, _) => format!("the last day of {}", every(p.period, "month")),
        _ => "as a custom pattern".to_owned(),
    };
    let start = datetime_from_minutes(p.start_date).date();
    let t = |m: u32| format!("{:02}:{:02}", (m / 60) % 24, m % 60);
    format!(
        "Occurs {what} effective {start} from {} to {}.",
        t(start_offset),
        t(end_offset)
    )
}

/// The DATE-TIME of a local instance start for UNTIL (UTC), or a DATE for
/// all-day series.
pub fn until_value(all_day: bool, last_local: NaiveDateTime, zone: &TimeZone) -> RecurUntil {
    if all_day {
        RecurUntil::Date(last_local.date())
    } else {
        RecurUntil::DateTime(DateTime::utc(zone.to_utc(last_local)))
    }
}

/// Number of days in a month (exported for the importer's checks).
pub fn month_length(y: i32, m: u32) -> u32 {
    days_in_month(y, m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blob::recur::AppointmentRecurrencePattern;
    use crate::blob::to_hex;
    use oxpim_contentline::value::recur::parse_recur;

    fn series(start: &str) -> (NaiveDateTime, TimeZone) {
        (
            NaiveDateTime::parse_from_str(start, "%Y%m%dT%H%M%S").unwrap(),
            TimeZone::Utc,
        )
    }

    fn map(rule: &str, start: &str) -> Result<RecurrencePattern, Unmappable> {
        let (s, z) = series(start);
        let r = parse_recur(rule).unwrap().0;
        from_rrule(
            &r,
            &Series {
                start: s,
                all_day: false,
                zone: &z,
                legacy_until: false,
                calendar_type: 0,
                max_counted: MAX_COUNTED,
            },
        )
    }

    #[test]
    fn spec_weekly_example() {
        // MS-OXCICAL §3.4.1 → mapi-calendar.md §6.2.
        let p = map("FREQ=WEEKLY;BYDAY=WE", "20080213T140000").unwrap();
        let a = AppointmentRecurrencePattern {
            pattern: p,
            reader_version2: 0x3006,
            writer_version2: 0x3009,
            start_time_offset: 840,
            end_time_offset: 870,
            exceptions: vec![],
            reserved1: vec![],
            reserved2: vec![],
            trailing: vec![],
        };
        assert_eq!(
            to_hex(&a.encode()),
            "043004300B2001000000C0210000010000000000000008000000232000000A000000000000000000000000000000003FC30CDF80E95A0630000009300000480300006603000000000000000000000000"
        );
    }

    #[test]
    fn the_eighteen_template_examples() {
        // MS-OXCICAL 2.1.3.2.2's examples, each with a start it matches:
        // import, then export gives a rule with the same dates.
        let cases = [
            ("FREQ=DAILY", "20240101T090000"),
            (
                "FREQ=DAILY;INTERVAL=3;BYMINUTE=30;BYHOUR=15;COUNT=30",
                "20240101T153000",
            ),
            (
                "FREQ=WEEKLY;BYDAY=MO,TU;INTERVAL=2;COUNT=7",
                "20240101T090000",
            ),
            (
                "FREQ=WEEKLY;BYDAY=SU,MO;INTERVAL=2;WKST=MO",
                "20240101T090000",
            ),
            ("FREQ=MONTHLY;BYMONTHDAY=-1", "20240131T090000"),
            (
                "FREQ=MONTHLY;BYMONTHDAY=15;INTERVAL=3;COUNT=7",
                "20240115T090000",
            ),
            ("FREQ=MONTHLY;BYDAY=SU;BYSETPOS=3", "20240121T090000"),
            (
                "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;BYMINUTE=30;BYHOUR=15",
                "20240131T153000",
            ),
            ("FREQ=YEARLY;BYMONTHDAY=-1;BYMONTH=9", "20240930T090000"),
            (
                "FREQ=YEARLY;BYMONTHDAY=15;BYMONTH=3;INTERVAL=3;COUNT=7",
                "20240315T090000",
            ),
            (
                "FREQ=YEARLY;BYDAY=SU;BYSETPOS=3;BYMONTH=6",
                "20240616T090000",
            ),
            (
                "FREQ=YEARLY;BYDAY=MO;BYSETPOS=1;BYMONTH=10;INTERVAL=3;COUNT=7",
                "20241007T090000",
            ),
            ("FREQ=DAILY;UNTIL=20240301T000000Z", "20240101T090000"),
            ("FREQ=WEEKLY", "20240103T090000"),
            ("FREQ=MONTHLY;BYDAY=2MO", "20240108T090000"),
            ("FREQ=MONTHLY;BYDAY=-1FR;COUNT=12", "20240126T090000"),
            (
                "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1",
                "20240229T090000",
            ),
            ("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "20240101T090000"),
        ];
        for (rule, start) in cases {
            let p = map(rule, start).unwrap_or_else(|e| panic!("{rule}: {e}"));
            let until = (p.end_type == EndType::AFTER_DATE)
                .then(|| RecurUntil::DateTime(DateTime::utc(last_start(&p, 9 * 60))));
            let back = to_rrule(&p, until).unwrap();
            let mut text = String::new();
            oxpim_contentline::value::recur::format_recur(&mut text, &back);
            let again = map(&text, start).unwrap_or_else(|e| panic!("{rule} → {back:?}: {e}"));
            assert_eq!(p.dates(500).unwrap(), again.dates(500).unwrap(), "{rule}");
        }
    }

    #[test]
    fn rules_without_outlook_form() {
        for (rule, start, why) in [
            ("FREQ=HOURLY", "20240101T090000", "FREQ=HOURLY"),
            (
                "FREQ=MONTHLY;BYMONTHDAY=31",
                "20240131T090000",
                "skips shorter months",
            ),
            (
                "FREQ=MONTHLY;BYMONTHDAY=1,15",
                "20240101T090000",
                "several BYMONTHDAY",
            ),
            ("FREQ=WEEKLY;BYDAY=MO", "20240102T090000", "not an instance"),
            ("FREQ=YEARLY;BYWEEKNO=20", "20240101T090000", "BYWEEKNO"),
            ("FREQ=MONTHLY;BYDAY=5MO", "20240129T090000", "position 5"),
            ("FREQ=DAILY;INTERVAL=1000", "20240101T090000", "999"),
            ("FREQ=WEEKLY;BYDAY=1MO", "20240101T090000", "ordinal"),
            ("FREQ=DAILY;BYHOUR=9,17", "20240101T090000", "BYHOUR"),
        ] {
            let e = map(rule, start).unwrap_err();
            assert!(e.reason.contains(why), "{rule}: {e}");
        }
    }

    #[test]
    fn monthly_every_weekday_and_counts() {
        let p = map("FREQ=MONTHLY;BYDAY=TU", "20240102T090000").unwrap();
        assert_eq!(p.pattern_type, PatternType::WEEK);
        let p = map("FREQ=DAILY;COUNT=1500", "20240101T090000").unwrap();
        assert_eq!(p.end_type, EndType::AFTER_DATE);
        assert_eq!(p.occurrence_count, 1500);
        let p = map(
            "FREQ=WEEKLY;BYDAY=WE;UNTIL=20080528T205959Z",
            "20080213T140000",
        )
        .unwrap();
        assert_eq!(p.occurrence_count, 16);
        assert_eq!(
            datetime_from_minutes(p.end_date).date().to_string(),
            "2008-05-28"
        );
    }

    #[test]
    fn yearly_rules_recur_in_their_own_month() {
        // The first Monday of the year is in January, whatever DTSTART's
        // month; BYMONTH names the month outright. A DTSTART elsewhere is
        // not an instance (the importer starts the series at the first one).
        for (rule, start) in [
            ("FREQ=YEARLY;BYDAY=1MO", "20250602T100000"),
            ("FREQ=YEARLY;BYDAY=-1FR", "20250131T100000"),
            ("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=5", "20250905T100000"),
            (
                "FREQ=YEARLY;BYMONTH=12;BYDAY=MO,TH;BYSETPOS=-1",
                "20250929T100000",
            ),
        ] {
            let e = map(rule, start).unwrap_err();
            assert!(e.dtstart_not_instance, "{rule}: {}", e.reason);
        }
        let p = map("FREQ=YEARLY;BYDAY=1MO", "20260105T100000").unwrap();
        assert_eq!(
            p.dates(3).unwrap(),
            ["2026-01-05", "2027-01-04", "2028-01-03"].map(|d| d.parse::<NaiveDate>().unwrap())
        );
    }

    /// The dates oxpim-recur gives for a rule by RFC 5545 (DTSTART first).
    fn rule_dates(r: &Recur, s: &Series<'_>, n: usize) -> Vec<NaiveDate> {
        let spec = wall_rule(r, s, true, n, 1_000_000);
        RuleIter::new(&spec, None)
            .take(n)
            .map(|o| o.wall.date())
            .collect()
    }

    #[test]
    fn mapped_rules_give_the_dates_rfc_5545_gives() {
        // Random rules of every shape the mapping accepts, from random
        // starts: whenever a rule maps, the pattern's dates (by MS-OXOCAL's
        // rules) are the rule's (by RFC 5545, through oxpim-recur).
        const N: usize = 40;
        let mut seed = 0x5eed_u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        let days = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];
        let mut mapped = 0;
        for case in 0..3_000 {
            let pick_days = |next: &mut dyn FnMut(u64) -> u64| {
                let mask = 1 + next(127);
                (0..7)
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| days[i])
                    .collect::<Vec<_>>()
                    .join(",")
            };
            let pos = |next: &mut dyn FnMut(u64) -> u64| [1, 2, 3, 4, -1, 5][next(6) as usize];
            let mut rule = match next(13) {
                9 => format!(
                    "FREQ=YEARLY;BYMONTH={};BYDAY={}{}",
                    1 + next(12),
                    pos(&mut next),
                    days[next(7) as usize]
                ),
                10 => format!(
                    "FREQ=YEARLY;INTERVAL={};BYMONTH={};BYMONTHDAY={}",
                    1 + next(2),
                    1 + next(12),
                    [1, 15, 28, 29, 30, 31, -1][next(7) as usize]
                ),
                11 => format!(
                    "FREQ=MONTHLY;INTERVAL={};BYMONTHDAY={}",
                    1 + next(4),
                    [1, 2, 15, 28, 29, 31, -1, -2][next(8) as usize]
                ),
                12 => format!("FREQ=WEEKLY;INTERVAL={}", 1 + next(3)),
                0 => format!("FREQ=DAILY;INTERVAL={}", 1 + next(5)),
                1 => format!("FREQ=DAILY;BYDAY={}", pick_days(&mut next)),
                2 => format!(
                    "FREQ=WEEKLY;INTERVAL={};BYDAY={}",
                    1 + next(4),
                    pick_days(&mut next)
                ),
                3 => format!(
                    "FREQ=MONTHLY;INTERVAL={};BYDAY={};BYSETPOS={}",
                    1 + next(3),
                    pick_days(&mut next),
                    pos(&mut next)
                ),
                4 => format!(
                    "FREQ=MONTHLY;BYDAY={}{}",
                    pos(&mut next),
                    days[next(7) as usize]
                ),
                5 => format!("FREQ=MONTHLY;BYDAY={}", pick_days(&mut next)),
                6 => {
                    let d = 28 + next(4);
                    let list: Vec<String> = (28..=d).map(|x| x.to_string()).collect();
                    format!(
                        "FREQ=MONTHLY;INTERVAL={};BYMONTHDAY={};BYSETPOS=-1",
                        1 + next(2),
                        list.join(",")
                    )
                }
                7 => format!(
                    "FREQ=YEARLY;BYMONTH={};BYDAY={};BYSETPOS={}",
                    1 + next(12),
                    pick_days(&mut next),
                    pos(&mut next)
                ),
                _ => format!(
                    "FREQ=YEARLY;BYDAY={}{}",
                    pos(&mut next),
                    days[next(7) as usize]
                ),
            };
            if next(3) == 0 {
                rule.push_str(&format!(";WKST={}", days[next(7) as usize]));
            }
            match next(3) {
                0 => rule.push_str(&format!(";COUNT={}", 1 + next(30))),
                1 => rule.push_str(&format!(";UNTIL=20{:02}0615T000000Z", 26 + next(6))),
                _ => {}
            }
            let start =
                NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + TimeDelta::days(next(1_500) as i64);
            let start = start.and_hms_opt(9, 30, 0).unwrap();
            let r = parse_recur(&rule).unwrap().0;
            let z = TimeZone::Utc;
            let mut s = Series {
                start,
                all_day: false,
                zone: &z,
                legacy_until: false,
                calendar_type: 0,
                max_counted: MAX_COUNTED,
            };
            // As the importer does, a DTSTART that is not an instance moves
            // the series to the rule's first instance.
            let mut result = from_rrule(&r, &s);
            if result.as_ref().is_err_and(|e| e.dtstart_not_instance)
                && let Some(first) = first_rule_instance(&r, &s)
            {
                s.start = first;
                result = from_rrule(&r, &s);
            }
            let start = s.start;
            if let Ok(p) = result {
                mapped += 1;
                let mut mine = p.dates(N).unwrap();
                // The pattern stops at its EndDate; an UNTIL series at the
                // last instance before UNTIL.
                if let Some(u) = r.until.as_ref().map(|u| until_wall(u, &s)) {
                    mine.retain(|d| d.and_time(start.time()) <= u);
                }
                assert_eq!(
                    mine,
                    rule_dates(&r, &s, N),
                    "case {case}: {rule} from {start}"
                );
            }
        }
        assert!(mapped > 1_000, "{mapped}");
    }
}
