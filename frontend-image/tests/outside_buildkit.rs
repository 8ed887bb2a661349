//! The frontend run outside BuildKit (no gRPC peer on stdin/stdout) fails fast with a
//! one-line reason instead of hanging; `unzip` is usable on its own.

use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn without_buildkit_it_exits_1_with_a_reason() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kiln-frontend"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A wedged frontend would hold a BuildKit build forever: it must end on its own.
    let mut waited = Duration::ZERO;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            waited < Duration::from_secs(30),
            "the frontend hangs without a peer"
        );
        std::thread::sleep(Duration::from_millis(50));
        waited += Duration::from_millis(50);
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("kiln-frontend: "), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

#[test]
fn unzip_usage_errors_are_explained() {
    let out = Command::new(env!("CARGO_BIN_EXE_kiln-frontend"))
        .args(["unzip", "only-one"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("usage: kiln-frontend unzip ARCHIVE DIR")
    );
    let out = Command::new(env!("CARGO_BIN_EXE_kiln-frontend"))
        .args(["unzip", "/nonexistent.zip", "/tmp/x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kiln: cannot open /nonexistent.zip"));
}
