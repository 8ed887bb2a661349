//! The fast path against the full parser (see fast.rs).

use crate::yaml::fast_path_agrees;
use std::path::{Path, PathBuf};

/// Every YAML file of the repository: examples, the bad-file corpus, the conformance
/// corpora, the docs' snippets' folders.
fn repository_yaml() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut found = Vec::new();
    let mut dirs = vec![root.join("examples"), root.join("tests")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                found.push(path);
            }
        }
    }
    found
}

fn agrees(text: &str) -> bool {
    match fast_path_agrees(text) {
        Ok(read) => read,
        Err(difference) => panic!("the fast path differs on {text:?}:\n{difference}"),
    }
}

#[test]
fn the_fast_path_reads_the_repository_files_as_the_full_parser_does() {
    let files = repository_yaml();
    assert!(files.len() > 100, "found only {} YAML files", files.len());
    let mut read = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        read += usize::from(agrees(&text));
    }
    // Most build files are plain block YAML: the fast path must be the common case.
    assert!(
        read * 2 > files.len(),
        "the fast path read {read} of {}",
        files.len()
    );
}

/// A cheap differential fuzz that runs in every `cargo test`: each repository file with
/// one byte removed, or a YAML-meaningful byte inserted, at many places.
#[test]
fn the_fast_path_agrees_on_mutated_files() {
    let inserts = [
        " ", "\n", ":", "-", "#", "\"", "'", "|", "[", "{", ",", "  ", "- ",
    ];
    let mut checked = 0;
    for path in &repository_yaml() {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let places: Vec<usize> = (0..text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        for (n, &at) in places.iter().enumerate().step_by(3) {
            let mut removed = text.clone();
            if at < text.len() {
                removed.remove(at);
                agrees(&removed);
            }
            let mut inserted = text.clone();
            inserted.insert_str(at, inserts[n % inserts.len()]);
            agrees(&inserted);
            checked += 2;
        }
    }
    assert!(checked > 5_000, "only {checked} variants");
}

#[test]
fn the_bench_file_takes_the_fast_path() {
    assert!(agrees(&crate::bench::generate(30, 10)));
}

#[test]
fn spans_and_values_match_on_the_tricky_shapes() {
    let cases = [
        "# c\nversion: 1\nempty:\nargs:\n  A: \"x\\ty\"   # c\n  B: 'it''s'\n  C: plain value here\n",
        "list:\n- a\n- b: 1\n  c:\n- \n-   d\nafter: 1\n",
        "a:   # comment\n  - \n  - x  \n  -\nb:\n- y\n\"q k\": v\n",
        "map:\n  lit: |\n    line1\n\n    line2\n  keep: |+\n    k\n\n  strip: |-\n    s\n  z: 1\n",
        "c: |\n  one\n# top\n\nd: |\n    two\n  # indented comment\ne: ~\n",
        "a: |\n  x\n\n\nb: 1\n",
        "- - a\n- b\n",
        "l:\n  - a\nm:\n- \n- b\nn:\n-\n  - c\n",
        "f: {a: 1, b: [x, \"y\", 'z'], c: {}}\ng: []\n",
        "h: [a: b]\n",
        "u: \"\\u00e9\\x41\\U0001F600\\N\\_\"\nw: wé ☕\n",
        "k: a:b\nurl: http://x:80/y # c\nn: -1\nf: .nan\n",
        "x: 1\n  y: 2\n",
        "a: b: c\n",
        "a: \"open\n  close\"\n",
        "? a\n: b\n",
        "a: &x 1\nb: *x\n",
        "a: - b\n",
        "- a\nb: 1\n",
        "a:\n  b\n",
        "s: |1\n  x\n",
        "s: |\n\n   \n  x\n",
        "s: |\n  x\n   \n",
    ];
    let read: Vec<bool> = cases.iter().map(|case| agrees(case)).collect();
    // The first nine are the shapes build files are made of: the fast path reads them.
    assert_eq!(read[..9], [true; 9], "read: {read:?}");
    assert_eq!(read[9..12], [false, true, true], "read: {read:?}");
    // The rest are broken documents (whose errors only the full parser writes) and shapes
    // left to it on purpose: multi-line scalars, explicit keys, anchors, indentation
    // indicators, block scalars with leading or trailing blank lines. If the fast path
    // learns one of them, move it up, deliberately.
    assert!(read[12..].iter().all(|&r| !r), "read: {read:?}");
}
