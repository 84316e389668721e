//! PtypString8 text: Windows code pages to `encoding_rs` encodings.

use encoding_rs::Encoding;

/// The encoding of a Windows code page, for the code pages MAPI stores
/// carry in practice.
pub fn encoding(codepage: u32) -> Option<&'static Encoding> {
    let label: &[u8] = match codepage {
        65001 => b"utf-8",
        1200 => b"utf-16le",
        1201 => b"utf-16be",
        874 => b"windows-874",
        932 => b"shift_jis",
        936 => b"gbk",
        949 => b"euc-kr",
        950 => b"big5",
        1250..=1258 => {
            return Encoding::for_label(format!("windows-{codepage}").as_bytes());
        }
        10000 => b"macintosh",
        20127 => b"us-ascii",
        20866 => b"koi8-r",
        21866 => b"koi8-u",
        28591 => b"iso-8859-1",
        28592..=28606 => {
            return Encoding::for_label(format!("iso-8859-{}", codepage - 28590).as_bytes());
        }
        50220..=50222 => b"iso-2022-jp",
        51932 => b"euc-jp",
        51936 => b"gb2312",
        51949 => b"euc-kr",
        54936 => b"gb18030",
        _ => return None,
    };
    Encoding::for_label(label)
}

/// The Windows ANSI code page of a locale ID (LCID), as Windows assigns
/// it; 1252 for the languages that use it and for unknown ones.
pub fn for_locale(lcid: u32) -> u32 {
    let primary = lcid & 0x3FF;
    match primary {
        0x11 => 932,
        0x04 => match lcid & 0xFFFF {
            0x0404 | 0x0C04 | 0x1404 => 950,
            _ => 936,
        },
        0x12 => 949,
        0x19 | 0x22 | 0x23 | 0x02 | 0x2F | 0x3F | 0x40 | 0x44 | 0x50 => 1251,
        0x1A if lcid & 0xFFFF == 0x0C1A || lcid & 0xFFFF == 0x1C1A => 1251,
        0x05 | 0x15 | 0x0E | 0x1B | 0x24 | 0x18 | 0x1C | 0x1A => 1250,
        0x08 => 1253,
        0x1F | 0x2C | 0x43 => 1254,
        0x0D => 1255,
        0x01 | 0x29 | 0x20 => 1256,
        0x25..=0x27 => 1257,
        0x2A => 1258,
        0x1E => 874,
        _ => 1252,
    }
}

/// True for the Windows code pages PtypString8 values are stored in
/// (single-byte 874 and 1250–1258, double-byte 932, 936, 949, 950, and
/// UTF-8), as opposed to Internet-only ones such as ISO-2022-JP.
pub fn is_windows_codepage(cp: u32) -> bool {
    matches!(cp, 874 | 932 | 936 | 949 | 950 | 1250..=1258 | 65001)
}

/// Decodes PtypString8 bytes; an unknown code page is read as windows-1252,
/// undecodable bytes become U+FFFD. A trailing NUL is dropped.
pub fn decode(bytes: &[u8], codepage: u32) -> String {
    let bytes = bytes.strip_suffix(&[0]).unwrap_or(bytes);
    let enc = encoding(codepage).unwrap_or(encoding_rs::WINDOWS_1252);
    enc.decode_without_bom_handling(bytes).0.into_owned()
}

/// Encodes text for a PtypString8 value in `codepage` (unknown code pages
/// as windows-1252); characters the code page lacks become `?`.
pub fn encode(text: &str, codepage: u32) -> Vec<u8> {
    let enc = encoding(codepage).unwrap_or(encoding_rs::WINDOWS_1252);
    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
        return text.as_bytes().to_vec();
    }
    let mut out = Vec::with_capacity(text.len());
    let mut buf = [0u8; 4];
    for c in text.chars() {
        let (bytes, _, unmappable) = enc.encode(c.encode_utf8(&mut buf));
        if unmappable {
            out.push(b'?');
        } else {
            out.extend_from_slice(&bytes);
        }
    }
    out
}

