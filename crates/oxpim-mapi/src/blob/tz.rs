//! Time zone blobs: PidLidTimeZoneStruct (MS-OXOCAL 2.2.1.39) and the
//! TZDEFINITION of PidLidAppointmentTimeZoneDefinitionRecur, …StartDisplay
//! and …EndDisplay (2.2.1.41–43), and the zone they describe as
//! [`oxpim_recur::ZoneRules`].
//!
//! Biases are minutes *west* of UTC (`UTC = local + bias`), as in Windows.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use oxpim_recur::{Span, ZoneRules};

use super::{BlobError, Reader, put_utf16, utf16_len};

/// A Windows SYSTEMTIME as time zone rules use it: `year == 0` is a yearly
/// rule ("the `day`-th `day_of_week` of `month`", 5 = last); another year
/// an absolute date. `month == 0` means the zone has no daylight saving.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SystemTime {
    /// wYear.
    pub year: u16,
    /// wMonth, 1–12 (0: no transition).
    pub month: u16,
    /// wDayOfWeek, 0 = Sunday.
    pub day_of_week: u16,
    /// wDay: the week of the month (1–5) in yearly rules, the day in
    /// absolute ones.
    pub day: u16,
    /// wHour.
    pub hour: u16,
    /// wMinute.
    pub minute: u16,
    /// wSecond.
    pub second: u16,
    /// wMilliseconds.
    pub milliseconds: u16,
}

impl SystemTime {
    fn read(r: &mut Reader<'_>) -> Result<SystemTime, BlobError> {
        Ok(SystemTime {
            year: r.u16("wYear")?,
            month: r.u16("wMonth")?,
            day_of_week: r.u16("wDayOfWeek")?,
            day: r.u16("wDay")?,
            hour: r.u16("wHour")?,
            minute: r.u16("wMinute")?,
            second: r.u16("wSecond")?,
            milliseconds: r.u16("wMilliseconds")?,
        })
    }

    fn write(&self, out: &mut Vec<u8>) {
        for v in [
            self.year,
            self.month,
            self.day_of_week,
            self.day,
            self.hour,
            self.minute,
            self.second,
            self.milliseconds,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }

    /// The local date-time this rule gives in `year`, if it is a valid rule.
    /// Yearly rules use week and weekday; a `year` of 1 is MS-OXCICAL's
    /// day-of-month form (`day` is the day of the month); other absolute
    /// dates are applied on their month and day every year.
    pub fn in_year(&self, year: i32) -> Option<NaiveDateTime> {
        let month = u32::from(self.month);
        if !(1..=12).contains(&month) {
            return None;
        }
        let date = if self.year == 0 {
            let wd = weekday_from_sunday0(self.day_of_week)?;
            let week = u8::try_from(self.day.clamp(1, 5)).ok()?;
            nth_weekday(year, month, wd, week)?
        } else {
            let last = days_in_month(year, month)?;
            NaiveDate::from_ymd_opt(year, month, u32::from(self.day).clamp(1, last))?
        };
        let time = NaiveTime::from_hms_milli_opt(
            u32::from(self.hour.min(23)),
            u32::from(self.minute.min(59)),
            u32::from(self.second.min(59)),
            u32::from(self.milliseconds.min(999)),
        )?;
        Some(date.and_time(time))
    }
}

/// A weekday from Windows' number (0 = Sunday).
pub fn weekday_from_sunday0(n: u16) -> Option<chrono::Weekday> {
    use chrono::Weekday::*;
    Some(match n {
        0 => Sun,
        1 => Mon,
        2 => Tue,
        3 => Wed,
        4 => Thu,
        5 => Fri,
        6 => Sat,
        _ => return None,
    })
}

fn days_in_month(year: i32, month: u32) -> Option<u32> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    u32::try_from((next - first).num_days()).ok()
}

/// The `week`-th `weekday` of a month (5 = the last).
pub fn nth_weekday(year: i32, month: u32, weekday: chrono::Weekday, week: u8) -> Option<NaiveDate> {
    if week >= 5 {
        let last = NaiveDate::from_ymd_opt(year, month, days_in_month(year, month)?)?;
        let back = (7 + last.weekday().num_days_from_sunday() - weekday.num_days_from_sunday()) % 7;
        return last.checked_sub_signed(TimeDelta::days(i64::from(back)));
    }
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, week)
}

