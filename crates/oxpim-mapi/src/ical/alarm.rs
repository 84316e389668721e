//! VALARM ⇄ the reminder properties (MS-OXCICAL 2.1.3.1.1.20.62,
//! MS-OXORMDR).
//!
//! Outlook keeps one reminder, as minutes before the start. The VALARMs of
//! the event are also kept as written (in [`alarms_property`]), so that an
//! export gives them back unchanged as long as the reminder was not changed
//! in MAPI; otherwise the reminder is exported the way Outlook writes it.

use chrono::TimeDelta;
use oxpim_contentline::{
    Component, Dialect, Duration, Parser, Property, Value, ValueType, WriteOptions,
};

use super::rules::{FnRule, date_time_of};
use super::{ExportContext, ImportContext, PSETID_OXPIM, filetime};
use crate::named::NamedProperty;
use crate::props;
use crate::value::PropValue;

/// The VALARMs of an event as written, and the reminder delta they gave.
pub fn alarms_property() -> NamedProperty {
    NamedProperty::string(PSETID_OXPIM, "ical-alarms")
}

/// The reminder delta the kept VALARMs gave at import (-1: none).
pub fn alarms_delta_property() -> NamedProperty {
    NamedProperty::string(PSETID_OXPIM, "ical-alarms-delta")
}

/// Default delta when a TRIGGER cannot be read: 15 minutes, 18 hours for
/// all-day events (MS-OXCICAL .62).
fn default_delta(all_day: bool) -> i32 {
    if all_day { 1080 } else { 15 }
}

/// Minutes before the start that a VALARM's TRIGGER fires, if it can be
/// read; and whether it fires after the start (which Outlook cannot show).
fn trigger_minutes(cx: &ImportContext<'_>, alarm: &Component) -> Option<(i64, bool)> {
    let p = alarm.property("TRIGGER")?;
    match p.value()? {
        Value::Duration(d) => {
            let mut secs = d.total_seconds();
            if p.param("RELATED")
                .is_some_and(|r| r.eq_ignore_ascii_case("END"))
            {
                let len = match (cx.start, cx.end) {
                    (Some(s), Some(e)) => (e - s).num_seconds(),
                    _ => 0,
                };
                secs += len;
            }
            let before = -secs;
            Some(((before.max(0) + 59) / 60, before < 0))
        }
        Value::DateTime(_) => {
            let dt = date_time_of(p)?;
            // An absolute trigger MUST be UTC (RFC 5545 §3.8.6.3); a
            // floating one is read in the event's zone, as its start is.
            let at = if dt.zone == oxpim_contentline::Zone::Floating {
                cx.zone.to_utc(dt.local)
            } else {
                cx.to_utc(&dt)?
            };
            let start = cx.start?;
            let before = (start - at).num_seconds();
            Some(((before.max(0) + 59) / 60, before < 0))
        }
        _ => None,
    }
}

fn import_reminder(cx: &mut ImportContext<'_>) {
    let alarms: Vec<&Component> = cx.event.children("VALARM").collect();
    if cx.options.keep_unmapped && !alarms.is_empty() {
        let mut text = Vec::new();
        for a in &alarms {
            oxpim_contentline::write_component_into(a, &WriteOptions::canonical(), &mut text);
        }
        cx.message.properties.insert(
            alarms_property(),
            PropValue::String(super::import::utf8_or_lossy(text).into()),
        );
    }
    // The first VALARM with a TRIGGER is the reminder (MS-STANOICAL V0060).
    let mapped = alarms.iter().find(|a| a.property("TRIGGER").is_some());
    let parsed = mapped.and_then(|a| trigger_minutes(cx, a));
    if let (Some(a), Some((_, true))) = (mapped, parsed) {
        cx.warn(
            a.line(),
            "the alarm fires after the start; Outlook's reminder fires at the start",
        );
    }
    if let (Some(a), None) = (mapped, parsed) {
        cx.warn(
            a.line(),
            "TRIGGER not understood; the default reminder is used",
        );
    }
    let delta = parsed
        .map(|(m, _)| i32::try_from(m).unwrap_or(i32::MAX))
        .unwrap_or_else(|| default_delta(cx.all_day));
    if alarms.len() > 1 {
        cx.warn(
            alarms.get(1).map_or(0, |a| a.line()),
            "more than one VALARM: Outlook keeps the first as the reminder",
        );
    }
    cx.set(&props::PID_LID_REMINDER_DELTA, delta);
    if cx.options.keep_unmapped && !alarms.is_empty() {
        cx.message.properties.insert(
            alarms_delta_property(),
            PropValue::I32(if parsed.is_some() { delta } else { -1 }),
        );
    }
    let next = if cx.is_exception {
        cx.start
    } else {
        cx.next_instance_start()
    };
    let set = parsed.is_some() && next.is_some();
    cx.set(&props::PID_LID_REMINDER_SET, set);
    if let (true, Some(next)) = (set, next) {
        if let Some(t) = filetime(next) {
            cx.set(&props::PID_LID_REMINDER_TIME, t);
        }
        let signal = next - TimeDelta::minutes(i64::from(delta));
        if let Some(t) = filetime(signal) {
            cx.set(&props::PID_LID_REMINDER_SIGNAL_TIME, t);
        }
    }
}

