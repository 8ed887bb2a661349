//! `kiln print` planning: `NAME=VALUE` variable overrides and `+name` targets (lines before
//! the first NUL), then a build file (YAML, or HCL when it starts with `#hcl`); the
//! selection rule over the names, and every reached target's arg values.
#![no_main]
use kiln_lowering::{GivenArgs, arg_values_as_written, reach};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let (head, file) = kiln_fuzz::split_at_nul(data);
    let vars: BTreeMap<String, String> = kiln_fuzz::pairs(head).into_iter().collect();
    let names: Vec<String> = String::from_utf8_lossy(head)
        .lines()
        .filter_map(|l| l.strip_prefix('+'))
        .map(str::to_string)
        .collect();
    let name = if file.starts_with(b"#hcl") { "fuzz.kiln.hcl" } else { "fuzz.kiln.yaml" };
    let options = kiln_dsl::check::Options {
        vars: kiln_dsl::hcl_front::HclOptions { vars: vars.clone(), ..Default::default() },
        ..Default::default()
    };
    let checked = kiln_dsl::check_bytes_with(name, file, &kiln_dsl::Limits::default(), &options);
    let Some(model) = checked.model.as_ref().filter(|_| !checked.has_errors()) else {
        return;
    };
    let Ok(reached) = reach(model, &names) else { return };
    let empty = BTreeMap::new();
    let given = GivenArgs { build_args: &empty, arg_values: &vars };
    for target in reached.targets.iter().take(8) {
        let target = model.targets.get(target.as_str());
        let _ = arg_values_as_written(model, target, given);
    }
});
