//! What a request builds, decided in one place for every entry point (the frontend, `kiln
//! llb`, `kiln print`, `kiln bake`, `--call=outline`): the selection rule (which targets a
//! name, a group or no name at all means) and the arg rule (which value each arg has).

use kiln_dsl::Sp;
use kiln_dsl::model::{Arg, BuildFile, Target};
use std::collections::BTreeMap;

/// Groups nest at most this deep (cycles are reported by `kiln check`; this stops a walk).
const MAX_GROUP_DEPTH: usize = 32;

/// What a build asks for: one target (or stage), or a group's targets.
#[derive(Clone, Debug, PartialEq)]
pub enum Selection {
    One(String),
    Group { name: String, targets: Vec<String> },
}

/// What to build: the target, stage or group asked for; else the `default` group (one
/// target, or all of its targets); else the only target; else, with no targets, the last
/// stage; else an error that lists the choices.
pub fn select(model: &BuildFile, asked: Option<&str>) -> Result<Selection, String> {
    let name = match asked {
        Some(name) => name.to_string(),
        None => default_name(model)?,
    };
    if model.targets.contains_key(name.as_str()) || !model.groups.contains_key(name.as_str()) {
        return Ok(Selection::One(name));
    }
    let mut targets = Vec::new();
    group_targets(model, &name, &mut targets, 0);
    let most = kiln_dsl::budget::MAX_BUILD_TARGETS;
    if targets.len() > most {
        return Err(format!(
            "the group `{name}` has {} targets, more than the {most} one build makes: split it into groups and build them one by one",
            targets.len()
        ));
    }
    match targets.as_slice() {
        [only] if asked.is_none() => Ok(Selection::One(only.clone())),
        _ => Ok(Selection::Group { name, targets }),
    }
}

/// The name building with no target means (see [`select`]).
fn default_name(model: &BuildFile) -> Result<String, String> {
    if model.groups.contains_key("default") {
        return Ok("default".to_string());
    }
    if model.targets.len() == 1 {
        return Ok(model
            .targets
            .keys()
            .next()
            .map(|k| k.value.clone())
            .unwrap_or_default());
    }
    if model.targets.is_empty() {
        return match model.stages.keys().last() {
            Some(k) => Ok(k.value.clone()),
            None => Err("the file has no stages".into()),
        };
    }
    Err(format!(
        "no target given, and the file has no `default` group: choose one of {} with --target",
        choices(model).join(", ")
    ))
}

/// The names a build can ask for: targets, then groups; a file without either builds its
/// stages by name, so those are the choices there.
fn choices(model: &BuildFile) -> Vec<&str> {
    let targets = model.targets.keys().map(|k| k.value.as_str());
    let named: Vec<&str> = targets
        .chain(model.groups.keys().map(|k| k.value.as_str()))
        .collect();
    if named.is_empty() {
        return model.stages.keys().map(|k| k.value.as_str()).collect();
    }
    named
}

/// A group's targets, recursively, each once, in the order first reached.
fn group_targets(model: &BuildFile, name: &str, out: &mut Vec<String>, depth: usize) {
    match model.groups.get(name) {
        Some(group) if depth < MAX_GROUP_DEPTH => {
            for member in &group.targets {
                group_targets(model, &member.value, out, depth + 1);
            }
        }
        Some(_) => {}
        None => {
            if !out.iter().any(|t| t == name) {
                out.push(name.to_string());
            }
        }
    }
}

/// Which one target to lower, by the same rule as [`select`] (so `kiln llb` and the frontend
/// never disagree): a group, or a default group of several, is an error that names its
/// targets. Returns the target's name, the target (none for a stage built as a target) and
/// its stage.
pub fn select_target<'m>(
    model: &'m BuildFile,
    asked: Option<&str>,
) -> Result<(String, Option<&'m Target>, String), String> {
    let name = match select(model, asked)? {
        Selection::One(name) => name,
        Selection::Group { name, targets } => {
            let how = if asked.is_some() {
                format!("`{name}` is a group")
            } else {
                format!("no target given, and the `{name}` group has several")
            };
            return Err(format!(
                "{how} ({}): lower one target at a time with --target, or build the group with `kiln bake` or `docker build --target {name}`",
                targets.join(", ")
            ));
        }
    };
    if let Some((key, target)) = model.targets.get_key_value(name.as_str()) {
        return Ok((key.value.clone(), Some(target), target.stage.value.clone()));
    }
    if model.stages.contains_key(name.as_str()) {
        return Ok((name.clone(), None, name));
    }
    let names: Vec<&str> = model
        .targets
        .keys()
        .chain(model.stages.keys())
        .map(|k| k.value.as_str())
        .collect();
    Err(format!(
        "no target or stage named `{name}` (choices: {})",
        names.join(", ")
    ))
}

