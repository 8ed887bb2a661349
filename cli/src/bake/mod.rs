//! `kiln bake [TARGET|GROUP]...`: build several targets at once against the Docker Engine's
//! BuildKit, each with its own tags, platform, args, labels and output, with one live view
//! of all of them and a summary. The engine runs the kiln frontend image (`BUILDKIT_SYNTAX`)
//! on a tar of the context that we filter with `.dockerignore` ourselves.

mod context;
mod progress;
mod status;

use crate::load::{VarArgs, checked_model};
use crate::print;
use bollard::Docker;
use bollard::grpc::build::{ImageBuildFrontendOptions, ImageBuildLoadInput, SecretSource};
use bollard::models::BuildInfoAux;
use bollard::query_parameters::{
    BuildImageOptionsBuilder, BuilderVersion, ImageBuildOutput, PushImageOptionsBuilder,
    TagImageOptionsBuilder,
};
use futures_util::StreamExt;
use progress::{Mode, Progress};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[derive(clap::Args)]
pub struct BakeArgs {
    /// Targets or groups to build (default: the `default` group, else every target).
    names: Vec<String>,
    /// The build file.
    #[arg(short, long, default_value = "kiln.yaml")]
    file: PathBuf,
    /// The build context directory.
    #[arg(short = 'C', long, default_value = ".")]
    context: PathBuf,
    #[command(flatten)]
    vars: VarArgs,
    /// Override a field of targets: `TARGET.FIELD=VALUE` (`*` matches every target). Fields:
    /// tags, platforms, args.NAME, labels.NAME, output (`type=local,dest=DIR`), stage.
    #[arg(long = "set", value_name = "TARGET.FIELD=VALUE")]
    set: Vec<String>,
    /// Print the resolved plan as JSON and build nothing.
    #[arg(long)]
    print: bool,
    /// Shorthand for `--set *.output=type=image`: load every image into the engine.
    #[arg(long)]
    load: bool,
    /// Push every image's tags to their registries after building.
    #[arg(long)]
    push: bool,
    /// `auto` (a live view on a terminal, lines otherwise), `tty` or `plain`.
    #[arg(long, default_value = "auto")]
    progress: String,
    /// The kiln frontend image the engine runs (default: $KILN_FRONTEND, else localhost:5000/kiln:dev).
    #[arg(long)]
    frontend: Option<String>,
    /// A secret for `secret` mounts: `id=ID,src=PATH` or `id=ID,env=VAR` (repeatable).
    /// Targets then build through the engine's gRPC API: image outputs only.
    #[arg(long, value_name = "id=ID,src=PATH|env=VAR")]
    secret: Vec<String>,
    /// Do not use the build cache.
    #[arg(long)]
    no_cache: bool,
    /// How many targets build at once.
    #[arg(long, default_value_t = 4)]
    jobs: usize,
}

pub fn run(args: &BakeArgs) -> ExitCode {
    match run_inner(args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("kiln: {message}");
            ExitCode::from(1)
        }
    }
}

