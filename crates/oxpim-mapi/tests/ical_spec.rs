//! MS-OXCICAL §3 examples imported, with the properties the specification's
//! rules give (mapi-calendar.md §10.1), and blobs byte for byte.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use chrono::NaiveDate;
use oxpim_mapi::blob::{GlobalObjectId, to_hex};
use oxpim_mapi::ical::{ImportOptions, Imported, Importer};
use oxpim_mapi::{FileTime, Message, PropValue, props};

fn now() -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2008, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
}

fn import(text: &str) -> Imported {
    let parsed = oxpim_contentline::parse(text.as_bytes());
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    Importer::new(ImportOptions {
        now: Some(now()),
        ..ImportOptions::default()
    })
    .import(&parsed.document)
}

fn get<'m>(m: &'m Message, name: &str) -> Option<&'m PropValue> {
    let def = props::by_name(name).unwrap_or_else(|| panic!("{name} not in the table"));
    m.properties.get_def(def)
}

fn int(m: &Message, name: &str) -> Option<i32> {
    get(m, name).and_then(PropValue::as_i32)
}

fn text(m: &Message, name: &str) -> Option<String> {
    get(m, name).and_then(PropValue::as_str).map(str::to_owned)
}

fn flag(m: &Message, name: &str) -> Option<bool> {
    get(m, name).and_then(PropValue::as_bool)
}

fn time(m: &Message, name: &str) -> Option<u64> {
    get(m, name).and_then(PropValue::as_time).map(|t| t.0)
}

fn bin(m: &Message, name: &str) -> Option<String> {
    get(m, name).and_then(PropValue::as_binary).map(to_hex)
}

const REQUEST: &str = "BEGIN:VCALENDAR\r
PRODID:-//Microsoft Corporation//Outlook 12.0 MIMEDIR//EN\r
VERSION:2.0\r
METHOD:REQUEST\r
X-MS-OLK-FORCEINSPECTOROPEN:TRUE\r
BEGIN:VEVENT\r
ATTENDEE;CN=sito@contoso.com;RSVP=TRUE:mailto:sito@contoso.com\r
CLASS:PUBLIC\r
CREATED:20080208T173955Z\r
DESCRIPTION:When: Friday\\, February 08\\, 2008 12:00 PM-12:30 PM (GMT-08:00) Pacific Time (US & Canada).\\n\r
DTEND:20080208T203000Z\r
DTSTAMP:20080208T173955Z\r
DTSTART:20080208T200000Z\r
LAST-MODIFIED:20080208T173955Z\r
LOCATION:Fourth Coffee\r
ORGANIZER;CN=\"Elizabeth Andersen\":mailto:eandersen@contoso.com\r
PRIORITY:5\r
SEQUENCE:0\r
SUMMARY;LANGUAGE=en-us:Lunch?\r
TRANSP:OPAQUE\r
UID:040000008200E00074C5B7101A82E0080000000010C4F838346AC801000000000000000\r
 0100000002009EB53F098B249AD66CBE6BB3B8B99\r
X-ALT-DESC;FMTTYPE=text/html:<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2//E\r
 N\"><HTML><BODY>When: Friday</BODY></HTML>\r
X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE\r
X-MICROSOFT-CDO-IMPORTANCE:1\r
X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY\r
X-MICROSOFT-DISALLOW-COUNTER:FALSE\r
X-MS-OLK-ALLOWEXTERNCHECK:TRUE\r
X-MS-OLK-AUTOSTARTCHECK:FALSE\r
X-MS-OLK-CONFTYPE:0\r
X-MS-OLK-SENDER;CN=\"Elizabeth Andersen\":mailto:eandersen@contoso.com\r
BEGIN:VALARM\r
TRIGGER:-PT15M\r
ACTION:DISPLAY\r
DESCRIPTION:Reminder\r
END:VALARM\r
END:VEVENT\r
END:VCALENDAR\r
";

