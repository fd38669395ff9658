//! The structural check: one file's JSON tree against the declared shape (`config::shape`).
//! Reports duplicate keys, unknown keys (with a did-you-mean), wrong types, missing required keys,
//! out-of-range numbers and lengths, values outside an enumeration, repeated list items, and keys
//! that would hold secrets. It returns the diagnostics and a cleaned copy of the tree with every
//! offending member removed, so later checks still run on everything that was well-formed.

use crate::config::json::{Node, Value};
use crate::config::path::JsonPath;
use crate::config::shape::{self, Field, Kind, Shape};
use crate::diag::{Code, Diagnostic, Span, quoted};
use serde_json::Value as Json;
use std::path::Path;

/// A value for a required top-level key that the file lacks, known from outside the file: the
/// environment name from the file's name, the region the other environments agree on.
#[derive(Debug, Clone)]
pub struct Known {
    pub key: &'static str,
    pub value: String,
    /// Where the value comes from, for the help: "the file is prod.tfvars.json".
    pub because: String,
}

/// Checks `root` against the file shape. `Json::Null` stands for "nothing usable" at any level.
/// A missing top-level key with a value in `known` gets that value as its fix.
pub fn check(file: &Path, src: &str, root: &Node, known: &[Known]) -> (Vec<Diagnostic>, Json) {
    check_against(file, src, root, shape::env_file(), known)
}

/// The structural check of a model file (`models/<model>.json`).
pub fn check_model(file: &Path, src: &str, root: &Node) -> (Vec<Diagnostic>, Json) {
    check_against(file, src, root, shape::model_file_shape(), &[])
}

fn check_against(file: &Path, src: &str, root: &Node, shape: &Shape, known: &[Known]) -> (Vec<Diagnostic>, Json) {
    let mut c = Checker { file, src, known, diags: Vec::new() };
    let cleaned = c.node(root, shape, &JsonPath::root());
    (c.diags, cleaned)
}

