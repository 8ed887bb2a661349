//! The plan `kiln bake` builds: `--set` overrides of targets, outputs and secrets as the
//! command line writes them.

use bollard::grpc::build::SecretSource;
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

/// `TARGET.FIELD=VALUE` applied to the plan's targets.
pub fn apply_set(plan: &mut Value, item: &str) -> Result<(), String> {
    let bad = || format!("--set takes TARGET.FIELD=VALUE, got `{item}`");
    let (key, value) = item.split_once('=').ok_or_else(bad)?;
    let (pattern, field) = key.split_once('.').ok_or_else(bad)?;
    let targets = plan["target"].as_object_mut().ok_or_else(bad)?;
    let mut matched = false;
    for (name, target) in targets.iter_mut() {
        if pattern != "*" && pattern != name {
            continue;
        }
        matched = true;
        let list = |v: &str| Value::from(v.split(',').map(str::trim).collect::<Vec<_>>());
        match field.split_once('.') {
            Some(("args" | "labels", sub)) => {
                let map = field.split_once('.').map(|(m, _)| m).unwrap_or_default();
                if !target[map].is_object() {
                    target[map] = Value::Object(Default::default());
                }
                target[map][sub] = value.into();
            }
            None if field == "tags" => target["tags"] = list(value),
            None if field == "platforms" || field == "platform" => {
                target["platforms"] = list(value)
            }
            None if field == "stage" => target["stage"] = value.into(),
            None if field == "output" => target["output"] = parse_output(value)?,
            _ => {
                return Err(format!(
                    "--set: kiln bake cannot set `{field}` (tags, platforms, args.NAME, labels.NAME, output, stage)"
                ));
            }
        }
    }
    if !matched {
        return Err(format!("--set {item}: no target `{pattern}` in the plan"));
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
}
