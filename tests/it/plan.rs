//! `plan` against a temporary copy of the repository: summaries, counts, exit codes, hand edits,
//! destructive changes, the JSON format against its schema, the Markdown comment.

use crate::common;

use common::*;
use std::path::Path;
use std::process::Command;

fn repo_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&repo_root().join("environments"), &dir.path().join("environments"));
    copy_dir(&repo_root().join("generated"), &dir.path().join("generated"));
    dir
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
    assert!(text.contains("  ~ aws_scheduler_schedule.mammography_severity_model_schedule (1 attribute)\n"), "{text}");
    assert!(
        text.contains(
            "  ~ pipelines/mammography-severity-model-inference.json: parameter TransformInstanceType (1 attribute)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("  ~ pipelines/mammography-severity-model-train.json: step RegisterModel (1 attribute)\n"),
        "{text}"
    );
    assert!(text.contains("Plan: 1 to add, "), "{text}");
    assert!(text.contains(" 0 to destroy."), "{text}");
    assert!(!text.contains("WARNING"), "{text}");
    let (_, check) = plan(repo.path(), &["prod", "--check"]);
    assert!(
        !check.contains("@@") && !check.contains("aws_sns_topic_subscription"),
        "--check prints the summary only: {check}"
    );
    assert!(
        check.contains("generated/prod: 1 to add, 1 to change, 0 to destroy; pipelines 0 to add, 2 to change"),
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
    assert!(text.contains("  -/+ module.artifacts_bucket  <-- holds data\n"), "{text}");
    assert!(text.contains("  - bootstrap/module.kms  <-- holds data\n"), "{text}");
    assert!(text.contains("WARNING: replace module.artifacts_bucket holds data or keys"), "{text}");
    assert!(text.contains("WARNING: destroy bootstrap/module.kms holds data or keys"), "{text}");
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
    // outputs or variables (main root 66, bootstrap 21).
    assert!(out.contains("Plan: 87 to add, 0 to change, 0 to destroy."), "{out}");
    let (_, out) = plan(repo.path(), &["dev"]);
    assert!(out.contains("+ bootstrap/module.kms"), "{out}");
    let summary = out.split("\n--- a/").next().unwrap_or("");
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
    assert_eq!(doc["summary"]["change"], 0, "a pipeline parameter is not a Terraform resource");
    assert_eq!(doc["summary"]["pipelines"]["change"], 1);
    let prod = doc["directories"].as_array().expect("dirs").iter().find(|d| d["directory"] == "generated/prod");
    assert_eq!(prod.expect("prod")["changes"][0]["address"], "parameter AucThreshold", "{doc}");
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
        "  - output.churn_model_train_pipeline_arn\n",
    ] {
        assert!(text.contains(gone), "{gone}{text}");
    }
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
