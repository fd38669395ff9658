//! Identity: the roles of a workload environment and exactly what each may do. The SageMaker
//! execution role runs the pipelines' jobs (aws-facts.md §5.5): its own key and the registry's
//! (what the registry keeps is encrypted with it), its bucket and its own prefix of the
//! registry's, registering and reading versions of its groups, the images it pulls. The Lambda
//! role reads the registry's approved versions.

use super::hcl::{Body, Expr};
use super::keys::{KMS_USE, RegistryKey, readable_keys, registry_key};
use super::policy::Stmt;
use super::tf::{role_with_policy, suffixed_expr};
use crate::model::images::{self, Framework};
use crate::model::*;

/// Writes the execution and Lambda roles (or, for existing roles, their policies); returns their ARNs.
pub(super) fn workload_roles(
    env: &EnvConfig,
    all: &[EnvConfig],
    w: &Workload,
    key: &Expr,
    data_bucket_arn: &Expr,
    body: &mut Body,
) -> (Expr, Expr) {
    let (exec, lambda) = workload_statements(env, all, w, key, data_bucket_arn);
    let exec_role_arn = role_with_policy(
        env,
        "sagemaker_execution",
        &w.execution_role,
        "sagemaker.amazonaws.com",
        "Runs the SageMaker pipelines and their jobs (mlopsgen).",
        exec,
        body,
    );
    let lambda_role_arn = role_with_policy(
        env,
        "lambda",
        &w.lambda_role,
        "lambda.amazonaws.com",
        "Finds the latest approved model version for the inference pipeline (mlopsgen).",
        lambda,
        body,
    );
    (exec_role_arn, lambda_role_arn)
}

