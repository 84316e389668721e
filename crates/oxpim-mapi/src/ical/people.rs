//! ORGANIZER, ATTENDEE and X-MS-OLK-SENDER ⇄ the recipient table and the
//! sender properties (MS-OXCICAL 2.1.3.1.1.20.2, .16, .61).

use oxpim_contentline::{ParamValue, Property, Value, ValueType};

use super::rules::{FnRule, bool_text, parse_bool, prop_text};
use super::{ExportContext, ImportContext, Method, PSETID_OXPIM};
use crate::message::PropertyBag;
use crate::named::NamedProperty;
use crate::props;
use crate::shared::{Bytes, Text};
use crate::value::PropValue;

/// recipSendable.
pub const RECIP_SENDABLE: i32 = 0x0000_0001;
/// recipOrganizer.
pub const RECIP_ORGANIZER: i32 = 0x0000_0002;
/// recipExceptionalDeleted.
pub const RECIP_EXCEPTIONAL_DELETED: i32 = 0x0000_0020;

/// The provider UID of one-off entry IDs (MS-OXCDATA 2.2.5.1).
pub const ONE_OFF_PROVIDER: [u8; 16] = [
    0x81, 0x2B, 0x1F, 0xA4, 0xBE, 0xA3, 0x10, 0x19, 0x9D, 0x6E, 0x00, 0xDD, 0x01, 0x0F, 0x54, 0x02,
];

/// A one-off entry ID (MS-OXCDATA 2.2.5.1) for an SMTP address, with
/// Unicode strings and MIME (no rich text) format.
pub fn one_off_entry_id(display: &str, address_type: &str, address: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(30 + 2 * (display.len() + address_type.len() + address.len()));
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&ONE_OFF_PROVIDER);
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0x8001u16.to_le_bytes());
    for s in [display, address_type, address] {
        crate::blob::put_utf16(&mut out, s);
        out.extend_from_slice(&[0, 0]);
    }
    out
}

/// The (display name, address type, address) of a one-off entry ID.
pub fn parse_one_off(b: &[u8]) -> Option<(String, String, String)> {
    if b.get(4..20)? != ONE_OFF_PROVIDER {
        return None;
    }
    let flags = u16::from_le_bytes([*b.get(22)?, *b.get(23)?]);
    let rest = b.get(24..)?;
    let mut parts = Vec::with_capacity(3);
    if flags & 0x8000 != 0 {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| {
                u16::from_le_bytes([
                    c.first().copied().unwrap_or(0),
                    c.get(1).copied().unwrap_or(0),
                ])
            })
            .collect();
        for s in units.split(|u| *u == 0).take(3) {
            parts.push(String::from_utf16_lossy(s));
        }
    } else {
        for s in rest.split(|b| *b == 0).take(3) {
            parts.push(crate::codepage::decode(s, 1252));
        }
    }
    let mut it = parts.into_iter();
    Some((it.next()?, it.next()?, it.next()?))
}

/// The address of a `mailto:` URI (any case), or `None` for other URIs.
pub fn mailto(uri: &str) -> Option<&str> {
    let u = uri.trim();
    let lower = u.get(..7)?;
    if lower.eq_ignore_ascii_case("mailto:") {
        u.get(7..).filter(|a| !a.is_empty())
    } else {
        None
    }
}

/// Parameters of an ATTENDEE line that the row does not reproduce, kept on
/// the row so that export writes them back (DELEGATED-TO, MEMBER, ROLE=CHAIR,
/// CUTYPE=ROOM, …).
pub fn params_property() -> NamedProperty {
    NamedProperty::string(PSETID_OXPIM, "ical-params")
}

/// The parameters of an ORGANIZER or ATTENDEE line that `derivable`
/// (name uppercased, first value as written, to be compared ignoring ASCII
/// case) says export does not reproduce, as JSON. Each `(NAME, value)` of
/// `absent` names a parameter export writes there (value as it would
/// now): one the line does not have (a CN, also when empty) is recorded as
/// `["-NAME", [value]]`, and export removes it while it still writes that
/// value (not after the value was changed in Outlook).
fn kept_params(
    p: &Property,
    derivable: impl Fn(&str, &str) -> bool,
    absent: &[(&str, &str)],
) -> Option<String> {
    let mut out = String::new();
    kept_params_into(p, derivable, absent, &mut out).then_some(out)
}

/// [`kept_params`] written into `out` (cleared first); false when nothing
/// is kept.
fn kept_params_into(
    p: &Property,
    derivable: impl Fn(&str, &str) -> bool,
    absent: &[(&str, &str)],
    out: &mut String,
) -> bool {
    fn upper(s: &str) -> std::borrow::Cow<'_, str> {
        if s.bytes().any(|b| b.is_ascii_lowercase()) {
            std::borrow::Cow::Owned(s.to_ascii_uppercase())
        } else {
            std::borrow::Cow::Borrowed(s)
        }
    }
    // Names are compared uppercase (copied only when written otherwise),
    // values ignoring case (never copied).
    out.clear();
    let mut n = 0usize;
    let mut add = |out: &mut String, name: &str, values: &mut dyn Iterator<Item = &str>| {
        out.push(if n == 0 { '[' } else { ',' });
        n += 1;
        out.push('[');
        json_string(out, name);
        out.push_str(",[");
        for (j, v) in values.enumerate() {
            if j > 0 {
                out.push(',');
            }
            json_string(out, v);
        }
        out.push_str("]]");
    };
    // Which of `absent` the line has (at most a few names; an empty CN
    // is none).
    let mut present = 0u32;
    for (pname, param) in p.params().iter() {
        let name = upper(pname);
        let first = param.first().unwrap_or_default();
        if let Some(i) = absent.iter().position(|(a, _)| *a == name)
            && !(name == "CN" && first.is_empty())
        {
            present |= 1 << i.min(31);
        }
        if !derivable(&name, first) {
            add(out, &name, &mut param.iter());
        }
    }
    let mut marker = String::new();
    for (i, (name, written)) in absent.iter().enumerate() {
        if present & (1 << i.min(31)) == 0 {
            marker.clear();
            marker.push('-');
            marker.push_str(name);
            add(out, &marker, &mut std::iter::once(*written));
        }
    }
    if n == 0 {
        return false;
    }
    out.push(']');
    true
}

