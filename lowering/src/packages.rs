//! `packages:`: installs done the way an expert writes them by hand. The package manager's
//! caches and lists live in locked cache mounts (shared between builds, never in the image),
//! recommended extras are off unless asked for, and the frontend is non-interactive.

use crate::context::{Lowerer, StageState, StepCounter};
use crate::ops::exec::{ExecSpec, MountSpec, env_strings};
use crate::ops::{Output, source};
use kiln_dsl::catalogue;
use kiln_dsl::model::{Network, PackageManager, Packages, Repository, Security, Sharing};

/// Where an extra repository's signing key is mounted in the install step.
pub const KEY_MOUNT_DIR: &str = "/run/kiln/repository-keys";

/// `word` as one shell word: as is when it is plain, else single-quoted.
pub(crate) fn shell_quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.+=:/@".contains(&b))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// An extra repository, its strings expanded.
#[derive(Clone, Debug, PartialEq)]
pub struct RepositorySetup {
    pub name: String,
    pub url: String,
    pub suite: String,
    pub components: Vec<String>,
}

impl RepositorySetup {
    /// Shell lines that trust the repository's key and add it to `manager`'s sources.
    /// The files are kept in the image, so later installs there use the repository too.
    fn script(&self, manager: PackageManager) -> String {
        let name = &self.name;
        let key = format!("{KEY_MOUNT_DIR}/{name}/key");
        match manager {
            PackageManager::Apt => {
                let mut line = format!("{} {}", self.url, self.suite);
                if !self.suite.ends_with('/') {
                    line.push(' ');
                    line.push_str(&self.components.join(" "));
                }
                // apt reads a `signed-by` key as armored only when it is named `.asc`.
                format!(
                    "install -d -m 0755 /etc/apt/keyrings\n\
                     case \"$(head -c 5 {key})\" in -----) ext=asc ;; *) ext=gpg ;; esac\n\
                     install -m 0644 {key} /etc/apt/keyrings/kiln-{name}.$ext\n\
                     echo \"deb [signed-by=/etc/apt/keyrings/kiln-{name}.$ext] \"{line} \
                     > /etc/apt/sources.list.d/kiln-{name}.list",
                    line = shell_quote(&line)
                )
            }
            PackageManager::Apk => {
                let url = shell_quote(&self.url);
                format!(
                    "install -m 0644 {key} /etc/apk/keys/kiln-{name}.rsa.pub\n\
                     grep -qxF {url} /etc/apk/repositories || echo {url} >> /etc/apk/repositories"
                )
            }
            PackageManager::Dnf => format!(
                "install -d /etc/pki/rpm-gpg\n\
                 install -m 0644 {key} /etc/pki/rpm-gpg/kiln-{name}\n\
                 printf '[kiln-{name}]\\nname={name}\\nbaseurl=%s\\nenabled=1\\ngpgcheck=1\\n\
                 gpgkey=file:///etc/pki/rpm-gpg/kiln-{name}\\n' {url} > /etc/yum.repos.d/kiln-{name}.repo",
                url = shell_quote(&self.url)
            ),
        }
    }
}

/// The variable that carries the install script into the step. BuildKit names a failed
/// step by its command (`process "..." did not complete successfully`, once in the step's
/// status and again in the build's error): with the script in the environment that command
/// is one short line, and what the user reads first is the package manager's own error (the
/// last lines of the step's log, such as apt's `E: Unable to locate package`).
pub const SCRIPT_VAR: &str = "KILN_PACKAGES_SCRIPT";

