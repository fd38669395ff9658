//! `plan` against a temporary copy of the repository: summaries, counts, exit codes, hand edits,
//! destructive changes, the JSON format against its schema, the Markdown comment.

use crate::common;

use common::*;
use std::path::Path;
use std::process::Command;

fn repo_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&repo_root().join("environments"), &dir.path().join("environments"));
    copy_dir(&repo_root().join("models"), &dir.path().join("models"));
    copy_dir(&repo_root().join("generated"), &dir.path().join("generated"));
    dir
}

fn edit_model(repo: &Path, model: &str, from: &str, to: &str) {
    let path = repo.join(format!("models/{model}.json"));
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{from} not in {model}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

fn edit(repo: &Path, env: &str, from: &str, to: &str) {
    let path = repo.join(format!("environments/{env}.tfvars.json"));
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{from} not in {env}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

fn plan(repo: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mlopsgen"))
        .arg("-C")
        .arg(repo)
        .arg("plan")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn committed_tree_has_no_changes() {
    let (code, text) = plan(&repo_root(), &["prod", "--check"]);
    assert_eq!((code, text.as_str()), (0, "No changes. generated/ is up to date.\n"));
}

#[test]
fn schedule_instance_type_and_subscriber_changes_are_summarized() {
    let repo = repo_copy();
    edit(repo.path(), "prod", "\"cron_schedule\": \"cron(0 23 * * ? *)\"", "\"cron_schedule\": \"cron(0 22 * * ? *)\"");
    edit(
        repo.path(),
        "prod",
        "\"transform_instance_type\": \"ml.m5.xlarge\"",
        "\"transform_instance_type\": \"ml.m5.2xlarge\"",
    );
    edit(
        repo.path(),
        "prod",
        "\"email\": [\"ml-ops@example.com\"]",
        "\"email\": [\"ml-ops@example.com\", \"oncall@example.com\"]",
    );
    let (code, text) = plan(repo.path(), &["prod"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("  + aws_sns_topic_subscription.alerts_oncall_example_com\n"), "{text}");
    assert!(
        text.contains("  ~ aws_scheduler_schedule.mammography_severity_model_schedule (schedule_expression)\n"),
        "{text}"
    );
    // The definitions reach Terraform through file(): both pipelines are updated, and the row
    // names the file.
    assert!(
        text.contains(
            "  ~ aws_sagemaker_pipeline.mammography_severity_model_inference (pipeline_definition: pipelines/mammography-severity-model-inference.json changed)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "  ~ pipelines/mammography-severity-model-inference.json: parameter TransformInstanceType (DefaultValue)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("  ~ pipelines/mammography-severity-model-train.json: step RegisterModel (Arguments)\n"),
        "{text}"
    );
    // The events and scheduler roles' policy documents refer to the pipelines: Terraform reads
    // them during apply, so both policies are updated as well.
    assert!(text.contains("  ~ aws_iam_role_policy.events (policy)\n"), "{text}");
    assert!(text.contains("  ~ aws_iam_role_policy.scheduler (policy)\n"), "{text}");
    assert!(text.contains("Plan: 1 to add, 5 to change, 0 to destroy.\n"), "{text}");
    assert!(!text.contains("WARNING"), "{text}");
    let (_, check) = plan(repo.path(), &["prod", "--check"]);
    assert!(
        !check.contains("@@") && !check.contains("aws_sns_topic_subscription"),
        "--check prints the summary only: {check}"
    );
    assert!(
        check.contains("generated/prod: 1 to add, 5 to change, 0 to destroy; pipelines 0 to add, 2 to change"),
        "{check}"
    );
    let (code, full) = plan(repo.path(), &["prod"]);
    assert_eq!(code, 2);
    assert!(
        full.contains(
            "-  schedule_expression          = \"cron(0 23 * * ? *)\"\n+  schedule_expression          = \"cron(0 22 * * ? *)\""
        ),
        "{full}"
    );
}

#[test]
fn replacing_the_artifacts_bucket_or_dropping_a_created_key_is_flagged() {
    let repo = repo_copy();
    edit(
        repo.path(),
        "registry",
        "\"name\": \"acme-sagemaker-model-artifacts-333333333333\"",
        "\"name\": \"acme-sagemaker-model-artifacts-v2\"",
    );
    edit(
        repo.path(),
        "prod",
        "\"model_artifacts_bucket\": \"acme-sagemaker-model-artifacts-333333333333\"",
        "\"model_artifacts_bucket\": \"acme-sagemaker-model-artifacts-v2\"",
    );
    edit(
        repo.path(),
        "dev",
        "\"kms_key\": {\n    \"create\": true,\n    \"alias\": \"alias/mlops-dev\"\n  }",
        "\"kms_key\": \"arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab\"",
    );
    let (code, text) = plan(repo.path(), &[]);
    assert_eq!(code, 2, "{text}");
    // The bucket cannot be renamed: Terraform would replace it, and prevent_destroy refuses that.
    assert!(
        text.contains(
            "  -/+ module.artifacts_bucket.aws_s3_bucket.this (bucket forces replacement)  <-- REFUSED by Terraform (prevent_destroy)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "\nREFUSED: Terraform refuses to replace module.artifacts_bucket.aws_s3_bucket.this in generated/registry"
        ),
        "{text}"
    );
    assert!(
        text.contains("terraform -chdir=generated/registry state rm 'module.artifacts_bucket.aws_s3_bucket.this'"),
        "{text}"
    );
    // Its dependents are replaced with it (their bucket is unknown until apply).
    assert!(
        text.contains("  -/+ module.artifacts_bucket.aws_s3_bucket_versioning.this (bucket forces replacement)\n"),
        "{text}"
    );
    // A removed module call takes its protection with it: the key is destroyed, in bootstrap/.
    let boot = text.split("\ngenerated/dev:\n").next().unwrap_or("");
    assert!(boot.starts_with("Bootstrap roots: applied first, by an administrator"), "{text}");
    assert!(boot.contains("generated/dev/bootstrap:\n  - module.kms.aws_kms_alias.this\n  - module.kms.aws_kms_key.this  <-- holds data\n"), "{text}");
    assert!(text.contains("WARNING: destroy bootstrap/module.kms.aws_kms_key.this holds data or keys"), "{text}");
    assert!(!text.contains("WARNING: replace module.artifacts_bucket"), "a refused change is not a warning: {text}");
}

#[test]
fn hand_edits_are_reported_as_hand_edits() {
    let repo = repo_copy();
    let main = repo.path().join("generated/prod/main.tf");
    let text = std::fs::read_to_string(&main).expect("read") + "# tweak\n";
    std::fs::write(&main, text).expect("write");
    let (code, out) = plan(repo.path(), &["prod", "--check"]);
    assert_eq!(code, 2);
    assert!(out.contains("! generated/prod/main.tf was edited by hand"), "{out}");
    assert!(out.contains("Plan: 0 to add, 0 to change, 0 to destroy."), "a hand edit is not a change: {out}");
}

#[test]
fn a_never_generated_environment_is_all_additions() {
    let repo = repo_copy();
    std::fs::remove_dir_all(repo.path().join("generated/dev")).expect("rm");
    let (code, out) = plan(repo.path(), &["dev", "--check"]);
    assert_eq!(code, 2);
    assert!(out.contains("to change, 0 to destroy."), "{out}");
    // As Terraform counts: the roots' resources and each module call's, no data sources,
    // outputs or variables; the bootstrap root on its own line.
    assert!(out.contains("\nPlan: 66 to add, 0 to change, 0 to destroy.\n"), "{out}");
    assert!(
        out.contains("\nBootstrap (applied first, by an administrator): 21 to add, 0 to change, 0 to destroy.\n"),
        "{out}"
    );
    let (_, out) = plan(repo.path(), &["dev"]);
    assert!(out.contains("generated/dev/bootstrap:\n  + aws_iam_policy.deploy_1\n"), "{out}");
    assert!(out.contains("  + module.kms.aws_kms_key.this\n"), "module calls by their resources: {out}");
    let summary = out.split("\n--- a/").next().unwrap_or("");
    assert!(!summary.contains("data.") && !summary.contains("output."), "only resources are listed: {summary}");
    assert!(!summary.contains(" ~ ") && !summary.contains("  - "), "{summary}");
}

#[test]
fn json_output_validates_against_its_schema() {
    let repo = repo_copy();
    edit(repo.path(), "prod", "\"auc_threshold\": 0.75", "\"auc_threshold\": 0.8");
    let (code, text) = plan(repo.path(), &["prod", "--format", "json"]);
    assert_eq!(code, 2);
    let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo_root().join("schema/plan.schema.json")).expect("schema"))
            .expect("json");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    // The definition reaches Terraform through file(): the pipeline is updated, caused by its file;
    // the events role's policy document refers to the pipeline, so Terraform reads it during
    // apply and updates the policy too.
    assert_eq!(doc["summary"]["change"], 2, "{doc}");
    assert_eq!(doc["summary"]["pipelines"]["change"], 1);
    let prod = doc["directories"].as_array().expect("dirs").iter().find(|d| d["directory"] == "generated/prod");
    let changes = &prod.expect("prod")["changes"];
    assert_eq!(changes[0]["address"], "aws_iam_role_policy.events", "{doc}");
    assert_eq!(changes[1]["address"], "aws_sagemaker_pipeline.mammography_severity_model_train", "{doc}");
    assert_eq!(changes[1]["files"], serde_json::json!(["pipelines/mammography-severity-model-train.json"]));
    assert_eq!(changes[1]["root"], "main");
    assert_eq!(changes[2]["address"], "parameter AucThreshold", "{doc}");
    assert_eq!(changes[2]["root"], "pipeline");
}

#[test]
fn markdown_output_snapshot() {
    let repo = repo_copy();
    edit(
        repo.path(),
        "prod",
        "\"cron_schedule\": \"cron(0 23 * * ? *)\"",
        "\"cron_schedule\": \"cron(30 23 * * ? *)\"",
    );
    let (code, text) = plan(repo.path(), &["prod", "--format", "markdown"]);
    assert_eq!(code, 2);
    assert_snapshot!("markdown_output_snapshot", text);
}

#[test]
fn invalid_config_exits_one_and_plans_nothing() {
    let repo = repo_copy();
    edit(repo.path(), "prod", "\"cron_schedule\": \"cron(0 23 * * ? *)\"", "\"cron_schedule\": \"cron(0 23 * * *)\"");
    let (code, out) = plan(repo.path(), &["prod"]);
    assert_eq!((code, out.as_str()), (1, ""));
}

#[test]
fn removing_a_model_destroys_its_pipelines_and_rules() {
    let repo = repo_copy();
    let second = "\"models\": {\n    \"churn-model\": {\n      \"model_package_group_name\": \"registry:mammo-severity-model-package\"\n    },";
    edit(repo.path(), "dev", "\"models\": {", second);
    let out =
        Command::new(env!("CARGO_BIN_EXE_mlopsgen")).arg("-C").arg(repo.path()).arg("generate").output().expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    edit(repo.path(), "dev", second, "\"models\": {");
    let (code, text) = plan(repo.path(), &["dev"]);
    assert_eq!(code, 2, "{text}");
    for gone in [
        "  - aws_sagemaker_pipeline.churn_model_train\n",
        "  - aws_sagemaker_pipeline.churn_model_inference\n",
        "  - aws_scheduler_schedule.churn_model_schedule\n",
        "  - aws_cloudwatch_event_rule.churn_model_drift_detected\n",
    ] {
        assert!(text.contains(gone), "{gone}{text}");
    }
    assert!(!text.contains("output."), "outputs are not resources: {text}");
    let summary = text.lines().find(|l| l.starts_with("Plan:")).expect("summary");
    assert!(!summary.contains(" 0 to destroy"), "{summary}");
    assert!(!text.contains("WARNING"), "pipelines and rules hold no data: {text}");
}

/// The Markdown comment stays under GitHub's 65,536 characters and says what it left out.
#[test]
fn markdown_fits_one_pull_request_comment() {
    let repo = tempfile::tempdir().expect("tempdir");
    let status = Command::new("python3")
        .arg(repo_root().join("scripts/synth-platform"))
        .args(["6", "4"])
        .arg(repo.path())
        .status()
        .expect("synth-platform");
    assert!(status.success());
    let (code, text) = plan(repo.path(), &["--format", "markdown"]);
    assert_eq!(code, 2);
    assert!(text.chars().count() <= 65_536, "{} characters", text.chars().count());
    assert!(
        text.contains("do not fit in one comment") || text.contains("Cut to fit one comment"),
        "a note says what was left out"
    );
}

/// The case: only the data contract changes, and Terraform updates the code object
/// whose `source_hash = filemd5(...)` reads the changed script; the plan says so, and why.
#[test]
fn changing_only_the_data_contract_updates_the_objects_that_hash_its_code() {
    let repo = repo_copy();
    edit_model(repo.path(), "mammography-severity-model", "\"max\": 120", "\"max\": 110");
    let (code, text) = plan(repo.path(), &["prod"]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.starts_with(
            "generated/prod:\n  ~ aws_s3_object.mammography_severity_model_contract (source_hash: code/mammography-severity-model/contract.py changed)\n\nPlan: 0 to add, 1 to change, 0 to destroy.\n"
        ),
        "{text}"
    );
    let (_, check) = plan(repo.path(), &["prod", "--check"]);
    assert!(check.contains("generated/prod: 0 to add, 1 to change, 0 to destroy; 1 file changed\n"), "{check}");
}

/// A Lambda's source changes its package, whose hash the function carries.
#[test]
fn a_changed_lambda_package_updates_the_function() {
    let repo = repo_copy();
    // The package on disk is older than the rendered one: Terraform sees a new hash.
    let zip = repo.path().join("generated/prod/lambda/latest_approved_model.zip");
    let mut bytes = std::fs::read(&zip).expect("read");
    bytes.push(0);
    std::fs::write(&zip, bytes).expect("write");
    // Vouch for the edit so that it is a change, not a hand edit.
    let manifest = repo.path().join("generated/prod/.mlopsgen-manifest.json");
    let sum = mlopsgen::render::manifest::sha256(&std::fs::read(&zip).expect("read"));
    let text = std::fs::read_to_string(&manifest).expect("read");
    let old = mlopsgen::render::manifest::sha256(
        &std::fs::read(repo_root().join("generated/prod/lambda/latest_approved_model.zip")).expect("read"),
    );
    assert!(text.contains(&old), "the manifest lists the package");
    std::fs::write(&manifest, text.replace(&old, &sum)).expect("write");
    let (code, text) = plan(repo.path(), &["prod"]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains(
            "  ~ aws_lambda_function.latest_approved_model (source_code_hash: lambda/latest_approved_model.zip changed)\n"
        ),
        "{text}"
    );
}

/// An environment whose file is removed: generate keeps its directory, and plan shows what
/// `terraform destroy` does there, refusing the protected buckets and keys.
#[test]
fn a_removed_environment_is_planned_as_its_destroy() {
    let repo = repo_copy();
    std::fs::remove_file(repo.path().join("environments/dev.tfvars.json")).expect("rm");
    edit(repo.path(), "registry", "\"consumers\": [\"dev\", \"prod\"]", "\"consumers\": [\"prod\"]");
    let (code, text) = plan(repo.path(), &["--check"]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("generated/dev: 0 to add, 0 to change, 64 to destroy; bootstrap 0 to add, 0 to change, 18 to destroy; 5 refused by Terraform; environment removed: generate keeps generated/dev"),
        "{text}"
    );
    assert!(text.contains("REFUSED: terraform destroy stops at module.data_bucket.aws_s3_bucket.this in generated/dev (prevent_destroy)"), "{text}");
    assert!(
        text.contains("REFUSED: terraform destroy stops at module.kms.aws_kms_key.this in generated/dev/bootstrap"),
        "{text}"
    );
    // Planning named environments says nothing about the others.
    let (_, prod) = plan(repo.path(), &["prod", "--check"]);
    assert!(!prod.contains("generated/dev"), "{prod}");
}

/// The same change in Markdown and JSON: a renamed data bucket (refused), the code it moves,
/// the bootstrap root's policies.
#[test]
fn a_renamed_data_bucket_in_markdown_and_json() {
    let repo = repo_copy();
    edit(repo.path(), "prod", "\"acme-sagemaker-prod-222222222222\"", "\"acme-sagemaker-prod-v2-222222222222\"");
    let (code, md) = plan(repo.path(), &["prod", "--format", "markdown"]);
    assert_eq!(code, 2);
    let md = md.split("<details").next().unwrap_or_default().to_string();
    insta::assert_snapshot!(md);
    let (_, json) = plan(repo.path(), &["prod", "--format", "json"]);
    let mut doc: serde_json::Value = serde_json::from_str(&json).expect("json");
    for d in doc["directories"].as_array_mut().expect("dirs") {
        for f in d["files"].as_array_mut().expect("files") {
            f["diff"] = serde_json::Value::String("(left out)".into());
        }
    }
    insta::assert_json_snapshot!(doc);
    assert_eq!(doc["summary"]["refused"], 1);
}
