//! From a TZID to a [`TimeZone`]: a chain of resolvers.
//!
//! The default chain, in order:
//! 1. the VTIMEZONE with that TZID in the same object, evaluated from its
//!    observances;
//! 2. IANA names (chrono-tz), also inside paths such as
//!    `/mozilla.org/20050126_1/Europe/Berlin`;
//! 3. Windows zone names (CLDR `windowsZones.xml`, e.g.
//!    `W. Europe Standard Time`) and Outlook display names
//!    (`(UTC+01:00) Amsterdam, Berlin, …`, also the older `(GMT+01:00) …`);
//! 4. aliases in the VTIMEZONE: `X-LIC-LOCATION` and
//!    `X-MICROSOFT-CDO-TZID`;
//! 5. UTC offsets written in the name (`GMT+0100`, `UTC-05:00`).
//!
//! When a VTIMEZONE exists its rules win. The name-based guess is then
//! compared with them over 2015–2035; a disagreement is reported, never
//! applied.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use chrono::{NaiveDate, NaiveDateTime};
use oxpim_contentline::Component;

use crate::vtimezone::VTimeZone;
use crate::zone::{TimeZone, add_secs};

/// Where a zone came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoneSource {
    /// The VTIMEZONE's own rules.
    VTimezone,
    /// An IANA name.
    Iana(String),
    /// A Windows zone id, mapped to an IANA zone.
    Windows {
        /// The Windows id.
        windows: String,
        /// The IANA zone used.
        iana: String,
    },
    /// An Outlook display name, mapped through its Windows id.
    DisplayName {
        /// The Windows id.
        windows: String,
        /// The IANA zone used.
        iana: String,
    },
    /// The VTIMEZONE's `X-LIC-LOCATION`.
    LicLocation(String),
    /// The VTIMEZONE's `X-MICROSOFT-CDO-TZID`.
    CdoTzid(u32),
    /// A UTC offset written in the name (no daylight saving).
    OffsetInName(i32),
    /// A zone from a resolver supplied by the caller.
    Custom(String),
}

/// A resolved zone.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The zone.
    pub zone: TimeZone,
    /// How it was found.
    pub source: ZoneSource,
    /// Remarks worth a diagnostic (disagreements, skipped observances).
    pub notes: Vec<String>,
}

/// One step of a resolution chain. Implement it to add your own names.
pub trait ZoneResolver: Send + Sync {
    /// Resolves `tzid`; `vtimezone` is the VTIMEZONE with that TZID in the
    /// same object, if there is one.
    fn resolve(&self, tzid: &str, vtimezone: Option<&Component>) -> Option<Resolved>;

    /// True when this step reads rules (a VTIMEZONE) rather than guessing
    /// from a name: the chain checks such results against the name guess.
    fn reads_rules(&self) -> bool {
        false
    }
}

/// Step 1: the VTIMEZONE's rules.
#[derive(Debug, Default, Clone, Copy)]
pub struct VTimezoneRules {
    /// What one VTIMEZONE may cost.
    pub limits: crate::vtimezone::ZoneLimits,
}

impl ZoneResolver for VTimezoneRules {
    fn resolve(&self, _tzid: &str, vtimezone: Option<&Component>) -> Option<Resolved> {
        let v = vtimezone?;
        match VTimeZone::from_component_with(v, &self.limits) {
            Ok((vtz, notes)) => Some(Resolved {
                zone: TimeZone::Rules(Arc::new(vtz)),
                source: ZoneSource::VTimezone,
                notes,
            }),
            Err(_) => None,
        }
    }
    fn reads_rules(&self) -> bool {
        true
    }
}

/// Step 2: IANA names.
#[derive(Debug, Default, Clone, Copy)]
pub struct IanaNames;

/// IANA names in lowercase, for case-insensitive lookups.
fn iana_lowercase(s: &str) -> Option<chrono_tz::Tz> {
    static MAP: OnceLock<HashMap<String, chrono_tz::Tz>> = OnceLock::new();
    MAP.get_or_init(|| {
        chrono_tz::TZ_VARIANTS
            .iter()
            .map(|tz| (tz.name().to_lowercase(), *tz))
            .collect()
    })
    .get(&s.to_lowercase())
    .copied()
}

