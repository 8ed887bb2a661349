//! A generator of large, realistic build files for benchmarks (`scripts/bench.sh`). Not part
//! of the stable API.

/// A realistic file: every stage builds from the previous one (or an image), and its steps
/// mix runs with mounts, copies from other stages, env and downloads.
pub fn generate(stages: usize, steps_per_stage: usize) -> String {
    let mut out = String::from(
        "version: 1\nargs:\n  VERSION: \"1.0\"\n  REGISTRY: localhost:5000\nstages:\n",
    );
    for s in 0..stages {
        out.push_str(&format!("  stage-{s}:\n"));
        if s % 10 == 0 {
            out.push_str(
                "    from: localhost:5000/debian:bookworm\n    packages: [ca-certificates, curl]\n",
            );
        } else {
            out.push_str(&format!("    from: stage-{}\n", s - 1));
        }
        out.push_str(&format!(
            "    env: {{ STAGE_{s}: \"{s}\" }}\n    workdir: /src/{s}\n    steps:\n"
        ));
        for i in 0..steps_per_stage {
            let step = match i % 5 {
                0 => format!(
                    "      - run: make -C /src/{s} part-{i} VERSION=${{VERSION}}\n        mounts:\n          - cache: /root/.cache/{s}\n            sharing: locked\n"
                ),
                1 => format!(
                    "      - copy: {{ src: [src/{s}/, Makefile], dst: /src/{s}/, chmod: \"0644\" }}\n"
                ),
                2 if s > 0 => format!(
                    "      - copy: {{ from: stage-{}, src: /out/{i}, dst: /in/{i} }}\n",
                    s - 1
                ),
                3 => format!("      - env: {{ STEP_{s}_{i}: value-{i} }}\n"),
                4 => format!(
                    "      - download:\n          url: https://example.com/{s}/{i}.tar.gz\n          sha256: {}\n          dst: /opt/{i}.tar.gz\n",
                    "ab".repeat(32)
                ),
                _ => format!("      - run: [echo, \"{s}-{i}\"]\n"),
            };
            out.push_str(&step);
        }
    }
    out.push_str("targets:\n");
    for s in (0..stages).step_by(100) {
        out.push_str(&format!(
            "  t{s}:\n    stage: stage-{}\n    tags: [\"${{REGISTRY}}/t{s}:${{VERSION}}\"]\n",
            s + 99
        ));
    }
    out
}

/// The same file in HCL (its twin: it lowers to the same LLB).
pub fn generate_hcl(stages: usize, steps_per_stage: usize) -> String {
    let mut out = String::from(
        "version = 1\nvariable \"VERSION\" { default = \"1.0\" }\nvariable \"REGISTRY\" { default = \"localhost:5000\" }\n",
    );
    for s in 0..stages {
        out.push_str(&format!("stage \"stage-{s}\" {{\n"));
        if s % 10 == 0 {
            out.push_str(
                "  from = \"localhost:5000/debian:bookworm\"\n  packages = [\"ca-certificates\", \"curl\"]\n",
            );
        } else {
            out.push_str(&format!("  from = \"stage-{}\"\n", s - 1));
        }
        out.push_str(&format!(
            "  env = {{ STAGE_{s} = \"{s}\" }}\n  workdir = \"/src/{s}\"\n"
        ));
        for i in 0..steps_per_stage {
            let step = match i % 5 {
                0 => format!(
                    "  run {{\n    cmd = \"make -C /src/{s} part-{i} VERSION=${{VERSION}}\"\n    mount {{\n      cache = \"/root/.cache/{s}\"\n      sharing = \"locked\"\n    }}\n  }}\n"
                ),
                1 => format!(
                    "  copy {{\n    src = [\"src/{s}/\", \"Makefile\"]\n    dst = \"/src/{s}/\"\n    chmod = \"0644\"\n  }}\n"
                ),
                2 if s > 0 => format!(
                    "  copy {{\n    from = \"stage-{}\"\n    src = \"/out/{i}\"\n    dst = \"/in/{i}\"\n  }}\n",
                    s - 1
                ),
                3 => format!("  env {{ STEP_{s}_{i} = \"value-{i}\" }}\n"),
                4 => format!(
                    "  download {{\n    url = \"https://example.com/{s}/{i}.tar.gz\"\n    sha256 = \"{}\"\n    dst = \"/opt/{i}.tar.gz\"\n  }}\n",
                    "ab".repeat(32)
                ),
                _ => format!("  run {{ cmd = [\"echo\", \"{s}-{i}\"] }}\n"),
            };
            out.push_str(&step);
        }
        out.push_str("}\n");
    }
    for s in (0..stages).step_by(100) {
        out.push_str(&format!(
            "target \"t{s}\" {{\n  stage = \"stage-{}\"\n  tags = [\"${{REGISTRY}}/t{s}:${{VERSION}}\"]\n}}\n",
            s + 99
        ));
    }
    out
}
