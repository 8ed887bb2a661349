//! The frontend's options (`BUILDKIT_FRONTEND_OPT_<i>=key=value`) and environment.

use std::collections::BTreeMap;

/// Options and environment BuildKit gives the frontend.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub opts: BTreeMap<String, String>,
    pub session_id: Option<String>,
    /// The first platform of the first worker (`BUILDKIT_WORKERS`), as `os/arch[/variant]`.
    pub worker_platform: Option<String>,
}

impl Options {
    pub fn from_env() -> Self {
        Self::from_vars(std::env::vars())
    }

    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut options = Options::default();
        for (name, value) in vars {
            if name.starts_with("BUILDKIT_FRONTEND_OPT_") {
                // The value is split at its first `=`; the value part may be empty.
                let (key, value) = value.split_once('=').unwrap_or((&value, ""));
                options.opts.insert(key.to_string(), value.to_string());
            } else if name == "BUILDKIT_SESSION_ID" {
                options.session_id = Some(value).filter(|v| !v.is_empty());
            } else if name == "BUILDKIT_WORKERS" {
                options.worker_platform = first_worker_platform(&value);
            }
        }
        options
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.opts.get(key).map(String::as_str)
    }

    /// Options with a prefix, without it: `build-arg:` → {NAME: value}.
    pub fn with_prefix(&self, prefix: &str) -> BTreeMap<String, String> {
        self.opts
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(prefix).map(|k| (k.to_string(), v.clone())))
            .collect()
    }
}

fn first_worker_platform(json: &str) -> Option<String> {
    let workers: serde_json::Value = serde_json::from_str(json).ok()?;
    let platform = &workers[0]["Platforms"][0];
    let os = platform["os"].as_str()?;
    let arch = platform["architecture"].as_str()?;
    Some(
        match platform["variant"].as_str().filter(|v| !v.is_empty()) {
            Some(variant) => format!("{os}/{arch}/{variant}"),
            None => format!("{os}/{arch}"),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_options_session_and_worker_platform() {
        let vars = [
            ("BUILDKIT_FRONTEND_OPT_1", "build-arg:V=a=b"),
            ("BUILDKIT_FRONTEND_OPT_0", "no-cache="),
            ("BUILDKIT_SESSION_ID", "s1"),
            ("BUILDKIT_WORKERS", r#"[{"ID":"w","Platforms":[{"architecture":"arm64","os":"linux","variant":"v8"}]}]"#),
            ("PATH", "/bin"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let options = Options::from_vars(vars);
        assert_eq!(options.with_prefix("build-arg:")["V"], "a=b");
        assert_eq!(options.get("no-cache"), Some(""));
        assert_eq!(options.session_id.as_deref(), Some("s1"));
        assert_eq!(options.worker_platform.as_deref(), Some("linux/arm64/v8"));
    }
}
