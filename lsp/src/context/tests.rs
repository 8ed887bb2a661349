//! The completion context read from the text around the cursor, complete or not.

use super::{Context, context_at, yaml_written_keys};
use crate::tree::path;

/// The context at the `|` of a text (the `|` removed).
fn context(text: &str, hcl: bool) -> Context {
    let offset = text.find('|').expect("a | marks the cursor");
    context_at(&text.replace('|', ""), offset, hcl)
}

#[test]
fn yaml_keys_take_their_path_from_indentation() {
    let text = "version: 1\nstages:\n  build:\n    from: x\n    st|\n";
    let expected = Context::Key {
        path: path(&["stages", "build"]),
        new_item: false,
    };
    assert_eq!(context(text, false), expected);
    // Inside a run step's mount, under a list not indented under its key.
    let text = "stages:\n  b:\n    steps:\n    - run: x\n      mounts:\n        - cache: /c\n          |\n";
    let expected = Context::Key {
        path: path(&["stages", "b", "steps", "#", "mounts", "#"]),
        new_item: false,
    };
    assert_eq!(context(text, false), expected);
    let text = "stages:\n  b:\n    steps:\n      - run: x\n      - |\n";
    let expected = Context::Key {
        path: path(&["stages", "b", "steps", "#"]),
        new_item: true,
    };
    assert_eq!(context(text, false), expected);
    let text = "stages:\n  b:\n    steps:\n      - copy:\n          src: a\n          fr|\n";
    let expected = Context::Key {
        path: path(&["stages", "b", "steps", "#", "copy"]),
        new_item: false,
    };
    assert_eq!(context(text, false), expected);
}

#[test]
fn yaml_values_name_stages_members_and_args() {
    assert_eq!(
        context("stages:\n  a:\n    from: b|\n", false),
        Context::StageName
    );
    let flow = "stages:\n  a:\n    steps:\n      - copy: { src: x, from: |";
    assert_eq!(context(flow, false), Context::StageName);
    assert_eq!(
        context("targets:\n  t:\n    stage: |", false),
        Context::StageName
    );
    assert_eq!(context("groups:\n  all: [a, |", false), Context::Member);
    let described = "groups:\n  all:\n    description: x\n    targets: [|";
    assert_eq!(context(described, false), Context::Member);
    assert_eq!(
        context("groups:\n  all:\n    description: |", false),
        Context::None
    );
    assert_eq!(
        context("targets:\n  t:\n    tags: [|", false),
        Context::None
    );
    assert_eq!(context("groups:\n  all:\n    - |", false), Context::Member);
    assert_eq!(context("    - run: echo ${VER|", false), Context::ArgName);
    assert_eq!(context("    - run: echo ${VER} |", false), Context::None);
    assert_eq!(context("    workdir: /sr|", false), Context::None);
}

#[test]
fn hcl_blocks_give_the_path() {
    let text = "stage \"api\" {\n  from = \"x\"\n  copy {\n    src = \"${A}\"\n    |\n";
    let Context::HclKey { blocks, path: p } = context(text, true) else {
        panic!("not an HCL key");
    };
    assert_eq!(blocks, ["stage \"api\"", "copy"]);
    assert_eq!(p, path(&["stages", "api", "steps", "#", "copy"]));
    let text = "stage \"api\" {\n  run {\n    mount {\n      |";
    let Context::HclKey { path: p, .. } = context(text, true) else {
        panic!("not an HCL key");
    };
    assert_eq!(p, path(&["stages", "api", "steps", "#", "mounts", "#"]));
    let closed = "stage \"api\" {\n  from = \"x\"\n}\n|";
    assert!(matches!(context(closed, true), Context::HclKey { blocks, .. } if blocks.is_empty()));
    assert_eq!(
        context("stage \"a\" {\n  from = \"|", true),
        Context::StageName
    );
    assert_eq!(
        context("group \"g\" {\n  targets = [\"a\", \"|", true),
        Context::Member
    );
    let one_line = "group \"all\" { targets = [\"app\", \"|\"] }";
    assert_eq!(context(one_line, true), Context::Member);
}

#[test]
fn written_yaml_keys_are_those_of_the_same_map() {
    let written = |text: &str| {
        let offset = text.find('|').expect("a | marks the cursor");
        yaml_written_keys(&text.replace('|', ""), offset)
    };
    let text = "stages:\n  a:\n    from: x\n    env:\n      K: v\n    |\n    workdir: /w\n  b:\n    user: u\n";
    assert_eq!(written(text), ["env", "from", "workdir"]);
    // In a list item: its first key (on the `- ` line) and the keys under it, not the next item's.
    let text = "steps:\n  - run: x\n    network: none\n    |\n  - copy: {}\n    chown: u\n";
    assert_eq!(written(text), ["network", "run"]);
    assert!(written("steps:\n  - run: x\n  - |\n").is_empty());
}