/// The biases and transition rules shared by PidLidTimeZoneStruct and the
/// rules of a TZDEFINITION.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ZoneBiases {
    /// lBias: minutes west of UTC.
    pub bias: i32,
    /// lStandardBias: added to `bias` in standard time.
    pub standard_bias: i32,
    /// lDaylightBias: added to `bias` in daylight time.
    pub daylight_bias: i32,
    /// stStandardDate: when standard time starts (local daylight time).
    pub standard_date: SystemTime,
    /// stDaylightDate: when daylight time starts (local standard time).
    pub daylight_date: SystemTime,
}

impl ZoneBiases {
    /// True when the rules have daylight saving time.
    pub fn has_dst(&self) -> bool {
        self.standard_date.month != 0 && self.daylight_date.month != 0
    }

    /// Seconds east of UTC in standard time.
    pub fn standard_offset(&self) -> i32 {
        -(self.bias.saturating_add(self.standard_bias)).saturating_mul(60)
    }

    /// Seconds east of UTC in daylight time.
    pub fn daylight_offset(&self) -> i32 {
        -(self.bias.saturating_add(self.daylight_bias)).saturating_mul(60)
    }

    /// The UTC instants at which daylight time starts and ends in `year`.
    pub fn transitions(&self, year: i32) -> Option<(NaiveDateTime, NaiveDateTime)> {
        if !self.has_dst() {
            return None;
        }
        let dst_start = self.daylight_date.in_year(year)?
            - TimeDelta::seconds(i64::from(self.standard_offset()));
        let std_start = self.standard_date.in_year(year)?
            - TimeDelta::seconds(i64::from(self.daylight_offset()));
        Some((dst_start, std_start))
    }
}

/// PidLidTimeZoneStruct: the zone of a recurring series (48 bytes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TimeZoneStruct {
    /// Biases and rules.
    pub rules: ZoneBiases,
    /// wStandardYear (equal to `rules.standard_date.year`).
    pub standard_year: u16,
    /// wDaylightYear (equal to `rules.daylight_date.year`).
    pub daylight_year: u16,
}

impl TimeZoneStruct {
    /// Length of the blob.
    pub const LEN: usize = 48;

    /// The struct for a set of rules.
    pub fn new(rules: ZoneBiases) -> TimeZoneStruct {
        TimeZoneStruct {
            standard_year: rules.standard_date.year,
            daylight_year: rules.daylight_date.year,
            rules,
        }
    }

    /// Reads the blob.
    pub fn decode(bytes: &[u8]) -> Result<TimeZoneStruct, BlobError> {
        let mut r = Reader::new(bytes, "PidLidTimeZoneStruct");
        let bias = r.i32("lBias")?;
        let standard_bias = r.i32("lStandardBias")?;
        let daylight_bias = r.i32("lDaylightBias")?;
        let standard_year = r.u16("wStandardYear")?;
        let standard_date = SystemTime::read(&mut r)?;
        let daylight_year = r.u16("wDaylightYear")?;
        let daylight_date = SystemTime::read(&mut r)?;
        if r.remaining() != 0 {
            return Err(r.error(format!("{} bytes after the structure", r.remaining())));
        }
        Ok(TimeZoneStruct {
            rules: ZoneBiases {
                bias,
                standard_bias,
                daylight_bias,
                standard_date,
                daylight_date,
            },
            standard_year,
            daylight_year,
        })
    }

    /// The blob.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::LEN);
        out.extend_from_slice(&self.rules.bias.to_le_bytes());
        out.extend_from_slice(&self.rules.standard_bias.to_le_bytes());
        out.extend_from_slice(&self.rules.daylight_bias.to_le_bytes());
        out.extend_from_slice(&self.standard_year.to_le_bytes());
        self.rules.standard_date.write(&mut out);
        out.extend_from_slice(&self.daylight_year.to_le_bytes());
        self.rules.daylight_date.write(&mut out);
        out
    }
}

/// TZRULE_FLAG_RECUR_CURRENT_TZREG.
pub const TZRULE_FLAG_RECUR_CURRENT_TZREG: u16 = 0x0001;
/// TZRULE_FLAG_EFFECTIVE_TZREG.
pub const TZRULE_FLAG_EFFECTIVE_TZREG: u16 = 0x0002;

