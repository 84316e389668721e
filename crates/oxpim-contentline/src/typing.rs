//! Turning a lexed content line into a typed [`Property`].

use std::borrow::Cow;

use oxpim_lexer::{Header, Params as RawParams};

use crate::decode::{self, Charset, DecodeIssues};
use crate::diag::{Code, Sink};
use crate::model::{Dialect, ParamValue, Params, Property};
use crate::names::Name;
use crate::str::{Source, Str};
use crate::value::registry::{self, List, PropSpec, Structure};
use crate::value::text::{EscapeReport, decode_caret, split_unescaped, unescape};
use crate::value::time::{
    Leniency, Shown, parse_date, parse_date_and_or_time, parse_date_time, parse_duration,
    parse_period, parse_time_part, parse_utc_offset, parse_vcard_time,
};
use crate::value::{Time, Value, ValueType, Values, recur};

/// Per-parser limits and mode that typing needs.
pub(crate) struct TypeCtx {
    pub(crate) max_params: usize,
    pub(crate) max_values: usize,
    /// Look for control characters in each value: false when a pass over
    /// the whole input found none (see [`input_has_controls`]).
    pub(crate) controls: bool,
}

/// A content line ready for typing.
pub(crate) struct LineInput<'a> {
    pub(crate) text: &'a [u8],
    pub(crate) header: Header,
    pub(crate) line: u32,
    /// Maps a text offset to (line, column).
    pub(crate) locate: &'a dyn Fn(usize) -> (u32, u32),
    /// The line as validated text, when the caller already has it.
    pub(crate) line_str: Option<&'a str>,
    /// The shared source `line_str` is a slice of.
    pub(crate) shared: Option<&'a Source>,
}

/// A [`Str`] for `piece`: a slice of the shared source when it lies in it.
fn share(shared: Option<&Source>, piece: &str) -> Str {
    match shared {
        Some(src) => Str::share(src, piece),
        None => Str::from(piece),
    }
}

/// The control characters content lines do not allow: below 0x20 except
/// HTAB, and DEL.
fn is_control(x: u8) -> bool {
    (x < 0x20 && x != b'\t') || x == 0x7F
}

/// The position of the first control character in `b` (a value).
fn control_at(b: &[u8]) -> Option<usize> {
    b.iter().position(|&x| is_control(x))
}

/// True when `input` holds a control character other than a line break:
/// one pass over the whole input, 32 bytes at a time as flags OR-ed
/// without a branch (vector code), so that values are looked at one by one
/// only in the rare input that has some.
pub(crate) fn input_has_controls(input: &[u8]) -> bool {
    let other = |x: u8| is_control(x) && x != b'\r' && x != b'\n';
    let block = |c: &[u8; 32]| {
        let mut m = 0u8;
        for &x in c {
            m |= (u8::from(x < 0x20)
                & u8::from(x != b'\t')
                & u8::from(x != b'\r')
                & u8::from(x != b'\n'))
                | u8::from(x == 0x7F);
        }
        m != 0
    };
    let mut chunks = input.chunks_exact(32);
    chunks.by_ref().any(|c| c.try_into().is_ok_and(block))
        || chunks.remainder().iter().any(|&x| other(x))
}

fn has_lower(b: &[u8]) -> bool {
    b.iter().any(u8::is_ascii_lowercase)
}

/// True for dialects that decode RFC 6868 carets in parameter values.
fn carets(d: Dialect) -> bool {
    matches!(
        d,
        Dialect::ICalendar | Dialect::VCard30 | Dialect::VCard40 | Dialect::Unknown
    )
}

/// The parameter a bare vCard 2.1 token belongs to.
fn bare_param_name(token: &str) -> &'static str {
    match token.to_ascii_uppercase().as_str() {
        "QUOTED-PRINTABLE" | "BASE64" | "8BIT" | "7BIT" | "B" => "ENCODING",
        "INLINE" | "URL" | "CONTENT-ID" | "CID" => "VALUE",
        _ => "TYPE",
    }
}

