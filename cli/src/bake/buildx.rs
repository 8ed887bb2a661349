//! `kiln bake --builder NAME`: the plan handed to `docker buildx bake` as a generated bake
//! definition, so any builder buildx drives (docker-container, remote buildkitd, Kubernetes)
//! builds kiln files, with buildx's own sessions, secrets, ssh, multi-platform and caches.
//! Each target builds the kiln file through the kiln frontend (`BUILDKIT_SYNTAX`).

use super::{strings, target_build_args};
use crate::output::outln;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, ExitCode};

/// What the generated definition needs besides the plan.
pub struct Request<'a> {
    pub builder: &'a str,
    pub file: &'a Path,
    pub context: &'a Path,
    pub frontend: &'a str,
    pub vars: &'a BTreeMap<String, String>,
    pub secrets: &'a [String],
    pub ssh: &'a [String],
    pub no_cache: bool,
    pub push: bool,
    pub progress: &'a str,
}

/// buildx's form of a kiln output. kiln's `image` (the default) means "into the engine's
/// image store": for buildx that is `type=docker`, loaded into the daemon the docker CLI
/// points at; with `--push` it is an image pushed to its registry.
fn output(target: &Value, push: bool) -> Result<String, String> {
    let output = &target["output"];
    let kind = output["type"].as_str().unwrap_or("image");
    let dest = output["dest"].as_str();
    Ok(match (kind, dest) {
        ("image", _) if push => "type=image,push=true".into(),
        ("image", _) => "type=docker".into(),
        ("registry", _) => "type=registry".into(),
        ("local" | "tar", Some(dest)) => format!("type={kind},dest={dest}"),
        ("local" | "tar", None) => return Err(format!("a {kind} output needs `dest`")),
        (other, _) => return Err(format!("unknown output type `{other}`")),
    })
}

fn absolute(path: &Path) -> Result<String, String> {
    path.canonicalize()
        .map(|p| p.display().to_string())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// The bake definition (buildx's JSON form) for every target of the plan.
pub fn definition(plan: &Value, request: &Request<'_>) -> Result<Value, String> {
    let context = absolute(request.context)?;
    let file = absolute(request.file)?;
    let mut targets = Map::new();
    let empty = Map::new();
    for (name, target) in plan["target"].as_object().unwrap_or(&empty) {
        let args = target_build_args(request.vars, target, request.frontend);
        let mut entry = json!({
            "context": context,
            "dockerfile": file,
            "target": name,
            "args": args.into_iter().collect::<BTreeMap<_, _>>(),
            "tags": strings(&target["tags"]),
            "platforms": strings(&target["platforms"]),
            "labels": target["labels"].clone(),
            "cache-from": strings(&target["cache-from"]),
            "cache-to": strings(&target["cache-to"]),
            "secret": request.secrets,
            "ssh": request.ssh,
            "no-cache": request.no_cache,
        });
        let output = output(target, request.push).map_err(|e| format!("{name}: {e}"))?;
        entry["output"] = json!([output]);
        if entry["labels"].is_null() {
            entry["labels"] = json!({});
        }
        targets.insert(name.clone(), entry);
    }
    if targets.is_empty() {
        return Err("nothing to build".into());
    }
    let names: Vec<&String> = targets.keys().collect();
    Ok(json!({
        "group": { "default": { "targets": names } },
        "target": targets,
    }))
}

/// Write the definition and run `docker buildx bake` on it; buildx prints the progress, and
/// kiln the same summary as on the Docker Engine path, from buildx's metadata file.
pub fn bake(plan: &Value, request: &Request<'_>) -> Result<ExitCode, String> {
    let definition = definition(plan, request)?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("kiln-bake.json");
    let metadata = dir.path().join("metadata.json");
    let text = serde_json::to_string_pretty(&definition).expect("JSON values serialize");
    std::fs::write(&path, text).map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    let status = Command::new("docker")
        .args(["buildx", "bake", "--builder", request.builder])
        .args(["--progress", request.progress])
        .args(entitlements(&definition, request)?)
        .arg("--metadata-file")
        .arg(&metadata)
        .arg("-f")
        .arg(&path)
        .status()
        .map_err(|e| {
            format!("cannot run `docker buildx bake` ({e}): install the docker CLI with the buildx plugin")
        })?;
    let results: Value = std::fs::read(&metadata)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(Value::Null);
    print_summary(&definition, &results, started.elapsed().as_secs_f64());
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    })
}

