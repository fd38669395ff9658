//! The ML workflow's Terraform (issue: the heart of the post): the pipeline code and definitions,
//! the latest-approved-model Lambda, the SageMaker pipelines, the inference schedule, the
//! retrain-on-drift rule, failure notifications to an encrypted SNS topic, and, in the registry,
//! the notification that a model version waits for approval. Event patterns match the events
//! SageMaker emits (sagemaker-pipeline-facts.md §10, aws-facts.md §6.3).

use super::FileSet;
use super::hcl::{Block, Body, Expr};
use super::pipeline::{self, Context};
use super::policy::{Stmt, document};
use super::root::{inline_policy, output, push, resource};
use crate::model::names::{self, label};
use crate::model::*;

/// Detail type of pipeline execution status events.
pub const PIPELINE_STATUS: &str = "SageMaker Model Building Pipeline Execution Status Change";
/// Detail type of pipeline step status events.
pub const STEP_STATUS: &str = "SageMaker Model Building Pipeline Execution Step Status Change";
/// Detail type of model package events (emitted in the registry account).
pub const MODEL_PACKAGE_STATE: &str = "SageMaker Model Package State Change";

const PREPROCESS: &str = include_str!("../../templates/code/preprocess.py");
const EVALUATE: &str = include_str!("../../templates/code/evaluate.py");
const LAMBDA: &str = include_str!("../../templates/lambda/latest_approved_model.py");

/// The Lambda runtime (aws-facts.md §10: a supported Python; 3.9 is deprecated).
pub const LAMBDA_RUNTIME: &str = "python3.12";

/// Adds a workload environment's pipeline definitions, pipeline code and Lambda source.
pub fn files(env: &EnvConfig, w: &Workload, files: &mut FileSet) {
    let cx = Context::new(env, w);
    let generated_by = format!(
        "mlopsgen from {}. Do not edit; run: mlopsgen generate {}",
        crate::diag::display_path(&env.file),
        env.name
    );
    for m in &w.models {
        for (kind, mut def) in [("train", pipeline::train(&cx, m)), ("inference", pipeline::inference(&cx, m))] {
            def["Metadata"] = serde_json::json!({ "GeneratedBy": generated_by });
            files.insert(format!("{}/pipelines/{}", env.name, pipeline::file_name(m, kind)), pipeline::to_text(&def));
        }
    }
    files.insert(format!("{}/code/preprocess.py", env.name), PREPROCESS.to_string());
    files.insert(format!("{}/code/evaluate.py", env.name), EVALUATE.to_string());
    files.insert(format!("{}/lambda/latest_approved_model.py", env.name), LAMBDA.to_string());
}

/// What the workflow needs from the rest of the root.
pub struct Refs {
    pub key: Expr,
    pub data_bucket: Expr,
    pub exec_role_arn: Expr,
    pub lambda_role_arn: Expr,
    /// Resources the pipelines and the function must wait for (their roles' policies).
    pub exec_ready: Vec<String>,
    pub lambda_ready: Vec<String>,
}

fn path_module(rel: &str) -> Expr {
    Expr::interp(vec![super::hcl::Piece::Ref("path.module".into()), super::hcl::Piece::Lit(format!("/{rel}"))])
}

fn depends_on(refs: &[String]) -> Expr {
    Expr::List(refs.iter().map(|r| Expr::r(r.clone())).collect())
}

/// An event pattern for SageMaker events of `detail_type` whose detail matches `detail`.
fn pattern(detail_type: &str, detail: serde_json::Value) -> serde_json::Value {
    serde_json::json!({ "source": ["aws.sagemaker"], "detail-type": [detail_type], "detail": detail })
}

