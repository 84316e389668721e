//! Conformance suites for recurrence: the RRULE vectors of dateutil,
//! ical.js, sabre/vobject and rust-rrule, and the vCalendar 1.0 files of
//! KCalendarCore compared with the iCalendar it produced.

use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone as _};
use oxpim::{DtstartPolicy, ExpandOptions, Moment, Parser};
use serde_json::Value as J;

use crate::conformance::{Outcome, Suite, files_under, guarded, rel};

fn expand_text(text: &str, opts: ExpandOptions) -> Vec<Moment> {
    let doc = Parser::new().parse(text.as_bytes()).document;
    oxpim::expand(&doc, opts)
        .instances
        .into_iter()
        .map(|i| i.start)
        .collect()
}

fn event(lines: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//oxpim//conformance//EN\r\nBEGIN:VEVENT\r\nUID:case\r\n{}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        lines.replace('\n', "\r\n")
    )
}

fn strings(v: &J) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(J::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

/// Compares instance lists; `complete` means the expected list is the whole
/// series (one more instance from us is a failure).
fn compare(ours: &[String], expected: &[String], complete: bool) -> Outcome {
    let n = expected.len();
    let head: Vec<&String> = ours.iter().take(n).collect();
    let exp: Vec<&String> = expected.iter().collect();
    if head != exp {
        let pos = head
            .iter()
            .zip(&exp)
            .position(|(a, b)| a != b)
            .unwrap_or(head.len().min(exp.len()));
        return Outcome::Fail(format!(
            "instance {}: ours {:?}, expected {:?} ({} ours, {} expected)",
            pos + 1,
            ours.get(pos),
            expected.get(pos),
            ours.len(),
            expected.len()
        ));
    }
    if complete && ours.len() > n {
        return Outcome::Fail(format!(
            "{} extra instances, first {:?}",
            ours.len() - n,
            ours.get(n)
        ));
    }
    Outcome::Pass
}

fn ical_dt(s: &str) -> String {
    s.replace(['-', ':'], "").replace(' ', "T")
}

/// The `cases` array of a corpus JSON file; a file that cannot be read is a
/// failing case, not an empty suite.
fn load_cases(s: &mut Suite, corpus: &Path, file: &str) -> Vec<J> {
    let path = corpus.join(file);
    let parsed = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str::<J>(&t).ok());
    match parsed {
        Some(J::Object(mut m)) => match m.remove("cases") {
            Some(J::Array(a)) => a,
            _ => {
                s.add(file.to_string(), Outcome::Fail("no \"cases\" array".into()));
                Vec::new()
            }
        },
        _ => {
            s.add(
                file.to_string(),
                Outcome::Fail(format!("cannot read {}", path.display())),
            );
            Vec::new()
        }
    }
}

pub fn suite_dateutil(corpus: &Path) -> Suite {
    let mut s = Suite::new("rrule-dateutil");
    let cases = load_cases(&mut s, corpus, "recur/dateutil_test_rrule_cases.json");
    for (i, c) in cases.iter().enumerate() {
        let name = format!("{}#{}:{}", c["test"].as_str().unwrap_or("?"), c["line"], i);
        let outcome = guarded(|| {
            let rule = c["rule"].as_str().unwrap_or("");
            let upper = rule.to_ascii_uppercase();
            if upper.contains("BYEASTER") {
                return Outcome::Skip("BYEASTER is a dateutil extension, not RFC 5545".into());
            }
            if upper.contains("BYWEEKDAY") {
                return Outcome::Skip("BYWEEKDAY is a dateutil keyword, not RFC 5545".into());
            }
            if rule
                .lines()
                .any(|l| l.starts_with(' ') || l.trim_end().contains("  "))
            {
                return Outcome::Skip(
                    "dateutil's string syntax (spaces between properties) is not iCalendar".into(),
                );
            }
            let expected = strings(&c["expected"]);
            let complete = upper.contains("COUNT=") || upper.contains("UNTIL=");
            let opts = ExpandOptions {
                max_instances: if complete {
                    expected.len() + 5
                } else {
                    expected.len()
                },
                // dateutil drops a DTSTART its rule does not produce.
                dtstart: DtstartPolicy::OnlyIfMatched,
                ..ExpandOptions::default()
            };
            let ours: Vec<String> = expand_text(&event(rule), opts)
                .iter()
                .map(ToString::to_string)
                .collect();
            compare(&ours, &expected, complete)
        });
        s.add(name, outcome);
    }
    s
}