#[test]
fn organizer_meeting_request() {
    // MS-OXCICAL §3.3.1.
    let out = import(REQUEST);
    assert!(
        out.diagnostics
            .iter()
            .all(|d| d.severity != oxpim_contentline::Severity::Error),
        "{:?}",
        out.diagnostics
    );
    assert_eq!(out.messages.len(), 1);
    let m = &out.messages[0];
    assert_eq!(
        m.message_class().as_deref(),
        Some("IPM.Schedule.Meeting.Request")
    );
    assert_eq!(
        time(m, "PidLidAppointmentStartWhole"),
        Some(0x01C8_6A8D_2F81_6000)
    );
    assert_eq!(time(m, "PidTagStartDate"), Some(0x01C8_6A8D_2F81_6000));
    assert_eq!(
        time(m, "PidLidAppointmentEndWhole"),
        Some(0x01C8_6A91_6063_9400)
    );
    assert_eq!(int(m, "PidLidAppointmentDuration"), Some(30));
    assert_eq!(flag(m, "PidLidAppointmentSubType"), Some(false));
    // UTC times: no display zones.
    assert_eq!(
        get(m, "PidLidAppointmentTimeZoneDefinitionStartDisplay"),
        None
    );
    let goid = GlobalObjectId::decode(get(m, "PidLidGlobalObjectId").unwrap().as_binary().unwrap())
        .unwrap();
    assert_eq!((goid.year, goid.month, goid.day), (0, 0, 0));
    assert_eq!(goid.creation_time, 0x01C8_6A34_38F8_C410);
    assert_eq!(to_hex(&goid.data), "2009EB53F098B249AD66CBE6BB3B8B99");
    assert_eq!(
        bin(m, "PidLidCleanGlobalObjectId"),
        bin(m, "PidLidGlobalObjectId")
    );
    assert_eq!(text(m, "PidTagSubject").as_deref(), Some("Lunch?"));
    assert_eq!(int(m, "PidTagMessageLocaleId"), Some(0x0409));
    assert_eq!(text(m, "PidLidLocation").as_deref(), Some("Fourth Coffee"));
    assert_eq!(int(m, "PidTagSensitivity"), Some(0));
    assert_eq!(int(m, "PidTagImportance"), Some(1));
    assert_eq!(int(m, "PidLidAppointmentSequence"), Some(0));
    assert_eq!(
        time(m, "PidLidOwnerCriticalChange")
            .map(FileTime)
            .and_then(|t| t.to_datetime())
            .map(|d| d.to_rfc3339())
            .as_deref(),
        Some("2008-02-08T17:39:55+00:00")
    );
    assert_eq!(int(m, "PidLidBusyStatus"), Some(1));
    assert_eq!(int(m, "PidLidIntendedBusyStatus"), Some(2));
    assert_eq!(flag(m, "PidLidAppointmentNotAllowPropose"), Some(false));
    assert_eq!(flag(m, "PidLidAllowExternalCheck"), Some(true));
    assert_eq!(flag(m, "PidLidAutoStartCheck"), Some(false));
    assert_eq!(int(m, "PidLidConferencingType"), Some(0));
    assert_eq!(flag(m, "PidLidFInvited"), Some(true));
    assert_eq!(flag(m, "PidTagResponseRequested"), Some(true));
    assert_eq!(flag(m, "PidTagReplyRequested"), Some(true));
    assert_eq!(int(m, "PidLidAppointmentStateFlags"), Some(3));
    assert_eq!(int(m, "PidLidResponseStatus"), Some(5));
    assert_eq!(flag(m, "PidLidRecurring"), Some(false));
    assert_eq!(get(m, "PidLidAppointmentRecur"), None);
    // Recipients: the organizer, then the attendee.
    assert_eq!(m.recipients.len(), 2);
    let row = |i: usize, name: &str| {
        let def = props::by_name(name).unwrap();
        m.recipients[i].get_def(def).cloned()
    };
    assert_eq!(row(0, "PidTagRecipientFlags"), Some(PropValue::I32(3)));
    assert_eq!(row(0, "PidTagRecipientType"), Some(PropValue::I32(1)));
    assert_eq!(
        row(0, "PidTagDisplayName"),
        Some(PropValue::String("Elizabeth Andersen".into()))
    );
    assert_eq!(row(1, "PidTagRecipientFlags"), Some(PropValue::I32(1)));
    assert_eq!(row(1, "PidTagRecipientType"), Some(PropValue::I32(1)));
    assert_eq!(
        row(1, "PidTagDisplayName"),
        Some(PropValue::String("sito@contoso.com".into()))
    );
    assert_eq!(
        row(1, "PidTagEmailAddress"),
        Some(PropValue::String("sito@contoso.com".into()))
    );
    assert_eq!(
        text(m, "PidTagSenderName").as_deref(),
        Some("Elizabeth Andersen")
    );
    assert_eq!(
        text(m, "PidTagSenderEmailAddress").as_deref(),
        Some("eandersen@contoso.com")
    );
    // The reminder: 15 minutes; the meeting is after "now", so it is set.
    assert_eq!(int(m, "PidLidReminderDelta"), Some(15));
    assert_eq!(flag(m, "PidLidReminderSet"), Some(true));
    assert_eq!(time(m, "PidLidReminderTime"), Some(0x01C8_6A8D_2F81_6000));
    assert_eq!(
        time(m, "PidLidReminderSignalTime"),
        Some(0x01C8_6A8D_2F81_6000 - 15 * 60 * 10_000_000)
    );
    let body = text(m, "PidTagBody").unwrap();
    assert!(
        body.starts_with("When: Friday, February 08, 2008"),
        "{body}"
    );
    let html = get(m, "PidTagHtml").and_then(PropValue::as_binary).unwrap();
    assert!(String::from_utf8_lossy(html).contains("<BODY>When: Friday</BODY>"));
}

