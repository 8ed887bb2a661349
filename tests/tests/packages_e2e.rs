//! `packages:` on the real engines: the base image's manager, a base without one, the package cache reused, an extra repository trusted by its signing key.
//! Needs `scripts/testbed.sh up` and the frontend image.

mod common;

use common::*;
use kiln_testbed::{Engine, FileServer, sha256_hex, unique_tag};
use std::path::Path;

#[test]
fn packages_install_with_the_base_images_manager_and_leave_no_lists() {
    let ctx = context(&[(
        "kiln.yaml",
        "version: 1\nstages:\n  app:\n    from: localhost:5000/debian:bookworm\n    packages: [jq]\n    steps:\n      - run: jq --version > /jq-version\n",
    )]);
    for engine in Engine::all() {
        let image = build_and_save(&engine, &kiln_build(ctx.path()));
        assert!(
            file_is(&image, "/jq-version", "jq-1.6\n"),
            "[{}]",
            engine.name
        );
        assert!(image.files.contains_key("/usr/bin/jq"), "[{}]", engine.name);
        let lists: Vec<&String> = image
            .files
            .keys()
            .filter(|p| p.starts_with("/var/lib/apt/lists/"))
            .collect();
        assert!(
            lists.is_empty(),
            "[{}] apt lists stay in the cache mount: {lists:?}",
            engine.name
        );
        let debs = image.files.keys().filter(|p| p.ends_with(".deb")).count();
        assert_eq!(
            debs, 0,
            "[{}] no downloaded packages in the image",
            engine.name
        );
    }
}

#[test]
fn a_base_without_a_package_manager_is_a_clear_error() {
    let ctx = context(&[(
        "kiln.yaml",
        "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    packages: [jq]\n",
    )]);
    for engine in Engine::all() {
        let log = engine
            .build_image(&kiln_build(ctx.path()), &unique_tag("kiln-e2e/nopm"))
            .unwrap_err();
        assert!(
            log.contains("kiln::no-package-manager"),
            "[{}] {log}",
            engine.name
        );
        assert!(
            log.contains("the base image `localhost:5000/busybox:1` has no package manager"),
            "[{}] {log}",
            engine.name
        );
        assert!(
            log.contains("kiln.yaml:6:16"),
            "[{}] points at the packages: {log}",
            engine.name
        );
    }
}

#[test]
fn downloaded_packages_are_reused_by_the_next_build() {
    let first = context(&[(
        "kiln.yaml",
        "version: 1\nstages:\n  app:\n    from: localhost:5000/debian:bookworm\n    packages: [jq]\n",
    )]);
    let second = context(&[(
        "kiln.yaml",
        "version: 1\nstages:\n  app:\n    from: localhost:5000/debian:bookworm\n    packages: [jq, bzip2]\n",
    )]);
    for engine in Engine::all() {
        build_and_save(&engine, &kiln_build(first.path()));
        let tag = unique_tag("kiln-e2e/reuse");
        let log = engine
            .build_image(&kiln_build(second.path()), &tag)
            .unwrap_or_else(|log| panic!("[{}] {log}", engine.name));
        assert!(
            log.contains("packages: jq bzip2"),
            "[{}] the install ran again: {log}",
            engine.name
        );
        let downloads: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("Get:") && l.contains(" amd64 "))
            .collect();
        assert!(
            !downloads
                .iter()
                .any(|l| l.contains(" jq ") || l.contains("libjq")),
            "[{}] jq came from the cache: {downloads:#?}",
            engine.name
        );
        let image = engine.save(&tag);
        assert!(
            image.files.contains_key("/usr/bin/jq") && image.files.contains_key("/usr/bin/bzip2"),
            "[{}]",
            engine.name
        );
        assert!(
            !image.files.keys().any(|p| p.ends_with(".deb")),
            "[{}]",
            engine.name
        );
        engine.remove_image(&tag);
    }
}

