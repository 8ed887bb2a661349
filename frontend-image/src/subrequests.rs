//! Subrequests (`requestid`): questions a client asks instead of a build, answered with
//! metadata only (`result.json`, `result.txt`, `version`), in the formats of BuildKit's
//! `frontend/subrequests` packages, so `docker buildx build --call=targets|outline` prints
//! them. kiln adds `kiln.schema`: the JSON Schema of build files. `frontend.lint`
//! (`--call=check`) is answered in lint.rs.

use crate::lint::LINT;
use kiln_dsl::model::{Mount, Step};
use kiln_dsl::{BuildFile, SourceFile, Span};
use kiln_proto::gateway as gw;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub const DESCRIBE: &str = "frontend.subrequests.describe";
pub const TARGETS: &str = "frontend.targets";
pub const OUTLINE: &str = "frontend.outline";
pub const SCHEMA: &str = "kiln.schema";

fn result(json: &Value, text: String, version: &str) -> gw::Result {
    let metadata = BTreeMap::from([
        (
            "result.json".to_string(),
            serde_json::to_vec_pretty(json).unwrap_or_default(),
        ),
        ("result.txt".to_string(), text.into_bytes()),
        ("version".to_string(), version.as_bytes().to_vec()),
    ]);
    gw::Result {
        result: None,
        metadata,
    }
}

fn describe_request(name: &str, description: &str, opts: &[(&str, &str)]) -> Value {
    let named = |list: &[(&str, &str)]| -> Vec<Value> {
        list.iter()
            .map(|(n, d)| json!({ "name": n, "description": d }))
            .collect()
    };
    json!({
        "name": name,
        "version": "1.0.0",
        "type": "rpc",
        "description": description,
        "opts": named(opts),
        "metadata": named(&[("result.json", ""), ("result.txt", "")]),
    })
}

/// `frontend.lint` as BuildKit declares it: its answer also has `result.statuscode`.
fn lint_request() -> Value {
    let mut described = describe_request(LINT, "Check a kiln build file (kiln check)", &[]);
    if let Some(metadata) = described["metadata"].as_array_mut() {
        metadata.push(json!({ "name": "result.statuscode", "description": "" }));
    }
    described
}

/// `frontend.subrequests.describe` and `kiln.schema`.
/// A subrequest kiln does not answer is an error that lists the ones it does.
pub fn refuse_unknown(asked: &str) -> Result<(), kiln_proto::rpc::Status> {
    if asked == TARGETS || asked == OUTLINE || asked == LINT {
        return Ok(());
    }
    Err(crate::errors::status(
        crate::errors::UNIMPLEMENTED,
        format!(
            "kiln does not answer the subrequest `{asked}`; it answers {DESCRIBE}, {TARGETS}, {OUTLINE}, {LINT} and {SCHEMA}"
        ),
    ))
}

pub fn answer_static(request: &str) -> Option<gw::Result> {
    match request {
        DESCRIBE => {
            let list = json!([
                describe_request(DESCRIBE, "List available subrequest types", &[]),
                describe_request(TARGETS, "List all targets current build supports", &[]),
                describe_request(
                    OUTLINE,
                    "List all parameters current build target supports",
                    &[("target", "Target to build")]
                ),
                lint_request(),
                describe_request(
                    SCHEMA,
                    "The JSON Schema (draft-07) of kiln build files",
                    &[]
                ),
            ]);
            let text = [DESCRIBE, TARGETS, OUTLINE, LINT, SCHEMA]
                .iter()
                .map(|n| format!("{n}\n"))
                .collect();
            Some(result(&list, text, "1.1.0"))
        }
        SCHEMA => {
            let schema = kiln_dsl::schema::json_schema();
            Some(result(
                &schema,
                kiln_dsl::schema::json_schema_text(),
                "1.0.0",
            ))
        }
        _ => None,
    }
}

/// BuildKit's source location: 1-based lines, 0-based characters.
fn location(file: &SourceFile, span: Span) -> Value {
    let start = file.line_col(span.start);
    let end = file.line_col(span.end());
    json!({
        "sourceIndex": 0,
        "ranges": [{
            "start": { "line": start.line, "character": start.column - 1 },
            "end": { "line": end.line, "character": end.column - 1 },
        }],
    })
}

