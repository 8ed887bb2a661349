#!/usr/bin/env bash
# The demo: bring the test bench up, then run kiln's main job on the bundled examples
# (check every example, print the schema, and show what a mistake looks like).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/testbed.sh up
cargo build --quiet --release -p kiln-cli
kiln=target/release/kiln

echo; echo "== kiln check examples/*.kiln.yaml"
"$kiln" check examples/*.kiln.yaml

echo; echo "== kiln schema (first lines of the JSON Schema editors use)"
"$kiln" schema | head -n 12

echo; echo "== what a mistake looks like: tests/corpus/bad/many-errors-sorted.kiln.yaml"
"$kiln" check tests/corpus/bad/many-errors-sorted.kiln.yaml || true