/// Decodes one parameter value. `line` is the whole line when it is valid
/// UTF-8 (then no further validation is needed).
fn decode_param_text(
    bytes: &[u8],
    line: Option<&str>,
    span: oxpim_lexer::Span,
    shared: Option<&Source>,
    d: Dialect,
    at: &dyn Fn() -> (u32, u32),
    sink: &mut Sink,
) -> Str {
    let s = match line.and_then(|l| l.get(span.start..span.end)) {
        Some(s) => Cow::Borrowed(s),
        None => match crate::str::utf8(bytes) {
            Some(s) => Cow::Borrowed(s),
            None => {
                let (s, how) = decode::decode_text(
                    bytes,
                    None,
                    matches!(d, Dialect::VCard21 | Dialect::VCalendar10),
                );
                if how == Charset::Lossy {
                    sink.report_at(
                        at(),
                        Code::InvalidUtf8,
                        "parameter is not valid UTF-8; decoded lossily",
                    );
                }
                s
            }
        },
    };
    let s = if carets(d) { decode_caret_cow(s) } else { s };
    if let Some(k) = crate::names::intern_value(&s) {
        return Str::from_static(k);
    }
    match s {
        Cow::Borrowed(b) => share(shared, b),
        Cow::Owned(o) => Str::from(o),
    }
}

fn decode_caret_cow(s: Cow<'_, str>) -> Cow<'_, str> {
    match s {
        Cow::Borrowed(b) => decode_caret(b),
        Cow::Owned(o) => Cow::Owned(decode_caret(&o).into_owned()),
    }
}

/// Reads the parameters of a line.
fn read_params(
    li: &LineInput<'_>,
    line: Option<&str>,
    d: Dialect,
    ctx: &TypeCtx,
    sink: &mut Sink,
) -> Params {
    let region = li.header.params.of(li.text);
    let mut params = if region.is_empty() {
        Params::new()
    } else {
        // One ';' per parameter: size the map once.
        Params::with_capacity(
            region
                .iter()
                .filter(|&&b| b == b';')
                .count()
                .min(ctx.max_params),
        )
    };
    let text = li.text;
    for (n, rp) in RawParams::new(text, li.header.params).enumerate() {
        if n >= ctx.max_params {
            let (l, c) = (li.locate)(rp.name.start);
            sink.report(
                l,
                c,
                Code::TooMany,
                format!(
                    "more than {} parameters; the rest are kept only in the source bytes",
                    ctx.max_params
                ),
            );
            break;
        }
        let name_bytes = rp.name.of(text);
        let at = || (li.locate)(rp.name.start);
        if rp.bare {
            let token = decode_param_text(name_bytes, line, rp.name, li.shared, d, &at, sink);
            if token.is_empty() {
                continue;
            }
            if !matches!(d, Dialect::VCard21 | Dialect::VCalendar10) {
                sink.report_at(
                    at(),
                    Code::LenientValue,
                    format!(
                        "parameter '{}' has no '=' (vCard 2.1 style)",
                        Shown(name_bytes)
                    ),
                );
            }
            let target = bare_param_name(&token);
            params.append(
                target,
                [ParamValue {
                    value: token,
                    quoted: false,
                }],
                true,
            );
            continue;
        }
        if sink.wants(Code::Case) && has_lower(name_bytes) {
            sink.report_at(
                at(),
                Code::Case,
                format!("parameter name '{}' is not uppercase", Shown(name_bytes)),
            );
        }
        // Parameter names are ASCII tokens; anything else (seen in fuzzed
        // files) is decoded as UTF-8 so that normalisation is stable.
        let name = Name::from_bytes(name_bytes);
        let mut values: smallvec::SmallVec<[ParamValue; 1]> = smallvec::SmallVec::new();
        for v in rp.values(text) {
            if values.len() >= ctx.max_values {
                sink.report_at(
                    at(),
                    Code::TooMany,
                    format!("parameter {name} has more than {} values", ctx.max_values),
                );
                break;
            }
            let s = decode_param_text(v.span.of(text), line, v.span, li.shared, d, &at, sink);
            values.push(ParamValue {
                value: s,
                quoted: v.quoted,
            });
        }
        params.append_named(name, values, false);
    }
    if li.header.unterminated_quote {
        // At the quote left open: the last one that opens in the
        // parameters.
        let span = li.header.params;
        let mut open = None;
        for (i, b) in span.of(li.text).iter().enumerate() {
            if *b == b'"' {
                open = if open.is_some() { None } else { Some(i) };
            }
        }
        let (l, c) = (li.locate)(span.start + open.unwrap_or(0));
        sink.report(
            l,
            c,
            Code::UnterminatedQuote,
            "a parameter value opens a quote that is never closed",
        );
    }
    params
}

/// Context for parsing one value.
struct ValueCtx<'a> {
    dialect: Dialect,
    name: &'a str,
    /// The TZID parameter's value.
    tzid: Option<&'a Str>,
    /// Maps a text offset to a position; called only for diagnostics.
    locate: &'a dyn Fn(usize) -> (u32, u32),
    offset: usize,
    /// The shared source, for values that need no decoding.
    shared: Option<&'a Source>,
    /// The value's text when it is the line's own (no transfer encoding or
    /// charset decoded it), so that a piece's offset in it is an offset in
    /// the line: diagnostics then point at the byte they are about.
    text: Option<&'a str>,
}