/// One rule of a TZDEFINITION (66 bytes), in effect from 1 January of
/// `year` until the next rule's year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TzRule {
    /// Major and minor version (2, 1), kept as read.
    pub version: (u8, u8),
    /// Reserved (0x003E), kept as read.
    pub reserved: u16,
    /// TZRULE_FLAG_* bits.
    pub flags: u16,
    /// wYear: the first year of the rule.
    pub year: u16,
    /// 14 bytes the specification reserves (zero); Outlook writes
    /// 1601-01-01 there in the first rule. Kept as read.
    pub x: [u8; 14],
    /// Biases and transitions.
    pub rules: ZoneBiases,
}

impl TzRule {
    /// Length of one rule.
    pub const LEN: usize = 66;

    /// A rule with the standard version and reserved fields.
    pub fn new(year: u16, flags: u16, rules: ZoneBiases) -> TzRule {
        TzRule {
            version: (2, 1),
            reserved: 0x003E,
            flags,
            year,
            x: [0; 14],
            rules,
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<TzRule, BlobError> {
        let major = r.u8("TZRule major version")?;
        let minor = r.u8("TZRule minor version")?;
        let reserved = r.u16("TZRule reserved")?;
        let flags = r.u16("TZRule flags")?;
        let year = r.u16("wYear")?;
        let x = r.fixed("X")?;
        let bias = r.i32("lBias")?;
        let standard_bias = r.i32("lStandardBias")?;
        let daylight_bias = r.i32("lDaylightBias")?;
        let standard_date = SystemTime::read(r)?;
        let daylight_date = SystemTime::read(r)?;
        Ok(TzRule {
            version: (major, minor),
            reserved,
            flags,
            year,
            x,
            rules: ZoneBiases {
                bias,
                standard_bias,
                daylight_bias,
                standard_date,
                daylight_date,
            },
        })
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.push(self.version.0);
        out.push(self.version.1);
        out.extend_from_slice(&self.reserved.to_le_bytes());
        out.extend_from_slice(&self.flags.to_le_bytes());
        out.extend_from_slice(&self.year.to_le_bytes());
        out.extend_from_slice(&self.x);
        out.extend_from_slice(&self.rules.bias.to_le_bytes());
        out.extend_from_slice(&self.rules.standard_bias.to_le_bytes());
        out.extend_from_slice(&self.rules.daylight_bias.to_le_bytes());
        self.rules.standard_date.write(out);
        self.rules.daylight_date.write(out);
    }
}

/// Most rules in a TZDEFINITION (MS-OXOCAL 2.2.1.41).
pub const MAX_TZ_RULES: usize = 1024;
/// Most UTF-16 code units in a TZDEFINITION key name.
pub const MAX_KEY_NAME: usize = 260;

/// A TZDEFINITION: a Windows zone key name and its rules by year.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TimeZoneDefinition {
    /// Major and minor version (2, 1), kept as read.
    pub version: (u8, u8),
    /// Reserved (0x0002), kept as read.
    pub reserved: u16,
    /// The key name (`Pacific Standard Time`, or a TZID).
    pub key_name: String,
    /// The rules, ascending by year.
    pub rules: Vec<TzRule>,
}

impl TimeZoneDefinition {
    /// A definition with the standard version fields.
    pub fn new(key_name: &str, rules: Vec<TzRule>) -> TimeZoneDefinition {
        TimeZoneDefinition {
            version: (2, 1),
            reserved: 0x0002,
            key_name: key_name.to_owned(),
            rules,
        }
    }

