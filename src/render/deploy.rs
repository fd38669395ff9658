//! Deploying an environment: the Terraform and provider versions, the provider (with the deploy
//! role it assumes) and the S3 backend of the main root, and the bootstrap root that an
//! administrator applies once (the state bucket and its key, the role Jenkins assumes and what
//! that role may do), and the Jenkins log group.

use super::hcl::{Block, Body, Expr};
use super::keys::root_statement;
use super::policy::{Stmt, document, json_policy};
use super::tf::{inline_policy, module, output, push, resource};
use crate::model::*;

/// Provider constraint: both 5.100 and 6.x (aws-facts.md §1.1; tfcheck serves both).
pub const AWS_PROVIDER_VERSION: &str = ">= 5.100.0, < 7.0.0";
/// Terraform constraint: S3-native state locking (`use_lockfile`) needs 1.10.
pub const TERRAFORM_VERSION: &str = ">= 1.10";

/// Archive provider constraint (packages the Lambda source deterministically).
pub const ARCHIVE_PROVIDER_VERSION: &str = ">= 2.4.0, < 3.0.0";

pub(super) fn versions(archive: bool) -> Body {
    let mut providers = Body::new().attr(
        "aws",
        Expr::Object(vec![
            ("source".into(), Expr::str("hashicorp/aws")),
            ("version".into(), Expr::str(AWS_PROVIDER_VERSION)),
        ]),
    );
    if archive {
        providers = providers.attr(
            "archive",
            Expr::Object(vec![
                ("source".into(), Expr::str("hashicorp/archive")),
                ("version".into(), Expr::str(ARCHIVE_PROVIDER_VERSION)),
            ]),
        );
    }
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
    env.deploy.as_ref().map(|d| Role { name: d.role_name.clone(), path: "/".into(), create: true })
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
    if assume && let (Some(role), Some(d)) = (deploy_role(env), env.deploy.as_ref()) {
        let mut ar = Body::new()
            .attr("role_arn", Expr::str(env.role_arn(&role)))
            .attr("session_name", Expr::str(format!("mlopsgen-{}", env.name)));
        if let Some(x) = &d.external_id {
            ar = ar.attr("external_id", Expr::str(x));
        }
        body = body.blank().comment("Jenkins assumes the deploy role created by bootstrap/.").block(Block::new(
            "assume_role",
            &[],
            ar,
        ));
    }
    body = body.blank().block(Block::new("default_tags", &[], Body::new().attr("tags", tags(env))));
    Body::new().block(Block::new("provider", &["aws"], body))
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
            .comment("Created by bootstrap/; the state is encrypted and locked with a lock file.")
            .block(Block::new("backend", &["s3"], b)),
    ))
}

pub(super) fn log_group(env: &EnvConfig, key: &Expr, body: &mut Body) -> Option<Block> {
    let lg = env.deploy.as_ref()?.log_group.as_ref()?;
    push(
        body,
        resource(
            "aws_cloudwatch_log_group",
            "jenkins",
            Body::new()
                .attr("name", Expr::str(&lg.name))
                .attr("retention_in_days", Expr::int(lg.retention_in_days))
                .attr("kms_key_id", key.clone()),
        ),
    );
    Some(output(
        "jenkins_log_group",
        "Log group Jenkins writes its pipeline logs to.",
        Expr::r("aws_cloudwatch_log_group.jenkins.name"),
    ))
}

pub(super) fn bootstrap(env: &EnvConfig) -> (Body, Body) {
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

    if let (Some(role), Some(d)) = (deploy, env.deploy.as_ref()) {
        let jenkins_role = env.foreign_role_arn_by_name(&d.jenkins_account_id, &d.jenkins_role_name);
        let mut trust = Stmt::allow("TrustJenkinsServerRole", &["sts:AssumeRole"], Vec::new())
            .principal("AWS", vec![Expr::str(env.foreign_root_arn(&d.jenkins_account_id))])
            .condition("ArnEquals", "aws:PrincipalArn", vec![Expr::str(jenkins_role)]);
        if let Some(x) = &d.external_id {
            trust = trust.condition("StringEquals", "sts:ExternalId", vec![Expr::str(x)]);
        }
        push(&mut body, document("deploy_assume", vec![trust]));
        push(
            &mut body,
            resource(
                "aws_iam_role",
                "deploy",
                Body::new()
                    .attr("name", Expr::str(&role.name))
                    .attr("description", Expr::str("Jenkins applies generated/ with this role (mlopsgen)."))
                    .attr("max_session_duration", Expr::int(3600))
                    .attr("assume_role_policy", Expr::r("data.aws_iam_policy_document.deploy_assume.json")),
            ),
        );
        let role = Expr::r("aws_iam_role.deploy.name");
        inline_policy(&mut body, "deploy", "mlopsgen-deploy", role, deploy_statements(env), None);
        push(
            &mut outputs,
            output(
                "deploy_role_arn",
                "Role Jenkins assumes to apply this environment.",
                Expr::r("aws_iam_role.deploy.arn"),
            ),
        );
    }
    (body, outputs)
}