/// True when `p` has a parameter `derivable` says export does not
/// reproduce (what [`kept_params`] keeps, leaving out the missing ones).
fn any_kept(p: &Property, derivable: impl Fn(&str, &str) -> bool) -> bool {
    p.params().iter().any(|(name, param)| {
        !derivable(
            &name.to_ascii_uppercase(),
            param.first().unwrap_or_default(),
        )
    })
}

fn json_string(out: &mut String, s: &str) {
    use std::fmt::Write as _;
    out.push('"');
    if !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        out.push_str(s);
        out.push('"');
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Applies kept parameters to an exported line.
fn apply_kept(row: &PropertyBag, p: &mut Property) {
    if let Some(PropValue::String(json)) = row.get(&params_property().into())
        && let Ok(kept) = serde_json::from_str::<Vec<(String, Vec<String>)>>(json)
    {
        for (name, values) in kept {
            // The line had none where export wrote `values[0]`: removed
            // while export still writes that.
            if let Some(real) = name.strip_prefix('-') {
                if let (Some(written), Some(v)) = (p.param(real), values.first())
                    && written.eq_ignore_ascii_case(v)
                {
                    p.params_mut().remove(real);
                }
                continue;
            }
            p.params_mut().remove(&name);
            if !values.is_empty() {
                let values: Vec<ParamValue> = values.into_iter().map(ParamValue::new).collect();
                p.params_mut().append(&name, values, false);
            }
        }
    }
}

/// The texts of one recipient: display name, SMTP address and one-off
/// entry ID, each shared by every property and row that carries it.
#[derive(Clone)]
pub(crate) struct Person {
    display: Text,
    address: Text,
    entry: Bytes,
}

impl Person {
    fn new(display: &str, address: &str) -> Person {
        let shown: std::sync::Arc<str> = display.into();
        let address = if address == display {
            shown.clone()
        } else {
            address.into()
        };
        let entry = one_off_entry_id(display, "SMTP", &address);
        Person {
            display: Text::shared(shown),
            address: Text::shared(address),
            entry: Bytes::shared(entry.into()),
        }
    }
}

/// Recipients of one import (one thread's share of a calendar), each built
/// once: a calendar names the same people in event after event, and every
/// row and sender property of a person shares one copy of its texts and
/// entry ID instead of making its own. Holds at most [`MAX_PEOPLE`]
/// people; later ones are built for each row.
#[derive(Default)]
pub(crate) struct People {
    known: std::cell::RefCell<
        std::collections::HashMap<Box<str>, Person, super::import::BuildNameHasher>,
    >,
    key: std::cell::RefCell<String>,
    /// The kept ATTENDEE parameters met (JSON text), shared likewise.
    kept: std::cell::RefCell<
        std::collections::HashMap<Box<str>, Text, super::import::BuildNameHasher>,
    >,
}

/// Most people kept by [`People`] (docs/limits.md).
pub(crate) const MAX_PEOPLE: usize = 4096;

impl People {
    /// The recipient named `display` at `address`.
    pub(crate) fn person(&self, display: &str, address: &str) -> Person {
        // The key is the name, a NUL and the address: names with a NUL
        // (which would make two pairs one key) are not kept.
        let (Ok(mut key), Ok(mut known)) = (self.key.try_borrow_mut(), self.known.try_borrow_mut())
        else {
            return Person::new(display, address);
        };
        if display.contains('\0') {
            return Person::new(display, address);
        }
        key.clear();
        key.push_str(display);
        key.push('\0');
        key.push_str(address);
        intern(&mut known, &key, || Person::new(display, address))
    }

    /// The kept parameters of an ORGANIZER or ATTENDEE (see
    /// [`kept_params`]), one copy for every row whose parameters give the
    /// same text.
    fn kept(
        &self,
        p: &Property,
        derivable: impl Fn(&str, &str) -> bool,
        absent: &[(&str, &str)],
    ) -> Option<Text> {
        let (Ok(mut buf), Ok(mut known)) = (self.key.try_borrow_mut(), self.kept.try_borrow_mut())
        else {
            return kept_params(p, derivable, absent).map(Text::from);
        };
        if !kept_params_into(p, derivable, absent, &mut buf) {
            return None;
        }
        Some(intern(&mut known, &buf, || {
            Text::shared(buf.as_str().into())
        }))
    }
}

/// The value kept under `key`, made and kept (while fewer than
/// [`MAX_PEOPLE`] are) when there is none.
fn intern<V: Clone>(
    known: &mut std::collections::HashMap<Box<str>, V, super::import::BuildNameHasher>,
    key: &str,
    make: impl FnOnce() -> V,
) -> V {
    if let Some(v) = known.get(key) {
        return v.clone();
    }
    let v = make();
    if known.len() < MAX_PEOPLE {
        known.insert(key.into(), v.clone());
    }
    v
}

/// `SMTP`, shared by every row.
const SMTP: Text = Text::from_static("SMTP");

fn recipient_row(person: &Person, flags: i32, kind: i32) -> PropertyBag {
    let mut row = PropertyBag::with_capacity(12);
    let display = || PropValue::String(person.display.clone());
    let address = || PropValue::String(person.address.clone());
    let entry = || PropValue::Binary(person.entry.clone());
    row.push_new(props::PID_TAG_ADDRESS_TYPE.key(), PropValue::String(SMTP));
    row.push_new(props::PID_TAG_DISPLAY_NAME.key(), display());
    row.push_new(props::PID_TAG_DISPLAY_TYPE.key(), PropValue::I32(0));
    row.push_new(props::PID_TAG_EMAIL_ADDRESS.key(), address());
    row.push_new(props::PID_TAG_SMTP_ADDRESS.key(), address());
    row.push_new(props::PID_TAG_ENTRY_ID.key(), entry());
    row.push_new(props::PID_TAG_RECIPIENT_DISPLAY_NAME.key(), display());
    row.push_new(props::PID_TAG_RECIPIENT_ENTRY_ID.key(), entry());
    row.push_new(props::PID_TAG_RECIPIENT_FLAGS.key(), PropValue::I32(flags));
    row.push_new(props::PID_TAG_RECIPIENT_TYPE.key(), PropValue::I32(kind));
    row
}

/// `name`, or `fallback` when it is empty: a recipient's display name.
fn name_or<'a>(name: &'a str, fallback: &'a str) -> &'a str {
    if name.is_empty() { fallback } else { name }
}

/// The CN of `p`, or `fallback` when it has none or an empty one.
fn cn_or<'a>(p: &'a Property, fallback: &'a str) -> &'a str {
    name_or(p.param("CN").unwrap_or_default(), fallback)
}

/// A value uppercased, copied only when it is not already.
fn upper(v: &str) -> std::borrow::Cow<'_, str> {
    if v.bytes().any(|b| b.is_ascii_lowercase()) {
        std::borrow::Cow::Owned(v.to_ascii_uppercase())
    } else {
        std::borrow::Cow::Borrowed(v)
    }
}