/// A flat apt repository holding one package, `kiln-hello`, signed by a fresh key:
/// returns its directory (with `trusted.asc`, the signing key, and `other.asc`, a key
/// that signs nothing).
fn signed_apt_repository() -> tempfile::TempDir {
    let work = tempfile::tempdir().unwrap();
    let repo = tempfile::tempdir().unwrap();
    let pkg = work.path().join("pkg");
    std::fs::create_dir_all(pkg.join("DEBIAN")).unwrap();
    std::fs::create_dir_all(pkg.join("usr/bin")).unwrap();
    std::fs::write(
        pkg.join("DEBIAN/control"),
        "Package: kiln-hello\nVersion: 1.0\nArchitecture: all\nMaintainer: kiln <kiln@example.invalid>\nDescription: says hello\n",
    )
    .unwrap();
    let bin = pkg.join("usr/bin/kiln-hello");
    std::fs::write(&bin, "#!/bin/sh\necho hello from a signed repository\n").unwrap();
    std::fs::set_permissions(&bin, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    run_ok(
        std::process::Command::new("dpkg-deb")
            .args(["--build", "--root-owner-group"])
            .arg(&pkg)
            .arg(repo.path().join("kiln-hello_1.0_all.deb")),
    );
    let packages = run_ok(
        std::process::Command::new("dpkg-scanpackages")
            .args([".", "/dev/null"])
            .current_dir(repo.path()),
    );
    std::fs::write(repo.path().join("Packages"), &packages).unwrap();
    let release = format!(
        "Origin: kiln-test\nLabel: kiln-test\nDate: {}\nSHA256:\n {} {} Packages\n",
        run_ok(std::process::Command::new("date").args(["-u", "-R"])).trim(),
        sha256_hex(packages.as_bytes()),
        packages.len()
    );
    std::fs::write(repo.path().join("Release"), release).unwrap();
    let gpg = |home: &Path, args: &[&str]| {
        run_ok(
            std::process::Command::new("gpg")
                .arg("--homedir")
                .arg(home)
                .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
                .args(args)
                .current_dir(repo.path()),
        )
    };
    for (home, uid, file) in [
        ("trusted", "kiln repo <repo@example.invalid>", "trusted.asc"),
        ("other", "someone else <else@example.invalid>", "other.asc"),
    ] {
        let home = work.path().join(home);
        std::fs::create_dir_all(&home).unwrap();
        std::fs::set_permissions(&home, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .unwrap();
        gpg(&home, &["--quick-gen-key", uid, "ed25519", "sign", "never"]);
        let key = gpg(&home, &["--armor", "--export"]);
        std::fs::write(repo.path().join(file), key).unwrap();
    }
    gpg(
        &work.path().join("trusted"),
        &["--clearsign", "-o", "InRelease", "Release"],
    );
    repo
}

#[test]
fn packages_from_an_extra_repository_trusted_by_its_signing_key() {
    let repo = signed_apt_repository();
    let key_sha = |name: &str| sha256_hex(&std::fs::read(repo.path().join(name)).unwrap());
    let (trusted, other) = (key_sha("trusted.asc"), key_sha("other.asc"));
    let server = FileServer::serve_on(repo, "0.0.0.0");
    for engine in Engine::all() {
        let base = format!("http://{}:{}", engine.host_gateway(), server.port);
        let file = |key: &str, sha: &str| {
            format!(
                "version: 1\nstages:\n  app:\n    from: localhost:5000/debian:bookworm\n    packages:\n      install: [kiln-hello]\n      repositories:\n        - name: local\n          url: {base}/\n          key: {{ url: {base}/{key}, sha256: {sha} }}\n    steps:\n      - run: kiln-hello > /hello\n"
            )
        };
        let ctx = context(&[("kiln.yaml", &file("trusted.asc", &trusted))]);
        let image = build_and_save(&engine, &kiln_build(ctx.path()));
        assert!(
            file_is(&image, "/hello", "hello from a signed repository\n"),
            "[{}]",
            engine.name
        );
        assert!(
            image.files.contains_key("/etc/apt/keyrings/kiln-local.asc"),
            "[{}] the key stays, for later installs",
            engine.name
        );
        let lists = image
            .files
            .keys()
            .filter(|p| p.starts_with("/var/lib/apt/lists/"))
            .count();
        assert_eq!(lists, 0, "[{}] no lists in the image", engine.name);

        // A key that did not sign the repository: apt refuses it, so the build fails.
        let ctx = context(&[("kiln.yaml", &file("other.asc", &other))]);
        let log = engine
            .build_image(&kiln_build(ctx.path()), &unique_tag("kiln-e2e/untrusted"))
            .unwrap_err();
        assert!(
            log.contains("NO_PUBKEY") || log.contains("not signed"),
            "[{}] {log}",
            engine.name
        );
        // A key that is not the one the file names: the checksum stops it. (BuildKit finds
        // content by checksum first, so the checksum must be one nothing in its cache has.)
        let unknown = sha256_hex(format!("no such key {}", unique_tag("x")).as_bytes());
        let ctx = context(&[("kiln.yaml", &file("other.asc", &unknown))]);
        let log = engine
            .build_image(&kiln_build(ctx.path()), &unique_tag("kiln-e2e/badkey"))
            .unwrap_err();
        assert!(
            log.contains("kiln.yaml:11"),
            "[{}] names the key's line: {log}",
            engine.name
        );
    }
}

#[test]
fn a_failed_install_shows_the_package_managers_error_not_the_script() {
    let ctx = context(&[(
        "kiln.yaml",
        "version: 1\nstages:\n  app:\n    from: localhost:5000/debian:bookworm\n    packages: [kiln-no-such-package]\n",
    )]);
    for engine in Engine::all() {
        let log = engine
            .build_image(&kiln_build(ctx.path()), &unique_tag("kiln-e2e/badpkg"))
            .unwrap_err();
        let apt_error = log
            .find("E: Unable to locate package kiln-no-such-package")
            .unwrap_or_else(|| panic!("[{}] apt's own error is shown: {log}", engine.name));
        // The failing command BuildKit names is one short line; the generated script (in the
        // step's environment) is never printed.
        assert!(
            !log.contains("DEBIAN_FRONTEND") && !log.contains("apt-get update -q"),
            "[{}] the script is not printed: {log}",
            engine.name
        );
        let failed = log
            .rfind("packages: kiln-no-such-package failed")
            .unwrap_or_else(|| panic!("[{}] the step is named: {log}", engine.name));
        assert!(
            apt_error < failed,
            "[{}] apt's error comes before the summary: {log}",
            engine.name
        );
    }
}
