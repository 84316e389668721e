//! vCard ⇄ Outlook contacts (IPM.Contact), as [MS-OXVCARD] and
//! [MS-OXOCNTC] describe them.
//!
//! [`Importer`] turns each VCARD of a document (2.1, 3.0 or 4.0) into a
//! contact [`Message`]; [`Exporter`] turns contacts back into vCards of the
//! version asked for (3.0 by default, as MS-OXVCARD writes them).
//!
//! Every card is first brought to vCard 3.0 with
//! [`oxpim_contentline::vcard::convert`] (lossless: 4.0-only properties
//! travel under X- names), so that the rules see one dialect; export builds
//! a 3.0 card and converts it to the version asked for.
//!
//! The mapping is a [`Registry`] of [`ContactRule`]s, filled with the
//! MS-OXVCARD rules; a caller adds or replaces rules without forking:
//!
//! ```
//! use oxpim_mapi::vcard::{ContactRule, ExportContext, ExportOptions, Exporter, ImportContext, ImportOptions, Importer, Registry};
//! use oxpim_mapi::{NamedProperty, PropValue, sets};
//!
//! /// X-ACME-BADGE ⇄ a named property of our own.
//! struct Badge;
//! fn badge() -> NamedProperty { NamedProperty::string(sets::PS_PUBLIC_STRINGS, "x-acme-badge") }
//! impl ContactRule for Badge {
//!     fn name(&self) -> &str { "X-ACME-BADGE" }
//!     fn handles(&self, name: &str) -> bool { name == "X-ACME-BADGE" }
//!     fn import(&self, cx: &mut ImportContext<'_>) {
//!         if let Some(v) = cx.card.text("X-ACME-BADGE") {
//!             cx.message.properties.insert(badge(), PropValue::String(v.into()));
//!         }
//!     }
//!     fn export(&self, cx: &mut ExportContext<'_>) {
//!         if let Some(v) = cx.message.properties.get(&badge().into()).and_then(|v| v.as_str()) {
//!             cx.card.properties.push(oxpim_contentline::Property::text("X-ACME-BADGE", v));
//!         }
//!     }
//! }
//!
//! let registry = Registry::default().with(Badge);
//! let vcf = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nN:Lee;Ann;;;\r\nX-ACME-BADGE:4711\r\nEND:VCARD\r\n";
//! let doc = oxpim_contentline::parse(vcf).document;
//! let imported = Importer::new(ImportOptions::default()).with_registry(registry.clone()).import(&doc);
//! let contact = &imported.messages[0];
//! assert_eq!(contact.properties.get(&badge().into()).and_then(|v| v.as_str()), Some("4711"));
//! let back = Exporter::new(ExportOptions::default()).with_registry(registry).export(&imported.messages);
//! assert_eq!(back.document.components[0].text("X-ACME-BADGE"), Some("4711"));
//! ```
//!
//! [MS-OXVCARD]: https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxvcard/
//! [MS-OXOCNTC]: https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-oxocntc/

mod convert;
mod rules;

use std::fmt;
use std::sync::Arc;

use oxpim_contentline::{Component, Diagnostic, Dialect, Document, Property, Severity};

use crate::ical::{PSETID_OXPIM, diag};
use crate::message::Message;
use crate::named::NamedProperty;
use crate::props::PropDef;
use crate::value::PropValue;

pub use rules::{DirectRule, TextKind};

/// The message class of contacts.
pub const CONTACT_CLASS: &str = "IPM.Contact";

/// Where the vCard properties that no rule maps are kept, as vCard 3.0
/// text, so that a contact exports back to the card it came from.
pub fn unmapped_property() -> NamedProperty {
    NamedProperty::string(PSETID_OXPIM, "vcard-unmapped")
}

/// Where the name, group and parameters of each mapped vCard property are
/// kept (one line per slot), so that export writes them as they were.
pub fn slots_property() -> NamedProperty {
    NamedProperty::string(PSETID_OXPIM, "vcard-slots")
}

/// The vCard UID (MS-OXVCARD maps it to no Outlook property).
pub fn uid_property() -> NamedProperty {
    NamedProperty::string(PSETID_OXPIM, "vcard-uid")
}

/// Options of [`Importer`].
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Keep what no rule maps in [`unmapped_property`] (default true).
    pub keep_unmapped: bool,
    /// At most this many contacts from one document (default 100 000); the
    /// rest are reported and not converted.
    pub max_contacts: usize,
    /// Most diagnostics one import reports, version conversion included
    /// (default 1 000); one final `Truncated` error says there were more.
    pub max_diagnostics: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            keep_unmapped: true,
            max_contacts: 100_000,
            max_diagnostics: 1_000,
        }
    }
}

