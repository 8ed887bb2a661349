//! The HCL front end: bake semantics (variables, inherits, matrix, functions), the shared
//! interpolation rule, and bad input reported as kiln diagnostics.

use kiln_dsl::hcl_front::HclOptions;
use kiln_dsl::model::{BuildFile, Command, Step};
use kiln_dsl::{Checked, Code, Limits};
use std::collections::BTreeMap;

fn check(text: &str, vars: &[(&str, &str)], env: Option<&[(&str, &str)]>) -> Checked {
    let to_map = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let options = kiln_dsl::check::Options {
        vars: HclOptions {
            vars: to_map(vars),
            env: env.map(to_map),
            ..Default::default()
        },
        ..Default::default()
    };
    kiln_dsl::check_bytes_with("t.kiln.hcl", text.as_bytes(), &Limits::default(), &options)
}

fn model(checked: &Checked) -> &BuildFile {
    checked
        .ok()
        .unwrap_or_else(|| panic!("expected no errors:\n{}", checked.error_report(false)))
}

fn codes(checked: &Checked) -> Vec<(Code, usize)> {
    checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            let line = checked.file.line_col(d.position()).line;
            (d.code, line)
        })
        .collect()
}

fn tags(model: &BuildFile, target: &str) -> Vec<String> {
    let t = model
        .targets
        .iter()
        .find(|(k, _)| k.value == target)
        .unwrap_or_else(|| panic!("no target {target}"))
        .1;
    t.tags.iter().map(|t| t.value.clone()).collect()
}

fn run_command(model: &BuildFile, stage: &str, index: usize) -> String {
    let stage = model
        .stages
        .iter()
        .find(|(k, _)| k.value == stage)
        .unwrap()
        .1;
    match &stage.steps[index].value {
        Step::Run(run) => match &run.run.value {
            Command::Shell(s) => s.value.clone(),
            Command::Argv(argv) => argv
                .iter()
                .map(|a| a.value.clone())
                .collect::<Vec<_>>()
                .join(" "),
        },
        other => panic!("not a run step: {}", other.kind()),
    }
}

const VARIABLES: &str = r#"
version = 1
variable "TAG" { default = "1.0" }
variable "REPO" { default = "localhost:5000/app" }
stage "app" { from = "scratch" }
target "app" {
  stage = "app"
  tags  = ["${REPO}:${TAG}", "${REPO}:v${upper(TAG)}", lower("${REPO}:LATEST")]
}
"#;

#[test]
fn variables_default_then_var_then_env_only_when_asked() {
    let checked = check(VARIABLES, &[], Some(&[]));
    let m = model(&checked);
    // `${TAG}` alone stays for kiln (an arg, overridable by --build-arg); an expression is
    // evaluated with the variable's value.
    assert_eq!(
        tags(m, "app"),
        [
            "${REPO}:${TAG}",
            "${REPO}:v1.0",
            "localhost:5000/app:latest"
        ]
    );
    assert_eq!(m.args.len(), 2);
    let tag = m.args.iter().find(|(k, _)| k.value == "TAG").unwrap().1;
    assert_eq!(tag.default.as_ref().unwrap().value, "1.0");

    let with_var = check(VARIABLES, &[("TAG", "2.0")], None);
    assert_eq!(tags(model(&with_var), "app")[1], "${REPO}:v2.0");

    // The environment is ignored unless the caller opts in.
    let env = [("TAG", "3.0")];
    let ignored = kiln_dsl::check_bytes("t.kiln.hcl", VARIABLES.as_bytes(), &Limits::default());
    assert_eq!(tags(model(&ignored), "app")[1], "${REPO}:v1.0");
    let opted_in = check(VARIABLES, &[], Some(&env));
    assert_eq!(tags(model(&opted_in), "app")[1], "${REPO}:v3.0");
    // --var wins over the environment.
    let both = check(VARIABLES, &[("TAG", "2.0")], Some(&env));
    assert_eq!(tags(model(&both), "app")[1], "${REPO}:v2.0");
}

