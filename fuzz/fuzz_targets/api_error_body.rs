#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| humanos_fuzz::api_error_body(data));