#[test]
fn cancellation() {
    // MS-OXCICAL §3.3.3: same structure, these lines differ.
    let text_ = REQUEST
        .replace("METHOD:REQUEST", "METHOD:CANCEL")
        .replace("PRIORITY:5", "PRIORITY:1")
        .replace("SEQUENCE:0", "SEQUENCE:1")
        .replace(
            "SUMMARY;LANGUAGE=en-us:Lunch?",
            "SUMMARY;LANGUAGE=en-us:Canceled: Lunch?",
        )
        .replace("TRANSP:OPAQUE", "TRANSP:TRANSPARENT")
        .replace(
            "X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE",
            "X-MICROSOFT-CDO-BUSYSTATUS:FREE",
        )
        .replace(
            "X-MICROSOFT-CDO-IMPORTANCE:1",
            "X-MICROSOFT-CDO-IMPORTANCE:2",
        )
        .replace(
            "X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY\r\n",
            "X-MS-OLK-APPTSEQTIME:20080208T174833Z\r\n",
        );
    let out = import(&text_);
    let m = &out.messages[0];
    let request = &import(REQUEST).messages[0];
    assert_eq!(
        m.message_class().as_deref(),
        Some("IPM.Schedule.Meeting.Canceled")
    );
    assert_eq!(int(m, "PidTagImportance"), Some(2));
    assert_eq!(int(m, "PidLidAppointmentSequence"), Some(1));
    assert_eq!(int(m, "PidLidBusyStatus"), Some(0));
    assert_eq!(int(m, "PidLidIntendedBusyStatus"), Some(0));
    assert_eq!(int(m, "PidLidResponseStatus"), Some(5));
    assert_eq!(int(m, "PidLidAppointmentStateFlags"), Some(7));
    assert_eq!(
        time(m, "PidLidAppointmentSequenceTime")
            .map(FileTime)
            .and_then(|t| t.to_datetime())
            .map(|d| d.to_rfc3339())
            .as_deref(),
        Some("2008-02-08T17:48:33+00:00")
    );
    assert_eq!(
        bin(m, "PidLidGlobalObjectId"),
        bin(request, "PidLidGlobalObjectId")
    );
}

