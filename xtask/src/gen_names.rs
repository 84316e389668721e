//! `cargo xtask gen-names`: `crates/oxpim-mapi/data/properties.tsv` →
//! `crates/oxpim-mapi/src/generated.rs`.
//!
//! The table has the columns `name kind set id type`: kind is `tag`, `lid`
//! or `string`; set is `-` for tags or a set constant of `oxpim_mapi::sets`;
//! id is `0xIIII` (tag ID or LID) or the string name; type is a `Ptyp…`
//! name. Lines starting with `#` and blank lines are skipped.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub name: String,
    pub kind: Kind,
    pub ptype: String,
}

/// The identity column of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Tag(u16),
    Lid(String, u32),
    Name(String, String),
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn table_path() -> PathBuf {
    root().join("crates/oxpim-mapi/data/properties.tsv")
}

pub fn generated_path() -> PathBuf {
    root().join("crates/oxpim-mapi/src/generated.rs")
}

pub fn main(_args: &[String]) -> ExitCode {
    let run = || -> Result<usize, String> {
        let tsv = std::fs::read_to_string(table_path()).map_err(|e| e.to_string())?;
        let rows = parse(&tsv)?;
        std::fs::write(generated_path(), render(&rows)).map_err(|e| e.to_string())?;
        Ok(rows.len())
    };
    match run() {
        Ok(n) => {
            println!("wrote {} ({n} properties)", generated_path().display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen-names: {e}");
            ExitCode::FAILURE
        }
    }
}

fn hex(s: &str, line: usize) -> Result<u32, String> {
    s.strip_prefix("0x")
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .ok_or_else(|| format!("line {line}: `{s}` is not 0x-hex"))
}

/// Reads the table, checking every row and that names and identities are
/// unique.
pub fn parse(tsv: &str) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    let mut lines = tsv.lines().enumerate();
    match lines.next() {
        Some((_, h)) if h.trim_end() == "name\tkind\tset\tid\ttype" => {}
        _ => return Err("line 1: header must be `name\\tkind\\tset\\tid\\ttype`".into()),
    }
    let (mut names, mut keys, mut consts) = (HashSet::new(), HashSet::new(), HashSet::new());
    for (i, line) in lines {
        let n = i + 1;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [name, kind, set, id, ty] = cols[..] else {
            return Err(format!("line {n}: expected 5 tab-separated columns"));
        };
        if !ty.starts_with("Ptyp") || !ty.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(format!("line {n}: `{ty}` is not a Ptyp… type"));
        }
        let (prefix, k) = match kind {
            "tag" => {
                let v = hex(id, n)?;
                let id = u16::try_from(v).map_err(|_| format!("line {n}: tag ID too large"))?;
                if set != "-" {
                    return Err(format!("line {n}: a tag has no set (use -)"));
                }
                ("PidTag", Kind::Tag(id))
            }
            "lid" => ("PidLid", Kind::Lid(set.to_owned(), hex(id, n)?)),
            "string" => ("PidName", Kind::Name(set.to_owned(), id.to_owned())),
            _ => return Err(format!("line {n}: kind `{kind}` is not tag, lid or string")),
        };
        if !name.starts_with(prefix) || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(format!("line {n}: `{name}` must be a {prefix}… name"));
        }
        if !matches!(k, Kind::Tag(_))
            && (!set.starts_with("PS")
                || !set.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        {
            return Err(format!("line {n}: `{set}` is not a property set name"));
        }
        if id.contains('"') || id.contains('\\') {
            return Err(format!(
                "line {n}: string names with quotes are not supported"
            ));
        }
        let key = match &k {
            Kind::Tag(t) => format!("tag {t:04X} {ty}"),
            Kind::Lid(s, l) => format!("lid {s} {l:X}"),
            Kind::Name(s, nm) => format!("name {s} {nm}"),
        };
        if !names.insert(name.to_owned()) {
            return Err(format!("line {n}: `{name}` listed twice"));
        }
        if !keys.insert(key.clone()) {
            return Err(format!("line {n}: {key} listed twice"));
        }
        if !consts.insert(screaming(name)) {
            return Err(format!(
                "line {n}: constant {} listed twice",
                screaming(name)
            ));
        }
        rows.push(Row {
            name: name.to_owned(),
            kind: k,
            ptype: ty.to_owned(),
        });
    }
    rows.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    Ok(rows)
}

