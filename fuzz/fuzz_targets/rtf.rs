//! Fuzz target `rtf`: see `oxpim::fuzz_targets::rtf`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oxpim::fuzz_targets::rtf(data);
});