/// The IANA zone named by `s` (any case), also when it is the tail of a
/// path.
pub fn iana_zone(s: &str) -> Option<chrono_tz::Tz> {
    let s = s.trim().trim_matches('"');
    if let Ok(tz) = chrono_tz::Tz::from_str(s) {
        return Some(tz);
    }
    if let Some(tz) = iana_lowercase(s) {
        return Some(tz);
    }
    // "/softwarestudio.org/Olson_20011030_5/Pacific/Auckland" and friends.
    let mut rest = s;
    while let Some(i) = rest.find('/') {
        rest = rest.get(i + 1..).unwrap_or("");
        if rest.contains('/')
            && let Some(tz) = iana_lowercase(rest)
        {
            return Some(tz);
        }
    }
    None
}

impl ZoneResolver for IanaNames {
    fn resolve(&self, tzid: &str, _: Option<&Component>) -> Option<Resolved> {
        let tz = iana_zone(tzid)?;
        Some(Resolved {
            zone: if tz == chrono_tz::UTC {
                TimeZone::Utc
            } else {
                TimeZone::Iana(tz)
            },
            source: ZoneSource::Iana(tz.name().to_string()),
            notes: Vec::new(),
        })
    }
}

struct WindowsTables {
    by_id: HashMap<String, (String, String)>,
    by_display: HashMap<String, (String, String)>,
    entries: Vec<(String, String, String)>,
    cdo: HashMap<u32, String>,
}

fn normalize_display(s: &str) -> String {
    let lower = s.trim().to_lowercase().replace("(gmt", "(utc");
    // "(utc)" and "(utc+00:00)" are the same; spacing varies.
    let lower = lower
        .replace("(utc)", "(utc+00:00)")
        .replace("(utc ", "(utc");
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn tables() -> &'static WindowsTables {
    static T: OnceLock<WindowsTables> = OnceLock::new();
    T.get_or_init(|| {
        let mut by_id = HashMap::new();
        let mut by_display = HashMap::new();
        let mut entries = Vec::new();
        for line in include_str!("../data/windows_zones.tsv").lines().skip(1) {
            let mut cols = line.split('\t');
            let (Some(id), Some(iana), display) =
                (cols.next(), cols.next(), cols.next().unwrap_or(""))
            else {
                continue;
            };
            by_id.insert(id.to_lowercase(), (id.to_string(), iana.to_string()));
            if !display.is_empty() {
                by_display.insert(
                    normalize_display(display),
                    (id.to_string(), iana.to_string()),
                );
            }
            entries.push((id.to_string(), iana.to_string(), display.to_string()));
        }
        let mut cdo = HashMap::new();
        for line in include_str!("../data/cdo_tzid.tsv").lines().skip(1) {
            let mut cols = line.split('\t');
            let (Some(num), Some(_name), Some(zone)) = (cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            if let Ok(n) = num.parse::<u32>()
                && !zone.is_empty()
            {
                cdo.insert(n, zone.trim_end_matches('?').to_string());
            }
        }
        WindowsTables {
            by_id,
            by_display,
            entries,
            cdo,
        }
    })
}

/// The IANA zone for a Windows zone id (`W. Europe Standard Time`), per CLDR.
pub fn windows_to_iana(id: &str) -> Option<&'static str> {
    tables()
        .by_id
        .get(&id.trim().to_lowercase())
        .map(|(_, iana)| iana.as_str())
}

/// The Windows id and IANA zone for an Outlook display name.
pub fn display_name_to_zone(name: &str) -> Option<(&'static str, &'static str)> {
    let t = tables();
    let norm = normalize_display(name);
    if let Some((id, iana)) = t.by_display.get(&norm) {
        return Some((id, iana));
    }
    // Older display names list other cities: same offset prefix, and the
    // first city appears in the current name.
    let (prefix, cities) = norm.split_once(')')?;
    let first_city = cities
        .trim_start_matches([' ', ':'])
        .split(',')
        .next()?
        .trim();
    if first_city.is_empty() {
        return None;
    }
    t.entries.iter().find_map(|(id, iana, display)| {
        let d = normalize_display(display);
        (d.starts_with(prefix) && d.contains(first_city)).then_some((id.as_str(), iana.as_str()))
    })
}

/// The Windows id for a CDO time zone number (`X-MICROSOFT-CDO-TZID`).
pub fn cdo_to_windows(n: u32) -> Option<&'static str> {
    tables().cdo.get(&n).map(String::as_str)
}

/// Step 3: Windows ids and Outlook display names.
#[derive(Debug, Default, Clone, Copy)]
pub struct WindowsNames;

