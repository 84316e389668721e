//! The structure of contact conversion: one card ⇄ one message, the rules
//! in order, what no rule maps kept, and the derived bookkeeping
//! properties MS-OXOCNTC asks for.

use oxpim_contentline::vcard::{convert as convert_version, convert_as_is};
use oxpim_contentline::{Component, Dialect, Document, Property, Severity, WriteOptions};

use super::{
    CONTACT_CLASS, ExportContext, Exported, Exporter, ImportContext, Imported, Importer,
    is_contact, slots_property, unmapped_property,
};
use crate::ical::diag;
use crate::message::Message;
use crate::props;
use crate::value::PropValue;

/// Properties that are the card's frame, not data.
const FRAME: &[&str] = &["VERSION", "PRODID", "BEGIN", "END"];

pub(crate) fn import_document(imp: &Importer, doc: &Document) -> Imported {
    let mut out = Imported::default();
    // VCARDs at the top, or nested in another object (rare); the children
    // of a VCARD (2.1 AGENT cards) are not contacts of their own.
    let mut cards: Vec<&Component> = Vec::new();
    let mut stack: Vec<&Component> = doc.components.iter().rev().collect();
    while let Some(c) = stack.pop() {
        if c.is("VCARD") {
            cards.push(c);
        } else {
            stack.extend(c.components.iter().rev());
        }
    }
    for (i, card) in cards.into_iter().enumerate() {
        if i >= imp.options.max_contacts {
            out.diagnostics.push(diag(
                card.line(),
                Severity::Error,
                format!(
                    "more than {} contacts; the rest are not converted (ImportOptions::max_contacts)",
                    imp.options.max_contacts
                ),
            ));
            break;
        }
        out.messages
            .push(import_card(imp, card, &mut out.diagnostics));
    }
    out
}

fn import_card(
    imp: &Importer,
    card: &Component,
    diagnostics: &mut Vec<oxpim_contentline::Diagnostic>,
) -> Message {
    let version = match card.dialect() {
        d @ (Dialect::VCard21 | Dialect::VCard30 | Dialect::VCard40) => d,
        _ => Dialect::VCard30,
    };
    let (card3, conv) = convert_as_is(card, Dialect::VCard30);
    diagnostics.extend(conv);
    let mut message = Message::with_class(CONTACT_CLASS);
    let mut kept: Vec<Property> = Vec::new();
    let mut slots = Vec::new();
    {
        let mut cx = ImportContext {
            card: &card3,
            version,
            message: &mut message,
            options: &imp.options,
            kept: &mut kept,
            slots: &mut slots,
            diagnostics,
        };
        for rule in imp.registry.rules() {
            rule.import(&mut cx);
        }
    }
    // What no rule handles is kept as written (in vCard 3.0 form).
    let mut unmapped: Vec<String> = Vec::new();
    for p in &card3.properties {
        let name = p.name().to_ascii_uppercase();
        if FRAME.contains(&name.as_str()) || imp.registry.handles(&name) {
            continue;
        }
        // Said by the name the card has (KIND, not the 3.0 carrier
        // X-ADDRESSBOOKSERVER-KIND the rules see), a standard one.
        let name = super::rules::name_in_card(version, p).to_ascii_uppercase();
        if !unmapped.contains(&name) {
            unmapped.push(name);
        }
        if imp.options.keep_unmapped {
            kept.push(p.clone());
        }
    }
    // As for calendars: a standard property Outlook has no place for, or
    // anything dropped, is said; X- properties kept for export are not.
    if !unmapped.is_empty()
        && (!imp.options.keep_unmapped || unmapped.iter().any(|n| !n.starts_with("X-")))
    {
        let what = if imp.options.keep_unmapped {
            "kept in oxpim's own property for export"
        } else {
            "dropped"
        };
        diagnostics.push(diag(
            card.line(),
            Severity::Warning,
            format!(
                "not mapped to Outlook contact properties ({what}): {}",
                unmapped.join(", ")
            ),
        ));
    }
    for c in &card3.components {
        diagnostics.push(diag(
            c.line(),
            Severity::Warning,
            format!("{} inside a VCARD is not converted", c.name()),
        ));
    }
    derive(&mut message);
    if !kept.is_empty() {
        let mut text = Vec::new();
        for p in &kept {
            text.extend(oxpim_contentline::write_property(
                p,
                Dialect::VCard30,
                &WriteOptions::canonical(),
            ));
        }
        message.properties.insert(
            unmapped_property(),
            PropValue::String(String::from_utf8_lossy(&text).into_owned().into()),
        );
    }
    if !slots.is_empty() {
        let mut text = String::new();
        for (slot, p) in &slots {
            let line = oxpim_contentline::write_property(
                p,
                Dialect::VCard30,
                &WriteOptions {
                    fold_at: 1 << 30,
                    ..WriteOptions::canonical()
                },
            );
            text.push_str(slot);
            text.push('\t');
            text.push_str(String::from_utf8_lossy(&line).trim_end());
            text.push('\n');
        }
        message
            .properties
            .insert(slots_property(), PropValue::String(text.into()));
    }
    message
}

