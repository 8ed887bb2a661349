//! kiln's diagnostics in BuildKit's forms: a check error as a status whose message is kiln's
//! report (what `docker build` prints) with an `errdefs.Source` detail (so buildx shows the
//! snippet of the kiln file), and warnings through the gateway's `Warn` (buildx lists them
//! after the build, with their snippets).

use crate::errors::{self, INVALID_ARGUMENT};
use crate::gateway::Gateway;
use kiln_dsl::{Diagnostic, SourceFile, render};
use kiln_proto::{gateway as gw, pb, rpc};

/// Where the docs of a diagnostic code live, in kiln's repository.
const DOCS: &str = "docs/diagnostics.md";

/// The docs of a diagnostic code: its entry in docs/diagnostics.md (the Warn url, and a
/// lint warning's).
pub fn docs_url(code: kiln_dsl::diagnostic::Code) -> String {
    format!("{DOCS}#{}", code.as_str().trim_start_matches("kiln::"))
}

/// A diagnostic's main place, as BuildKit ranges (1-based lines, 0-based characters, as
/// kiln's source map writes them).
pub fn ranges(file: &SourceFile, diagnostic: &Diagnostic) -> Vec<pb::Range> {
    diagnostic
        .labels
        .first()
        .map(|label| {
            let position = |offset: usize| {
                let lc = file.line_col(offset);
                pb::Position {
                    line: lc.line as i32,
                    character: lc.column as i32 - 1,
                }
            };
            vec![pb::Range {
                start: Some(position(label.span.start)),
                end: Some(position(label.span.end())),
            }]
        })
        .unwrap_or_default()
}

pub fn language(file: &SourceFile) -> &'static str {
    if file.name.ends_with(".hcl") {
        "hcl"
    } else {
        "yaml"
    }
}

/// The most errors a failed build shows: the report travels back to the client as the
/// error's message (a gRPC header on the way), which must stay small; `kiln check` has all.
const ERRORS_SHOWN: usize = 20;
/// The largest build file whose text goes with each warning (for its snippet): a warning of
/// a larger file goes without it, so 200 warnings never ship 200 copies of a huge file.
pub const MAX_SNIPPET_SOURCE_BYTES: usize = 1 << 20;

/// The status for a file that does not pass `kiln check`: kiln's report, and the first
/// error's place as an `errdefs.Source` detail.
pub fn check_failure(file: &SourceFile, diagnostics: &[Diagnostic], filename: &str) -> rpc::Status {
    let errors: Vec<Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect();
    let shown = &errors[..errors.len().min(ERRORS_SHOWN)];
    let mut report = render::render_human(file, shown, false);
    if errors.len() > shown.len() {
        report.push_str(&format!(
            "… and {} more errors: `kiln check {filename}` lists them all\n",
            errors.len() - shown.len()
        ));
    }
    let mut status = errors::status(
        INVALID_ARGUMENT,
        format!("kiln found problems in {filename}:\n\n{report}"),
    );
    let located = errors.iter().find(|d| !d.labels.is_empty());
    if let Some(detail) =
        located.and_then(|d| errors::source_any(&source_info(file), &ranges(file, d)))
    {
        status.details.push(detail);
    }
    status
}

/// The build file as BuildKit describes a source.
fn source_info(file: &SourceFile) -> pb::SourceInfo {
    pb::SourceInfo {
        filename: file.name.clone(),
        data: file.text.clone().into_bytes(),
        definition: None,
        language: language(file).to_string(),
    }
}

/// Send every warning to the client (BuildKit v0.10+; older ones have no `Warn`, and their
/// clients only show the build's outcome). `digest` is the vertex they belong to: the op
/// that loaded the build file, as the Dockerfile frontend does.
pub async fn send_warnings(
    gateway: &mut Gateway,
    file: &SourceFile,
    diagnostics: &[Diagnostic],
    digest: &str,
) {
    if !gateway.gateway_caps.contains("gateway.warnings") {
        return;
    }
    let info = (file.text.len() <= MAX_SNIPPET_SOURCE_BYTES).then(|| source_info(file));
    let warnings = diagnostics.iter().filter(|d| !d.is_error());
    for warning in warnings.take(render::MAX_HUMAN_DIAGNOSTICS) {
        let request = gw::WarnRequest {
            digest: digest.to_string(),
            level: 1,
            short: format!("{}: {}", warning.code.as_str(), warning.message).into_bytes(),
            detail: warning
                .help
                .iter()
                .map(|h| format!("help: {h}").into_bytes())
                .collect(),
            url: docs_url(warning.code),
            ranges: if info.is_some() {
                ranges(file, warning)
            } else {
                Vec::new()
            },
            info: info.clone(),
        };
        // A warning that does not arrive must not fail the build.
        let _ = gateway.warn(request).await;
    }
}
