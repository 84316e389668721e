//! iCalendar → MAPI messages → .msg bytes → MAPI messages → iCalendar gives
//! the same instances (as `oxpim expand` prints them), attendees, alarms,
//! texts and categories.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;

use oxpim::{Component, Document, ExpandOptions, ExportOptions, ImportOptions};

const CALENDAR: &str = "BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Google Inc//Google Calendar 70.9054//EN\r
CALSCALE:GREGORIAN\r
METHOD:PUBLISH\r
X-WR-CALNAME:Team\r
X-WR-TIMEZONE:Europe/Berlin\r
BEGIN:VTIMEZONE\r
TZID:America/New_York\r
X-LIC-LOCATION:America/New_York\r
BEGIN:DAYLIGHT\r
TZOFFSETFROM:-0500\r
TZOFFSETTO:-0400\r
TZNAME:EDT\r
DTSTART:19700308T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r
END:DAYLIGHT\r
BEGIN:STANDARD\r
TZOFFSETFROM:-0400\r
TZOFFSETTO:-0500\r
TZNAME:EST\r
DTSTART:19701101T020000\r
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r
END:STANDARD\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
DTSTART;TZID=America/New_York:20250303T093000\r
DTEND;TZID=America/New_York:20250303T100000\r
RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20250430T235959Z\r
EXDATE;TZID=America/New_York:20250317T093000\r
DTSTAMP:20250101T120000Z\r
UID:standup-1@example.com\r
ORGANIZER;CN=Kim Lee:mailto:kim@example.com\r
ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Kim Lee;X-NUM-GUESTS=0:mailto:kim@example.com\r
ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=OPT-PARTICIPANT;PARTSTAT=TENTATIVE;CN=Ravi;X-NUM-GUESTS=0:mailto:ravi@example.com\r
ATTENDEE;CUTYPE=ROOM;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Room 5:mailto:room5@example.com\r
ATTENDEE;ROLE=CHAIR;PARTSTAT=DECLINED;DELEGATED-TO=\"mailto:sam@example.com\":mailto:pat@example.com\r
CREATED:20241215T101010Z\r
DESCRIPTION:Daily standup.\\nBring blockers\\, please.\r
LAST-MODIFIED:20250101T120000Z\r
LOCATION:Room 5\\, 2nd floor\r
SEQUENCE:2\r
STATUS:CONFIRMED\r
SUMMARY:Standup\r
TRANSP:OPAQUE\r
CATEGORIES:Work,Daily\r
GEO:40.7128;-74.0060\r
URL:https://example.com/standup\r
X-GOOGLE-CONFERENCE:https://meet.example.com/abc\r
ATTACH;FMTTYPE=application/pdf:https://example.com/agenda.pdf\r
BEGIN:VALARM\r
ACTION:DISPLAY\r
DESCRIPTION:This is an event reminder\r
TRIGGER:-P0DT0H10M0S\r
END:VALARM\r
BEGIN:VALARM\r
ACTION:AUDIO\r
TRIGGER:-PT1M\r
END:VALARM\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART;TZID=America/New_York:20250312T110000\r
DTEND;TZID=America/New_York:20250312T120000\r
DTSTAMP:20250101T120000Z\r
UID:standup-1@example.com\r
RECURRENCE-ID;TZID=America/New_York:20250312T093000\r
SUMMARY:Standup (moved)\r
LOCATION:Cafe\r
DESCRIPTION:Moved for the all-hands.\r
ORGANIZER;CN=Kim Lee:mailto:kim@example.com\r
ATTENDEE;PARTSTAT=ACCEPTED;CN=Kim Lee:mailto:kim@example.com\r
SEQUENCE:3\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART;VALUE=DATE:20250501\r
DTEND;VALUE=DATE:20250503\r
DTSTAMP:20250101T120000Z\r
UID:offsite@example.com\r
SUMMARY:Offsite\r
CATEGORIES:Travel\r
TRANSP:TRANSPARENT\r
BEGIN:VALARM\r
ACTION:DISPLAY\r
DESCRIPTION:Reminder\r
TRIGGER:-P1D\r
END:VALARM\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART;TZID=America/New_York:20250114T150000\r
DURATION:PT45M\r
RRULE:FREQ=MONTHLY;BYDAY=2TU;COUNT=6\r
DTSTAMP:20250101T120000Z\r
UID:review@example.com\r
SUMMARY:Monthly review\r
CLASS:PRIVATE\r
PRIORITY:1\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART:20250601T170000Z\r
DTEND:20250601T180000Z\r
DTSTAMP:20250101T120000Z\r
UID:call@example.com\r
SUMMARY:Call with Ünïcødé 😀\r
DESCRIPTION:Line one\\nLine two\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART;TZID=America/New_York:20250131T080000\r
DTEND;TZID=America/New_York:20250131T083000\r
RRULE:FREQ=MONTHLY;BYMONTHDAY=31;COUNT=5\r
DTSTAMP:20250101T120000Z\r
UID:month-end@example.com\r
SUMMARY:Month end\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART;TZID=America/New_York:20250304T160000\r
DTEND;TZID=America/New_York:20250304T170000\r
RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4\r
DTSTAMP:20250101T120000Z\r
UID:odd-start@example.com\r
SUMMARY:Starts on a Tuesday\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTART:20250704T090000\r
DTEND:20250704T100000\r
DTSTAMP:20250101T120000Z\r
UID:floating@example.com\r
SUMMARY:Fireworks prep\r
END:VEVENT\r
END:VCALENDAR\r
";

