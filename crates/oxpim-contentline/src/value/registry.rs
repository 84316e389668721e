//! Which value type each known property has, per dialect.
//!
//! The tables follow RFC 5545 §3.7–3.8 with RFC 7986, RFC 9073, RFC 9074,
//! RFC 7953 and RFC 9253 for iCalendar; the vCalendar 1.0 specification;
//! vCard 2.1, RFC 2426 (vCard 3.0, with RFC 4770 IMPP) and RFC 6350 (vCard
//! 4.0, with RFC 6474, RFC 6715 and RFC 9554) for vCard.

use super::ValueType;
use crate::Dialect;

/// How a property separates several values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// One value.
    Single,
    /// A comma-separated list (RFC 5545 / vCard 3.0 and 4.0).
    Comma,
    /// A semicolon-separated list (vCalendar 1.0).
    Semicolon,
}

/// How a single value is structured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Structure {
    /// Not structured.
    Plain,
    /// Components separated by `;`, each possibly a `,` list (N, ADR, ORG,
    /// GENDER, REQUEST-STATUS, CLIENTPIDMAP...).
    Components,
    /// Two floats separated by `;` (GEO in iCalendar and vCard 3.0; `,` is
    /// also accepted).
    Geo,
}

/// What is known about a property in a dialect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropSpec {
    /// The value type without a `VALUE=` parameter.
    pub default: ValueType,
    /// How several values are separated.
    pub list: List,
    /// How one value is structured.
    pub structure: Structure,
}

const fn spec(default: ValueType, list: List, structure: Structure) -> PropSpec {
    PropSpec {
        default,
        list,
        structure,
    }
}

const fn one(default: ValueType) -> PropSpec {
    spec(default, List::Single, Structure::Plain)
}

const fn comma(default: ValueType) -> PropSpec {
    spec(default, List::Comma, Structure::Plain)
}

const fn structured() -> PropSpec {
    spec(ValueType::Text, List::Single, Structure::Components)
}

/// The spec of `name` (uppercase) in `dialect`, or `None` for an unknown
/// property.
pub fn lookup(dialect: Dialect, name: &str) -> Option<PropSpec> {
    match dialect {
        Dialect::ICalendar | Dialect::Unknown => icalendar(name),
        Dialect::VCalendar10 => vcalendar(name),
        Dialect::VCard21 | Dialect::VCard30 | Dialect::VCard40 => vcard(dialect, name),
    }
}

fn icalendar(name: &str) -> Option<PropSpec> {
    use ValueType as T;
    Some(match name {
        "CALSCALE" | "METHOD" | "PRODID" | "VERSION" | "CLASS" | "COMMENT" | "DESCRIPTION"
        | "LOCATION" | "STATUS" | "SUMMARY" | "TRANSP" | "TZID" | "TZNAME" | "CONTACT"
        | "RELATED-TO" | "UID" | "ACTION" | "NAME" | "COLOR" | "PARTICIPANT-TYPE"
        | "RESOURCE-TYPE" | "PROXIMITY" | "BUSYTYPE" | "REFID" | "STYLED-DESCRIPTION"
        | "STRUCTURED-DATA" | "X-ALT-DESC" | "X-WR-CALNAME" | "X-WR-CALDESC" | "X-WR-TIMEZONE"
        | "X-WR-RELCALID" | "X-LIC-LOCATION" => one(T::Text),
        "CATEGORIES" | "RESOURCES" | "LOCATION-TYPE" => comma(T::Text),
        "GEO" => spec(T::Float, List::Single, Structure::Geo),
        "REQUEST-STATUS" => structured(),
        "PERCENT-COMPLETE" | "PRIORITY" | "REPEAT" | "SEQUENCE" => one(T::Integer),
        "COMPLETED" | "DTEND" | "DUE" | "DTSTART" | "RECURRENCE-ID" | "CREATED" | "DTSTAMP"
        | "LAST-MODIFIED" | "ACKNOWLEDGED" => one(T::DateTime),
        "EXDATE" | "RDATE" => comma(T::DateTime),
        "DURATION" | "TRIGGER" | "REFRESH-INTERVAL" => one(T::Duration),
        "FREEBUSY" => comma(T::Period),
        "TZOFFSETFROM" | "TZOFFSETTO" => one(T::UtcOffset),
        "TZURL" | "URL" | "ATTACH" | "SOURCE" | "IMAGE" | "CONFERENCE" | "LINK" | "CONCEPT"
        | "TZID-ALIAS-OF" => one(T::Uri),
        "ATTENDEE" | "ORGANIZER" | "CALENDAR-ADDRESS" => one(T::CalAddress),
        "RRULE" | "EXRULE" => one(T::Recur),
        "TZUNTIL" => one(T::DateTime),
        _ => return None,
    })
}

