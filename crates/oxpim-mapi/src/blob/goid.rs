//! PidLidGlobalObjectId and PidLidCleanGlobalObjectId (MS-OXOCAL 2.2.1.27,
//! 2.2.1.28), and their relation to the iCalendar UID (MS-OXCICAL
//! 2.1.3.1.1.20.26).

use chrono::{Datelike, NaiveDate};

use super::{BlobError, Reader, from_hex, to_hex};

/// The fixed first 16 bytes of every global object ID.
pub const BYTE_ARRAY_ID: [u8; 16] = [
    0x04, 0x00, 0x00, 0x00, 0x82, 0x00, 0xE0, 0x00, 0x74, 0xC5, 0xB7, 0x10, 0x1A, 0x82, 0xE0, 0x08,
];

/// The marker that starts the data of an ID made from a third-party UID:
/// `vCal-Uid` and the little-endian 32-bit number 1.
pub const VCAL_UID_MARKER: [u8; 12] = *b"vCal-Uid\x01\x00\x00\x00";

/// Most bytes of data accepted in an ID read from a blob or a UID.
pub const MAX_DATA: usize = 64 * 1024;

/// A global object ID: what Outlook uses to tie a meeting's copies, its
/// exceptions and its updates together.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GlobalObjectId {
    /// Year of the instance (exceptions), else 0; stored big-endian.
    pub year: u16,
    /// Month of the instance, else 0.
    pub month: u8,
    /// Day of the instance, else 0.
    pub day: u8,
    /// FILETIME when the ID was made (0 for IDs made from third-party UIDs).
    pub creation_time: u64,
    /// 8 reserved bytes (zero in conforming IDs; kept as read).
    pub reserved: [u8; 8],
    /// The data that makes the ID unique.
    pub data: Vec<u8>,
}

impl GlobalObjectId {
    /// Reads an ID from its blob.
    pub fn decode(bytes: &[u8]) -> Result<GlobalObjectId, BlobError> {
        let mut r = Reader::new(bytes, "GlobalObjectId");
        let head: [u8; 16] = r.fixed("Byte Array ID")?;
        if head != BYTE_ARRAY_ID {
            return Err(BlobError {
                structure: "GlobalObjectId",
                offset: 0,
                what: format!(
                    "Byte Array ID is {}, not {}",
                    to_hex(&head),
                    to_hex(&BYTE_ARRAY_ID)
                ),
            });
        }
        let yh = r.u8("YH")?;
        let yl = r.u8("YL")?;
        let month = r.u8("M")?;
        let day = r.u8("D")?;
        let creation_time = r.u64("Creation Time")?;
        let reserved = r.fixed("X")?;
        let size = r.u32("Size")? as usize;
        if size > MAX_DATA {
            return Err(r.error(format!("Size {size} is above the limit of {MAX_DATA}")));
        }
        let data = r.take(size, "Data")?.to_vec();
        Ok(GlobalObjectId {
            year: u16::from_be_bytes([yh, yl]),
            month,
            day,
            creation_time,
            reserved,
            data,
        })
    }

