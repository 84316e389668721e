//! `cargo xtask`: project automation.
//!
//! - `cargo xtask conformance [--corpus DIR] [--update-baseline]` runs the
//!   conformance suites over an external corpus (read only, never copied)
//!   and exits non-zero on a regression: a failure not listed in
//!   `xtask/conformance-baseline.tsv`.
//! - `cargo xtask bench` runs the criterion benches and writes
//!   `docs/benchmarks.md`.
//! - `cargo xtask fuzz [--seconds N] [--target NAME]` runs the cargo-fuzz
//!   targets of `fuzz/` in turn (nightly) and keeps crashes as regression
//!   inputs (see `fuzz/README.md`).
//! - `cargo xtask gen-names` regenerates the canonical MAPI property names
//!   (`crates/oxpim-mapi/src/generated.rs`) from `data/properties.tsv`.

mod bench;
mod conformance;
mod fuzz;
mod gen_names;
mod mapi_suites;
mod recur_suites;

use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!(
        "usage:\n  cargo xtask conformance [--corpus DIR] [--update-baseline] [--verbose]\n  cargo xtask bench [--quick] [--no-run]\n  cargo xtask fuzz [--seconds N] [--target NAME] [--corpus DIR]\n  cargo xtask gen-names"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("conformance") => conformance::main(args.get(1..).unwrap_or_default()),
        Some("bench") => bench::main(args.get(1..).unwrap_or_default()),
        Some("fuzz") => fuzz::main(args.get(1..).unwrap_or_default()),
        Some("gen-names") => gen_names::main(args.get(1..).unwrap_or_default()),
        _ => usage(),
    }
}
