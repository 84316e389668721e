//! Date and time values: DATE, DATE-TIME, TIME, UTC-OFFSET, DURATION,
//! PERIOD (RFC 5545 §3.3) and the vCard 4.0 date-and-or-time family
//! (RFC 6350 §4.3).

use std::fmt::{self, Write as _};

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

/// Parses exactly `n` ASCII digits at the start of `s`.
pub(crate) fn digits(s: &[u8], n: usize) -> Option<u32> {
    let part = s.get(..n)?;
    let mut v: u32 = 0;
    for &b in part {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u32::from(b - b'0'))?;
    }
    Some(v)
}

/// How far a value strayed from the exact RFC 5545 form while still being
/// understood (lenient parsing reports these as warnings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Leniency {
    /// Written in ISO 8601 extended form (`2012-09-01`, `13:00:00`).
    pub extended: bool,
    /// Seconds were missing (`T1300`).
    pub missing_seconds: bool,
    /// Lowercase `t`/`z`/`p` designators.
    pub lowercase: bool,
}

impl Leniency {
    /// True when the value was exactly as the RFC writes it.
    pub fn is_exact(&self) -> bool {
        !self.extended && !self.missing_seconds && !self.lowercase
    }
}

/// The zone of a DATE-TIME value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Zone {
    /// No zone: the same wall-clock time everywhere ("floating").
    Floating,
    /// UTC (`Z` suffix).
    Utc,
    /// A zone named by a `TZID` parameter.
    Tzid(crate::str::Str),
}

/// A DATE-TIME value: a wall-clock time and its zone.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DateTime {
    /// The date and time as written.
    pub local: NaiveDateTime,
    /// Floating, UTC or a TZID.
    pub zone: Zone,
}

impl DateTime {
    /// A floating date-time.
    pub fn floating(local: NaiveDateTime) -> Self {
        DateTime {
            local,
            zone: Zone::Floating,
        }
    }
    /// A UTC date-time.
    pub fn utc(local: NaiveDateTime) -> Self {
        DateTime {
            local,
            zone: Zone::Utc,
        }
    }
    /// A date-time in the zone named `tzid`.
    pub fn with_tzid(local: NaiveDateTime, tzid: &str) -> Self {
        DateTime {
            local,
            zone: Zone::Tzid(tzid.into()),
        }
    }
    /// True for UTC values.
    pub fn is_utc(&self) -> bool {
        self.zone == Zone::Utc
    }
    /// The TZID, if any.
    pub fn tzid(&self) -> Option<&str> {
        match &self.zone {
            Zone::Tzid(t) => Some(t),
            _ => None,
        }
    }
}

/// Parses a DATE (`YYYYMMDD`; leniently also `YYYY-MM-DD`).
pub fn parse_date(s: &[u8]) -> Option<(NaiveDate, Leniency)> {
    let mut len = Leniency::default();
    let (y, m, d) = if s.len() == 8 {
        (
            digits(s, 4)?,
            digits(s.get(4..)?, 2)?,
            digits(s.get(6..)?, 2)?,
        )
    } else if s.len() == 10 && s.get(4) == Some(&b'-') && s.get(7) == Some(&b'-') {
        len.extended = true;
        (
            digits(s, 4)?,
            digits(s.get(5..)?, 2)?,
            digits(s.get(8..)?, 2)?,
        )
    } else {
        return None;
    };
    let date = NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)?;
    Some((date, len))
}