fn iana_resolved(iana: &str, source: ZoneSource) -> Option<Resolved> {
    let tz = chrono_tz::Tz::from_str(iana).ok()?;
    Some(Resolved {
        zone: if tz == chrono_tz::UTC {
            TimeZone::Utc
        } else {
            TimeZone::Iana(tz)
        },
        source,
        notes: Vec::new(),
    })
}

impl ZoneResolver for WindowsNames {
    fn resolve(&self, tzid: &str, _: Option<&Component>) -> Option<Resolved> {
        let t = tables();
        if let Some((id, iana)) = t.by_id.get(&tzid.trim().to_lowercase()) {
            return iana_resolved(
                iana,
                ZoneSource::Windows {
                    windows: id.clone(),
                    iana: iana.clone(),
                },
            );
        }
        let (id, iana) = display_name_to_zone(tzid)?;
        iana_resolved(
            iana,
            ZoneSource::DisplayName {
                windows: id.to_string(),
                iana: iana.to_string(),
            },
        )
    }
}

/// Step 4: aliases inside the VTIMEZONE.
#[derive(Debug, Default, Clone, Copy)]
pub struct Aliases;

impl ZoneResolver for Aliases {
    fn resolve(&self, _tzid: &str, vtimezone: Option<&Component>) -> Option<Resolved> {
        let v = vtimezone?;
        if let Some(loc) = v.text("X-LIC-LOCATION")
            && let Some(tz) = iana_zone(loc)
        {
            return Some(Resolved {
                zone: TimeZone::Iana(tz),
                source: ZoneSource::LicLocation(tz.name().to_string()),
                notes: Vec::new(),
            });
        }
        let n = v
            .property("X-MICROSOFT-CDO-TZID")
            .and_then(|p| p.as_text())
            .and_then(|s| s.trim().parse::<u32>().ok())?;
        let win = cdo_to_windows(n)?;
        let iana = windows_to_iana(win).or_else(|| iana_zone(win).map(|t| t.name()))?;
        iana_resolved(iana, ZoneSource::CdoTzid(n))
    }
}

/// Step 5: a UTC offset in the name.
#[derive(Debug, Default, Clone, Copy)]
pub struct OffsetNames;

/// The UTC offset (seconds east) written in a zone name: `GMT+0100`,
/// `(GMT +01:00)`, `UTC-5`, `+05:30`; plain `GMT`, `UTC`, `Z` are zero.
pub fn offset_in_name(s: &str) -> Option<i32> {
    let t = s.trim().trim_matches(['"', '(', ')']).trim();
    let upper = t.to_ascii_uppercase();
    if matches!(upper.as_str(), "GMT" | "UTC" | "Z" | "UT") {
        return Some(0);
    }
    let rest = upper
        .strip_prefix("GMT")
        .or_else(|| upper.strip_prefix("UTC"))
        .unwrap_or(&upper);
    // Cut at the closing parenthesis of "(GMT+01:00) Amsterdam, …".
    let rest = rest.split(')').next()?.trim();
    let (sign, body) = match rest.as_bytes().first()? {
        b'+' => (1, rest.get(1..)?),
        b'-' => (-1, rest.get(1..)?),
        _ => return None,
    };
    let body = body.trim();
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != body.chars().filter(|c| !matches!(c, ':' | '.')).count() {
        return None;
    }
    let (h, m) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().ok()?, 0),
        3 => (
            digits.get(..1)?.parse::<i32>().ok()?,
            digits.get(1..)?.parse::<i32>().ok()?,
        ),
        4 => (
            digits.get(..2)?.parse::<i32>().ok()?,
            digits.get(2..)?.parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    if h > 14 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

impl ZoneResolver for OffsetNames {
    fn resolve(&self, tzid: &str, _: Option<&Component>) -> Option<Resolved> {
        let o = offset_in_name(tzid)?;
        Some(Resolved {
            zone: TimeZone::fixed(o),
            source: ZoneSource::OffsetInName(o),
            notes: Vec::new(),
        })
    }
}

/// A chain of resolvers, tried in order.
pub struct ResolverChain {
    steps: Vec<Box<dyn ZoneResolver>>,
}

impl Default for ResolverChain {
    /// The default chain described in the module documentation.
    fn default() -> Self {
        ResolverChain {
            steps: vec![
                Box::new(VTimezoneRules::default()),
                Box::new(IanaNames),
                Box::new(WindowsNames),
                Box::new(Aliases),
                Box::new(OffsetNames),
            ],
        }
    }
}

impl ResolverChain {
    /// The default chain, its VTIMEZONE step within `limits`.
    pub fn with_zone_limits(limits: crate::vtimezone::ZoneLimits) -> Self {
        let mut chain = ResolverChain::default();
        if let Some(first) = chain.steps.first_mut() {
            *first = Box::new(VTimezoneRules { limits });
        }
        chain
    }

    /// An empty chain.
    pub fn empty() -> Self {
        ResolverChain { steps: Vec::new() }
    }
    /// Adds a step at the end.
    pub fn push(mut self, step: Box<dyn ZoneResolver>) -> Self {
        self.steps.push(step);
        self
    }
    /// Adds a step at the front (tried first).
    pub fn prepend(mut self, step: Box<dyn ZoneResolver>) -> Self {
        self.steps.insert(0, step);
        self
    }
}

fn noon(y: i32, m: u32, d: u32) -> Option<NaiveDateTime> {
    NaiveDate::from_ymd_opt(y, m, d)?.and_hms_opt(12, 0, 0)
}

fn fmt_offset(o: i32) -> String {
    let sign = if o < 0 { '-' } else { '+' };
    let a = o.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 3600, (a / 60) % 60)
}

