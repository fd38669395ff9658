//! `graph`: the platform as a picture: accounts, the roles in them and who may assume them, KMS
//! keys and who may use them, buckets, the registry, pipelines and the event flows between them
//! (schedule → inference → drift → retrain → register → approval → notification). Rendered as
//! Mermaid (for Markdown and pull-request comments) or Graphviz DOT. Built from the validated
//! model only; deterministic order.

use crate::model::names::{self, label};
use crate::model::*;
use crate::render::events::{Source, Target};
use std::fmt::Write as _;

/// What a node stands for (decides its shape).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Account,
    Key,
    Bucket,
    Role,
    Registry,
    Pipeline,
    Rule,
    Topic,
    Function,
    People,
}

/// One node; `address` links it to a Terraform address in its environment's root (for plan).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub id: String,
    pub label: String,
    pub env: Option<String>,
    pub kind: NodeKind,
    pub address: Option<String>,
}

/// One edge with a short verb.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub label: String,
}

/// The whole picture.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

impl Graph {
    fn node(
        &mut self,
        id: String,
        label: impl Into<String>,
        env: Option<&str>,
        kind: NodeKind,
        address: Option<String>,
    ) -> String {
        if !self.nodes.iter().any(|n| n.id == id) {
            self.nodes.push(Node { id: id.clone(), label: label.into(), env: env.map(str::to_string), kind, address });
        }
        id
    }
    fn edge(&mut self, from: &str, to: &str, label: &str) {
        let e = Edge { from: from.to_string(), to: to.to_string(), label: label.to_string() };
        if !self.edges.contains(&e) {
            self.edges.push(e);
        }
    }
}

fn id(env: &str, what: &str) -> String {
    format!("{}__{}", label(env), label(what))
}

