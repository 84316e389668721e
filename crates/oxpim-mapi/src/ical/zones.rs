//! Time zones between iCalendar and MAPI (MS-OXCICAL 2.1.3.1.1.19):
//! VTIMEZONE (or any resolved zone) to PidLidTimeZoneStruct and
//! TZDEFINITION blobs, and those blobs back to a VTIMEZONE.

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta, Timelike, Weekday};
use oxpim_contentline::value::recur::RecurUntil;
use oxpim_contentline::{
    Component, DateTime, Dialect, Frequency, Property, Recur, RecurMonth, UtcOffset, Value,
    ValueType, WeekdayNum,
};
use oxpim_recur::TimeZone;

use crate::blob::tz::{
    MAX_TZ_RULES, SystemTime, TimeZoneDefinition, TimeZoneStruct, TzRule, ZoneBiases,
};

/// The blobs of one zone.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneBlobs {
    /// The key name (the TZID text).
    pub key: String,
    /// The rules by first year, ascending; the last one is the effective
    /// rule.
    pub rules: Vec<(u16, ZoneBiases)>,
}

impl ZoneBlobs {
    /// PidLidTimeZoneStruct: the effective (latest) rule.
    pub fn tz_struct(&self) -> TimeZoneStruct {
        TimeZoneStruct::new(self.rules.last().map(|r| r.1).unwrap_or_default())
    }

    /// A TZDEFINITION; `recur` selects the flags of …Recur (both flags on
    /// the effective rule) rather than of …StartDisplay/…EndDisplay.
    pub fn definition(&self, recur: bool) -> TimeZoneDefinition {
        let rules = self
            .rules
            .iter()
            .map(|(y, b)| TzRule::new(*y, 0, *b))
            .collect::<Vec<_>>();
        let mut d = TimeZoneDefinition::new(&self.key, rules);
        if let Some(last) = d.rules.last_mut() {
            last.flags = crate::blob::tz::TZRULE_FLAG_EFFECTIVE_TZREG;
        }
        d.with_flags(recur)
    }

    /// The blobs of UTC.
    pub fn utc() -> ZoneBlobs {
        ZoneBlobs {
            key: "UTC".to_owned(),
            rules: vec![(1601, ZoneBiases::default())],
        }
    }
}

/// The rules of a TZDEFINITION, as (first year, biases).
pub fn rules_of(d: &TimeZoneDefinition) -> Vec<(u16, ZoneBiases)> {
    let mut v: Vec<(u16, ZoneBiases)> = d.rules.iter().map(|r| (r.year, r.rules)).collect();
    v.sort_by_key(|r| r.0);
    v
}

#[derive(Debug, Clone)]
struct Observance {
    daylight: bool,
    dtstart: NaiveDateTime,
    offset_to: i32,
    rrule: Option<Recur>,
}

impl Observance {
    /// True when the observance still applies in `year`.
    fn active_in(&self, year: i32) -> bool {
        if self.dtstart.year() == year {
            return true;
        }
        let Some(r) = &self.rrule else {
            return false;
        };
        match &r.until {
            None => r
                .count
                .is_none_or(|c| i64::from(year - self.dtstart.year()) < i64::from(c)),
            Some(RecurUntil::Date(d)) => d.year() >= year,
            Some(RecurUntil::DateTime(t)) => t.local.year() >= year,
        }
    }

