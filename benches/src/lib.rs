//! Shared helpers for oxpim's benchmarks: the generated input files.
//!
//! Inputs come from `../shared/tools/gen_ics.py` (deterministic); they are
//! written to `target/bench-data/` on first use and never committed.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Events per megabyte of generated calendar (measured: 300 events make
/// 1.20 MB).
pub const EVENTS_PER_MB: usize = 250;

/// Where generated inputs live.
pub fn data_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    std::env::var_os("OXPIM_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/bench-data"))
}

/// The generator script.
pub fn generator() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    std::env::var_os("OXPIM_GEN_ICS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/tools/gen_ics.py"))
}

/// Returns (generating on first use) a calendar of about `mb` megabytes,
/// with LF line breaks when `lf`.
pub fn calendar(mb: usize, lf: bool) -> std::io::Result<Vec<u8>> {
    let dir = data_dir();
    std::fs::create_dir_all(&dir)?;
    let name = format!("gen-{mb}mb{}.ics", if lf { "-lf" } else { "" });
    let path = dir.join(&name);
    if !path.exists() {
        let events = (mb * EVENTS_PER_MB).max(1).to_string();
        let mut cmd = Command::new("python3");
        cmd.arg(generator())
            .args(["--events", &events, "--seed", "1", "--out"])
            .arg(&path);
        if lf {
            cmd.arg("--lf");
        }
        let status = cmd.status()?;
        if !status.success() {
            return Err(std::io::Error::other(format!(
                "gen_ics.py failed for {name}"
            )));
        }
    }
    std::fs::read(path)
}

/// Peak resident set size of this process in bytes (Linux `VmHWM`).
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
