//! Outlook messages → iCalendar → Outlook messages: what export writes must
//! bring the messages back (found by converting the corpus's .msg files to
//! .ics and back).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use oxpim_contentline::{WriteOptions, write_document};
use oxpim_mapi::ical::{ExportOptions, Exporter, ImportOptions, Imported, Importer};
use oxpim_mapi::props;
use oxpim_mapi::{Message, PropValue, PropertyBag};

fn import(text: &str) -> Imported {
    let parsed = oxpim_contentline::parse(text.as_bytes());
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    Importer::new(ImportOptions::default()).import(&parsed.document)
}

fn export(messages: &[Message]) -> (String, Vec<String>) {
    let exported = Exporter::new(ExportOptions::default()).export(messages);
    let text = String::from_utf8(write_document(
        &exported.document,
        &WriteOptions::canonical(),
    ))
    .unwrap();
    let warnings = exported
        .diagnostics
        .iter()
        .map(|d| d.message.clone())
        .collect();
    (text, warnings)
}

fn all_day(zone: &str, uid: &str, day: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-TIMEZONE:{zone}\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART;VALUE=DATE:{day}\r\nSUMMARY:Holiday\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn start(m: &Message) -> Option<PropValue> {
    m.properties
        .get_def(&props::PID_LID_APPOINTMENT_START_WHOLE)
        .cloned()
}

#[test]
fn all_day_events_come_back_on_their_days() {
    // All-day events are midnights of a zone (Tokyo: 15:00 UTC the day
    // before); export writes dates, and names the zone in X-WR-TIMEZONE so
    // that they are read in it again, not in UTC.
    let first = import(&all_day("Asia/Tokyo", "a", "20221202")).messages;
    assert_eq!(
        start(&first[0]),
        Some(PropValue::Time(
            oxpim_mapi::FileTime::from_datetime(
                chrono::NaiveDate::from_ymd_opt(2022, 12, 1)
                    .unwrap()
                    .and_hms_opt(15, 0, 0)
                    .unwrap()
                    .and_utc()
            )
            .unwrap()
        ))
    );
    let (text, _) = export(&first);
    assert!(text.contains("\r\nX-WR-TIMEZONE:"), "{text}");
    assert!(text.contains("DTSTART;VALUE=DATE:20221202"), "{text}");
    let again = import(&text).messages;
    assert_eq!(start(&again[0]), start(&first[0]));

    // Two zones: no X-WR-TIMEZONE can name both, so none is written.
    let mut two = first.clone();
    two.extend(import(&all_day("Europe/Berlin", "b", "20221202")).messages);
    let (text, _) = export(&two);
    assert!(!text.contains("X-WR-TIMEZONE"), "{text}");
}

fn row(pairs: &[(&props::PropDef, PropValue)]) -> PropertyBag {
    let mut r = PropertyBag::new();
    for (def, v) in pairs {
        r.set(def, v.clone()).unwrap();
    }
    r
}

fn appointment(state_flags: i32, recipients: Vec<PropertyBag>) -> Message {
    let mut m = import(&all_day("UTC", "m", "20250101")).messages.remove(0);
    m.properties
        .set(&props::PID_LID_APPOINTMENT_STATE_FLAGS, state_flags)
        .unwrap();
    m.recipients = recipients;
    m
}

#[test]
fn a_recipient_with_an_unknown_address_type_is_still_an_attendee() {
    // Aspose writes PidTagAddressType UNKNOWN with an SMTP address.
    let m = appointment(
        1,
        vec![row(&[
            (&props::PID_TAG_RECIPIENT_TYPE, PropValue::I32(1)),
            (&props::PID_TAG_DISPLAY_NAME, PropValue::from("Test")),
            (&props::PID_TAG_ADDRESS_TYPE, PropValue::from("UNKNOWN")),
            (
                &props::PID_TAG_EMAIL_ADDRESS,
                PropValue::from("test@email.com"),
            ),
        ])],
    );
    let (text, _) = export(std::slice::from_ref(&m));
    assert!(
        text.contains("ATTENDEE;CN=Test;RSVP=") && text.contains(":mailto:test@email.com"),
        "{text}"
    );
    // An Exchange DN is not an SMTP address.
    let mut dn = m;
    dn.recipients[0]
        .set(
            &props::PID_TAG_EMAIL_ADDRESS,
            PropValue::from("/o=Org/cn=Recipients/cn=test"),
        )
        .unwrap();
    let (text, _) = export(&[dn]);
    assert!(text.contains(":invalid:nomail"), "{text}");
}

#[test]
fn attendees_of_an_appointment_that_is_not_a_meeting_are_said_to_be_left_out() {
    let attendee = row(&[
        (&props::PID_TAG_RECIPIENT_TYPE, PropValue::I32(1)),
        (&props::PID_TAG_RECIPIENT_FLAGS, PropValue::I32(1)),
        (
            &props::PID_TAG_SMTP_ADDRESS,
            PropValue::from("ann@example.com"),
        ),
    ]);
    let owner = row(&[
        (&props::PID_TAG_RECIPIENT_TYPE, PropValue::I32(1)),
        (&props::PID_TAG_RECIPIENT_FLAGS, PropValue::I32(3)),
        (
            &props::PID_TAG_SMTP_ADDRESS,
            PropValue::from("me@example.com"),
        ),
    ]);
    let said = |m: Message| {
        let (text, warnings) = export(&[m]);
        assert!(!text.contains("ATTENDEE"), "{text}");
        warnings
            .iter()
            .filter(|w| w.contains("not a meeting"))
            .count()
    };
    assert_eq!(said(appointment(0, vec![owner.clone(), attendee])), 1);
    // The owner's own row alone is no loss.
    assert_eq!(said(appointment(0, vec![owner])), 0);
}

#[test]
fn what_a_line_left_out_gives_way_to_changes_made_in_outlook() {
    // The line had no ROLE and no RSVP, and export leaves them out again;
    // but a recipient made optional, and responses requested, in Outlook
    // are written.
    let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:r\r\nDTSTART:20250101T100000Z\r\nORGANIZER;CN=Org:mailto:org@example.com\r\nATTENDEE;CUTYPE=RESOURCE;CN=Room:mailto:room@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let mut m = import(text).messages.remove(0);
    let attendee = |m: &Message| {
        let (text, _) = export(std::slice::from_ref(m));
        text.lines()
            .find(|l| l.starts_with("ATTENDEE"))
            .unwrap()
            .to_owned()
    };
    let before = attendee(&m);
    assert!(
        !before.contains("ROLE=") && !before.contains("RSVP="),
        "{before}"
    );
    let row = m
        .recipients
        .iter_mut()
        .find(|r| r.i32(&props::PID_TAG_RECIPIENT_TYPE) == Some(3))
        .unwrap();
    row.set(&props::PID_TAG_RECIPIENT_TYPE, PropValue::I32(2))
        .unwrap();
    m.properties
        .set(&props::PID_TAG_RESPONSE_REQUESTED, true)
        .unwrap();
    let after = attendee(&m);
    assert!(
        after.contains("ROLE=OPT-PARTICIPANT") && after.contains("RSVP=TRUE"),
        "{after}"
    );
}

#[test]
fn a_reply_exported_as_a_publish_has_one_description() {
    // A reply's DESCRIPTION is kept (its body is COMMENT); exported with
    // another METHOD the body is the DESCRIPTION, and the kept one gives way.
    let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:q\r\nDTSTART:20250101T100000Z\r\nORGANIZER:mailto:org@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:ann@example.com\r\nCOMMENT:See you\r\nDESCRIPTION:Agenda\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let m = import(text).messages;
    let (same, _) = export(&m);
    assert!(
        same.contains("COMMENT:See you") && same.contains("DESCRIPTION:Agenda"),
        "{same}"
    );
    let publish = Exporter::new(ExportOptions {
        method: Some("PUBLISH".into()),
        ..ExportOptions::default()
    })
    .export(&m);
    let text = String::from_utf8(write_document(
        &publish.document,
        &WriteOptions::canonical(),
    ))
    .unwrap();
    assert_eq!(text.matches("\r\nDESCRIPTION").count(), 1, "{text}");
    assert!(
        publish
            .diagnostics
            .iter()
            .any(|d| d.message.contains("DESCRIPTION kept from a reply"))
    );
}

#[test]
fn kept_parameters_go_back_only_onto_the_text_they_described() {
    // A CONTACT's ALTREP and a DESCRIPTION's ALTREP and X- parameter come
    // back while the texts are the ones they described (a body with other
    // line breaks is the same text); a contact or body replaced in Outlook
    // does not take them, and export says so.
    let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:k\r\nDTSTART:20250101T100000Z\r\nSUMMARY:Review\r\nCONTACT;ALTREP=\"ldap://x/cn=Jim\":Jim Dolittle\r\nDESCRIPTION;ALTREP=\"cid:part1\";X-KIND=agenda:First line\\nSecond line\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let mut m = import(text).messages.remove(0);
    let line = |m: &Message, name: &str| {
        let (text, warnings) = export(std::slice::from_ref(m));
        let unfolded = text.replace("\r\n ", "");
        let line = unfolded
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap()
            .to_owned();
        (line, warnings)
    };
    let (contact, _) = line(&m, "CONTACT");
    assert!(contact.contains("ALTREP=\"ldap://x/cn=Jim\""), "{contact}");
    let (body, _) = line(&m, "DESCRIPTION");
    assert!(
        body.contains("ALTREP=\"cid:part1\"") && body.contains("X-KIND=agenda"),
        "{body}"
    );
    // The body as Outlook keeps it has CRLF breaks: still the same text.
    let stored = m.properties.get_def(&props::PID_TAG_BODY).cloned();
    assert_eq!(
        stored,
        Some(PropValue::String("First line\r\nSecond line".into()))
    );
    m.properties
        .set(
            &props::PID_LID_CONTACTS,
            PropValue::MvString(vec!["Ann Other".into()]),
        )
        .unwrap();
    m.properties
        .set(&props::PID_TAG_BODY, "Rewritten in Outlook")
        .unwrap();
    let (contact, warnings) = line(&m, "CONTACT");
    assert_eq!(contact, "CONTACT:Ann Other");
    let (body, _) = line(&m, "DESCRIPTION");
    assert_eq!(body, "DESCRIPTION:Rewritten in Outlook");
    let said: Vec<&String> = warnings
        .iter()
        .filter(|w| w.contains("the text they described was changed"))
        .collect();
    assert_eq!(said.len(), 2, "{warnings:?}");
    assert!(
        said.iter()
            .any(|w| w.starts_with("CONTACT parameters ALTREP "))
    );
    assert!(
        said.iter()
            .any(|w| w.starts_with("DESCRIPTION parameters ALTREP, X-KIND "))
    );
}

#[test]
fn an_organizer_with_an_exchange_address_only_is_still_the_organizer() {
    // Aspose's meeting request: the organizer is known by name and an
    // Exchange DN (address type EX), with no SMTP address and no row.
    let mut m = appointment(
        1,
        vec![row(&[
            (&props::PID_TAG_RECIPIENT_TYPE, PropValue::I32(1)),
            (&props::PID_TAG_DISPLAY_NAME, PropValue::from("Ann")),
            (
                &props::PID_TAG_SMTP_ADDRESS,
                PropValue::from("ann@example.com"),
            ),
        ])],
    );
    for (def, v) in [
        (&props::PID_TAG_SENT_REPRESENTING_NAME, "Kashif Iqbal"),
        (&props::PID_TAG_SENT_REPRESENTING_ADDRESS_TYPE, "EX"),
        (
            &props::PID_TAG_SENT_REPRESENTING_EMAIL_ADDRESS,
            "/o=Org/cn=Recipients/cn=Kashif Iqbal",
        ),
    ] {
        m.properties.set(def, v).unwrap();
    }
    let (text, warnings) = export(std::slice::from_ref(&m));
    assert!(
        text.contains("ORGANIZER;CN=Kashif Iqbal:invalid:nomail\r\n"),
        "{text}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("no SMTP address (address type EX)")),
        "{warnings:?}"
    );
    // Read back, the organizer's name is kept, and written again.
    let again = import(&text).messages;
    assert_eq!(
        again[0]
            .properties
            .get_def(&props::PID_TAG_SENT_REPRESENTING_NAME)
            .and_then(PropValue::as_str),
        Some("Kashif Iqbal")
    );
    let (text2, _) = export(&again);
    assert!(
        text2.contains("ORGANIZER;CN=Kashif Iqbal:invalid:nomail\r\n"),
        "{text2}"
    );
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> PropValue {
    PropValue::Time(
        oxpim_mapi::FileTime::from_datetime(
            chrono::NaiveDate::from_ymd_opt(y, mo, d)
                .unwrap()
                .and_hms_opt(h, mi, 0)
                .unwrap()
                .and_utc(),
        )
        .unwrap(),
    )
}

#[test]
fn times_in_the_repeated_hour_keep_their_instant() {
    // New York, 2 November 2025: clocks go from 02:00 EDT back to 01:00
    // EST, so 01:00-01:59 happens twice. 00:30 EDT + 1h30 ends at the
    // second 01:00 (06:00Z), which a TZID time cannot name: RFC 5545
    // §3.3.5 reads it as the first (05:00Z).
    let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:fold\r\nDTSTAMP:20250101T000000Z\r\nDTSTART;TZID=America/New_York:20251102T003000\r\nDURATION:PT1H30M\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:series\r\nDTSTAMP:20250101T000000Z\r\nDTSTART;TZID=America/New_York:20251030T090000\r\nDURATION:PT30M\r\nRRULE:FREQ=DAILY;COUNT=5\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:series\r\nDTSTAMP:20250101T000000Z\r\nRECURRENCE-ID;TZID=America/New_York:20251102T090000\r\nDTSTART:20251102T063000Z\r\nDTEND:20251102T070000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let first = import(text).messages;
    let end = first[0]
        .properties
        .get_def(&props::PID_LID_APPOINTMENT_END_WHOLE)
        .cloned();
    assert_eq!(end, Some(utc(2025, 11, 2, 6, 0)));
    let (out, _) = export(&first);
    assert!(out.contains("DTEND:20251102T060000Z\r\n"), "{out}");
    // The override starts at the second 01:30 and keeps that instant.
    assert!(out.contains("DTSTART:20251102T063000Z\r\n"), "{out}");
    let again = import(&out).messages;
    let end = again[0]
        .properties
        .get_def(&props::PID_LID_APPOINTMENT_END_WHOLE)
        .cloned();
    assert_eq!(end, Some(utc(2025, 11, 2, 6, 0)));
    // Times that are not ambiguous stay local.
    assert!(
        out.contains("DTSTART;TZID=America/New_York:20251030T090000\r\n"),
        "{out}"
    );
}

#[test]
fn a_priority_comes_back_while_its_importance_stands() {
    // Outlook has three importances for PRIORITY's nine values
    // (MS-OXCICAL: 1-4 high, 5 normal, 6-9 low): PRIORITY:3 came back as 1.
    let text = |prio: u8| {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:p{prio}\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250303T100000Z\r\nPRIORITY:{prio}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )
    };
    for (prio, importance) in [(3u8, 2), (6, 0), (5, 1), (1, 2), (9, 0)] {
        let ms = import(&text(prio)).messages;
        assert_eq!(
            ms[0].properties.i32(&props::PID_TAG_IMPORTANCE),
            Some(importance)
        );
        let (out, _) = export(&ms);
        assert!(out.contains(&format!("\r\nPRIORITY:{prio}\r\n")), "{out}");
    }
    // Changed in Outlook: the importance's own priority.
    let mut ms = import(&text(3)).messages;
    ms[0]
        .properties
        .insert(props::PID_TAG_IMPORTANCE.key(), PropValue::I32(0));
    let (out, _) = export(&ms);
    assert!(out.contains("\r\nPRIORITY:9\r\n"), "{out}");
}

#[test]
fn a_category_with_a_separator_is_said() {
    // MS-OXCICAL removes list separators from a category; it was done
    // without a word.
    let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:c\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250303T100000Z\r\nCATEGORIES:a\\,b,c\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let imported = import(text);
    assert_eq!(
        imported.messages[0]
            .properties
            .get_def(&props::PID_NAME_KEYWORDS)
            .and_then(PropValue::as_strings),
        Some(&["a b".to_owned(), "c".to_owned()][..])
    );
    assert!(
        imported.diagnostics.iter().any(|d| d
            .message
            .contains("category \"a,b\" holds a list separator")),
        "{:?}",
        imported.diagnostics
    );
}

#[test]
fn a_rejected_series_is_not_said_to_be_kept() {
    // --unrepresentable reject: no message, so nothing keeps the rule (the
    // error said "the rule is kept for export").
    let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:r\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250303T100000Z\r\nRRULE:FREQ=HOURLY;COUNT=3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let parsed = oxpim_contentline::parse(text.as_bytes());
    let imported = Importer::new(ImportOptions {
        unrepresentable: oxpim_mapi::ical::Unrepresentable::Reject,
        ..ImportOptions::default()
    })
    .import(&parsed.document);
    assert!(imported.messages.is_empty());
    let d = imported
        .diagnostics
        .iter()
        .find(|d| d.message.contains("not representable"))
        .unwrap();
    assert!(d.message.contains("not imported"), "{}", d.message);
    assert!(!d.message.contains("kept for export"), "{}", d.message);
}

#[test]
fn several_meeting_requests_in_one_calendar_are_said_to_be_published() {
    let request = |uid: &str| {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250303T100000Z\r\nORGANIZER:mailto:org@example.com\r\nATTENDEE:mailto:ann@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )
    };
    let mut ms = import(&request("a")).messages;
    ms.extend(import(&request("b")).messages);
    let (out, warnings) = export(&ms);
    assert!(out.contains("METHOD:PUBLISH\r\n"), "{out}");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("some are REQUEST are written as one METHOD:PUBLISH")),
        "{warnings:?}"
    );
    // One message keeps its method, without a word.
    let (out, warnings) = export(&ms[..1]);
    assert!(out.contains("METHOD:REQUEST\r\n"), "{out}");
    assert!(!warnings.iter().any(|w| w.contains("METHOD:PUBLISH")));
}