const RECURRING: &str = "BEGIN:VCALENDAR\r
PRODID:-//Microsoft Corporation//Outlook 12.0 MIMEDIR//EN\r
VERSION:2.0\r
METHOD:REQUEST\r
X-MS-OLK-FORCEINSPECTOROPEN:TRUE\r
BEGIN:VTIMEZONE\r
TZID:Pacific Time (US & Canada)\r
BEGIN:STANDARD\r
DTSTART:16011104T020000\r
RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11\r
TZOFFSETFROM:-0700\r
TZOFFSETTO:-0800\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:16010311T020000\r
RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3\r
TZOFFSETFROM:-0800\r
TZOFFSETTO:-0700\r
END:DAYLIGHT\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
ATTENDEE;CN=sito@contoso.com;RSVP=TRUE:mailto:sito@contoso.com\r
ATTENDEE;CN=pcook@contoso.com;RSVP=TRUE:mailto:pcook@contoso.com\r
ATTENDEE;CN=aweiler@contoso.com;RSVP=TRUE:mailto:aweiler@contoso.com\r
CLASS:PUBLIC\r
CREATED:20080208T213320Z\r
DESCRIPTION:When: Occurs every Wednesday effective 2/13/2008 from 2:00 PM to 2:30 PM.\\n\r
DTEND;TZID=\"Pacific Time (US & Canada)\":20080213T143000\r
DTSTAMP:20080208T213320Z\r
DTSTART;TZID=\"Pacific Time (US & Canada)\":20080213T140000\r
LAST-MODIFIED:20080208T213321Z\r
LOCATION:Conference Room 123\r
ORGANIZER;CN=\"Elizabeth Andersen\":mailto:eandersen@contoso.com\r
PRIORITY:5\r
RRULE:FREQ=WEEKLY;BYDAY=WE\r
SEQUENCE:0\r
SUMMARY;LANGUAGE=en-us:Fabrikam Project Status Meeting\r
TRANSP:OPAQUE\r
UID:040000008200E00074C5B7101A82E008000000003046642B576AC801000000000000000\r
 010000000622C639E40D09342B747A1672730CBBA\r
X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE\r
X-MICROSOFT-CDO-IMPORTANCE:1\r
X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY\r
X-MICROSOFT-DISALLOW-COUNTER:FALSE\r
X-MS-OLK-ALLOWEXTERNCHECK:TRUE\r
X-MS-OLK-AUTOSTARTCHECK:FALSE\r
X-MS-OLK-CONFTYPE:0\r
X-MS-OLK-SENDER;CN=\"Elizabeth Andersen\":mailto:eandersen@contoso.com\r
BEGIN:VALARM\r
TRIGGER:-PT15M\r
ACTION:DISPLAY\r
DESCRIPTION:Reminder\r
END:VALARM\r
END:VEVENT\r
END:VCALENDAR\r
";