/// Language tags and their Windows locale IDs, for the languages calendars
/// and contacts carry in practice (MS-LCID).
#[rustfmt::skip]
const LOCALES: &[(&str, u32)] = &[
    ("ar-sa", 0x0401), ("bg-bg", 0x0402), ("ca-es", 0x0403), ("zh-tw", 0x0404),
    ("cs-cz", 0x0405), ("da-dk", 0x0406), ("de-de", 0x0407), ("el-gr", 0x0408),
    ("en-us", 0x0409), ("es-es", 0x0C0A), ("fi-fi", 0x040B), ("fr-fr", 0x040C),
    ("he-il", 0x040D), ("hu-hu", 0x040E), ("is-is", 0x040F), ("it-it", 0x0410),
    ("ja-jp", 0x0411), ("ko-kr", 0x0412), ("nl-nl", 0x0413), ("nb-no", 0x0414),
    ("pl-pl", 0x0415), ("pt-br", 0x0416), ("ro-ro", 0x0418), ("ru-ru", 0x0419),
    ("hr-hr", 0x041A), ("sk-sk", 0x041B), ("sq-al", 0x041C), ("sv-se", 0x041D),
    ("th-th", 0x041E), ("tr-tr", 0x041F), ("ur-pk", 0x0420), ("id-id", 0x0421),
    ("uk-ua", 0x0422), ("be-by", 0x0423), ("sl-si", 0x0424), ("et-ee", 0x0425),
    ("lv-lv", 0x0426), ("lt-lt", 0x0427), ("fa-ir", 0x0429), ("vi-vn", 0x042A),
    ("hy-am", 0x042B), ("eu-es", 0x042D), ("mk-mk", 0x042F), ("af-za", 0x0436),
    ("ka-ge", 0x0437), ("hi-in", 0x0439), ("ms-my", 0x043E), ("kk-kz", 0x043F),
    ("sw-ke", 0x0441), ("bn-in", 0x0445), ("ta-in", 0x0449), ("te-in", 0x044A),
    ("mr-in", 0x044E), ("gl-es", 0x0456), ("zh-cn", 0x0804), ("de-ch", 0x0807),
    ("en-gb", 0x0809), ("es-mx", 0x080A), ("fr-be", 0x080C), ("it-ch", 0x0810),
    ("nl-be", 0x0813), ("nn-no", 0x0814), ("pt-pt", 0x0816), ("sr-latn-rs", 0x081A),
    ("sv-fi", 0x081D), ("zh-hk", 0x0C04), ("de-at", 0x0C07), ("en-au", 0x0C09),
    ("fr-ca", 0x0C0C), ("sr-cyrl-rs", 0x0C1A), ("zh-sg", 0x1004), ("de-lu", 0x1007),
    ("en-ca", 0x1009), ("fr-ch", 0x100C), ("en-nz", 0x1409), ("en-ie", 0x1809),
    ("en-za", 0x1C09), ("en-in", 0x4009), ("es-ar", 0x2C0A), ("es-co", 0x240A),
    ("es-cl", 0x340A), ("es-us", 0x540A),
];

/// The locale ID of a language tag (`en-US`, any case; a bare language
/// takes its main country: `de` is de-DE).
pub fn lcid_for_tag(tag: &str) -> Option<u32> {
    let t = tag.trim().to_ascii_lowercase().replace('_', "-");
    if let Some((_, id)) = LOCALES.iter().find(|(n, _)| *n == t) {
        return Some(*id);
    }
    let lang = t.split('-').next()?;
    LOCALES
        .iter()
        .find(|(n, id)| n.split('-').next() == Some(lang) && id & 0xFC00 == 0x0400)
        .or_else(|| {
            LOCALES
                .iter()
                .find(|(n, _)| n.split('-').next() == Some(lang))
        })
        .map(|(_, id)| *id)
}

/// The language tag of a locale ID (`en-us`), if it is in the table.
pub fn tag_for_lcid(lcid: u32) -> Option<&'static str> {
    LOCALES
        .iter()
        .find(|(_, id)| *id == (lcid & 0xFFFF))
        .map(|(n, _)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_pages() {
        assert_eq!(decode(b"caf\xE9", 1252), "café");
        assert_eq!(decode(b"\xC8\xE2\xE0\xED", 1251), "Иван");
        assert_eq!(decode(b"\x82\xA0", 932), "あ");
        assert_eq!(decode(b"x\0", 65001), "x");
        assert_eq!(decode(b"caf\xE9", 4_000_000), "café");
        assert_eq!(encoding(28605).map(|e| e.name()), Some("ISO-8859-15"));
        assert_eq!(for_locale(1041), 932);
        assert_eq!(for_locale(0x0404), 950);
        assert_eq!(for_locale(0x0804), 936);
        assert_eq!(for_locale(1049), 1251);
        assert_eq!(for_locale(0x081A), 1250);
        assert_eq!(for_locale(0x0C1A), 1251);
        assert_eq!(for_locale(1033), 1252);
        assert!(is_windows_codepage(932) && !is_windows_codepage(50220));
    }

    #[test]
    fn encoding_and_locales() {
        assert_eq!(encode("café", 1252), b"caf\xE9");
        assert_eq!(encode("Иван", 1251), b"\xC8\xE2\xE0\xED");
        assert_eq!(encode("a€ж", 1252), b"a\x80?");
        assert_eq!(decode(&encode("あ", 932), 932), "あ");
        assert_eq!(lcid_for_tag("en-US"), Some(0x0409));
        assert_eq!(lcid_for_tag("de"), Some(0x0407));
        assert_eq!(lcid_for_tag("pt"), Some(0x0416));
        assert_eq!(lcid_for_tag("xx-yy"), None);
        assert_eq!(tag_for_lcid(1041), Some("ja-jp"));
    }
}
