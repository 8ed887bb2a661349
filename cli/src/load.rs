//! Reading and checking a build file for the commands that need a valid model.

use kiln_dsl::hcl_front::HclOptions;
use kiln_dsl::hcl_front::overrides::Override;
use kiln_dsl::{BuildFile, Checked, Limits, SourceFile};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Values for an HCL file's variables, shared by the commands that read build files.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct VarArgs {
    /// Set an HCL variable, or a YAML file's arg: NAME=VALUE (repeatable; lists and maps as
    /// JSON). It replaces the file's default; a target's own `args` still win (docs/format.md).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Let environment variables set the HCL variables of the same name (off by default).
    #[arg(long)]
    pub vars_from_env: bool,
}

impl VarArgs {
    /// The values, or the exit code after a message about a malformed `--var`.
    pub fn options(&self) -> Result<HclOptions, u8> {
        let mut options = HclOptions {
            env: self.vars_from_env.then(|| std::env::vars().collect()),
            ..Default::default()
        };
        for pair in &self.vars {
            let Some((name, value)) = pair.split_once('=') else {
                eprintln!("kiln: --var takes NAME=VALUE, got `{pair}`");
                return Err(2);
            };
            options.vars.insert(name.to_string(), value.to_string());
        }
        Ok(options)
    }
}

/// A checked build file with no errors: its model always exists.
pub struct Valid {
    checked: Checked,
}

impl Valid {
    pub fn model(&self) -> &BuildFile {
        self.checked
            .model
            .as_ref()
            .expect("a file without errors has a model")
    }

    pub fn file(&self) -> &SourceFile {
        &self.checked.file
    }
}

/// The build files of `-f`, in order; without any, `kiln.yaml`, else (when there is no
/// `kiln.yaml`) `kiln.hcl` followed by `kiln.override.hcl` when it exists, as bake reads
/// `docker-bake.hcl` and then `docker-bake.override.hcl`.
pub fn build_files(given: &[PathBuf]) -> Vec<PathBuf> {
    if !given.is_empty() {
        return given.to_vec();
    }
    let yaml = PathBuf::from("kiln.yaml");
    let hcl = PathBuf::from("kiln.hcl");
    if yaml.exists() || !hcl.exists() {
        return vec![yaml];
    }
    let over = PathBuf::from("kiln.override.hcl");
    if over.exists() {
        vec![hcl, over]
    } else {
        vec![hcl]
    }
}

/// Read and check several files as one (later ones add to and override earlier ones), or
/// one file; on errors print the report to stderr and return the exit code.
pub fn checked_files(
    paths: &[PathBuf],
    vars: &VarArgs,
    overrides: &[Override],
) -> Result<Valid, u8> {
    let mut options = kiln_dsl::check::Options {
        vars: vars.options()?,
        ..Default::default()
    };
    options.vars.overrides = overrides.to_vec();
    options.vars.override_env = override_env(overrides);
    let [path] = paths else {
        let mut files = Vec::new();
        for path in paths {
            let name = path.display().to_string();
            match std::fs::read(path) {
                Ok(bytes) => files.push((name, bytes)),
                Err(error) => {
                    eprintln!("kiln: cannot read {name}: {error}");
                    return Err(2);
                }
            }
        }
        let checked = kiln_dsl::check_files_with(&files, &Limits::default(), &options);
        return valid(checked);
    };
    checked_with(path, &options)
}

/// The environment, read only when a `--set T.args.NAME` takes NAME's value from it.
pub fn override_env(overrides: &[Override]) -> BTreeMap<String, String> {
    if overrides.iter().any(|o| o.value.is_none()) {
        std::env::vars().collect()
    } else {
        BTreeMap::new()
    }
}

fn valid(checked: Checked) -> Result<Valid, u8> {
    if checked.has_errors() || checked.model.is_none() {
        eprint!("{}", checked.error_report(std::io::stderr().is_terminal()));
        return Err(if checked.is_unusable() { 2 } else { 1 });
    }
    Ok(Valid { checked })
}

/// Read and check `path`; on errors print the report to stderr and return the exit code.
pub fn checked_model(path: &Path, vars: &VarArgs) -> Result<Valid, u8> {
    let options = kiln_dsl::check::Options {
        vars: vars.options()?,
        ..Default::default()
    };
    checked_with(path, &options)
}

fn checked_with(path: &Path, options: &kiln_dsl::check::Options) -> Result<Valid, u8> {
    let name = path.display().to_string();
    let bytes = match read_limited(path, Limits::default().max_file_bytes) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("kiln: cannot read {name}: {error}");
            return Err(2);
        }
    };
    let checked = kiln_dsl::check_bytes_with(&name, &bytes, &Limits::default(), options);
    valid(checked)
}

/// Read a build file, but never more than one byte past `limit`, so a 50 GB file (or
/// /dev/zero) is not loaded and the check reports it as too large. Only regular files are
/// read: opening a FIFO would block until some writer came, and a device never ends.
pub fn read_limited(path: &Path, limit: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let kind = std::fs::metadata(path)?.file_type();
    if !kind.is_file() {
        let what = if kind.is_dir() {
            "a directory"
        } else {
            "not a regular file"
        };
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{what}: give the path of a build file, or `-` for standard input"),
        ));
    }
    let mut buffer = Vec::new();
    std::fs::File::open(path)?
        .take(limit as u64 + 1)
        .read_to_end(&mut buffer)?;
    Ok(buffer)
}
