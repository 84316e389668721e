//! A VTIMEZONE evaluated from its STANDARD/DAYLIGHT observances.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use oxpim_contentline::value::{Recur, RecurUntil, Value};
use oxpim_contentline::{Component, Zone};

use crate::rule::{RuleIter, RuleLimits, RuleSpec, Until};
use crate::zone::{Span, ZoneRules, add_secs};

/// Transitions are computed ahead for these years; others on demand.
const EAGER_FROM: i32 = 1900;
const EAGER_TO: i32 = 2200;
/// Most transitions kept for one VTIMEZONE.
pub const MAX_TRANSITIONS: usize = 100_000;

#[derive(Debug, Clone)]
struct Observance {
    dtstart: NaiveDateTime,
    from: i32,
    to: i32,
    recur: Option<Recur>,
    rdates: Vec<NaiveDateTime>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Transition {
    utc: NaiveDateTime,
    from: i32,
    to: i32,
}

/// Rules of one VTIMEZONE.
#[derive(Debug, Clone)]
pub struct VTimeZone {
    tzid: String,
    observances: Vec<Observance>,
    transitions: Vec<Transition>,
    /// True when some observance recurs without end (transitions go on
    /// after the last one computed ahead).
    open_ended: bool,
}

fn offset_of(c: &Component, name: &str) -> Option<i32> {
    match c.property(name)?.value()? {
        Value::UtcOffset(o) => Some(o.seconds),
        _ => None,
    }
}

fn local_of(v: &Value) -> Option<NaiveDateTime> {
    match v {
        Value::DateTime(dt) => Some(dt.local),
        Value::Date(d) => d.and_hms_opt(0, 0, 0),
        Value::Period(p) => Some(p.start.local),
        _ => None,
    }
}

impl VTimeZone {
    /// Reads a VTIMEZONE. `Err` explains why it cannot be used; notes list
    /// observances that were skipped or cut.
    pub fn from_component(c: &Component) -> Result<(VTimeZone, Vec<String>), String> {
        let tzid = c.text("TZID").unwrap_or_default().to_string();
        let mut notes = Vec::new();
        let mut observances = Vec::new();
        for o in c
            .components
            .iter()
            .filter(|o| o.is("STANDARD") || o.is("DAYLIGHT"))
        {
            let Some(dtstart) = o
                .property("DTSTART")
                .and_then(|p| p.value())
                .and_then(local_of)
            else {
                notes.push(format!(
                    "a {} observance without a usable DTSTART was skipped",
                    o.name()
                ));
                continue;
            };
            let Some(to) = offset_of(o, "TZOFFSETTO") else {
                notes.push(format!(
                    "a {} observance without TZOFFSETTO was skipped",
                    o.name()
                ));
                continue;
            };
            let from = offset_of(o, "TZOFFSETFROM").unwrap_or(to);
            let recur = o
                .property("RRULE")
                .and_then(|p| p.value())
                .and_then(Value::as_recur)
                .cloned();
            let rdates = o
                .properties_named("RDATE")
                .flat_map(|p| p.values().as_slice().iter().filter_map(local_of))
                .collect();
            observances.push(Observance {
                dtstart,
                from,
                to,
                recur,
                rdates,
            });
        }
        if observances.is_empty() {
            return Err(format!(
                "VTIMEZONE '{tzid}' has no usable STANDARD or DAYLIGHT observance"
            ));
        }
        let mut tz = VTimeZone {
            tzid,
            observances,
            transitions: Vec::new(),
            open_ended: false,
        };
        let start = NaiveDate::from_ymd_opt(EAGER_FROM, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0));
        let end = NaiveDate::from_ymd_opt(EAGER_TO, 12, 31).and_then(|d| d.and_hms_opt(23, 59, 59));
        if let (Some(s), Some(e)) = (start, end) {
            let (t, cut, open) = tz.compute(s, e, MAX_TRANSITIONS);
            tz.transitions = t;
            tz.open_ended = open;
            if cut {
                notes.push(format!("VTIMEZONE '{}' has more than {MAX_TRANSITIONS} transitions; the rest were not computed", tz.tzid));
            }
        }
        Ok((tz, notes))
    }

