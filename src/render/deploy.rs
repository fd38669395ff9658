//! Deploying an environment: the Terraform and provider versions, the provider (with the deploy
//! role it assumes) and the S3 backend of the main root, and the bootstrap root that an
//! administrator applies once (the state bucket and its key, the role Jenkins assumes and what
//! that role may do, the environment's key and its policy). It composes the capabilities from
//! above: the key policy and the deploy role are derived from what they create and need.

use super::hcl::{Block, Body, Expr};
use super::keys::{events_statement, logs_statement, root_statement, share_statements, shared_with};
use super::policy::{Stmt, document, json_policy};
use super::tf::{managed_policies, module, output, push, resource};
use crate::model::names;
use crate::model::*;

/// Provider constraint: both 5.100 and 6.x (aws-facts.md §1.1; tfcheck serves both).
pub const AWS_PROVIDER_VERSION: &str = ">= 5.100.0, < 7.0.0";
/// Terraform constraint: S3-native state locking (`use_lockfile`) needs 1.10.
pub const TERRAFORM_VERSION: &str = ">= 1.10";

pub(super) fn versions() -> Body {
    let providers = Body::new().attr(
        "aws",
        Expr::Object(vec![
            ("source".into(), Expr::str("hashicorp/aws")),
            ("version".into(), Expr::str(AWS_PROVIDER_VERSION)),
        ]),
    );
    Body::new().block(Block::new(
        "terraform",
        &[],
        Body::new().attr("required_version", Expr::str(TERRAFORM_VERSION)).blank().block(Block::new(
            "required_providers",
            &[],
            providers,
        )),
    ))
}

/// The role Jenkins assumes in this account, when the environment has a `deploy` section.
pub(super) fn deploy_role(env: &EnvConfig) -> Option<Role> {
    env.deploy.as_ref().map(|d| Role::created(&d.role_name))
}

pub(super) fn tags(env: &EnvConfig) -> Expr {
    let mut tags: Vec<(String, Expr)> =
        vec![("environment".into(), Expr::str(&env.name)), ("managed-by".into(), Expr::str("mlopsgen"))];
    for (k, v) in &env.tags {
        if !tags.iter().any(|(t, _)| t == k) {
            tags.push((k.clone(), Expr::str(v)));
        }
    }
    tags.sort_by(|a, b| a.0.cmp(&b.0));
    Expr::Object(tags)
}

pub(super) fn providers(env: &EnvConfig, assume: bool) -> Body {
    let mut body =
        Body::new().attr("region", Expr::str(&env.region)).attr("allowed_account_ids", Expr::strs([&env.account_id]));
    if assume && let (Some(_), Some(d)) = (deploy_role(env), env.deploy.as_ref()) {
        let mut ar = Body::new()
            .attr("role_arn", Expr::r("var.assume_role_arn"))
            .attr("session_name", Expr::str(format!("mlopsgen-{}", env.name)));
        if let Some(x) = &d.external_id {
            ar = ar.attr("external_id", Expr::str(x));
        }
        body = body
            .blank()
            .comment(
                "Jenkins assumes the deploy role created by bootstrap/ (the read-only plan role for pull requests).",
            )
            .block(Block::new("assume_role", &[], ar));
    }
    body = body.blank().block(Block::new("default_tags", &[], Body::new().attr("tags", tags(env))));
    Body::new().block(Block::new("provider", &["aws"], body))
}

/// The main root's one variable: the role the provider assumes, the deploy role unless a
/// pull request plans with the read-only plan role (`-var assume_role_arn=...`).
pub(super) fn variables(env: &EnvConfig) -> Option<Body> {
    let role = deploy_role(env)?;
    let deploy = env.role_arn(&role);
    let plan = env.plan_role_arn();
    Some(Body::new().block(Block::new(
        "variable",
        &["assume_role_arn"],
        Body::new()
            .attr(
                "description",
                Expr::str("Role the provider assumes: the deploy role (apply), or the read-only plan role (pull requests)."),
            )
            .attr("type", Expr::r("string"))
            .attr("default", Expr::str(&deploy))
            .blank()
            .block(Block::new(
                "validation",
                &[],
                Body::new()
                    .attr(
                        "condition",
                        Expr::Call(
                            "contains".into(),
                            vec![Expr::strs([&deploy, &plan]), Expr::r("var.assume_role_arn")],
                        ),
                    )
                    .attr("error_message", Expr::str(format!("The role must be {deploy} or {plan}."))),
            )),
    )))
}

