//! `download` steps: HTTP sources checked by sha256, per platform, unpacked (tar by BuildKit, zip by kiln's tool).

use super::*;

impl Lowerer<'_> {
    pub(super) fn download(
        &mut self,
        state: &mut StageState,
        download: &Download,
        span: Span,
        counter: &mut StepCounter,
    ) {
        let Some((url, sha)) = self.url_and_sha256(state, download, span) else {
            return;
        };
        let Some(dst) = self.expand(&download.dst, &state.env) else {
            return;
        };
        let extract = download.extract.as_ref().is_some_and(|e| e.value);
        let mut dst = join(&state.workdir, &dst);
        if extract && !dst.ends_with('/') {
            dst.push('/'); // an archive unpacks into a directory
        }
        let filename = if dst.ends_with('/') {
            source::url_filename(&url)
        } else {
            dst.rsplit('/').next().unwrap_or_default().to_string()
        };
        let Ok(mode) = self.mode(download.mode.as_ref(), &state.env) else {
            return;
        };
        let op = source::http_op(&url, sha.as_deref(), &filename, mode);
        let mut source = self.add_op(op, format!("[internal] download {url}"), span);
        // BuildKit unpacks tar archives (plain, gzip, bzip2, xz) as Docker's ADD does; a zip
        // is unpacked by kiln's own tool, and its files are copied.
        let zip = extract && filename.to_ascii_lowercase().ends_with(".zip");
        let src = if zip {
            let Some(unpacked) = self.unzip(&source, &filename, span) else {
                return;
            };
            source = unpacked;
            "/".to_string()
        } else {
            format!("/{filename}")
        };
        let mut inputs = Inputs::default();
        let dest_input = inputs.index(state.fs.as_ref());
        let source_input = inputs.index(Some(&source));
        // `chown: "${owner}:${group}"` as for a copy (Dockerfile `ADD --chown` expands it).
        let owner = match &download.chown {
            Some(c) => {
                let Some(value) = self.expand(c, &state.env) else {
                    return;
                };
                Some(chown(&value, dest_input))
            }
            None => None,
        };
        let action = CopyAction {
            input: dest_input,
            source: source_input,
            output: 0,
            src,
            dest: &dst,
            owner,
            mode: -1,
            contents: zip,
            wildcard: false,
            unpack: extract && !zip,
            exclude: &[],
        }
        .into_pb();
        let name = counter.name(&format!("download: {url} -> {dst}"));
        self.apply_file_action(
            state,
            inputs,
            action,
            (name, format!("DOWNLOAD {url} {dst}")),
            vec!["file.base"],
            span,
        );
    }

    /// Unpack a zip archive (`/<filename>` of `archive`) with the kiln tool: the frontend
    /// image run on the build platform, without network. The files are at the output's root.
    pub(super) fn unzip(&mut self, archive: &Output, filename: &str, span: Span) -> Option<Output> {
        let Some(tool) = self.opts.tool_image.clone() else {
            self.diagnostics.push(catalogue::zip_needs_tool_image(span));
            return None;
        };
        let tool = source::normalize_image(&tool).unwrap_or(tool);
        let platform = crate::platform::to_pb(&self.opts.build_platform);
        // The tool image as the frontend itself was resolved (not the build's resolve mode).
        let op = source::image_op(&tool, &platform, None);
        let tool_fs = self.add_op(op, format!("[internal] kiln tools {tool}"), span);
        let op = exec::unzip_op(tool_fs, archive.clone(), filename, platform);
        let unzipped = self.add_op(op, format!("[internal] unzip {filename}"), span);
        Some(Output {
            index: 1,
            ..unzipped
        })
    }

    /// The value of a per-platform map for this platform (by platform, then architecture).
    pub(super) fn for_platform(
        &mut self,
        value: &PerPlatform,
        platform: &str,
        span: Span,
        what: &str,
    ) -> Option<Sp<String>> {
        match value {
            PerPlatform::All(v) => Some(v.clone()),
            PerPlatform::ByPlatform(map) => {
                let arch = crate::platform::to_pb(platform).architecture;
                let found = map.get(platform).or_else(|| map.get(arch.as_str()));
                if found.is_none() {
                    let keys: Vec<&str> = map.keys().map(|k| k.value.as_str()).collect();
                    self.diagnostics.push(catalogue::no_download_for_platform(
                        what, platform, &arch, &keys, span,
                    ));
                }
                found.cloned()
            }
        }
    }

    /// The download's URL and sha256 for the stage's platform, the URL expanded and checked
    /// to be HTTP(S) (`kiln check` leaves a URL with a build-time value to here).
    fn url_and_sha256(
        &mut self,
        state: &StageState,
        download: &Download,
        span: Span,
    ) -> Option<(String, Option<String>)> {
        let url = self.for_platform(&download.url, &state.platform, span, "URL")?;
        let sha = match &download.sha256 {
            Some(s) => Some(self.for_platform(s, &state.platform, span, "sha256")?),
            None => None,
        };
        let url_span = url.span;
        let url = self.expand(&url, &state.env)?;
        if !kiln_dsl::check::is_http_url(&url) {
            self.diagnostics
                .push(catalogue::not_http_url(&url, url_span));
            return None;
        }
        Some((url, sha.map(|s| s.value.clone())))
    }
}