#[test]
fn typed_variables_defaults_using_others_and_validation() {
    let text = r#"
version = 1
variable "PLATFORMS" {
  type    = list(string)
  default = ["linux/amd64"]
}
variable "BASE" { default = "localhost:5000" }
variable "IMAGE" { default = "${BASE}/app" }
variable "REPLICAS" {
  default = 2
  validation {
    condition     = REPLICAS > 0
    error_message = "REPLICAS must be positive"
  }
}
stage "app" { from = "scratch" }
target "app" {
  stage     = "app"
  platforms = PLATFORMS
  tags      = [IMAGE]
  args      = {}
}
"#;
    let checked = check(
        text,
        &[("PLATFORMS", r#"["linux/amd64","linux/arm64"]"#)],
        None,
    );
    let m = model(&checked);
    let app = &m.targets[0];
    let platforms: Vec<&str> = app.platforms.iter().map(|p| p.value.as_str()).collect();
    assert_eq!(platforms, ["linux/amd64", "linux/arm64"]);
    // A list variable is not an arg; string and number ones are, unless only evaluated
    // expressions use them (BASE: its value is baked into IMAGE's default).
    let args: Vec<&str> = m.args.keys().map(|k| k.value.as_str()).collect();
    assert_eq!(args, ["IMAGE", "REPLICAS"]);
    assert_eq!(
        m.args[0].default.as_ref().unwrap().value,
        "localhost:5000/app"
    );

    let invalid = check(text, &[("REPLICAS", "0")], None);
    let d = invalid
        .diagnostics
        .iter()
        .find(|d| d.code == Code::Validation)
        .expect("validation error");
    assert_eq!(d.message, "REPLICAS must be positive");
    assert_eq!(invalid.file.line_col(d.position()).line, 12);
    let not_a_number = check(text, &[("REPLICAS", "many")], None);
    assert!(
        codes(&not_a_number).contains(&(Code::InvalidValue, 9)),
        "{:?}",
        codes(&not_a_number)
    );
}

#[test]
fn inherits_merges_maps_and_replaces_lists_later_wins() {
    let text = r#"
version = 1
variable "A" { default = "" }
variable "B" { default = "" }
variable "C" { default = "" }
stage "app" { from = "scratch" }
target "base" {
  stage  = "app"
  tags   = ["base"]
  args   = { A = "base", B = "base" }
  labels = { "x" = "base" }
}
target "other" {
  args = { B = "other", C = "other" }
  tags = ["other"]
}
target "app" {
  inherits = ["base", "other"]
  args     = { C = "app" }
}
"#;
    let checked = check(text, &[], None);
    let m = model(&checked);
    let app = m.targets.iter().find(|(k, _)| k.value == "app").unwrap().1;
    assert_eq!(app.stage.value, "app", "inherited from base");
    assert_eq!(
        tags(m, "app"),
        ["other"],
        "lists: the later parent replaces"
    );
    let args: Vec<(String, String)> = app
        .args
        .iter()
        .map(|(k, v)| (k.value.clone(), v.value.clone()))
        .collect();
    assert_eq!(
        args,
        [
            ("A".into(), "base".into()),
            ("B".into(), "other".into()),
            ("C".into(), "app".into())
        ],
        "maps merge key by key, the target's own values last"
    );
    assert_eq!(app.labels[0].value, "base");

    let cycle = check(
        "version = 1\nstage \"s\" { from = \"scratch\" }\ntarget \"a\" {\n  stage = \"s\"\n  inherits = [\"b\"]\n}\ntarget \"b\" { inherits = [\"a\"] }\n",
        &[],
        None,
    );
    assert!(
        codes(&cycle).iter().any(|(c, _)| *c == Code::InheritsCycle),
        "{:?}",
        codes(&cycle)
    );
    let unknown = check(
        "version = 1\nstage \"s\" { from = \"scratch\" }\ntarget \"a\" {\n  stage = \"s\"\n  inherits = [\"bsae\"]\n}\ntarget \"base\" { stage = \"s\" }\n",
        &[],
        None,
    );
    let d = unknown
        .diagnostics
        .iter()
        .find(|d| d.code == Code::UnknownTarget)
        .unwrap();
    assert!(d.help.as_deref().unwrap().contains("`base`"), "{d:?}");
}

#[test]
fn matrix_expands_in_order_with_unique_names() {
    let text = r#"
version = 1
variable "V" { default = "" }
stage "app" { from = "scratch" }
target "app" {
  name   = "app-${os}-${v}"
  matrix = { os = ["linux", "windows"], v = ["1", "2"] }
  stage  = "app"
  args   = { V = v }
  tags   = ["app:${os}-${v}"]
}
"#;
    let checked = check(text, &[], None);
    let m = model(&checked);
    let names: Vec<&str> = m.targets.keys().map(|k| k.value.as_str()).collect();
    assert_eq!(
        names,
        [
            "app-linux-1",
            "app-linux-2",
            "app-windows-1",
            "app-windows-2"
        ]
    );
    assert_eq!(tags(m, "app-windows-2"), ["app:windows-2"]);
    assert_eq!(m.targets[1].args[0].value, "2");

    let duplicate = text.replace("app-${os}-${v}", "app-${os}");
    let checked = check(&duplicate, &[], None);
    let d = checked
        .diagnostics
        .iter()
        .find(|d| d.code == Code::DuplicateName)
        .expect("duplicate names");
    assert_eq!(d.labels.len(), 2, "both places");

    let huge = text.replace(
        r#"matrix = { os = ["linux", "windows"], v = ["1", "2"] }"#,
        "matrix = { os = range(100), v = range(100) }",
    );
    let checked = check(&huge, &[], None);
    let d = checked
        .diagnostics
        .iter()
        .find(|d| d.code == Code::Limit)
        .expect("refused");
    assert!(d.message.contains("10000 targets"), "{}", d.message);
    let unnamed = text.replace("  name   = \"app-${os}-${v}\"\n", "");
    assert!(
        codes(&check(&unnamed, &[], None))
            .iter()
            .any(|(c, _)| *c == Code::MissingKey)
    );
}

#[test]
fn functions_user_defined_recursion_and_errors() {
    let text = r#"
version = 1
variable "TAG" { default = "1.2" }
function "tag" {
  params = [repo, tag]
  result = "${repo}:v${tag}"
}
function "all" {
  params          = [first]
  variadic_params = rest
  result          = join(",", concat([first], rest))
}
stage "app" {
  from = "scratch"
  run { cmd = "echo ${tag("app", TAG)} ${all("a", "b", "c")} $${LITERAL} $HOME ${TAG}" }
}
"#;
    let checked = check(text, &[], None);
    let m = model(&checked);
    // `$${` keeps a literal `${` for kiln (escaped again), `$HOME` is the shell's.
    assert_eq!(
        run_command(m, "app", 0),
        "echo app:v1.2 a,b,c $${LITERAL} $HOME ${TAG}"
    );
    let recursive = "version = 1\nfunction \"f\" {\n  params = [x]\n  result = f(x)\n}\nstage \"s\" {\n  from = \"scratch\"\n  run { cmd = f(1) }\n}\n";
    let checked = check(recursive, &[], None);
    let d = checked
        .diagnostics
        .iter()
        .find(|d| d.code == Code::Eval)
        .expect("refused");
    assert!(d.message.contains("recursion"), "{}", d.message);
    assert_eq!(checked.file.line_col(d.position()).line, 8);

    let unknown = check(
        "version = 1\nstage \"s\" {\n  from = uper(\"x\")\n}\n",
        &[],
        None,
    );
    let d = unknown
        .diagnostics
        .iter()
        .find(|d| d.code == Code::Eval)
        .unwrap();
    assert!(
        d.message.contains("unknown function `uper`"),
        "{}",
        d.message
    );
    let build_time = check(
        "version = 1\nstage \"s\" {\n  from = \"scratch\"\n  run { cmd = \"echo ${lower(TARGETARCH)}\" }\n}\n",
        &[],
        None,
    );
    let d = build_time
        .diagnostics
        .iter()
        .find(|d| d.code == Code::Eval)
        .unwrap();
    assert!(
        d.message.contains("known only when the build runs"),
        "{}",
        d.message
    );
}

#[test]
fn bad_input_is_a_diagnostic_with_a_position() {
    // Unknown attributes and blocks: errors with suggestions (bake ignores them).
    let checked = check(
        "version = 1\nstage \"s\" {\n  from = \"scratch\"\n  wrkdir = \"/x\"\n  rnu { cmd = \"x\" }\n}\ntraget \"t\" {}\n",
        &[],
        None,
    );
    let found = codes(&checked);
    assert!(found.contains(&(Code::UnknownKey, 4)), "{found:?}");
    assert!(found.contains(&(Code::UnknownKey, 5)), "{found:?}");
    assert!(found.contains(&(Code::UnknownKey, 7)), "{found:?}");
    let helps: Vec<&str> = checked
        .diagnostics
        .iter()
        .filter_map(|d| d.help.as_deref())
        .collect();
    assert!(helps.iter().any(|h| h.contains("`workdir`")), "{helps:?}");
    assert!(helps.iter().any(|h| h.contains("`run`")), "{helps:?}");
    assert!(helps.iter().any(|h| h.contains("`target`")), "{helps:?}");

    let syntax = check(
        "version = 1\nstage \"s\" {\n  from = \"scratch\"\n",
        &[],
        None,
    );
    assert_eq!(syntax.diagnostics[0].code, Code::Syntax);
    assert!(syntax.is_unusable());

    let deep = format!("version = 1\nx = {}1{}\n", "[".repeat(500), "]".repeat(500));
    let checked = check(&deep, &[], None);
    assert_eq!(checked.diagnostics[0].code, Code::Limit);

    // Semantic checks run on HCL with HCL positions.
    let checked = check(
        "version = 1\nstage \"app\" {\n  from = \"scratch\"\n}\ntarget \"t\" { stage = \"ap\" }\n",
        &[],
        None,
    );
    assert!(
        codes(&checked).contains(&(Code::UnknownStage, 5)),
        "{:?}",
        codes(&checked)
    );
}

#[test]
fn the_syntax_is_chosen_by_name_then_content() {
    use kiln_dsl::hcl_front::is_hcl;
    assert!(is_hcl("kiln.hcl", "anything"));
    assert!(!is_hcl("kiln.yaml", "stage \"x\" {}"));
    assert!(is_hcl("Kilnfile", "# syntax=x\n\nvariable \"A\" {}\n"));
    assert!(is_hcl("kiln", "version = 1\n"));
    assert!(!is_hcl("kiln", "version: 1\nstages: {}\n"));
}

#[test]
fn each_mistake_is_reported_once_without_knock_on_errors() {
    let text = "version = 1\nvariable \"TAG\" { default = \"1\" }\nstage \"app\" {\n  from = \"localhost:5000/busybox:${TAGG}\"\n  run { cmd = \"echo ${uper(TAG)}\" }\n}\ntarget \"app\" {\n  stage = \"app\"\n  matrix = { v = [\"a\", \"b\"] }\n  name = \"app\"\n}\n";
    let checked = check(text, &[], None);
    assert_eq!(
        codes(&checked),
        [
            (Code::UndefinedVariable, 4),
            (Code::Eval, 5),
            (Code::DuplicateName, 10)
        ]
    );
    // TAG is used (by the expression), so it is not reported as unused.
    assert!(
        checked
            .diagnostics
            .iter()
            .all(|d| d.code != Code::UnusedArg)
    );
}

#[test]
fn expressions_that_would_blow_up_are_refused() {
    // Doubling variables: 2^60 bytes if nothing stopped it.
    let mut text =
        String::from("version = 1\nvariable \"V0\" { default = \"xxxxxxxxxxxxxxxx\" }\n");
    for i in 1..=60 {
        text.push_str(&format!(
            "variable \"V{i}\" {{ default = \"${{V{p}}}${{V{p}}}\" }}\n",
            p = i - 1
        ));
    }
    text.push_str(
        "stage \"s\" {\n  from = \"scratch\"\n  run { cmd = \"echo ${upper(V60)}\" }\n}\n",
    );
    let checked = check(&text, &[], None);
    assert!(
        checked.diagnostics.iter().any(|d| d.code == Code::Limit),
        "{:?}",
        codes(&checked)
    );

    // Nested for expressions, and a function called too often.
    let nested = "version = 1\nstage \"s\" {\n  from = \"scratch\"\n  run { cmd = join(\",\", flatten([for i in range(1000) : [for j in range(1000) : j]])) }\n}\n";
    let checked = check(nested, &[], None);
    let d = checked
        .diagnostics
        .iter()
        .find(|d| d.code == Code::Limit)
        .expect("refused");
    assert!(d.message.contains("inside another"), "{}", d.message);
    let calls = "version = 1\nfunction \"f\" {\n  params = [x]\n  result = length([for i in range(1000) : i])\n}\nfunction \"g\" {\n  params = [x]\n  result = [for i in range(1000) : f(i)]\n}\nstage \"s\" {\n  from = \"scratch\"\n  run { cmd = jsonencode([for i in range(1000) : g(i)]) }\n}\n";
    let checked = check(calls, &[], None);
    let d = checked
        .diagnostics
        .iter()
        .find(|d| d.code == Code::Eval)
        .expect("refused");
    assert!(d.message.contains("more than 2000 times"), "{}", d.message);
}

#[test]
fn help_lines_speak_hcl_in_hcl_files() {
    use kiln_dsl::hcl_front::help_in_hcl;
    assert_eq!(help_in_hcl("add `from:`"), "add `from = ...`");
    assert_eq!(help_in_hcl("write `version: 1`"), "write `version = 1`");
    assert_eq!(
        help_in_hcl("use `localhost:5000/app:1`"),
        "use `localhost:5000/app:1`"
    );
    let checked = check(
        "version = 1\nstage \"a\" {\n  workdir = \"/x\"\n}\nstage \"a\" {\n  from = \"scratch\"\n}\n",
        &[],
        None,
    );
    let helps: Vec<&str> = checked
        .diagnostics
        .iter()
        .filter_map(|d| d.help.as_deref())
        .collect();
    assert!(helps.contains(&"add `from = ...`"), "{helps:?}");
    assert!(
        helps.iter().any(|h| h.contains("names must be unique")),
        "{helps:?}"
    );
    assert!(!helps.iter().any(|h| h.contains("YAML")), "{helps:?}");
}
