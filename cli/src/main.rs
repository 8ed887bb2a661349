//! `kiln`: check build files, print their JSON Schema and plans, lower them to LLB, draw them,
//! and build them (`kiln bake`).

/// mimalloc: lowering allocates many small strings and maps (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod bake;
mod check;
mod graph;
mod llb;
mod load;
mod output;
mod print;
mod resolve;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "kiln",
    version,
    about = "Declarative container builds for BuildKit"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check build files and report every problem. Exit 0 clean, 1 errors, 2 unusable input.
    Check(CheckArgs),
    /// Lower a target to a BuildKit LLB Definition (for `buildctl build`, or readable JSON).
    Llb(llb::LlbArgs),
    /// Print the stage/step graph as Graphviz DOT or Mermaid.
    Graph(graph::GraphArgs),
    /// Print the resolved targets of targets or groups as JSON (like `docker buildx bake --print`).
    Print(print::PrintArgs),
    /// Build targets and groups on the Docker Engine's BuildKit, each with its own outputs.
    Bake(bake::BakeArgs),
    /// Serve the Language Server Protocol over stdio, for editors (docs/editors.md).
    Lsp,
    /// Print the JSON Schema (draft-07) of build files, for editors and validators.
    Schema {
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// Build files to check (`-` reads standard input).
    #[arg(required_unless_present = "codes")]
    files: Vec<PathBuf>,
    /// Print the table of diagnostic codes (docs/diagnostics.md) and check nothing.
    #[arg(long, conflicts_with = "files")]
    codes: bool,
    /// Output format: a human report, or JSON for editors and CI.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    /// Also warn about base images not pinned by digest.
    #[arg(long)]
    strict: bool,
    /// Refuse files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = kiln_dsl::Limits::default().max_file_bytes)]
    max_file_size: usize,
    /// Colour in the human report.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    #[command(flatten)]
    vars: load::VarArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Llb(args) => llb::run(&args),
        Command::Graph(args) => graph::run(&args),
        Command::Print(args) => print::run(&args),
        Command::Bake(args) => bake::run(&args),
        Command::Lsp => lsp(),
        Command::Schema { output } => schema(output),
    };
    if output::failed() {
        ExitCode::from(2)
    } else {
        code
    }
}

/// The language server speaks on stdout: nothing else may write there while it runs.
fn lsp() -> ExitCode {
    match kiln_lsp::run_stdio() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("kiln lsp: {error}");
            ExitCode::from(2)
        }
    }
}

fn schema(output: Option<PathBuf>) -> ExitCode {
    let text = kiln_dsl::schema::json_schema_text();
    match output {
        None => {
            output::write(text.as_bytes());
            ExitCode::SUCCESS
        }
        Some(path) => match write_atomically(&path, text.as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("kiln: cannot write {}: {error}", path.display());
                ExitCode::from(2)
            }
        },
    }
}

/// Write through a temporary file and rename, so a failed write never leaves half a file.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp~");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
