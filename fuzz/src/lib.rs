//! What the fuzz targets share: the path every entry point takes through kiln (check, the
//! reports, then compile for what the file builds), with the offline resolver.

use kiln_dsl::{BuildFile, Checked, render};
use kiln_lowering::{CompileError, LowerOptions, Offline, compile};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// Run a future that never waits (compile with the offline resolver is one).
pub fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("an offline compile never waits"),
    }
}

/// Render the diagnostics both ways, as `kiln check` does.
pub fn render_reports(checked: &Checked) {
    let human = render::render_human(&checked.file, &checked.diagnostics, false);
    assert!(!human.contains('\u{1b}'), "the report carries an escape sequence");
    for d in &checked.diagnostics {
        let _ = render::diagnostic_json(&checked.file, d);
    }
}

/// Compile what a build with no target builds, then each target (a few), for the default
/// platform and for two, as the frontend would.
pub fn compile_all(checked: &Checked, base: &LowerOptions) {
    let Some(model) = checked.model.as_ref() else {
        return;
    };
    if checked.has_errors() {
        return;
    }
    let mut targets: Vec<Option<String>> = vec![base.target.clone()];
    targets.extend(first_targets(model).into_iter().map(Some));
    for target in targets {
        let options = LowerOptions {
            target,
            ..base.clone()
        };
        for platforms in [vec![String::new()], vec!["linux/amd64".into(), "linux/arm64".into()]] {
            let compiled = ready(compile(model, &checked.file, &options, &platforms, &mut Offline));
            if let Err(CompileError::Lowering(diagnostics)) = compiled {
                let _ = render::render_human(&checked.file, &diagnostics, false);
            }
        }
    }
}

fn first_targets(model: &BuildFile) -> Vec<String> {
    model.targets.keys().take(3).map(|k| k.value.clone()).collect()
}

/// Split fuzz input at its first NUL: (head, rest); no NUL gives an empty head.
pub fn split_at_nul(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&[], data),
    }
}

/// `NAME=VALUE` lines of a head.
pub fn pairs(head: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(head)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
