//! The exporter's structural work: VCALENDAR, VTIMEZONEs from the zone
//! blobs, times, UIDs, recurrence and exceptions.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};
use oxpim_contentline::value::recur::RecurUntil;
use oxpim_contentline::{
    Component, DateTime, Diagnostic, Dialect, Document, Parser, Property, Severity, Value,
    ValueType, Values,
};
use oxpim_recur::{ResolverChain, TimeZone, ZoneResolver};

use super::import::exceptions_property;
use super::pattern;
use super::zones::{self, rules_of};
use super::{
    EXCEPTION_CLASS, ExportContext, Exported, Exporter, Method, calendar_property, diag,
    from_filetime, uid_of, unmapped_property,
};
use crate::blob::datetime_from_minutes;
use crate::blob::recur::{AppointmentRecurrencePattern, EndType, Exception, OverrideFlags};
use crate::blob::tz::{TimeZoneDefinition, TimeZoneStruct, WindowsZone, ZoneBiases};
use crate::codepage;
use crate::message::Message;
use crate::props::{self, PropDef};
use crate::types::FileTime;
use crate::value::PropValue;

/// A zone of a message: its TZID and rules, or UTC.
#[derive(Clone)]
struct MZone {
    /// The VTIMEZONE the import kept for this zone, when its rules still
    /// give the message's blobs: written as it was, and used for times.
    source: Option<Component>,
    tzid: Option<String>,
    /// Write local times without a zone.
    floating: bool,
    zone: TimeZone,
    rules: Vec<(u16, ZoneBiases)>,
}

impl MZone {
    fn utc() -> MZone {
        MZone {
            source: None,
            tzid: None,
            floating: false,
            zone: TimeZone::Utc,
            rules: Vec::new(),
        }
    }

    fn from_definition(d: &TimeZoneDefinition) -> MZone {
        MZone {
            source: None,
            tzid: Some(if d.key_name.is_empty() {
                "Custom".to_owned()
            } else {
                d.key_name.clone()
            }),
            floating: false,
            zone: TimeZone::Rules(Arc::new(WindowsZone::from_definition(d))),
            rules: rules_of(d),
        }
    }

    fn from_struct(s: &TimeZoneStruct, name: &str) -> MZone {
        MZone {
            source: None,
            tzid: Some(if name.is_empty() {
                "Custom".to_owned()
            } else {
                name.to_owned()
            }),
            floating: false,
            zone: TimeZone::Rules(Arc::new(WindowsZone::from_struct(s))),
            rules: vec![(1601, s.rules)],
        }
    }
}

fn definition(m: &Message, def: &PropDef) -> Option<TimeZoneDefinition> {
    m.properties
        .binary(def)
        .and_then(|b| TimeZoneDefinition::decode(b).ok())
}

/// The zone a message's times are written in, for its start (`end` false)
/// or end.
/// The zone with the VTIMEZONE the import kept, when that VTIMEZONE still
/// gives the zone's rules (so nobody changed the zone in MAPI since).
fn with_source(m: &Message, mut z: MZone) -> MZone {
    let Some(tzid) = z.tzid.clone() else { return z };
    let Some(text) = m
        .properties
        .get(&super::vtimezones_property().into())
        .and_then(PropValue::as_str)
    else {
        return z;
    };
    let wrapped = format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{text}END:VCALENDAR\r\n");
    let doc = Parser::new().parse(wrapped.as_bytes()).document;
    let Some(cal) = doc.components.into_iter().next() else {
        return z;
    };
    for c in cal.components {
        if !c
            .text("TZID")
            .is_some_and(|t| t.trim().eq_ignore_ascii_case(tzid.trim()))
        {
            continue;
        }
        let same = zones::blobs_from_vtimezone(&tzid, &c).is_ok_and(|b| b.rules == z.rules);
        if same && let Ok((vtz, _)) = oxpim_recur::VTimeZone::from_component(&c) {
            z.zone = TimeZone::Rules(Arc::new(vtz));
            z.source = Some(c);
        }
        break;
    }
    z
}

fn zone_of(m: &Message, recurring: bool, end: bool) -> Option<MZone> {
    zone_of_blobs(m, recurring, end).map(|z| with_source(m, z))
}

