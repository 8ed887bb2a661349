//! `packages:`: installs done the way an expert writes them by hand. The package manager's
//! caches and lists live in locked cache mounts (shared between builds, never in the image),
//! recommended extras are off unless asked for, and the frontend is non-interactive.

use crate::lower::{Lowerer, StageState, StepCounter};
use crate::steps::{ExecSpec, MountSpec, env_strings, shell_quote};
use kiln_dsl::model::{Network, PackageManager, Packages, Security, Sharing};
use kiln_dsl::{Code, Diagnostic};

/// The script that installs `names` with `manager`; with no manager known (no daemon to
/// probe the base image), one that finds it at build time.
pub fn install_script(
    manager: Option<PackageManager>,
    names: &[String],
    recommends: bool,
    update: bool,
) -> String {
    let quoted = |f: &dyn Fn(&str) -> String| {
        names
            .iter()
            .map(|n| shell_quote(&f(n)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let same = quoted(&|n: &str| n.to_string());
    // dnf pins are `name-version`.
    let dnf = quoted(&|n: &str| n.replacen('=', "-", 1));
    let no_recommends = if recommends {
        ""
    } else {
        " --no-install-recommends"
    };
    let weak = if recommends { "True" } else { "False" };
    // docker-clean (in Debian's official images) deletes downloaded .debs: the cache mount
    // is there to keep them.
    // The lists are refreshed once per stage; a later install in the stage reuses them.
    let update = if update { "apt-get update -q\n" } else { "" };
    let apt = format!(
        "export DEBIAN_FRONTEND=noninteractive\n\
         rm -f /etc/apt/apt.conf.d/docker-clean\n\
         {update}apt-get install -y -q{no_recommends} {same}"
    );
    let apk = format!("apk add --cache-dir /var/cache/apk {same}");
    let dnf =
        format!("dnf install -y --setopt=install_weak_deps={weak} --setopt=keepcache=True {dnf}");
    match manager {
        Some(PackageManager::Apt) => format!("set -eu\n{apt}"),
        Some(PackageManager::Apk) => format!("set -eu\n{apk}"),
        Some(PackageManager::Dnf) => format!("set -eu\n{dnf}"),
        None => format!(
            "set -eu\n\
             if command -v apt-get >/dev/null 2>&1; then\n{apt}\n\
             elif command -v apk >/dev/null 2>&1; then\n{apk}\n\
             elif command -v dnf >/dev/null 2>&1; then\n{dnf}\n\
             else\n\
             echo 'kiln: packages: the base image has no apt-get, apk or dnf' >&2; exit 1\n\
             fi"
        ),
    }
}

/// The cache directories of a manager (all of them when it is not known yet).
pub fn cache_dirs(manager: Option<PackageManager>) -> &'static [&'static str] {
    match manager {
        Some(PackageManager::Apt) => &["/var/cache/apt", "/var/lib/apt/lists"],
        Some(PackageManager::Apk) => &["/var/cache/apk"],
        Some(PackageManager::Dnf) => &["/var/cache/dnf"],
        None => &[
            "/var/cache/apt",
            "/var/lib/apt/lists",
            "/var/cache/apk",
            "/var/cache/dnf",
        ],
    }
}

/// A stage's work after its setup: steps, with consecutive installs (the stage's
/// `packages` and the `packages:` steps right after it, or a run of `packages:` steps) made
/// into one install, so one package-manager run covers them.
pub enum Action<'a> {
    Install(Packages),
    Step(&'a kiln_dsl::Sp<kiln_dsl::model::Step>),
}

pub fn group_installs(stage: &kiln_dsl::model::Stage) -> Vec<Action<'_>> {
    let mut actions = Vec::new();
    let mut pending: Option<Packages> =
        (!stage.packages.is_empty()).then(|| stage.packages.clone());
    let same_options = |a: &Packages, b: &Packages| {
        a.manager.as_ref().map(|m| m.value) == b.manager.as_ref().map(|m| m.value)
            && a.recommends.as_ref().is_some_and(|r| r.value)
                == b.recommends.as_ref().is_some_and(|r| r.value)
    };
    for step in &stage.steps {
        if let kiln_dsl::model::Step::Packages(p) = &step.value {
            match &mut pending {
                Some(current) if same_options(current, &p.packages) => {
                    current.install.extend(p.packages.install.iter().cloned());
                }
                _ => {
                    actions.extend(pending.take().map(Action::Install));
                    pending = Some(p.packages.clone());
                }
            }
            continue;
        }
        actions.extend(pending.take().map(Action::Install));
        actions.push(Action::Step(step));
    }
    actions.extend(pending.map(Action::Install));
    actions
}

impl Lowerer<'_> {
    /// Install packages: with the manager named, else the one the base image was probed to
    /// have, else one found at build time. A base probed to have none is an error here.
    pub(crate) fn packages(
        &mut self,
        state: &mut StageState,
        packages: &Packages,
        counter: &mut StepCounter,
    ) {
        let Some(first) = packages.install.first() else {
            return;
        };
        let span = first.span;
        let env = &state.env;
        let names: Option<Vec<String>> = packages
            .install
            .iter()
            .map(|p| self.expand(p, env))
            .collect();
        let Some(names) = names else { return };
        let manager = match &packages.manager {
            Some(m) => Some(m.value),
            None => match self.probed_manager(state) {
                Ok(found) => found,
                Err(base) => {
                    self.diagnostics.push(
                        Diagnostic::error(Code::NoPackageManager, format!("{base} has no package manager kiln knows (apt-get, apk, dnf)"))
                            .with_label(span, "packages to install")
                            .with_help("build from an image that has one (Debian, Alpine, Fedora...), or name it with `manager:`"),
                    );
                    return;
                }
            },
        };
        let recommends = packages.recommends.as_ref().is_some_and(|r| r.value);
        let script = install_script(manager, &names, recommends, !state.packages_updated);
        state.packages_updated = true;
        let mounts = cache_dirs(manager)
            .iter()
            .map(|dir| MountSpec::Cache {
                target: dir.to_string(),
                id: format!("kiln-packages{dir}"),
                sharing: Sharing::Locked,
            })
            .collect();
        let spec = ExecSpec {
            args: vec!["/bin/sh".into(), "-c".into(), script],
            env: env_strings(&state.env),
            cwd: state.workdir.clone(),
            user: String::new(),
            network: Network::Default,
            security: Security::Sandbox,
            mounts,
        };
        let name = counter.name(&format!("packages: {}", names.join(" ")));
        state.record(format!("PACKAGES {}", names.join(" ")), false);
        self.exec(state, spec, name, span);
    }

    /// What probing found in the stage's base: `Ok(None)` when not probed (no daemon),
    /// `Err(description)` when the base has no manager (or is empty).
    fn probed_manager(&self, state: &StageState) -> Result<Option<PackageManager>, String> {
        match &state.base_image {
            None if state.fs.is_none() => Err("a stage built from scratch".into()),
            None => Ok(None),
            Some(image) => match self.opts.package_managers.get(image) {
                None => Ok(None),
                Some(Some(manager)) => Ok(Some(*manager)),
                Some(None) => Err(format!("the base image `{image}`")),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_per_manager() {
        let names = ["jq".to_string(), "curl=7.88.1-10+deb12u5".to_string()];
        let apt = install_script(Some(PackageManager::Apt), &names, false, true);
        assert!(
            apt.contains("apt-get install -y -q --no-install-recommends jq curl=7.88.1-10+deb12u5"),
            "{apt}"
        );
        assert!(!apt.contains("apk"));
        let dnf = install_script(Some(PackageManager::Dnf), &names, true, true);
        assert!(
            dnf.contains("install_weak_deps=True") && dnf.contains("curl-7.88.1-10+deb12u5"),
            "{dnf}"
        );
        let any = install_script(None, &names, false, true);
        let again = install_script(Some(PackageManager::Apt), &names, false, false);
        assert!(!again.contains("apt-get update"), "{again}");
        assert!(
            any.contains("command -v apt-get")
                && any.contains("apk add")
                && any.contains("dnf install")
        );
        assert_eq!(cache_dirs(Some(PackageManager::Apk)), &["/var/cache/apk"]);
        assert!(
            install_script(Some(PackageManager::Apt), &["a b;rm".into()], false, true)
                .contains("'a b;rm'")
        );
    }
}
