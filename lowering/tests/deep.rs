//! Long chains of stages lower without deep recursion: every stage's dependencies are
//! lowered first, so a chain of thousands of `from:` or copies does not overflow the stack
//! (a test thread has 2 MiB; one recursion level per stage overflowed the frontend's stack
//! at about 1,000 stages).

use kiln_dsl::{Limits, SourceFile};
use kiln_lowering::{LowerOptions, lower};

/// `n` stages, each using the previous one: by `from:`, or by copying from it.
fn chain(n: usize, by_copy: bool) -> String {
    let mut text = String::from(
        "version: 1\nstages:\n  s0:\n    from: scratch\n    steps: [{ mkdir: { path: /d } }]\n",
    );
    for i in 1..n {
        let stage = if by_copy {
            format!(
                "  s{i}:\n    from: scratch\n    steps: [{{ copy: {{ from: s{}, src: /d, dst: /d }} }}]\n",
                i - 1
            )
        } else {
            format!(
                "  s{i}:\n    from: s{}\n    steps: [{{ mkdir: {{ path: /d{i} }} }}]\n",
                i - 1
            )
        };
        text.push_str(&stage);
    }
    text
}

fn lower_last(text: &str, n: usize) -> usize {
    let file = SourceFile::new("chain.kiln.yaml", text);
    let (model, diagnostics) = kiln_dsl::parse(&file, &Limits::default());
    let model = model.unwrap_or_else(|| panic!("{diagnostics:?}"));
    let options = LowerOptions {
        target: Some(format!("s{}", n - 1)),
        attach_source: false,
        ..Default::default()
    };
    let lowered = lower(&model, &file, &options).unwrap_or_else(|d| panic!("{d:?}"));
    lowered.definition.def.len()
}

#[test]
fn a_long_from_chain_lowers_without_deep_recursion() {
    // One file op per stage (the mkdirs), the first stage's from scratch, and the terminal.
    assert_eq!(lower_last(&chain(3000, false), 3000), 3001);
}

#[test]
fn a_long_copy_chain_lowers_without_deep_recursion() {
    assert_eq!(lower_last(&chain(3000, true), 3000), 3001);
}