/// Parses a TIME body (`HHMMSS`, leniently `HH:MM:SS` or `HHMM`), returning
/// the time, whether a `Z` followed, and what was lenient.
pub fn parse_time_part(s: &[u8]) -> Option<(NaiveTime, bool, Leniency)> {
    let mut len = Leniency::default();
    let (body, utc) = match s.last() {
        Some(b'Z') => (s.get(..s.len() - 1)?, true),
        Some(b'z') => {
            len.lowercase = true;
            (s.get(..s.len() - 1)?, true)
        }
        _ => (s, false),
    };
    let (h, m, sec) = match body.len() {
        6 => (
            digits(body, 2)?,
            digits(body.get(2..)?, 2)?,
            digits(body.get(4..)?, 2)?,
        ),
        4 => {
            len.missing_seconds = true;
            (digits(body, 2)?, digits(body.get(2..)?, 2)?, 0)
        }
        8 if body.get(2) == Some(&b':') && body.get(5) == Some(&b':') => {
            len.extended = true;
            (
                digits(body, 2)?,
                digits(body.get(3..)?, 2)?,
                digits(body.get(6..)?, 2)?,
            )
        }
        5 if body.get(2) == Some(&b':') => {
            len.extended = true;
            len.missing_seconds = true;
            (digits(body, 2)?, digits(body.get(3..)?, 2)?, 0)
        }
        _ => return None,
    };
    let time = if sec == 60 {
        // A leap second (RFC 5545 allows 60); chrono represents it as
        // second 59 with 1000 ms.
        NaiveTime::from_hms_milli_opt(h, m, 59, 1000)?
    } else {
        NaiveTime::from_hms_opt(h, m, sec)?
    };
    Some((time, utc, len))
}

/// Parses a DATE-TIME (`YYYYMMDDTHHMMSS[Z]`). `tzid` is the TZID parameter;
/// a `Z` value with a TZID stays UTC (the TZID is ignored, RFC 5545 §3.3.5).
pub fn parse_date_time(s: &[u8], tzid: Option<&str>) -> Option<(DateTime, Leniency)> {
    let t = s.iter().position(|&b| b == b'T' || b == b't')?;
    let (date, mut len) = parse_date(s.get(..t)?)?;
    if s.get(t) == Some(&b't') {
        len.lowercase = true;
    }
    let (time, utc, tlen) = parse_time_part(s.get(t + 1..)?)?;
    len.extended |= tlen.extended;
    len.missing_seconds |= tlen.missing_seconds;
    len.lowercase |= tlen.lowercase;
    let zone = if utc {
        Zone::Utc
    } else if let Some(tz) = tzid {
        Zone::Tzid(tz.into())
    } else {
        Zone::Floating
    };
    Some((
        DateTime {
            local: NaiveDateTime::new(date, time),
            zone,
        },
        len,
    ))
}

fn push2(out: &mut String, v: u32) {
    out.push(char::from(b'0' + ((v / 10) % 10) as u8));
    out.push(char::from(b'0' + (v % 10) as u8));
}

fn push_year(out: &mut String, y: i32) {
    match u32::try_from(y) {
        Ok(y @ 0..=9999) => {
            push2(out, y / 100);
            push2(out, y % 100);
        }
        _ => {
            let _ = write!(out, "{y:04}");
        }
    }
}

fn second_of(t: &NaiveTime) -> u32 {
    // chrono stores a leap second as second 59 + 1e9 ns.
    if t.nanosecond() >= 1_000_000_000 {
        60
    } else {
        t.second()
    }
}

/// Writes a DATE in basic form (`YYYYMMDD`).
pub fn format_date(out: &mut String, d: &NaiveDate) {
    push_year(out, d.year());
    push2(out, d.month());
    push2(out, d.day());
}

/// Writes a DATE in extended form (`YYYY-MM-DD`, jCal).
pub fn format_date_ext(out: &mut String, d: &NaiveDate) {
    push_year(out, d.year());
    out.push('-');
    push2(out, d.month());
    out.push('-');
    push2(out, d.day());
}

/// Writes a TIME body in basic form (`HHMMSS`).
pub fn format_time(out: &mut String, t: &NaiveTime) {
    push2(out, t.hour());
    push2(out, t.minute());
    push2(out, second_of(t));
}

/// Writes a TIME body in extended form (`HH:MM:SS`).
pub fn format_time_ext(out: &mut String, t: &NaiveTime) {
    push2(out, t.hour());
    out.push(':');
    push2(out, t.minute());
    out.push(':');
    push2(out, second_of(t));
}

/// Writes a DATE-TIME in basic form (`YYYYMMDDTHHMMSS[Z]`).
pub fn format_date_time(out: &mut String, dt: &DateTime) {
    format_date(out, &dt.local.date());
    out.push('T');
    format_time(out, &dt.local.time());
    if dt.is_utc() {
        out.push('Z');
    }
}

