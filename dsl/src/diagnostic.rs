//! Diagnostics: what kiln tells users about their build file, with labelled spans.
//!
//! One `Diagnostic` type serves every stage (YAML syntax, decoding, checks). Rendering is
//! done by miette's graphical handler (rustc-style code frames) or as stable JSON.

use crate::span::Span;
use std::fmt;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Every diagnostic kiln emits has one of these codes. They are part of the JSON output and
/// documented in `docs/diagnostics.md`; never rename one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    // Input that is not a usable YAML document at all (exit code 2).
    Io,
    TooLarge,
    NotUtf8,
    Syntax,
    Limit,
    // The document does not fit the build-file schema.
    EmptyFile,
    UnknownKey,
    DuplicateKey,
    MissingKey,
    TypeMismatch,
    InvalidValue,
    AmbiguousStep,
    UnsupportedVersion,
    // Semantic checks.
    UnknownStage,
    UnknownTarget,
    StageCycle,
    GroupCycle,
    DuplicateName,
    InvalidName,
    InvalidImage,
    InvalidPlatform,
    InvalidSha256,
    UndefinedVariable,
    InvalidInterpolation,
    BareVariable,
    RelativePath,
    InvalidMode,
    InvalidUrl,
    InvalidCache,
    ConflictingOptions,
    InsecureDownload,
    EmptyGroup,
    UnusedStage,
    UnusedArg,
    UnpinnedImage,
    // HCL evaluation.
    Eval,
    Validation,
    InheritsCycle,
    // Lowering.
    UnsupportedFeature,
    InvalidPath,
    EmptySource,
    NoPackageManager,
}

impl Code {
    pub const ALL: &'static [Code] = &[
        Code::Io,
        Code::TooLarge,
        Code::NotUtf8,
        Code::Syntax,
        Code::Limit,
        Code::EmptyFile,
        Code::UnknownKey,
        Code::DuplicateKey,
        Code::MissingKey,
        Code::TypeMismatch,
        Code::InvalidValue,
        Code::AmbiguousStep,
        Code::UnsupportedVersion,
        Code::UnknownStage,
        Code::UnknownTarget,
        Code::StageCycle,
        Code::GroupCycle,
        Code::DuplicateName,
        Code::InvalidName,
        Code::InvalidImage,
        Code::InvalidPlatform,
        Code::InvalidSha256,
        Code::UndefinedVariable,
        Code::InvalidInterpolation,
        Code::BareVariable,
        Code::RelativePath,
        Code::InvalidMode,
        Code::InvalidUrl,
        Code::InvalidCache,
        Code::ConflictingOptions,
        Code::InsecureDownload,
        Code::EmptyGroup,
        Code::UnusedStage,
        Code::UnusedArg,
        Code::UnpinnedImage,
        Code::Eval,
        Code::Validation,
        Code::InheritsCycle,
        Code::UnsupportedFeature,
        Code::InvalidPath,
        Code::EmptySource,
        Code::NoPackageManager,
    ];

    /// The stable name, e.g. `kiln::unknown-key`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Io => "kiln::io",
            Code::TooLarge => "kiln::too-large",
            Code::NotUtf8 => "kiln::not-utf8",
            Code::Syntax => "kiln::syntax",
            Code::Limit => "kiln::limit",
            Code::EmptyFile => "kiln::empty-file",
            Code::UnknownKey => "kiln::unknown-key",
            Code::DuplicateKey => "kiln::duplicate-key",
            Code::MissingKey => "kiln::missing-key",
            Code::TypeMismatch => "kiln::type-mismatch",
            Code::InvalidValue => "kiln::invalid-value",
            Code::AmbiguousStep => "kiln::ambiguous-step",
            Code::UnsupportedVersion => "kiln::unsupported-version",
            Code::UnknownStage => "kiln::unknown-stage",
            Code::UnknownTarget => "kiln::unknown-target",
            Code::StageCycle => "kiln::stage-cycle",
            Code::GroupCycle => "kiln::group-cycle",
            Code::DuplicateName => "kiln::duplicate-name",
            Code::InvalidName => "kiln::invalid-name",
            Code::InvalidImage => "kiln::invalid-image",
            Code::InvalidPlatform => "kiln::invalid-platform",
            Code::InvalidSha256 => "kiln::invalid-sha256",
            Code::UndefinedVariable => "kiln::undefined-variable",
            Code::InvalidInterpolation => "kiln::invalid-interpolation",
            Code::BareVariable => "kiln::bare-variable",
            Code::RelativePath => "kiln::relative-path",
            Code::InvalidMode => "kiln::invalid-mode",
            Code::InvalidUrl => "kiln::invalid-url",
            Code::InvalidCache => "kiln::invalid-cache",
            Code::ConflictingOptions => "kiln::conflicting-options",
            Code::InsecureDownload => "kiln::insecure-download",
            Code::EmptyGroup => "kiln::empty-group",
            Code::UnusedStage => "kiln::unused-stage",
            Code::UnusedArg => "kiln::unused-arg",
            Code::UnpinnedImage => "kiln::unpinned-image",
            Code::Eval => "kiln::eval",
            Code::Validation => "kiln::validation",
            Code::InheritsCycle => "kiln::inherits-cycle",
            Code::UnsupportedFeature => "kiln::unsupported-feature",
            Code::InvalidPath => "kiln::invalid-path",
            Code::EmptySource => "kiln::empty-source",
            Code::NoPackageManager => "kiln::no-package-manager",
        }
    }

    /// True when the input could not be read as a document at all: `kiln check` exits 2.
    pub fn is_unusable_input(self) -> bool {
        matches!(
            self,
            Code::Io | Code::TooLarge | Code::NotUtf8 | Code::Syntax | Code::Limit
        )
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A labelled span. The first label of a diagnostic is its primary one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One problem found in a build file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            labels: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Where the diagnostic points: the start of its primary label.
    pub fn position(&self) -> usize {
        self.labels.first().map_or(0, |l| l.span.start)
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sort diagnostics by position (then code) and drop exact repeats, which happen when an
/// aliased YAML node is decoded once per use.
pub fn sort_and_dedup(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (a.position(), a.code, &a.message).cmp(&(b.position(), b.code, &b.message))
    });
    diagnostics.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/diagnostics.md is where users look codes up: it must list every code, and only
    /// codes that exist.
    #[test]
    fn the_docs_list_every_code_and_no_other() {
        let docs = include_str!("../../docs/diagnostics.md");
        let documented: Vec<&str> = docs
            .lines()
            .filter_map(|l| l.strip_prefix("| `kiln::"))
            .filter_map(|l| l.split_once('`'))
            .map(|(name, _)| name)
            .collect();
        let codes: Vec<&str> = Code::ALL
            .iter()
            .map(|c| c.as_str().trim_start_matches("kiln::"))
            .collect();
        assert_eq!(
            documented, codes,
            "docs/diagnostics.md lists the codes in Code::ALL order"
        );
    }
}
