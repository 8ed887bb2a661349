#!/usr/bin/env bash
# Coverage-guided fuzzing of kiln (cargo-fuzz on the nightly toolchain; fuzz/ has the
# targets). Each target runs for FUZZ_SECONDS (default 300) on one core, from a corpus seeded
# with the examples, the bad-file corpus and the conformance corpora, with a dictionary of
# every key of the JSON Schema; limits: 1 s per input, 256 MB of memory. A crash, timeout or
# out-of-memory input is saved under fuzz/artifacts/TARGET/ and fails the run: turn it into
# a regression file of the corpus it belongs to (see docs/testbed.md, "Fuzzing").
#   scripts/fuzz.sh [TARGET...]          FUZZ_SECONDS=60 scripts/fuzz.sh yaml
# Long campaigns trade checks for volume: FUZZ_SANITIZER=none drops AddressSanitizer (kiln is
# safe Rust: panics, timeouts and memory stay caught), FUZZ_MAX_LEN caps inputs (default 65536),
# and FUZZ_RUNS=N ends a target after N executions (whichever of time and runs comes first):
#   FUZZ_SANITIZER=none FUZZ_MAX_LEN=4096 FUZZ_RUNS=10000000 FUZZ_SECONDS=36000 scripts/fuzz.sh plan
# Prints per target: executions, executions per second, corpus size, coverage, RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${FUZZ_SECONDS:-300}
SANITIZER=${FUZZ_SANITIZER:-address}
MAX_LEN=${FUZZ_MAX_LEN:-65536}
RUNS=${FUZZ_RUNS:--1}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(yaml yaml_fast hcl plan frontend_request dockerignore)

# cargo-fuzz and the instrumented build live in the bench's state directory when there is
# one (CI keeps it between runs), else under fuzz/.
state=${KILN_TESTBED_STATE:-}
[ -d "$state" ] || state=$PWD/fuzz
export PATH=$state/cargo-fuzz/bin:$PATH
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz (crates.io) into $state/cargo-fuzz"
  cargo install --quiet --locked --root "$state/cargo-fuzz" cargo-fuzz
fi
fuzz_target_dir=$state/fuzz-target
[ "$SANITIZER" = address ] || fuzz_target_dir+=-$SANITIZER

work=fuzz/work
mkdir -p "$work"
# The dictionary: every property name of the schema, plus the syntax kiln gives meaning to.
cargo run --quiet -p kiln-cli -- schema | python3 -c '
import json, sys
keys = set()
def walk(node):
    if isinstance(node, dict):
        for k, v in node.get("properties", {}).items():
            keys.add(k)
        for v in node.values():
            walk(v)
    elif isinstance(node, list):
        for v in node:
            walk(v)
walk(json.load(sys.stdin))
extra = ["${", "}", "$${", ":-", "version: 1", "scratch", "---", "&a", "*a", "<<", "|", ">",
         "{", "[", "\\n", "\\t", "= ", "variable", "target", "group", "stage", "function",
         "matrix", "for", "in", "if", "%", "/", "null", "true", "false", "${FOO}", "**", "!"]
for k in sorted(keys) + extra:
    print(json.dumps(k))
' >"$work/kiln.dict"

seed() { # seed TARGET: the initial corpus of a target
  local dir=$work/corpus/$1
  mkdir -p "$dir"
  case $1 in
    yaml | yaml_fast) cp examples/*.yaml examples/demo/*.yaml tests/corpus/bad/*.kiln.yaml "$dir"/ ;;
    hcl) cp examples/*.hcl examples/demo/*.hcl "$dir"/ ;;
    plan | frontend_request)
      for f in examples/*.yaml examples/*.hcl; do
        local head="BUILDKIT_FRONTEND_OPT_0=target=app"
        [ "$1" = plan ] && head="VERSION=2"
        local body
        body=$(cat "$f")
        [[ $f == *.hcl && $1 = plan ]] && body="#hcl"$'\n'"$body"
        printf '%s\0%s' "$head" "$body" >"$dir/$(basename "$f")"
      done ;;
    dockerignore) printf '*.log\n!keep.log\nbuild/\n**/node_modules\0a.log\nkeep.log\nx/node_modules/y\n' >"$dir/basic" ;;
  esac
  # The conformance corpora and regression inputs, where there are some for the target.
  for extra in "fuzz/regressions/$1" tests/conformance/*/; do
    [ -d "$extra" ] || continue
    find "$extra" -type f \( -name '*.yaml' -o -name '*.hcl' -o -path "fuzz/regressions/*" \) \
      -size -64k -exec cp {} "$dir"/ \; 2>/dev/null || true
  done
}

status=0
printf '%-18s %12s %10s %8s %8s %8s %s\n' target executions "exec/s" corpus cov "rss MB" result
for target in "${targets[@]}"; do
  seed "$target"
  log=$work/$target.log
  mkdir -p "fuzz/artifacts/$target"
  if (cd fuzz && cargo +nightly fuzz run --sanitizer "$SANITIZER" --target-dir "$fuzz_target_dir" --jobs 1 "$target" "work/corpus/$target" -- \
      -dict=work/kiln.dict -max_total_time="$SECONDS_PER_TARGET" -timeout=1 -rss_limit_mb=256 \
      -max_len="$MAX_LEN" -runs="$RUNS" -print_final_stats=1 >"../$log" 2>&1); then
    result=ok
  else
    result="FOUND (see $log, fuzz/artifacts/$target/)"
    status=1
  fi
  # A target that did not build or run has no figures: its line says so (`?`), and the
  # run goes on to the next target (the status is already set).
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  corpus=$(find "$work/corpus/$target" -type f | wc -l)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || true)
  printf '%-18s %12s %10s %8s %8s %8s %s\n' "$target" "${runs:-?}" "${rate:-?}" "$corpus" \
    "${cov:-?}" "${rss:-?}" "$result"
done
exit "$status"