    /// The SYSTEMTIME of this observance's onset (MS-OXCICAL 2.1.3.1.1.19).
    fn system_time(&self) -> SystemTime {
        let t = self.dtstart;
        let mut st = SystemTime {
            year: 0,
            month: u16::try_from(t.month()).unwrap_or(1),
            day_of_week: u16::try_from(t.weekday().num_days_from_sunday()).unwrap_or(0),
            day: week_of(t.date()),
            hour: u16::try_from(t.hour()).unwrap_or(0),
            minute: u16::try_from(t.minute()).unwrap_or(0),
            second: u16::try_from(t.second()).unwrap_or(0),
            milliseconds: 0,
        };
        let Some(r) = self.rrule.as_ref().filter(|r| r.freq == Frequency::Yearly) else {
            return st;
        };
        if let [m] = r.by_month.as_slice() {
            st.month = u16::from(m.month);
        }
        match (r.by_day.as_slice(), r.by_month_day.as_slice()) {
            (
                [
                    WeekdayNum {
                        ordinal: Some(n),
                        weekday,
                    },
                ],
                [],
            ) if (-1..=5).contains(n) && *n != 0 => {
                st.day_of_week = u16::try_from(weekday.num_days_from_sunday()).unwrap_or(0);
                st.day = if *n < 0 {
                    5
                } else {
                    u16::try_from(*n).unwrap_or(1)
                };
            }
            // The old US form: BYDAY=SU;BYMONTHDAY=8,9,10,11,12,13,14.
            (
                [
                    WeekdayNum {
                        ordinal: None,
                        weekday,
                    },
                ],
                days,
            ) if days.len() == 7
                && days
                    .windows(2)
                    .all(|w| w.get(1).copied() == w.first().map(|x| x + 1)) =>
            {
                st.day_of_week = u16::try_from(weekday.num_days_from_sunday()).unwrap_or(0);
                let first = days.first().copied().unwrap_or(1);
                st.day = if !(0..25).contains(&first) {
                    5
                } else {
                    u16::try_from((first - 1) / 7 + 1).unwrap_or(1)
                };
            }
            ([], [d]) if *d > 0 => {
                st.year = 1;
                st.day_of_week = 0;
                st.day = u16::try_from(*d).unwrap_or(1);
            }
            _ => {}
        }
        st
    }
}

/// Which occurrence of its weekday in the month `d` is (5 = the last).
fn week_of(d: NaiveDate) -> u16 {
    let dim = days_in_month(d.year(), d.month());
    if d.day() + 7 > dim {
        5
    } else {
        u16::try_from((d.day() - 1) / 7 + 1).unwrap_or(1)
    }
}

fn days_in_month(y: i32, m: u32) -> u32 {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)
        .and_then(|n| n.pred_opt())
        .map_or(31, |d| d.day())
}

fn offset_to(c: &Component) -> Option<i32> {
    match c.property("TZOFFSETTO")?.value()? {
        Value::UtcOffset(o) => Some(o.seconds),
        _ => None,
    }
}

fn observances(vtz: &Component) -> Vec<Observance> {
    let mut v = Vec::new();
    for c in &vtz.components {
        let daylight = c.is("DAYLIGHT");
        if !daylight && !c.is("STANDARD") {
            continue;
        }
        let dtstart = match c.property("DTSTART").and_then(|p| p.value()) {
            Some(Value::DateTime(t)) => t.local,
            Some(Value::Date(d)) => d.and_time(chrono::NaiveTime::MIN),
            _ => continue,
        };
        let Some(offset_to) = offset_to(c) else {
            continue;
        };
        let rrule = c
            .property("RRULE")
            .and_then(|p| p.value())
            .and_then(|v| v.as_recur())
            .cloned();
        v.push(Observance {
            daylight,
            dtstart,
            offset_to,
            rrule,
        });
    }
    v.sort_by_key(|o| o.dtstart);
    v
}

fn minutes_west(seconds_east: i32) -> i32 {
    -(seconds_east / 60)
}

