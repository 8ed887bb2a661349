//! The two engines of the bench and what tests do with them: build, push, pull, save.

use crate::image::Image;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// One engine of the bench: a Docker Engine with its embedded BuildKit, or the standalone
/// buildkitd driven by buildctl.
#[derive(Clone, Debug)]
pub struct Engine {
    /// `docker20` (BuildKit v0.8), `docker28` (a current BuildKit) or `buildkitd` (the same
    /// BuildKit as Docker 28's, standalone, with the OCI worker).
    pub name: &'static str,
    /// Where clients talk to it: `DOCKER_HOST` for a Docker Engine, the buildkitd address
    /// (`unix:///...`) for buildkitd.
    pub host: String,
    /// The Docker Engine whose image store holds what this engine builds (and runs it): the
    /// engine itself, or Docker 20.10 for buildkitd (its images are loaded there).
    pub docker_host: String,
    pub kind: EngineKind,
    /// buildctl's TLS flags for a TCP buildkitd (`--tlscacert=...`), empty otherwise.
    pub tls: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineKind {
    Docker,
    Buildkitd,
}

/// A build to run: a context directory and how to build it.
#[derive(Clone, Debug, Default)]
pub struct Build {
    pub context: PathBuf,
    /// The build file, relative to the context or absolute (default: `Dockerfile`).
    pub file: Option<PathBuf>,
    pub build_args: Vec<(String, String)>,
    pub platform: Option<String>,
    pub target: Option<String>,
    /// A frontend image for `BUILDKIT_SYNTAX` (the `# syntax=` line works too).
    pub frontend: Option<String>,
    /// `--secret` values (`id=NAME,src=PATH` or `id=NAME,env=VAR`).
    pub secrets: Vec<String>,
    /// Named build contexts: NAME and a directory (relative to the context or absolute) or
    /// `docker-image://REF`. The Docker Engines get them through buildx `--build-context`.
    pub contexts: Vec<(String, String)>,
    /// Entitlements the client asks for (`network.host`, `security.insecure`): `--allow`.
    pub allow: Vec<String>,
    /// More client flags, given as they are (`--no-cache`, cache imports, ...).
    pub extra: Vec<String>,
}

impl Build {
    pub fn new(context: impl Into<PathBuf>) -> Self {
        Build {
            context: context.into(),
            ..Default::default()
        }
    }

    /// The build file's path.
    pub fn file_path(&self) -> PathBuf {
        self.context
            .join(self.file.clone().unwrap_or_else(|| "Dockerfile".into()))
    }

    /// A named context's value with a directory made absolute (`docker-image://` as is).
    pub fn context_source(&self, value: &str) -> String {
        if value.contains("://") {
            value.to_string()
        } else {
            self.context.join(value).display().to_string()
        }
    }

    /// Whether a Docker Engine builds this with buildx: the old client has no
    /// `--build-context` or `--allow`.
    fn needs_buildx(&self) -> bool {
        !self.contexts.is_empty() || !self.allow.is_empty()
    }
}

/// The 20.10 client speaks to both daemons (and is the only one that needs no buildx).
const CLIENT: &str = "/usr/bin/docker";
const DOCKER20: &str = "unix:///var/run/docker.sock";

pub(crate) fn state_dir() -> String {
    std::env::var("KILN_TESTBED_STATE").unwrap_or_else(|_| "/var/lib/kiln-testbed".into())
}

impl Engine {
    /// Every engine of the bench. Their addresses come from `scripts/testbed.sh env`, with
    /// the bench's defaults. Panics with the fix when one is not running: tests never skip.
    pub fn all() -> Vec<Engine> {
        let engines = vec![
            Self::docker_engine("docker20", "KILN_DOCKER20_HOST", DOCKER20.into()),
            Self::docker_engine(
                "docker28",
                "KILN_DOCKER28_HOST",
                format!("unix://{}/sid/run/d28.sock", state_dir()),
            ),
            Self::buildkitd(),
        ];
        for engine in &engines {
            engine.ensure_up();
        }
        engines
    }

    /// The two Docker Engines only: for what only a Docker Engine has (its Engine API,
    /// `docker build` with a tar body).
    pub fn docker_engines() -> Vec<Engine> {
        Self::all()
            .into_iter()
            .filter(|e| e.kind == EngineKind::Docker)
            .collect()
    }

