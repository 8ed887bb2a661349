//! `kiln graph`: the stage/step DAG of a build file as Graphviz DOT or Mermaid.

use crate::load::checked_model;
use clap::ValueEnum;
use kiln_dsl::model::{BuildFile, Step};
use kiln_dsl::walk::{self, UseKind};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct GraphArgs {
    /// The build file.
    file: PathBuf,
    #[command(flatten)]
    vars: crate::load::VarArgs,
    /// `dot` (Graphviz) or `mermaid`.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    format: GraphFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

/// An edge `from → to` labelled with how `from` is used.
struct Edge {
    from: String,
    to: String,
    label: &'static str,
}

pub fn run(args: &GraphArgs) -> ExitCode {
    let checked = match checked_model(&args.file, &args.vars) {
        Ok(c) => c,
        Err(code) => return ExitCode::from(code),
    };
    let model = checked
        .model
        .as_ref()
        .expect("checked_model returns a model");
    let text = match args.format {
        GraphFormat::Dot => dot(model),
        GraphFormat::Mermaid => mermaid(model),
    };
    print!("{text}");
    ExitCode::SUCCESS
}

fn node_id(kind: &str, name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("{kind}_{safe}")
}

fn step_line(step: &Step) -> String {
    let text = match step {
        Step::Run(r) => match &r.run.value {
            kiln_dsl::model::Command::Shell(s) => format!("run: {}", s.value),
            kiln_dsl::model::Command::Argv(a) => format!(
                "run: {}",
                a.iter()
                    .map(|s| s.value.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        },
        Step::Copy(c) => format!(
            "copy: {} -> {}",
            c.copy
                .src
                .value
                .iter()
                .map(|s| s.value.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            c.copy.dst.value
        ),
        Step::Download(d) => format!("download -> {}", d.download.dst.value),
        Step::Env(e) => format!(
            "env: {}",
            e.env
                .keys()
                .map(|k| k.value.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Step::Workdir(w) => format!("workdir: {}", w.workdir.value),
        Step::User(u) => format!("user: {}", u.user.value),
        Step::Mkdir(m) => format!("mkdir: {}", m.mkdir.path.value),
        Step::Symlink(s) => format!("symlink: {}", s.symlink.path.value),
        Step::Packages(p) => format!(
            "packages: {}",
            p.packages
                .install
                .iter()
                .map(|s| s.value.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        ),
    };
    let text: String = text.chars().take(60).collect();
    text.replace(['"', '\\'], "'")
        .replace(['<', '>', '{', '}', '|'], " ")
}

/// Nodes: every stage with its steps, the images stages start from, targets and groups.
fn edges(model: &BuildFile) -> Vec<Edge> {
    let mut out = Vec::new();
    let stage_or_image = |name: &str| {
        if model.stages.contains_key(name) {
            node_id("stage", name)
        } else {
            node_id("image", name)
        }
    };
    for (name, stage) in &model.stages {
        for used in walk::uses(stage) {
            if used.place.value == "scratch" {
                continue;
            }
            out.push(Edge {
                from: stage_or_image(&used.place.value),
                to: node_id("stage", name),
                label: match used.kind {
                    UseKind::From => "from",
                    UseKind::Copy => "copy",
                    UseKind::Bind => "bind",
                },
            });
        }
    }
    for (name, target) in &model.targets {
        out.push(Edge {
            from: node_id("stage", &target.stage.value),
            to: node_id("target", name),
            label: "",
        });
    }
    for (name, group) in &model.groups {
        for member in &group.targets {
            let kind = if model.targets.contains_key(member.value.as_str()) {
                "target"
            } else if model.groups.contains_key(member.value.as_str()) {
                "group"
            } else {
                "stage"
            };
            out.push(Edge {
                from: node_id(kind, member),
                to: node_id("group", name),
                label: "",
            });
        }
    }
    out
}

fn images(model: &BuildFile) -> Vec<String> {
    let mut images: Vec<String> = Vec::new();
    let mut add = |name: &str| {
        if name != "scratch"
            && !model.stages.contains_key(name)
            && !images.iter().any(|i| i == name)
        {
            images.push(name.to_string());
        }
    };
    for stage in model.stages.values() {
        for used in walk::uses(stage) {
            add(&used.place.value);
        }
    }
    images
}

fn dot(model: &BuildFile) -> String {
    let mut out = String::from(
        "digraph kiln {\n  rankdir=LR;\n  node [fontname=\"monospace\", fontsize=10];\n",
    );
    for image in images(model) {
        out.push_str(&format!(
            "  {} [shape=cylinder, label=\"{image}\"];\n",
            node_id("image", &image)
        ));
    }
    for (name, stage) in &model.stages {
        let mut rows = vec![format!("stage {}", name.value)];
        rows.extend(stage.steps.iter().map(|s| step_line(&s.value)));
        out.push_str(&format!(
            "  {} [shape=box, label=\"{}\\l\"];\n",
            node_id("stage", name),
            rows.join("\\l")
        ));
    }
    for name in model.targets.keys() {
        out.push_str(&format!(
            "  {} [shape=doubleoctagon, label=\"target {}\"];\n",
            node_id("target", name),
            name.value
        ));
    }
    for name in model.groups.keys() {
        out.push_str(&format!(
            "  {} [shape=folder, label=\"group {}\"];\n",
            node_id("group", name),
            name.value
        ));
    }
    for e in edges(model) {
        let label = if e.label.is_empty() {
            String::new()
        } else {
            format!(" [label=\"{}\"]", e.label)
        };
        out.push_str(&format!("  {} -> {}{label};\n", e.from, e.to));
    }
    out.push_str("}\n");
    out
}

fn mermaid(model: &BuildFile) -> String {
    let mut out = String::from("flowchart LR\n");
    for image in images(model) {
        out.push_str(&format!("  {}[(\"{image}\")]\n", node_id("image", &image)));
    }
    for (name, stage) in &model.stages {
        let mut rows = vec![format!("<b>stage {}</b>", name.value)];
        rows.extend(stage.steps.iter().map(|s| step_line(&s.value)));
        out.push_str(&format!(
            "  {}[\"{}\"]\n",
            node_id("stage", name),
            rows.join("<br/>")
        ));
    }
    for name in model.targets.keys() {
        out.push_str(&format!(
            "  {}{{{{\"target {}\"}}}}\n",
            node_id("target", name),
            name.value
        ));
    }
    for name in model.groups.keys() {
        out.push_str(&format!(
            "  {}[/\"group {}\"/]\n",
            node_id("group", name),
            name.value
        ));
    }
    for e in edges(model) {
        let arrow = if e.label.is_empty() {
            " --> ".to_string()
        } else {
            format!(" -->|{}| ", e.label)
        };
        out.push_str(&format!("  {}{arrow}{}\n", e.from, e.to));
    }
    out
}
