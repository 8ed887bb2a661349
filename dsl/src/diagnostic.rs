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
/// documented in `docs/diagnostics.md` (a test keeps that page in step with this list); never
/// rename one. Each code is written once, here: the enum, `Code::ALL` and the names come
/// from this list.
macro_rules! codes {
    ($($(#[$doc:meta])* $code:ident => $name:literal,)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($code,)*
        }

        impl Code {
            /// Every code, in the order of the docs.
            pub const ALL: &'static [Code] = &[$(Code::$code,)*];

            /// The stable name, e.g. `kiln::unknown-key`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$code => $name,)*
                }
            }
        }
    };
}

codes! {
    // Input that is not a usable YAML document at all (exit code 2).
    Io => "kiln::io",
    TooLarge => "kiln::too-large",
    NotUtf8 => "kiln::not-utf8",
    Syntax => "kiln::syntax",
    Limit => "kiln::limit",
    // The document does not fit the build-file schema.
    EmptyFile => "kiln::empty-file",
    UnknownKey => "kiln::unknown-key",
    DuplicateKey => "kiln::duplicate-key",
    MissingKey => "kiln::missing-key",
    TypeMismatch => "kiln::type-mismatch",
    InvalidValue => "kiln::invalid-value",
    AmbiguousStep => "kiln::ambiguous-step",
    UnsupportedVersion => "kiln::unsupported-version",
    // Semantic checks.
    UnknownStage => "kiln::unknown-stage",
    UnknownTarget => "kiln::unknown-target",
    StageCycle => "kiln::stage-cycle",
    GroupCycle => "kiln::group-cycle",
    DuplicateName => "kiln::duplicate-name",
    InvalidName => "kiln::invalid-name",
    InvalidImage => "kiln::invalid-image",
    InvalidPlatform => "kiln::invalid-platform",
    InvalidSha256 => "kiln::invalid-sha256",
    UndefinedVariable => "kiln::undefined-variable",
    InvalidInterpolation => "kiln::invalid-interpolation",
    BareVariable => "kiln::bare-variable",
    RelativePath => "kiln::relative-path",
    InvalidMode => "kiln::invalid-mode",
    InvalidUrl => "kiln::invalid-url",
    InvalidCache => "kiln::invalid-cache",
    ConflictingOptions => "kiln::conflicting-options",
    InsecureDownload => "kiln::insecure-download",
    EmptyGroup => "kiln::empty-group",
    UnusedStage => "kiln::unused-stage",
    UnusedArg => "kiln::unused-arg",
    UnpinnedImage => "kiln::unpinned-image",
    // HCL evaluation.
    Eval => "kiln::eval",
    Validation => "kiln::validation",
    InheritsCycle => "kiln::inherits-cycle",
    // Lowering.
    UnsupportedFeature => "kiln::unsupported-feature",
    InvalidPath => "kiln::invalid-path",
    EmptySource => "kiln::empty-source",
    NoPackageManager => "kiln::no-package-manager",
}

impl Code {
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