/// `-backend-config` for pull requests: the state read with the read-only plan role.
pub(super) fn backend_plan_config(env: &EnvConfig) -> Option<String> {
    let d = env.deploy.as_ref()?;
    let plan = env.plan_role_arn();
    let mut ar = vec![
        ("role_arn".to_string(), Expr::str(&plan)),
        ("session_name".to_string(), Expr::str(format!("mlopsgen-{}-plan", env.name))),
    ];
    if let Some(x) = &d.external_id {
        ar.push(("external_id".into(), Expr::str(x)));
    }
    let body = Body::new()
        .comment("Pull requests read the state with the read-only plan role (never lock, never write):")
        .comment(&format!(
            "  terraform -chdir=generated/{} init -reconfigure -backend-config=backend-plan.hcl",
            env.name
        ))
        .comment(&format!("  terraform -chdir=generated/{} plan -lock=false -var assume_role_arn={plan}", env.name))
        .attr("assume_role", Expr::Object(ar));
    Some(super::hcl::render_file(&super::tf::header(env), &body))
}

pub(super) fn backend(env: &EnvConfig) -> Body {
    let mut b = Body::new()
        .attr("bucket", Expr::str(&env.state_bucket.name))
        .attr("key", Expr::str(env.state_key()))
        .attr("region", Expr::str(&env.region))
        .attr("encrypt", Expr::Bool(true));
    if env.state_bucket.create {
        b = b.attr("kms_key_id", Expr::str(env.kms_alias_arn(&env.state_key_alias())));
    }
    b = b.attr("use_lockfile", Expr::Bool(true));
    if let (Some(role), Some(d)) = (deploy_role(env), env.deploy.as_ref()) {
        let mut ar = vec![
            ("role_arn".to_string(), Expr::str(env.role_arn(&role))),
            ("session_name".to_string(), Expr::str(format!("mlopsgen-{}-state", env.name))),
        ];
        if let Some(x) = &d.external_id {
            ar.push(("external_id".into(), Expr::str(x)));
        }
        b = b
            .blank()
            .comment("An attribute here, a block in the provider (aws-facts.md §1.2).")
            .attr("assume_role", Expr::Object(ar));
    }
    Body::new().block(Block::new(
        "terraform",
        &[],
        Body::new()
            .comment(if env.state_bucket.create {
                "Created by bootstrap/; the state is encrypted and locked with a lock file."
            } else {
                "The state bucket exists already (terraform_state_bucket, not created by mlopsgen); the state is encrypted and locked with a lock file."
            })
            .block(Block::new("backend", &["s3"], b)),
    ))
}