struct Checker<'a> {
    file: &'a Path,
    src: &'a str,
    known: &'a [Known],
    diags: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn err(&self, code: Code, message: String, span: Span, path: &JsonPath) -> Diagnostic {
        Diagnostic::error(code, self.file, message).at(span, path.to_string())
    }

    fn node(&mut self, node: &Node, shape: &Shape, path: &JsonPath) -> Json {
        match (&shape.kind, &node.value) {
            (Kind::Either(alts), _) => match alts.iter().find(|alt| same_json_type(alt, node)) {
                Some(alt) => self.node(node, alt, path),
                None => {
                    self.wrong_type(node, shape, path);
                    Json::Null
                }
            },
            (Kind::String { min_len, max_len, one_of, .. }, Value::String { text, .. }) => {
                let len = text.chars().count();
                if !one_of.is_empty() && !one_of.contains(&text.as_str()) {
                    let mut d = self
                        .err(
                            Code::E0205,
                            format!("`{}` is not one of the allowed values", path.last_key()),
                            node.span,
                            path,
                        )
                        .label("not allowed here")
                        .expected(one_of.iter().map(|v| quoted(v)).collect::<Vec<_>>().join(", "))
                        .found(quoted(text));
                    if let Some(s) = did_you_mean(text, one_of.iter().copied()) {
                        d = d.help(format!("did you mean {}?", quoted(s))).fix(path, s);
                    }
                    self.diags.push(d);
                    return Json::Null;
                }
                if len < *min_len || len > *max_len {
                    let expected = if *max_len == usize::MAX {
                        format!("at least {min_len} characters")
                    } else {
                        format!("{min_len} to {max_len} characters")
                    };
                    self.diags.push(
                        self.err(Code::E0204, format!("`{}` has the wrong length", path.last_key()), node.span, path)
                            .label(format!("{len} characters"))
                            .expected(expected)
                            .found(format!("{len} characters")),
                    );
                    return Json::Null;
                }
                Json::String(text.clone())
            }
            (Kind::Integer { min, max }, Value::Number(n)) if n.is_integer_literal() => {
                match n.as_i64().filter(|v| v >= min && v <= max) {
                    Some(v) => Json::from(v),
                    None => {
                        self.out_of_range(node, path, &format!("an integer from {min} to {max}"), &n.0);
                        Json::Null
                    }
                }
            }
            (Kind::Number { min, max }, Value::Number(n)) => match n.as_f64().filter(|v| v >= min && v <= max) {
                Some(_) => node.to_serde(),
                None => {
                    self.out_of_range(node, path, &format!("a number from {min} to {max}"), &n.0);
                    Json::Null
                }
            },
            (Kind::Bool, Value::Bool(b)) => Json::Bool(*b),
            (Kind::Array { items, min_items, max_items, unique }, Value::Array(list)) => {
                if list.len() < *min_items || list.len() > *max_items {
                    self.diags.push(
                        self.err(
                            Code::E0204,
                            format!("`{}` has the wrong number of items", path.last_key()),
                            node.span,
                            path,
                        )
                        .label(format!("{} items", list.len()))
                        .expected(format!("{min_items} to {max_items} items"))
                        .found(format!("{} items", list.len())),
                    );
                }
                let mut out = Vec::new();
                for (i, item) in list.iter().enumerate() {
                    let item_path = path.index(i);
                    if *unique && let Some(first) = list[..i].iter().position(|prev| prev.to_serde() == item.to_serde())
                    {
                        self.diags.push(
                            self.err(Code::E0209, "an item is listed twice".into(), item.span, &item_path)
                                .label("repeated")
                                .expected("each item once")
                                .found(format!("the same value as item {first}"))
                                .help("remove one of them"),
                        );
                        continue;
                    }
                    let v = self.node(item, items, &item_path);
                    if !v.is_null() {
                        out.push(v);
                    }
                }
                Json::Array(out)
            }
            (Kind::Object { fields }, Value::Object(members)) => self.object(node, members, fields, path),
            (Kind::Map { values, max_entries, .. }, Value::Object(members)) => {
                self.duplicates(members, path);
                if members.len() > *max_entries {
                    self.diags.push(
                        self.err(Code::E0204, format!("`{}` has too many entries", path.last_key()), node.span, path)
                            .expected(format!("at most {max_entries} entries"))
                            .found(format!("{} entries", members.len())),
                    );
                }
                let mut out = serde_json::Map::new();
                for m in members {
                    if out.contains_key(&m.key) {
                        continue;
                    }
                    let v = self.node(&m.node, values, &path.key(&m.key));
                    if !v.is_null() {
                        out.insert(m.key.clone(), v);
                    }
                }
                Json::Object(out)
            }
            _ => {
                self.wrong_type(node, shape, path);
                Json::Null
            }
        }
    }

    fn object(
        &mut self,
        node: &Node,
        members: &[crate::config::json::Member],
        fields: &[Field],
        path: &JsonPath,
    ) -> Json {
        self.duplicates(members, path);
        let mut out = serde_json::Map::new();
        for m in members {
            if out.contains_key(&m.key) {
                continue;
            }
            let member_path = path.key(&m.key);
            match fields.iter().find(|f| f.name == m.key) {
                Some(field) => {
                    let v = self.node(&m.node, &field.shape, &member_path);
                    if !v.is_null() {
                        out.insert(m.key.clone(), v);
                    }
                }
                // Reported (without echoing the value) by the secret scan.
                None if looks_like_secret_key(&m.key) => {}
                None => self.unknown_key(m, fields, &member_path),
            }
        }
        let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
        // A misspelt required key is one problem: the unknown key's did-you-mean says it.
        let suggested: Vec<&str> = members
            .iter()
            .filter(|m| !names.contains(&m.key.as_str()))
            .filter_map(|m| did_you_mean(&m.key, names.iter().copied()))
            .collect();
        for field in fields.iter().filter(|f| f.required && !suggested.contains(&f.name)) {
            if !members.iter().any(|m| m.key == field.name) {
                let mut d = self
                    .err(
                        Code::E0203,
                        format!("missing required key `{}`", field.name),
                        Span::new(node.span.start, node.span.start + 1),
                        path,
                    )
                    .label(format!("this object needs \"{}\"", field.name))
                    .expected(format!(
                        "a key {} ({})",
                        quoted(field.name),
                        field.shape.description.trim_end_matches('.')
                    ))
                    .found("no such key");
                let known = self.known.iter().find(|k| path.0.is_empty() && k.key == field.name);
                if let Some(k) = known {
                    d = d
                        .help(format!("{}: add {}: {}", k.because, quoted(k.key), quoted(&k.value)))
                        .fix(&path.key(k.key), k.value.clone());
                }
                self.diags.push(d);
            }
        }
        Json::Object(out)
    }

    fn duplicates(&mut self, members: &[crate::config::json::Member], path: &JsonPath) {
        for (i, m) in members.iter().enumerate() {
            if let Some(first) = members[..i].iter().find(|prev| prev.key == m.key) {
                let lc = crate::diag::line_col(self.src, first.key_span.start);
                let line_hint = format!("{} also on line {}, column {}", quoted(&m.key), lc.line, lc.column);
                self.diags.push(
                    Diagnostic::error(Code::E0103, self.file, format!("duplicate key {}", quoted(&m.key)))
                        .at(m.key_span, path.key(&m.key).to_string())
                        .label("second occurrence")
                        .expected("each key once per object")
                        .found(line_hint)
                        .help("JSON parsers disagree on which value wins; keep one"),
                );
            }
        }
    }

    fn unknown_key(&mut self, m: &crate::config::json::Member, fields: &[Field], path: &JsonPath) {
        let names: Vec<&str> = fields.iter().map(|f| f.name).filter(|n| *n != "$schema").collect();
        let parent = match path.0.len() {
            0 | 1 => "the top level".to_string(),
            _ => format!("`{}`", JsonPath(path.0[..path.0.len() - 1].to_vec()).last_key()),
        };
        let mut d = Diagnostic::error(Code::E0201, self.file, format!("unknown key {}", quoted(&m.key)))
            .at(m.key_span, path.to_string())
            .label(format!("not a key of {parent}"))
            .expected(format!("one of {}", names.join(", ")))
            .found(quoted(&m.key));
        if let Some(why) = retired(path, &m.key) {
            d = d.help(why);
        } else if let Some(s) = did_you_mean(&m.key, names.iter().copied()) {
            d = d.help(format!("did you mean {}?", quoted(s)));
        } else if let Some(place) = elsewhere(&m.key) {
            d = d.help(format!("{} is a key of {place}", quoted(&m.key)));
        }
        self.diags.push(d);
    }

    fn wrong_type(&mut self, node: &Node, shape: &Shape, path: &JsonPath) {
        let mut expected = shape.type_phrase();
        if let Some(default) = &shape.default {
            expected.push_str(&format!(", e.g. {default}"));
        }
        let found = match &node.value {
            Value::String { text, .. } => format!("a string {}", quoted(text)),
            Value::Number(n) => format!("{} {}", node.type_name(), n.0),
            _ => node.type_name().to_string(),
        };
        let help = match (&shape.kind, &node.value) {
            (Kind::Integer { .. } | Kind::Number { .. }, Value::String { .. }) => Some("write numbers without quotes"),
            (Kind::String { .. }, Value::Number(_)) => {
                Some("put the value in double quotes (account ids are strings so leading zeros survive)")
            }
            (Kind::Bool, Value::String { .. }) => Some("write true or false without quotes"),
            (Kind::Integer { .. }, Value::Number(_)) => Some("this value counts whole things; drop the fraction"),
            _ => None,
        };
        let mut d = self
            .err(Code::E0202, format!("`{}` must be {}", path.last_key(), shape.type_phrase()), node.span, path)
            .label(format!("this is {}", node.type_name()))
            .expected(expected)
            .found(found);
        if let Some(h) = help {
            d = d.help(h);
        }
        if let Some(v) = retyped(node, shape) {
            d = d.fix(path, v);
        }
        self.diags.push(d);
    }

    fn out_of_range(&mut self, node: &Node, path: &JsonPath, expected: &str, found: &str) {
        self.diags.push(
            self.err(Code::E0204, format!("`{}` is out of range", path.last_key()), node.span, path)
                .label("out of range")
                .expected(expected)
                .found(found),
        );
    }
}

