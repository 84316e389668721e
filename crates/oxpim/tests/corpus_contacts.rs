//! The contacts of the external corpus (`../shared/corpus`, or
//! `$OXPIM_CORPUS`): every vCard converts to Outlook contacts without a
//! conversion error and back, in every vCard version, to the same contacts;
//! every contact `.msg` converts to a vCard that reads back with the same
//! names, e-mail addresses, phones, addresses, company and birthday.
//!
//! Without the corpus the test says so and passes, unless
//! `OXPIM_REQUIRE_EXTERNAL=1` (set by `.ci/run`), when it fails.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use oxpim::mapi::{Message, PropKey, props};
use oxpim::{ContactExportOptions, ContactImportOptions, Dialect, Severity};

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("OXPIM_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
        PathBuf::from,
    );
    if dir.join("vcard").is_dir() && dir.join("msg").is_dir() {
        return Some(dir);
    }
    if std::env::var("OXPIM_REQUIRE_EXTERNAL").as_deref() == Ok("1") {
        panic!(
            "corpus not found at {} and OXPIM_REQUIRE_EXTERNAL=1",
            dir.display()
        );
    }
    eprintln!("SKIPPED: no corpus at {} (set OXPIM_CORPUS)", dir.display());
    None
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// What the contact says, without oxpim's own bookkeeping properties.
fn mapped(m: &Message) -> Vec<String> {
    let own = oxpim::mapi::ical::PSETID_OXPIM;
    let mut v: Vec<String> = m
        .properties
        .iter()
        .filter(|(k, _)| !matches!(k, PropKey::Named(n) if n.set == own))
        .map(|(k, v)| format!("{k:?}={v:?}"))
        .collect();
    v.sort();
    v
}

fn import(text: &[u8]) -> oxpim::ImportedContacts {
    let parsed = oxpim::parse(text);
    oxpim::cards_to_contacts(&parsed.document, ContactImportOptions::default())
}

fn export(m: &[Message], version: Dialect) -> Vec<u8> {
    let e = oxpim::contacts_to_cards(
        m,
        ContactExportOptions {
            version,
            ..ContactExportOptions::default()
        },
    );
    assert!(
        !e.diagnostics.iter().any(|d| d.severity == Severity::Error),
        "{:?}",
        e.diagnostics
    );
    oxpim::format(&e.document)
}

#[test]
fn every_corpus_vcard_converts_and_back() {
    let Some(dir) = corpus() else {
        return;
    };
    let mut all = Vec::new();
    files(&dir.join("vcard"), &mut all);
    all.retain(|p| {
        let name = p.file_name().unwrap().to_string_lossy();
        name.ends_with(".vcf") || name.starts_with("vcardfuzz")
    });
    all.sort();
    let mut contacts = 0;
    for f in &all {
        let bytes = std::fs::read(f).unwrap();
        let imported = import(&bytes);
        assert!(
            !imported
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error),
            "{}: {:?}",
            f.display(),
            imported.diagnostics
        );
        contacts += imported.messages.len();
        for version in [Dialect::VCard30, Dialect::VCard40, Dialect::VCard21] {
            let text = export(&imported.messages, version);
            let again = import(&text);
            assert_eq!(
                again.messages.len(),
                imported.messages.len(),
                "{}",
                f.display()
            );
            for (a, b) in imported.messages.iter().zip(&again.messages) {
                let (mut ma, mut mb) = (mapped(a), mapped(b));
                let comma = matches!(
                    a.properties.get_def(&props::PID_NAME_KEYWORDS),
                    Some(oxpim::mapi::PropValue::MvString(l)) if l.iter().any(|c| c.contains(','))
                );
                if version == Dialect::VCard21 && comma {
                    // vCard 2.1 cannot escape a comma inside a category (the
                    // exporter warns).
                    ma.retain(|x| !x.contains("\"Keywords\""));
                    mb.retain(|x| !x.contains("\"Keywords\""));
                }
                let lost: Vec<_> = ma.iter().filter(|x| !mb.contains(x)).collect();
                let added: Vec<_> = mb.iter().filter(|x| !ma.contains(x)).collect();
                assert!(
                    lost.is_empty() && added.is_empty(),
                    "{} through {version:?}: lost {lost:#?} added {added:#?}",
                    f.display(),
                );
                assert_eq!(a.attachments, b.attachments, "{}", f.display());
            }
        }
    }
    assert!(
        contacts >= 30,
        "only {contacts} contacts in {} files",
        all.len()
    );
}

