//! Benchmark (not a test): parse + check time and peak memory for a generated build file
//! with 1,000 stages and 10,000 steps. Run with `scripts/bench.sh` (release build).
//!
//! Targets (issue 2): under 100 ms and under 100 MB on a 2-core machine.

use std::time::{Duration, Instant};

const STAGES: usize = 1_000;
const STEPS_PER_STAGE: usize = 10;

/// A realistic file: every stage builds from the previous one (or an image), and its steps
/// mix runs with mounts, copies from other stages, env and downloads.
fn generate() -> String {
    let mut out = String::from(
        "version: 1\nargs:\n  VERSION: \"1.0\"\n  REGISTRY: localhost:5000\nstages:\n",
    );
    for s in 0..STAGES {
        out.push_str(&format!("  stage-{s}:\n"));
        if s % 10 == 0 {
            out.push_str(
                "    from: localhost:5000/debian:bookworm\n    packages: [ca-certificates, curl]\n",
            );
        } else {
            out.push_str(&format!("    from: stage-{}\n", s - 1));
        }
        out.push_str(&format!(
            "    env: {{ STAGE_{s}: \"{s}\" }}\n    workdir: /src/{s}\n    steps:\n"
        ));
        for i in 0..STEPS_PER_STAGE {
            let step = match i % 5 {
                0 => format!(
                    "      - run: make -C /src/{s} part-{i} VERSION=${{VERSION}}\n        mounts:\n          - cache: /root/.cache/{s}\n            sharing: locked\n"
                ),
                1 => format!(
                    "      - copy: {{ src: [src/{s}/, Makefile], dst: /src/{s}/, chmod: \"0644\" }}\n"
                ),
                2 if s > 0 => format!(
                    "      - copy: {{ from: stage-{}, src: /out/{i}, dst: /in/{i} }}\n",
                    s - 1
                ),
                3 => format!("      - env: {{ STEP_{s}_{i}: value-{i} }}\n"),
                4 => format!(
                    "      - download:\n          url: https://example.com/{s}/{i}.tar.gz\n          sha256: {}\n          dst: /opt/{i}.tar.gz\n",
                    "ab".repeat(32)
                ),
                _ => format!("      - run: [echo, \"{s}-{i}\"]\n"),
            };
            out.push_str(&step);
        }
    }
    out.push_str("targets:\n");
    for s in (0..STAGES).step_by(100) {
        out.push_str(&format!(
            "  t{s}:\n    stage: stage-{}\n    tags: [\"${{REGISTRY}}/t{s}:${{VERSION}}\"]\n",
            s + 99
        ));
    }
    out
}

/// Peak resident memory of this process so far, from the kernel (VmHWM).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let text = generate();
    if let Some(path) = std::env::var_os("KILN_BENCH_WRITE") {
        std::fs::write(path, &text).unwrap();
    }
    if std::env::var_os("KILN_BENCH_PHASES").is_some() {
        phases(&text);
    }
    let steps = text.matches("\n      - ").count();
    let before = peak_rss_mib().unwrap_or(0.0);
    let limits = kiln_dsl::Limits::default();

    let mut times: Vec<Duration> = Vec::new();
    let mut diagnostics = 0;
    for _ in 0..15 {
        let start = Instant::now();
        let checked = kiln_dsl::check_bytes("bench.kiln.yaml", text.as_bytes(), &limits);
        times.push(start.elapsed());
        diagnostics = checked.diagnostics.len();
        assert!(
            !checked.has_errors(),
            "the generated file must check clean: {:?}",
            checked.diagnostics.first()
        );
    }
    times.sort();
    let peak = peak_rss_mib().unwrap_or(0.0);
    let median = times[times.len() / 2];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "file: {STAGES} stages, {steps} steps, {:.1} KiB",
        text.len() as f64 / 1024.0
    );
    println!("diagnostics: {diagnostics} (warnings only)");
    println!(
        "parse+check: min {:.1} ms, median {:.1} ms, max {:.1} ms (15 runs)",
        ms(times[0]),
        ms(median),
        ms(times[times.len() - 1])
    );
    println!("peak memory: {peak:.1} MiB (whole process; {before:.1} MiB before the first parse)");
    println!(
        "vs targets:  time {:.2}x of 100 ms, memory {:.2}x of 100 MB",
        ms(median) / 100.0,
        peak * 1.048_576 / 100.0
    );
}

#[allow(dead_code)]
fn phases(text: &str) {
    let limits = kiln_dsl::Limits::default();
    let file = kiln_dsl::SourceFile::new("b", text);
    let t = Instant::now();
    let _root = kiln_dsl::yaml::parse(&file, &limits).unwrap();
    let t1 = t.elapsed();
    let t = Instant::now();
    let (model, _) = kiln_dsl::parse(&file, &limits);
    let t2 = t.elapsed();
    let t = Instant::now();
    let _ = kiln_dsl::check::check(model.as_ref().unwrap(), &file);
    println!(
        "yaml {:?} parse+decode {:?} check {:?}",
        t1,
        t2,
        t.elapsed()
    );
}