/// `PidLidEmail1EmailAddress` → `PID_LID_EMAIL1_EMAIL_ADDRESS`.
pub fn screaming(camel: &str) -> String {
    let chars: Vec<char> = camel.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = if i > 0 {
            chars.get(i - 1).copied()
        } else {
            None
        };
        let next = chars.get(i + 1).copied();
        if c.is_ascii_uppercase()
            && let Some(p) = prev
        {
            let boundary = p.is_ascii_lowercase()
                || p.is_ascii_digit()
                || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()));
            if boundary {
                out.push('_');
            }
        }
        if c == '_' {
            if !out.ends_with('_') {
                out.push('_');
            }
            continue;
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

fn doc_line(r: &Row) -> String {
    match &r.kind {
        Kind::Tag(id) => format!("{} (tag 0x{id:04X}, {}).", r.name, r.ptype),
        Kind::Lid(s, l) => format!("{} ({s} LID 0x{l:04X}, {}).", r.name, r.ptype),
        Kind::Name(s, n) => format!("{} ({s} \"{n}\", {}).", r.name, r.ptype),
    }
}

/// The Rust source of `generated.rs`.
pub fn render(rows: &[Row]) -> String {
    let mut s = String::new();
    s.push_str(
        "// @generated by `cargo xtask gen-names` from data/properties.tsv. Do not edit.\n\n\
         use crate::props::{PropDef, PropId};\n\
         use crate::sets;\n\
         use crate::types::PropType;\n\n\
         const fn def(name: &'static str, id: PropId, ptype: PropType) -> PropDef {\n    \
             PropDef { name, id, ptype }\n}\n\n",
    );
    for r in rows {
        let id = match &r.kind {
            Kind::Tag(id) => format!("PropId::Tag(0x{id:04X})"),
            Kind::Lid(set, l) => format!("PropId::Lid(sets::{set}, 0x{l:04X})"),
            Kind::Name(set, n) => format!("PropId::Name(sets::{set}, \"{n}\")"),
        };
        let ty = screaming(r.ptype.trim_start_matches("Ptyp"));
        let _ = writeln!(
            s,
            "/// {}\npub const {}: PropDef = def(\"{}\", {id}, PropType::{ty});",
            doc_line(r),
            screaming(&r.name),
            r.name
        );
    }
    s.push_str("\n/// Every property of the table, sorted by name.\npub(crate) static ALL: &[PropDef] = &[\n");
    for r in rows {
        let _ = writeln!(s, "    {},", screaming(&r.name));
    }
    s.push_str("];\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screaming_names() {
        assert_eq!(
            screaming("PidLidEmail1EmailAddress"),
            "PID_LID_EMAIL1_EMAIL_ADDRESS"
        );
        assert_eq!(screaming("PidTagRtfInSync"), "PID_TAG_RTF_IN_SYNC");
        assert_eq!(
            screaming("PidLidFExceptionalBody"),
            "PID_LID_F_EXCEPTIONAL_BODY"
        );
        assert_eq!(screaming("MultipleInteger16"), "MULTIPLE_INTEGER16");
        assert_eq!(screaming("PidTagSmtpAddress"), "PID_TAG_SMTP_ADDRESS");
    }

    #[test]
    fn bad_rows_are_reported_with_their_line() {
        let h = "name\tkind\tset\tid\ttype\n";
        let e = parse(&format!("{h}PidTagX\ttag\t-\t0x10000\tPtypString\n")).unwrap_err();
        assert!(e.starts_with("line 2:"), "{e}");
        let e = parse(&format!(
            "{h}# c\nPidTagA\ttag\t-\t0x0001\tPtypString\nPidTagB\ttag\t-\t0x0001\tPtypString\n"
        ))
        .unwrap_err();
        assert!(e.starts_with("line 4:") && e.contains("twice"), "{e}");
        assert!(parse("name\tkind\n").is_err());
        assert!(parse(&format!("{h}PidLidA\tlid\tnot a set\t0x8001\tPtypString\n")).is_err());
    }

    /// The committed `generated.rs` is what the committed table produces.
    #[test]
    fn generated_file_is_current() {
        let tsv = std::fs::read_to_string(table_path()).unwrap();
        let want = render(&parse(&tsv).unwrap());
        let have = std::fs::read_to_string(generated_path()).unwrap();
        assert!(
            want == have,
            "crates/oxpim-mapi/src/generated.rs is stale: run `cargo xtask gen-names`"
        );
    }
}
