//! One open document, analysed once per change: the same `kiln_dsl::check_bytes` that
//! `kiln check` runs for its diagnostics (parse, decode, every semantic check), and the
//! node tree of the same front end for the resolver.

use crate::lines::LineIndex;
use crate::tree::Index;
use kiln_dsl::{BuildFile, Diagnostic, Limits, SourceFile};

pub struct Document {
    pub file: SourceFile,
    pub lines: LineIndex,
    pub diagnostics: Vec<Diagnostic>,
    /// The decoded model, when the file could be decoded at all.
    pub model: Option<BuildFile>,
    /// Names and keys of the last text, empty when it could not be parsed.
    pub index: Index,
}

impl Document {
    /// `name` decides the syntax as for `kiln check` (`.hcl`, `.yaml`, else the content).
    pub fn analyse(name: &str, text: &str) -> Self {
        let limits = Limits::default();
        let checked = kiln_dsl::check_bytes(name, text.as_bytes(), &limits);
        let file = checked.file;
        let (tree, _) =
            kiln_dsl::parse_tree(&file, &limits, &kiln_dsl::hcl_front::HclOptions::default());
        let index = tree.map_or_else(Index::default, |root| Index::build(&file.text, &root));
        Document {
            lines: LineIndex::new(&file.text),
            diagnostics: checked.diagnostics,
            model: checked.model,
            index,
            file,
        }
    }

    pub fn text(&self) -> &str {
        &self.file.text
    }

    pub fn is_hcl(&self) -> bool {
        self.file.is_hcl()
    }
}
