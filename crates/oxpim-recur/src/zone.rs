//! Time zones and the policy for converting local (wall-clock) times to UTC.
//!
//! Policy (RFC 5545 §3.3.5): a local time that does not exist because the
//! clocks jumped forward is read with the UTC offset in effect *before* the
//! jump (so it moves forward by the length of the gap); a local time that
//! occurs twice because the clocks went back is the *first* occurrence.
//! Both amount to "use the offset before the transition".

use std::fmt;
use std::sync::Arc;

use chrono::{NaiveDateTime, Offset, TimeDelta, TimeZone as _};

/// Adds seconds, saturating at chrono's range instead of panicking.
pub(crate) fn add_secs(t: NaiveDateTime, secs: i64) -> NaiveDateTime {
    TimeDelta::try_seconds(secs)
        .and_then(|d| t.checked_add_signed(d))
        .unwrap_or(if secs > 0 {
            NaiveDateTime::MAX
        } else {
            NaiveDateTime::MIN
        })
}

/// Rules of a time zone: which UTC offset is in effect at each instant.
/// Implement this to plug a zone of your own into a [`TimeZone`].
pub trait ZoneRules: Send + Sync + fmt::Debug {
    /// Seconds east of UTC in effect at the UTC instant `utc`.
    fn offset_at(&self, utc: NaiveDateTime) -> i32;

    /// The span of constant offset that contains `utc`: its first and last
    /// instants (`None` = unbounded). The default probes
    /// [`offset_at`](Self::offset_at).
    fn span(&self, utc: NaiveDateTime) -> Span {
        probe_span(&|t| self.offset_at(t), utc)
    }

    /// Problems met while computing offsets so far (such as a limit
    /// reached), for diagnostics.
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }
}

/// A span of time with one UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First instant with this offset (`None`: since forever).
    pub start: Option<NaiveDateTime>,
    /// First instant after the span (`None`: forever).
    pub end: Option<NaiveDateTime>,
    /// The offset, seconds east of UTC.
    pub offset: i32,
}

/// Probes never step further than this: no offset lasts less than a week
/// (the shortest known, Morocco's Ramadan suspensions, last about a month).
const MAX_STEP: i64 = 7 * 86_400;
/// How far a span is searched; beyond, it is reported as ending there (a
/// conservative bound, never "forever").
const HORIZON: i64 = 400 * 86_400;

/// Finds the span around `utc`: steps growing from an hour to a week, then
/// a binary search. A span that goes on past the horizon is cut there.
pub(crate) fn probe_span(offset_at: &dyn Fn(NaiveDateTime) -> i32, utc: NaiveDateTime) -> Span {
    let o = offset_at(utc);
    let walk = |dir: i64| -> NaiveDateTime {
        let mut step: i64 = 3600;
        let mut dist: i64 = 0;
        let mut near = utc;
        while dist < HORIZON {
            dist = (dist + step).min(HORIZON);
            let probe = add_secs(utc, dir * dist);
            let p = offset_at(probe);
            if p != o {
                return if dir > 0 {
                    bisect(offset_at, o, near, probe)
                } else {
                    // The first instant with offset `o` after `probe`.
                    bisect(offset_at, p, probe, near)
                };
            }
            near = probe;
            step = (step * 2).min(MAX_STEP);
        }
        add_secs(utc, dir * HORIZON)
    };
    Span {
        start: Some(walk(-1)),
        end: Some(walk(1)),
        offset: o,
    }
}

/// With `offset_at(a) == o` and `offset_at(b) != o`, the first instant in
/// `(a, b]` whose offset is not `o`, to the second.
fn bisect(
    offset_at: &dyn Fn(NaiveDateTime) -> i32,
    o: i32,
    mut a: NaiveDateTime,
    mut b: NaiveDateTime,
) -> NaiveDateTime {
    while (b - a).num_seconds() > 1 {
        let mid = add_secs(a, (b - a).num_seconds() / 2);
        if offset_at(mid) == o {
            a = mid;
        } else {
            b = mid;
        }
    }
    b
}

/// A time zone.
#[derive(Clone)]
pub enum TimeZone {
    /// UTC.
    Utc,
    /// A fixed offset, seconds east of UTC.
    Fixed(i32),
    /// An IANA zone from the tz database (chrono-tz).
    Iana(chrono_tz::Tz),
    /// Custom rules, such as those of a VTIMEZONE.
    Rules(Arc<dyn ZoneRules>),
}

impl fmt::Debug for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeZone::Utc => f.write_str("Utc"),
            TimeZone::Fixed(o) => write!(f, "Fixed({o})"),
            TimeZone::Iana(tz) => write!(f, "Iana({})", tz.name()),
            TimeZone::Rules(r) => write!(f, "Rules({r:?})"),
        }
    }
}