/// The properties MS-OXOCNTC derives from the mapped ones: subject and
/// conversation topic, file-as, the address-book lists, the mailing
/// address, the picture flag.
fn derive(m: &mut Message) {
    let p = &mut m.properties;
    let get = |p: &crate::message::PropertyBag, d: &props::PropDef| {
        p.str(d).filter(|s| !s.is_empty()).map(str::to_owned)
    };
    // Display name: FN, else from N, else the company, else the first
    // e-mail address.
    let display = get(p, &props::PID_TAG_DISPLAY_NAME).or_else(|| {
        let parts: Vec<String> = [
            &props::PID_TAG_DISPLAY_NAME_PREFIX,
            &props::PID_TAG_GIVEN_NAME,
            &props::PID_TAG_MIDDLE_NAME,
            &props::PID_TAG_SURNAME,
            &props::PID_TAG_GENERATION,
        ]
        .iter()
        .filter_map(|d| get(p, d))
        .collect();
        (!parts.is_empty())
            .then(|| parts.join(" "))
            .or_else(|| get(p, &props::PID_TAG_COMPANY_NAME))
            .or_else(|| get(p, &props::PID_LID_EMAIL1_EMAIL_ADDRESS))
    });
    if let Some(d) = &display {
        for def in [
            &props::PID_TAG_DISPLAY_NAME,
            &props::PID_TAG_SUBJECT,
            &props::PID_TAG_NORMALIZED_SUBJECT,
            &props::PID_TAG_CONVERSATION_TOPIC,
        ] {
            if p.get_def(def).is_none() {
                p.insert(def.key(), PropValue::String(d.clone().into()));
            }
        }
    }
    // File as (MS-OXOCNTC 2.2.1.1.12): "Surname, Given Middle" when there is
    // a name, else the company, else the display name.
    if p.get_def(&props::PID_LID_FILE_UNDER).is_none() {
        let sur = get(p, &props::PID_TAG_SURNAME);
        let given: Vec<String> = [&props::PID_TAG_GIVEN_NAME, &props::PID_TAG_MIDDLE_NAME]
            .iter()
            .filter_map(|d| get(p, d))
            .collect();
        let (id, text) = if sur.is_some() || !given.is_empty() {
            let g = given.join(" ");
            let t = match (sur, g.is_empty()) {
                (Some(s), false) => format!("{s}, {g}"),
                (Some(s), true) => s,
                (None, _) => g,
            };
            (0x8017, Some(t))
        } else if let Some(c) = get(p, &props::PID_TAG_COMPANY_NAME) {
            (0x3A16, Some(c))
        } else {
            (0x3001, display.clone())
        };
        if let Some(t) = text {
            p.insert(props::PID_LID_FILE_UNDER.key(), PropValue::String(t.into()));
            p.insert(props::PID_LID_FILE_UNDER_ID.key(), PropValue::I32(id));
        }
    }
    // Complete e-mail groups (MS-OXOCNTC 2.2.1.2: all or none).
    let name = display.clone().unwrap_or_default();
    for g in EMAIL_GROUPS {
        let Some(addr) = get(p, g[2]) else {
            continue;
        };
        let dn = get(p, g[0]).unwrap_or_else(|| {
            if name.is_empty() {
                addr.clone()
            } else {
                format!("{name} ({addr})")
            }
        });
        let ty = get(p, g[1]).unwrap_or_else(|| "SMTP".into());
        for (def, v) in [(g[0], dn.clone()), (g[1], ty.clone()), (g[3], addr.clone())] {
            if p.get_def(def).is_none() {
                p.insert(def.key(), PropValue::String(v.into()));
            }
        }
        if p.get_def(g[4]).is_none() {
            p.insert(
                g[4].key(),
                PropValue::Binary(crate::ical::people::one_off_entry_id(&dn, &ty, &addr).into()),
            );
        }
    }
    // Fax groups (MS-OXOCNTC 2.2.1.2.7-10): type FAX, "name@number",
    // original display name = normalized subject.
    for (number, g) in FAX_GROUPS {
        let Some(n) = get(p, number) else {
            continue;
        };
        if p.get_def(g[1]).is_some() {
            continue;
        }
        let address = format!("{name}@{n}");
        p.insert(g[0].key(), PropValue::String("FAX".into()));
        p.insert(g[1].key(), PropValue::String(address.clone().into()));
        p.insert(g[2].key(), PropValue::String(name.clone().into()));
        p.insert(
            g[3].key(),
            PropValue::Binary(crate::ical::people::one_off_entry_id(&name, "FAX", &address).into()),
        );
    }
    // The address-book provider lists (MS-OXOCNTC 2.2.1.2.11/12).
    let slots: [(&props::PropDef, i32, i32); 6] = [
        (&props::PID_LID_EMAIL1_EMAIL_ADDRESS, 0, 0x01),
        (&props::PID_LID_EMAIL2_EMAIL_ADDRESS, 1, 0x02),
        (&props::PID_LID_EMAIL3_EMAIL_ADDRESS, 2, 0x04),
        (&props::PID_LID_FAX2_EMAIL_ADDRESS, 3, 0x08),
        (&props::PID_LID_FAX3_EMAIL_ADDRESS, 4, 0x10),
        (&props::PID_LID_FAX1_EMAIL_ADDRESS, 5, 0x20),
    ];
    let mut list = Vec::new();
    let mut bits = 0;
    for (def, value, bit) in slots {
        if p.get_def(def).is_some() {
            list.push(value);
            bits |= bit;
        }
    }
    if !list.is_empty() {
        list.sort_unstable();
        p.insert(
            props::PID_LID_ADDRESS_BOOK_PROVIDER_EMAIL_LIST.key(),
            PropValue::MvI32(list),
        );
        p.insert(
            props::PID_LID_ADDRESS_BOOK_PROVIDER_ARRAY_TYPE.key(),
            PropValue::I32(bits),
        );
    }
    if p.get_def(&props::PID_TAG_ICON_INDEX).is_none() {
        // The contact icon (0x200), as Outlook writes it.
        p.insert(props::PID_TAG_ICON_INDEX.key(), PropValue::I32(0x200));
    }
    let has_photo = m.attachments.iter().any(|a| {
        a.properties
            .bool(&props::PID_TAG_ATTACHMENT_CONTACT_PHOTO)
            .unwrap_or(false)
    });
    if has_photo {
        m.properties
            .insert(props::PID_LID_HAS_PICTURE.key(), PropValue::Bool(true));
    }
}

