//! Diagnostics: what kiln tells users about their build file, with labelled spans.
//!
//! One `Diagnostic` type serves every stage (YAML syntax, decoding, checks). Rendering is
//! done by miette's graphical handler (rustc-style code frames) or as stable JSON.
//!
//! What kiln says is written in [`catalogue`]: one named constructor per diagnostic, so the
//! same problem is worded the same everywhere. Code outside the catalogue does not build
//! diagnostics by hand.

use crate::span::Span;
use std::fmt;

pub mod catalogue;

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
/// documented in `docs/diagnostics.md`, whose table is generated from this list (a test
/// fails when the page drifts: `cargo run -p kiln-cli -- check --codes` prints the table);
/// never rename one. Each code is written once, here, with its severity and meaning: the
/// enum, `Code::ALL`, the names and the docs come from this list.
macro_rules! codes {
    ($($code:ident => $name:literal, $severity:literal, $meaning:literal,)*) => {
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

            /// How severe its diagnostics are, as the docs say it (`error, unusable`).
            pub fn severity_text(self) -> &'static str {
                match self {
                    $(Code::$code => $severity,)*
                }
            }

            /// What it means, in one line of Markdown.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(Code::$code => $meaning,)*
                }
            }
        }
    };
}

/// The table of codes in docs/diagnostics.md, generated from [`Code::ALL`].
pub fn codes_table() -> String {
    let mut out = String::from("| code | severity | meaning |\n|---|---|---|\n");
    for code in Code::ALL {
        let (name, severity, meaning) = (code.as_str(), code.severity_text(), code.meaning());
        out.push_str(&format!("| `{name}` | {severity} | {meaning} |\n"));
    }
    out
}