fn export_reminder(cx: &mut ExportContext<'_>) {
    let delta = cx
        .get(&props::PID_LID_REMINDER_DELTA)
        .and_then(PropValue::as_i32);
    let set = cx
        .message
        .properties
        .bool(&props::PID_LID_REMINDER_SET)
        .unwrap_or_else(|| {
            cx.is_exception
                && cx
                    .master
                    .and_then(|m| m.properties.bool(&props::PID_LID_REMINDER_SET))
                    .unwrap_or(false)
        });
    // The VALARMs as written, while the reminder is what they gave.
    let kept = cx
        .message
        .properties
        .get(&alarms_property().into())
        .and_then(PropValue::as_str)
        .map(str::to_owned);
    let kept_delta = cx
        .message
        .properties
        .get(&alarms_delta_property().into())
        .and_then(PropValue::as_i32);
    if let Some(text) = kept {
        let unchanged = match kept_delta {
            Some(-1) | None => !set,
            Some(d) => delta == Some(d) || !set,
        };
        if unchanged {
            let wrapped = format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{text}END:VCALENDAR\r\n");
            let parsed = Parser::new().parse(wrapped.as_bytes());
            if let Some(cal) = parsed.document.components.into_iter().next() {
                cx.event.components.extend(cal.components);
                return;
            }
        }
    }
    if !set {
        return;
    }
    let minutes = match delta {
        Some(d)
            if d >= 0 && u32::try_from(d).is_ok_and(|d| d != crate::blob::REMINDER_DELTA_UNSET) =>
        {
            d
        }
        _ => 15,
    };
    let mut alarm = Component::new("VALARM", Dialect::ICalendar);
    let mut trigger = Duration::from_seconds(-i64::from(minutes) * 60);
    if minutes % 1440 == 0 && minutes != 0 {
        trigger = Duration {
            negative: true,
            days: u32::try_from(minutes / 1440).unwrap_or(0),
            ..Default::default()
        };
    }
    alarm.push(Property::new(
        "TRIGGER",
        ValueType::Duration,
        Value::Duration(trigger),
    ));
    alarm.push(Property::text("ACTION", "DISPLAY"));
    alarm.push(Property::text("DESCRIPTION", "Reminder"));
    cx.event.components.push(alarm);
}

/// The VALARM rule.
pub(crate) fn reminder_rule() -> FnRule {
    FnRule::new("reminder", &["VALARM"], import_reminder, export_reminder)
}

#[cfg(test)]
mod tests {
    use crate::ical::{ImportOptions, Importer};

    /// VALARMs made of vCalendar alarm lines have no BEGIN line of their
    /// own: diagnostics about them name the alarm's line, never line 0.
    #[test]
    fn vcalendar_alarms_are_reported_at_their_lines() {
        let text = "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20250310T090000Z\r\nDTEND:20250310T100000Z\r\nAALARM:20250310T084500Z;;;\r\nDALARM:20250310T085000Z;PT5M;2;Remember\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let doc = oxpim_contentline::parse(text.as_bytes()).document;
        let imported = Importer::new(ImportOptions::default()).import(&doc);
        let d = imported
            .diagnostics
            .iter()
            .find(|d| d.message.contains("more than one VALARM"))
            .unwrap();
        assert_eq!(d.line, 8);
        assert!(imported.diagnostics.iter().all(|d| d.line > 0));
    }

    /// An absolute TRIGGER without zone (RFC 5545 wants UTC) is read in
    /// the event's zone: 09:45 before a 10:00 New York start is 15
    /// minutes (it was read as 09:45Z, 315 minutes before).
    #[test]
    fn a_floating_absolute_trigger_is_in_the_events_zone() {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:t\r\nDTSTAMP:20250101T000000Z\r\nDTSTART;TZID=America/New_York:20250303T100000\r\nDURATION:PT1H\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:r\r\nTRIGGER;VALUE=DATE-TIME:20250303T094500\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let doc = oxpim_contentline::parse(text.as_bytes()).document;
        let imported = Importer::new(ImportOptions::default()).import(&doc);
        let m = &imported.messages[0];
        assert_eq!(
            m.properties.i32(&crate::props::PID_LID_REMINDER_DELTA),
            Some(15)
        );
    }
}
