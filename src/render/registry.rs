//! The registry environment's main root: its key (usable by the workload accounts that register
//! and read versions), the model artifacts bucket with its policy, the model package groups and
//! who may register and read their versions, and the approvers' notifications.

use super::hcl::{Body, Expr};
use super::keys::{KMS_USE, events_statement, platform_key, share_statements, shared_with};
use super::policy::{Stmt, document, json_statement};
use super::tf::{camel, inline_policy, jenkins_log_group, output, push, resource};
use crate::model::names::label;
use crate::model::*;

/// The registry's main root and its outputs.
pub(super) fn main(env: &EnvConfig, all: &[EnvConfig]) -> (Body, Body) {
    let Some(r) = env.registry.as_ref() else { return (Body::new(), Body::new()) };
    let mut body = Body::new();
    let mut outputs = Body::new();

    // Workload environments granted by any group: they write artifacts and register versions.
    let consumers = consumers(r, all);
    let key = platform_key(env, &mut body);

    // The model artifacts bucket: every consumer reads it, each writes only under its own
    // environment's prefix (dev cannot overwrite a prod-trained model or its evidence).
    let bucket_arn = env.bucket_arn(&r.artifacts_bucket.name);
    if r.artifacts_bucket.create && !consumers.is_empty() {
        let statements: Vec<Expr> =
            artifacts_statements(env, &consumers, &bucket_arn).into_iter().map(json_statement).collect();
        let extra = vec![
            // A replaced model or evidence object stays (no one deletes, see the policy).
            ("noncurrent_version_expiration_days", Expr::int(3653)),
            ("policy_statements", Expr::List(statements)),
        ];
        super::keys::secure_bucket(
            env,
            "artifacts_bucket",
            &r.artifacts_bucket.name,
            &key,
            extra,
            &mut body,
            &mut outputs,
        );
    }

    // The model package groups and who may register and read versions (aws-facts.md §6.2,
    // SageMaker DG "Deploy a Model Version from a Different Account"), and the approval gate:
    // workloads register pending versions only and never decide.
    for g in &r.groups {
        let l = label(&g.name);
        push(
            &mut body,
            resource(
                "aws_sagemaker_model_package_group",
                &l,
                Body::new()
                    .attr("model_package_group_name", Expr::str(&g.name))
                    .attr("model_package_group_description", Expr::str(&g.description)),
            ),
        );
        let group_consumers = group_consumers(g, &consumers);
        if group_consumers.is_empty() {
            continue;
        }
        push(&mut body, document(&format!("{l}_access"), group_statements(env, g, &group_consumers)));
        push(
            &mut body,
            resource(
                "aws_sagemaker_model_package_group_policy",
                &l,
                Body::new()
                    .attr(
                        "model_package_group_name",
                        Expr::r(format!("aws_sagemaker_model_package_group.{l}.model_package_group_name")),
                    )
                    .attr(
                        "resource_policy",
                        Expr::jsonencode(Expr::Call(
                            "jsondecode".into(),
                            vec![Expr::r(format!("data.aws_iam_policy_document.{l}_access.json"))],
                        )),
                    ),
            ),
        );
    }
    let jenkins_output = jenkins_log_group(env, &key, &mut body);
    super::events::registry_notifications(env, r, &key, &mut body, &mut outputs);

    push(&mut outputs, output("kms_key_arn", "The registry's KMS key.", key));
    push(
        &mut outputs,
        output("model_artifacts_bucket", "Bucket holding the model artifacts.", Expr::str(&r.artifacts_bucket.name)),
    );
    for g in &r.groups {
        let l = label(&g.name);
        push(
            &mut outputs,
            output(
                &format!("{l}_arn"),
                &format!("ARN of the model package group {}.", g.name),
                Expr::r(format!("aws_sagemaker_model_package_group.{l}.arn")),
            ),
        );
    }
    if let Some(o) = jenkins_output {
        push(&mut outputs, o);
    }
    (body, outputs)
}

/// The approver role: the only principal that may approve or reject a version (separation of
/// duties: the roles that register are in the workload accounts and may never decide), assumed
/// by the configured approvers with MFA, reading the evidence it decides on. In bootstrap/:
/// who may approve is the administrator's decision, not the deploy role's.
pub(super) fn approver(env: &EnvConfig, r: &Registry, body: &mut Body, outputs: &mut Body) {
    let bucket_arn = env.bucket_arn(&r.artifacts_bucket.name);
    let who: Vec<Expr> = trusted_approvers(env, r).iter().map(Expr::str).collect();
    let mut trust = Stmt::allow("TrustApprovers", &["sts:AssumeRole"], Vec::new()).principal("AWS", who);
    if r.require_mfa {
        trust = trust.condition("Bool", "aws:MultiFactorAuthPresent", vec![Expr::str("true")]);
    }
    push(body, document("approver_assume", vec![trust]));
    push(
        body,
        resource(
            "aws_iam_role",
            "approver",
            Body::new()
                .attr("name", Expr::str(&r.approver_role.name))
                .attr("description", Expr::str("Approves or rejects model versions in the registry (mlopsgen)."))
                .attr("max_session_duration", Expr::int(3600))
                .attr("assume_role_policy", Expr::r("data.aws_iam_policy_document.approver_assume.json")),
        ),
    );
    let stmts = approver_statements(env, r, &bucket_arn);
    inline_policy(
        body,
        "approver",
        "mlopsgen-approve-model-versions",
        Expr::r("aws_iam_role.approver.name"),
        stmts,
        None,
    );
    push(
        outputs,
        output(
            "approver_role_arn",
            "The role that approves or rejects model versions.",
            Expr::r("aws_iam_role.approver.arn"),
        ),
    );
}

