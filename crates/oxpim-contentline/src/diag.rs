//! Diagnostics: every problem the parser met, with its position.

use std::fmt;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Something is wrong with the data: a value was not understood, a
    /// structure was repaired, bytes were cut.
    Error,
    /// The input deviates from its specification, but its meaning is clear.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// What a diagnostic is about. Each code has a severity in lenient mode; in
/// strict mode every diagnostic is an error, and the codes marked
/// "strict only" are reported at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// Bytes that are not valid UTF-8 (decoded lossily; source kept).
    InvalidUtf8,
    /// A CHARSET parameter names an unknown character set.
    UnknownCharset,
    /// A line longer than the configured limit (its text was cut).
    LineTooLong,
    /// A line that is not `name[;params]:value`.
    MalformedLine,
    /// A parameter value opened a quote and never closed it.
    UnterminatedQuote,
    /// `BEGIN` with no matching `END` before the end of the input.
    MissingEnd,
    /// `END:X` while another component was open.
    MismatchedEnd,
    /// `END:X` with no open component.
    UnmatchedEnd,
    /// A property outside of any component.
    OutsideComponent,
    /// Components nested deeper than the configured limit.
    TooDeep,
    /// More parameters, values or properties than the configured limits.
    TooMany,
    /// A value that does not parse as its type (kept as written).
    InvalidValue,
    /// A value written in a form its type does not allow but whose meaning
    /// is clear (extended dates, missing seconds, DATE without VALUE=DATE).
    LenientValue,
    /// A recurrence rule that breaks an RFC 5545 constraint.
    RuleConstraint,
    /// Quoted-printable or base64 data that could not be decoded cleanly.
    BadEncoding,
    /// A VERSION that is missing or unknown; the dialect was guessed.
    Version,
    /// A backslash escape that TEXT does not define (strict only).
    UnknownEscape,
    /// An empty line (strict only).
    BlankLine,
    /// A line longer than 75 octets (strict only).
    LongLine,
    /// A line break other than CRLF (strict only).
    LineBreak,
    /// A name not in uppercase (strict only).
    Case,
    /// A required property is missing (strict only).
    MissingProperty,
    /// A top-level component other than VCALENDAR or VCARD, or a component
    /// inside a vCard 3.0 or 4.0 card (strict only).
    UnexpectedComponent,
    /// A TZID parameter with no VTIMEZONE of that name (strict only).
    UndefinedTimeZone,
    /// An RRULE or EXRULE whose UNTIL is not of DTSTART's value type, or
    /// not in UTC when DTSTART is in UTC or has a TZID (RFC 5545 §3.3.10)
    /// (strict only; expansion reads such an UNTIL in the series' zone).
    UntilForm,
    /// A value that breaks its property's grammar (an enumerated value that
    /// is empty or not a token, an absolute TRIGGER not in UTC, a vCard 4.0
    /// N or ADR without its five or seven components) (strict only).
    Grammar,
    /// A property more often than its component allows, or two that
    /// exclude each other (DTEND and DURATION) (strict only).
    Cardinality,
    /// More diagnostics than the configured limit; the rest were dropped.
    Truncated,
    /// A time zone could not be found, or its name disagrees with its rules
    /// (reported by `oxpim-recur`).
    TimeZone,
    /// A recurrence rule, date list or override that cannot be expanded as
    /// written (reported by `oxpim-recur`).
    Recurrence,
    /// An expansion or conversion stopped at a configured limit.
    Limit,
    /// Something that could not be converted faithfully between iCalendar
    /// or vCard and MAPI (reported by `oxpim-mapi`).
    Conversion,
}

/// The lenient-mode severity of a code; `None` means "strict mode only".
pub(crate) fn lenient_severity(code: Code) -> Option<Severity> {
    use Code::*;
    match code {
        InvalidUtf8 | UnknownCharset | UnterminatedQuote | LenientValue | RuleConstraint
        | Version | TimeZone | Recurrence | Limit | Conversion => Some(Severity::Warning),
        LineTooLong | MalformedLine | MissingEnd | MismatchedEnd | UnmatchedEnd
        | OutsideComponent | TooDeep | TooMany | InvalidValue | BadEncoding | Truncated => {
            Some(Severity::Error)
        }
        UnknownEscape | BlankLine | LongLine | LineBreak | Case | MissingProperty
        | UnexpectedComponent | UndefinedTimeZone | UntilForm | Grammar | Cardinality => None,
    }
}