fn track_status(partstat: &str) -> Option<i32> {
    match partstat {
        "ACCEPTED" => Some(3),
        "DECLINED" => Some(4),
        "TENTATIVE" => Some(2),
        _ => None,
    }
}

fn partstat_of(track: i32) -> Option<&'static str> {
    match track {
        3 => Some("ACCEPTED"),
        4 => Some("DECLINED"),
        2 => Some("TENTATIVE"),
        _ => None,
    }
}

fn recipient_type(cutype: &str, role: &str) -> i32 {
    match (cutype, role) {
        ("RESOURCE" | "ROOM", _) => 3,
        (_, "OPT-PARTICIPANT") => 2,
        (_, "NON-PARTICIPANT") => 3,
        _ => 1,
    }
}

/// The ROLE and CUTYPE export writes for a recipient type.
fn exported_role(kind: i32) -> (Option<&'static str>, Option<&'static str>) {
    match kind {
        2 => (Some("OPT-PARTICIPANT"), None),
        3 => (Some("NON-PARTICIPANT"), Some("RESOURCE")),
        _ => (None, None),
    }
}

fn import_people(cx: &mut ImportContext<'_>) {
    // The RSVP export will write on every attendee: PidTagResponseRequested,
    // which the end of this rule sets from the same lines. Worked out when
    // an attendee without RSVP needs it, once.
    let is_appointment = cx.message.has_class("IPM.Appointment");
    let requested_text = |ev: &oxpim_contentline::Component| {
        let has_mailto = |p: &Property| match p.as_text() {
            Some(t) => mailto(t).is_some(),
            None => mailto(&prop_text(p)).is_some(),
        };
        let asked = ev
            .properties_named("ATTENDEE")
            .any(|p| p.param("RSVP").and_then(parse_bool) == Some(true));
        let rows = ev
            .property("ORGANIZER")
            .into_iter()
            .chain(ev.properties_named("ATTENDEE"))
            .any(has_mailto);
        bool_text(asked || (is_appointment && rows))
    };
    let mut requested: Option<&'static str> = None;
    let mut rsvp_any = false;
    // Parameters not kept (`ImportOptions::keep_unmapped` off).
    let mut dropped = false;
    let mut rows: Vec<PropertyBag> = Vec::new();
    let user = cx.options.user.as_deref().map(str::to_ascii_lowercase);
    if let Some(p) = cx.event.property("ORGANIZER") {
        let uri = p.as_text().map_or_else(|| prop_text(p), str::to_owned);
        match mailto(&uri) {
            Some(addr) => {
                let person = cx.people.person(cn_or(p, addr), addr);
                let mut row = recipient_row(&person, RECIP_SENDABLE | RECIP_ORGANIZER, 1);
                // Export writes CN from the row and SENT-BY from the
                // sender; anything else (DIR, LANGUAGE, X- parameters) and
                // a missing CN are kept.
                let derivable = |name: &str, _: &str| matches!(name, "CN" | "SENT-BY");
                if !cx.options.keep_unmapped {
                    dropped |= any_kept(p, derivable);
                } else if let Some(json) =
                    cx.people
                        .kept(p, derivable, &[("CN", person.display.as_str())])
                {
                    row.insert(params_property(), PropValue::String(json));
                }
                rows.push(row);
                for (def, v) in [
                    (&props::PID_TAG_SENT_REPRESENTING_NAME, person.display),
                    (
                        &props::PID_TAG_SENT_REPRESENTING_EMAIL_ADDRESS,
                        person.address,
                    ),
                    (&props::PID_TAG_SENT_REPRESENTING_ADDRESS_TYPE, SMTP),
                ] {
                    cx.set(def, v);
                }
                cx.set(&props::PID_TAG_SENT_REPRESENTING_ENTRY_ID, person.entry);
                if let Some(sent_by) = p.param("SENT-BY").and_then(mailto)
                    && cx.event.property("X-MS-OLK-SENDER").is_none()
                {
                    set_sender(cx, sent_by, sent_by);
                }
            }
            None => {
                // Known by name only (export writes such an organizer as
                // `invalid:nomail`): the name is kept.
                let cn = p.param("CN").map(str::trim).filter(|n| !n.is_empty());
                match cn {
                    Some(cn) => {
                        let cn = Text::from(cn);
                        cx.set(&props::PID_TAG_SENT_REPRESENTING_NAME, cn);
                        cx.warn(
                            p.line(),
                            format!("ORGANIZER {uri:?} is not a mailto: address; no organizer row, the organizer's name is kept"),
                        );
                    }
                    None => cx.warn(
                        p.line(),
                        format!("ORGANIZER {uri:?} is not a mailto: address; no organizer row"),
                    ),
                }
            }
        }
    }
    // Display names by recipient type, for the attendee strings.
    let mut names: [Vec<Text>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    let ev = cx.event;
    for p in ev.properties_named("ATTENDEE") {
        let uri: std::borrow::Cow<'_, str> = match p.as_text() {
            Some(t) => std::borrow::Cow::Borrowed(t),
            None => std::borrow::Cow::Owned(prop_text(p)),
        };
        // The parameters read, in one pass.
        let (mut cn, mut cutype, mut role, mut partstat, mut resptime) = ("", "", "", "", None);
        let mut rsvp = None;
        let mut has_rsvp = false;
        for (name, param) in p.params().iter() {
            let v = param.first().unwrap_or_default();
            if name.eq_ignore_ascii_case("CN") {
                cn = v;
            } else if name.eq_ignore_ascii_case("CUTYPE") {
                cutype = v;
            } else if name.eq_ignore_ascii_case("ROLE") {
                role = v;
            } else if name.eq_ignore_ascii_case("PARTSTAT") {
                partstat = v;
            } else if name.eq_ignore_ascii_case("RSVP") {
                has_rsvp = true;
                rsvp = parse_bool(v);
            } else if name.eq_ignore_ascii_case("X-MS-OLKRESPTIME")
                || name.eq_ignore_ascii_case("X-MS-OLK-RESPTIME")
            {
                resptime = Some(v);
            }
        }
        let (cutype, role, partstat) = (upper(cutype), upper(role), upper(partstat));
        rsvp_any |= rsvp == Some(true);
        let Some(addr) = mailto(&uri) else {
            // invalid:nomail and other URIs: names only (MS-OXCICAL .20.2).
            let name = name_or(cn, &uri).to_owned();
            let def = match (&*cutype, &*role) {
                ("RESOURCE" | "ROOM", _) => &props::PID_LID_NON_SENDABLE_BCC,
                (_, "OPT-PARTICIPANT") => &props::PID_LID_NON_SENDABLE_CC,
                (_, "NON-PARTICIPANT") => &props::PID_LID_NON_SENDABLE_BCC,
                _ => &props::PID_LID_NON_SENDABLE_TO,
            };
            if !uri.eq_ignore_ascii_case("invalid:nomail") {
                cx.warn(
                    p.line(),
                    format!("ATTENDEE {uri:?} is not a mailto: address; kept as a name only"),
                );
            }
            super::rules::append_semicolon_list(cx, def, &[name]);
            continue;
        };
        let person = cx.people.person(name_or(cn, addr), addr);
        let kind = recipient_type(&cutype, &role);
        let mut row = recipient_row(&person, RECIP_SENDABLE, kind);
        let track = track_status(&partstat);
        if let Some(t) = track {
            row.push_new(
                props::PID_TAG_RECIPIENT_TRACK_STATUS.key(),
                PropValue::I32(t),
            );
        }
        let resp_time = resptime
            .and_then(|t| oxpim_contentline::value::time::parse_date_time(t.as_bytes(), None))
            .and_then(|(dt, _)| cx.to_utc(&dt))
            .and_then(super::filetime);
        if let Some(t) = resp_time {
            row.insert(
                props::PID_TAG_RECIPIENT_TRACK_STATUS_TIME.key(),
                PropValue::Time(t),
            );
        }
        // Parameters the row does not give back.
        let (role_out, cutype_out) = exported_role(kind);
        // `first` is as written: compared ignoring case. A ROLE or CUTYPE
        // is derivable when it is what export writes for this type, or the
        // default export leaves out.
        let derived = |first: &str, out: Option<&str>, default: &str| match out {
            Some(v) => first.eq_ignore_ascii_case(v),
            None => first.eq_ignore_ascii_case(default),
        };
        // Export writes RSVP from PidTagResponseRequested on every
        // attendee, and ROLE and CUTYPE for the recipient type: a line
        // without them says so, and export leaves them out again.
        let display = person.display.as_str();
        let all = [
            (!has_rsvp).then(|| ("RSVP", *requested.get_or_insert_with(|| requested_text(ev)))),
            Some(("CN", display)),
            role_out.map(|r| ("ROLE", r)),
            cutype_out.map(|c| ("CUTYPE", c)),
        ];
        let mut marks = [("", ""); 4];
        let mut count = 0;
        for m in all.into_iter().flatten() {
            if let Some(slot) = marks.get_mut(count) {
                *slot = m;
                count += 1;
            }
        }
        let absent = marks.get(..count).unwrap_or_default();
        let derivable = |name: &str, first: &str| match name {
            "CN" | "X-MS-OLKRESPTIME" | "X-MS-OLK-RESPTIME" => true,
            "PARTSTAT" => track.is_some() || first.eq_ignore_ascii_case("NEEDS-ACTION"),
            "ROLE" => derived(first, role_out, "REQ-PARTICIPANT"),
            "CUTYPE" => derived(first, cutype_out, "INDIVIDUAL"),
            _ => false,
        };
        if !cx.options.keep_unmapped {
            dropped |= any_kept(p, derivable);
        } else if let Some(json) = cx.people.kept(p, derivable, absent) {
            row.insert(params_property(), PropValue::String(json));
        }
        if let Some(u) = &user
            && u.eq_ignore_ascii_case(addr)
            && matches!(cx.method, Method::Publish | Method::None)
            && let Some(t) = track
        {
            cx.set(&props::PID_LID_RESPONSE_STATUS, t);
            if let Some(rt) = resp_time {
                cx.set(&props::PID_LID_APPOINTMENT_REPLY_TIME, rt);
            }
        }
        if let Some(list) = usize::try_from(kind - 1)
            .ok()
            .and_then(|i| names.get_mut(i))
        {
            list.push(person.display);
        }
        rows.push(row);
    }
    if dropped {
        cx.warn(
            cx.event.line(),
            "ORGANIZER or ATTENDEE parameters Outlook has no place for were dropped \
             (ImportOptions::keep_unmapped is off)",
        );
    }
    let meeting = !rows.is_empty();
    // The attendee strings Outlook keeps beside the table (MS-OXOCAL
    // 2.2.1.16–2.2.1.18, 2.2.6.x): display names by recipient type.
    if meeting {
        // Each list joined once, into one copy that the properties giving
        // the same list share; the all-attendees string from the three.
        let [to, cc, bcc] =
            names.map(|list| (!list.is_empty()).then(|| Text::shared(list.join("; ").into())));
        let all = [&to, &cc, &bcc]
            .into_iter()
            .flatten()
            .map(Text::as_str)
            .collect::<Vec<_>>();
        let all = (!all.is_empty()).then(|| Text::from(all.join("; ")));
        let (to, cc, bcc) = (&to, &cc, &bcc);
        for (def, text) in [
            (&props::PID_LID_TO_ATTENDEES_STRING, to),
            (&props::PID_LID_CC_ATTENDEES_STRING, cc),
            (&props::PID_LID_ALL_ATTENDEES_STRING, &all),
            (&props::PID_LID_REQUIRED_ATTENDEES, to),
            (&props::PID_LID_OPTIONAL_ATTENDEES, cc),
            (&props::PID_LID_RESOURCE_ATTENDEES, bcc),
        ] {
            if let Some(text) = text {
                cx.set(def, text.clone());
            }
        }
    }
    cx.message.recipients.extend(rows);
    // RSVP (MS-OXCICAL .20.2.5): requested when any attendee asks, and
    // always for plain appointments.
    let is_appointment = cx.message.has_class("IPM.Appointment");
    let requested = rsvp_any || (is_appointment && meeting);
    if meeting || is_appointment {
        cx.set(&props::PID_TAG_RESPONSE_REQUESTED, requested);
        cx.set(&props::PID_TAG_REPLY_REQUESTED, requested);
    }
}