/// The first instant of 2015–2035 at which two zones have different
/// offsets, found by walking their spans of constant offset.
fn first_disagreement(a: &TimeZone, b: &TimeZone) -> Option<(NaiveDateTime, i32, i32)> {
    let mut t = noon(2015, 1, 1)?;
    let end = noon(2036, 1, 1)?;
    // Each step passes a transition of one zone; zones have a few a year.
    for _ in 0..10_000 {
        if t >= end {
            return None;
        }
        let (sa, sb) = (a.span(t), b.span(t));
        if sa.offset != sb.offset {
            return Some((t, sa.offset, sb.offset));
        }
        let next = match (sa.end, sb.end) {
            (Some(x), Some(y)) => x.min(y),
            (Some(x), None) | (None, Some(x)) => x,
            (None, None) => return None,
        };
        // Spans may end early (conservatively); always move forward.
        t = next.max(add_secs(t, 60));
    }
    None
}

impl ZoneResolver for ResolverChain {
    fn resolve(&self, tzid: &str, vtimezone: Option<&Component>) -> Option<Resolved> {
        let mut rules: Option<Resolved> = None;
        for step in &self.steps {
            if rules.is_some() && step.reads_rules() {
                continue;
            }
            let Some(found) = step.resolve(tzid, vtimezone) else {
                continue;
            };
            if step.reads_rules() {
                rules = Some(found);
                continue;
            }
            // A name-based guess: alone, or checked against the rules.
            return Some(match rules {
                None => found,
                Some(mut r) => {
                    if let Some((day, mine, guess)) = first_disagreement(&r.zone, &found.zone) {
                        r.notes.push(format!(
                            "TZID '{tzid}' suggests {} ({} on {}), but its VTIMEZONE gives {}; the VTIMEZONE rules are used",
                            describe(&found.source),
                            fmt_offset(guess),
                            day.date(),
                            fmt_offset(mine)
                        ));
                    }
                    r
                }
            });
        }
        rules
    }
}

