//! A generator of large, realistic build files for benchmarks (`scripts/bench.sh`). Not part
//! of the stable API.

use std::fmt::Write;

/// A realistic file: every stage builds from the previous one (or an image), and its steps
/// mix runs with mounts, copies from other stages, env and downloads.
pub fn generate(stages: usize, steps_per_stage: usize) -> String {
    generate_in(&Yaml, stages, steps_per_stage)
}

/// The same file in HCL (its twin: it lowers to the same LLB).
pub fn generate_hcl(stages: usize, steps_per_stage: usize) -> String {
    generate_in(&Hcl, stages, steps_per_stage)
}

/// What the generated file holds, whatever its syntax: the two generators must agree on it,
/// or the HCL twin would not lower to the same LLB.
fn generate_in(syntax: &dyn Syntax, stages: usize, steps_per_stage: usize) -> String {
    let mut out = String::from(syntax.header());
    for s in 0..stages {
        syntax.stage_start(&mut out, s);
        if s % 10 == 0 {
            out.push_str(syntax.base_image());
        } else {
            syntax.base_stage(&mut out, s - 1);
        }
        syntax.stage_settings(&mut out, s);
        for i in 0..steps_per_stage {
            let kind = match i % 5 {
                0 => StepKind::Make,
                1 => StepKind::CopySources,
                2 if s > 0 => StepKind::CopyFromPrevious,
                3 => StepKind::Env,
                4 => StepKind::Download,
                _ => StepKind::Echo,
            };
            syntax.step(&mut out, kind, s, i);
        }
        out.push_str(syntax.stage_end());
    }
    out.push_str(syntax.targets_start());
    for s in (0..stages).step_by(100) {
        syntax.target(&mut out, s, s + 99);
    }
    out
}

/// The steps the generated stages mix.
#[derive(Clone, Copy)]
enum StepKind {
    /// `make` with a locked cache mount.
    Make,
    /// Sources from the context, with a mode.
    CopySources,
    /// A file from the previous stage.
    CopyFromPrevious,
    Env,
    /// A download with its sha256.
    Download,
    /// An argv `run` (the first stage has no previous stage to copy from).
    Echo,
}

/// How one syntax writes each part of the generated file.
trait Syntax {
    fn header(&self) -> &'static str;
    fn stage_start(&self, out: &mut String, s: usize);
    fn base_image(&self) -> &'static str;
    fn base_stage(&self, out: &mut String, previous: usize);
    /// The stage's env and workdir, and what opens its steps.
    fn stage_settings(&self, out: &mut String, s: usize);
    fn step(&self, out: &mut String, kind: StepKind, s: usize, i: usize);
    fn stage_end(&self) -> &'static str;
    fn targets_start(&self) -> &'static str;
    fn target(&self, out: &mut String, s: usize, stage: usize);
}

struct Yaml;

impl Syntax for Yaml {
    fn header(&self) -> &'static str {
        "version: 1\nargs:\n  VERSION: \"1.0\"\n  REGISTRY: localhost:5000\nstages:\n"
    }
    fn stage_start(&self, out: &mut String, s: usize) {
        let _ = writeln!(out, "  stage-{s}:");
    }
    fn base_image(&self) -> &'static str {
        "    from: localhost:5000/debian:bookworm\n    packages: [ca-certificates, curl]\n"
    }
    fn base_stage(&self, out: &mut String, previous: usize) {
        let _ = writeln!(out, "    from: stage-{previous}");
    }
    fn stage_settings(&self, out: &mut String, s: usize) {
        let _ = write!(
            out,
            "    env: {{ STAGE_{s}: \"{s}\" }}\n    workdir: /src/{s}\n    steps:\n"
        );
    }
    fn step(&self, out: &mut String, kind: StepKind, s: usize, i: usize) {
        let _ = match kind {
            StepKind::Make => write!(
                out,
                "      - run: make -C /src/{s} part-{i} VERSION=${{VERSION}}\n        mounts:\n          - cache: /root/.cache/{s}\n            sharing: locked\n"
            ),
            StepKind::CopySources => writeln!(
                out,
                "      - copy: {{ src: [src/{s}/, Makefile], dst: /src/{s}/, chmod: \"0644\" }}"
            ),
            StepKind::CopyFromPrevious => writeln!(
                out,
                "      - copy: {{ from: stage-{}, src: /out/{i}, dst: /in/{i} }}",
                s - 1
            ),
            StepKind::Env => writeln!(out, "      - env: {{ STEP_{s}_{i}: value-{i} }}"),
            StepKind::Download => write!(
                out,
                "      - download:\n          url: https://example.com/{s}/{i}.tar.gz\n          sha256: {}\n          dst: /opt/{i}.tar.gz\n",
                "ab".repeat(32)
            ),
            StepKind::Echo => writeln!(out, "      - run: [echo, \"{s}-{i}\"]"),
        };
    }
    fn stage_end(&self) -> &'static str {
        ""
    }
    fn targets_start(&self) -> &'static str {
        "targets:\n"
    }
    fn target(&self, out: &mut String, s: usize, stage: usize) {
        let _ = write!(
            out,
            "  t{s}:\n    stage: stage-{stage}\n    tags: [\"${{REGISTRY}}/t{s}:${{VERSION}}\"]\n"
        );
    }
}

