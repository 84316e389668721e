//! The `oxpim` command.
//!
//! What it must never do: panic or print a backtrace on bad input, or hold
//! logic that belongs in a library crate (it only parses arguments, reads
//! and writes files, and calls the `oxpim` facade).

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser as ClapParser, Subcommand};
use oxpim::{Code, Diagnostic, ParseOptions, Parser, Severity};

#[derive(ClapParser)]
#[command(
    name = "oxpim",
    version,
    about = "Check, format and convert iCalendar, vCalendar and vCard files, and read Outlook .msg files"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Parse files and print their diagnostics as FILE:LINE:COL: severity: message.
    /// Exits 0 without errors, 1 with errors, 2 when a file cannot be read.
    Check {
        /// Files to check ("-" for standard input).
        #[arg(required = true)]
        files: Vec<String>,
        /// Strict mode: every deviation from the specification is an error.
        #[arg(long)]
        strict: bool,
        /// Print only errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Write the canonical (normalised) text of a file.
    Fmt {
        /// Input file ("-" for standard input).
        input: String,
        /// Output file (standard output when absent).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Print the instances of every event (and to-do) as JSON Lines, sorted
    /// by start: {"uid", "recurrence_id", "start", "end", "summary"}.
    Expand {
        /// Input file ("-" for standard input).
        input: String,
        /// Only instances that end after this time (RFC 3339, or a date).
        #[arg(long)]
        from: Option<String>,
        /// Only instances that start before this time (RFC 3339, or a date).
        #[arg(long)]
        to: Option<String>,
        /// Most instances per series.
        #[arg(long, default_value_t = 1000)]
        limit: usize,
        /// Only the series with this UID.
        #[arg(long)]
        uid: Option<String>,
    },
    /// Print an Outlook .msg file as JSON: {"message_class", "properties",
    /// "recipients", "attachments"}; each property has its tag (or named
    /// identity), canonical name, type and value. Departures from MS-OXMSG
    /// that were tolerated go to standard error as warnings.
    /// Exits 0 when read, 1 when the file is not a readable .msg, 2 when it
    /// cannot be opened.
    Dump {
        /// Input .msg file ("-" for standard input).
        input: String,
        /// Output file (standard output when absent).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Print the Outlook messages (appointments, meetings or contacts) an
    /// iCalendar, vCalendar or vCard file converts to, as JSON in the schema
    /// of `oxpim dump` (one object, or an array when there are several).
    Mapi {
        /// Input file ("-" for standard input).
        input: String,
        #[command(flatten)]
        import: ImportArgs,
        /// Output file (standard output when absent).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Convert between iCalendar/vCalendar (.ics, .vcs), vCard (.vcf) and
    /// Outlook .msg, formats chosen by the extensions. A file with several
    /// series or contacts gives a folder (OUT) of .msg files named from
    /// their UIDs; several .msg files give one .ics or .vcf (or, into a
    /// folder, one file each). .vcf to .vcf converts between vCard versions;
    /// .vcs (or .ics) to .ics converts vCalendar 1.0 to iCalendar 2.0.
    Convert {
        /// Input files.
        #[arg(required = true)]
        inputs: Vec<String>,
        /// Output file, or folder (an existing folder, or a path without
        /// an extension).
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        import: ImportArgs,
        /// Show a progress bar (the default when standard error is a
        /// terminal and there is more than one item).
        #[arg(long)]
        progress: bool,
        /// vCard version to write (.vcf output).
        #[arg(long, value_enum, default_value_t = VcardVersion::V3_0)]
        vcard_version: VcardVersion,
    },
    /// Convert to jCal/jCard (RFC 7265/7095), or back with --to-text.
    Json {
        /// Input file ("-" for standard input).
        input: String,
        /// Read jCal/jCard and write text.
        #[arg(long)]
        to_text: bool,
        /// Output file (standard output when absent).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

/// Options of iCalendar → MAPI conversions.
#[derive(clap::Args, Clone)]
struct ImportArgs {
    /// METHOD to use instead of the file's (for .msg output) or to write
    /// (for .ics output): PUBLISH, REQUEST, REPLY, CANCEL, COUNTER.
    #[arg(long)]
    method: Option<String>,
    /// Zone of floating times and all-day events (IANA or Windows name;
    /// default: the calendar's X-WR-TIMEZONE, else UTC).
    #[arg(long)]
    floating_zone: Option<String>,
    /// The mailbox owner's address (decides organizer vs attendee copies).
    #[arg(long)]
    user: Option<String>,
    /// "Now" for reminders, RFC 3339 (default: the system clock).
    #[arg(long)]
    now: Option<String>,
    /// What to do with recurrences Outlook cannot represent.
    #[arg(long, value_enum, default_value_t = Fallback::First)]
    unrepresentable: Fallback,
    /// Threads converting the series of a calendar (0: one per core). The
    /// output is the same whatever the number.
    #[arg(long, default_value_t = 0)]
    threads: usize,
}

#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq)]
enum VcardVersion {
    /// vCard 2.1 (as Outlook writes it).
    #[value(name = "2.1")]
    V2_1,
    /// vCard 3.0 (RFC 2426; MS-OXVCARD's version).
    #[value(name = "3.0")]
    V3_0,
    /// vCard 4.0 (RFC 6350).
    #[value(name = "4.0")]
    V4_0,
}

impl VcardVersion {
    fn dialect(self) -> oxpim::Dialect {
        match self {
            VcardVersion::V2_1 => oxpim::Dialect::VCard21,
            VcardVersion::V3_0 => oxpim::Dialect::VCard30,
            VcardVersion::V4_0 => oxpim::Dialect::VCard40,
        }
    }
}

#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq)]
enum Fallback {
    /// One appointment at the first instance.
    First,
    /// One appointment per instance.
    Expand,
    /// No appointment (an error).
    Reject,
}

impl ImportArgs {
    fn import_options(&self) -> Result<oxpim::ImportOptions, String> {
        let now = match &self.now {
            Some(t) => {
                Some(parse_time(t).ok_or_else(|| format!("--now: '{t}' is not an RFC 3339 time"))?)
            }
            None => None,
        };
        Ok(oxpim::ImportOptions {
            floating_zone: self.floating_zone.clone(),
            now,
            user: self.user.clone(),
            method: self.method.clone(),
            unrepresentable: match self.unrepresentable {
                Fallback::First => oxpim::Unrepresentable::FirstInstance,
                Fallback::Expand => oxpim::Unrepresentable::Expand,
                Fallback::Reject => oxpim::Unrepresentable::Reject,
            },
            threads: self.threads,
            ..oxpim::ImportOptions::default()
        })
    }

    fn export_options(&self) -> Result<oxpim::ExportOptions, String> {
        let now = match &self.now {
            Some(t) => {
                Some(parse_time(t).ok_or_else(|| format!("--now: '{t}' is not an RFC 3339 time"))?)
            }
            None => None,
        };
        Ok(oxpim::ExportOptions {
            method: self.method.clone(),
            now,
            floating_zone: self.floating_zone.clone(),
            ..oxpim::ExportOptions::default()
        })
    }
}

fn read_input(name: &str) -> io::Result<Vec<u8>> {
    if name == "-" {
        let mut buf = Vec::new();
        io::stdin().lock().read_to_end(&mut buf)?;
        Ok(buf)
    } else {
        std::fs::read(name)
    }
}

fn display_name(name: &str) -> &str {
    if name == "-" { "<stdin>" } else { name }
}

fn print_diagnostics(file: &str, diags: &[Diagnostic], quiet: bool) {
    let stderr = io::stderr();
    let mut err = stderr.lock();
    for d in diags {
        // Quiet: errors, and the warnings that mean the written text is
        // not the input's (bytes decoded lossily, data not decodable).
        if quiet
            && d.severity != Severity::Error
            && !matches!(
                d.code,
                Code::InvalidUtf8 | Code::UnknownCharset | Code::BadEncoding
            )
        {
            continue;
        }
        // Line 0: about the file as a whole (a MAPI message, not a line).
        let _ = if d.line == 0 {
            writeln!(err, "{}: {}: {}", display_name(file), d.severity, d.message)
        } else {
            writeln!(
                err,
                "{}:{}:{}: {}: {}",
                display_name(file),
                d.line,
                d.column,
                d.severity,
                d.message
            )
        };
    }
}

fn write_output(path: Option<&Path>, bytes: &[u8]) -> io::Result<()> {
    match path {
        Some(p) => std::fs::write(p, bytes),
        None => {
            let stdout = io::stdout();
            let mut out = stdout.lock();
            out.write_all(bytes)?;
            out.flush()
        }
    }
}

fn fail(msg: impl std::fmt::Display, code: u8) -> ExitCode {
    eprintln!("oxpim: {msg}");
    ExitCode::from(code)
}

/// The parser of every command: one thread per core for large inputs
/// (`ParseOptions::threads`; the result is the one-thread result).
fn parser() -> Parser {
    Parser::with_options(ParseOptions {
        threads: 0,
        ..ParseOptions::default()
    })
}

fn check(files: &[String], strict: bool, quiet: bool) -> ExitCode {
    let parser = Parser::with_options(ParseOptions {
        strict,
        threads: 0,
        ..ParseOptions::default()
    });
    let mut worst = 0u8;
    for f in files {
        let bytes = match read_input(f) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("oxpim: {}: {e}", display_name(f));
                worst = 2;
                continue;
            }
        };
        let parsed = parser.parse_vec(bytes);
        print_diagnostics(f, &parsed.diagnostics, quiet);
        if parsed.has_errors() && worst < 1 {
            worst = 1;
        }
    }
    ExitCode::from(worst)
}

fn fmt(input: &str, output: Option<&Path>) -> ExitCode {
    let bytes = match read_input(input) {
        Ok(b) => b,
        Err(e) => return fail(format_args!("{}: {e}", display_name(input)), 2),
    };
    let parsed = parser().parse_vec(bytes);
    print_diagnostics(input, &parsed.diagnostics, true);
    // Streamed: the text is not held in memory beside the document.
    let written = match output {
        Some(p) => std::fs::File::create(p).and_then(|f| oxpim::format_to(&parsed.document, f)),
        None => {
            let stdout = io::stdout();
            let mut out = stdout.lock();
            oxpim::format_to(&parsed.document, &mut out).and_then(|()| out.flush())
        }
    };
    if let Err(e) = written {
        return fail(e, 2);
    }
    ExitCode::from(u8::from(parsed.has_errors()))
}

fn json(input: &str, to_text: bool, output: Option<&Path>) -> ExitCode {
    let bytes = match read_input(input) {
        Ok(b) => b,
        Err(e) => return fail(format_args!("{}: {e}", display_name(input)), 2),
    };
    if to_text {
        let text = match std::str::from_utf8(&bytes) {
            Ok(t) => t,
            Err(e) => return fail(format_args!("{}: not UTF-8: {e}", display_name(input)), 1),
        };
        let doc = match oxpim::contentline::json::from_json_str(text) {
            Ok(d) => d,
            Err(e) => return fail(format_args!("{}: {e}", display_name(input)), 1),
        };
        if let Err(e) = write_output(output, &oxpim::format(&doc)) {
            return fail(e, 2);
        }
        return ExitCode::SUCCESS;
    }
    let parsed = parser().parse_vec(bytes);
    print_diagnostics(input, &parsed.diagnostics, true);
    let mut text = oxpim::contentline::json::to_json_string(&parsed.document);
    text.push('\n');
    if let Err(e) = write_output(output, text.as_bytes()) {
        return fail(e, 2);
    }
    ExitCode::from(u8::from(parsed.has_errors()))
}

/// An RFC 3339 time (or a plain date, read as midnight UTC) as UTC.
fn parse_time(s: &str) -> Option<chrono::NaiveDateTime> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s.trim()) {
        return Some(t.naive_utc());
    }
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

fn expand(
    input: &str,
    from: Option<&str>,
    to: Option<&str>,
    limit: usize,
    uid: Option<&str>,
) -> ExitCode {
    let mut times = [None, None];
    for (slot, (flag, v)) in times.iter_mut().zip([("--from", from), ("--to", to)]) {
        if let Some(v) = v {
            match parse_time(v) {
                Some(t) => *slot = Some(t),
                None => {
                    return fail(
                        format_args!("{flag}: '{v}' is not an RFC 3339 time or a date"),
                        2,
                    );
                }
            }
        }
    }
    if let [Some(f), Some(t)] = times
        && f > t
    {
        return fail("--from is after --to: the window holds no time", 2);
    }
    if limit == 0 {
        return fail("--limit 0 allows no instance; give at least 1", 2);
    }
    let bytes = match read_input(input) {
        Ok(b) => b,
        Err(e) => return fail(format_args!("{}: {e}", display_name(input)), 2),
    };
    let parsed = parser().parse_vec(bytes);
    print_diagnostics(input, &parsed.diagnostics, true);
    // A UID no component has: said (it printed nothing, like a series
    // with no instance in the window).
    if let Some(u) = uid {
        let mut seen = false;
        for c in &parsed.document.components {
            c.walk(&mut |x| seen |= x.text("UID") == Some(u));
        }
        if !seen {
            let _ = writeln!(
                io::stderr(),
                "{}: warning: no component has UID '{u}'",
                display_name(input)
            );
        }
    }
    let [from, to] = times;
    let options = oxpim::ExpandOptions {
        from,
        to,
        max_instances: limit,
        uid: uid.map(str::to_string),
        ..oxpim::ExpandOptions::default()
    };
    let expansion = oxpim::expand(&parsed.document, options);
    print_diagnostics(input, &expansion.diagnostics, false);
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    for i in &expansion.instances {
        let line = serde_json::json!({
            "uid": &*i.uid,
            "recurrence_id": i.recurrence_id.map(|m| m.to_string()),
            "start": i.start.to_string(),
            "end": i.end.to_string(),
            "summary": i.summary.as_deref(),
        });
        if writeln!(out, "{line}").is_err() {
            return ExitCode::from(2);
        }
    }
    if out.flush().is_err() {
        return ExitCode::from(2);
    }
    ExitCode::from(u8::from(parsed.has_errors()))
}

fn dump(input: &str, output: Option<&Path>) -> ExitCode {
    let bytes = match read_input(input) {
        Ok(b) => b,
        Err(e) => return fail(format_args!("{}: {e}", display_name(input)), 2),
    };
    let read = match oxpim::msg::read(&bytes, &oxpim::msg::ReadOptions::default()) {
        Ok(r) => r,
        Err(e) => return fail(format_args!("{}: {e}", display_name(input)), 1),
    };
    for w in &read.warnings {
        eprintln!("{}: warning: {w}", display_name(input));
    }
    let json = oxpim::mapi::json::message_to_json(&read.message);
    let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
    text.push('\n');
    match write_output(output, text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(format_args!("writing output: {e}"), 2),
    }
}

/// What a file holds, from its extension.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Calendar,
    Contacts,
    Msg,
}

fn kind_of(path: &Path) -> Option<Kind> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "ics" | "ical" | "icalendar" | "ifb" | "vcs" => Some(Kind::Calendar),
        "vcf" | "vcard" => Some(Kind::Contacts),
        "msg" => Some(Kind::Msg),
        _ => None,
    }
}

