//! `kiln graph`: the stage/step DAG of a build file as Graphviz DOT or Mermaid.

use crate::load::checked_model;
use crate::output::out;
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
    let model = checked.model();
    let text = match args.format {
        GraphFormat::Dot => write(model, &DOT),
        GraphFormat::Mermaid => write(model, &MERMAID),
    };
    out!("{text}");
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
    // One row each: newlines and other control characters become spaces. The syntax
    // escapes the rest (`>` in `run: make > log` stays).
    text.chars()
        .take(60)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
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
                    UseKind::Cache => "cache",
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

/// What a node is: its shape in either syntax.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NodeKind {
    Image,
    Stage,
    Target,
    Group,
}

/// A node: its id, its title and (for a stage) one row per step.
struct Node {
    id: String,
    kind: NodeKind,
    title: String,
    rows: Vec<String>,
}

/// Every node: the images stages start from, the stages with their steps, targets, groups.
fn nodes(model: &BuildFile) -> Vec<Node> {
    let node = |kind, id: String, title: String, rows: Vec<String>| Node {
        id,
        kind,
        title,
        rows,
    };
    let mut out: Vec<Node> = images(model)
        .into_iter()
        .map(|i| node(NodeKind::Image, node_id("image", &i), i, Vec::new()))
        .collect();
    for (name, stage) in &model.stages {
        let rows = stage.steps.iter().map(|s| step_line(&s.value)).collect();
        let title = format!("stage {}", name.value);
        out.push(node(NodeKind::Stage, node_id("stage", name), title, rows));
    }
    for name in model.targets.keys() {
        let title = format!("target {}", name.value);
        out.push(node(
            NodeKind::Target,
            node_id("target", name),
            title,
            Vec::new(),
        ));
    }
    for name in model.groups.keys() {
        let title = format!("group {}", name.value);
        out.push(node(
            NodeKind::Group,
            node_id("group", name),
            title,
            Vec::new(),
        ));
    }
    out
}

/// How one syntax writes the graph.
struct Syntax {
    header: &'static str,
    footer: &'static str,
    /// A node with its title and rows already escaped by `text`.
    node: fn(&Node) -> String,
    edge: fn(&Edge) -> String,
    /// Text from the file as it must appear inside a quoted label.
    text: fn(&str) -> String,
}

/// In a DOT quoted string only `"` and `\` are special (the nodes are not records).
fn dot_text(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Mermaid labels are HTML: `<`, `>`, `&` and `"` are written as Mermaid's entity codes,
/// and so is `#`, which starts one.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            c => out.push(c),
        }
    }
    out
}

const DOT: Syntax = Syntax {
    header: "digraph kiln {\n  rankdir=LR;\n  node [fontname=\"monospace\", fontsize=10];\n",
    footer: "}\n",
    node: |n| {
        let shape = match n.kind {
            NodeKind::Image => "cylinder",
            NodeKind::Stage => "box",
            NodeKind::Target => "doubleoctagon",
            NodeKind::Group => "folder",
        };
        let label = match n.kind {
            // Left-justified rows: `\l` ends each line.
            NodeKind::Stage => format!(
                "{}\\l{}",
                n.title,
                n.rows.iter().map(|r| format!("{r}\\l")).collect::<String>()
            ),
            _ => n.title.clone(),
        };
        format!("  {} [shape={shape}, label=\"{label}\"];\n", n.id)
    },
    edge: |e| match e.label {
        "" => format!("  {} -> {};\n", e.from, e.to),
        label => format!("  {} -> {} [label=\"{label}\"];\n", e.from, e.to),
    },
    text: dot_text,
};

const MERMAID: Syntax = Syntax {
    header: "flowchart LR\n",
    footer: "",
    node: |n| match n.kind {
        NodeKind::Image => format!("  {}[(\"{}\")]\n", n.id, n.title),
        NodeKind::Stage => {
            let mut rows = vec![format!("<b>{}</b>", n.title)];
            rows.extend(n.rows.iter().cloned());
            format!("  {}[\"{}\"]\n", n.id, rows.join("<br/>"))
        }
        NodeKind::Target => format!("  {}{{{{\"{}\"}}}}\n", n.id, n.title),
        NodeKind::Group => format!("  {}[/\"{}\"/]\n", n.id, n.title),
    },
    edge: |e| match e.label {
        "" => format!("  {} --> {}\n", e.from, e.to),
        label => format!("  {} -->|{label}| {}\n", e.from, e.to),
    },
    text: mermaid_text,
};

fn write(model: &BuildFile, syntax: &Syntax) -> String {
    let mut out = String::from(syntax.header);
    for mut node in nodes(model) {
        node.title = (syntax.text)(&node.title);
        node.rows = node.rows.iter().map(|r| (syntax.text)(r)).collect();
        out.push_str(&(syntax.node)(&node));
    }
    out.extend(edges(model).iter().map(syntax.edge));
    out.push_str(syntax.footer);
    out
}