/// Writes a DATE-TIME in extended form (`YYYY-MM-DDTHH:MM:SS[Z]`, jCal).
pub fn format_date_time_ext(out: &mut String, dt: &DateTime) {
    format_date_ext(out, &dt.local.date());
    out.push('T');
    format_time_ext(out, &dt.local.time());
    if dt.is_utc() {
        out.push('Z');
    }
}

/// A TIME value (RFC 5545 §3.3.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Time {
    /// The time of day.
    pub time: NaiveTime,
    /// True when written with `Z`.
    pub utc: bool,
}

/// A UTC-OFFSET value, in seconds east of UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UtcOffset {
    /// Seconds east of UTC.
    pub seconds: i32,
    /// True for the (invalid, RFC 5545 §3.3.14) `-0000`.
    pub negative_zero: bool,
}

impl UtcOffset {
    /// An offset of `seconds` east of UTC.
    pub fn from_seconds(seconds: i32) -> Self {
        UtcOffset {
            seconds,
            negative_zero: false,
        }
    }
}

/// Parses `+HHMM`, `+HHMMSS`, leniently `+HH:MM[:SS]` and `+HH`.
pub fn parse_utc_offset(s: &[u8]) -> Option<(UtcOffset, Leniency)> {
    let mut len = Leniency::default();
    let sign: i32 = match s.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let body = s.get(1..)?;
    let (h, m, sec) = match body.len() {
        2 => (digits(body, 2)?, 0, 0),
        4 => (digits(body, 2)?, digits(body.get(2..)?, 2)?, 0),
        6 => (
            digits(body, 2)?,
            digits(body.get(2..)?, 2)?,
            digits(body.get(4..)?, 2)?,
        ),
        5 if body.get(2) == Some(&b':') => {
            len.extended = true;
            (digits(body, 2)?, digits(body.get(3..)?, 2)?, 0)
        }
        8 if body.get(2) == Some(&b':') && body.get(5) == Some(&b':') => {
            len.extended = true;
            (
                digits(body, 2)?,
                digits(body.get(3..)?, 2)?,
                digits(body.get(6..)?, 2)?,
            )
        }
        _ => return None,
    };
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    let total = i32::try_from(h * 3600 + m * 60 + sec).ok()? * sign;
    Some((
        UtcOffset {
            seconds: total,
            negative_zero: sign < 0 && total == 0,
        },
        len,
    ))
}

fn format_offset(out: &mut String, o: &UtcOffset, sep: bool) {
    out.push(if o.seconds < 0 || o.negative_zero {
        '-'
    } else {
        '+'
    });
    let a = o.seconds.unsigned_abs();
    push2(out, a / 3600);
    if sep {
        out.push(':');
    }
    push2(out, (a / 60) % 60);
    if !a.is_multiple_of(60) {
        if sep {
            out.push(':');
        }
        push2(out, a % 60);
    }
}

/// Writes a UTC-OFFSET in basic form (`+HHMM[SS]`).
pub fn format_utc_offset(out: &mut String, o: &UtcOffset) {
    format_offset(out, o, false);
}

/// Writes a UTC-OFFSET in extended form (`+HH:MM[:SS]`, jCal).
pub fn format_utc_offset_ext(out: &mut String, o: &UtcOffset) {
    format_offset(out, o, true);
}

/// A DURATION value (RFC 5545 §3.3.6). Days and weeks are nominal (they
/// follow wall-clock days across DST changes), hours and smaller are exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Duration {
    /// True for a negative duration.
    pub negative: bool,
    /// Weeks.
    pub weeks: u32,
    /// Days.
    pub days: u32,
    /// Hours.
    pub hours: u32,
    /// Minutes.
    pub minutes: u32,
    /// Seconds.
    pub seconds: u32,
}

impl Duration {
    /// Total length in seconds, counting a day as 86 400 s (only exact for
    /// floating and UTC times).
    pub fn total_seconds(&self) -> i64 {
        let s = i64::from(self.weeks) * 7 * 86_400
            + i64::from(self.days) * 86_400
            + i64::from(self.hours) * 3600
            + i64::from(self.minutes) * 60
            + i64::from(self.seconds);
        if self.negative { -s } else { s }
    }
    /// A duration of `secs` seconds, expressed in days, hours, minutes and
    /// seconds (whole days as days).
    pub fn from_seconds(secs: i64) -> Self {
        let negative = secs < 0;
        let a = secs.unsigned_abs();
        let clamp = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        Duration {
            negative,
            weeks: 0,
            days: clamp(a / 86_400),
            hours: clamp((a / 3600) % 24),
            minutes: clamp((a / 60) % 60),
            seconds: clamp(a % 60),
        }
    }
}

