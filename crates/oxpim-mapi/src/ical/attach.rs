//! ATTACH ⇄ attachments (MS-OXCICAL 2.1.3.1.1.20.1).
//!
//! Inline (BINARY) attachments become attachments by value. A URI cannot be
//! an Outlook attachment; it becomes an Internet shortcut (`.url`) file, and
//! the URI is kept on the attachment so that export writes the URI again.

use oxpim_contentline::{Property, Value, ValueType};

use super::rules::{FnRule, prop_text};
use super::{ExportContext, ImportContext, PSETID_OXPIM};
use crate::message::{Attachment, PropertyBag};
use crate::named::NamedProperty;
use crate::props;
use crate::types::FileTime;
use crate::value::PropValue;

/// The URI of an ATTACH that was a URI.
pub fn uri_property() -> NamedProperty {
    NamedProperty::string(PSETID_OXPIM, "ical-attach-uri")
}

/// FILETIME of 4501-01-01, "no date" in attachment exception times.
pub const NO_DATE: u64 = 0x0CB3_4557_A3DD_4000;

/// Most bytes of one inline attachment by default
/// ([`crate::ical::ImportOptions::max_attachment_bytes`]).
pub const MAX_ATTACHMENT: usize = 64 << 20;

fn sanitize(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned.trim().trim_matches('.');
    if trimmed.is_empty() {
        "attachment".to_owned()
    } else {
        trimmed.to_owned()
    }
}

fn base_props(bag: &mut PropertyBag, filename: &str, mime: Option<&str>) {
    let s = |v: &str| PropValue::String(v.to_owned().into());
    let ext = filename.rfind('.').map(|i| &filename[i..]).unwrap_or("");
    bag.insert(
        props::PID_TAG_ATTACH_ENCODING.key(),
        PropValue::Binary(Vec::new().into()),
    );
    bag.insert(props::PID_TAG_ATTACH_EXTENSION.key(), s(ext));
    bag.insert(props::PID_TAG_ATTACH_FILENAME.key(), s(filename));
    bag.insert(props::PID_TAG_ATTACH_FLAGS.key(), PropValue::I32(0));
    bag.insert(props::PID_TAG_ATTACH_LONG_FILENAME.key(), s(filename));
    bag.insert(props::PID_TAG_ATTACH_METHOD.key(), PropValue::I32(1));
    if let Some(m) = mime {
        bag.insert(props::PID_TAG_ATTACH_MIME_TAG.key(), s(m));
    }
    bag.insert(
        props::PID_TAG_ATTACHMENT_CONTACT_PHOTO.key(),
        PropValue::Bool(false),
    );
    bag.insert(props::PID_TAG_ATTACHMENT_FLAGS.key(), PropValue::I32(0));
    bag.insert(
        props::PID_TAG_ATTACHMENT_HIDDEN.key(),
        PropValue::Bool(false),
    );
    bag.insert(props::PID_TAG_ATTACHMENT_LINK_ID.key(), PropValue::I32(0));
    bag.insert(props::PID_TAG_DISPLAY_NAME.key(), s(filename));
    bag.insert(
        props::PID_TAG_EXCEPTION_START_TIME.key(),
        PropValue::Time(FileTime(NO_DATE)),
    );
    bag.insert(
        props::PID_TAG_EXCEPTION_END_TIME.key(),
        PropValue::Time(FileTime(NO_DATE)),
    );
    bag.insert(props::PID_TAG_RENDERING_POSITION.key(), PropValue::I32(-1));
}

