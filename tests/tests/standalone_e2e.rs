//! End to end on the standalone buildkitd, the way CI fleets run BuildKit: registry and inline
//! caches reused by a second, empty daemon (and by Docker 28 through buildx), multi-platform
//! images pushed as one manifest list, and the TCP endpoint's mutual TLS.
//! Needs `scripts/testbed.sh up` and the frontend image (scripts/frontend-image.sh).

use kiln_testbed::{
    Build, EmptyBuildkitd, Engine, FileServer, manifest_list_architectures, unique_tag,
};
use std::path::Path;

const SYNTAX: &str = "# syntax=localhost:5000/kiln:dev\n";

/// Two steps whose output is random: a rebuild that gives the same bytes took both from a cache.
/// `TOKEN` is unique to the test run, so no daemon has these steps cached already.
fn nonce_file(token: &str) -> String {
    format!(
        r#"{SYNTAX}version: 1
args:
  TOKEN: {token}
stages:
  app:
    from: localhost:5000/busybox:1
    steps:
      - run: echo ${{TOKEN}} > /token && head -c 16 /dev/urandom | od -An -tx1 > /nonce
      - run: cat /token /nonce > /both && head -c 16 /dev/urandom | od -An -tx1 >> /both
"#
    )
}

fn context(kiln_yaml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kiln.yaml"), kiln_yaml).unwrap();
    dir
}

fn kiln_build(dir: &Path, extra: &[String]) -> Build {
    Build {
        file: Some("kiln.yaml".into()),
        extra: extra.to_vec(),
        ..Build::new(dir)
    }
}

fn token() -> String {
    unique_tag("t").replace([':', '-'], "")
}

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The `run:` steps of a plain progress log, and whether each was CACHED.
fn run_steps_cached(log: &str) -> Vec<(String, bool)> {
    let mut steps = Vec::new();
    for line in log.lines() {
        let Some((vertex, name)) = line.split_once(' ') else {
            continue;
        };
        if vertex.starts_with('#') && name.contains("run: ") && !name.starts_with("DONE") {
            let cached = log.lines().any(|l| l.trim() == format!("{vertex} CACHED"));
            if !steps.iter().any(|(n, _)| n == name) {
                steps.push((name.to_string(), cached));
            }
        }
    }
    steps
}

/// Every step came from the cache: BuildKit prints the earlier ones CACHED, and restores the
/// last one from the cache's layers (its own lines are layer pulls). The caller's proof is the
/// output: every step writes random bytes, so equal bytes were not made again.
fn assert_from_cache(log: &str, what: &str) {
    let steps = run_steps_cached(log);
    assert_eq!(steps.len(), 2, "{what}: two run steps in the log:\n{log}");
    assert!(
        steps[0].1,
        "{what}: the first step CACHED: {steps:?}\n{log}"
    );
}

#[test]
fn a_registry_cache_lets_an_empty_buildkitd_skip_every_step() {
    let ctx = context(&nonce_file(&token()));
    let cache = format!("localhost:5000/kiln-e2e/{}", unique_tag("cache"));
    let main = Engine::named("buildkitd");
    let first = tempfile::tempdir().unwrap();
    let export = vec![
        "--export-cache".to_string(),
        format!("type=registry,ref={cache},mode=max"),
    ];
    main.build_local(&kiln_build(ctx.path(), &export), first.path())
        .unwrap_or_else(|log| panic!("export: {log}"));
    let import = vec![
        "--import-cache".to_string(),
        format!("type=registry,ref={cache}"),
    ];

    // A fresh runner: nothing in its cache but what it imports.
    let empty = EmptyBuildkitd::start();
    let second = tempfile::tempdir().unwrap();
    let log = empty
        .engine
        .build_local(&kiln_build(ctx.path(), &import), second.path())
        .unwrap_or_else(|log| panic!("import: {log}"));
    assert_from_cache(&log, "empty buildkitd with --import-cache");
    assert_eq!(read(second.path(), "both"), read(first.path(), "both"));

    // Without the import, the same empty daemon runs the steps again: the cache did it.
    let third = tempfile::tempdir().unwrap();
    let log = empty
        .engine
        .build_local(
            &kiln_build(ctx.path(), &["--no-cache".into()]),
            third.path(),
        )
        .unwrap();
    assert!(
        run_steps_cached(&log).iter().all(|(_, cached)| !cached),
        "{log}"
    );
    assert_ne!(read(third.path(), "nonce"), read(first.path(), "nonce"));

    // The same cache through buildx on Docker 28 (`--cache-from`).
    let docker28 = Engine::named("docker28");
    let fourth = tempfile::tempdir().unwrap();
    let out = docker28
        .buildx()
        .args(["build", "--progress=plain", "-f"])
        .arg(ctx.path().join("kiln.yaml"))
        .arg(format!("--cache-from=type=registry,ref={cache}"))
        .arg(format!(
            "--output=type=local,dest={}",
            fourth.path().display()
        ))
        .arg(ctx.path())
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert_from_cache(&log, "docker28 buildx --cache-from");
    assert_eq!(read(fourth.path(), "both"), read(first.path(), "both"));
}

