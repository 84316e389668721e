//! Fuzz target `msg_read`: see `oxpim::fuzz_targets::msg_read`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oxpim::fuzz_targets::msg_read(data);
});
