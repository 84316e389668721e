//! Interop: contact `.msg` files written from vCards are read by Python's
//! extract-msg (tests/interop/read_contact.py) with the same names,
//! e-mail addresses, phones, addresses, company and birthday.
//!
//! Without Python or extract-msg the test prints `SKIPPED: …` and passes,
//! unless `OXPIM_REQUIRE_EXTERNAL=1` (set by `.ci/run`), when it fails.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn python_read(files: &[PathBuf]) -> Option<Value> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop/read_contact.py");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let required = std::env::var("OXPIM_REQUIRE_EXTERNAL").as_deref() == Ok("1");
    let skip = |why: String| {
        assert!(
            !required,
            "interop reader unavailable and OXPIM_REQUIRE_EXTERNAL=1: {why}"
        );
        eprintln!("SKIPPED: interop with extract-msg: {why}");
        None
    };
    let out = match Command::new(&python).arg(&script).args(files).output() {
        Ok(o) => o,
        Err(e) => return skip(format!("cannot run {python}: {e}")),
    };
    match out.status.code() {
        Some(0) => Some(serde_json::from_slice(&out.stdout).unwrap()),
        Some(3) => skip(String::from_utf8_lossy(&out.stderr).trim().to_owned()),
        _ => panic!(
            "read_contact.py failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

const CARDS: &str = "BEGIN:VCARD\r
VERSION:3.0\r
FN:Zoë Ångström-Łukasz\r
N:Ångström-Łukasz;Zoë;Marie;Dr.;Jr.\r
ORG:Café Zürich AG;Küche\r
TITLE:Chefköchin\r
EMAIL;TYPE=internet,pref:zoe@example.com\r
EMAIL;TYPE=internet:zoe@home.example\r
EMAIL:zoe@third.example\r
TEL;TYPE=work,voice:+41 44 000 00 01\r
TEL;TYPE=home:+41 44 000 00 02\r
TEL;TYPE=cell:+41 79 000 00 03\r
TEL;TYPE=work,fax:+41 44 000 00 04\r
ADR;TYPE=work,pref:;;Bahnhofstrasse 1;Zürich;ZH;8001;Schweiz\r
ADR;TYPE=home:;;Seeweg 2;Küsnacht;ZH;8700;Schweiz\r
URL;TYPE=work:https://cafe.example\r
X-MS-IMADDRESS:zoe@im.example\r
BDAY:1985-04-12\r
PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ==\r
END:VCARD\r
BEGIN:VCARD\r
VERSION:4.0\r
FN:Bo Kim\r
N:Kim;Bo;;;\r
EMAIL:bo@example.org\r
TEL;VALUE=uri;TYPE=cell:tel:+1-555-0100\r
BDAY:19991231\r
END:VCARD\r
";

#[test]
fn extract_msg_reads_our_contacts() {
    let dir = std::env::temp_dir().join(format!("oxpim-contact-interop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let parsed = oxpim::parse(CARDS.as_bytes());
    let imported =
        oxpim::cards_to_contacts(&parsed.document, oxpim::ContactImportOptions::default());
    assert!(
        imported.diagnostics.is_empty(),
        "{:?}",
        imported.diagnostics
    );
    let mut files = Vec::new();
    for (i, m) in imported.messages.iter().enumerate() {
        let p = dir.join(format!("c{i}.msg"));
        std::fs::write(&p, oxpim::msg::to_bytes(m).unwrap()).unwrap();
        files.push(p);
    }
    let seen = python_read(&files);
    let _ = std::fs::remove_dir_all(&dir);
    let Some(seen) = seen else {
        return;
    };
    let a = &seen[0];
    let want = [
        ("class", "IPM.Contact"),
        ("displayName", "Zoë Ångström-Łukasz"),
        ("surname", "Ångström-Łukasz"),
        ("givenName", "Zoë"),
        ("middleName", "Marie"),
        ("displayNamePrefix", "Dr."),
        ("generation", "Jr."),
        ("companyName", "Café Zürich AG"),
        ("departmentName", "Küche"),
        ("jobTitle", "Chefköchin"),
        ("fileUnder", "Ångström-Łukasz, Zoë Marie"),
        ("email1EmailAddress", "zoe@example.com"),
        ("email1AddressType", "SMTP"),
        ("email1DisplayName", "Zoë Ångström-Łukasz (zoe@example.com)"),
        ("email2EmailAddress", "zoe@home.example"),
        ("email3EmailAddress", "zoe@third.example"),
        ("businessTelephoneNumber", "+41 44 000 00 01"),
        ("homeTelephoneNumber", "+41 44 000 00 02"),
        ("mobileTelephoneNumber", "+41 79 000 00 03"),
        ("businessFaxNumber", "+41 44 000 00 04"),
        ("businessFaxAddressType", "FAX"),
        (
            "businessFaxEmailAddress",
            "Zoë Ångström-Łukasz@+41 44 000 00 04",
        ),
        ("workAddressStreet", "Bahnhofstrasse 1"),
        ("workAddressLocality", "Zürich"),
        ("workAddressPostalCode", "8001"),
        ("workAddressCountry", "Schweiz"),
        ("homeAddressStreet", "Seeweg 2"),
        ("homeAddressLocality", "Küsnacht"),
        ("mailAddressStreet", "Bahnhofstrasse 1"),
        ("businessHomePage", "https://cafe.example"),
        ("instantMessagingAddress", "zoe@im.example"),
        ("birthday", "1985-04-12T11:59"),
        ("birthdayLocal", "1985-04-12T00:00"),
    ];
    for (k, v) in want {
        assert_eq!(a[k], v, "{k}: {a}");
    }
    assert_eq!(a["postalAddressID"], 2, "{a}");
    assert_eq!(a["hasPicture"], true, "{a}");
    assert_eq!(a["photo"], 13, "{a}");
    let b = &seen[1];
    assert_eq!(b["displayName"], "Bo Kim");
    assert_eq!(b["email1EmailAddress"], "bo@example.org");
    assert_eq!(b["mobileTelephoneNumber"], "+1-555-0100");
    assert_eq!(b["birthday"], "1999-12-31T11:59");
}
