//! Packages to install with the base image's package manager, and extra repositories.

use crate::span::Sp;
use schemars::JsonSchema;
use serde::Serialize;

/// Packages to install with a package manager, done the way an expert would: caches in
/// locked cache mounts (nothing of them in the image), no recommended extras by default.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(with = "PackagesSchema")]
pub struct Packages {
    /// Package names, optionally pinned: `name=version`.
    pub install: Vec<Sp<String>>,
    /// `apt`, `apk` or `dnf`. Detected from the base image when omitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager: Option<Sp<PackageManager>>,
    /// Also install recommended (apt) or weak (dnf) dependencies. Default false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommends: Option<Sp<bool>>,
    /// Extra package repositories, each trusted through a signing key fetched by URL and
    /// checked against its sha256.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repositories: Vec<Sp<Repository>>,
}

/// An extra package repository and the key that signs it.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Repository {
    /// A short name (letters, digits, `-`, `_`): the key and list files are named after it.
    #[schemars(regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"))]
    pub name: Sp<String>,
    /// The repository's base URL.
    pub url: Sp<String>,
    /// apt: the distribution (`bookworm`, `stable`, ...), or a path ending in `/` for a flat
    /// repository. Default `./` (flat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suite: Option<Sp<String>>,
    /// apt: the components (default `[main]` unless the suite is flat).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Sp<String>>,
    /// The signing key (ASCII-armored or binary), fetched when the build runs.
    pub key: RepositoryKey,
}

/// Where a repository's signing key is, and its checksum.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RepositoryKey {
    /// URL of the key file.
    pub url: Sp<String>,
    /// sha256 of the key file (64 hex digits): a changed key fails the build.
    pub sha256: Sp<String>,
}

impl Packages {
    pub fn is_empty(&self) -> bool {
        self.install.is_empty()
    }

    /// Every string that `${NAME}` interpolation applies to.
    pub fn strings(&self) -> Vec<&Sp<String>> {
        let mut strings: Vec<&Sp<String>> = self.install.iter().collect();
        for repo in &self.repositories {
            let repo = &repo.value;
            strings.extend([&repo.url, &repo.key.url, &repo.key.sha256]);
            strings.extend(repo.suite.iter().chain(&repo.components));
        }
        strings
    }
}

/// The package managers kiln drives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PackageManager {
    Apt,
    Apk,
    Dnf,
}

/// A list of package names, or a map with `install` and options.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum PackagesSchema {
    Names(Vec<String>),
    Full(PackagesSpec),
}

/// Packages with options.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct PackagesSpec {
    /// Package names, optionally pinned: `name=version`.
    install: Vec<String>,
    /// `apt`, `apk` or `dnf`. Detected from the base image when omitted.
    manager: Option<PackageManager>,
    /// Also install recommended (apt) or weak (dnf) dependencies. Default false.
    recommends: Option<bool>,
    /// Extra package repositories, each trusted through a signing key fetched by URL and
    /// checked against its sha256.
    repositories: Option<Vec<Repository>>,
}
