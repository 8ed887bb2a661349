//! Benchmark (not a test): parse + check, then lowering, of a generated build file with
//! 1,000 stages and 10,000 steps; prints times, Definition sizes and peak memory, with
//! ratios to the targets (parse + check under 100 ms and 100 MB; lowering under 50 ms; and
//! issue 13's tighter ones, parse + check under 20 ms and lowering under 30 ms).
//! Run with `scripts/bench.sh` (release build).

/// The allocator of the kiln binaries (cli, frontend), so the figures are theirs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use kiln_lowering::{LowerOptions, lower};
use prost::Message;
use std::time::{Duration, Instant};

const STAGES: usize = 1_000;
const STEPS_PER_STAGE: usize = 10;
/// Runs per measurement; `KILN_BENCH_RUNS` lowers it (1 for a profiler such as callgrind).
fn runs() -> usize {
    std::env::var("KILN_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(15)
}

/// Peak resident memory of this process so far, from the kernel (VmHWM).
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn median(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(times[0]), ms(times[times.len() / 2]))
}

fn main() {
    let text = kiln_dsl::bench::generate(STAGES, STEPS_PER_STAGE);
    let steps = text.matches("\n      - ").count();
    let limits = kiln_dsl::Limits::default();
    let before = peak_rss_mib();

    let mut check_times = Vec::new();
    let mut checked = None;
    for _ in 0..runs() {
        let start = Instant::now();
        let result = kiln_dsl::check_bytes("bench.kiln.yaml", text.as_bytes(), &limits);
        check_times.push(start.elapsed());
        assert!(
            !result.has_errors(),
            "the generated file must check clean: {:?}",
            result.diagnostics.first()
        );
        checked = Some(result);
    }
    let peak_check = peak_rss_mib();
    let checked = checked.expect("at least one run");
    let model = checked.model.as_ref().expect("a model");
    let targets: Vec<String> = model.targets.keys().map(|k| k.value.clone()).collect();

    let (lower_times, sizes, ops) = lower_each(model, &checked.file, &targets);
    // The last target needs every stage: the whole file lowered once.
    let whole = targets.last().expect("targets").clone();
    let mut whole_times = Vec::new();
    let mut whole_size = 0;
    for _ in 0..runs() {
        let start = Instant::now();
        let options = LowerOptions {
            target: Some(whole.clone()),
            ..Default::default()
        };
        let lowered = lower(model, &checked.file, &options).expect("lowers");
        whole_times.push(start.elapsed());
        whole_size = lowered.definition.encoded_len();
    }
    let (whole_min, whole_median) = median(whole_times);
    let (check_min, check_median) = median(check_times);
    let (lower_min, lower_median) = median(lower_times);
    let total_kib: f64 = sizes.iter().sum::<usize>() as f64 / 1024.0;
    let largest_kib = *sizes.iter().max().unwrap_or(&0) as f64 / 1024.0;
    println!(
        "file:          {STAGES} stages, {steps} steps, {:.1} KiB, {} targets",
        text.len() as f64 / 1024.0,
        targets.len()
    );
    println!(
        "parse+check:   min {check_min:.1} ms, median {check_median:.1} ms ({} runs)",
        runs()
    );
    println!(
        "lowering:      min {whole_min:.1} ms, median {whole_median:.1} ms for target {whole} (all {STAGES} stages), {:.1} KiB",
        whole_size as f64 / 1024.0
    );
    println!(
        "               min {lower_min:.1} ms, median {lower_median:.1} ms for all {} targets one by one ({ops} ops)",
        targets.len()
    );
    println!(
        "definitions:   {total_kib:.1} KiB in all, largest {largest_kib:.1} KiB (limit per SolveRequest on BuildKit v0.8: 4096 KiB)"
    );
    println!(
        "peak memory:   {peak_check:.1} MiB after parsing, {:.1} MiB after lowering ({before:.1} MiB before)",
        peak_rss_mib()
    );
    hcl_twin(model, &checked.file, &whole, check_median);
    println!(
        "vs targets:    parse+check {:.2}x of 100 ms, memory {:.2}x of 100 MB, lowering {:.2}x of 50 ms",
        check_median / 100.0,
        peak_check * 1.048_576 / 100.0,
        whole_median / 50.0
    );
    issue_13((check_min, whole_min));
}

/// The ratios to issue 13's targets, of the fastest runs (a busy machine only adds time).
fn issue_13((check_min, whole_min): (f64, f64)) {
    println!(
        "issue 13:      parse+check {:.2}x of 20 ms, lowering {:.2}x of 30 ms (fastest runs)",
        check_min / 20.0,
        whole_min / 30.0
    );
}

/// The same file in HCL: parse + evaluate + check, and the same LLB as the YAML `model`.
fn hcl_twin(
    model: &kiln_dsl::BuildFile,
    file: &kiln_dsl::SourceFile,
    whole: &str,
    check_median: f64,
) {
    let limits = kiln_dsl::Limits::default();
    // The same file in HCL: parse + evaluate + check, and the same LLB.
    let hcl = kiln_dsl::bench::generate_hcl(STAGES, STEPS_PER_STAGE);
    let mut hcl_times = Vec::new();
    let mut hcl_checked = None;
    for _ in 0..runs() {
        let start = Instant::now();
        let result = kiln_dsl::check_bytes("bench.kiln.hcl", hcl.as_bytes(), &limits);
        hcl_times.push(start.elapsed());
        assert!(
            !result.has_errors(),
            "the HCL twin must check clean: {:?}",
            result.diagnostics.first()
        );
        hcl_checked = Some(result);
    }
    let hcl_checked = hcl_checked.expect("at least one run");
    let hcl_model = hcl_checked.model.as_ref().expect("a model");
    let options = LowerOptions {
        target: Some(whole.to_string()),
        attach_source: false,
        ..Default::default()
    };
    let from_yaml = lower(model, file, &options).expect("lowers");
    let from_hcl = lower(hcl_model, &hcl_checked.file, &options).expect("lowers");
    let same = from_yaml.definition.encode_to_vec() == from_hcl.definition.encode_to_vec();
    let (hcl_min, hcl_median) = median(hcl_times);
    println!(
        "HCL twin:      {:.1} KiB; parse+eval+check min {hcl_min:.1} ms, median {hcl_median:.1} ms ({:.2}x YAML); same LLB as YAML: {same}",
        hcl.len() as f64 / 1024.0,
        hcl_median / check_median
    );
}

/// Every target lowered one by one, `RUNS` times: the times, the Definition sizes and ops
/// of the last run.
fn lower_each(
    model: &kiln_dsl::BuildFile,
    file: &kiln_dsl::SourceFile,
    targets: &[String],
) -> (Vec<Duration>, Vec<usize>, usize) {
    let mut lower_times = Vec::new();
    let mut sizes = Vec::new();
    let mut ops = 0;
    for _ in 0..runs() {
        let start = Instant::now();
        sizes.clear();
        ops = 0;
        for target in targets {
            let options = LowerOptions {
                target: Some(target.clone()),
                ..Default::default()
            };
            let lowered = lower(model, file, &options).expect("lowers");
            ops += lowered.definition.def.len();
            sizes.push(lowered.definition.encoded_len());
        }
        lower_times.push(start.elapsed());
    }
    (lower_times, sizes, ops)
}
