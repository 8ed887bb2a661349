//! The plan `kiln bake` builds: `--set` overrides of targets (tags, platforms, caches,
//! args, labels, output, stage), outputs and secrets as the command line writes them.

use bollard::grpc::build::SecretSource;
use kiln_dsl::check::cache::{Direction as CacheDirection, problems as cache_problems};
use kiln_dsl::hcl_front::overrides::{Effect, Override, for_target};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `id=ID,src=PATH` (or `source=`), or `id=ID,env=VAR`.
pub fn parse_secret(text: &str) -> Result<(String, SecretSource), String> {
    let (mut id, mut source) = (None, None);
    for part in text.split(',') {
        match part.split_once('=') {
            Some(("id", v)) => id = Some(v.to_string()),
            Some(("src" | "source", v)) => source = Some(SecretSource::File(PathBuf::from(v))),
            Some(("env", v)) => source = Some(SecretSource::Env(v.to_string())),
            Some(("type", "file" | "env")) => {}
            _ => {
                return Err(format!(
                    "--secret `{text}`: expected id=ID,src=PATH or id=ID,env=VAR"
                ));
            }
        }
    }
    match (id, source) {
        (Some(id), Some(source)) => Ok((id, source)),
        (Some(id), None) => Ok((id.clone(), SecretSource::Env(id))),
        _ => Err(format!("--secret `{text}`: no id")),
    }
}

/// The `--set`s of the command line, each checked: a cache entry as the build file's are,
/// an output's type.
pub fn parse_sets(items: &[String]) -> Result<Vec<Override>, String> {
    let mut out = Vec::new();
    for item in items {
        let o = Override::parse(item)?;
        let value = o.value.as_deref().unwrap_or_default();
        let direction = match o.field.as_str() {
            "cache-from" => Some(CacheDirection::Import),
            "cache-to" => Some(CacheDirection::Export),
            _ => None,
        };
        if let Some(direction) = direction
            && let Some(problem) = cache_problems(value, direction).into_iter().next()
        {
            return Err(format!(
                "--set {item}: {} ({})",
                problem.message, problem.help
            ));
        }
        if o.field == "output" && !value.is_empty() {
            parse_output(value).map_err(|why| format!("--set {item}: {why}"))?;
        }
        out.push(o);
    }
    Ok(out)
}

/// The `--set`s applied to the plan's targets (a YAML file's; an HCL file's are applied by
/// the HCL front end, before `inherits`). `env` gives `args.NAME` without a value.
pub fn apply_sets(
    plan: &mut Value,
    overrides: &[Override],
    env: &BTreeMap<String, String>,
) -> Result<(), String> {
    let targets = plan["target"]
        .as_object_mut()
        .ok_or("the plan has no targets")?;
    for o in overrides {
        if !targets.keys().any(|name| o.matches(name)) {
            return Err(format!("--set: no target matches `{}`", o.pattern));
        }
    }
    for (name, target) in targets.iter_mut() {
        for effect in for_target(overrides, name) {
            match effect {
                Effect::List {
                    field,
                    items,
                    append,
                } => set_list(target, field, items, append),
                Effect::Set(o) => set_one(target, o, env)?,
            }
        }
    }
    Ok(())
}

fn set_list(target: &mut Value, field: &str, items: Vec<String>, append: bool) {
    // The plan uses bake's names for caches.
    let key = match field {
        "cache_from" => "cache-from",
        "cache_to" => "cache-to",
        other => other,
    };
    let items = items.into_iter().map(Value::from);
    match (&mut target[key], append) {
        (Value::Array(existing), true) => existing.extend(items),
        (slot, _) => *slot = Value::Array(items.collect()),
    }
    // Like `kiln print`, no empty list: `--set T.cache-to=` turns the cache off.
    if let Some(fields) = target.as_object_mut()
        && fields[key].as_array().is_some_and(Vec::is_empty)
    {
        fields.remove(key);
    }
}

