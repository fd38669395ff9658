//! A small HCL builder whose output is already in canonical `terraform fmt` layout: two-space
//! indent, `=` aligned across runs of single-line attributes, one blank line where the generator
//! asks for it, a trailing newline. Every string that may come from a config enters through
//! [`Expr::Str`] or a literal [`Piece`], both escaped by [`escape`]; references are written by
//! the generator itself ([`Expr::Ref`]) and never hold config text.

use std::fmt::Write as _;

/// An HCL expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A quoted string; the text is escaped.
    Str(String),
    /// A quoted template mixing escaped text and references: `"${aws_s3_bucket.x.arn}/*"`.
    Interp(Vec<Piece>),
    /// A bare expression written by the generator (`aws_kms_key.this.arn`, `var.name`).
    Ref(String),
    Num(String),
    Bool(bool),
    Null,
    List(Vec<Expr>),
    /// An object constructor; keys are written bare when they are identifiers, quoted otherwise.
    Object(Vec<(String, Expr)>),
    /// A function call such as `jsonencode({ ... })`.
    Call(String, Vec<Expr>),
}

/// One part of an [`Expr::Interp`].
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Lit(String),
    Ref(String),
}

impl Expr {
    /// A quoted string.
    pub fn str(s: impl Into<String>) -> Expr {
        Expr::Str(s.into())
    }
    /// A generator-written reference or expression.
    pub fn r(s: impl Into<String>) -> Expr {
        Expr::Ref(s.into())
    }
    /// A list of quoted strings.
    pub fn strs<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Expr {
        Expr::List(items.into_iter().map(|s| Expr::Str(s.as_ref().to_string())).collect())
    }
    /// An integer.
    pub fn int(n: i64) -> Expr {
        Expr::Num(n.to_string())
    }
    /// A number as Terraform writes it (no trailing `.0`).
    pub fn float(f: f64) -> Expr {
        Expr::Num(format_float(f))
    }
    /// `"${reference}suffix"`.
    pub fn interp(parts: Vec<Piece>) -> Expr {
        Expr::Interp(parts)
    }
    /// `jsonencode(value)`.
    pub fn jsonencode(value: Expr) -> Expr {
        Expr::Call("jsonencode".into(), vec![value])
    }

    fn is_multiline(&self) -> bool {
        match self {
            Expr::Object(items) => !items.is_empty(),
            Expr::List(items) => items.iter().any(Expr::is_multiline),
            Expr::Call(_, args) => args.iter().any(Expr::is_multiline),
            _ => false,
        }
    }
}

/// A JSON value as an HCL expression (objects keep their key order), for `jsonencode(...)`.
pub fn from_json(v: &serde_json::Value) -> Expr {
    match v {
        serde_json::Value::Null => Expr::Null,
        serde_json::Value::Bool(b) => Expr::Bool(*b),
        serde_json::Value::Number(n) => Expr::Num(n.to_string()),
        serde_json::Value::String(s) => Expr::Str(s.clone()),
        serde_json::Value::Array(items) => Expr::List(items.iter().map(from_json).collect()),
        serde_json::Value::Object(map) => Expr::Object(map.iter().map(|(k, v)| (k.clone(), from_json(v))).collect()),
    }
}

/// Formats a float the shortest way that reads back exactly (`0.75`, `4`, `0.2`).
pub fn format_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 { format!("{}", f as i64) } else { format!("{f}") }
}

/// One item of a body.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Attr(String, Expr),
    Block(Block),
    Blank,
    Comment(String),
}

/// A block: `type "label" ... { body }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub kind: String,
    pub labels: Vec<String>,
    pub body: Body,
}

/// The contents of a file or block.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Body(pub Vec<Item>);

