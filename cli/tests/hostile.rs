//! Hostile or broken input to the `kiln` binary (issue 16): nothing blocks, nothing grows
//! without bound, nothing panics, and each failure says what to do.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn kiln() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kiln"));
    command.current_dir(repo());
    command
}

/// Run `command`, killing it if it has not ended after `limit` (then the test fails: a
/// bound on a hang, not a speed assertion). Returns (exit code, stdout + stderr).
fn run_bounded(mut command: Command, limit: Duration) -> (Option<i32>, String) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kiln runs");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut text = String::new();
            child
                .stdout
                .take()
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            return (status.code(), text);
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            panic!("kiln did not end within {limit:?}: it blocks");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_fifo_or_a_device_is_refused_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("kiln.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let fifo = fifo.to_str().unwrap();
    for args in [
        vec!["check", fifo],
        vec!["llb", "--format", "json", fifo],
        vec!["print", "-f", fifo],
        vec!["graph", fifo],
        vec!["llb", "--format", "json", "/dev/zero"],
    ] {
        let mut command = kiln();
        command.args(&args);
        let (code, text) = run_bounded(command, Duration::from_secs(20));
        assert_eq!(code, Some(2), "kiln {args:?}: {text}");
        assert!(text.contains("not a regular file"), "kiln {args:?}: {text}");
    }
}

#[test]
fn llb_print_and_graph_refuse_a_file_over_the_size_limit() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.kiln.yaml");
    let limit = kiln_dsl::Limits::default().max_file_bytes;
    let mut text = String::from("version: 1\nstages:\n  app:\n    from: scratch\n");
    text.push_str(&"#".repeat(limit));
    std::fs::write(&big, text).unwrap();
    let big = big.to_str().unwrap();
    for args in [
        vec!["llb", "--format", "json", big],
        vec!["print", "-f", big],
        vec!["graph", big],
    ] {
        let mut command = kiln();
        command.args(&args);
        let (code, text) = run_bounded(command, Duration::from_secs(60));
        assert_eq!(code, Some(2), "kiln {args:?}: {text}");
        assert!(text.contains("kiln::too-large"), "kiln {args:?}: {text}");
    }
}

/// `kiln print | head` closes the pipe early: kiln must end with its own exit code, not a
/// panic on the broken pipe.
#[test]
fn a_reader_that_leaves_early_is_no_panic() {
    for args in [
        vec!["print", "-f", "examples/group.kiln.yaml"],
        vec!["graph", "examples/group.kiln.yaml"],
        vec![
            "check",
            "--format",
            "json",
            "tests/corpus/bad/many-errors-sorted.kiln.yaml",
        ],
        vec!["schema"],
    ] {
        // A pipe whose reader is gone before kiln writes, as with `| true`.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = kiln()
            .args(&args)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "kiln {args:?}: {stderr}");
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "kiln {args:?}: {:?} {stderr}",
            out.status
        );
    }
}