/// The value a wrong-typed node means, in the type the shape wants, when the help's advice
/// (drop the quotes, add them) gives a value the shape accepts.
fn retyped(node: &Node, shape: &Shape) -> Option<Json> {
    match (&shape.kind, &node.value) {
        (Kind::Integer { min, max }, Value::String { text, .. }) => {
            text.trim().parse::<i64>().ok().filter(|v| v >= min && v <= max).map(Json::from)
        }
        (Kind::Number { min, max }, Value::String { text, .. }) => {
            let v = text.trim().parse::<f64>().ok().filter(|v| v >= min && v <= max)?;
            serde_json::Number::from_f64(v).map(Json::Number)
        }
        (Kind::Bool, Value::String { text, .. }) => match text.trim() {
            "true" => Some(Json::Bool(true)),
            "false" => Some(Json::Bool(false)),
            _ => None,
        },
        (Kind::String { min_len, max_len, one_of, .. }, Value::Number(n)) => {
            let len = n.0.chars().count();
            (len >= *min_len && len <= *max_len && (one_of.is_empty() || one_of.contains(&n.0.as_str())))
                .then(|| Json::String(n.0.clone()))
        }
        _ => None,
    }
}

fn same_json_type(shape: &Shape, node: &Node) -> bool {
    matches!(
        (&shape.kind, &node.value),
        (Kind::String { .. }, Value::String { .. })
            | (Kind::Integer { .. } | Kind::Number { .. }, Value::Number(_))
            | (Kind::Bool, Value::Bool(_))
            | (Kind::Array { .. }, Value::Array(_))
            | (Kind::Object { .. } | Kind::Map { .. }, Value::Object(_))
    )
}

