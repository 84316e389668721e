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
    }
}
