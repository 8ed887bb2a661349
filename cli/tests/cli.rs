//! The `kiln` binary: exit codes, the JSON report format, and `kiln schema`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn kiln(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("kiln runs")
}

fn bad(name: &str) -> String {
    format!("tests/corpus/bad/{name}.kiln.yaml")
}

#[test]
fn exit_codes_say_clean_errors_or_unusable() {
    assert_eq!(
        kiln(&["check", "examples/group.kiln.yaml"]).status.code(),
        Some(0)
    );
    assert_eq!(
        kiln(&["check", &bad("unknown-stage-key")]).status.code(),
        Some(1)
    );
    assert_eq!(kiln(&["check", &bad("tabs")]).status.code(), Some(2));
    assert_eq!(kiln(&["check", "no/such/file.yaml"]).status.code(), Some(2));
    // Warnings pass unless denied.
    assert_eq!(
        kiln(&["check", &bad("unused-stage-and-arg")]).status.code(),
        Some(0)
    );
    assert_eq!(
        kiln(&["check", "--deny-warnings", &bad("unused-stage-and-arg")])
            .status
            .code(),
        Some(1)
    );
    // Several files: the worst result wins.
    let both = kiln(&["check", "examples/group.kiln.yaml", &bad("tabs")]);
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn human_report_names_file_line_and_help() {
    let out = kiln(&["check", "--color", "never", &bad("run-option-typo")]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("kiln::unknown-key"), "{text}");
    assert!(text.contains("run-option-typo.kiln.yaml:7:9"), "{text}");
    assert!(text.contains("did you mean `mounts`?"), "{text}");
    assert!(
        text.contains("kiln: 1 error, 0 warnings in 1 file"),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}'),
        "no colour codes with --color never"
    );
}

#[test]
fn json_report_matches_the_documented_format() {
    let out = kiln(&["check", "--format", "json", &bad("many-errors-sorted")]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/corpus/many-errors-sorted.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        report, expected,
        "the JSON format is documented in docs/diagnostics.md; change both together"
    );
}