codes! {
    // Input that is not a usable YAML document at all (exit code 2).
    Io => "kiln::io", "error, unusable",
        "the file cannot be read",
    TooLarge => "kiln::too-large", "error, unusable",
        "the file is over the size limit (`--max-file-size`)",
    NotUtf8 => "kiln::not-utf8", "error, unusable",
        "the file is not UTF-8",
    Syntax => "kiln::syntax", "error, unusable",
        "not valid YAML (tabs, unclosed brackets, several documents, ...) or not valid HCL",
    Limit => "kiln::limit", "error, unusable",
        "nesting or alias expansion beyond the limits; in HCL also a matrix over 256 targets, a value over 64 KiB, nested `for` expressions, more than 32 functions",
    // The document does not fit the build-file schema.
    EmptyFile => "kiln::empty-file", "error",
        "nothing in the file",
    UnknownKey => "kiln::unknown-key", "error",
        "a key kiln does not know (with a suggestion), or a step/mount without a kind",
    DuplicateKey => "kiln::duplicate-key", "error",
        "a key written twice in one map (both places shown)",
    MissingKey => "kiln::missing-key", "error",
        "a required key is absent (`version`, `stages`, `from`, `dst`, `sha256`, ...)",
    TypeMismatch => "kiln::type-mismatch", "error",
        "a value of the wrong type, with its path (`stages.build.steps[2].run`)",
    InvalidValue => "kiln::invalid-value", "error",
        "a value outside its choices or range (`network: hots`, a bad port or duration)",
    AmbiguousStep => "kiln::ambiguous-step", "error",
        "a step (or mount) with two kinds",
    UnsupportedVersion => "kiln::unsupported-version", "error",
        "`version` other than 1",
    // Semantic checks.
    UnknownStage => "kiln::unknown-stage", "error",
        "`from`, `copy.from`, a bind mount's `from` or a target's `stage` names no stage",
    UnknownTarget => "kiln::unknown-target", "error",
        "a group member names no target, group or stage",
    StageCycle => "kiln::stage-cycle", "error",
        "stages use each other in a cycle (every edge labelled)",
    GroupCycle => "kiln::group-cycle", "error",
        "groups contain each other in a cycle",
    DuplicateName => "kiln::duplicate-name", "error",
        "a target and a group share a name",
    InvalidName => "kiln::invalid-name", "error",
        "a stage, target, group or arg name that is not allowed",
    InvalidImage => "kiln::invalid-image", "error",
        "an image reference or tag that does not parse",
    InvalidPlatform => "kiln::invalid-platform", "error",
        "a platform that is not `os/arch[/variant]`",
    InvalidSha256 => "kiln::invalid-sha256", "error",
        "a checksum that is not 64 hex digits",
    UndefinedVariable => "kiln::undefined-variable", "error or warning",
        "`${NAME}` that is not defined (warning when it may come from the base image); a target setting an undeclared arg",
    InvalidInterpolation => "kiln::invalid-interpolation", "error",
        "`${...}` that is not `${NAME}` or `${NAME:-default}`",
    BareVariable => "kiln::bare-variable", "warning",
        "`$NAME` in an env value, stored literally",
    RelativePath => "kiln::relative-path", "error",
        "a relative path where an absolute one is required (mount targets, workdirs, volumes)",
    InvalidMode => "kiln::invalid-mode", "error",
        "a file mode that is not octal",
    InvalidUrl => "kiln::invalid-url", "error",
        "a download URL that is not http(s)",
    InvalidCache => "kiln::invalid-cache", "error",
        "a target's `cache_from`/`cache_to` entry that BuildKit would refuse: not `key=value` pairs, no `type` or an unknown one, a `mode` other than `min`/`max`, a `registry` cache without `ref`, a `local` one without `src` (import) or `dest` (export)",
    ConflictingOptions => "kiln::conflicting-options", "error",
        "options that exclude each other (`from` and `context`)",
    InsecureDownload => "kiln::insecure-download", "warning",
        "a download without a checksum, allowed by `insecure: true`",
    EmptyGroup => "kiln::empty-group", "error",
        "a group without members",
    UnusedStage => "kiln::unused-stage", "warning",
        "a stage no target reaches",
    UnusedArg => "kiln::unused-arg", "warning",
        "an arg never referenced",
    UnknownBuildArg => "kiln::unknown-build-arg", "warning",
        "a build arg (`--build-arg`, `build-arg:`) that names no arg of the file: a typo, most often",
    LateSyntaxLine => "kiln::late-syntax-line", "warning",
        "a `# syntax=` line that is not the first line: BuildKit reads it only there, so `docker build` takes the file for a Dockerfile",
    UnpinnedImage => "kiln::unpinned-image", "warning (`--strict` only)",
        "an image used by tag, not pinned by digest",
    // HCL evaluation.
    Eval => "kiln::eval", "error",
        "HCL: an expression that cannot be evaluated (unknown variable or function, wrong argument types, a function's error)",
    Validation => "kiln::validation", "error",
        "HCL: a variable's `validation` condition is false (its `error_message` is the message)",
    InheritsCycle => "kiln::inherits-cycle", "error",
        "HCL: targets inherit from each other in a cycle",
    // Lowering.
    UnsupportedFeature => "kiln::unsupported-feature", "error (lowering)",
        "a step needs an LLB capability the builder's BuildKit lacks (e.g. `symlink` on v0.8)",
    InvalidPath => "kiln::invalid-path", "error (lowering)",
        "a path that is invalid once `${...}` is expanded",
    EmptySource => "kiln::empty-source", "error (lowering)",
        "a copy from a stage that has no files (built `from: scratch` with no steps)",
    NoPackageManager => "kiln::no-package-manager", "error (lowering)",
        "`packages` on a base image without apt-get, apk or dnf (or on scratch)",
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

    /// docs/diagnostics.md is where users look codes up: its table is the generated one,
    /// so it lists every code, and only codes that exist, with what they mean.
    #[test]
    fn the_docs_table_is_the_generated_one() {
        let docs = include_str!("../../../docs/diagnostics.md");
        assert!(
            docs.contains(&codes_table()),
            "docs/diagnostics.md drifted from the codes in dsl/src/diagnostic/mod.rs: replace its \
             table with the output of `kiln check --codes`"
        );
        let rows = docs.lines().filter(|l| l.starts_with("| `kiln::")).count();
        assert_eq!(rows, Code::ALL.len(), "one table of codes, no other rows");
    }
}