    /// Reads the blob. The header's length field is honoured, so a longer
    /// header written by a later version is skipped.
    pub fn decode(bytes: &[u8]) -> Result<TimeZoneDefinition, BlobError> {
        let mut r = Reader::new(bytes, "TZDEFINITION");
        let major = r.u8("major version")?;
        let minor = r.u8("minor version")?;
        if major != 2 {
            return Err(r.error(format!("major version {major}, expected 2")));
        }
        let cb_header = usize::from(r.u16("cbHeader")?);
        let header_start = r.pos();
        let reserved = r.u16("reserved")?;
        let cch = usize::from(r.u16("cchKeyName")?);
        if cch > MAX_KEY_NAME {
            return Err(r.error(format!("cchKeyName {cch} is above {MAX_KEY_NAME}")));
        }
        let key_name = r.utf16(cch, "KeyName")?;
        let n = usize::from(r.u16("cRules")?);
        let read = r.pos() - header_start;
        if cb_header > read {
            r.take(cb_header - read, "rest of header")?;
        }
        if n == 0 || n > MAX_TZ_RULES {
            return Err(r.error(format!("cRules {n} is outside 1–{MAX_TZ_RULES}")));
        }
        if r.remaining() < n.saturating_mul(TzRule::LEN) {
            return Err(r.error(format!(
                "{n} rules need {} bytes, {} left",
                n * TzRule::LEN,
                r.remaining()
            )));
        }
        let rules = (0..n)
            .map(|_| TzRule::read(&mut r))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TimeZoneDefinition {
            version: (major, minor),
            reserved,
            key_name,
            rules,
        })
    }

    /// The blob.
    pub fn encode(&self) -> Vec<u8> {
        let cch = utf16_len(&self.key_name);
        let mut out = Vec::with_capacity(10 + 2 * cch + TzRule::LEN * self.rules.len());
        out.push(self.version.0);
        out.push(self.version.1);
        let cb = 6 + 2 * cch;
        out.extend_from_slice(&u16::try_from(cb).unwrap_or(u16::MAX).to_le_bytes());
        out.extend_from_slice(&self.reserved.to_le_bytes());
        out.extend_from_slice(&u16::try_from(cch).unwrap_or(u16::MAX).to_le_bytes());
        put_utf16(&mut out, &self.key_name);
        out.extend_from_slice(
            &u16::try_from(self.rules.len())
                .unwrap_or(u16::MAX)
                .to_le_bytes(),
        );
        for rule in &self.rules {
            rule.write(&mut out);
        }
        out
    }

    /// The rule flagged TZRULE_FLAG_EFFECTIVE_TZREG (else the last one).
    pub fn effective(&self) -> Option<&TzRule> {
        self.rules
            .iter()
            .find(|r| r.flags & TZRULE_FLAG_EFFECTIVE_TZREG != 0)
            .or_else(|| self.rules.last())
    }

    /// The same definition with the flags of another property: `recur`
    /// true gives both flags on the effective rule (…Recur), false only
    /// the effective flag (…StartDisplay, …EndDisplay).
    pub fn with_flags(&self, recur: bool) -> TimeZoneDefinition {
        let eff = self
            .rules
            .iter()
            .position(|r| r.flags & TZRULE_FLAG_EFFECTIVE_TZREG != 0)
            .unwrap_or(self.rules.len().saturating_sub(1));
        let mut d = self.clone();
        for (i, r) in d.rules.iter_mut().enumerate() {
            r.flags = if i != eff {
                0
            } else if recur {
                TZRULE_FLAG_EFFECTIVE_TZREG | TZRULE_FLAG_RECUR_CURRENT_TZREG
            } else {
                TZRULE_FLAG_EFFECTIVE_TZREG
            };
        }
        d
    }
}

/// A zone given by Windows rules by year: PidLidTimeZoneStruct (one rule
/// for all years) or a TZDEFINITION. It implements
/// [`oxpim_recur::ZoneRules`], so it converts local times like any other
/// zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowsZone {
    /// (first year, rules), ascending.
    rules: Vec<(i32, ZoneBiases)>,
}

impl WindowsZone {
    /// The zone of PidLidTimeZoneStruct.
    pub fn from_struct(s: &TimeZoneStruct) -> WindowsZone {
        WindowsZone {
            rules: vec![(i32::MIN, s.rules)],
        }
    }

    /// The zone of a TZDEFINITION.
    pub fn from_definition(d: &TimeZoneDefinition) -> WindowsZone {
        let mut rules: Vec<(i32, ZoneBiases)> = d
            .rules
            .iter()
            .map(|r| (i32::from(r.year), r.rules))
            .collect();
        rules.sort_by_key(|(y, _)| *y);
        if let Some(first) = rules.first_mut() {
            first.0 = i32::MIN;
        }
        WindowsZone { rules }
    }

    fn rule_for(&self, year: i32) -> ZoneBiases {
        self.rules
            .iter()
            .rev()
            .find(|(y, _)| *y <= year)
            .or(self.rules.first())
            .map(|(_, r)| *r)
            .unwrap_or_default()
    }