/// Builds the graph of `envs` (all of them, for cross-account edges) restricted to `selected`.
pub fn build(envs: &[EnvConfig], selected: &[String]) -> Graph {
    let mut g = Graph::default();
    let shown: Vec<&EnvConfig> = envs.iter().filter(|e| selected.is_empty() || selected.contains(&e.name)).collect();
    let registry = envs.iter().find(|e| e.kind == EnvKind::Registry);
    let jenkins: Vec<&Deploy> = shown.iter().filter_map(|e| e.deploy.as_ref()).collect();
    let jenkins_node = jenkins.first().map(|d| {
        g.node(
            "jenkins".into(),
            format!("Jenkins ({})\nrole {}", d.jenkins_account_id, d.jenkins_role_name),
            None,
            NodeKind::Account,
            None,
        )
    });
    for e in &shown {
        let key = g.node(
            id(&e.name, "key"),
            format!("KMS key {}", key_label(e)),
            Some(&e.name),
            NodeKind::Key,
            Some("module.kms".into()),
        );
        if let KmsKey::Create { shared_with, .. } = &e.kms_key {
            for (other, _) in shared_with {
                g.edge(&key, &id(other, "account"), "may decrypt");
            }
        }
        g.node(
            id(&e.name, "account"),
            format!("{} account {}", e.name, e.account_id),
            Some(&e.name),
            NodeKind::Account,
            None,
        );
        if let (Some(d), Some(j)) = (&e.deploy, &jenkins_node) {
            let role = g.node(
                id(&e.name, "deploy"),
                format!("role {}", d.role_name),
                Some(&e.name),
                NodeKind::Role,
                Some("aws_iam_role.deploy".into()),
            );
            g.edge(j, &role, "assumes");
        }
        if let Some(w) = &e.workload {
            let exec = g.node(
                id(&e.name, "exec"),
                format!("role {}", w.execution_role.name),
                Some(&e.name),
                NodeKind::Role,
                Some("aws_iam_role.sagemaker_execution".into()),
            );
            g.edge(&exec, &key, "encrypts with");
            let data = g.node(
                id(&e.name, "data"),
                format!("bucket {}", w.default_bucket.name),
                Some(&e.name),
                NodeKind::Bucket,
                Some("module.data_bucket".into()),
            );
            g.edge(&exec, &data, "reads, writes");
            let alerts = g.node(
                id(&e.name, "alerts"),
                format!("topic {}", w.alert_topic),
                Some(&e.name),
                NodeKind::Topic,
                Some("aws_sns_topic.alerts".into()),
            );
            if !w.alert_emails.is_empty() {
                let people =
                    g.node(id(&e.name, "ops"), w.alert_emails.join("\n"), Some(&e.name), NodeKind::People, None);
                g.edge(&alerts, &people, "e-mails");
            }
            let lambda = g.node(
                id(&e.name, "lambda"),
                "Lambda latest approved model",
                Some(&e.name),
                NodeKind::Function,
                Some("aws_lambda_function.latest_approved_model".into()),
            );
            for m in &w.models {
                let ml = label(&m.name);
                for (kind, _) in crate::render::workflow::pipeline_kinds(m) {
                    let name = crate::render::workflow::pipeline_name(m, kind);
                    let p = g.node(
                        id(&e.name, &format!("{}-{kind}", m.name)),
                        format!("pipeline {name}"),
                        Some(&e.name),
                        NodeKind::Pipeline,
                        Some(format!("aws_sagemaker_pipeline.{ml}_{kind}")),
                    );
                    g.edge(&p, &exec, "runs as");
                }
                let train = id(&e.name, &format!("{}-train", m.name));
                let infer = id(&e.name, &format!("{}-inference", m.name));
                g.edge(&infer, &lambda, "latest approved model");
                let schedule = g.node(
                    id(&e.name, &names::schedule_rule(m)),
                    format!("schedule {}\n{}", m.inference.cron_schedule, m.inference.schedule_timezone),
                    Some(&e.name),
                    NodeKind::Rule,
                    Some(format!("aws_scheduler_schedule.{ml}_schedule")),
                );
                g.edge(&schedule, &infer, "starts");
                if let (Some(r), Some(acct)) = (registry, &m.group.account) {
                    let group = g.node(
                        id(&r.name, &m.group.name),
                        format!("model package group {}\n({acct})", m.group.name),
                        Some(&r.name),
                        NodeKind::Registry,
                        Some(format!("aws_sagemaker_model_package_group.{}", label(&m.group.name))),
                    );
                    g.edge(&train, &group, "registers (pending approval)");
                    g.edge(&lambda, &group, "reads approved");
                    if let Some(rr) = &r.registry {
                        let artifacts = id(&r.name, "artifacts");
                        g.node(
                            artifacts.clone(),
                            format!("bucket {}", rr.artifacts_bucket.name),
                            Some(&r.name),
                            NodeKind::Bucket,
                            Some("module.artifacts_bucket".into()),
                        );
                        g.edge(&train, &artifacts, "writes model artifacts");
                    }
                }
            }
        }
        // Every event rule, from the one list the Terraform is written from.
        for r in crate::render::events::event_rules(e) {
            let rule = g.node(
                id(&e.name, &r.name),
                format!("rule: {}", r.title),
                Some(&e.name),
                NodeKind::Rule,
                Some(format!("aws_cloudwatch_event_rule.{}", r.label)),
            );
            match &r.source {
                Source::Pipeline { model, kind } => g.edge(&id(&e.name, &format!("{model}-{kind}")), &rule, r.when),
                Source::DataBucket => g.edge(&id(&e.name, "data"), &rule, r.when),
                Source::Registry => {
                    for grp in e.registry.iter().flat_map(|x| &x.groups) {
                        g.edge(&id(&e.name, &grp.name), &rule, r.when);
                    }
                }
            }
            for t in &r.targets {
                match t {
                    Target::Pipeline { model, kind, .. } => {
                        g.edge(&rule, &id(&e.name, &format!("{model}-{kind}")), "starts")
                    }
                    Target::Notify { topic, .. } => g.edge(&rule, &id(&e.name, topic), "notifies"),
                    Target::Function { label: function, .. } => {
                        let f = g.node(
                            id(&e.name, "quality-trigger"),
                            "Lambda start quality check",
                            Some(&e.name),
                            NodeKind::Function,
                            Some(format!("aws_lambda_function.{function}")),
                        );
                        g.edge(&rule, &f, "invokes");
                        if let Source::Pipeline { .. } | Source::DataBucket = &r.source {
                            for m in e.workload.iter().flat_map(|w| &w.models) {
                                if m.monitoring.quality.is_some() {
                                    g.edge(&f, &id(&e.name, &format!("{}-quality", m.name)), "starts");
                                }
                            }
                        }
                    }
                }
            }
        }
        if let Some(r) = &e.registry {
            let artifacts = g.node(
                id(&e.name, "artifacts"),
                format!("bucket {}", r.artifacts_bucket.name),
                Some(&e.name),
                NodeKind::Bucket,
                Some("module.artifacts_bucket".into()),
            );
            g.edge(&artifacts, &key, "encrypted with");
            let approvals = g.node(
                id(&e.name, "approvals"),
                format!("topic {}", r.approval_topic),
                Some(&e.name),
                NodeKind::Topic,
                Some("aws_sns_topic.approvals".into()),
            );
            if !r.approval_emails.is_empty() {
                let people = g.node(
                    id(&e.name, "approvers"),
                    r.approval_emails.join("\n"),
                    Some(&e.name),
                    NodeKind::People,
                    None,
                );
                g.edge(&approvals, &people, "e-mails");
            }
            let approver = g.node(
                id(&e.name, "approver"),
                format!("role {}{}", r.approver_role.name, if r.require_mfa { "\n(MFA)" } else { "" }),
                Some(&e.name),
                NodeKind::Role,
                Some("aws_iam_role.approver".into()),
            );
            for grp in &r.groups {
                let group = g.node(
                    id(&e.name, &grp.name),
                    format!("model package group {}\n({})", grp.name, e.account_id),
                    Some(&e.name),
                    NodeKind::Registry,
                    Some(format!("aws_sagemaker_model_package_group.{}", label(&grp.name))),
                );
                g.edge(&approver, &group, "approves or rejects");
                for (c, _) in &grp.consumers {
                    g.edge(&group, &id(c, "account"), "grants");
                }
            }
        }
    }
    // Drop edges to nodes that are not shown (other environments when a selection is given).
    let ids: Vec<String> = g.nodes.iter().map(|n| n.id.clone()).collect();
    g.edges.retain(|e| ids.contains(&e.from) && ids.contains(&e.to));
    g
}

