//! vCalendar 1.0: its recurrence grammar, its alarms, and conversion of a
//! whole vCalendar object to iCalendar 2.0.
//!
//! Recurrence grammar (vCalendar 1.0 §3.8): `D<n>`, `W<n> <days>`,
//! `MP<n> <occurrence> <days>…`, `MD<n> <day numbers>`, `YM<n> <months>`,
//! `YD<n> <day numbers>`, each followed by `#<count>` (`#0` = for ever) or
//! an end date-time. Daily and weekly rules may list times (`D1 0800 1600`).

use crate::TimeZone;
use chrono::NaiveDate;
use oxpim_contentline::value::recur::parse_weekday;
use oxpim_contentline::value::time::{parse_date_time, parse_duration, parse_utc_offset};
use oxpim_contentline::value::{DateTime, Frequency, Recur, RecurMonth, RecurUntil, WeekdayNum};
use oxpim_contentline::{
    Code, Component, Diagnostic, Dialect, Param, Property, Severity, Value, ValueType, Zone,
};

fn token_kind(t: &str) -> Option<(Frequency, &'static str, &str)> {
    for (prefix, freq) in [
        ("MP", Frequency::Monthly),
        ("MD", Frequency::Monthly),
        ("YM", Frequency::Yearly),
        ("YD", Frequency::Yearly),
        ("D", Frequency::Daily),
        ("W", Frequency::Weekly),
    ] {
        if let Some(rest) = t.strip_prefix(prefix)
            && !rest.is_empty()
            && rest.bytes().all(|b| b.is_ascii_digit())
        {
            let tag: &'static str = match prefix {
                "MP" => "MP",
                "MD" => "MD",
                "YM" => "YM",
                "YD" => "YD",
                "D" => "D",
                _ => "W",
            };
            return Some((freq, tag, rest));
        }
    }
    None
}

/// Reads `3+`, `2-`, `1` (occurrence or day number with an optional
/// trailing sign): at most four digits, so no arithmetic can overflow.
fn signed_number(t: &str) -> Option<i32> {
    let (digits, negative) = if let Some(n) = t.strip_suffix('+') {
        (n, false)
    } else if let Some(n) = t.strip_suffix('-') {
        (n, true)
    } else {
        (t, false)
    };
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i32 = digits.parse().ok()?;
    Some(if negative { -v } else { v })
}

