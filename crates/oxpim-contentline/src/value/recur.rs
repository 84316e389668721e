//! The RECUR value type (RFC 5545 §3.3.10, RFC 7529 RSCALE/SKIP).

use std::fmt::Write as _;

use chrono::{NaiveDate, Weekday};

use super::time::{
    DateTime, Zone, format_date, format_date_ext, format_date_time, format_date_time_ext,
    parse_date, parse_date_time,
};

/// FREQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Frequency {
    /// SECONDLY
    Secondly,
    /// MINUTELY
    Minutely,
    /// HOURLY
    Hourly,
    /// DAILY
    Daily,
    /// WEEKLY
    Weekly,
    /// MONTHLY
    Monthly,
    /// YEARLY
    Yearly,
}

impl Frequency {
    /// The RFC 5545 name.
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Secondly => "SECONDLY",
            Frequency::Minutely => "MINUTELY",
            Frequency::Hourly => "HOURLY",
            Frequency::Daily => "DAILY",
            Frequency::Weekly => "WEEKLY",
            Frequency::Monthly => "MONTHLY",
            Frequency::Yearly => "YEARLY",
        }
    }
    fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_uppercase().as_str() {
            "SECONDLY" => Frequency::Secondly,
            "MINUTELY" => Frequency::Minutely,
            "HOURLY" => Frequency::Hourly,
            "DAILY" => Frequency::Daily,
            "WEEKLY" => Frequency::Weekly,
            "MONTHLY" => Frequency::Monthly,
            "YEARLY" => Frequency::Yearly,
            _ => return None,
        })
    }
}

/// A BYDAY entry: an optional ordinal and a weekday (`-1SU`, `MO`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WeekdayNum {
    /// The ordinal (±1..±53), if any.
    pub ordinal: Option<i8>,
    /// The weekday.
    pub weekday: Weekday,
}

/// A BYMONTH entry; `leap` is RFC 7529's `L` suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecurMonth {
    /// 1..=12 (or more in non-Gregorian scales).
    pub month: u8,
    /// A leap month (`5L`).
    pub leap: bool,
}

/// UNTIL: a DATE or a DATE-TIME (UTC or floating).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RecurUntil {
    /// `UNTIL=20121011`.
    Date(NaiveDate),
    /// `UNTIL=20121011T121314Z` or floating.
    DateTime(DateTime),
}

/// RFC 7529 SKIP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Skip {
    /// OMIT (the default).
    Omit,
    /// BACKWARD.
    Backward,
    /// FORWARD.
    Forward,
}

/// A parsed recurrence rule. Unknown parts (X- names, anything new) are kept
/// in [`other`](Self::other) in their original order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Recur {
    /// FREQ.
    pub freq: Frequency,
    /// UNTIL.
    pub until: Option<RecurUntil>,
    /// COUNT.
    pub count: Option<u32>,
    /// INTERVAL as written (`None` means the default 1).
    pub interval: Option<u32>,
    /// BYSECOND (0..=60).
    pub by_second: Vec<u8>,
    /// BYMINUTE.
    pub by_minute: Vec<u8>,
    /// BYHOUR.
    pub by_hour: Vec<u8>,
    /// BYDAY.
    pub by_day: Vec<WeekdayNum>,
    /// BYMONTHDAY.
    pub by_month_day: Vec<i8>,
    /// BYYEARDAY.
    pub by_year_day: Vec<i16>,
    /// BYWEEKNO.
    pub by_week_no: Vec<i8>,
    /// BYMONTH.
    pub by_month: Vec<RecurMonth>,
    /// BYSETPOS.
    pub by_set_pos: Vec<i16>,
    /// WKST.
    pub wkst: Option<Weekday>,
    /// RSCALE (RFC 7529), as written.
    pub rscale: Option<String>,
    /// SKIP (RFC 7529).
    pub skip: Option<Skip>,
    /// Other parts, name (uppercase) and value as written.
    pub other: Vec<(String, String)>,
}

