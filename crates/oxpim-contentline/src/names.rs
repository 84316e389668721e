//! Interned names: the component, property and parameter names oxpim
//! knows are stored without a heap allocation.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

/// Known names, sorted (a unit test checks the order).
static KNOWN: &[&str] = &[
    "AALARM",
    "ACKNOWLEDGED",
    "ACTION",
    "ADR",
    "AGENT",
    "ALTID",
    "ALTREP",
    "ANNIVERSARY",
    "ATTACH",
    "ATTENDEE",
    "AUTHOR",
    "AUTHOR-NAME",
    "AVAILABLE",
    "BDAY",
    "BEGIN",
    "BIRTHPLACE",
    "BUSYTYPE",
    "CALADRURI",
    "CALENDAR-ADDRESS",
    "CALSCALE",
    "CALURI",
    "CATEGORIES",
    "CC",
    "CHARSET",
    "CLASS",
    "CLIENTPIDMAP",
    "CN",
    "COLOR",
    "COMMENT",
    "COMPLETED",
    "CONCEPT",
    "CONFERENCE",
    "CONTACT",
    "CREATED",
    "CUTYPE",
    "DALARM",
    "DAYLIGHT",
    "DCREATED",
    "DEATHDATE",
    "DEATHPLACE",
    "DELEGATED-FROM",
    "DELEGATED-TO",
    "DERIVED",
    "DESCRIPTION",
    "DIR",
    "DISPLAY",
    "DTEND",
    "DTSTAMP",
    "DTSTART",
    "DUE",
    "DURATION",
    "EMAIL",
    "ENCODING",
    "END",
    "EXDATE",
    "EXPERTISE",
    "EXRULE",
    "FBTYPE",
    "FBURL",
    "FEATURE",
    "FILENAME",
    "FMTTYPE",
    "FN",
    "FREEBUSY",
    "GAP",
    "GENDER",
    "GEO",
    "GRAMGENDER",
    "GROUP",
    "HOBBY",
    "IMAGE",
    "IMPP",
    "INDEX",
    "INTEREST",
    "JSPTR",
    "KEY",
    "KIND",
    "LABEL",
    "LANG",
    "LANGUAGE",
    "LAST-MODIFIED",
    "LEVEL",
    "LINK",
    "LINKREL",
    "LOCATION",
    "LOCATION-TYPE",
    "LOGO",
    "MAILER",
    "MALARM",
    "MANAGED-ID",
    "MEDIATYPE",
    "MEMBER",
    "METHOD",
    "NAME",
    "NICKNAME",
    "NOTE",
    "ORDER",
    "ORG",
    "ORG-DIRECTORY",
    "ORGANIZER",
    "PALARM",
    "PARTICIPANT",
    "PARTICIPANT-TYPE",
    "PARTSTAT",
    "PERCENT-COMPLETE",
    "PHONETIC",
    "PHOTO",
    "PID",
    "PREF",
    "PRIORITY",
    "PRODID",
    "PROFILE",
    "PRONOUNS",
    "PROP-ID",
    "PROXIMITY",
    "RANGE",
    "RDATE",
    "RECURRENCE-ID",
    "REFID",
    "REFRESH-INTERVAL",
    "RELATED",
    "RELATED-TO",
    "RELTYPE",
    "REPEAT",
    "REQUEST-STATUS",
    "RESOURCE-TYPE",
    "RESOURCES",
    "REV",
    "RNUM",
    "ROLE",
    "RRULE",
    "RSVP",
    "SCHEDULE-AGENT",
    "SCHEDULE-FORCE-SEND",
    "SCHEDULE-STATUS",
    "SCHEMA",
    "SCRIPT",
    "SENT-BY",
    "SEQUENCE",
    "SERVICE-TYPE",
    "SIZE",
    "SOCIALPROFILE",
    "SORT-AS",
    "SORT-STRING",
    "SOUND",
    "SOURCE",
    "STANDARD",
    "STATUS",
    "STRUCTURED-DATA",
    "STYLED-DESCRIPTION",
    "SUMMARY",
    "TEL",
    "TITLE",
    "TRANSP",
    "TRIGGER",
    "TYPE",
    "TZ",
    "TZID",
    "TZID-ALIAS-OF",
    "TZNAME",
    "TZOFFSETFROM",
    "TZOFFSETTO",
    "TZUNTIL",
    "TZURL",
    "UID",
    "URL",
    "USERNAME",
    "VALARM",
    "VALUE",
    "VAVAILABILITY",
    "VCALENDAR",
    "VCARD",
    "VERSION",
    "VEVENT",
    "VFREEBUSY",
    "VJOURNAL",
    "VLOCATION",
    "VRESOURCE",
    "VTIMEZONE",
    "VTODO",
    "X-ABDATE",
    "X-ABLABEL",
    "X-ABUID",
    "X-AIM",
    "X-ALT-DESC",
    "X-ANNIVERSARY",
    "X-APPLE-STRUCTURED-LOCATION",
    "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR",
    "X-ASSISTANT",
    "X-EVOLUTION-ALARM-UID",
    "X-EVOLUTION-FILE-AS",
    "X-FILENAME",
    "X-FOO",
    "X-GENDER",
    "X-GOOGLE-CONFERENCE",
    "X-GOOGLE-TALK",
    "X-ICQ",
    "X-JABBER",
    "X-LIC-ERROR",
    "X-LIC-ERRORTYPE",
    "X-LIC-LOCATION",
    "X-MANAGER",
    "X-MICROSOFT-CALSCALE",
    "X-MICROSOFT-CDO-ALLDAYEVENT",
    "X-MICROSOFT-CDO-APPT-SEQUENCE",
    "X-MICROSOFT-CDO-ATTENDEE-CRITICAL-CHANGE",
    "X-MICROSOFT-CDO-BUSYSTATUS",
    "X-MICROSOFT-CDO-IMPORTANCE",
    "X-MICROSOFT-CDO-INSTTYPE",
    "X-MICROSOFT-CDO-INTENDEDSTATUS",
    "X-MICROSOFT-CDO-OWNER-CRITICAL-CHANGE",
    "X-MICROSOFT-CDO-OWNERAPPTID",
    "X-MICROSOFT-CDO-TZID",
    "X-MICROSOFT-DISALLOW-COUNTER",
    "X-MICROSOFT-DONOTFORWARDMEETING",
    "X-MICROSOFT-ISRESPONSEREQUESTED",
    "X-MICROSOFT-LOCATIONS",
    "X-MICROSOFT-ONLINEMEETINGCONFLINK",
    "X-MICROSOFT-ONLINEMEETINGINFORMATION",
    "X-MICROSOFT-REQUESTEDATTENDANCEMODE",
    "X-MICROSOFT-SKYPETEAMSMEETINGURL",
    "X-MICROSOFT-SKYPETEAMSPROPERTIES",
    "X-MOZ-GENERATION",
    "X-MOZ-LASTACK",
    "X-MOZ-SNOOZE-TIME",
    "X-MS-ANNIVERSARY",
    "X-MS-ASSISTANT",
    "X-MS-CARDPICTURE",
    "X-MS-CHILD",
    "X-MS-IMADDRESS",
    "X-MS-MANAGER",
    "X-MS-OL-DEFAULT-POSTAL-ADDRESS",
    "X-MS-OL-DESIGN",
    "X-MS-OLK-ALLOWEXTERNCHECK",
    "X-MS-OLK-APPTLASTSEQUENCE",
    "X-MS-OLK-APPTSEQTIME",
    "X-MS-OLK-AUTOFILLLOCATION",
    "X-MS-OLK-AUTOSTARTCHECK",
    "X-MS-OLK-COLLABORATEDOC",
    "X-MS-OLK-CONFCHECK",
    "X-MS-OLK-CONFTYPE",
    "X-MS-OLK-FORCEINSPECTOROPEN",
    "X-MS-OLK-MWSURL",
    "X-MS-OLK-ORIGINALEND",
    "X-MS-OLK-ORIGINALSTART",
    "X-MS-OLK-RESPTIME",
    "X-MS-OLK-SENDER",
    "X-MS-OLK-SHOWMISC",
    "X-MS-SPOUSE",
    "X-MS-TEL",
    "X-MSN",
    "X-NUM-GUESTS",
    "X-PHONETIC-FIRST-NAME",
    "X-PHONETIC-LAST-NAME",
    "X-REPLYTIME",
    "X-RESPONSE-COMMENT",
    "X-SKYPE",
    "X-SPOUSE",
    "X-WR-CALDESC",
    "X-WR-CALNAME",
    "X-WR-RELCALID",
    "X-WR-TIMEZONE",
    "X-YAHOO",
    "XML",
];

