//! Comparing two images: every path's type, mode, owner, size and content, and the config
//! fields Docker users see.

use crate::image::{Entry, Image, Kind};
use std::fmt;

/// The config fields compared (under the image config's `config`).
pub const CONFIG_FIELDS: &[&str] = &[
    "Env",
    "WorkingDir",
    "User",
    "Entrypoint",
    "Cmd",
    "ExposedPorts",
    "Labels",
    "Volumes",
    "Healthcheck",
    "StopSignal",
];

/// One way two images differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Difference {
    OnlyInLeft(String),
    OnlyInRight(String),
    Kind {
        path: String,
        left: Kind,
        right: Kind,
    },
    Mode {
        path: String,
        left: u32,
        right: u32,
    },
    Owner {
        path: String,
        left: (u64, u64),
        right: (u64, u64),
    },
    Config {
        field: &'static str,
        left: serde_json::Value,
        right: serde_json::Value,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::OnlyInLeft(p) => write!(f, "{p}: only in the left image"),
            Difference::OnlyInRight(p) => write!(f, "{p}: only in the right image"),
            Difference::Kind { path, left, right } => write!(f, "{path}: {left:?} vs {right:?}"),
            Difference::Mode { path, left, right } => {
                write!(f, "{path}: mode {left:o} vs {right:o}")
            }
            Difference::Owner { path, left, right } => {
                write!(
                    f,
                    "{path}: owner {}:{} vs {}:{}",
                    left.0, left.1, right.0, right.1
                )
            }
            Difference::Config { field, left, right } => {
                write!(f, "config {field}: {left} vs {right}")
            }
        }
    }
}

/// Every difference between two images, files first (by path), then config fields. An
/// absent config field equals an empty one (`null`, `[]`, `{}`, `""`), as Docker treats them.
pub fn compare(left: &Image, right: &Image) -> Vec<Difference> {
    let mut out = Vec::new();
    for (path, l) in &left.files {
        match right.files.get(path) {
            None => out.push(Difference::OnlyInLeft(path.clone())),
            Some(r) => compare_entry(path, l, r, &mut out),
        }
    }
    for path in right.files.keys().filter(|p| !left.files.contains_key(*p)) {
        out.push(Difference::OnlyInRight(path.clone()));
    }
    for field in CONFIG_FIELDS {
        let l = normalized(&left.config["config"][field]);
        let r = normalized(&right.config["config"][field]);
        if l != r {
            out.push(Difference::Config {
                field,
                left: l,
                right: r,
            });
        }
    }
    out
}

fn compare_entry(path: &str, l: &Entry, r: &Entry, out: &mut Vec<Difference>) {
    if l.kind != r.kind {
        out.push(Difference::Kind {
            path: path.into(),
            left: l.kind.clone(),
            right: r.kind.clone(),
        });
    }
    // Symlink modes are not meaningful on Linux.
    if l.mode != r.mode && !matches!(l.kind, Kind::Symlink { .. }) {
        out.push(Difference::Mode {
            path: path.into(),
            left: l.mode,
            right: r.mode,
        });
    }
    if (l.uid, l.gid) != (r.uid, r.gid) {
        out.push(Difference::Owner {
            path: path.into(),
            left: (l.uid, l.gid),
            right: (r.uid, r.gid),
        });
    }
}

