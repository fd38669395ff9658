//! The generated pipeline definitions: the step graph means what the post's pipelines mean.

mod common;

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

#[test]
fn train_pipeline_registers_only_good_models_after_their_baseline() {
    for env in ["dev", "prod"] {
        let t = load(env, "mammography-severity-model-train.json");
        let top: Vec<&str> = t["Steps"].as_array().expect("steps").iter().filter_map(|s| s["Name"].as_str()).collect();
        assert_eq!(top, ["PreprocessData", "TrainModel", "EvaluateModel", "CheckAucThreshold"]);
        let cond = step(&t, "CheckAucThreshold");
        assert_eq!(cond["Type"], "Condition");
        let c = &cond["Arguments"]["Conditions"][0];
        assert_eq!(c["Type"], "GreaterThanOrEqualTo");
        assert_eq!(c["RightValue"]["Get"], "Parameters.AucThreshold");
        let if_names: Vec<&str> =
            cond["Arguments"]["IfSteps"].as_array().expect("if").iter().filter_map(|s| s["Name"].as_str()).collect();
        assert_eq!(if_names, ["DataQualityBaseline", "RegisterModel"]);
        let else_steps = cond["Arguments"]["ElseSteps"].as_array().expect("else");
        assert_eq!(else_steps.len(), 1);
        assert_eq!(else_steps[0]["Type"], "Fail", "{env}: the else branch must fail the pipeline");

        let baseline = step(&t, "DataQualityBaseline");
        assert_eq!(
            (baseline["SkipCheck"].as_bool(), baseline["RegisterNewBaseline"].as_bool()),
            (Some(true), Some(true))
        );
        let register = step(&t, "RegisterModel");
        assert!(
            references(register).iter().any(|r| r.starts_with("Steps.DataQualityBaseline.")),
            "{env}: RegisterModel must read the baseline, so it runs after it"
        );
        assert!(register["Arguments"]["ModelPackageGroupName"].as_str().is_some_and(
            |g| g == "arn:aws:sagemaker:us-east-1:333333333333:model-package-group/mammo-severity-model-package"
        ));
        let params = t["Parameters"].as_array().expect("params");
        let approval = params.iter().find(|p| p["Name"] == "ModelApprovalStatus").expect("approval parameter");
        assert_eq!(approval["DefaultValue"], "PendingManualApproval");
        assert_eq!(register["Arguments"]["ModelApprovalStatus"]["Get"], "Parameters.ModelApprovalStatus");
    }
}

#[test]
fn inference_pipeline_checks_data_quality_before_transform_and_fails_on_violation() {
    for env in ["dev", "prod"] {
        let i = load(env, "mammography-severity-model-inference.json");
        let check = step(&i, "DataQualityCheck");
        assert_eq!(check["Type"], "QualityCheck");
        assert_eq!(check["SkipCheck"], false);
        assert_eq!(check["FailOnViolation"], true, "{env}: drift must fail the pipeline");
        assert_eq!(
            check["SuppliedBaselineStatistics"]["Get"],
            "Steps.GetLatestApprovedModel.OutputParameters['BaselineStatisticsUri']"
        );
        let transform = step(&i, "BatchTransform");
        assert_eq!(transform["DependsOn"], serde_json::json!(["DataQualityCheck"]));
        assert_eq!(transform["Arguments"]["ModelName"]["Get"], "Steps.CreateModel.ModelName");
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
    }
}

/// Every job encrypts its volumes and outputs with the environment's key, and uses the current
/// images (XGBoost 1.7-1, scikit-learn 1.2-1) of the environment's region.
#[test]
fn every_job_is_encrypted_and_uses_current_images() {
    for (env, key) in [
        ("dev", "arn:aws:kms:us-east-1:111111111111:alias/mlops-dev"),
        ("prod", "arn:aws:kms:us-east-1:222222222222:alias/mlops-prod"),
    ] {
        for file in ["mammography-severity-model-train.json", "mammography-severity-model-inference.json"] {
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
                        assert_eq!(a["ProcessingOutputConfig"]["KmsKeyId"], key, "{env} {}", s["Name"]);
                    }
                    Some("Training") => {
                        assert_eq!(a["ResourceConfig"]["VolumeKmsKeyId"], key);
                        assert_eq!(a["OutputDataConfig"]["KmsKeyId"], key);
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
    let script = std::fs::read_to_string(repo_root().join("generated/prod/code/evaluate.py")).expect("evaluate.py");
    assert!(script.contains("xgboost.Booster()") && script.contains(".load_model(\"xgboost-model\")"));
    assert!(!script.contains("import pickle") && !script.contains("import joblib"));
}
