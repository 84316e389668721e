//! Fuzz target `roundtrip`: see `oxpim::fuzz_targets::roundtrip`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oxpim::fuzz_targets::roundtrip(data);
});