fn normalized(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Array(a) if a.is_empty() => Value::Null,
        Value::Object(o) if o.is_empty() => Value::Null,
        Value::String(s) if s.is_empty() => Value::Null,
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A layer tar from (path, type, mode, uid, content) rows.
    fn layer(rows: &[(&str, char, u32, u64, &str)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, kind, mode, uid, content) in rows {
            let mut header = tar::Header::new_gnu();
            header.set_mode(*mode);
            header.set_uid(*uid);
            header.set_gid(*uid);
            match kind {
                'd' => {
                    header.set_entry_type(tar::EntryType::Directory);
                    header.set_size(0);
                    builder
                        .append_data(&mut header, path, std::io::empty())
                        .unwrap();
                }
                'l' => {
                    header.set_entry_type(tar::EntryType::Symlink);
                    header.set_size(0);
                    builder.append_link(&mut header, path, content).unwrap();
                }
                _ => {
                    header.set_entry_type(tar::EntryType::Regular);
                    header.set_size(content.len() as u64);
                    builder
                        .append_data(&mut header, path, content.as_bytes())
                        .unwrap();
                }
            }
        }
        builder.into_inner().unwrap()
    }

    fn image(layers: &[Vec<u8>], env: &[&str]) -> Image {
        let mut image = Image {
            config: serde_json::json!({ "config": { "Env": env } }),
            ..Default::default()
        };
        for l in layers {
            image.apply_layer(l).unwrap();
        }
        image
    }

    #[test]
    fn whiteouts_delete_files_and_opaque_dirs_empty_them() {
        let base = layer(&[
            ("etc", 'd', 0o755, 0, ""),
            ("etc/a", 'f', 0o644, 0, "a"),
            ("etc/b", 'f', 0o644, 0, "b"),
            ("var", 'd', 0o755, 0, ""),
            ("var/x", 'f', 0o644, 0, "x"),
        ]);
        let top = layer(&[
            ("etc/.wh.a", 'f', 0o644, 0, ""),
            ("var/.wh..wh..opq", 'f', 0o644, 0, ""),
            ("var/y", 'f', 0o600, 1, "y"),
        ]);
        let img = image(&[base, top], &[]);
        let paths: Vec<&str> = img.files.keys().map(String::as_str).collect();
        assert_eq!(paths, vec!["/etc", "/etc/b", "/var", "/var/y"]);
        assert_eq!(img.files["/var/y"].mode, 0o600);
    }

    #[test]
    fn an_image_equals_itself_and_differences_are_exact() {
        let files = layer(&[
            ("bin", 'd', 0o755, 0, ""),
            ("bin/tool", 'f', 0o755, 0, "#!"),
            ("bin/sh", 'l', 0o777, 0, "busybox"),
        ]);
        let same = image(std::slice::from_ref(&files), &["A=1"]);
        assert_eq!(compare(&same, &same), vec![]);

        let other_mode = layer(&[
            ("bin", 'd', 0o755, 0, ""),
            ("bin/tool", 'f', 0o700, 0, "#!"),
            ("bin/sh", 'l', 0o777, 0, "busybox"),
        ]);
        let changed = image(&[other_mode], &["A=2"]);
        let diffs = compare(&same, &changed);
        assert_eq!(diffs.len(), 2, "{diffs:?}");
        assert_eq!(
            diffs[0],
            Difference::Mode {
                path: "/bin/tool".into(),
                left: 0o755,
                right: 0o700
            }
        );
        assert!(matches!(&diffs[1], Difference::Config { field: "Env", .. }));
        assert_eq!(diffs[0].to_string(), "/bin/tool: mode 755 vs 700");
    }

    #[test]
    fn content_owner_and_presence_differences() {
        let a = image(
            &[layer(&[
                ("f", 'f', 0o644, 0, "one"),
                ("g", 'f', 0o644, 0, ""),
            ])],
            &[],
        );
        let b = image(
            &[layer(&[
                ("f", 'f', 0o644, 5, "two"),
                ("h", 'f', 0o644, 0, ""),
            ])],
            &[],
        );
        let diffs: Vec<String> = compare(&a, &b).iter().map(ToString::to_string).collect();
        assert_eq!(diffs.len(), 4, "{diffs:?}");
        assert!(diffs[0].starts_with("/f: File"));
        assert_eq!(diffs[1], "/f: owner 0:0 vs 5:5");
        assert_eq!(diffs[2], "/g: only in the left image");
        assert_eq!(diffs[3], "/h: only in the right image");
    }
}
