//! IAM policy statements, written either as `data "aws_iam_policy_document"` blocks (identity
//! and resource policies, which checkov reads) or as `jsonencode` objects (KMS key policies,
//! where `Resource = "*"` means "this key": aws-facts.md §5.3). Statements are sorted by `Sid`,
//! actions and principals alphabetically, so a diff shows only what changed.

use super::hcl::{Block, Body, Expr};

/// A principal: `AWS`, `Service`, or `*`.
#[derive(Debug, Clone)]
pub struct Principal {
    pub kind: &'static str,
    pub ids: Vec<Expr>,
}

/// A condition: `test variable values`.
#[derive(Debug, Clone)]
pub struct Condition {
    pub test: &'static str,
    pub variable: String,
    pub values: Vec<Expr>,
}

/// One statement.
#[derive(Debug, Clone)]
pub struct Stmt {
    pub sid: String,
    pub deny: bool,
    pub actions: Vec<String>,
    pub resources: Vec<Expr>,
    pub principals: Vec<Principal>,
    pub conditions: Vec<Condition>,
    /// Why a resource is `"*"`; written above the statement's `resources`.
    pub comment: Option<&'static str>,
}

impl Stmt {
    /// An Allow statement for `actions` on `resources`.
    pub fn allow(sid: &str, actions: &[&str], resources: Vec<Expr>) -> Stmt {
        Stmt {
            sid: sid.to_string(),
            deny: false,
            actions: actions.iter().map(|a| a.to_string()).collect(),
            resources,
            principals: Vec::new(),
            conditions: Vec::new(),
            comment: None,
        }
    }
    /// A Deny statement for `actions` on `resources`.
    pub fn deny(sid: &str, actions: &[&str], resources: Vec<Expr>) -> Stmt {
        Stmt { deny: true, ..Stmt::allow(sid, actions, resources) }
    }
    pub fn principal(mut self, kind: &'static str, ids: Vec<Expr>) -> Stmt {
        self.principals.push(Principal { kind, ids });
        self
    }
    pub fn condition(mut self, test: &'static str, variable: &str, values: Vec<Expr>) -> Stmt {
        self.conditions.push(Condition { test, variable: variable.to_string(), values });
        self
    }
    pub fn why_star(mut self, comment: &'static str) -> Stmt {
        self.comment = Some(comment);
        self
    }
    fn normalized(mut self) -> Stmt {
        self.actions.sort();
        self.actions.dedup();
        self.principals.sort_by(|a, b| a.kind.cmp(b.kind));
        self
    }
}

/// `data "aws_iam_policy_document" "<label>" { statement { ... } ... }`.
pub fn document(label: &str, mut stmts: Vec<Stmt>) -> Block {
    stmts.sort_by(|a, b| a.sid.cmp(&b.sid));
    let mut body = Body::new();
    for (i, s) in stmts.into_iter().enumerate() {
        if i > 0 {
            body = body.blank();
        }
        body = body.block(statement_block(s.normalized()));
    }
    Block::new("data", &["aws_iam_policy_document", label], body)
}

fn statement_block(s: Stmt) -> Block {
    let mut body = Body::new().attr("sid", Expr::str(&s.sid));
    if s.deny {
        body = body.attr("effect", Expr::str("Deny"));
    }
    body = body.attr("actions", Expr::strs(&s.actions));
    if let Some(c) = s.comment {
        body = body.comment(c);
    }
    if !s.resources.is_empty() {
        body = body.attr("resources", Expr::List(s.resources));
    }
    for p in s.principals {
        body = body.blank().block(Block::new(
            "principals",
            &[],
            Body::new().attr("type", Expr::str(p.kind)).attr("identifiers", Expr::List(p.ids)),
        ));
    }
    for c in s.conditions {
        body = body.blank().block(Block::new(
            "condition",
            &[],
            Body::new()
                .attr("test", Expr::str(c.test))
                .attr("variable", Expr::str(&c.variable))
                .attr("values", Expr::List(c.values)),
        ));
    }
    Block::new("statement", &[], body)
}

