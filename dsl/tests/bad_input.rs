//! Hostile and broken input: never a panic, always a diagnostic with the right code.

use kiln_dsl::{Code, Limits, check_bytes};

fn codes(bytes: &[u8], limits: &Limits) -> Vec<Code> {
    check_bytes("input.kiln.yaml", bytes, limits)
        .diagnostics
        .iter()
        .map(|d| d.code)
        .collect()
}

#[test]
fn an_empty_file_is_reported() {
    assert_eq!(codes(b"", &Limits::default()), vec![Code::EmptyFile]);
    assert_eq!(
        codes(b"\n\n   \n", &Limits::default()),
        vec![Code::EmptyFile]
    );
}

#[test]
fn non_utf8_bytes_are_reported_at_their_line() {
    let checked = check_bytes(
        "x.yaml",
        b"version: 1\nstages:\n  app: \xff\xfe\n",
        &Limits::default(),
    );
    assert_eq!(checked.diagnostics.len(), 1);
    let d = &checked.diagnostics[0];
    assert_eq!(d.code, Code::NotUtf8);
    let at = checked.file.line_col(d.position());
    assert_eq!((at.line, at.column), (3, 8));
}

#[test]
fn a_50_megabyte_file_is_refused_by_size() {
    let big = vec![b'#'; 50 << 20];
    assert_eq!(codes(&big, &Limits::default()), vec![Code::TooLarge]);
}

#[test]
fn the_size_limit_is_configurable() {
    let text = b"version: 1\nstages:\n  app:\n    from: scratch\n";
    let tight = Limits {
        max_file_bytes: 10,
        ..Limits::default()
    };
    assert_eq!(codes(text, &tight), vec![Code::TooLarge]);
    assert_eq!(codes(text, &Limits::default()), vec![]);
}

#[test]
fn duplicate_keys_show_both_places() {
    let text = "version: 1\nstages:\n  app:\n    from: scratch\n  app:\n    from: scratch\n";
    let checked = check_bytes("x.yaml", text.as_bytes(), &Limits::default());
    let d = &checked.diagnostics[0];
    assert_eq!(d.code, Code::DuplicateKey);
    let lines: Vec<usize> = d
        .labels
        .iter()
        .map(|l| checked.file.line_col(l.span.start).line)
        .collect();
    assert_eq!(
        lines,
        vec![5, 3],
        "second occurrence first, then the original"
    );
}

#[test]
fn alias_bombs_and_deep_nesting_are_refused() {
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (prev, name) in ('a'..='i').zip('b'..='j') {
        let refs = vec![format!("*{prev}"); 10].join(", ");
        bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    assert_eq!(
        codes(bomb.as_bytes(), &Limits::default()),
        vec![Code::Limit]
    );

    let deep = format!(
        "version: 1\nx: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert_eq!(
        codes(deep.as_bytes(), &Limits::default()),
        vec![Code::Limit]
    );
    let deep_maps: String = (0..200)
        .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
        .collect();
    assert_eq!(
        codes(deep_maps.as_bytes(), &Limits::default()),
        vec![Code::Limit]
    );
}

#[test]
fn aliases_within_budget_are_allowed() {
    let text = "version: 1\nstages:\n  a:\n    from: scratch\n    env: &env { A: \"1\" }\n  b:\n    from: a\n    env: *env\n";
    assert_eq!(codes(text.as_bytes(), &Limits::default()), vec![]);
}

/// Check 2,000 copies of an example, each with 4 bytes replaced by ones from `alphabet`
/// (a deterministic xorshift picks them, continuing from `state`). None may panic.
fn mutate_and_check(example: &str, name: &str, alphabet: &[u8], state: &mut u64) {
    let path = format!("{}/../examples/{example}", env!("CARGO_MANIFEST_DIR"));
    let base = std::fs::read(path).unwrap();
    for _ in 0..2_000 {
        let mut bytes = base.clone();
        for _ in 0..4 {
            *state ^= *state << 13;
            *state ^= *state >> 7;
            *state ^= *state << 17;
            let at = (*state as usize) % bytes.len();
            bytes[at] = alphabet[(*state >> 32) as usize % alphabet.len()];
        }
        let _ = check_bytes(name, &bytes, &Limits::default());
    }
}

#[test]
fn arbitrary_bytes_never_panic() {
    // A cheap deterministic fuzz: mutate a valid file byte by byte.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let yaml = b"{}[]:-&*!|>'\"%@`#,\n\t ${x\xff";
    mutate_and_check("format-sketch.kiln.yaml", "fuzz.yaml", yaml, &mut state);
    // The same for HCL, with HCL's punctuation.
    let hcl = b"{}[]()=:,.\"'<>%$?!*+-/\n ${x\xff#";
    mutate_and_check("group.kiln.hcl", "fuzz.kiln.hcl", hcl, &mut state);
}

/// A digest of 64 decimal digits, unquoted, is a number to YAML; kiln takes it as written,
/// as a valid sha256.
#[test]
fn an_unquoted_all_digit_sha256_is_taken_as_written() {
    let digest = "1234567890".repeat(7)[..64].to_string();
    let text = format!(
        "version: 1\nstages:\n  app:\n    from: scratch\n    steps:\n      - download: {{ url: \"https://example.com/x\", dst: /x, sha256: {digest} }}\n"
    );
    let checked =
        kiln_dsl::check_bytes("f.kiln.yaml", text.as_bytes(), &kiln_dsl::Limits::default());
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
}

/// hcl-rs panics on some arithmetic (`5 % 0`, `-9223372036854775808 % -1`): kiln reports it
/// at the expression instead, and the panic stays off standard error.
#[test]
fn hcl_arithmetic_that_panics_the_evaluator_is_an_error_at_the_expression() {
    for expr in ["5 % 0", "-9223372036854775808 % -1"] {
        let text = format!(
            "version = 1\nstage \"app\" {{\n  from = \"scratch\"\n  workdir = \"/${{{expr}}}\"\n}}\n"
        );
        let checked =
            kiln_dsl::check_bytes("f.kiln.hcl", text.as_bytes(), &kiln_dsl::Limits::default());
        let error = checked.diagnostics.first().expect("an error");
        assert_eq!(error.code, kiln_dsl::Code::Eval, "{expr}: {error:?}");
        assert!(
            error.message.contains("arithmetic cannot be done"),
            "{expr}: {}",
            error.message
        );
        let at = checked.file.line_col(error.position());
        assert_eq!((at.line, at.column), (4, 17), "{expr}");
    }
}

/// A misspelt matrix value (or variable) in HCL names what was written and the name meant.
#[test]
fn an_hcl_typo_in_a_matrix_value_suggests_the_value_meant() {
    let text = "version = 1\nstage \"app\" {\n  from = \"scratch\"\n}\ntarget \"svc\" {\n  matrix = { flavor = [\"a\", \"b\"] }\n  name = \"svc-${flavr}\"\n  stage = \"app\"\n}\n";
    let checked =
        kiln_dsl::check_bytes("f.kiln.hcl", text.as_bytes(), &kiln_dsl::Limits::default());
    let error = checked.diagnostics.first().expect("an error");
    assert!(error.message.contains("`flavr`"), "{}", error.message);
    assert_eq!(error.help.as_deref(), Some("did you mean `flavor`?"));
}