/// Key names that only a credential would have.
pub fn looks_like_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase().replace('-', "_");
    ["secret", "password", "passwd", "session_token", "access_key", "private_key", "api_key", "token"]
        .iter()
        .any(|w| k.contains(w))
}

/// The closest candidate by edit distance, if it is close enough to be a typo.
pub fn did_you_mean<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = input.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len().max(input.len()) / 3).max(1))
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// [`did_you_mean`] for environment names, which people abbreviate or spell out (`prod` for
/// `production`): failing a close spelling, the one candidate that starts the input or that
/// the input starts (three characters at least).
pub fn did_you_mean_env<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    if let Some(s) = did_you_mean(input, candidates.iter().copied()) {
        return Some(s);
    }
    let lower = input.to_ascii_lowercase();
    let related: Vec<&str> = candidates
        .into_iter()
        .filter(|c| c.len().min(lower.len()) >= 3 && (lower.starts_with(*c) || c.starts_with(lower.as_str())))
        .collect();
    match related[..] {
        [one] => Some(one),
        _ => None,
    }
}

/// Edit distance counting an insertion, deletion, substitution or swap of two neighbouring
/// characters as one edit (optimal string alignment): `prdo` is one edit from `prod`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// Where else in the file format a key of this name exists ("`inference_pipeline`").
/// Why a key that earlier releases accepted is gone, and what replaces it.
fn retired(path: &JsonPath, key: &str) -> Option<&'static str> {
    let parent = match path.0.len() {
        0 | 1 => return None,
        _ => JsonPath(path.0[..path.0.len() - 1].to_vec()).last_key(),
    };
    match (parent.as_str(), key) {
        ("drift", "p_value" | "drifted_features_share") => Some(
            "the drift check no longer tests each feature at a fixed p-value nor counts a share of drifted features: it controls the false discovery rate over all its tests; remove this key and set \"false_discovery_rate\" (default 0.05) if needed",
        ),
        ("drift", "missing_share") => Some(
            "missing values are now tested with Fisher's exact test under the same false discovery rate, with no minimum rise; remove this key",
        ),
        ("drift", "psi") => Some(
            "the PSI is no longer required for drift (it is reported with its chance level); remove this key, or write \"min_psi\" to keep it as an extra gate",
        ),
        _ => None,
    }
}

fn elsewhere(key: &str) -> Option<String> {
    fn walk(shape: &Shape, at: &str, key: &str, found: &mut Vec<String>) {
        match &shape.kind {
            Kind::Object { fields } => {
                for f in fields {
                    let here = if at.is_empty() { f.name.to_string() } else { format!("{at}.{}", f.name) };
                    if f.name == key {
                        found.push(if at.is_empty() { "the top level".into() } else { format!("`{at}`") });
                    }
                    walk(&f.shape, &here, key, found);
                }
            }
            Kind::Map { values, .. } => walk(values, &format!("{at}.<name>"), key, found),
            Kind::Array { items, .. } => walk(items, at, key, found),
            Kind::Either(alts) => alts.iter().for_each(|a| walk(a, at, key, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(shape::env_file(), "", key, &mut found);
    found.dedup();
    found.first().cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(did_you_mean("aws_regoin", ["aws_region", "account_id"]), Some("aws_region"));
        assert_eq!(did_you_mean("zzz", ["aws_region", "account_id"]), None);
        assert_eq!(did_you_mean("prdo", ["prod", "registry"]), Some("prod"));
        assert_eq!(did_you_mean_env("production", ["dev", "prod", "registry"]), Some("prod"));
        assert_eq!(did_you_mean_env("staging", ["dev", "prod", "registry"]), None);
        assert_eq!(did_you_mean_env("devel", ["dev", "dev2"]), Some("dev"));
    }

    #[test]
    fn finds_a_key_at_another_level() {
        assert_eq!(elsewhere("cron_schedule").as_deref(), Some("`inference_pipeline`"));
    }
}