struct Hcl;

impl Syntax for Hcl {
    fn header(&self) -> &'static str {
        "version = 1\nvariable \"VERSION\" { default = \"1.0\" }\nvariable \"REGISTRY\" { default = \"localhost:5000\" }\n"
    }
    fn stage_start(&self, out: &mut String, s: usize) {
        let _ = writeln!(out, "stage \"stage-{s}\" {{");
    }
    fn base_image(&self) -> &'static str {
        "  from = \"localhost:5000/debian:bookworm\"\n  packages = [\"ca-certificates\", \"curl\"]\n"
    }
    fn base_stage(&self, out: &mut String, previous: usize) {
        let _ = writeln!(out, "  from = \"stage-{previous}\"");
    }
    fn stage_settings(&self, out: &mut String, s: usize) {
        let _ = write!(
            out,
            "  env = {{ STAGE_{s} = \"{s}\" }}\n  workdir = \"/src/{s}\"\n"
        );
    }
    fn step(&self, out: &mut String, kind: StepKind, s: usize, i: usize) {
        let _ = match kind {
            StepKind::Make => write!(
                out,
                "  run {{\n    cmd = \"make -C /src/{s} part-{i} VERSION=${{VERSION}}\"\n    mount {{\n      cache = \"/root/.cache/{s}\"\n      sharing = \"locked\"\n    }}\n  }}\n"
            ),
            StepKind::CopySources => write!(
                out,
                "  copy {{\n    src = [\"src/{s}/\", \"Makefile\"]\n    dst = \"/src/{s}/\"\n    chmod = \"0644\"\n  }}\n"
            ),
            StepKind::CopyFromPrevious => write!(
                out,
                "  copy {{\n    from = \"stage-{}\"\n    src = \"/out/{i}\"\n    dst = \"/in/{i}\"\n  }}\n",
                s - 1
            ),
            StepKind::Env => writeln!(out, "  env {{ STEP_{s}_{i} = \"value-{i}\" }}"),
            StepKind::Download => write!(
                out,
                "  download {{\n    url = \"https://example.com/{s}/{i}.tar.gz\"\n    sha256 = \"{}\"\n    dst = \"/opt/{i}.tar.gz\"\n  }}\n",
                "ab".repeat(32)
            ),
            StepKind::Echo => writeln!(out, "  run {{ cmd = [\"echo\", \"{s}-{i}\"] }}"),
        };
    }
    fn stage_end(&self) -> &'static str {
        "}\n"
    }
    fn targets_start(&self) -> &'static str {
        ""
    }
    fn target(&self, out: &mut String, s: usize, stage: usize) {
        let _ = write!(
            out,
            "target \"t{s}\" {{\n  stage = \"stage-{stage}\"\n  tags = [\"${{REGISTRY}}/t{s}:${{VERSION}}\"]\n}}\n"
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_generated_files_are_stable() {
        // Stable output keeps bench figures comparable across commits.
        let yaml = super::generate(12, 6);
        assert!(yaml.starts_with("version: 1\nargs:\n"));
        assert!(yaml.contains("  stage-10:\n    from: localhost:5000/debian:bookworm\n"));
        assert!(yaml.contains("  stage-11:\n    from: stage-10\n"));
        assert!(
            yaml.ends_with(
                "  t0:\n    stage: stage-99\n    tags: [\"${REGISTRY}/t0:${VERSION}\"]\n"
            )
        );
        let hcl = super::generate_hcl(12, 6);
        assert!(hcl.contains("stage \"stage-11\" {\n  from = \"stage-10\"\n"));
        assert!(hcl.ends_with(
            "target \"t0\" {\n  stage = \"stage-99\"\n  tags = [\"${REGISTRY}/t0:${VERSION}\"]\n}\n"
        ));
    }
}
