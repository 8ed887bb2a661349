//! A stage's `image:` settings into the image config (entrypoint, cmd, healthcheck, ...).

use super::*;

impl Lowerer<'_> {
    pub(crate) fn apply_image_config(&mut self, state: &mut StageState, image: &ImageConfig) {
        let env = state.env.clone();
        let command = |this: &mut Self, c: &Sp<Command>| -> Option<Vec<String>> {
            match &c.value {
                Command::Shell(s) => {
                    Some(vec!["/bin/sh".into(), "-c".into(), this.expand(s, &env)?])
                }
                Command::Argv(argv) => argv.iter().map(|a| this.expand(a, &env)).collect(),
            }
        };
        let entrypoint = image.entrypoint.as_ref().map(|c| command(self, c));
        let cmd = image.cmd.as_ref().map(|c| command(self, c));
        if let Some(Some(entrypoint)) = entrypoint {
            state.record(format!("ENTRYPOINT {entrypoint:?}"), true);
            state.image.config.entrypoint = Some(entrypoint);
            // Docker: setting ENTRYPOINT clears an inherited CMD.
            if cmd.is_none() {
                state.image.config.cmd = None;
            }
        }
        if let Some(Some(cmd)) = cmd {
            state.record(format!("CMD {cmd:?}"), true);
            state.image.config.cmd = Some(cmd);
        }
        for (key, value) in &image.env {
            if let Some(v) = self.expand(value, &env) {
                set_env(&mut state.env, &key.value, &v);
            }
        }
        let expand_opt =
            |this: &mut Self, v: &Option<Sp<String>>| v.as_ref().and_then(|v| this.expand(v, &env));
        if let Some(user) = expand_opt(self, &image.user) {
            state.image.config.user = Some(user);
        }
        if let Some(workdir) = expand_opt(self, &image.workdir) {
            state.image.config.working_dir = Some(workdir);
        }
        if let Some(signal) = expand_opt(self, &image.stopsignal) {
            state.image.config.stop_signal = Some(signal);
        }
        self.expose_ports(state, &image.expose, &env);
        for volume in &image.volumes {
            if let Some(v) = self.expand(volume, &env) {
                state
                    .image
                    .config
                    .volumes
                    .get_or_insert_with(BTreeMap::new)
                    .insert(v, serde_json::json!({}));
            }
        }
        for (key, value) in &image.labels {
            if let Some(v) = self.expand(value, &env) {
                state
                    .image
                    .config
                    .labels
                    .get_or_insert_with(BTreeMap::new)
                    .insert(key.value.clone(), v);
            }
        }
        if let Some(check) = &image.healthcheck {
            let healthcheck = self.healthcheck(check, &env);
            state.image.config.healthcheck = Some(healthcheck);
        }
    }

    /// `expose:` into the config's ExposedPorts (`80` is `80/tcp`), each checked once its
    /// `${...}` are expanded.
    fn expose_ports(
        &mut self,
        state: &mut StageState,
        ports: &[Sp<String>],
        env: &[(String, String)],
    ) {
        for port in ports {
            if let Some(p) = self.expand(port, env) {
                if !kiln_dsl::check::is_port(&p) {
                    self.diagnostics
                        .push(catalogue::invalid_port(&p, port.span));
                    continue;
                }
                let p = if p.contains('/') {
                    p
                } else {
                    format!("{p}/tcp")
                };
                state
                    .image
                    .config
                    .exposed_ports
                    .get_or_insert_with(BTreeMap::new)
                    .insert(p, serde_json::json!({}));
            }
        }
    }

    pub(super) fn healthcheck(
        &mut self,
        check: &Healthcheck,
        env: &[(String, String)],
    ) -> serde_json::Value {
        if check.disable.as_ref().is_some_and(|d| d.value) {
            return serde_json::json!({ "Test": ["NONE"] });
        }
        let test: Vec<String> = match check.test.as_ref().map(|t| &t.value) {
            Some(Command::Shell(s)) => {
                vec!["CMD-SHELL".into(), self.expand(s, env).unwrap_or_default()]
            }
            // Docker's own forms are taken as they are: `[CMD, ...]`, `[CMD-SHELL, "..."]`,
            // `[NONE]` (checked by `kiln check`); any other list is a command, `CMD` implied.
            Some(Command::Argv(argv)) => {
                let docker_form = argv
                    .first()
                    .is_some_and(|a| matches!(a.value.as_str(), "CMD" | "CMD-SHELL" | "NONE"));
                let prefix = (!docker_form).then(|| "CMD".to_string());
                prefix
                    .into_iter()
                    .chain(argv.iter().map(|a| self.expand(a, env).unwrap_or_default()))
                    .collect()
            }
            None => vec!["NONE".into()],
        };
        let nanos = |d: &Option<Sp<String>>| d.as_ref().and_then(|d| duration_nanos(&d.value));
        let mut out = serde_json::json!({ "Test": test });
        for (key, value) in [
            ("Interval", nanos(&check.interval)),
            ("Timeout", nanos(&check.timeout)),
            ("StartPeriod", nanos(&check.start_period)),
        ] {
            if let Some(v) = value {
                out[key] = v.into();
            }
        }
        if let Some(retries) = &check.retries {
            out["Retries"] = retries.value.into();
        }
        out
    }
}

/// Go durations (`1m30s`) in nanoseconds, as Docker stores healthcheck times.
fn duration_nanos(text: &str) -> Option<u64> {
    let mut total = 0f64;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let number: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let (unit, scale) = [
            ("ns", 1.0),
            ("us", 1e3),
            ("µs", 1e3),
            ("ms", 1e6),
            ("s", 1e9),
            ("m", 60e9),
            ("h", 3600e9),
        ]
        .into_iter()
        .find(|(u, _)| rest.starts_with(u))?;
        rest = &rest[unit.len()..];
        total += number * scale;
    }
    Some(total as u64)
}
