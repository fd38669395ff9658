//! A small JSON parser that keeps what serde_json throws away: the byte span of every value and
//! key, every member of an object in source order (so duplicate keys can be reported rather than
//! silently overwritten), and whether a string literal was written without escapes (so a
//! diagnostic can point at a substring, such as one placeholder inside an ARN).
//!
//! It owns syntax only. It never judges meaning: unknown keys, types and ranges are checked by
//! `config::check` against the declared shape.

use crate::diag::Span;

/// One parsed JSON value with the bytes it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

/// The JSON data model, with objects kept as ordered member lists.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number as written; JSON numbers are compared and converted by the checker.
    Number(Number),
    /// The decoded text, and whether the literal contained no escape sequences (then byte `i` of
    /// the text is byte `span.start + 1 + i` of the source).
    String {
        text: String,
        verbatim: bool,
    },
    Array(Vec<Node>),
    Object(Vec<Member>),
}

/// A JSON number kept as its source text, so integers of any size and decimals survive exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct Number(pub String);

impl Number {
    /// The value as an integer, if it is written as one (no fraction, no exponent) and fits.
    pub fn as_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }
    /// The value as a float (every JSON number has one, possibly infinite for huge exponents).
    pub fn as_f64(&self) -> Option<f64> {
        self.0.parse::<f64>().ok().filter(|f| f.is_finite())
    }
    /// True when the literal has no fraction and no exponent.
    pub fn is_integer_literal(&self) -> bool {
        !self.0.contains(['.', 'e', 'E'])
    }
}

/// One `"key": value` pair of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Span,
    pub node: Node,
}

impl Node {
    /// The member of an object with this key (the first one if the key is duplicated).
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Object(members) => members.iter().find(|m| m.key == key).map(|m| &m.node),
            _ => None,
        }
    }

    /// The string value, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String { text, .. } => Some(text),
            _ => None,
        }
    }

    /// Source span of `text[range]` when this node is a verbatim string literal; otherwise the
    /// span of the whole node.
    pub fn substring_span(&self, range: std::ops::Range<usize>) -> Span {
        match &self.value {
            Value::String { verbatim: true, .. } => {
                Span::new(self.span.start + 1 + range.start, self.span.start + 1 + range.end)
            }
            _ => self.span,
        }
    }

    /// A short description of the JSON type, in the words a diagnostic uses.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(ref n) if n.is_integer_literal() => "an integer",
            Value::Number(_) => "a number",
            Value::String { .. } => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    /// Converts to serde_json's value for typed deserialization. For a duplicated key the first
    /// occurrence wins; duplicates are reported by the checker before this is ever used.
    pub fn to_serde(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::from_str::<serde_json::Number>(&n.0)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::String { text, .. } => serde_json::Value::String(text.clone()),
            Value::Array(items) => serde_json::Value::Array(items.iter().map(Node::to_serde).collect()),
            Value::Object(members) => {
                let mut map = serde_json::Map::new();
                for m in members {
                    if !map.contains_key(&m.key) {
                        map.insert(m.key.clone(), m.node.to_serde());
                    }
                }
                serde_json::Value::Object(map)
            }
        }
    }
}

/// A syntax error: where, what the parser expected there, and what it found.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub span: Span,
    pub expected: String,
    pub found: String,
    pub help: Option<String>,
    /// The words under the caret, when not "expected <expected>".
    pub label: Option<String>,
}

/// Deepest nesting accepted; deeper input is refused instead of risking the stack.
const MAX_DEPTH: usize = 128;

/// Parses one JSON document (RFC 8259). A UTF-8 byte-order mark is tolerated.
pub fn parse(src: &str) -> Result<Node, SyntaxError> {
    let mut p = Parser { src: src.as_bytes(), text: src, pos: 0, depth: 0, last_comma: usize::MAX };
    if src.starts_with('\u{feff}') {
        p.pos = 3;
    }
    p.skip_ws();
    let node = p.value()?;
    p.skip_ws();
    if p.pos < p.src.len() {
        return Err(p.error_here(
            "the end of the file",
            "a second JSON value after the first",
            Some("a config file holds exactly one JSON object"),
        ));
    }
    Ok(node)
}

