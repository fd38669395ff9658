//! The generated event patterns, routed by the AWS emulator's own EventBridge (moto on loopback):
//! sample events written from AWS's documented shapes reach exactly the rules they should.
//! Needs the project's emulator (tools/emulator); without it the test fails, it never skips.

use crate::common;

use common::*;
use serde_json::{Value, json};
use std::process::Command;

fn step_event(id: &str, pipeline: &str, step: &str, status: &str) -> Value {
    json!({
        "id": id,
        "source": "aws.sagemaker",
        "detail-type": "SageMaker Model Building Pipeline Execution Step Status Change",
        "resources": [pipeline, format!("{pipeline}/execution/abc123")],
        "detail": {
            "stepStartTime": "2026-11-25T23:00:05Z",
            "stepEndTime": "2026-11-25T23:07:42Z",
            "stepName": step,
            "stepType": match step { "BatchTransform" => "Transform", "CheckDrift" => "Processing", _ => "Fail" },
            "previousStepStatus": "Executing",
            "currentStepStatus": status,
            "failureReason": "ClientError: constraint violations found",
            "pipelineArn": pipeline,
            "pipelineExecutionArn": format!("{pipeline}/execution/abc123")
        }
    })
}

fn execution_event(id: &str, pipeline: &str, status: &str) -> Value {
    json!({
        "id": id,
        "source": "aws.sagemaker",
        "detail-type": "SageMaker Model Building Pipeline Execution Status Change",
        "resources": [pipeline, format!("{pipeline}/execution/abc123")],
        "detail": {
            "pipelineArn": pipeline,
            "pipelineExecutionArn": format!("{pipeline}/execution/abc123"),
            "pipelineExecutionDisplayName": "execution-1764111600",
            "currentPipelineExecutionStatus": status,
            "previousPipelineExecutionStatus": "Executing",
            "executionStartTime": "2026-11-25T23:00:00Z",
            "executionEndTime": "2026-11-25T23:08:00Z"
        }
    })
}

fn package_event(id: &str, group: &str, status: &str) -> Value {
    let arn = format!("arn:aws:sagemaker:us-east-1:333333333333:model-package/{group}/7");
    json!({
        "id": id,
        "source": "aws.sagemaker",
        "detail-type": "SageMaker Model Package State Change",
        "resources": [arn],
        "detail": {
            "ModelPackageGroupName": group,
            "ModelPackageVersion": 7,
            "ModelPackageArn": arn,
            "CreationTime": 1764111600000u64,
            "ModelApprovalStatus": status,
            "ModelPackageStatus": "Completed"
        }
    })
}

fn object_created(id: &str, bucket: &str, key: &str) -> Value {
    json!({
        "id": id,
        "detail-type": "Object Created",
        "source": "aws.s3",
        "detail": { "version": "0", "bucket": { "name": bucket }, "object": { "key": key, "size": 512 }, "reason": "PutObject" }
    })
}

#[test]
fn generated_event_patterns_match_exactly_the_intended_events() {
    let v = mlopsgen::validate_repo(&repo_root(), &[]);
    assert!(!v.report.has_errors());
    let env = |name: &str| v.envs.iter().find(|e| e.name == name).expect("example env");
    let (prod, registry) = (env("prod"), env("registry"));
    let mut rules: Vec<Value> = Vec::new();
    for e in [prod, registry] {
        for (name, pattern) in mlopsgen::render::events::event_patterns(e) {
            rules.push(json!({ "name": name, "pattern": pattern }));
        }
    }
    let train = prod.pipeline_arn("mammo-severity-train-pipeline");
    let infer = prod.pipeline_arn("mammo-severity-inference-pipeline");
    let quality = prod.pipeline_arn("mammo-severity-quality-pipeline");
    let events = vec![
        step_event("drift", &infer, "DriftDetected", "Failed"),
        step_event("drift-step-ok", &infer, "DriftDetected", "Succeeded"),
        step_event("check-failed", &infer, "CheckDrift", "Failed"),
        step_event("check-running", &infer, "CheckDrift", "Executing"),
        step_event("rejected", &infer, "BatchRejected", "Failed"),
        step_event("transform-failed", &infer, "BatchTransform", "Failed"),
        step_event("drift-name-in-train", &train, "DriftDetected", "Failed"),
        step_event("quality-low", &quality, "QualityBelowThreshold", "Failed"),
        step_event("quality-low-elsewhere", &infer, "QualityBelowThreshold", "Failed"),
        execution_event("inference-failed", &infer, "Failed"),
        execution_event("inference-succeeded", &infer, "Succeeded"),
        execution_event("inference-stopped", &infer, "Stopped"),
        execution_event("train-failed", &train, "Failed"),
        execution_event("train-succeeded", &train, "Succeeded"),
        execution_event("other-pipeline-failed", &prod.pipeline_arn("someone-elses-pipeline"), "Failed"),
        package_event("pending", "mammo-severity-model-package", "PendingManualApproval"),
        package_event("approved", "mammo-severity-model-package", "Approved"),
        package_event("rejected-version", "mammo-severity-model-package", "Rejected"),
        package_event("other-group-pending", "churn-model-package", "PendingManualApproval"),
        object_created(
            "labels",
            "acme-sagemaker-prod-222222222222",
            "mammography-severity-model/ground-truth/abc123def456/labels.csv",
        ),
        object_created(
            "labels-other-bucket",
            "someone-elses-bucket",
            "mammography-severity-model/ground-truth/x/labels.csv",
        ),
        object_created(
            "batch-upload",
            "acme-sagemaker-prod-222222222222",
            "mammography-severity-model/data/batch-dataset/b.csv",
        ),
    ];
    let cases = json!({ "rules": rules, "events": events });
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cases.json");
    std::fs::write(&path, serde_json::to_vec(&cases).expect("json")).expect("write cases");

    let emulator = Emulator::start(None);
    let out = Command::new(runtime_python("emulator"))
        .arg(repo_root().join("tests/helpers/route_events.py"))
        .arg(emulator.var("AWS_ENDPOINT_URL"))
        .arg(&path)
        .output()
        .expect("run the routing helper");
    assert!(out.status.success(), "routing helper failed: {}", String::from_utf8_lossy(&out.stderr));
    let delivered: Value = serde_json::from_slice(&out.stdout).expect("helper prints JSON");
    assert_eq!(
        delivered,
        json!({
            "mammography-severity-model-drift-detected": ["drift"],
            "mammography-severity-model-batch-rejected": ["rejected"],
            "mammography-severity-model-quality-failed": ["quality-low"],
            "mammography-severity-model-labels-arrived": ["labels"],
            "mammography-severity-model-inference-failed": ["inference-failed"],
            "mammography-severity-model-train-failed": ["train-failed"],
            "model-version-pending-approval": ["pending"],
            "model-version-approval-decided": ["approved", "rejected-version"]
        })
    );
}