    /// Offset at `utc`, and the year whose rules apply.
    fn offset_in(&self, year: i32, utc: NaiveDateTime) -> i32 {
        let r = self.rule_for(year);
        match r.transitions(year) {
            None => r.standard_offset(),
            Some((dst, std)) => {
                let in_dst = if dst <= std {
                    utc >= dst && utc < std
                } else {
                    utc < std || utc >= dst
                };
                if in_dst {
                    r.daylight_offset()
                } else {
                    r.standard_offset()
                }
            }
        }
    }

    /// Every UTC instant where the offset may change in `year`.
    fn changes(&self, year: i32, out: &mut Vec<NaiveDateTime>) {
        let r = self.rule_for(year);
        if let Some((a, b)) = r.transitions(year) {
            out.push(a);
            out.push(b);
        }
        if let Some(t) = NaiveDate::from_ymd_opt(year, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)) {
            // The rules of a new year start at local midnight of 1 January.
            out.push(t - TimeDelta::seconds(i64::from(r.standard_offset())));
        }
    }
}

impl ZoneRules for WindowsZone {
    fn offset_at(&self, utc: NaiveDateTime) -> i32 {
        let std = self.rule_for(utc.year()).standard_offset();
        let local = utc + TimeDelta::seconds(i64::from(std));
        self.offset_in(local.year(), utc)
    }

