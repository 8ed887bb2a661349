//! Targets' caches, bake's `cache-from`/`cache-to`: `cache_from`/`cache_to` in YAML,
//! `cache-from`/`cache-to` in HCL (through `inherits` and `matrix`), their checks with
//! positions, and the schema.

use kiln_dsl::model::BuildFile;
use kiln_dsl::{Checked, Code, Limits, Severity};

fn check(name: &str, text: &str) -> Checked {
    kiln_dsl::check_bytes(name, text.as_bytes(), &Limits::default())
}

fn model(checked: &Checked) -> &BuildFile {
    checked
        .ok()
        .unwrap_or_else(|| panic!("expected no errors:\n{}", checked.error_report(false)))
}

/// (cache_from, cache_to) of a target, as written.
fn caches(model: &BuildFile, target: &str) -> (Vec<String>, Vec<String>) {
    let t = &model.targets[target];
    let text = |list: &[kiln_dsl::Sp<String>]| list.iter().map(|e| e.value.clone()).collect();
    (text(&t.cache_from), text(&t.cache_to))
}

/// Every diagnostic as `code@line:col`, `(w)` for warnings.
fn summary(checked: &Checked) -> Vec<String> {
    checked
        .diagnostics
        .iter()
        .map(|d| {
            let at = checked.file.line_col(d.position());
            let warning = if d.severity == Severity::Warning {
                "(w)"
            } else {
                ""
            };
            let code = d.code.as_str().trim_start_matches("kiln::");
            format!("{code}@{}:{}{warning}", at.line, at.column)
        })
        .collect()
}

fn help_of(checked: &Checked, code: Code, line: usize) -> String {
    let d = checked
        .diagnostics
        .iter()
        .find(|d| d.code == code && checked.file.line_col(d.position()).line == line)
        .unwrap_or_else(|| panic!("no {code} on line {line}: {:?}", summary(checked)));
    d.help.clone().unwrap_or_default()
}

const YAML: &str = r#"version: 1
args:
  REG: localhost:5000
stages:
  app:
    from: scratch
targets:
  app:
    stage: app
    cache_from:
      - ${REG}/app:cache
      - type=local,src=/tmp/cache
    cache_to: ["type=registry,ref=${REG}/app:cache,mode=max", type=inline]
"#;

const HCL: &str = r#"version = 1
variable "REG" { default = "localhost:5000" }
stage "app" { from = "scratch" }
target "app" {
  stage      = "app"
  cache-from = ["${REG}/app:cache", "type=local,src=/tmp/cache"]
  cache-to   = ["type=registry,ref=${REG}/app:cache,mode=max", "type=inline"]
}
"#;

#[test]
fn yaml_and_hcl_twins_give_the_same_caches() {
    let (yaml, hcl) = (check("t.kiln.yaml", YAML), check("t.kiln.hcl", HCL));
    assert_eq!(
        summary(&yaml),
        Vec::<String>::new(),
        "clean, and REG is used"
    );
    assert_eq!(summary(&hcl), Vec::<String>::new());
    let want = (
        vec![
            "${REG}/app:cache".into(),
            "type=local,src=/tmp/cache".into(),
        ],
        vec![
            "type=registry,ref=${REG}/app:cache,mode=max".into(),
            "type=inline".into(),
        ],
    );
    assert_eq!(caches(model(&yaml), "app"), want);
    assert_eq!(caches(model(&hcl), "app"), want);
}

#[test]
fn inherits_replaces_cache_lists_and_matrix_fills_them() {
    let text = r#"version = 1
stage "app" { from = "scratch" }
target "_base" {
  cache-from = ["localhost:5000/app:cache"]
  cache-to   = ["type=registry,ref=localhost:5000/app:cache,mode=max"]
}
target "app" {
  inherits = ["_base"]
  stage    = "app"
}
target "child" {
  inherits   = ["_base"]
  stage      = "app"
  cache-from = ["type=local,src=/tmp/c"]
}
target "m" {
  matrix   = { v = ["1", "2"] }
  name     = "m-${v}"
  inherits = ["_base"]
  stage    = "app"
  cache-to = ["type=registry,ref=localhost:5000/m:${v}"]
}
"#;
    let checked = check("t.kiln.hcl", text);
    let model = model(&checked);
    let base_from = vec!["localhost:5000/app:cache".to_string()];
    let base_to = vec!["type=registry,ref=localhost:5000/app:cache,mode=max".to_string()];
    assert_eq!(caches(model, "app"), (base_from.clone(), base_to.clone()));
    assert_eq!(
        caches(model, "child"),
        (vec!["type=local,src=/tmp/c".into()], base_to),
        "the child's list replaces the parent's; the other is inherited"
    );
    for v in ["1", "2"] {
        let to = vec![format!("type=registry,ref=localhost:5000/m:{v}")];
        assert_eq!(caches(model, &format!("m-{v}")), (base_from.clone(), to));
    }
    assert!(!model.targets.contains_key("_base"), "a template");
}

