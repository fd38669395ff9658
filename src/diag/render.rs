//! Rendering diagnostics: a compiler-style code frame (plain or ANSI colour) and a JSON form.
//! Line and column are computed here, from the source text, and nowhere else.

use super::{Diagnostic, Severity, Span};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Plain text or ANSI colours (the CLI picks colours only for a terminal without `NO_COLOR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Color,
}

/// Diagnostics together with the texts they point into.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
    sources: BTreeMap<PathBuf, String>,
}

/// A 1-based line and column (in characters) of a byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl Report {
    /// An empty report.
    pub fn new() -> Report {
        Report::default()
    }

    /// Remembers the text of a file so diagnostics in it can show a code frame.
    pub fn add_source(&mut self, file: &Path, text: String) {
        self.sources.insert(file.to_path_buf(), text);
    }

    /// Adds diagnostics and keeps the list in display order.
    pub fn extend(&mut self, diags: impl IntoIterator<Item = Diagnostic>) {
        self.diagnostics.extend(diags);
        super::sort(&mut self.diagnostics);
    }

    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }

    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    /// Number of distinct files with at least one error.
    pub fn files_with_errors(&self) -> usize {
        let mut files: Vec<_> = self.diagnostics.iter().filter(|d| d.is_error()).map(|d| &d.file).collect();
        files.dedup();
        files.len()
    }

    /// Line and column of a byte offset in a loaded file.
    pub fn line_col(&self, file: &Path, offset: usize) -> Option<LineCol> {
        let text = self.sources.get(file)?;
        Some(line_col(text, offset))
    }

    /// All diagnostics as text, each followed by a blank line.
    pub fn render(&self, style: Style) -> String {
        let mut out = String::new();
        for d in &self.diagnostics {
            self.render_one(d, style, &mut out);
            out.push('\n');
        }
        out
    }

    /// Plain rendering (what tests snapshot).
    pub fn render_plain(&self) -> String {
        self.render(Style::Plain)
    }

    fn render_one(&self, d: &Diagnostic, style: Style, out: &mut String) {
        let paint = Paint(style);
        let (sev_color, caret_color) = match d.severity {
            Severity::Error => ("1;31", "1;31"),
            Severity::Warning => ("1;33", "1;33"),
        };
        let _ = writeln!(
            out,
            "{}{}",
            paint.wrap(sev_color, &format!("{}[{}]", d.severity.as_str(), d.code.as_str())),
            paint.wrap("1", &format!(": {}", d.message))
        );
        let file = display_path(&d.file);
        let text = self.sources.get(&d.file);
        match (d.span, text) {
            (Some(span), Some(text)) => {
                let lc = line_col(text, span.start);
                let gutter = lc.line.to_string().len();
                let pad = " ".repeat(gutter);
                let _ = writeln!(out, "{pad}{} {file}:{}:{}", paint.wrap("1;34", "-->"), lc.line, lc.column);
                let bar = paint.wrap("1;34", "|");
                let _ = writeln!(out, "{pad} {bar}");
                let (line_text, caret_at, caret_len) = frame_line(text, span, d.redact);
                let _ = writeln!(out, "{} {bar} {}", paint.wrap("1;34", &lc.line.to_string()), line_text);
                let carets = "^".repeat(caret_len.max(1));
                let label = if d.label.is_empty() { String::new() } else { format!(" {}", d.label) };
                let _ = writeln!(
                    out,
                    "{pad} {bar} {}{}",
                    " ".repeat(caret_at),
                    paint.wrap(caret_color, &format!("{carets}{label}"))
                );
                let _ = writeln!(out, "{pad} {bar}");
                self.notes(d, &pad, paint, out);
            }
            _ => {
                let _ = writeln!(out, " {} {file}", paint.wrap("1;34", "-->"));
                self.notes(d, " ", paint, out);
            }
        }
    }

    fn notes(&self, d: &Diagnostic, pad: &str, paint: Paint, out: &mut String) {
        let eq = paint.wrap("1;34", "=");
        let _ = writeln!(out, "{pad} {eq} path: {}", d.json_path);
        if !d.expected.is_empty() {
            let _ = writeln!(out, "{pad} {eq} expected: {}", d.expected);
        }
        if !d.found.is_empty() {
            let _ = writeln!(out, "{pad} {eq} found: {}", d.found);
        }
        if let Some(help) = &d.help {
            let _ = writeln!(out, "{pad} {eq} {}: {help}", paint.wrap("1", "help"));
        }
    }

    /// The closing line of a validation run, e.g. `error: 2 problems in 1 file; nothing was written`.
    pub fn summary(&self, tail: &str) -> String {
        let errors = self.error_count();
        let warnings = self.warning_count();
        let files = self.files_with_errors();
        let plural =
            |n: usize, one: &str, many: &str| if n == 1 { format!("{n} {one}") } else { format!("{n} {many}") };
        if errors > 0 {
            let mut s =
                format!("error: {} in {}", plural(errors, "problem", "problems"), plural(files, "file", "files"));
            if warnings > 0 {
                let _ = write!(s, " (and {})", plural(warnings, "warning", "warnings"));
            }
            if !tail.is_empty() {
                let _ = write!(s, "; {tail}");
            }
            s
        } else {
            format!("{} ", plural(warnings, "warning", "warnings")).trim_end().to_string()
        }
    }

    /// The machine-readable form, documented in the README (`--format json`).
    pub fn to_json(&self) -> serde_json::Value {
        let diags: Vec<serde_json::Value> = self
            .diagnostics
            .iter()
            .map(|d| {
                let text = self.sources.get(&d.file);
                let (start, end) = match (d.span, text) {
                    (Some(span), Some(text)) => (Some(line_col(text, span.start)), Some(line_col(text, span.end))),
                    _ => (None, None),
                };
                serde_json::json!({
                    "code": d.code.as_str(),
                    "severity": d.severity.as_str(),
                    "message": d.message,
                    "file": display_path(&d.file),
                    "line": start.map(|lc| lc.line),
                    "column": start.map(|lc| lc.column),
                    "end_line": end.map(|lc| lc.line),
                    "end_column": end.map(|lc| lc.column),
                    "path": d.json_path,
                    "label": d.label,
                    "expected": d.expected,
                    "found": d.found,
                    "help": d.help,
                    "fix": d.fix.as_ref().map(|f| serde_json::json!({
                        "file": display_path(&f.file),
                        "path": f.path.to_string(),
                        "value": f.value,
                    })),
                })
            })
            .collect();
        serde_json::json!({
            "version": 1,
            "errors": self.error_count(),
            "warnings": self.warning_count(),
            "diagnostics": diags,
        })
    }
}

/// Forward slashes on every platform, so output is the same everywhere.
pub fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Line and column (1-based, in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> LineCol {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text.get(line_start..offset).map_or(1, |s| s.chars().count() + 1);
    LineCol { line, column }
}

/// The source line holding `span.start`, tabs expanded, the span masked when `redact`; returns
/// it with the caret's display column and width.
fn frame_line(text: &str, span: Span, redact: bool) -> (String, usize, usize) {
    let start = span.start.min(text.len());
    let line_start = text.get(..start).and_then(|b| b.rfind('\n')).map_or(0, |i| i + 1);
    let line_end = text.get(start..).and_then(|a| a.find('\n')).map_or(text.len(), |i| start + i);
    let line = text.get(line_start..line_end).unwrap_or("").trim_end_matches('\r');
    let mut shown = String::new();
    let (mut caret_at, mut caret_len) = (0, 0);
    for (i, c) in line.char_indices() {
        let abs = line_start + i;
        let in_span = abs >= span.start && abs < span.end.max(span.start + 1);
        if abs == span.start {
            caret_at = shown.chars().count();
        }
        let piece: String = match c {
            '\t' => "    ".into(),
            c if redact && in_span && abs > span.start && abs + c.len_utf8() < span.end => "*".into(),
            c => c.to_string(),
        };
        if in_span {
            caret_len += piece.chars().count();
        }
        shown.push_str(&piece);
    }
    if start >= line_start + line.len() {
        caret_at = shown.chars().count();
    }
    (shown, caret_at, caret_len)
}

#[derive(Clone, Copy)]
struct Paint(Style);

impl Paint {
    fn wrap(self, code: &str, text: &str) -> String {
        match self.0 {
            Style::Plain => text.to_string(),
            Style::Color => format!("\x1b[{code}m{text}\x1b[0m"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "{\n  \"é\": 1\n}";
        let offset = text.find('1').expect("digit");
        assert_eq!(line_col(text, offset), LineCol { line: 2, column: 8 });
    }

    #[test]
    fn redacted_span_keeps_its_ends_only() {
        let text = "  \"k\": \"AKIAABCDEFGHIJKLMNOP\"";
        let start = text.find("\"AKIA").expect("value");
        let (line, at, len) = frame_line(text, Span::new(start, text.len()), true);
        assert!(!line.contains("AKIA"), "{line}");
        assert_eq!((at, len), (7, 22));
    }
}