impl ValueCtx<'_> {
    /// A string for `piece`, sharing the source when possible.
    fn s(&self, piece: &str) -> Str {
        share(self.shared, piece)
    }

    /// A DATE-TIME in the zone of the TZID parameter, which the value
    /// shares (a copy of the parameter's string only when it has one).
    fn date_time(&self, b: &[u8]) -> Option<(crate::value::DateTime, Leniency)> {
        let (mut dt, l) = parse_date_time(b, None)?;
        if let (crate::value::Zone::Floating, Some(tz)) = (&dt.zone, self.tzid) {
            dt.zone = crate::value::Zone::Tzid(tz.clone());
        }
        Some((dt, l))
    }

    /// The position of the value, computed on demand.
    fn at(&self) -> (u32, u32) {
        (self.locate)(self.offset)
    }

    /// The position of byte `within` of `piece`, a slice of the value's
    /// text; the value's start when the text is not the line's own.
    fn at_piece(&self, piece: &str, within: usize) -> (u32, u32) {
        let Some(text) = self.text else {
            return self.at();
        };
        let (base, at) = (text.as_ptr() as usize, piece.as_ptr() as usize);
        if at >= base && at + piece.len() <= base + text.len() {
            (self.locate)(self.offset + (at - base) + within)
        } else {
            self.at()
        }
    }
}

fn report_leniency(sink: &mut Sink, cx: &ValueCtx<'_>, l: Leniency, raw: &str) {
    if l.is_exact() {
        return;
    }
    let mut what = Vec::new();
    if l.extended {
        what.push("extended ISO 8601 form");
    }
    if l.missing_seconds {
        what.push("no seconds");
    }
    if l.lowercase {
        what.push("lowercase letters");
    }
    sink.report_at(
        cx.at(),
        Code::LenientValue,
        format!(
            "{} value '{}' accepted despite {}",
            cx.name,
            Shown(raw.as_bytes()),
            what.join(", ")
        ),
    );
}

fn invalid(
    sink: &mut Sink,
    cx: &ValueCtx<'_>,
    ty: &ValueType,
    raw: &str,
    why: Option<&str>,
) -> Value {
    let mut msg = format!(
        "{} value '{}' is not a valid {}",
        cx.name,
        Shown(raw.as_bytes()),
        ty.name()
    );
    if let Some(w) = why {
        msg.push_str(": ");
        msg.push_str(w);
    }
    msg.push_str("; kept as written");
    sink.report_at(cx.at(), Code::InvalidValue, msg);
    Value::Invalid(cx.s(raw))
}

fn text_value(s: &str, cx: &ValueCtx<'_>, sink: &mut Sink) -> Str {
    let mut rep = EscapeReport::default();
    let out = match unescape(s, cx.dialect, &mut rep) {
        Cow::Borrowed(b) => cx.s(b),
        Cow::Owned(o) => Str::from(o),
    };
    if rep.unknown_escape && sink.wants(Code::UnknownEscape) {
        sink.report_at(
            cx.at_piece(s, rep.first_unknown.unwrap_or(0)),
            Code::UnknownEscape,
            format!("{} has a backslash escape TEXT does not define", cx.name),
        );
    }
    out
}