/// What several names (`kiln print a b`, `kiln bake a b`) reach: the groups passed through,
/// in order, and their targets, each once, in the order first reached.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reached {
    pub groups: Vec<String>,
    pub targets: Vec<String>,
}

/// The targets and groups `names` reach; no names means what [`select`] builds by default
/// (the `default` group, the only target, ...). A name that is no target, stage or group is
/// an error listing the choices.
pub fn reach(model: &BuildFile, names: &[String]) -> Result<Reached, String> {
    let asked = match names {
        [] => vec![default_name(model)?],
        names => names.to_vec(),
    };
    let mut reached = Reached::default();
    for name in &asked {
        reach_one(model, name, &mut reached, 0)?;
    }
    Ok(reached)
}

fn reach_one(model: &BuildFile, name: &str, out: &mut Reached, depth: usize) -> Result<(), String> {
    if depth > MAX_GROUP_DEPTH {
        return Err(format!("groups nest too deeply at `{name}`"));
    }
    if let Some(group) = model.groups.get(name) {
        if !out.groups.iter().any(|g| g == name) {
            out.groups.push(name.to_string());
        }
        for member in &group.targets {
            reach_one(model, &member.value, out, depth + 1)?;
        }
        return Ok(());
    }
    if !model.targets.contains_key(name) && !model.stages.contains_key(name) {
        return Err(format!(
            "`{name}` is not a target, group or stage of this file (choices: {})",
            choices(model).join(", ")
        ));
    }
    if !out.targets.iter().any(|t| t == name) {
        out.targets.push(name.to_string());
    }
    Ok(())
}

/// Where an arg's value comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ArgValue<'a> {
    /// Given by the caller (`--build-arg`, `--var`): used as it is.
    Given(&'a str),
    /// Written in the file (a target's `args`, the arg's default): `${NAME}` in it expands.
    Written(&'a Sp<String>),
}

/// The values the caller gives, in the order of the one arg rule.
#[derive(Clone, Copy, Debug)]
pub struct GivenArgs<'a> {
    /// `--build-arg NAME=VALUE`: the caller's explicit value, above everything.
    pub build_args: &'a BTreeMap<String, String>,
    /// `--var NAME=VALUE` (and bake's variable overrides): a new value for the file's arg,
    /// below a target's own `args`.
    pub arg_values: &'a BTreeMap<String, String>,
}

/// The one arg rule (docs/format.md, "Which value an arg has"): the caller's build arg, else
/// the target's `args`, else a value given for the file's arg (`--var`), else the file's
/// default; `None` when the arg has no value at all.
pub fn arg_value<'a>(
    name: &str,
    arg: &'a Arg,
    target: Option<&'a Target>,
    given: GivenArgs<'a>,
) -> Option<ArgValue<'a>> {
    if let Some(v) = given.build_args.get(name) {
        return Some(ArgValue::Given(v));
    }
    if let Some(v) = target.and_then(|t| t.args.get(name)) {
        return Some(ArgValue::Written(v));
    }
    if let Some(v) = given.arg_values.get(name) {
        return Some(ArgValue::Given(v));
    }
    arg.default.as_ref().map(ArgValue::Written)
}

/// Every arg's value for `target` with `${NAME}` in written values expanded from the args
/// before it; a name not known (yet) is left as written. For views that show values
/// without lowering (`kiln print`, `--call=outline`); lowering expands with platform args
/// and reports unknown names.
pub fn arg_values_as_written(
    model: &BuildFile,
    target: Option<&Target>,
    given: GivenArgs<'_>,
) -> BTreeMap<String, Option<String>> {
    let mut values: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (name, arg) in &model.args {
        let value = arg_value(&name.value, arg, target, given).map(|v| match v {
            ArgValue::Given(v) => v.to_string(),
            ArgValue::Written(v) => expand_known(&v.value, &values),
        });
        values.insert(name.value.clone(), value);
    }
    values
}

/// `${NAME}` replaced where every name has a value (and the result is within the value
/// budget, which the check reports); else the text as written.
pub fn expand_known(text: &str, values: &BTreeMap<String, Option<String>>) -> String {
    let limit = kiln_dsl::budget::MAX_VALUE_BYTES;
    kiln_dsl::interpolate::substitute_within(text, limit, |n| values.get(n).cloned().flatten())
        .unwrap_or_else(|_| text.to_string())
}
