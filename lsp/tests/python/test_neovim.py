"""Neovim's built-in LSP client (headless) against kiln lsp: the diagnostics it shows.
Neovim turns the protocol's UTF-16 columns into byte columns itself, so a line with
multi-byte text before the error checks the server's conversion through a second client.
Needs `nvim` (scripts/lsp-test.sh installs it); a missing nvim fails, it does not skip."""

import json
import os
import shutil
import subprocess

from conftest import FIXTURES, KILN, ROOT

SCRIPT = ROOT / "lsp" / "tests" / "nvim" / "diagnostics.lua"


def nvim_diagnostics(tmp_path, name, text):
    nvim = shutil.which("nvim")
    assert nvim, "nvim is not installed (scripts/lsp-test.sh installs Debian's neovim)"
    file = tmp_path / name
    file.write_text(text)
    out = tmp_path / "diagnostics.json"
    env = dict(os.environ, KILN=KILN, KILN_FILE=str(file), KILN_OUT=str(out))
    command = [nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", f"luafile {SCRIPT}"]
    subprocess.run(command, env=env, timeout=60, check=True, capture_output=True)
    result = json.loads(out.read_text())
    assert result["arrived"], result
    return result["diagnostics"]


def test_yaml_diagnostics_in_neovim(tmp_path):
    yaml = (FIXTURES / "app.kiln.yaml").read_text()
    text = yaml.replace("{ from: build, src: /out/app,", '{ src: "/é😀", from: biuld,')
    diagnostics = nvim_diagnostics(tmp_path, "app.kiln.yaml", text)
    line = text.count("\n", 0, text.index("biuld"))
    prefix = '      - copy: { src: "/é😀", from: '
    col = len(prefix.encode("utf-8"))  # Neovim counts bytes
    assert [(d["code"], d["line"], d["col"], d["end_col"]) for d in diagnostics] == [
        ("kiln::unused-arg", 3, 2, 8),
        ("kiln::unknown-stage", line, col, col + 5),
    ]
    assert diagnostics[1]["severity"] == 1  # vim.diagnostic.severity.ERROR
    assert diagnostics[1]["message"].startswith("unknown stage `biuld`")
    assert diagnostics[0]["severity"] == 2 and diagnostics[0]["source"] == "kiln"


def test_hcl_diagnostics_in_neovim(tmp_path):
    hcl = (FIXTURES / "app.kiln.hcl").read_text().replace('stage = "app"', 'stage = "ap"')
    diagnostics = nvim_diagnostics(tmp_path, "app.kiln.hcl", hcl)
    line = hcl.count("\n", 0, hcl.index('"ap"'))
    assert [(d["code"], d["line"], d["col"], d["end_col"]) for d in diagnostics] == [
        ("kiln::unknown-stage", line, 10, 14),
    ]
    assert "did you mean `app`?" in diagnostics[0]["message"]
