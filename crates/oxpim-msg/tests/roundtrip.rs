//! Write → read gives the same message, for every property type, with
//! recipients, attachments, embedded messages and storages; output is
//! reproducible; bad messages are refused with a reason.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use oxpim_mapi::{
    AttachedObject, Attachment, FileTime, Guid, Message, NamedProperty, PropKey, PropType,
    PropValue, PropertyBag, Storage, sets,
};
use oxpim_msg::{ReadOptions, WriteError, from_bytes, read, to_bytes};

/// One value of every type oxpim models, on IDs 0x6601… (tagged) and on
/// named properties in several sets.
fn every_type() -> Vec<PropValue> {
    let t = FileTime(133_802_064_000_000_000);
    vec![
        PropValue::Null,
        PropValue::I16(-12),
        PropValue::I32(-123_456),
        PropValue::F32(1.5),
        PropValue::F64(-2.25e-300),
        PropValue::Currency(-1_234_567),
        PropValue::FloatingTime(45658.75),
        PropValue::ErrorCode(0x8004_010F),
        PropValue::Bool(true),
        PropValue::Bool(false),
        PropValue::I64(i64::MIN),
        PropValue::String("Grüße, 東京 🎉".into()),
        PropValue::Time(t),
        PropValue::Guid(sets::PSETID_Meeting),
        PropValue::ServerId(vec![1, 0, 2, 3]),
        PropValue::Binary(vec![0, 255, 7].into()),
        PropValue::Binary(Vec::new().into()),
        PropValue::MvI16(vec![1, -2]),
        PropValue::MvI32(vec![7, -8, 9]),
        PropValue::MvF32(vec![0.5]),
        PropValue::MvF64(vec![1.0, 2.0]),
        PropValue::MvCurrency(vec![10_000]),
        PropValue::MvFloatingTime(vec![1.0, 45658.5]),
        PropValue::MvI64(vec![i64::MAX, 0]),
        PropValue::MvString(vec!["a".into(), String::new(), "ü€".into()]),
        PropValue::MvString(Vec::new()),
        PropValue::MvTime(vec![t, FileTime(0)]),
        PropValue::MvGuid(vec![sets::PS_MAPI, Guid(42)]),
        PropValue::MvBinary(vec![vec![1, 2], Vec::new(), vec![3]]),
        PropValue::Unknown {
            ptype: PropType(0x00FD),
            bytes: vec![9, 9, 9, 9, 9, 9, 9, 9, 9],
            inline: false,
        },
        PropValue::Unknown {
            ptype: PropType(0x0099),
            bytes: vec![1, 2, 3, 4, 0, 0, 0, 0],
            inline: true,
        },
    ]
}

fn unicode_mask() -> (PropKey, PropValue) {
    (PropKey::Tag(0x340D), PropValue::I32(0x0004_0000))
}

