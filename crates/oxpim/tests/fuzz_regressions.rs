//! Replays the fuzz targets' inputs on the stable toolchain: every crash
//! `cargo xtask fuzz` kept (`fuzz/regressions/<target>/`), and every file of
//! the external corpus through the targets that take its kind (so the
//! targets' own checks are known to hold on real files).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use oxpim::fuzz_targets::TARGETS;

mod common;
use common::{corpus_dir, files_under as files};

fn passes(body: fn(&[u8]), path: &Path) -> bool {
    let data = std::fs::read(path).unwrap();
    std::panic::catch_unwind(|| body(&data)).is_ok()
}

/// The time a kept `timeout-` input may take here: libFuzzer's bound in an
/// unoptimised build, where the fuzzer's own build is optimised.
fn time_limit() -> std::time::Duration {
    std::time::Duration::from_secs(if cfg!(debug_assertions) { 60 } else { 5 })
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
            let start = std::time::Instant::now();
            assert!(
                passes(*body, &f),
                "fuzz target {name} fails on {}",
                f.display()
            );
            // A kept timeout stays fixed only if it is now quick; a kept
            // out-of-memory input, only if the replay did not need the
            // memory (the process would have been killed).
            let kind = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if kind.starts_with("timeout-") || kind.starts_with("slow-unit-") {
                let took = start.elapsed();
                assert!(
                    took < time_limit(),
                    "fuzz target {name} still takes {took:?} on {}",
                    f.display()
                );
            }
            n += 1;
        }
    }
    // The kept inputs are in the repository: finding none means the path broke.
    assert!(n > 0, "no kept fuzz inputs under {}", root.display());
    eprintln!("{n} kept fuzz inputs replayed");
}

#[test]
fn corpus_files_pass_the_targets() {
    let dir = corpus_dir();
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
        ("rtf", &["msg"]),
    ];
    let mut failed = Vec::new();
    let mut replayed = 0usize;
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
                replayed += 1;
                if !passes(*body, &f) {
                    failed.push(format!("{name}: {}", f.display()));
                }
            }
        }
    }
    assert!(
        replayed > 0,
        "no corpus files found under {}",
        dir.display()
    );
    eprintln!("{replayed} corpus files replayed through the targets");
    assert!(
        failed.is_empty(),
        "{} failures:\n{}",
        failed.len(),
        failed.join("\n")
    );
}