fn describe(s: &ZoneSource) -> String {
    match s {
        ZoneSource::VTimezone => "its VTIMEZONE".into(),
        ZoneSource::Iana(n) => n.clone(),
        ZoneSource::Windows { windows, iana } | ZoneSource::DisplayName { windows, iana } => {
            format!("{windows} = {iana}")
        }
        ZoneSource::LicLocation(n) => format!("X-LIC-LOCATION {n}"),
        ZoneSource::CdoTzid(n) => format!("CDO zone {n}"),
        ZoneSource::OffsetInName(o) => format!("a fixed offset of {}", fmt_offset(*o)),
        ZoneSource::Custom(n) => n.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxpim_contentline::Parser;

    #[test]
    fn names() {
        assert_eq!(iana_zone("Europe/Berlin"), Some(chrono_tz::Europe::Berlin));
        assert_eq!(
            iana_zone("/mozilla.org/20050126_1/Europe/Berlin"),
            Some(chrono_tz::Europe::Berlin)
        );
        assert_eq!(
            iana_zone("/softwarestudio.org/Olson_20011030_5/Pacific/Auckland"),
            Some(chrono_tz::Pacific::Auckland)
        );
        assert_eq!(iana_zone("Customized Time Zone"), None);
        assert_eq!(
            windows_to_iana("W. Europe Standard Time"),
            Some("Europe/Berlin")
        );
        assert_eq!(
            windows_to_iana("eastern standard time"),
            Some("America/New_York")
        );
        assert_eq!(
            display_name_to_zone("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"),
            Some(("W. Europe Standard Time", "Europe/Berlin"))
        );
        assert_eq!(
            display_name_to_zone("(GMT+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna")
                .map(|x| x.1),
            Some("Europe/Berlin")
        );
        assert_eq!(
            display_name_to_zone("(GMT-05:00) Eastern Time (US & Canada)").map(|x| x.1),
            Some("America/New_York")
        );
        assert_eq!(cdo_to_windows(4), Some("W. Europe Standard Time"));
        assert_eq!(offset_in_name("GMT+0100"), Some(3600));
        assert_eq!(offset_in_name("(GMT +01:00)"), Some(3600));
        assert_eq!(offset_in_name("UTC-05:00"), Some(-18000));
        assert_eq!(offset_in_name("GMT"), Some(0));
        assert_eq!(offset_in_name("UTC+5:30"), Some(5 * 3600 + 1800));
        assert_eq!(offset_in_name("Customized Time Zone"), None);
        assert_eq!(offset_in_name("GMT+99"), None);
    }

    fn vtz(text: &str) -> Component {
        Parser::new()
            .parse(text.as_bytes())
            .document
            .components
            .remove(0)
    }

    #[test]
    fn vtimezone_wins_and_disagreement_is_reported() {
        let gmt_bst = vtz(
            "BEGIN:VTIMEZONE\r\nTZID:GMT\r\nBEGIN:STANDARD\r\nDTSTART:16011028T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010325T010000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n",
        );
        let r = ResolverChain::default()
            .resolve("GMT", Some(&gmt_bst))
            .unwrap();
        assert_eq!(r.source, ZoneSource::VTimezone);
        assert_eq!(r.notes.len(), 1, "{:?}", r.notes);
        assert!(r.notes[0].contains("TZID 'GMT' suggests"), "{}", r.notes[0]);
        // No VTIMEZONE: the name decides.
        let r = ResolverChain::default()
            .resolve("W. Europe Standard Time", None)
            .unwrap();
        assert!(matches!(r.source, ZoneSource::Windows { .. }));
        // A custom name with a matching VTIMEZONE: no guess, no note.
        let custom = vtz(
            "BEGIN:VTIMEZONE\r\nTZID:Customized Time Zone\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0200\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n",
        );
        let r = ResolverChain::default()
            .resolve("Customized Time Zone", Some(&custom))
            .unwrap();
        assert!(r.notes.is_empty());
        assert_eq!(r.zone.offset_at(noon(2025, 7, 1).unwrap()), 7200);
        // Unknown name, no VTIMEZONE: nothing.
        assert!(
            ResolverChain::default()
                .resolve("Nowhere Time", None)
                .is_none()
        );
    }

    #[test]
    fn aliases() {
        let v = vtz(
            "BEGIN:VTIMEZONE\r\nTZID:Foo\r\nX-LIC-LOCATION:America/Chicago\r\nEND:VTIMEZONE\r\n",
        );
        let r = ResolverChain::default().resolve("Foo", Some(&v)).unwrap();
        assert_eq!(r.source, ZoneSource::LicLocation("America/Chicago".into()));
        let v = vtz("BEGIN:VTIMEZONE\r\nTZID:Bar\r\nX-MICROSOFT-CDO-TZID:4\r\nEND:VTIMEZONE\r\n");
        let r = ResolverChain::default().resolve("Bar", Some(&v)).unwrap();
        assert_eq!(r.source, ZoneSource::CdoTzid(4));
    }

    #[test]
    fn a_custom_step() {
        struct Mine;
        impl ZoneResolver for Mine {
            fn resolve(&self, tzid: &str, _: Option<&Component>) -> Option<Resolved> {
                (tzid == "Office HQ").then(|| Resolved {
                    zone: TimeZone::Iana(chrono_tz::Asia::Tokyo),
                    source: ZoneSource::Custom("Office HQ".into()),
                    notes: Vec::new(),
                })
            }
        }
        let chain = ResolverChain::default().push(Box::new(Mine));
        assert_eq!(
            chain
                .resolve("Office HQ", None)
                .unwrap()
                .zone
                .offset_at(noon(2025, 1, 1).unwrap()),
            9 * 3600
        );
    }
}