fn sample() -> Message {
    let mut m = Message::with_class("IPM.Appointment");
    m.properties.insert(unicode_mask().0, unicode_mask().1);
    for (i, v) in every_type().into_iter().enumerate() {
        let id = 0x6601 + u16::try_from(i).unwrap();
        m.properties.insert(PropKey::Tag(id), v.clone());
        let set = [
            sets::PSETID_Appointment,
            sets::PS_PUBLIC_STRINGS,
            sets::PSETID_Common,
        ][i % 3];
        m.properties.insert(
            NamedProperty::lid(set, 0x8200 + u32::try_from(i).unwrap()),
            v.clone(),
        );
        m.properties
            .insert(NamedProperty::string(set, format!("x-test-{i}")), v);
    }
    let mut to = PropertyBag::new();
    to.insert(PropKey::Tag(0x0C15), PropValue::I32(1));
    to.insert(
        PropKey::Tag(0x3001),
        PropValue::String("Ann Example".into()),
    );
    to.insert(
        PropKey::Tag(0x39FE),
        PropValue::String("ann@example.org".into()),
    );
    to.insert(
        NamedProperty::lid(sets::PSETID_Meeting, 0x0003),
        PropValue::Binary(vec![4; 40].into()),
    );
    let mut cc = to.clone();
    cc.insert(PropKey::Tag(0x0C15), PropValue::I32(2));
    m.recipients = vec![to, cc];
    let mut file = Attachment::by_value("notes.txt", b"hello".to_vec());
    file.properties.insert(
        NamedProperty::string(sets::PS_PUBLIC_STRINGS, "Keywords"),
        PropValue::MvString(vec!["A".into()]),
    );
    let mut inner = Message::with_class("IPM.OLE.CLASS.{00061055-0000-0000-C000-000000000046}");
    inner.properties.insert(unicode_mask().0, unicode_mask().1);
    inner
        .properties
        .insert(PropKey::Tag(0x0037), PropValue::String("exception".into()));
    inner.properties.insert(
        NamedProperty::lid(sets::PSETID_Appointment, 0x820D),
        PropValue::Time(FileTime(133_802_100_000_000_000)),
    );
    let mut deeper = Message::with_class("IPM.Note");
    deeper.properties.insert(unicode_mask().0, unicode_mask().1);
    inner.attachments.push(Attachment::embedded(deeper));
    inner.recipients.push(m.recipients[0].clone());
    let mut storage = Attachment::default();
    storage
        .properties
        .insert(PropKey::Tag(0x3705), PropValue::I32(6));
    storage.object = Some(AttachedObject::Storage(Storage {
        clsid: Guid(0x0002_0906_0000_0000_C000_0000_0000_0046),
        streams: vec![
            ("\u{1}CompObj".into(), vec![1, 2, 3]),
            ("Data".into(), vec![0; 5000]),
        ],
        storages: vec![("Sub".into(), Storage::default())],
    }));
    m.attachments = vec![file, Attachment::embedded(inner), storage];
    m
}

/// What the writer leaves out by design: empty strings.
fn without_empty_strings(m: &Message) -> Message {
    let mut m = m.clone();
    let keys: Vec<PropKey> = m
        .properties
        .iter()
        .filter(|(_, v)| matches!(v, PropValue::String(s) if s.is_empty()))
        .map(|(k, _)| k.clone())
        .collect();
    for k in keys {
        m.properties.remove(&k);
    }
    m
}

fn same(a: &Message, b: &Message) {
    // Compare property by property for a readable failure, then whole.
    for (k, v) in a.properties.iter() {
        assert_eq!(b.properties.get(k), Some(v), "property {k}");
    }
    assert_eq!(a.properties.len(), b.properties.len(), "property count");
    assert_eq!(a.recipients, b.recipients);
    assert_eq!(a.attachments, b.attachments);
}

#[test]
fn every_type_round_trips() {
    let m = sample();
    let bytes = to_bytes(&m).unwrap();
    let out = read(&bytes, &ReadOptions::default()).unwrap();
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    same(&without_empty_strings(&m), &out.message);
    // Property order is not part of the model's equality contract, but
    // everything else is.
    let again = to_bytes(&out.message).unwrap();
    assert_eq!(
        again, bytes,
        "re-writing what was read gives the same bytes"
    );
}

#[test]
fn output_is_reproducible_and_independent_of_insertion_order() {
    let m = sample();
    let a = to_bytes(&m).unwrap();
    let b = to_bytes(&m).unwrap();
    assert_eq!(a, b);
    let mut reversed = m.clone();
    let entries: Vec<_> = m
        .properties
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    reversed.properties = entries.into_iter().rev().collect();
    assert_eq!(to_bytes(&reversed).unwrap(), a);
}