    /// The blob.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(40 + self.data.len());
        out.extend_from_slice(&BYTE_ARRAY_ID);
        out.extend_from_slice(&self.year.to_be_bytes());
        out.push(self.month);
        out.push(self.day);
        out.extend_from_slice(&self.creation_time.to_le_bytes());
        out.extend_from_slice(&self.reserved);
        out.extend_from_slice(
            &u32::try_from(self.data.len())
                .unwrap_or(u32::MAX)
                .to_le_bytes(),
        );
        out.extend_from_slice(&self.data);
        out
    }

    /// The same ID without an instance date: PidLidCleanGlobalObjectId.
    pub fn clean(&self) -> GlobalObjectId {
        GlobalObjectId {
            year: 0,
            month: 0,
            day: 0,
            ..self.clone()
        }
    }

    /// The same ID for the instance of a series on `date`.
    pub fn for_instance(&self, date: NaiveDate) -> GlobalObjectId {
        GlobalObjectId {
            year: u16::try_from(date.year()).unwrap_or(0),
            month: u8::try_from(date.month()).unwrap_or(0),
            day: u8::try_from(date.day()).unwrap_or(0),
            ..self.clone()
        }
    }

    /// The instance date, when the ID carries a valid one (1601–4500).
    pub fn instance_date(&self) -> Option<NaiveDate> {
        let d = NaiveDate::from_ymd_opt(
            i32::from(self.year),
            u32::from(self.month),
            u32::from(self.day),
        )?;
        (1601..=4500).contains(&d.year()).then_some(d)
    }

    /// The ID MS-OXCICAL makes from a UID: an *EncodedGlobalId* (the hex
    /// form of an Outlook ID) is decoded, any other UID is wrapped after the
    /// `vCal-Uid` marker. The instance date is left as the UID gives it (see
    /// [`GlobalObjectId::for_instance`]).
    pub fn from_uid(uid: &str) -> GlobalObjectId {
        if let Some(id) = Self::decode_encoded_uid(uid) {
            return id;
        }
        let mut data = Vec::with_capacity(VCAL_UID_MARKER.len() + uid.len());
        data.extend_from_slice(&VCAL_UID_MARKER);
        data.extend_from_slice(uid.as_bytes());
        GlobalObjectId {
            year: 0,
            month: 0,
            day: 0,
            creation_time: 0,
            reserved: [0; 8],
            data,
        }
    }

    /// True when a UID is an *EncodedGlobalId*: only hex digits, at least 82
    /// of them, an even number, starting with the Byte Array ID.
    pub fn is_encoded_uid(uid: &str) -> bool {
        uid.len() >= 82
            && uid.len().is_multiple_of(2)
            && uid.bytes().all(|b| b.is_ascii_hexdigit())
            && uid
                .get(..32)
                .is_some_and(|p| p.eq_ignore_ascii_case(&to_hex(&BYTE_ARRAY_ID)))
    }

    fn decode_encoded_uid(uid: &str) -> Option<GlobalObjectId> {
        if !Self::is_encoded_uid(uid) {
            return None;
        }
        let bytes = from_hex(uid)?;
        // The hex is the blob; its Size must agree with the data that follows
        // (MS-OXCICAL's grammar). A UID that merely looks like one is wrapped.
        let id = GlobalObjectId::decode(&bytes).ok()?;
        (40 + id.data.len() == bytes.len()).then_some(id)
    }

    /// The UID MS-OXCICAL exports for this ID: the wrapped third-party UID
    /// when the data starts with the `vCal-Uid` marker (one trailing NUL,
    /// which some writers add, is dropped), else the hex of the clean ID.
    pub fn to_uid(&self) -> String {
        if let Some(rest) = self.data.strip_prefix(&VCAL_UID_MARKER[..]) {
            let rest = rest.strip_suffix(&[0]).unwrap_or(rest);
            if let Ok(s) = std::str::from_utf8(rest)
                && !s.is_empty()
            {
                return s.to_owned();
            }
        }
        to_hex(&self.clean().encode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn third_party_uid_vectors() {
        // mapi-calendar.md §10.3, derived from MS-OXCICAL 2.1.3.1.1.20.26.
        let id = GlobalObjectId::from_uid("abc123@example.com");
        assert_eq!(
            to_hex(&id.clean().encode()),
            "040000008200E00074C5B7101A82E00800000000000000000000000000000000000000001E0000007643616C2D55696401000000616263313233406578616D706C652E636F6D"
        );
        let inst = id.for_instance(NaiveDate::from_ymd_opt(2008, 5, 28).unwrap());
        assert_eq!(
            to_hex(&inst.encode()),
            "040000008200E00074C5B7101A82E00807D8051C000000000000000000000000000000001E0000007643616C2D55696401000000616263313233406578616D706C652E636F6D"
        );
        assert_eq!(inst.to_uid(), "abc123@example.com");
    }

    #[test]
    fn exception_goid_vector() {
        // MS-OXOCAL 4.x: an instance moved from 2008-03-25.
        let hex = "040000008200E00074C5B7101A82E00807D803195025D461E473C8010000000000000000100000002A5844B3A444F74A9C246C60886F116B";
        let id = GlobalObjectId::decode(&from_hex(hex).unwrap()).unwrap();
        assert_eq!((id.year, id.month, id.day), (2008, 3, 25));
        assert_eq!(id.creation_time, 0x01C8_73E4_61D4_2550);
        assert_eq!(id.data.len(), 16);
        assert_eq!(to_hex(&id.encode()), hex);
        assert_eq!(id.to_uid(), hex.replace("07D80319", "00000000"));
        assert_eq!(id.instance_date(), NaiveDate::from_ymd_opt(2008, 3, 25));
        // The exported UID reads back as the clean ID.
        assert_eq!(GlobalObjectId::from_uid(&id.to_uid()), id.clean());
    }

    #[test]
    fn uid_classification() {
        let good = "040000008200E00074C5B7101A82E0080000000010C4F838346AC8010000000000000000100000002009EB53F098B249AD66CBE6BB3B8B99";
        assert!(GlobalObjectId::is_encoded_uid(good));
        assert!(GlobalObjectId::is_encoded_uid(&good.to_lowercase()));
        let id = GlobalObjectId::from_uid(good);
        assert_eq!(id.creation_time, 0x01C8_6A34_38F8_C410);
        assert_eq!(to_hex(&id.data), "2009EB53F098B249AD66CBE6BB3B8B99");
        // 81 and 80 hex digits, odd length, non-hex, other prefix.
        let base = "040000008200E00074C5B7101A82E008";
        let short = format!("{base}{}", "0".repeat(48));
        assert_eq!(short.len(), 80);
        assert!(!GlobalObjectId::is_encoded_uid(&short));
        assert!(!GlobalObjectId::is_encoded_uid(&format!("{short}0")));
        assert!(!GlobalObjectId::is_encoded_uid(&format!("{short}0G")));
        assert!(!GlobalObjectId::is_encoded_uid(&format!(
            "14{}",
            &good[2..]
        )));
        // 82 digits with a Size that does not match: wrapped, not decoded.
        let lying = format!("{base}{}01", "0".repeat(48));
        assert!(GlobalObjectId::is_encoded_uid(&lying));
        let w = GlobalObjectId::from_uid(&lying);
        assert!(w.data.starts_with(&VCAL_UID_MARKER));
        assert_eq!(w.to_uid(), lying);
    }

    #[test]
    fn trailing_nul_and_bad_blobs() {
        let mut id = GlobalObjectId::from_uid("x@y");
        id.data.push(0);
        assert_eq!(id.to_uid(), "x@y");
        assert!(GlobalObjectId::decode(&[0u8; 10]).is_err());
        let mut b = GlobalObjectId::from_uid("x@y").encode();
        b.truncate(b.len() - 1);
        assert!(GlobalObjectId::decode(&b).is_err());
        let mut huge = GlobalObjectId::from_uid("x").encode();
        huge[36..40].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(GlobalObjectId::decode(&huge).is_err());
    }
}
