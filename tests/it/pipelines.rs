//! The generated pipeline definitions: the step graph means what the post's pipelines mean.

use crate::common;

use common::*;
use serde_json::Value;

fn load(env: &str, file: &str) -> Value {
    let path = repo_root().join("generated").join(env).join("pipelines").join(file);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("pipeline file")).expect("pipeline JSON")
}

fn steps(v: &Value) -> Vec<&Value> {
    fn walk<'a>(steps: &'a [Value], out: &mut Vec<&'a Value>) {
        for s in steps {
            out.push(s);
            for branch in ["IfSteps", "ElseSteps"] {
                if let Some(inner) = s["Arguments"][branch].as_array() {
                    walk(inner, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(v["Steps"].as_array().expect("Steps"), &mut out);
    out
}

fn step<'a>(v: &'a Value, name: &str) -> &'a Value {
    steps(v).into_iter().find(|s| s["Name"] == name).unwrap_or_else(|| panic!("no step {name}"))
}

fn references(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(g)) = m.get("Get") {
                    out.push(g.clone());
                }
                m.values().for_each(|c| walk(c, out));
            }
            Value::Array(a) => a.iter().for_each(|c| walk(c, out)),
            _ => {}
        }
    }
    walk(v, &mut out);
    out
}

fn names(steps: &Value) -> Vec<&str> {
    steps.as_array().expect("steps").iter().filter_map(|s| s["Name"].as_str()).collect()
}

#[test]
fn train_pipeline_registers_only_good_models_after_their_baseline() {
    for env in ["dev", "prod"] {
        let t = load(env, "mammography-severity-model-train.json");
        assert_eq!(names(&t["Steps"]), ["PreprocessData", "TrainModel", "EvaluateModel", "CheckAucThreshold"]);
        let cond = step(&t, "CheckAucThreshold");
        assert_eq!(cond["Type"], "Condition");
        let c = &cond["Arguments"]["Conditions"][0];
        assert_eq!(c["Type"], "GreaterThanOrEqualTo");
        assert_eq!(c["RightValue"]["Get"], "Parameters.AucThreshold");
        assert_eq!(names(&cond["Arguments"]["IfSteps"]), ["DataQualityBaseline", "RegisterModel"]);
        let else_steps = cond["Arguments"]["ElseSteps"].as_array().expect("else");
        assert_eq!(else_steps.len(), 1);
        assert_eq!(else_steps[0]["Type"], "Fail", "{env}: the else branch must fail the pipeline");

        let register = step(&t, "RegisterModel");
        assert!(
            references(register).iter().any(|r| r.starts_with("Steps.DataQualityBaseline.")),
            "{env}: RegisterModel must read the baseline, so it runs after it"
        );
        assert!(register["Arguments"]["ModelPackageGroupName"].as_str().is_some_and(
            |g| g == "arn:aws:sagemaker:us-east-1:333333333333:model-package-group/mammo-severity-model-package"
        ));
    }
}

/// The approval gate: no parameter, no run, can register a version as anything but pending.
#[test]
fn every_version_is_registered_pending_manual_approval() {
    for env in ["dev", "prod"] {
        let t = load(env, "mammography-severity-model-train.json");
        let register = step(&t, "RegisterModel");
        assert_eq!(register["Arguments"]["ModelApprovalStatus"], "PendingManualApproval", "{env}: a literal");
        let params = names(&t["Parameters"]);
        assert!(!params.iter().any(|p| p.contains("Approval")), "{env}: no approval parameter: {params:?}");
        let meta = &register["Arguments"]["CustomerMetadataProperties"];
        assert_eq!(meta["mlopsgen:source-environment"], env);
        assert_eq!(meta["mlopsgen:pipeline-execution-arn"]["Get"], "Execution.PipelineExecutionArn");
    }
}

