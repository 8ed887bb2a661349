//! The resolver and the answers built on it, on the same file in YAML and in HCL.

use crate::document::Document;
use crate::hover::hover;
use crate::schema_docs::SchemaDocs;
use crate::tree::{Found, Kind, Seg};

const YAML: &str = include_str!("../tests/fixtures/app.kiln.yaml");
const HCL: &str = include_str!("../tests/fixtures/app.kiln.hcl");

/// The byte offset of the `nth` (0-based) occurrence of `needle`, plus `into` bytes.
fn at(text: &str, needle: &str, nth: usize, into: usize) -> usize {
    let (offset, _) = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("no {nth}th {needle:?}"));
    offset + into
}

fn name_at(doc: &Document, offset: usize) -> (Kind, String, bool) {
    match doc.index.at(offset) {
        Some(Found::Name(n)) => (n.kind, n.name.clone(), n.definition),
        other => panic!("no name at {offset}: {other:?}"),
    }
}

#[test]
fn yaml_names_resolve_to_their_definitions() {
    let doc = Document::analyse("app.kiln.yaml", YAML);
    // `from: base` in a bind mount, `copy.from: build`, a target's `stage: app`.
    let base_use = at(YAML, "from: base", 0, "from: ".len() + 2);
    assert_eq!(name_at(&doc, base_use), (Kind::Stage, "base".into(), false));
    let build_use = at(YAML, "from: build", 0, "from: ".len());
    assert_eq!(
        name_at(&doc, build_use),
        (Kind::Stage, "build".into(), false)
    );
    let member = at(YAML, "tools]", 0, 1);
    assert_eq!(name_at(&doc, member), (Kind::Target, "tools".into(), false));
    let arg = at(YAML, "${VERSION}", 1, 3);
    assert_eq!(name_at(&doc, arg), (Kind::Arg, "VERSION".into(), false));

    let definition = doc.index.definition(Kind::Stage, "build").unwrap();
    assert_eq!(&YAML[definition.span.start..definition.span.end()], "build");
    assert_eq!(definition.span.start, at(YAML, "  build:", 0, 2));
    // An image is no stage: nothing is there.
    let image = at(YAML, "debian", 0, 0);
    assert!(doc.index.at(image).is_none());
}

#[test]
fn yaml_references_include_every_use() {
    let doc = Document::analyse("app.kiln.yaml", YAML);
    let version = doc.index.definition(Kind::Arg, "VERSION").unwrap();
    let uses: Vec<usize> = doc
        .index
        .occurrences(version)
        .map(|n| n.span.start)
        .collect();
    let expected = vec![
        at(YAML, "VERSION:", 0, 0),
        at(YAML, "${VERSION}", 0, 2),
        at(YAML, "${VERSION}", 1, 2),
        at(YAML, "{ VERSION", 0, 2), // a target's args set it
    ];
    assert_eq!(uses, expected);
}

#[test]
fn hcl_names_point_inside_the_quotes() {
    let doc = Document::analyse("app.kiln.hcl", HCL);
    assert!(doc.diagnostics.is_empty(), "{:?}", doc.diagnostics);
    let stage = doc.index.definition(Kind::Stage, "build").unwrap();
    assert_eq!(stage.span.start, at(HCL, "stage \"build\"", 0, 7));
    assert_eq!(stage.span.len, 5);
    let copy_from = at(HCL, "from = \"build\"", 0, 8);
    assert_eq!(
        name_at(&doc, copy_from),
        (Kind::Stage, "build".into(), false)
    );
    let variable = at(HCL, "\"VERSION\"", 0, 1);
    assert_eq!(name_at(&doc, variable), (Kind::Arg, "VERSION".into(), true));
    let member = at(HCL, "[\"app\"]", 0, 2);
    assert_eq!(name_at(&doc, member), (Kind::Target, "app".into(), false));
    let arg = at(HCL, "${VERSION}", 1, 2);
    assert_eq!(name_at(&doc, arg), (Kind::Arg, "VERSION".into(), false));
}

#[test]
fn keys_have_their_model_path_in_both_syntaxes() {
    for (name, text, needle) in [
        ("app.kiln.yaml", YAML, "from: build"),
        ("app.kiln.hcl", HCL, "from = \"build\""),
    ] {
        let doc = Document::analyse(name, text);
        let Some(Found::Key(key)) = doc.index.at(at(text, needle, 0, 1)) else {
            panic!("no key at {needle} in {name}");
        };
        let path: Vec<String> = key
            .path
            .iter()
            .map(|s| match s {
                Seg::Key(k) => k.clone(),
                Seg::Index => "#".into(),
            })
            .collect();
        assert_eq!(
            path,
            ["stages", "app", "steps", "#", "copy", "from"],
            "{name}"
        );
    }
}

