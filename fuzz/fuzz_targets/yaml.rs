//! A YAML build file: parse, check, report, compile.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let checked = kiln_dsl::check_bytes("fuzz.kiln.yaml", data, &kiln_dsl::Limits::default());
    kiln_fuzz::render_reports(&checked);
    kiln_fuzz::compile_all(&checked, &Default::default());
});
