"""kiln lsp end to end: YAML and HCL files opened and edited, every feature asked at exact
positions. Positions are computed here in UTF-16 code units, as the protocol counts them."""

import pathlib

from conftest import FIXTURES
from lsprotocol import types
from pytest_lsp import LanguageClient

YAML = (FIXTURES / "app.kiln.yaml").read_text()
HCL = (FIXTURES / "app.kiln.hcl").read_text()


def pos(text, needle, nth=0, into=0):
    """The position of the nth occurrence of needle in text, plus `into` characters."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    offset += into
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return types.Position(line=line, character=len(text[start:offset].encode("utf-16-le")) // 2)


def span(text, needle, nth=0, into=0, length=None):
    start = pos(text, needle, nth, into)
    length = len(needle) - into if length is None else length
    return types.Range(start=start, end=types.Position(start.line, start.character + length))


def uri_of(name):
    return pathlib.Path("/work/kiln-lsp-test", name).as_uri()


async def open_file(client: LanguageClient, name, text):
    uri = uri_of(name)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="kiln", version=1, text=text)
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return uri


async def change(client: LanguageClient, uri, text, version=2):
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)


def at(uri, position):
    return types.TextDocumentIdentifier(uri=uri), position


async def hover(client, uri, position):
    result = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )
    return result.contents.value if result else None


async def completion_labels(client, uri, text, position):
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )
    items = result.items if isinstance(result, types.CompletionList) else result
    return sorted(item.label for item in items)


async def definition(client, uri, position):
    return await client.text_document_definition_async(
        types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )


async def references(client, uri, position, declaration=True):
    return await client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position,
            context=types.ReferenceContext(include_declaration=declaration),
        )
    )


async def test_yaml_diagnostics_on_open_and_on_change(client: LanguageClient):
    uri = await open_file(client, "app.kiln.yaml", YAML)
    [unused] = client.diagnostics[uri]
    assert unused.code == "kiln::unused-arg"
    assert unused.severity == types.DiagnosticSeverity.Warning
    assert unused.range == span(YAML, "UNUSED")
    assert unused.source == "kiln"

    # A misspelt stage after non-ASCII text on its line: the range counts UTF-16 units.
    edited = YAML.replace("{ from: build,", '{ src: "/é😀", from: biuld,').replace(
        ", src: /out/app", ""
    )
    await change(client, uri, edited)
    codes = sorted(d.code for d in client.diagnostics[uri])
    assert codes == ["kiln::unknown-stage", "kiln::unused-arg"]
    [unknown] = [d for d in client.diagnostics[uri] if d.code == "kiln::unknown-stage"]
    assert unknown.range == span(edited, "biuld")
    assert unknown.range.start.character == len('      - copy: { src: "/é😀", from: ') + 1
    assert unknown.severity == types.DiagnosticSeverity.Error

    # A cycle: every edge is a location, the others related to the first.
    cycle = YAML.replace("from: localhost:5000/busybox:1", "from: app")
    await change(client, uri, cycle, version=3)
    cycles = [d for d in client.diagnostics[uri] if d.code == "kiln::stage-cycle"]
    assert [d.message.split(":")[1] for d in cycles] == [
        " build → base → app → build",
        " base → app → base",
    ]
    short = cycles[1]
    assert short.range == span(cycle, "from: app", into=6)
    related = [(r.location.range, r.message) for r in short.related_information]
    assert related == [(span(cycle, "from: base", 1, into=6), "`app` uses `base` here")]
    assert short.message.endswith("\nhelp: a stage cannot use itself, directly or through other stages; break the cycle")

    # Undefined ${NAME}: the semantic checks of `kiln check` run on every change.
    undefined = YAML.replace("VERSION=${VERSION}", "VERSION=${VERSON}")
    await change(client, uri, undefined, version=4)
    [typo] = [d for d in client.diagnostics[uri] if d.code == "kiln::undefined-variable"]
    assert typo.range == span(undefined, "${VERSON}")

    await change(client, uri, YAML.replace("  UNUSED: x\n", ""), version=5)
    assert list(client.diagnostics[uri]) == []


async def test_hcl_diagnostics(client: LanguageClient):
    uri = await open_file(client, "app.kiln.hcl", HCL)
    assert list(client.diagnostics[uri]) == []
    edited = HCL.replace('stage = "app"', 'stage = "ap"')
    await change(client, uri, edited)
    [unknown] = client.diagnostics[uri]
    assert unknown.code == "kiln::unknown-stage"
    assert unknown.range == span(edited, '"ap"')
    await change(client, uri, HCL.replace("${VERSION}\"\n  }", "${VERSON}\"\n  }"), version=3)
    assert [d.code for d in client.diagnostics[uri]] == ["kiln::undefined-variable"]


async def test_hover(client: LanguageClient):
    uri = await open_file(client, "app.kiln.yaml", YAML)
    text = await hover(client, uri, pos(YAML, "mounts:", into=2))
    assert text.startswith("**mounts**\n\nMounts available while the command runs")
    text = await hover(client, uri, pos(YAML, "stage: build", into=9))
    assert "**stage `build`**" in text and "Compiles the app" in text
    text = await hover(client, uri, pos(YAML, "${VERSION}", 1, into=3))
    assert text == "**arg `VERSION`**\n\ndefault `1.0`"
    assert await hover(client, uri, pos(YAML, "debian")) is None
    text = await hover(client, uri, pos(YAML, "${TARGETARCH}", into=2))
    assert text.startswith("**arg `TARGETARCH`**\n\nplatform arg")

    uri = await open_file(client, "app.kiln.hcl", HCL)
    text = await hover(client, uri, pos(HCL, "tags"))
    assert text == "**tags**\n\nImage names to tag the result with."
    text = await hover(client, uri, pos(HCL, "cmd ="))
    assert text.startswith("**cmd**\n\nThe command: a string runs with `/bin/sh -c`")
    text = await hover(client, uri, pos(HCL, 'from = "build"', into=9))
    assert text.startswith("**stage `build`**\n\nCompiles the app")


async def test_completion(client: LanguageClient):
    # A new step item: the step kinds.
    text = YAML.replace("      - run: make", "      - \n      - run: make")
    uri = await open_file(client, "app.kiln.yaml", text)
    labels = await completion_labels(client, uri, text, pos(text, "      - \n", into=8))
    assert labels == sorted(
        ["run", "copy", "download", "env", "workdir", "user", "mkdir", "symlink", "packages"]
    )
    # Keys of a stage not written yet, in a line being typed (the file does not parse).
    text = YAML.replace("    from: base\n    steps:", "    from: base\n    wor\n    steps:")
    await change(client, uri, text)
    labels = await completion_labels(client, uri, text, pos(text, "    wor\n", into=7))
    assert "workdir" in labels and "image" in labels and "stage" not in labels
    assert "from" not in labels and "steps" not in labels  # already written in this stage
    # Stage names after `from:`, args after `${`, members in a group.
    text = YAML.replace("    from: base\n    steps:", "    from: \n    steps:")
    await change(client, uri, text, version=3)
    labels = await completion_labels(client, uri, text, pos(text, "    from: \n", into=10))
    assert labels == ["app", "base", "build", "scratch"]
    labels = await completion_labels(client, uri, YAML, pos(YAML, "${VERSION}", into=2))
    assert "VERSION" in labels and "UNUSED" in labels and "TARGETARCH" in labels
    labels = await completion_labels(client, uri, YAML, pos(YAML, "tools]", into=0))
    assert labels == ["all", "app", "tools"]

    text = HCL.replace('  from = "localhost:5000/busybox:1"', '  from = ""')
    uri = await open_file(client, "app.kiln.hcl", text)
    labels = await completion_labels(client, uri, text, pos(text, 'from = ""', into=8))
    assert labels == ["app", "build", "scratch"]
    labels = await completion_labels(client, uri, text, pos(text, '    dst  = "/app"\n', into=4))
    assert "from" in labels and "chown" in labels and "cmd" not in labels
    labels = await completion_labels(client, uri, text, pos(text, '  stage = "app"', into=2))
    assert "cache-from" in labels and "inherits" in labels and "cache_from" not in labels
    labels = await completion_labels(client, uri, text, pos(text, '["app"]', into=2))
    assert labels == ["all", "app"]


async def test_definition_and_references(client: LanguageClient):
    uri = await open_file(client, "app.kiln.yaml", YAML)
    location = await definition(client, uri, pos(YAML, "from: build", into=7))
    assert location.uri == uri
    assert location.range == span(YAML, "  build:", into=2, length=5)
    location = await definition(client, uri, pos(YAML, "[app,", into=1))
    assert location.range == span(YAML, "  app:\n    stage", into=2, length=3)

    uses = await references(client, uri, pos(YAML, "VERSION:"))
    assert [u.range for u in uses] == [
        span(YAML, "VERSION:", length=7),
        span(YAML, "${VERSION}", 0, into=2, length=7),
        span(YAML, "${VERSION}", 1, into=2, length=7),
        span(YAML, "{ VERSION", into=2),  # a target's args set it
    ]
    uses = await references(client, uri, pos(YAML, "  base:", into=3), declaration=False)
    assert [u.range for u in uses] == [span(YAML, "from: base", 0, into=6), span(YAML, "from: base", 1, into=6)]

    uri = await open_file(client, "app.kiln.hcl", HCL)
    location = await definition(client, uri, pos(HCL, 'stage = "app"', into=10))
    assert location.range == span(HCL, 'stage "app"', into=7, length=3)
    uses = await references(client, uri, pos(HCL, 'stage "build"', into=8))
    assert [u.range for u in uses] == [
        span(HCL, 'stage "build"', into=7, length=5),
        span(HCL, 'from = "build"', into=8, length=5),
    ]


async def test_document_symbols(client: LanguageClient):
    for name, text in [("app.kiln.yaml", YAML), ("app.kiln.hcl", HCL)]:
        uri = await open_file(client, name, text)
        symbols = await client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        outline = {s.name: [c.name for c in s.children] for s in symbols}
        if name.endswith(".yaml"):
            assert outline == {
                "args": ["VERSION", "UNUSED"],
                "stages": ["build", "base", "app"],
                "targets": ["app", "tools"],
                "groups": ["all"],
            }
        else:
            assert outline == {
                "args": ["VERSION"],
                "stages": ["build", "app"],
                "targets": ["app"],
                "groups": ["all"],
            }
        stages = next(s for s in symbols if s.name == "stages")
        assert stages.children[0].selection_range == span(text, "build", length=5)
        assert stages.children[0].kind == types.SymbolKind.Class
