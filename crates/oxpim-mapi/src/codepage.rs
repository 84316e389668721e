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
}