#[test]
fn layout_follows_ms_oxmsg() {
    let m = sample();
    let bytes = to_bytes(&m).unwrap();
    // Compound file version 3 with 512-byte sectors.
    assert_eq!(
        &bytes[..8],
        &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
    );
    assert_eq!(
        u16::from_le_bytes([bytes[26], bytes[27]]),
        3,
        "major version"
    );
    assert_eq!(
        u16::from_le_bytes([bytes[30], bytes[31]]),
        9,
        "sector shift"
    );
    let mut cf = cfb::CompoundFile::open_strict(std::io::Cursor::new(&bytes)).unwrap();
    assert_eq!(
        cf.root_entry().clsid().to_string().to_uppercase(),
        "00020D0B-0000-0000-C000-000000000046"
    );
    let read_stream = |cf: &mut cfb::CompoundFile<_>, p: &str| {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut cf.open_stream(p).unwrap(), &mut v).unwrap();
        v
    };
    let top = read_stream(&mut cf, "/__properties_version1.0");
    // 32-byte header: next recipient 2, next attachment 3, counts 2 and 3.
    assert_eq!(
        &top[8..24],
        &[2, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]
    );
    assert_eq!((top.len() - 32) % 16, 0);
    // Entries sorted by tag; PidTagMessageClass with Size = 2 × 15 + 2.
    let tags: Vec<u32> = top[32..]
        .chunks(16)
        .map(|e| u32::from_le_bytes(e[..4].try_into().unwrap()))
        .collect();
    assert!(tags.windows(2).all(|w| w[0] < w[1]));
    let class = top[32..]
        .chunks(16)
        .find(|e| e[..4] == [0x1F, 0, 0x1A, 0])
        .unwrap();
    assert_eq!(&class[4..12], &[6, 0, 0, 0, 32, 0, 0, 0]);
    // Recipient and attachment storages with 8-byte headers.
    let recip = read_stream(
        &mut cf,
        "/__recip_version1.0_#00000001/__properties_version1.0",
    );
    assert_eq!(recip.len() % 16, 8);
    // The embedded message: 24-byte header, object entry Size 0xFFFFFFFF,
    // Reserved 1; the storage attachment has Reserved 4.
    let att = read_stream(
        &mut cf,
        "/__attach_version1.0_#00000001/__properties_version1.0",
    );
    let obj = att[8..]
        .chunks(16)
        .find(|e| e[..4] == [0x0D, 0, 0x01, 0x37])
        .unwrap();
    assert_eq!(&obj[8..16], &[0xFF, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0]);
    let emb = read_stream(
        &mut cf,
        "/__attach_version1.0_#00000001/__substg1.0_3701000D/__properties_version1.0",
    );
    assert_eq!(emb.len() % 16, 8, "24-byte header");
    let att2 = read_stream(
        &mut cf,
        "/__attach_version1.0_#00000002/__properties_version1.0",
    );
    let obj2 = att2[8..]
        .chunks(16)
        .find(|e| e[..4] == [0x0D, 0, 0x01, 0x37])
        .unwrap();
    assert_eq!(&obj2[12..16], &[4, 0, 0, 0]);
    // No mapping storage below the top.
    assert!(!cf.exists("/__attach_version1.0_#00000001/__substg1.0_3701000D/__nameid_version1.0"));
    // The mapping storage has its three streams and the Keywords bucket.
    for s in ["00020102", "00030102", "00040102", "10150102"] {
        assert!(
            cf.is_stream(format!("/__nameid_version1.0/__substg1.0_{s}")),
            "{s}"
        );
    }
    // Variable-length MV strings: length stream plus one stream per value,
    // each value with its NUL.
    let lens = read_stream(&mut cf, "/__substg1.0_6619101F");
    assert_eq!(lens, [4, 0, 0, 0, 2, 0, 0, 0, 6, 0, 0, 0]);
    assert_eq!(
        read_stream(&mut cf, "/__substg1.0_6619101F-00000000"),
        [b'a', 0, 0, 0]
    );
    // A PtypString stream has no NUL, its Size counts one.
    let subject = read_stream(&mut cf, "/__substg1.0_660C001F");
    assert_eq!(subject.len() % 2, 0);
    assert_ne!(&subject[subject.len() - 2..], &[0, 0]);
}