fn run_inner(args: &BakeArgs) -> Result<ExitCode, String> {
    let secrets = args
        .secret
        .iter()
        .map(|s| parse_secret(s))
        .collect::<Result<Vec<_>, _>>()?;
    let checked = match checked_model(&args.file, &args.vars) {
        Ok(c) => c,
        Err(code) => return Ok(ExitCode::from(code)),
    };
    let model = checked
        .model
        .as_ref()
        .expect("checked_model returns a model");
    let vars = args
        .vars
        .options()
        .map_err(|_| "malformed --var".to_string())?
        .vars;
    let mut plan = print::plan(model, &args.names, &vars)?;
    let mut set = args.set.clone();
    if args.load {
        set.push("*.output=type=image".into());
    }
    for item in &set {
        apply_set(&mut plan, item)?;
    }
    if args.print {
        println!(
            "{}",
            serde_json::to_string_pretty(&plan).expect("JSON values serialize")
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mode = match args.progress.as_str() {
        "plain" => Mode::Plain,
        "tty" => Mode::Tty,
        "auto" if std::io::stdout().is_terminal() => Mode::Tty,
        "auto" => Mode::Plain,
        other => {
            return Err(format!(
                "--progress takes auto, tty or plain, got `{other}`"
            ));
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(bake(args, &plan, vars, secrets, mode))
}

/// `id=ID,src=PATH` (or `source=`), or `id=ID,env=VAR`.
fn parse_secret(text: &str) -> Result<(String, SecretSource), String> {
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
fn apply_set(plan: &mut Value, item: &str) -> Result<(), String> {
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

struct Job {
    index: usize,
    name: String,
    target: Value,
}

struct Outcome {
    name: String,
    ok: bool,
    seconds: f64,
    detail: String,
}

async fn bake(
    args: &BakeArgs,
    plan: &Value,
    vars: BTreeMap<String, String>,
    secrets: Vec<(String, SecretSource)>,
    mode: Mode,
) -> Result<ExitCode, String> {
    let docker = Docker::connect_with_defaults().map_err(|e| daemon_hint(&e.to_string()))?;
    docker
        .ping()
        .await
        .map_err(|e| daemon_hint(&e.to_string()))?;
    let file_in_tar = args
        .file
        .canonicalize()
        .ok()
        .zip(args.context.canonicalize().ok())
        .and_then(|(f, c)| f.strip_prefix(c).ok().map(Path::to_path_buf))
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|| {
            let name = args
                .file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            format!(".kiln/{name}")
        });
    let tar = context::tar_context(&args.context, &args.file, &file_in_tar)?;
    let frontend = args
        .frontend
        .clone()
        .or_else(|| std::env::var("KILN_FRONTEND").ok())
        .unwrap_or_else(|| "localhost:5000/kiln:dev".into());
    let targets: Vec<(String, Value)> = plan["target"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    if targets.is_empty() {
        return Err("nothing to build".into());
    }
    let names: Vec<String> = targets.iter().map(|(n, _)| n.clone()).collect();
    let progress = Arc::new(Mutex::new(Progress::new(mode, names)));
    let shared = Arc::new(Shared {
        docker,
        tar: bytes::Bytes::from(tar),
        file_in_tar,
        frontend,
        vars,
        push: args.push,
        no_cache: args.no_cache,
        secrets,
        progress: progress.clone(),
    });
    let started = Instant::now();
    let jobs = targets
        .into_iter()
        .enumerate()
        .map(|(index, (name, target))| Job {
            index,
            name,
            target,
        });
    let outcomes: Vec<Outcome> = futures_util::stream::iter(jobs)
        .map(|job| {
            let shared = shared.clone();
            async move { build_target(&shared, job).await }
        })
        .buffer_unordered(args.jobs.max(1))
        .collect()
        .await;
    progress.lock().expect("progress lock").end();
    let mut outcomes = outcomes;
    outcomes.sort_by(|a, b| a.name.cmp(&b.name));
    println!(
        "\nkiln bake: {} target(s) in {:.1}s",
        outcomes.len(),
        started.elapsed().as_secs_f64()
    );
    for o in &outcomes {
        let status = if o.ok { "ok" } else { "FAILED" };
        println!(
            "  {:<20} {status:<7} {:>6.1}s  {}",
            o.name, o.seconds, o.detail
        );
    }
    Ok(if outcomes.iter().all(|o| o.ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn daemon_hint(error: &str) -> String {
    let host =
        std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into());
    format!(
        "no Docker daemon answers at {host} ({error}); start one (`sudo systemctl start docker`, or `dockerd &`) or point DOCKER_HOST at it"
    )
}

struct Shared {
    docker: Docker,
    tar: bytes::Bytes,
    file_in_tar: String,
    frontend: String,
    vars: BTreeMap<String, String>,
    push: bool,
    no_cache: bool,
    secrets: Vec<(String, SecretSource)>,
    progress: Arc<Mutex<Progress>>,
}

impl Shared {
    fn note(&self, index: usize, text: &str) {
        self.progress
            .lock()
            .expect("progress lock")
            .note(index, text);
    }
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn string_map(value: &Value) -> HashMap<String, String> {
    value
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

async fn build_target(shared: &Shared, job: Job) -> Outcome {
    let started = Instant::now();
    let result = build_one(shared, &job).await;
    let seconds = started.elapsed().as_secs_f64();
    let (ok, detail) = match result {
        Ok(detail) => (true, detail),
        Err(error) => (false, error),
    };
    let outcome = if ok {
        format!("done: {detail}")
    } else {
        "FAILED".to_string()
    };
    shared
        .progress
        .lock()
        .expect("progress lock")
        .finish(job.index, &outcome);
    Outcome {
        name: job.name,
        ok,
        seconds,
        detail,
    }
}

async fn build_one(shared: &Shared, job: &Job) -> Result<String, String> {
    let target = &job.target;
    let tags = strings(&target["tags"]);
    let platforms = strings(&target["platforms"]);
    if platforms.len() > 1 {
        return Err(format!(
            "{} platforms: the Docker Engine stores one platform per image; build them one at a time with --set {}.platforms=...",
            platforms.len(),
            job.name
        ));
    }
    let kind = target["output"]["type"]
        .as_str()
        .unwrap_or("image")
        .to_string();
    let dest = target["output"]["dest"].as_str().map(str::to_string);
    if !shared.secrets.is_empty() {
        return build_with_secrets(shared, job, &kind, &tags, &platforms).await;
    }
    let mut build_args: HashMap<String, String> = shared.vars.clone().into_iter().collect();
    build_args.extend(string_map(&target["args"]));
    build_args.insert("BUILDKIT_SYNTAX".into(), shared.frontend.clone());
    let labels = string_map(&target["labels"]);
    let session = format!(
        "kiln-bake-{}-{}-{}",
        std::process::id(),
        job.index,
        job.name
    );
    let mut options = BuildImageOptionsBuilder::default()
        .dockerfile(&shared.file_in_tar)
        .target(&job.name)
        .buildargs(&build_args)
        .labels(&labels)
        .version(BuilderVersion::BuilderBuildKit)
        .session(&session)
        .nocache(shared.no_cache)
        .rm(true);
    if let Some(platform) = platforms.first() {
        options = options.platform(platform);
    }
    let mut temp_tar = None;
    match kind.as_str() {
        "image" | "registry" => {
            if let Some(first) = tags.first() {
                options = options.t(first);
            }
        }
        "tar" => {
            let dest = dest.clone().ok_or("a tar output needs `dest`")?;
            options = options.outputs(ImageBuildOutput::Tar(dest));
        }
        "local" => {
            // bollard 0.21's local receiver drops symlinks and modes: take a tar, unpack it.
            let file = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
            options = options.outputs(ImageBuildOutput::Tar(file.path().display().to_string()));
            temp_tar = Some(file);
        }
        other => return Err(format!("unknown output type `{other}`")),
    }
    let body = bollard::body_full(shared.tar.clone());
    let mut stream = shared.docker.build_image(options.build(), None, Some(body));
    let mut image_id = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(info) => match info.aux {
                Some(BuildInfoAux::BuildKit(status)) => {
                    shared
                        .progress
                        .lock()
                        .expect("progress lock")
                        .status(job.index, &status);
                }
                Some(BuildInfoAux::Default(id)) => image_id = id.id,
                None => {}
            },
            Err(e) => return Err(build_error(&e)),
        }
    }
    match kind.as_str() {
        "local" => {
            let dest = dest.ok_or("a local output needs `dest`")?;
            let file = temp_tar.ok_or("no tar output")?;
            unpack(file.path(), Path::new(&dest))?;
            Ok(format!("files in {dest}"))
        }
        "tar" => Ok(format!("tar in {}", dest.unwrap_or_default())),
        _ => {
            let id = image_id.unwrap_or_default();
            tag_and_push(shared, job, &id, &tags, kind == "registry").await?;
            Ok(if tags.is_empty() {
                id
            } else {
                format!("{id} {}", tags.join(" "))
            })
        }
    }
}

/// Secrets reach a build only through the engine's gRPC API (bollard's Moby driver): the
/// result goes to the image store; the steps come from our own status client.
async fn build_with_secrets(
    shared: &Shared,
    job: &Job,
    kind: &str,
    tags: &[String],
    platforms: &[String],
) -> Result<String, String> {
    if kind != "image" && kind != "registry" {
        return Err(format!(
            "--secret with a `{kind}` output: the engine's gRPC build API exports to its image store only; build to an image, or use `docker buildx build --secret ...`"
        ));
    }
    if !platforms.is_empty() {
        return Err("--secret with `platforms`: not supported by the engine's gRPC build API; drop the platform (the engine's own is used)".into());
    }
    let mut options = ImageBuildFrontendOptions::builder()
        .dockerfile(Path::new(&shared.file_in_tar))
        .target(&job.name)
        .nocache(shared.no_cache)
        .buildarg("BUILDKIT_SYNTAX", &shared.frontend);
    let mut build_args = shared.vars.clone();
    build_args.extend(string_map(&job.target["args"]));
    for (k, v) in &build_args {
        options = options.buildarg(k, v);
    }
    for (k, v) in string_map(&job.target["labels"]) {
        options = options.label(&k, &v);
    }
    for (id, source) in &shared.secrets {
        options = options.set_secret(id, source);
    }
    let name = tags
        .first()
        .cloned()
        .unwrap_or_else(|| format!("kiln-bake/{}:latest", job.name));
    // The engine's gRPC API streams no progress itself: follow the build's status ourselves.
    let reference = bollard::grpc::BuildRef::random();
    let host =
        std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into());
    let follower = match status::control_client(&host).await {
        Ok(client) => {
            let progress = shared.progress.clone();
            let index = job.index;
            let id: String = reference.as_ref().to_string();
            Some(tokio::spawn(status::follow(client, id, move |s| {
                progress.lock().expect("progress lock").status(index, s)
            })))
        }
        Err(why) => {
            shared.note(
                job.index,
                &format!("building with secrets, without live steps: {why}"),
            );
            None
        }
    };
    let driver = bollard::grpc::driver::moby::Moby::new(&shared.docker);
    let built = bollard::grpc::driver::Build::docker_build(
        driver,
        &name,
        options.build(),
        ImageBuildLoadInput::Upload(shared.tar.clone()),
        None,
        Some(reference),
    )
    .await;
    if let Some(follower) = follower {
        // The stream ends with the build; do not wait long for a straggler.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), follower).await;
    }
    built.map_err(|e| {
        let text = e.to_string();
        text.rsplit_once("desc = ")
            .map_or(text.clone(), |(_, ours)| ours.trim().to_string())
    })?;
    let id = shared
        .docker
        .inspect_image(&name)
        .await
        .ok()
        .and_then(|i| i.id)
        .unwrap_or_default();
    tag_and_push(shared, job, &id, tags, kind == "registry").await?;
    Ok(format!("{id} {name}"))
}

/// Give image `id` its other tags (the first one it was built with), and push them all when
/// asked (`--push`, or a `registry` output).
async fn tag_and_push(
    shared: &Shared,
    job: &Job,
    id: &str,
    tags: &[String],
    registry: bool,
) -> Result<(), String> {
    for tag in tags.iter().skip(1) {
        let (repo, tag_part) = split_tag(tag);
        let options = TagImageOptionsBuilder::default()
            .repo(repo)
            .tag(tag_part)
            .build();
        shared
            .docker
            .tag_image(id, Some(options))
            .await
            .map_err(|e| format!("tag {tag}: {e}"))?;
    }
    if shared.push || registry {
        for tag in tags {
            shared.note(job.index, &format!("pushing {tag}"));
            push(&shared.docker, tag).await?;
        }
    }
    Ok(())
}

fn build_error(error: &bollard::errors::Error) -> String {
    match error {
        // "failed to solve with frontend dockerfile.v0: ... desc = kiln.yaml:25: ...": the
        // frontend's own message is what the user needs.
        bollard::errors::Error::DockerStreamError { error } => error
            .rsplit_once("desc = ")
            .map_or(error.as_str(), |(_, ours)| ours)
            .trim()
            .to_string(),
        other => other.to_string(),
    }
}

/// `registry/name:tag` → (`registry/name`, `tag`); no tag means `latest`.
fn split_tag(reference: &str) -> (&str, &str) {
    let name_start = reference.rfind('/').map_or(0, |i| i + 1);
    match reference[name_start..].rfind(':') {
        Some(i) => (
            &reference[..name_start + i],
            &reference[name_start + i + 1..],
        ),
        None => (reference, "latest"),
    }
}

async fn push(docker: &Docker, reference: &str) -> Result<(), String> {
    let (repo, tag) = split_tag(reference);
    let options = PushImageOptionsBuilder::default().tag(tag).build();
    let mut stream = docker.push_image(repo, Some(options), None);
    while let Some(item) = stream.next().await {
        let info = item.map_err(|e| format!("push {reference}: {}", build_error(&e)))?;
        if let Some(error) = info.error_detail.and_then(|d| d.message) {
            return Err(format!("push {reference}: {error}"));
        }
    }
    Ok(())
}

/// Unpack a tar output into `dest`, keeping modes and symlinks.
fn unpack(tar_path: &Path, dest: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dest).map_err(|e| format!("cannot create {}: {e}", dest.display()))?;
    let file = std::fs::File::open(tar_path).map_err(|e| e.to_string())?;
    let mut archive = tar::Archive::new(file);
    archive.set_preserve_permissions(true);
    archive.set_overwrite(true);
    archive
        .unpack(dest)
        .map_err(|e| format!("cannot unpack into {}: {e}", dest.display()))
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
    fn tags_split_into_repository_and_tag() {
        assert_eq!(
            split_tag("localhost:5000/app:1.0"),
            ("localhost:5000/app", "1.0")
        );
        assert_eq!(
            split_tag("localhost:5000/app"),
            ("localhost:5000/app", "latest")
        );
        assert_eq!(split_tag("app"), ("app", "latest"));
    }
}
