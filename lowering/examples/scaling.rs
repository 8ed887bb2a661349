//! Benchmark (not a test): how check and lowering time grow with the file (issue 16's
//! "linear in the file size"). For 1k, 10k and 100k stages, three shapes: independent
//! stages, a `from:` chain and a chain of copies from the previous stage; then a file of
//! just under the 8 MiB limit. Prints the fastest of a few runs in milliseconds and each
//! row's ratio to the row above (linear work gives about 10x). Run with `scripts/bench.sh`
//! (release build).

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use kiln_lowering::{LowerOptions, lower};
use std::time::Instant;

/// A file of `n` stages shaped by `shape`; the last stage needs every other one in chains.
fn file(n: usize, shape: &str) -> String {
    let mut text = String::from("version: 1\nstages:\n");
    for i in 0..n {
        let from = match (shape, i) {
            ("from-chain", i) if i > 0 => format!("s{}", i - 1),
            _ => "localhost:5000/busybox:1".to_string(),
        };
        text.push_str(&format!("  s{i}:\n    from: {from}\n    steps:\n"));
        if shape == "copy-chain" && i > 0 {
            text.push_str(&format!(
                "      - copy: {{ from: s{}, src: /f{}, dst: /f{} }}\n",
                i - 1,
                i - 1,
                i - 1
            ));
        }
        text.push_str(&format!("      - run: echo {i} > /f{i}\n"));
    }
    text
}

/// Runs per measurement (the fastest counts: the machine's other load only adds time);
/// `KILN_BENCH_RUNS` changes it.
fn runs() -> usize {
    std::env::var("KILN_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(3)
}

/// The fastest (check ms, lowering ms of the last stage) for `text` over `runs()` runs.
fn measure(text: &str) -> (f64, f64) {
    (0..runs())
        .map(|_| measure_once(text))
        .fold((f64::MAX, f64::MAX), |(c, l), (c2, l2)| {
            (c.min(c2), l.min(l2))
        })
}

/// (check ms, lowering ms of the last stage) for `text`, once.
fn measure_once(text: &str) -> (f64, f64) {
    // 100k stages are past the 8 MiB budget: the point here is how the work grows.
    let limits = kiln_dsl::Limits {
        max_file_bytes: 64 << 20,
        ..Default::default()
    };
    let start = Instant::now();
    let checked = kiln_dsl::check_bytes("scaling.kiln.yaml", text.as_bytes(), &limits);
    let check = start.elapsed().as_secs_f64() * 1000.0;
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics.first());
    let model = checked.model.as_ref().expect("a model");
    let last = model.stages.keys().last().expect("stages").value.clone();
    let options = LowerOptions {
        target: Some(last),
        ..Default::default()
    };
    let start = Instant::now();
    // A thread with room: lowering is iterative, but deep prost messages are not small.
    let lowered = std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn_scoped(s, || lower(model, &checked.file, &options).map(|_| ()))
            .expect("a thread")
            .join()
            .expect("lowering ends")
    });
    let lowering = start.elapsed().as_secs_f64() * 1000.0;
    if let Err(errors) = lowered {
        println!("    (lowering reported {} diagnostics)", errors.len());
    }
    (check, lowering)
}

fn main() {
    println!(
        "{:<12} {:>8} {:>10} {:>12} {:>10} {:>12}",
        "shape", "stages", "KiB", "check ms", "lower ms", "x per 10x (c/l)"
    );
    for shape in ["independent", "from-chain", "copy-chain"] {
        // Each row against the one above (10x the stages): linear work gives about 10x.
        let mut previous: Option<(f64, f64)> = None;
        for n in [1_000, 10_000, 100_000] {
            let text = file(n, shape);
            let (check, lowering) = measure(&text);
            let (c0, l0) = previous
                .replace((check, lowering))
                .unwrap_or((check, lowering));
            println!(
                "{shape:<12} {n:>8} {:>10.0} {check:>12.1} {lowering:>10.1} {:>6.1}x/{:.1}x",
                text.len() as f64 / 1024.0,
                check / c0,
                lowering / l0
            );
        }
    }
    // Just under the 8 MiB limit: independent stages with a copy and a run each.
    let mut text = String::from("version: 1\nstages:\n");
    let mut i = 0;
    while text.len() < (8 << 20) - 200 {
        text.push_str(&format!(
            "  st{i}:\n    from: localhost:5000/busybox:1\n    workdir: /src\n    steps:\n      - run: echo {i} > /f{i}\n      - copy: {{ src: a{i}.txt, dst: /a{i}.txt }}\n"
        ));
        i += 1;
    }
    let (check, lowering) = measure(&text);
    println!(
        "8 MiB file: {i} stages, check {check:.0} ms, lowering its last stage {lowering:.0} ms (target: the file within 1 s)"
    );
}
