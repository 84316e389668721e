//! Conformance suites over an external corpus.
//!
//! The corpus is read in place (`--corpus DIR`, default `../shared/corpus`);
//! nothing from it is copied into the repository. Each suite prints cases,
//! passed, failed and skipped. A failing case is a regression unless the
//! baseline file lists it (with the reason it is expected to fail); a listed
//! case that now passes is reported so that the baseline can shrink.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use oxpim::contentline::json::{from_json, to_json};
use oxpim::{Code, ParseOptions, Parser, Severity, WriteOptions};
use serde_json::Value as J;

const BASELINE: &str = "xtask/conformance-baseline.tsv";

/// Outcome of one case.
pub enum Outcome {
    Pass,
    Fail(String),
    Skip(String),
}

pub struct Suite {
    name: &'static str,
    results: Vec<(String, Outcome)>,
}

impl Suite {
    pub fn new(name: &'static str) -> Self {
        Suite {
            name,
            results: Vec::new(),
        }
    }
    pub fn add(&mut self, case: String, outcome: Outcome) {
        self.results.push((case, outcome));
    }
}

pub fn files_under(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if exts.is_empty()
                || p.extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| exts.contains(&x))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

pub fn rel(corpus: &Path, p: &Path) -> String {
    p.strip_prefix(corpus).unwrap_or(p).display().to_string()
}

/// Runs `f`, turning a panic into a failure.
pub fn guarded(f: impl FnOnce() -> Outcome) -> Outcome {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(o) => o,
        Err(e) => {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Outcome::Fail(format!("panicked: {msg}"))
        }
    }
}

// ---------------------------------------------------------------------------
// JSON comparison
// ---------------------------------------------------------------------------

/// Compares two JSON values (numbers approximately); returns the path of the
/// first difference. A jCard's empty sub-component array (which ical.js
/// writes and RFC 7095 omits) counts as absent.
fn json_diff(path: &str, a: &J, b: &J) -> Option<String> {
    let is_vcard = |v: &J| v.get(0).and_then(J::as_str) == Some("vcard");
    let strip = |v: &J| -> J {
        match v {
            J::Array(items)
                if is_vcard(v)
                    && items.len() == 3
                    && items.get(2) == Some(&J::Array(Vec::new())) =>
            {
                J::Array(items.iter().take(2).cloned().collect())
            }
            other => other.clone(),
        }
    };
    if is_vcard(a) || is_vcard(b) {
        let (a2, b2) = (strip(a), strip(b));
        if (&a2, &b2) != (a, b) {
            return json_diff(path, &a2, &b2);
        }
    }
    match (a, b) {
        (J::Number(x), J::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            if (x - y).abs() <= 1e-9 * x.abs().max(1.0) {
                None
            } else {
                Some(format!("{path}: {x} != {y}"))
            }
        }
        (J::Array(x), J::Array(y)) => {
            if x.len() != y.len() {
                return Some(format!(
                    "{path}: {} items != {} items ({} vs {})",
                    x.len(),
                    y.len(),
                    short(a),
                    short(b)
                ));
            }
            x.iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (p, q))| json_diff(&format!("{path}[{i}]"), p, q))
        }
        (J::Object(x), J::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| match (x.get(k), y.get(k)) {
                (Some(p), Some(q)) => json_diff(&format!("{path}.{k}"), p, q),
                (p, q) => Some(format!(
                    "{path}.{k}: {} != {}",
                    p.map_or("absent".into(), short),
                    q.map_or("absent".into(), short)
                )),
            })
        }
        _ if a == b => None,
        _ => Some(format!("{path}: {} != {}", short(a), short(b))),
    }
}

fn short(v: &J) -> String {
    let s = v.to_string();
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(120).collect::<String>())
    } else {
        s
    }
}

// ---------------------------------------------------------------------------
// Suites
// ---------------------------------------------------------------------------

