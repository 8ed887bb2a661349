//! An image read from `docker save`: its config and its flattened filesystem, with layer
//! whiteouts applied, as the container would see it.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// What kind of filesystem entry a path is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    File { size: u64, sha256: String },
    Dir,
    Symlink { target: String },
    Other(String),
}

/// One path of an image's filesystem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub kind: Kind,
    /// Permission bits (and setuid/setgid/sticky), as in the layer tar.
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
}

/// An image: its config JSON and its files keyed by absolute path.
#[derive(Clone, Debug, Default)]
pub struct Image {
    pub config: serde_json::Value,
    pub files: BTreeMap<String, Entry>,
}

impl Image {
    /// Read the tar written by `docker save` (Docker's format, or the OCI layout with a
    /// `manifest.json` that newer Dockers write). Layers may be gzipped.
    pub fn from_docker_save(path: &Path) -> Result<Image, String> {
        let mut members: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        // Docker 20.10 writes a layer equal to an earlier one (two steps with the same,
        // e.g. empty, diff) as a symlink `<id>/layer.tar -> ../<other>/layer.tar`.
        let mut links: Vec<(String, String)> = Vec::new();
        let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
        let mut archive = tar::Archive::new(file);
        for entry in archive.entries().map_err(|e| e.to_string())? {
            let mut entry = entry.map_err(|e| e.to_string())?;
            let name = entry
                .path()
                .map_err(|e| e.to_string())?
                .display()
                .to_string();
            if entry.header().entry_type().is_symlink() {
                let target = entry.link_name().map_err(|e| e.to_string())?;
                let target = target.map(|t| t.display().to_string()).unwrap_or_default();
                links.push((name, target));
                continue;
            }
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let mut data = Vec::new();
            entry.read_to_end(&mut data).map_err(|e| e.to_string())?;
            members.insert(name.trim_start_matches("./").to_string(), data);
        }
        for (name, target) in links {
            let name = name.trim_start_matches("./");
            let dir = name.rsplit_once('/').map_or("", |(d, _)| d);
            let resolved = resolve_relative(dir, &target);
            if let Some(data) = members.get(&resolved).cloned() {
                members.insert(name.to_string(), data);
            }
        }
        let manifest: serde_json::Value =
            serde_json::from_slice(members.get("manifest.json").ok_or("no manifest.json")?)
                .map_err(|e| e.to_string())?;
        let first = &manifest[0];
        let config_name = first["Config"]
            .as_str()
            .ok_or("no Config in manifest.json")?;
        let config = serde_json::from_slice(members.get(config_name).ok_or("config blob missing")?)
            .map_err(|e| e.to_string())?;
        let mut image = Image {
            config,
            files: BTreeMap::new(),
        };
        for layer in first["Layers"]
            .as_array()
            .ok_or("no Layers in manifest.json")?
        {
            let name = layer.as_str().ok_or("layer name")?;
            let data = members
                .get(name)
                .ok_or_else(|| format!("layer {name} missing"))?;
            image.apply_layer(data)?;
        }
        Ok(image)
    }

    /// Apply one layer tar (plain or gzipped) on top of the files so far.
    pub fn apply_layer(&mut self, data: &[u8]) -> Result<(), String> {
        let plain;
        let data = if data.starts_with(&[0x1f, 0x8b]) {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(data)
                .read_to_end(&mut out)
                .map_err(|e| e.to_string())?;
            plain = out;
            &plain[..]
        } else {
            data
        };
        let mut archive = tar::Archive::new(data);
        for entry in archive.entries().map_err(|e| e.to_string())? {
            let mut entry = entry.map_err(|e| e.to_string())?;
            let raw = entry.path().map_err(|e| e.to_string())?;
            let path = normalize(&raw.display().to_string());
            if self.apply_whiteout(&path) {
                continue;
            }
            let header = entry.header();
            let mode = header.mode().map_err(|e| e.to_string())? & 0o7777;
            let uid = header.uid().map_err(|e| e.to_string())?;
            let gid = header.gid().map_err(|e| e.to_string())?;
            let kind = self.kind_of(&mut entry)?;
            // Anything but a directory replaces what was under its path; a directory entry
            // over a directory only updates its metadata.
            if kind != Kind::Dir {
                let prefix = format!("{path}/");
                self.files.retain(|p, _| !p.starts_with(&prefix));
            }
            let entry = Entry {
                kind,
                mode,
                uid,
                gid,
            };
            self.files.insert(path, entry);
        }
        Ok(())
    }