    /// One engine by name (`docker28`, `buildkitd`, ...).
    pub fn named(name: &str) -> Engine {
        Self::all()
            .into_iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("no engine {name} in the bench"))
    }

    fn docker_engine(name: &'static str, var: &str, default: String) -> Engine {
        let host = std::env::var(var).unwrap_or(default);
        Engine {
            name,
            docker_host: host.clone(),
            host,
            kind: EngineKind::Docker,
            tls: Vec::new(),
        }
    }

    fn buildkitd() -> Engine {
        Self::buildkitd_at(
            std::env::var("KILN_BUILDKITD_HOST")
                .unwrap_or_else(|_| format!("unix://{}/sid/run/kiln-buildkitd.sock", state_dir())),
        )
    }

    /// A buildkitd at `addr` (the bench's, or one a test started).
    pub fn buildkitd_at(addr: String) -> Engine {
        Engine {
            name: "buildkitd",
            host: addr,
            docker_host: std::env::var("KILN_DOCKER20_HOST").unwrap_or_else(|_| DOCKER20.into()),
            kind: EngineKind::Buildkitd,
            tls: Vec::new(),
        }
    }

    fn ensure_up(&self) {
        let out = match self.kind {
            EngineKind::Docker => self.docker(&["version", "--format", "{{.Server.Version}}"]),
            EngineKind::Buildkitd => self.buildctl(&["debug", "workers"]),
        };
        assert!(
            out.status.success(),
            "engine {} ({}) is not running: run `scripts/testbed.sh up` as root first\n{}",
            self.name,
            self.host,
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Run the docker client, with BuildKit on, against the Docker Engine that holds this
    /// engine's images.
    pub fn docker(&self, args: &[&str]) -> Output {
        Command::new(CLIENT)
            .args(args)
            .env("DOCKER_HOST", &self.docker_host)
            .env("DOCKER_BUILDKIT", "1")
            .output()
            .unwrap_or_else(|e| panic!("cannot run {CLIENT}: {e}"))
    }

    /// `docker buildx ...` on this engine: the docker driver of a Docker Engine, or buildx's
    /// `remote` driver on buildkitd (the bench's `kiln-remote` builder). Add the arguments.
    pub fn buildx(&self) -> Command {
        let mut cmd = Command::new("docker");
        cmd.env("DOCKER_HOST", &self.docker_host).arg("buildx");
        if self.kind == EngineKind::Buildkitd {
            cmd.args(["--builder", "kiln-remote"]);
        }
        cmd
    }

    /// Run buildctl against buildkitd (`--addr` is this engine's).
    pub fn buildctl(&self, args: &[&str]) -> Output {
        crate::buildctl::command(&self.host)
            .args(&self.tls)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run buildctl: {e}"))
    }

    /// Run an image of this engine's store: `docker run --rm TAG ARGS`. Returns its output.
    pub fn run_ok(&self, tag: &str, args: &[&str]) -> String {
        let mut all = vec!["run", "--rm", tag];
        all.extend(args);
        self.docker_ok(&all)
    }

    /// The address at which build containers reach the host (servers a `run` step talks to
    /// must listen there): the address of the engine's default bridge, read from the bridge
    /// interface itself (Docker 20.10 leaves the network's IPAM gateway empty until a
    /// container asks for it). buildkitd's steps run in the host's network: loopback.
    pub fn host_gateway(&self) -> String {
        if self.kind == EngineKind::Buildkitd {
            return "127.0.0.1".into();
        }
        let bridge = self.docker_ok(&[
            "network",
            "inspect",
            "bridge",
            "--format",
            "{{index .Options \"com.docker.network.bridge.name\"}}",
        ]);
        let bridge = bridge.trim();
        let out = Command::new("ip")
            .args(["-o", "-4", "addr", "show", "dev", bridge])
            .output()
            .unwrap_or_else(|e| panic!("cannot run ip: {e}"));
        let text = String::from_utf8_lossy(&out.stdout);
        // `5: docker0    inet 172.17.0.1/16 brd ...`
        let ip = text
            .split_whitespace()
            .skip_while(|w| *w != "inet")
            .nth(1)
            .and_then(|a| a.split('/').next())
            .unwrap_or_default()
            .to_string();
        assert!(
            ip.parse::<std::net::Ipv4Addr>().is_ok(),
            "[{}] no IPv4 address on the bridge {bridge:?}: {text:?}",
            self.name
        );
        ip
    }

    /// Run the docker client and fail with its output unless it succeeds.
    pub fn docker_ok(&self, args: &[&str]) -> String {
        let out = self.docker(args);
        if !out.status.success() {
            panic!(
                "[{}] docker {} failed:\n{}{}",
                self.name,
                args.join(" "),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn build_args(build: &Build) -> Vec<String> {
        let mut args = vec!["build".to_string(), "--progress=plain".to_string()];
        if let Some(file) = &build.file {
            args.extend(["-f".into(), build.context.join(file).display().to_string()]);
        }
        for (k, v) in &build.build_args {
            args.extend(["--build-arg".into(), format!("{k}={v}")]);
        }
        if let Some(frontend) = &build.frontend {
            args.extend(["--build-arg".into(), format!("BUILDKIT_SYNTAX={frontend}")]);
        }
        if let Some(platform) = &build.platform {
            args.extend(["--platform".into(), platform.clone()]);
        }
        if let Some(target) = &build.target {
            args.extend(["--target".into(), target.clone()]);
        }
        for secret in &build.secrets {
            args.extend(["--secret".into(), secret.clone()]);
        }
        for (name, value) in &build.contexts {
            let source = build.context_source(value);
            args.extend(["--build-context".into(), format!("{name}={source}")]);
        }
        for entitlement in &build.allow {
            args.extend(["--allow".into(), entitlement.clone()]);
        }
        args.extend(build.extra.iter().cloned());
        args
    }

    /// Build into the engine's image store under `tag`. Returns the build log, or the log
    /// as the error when the build fails.
    pub fn build_image(&self, build: &Build, tag: &str) -> Result<String, String> {
        if self.kind == EngineKind::Buildkitd {
            return crate::buildctl::build_image(self, build, tag);
        }
        let mut args = Self::build_args(build);
        args.extend(["-t".into(), tag.into(), build.context.display().to_string()]);
        if build.needs_buildx() {
            // The docker driver loads the image into the engine's store, as `docker build`.
            return crate::buildctl::log_or_error(self.buildx().args(&args).output().unwrap());
        }
        self.run_build(&args)
    }

    /// Build and export the result's files into `dest` (`-o type=local`).
    pub fn build_local(&self, build: &Build, dest: &Path) -> Result<String, String> {
        if self.kind == EngineKind::Buildkitd {
            let output = format!("type=local,dest={}", dest.display());
            return crate::buildctl::build(self, build, &output);
        }
        let mut args = Self::build_args(build);
        args.extend([
            "-o".into(),
            format!("type=local,dest={}", dest.display()),
            build.context.display().to_string(),
        ]);
        self.run_build(&args)
    }

    /// The client command of a build into `dest` (`-o type=local`), not started: for tests
    /// that run builds side by side, or stop a client halfway.
    pub fn local_build_command(&self, build: &Build, dest: &Path) -> Command {
        let output = format!("type=local,dest={}", dest.display());
        if self.kind == EngineKind::Buildkitd {
            let mut cmd = crate::buildctl::command(&self.host);
            cmd.args(&self.tls)
                .args(crate::buildctl::build_args(build, &output));
            return cmd;
        }
        let mut cmd = Command::new(CLIENT);
        cmd.args(Self::build_args(build))
            .args(["-o", &output])
            .arg(&build.context)
            .env("DOCKER_HOST", &self.docker_host)
            .env("DOCKER_BUILDKIT", "1");
        cmd
    }

    fn run_build(&self, args: &[String]) -> Result<String, String> {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        crate::buildctl::log_or_error(self.docker(&args))
    }

    /// Export an image of the store with `docker save` and read its files and config.
    pub fn save(&self, tag: &str) -> Image {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let tar = dir.path().join("image.tar");
        self.docker_ok(&["save", "-o", &tar.display().to_string(), tag]);
        Image::from_docker_save(&tar)
            .unwrap_or_else(|e| panic!("[{}] cannot read the saved {tag}: {e}", self.name))
    }

    pub fn remove_image(&self, tag: &str) {
        let _ = self.docker(&["rmi", "-f", tag]);
    }
}

/// A tag unique to this test run, so parallel tests and reruns never collide.
pub fn unique_tag(repository: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{repository}:t{}-{n}", std::process::id())
}