fn zone_of_blobs(m: &Message, recurring: bool, end: bool) -> Option<MZone> {
    if recurring {
        if let Some(d) = definition(m, &props::PID_LID_APPOINTMENT_TIME_ZONE_DEFINITION_RECUR) {
            return Some(MZone::from_definition(&d));
        }
        if let Some(s) = m
            .properties
            .binary(&props::PID_LID_TIME_ZONE_STRUCT)
            .and_then(|b| TimeZoneStruct::decode(b).ok())
        {
            let name = m
                .properties
                .text(
                    &props::PID_LID_TIME_ZONE_DESCRIPTION,
                    m.properties.codepage(),
                )
                .unwrap_or_default();
            return Some(MZone::from_struct(&s, &name));
        }
    }
    let def = if end {
        &props::PID_LID_APPOINTMENT_TIME_ZONE_DEFINITION_END_DISPLAY
    } else {
        &props::PID_LID_APPOINTMENT_TIME_ZONE_DEFINITION_START_DISPLAY
    };
    definition(m, def)
        .or_else(|| {
            definition(
                m,
                &props::PID_LID_APPOINTMENT_TIME_ZONE_DEFINITION_START_DISPLAY,
            )
        })
        .map(|d| MZone::from_definition(&d))
}

fn method_of(m: &Message) -> Method {
    let class = m.message_class().unwrap_or_default().to_ascii_lowercase();
    let counter = m
        .properties
        .bool(&props::PID_LID_APPOINTMENT_COUNTER_PROPOSAL)
        == Some(true);
    if class.starts_with("ipm.schedule.meeting.request") {
        Method::Request
    } else if class.starts_with("ipm.schedule.meeting.canceled") {
        Method::Cancel
    } else if class.starts_with("ipm.schedule.meeting.resp.tent") && counter {
        Method::Counter
    } else if class.starts_with("ipm.schedule.meeting.resp") {
        Method::Reply
    } else {
        Method::Publish
    }
}

fn is_calendar_class(class: &str) -> bool {
    let c = class.to_ascii_lowercase();
    c.starts_with("ipm.appointment")
        || c.starts_with("ipm.schedule.meeting")
        || c == EXCEPTION_CLASS.to_ascii_lowercase()
}

struct Out<'e> {
    exp: &'e Exporter,
    method: Method,
    diags: Vec<Diagnostic>,
    /// Generated VTIMEZONEs by lowercase TZID.
    zones: Vec<(String, Component)>,
    /// VTIMEZONEs kept from the import.
    kept_zones: Vec<Component>,
    calscale: Option<&'static str>,
    floating: MZone,
    /// The zone of every time written without one (all-day dates,
    /// floating times): `Ok(None)` before the first, `Err(())` once two
    /// differ.
    floating_written: Result<Option<MZone>, ()>,
}

fn warn(diags: &mut Vec<Diagnostic>, msg: impl Into<String>) {
    diags.push(diag(0, Severity::Warning, msg));
}

pub(crate) fn export_messages(exp: &Exporter, messages: &[Message]) -> Exported {
    let method = match &exp.options.method {
        Some(m) => Method::parse(m),
        None if messages.len() == 1 => messages.first().map_or(Method::Publish, method_of),
        None => Method::Publish,
    };
    let floating = exp
        .options
        .floating_zone
        .as_deref()
        .and_then(|f| {
            ResolverChain::default()
                .resolve(f, None)
                .map(|r| (f.to_owned(), r.zone))
        })
        .map_or_else(MZone::utc, |(name, zone)| MZone {
            source: None,
            tzid: Some(name),
            floating: false,
            zone,
            rules: Vec::new(),
        });
    let mut diags = Vec::new();
    // Several series in one calendar are a calendar, not one iTIP message
    // (RFC 5546 messages are about one UID): PUBLISH, said when the
    // messages were meeting requests, replies or cancellations.
    if exp.options.method.is_none() && messages.len() > 1 {
        let mut kinds: Vec<String> = messages
            .iter()
            .filter_map(|m| method_of(m).name().map(str::to_owned))
            .filter(|n| n != "PUBLISH")
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        if !kinds.is_empty() {
            warn(
                &mut diags,
                format!(
                    "{} messages of which some are {} are written as one METHOD:PUBLISH calendar (give the method to keep, or convert them one by one)",
                    messages.len(),
                    kinds.join(", ")
                ),
            );
        }
    }
    let mut out = Out {
        exp,
        method: method.clone(),
        diags,
        zones: Vec::new(),
        kept_zones: Vec::new(),
        calscale: None,
        floating,
        floating_written: Ok(None),
    };
    let mut cal = Component::new("VCALENDAR", Dialect::ICalendar);
    cal.push(Property::text("PRODID", exp.options.prodid.as_str()));
    cal.push(Property::text("VERSION", "2.0"));
    if let Some(name) = method.name() {
        cal.push(Property::text("METHOD", name));
    }
    if let Some(text) = messages.iter().find_map(|m| {
        m.properties
            .get(&calendar_property().into())
            .and_then(PropValue::as_str)
            .map(str::to_owned)
    }) {
        let wrapped = format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{text}END:VCALENDAR\r\n");
        if let Some(c) = Parser::new()
            .parse(wrapped.as_bytes())
            .document
            .components
            .into_iter()
            .next()
        {
            cal.properties
                .extend(c.properties.into_iter().filter(|p| !p.is("VERSION")));
        }
    }
    let mut events = Vec::new();
    for m in messages {
        out.message(m, &mut events);
    }
    if let Some(scale) = out.calscale {
        cal.push(Property::text("X-MICROSOFT-CALSCALE", scale));
    }
    // All-day dates (and floating times) are days of one zone: named in
    // X-WR-TIMEZONE, with its VTIMEZONE, they are read in it again (the
    // importer's floating zone) instead of in UTC.
    if let Ok(Some(z)) = out.floating_written.clone()
        && let Some(tzid) = z.tzid.clone()
        && !cal.properties.iter().any(|p| p.is("X-WR-TIMEZONE"))
    {
        out.use_zone(&z);
        cal.push(Property::text("X-WR-TIMEZONE", tzid.as_str()));
    }
    let mut seen: Vec<String> = Vec::new();
    for (key, z) in out.zones.drain(..) {
        seen.push(key);
        cal.components.push(z);
    }
    for z in out.kept_zones.drain(..) {
        let key = z.text("TZID").unwrap_or_default().to_lowercase();
        if !seen.contains(&key) {
            seen.push(key);
            cal.components.push(z);
        }
    }
    cal.components.extend(events);
    Exported {
        document: Document::new(vec![cal]),
        diagnostics: out.diags,
    }
}