fn is_float(s: &str) -> bool {
    let b = s.trim().as_bytes();
    let body = match b.first() {
        Some(b'+' | b'-') => b.get(1..).unwrap_or_default(),
        _ => b,
    };
    !body.is_empty()
        && body.iter().all(|c| c.is_ascii_digit() || *c == b'.')
        && body.iter().filter(|c| **c == b'.').count() <= 1
        && body.iter().any(u8::is_ascii_digit)
}

/// True for types whose text is taken as written (no trimming).
fn keeps_whitespace(ty: &ValueType) -> bool {
    matches!(
        ty,
        ValueType::Text
            | ValueType::PhoneNumber
            | ValueType::VCard
            | ValueType::Uri
            | ValueType::CalAddress
            | ValueType::Unknown
            | ValueType::Other(_)
    )
}

/// Lenient repairs of a UTC offset: a missing sign, a one-digit hour.
fn repair_offset(s: &str) -> Option<String> {
    let t = s.trim();
    let (sign, body) = match t.as_bytes().first() {
        Some(b'+' | b'-') => (t.get(..1)?, t.get(1..)?),
        _ => ("+", t),
    };
    let body = match body.find(':') {
        Some(1) => format!("0{body}"),
        _ => body.to_string(),
    };
    Some(format!("{sign}{body}"))
}

