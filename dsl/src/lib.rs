//! kiln's build-file language: parse YAML into the typed model, check it, and explain every
//! problem with a labelled span.
//!
//! ```text
//! bytes ──load──▶ SourceFile ──yaml::parse──▶ Node ──decode──▶ BuildFile ──check──▶ diagnostics
//! ```
//! Nothing here does I/O beyond what the caller hands in, and no input makes it panic.

#[doc(hidden)]
pub mod bench;
pub mod budget;
pub mod check;
mod decode;
pub mod diagnostic;
pub mod hcl_front;
pub mod interpolate;
pub mod model;
pub mod node;
pub mod platform;
pub mod reference;
pub mod render;
pub mod schema;
pub mod source;
pub mod span;
mod suggest;
pub mod walk;
pub mod yaml;

pub use diagnostic::{Code, Diagnostic, Severity, catalogue};
pub use model::BuildFile;
pub use source::SourceFile;
pub use span::{Sp, Span};
pub use yaml::Limits;

/// The result of reading and checking one build file.
#[derive(Debug)]
pub struct Checked {
    pub file: SourceFile,
    /// The model, when the document could be decoded at all (it may still have errors).
    pub model: Option<BuildFile>,
    /// Every problem found, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The model if there are no errors (warnings are fine).
    pub fn ok(&self) -> Option<&BuildFile> {
        self.model.as_ref().filter(|_| !self.has_errors())
    }
    /// The human report of the errors only (what a build that stops on them shows).
    pub fn error_report(&self, color: bool) -> String {
        let errors: Vec<Diagnostic> = self
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        render::render_human(&self.file, &errors, color)
    }

    /// True when an error says the input could not be read as a document at all.
    pub fn is_unusable(&self) -> bool {
        self.diagnostics.iter().any(|d| d.code.is_unusable_input())
    }
}

/// Turn raw bytes into a source file, refusing oversized and non-UTF-8 input.
pub fn load(
    name: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<SourceFile, Box<(SourceFile, Diagnostic)>> {
    if bytes.len() > limits.max_file_bytes {
        let file = SourceFile::new(name, "");
        let diagnostic = catalogue::too_large(bytes.len(), limits.max_file_bytes);
        return Err(Box::new((file, diagnostic)));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(name, text)),
        Err(error) => {
            let file = SourceFile::new(name, String::from_utf8_lossy(bytes).into_owned());
            // The lossy text has U+FFFD (3 bytes) where the bad bytes were; point there.
            let offset = String::from_utf8_lossy(&bytes[..error.valid_up_to()]).len();
            let diagnostic = catalogue::not_utf8(Span::new(offset, '\u{FFFD}'.len_utf8()));
            Err(Box::new((file, diagnostic)))
        }
    }
}

/// Parse and decode a source file into the model, without semantic checks.
pub fn parse(file: &SourceFile, limits: &Limits) -> (Option<BuildFile>, Vec<Diagnostic>) {
    parse_with(file, limits, &hcl_front::HclOptions::default())
}

/// `parse`, with values for an HCL file's variables. The syntax is chosen by the file's
/// name (`.hcl`, `.yaml`), else by its content.
pub fn parse_with(
    file: &SourceFile,
    limits: &Limits,
    vars: &hcl_front::HclOptions,
) -> (Option<BuildFile>, Vec<Diagnostic>) {
    let (root, mut diagnostics) = parse_tree(file, limits, vars);
    let Some(mut root) = root else {
        return (None, diagnostics);
    };
    let mut decoder = decode::Decoder::new(file);
    let model = decode::decode_build_file(&mut decoder, &mut root);
    diagnostics.extend(decoder.diagnostics);
    (model, diagnostics)
}

/// The spanned node tree of a file, before decoding: what the YAML or HCL front end read,
/// keys included (the model keeps the spans of values and names only). The language
/// server looks up what is written at a position in it; `parse_with` decodes it.
pub fn parse_tree(
    file: &SourceFile,
    limits: &Limits,
    vars: &hcl_front::HclOptions,
) -> (Option<node::Node>, Vec<Diagnostic>) {
    if file.is_hcl() {
        hcl_front::parse(file, vars)
    } else {
        match yaml::parse(file, limits) {
            Ok(root) => (Some(root), Vec::new()),
            Err(diagnostic) => (None, vec![diagnostic]),
        }
    }
}