/// True when a document holds vCards (and no calendar).
fn holds_cards(doc: &oxpim::Document) -> bool {
    doc.components.iter().any(|c| c.is("VCARD"))
        && !doc.components.iter().any(|c| c.is("VCALENDAR"))
}

fn mapi(input: &str, args: &ImportArgs, output: Option<&Path>) -> ExitCode {
    let options = match args.import_options() {
        Ok(o) => o,
        Err(e) => return fail(e, 2),
    };
    let bytes = match read_input(input) {
        Ok(b) => b,
        Err(e) => return fail(format_args!("{}: {e}", display_name(input)), 2),
    };
    let parsed = parser().parse_vec(bytes);
    print_diagnostics(input, &parsed.diagnostics, true);
    let imported = if holds_cards(&parsed.document) {
        let c = oxpim::cards_to_contacts(&parsed.document, oxpim::ContactImportOptions::default());
        oxpim::Imported {
            messages: c.messages,
            diagnostics: c.diagnostics,
        }
    } else {
        oxpim::calendar_to_messages(&parsed.document, options)
    };
    print_diagnostics(input, &imported.diagnostics, false);
    let mut values: Vec<serde_json::Value> = imported
        .messages
        .iter()
        .map(oxpim::mapi::json::message_to_json)
        .collect();
    let json = if values.len() == 1 {
        values.remove(0)
    } else {
        serde_json::Value::Array(values)
    };
    let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
    text.push('\n');
    if let Err(e) = write_output(output, text.as_bytes()) {
        return fail(format_args!("writing output: {e}"), 2);
    }
    let errors = parsed.has_errors()
        || imported
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error);
    ExitCode::from(u8::from(errors))
}

