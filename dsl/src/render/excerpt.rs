//! What a human report shows of the file for one diagnostic: the lines around its labels,
//! with very long lines cut to a window around the labels and control characters made
//! visible. miette never sees the whole file: its line search is linear, so reports of many
//! diagnostics on a big file were quadratic, and a line wider than its formatter can pad
//! (about 65,000 columns) made it panic. Line and column numbers stay the file's own.

use crate::source::SourceFile;
use crate::span::Span;
use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use std::ops::Range;

/// Lines shown before and after each label's lines (as the report is configured).
const CONTEXT_LINES: usize = 1;
/// Lines longer than this many characters are cut to a window of about this size.
const MAX_LINE_CHARS: usize = 160;
/// Characters kept before the first label point when a long line is cut.
const LEAD_CHARS: usize = 40;

/// The file's lines a diagnostic needs, rewritten for display, with its labels' spans.
pub(super) struct Excerpt {
    name: String,
    text: String,
    /// The file's 0-based line number of the excerpt's first line.
    first_line: usize,
    /// The primary label's start in `text`, and its real 0-based column in the file.
    primary: Option<(usize, usize)>,
    /// Each label's span, mapped into `text`.
    pub spans: Vec<Span>,
}

impl Excerpt {
    pub(super) fn new(file: &SourceFile, labels: &[Span]) -> Excerpt {
        let clamp = |offset: usize| char_floor(&file.text, offset.min(file.text.len()));
        let points: Vec<(usize, usize)> = labels
            .iter()
            .map(|s| (clamp(s.start), clamp(s.end())))
            .collect();
        let line_of = |offset: usize| file.line_col(offset).line - 1;
        let wanted: Vec<usize> = points
            .iter()
            .flat_map(|&(start, end)| [line_of(start), line_of(end)])
            .collect();
        let first_line = wanted
            .iter()
            .min()
            .map_or(0, |l| l.saturating_sub(CONTEXT_LINES));
        let last_line = wanted.iter().max().map_or(0, |l| l + CONTEXT_LINES);
        let mut builder = Builder {
            text: String::new(),
            offsets: points.iter().flat_map(|&(s, e)| [s, e]).collect(),
            mapped: vec![0; points.len() * 2],
        };
        for line in first_line..=last_line {
            let Some(bounds) = file.line_bounds(line + 1) else {
                break;
            };
            // The empty "line" after a final newline is context nobody needs.
            if bounds.start == file.text.len() && line > 0 && !wanted.contains(&line) {
                break;
            }
            let near = wanted.iter().any(|w| w.abs_diff(line) <= CONTEXT_LINES);
            builder.line(&file.text, bounds, near);
        }
        let spans: Vec<Span> = (builder.mapped.chunks(2))
            .map(|pair| Span::new(pair[0], pair[1].saturating_sub(pair[0])))
            .collect();
        let primary = points
            .first()
            .zip(spans.first())
            .map(|(&(start, _), span)| (span.start, file.line_col(start).column - 1));
        Excerpt {
            name: file.name.clone(),
            text: builder.text,
            first_line,
            primary,
            spans,
        }
    }
}

/// Writes the excerpt's text and records where the label points land in it.
struct Builder {
    text: String,
    /// Label points (byte offsets in the file) and, once written, where each is in `text`.
    offsets: Vec<usize>,
    mapped: Vec<usize>,
}

impl Builder {
    /// Write one line (`bounds` excludes its newline); a line far from every label is left
    /// empty, so line numbers stay right without copying the text between distant labels.
    fn line(&mut self, file: &str, bounds: Range<usize>, near: bool) {
        let line_text = &file[bounds.clone()];
        let window = if !near {
            bounds.start..bounds.start
        } else if line_text.chars().count() > MAX_LINE_CHARS {
            self.window(file, bounds.clone())
        } else {
            bounds.clone()
        };
        // Points before the window land at its start, points after it at its end.
        self.map_points(bounds.start..window.start, self.text.len());
        if window.start > bounds.start {
            self.text.push('…');
        }
        let mut at = window.start;
        for c in file[window.clone()].chars() {
            self.map_points(at..at + 1, self.text.len());
            push_visible(&mut self.text, c);
            at += c.len_utf8();
        }
        self.map_points(window.end..bounds.end + 1, self.text.len());
        if window.end < bounds.end {
            self.text.push('…');
        }
        self.text.push('\n');
    }

    /// The part of a long line to show: from a little before its first label point, about
    /// `MAX_LINE_CHARS` characters.
    fn window(&self, file: &str, bounds: Range<usize>) -> Range<usize> {
        let first_point = (self.offsets.iter().copied())
            .filter(|o| bounds.contains(o))
            .min()
            .unwrap_or(bounds.start);
        let before = &file[bounds.start..first_point];
        let start = (before.char_indices().rev().nth(LEAD_CHARS))
            .map_or(bounds.start, |(i, _)| bounds.start + i);
        let end = (file[start..bounds.end].char_indices().nth(MAX_LINE_CHARS))
            .map_or(bounds.end, |(i, _)| start + i);
        start..end
    }

    /// Every label point in `range` (of the file) is at `position` of the excerpt.
    fn map_points(&mut self, range: Range<usize>, position: usize) {
        for (point, mapped) in self.offsets.iter().zip(&mut self.mapped) {
            if range.contains(point) {
                *mapped = position;
            }
        }
    }
}

/// `c`, or an escape such as `\u{1b}` for a control character: a report must not let the
/// file drive the terminal (colours, cursor moves, titles) or carry NUL bytes.
pub(super) fn push_visible(out: &mut String, c: char) {
    if c.is_control() && c != '\t' {
        out.extend(c.escape_unicode());
    } else {
        out.push(c);
    }
}

/// `text` with control characters escaped (messages quote what users wrote).
pub(super) fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text
        .chars()
        .any(|c| c.is_control() && c != '\t' && c != '\n')
    {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '\n' {
            out.push(c)
        } else {
            push_visible(&mut out, c)
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The nearest char boundary at or before `offset`.
fn char_floor(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        // The report's `file:line:col` comes from the primary label read without context:
        // give it the real column, which a cut line no longer has.
        let column = match self.primary {
            Some((start, column)) if start == span.offset() && before == 0 => column,
            _ => inner.column(),
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            inner.line_count(),
        )))
    }
}