impl Recur {
    /// A rule with only FREQ set.
    pub fn new(freq: Frequency) -> Self {
        Recur {
            freq,
            until: None,
            count: None,
            interval: None,
            by_second: Vec::new(),
            by_minute: Vec::new(),
            by_hour: Vec::new(),
            by_day: Vec::new(),
            by_month_day: Vec::new(),
            by_year_day: Vec::new(),
            by_week_no: Vec::new(),
            by_month: Vec::new(),
            by_set_pos: Vec::new(),
            wkst: None,
            rscale: None,
            skip: None,
            other: Vec::new(),
        }
    }
    /// INTERVAL, defaulting to 1.
    pub fn interval(&self) -> u32 {
        self.interval.unwrap_or(1)
    }

    /// True when the rule has a BYxxx part other than BYSETPOS.
    pub fn has_by_parts(&self) -> bool {
        !(self.by_second.is_empty()
            && self.by_minute.is_empty()
            && self.by_hour.is_empty()
            && self.by_day.is_empty()
            && self.by_month_day.is_empty()
            && self.by_year_day.is_empty()
            && self.by_week_no.is_empty()
            && self.by_month.is_empty())
    }
}

/// Weekday from its two-letter code.
pub fn parse_weekday(s: &str) -> Option<Weekday> {
    let [a, b] = <[u8; 2]>::try_from(s.as_bytes()).ok()?;
    Some(match [a.to_ascii_uppercase(), b.to_ascii_uppercase()] {
        [b'M', b'O'] => Weekday::Mon,
        [b'T', b'U'] => Weekday::Tue,
        [b'W', b'E'] => Weekday::Wed,
        [b'T', b'H'] => Weekday::Thu,
        [b'F', b'R'] => Weekday::Fri,
        [b'S', b'A'] => Weekday::Sat,
        [b'S', b'U'] => Weekday::Sun,
        _ => return None,
    })
}

