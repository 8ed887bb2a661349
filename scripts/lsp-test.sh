#!/usr/bin/env bash
# The language server end to end, against the built kiln binary: the pytest-lsp harness
# (pygls client over stdio, YAML and HCL, every feature at exact positions) and Neovim's
# built-in client, headless (the diagnostics it shows). Installs Debian's neovim when it is
# missing (root), and pytest-lsp into target/pyenv when scripts/test.sh has not.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}

if ! command -v nvim >/dev/null; then
  echo "installing neovim (Debian package; log: target/neovim-apt.log)"
  mkdir -p target
  log=target/neovim-apt.log
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim >"$log" 2>&1 \
    || { apt-get update -qq >>"$log" 2>&1 \
         && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim >>"$log" 2>&1; } \
    || { cat "$log" >&2; echo "apt-get install neovim failed" >&2; exit 1; }
fi
# The Lua script uses vim.lsp.start_client and vim.diagnostic (Neovim 0.6 and later).
has_lsp=$(nvim --headless -u NONE -i NONE -n \
  -c 'lua io.stdout:write(tostring(vim.lsp ~= nil and vim.diagnostic ~= nil))' -c 'qall!' 2>&1)
[ "$has_lsp" = true ] || { echo "nvim $(nvim --version | head -1) has no vim.lsp/vim.diagnostic" >&2; exit 1; }

# The venv scripts/test.sh made; without the venv module, a directory on PYTHONPATH (as there).
python=target/pyenv/bin/python
pip_target=()
if [ ! -x "$python" ] && ! python3 -m venv target/pyenv >/dev/null 2>&1; then
  python=python3
  export PYTHONPATH=$PWD/target/pylib
  pip_target=(--target target/pylib)
fi
if ! "$python" -c 'import pytest_lsp' 2>/dev/null; then
  "$python" -m pip install --quiet --disable-pip-version-check ${pip_target[@]+"${pip_target[@]}"} \
    "pytest-lsp>=1.0,<2"
fi

target_dir=${CARGO_TARGET_DIR:-target}
cargo build --quiet -p kiln-cli
KILN=$(realpath "$target_dir/debug/kiln") "$python" -m pytest -q -p no:cacheprovider lsp/tests/python
