//! kiln's answers in the protocol's types: byte spans become UTF-16 ranges here.

use crate::complete::{ItemKind, complete};
use crate::document::Document;
use crate::schema_docs::SchemaDocs;
use crate::tree::{Found, Index, Kind, Name};
use kiln_dsl::{Severity, Span};
use lsp_types::{
    CompletionItem, CompletionItemKind, DiagnosticRelatedInformation, DiagnosticSeverity,
    DocumentSymbol, Hover, HoverContents, Location, MarkupContent, MarkupKind, NumberOrString,
    SymbolKind, Uri,
};
use serde_json::Value;

fn location(uri: &Uri, doc: &Document, span: Span) -> Location {
    Location::new(uri.clone(), doc.lines.range(doc.text(), span))
}

/// Everything `kiln check` reports, each with its code, the range of its primary label and
/// the other labels as related locations; the help goes at the end of the message.
pub fn diagnostics(uri: &Uri, doc: &Document) -> Vec<lsp_types::Diagnostic> {
    doc.diagnostics
        .iter()
        .map(|d| {
            let primary = d.labels.first();
            let span = primary.map_or(Span::default(), |l| l.span);
            let mut message = d.message.clone();
            if let Some(label) = primary.filter(|l| !l.message.is_empty()) {
                message.push_str(&format!(": {}", label.message));
            }
            if let Some(help) = &d.help {
                message.push_str(&format!("\nhelp: {help}"));
            }
            let related: Vec<DiagnosticRelatedInformation> = d
                .labels
                .iter()
                .skip(1)
                .map(|l| DiagnosticRelatedInformation {
                    location: location(uri, doc, l.span),
                    message: l.message.clone(),
                })
                .collect();
            lsp_types::Diagnostic {
                range: doc.lines.range(doc.text(), span),
                severity: Some(match d.severity {
                    Severity::Error => DiagnosticSeverity::ERROR,
                    Severity::Warning => DiagnosticSeverity::WARNING,
                }),
                code: Some(NumberOrString::String(d.code.as_str().to_string())),
                source: Some("kiln".to_string()),
                message,
                related_information: (!related.is_empty()).then_some(related),
                ..lsp_types::Diagnostic::default()
            }
        })
        .collect()
}

pub fn hover(doc: &Document, docs: &SchemaDocs, offset: usize) -> Option<Value> {
    let (markdown, span) = crate::hover::hover(doc, docs, offset)?;
    let hover = Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        }),
        range: Some(doc.lines.range(doc.text(), span)),
    };
    serde_json::to_value(hover).ok()
}

pub fn completion(
    doc: &Document,
    names: &Index,
    docs: &SchemaDocs,
    offset: usize,
) -> Option<Value> {
    let items: Vec<CompletionItem> = complete(doc, names, docs, offset)
        .into_iter()
        .map(|item| CompletionItem {
            label: item.label,
            kind: Some(match item.kind {
                ItemKind::Key => CompletionItemKind::PROPERTY,
                ItemKind::Stage => CompletionItemKind::CLASS,
                ItemKind::Target => CompletionItemKind::MODULE,
                ItemKind::Group => CompletionItemKind::FOLDER,
                ItemKind::Arg => CompletionItemKind::VARIABLE,
            }),
            detail: item.detail,
            ..CompletionItem::default()
        })
        .collect();
    serde_json::to_value(items).ok()
}

/// The name at an offset, when there is one.
fn name_at(doc: &Document, offset: usize) -> Option<&Name> {
    match doc.index.at(offset)? {
        Found::Name(name) => Some(name),
        Found::Key(_) => None,
    }
}

pub fn definition(uri: &Uri, doc: &Document, offset: usize) -> Option<Value> {
    let name = name_at(doc, offset)?;
    let definition = doc.index.definition(name.kind, &name.name)?;
    serde_json::to_value(location(uri, doc, definition.span)).ok()
}

pub fn references(uri: &Uri, doc: &Document, offset: usize, declaration: bool) -> Option<Value> {
    let name = name_at(doc, offset)?;
    let locations: Vec<Location> = doc
        .index
        .occurrences(name)
        .filter(|n| declaration || !n.definition)
        .map(|n| location(uri, doc, n.span))
        .collect();
    serde_json::to_value(locations).ok()
}

/// The outline: args, stages, targets and groups, each a section of its names.
pub fn symbols(doc: &Document) -> Vec<DocumentSymbol> {
    let sections = [
        ("args", Kind::Arg, SymbolKind::VARIABLE),
        ("stages", Kind::Stage, SymbolKind::CLASS),
        ("targets", Kind::Target, SymbolKind::MODULE),
        ("groups", Kind::Group, SymbolKind::PACKAGE),
    ];
    let mut out = Vec::new();
    for (title, kind, symbol_kind) in sections {
        let children: Vec<DocumentSymbol> = doc
            .index
            .definitions(kind)
            .map(|n| symbol(doc, &n.name, symbol_kind, n.extent, n.span, None))
            .collect();
        let (Some(first), Some(last)) = (children.first(), children.last()) else {
            continue;
        };
        let mut section = symbol(
            doc,
            title,
            SymbolKind::NAMESPACE,
            Span::default(),
            Span::default(),
            Some(Vec::new()),
        );
        section.range = lsp_types::Range::new(first.range.start, last.range.end);
        section.selection_range = first.selection_range;
        section.children = Some(children);
        out.push(section);
    }
    out
}

#[allow(deprecated)] // `deprecated` is a field every DocumentSymbol must still spell out.
fn symbol(
    doc: &Document,
    name: &str,
    kind: SymbolKind,
    extent: Span,
    span: Span,
    children: Option<Vec<DocumentSymbol>>,
) -> DocumentSymbol {
    DocumentSymbol {
        name: name.to_string(),
        detail: None,
        kind,
        tags: None,
        deprecated: None,
        range: doc.lines.range(doc.text(), extent),
        selection_range: doc.lines.range(doc.text(), span),
        children,
    }
}