fn import_attachments(cx: &mut ImportContext<'_>) {
    let mut out = Vec::new();
    for p in cx.event.properties_named("ATTACH") {
        let mime = p.param("FMTTYPE");
        let given = p.param("X-FILENAME").or_else(|| p.param("FILENAME"));
        match p.value() {
            Some(Value::Binary(data)) => {
                let limit = cx.options.max_attachment_bytes;
                if data.len() > limit {
                    cx.diagnostics.push(super::diag(
                        p.line(),
                        oxpim_contentline::Severity::Error,
                        format!(
                            "ATTACH of {} bytes is above the limit of {limit}; dropped",
                            data.len()
                        ),
                    ));
                    continue;
                }
                let name = sanitize(given.unwrap_or("attachment"));
                let mut a = Attachment::default();
                base_props(&mut a.properties, &name, mime);
                a.properties.insert(
                    props::PID_TAG_ATTACH_DATA_BINARY.key(),
                    PropValue::Binary(data.clone().into()),
                );
                out.push(a);
            }
            Some(v) if !v.is_invalid() => {
                let uri = prop_text(p);
                let last = uri
                    .trim_end_matches('/')
                    .rsplit(['/', ':'])
                    .next()
                    .unwrap_or("link");
                let name = sanitize(&format!("{}.url", given.unwrap_or(last)));
                let mut a = Attachment::default();
                base_props(
                    &mut a.properties,
                    &name,
                    Some("application/internet-shortcut"),
                );
                let body = format!("[InternetShortcut]\r\nURL={uri}\r\n");
                a.properties.insert(
                    props::PID_TAG_ATTACH_DATA_BINARY.key(),
                    PropValue::Binary(body.into_bytes().into()),
                );
                a.properties
                    .insert(uri_property(), PropValue::String(uri.clone().into()));
                if let Some(m) = mime {
                    a.properties.insert(
                        NamedProperty::string(PSETID_OXPIM, "ical-attach-fmttype"),
                        PropValue::String(m.to_owned().into()),
                    );
                }
                if let Some(g) = given {
                    a.properties.insert(
                        NamedProperty::string(PSETID_OXPIM, "ical-attach-filename"),
                        PropValue::String(g.to_owned().into()),
                    );
                }
                out.push(a);
            }
            _ => {
                let line = p.line();
                cx.warn(line, "ATTACH value could not be read; dropped");
            }
        }
    }
    if !out.is_empty() {
        cx.message.attachments.extend(out);
        cx.set(&props::PID_TAG_HAS_ATTACHMENTS, true);
    }
}

fn export_attachments(cx: &mut ExportContext<'_>) {
    for a in &cx.message.attachments {
        let p = &a.properties;
        let flags = p.i32(&props::PID_TAG_ATTACHMENT_FLAGS).unwrap_or(0);
        let method = p.i32(&props::PID_TAG_ATTACH_METHOD).unwrap_or(1);
        // Exceptions and contact photos are not file attachments.
        if flags & 0x2 != 0 || p.bool(&props::PID_TAG_ATTACHMENT_CONTACT_PHOTO) == Some(true) {
            continue;
        }
        let text = |def: &props::PropDef| p.text(def, p.codepage());
        if let Some(PropValue::String(uri)) = p.get(&uri_property().into()) {
            let mut prop = Property::new(
                "ATTACH",
                ValueType::Uri,
                Value::Uri(uri.as_str().to_owned().into()),
            );
            if let Some(PropValue::String(m)) =
                p.get(&NamedProperty::string(PSETID_OXPIM, "ical-attach-fmttype").into())
            {
                prop.params_mut().set("FMTTYPE", m.as_str().to_owned());
            }
            if let Some(PropValue::String(f)) =
                p.get(&NamedProperty::string(PSETID_OXPIM, "ical-attach-filename").into())
            {
                prop.params_mut().set("X-FILENAME", f.as_str().to_owned());
            }
            cx.event.push(prop);
            continue;
        }
        if method != 1 {
            let name = text(&props::PID_TAG_DISPLAY_NAME).unwrap_or_default();
            cx.warn(format!(
                "attachment {name:?} (method {method}) has no iCalendar form; not exported"
            ));
            continue;
        }
        let Some(data) = p.binary(&props::PID_TAG_ATTACH_DATA_BINARY) else {
            continue;
        };
        let mut prop = Property::new("ATTACH", ValueType::Binary, Value::Binary(data.to_vec()));
        prop.params_mut().set("VALUE", "BINARY");
        prop.params_mut().set("ENCODING", "BASE64");
        if let Some(m) = text(&props::PID_TAG_ATTACH_MIME_TAG) {
            prop.params_mut().set("FMTTYPE", m);
        }
        if let Some(f) = text(&props::PID_TAG_ATTACH_LONG_FILENAME)
            .or_else(|| text(&props::PID_TAG_ATTACH_FILENAME))
            .or_else(|| text(&props::PID_TAG_DISPLAY_NAME))
        {
            prop.params_mut().set("X-FILENAME", f);
        }
        cx.event.push(prop);
    }
}

/// The ATTACH rule.
pub(crate) fn attachments_rule() -> FnRule {
    FnRule::new(
        "attachments",
        &["ATTACH"],
        import_attachments,
        export_attachments,
    )
}