/// Converts a vCalendar 1.0 rule to a RECUR value. Notes list what could
/// not be carried over.
pub fn parse_vcal_rule(s: &str) -> Result<(Recur, Vec<String>), String> {
    let mut notes = Vec::new();
    let mut tokens = s.split_whitespace();
    let first = tokens.next().ok_or("empty rule")?;
    let first_up = first.to_ascii_uppercase();
    let (freq, tag, interval) = token_kind(&first_up)
        .ok_or_else(|| format!("'{first}' does not start a vCalendar rule"))?;
    let mut r = Recur::new(freq);
    let interval: u32 = interval
        .parse()
        .map_err(|_| format!("bad interval in '{first}'"))?;
    if interval == 0 {
        return Err("interval 0".into());
    }
    r.interval = Some(interval).filter(|i| *i != 1);
    // MP: an occurrence list applies to the weekday list that follows it.
    let mut pending_ord: Vec<i32> = Vec::new();
    let mut after_weekday = false;
    let mut times: Vec<(u8, u8)> = Vec::new();
    let mut ended = false;
    for tok in tokens {
        let up = tok.to_ascii_uppercase();
        if ended {
            notes.push(format!("'{tok}' after the end of the rule was ignored (nested vCalendar rules are not supported)"));
            continue;
        }
        if let Some(n) = up.strip_prefix('#') {
            let n: u32 = n.parse().map_err(|_| format!("bad count '{tok}'"))?;
            if n > 0 {
                r.count = Some(n);
            }
            ended = true;
            continue;
        }
        if up.len() >= 15 && up.as_bytes().get(8) == Some(&b'T') {
            let (dt, _) = parse_date_time(up.as_bytes(), None)
                .ok_or_else(|| format!("bad end date '{tok}'"))?;
            r.until = Some(RecurUntil::DateTime(dt));
            ended = true;
            continue;
        }
        if up.len() == 8
            && up.bytes().all(|b| b.is_ascii_digit())
            && let Some(d) = NaiveDate::parse_from_str(&up, "%Y%m%d").ok()
        {
            r.until = Some(RecurUntil::Date(d));
            ended = true;
            continue;
        }
        if token_kind(&up).is_some() {
            notes.push(format!(
                "a second rule '{tok}' in one RRULE is not supported; only the first was read"
            ));
            ended = true;
            continue;
        }
        match tag {
            "D" | "W" if up.len() == 4 && up.bytes().all(|b| b.is_ascii_digit()) => {
                let h: u8 = up.get(..2).and_then(|x| x.parse().ok()).ok_or("bad time")?;
                let m: u8 = up.get(2..).and_then(|x| x.parse().ok()).ok_or("bad time")?;
                if h > 23 || m > 59 {
                    return Err(format!("bad time '{tok}'"));
                }
                times.push((h, m));
            }
            "W" | "MP" if parse_weekday(up.trim_end_matches('$')).is_some() => {
                let weekday = parse_weekday(up.trim_end_matches('$')).ok_or("bad weekday")?;
                if tag == "MP" && !pending_ord.is_empty() {
                    for &o in &pending_ord {
                        r.by_day.push(WeekdayNum {
                            ordinal: i8::try_from(o).ok(),
                            weekday,
                        });
                    }
                } else {
                    r.by_day.push(WeekdayNum {
                        ordinal: None,
                        weekday,
                    });
                }
                after_weekday = true;
            }
            "MP" => {
                let n = signed_number(&up).ok_or_else(|| format!("bad occurrence '{tok}'"))?;
                if n == 0 || n.abs() > 5 {
                    return Err(format!("occurrence '{tok}' out of range"));
                }
                if after_weekday {
                    pending_ord.clear();
                    after_weekday = false;
                }
                pending_ord.push(n);
            }
            "MD" => {
                let n = if up == "LD" {
                    -1
                } else {
                    signed_number(&up).ok_or_else(|| format!("bad day '{tok}'"))?
                };
                if n == 0 || n.abs() > 31 {
                    return Err(format!("day '{tok}' out of range"));
                }
                r.by_month_day
                    .push(i8::try_from(n).map_err(|_| "day out of range")?);
            }
            "YD" => {
                let n = signed_number(&up).ok_or_else(|| format!("bad day '{tok}'"))?;
                if n == 0 || n.abs() > 366 {
                    return Err(format!("day '{tok}' out of range"));
                }
                r.by_year_day
                    .push(i16::try_from(n).map_err(|_| "day out of range")?);
            }
            "YM" => {
                let m: u8 = up.parse().map_err(|_| format!("bad month '{tok}'"))?;
                if !(1..=12).contains(&m) {
                    return Err(format!("month '{tok}' out of range"));
                }
                r.by_month.push(RecurMonth {
                    month: m,
                    leap: false,
                });
            }
            _ => return Err(format!("unexpected '{tok}'")),
        }
    }
    if !pending_ord.is_empty() && r.by_day.is_empty() {
        return Err("an occurrence without a weekday".into());
    }
    if !times.is_empty() {
        let minutes: Vec<u8> = times.iter().map(|t| t.1).collect();
        if minutes.iter().all(|m| Some(m) == minutes.first()) {
            r.by_hour = times.iter().map(|t| t.0).collect();
            r.by_minute = minutes.into_iter().take(1).collect();
        } else {
            notes.push(
                "times with different minutes cannot be one RRULE; the times were ignored".into(),
            );
        }
    }
    if r.count.is_none() && r.until.is_none() && !ended {
        // vCalendar's default duration is #2.
        r.count = Some(2);
        notes.push("no duration given: vCalendar's default of two occurrences (#2) applies".into());
    }
    Ok((r, notes))
}

fn diag(line: u32, message: String) -> Diagnostic {
    Diagnostic {
        line,
        column: 1,
        severity: Severity::Warning,
        code: Code::Recurrence,
        message,
    }
}

fn text_prop(name: &str, value: &str) -> Property {
    Property::text(name, value)
}

/// The structured components of an alarm value, as text.
fn alarm_parts(p: &Property) -> Vec<String> {
    match p.value() {
        Some(Value::Structured(parts)) => parts
            .iter()
            .map(|c| c.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(","))
            .collect(),
        Some(v) => v
            .as_str()
            .map(|s| s.split(';').map(str::to_string).collect())
            .unwrap_or_default(),
        None => Vec::new(),
    }
}

/// A floating `dt` as UTC, read in the calendar's TZ/DAYLIGHT `zone` when
/// it has one (a time with a zone, or without a TZ, is left as it is).
fn to_utc_in(dt: &mut DateTime, zone: Option<&TimeZone>) {
    if dt.zone == Zone::Floating
        && let Some(z) = zone
    {
        *dt = DateTime::utc(z.to_utc(dt.local));
    }
}