fn row_str(row: &PropertyBag, def: &props::PropDef) -> Option<String> {
    row.text(def, row.codepage()).filter(|s| !s.is_empty())
}

/// The SMTP address of a row: PidTagSmtpAddress, else an SMTP
/// PidTagEmailAddress, else the address inside a one-off entry ID.
fn row_smtp(row: &PropertyBag) -> Option<String> {
    if let Some(s) = row_str(row, &props::PID_TAG_SMTP_ADDRESS) {
        return Some(s);
    }
    let kind = row_str(row, &props::PID_TAG_ADDRESS_TYPE).unwrap_or_default();
    if kind.eq_ignore_ascii_case("SMTP") {
        return row_str(row, &props::PID_TAG_EMAIL_ADDRESS);
    }
    if let Some(a) = row
        .binary(&props::PID_TAG_ENTRY_ID)
        .and_then(parse_one_off)
        .filter(|(_, t, _)| t.eq_ignore_ascii_case("SMTP"))
        .map(|(_, _, a)| a)
    {
        return Some(a);
    }
    // A row with no address type, or `UNKNOWN` (Aspose writes that, with
    // the address alone): an address of the form local@domain is taken
    // as SMTP (an Exchange address is a DN, `/o=…`).
    if kind.is_empty() || kind.eq_ignore_ascii_case("UNKNOWN") {
        return row_str(row, &props::PID_TAG_EMAIL_ADDRESS)
            .filter(|a| looks_smtp(a))
            .map(|a| a.trim().to_owned());
    }
    None
}