#[test]
fn recurring_meeting_request() {
    // MS-OXCICAL §3.4.1.
    let out = import(RECURRING);
    assert_eq!(out.messages.len(), 1);
    let m = &out.messages[0];
    assert_eq!(
        time(m, "PidLidAppointmentStartWhole"),
        Some(0x01C8_6E8B_C71A_F000)
    );
    assert_eq!(
        time(m, "PidLidAppointmentEndWhole"),
        Some(0x01C8_6E8F_F7FD_2400)
    );
    assert_eq!(
        text(m, "PidLidTimeZoneDescription").as_deref(),
        Some("Pacific Time (US & Canada)")
    );
    assert_eq!(
        bin(m, "PidLidTimeZoneStruct").as_deref(),
        Some(
            "E001000000000000C4FFFFFF000000000B00000001000200000000000000000000000300000002000200000000000000"
        )
    );
    let recur_tz = "02013A0002001A0050006100630069006600690063002000540069006D0065002000280055005300200026002000430061006E006100640061002900010002013E00030041060000000000000000000000000000E001000000000000C4FFFFFF00000B0000000100020000000000000000000300000002000200000000000000";
    assert_eq!(
        bin(m, "PidLidAppointmentTimeZoneDefinitionRecur").as_deref(),
        Some(recur_tz)
    );
    let display = recur_tz.replace("02013E00030041", "02013E00020041");
    assert_eq!(
        bin(m, "PidLidAppointmentTimeZoneDefinitionStartDisplay"),
        Some(display.clone())
    );
    assert_eq!(
        bin(m, "PidLidAppointmentTimeZoneDefinitionEndDisplay"),
        Some(display)
    );
    assert_eq!(
        bin(m, "PidLidAppointmentRecur").as_deref(),
        Some(
            "043004300B2001000000C0210000010000000000000008000000232000000A000000000000000000000000000000003FC30CDF80E95A0630000009300000480300006603000000000000000000000000"
        )
    );
    assert_eq!(flag(m, "PidLidRecurring"), Some(true));
    assert_eq!(flag(m, "PidLidIsRecurring"), Some(true));
    assert_eq!(int(m, "PidLidRecurrenceType"), Some(2));
    assert_eq!(time(m, "PidLidClipStart"), Some(0x01C8_6E16_6E5D_4000));
    assert_eq!(time(m, "PidLidClipEnd"), Some(0x0CB2_E579_49B4_7A00));
    let goid = GlobalObjectId::decode(get(m, "PidLidGlobalObjectId").unwrap().as_binary().unwrap())
        .unwrap();
    assert_eq!(goid.creation_time, 0x01C8_6A57_2B64_4630);
    assert_eq!(to_hex(&goid.data), "622C639E40D09342B747A1672730CBBA");
    assert_eq!(m.recipients.len(), 4);
    assert!(
        text(m, "PidLidRecurrencePattern")
            .unwrap()
            .contains("every week on Wednesday")
    );
}

#[test]
fn instance_cancellation() {
    // MS-OXCICAL §3.4.2: one instance, a TZID spelt differently, no master.
    let text_ = RECURRING
        .replace("METHOD:REQUEST", "METHOD:CANCEL")
        .replace("TZID:Pacific Time (US & Canada)", "TZID:Pacific Standard Time")
        .replace(
            "DTSTART;TZID=\"Pacific Time (US & Canada)\":20080213T140000",
            "RECURRENCE-ID;TZID=\"Pacific Standard Time\":20080528T140000\r\nDTSTART;TZID=\"Pacific Standard Time\":20080528T140000",
        )
        .replace(
            "DTEND;TZID=\"Pacific Time (US & Canada)\":20080213T143000",
            "DTEND;TZID=\"Pacific Standard Time\":20080528T143000",
        )
        .replace("RRULE:FREQ=WEEKLY;BYDAY=WE\r\n", "");
    let out = import(&text_);
    assert_eq!(out.messages.len(), 1);
    let m = &out.messages[0];
    assert_eq!(
        m.message_class().as_deref(),
        Some("IPM.Schedule.Meeting.Canceled")
    );
    // 14:00 PDT.
    let replace = time(m, "PidLidExceptionReplaceTime")
        .map(FileTime)
        .and_then(|t| t.to_datetime())
        .unwrap();
    assert_eq!(replace.to_rfc3339(), "2008-05-28T21:00:00+00:00");
    let goid = bin(m, "PidLidGlobalObjectId").unwrap();
    assert_eq!(&goid[32..40], "07D8051C");
    let clean = bin(m, "PidLidCleanGlobalObjectId").unwrap();
    assert_eq!(&clean[32..40], "00000000");
    assert_eq!(flag(m, "PidLidIsException"), Some(true));
}