/// A VALARM from an AALARM, DALARM, PALARM or MALARM property. A local
/// run time is in the calendar's TZ/DAYLIGHT `zone` when it has one, and
/// the TRIGGER is then UTC (RFC 5545 §3.8.6.3: an absolute trigger MUST
/// be); without TZ it stays floating, as the event's times do.
fn alarm(p: &Property, summary: Option<&str>, zone: Option<&TimeZone>) -> Option<Component> {
    let parts = alarm_parts(p);
    let get = |i: usize| parts.get(i).map(|s| s.trim()).filter(|s| !s.is_empty());
    let run = get(0)?;
    let (mut when, _) = parse_date_time(run.as_bytes(), None)?;
    to_utc_in(&mut when, zone);
    let mut a = Component::new("VALARM", Dialect::ICalendar);
    a.set_line(p.line());
    let action = match p.name() {
        "AALARM" => "AUDIO",
        "DALARM" => "DISPLAY",
        "PALARM" => "PROCEDURE",
        _ => "EMAIL",
    };
    a.push(text_prop("ACTION", action));
    let mut trig = Property::new("TRIGGER", ValueType::DateTime, Value::DateTime(when));
    trig.params_mut().set("VALUE", "DATE-TIME");
    a.push(trig);
    if let Some((d, _)) = get(1).and_then(|s| parse_duration(s.as_bytes())) {
        a.push(Property::new(
            "DURATION",
            ValueType::Duration,
            Value::Duration(d),
        ));
    }
    if let Some(n) = get(2).and_then(|s| s.parse::<i64>().ok())
        && n > 0
    {
        a.push(Property::new(
            "REPEAT",
            ValueType::Integer,
            Value::Integer(n),
        ));
    }
    match action {
        "AUDIO" | "PROCEDURE" => {
            if let Some(content) = get(3) {
                a.push(Property::new(
                    "ATTACH",
                    ValueType::Uri,
                    Value::Uri(content.into()),
                ));
            }
        }
        "DISPLAY" => {
            a.push(text_prop(
                "DESCRIPTION",
                get(3).or(summary).unwrap_or("Reminder"),
            ));
        }
        _ => {
            if let Some(addr) = get(3) {
                let addr = if addr.to_ascii_lowercase().starts_with("mailto:") {
                    addr.to_string()
                } else {
                    format!("mailto:{addr}")
                };
                a.push(Property::new(
                    "ATTENDEE",
                    ValueType::CalAddress,
                    Value::CalAddress(addr.into()),
                ));
            }
            a.push(text_prop("SUMMARY", summary.unwrap_or("Reminder")));
            a.push(text_prop(
                "DESCRIPTION",
                get(4).or(summary).unwrap_or("Reminder"),
            ));
        }
    }
    Some(a)
}

fn status_for(component: &str, s: &str) -> String {
    let up = s.trim().to_ascii_uppercase().replace(' ', "-");
    match (component, up.as_str()) {
        ("VEVENT", "NEEDS-ACTION" | "SENT") => "TENTATIVE".into(),
        ("VEVENT", "DECLINED") => "CANCELLED".into(),
        ("VEVENT", "ACCEPTED") => "CONFIRMED".into(),
        ("VTODO", "ACCEPTED" | "SENT") => "NEEDS-ACTION".into(),
        ("VTODO", "DECLINED") => "CANCELLED".into(),
        _ => up,
    }
}

/// A vCalendar address as an iCalendar CAL-ADDRESS, and the display name
/// it carried: vCalendar 1.0 writes an attendee as an address
/// (`john@example.com`) or an RFC 822 name-addr (`John <john@example.com>`,
/// the form of its own example); a bare address gets `mailto:`.
fn cal_address(text: &str) -> (String, Option<String>) {
    let text = text.trim();
    let (name, addr) = match text.strip_suffix('>').and_then(|t| t.rsplit_once('<')) {
        Some((name, addr)) => {
            let name = name.trim().trim_matches('"').trim();
            ((!name.is_empty()).then(|| name.to_owned()), addr.trim())
        }
        None => (None, text),
    };
    let addr = if addr.contains(':') || !addr.contains('@') {
        addr.to_owned()
    } else {
        format!("mailto:{addr}")
    };
    (addr, name)
}

/// The ORGANIZER of the first vCalendar attendee with ROLE=ORGANIZER in
/// `c` (its vCalendar properties), at that attendee's line.
fn organizer_attendee(c: &Component) -> Option<Property> {
    let a = c.properties_named("ATTENDEE").find(|a| {
        a.param("ROLE")
            .is_some_and(|r| r.trim().eq_ignore_ascii_case("ORGANIZER"))
    })?;
    let made = attendee(a);
    let mut org = Property::new("ORGANIZER", ValueType::CalAddress, made.value()?.clone());
    if let Some(cn) = made.param("CN") {
        org.params_mut().set("CN", cn);
    }
    org.set_line(a.line());
    Some(org)
}