/// Parses one element of a value (one item of a list) as `ty`.
fn parse_one(s: &str, ty: &ValueType, cx: &ValueCtx<'_>, sink: &mut Sink) -> (ValueType, Value) {
    let s = if keeps_whitespace(ty) {
        s
    } else {
        let t = s.trim_ascii();
        if t.len() != s.len() && !t.is_empty() {
            sink.report_at(
                cx.at(),
                Code::LenientValue,
                format!("{} value has surrounding whitespace", cx.name),
            );
        }
        t
    };
    let b = s.as_bytes();
    let v = match ty {
        ValueType::Text | ValueType::PhoneNumber | ValueType::VCard => {
            Value::Text(text_value(s, cx, sink))
        }
        ValueType::LanguageTag => Value::Text(cx.s(s.trim())),
        ValueType::CalAddress => Value::CalAddress(cx.s(s)),
        ValueType::Uri => {
            if cx.dialect.is_vcard() && cx.dialect != Dialect::VCard21 && s.contains('\\') {
                // RFC 6350's own examples escape commas inside URIs.
                Value::Uri(s.replace("\\,", ",").replace("\\;", ";").into())
            } else {
                Value::Uri(cx.s(s))
            }
        }
        ValueType::Boolean => match s.trim() {
            t if t.eq_ignore_ascii_case("TRUE") => Value::Boolean(true),
            t if t.eq_ignore_ascii_case("FALSE") => Value::Boolean(false),
            _ => invalid(sink, cx, ty, s, None),
        },
        ValueType::Integer => match s.trim().parse::<i64>() {
            Ok(i) => Value::Integer(i),
            Err(_) => invalid(sink, cx, ty, s, None),
        },
        ValueType::Float => match s.trim().parse::<f64>() {
            Ok(f) if is_float(s) => Value::Float(f),
            _ => invalid(sink, cx, ty, s, None),
        },
        ValueType::Date => {
            if cx.dialect.is_vcard() {
                return vcard_date(s, ty, cx, sink);
            }
            match parse_date(b) {
                Some((d, l)) => {
                    report_leniency(sink, cx, l, s);
                    Value::Date(d)
                }
                None => {
                    // A DATE-TIME where VALUE=DATE was declared.
                    if let Some((dt, _)) = cx.date_time(b) {
                        sink.report_at(
                            cx.at(),
                            Code::LenientValue,
                            format!("{} is declared DATE but holds a DATE-TIME", cx.name),
                        );
                        return (ValueType::DateTime, Value::DateTime(dt));
                    }
                    invalid(sink, cx, ty, s, None)
                }
            }
        }
        ValueType::DateTime => {
            if cx.dialect.is_vcard() {
                return vcard_date(s, ty, cx, sink);
            }
            match cx.date_time(b) {
                Some((dt, l)) => {
                    report_leniency(sink, cx, l, s);
                    Value::DateTime(dt)
                }
                None => match parse_date(b).or_else(|| parse_date(b.strip_suffix(b"Z")?)) {
                    Some((d, l)) => {
                        // Common in real files: DTSTART:20050116 without
                        // VALUE=DATE (and Google's RDATE:20131210Z).
                        if cx.dialect != Dialect::VCalendar10 || !l.is_exact() {
                            sink.report_at(
                                cx.at(),
                                Code::LenientValue,
                                format!(
                                    "{} value '{}' is a DATE without VALUE=DATE",
                                    cx.name,
                                    Shown(b)
                                ),
                            );
                        }
                        return (ValueType::Date, Value::Date(d));
                    }
                    None => invalid(sink, cx, ty, s, None),
                },
            }
        }
        ValueType::Time => {
            if cx.dialect.is_vcard() {
                return match parse_vcard_time(b) {
                    Some(t) => (ty.clone(), Value::VCardDateTime(t)),
                    None => (ty.clone(), invalid(sink, cx, ty, s, None)),
                };
            }
            match parse_time_part(b) {
                Some((t, utc, l)) => {
                    report_leniency(sink, cx, l, s);
                    Value::Time(Time { time: t, utc })
                }
                None => invalid(sink, cx, ty, s, None),
            }
        }
        ValueType::Duration => match parse_duration(b) {
            Some((d, l)) => {
                report_leniency(sink, cx, l, s);
                Value::Duration(d)
            }
            None => {
                // TRIGGER;VALUE=DATE-TIME is often written without VALUE.
                if let Some((dt, _)) = cx.date_time(b) {
                    sink.report_at(
                        cx.at(),
                        Code::LenientValue,
                        format!("{} holds a DATE-TIME without VALUE=DATE-TIME", cx.name),
                    );
                    return (ValueType::DateTime, Value::DateTime(dt));
                }
                invalid(sink, cx, ty, s, None)
            }
        },
        ValueType::Period => match parse_period(b, cx.tzid.map(Str::as_str)) {
            Some((p, l)) => {
                report_leniency(sink, cx, l, s);
                Value::Period(Box::new(p))
            }
            None => invalid(sink, cx, ty, s, None),
        },
        ValueType::UtcOffset => match parse_utc_offset(b).or_else(|| {
            let fixed = repair_offset(s)?;
            let r = parse_utc_offset(fixed.as_bytes())?;
            sink.report_at(
                cx.at(),
                Code::LenientValue,
                format!("{} value '{}' read as {fixed}", cx.name, Shown(b)),
            );
            Some(r)
        }) {
            Some((o, l)) => {
                if !cx.dialect.is_vcard() {
                    report_leniency(sink, cx, l, s);
                }
                if o.negative_zero && !cx.dialect.is_vcard() {
                    sink.report_at(
                        cx.at(),
                        Code::LenientValue,
                        format!("{}: -0000 is not a valid UTC offset", cx.name),
                    );
                }
                Value::UtcOffset(o)
            }
            None => invalid(sink, cx, ty, s, None),
        },
        ValueType::Recur => {
            // Some writers escape the rule's separators as if it were TEXT.
            let unescaped;
            let text = if s.contains("\\;") || s.contains("\\,") {
                sink.report_at(
                    cx.at(),
                    Code::LenientValue,
                    format!("{} has backslash-escaped separators", cx.name),
                );
                unescaped = s.replace("\\;", ";").replace("\\,", ",");
                unescaped.as_str()
            } else {
                s
            };
            match recur::parse_recur(text) {
                Ok((r, warnings)) => {
                    for w in warnings {
                        sink.report_at(cx.at(), Code::RuleConstraint, format!("{}: {w}", cx.name));
                    }
                    Value::Recur(Box::new(r))
                }
                Err(e) => invalid(sink, cx, ty, s, Some(&e)),
            }
        }
        ValueType::DateAndOrTime | ValueType::Timestamp => return vcard_date(s, ty, cx, sink),
        ValueType::Binary => {
            // BINARY without ENCODING: keep as written.
            Value::Unknown(cx.s(s))
        }
        ValueType::Other(_) | ValueType::Unknown => Value::Unknown(cx.s(s)),
    };
    (ty.clone(), v)
}