/// ical.js parser pairs: our jCal/jCard of the text equals theirs, and
/// their JSON survives JSON → text → JSON.
fn suite_icaljs(corpus: &Path) -> Suite {
    let mut s = Suite::new("icaljs-jcal-jcard");
    let mut pairs = Vec::new();
    for (dir, ext) in [
        ("ical/icaljs-parser", "ics"),
        ("vcard/icaljs-parser", "vcf"),
    ] {
        for p in files_under(&corpus.join(dir), &[ext]) {
            let json = p.with_extension("json");
            pairs.push((p, json));
        }
    }
    for (text_path, json_path) in pairs {
        let case = rel(corpus, &text_path);
        let outcome = guarded(|| {
            let (Ok(text), Ok(json)) = (
                std::fs::read(&text_path),
                std::fs::read_to_string(&json_path),
            ) else {
                return Outcome::Skip("no .json pair".into());
            };
            let Ok(expected) = serde_json::from_str::<J>(&json) else {
                return Outcome::Skip("expected .json does not parse".into());
            };
            let parsed = Parser::new().parse(&text);
            let ours = to_json(&parsed.document);
            if let Some(d) = json_diff("$", &ours, &expected) {
                return Outcome::Fail(format!("text → jCal differs at {d}"));
            }
            // Their JSON → text → JSON.
            let doc = match from_json(&expected) {
                Ok(d) => d,
                Err(e) => return Outcome::Fail(format!("reading their jCal: {e}")),
            };
            let text2 = doc.to_canonical_bytes();
            let again = to_json(&Parser::new().parse(&text2).document);
            match json_diff("$", &again, &expected) {
                Some(d) => Outcome::Fail(format!("jCal → text → jCal differs at {d}")),
                None => Outcome::Pass,
            }
        });
        s.add(case, outcome);
    }
    // jCard example without a text pair: JSON → text → JSON.
    let jcard = corpus.join("vcard/ez-vcard/io/json/jcard-example.json");
    if let Ok(json) = std::fs::read_to_string(&jcard) {
        let outcome = guarded(|| {
            let Ok(expected) = serde_json::from_str::<J>(&json) else {
                return Outcome::Skip("does not parse as JSON".into());
            };
            let doc = match from_json(&expected) {
                Ok(d) => d,
                Err(e) => return Outcome::Fail(format!("reading jCard: {e}")),
            };
            let again = to_json(&Parser::new().parse(&doc.to_canonical_bytes()).document);
            match json_diff("$", &again, &expected) {
                Some(d) => Outcome::Fail(format!("jCard → text → jCard differs at {d}")),
                None => Outcome::Pass,
            }
        });
        s.add(rel(corpus, &jcard), outcome);
    }
    s
}

/// ical4j samples/valid: lenient parsing reports no error.
fn suite_ical4j_valid(corpus: &Path) -> Suite {
    let mut s = Suite::new("ical4j-valid");
    for p in files_under(&corpus.join("ical/ical4j/samples/valid"), &["ics"]) {
        let outcome = guarded(|| {
            let Ok(bytes) = std::fs::read(&p) else {
                return Outcome::Skip("unreadable".into());
            };
            let parsed = Parser::new().parse(&bytes);
            match parsed
                .diagnostics
                .iter()
                .find(|d| d.severity == Severity::Error)
            {
                Some(d) => Outcome::Fail(format!("{}:{}: {}", d.line, d.column, d.message)),
                None => Outcome::Pass,
            }
        });
        s.add(rel(corpus, &p), outcome);
    }
    s
}

/// ical4j samples/invalid: strict parsing reports at least one error. The
/// corpus stores the files with LF line breaks, so that finding alone does
/// not count.
fn suite_ical4j_invalid(corpus: &Path) -> Suite {
    let mut s = Suite::new("ical4j-invalid-strict");
    for p in files_under(&corpus.join("ical/ical4j/samples/invalid"), &["ics"]) {
        let outcome = guarded(|| {
            let Ok(bytes) = std::fs::read(&p) else {
                return Outcome::Skip("unreadable".into());
            };
            let parsed = Parser::strict().parse(&bytes);
            if parsed
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error && d.code != Code::LineBreak)
            {
                Outcome::Pass
            } else {
                Outcome::Fail("strict mode reported no error".into())
            }
        });
        s.add(rel(corpus, &p), outcome);
    }
    s
}