/// True for `local@domain` (one `@`, a dot inside the domain) without
/// blanks, slashes or angle brackets.
fn looks_smtp(a: &str) -> bool {
    let a = a.trim();
    if a.matches('@').count() != 1
        || a.contains(['/', '<', '>'])
        || a.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return false;
    }
    a.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    })
}

fn address_prop(name: &str, smtp: Option<&str>, cn: Option<&str>) -> Property {
    let uri = match smtp {
        Some(a) => format!("mailto:{a}"),
        None => "invalid:nomail".to_owned(),
    };
    let mut p = Property::new(name, ValueType::CalAddress, Value::CalAddress(uri.into()));
    if let Some(cn) = cn {
        p.params_mut().set("CN", cn.to_owned());
    }
    p
}

fn is_meeting(cx: &ExportContext<'_>) -> bool {
    cx.get(&props::PID_LID_APPOINTMENT_STATE_FLAGS)
        .and_then(PropValue::as_i32)
        .is_some_and(|f| f & 1 != 0)
}

fn export_people(cx: &mut ExportContext<'_>) {
    let flags = |r: &PropertyBag| {
        r.i32(&props::PID_TAG_RECIPIENT_FLAGS)
            .unwrap_or(RECIP_SENDABLE)
    };
    let kind = |r: &PropertyBag| r.i32(&props::PID_TAG_RECIPIENT_TYPE).unwrap_or(1);
    // A row written as an ATTENDEE: not deleted, not the organizer's.
    let attendee_row = |r: &PropertyBag| {
        flags(r) & (RECIP_EXCEPTIONAL_DELETED | RECIP_ORGANIZER) == 0 && kind(r) != 0
    };
    if !is_meeting(cx) {
        // MS-OXCICAL: no ORGANIZER or ATTENDEE for an appointment that is
        // not a meeting; rows other than the owner's are said to be left.
        let attendees = cx
            .message
            .recipients
            .iter()
            .filter(|r| attendee_row(r))
            .count();
        if attendees > 0 {
            cx.warn(format!(
                "{attendees} recipient(s) of an appointment that is not a meeting \
                 (PidLidAppointmentStateFlags without asfMeeting) not exported as ATTENDEE \
                 (MS-OXCICAL)"
            ));
        }
        return;
    }
    let rows: &[PropertyBag] = if cx.is_exception && cx.message.recipients.is_empty() {
        cx.master
            .map(|m| m.recipients.as_slice())
            .unwrap_or_default()
    } else {
        &cx.message.recipients
    };
    // ORGANIZER: the organizer row, else the sent-representing properties.
    let organizer_row = rows.iter().find(|r| {
        flags(r) & RECIP_EXCEPTIONAL_DELETED == 0
            && (flags(r) & RECIP_ORGANIZER != 0 || kind(r) == 0)
    });
    let mut organizer_addr = None;
    if let Some(r) = organizer_row {
        let smtp = row_smtp(r);
        let cn = row_str(r, &props::PID_TAG_DISPLAY_NAME);
        organizer_addr = smtp.clone();
        let mut p = address_prop("ORGANIZER", smtp.as_deref(), cn.as_deref());
        apply_kept(r, &mut p);
        cx.event.push(p);
    } else if let Some(addr) = cx
        .text(&props::PID_TAG_SENT_REPRESENTING_SMTP_ADDRESS)
        .or_else(|| {
            let kind = cx
                .text(&props::PID_TAG_SENT_REPRESENTING_ADDRESS_TYPE)
                .unwrap_or_default();
            kind.eq_ignore_ascii_case("SMTP")
                .then(|| cx.text(&props::PID_TAG_SENT_REPRESENTING_EMAIL_ADDRESS))
                .flatten()
        })
    {
        let cn = cx.text(&props::PID_TAG_SENT_REPRESENTING_NAME);
        organizer_addr = Some(addr.clone());
        cx.event
            .push(address_prop("ORGANIZER", Some(&addr), cn.as_deref()));
    } else if let Some(cn) = cx
        .text(&props::PID_TAG_SENT_REPRESENTING_NAME)
        .filter(|n| !n.trim().is_empty())
    {
        // An organizer known by name and an address that is not SMTP
        // (Exchange's EX): a meeting has an ORGANIZER (RFC 5545
        // §3.8.4.3), written with the address iCalendar uses for none.
        let why = match cx.text(&props::PID_TAG_SENT_REPRESENTING_ADDRESS_TYPE) {
            Some(kind) if !kind.is_empty() => format!("no SMTP address (address type {kind})"),
            _ => "no address".to_owned(),
        };
        cx.warn(format!(
            "the organizer {cn:?} has {why}; ORGANIZER is written as invalid:nomail"
        ));
        cx.event
            .push(address_prop("ORGANIZER", None, Some(cn.as_str())));
    }
    if let (Some(org), Some(sender)) = (organizer_addr.as_deref(), sender_smtp(cx))
        && !org.eq_ignore_ascii_case(&sender)
        && let Some(p) = cx
            .event
            .properties
            .iter_mut()
            .rev()
            .find(|p| p.is("ORGANIZER"))
    {
        p.params_mut().set("SENT-BY", format!("mailto:{sender}"));
    }
    let requested = cx
        .get(&props::PID_TAG_RESPONSE_REQUESTED)
        .and_then(PropValue::as_bool);
    let reply_class = cx.message.message_class().unwrap_or_default();
    for r in rows.iter().filter(|r| attendee_row(r)) {
        let smtp = row_smtp(r);
        let cn = row_str(r, &props::PID_TAG_DISPLAY_NAME);
        let mut p = address_prop("ATTENDEE", smtp.as_deref(), cn.as_deref());
        let (role, cutype) = exported_role(kind(r));
        if let Some(c) = cutype {
            p.params_mut().set("CUTYPE", c);
        }
        if let Some(role) = role {
            p.params_mut().set("ROLE", role);
        }
        let partstat = if cx.method.is_response() {
            response_partstat(&reply_class)
        } else if matches!(cx.method, Method::Publish | Method::None) {
            r.i32(&props::PID_TAG_RECIPIENT_TRACK_STATUS)
                .and_then(partstat_of)
        } else {
            None
        };
        if let Some(ps) = partstat {
            p.params_mut().set("PARTSTAT", ps);
        }
        if let Some(rq) = requested {
            p.params_mut().set("RSVP", bool_text(rq));
        }
        if matches!(cx.method, Method::Publish | Method::None)
            && let Some(t) = r
                .time(&props::PID_TAG_RECIPIENT_TRACK_STATUS_TIME)
                .and_then(super::from_filetime)
        {
            p.params_mut()
                .set("X-MS-OLKRESPTIME", t.format("%Y%m%dT%H%M%SZ").to_string());
        }
        apply_kept(r, &mut p);
        cx.event.push(p);
    }
    for (def, role) in [
        (&props::PID_LID_NON_SENDABLE_TO, None),
        (&props::PID_LID_NON_SENDABLE_CC, Some("OPT-PARTICIPANT")),
    ] {
        let Some(list) = cx.message.properties.str(def).map(str::to_owned) else {
            continue;
        };
        for name in list.split("; ").filter(|s| !s.is_empty()) {
            let mut p = address_prop("ATTENDEE", None, Some(name));
            if let Some(r) = role {
                p.params_mut().set("ROLE", r);
            }
            cx.event.push(p);
        }
    }
}

