//! Fuzz target `parse`: see `oxpim::fuzz_targets::parse`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oxpim::fuzz_targets::parse(data);
});
