//! The `.dockerignore` matcher: patterns (before the first NUL), then paths to match.
#![no_main]
use kiln_request::dockerignore::Ignore;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (patterns, paths) = kiln_fuzz::split_at_nul(data);
    let Ok(ignore) = Ignore::parse(&String::from_utf8_lossy(patterns)) else { return };
    for path in String::from_utf8_lossy(paths).lines().take(64) {
        let _ = ignore.excludes(path);
    }
});