/// The two-letter code of a weekday.
pub fn weekday_code(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

fn int_list<T: TryFrom<i64>>(
    name: &str,
    v: &str,
    lo: i64,
    hi: i64,
    signed: bool,
) -> Result<Vec<T>, String> {
    let mut out = Vec::new();
    for item in v.split(',') {
        let n: i64 = item
            .trim()
            .parse()
            .map_err(|_| format!("{name}: '{item}' is not a number"))?;
        let a = n.abs();
        let ok = if signed {
            a >= lo && a <= hi
        } else {
            n >= lo && n <= hi
        };
        if !ok {
            return Err(format!("{name}: {n} is out of range"));
        }
        out.push(T::try_from(n).map_err(|_| format!("{name}: {n} is out of range"))?);
    }
    Ok(out)
}

/// Parses a RECUR value. `Err` carries a message for a value that cannot be
/// understood; the `Vec<String>` of the `Ok` lists warnings for a rule that
/// parses but breaks an RFC 5545 constraint.
pub fn parse_recur(s: &str) -> Result<(Recur, Vec<String>), String> {
    let mut warnings = Vec::new();
    let mut freq: Option<Frequency> = None;
    let mut r = Recur::new(Frequency::Daily);
    // Part names as written when already uppercase (nearly always): no
    // copy per part.
    let mut seen: Vec<std::borrow::Cow<'_, str>> = Vec::new();
    for part in s.split(';') {
        if part.is_empty() {
            continue;
        }
        let (name, value) = part
            .split_once('=')
            .ok_or_else(|| format!("rule part '{part}' has no '='"))?;
        let name = name.trim();
        let name: std::borrow::Cow<'_, str> = if name.bytes().any(|b| b.is_ascii_lowercase()) {
            std::borrow::Cow::Owned(name.to_ascii_uppercase())
        } else {
            std::borrow::Cow::Borrowed(name)
        };
        let value = value.trim();
        if seen.contains(&name) {
            return Err(format!("{name} appears twice"));
        }
        seen.push(name.clone());
        match &*name {
            "FREQ" => {
                freq =
                    Some(Frequency::parse(value).ok_or_else(|| format!("unknown FREQ '{value}'"))?);
            }
            "UNTIL" => {
                let b = value.as_bytes();
                r.until = Some(if let Some((d, _)) = parse_date(b) {
                    RecurUntil::Date(d)
                } else {
                    let (dt, _) = parse_date_time(b, None)
                        .ok_or_else(|| format!("UNTIL '{value}' is not a date or date-time"))?;
                    RecurUntil::DateTime(dt)
                });
            }
            "COUNT" => {
                r.count = Some(
                    value
                        .parse()
                        .map_err(|_| format!("COUNT '{value}' is not a number"))?,
                );
            }
            "INTERVAL" => {
                let n: u32 = value
                    .parse()
                    .map_err(|_| format!("INTERVAL '{value}' is not a number"))?;
                if n == 0 {
                    return Err("INTERVAL must be positive".into());
                }
                r.interval = Some(n);
            }
            "BYSECOND" => r.by_second = int_list(&name, value, 0, 60, false)?,
            "BYMINUTE" => r.by_minute = int_list(&name, value, 0, 59, false)?,
            "BYHOUR" => r.by_hour = int_list(&name, value, 0, 23, false)?,
            "BYMONTHDAY" => r.by_month_day = int_list(&name, value, 1, 31, true)?,
            "BYYEARDAY" => r.by_year_day = int_list(&name, value, 1, 366, true)?,
            "BYWEEKNO" => r.by_week_no = int_list(&name, value, 1, 53, true)?,
            "BYSETPOS" => r.by_set_pos = int_list(&name, value, 1, 366, true)?,
            "BYMONTH" => {
                for item in value.split(',') {
                    let item = item.trim();
                    let (num, leap) = match item.strip_suffix(['L', 'l']) {
                        Some(n) => (n, true),
                        None => (item, false),
                    };
                    let m: u8 = num
                        .parse()
                        .map_err(|_| format!("BYMONTH: '{item}' is not a month"))?;
                    if m == 0 || m > 13 {
                        return Err(format!("BYMONTH: {m} is out of range"));
                    }
                    if m == 13 {
                        warnings.push("BYMONTH=13 only exists in non-Gregorian scales".into());
                    }
                    r.by_month.push(RecurMonth { month: m, leap });
                }
            }
            "BYDAY" => {
                for item in value.split(',') {
                    let item = item.trim();
                    if item.len() < 2 {
                        return Err(format!("BYDAY: '{item}' is not a weekday"));
                    }
                    let split = item.len() - 2;
                    let (ord, day) = (
                        item.get(..split).unwrap_or(""),
                        item.get(split..).unwrap_or(""),
                    );
                    let weekday = parse_weekday(day)
                        .ok_or_else(|| format!("BYDAY: '{item}' is not a weekday"))?;
                    let ordinal = if ord.is_empty() {
                        None
                    } else {
                        let n: i8 = ord
                            .parse()
                            .map_err(|_| format!("BYDAY: '{item}' has a bad ordinal"))?;
                        if n == 0 || n.unsigned_abs() > 53 {
                            return Err(format!("BYDAY: ordinal {n} is out of range"));
                        }
                        Some(n)
                    };
                    r.by_day.push(WeekdayNum { ordinal, weekday });
                }
            }
            "WKST" => {
                r.wkst = Some(
                    parse_weekday(value)
                        .ok_or_else(|| format!("WKST '{value}' is not a weekday"))?,
                );
            }
            "RSCALE" => r.rscale = Some(value.to_string()),
            "SKIP" => {
                r.skip = Some(match value.to_ascii_uppercase().as_str() {
                    "OMIT" => Skip::Omit,
                    "BACKWARD" => Skip::Backward,
                    "FORWARD" => Skip::Forward,
                    _ => return Err(format!("unknown SKIP '{value}'")),
                });
            }
            _ => {
                if !name.starts_with("X-") {
                    warnings.push(format!("unknown rule part {name} kept as is"));
                }
                r.other.push((name.into_owned(), value.to_string()));
            }
        }
    }
    r.freq = freq.ok_or("FREQ is missing")?;
    if r.count.is_some() && r.until.is_some() {
        warnings.push("COUNT and UNTIL must not both appear".into());
    }
    if !r.by_week_no.is_empty() && r.freq != Frequency::Yearly {
        warnings.push("BYWEEKNO is only allowed with FREQ=YEARLY".into());
    }
    if !r.by_year_day.is_empty()
        && matches!(
            r.freq,
            Frequency::Daily | Frequency::Weekly | Frequency::Monthly
        )
    {
        warnings.push("BYYEARDAY is not allowed with FREQ=DAILY, WEEKLY or MONTHLY".into());
    }
    if !r.by_month_day.is_empty() && r.freq == Frequency::Weekly {
        warnings.push("BYMONTHDAY is not allowed with FREQ=WEEKLY".into());
    }
    if r.by_day.iter().any(|d| d.ordinal.is_some())
        && !(matches!(r.freq, Frequency::Monthly)
            || (r.freq == Frequency::Yearly && r.by_week_no.is_empty()))
    {
        warnings.push("BYDAY ordinals are only allowed with FREQ=MONTHLY or YEARLY".into());
    }
    if !r.by_set_pos.is_empty() && !r.has_by_parts() {
        warnings.push("BYSETPOS needs another BYxxx rule part".into());
    }
    if r.skip.is_some() && r.rscale.is_none() {
        warnings.push("SKIP needs RSCALE".into());
    }
    Ok((r, warnings))
}

