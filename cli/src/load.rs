//! Reading and checking a build file for the commands that need a valid model.

use kiln_dsl::{Checked, Limits};
use std::io::IsTerminal;
use std::path::Path;

/// Read and check `path`; on errors print the report to stderr and return the exit code.
pub fn checked_model(path: &Path) -> Result<Checked, u8> {
    let name = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("kiln: cannot read {name}: {error}");
            return Err(2);
        }
    };
    let checked = kiln_dsl::check_bytes(&name, &bytes, &Limits::default());
    if checked.has_errors() || checked.model.is_none() {
        eprint!("{}", checked.error_report(std::io::stderr().is_terminal()));
        return Err(if checked.is_unusable() { 2 } else { 1 });
    }
    Ok(checked)
}
