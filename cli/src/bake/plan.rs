//! The plan `kiln bake` builds: `--set` overrides of targets (tags, platforms, caches,
//! args, labels, output, stage), outputs and secrets as the command line writes them.

use bollard::grpc::build::SecretSource;
use kiln_dsl::check::cache::{Direction as CacheDirection, problems as cache_problems};
use serde_json::Value;
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

/// `TARGET.FIELD=VALUE` applied to the plan's targets; `TARGET.FIELD+=VALUE` appends to a
/// list field, as in bake.
pub fn apply_set(plan: &mut Value, item: &str) -> Result<(), String> {
    let bad = || format!("--set takes TARGET.FIELD=VALUE, got `{item}`");
    let (key, value) = item.split_once('=').ok_or_else(bad)?;
    let (pattern, field) = key.split_once('.').ok_or_else(bad)?;
    let (field, append) = match field.strip_suffix('+') {
        Some(field) => (field, true),
        None => (field, false),
    };
    let targets = plan["target"].as_object_mut().ok_or_else(bad)?;
    let mut matched = false;
    for (name, target) in targets.iter_mut() {
        if pattern != "*" && pattern != name {
            continue;
        }
        matched = true;
        set_field(target, field, value, append).map_err(|why| format!("--set {item}: {why}"))?;
    }
    if !matched {
        return Err(format!("--set {item}: no target `{pattern}` in the plan"));
    }
    Ok(())
}

/// One field of one target: lists are replaced (or appended to), maps set key by key.
fn set_field(target: &mut Value, field: &str, value: &str, append: bool) -> Result<(), String> {
    let list = match field {
        "tags" => Some("tags"),
        "platforms" | "platform" => Some("platforms"),
        "cache-from" => Some("cache-from"),
        "cache-to" => Some("cache-to"),
        _ => None,
    };
    if let Some(key) = list {
        let items = list_items(key, value)?;
        match (&mut target[key], append) {
            (Value::Array(existing), true) => existing.extend(items),
            (slot, _) => *slot = Value::Array(items),
        }
        // Like `kiln print`, no empty list: `--set T.cache-to=` turns the cache off.
        if let Some(fields) = target.as_object_mut()
            && fields[key].as_array().is_some_and(Vec::is_empty)
        {
            fields.remove(key);
        }
        return Ok(());
    }
    if append {
        return Err("`+=` appends to a list: tags, platforms, cache-from, cache-to".into());
    }
    match field.split_once('.') {
        Some((map @ ("args" | "labels"), sub)) => {
            if !target[map].is_object() {
                target[map] = Value::Object(Default::default());
            }
            target[map][sub] = value.into();
        }
        None if field == "stage" => target["stage"] = value.into(),
        None if field == "output" => target["output"] = parse_output(value)?,
        _ => {
            return Err(format!(
                "kiln bake cannot set `{field}` (tags, platforms, cache-from, cache-to, args.NAME, labels.NAME, output, stage)"
            ));
        }
    }
    Ok(())
}

/// The items one `--set` gives a list. Tags and platforms are comma-separated; a cache
/// entry is one CSV text whose commas are its own, so it is one item (as in bake), checked
/// as the build file's entries are.
fn list_items(key: &str, value: &str) -> Result<Vec<Value>, String> {
    let direction = match key {
        "cache-from" => CacheDirection::Import,
        "cache-to" => CacheDirection::Export,
        _ => return Ok(value.split(',').map(|v| Value::from(v.trim())).collect()),
    };
    if let Some(problem) = cache_problems(value, direction).into_iter().next() {
        return Err(format!("{} ({})", problem.message, problem.help));
    }
    Ok(if value.is_empty() {
        Vec::new()
    } else {
        vec![value.into()]
    })
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

    #[test]
    fn set_overrides_fields_of_matching_targets() {
        let mut plan = serde_json::json!({ "group": {}, "target": { "a": { "stage": "a" }, "b": { "stage": "b", "tags": ["x"] } } });
        apply_set(&mut plan, "a.tags=r/a:1,r/a:latest").unwrap();
        apply_set(&mut plan, "*.args.V=2").unwrap();
        apply_set(&mut plan, "b.output=type=local,dest=out").unwrap();
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
            apply_set(&mut plan, "c.tags=x")
                .unwrap_err()
                .contains("no target `c`")
        );
        assert!(
            apply_set(&mut plan, "a.dockerfile=x")
                .unwrap_err()
                .contains("cannot set")
        );
        assert!(apply_set(&mut plan, "a.output=type=oci").is_err());
    }

    #[test]
    fn set_caches_one_entry_each_replaced_or_appended() {
        let mut plan = serde_json::json!({ "group": {}, "target": { "a": { "stage": "a", "cache-to": ["type=inline"] } } });
        apply_set(&mut plan, "a.cache-to+=type=registry,ref=r/a:c,mode=max").unwrap();
        assert_eq!(
            plan["target"]["a"]["cache-to"],
            serde_json::json!(["type=inline", "type=registry,ref=r/a:c,mode=max"])
        );
        apply_set(&mut plan, "a.cache-from=r/a:c").unwrap();
        apply_set(&mut plan, "a.tags+=r/a:1,r/a:2").unwrap();
        assert_eq!(
            plan["target"]["a"]["cache-from"],
            serde_json::json!(["r/a:c"])
        );
        assert_eq!(
            plan["target"]["a"]["tags"],
            serde_json::json!(["r/a:1", "r/a:2"])
        );
        apply_set(&mut plan, "a.cache-to=").unwrap();
        assert!(plan["target"]["a"].get("cache-to").is_none());
        let error = apply_set(&mut plan, "a.cache-from=type=regsitry,ref=r/a:c").unwrap_err();
        assert!(error.contains("did you mean `registry`?"), "{error}");
        let error = apply_set(&mut plan, "a.stage+=b").unwrap_err();
        assert!(error.contains("`+=` appends to a list"), "{error}");
    }
}
