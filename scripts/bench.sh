#!/usr/bin/env bash
# Benchmarks: prints figures and ratios to the targets; never fails on speed.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== parse + check + lowering of a generated 1,000-stage / 10,000-step file (release build)"
cargo run --quiet --release -p kiln-lowering --example bench