fn time_of(m: &Message, def: &PropDef) -> Option<NaiveDateTime> {
    m.properties.time(def).and_then(from_filetime)
}

fn date_prop(name: &str, d: NaiveDate) -> Property {
    let mut p = Property::new(name, ValueType::Date, Value::Date(d));
    p.params_mut().set("VALUE", "DATE");
    p
}

fn local_prop(name: &str, local: NaiveDateTime, tzid: &str) -> Property {
    let mut p = Property::new(
        name,
        ValueType::DateTime,
        Value::DateTime(DateTime::with_tzid(local, tzid)),
    );
    p.params_mut().set("TZID", tzid);
    p
}

/// The date of an all-day boundary: the local date, rounded to the
/// nearest midnight when the stored time is slightly off.
fn all_day_date(local: NaiveDateTime) -> NaiveDate {
    if local.hour() >= 12 {
        (local + TimeDelta::days(1)).date()
    } else {
        local.date()
    }
}

impl Out<'_> {
    /// Notes the zone of a message written without zone (all-day or
    /// floating), for X-WR-TIMEZONE.
    fn note_floating(&mut self, z: &MZone) {
        let same = |a: &MZone, b: &MZone| {
            a.tzid.as_deref().map(str::to_lowercase) == b.tzid.as_deref().map(str::to_lowercase)
                && a.rules == b.rules
        };
        self.floating_written = match std::mem::replace(&mut self.floating_written, Err(())) {
            Ok(None) if z.tzid.is_some() => Ok(Some(z.clone())),
            Ok(Some(seen)) if same(&seen, z) => Ok(Some(seen)),
            _ => Err(()),
        };
    }

    fn use_zone(&mut self, z: &MZone) {
        let Some(tzid) = &z.tzid else { return };
        let key = tzid.to_lowercase();
        if z.rules.is_empty() || self.zones.iter().any(|(k, _)| *k == key) {
            return;
        }
        let c = z
            .source
            .clone()
            .unwrap_or_else(|| zones::vtimezone(tzid, &z.rules));
        self.zones.push((key, c));
    }

    /// A moment as DTSTART/DTEND/RECURRENCE-ID/EXDATE write it.
    fn when(&mut self, name: &str, utc: NaiveDateTime, z: &MZone, all_day: bool) -> Property {
        if all_day {
            return date_prop(name, all_day_date(z.zone.to_local(utc)));
        }
        if z.floating {
            return Property::new(
                name,
                ValueType::DateTime,
                Value::DateTime(DateTime::floating(z.zone.to_local(utc))),
            );
        }
        match &z.tzid {
            Some(tzid) => {
                self.use_zone(z);
                local_prop(name, z.zone.to_local(utc), tzid)
            }
            None => super::rules::utc_prop(name, utc),
        }
    }

    /// A start or end as [`Out::when`] writes it, but in UTC when its
    /// local time would name another instant: the second of two equal
    /// local times in the hour clocks are set back (RFC 5545 §3.3.5 reads
    /// a TZID time there as the first). DTEND and an override's start may
    /// be UTC whatever the DTSTART's zone; a series' DTSTART may not (its
    /// rule would expand in UTC), so `series` keeps it local, with a
    /// warning.
    fn when_exact(
        &mut self,
        name: &str,
        utc: NaiveDateTime,
        z: &MZone,
        all_day: bool,
        series: bool,
    ) -> Property {
        if !all_day && !z.floating && z.tzid.is_some() {
            let local = z.zone.to_local(utc);
            if z.zone.to_utc(local) != utc {
                if !series {
                    return super::rules::utc_prop(name, utc);
                }
                warn(
                    &mut self.diags,
                    format!(
                        "{name} {utc}Z is the second of two equal local times {local} in its zone; a series' start must be local, which names the first (RFC 5545 §3.3.5)"
                    ),
                );
            }
        }
        self.when(name, utc, z, all_day)
    }

    fn message(&mut self, m: &Message, events: &mut Vec<Component>) {
        let class = m.message_class().unwrap_or_default();
        if !is_calendar_class(&class) {
            self.diags.push(diag(
                0,
                Severity::Error,
                format!("{class:?} is not a calendar item; not exported"),
            ));
            return;
        }
        let recur = m
            .properties
            .binary(&props::PID_LID_APPOINTMENT_RECUR)
            .map(AppointmentRecurrencePattern::decode);
        let recur = match recur {
            Some(Ok(r)) => Some(r),
            Some(Err(e)) => {
                warn(
                    &mut self.diags,
                    format!(
                        "PidLidAppointmentRecur could not be read ({e}); exported as one appointment"
                    ),
                );
                None
            }
            None => None,
        };
        let uid = uid_of(m).unwrap_or_else(|| {
            let made = made_up_uid(m);
            warn(
                &mut self.diags,
                format!("message without PidLidGlobalObjectId; UID {made} made from its content"),
            );
            made
        });
        let all_day = m.properties.bool(&props::PID_LID_APPOINTMENT_SUB_TYPE) == Some(true);
        let start_zone = zone_of(m, recur.is_some(), false);
        let end_zone = zone_of(m, recur.is_some(), true);
        let (mut szone, mut ezone) = match (start_zone, end_zone) {
            (Some(s), Some(e)) => (s, e),
            (Some(s), None) => (s.clone(), s),
            _ if all_day => (self.floating.clone(), self.floating.clone()),
            _ => (MZone::utc(), MZone::utc()),
        };
        if m.properties.get(&super::floating_property().into()) == Some(&PropValue::Bool(true)) {
            szone.floating = true;
            ezone.floating = true;
        }
        if all_day || szone.floating {
            self.note_floating(&szone);
        }
        let mut ev = Component::new("VEVENT", Dialect::ICalendar);
        ev.push(Property::text("UID", uid.as_str()));
        let counter = self.method == Method::Counter;
        let (sdef, edef) = if counter
            && m.properties
                .get_def(&props::PID_LID_APPOINTMENT_PROPOSED_START_WHOLE)
                .is_some()
        {
            (
                &props::PID_LID_APPOINTMENT_PROPOSED_START_WHOLE,
                &props::PID_LID_APPOINTMENT_PROPOSED_END_WHOLE,
            )
        } else {
            (
                &props::PID_LID_APPOINTMENT_START_WHOLE,
                &props::PID_LID_APPOINTMENT_END_WHOLE,
            )
        };
        let Some(start) = time_of(m, sdef).or_else(|| time_of(m, &props::PID_TAG_START_DATE))
        else {
            self.diags.push(diag(
                0,
                Severity::Error,
                format!("appointment {uid} has no start; not exported"),
            ));
            return;
        };
        let end = time_of(m, edef)
            .or_else(|| time_of(m, &props::PID_TAG_END_DATE))
            .unwrap_or(start);
        let p = self.when_exact("DTSTART", start, &szone, all_day, recur.is_some());
        ev.push(p);
        let p = self.when_exact("DTEND", end, &ezone, all_day, false);
        ev.push(p);
        if counter {
            for (name, def) in [
                (
                    "X-MS-OLK-ORIGINALSTART",
                    &props::PID_LID_APPOINTMENT_START_WHOLE,
                ),
                (
                    "X-MS-OLK-ORIGINALEND",
                    &props::PID_LID_APPOINTMENT_END_WHOLE,
                ),
            ] {
                if let Some(t) = time_of(m, def) {
                    ev.push(super::rules::utc_prop(name, t));
                }
            }
        }
        if recur.is_none()
            && let Some(rid) = time_of(m, &props::PID_LID_EXCEPTION_REPLACE_TIME)
        {
            let p = self.when("RECURRENCE-ID", rid, &szone, all_day);
            ev.push(p);
        }
        let mut siblings = Vec::new();
        if let Some(r) = &recur {
            self.recurrence(m, r, &uid, &szone, all_day, &mut ev, &mut siblings);
        }
        self.rules(m, None, false, all_day, &szone, &mut ev);
        self.restore(m, &szone, &mut ev, &mut siblings);
        events.push(ev);
        events.extend(siblings);
    }

    fn rules(
        &mut self,
        m: &Message,
        master: Option<&Message>,
        is_exception: bool,
        all_day: bool,
        z: &MZone,
        ev: &mut Component,
    ) {
        let method = self.method.clone();
        let mut cx = ExportContext {
            method: &method,
            message: m,
            event: ev,
            is_exception,
            all_day,
            zone: &z.zone,
            tzid: z.tzid.as_deref(),
            options: &self.exp.options,
            master,
            diagnostics: &mut self.diags,
            rtf: std::cell::OnceCell::new(),
        };
        for rule in self.exp.registry.rules() {
            rule.export(&mut cx);
        }
    }

    /// Puts back what the import kept: unmapped lines and components, and
    /// RECURRENCE-ID VEVENTs of a series Outlook could not represent.
    fn restore(
        &mut self,
        m: &Message,
        szone: &MZone,
        ev: &mut Component,
        siblings: &mut Vec<Component>,
    ) {
        // Kept parameters of mapped lines, on the first line of each name
        // the rules wrote, where it does not have them (what the rules
        // wrote from Outlook's properties stands).
        for kept in super::kept_line_params(m) {
            if let Some(p) = ev.properties.iter_mut().find(|p| p.is(kept.name())) {
                if !super::kept_params_fit(&kept, p) {
                    let names: Vec<&str> = kept.params().iter().map(|(n, _)| n).collect();
                    warn(
                        &mut self.diags,
                        format!(
                            "{} parameters {} kept from iCalendar are not written: the text they described was changed",
                            kept.name(),
                            names.join(", ")
                        ),
                    );
                    continue;
                }
                for (name, param) in kept.params().iter() {
                    if p.params().get(name).is_none()
                        && !super::outlook_param(kept.name(), name)
                        && !super::UNKEPT_PARAMS.contains(&name)
                    {
                        p.params_mut().insert(name, param.clone());
                    }
                }
            }
        }
        if let Some(kept) = m
            .properties
            .get(&unmapped_property().into())
            .and_then(PropValue::as_str)
            .and_then(super::kept_event)
        {
            for p in kept.properties {
                // One DESCRIPTION per VEVENT (RFC 5545): a kept one (of a
                // reply) gives way to the body written as DESCRIPTION when
                // the calendar's METHOD is no longer a reply's.
                if p.is("DESCRIPTION") && ev.property("DESCRIPTION").is_some() {
                    warn(
                        &mut self.diags,
                        "a DESCRIPTION kept from a reply is not written: the body is the DESCRIPTION of this METHOD",
                    );
                    continue;
                }
                ev.properties.push(p);
            }
            for c in kept.components {
                if c.is("VTIMEZONE") {
                    self.kept_zones.push(c);
                } else {
                    ev.components.push(c);
                }
            }
        }
        if let Some(text) = m
            .properties
            .get(&exceptions_property().into())
            .and_then(PropValue::as_str)
        {
            let wrapped = format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{text}END:VCALENDAR\r\n");
            let doc = Parser::new().parse(wrapped.as_bytes()).document;
            // Overrides exported from exception attachments, before the
            // kept ones are added: the kept text may itself hold two
            // overrides of one instance (as its calendar did), and both
            // are written back.
            let from_attachments = siblings.len();
            if let Some(cal) = doc.components.into_iter().next() {
                let (kept_zones, overrides): (Vec<Component>, Vec<Component>) =
                    cal.components.into_iter().partition(|c| c.is("VTIMEZONE"));
                let mut resolver = None;
                let instants: Vec<Option<RidKey>> = siblings
                    .iter()
                    .take(from_attachments)
                    .map(|s| rid_key(s, szone, &kept_zones, &mut resolver))
                    .collect();
                for c in overrides {
                    // An override already exported from an exception
                    // attachment (the same instance, however its
                    // RECURRENCE-ID is written) is not written twice; a
                    // kept RANGE=THISANDFUTURE one, which Outlook held as
                    // this instance only, takes its place.
                    let key = rid_key(&c, szone, &kept_zones, &mut resolver);
                    let status = c.text("STATUS").map(str::to_ascii_uppercase);
                    let dup = key.as_ref().and_then(|k| {
                        instants.iter().zip(siblings.iter()).position(|(i, s)| {
                            i.as_ref() == Some(k)
                                && s.text("STATUS").map(str::to_ascii_uppercase) == status
                        })
                    });
                    match dup {
                        Some(i)
                            if c.property("RECURRENCE-ID")
                                .is_some_and(super::this_and_future) =>
                        {
                            if let Some(slot) = siblings.get_mut(i) {
                                *slot = c;
                            }
                        }
                        Some(_) => {}
                        None => siblings.push(c),
                    }
                }
                self.kept_zones.extend(kept_zones);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn recurrence(
        &mut self,
        m: &Message,
        r: &AppointmentRecurrencePattern,
        uid: &str,
        z: &MZone,
        all_day: bool,
        ev: &mut Component,
        siblings: &mut Vec<Component>,
    ) {
        let p = &r.pattern;
        let scale = pattern::calendar_scale(p);
        if let Some(s) = scale {
            if self.calscale.is_some_and(|c| c != s) {
                warn(
                    &mut self.diags,
                    format!(
                        "a VCALENDAR cannot hold two calendar scales; {s} is written as {}",
                        self.calscale.unwrap_or("")
                    ),
                );
            }
            self.calscale.get_or_insert(s);
            warn(
                &mut self.diags,
                format!(
                    "{uid}: a {s} pattern is written as X-MICROSOFT-RRULE, which only Outlook expands"
                ),
            );
        }
        let local_of = |minutes: u32| datetime_from_minutes(minutes);
        let offset = TimeDelta::minutes(i64::from(r.start_time_offset));
        let until = (p.end_type == EndType::AFTER_DATE).then(|| {
            let last = local_of(p.end_date) + offset;
            if z.floating && !all_day {
                RecurUntil::DateTime(DateTime::floating(last))
            } else {
                pattern::until_value(all_day, last, &z.zone)
            }
        });
        let rule = match pattern::to_rrule(p, until) {
            Ok(rule) => rule,
            Err(e) => {
                warn(
                    &mut self.diags,
                    format!("{uid}: pattern has no RRULE form ({e}); exported as one appointment"),
                );
                return;
            }
        };
        let name = if scale.is_some() {
            "X-MICROSOFT-RRULE"
        } else {
            "RRULE"
        };
        let mut rp = Property::new(name, ValueType::Recur, Value::Recur(Box::new(rule)));
        if scale.is_some() {
            rp.params_mut().set("VALUE", "RECUR");
        }
        ev.push(rp);
        // Exceptions: an attachment, or a change beyond a move, is its own
        // VEVENT; a plain move is EXDATE + RDATE (MS-OXCICAL 2.1.3.1.1.20.20).
        let dur = r.end_time_offset.saturating_sub(r.start_time_offset);
        let mut separate: Vec<NaiveDate> = Vec::new();
        let mut rdates: Vec<NaiveDateTime> = Vec::new();
        let mut used = vec![false; m.attachments.len()];
        for e in &r.exceptions {
            let orig_local = local_of(e.info.original_start);
            let att = self.find_exception(m, e, z, &mut used);
            let moved_only = e.info.flags.0 == 0 && e.info.end.saturating_sub(e.info.start) == dur;
            if att.is_none() && moved_only {
                rdates.push(local_of(e.info.start));
                continue;
            }
            separate.push(orig_local.date());
            let mut em = att.cloned().unwrap_or_else(|| synthetic_exception(m, e, z));
            clear_inherited(&mut em, e);
            let mut xev = Component::new("VEVENT", Dialect::ICalendar);
            xev.push(Property::text("UID", uid));
            let orig_utc = z.zone.to_utc(orig_local);
            let rid = if all_day {
                date_prop("RECURRENCE-ID", orig_local.date())
            } else {
                self.when("RECURRENCE-ID", orig_utc, z, false)
            };
            xev.push(rid);
            let ex_all_day = em
                .properties
                .bool(&props::PID_LID_APPOINTMENT_SUB_TYPE)
                .unwrap_or(all_day);
            let s = time_of(&em, &props::PID_LID_APPOINTMENT_START_WHOLE)
                .unwrap_or_else(|| z.zone.to_utc(local_of(e.info.start)));
            let en = time_of(&em, &props::PID_LID_APPOINTMENT_END_WHOLE)
                .unwrap_or_else(|| z.zone.to_utc(local_of(e.info.end)));
            if ex_all_day {
                self.note_floating(z);
            }
            let p = self.when_exact("DTSTART", s, z, ex_all_day, false);
            xev.push(p);
            let p = self.when_exact("DTEND", en, z, ex_all_day, false);
            xev.push(p);
            self.rules(&em, Some(m), true, ex_all_day, z, &mut xev);
            let mut nested = Vec::new();
            self.restore(&em, z, &mut xev, &mut nested);
            siblings.push(xev);
            siblings.extend(nested);
        }
        let deleted: Vec<NaiveDate> = p
            .deleted
            .iter()
            .map(|d| local_of(*d).date())
            .filter(|d| !separate.contains(d))
            .collect();
        let exname = if scale.is_some() {
            "X-MICROSOFT-EXDATE"
        } else {
            "EXDATE"
        };
        if !deleted.is_empty() {
            let values: Vec<Value> = deleted
                .iter()
                .map(|d| {
                    if all_day {
                        Value::Date(*d)
                    } else {
                        let l = d.and_time(NaiveTime::MIN) + offset;
                        if z.floating {
                            return Value::DateTime(DateTime::floating(l));
                        }
                        match &z.tzid {
                            Some(t) => Value::DateTime(DateTime::with_tzid(l, t)),
                            None => Value::DateTime(DateTime::utc(l)),
                        }
                    }
                })
                .collect();
            ev.push(list_prop(
                exname,
                values,
                all_day,
                z.tzid.as_deref().filter(|_| !z.floating),
            ));
            self.use_zone(z);
        }
        if !rdates.is_empty() {
            let values: Vec<Value> = rdates
                .iter()
                .map(|l| {
                    if all_day {
                        Value::Date(l.date())
                    } else if z.floating {
                        Value::DateTime(DateTime::floating(*l))
                    } else {
                        match &z.tzid {
                            Some(t) => Value::DateTime(DateTime::with_tzid(*l, t)),
                            None => Value::DateTime(DateTime::utc(*l)),
                        }
                    }
                })
                .collect();
            ev.push(list_prop(
                "RDATE",
                values,
                all_day,
                z.tzid.as_deref().filter(|_| !z.floating),
            ));
        }
    }

    /// The attachment that holds an exception's message.
    fn find_exception<'m>(
        &self,
        m: &'m Message,
        e: &Exception,
        z: &MZone,
        used: &mut [bool],
    ) -> Option<&'m Message> {
        let orig_utc = z.zone.to_utc(datetime_from_minutes(e.info.original_start));
        let start_local = datetime_from_minutes(e.info.start);
        let candidates: Vec<(usize, &Message, &crate::message::Attachment)> = m
            .attachments
            .iter()
            .enumerate()
            .filter_map(|(i, a)| a.embedded_message().map(|em| (i, em, a)))
            .filter(|(_, _, a)| {
                a.properties
                    .i32(&props::PID_TAG_ATTACHMENT_FLAGS)
                    .is_some_and(|f| f & 2 != 0)
                    || a.properties.i32(&props::PID_TAG_ATTACH_METHOD) == Some(5)
            })
            .collect();
        let close = |a: Option<NaiveDateTime>, b: NaiveDateTime| {
            a.is_some_and(|a| (a - b).num_minutes().abs() < 1)
        };
        let hit = candidates
            .iter()
            .find(|(i, em, _)| {
                !used.get(*i).copied().unwrap_or(true)
                    && close(
                        time_of(em, &props::PID_LID_EXCEPTION_REPLACE_TIME),
                        orig_utc,
                    )
            })
            .or_else(|| {
                candidates.iter().find(|(i, _, a)| {
                    !used.get(*i).copied().unwrap_or(true)
                        && (close(
                            a.properties
                                .time(&props::PID_TAG_EXCEPTION_REPLACE_TIME)
                                .and_then(from_filetime),
                            orig_utc,
                        ) || close(
                            a.properties
                                .time(&props::PID_TAG_EXCEPTION_START_TIME)
                                .and_then(from_filetime),
                            start_local,
                        ))
                })
            });
        let (i, em, _) = hit?;
        if let Some(u) = used.get_mut(*i) {
            *u = true;
        }
        Some(em)
    }
}