/// The resource policy of a model package group: the consumers' execution roles register
/// pending versions only, never approve, and they and the Lambda roles read the versions.
pub fn group_statements(env: &EnvConfig, g: &Group, group_consumers: &[&EnvConfig]) -> Vec<Stmt> {
    let (principals, exec_roles) = consumer_principals(group_consumers);
    let readers: Vec<Expr> = group_consumers
        .iter()
        .filter_map(|c| c.workload.as_ref().map(|w| (c, w)))
        .flat_map(|(c, w)| [Expr::str(c.role_arn(&w.execution_role)), Expr::str(c.role_arn(&w.lambda_role))])
        .collect();
    let group_arn = Expr::str(env.group_arn(&env.account_id, &g.name));
    let versions = Expr::str(env.group_versions_arn(&env.account_id, &g.name));
    vec![
        Stmt::allow(
            "WorkloadsRegisterPendingVersions",
            &["sagemaker:CreateModelPackage"],
            vec![group_arn.clone(), versions.clone()],
        )
        .principal("AWS", principals.clone())
        .condition("ArnEquals", "aws:PrincipalArn", exec_roles)
        .condition("StringEquals", "sagemaker:ModelApprovalStatus", vec![Expr::str("PendingManualApproval")]),
        Stmt::deny(
            "WorkloadsNeverRegisterApproved",
            &["sagemaker:CreateModelPackage"],
            vec![group_arn.clone(), versions.clone()],
        )
        .principal("AWS", principals.clone())
        .condition(
            "StringNotEquals",
            "sagemaker:ModelApprovalStatus",
            vec![Expr::str("PendingManualApproval")],
        ),
        Stmt::deny("WorkloadsNeverDecideApproval", &["sagemaker:UpdateModelPackage"], vec![versions.clone()])
            .principal("AWS", principals.clone()),
        Stmt::allow(
            "WorkloadsReadVersions",
            &[
                "sagemaker:CreateModel",
                "sagemaker:DescribeModelPackage",
                "sagemaker:DescribeModelPackageGroup",
                "sagemaker:ListModelPackages",
            ],
            vec![group_arn, versions],
        )
        .principal("AWS", principals)
        .condition("ArnEquals", "aws:PrincipalArn", readers),
    ]
}

/// What the approver role may do: decide (Approved or Rejected only), review versions, read
/// their evidence.
pub fn approver_statements(env: &EnvConfig, r: &Registry, bucket_arn: &str) -> Vec<Stmt> {
    let versions: Vec<Expr> =
        r.groups.iter().map(|g| Expr::str(env.group_versions_arn(&env.account_id, &g.name))).collect();
    let groups: Vec<Expr> = r.groups.iter().map(|g| Expr::str(env.group_arn(&env.account_id, &g.name))).collect();
    vec![
        Stmt::allow("DecideApproval", &["sagemaker:UpdateModelPackage"], versions.clone()).condition(
            "StringEquals",
            "sagemaker:ModelApprovalStatus",
            vec![Expr::str("Approved"), Expr::str("Rejected")],
        ),
        Stmt::allow(
            "ReviewVersions",
            &["sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup", "sagemaker:ListModelPackages"],
            groups.into_iter().chain(versions).collect(),
        ),
        Stmt::allow("ReadEvidence", &["s3:GetObject"], vec![Expr::str(format!("{bucket_arn}/*/evidence/*"))]),
        Stmt::allow("ListEvidence", &["s3:ListBucket"], vec![Expr::str(bucket_arn)]),
    ]
}

