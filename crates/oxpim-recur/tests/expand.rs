//! Expansion tests, one or more per pain point of `peers.md` §2 that
//! concerns time zones and recurrence (1–11, 18, 19, 25), through the public
//! API only.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use oxpim_contentline::{Code, Component, Parser};
use oxpim_recur::{
    DtstartPolicy, ExpandOptions, Expander, Expansion, Moment, Resolved, ResolverChain, TimeZone,
    ZoneResolver, ZoneSource,
};

fn cal(body: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//oxpim//tests//EN\r\n{}\r\nEND:VCALENDAR\r\n",
        body.trim().replace('\n', "\r\n")
    )
}

fn expand_with(text: &str, opts: ExpandOptions) -> Expansion {
    let parsed = Parser::new().parse(text.as_bytes());
    Expander::new(opts).expand_document(&parsed.document)
}

fn expand(text: &str) -> Expansion {
    expand_with(text, ExpandOptions::default())
}

fn starts(e: &Expansion) -> Vec<String> {
    e.instances.iter().map(|i| i.start.to_string()).collect()
}

fn utc(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap()
}

/// The warnings about overrides that match no instance.
fn orphan_notes(e: &Expansion) -> Vec<&str> {
    e.diagnostics
        .iter()
        .filter(|d| d.message.contains("matches no instance"))
        .map(|d| d.message.as_str())
        .collect()
}

fn has_note(e: &Expansion, needle: &str) -> bool {
    e.diagnostics.iter().any(|d| d.message.contains(needle))
}

const BERLIN_LIKE: &str = "
BEGIN:VTIMEZONE
TZID:Customized Time Zone
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE";

// 1. Custom and non-IANA TZIDs.

#[test]
fn outlook_customized_time_zone_is_evaluated_from_its_rules() {
    let text = cal(&format!(
        "{BERLIN_LIKE}
BEGIN:VEVENT
UID:custom
DTSTART;TZID=Customized Time Zone:20250322T090000
DTEND;TZID=Customized Time Zone:20250322T100000
RRULE:FREQ=WEEKLY;COUNT=3
SUMMARY:Weekly
END:VEVENT"
    ));
    let e = expand(&text);
    // 09:00 CET is 08:00Z; after the last Sunday of March, 09:00 CEST is 07:00Z.
    assert_eq!(
        starts(&e),
        [
            "2025-03-22T08:00:00Z",
            "2025-03-29T08:00:00Z",
            "2025-04-05T07:00:00Z"
        ]
    );
    assert_eq!(e.instances[2].end.to_string(), "2025-04-05T08:00:00Z");
}

#[test]
fn windows_and_outlook_display_names_without_vtimezone() {
    for tzid in [
        "W. Europe Standard Time",
        "\"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna\"",
        "/mozilla.org/20050126_1/Europe/Berlin",
    ] {
        let text = cal(&format!(
            "BEGIN:VEVENT\nUID:w\nDTSTART;TZID={tzid}:20250701T090000\nEND:VEVENT"
        ));
        let e = expand(&text);
        assert_eq!(starts(&e), ["2025-07-01T07:00:00Z"], "TZID {tzid}");
    }
}

