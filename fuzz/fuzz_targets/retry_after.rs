#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| humanos_fuzz::retry_after(data));
