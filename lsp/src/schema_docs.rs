//! Field docs and valid keys, read from kiln's JSON Schema: the schema is generated from the
//! model types and their doc comments (`kiln_dsl::schema`), so hover shows exactly the text
//! editors get from the schema, and completion offers exactly the keys the decoder accepts.

use crate::tree::Seg;
use serde_json::Value;

pub struct SchemaDocs {
    root: Value,
}

impl SchemaDocs {
    pub fn new() -> Self {
        SchemaDocs {
            root: kiln_dsl::schema::json_schema(),
        }
    }

    /// The description of the value at a path (`stages`, `build`, `steps`, 0, `run`).
    pub fn description(&self, path: &[Seg]) -> Option<String> {
        self.at(path)
            .into_iter()
            .find_map(|schema| self.description_of(schema))
    }

    /// The keys a map at this path may have, in the schema's order, with their docs.
    pub fn keys(&self, path: &[Seg]) -> Vec<(String, Option<String>)> {
        let mut keys: Vec<(String, Option<String>)> = Vec::new();
        for schema in self.at(path) {
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                continue;
            };
            for (key, property) in properties {
                if key != "$schema" && !keys.iter().any(|(k, _)| k == key) {
                    keys.push((key.clone(), self.description_of(property)));
                }
            }
        }
        keys
    }

    /// Every schema the value at a path may match (an untagged enum has several).
    fn at(&self, path: &[Seg]) -> Vec<&Value> {
        let mut current = self.alternatives(&self.root);
        for seg in path {
            let mut next = Vec::new();
            for schema in current {
                let child = match seg {
                    Seg::Key(key) => schema
                        .get("properties")
                        .and_then(|p| p.get(key.as_str()))
                        .or_else(|| schema.get("additionalProperties").filter(|a| a.is_object())),
                    Seg::Index => schema.get("items"),
                };
                next.extend(child.map(|c| self.alternatives(c)).unwrap_or_default());
            }
            current = next;
        }
        current
    }

    /// A schema and, through `$ref`, `anyOf`, `oneOf` and `allOf`, the schemas it stands for.
    fn alternatives<'a>(&'a self, schema: &'a Value) -> Vec<&'a Value> {
        let mut out = vec![schema];
        let mut i = 0;
        // Breadth-first; the schema is finite and acyclic in these keywords but for `$ref`
        // to a definition seen before, which is skipped.
        while i < out.len() && out.len() < 256 {
            let s = out[i];
            i += 1;
            let mut more: Vec<&Value> = Vec::new();
            if let Some(target) = s
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| self.resolve(r))
            {
                more.push(target);
            }
            for keyword in ["anyOf", "oneOf", "allOf"] {
                if let Some(list) = s.get(keyword).and_then(Value::as_array) {
                    more.extend(list);
                }
            }
            for m in more {
                if !out.iter().any(|seen| std::ptr::eq(*seen, m)) {
                    out.push(m);
                }
            }
        }
        out
    }

    fn resolve(&self, reference: &str) -> Option<&Value> {
        let name = reference.strip_prefix("#/definitions/")?;
        self.root.get("definitions")?.get(name)
    }

    fn description_of(&self, schema: &Value) -> Option<String> {
        self.alternatives(schema)
            .into_iter()
            .find_map(|s| s.get("description").and_then(Value::as_str))
            .map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::path;

    #[test]
    fn descriptions_are_the_model_doc_comments() {
        let docs = SchemaDocs::new();
        let from = docs
            .description(&path(&["stages", "build", "from"]))
            .unwrap();
        assert!(from.starts_with("What the stage starts from"), "{from}");
        let network = docs
            .description(&path(&["stages", "b", "steps", "#", "network"]))
            .unwrap();
        assert!(network.starts_with("Network access"), "{network}");
        let stage = docs
            .description(&path(&["targets", "app", "stage"]))
            .unwrap();
        assert_eq!(stage, "The stage whose result this target is.");
        assert_eq!(docs.description(&path(&["stages", "b", "nope"])), None);
    }

    #[test]
    fn keys_follow_untagged_enums() {
        let docs = SchemaDocs::new();
        let names = |p: &[&str]| -> Vec<String> {
            docs.keys(&path(p)).into_iter().map(|(k, _)| k).collect()
        };
        let top = names(&[]);
        assert_eq!(top, ["args", "groups", "stages", "targets", "version"]);
        let step = names(&["stages", "b", "steps", "#"]);
        for kind in kiln_dsl::model::STEP_KINDS {
            assert!(step.contains(&kind.to_string()), "{kind} in {step:?}");
        }
        assert!(names(&["stages", "b", "steps", "#", "copy"]).contains(&"from".to_string()));
    }
}