/// The blobs MS-OXCICAL makes from a VTIMEZONE: one rule per distinct
/// DTSTART year of its observances, each from the latest STANDARD and the
/// latest DAYLIGHT that still apply that year; the latest rule is the
/// effective one (and PidLidTimeZoneStruct). TZOFFSETFROM and TZNAME are
/// not used, as the specification says.
pub fn blobs_from_vtimezone(tzid: &str, vtz: &Component) -> Result<ZoneBlobs, String> {
    let obs = observances(vtz);
    if obs.is_empty() {
        return Err(format!(
            "VTIMEZONE {tzid} has no STANDARD or DAYLIGHT with DTSTART and TZOFFSETTO"
        ));
    }
    let mut years: Vec<i32> = obs.iter().map(|o| o.dtstart.year()).collect();
    years.dedup();
    if years.len() > MAX_TZ_RULES {
        years = years.split_off(years.len() - MAX_TZ_RULES);
    }
    let mut rules: Vec<(u16, ZoneBiases)> = Vec::new();
    for y in years {
        let latest = |daylight: bool| {
            obs.iter()
                .rfind(|o| o.daylight == daylight && o.dtstart.year() <= y)
        };
        let std = latest(false);
        let dst = latest(true).filter(|o| o.active_in(y));
        let biases = match (std, dst) {
            (Some(s), Some(d)) => {
                let bias = minutes_west(s.offset_to);
                ZoneBiases {
                    bias,
                    standard_bias: 0,
                    daylight_bias: minutes_west(d.offset_to) - bias,
                    standard_date: s.system_time(),
                    daylight_date: d.system_time(),
                }
            }
            (Some(only), None) | (None, Some(only)) => ZoneBiases {
                bias: minutes_west(only.offset_to),
                ..Default::default()
            },
            (None, None) => continue,
        };
        let year = u16::try_from(y.clamp(1601, 30_000)).unwrap_or(1601);
        if rules.last().is_some_and(|(_, b)| *b == biases) {
            continue;
        }
        rules.push((year, biases));
    }
    if rules.is_empty() {
        return Err(format!("VTIMEZONE {tzid} gives no rule"));
    }
    Ok(ZoneBlobs {
        key: tzid.to_owned(),
        rules,
    })
}

/// First and last year for which rules are computed from a zone that has
/// no VTIMEZONE (an IANA or Windows name); the last rule goes on.
pub const ZONE_YEARS: (i32, i32) = (1970, 2037);

/// The blobs of a zone known by name: one rule per year in
/// [`ZONE_YEARS`], from the zone's transitions, equal years merged.
pub fn blobs_from_zone(tzid: &str, zone: &TimeZone) -> ZoneBlobs {
    let mut rules: Vec<(u16, ZoneBiases)> = Vec::new();
    for y in ZONE_YEARS.0..=ZONE_YEARS.1 {
        let b = year_rule(zone, y);
        if rules.last().is_some_and(|(_, r)| *r == b) {
            continue;
        }
        rules.push((u16::try_from(y).unwrap_or(1970), b));
    }
    ZoneBlobs {
        key: tzid.to_owned(),
        rules,
    }
}