/// A progress bar on standard error.
struct Progress {
    total: usize,
    done: usize,
    forced: bool,
    terminal: bool,
    shown: bool,
    /// A bar line is on screen without its line break.
    open: bool,
}

impl Progress {
    fn new(total: usize, forced: bool) -> Progress {
        use std::io::IsTerminal;
        Progress {
            total,
            done: 0,
            forced,
            terminal: io::stderr().is_terminal(),
            shown: false,
            open: false,
        }
    }

    fn step(&mut self, what: &str) {
        self.done += 1;
        // Shown when asked for, or on a terminal for more than one item
        // (the total may grow as inputs are read).
        self.shown |= self.forced || (self.total > 1 && self.terminal);
        if !self.shown {
            return;
        }
        let width = 30;
        let filled = (self.done * width)
            .checked_div(self.total)
            .unwrap_or(width)
            .min(width);
        let pct = (self.done * 100)
            .checked_div(self.total)
            .unwrap_or(100)
            .min(100);
        let name: String = what.chars().take(40).collect();
        eprint!(
            "\r[{}{}] {:>3}% {}/{} {name:<40}",
            "#".repeat(filled),
            " ".repeat(width - filled),
            pct,
            self.done,
            self.total
        );
        self.open = true;
        // The total may be an estimate that the steps pass: only reaching
        // it exactly ends the line; `finish` ends it otherwise.
        if self.done == self.total {
            eprintln!();
            self.open = false;
        }
    }