/// vCard dates: DATE/DATE-TIME in 2.1 and 3.0 (detected from the value),
/// date-and-or-time and timestamp in 4.0.
fn vcard_date(s: &str, ty: &ValueType, cx: &ValueCtx<'_>, sink: &mut Sink) -> (ValueType, Value) {
    match parse_date_and_or_time(s.trim().as_bytes()) {
        Some(v) => {
            let detected = match ty {
                ValueType::Date | ValueType::DateTime if cx.dialect != Dialect::VCard40 => {
                    if v.time.is_some() {
                        ValueType::DateTime
                    } else {
                        ValueType::Date
                    }
                }
                other => other.clone(),
            };
            (detected, Value::VCardDateTime(v))
        }
        None => (ty.clone(), invalid(sink, cx, ty, s, None)),
    }
}

/// Parses the decoded value text `s` according to `ty` and `spec`.
fn parse_values(
    s: &str,
    ty: &ValueType,
    spec: Option<&PropSpec>,
    cx: &ValueCtx<'_>,
    ctx: &TypeCtx,
    sink: &mut Sink,
) -> (ValueType, Values) {
    let list = spec.map_or(List::Single, |p| p.list);
    let structure = spec.map_or(Structure::Plain, |p| p.structure);
    if matches!(ty, ValueType::Unknown | ValueType::Other(_)) {
        return (ty.clone(), Values::One(Value::Unknown(cx.s(s))));
    }
    match structure {
        Structure::Components if matches!(ty, ValueType::Text) => {
            let lists = cx.dialect.is_vcard()
                && cx.dialect != Dialect::VCard21
                && matches!(cx.name, "N" | "ADR");
            let comps: Vec<Vec<Str>> = split_unescaped(s, b';')
                .into_iter()
                .take(ctx.max_values)
                .map(|c| {
                    if lists {
                        split_unescaped(c, b',')
                            .into_iter()
                            .map(|v| text_value(v, cx, sink))
                            .collect()
                    } else {
                        vec![text_value(c, cx, sink)]
                    }
                })
                .collect();
            return (ValueType::Text, Values::One(Value::Structured(comps)));
        }
        Structure::Geo if matches!(ty, ValueType::Float) => {
            let sep = if s.contains(';') { b';' } else { b',' };
            let parts = split_unescaped(s, sep);
            let v = match parts.as_slice() {
                [a, b] if is_float(a) && is_float(b) => {
                    match (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
                        (Ok(x), Ok(y)) => Value::Geo(x, y),
                        _ => invalid(sink, cx, ty, s, Some("expected latitude;longitude")),
                    }
                }
                _ => invalid(sink, cx, ty, s, Some("expected latitude;longitude")),
            };
            return (ValueType::Float, Values::One(v));
        }
        _ => {}
    }
    let mut sep = match list {
        List::Single => None,
        List::Comma => Some(b','),
        List::Semicolon => Some(b';'),
    };
    // A property oxpim does not know (an X- property) whose VALUE names a
    // type no single value of which holds a comma: a comma separates
    // values (RFC 5545 §3.1.1), as in `X-DAYS;VALUE=DATE:20240101,20240102`.
    if spec.is_none()
        && matches!(
            ty,
            ValueType::Date
                | ValueType::DateTime
                | ValueType::Period
                | ValueType::Duration
                | ValueType::Integer
                | ValueType::Float
                | ValueType::UtcOffset
                | ValueType::Time
                | ValueType::Boolean
        )
        && s.contains(',')
    {
        sep = Some(b',');
    }
    match sep {
        None => {
            let (t, v) = parse_one(s, ty, cx, sink);
            (t, Values::One(v))
        }
        Some(sep) => {
            let items = split_unescaped(s, sep);
            if items.len() > ctx.max_values {
                sink.report_at(cx.at(),
                    Code::TooMany,
                    format!("{} has {} values; only the first {} are typed, the rest are kept as written", cx.name, items.len(), ctx.max_values),
                );
            }
            let mut out = Vec::with_capacity(items.len().min(ctx.max_values));
            let mut effective = ty.clone();
            let mut rest = String::new();
            for (i, item) in items.iter().enumerate() {
                if i >= ctx.max_values {
                    if !rest.is_empty() {
                        rest.push(char::from(sep));
                    }
                    rest.push_str(item);
                    continue;
                }
                let (t, v) = parse_one(item, ty, cx, sink);
                if i == 0 {
                    effective = t;
                }
                out.push(v);
            }
            if !rest.is_empty() {
                out.push(Value::Invalid(rest.into()));
            }
            (effective, Values::from_vec(out))
        }
    }
}

