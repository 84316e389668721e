//! The Outlook appointments of the external corpus (`../shared/corpus/msg`,
//! or `$OXPIM_CORPUS/msg`): every recurring one decodes to the pattern its
//! msgreader `.json` decode gives, and exports to an RRULE whose expansion
//! (oxpim-recur, RFC 5545) gives the instances the pattern gives by
//! MS-OXOCAL's own rules; every appointment exports without an error.
//!
//! Without the corpus the test says so and passes, unless
//! `OXPIM_REQUIRE_EXTERNAL=1` (set by `.ci/run`), when it fails.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{NaiveDateTime, TimeDelta};
use oxpim::mapi::blob::datetime_from_minutes;
use oxpim::mapi::blob::recur::{AppointmentRecurrencePattern, PatternSpecific};
use oxpim::mapi::blob::tz::{TimeZoneDefinition, TimeZoneStruct, WindowsZone};
use oxpim::mapi::{Message, props};
use oxpim::recur::{Moment, TimeZone};
use oxpim::{ExpandOptions, ExportOptions, Severity};
use serde_json::Value;

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("OXPIM_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
        PathBuf::from,
    );
    let msg = dir.join("msg");
    if msg.is_dir() {
        return Some(msg);
    }
    if std::env::var("OXPIM_REQUIRE_EXTERNAL").as_deref() == Ok("1") {
        panic!(
            "corpus not found at {} and OXPIM_REQUIRE_EXTERNAL=1",
            msg.display()
        );
    }
    eprintln!("SKIPPED: no corpus at {} (set OXPIM_CORPUS)", msg.display());
    None
}

fn msg_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for sub in std::fs::read_dir(dir).unwrap() {
        let sub = sub.unwrap().path();
        if !sub.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&sub).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "msg") {
                v.push(f);
            }
        }
    }
    v.sort();
    v
}

fn zone_of(m: &Message) -> TimeZone {
    if let Some(d) = m
        .properties
        .binary(&props::PID_LID_APPOINTMENT_TIME_ZONE_DEFINITION_RECUR)
        .and_then(|b| TimeZoneDefinition::decode(b).ok())
    {
        return TimeZone::Rules(Arc::new(WindowsZone::from_definition(&d)));
    }
    if let Some(s) = m
        .properties
        .binary(&props::PID_LID_TIME_ZONE_STRUCT)
        .and_then(|b| TimeZoneStruct::decode(b).ok())
    {
        return TimeZone::Rules(Arc::new(WindowsZone::from_struct(&s)));
    }
    TimeZone::Utc
}