/// Crash regressions (libical fuzz*/poc*, vcardfuzz*): every entry point
/// runs without panicking and within a time bound.
fn suite_crashes(corpus: &Path) -> Suite {
    let mut s = Suite::new("crash-regressions");
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["ical/libical", "vcard/libical"] {
        for p in files_under(&corpus.join(dir), &[]) {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with("fuzz")
                || name.starts_with("poc")
                || name.starts_with("vcardfuzz")
                || name.starts_with("timefuzz")
                || name.starts_with("timezonefuzz")
            {
                files.push(p);
            }
        }
    }
    for p in files {
        let outcome = guarded(|| {
            let Ok(bytes) = std::fs::read(&p) else {
                return Outcome::Skip("unreadable".into());
            };
            let start = Instant::now();
            for strict in [false, true] {
                let parsed = Parser::with_options(ParseOptions {
                    strict,
                    ..ParseOptions::default()
                })
                .parse(&bytes);
                let _ = parsed.document.to_bytes();
                let canon = parsed.document.to_canonical_bytes();
                let _ = Parser::new().parse(&canon);
                let _ = to_json(&parsed.document);
                let stream: Vec<_> =
                    oxpim::StreamReader::new(&bytes[..], ParseOptions::default()).collect();
                let _ = stream;
            }
            if start.elapsed() > Duration::from_secs(2) {
                return Outcome::Fail(format!("took {:?}", start.elapsed()));
            }
            Outcome::Pass
        });
        s.add(rel(corpus, &p), outcome);
    }
    s
}

fn text_files(corpus: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for dir in ["ical", "vcard", "vcal"] {
        v.extend(files_under(
            &corpus.join(dir),
            &["ics", "vcf", "vcs", "ical", "ref", "all"],
        ));
    }
    v
}

/// Round trip: writing an unmodified parse reproduces every line byte for
/// byte (line breaks become CRLF), and canonical output is idempotent
/// (`fmt` of `fmt` output is unchanged) and parses to the same tree.
fn suite_roundtrip(corpus: &Path) -> (Suite, Suite) {
    let mut faithful = Suite::new("faithful-roundtrip");
    let mut idem = Suite::new("fmt-idempotence");
    for p in text_files(corpus) {
        let Ok(bytes) = std::fs::read(&p) else {
            continue;
        };
        let case = rel(corpus, &p);
        faithful.add(
            case.clone(),
            guarded(|| {
                let parsed = Parser::new().parse(&bytes);
                let out = parsed.document.to_bytes();
                let expected = crlf(&bytes);
                // Components closed by repair get END lines inserted; every
                // input line must still come out, unchanged and in order.
                if out == expected || only_end_lines_added(&expected, &out) {
                    Outcome::Pass
                } else {
                    let line = first_diff_line(&out, &expected);
                    Outcome::Fail(format!("output differs from input at line {line}"))
                }
            }),
        );
        idem.add(
            case,
            guarded(|| {
                let first = Parser::new().parse(&bytes).document.to_canonical_bytes();
                let reparsed = Parser::new().parse(&first);
                let second = reparsed.document.to_canonical_bytes();
                if first != second {
                    let line = first_diff_line(&first, &second);
                    return Outcome::Fail(format!("fmt(fmt(x)) != fmt(x) at line {line}"));
                }
                let original = Parser::new().parse(&bytes).document;
                match semantic_diff(&original, &reparsed.document) {
                    Some(d) => Outcome::Fail(format!("fmt output means something else: {d}")),
                    None => Outcome::Pass,
                }
            }),
        );
    }
    (faithful, idem)
}