#[test]
fn series_update_with_exdate() {
    // MS-OXCICAL §3.4.3 → mapi-calendar.md §6.2's second blob.
    let text_ = RECURRING
        .replace("SEQUENCE:0", "SEQUENCE:1")
        .replace("LOCATION:Conference Room 123", "LOCATION:Conference Room 1234")
        .replace(
            "RRULE:FREQ=WEEKLY;BYDAY=WE\r\n",
            "RRULE:FREQ=WEEKLY;BYDAY=WE\r\nEXDATE;TZID=\"Pacific Time (US & Canada)\":20080528T140000\r\n",
        );
    let out = import(&text_);
    let m = &out.messages[0];
    assert_eq!(
        bin(m, "PidLidAppointmentRecur").as_deref(),
        Some(
            "043004300B2001000000C0210000010000000000000008000000232000000A0000000000000001000000A08DC50C00000000003FC30CDF80E95A0630000009300000480300006603000000000000000000000000"
        )
    );
    assert_eq!(int(m, "PidLidMeetingType"), Some(0x0001_0000));
}

#[test]
fn birthday_calendar() {
    // MS-OXCICAL §3.1 (the lines that were published), with a 7-day alarm.
    let text_ = "BEGIN:VCALENDAR\r
PRODID:-//Microsoft Corporation//Outlook 12.0 MIMEDIR//EN\r
VERSION:2.0\r
METHOD:PUBLISH\r
X-CALSTART:19751012T000000\r
X-WR-RELCALID:{00000018-0E80-EBB5-82FB-58F695E239B2}\r
X-WR-CALNAME:Birthdays\r
BEGIN:VEVENT\r
CLASS:PUBLIC\r
CREATED:20080206T190802Z\r
DESCRIPTION:Happy Birthday to me!\\n\r
DTEND;VALUE=DATE:19751013\r
DTSTAMP:20080206T191251Z\r
DTSTART;VALUE=DATE:19751012\r
LAST-MODIFIED:20080206T190802Z\r
PRIORITY:5\r
RRULE:FREQ=YEARLY;BYMONTHDAY=12;BYMONTH=10\r
SEQUENCE:0\r
SUMMARY;LANGUAGE=en-us:Elizabeth's Birthday\r
TRANSP:TRANSPARENT\r
UID:elizabeth-birthday@example.com\r
BEGIN:VALARM\r
TRIGGER:-P7D\r
ACTION:DISPLAY\r
DESCRIPTION:Reminder\r
END:VALARM\r
END:VEVENT\r
END:VCALENDAR\r
";
    let out = import(text_);
    let m = &out.messages[0];
    assert_eq!(m.message_class().as_deref(), Some("IPM.Appointment"));
    assert_eq!(flag(m, "PidLidAppointmentSubType"), Some(true));
    let recur = oxpim_mapi::blob::AppointmentRecurrencePattern::decode(
        get(m, "PidLidAppointmentRecur")
            .unwrap()
            .as_binary()
            .unwrap(),
    )
    .unwrap();
    let p = &recur.pattern;
    assert_eq!(p.frequency.0, 0x200D);
    assert_eq!(p.pattern_type.0, 0x0002);
    assert_eq!(p.period, 12);
    assert_eq!(p.first_date_time, 393_120);
    assert_eq!(p.end_type.0, 0x2023);
    assert_eq!(p.occurrence_count, 10);
    assert_eq!((recur.start_time_offset, recur.end_time_offset), (0, 1440));
    assert_eq!(int(m, "PidLidReminderDelta"), Some(10_080));
    assert_eq!(int(m, "PidLidBusyStatus"), Some(0));
    // The calendar's name is kept for export.
    let kept = m
        .properties
        .get(&oxpim_mapi::ical::calendar_property().into())
        .and_then(PropValue::as_str)
        .unwrap();
    assert!(kept.contains("X-WR-CALNAME:Birthdays"), "{kept}");
}

fn recur_hex(text: &str) -> String {
    let out = import(text);
    let m = out
        .messages
        .iter()
        .find(|m| get(m, "PidLidAppointmentRecur").is_some())
        .unwrap_or_else(|| panic!("no series: {:?}", out.diagnostics));
    bin(m, "PidLidAppointmentRecur").unwrap()
}

