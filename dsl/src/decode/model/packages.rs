//! Decoding of packages to install and their extra repositories.

use crate::decode::Decoder;
use crate::model::*;
use crate::node::{Node, NodeKind};
use crate::span::Sp;

/// A list of package names, or a map with `install`, `manager` and `recommends`.
pub(super) fn packages(d: &mut Decoder<'_>, node: &Node) -> Option<Packages> {
    if let NodeKind::Seq(_) = node.kind {
        let install = d.list(node, |d, n| d.string(n))?;
        return Some(Packages {
            install,
            ..Default::default()
        });
    }
    let f = d.fields(
        node,
        "packages (a list of names, or a map with `install`)",
        &["install", "manager", "recommends", "repositories"],
    )?;
    let install = d.required(&f, "install", "packages", |d, n| {
        d.list(n, |d, n| d.string(n))
    });
    let managers = [
        ("apt", PackageManager::Apt),
        ("apk", PackageManager::Apk),
        ("dnf", PackageManager::Dnf),
    ];
    Some(Packages {
        manager: d.field(&f, "manager", |d, n| d.choice(n, &managers)),
        recommends: d.field(&f, "recommends", |d, n| d.bool(n)),
        repositories: d
            .field(&f, "repositories", |d, n| {
                d.list(n, |d, n| {
                    let span = n.span;
                    repository(d, n).map(|value| Sp { value, span })
                })
            })
            .unwrap_or_default(),
        install: install?,
    })
}

pub(super) fn repository(d: &mut Decoder<'_>, node: &Node) -> Option<Repository> {
    let f = d.fields(
        node,
        "a repository (a map with `name`, `url` and `key`)",
        &["name", "url", "suite", "components", "key"],
    )?;
    let name = d.required(&f, "name", "repository", |d, n| d.string(n));
    let url = d.required(&f, "url", "repository", |d, n| d.string(n));
    let key = d.required(&f, "key", "repository", |d, n| {
        let k = d.fields(
            n,
            "a signing key (a map with `url` and `sha256`)",
            &["url", "sha256"],
        )?;
        let url = d.required(&k, "url", "signing key", |d, n| d.string(n));
        let sha256 = d.required(&k, "sha256", "signing key", |d, n| d.string(n));
        Some(RepositoryKey {
            url: url?,
            sha256: sha256?,
        })
    });
    Some(Repository {
        suite: d.field(&f, "suite", |d, n| d.string(n)),
        components: d
            .field(&f, "components", |d, n| d.list(n, |d, n| d.string(n)))
            .unwrap_or_default(),
        name: name?,
        url: url?,
        key: key?,
    })
}
