#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| humanos_fuzz::body_reading(data));