pub fn suite_icaljs(corpus: &Path) -> Suite {
    let mut s = Suite::new("rrule-icaljs");
    let cases = load_cases(&mut s, corpus, "recur/icaljs_recur_iterator_cases.json");
    for (i, c) in cases.iter().enumerate() {
        let name = format!("line {}:{}", c["line"], i);
        let outcome = guarded(|| {
            let rule = c["rule"].as_str().unwrap_or("");
            let dtstart = c["dtstart"].as_str().unwrap_or("");
            let expected = strings(&c["expected"]);
            let complete = c["complete"].as_bool().unwrap_or(false);
            let start_line = if dtstart.len() == 10 {
                format!("DTSTART;VALUE=DATE:{}", ical_dt(dtstart))
            } else {
                format!("DTSTART:{}", ical_dt(dtstart))
            };
            let opts = ExpandOptions {
                max_instances: if complete {
                    expected.len() + 5
                } else {
                    expected.len().max(1)
                },
                // ical.js mostly drops a DTSTART its rule does not produce
                // (though not always: see the baseline).
                dtstart: DtstartPolicy::OnlyIfMatched,
                ..ExpandOptions::default()
            };
            let text = event(&format!("{start_line}\nRRULE:{rule}"));
            let ours: Vec<String> = expand_text(&text, opts.clone())
                .iter()
                .map(ToString::to_string)
                .collect();
            if c["noInstance"].as_bool() == Some(true) && expected.is_empty() {
                // The rule never matches: the expansion must end, empty.
                return if ours.is_empty() {
                    Outcome::Pass
                } else {
                    Outcome::Fail(format!(
                        "{} instances, first {:?}",
                        ours.len(),
                        ours.first()
                    ))
                };
            }
            match compare(&ours, &expected, complete) {
                Outcome::Fail(why) => {
                    // In a few cases ical.js keeps the unmatched DTSTART:
                    // pass when the other policy gives its list.
                    let always = ExpandOptions {
                        dtstart: DtstartPolicy::AlwaysFirst,
                        ..opts
                    };
                    let ours: Vec<String> = expand_text(&text, always)
                        .iter()
                        .map(ToString::to_string)
                        .collect();
                    match compare(&ours, &expected, complete) {
                        Outcome::Pass => Outcome::Pass,
                        _ => Outcome::Fail(why),
                    }
                }
                o => o,
            }
        });
        s.add(name, outcome);
    }
    s
}

fn local_string(m: &Moment, tz: &chrono_tz::Tz) -> String {
    match m {
        Moment::Utc(u) => tz
            .from_utc_datetime(u)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        Moment::Floating(f) => f.format("%Y-%m-%d %H:%M:%S").to_string(),
        Moment::Date(d) => d.format("%Y-%m-%d").to_string(),
    }
}

pub fn suite_sabre(corpus: &Path) -> Suite {
    let mut s = Suite::new("rrule-sabre");
    let cases = load_cases(
        &mut s,
        corpus,
        "recur/sabre_vobject_rruleiterator_cases.json",
    );
    for (i, c) in cases.iter().enumerate() {
        let name = format!("{}#{}:{}", c["test"].as_str().unwrap_or("?"), c["line"], i);
        let outcome = guarded(|| {
            let rule = c["rule"].as_str().unwrap_or("");
            let tzname = c["tz"].as_str().unwrap_or("UTC");
            let Ok(tz) = chrono_tz::Tz::from_str(tzname) else {
                return Outcome::Skip(format!("unknown zone {tzname}"));
            };
            let dtstart = c["dtstart"].as_str().unwrap_or("");
            let expected = strings(&c["expected"]);
            let complete = c["run_till_end"].as_bool().unwrap_or(false);
            let from = c["fast_forward"]
                .as_str()
                .and_then(|f| NaiveDate::parse_from_str(f.get(..10).unwrap_or(f), "%Y-%m-%d").ok())
                .map(|d| {
                    let local = d.and_hms_opt(0, 0, 0).unwrap_or_default();
                    tz.from_local_datetime(&local)
                        .earliest()
                        .map_or(local, |t| t.naive_utc())
                });
            // sabre's tests give a date alone for midnight.
            let mut start = ical_dt(dtstart);
            if start.len() == 8 {
                start.push_str("T000000");
            }
            let start_line = if tzname == "UTC" {
                format!("DTSTART:{start}Z")
            } else {
                format!("DTSTART;TZID={tzname}:{start}")
            };
            let opts = ExpandOptions {
                from,
                max_instances: if complete {
                    expected.len() + 5
                } else {
                    expected.len()
                },
                ..ExpandOptions::default()
            };
            let ours: Vec<String> =
                expand_text(&event(&format!("{start_line}\nRRULE:{rule}")), opts)
                    .iter()
                    .map(|m| local_string(m, &tz))
                    .collect();
            compare(&ours, &expected, complete)
        });
        s.add(name, outcome);
    }
    s
}

