//! Events: what the platform does when SageMaker reports something (aws-facts.md §6.3,
//! sagemaker-pipeline-facts.md §10): retrain on drift, notify a batch that breaks the data
//! contract, a scored batch below the quality minimums, a failed pipeline, a version waiting for
//! approval or decided; the encrypted topics the notices go to. `event_rules` is the one source
//! of the rules: the Terraform is written from it, tests route sample events through its
//! patterns, and `mlopsgen describe` hands it to the local executor.

use super::hcl::{Block, Body, Expr};
use super::pipeline;
use super::policy::{Stmt, document};
use super::tf::{output, push, resource};
use crate::model::names::{self, label};
use crate::model::*;

/// The Terraform label of the Lambda that starts the quality check.
pub const QUALITY_TRIGGER: &str = "start_quality_check";

/// Detail type of pipeline execution status events.
pub const PIPELINE_STATUS: &str = "SageMaker Model Building Pipeline Execution Status Change";
/// Detail type of pipeline step status events.
pub const STEP_STATUS: &str = "SageMaker Model Building Pipeline Execution Step Status Change";
/// Detail type of model package events (emitted in the registry account).
pub const MODEL_PACKAGE_STATE: &str = "SageMaker Model Package State Change";

/// An event pattern for SageMaker events of `detail_type` whose detail matches `detail`.
fn pattern(detail_type: &str, detail: serde_json::Value) -> serde_json::Value {
    serde_json::json!({ "source": ["aws.sagemaker"], "detail-type": [detail_type], "detail": detail })
}