#[test]
fn bad_yaml_entries_point_at_what_is_wrong() {
    let text = r#"version: 1
stages:
  app:
    from: scratch
targets:
  app:
    stage: app
    cache_from:
      - type=regsitry,ref=localhost:5000/a:c
      - ref=localhost:5000/a:c
      - type=local,dest=/tmp/c
      - localhost:5000/App:cache
    cache_to:
      - type=registry,mode=max
      - type=local,dest=/tmp/c,mode=maximum
      - "type=inline,oops"
      - ${UNDEFINED}
      - ""
  other:
    stage: app
    cache_to: type=inline
"#;
    let checked = check("t.kiln.yaml", text);
    assert_eq!(
        summary(&checked),
        [
            "invalid-cache@9:14",
            "invalid-cache@10:9",
            "invalid-cache@11:9",
            "invalid-image@12:9",
            "invalid-cache@14:9",
            "invalid-cache@15:37",
            "invalid-cache@16:22",
            "undefined-variable@17:9",
            "type-mismatch@21:15",
        ]
    );
    assert_eq!(
        help_of(&checked, Code::InvalidCache, 9),
        "did you mean `registry`?"
    );
    assert!(help_of(&checked, Code::InvalidCache, 10).contains("start it with `type=`"));
    assert!(help_of(&checked, Code::InvalidCache, 11).contains("`type=local,src=/tmp/cache`"));
    assert!(help_of(&checked, Code::InvalidCache, 14).contains("add `ref=...`"));
    assert_eq!(
        help_of(&checked, Code::InvalidCache, 15),
        "expected one of: `min`, `max`"
    );
    let message = |line: usize| {
        let d = checked
            .diagnostics
            .iter()
            .find(|d| checked.file.line_col(d.position()).line == line)
            .unwrap();
        d.message.clone()
    };
    assert_eq!(message(9), "`regsitry` is not a cache type");
    assert_eq!(
        message(10),
        "the cache entry `ref=localhost:5000/a:c` has no `type`"
    );
    assert_eq!(message(11), "a `local` cache import needs `src`");
    assert_eq!(message(14), "a `registry` cache needs `ref`");
    assert_eq!(message(15), "`mode=maximum` is not a cache mode");
    assert_eq!(message(16), "`oops` in a cache entry is not `key=value`");
}

#[test]
fn entries_are_checked_after_expanding_args() {
    let text = r#"version: 1
args:
  CACHE_TYPE: registy
  CACHE_TO: ""
stages:
  app:
    from: scratch
targets:
  app:
    stage: app
    cache_from: ["type=${CACHE_TYPE},ref=localhost:5000/a:c"]
    cache_to: ["${CACHE_TO}"]
"#;
    let checked = check("t.kiln.yaml", text);
    // The whole entry is underlined: the bad text is not written in the file.
    assert_eq!(summary(&checked), ["invalid-cache@11:18"]);
    assert_eq!(
        help_of(&checked, Code::InvalidCache, 11),
        "did you mean `registry`?"
    );
}

#[test]
fn bad_hcl_entries_and_spellings_speak_hcl() {
    let text = r#"version = 1
stage "app" { from = "scratch" }
target "app" {
  stage      = "app"
  cache_from = ["localhost:5000/app:cache"]
  cache-fro  = ["localhost:5000/app:cache"]
  cache-to   = ["type=gh"]
}
"#;
    let checked = check("t.kiln.hcl", text);
    assert_eq!(
        summary(&checked),
        ["unknown-key@5:3", "unknown-key@6:3", "invalid-cache@7:23"]
    );
    assert_eq!(
        help_of(&checked, Code::UnknownKey, 5),
        "did you mean `cache-from`? (bake's spelling)"
    );
    assert_eq!(
        help_of(&checked, Code::UnknownKey, 6),
        "did you mean `cache-from`?",
        "the decoder's YAML name, in HCL's spelling"
    );
    assert_eq!(
        help_of(&checked, Code::InvalidCache, 7),
        "did you mean `gha`?"
    );
}

#[test]
fn the_schema_has_cache_lists_under_the_yaml_names() {
    let schema = kiln_dsl::schema::json_schema();
    let target = &schema["definitions"]["Target"];
    assert_eq!(
        target["additionalProperties"], false,
        "other keys are refused"
    );
    for key in ["cache_from", "cache_to"] {
        let property = &target["properties"][key];
        assert_eq!(property["type"], "array", "{key}: a list, not a string");
        assert_eq!(property["items"]["type"], "string", "{key}: of strings");
        let description = property["description"].as_str().unwrap();
        assert!(description.contains("type=registry,ref="), "{description}");
    }
    for bake_spelling in ["cache-from", "cache-to"] {
        assert!(target["properties"].get(bake_spelling).is_none());
    }
}

#[test]
fn bakes_spelling_in_yaml_suggests_the_yaml_key() {
    let text = "version: 1\nstages:\n  app:\n    from: scratch\ntargets:\n  app:\n    stage: app\n    cache-to: [type=inline]\n";
    let checked = check("t.kiln.yaml", text);
    assert_eq!(summary(&checked), ["unknown-key@8:5"]);
    assert_eq!(
        help_of(&checked, Code::UnknownKey, 8),
        "did you mean `cache_to`?"
    );
}
