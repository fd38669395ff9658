//! Diagnostics: the one type every stage uses to describe a problem in user input, the stable
//! error codes, and their rendering (plain, coloured, JSON).
//!
//! Stages return `Vec<Diagnostic>`; they never print. A diagnostic carries a byte span and a JSON
//! path; line and column are derived only when rendering, from the `Sources` it was loaded from.

mod codes;
mod render;

pub use codes::Code;
pub use render::{LineCol, Report, Style, display_path, line_col};

use crate::config::path::JsonPath;
use std::path::PathBuf;

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    /// A span from `start` (inclusive) to `end` (exclusive).
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end: end.max(start) }
    }
}

/// How bad a problem is. Errors stop `generate`; warnings are printed and let it run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    /// The word the renderers print.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem in one config file, with what a reader needs to fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// A lowercase phrase naming the rule that is broken.
    pub message: String,
    /// As the user would type it, relative to the repository root.
    pub file: PathBuf,
    /// Where in the file; `None` for problems with a whole file (unreadable, missing).
    pub span: Option<Span>,
    /// The JSON path of the offending value, `$` for the document itself.
    pub json_path: String,
    /// A few words under the caret.
    pub label: String,
    pub expected: String,
    pub found: String,
    pub help: Option<String>,
    /// Set for values that must not be echoed (secrets): the code frame masks the span.
    pub redact: bool,
    /// The replacement value the help proposes, machine-readable (`--format json`). Only ever a
    /// value that passes the rule that was broken: applying it fixes this problem (another rule
    /// may still object). `None` when the help proposes no concrete value.
    pub fix: Option<Fix>,
}

/// A proposed edit: write `value` at `path` in `file` (replacing the value there, or adding the
/// key when the object exists but lacks it).
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    /// As the user would type it, relative to the repository root; usually the diagnostic's own
    /// file (a missing grant is fixed in the registry's file).
    pub file: PathBuf,
    pub path: JsonPath,
    pub value: serde_json::Value,
}

impl Diagnostic {
    /// An error with the given code and message; fill in the rest with the builder methods.
    pub fn error(code: Code, file: impl Into<PathBuf>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            file: file.into(),
            span: None,
            json_path: "$".into(),
            label: String::new(),
            expected: String::new(),
            found: String::new(),
            help: None,
            redact: false,
            fix: None,
        }
    }

    /// Same as [`Diagnostic::error`] with warning severity.
    pub fn warning(code: Code, file: impl Into<PathBuf>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, file, message) }
    }

    pub fn at(mut self, span: Span, json_path: impl Into<String>) -> Diagnostic {
        self.span = Some(span);
        self.json_path = json_path.into();
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Diagnostic {
        self.expected = expected.into();
        self
    }

    pub fn found(mut self, found: impl Into<String>) -> Diagnostic {
        self.found = found.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn redacted(mut self) -> Diagnostic {
        self.redact = true;
        self
    }

    /// Proposes `value` for `path` in this diagnostic's file.
    pub fn fix(self, path: &JsonPath, value: impl Into<serde_json::Value>) -> Diagnostic {
        let file = self.file.clone();
        self.fix_in(file, path, value)
    }

    /// Proposes `value` for `path` in another file (`file`, relative to the repository root).
    pub fn fix_in(
        mut self,
        file: impl Into<PathBuf>,
        path: &JsonPath,
        value: impl Into<serde_json::Value>,
    ) -> Diagnostic {
        self.fix = Some(Fix { file: file.into(), path: path.clone(), value: value.into() });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The order diagnostics are shown in: by file, then position, then code.
    pub fn sort_key(&self) -> (&PathBuf, usize, usize, Code, &str) {
        let span = self.span.unwrap_or_default();
        (&self.file, span.start, span.end, self.code, &self.message)
    }
}

/// Sorts diagnostics into their display order and drops exact duplicates.
pub fn sort(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup();
}

/// `1 file`, `2 files`: a count and its noun (plural by an "s").
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") }
}

/// Quotes a config value for a `found:` line the way JSON would write it.
pub fn quoted(value: &str) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| format!("\"{value}\""))
}