const SLOTS: usize = 1024;

/// The 1 to 7 bytes of `rest` as one word, read as two (possibly
/// overlapping) loads of 4, 2 or 1 bytes. Copying them into a zeroed
/// `[u8; 8]` instead made a library `memcpy` call whose narrow stores the
/// following 8-byte load had to wait for (a store-forwarding stall that
/// took a third of the name lookup's time). Where the loads overlap they
/// hold the same bytes, so the word is exactly the zero-padded
/// little-endian value of `rest`: equal words mean equal tails.
fn tail_word(rest: &[u8]) -> u64 {
    fn load<const N: usize>(b: &[u8], at: usize) -> u64 {
        let mut a = [0u8; 8];
        if let (Some(src), Some(dst)) = (b.get(at..at + N), a.get_mut(..N)) {
            for (d, s) in dst.iter_mut().zip(src) {
                *d = *s;
            }
        }
        u64::from_le_bytes(a)
    }
    let n = rest.len();
    if n >= 4 {
        load::<4>(rest, 0) | (load::<4>(rest, n - 4) << (8 * (n - 4)))
    } else if n >= 2 {
        load::<2>(rest, 0) | (load::<2>(rest, n - 2) << (8 * (n - 2)))
    } else {
        load::<1>(rest, 0)
    }
}