/// Every event pattern rule of an environment: `(rule name, pattern)`. The Terraform is written
/// from these values, and tests route sample events through them in the AWS emulator.
pub fn event_patterns(env: &EnvConfig) -> Vec<(String, serde_json::Value)> {
    let mut out = Vec::new();
    if let Some(w) = &env.workload {
        for m in &w.models {
            let infer_arn = env.pipeline_arn(&m.inference.pipeline_name);
            if m.retrain_on_drift {
                out.push((
                    names::retrain_rule(m),
                    pattern(
                        STEP_STATUS,
                        serde_json::json!({
                            "pipelineArn": [infer_arn],
                            "stepName": [pipeline::DATA_QUALITY_CHECK_STEP],
                            "currentStepStatus": ["Failed"]
                        }),
                    ),
                ));
            }
            for (kind, name) in [("train", &m.train.pipeline_name), ("inference", &m.inference.pipeline_name)] {
                out.push((
                    names::failure_rule(m, kind),
                    pattern(
                        PIPELINE_STATUS,
                        serde_json::json!({
                            "pipelineArn": [env.pipeline_arn(name)],
                            "currentPipelineExecutionStatus": ["Failed"]
                        }),
                    ),
                ));
            }
        }
    }
    if let Some(r) = &env.registry
        && !r.groups.is_empty()
    {
        let groups: Vec<&str> = r.groups.iter().map(|g| g.name.as_str()).collect();
        out.push((
            names::APPROVAL_RULE.to_string(),
            pattern(
                MODEL_PACKAGE_STATE,
                serde_json::json!({ "ModelPackageGroupName": groups, "ModelApprovalStatus": ["PendingManualApproval"] }),
            ),
        ));
    }
    out
}

/// The pattern of `rule` among an environment's patterns (computed once per environment).
fn pattern_expr(patterns: &[(String, serde_json::Value)], rule: &str) -> Option<Expr> {
    patterns.iter().find(|(r, _)| r == rule).map(|(_, p)| Expr::jsonencode(super::hcl::from_json(p)))
}

fn rule(
    l: &str,
    name: &str,
    description: &str,
    bus: Option<&str>,
    schedule: Option<&str>,
    event_pattern: Option<Expr>,
    enabled: bool,
) -> Block {
    let mut body = Body::new().attr("name", Expr::str(name)).attr("description", Expr::str(description));
    if let Some(b) = bus {
        body = body.attr("event_bus_name", Expr::str(b));
    }
    if let Some(s) = schedule {
        body = body.attr("schedule_expression", Expr::str(s));
    }
    body = body.attr("state", Expr::str(if enabled { "ENABLED" } else { "DISABLED" }));
    if let Some(p) = event_pattern {
        body = body.attr("event_pattern", p);
    }
    resource("aws_cloudwatch_event_rule", l, body)
}

fn pipeline_target(l: &str, rule_label: &str, bus: Option<&str>, pipeline_label: &str) -> Block {
    let mut body = Body::new().attr("rule", Expr::r(format!("aws_cloudwatch_event_rule.{rule_label}.name")));
    if let Some(b) = bus {
        body = body.attr("event_bus_name", Expr::str(b));
    }
    body = body
        .attr("target_id", Expr::str("start-pipeline"))
        .attr("arn", Expr::r(format!("aws_sagemaker_pipeline.{pipeline_label}.arn")))
        .attr("role_arn", Expr::r("aws_iam_role.events.arn"))
        .blank()
        .block(Block::new(
            "retry_policy",
            &[],
            Body::new()
                .attr("maximum_event_age_in_seconds", Expr::int(3600))
                .attr("maximum_retry_attempts", Expr::int(3)),
        ))
        .blank()
        .block(Block::new("dead_letter_config", &[], Body::new().attr("arn", Expr::r("aws_sqs_queue.events_dlq.arn"))));
    resource("aws_cloudwatch_event_target", l, body)
}

fn notify_target(
    l: &str,
    rule_label: &str,
    bus: Option<&str>,
    topic: &str,
    paths: Vec<(&str, &str)>,
    template: &str,
) -> Block {
    let mut body = Body::new().attr("rule", Expr::r(format!("aws_cloudwatch_event_rule.{rule_label}.name")));
    if let Some(b) = bus {
        body = body.attr("event_bus_name", Expr::str(b));
    }
    body = body
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
                    Expr::Object(paths.into_iter().map(|(k, v)| (k.to_string(), Expr::str(v))).collect()),
                )
                .attr("input_template", Expr::str(format!("\"{template}\""))),
        ));
    resource("aws_cloudwatch_event_target", l, body)
}