/// Compares two documents by meaning: component names, property names,
/// groups, parameters (other than the VALUE, ENCODING and CHARSET that
/// normalisation may add, drop or rewrite), value types and values.
fn semantic_diff(a: &oxpim::Document, b: &oxpim::Document) -> Option<String> {
    fn params(p: &oxpim::Property) -> Vec<(String, Vec<String>)> {
        p.params()
            .iter()
            .filter(|(n, _)| !matches!(*n, "VALUE" | "ENCODING" | "CHARSET"))
            .map(|(n, v)| (n.to_string(), v.iter().map(str::to_string).collect()))
            .collect()
    }
    let mut stack: Vec<(&oxpim::Component, &oxpim::Component, String)> = Vec::new();
    if a.components.len() != b.components.len() {
        return Some(format!(
            "{} top-level components != {}",
            a.components.len(),
            b.components.len()
        ));
    }
    for (x, y) in a.components.iter().zip(&b.components) {
        stack.push((x, y, String::new()));
    }
    while let Some((x, y, path)) = stack.pop() {
        let path = format!("{path}/{}", x.name());
        if x.name() != y.name() {
            return Some(format!("{path}: component {} != {}", x.name(), y.name()));
        }
        if x.properties.len() != y.properties.len() {
            return Some(format!(
                "{path}: {} properties != {}",
                x.properties.len(),
                y.properties.len()
            ));
        }
        for (p, q) in x.properties.iter().zip(&y.properties) {
            if p.name() != q.name()
                || p.group().map(str::to_ascii_lowercase) != q.group().map(str::to_ascii_lowercase)
            {
                return Some(format!("{path}: property {} != {}", p.name(), q.name()));
            }
            if params(p) != params(q) {
                return Some(format!(
                    "{path}/{}: parameters {:?} != {:?}",
                    p.name(),
                    params(p),
                    params(q)
                ));
            }
            if p.value_type() != q.value_type() || p.values() != q.values() {
                return Some(format!(
                    "{path}/{}: {:?} {:?} != {:?} {:?}",
                    p.name(),
                    p.value_type(),
                    p.values(),
                    q.value_type(),
                    q.values()
                ));
            }
        }
        if x.components.len() != y.components.len() {
            return Some(format!(
                "{path}: {} children != {}",
                x.components.len(),
                y.components.len()
            ));
        }
        for (c, d) in x.components.iter().zip(&y.components) {
            stack.push((c, d, path.clone()));
        }
    }
    None
}

/// The input with every line break turned into CRLF (what the faithful
/// writer promises), a final CRLF added, and a leading BOM kept.
fn crlf(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len() + b.len() / 40);
    let mut i = 0;
    while i < b.len() {
        match (b.get(i), b.get(i + 1), b.get(i + 2)) {
            (Some(b'\r'), Some(b'\n'), _) => {
                out.extend_from_slice(b"\r\n");
                i += 2;
            }
            (Some(b'\r'), Some(b'\r'), Some(b'\n')) => {
                out.extend_from_slice(b"\r\n");
                i += 3;
            }
            (Some(b'\r' | b'\n'), _, _) => {
                out.extend_from_slice(b"\r\n");
                i += 1;
            }
            (Some(&c), _, _) => {
                out.push(c);
                i += 1;
            }
            _ => break,
        }
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// True when `out` is `input` with some `END:` lines inserted (repairs of
/// components that had no END).
fn only_end_lines_added(input: &[u8], out: &[u8]) -> bool {
    let a: Vec<&[u8]> = input
        .split(|&c| c == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let b: Vec<&[u8]> = out
        .split(|&c| c == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let mut i = 0;
    for line in &b {
        if a.get(i) == Some(line) {
            i += 1;
        } else if !line.starts_with(b"END:") {
            return false;
        }
    }
    i == a.len()
}

/// Line number of the first difference, with both versions of that line.
fn first_diff_line(a: &[u8], b: &[u8]) -> String {
    let pos = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let line = a
        .get(..pos)
        .unwrap_or_default()
        .iter()
        .filter(|&&c| c == b'\n')
        .count();
    let get = |t: &[u8]| {
        t.split(|&c| c == b'\n')
            .nth(line)
            .map(|l| {
                String::from_utf8_lossy(l)
                    .chars()
                    .take(80)
                    .collect::<String>()
            })
            .unwrap_or_else(|| "<end>".into())
    };
    format!("{}: {:?} vs {:?}", line + 1, get(a), get(b))
}

// ---------------------------------------------------------------------------
// Baseline and report
// ---------------------------------------------------------------------------

fn load_baseline(root: &Path) -> Vec<(String, String, String)> {
    let Ok(text) = std::fs::read_to_string(root.join(BASELINE)) else {
        return Vec::new();
    };
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut it = l.splitn(3, '\t');
            Some((
                it.next()?.to_string(),
                it.next()?.to_string(),
                it.next().unwrap_or("").to_string(),
            ))
        })
        .collect()
}

fn workspace_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(Path::to_path_buf).unwrap_or(here)
}