#[test]
fn bad_messages_are_refused() {
    let mut m = Message::with_class("IPM.Note");
    m.properties
        .insert(PropKey::Tag(0x0037), PropValue::String8(b"x".to_vec()));
    assert!(matches!(to_bytes(&m), Err(WriteError::MixedStringTypes)));
    let mut m = Message::new();
    m.properties
        .insert(PropKey::Tag(0x0037), PropValue::String8(b"x".to_vec()));
    m.properties
        .insert(PropKey::Tag(0x3FFD), PropValue::I32(1252));
    let bytes = to_bytes(&m).expect("8-bit strings alone are fine");
    let back = from_bytes(&bytes).unwrap();
    assert_eq!(
        back.properties.get(&PropKey::Tag(0x0037)),
        Some(&PropValue::String8(b"x".to_vec()))
    );
    assert_eq!(
        back.properties.get(&PropKey::Tag(0x340D)),
        None,
        "no Unicode mask for 8-bit files"
    );
    m.properties
        .insert(PropKey::Tag(0x340D), PropValue::I32(0x0004_0000));
    assert!(matches!(to_bytes(&m), Err(WriteError::MixedStringTypes)));
    let mut m = Message::new();
    m.properties.insert(PropKey::Tag(0x8001), PropValue::I32(1));
    assert!(matches!(
        to_bytes(&m),
        Err(WriteError::TagInNamedRange(0x8001))
    ));
    let mut m = Message::new();
    m.recipients = vec![PropertyBag::new(); 2049];
    assert!(matches!(to_bytes(&m), Err(WriteError::TooManyRows(2048))));
    let mut m = Message::new();
    let mut a = Attachment::embedded(Message::new());
    a.properties
        .insert(PropKey::Tag(0x3701), PropValue::Binary(vec![1].into()));
    m.attachments.push(a);
    assert!(matches!(
        to_bytes(&m),
        Err(WriteError::AttachmentDataTwice(0))
    ));
    let mut deep = Message::new();
    for _ in 0..40 {
        let mut outer = Message::new();
        outer.attachments.push(Attachment::embedded(deep));
        deep = outer;
    }
    assert!(matches!(to_bytes(&deep), Err(WriteError::TooDeep(_))));
}

#[test]
fn reader_limits_hold() {
    let bytes = to_bytes(&sample()).unwrap();
    let tight = ReadOptions {
        max_depth: 1,
        ..ReadOptions::default()
    };
    let e = read(&bytes, &tight).unwrap_err();
    assert!(e.to_string().contains("deeper than 1"), "{e}");
    let tight = ReadOptions {
        max_stream_len: 1000,
        ..ReadOptions::default()
    };
    let e = read(&bytes, &tight).unwrap_err();
    assert!(e.to_string().contains("more than the limit of 1000"), "{e}");
    let tight = ReadOptions {
        max_rows: 1,
        ..ReadOptions::default()
    };
    assert!(read(&bytes, &tight).is_err());
    let tight = ReadOptions {
        max_total_bytes: 2000,
        ..ReadOptions::default()
    };
    assert!(read(&bytes, &tight).is_err());
}

/// Every prefix and many single-byte corruptions of a real written file:
/// an error or a message, never a panic.
#[test]
fn hostile_bytes_never_panic() {
    let bytes = to_bytes(&sample()).unwrap();
    for cut in (0..bytes.len()).step_by(509) {
        let _ = read(&bytes[..cut], &ReadOptions::default());
    }
    let mut state = 0x2545_F491_4F6C_DD1D_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..400 {
        let mut b = bytes.clone();
        for _ in 0..1 + next() % 8 {
            let at = usize::try_from(next() % b.len() as u64).unwrap();
            b[at] = (next() & 0xFF) as u8;
        }
        let _ = read(&b, &ReadOptions::default());
    }
    assert!(from_bytes(b"not a compound file").is_err());
    assert!(from_bytes(&[]).is_err());
}