/// Each version points at its own evidence: every output the registry keeps is written under the
/// execution's id, and the version's metrics and baselines are those outputs.
#[test]
fn every_version_points_at_its_own_evidence() {
    for env in ["dev", "prod"] {
        let t = load(env, "mammography-severity-model-train.json");
        for name in ["EvaluateModel", "DataQualityBaseline", "PreprocessData"] {
            for o in step(&t, name)["Arguments"]["ProcessingOutputConfig"]["Outputs"].as_array().expect("outputs") {
                let uri = &o["S3Output"]["S3Uri"];
                assert!(
                    uri["Std:Join"]["Values"]
                        .as_array()
                        .is_some_and(|v| v.iter().any(|x| x["Get"] == "Execution.PipelineExecutionId")),
                    "{env} {name}: {uri} is not per execution"
                );
            }
        }
        let evidence = step(&t, "EvaluateModel")["Arguments"]["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]["Std:Join"]["Values"][0]
            .as_str()
            .expect("prefix")
            .to_string();
        assert_eq!(
            evidence,
            format!("s3://acme-sagemaker-model-artifacts-333333333333/{env}/mammography-severity-model/evidence")
        );
        let register = step(&t, "RegisterModel");
        let m = &register["Arguments"]["ModelMetrics"];
        assert_eq!(
            m["ModelQuality"]["Statistics"]["S3Uri"]["Std:Join"]["Values"][0]["Get"],
            "Steps.EvaluateModel.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri"
        );
        assert_eq!(
            m["ModelDataQuality"]["Statistics"]["S3Uri"]["Std:Join"]["Values"][0]["Get"],
            "Steps.DataQualityBaseline.ProcessingOutputConfig.Outputs['baseline'].S3Output.S3Uri"
        );
        assert_eq!(register["Arguments"]["DriftCheckBaselines"]["ModelDataQuality"], m["ModelDataQuality"]);
    }
}

#[test]
fn inference_pipeline_prepares_and_checks_the_batch_before_scoring_it() {
    for env in ["dev", "prod"] {
        let i = load(env, "mammography-severity-model-inference.json");
        assert_eq!(names(&i["Steps"]), ["GetLatestApprovedModel", "CreateModel", "PrepareBatch", "CheckBatch"]);
        let batch = step(&i, "CheckBatch");
        assert_eq!(names(&batch["Arguments"]["IfSteps"]), ["CheckDrift", "CheckForDrift"]);
        assert_eq!(names(&batch["Arguments"]["ElseSteps"]), ["BatchRejected"]);
        let drift = step(&i, "CheckForDrift");
        assert_eq!(names(&drift["Arguments"]["IfSteps"]), ["BatchTransform"]);
        assert_eq!(names(&drift["Arguments"]["ElseSteps"]), ["DriftDetected"]);
        let check = step(&i, "CheckDrift");
        assert_eq!(
            check["Arguments"]["AppSpecification"]["ImageUri"],
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
            "{env}: the drift engine runs in the framework image the pipeline already uses"
        );
        assert!(
            references(check)
                .contains(&"Steps.GetLatestApprovedModel.OutputParameters['BaselineStatisticsUri']".to_string())
        );
        let transform = step(&i, "BatchTransform");
        assert_eq!(transform["Arguments"]["ModelName"]["Get"], "Steps.CreateModel.ModelName");
        assert_eq!(
            transform["Arguments"]["DataProcessing"]["JoinSource"], "Input",
            "{env}: predictions keep the record id"
        );
        let model = step(&i, "CreateModel");
        assert_eq!(
            model["Arguments"]["PrimaryContainer"]["ModelPackageName"]["Get"],
            "Steps.GetLatestApprovedModel.OutputParameters['ModelPackageArn']"
        );
        assert!(
            step(&i, "GetLatestApprovedModel")["FunctionArn"]
                .as_str()
                .is_some_and(|a| a.ends_with(&format!("function:mlops-{env}-latest-approved-model")))
        );
        for name in ["QualityCheck", "ClarifyCheck"] {
            assert!(!steps(&i).iter().any(|s| s["Type"] == name), "{env}: no Model Monitor step by default");
        }
    }
}

/// Every job encrypts its volumes with the environment's key; what the registry keeps is
/// encrypted with the registry's key, the rest with the environment's.
#[test]
fn every_job_is_encrypted_and_uses_current_images() {
    let registry = "arn:aws:kms:us-east-1:333333333333:alias/mlops-registry";
    for (env, key) in [
        ("dev", "arn:aws:kms:us-east-1:111111111111:alias/mlops-dev"),
        ("prod", "arn:aws:kms:us-east-1:222222222222:alias/mlops-prod"),
    ] {
        for file in [
            "mammography-severity-model-train.json",
            "mammography-severity-model-inference.json",
            "mammography-severity-model-quality.json",
        ] {
            let p = load(env, file);
            for s in steps(&p) {
                let a = &s["Arguments"];
                match s["Type"].as_str() {
                    Some("Processing") | Some("QualityCheck") => {
                        assert_eq!(
                            a["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"], key,
                            "{env} {}",
                            s["Name"]
                        );
                        let kept = a["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]
                            .to_string()
                            .contains("model-artifacts");
                        let expected = if kept { registry } else { key };
                        assert_eq!(a["ProcessingOutputConfig"]["KmsKeyId"], expected, "{env} {}", s["Name"]);
                    }
                    Some("Training") => {
                        assert_eq!(a["ResourceConfig"]["VolumeKmsKeyId"], key);
                        assert_eq!(
                            a["OutputDataConfig"]["KmsKeyId"], registry,
                            "{env}: model artifacts are the registry's"
                        );
                        assert_eq!(
                            a["AlgorithmSpecification"]["TrainingImage"],
                            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
                        );
                    }
                    Some("Transform") => {
                        assert_eq!(a["TransformResources"]["VolumeKmsKeyId"], key);
                        assert_eq!(a["TransformOutput"]["KmsKeyId"], key);
                    }
                    _ => {}
                }
            }
        }
        let t = load(env, "mammography-severity-model-train.json");
        assert_eq!(
            step(&t, "PreprocessData")["Arguments"]["AppSpecification"]["ImageUri"],
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
        );
    }
}

#[test]
fn the_evaluation_script_loads_the_model_as_xgboost_1_7_saves_it() {
    let script =
        std::fs::read_to_string(repo_root().join("generated/prod/code/mammography-severity-model/training.py"))
            .expect("training.py (the evaluation's loader)");
    assert!(script.contains("xgboost.Booster()") && script.contains(".load_model(bytearray(data))"));
    assert!(!script.contains("import pickle") && !script.contains("import joblib"));
}

/// Every job runs network-isolated with encrypted traffic between instances (network.isolation,
/// default on): processing (NetworkConfig), training, and the model the transform runs.
#[test]
fn every_job_is_network_isolated() {
    for env in ["dev", "prod"] {
        for file in [
            "mammography-severity-model-train.json",
            "mammography-severity-model-inference.json",
            "mammography-severity-model-quality.json",
        ] {
            let v = load(env, file);
            for s in steps(&v) {
                let a = &s["Arguments"];
                match s["Type"].as_str() {
                    Some("Processing") => {
                        assert_eq!(a["NetworkConfig"]["EnableNetworkIsolation"], true, "{env} {file} {}", s["Name"]);
                        assert_eq!(a["NetworkConfig"]["EnableInterContainerTrafficEncryption"], true);
                    }
                    Some("Training") => {
                        assert_eq!(a["EnableNetworkIsolation"], true, "{}", s["Name"]);
                        assert_eq!(a["EnableInterContainerTrafficEncryption"], true);
                    }
                    Some("Model") => assert_eq!(a["EnableNetworkIsolation"], true, "{}", s["Name"]),
                    _ => {}
                }
            }
        }
    }
}