/// Options of [`Exporter`].
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// The vCard version to write: [`Dialect::VCard30`] (the default, as
    /// MS-OXVCARD), [`Dialect::VCard40`] or [`Dialect::VCard21`].
    pub version: Dialect,
    /// The PRODID to write (empty: none).
    pub prodid: String,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            version: Dialect::VCard30,
            prodid: "-//oxpim//oxpim//EN".into(),
        }
    }
}

/// Contacts from a document.
#[derive(Debug, Clone, Default)]
pub struct Imported {
    /// One contact per VCARD, in order.
    pub messages: Vec<Message>,
    /// What could not be converted exactly, with lines of the input.
    pub diagnostics: Vec<Diagnostic>,
}

/// vCards from contacts.
#[derive(Debug, Clone)]
pub struct Exported {
    /// One VCARD per contact.
    pub document: Document,
    /// What could not be converted exactly.
    pub diagnostics: Vec<Diagnostic>,
}

/// What a rule sees and changes while a card is imported.
pub struct ImportContext<'a> {
    /// The card, as vCard 3.0 (see the module documentation).
    pub card: &'a Component,
    /// The version the card was written in.
    pub version: Dialect,
    /// The contact being built.
    pub message: &'a mut Message,
    /// The options.
    pub options: &'a ImportOptions,
    pub(crate) kept: &'a mut Vec<Property>,
    pub(crate) slots: &'a mut Vec<(String, Property)>,
    pub(crate) diagnostics: &'a mut Vec<Diagnostic>,
}

impl ImportContext<'_> {
    /// Reports a problem at a line of the input.
    pub fn warn(&mut self, line: u32, message: impl Into<String>) {
        self.diagnostics
            .push(diag(line, Severity::Warning, message));
    }

    /// Sets a canonical property (the value must have the table's type).
    pub fn set(&mut self, def: &PropDef, value: impl Into<PropValue>) {
        let value = value.into();
        if value.prop_type() == def.ptype {
            self.message.properties.insert(def.key(), value);
        } else {
            self.diagnostics.push(diag(
                0,
                Severity::Error,
                format!(
                    "internal: {} is {}, not {}",
                    def.name,
                    def.ptype,
                    value.prop_type()
                ),
            ));
        }
    }

    /// Sets a string property unless the text is empty.
    pub fn set_text(&mut self, def: &PropDef, text: &str) {
        if !text.is_empty() {
            self.set(def, PropValue::String(text.to_owned().into()));
        }
    }

    /// Keeps a property as written in [`unmapped_property`], for one that
    /// a rule handles but cannot map (a fourth EMAIL, a PHOTO by URI).
    pub fn keep(&mut self, p: &Property) {
        if self.options.keep_unmapped {
            self.kept.push(p.clone());
        }
    }

    /// [`ImportContext::remember`] with the value too, for a property
    /// Outlook holds only in part (an N with several names in one part, an
    /// anniversary with a time): export reads it back with
    /// [`ExportContext::kept_value`].
    pub(crate) fn remember_value(&mut self, slot: &str, p: &Property) {
        if self.options.keep_unmapped {
            self.slots.push((slot.to_owned(), p.clone()));
        }
    }

    /// Remembers the name, group and parameters of the property that
    /// filled `slot` (a name the rule chooses, such as `EMAIL2`), for
    /// [`ExportContext::restore`].
    pub fn remember(&mut self, slot: &str, p: &Property) {
        if self.options.keep_unmapped {
            let mut q = p.clone();
            q.set_values(
                oxpim_contentline::ValueType::Text,
                oxpim_contentline::Value::Text("".into()),
            );
            self.slots.push((slot.to_owned(), q));
        }
    }
}

/// What a rule sees and changes while a contact is exported.
pub struct ExportContext<'a> {
    /// The contact.
    pub message: &'a Message,
    /// The VCARD being built (vCard 3.0; converted to the version asked
    /// for afterwards).
    pub card: &'a mut Component,
    /// The options.
    pub options: &'a ExportOptions,
    pub(crate) slots: &'a [(String, Property)],
    pub(crate) diagnostics: &'a mut Vec<Diagnostic>,
}