/// Directory entries rewritten to lie: huge stream sizes, start sectors that
/// point at the header, the FAT or themselves, and a child pointer that
/// makes the directory tree cyclic. Each gives an error or a message with
/// warnings, promptly, without a panic.
#[test]
fn lying_directory_entries_are_refused() {
    let bytes = to_bytes(&sample()).unwrap();
    let name: Vec<u8> = "__properties_version1.0"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let entries: Vec<usize> = (0..bytes.len() - name.len())
        .filter(|&i| i % 128 == 0 && bytes[i..].starts_with(&name))
        .collect();
    assert!(
        entries.len() >= 4,
        "found {} property-stream entries",
        entries.len()
    );
    let patch = |at: usize, data: &[u8]| {
        let mut b = bytes.clone();
        b[at..at + data.len()].copy_from_slice(data);
        b
    };
    let mut refused = 0;
    for &e in &entries {
        let cases = [
            patch(e + 120, &0xFFFF_FFF0_u64.to_le_bytes()),
            patch(e + 120, &0x7FFF_FFFF_FFFF_FFFF_u64.to_le_bytes()),
            patch(e + 116, &0_u32.to_le_bytes()),
            patch(e + 116, &0xFFFF_FFFA_u32.to_le_bytes()),
            patch(e + 116, &0x0FFF_FFFF_u32.to_le_bytes()),
            patch(e + 76, &0_u32.to_le_bytes()),
            patch(e + 68, &0_u32.to_le_bytes()),
        ];
        for b in cases {
            if read(&b, &ReadOptions::default()).is_err() {
                refused += 1;
            }
        }
    }
    assert!(
        refused > entries.len(),
        "only {refused} lying files refused"
    );
}

/// What a file holds beyond the model is reported, never dropped silently.
#[test]
fn leftovers_are_reported_as_warnings() {
    let mut m = Message::with_class("IPM.Note");
    m.recipients.push(PropertyBag::new());
    let bytes = to_bytes(&m).unwrap();
    let mut cf = cfb::CompoundFile::open(std::io::Cursor::new(bytes)).unwrap();
    std::io::Write::write_all(
        &mut cf.create_stream("/__substg1.0_1000001F").unwrap(),
        b"x\0",
    )
    .unwrap();
    cf.create_storage("/__recip_version1.0_#00000000/odd")
        .unwrap();
    cf.create_storage("/strange").unwrap();
    cf.flush().unwrap();
    let bytes = cf.into_inner().into_inner();
    let out = read(&bytes, &ReadOptions::default()).unwrap();
    let all = out.warnings.join("\n");
    assert!(
        all.contains("/__substg1.0_1000001F: stream without a property entry"),
        "{all}"
    );
    assert!(
        all.contains("/__recip_version1.0_#00000000/odd: unexpected storage"),
        "{all}"
    );
    assert!(all.contains("/strange: unexpected storage"), "{all}");
    assert_eq!(out.message.message_class().as_deref(), Some("IPM.Note"));
}

#[test]
fn writer_keeps_the_file_consistent() {
    // A mask without STORE_UNICODE_OK gets the bit when strings are Unicode.
    let mut m = Message::with_class("IPM.Note");
    m.properties.insert(PropKey::Tag(0x340D), PropValue::I32(1));
    let back = from_bytes(&to_bytes(&m).unwrap()).unwrap();
    assert_eq!(
        back.properties.get(&PropKey::Tag(0x340D)),
        Some(&PropValue::I32(0x0004_0001))
    );
    // PidTagAttachMethod must fit the object; it is added when missing.
    let mut m = Message::new();
    let mut a = Attachment::embedded(Message::new());
    a.properties.insert(PropKey::Tag(0x3705), PropValue::I32(1));
    m.attachments.push(a);
    assert!(matches!(to_bytes(&m), Err(WriteError::AttachMethod(0, 1))));
    let mut m = Message::new();
    m.attachments.push(Attachment {
        properties: PropertyBag::new(),
        object: Some(AttachedObject::Message(Box::new(Message::new()))),
    });
    let back = from_bytes(&to_bytes(&m).unwrap()).unwrap();
    assert_eq!(
        back.attachments[0].properties.get(&PropKey::Tag(0x3705)),
        Some(&PropValue::I32(5))
    );
    assert!(back.attachments[0].embedded_message().is_some());
    // An Unknown value may not pose as a modelled type.
    let mut m = Message::new();
    m.properties.insert(
        PropKey::Tag(0x6600),
        PropValue::Unknown {
            ptype: PropType::INTEGER32,
            bytes: vec![1, 0, 0, 0],
            inline: true,
        },
    );
    assert!(matches!(
        to_bytes(&m),
        Err(WriteError::UnknownOfKnownType(PropType::INTEGER32))
    ));
}