/// Enumerated TEXT properties of RFC 5545 whose value must be one token.
fn is_enumerated(d: Dialect, name: &str) -> bool {
    d == Dialect::ICalendar
        && matches!(
            name,
            "CLASS"
                | "STATUS"
                | "TRANSP"
                | "ACTION"
                | "CALSCALE"
                | "METHOD"
                | "VERSION"
                | "BUSYTYPE"
        )
}

fn check_grammar(
    d: Dialect,
    name: &str,
    values: &Values,
    at: &dyn Fn() -> (u32, u32),
    sink: &mut Sink,
) {
    if !sink.wants(Code::Grammar) || !is_enumerated(d, name) {
        return;
    }
    let ok = |v: &Value| {
        v.as_str().is_some_and(|s| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        })
    };
    if !values.as_slice().iter().all(ok) {
        sink.report_at(
            at(),
            Code::Grammar,
            format!("{name} must be a single token (RFC 5545)"),
        );
    }
}

/// Types a content line. The returned property has no source bytes yet.
pub(crate) fn build_property(
    d: Dialect,
    li: &LineInput<'_>,
    ctx: &TypeCtx,
    sink: &mut Sink,
) -> Property {
    let text = li.text;
    let h = &li.header;
    let name_bytes = h.name.of(text);
    if sink.wants(Code::Case) && has_lower(name_bytes) {
        let (l, c) = (li.locate)(h.name.start);
        sink.report(
            l,
            c,
            Code::Case,
            format!("property name '{}' is not uppercase", Shown(name_bytes)),
        );
    }
    let name = Name::from_bytes(name_bytes);
    let group = h.group.map(|g| {
        String::from_utf8_lossy(g.of(text))
            .into_owned()
            .into_boxed_str()
    });
    // One UTF-8 validation for the whole line (none when the caller
    // sliced it from a validated source); pieces are sliced from it.
    let line_str = li.line_str.or_else(|| crate::str::utf8(text));
    let params = read_params(li, line_str, d, ctx, sink);
    let at = || (li.locate)(h.value.start);
    let spec = registry::lookup(d, &name);

    // Transfer encoding.
    // The parameters typing depends on, found in one pass.
    let (mut encoding_p, mut value_p, mut tzid_p, mut charset_p) = (None, None, None, None);
    for (pname, p) in params.iter() {
        match pname {
            "ENCODING" => encoding_p = p.first(),
            "VALUE" => value_p = p.first(),
            "TZID" => tzid_p = p.values.first().map(|v| &v.value),
            "CHARSET" => charset_p = p.first(),
            _ => {}
        }
    }
    let encoding = encoding_p.map(str::to_ascii_uppercase);
    let raw_value = h.value.of(text);
    if ctx.controls
        && let Some(i) = control_at(raw_value)
    {
        let b = raw_value.get(i).copied().unwrap_or_default();
        let (l, c) = (li.locate)(h.value.start + i);
        sink.report(
            l,
            c,
            Code::LenientValue,
            format!("{name}: value holds the control character U+{b:04X}, which content lines do not allow (RFC 5545 §3.1, RFC 6350 §3.3); kept as written"),
        );
    }
    let mut issues = DecodeIssues::default();
    let mut ty = match value_p {
        Some(v) => ValueType::from_name(v),
        None => spec
            .as_ref()
            .map_or(ValueType::Unknown, |s| s.default.clone()),
    };
    let cx = ValueCtx {
        dialect: d,
        name: &name,
        tzid: tzid_p,
        locate: li.locate,
        offset: h.value.start,
        shared: li.shared,
        text: None,
    };
    let is_b64 = matches!(encoding.as_deref(), Some("BASE64" | "B"));
    let is_qp = matches!(encoding.as_deref(), Some("QUOTED-PRINTABLE"));

    // A URI cannot be base64-encoded: ENCODING=BASE64 (or b) on a property
    // whose default is URI (ATTACH, a vCard 4.0 PHOTO) without a VALUE
    // parameter is inline data that left out VALUE=BINARY (RFC 5545
    // §3.8.1.1 has them together).
    let b64_uri = is_b64 && value_p.is_none() && ty == ValueType::Uri;
    if b64_uri {
        sink.report_at(
            at(),
            Code::LenientValue,
            format!(
                "{name}: ENCODING={} without VALUE=BINARY; read as inline binary data",
                encoding.as_deref().unwrap_or_default()
            ),
        );
    }
    // Binary data: decode base64 straight into bytes.
    if is_b64 && (b64_uri || matches!(ty, ValueType::Binary | ValueType::Unknown)) {
        let bytes = decode::base64(raw_value, &mut issues);
        if issues.bad_base64 {
            sink.report_at(
                at(),
                Code::BadEncoding,
                format!("{name}: characters outside the base64 alphabet were skipped"),
            );
        }
        return Property {
            name,
            group,
            params,
            value_type: ValueType::Binary,
            values: Values::One(Value::Binary(bytes)),
            raw: None,
            line: li.line,
        };
    }

    let transfer: Cow<'_, [u8]> = if is_qp {
        let v = decode::quoted_printable(raw_value, &mut issues);
        if issues.bad_qp {
            sink.report_at(
                at(),
                Code::BadEncoding,
                format!("{name}: '=' not followed by two hex digits in quoted-printable data"),
            );
        }
        Cow::Owned(v)
    } else if is_b64 {
        let v = decode::base64(raw_value, &mut issues);
        if issues.bad_base64 {
            sink.report_at(
                at(),
                Code::BadEncoding,
                format!("{name}: characters outside the base64 alphabet were skipped"),
            );
        }
        Cow::Owned(v)
    } else {
        Cow::Borrowed(raw_value)
    };

    let legacy = matches!(d, Dialect::VCard21 | Dialect::VCalendar10);
    let charset = charset_p;
    let already_valid = match (&transfer, charset, line_str) {
        (Cow::Borrowed(_), None, Some(l)) => l.get(h.value.start..h.value.end),
        _ => None,
    };
    let (s, how) = match already_valid {
        Some(v) => (Cow::Borrowed(v), Charset::Utf8),
        None => decode::decode_text(&transfer, charset, legacy),
    };
    match how {
        Charset::Lossy => sink.report_at(
            // At the first bad byte, when the bytes are the line's own.
            match (&transfer, std::str::from_utf8(raw_value)) {
                (Cow::Borrowed(_), Err(e)) => (li.locate)(h.value.start + e.valid_up_to()),
                _ => at(),
            },
            Code::InvalidUtf8,
            format!("{name}: value is not valid UTF-8; decoded lossily as U+FFFD (faithful writing keeps the source bytes; canonical text and conversions have U+FFFD)"),
        ),
        Charset::LegacyFallback => sink.report_at(
            at(),
            Code::InvalidUtf8,
            format!("{name}: value is not valid UTF-8 and has no CHARSET; read as Windows-1252"),
        ),
        Charset::UnknownLabel => sink.report_at(
            at(),
            Code::UnknownCharset,
            format!(
                "{name}: unknown CHARSET '{}'; read as UTF-8 or Windows-1252",
                charset.unwrap_or("")
            ),
        ),
        Charset::Utf8 | Charset::Declared => {}
    }
    // Quoted-printable text in vCard 2.1 carries CRLF line breaks.
    let s: Cow<'_, str> = if is_qp && s.contains("\r\n") {
        Cow::Owned(s.replace("\r\n", "\n"))
    } else {
        s
    };

    // A binary property whose value is a URI (no ENCODING): read it as one.
    if ty == ValueType::Binary && !is_b64 {
        ty = if s.contains(':') {
            ValueType::Uri
        } else {
            ValueType::Unknown
        };
    }
    let cx = ValueCtx {
        text: match (&s, already_valid) {
            (Cow::Borrowed(t), Some(_)) => Some(t),
            _ => None,
        },
        ..cx
    };
    let (value_type, values) = parse_values(&s, &ty, spec.as_ref(), &cx, ctx, sink);
    check_grammar(d, &name, &values, &at, sink);
    Property {
        name,
        group,
        params,
        value_type,
        values,
        raw: None,
        line: li.line,
    }
}