fn now() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2025, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
}

fn instances(doc: &Document) -> BTreeSet<String> {
    oxpim::expand(doc, ExpandOptions::default())
        .instances
        .iter()
        .map(|i| {
            format!(
                "{} {:?} {} {} {:?}",
                i.uid,
                i.recurrence_id.map(|m| m.to_string()),
                i.start,
                i.end,
                i.summary.as_deref()
            )
        })
        .collect()
}

fn events(doc: &Document) -> Vec<&Component> {
    let mut v: Vec<&Component> = doc.components[0].children("VEVENT").collect();
    v.sort_by_key(|e| {
        (
            e.text("UID").unwrap_or("").to_owned(),
            e.property("RECURRENCE-ID")
                .map(|p| format!("{:?}", p.value())),
        )
    });
    v
}

/// (address, PARTSTAT, ROLE, CUTYPE, DELEGATED-TO) of every ATTENDEE.
fn attendees(e: &Component) -> BTreeSet<String> {
    e.properties_named("ATTENDEE")
        .map(|p| {
            format!(
                "{} {:?} {:?} {:?} {:?} {:?}",
                p.as_text().unwrap_or(""),
                p.param("PARTSTAT"),
                p.param("ROLE").filter(|r| *r != "REQ-PARTICIPANT"),
                p.param("CUTYPE").filter(|c| *c != "INDIVIDUAL"),
                p.param("DELEGATED-TO"),
                p.param("CN"),
            )
        })
        .collect()
}

fn alarms(e: &Component) -> Vec<String> {
    e.children("VALARM")
        .map(|a| {
            format!(
                "{:?} {:?} {:?}",
                a.text("ACTION"),
                a.property("TRIGGER")
                    .and_then(|p| p.value())
                    .map(|v| format!("{v:?}")),
                a.text("DESCRIPTION")
            )
        })
        .collect()
}