    /// The TZID.
    pub fn tzid(&self) -> &str {
        &self.tzid
    }

    /// Transitions whose onset (local) lies in `[from, to]` (years of the
    /// local onset), sorted by instant; whether the budget cut them; and
    /// whether some observance goes on after `to`.
    fn compute(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
        budget: usize,
    ) -> (Vec<Transition>, bool, bool) {
        let mut out = Vec::new();
        let mut cut = false;
        let mut open = false;
        for o in &self.observances {
            let push = |out: &mut Vec<Transition>, local: NaiveDateTime| {
                out.push(Transition {
                    utc: add_secs(local, -i64::from(o.from)),
                    from: o.from,
                    to: o.to,
                });
            };
            if o.dtstart >= from && o.dtstart <= to {
                push(&mut out, o.dtstart);
            }
            for r in &o.rdates {
                if *r >= from && *r <= to {
                    push(&mut out, *r);
                }
            }
            let Some(recur) = &o.recur else { continue };
            let until = recur.until.as_ref().map(|u| match u {
                RecurUntil::Date(d) => Until::Date(*d),
                // Onset in UTC = local - from.
                RecurUntil::DateTime(dt) if dt.zone == Zone::Utc => {
                    Until::Wall(add_secs(dt.local, i64::from(o.from)))
                }
                RecurUntil::DateTime(dt) => Until::Wall(dt.local),
            });
            let remaining = budget.saturating_sub(out.len());
            let spec = RuleSpec {
                recur: recur.clone(),
                dtstart: o.dtstart,
                zone: None,
                until,
                include_dtstart: false,
                skip_to: if recur.count.is_none() {
                    Some(from)
                } else {
                    None
                },
                limits: RuleLimits {
                    max_instances: remaining.max(1),
                    max_empty: 100_000,
                },
            };
            let mut it = RuleIter::new(&spec, None);
            let mut ended = true;
            for occ in it.by_ref() {
                if occ.wall > to {
                    ended = false;
                    break;
                }
                if occ.wall >= from && occ.wall != o.dtstart {
                    push(&mut out, occ.wall);
                }
                if out.len() >= budget {
                    cut = true;
                    break;
                }
            }
            if !ended || (recur.count.is_none() && recur.until.is_none()) {
                open = true;
            }
            if cut {
                break;
            }
        }
        out.sort_by_key(|t| t.utc);
        out.dedup_by(|b, a| {
            if a.utc == b.utc {
                *a = *b;
                true
            } else {
                false
            }
        });
        (out, cut, open)
    }

    fn index(&self, utc: NaiveDateTime) -> usize {
        self.transitions.partition_point(|t| t.utc <= utc)
    }

    fn in_eager_range(&self, utc: NaiveDateTime) -> bool {
        (EAGER_FROM..=EAGER_TO).contains(&utc.year())
    }

    /// Offset for an instant outside the precomputed years: transitions of
    /// that year and the one before, computed now.
    fn offset_far(&self, utc: NaiveDateTime) -> i32 {
        let y = utc.year();
        let from =
            NaiveDate::from_ymd_opt(y.saturating_sub(1), 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0));
        let to =
            NaiveDate::from_ymd_opt(y.saturating_add(1), 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0));
        if let (Some(f), Some(t)) = (from, to) {
            let (tr, _, _) = self.compute(f, t, 1_000);
            if let Some(last) = tr.iter().rev().find(|t| t.utc <= utc) {
                return last.to;
            }
            if let Some(first) = tr.first() {
                return first.from;
            }
        }
        // No transition near: the nearest known offset.
        match self.transitions.last() {
            Some(t) if utc.year() > EAGER_TO => t.to,
            Some(_) | None => self.transitions.first().map_or_else(
                || self.observances.first().map_or(0, |o| o.from),
                |t| t.from,
            ),
        }
    }
}

impl ZoneRules for VTimeZone {
    fn offset_at(&self, utc: NaiveDateTime) -> i32 {
        if !self.in_eager_range(utc) && (self.open_ended || utc.year() < EAGER_FROM) {
            return self.offset_far(utc);
        }
        match self.index(utc) {
            0 => self
                .transitions
                .first()
                .map_or_else(|| self.observances.first().map_or(0, |o| o.to), |t| t.from),
            i => self.transitions.get(i - 1).map_or(0, |t| t.to),
        }
    }

