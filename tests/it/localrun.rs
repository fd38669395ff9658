//! The platform, run: the generated pipelines executed step by step offline (tools/localrun), on
//! the blog post's data, against the project's AWS emulator and with the SageMaker images'
//! library versions. Installs the pinned Python runtimes on first use (PyPI); needs `unshare`.

use crate::common;

use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn describe(out: &Path) {
    let d = Command::new(env!("CARGO_BIN_EXE_mlopsgen"))
        .arg("-C")
        .arg(repo_root())
        .arg("describe")
        .output()
        .expect("describe");
    assert!(d.status.success(), "{}", String::from_utf8_lossy(&d.stderr));
    std::fs::write(out, &d.stdout).expect("write description");
}

fn localrun(args: &[&str]) -> Output {
    Command::new(runtime_python("emulator"))
        .args(args)
        .current_dir(repo_root().join("tools/localrun"))
        .env_remove("MOTO_ACCOUNT_ID")
        .output()
        .expect("run tools/localrun")
}

/// The whole story of the post, every arrow asserted by the story itself (exit 0 only when all
/// hold); the lines checked here are the ones the issue names.
#[test]
fn the_blog_posts_story_runs_offline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let description = dir.path().join("platform.json");
    describe(&description);
    let repo = repo_root();
    let out = localrun(&[
        "-m",
        "localrun.story",
        "--repo",
        repo.to_str().expect("utf-8 path"),
        "--describe",
        description.to_str().expect("utf-8 path"),
        "--env",
        "prod",
        "--work",
        dir.path().join("work").to_str().expect("utf-8 path"),
    ]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for arrow in [
        "ok: train v1 on part 1 -> version 1 registered in the registry account, PendingManualApproval",
        "ok: approvers notified that version 1 waits for approval",
        "ok: scheduled inference on the normal batch succeeds, predictions written",
        "ok: inference on the outlier batch fails at the drift step (DriftDetected), the drifted features named",
        "ok: the retrain rule starts the train pipeline on part 1 + part 2",
        "ok: v2 PendingManualApproval; v1 still served, with v1's own baseline and metrics",
        "ok: approve v2 -> the next inference uses v2 and v2's baseline",
        "ok: a batch with a missing column fails at BatchRejected, notifies naming the problem, and does not retrain",
        "ok: flipped labels -> the quality check fails (QualityBelowThreshold) and notifies",
    ] {
        assert!(text.contains(arrow), "missing arrow {arrow:?}:\n{text}");
    }
    assert!(!text.contains("FAILED:"), "{text}");
}

/// A copy of a generated definition, changed by `mutate`, run by the executor.
fn judge(kind: &str, mutate: impl FnOnce(&mut Value)) -> Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let description = dir.path().join("platform.json");
    describe(&description);
    let file = format!("generated/prod/pipelines/mammography-severity-model-{kind}.json");
    let mut def: Value =
        serde_json::from_str(&std::fs::read_to_string(repo_root().join(file)).expect("definition")).expect("json");
    mutate(&mut def);
    let path = dir.path().join("mutated.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&def).expect("json")).expect("write");
    let repo = repo_root();
    let out = localrun(&[
        "-m",
        "localrun.judge",
        "--repo",
        repo.to_str().expect("utf-8"),
        "--describe",
        description.to_str().expect("utf-8"),
        "--env",
        "prod",
        "--kind",
        kind,
        "--definition",
        path.to_str().expect("utf-8"),
        "--work",
        dir.path().join("work").to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "judge failed to run: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("judge prints JSON")
}

fn step_mut<'a>(steps: &'a mut Value, name: &str) -> &'a mut Value {
    fn find(steps: &Value, name: &str, at: String) -> Option<String> {
        for (i, s) in steps.as_array()?.iter().enumerate() {
            let here = format!("{at}/{i}");
            if s["Name"] == name {
                return Some(here);
            }
            for branch in ["IfSteps", "ElseSteps"] {
                if let Some(found) = find(&s["Arguments"][branch], name, format!("{here}/Arguments/{branch}")) {
                    return Some(found);
                }
            }
        }
        None
    }
    let pointer = find(steps, name, String::new()).unwrap_or_else(|| panic!("no step {name}"));
    steps.pointer_mut(&pointer).expect("the step just found")
}