fn push_list<T: std::fmt::Display>(out: &mut String, name: &str, items: &[T]) {
    if items.is_empty() {
        return;
    }
    let _ = write!(out, ";{name}=");
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{it}");
    }
}

impl std::fmt::Display for WeekdayNum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(o) = self.ordinal {
            write!(f, "{o}")?;
        }
        f.write_str(weekday_code(self.weekday))
    }
}

impl std::fmt::Display for RecurMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.month, if self.leap { "L" } else { "" })
    }
}

fn format_until(out: &mut String, u: &RecurUntil, ext: bool) {
    match (u, ext) {
        (RecurUntil::Date(d), false) => format_date(out, d),
        (RecurUntil::Date(d), true) => format_date_ext(out, d),
        (RecurUntil::DateTime(dt), false) => format_date_time(out, dt),
        (RecurUntil::DateTime(dt), true) => format_date_time_ext(out, dt),
    }
}

/// Writes a rule in canonical part order (RSCALE, FREQ, UNTIL, COUNT,
/// INTERVAL, BY… in RFC order, WKST, SKIP, then unknown parts).
pub fn format_recur(out: &mut String, r: &Recur) {
    if let Some(rs) = &r.rscale {
        let _ = write!(out, "RSCALE={rs};");
    }
    out.push_str("FREQ=");
    out.push_str(r.freq.as_str());
    if let Some(u) = &r.until {
        out.push_str(";UNTIL=");
        format_until(out, u, false);
    }
    if let Some(c) = r.count {
        let _ = write!(out, ";COUNT={c}");
    }
    if let Some(i) = r.interval {
        let _ = write!(out, ";INTERVAL={i}");
    }
    push_list(out, "BYSECOND", &r.by_second);
    push_list(out, "BYMINUTE", &r.by_minute);
    push_list(out, "BYHOUR", &r.by_hour);
    push_list(out, "BYDAY", &r.by_day);
    push_list(out, "BYMONTHDAY", &r.by_month_day);
    push_list(out, "BYYEARDAY", &r.by_year_day);
    push_list(out, "BYWEEKNO", &r.by_week_no);
    push_list(out, "BYMONTH", &r.by_month);
    push_list(out, "BYSETPOS", &r.by_set_pos);
    if let Some(w) = r.wkst {
        let _ = write!(out, ";WKST={}", weekday_code(w));
    }
    if let Some(s) = r.skip {
        out.push_str(match s {
            Skip::Omit => ";SKIP=OMIT",
            Skip::Backward => ";SKIP=BACKWARD",
            Skip::Forward => ";SKIP=FORWARD",
        });
    }
    for (k, v) in &r.other {
        let _ = write!(out, ";{k}={v}");
    }
}