fn midnight(y: i32, m: u32, d: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

/// The Windows rule of one year of a zone: its first transition to a
/// larger offset starts daylight time, its last to a smaller one ends it.
fn year_rule(zone: &TimeZone, year: i32) -> ZoneBiases {
    let start = midnight(year, 1, 1);
    let end = midnight(year + 1, 1, 1);
    let mut t = start;
    let mut changes: Vec<(NaiveDateTime, i32, i32)> = Vec::new();
    for _ in 0..16 {
        let span = zone.span(t);
        let Some(e) = span.end else { break };
        if e >= end {
            break;
        }
        let after = zone.offset_at(e);
        if after != span.offset {
            changes.push((e, span.offset, after));
        }
        t = e.max(t + TimeDelta::seconds(60));
    }
    let st = |(at, before, _): (NaiveDateTime, i32, i32)| {
        let local = at + TimeDelta::seconds(i64::from(before));
        SystemTime {
            year: 0,
            month: u16::try_from(local.month()).unwrap_or(1),
            day_of_week: u16::try_from(local.weekday().num_days_from_sunday()).unwrap_or(0),
            day: week_of(local.date()),
            hour: u16::try_from(local.hour()).unwrap_or(0),
            minute: u16::try_from(local.minute()).unwrap_or(0),
            second: u16::try_from(local.second()).unwrap_or(0),
            milliseconds: 0,
        }
    };
    let mut up = changes.iter().copied().find(|c| c.2 > c.1);
    let down = changes.iter().copied().rev().find(|c| c.2 < c.1);
    // A year that starts in daylight time and ends it for good (São Paulo
    // 2019, Fiji 2021): daylight time from 1 January, as Windows writes
    // such years, not a year of standard time.
    if up.is_none()
        && let Some(d) = down
        && zone.offset_at(start) > d.2
        && let Some(first) = changes.first()
        && first.0 == d.0
    {
        let year_start = zone.offset_at(start);
        up = Some((start - TimeDelta::seconds(i64::from(d.2)), d.2, year_start));
    }
    match (up, down) {
        (Some(u), Some(d)) => {
            let bias = minutes_west(d.2);
            ZoneBiases {
                bias,
                standard_bias: 0,
                daylight_bias: minutes_west(u.2) - bias,
                standard_date: st(d),
                daylight_date: st(u),
            }
        }
        _ => ZoneBiases {
            bias: minutes_west(zone.offset_at(end - TimeDelta::seconds(1))),
            ..Default::default()
        },
    }
}

fn offset_prop(name: &str, seconds: i32) -> Property {
    Property::new(
        name,
        ValueType::UtcOffset,
        Value::UtcOffset(UtcOffset::from_seconds(seconds)),
    )
}

fn yearly_rule(st: &SystemTime, until: Option<NaiveDateTime>) -> Option<Recur> {
    let mut r = Recur::new(Frequency::Yearly);
    r.by_month = vec![RecurMonth {
        month: u8::try_from(st.month).ok()?,
        leap: false,
    }];
    if st.year == 0 {
        let weekday = crate::blob::tz::weekday_from_sunday0(st.day_of_week)?;
        let n: i8 = if st.day >= 5 {
            -1
        } else {
            i8::try_from(st.day.max(1)).ok()?
        };
        r.by_day = vec![WeekdayNum {
            ordinal: Some(n),
            weekday,
        }];
    } else {
        r.by_month_day = vec![i8::try_from(st.day.clamp(1, 31)).ok()?];
    }
    r.until = until.map(|u| RecurUntil::DateTime(DateTime::utc(u)));
    Some(r)
}

fn observance(
    daylight: bool,
    onset: NaiveDateTime,
    from: i32,
    to: i32,
    rule: Option<Recur>,
) -> Component {
    let mut c = Component::new(
        if daylight { "DAYLIGHT" } else { "STANDARD" },
        Dialect::ICalendar,
    );
    c.push(Property::new(
        "DTSTART",
        ValueType::DateTime,
        Value::DateTime(DateTime::floating(onset)),
    ));
    if let Some(r) = rule {
        c.push(Property::new(
            "RRULE",
            ValueType::Recur,
            Value::Recur(Box::new(r)),
        ));
    }
    c.push(offset_prop("TZOFFSETFROM", from));
    c.push(offset_prop("TZOFFSETTO", to));
    c
}

/// A VTIMEZONE for Windows rules (MS-OXCICAL 2.1.3.1.1.19, export): one
/// STANDARD and, with daylight saving, one DAYLIGHT per rule, starting in
/// 1601 like Outlook's; a later rule starts in its own year, and every rule
/// but the last ends (UNTIL) where the next begins. TZNAME is omitted.
pub fn vtimezone(tzid: &str, rules: &[(u16, ZoneBiases)]) -> Component {
    let mut vtz = Component::new("VTIMEZONE", Dialect::ICalendar);
    vtz.push(Property::text("TZID", tzid));
    let mut prev_offset: Option<i32> = None;
    for (i, (year, b)) in rules.iter().enumerate() {
        let first_year = if i == 0 { 1601 } else { i32::from(*year) };
        let next_year = rules.get(i + 1).map(|(y, _)| i32::from(*y));
        let (so, dof) = (b.standard_offset(), b.daylight_offset());
        if !b.has_dst() {
            let onset = midnight(first_year, 1, 1);
            vtz.components.push(observance(
                false,
                onset,
                prev_offset.unwrap_or(so),
                so,
                None,
            ));
            prev_offset = Some(so);
            continue;
        }
        // The last onset before the next rule starts, in UTC.
        let until = |st: &SystemTime, before: i32| {
            next_year.and_then(|ny| {
                (first_year..ny)
                    .rev()
                    .find_map(|y| st.in_year(y))
                    .map(|l| l - TimeDelta::seconds(i64::from(before)))
            })
        };
        for (daylight, st, from, to) in [
            (false, &b.standard_date, dof, so),
            (true, &b.daylight_date, so, dof),
        ] {
            let Some(onset) = st.in_year(first_year) else {
                continue;
            };
            let u = until(st, from);
            if next_year.is_some()
                && u.is_none_or(|u| u < onset - TimeDelta::seconds(i64::from(from)))
            {
                continue;
            }
            vtz.components
                .push(observance(daylight, onset, from, to, yearly_rule(st, u)));
        }
        prev_offset = Some(so);
    }
    vtz
}

/// The first day of the week Windows uses for a weekday name.
pub fn sunday0(w: Weekday) -> u16 {
    u16::try_from(w.num_days_from_sunday()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blob::to_hex;
    use oxpim_contentline::Parser;
    use oxpim_recur::{TimeZone, VTimeZone};
    use std::sync::Arc;

    const PACIFIC: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:Pacific Time (US & Canada)\r\nBEGIN:STANDARD\r\nDTSTART:16011104T020000\r\nRRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11\r\nTZOFFSETFROM:-0700\r\nTZOFFSETTO:-0800\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010311T020000\r\nRRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3\r\nTZOFFSETFROM:-0800\r\nTZOFFSETTO:-0700\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n";

    fn vtz(text: &str) -> Component {
        Parser::new().parse(text.as_bytes()).document.components[0].components[0].clone()
    }

    #[test]
    fn spec_vtimezone_gives_spec_blobs() {
        // MS-OXCICAL §3.4 and MS-OXOCAL 4.1.5.
        let b = blobs_from_vtimezone("Pacific Time (US & Canada)", &vtz(PACIFIC)).unwrap();
        assert_eq!(
            to_hex(&b.tz_struct().encode()),
            "E001000000000000C4FFFFFF000000000B00000001000200000000000000000000000300000002000200000000000000"
        );
        assert_eq!(
            to_hex(&b.definition(true).encode()),
            "02013A0002001A0050006100630069006600690063002000540069006D0065002000280055005300200026002000430061006E006100640061002900010002013E00030041060000000000000000000000000000E001000000000000C4FFFFFF00000B0000000100020000000000000000000300000002000200000000000000"
        );
        let display = to_hex(&b.definition(false).encode());
        assert!(display.contains("02013E0002004106"), "{display}");
    }

    #[test]
    fn exported_vtimezone_agrees_with_the_blob_zone() {
        let b = blobs_from_vtimezone("Pacific Time (US & Canada)", &vtz(PACIFIC)).unwrap();
        let c = vtimezone(&b.key, &b.rules);
        let text = String::from_utf8(oxpim_contentline::write_component(
            &c,
            &oxpim_contentline::WriteOptions::canonical(),
        ))
        .unwrap();
        assert!(text.contains("DTSTART:16011104T020000\r\nRRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11\r\nTZOFFSETFROM:-0700\r\nTZOFFSETTO:-0800"), "{text}");
        // Reading it back gives the same blobs.
        assert_eq!(blobs_from_vtimezone(&b.key, &c).unwrap(), b);
    }

    #[test]
    fn iana_zone_rules_by_year() {
        let ny = TimeZone::Iana(chrono_tz::America::New_York);
        let b = blobs_from_zone("America/New_York", &ny);
        let last = b.rules.last().unwrap();
        assert_eq!(last.0, 2007);
        assert_eq!(last.1.bias, 300);
        assert_eq!(last.1.daylight_bias, -60);
        assert_eq!(
            (last.1.daylight_date.month, last.1.daylight_date.day),
            (3, 2)
        );
        assert_eq!(
            (last.1.standard_date.month, last.1.standard_date.day),
            (11, 1)
        );
        assert_eq!(last.1.standard_date.hour, 2);
        let before = b.rules.iter().rev().nth(1).unwrap();
        assert_eq!(
            (before.1.daylight_date.month, before.1.daylight_date.day),
            (4, 1)
        );
        assert_eq!(
            (before.1.standard_date.month, before.1.standard_date.day),
            (10, 5)
        );
        // The blob zone and the IANA zone agree from 1990 on.
        let wz = TimeZone::Rules(Arc::new(crate::blob::tz::WindowsZone::from_definition(
            &b.definition(true),
        )));
        let mut t = midnight(1990, 1, 1);
        while t < midnight(2037, 1, 1) {
            assert_eq!(wz.offset_at(t), ny.offset_at(t), "{t}");
            t += TimeDelta::hours(7 * 24 + 5);
        }
        // The generated VTIMEZONE says the same.
        let c = vtimezone(&b.key, &b.rules);
        let (v, _) = VTimeZone::from_component(&c).unwrap();
        let vz = TimeZone::Rules(Arc::new(v));
        let mut t = midnight(1990, 1, 1);
        while t < midnight(2037, 1, 1) {
            assert_eq!(vz.offset_at(t), ny.offset_at(t), "{t}");
            t += TimeDelta::hours(7 * 24 + 5);
        }
    }

    #[test]
    fn a_year_that_starts_in_daylight_time_and_ends_it_for_good() {
        // São Paulo kept daylight time from November 2018 to 17 February
        // 2019 and then abolished it; Fiji the same to 17 January 2021.
        // The year's rule was "standard time all year", an hour off until
        // the last transition.
        for (name, zone, year) in [
            (
                "America/Sao_Paulo",
                TimeZone::Iana(chrono_tz::America::Sao_Paulo),
                2019,
            ),
            (
                "Pacific/Fiji",
                TimeZone::Iana(chrono_tz::Pacific::Fiji),
                2021,
            ),
        ] {
            let b = blobs_from_zone(name, &zone);
            let rule = b
                .rules
                .iter()
                .rev()
                .find(|(y, _)| i32::from(*y) <= year)
                .unwrap()
                .1;
            assert!(rule.has_dst(), "{name}");
            assert_eq!(
                (rule.daylight_date.month, rule.daylight_date.day),
                (1, 1),
                "{name}"
            );
            let wz = TimeZone::Rules(Arc::new(crate::blob::tz::WindowsZone::from_definition(
                &b.definition(true),
            )));
            let vz = TimeZone::Rules(Arc::new(
                VTimeZone::from_component(&vtimezone(&b.key, &b.rules))
                    .unwrap()
                    .0,
            ));
            // Every week of the year but its first hours agrees.
            let mut t = midnight(year, 1, 2);
            while t < midnight(year + 1, 1, 1) {
                assert_eq!(wz.offset_at(t), zone.offset_at(t), "{name} {t}");
                assert_eq!(vz.offset_at(t), zone.offset_at(t), "{name} {t}");
                t += TimeDelta::hours(7 * 24 + 5);
            }
        }
    }

    #[test]
    fn southern_and_fixed_zones() {
        let syd = TimeZone::Iana(chrono_tz::Australia::Sydney);
        let b = blobs_from_zone("Australia/Sydney", &syd);
        let last = b.rules.last().unwrap().1;
        assert_eq!(last.bias, -600);
        assert_eq!((last.standard_date.month, last.standard_date.day), (4, 1));
        assert_eq!((last.daylight_date.month, last.daylight_date.day), (10, 1));
        let tokyo = blobs_from_zone("Asia/Tokyo", &TimeZone::Iana(chrono_tz::Asia::Tokyo));
        assert_eq!(tokyo.rules.len(), 1);
        assert_eq!(tokyo.rules[0].1.bias, -540);
        assert!(!tokyo.rules[0].1.has_dst());
        let c = vtimezone("Asia/Tokyo", &tokyo.rules);
        assert_eq!(c.components.len(), 1);
    }

    #[test]
    fn vtimezone_without_rrule_and_with_history() {
        // A DAYLIGHT that ended: later years have no daylight time.
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:X\r\nBEGIN:DAYLIGHT\r\nDTSTART:20100328T020000\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0400\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nDTSTART:20101031T030000\r\nTZOFFSETFROM:+0400\r\nTZOFFSETTO:+0300\r\nEND:STANDARD\r\nBEGIN:STANDARD\r\nDTSTART:20110327T020000\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0400\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n";
        let b = blobs_from_vtimezone("X", &vtz(text)).unwrap();
        assert_eq!(b.rules.len(), 2);
        assert_eq!(b.rules[0].0, 2010);
        assert_eq!(
            (
                b.rules[0].1.daylight_date.month,
                b.rules[0].1.daylight_date.day
            ),
            (3, 5)
        );
        assert_eq!(
            b.rules[1],
            (
                2011,
                ZoneBiases {
                    bias: -240,
                    ..Default::default()
                }
            )
        );
        assert!(
            blobs_from_vtimezone("E", &Component::new("VTIMEZONE", Dialect::ICalendar)).is_err()
        );
    }
}