impl Body {
    pub fn new() -> Body {
        Body(Vec::new())
    }
    /// Adds `name = value`.
    pub fn attr(mut self, name: &str, value: Expr) -> Body {
        self.0.push(Item::Attr(name.to_string(), value));
        self
    }
    /// Adds a nested block.
    pub fn block(mut self, b: Block) -> Body {
        self.0.push(Item::Block(b));
        self
    }
    /// Adds a blank line (ends an alignment run).
    pub fn blank(mut self) -> Body {
        self.0.push(Item::Blank);
        self
    }
    /// Adds a `# comment` line; the text must not come from a config (it is not escaped).
    pub fn comment(mut self, text: &str) -> Body {
        self.0.push(Item::Comment(text.to_string()));
        self
    }
    /// Appends items in place.
    pub fn push(&mut self, item: Item) {
        self.0.push(item);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Block {
    /// A block with labels; labels are generator-chosen identifiers or type names.
    pub fn new(kind: &str, labels: &[&str], body: Body) -> Block {
        Block { kind: kind.to_string(), labels: labels.iter().map(|l| l.to_string()).collect(), body }
    }
}

/// Escapes text for the inside of an HCL quoted string: quotes, backslashes and control
/// characters, and doubles `$` and `%` before `{` so Terraform reads text, never a template.
pub fn escape(value: &str, out: &mut String) {
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
}

/// The only way a config string becomes an HCL string literal.
pub fn hcl_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    escape(value, &mut out);
    out.push('"');
    out
}

/// Renders a file body (top level) with a trailing newline.
pub fn render_file(header: &str, body: &Body) -> String {
    let mut out = String::new();
    for line in header.lines() {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    if !header.is_empty() && !body.is_empty() {
        out.push('\n');
    }
    write_body(body, 0, &mut out);
    out
}

fn indent(level: usize, out: &mut String) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn write_body(body: &Body, level: usize, out: &mut String) {
    let items = &body.0;
    let mut i = 0;
    while i < items.len() {
        match &items[i] {
            Item::Attr(..) => {
                // An alignment run: consecutive single-line attributes.
                let start = i;
                while i < items.len() && matches!(&items[i], Item::Attr(_, v) if !v.is_multiline()) {
                    i += 1;
                }
                if i == start {
                    // A multi-line attribute: not padded, its own run.
                    if let Item::Attr(name, value) = &items[i] {
                        indent(level, out);
                        let _ = write!(out, "{name} = ");
                        write_expr(value, level, out);
                        out.push('\n');
                    }
                    i += 1;
                    continue;
                }
                let width = items[start..i]
                    .iter()
                    .filter_map(|it| match it {
                        Item::Attr(n, _) => Some(n.chars().count()),
                        _ => None,
                    })
                    .max()
                    .unwrap_or(0);
                for it in &items[start..i] {
                    if let Item::Attr(name, value) = it {
                        indent(level, out);
                        let _ = write!(out, "{name:<width$} = ");
                        write_expr(value, level, out);
                        out.push('\n');
                    }
                }
            }
            Item::Block(b) => {
                indent(level, out);
                out.push_str(&b.kind);
                for l in &b.labels {
                    out.push(' ');
                    out.push_str(&hcl_quoted(l));
                }
                if b.body.is_empty() {
                    out.push_str(" {}\n");
                } else {
                    out.push_str(" {\n");
                    write_body(&b.body, level + 1, out);
                    indent(level, out);
                    out.push_str("}\n");
                }
                i += 1;
            }
            Item::Blank => {
                out.push('\n');
                i += 1;
            }
            Item::Comment(text) => {
                indent(level, out);
                // checkov reads suppressions written exactly as `#checkov:skip=ID:reason`.
                out.push_str(if text.starts_with("checkov:") { "#" } else { "# " });
                out.push_str(text);
                out.push('\n');
                i += 1;
            }
        }
    }
}

fn is_identifier(k: &str) -> bool {
    let mut chars = k.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn write_expr(e: &Expr, level: usize, out: &mut String) {
    match e {
        Expr::Str(s) => out.push_str(&hcl_quoted(s)),
        Expr::Interp(parts) => {
            out.push('"');
            for p in parts {
                match p {
                    Piece::Lit(s) => escape(s, out),
                    Piece::Ref(r) => {
                        let _ = write!(out, "${{{r}}}");
                    }
                }
            }
            out.push('"');
        }
        Expr::Ref(r) | Expr::Num(r) => out.push_str(r),
        Expr::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Expr::Null => out.push_str("null"),
        Expr::List(items) if !e.is_multiline() => {
            out.push('[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(it, level, out);
            }
            out.push(']');
        }
        Expr::List(items) => {
            out.push_str("[\n");
            for it in items {
                indent(level + 1, out);
                write_expr(it, level + 1, out);
                out.push_str(",\n");
            }
            indent(level, out);
            out.push(']');
        }
        Expr::Object(items) if items.is_empty() => out.push_str("{}"),
        Expr::Object(items) => {
            out.push_str("{\n");
            let keys: Vec<String> =
                items.iter().map(|(k, _)| if is_identifier(k) { k.clone() } else { hcl_quoted(k) }).collect();
            let mut i = 0;
            while i < items.len() {
                let start = i;
                while i < items.len() && !items[i].1.is_multiline() {
                    i += 1;
                }
                if i == start {
                    indent(level + 1, out);
                    let _ = write!(out, "{} = ", keys[i]);
                    write_expr(&items[i].1, level + 1, out);
                    out.push('\n');
                    i += 1;
                    continue;
                }
                let width = keys[start..i].iter().map(|k| k.chars().count()).max().unwrap_or(0);
                for j in start..i {
                    indent(level + 1, out);
                    let _ = write!(out, "{:<width$} = ", keys[j]);
                    write_expr(&items[j].1, level + 1, out);
                    out.push('\n');
                }
            }
            indent(level, out);
            out.push('}');
        }
        Expr::Call(name, args) => {
            out.push_str(name);
            out.push('(');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(a, level, out);
            }
            out.push(')');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_neutralizes_templates_and_controls() {
        assert_eq!(hcl_quoted("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(hcl_quoted("${var.x} %{if}"), r#""$${var.x} %%{if}""#);
        assert_eq!(hcl_quoted("line\nnext\ttab\u{1}"), r#""line\nnext\ttab\u0001""#);
        assert_eq!(hcl_quoted("$ {x} %x"), r#""$ {x} %x""#);
    }

    #[test]
    fn aligns_runs_and_breaks_at_blocks_and_blank_lines() {
        let body = Body::new().block(Block::new(
            "resource",
            &["aws_s3_bucket", "data"],
            Body::new()
                .attr("bucket", Expr::str("b"))
                .attr("force_destroy", Expr::Bool(false))
                .blank()
                .attr("x", Expr::int(1))
                .block(Block::new("lifecycle", &[], Body::new().attr("prevent_destroy", Expr::Bool(true)))),
        ));
        assert_eq!(
            render_file("", &body),
            "resource \"aws_s3_bucket\" \"data\" {\n  bucket        = \"b\"\n  force_destroy = false\n\n  x = 1\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n"
        );
    }
}
