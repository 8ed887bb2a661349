//! Rendering diagnostics: rustc-style reports (via miette) and stable JSON.

mod excerpt;

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceFile;
use excerpt::{Excerpt, visible};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan};
use std::borrow::Cow;
use std::fmt;

pub use crate::budget::MAX_HUMAN_DIAGNOSTICS;

/// A diagnostic bound to the part of its file it shows, in the shape miette renders.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: Excerpt,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.diagnostic.fmt(f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&visible(&self.diagnostic.message))
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(visible(h).into_owned()) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let spans = self.source.spans.iter();
        let labels = self.diagnostic.labels.iter().zip(spans).enumerate();
        let labels = labels.map(|(i, (l, &span))| {
            let text = (!l.message.is_empty()).then(|| visible(&l.message).into_owned());
            if i == 0 {
                LabeledSpan::new_primary_with_span(text, span)
            } else {
                LabeledSpan::new_with_span(text, span)
            }
        });
        Some(Box::new(labels))
    }
}

/// Render diagnostics as a human report: `file:line:col`, code frame, labels and help; at
/// most [`MAX_HUMAN_DIAGNOSTICS`], then a line saying how many more there are.
pub fn render_human(file: &SourceFile, diagnostics: &[Diagnostic], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        .with_context_lines(1);
    let mut out = String::new();
    for diagnostic in diagnostics.iter().take(MAX_HUMAN_DIAGNOSTICS) {
        let (part, diagnostic) = in_its_file(file, diagnostic);
        let spans: Vec<_> = diagnostic.labels.iter().map(|l| l.span).collect();
        let report = Report {
            diagnostic: &diagnostic,
            source: Excerpt::new(&part, &spans),
        };
        if handler.render_report(&mut out, &report).is_err() {
            // Rendering into a String cannot fail on I/O; fall back to one plain line.
            let message = visible(&diagnostic.message);
            out.push_str(&format!("{}: {message}\n", diagnostic.code));
        }
        out.push('\n');
    }
    if let Some(more) = diagnostics.len().checked_sub(MAX_HUMAN_DIAGNOSTICS + 1) {
        out.push_str(&format!(
            "kiln: {} more diagnostic(s) in {} not shown; `kiln check --format json` lists them all\n\n",
            more + 1,
            visible(&file.name)
        ));
    }
    out
}

/// For several files read as one, the file a diagnostic's first label is in, and the
/// diagnostic with its labels in that file (relative to it; labels in other files left out).
fn in_its_file<'a>(
    file: &'a SourceFile,
    d: &'a Diagnostic,
) -> (Cow<'a, SourceFile>, Cow<'a, Diagnostic>) {
    // One file (nearly always): nothing to cut, and nothing copied per diagnostic.
    if !file.is_several() {
        return (Cow::Borrowed(file), Cow::Borrowed(d));
    }
    let offset = d.labels.first().map_or(0, |l| l.span.start);
    let (part, start) = file.part_at(offset);
    let mut d = d.clone();
    let end = start + part.text.len();
    d.labels
        .retain(|l| l.span.start >= start && l.span.start <= end);
    for label in &mut d.labels {
        label.span = crate::Span::new(label.span.start - start, label.span.len);
    }
    (Cow::Owned(part), Cow::Owned(d))
}

/// The JSON form of one diagnostic (documented in `docs/diagnostics.md`; keep it stable).
pub fn diagnostic_json(file: &SourceFile, d: &Diagnostic) -> serde_json::Value {
    let (file, d) = in_its_file(file, d);
    let (file, d) = (file.as_ref(), d.as_ref());
    let position = |offset: usize| {
        let lc = file.line_col(offset);
        serde_json::json!({ "offset": offset, "line": lc.line, "column": lc.column })
    };
    let labels: Vec<_> = d
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            serde_json::json!({
                "message": l.message,
                "primary": i == 0,
                "start": position(l.span.start),
                "end": position(l.span.end()),
            })
        })
        .collect();
    let start = d.labels.first().map(|l| file.line_col(l.span.start));
    serde_json::json!({
        "file": file.name,
        "line": start.map(|p| p.line),
        "column": start.map(|p| p.column),
        "severity": d.severity.as_str(),
        "code": d.code.as_str(),
        "message": d.message,
        "help": d.help,
        "labels": labels,
    })
}