pub(super) fn bootstrap(env: &EnvConfig, all: &[EnvConfig]) -> (Body, Body) {
    let mut body = Body::new();
    let mut outputs = Body::new();
    let src = |m: &str| format!("../../modules/{m}");

    let deploy = deploy_role(env);
    let mut key_stmts = vec![root_statement(env)];
    if let Some(role) = &deploy {
        key_stmts.push(
            Stmt::allow(
                "AllowDeployRoleToUseStateKey",
                &["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                vec![Expr::str("*")],
            )
            .principal("AWS", vec![Expr::str(env.root_arn())])
            .condition("ArnEquals", "aws:PrincipalArn", vec![Expr::str(env.role_arn(role))]),
        );
    }
    if env.state_bucket.create {
        push(
            &mut body,
            module(
                "state_key",
                &src("kms-key"),
                vec![
                    ("alias", Expr::str(env.state_key_alias())),
                    ("description", Expr::str(format!("mlopsgen: Terraform state of {}", env.name))),
                    ("policy", json_policy(key_stmts)),
                ],
            ),
        );
        push(
            &mut body,
            module(
                "state_bucket",
                &src("state-bucket"),
                vec![("name", Expr::str(&env.state_bucket.name)), ("kms_key_arn", Expr::r("module.state_key.arn"))],
            ),
        );
        push(
            &mut outputs,
            output("state_bucket", "Bucket holding the Terraform state.", Expr::r("module.state_bucket.name")),
        );
        push(
            &mut outputs,
            output("state_key_arn", "Key encrypting the Terraform state.", Expr::r("module.state_key.arn")),
        );
    }

    // The environment's key: created here, by the administrator (the deploy role only uses it).
    let platform_key = kms_module(env, all, &mut body, &mut outputs);
    let state_key = env.state_bucket.create.then(|| Expr::r("module.state_key.arn"));
    if let (Some(role), Some(d)) = (deploy, env.deploy.as_ref()) {
        let jenkins_role = env.foreign_role_arn_by_name(&d.jenkins_account_id, &d.jenkins_role_name);
        let mut trust = Stmt::allow("TrustJenkinsServerRole", &["sts:AssumeRole"], Vec::new())
            .principal("AWS", vec![Expr::str(env.foreign_root_arn(&d.jenkins_account_id))])
            .condition("ArnEquals", "aws:PrincipalArn", vec![Expr::str(jenkins_role)]);
        if let Some(x) = &d.external_id {
            trust = trust.condition("StringEquals", "sts:ExternalId", vec![Expr::str(x)]);
        }
        push(&mut body, document("deploy_assume", vec![trust]));
        let plan_jenkins = env.foreign_role_arn_by_name(&d.jenkins_account_id, &d.jenkins_plan_role_name);
        let mut plan_trust = Stmt::allow("TrustJenkinsPlanRole", &["sts:AssumeRole"], Vec::new())
            .principal("AWS", vec![Expr::str(env.foreign_root_arn(&d.jenkins_account_id))])
            .condition("ArnEquals", "aws:PrincipalArn", vec![Expr::str(plan_jenkins)]);
        if let Some(x) = &d.external_id {
            plan_trust = plan_trust.condition("StringEquals", "sts:ExternalId", vec![Expr::str(x)]);
        }
        push(&mut body, document("plan_assume", vec![plan_trust]));
        for (l, name, description, statements, what, trust) in [
            (
                "deploy",
                role.name.clone(),
                "Jenkins applies generated/ with this role (mlopsgen).",
                deploy_statements(env, state_key.clone(), &platform_key),
                "Role Jenkins assumes to apply this environment.",
                "deploy_assume",
            ),
            (
                "plan",
                env.plan_role_name(),
                "Jenkins plans pull requests with this role: it reads, never writes (mlopsgen).",
                plan_statements(env, state_key.clone(), &platform_key),
                "Read-only role Jenkins assumes for `terraform plan -lock=false` of pull requests.",
                "plan_assume",
            ),
        ] {
            push(
                &mut body,
                resource(
                    "aws_iam_role",
                    l,
                    Body::new()
                        .attr("name", Expr::str(&name))
                        .attr("description", Expr::str(description))
                        .attr("max_session_duration", Expr::int(3600))
                        .attr("assume_role_policy", Expr::r(format!("data.aws_iam_policy_document.{trust}.json"))),
                ),
            );
            managed_policies(
                &mut body,
                l,
                &env.managed_policy_stem(l),
                Expr::r(format!("aws_iam_role.{l}.name")),
                statements,
            );
            push(&mut outputs, output(&format!("{l}_role_arn"), what, Expr::r(format!("aws_iam_role.{l}.arn"))));
        }
        if env.workload.is_some() {
            push(&mut body, document("role_boundary", super::identity::boundary_statements(env, all)));
            push(
                &mut body,
                resource(
                    "aws_iam_policy",
                    "role_boundary",
                    Body::new()
                        .attr("name", Expr::str(env.boundary_policy_name()))
                        .attr(
                            "description",
                            Expr::str("Permissions boundary of every role the main root creates (mlopsgen)."),
                        )
                        .attr("policy", Expr::r("data.aws_iam_policy_document.role_boundary.json")),
                ),
            );
            push(
                &mut outputs,
                output(
                    "role_boundary_arn",
                    "Permissions boundary the deploy role must put on every role it creates.",
                    Expr::r("aws_iam_policy.role_boundary.arn"),
                ),
            );
        }
    }
    if let Some(r) = &env.registry {
        super::registry::approver(env, r, &mut body, &mut outputs);
    }
    (body, outputs)
}

/// The environment's key in bootstrap/: `module.kms` (and its output) when created, else the
/// given ARN.
pub(super) fn kms_module(env: &EnvConfig, all: &[EnvConfig], body: &mut Body, outputs: &mut Body) -> Expr {
    let (alias, description, deletion_window_in_days, rotation_period_in_days) = match &env.kms_key {
        KmsKey::Existing { arn } => return Expr::str(arn),
        KmsKey::Create { alias, description, deletion_window_in_days, rotation_period_in_days, .. } => {
            (alias, description, *deletion_window_in_days, *rotation_period_in_days)
        }
    };
    push(
        body,
        module(
            "kms",
            "../../modules/kms-key",
            vec![
                ("alias", Expr::str(alias)),
                ("description", Expr::str(description)),
                ("deletion_window_in_days", Expr::int(deletion_window_in_days)),
                ("rotation_period_in_days", Expr::int(rotation_period_in_days)),
                ("policy", json_policy(key_policy_statements(env, all))),
            ],
        ),
    );
    push(outputs, output("kms_key_arn", "The environment's KMS key.", Expr::r("module.kms.arn")));
    Expr::r("module.kms.arn")
}

/// The statements an environment's key policy adds to the account's and CloudWatch Logs'
/// (the workload's and the registry's differ).
fn key_statements(env: &EnvConfig, all: &[EnvConfig]) -> Vec<Stmt> {
    match env.kind {
        EnvKind::Workload => {
            let mut statements = share_statements(env, &shared_with(env, all));
            statements.push(events_statement());
            statements
        }
        EnvKind::Registry => super::registry::key_statements(env, all),
    }
}

/// The whole policy of the key mlopsgen creates for `env` (None for an existing key).
pub fn key_policy(env: &EnvConfig, all: &[EnvConfig]) -> Option<Vec<Stmt>> {
    let KmsKey::Create { .. } = &env.kms_key else { return None };
    Some(key_policy_statements(env, all))
}

/// Every statement the key of `env` needs, whether mlopsgen creates it or it exists: the policy
/// of a created key, and what `validate` asks the owner of an existing key to add (E0309).
pub fn key_policy_statements(env: &EnvConfig, all: &[EnvConfig]) -> Vec<Stmt> {
    let mut statements = key_statements(env, all);
    statements.push(root_statement(env));
    let groups = main_root_log_groups(env);
    if !groups.is_empty() {
        statements.push(logs_statement(env, &groups));
    }
    statements
}

/// A role the main root creates and the service it is passed to.
pub struct CreatedRole {
    pub arn: String,
    pub service: &'static str,
}

/// The roles the main root creates (each with the permissions boundary), and the existing roles
/// whose inline policy it manages.
pub fn main_root_roles(env: &EnvConfig) -> (Vec<CreatedRole>, Vec<String>) {
    let mut created = Vec::new();
    let mut existing = Vec::new();
    if let Some(w) = &env.workload {
        for (role, service) in
            [(&w.execution_role, "sagemaker.amazonaws.com"), (&w.lambda_role, "lambda.amazonaws.com")]
        {
            if role.create {
                created.push(CreatedRole { arn: env.role_arn(role), service });
            } else {
                existing.push(env.role_arn(role));
            }
        }
        let service_role = |name: String| Role::created(name);
        created.push(CreatedRole {
            arn: env.role_arn(&service_role(env.scheduler_role_name())),
            service: "scheduler.amazonaws.com",
        });
        if env.has_quality() {
            created.push(CreatedRole {
                arn: env.role_arn(&service_role(env.quality_trigger_function_name())),
                service: "lambda.amazonaws.com",
            });
        }
        if super::workflow::events_role_statements(env, false).is_some() {
            created.push(CreatedRole {
                arn: env.role_arn(&service_role(env.events_role_name())),
                service: "events.amazonaws.com",
            });
        }
    }
    (created, existing)
}

/// The buckets the main root creates: the data or artifacts bucket and the access-log bucket.
pub fn main_root_buckets(env: &EnvConfig) -> Vec<String> {
    let mut buckets: Vec<String> = Vec::new();
    if let Some(w) = &env.workload
        && w.default_bucket.create
    {
        buckets.push(w.default_bucket.name.clone());
    }
    if let Some(r) = &env.registry
        && r.artifacts_bucket.create
    {
        buckets.push(r.artifacts_bucket.name.clone());
    }
    // The access-log bucket exists where a bucket is created that logs into it.
    if !buckets.is_empty() {
        buckets.push(env.access_log_bucket());
    }
    buckets
}

/// The log groups the main root creates.
pub fn main_root_log_groups(env: &EnvConfig) -> Vec<String> {
    let mut groups: Vec<String> =
        env.deploy.iter().filter_map(|d| d.log_group.as_ref()).map(|lg| lg.name.clone()).collect();
    if env.workload.is_some() {
        groups.push(format!("/aws/lambda/{}", env.latest_model_function_name()));
    }
    if env.has_quality() {
        groups.push(format!("/aws/lambda/{}", env.quality_trigger_function_name()));
    }
    groups.extend(env.job_log_groups().into_iter().map(String::from));
    groups
}

/// What `terraform apply` (and `destroy`, up to the protected resources) of the main root
/// needs, scoped to this platform's names wherever the action allows it, and nothing that
/// escalates (aws-facts.md §5.5, "Jenkins deploy role"):
/// - roles only with the permissions boundary (`iam:PermissionsBoundary`), no trust changes
///   (`iam:UpdateAssumeRolePolicy`), each passed only to its service;
/// - key administration only of keys it created for this environment (tags), no deletion;
/// - log groups, buckets, topics, rules, schedules, pipelines, the function and the queue by name.
///
/// `state_key` is how the policy names the state key (`module.state_key.arn` in bootstrap/).
pub fn deploy_statements(env: &EnvConfig, state_key: Option<Expr>, platform_key: &Expr) -> Vec<Stmt> {
    let region = || vec![Expr::str(&env.region)];
    let state_prefix = format!("mlopsgen/{}/", env.name);
    let state_arn = env.bucket_arn(&env.state_bucket.name);
    let mut stmts = vec![
        Stmt::allow("ListStateBucket", &["s3:ListBucket"], vec![Expr::str(&state_arn)]),
        Stmt::allow(
            "ReadWriteStateAndLock",
            &["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
            vec![Expr::str(format!("{state_arn}/{state_prefix}*"))],
        ),
    ];
    if let Some(k) = state_key {
        stmts.push(Stmt::allow(
            "UseStateKey",
            &["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
            vec![k],
        ));
    }
    // Encrypting what it uploads and creates (code objects, schedules); never administering.
    stmts.push(Stmt::allow(
        "UsePlatformKey",
        &["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
        vec![platform_key.clone()],
    ));
    let groups = main_root_log_groups(env);
    if !groups.is_empty() {
        stmts.push(Stmt::allow(
            "ManagePlatformLogGroups",
            &[
                "logs:AssociateKmsKey",
                "logs:CreateLogGroup",
                "logs:DeleteLogGroup",
                "logs:DisassociateKmsKey",
                "logs:ListTagsForResource",
                "logs:PutRetentionPolicy",
                "logs:TagResource",
                "logs:UntagResource",
            ],
            groups
                .iter()
                .flat_map(|g| {
                    [
                        Expr::str(env.regional_arn("logs", &format!("log-group:{g}"))),
                        Expr::str(env.regional_arn("logs", &format!("log-group:{g}:*"))),
                    ]
                })
                .collect(),
        ));
        stmts.push(
            Stmt::allow("DescribeLogGroups", &["logs:DescribeLogGroups"], vec![Expr::str("*")])
                .why_star("logs:DescribeLogGroups has no resource-level permissions.")
                .condition("StringEquals", "aws:RequestedRegion", region()),
        );
    }
    let rules: Vec<Expr> =
        super::events::event_rules(env).iter().map(|r| Expr::str(env.rule_arn(&r.bus, &r.name))).collect();
    if !rules.is_empty() {
        stmts.push(Stmt::allow(
            "ManageEventRules",
            &[
                "events:DeleteRule",
                "events:DescribeRule",
                "events:DisableRule",
                "events:EnableRule",
                "events:ListTagsForResource",
                "events:ListTargetsByRule",
                "events:PutRule",
                "events:PutTargets",
                "events:RemoveTargets",
                "events:TagResource",
                "events:UntagResource",
            ],
            rules,
        ));
    }
    let mut topics: Vec<String> = Vec::new();
    if let Some(w) = &env.workload {
        topics.push(w.alert_topic.clone());
    }
    if let Some(r) = &env.registry
        && !r.groups.is_empty()
    {
        topics.push(r.approval_topic.clone());
    }
    if !topics.is_empty() {
        stmts.push(Stmt::allow(
            "ManageTopics",
            &[
                "sns:CreateTopic",
                "sns:DeleteTopic",
                "sns:GetTopicAttributes",
                "sns:ListSubscriptionsByTopic",
                "sns:ListTagsForResource",
                "sns:SetTopicAttributes",
                "sns:Subscribe",
                "sns:TagResource",
                "sns:UntagResource",
            ],
            topics.iter().map(|t| Expr::str(env.regional_arn("sns", t))).collect(),
        ));
        stmts.push(
            Stmt::allow(
                "ManageSubscriptions",
                &["sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes", "sns:Unsubscribe"],
                vec![Expr::str("*")],
            )
            .why_star("these subscription actions accept only Resource \"*\" (Service Authorization Reference).")
            .condition("StringEquals", "aws:RequestedRegion", region()),
        );
    }
    if let Some(w) = &env.workload {
        let mut pipelines = Vec::new();
        for m in &w.models {
            for (kind, _) in super::workflow::pipeline_kinds(m) {
                pipelines.push(Expr::str(env.pipeline_arn(&super::workflow::pipeline_name(m, kind))));
            }
        }
        stmts.push(Stmt::allow(
            "ManagePipelines",
            &[
                "sagemaker:AddTags",
                "sagemaker:CreatePipeline",
                "sagemaker:DeletePipeline",
                "sagemaker:DeleteTags",
                "sagemaker:DescribePipeline",
                "sagemaker:ListTags",
                "sagemaker:UpdatePipeline",
            ],
            pipelines,
        ));
        stmts.push(Stmt::allow(
            "ManageSchedules",
            &[
                "scheduler:CreateSchedule",
                "scheduler:DeleteSchedule",
                "scheduler:GetSchedule",
                "scheduler:UpdateSchedule",
            ],
            w.models.iter().map(|m| Expr::str(env.schedule_arn(&names::schedule_rule(m)))).collect(),
        ));
        let mut functions = vec![env.latest_model_function_name()];
        if env.has_quality() {
            functions.push(env.quality_trigger_function_name());
        }
        stmts.push(Stmt::allow(
            "ManagePlatformFunctions",
            &[
                "lambda:CreateFunction",
                "lambda:DeleteFunction",
                "lambda:DeleteFunctionConcurrency",
                "lambda:GetFunction",
                "lambda:GetFunctionCodeSigningConfig",
                "lambda:GetPolicy",
                "lambda:ListTags",
                "lambda:ListVersionsByFunction",
                "lambda:PutFunctionConcurrency",
                "lambda:TagResource",
                "lambda:UntagResource",
                "lambda:UpdateFunctionCode",
                "lambda:UpdateFunctionConfiguration",
            ],
            functions.iter().map(|f| Expr::str(env.regional_arn("lambda", &format!("function:{f}")))).collect(),
        ));
        if env.has_quality() {
            // Only EventBridge may be allowed to invoke a platform function (the labels rule).
            stmts.push(
                Stmt::allow(
                    "LetOnlyEventBridgeInvokeFunctions",
                    &["lambda:AddPermission", "lambda:RemovePermission"],
                    vec![Expr::str(
                        env.regional_arn("lambda", &format!("function:{}", env.quality_trigger_function_name())),
                    )],
                )
                .condition("StringEquals", "lambda:Principal", vec![Expr::str("events.amazonaws.com")]),
            );
        }
        stmts.push(Stmt::allow(
            "ManageDeadLetterQueue",
            &[
                "sqs:CreateQueue",
                "sqs:DeleteQueue",
                "sqs:GetQueueAttributes",
                "sqs:ListQueueTags",
                "sqs:SetQueueAttributes",
                "sqs:TagQueue",
                "sqs:UntagQueue",
            ],
            vec![Expr::str(env.regional_arn("sqs", &env.events_dlq_name()))],
        ));
        let data = env.bucket_arn(&w.default_bucket.name);
        let code: Vec<String> = w.models.iter().map(|m| format!("{}/code/", m.name)).collect();
        stmts.push(Stmt::allow(
            "UploadPipelineCode",
            &[
                "s3:DeleteObject",
                "s3:DeleteObjectVersion",
                "s3:GetObject",
                "s3:GetObjectTagging",
                "s3:PutObject",
                "s3:PutObjectTagging",
            ],
            code.iter().map(|c| Expr::str(format!("{data}/{c}*"))).collect(),
        ));
        stmts.push(
            Stmt::allow("ListPipelineCodeVersions", &["s3:ListBucketVersions"], vec![Expr::str(&data)]).condition(
                "StringLike",
                "s3:prefix",
                code.iter().map(|c| Expr::str(format!("{c}*"))).collect(),
            ),
        );
    }
    let (created, existing) = main_root_roles(env);
    if !created.is_empty() {
        let arns: Vec<Expr> = created.iter().map(|r| Expr::str(&r.arn)).collect();
        if let Some(boundary) = env.boundary_arn() {
            stmts.push(
                Stmt::allow(
                    "ChangeRolesOnlyWithBoundary",
                    &["iam:CreateRole", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy"],
                    arns.clone(),
                )
                .condition("ArnEquals", "iam:PermissionsBoundary", vec![Expr::str(boundary)]),
            );
        }
        stmts.push(Stmt::allow(
            "ManagePlatformRoles",
            &[
                "iam:DeleteRole",
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:ListAttachedRolePolicies",
                "iam:ListInstanceProfilesForRole",
                "iam:ListRolePolicies",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
            ],
            arns,
        ));
        let mut services: Vec<&'static str> = created.iter().map(|r| r.service).collect();
        services.sort();
        services.dedup();
        for service in services {
            let label = super::tf::camel(service.split('.').next().unwrap_or(service));
            stmts.push(
                Stmt::allow(
                    &format!("PassRolesTo{label}"),
                    &["iam:PassRole"],
                    created.iter().filter(|r| r.service == service).map(|r| Expr::str(&r.arn)).collect(),
                )
                .condition("StringEquals", "iam:PassedToService", vec![Expr::str(service)]),
            );
        }
    }
    if !existing.is_empty() {
        // mlopsgen did not create these roles and cannot bound them: it only keeps its inline
        // policy on them (README, security: give such a role a boundary yourself).
        stmts.push(Stmt::allow(
            "ManageExistingRolePolicies",
            &["iam:DeleteRolePolicy", "iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:PutRolePolicy"],
            existing.iter().map(Expr::str).collect(),
        ));
    }
    let buckets = main_root_buckets(env);
    if !buckets.is_empty() {
        stmts.push(Stmt::allow(
            "ManagePlatformBuckets",
            &[
                "s3:CreateBucket",
                "s3:DeleteBucketPolicy",
                "s3:GetAccelerateConfiguration",
                "s3:GetBucketAcl",
                "s3:GetBucketCORS",
                "s3:GetBucketLogging",
                "s3:GetBucketNotification",
                "s3:GetBucketObjectLockConfiguration",
                "s3:GetBucketOwnershipControls",
                "s3:GetBucketPolicy",
                "s3:GetBucketPublicAccessBlock",
                "s3:GetBucketRequestPayment",
                "s3:GetBucketTagging",
                "s3:GetBucketVersioning",
                "s3:GetBucketWebsite",
                "s3:GetEncryptionConfiguration",
                "s3:GetLifecycleConfiguration",
                "s3:GetReplicationConfiguration",
                "s3:ListBucket",
                "s3:PutBucketLogging",
                "s3:PutBucketNotification",
                "s3:PutBucketOwnershipControls",
                "s3:PutBucketPolicy",
                "s3:PutBucketPublicAccessBlock",
                "s3:PutBucketTagging",
                "s3:PutBucketVersioning",
                "s3:PutEncryptionConfiguration",
                "s3:PutLifecycleConfiguration",
            ],
            buckets.iter().map(|b| Expr::str(env.bucket_arn(b))).collect(),
        ));
    }
    if let Some(lg) = env.deploy.as_ref().and_then(|d| d.log_group.as_ref()) {
        stmts.push(Stmt::allow(
            "WriteJenkinsBuildLogs",
            &["logs:CreateLogStream", "logs:PutLogEvents"],
            vec![Expr::str(env.regional_arn("logs", &format!("log-group:{}:log-stream:*", lg.name)))],
        ));
    }
    if let Some(r) = &env.registry {
        let mut groups: Vec<Expr> = Vec::new();
        for g in &r.groups {
            groups.push(Expr::str(env.group_arn(&env.account_id, &g.name)));
        }
        if !groups.is_empty() {
            stmts.push(Stmt::allow(
                "ManageModelPackageGroups",
                &[
                    "sagemaker:AddTags",
                    "sagemaker:CreateModelPackageGroup",
                    "sagemaker:DeleteModelPackageGroup",
                    "sagemaker:DeleteModelPackageGroupPolicy",
                    "sagemaker:DeleteTags",
                    "sagemaker:DescribeModelPackageGroup",
                    "sagemaker:GetModelPackageGroupPolicy",
                    "sagemaker:ListTags",
                    "sagemaker:PutModelPackageGroupPolicy",
                ],
                groups,
            ));
        }
    }
    stmts
}

/// What `terraform plan` needs and nothing that writes: the read actions (Get, Describe, List)
/// of the deploy role's statements, and reading the state (a pull request's plan runs with
/// `-lock=false`).
pub fn plan_statements(env: &EnvConfig, state_key: Option<Expr>, platform_key: &Expr) -> Vec<Stmt> {
    let read = |a: &str| {
        let verb = a.split(':').nth(1).unwrap_or("");
        ["Get", "Describe", "List"].iter().any(|p| verb.starts_with(p))
    };
    let mut out = Vec::new();
    for s in deploy_statements(env, None, platform_key) {
        let actions: Vec<String> = s.actions.iter().filter(|a| read(a)).cloned().collect();
        if actions.is_empty() {
            continue;
        }
        out.push(Stmt { sid: format!("Read{}", s.sid), actions, ..s });
    }
    if let Some(k) = state_key {
        out.push(Stmt::allow("DecryptState", &["kms:Decrypt", "kms:DescribeKey"], vec![k]));
    }
    out
}