/// What `terraform apply` of the main root needs (aws-facts.md §5.5, "Jenkins deploy role"),
/// scoped to this platform's names wherever the action allows it.
pub fn deploy_statements(env: &EnvConfig) -> Vec<Stmt> {
    let mut roles: Vec<Expr> = Vec::new();
    let mut events_roles: Vec<Expr> = Vec::new();
    if let Some(w) = &env.workload {
        roles.push(Expr::str(env.role_arn(&w.execution_role)));
        roles.push(Expr::str(env.role_arn(&w.lambda_role)));
        events_roles.push(Expr::str(env.role_arn(&Role {
            name: env.events_role_name(),
            path: "/".into(),
            create: true,
        })));
    }
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
    let state_prefix = format!("mlopsgen/{}/", env.name);
    let state_arn = env.bucket_arn(&env.state_bucket.name);
    let mut stmts = vec![
        Stmt::allow("ListStateBucket", &["s3:ListBucket"], vec![Expr::str(&state_arn)]),
        Stmt::allow(
            "ReadWriteStateAndLock",
            &["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
            vec![Expr::str(format!("{state_arn}/{state_prefix}*"))],
        ),
        Stmt::allow("CreateKeys", &["kms:CreateKey", "kms:ListAliases"], vec![Expr::str("*")])
            .why_star("kms:CreateKey and kms:ListAliases have no resource-level permissions.")
            .condition("StringEquals", "aws:RequestedRegion", vec![Expr::str(&env.region)]),
        Stmt::allow(
            "ManageKeys",
            &[
                "kms:CreateAlias",
                "kms:Decrypt",
                "kms:DeleteAlias",
                "kms:DescribeKey",
                "kms:EnableKeyRotation",
                "kms:Encrypt",
                "kms:GenerateDataKey",
                "kms:GetKeyPolicy",
                "kms:GetKeyRotationStatus",
                "kms:ListResourceTags",
                "kms:PutKeyPolicy",
                "kms:ScheduleKeyDeletion",
                "kms:TagResource",
                "kms:UntagResource",
                "kms:UpdateAlias",
            ],
            vec![Expr::str(env.regional_arn("kms", "key/*")), Expr::str(env.regional_arn("kms", "alias/mlops-*"))],
        ),
        Stmt::allow(
            "ManageLogGroups",
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
            vec![Expr::str(env.regional_arn("logs", "log-group:*"))],
        ),
        Stmt::allow("DescribeLogGroups", &["logs:DescribeLogGroups"], vec![Expr::str("*")])
            .why_star("logs:DescribeLogGroups has no resource-level permissions.")
            .condition("StringEquals", "aws:RequestedRegion", vec![Expr::str(&env.region)]),
    ];
    let rules: Vec<Expr> = env.rules().iter().map(|(bus, r)| Expr::str(env.rule_arn(bus, r))).collect();
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
        let mut arns = Vec::new();
        for t in &topics {
            arns.push(Expr::str(env.regional_arn("sns", t)));
            arns.push(Expr::str(env.regional_arn("sns", &format!("{t}:*"))));
        }
        stmts.push(Stmt::allow(
            "ManageTopics",
            &[
                "sns:CreateTopic",
                "sns:DeleteTopic",
                "sns:GetSubscriptionAttributes",
                "sns:GetTopicAttributes",
                "sns:ListSubscriptionsByTopic",
                "sns:ListTagsForResource",
                "sns:SetSubscriptionAttributes",
                "sns:SetTopicAttributes",
                "sns:Subscribe",
                "sns:TagResource",
                "sns:Unsubscribe",
                "sns:UntagResource",
            ],
            arns,
        ));
    }
    if let Some(w) = &env.workload {
        let mut pipelines = Vec::new();
        for m in &w.models {
            pipelines.push(Expr::str(env.pipeline_arn(&m.train.pipeline_name)));
            pipelines.push(Expr::str(env.pipeline_arn(&m.inference.pipeline_name)));
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
            "ManageLatestApprovedModelFunction",
            &[
                "lambda:CreateFunction",
                "lambda:DeleteFunction",
                "lambda:DeleteFunctionConcurrency",
                "lambda:GetFunction",
                "lambda:GetFunctionCodeSigningConfig",
                "lambda:ListTags",
                "lambda:ListVersionsByFunction",
                "lambda:PutFunctionConcurrency",
                "lambda:TagResource",
                "lambda:UntagResource",
                "lambda:UpdateFunctionCode",
                "lambda:UpdateFunctionConfiguration",
            ],
            vec![Expr::str(env.regional_arn("lambda", &format!("function:{}", env.latest_model_function_name())))],
        ));
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
        stmts.push(Stmt::allow(
            "UploadPipelineCode",
            &["s3:DeleteObject", "s3:GetObject", "s3:GetObjectTagging", "s3:PutObject", "s3:PutObjectTagging"],
            w.models
                .iter()
                .map(|m| Expr::str(format!("{}/{}/code/*", env.bucket_arn(&w.default_bucket.name), m.name)))
                .collect(),
        ));
    }
    if !events_roles.is_empty() {
        roles.extend(events_roles.iter().cloned());
    }
    if !roles.is_empty() {
        stmts.push(Stmt::allow(
            "ManagePlatformRoles",
            &[
                "iam:CreateRole",
                "iam:DeleteRole",
                "iam:DeleteRolePolicy",
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:ListAttachedRolePolicies",
                "iam:ListInstanceProfilesForRole",
                "iam:ListRolePolicies",
                "iam:PutRolePolicy",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:UpdateAssumeRolePolicy",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
            ],
            roles.clone(),
        ));
        stmts.push(Stmt::allow("PassPlatformRoles", &["iam:PassRole"], roles).condition(
            "StringEquals",
            "iam:PassedToService",
            vec![Expr::str("lambda.amazonaws.com"), Expr::str("sagemaker.amazonaws.com")],
        ));
    }
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
    stmts
}