pub fn suite_rust_rrule(corpus: &Path) -> Suite {
    let mut s = Suite::new("rrule-rust-rrule");
    let cases = load_cases(&mut s, corpus, "recur/rust_rrule_rfc_cases.json");
    for c in cases.iter() {
        let name = c["test"].as_str().unwrap_or("?").to_string();
        let outcome = guarded(|| {
            let input = c["input"].as_str().unwrap_or("");
            let expected: Vec<NaiveDateTime> = strings(&c["expected"])
                .iter()
                .filter_map(|e| DateTime::<FixedOffset>::parse_from_rfc3339(e).ok())
                .map(|d| d.naive_utc())
                .collect();
            let limit = c["limit"].as_str().and_then(|l| l.parse::<usize>().ok());
            let complete = limit.is_none();
            let opts = ExpandOptions {
                max_instances: limit.unwrap_or(expected.len() + 5),
                ..ExpandOptions::default()
            };
            let fmt = |t: &NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
            let ours: Vec<String> = expand_text(&event(input), opts)
                .iter()
                .map(|m| fmt(&m.sort_key()))
                .collect();
            let exp: Vec<String> = expected.iter().map(fmt).collect();
            compare(&ours, &exp, complete)
        });
        s.add(name, outcome);
    }
    s
}

/// KCalendarCore's vCalendar files against the iCalendar it produced:
/// both must expand to the same instances.
pub fn suite_vcal(corpus: &Path) -> Suite {
    let mut s = Suite::new("vcal-kcalendarcore");
    for p in files_under(&corpus.join("vcal/kcalendarcore"), &["vcs"]) {
        let reference = p.with_extension("vcs.ical.ref");
        let outcome = guarded(|| {
            let (Ok(vcs), Ok(ics)) = (std::fs::read(&p), std::fs::read(&reference)) else {
                return Outcome::Skip("no .vcs.ical.ref".into());
            };
            let opts = ExpandOptions {
                max_instances: 200,
                ..ExpandOptions::default()
            };
            let a: Vec<String> = {
                let doc = Parser::new().parse(&vcs).document;
                oxpim::expand(&doc, opts.clone())
                    .instances
                    .iter()
                    .map(|i| format!("{} {}", i.start, i.end))
                    .collect()
            };
            let b: Vec<String> = {
                let doc = Parser::new().parse(&ics).document;
                oxpim::expand(&doc, opts)
                    .instances
                    .iter()
                    .map(|i| format!("{} {}", i.start, i.end))
                    .collect()
            };
            if a.is_empty() {
                return Outcome::Fail("no instance from the vCalendar file".into());
            }
            compare(&a, &b, true)
        });
        s.add(rel(corpus, &p), outcome);
    }
    s
}

/// Every calendar file of the corpus, expanded twice: in full, and for the
/// year 2020 only. Nothing may panic, and the windowed expansion (which
/// skips ahead) must give exactly the instances of the full one that
/// overlap 2020.
pub fn suite_expand_corpus(corpus: &Path) -> Suite {
    let mut s = Suite::new("expand-window-agrees");
    let from = NaiveDate::from_ymd_opt(2020, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0));
    let to = NaiveDate::from_ymd_opt(2021, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0));
    let mut files = files_under(&corpus.join("ical"), &["ics", "ical", "ifb"]);
    files.extend(files_under(&corpus.join("vcal"), &["vcs"]));
    for p in files {
        let outcome = guarded(|| {
            let Ok(bytes) = std::fs::read(&p) else {
                return Outcome::Skip("unreadable".into());
            };
            let doc = Parser::new().parse(&bytes).document;
            let full = oxpim::expand(
                &doc,
                ExpandOptions {
                    max_instances: 100_000,
                    ..ExpandOptions::default()
                },
            );
            let windowed = oxpim::expand(
                &doc,
                ExpandOptions {
                    max_instances: 100_000,
                    from,
                    to,
                    ..ExpandOptions::default()
                },
            );
            if full
                .diagnostics
                .iter()
                .any(|d| d.code == oxpim::Code::Limit || d.message.contains("stopped"))
            {
                return Outcome::Skip("the full expansion reached a limit".into());
            }
            let (Some(from), Some(to)) = (from, to) else {
                return Outcome::Skip("no window".into());
            };
            let show = |i: &oxpim::Instance| {
                format!(
                    "{} {} {} {:?}",
                    i.uid,
                    i.start,
                    i.end,
                    i.recurrence_id.map(|r| r.to_string())
                )
            };
            let mut expected: Vec<String> = full
                .instances
                .iter()
                .filter(|i| {
                    let (a, b) = (i.start.sort_key(), i.end.sort_key());
                    a < to && (b > from || a >= from)
                })
                .map(show)
                .collect();
            let mut got: Vec<String> = windowed.instances.iter().map(show).collect();
            expected.sort();
            got.sort();
            compare(&got, &expected, true)
        });
        s.add(rel(corpus, &p), outcome);
    }
    s
}