/// Parses a DURATION. Leniently accepts lowercase letters and weeks combined
/// with days or times (`P1W2D`), which RFC 5545 does not allow but ISO 8601
/// and several writers do.
pub fn parse_duration(s: &[u8]) -> Option<(Duration, Leniency)> {
    let mut len = Leniency::default();
    let mut d = Duration::default();
    let mut i = 0usize;
    match s.first()? {
        b'+' => i = 1,
        b'-' => {
            d.negative = true;
            i = 1;
        }
        _ => {}
    }
    match s.get(i)? {
        b'P' => {}
        b'p' => len.lowercase = true,
        _ => return None,
    }
    i += 1;
    let mut in_time = false;
    let mut any = false;
    let mut saw_week = false;
    let mut saw_other = false;
    let mut last_rank = 0u8;
    while i < s.len() {
        let c = *s.get(i)?;
        if c == b'T' || c == b't' {
            if in_time {
                return None;
            }
            in_time = true;
            len.lowercase |= c == b't';
            i += 1;
            continue;
        }
        let start = i;
        while s.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start || i - start > 9 {
            return None;
        }
        let n: u32 = std::str::from_utf8(s.get(start..i)?).ok()?.parse().ok()?;
        let unit = *s.get(i)?;
        len.lowercase |= unit.is_ascii_lowercase();
        let (rank, slot) = match (unit.to_ascii_uppercase(), in_time) {
            (b'W', false) => {
                saw_week = true;
                (1, &mut d.weeks)
            }
            (b'D', false) => {
                saw_other = true;
                (2, &mut d.days)
            }
            (b'H', true) => {
                saw_other = true;
                (3, &mut d.hours)
            }
            (b'M', true) => {
                saw_other = true;
                (4, &mut d.minutes)
            }
            (b'S', true) => {
                saw_other = true;
                (5, &mut d.seconds)
            }
            _ => return None,
        };
        if rank <= last_rank {
            return None;
        }
        last_rank = rank;
        *slot = n;
        any = true;
        i += 1;
    }
    if !any {
        return None;
    }
    if saw_week && saw_other {
        len.extended = true;
    }
    Some((d, len))
}

/// Writes a DURATION (`P1W`, `-PT15M`, `P1DT2H`).
pub fn format_duration(out: &mut String, d: &Duration) {
    if d.negative {
        out.push('-');
    }
    out.push('P');
    let _ = if d.weeks != 0 {
        write!(out, "{}W", d.weeks)
    } else {
        Ok(())
    };
    if d.days != 0 {
        let _ = write!(out, "{}D", d.days);
    }
    if d.hours != 0 || d.minutes != 0 || d.seconds != 0 {
        out.push('T');
        if d.hours != 0 {
            let _ = write!(out, "{}H", d.hours);
        }
        if d.minutes != 0 {
            let _ = write!(out, "{}M", d.minutes);
        }
        if d.seconds != 0 {
            let _ = write!(out, "{}S", d.seconds);
        }
    }
    if d.weeks == 0 && d.days == 0 && d.hours == 0 && d.minutes == 0 && d.seconds == 0 {
        out.push_str("T0S");
    }
}

/// The end of a PERIOD.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PeriodEnd {
    /// An explicit end (`start/end`).
    End(DateTime),
    /// A duration (`start/duration`).
    Duration(Duration),
}

/// A PERIOD value (RFC 5545 §3.3.9).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Period {
    /// The start.
    pub start: DateTime,
    /// The end or the duration.
    pub end: PeriodEnd,
}