/// The statements of the execution role and of the Lambda role; `key` and `data_bucket_arn`
/// as the root refers to them (references, or strings for `describe`).
pub fn workload_statements(
    env: &EnvConfig,
    all: &[EnvConfig],
    w: &Workload,
    key: &Expr,
    data_bucket_arn: &Expr,
) -> (Vec<Stmt>, Vec<Stmt>) {
    let artifacts_arn = env.bucket_arn(&w.artifacts_bucket);
    // The SageMaker execution role (aws-facts.md §5.5).
    let exec_arn = env.role_arn(&w.execution_role);
    let mut registry_resources: Vec<Expr> = Vec::new();
    let mut groups: Vec<(String, String)> = Vec::new();
    for m in &w.models {
        if let Some(account) = &m.group.account
            && !groups.contains(&(account.clone(), m.group.name.clone()))
        {
            groups.push((account.clone(), m.group.name.clone()));
        }
    }
    for (account, group) in &groups {
        registry_resources.push(Expr::str(env.group_arn(account, group)));
        registry_resources.push(Expr::str(env.group_versions_arn(account, group)));
    }
    let mut repos: Vec<String> = Vec::new();
    for m in &w.models {
        for (f, v) in [
            (Framework::Xgboost, m.train.xgboost_version.as_str()),
            (Framework::Sklearn, m.train.sklearn_version.as_str()),
            (Framework::ModelMonitor, images::MODEL_MONITOR_VERSION),
        ] {
            if f == Framework::ModelMonitor && m.monitoring.engine != Engine::ModelMonitor {
                continue;
            }
            if let Some((account, repo)) = images::registry(f, v, &env.region) {
                let arn = env.ecr_repository_arn(account, repo);
                if !repos.contains(&arn) {
                    repos.push(arn);
                }
            }
        }
        // The training choice's own image: the framework version of script mode, or the
        // custom image's repository.
        let own = match &m.training {
            Training::Xgboost => None,
            Training::Script(s) => images::registry(Framework::Sklearn, &s.framework_version, &env.region)
                .map(|(account, repo)| env.ecr_repository_arn(account, repo)),
            Training::Image { uri, .. } => crate::validate::training::ecr_uri(uri)
                .ok()
                .and_then(|(_, repo)| uri.split('.').next().map(|account| env.ecr_repository_arn(account, repo))),
        };
        if let Some(arn) = own
            && !repos.contains(&arn)
        {
            repos.push(arn);
        }
    }
    repos.sort();
    let mut key_resources = vec![key.clone()];
    let foreign_keys = readable_keys(env, all);
    let mut exec = vec![
        Stmt::allow(
            "RunPipelineJobs",
            &[
                "sagemaker:AddTags",
                "sagemaker:CreateModel",
                "sagemaker:CreateProcessingJob",
                "sagemaker:CreateTrainingJob",
                "sagemaker:CreateTransformJob",
                "sagemaker:DescribeModel",
                "sagemaker:DescribeProcessingJob",
                "sagemaker:DescribeTrainingJob",
                "sagemaker:DescribeTransformJob",
                "sagemaker:StopProcessingJob",
                "sagemaker:StopTrainingJob",
                "sagemaker:StopTransformJob",
            ],
            ["processing-job/*", "training-job/*", "transform-job/*", "model/*"]
                .iter()
                .map(|r| Expr::str(env.regional_arn("sagemaker", r)))
                .collect(),
        ),
        Stmt::allow("ReadWriteData", &["s3:GetObject", "s3:PutObject"], vec![suffixed_expr(data_bucket_arn, "/*")]),
        // Every version's artifacts and evidence are readable (a version registered elsewhere
        // may be served here); only this environment's prefix is writable (isolation).
        Stmt::allow("ReadRegistryArtifacts", &["s3:GetObject"], vec![Expr::str(format!("{artifacts_arn}/*"))]),
        Stmt::allow(
            "WriteOwnRegistryPrefix",
            &["s3:PutObject"],
            vec![Expr::str(format!("{artifacts_arn}/{}/*", env.name))],
        ),
        Stmt::allow(
            "ListBuckets",
            &["s3:GetBucketLocation", "s3:ListBucket"],
            vec![data_bucket_arn.clone(), Expr::str(artifacts_arn.clone())],
        ),
        Stmt::allow("UseEnvironmentKey", KMS_USE, key_resources.clone()),
        Stmt::allow("AttachKeyToJobResources", &["kms:CreateGrant"], key_resources.clone()).condition(
            "Bool",
            "kms:GrantIsForAWSResource",
            vec![Expr::str("true")],
        ),
        Stmt::allow("PassRoleToSageMakerJobs", &["iam:PassRole"], vec![Expr::str(&exec_arn)]).condition(
            "StringEquals",
            "iam:PassedToService",
            vec![Expr::str("sagemaker.amazonaws.com")],
        ),
        Stmt::allow(
            "WriteJobLogs",
            &["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            vec![
                Expr::str(env.regional_arn("logs", "log-group:/aws/sagemaker/*")),
                Expr::str(env.regional_arn("logs", "log-group:/aws/sagemaker/*:log-stream:*")),
            ],
        ),
        Stmt::allow(
            "InvokeLatestApprovedModelFunction",
            &["lambda:InvokeFunction"],
            vec![Expr::str(env.regional_arn("lambda", &format!("function:{}", env.latest_model_function_name())))],
        ),
        Stmt::allow("PublishJobMetrics", &["cloudwatch:PutMetricData"], vec![Expr::str("*")])
            .why_star("cloudwatch:PutMetricData has no resource-level permissions."),
        Stmt::allow("PullImagesToken", &["ecr:GetAuthorizationToken"], vec![Expr::str("*")])
            .why_star("ecr:GetAuthorizationToken has no resource-level permissions."),
    ];
    if let Some((subnets, groups)) = &w.network.vpc {
        // Jobs in the environment's VPC: their network interfaces in exactly these subnets and
        // security groups (SageMaker DG, "Give SageMaker AI access to resources in your VPC").
        let mut resources = vec![Expr::str(env.regional_arn("ec2", "network-interface/*"))];
        resources.extend(subnets.iter().map(|s| Expr::str(env.regional_arn("ec2", &format!("subnet/{s}")))));
        resources.extend(groups.iter().map(|g| Expr::str(env.regional_arn("ec2", &format!("security-group/{g}")))));
        exec.push(Stmt::allow(
            "JobNetworkInterfaces",
            &[
                "ec2:CreateNetworkInterface",
                "ec2:CreateNetworkInterfacePermission",
                "ec2:DeleteNetworkInterface",
                "ec2:DeleteNetworkInterfacePermission",
            ],
            resources,
        ));
        exec.push(
            Stmt::allow(
                "DescribeJobNetwork",
                &[
                    "ec2:DescribeDhcpOptions",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeVpcs",
                ],
                vec![Expr::str("*")],
            )
            .why_star("EC2 Describe actions have no resource-level permissions.")
            .condition("StringEquals", "aws:RequestedRegion", vec![Expr::str(&env.region)]),
        );
    }
    if !repos.is_empty() {
        exec.push(Stmt::allow(
            "PullSageMakerImages",
            &["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            repos.iter().map(Expr::str).collect(),
        ));
    }
    if !registry_resources.is_empty() {
        // The approval gate, this side: a version can only be registered pending approval,
        // and never approved from here (the registry's group policy says the same).
        exec.push(
            Stmt::allow("RegisterPendingVersions", &["sagemaker:CreateModelPackage"], registry_resources.clone())
                .condition("StringEquals", "sagemaker:ModelApprovalStatus", vec![Expr::str("PendingManualApproval")]),
        );
        exec.push(
            Stmt::deny("NeverApprovedHere", &["sagemaker:CreateModelPackage"], registry_resources.clone()).condition(
                "StringNotEquals",
                "sagemaker:ModelApprovalStatus",
                vec![Expr::str("PendingManualApproval")],
            ),
        );
        exec.push(Stmt::deny(
            "NeverDecideApproval",
            &["sagemaker:UpdateModelPackage"],
            groups.iter().map(|(account, group)| Expr::str(env.group_versions_arn(account, group))).collect(),
        ));
        exec.push(Stmt::allow(
            "ReadModelVersions",
            &[
                "sagemaker:CreateModel",
                "sagemaker:DescribeModelPackage",
                "sagemaker:DescribeModelPackageGroup",
                "sagemaker:ListModelPackages",
            ],
            registry_resources.clone(),
        ));
    }
    if let Some((account, registry_key)) = registry_key(all) {
        // What the registry keeps is encrypted with its key; SageMaker reaches it through S3.
        let stmt = match registry_key {
            RegistryKey::Arn(arn) => Stmt::allow("UseRegistryKey", KMS_USE, vec![Expr::str(arn)]),
            RegistryKey::Alias(alias) => {
                Stmt::allow("UseRegistryKey", KMS_USE, vec![Expr::str(env.regional_arn_in("kms", &account, "key/*"))])
                    .condition("ForAnyValue:StringEquals", "kms:ResourceAliases", vec![Expr::str(alias)])
            }
        };
        exec.push(stmt);
    }
    if !foreign_keys.is_empty() {
        let accounts: Vec<Expr> =
            foreign_keys.iter().map(|(acct, _)| Expr::str(env.regional_arn_in("kms", acct, "key/*"))).collect();
        let aliases: Vec<Expr> = foreign_keys.iter().map(|(_, a)| Expr::str(a)).collect();
        exec.push(
            Stmt::allow("DecryptModelsFromOtherEnvironments", &["kms:Decrypt", "kms:DescribeKey"], accounts).condition(
                "ForAnyValue:StringEquals",
                "kms:ResourceAliases",
                aliases,
            ),
        );
    }
    key_resources.clear();

    // The Lambda that finds the latest approved model version in the registry.
    let function = env.latest_model_function_name();
    let mut lambda = vec![Stmt::allow(
        "WriteFunctionLogs",
        &["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        vec![
            Expr::str(env.regional_arn("logs", &format!("log-group:/aws/lambda/{function}"))),
            Expr::str(env.regional_arn("logs", &format!("log-group:/aws/lambda/{function}:log-stream:*"))),
        ],
    )];
    if !groups.is_empty() {
        lambda.push(Stmt::allow(
            "FindApprovedModelVersions",
            &["sagemaker:DescribeModelPackageGroup", "sagemaker:ListModelPackages"],
            groups
                .iter()
                .flat_map(|(a, g)| [Expr::str(env.group_arn(a, g)), Expr::str(env.group_versions_arn(a, g))])
                .collect(),
        ));
        lambda.push(Stmt::allow(
            "DescribeModelVersions",
            &["sagemaker:DescribeModelPackage"],
            groups.iter().map(|(a, g)| Expr::str(env.group_versions_arn(a, g))).collect(),
        ));
    }
    lambda.push(
        Stmt::allow("WriteTraces", &["xray:PutTelemetryRecords", "xray:PutTraceSegments"], vec![Expr::str("*")])
            .why_star("X-Ray trace ingestion has no resource-level permissions."),
    );
    (exec, lambda)
}

/// The permissions boundary of every role the main root creates (bootstrap/ creates it; the
/// deploy role may create and change roles only with it): per service, the union of the
/// actions and resources of the roles' unconditional statements; their conditional statements
/// and Denies as they are. A role
/// the deploy role writes can never do more than the platform's roles together need: no IAM,
/// no STS, no key or bucket administration, never approve a model version.
pub fn boundary_statements(env: &EnvConfig, all: &[EnvConfig]) -> Vec<Stmt> {
    let Some(w) = &env.workload else { return Vec::new() };
    let key = match &env.kms_key {
        KmsKey::Existing { arn } => Expr::str(arn),
        KmsKey::Create { .. } => Expr::str(env.regional_arn("kms", "key/*")),
    };
    let data = Expr::str(env.bucket_arn(&w.default_bucket.name));
    let (exec, lambda) = workload_statements(env, all, w, &key, &data);
    let mut stmts = exec;
    stmts.extend(lambda);
    stmts.extend(super::workflow::scheduler_statements(env, w, &key, false));
    stmts.extend(super::workflow::events_role_statements(env, false).unwrap_or_default());
    stmts.extend(super::workflow::quality_trigger_statements(env, w, false).unwrap_or_default());
    // (service, on "*") → (actions, resources), in first-seen order: what only accepts "*"
    // stays apart, so no restrictable action is widened to "*".
    let mut services: indexmap::IndexMap<(String, bool), (Vec<String>, Vec<Expr>)> = indexmap::IndexMap::new();
    let mut denies = Vec::new();
    // SageMaker resources by account (`arn:…:sagemaker:<region>:<account>:*`): the boundary then
    // stays the same size however many models, pipelines and groups there are, and adding a
    // model needs no administrator (the boundary is bootstrap's).
    let general = |e: &Expr| match e {
        Expr::Str(a) if a.split(':').nth(2) == Some("sagemaker") => {
            Expr::str(format!("{}:*", a.splitn(6, ':').take(5).collect::<Vec<_>>().join(":")))
        }
        other => other.clone(),
    };
    for mut s in stmts {
        let mut resources: Vec<Expr> = Vec::new();
        for r in s.resources.iter().map(general) {
            if !resources.contains(&r) {
                resources.push(r);
            }
        }
        s.resources = resources;
        // Denies, and Allows with conditions (a grant only for AWS resources, a pending status,
        // a key by alias, a role passed to one service), keep their conditions in the boundary.
        if s.deny || !s.conditions.is_empty() {
            denies.push(Stmt { sid: format!("Boundary{}", s.sid), ..s });
            continue;
        }
        let star = s.resources == [Expr::str("*")];
        for a in &s.actions {
            let key = (a.split(':').next().unwrap_or(a).to_string(), star);
            let (actions, resources) = services.entry(key).or_default();
            if !actions.contains(a) {
                actions.push(a.clone());
            }
            for r in &s.resources {
                if !resources.contains(r) {
                    resources.push(r.clone());
                }
            }
        }
    }
    let mut out: Vec<Stmt> = services
        .into_iter()
        .map(|((service, star), (mut actions, resources))| {
            actions.sort();
            let actions: Vec<&str> = actions.iter().map(String::as_str).collect();
            let sid = format!("Boundary{}{}", super::tf::camel(&service), if star { "AnyResource" } else { "" });
            let s = Stmt::allow(&sid, &actions, resources);
            if star {
                s.why_star("these actions have no resource-level permissions (ECR token, metrics, traces)")
            } else {
                s
            }
        })
        .collect();
    out.extend(denies);
    out
}
