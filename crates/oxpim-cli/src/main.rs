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
    about = "Check, format and convert iCalendar, vCalendar and vCard files"
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.cmd {
        Cmd::Check {
            files,
            strict,
            quiet,
        } => check(files, *strict, *quiet),
        Cmd::Fmt { input, output } => fmt(input, output.as_deref()),
        Cmd::Json {
            input,
            to_text,
            output,
        } => json(input, *to_text, output.as_deref()),
    }
}
