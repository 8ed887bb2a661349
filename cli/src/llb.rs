//! `kiln llb`: lower a target to a BuildKit LLB Definition (bytes for `buildctl build`, or a
//! readable JSON form).

use crate::load::checked_model;
use crate::resolve::Imagetools;
use clap::ValueEnum;
use kiln_dsl::render;
use kiln_lowering::{CapSet, CompileError, LowerOptions, Lowered, Offline, compile};
use prost::Message;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct LlbArgs {
    /// The build file.
    file: PathBuf,
    /// Target (or stage) to lower.
    #[arg(long)]
    target: Option<String>,
    /// Platform to build for, e.g. linux/arm64.
    #[arg(long)]
    platform: Option<String>,
    /// Set a build arg: NAME=VALUE (repeatable): the caller's explicit value, over a target's
    /// `args`, as `docker build --build-arg`.
    #[arg(long = "build-arg", value_name = "NAME=VALUE")]
    build_args: Vec<String>,
    #[command(flatten)]
    vars: crate::load::VarArgs,
    /// Leave the build file and source locations out of the Definition (they point into the
    /// file, so twins in YAML and HCL differ only there).
    #[arg(long)]
    no_source: bool,
    /// `raw`: the marshalled Definition (what `buildctl build` reads on stdin); `json`: readable.
    #[arg(long, value_enum, default_value_t = LlbFormat::Raw)]
    format: LlbFormat,
    /// Lower for the caps of this BuildKit: `all` (default) or `v0.8` (Docker 20.10).
    #[arg(long, default_value = "all")]
    buildkit: String,
    /// Resolve base images from their registries (with `docker buildx imagetools`), so their
    /// Env, WorkingDir, User, Entrypoint and Cmd are inherited as in the frontend. Without it
    /// base images start from an empty config.
    #[arg(long)]
    resolve_images: bool,
    /// The buildx builder that `--resolve-images` asks (default: buildx's current one).
    #[arg(long, value_name = "NAME", requires = "resolve_images")]
    builder: Option<String>,
    /// The kiln frontend image, run to unpack zip downloads (the frontend uses its own).
    #[arg(long, value_name = "IMAGE")]
    tool_image: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LlbFormat {
    Raw,
    Json,
}

pub fn run(args: &LlbArgs) -> ExitCode {
    match lowered(args).and_then(|lowered| write(args, &lowered)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => ExitCode::from(code),
    }
}

/// The target lowered by the compile step every entry point shares.
fn lowered(args: &LlbArgs) -> Result<Lowered, u8> {
    // Build args set the HCL variables of the same name, as in the frontend.
    let mut vars = args.vars.clone();
    vars.vars.extend(args.build_args.iter().cloned());
    let checked = checked_model(&args.file, &vars)?;
    let model = checked.model();
    let options = lower_options(args)?;
    let unknown =
        kiln_dsl::check::unknown_build_args(model, options.build_args.keys().map(String::as_str));
    if !unknown.is_empty() {
        let color = std::io::stderr().is_terminal();
        eprint!("{}", render::render_human(checked.file(), &unknown, color));
    }
    // One target at a time here: a group is an error that names its targets.
    if let Err(message) = kiln_lowering::select_target(model, options.target.as_deref()) {
        eprintln!("kiln: {message}");
        return Err(1);
    }
    let platforms = [args.platform.clone().unwrap_or_default()];
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime");
    let compiled = if args.resolve_images {
        let mut resolver = Imagetools {
            builder: args.builder.clone(),
        };
        runtime.block_on(compile(
            model,
            checked.file(),
            &options,
            &platforms,
            &mut resolver,
        ))
    } else {
        // Offline: base images start from an empty config (docs/cli.md).
        let mut offline = Offline;
        let offline = compile(model, checked.file(), &options, &platforms, &mut offline);
        runtime
            .block_on(offline)
            .map_err(|e| e.map_resolver(|never| match never {}))
    };
    match compiled {
        Ok(mut compiled) => Ok(compiled.builds.remove(0).lowered),
        Err(CompileError::Lowering(diagnostics)) => {
            let color = std::io::stderr().is_terminal();
            eprint!(
                "{}",
                render::render_human(checked.file(), &diagnostics, color)
            );
            Err(1)
        }
        Err(CompileError::Selection(message)) => {
            eprintln!("kiln: {message}");
            Err(1)
        }
        Err(CompileError::Resolver(message)) => {
            eprintln!("kiln: {message}");
            Err(1)
        }
    }
}

/// The options of this command line: `--var` gives the file's args their values (a
/// target's own `args` still win); `--build-arg` is the caller's explicit value, as in
/// `docker build`.
fn lower_options(args: &LlbArgs) -> Result<LowerOptions, u8> {
    let arg_values = args.vars.options()?.vars;
    let mut build_args = std::collections::BTreeMap::new();
    for pair in &args.build_args {
        let Some((k, v)) = pair.split_once('=') else {
            eprintln!("kiln: --build-arg takes NAME=VALUE, got `{pair}`");
            return Err(2);
        };
        build_args.insert(k.to_string(), v.to_string());
    }
    let caps = match args.buildkit.as_str() {
        "all" => CapSet::All,
        "v0.8" => CapSet::buildkit_v0_8(),
        other => {
            eprintln!("kiln: --buildkit takes `all` or `v0.8`, got `{other}`");
            return Err(2);
        }
    };
    Ok(LowerOptions {
        target: args.target.clone(),
        platform: args.platform.clone(),
        build_args,
        arg_values,
        caps,
        tool_image: args.tool_image.clone(),
        attach_source: !args.no_source,
        ..Default::default()
    })
}

fn write(args: &LlbArgs, lowered: &Lowered) -> Result<(), u8> {
    let mut stdout = std::io::stdout().lock();
    let written = match args.format {
        LlbFormat::Raw => {
            if stdout.is_terminal() {
                eprintln!(
                    "kiln: not writing binary LLB to a terminal: pipe it (e.g. into `buildctl build`) or use --format json"
                );
                return Err(2);
            }
            stdout.write_all(&lowered.definition.encode_to_vec())
        }
        LlbFormat::Json => {
            let json = serde_json::json!({
                "target": lowered.target,
                "stage": lowered.stage,
                "platform": lowered.platform,
                "definition": kiln_lowering::json::definition_json(&lowered.definition),
                "image": lowered.image,
            });
            writeln!(stdout, "{json:#}")
        }
    };
    match written {
        // The reader left (`kiln llb | head`): nothing to report.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => {
            eprintln!("kiln: cannot write the output: {error}");
            Err(2)
        }
        Ok(()) => Ok(()),
    }
}