struct Parser<'a> {
    src: &'a [u8],
    text: &'a str,
    pos: usize,
    depth: usize,
    /// Where the last `,` between members or items was (`usize::MAX`: none yet).
    last_comma: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.src.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    /// Describes the token at the current position for a "found" line.
    fn found_here(&self) -> String {
        match self.text.get(self.pos..).and_then(|rest| rest.chars().next()) {
            None => "the end of the file".to_string(),
            Some(c) if c.is_control() => format!("the control character U+{:04X}", c as u32),
            Some('/') if self.src.get(self.pos + 1).is_some_and(|b| *b == b'/' || *b == b'*') => {
                "a comment".to_string()
            }
            Some(c) => {
                let word: String = self.text[self.pos..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
                    .take(20)
                    .collect();
                if word.chars().count() > 1 { format!("`{word}`") } else { format!("`{c}`") }
            }
        }
    }

    fn char_span_here(&self) -> Span {
        let len = self.text.get(self.pos..).and_then(|r| r.chars().next()).map_or(0, char::len_utf8);
        Span::new(self.pos, self.pos + len)
    }

    fn error_here(&self, expected: &str, found: &str, help: Option<&str>) -> SyntaxError {
        SyntaxError {
            span: self.char_span_here(),
            expected: expected.to_string(),
            found: found.to_string(),
            help: help.map(str::to_string),
            label: None,
        }
    }

    fn unexpected(&self, expected: &str) -> SyntaxError {
        let found = self.found_here();
        let help = if found == "a comment" {
            Some("JSON has no comments; put notes in a \"description\" field or in the README")
        } else if found.starts_with("`'") {
            Some("JSON strings use double quotes")
        } else {
            None
        };
        self.error_here(expected, &found, help)
    }

    /// A comma followed by the closing bracket `close` (the next character): the error points
    /// at the comma, where the mistake is, not at the bracket.
    fn trailing_comma(&self, close: u8) -> Option<SyntaxError> {
        let comma = self.last_comma;
        let between = self.src.get(comma.checked_add(1)?..self.pos)?;
        let only_ws_between = between.iter().all(|b| b" \t\r\n".contains(b));
        (self.peek() == Some(close) && self.src.get(comma) == Some(&b',') && only_ws_between).then(|| SyntaxError {
            span: Span::new(comma, comma + 1),
            expected: format!("another {} after the comma, or no comma", if close == b'}' { "member" } else { "item" }),
            found: format!("`{}` after the comma", close as char),
            help: Some("JSON allows no comma before a closing bracket: remove this one".into()),
            label: Some("trailing comma".into()),
        })
    }

    fn value(&mut self) -> Result<Node, SyntaxError> {
        let start = self.pos;
        let value = match self.peek() {
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => {
                let (text, verbatim) = self.string()?;
                Value::String { text, verbatim }
            }
            Some(b't') => self.keyword("true", Value::Bool(true))?,
            Some(b'f') => self.keyword("false", Value::Bool(false))?,
            Some(b'n') => self.keyword("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            _ => return Err(self.unexpected("a JSON value (object, array, string, number, true, false or null)")),
        };
        Ok(Node { value, span: Span::new(start, self.pos) })
    }

    fn keyword(&mut self, word: &str, value: Value) -> Result<Value, SyntaxError> {
        if self.src[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.unexpected("a JSON value (object, array, string, number, true, false or null)"))
        }
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_here(&format!("at most {MAX_DEPTH} levels of nesting"), "deeper nesting", None));
        }
        Ok(())
    }

    fn object(&mut self) -> Result<Value, SyntaxError> {
        self.enter()?;
        self.pos += 1; // '{'
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.trailing_comma(b'}').unwrap_or_else(|| self.unexpected("a key in double quotes")));
            }
            let key_start = self.pos;
            let (key, _) = self.string()?;
            let key_span = Span::new(key_start, self.pos);
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.unexpected("`:` after the key"));
            }
            self.pos += 1;
            self.skip_ws();
            let node = self.value()?;
            members.push(Member { key, key_span, node });
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.last_comma = self.pos;
                    self.pos += 1;
                }
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.unexpected("`,` or `}`")),
            }
        }
        self.depth -= 1;
        Ok(Value::Object(members))
    }

    fn array(&mut self) -> Result<Value, SyntaxError> {
        self.enter()?;
        self.pos += 1; // '['
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_ws();
            if let Some(e) = self.trailing_comma(b']') {
                return Err(e);
            }
            items.push(self.value()?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.last_comma = self.pos;
                    self.pos += 1;
                }
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.unexpected("`,` or `]`")),
            }
        }
        self.depth -= 1;
        Ok(Value::Array(items))
    }

    /// Parses a string literal at `pos` (which holds `"`); returns the text and whether it was
    /// written without escapes.
    fn string(&mut self) -> Result<(String, bool), SyntaxError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let mut verbatim = true;
        loop {
            let Some(rest) = self.text.get(self.pos..) else {
                return Err(self.error_here("a closing `\"`", "the end of the file", None));
            };
            let Some(c) = rest.chars().next() else {
                return Err(SyntaxError {
                    span: Span::new(open, open + 1),
                    expected: "a closing `\"` for this string".into(),
                    found: "the end of the file".into(),
                    help: Some("close the string with `\"`".into()),
                    label: None,
                });
            };
            match c {
                '"' => {
                    self.pos += 1;
                    return Ok((out, verbatim));
                }
                '\\' => {
                    verbatim = false;
                    self.escape(&mut out)?;
                }
                '\n' | '\r' if self.unterminated_at_line_end() => return Err(self.unterminated(open)),
                c if (c as u32) < 0x20 => {
                    return Err(self.error_here(
                        "a closing `\"` (strings cannot span lines)",
                        &format!("the control character U+{:04X}", c as u32),
                        Some("write a line break inside a string as \\n"),
                    ));
                }
                c => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    /// At a line break inside a string: whether the string was simply left open, because what
    /// follows the line break reads as JSON again (a key, a closing bracket, the end of the file),
    /// rather than as the rest of a string meant to span lines.
    fn unterminated_at_line_end(&self) -> bool {
        let next = self.text.get(self.pos..).unwrap_or("").trim_start();
        next.is_empty() || next.starts_with(['"', '}', ']'])
    }

    /// The error for a string opened at `open` and not closed before the line break at `pos`:
    /// the whole opened string is underlined, and the help shows it closed.
    fn unterminated(&self, open: usize) -> SyntaxError {
        let written = self.text.get(open + 1..self.pos).unwrap_or("").trim_end();
        let (content, comma) = match written.strip_suffix(',') {
            Some(c) => (c.trim_end(), ","),
            None => (written, ""),
        };
        SyntaxError {
            span: Span::new(open, self.pos),
            expected: "a closing `\"` before the end of the line".into(),
            found: "the end of the line".into(),
            help: Some(format!("close the string: \"{content}\"{comma}")),
            label: Some("this string is never closed".into()),
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), SyntaxError> {
        let start = self.pos;
        self.pos += 1; // backslash
        let bad = |p: &Self| SyntaxError {
            span: Span::new(start, (p.pos + 1).min(p.src.len())),
            expected: "an escape sequence (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)".into(),
            found: format!("`{}`", p.text.get(start..(p.pos + 1).min(p.src.len())).unwrap_or("\\")),
            help: Some("write a literal backslash as \\\\".into()),
            label: None,
        };
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let hi = self.hex4().ok_or_else(|| bad(self))?;
                let c = if (0xD800..0xDC00).contains(&hi) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    if self.src.get(self.pos..self.pos + 2) == Some(b"\\u") {
                        self.pos += 2;
                        let lo = self.hex4().ok_or_else(|| bad(self))?;
                        if !(0xDC00..0xE000).contains(&lo) {
                            return Err(bad(self));
                        }
                        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                    } else {
                        None
                    }
                } else {
                    char::from_u32(hi)
                };
                out.push(c.ok_or_else(|| bad(self))?);
                return Ok(());
            }
            _ => return Err(bad(self)),
        };
        out.push(c);
        self.pos += 1;
        Ok(())
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.pos..self.pos + 4)?;
        let v = u32::from_str_radix(digits, 16).ok()?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        Some(v)
    }

    fn number(&mut self) -> Result<Value, SyntaxError> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let s = p.pos;
            while p.peek().is_some_and(|b| b.is_ascii_digit()) {
                p.pos += 1;
            }
            p.pos > s
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        if self.peek() == Some(b'0') {
            self.pos += 1;
            if self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.error_here(
                    "a number without leading zeros",
                    "a leading zero",
                    Some("quote values such as account ids (\"012345678901\") so leading zeros survive"),
                ));
            }
        } else if !digits(self) {
            return Err(self.unexpected("a digit"));
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !digits(self) {
                return Err(self.unexpected("a digit after the decimal point"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !digits(self) {
                return Err(self.unexpected("a digit in the exponent"));
            }
        }
        Ok(Value::Number(Number(self.text[start..self.pos].to_string())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_spans_and_member_order() {
        let src = r#"{"b": 1, "a": [true, null], "b": "x"}"#;
        let node = parse(src).expect("valid json");
        let Value::Object(members) = &node.value else { panic!("object expected") };
        let keys: Vec<_> = members.iter().map(|m| m.key.as_str()).collect();
        assert_eq!(keys, ["b", "a", "b"]);
        assert_eq!(&src[members[1].node.span.start..members[1].node.span.end], "[true, null]");
        assert_eq!(&src[members[2].key_span.start..members[2].key_span.end], "\"b\"");
    }

    #[test]
    fn verbatim_strings_map_substrings_to_source() {
        let src = r#"{"k": "arn:<x>"}"#;
        let node = parse(src).expect("valid json");
        let v = node.get("k").expect("member");
        let span = v.substring_span(4..7);
        assert_eq!(&src[span.start..span.end], "<x>");
    }

    #[test]
    fn decodes_escapes_and_surrogate_pairs() {
        let node = parse(r#""a\"b\\c\n\u00e9\ud83d\ude00""#).expect("valid json");
        assert_eq!(node.as_str(), Some("a\"b\\c\né😀"));
        assert!(matches!(node.value, Value::String { verbatim: false, .. }));
    }

    #[test]
    fn points_at_the_trailing_comma_not_the_bracket() {
        for src in ["{\"a\": 1,}", "{\"a\": [1, 2,\n  ]}", "{\"a\": {\"b\": 1},\n}", "[{\"a\": [1,2]},]"] {
            let err = parse(src).expect_err("trailing comma");
            let comma = src.rfind(',').expect("a comma");
            assert_eq!(err.span, Span::new(comma, comma + 1), "{src:?}");
            assert!(err.help.as_deref().is_some_and(|h| h.contains("remove this one")), "{err:?}");
        }
        // A missing value is not a trailing comma.
        let err = parse("{\"a\": }").expect_err("no value");
        assert_eq!(err.found, "`}`");
        assert_eq!(err.help, None);
    }

    #[test]
    fn an_unterminated_string_is_told_to_close_not_to_escape() {
        let src = "{\n  \"a\": \"acme-data,\n  \"b\": 1\n}";
        let err = parse(src).expect_err("unterminated");
        assert_eq!(&src[err.span.start..err.span.end], "\"acme-data,");
        assert_eq!(err.help.as_deref(), Some("close the string: \"acme-data\","));
        // A string that goes on after the line break: the line break is the mistake.
        let err = parse("{\"a\": \"line one\nline two\"}").expect_err("line break");
        assert_eq!(err.help.as_deref(), Some("write a line break inside a string as \\n"));
    }

    #[test]
    fn rejects_deep_nesting_without_overflowing() {
        let src = "[".repeat(100_000);
        let err = parse(&src).expect_err("too deep");
        assert!(err.expected.contains("levels of nesting"));
    }

    #[test]
    fn rejects_lone_surrogates_and_bad_escapes() {
        assert!(parse(r#""\ud800""#).is_err());
        assert!(parse(r#""\x""#).is_err());
        assert!(parse(r#""\u12""#).is_err());
        assert!(parse("\"abc").is_err());
        assert!(parse("01").is_err());
        assert!(parse("1.").is_err());
        assert!(parse("").is_err());
    }
}