    fn span(&self, utc: NaiveDateTime) -> Span {
        let offset = self.offset_at(utc);
        let y = utc.year();
        let mut marks = Vec::with_capacity(12);
        for year in y.saturating_sub(1)..=y.saturating_add(1) {
            self.changes(year, &mut marks);
        }
        marks.sort();
        marks.dedup();
        // The nearest marks where the offset really changes; between marks
        // it cannot change. Past the searched years the span is cut.
        let mut start = None;
        for m in marks.iter().rev().filter(|m| **m <= utc) {
            if self.offset_at(*m - TimeDelta::seconds(1)) != offset {
                start = Some(*m);
                break;
            }
        }
        let mut end = None;
        for m in marks.iter().filter(|m| **m > utc) {
            if self.offset_at(*m) != offset {
                end = Some(*m);
                break;
            }
        }
        let edge = |dy: i32| {
            NaiveDate::from_ymd_opt(y.saturating_add(dy), 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0))
        };
        Span {
            start: start.or_else(|| edge(-1)),
            end: end.or_else(|| edge(2)),
            offset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::from_hex;
    use super::*;
    use oxpim_recur::TimeZone;
    use std::sync::Arc;

    fn pacific() -> ZoneBiases {
        ZoneBiases {
            bias: 480,
            standard_bias: 0,
            daylight_bias: -60,
            standard_date: SystemTime {
                month: 11,
                day: 1,
                hour: 2,
                ..Default::default()
            },
            daylight_date: SystemTime {
                month: 3,
                day: 2,
                hour: 2,
                ..Default::default()
            },
        }
    }

    #[test]
    fn time_zone_struct_vector() {
        // MS-OXOCAL 4.1.5.
        let hex = "E001000000000000C4FFFFFF000000000B00000001000200000000000000000000000300000002000200000000000000";
        let s = TimeZoneStruct::decode(&from_hex(hex).unwrap()).unwrap();
        assert_eq!(s.rules, pacific());
        assert_eq!(super::super::to_hex(&s.encode()), hex);
        assert!(TimeZoneStruct::decode(&from_hex(&hex[..90]).unwrap()).is_err());
    }

    #[test]
    fn tzdefinition_vector() {
        // MS-OXOCAL 4.1.4: two rules, 2006 and 2007.
        let hex = concat!(
            "0201300002001500500061006300690066006900630020005300740061006E00",
            "64006100720064002000540069006D006500020002013E000000D60700000000",
            "00000000000000000000E001000000000000C4FFFFFF00000A00000005000200",
            "0000000000000000040000000100020000000000000002013E000200D7070000",
            "000000000000000000000000E001000000000000C4FFFFFF00000B0000000100",
            "020000000000000000000300000002000200000000000000"
        );
        let d = TimeZoneDefinition::decode(&from_hex(hex).unwrap()).unwrap();
        assert_eq!(d.key_name, "Pacific Standard Time");
        assert_eq!(d.rules.len(), 2);
        assert_eq!(d.rules[0].year, 2006);
        assert_eq!(d.rules[0].rules.standard_date.month, 10);
        assert_eq!(d.rules[0].rules.standard_date.day, 5);
        assert_eq!(d.rules[1].flags, TZRULE_FLAG_EFFECTIVE_TZREG);
        assert_eq!(d.rules[1].rules, pacific());
        assert_eq!(d.effective().map(|r| r.year), Some(2007));
        assert_eq!(super::super::to_hex(&d.encode()), hex);

        // Old and new US rules by year.
        let z = TimeZone::Rules(Arc::new(WindowsZone::from_definition(&d)));
        let t = |y, m, dd, h| {
            NaiveDate::from_ymd_opt(y, m, dd)
                .unwrap()
                .and_hms_opt(h, 0, 0)
                .unwrap()
        };
        // 2006: DST from the first Sunday of April; 2007: second Sunday of March.
        assert_eq!(z.offset_at(t(2006, 3, 20, 12)), -8 * 3600);
        assert_eq!(z.offset_at(t(2007, 3, 20, 12)), -7 * 3600);
        assert_eq!(z.to_utc(t(2007, 3, 11, 1)), t(2007, 3, 11, 9));
        assert_eq!(z.to_utc(t(2007, 3, 11, 3)), t(2007, 3, 11, 10));
        assert_eq!(z.to_utc(t(2007, 11, 4, 3)), t(2007, 11, 4, 11));
        let span = z.span(t(2007, 6, 1, 0));
        assert_eq!(span.start, Some(t(2007, 3, 11, 10)));
        assert_eq!(span.end, Some(t(2007, 11, 4, 9)));
    }

    #[test]
    fn southern_hemisphere_and_no_dst() {
        // Sydney: standard from the first Sunday of April 03:00, daylight from
        // the first Sunday of October 02:00; UTC+10.
        let syd = ZoneBiases {
            bias: -600,
            standard_bias: 0,
            daylight_bias: -60,
            standard_date: SystemTime {
                month: 4,
                day: 1,
                hour: 3,
                ..Default::default()
            },
            daylight_date: SystemTime {
                month: 10,
                day: 1,
                hour: 2,
                ..Default::default()
            },
        };
        let z = WindowsZone::from_struct(&TimeZoneStruct::new(syd));
        let t = |y, m, d| {
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
        };
        assert_eq!(z.offset_at(t(2024, 1, 15)), 11 * 3600);
        assert_eq!(z.offset_at(t(2024, 6, 15)), 10 * 3600);
        assert_eq!(z.offset_at(t(2024, 12, 31)), 11 * 3600);
        let tokyo = WindowsZone::from_struct(&TimeZoneStruct::new(ZoneBiases {
            bias: -540,
            ..Default::default()
        }));
        assert_eq!(tokyo.offset_at(t(2024, 6, 15)), 9 * 3600);
        assert!(tokyo.span(t(2024, 6, 15)).end.is_some());
    }

    #[test]
    fn bad_definitions() {
        assert!(TimeZoneDefinition::decode(&[]).is_err());
        assert!(TimeZoneDefinition::decode(&[3, 1, 6, 0, 2, 0, 0, 0, 0, 0]).is_err());
        // cRules 0.
        assert!(TimeZoneDefinition::decode(&[2, 1, 6, 0, 2, 0, 0, 0, 0, 0]).is_err());
        // cRules 5 with no rule bytes.
        assert!(TimeZoneDefinition::decode(&[2, 1, 6, 0, 2, 0, 0, 0, 5, 0]).is_err());
        // A key name longer than the limit.
        assert!(TimeZoneDefinition::decode(&[2, 1, 6, 0, 2, 0, 0xFF, 0xFF]).is_err());
    }

    #[test]
    fn last_weekday() {
        use chrono::Weekday;
        assert_eq!(
            nth_weekday(2024, 10, Weekday::Sun, 5),
            NaiveDate::from_ymd_opt(2024, 10, 27)
        );
        assert_eq!(
            nth_weekday(2024, 3, Weekday::Sun, 2),
            NaiveDate::from_ymd_opt(2024, 3, 10)
        );
    }
}
