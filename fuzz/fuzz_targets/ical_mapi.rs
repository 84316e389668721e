//! Fuzz target `ical_mapi`: see `oxpim::fuzz_targets::ical_mapi`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oxpim::fuzz_targets::ical_mapi(data);
});