/// Parses a PERIOD.
pub fn parse_period(s: &[u8], tzid: Option<&str>) -> Option<(Period, Leniency)> {
    let slash = s.iter().position(|&b| b == b'/')?;
    let (start, mut len) = parse_date_time(s.get(..slash)?, tzid)?;
    let rest = s.get(slash + 1..)?;
    let end = if matches!(rest.first(), Some(b'P' | b'p' | b'+' | b'-')) {
        let (d, l) = parse_duration(rest)?;
        len.lowercase |= l.lowercase;
        len.extended |= l.extended;
        PeriodEnd::Duration(d)
    } else {
        let (e, l) = parse_date_time(rest, tzid)?;
        len.extended |= l.extended;
        len.missing_seconds |= l.missing_seconds;
        len.lowercase |= l.lowercase;
        PeriodEnd::End(e)
    };
    Some((Period { start, end }, len))
}

/// Writes a PERIOD in basic form.
pub fn format_period(out: &mut String, p: &Period) {
    format_date_time(out, &p.start);
    out.push('/');
    match &p.end {
        PeriodEnd::End(e) => format_date_time(out, e),
        PeriodEnd::Duration(d) => format_duration(out, d),
    }
}

// ---------------------------------------------------------------------------
// vCard dates (RFC 6350 §4.3, RFC 2426 §3.1.5, vCard 2.1)
// ---------------------------------------------------------------------------

/// The zone of a vCard time: `Z` or a numeric offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VZone {
    /// `Z`.
    Utc,
    /// An offset in minutes east of UTC.
    Offset(i32),
}

/// A possibly reduced or truncated date (`1985`, `1985-04`, `--0412`, `---12`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PartialDate {
    /// The year, when present.
    pub year: Option<i32>,
    /// The month, when present.
    pub month: Option<u8>,
    /// The day, when present.
    pub day: Option<u8>,
}

/// A possibly reduced or truncated time (`10`, `1022`, `-2200`, `--00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PartialTime {
    /// The hour, when present.
    pub hour: Option<u8>,
    /// The minute, when present.
    pub minute: Option<u8>,
    /// The second, when present.
    pub second: Option<u8>,
    /// The zone, when present.
    pub zone: Option<VZone>,
}

/// A vCard date, time, date-time, date-and-or-time or timestamp value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PartialDateTime {
    /// The date part.
    pub date: Option<PartialDate>,
    /// The time part.
    pub time: Option<PartialTime>,
}

impl PartialDateTime {
    /// The complete calendar date, when year, month and day are all known.
    pub fn naive_date(&self) -> Option<NaiveDate> {
        let d = self.date?;
        NaiveDate::from_ymd_opt(d.year?, u32::from(d.month?), u32::from(d.day?))
    }
}

fn take_digits(s: &[u8], i: &mut usize, n: usize) -> Option<u32> {
    let v = digits(s.get(*i..)?, n)?;
    *i += n;
    Some(v)
}

fn narrow<T: TryFrom<u32>>(v: u32) -> Option<T> {
    T::try_from(v).ok()
}

fn parse_vdate(s: &[u8]) -> Option<PartialDate> {
    let mut d = PartialDate::default();
    let mut i = 0usize;
    if s.starts_with(b"---") {
        i = 3;
        d.day = Some(narrow(take_digits(s, &mut i, 2)?)?);
    } else if s.starts_with(b"--") {
        i = 2;
        d.month = Some(narrow(take_digits(s, &mut i, 2)?)?);
        if s.get(i) == Some(&b'-') {
            i += 1;
        }
        if i < s.len() {
            d.day = Some(narrow(take_digits(s, &mut i, 2)?)?);
        }
    } else {
        d.year = Some(i32::try_from(take_digits(s, &mut i, 4)?).ok()?);
        if i < s.len() {
            let ext = s.get(i) == Some(&b'-');
            if ext {
                i += 1;
            }
            d.month = Some(narrow(take_digits(s, &mut i, 2)?)?);
            if i < s.len() {
                if ext {
                    if s.get(i) != Some(&b'-') {
                        return None;
                    }
                    i += 1;
                }
                d.day = Some(narrow(take_digits(s, &mut i, 2)?)?);
            }
        }
    }
    if i != s.len() {
        return None;
    }
    if let Some(m) = d.month
        && !(1..=12).contains(&m)
    {
        return None;
    }
    if let Some(day) = d.day
        && !(1..=31).contains(&day)
    {
        return None;
    }
    if let (Some(y), Some(m), Some(day)) = (d.year, d.month, d.day) {
        NaiveDate::from_ymd_opt(y, u32::from(m), u32::from(day))?;
    }
    Some(d)
}