/// How a local time maps to UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalTime {
    /// Exactly one instant.
    Unique(NaiveDateTime),
    /// The local time does not exist (clocks jumped forward). `shifted` is
    /// the instant the policy picks: the time read with the offset before
    /// the jump, i.e. moved forward by the gap.
    Gap {
        /// The instant chosen by the policy.
        shifted: NaiveDateTime,
    },
    /// The local time happens twice (clocks went back).
    Fold {
        /// The first occurrence (the one the policy picks).
        first: NaiveDateTime,
        /// The second occurrence.
        second: NaiveDateTime,
    },
}

impl LocalTime {
    /// The instant the policy picks.
    pub fn instant(&self) -> NaiveDateTime {
        match *self {
            LocalTime::Unique(u) => u,
            LocalTime::Gap { shifted } => shifted,
            LocalTime::Fold { first, .. } => first,
        }
    }
}

impl TimeZone {
    /// A fixed offset zone.
    pub fn fixed(seconds_east: i32) -> Self {
        if seconds_east == 0 {
            TimeZone::Utc
        } else {
            TimeZone::Fixed(seconds_east)
        }
    }

    /// Seconds east of UTC at the UTC instant `utc`.
    pub fn offset_at(&self, utc: NaiveDateTime) -> i32 {
        match self {
            TimeZone::Utc => 0,
            TimeZone::Fixed(o) => *o,
            TimeZone::Iana(tz) => tz.offset_from_utc_datetime(&utc).fix().local_minus_utc(),
            TimeZone::Rules(r) => r.offset_at(utc),
        }
    }

    /// The span of constant offset around `utc`.
    pub fn span(&self, utc: NaiveDateTime) -> Span {
        match self {
            TimeZone::Utc | TimeZone::Fixed(_) => Span {
                start: None,
                end: None,
                offset: self.offset_at(utc),
            },
            TimeZone::Iana(_) => probe_span(&|t| self.offset_at(t), utc),
            TimeZone::Rules(r) => r.span(utc),
        }
    }

    /// The local (wall-clock) time at the UTC instant `utc`.
    pub fn to_local(&self, utc: NaiveDateTime) -> NaiveDateTime {
        add_secs(utc, i64::from(self.offset_at(utc)))
    }

    /// How the local time `local` maps to UTC.
    pub fn resolve(&self, local: NaiveDateTime) -> LocalTime {
        let at = |o: i32| add_secs(local, -i64::from(o));
        // No zone moves its clocks by two days or more.
        let before = self.offset_at(add_secs(local, -50 * 3600));
        let after = self.offset_at(add_secs(local, 50 * 3600));
        let mut valid: [Option<i32>; 2] = [None, None];
        let mut n = 0;
        for o in [before, after] {
            if valid.iter().flatten().any(|v| *v == o) {
                continue;
            }
            if self.offset_at(at(o)) == o {
                if let Some(slot) = valid.get_mut(n) {
                    *slot = Some(o);
                }
                n += 1;
            }
        }
        match valid {
            [Some(o), None] => LocalTime::Unique(at(o)),
            [Some(a), Some(b)] => LocalTime::Fold {
                first: at(a.max(b)),
                second: at(a.min(b)),
            },
            _ => {
                // A gap: read with the offset in effect just before it.
                let before_gap = self.offset_at(at(after));
                LocalTime::Gap {
                    shifted: at(before_gap),
                }
            }
        }
    }

    /// The UTC instant of a local time, by the policy (gap: forward by the
    /// gap; fold: first occurrence).
    pub fn to_utc(&self, local: NaiveDateTime) -> NaiveDateTime {
        self.resolve(local).instant()
    }

    /// A cursor that makes many conversions of nearby times cheap.
    pub fn cursor(&self) -> ZoneCursor<'_> {
        ZoneCursor {
            zone: self,
            lo: None,
            hi: None,
            offset: 0,
            valid: false,
        }
    }
}

/// Caches the span of local times where one offset applies without
/// ambiguity, so that converting a sequence of nearby times costs a
/// comparison and a subtraction.
#[derive(Debug)]
pub struct ZoneCursor<'a> {
    zone: &'a TimeZone,
    lo: Option<NaiveDateTime>,
    hi: Option<NaiveDateTime>,
    offset: i32,
    valid: bool,
}

/// Local times closer than this to a transition take the careful path (no
/// zone moves its clocks by two days or more).
const MARGIN: i64 = 50 * 3600;

