//! `kiln print [TARGET|GROUP]...`: the resolved targets as JSON, like `docker buildx bake
//! --print`, for YAML and HCL alike. `inherits` and `matrix` are applied, and `${NAME}` in
//! target fields is expanded with the target's args, the `--var`/`--build-arg` values and
//! the file's arg defaults. Keys are bake's (`cache-from`, `cache-to`).

use crate::load::{VarArgs, checked_model};
use kiln_dsl::BuildFile;
use kiln_dsl::interpolate;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct PrintArgs {
    /// Targets or groups to print (default: the `default` group, else every target).
    names: Vec<String>,
    /// The build file.
    #[arg(short, long, default_value = "kiln.yaml")]
    file: PathBuf,
    #[command(flatten)]
    vars: VarArgs,
}

pub fn run(args: &PrintArgs) -> ExitCode {
    let checked = match checked_model(&args.file, &args.vars) {
        Ok(c) => c,
        Err(code) => return ExitCode::from(code),
    };
    let model = checked
        .model
        .as_ref()
        .expect("checked_model returns a model");
    let given = match args.vars.options() {
        Ok(options) => options.vars,
        Err(code) => return ExitCode::from(code),
    };
    match plan(model, &args.names, &given) {
        Ok(plan) => {
            let text = serde_json::to_string_pretty(&plan).expect("JSON values serialize");
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("kiln: {message}");
            ExitCode::from(1)
        }
    }
}

/// `{"group": {...}, "target": {...}}` for the names asked (groups expanded, each target once,
/// in the order first reached).
pub fn plan(
    model: &BuildFile,
    names: &[String],
    given: &BTreeMap<String, String>,
) -> Result<Value, String> {
    let asked: Vec<String> = if !names.is_empty() {
        names.to_vec()
    } else if model.groups.contains_key("default") {
        vec!["default".to_string()]
    } else {
        model.targets.keys().map(|k| k.value.clone()).collect()
    };
    let mut groups = Map::new();
    let mut targets = Vec::new();
    for name in &asked {
        collect(model, name, &mut groups, &mut targets, 0)?;
    }
    let mut out = Map::new();
    for name in targets {
        out.insert(name.clone(), target_json(model, &name, given));
    }
    Ok(json!({ "group": groups, "target": out }))
}

fn collect(
    model: &BuildFile,
    name: &str,
    groups: &mut Map<String, Value>,
    targets: &mut Vec<String>,
    depth: usize,
) -> Result<(), String> {
    if depth > 32 {
        return Err(format!("groups nest too deeply at `{name}`"));
    }
    if let Some(group) = model.groups.get(name) {
        let members: Vec<String> = group.targets.iter().map(|t| t.value.clone()).collect();
        let mut entry = Map::new();
        if let Some(description) = &group.description {
            entry.insert("description".into(), description.clone().into());
        }
        entry.insert("targets".into(), json!(members));
        groups.insert(name.to_string(), Value::Object(entry));
        for member in &members {
            collect(model, member, groups, targets, depth + 1)?;
        }
        return Ok(());
    }
    let is_target = model.targets.contains_key(name) || model.stages.contains_key(name);
    if !is_target {
        let mut choices: Vec<&str> = model.targets.keys().map(|k| k.value.as_str()).collect();
        choices.extend(model.groups.keys().map(|k| k.value.as_str()));
        return Err(format!(
            "`{name}` is not a target or group of this file (choices: {})",
            choices.join(", ")
        ));
    }
    if !targets.iter().any(|t| t == name) {
        targets.push(name.to_string());
    }
    Ok(())
}

fn target_json(model: &BuildFile, name: &str, given: &BTreeMap<String, String>) -> Value {
    let Some(target) = model.targets.get(name) else {
        // A stage built as a target of its own.
        return json!({ "stage": name });
    };
    let mut values: BTreeMap<String, String> = model
        .args
        .iter()
        .filter_map(|(k, a)| {
            a.default
                .as_ref()
                .map(|d| (k.value.clone(), d.value.clone()))
        })
        .collect();
    values.extend(given.iter().map(|(k, v)| (k.clone(), v.clone())));
    for (k, v) in &target.args {
        values.insert(k.value.clone(), v.value.clone());
    }
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
fn expand_strings(value: &mut Value, values: &BTreeMap<String, String>) {
    match value {
        Value::String(s) => {
            if let Some(expanded) = interpolate::substitute(s, |n| values.get(n).cloned()) {
                *s = expanded;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| expand_strings(v, values)),
        Value::Object(map) => map.values_mut().for_each(|v| expand_strings(v, values)),
        _ => {}
    }
}
