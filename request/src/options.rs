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

/// One cache to import, as the client asked for it (`--import-cache`, `--cache-from`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct CacheImport {
    #[serde(alias = "type", rename = "Type")]
    pub kind: String,
    #[serde(alias = "attrs", rename = "Attrs", default)]
    pub attrs: BTreeMap<String, String>,
}

impl Options {
    /// The caches the client asked to import: `cache-imports` (a JSON list of `{Type, Attrs}`,
    /// what buildctl and buildx send) and the older `cache-from` (a comma list of registry
    /// references, what Docker 20.10 sends, often empty). Each cache once, in order.
    pub fn cache_imports(&self) -> Result<Vec<CacheImport>, String> {
        let mut imports: Vec<CacheImport> = Vec::new();
        if let Some(json) = self.get("cache-imports").filter(|j| !j.trim().is_empty()) {
            let listed: Vec<CacheImport> = serde_json::from_str(json).map_err(|e| {
                format!("the `cache-imports` option is not a JSON list of {{Type, Attrs}}: {e}")
            })?;
            imports.extend(listed);
        }
        let refs = self.get("cache-from").unwrap_or_default();
        for reference in refs.split(',').map(str::trim).filter(|r| !r.is_empty()) {
            imports.push(CacheImport {
                kind: "registry".into(),
                attrs: BTreeMap::from([("ref".to_string(), reference.to_string())]),
            });
        }
        let mut unique = Vec::new();
        for import in imports {
            if !unique.contains(&import) {
                unique.push(import);
            }
        }
        Ok(unique)
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

    fn with_opts(opts: &[(&str, &str)]) -> Options {
        let vars = opts
            .iter()
            .enumerate()
            .map(|(i, (k, v))| (format!("BUILDKIT_FRONTEND_OPT_{i}"), format!("{k}={v}")));
        Options::from_vars(vars)
    }

    #[test]
    fn cache_imports_from_both_option_forms_once_each() {
        let options = with_opts(&[
            (
                "cache-imports",
                r#"[{"Type":"registry","Attrs":{"ref":"r:5000/app:cache"}},{"type":"local","attrs":{"src":"/c"}}]"#,
            ),
            ("cache-from", "r:5000/app:cache, r:5000/other:cache"),
        ]);
        let imports = options.cache_imports().unwrap();
        let described: Vec<String> = imports
            .iter()
            .map(|i| format!("{} {:?}", i.kind, i.attrs))
            .collect();
        assert_eq!(
            described,
            [
                r#"registry {"ref": "r:5000/app:cache"}"#,
                r#"local {"src": "/c"}"#,
                r#"registry {"ref": "r:5000/other:cache"}"#,
            ]
        );
    }

    #[test]
    fn no_cache_imports_and_a_bad_list() {
        // Docker 20.10 always sends `cache-from`, usually empty.
        let none = with_opts(&[("cache-from", ""), ("cache-imports", "")]);
        assert_eq!(none.cache_imports().unwrap(), []);
        let bad = with_opts(&[("cache-imports", "type=registry")]);
        let error = bad.cache_imports().unwrap_err();
        assert!(error.contains("`cache-imports`"), "{error}");
    }
}