/// What a rule does with a matching event.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// Starts a pipeline of the environment (`kind`: train, inference, quality) with the events role.
    Pipeline { model: String, kind: &'static str, pipeline: String },
    /// Invokes one of the environment's Lambda functions (`label`: its Terraform label) with the event.
    Function { label: &'static str, name: String },
    /// Publishes a readable message to a topic (`alerts` or `approvals`): EventBridge's input
    /// transformer fills `template`'s `<name>` placeholders from `paths`.
    Notify { topic: &'static str, paths: Vec<(&'static str, &'static str)>, template: String },
}

/// What emits the events a rule matches (for the picture of the platform, `mlopsgen graph`).
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A pipeline of the environment (`kind`: train, inference, quality).
    Pipeline { model: String, kind: &'static str },
    /// The environment's model package groups.
    Registry,
    /// The environment's data bucket (S3 "Object Created" events).
    DataBucket,
}

/// An EventBridge rule matching SageMaker events.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRule {
    pub name: String,
    /// The Terraform label of the rule and its targets.
    pub label: String,
    pub description: String,
    pub bus: String,
    pub pattern: serde_json::Value,
    pub targets: Vec<Target>,
    /// Who emits what the rule matches, the verb of that arrow, and a short title of the rule.
    pub source: Source,
    pub when: &'static str,
    pub title: &'static str,
}

fn step_failed(env: &EnvConfig, pipeline: &str, step: &str) -> serde_json::Value {
    pattern(
        STEP_STATUS,
        serde_json::json!({
            "pipelineArn": [env.pipeline_arn(pipeline)],
            "stepName": [step],
            "currentStepStatus": ["Failed"]
        }),
    )
}

/// The message of a step that failed for a reason a person can act on.
fn step_notice(what: &str) -> Target {
    Target::Notify {
        topic: "alerts",
        paths: vec![
            ("execution", "$.detail.pipelineExecutionArn"),
            ("reason", "$.detail.failureReason"),
            ("time", "$.time"),
        ],
        template: format!("{what} (<time>): <reason> Execution: <execution>"),
    }
}

/// Every event rule of an environment. The Terraform is written from these values, tests route
/// sample events through their patterns in the AWS emulator, and `mlopsgen describe` hands them
/// to the local executor (tools/localrun), which routes the events its runs emit.
pub fn event_rules(env: &EnvConfig) -> Vec<EventRule> {
    let mut out = Vec::new();
    let bus = env.event_bus_name.clone();
    if let Some(w) = &env.workload {
        for m in &w.models {
            let ml = label(&m.name);
            let infer = &m.inference.pipeline_name;
            let mut drift_targets = vec![step_notice(&format!(
                "Drift in the batch of {infer}{}",
                if m.retrain_on_drift { format!("; retraining with {}", m.train.pipeline_name) } else { String::new() }
            ))];
            if m.retrain_on_drift {
                drift_targets.insert(
                    0,
                    Target::Pipeline { model: m.name.clone(), kind: "train", pipeline: m.train.pipeline_name.clone() },
                );
            }
            out.push(EventRule {
                name: names::drift_rule(m),
                label: format!("{ml}_drift_detected"),
                description: format!(
                    "Drift in a batch of {infer}: notifies{}",
                    if m.retrain_on_drift { format!(" and starts {}", m.train.pipeline_name) } else { String::new() }
                ),
                bus: bus.clone(),
                pattern: step_failed(env, infer, pipeline::drift_step(m)),
                targets: drift_targets,
                source: Source::Pipeline { model: m.name.clone(), kind: "inference" },
                when: "drift",
                title: "drift detected",
            });
            out.push(EventRule {
                name: names::rejected_rule(m),
                label: format!("{ml}_batch_rejected"),
                description: format!("A batch of {infer} breaks the data contract: notifies, never retrains"),
                bus: bus.clone(),
                pattern: step_failed(env, infer, pipeline::REJECT_STEP),
                targets: vec![step_notice(&format!("Batch rejected by {infer}"))],
                source: Source::Pipeline { model: m.name.clone(), kind: "inference" },
                when: "breaks the data contract",
                title: "batch rejected",
            });
            if let Some(q) = &m.monitoring.quality {
                let quality = names::quality_pipeline(m);
                // Ground truth arriving under labels_prefix starts the quality check (S3 sends its
                // events to the default bus: the data bucket has EventBridge notifications on).
                out.push(EventRule {
                    name: names::labels_rule(m),
                    label: format!("{ml}_labels_arrived"),
                    description: format!("Ground truth under {} starts {quality}", q.labels_prefix),
                    bus: "default".into(),
                    pattern: serde_json::json!({
                        "source": ["aws.s3"],
                        "detail-type": ["Object Created"],
                        "detail": {
                            "bucket": { "name": [w.default_bucket.name] },
                            "object": { "key": [{ "prefix": q.labels_prefix }] }
                        }
                    }),
                    targets: vec![Target::Function {
                        label: QUALITY_TRIGGER,
                        name: env.quality_trigger_function_name(),
                    }],
                    source: Source::DataBucket,
                    when: "ground truth arrives",
                    title: "ground truth arrived",
                });
                let mut targets = vec![step_notice(&format!(
                    "Model quality below threshold in {quality}{}",
                    if q.retrain { format!("; retraining with {}", m.train.pipeline_name) } else { String::new() }
                ))];
                if q.retrain {
                    targets.insert(
                        0,
                        Target::Pipeline {
                            model: m.name.clone(),
                            kind: "train",
                            pipeline: m.train.pipeline_name.clone(),
                        },
                    );
                }
                out.push(EventRule {
                    name: names::quality_rule(m),
                    label: format!("{ml}_quality_failed"),
                    description: format!(
                        "A scored batch falls below the quality minimums: notifies{}",
                        if q.retrain { " and retrains" } else { "" }
                    ),
                    bus: bus.clone(),
                    pattern: step_failed(env, &quality, pipeline::QUALITY_STEP),
                    targets,
                    source: Source::Pipeline { model: m.name.clone(), kind: "quality" },
                    when: "below minimums",
                    title: "quality below minimums",
                });
            }
            for (kind, name) in [("train", &m.train.pipeline_name), ("inference", infer)] {
                out.push(EventRule {
                    name: names::failure_rule(m, kind),
                    label: format!("{ml}_{kind}_failed"),
                    description: format!("Notifies {} when the {kind} pipeline fails", w.alert_topic),
                    bus: bus.clone(),
                    pattern: pattern(
                        PIPELINE_STATUS,
                        serde_json::json!({
                            "pipelineArn": [env.pipeline_arn(name)],
                            "currentPipelineExecutionStatus": ["Failed"]
                        }),
                    ),
                    targets: vec![Target::Notify {
                        topic: "alerts",
                        paths: vec![
                            ("execution", "$.detail.pipelineExecutionArn"),
                            ("pipeline", "$.detail.pipelineArn"),
                            ("status", "$.detail.currentPipelineExecutionStatus"),
                            ("time", "$.time"),
                        ],
                        template: "Pipeline <pipeline> is <status> (<time>). Execution: <execution>".into(),
                    }],
                    source: Source::Pipeline { model: m.name.clone(), kind },
                    when: "fails",
                    title: if kind == "train" { "train failed" } else { "inference failed" },
                });
            }
        }
    }
    if let Some(r) = &env.registry
        && !r.groups.is_empty()
    {
        let groups: Vec<&str> = r.groups.iter().map(|g| g.name.as_str()).collect();
        out.push(EventRule {
            name: names::APPROVAL_RULE.to_string(),
            label: "pending_approval".into(),
            description: "Notifies approvers when a model version waits for manual approval".into(),
            bus: "default".into(),
            pattern: pattern(
                MODEL_PACKAGE_STATE,
                serde_json::json!({ "ModelPackageGroupName": groups, "ModelApprovalStatus": ["PendingManualApproval"] }),
            ),
            targets: vec![Target::Notify {
                topic: "approvals",
                paths: vec![
                    ("arn", "$.detail.ModelPackageArn"),
                    ("group", "$.detail.ModelPackageGroupName"),
                    ("version", "$.detail.ModelPackageVersion"),
                ],
                template: "Model <group> version <version> is waiting for approval in the model registry: <arn>"
                    .into(),
            }],
            source: Source::Registry,
            when: "new version",
            title: "version pending approval",
        });
        out.push(EventRule {
            name: names::DECISION_RULE.to_string(),
            label: "approval_decided".into(),
            description: "Notifies approvers when a model version is approved or rejected".into(),
            bus: "default".into(),
            pattern: pattern(
                MODEL_PACKAGE_STATE,
                serde_json::json!({ "ModelPackageGroupName": groups, "ModelApprovalStatus": ["Approved", "Rejected"] }),
            ),
            targets: vec![Target::Notify {
                topic: "approvals",
                paths: vec![
                    ("arn", "$.detail.ModelPackageArn"),
                    ("group", "$.detail.ModelPackageGroupName"),
                    ("reason", "$.detail.ApprovalDescription"),
                    ("status", "$.detail.ModelApprovalStatus"),
                    ("version", "$.detail.ModelPackageVersion"),
                ],
                // Who decided is in CloudTrail (UpdateModelPackage by the approver role's session).
                template: "Model <group> version <version> is now <status>: <arn>. Reason given: <reason>".into(),
            }],
            source: Source::Registry,
            when: "approved or rejected",
            title: "version decided",
        });
    }
    out
}

/// Every event pattern rule of an environment: `(rule name, pattern)`.
pub fn event_patterns(env: &EnvConfig) -> Vec<(String, serde_json::Value)> {
    event_rules(env).into_iter().map(|r| (r.name, r.pattern)).collect()
}

pub(super) fn rule_block(r: &EventRule) -> Block {
    let mut body = Body::new().attr("name", Expr::str(&r.name)).attr("description", Expr::str(&r.description));
    if r.bus != "default" {
        body = body.attr("event_bus_name", Expr::str(&r.bus));
    }
    body = body
        .attr("state", Expr::str("ENABLED"))
        .attr("event_pattern", Expr::jsonencode(super::hcl::from_json(&r.pattern)));
    resource("aws_cloudwatch_event_rule", &r.label, body)
}

pub(super) fn target_block(r: &EventRule, t: &Target, count: usize) -> Block {
    let mut body = Body::new().attr("rule", Expr::r(format!("aws_cloudwatch_event_rule.{}.name", r.label)));
    if r.bus != "default" {
        body = body.attr("event_bus_name", Expr::str(&r.bus));
    }
    let (l, body) = match t {
        Target::Pipeline { model, kind, .. } => {
            let body = super::tf::retry_and_dead_letter(
                body.attr("target_id", Expr::str("start-pipeline"))
                    .attr("arn", Expr::r(format!("aws_sagemaker_pipeline.{}_{kind}.arn", label(model))))
                    .attr("role_arn", Expr::r("aws_iam_role.events.arn")),
            );
            (if count > 1 { format!("{}_start", r.label) } else { r.label.clone() }, body)
        }
        Target::Function { label: f, .. } => {
            let body = super::tf::retry_and_dead_letter(
                body.attr("target_id", Expr::str("invoke"))
                    .attr("arn", Expr::r(format!("aws_lambda_function.{f}.arn"))),
            );
            (if count > 1 { format!("{}_invoke", r.label) } else { r.label.clone() }, body)
        }
        Target::Notify { topic, paths, template } => {
            let body = body
                .attr("target_id", Expr::str("notify"))
                .attr("arn", Expr::r(format!("aws_sns_topic.{topic}.arn")))
                .blank()
                .comment("A readable e-mail instead of the raw event; SNS targets take no role (aws-facts.md §7.3).")
                .block(Block::new(
                    "input_transformer",
                    &[],
                    Body::new()
                        .attr(
                            "input_paths",
                            Expr::Object(paths.iter().map(|(k, v)| (k.to_string(), Expr::str(*v))).collect()),
                        )
                        .attr("input_template", Expr::str(format!("\"{template}\""))),
                ));
            (if count > 1 { format!("{}_notify", r.label) } else { r.label.clone() }, body)
        }
    };
    resource("aws_cloudwatch_event_target", &l, body)
}

/// An SNS topic encrypted with the environment's key, a policy that lets exactly `rules`
/// publish, and one e-mail subscription per address.
pub(super) fn topic(
    env: &EnvConfig,
    l: &str,
    name: &str,
    key: &Expr,
    rules: &[String],
    emails: &[String],
    body: &mut Body,
) {
    push(
        body,
        resource(
            "aws_sns_topic",
            l,
            Body::new()
                .attr("name", Expr::str(name))
                .comment("A customer managed key: EventBridge cannot use alias/aws/sns (aws-facts.md §3.2).")
                .attr("kms_master_key_id", key.clone()),
        ),
    );
    push(
        body,
        document(
            &format!("{l}_topic"),
            vec![
                Stmt::allow("EventRulesPublish", &["sns:Publish"], vec![Expr::r(format!("aws_sns_topic.{l}.arn"))])
                    .principal("Service", vec![Expr::str("events.amazonaws.com")])
                    .condition("ArnEquals", "aws:SourceArn", rules.iter().map(Expr::str).collect()),
                Stmt::allow(
                    "AccountManagesTopic",
                    &[
                        "sns:GetTopicAttributes",
                        "sns:ListSubscriptionsByTopic",
                        "sns:SetTopicAttributes",
                        "sns:Subscribe",
                    ],
                    vec![Expr::r(format!("aws_sns_topic.{l}.arn"))],
                )
                .principal("AWS", vec![Expr::str(env.root_arn())]),
            ],
        ),
    );
    push(
        body,
        resource(
            "aws_sns_topic_policy",
            l,
            Body::new()
                .attr("arn", Expr::r(format!("aws_sns_topic.{l}.arn")))
                .attr("policy", Expr::r(format!("data.aws_iam_policy_document.{l}_topic.json"))),
        ),
    );
    for e in emails {
        let sub = format!("{l}_{}", label(e));
        push(
            body,
            resource(
                "aws_sns_topic_subscription",
                &sub,
                Body::new()
                    .comment("Pending until the recipient confirms the e-mail from AWS.")
                    .attr("topic_arn", Expr::r(format!("aws_sns_topic.{l}.arn")))
                    .attr("protocol", Expr::str("email"))
                    .attr("endpoint", Expr::str(e)),
            ),
        );
    }
}

/// The rules and their targets; returns the ARNs of the rules that notify `topic`.
pub(super) fn rules_for(env: &EnvConfig, rules: &[EventRule], body: &mut Body) -> Vec<String> {
    let mut notifying = Vec::new();
    for r in rules {
        push(body, rule_block(r));
        for t in &r.targets {
            push(body, target_block(r, t, r.targets.len()));
            if matches!(t, Target::Notify { .. }) {
                notifying.push(env.rule_arn(&r.bus, &r.name));
            }
        }
    }
    notifying
}

/// The registry's approval notifications: rules in the registry account, where the model
/// package events are emitted, notifying the approvers' topic.
pub fn registry_notifications(env: &EnvConfig, r: &Registry, key: &Expr, body: &mut Body, outputs: &mut Body) {
    if r.groups.is_empty() {
        return;
    }
    let rules = event_rules(env);
    let notifying = rules_for(env, &rules, body);
    topic(env, "approvals", &r.approval_topic, key, &notifying, &r.approval_emails, body);
    push(
        outputs,
        output(
            "approvals_topic_arn",
            "Topic notified when a model version waits for approval, is approved or rejected.",
            Expr::r("aws_sns_topic.approvals.arn"),
        ),
    );
}