fn key_label(e: &EnvConfig) -> String {
    match &e.kms_key {
        KmsKey::Create { alias, .. } => alias.clone(),
        KmsKey::Existing { arn } => arn.rsplit('/').next().unwrap_or(arn).to_string(),
    }
}

fn mermaid_escape(s: &str) -> String {
    s.replace('"', "#quot;").replace('\n', "<br/>")
}

/// Mermaid flowchart; nodes whose address is in `changed` get the `changed` class.
pub fn mermaid(g: &Graph, changed: &[(String, String)]) -> String {
    let mut out = String::from("flowchart LR\n");
    let shape = |k: NodeKind, text: &str| match k {
        NodeKind::Account => format!("[[\"{text}\"]]"),
        NodeKind::Key => format!("{{{{\"{text}\"}}}}"),
        NodeKind::Bucket => format!("[(\"{text}\")]"),
        NodeKind::Role => format!("([\"{text}\"])"),
        NodeKind::Registry => format!("[/\"{text}\"/]"),
        NodeKind::Pipeline => format!("[\"{text}\"]"),
        NodeKind::Rule => format!(">\"{text}\"]"),
        NodeKind::Topic => format!("((\"{text}\"))"),
        NodeKind::Function => format!("[[\"{text}\"]]"),
        NodeKind::People => format!("[\"{text}\"]"),
    };
    let mut envs: Vec<Option<String>> = g.nodes.iter().map(|n| n.env.clone()).collect();
    envs.sort();
    envs.dedup();
    for env in envs {
        let nodes: Vec<&Node> = g.nodes.iter().filter(|n| n.env == env).collect();
        let indent = if env.is_some() { "    " } else { "  " };
        if let Some(e) = &env {
            let _ = writeln!(out, "  subgraph env_{}[\"{e}\"]", label(e));
        }
        for n in nodes {
            let _ = writeln!(out, "{indent}{}{}", n.id, shape(n.kind, &mermaid_escape(&n.label)));
        }
        if env.is_some() {
            out.push_str("  end\n");
        }
    }
    for e in &g.edges {
        let _ = writeln!(out, "  {} -->|\"{}\"| {}", e.from, mermaid_escape(&e.label), e.to);
    }
    let marked: Vec<&Node> = g
        .nodes
        .iter()
        .filter(|n| matches!((&n.env, &n.address), (Some(env), Some(a)) if changed.iter().any(|(ce, ca)| ce == env && ca == a)))
        .collect();
    if !marked.is_empty() {
        out.push_str("  classDef changed fill:#fff3b0,stroke:#d97706,stroke-width:3px\n");
        let _ = writeln!(out, "  class {} changed", marked.iter().map(|n| n.id.as_str()).collect::<Vec<_>>().join(","));
    }
    out
}

/// Graphviz DOT with one cluster per environment.
pub fn dot(g: &Graph) -> String {
    let q = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n"));
    let mut out = String::from(
        "digraph mlopsgen {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
    );
    let mut envs: Vec<Option<String>> = g.nodes.iter().map(|n| n.env.clone()).collect();
    envs.sort();
    envs.dedup();
    for env in envs {
        if let Some(e) = &env {
            let _ = writeln!(out, "  subgraph cluster_{} {{\n    label={};", label(e), q(e));
        }
        for n in g.nodes.iter().filter(|n| n.env == env) {
            let shape = match n.kind {
                NodeKind::Account => "box3d",
                NodeKind::Key => "hexagon",
                NodeKind::Bucket => "cylinder",
                NodeKind::Role => "box",
                NodeKind::Registry => "folder",
                NodeKind::Pipeline => "component",
                NodeKind::Rule => "cds",
                NodeKind::Topic => "ellipse",
                NodeKind::Function => "box",
                NodeKind::People => "note",
            };
            let _ = writeln!(out, "    {} [label={}, shape={shape}];", q(&n.id), q(&n.label));
        }
        if env.is_some() {
            out.push_str("  }\n");
        }
    }
    for e in &g.edges {
        let _ = writeln!(out, "  {} -> {} [label={}];", q(&e.from), q(&e.to), q(&e.label));
    }
    out.push_str("}\n");
    out
}