#[test]
fn every_corpus_contact_msg_converts_to_a_vcard() {
    let Some(dir) = corpus() else {
        return;
    };
    let mut all = Vec::new();
    files(&dir.join("msg"), &mut all);
    all.retain(|p| p.extension().is_some_and(|e| e == "msg"));
    all.sort();
    let mut seen = 0;
    for f in &all {
        let read = oxpim::msg::read(
            &std::fs::read(f).unwrap(),
            &oxpim::msg::ReadOptions::default(),
        )
        .unwrap();
        let m = read.message;
        if !oxpim::mapi::vcard::is_contact(&m) {
            continue;
        }
        seen += 1;
        for version in [Dialect::VCard30, Dialect::VCard40, Dialect::VCard21] {
            let text = export(std::slice::from_ref(&m), version);
            let back = import(&text);
            assert_eq!(back.messages.len(), 1, "{}", f.display());
            let b = &back.messages[0];
            let cp = m.properties.codepage();
            for def in [
                &props::PID_TAG_DISPLAY_NAME,
                &props::PID_TAG_SURNAME,
                &props::PID_TAG_GIVEN_NAME,
                &props::PID_TAG_MIDDLE_NAME,
                &props::PID_TAG_COMPANY_NAME,
                &props::PID_TAG_DEPARTMENT_NAME,
                &props::PID_TAG_TITLE,
                &props::PID_LID_EMAIL1_EMAIL_ADDRESS,
                &props::PID_TAG_MOBILE_TELEPHONE_NUMBER,
                &props::PID_TAG_BUSINESS_FAX_NUMBER,
                &props::PID_LID_WORK_ADDRESS_STREET,
                &props::PID_LID_WORK_ADDRESS_CITY,
                &props::PID_LID_WORK_ADDRESS_POSTAL_CODE,
                &props::PID_LID_WORK_ADDRESS_COUNTRY,
                &props::PID_TAG_BUSINESS_HOME_PAGE,
            ] {
                let want = m.properties.text(def, cp).filter(|s| !s.trim().is_empty());
                let got = b.properties.text(def, b.properties.codepage());
                assert_eq!(
                    got,
                    want,
                    "{} {} via {version:?}:\n{}",
                    f.display(),
                    def.name,
                    String::from_utf8_lossy(&text)
                );
            }
            // Business and home numbers: the same numbers (a Business2
            // without a Business comes back as the business number: vCard
            // has one "work" type for both).
            for pair in [
                [
                    &props::PID_TAG_BUSINESS_TELEPHONE_NUMBER,
                    &props::PID_TAG_BUSINESS2_TELEPHONE_NUMBER,
                ],
                [
                    &props::PID_TAG_HOME_TELEPHONE_NUMBER,
                    &props::PID_TAG_HOME2_TELEPHONE_NUMBER,
                ],
            ] {
                let numbers = |m: &Message| {
                    let mut v: Vec<String> = pair
                        .iter()
                        .filter_map(|d| m.properties.text(d, m.properties.codepage()))
                        .filter(|s| !s.trim().is_empty())
                        .collect();
                    v.sort();
                    v
                };
                assert_eq!(numbers(b), numbers(&m), "{} {}", f.display(), pair[0].name);
            }
            // The birthday: the same calendar date.
            let day = |m: &Message| {
                m.properties
                    .time(&props::PID_LID_BIRTHDAY_LOCAL)
                    .and_then(|t| t.to_datetime())
                    .map(|d| d.date_naive())
            };
            if let Some(d) = day(&m) {
                assert_eq!(day(b), Some(d), "{}", f.display());
            }
        }
    }
    assert!(
        seen >= 3,
        "only {seen} contacts among {} .msg files",
        all.len()
    );
}
