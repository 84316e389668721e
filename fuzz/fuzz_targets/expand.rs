//! Fuzz target `expand`: see `oxpim::fuzz_targets::expand`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oxpim::fuzz_targets::expand(data);
});
