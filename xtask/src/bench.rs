//! `cargo xtask bench` (filled in with the benchmark crate).

use std::process::ExitCode;

pub fn main(_args: &[String]) -> ExitCode {
    eprintln!("bench: not wired yet");
    ExitCode::from(2)
}