/// Whether the arg an unused-arg diagnostic is about appears as `${NAME` in the file.
fn mentioned(file: &SourceFile, unused: &Diagnostic) -> bool {
    let name = unused.labels.first().and_then(|l| file.slice(l.span));
    name.is_some_and(|name| file.text.contains(&format!("${{{name}")))
}

/// Read, parse, decode and check a build file: every diagnostic, sorted by position.
pub fn check_bytes(name: &str, bytes: &[u8], limits: &Limits) -> Checked {
    check_bytes_with(name, bytes, limits, &check::Options::default())
}

/// `check_bytes` with options (`--strict`).
pub fn check_bytes_with(
    name: &str,
    bytes: &[u8],
    limits: &Limits,
    options: &check::Options,
) -> Checked {
    match load(name, bytes, limits) {
        Ok(file) => match bake_json(&file, false) {
            Some(hcl) => check_file(SourceFile::concat(vec![(file.name, hcl)]), limits, options),
            None => {
                let late_syntax = check::directives::late_syntax_line(&file.text);
                let mut checked = check_file(file, limits, options);
                checked.diagnostics.extend(late_syntax);
                diagnostic::sort_and_dedup(&mut checked.diagnostics);
                checked
            }
        },
        Err(failed) => unreadable(*failed),
    }
}

/// A bake JSON file's HCL text (see `hcl_front::bake_json`); None for any other file.
fn bake_json(file: &SourceFile, values_only: bool) -> Option<String> {
    let json = file.name.to_ascii_lowercase().ends_with(".json");
    json.then(|| hcl_front::bake_json::to_hcl(&file.text, values_only))
        .flatten()
}

fn unreadable((file, diagnostic): (SourceFile, Diagnostic)) -> Checked {
    Checked {
        file,
        model: None,
        diagnostics: vec![diagnostic],
    }
}

/// Several HCL build files read as one, in order, as `docker buildx bake -f a -f b` reads
/// them: later files add to and override earlier ones (see docs/hcl.md, "Several files").
pub fn check_files_with(
    files: &[(String, Vec<u8>)],
    limits: &Limits,
    options: &check::Options,
) -> Checked {
    if let [(name, bytes)] = files {
        return check_bytes_with(name, bytes, limits, options);
    }
    let mut texts = Vec::new();
    for (name, bytes) in files {
        let file = match load(name, bytes, limits) {
            Ok(file) => file,
            Err(failed) => return unreadable(*failed),
        };
        if let Some(hcl) = bake_json(&file, true) {
            texts.push((file.name, hcl));
            continue;
        }
        if !hcl_front::is_hcl(&file.name, &file.text) {
            let diagnostic = catalogue::several_files_not_hcl(name);
            return unreadable((file, diagnostic));
        }
        texts.push((file.name, file.text));
    }
    let file = SourceFile::concat(texts);
    if file.text.len() > limits.max_file_bytes {
        let diagnostic = catalogue::too_large(file.text.len(), limits.max_file_bytes);
        return unreadable((file, diagnostic));
    }
    check_file(file, limits, options)
}

fn check_file(file: SourceFile, limits: &Limits, options: &check::Options) -> Checked {
    let (model, mut diagnostics) = parse_with(&file, limits, &options.vars);
    if let Some(model) = &model {
        let mut checks = check::check_with(model, &file, options);
        if diagnostics.iter().any(Diagnostic::is_error) {
            // A value that failed to decode is not in the model, nor are the args it uses:
            // an arg written as `${NAME}` in the file is not called unused then.
            checks.retain(|d| !(d.code == Code::UnusedArg && mentioned(&file, d)));
        }
        diagnostics.extend(checks);
    }
    if file.is_hcl() {
        for d in &mut diagnostics {
            if let Some(help) = &d.help {
                d.help = Some(hcl_front::help_in_hcl(help));
            }
        }
    }
    diagnostic::sort_and_dedup(&mut diagnostics);
    Checked {
        file,
        model,
        diagnostics,
    }
}