/// `a == b` for two slices of one length (at most 48 bytes here), compared
/// a word at a time in line: `==` on slices calls the C library's `memcmp`,
/// whose call cost more than the comparison of a short name.
fn same_short(a: &[u8], b: &[u8]) -> bool {
    let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
    for (p, q) in (&mut x).zip(&mut y) {
        if p.try_into().map(u64::from_ne_bytes).ok() != q.try_into().map(u64::from_ne_bytes).ok() {
            return false;
        }
    }
    let (p, q) = (x.remainder(), y.remainder());
    p.len() == q.len() && (p.is_empty() || tail_word(p) == tail_word(q))
}

/// A hash that ignores ASCII case (bit 5 is cleared in every byte; the
/// final comparison is exact), eight bytes at a time.
fn hash_upper(b: &[u8]) -> usize {
    const CASE: u64 = 0xDFDF_DFDF_DFDF_DFDF;
    let mut h = b.len() as u64;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let a: [u8; 8] = c.try_into().unwrap_or([0; 8]);
        h = (h ^ (u64::from_le_bytes(a) & CASE))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(29);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        h = (h ^ (tail_word(rest) & CASE)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    // The high bits of a product are the well mixed ones.
    (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize
}

/// Open-addressing table over [`KNOWN`] (indices + 1; 0 = empty), built
/// once.
fn table() -> &'static [u16; SLOTS] {
    static TABLE: std::sync::OnceLock<[u16; SLOTS]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| build(KNOWN))
}

/// Common parameter values, stored without allocation when they match
/// exactly (case included). Sorted.
static VALUES: &[&str] = &[
    "1",
    "2",
    "3",
    "ACCEPTED",
    "BASE64",
    "BINARY",
    "BUSY",
    "CELL",
    "CHAIR",
    "COMPLETED",
    "DATE",
    "DATE-TIME",
    "DECLINED",
    "DELEGATED",
    "DURATION",
    "END",
    "FALSE",
    "FAX",
    "FREE",
    "GROUP",
    "HOME",
    "IN-PROCESS",
    "INDIVIDUAL",
    "INTERNET",
    "JPEG",
    "NEEDS-ACTION",
    "NON-PARTICIPANT",
    "OPT-PARTICIPANT",
    "OTHER",
    "PERIOD",
    "PNG",
    "PREF",
    "QUOTED-PRINTABLE",
    "REQ-PARTICIPANT",
    "RESOURCE",
    "ROOM",
    "START",
    "TENTATIVE",
    "TEXT",
    "THISANDFUTURE",
    "TRUE",
    "UNKNOWN",
    "URI",
    "UTF-8",
    "VOICE",
    "WORK",
    "b",
    "cell",
    "de",
    "de-DE",
    "en",
    "en-US",
    "fax",
    "home",
    "image/jpeg",
    "image/png",
    "text/html",
    "text/plain",
    "uri",
    "voice",
    "work",
];

fn build(keys: &'static [&'static str]) -> [u16; SLOTS] {
    let mut t = [0u16; SLOTS];
    for (i, k) in keys.iter().enumerate() {
        let mut slot = hash_upper(k.as_bytes()) & (SLOTS - 1);
        while t.get(slot).is_some_and(|v| *v != 0) {
            slot = (slot + 1) & (SLOTS - 1);
        }
        if let Some(v) = t.get_mut(slot) {
            *v = u16::try_from(i + 1).unwrap_or(0);
        }
    }
    t
}