    fn span(&self, utc: NaiveDateTime) -> Span {
        if !self.in_eager_range(utc) {
            // Rare: let the generic probe work it out.
            return crate::zone::probe_span(&|t| self.offset_at(t), utc);
        }
        let i = self.index(utc);
        let start = i
            .checked_sub(1)
            .and_then(|j| self.transitions.get(j))
            .map(|t| t.utc);
        let end = self.transitions.get(i).map(|t| t.utc).or_else(|| {
            if self.open_ended {
                NaiveDate::from_ymd_opt(EAGER_TO + 1, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0))
            } else {
                None
            }
        });
        Span {
            start,
            end,
            offset: self.offset_at(utc),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zone::{LocalTime, TimeZone};
    use oxpim_contentline::Parser;

    const WEST: &str = "BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";

    fn zone(text: &str) -> TimeZone {
        let doc = Parser::new().parse(text.as_bytes()).document;
        let (vtz, notes) = VTimeZone::from_component(&doc.components[0]).unwrap();
        assert!(notes.is_empty(), "{notes:?}");
        TimeZone::Rules(std::sync::Arc::new(vtz))
    }

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S").unwrap()
    }

    #[test]
    fn outlook_custom_zone_matches_berlin() {
        let z = zone(WEST);
        let berlin = TimeZone::Iana(chrono_tz::Europe::Berlin);
        let mut t = dt("20200101T000000");
        while t < dt("20300101T000000") {
            assert_eq!(z.offset_at(t), berlin.offset_at(t), "{t}");
            t = add_secs(t, 6 * 3600 + 7 * 60);
        }
        assert_eq!(
            z.resolve(dt("20250330T023000")),
            LocalTime::Gap {
                shifted: dt("20250330T013000")
            }
        );
        // Far future, outside the precomputed years.
        assert_eq!(z.offset_at(dt("24000715T120000")), 7200);
        assert_eq!(z.offset_at(dt("24001215T120000")), 3600);
    }

    #[test]
    fn gmt_with_british_summer_time_rules() {
        let text = "BEGIN:VTIMEZONE\r\nTZID:GMT\r\nBEGIN:STANDARD\r\nDTSTART:16011028T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010325T010000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";
        let z = zone(text);
        assert_eq!(z.to_utc(dt("20250715T102000")), dt("20250715T092000"));
        assert_eq!(z.to_utc(dt("20250115T102000")), dt("20250115T102000"));
    }

    #[test]
    fn rdate_observances_and_no_observance() {
        let text = "BEGIN:VTIMEZONE\r\nTZID:X\r\nBEGIN:STANDARD\r\nDTSTART:20200101T000000\r\nRDATE:20210601T000000\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0400\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";
        let z = zone(text);
        assert_eq!(z.offset_at(dt("20191201T000000")), 3 * 3600);
        assert_eq!(z.offset_at(dt("20200601T000000")), 4 * 3600);
        let doc = Parser::new()
            .parse(b"BEGIN:VTIMEZONE\r\nTZID:Y\r\nEND:VTIMEZONE\r\n")
            .document;
        assert!(VTimeZone::from_component(&doc.components[0]).is_err());
    }

    #[test]
    fn thousands_of_observances_stay_bounded() {
        let mut text = String::from("BEGIN:VTIMEZONE\r\nTZID:Many\r\n");
        for i in 0..3000 {
            text.push_str(&format!(
                "BEGIN:DAYLIGHT\r\nDTSTART:19700101T{:02}0000\r\nRRULE:FREQ=DAILY\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0{}00\r\nEND:DAYLIGHT\r\n",
                i % 24,
                i % 9
            ));
        }
        text.push_str("END:VTIMEZONE\r\n");
        let doc = Parser::new().parse(text.as_bytes()).document;
        let (vtz, notes) = VTimeZone::from_component(&doc.components[0]).unwrap();
        assert!(vtz.transitions.len() <= MAX_TRANSITIONS);
        assert!(notes.iter().any(|n| n.contains("more than")));
    }
}
