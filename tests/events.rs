//! The generated event patterns, routed by the AWS emulator's own EventBridge (moto on loopback):
//! sample events written from AWS's documented shapes reach exactly the rules they should.
//! Needs ../shared/tools/aws-emulator (CI has it); without it the test fails, it never skips.

mod common;

use common::*;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;

struct Emulator {
    endpoint: String,
    pidfile: String,
}

impl Emulator {
    fn start() -> Emulator {
        let start = repo_root().join("../shared/tools/aws-emulator/start");
        assert!(start.exists(), "the AWS emulator is missing at {}: these tests need it", start.display());
        let out = Command::new(&start).output().expect("run aws-emulator/start");
        assert!(out.status.success(), "aws-emulator/start failed: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let var = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{name}=")))
                .map(str::to_string)
                .unwrap_or_else(|| panic!("aws-emulator/start printed no {name}"))
        };
        Emulator { endpoint: var("AWS_ENDPOINT_URL"), pidfile: var("AWS_EMULATOR_PIDFILE") }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = Command::new(repo_root().join("../shared/tools/aws-emulator/stop")).arg(&self.pidfile).output();
    }
}

fn python() -> PathBuf {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache"));
    cache.join("mlopsgen-tools/aws-emulator/venv/bin/python")
}

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
            "stepType": if step == "BatchTransform" { "Transform" } else { "QualityCheck" },
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

#[test]
fn generated_event_patterns_match_exactly_the_intended_events() {
    let v = mlopsgen::validate_repo(&repo_root(), &[]);
    assert!(!v.report.has_errors());
    let env = |name: &str| v.envs.iter().find(|e| e.name == name).expect("example env");
    let (prod, registry) = (env("prod"), env("registry"));
    let mut rules: Vec<Value> = Vec::new();
    for e in [prod, registry] {
        for (name, pattern) in mlopsgen::render::workflow::event_patterns(e) {
            rules.push(json!({ "name": name, "pattern": pattern }));
        }
    }
    let train = prod.pipeline_arn("mammo-severity-train-pipeline");
    let infer = prod.pipeline_arn("mammo-severity-inference-pipeline");
    let events = vec![
        step_event("drift", &infer, "DataQualityCheck", "Failed"),
        step_event("check-ok", &infer, "DataQualityCheck", "Succeeded"),
        step_event("check-running", &infer, "DataQualityCheck", "Executing"),
        step_event("transform-failed", &infer, "BatchTransform", "Failed"),
        step_event("baseline-failed-in-train", &train, "DataQualityCheck", "Failed"),
        execution_event("inference-failed", &infer, "Failed"),
        execution_event("inference-succeeded", &infer, "Succeeded"),
        execution_event("inference-stopped", &infer, "Stopped"),
        execution_event("train-failed", &train, "Failed"),
        execution_event("train-succeeded", &train, "Succeeded"),
        execution_event("other-pipeline-failed", &prod.pipeline_arn("someone-elses-pipeline"), "Failed"),
        package_event("pending", "mammo-severity-model-package", "PendingManualApproval"),
        package_event("approved", "mammo-severity-model-package", "Approved"),
        package_event("other-group-pending", "churn-model-package", "PendingManualApproval"),
    ];
    let cases = json!({ "rules": rules, "events": events });
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cases.json");
    std::fs::write(&path, serde_json::to_vec(&cases).expect("json")).expect("write cases");

    let emulator = Emulator::start();
    let out = Command::new(python())
        .arg(repo_root().join("tests/helpers/route_events.py"))
        .arg(&emulator.endpoint)
        .arg(&path)
        .output()
        .expect("run the routing helper");
    assert!(out.status.success(), "routing helper failed: {}", String::from_utf8_lossy(&out.stderr));
    let delivered: Value = serde_json::from_slice(&out.stdout).expect("helper prints JSON");
    assert_eq!(
        delivered,
        json!({
            "mammography-severity-model-retrain-on-drift": ["drift"],
            "mammography-severity-model-inference-failed": ["inference-failed"],
            "mammography-severity-model-train-failed": ["train-failed"],
            "model-version-pending-approval": ["pending"]
        })
    );
}