    /// Whiteouts: `.wh..wh..opq` empties a directory, `.wh.NAME` deletes NAME. Whether
    /// `path` was one.
    fn apply_whiteout(&mut self, path: &str) -> bool {
        let (dir, base) = path.rsplit_once('/').unwrap_or(("", path));
        if base == ".wh..wh..opq" {
            let prefix = format!("{dir}/");
            self.files.retain(|p, _| !p.starts_with(&prefix));
            return true;
        }
        let Some(name) = base.strip_prefix(".wh.") else {
            return false;
        };
        let gone = format!("{dir}/{name}");
        let prefix = format!("{gone}/");
        self.files
            .retain(|p, _| *p != gone && !p.starts_with(&prefix));
        true
    }

    /// What a layer entry is: a hard link is what it links to (earlier in the layers).
    fn kind_of(&self, entry: &mut tar::Entry<'_, &[u8]>) -> Result<Kind, String> {
        let kind_type = entry.header().entry_type();
        let link = |entry: &tar::Entry<'_, &[u8]>| -> Result<String, String> {
            let target = entry.link_name().map_err(|e| e.to_string())?;
            Ok(target.map(|t| t.display().to_string()).unwrap_or_default())
        };
        Ok(if kind_type.is_dir() {
            Kind::Dir
        } else if kind_type.is_symlink() {
            Kind::Symlink {
                target: link(entry)?,
            }
        } else if kind_type.is_hard_link() {
            let target = normalize(&link(entry)?);
            match self.files.get(&target) {
                Some(linked) => linked.kind.clone(),
                None => Kind::Other(format!("hardlink to missing {target}")),
            }
        } else if kind_type.is_file() {
            let mut content = Vec::new();
            entry.read_to_end(&mut content).map_err(|e| e.to_string())?;
            Kind::File {
                size: content.len() as u64,
                sha256: hex(&Sha256::digest(&content)),
            }
        } else {
            Kind::Other(format!("{kind_type:?}"))
        })
    }

    /// The content of a file as a sha256, if the path is a regular file.
    pub fn file_sha256(&self, path: &str) -> Option<&str> {
        match &self.files.get(path)?.kind {
            Kind::File { sha256, .. } => Some(sha256),
            _ => None,
        }
    }
}

/// `target` of a symlink in directory `dir` of an archive, as a member name.
fn resolve_relative(dir: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|p| !p.is_empty()).collect()
    };
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// `./a/b/` → `/a/b`
fn normalize(raw: &str) -> String {
    let trimmed = raw
        .trim_start_matches("./")
        .trim_start_matches('/')
        .trim_end_matches('/');
    format!("/{trimmed}")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// sha256 hex of some bytes (for tests that know a file's content).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A layer tar: (path, kind, content or link target).
    fn layer(entries: &[(&str, tar::EntryType, &str)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, kind, data) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(*kind);
            header.set_mode(if kind.is_dir() { 0o755 } else { 0o644 });
            header.set_uid(0);
            header.set_gid(0);
            header.set_mtime(0);
            let body: &[u8] = if kind.is_file() { data.as_bytes() } else { b"" };
            header.set_size(body.len() as u64);
            if kind.is_symlink() || kind.is_hard_link() {
                header.set_link_name(data).unwrap();
            }
            builder.append_data(&mut header, path, body).unwrap();
        }
        builder.into_inner().unwrap()
    }

    #[test]
    fn layers_apply_files_links_and_whiteouts() {
        use tar::EntryType::{Directory, Link, Regular, Symlink};
        let mut image = Image::default();
        let first = layer(&[
            ("etc/", Directory, ""),
            ("etc/a", Regular, "alpha"),
            ("etc/hard", Link, "etc/a"),
            ("etc/soft", Symlink, "a"),
            ("opt/", Directory, ""),
            ("opt/x", Regular, "x"),
        ]);
        image.apply_layer(&first).unwrap();
        assert_eq!(
            image.file_sha256("/etc/a"),
            Some(sha256_hex(b"alpha").as_str())
        );
        assert_eq!(image.files["/etc/hard"].kind, image.files["/etc/a"].kind);
        let soft = &image.files["/etc/soft"].kind;
        assert_eq!(soft, &Kind::Symlink { target: "a".into() });
        let second = layer(&[
            ("etc/.wh.a", Regular, ""),
            ("opt/.wh..wh..opq", Regular, ""),
        ]);
        image.apply_layer(&second).unwrap();
        assert!(!image.files.contains_key("/etc/a"), "whited out");
        assert!(
            image.files.contains_key("/etc/hard"),
            "a hard link outlives its source"
        );
        assert!(
            !image.files.contains_key("/opt/x"),
            "an opaque directory is emptied"
        );
        assert!(image.files.contains_key("/opt"), "but stays");
    }
}
