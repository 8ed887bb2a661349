//! Rendering diagnostics: rustc-style reports (via miette) and stable JSON.

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceFile;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use std::fmt;

/// A diagnostic bound to its file, in the shape miette renders.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: NamedSource<String>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.diagnostic.fmt(f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
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
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let labels = self.diagnostic.labels.iter().enumerate().map(|(i, l)| {
            let text = (!l.message.is_empty()).then(|| l.message.clone());
            if i == 0 {
                LabeledSpan::new_primary_with_span(text, l.span)
            } else {
                LabeledSpan::new_with_span(text, l.span)
            }
        });
        Some(Box::new(labels))
    }
}

/// Render diagnostics as a human report: `file:line:col`, code frame, labels and help.
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
    for diagnostic in diagnostics {
        let (part, diagnostic) = in_its_file(file, diagnostic);
        let report = Report {
            diagnostic: &diagnostic,
            source: NamedSource::new(&part.name, part.text).with_language("yaml"),
        };
        if handler.render_report(&mut out, &report).is_err() {
            // Rendering into a String cannot fail on I/O; fall back to one plain line.
            out.push_str(&format!("{}: {}\n", diagnostic.code, diagnostic.message));
        }
        out.push('\n');
    }
    out
}

/// For several files read as one, the file a diagnostic's first label is in, and the
/// diagnostic with its labels in that file (relative to it; labels in other files left out).
fn in_its_file(file: &SourceFile, d: &Diagnostic) -> (SourceFile, Diagnostic) {
    let offset = d.labels.first().map_or(0, |l| l.span.start);
    let (part, start) = file.part_at(offset);
    let mut d = d.clone();
    let end = start + part.text.len();
    d.labels
        .retain(|l| l.span.start >= start && l.span.start <= end);
    for label in &mut d.labels {
        label.span = crate::Span::new(label.span.start - start, label.span.len);
    }
    (part, d)
}

/// The JSON form of one diagnostic (documented in `docs/diagnostics.md`; keep it stable).
pub fn diagnostic_json(file: &SourceFile, d: &Diagnostic) -> serde_json::Value {
    let (file, d) = in_its_file(file, d);
    let (file, d) = (&file, &d);
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
