//! The `oxpim` command, run as a process.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The names of the files in `dir`, sorted.
fn sorted_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn oxpim(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxpim"));
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn oxpim");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

#[test]
fn check_clean_file_exits_zero() {
    let f = examples().join("outlook-meeting.ics");
    let out = oxpim(&["check", f.to_str().unwrap()], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty());
}

#[test]
fn check_reports_file_line_column_and_exit_one() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "bad.ics",
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART:2025-99\r\nEND:VEVENT\r\n",
    );
    let name = f.to_str().unwrap();
    let out = oxpim(&["check", name], None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(&format!(
            "{name}:4:9: error: DTSTART value '2025-99' is not a valid DATE-TIME"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{name}:1:1: error: BEGIN:VCALENDAR at line 1 has no END"
        )),
        "{err}"
    );
}

#[test]
fn check_warnings_only_exits_zero_and_strict_exits_one() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "lf.ics", b"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\nUID:1\nDTSTAMP:20250101T000000Z\nDTSTART:20250101\nEND:VEVENT\nEND:VCALENDAR\n");
    let out = oxpim(&["check", f.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("warning: DTSTART value '20250101' is a DATE without VALUE=DATE")
    );
    let out = oxpim(&["check", "--strict", f.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error: line break is not CRLF"));
}

#[test]
fn check_unreadable_file_exits_two() {
    let out = oxpim(&["check", "/nonexistent/file.ics"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/file.ics"));
}

#[test]
fn check_reads_stdin() {
    let out = oxpim(
        &["check", "-"],
        Some(b"BEGIN:VCARD\r\nVERSION:3.0\r\nBDAY:x\r\nEND:VCARD\r\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("<stdin>:3:6: error:"));
}

#[test]
fn fmt_normalises_to_stdout_and_to_a_file() {
    let out = oxpim(
        &["fmt", "-"],
        Some(b"begin:vcard\nversion:3.0\nfn:A\nend:vcard\n"),
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        out.stdout,
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.ics");
    let src = examples().join("outlook-meeting.ics");
    let out = oxpim(
        &["fmt", src.to_str().unwrap(), "-o", target.to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let first = std::fs::read(&target).unwrap();
    // fmt of fmt output is unchanged.
    let again = oxpim(&["fmt", target.to_str().unwrap()], None);
    assert_eq!(again.stdout, first);
    // Bytes that are not UTF-8 come out as U+FFFD: said on stderr (other
    // warnings are not).
    let out = oxpim(
        &["fmt", "-"],
        Some(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:caf\xe9\r\nX-A:\\q\r\nEND:VCARD\r\n"),
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("FN:caf\u{FFFD}\r\n"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("<stdin>:3:7: warning: FN: value is not valid UTF-8"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn json_and_back() {
    let src = examples().join("outlook-contact.vcf");
    let out = oxpim(&["json", src.to_str().unwrap()], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j[0], "vcard");
    let fn_prop = j[1]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p[0] == "fn")
        .unwrap();
    assert_eq!(fn_prop[3], "Dr. Ana Müller");
    let back = oxpim(&["json", "--to-text", "-"], Some(&out.stdout));
    assert_eq!(back.status.code(), Some(0));
    let text = String::from_utf8(back.stdout).unwrap();
    assert!(
        text.contains("FN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Dr. Ana M=C3=BCller\r\n"),
        "{text}"
    );
}

#[test]
fn bad_input_never_panics() {
    for input in [
        &b"\xff\xfe\x00garbage"[..],
        b"BEGIN:",
        b"END:VCALENDAR",
        b":::\r\n;;;\r\n",
        b"\"\"\"\r\n \r\n",
    ] {
        for args in [
            &["check", "-"][..],
            &["fmt", "-"],
            &["json", "-"],
            &["json", "--to-text", "-"],
            &["expand", "-"],
        ] {
            let out = oxpim(args, Some(input));
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
                "{args:?}: {err}"
            );
            assert!(
                matches!(out.status.code(), Some(0..=2)),
                "{args:?}: {:?}",
                out.status
            );
        }
    }
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn expand_the_bundled_meeting() {
    let f = examples().join("outlook-meeting.ics");
    let out = oxpim(&["expand", f.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    // Tuesdays from 6 January to 31 March 2026, less the EXDATE of 17 February.
    assert_eq!(lines.len(), 12);
    let first = &lines[0];
    assert_eq!(first["start"], "2026-01-06T08:00:00Z");
    assert_eq!(first["end"], "2026-01-06T08:30:00Z");
    assert_eq!(first["recurrence_id"], "2026-01-06T08:00:00Z");
    assert_eq!(first["summary"], "Projekt-Jour-fixe");
    assert!(
        first["uid"]
            .as_str()
            .unwrap()
            .starts_with("040000008200E000")
    );
    // After the switch to summer time 09:00 in Berlin is 07:00Z.
    assert_eq!(lines[11]["start"], "2026-03-31T07:00:00Z");
    // The moved instance.
    let moved = lines
        .iter()
        .find(|l| l["recurrence_id"] == "2026-03-03T08:00:00Z")
        .unwrap();
    assert_eq!(moved["start"], "2026-03-04T13:00:00Z");
    assert_eq!(moved["summary"], "Projekt-Jour-fixe (verschoben)");
    assert!(!lines.iter().any(|l| l["start"] == "2026-02-17T08:00:00Z"));
    let starts: Vec<&str> = lines.iter().map(|l| l["start"].as_str().unwrap()).collect();
    let mut sorted = starts.clone();
    sorted.sort_unstable();
    assert_eq!(starts, sorted);
}

#[test]
fn expand_window_limit_and_uid() {
    let f = examples().join("outlook-meeting.ics");
    let name = f.to_str().unwrap();
    let out = oxpim(
        &[
            "expand",
            name,
            "--from",
            "2026-02-01T00:00:00Z",
            "--to",
            "2026-03-01",
        ],
        None,
    );
    let lines = json_lines(&out);
    let starts: Vec<&str> = lines.iter().map(|l| l["start"].as_str().unwrap()).collect();
    assert_eq!(
        starts,
        [
            "2026-02-03T08:00:00Z",
            "2026-02-10T08:00:00Z",
            "2026-02-24T08:00:00Z"
        ]
    );
    let out = oxpim(&["expand", name, "--limit", "2"], None);
    assert_eq!(json_lines(&out).len(), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("more than 2 instances"));
    let out = oxpim(&["expand", name, "--uid", "someone-else"], None);
    assert!(json_lines(&out).is_empty());
    // A UID no component has is said, not just an empty output.
    assert!(String::from_utf8_lossy(&out.stderr).contains("no component has UID 'someone-else'"));
    let out = oxpim(&["expand", name, "--from", "next tuesday"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--from"));
    // A window that ends before it starts is an error, not an empty output.
    let out = oxpim(
        &["expand", name, "--from", "2026-01-01", "--to", "2025-01-01"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--from is after --to"));
    // --limit 0 printed nothing and warned "more than 0 instances".
    let out = oxpim(&["expand", name, "--limit", "0"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--limit 0"));
}

#[test]
fn expand_does_not_depend_on_the_host_zone() {
    let input = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:f\r\nDTSTART:20250308T090000\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:z\r\nDTSTART;TZID=America/New_York:20250308T090000\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:d\r\nDTSTART;VALUE=DATE:20250308\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let run = |tz: &str| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxpim"));
        cmd.args(["expand", "-"])
            .env("TZ", tz)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        child.wait_with_output().unwrap()
    };
    let a = run("Pacific/Kiritimati");
    let b = run("America/Los_Angeles");
    assert_eq!(a.stdout, b.stdout);
    let lines = json_lines(&a);
    let of = |uid: &str| -> Vec<String> {
        lines
            .iter()
            .filter(|l| l["uid"] == uid)
            .map(|l| l["start"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        of("f"),
        [
            "2025-03-08T09:00:00",
            "2025-03-09T09:00:00",
            "2025-03-10T09:00:00"
        ]
    );
    assert_eq!(
        of("z"),
        [
            "2025-03-08T14:00:00Z",
            "2025-03-09T13:00:00Z",
            "2025-03-10T13:00:00Z"
        ]
    );
    assert_eq!(of("d"), ["2025-03-08", "2025-03-09", "2025-03-10"]);
}

#[test]
fn dump_prints_the_msg_schema() {
    use oxpim::mapi::{
        Attachment, FileTime, Message, NamedProperty, PropKey, PropValue, props, sets,
    };
    let mut m = Message::with_class("IPM.Appointment");
    m.properties
        .set(&props::PID_TAG_SUBJECT, "Board meeting")
        .unwrap();
    m.properties
        .set(
            &props::PID_LID_APPOINTMENT_START_WHOLE,
            FileTime(133_802_064_000_000_000),
        )
        .unwrap();
    m.properties
        .set(&props::PID_NAME_KEYWORDS, vec!["Work".to_string()])
        .unwrap();
    m.properties.insert(
        NamedProperty::string(sets::PS_INTERNET_HEADERS, "x-custom"),
        PropValue::String("yes".into()),
    );
    let mut r = oxpim::mapi::PropertyBag::new();
    r.set(&props::PID_TAG_DISPLAY_NAME, "Ann").unwrap();
    r.insert(
        PropKey::Tag(0x0FFF),
        PropValue::Binary(vec![0xAB, 0x01].into()),
    );
    m.recipients.push(r);
    m.attachments
        .push(Attachment::embedded(Message::with_class("IPM.Note")));
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "a.msg", &oxpim::msg::to_bytes(&m).unwrap());
    let out = oxpim(&["dump", file.to_str().unwrap()], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["message_class"], "IPM.Appointment");
    let props = j["properties"].as_array().unwrap();
    let find = |name: &str| props.iter().find(|p| p["name"] == name).unwrap().clone();
    let subject = find("PidTagSubject");
    assert_eq!(subject["tag"], "0x0037001F");
    assert_eq!(subject["type"], "PtypString");
    assert_eq!(subject["value"], "Board meeting");
    let start = find("PidLidAppointmentStartWhole");
    assert_eq!(
        start["named"]["set"],
        "{00062002-0000-0000-C000-000000000046}"
    );
    assert_eq!(start["named"]["lid"], 0x820D);
    assert_eq!(start["value"], "2025-01-01T12:00:00Z");
    let kw = find("PidNameKeywords");
    assert_eq!(kw["named"]["name"], "Keywords");
    assert_eq!(kw["value"], serde_json::json!(["Work"]));
    let custom = props
        .iter()
        .find(|p| p["named"]["name"] == "x-custom")
        .unwrap();
    assert_eq!(custom["name"], serde_json::Value::Null);
    assert_eq!(j["recipients"][0]["properties"][0]["value"], "ab01");
    assert_eq!(j["attachments"][0]["embedded"]["message_class"], "IPM.Note");
    // The same through standard input, and to a file.
    let bytes = std::fs::read(&file).unwrap();
    let out2 = oxpim(&["dump", "-"], Some(&bytes));
    assert_eq!(out2.stdout, out.stdout);
    let target = dir.path().join("out.json");
    let out3 = oxpim(
        &[
            "dump",
            file.to_str().unwrap(),
            "-o",
            target.to_str().unwrap(),
        ],
        None,
    );
    assert!(out3.status.success());
    assert_eq!(std::fs::read(&target).unwrap(), out.stdout);
}

#[test]
fn dump_refuses_what_is_not_a_msg() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "x.msg", b"BEGIN:VCALENDAR\r\n");
    let out = oxpim(&["dump", file.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("x.msg: not a readable compound file"), "{err}");
    assert!(!err.contains("panicked"));
    let out = oxpim(
        &["dump", dir.path().join("missing.msg").to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
}

const TWO_SERIES: &[u8] = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n\
BEGIN:VEVENT\r\nUID:first/series@example.com\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250303T090000Z\r\nDTEND:20250303T100000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\nSUMMARY:One\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:second@example.com\r\nDTSTAMP:20250101T000000Z\r\nDTSTART;VALUE=DATE:20250401\r\nSUMMARY:Two\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

#[test]
fn mapi_prints_the_messages_as_dump_does() {
    let f = examples().join("outlook-meeting.ics");
    let out = oxpim(
        &["mapi", f.to_str().unwrap(), "--now", "2026-01-01T00:00:00Z"],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["message_class"], "IPM.Schedule.Meeting.Request");
    let names: Vec<&str> = j["properties"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for want in [
        "PidLidAppointmentRecur",
        "PidLidGlobalObjectId",
        "PidLidTimeZoneStruct",
        "PidTagSubject",
    ] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }
    assert_eq!(j["recipients"].as_array().unwrap().len(), 3);
    assert_eq!(
        j["attachments"][0]["embedded"]["message_class"],
        "IPM.OLE.CLASS.{00061055-0000-0000-C000-000000000046}"
    );
    // Several series: an array.
    let out = oxpim(&["mapi", "-"], Some(TWO_SERIES));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j.as_array().map(Vec::len), Some(2));
}

#[test]
fn convert_ics_to_msg_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let ics = examples().join("outlook-meeting.ics");
    let msg = dir.path().join("meeting.msg");
    let out = oxpim(
        &[
            "convert",
            ics.to_str().unwrap(),
            "-o",
            msg.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dumped = oxpim(&["dump", msg.to_str().unwrap()], None);
    let j: serde_json::Value = serde_json::from_slice(&dumped.stdout).unwrap();
    assert_eq!(j["message_class"], "IPM.Schedule.Meeting.Request");
    let back = dir.path().join("back.ics");
    let out = oxpim(
        &[
            "convert",
            msg.to_str().unwrap(),
            "-o",
            back.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a = oxpim(&["expand", ics.to_str().unwrap()], None);
    let b = oxpim(&["expand", back.to_str().unwrap()], None);
    assert!(!a.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&a.stdout),
        String::from_utf8_lossy(&b.stdout)
    );
    // --method overrides on the way out.
    let out = oxpim(
        &[
            "convert",
            msg.to_str().unwrap(),
            "-o",
            back.to_str().unwrap(),
            "--method",
            "PUBLISH",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&std::fs::read(&back).unwrap()).contains("METHOD:PUBLISH"));
}

#[test]
fn convert_several_series_into_a_folder_with_progress() {
    let dir = tempfile::tempdir().unwrap();
    let ics = write(dir.path(), "two.ics", TWO_SERIES);
    // A file name cannot hold two series.
    let one = dir.path().join("one.msg");
    let out = oxpim(
        &[
            "convert",
            ics.to_str().unwrap(),
            "-o",
            one.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("give a folder"));
    let folder = dir.path().join("out");
    let out = oxpim(
        &[
            "convert",
            ics.to_str().unwrap(),
            "-o",
            folder.to_str().unwrap(),
            "--progress",
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names = sorted_names(&folder);
    assert_eq!(
        names,
        ["first_series@example.com.msg", "second@example.com.msg"]
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("100% 2/2"), "{err}");
    // The .msg files together give one calendar again.
    let paths: Vec<String> = names
        .iter()
        .map(|n| folder.join(n).to_string_lossy().into_owned())
        .collect();
    let back = dir.path().join("all.ics");
    let mut args = vec!["convert"];
    args.extend(paths.iter().map(String::as_str));
    args.extend(["-o", back.to_str().unwrap()]);
    let out = oxpim(&args, None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a = oxpim(&["expand", ics.to_str().unwrap()], None);
    let b = oxpim(&["expand", back.to_str().unwrap()], None);
    assert_eq!(
        String::from_utf8_lossy(&a.stdout),
        String::from_utf8_lossy(&b.stdout)
    );
}

#[test]
fn convert_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let txt = write(dir.path(), "x.txt", b"hello");
    let out = oxpim(&["convert", txt.to_str().unwrap(), "-o", "y.msg"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown extension"));
    let bad = write(dir.path(), "bad.msg", b"not a compound file");
    let out = oxpim(
        &[
            "convert",
            bad.to_str().unwrap(),
            "-o",
            dir.path().join("b.ics").to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    let empty = write(
        dir.path(),
        "empty.ics",
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
    );
    let out = oxpim(
        &[
            "convert",
            empty.to_str().unwrap(),
            "-o",
            dir.path().join("e.msg").to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no VEVENT"));
    // A .msg does not become a .vcs file of iCalendar 2.0 text.
    let ics = write(
        dir.path(),
        "one.ics",
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:one\r\nDTSTART:20250101T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    let msg = dir.path().join("one.msg");
    let out = oxpim(
        &[
            "convert",
            ics.to_str().unwrap(),
            "-o",
            msg.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let vcs = dir.path().join("one.vcs");
    let out = oxpim(
        &[
            "convert",
            msg.to_str().unwrap(),
            "-o",
            vcs.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is read, not written"));
    assert!(!vcs.exists());
}

#[test]
fn convert_vcard_to_msg_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let vcf = examples().join("outlook-contact.vcf");
    let msg = dir.path().join("ana.msg");
    let out = oxpim(
        &[
            "convert",
            vcf.to_str().unwrap(),
            "-o",
            msg.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dumped = oxpim(&["dump", msg.to_str().unwrap()], None);
    let j: serde_json::Value = serde_json::from_slice(&dumped.stdout).unwrap();
    assert_eq!(j["message_class"], "IPM.Contact");
    let value = |name: &str| {
        j["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["value"].clone())
    };
    assert_eq!(value("PidTagSurname").unwrap(), "Müller");
    assert_eq!(
        value("PidLidEmail1EmailAddress").unwrap(),
        "ana.mueller@example.com"
    );
    assert_eq!(value("PidTagBusinessFaxNumber").unwrap(), "+49 30 1234568");
    // Back to vCard, in each version.
    for (version, marker) in [
        ("3.0", "VERSION:3.0"),
        ("4.0", "VERSION:4.0"),
        ("2.1", "VERSION:2.1"),
    ] {
        let back = dir.path().join(format!("back-{version}.vcf"));
        let out = oxpim(
            &[
                "convert",
                msg.to_str().unwrap(),
                "-o",
                back.to_str().unwrap(),
                "--vcard-version",
                version,
            ],
            None,
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(&back).unwrap();
        assert!(text.contains(marker), "{text}");
        assert!(text.contains("ana.mueller@example.com"), "{text}");
        assert!(text.contains("+49 30 1234568"), "{text}");
    }
    // `oxpim mapi` shows the contact without writing a file.
    let out = oxpim(&["mapi", vcf.to_str().unwrap()], None);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["message_class"], "IPM.Contact");
}

#[test]
fn convert_between_vcard_versions() {
    let dir = tempfile::tempdir().unwrap();
    let v4 = write(
        dir.path(),
        "in.vcf",
        b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ann\r\nANNIVERSARY:20100611\r\nTEL;TYPE=cell;PREF=1:+1 555\r\nPHOTO:data:image/png;base64,iVBORw0KGgo=\r\nEND:VCARD\r\n",
    );
    let v3 = dir.path().join("out3.vcf");
    let out = oxpim(
        &[
            "convert",
            v4.to_str().unwrap(),
            "-o",
            v3.to_str().unwrap(),
            "--vcard-version",
            "3.0",
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t3 = std::fs::read_to_string(&v3).unwrap();
    assert!(
        t3.contains("VERSION:3.0") && t3.contains("X-ANNIVERSARY:2010-06-11"),
        "{t3}"
    );
    assert!(t3.contains("TEL;TYPE=cell,pref:+1 555"), "{t3}");
    assert!(
        t3.contains("PHOTO;TYPE=PNG;ENCODING=b:iVBORw0KGgo="),
        "{t3}"
    );
    let back = dir.path().join("back4.vcf");
    let out = oxpim(
        &[
            "convert",
            v3.to_str().unwrap(),
            "-o",
            back.to_str().unwrap(),
            "--vcard-version",
            "4.0",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let t4 = std::fs::read_to_string(&back).unwrap();
    for want in [
        "ANNIVERSARY:20100611",
        "TEL;TYPE=cell;PREF=1:+1 555",
        "PHOTO:data:image/png;base64,iVBORw0KGgo=",
    ] {
        assert!(t4.contains(want), "{want} in {t4}");
    }
}

#[test]
fn several_contacts_go_to_a_folder_and_msgs_back_by_class() {
    let dir = tempfile::tempdir().unwrap();
    let vcf = write(
        dir.path(),
        "team.vcf",
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nN:Lee;Ann;;;\r\nUID:ann\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bo Kim\r\nN:Kim;Bo;;;\r\nEND:VCARD\r\n",
    );
    let single = dir.path().join("one.msg");
    let out = oxpim(
        &[
            "convert",
            vcf.to_str().unwrap(),
            "-o",
            single.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("folder"));
    let folder = dir.path().join("contacts");
    let out = oxpim(
        &[
            "convert",
            vcf.to_str().unwrap(),
            "-o",
            folder.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names = sorted_names(&folder);
    assert_eq!(names, ["Bo_Kim.msg", "ann.msg"]);
    // A contact and an appointment .msg into a folder: a .vcf and an .ics.
    let meeting = dir.path().join("meeting.msg");
    let ics = examples().join("outlook-meeting.ics");
    assert_eq!(
        oxpim(
            &[
                "convert",
                ics.to_str().unwrap(),
                "-o",
                meeting.to_str().unwrap()
            ],
            None
        )
        .status
        .code(),
        Some(0)
    );
    let out_dir = dir.path().join("texts");
    let out = oxpim(
        &[
            "convert",
            folder.join("ann.msg").to_str().unwrap(),
            meeting.to_str().unwrap(),
            "-o",
            out_dir.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut exts: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .extension()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    exts.sort();
    assert_eq!(exts, ["ics", "vcf"]);
    // Mixed .msg and text inputs are refused.
    let out = oxpim(
        &[
            "convert",
            vcf.to_str().unwrap(),
            meeting.to_str().unwrap(),
            "-o",
            out_dir.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn mapi_prints_the_same_whatever_the_threads() {
    // 40 series (enough for 5 threads), an unknown zone in some.
    let mut ics = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n");
    for i in 0..40 {
        let zone = if i % 9 == 0 { ";TZID=Nowhere/Else" } else { "" };
        ics.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:s{i}@example.com\r\nDTSTAMP:20250101T000000Z\r\nDTSTART{zone}:20250106T0{}0000\r\nRRULE:FREQ=DAILY;COUNT={}\r\nSUMMARY:S{i}\r\nATTENDEE;CN=A{i}:mailto:a{i}@example.com\r\nEND:VEVENT\r\n",
            i % 10,
            i + 1
        ));
    }
    ics.push_str("END:VCALENDAR\r\n");
    let run = |threads: &str| {
        let out = oxpim(
            &[
                "mapi",
                "-",
                "--now",
                "2026-01-01T00:00:00Z",
                "--threads",
                threads,
            ],
            Some(ics.as_bytes()),
        );
        assert_eq!(out.status.code(), Some(0), "{threads} threads");
        out
    };
    let one = run("1");
    let j: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(j.as_array().map(Vec::len), Some(40));
    assert!(String::from_utf8_lossy(&one.stderr).contains("Nowhere/Else"));
    for threads in ["0", "2", "5"] {
        let other = run(threads);
        assert!(one.stdout == other.stdout, "stdout with {threads} threads");
        assert_eq!(one.stderr, other.stderr, "stderr with {threads} threads");
    }
}

#[test]
fn file_names_from_uids_are_safe_on_every_system() {
    // Separators, parent references, Windows device names, long and
    // repeated UIDs: each event its own file, inside the folder.
    let dir = tempfile::tempdir().unwrap();
    let uids = [
        "a/b",
        "../up",
        "CON",
        "nul.txt",
        "COM1",
        "a\\b",
        &"x".repeat(300),
    ];
    let mut text = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n");
    for (i, uid) in uids.iter().enumerate() {
        text += &format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:2025010{}T100000Z\r\nEND:VEVENT\r\n",
            i + 1
        );
    }
    text += "END:VCALENDAR\r\n";
    let ics = dir.path().join("in.ics");
    std::fs::write(&ics, text).unwrap();
    let folder = dir.path().join("out");
    let out = oxpim(
        &[
            "convert",
            ics.to_str().unwrap(),
            "-o",
            folder.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names = sorted_names(&folder);
    assert_eq!(names.len(), uids.len(), "{names:?}");
    assert!(
        names
            .iter()
            .all(|n| n.len() <= 104 && !n.contains(['/', '\\']))
    );
    for device in ["CON_.msg", "nul_.txt.msg", "COM1_.msg"] {
        assert!(names.iter().any(|n| n == device), "{names:?}");
    }
    assert!(names.iter().any(|n| n == "a_b.msg") && names.iter().any(|n| n == "a_b-2.msg"));
    // Nothing was written outside the folder.
    let around = sorted_names(dir.path());
    assert_eq!(around, ["in.ics", "out"]);
}

#[test]
fn a_msg_nothing_is_exported_of_gives_no_file_and_says_why() {
    // A contact group and a task are neither contacts nor calendar items:
    // no empty .vcf or .ics is written, the exit status is 1, and the
    // diagnostic names the .msg (no line: it is about a message).
    use oxpim::mapi::Message;
    let dir = tempfile::tempdir().unwrap();
    for (class, out_name) in [("IPM.DistList", "g.vcf"), ("IPM.Task", "t.ics")] {
        let msg = write(
            dir.path(),
            &format!("{class}.msg"),
            &oxpim::msg::to_bytes(&Message::with_class(class)).unwrap(),
        );
        let target = dir.path().join(out_name);
        let out = oxpim(
            &[
                "convert",
                msg.to_str().unwrap(),
                "-o",
                target.to_str().unwrap(),
            ],
            None,
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(!target.exists(), "{class}");
        assert!(
            err.contains(&format!("{class}.msg: ")) && !err.contains(":0:"),
            "{err}"
        );
        assert!(err.contains("nothing to convert"), "{err}");
    }
}

#[test]
fn convert_vcalendar_to_icalendar() {
    // .vcs → .ics converts vCalendar 1.0 (it was refused: "calendars
    // convert to .msg"); the result has what iCalendar requires and passes
    // strict mode but for its line breaks.
    let dir = tempfile::tempdir().unwrap();
    let vcs = write(
        dir.path(),
        "a.vcs",
        b"BEGIN:VCALENDAR\r\nVERSION:1.0\r\nTZ:+01\r\nBEGIN:VEVENT\r\nDTSTART:20250303T100000\r\nDTEND:20250303T110000\r\nRRULE:W1 MO #3\r\nSUMMARY:Weekly\r\nDCREATED:20250101T120000\r\nAALARM:20250303T094500;;;\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    let ics = dir.path().join("a.ics");
    let out = oxpim(
        &[
            "convert",
            vcs.to_str().unwrap(),
            "-o",
            ics.to_str().unwrap(),
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&ics).unwrap();
    for line in [
        "VERSION:2.0\r\n",
        "PRODID:",
        "RRULE:FREQ=WEEKLY;COUNT=3;BYDAY=MO\r\n",
        "CREATED:20250101T110000Z\r\n",
        "DTSTAMP:20250101T110000Z\r\n",
        "TRIGGER;VALUE=DATE-TIME:20250303T084500Z\r\n",
        "UID:oxpim-",
    ] {
        assert!(text.contains(line), "{line:?} missing from\n{text}");
    }
    let strict = oxpim(&["check", "--strict", ics.to_str().unwrap()], None);
    assert!(
        strict.status.success(),
        "{}",
        String::from_utf8_lossy(&strict.stderr)
    );
    // Same instances both ways.
    let a = oxpim(&["expand", vcs.to_str().unwrap()], None);
    let b = oxpim(&["expand", ics.to_str().unwrap()], None);
    let starts = |o: &Output| -> Vec<String> {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(|l| l.split("\"start\"").nth(1).unwrap_or("").to_owned())
            .collect()
    };
    assert_eq!(starts(&a).len(), 3);
    assert_eq!(starts(&a), starts(&b));
    // An .vcs output would hold iCalendar 2.0: refused.
    let vcs_out = dir.path().join("b.vcs");
    let out = oxpim(
        &[
            "convert",
            vcs.to_str().unwrap(),
            "-o",
            vcs_out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
}