/// The artifacts bucket's statements: every consumer's execution role reads it and writes only
/// under its own environment's prefix (dev cannot overwrite a prod-trained model or its
/// evidence); the approver reads the evidence. Account principals narrowed to the roles: a role
/// ARN as principal must exist when the policy is saved, and the workloads are applied after the
/// registry.
pub fn artifacts_statements(env: &EnvConfig, consumers: &[&EnvConfig], bucket_arn: &str) -> Vec<Stmt> {
    let (roots, exec_arns) = consumer_principals(consumers);
    let mut statements = vec![
        Stmt::allow("WorkloadRolesReadArtifacts", &["s3:GetObject"], vec![Expr::str(format!("{bucket_arn}/*"))])
            .principal("AWS", roots.clone())
            .condition("ArnEquals", "aws:PrincipalArn", exec_arns.clone()),
        Stmt::allow(
            "WorkloadRolesListArtifacts",
            &["s3:GetBucketLocation", "s3:ListBucket"],
            vec![Expr::str(bucket_arn)],
        )
        .principal("AWS", roots)
        .condition("ArnEquals", "aws:PrincipalArn", exec_arns),
    ];
    for c in consumers {
        let Some(w) = c.workload.as_ref() else { continue };
        statements.push(
            Stmt::allow(
                &format!("{}WritesItsOwnPrefix", camel(&c.name)),
                &["s3:PutObject"],
                vec![Expr::str(format!("{bucket_arn}/{}/*", c.name))],
            )
            .principal("AWS", vec![Expr::str(c.root_arn())])
            .condition("ArnEquals", "aws:PrincipalArn", vec![Expr::str(c.role_arn(&w.execution_role))]),
        );
    }
    // Versioned, and nobody deletes: not a workload, not the deploy role, not an administrator
    // (who must first change this policy, which CloudTrail records). Replaced versions are kept.
    statements.push(
        Stmt::deny(
            "NoOneDeletesArtifactsOrEvidence",
            &["s3:DeleteObject", "s3:DeleteObjectVersion"],
            vec![Expr::str(format!("{bucket_arn}/*"))],
        )
        .principal("AWS", vec![Expr::str("*")]),
    );
    if let Some(r) = &env.registry {
        statements.push(
            Stmt::allow(
                "ApproverReadsEvidence",
                &["s3:GetObject"],
                vec![Expr::str(format!("{bucket_arn}/*/evidence/*"))],
            )
            .principal("AWS", vec![Expr::str(env.root_arn())])
            .condition("ArnEquals", "aws:PrincipalArn", vec![Expr::str(env.role_arn(&r.approver_role))]),
        );
    }
    statements
}

/// The statements of the registry key's policy (besides the account's and CloudWatch Logs',
/// which `kms_module` adds): what the registry keeps is encrypted with it. Only the consumers'
/// execution roles may use it, only through S3 (aws:PrincipalArn, kms:ViaService), and the
/// approver role reads the evidence with it.
pub fn key_statements(env: &EnvConfig, all: &[EnvConfig]) -> Vec<Stmt> {
    let Some(r) = env.registry.as_ref() else { return Vec::new() };
    let consumers = consumers(r, all);
    let (roots, exec_arns) = consumer_principals(&consumers);
    let approver_arn = env.role_arn(&r.approver_role);

    let mut key_statements = vec![events_statement()];
    if !consumers.is_empty() {
        key_statements.push(
            Stmt::allow("WorkloadRolesUseKeyThroughS3", KMS_USE, vec![Expr::str("*")])
                .principal("AWS", roots.clone())
                .condition("ArnEquals", "aws:PrincipalArn", exec_arns.clone())
                .condition("StringEquals", "kms:ViaService", vec![Expr::str(env.s3_service())]),
        );
    }
    key_statements.push(
        Stmt::allow("ApproverReadsEvidence", &["kms:Decrypt", "kms:DescribeKey"], vec![Expr::str("*")])
            .principal("AWS", vec![Expr::str(env.root_arn())])
            .condition("ArnEquals", "aws:PrincipalArn", vec![Expr::str(&approver_arn)])
            .condition("StringEquals", "kms:ViaService", vec![Expr::str(env.s3_service())]),
    );
    key_statements.extend(share_statements(env, &shared_with(env, all)));
    key_statements
}

/// Workload environments granted by any group of the registry: they write artifacts and
/// register versions. Sorted by name.
/// Who may assume the approver role: the configured approvers, else the registry account.
pub fn trusted_approvers(env: &EnvConfig, r: &Registry) -> Vec<String> {
    if r.approvers.is_empty() { vec![env.root_arn()] } else { r.approvers.clone() }
}

/// The consumers whose models use group `g`.
pub fn group_consumers<'a>(g: &Group, consumers: &[&'a EnvConfig]) -> Vec<&'a EnvConfig> {
    consumers.iter().copied().filter(|c| g.consumers.iter().any(|(n, _)| n == &c.name)).collect()
}

/// The consumers' account principals and their execution roles' ARNs (the policies name the
/// account and narrow it to the role with `aws:PrincipalArn`).
fn consumer_principals(consumers: &[&EnvConfig]) -> (Vec<Expr>, Vec<Expr>) {
    let roots = consumers.iter().map(|c| Expr::str(c.root_arn())).collect();
    let exec_arns = consumers
        .iter()
        .filter_map(|c| c.workload.as_ref().map(|w| Expr::str(c.role_arn(&w.execution_role))))
        .collect();
    (roots, exec_arns)
}

pub fn consumers<'a>(r: &Registry, all: &'a [EnvConfig]) -> Vec<&'a EnvConfig> {
    let mut consumers: Vec<&EnvConfig> =
        all.iter().filter(|e| r.groups.iter().any(|g| g.consumers.iter().any(|(c, _)| c == &e.name))).collect();
    consumers.sort_by(|a, b| a.name.cmp(&b.name));
    consumers
}