/// Formats UNTIL for jCal (extended form).
pub fn format_until_ext(out: &mut String, u: &RecurUntil) {
    format_until(out, u, true);
}

/// True when the zone of an UNTIL date-time is UTC.
pub fn until_is_utc(u: &RecurUntil) -> bool {
    matches!(
        u,
        RecurUntil::DateTime(DateTime {
            zone: Zone::Utc,
            ..
        })
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_are_read_in_any_case_and_nothing_else_is() {
        for w in [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ] {
            let code = weekday_code(w);
            assert_eq!(parse_weekday(code), Some(w));
            assert_eq!(parse_weekday(&code.to_ascii_lowercase()), Some(w));
            let mixed: String = code
                .chars()
                .enumerate()
                .map(|(i, c)| if i == 0 { c } else { c.to_ascii_lowercase() })
                .collect();
            assert_eq!(parse_weekday(&mixed), Some(w));
        }
        for bad in ["", "M", "MON", "MOX", "XX", "1MO", "M\u{f6}", "\u{e9}"] {
            assert_eq!(parse_weekday(bad), None, "{bad:?}");
        }
    }

    fn round(s: &str) -> String {
        let (r, _) = parse_recur(s).unwrap();
        let mut o = String::new();
        format_recur(&mut o, &r);
        o
    }

    #[test]
    fn parse_and_format() {
        assert_eq!(
            round("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"),
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"
        );
        assert_eq!(
            round("freq=yearly;bymonth=3;byday=-1su"),
            "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"
        );
        assert_eq!(
            round("FREQ=DAILY;UNTIL=20121011"),
            "FREQ=DAILY;UNTIL=20121011"
        );
        assert_eq!(
            round("FREQ=DAILY;UNTIL=20121011T121314Z;INTERVAL=1"),
            "FREQ=DAILY;UNTIL=20121011T121314Z;INTERVAL=1"
        );
        assert_eq!(
            round("RSCALE=CHINESE;FREQ=YEARLY;BYMONTH=5L;SKIP=FORWARD"),
            "RSCALE=CHINESE;FREQ=YEARLY;BYMONTH=5L;SKIP=FORWARD"
        );
        assert_eq!(
            round("FREQ=WEEKLY;X-FOO=bar;COUNT=4294967295"),
            "FREQ=WEEKLY;COUNT=4294967295;X-FOO=bar"
        );
        assert_eq!(
            round("FREQ=MINUTELY;BYSECOND=60;BYSETPOS=-366"),
            "FREQ=MINUTELY;BYSECOND=60;BYSETPOS=-366"
        );
    }

    #[test]
    fn errors_and_warnings() {
        assert!(parse_recur("BYDAY=MO").is_err());
        assert!(parse_recur("FREQ=FORTNIGHTLY").is_err());
        assert!(parse_recur("FREQ=DAILY;INTERVAL=0").is_err());
        assert!(parse_recur("FREQ=DAILY;BYHOUR=24").is_err());
        assert!(parse_recur("FREQ=MONTHLY;BYDAY=0MO").is_err());
        assert!(parse_recur("FREQ=DAILY;COUNT=4294967296").is_err());
        assert!(parse_recur("FREQ=DAILY;FREQ=WEEKLY").is_err());
        let (_, w) = parse_recur("FREQ=DAILY;COUNT=2;UNTIL=20200101").unwrap();
        assert_eq!(w.len(), 1);
        let (_, w) = parse_recur("FREQ=MONTHLY;BYSETPOS=1").unwrap();
        assert_eq!(w.len(), 1);
        let (_, w) = parse_recur("FREQ=MONTHLY;BYDAY=2MO").unwrap();
        assert!(w.is_empty());
    }
}
