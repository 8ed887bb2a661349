"""Starts `kiln lsp` (the binary in $KILN, else target/debug/kiln) for each test, over stdio,
with pytest-lsp's client (pygls), which also checks the server's messages against the spec."""

import os
import pathlib

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

ROOT = pathlib.Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "lsp" / "tests" / "fixtures"
KILN = os.environ.get("KILN", str(ROOT / "target" / "debug" / "kiln"))


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[KILN, "lsp"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=types.ClientCapabilities())
    )
    yield
    await lsp_client.shutdown_session()