    /// Ends the bar's line if the last step did not (before other output).
    fn finish(&mut self) {
        if self.open {
            eprintln!();
            self.open = false;
        }
    }
}

/// A file name from a UID: letters, digits and `.-_@` kept, at most 100
/// characters, no Windows device name, unique in `taken`.
fn file_name(uid: &str, ext: &str, taken: &mut std::collections::HashSet<String>) -> String {
    let mut base: String = uid
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_@".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    base = base.trim_matches('.').to_string();
    if base.is_empty() {
        base = "item".into();
    }
    // Names Windows keeps for devices (CON, NUL, COM1…), with any
    // extension, cannot be files there: the UID `CON` is written `CON_`.
    let stem = base
        .split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    let device = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes().get(3).is_some_and(u8::is_ascii_digit));
    if device {
        base.insert(stem.len(), '_');
    }
    let mut name = format!("{base}.{ext}");
    let mut n = 2;
    while !taken.insert(name.to_ascii_lowercase()) {
        name = format!("{base}-{n}.{ext}");
        n += 1;
    }
    name
}

fn is_folder(p: &Path) -> bool {
    p.is_dir()
        || p.extension().is_none()
        || p.to_string_lossy().ends_with(std::path::MAIN_SEPARATOR)
}

/// A name for a message's file: its UID, else its display name.
fn message_name(m: &oxpim::Message) -> String {
    if oxpim::mapi::vcard::is_contact(m) {
        m.properties
            .get(&oxpim::mapi::vcard::uid_property().into())
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .or_else(|| {
                m.properties
                    .str(&oxpim::mapi::props::PID_TAG_DISPLAY_NAME)
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| "contact".into())
    } else {
        oxpim::mapi::ical::uid_of(m).unwrap_or_else(|| "item".into())
    }
}

fn has_error(diags: &[Diagnostic]) -> bool {
    diags.iter().any(|d| d.severity == Severity::Error)
}

/// What [`holds_cards`] says of the parsed file, from the lexer alone: a
/// VCARD at the top level and no VCALENDAR.
fn holds_cards_bytes(bytes: &[u8]) -> bool {
    let (mut depth, mut card, mut calendar) = (0usize, false, false);
    for l in oxpim::lexer::Lexer::new(bytes) {
        let (name, value) = (l.name(), l.value().trim_ascii());
        if name.eq_ignore_ascii_case(b"BEGIN") {
            if depth == 0 {
                card |= value.eq_ignore_ascii_case(b"VCARD");
                calendar |= value.eq_ignore_ascii_case(b"VCALENDAR");
            }
            depth += 1;
        } else if name.eq_ignore_ascii_case(b"END") {
            depth = depth.saturating_sub(1);
        }
    }
    card && !calendar
}

/// Calendars and vCards into a folder of .msg files. Calendars are
/// converted series by series ([`oxpim::calendar_bytes_to_messages`]) and
/// each file is written as soon as its series is converted, so memory
/// follows the largest series rather than the calendar.
fn convert_into_folder(
    inputs: &[String],
    kinds: &[Kind],
    output: &Path,
    args: &ImportArgs,
    progress: bool,
) -> ExitCode {
    let options = match args.import_options() {
        Ok(o) => o,
        Err(e) => return fail(e, 2),
    };
    let mut worst = 0u8;
    let mut taken = std::collections::HashSet::new();
    let mut bar = Progress::new(0, progress);
    let mut written = 0usize;
    let mut planned = 0usize;
    // Nothing is written unless every input can be read.
    for (i, k) in inputs.iter().zip(kinds) {
        if *k == Kind::Msg {
            return fail(
                format_args!("{i}: a .msg converts to .ics or .vcf, not to .msg"),
                2,
            );
        }
        if i != "-"
            && let Err(e) = std::fs::File::open(i)
        {
            return fail(format_args!("{}: {e}", display_name(i)), 2);
        }
    }
    for i in inputs {
        let bytes = match read_input(i) {
            Ok(b) => b,
            Err(e) => return fail(format_args!("{}: {e}", display_name(i)), 2),
        };
        let mut failure: Option<ExitCode> = None;
        let mut write_one = |m: &oxpim::Message, total: usize, bar: &mut Progress| {
            if failure.is_some() {
                return;
            }
            let bytes = match oxpim::msg::to_bytes(m) {
                Ok(b) => b,
                Err(e) => {
                    failure = Some(fail(format_args!("writing .msg: {e}"), 1));
                    return;
                }
            };
            let name = message_name(m);
            let path = output.join(file_name(&name, "msg", &mut taken));
            if let Err(e) = std::fs::write(&path, bytes) {
                failure = Some(fail(format_args!("{}: {e}", path.display()), 2));
                return;
            }
            written += 1;
            bar.total = planned + total;
            bar.step(&name);
        };
        if holds_cards_bytes(&bytes) {
            let parsed = parser().parse_vec(bytes);
            print_diagnostics(i, &parsed.diagnostics, true);
            if parsed.has_errors() {
                worst = 1;
            }
            let c =
                oxpim::cards_to_contacts(&parsed.document, oxpim::ContactImportOptions::default());
            let total = c.messages.len();
            for m in &c.messages {
                write_one(m, total, &mut bar);
            }
            bar.finish();
            print_diagnostics(i, &c.diagnostics, false);
            if has_error(&c.diagnostics) {
                worst = 1;
            }
            planned += total;
        } else {
            let report =
                oxpim::calendar_bytes_to_messages(bytes, options.clone(), &mut |m, total| {
                    write_one(&m, total, &mut bar)
                });
            bar.finish();
            print_diagnostics(i, &report.parse, true);
            print_diagnostics(i, &report.import, false);
            if has_error(&report.parse) || has_error(&report.import) {
                worst = 1;
            }
            planned += report.messages;
        }
        if let Some(code) = failure {
            return code;
        }
    }
    bar.finish();
    if written == 0 {
        return fail("nothing to convert: no VEVENT or VCARD was converted", 1);
    }
    ExitCode::from(worst)
}

/// The messages of calendar and contact files.
fn read_messages(
    inputs: &[String],
    kinds: &[Kind],
    args: &ImportArgs,
    worst: &mut u8,
) -> Result<Vec<oxpim::Message>, ExitCode> {
    let options = args.import_options().map_err(|e| fail(e, 2))?;
    let mut messages = Vec::new();
    for (i, k) in inputs.iter().zip(kinds) {
        if *k == Kind::Msg {
            return Err(fail(
                format_args!("{i}: a .msg converts to .ics or .vcf, not to .msg"),
                2,
            ));
        }
        let bytes = read_input(i).map_err(|e| fail(format_args!("{}: {e}", display_name(i)), 2))?;
        let parsed = parser().parse_vec(bytes);
        print_diagnostics(i, &parsed.diagnostics, true);
        if parsed.has_errors() {
            *worst = 1;
        }
        let (found, diags) = if holds_cards(&parsed.document) {
            let c =
                oxpim::cards_to_contacts(&parsed.document, oxpim::ContactImportOptions::default());
            (c.messages, c.diagnostics)
        } else {
            let c = oxpim::calendar_to_messages(&parsed.document, options.clone());
            (c.messages, c.diagnostics)
        };
        print_diagnostics(i, &diags, false);
        if has_error(&diags) {
            *worst = 1;
        }
        messages.extend(found);
    }
    Ok(messages)
}

/// The text of one exported document: a calendar or vCards.
fn export_text(
    messages: &[oxpim::Message],
    contacts: bool,
    args: &ImportArgs,
    version: oxpim::Dialect,
    label: &str,
    worst: &mut u8,
) -> Result<Option<Vec<u8>>, ExitCode> {
    let (doc, diags) = if contacts {
        let e = oxpim::contacts_to_cards(
            messages,
            oxpim::ContactExportOptions {
                version,
                ..oxpim::ContactExportOptions::default()
            },
        );
        (e.document, e.diagnostics)
    } else {
        let options = args.export_options().map_err(|e| fail(e, 2))?;
        let e = oxpim::messages_to_calendar(messages, options);
        (e.document, e.diagnostics)
    };
    print_diagnostics(label, &diags, false);
    if has_error(&diags) {
        *worst = 1;
    }
    // Nothing exported (every message skipped, with its diagnostic): no
    // file of an empty calendar or of no cards.
    let written = if contacts {
        !doc.components.is_empty()
    } else {
        doc.components
            .iter()
            .any(|c| c.components.iter().any(|x| !x.is("VTIMEZONE")))
    };
    if !written {
        *worst = 1;
        return Ok(None);
    }
    Ok(Some(oxpim::format(&doc)))
}

/// True for a path ending in `.vcs` (any case).
fn is_vcs(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("vcs"))
}

