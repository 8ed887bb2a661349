#!/usr/bin/env bash
# Benchmarks: prints figures and ratios to the targets; never fails on speed.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== parse + check + lowering of a generated 1,000-stage / 10,000-step file (release build)"
cargo run --quiet --release -p kiln-lowering --example bench

echo
echo "== how check and lowering grow: 1k/10k/100k stages, chains, the 8 MiB file (release build)"
cargo run --quiet --release -p kiln-lowering --example scaling

echo
echo "== the frontend on real BuildKit (cached rebuilds of examples/demo vs its Dockerfile twin)"
if scripts/testbed.sh status >/dev/null 2>&1; then
  scripts/frontend-image.sh
  scripts/bench-frontend.sh
else
  echo "the test bench is not up: run scripts/testbed.sh up (as root) for this part"
fi
