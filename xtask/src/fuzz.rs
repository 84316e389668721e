//! `cargo xtask fuzz [--seconds N] [--target NAME] [--corpus DIR]`: runs every
//! cargo-fuzz target of `fuzz/` in turn for N seconds (default 60) with a
//! nightly toolchain, seeded from the external corpus (read in place), and
//! keeps each crash as a regression input in `fuzz/regressions/<target>/`,
//! which `crates/oxpim/tests/fuzz_regressions.rs` replays on stable.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The targets (as in `fuzz/Cargo.toml` and `oxpim::fuzz_targets::TARGETS`)
/// and the corpus folders that seed them.
const TARGETS: &[(&str, &[&str])] = &[
    ("lexer", &["ical", "vcal", "vcard"]),
    ("parse", &["ical", "vcal", "vcard"]),
    ("roundtrip", &["ical", "vcal", "vcard"]),
    ("expand", &["ical", "vcal"]),
    ("msg_read", &["msg"]),
    ("ical_mapi", &["ical", "vcal"]),
    ("vcard_contact", &["vcard"]),
    ("rtf", &["msg"]),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The nightly toolchain to run cargo-fuzz with: `$OXPIM_FUZZ_TOOLCHAIN`, or
/// `nightly` when rustup lists one.
fn nightly() -> Option<String> {
    if let Ok(t) = std::env::var("OXPIM_FUZZ_TOOLCHAIN") {
        return Some(t);
    }
    let out = Command::new("rustup")
        .args(["toolchain", "list"])
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.starts_with("nightly"))
        .map(|_| "nightly".to_owned())
}

fn new_files(dir: &Path, before: &[PathBuf]) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| !before.contains(p));
    v.sort();
    v
}

/// A file under `dir` with exactly these bytes.
fn same_file_under(dir: &Path, bytes: &[u8]) -> Option<PathBuf> {
    crate::conformance::files_under(dir, &[])
        .into_iter()
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.len() == bytes.len() as u64)
                && std::fs::read(p).is_ok_and(|b| b == bytes)
        })
}

/// `cargo xtask fuzz [--seconds N] [--target T] [--corpus DIR]`: runs the
/// cargo-fuzz targets in turn and keeps what fails under `fuzz/regressions/`.
pub fn main(args: &[String]) -> ExitCode {
    let mut seconds = 60u64;
    let mut only: Option<String> = None;
    let mut corpus = root().join("../shared/corpus");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seconds" => match it.next().and_then(|s| s.parse().ok()) {
                Some(n) => seconds = n,
                None => {
                    eprintln!("--seconds needs a number");
                    return ExitCode::from(2);
                }
            },
            "--target" => only = it.next().cloned(),
            "--corpus" => {
                if let Some(c) = it.next() {
                    corpus = PathBuf::from(c);
                }
            }
            other => {
                eprintln!("unknown argument {other}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(toolchain) = nightly() else {
        eprintln!(
            "no nightly toolchain: cargo-fuzz needs one (rustup toolchain list; or set OXPIM_FUZZ_TOOLCHAIN)"
        );
        return ExitCode::from(2);
    };
    let probe = Command::new("cargo")
        .args([&format!("+{toolchain}"), "fuzz", "--version"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("cargo-fuzz is not installed: cargo install cargo-fuzz --locked");
        return ExitCode::from(2);
    }
    let fuzz = root().join("fuzz");
    let mut crashed = Vec::new();
    for (name, seeds) in TARGETS {
        if only.as_deref().is_some_and(|o| o != *name) {
            continue;
        }
        // The first corpus folder is the fuzzer's own (written to); the
        // external corpus only seeds it.
        let work = root().join("target/fuzz-corpus").join(name);
        if let Err(e) = std::fs::create_dir_all(&work) {
            eprintln!("{}: {e}", work.display());
            return ExitCode::from(2);
        }
        let artifacts = fuzz.join("artifacts").join(name);
        let _ = std::fs::create_dir_all(&artifacts);
        let before = new_files(&artifacts, &[]);
        let mut cmd = Command::new("cargo");
        cmd.current_dir(&fuzz)
            .args([&format!("+{toolchain}"), "fuzz", "run", name])
            .arg(&work);
        for s in *seeds {
            let d = corpus.join(s);
            if d.is_dir() {
                cmd.arg(d);
            }
        }
        cmd.arg("--").args([
            format!("-max_total_time={seconds}"),
            "-timeout=20".to_owned(),
            "-rss_limit_mb=2048".to_owned(),
            "-max_len=262144".to_owned(),
            format!("-artifact_prefix={}/", artifacts.display()),
        ]);
        println!("== fuzz {name} for {seconds} s");
        let ok = cmd.status().is_ok_and(|s| s.success());
        let found = new_files(&artifacts, &before);
        if ok && found.is_empty() {
            continue;
        }
        let keep = fuzz.join("regressions").join(name);
        let mut any = !ok;
        for f in &found {
            let Some(file) = f.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            // slow-unit-* files are reports, not failures.
            if !["crash-", "timeout-", "oom-", "leak-"]
                .iter()
                .any(|p| file.starts_with(p))
            {
                continue;
            }
            any = true;
            let Ok(bytes) = std::fs::read(f) else {
                continue;
            };
            // A seed from the external corpus is not copied into the
            // repository: the corpus replay test covers it.
            if let Some(seed) = seeds
                .iter()
                .find_map(|s| same_file_under(&corpus.join(s), &bytes))
            {
                println!(
                    "{file} is the corpus file {} (replayed by fuzz_regressions::corpus_files_pass_the_targets)",
                    seed.display()
                );
                continue;
            }
            let _ = std::fs::create_dir_all(&keep);
            let to = keep.join(file);
            if std::fs::write(&to, &bytes).is_ok() {
                println!("kept {} as a regression input", to.display());
            }
        }
        if any {
            crashed.push(name.to_string());
        }
    }
    if crashed.is_empty() {
        println!("no crashes");
        ExitCode::SUCCESS
    } else {
        println!(
            "crashes in {}; inputs kept in fuzz/regressions/ (cargo test -p oxpim --test fuzz_regressions replays them)",
            crashed.join(", ")
        );
        ExitCode::FAILURE
    }
}