fn find(
    keys: &'static [&'static str],
    t: &[u16; SLOTS],
    b: &[u8],
    ignore_case: bool,
) -> Option<&'static str> {
    if b.len() > 48 {
        return None;
    }
    let mut slot = hash_upper(b) & (SLOTS - 1);
    loop {
        let idx = usize::from(*t.get(slot)?);
        if idx == 0 {
            return None;
        }
        let k = keys.get(idx - 1)?;
        // Names are nearly always written in uppercase: compare exactly
        // first, ignoring case only when that fails.
        if k.len() == b.len()
            && (same_short(k.as_bytes(), b)
                || (ignore_case && k.as_bytes().eq_ignore_ascii_case(b)))
        {
            return Some(k);
        }
        slot = (slot + 1) & (SLOTS - 1);
    }
}

/// A static copy of a common parameter value, when `s` is one.
pub(crate) fn intern_value(s: &str) -> Option<&'static str> {
    // No common value is longer than this ("QUOTED-PRINTABLE").
    if s.len() > 16 || s.is_empty() {
        return None;
    }
    static TABLE: std::sync::OnceLock<[u16; SLOTS]> = std::sync::OnceLock::new();
    find(
        VALUES,
        TABLE.get_or_init(|| build(VALUES)),
        s.as_bytes(),
        false,
    )
}

/// The known name equal to `b` ignoring ASCII case.
fn lookup(b: &[u8]) -> Option<&'static str> {
    find(KNOWN, table(), b, true)
}

/// An uppercase name. Known names point to static strings; others own
/// their bytes.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(Cow<'static, str>);

impl Name {
    /// The name for `s`, uppercased (ASCII) and interned when known.
    pub fn new(s: &str) -> Name {
        Name::from_bytes(s.as_bytes())
    }

    /// The name for raw bytes (non-UTF-8 bytes are replaced), uppercased
    /// and interned when known.
    pub fn from_bytes(b: &[u8]) -> Name {
        if let Some(k) = lookup(b) {
            return Name(Cow::Borrowed(k));
        }
        Name(Cow::Owned(String::from_utf8_lossy(b).to_ascii_uppercase()))
    }

    /// The name as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when the name is one of the interned, known names.
    pub fn is_known(&self) -> bool {
        matches!(self.0, Cow::Borrowed(_))
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_word_is_the_zero_padded_word_and_same_short_is_equality() {
        let text = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for start in 0..8 {
            for n in 1..8 {
                let rest = &text[start..start + n];
                let mut padded = [0u8; 8];
                padded[..n].copy_from_slice(rest);
                assert_eq!(tail_word(rest), u64::from_le_bytes(padded), "{n} bytes");
            }
        }
        for n in 0..=48 {
            let a = &text[..n];
            assert!(same_short(a, a));
            for i in 0..n {
                let mut b = a.to_vec();
                b[i] ^= 1;
                assert!(!same_short(a, &b), "{n} bytes, byte {i} differs");
            }
        }
        assert!(!same_short(b"DTSTART", b"DTSTAR"));
    }

    #[test]
    fn table_is_sorted_and_unique() {
        assert!(KNOWN.windows(2).all(|w| w[0] < w[1]));
        assert!(KNOWN.len() < SLOTS / 2);
        for k in KNOWN {
            assert_eq!(lookup(k.as_bytes()), Some(*k));
            assert_eq!(lookup(k.to_ascii_lowercase().as_bytes()), Some(*k));
        }
        assert!(VALUES.windows(2).all(|w| w[0] < w[1]));
        for v in VALUES {
            assert_eq!(intern_value(v), Some(*v));
        }
        assert_eq!(intern_value("accepted"), None);
        assert_eq!(intern_value("ACCEPTED!"), None);
    }

    #[test]
    fn interning() {
        let n = Name::new("dtStart");
        assert_eq!(n.as_str(), "DTSTART");
        assert!(n.is_known());
        let x = Name::from_bytes(b"x-my-thing");
        assert_eq!(&*x, "X-MY-THING");
        assert!(!x.is_known());
        assert_eq!(Name::from_bytes(&[b'a'; 100]).len(), 100);
        assert_eq!(Name::from_bytes(b"X\xffY").as_str(), "X\u{FFFD}Y");
    }
}