#[test]
fn an_inline_cache_in_a_pushed_image_is_reused() {
    let token = token();
    let ctx = context(&nonce_file(&token));
    let image = format!("localhost:5000/kiln-e2e/{}", unique_tag("inline"));
    let main = Engine::named("buildkitd");
    let push = Build {
        extra: vec!["--export-cache".into(), "type=inline".into()],
        ..kiln_build(ctx.path(), &[])
    };
    let output = format!("type=image,name={image},push=true");
    kiln_testbed::buildctl_build(&main, &push, &output).unwrap_or_else(|log| panic!("{log}"));
    let first = tempfile::tempdir().unwrap();
    // The pushed image's files, read back through a cached build on the same daemon.
    let log = main
        .build_local(&kiln_build(ctx.path(), &[]), first.path())
        .unwrap();
    assert_eq!(read(first.path(), "token"), format!("{token}\n"), "{log}");

    let empty = EmptyBuildkitd::start();
    let second = tempfile::tempdir().unwrap();
    let import = vec![
        "--import-cache".to_string(),
        format!("type=registry,ref={image}"),
    ];
    let log = empty
        .engine
        .build_local(&kiln_build(ctx.path(), &import), second.path())
        .unwrap_or_else(|log| panic!("{log}"));
    assert_from_cache(&log, "inline cache on an empty buildkitd");
    assert_eq!(read(second.path(), "both"), read(first.path(), "both"));
}

const TWO_PLATFORMS: &str = r#"version: 1
stages:
  app:
    from: localhost:5000/busybox:1
    steps:
      - download:
          url:
            amd64: http://127.0.0.1:PORT/amd64.txt
            arm64: http://127.0.0.1:PORT/arm64.txt
          sha256:
            amd64: AMD64SUM
            arm64: ARM64SUM
          dst: /fetched.txt
      - run: uname -m > /arch
targets:
  app: { stage: app, platforms: [linux/amd64, linux/arm64] }
"#;

#[test]
fn two_platforms_in_one_request_push_one_manifest_list() {
    let (amd64, arm64) = ("made for amd64\n", "made for arm64\n");
    let server = FileServer::start(&[
        ("amd64.txt", amd64.as_bytes()),
        ("arm64.txt", arm64.as_bytes()),
    ]);
    let file = TWO_PLATFORMS
        .replace("PORT", &server.port.to_string())
        .replace("AMD64SUM", &kiln_testbed::sha256_hex(amd64.as_bytes()))
        .replace("ARM64SUM", &kiln_testbed::sha256_hex(arm64.as_bytes()));
    let ctx = context(&format!("{SYNTAX}{file}"));
    let engine = Engine::named("buildkitd");
    let platforms = Build {
        platform: Some("linux/amd64,linux/arm64".into()),
        ..kiln_build(ctx.path(), &[])
    };
    let tag = token();
    let output = format!("type=image,name=localhost:5000/kiln-e2e/multi:{tag},push=true");
    kiln_testbed::buildctl_build(&engine, &platforms, &output).unwrap_or_else(|l| panic!("{l}"));
    assert_eq!(
        manifest_list_architectures("kiln-e2e/multi", &tag),
        ["amd64", "arm64"]
    );

    // A local output: one folder per platform, each with its own download and architecture.
    let out = tempfile::tempdir().unwrap();
    engine.build_local(&platforms, out.path()).unwrap();
    assert_eq!(read(out.path(), "linux_amd64/fetched.txt"), amd64);
    assert_eq!(read(out.path(), "linux_arm64/fetched.txt"), arm64);
    assert_eq!(read(out.path(), "linux_amd64/arch"), "x86_64\n");
    assert_eq!(read(out.path(), "linux_arm64/arch"), "aarch64\n");
}