fn check_pattern_against_json(name: &str, r: &AppointmentRecurrencePattern, j: &Value) {
    let p = &r.pattern;
    let jp = &j["recurrencePattern"];
    let n = |k: &str| jp[k].as_u64().unwrap_or_else(|| panic!("{name}: {k}"));
    assert_eq!(u64::from(p.frequency.0), n("recurFrequency"), "{name}");
    assert_eq!(u64::from(p.pattern_type.0), n("patternType"), "{name}");
    assert_eq!(u64::from(p.calendar_type), n("calendarType"), "{name}");
    assert_eq!(u64::from(p.first_date_time), n("firstDateTime"), "{name}");
    assert_eq!(u64::from(p.period), n("period"), "{name}");
    assert_eq!(u64::from(p.end_type.0), n("endType"), "{name}");
    assert_eq!(
        u64::from(p.occurrence_count),
        n("occurrenceCount"),
        "{name}"
    );
    assert_eq!(u64::from(p.first_dow), n("firstDOW"), "{name}");
    assert_eq!(u64::from(p.start_date), n("startDate"), "{name}");
    assert_eq!(u64::from(p.end_date), n("endDate"), "{name}");
    let list = |k: &str| -> Vec<u64> {
        jp[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect()
    };
    assert_eq!(
        p.deleted.iter().map(|d| u64::from(*d)).collect::<Vec<_>>(),
        list("deletedInstanceDates"),
        "{name}"
    );
    assert_eq!(
        p.modified.iter().map(|d| u64::from(*d)).collect::<Vec<_>>(),
        list("modifiedInstanceDates"),
        "{name}"
    );
    match p.specific {
        PatternSpecific::Week(mask) => assert_eq!(
            u64::from(mask),
            jp["patternTypeWeek"]["dayOfWeekBits"].as_u64().unwrap()
        ),
        PatternSpecific::Month(day) => assert_eq!(
            u64::from(day),
            jp["patternTypeMonth"]["day"].as_u64().unwrap()
        ),
        PatternSpecific::MonthNth { .. } | PatternSpecific::None => {}
    }
    assert_eq!(
        u64::from(r.start_time_offset),
        j["startTimeOffset"].as_u64().unwrap(),
        "{name}"
    );
    assert_eq!(
        u64::from(r.end_time_offset),
        j["endTimeOffset"].as_u64().unwrap(),
        "{name}"
    );
    let je = j["exceptionInfo"].as_array().unwrap();
    assert_eq!(r.exceptions.len(), je.len(), "{name}");
    for (e, x) in r.exceptions.iter().zip(je) {
        assert_eq!(
            u64::from(e.info.start),
            x["startDateTime"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            u64::from(e.info.end),
            x["endDateTime"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            u64::from(e.info.original_start),
            x["originalStartTime"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            u64::from(e.info.flags.0),
            x["overrideFlags"].as_u64().unwrap(),
            "{name}"
        );
        if let Some(s) = x["subject"].as_str() {
            assert_eq!(e.extended.subject.as_deref(), Some(s), "{name}");
        }
        if let Some(s) = x["location"].as_str() {
            assert_eq!(e.extended.location.as_deref(), Some(s), "{name}");
        }
        if let Some(v) = x["busyStatus"].as_u64() {
            assert_eq!(e.info.busy_status.map(u64::from), Some(v), "{name}");
        }
        if let Some(v) = x["reminderDelta"].as_u64() {
            assert_eq!(e.info.reminder_delta.map(u64::from), Some(v), "{name}");
        }
    }
}

/// The instances by MS-OXOCAL: pattern dates minus deleted ones, plus
/// exceptions, as the strings `oxpim expand` prints for starts.
fn pattern_instances(
    r: &AppointmentRecurrencePattern,
    zone: &TimeZone,
    all_day: bool,
) -> BTreeSet<String> {
    let p = &r.pattern;
    let deleted: Vec<chrono::NaiveDate> = p
        .deleted
        .iter()
        .map(|d| datetime_from_minutes(*d).date())
        .collect();
    let show = |local: NaiveDateTime| -> String {
        if all_day {
            Moment::Date(local.date()).to_string()
        } else {
            Moment::Utc(zone.to_utc(local)).to_string()
        }
    };
    let mut out = BTreeSet::new();
    for d in p.dates(500).unwrap() {
        if deleted.contains(&d) {
            continue;
        }
        let local =
            d.and_hms_opt(0, 0, 0).unwrap() + TimeDelta::minutes(i64::from(r.start_time_offset));
        out.insert(show(local));
    }
    for e in &r.exceptions {
        out.insert(show(datetime_from_minutes(e.info.start)));
    }
    out
}

#[test]
fn corpus_appointments_decode_and_export() {
    let Some(dir) = corpus() else { return };
    let mut recurring = 0;
    let mut exported = 0;
    for f in msg_files(&dir) {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let m = oxpim::msg::from_bytes(&std::fs::read(&f).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let class = m.message_class().unwrap_or_default();
        if !class.starts_with("IPM.Appointment") && !class.starts_with("IPM.Schedule.Meeting") {
            continue;
        }
        let out = oxpim::messages_to_calendar(std::slice::from_ref(&m), ExportOptions::default());
        assert!(
            out.diagnostics
                .iter()
                .all(|d| d.severity != Severity::Error),
            "{name}: {:?}",
            out.diagnostics
        );
        exported += 1;
        let text = oxpim::format(&out.document);
        let back = oxpim::parse(&text);
        assert!(
            !back.has_errors(),
            "{name}: {:?}\n{}",
            back.diagnostics,
            String::from_utf8_lossy(&text)
        );
        let Some(blob) = m.properties.binary(&props::PID_LID_APPOINTMENT_RECUR) else {
            continue;
        };
        recurring += 1;
        let r =
            AppointmentRecurrencePattern::decode(blob).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            r.encode(),
            blob,
            "{name}: the blob re-encodes byte for byte"
        );
        let json = f.with_extension("json");
        if json.exists() {
            let j: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
            check_pattern_against_json(&name, &r, &j["apptRecur"]);
        }
        let all_day = m.properties.bool(&props::PID_LID_APPOINTMENT_SUB_TYPE) == Some(true);
        let want = pattern_instances(&r, &zone_of(&m), all_day);
        let got: BTreeSet<String> = oxpim::expand(
            &back.document,
            ExpandOptions {
                max_instances: 500,
                ..ExpandOptions::default()
            },
        )
        .instances
        .iter()
        .map(|i| i.start.to_string())
        .collect();
        assert_eq!(got, want, "{name}:\n{}", String::from_utf8_lossy(&text));
        // And back to MAPI: the same pattern.
        let again = oxpim::calendar_to_messages(&back.document, oxpim::ImportOptions::default());
        let m2 = &again.messages[0];
        let r2 = AppointmentRecurrencePattern::decode(
            m2.properties
                .binary(&props::PID_LID_APPOINTMENT_RECUR)
                .unwrap_or_else(|| panic!("{name}: {:?}", again.diagnostics)),
        )
        .unwrap();
        let (a, b) = (&r.pattern, &r2.pattern);
        assert_eq!(
            (
                a.pattern_type,
                a.specific,
                a.period,
                a.end_type,
                a.occurrence_count,
                a.start_date,
                a.end_date,
                &a.deleted,
                &a.modified
            ),
            (
                b.pattern_type,
                b.specific,
                b.period,
                b.end_type,
                b.occurrence_count,
                b.start_date,
                b.end_date,
                &b.deleted,
                &b.modified
            ),
            "{name}"
        );
        assert_eq!(
            (r.start_time_offset, r.end_time_offset),
            (r2.start_time_offset, r2.end_time_offset),
            "{name}"
        );
        assert_eq!(r.exceptions.len(), r2.exceptions.len(), "{name}");
        for (x, y) in r.exceptions.iter().zip(&r2.exceptions) {
            assert_eq!(
                (x.info.start, x.info.end, x.info.original_start),
                (y.info.start, y.info.end, y.info.original_start),
                "{name}"
            );
            assert_eq!(x.extended.subject, y.extended.subject, "{name}");
        }
    }
    assert!(
        recurring >= 8,
        "only {recurring} recurring appointments found"
    );
    assert!(exported >= 12, "only {exported} appointments exported");
}