/// One line per target: built (with its image digest and tags) or not.
fn print_summary(definition: &Value, results: &Value, seconds: f64) {
    let empty = Map::new();
    let targets = definition["target"].as_object().unwrap_or(&empty);
    outln!("\nkiln bake: {} target(s) in {seconds:.1}s", targets.len());
    for (name, target) in targets {
        let detail = match results.get(name) {
            Some(result) => {
                let digest = result["containerimage.digest"].as_str().unwrap_or_default();
                let tags = strings(&target["tags"]).join(" ");
                ("ok", format!("{digest} {tags}").trim().to_string())
            }
            // buildx stops every target when one fails.
            None => ("FAILED", "not built: see buildx's log above".to_string()),
        };
        outln!("  {name:<20} {:<7} {}", detail.0, detail.1);
    }
}

/// buildx bake asks before it reads or writes outside the working directory; kiln's plan
/// names the context, the file and the outputs the user asked for, so it grants just those.
fn entitlements(definition: &Value, request: &Request<'_>) -> Result<Vec<String>, String> {
    let parent = request.file.parent().filter(|p| !p.as_os_str().is_empty());
    let file_dir = absolute(parent.unwrap_or(Path::new(".")))?;
    let mut allow = vec![
        format!("--allow=fs.read={}", absolute(request.context)?),
        format!("--allow=fs.read={file_dir}"),
    ];
    let empty = Map::new();
    for target in definition["target"].as_object().unwrap_or(&empty).values() {
        for output in strings(&target["output"]) {
            if let Some(dest) = output.split(',').find_map(|kv| kv.strip_prefix("dest=")) {
                // buildx checks the folder that exists: the nearest one up from `dest`.
                let existing = Path::new(dest).ancestors().find(|a| a.exists());
                let granted = absolute(existing.unwrap_or(Path::new(".")))?;
                allow.push(format!("--allow=fs.write={granted}"));
            }
        }
    }
    Ok(allow)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request<'a>(
        dir: &'a Path,
        vars: &'a BTreeMap<String, String>,
        secrets: &'a [String],
    ) -> Request<'a> {
        Request {
            builder: "b",
            file: dir,
            context: dir,
            frontend: "localhost:5000/kiln:dev",
            vars,
            secrets,
            ssh: &[],
            no_cache: true,
            push: false,
            progress: "plain",
        }
    }

    #[test]
    fn each_target_builds_the_kiln_file_through_the_frontend() {
        let dir = tempfile::tempdir().unwrap();
        let plan = json!({"target": {
            "api": {"tags": ["r/api:1"], "platforms": ["linux/amd64", "linux/arm64"],
                    "args": {"V": "target"}, "cache-from": ["type=registry,ref=r/c"],
                    "output": {"type": "registry"}},
            "docs": {"output": {"type": "local", "dest": "out"}},
        }});
        let vars = BTreeMap::from([("V".to_string(), "var".to_string())]);
        let secrets = ["id=tok,env=TOKEN".to_string()];
        let def = definition(&plan, &request(dir.path(), &vars, &secrets)).unwrap();
        let api = &def["target"]["api"];
        assert_eq!(api["target"], "api");
        assert_eq!(api["dockerfile"], api["context"]);
        assert_eq!(api["args"]["BUILDKIT_SYNTAX"], "localhost:5000/kiln:dev");
        assert_eq!(
            api["args"]["V"], "target",
            "the target's args win over --var"
        );
        assert_eq!(api["platforms"], json!(["linux/amd64", "linux/arm64"]));
        assert_eq!(api["output"], json!(["type=registry"]));
        assert_eq!(api["cache-from"], json!(["type=registry,ref=r/c"]));
        assert_eq!(api["secret"], json!(["id=tok,env=TOKEN"]));
        assert_eq!(api["no-cache"], true);
        assert_eq!(
            def["target"]["docs"]["output"],
            json!(["type=local,dest=out"])
        );
        assert_eq!(def["group"]["default"]["targets"], json!(["api", "docs"]));
    }

    #[test]
    fn image_outputs_load_or_push() {
        let image = json!({"tags": ["x"]});
        assert_eq!(output(&image, false).unwrap(), "type=docker");
        assert_eq!(output(&image, true).unwrap(), "type=image,push=true");
        let no_dest = json!({"output": {"type": "tar"}});
        assert!(output(&no_dest, false).unwrap_err().contains("dest"));
    }
}