impl ExportContext<'_> {
    /// Reports a problem.
    pub fn warn(&mut self, message: impl Into<String>) {
        self.diagnostics.push(diag(0, Severity::Warning, message));
    }

    /// A string property (PtypString, or PtypString8 decoded), `None` when
    /// absent or empty.
    pub fn text(&self, def: &PropDef) -> Option<String> {
        self.message
            .properties
            .text(def, self.message.properties.codepage())
            .filter(|s| !s.trim().is_empty())
    }

    /// Gives `p` the name, group and parameters the property that filled
    /// `slot` had on import (see [`ImportContext::remember`]); with
    /// `params` false only the name and group. ENCODING, CHARSET and VALUE
    /// are never restored: the value decides them.
    pub fn restore(&self, slot: &str, p: &mut Property, params: bool) {
        let Some((_, was)) = self.slots.iter().find(|(s, _)| s == slot) else {
            return;
        };
        let mut q = Property::new(
            was.name(),
            p.value_type().clone(),
            oxpim_contentline::Value::Text("".into()),
        );
        q.set_values(p.value_type().clone(), p.values().clone());
        q.set_group(was.group());
        let source = if params { was.params() } else { p.params() };
        for (n, v) in source.iter() {
            if !matches!(n, "ENCODING" | "CHARSET" | "VALUE") {
                q.params_mut().insert(n, v.clone());
            }
        }
        if params {
            for (n, v) in p.params().iter() {
                if matches!(n, "ENCODING" | "VALUE") {
                    q.params_mut().insert(n, v.clone());
                }
            }
        }
        *p = q;
    }

    /// The property [`ImportContext::remember_value`] kept for `slot`.
    pub(crate) fn kept_value(&self, slot: &str) -> Option<&Property> {
        self.slots.iter().find(|(s, _)| s == slot).map(|(_, p)| p)
    }

    /// Adds a property to the card.
    pub fn push(&mut self, p: Property) {
        self.card.properties.push(p);
    }
}

/// One mapping between vCard properties and contact properties, both ways.
pub trait ContactRule: Send + Sync {
    /// A stable name; a registry holds one rule per name.
    fn name(&self) -> &str;

    /// True when this rule maps the vCard property named `name`
    /// (uppercase, as vCard 3.0 names it), so that it is not kept as
    /// unmapped.
    fn handles(&self, name: &str) -> bool;

    /// Reads the card, writes the contact.
    fn import(&self, cx: &mut ImportContext<'_>);

    /// Reads the contact, writes the card.
    fn export(&self, cx: &mut ExportContext<'_>);
}

/// An ordered set of contact rules, by name.
#[derive(Clone)]
pub struct Registry {
    rules: Vec<Arc<dyn ContactRule>>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.rules.iter().map(|r| r.name()))
            .finish()
    }
}

impl Default for Registry {
    /// The MS-OXVCARD rules.
    fn default() -> Self {
        Registry {
            rules: rules::default_rules(),
        }
    }
}

impl Registry {
    /// A registry without rules.
    pub fn empty() -> Registry {
        Registry { rules: Vec::new() }
    }

    /// Adds a rule, replacing the one with the same name in place.
    pub fn with(mut self, rule: impl ContactRule + 'static) -> Registry {
        let rule: Arc<dyn ContactRule> = Arc::new(rule);
        match self.rules.iter().position(|r| r.name() == rule.name()) {
            Some(i) => {
                if let Some(slot) = self.rules.get_mut(i) {
                    *slot = rule;
                }
            }
            None => self.rules.push(rule),
        }
        self
    }

    /// Removes the rule with this name.
    pub fn without(mut self, name: &str) -> Registry {
        self.rules.retain(|r| r.name() != name);
        self
    }

    /// The rule names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.rules.iter().map(|r| r.name()).collect()
    }

    pub(crate) fn rules(&self) -> &[Arc<dyn ContactRule>] {
        &self.rules
    }

    pub(crate) fn handles(&self, name: &str) -> bool {
        self.rules.iter().any(|r| r.handles(name))
    }
}

/// Converts vCards to contacts.
pub struct Importer {
    options: ImportOptions,
    registry: Registry,
}

impl Importer {
    /// An importer with the MS-OXVCARD rules.
    pub fn new(options: ImportOptions) -> Importer {
        Importer {
            options,
            registry: Registry::default(),
        }
    }

    /// Uses these rules.
    pub fn with_registry(mut self, registry: Registry) -> Importer {
        self.registry = registry;
        self
    }

    /// Imports every VCARD of a document.
    pub fn import(&self, doc: &Document) -> Imported {
        let mut out = convert::import_document(self, doc);
        crate::cap_diagnostics(&mut out.diagnostics, self.options.max_diagnostics);
        out
    }
}

/// Converts contacts to vCards.
pub struct Exporter {
    options: ExportOptions,
    registry: Registry,
}

impl Exporter {
    /// An exporter with the MS-OXVCARD rules.
    pub fn new(options: ExportOptions) -> Exporter {
        Exporter {
            options,
            registry: Registry::default(),
        }
    }

    /// Uses these rules.
    pub fn with_registry(mut self, registry: Registry) -> Exporter {
        self.registry = registry;
        self
    }

    /// One VCARD per message (messages that are not contacts are reported
    /// and skipped).
    pub fn export(&self, messages: &[Message]) -> Exported {
        convert::export_messages(self, messages)
    }
}

/// True for IPM.Contact and its custom forms (`IPM.Contact.X`).
pub fn is_contact(message: &Message) -> bool {
    message.message_class().is_some_and(|c| {
        let c = c.to_ascii_lowercase();
        c == "ipm.contact" || c.starts_with("ipm.contact.")
    })
}
