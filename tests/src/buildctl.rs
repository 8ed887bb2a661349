//! Builds on the standalone buildkitd, the way CI fleets drive it: `buildctl build` with the
//! kiln frontend image as a `gateway.v0` source (or BuildKit's own Dockerfile frontend for
//! the twins). Images come back as Docker tarballs and are loaded into Docker 20.10's store,
//! so the tests save, inspect and run them as they do for the Docker Engines.

use crate::engine::{Build, Engine};
use std::process::{Command, Output};

/// buildctl from the bench (`KILN_BUILDCTL`), talking to `addr`.
pub fn command(addr: &str) -> Command {
    let state =
        std::env::var("KILN_TESTBED_STATE").unwrap_or_else(|_| "/var/lib/kiln-testbed".into());
    let program =
        std::env::var("KILN_BUILDCTL").unwrap_or_else(|_| format!("{state}/buildkit/bin/buildctl"));
    let mut cmd = Command::new(program);
    cmd.args(["--addr", addr]);
    cmd
}

/// The build's log, or the log as the error when it failed.
pub fn log_or_error(out: Output) -> Result<String, String> {
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

/// The frontend that builds a file: the kiln image named by `Build::frontend` or by the
/// file's `# syntax=` line (through `gateway.v0`, as a remote builder runs it), or else
/// BuildKit's built-in Dockerfile frontend.
fn frontend_args(build: &Build) -> Vec<String> {
    let syntax_line = std::fs::read_to_string(build.file_path())
        .ok()
        .and_then(|text| {
            let first = text.lines().next()?.trim().to_string();
            first
                .strip_prefix("# syntax=")
                .map(|s| s.trim().to_string())
        });
    match build.frontend.clone().or(syntax_line) {
        Some(image) => vec![
            "--frontend".into(),
            "gateway.v0".into(),
            "--opt".into(),
            format!("source={image}"),
        ],
        None => vec!["--frontend".into(), "dockerfile.v0".into()],
    }
}

/// `buildctl build` of `build` with one `--output`.
pub fn build(engine: &Engine, build: &Build, output: &str) -> Result<String, String> {
    let args = build_args(build, output);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    log_or_error(engine.buildctl(&args))
}

/// The arguments of `buildctl build` of `build` with one `--output`.
pub fn build_args(build: &Build, output: &str) -> Vec<String> {
    let file = build.file_path();
    let dir = file.parent().expect("the build file has a folder");
    let name = file.file_name().expect("a file name").to_string_lossy();
    let mut args: Vec<String> = vec!["build".into(), "--progress=plain".into()];
    args.extend(frontend_args(build));
    args.extend([
        "--local".into(),
        format!("context={}", build.context.display()),
        "--local".into(),
        format!("dockerfile={}", dir.display()),
        "--opt".into(),
        format!("filename={name}"),
    ]);
    for (k, v) in &build.build_args {
        args.extend(["--opt".into(), format!("build-arg:{k}={v}")]);
    }
    if let Some(platform) = &build.platform {
        args.extend(["--opt".into(), format!("platform={platform}")]);
    }
    if let Some(target) = &build.target {
        args.extend(["--opt".into(), format!("target={target}")]);
    }
    for secret in &build.secrets {
        args.extend(["--secret".into(), secret.clone()]);
    }
    args.extend(context_args(build));
    for entitlement in &build.allow {
        args.extend(["--allow".into(), entitlement.clone()]);
    }
    args.extend(build.extra.iter().cloned());
    args.extend(["--output".into(), output.into()]);
    args
}

/// Named contexts as buildctl passes them: `context:NAME` options, a directory also sent as
/// the local directory NAME (buildx does the same for `--build-context NAME=DIR`).
fn context_args(build: &Build) -> Vec<String> {
    let mut args = Vec::new();
    for (name, value) in &build.contexts {
        let source = build.context_source(value);
        if source.contains("://") {
            args.extend(["--opt".into(), format!("context:{name}={source}")]);
        } else {
            args.extend(["--local".into(), format!("{name}={source}")]);
            args.extend(["--opt".into(), format!("context:{name}=local:{name}")]);
        }
    }
    args
}

/// Build a Docker tarball and load it into the Docker Engine that holds buildkitd's images.
pub fn build_image(engine: &Engine, b: &Build, tag: &str) -> Result<String, String> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let tar = dir.path().join("image.tar");
    let output = format!("type=docker,name={tag},dest={}", tar.display());
    let log = build(engine, b, &output)?;
    let loaded = engine.docker(&["load", "-q", "-i", &tar.display().to_string()]);
    if !loaded.status.success() {
        return Err(format!(
            "{log}\ndocker load of the built image failed: {}",
            String::from_utf8_lossy(&loaded.stderr)
        ));
    }
    Ok(log)
}

/// A second buildkitd with an empty state, as a fresh CI runner has: started in the bench's
/// sid chroot next to the main one, on its own socket and root, and stopped (its state
/// removed) when dropped.
pub struct EmptyBuildkitd {
    pub engine: Engine,
    child: std::process::Child,
    root_on_host: std::path::PathBuf,
}

impl EmptyBuildkitd {
    pub fn start() -> EmptyBuildkitd {
        Self::start_with(&[])
    }

    /// One started with more daemon flags (`--allow-insecure-entitlement network.host`).
    pub fn start_with(flags: &[&str]) -> EmptyBuildkitd {
        use std::sync::atomic::{AtomicU32, Ordering};
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let id = format!(
            "kiln-empty-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let chroot = format!("{}/sid", crate::engine::state_dir());
        let child = Command::new("chroot")
            .arg(&chroot)
            .args(["buildkitd", "--config", "/etc/kiln-buildkit/buildkitd.toml"])
            .args(["--root", &format!("/var/lib/{id}")])
            .args(["--addr", &format!("unix:///run/{id}.sock")])
            .args(flags)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("chroot starts buildkitd");
        let engine = Engine::buildkitd_at(format!("unix://{chroot}/run/{id}.sock"));
        let daemon = EmptyBuildkitd {
            engine,
            child,
            root_on_host: format!("{chroot}/var/lib/{id}").into(),
        };
        for _ in 0..200 {
            if daemon
                .engine
                .buildctl(&["debug", "workers"])
                .status
                .success()
            {
                return daemon;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!(
            "an empty buildkitd did not come up on {}",
            daemon.engine.host
        );
    }
}

impl Drop for EmptyBuildkitd {
    fn drop(&mut self) {
        // SIGTERM: buildkitd unmounts its snapshots before it exits, so its root can go.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..100 {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.root_on_host);
    }
}