/// An SNS topic encrypted with the environment's key, a policy that lets exactly `rules`
/// publish, and one e-mail subscription per address.
fn topic(env: &EnvConfig, l: &str, name: &str, key: &Expr, rules: &[String], emails: &[String], body: &mut Body) {
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

/// The workflow resources of a workload environment.
pub fn workload(env: &EnvConfig, w: &Workload, refs: &Refs, body: &mut Body, outputs: &mut Body) {
    let kms_alias = match &env.kms_key {
        KmsKey::Create { alias, .. } => Some(env.kms_alias_arn(alias)),
        KmsKey::Existing { .. } => None,
    };
    let bus = (env.event_bus_name != "default").then_some(env.event_bus_name.as_str());

    // Pipeline code, uploaded with a content hash so that a change to a script shows in the plan.
    for m in &w.models {
        for script in ["preprocess", "evaluate"] {
            let l = format!("{}_{script}", label(&m.name));
            push(
                body,
                resource(
                    "aws_s3_object",
                    &l,
                    Body::new()
                        .attr("bucket", refs.data_bucket.clone())
                        .attr("key", Expr::str(format!("{}/code/{script}.py", m.name)))
                        .attr("source", path_module(&format!("code/{script}.py")))
                        .attr(
                            "source_hash",
                            Expr::Call("filemd5".into(), vec![path_module(&format!("code/{script}.py"))]),
                        )
                        .attr("content_type", Expr::str("text/x-python"))
                        .attr("server_side_encryption", Expr::str("aws:kms"))
                        .attr("kms_key_id", refs.key.clone()),
                ),
            );
        }
    }

    // The Lambda that finds the latest approved model version, packaged deterministically.
    let function = env.latest_model_function_name();
    push(
        body,
        Block::new(
            "data",
            &["archive_file", "latest_approved_model"],
            Body::new()
                .attr("type", Expr::str("zip"))
                .attr("source_file", path_module("lambda/latest_approved_model.py"))
                .attr("output_path", path_module(".terraform/mlopsgen/latest_approved_model.zip")),
        ),
    );
    push(
        body,
        resource(
            "aws_cloudwatch_log_group",
            "latest_approved_model",
            Body::new()
                .attr("name", Expr::str(format!("/aws/lambda/{function}")))
                .attr("retention_in_days", Expr::int(365))
                .attr("kms_key_id", refs.key.clone()),
        ),
    );
    let mut fn_ready = refs.lambda_ready.clone();
    fn_ready.push("aws_cloudwatch_log_group.latest_approved_model".into());
    push(
        body,
        resource(
            "aws_lambda_function",
            "latest_approved_model",
            Body::new()
                .comment("checkov:skip=CKV_AWS_117:the function only calls the SageMaker API; a VPC would need NAT or endpoints and protects nothing here")
                .comment("checkov:skip=CKV_AWS_272:built from reviewed, generated source in this repository; code signing needs a Signer profile outside the platform")
                .comment("checkov:skip=CKV_AWS_116:invoked synchronously by the pipeline's Lambda step; a failure fails that step, and dead-letter queues serve only asynchronous invocations")
                .attr("function_name", Expr::str(&function))
                .attr("description", Expr::str("Finds the latest approved model version for the inference pipeline (mlopsgen)."))
                .attr("role", refs.lambda_role_arn.clone())
                .attr("runtime", Expr::str(LAMBDA_RUNTIME))
                .attr("handler", Expr::str("latest_approved_model.handler"))
                .attr("filename", Expr::r("data.archive_file.latest_approved_model.output_path"))
                .attr("source_code_hash", Expr::r("data.archive_file.latest_approved_model.output_base64sha256"))
                .attr("timeout", Expr::int(60))
                .attr("memory_size", Expr::int(128))
                .attr("reserved_concurrent_executions", Expr::int(5))
                .blank()
                .block(Block::new("tracing_config", &[], Body::new().attr("mode", Expr::str("Active"))))
                .blank()
                .attr("depends_on", depends_on(&fn_ready)),
        ),
    );

    // The pipelines; the definition files name a created key by its alias ARN, swapped for the
    // key ARN here (volume encryption takes key ids or ARNs only).
    // The code objects are needed only when a pipeline runs, not to create it.
    let mut pipeline_ready = refs.exec_ready.clone();
    pipeline_ready.push("aws_lambda_function.latest_approved_model".into());
    for m in &w.models {
        for (kind, name, what) in [
            ("train", &m.train.pipeline_name, "Preprocess, train XGBoost, evaluate AUC, baseline and register"),
            ("inference", &m.inference.pipeline_name, "Latest approved model, data-quality check, batch transform"),
        ] {
            let file =
                Expr::Call("file".into(), vec![path_module(&format!("pipelines/{}", pipeline::file_name(m, kind)))]);
            let definition = match &kms_alias {
                Some(alias) => Expr::Call("replace".into(), vec![file, Expr::str(alias), refs.key.clone()]),
                None => file,
            };
            push(
                body,
                resource(
                    "aws_sagemaker_pipeline",
                    &format!("{}_{kind}", label(&m.name)),
                    Body::new()
                        .attr("pipeline_name", Expr::str(name))
                        .attr("pipeline_display_name", Expr::str(name))
                        .attr("pipeline_description", Expr::str(format!("{what} ({}, mlopsgen)", m.name)))
                        .attr("role_arn", refs.exec_role_arn.clone())
                        .attr("pipeline_definition", definition)
                        .blank()
                        .attr("depends_on", depends_on(&pipeline_ready)),
                ),
            );
        }
    }

    // EventBridge: the schedule, retrain on drift, failure notifications.
    let patterns = event_patterns(env);
    let dlq = env.events_dlq_name();
    let mut pipeline_rules: Vec<String> = Vec::new();
    let mut notify_rules: Vec<String> = Vec::new();
    let mut events_pipelines: Vec<Expr> = Vec::new();
    for m in &w.models {
        let ml = label(&m.name);
        events_pipelines.push(Expr::r(format!("aws_sagemaker_pipeline.{ml}_train.arn")));
        events_pipelines.push(Expr::r(format!("aws_sagemaker_pipeline.{ml}_inference.arn")));

        let schedule = names::schedule_rule(m);
        pipeline_rules.push(env.rule_arn("default", &schedule));
        push(
            body,
            rule(
                &format!("{ml}_schedule"),
                &schedule,
                &format!(
                    "Runs {} on schedule (UTC); scheduled rules live on the default bus",
                    m.inference.pipeline_name
                ),
                None,
                Some(&m.inference.cron_schedule),
                None,
                m.inference.schedule_enabled,
            ),
        );
        push(
            body,
            pipeline_target(&format!("{ml}_schedule"), &format!("{ml}_schedule"), None, &format!("{ml}_inference")),
        );

        if m.retrain_on_drift {
            let retrain = names::retrain_rule(m);
            pipeline_rules.push(env.rule_arn(bus.unwrap_or("default"), &retrain));
            push(
                body,
                rule(
                    &format!("{ml}_retrain_on_drift"),
                    &retrain,
                    &format!(
                        "Starts {} when the data-quality check of {} fails (drift)",
                        m.train.pipeline_name, m.inference.pipeline_name
                    ),
                    bus,
                    None,
                    pattern_expr(&patterns, &retrain),
                    true,
                ),
            );
            push(
                body,
                pipeline_target(
                    &format!("{ml}_retrain_on_drift"),
                    &format!("{ml}_retrain_on_drift"),
                    bus,
                    &format!("{ml}_train"),
                ),
            );
        }

        for kind in ["train", "inference"] {
            let name = names::failure_rule(m, kind);
            notify_rules.push(env.rule_arn(bus.unwrap_or("default"), &name));
            let rl = format!("{ml}_{kind}_failed");
            push(
                body,
                rule(
                    &rl,
                    &name,
                    &format!("Notifies {} when the {kind} pipeline fails", w.alert_topic),
                    bus,
                    None,
                    pattern_expr(&patterns, &name),
                    true,
                ),
            );
            push(
                body,
                notify_target(
                    &rl,
                    &rl,
                    bus,
                    "alerts",
                    vec![
                        ("execution", "$.detail.pipelineExecutionArn"),
                        ("pipeline", "$.detail.pipelineArn"),
                        ("status", "$.detail.currentPipelineExecutionStatus"),
                        ("time", "$.time"),
                    ],
                    "Pipeline <pipeline> is <status> (<time>). Execution: <execution>",
                ),
            );
        }
    }

    // The role EventBridge uses to start the pipelines: only StartPipelineExecution, only these.
    let events_role = Role { name: env.events_role_name(), path: "/".into(), create: true };
    push(
        body,
        document(
            "events_assume",
            vec![
                Stmt::allow("TrustEventBridge", &["sts:AssumeRole"], Vec::new())
                    .principal("Service", vec![Expr::str("events.amazonaws.com")])
                    .condition("StringEquals", "aws:SourceAccount", vec![Expr::str(&env.account_id)]),
            ],
        ),
    );
    push(
        body,
        resource(
            "aws_iam_role",
            "events",
            Body::new()
                .attr("name", Expr::str(&events_role.name))
                .attr("description", Expr::str("EventBridge starts the SageMaker pipelines with this role (mlopsgen)."))
                .attr("assume_role_policy", Expr::r("data.aws_iam_policy_document.events_assume.json")),
        ),
    );
    let start = vec![Stmt::allow("StartPipelines", &["sagemaker:StartPipelineExecution"], events_pipelines)];
    inline_policy(body, "events", "mlopsgen-start-pipelines", Expr::r("aws_iam_role.events.name"), start, None);

    // The dead-letter queue of the pipeline targets.
    push(
        body,
        resource(
            "aws_sqs_queue",
            "events_dlq",
            Body::new()
                .attr("name", Expr::str(&dlq))
                .attr("message_retention_seconds", Expr::int(1_209_600))
                .attr("kms_master_key_id", refs.key.clone())
                .attr("kms_data_key_reuse_period_seconds", Expr::int(300)),
        ),
    );
    push(
        body,
        document(
            "events_dlq",
            vec![
                Stmt::allow(
                    "EventRulesDeadLetters",
                    &["sqs:SendMessage"],
                    vec![Expr::r("aws_sqs_queue.events_dlq.arn")],
                )
                .principal("Service", vec![Expr::str("events.amazonaws.com")])
                .condition(
                    "ArnEquals",
                    "aws:SourceArn",
                    pipeline_rules.iter().map(Expr::str).collect(),
                ),
            ],
        ),
    );
    push(
        body,
        resource(
            "aws_sqs_queue_policy",
            "events_dlq",
            Body::new()
                .attr("queue_url", Expr::r("aws_sqs_queue.events_dlq.id"))
                .attr("policy", Expr::r("data.aws_iam_policy_document.events_dlq.json")),
        ),
    );

    topic(env, "alerts", &w.alert_topic, &refs.key, &notify_rules, &w.alert_emails, body);

    for m in &w.models {
        let ml = label(&m.name);
        for kind in ["train", "inference"] {
            push(
                outputs,
                output(
                    &format!("{ml}_{kind}_pipeline_arn"),
                    &format!("ARN of the {kind} pipeline of {}.", m.name),
                    Expr::r(format!("aws_sagemaker_pipeline.{ml}_{kind}.arn")),
                ),
            );
        }
    }
    push(
        outputs,
        output("alerts_topic_arn", "Topic notified when a pipeline fails.", Expr::r("aws_sns_topic.alerts.arn")),
    );
}

/// The registry's approval notifications: a rule in the registry account, where the model
/// package events are emitted, notifying the approvers' topic.
pub fn registry(env: &EnvConfig, r: &Registry, key: &Expr, body: &mut Body, outputs: &mut Body) {
    if r.groups.is_empty() {
        return;
    }
    let name = names::APPROVAL_RULE;
    push(
        body,
        rule(
            "pending_approval",
            name,
            "Notifies approvers when a model version waits for manual approval",
            None,
            None,
            pattern_expr(&event_patterns(env), name),
            true,
        ),
    );
    push(
        body,
        notify_target(
            "pending_approval",
            "pending_approval",
            None,
            "approvals",
            vec![
                ("arn", "$.detail.ModelPackageArn"),
                ("group", "$.detail.ModelPackageGroupName"),
                ("version", "$.detail.ModelPackageVersion"),
            ],
            "Model <group> version <version> is waiting for approval in the model registry: <arn>",
        ),
    );
    topic(env, "approvals", &r.approval_topic, key, &[env.rule_arn("default", name)], &r.approval_emails, body);
    push(
        outputs,
        output(
            "approvals_topic_arn",
            "Topic notified when a model version waits for approval.",
            Expr::r("aws_sns_topic.approvals.arn"),
        ),
    );
}
