//! Fuzz target `vcard_contact`: see `oxpim::fuzz_targets::vcard_contact`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oxpim::fuzz_targets::vcard_contact(data);
});