/// The script that installs `names` with `manager`; with no manager known (no daemon to
/// probe the base image), one that finds it at build time.
pub fn install_script(
    manager: Option<PackageManager>,
    names: &[String],
    recommends: bool,
    update: bool,
    repositories: &[RepositorySetup],
) -> String {
    let setup = |manager| {
        repositories
            .iter()
            .map(|r| format!("{}\n", r.script(manager)))
            .collect::<String>()
    };
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
    // New repositories need their lists fetched even when the stage has fetched others.
    // apt-get update exits 0 when a repository cannot be fetched or verified, and goes on
    // with the index files it had: in a shared cache mount, those can be a repository's old
    // index signed by a key the file no longer trusts. Such warnings fail the step.
    let update = if update || !repositories.is_empty() {
        "updated=$(apt-get update -q 2>&1) || { printf '%s\\n' \"$updated\" >&2; exit 1; }\n\
         printf '%s\\n' \"$updated\"\n\
         case \"$updated\" in *'W: Failed to fetch'*|*'W: GPG error'*|*'signature verification'*)\n\
         echo 'kiln: packages: apt-get update could not fetch or verify every repository (see above)' >&2; exit 1 ;;\n\
         esac\n"
    } else {
        ""
    };
    let apt = format!(
        "export DEBIAN_FRONTEND=noninteractive\n\
         rm -f /etc/apt/apt.conf.d/docker-clean\n\
         {}{update}apt-get install -y -q{no_recommends} {same}",
        setup(PackageManager::Apt)
    );
    let apk = format!(
        "{}apk add --cache-dir /var/cache/apk {same}",
        setup(PackageManager::Apk)
    );
    let dnf = format!(
        "{}dnf install -y --setopt=install_weak_deps={weak} --setopt=keepcache=True {dnf}",
        setup(PackageManager::Dnf)
    );
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
                    for repo in &p.packages.repositories {
                        if !current.repositories.iter().any(|r| r.value == repo.value) {
                            current.repositories.push(repo.clone());
                        }
                    }
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
                    self.diagnostics
                        .push(catalogue::no_package_manager(&base, span));
                    return;
                }
            },
        };
        let mut mounts: Vec<MountSpec> = cache_dirs(manager)
            .iter()
            .map(|dir| MountSpec::Cache {
                target: dir.to_string(),
                id: format!("kiln-packages{dir}"),
                sharing: Sharing::Locked,
                state: None,
                selector: String::new(),
                readonly: false,
            })
            .collect();
        let mut repositories = Vec::new();
        for repo in &packages.repositories {
            let Some((setup, key)) = self.repository(&repo.value, &state.env) else {
                return;
            };
            mounts.push(MountSpec::Bind {
                target: format!("{KEY_MOUNT_DIR}/{}", setup.name),
                state: Some(key),
                selector: String::new(),
                readonly: true,
            });
            repositories.push(setup);
        }
        let recommends = packages.recommends.as_ref().is_some_and(|r| r.value);
        let script = install_script(
            manager,
            &names,
            recommends,
            !state.packages_updated,
            &repositories,
        );
        state.packages_updated = true;
        let mut env = env_strings(&state.env);
        env.push(format!("{SCRIPT_VAR}={script}"));
        let spec = ExecSpec {
            args: vec![
                "/bin/sh".into(),
                "-c".into(),
                format!("eval \"${SCRIPT_VAR}\""),
            ],
            env,
            cwd: state.workdir.clone(),
            user: String::new(),
            network: Network::Default,
            security: Security::Sandbox,
            mounts,
            remove_mount_stubs: false,
        };
        let name = counter.name(&format!("packages: {}", names.join(" ")));
        state.record(format!("PACKAGES {}", names.join(" ")), false);
        self.exec(state, spec, name, span);
    }

    /// A repository's strings expanded, and its signing key as a checksummed HTTP source
    /// (saved as `key`).
    fn repository(
        &mut self,
        repo: &Repository,
        env: &[(String, String)],
    ) -> Option<(RepositorySetup, Output)> {
        let url = self.expand(&repo.url, env)?;
        let suite = match &repo.suite {
            Some(s) => self.expand(s, env)?,
            None => "./".to_string(),
        };
        let mut components = Vec::new();
        for c in &repo.components {
            components.push(self.expand(c, env)?);
        }
        if components.is_empty() {
            components.push("main".to_string());
        }
        let key_url = self.expand(&repo.key.url, env)?;
        let key_sha = self.expand(&repo.key.sha256, env)?;
        let op = source::http_op(&key_url, Some(&key_sha), "key", None);
        let key = self.add_op(
            op,
            format!("[internal] signing key of repository {}", repo.name.value),
            repo.key.url.span,
        );
        let setup = RepositorySetup {
            name: repo.name.value.clone(),
            url,
            suite,
            components,
        };
        Some((setup, key))
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
        let apt = install_script(Some(PackageManager::Apt), &names, false, true, &[]);
        assert!(
            apt.contains("apt-get install -y -q --no-install-recommends jq curl=7.88.1-10+deb12u5"),
            "{apt}"
        );
        assert!(!apt.contains("apk"));
        let dnf = install_script(Some(PackageManager::Dnf), &names, true, true, &[]);
        assert!(
            dnf.contains("install_weak_deps=True") && dnf.contains("curl-7.88.1-10+deb12u5"),
            "{dnf}"
        );
        let any = install_script(None, &names, false, true, &[]);
        let again = install_script(Some(PackageManager::Apt), &names, false, false, &[]);
        assert!(!again.contains("apt-get update"), "{again}");
        assert!(
            any.contains("command -v apt-get")
                && any.contains("apk add")
                && any.contains("dnf install")
        );
        assert_eq!(cache_dirs(Some(PackageManager::Apk)), &["/var/cache/apk"]);
        let repo = RepositorySetup {
            name: "tools".into(),
            url: "http://10.0.0.1/debian".into(),
            suite: "bookworm".into(),
            components: vec!["main".into(), "extra".into()],
        };
        let with_repo = install_script(
            Some(PackageManager::Apt),
            &names,
            false,
            false,
            std::slice::from_ref(&repo),
        );
        assert!(
            with_repo.contains("install -m 0644 /run/kiln/repository-keys/tools/key /etc/apt/keyrings/kiln-tools.$ext")
                && with_repo.contains("kiln-tools.$ext] \"'http://10.0.0.1/debian bookworm main extra' > /etc/apt/sources.list.d/kiln-tools.list")
                // a new repository needs its lists even after the stage's first update
                && with_repo.contains("apt-get update"),
            "{with_repo}"
        );
        let flat = RepositorySetup {
            suite: "./".into(),
            ..repo.clone()
        };
        let flat = install_script(Some(PackageManager::Apt), &names, false, true, &[flat]);
        assert!(flat.contains("'http://10.0.0.1/debian ./' >"), "{flat}");
        let apk = install_script(
            Some(PackageManager::Apk),
            &names,
            false,
            true,
            std::slice::from_ref(&repo),
        );
        assert!(
            apk.contains("/etc/apk/keys/kiln-tools.rsa.pub")
                && apk.contains(">> /etc/apk/repositories"),
            "{apk}"
        );
        let dnf = install_script(Some(PackageManager::Dnf), &names, false, true, &[repo]);
        assert!(
            dnf.contains("/etc/yum.repos.d/kiln-tools.repo") && dnf.contains("gpgcheck=1"),
            "{dnf}"
        );
        assert!(
            install_script(
                Some(PackageManager::Apt),
                &["a b;rm".into()],
                false,
                true,
                &[]
            )
            .contains("'a b;rm'")
        );
    }
}