#[test]
fn cdo_tzid_and_offset_in_name() {
    // X-MICROSOFT-CDO-TZID 4 is W. Europe Standard Time; the VTIMEZONE has
    // no observances, so the alias decides.
    let text = cal("BEGIN:VTIMEZONE
TZID:Some Exchange Zone
X-MICROSOFT-CDO-TZID:4
END:VTIMEZONE
BEGIN:VEVENT
UID:cdo
DTSTART;TZID=Some Exchange Zone:20250701T090000
END:VEVENT
BEGIN:VEVENT
UID:offset
DTSTART;TZID=GMT+0530:20250701T090000
END:VEVENT");
    let e = expand(&text);
    let by_uid = |u: &str| {
        e.instances
            .iter()
            .find(|i| &*i.uid == u)
            .map(|i| i.start.to_string())
    };
    assert_eq!(by_uid("cdo").as_deref(), Some("2025-07-01T07:00:00Z"));
    assert_eq!(by_uid("offset").as_deref(), Some("2025-07-01T03:30:00Z"));
}

#[test]
fn an_unknown_tzid_is_reported_not_guessed() {
    let text = cal("BEGIN:VEVENT\nUID:u\nDTSTART;TZID=Nowhere Special:20250701T090000\nEND:VEVENT");
    let e = expand(&text);
    assert!(
        e.diagnostics
            .iter()
            .any(|d| d.code == Code::TimeZone && d.message.contains("Nowhere Special")),
        "{:?}",
        e.diagnostics
    );
}

// 2. A name guess that disagrees with the VTIMEZONE rules.

#[test]
fn tzid_gmt_with_british_summer_time_rules() {
    let text = cal("BEGIN:VTIMEZONE
TZID:GMT
BEGIN:STANDARD
DTSTART:19701025T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T010000
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:talk
DTSTART;TZID=GMT:20250715T100000
DTEND;TZID=GMT:20250715T110000
END:VEVENT");
    let e = expand(&text);
    // British Summer Time: 10:00 local is 09:00Z, not 10:00Z.
    assert_eq!(starts(&e), ["2025-07-15T09:00:00Z"]);
    let d = e
        .diagnostics
        .iter()
        .find(|d| d.code == Code::TimeZone)
        .expect("a disagreement diagnostic");
    assert!(
        d.message.contains("VTIMEZONE rules are used"),
        "{}",
        d.message
    );
    assert!(d.line > 0);
}

// 3 and 4. DST in expansion; gaps and folds.

#[test]
fn daily_series_keeps_local_time_across_dst() {
    let text = cal("BEGIN:VEVENT
UID:d
DTSTART;TZID=America/New_York:20250307T090000
RRULE:FREQ=DAILY;COUNT=4
END:VEVENT");
    assert_eq!(
        starts(&expand(&text)),
        [
            "2025-03-07T14:00:00Z",
            "2025-03-08T14:00:00Z",
            "2025-03-09T13:00:00Z",
            "2025-03-10T13:00:00Z"
        ]
    );
}

#[test]
fn gap_moves_forward_and_fold_takes_the_first() {
    // 02:30 does not exist on 9 March 2025 in New York: 03:30 EDT (07:30Z).
    let text = cal("BEGIN:VEVENT
UID:gap
DTSTART;TZID=America/New_York:20250308T023000
RRULE:FREQ=DAILY;COUNT=3
END:VEVENT");
    assert_eq!(
        starts(&expand(&text)),
        [
            "2025-03-08T07:30:00Z",
            "2025-03-09T07:30:00Z",
            "2025-03-10T06:30:00Z"
        ]
    );
    // 01:30 happens twice on 2 November 2025: the first, EDT (05:30Z).
    let text = cal("BEGIN:VEVENT
UID:fold
DTSTART;TZID=America/New_York:20251101T013000
RRULE:FREQ=DAILY;COUNT=3
END:VEVENT");
    assert_eq!(
        starts(&expand(&text)),
        [
            "2025-11-01T05:30:00Z",
            "2025-11-02T05:30:00Z",
            "2025-11-03T06:30:00Z"
        ]
    );
}

#[test]
fn sub_daily_rules_have_no_duplicate_or_missing_instants() {
    for (freq, step) in [("HOURLY", 3600), ("MINUTELY;INTERVAL=30", 1800)] {
        for start in ["20250309T000000", "20251102T000000"] {
            let text = cal(&format!(
                "BEGIN:VEVENT\nUID:h\nDTSTART;TZID=America/New_York:{start}\nRRULE:FREQ={freq};COUNT=12\nEND:VEVENT"
            ));
            let e = expand(&text);
            assert_eq!(e.instances.len(), 12, "{freq} from {start}");
            let instants: Vec<NaiveDateTime> = e
                .instances
                .iter()
                .map(|i| match i.start {
                    Moment::Utc(u) => u,
                    other => panic!("not an instant: {other:?}"),
                })
                .collect();
            for pair in instants.windows(2) {
                assert_eq!(
                    (pair[1] - pair[0]).num_seconds(),
                    step,
                    "{freq} from {start}: {instants:?}"
                );
            }
        }
    }
}

// 5. Floating times and all-day dates.

#[test]
fn floating_times_stay_floating() {
    let text = cal("BEGIN:VEVENT
UID:f
DTSTART:20250308T090000
DTEND:20250308T100000
RRULE:FREQ=DAILY;COUNT=2
END:VEVENT");
    let e = expand(&text);
    assert_eq!(starts(&e), ["2025-03-08T09:00:00", "2025-03-09T09:00:00"]);
    assert!(matches!(e.instances[0].start, Moment::Floating(_)));
    assert!(matches!(e.instances[0].end, Moment::Floating(_)));
}

// 6. UNTIL and DTSTART of different types or zones.

#[test]
fn until_as_date_floating_or_utc_is_accepted() {
    for until in ["20250310", "20250310T090000", "20250310T080000Z"] {
        let text = cal(&format!(
            "BEGIN:VEVENT\nUID:u\nDTSTART;TZID=Europe/Berlin:20250308T090000\nRRULE:FREQ=DAILY;UNTIL={until}\nEND:VEVENT"
        ));
        let e = expand(&text);
        assert_eq!(
            starts(&e),
            [
                "2025-03-08T08:00:00Z",
                "2025-03-09T08:00:00Z",
                "2025-03-10T08:00:00Z"
            ],
            "UNTIL={until}"
        );
    }
    // A floating series with a UTC UNTIL (iCloud, Zarafa).
    let text = cal("BEGIN:VEVENT
UID:u
DTSTART:20250308T090000
RRULE:FREQ=DAILY;UNTIL=20250309T090000Z
END:VEVENT");
    assert_eq!(expand(&text).instances.len(), 2);
}

// 7. EXDATE across zones and value types.

#[test]
fn exdate_matches_across_zones_and_value_types() {
    let text = cal("BEGIN:VEVENT
UID:x
DTSTART;TZID=Europe/Berlin:20250701T090000
RRULE:FREQ=DAILY;COUNT=6
EXDATE:20250702T070000Z
EXDATE;TZID=America/New_York:20250703T030000
EXDATE;VALUE=DATE:20250704
EXDATE;TZID=Europe/Berlin:20250705T090000
END:VEVENT");
    assert_eq!(
        starts(&expand(&text)),
        ["2025-07-01T07:00:00Z", "2025-07-06T07:00:00Z"]
    );
}

// 8. BYSETPOS.

#[test]
fn bysetpos_full_range_on_any_freq() {
    // The 366th day of the year: 31 December of leap years only.
    let text = cal("BEGIN:VEVENT
UID:s
DTSTART;VALUE=DATE:20231231
RRULE:FREQ=YEARLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=366;COUNT=3
END:VEVENT");
    assert_eq!(
        starts(&expand(&text)),
        ["2023-12-31", "2024-12-31", "2028-12-31"]
    );
    // -366: 1 January of leap years.
    let text = cal("BEGIN:VEVENT
UID:s
DTSTART;VALUE=DATE:20240101
RRULE:FREQ=YEARLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=-366;COUNT=2
END:VEVENT");
    assert_eq!(starts(&expand(&text)), ["2024-01-01", "2028-01-01"]);
    // BYSETPOS on DAILY with expanded hours: the last of 9, 12, 17 each day.
    let text = cal("BEGIN:VEVENT
UID:s
DTSTART:20250101T170000
RRULE:FREQ=DAILY;BYHOUR=9,12,17;BYSETPOS=-1;COUNT=2
END:VEVENT");
    assert_eq!(
        starts(&expand(&text)),
        ["2025-01-01T17:00:00", "2025-01-02T17:00:00"]
    );
}

// 9. RDATE as PERIOD, DATE-TIME and DATE.

#[test]
fn rdate_period_keeps_its_own_length() {
    let text = cal("BEGIN:VEVENT
UID:p
DTSTART:20250101T090000Z
DTEND:20250101T100000Z
RDATE;VALUE=PERIOD:20250105T120000Z/20250105T150000Z,20250106T120000Z/PT30M
RDATE:20250107T090000Z
END:VEVENT");
    let e = expand(&text);
    let spans: Vec<(String, String)> = e
        .instances
        .iter()
        .map(|i| (i.start.to_string(), i.end.to_string()))
        .collect();
    assert_eq!(
        spans,
        [
            ("2025-01-01T09:00:00Z".into(), "2025-01-01T10:00:00Z".into()),
            ("2025-01-05T12:00:00Z".into(), "2025-01-05T15:00:00Z".into()),
            ("2025-01-06T12:00:00Z".into(), "2025-01-06T12:30:00Z".into()),
            ("2025-01-07T09:00:00Z".into(), "2025-01-07T10:00:00Z".into()),
        ]
    );
}

// 10. RECURRENCE-ID overrides, THISANDFUTURE, CANCELLED, orphans.

#[test]
fn overrides_thisandfuture_cancelled_and_orphans() {
    let text = cal("BEGIN:VEVENT
UID:o
DTSTART:20250106T090000Z
DTEND:20250106T100000Z
RRULE:FREQ=WEEKLY;COUNT=6
SUMMARY:Standup
END:VEVENT
BEGIN:VEVENT
UID:o
RECURRENCE-ID:20250113T090000Z
DTSTART:20250113T110000Z
DTEND:20250113T113000Z
SUMMARY:Moved once
END:VEVENT
BEGIN:VEVENT
UID:o
RECURRENCE-ID:20250120T090000Z
STATUS:CANCELLED
DTSTART:20250120T090000Z
END:VEVENT
BEGIN:VEVENT
UID:o
RECURRENCE-ID;RANGE=THISANDFUTURE:20250203T090000Z
DTSTART:20250203T100000Z
DTEND:20250203T110000Z
SUMMARY:Later from now on
END:VEVENT
BEGIN:VEVENT
UID:o
RECURRENCE-ID:20250301T090000Z
DTSTART:20250301T090000Z
SUMMARY:Orphan
END:VEVENT");
    let e = expand(&text);
    let got: Vec<(String, Option<String>, String)> = e
        .instances
        .iter()
        .map(|i| {
            (
                i.start.to_string(),
                i.recurrence_id.map(|r| r.to_string()),
                i.summary.as_deref().unwrap_or("").to_string(),
            )
        })
        .collect();
    let row = |s: &str, r: &str, t: &str| (s.to_string(), Some(r.to_string()), t.to_string());
    assert_eq!(
        got,
        [
            row("2025-01-06T09:00:00Z", "2025-01-06T09:00:00Z", "Standup"),
            row("2025-01-13T11:00:00Z", "2025-01-13T09:00:00Z", "Moved once"),
            row("2025-01-27T09:00:00Z", "2025-01-27T09:00:00Z", "Standup"),
            row(
                "2025-02-03T10:00:00Z",
                "2025-02-03T09:00:00Z",
                "Later from now on"
            ),
            row(
                "2025-02-10T10:00:00Z",
                "2025-02-10T09:00:00Z",
                "Later from now on"
            ),
            row("2025-03-01T09:00:00Z", "2025-03-01T09:00:00Z", "Orphan"),
        ]
    );
    assert!(e.instances[1].overridden && !e.instances[0].overridden);
    assert!(has_note(&e, "matches no instance"));
}

// 11. Set semantics.

#[test]
fn rrule_rdate_and_two_rules_give_each_instant_once() {
    let text = cal("BEGIN:VEVENT
UID:set
DTSTART:20250101T090000Z
RRULE:FREQ=DAILY;COUNT=3
RRULE:FREQ=DAILY;INTERVAL=2;COUNT=2
RDATE:20250102T090000Z,20250110T090000Z
RDATE;TZID=Europe/Berlin:20250103T100000
END:VEVENT");
    assert_eq!(
        starts(&expand(&text)),
        [
            "2025-01-01T09:00:00Z",
            "2025-01-02T09:00:00Z",
            "2025-01-03T09:00:00Z",
            "2025-01-10T09:00:00Z"
        ]
    );
}

#[test]
fn exrule_removes_its_instances() {
    let text = cal("BEGIN:VEVENT
UID:exr
DTSTART:20250106T090000Z
RRULE:FREQ=DAILY;COUNT=7
EXRULE:FREQ=WEEKLY;BYDAY=SA,SU
END:VEVENT");
    assert_eq!(expand(&text).instances.len(), 5);
}

// DTSTART is the first instance and counts (RFC 5545), unless asked otherwise.

#[test]
fn dtstart_policy() {
    let text = cal("BEGIN:VEVENT
UID:d
DTSTART:20250101T090000Z
RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=2
END:VEVENT");
    assert_eq!(
        starts(&expand(&text)),
        ["2025-01-01T09:00:00Z", "2025-01-06T09:00:00Z"]
    );
    let e = expand_with(
        &text,
        ExpandOptions {
            dtstart: DtstartPolicy::OnlyIfMatched,
            ..ExpandOptions::default()
        },
    );
    assert_eq!(starts(&e), ["2025-01-06T09:00:00Z", "2025-01-13T09:00:00Z"]);
}

// Rule parts the rrule crate rejects, and diagnostics for what is ignored.

#[test]
fn legal_rules_the_crate_rejects_still_expand() {
    let text = cal("BEGIN:VEVENT
UID:r
DTSTART:20250101T090000Z
RRULE:FREQ=MINUTELY;INTERVAL=30;BYSECOND=0,60;COUNT=3;X-NAME=1
END:VEVENT");
    let e = expand(&text);
    assert_eq!(e.instances.len(), 3);
    assert!(has_note(&e, "X-NAME"));
    assert!(has_note(&e, "BYSECOND=60"));
    let text = cal("BEGIN:VEVENT
UID:r
DTSTART:20250101T090000Z
RRULE:RSCALE=HEBREW;FREQ=YEARLY;COUNT=3
END:VEVENT");
    let e = expand(&text);
    assert_eq!(starts(&e), ["2025-01-01T09:00:00Z"]);
    assert!(has_note(&e, "RSCALE=HEBREW"));
}

#[test]
fn yearly_defaults_from_dtstart() {
    // BYMONTHDAY alone: the month of DTSTART (Google Calendar's birthdays).
    let text = cal("BEGIN:VEVENT
UID:y
DTSTART;VALUE=DATE:20200716
RRULE:FREQ=YEARLY;WKST=MO;INTERVAL=1;BYMONTHDAY=16;COUNT=3
END:VEVENT");
    assert_eq!(
        starts(&expand(&text)),
        ["2020-07-16", "2021-07-16", "2022-07-16"]
    );
    // BYWEEKNO alone: the weekday of DTSTART.
    let text = cal("BEGIN:VEVENT
UID:y
DTSTART;VALUE=DATE:20110516
RRULE:FREQ=YEARLY;BYWEEKNO=20;COUNT=3
END:VEVENT");
    assert_eq!(
        starts(&expand(&text)),
        ["2011-05-16", "2012-05-14", "2013-05-13"]
    );
}

// 18. Limits are configurable, reported, and always present.

#[test]
fn limits_are_reported() {
    let text = cal("BEGIN:VEVENT
UID:l
DTSTART:20250101T090000Z
RRULE:FREQ=DAILY
END:VEVENT");
    let e = expand_with(
        &text,
        ExpandOptions {
            max_instances: 10,
            ..ExpandOptions::default()
        },
    );
    assert_eq!(e.instances.len(), 10);
    assert!(
        e.diagnostics.iter().any(|d| d.code == Code::Limit),
        "{:?}",
        e.diagnostics
    );
}

#[test]
fn a_rule_that_never_matches_ends_with_a_diagnostic() {
    let text = cal("BEGIN:VEVENT
UID:never
DTSTART:20250101T000000Z
RRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30
END:VEVENT");
    let e = expand(&text);
    assert_eq!(starts(&e), ["2025-01-01T00:00:00Z"]);
    assert!(
        e.diagnostics.iter().any(|d| d.code == Code::Recurrence),
        "{:?}",
        e.diagnostics
    );
}

// 19. Windows cost what they hold.

#[test]
fn a_window_far_from_dtstart() {
    let text = cal("BEGIN:VEVENT
UID:m
DTSTART;TZID=Europe/Berlin:20000101T000000
RRULE:FREQ=MINUTELY
END:VEVENT");
    let e = expand_with(
        &text,
        ExpandOptions {
            from: Some(utc("2026-06-01T10:00:00")),
            to: Some(utc("2026-06-01T11:00:00")),
            ..ExpandOptions::default()
        },
    );
    assert_eq!(e.instances.len(), 60);
    assert_eq!(e.instances[0].start.to_string(), "2026-06-01T10:00:00Z");
    assert_eq!(e.instances[59].start.to_string(), "2026-06-01T10:59:00Z");
}

#[test]
fn windowed_and_full_expansions_agree() {
    let text = cal(&format!(
        "{BERLIN_LIKE}
BEGIN:VEVENT
UID:w
DTSTART;TZID=Customized Time Zone:20200103T183000
DTEND;TZID=Customized Time Zone:20200103T193000
RRULE:FREQ=MONTHLY;INTERVAL=2;BYDAY=1FR,-1MO
EXDATE;TZID=Customized Time Zone:20240301T183000
END:VEVENT"
    ));
    let from = utc("2024-01-01T00:00:00");
    let to = utc("2025-01-01T00:00:00");
    let windowed = expand_with(
        &text,
        ExpandOptions {
            from: Some(from),
            to: Some(to),
            ..ExpandOptions::default()
        },
    );
    let full = expand_with(
        &text,
        ExpandOptions {
            max_instances: 10_000,
            ..ExpandOptions::default()
        },
    );
    let in_window: Vec<String> = full
        .instances
        .iter()
        .filter(|i| i.end.sort_key() > from && i.start.sort_key() < to)
        .map(|i| i.start.to_string())
        .collect();
    assert_eq!(starts(&windowed), in_window);
    assert_eq!(in_window.len(), 11);
}

// 25. All-day series stay dates and never drift.

#[test]
fn all_day_series_never_drift() {
    let text = cal("BEGIN:VEVENT
UID:a
DTSTART;VALUE=DATE:20250301
DTEND;VALUE=DATE:20250302
RRULE:FREQ=WEEKLY;COUNT=40
END:VEVENT");
    let e = expand(&text);
    assert_eq!(e.instances.len(), 40);
    let mut expected = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
    for i in &e.instances {
        assert_eq!(i.start, Moment::Date(expected));
        assert_eq!(i.end, Moment::Date(expected.succ_opt().unwrap()));
        expected += chrono::TimeDelta::days(7);
    }
}

// Non-recurring components give their one instance.

#[test]
fn single_events_and_todos() {
    let text = cal("BEGIN:VEVENT
UID:one
DTSTART:20250101T090000Z
DURATION:PT45M
END:VEVENT
BEGIN:VTODO
UID:todo
DTSTART;VALUE=DATE:20250102
END:VTODO");
    let e = expand(&text);
    assert_eq!(e.instances.len(), 2);
    assert_eq!(e.instances[0].end.to_string(), "2025-01-01T09:45:00Z");
    assert_eq!(e.instances[1].component, "VTODO");
    assert!(e.instances.iter().all(|i| i.recurrence_id.is_none()));
}

// Extension: a resolver added by a downstream crate.

#[test]
fn a_downstream_resolver_step() {
    struct Company;
    impl ZoneResolver for Company {
        fn resolve(&self, tzid: &str, _: Option<&Component>) -> Option<Resolved> {
            (tzid == "HQ Time").then(|| Resolved {
                zone: TimeZone::Iana(chrono_tz::Asia::Tokyo),
                source: ZoneSource::Custom("HQ Time".into()),
                notes: Vec::new(),
            })
        }
    }
    let text = cal("BEGIN:VEVENT\nUID:hq\nDTSTART;TZID=HQ Time:20250101T090000\nEND:VEVENT");
    let parsed = Parser::new().parse(text.as_bytes());
    let chain = ResolverChain::default().push(Box::new(Company));
    let e = Expander::with_resolver(Arc::new(chain), ExpandOptions::default())
        .expand_document(&parsed.document);
    assert_eq!(starts(&e), ["2025-01-01T00:00:00Z"]);
}

// vCalendar 1.0 series expand through their converted rules.

#[test]
fn vcalendar_rules_expand() {
    let text = "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VEVENT\r\nUID:v\r\nDTSTART:20250106T090000Z\r\nDTEND:20250106T100000Z\r\nRRULE:W1 MO WE #4\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    assert_eq!(
        starts(&expand(text)),
        [
            "2025-01-06T09:00:00Z",
            "2025-01-08T09:00:00Z",
            "2025-01-13T09:00:00Z",
            "2025-01-15T09:00:00Z"
        ]
    );
}

#[test]
fn overrides_moved_into_a_window_from_outside_it() {
    let text = cal("BEGIN:VEVENT
UID:mv
DTSTART:20250106T090000Z
DURATION:PT1H
RRULE:FREQ=WEEKLY
SUMMARY:Weekly
END:VEVENT
BEGIN:VEVENT
UID:mv
RECURRENCE-ID:20250113T090000Z
DTSTART:20250305T150000Z
DURATION:PT1H
SUMMARY:From January
END:VEVENT
BEGIN:VEVENT
UID:mv
RECURRENCE-ID:20250602T090000Z
DTSTART:20250304T150000Z
DURATION:PT1H
SUMMARY:From June
END:VEVENT
BEGIN:VEVENT
UID:mv
RECURRENCE-ID:20250101T090000Z
DTSTART:20250306T150000Z
DURATION:PT1H
SUMMARY:No such instance
END:VEVENT");
    let e = expand_with(
        &text,
        ExpandOptions {
            from: Some(utc("2025-03-01T00:00:00")),
            to: Some(utc("2025-03-08T00:00:00")),
            ..ExpandOptions::default()
        },
    );
    let got: Vec<(String, String)> = e
        .instances
        .iter()
        .map(|i| {
            (
                i.start.to_string(),
                i.summary.as_deref().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("2025-03-03T09:00:00Z".to_string(), "Weekly".to_string()),
            ("2025-03-04T15:00:00Z".to_string(), "From June".to_string()),
            (
                "2025-03-05T15:00:00Z".to_string(),
                "From January".to_string()
            ),
            (
                "2025-03-06T15:00:00Z".to_string(),
                "No such instance".to_string()
            ),
        ]
    );
    let orphans = orphan_notes(&e);
    assert_eq!(orphans.len(), 1, "{orphans:?}");
    assert!(orphans[0].contains("2025-01-01"));
}

#[test]
fn thisandfuture_moves_instances_into_a_window_and_keeps_wall_time() {
    let text = cal("BEGIN:VEVENT
UID:f
DTSTART:20250101T090000Z
DURATION:PT1H
RRULE:FREQ=DAILY
END:VEVENT
BEGIN:VEVENT
UID:f
RECURRENCE-ID;RANGE=THISANDFUTURE:20250110T090000Z
DTSTART:20250113T090000Z
DURATION:PT1H
SUMMARY:Three days later
END:VEVENT");
    let e = expand_with(
        &text,
        ExpandOptions {
            from: Some(utc("2025-02-10T00:00:00")),
            to: Some(utc("2025-02-11T00:00:00")),
            ..ExpandOptions::default()
        },
    );
    let got: Vec<(String, Option<String>)> = e
        .instances
        .iter()
        .map(|i| (i.start.to_string(), i.recurrence_id.map(|r| r.to_string())))
        .collect();
    assert_eq!(
        got,
        [(
            "2025-02-10T09:00:00Z".to_string(),
            Some("2025-02-07T09:00:00Z".to_string())
        )]
    );

    // Moved from a Friday in summer time to a Monday in winter time: the
    // later instances stay at 09:00 local.
    let text = cal("BEGIN:VEVENT
UID:w
DTSTART;TZID=Europe/Berlin:20251003T090000
DURATION:PT1H
RRULE:FREQ=WEEKLY;COUNT=6
END:VEVENT
BEGIN:VEVENT
UID:w
RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20251017T090000
DTSTART;TZID=Europe/Berlin:20251020T090000
DURATION:PT1H
END:VEVENT");
    assert_eq!(
        starts(&expand(&text)),
        [
            "2025-10-03T07:00:00Z",
            "2025-10-10T07:00:00Z",
            "2025-10-20T07:00:00Z",
            "2025-10-27T08:00:00Z",
            "2025-11-03T08:00:00Z",
            "2025-11-10T08:00:00Z"
        ]
    );
}

#[test]
fn overrides_of_a_counted_series_outside_a_window() {
    let text = cal("BEGIN:VEVENT
UID:c
DTSTART:20250101T090000Z
DURATION:PT1H
RRULE:FREQ=DAILY;COUNT=100
END:VEVENT
BEGIN:VEVENT
UID:c
RECURRENCE-ID:20250105T090000Z
DTSTART:20250301T120000Z
DURATION:PT1H
END:VEVENT
BEGIN:VEVENT
UID:c
RECURRENCE-ID:20250106T090030Z
DTSTART:20250301T150000Z
DURATION:PT1H
END:VEVENT");
    let e = expand_with(
        &text,
        ExpandOptions {
            from: Some(utc("2025-03-01T10:00:00")),
            to: Some(utc("2025-03-02T00:00:00")),
            ..ExpandOptions::default()
        },
    );
    assert_eq!(starts(&e), ["2025-03-01T12:00:00Z", "2025-03-01T15:00:00Z"]);
    let orphans = orphan_notes(&e);
    assert_eq!(orphans.len(), 1, "{orphans:?}");
    assert!(orphans[0].contains("09:00:30"));
}

#[test]
fn rdate_as_dates_in_an_all_day_series() {
    let text = cal("BEGIN:VEVENT
UID:d
DTSTART;VALUE=DATE:20250101
RRULE:FREQ=YEARLY;COUNT=2
RDATE;VALUE=DATE:20250704,20250101
EXDATE;VALUE=DATE:20260101
END:VEVENT");
    let e = expand(&text);
    assert_eq!(starts(&e), ["2025-01-01", "2025-07-04"]);
    assert!(
        e.instances
            .iter()
            .all(|i| matches!(i.start, Moment::Date(_)))
    );
}

#[test]
fn rule_and_zone_bounds_are_set_per_instance() {
    // Three RRULEs (DTSTART counts toward each COUNT); an expander allowing
    // two reads two.
    let text = cal("
BEGIN:VEVENT
UID:rules
DTSTAMP:20250101T000000Z
DTSTART:20250106T090000Z
RRULE:FREQ=WEEKLY;COUNT=2;BYDAY=MO
RRULE:FREQ=WEEKLY;COUNT=2;BYDAY=TU
RRULE:FREQ=WEEKLY;COUNT=2;BYDAY=WE
END:VEVENT");
    let all = expand(&text);
    assert_eq!(all.instances.len(), 4, "{:?}", starts(&all));
    let two = expand_with(
        &text,
        ExpandOptions {
            max_rules: 2,
            ..ExpandOptions::default()
        },
    );
    assert_eq!(
        starts(&two),
        [
            "2025-01-06T09:00:00Z",
            "2025-01-07T09:00:00Z",
            "2025-01-13T09:00:00Z"
        ]
    );
    assert!(has_note(&two, "3 RRULEs; only the first 2 are used"));
    // A VTIMEZONE of 3 observances, read by a resolver allowing 1: the
    // first observance (standard time, +01:00) is all there is.
    let zoned = cal("
BEGIN:VTIMEZONE
TZID:Few
BEGIN:STANDARD
DTSTART:19701025T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
DTSTART:19600101T000000
TZOFFSETFROM:+0100
TZOFFSETTO:+0100
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
UID:zoned
DTSTAMP:20250101T000000Z
DTSTART;TZID=Few:20250701T120000
END:VEVENT");
    assert_eq!(starts(&expand(&zoned)), ["2025-07-01T10:00:00Z"]);
    let limits = oxpim_recur::ZoneLimits {
        max_observances: 1,
        ..oxpim_recur::ZoneLimits::default()
    };
    let parsed = Parser::new().parse(zoned.as_bytes());
    let few = Expander::with_resolver(
        Arc::new(ResolverChain::with_zone_limits(limits)),
        ExpandOptions::default(),
    )
    .expand_document(&parsed.document);
    assert_eq!(starts(&few), ["2025-07-01T11:00:00Z"]);
    assert!(
        has_note(&few, "has 3 observances; only the first 1 are used"),
        "{:?}",
        few.diagnostics
    );
}

/// An end before the start gets no length and a note (the MAPI import
/// does the same); an all-day event's DURATION in hours counts whole days;
/// an event without DTSTART is said to have no instance.
#[test]
fn ends_before_starts_and_events_without_dates_are_said() {
    for end in ["DTEND:20240101T090000Z", "DURATION:-PT1H"] {
        let e = expand(&cal(&format!(
            "BEGIN:VEVENT\nUID:e\nDTSTART:20240101T100000Z\n{end}\nRRULE:FREQ=DAILY;COUNT=2\nEND:VEVENT"
        )));
        assert_eq!(e.instances.len(), 2);
        assert!(e.instances.iter().all(|i| i.end == i.start), "{end}");
        let notes: Vec<&str> = e
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .filter(|m| m.contains("end is before the start"))
            .collect();
        assert_eq!(notes.len(), 1, "{end}: {:?}", e.diagnostics);
    }
    let e = expand(&cal(
        "BEGIN:VEVENT\nUID:d\nDTSTART;VALUE=DATE:20240101\nDURATION:PT1H\nEND:VEVENT\nBEGIN:VEVENT\nUID:n\nSUMMARY:x\nEND:VEVENT",
    ));
    assert_eq!(e.instances.len(), 1);
    assert_eq!(e.instances[0].end.to_string(), "2024-01-02");
    assert!(has_note(&e, "not a number of whole days"));
    assert!(has_note(
        &e,
        "UID 'n': VEVENT without DTSTART has no instance"
    ));
    // Google's all-day `DURATION:PT86400S` is one whole day, said nothing of.
    let e = expand(&cal(
        "BEGIN:VEVENT\nUID:g\nDTSTART;VALUE=DATE:20041225\nDURATION:PT86400S\nEND:VEVENT",
    ));
    assert_eq!(e.instances[0].end.to_string(), "2004-12-26");
    assert!(e.diagnostics.is_empty(), "{:?}", e.diagnostics);
}

#[test]
fn a_series_stops_at_the_year_9999() {
    // iCalendar years have four digits (RFC 5545 §3.3.4): an instance in
    // 10000 was printed as "+10000-01-01T10:00:00Z".
    let e = expand(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:y\r\nDTSTART:99980101T100000Z\r\nRRULE:FREQ=YEARLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    assert_eq!(
        starts(&e),
        vec!["9998-01-01T10:00:00Z", "9999-01-01T10:00:00Z"]
    );
    assert!(
        e.diagnostics
            .iter()
            .any(|d| d.message.contains("after the year 9999"))
    );
}
