//! Scans every string of a file for the blog post's placeholders (`<prod-account-id>`) and for
//! values that look like credentials. Both are reported before any other rule looks at the value,
//! and values holding a placeholder are skipped by later rules (one problem, one diagnostic).

use crate::config::json::{Node, Value};
use crate::config::path::{JsonPath, Seg};
use crate::diag::{Code, Diagnostic, quoted};
use crate::validate::structure::looks_like_secret_key;
use std::collections::BTreeSet;
use std::path::Path;

/// Paths of values that hold a placeholder, so later rules leave them alone.
pub type Placeholders = BTreeSet<JsonPath>;

/// Reports placeholders (one diagnostic each) and secrets (keys named like credentials, values
/// that look like them). Returns the paths later rules must skip: values holding a placeholder
/// or a secret (a secret must not be echoed by another rule's code frame).
pub fn scan(file: &Path, root: &Node) -> (Vec<Diagnostic>, Placeholders) {
    let mut diags = Vec::new();
    let mut marked = Placeholders::new();
    walk(root, &JsonPath::root(), &mut |node, path| {
        if let Some(Seg::Key(key)) = path.0.last()
            && looks_like_secret_key(key)
        {
            marked.insert(path.clone());
            diags.push(secret(file, node, path, format!("a key named {}", quoted(key))));
            return;
        }
        if marked.iter().any(|m| path.0.starts_with(&m.0)) {
            return;
        }
        let Some(text) = node.as_str() else { return };
        for (range, name) in placeholders(text) {
            marked.insert(path.clone());
            let span = node.substring_span(range);
            let (what, help) = placeholder_hint(name, path);
            diags.push(
                Diagnostic::error(Code::E0206, file, format!("placeholder <{name}> must be replaced"))
                    .at(span, path.to_string())
                    .label("placeholder from the blog post's sample")
                    .expected(what)
                    .found(quoted(&format!("<{name}>")))
                    .help(help),
            );
        }
        if let Some(kind) = secret_kind(text) {
            marked.insert(path.clone());
            diags.push(secret(file, node, path, format!("{kind} (value not shown)")));
        }
    });
    (diags, marked)
}

/// The diagnostic for a credential; redacted so no renderer echoes the value.
fn secret(file: &Path, node: &Node, path: &JsonPath, found: String) -> Diagnostic {
    Diagnostic::error(Code::E0207, file, "secrets do not belong in a config file")
        .at(node.span, path.to_string())
        .label("value not shown")
        .expected("no credentials in environments/*.tfvars.json")
        .found(found)
        .help("remove it and rotate the credential if it was ever committed; Jenkins and preflight take credentials from the environment (AWS_PROFILE, instance role)")
        .redacted()
}

fn walk(node: &Node, path: &JsonPath, f: &mut dyn FnMut(&Node, &JsonPath)) {
    f(node, path);
    match &node.value {
        Value::Array(items) => items.iter().enumerate().for_each(|(i, n)| walk(n, &path.index(i), f)),
        Value::Object(members) => members.iter().for_each(|m| walk(&m.node, &path.key(&m.key), f)),
        _ => {}
    }
}

/// Every `<name>` in a string (name: letters, digits, `-`, `_`, spaces), with its byte range.
pub fn placeholders(text: &str) -> Vec<(std::ops::Range<usize>, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find('<').map(|i| from + i) {
        let Some(close) = text[open..].find('>').map(|i| open + i) else { break };
        let name = &text[open + 1..close];
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_ ".contains(c)) {
            out.push((open..close + 1, name));
            from = close + 1;
        } else {
            from = open + 1;
        }
    }
    out
}

/// What belongs where a placeholder stands: an "expected" phrase and a hint.
fn placeholder_hint(name: &str, path: &JsonPath) -> (String, String) {
    let n = name.to_ascii_lowercase();
    let key = path.last_key();
    if n.contains("account-id") {
        let whose = n.trim_end_matches("-account-id").replace('-', " ");
        let example = if whose.contains("registry") {
            "333333333333"
        } else if whose.contains("dev") {
            "111111111111"
        } else {
            "222222222222"
        };
        return (
            format!("the 12-digit id of the {whose} account"),
            format!(
                "e.g. \"{example}\"; set \"account_id\" once at the top level and keep the ARNs consistent with it"
            ),
        );
    }
    if n.contains("kms-key-id") {
        return (
            "the id of the existing KMS key (a UUID)".into(),
            "e.g. \"1234abcd-12ab-34cd-56ef-1234567890ab\"; or replace the whole kms_key value with {\"create\": true} and mlopsgen creates the key".into(),
        );
    }
    if n.contains("state") && n.contains("bucket") {
        return (
            "the name of the Terraform state bucket".into(),
            "e.g. \"acme-tfstate-prod\"; or {\"name\": \"acme-tfstate-prod\", \"create\": true} and bootstrap/ creates it".into(),
        );
    }
    if n.contains("bucket") {
        let whose = if n.contains("registry") { "the central model registry account" } else { "this account" };
        return (
            format!("the name of an S3 bucket in {whose}"),
            format!(
                "e.g. \"acme-sagemaker-{}\"; or {{\"name\": \"...\", \"create\": true}} and mlopsgen creates it",
                if n.contains("registry") { "model-artifacts" } else { "prod-data" }
            ),
        );
    }
    if n.contains("role") {
        return (
            "the name of the existing IAM role".into(),
            format!("or remove {key} and mlopsgen creates the role with least-privilege policies"),
        );
    }
    ("a real value".into(), format!("replace <{name}> with the value for this environment"))
}

/// Recognizes AWS credentials: access key ids, secret access keys and session tokens.
fn secret_kind(text: &str) -> Option<&'static str> {
    let t = text.trim();
    let b64 = |c: char| c.is_ascii_alphanumeric() || c == '/' || c == '+' || c == '=';
    for word in t.split(|c: char| !c.is_ascii_alphanumeric()) {
        if word.len() == 20
            && (word.starts_with("AKIA") || word.starts_with("ASIA"))
            && word.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            return Some("an AWS access key id");
        }
    }
    let mixed = t.chars().any(|c| c.is_ascii_lowercase())
        && t.chars().any(|c| c.is_ascii_uppercase())
        && t.chars().any(|c| c.is_ascii_digit());
    if t.len() == 40 && t.chars().all(b64) && mixed && (t.contains('/') || t.contains('+')) {
        return Some("an AWS secret access key");
    }
    if t.len() >= 100 && t.chars().all(b64) && mixed {
        return Some("an AWS session token");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_placeholder_with_its_range() {
        let s = "arn:aws:kms:us-east-1:<prod-account-id>:key/<kms-key-id-in-prod-account>";
        let found = placeholders(s);
        assert_eq!(found.len(), 2);
        assert_eq!(&s[found[0].0.clone()], "<prod-account-id>");
        assert_eq!(found[1].1, "kms-key-id-in-prod-account");
        assert!(placeholders("a < b > c").len() == 1);
        assert!(placeholders("x<>y").is_empty());
    }

    #[test]
    fn recognizes_credentials_only() {
        assert_eq!(secret_kind("AKIAIOSFODNN7EXAMPLE"), Some("an AWS access key id"));
        assert_eq!(secret_kind("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), Some("an AWS secret access key"));
        assert_eq!(secret_kind("mammo-severity-model-package"), None);
        assert_eq!(secret_kind("1234abcd-12ab-34cd-56ef-1234567890ab"), None);
    }
}
