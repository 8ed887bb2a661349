#!/usr/bin/env bash
# Run every test of kiln: unit, corpus, CLI, JSON Schema validation with an independent
# validator, and the end-to-end tests on the real BuildKit engines of the test bench.
# Needs root on a fresh machine (the bench installs Debian packages and starts daemons).
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }

step "test bench: BuildKit engines, registry, base images (scripts/testbed.sh up)"
scripts/testbed.sh up

step "the kiln frontend image from this code (scripts/frontend-image.sh)"
scripts/frontend-image.sh

step "Python tools for schema validation (jsonschema, PyYAML) and the LSP tests (pytest-lsp) in target/pyenv"
# A virtualenv keeps them out of the system Python; without the venv module, a plain
# directory on PYTHONPATH does the same.
python=target/pyenv/bin/python
if [ ! -x "$python" ] && ! python3 -m venv target/pyenv >/dev/null 2>&1; then
  python=python3
  export PYTHONPATH=$PWD/target/pylib
  pip_target=(--target target/pylib)
fi
"$python" -m pip install --quiet --disable-pip-version-check ${pip_target[@]+"${pip_target[@]}"} \
  "jsonschema>=4.20" "PyYAML>=6" "pytest-lsp>=1.0,<2"

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --all-features --quiet -- -D warnings

step "size limits: no function over 80 lines (clippy.toml), no source file over 600 lines"
# Tests are held to the file limit only: a test reads best as one story.
cargo clippy --workspace --all-features --quiet -- -D clippy::too_many_lines
long=$(git ls-files '*.rs' | xargs wc -l | awk '$2 != "total" && $1 > 600 {print "  " $2 ": " $1 " lines"}')
if [ -n "$long" ]; then
  printf 'source files over 600 lines (split them by theme):\n%s\n' "$long" >&2
  exit 1
fi

step "cargo test: unit, corpus and CLI tests, then the daemon tier (end to end on every engine)"
eval "$(scripts/testbed.sh env)"
cargo test --workspace --features kiln-testbed/daemon-tests,kiln-cli/daemon-tests

step "concurrency: e2e tests twice at once on the same daemons (scripts/concurrency.sh)"
scripts/concurrency.sh

step "fuzz smoke: each fuzz target for 15 s (scripts/fuzz.sh; longer runs: FUZZ_SECONDS=300)"
FUZZ_SECONDS=15 scripts/fuzz.sh

step "JSON Schema: examples valid, known-bad files rejected"
"$python" scripts/validate-schema.py

step "language server: pytest-lsp and Neovim's client against kiln lsp (scripts/lsp-test.sh)"
scripts/lsp-test.sh

step "all tests passed"