/// `cargo xtask conformance [--corpus DIR]`: runs the suites, prints a
/// table per suite and fails on a regression against the baseline.
pub fn main(args: &[String]) -> ExitCode {
    let root = workspace_root();
    let mut corpus = root.join("../shared/corpus");
    let mut update = false;
    let mut verbose = false;
    let mut only: Option<String> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--corpus" => match it.next() {
                Some(d) => corpus = PathBuf::from(d),
                None => {
                    eprintln!("--corpus needs a directory");
                    return ExitCode::from(2);
                }
            },
            "--update-baseline" => update = true,
            "--suite" => only = it.next().cloned(),
            "--verbose" | "-v" => verbose = true,
            other => {
                eprintln!("unknown argument {other}");
                return ExitCode::from(2);
            }
        }
    }
    if !corpus.is_dir() {
        eprintln!("corpus {} not found; nothing to check", corpus.display());
        return ExitCode::from(2);
    }
    // Quiet the default panic message: a panic is reported as a failure.
    std::panic::set_hook(Box::new(|_| {}));
    let mut suites = vec![
        suite_icaljs(&corpus),
        suite_ical4j_valid(&corpus),
        suite_ical4j_invalid(&corpus),
        suite_crashes(&corpus),
    ];
    let (faithful, idem) = suite_roundtrip(&corpus);
    suites.push(faithful);
    suites.push(idem);
    suites.push(crate::recur_suites::suite_dateutil(&corpus));
    suites.push(crate::recur_suites::suite_icaljs(&corpus));
    suites.push(crate::recur_suites::suite_sabre(&corpus));
    suites.push(crate::recur_suites::suite_rust_rrule(&corpus));
    suites.push(crate::recur_suites::suite_vcal(&corpus));
    suites.push(crate::recur_suites::suite_expand_corpus(&corpus));
    suites.push(crate::mapi_suites::suite_mapi_roundtrip(&corpus));
    suites.push(crate::mapi_suites::suite_msg_rtf(&corpus));
    let _ = WriteOptions::default();
    if let Some(only) = &only {
        if update {
            eprintln!("--update-baseline needs all suites");
            return ExitCode::from(2);
        }
        suites.retain(|s| s.name.contains(only.as_str()));
    }

    let baseline = load_baseline(&root);
    let expected_fail =
        |suite: &str, case: &str| baseline.iter().any(|(s, c, _)| s == suite && c == case);
    let mut regressions = Vec::new();
    let mut fixed = Vec::new();
    let mut new_baseline =
        String::from("# suite\tcase\twhy it is expected to fail (see docs/decisions.md)\n");
    println!(
        "{:<24} {:>6} {:>7} {:>7} {:>8} {:>9}",
        "suite", "cases", "passed", "failed", "skipped", "expected"
    );
    for s in &suites {
        let (mut pass, mut fail, mut skip, mut known) = (0, 0, 0, 0);
        for (case, o) in &s.results {
            match o {
                Outcome::Pass => {
                    pass += 1;
                    if expected_fail(s.name, case) {
                        fixed.push(format!("{}: {case}", s.name));
                    }
                }
                Outcome::Skip(why) => {
                    skip += 1;
                    if verbose {
                        println!("  skip {}: {case}: {why}", s.name);
                    }
                }
                Outcome::Fail(why) => {
                    fail += 1;
                    let reason = baseline
                        .iter()
                        .find(|(su, c, _)| su == s.name && c == case)
                        .map(|(_, _, r)| r.clone())
                        .unwrap_or_else(|| why.clone());
                    let _ = writeln!(new_baseline, "{}\t{case}\t{reason}", s.name);
                    if expected_fail(s.name, case) {
                        known += 1;
                        if verbose {
                            println!("  expected failure {}: {case}: {why}", s.name);
                        }
                    } else {
                        regressions.push(format!("{}: {case}: {why}", s.name));
                    }
                }
            }
        }
        println!(
            "{:<24} {:>6} {:>7} {:>7} {:>8} {:>9}",
            s.name,
            s.results.len(),
            pass,
            fail,
            skip,
            known
        );
    }
    if update {
        if let Err(e) = std::fs::write(root.join(BASELINE), new_baseline) {
            eprintln!("cannot write baseline: {e}");
            return ExitCode::from(2);
        }
        println!("baseline written to {BASELINE}");
        return ExitCode::SUCCESS;
    }
    for f in &fixed {
        println!("now passes (remove from {BASELINE}): {f}");
    }
    if regressions.is_empty() {
        println!("no regressions");
        ExitCode::SUCCESS
    } else {
        for r in &regressions {
            println!("REGRESSION {r}");
        }
        ExitCode::FAILURE
    }
}