fn response_partstat(class: &str) -> Option<&'static str> {
    let c = class.to_ascii_lowercase();
    if c.starts_with("ipm.schedule.meeting.resp.pos") {
        Some("ACCEPTED")
    } else if c.starts_with("ipm.schedule.meeting.resp.neg") {
        Some("DECLINED")
    } else if c.starts_with("ipm.schedule.meeting.resp.tent") {
        Some("TENTATIVE")
    } else {
        None
    }
}

/// The ORGANIZER/ATTENDEE rule.
pub(crate) fn attendees_rule() -> FnRule {
    FnRule::new(
        "attendees",
        &["ORGANIZER", "ATTENDEE"],
        import_people,
        export_people,
    )
}

fn set_sender(cx: &mut ImportContext<'_>, name: &str, addr: &str) {
    let person = cx.people.person(name, addr);
    cx.set(&props::PID_TAG_SENDER_NAME, person.display);
    cx.set(&props::PID_TAG_SENDER_EMAIL_ADDRESS, person.address.clone());
    cx.set(&props::PID_TAG_SENDER_ADDRESS_TYPE, SMTP);
    cx.set(&props::PID_TAG_SENDER_SMTP_ADDRESS, person.address);
    cx.set(&props::PID_TAG_SENDER_ENTRY_ID, person.entry);
}

fn import_sender(cx: &mut ImportContext<'_>) {
    let Some(p) = cx.event.property("X-MS-OLK-SENDER") else {
        return;
    };
    let uri = prop_text(p);
    match mailto(&uri) {
        Some(addr) => {
            set_sender(cx, cn_or(p, addr), addr);
        }
        None => {
            let line = p.line();
            cx.warn(
                line,
                format!("X-MS-OLK-SENDER {uri:?} is not a mailto: address; ignored"),
            );
        }
    }
}