/// Converts a vCalendar 1.0 attendee to an iCalendar one.
fn attendee(p: &Property) -> Property {
    let (addr, name) = cal_address(p.as_text().unwrap_or(""));
    let mut a = Property::new(
        "ATTENDEE",
        ValueType::CalAddress,
        Value::CalAddress(addr.into()),
    );
    if let Some(name) = name
        && p.param("CN").is_none()
    {
        a.params_mut().set("CN", name);
    }
    for (name, param) in p.params().iter() {
        match name {
            "STATUS" => {
                let v = param
                    .first()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_uppercase()
                    .replace(' ', "-");
                let v = match v.as_str() {
                    "CONFIRMED" => "ACCEPTED".to_string(),
                    "SENT" => "NEEDS-ACTION".to_string(),
                    other => other.to_string(),
                };
                a.params_mut().set("PARTSTAT", v);
            }
            "RSVP" => {
                let yes = param.first().is_some_and(|v| {
                    v.eq_ignore_ascii_case("YES") || v.eq_ignore_ascii_case("TRUE")
                });
                a.params_mut()
                    .set("RSVP", if yes { "TRUE" } else { "FALSE" });
            }
            "ROLE" => {
                let v = param.first().unwrap_or("").to_ascii_uppercase();
                let v = match v.as_str() {
                    "ORGANIZER" | "OWNER" => "CHAIR",
                    "ATTENDEE" => "REQ-PARTICIPANT",
                    "DELEGATE" => "REQ-PARTICIPANT",
                    _ => "REQ-PARTICIPANT",
                };
                a.params_mut().set("ROLE", v);
            }
            "EXPECT" => {
                let v = param.first().unwrap_or("").to_ascii_uppercase();
                let v = match v.as_str() {
                    "FYI" => "NON-PARTICIPANT",
                    "REQUEST" => "OPT-PARTICIPANT",
                    _ => "REQ-PARTICIPANT",
                };
                a.params_mut().set("ROLE", v);
            }
            "ENCODING" | "CHARSET" | "VALUE" => {}
            other => {
                a.params_mut().insert(
                    other,
                    Param {
                        values: param.values.clone(),
                        bare: false,
                    },
                );
            }
        }
    }
    a
}

/// vCalendar's TZ and DAYLIGHT as a VTIMEZONE, when floating times need it.
/// The VTIMEZONE that TZ and DAYLIGHT describe, with the lines of the
/// DAYLIGHT properties it used and diagnostics for those it could not.
fn vtimezone(cal: &Component, diags: &mut Vec<Diagnostic>) -> Option<(Component, Vec<u32>)> {
    let std_offset = match cal.property("TZ")?.value()? {
        Value::UtcOffset(o) => o.seconds,
        v => parse_utc_offset(v.as_str()?.trim().as_bytes())?.0.seconds,
    };
    let mut tz = Component::new("VTIMEZONE", Dialect::ICalendar);
    tz.push(text_prop("TZID", "vCalendar-TZ"));
    let mut std = Component::new("STANDARD", Dialect::ICalendar);
    let off = |s: i32| Value::UtcOffset(oxpim_contentline::UtcOffset::from_seconds(s));
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?.and_hms_opt(0, 0, 0)?;
    std.push(Property::new(
        "DTSTART",
        ValueType::DateTime,
        Value::DateTime(DateTime::floating(epoch)),
    ));
    std.push(Property::new(
        "TZOFFSETFROM",
        ValueType::UtcOffset,
        off(std_offset),
    ));
    std.push(Property::new(
        "TZOFFSETTO",
        ValueType::UtcOffset,
        off(std_offset),
    ));
    let mut std_rdates = Vec::new();
    let mut used = Vec::new();
    for d in cal.properties_named("DAYLIGHT") {
        let parts = alarm_parts(d);
        if !parts
            .first()
            .is_some_and(|s| s.trim().eq_ignore_ascii_case("TRUE"))
        {
            // DAYLIGHT:FALSE: no daylight saving; nothing to convert.
            used.push(d.line());
            continue;
        }
        let dst = parts.get(1).and_then(|s| {
            parse_utc_offset(s.trim().as_bytes())
                .or_else(|| parse_utc_offset(format!("{}00", s.trim()).as_bytes()))
        });
        let start = parts
            .get(2)
            .and_then(|s| parse_date_time(s.trim().as_bytes(), None));
        let end = parts
            .get(3)
            .and_then(|s| parse_date_time(s.trim().as_bytes(), None));
        let (Some((dst, _)), Some((start, _)), Some((end, _))) = (dst, start, end) else {
            diags.push(diag(
                d.line(),
                "DAYLIGHT needs an offset and the start and end of daylight time; kept as X-VCAL-DAYLIGHT".into(),
            ));
            continue;
        };
        used.push(d.line());
        // vCalendar writes the switch times in local time, or in UTC with Z:
        // the start is then read with the standard offset, the end with the
        // daylight one.
        let start = if start.zone == Zone::Utc {
            DateTime::floating(add_offset(start.local, std_offset))
        } else {
            start
        };
        let end = if end.zone == Zone::Utc {
            DateTime::floating(add_offset(end.local, dst.seconds))
        } else {
            end
        };
        let mut day = Component::new("DAYLIGHT", Dialect::ICalendar);
        day.push(Property::new(
            "DTSTART",
            ValueType::DateTime,
            Value::DateTime(DateTime::floating(start.local)),
        ));
        day.push(Property::new(
            "TZOFFSETFROM",
            ValueType::UtcOffset,
            off(std_offset),
        ));
        day.push(Property::new(
            "TZOFFSETTO",
            ValueType::UtcOffset,
            off(dst.seconds),
        ));
        if let Some(name) = parts.get(5).filter(|s| !s.trim().is_empty()) {
            day.push(text_prop("TZNAME", name.trim()));
        }
        tz.components.push(day);
        std_rdates.push((end.local, dst.seconds));
    }
    for (end, dst) in std_rdates {
        let mut back = Component::new("STANDARD", Dialect::ICalendar);
        back.push(Property::new(
            "DTSTART",
            ValueType::DateTime,
            Value::DateTime(DateTime::floating(end)),
        ));
        back.push(Property::new(
            "TZOFFSETFROM",
            ValueType::UtcOffset,
            off(dst),
        ));
        back.push(Property::new(
            "TZOFFSETTO",
            ValueType::UtcOffset,
            off(std_offset),
        ));
        tz.components.push(back);
    }
    tz.components.insert(0, std);
    Some((tz, used))
}

