//! Helpers shared by the integration tests that measure memory: the cases
//! of one test binary run one at a time, and the process's peak resident
//! set is read and reset through `/proc` (Linux).

#![allow(dead_code, clippy::unwrap_used)]

use std::sync::{Mutex, MutexGuard};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Held for a whole test, so that the other tests' allocations do not
/// show in its memory.
pub fn serial() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// A `/proc/self/status` field in bytes (`VmRSS:`, `VmHWM:`).
pub fn status(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Resets the peak resident set to the current one; false where the
/// kernel does not allow it.
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Growth of the peak resident set while `f` runs, or `None` where it
/// cannot be measured.
pub fn peak_growth(f: impl FnOnce()) -> Option<u64> {
    if !reset_peak() {
        return None;
    }
    let base = status("VmRSS:")?;
    f();
    Some(status("VmHWM:")?.saturating_sub(base))
}

/// The external corpus: `$OXPIM_CORPUS`, else `../shared/corpus` beside the
/// repository (it may not exist).
pub fn corpus_dir() -> std::path::PathBuf {
    std::env::var_os("OXPIM_CORPUS").map_or_else(
        || std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
        std::path::PathBuf::from,
    )
}

/// Every file under `dir`, sorted (none if it does not exist).
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
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

/// A VTIMEZONE with Europe/Berlin's current rules under `tzid`.
pub fn berlin_rules(tzid: &str) -> String {
    format!(
        "BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
    )
}
