//! The two engines of the bench and what tests do with them: build, push, pull, save.

use crate::image::Image;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// One Docker engine with its BuildKit.
#[derive(Clone, Debug)]
pub struct Engine {
    /// `docker20` (BuildKit v0.8) or `docker28` (a current BuildKit).
    pub name: &'static str,
    /// `unix:///...` socket of the daemon.
    pub host: String,
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
}

impl Build {
    pub fn new(context: impl Into<PathBuf>) -> Self {
        Build {
            context: context.into(),
            ..Default::default()
        }
    }
}

/// The 20.10 client speaks to both daemons (and is the only one that needs no buildx).
const CLIENT: &str = "/usr/bin/docker";

impl Engine {
    /// Both engines of the bench. Their sockets come from `scripts/testbed.sh env`, with the
    /// bench's defaults. Panics with the fix when one is not running: tests never skip.
    pub fn all() -> Vec<Engine> {
        let state =
            std::env::var("KILN_TESTBED_STATE").unwrap_or_else(|_| "/var/lib/kiln-testbed".into());
        let engines = vec![
            Engine {
                name: "docker20",
                host: std::env::var("KILN_DOCKER20_HOST")
                    .unwrap_or_else(|_| "unix:///var/run/docker.sock".into()),
            },
            Engine {
                name: "docker28",
                host: std::env::var("KILN_DOCKER28_HOST")
                    .unwrap_or_else(|_| format!("unix://{state}/sid/run/d28.sock")),
            },
        ];
        for engine in &engines {
            engine.ensure_up();
        }
        engines
    }

    fn ensure_up(&self) {
        let out = self.docker(&["version", "--format", "{{.Server.Version}}"]);
        assert!(
            out.status.success(),
            "engine {} ({}) is not running: run `scripts/testbed.sh up` as root first\n{}",
            self.name,
            self.host,
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Run the docker client against this engine, with BuildKit on.
    pub fn docker(&self, args: &[&str]) -> Output {
        Command::new(CLIENT)
            .args(args)
            .env("DOCKER_HOST", &self.host)
            .env("DOCKER_BUILDKIT", "1")
            .output()
            .unwrap_or_else(|e| panic!("cannot run {CLIENT}: {e}"))
    }

    /// The address at which build containers reach the host: the gateway of the engine's
    /// default bridge (servers a `run` step talks to must listen there).
    pub fn host_gateway(&self) -> String {
        let out = self.docker_ok(&[
            "network",
            "inspect",
            "bridge",
            "--format",
            "{{(index .IPAM.Config 0).Gateway}}",
        ]);
        let ip = out.trim().to_string();
        assert!(
            ip.parse::<std::net::Ipv4Addr>().is_ok(),
            "[{}] no gateway on the bridge network: {out:?}",
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
        args
    }

    /// Build into the engine's image store under `tag`. Returns the build log, or the log
    /// as the error when the build fails.
    pub fn build_image(&self, build: &Build, tag: &str) -> Result<String, String> {
        let mut args = Self::build_args(build);
        args.extend(["-t".into(), tag.into(), build.context.display().to_string()]);
        self.run_build(&args)
    }

    /// Build and export the result's files into `dest` (`-o type=local`).
    pub fn build_local(&self, build: &Build, dest: &Path) -> Result<String, String> {
        let mut args = Self::build_args(build);
        args.extend([
            "-o".into(),
            format!("type=local,dest={}", dest.display()),
            build.context.display().to_string(),
        ]);
        self.run_build(&args)
    }

    fn run_build(&self, args: &[String]) -> Result<String, String> {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = self.docker(&args);
        let log = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if out.status.success() {
            Ok(log)
        } else {
            Err(log)
        }
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