fn categories(e: &Component) -> Vec<String> {
    e.properties_named("CATEGORIES")
        .flat_map(|p| {
            p.values()
                .as_slice()
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn round_trip(text: &str) -> (Document, Document, Vec<oxpim::Diagnostic>) {
    let parsed = oxpim::parse(text.as_bytes());
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    let imported = oxpim::calendar_to_messages(
        &parsed.document,
        ImportOptions {
            now: Some(now()),
            ..ImportOptions::default()
        },
    );
    // Through .msg files and back.
    let messages: Vec<oxpim::Message> = imported
        .messages
        .iter()
        .map(|m| oxpim::msg::from_bytes(&oxpim::msg::to_bytes(m).unwrap()).unwrap())
        .collect();
    assert_eq!(messages.len(), imported.messages.len());
    let exported = oxpim::messages_to_calendar(
        &messages,
        ExportOptions {
            now: Some(now()),
            ..ExportOptions::default()
        },
    );
    let text = oxpim::format(&exported.document);
    let back = oxpim::parse(&text);
    assert!(
        !back.has_errors(),
        "{:?}\n{}",
        back.diagnostics,
        String::from_utf8_lossy(&text)
    );
    let mut diags = imported.diagnostics;
    diags.extend(exported.diagnostics);
    (parsed.document, back.document, diags)
}

#[test]
fn everything_the_issue_lists_survives() {
    let (before, after, diags) = round_trip(CALENDAR);
    assert_eq!(instances(&before), instances(&after));
    // The odd-start series changes shape (a master and an orphan instance);
    // its instances were compared above.
    let not_odd = |e: &&Component| e.text("UID") != Some("odd-start@example.com");
    let b: Vec<&Component> = events(&before).into_iter().filter(not_odd).collect();
    let a: Vec<&Component> = events(&after).into_iter().filter(not_odd).collect();
    assert_eq!(b.len(), a.len(), "{a:#?}");
    for (x, y) in b.iter().zip(&a) {
        let uid = x.text("UID");
        assert_eq!(uid, y.text("UID"));
        // Absent CLASS means PUBLIC (RFC 5545), which Outlook stores.
        assert_eq!(
            x.text("CLASS").unwrap_or("PUBLIC"),
            y.text("CLASS").unwrap_or("PUBLIC"),
            "{uid:?}"
        );
        for name in [
            "SUMMARY",
            "DESCRIPTION",
            "LOCATION",
            "URL",
            "GEO",
            "X-GOOGLE-CONFERENCE",
            "STATUS",
        ] {
            assert_eq!(x.text(name), y.text(name), "{uid:?} {name}");
        }
        assert_eq!(
            x.property("PRIORITY").map(|p| p.value().cloned()),
            y.property("PRIORITY").map(|p| p.value().cloned()),
            "{uid:?}"
        );
        assert_eq!(attendees(x), attendees(y), "{uid:?}");
        assert_eq!(
            x.property("ORGANIZER").and_then(|p| p.as_text()),
            y.property("ORGANIZER").and_then(|p| p.as_text())
        );
        assert_eq!(alarms(x), alarms(y), "{uid:?}");
        assert_eq!(categories(x), categories(y), "{uid:?}");
        assert_eq!(x.text("ATTACH"), y.text("ATTACH"), "{uid:?}");
    }
    // A DTSTART its rule does not give: still four instances.
    let odd = instances(&after)
        .into_iter()
        .filter(|i| i.starts_with("odd-start"))
        .count();
    assert_eq!(odd, 4);
    // The calendar's own properties come back too.
    assert_eq!(after.components[0].text("X-WR-CALNAME"), Some("Team"));
    // The month-end rule has no Outlook form: said so, and kept.
    assert!(
        diags
            .iter()
            .any(|d| d.message.contains("recurrence not representable")
                && d.message.contains("day 31")),
        "{diags:?}"
    );
}

#[test]
fn the_bundled_example_survives() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/outlook-meeting.ics"
    ))
    .unwrap();
    let (before, after, _) = round_trip(&text);
    assert_eq!(instances(&before), instances(&after));
}

