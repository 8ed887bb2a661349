//! `kiln bake --builder NAME` on the bench's standalone buildkitd through buildx's `remote`
//! driver (the `kiln-remote` builder of `scripts/testbed.sh up`): a group of targets for two
//! platforms pushed as manifest lists with a registry cache, and that cache reused by a
//! second, empty buildkitd. Needs the bench and the frontend image.

mod common;

use common::text;
use kiln_testbed::{EmptyBuildkitd, Engine, manifest_list_architectures, unique_tag};
use std::path::Path;
use std::process::{Command, Output};

/// Two targets on a shared base whose steps write random bytes: equal bytes after a rebuild
/// came from a cache. `TOKEN` is unique to the run, so no builder has the steps already.
fn kiln_file(token: &str) -> String {
    format!(
        r#"# syntax=localhost:5000/kiln:dev
version: 1
args:
  TOKEN: {token}
  TAG: latest
stages:
  base:
    from: localhost:5000/busybox:1
    steps:
      - run: echo ${{TOKEN}} > /token && head -c 8 /dev/urandom | od -An -tx1 > /base
  a:
    from: base
    steps:
      - run: uname -m > /arch && head -c 8 /dev/urandom | od -An -tx1 > /own
  b:
    from: base
    steps:
      - run: uname -m > /arch && head -c 8 /dev/urandom | od -An -tx1 > /own
targets:
  a:
    stage: a
    platforms: [linux/amd64, linux/arm64]
    tags: ["localhost:5000/kiln-bake-buildx/a:${{TAG}}"]
  b:
    stage: b
    platforms: [linux/amd64, linux/arm64]
    tags: ["localhost:5000/kiln-bake-buildx/b:${{TAG}}"]
groups:
  all: [a, b]
"#
    )
}

fn kiln_bake(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(["bake", "-f", "kiln.yaml", "all", "--progress", "plain"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("kiln runs")
}

/// A buildx `remote` builder on an empty buildkitd, removed when dropped.
struct EmptyBuilder {
    name: String,
    _daemon: EmptyBuildkitd,
}

impl EmptyBuilder {
    fn start() -> EmptyBuilder {
        let daemon = EmptyBuildkitd::start();
        let name = unique_tag("kiln-empty").replace([':', '-'], "");
        let out = daemon
            .engine
            .buildx()
            .args(["create", "--name", &name, "--driver", "remote"])
            .arg(&daemon.engine.host)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
        EmptyBuilder {
            name,
            _daemon: daemon,
        }
    }
}

impl Drop for EmptyBuilder {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["buildx", "rm", "--force", &self.name])
            .output();
    }
}

#[test]
fn a_group_for_two_platforms_is_pushed_and_its_cache_serves_an_empty_builder() {
    let engine = Engine::named("buildkitd");
    let dir = tempfile::tempdir().unwrap();
    let token = unique_tag("t").replace([':', '-'], "");
    std::fs::write(dir.path().join("kiln.yaml"), kiln_file(&token)).unwrap();
    let cache = |t: &str| format!("localhost:5000/kiln-bake-buildx/cache-{t}:{token}");
    let cache_to = |t: &str| format!("{t}.cache-to=type=registry,ref={},mode=max", cache(t));
    let cache_from = |t: &str| format!("{t}.cache-from=type=registry,ref={}", cache(t));
    let tag = format!("TAG={token}");

    let (to_a, to_b) = (cache_to("a"), cache_to("b"));
    let args = ["--builder", "kiln-remote", "--push", "--var", &tag];
    let out = kiln_bake(
        dir.path(),
        &[&args[..], &["--set", &to_a, "--set", &to_b]].concat(),
    );
    assert!(out.status.success(), "[{}] {}", engine.name, text(&out));
    for target in ["a", "b"] {
        let repository = format!("kiln-bake-buildx/{target}");
        assert_eq!(
            manifest_list_architectures(&repository, &token),
            ["amd64", "arm64"]
        );
    }

    // The files, from the same builder (cached), then from an empty one with the cache.
    let local = |t: &str, d: &Path| format!("{t}.output=type=local,dest={}", d.join(t).display());
    let first = tempfile::tempdir().unwrap();
    let (a, b) = (local("a", first.path()), local("b", first.path()));
    let out = kiln_bake(
        dir.path(),
        &["--builder", "kiln-remote", "--set", &a, "--set", &b],
    );
    assert!(out.status.success(), "{}", text(&out));
    let empty = EmptyBuilder::start();
    let second = tempfile::tempdir().unwrap();
    let (a, b) = (local("a", second.path()), local("b", second.path()));
    let (from_a, from_b) = (cache_from("a"), cache_from("b"));
    let sets = ["--set", &a, "--set", &b, "--set", &from_a, "--set", &from_b];
    let out = kiln_bake(
        dir.path(),
        &[&["--builder", &empty.name][..], &sets].concat(),
    );
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("CACHED"), "{log}");
    for target in ["a", "b"] {
        for platform in ["linux_amd64", "linux_arm64"] {
            for file in ["base", "own", "arch", "token"] {
                let path = format!("{target}/{platform}/{file}");
                let read = |d: &Path| std::fs::read_to_string(d.join(&path)).unwrap_or_default();
                assert!(!read(first.path()).is_empty(), "{path} in {log}");
                assert_eq!(read(second.path()), read(first.path()), "{path}");
            }
        }
    }
    let arch = std::fs::read_to_string(first.path().join("a/linux_arm64/arch")).unwrap();
    assert_eq!(arch, "aarch64\n");
}

