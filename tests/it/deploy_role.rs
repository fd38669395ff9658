//! The deploy role: least privilege that is also enough. `.ci/run` applies every root as this
//! role with IAM enforced (tfapply-emu --as-deploy-role); these tests pin what it must never be
//! able to do, and that the policies fit IAM's limits for a platform of any size.

use crate::common;

use common::*;
use serde_json::Value;

fn describe(repo: &std::path::Path) -> Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mlopsgen"))
        .arg("-C")
        .arg(repo)
        .arg("describe")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json")
}

fn statements(policy: &Value) -> Vec<&Value> {
    policy["Statement"].as_array().map(|a| a.iter().collect()).unwrap_or_default()
}

fn strs(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

/// `(action, resource)` pairs an Allow statement grants without conditions.
fn unconditional(policy: &Value) -> Vec<(String, String)> {
    statements(policy)
        .into_iter()
        .filter(|s| s["Effect"] == "Allow" && s.get("Condition").is_none())
        .flat_map(|s| {
            let resources = strs(&s["Resource"]);
            strs(&s["Action"]).into_iter().flat_map(move |a| resources.clone().into_iter().map(move |r| (a.clone(), r)))
        })
        .collect()
}

#[test]
fn the_deploy_role_cannot_escalate() {
    let d = describe(&repo_root());
    for env in d["environments"].as_array().expect("environments") {
        let name = env["name"].as_str().expect("name");
        let policy = &env["deploy_role"]["policy"];
        assert!(policy.is_object(), "{name} has a deploy role");
        let actions: Vec<String> = statements(policy).iter().flat_map(|s| strs(&s["Action"])).collect();
        for never in [
            "iam:UpdateAssumeRolePolicy",
            "iam:DeleteRolePermissionsBoundary",
            "iam:AttachRolePolicy",
            "iam:CreatePolicyVersion",
            "iam:CreateUser",
            "kms:CreateKey",
            "kms:PutKeyPolicy",
            "kms:ScheduleKeyDeletion",
            "kms:CreateGrant",
            "s3:DeleteBucket",
            "s3:PutAccountPublicAccessBlock",
            "sagemaker:UpdateModelPackage",
            "sagemaker:CreateModelPackage",
        ] {
            assert!(!actions.iter().any(|a| a == never), "{name}: the deploy role may {never}");
        }
        assert!(!actions.iter().any(|a| a.ends_with(":*") || a == "*"), "{name}: a wildcard action");
        for (action, resource) in unconditional(policy) {
            // "*" only where the action has no resource-level permission (each has a reason).
            if resource == "*" {
                assert!(
                    [
                        "kms:ListAliases",
                        "logs:DescribeLogGroups",
                        "sns:GetSubscriptionAttributes",
                        "sns:SetSubscriptionAttributes",
                        "sns:Unsubscribe"
                    ]
                    .contains(&action.as_str()),
                    "{name}: {action} on *"
                );
            }
            assert!(!resource.ends_with("log-group:*"), "{name}: {action} on every log group");
            assert!(!resource.ends_with(":key/*"), "{name}: {action} on every key");
            if action.starts_with("iam:") && action != "iam:PassRole" {
                assert!(
                    !["iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary"]
                        .contains(&action.as_str())
                        || name == "registry",
                    "{name}: {action} on {resource} without the permissions boundary condition"
                );
            }
            // Objects: only the pipeline code and the state.
            if action.starts_with("s3:") && resource.contains('/') && action != "s3:ListBucket" {
                assert!(
                    resource.contains("/code/") || resource.contains("/mlopsgen/"),
                    "{name}: {action} on {resource}"
                );
            }
        }
        // Every role change carries the boundary condition, and every role is passed to one service.
        for s in statements(policy) {
            let acts = strs(&s["Action"]);
            if acts.iter().any(|a| a == "iam:CreateRole" || a == "iam:PutRolePolicy") {
                assert_eq!(
                    s["Condition"]["ArnEquals"]["iam:PermissionsBoundary"],
                    Value::Array(vec![env["role_boundary"]["arn"].clone()]),
                    "{name}: {s}"
                );
            }
            if acts.iter().any(|a| a == "iam:PassRole") {
                assert_eq!(
                    strs(&s["Condition"]["StringEquals"]["iam:PassedToService"]).len(),
                    1,
                    "{name}: PassRole to more than one service: {s}"
                );
            }
        }
    }
}

#[test]
fn the_plan_role_only_reads() {
    let d = describe(&repo_root());
    for env in d["environments"].as_array().expect("environments") {
        for s in statements(&env["plan_role"]["policy"]) {
            for a in strs(&s["Action"]) {
                let verb = a.split(':').nth(1).unwrap_or("");
                assert!(
                    ["Get", "Describe", "List"].iter().any(|p| verb.starts_with(p)) || a == "kms:Decrypt",
                    "{}: the plan role may {a}",
                    env["name"]
                );
            }
        }
    }
}

#[test]
fn every_role_the_main_root_creates_carries_the_boundary() {
    for env in ["dev", "prod"] {
        let main = std::fs::read_to_string(repo_root().join(format!("generated/{env}/main.tf"))).expect("main.tf");
        let body = hcl::parse(&main).expect("parse");
        let roles: Vec<_> = body
            .blocks()
            .filter(|b| {
                b.identifier() == "resource" && b.labels().first().is_some_and(|l| l.as_str() == "aws_iam_role")
            })
            .collect();
        assert!(roles.len() >= 3, "{env}: {} roles", roles.len());
        for r in roles {
            let boundary = r.body().attributes().find(|a| a.key() == "permissions_boundary").map(|a| a.expr().clone());
            assert_eq!(
                boundary,
                Some(hcl::Expression::String(format!(
                    "arn:aws:iam::{}:policy/mlops-{env}-role-boundary",
                    if env == "dev" { "111111111111" } else { "222222222222" }
                ))),
                "{env}: {:?}",
                r.labels()
            );
        }
    }
}

/// Six models in one environment: the deploy role's policies are split into managed policies
/// under IAM's 6,144-character limit, and the boundary fits one.
#[test]
fn policies_fit_iam_limits_for_many_models() {
    let repo = temp_repo(None);
    let path = repo.path().join("environments/prod.tfvars.json");
    let mut prod: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    let base = prod.as_object().expect("object").clone();
    let mut models = serde_json::Map::new();
    for i in 0..6 {
        let mut m = serde_json::Map::new();
        for k in [
            "model_package_group_name",
            "batch_dataset_filename",
            "retrain_on_drift",
            "train_pipeline",
            "inference_pipeline",
        ] {
            if let Some(v) = base.get(k) {
                m.insert(k.into(), v.clone());
            }
        }
        m.insert("train_pipeline_name".into(), Value::from(format!("model-{i}-train-pipeline")));
        m.insert("inference_pipeline_name".into(), Value::from(format!("model-{i}-inference-pipeline")));
        models.insert(format!("model-{i}"), Value::Object(m));
    }
    for k in [
        "model_name",
        "model_package_group_name",
        "train_pipeline_name",
        "inference_pipeline_name",
        "batch_dataset_filename",
        "retrain_on_drift",
        "train_pipeline",
        "inference_pipeline",
    ] {
        prod.as_object_mut().expect("object").remove(k);
    }
    prod["models"] = Value::Object(models);
    std::fs::write(&path, serde_json::to_string_pretty(&prod).expect("json")).expect("write");
    let v = mlopsgen::validate_repo(repo.path(), &[]);
    assert!(!v.report.has_errors(), "{}", v.report.render_plain());
    let files = mlopsgen::render::render(&v.envs, &[]);
    let boot = String::from_utf8(files.0[&std::path::PathBuf::from("prod/bootstrap/main.tf")].clone()).expect("utf-8");
    let parts = boot.matches("resource \"aws_iam_policy\" \"deploy_").count();
    assert!(parts >= 2, "six models need more than one deploy policy: {parts}");
    let d = describe(repo.path());
    let prod = d["environments"].as_array().expect("envs").iter().find(|e| e["name"] == "prod").expect("prod").clone();
    let size = |v: &Value| v.to_string().chars().filter(|c| !c.is_whitespace()).count();
    assert!(size(&prod["role_boundary"]["policy"]) <= 6144, "boundary: {}", size(&prod["role_boundary"]["policy"]));
    assert!(
        size(&prod["execution_role"]["policy"]) <= 10240,
        "execution role: {}",
        size(&prod["execution_role"]["policy"])
    );
    let total = size(&prod["deploy_role"]["policy"]);
    assert!(total > 6144, "the whole deploy policy ({total}) needs splitting");
    // Each part, as written (HCL is wordier than the JSON IAM counts), is under the limit.
    for i in 1..=parts {
        let start = boot.find(&format!("data \"aws_iam_policy_document\" \"deploy_{i}\" {{")).expect("part");
        let end = start + boot[start..].find("\n}\n").expect("end");
        let chars = boot[start..end].chars().filter(|c| !c.is_whitespace()).count();
        assert!(chars <= 6144, "deploy_{i}: {chars} characters");
    }
}