/// DisplayName, AddressType, EmailAddress, OriginalDisplayName,
/// OriginalEntryId of Email1–3.
const EMAIL_GROUPS: [[&props::PropDef; 5]; 3] = [
    [
        &props::PID_LID_EMAIL1_DISPLAY_NAME,
        &props::PID_LID_EMAIL1_ADDRESS_TYPE,
        &props::PID_LID_EMAIL1_EMAIL_ADDRESS,
        &props::PID_LID_EMAIL1_ORIGINAL_DISPLAY_NAME,
        &props::PID_LID_EMAIL1_ORIGINAL_ENTRY_ID,
    ],
    [
        &props::PID_LID_EMAIL2_DISPLAY_NAME,
        &props::PID_LID_EMAIL2_ADDRESS_TYPE,
        &props::PID_LID_EMAIL2_EMAIL_ADDRESS,
        &props::PID_LID_EMAIL2_ORIGINAL_DISPLAY_NAME,
        &props::PID_LID_EMAIL2_ORIGINAL_ENTRY_ID,
    ],
    [
        &props::PID_LID_EMAIL3_DISPLAY_NAME,
        &props::PID_LID_EMAIL3_ADDRESS_TYPE,
        &props::PID_LID_EMAIL3_EMAIL_ADDRESS,
        &props::PID_LID_EMAIL3_ORIGINAL_DISPLAY_NAME,
        &props::PID_LID_EMAIL3_ORIGINAL_ENTRY_ID,
    ],
];

