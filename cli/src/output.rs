//! Standard output that a closed pipe does not turn into a panic. `kiln print | head` closes
//! the pipe early: the rest of the output is dropped and the command still ends with its own
//! exit code, so `set -o pipefail` scripts see kiln's verdict (errors found or not), not a
//! crash. Any other write failure (a full disk behind `>`) makes the run fail (exit 2).

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

/// The reader went away (or writing failed): nothing more is written.
static CLOSED: AtomicBool = AtomicBool::new(false);
/// Writing failed for a reason other than the reader leaving.
static FAILED: AtomicBool = AtomicBool::new(false);

/// Write `bytes` to standard output, then flush.
pub fn write(bytes: &[u8]) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        CLOSED.store(true, Ordering::Relaxed);
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            FAILED.store(true, Ordering::Relaxed);
            eprintln!("kiln: cannot write to standard output: {error}");
        }
    }
}

/// Whether some output could not be written (other than to a reader that left).
pub fn failed() -> bool {
    FAILED.load(Ordering::Relaxed)
}

/// `print!` through [`write`].
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::write(format!($($arg)*).as_bytes()) };
}

/// `println!` through [`write`].
macro_rules! outln {
    ($($arg:tt)*) => { $crate::output::write(format!("{}\n", format_args!($($arg)*)).as_bytes()) };
}

pub(crate) use {out, outln};