/// Text files to one text file: each input parsed, converted by `f` and
/// written canonical, in order; diagnostics printed per input. Exit 1 when
/// an input had errors, 2 when a file cannot be read or written.
fn convert_texts(
    inputs: &[String],
    output: &Path,
    f: impl Fn(&oxpim::Document) -> (oxpim::Document, Vec<oxpim::Diagnostic>),
) -> ExitCode {
    let mut worst = 0u8;
    let mut out = Vec::new();
    for i in inputs {
        let bytes = match read_input(i) {
            Ok(b) => b,
            Err(e) => return fail(format_args!("{}: {e}", display_name(i)), 2),
        };
        let parsed = parser().parse_vec(bytes);
        print_diagnostics(i, &parsed.diagnostics, true);
        if parsed.has_errors() {
            worst = 1;
        }
        let (doc, diags) = f(&parsed.document);
        print_diagnostics(i, &diags, false);
        out.extend(oxpim::format(&doc));
    }
    if let Err(e) = std::fs::write(output, out) {
        return fail(format_args!("{}: {e}", output.display()), 2);
    }
    ExitCode::from(worst)
}

fn convert(
    inputs: &[String],
    output: &Path,
    args: &ImportArgs,
    progress: bool,
    version: VcardVersion,
) -> ExitCode {
    let version = version.dialect();
    let mut kinds = Vec::new();
    for i in inputs {
        match kind_of(Path::new(i)) {
            Some(k) => kinds.push(k),
            None => {
                return fail(
                    format_args!("{i}: unknown extension (expected .ics, .vcs, .vcf or .msg)"),
                    2,
                );
            }
        }
    }
    let folder = is_folder(output);
    let from_msg = kinds.first() == Some(&Kind::Msg);
    if kinds.iter().any(|k| (*k == Kind::Msg) != from_msg) {
        return fail("mix of .msg and text inputs: convert them separately", 2);
    }
    let target = if folder {
        None
    } else {
        match kind_of(output) {
            Some(k) => Some(k),
            None => return fail(format_args!("{}: unknown extension", output.display()), 2),
        }
    };
    let mut worst = 0u8;
    if folder && let Err(e) = std::fs::create_dir_all(output) {
        return fail(format_args!("{}: {e}", output.display()), 2);
    }
    // vCard → vCard: version conversion.
    if target == Some(Kind::Contacts) && !from_msg {
        if let Some((i, _)) = inputs
            .iter()
            .zip(&kinds)
            .find(|(_, k)| **k != Kind::Contacts)
        {
            return fail(format_args!("{i}: only vCards convert to .vcf"), 2);
        }
        return convert_texts(inputs, output, |d| oxpim::convert_vcards(d, version));
    }
    // vCalendar → iCalendar (a .vcs or .ics output of text calendars).
    if target == Some(Kind::Calendar) && !from_msg {
        if let Some((i, _)) = inputs
            .iter()
            .zip(&kinds)
            .find(|(_, k)| **k != Kind::Calendar)
        {
            return fail(format_args!("{i}: only calendars convert to .ics"), 2);
        }
        if is_vcs(output) {
            return fail(
                format_args!(
                    "{}: oxpim writes iCalendar 2.0, which programs that open .vcs files read as vCalendar 1.0; give an .ics output",
                    output.display()
                ),
                2,
            );
        }
        return convert_texts(inputs, output, oxpim::vcalendars_to_icalendar);
    }
    if !from_msg {
        // Calendars and vCards → .msg files.
        if target.is_some_and(|k| k != Kind::Msg) {
            return fail(
                format_args!(
                    "{}: calendars convert to .msg or .ics (vCards to .msg or .vcf)",
                    output.display()
                ),
                2,
            );
        }
        if folder {
            return convert_into_folder(inputs, &kinds, output, args, progress);
        }
        let messages = match read_messages(inputs, &kinds, args, &mut worst) {
            Ok(m) => m,
            Err(code) => return code,
        };
        if messages.is_empty() {
            return fail("nothing to convert: no VEVENT or VCARD was converted", 1);
        }
        // One .msg file: the input must hold one item (folders were
        // handled above).
        let [m] = messages.as_slice() else {
            return fail(
                format_args!(
                    "the input holds {} items (series or contacts); give a folder as -o to get one .msg each",
                    messages.len()
                ),
                2,
            );
        };
        let mut bar = Progress::new(1, progress);
        let bytes = match oxpim::msg::to_bytes(m) {
            Ok(b) => b,
            Err(e) => return fail(format_args!("writing .msg: {e}"), 1),
        };
        if let Err(e) = std::fs::write(output, bytes) {
            return fail(format_args!("{}: {e}", output.display()), 2);
        }
        bar.step(&message_name(m));
        return ExitCode::from(worst);
    }
    // .msg files → a calendar or vCards (a folder: one file each, by class).
    if target == Some(Kind::Msg) {
        return fail("a .msg converts to .ics or .vcf, not to .msg", 2);
    }
    // Export writes iCalendar 2.0: a .vcs file of it would be read as
    // vCalendar 1.0 by the programs that open .vcs files.
    if is_vcs(output) {
        return fail(
            format_args!(
                "{}: .msg files convert to iCalendar 2.0 (.ics); vCalendar 1.0 (.vcs) is read, not written",
                output.display()
            ),
            2,
        );
    }
    let mut bar = Progress::new(inputs.len(), progress);
    let mut all = Vec::new();
    let mut taken = std::collections::HashSet::new();
    for i in inputs {
        let bytes = match read_input(i) {
            Ok(b) => b,
            Err(e) => return fail(format_args!("{}: {e}", display_name(i)), 2),
        };
        let read = match oxpim::msg::read(&bytes, &oxpim::msg::ReadOptions::default()) {
            Ok(r) => r,
            Err(e) => return fail(format_args!("{}: {e}", display_name(i)), 1),
        };
        for w in &read.warnings {
            eprintln!("{}: warning: {w}", display_name(i));
        }
        if folder {
            let contact = oxpim::mapi::vcard::is_contact(&read.message);
            let text = match export_text(
                std::slice::from_ref(&read.message),
                contact,
                args,
                version,
                i,
                &mut worst,
            ) {
                Ok(Some(t)) => t,
                Ok(None) => {
                    bar.step(i);
                    continue;
                }
                Err(code) => return code,
            };
            let ext = if contact { "vcf" } else { "ics" };
            let path = output.join(file_name(&message_name(&read.message), ext, &mut taken));
            if let Err(e) = std::fs::write(&path, text) {
                return fail(format_args!("{}: {e}", path.display()), 2);
            }
        } else {
            all.push(read.message);
        }
        bar.step(i);
    }
    if !folder {
        let contacts = target == Some(Kind::Contacts);
        // Diagnostics name the .msg file when there is one.
        let label = match inputs {
            [one] => one.clone(),
            _ => output.to_string_lossy().into_owned(),
        };
        let text = match export_text(&all, contacts, args, version, &label, &mut worst) {
            Ok(Some(t)) => t,
            Ok(None) => return fail("nothing to convert: no message was exported", 1),
            Err(code) => return code,
        };
        if let Err(e) = std::fs::write(output, text) {
            return fail(format_args!("{}: {e}", output.display()), 2);
        }
    }
    ExitCode::from(worst)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.cmd {
        Cmd::Check {
            files,
            strict,
            quiet,
        } => check(files, *strict, *quiet),
        Cmd::Fmt { input, output } => fmt(input, output.as_deref()),
        Cmd::Dump { input, output } => dump(input, output.as_deref()),
        Cmd::Mapi {
            input,
            import,
            output,
        } => mapi(input, import, output.as_deref()),
        Cmd::Convert {
            inputs,
            output,
            import,
            progress,
            vcard_version,
        } => convert(inputs, output, import, *progress, *vcard_version),
        Cmd::Json {
            input,
            to_text,
            output,
        } => json(input, *to_text, output.as_deref()),
        Cmd::Expand {
            input,
            from,
            to,
            limit,
            uid,
        } => expand(
            input,
            from.as_deref(),
            to.as_deref(),
            *limit,
            uid.as_deref(),
        ),
    }
}
