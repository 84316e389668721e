//! # oxpim-recur
//!
//! Time zones and recurrence for oxpim: which instants a calendar's events
//! happen at.
//!
//! What it must never do: depend on the host's time zone or `$TZ`, let a
//! guess from a zone's name override the rules a VTIMEZONE gives, expand
//! without a bound, or panic on any rule.

pub mod expand;
pub mod resolve;
pub mod rule;
pub mod vcal;
pub mod vtimezone;
pub mod zone;

pub use expand::{DtstartPolicy, ExpandOptions, Expander, Expansion, Instance, Moment};
pub use resolve::{Resolved, ResolverChain, ZoneResolver, ZoneSource};
pub use rule::{Occurrence, RuleIter, RuleLimits, RuleSpec, Until};
pub use vtimezone::{VTimeZone, ZoneLimits};
pub use zone::{LocalTime, Span, TimeZone, ZoneCursor, ZoneRules};