/// The instance a RECURRENCE-ID names: a day, or a moment in UTC.
#[derive(PartialEq)]
enum RidKey {
    Day(NaiveDate),
    At(NaiveDateTime),
}

/// The instance `c`'s RECURRENCE-ID names. A local time is read in the
/// series' zone when its TZID is that zone's (or it has none), else in the
/// zone its TZID names (a kept VTIMEZONE, or a known name).
fn rid_key(
    c: &Component,
    szone: &MZone,
    kept_zones: &[Component],
    resolver: &mut Option<ResolverChain>,
) -> Option<RidKey> {
    match c.property("RECURRENCE-ID")?.value()? {
        Value::Date(d) => Some(RidKey::Day(*d)),
        Value::DateTime(dt) => {
            let local = dt.local;
            if dt.is_utc() {
                return Some(RidKey::At(local));
            }
            let zone = match dt.tzid() {
                None => szone.zone.clone(),
                Some(t) if szone.tzid.as_deref() == Some(t) => szone.zone.clone(),
                Some(t) => {
                    let vtz = kept_zones
                        .iter()
                        .find(|z| z.text("TZID").is_some_and(|id| id == t));
                    resolver
                        .get_or_insert_with(ResolverChain::default)
                        .resolve(t, vtz)?
                        .zone
                }
            };
            Some(RidKey::At(zone.to_utc(local)))
        }
        _ => None,
    }
}