fn calendar(events: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//oxpim//test//EN\r\n{events}END:VCALENDAR\r\n"
    )
}

#[test]
fn oxocal_weekly_blob_from_icalendar() {
    // MS-OXOCAL 4.1.1.1: from Monday 2007-03-26, every Monday, Thursday and
    // Friday 10:00–10:30, 12 occurrences.
    let text = calendar(
        "BEGIN:VEVENT\r\nUID:w@x\r\nDTSTAMP:20070301T000000Z\r\nDTSTART:20070326T100000\r\nDTEND:20070326T103000\r\nRRULE:FREQ=WEEKLY;BYDAY=MO,TH,FR;COUNT=12\r\nSUMMARY:Simple Recurrence\r\nEND:VEVENT\r\n",
    );
    assert_eq!(
        recur_hex(&text),
        concat!(
            "043004300B2001000000C0210000010000000000000032000000222000000C00",
            "00000000000000000000000000008020BC0C20ADBC0C06300000093000005802",
            "00007602000000000000000000000000"
        )
    );
}

#[test]
fn oxocal_weekly_with_exception_blob_from_icalendar() {
    // MS-OXOCAL 4.1.1.2: the 2007-04-16 instance moved to 11:00–11:30 with
    // another subject and location.
    let text = calendar(
        "BEGIN:VEVENT\r\nUID:w@x\r\nDTSTAMP:20070301T000000Z\r\nDTSTART:20070326T100000\r\nDTEND:20070326T103000\r\nRRULE:FREQ=WEEKLY;BYDAY=MO,TH,FR;COUNT=12\r\nSUMMARY:Simple Recurrence\r\nLOCATION:34/4639\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:w@x\r\nDTSTAMP:20070301T000000Z\r\nRECURRENCE-ID:20070416T100000\r\nDTSTART:20070416T110000\r\nDTEND:20070416T113000\r\nSUMMARY:Simple Recurrence with exceptions\r\nLOCATION:34/4141\r\nEND:VEVENT\r\n",
    );
    assert_eq!(
        recur_hex(&text),
        concat!(
            "043004300B2001000000C0210000010000000000000032000000222000000C00",
            "00000000000001000000A096BC0C01000000A096BC0C8020BC0C20ADBC0C0630",
            "000009300000580200007602000001003499BC0C5299BC0CF898BC0C11002200",
            "210053696D706C6520526563757272656E636520776974682065786365707469",
            "6F6E730800070033342F34313431000000000400000000000000000000003499",
            "BC0C5299BC0CF898BC0C2100530069006D0070006C0065002000520065006300",
            "75007200720065006E0063006500200077006900740068002000650078006300",
            "65007000740069006F006E0073000700330034002F0034003100340031000000",
            "000000000000"
        )
    );
}

#[test]
fn oxocal_daily_blob_from_icalendar() {
    // MS-OXOCAL 4.1.1.3: every 3 days, 2011-04-07 … 2011-05-04,
    // 08:00–08:30; 2011-04-19 and 2011-04-22 deleted.
    let text = calendar(
        "BEGIN:VEVENT\r\nUID:d@x\r\nDTSTAMP:20110301T000000Z\r\nDTSTART:20110407T080000\r\nDTEND:20110407T083000\r\nRRULE:FREQ=DAILY;INTERVAL=3;UNTIL=20110504T080000\r\nEXDATE:20110419T080000,20110422T080000\r\nSUMMARY:Daily\r\nEND:VEVENT\r\n",
    );
    assert_eq!(
        recur_hex(&text),
        concat!(
            "043004300A2000000000A0050000E010000000000000212000000A0000000000",
            "000002000000A0C1DC0C80D2DC0C00000000207EDC0C0016DD0C063000000930",
            "0000E0010000FE01000000000000000000000000"
        )
    );
}