/// One problem, at a 1-based line and column (columns count bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in bytes.
    pub column: u32,
    /// Error or warning.
    pub severity: Severity,
    /// What kind of problem.
    pub code: Code,
    /// A sentence for people.
    pub message: String,
}

/// The diagnostic that ends a list cut at `max` items, at `line`:
/// `Truncated`, "more than {max} {what}; the rest are not shown". The
/// parser, the converters and their callers all end a capped list with it.
pub fn truncation_notice(
    line: u32,
    column: u32,
    max: usize,
    what: &str,
    severity: Severity,
) -> Diagnostic {
    Diagnostic {
        line,
        column,
        severity,
        code: Code::Truncated,
        message: format!("more than {max} {what}; the rest are not shown"),
    }
}

/// Keeps the first `max` diagnostics; when there were more, ends them with
/// a [`truncation_notice`] at the line of the first one left out, its
/// severity chosen by `severity` from those left out.
pub fn cap_diagnostics(
    diags: &mut Vec<Diagnostic>,
    max: usize,
    what: &str,
    severity: impl Fn(&[Diagnostic]) -> Severity,
) {
    if diags.len() <= max {
        return;
    }
    let rest = diags.get(max..).unwrap_or_default();
    let line = rest.first().map_or(0, |d| d.line);
    let severity = severity(rest);
    diags.truncate(max);
    diags.push(truncation_notice(line, 1, max, what, severity));
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.line, self.column, self.severity, self.message
        )
    }
}

/// True when any diagnostic is an error.
pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(|d| d.severity == Severity::Error)
}

/// Collects diagnostics under a mode and a cap.
#[derive(Debug)]
pub(crate) struct Sink {
    pub(crate) strict: bool,
    pub(crate) max: usize,
    pub(crate) line_offset: u32,
    pub(crate) items: Vec<Diagnostic>,
    truncated: bool,
}

impl Sink {
    pub(crate) fn new(strict: bool, max: usize) -> Self {
        Sink {
            strict,
            max,
            line_offset: 0,
            items: Vec::new(),
            truncated: false,
        }
    }

    /// True when `code` would be reported at all.
    pub(crate) fn wants(&self, code: Code) -> bool {
        self.strict || lenient_severity(code).is_some()
    }

    /// Reports at a (line, column) pair.
    pub(crate) fn report_at(&mut self, at: (u32, u32), code: Code, message: impl Into<String>) {
        self.report(at.0, at.1, code, message);
    }

    /// True when diagnostics were cut at the limit.
    pub(crate) fn truncated(&self) -> bool {
        self.truncated
    }

    /// Starts a new budget of diagnostics (streaming: one per item).
    pub(crate) fn reset_count(&mut self) {
        self.truncated = false;
    }

    pub(crate) fn report(
        &mut self,
        line: u32,
        column: u32,
        code: Code,
        message: impl Into<String>,
    ) {
        let severity = match (self.strict, lenient_severity(code)) {
            (true, _) => Severity::Error,
            (false, Some(s)) => s,
            (false, None) => return,
        };
        if self.items.len() >= self.max {
            if !self.truncated {
                self.truncated = true;
                self.items.push(truncation_notice(
                    line.saturating_add(self.line_offset),
                    column,
                    self.max,
                    "diagnostics",
                    Severity::Error,
                ));
            }
            return;
        }
        self.items.push(Diagnostic {
            line: line.saturating_add(self.line_offset),
            column,
            severity,
            code,
            message: message.into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(line: u32, severity: Severity) -> Diagnostic {
        Diagnostic {
            line,
            column: 3,
            severity,
            code: Code::InvalidValue,
            message: String::new(),
        }
    }

    #[test]
    fn capping_keeps_the_first_and_names_the_first_left_out() {
        let mut v: Vec<Diagnostic> = (1..=5).map(|l| d(l, Severity::Warning)).collect();
        cap_diagnostics(&mut v, 5, "diagnostics", |_| Severity::Error);
        assert_eq!(v.len(), 5, "a list within the cap is left alone");
        v.push(d(9, Severity::Error));
        cap_diagnostics(&mut v, 3, "conversion diagnostics", |rest| {
            if rest.iter().any(|x| x.severity == Severity::Error) {
                Severity::Error
            } else {
                Severity::Warning
            }
        });
        assert_eq!(v.len(), 4);
        let last = v.last().cloned().unwrap_or_else(|| d(0, Severity::Warning));
        assert_eq!((last.line, last.column, last.code), (4, 1, Code::Truncated));
        assert_eq!(last.severity, Severity::Error);
        assert_eq!(
            last.message,
            "more than 3 conversion diagnostics; the rest are not shown"
        );
    }
}
