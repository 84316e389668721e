//! Replays the fuzz targets' inputs on the stable toolchain: every crash
//! `cargo xtask fuzz` kept (`fuzz/regressions/<target>/`), and every file of
//! the external corpus through the targets that take its kind (so the
//! targets' own checks are known to hold on real files).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use oxpim::fuzz_targets::TARGETS;

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn passes(body: fn(&[u8]), path: &Path) -> bool {
    let data = std::fs::read(path).unwrap();
    std::panic::catch_unwind(|| body(&data)).is_ok()
}

#[test]
fn kept_crashes_stay_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    let mut n = 0;
    for (name, body) in TARGETS {
        for f in files(&root.join(name)) {
            if f.file_name().is_some_and(|n| n == "README.md") {
                continue;
            }
            assert!(
                passes(*body, &f),
                "fuzz target {name} fails on {}",
                f.display()
            );
            n += 1;
        }
    }
    eprintln!("{n} kept fuzz inputs replayed");
}

#[test]
fn corpus_files_pass_the_targets() {
    let dir = std::env::var_os("OXPIM_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
        PathBuf::from,
    );
    if !dir.is_dir() {
        assert!(
            std::env::var("OXPIM_REQUIRE_EXTERNAL").as_deref() != Ok("1"),
            "corpus not found at {} and OXPIM_REQUIRE_EXTERNAL=1",
            dir.display()
        );
        eprintln!("SKIPPED: no corpus at {}", dir.display());
        return;
    }
    let kinds: &[(&str, &[&str])] = &[
        ("lexer", &["ical", "vcal", "vcard", "recur"]),
        ("parse", &["ical", "vcal", "vcard"]),
        ("roundtrip", &["ical", "vcal", "vcard"]),
        ("expand", &["ical", "vcal"]),
        ("msg_read", &["msg"]),
        ("ical_mapi", &["ical", "vcal"]),
        ("vcard_contact", &["vcard"]),
    ];
    let mut failed = Vec::new();
    for (name, body) in TARGETS {
        let subdirs = kinds
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, k)| *k)
            .unwrap_or(&[]);
        for sub in subdirs {
            for f in files(&dir.join(sub)) {
                let ext = f.extension().and_then(|e| e.to_str()).unwrap_or("");
                if matches!(
                    ext,
                    "json" | "tsv" | "md" | "txt" | "xml" | "png" | "jpg" | "ogg"
                ) {
                    continue;
                }
                if *name == "msg_read" && ext != "msg" {
                    continue;
                }
                if !passes(*body, &f) {
                    failed.push(format!("{name}: {}", f.display()));
                }
            }
        }
    }
    assert!(
        failed.is_empty(),
        "{} failures:\n{}",
        failed.len(),
        failed.join("\n")
    );
}