fn parse_vzone(s: &[u8]) -> Option<VZone> {
    if s == b"Z" || s == b"z" {
        return Some(VZone::Utc);
    }
    let (o, _) = parse_utc_offset(s)?;
    Some(VZone::Offset(o.seconds / 60))
}

fn parse_vtime(s: &[u8]) -> Option<PartialTime> {
    let mut t = PartialTime::default();
    // Split off the zone: 'Z' or a '+'/'-' that is not a truncation dash at
    // the start.
    let zone_at = s.iter().enumerate().position(|(i, &b)| {
        b == b'Z'
            || b == b'z'
            || b == b'+'
            || (b == b'-' && i > 0 && s.get(i - 1).is_some_and(u8::is_ascii_digit))
    });
    let (body, zone) = match zone_at {
        Some(z) => (s.get(..z)?, Some(parse_vzone(s.get(z..)?)?)),
        None => (s, None),
    };
    t.zone = zone;
    let mut i = 0usize;
    let ext = body.contains(&b':');
    if body.starts_with(b"--") {
        i = 2;
        t.second = Some(narrow(take_digits(body, &mut i, 2)?)?);
    } else if body.starts_with(b"-") {
        i = 1;
        t.minute = Some(narrow(take_digits(body, &mut i, 2)?)?);
        if ext && body.get(i) == Some(&b':') {
            i += 1;
        }
        if i < body.len() {
            t.second = Some(narrow(take_digits(body, &mut i, 2)?)?);
        }
    } else {
        t.hour = Some(narrow(take_digits(body, &mut i, 2)?)?);
        if ext && body.get(i) == Some(&b':') {
            i += 1;
        }
        if i < body.len() {
            t.minute = Some(narrow(take_digits(body, &mut i, 2)?)?);
            if ext && body.get(i) == Some(&b':') {
                i += 1;
            }
            if i < body.len() {
                t.second = Some(narrow(take_digits(body, &mut i, 2)?)?);
            }
        }
    }
    // Fractions of a second (vCard 3.0 allows them): accepted and dropped.
    if body.get(i) == Some(&b'.') || body.get(i) == Some(&b',') {
        i += 1;
        while body.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    if i != body.len() {
        return None;
    }
    if t.hour.is_some_and(|h| h > 24)
        || t.minute.is_some_and(|m| m > 59)
        || t.second.is_some_and(|s| s > 60)
    {
        return None;
    }
    Some(t)
}

/// Parses a vCard date-and-or-time in basic or extended form: `19850412`,
/// `1985-04-12`, `--0412`, `T102200Z`, `19961022T140000-0500`,
/// `1953-10-15T23:10:00Z`.
pub fn parse_date_and_or_time(s: &[u8]) -> Option<PartialDateTime> {
    if s.is_empty() {
        return None;
    }
    if let Some(rest) = s.strip_prefix(b"T").or_else(|| s.strip_prefix(b"t")) {
        return Some(PartialDateTime {
            date: None,
            time: Some(parse_vtime(rest)?),
        });
    }
    match s.iter().position(|&b| b == b'T' || b == b't') {
        Some(t) => Some(PartialDateTime {
            date: Some(parse_vdate(s.get(..t)?)?),
            time: Some(parse_vtime(s.get(t + 1..)?)?),
        }),
        None => Some(PartialDateTime {
            date: Some(parse_vdate(s)?),
            time: None,
        }),
    }
}

/// Parses a vCard TIME value (no leading `T`).
pub fn parse_vcard_time(s: &[u8]) -> Option<PartialDateTime> {
    Some(PartialDateTime {
        date: None,
        time: Some(parse_vtime(s.strip_prefix(b"T").unwrap_or(s))?),
    })
}

fn format_vdate(out: &mut String, d: &PartialDate, ext: bool) {
    match (d.year, d.month, d.day) {
        (Some(y), m, day) => {
            push_year(out, y);
            if let Some(m) = m {
                if ext {
                    out.push('-');
                }
                push2(out, u32::from(m));
                if let Some(day) = day {
                    if ext {
                        out.push('-');
                    }
                    push2(out, u32::from(day));
                }
            }
        }
        (None, Some(m), day) => {
            out.push_str("--");
            push2(out, u32::from(m));
            if let Some(day) = day {
                if ext {
                    out.push('-');
                }
                push2(out, u32::from(day));
            }
        }
        (None, None, Some(day)) => {
            out.push_str("---");
            push2(out, u32::from(day));
        }
        (None, None, None) => {}
    }
}

fn format_vtime(out: &mut String, t: &PartialTime, ext: bool) {
    let sep = |out: &mut String| {
        if ext {
            out.push(':');
        }
    };
    match (t.hour, t.minute, t.second) {
        (Some(h), m, s) => {
            push2(out, u32::from(h));
            if let Some(m) = m {
                sep(out);
                push2(out, u32::from(m));
                if let Some(s) = s {
                    sep(out);
                    push2(out, u32::from(s));
                }
            }
        }
        (None, Some(m), s) => {
            out.push('-');
            push2(out, u32::from(m));
            if let Some(s) = s {
                sep(out);
                push2(out, u32::from(s));
            }
        }
        (None, None, Some(s)) => {
            out.push_str("--");
            push2(out, u32::from(s));
        }
        (None, None, None) => {}
    }
    match t.zone {
        Some(VZone::Utc) => out.push('Z'),
        Some(VZone::Offset(min)) => format_offset(
            out,
            &UtcOffset {
                seconds: min * 60,
                negative_zero: false,
            },
            ext,
        ),
        None => {}
    }
}

/// Writes a vCard date-and-or-time in basic (`ext == false`) or extended form.
pub fn format_date_and_or_time(out: &mut String, v: &PartialDateTime, ext: bool) {
    if let Some(d) = &v.date {
        format_vdate(out, d, ext);
    }
    if let Some(t) = &v.time {
        out.push('T');
        format_vtime(out, t, ext);
    }
}

/// Writes a vCard TIME value (no leading `T`).
pub fn format_vcard_time(out: &mut String, v: &PartialDateTime, ext: bool) {
    if let Some(t) = &v.time {
        format_vtime(out, t, ext);
    }
}

/// A display helper for diagnostics.
pub(crate) struct Shown<'a>(pub &'a [u8]);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = String::from_utf8_lossy(self.0);
        if s.chars().count() > 60 {
            let cut: String = s.chars().take(57).collect();
            write!(f, "{cut}...")
        } else {
            f.write_str(&s)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_are_written_as_by_format() {
        for y in [
            0, 7, 99, 100, 1601, 1999, 2025, 9999, 10000, 262_143, -1, -45, -262_144,
        ] {
            let mut out = String::new();
            push_year(&mut out, y);
            assert_eq!(out, format!("{y:04}"), "{y}");
        }
    }

    fn s(f: impl Fn(&mut String)) -> String {
        let mut o = String::new();
        f(&mut o);
        o
    }

    #[test]
    fn dates_and_times() {
        let (d, l) = parse_date(b"20120901").unwrap();
        assert!(l.is_exact());
        assert_eq!(s(|o| format_date_ext(o, &d)), "2012-09-01");
        assert!(parse_date(b"2006717").is_none());
        assert!(parse_date(b"20121301").is_none());
        let (_, l) = parse_date(b"2012-09-01").unwrap();
        assert!(l.extended);

        let (dt, _) = parse_date_time(b"20120901T130000Z", Some("Europe/Berlin")).unwrap();
        assert_eq!(dt.zone, Zone::Utc);
        assert_eq!(s(|o| format_date_time_ext(o, &dt)), "2012-09-01T13:00:00Z");
        let (dt, _) = parse_date_time(b"20120901T130000", Some("Europe/Berlin")).unwrap();
        assert_eq!(dt.tzid(), Some("Europe/Berlin"));
        assert_eq!(s(|o| format_date_time(o, &dt)), "20120901T130000");
        let (dt, l) = parse_date_time(b"20120901T1300", None).unwrap();
        assert!(l.missing_seconds);
        assert_eq!(dt.zone, Zone::Floating);
        assert!(parse_date_time(b"2006717T080000Z", None).is_none());
        assert!(parse_date_time(b"20120901T250000", None).is_none());
    }

    #[test]
    fn leap_second_round_trips() {
        let (dt, _) = parse_date_time(b"19981231T235960Z", None).unwrap();
        assert_eq!(s(|o| format_date_time(o, &dt)), "19981231T235960Z");
    }

    #[test]
    fn offsets() {
        let (o, _) = parse_utc_offset(b"-0500").unwrap();
        assert_eq!(o.seconds, -18000);
        assert_eq!(s(|out| format_utc_offset_ext(out, &o)), "-05:00");
        let (o, _) = parse_utc_offset(b"+055001").unwrap();
        assert_eq!(s(|out| format_utc_offset_ext(out, &o)), "+05:50:01");
        assert_eq!(s(|out| format_utc_offset(out, &o)), "+055001");
        let (o, _) = parse_utc_offset(b"-0000").unwrap();
        assert!(o.negative_zero);
        assert!(parse_utc_offset(b"0500").is_none());
        assert!(parse_utc_offset(b"+2500").is_none());
    }

    #[test]
    fn durations() {
        for (text, secs) in [
            ("P15DT5H0M20S", 15 * 86400 + 5 * 3600 + 20),
            ("P7W", 7 * 7 * 86400),
            ("-PT15M", -900),
            ("+PT1H", 3600),
            ("PT0S", 0),
        ] {
            let (d, _) = parse_duration(text.as_bytes()).unwrap();
            assert_eq!(d.total_seconds(), secs, "{text}");
        }
        let (d, l) = parse_duration(b"P1W2D").unwrap();
        assert!(l.extended);
        assert_eq!(d.total_seconds(), 9 * 86400);
        for bad in ["P", "PT", "1D", "P1H", "PT1D", "P1D1W", "P12345678901D"] {
            assert!(parse_duration(bad.as_bytes()).is_none(), "{bad}");
        }
        let (d, _) = parse_duration(b"-P1DT2H").unwrap();
        assert_eq!(s(|o| format_duration(o, &d)), "-P1DT2H");
        assert_eq!(s(|o| format_duration(o, &Duration::default())), "PT0S");
    }

    #[test]
    fn periods() {
        let (p, _) = parse_period(b"19960404T010000/PT3H", None).unwrap();
        assert!(matches!(p.end, PeriodEnd::Duration(_)));
        assert_eq!(s(|o| format_period(o, &p)), "19960404T010000/PT3H");
        let (p, _) = parse_period(b"19960403T020000Z/19960403T040000Z", None).unwrap();
        assert!(matches!(p.end, PeriodEnd::End(_)));
        assert!(parse_period(b"19960403T020000Z", None).is_none());
    }

    #[test]
    fn vcard_dates() {
        for (text, basic, ext) in [
            ("19850412", "19850412", "1985-04-12"),
            ("1985-04-12", "19850412", "1985-04-12"),
            ("1985-04", "198504", "1985-04"),
            ("1985", "1985", "1985"),
            ("--0412", "--0412", "--04-12"),
            ("--0203", "--0203", "--02-03"),
            ("---12", "---12", "---12"),
            ("T102200", "T102200", "T10:22:00"),
            ("T1022", "T1022", "T10:22"),
            ("T-2200", "T-2200", "T-22:00"),
            ("T--00", "T--00", "T--00"),
            ("T102200Z", "T102200Z", "T10:22:00Z"),
            ("T102200-0800", "T102200-0800", "T10:22:00-08:00"),
            (
                "20090808T1430-0500",
                "20090808T1430-0500",
                "2009-08-08T14:30-05:00",
            ),
            (
                "1953-10-15T23:10:00Z",
                "19531015T231000Z",
                "1953-10-15T23:10:00Z",
            ),
            (
                "1987-09-27T08:30:00-06:00",
                "19870927T083000-0600",
                "1987-09-27T08:30:00-06:00",
            ),
        ] {
            let v = parse_date_and_or_time(text.as_bytes()).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(
                s(|o| format_date_and_or_time(o, &v, false)),
                basic,
                "{text}"
            );
            assert_eq!(s(|o| format_date_and_or_time(o, &v, true)), ext, "{text}");
        }
        for bad in ["", "1985-13-01", "19850230", "T2599", "abc", "1985-0412x"] {
            assert!(parse_date_and_or_time(bad.as_bytes()).is_none(), "{bad}");
        }
    }
}