fn list_prop(name: &str, values: Vec<Value>, all_day: bool, tzid: Option<&str>) -> Property {
    let vt = if all_day {
        ValueType::Date
    } else {
        ValueType::DateTime
    };
    let mut p = Property::new(name, vt.clone(), Value::Text("".into()));
    p.set_values(vt, Values::from_vec(values));
    if all_day {
        p.params_mut().set("VALUE", "DATE");
    } else if let Some(t) = tzid {
        p.params_mut().set("TZID", t);
    }
    p
}

/// An exception message from the fields of its ExceptionInfo, for a series
/// that stored no attachment for it.
/// What an exception overrides with nothing: the .msg format has no empty
/// strings (the writer leaves them out), so an exception message without
/// a location or subject would inherit its master's, where the
/// ExceptionInfo says the exception has none (an override VEVENT without
/// LOCATION, RFC 5545 §3.8.4.4). Puts the empty values back.
fn clear_inherited(em: &mut Message, e: &Exception) {
    let f = e.info.flags;
    let p = &mut em.properties;
    for (flag, def) in [
        (OverrideFlags::LOCATION, &props::PID_LID_LOCATION),
        (OverrideFlags::SUBJECT, &props::PID_TAG_SUBJECT),
    ] {
        if f.has(flag) && p.get_def(def).is_none() {
            p.insert(def.key(), PropValue::String(String::new().into()));
        }
    }
}

