//! The `oxpim` command.
//!
//! What it must never do: panic or print a backtrace on bad input, or hold
//! logic that belongs in a library crate (it only parses arguments, reads
//! and writes files, and calls the `oxpim` facade).

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser as ClapParser, Subcommand};
use oxpim::{Diagnostic, ParseOptions, Parser, Severity};

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
        if quiet && d.severity != Severity::Error {
            continue;
        }
        let _ = writeln!(
            err,
            "{}:{}:{}: {}: {}",
            display_name(file),
            d.line,
            d.column,
            d.severity,
            d.message
        );
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

fn check(files: &[String], strict: bool, quiet: bool) -> ExitCode {
    let parser = Parser::with_options(ParseOptions {
        strict,
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
    let parsed = Parser::new().parse_vec(bytes);
    print_diagnostics(input, &parsed.diagnostics, true);
    if let Err(e) = write_output(output, &oxpim::format(&parsed.document)) {
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
    let parsed = Parser::new().parse_vec(bytes);
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
    let bytes = match read_input(input) {
        Ok(b) => b,
        Err(e) => return fail(format_args!("{}: {e}", display_name(input)), 2),
    };
    let parsed = Parser::new().parse_vec(bytes);
    print_diagnostics(input, &parsed.diagnostics, true);
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