impl ZoneCursor<'_> {
    /// Resolves a local time (same result as [`TimeZone::resolve`]).
    pub fn resolve(&mut self, local: NaiveDateTime) -> LocalTime {
        if self.valid && self.lo.is_none_or(|lo| local >= lo) && self.hi.is_none_or(|hi| local < hi)
        {
            return LocalTime::Unique(add_secs(local, -i64::from(self.offset)));
        }
        let r = self.zone.resolve(local);
        if let LocalTime::Unique(u) = r {
            let span = self.zone.span(u);
            let off = i64::from(span.offset);
            self.offset = span.offset;
            self.lo = span.start.map(|s| add_secs(s, off + MARGIN));
            self.hi = span.end.map(|e| add_secs(e, off - MARGIN));
            self.valid = match (self.lo, self.hi) {
                (Some(lo), Some(hi)) => lo < hi,
                _ => true,
            };
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, NaiveDate};

    fn dt(y: i32, m: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, mi, 0)
            .unwrap()
    }

    #[test]
    fn gap_moves_forward_fold_takes_first() {
        let berlin = TimeZone::Iana(chrono_tz::Europe::Berlin);
        // 2025-03-30 02:30 does not exist: read with +01:00 → 01:30Z.
        assert_eq!(
            berlin.resolve(dt(2025, 3, 30, 2, 30)),
            LocalTime::Gap {
                shifted: dt(2025, 3, 30, 1, 30)
            }
        );
        // 2025-10-26 02:30 happens twice: 00:30Z and 01:30Z.
        assert_eq!(
            berlin.resolve(dt(2025, 10, 26, 2, 30)),
            LocalTime::Fold {
                first: dt(2025, 10, 26, 0, 30),
                second: dt(2025, 10, 26, 1, 30)
            }
        );
        assert_eq!(
            berlin.resolve(dt(2025, 7, 1, 12, 0)),
            LocalTime::Unique(dt(2025, 7, 1, 10, 0))
        );
        assert_eq!(
            berlin.to_local(dt(2025, 7, 1, 10, 0)),
            dt(2025, 7, 1, 12, 0)
        );
    }

    #[test]
    fn spans_and_cursor_agree_with_the_slow_path() {
        let ny = TimeZone::Iana(chrono_tz::America::New_York);
        let span = ny.span(dt(2025, 7, 1, 0, 0));
        assert_eq!(span.offset, -4 * 3600);
        assert_eq!(span.start, Some(dt(2025, 3, 9, 7, 0)));
        assert_eq!(span.end, Some(dt(2025, 11, 2, 6, 0)));
        let mut cur = ny.cursor();
        let mut t = dt(2024, 1, 1, 0, 30);
        while t < dt(2026, 1, 1, 0, 0) {
            assert_eq!(cur.resolve(t), ny.resolve(t), "{t}");
            t = add_secs(t, 5 * 3600 + 17 * 60);
        }
    }

    #[test]
    fn cursor_agrees_over_sparse_sequences() {
        // Friday the 13th at 09:00 for 30 years: steps of months, which once
        // leapt over a whole winter (ical4j's friday13.ics).
        for z in [
            TimeZone::Iana(chrono_tz::US::Eastern),
            TimeZone::Iana(chrono_tz::Africa::Casablanca),
            TimeZone::Iana(chrono_tz::Australia::Lord_Howe),
        ] {
            let mut cur = z.cursor();
            let mut d = NaiveDate::from_ymd_opt(1997, 9, 2).unwrap();
            while d < NaiveDate::from_ymd_opt(2027, 1, 1).unwrap() {
                if d.day() == 13 && d.weekday() == chrono::Weekday::Fri {
                    let t = d.and_hms_opt(9, 0, 0).unwrap();
                    assert_eq!(cur.resolve(t), z.resolve(t), "{z:?} {t}");
                }
                d = d.succ_opt().unwrap();
            }
        }
    }

    #[test]
    fn spans_are_never_unbounded_for_zones_with_rules() {
        // Tokyo has had no transition since 1951: the span is cut at the
        // search horizon instead of claiming forever.
        let tokyo = TimeZone::Iana(chrono_tz::Asia::Tokyo);
        let s = tokyo.span(dt(2025, 1, 1, 0, 0));
        assert_eq!(s.offset, 9 * 3600);
        assert!(s.end.is_some() && s.start.is_some());
    }

    #[test]
    fn fixed_and_utc() {
        let z = TimeZone::fixed(3600);
        assert_eq!(z.to_utc(dt(2025, 1, 1, 1, 0)), dt(2025, 1, 1, 0, 0));
        assert!(matches!(TimeZone::fixed(0), TimeZone::Utc));
        assert_eq!(TimeZone::Utc.span(dt(2025, 1, 1, 0, 0)).end, None);
    }
}