fn synthetic_exception(master: &Message, e: &Exception, z: &MZone) -> Message {
    let mut m = Message::with_class(EXCEPTION_CLASS);
    let p = &mut m.properties;
    let ft = |l: NaiveDateTime| {
        PropValue::Time(super::filetime(z.zone.to_utc(l)).unwrap_or(FileTime(0)))
    };
    p.insert(
        props::PID_LID_APPOINTMENT_START_WHOLE.key(),
        ft(datetime_from_minutes(e.info.start)),
    );
    p.insert(
        props::PID_LID_APPOINTMENT_END_WHOLE.key(),
        ft(datetime_from_minutes(e.info.end)),
    );
    let cp = master.properties.codepage();
    let f = e.info.flags;
    if f.has(OverrideFlags::SUBJECT) {
        let s = e
            .extended
            .subject
            .clone()
            .or_else(|| e.info.subject.as_deref().map(|b| codepage::decode(b, cp)))
            .unwrap_or_default();
        p.insert(props::PID_TAG_SUBJECT.key(), PropValue::String(s.into()));
    }
    if f.has(OverrideFlags::LOCATION) {
        let s = e
            .extended
            .location
            .clone()
            .or_else(|| e.info.location.as_deref().map(|b| codepage::decode(b, cp)))
            .unwrap_or_default();
        p.insert(props::PID_LID_LOCATION.key(), PropValue::String(s.into()));
    }
    let int = |v: Option<u32>| v.map(|v| PropValue::I32(v as i32));
    if let Some(v) = int(e.info.busy_status).filter(|_| f.has(OverrideFlags::BUSY_STATUS)) {
        p.insert(props::PID_LID_BUSY_STATUS.key(), v);
    }
    if let Some(v) = int(e.info.reminder_delta).filter(|_| f.has(OverrideFlags::REMINDER_DELTA)) {
        p.insert(props::PID_LID_REMINDER_DELTA.key(), v);
    }
    if let Some(v) = e
        .info
        .reminder_set
        .filter(|_| f.has(OverrideFlags::REMINDER))
    {
        p.insert(props::PID_LID_REMINDER_SET.key(), PropValue::Bool(v != 0));
    }
    if let Some(v) = e.info.sub_type.filter(|_| f.has(OverrideFlags::SUB_TYPE)) {
        p.insert(
            props::PID_LID_APPOINTMENT_SUB_TYPE.key(),
            PropValue::Bool(v != 0),
        );
    }
    if let Some(v) = int(e.info.meeting_type).filter(|_| f.has(OverrideFlags::MEETING_TYPE)) {
        p.insert(props::PID_LID_APPOINTMENT_STATE_FLAGS.key(), v);
    }
    m
}

fn made_up_uid(m: &Message) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |b: &[u8]| {
        for x in b {
            h ^= u64::from(*x);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    if let Some(t) = m.properties.time(&props::PID_LID_APPOINTMENT_START_WHOLE) {
        feed(&t.0.to_le_bytes());
    }
    if let Some(s) = m
        .properties
        .text(&props::PID_TAG_SUBJECT, m.properties.codepage())
    {
        feed(s.as_bytes());
    }
    format!("oxpim-{h:016x}")
}