#[test]
fn a_missing_builder_is_buildx_own_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kiln.yaml"), kiln_file("x")).unwrap();
    let out = kiln_bake(dir.path(), &["--builder", "no-such-builder"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("no-such-builder"), "{}", text(&out));
}

/// A file whose steps write random bytes; `TOKEN` makes them new to every daemon.
fn random_file(token: &str) -> String {
    format!(
        r#"# syntax=localhost:5000/kiln:dev
version: 1
args:
  TOKEN: {token}
stages:
  app:
    from: localhost:5000/busybox:1
    steps:
      - run: echo ${{TOKEN}} > /token && head -c 8 /dev/urandom | od -An -tx1 > /nonce
      - run: cat /nonce > /both && head -c 8 /dev/urandom | od -An -tx1 >> /both
targets:
  app: {{ stage: app }}
"#
    )
}

fn bake_target(dir: &Path, engine: &Engine, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(["bake", "-f", "kiln.yaml", "app", "--progress", "plain"])
        .args(args)
        .env("DOCKER_HOST", &engine.docker_host)
        .current_dir(dir)
        .output()
        .expect("kiln runs")
}

#[test]
fn the_docker_engine_path_imports_registry_caches_and_exports_an_inline_one() {
    let docker28 = Engine::named("docker28");
    let dir = tempfile::tempdir().unwrap();
    let token = unique_tag("t").replace([':', '-'], "");
    std::fs::write(dir.path().join("kiln.yaml"), random_file(&token)).unwrap();

    // A registry cache from buildkitd (through buildx), imported by Docker 28's engine, which
    // has never built these steps.
    let cache = format!("localhost:5000/kiln-bake-cache/app:{token}");
    let first = tempfile::tempdir().unwrap();
    let to = format!("app.cache-to=type=registry,ref={cache},mode=max");
    let local = |d: &Path| format!("app.output=type=local,dest={}", d.display());
    let out = bake_target(
        dir.path(),
        &docker28,
        &[
            "--builder",
            "kiln-remote",
            "--set",
            &to,
            "--set",
            &local(first.path()),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let second = tempfile::tempdir().unwrap();
    let from = format!("app.cache-from=type=registry,ref={cache}");
    let out = bake_target(
        dir.path(),
        &docker28,
        &["--set", &from, "--set", &local(second.path())],
    );
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("CACHED"), "{log}");
    let read = |d: &Path| std::fs::read_to_string(d.join("both")).unwrap();
    assert_eq!(read(second.path()), read(first.path()), "{log}");

    // An inline cache exported by the engine path (`cache-to: type=inline`) and pushed, then
    // imported by an empty buildkitd.
    let token = unique_tag("t").replace([':', '-'], "");
    std::fs::write(dir.path().join("kiln.yaml"), random_file(&token)).unwrap();
    let image = format!("localhost:5000/kiln-bake-inline/app:{token}");
    let tags = format!("app.tags={image}");
    let out = bake_target(
        dir.path(),
        &docker28,
        &[
            "--set",
            "app.cache-to=type=inline",
            "--set",
            &tags,
            "--push",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let built = docker28.run_ok(&image, &["cat", "/both"]);
    docker28.remove_image(&image);
    let empty = EmptyBuilder::start();
    let third = tempfile::tempdir().unwrap();
    let from = format!("app.cache-from=type=registry,ref={image}");
    let out = bake_target(
        dir.path(),
        &docker28,
        &[
            "--builder",
            &empty.name,
            "--set",
            &from,
            "--set",
            &local(third.path()),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(read(third.path()), built);

    // What the engine's API cannot carry is an error that names the way out.
    let out = bake_target(
        dir.path(),
        &docker28,
        &["--set", "app.cache-to=type=local,dest=/tmp/c"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("--builder"), "{}", text(&out));
}