/// Every parameter of every ORGANIZER and ATTENDEE line, as
/// `NAME value,value` sets by address (names uppercase, values as written).
fn address_params(e: &Component) -> Vec<(String, BTreeSet<String>)> {
    let mut v: Vec<(String, BTreeSet<String>)> = e
        .properties
        .iter()
        .filter(|p| p.is("ORGANIZER") || p.is("ATTENDEE"))
        .map(|p| {
            let params = p
                .params()
                .iter()
                .map(|(n, param)| {
                    format!(
                        "{} {}",
                        n.to_ascii_uppercase(),
                        param.iter().collect::<Vec<_>>().join(",")
                    )
                })
                .collect();
            (
                format!("{} {}", p.name(), p.as_text().unwrap_or("").to_lowercase()),
                params,
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn organizer_and_attendee_parameters_come_back_as_written() {
    // Each line leaves out something export would otherwise write (CN,
    // RSVP, the ROLE and CUTYPE of its recipient type) or has parameters
    // Outlook has no property for (DIR, LANGUAGE, MEMBER, X-).
    let text = "BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//t//t//EN\r
METHOD:REQUEST\r
BEGIN:VEVENT\r
UID:params@example.com\r
DTSTAMP:20250101T000000Z\r
DTSTART:20250110T100000Z\r
DTEND:20250110T110000Z\r
SUMMARY:Parameters\r
ORGANIZER;DIR=\"ldap://example.com/o\";LANGUAGE=de;X-FOO=1:mailto:org@example.com\r
ATTENDEE;ROLE=NON-PARTICIPANT:mailto:e@example.com\r
ATTENDEE;CUTYPE=ROOM:mailto:room@example.com\r
ATTENDEE;CN=Plain:mailto:plain@example.com\r
ATTENDEE;CN=Asked;RSVP=TRUE:mailto:asked@example.com\r
ATTENDEE;CN=Opt;ROLE=OPT-PARTICIPANT;RSVP=FALSE:mailto:opt@example.com\r
ATTENDEE;CN=Grp;CUTYPE=GROUP;MEMBER=\"mailto:list@example.com\":mailto:g@example.com\r
END:VEVENT\r
END:VCALENDAR\r
";
    let (before, after, _) = round_trip(text);
    let (b, a) = (events(&before), events(&after));
    assert_eq!(b.len(), 1);
    assert_eq!(a.len(), 1);
    assert_eq!(address_params(b[0]), address_params(a[0]));
    // The organizer with a CN and a SENT-BY: both from Outlook's own
    // properties, still as written.
    let text = text.replace(
        "ORGANIZER;DIR=\"ldap://example.com/o\";LANGUAGE=de;X-FOO=1",
        "ORGANIZER;CN=Org;SENT-BY=\"mailto:assistant@example.com\"",
    );
    let (before, after, _) = round_trip(&text);
    assert_eq!(
        address_params(events(&before)[0]),
        address_params(events(&after)[0])
    );
}

/// Name, parameters and text of every line but ORGANIZER and ATTENDEE
/// (compared on their own) and those export writes of its own (DTSTAMP,
/// Outlook's X-MICROSOFT- lines, and CLASS and TRANSP, which Outlook always
/// has).
fn text_lines(e: &Component) -> Vec<String> {
    let mut v: Vec<String> = e
        .properties
        .iter()
        .filter(|p| {
            !["ORGANIZER", "ATTENDEE", "DTSTAMP", "CLASS", "TRANSP"]
                .iter()
                .any(|n| p.is(n))
                && !p.name().starts_with("X-MICROSOFT-")
        })
        .map(|p| {
            let mut params: Vec<String> = p
                .params()
                .iter()
                .map(|(n, v)| format!("{n}={}", v.iter().collect::<Vec<_>>().join(",")))
                .collect();
            params.sort();
            format!("{} {params:?} {:?}", p.name(), p.as_text())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn mapped_lines_keep_their_parameters_and_the_other_body_is_kept() {
    // Outlook has a locale for SUMMARY's LANGUAGE (de becomes de-DE), a URL
    // for LOCATION's ALTREP, nothing for the other parameters of mapped
    // lines, and one body: DESCRIPTION, or COMMENT in a reply; the other
    // one is kept as it is.
    for (method, body) in [("REQUEST", "DESCRIPTION"), ("REPLY", "COMMENT")] {
        let other = if body == "DESCRIPTION" {
            "COMMENT"
        } else {
            "DESCRIPTION"
        };
        let text = format!(
            "BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//t//t//EN\r
METHOD:{method}\r
BEGIN:VEVENT\r
UID:texts@example.com\r
DTSTAMP:20250101T000000Z\r
DTSTART;X-FOO=bar:20250110T100000Z\r
DTEND:20250110T110000Z\r
ORGANIZER;CN=Org:mailto:org@example.com\r
ATTENDEE;CN=Ann;PARTSTAT=ACCEPTED:mailto:ann@example.com\r
SUMMARY;LANGUAGE=de:Gro\u{df}e Besprechung\r
LOCATION;ALTREP=\"http://example.com/room\";LANGUAGE=en;X-P=1:Room 1\r
{body};ALTREP=\"cid:part1\";LANGUAGE=de:Zeile eins\\nZeile zwei\r
{other}:The other text\r
CATEGORIES;LANGUAGE=en:Blue,Green\r
CONTACT;ALTREP=\"ldap://example.com/jim\":Jim\r
PRIORITY;X-R=2:1\r
SEQUENCE;X-T=4:2\r
END:VEVENT\r
END:VCALENDAR\r
"
        );
        let (before, after, diags) = round_trip(&text);
        assert_eq!(
            text_lines(events(&before)[0]),
            text_lines(events(&after)[0]),
            "{method} {diags:?}"
        );
    }
}

#[test]
fn an_override_without_location_or_summary_has_none_after_msg() {
    // An override is a whole VEVENT (RFC 5545 §3.8.4.4); an exception
    // message inherits what it does not set, and .msg has no empty
    // strings: the ExceptionInfo's empty override must stand.
    let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:ov\r\nDTSTAMP:20250101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20250324T100000\r\nDTEND;TZID=Europe/Berlin:20250324T110000\r\nRRULE:FREQ=DAILY;COUNT=4\r\nSUMMARY:Series\r\nLOCATION:Here\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:ov\r\nDTSTAMP:20250101T000000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:20250325T100000\r\nDTSTART;TZID=Europe/Berlin:20250325T120000\r\nDTEND;TZID=Europe/Berlin:20250325T130000\r\nSUMMARY:Moved\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:ov\r\nDTSTAMP:20250101T000000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:20250326T100000\r\nDTSTART;TZID=Europe/Berlin:20250326T100000\r\nDTEND;TZID=Europe/Berlin:20250326T110000\r\nLOCATION:There\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let (_, back, _) = round_trip(text);
    let evs = events(&back);
    let by_rid = |day: &str| {
        evs.iter()
            .find(|e| {
                e.property("RECURRENCE-ID").is_some_and(|p| {
                    matches!(p.value(), Some(oxpim::Value::DateTime(dt))
                        if dt.local.format("%Y%m%d").to_string() == day)
                })
            })
            .copied()
            .unwrap()
    };
    let text_of = |e: &Component, name: &str| {
        e.property(name)
            .and_then(|p| p.as_text())
            .map(str::to_owned)
    };
    let moved = by_rid("20250325");
    assert_eq!(text_of(moved, "SUMMARY").as_deref(), Some("Moved"));
    assert_eq!(text_of(moved, "LOCATION"), None);
    let relocated = by_rid("20250326");
    assert_eq!(text_of(relocated, "LOCATION").as_deref(), Some("There"));
    assert_eq!(text_of(relocated, "SUMMARY"), None);
    let master = evs.iter().find(|e| e.property("RRULE").is_some()).unwrap();
    assert_eq!(text_of(master, "LOCATION").as_deref(), Some("Here"));
}
