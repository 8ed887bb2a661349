//! The checks behind Dockerfile parity (tests/conformance/dockerfile): modes and ports are
//! checked as they expand, cache mounts take Docker's options in YAML and HCL, and a
//! healthcheck `test` in Docker's own form must be one Docker runs.

use kiln_dsl::model::Mount;
use kiln_dsl::{Checked, Limits, Severity};

fn check(name: &str, text: &str) -> Checked {
    kiln_dsl::check_bytes(name, text.as_bytes(), &Limits::default())
}

/// Every error as `code@line:col message`.
fn errors(checked: &Checked) -> Vec<String> {
    checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let at = checked.file.line_col(d.position());
            let code = d.code.as_str().trim_start_matches("kiln::");
            format!("{code}@{}:{} {}", at.line, at.column, d.message)
        })
        .collect()
}

#[test]
fn modes_and_ports_with_args_are_checked_as_they_expand() {
    let file = |mode: &str, port: &str| {
        format!(
            "version: 1\nargs:\n  MODE: {mode}\n  PORT: {port}\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - copy: {{ src: a, dst: /a, chmod: \"${{MODE}}\" }}\n      - mkdir: {{ path: /d, mode: \"${{MODE}}\" }}\n    image:\n      expose: [\"${{PORT}}\"]\n"
        )
    };
    // A default is checked as the value it gives; no default is left to lowering.
    assert_eq!(
        errors(&check("a.yaml", &file("\"0755\"", "\"8080\""))),
        Vec::<String>::new()
    );
    assert_eq!(
        errors(&check("b.yaml", &file("~", "~"))),
        Vec::<String>::new()
    );
    let bad = check("c.yaml", &file("\"rwx\"", "\"http\""));
    assert_eq!(
        errors(&bad),
        [
            "invalid-mode@9:41 `rwx` is not a file mode",
            "invalid-mode@10:34 `rwx` is not a file mode",
            "invalid-value@12:16 `http` is not a port",
        ]
    );
}

#[test]
fn cache_mounts_take_owner_mode_source_and_readonly() {
    let yaml = "version: 1\nstages:\n  seed:\n    from: localhost:5000/busybox:1\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - run: ls /c\n        mounts:\n          - cache: /c\n            uid: 1001\n            gid: 1002\n            mode: \"0700\"\n            from: seed\n            source: /s\n            readonly: true\n";
    let checked = check("k.yaml", yaml);
    assert_eq!(errors(&checked), Vec::<String>::new());
    let model = checked.model.as_ref().unwrap();
    let kiln_dsl::model::Step::Run(run) = &model.stages["app"].steps[0].value else {
        panic!("a run step")
    };
    let Mount::Cache(cache) = &run.mounts[0].value else {
        panic!("a cache mount")
    };
    assert_eq!(cache.uid.as_ref().map(|u| u.value), Some(1001));
    assert_eq!(cache.gid.as_ref().map(|g| g.value), Some(1002));
    assert_eq!(cache.mode.as_ref().map(|m| m.value.as_str()), Some("0700"));
    assert_eq!(cache.from.as_ref().map(|f| f.value.as_str()), Some("seed"));
    assert!(cache.readonly.as_ref().is_some_and(|r| r.value));
    // The same in HCL, and the checks that apply to them.
    let hcl = "version = 1\nstage \"seed\" {\n  from = \"localhost:5000/busybox:1\"\n}\nstage \"app\" {\n  from = \"localhost:5000/busybox:1\"\n  run {\n    cmd = \"ls /c\"\n    mount {\n      cache = \"/c\"\n      uid = 1001\n      mode = \"0700\"\n      from = \"seed\"\n    }\n  }\n}\n";
    let checked = check("k.hcl", hcl);
    assert_eq!(
        errors(&checked),
        Vec::<String>::new(),
        "{}",
        checked.error_report(false)
    );
    let bad = check(
        "m.yaml",
        &yaml
            .replace("\"0700\"", "\"0789\"")
            .replace("uid: 1001", "uid: -1"),
    );
    let found = errors(&bad);
    assert!(
        found.iter().any(|e| e.starts_with("invalid-mode@13:19")),
        "{found:?}"
    );
    assert!(found.iter().any(|e| e.contains("@11:18")), "{found:?}");
}

#[test]
fn a_healthcheck_in_dockers_form_must_be_one_docker_runs() {
    let file = |test: &str| {
        format!(
            "version: 1\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    image:\n      healthcheck: {{ test: {test} }}\n"
        )
    };
    for good in [
        "[CMD, \"true\"]",
        "[CMD-SHELL, \"exit 0\"]",
        "[NONE]",
        "[curl, -f, x]",
        "exit 0",
    ] {
        assert_eq!(
            errors(&check("ok.yaml", &file(good))),
            Vec::<String>::new(),
            "{good}"
        );
    }
    for (bad, why) in [
        ("[CMD]", "`CMD` needs the command after it"),
        ("[NONE, x]", "`NONE` takes no command"),
        (
            "[CMD-SHELL, a, b]",
            "`CMD-SHELL` takes exactly one shell command",
        ),
        ("[cmd, \"true\"]", "Docker's keywords are in capitals"),
    ] {
        let checked = check("bad.yaml", &file(bad));
        let found = errors(&checked);
        assert_eq!(found.len(), 1, "{bad}: {found:?}");
        assert!(
            found[0].starts_with("invalid-value@6:29") && found[0].ends_with(why),
            "{bad}: {found:?}"
        );
        assert!(
            checked.error_report(false).contains("help:"),
            "the fix is given"
        );
    }
}

#[test]
fn a_download_url_with_args_is_checked_as_it_expands() {
    let file = |server: &str| {
        format!(
            "version: 1\nargs:\n  SERVER: {server}\nstages:\n  app:\n    from: localhost:5000/busybox:1\n    steps:\n      - download: {{ url: \"${{SERVER}}/f\", sha256: {}, dst: /f }}\n",
            "a".repeat(64)
        )
    };
    assert_eq!(errors(&check("a.yaml", &file("~"))), Vec::<String>::new());
    assert_eq!(
        errors(&check("b.yaml", &file("http://127.0.0.1:8000"))),
        Vec::<String>::new()
    );
    assert_eq!(
        errors(&check("c.yaml", &file("ftp://x"))),
        ["invalid-url@8:26 `ftp://x/f` is not an http(s) URL"]
    );
}
