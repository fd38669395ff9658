//! JSON paths (`$.models.churn.train_pipeline.auc_threshold`) and lookup of the node at a path.

use super::json::{Node, Value};
use std::fmt;

/// One step of a JSON path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A path from the document root.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JsonPath(pub Vec<Seg>);

impl JsonPath {
    /// The document root, `$`.
    pub fn root() -> JsonPath {
        JsonPath(Vec::new())
    }

    /// This path extended by an object key.
    pub fn key(&self, key: &str) -> JsonPath {
        let mut p = self.clone();
        p.0.push(Seg::Key(key.to_string()));
        p
    }

    /// This path extended by an array index.
    pub fn index(&self, i: usize) -> JsonPath {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }

    /// The last key of the path, for messages ("`aws_region` must be a string").
    pub fn last_key(&self) -> String {
        match self.0.last() {
            Some(Seg::Key(k)) => k.clone(),
            Some(Seg::Index(_)) => {
                let parent = JsonPath(self.0[..self.0.len() - 1].to_vec());
                format!("each item of {}", parent.last_key())
            }
            None => "the file".into(),
        }
    }

    /// The node at this path, if present.
    /// The span of the value at this path in `root`, else of its nearest ancestor that is
    /// written there (the file's first character for none).
    pub fn span_in(&self, root: &Node) -> crate::diag::Span {
        let mut p = self.clone();
        loop {
            if let Some(node) = p.lookup(root) {
                return node.span;
            }
            if p.0.pop().is_none() {
                return crate::diag::Span::new(root.span.start, root.span.start + 1);
            }
        }
    }

    /// The new text of the string at this path in `root` when `found`, all of it or the one
    /// place it occurs in it (a group name inside `"registry:<group>"` or an ARN), becomes `to`
    /// (for a fix). `None` when the value is not written there (a default) or is ambiguous.
    pub fn replacement(&self, root: &Node, found: &str, to: &str) -> Option<String> {
        let text = self.lookup(root)?.as_str()?;
        if text == found {
            return Some(to.to_string());
        }
        (!found.is_empty() && text.matches(found).count() == 1).then(|| text.replacen(found, to, 1))
    }

    pub fn lookup<'a>(&self, root: &'a Node) -> Option<&'a Node> {
        let mut node = root;
        for seg in &self.0 {
            node = match (seg, &node.value) {
                (Seg::Key(k), Value::Object(_)) => node.get(k)?,
                (Seg::Index(i), Value::Array(items)) => items.get(*i)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// The span of the key that holds the value at this path (for "this key" diagnostics).
    pub fn key_span(&self, root: &Node) -> Option<crate::diag::Span> {
        let (last, parent) = self.0.split_last()?;
        let parent = JsonPath(parent.to_vec()).lookup(root)?;
        match (last, &parent.value) {
            (Seg::Key(k), Value::Object(members)) => members.iter().find(|m| &m.key == k).map(|m| m.key_span),
            _ => None,
        }
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("$")?;
        for seg in &self.0 {
            match seg {
                Seg::Key(k) if is_identifier(k) => write!(f, ".{k}")?,
                Seg::Key(k) => write!(f, "[{}]", crate::diag::quoted(k))?,
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

fn is_identifier(k: &str) -> bool {
    let mut chars = k.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_keys_indices_and_odd_keys() {
        let p = JsonPath::root().key("models").key("mammo-model").key("email").index(2);
        assert_eq!(p.to_string(), "$.models[\"mammo-model\"].email[2]");
        assert_eq!(JsonPath::root().key("$schema").to_string(), "$.$schema");
    }
}
