//! `kiln print [TARGET|GROUP]...`: the resolved targets as JSON, like `docker buildx bake
//! --print`, for YAML and HCL alike. `inherits` and `matrix` are applied, and `${NAME}` in
//! target fields is expanded with the target's args, the `--var`/`--build-arg` values and
//! the file's arg defaults. Keys are bake's (`cache-from`, `cache-to`).

use crate::load::{VarArgs, build_files, checked_files};
use crate::output::outln;
use kiln_dsl::BuildFile;
use kiln_lowering::GivenArgs;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct PrintArgs {
    /// Targets or groups to print (default: what a build with no target builds: the `default`
    /// group, else the only target; see docs/format.md, "What a build builds").
    names: Vec<String>,
    /// The build file (default `kiln.yaml`, else `kiln.hcl` and `kiln.override.hcl`);
    /// repeat for several HCL files, read in order, later ones overriding earlier ones.
    #[arg(short, long)]
    file: Vec<PathBuf>,
    #[command(flatten)]
    vars: VarArgs,
}

pub fn run(args: &PrintArgs) -> ExitCode {
    let checked = match checked_files(&build_files(&args.file), &args.vars, &[]) {
        Ok(c) => c,
        Err(code) => return ExitCode::from(code),
    };
    let model = checked.model();
    let given = match args.vars.options() {
        Ok(options) => options.vars,
        Err(code) => return ExitCode::from(code),
    };
    match plan(model, &args.names, &given) {
        Ok(plan) => {
            let text = serde_json::to_string_pretty(&plan).expect("JSON values serialize");
            outln!("{text}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("kiln: {message}");
            ExitCode::from(1)
        }
    }
}

/// `{"group": {...}, "target": {...}}` for the names asked (groups expanded, each target once,
/// in the order first reached), by the selection rule every entry point shares.
pub fn plan(
    model: &BuildFile,
    names: &[String],
    given: &BTreeMap<String, String>,
) -> Result<Value, String> {
    let names = matched_names(model, names)?;
    let reached = kiln_lowering::reach(model, &names)?;
    let mut groups = Map::new();
    for name in &reached.groups {
        let group = &model.groups[name.as_str()];
        let mut entry = Map::new();
        if let Some(description) = &group.description {
            entry.insert("description".into(), description.clone().into());
        }
        let members: Vec<&str> = group.targets.iter().map(|t| t.value.as_str()).collect();
        entry.insert("targets".into(), json!(members));
        groups.insert(name.clone(), Value::Object(entry));
    }
    let mut out = Map::new();
    for name in reached.targets {
        let json = target_json(model, &name, given);
        out.insert(name, json);
    }
    Ok(json!({ "group": groups, "target": out }))
}

/// Names with `*` or `?` are globs over the targets and groups, as in bake (`kiln print
/// 'api-*'`); one that matches nothing is an error.
fn matched_names(model: &BuildFile, names: &[String]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for name in names {
        if !name.contains(['*', '?']) {
            out.push(name.clone());
            continue;
        }
        let glob = kiln_dsl::hcl_front::overrides::glob;
        let all = model.targets.keys().chain(model.groups.keys());
        let found: Vec<String> = all
            .filter(|n| glob(name, &n.value))
            .map(|n| n.value.clone())
            .collect();
        if found.is_empty() {
            return Err(format!("no target or group matches `{name}`"));
        }
        out.extend(found);
    }
    Ok(out)
}

/// A target's fields with `${NAME}` expanded from its args' values (the one arg rule, with
/// `given` as the `--var` values).
fn target_json(model: &BuildFile, name: &str, given: &BTreeMap<String, String>) -> Value {
    let Some(target) = model.targets.get(name) else {
        // A stage built as a target of its own.
        return json!({ "stage": name });
    };
    let no_build_args = BTreeMap::new();
    let rule = GivenArgs {
        build_args: &no_build_args,
        arg_values: given,
    };
    let values = kiln_lowering::arg_values_as_written(model, Some(target), rule);
    let mut value = serde_json::to_value(target).expect("the model serializes");
    expand_strings(&mut value, &values);
    bake_cache_keys(&mut value);
    value
}

/// `cache_from` and `cache_to` under bake's names, `cache-from` and `cache-to`. Entries that
/// expand to nothing are dropped, as bake drops them (`"${CACHE_TO}"` with an empty default
/// turns a cache off); a list left empty is left out, like every empty field.
fn bake_cache_keys(target: &mut Value) {
    let Some(fields) = target.as_object_mut() else {
        return;
    };
    for (ours, bakes) in [("cache_from", "cache-from"), ("cache_to", "cache-to")] {
        let Some(Value::Array(mut entries)) = fields.remove(ours) else {
            continue;
        };
        entries.retain(|e| e.as_str() != Some(""));
        if !entries.is_empty() {
            fields.insert(bakes.into(), Value::Array(entries));
        }
    }
}

/// Expand `${NAME}` where every name is known; leave the rest as written.
fn expand_strings(value: &mut Value, values: &BTreeMap<String, Option<String>>) {
    match value {
        Value::String(s) => *s = kiln_lowering::expand_known(s, values),
        Value::Array(items) => items.iter_mut().for_each(|v| expand_strings(v, values)),
        Value::Object(map) => map.values_mut().for_each(|v| expand_strings(v, values)),
        _ => {}
    }
}