/// The fax number and its group (AddressType, EmailAddress,
/// OriginalDisplayName, OriginalEntryId): Fax1 primary, Fax2 business,
/// Fax3 home (MS-OXOCNTC 2.2.1.2).
const FAX_GROUPS: [(&props::PropDef, [&props::PropDef; 4]); 3] = [
    (
        &props::PID_TAG_PRIMARY_FAX_NUMBER,
        [
            &props::PID_LID_FAX1_ADDRESS_TYPE,
            &props::PID_LID_FAX1_EMAIL_ADDRESS,
            &props::PID_LID_FAX1_ORIGINAL_DISPLAY_NAME,
            &props::PID_LID_FAX1_ORIGINAL_ENTRY_ID,
        ],
    ),
    (
        &props::PID_TAG_BUSINESS_FAX_NUMBER,
        [
            &props::PID_LID_FAX2_ADDRESS_TYPE,
            &props::PID_LID_FAX2_EMAIL_ADDRESS,
            &props::PID_LID_FAX2_ORIGINAL_DISPLAY_NAME,
            &props::PID_LID_FAX2_ORIGINAL_ENTRY_ID,
        ],
    ),
    (
        &props::PID_TAG_HOME_FAX_NUMBER,
        [
            &props::PID_LID_FAX3_ADDRESS_TYPE,
            &props::PID_LID_FAX3_EMAIL_ADDRESS,
            &props::PID_LID_FAX3_ORIGINAL_DISPLAY_NAME,
            &props::PID_LID_FAX3_ORIGINAL_ENTRY_ID,
        ],
    ),
];

pub(crate) fn export_messages(exp: &Exporter, messages: &[Message]) -> Exported {
    let mut diagnostics = Vec::new();
    let mut cards = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        if !is_contact(m) {
            diagnostics.push(diag(
                0,
                Severity::Warning,
                format!(
                    "message {} is a {}, not a contact; skipped",
                    i + 1,
                    m.message_class()
                        .unwrap_or_else(|| "message without class".into())
                ),
            ));
            continue;
        }
        cards.push(export_one(exp, m, &mut diagnostics));
    }
    Exported {
        document: Document::new(cards),
        diagnostics,
    }
}

/// Parses vCard 3.0 property lines (kept text) into properties.
pub(crate) fn parse_lines(text: &str) -> Vec<Property> {
    let mut src = String::with_capacity(text.len() + 40);
    src.push_str("BEGIN:VCARD\r\nVERSION:3.0\r\n");
    src.push_str(text);
    if !text.ends_with('\n') {
        src.push_str("\r\n");
    }
    src.push_str("END:VCARD\r\n");
    let parsed = oxpim_contentline::parse(src.as_bytes());
    let mut props = parsed
        .document
        .components
        .into_iter()
        .next()
        .map(|c| c.properties)
        .unwrap_or_default();
    props.retain(|p| !p.is("VERSION"));
    for p in &mut props {
        p.forget_source();
    }
    props
}

fn export_one(
    exp: &Exporter,
    m: &Message,
    diagnostics: &mut Vec<oxpim_contentline::Diagnostic>,
) -> Component {
    let mut card = Component::new("VCARD", Dialect::VCard30);
    card.properties.push(Property::text("VERSION", "3.0"));
    if !exp.options.prodid.is_empty() {
        card.properties
            .push(Property::text("PRODID", exp.options.prodid.as_str()));
    }
    let slots: Vec<(String, Property)> = m
        .properties
        .get(&slots_property().into())
        .and_then(PropValue::as_str)
        .map(|t| {
            t.lines()
                .filter_map(|l| {
                    let (slot, line) = l.split_once('\t')?;
                    let p = parse_lines(line).into_iter().next()?;
                    Some((slot.to_owned(), p))
                })
                .collect()
        })
        .unwrap_or_default();
    {
        let mut cx = ExportContext {
            message: m,
            card: &mut card,
            options: &exp.options,
            slots: &slots,
            diagnostics,
        };
        for rule in exp.registry.rules() {
            rule.export(&mut cx);
        }
    }
    if let Some(text) = m
        .properties
        .get(&unmapped_property().into())
        .and_then(PropValue::as_str)
    {
        card.properties.extend(parse_lines(text));
    }
    let target = match exp.options.version {
        d @ (Dialect::VCard21 | Dialect::VCard40) => d,
        _ => Dialect::VCard30,
    };
    if target == Dialect::VCard30 {
        return card;
    }
    // The version converter writes 2.1 types bare (`TEL;WORK;VOICE:`), as
    // Outlook does.
    let (out, conv) = convert_version(&card, target);
    diagnostics.extend(conv);
    out
}
