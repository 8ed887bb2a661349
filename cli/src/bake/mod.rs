//! `kiln bake [TARGET|GROUP]...`: build several targets at once against the Docker Engine's
//! BuildKit, each with its own tags, platform, args, labels and output, with one live view
//! of all of them and a summary. The engine runs the kiln frontend image (`BUILDKIT_SYNTAX`)
//! on a tar of the context that we filter with `.dockerignore` ourselves.

mod buildx;
mod context;
mod engine;
mod plan;
mod progress;
mod status;

use crate::load::override_env;
use crate::load::{VarArgs, build_files, checked_files};
use crate::output::outln;
use crate::print;
use bollard::Docker;
use bollard::grpc::build::SecretSource;
use futures_util::StreamExt;
use plan::{apply_sets, parse_secret, parse_sets};
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
    /// Targets or groups to build (default: what a build with no target builds: the `default`
    /// group, else the only target; see docs/format.md, "What a build builds").
    names: Vec<String>,
    /// The build file (default `kiln.yaml`, else `kiln.hcl` and `kiln.override.hcl`);
    /// repeat for several HCL files, read in order.
    #[arg(short, long)]
    file: Vec<PathBuf>,
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
    /// Build on this buildx builder (any driver: docker-container, remote, kubernetes):
    /// the plan is handed to `docker buildx bake`. Without it, kiln builds on the Docker
    /// Engine at DOCKER_HOST itself.
    #[arg(long)]
    builder: Option<String>,
    /// An SSH agent or keys for `ssh` mounts: `default` or `ID=PATH` (repeatable; with
    /// --builder).
    #[arg(long, value_name = "default|ID=PATH")]
    ssh: Vec<String>,
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
    let files = build_files(&args.file);
    let mut set = args.set.clone();
    if args.load {
        set.push("*.output=type=image".into());
    }
    let overrides = parse_sets(&set)?;
    let checked = match checked_files(&files, &args.vars, &overrides) {
        Ok(c) => c,
        Err(code) => return Ok(ExitCode::from(code)),
    };
    let model = checked.model();
    let vars = args
        .vars
        .options()
        .map_err(|_| "malformed --var".to_string())?
        .vars;
    let mut plan = print::plan(model, &args.names, &vars)?;
    // An HCL file's `--set`s are in the model already (applied before `inherits`).
    if !checked.file().is_hcl() {
        apply_sets(&mut plan, &overrides, &override_env(&overrides))?;
    }
    if args.print {
        outln!(
            "{}",
            serde_json::to_string_pretty(&plan).expect("JSON values serialize")
        );
        return Ok(ExitCode::SUCCESS);
    }
    // The frontend reads one build file: several are handed to it as one HCL text.
    let merged = merged_file(&files)?;
    let file = merged
        .as_ref()
        .map_or_else(|| build_file(args), |(_, path)| path.clone());
    if let Some(builder) = &args.builder {
        let frontend = frontend_image(args);
        let request = buildx::Request {
            builder,
            file: &file,
            context: &args.context,
            frontend: &frontend,
            vars: &vars,
            secrets: &args.secret,
            ssh: &args.ssh,
            no_cache: args.no_cache,
            push: args.push,
            progress: &args.progress,
        };
        return buildx::bake(&plan, &request);
    }
    if !args.ssh.is_empty() {
        return Err("--ssh needs --builder: the Docker Engine path serves no ssh agent".into());
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
    runtime.block_on(bake(args, &file, &plan, vars, secrets, mode))
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
    file: &Path,
    plan: &Value,
    vars: BTreeMap<String, String>,
    secrets: Vec<(String, SecretSource)>,
    mode: Mode,
) -> Result<ExitCode, String> {
    let host = docker_host();
    let docker =
        Docker::connect_with_host(&host).map_err(|e| daemon_hint(&host, &e.to_string()))?;
    docker
        .ping()
        .await
        .map_err(|e| daemon_hint(&host, &e.to_string()))?;
    let file_in_tar = file_in_tar(file, args);
    let tar = context::tar_context(&args.context, file, &file_in_tar)?;
    let frontend = frontend_image(args);
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
        host,
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
    Ok(summary(outcomes, started))
}

/// The summary after the builds, a line a target; the exit code.
fn summary(mut outcomes: Vec<Outcome>, started: Instant) -> ExitCode {
    outcomes.sort_by(|a, b| a.name.cmp(&b.name));
    outln!(
        "\nkiln bake: {} target(s) in {:.1}s",
        outcomes.len(),
        started.elapsed().as_secs_f64()
    );
    for o in &outcomes {
        let status = if o.ok { "ok" } else { "FAILED" };
        outln!(
            "  {:<20} {status:<7} {:>6.1}s  {}",
            o.name,
            o.seconds,
            o.detail
        );
    }
    if outcomes.iter().all(|o| o.ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Where the build file is in the context tar: its path in the context, or `.kiln/NAME`
/// for a file outside it (added to the tar there).
/// The one build file a build reads.
fn build_file(args: &BakeArgs) -> PathBuf {
    build_files(&args.file).swap_remove(0)
}

/// Several build files as one HCL file in a temporary folder (kept while the build runs),
/// or None for one file.
fn merged_file(files: &[PathBuf]) -> Result<Option<(tempfile::TempDir, PathBuf)>, String> {
    if files.len() < 2 {
        return Ok(None);
    }
    let mut texts = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        texts.push((path.display().to_string(), text));
    }
    let text = kiln_dsl::hcl_front::merge::merged(&texts)?;
    let dir = tempfile::tempdir().map_err(|e| format!("cannot make a temporary folder: {e}"))?;
    let path = dir.path().join("kiln.merged.hcl");
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(Some((dir, path)))
}

fn file_in_tar(file: &Path, args: &BakeArgs) -> String {
    let inside = file
        .canonicalize()
        .ok()
        .zip(args.context.canonicalize().ok());
    let relative = inside.and_then(|(f, c)| f.strip_prefix(c).ok().map(Path::to_path_buf));
    relative
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|| {
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
            format!(".kiln/{}", name.unwrap_or_default())
        })
}

/// The kiln frontend image the builds run.
fn frontend_image(args: &BakeArgs) -> String {
    args.frontend
        .clone()
        .or_else(|| std::env::var("KILN_FRONTEND").ok())
        .unwrap_or_else(|| "localhost:5000/kiln:dev".into())
}

/// A target's build args: the `--var` values, its own args over them, and the frontend to
/// run (`BUILDKIT_SYNTAX`).
fn target_build_args(
    vars: &BTreeMap<String, String>,
    target: &Value,
    frontend: &str,
) -> HashMap<String, String> {
    let mut args: HashMap<String, String> = vars.clone().into_iter().collect();
    args.extend(string_map(&target["args"]));
    args.insert("BUILDKIT_SYNTAX".into(), frontend.to_string());
    args
}

/// The engine's address, as the docker CLI reads it.
fn docker_host() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into())
}

fn daemon_hint(host: &str, error: &str) -> String {
    format!(
        "no Docker daemon answers at {host} ({error}); start one (`sudo systemctl start docker`, or `dockerd &`) or point DOCKER_HOST at it"
    )
}

struct Shared {
    docker: Docker,
    /// The engine's address (`DOCKER_HOST`).
    host: String,
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
    let result = engine::build_one(shared, &job).await;
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