#[test]
fn the_tcp_endpoint_takes_only_clients_with_a_trusted_certificate() {
    let certs = std::env::var("KILN_BUILDKIT_CERTS")
        .unwrap_or_else(|_| "/var/lib/kiln-testbed/buildkit/certs".into());
    let addr =
        std::env::var("KILN_BUILDKITD_TCP").unwrap_or_else(|_| "tcp://127.0.0.1:18372".into());
    let ctx = context(&nonce_file(&token()));
    let tcp = Engine::buildkitd_at(addr);
    let with_cert = |who: &str| {
        vec![
            format!("--tlscacert={certs}/{who}/ca.pem"),
            format!("--tlscert={certs}/{who}/cert.pem"),
            format!("--tlskey={certs}/{who}/key.pem"),
            "--tlsservername=127.0.0.1".to_string(),
        ]
    };
    let out = tempfile::tempdir().unwrap();
    let trusted = Engine {
        tls: with_cert("client"),
        ..tcp.clone()
    };
    trusted
        .build_local(&kiln_build(ctx.path(), &[]), out.path())
        .unwrap_or_else(|log| panic!("the trusted client: {log}"));
    assert!(read(out.path(), "both").contains("t"), "built");
    for (who, tls) in [
        ("a certificate from another CA", with_cert("stranger")),
        (
            "no client certificate",
            vec![
                format!("--tlscacert={certs}/client/ca.pem"),
                "--tlsservername=127.0.0.1".to_string(),
            ],
        ),
    ] {
        let refused = Engine { tls, ..tcp.clone() };
        let dest = tempfile::tempdir().unwrap();
        let result = refused.build_local(&kiln_build(ctx.path(), &[]), dest.path());
        assert!(result.is_err(), "{who}: refused");
        assert!(
            std::fs::read_dir(dest.path()).unwrap().next().is_none(),
            "{who}: nothing built"
        );
    }
}

const GROUP_TWO_PLATFORMS: &str = r#"version: 1
stages:
  base:
    from: localhost:5000/busybox:1
    steps:
      - run: uname -m > /arch
  a:
    from: base
    steps:
      - run: echo a > /name
  b:
    from: base
    steps:
      - run: echo b > /name
targets:
  a: { stage: a }
  b: { stage: b }
groups:
  all: [a, b]
"#;

#[test]
fn a_group_for_two_platforms_gives_one_folder_per_target_and_platform() {
    let ctx = context(&format!("{SYNTAX}{GROUP_TWO_PLATFORMS}"));
    // The Docker Engine's build API takes one platform per request ("amd64,linux is an
    // invalid component"): several platforms in one request are a BuildKit client's.
    {
        let engine = Engine::named("buildkitd");
        let build = Build {
            target: Some("all".into()),
            platform: Some("linux/amd64,linux/arm64".into()),
            ..kiln_build(ctx.path(), &[])
        };
        let out = tempfile::tempdir().unwrap();
        engine
            .build_local(&build, out.path())
            .unwrap_or_else(|log| panic!("[{}] {log}", engine.name));
        for (target, platform, arch) in [
            ("a", "linux_amd64", "x86_64"),
            ("a", "linux_arm64", "aarch64"),
            ("b", "linux_amd64", "x86_64"),
            ("b", "linux_arm64", "aarch64"),
        ] {
            let dir = format!("{target}_{platform}");
            assert_eq!(
                read(out.path(), &format!("{dir}/name")),
                format!("{target}\n")
            );
            assert_eq!(
                read(out.path(), &format!("{dir}/arch")),
                format!("{arch}\n"),
                "[{}] {dir}",
                engine.name
            );
        }
    }
}

