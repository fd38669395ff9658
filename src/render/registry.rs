//! The registry environment's main root: its key (usable by the workload accounts that register
//! and read versions), the model artifacts bucket with its policy, the model package groups and
//! who may register and read their versions, and the approvers' notifications.

use super::deploy::log_group;
use super::hcl::{Body, Expr};
use super::keys::{access_logs, events_statement, kms_module, share_statements, shared_with};
use super::policy::{Stmt, document, json_statement};
use super::tf::{module, output, push, resource};
use crate::model::names::label;
use crate::model::*;

/// The registry's main root and its outputs.
pub(super) fn main(env: &EnvConfig, all: &[EnvConfig]) -> (Body, Body) {
    let Some(r) = env.registry.as_ref() else { return (Body::new(), Body::new()) };
    let mut body = Body::new();
    let mut outputs = Body::new();

    // Workload environments granted by any group: they write artifacts and register versions.
    let mut consumers: Vec<&EnvConfig> =
        all.iter().filter(|e| r.groups.iter().any(|g| g.consumers.iter().any(|(c, _)| c == &e.name))).collect();
    consumers.sort_by(|a, b| a.name.cmp(&b.name));
    let mut key_users: Vec<&EnvConfig> = consumers.clone();
    for s in shared_with(env, all) {
        if !key_users.iter().any(|k| k.name == s.name) {
            key_users.push(s);
        }
    }
    let mut key_statements = share_statements(&key_users);
    key_statements.push(events_statement());
    let key = kms_module(env, key_statements, &mut body);
    let logs = access_logs(env, &mut body, &mut outputs);

    // The model artifacts bucket: written and read by the workload execution roles.
    let exec_arns: Vec<Expr> = consumers
        .iter()
        .filter_map(|c| c.workload.as_ref().map(|w| Expr::str(c.role_arn(&w.execution_role))))
        .collect();
    let roots: Vec<Expr> = consumers.iter().map(|c| Expr::str(c.root_arn())).collect();
    if r.artifacts_bucket.create && !consumers.is_empty() {
        // Account principals narrowed to the execution roles: a role ARN as principal must exist
        // when the policy is saved, and the workload accounts are applied after the registry.
        let statements = Expr::List(vec![
            json_statement(
                Stmt::allow(
                    "WorkloadRolesReadWriteArtifacts",
                    &["s3:GetObject", "s3:PutObject"],
                    vec![Expr::str(format!("{}/*", env.bucket_arn(&r.artifacts_bucket.name)))],
                )
                .principal("AWS", roots.clone())
                .condition("ArnEquals", "aws:PrincipalArn", exec_arns.clone()),
            ),
            json_statement(
                Stmt::allow(
                    "WorkloadRolesListArtifacts",
                    &["s3:GetBucketLocation", "s3:ListBucket"],
                    vec![Expr::str(env.bucket_arn(&r.artifacts_bucket.name))],
                )
                .principal("AWS", roots.clone())
                .condition("ArnEquals", "aws:PrincipalArn", exec_arns.clone()),
            ),
        ]);
        push(
            &mut body,
            module(
                "artifacts_bucket",
                "../modules/secure-bucket",
                vec![
                    ("name", Expr::str(&r.artifacts_bucket.name)),
                    ("kms_key_arn", key.clone()),
                    ("access_log_bucket", logs),
                    ("policy_statements", statements),
                ],
            ),
        );
    }

    // The model package groups and who may register and read versions (aws-facts.md §6.2).
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
        let group_consumers: Vec<&EnvConfig> =
            consumers.iter().copied().filter(|c| g.consumers.iter().any(|(n, _)| n == &c.name)).collect();
        if group_consumers.is_empty() {
            continue;
        }
        let principals: Vec<Expr> = group_consumers.iter().map(|c| Expr::str(c.root_arn())).collect();
        let roles: Vec<Expr> = group_consumers
            .iter()
            .filter_map(|c| c.workload.as_ref())
            .zip(group_consumers.iter())
            .flat_map(|(w, c)| [Expr::str(c.role_arn(&w.execution_role)), Expr::str(c.role_arn(&w.lambda_role))])
            .collect();
        push(
            &mut body,
            document(
                &format!("{l}_access"),
                vec![
                    Stmt::allow(
                        "WorkloadsRegisterAndReadVersions",
                        &[
                            "sagemaker:CreateModelPackage",
                            "sagemaker:DescribeModelPackage",
                            "sagemaker:DescribeModelPackageGroup",
                            "sagemaker:ListModelPackages",
                        ],
                        vec![
                            Expr::str(env.group_arn(&env.account_id, &g.name)),
                            Expr::str(env.group_versions_arn(&env.account_id, &g.name)),
                        ],
                    )
                    .principal("AWS", principals)
                    .condition("ArnEquals", "aws:PrincipalArn", roles),
                ],
            ),
        );
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
    let jenkins_output = log_group(env, &key, &mut body);
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