fn sender_smtp(cx: &ExportContext<'_>) -> Option<String> {
    cx.text(&props::PID_TAG_SENDER_SMTP_ADDRESS).or_else(|| {
        let kind = cx
            .text(&props::PID_TAG_SENDER_ADDRESS_TYPE)
            .unwrap_or_default();
        kind.eq_ignore_ascii_case("SMTP")
            .then(|| cx.text(&props::PID_TAG_SENDER_EMAIL_ADDRESS))
            .flatten()
    })
}

fn export_sender(cx: &mut ExportContext<'_>) {
    if !is_meeting(cx) || cx.is_exception {
        return;
    }
    let Some(addr) = sender_smtp(cx) else {
        return;
    };
    // Not when the sender is the organizer (MS-OXCICAL .61).
    let organizer = cx
        .event
        .property("ORGANIZER")
        .map(prop_text)
        .and_then(|u| mailto(&u).map(str::to_ascii_lowercase));
    if organizer.as_deref() == Some(addr.to_ascii_lowercase().as_str()) {
        return;
    }
    let cn = cx.text(&props::PID_TAG_SENDER_NAME);
    cx.event
        .push(address_prop("X-MS-OLK-SENDER", Some(&addr), cn.as_deref()));
}

/// The X-MS-OLK-SENDER rule.
pub(crate) fn sender_rule() -> FnRule {
    FnRule::new("sender", &["X-MS-OLK-SENDER"], import_sender, export_sender)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of the same person share one copy of each text and of the entry
    /// ID, across events and with the organizer's sender properties; other
    /// people, and the same name at another address, get their own; and
    /// past the cache's bound rows are still right.
    #[test]
    fn rows_of_one_person_share_their_texts() {
        use crate::ical::{ImportOptions, Importer};
        let event = |uid: &str, who: &str| {
            format!(
                "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:20250101T100000Z\r\nORGANIZER;CN=Ann:mailto:ann@x.example\r\n{who}END:VEVENT\r\n"
            )
        };
        let mut text = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n");
        text += &event(
            "a",
            "ATTENDEE;CN=Bo;RSVP=TRUE:mailto:bo@x.example\r\nATTENDEE:mailto:cy@x.example\r\n",
        );
        text += &event(
            "b",
            "ATTENDEE;RSVP=TRUE;CN=Bo:mailto:bo@x.example\r\nATTENDEE;CN=Bo:mailto:bo@y.example\r\n",
        );
        // More people than the cache keeps, then Bo again.
        let many: String = (0..MAX_PEOPLE + 10)
            .map(|i| format!("ATTENDEE;CN=P{i}:mailto:p{i}@x.example\r\n"))
            .collect();
        text += &event("c", &many);
        text += &event(
            "d",
            "ATTENDEE;CN=Zed:mailto:zed@x.example\r\nATTENDEE;CN=Zed:mailto:zed@x.example\r\n",
        );
        text += "END:VCALENDAR\r\n";
        let doc = oxpim_contentline::parse(text.as_bytes()).document;
        let out = Importer::new(ImportOptions::default()).import(&doc);
        let [a, b, c, d] = &out.messages[..] else {
            panic!("{} messages", out.messages.len());
        };
        let texts = |row: &PropertyBag, def: &props::PropDef| match row.get_def(def) {
            Some(PropValue::String(t)) => t.clone(),
            other => panic!("{other:?}"),
        };
        let name = |row: &PropertyBag| texts(row, &props::PID_TAG_DISPLAY_NAME);
        let same = |x: &Text, y: &Text| x == y && std::ptr::eq(x.as_str(), y.as_str());
        // Row 0 is the organizer; Bo is row 1 of a and of b.
        let (bo_a, bo_b, bo_y) = (&a.recipients[1], &b.recipients[1], &b.recipients[2]);
        assert_eq!(name(bo_a), "Bo");
        assert!(same(&name(bo_a), &name(bo_b)));
        assert!(same(
            &name(bo_a),
            &texts(bo_b, &props::PID_TAG_RECIPIENT_DISPLAY_NAME)
        ));
        assert!(same(
            &texts(bo_a, &props::PID_TAG_EMAIL_ADDRESS),
            &texts(bo_b, &props::PID_TAG_SMTP_ADDRESS)
        ));
        let entry = |row: &PropertyBag| match row.get_def(&props::PID_TAG_ENTRY_ID) {
            Some(PropValue::Binary(b)) => b.clone(),
            other => panic!("{other:?}"),
        };
        assert!(std::ptr::eq(entry(bo_a).as_slice(), entry(bo_b).as_slice()));
        assert_eq!(
            parse_one_off(&entry(bo_a)),
            Some(("Bo".into(), "SMTP".into(), "bo@x.example".into()))
        );
        // Kept parameters giving the same text share it.
        let kept = |row: &PropertyBag| match row.get(&params_property().into()) {
            Some(PropValue::String(t)) => t.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(kept(bo_a), r#"[["RSVP",["TRUE"]]]"#);
        assert!(same(&kept(bo_a), &kept(bo_b)));
        assert_ne!(kept(bo_a), kept(&a.recipients[2]));
        // The attendee strings: one copy for the two properties of a list.
        let text =
            |m: &crate::message::Message, def: &props::PropDef| match m.properties.get_def(def) {
                Some(PropValue::String(t)) => t.clone(),
                other => panic!("{other:?}"),
            };
        let to = text(b, &props::PID_LID_TO_ATTENDEES_STRING);
        assert_eq!(to, "Bo; Bo");
        assert!(same(&to, &text(b, &props::PID_LID_REQUIRED_ATTENDEES)));
        assert_eq!(
            text(a, &props::PID_LID_ALL_ATTENDEES_STRING),
            "Bo; cy@x.example"
        );
        // The same name at another address is another person.
        assert_eq!(texts(bo_y, &props::PID_TAG_SMTP_ADDRESS), "bo@y.example");
        assert!(!std::ptr::eq(name(bo_a).as_str(), name(bo_y).as_str()));
        // No CN: the address is the display name, one copy for both.
        let cy = &a.recipients[2];
        assert!(same(&name(cy), &texts(cy, &props::PID_TAG_EMAIL_ADDRESS)));
        assert_eq!(name(cy), "cy@x.example");
        // The organizer's row and sender properties share too.
        let sent = match a.properties.get_def(&props::PID_TAG_SENT_REPRESENTING_NAME) {
            Some(PropValue::String(t)) => t.clone(),
            other => panic!("{other:?}"),
        };
        assert!(same(&sent, &name(&b.recipients[0])));
        // Past the bound: every row right, the last ones not shared.
        assert_eq!(c.recipients.len(), MAX_PEOPLE + 11);
        for (i, row) in c.recipients.iter().skip(1).enumerate() {
            assert_eq!(name(row), format!("P{i}"));
            assert_eq!(
                texts(row, &props::PID_TAG_SMTP_ADDRESS),
                format!("p{i}@x.example")
            );
        }
        let (z1, z2) = (&d.recipients[1], &d.recipients[2]);
        assert_eq!(name(z1), "Zed");
        assert!(!std::ptr::eq(name(z1).as_str(), name(z2).as_str()));
        // Within a row the two display names are still one copy.
        assert!(same(
            &name(z1),
            &texts(z1, &props::PID_TAG_RECIPIENT_DISPLAY_NAME)
        ));
    }

    /// With `keep_unmapped` off, no row carries kept parameters, and one
    /// warning per event says parameters were dropped; lines whose
    /// parameters export gives back (or that only leave some out) need no
    /// warning.
    #[test]
    fn kept_parameters_follow_keep_unmapped() {
        use crate::ical::{ImportOptions, Importer};
        let event = |uid: &str, lines: &str| {
            format!(
                "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:20250101T100000Z\r\n{lines}END:VEVENT\r\n"
            )
        };
        let mut text = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n");
        text += &event(
            "extra",
            "ORGANIZER;CN=Ann;DIR=\"ldap://x\":mailto:ann@x.example\r\nATTENDEE;CN=Bo;X-N=1:mailto:bo@x.example\r\n",
        );
        text += &event(
            "plain",
            "ORGANIZER:mailto:ann@x.example\r\nATTENDEE;CN=Bo;PARTSTAT=ACCEPTED:mailto:bo@x.example\r\n",
        );
        text += "END:VCALENDAR\r\n";
        let doc = oxpim_contentline::parse(text.as_bytes()).document;
        let kept_rows = |keep: bool| {
            let imported = Importer::new(ImportOptions {
                keep_unmapped: keep,
                ..ImportOptions::default()
            })
            .import(&doc);
            let rows: Vec<usize> = imported
                .messages
                .iter()
                .map(|m| {
                    m.recipients
                        .iter()
                        .filter(|r| r.get(&params_property().into()).is_some())
                        .count()
                })
                .collect();
            let warned: Vec<u32> = imported
                .diagnostics
                .iter()
                .filter(|d| d.message.contains("parameters Outlook has no place for"))
                .map(|d| d.line)
                .collect();
            (rows, warned)
        };
        // Kept: both rows of the first event (DIR; X-N), and in the
        // second the organizer's missing CN and the attendee's missing
        // RSVP.
        assert_eq!(kept_rows(true), (vec![2, 2], vec![]));
        assert_eq!(kept_rows(false), (vec![0, 0], vec![4]));
    }

    #[test]
    fn kept_parameters_are_json() {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nATTENDEE;X-Q=\"a\\\\b,c\";DELEGATED-TO=\"mailto:x@y\",\"mailto:z@y\":mailto:a@b\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let doc = oxpim_contentline::parse(text.as_bytes()).document;
        let p = doc.components[0].components[0]
            .property("ATTENDEE")
            .unwrap();
        let json = kept_params(p, |_, _| false, &[("CN", "a@b"), ("RSVP", "TRUE")]).unwrap();
        let back: Vec<(String, Vec<String>)> = serde_json::from_str(&json).unwrap();
        assert_eq!(back[0].0, "X-Q");
        assert_eq!(back[0].1, vec!["a\\\\b,c".to_string()]);
        assert_eq!(
            back[1].1,
            vec!["mailto:x@y".to_string(), "mailto:z@y".to_string()]
        );
        // What export writes where the line has nothing: removed on
        // export while export still writes that value.
        assert_eq!(back[2], ("-CN".to_string(), vec!["a@b".to_string()]));
        assert_eq!(back[3], ("-RSVP".to_string(), vec!["TRUE".to_string()]));
        let mut written = p.clone();
        written.params_mut().set("CN", "a@b");
        written.params_mut().set("RSVP", "FALSE");
        let mut row = PropertyBag::new();
        row.insert(params_property(), PropValue::String(json.into()));
        apply_kept(&row, &mut written);
        assert_eq!(written.param("CN"), None);
        // Changed in Outlook since (no longer the marker's value): kept.
        assert_eq!(written.param("RSVP"), Some("FALSE"));
        let mut s = String::new();
        json_string(&mut s, "q\"\u{1}\\");
        assert_eq!(serde_json::from_str::<String>(&s).unwrap(), "q\"\u{1}\\");
    }

    #[test]
    fn one_off_round_trip() {
        let b = one_off_entry_id("Ana Müller", "SMTP", "ana@example.com");
        assert_eq!(b.get(4..20), Some(&ONE_OFF_PROVIDER[..]));
        assert_eq!(
            parse_one_off(&b),
            Some(("Ana Müller".into(), "SMTP".into(), "ana@example.com".into()))
        );
        assert_eq!(parse_one_off(&b[..10]), None);
        assert_eq!(mailto("MAILTO:a@b"), Some("a@b"));
        assert_eq!(mailto("invalid:nomail"), None);
        assert_eq!(mailto("mailto:"), None);
    }
}