fn set_one(target: &mut Value, o: &Override, env: &BTreeMap<String, String>) -> Result<(), String> {
    let value = o.value.clone().unwrap_or_default();
    match o.field.split_once('.') {
        Some((map, sub)) => {
            if !target[map].is_object() {
                target[map] = Value::Object(Default::default());
            }
            let given = o.value.clone().or_else(|| env.get(sub).cloned());
            let entries = target[map].as_object_mut().expect("made an object above");
            match given {
                Some(v) => entries.insert(sub.to_string(), v.into()),
                None => entries.remove(sub),
            };
        }
        None if o.field == "output" && value.is_empty() => {
            if let Some(fields) = target.as_object_mut() {
                fields.remove("output");
            }
        }
        None if o.field == "output" => target["output"] = parse_output(&value)?,
        None => target[o.field.as_str()] = value.into(),
    }
    Ok(())
}

/// `type=local,dest=DIR`, or a bare kind (`image`).
fn parse_output(text: &str) -> Result<Value, String> {
    let mut output = serde_json::Map::new();
    for part in text.split(',') {
        match part.split_once('=') {
            Some((k, v)) => output.insert(k.trim().to_string(), v.trim().into()),
            None => output.insert("type".into(), part.trim().into()),
        };
    }
    match output.get("type").and_then(Value::as_str) {
        Some("image" | "registry" | "local" | "tar") => Ok(Value::Object(output)),
        _ => Err(format!(
            "output `{text}`: type must be image, registry, local or tar"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(plan: &mut Value, items: &[&str]) -> Result<(), String> {
        let items: Vec<String> = items.iter().map(|s| s.to_string()).collect();
        apply_sets(plan, &parse_sets(&items)?, &BTreeMap::new())
    }

    #[test]
    fn set_overrides_fields_of_matching_targets() {
        let mut plan = serde_json::json!({ "group": {}, "target": { "a": { "stage": "a" }, "b": { "stage": "b", "tags": ["x"] } } });
        apply(
            &mut plan,
            &[
                "a.tags=r/a:1,r/a:latest",
                "*.args.V=2",
                "b.output=type=local,dest=out",
            ],
        )
        .unwrap();
        assert_eq!(
            plan["target"]["a"]["tags"],
            serde_json::json!(["r/a:1", "r/a:latest"])
        );
        assert_eq!(plan["target"]["b"]["args"]["V"], "2");
        assert_eq!(
            plan["target"]["b"]["output"],
            serde_json::json!({ "type": "local", "dest": "out" })
        );
        assert!(
            apply(&mut plan, &["c.tags=x"])
                .unwrap_err()
                .contains("no target matches `c`")
        );
        assert!(
            apply(&mut plan, &["a.dockerfile=x"])
                .unwrap_err()
                .contains("cannot set")
        );
        assert!(apply(&mut plan, &["a.output=type=oci"]).is_err());
        apply(
            &mut plan,
            &["a.platform=linux/arm", "a.platform=linux/ppc64le"],
        )
        .unwrap();
        assert_eq!(
            plan["target"]["a"]["platforms"],
            serde_json::json!(["linux/arm", "linux/ppc64le"])
        );
    }

    #[test]
    fn set_caches_one_entry_each_replaced_or_appended() {
        let mut plan = serde_json::json!({ "group": {}, "target": { "a": { "stage": "a", "cache-to": ["type=inline"] } } });
        apply(&mut plan, &["a.cache-to+=type=registry,ref=r/a:c,mode=max"]).unwrap();
        assert_eq!(
            plan["target"]["a"]["cache-to"],
            serde_json::json!(["type=inline", "type=registry,ref=r/a:c,mode=max"])
        );
        apply(&mut plan, &["a.cache-from=r/a:c", "a.tags+=r/a:1,r/a:2"]).unwrap();
        assert_eq!(
            plan["target"]["a"]["cache-from"],
            serde_json::json!(["r/a:c"])
        );
        assert_eq!(
            plan["target"]["a"]["tags"],
            serde_json::json!(["r/a:1", "r/a:2"])
        );
        apply(&mut plan, &["a.cache-to="]).unwrap();
        assert!(plan["target"]["a"].get("cache-to").is_none());
        let error = apply(&mut plan, &["a.cache-from=type=regsitry,ref=r/a:c"]).unwrap_err();
        assert!(error.contains("did you mean `registry`?"), "{error}");
        let error = apply(&mut plan, &["a.stage+=b"]).unwrap_err();
        assert!(error.contains("`+=` appends to a list"), "{error}");
    }
}