fn sources(file: &SourceFile) -> Value {
    use base64::Engine;
    let data = base64::engine::general_purpose::STANDARD.encode(&file.text);
    json!([data])
}

/// `frontend.targets`: targets and groups, with descriptions and where they are written.
pub fn targets(model: &BuildFile, file: &SourceFile, default: Option<&str>) -> gw::Result {
    let mut list = Vec::new();
    let mut text = String::from("TARGET\tDESCRIPTION\n");
    for (name, target) in &model.targets {
        let description = target.description.clone().unwrap_or_default();
        list.push(json!({
            "name": name.value,
            "default": default == Some(name.value.as_str()),
            "description": description,
            "base": target.stage.value,
            "location": location(file, name.span),
        }));
        text.push_str(&format!("{}\t{}\n", name.value, description));
    }
    for (name, group) in &model.groups {
        let members: Vec<&str> = group.targets.iter().map(|t| t.value.as_str()).collect();
        let description = group
            .description
            .clone()
            .unwrap_or_else(|| format!("group: {}", members.join(", ")));
        list.push(json!({
            "name": name.value,
            "default": default == Some(name.value.as_str()),
            "description": description,
            "location": location(file, name.span),
        }));
        text.push_str(&format!("{}\t{}\n", name.value, description));
    }
    if model.targets.is_empty() {
        for (name, stage) in &model.stages {
            list.push(json!({
                "name": name.value,
                "description": stage.description.clone().unwrap_or_default(),
                "base": stage.from.value,
                "location": location(file, name.span),
            }));
            text.push_str(&format!(
                "{}\t{}\n",
                name.value,
                stage.description.clone().unwrap_or_default()
            ));
        }
    }
    let answer = json!({ "targets": list, "sources": sources(file) });
    result(&answer, text, "1.0.0")
}

/// `frontend.outline`: what building `target` takes: args (with their values), secrets,
/// ssh agents and cache mounts of the stages it needs.
pub fn outline(
    model: &BuildFile,
    file: &SourceFile,
    target: &str,
    build_args: &BTreeMap<String, String>,
) -> gw::Result {
    let (stage, target_model, description) = match model.targets.get(target) {
        Some(t) => (t.stage.value.as_str(), Some(t), t.description.clone()),
        None => (target, None, None),
    };
    let mut text = format!("TARGET: {target}\n");
    if let Some(d) = &description {
        text.push_str(&format!("DESCRIPTION: {d}\n"));
    }
    let args = outline_args(model, file, target_model, build_args);
    if !args.is_empty() {
        text.push_str("\nBUILD ARG\tVALUE\tDESCRIPTION\n");
        for arg in &args {
            let field = |k: &str| arg[k].as_str().unwrap_or_default().to_string();
            let line = [field("name"), field("value"), field("description")].join("\t");
            text.push_str(&format!("{line}\n"));
        }
    }
    let needed = kiln_dsl::walk::needed_stages(model, stage, |place| Some(place.value.clone()));
    let mounts = outline_mounts(model, file, &needed);
    let mut answer = json!({ "name": target, "sources": sources(file) });
    if let Some(d) = description {
        answer["description"] = d.into();
    }
    if !args.is_empty() {
        answer["args"] = Value::Array(args);
    }
    for (title, key, field, list) in mounts {
        if !list.is_empty() {
            text.push_str(&format!("\n{title}\n"));
            for item in &list {
                text.push_str(&format!("{}\n", item[field].as_str().unwrap_or_default()));
            }
            answer[key] = Value::Array(list);
        }
    }
    result(&answer, text, "1.0.0")
}

/// The file's args with the values this build gives them, by the one arg rule (the
/// frontend has build args only: an HCL file's variables are already set from them).
fn outline_args(
    model: &BuildFile,
    file: &SourceFile,
    target: Option<&kiln_dsl::model::Target>,
    build_args: &BTreeMap<String, String>,
) -> Vec<Value> {
    let no_vars = BTreeMap::new();
    let given = kiln_lowering::GivenArgs {
        build_args,
        arg_values: &no_vars,
    };
    let values = kiln_lowering::arg_values_as_written(model, target, given);
    let args = model.args.iter().map(|(name, arg)| {
        let value = values.get(&name.value).cloned().flatten();
        json!({
            "name": name.value,
            "value": value.unwrap_or_default(),
            "description": arg.description.clone().unwrap_or_default(),
            "location": location(file, name.span),
        })
    });
    args.collect()
}

