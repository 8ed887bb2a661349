//! What builds read from outside: checksummed downloads (plain, tar-extracted, zip), and git repositories pinned to a commit.
//! Needs `scripts/testbed.sh up` and the frontend image.

mod common;

use common::*;
use kiln_testbed::{Engine, FileServer, GitRepo, sha256_hex, unique_tag};

#[test]
fn downloads_are_checked_against_their_sha256() {
    let content = b"#!/bin/sh\necho tool\n";
    let server = FileServer::start(&[("tool.sh", content)]);
    let url = format!("http://127.0.0.1:{}/tool.sh", server.port);
    let file = |sha: &str| {
        format!(
            "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - download:\n          url: {url}\n          sha256: {sha}\n          dst: /usr/local/bin/tool\n          mode: \"0755\"\n"
        )
    };
    let good = context(&[("kiln.yaml", &file(&sha256_hex(content)))]);
    let bad = context(&[("kiln.yaml", &file(&sha256_hex(b"something else")))]);
    for engine in Engine::all() {
        let image = build_and_save(&engine, &kiln_build(good.path()));
        assert!(
            file_is(
                &image,
                "/usr/local/bin/tool",
                std::str::from_utf8(content).unwrap()
            ),
            "[{}]",
            engine.name
        );
        assert_eq!(
            image.files["/usr/local/bin/tool"].mode, 0o755,
            "[{}]",
            engine.name
        );
        let log = engine
            .build_image(&kiln_build(bad.path()), &unique_tag("kiln-e2e/sha"))
            .unwrap_err();
        // Which digest the file expects and which one came, in those words.
        let said = format!(
            "the downloaded file does not match its checksum: the file says sha256: {}, \
             the download's sha256 is {}.",
            sha256_hex(b"something else"),
            sha256_hex(content)
        );
        assert!(log.contains(&said), "[{}] {log}", engine.name);
        assert!(
            log.contains("kiln.yaml:7"),
            "[{}] the download step's line: {log}",
            engine.name
        );
    }
}

#[test]
fn downloads_can_be_extracted() {
    // A .tar.gz with bin/tool, made here, served on 127.0.0.1.
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    let content = b"#!/bin/sh\necho unpacked\n";
    let mut header = tar::Header::new_gnu();
    header.set_mode(0o755);
    header.set_size(content.len() as u64);
    builder
        .append_data(&mut header, "bin/tool", &content[..])
        .unwrap();
    let archive = builder.into_inner().unwrap().finish().unwrap();
    let server = FileServer::start(&[("tool.tar.gz", &archive)]);
    let file = format!(
        "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - download:\n          url: http://127.0.0.1:{}/tool.tar.gz\n          sha256: {}\n          dst: /opt/tool\n          extract: true\n",
        server.port,
        sha256_hex(&archive)
    );
    let ctx = context(&[("kiln.yaml", &file)]);
    for engine in Engine::all() {
        let image = build_and_save(&engine, &kiln_build(ctx.path()));
        assert!(
            file_is(&image, "/opt/tool/bin/tool", "#!/bin/sh\necho unpacked\n"),
            "[{}] {:?}",
            engine.name,
            image
                .files
                .keys()
                .filter(|k| k.starts_with("/opt"))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            image.files["/opt/tool/bin/tool"].mode, 0o755,
            "[{}]",
            engine.name
        );
        assert!(
            !image.files.contains_key("/opt/tool/tool.tar.gz"),
            "[{}] the archive itself is not kept",
            engine.name
        );
    }
}

#[test]
fn a_zip_download_is_unpacked_with_its_modes() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("tool.zip");
    run_ok(std::process::Command::new("python3").arg("-c").arg(
        "import sys, zipfile\n\
         z = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED)\n\
         for name, data, mode in [('bin/tool', '#!/bin/sh\\necho zipped tool\\n', 0o755), ('share/README', 'read me\\n', 0o644)]:\n\
         \x20   info = zipfile.ZipInfo(name); info.external_attr = (0o100000 | mode) << 16\n\
         \x20   z.writestr(info, data, zipfile.ZIP_DEFLATED)\n\
         z.close()",
    ).arg(&zip));
    let sha = sha256_hex(&std::fs::read(&zip).unwrap());
    let server = FileServer::serve(dir);
    let ctx = context(&[(
        "kiln.yaml",
        &format!(
            "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - download:\n          url: http://127.0.0.1:{}/tool.zip\n          sha256: {sha}\n          dst: /opt/tool\n          extract: true\n      - run: /opt/tool/bin/tool > /out\n",
            server.port
        ),
    )]);
    for engine in Engine::all() {
        let image = build_and_save(&engine, &kiln_build(ctx.path()));
        assert!(
            file_is(&image, "/out", "zipped tool\n"),
            "[{}]",
            engine.name
        );
        assert_eq!(
            image.files["/opt/tool/bin/tool"].mode, 0o755,
            "[{}]",
            engine.name
        );
        assert_eq!(
            image.files["/opt/tool/share/README"].mode, 0o644,
            "[{}]",
            engine.name
        );
        assert!(
            file_is(&image, "/opt/tool/share/README", "read me\n"),
            "[{}]",
            engine.name
        );
        assert!(
            !image.files.contains_key("/opt/tool/tool.zip"),
            "[{}] the archive itself is not copied",
            engine.name
        );
    }
}

#[test]
fn copies_from_a_git_repository_pinned_to_a_commit() {
    // A repository made here, served over HTTP (git's "dumb" protocol) on 127.0.0.1.
    let repo = GitRepo::new("sha1");
    std::fs::write(repo.path().join("hello.txt"), "from git, first\n").unwrap();
    let first = repo.commit("first");
    std::fs::write(repo.path().join("hello.txt"), "from git, second\n").unwrap();
    std::fs::create_dir_all(repo.path().join("tools/cli")).unwrap();
    std::fs::write(repo.path().join("tools/cli/run.sh"), "echo cli\n").unwrap();
    repo.commit("second");
    let server = repo.serve();
    let url = format!("http://127.0.0.1:{}/repo/.git", server.port);
    let file = |pin: &str| {
        format!(
            "version: 1\nstages:\n  app:\n    from: scratch\n    steps:\n      - copy: {{ git: {{ url: \"{url}\", {pin} }}, src: hello.txt, dst: /hello.txt }}\n"
        )
    };
    let pinned = context(&[("kiln.yaml", &file(&format!("commit: {first}")))]);
    let branch = context(&[("kiln.yaml", &file("ref: main"))]);
    let subdir = context(&[(
        "kiln.yaml",
        &format!(
            "version: 1\nstages:\n  app:\n    from: scratch\n    steps:\n      - copy: {{ git: {{ url: \"{url}\", ref: main, subdir: tools }}, src: cli/, dst: /cli/ }}\n"
        ),
    )]);
    for engine in Engine::all() {
        let image = build_and_save(&engine, &kiln_build(pinned.path()));
        assert!(
            file_is(&image, "/hello.txt", "from git, first\n"),
            "[{}] the pinned commit",
            engine.name
        );
        let image = build_and_save(&engine, &kiln_build(branch.path()));
        assert!(
            file_is(&image, "/hello.txt", "from git, second\n"),
            "[{}] the branch head",
            engine.name
        );
        let image = build_and_save(&engine, &kiln_build(subdir.path()));
        assert!(
            file_is(&image, "/cli/run.sh", "echo cli\n") && !image.files.contains_key("/cli/cli"),
            "[{}] src relative to the subdir, contents copied: {:?}",
            engine.name,
            image.files.keys().collect::<Vec<_>>()
        );
    }
}
