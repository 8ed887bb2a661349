//! `kiln check`: report every problem of every file, as text or JSON.

use crate::output::{out, outln};
use crate::{CheckArgs, Color, Format};
use kiln_dsl::render;
use kiln_dsl::{Checked, Limits, Severity, SourceFile};
use std::io::{IsTerminal, Read};
use std::process::ExitCode;

pub fn run(args: &CheckArgs) -> ExitCode {
    if args.codes {
        out!("{}", kiln_dsl::diagnostic::codes_table());
        return ExitCode::SUCCESS;
    }
    let limits = Limits {
        max_file_bytes: args.max_file_size,
        ..Limits::default()
    };
    let options = kiln_dsl::check::Options {
        strict: args.strict,
        vars: match args.vars.options() {
            Ok(vars) => vars,
            Err(code) => return ExitCode::from(code),
        },
    };
    let results: Vec<Checked> = args
        .files
        .iter()
        .map(|path| check_path(path, &limits, &options))
        .collect();

    match args.format {
        Format::Human => print_human(&results, color_enabled(args.color)),
        Format::Json => print_json(&results),
    }

    let diagnostics = || results.iter().flat_map(|r| &r.diagnostics);
    if diagnostics().any(|d| d.code.is_unusable_input()) {
        ExitCode::from(2)
    } else if diagnostics().any(|d| d.is_error() || args.deny_warnings) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn check_path(
    path: &std::path::Path,
    limits: &Limits,
    options: &kiln_dsl::check::Options,
) -> Checked {
    let name = path.display().to_string();
    let bytes = if name == "-" {
        let mut buffer = Vec::new();
        // Read one byte past the limit so an oversized input is reported, not truncated.
        std::io::stdin()
            .take(limits.max_file_bytes as u64 + 1)
            .read_to_end(&mut buffer)
            .map(|_| buffer)
    } else {
        crate::load::read_limited(path, limits.max_file_bytes)
    };
    match bytes {
        Ok(bytes) => kiln_dsl::check_bytes_with(&name, &bytes, limits, options),
        Err(error) => Checked {
            file: SourceFile::new(&name, ""),
            model: None,
            diagnostics: vec![kiln_dsl::catalogue::cannot_read(&name, &error)],
        },
    }
}

fn color_enabled(choice: Color) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

fn print_human(results: &[Checked], color: bool) {
    let (mut errors, mut warnings) = (0, 0);
    for result in results {
        out!(
            "{}",
            render::render_human(&result.file, &result.diagnostics, color)
        );
        for d in &result.diagnostics {
            match d.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
            }
        }
    }
    let files = results.len();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if errors + warnings == 0 {
        outln!("kiln: {} checked, no problems", plural(files, "file"));
    } else {
        outln!(
            "kiln: {}, {} in {}",
            plural(errors, "error"),
            plural(warnings, "warning"),
            plural(files, "file")
        );
    }
}

fn print_json(results: &[Checked]) {
    let diagnostics: Vec<_> = results
        .iter()
        .flat_map(|r| {
            r.diagnostics
                .iter()
                .map(|d| render::diagnostic_json(&r.file, d))
        })
        .collect();
    let count = |severity| {
        results
            .iter()
            .flat_map(|r| &r.diagnostics)
            .filter(|d| d.severity == severity)
            .count()
    };
    let report = serde_json::json!({
        "version": 1,
        "files": results.iter().map(|r| r.file.name.clone()).collect::<Vec<_>>(),
        "diagnostics": diagnostics,
        "summary": { "errors": count(Severity::Error), "warnings": count(Severity::Warning) },
    });
    outln!("{report:#}");
}