fn add_offset(t: chrono::NaiveDateTime, secs: i32) -> chrono::NaiveDateTime {
    chrono::TimeDelta::try_seconds(i64::from(secs))
        .and_then(|d| t.checked_add_signed(d))
        .unwrap_or(t)
}

/// Puts floating DATE-TIME values in `tzid`.
fn zone_floating(p: &mut Property, tzid: &str) {
    let floating = p
        .values()
        .as_slice()
        .iter()
        .any(|v| matches!(v, Value::DateTime(dt) if dt.zone == Zone::Floating));
    if !floating {
        return;
    }
    for v in p.values_mut().as_mut_slice() {
        if let Value::DateTime(dt) = v
            && dt.zone == Zone::Floating
        {
            dt.zone = Zone::Tzid(tzid.into());
        }
    }
    p.params_mut().set("TZID", tzid);
}

/// Converts a vCalendar 1.0 VCALENDAR to iCalendar 2.0: recurrence rules,
/// alarms, attendees, statuses, `TRANSP`, `DCREATED`, and TZ/DAYLIGHT
/// (as a VTIMEZONE for floating times). Diagnostics report what could not
/// be converted (kept as X- properties, never dropped).
pub fn to_icalendar(cal: &Component) -> (Component, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut out = cal.clone();
    out.forget_source();
    out.set_dialect(Dialect::ICalendar);
    let (tz, used) = match vtimezone(cal, &mut diags) {
        Some((tz, used)) => (Some(tz), used),
        None => (None, Vec::new()),
    };
    let tzid = tz.as_ref().map(|_| "vCalendar-TZ");
    let zone = tz
        .as_ref()
        .and_then(|c| crate::VTimeZone::from_component(c).ok())
        .map(|(v, _)| TimeZone::Rules(std::sync::Arc::new(v)));
    let mut props = Vec::new();
    for p in std::mem::take(&mut out.properties) {
        match p.name() {
            "VERSION" => props.push(text_prop("VERSION", "2.0")),
            "TZ" if tz.is_some() => {}
            "DAYLIGHT" if tz.is_some() && used.contains(&p.line()) => {}
            "DAYLIGHT" if tz.is_some() => {
                let v = p.values().clone();
                let mut x = Property::new(
                    "X-VCAL-DAYLIGHT",
                    ValueType::Unknown,
                    Value::Unknown(String::new().into()),
                );
                x.set_values(p.value_type().clone(), v);
                props.push(x);
            }
            _ => props.push(p),
        }
    }
    out.properties = props;
    for c in &mut out.components {
        let cname = c.name().to_string();
        let summary = c.text("SUMMARY").map(str::to_string);
        let mut props = Vec::new();
        let mut alarms = Vec::new();
        let organizer = organizer_attendee(c);
        for mut p in std::mem::take(&mut c.properties) {
            let line = p.line();
            // What this line becomes names its line (for diagnostics).
            let made_from = props.len();
            match p.name() {
                "RRULE" | "EXRULE" => {
                    let text = p.as_text().unwrap_or("").to_string();
                    match parse_vcal_rule(&text) {
                        Ok((r, notes)) => {
                            for n in notes {
                                diags.push(diag(line, format!("vCalendar rule '{text}': {n}")));
                            }
                            props.push(Property::new(
                                p.name(),
                                ValueType::Recur,
                                Value::Recur(Box::new(r)),
                            ));
                        }
                        Err(e) => {
                            diags.push(diag(line, format!("vCalendar rule '{text}' cannot be converted ({e}); kept as X-VCAL-{}", p.name())));
                            props.push(Property::new(
                                &format!("X-VCAL-{}", p.name()),
                                ValueType::Unknown,
                                Value::Unknown(text.into()),
                            ));
                        }
                    }
                }
                "AALARM" | "DALARM" | "PALARM" | "MALARM" => {
                    match alarm(&p, summary.as_deref(), zone.as_ref()) {
                        Some(a) => alarms.push(a),
                        None => {
                            diags.push(diag(
                                line,
                                format!(
                                    "{} has no usable run time; kept as X-VCAL-{}",
                                    p.name(),
                                    p.name()
                                ),
                            ));
                            let v = p.values().clone();
                            let mut x = Property::new(
                                &format!("X-VCAL-{}", p.name()),
                                ValueType::Unknown,
                                Value::Unknown(String::new().into()),
                            );
                            x.set_values(ValueType::Unknown, v);
                            props.push(x);
                        }
                    }
                }
                "DCREATED" => {
                    let mut v = p.values().clone();
                    // CREATED is UTC (RFC 5545 §3.8.7.1): a local time is
                    // in the calendar's zone, as the alarms' are.
                    for x in v.as_mut_slice() {
                        if let Value::DateTime(dt) = x {
                            to_utc_in(dt, zone.as_ref());
                        }
                    }
                    let mut created = Property::new(
                        "CREATED",
                        ValueType::DateTime,
                        Value::Unknown(String::new().into()),
                    );
                    created.set_values(p.value_type().clone(), v);
                    props.push(created);
                }
                "X-ORGANIZER" => {
                    let (addr, name) = cal_address(p.as_text().unwrap_or(""));
                    let mut o = Property::new(
                        "ORGANIZER",
                        ValueType::CalAddress,
                        Value::CalAddress(addr.into()),
                    );
                    if let Some(name) = name {
                        o.params_mut().set("CN", name);
                    }
                    props.push(o);
                }
                "ATTENDEE" => props.push(attendee(&p)),
                "TRANSP" => {
                    let opaque = matches!(p.value(), Some(Value::Integer(0)))
                        || p.as_text()
                            .is_some_and(|t| t.trim() == "0" || t.eq_ignore_ascii_case("OPAQUE"));
                    props.push(text_prop(
                        "TRANSP",
                        if opaque { "OPAQUE" } else { "TRANSPARENT" },
                    ));
                }
                "STATUS" => {
                    let s = status_for(&cname, p.as_text().unwrap_or(""));
                    props.push(text_prop("STATUS", &s));
                }
                "RNUM" => {}
                _ => {
                    if let Some(t) = tzid {
                        zone_floating(&mut p, t);
                    }
                    p.forget_source();
                    props.push(p);
                }
            }
            for made in props.iter_mut().skip(made_from) {
                made.set_line(line);
            }
        }
        // vCalendar names the organizer with ATTENDEE;ROLE=ORGANIZER (a
        // role iCalendar does not have): without an X-ORGANIZER, that
        // attendee is the ORGANIZER too.
        if !props.iter().any(|p| p.is("ORGANIZER"))
            && let Some(org) = organizer
        {
            props.push(org);
        }
        c.properties = props;
        c.components.extend(alarms);
    }
    if let Some(tz) = tz {
        out.components.insert(0, tz);
    }
    (out, diags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxpim_contentline::value::recur::format_recur;

    fn conv(s: &str) -> String {
        let (r, _) = parse_vcal_rule(s).unwrap();
        let mut out = String::new();
        format_recur(&mut out, &r);
        out
    }

    #[test]
    fn grammar_from_the_issue() {
        assert_eq!(conv("D1 #10"), "FREQ=DAILY;COUNT=10");
        assert_eq!(conv("W2 MO WE #0"), "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE");
        assert_eq!(
            conv("MD1 1 15 20001231T000000"),
            "FREQ=MONTHLY;UNTIL=20001231T000000;BYMONTHDAY=1,15"
        );
        assert_eq!(conv("MP1 1+ MO"), "FREQ=MONTHLY;COUNT=2;BYDAY=1MO");
        assert_eq!(conv("YM1 6 7 #5"), "FREQ=YEARLY;COUNT=5;BYMONTH=6,7");
        assert_eq!(conv("YD1 100"), "FREQ=YEARLY;COUNT=2;BYYEARDAY=100");
    }

    #[test]
    fn korganizer_rules() {
        assert_eq!(
            conv("MP3 2- FR #17"),
            "FREQ=MONTHLY;COUNT=17;INTERVAL=3;BYDAY=-2FR"
        );
        assert_eq!(
            conv("MD3 20 20060630T000000"),
            "FREQ=MONTHLY;UNTIL=20060630T000000;INTERVAL=3;BYMONTHDAY=20"
        );
        assert_eq!(
            conv("MP3 1- TH 20061231T000000"),
            "FREQ=MONTHLY;UNTIL=20061231T000000;INTERVAL=3;BYDAY=-1TH"
        );
        assert_eq!(conv("MD1 LD #3"), "FREQ=MONTHLY;COUNT=3;BYMONTHDAY=-1");
        assert_eq!(
            conv("MP1 1+ 3+ MO TU #4"),
            "FREQ=MONTHLY;COUNT=4;BYDAY=1MO,3MO,1TU,3TU"
        );
        assert_eq!(
            conv("D1 0800 1600 #4"),
            "FREQ=DAILY;COUNT=4;BYMINUTE=0;BYHOUR=8,16"
        );
    }

    #[test]
    fn name_addr_attendees_and_organizers() {
        let text = "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VEVENT\r\nDTSTART:20240301T090000Z\r\nX-ORGANIZER:\"Doe, Jane\" <jane@example.com>\r\nATTENDEE;ROLE=OWNER;STATUS=CONFIRMED:John <john@example.com>\r\nATTENDEE;CN=Mary M:Mary <mary@example.com>\r\nATTENDEE:<bob@example.com>\r\nATTENDEE:ann@example.com\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART:20240301T090000Z\r\nATTENDEE;ROLE=ORGANIZER:Olga <olga@example.com>\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let doc = oxpim_contentline::parse(text.as_bytes()).document;
        let (cal, _) = to_icalendar(&doc.components[0]);
        let ev = &cal.components[0];
        let shown: Vec<(String, Option<String>)> = ev
            .properties_named("ATTENDEE")
            .chain(ev.properties_named("ORGANIZER"))
            .map(|p| {
                (
                    p.as_text().unwrap_or_default().to_owned(),
                    p.param("CN").map(str::to_owned),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("mailto:john@example.com".into(), Some("John".into())),
                ("mailto:mary@example.com".into(), Some("Mary M".into())),
                ("mailto:bob@example.com".into(), None),
                ("mailto:ann@example.com".into(), None),
                ("mailto:jane@example.com".into(), Some("Doe, Jane".into())),
            ]
        );
        // ROLE=ORGANIZER without X-ORGANIZER: the attendee is the ORGANIZER.
        let org = cal.components[1].property("ORGANIZER").unwrap();
        assert_eq!(org.as_text(), Some("mailto:olga@example.com"));
        assert_eq!(org.param("CN"), Some("Olga"));
        assert_eq!(org.line(), 13);
        assert!(cal.components[1].property("ATTENDEE").is_some());
    }

    #[test]
    fn errors() {
        assert!(parse_vcal_rule("").is_err());
        assert!(parse_vcal_rule("Q1 #2").is_err());
        assert!(parse_vcal_rule("MD1 40 #2").is_err());
        assert!(parse_vcal_rule("MP1 9+ MO").is_err());
        assert!(parse_vcal_rule("W0 MO").is_err());
        // Numbers that would overflow are refused, not wrapped.
        assert!(parse_vcal_rule("MP1 -2147483648 MO #0").is_err());
        assert!(parse_vcal_rule("MP1 2147483648- MO #0").is_err());
        assert!(parse_vcal_rule("MD1 -2147483648- #0").is_err());
        assert!(parse_vcal_rule("YD1 99999 #1").is_err());
    }

    #[test]
    fn alarms_become_valarms() {
        let text = "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Review\r\nDTSTART:19960415T090000Z\r\nAALARM:19960415T083000Z;PT5M;2;file:///bell.wav\r\nDALARM:19960415T084500Z;;;Wake up\r\nPALARM:19960415T084000Z;;;file:///run.exe\r\nMALARM:19960415T080000Z;PT1H;3;ana@example.com;Bring the numbers\r\nDALARM:soon\r\nRRULE:W1 MO #3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let doc = oxpim_contentline::Parser::new()
            .parse(text.as_bytes())
            .document;
        let (cal, diags) = to_icalendar(&doc.components[0]);
        assert_eq!(cal.text("VERSION"), Some("2.0"));
        let ev = &cal.components[0];
        // The converted rule names the vCalendar rule's line.
        assert_eq!(ev.property("RRULE").map(Property::line), Some(12));
        let alarms: Vec<&Component> = ev.components.iter().filter(|c| c.is("VALARM")).collect();
        assert_eq!(alarms.len(), 4);
        let action = |a: &Component| a.text("ACTION").unwrap_or("").to_string();
        let trigger = |a: &Component| match a.property("TRIGGER").and_then(|p| p.value()) {
            Some(Value::DateTime(d)) => d.local.format("%Y%m%dT%H%M%S").to_string(),
            other => format!("{other:?}"),
        };
        let audio = alarms.iter().find(|a| action(a) == "AUDIO").unwrap();
        assert_eq!(trigger(audio), "19960415T083000");
        // Each VALARM names its vCalendar line (for diagnostics).
        assert_eq!(
            alarms.iter().map(|a| a.line()).collect::<Vec<_>>(),
            [7, 8, 9, 10]
        );
        assert!(matches!(
            audio.property("REPEAT").and_then(|p| p.value()),
            Some(Value::Integer(2))
        ));
        assert!(audio.property("DURATION").is_some());
        assert!(audio.property("ATTACH").is_some());
        let display = alarms.iter().find(|a| action(a) == "DISPLAY").unwrap();
        assert_eq!(display.text("DESCRIPTION"), Some("Wake up"));
        let proc_ = alarms.iter().find(|a| action(a) == "PROCEDURE").unwrap();
        assert!(proc_.property("ATTACH").is_some());
        let mail = alarms.iter().find(|a| action(a) == "EMAIL").unwrap();
        assert_eq!(mail.text("DESCRIPTION"), Some("Bring the numbers"));
        assert_eq!(mail.text("SUMMARY"), Some("Review"));
        assert!(matches!(
            mail.property("ATTENDEE").and_then(|p| p.value()),
            Some(Value::CalAddress(a)) if a.as_str() == "mailto:ana@example.com"
        ));
        // The unusable one is kept, with a diagnostic, not dropped.
        assert!(ev.property("X-VCAL-DALARM").is_some());
        assert!(diags.iter().any(|d| d.message.contains("DALARM")));
        // The rule became an RRULE value.
        assert!(matches!(
            ev.property("RRULE").and_then(|p| p.value()),
            Some(Value::Recur(_))
        ));
    }

    #[test]
    fn local_alarm_times_are_in_the_calendars_zone() {
        // TZ:+01: 09:45 local is 08:45Z; the TRIGGER must be UTC (RFC 5545
        // §3.8.6.3). It was read as 09:45Z, after the 09:00Z start.
        let text = "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nTZ:+01\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20250303T100000\r\nAALARM:20250303T094500;;;\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let doc = oxpim_contentline::Parser::new()
            .parse(text.as_bytes())
            .document;
        let (cal, _) = to_icalendar(&doc.components[0]);
        let ev = cal.components.iter().find(|c| c.is("VEVENT")).unwrap();
        let alarm = ev.components.iter().find(|c| c.is("VALARM")).unwrap();
        assert!(matches!(
            alarm.property("TRIGGER").and_then(|p| p.value()),
            Some(Value::DateTime(d)) if d.is_utc()
                && d.local.format("%Y%m%dT%H%M%S").to_string() == "20250303T084500"
        ));
        // Without TZ the time stays floating, as the event's.
        let floating = text.replace("TZ:+01\r\n", "");
        let doc = oxpim_contentline::Parser::new()
            .parse(floating.as_bytes())
            .document;
        let (cal, _) = to_icalendar(&doc.components[0]);
        let ev = cal.components.iter().find(|c| c.is("VEVENT")).unwrap();
        let alarm = ev.components.iter().find(|c| c.is("VALARM")).unwrap();
        assert!(matches!(
            alarm.property("TRIGGER").and_then(|p| p.value()),
            Some(Value::DateTime(d)) if d.zone == Zone::Floating
        ));
    }

    #[test]
    fn daylight_in_utc_and_unusable_daylight() {
        let text = "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nTZ:-05\r\nDAYLIGHT:TRUE;-04;20250309T070000Z;20251102T060000Z;EST;EDT\r\nDAYLIGHT:TRUE;-04;soon;later;EST;EDT\r\nBEGIN:VEVENT\r\nUID:d\r\nDTSTART:20250701T090000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let doc = oxpim_contentline::Parser::new()
            .parse(text.as_bytes())
            .document;
        let (cal, diags) = to_icalendar(&doc.components[0]);
        let tz = cal.components.iter().find(|c| c.is("VTIMEZONE")).unwrap();
        let day = tz.components.iter().find(|c| c.is("DAYLIGHT")).unwrap();
        // 07:00Z is 02:00 standard time.
        assert!(matches!(
            day.property("DTSTART").and_then(|p| p.value()),
            Some(Value::DateTime(d)) if d.local.format("%Y%m%dT%H%M%S").to_string() == "20250309T020000"
        ));
        let back = tz
            .components
            .iter()
            .filter(|c| c.is("STANDARD"))
            .find_map(|c| match c.property("DTSTART").and_then(|p| p.value()) {
                Some(Value::DateTime(d)) if chrono::Datelike::year(&d.local) == 2025 => {
                    Some(d.local)
                }
                _ => None,
            })
            .unwrap();
        // 06:00Z is 02:00 daylight time.
        assert_eq!(back.format("%Y%m%dT%H%M%S").to_string(), "20251102T020000");
        assert!(cal.property("X-VCAL-DAYLIGHT").is_some());
        assert!(diags.iter().any(|d| d.message.contains("DAYLIGHT")));
    }
}