#[test]
fn missing_file_is_a_diagnostic_not_a_crash() {
    let out = kiln(&["check", "--format", "json", "no/such/file.yaml"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["diagnostics"][0]["code"], "kiln::io");
    assert_eq!(report["summary"]["errors"], 1);
}

#[test]
fn schema_command_prints_the_committed_schema() {
    let out = kiln(&["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let committed = std::fs::read_to_string(repo().join("schema/kiln.schema.json")).unwrap();
    assert!(
        String::from_utf8(out.stdout).unwrap() == committed,
        "`kiln schema` differs from schema/kiln.schema.json: regenerate it"
    );
}

#[test]
fn llb_writes_a_definition_that_decodes_and_is_stable() {
    use prost::Message;
    let args = ["llb", "examples/format-sketch.kiln.yaml", "--target", "app"];
    let first = kiln(&args);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let second = kiln(&args);
    assert_eq!(first.stdout, second.stdout, "byte-identical across runs");
    let definition =
        kiln_proto::pb::Definition::decode(first.stdout.as_slice()).expect("a pb.Definition");
    assert!(definition.def.len() >= 2);

    let json = kiln(&[
        "llb",
        "examples/format-sketch.kiln.yaml",
        "--target",
        "app",
        "--format",
        "json",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let ops = value["definition"]["ops"].as_array().unwrap();
    assert_eq!(ops.len(), definition.def.len());
    assert_eq!(ops[0]["digest"], kiln_proto::digest(&definition.def[0]));
    assert_eq!(
        value["image"]["config"]["Entrypoint"],
        serde_json::json!(["/usr/bin/app"])
    );
}

#[test]
fn llb_refuses_unknown_targets_and_old_buildkit_features() {
    let out = kiln(&["llb", "examples/group.kiln.yaml", "--target", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no target or stage named `nope`"));
    let out = kiln(&["llb", "examples/mounts.kiln.yaml", "--buildkit", "v0.8"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("kiln::unsupported-feature") && stderr.contains("file.symlink.create"),
        "{stderr}"
    );
    let out = kiln(&["llb", &bad("stage-cycle")]);
    assert_eq!(out.status.code(), Some(1), "check errors stop lowering");
}

#[test]
fn graph_renders_dot_and_mermaid() {
    let dot = kiln(&["graph", "examples/group.kiln.yaml"]);
    assert_eq!(dot.status.code(), Some(0));
    let dot = String::from_utf8(dot.stdout).unwrap();
    assert!(dot.starts_with("digraph kiln {"), "{dot}");
    assert!(
        dot.contains("stage_base -> stage_api [label=\"from\"];"),
        "{dot}"
    );
    assert!(dot.contains("target_api -> group_services;"), "{dot}");
    assert!(dot.contains("group_services -> group_all;"), "{dot}");
    let mermaid = kiln(&[
        "graph",
        "--format",
        "mermaid",
        "examples/format-sketch.kiln.yaml",
    ]);
    let mermaid = String::from_utf8(mermaid.stdout).unwrap();
    assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
    assert!(
        mermaid.contains("stage_build -->|copy| stage_app"),
        "{mermaid}"
    );
}

#[test]
fn strict_warns_about_unpinned_images() {
    let dir = std::env::temp_dir().join(format!("kiln-strict-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pinned = format!("localhost:5000/busybox:1@sha256:{}", "a".repeat(64));
    let file = |from: &str| {
        format!(
            "version: 1\nstages:\n  app:\n    from: {from}\n    steps:\n      - copy: {{ from: alpine, src: /etc/os-release, dst: /x }}\n"
        )
    };
    std::fs::write(dir.join("unpinned.yaml"), file("localhost:5000/busybox:1")).unwrap();
    std::fs::write(dir.join("pinned.yaml"), file(&pinned)).unwrap();
    let json = |args: &[&str]| -> serde_json::Value {
        let out = kiln(args);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let unpinned = dir.join("unpinned.yaml").display().to_string();
    let report = json(&["check", "--strict", "--format", "json", &unpinned]);
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        vec!["kiln::unpinned-image", "kiln::unpinned-image"],
        "the base and the copy's image"
    );
    let report = json(&["check", "--format", "json", &unpinned]);
    assert_eq!(report["summary"]["warnings"], 0, "only with --strict");
    let pinned_path = dir.join("pinned.yaml").display().to_string();
    let report = json(&["check", "--strict", "--format", "json", &pinned_path]);
    assert_eq!(
        report["diagnostics"].as_array().unwrap().len(),
        1,
        "the pinned base is fine, alpine is not"
    );
    assert_eq!(
        kiln(&["check", "--strict", "--deny-warnings", &unpinned])
            .status
            .code(),
        Some(1)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A YAML file and its HCL twin with caches, written to a fresh directory.
fn cache_twins() -> (PathBuf, String, String) {
    let dir = std::env::temp_dir().join(format!("kiln-cache-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let yaml = r#"version: 1
args:
  REG: localhost:5000
  CACHE_TO: ""
stages:
  app:
    from: scratch
targets:
  app:
    stage: app
    cache_from: ["${REG}/app:cache", "type=local,src=/tmp/cache"]
    cache_to: ["type=registry,ref=${REG}/app:cache,mode=max", "${CACHE_TO}"]
"#;
    let hcl = r#"version = 1
variable "REG" { default = "localhost:5000" }
variable "CACHE_TO" { default = "" }
stage "app" { from = "scratch" }
target "app" {
  stage      = "app"
  cache-from = ["${REG}/app:cache", "type=local,src=/tmp/cache"]
  cache-to   = ["type=registry,ref=${REG}/app:cache,mode=max", "${CACHE_TO}"]
}
"#;
    let (y, h) = (dir.join("c.kiln.yaml"), dir.join("c.kiln.hcl"));
    std::fs::write(&y, yaml).unwrap();
    std::fs::write(&h, hcl).unwrap();
    let path = |p: PathBuf| p.display().to_string();
    (dir, path(y), path(h))
}

fn json_of(args: &[&str]) -> serde_json::Value {
    let out = kiln(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "kiln {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn print_shows_caches_under_bakes_keys_expanded() {
    let (dir, yaml, hcl) = cache_twins();
    for file in [&yaml, &hcl] {
        let plan = json_of(&["print", "-f", file, "--var", "REG=r.example:5000"]);
        let target = &plan["target"]["app"];
        assert_eq!(
            target["cache-from"],
            serde_json::json!(["r.example:5000/app:cache", "type=local,src=/tmp/cache"]),
            "{file}"
        );
        assert_eq!(
            target["cache-to"],
            serde_json::json!(["type=registry,ref=r.example:5000/app:cache,mode=max"]),
            "{file}: the entry that expands to nothing is dropped, as bake does"
        );
        assert!(target.get("cache_from").is_none() && target.get("cache_to").is_none());
    }
    assert_eq!(
        kiln(&["print", "-f", &yaml]).stdout,
        kiln(&["print", "-f", &hcl]).stdout,
        "the twins print the same plan"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bake_set_replaces_appends_and_checks_caches() {
    let (dir, yaml, _) = cache_twins();
    let plan = json_of(&[
        "bake",
        "-f",
        &yaml,
        "--print",
        "--set",
        "app.cache-from=type=local,src=/other",
        "--set",
        "app.cache-from+=localhost:5000/app:old",
        "--set",
        "*.cache-to=",
    ]);
    let target = &plan["target"]["app"];
    assert_eq!(
        target["cache-from"],
        serde_json::json!([
            "localhost:5000/app:cache",
            "type=local,src=/tmp/cache",
            "type=local,src=/other",
            "localhost:5000/app:old"
        ]),
        "one --set is one entry (its commas are the entry's); as in bake, the --sets of one list accumulate and the last one's += appends them to the file's"
    );
    assert!(
        target.get("cache-to").is_none(),
        "an empty value turns it off"
    );
    let out = kiln(&[
        "bake",
        "-f",
        &yaml,
        "--print",
        "--set",
        "app.cache-to=type=registry,mode=max",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("a `registry` cache needs `ref`"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_reports_bad_caches_with_their_code_and_place() {
    let dir = std::env::temp_dir().join(format!("kiln-cache-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.kiln.hcl");
    std::fs::write(
        &file,
        "version = 1\nstage \"app\" { from = \"scratch\" }\ntarget \"app\" {\n  stage    = \"app\"\n  cache-to = [\"type=registry,ref=localhost:5000/a:c,mode=mxa\"]\n}\n",
    )
    .unwrap();
    let out = kiln(&["check", "--format", "json", &file.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "kiln::invalid-cache");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(5), Some(58))
    );
    assert_eq!(d["help"], "did you mean `max`?");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bake_ssh_needs_a_builder() {
    let out = kiln(&[
        "bake",
        "-f",
        "examples/group.kiln.yaml",
        "api",
        "--ssh",
        "default",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("--ssh needs --builder"), "{text}");
}

/// `kiln check --codes` prints the table docs/diagnostics.md carries (the drift test in
/// dsl/src/diagnostic/mod.rs keeps the page equal to it).
#[test]
fn check_codes_prints_the_documented_table() {
    let out = kiln(&["check", "--codes"]);
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    let docs = std::fs::read_to_string(repo().join("docs/diagnostics.md")).unwrap();
    assert!(docs.contains(&table), "{table}");
    assert!(table.contains("| `kiln::unknown-key` | error |"), "{table}");
    assert!(table.lines().count() > 30, "{table}");
}

/// `kiln graph` writes a step as it reads: `>` and `"` survive, escaped for each syntax.
#[test]
fn graph_labels_keep_what_the_step_says() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("g.kiln.yaml");
    let text = "version: 1\nstages:\n  a:\n    from: scratch\n    steps:\n      - run: echo \"hi\" > file\n      - copy: { src: in, dst: /x }\n";
    std::fs::write(&file, text).unwrap();
    let file = file.to_str().unwrap();
    let dot = String::from_utf8(kiln(&["graph", file]).stdout).unwrap();
    assert!(dot.contains(r#"run: echo \"hi\" > file\l"#), "{dot}");
    assert!(dot.contains(r"copy: in -> /x\l"), "{dot}");
    let mermaid = String::from_utf8(kiln(&["graph", "--format", "mermaid", file]).stdout).unwrap();
    assert!(
        mermaid.contains("run: echo #quot;hi#quot; #gt; file"),
        "{mermaid}"
    );
    assert!(mermaid.contains("copy: in -#gt; /x"), "{mermaid}");
}

/// A file without targets builds its stages by name: an unknown name lists those.
#[test]
fn a_name_that_is_nothing_lists_the_stages_of_a_file_without_targets() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("k.kiln.yaml");
    let text = "version: 1\nstages:\n  app:\n    from: scratch\n  tool:\n    from: scratch\n";
    std::fs::write(&file, text).unwrap();
    let file = file.to_str().unwrap();
    for args in [
        vec!["bake", "-f", file, "--print", "nope"],
        vec!["print", "-f", file, "nope"],
    ] {
        let out = kiln(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "kiln {args:?}: {stderr}");
        assert!(
            stderr.contains("(choices: app, tool)"),
            "kiln {args:?}: {stderr}"
        );
    }
}

/// Args made of args expand all the way, by the one arg rule, in `kiln check` (a tag made of
/// them was called invalid), `kiln print` and `kiln llb` alike.
#[test]
fn chained_args_expand_fully_in_check_print_and_llb() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.kiln.yaml");
    let text = "version: 1\nargs:\n  A: x\n  B: \"${A}-b\"\n  C: \"${B}-c\"\nstages:\n  app:\n    from: scratch\n    workdir: /${C}\ntargets:\n  app:\n    stage: app\n    tags: [\"r/${C}\"]\n    args: { B: \"${A}-t\" }\n";
    std::fs::write(&file, text).unwrap();
    let file = file.to_str().unwrap();
    assert_eq!(kiln(&["check", file]).status.code(), Some(0));
    let print = String::from_utf8(kiln(&["print", "-f", file]).stdout).unwrap();
    assert!(print.contains("\"r/x-t-c\""), "{print}");
    let llb = kiln(&["llb", "--format", "json", "--target", "app", file]);
    let json: serde_json::Value = serde_json::from_slice(&llb.stdout).unwrap();
    assert_eq!(json["image"]["config"]["WorkingDir"], "/x-t-c", "{json}");
}