#[test]
fn docker28s_inline_cache_serves_an_empty_buildkitd() {
    // `docker build --build-arg BUILDKIT_INLINE_CACHE=1` puts the cache in the image config;
    // an empty buildkitd with the same BuildKit imports it from the pushed image. (Docker
    // 20.10's BuildKit v0.8 writes cache keys a current BuildKit does not match.)
    let ctx = context(&nonce_file(&token()));
    let docker28 = Engine::named("docker28");
    let image = format!("localhost:5000/kiln-e2e/{}", unique_tag("inline28"));
    let build = Build {
        build_args: vec![("BUILDKIT_INLINE_CACHE".into(), "1".into())],
        ..kiln_build(ctx.path(), &[])
    };
    docker28
        .build_image(&build, &image)
        .unwrap_or_else(|log| panic!("{log}"));
    docker28.docker_ok(&["push", &image]);
    let built = docker28.run_ok(&image, &["cat", "/both"]);
    docker28.remove_image(&image);

    let empty = EmptyBuildkitd::start();
    let out = tempfile::tempdir().unwrap();
    let import = vec![
        "--import-cache".to_string(),
        format!("type=registry,ref={image}"),
    ];
    let log = empty
        .engine
        .build_local(&kiln_build(ctx.path(), &import), out.path())
        .unwrap_or_else(|log| panic!("{log}"));
    assert_from_cache(&log, "Docker 28's inline cache on an empty buildkitd");
    assert_eq!(read(out.path(), "both"), built);
}

#[test]
fn a_group_imports_the_cache_in_every_targets_solve() {
    let token = token();
    let file = format!(
        r#"{SYNTAX}version: 1
args:
  TOKEN: {token}
stages:
  base:
    from: localhost:5000/busybox:1
    steps:
      - run: echo ${{TOKEN}} > /token && head -c 8 /dev/urandom | od -An -tx1 > /base
  a:
    from: base
    steps:
      - run: echo a > /own && head -c 8 /dev/urandom | od -An -tx1 >> /own
  b:
    from: base
    steps:
      - run: echo b > /own && head -c 8 /dev/urandom | od -An -tx1 >> /own
targets:
  a: {{ stage: a }}
  b: {{ stage: b }}
groups:
  all: [a, b]
"#
    );
    let ctx = context(&file);
    let cache = format!("localhost:5000/kiln-e2e/{}", unique_tag("group-cache"));
    let group = |extra: Vec<String>| Build {
        target: Some("all".into()),
        ..kiln_build(ctx.path(), &extra)
    };
    let first = tempfile::tempdir().unwrap();
    let export = vec![
        "--export-cache".into(),
        format!("type=registry,ref={cache},mode=max"),
    ];
    Engine::named("buildkitd")
        .build_local(&group(export), first.path())
        .unwrap_or_else(|log| panic!("{log}"));
    let empty = EmptyBuildkitd::start();
    let second = tempfile::tempdir().unwrap();
    let import = vec![
        "--import-cache".into(),
        format!("type=registry,ref={cache}"),
    ];
    let log = empty
        .engine
        .build_local(&group(import), second.path())
        .unwrap_or_else(|log| panic!("{log}"));
    for path in ["a/base", "a/own", "b/base", "b/own"] {
        assert_eq!(
            read(second.path(), path),
            read(first.path(), path),
            "{path}\n{log}"
        );
    }
    assert_ne!(read(first.path(), "a/own"), read(first.path(), "b/own"));
}
