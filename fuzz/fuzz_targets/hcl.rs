//! An HCL build file: parse, evaluate, check, report, compile.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let checked = kiln_dsl::check_bytes("fuzz.kiln.hcl", data, &kiln_dsl::Limits::default());
    kiln_fuzz::render_reports(&checked);
    kiln_fuzz::compile_all(&checked, &Default::default());
});
