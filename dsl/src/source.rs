//! A build file's text with its name, and byte offset → line:column conversion.

/// The text of one build file and the name users know it by.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
    /// Several build files read as one (`-f a.hcl -f b.hcl`): each one's name and where its
    /// text starts in `text`, in order. Empty for one file.
    parts: Vec<(String, usize)>,
}

/// A 1-based line and column (columns count characters, as editors do).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            name: name.into(),
            text,
            line_starts,
            parts: Vec::new(),
        }
    }

    /// Several files as one text, one after the other (each ends with a newline), so that
    /// one span points into any of them; diagnostics name the file and line it falls in.
    pub fn concat(files: Vec<(String, String)>) -> Self {
        let mut text = String::new();
        let mut parts = Vec::new();
        for (name, part) in files {
            parts.push((name, text.len()));
            text.push_str(&part);
            if !part.ends_with('\n') {
                text.push('\n');
            }
        }
        let names: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
        let mut file = SourceFile::new(names.join(", "), text);
        file.parts = parts;
        file
    }

    /// Read as HCL: by name or content, and always when several files are read as one
    /// (only HCL files can be).
    pub fn is_hcl(&self) -> bool {
        !self.parts.is_empty() || crate::hcl_front::is_hcl(&self.name, &self.text)
    }

    /// True when this is several files read as one.
    pub fn is_several(&self) -> bool {
        !self.parts.is_empty()
    }

    /// The files this one is made of: name, and the byte range of its text.
    pub fn parts(&self) -> Vec<(&str, std::ops::Range<usize>)> {
        if self.parts.is_empty() {
            return vec![(self.name.as_str(), 0..self.text.len())];
        }
        let ends = self.parts.iter().skip(1).map(|(_, start)| *start);
        let ends = ends.chain(std::iter::once(self.text.len()));
        self.parts
            .iter()
            .zip(ends)
            .map(|((name, start), end)| (name.as_str(), *start..end))
            .collect()
    }

    /// The file an offset falls in, as a file of its own, and where its text starts.
    pub fn part_at(&self, offset: usize) -> (SourceFile, usize) {
        let parts = self.parts();
        let (name, range) = parts
            .iter()
            .rev()
            .find(|(_, range)| range.start <= offset)
            .cloned()
            .unwrap_or((self.name.as_str(), 0..self.text.len()));
        let text = self.text.get(range.clone()).unwrap_or_default();
        (SourceFile::new(name, text), range.start)
    }

    /// Line and column of a byte offset (clamped to the text).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let line_start = self.line_starts[line];
        let column = self
            .text
            .get(line_start..offset)
            .map_or(offset - line_start, |s| s.chars().count());
        LineCol {
            line: line + 1,
            column: column + 1,
        }
    }

    /// Byte offset of a 1-based line and column (used to place parser errors).
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        rest.char_indices()
            .nth(column.saturating_sub(1))
            .map_or(self.text.len(), |(i, _)| start + i)
    }

    /// The byte range of a 1-based line, without its newline (`None` past the last line).
    pub fn line_bounds(&self, line: usize) -> Option<std::ops::Range<usize>> {
        let start = *self.line_starts.get(line.checked_sub(1)?)?;
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |next| next - 1);
        Some(start..end)
    }

    /// The text under a span, if the span is inside the file.
    pub fn slice(&self, span: crate::Span) -> Option<&str> {
        self.text.get(span.start..span.end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let file = SourceFile::new("f", "ab\nwé x\n");
        assert_eq!(file.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(file.line_col(3), LineCol { line: 2, column: 1 });
        // `x` is at byte 7 (é takes two bytes) but column 4.
        assert_eq!(file.line_col(7), LineCol { line: 2, column: 4 });
        assert_eq!(file.offset_of(2, 4), 7);
        assert_eq!(file.line_col(999), LineCol { line: 3, column: 1 });
    }
}
