//! `group` blocks: a group declared again adds its targets, and a matrix block's name is a
//! group of the targets it makes (as in bake).

use super::eval::{Evaluator, Locals, span_of};
use super::targets::MatrixGroup;
use super::{Loader, label, map_node, str_node};
use crate::node::{Node, NodeKind};
use hcl_edit::structure::Block;

/// The file's groups, then a group per matrix block (its name: the targets it made)
/// unless the file has a group of that name.
pub fn load(
    ev: &mut Evaluator,
    blocks: &[&Block],
    matrix_groups: Vec<MatrixGroup>,
) -> Vec<(Node, Node)> {
    let mut groups: Vec<(Node, Node)> = Vec::new();
    for block in blocks {
        let entries = Loader::body_entries(ev, &block.body, &Locals::default());
        let name = block.labels[0].as_str();
        match groups.iter_mut().find(|(k, _)| node_is(k, name)) {
            Some((_, earlier)) => merge_group(earlier, entries),
            None => groups.push((label(block), map_node(entries, span_of(&block.ident)))),
        }
    }
    for made in matrix_groups {
        if blocks.iter().any(|b| b.labels[0].as_str() == made.name) {
            continue;
        }
        let members = made
            .targets
            .iter()
            .map(|t| str_node(t, made.span))
            .collect();
        let list = Node {
            kind: NodeKind::Seq(members),
            span: made.span,
        };
        let entries = vec![(str_node("targets", made.span), list)];
        groups.push((
            str_node(&made.name, made.span),
            map_node(entries, made.span),
        ));
    }
    groups
}

fn node_is(node: &Node, text: &str) -> bool {
    matches!(&node.kind, NodeKind::Str(s) if s == text)
}

/// A group declared again (in a later file): its targets are added to the earlier ones
/// (each once), as bake merges groups; other attributes replace the earlier ones.
fn merge_group(earlier: &mut Node, entries: Vec<(Node, Node)>) {
    let NodeKind::Map(fields) = &mut earlier.kind else {
        return;
    };
    for (key, value) in entries {
        let Some((_, slot)) = fields.iter_mut().find(|(k, _)| k.kind == key.kind) else {
            fields.push((key, value));
            continue;
        };
        match (&mut slot.kind, value.kind) {
            (NodeKind::Seq(old), NodeKind::Seq(new)) if node_is(&key, "targets") => {
                for item in new {
                    if !old.iter().any(|o| o.kind == item.kind) {
                        old.push(item);
                    }
                }
            }
            (_, kind) => *slot = Node { kind, ..value },
        }
    }
}