/// The secrets, ssh agents and cache mounts of the `needed` stages' run steps: (text
/// heading, JSON key, the field the text lists, the entries).
fn outline_mounts(
    model: &BuildFile,
    file: &SourceFile,
    needed: &[&str],
) -> [(&'static str, &'static str, &'static str, Vec<Value>); 3] {
    let (mut secrets, mut ssh, mut caches) = (Vec::new(), Vec::new(), Vec::new());
    let runs = needed.iter().flat_map(|name| &model.stages[*name].steps);
    let mounts = runs.filter_map(|step| match &step.value {
        Step::Run(run) => Some(&run.mounts),
        _ => None,
    });
    for mount in mounts.flatten() {
        match &mount.value {
            Mount::Secret(m) => secrets.push(json!({
                "name": m.secret.value,
                "required": m.required.as_ref().is_some_and(|r| r.value),
                "location": location(file, m.secret.span),
            })),
            Mount::Ssh(m) => ssh.push(json!({
                "name": m.ssh.value,
                "required": m.required.as_ref().is_some_and(|r| r.value),
                "location": location(file, m.ssh.span),
            })),
            Mount::Cache(m) => caches.push(json!({
                "ID": m.id.as_ref().map_or(m.cache.value.clone(), |i| i.value.clone()),
                "location": location(file, m.cache.span),
            })),
            _ => {}
        }
    }
    [
        ("SECRET", "secrets", "name", secrets),
        ("SSH", "ssh", "name", ssh),
        ("CACHE", "cache", "ID", caches),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_of(result: &gw::Result) -> Value {
        serde_json::from_slice(&result.metadata["result.json"]).unwrap()
    }

    #[test]
    fn describe_lists_every_request_and_schema_is_the_schema() {
        let described = json_of(&answer_static(DESCRIBE).unwrap());
        let names: Vec<&str> = described
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, [DESCRIBE, TARGETS, OUTLINE, LINT, SCHEMA]);
        let lint = &described[3];
        assert_eq!(lint["metadata"][2]["name"], "result.statuscode");
        let schema = json_of(&answer_static(SCHEMA).unwrap());
        assert_eq!(schema, kiln_dsl::schema::json_schema());
        assert!(answer_static("frontend.lint").is_none());
    }

    #[test]
    fn targets_and_outline_point_into_the_file() {
        let text = "version: 1\nargs:\n  V:\n    default: \"1\"\n    description: the version\nstages:\n  base:\n    from: scratch\n  app:\n    from: base\n    steps:\n      - run: [x]\n        mounts:\n          - secret: token\n            required: true\ntargets:\n  app: { stage: app, description: The app, args: { V: \"2\" } }\n";
        let checked =
            kiln_dsl::check_bytes("kiln.yaml", text.as_bytes(), &kiln_dsl::Limits::default());
        let model = checked.model.as_ref().unwrap();
        let listed = json_of(&targets(model, &checked.file, Some("app")));
        assert_eq!(listed["targets"][0]["name"], "app");
        assert_eq!(listed["targets"][0]["default"], true);
        assert_eq!(
            listed["targets"][0]["location"]["ranges"][0]["start"]["line"],
            17
        );
        let outlined = json_of(&outline(model, &checked.file, "app", &BTreeMap::new()));
        assert_eq!(outlined["args"][0]["value"], "2", "the target's value");
        assert_eq!(outlined["args"][0]["description"], "the version");
        assert_eq!(outlined["secrets"][0]["name"], "token");
        assert_eq!(outlined["secrets"][0]["required"], true);
        let given = BTreeMap::from([("V".to_string(), "3".to_string())]);
        assert_eq!(
            json_of(&outline(model, &checked.file, "app", &given))["args"][0]["value"],
            "3"
        );
    }
}
