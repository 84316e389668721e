//! Fuzz target `lexer`: see `oxpim::fuzz_targets::lexer`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oxpim::fuzz_targets::lexer(data);
});