#[test]
fn hover_shows_schema_docs_and_what_names_resolve_to() {
    let docs = SchemaDocs::new();
    let doc = Document::analyse("app.kiln.yaml", YAML);
    let (text, _) = hover(&doc, &docs, at(YAML, "mounts:", 0, 2)).unwrap();
    assert!(text.starts_with("**mounts**\n\nMounts available"), "{text}");
    let (text, span) = hover(&doc, &docs, at(YAML, "stage: build", 0, 8)).unwrap();
    assert!(text.contains("**stage `build`**"), "{text}");
    assert!(text.contains("Compiles the app"), "{text}");
    assert!(
        text.contains("from `localhost:5000/debian:bookworm`"),
        "{text}"
    );
    assert_eq!(span.start, at(YAML, "stage: build", 0, 7));
    let (text, _) = hover(&doc, &docs, at(YAML, "${VERSION}", 0, 4)).unwrap();
    assert!(
        text.contains("**arg `VERSION`**\n\ndefault `1.0`"),
        "{text}"
    );
    let (text, _) = hover(&doc, &docs, at(YAML, "${TARGETARCH}", 0, 2)).unwrap();
    assert!(
        text.starts_with("**arg `TARGETARCH`**\n\nplatform arg: set by BuildKit"),
        "{text}"
    );

    let doc = Document::analyse("app.kiln.hcl", HCL);
    let (text, _) = hover(&doc, &docs, at(HCL, "tags", 0, 1)).unwrap();
    assert_eq!(text, "**tags**\n\nImage names to tag the result with.");
    let (text, span) = hover(&doc, &docs, at(HCL, "cmd =", 0, 1)).unwrap();
    assert!(
        text.starts_with("**cmd**\n\nThe command: a string runs"),
        "{text}"
    );
    assert_eq!((span.start, span.len), (at(HCL, "cmd =", 0, 0), 3));
    let (text, _) = hover(&doc, &docs, at(HCL, "default =", 0, 0)).unwrap();
    assert_eq!(
        text,
        "**default**\n\nThe value used when nothing overrides it."
    );
    let (text, _) = hover(&doc, &docs, at(HCL, "copy {", 0, 1)).unwrap();
    assert_eq!(text, "**copy**\n\nWhat to copy and where.");
    let (text, _) = hover(&doc, &docs, at(HCL, "[\"app\"]", 0, 3)).unwrap();
    assert!(text.contains("**target `app`**\n\nstage `app`"), "{text}");
}

#[test]
fn diagnostics_are_those_of_kiln_check() {
    let broken = YAML.replace("    from: base\n    steps", "    from: bsae\n    steps");
    let doc = Document::analyse("app.kiln.yaml", &broken);
    let checked = kiln_dsl::check_bytes("app.kiln.yaml", broken.as_bytes(), &Default::default());
    assert_eq!(doc.diagnostics, checked.diagnostics);
    let codes: Vec<&str> = doc.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert!(codes.contains(&"kiln::unknown-stage"), "{codes:?}");
    assert!(codes.contains(&"kiln::unused-arg"), "{codes:?}");
}

#[test]
fn interpolations_are_found_in_the_source_text() {
    let text = r#"run: "a ${A} $${B} ${C:-x} ${ } $D ${E_1}""#;
    let names: Vec<(String, &str)> =
        crate::tree::interpolated_names(text, kiln_dsl::Span::new(0, text.len()))
            .into_iter()
            .map(|(name, span)| (name, &text[span.start..span.end()]))
            .collect();
    let expected = [("A", "A"), ("C", "C"), ("E_1", "E_1")];
    let expected: Vec<(String, &str)> = expected.iter().map(|(n, s)| (n.to_string(), *s)).collect();
    assert_eq!(names, expected);
}

/// Every answer at every position of whole, cut and edited files: none panics (a panic
/// would be caught, but the editor would get no answer), and every range is inside the text.
#[test]
fn no_position_breaks_an_answer() {
    let docs = SchemaDocs::new();
    let names = Document::analyse("app.kiln.yaml", YAML).index;
    let texts = [
        ("app.kiln.yaml", YAML.to_string()),
        ("app.kiln.hcl", HCL.to_string()),
        ("cut.kiln.yaml", YAML[..YAML.len() / 2].to_string()),
        ("cut.kiln.hcl", HCL[..HCL.len() / 2].to_string()),
        (
            "wide.kiln.yaml",
            YAML.replace("build", "bü😀ld").replace("VERSION", "VÉR"),
        ),
        (
            "tabs.kiln.yaml",
            YAML.replace("build", "bü😀ld").replace("  ", "\t"),
        ),
        (
            "odd.kiln.hcl",
            HCL.replace('{', "{ \"${").replace("app", "ä"),
        ),
    ];
    for (name, text) in &texts {
        let doc = Document::analyse(name, text);
        let lines = &doc.lines;
        for d in crate::convert::diagnostics(&"file:///x".parse().unwrap(), &doc) {
            assert!(
                lines.offset(text, d.range.end) <= text.len(),
                "{name}: {d:?}"
            );
        }
        for offset in (0..=text.len()).filter(|o| text.is_char_boundary(*o)) {
            if let Some((_, span)) = hover(&doc, &docs, offset) {
                assert!(span.end() <= text.len(), "{name} at {offset}");
            }
            crate::complete::complete(&doc, &names, &docs, offset);
            let position = lines.position(text, offset);
            assert_eq!(lines.offset(text, position), offset, "{name} at {offset}");
        }
        crate::convert::symbols(&doc);
    }
}
