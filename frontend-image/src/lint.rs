//! `frontend.lint` (`docker buildx build --call=check`): `kiln check` of the build file,
//! answered in the form of BuildKit's `frontend/subrequests/lint` results, so buildx prints
//! each diagnostic with its snippet and exits non-zero as it does for a Dockerfile.
//!
//! The answer (`result.json`) holds `warnings` (every kiln diagnostic, errors too: the
//! code is the rule name, its meaning the description, its docs the url, the message and
//! help the detail, the main label the location), `sources` (the build file) and, when the
//! file has errors, `buildError` (buildx prints it and fails). `result.statuscode` is 1 when
//! there is anything to report, as the Dockerfile frontend's is; `result.txt` is kiln's own
//! report. A file over 1 MiB goes without its text (no snippets), as a build's warnings do.

use crate::report;
use kiln_dsl::{Checked, Diagnostic, SourceFile, render};
use kiln_proto::gateway as gw;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub const LINT: &str = "frontend.lint";
/// The version of BuildKit's lint result format this answer follows.
pub const VERSION: &str = "1.0.0";

/// BuildKit's `pb.Location` of a diagnostic in the (only) source: its main label, or no
/// range when it has none (buildx then prints no snippet).
fn location(file: &SourceFile, diagnostic: &Diagnostic) -> Value {
    let ranges: Vec<Value> = report::ranges(file, diagnostic)
        .iter()
        .map(|r| {
            let position = |p: Option<kiln_proto::pb::Position>| {
                let p = p.unwrap_or_default();
                json!({ "line": p.line, "character": p.character })
            };
            json!({ "start": position(r.start), "end": position(r.end) })
        })
        .collect();
    json!({ "sourceIndex": 0, "ranges": ranges })
}

/// The message, and the help on a line of its own.
fn detail(diagnostic: &Diagnostic) -> String {
    match &diagnostic.help {
        Some(help) => format!("{}\nhelp: {help}", diagnostic.message),
        None => diagnostic.message.clone(),
    }
}

fn warning(file: &SourceFile, diagnostic: &Diagnostic) -> Value {
    json!({
        "ruleName": diagnostic.code.as_str(),
        "description": diagnostic.code.meaning(),
        "url": report::docs_url(diagnostic.code),
        "detail": detail(diagnostic),
        "location": location(file, diagnostic),
    })
}

/// The lint result of a checked build file.
pub fn answer(checked: &Checked, filename: &str) -> gw::Result {
    use base64::Engine as _;
    let file = &checked.file;
    let shown =
        &checked.diagnostics[..checked.diagnostics.len().min(render::MAX_HUMAN_DIAGNOSTICS)];
    let warnings: Vec<Value> = shown.iter().map(|d| warning(file, d)).collect();
    // The text of a file over the snippet limit stays out (buildx then prints no snippets):
    // the answer travels as one gRPC message.
    let data = if file.text.len() <= report::MAX_SNIPPET_SOURCE_BYTES {
        base64::engine::general_purpose::STANDARD.encode(&file.text)
    } else {
        String::new()
    };
    let mut answer = json!({
        "warnings": warnings,
        "sources": [{
            "filename": file.name,
            "language": report::language(file),
            "data": data,
        }],
    });
    let errors: Vec<&Diagnostic> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    if let Some(first) = errors.first() {
        let count = match errors.len() {
            1 => "1 error".to_string(),
            n => format!("{n} errors"),
        };
        answer["buildError"] = json!({
            "message": format!(
                "kiln check found {count} in {filename}; the first, {}: {}",
                first.code.as_str(),
                detail(first)
            ),
            "location": location(file, first),
        });
    }
    let status = if checked.diagnostics.is_empty() {
        "0"
    } else {
        "1"
    };
    let text = if checked.diagnostics.is_empty() {
        format!("{filename}: no problems found\n")
    } else {
        render::render_human(file, &checked.diagnostics, false)
    };
    let metadata = BTreeMap::from([
        (
            "result.json".to_string(),
            serde_json::to_vec_pretty(&answer).unwrap_or_default(),
        ),
        ("result.txt".to_string(), text.into_bytes()),
        ("result.statuscode".to_string(), status.as_bytes().to_vec()),
        ("version".to_string(), VERSION.as_bytes().to_vec()),
    ]);
    gw::Result {
        result: None,
        metadata,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lint(text: &str) -> (Value, String) {
        let checked =
            kiln_dsl::check_bytes("kiln.yaml", text.as_bytes(), &kiln_dsl::Limits::default());
        let result = answer(&checked, "kiln.yaml");
        let json = serde_json::from_slice(&result.metadata["result.json"]).unwrap();
        let status = String::from_utf8(result.metadata["result.statuscode"].clone()).unwrap();
        (json, status)
    }

    #[test]
    fn warnings_and_errors_are_located_with_their_codes_and_docs() {
        let text =
            "version: 1\nargs:\n  UNUSED: x\nstages:\n  app:\n    from: scratch\n    stepz: []\n";
        let (json, status) = lint(text);
        assert_eq!(status, "1");
        let warnings = json["warnings"].as_array().unwrap();
        let rules: Vec<&str> = warnings
            .iter()
            .map(|w| w["ruleName"].as_str().unwrap())
            .collect();
        assert_eq!(rules, ["kiln::unused-arg", "kiln::unknown-key"]);
        let unknown = &warnings[1];
        assert_eq!(unknown["url"], "docs/diagnostics.md#unknown-key");
        assert_eq!(unknown["location"]["ranges"][0]["start"]["line"], 7);
        assert_eq!(unknown["location"]["ranges"][0]["start"]["character"], 4);
        assert!(
            unknown["detail"]
                .as_str()
                .unwrap()
                .contains("did you mean `steps`?")
        );
        let error = &json["buildError"];
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("1 error in kiln.yaml")
        );
        assert_eq!(error["location"]["ranges"][0]["start"]["line"], 7);
        use base64::Engine as _;
        let data = json["sources"][0]["data"].as_str().unwrap();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap();
        assert_eq!(decoded, text.as_bytes());
        assert_eq!(json["sources"][0]["filename"], "kiln.yaml");
    }

    #[test]
    fn a_clean_file_has_nothing_to_report_and_status_0() {
        let (json, status) = lint("version: 1\nstages:\n  app:\n    from: scratch\n");
        assert_eq!(status, "0");
        assert_eq!(json["warnings"], json!([]));
        assert!(json.get("buildError").is_none());
    }

    #[test]
    fn a_file_over_the_snippet_limit_goes_without_its_text() {
        let mut text = String::from("version: 1\nstages:\n  app:\n    from: scratch\n# ");
        text.push_str(&"x".repeat(report::MAX_SNIPPET_SOURCE_BYTES));
        let (json, status) = lint(&text);
        assert_eq!(status, "0");
        assert_eq!(json["sources"][0]["data"], "");
        assert_eq!(json["sources"][0]["filename"], "kiln.yaml");
    }

    #[test]
    fn an_unusable_file_is_an_error_without_a_model() {
        let (json, status) = lint("version: [\n");
        assert_eq!(status, "1");
        assert_eq!(json["warnings"][0]["ruleName"], "kiln::syntax");
        assert!(json["buildError"]["message"].is_string());
    }
}
