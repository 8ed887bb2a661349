//! The frontend's request path in memory: BuildKit's environment (`NAME=VALUE` lines before
//! the first NUL, e.g. `BUILDKIT_FRONTEND_OPT_0=target=app`), then the build file; the
//! request is parsed, the file checked and compiled as the frontend does, offline.
#![no_main]
use kiln_request::{options::Options, request::Request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (head, file) = kiln_fuzz::split_at_nul(data);
    let options = Options::from_vars(kiln_fuzz::pairs(head));
    let Ok(request) = Request::parse(&options) else { return };
    let checked = request.check(file);
    kiln_fuzz::render_reports(&checked);
    let Some(model) = checked.model.as_ref().filter(|_| !checked.has_errors()) else {
        return;
    };
    let base = request.lower_options(None, Default::default(), Vec::new());
    let platforms: Vec<String> = request.platforms.iter().take(4).cloned().collect();
    let compiled = kiln_fuzz::ready(kiln_lowering::compile(
        model,
        &checked.file,
        &base,
        &platforms,
        &mut kiln_lowering::Offline,
    ));
    let _ = compiled.map(|c| c.builds.len());
});
