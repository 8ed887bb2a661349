//! The YAML fast path against the full parser: wherever the fast path reads a file, it must
//! build the very tree (values and spans) the full parser builds.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(difference) = kiln_dsl::yaml::fast_path_agrees(text) {
        panic!("the YAML fast path differs from the full parser on {text:?}:\n{difference}");
    }
});