/// `jsonencode({ Version = "2012-10-17", Statement = [...] })`.
pub fn json_policy(mut stmts: Vec<Stmt>) -> Expr {
    stmts.sort_by(|a, b| a.sid.cmp(&b.sid));
    Expr::jsonencode(Expr::Object(vec![
        ("Version".into(), Expr::str("2012-10-17")),
        ("Statement".into(), Expr::List(stmts.into_iter().map(|s| json_statement(s.normalized())).collect())),
    ]))
}

/// A statement as an object for `jsonencode` (used for bucket policy statements too).
pub fn json_statement(s: Stmt) -> Expr {
    let one_or_many = |mut v: Vec<Expr>| if v.len() == 1 { v.remove(0) } else { Expr::List(v) };
    let mut fields = vec![
        ("Sid".to_string(), Expr::str(&s.sid)),
        ("Effect".to_string(), Expr::str(if s.deny { "Deny" } else { "Allow" })),
    ];
    if !s.principals.is_empty() {
        let p = s.principals.into_iter().map(|p| (p.kind.to_string(), one_or_many(p.ids))).collect();
        fields.push(("Principal".into(), Expr::Object(p)));
    }
    fields.push(("Action".into(), one_or_many(s.actions.iter().map(Expr::str).collect())));
    fields.push(("Resource".into(), one_or_many(s.resources)));
    if !s.conditions.is_empty() {
        let mut by_test: Vec<(String, Expr)> = Vec::new();
        for c in s.conditions {
            by_test.push((c.test.to_string(), Expr::Object(vec![(c.variable, one_or_many(c.values))])));
        }
        fields.push(("Condition".into(), Expr::Object(by_test)));
    }
    Expr::Object(fields)
}

/// A policy document as JSON (`describe`): references Terraform resolves at apply are written
/// as `${reference}`, the way `terraform plan` shows unknown values.
pub fn to_json(mut stmts: Vec<Stmt>) -> serde_json::Value {
    fn value(e: &Expr) -> serde_json::Value {
        match e {
            Expr::Str(s) | Expr::Num(s) => serde_json::Value::String(s.clone()),
            Expr::Ref(r) => serde_json::Value::String(format!("${{{r}}}")),
            Expr::Interp(parts) => serde_json::Value::String(
                parts
                    .iter()
                    .map(|p| match p {
                        super::hcl::Piece::Lit(s) => s.clone(),
                        super::hcl::Piece::Ref(r) => format!("${{{r}}}"),
                    })
                    .collect(),
            ),
            Expr::Bool(b) => serde_json::Value::Bool(*b),
            Expr::List(items) => serde_json::Value::Array(items.iter().map(value).collect()),
            _ => serde_json::Value::Null,
        }
    }
    stmts.sort_by(|a, b| a.sid.cmp(&b.sid));
    let statements: Vec<serde_json::Value> = stmts
        .into_iter()
        .map(|s| {
            let s = s.normalized();
            let mut o = serde_json::json!({
                "Sid": s.sid,
                "Effect": if s.deny { "Deny" } else { "Allow" },
                "Action": s.actions,
            });
            if !s.resources.is_empty() {
                o["Resource"] = serde_json::Value::Array(s.resources.iter().map(value).collect());
            }
            if !s.principals.is_empty() {
                let mut p = serde_json::Map::new();
                for pr in &s.principals {
                    p.insert(pr.kind.to_string(), serde_json::Value::Array(pr.ids.iter().map(value).collect()));
                }
                o["Principal"] = serde_json::Value::Object(p);
            }
            if !s.conditions.is_empty() {
                let mut c = serde_json::Map::new();
                for cond in &s.conditions {
                    let entry = c.entry(cond.test.to_string()).or_insert_with(|| serde_json::json!({}));
                    entry[&cond.variable] = serde_json::Value::Array(cond.values.iter().map(value).collect());
                }
                o["Condition"] = serde_json::Value::Object(c);
            }
            o
        })
        .collect();
    serde_json::json!({ "Version": "2012-10-17", "Statement": statements })
}