fn reason(r: &Value) -> String {
    format!("{} {}", r["reason"].as_str().unwrap_or(""), r["failure"].as_str().unwrap_or(""))
}

#[test]
fn the_executor_refuses_a_wrong_local_path_naming_the_step_and_field() {
    let r = judge("train", |d| {
        step_mut(&mut d["Steps"], "PreprocessData")["Arguments"]["ProcessingInputs"][0]["S3Input"]["LocalPath"] =
            "/opt/ml/processing/input/training-data".into();
    });
    assert_eq!(r["failed_step"], "PreprocessData", "{r}");
    let why = reason(&r);
    assert!(why.contains("no training data") && why.contains("-> /opt/ml/processing/input/training-data"), "{r}");
    assert!(why.contains("LocalPath") || r["field"].as_str().is_some_and(|f| f.contains("AppSpecification")), "{r}");
}

#[test]
fn the_executor_refuses_a_wrong_json_get_path_naming_the_step_and_field() {
    let r = judge("train", |d| {
        step_mut(&mut d["Steps"], "CheckAucThreshold")["Arguments"]["Conditions"][0]["LeftValue"]["Std:JsonGet"]["Path"] =
            "binary_classification_metrics.auc.valeu".into();
    });
    assert_eq!(r["failed_step"], "CheckAucThreshold", "{r}");
    assert_eq!(r["field"], "Arguments.Conditions[0].LeftValue.Std:JsonGet.Path", "{r}");
    assert!(reason(&r).contains("'binary_classification_metrics.auc.valeu' not found"), "{r}");
}

#[test]
fn the_executor_refuses_a_missing_depends_on_naming_the_step_and_field() {
    // TrainModel reads PreprocessData's output by its location instead of by reference: without
    // a DependsOn nothing orders the two, and the service may start TrainModel first.
    let by_location = |d: &mut Value| {
        let ch = &mut step_mut(&mut d["Steps"], "TrainModel")["Arguments"]["InputDataConfig"];
        for (i, name) in ["train", "validation"].iter().enumerate() {
            ch[i]["DataSource"]["S3DataSource"]["S3Uri"] = serde_json::json!({ "Std:Join": { "On": "/", "Values": [
                "s3://acme-sagemaker-prod-222222222222/mammography-severity-model/train-runs",
                { "Get": "Execution.PipelineExecutionId" }, name
            ] } });
        }
    };
    let r = judge("train", by_location);
    assert_eq!(r["failed_step"], "TrainModel", "{r}");
    let why = reason(&r);
    assert!(why.contains("written by step PreprocessData") && why.contains("DependsOn"), "{r}");
    // The same definition with the dependency declared runs.
    let r = judge("train", |d| {
        by_location(d);
        step_mut(&mut d["Steps"], "TrainModel")["DependsOn"] = serde_json::json!(["PreprocessData"]);
    });
    assert_eq!(r["status"], "Succeeded", "{r}");
}

#[test]
fn the_executor_refuses_a_reference_to_a_step_that_does_not_exist() {
    let r = judge("train", |d| {
        step_mut(&mut d["Steps"], "EvaluateModel")["Arguments"]["ProcessingInputs"][0]["S3Input"]["S3Uri"] =
            serde_json::json!({ "Get": "Steps.TrainModle.ModelArtifacts.S3ModelArtifacts" });
    });
    assert_eq!(r["status"], "Failed", "{r}");
    let why = reason(&r);
    assert!(
        why.contains("step EvaluateModel: Arguments.ProcessingInputs[0].S3Input.S3Uri")
            && why.contains("names no step 'TrainModle'"),
        "{r}"
    );
}

/// The data generator reproduces the notebook byte for byte (tools/localrun/tests, pytest, with
/// the scikit-learn image's pandas).
#[test]
fn the_data_generator_reproduces_the_notebook() {
    let out = Command::new(runtime_python("tests"))
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"])
        .current_dir(repo_root().join("tools/localrun"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("run pytest");
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
}
