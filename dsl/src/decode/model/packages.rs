//! Decoding of packages to install and their extra repositories.

use crate::decode::Decoder;
use crate::model::*;
use crate::node::{Node, NodeKind};
use crate::span::Sp;

/// A list of package names, or a map with `install`, `manager` and `recommends`.
pub(super) fn packages(d: &mut Decoder<'_>, node: &mut Node) -> Option<Packages> {
    if let NodeKind::Seq(_) = node.kind {
        let install = d.string_list(node)?;
        return Some(Packages {
            install,
            ..Default::default()
        });
    }
    let mut f = d.fields(
        node,
        "packages (a list of names, or a map with `install`)",
        &["install", "manager", "recommends", "repositories"],
    )?;
    let install = d.required(&mut f, "install", "packages", |d, n| d.string_list(n));
    let managers = [
        ("apt", PackageManager::Apt),
        ("apk", PackageManager::Apk),
        ("dnf", PackageManager::Dnf),
    ];
    Some(Packages {
        manager: d.field(&mut f, "manager", |d, n| d.choice(n, &managers)),
        recommends: d.field(&mut f, "recommends", Decoder::bool),
        repositories: d.field_or_default(&mut f, "repositories", |d, n| {
            d.list(n, |d, n| {
                let span = n.span;
                repository(d, n).map(|value| Sp { value, span })
            })
        }),
        install: install?,
    })
}

pub(super) fn repository(d: &mut Decoder<'_>, node: &mut Node) -> Option<Repository> {
    let mut f = d.fields(
        node,
        "a repository (a map with `name`, `url` and `key`)",
        &["name", "url", "suite", "components", "key"],
    )?;
    let name = d.required(&mut f, "name", "repository", Decoder::string);
    let url = d.required(&mut f, "url", "repository", Decoder::string);
    let key = d.required(&mut f, "key", "repository", |d, n| {
        let mut k = d.fields(
            n,
            "a signing key (a map with `url` and `sha256`)",
            &["url", "sha256"],
        )?;
        let url = d.required(&mut k, "url", "signing key", Decoder::string);
        let sha256 = d.required(&mut k, "sha256", "signing key", Decoder::string);
        Some(RepositoryKey {
            url: url?,
            sha256: sha256?,
        })
    });
    Some(Repository {
        suite: d.field(&mut f, "suite", Decoder::string),
        components: d.field_or_default(&mut f, "components", Decoder::string_list),
        name: name?,
        url: url?,
        key: key?,
    })
}