fn vcalendar(name: &str) -> Option<PropSpec> {
    use ValueType as T;
    Some(match name {
        "PRODID" | "VERSION" | "CLASS" | "DESCRIPTION" | "LOCATION" | "STATUS" | "SUMMARY"
        | "UID" | "URL" | "ATTENDEE" | "ORGANIZER" | "RELATED-TO" | "X-ALT-DESC" => one(T::Text),
        // vCalendar 1.0 recurrence grammar (`W2 MO WE #0`), converted by oxpim-recur.
        "RRULE" | "EXRULE" => one(T::Unknown),
        "CATEGORIES" | "RESOURCES" => spec(T::Text, List::Semicolon, Structure::Plain),
        "AALARM" | "DALARM" | "PALARM" | "MALARM" | "DAYLIGHT" => structured(),
        "GEO" => spec(T::Float, List::Single, Structure::Geo),
        "PRIORITY" | "SEQUENCE" | "TRANSP" | "RNUM" => one(T::Integer),
        "DTSTART" | "DTEND" | "DUE" | "COMPLETED" | "DCREATED" | "LAST-MODIFIED" | "CREATED"
        | "DTSTAMP" | "RECURRENCE-ID" => one(T::DateTime),
        "EXDATE" | "RDATE" => spec(T::DateTime, List::Semicolon, Structure::Plain),
        "TZ" => one(T::UtcOffset),
        "ATTACH" => one(T::Uri),
        _ => return None,
    })
}

fn vcard(d: Dialect, name: &str) -> Option<PropSpec> {
    use ValueType as T;
    let v4 = d == Dialect::VCard40;
    let v21 = d == Dialect::VCard21;
    Some(match name {
        "VERSION" | "FN" | "TITLE" | "ROLE" | "NOTE" | "PRODID" | "MAILER" | "SORT-STRING"
        | "CLASS" | "NAME" | "PROFILE" | "KIND" | "XML" | "LABEL" | "EMAIL" | "BIRTHPLACE"
        | "DEATHPLACE" | "EXPERTISE" | "HOBBY" | "INTEREST" | "PRONOUNS" | "GRAMGENDER" => {
            one(T::Text)
        }
        "N" | "ADR" | "ORG" | "GENDER" | "CLIENTPIDMAP" => structured(),
        // vCard 2.1 has neither, but cards that carry them (and oxpim's
        // own 2.1 output) separate several with commas, as 3.0 does.
        "NICKNAME" | "CATEGORIES" => comma(T::Text),
        "TEL" => one(if matches!(d, Dialect::VCard30) {
            T::PhoneNumber
        } else {
            T::Text
        }),
        "BDAY" | "ANNIVERSARY" | "DEATHDATE" => one(if v4 { T::DateAndOrTime } else { T::Date }),
        "REV" => one(if v4 { T::Timestamp } else { T::DateTime }),
        "CREATED" => one(T::Timestamp),
        "TZ" => one(if v4 { T::Text } else { T::UtcOffset }),
        "GEO" => {
            if v4 {
                one(T::Uri)
            } else {
                spec(T::Float, List::Single, Structure::Geo)
            }
        }
        "LANG" | "LANGUAGE" => one(T::LanguageTag),
        "PHOTO" | "LOGO" | "SOUND" | "KEY" => one(if v4 { T::Uri } else { T::Binary }),
        "UID" => one(if v4 { T::Uri } else { T::Text }),
        "URL" | "SOURCE" | "IMPP" | "MEMBER" | "RELATED" | "FBURL" | "CALADRURI" | "CALURI"
        | "ORG-DIRECTORY" | "SOCIALPROFILE" => one(T::Uri),
        "AGENT" => one(if v21 { T::Text } else { T::VCard }),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_per_dialect() {
        assert_eq!(
            lookup(Dialect::ICalendar, "DTSTART").unwrap().default,
            ValueType::DateTime
        );
        assert_eq!(
            lookup(Dialect::ICalendar, "CATEGORIES").unwrap().list,
            List::Comma
        );
        assert_eq!(
            lookup(Dialect::VCalendar10, "CATEGORIES").unwrap().list,
            List::Semicolon
        );
        assert_eq!(
            lookup(Dialect::VCard40, "BDAY").unwrap().default,
            ValueType::DateAndOrTime
        );
        assert_eq!(
            lookup(Dialect::VCard30, "BDAY").unwrap().default,
            ValueType::Date
        );
        assert_eq!(
            lookup(Dialect::VCard30, "TEL").unwrap().default,
            ValueType::PhoneNumber
        );
        assert_eq!(
            lookup(Dialect::VCard21, "NICKNAME").unwrap().list,
            List::Comma
        );
        assert!(lookup(Dialect::ICalendar, "X-FOO").is_none());
    }
}
