//! SageMaker pipeline definitions (JSON) for each model of a workload environment, mirroring the
//! blog post's pipelines in the form the service and `pipecheck` accept
//! (`../shared/reference/sagemaker-pipeline-facts.md` §6), run by `tools/localrun` offline:
//!
//! train: PreprocessData → TrainModel → EvaluateModel → CheckAucThreshold
//!        ├ if AUC ≥ threshold: DataQualityBaseline, RegisterModel (always PendingManualApproval)
//!        └ else: AucBelowThreshold (Fail)
//! inference: GetLatestApprovedModel (Lambda) → CreateModel → PrepareBatch → CheckBatch
//!        ├ if the batch keeps the data contract: CheckDrift → CheckForDrift
//!        │      ├ if no drift: BatchTransform
//!        │      └ else: DriftDetected (Fail; the retrain rule matches this step)
//!        └ else: BatchRejected (Fail; notifies, never retrains)
//! quality: EvaluateQuality → CheckQuality └ else: QualityBelowThreshold (Fail)
//!
//! With `monitoring.engine = "model-monitor"` the baseline and the drift check are SageMaker
//! Model Monitor `QualityCheck` steps instead (closed to new AWS customers; kept opt-in).
//!
//! Every output is written per execution (`Execution.PipelineExecutionId` in its path). What a
//! model version must keep — its artifacts, evaluation, baseline, and the drift and quality
//! reports about it — goes to the registry's bucket under `<env>/<model>/`, encrypted with the
//! registry's key; working data stays in the environment's bucket under its own key. Where
//! mlopsgen creates the environment's key, definitions name it by its alias ARN and Terraform
//! swaps in the key ARN when it loads the file.

pub use super::steps::{Context, image_uri};
use super::steps::{condition, fail, get, json_get, output_file, output_uri, per_execution, s3_input, s3_output};
use crate::model::images::Framework;
use crate::model::*;
use serde_json::{Value, json};

/// The train pipeline's step that registers a version.
pub const REGISTER_STEP: &str = "RegisterModel";
/// The inference pipeline's step that fails on drift (the retrain rule matches it by name).
pub const DRIFT_STEP: &str = "DriftDetected";
/// The same with the Model Monitor engine: its QualityCheck step fails on a violation.
pub const MONITOR_CHECK_STEP: &str = "DataQualityCheck";
/// The inference pipeline's step that fails when a batch breaks the data contract.
pub const REJECT_STEP: &str = "BatchRejected";
/// The quality pipeline's step that fails below a threshold.
pub const QUALITY_STEP: &str = "QualityBelowThreshold";

/// The step whose failure means "drift" for a model's engine.
pub fn drift_step(model: &Model) -> &'static str {
    match model.monitoring.engine {
        Engine::Builtin => DRIFT_STEP,
        Engine::ModelMonitor => MONITOR_CHECK_STEP,
    }
}

/// The scripts a model's Processing steps run, uploaded together under `<model>/code/`: the
/// step scripts import `contract.py` and `problem.py` (rendered from the problem type's own
/// template, `render::problem::template`) from their own directory.
pub const SCRIPTS: &[&str] = &[
    "contract.py",
    "problem.py",
    "training.py",
    "preprocess.py",
    "evaluate.py",
    "baseline.py",
    "prepare_batch.py",
    "drift_check.py",
    "quality_check.py",
];

/// The file name of a model's pipeline under `pipelines/`.
pub fn file_name(model: &Model, kind: &str) -> String {
    format!("{}-{kind}.json", model.name)
}

fn cluster(cx: &Context<'_>, instance_type: Value, count: Value) -> Value {
    json!({
        "ClusterConfig": {
            "InstanceType": instance_type,
            "InstanceCount": count,
            "VolumeSizeInGB": 30,
            "VolumeKmsKeyId": cx.kms_key
        }
    })
}

const CODE_DIR: &str = "/opt/ml/processing/input/code";

/// A Processing step running one of the model's scripts.
struct Script<'a> {
    name: &'a str,
    script: &'a str,
    image: String,
    instance: Value,
    inputs: Vec<Value>,
    outputs: Vec<Value>,
    /// The key of the outputs: the environment's or the registry's.
    output_key: &'a str,
    arguments: Vec<Value>,
    environment: Vec<(String, String)>,
    property_file: Option<(&'a str, &'a str, &'a str)>,
}

/// The jobs' VpcConfig, when the environment gives one.
fn vpc_config(cx: &Context<'_>) -> Option<Value> {
    cx.workload.network.vpc.as_ref().map(|(subnets, groups)| json!({ "SecurityGroupIds": groups, "Subnets": subnets }))
}

/// A processing job's NetworkConfig: isolation, encrypted traffic between instances, the VPC.
fn network_config(cx: &Context<'_>) -> Option<Value> {
    let n = &cx.workload.network;
    if !n.isolation && n.vpc.is_none() {
        return None;
    }
    let mut v = json!({ "EnableNetworkIsolation": n.isolation, "EnableInterContainerTrafficEncryption": n.isolation });
    if let Some(vpc) = vpc_config(cx) {
        v["VpcConfig"] = vpc;
    }
    Some(v)
}

fn processing(cx: &Context<'_>, model: &Model, s: Script<'_>) -> Value {
    let mut inputs = s.inputs;
    inputs.push(s3_input("code", json!(cx.data(model, "code/")), CODE_DIR));
    let mut app = json!({
        "ImageUri": s.image,
        "ContainerEntrypoint": ["python3", format!("{CODE_DIR}/{}", s.script)]
    });
    if !s.arguments.is_empty() {
        app["ContainerArguments"] = Value::Array(s.arguments);
    }
    let mut args = json!({
        "ProcessingResources": cluster(cx, s.instance, json!(1)),
        "AppSpecification": app,
        "RoleArn": cx.role(),
        "ProcessingInputs": inputs,
        "ProcessingOutputConfig": { "KmsKeyId": s.output_key, "Outputs": s.outputs },
        "StoppingCondition": { "MaxRuntimeInSeconds": 3600 }
    });
    if !s.environment.is_empty() {
        let env: serde_json::Map<String, Value> =
            s.environment.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
        args["Environment"] = Value::Object(env);
    }
    if let Some(n) = network_config(cx) {
        args["NetworkConfig"] = n;
    }
    let mut step = json!({ "Name": s.name, "Type": "Processing", "Arguments": args });
    if let Some((file, output, path)) = s.property_file {
        step["PropertyFiles"] = json!([{ "PropertyFileName": file, "OutputName": output, "FilePath": path }]);
    }
    step
}

/// A Model Monitor QualityCheck step (engine `model-monitor`).
fn quality_check(cx: &Context<'_>, model: &Model, name: &str, input: Value, output: Value, baseline: bool) -> Value {
    let mut step = json!({
        "Name": name,
        "Type": "QualityCheck",
        "CheckType": "DATA_QUALITY",
        "SkipCheck": baseline,
        "RegisterNewBaseline": baseline,
        "FailOnViolation": true,
        "ModelPackageGroupName": cx.group_arn(model),
    });
    if !baseline {
        step["SuppliedBaselineStatistics"] =
            get("Steps.GetLatestApprovedModel.OutputParameters['BaselineStatisticsUri']");
        step["SuppliedBaselineConstraints"] =
            get("Steps.GetLatestApprovedModel.OutputParameters['BaselineConstraintsUri']");
    }
    let instance =
        if baseline { get("Parameters.ProcessingInstanceType") } else { get("Parameters.MonitoringInstanceType") };
    let key = if baseline { &cx.registry_key } else { &cx.kms_key };
    step["Arguments"] = json!({
        "ProcessingResources": cluster(cx, instance, json!(1)),
        "AppSpecification": { "ImageUri": cx.image(Framework::ModelMonitor, images::MODEL_MONITOR_VERSION) },
        "RoleArn": cx.role(),
        "ProcessingInputs": [s3_input("baseline_dataset_input", input, "/opt/ml/processing/input/baseline_dataset_input")],
        "ProcessingOutputConfig": {
            "KmsKeyId": key,
            "Outputs": [s3_output("quality_check_output", output, "/opt/ml/processing/output")]
        },
        "Environment": {
            "dataset_format": "{\"csv\": {\"header\": false, \"output_columns_position\": \"START\"}}",
            "dataset_source": "/opt/ml/processing/input/baseline_dataset_input",
            "output_path": "/opt/ml/processing/output",
            "publish_cloudwatch_metrics": "Disabled"
        },
        "StoppingCondition": { "MaxRuntimeInSeconds": 3600 }
    });
    if let Some(n) = network_config(cx) {
        step["Arguments"]["NetworkConfig"] = n;
    }
    step
}

/// Provenance on every version (shown to approvers; the Lambda can filter on the environment).
fn provenance(cx: &Context<'_>, model: &Model, preprocessing: Value) -> Value {
    let mut p = json!({
        "mlopsgen:source-environment": cx.env.name,
        "mlopsgen:source-account": cx.env.account_id,
        "mlopsgen:model": model.name,
        "mlopsgen:pipeline-execution-arn": get("Execution.PipelineExecutionArn"),
        "mlopsgen:preprocessing": preprocessing
    });
    // What `versions` shows without reading the evidence: the problem type, the gate and each
    // test-split metric (as text: metadata values are strings).
    let g = model.train.gate;
    p["mlopsgen:problem-type"] = json!(model.problem.as_str());
    // The limit as the execution ran it (a parameter a run may override).
    p["mlopsgen:gate"] = json!({ "Std:Join": { "On": " ", "Values": [
        g.metric.as_str(),
        if g.metric.lower_is_better() { "<=" } else { ">=" },
        get(&format!("Parameters.{}Threshold", g.metric.camel()))
    ] } });
    for m in model.problem.metrics() {
        let value = json_get(
            "EvaluateModel",
            "EvaluationReport",
            &format!("{}.{}.value", model.problem.report_section(), m.as_str()),
        );
        p[format!("mlopsgen:test-{}", m.as_str())] = json!({ "Std:Join": { "On": "", "Values": [value] } });
    }
    p
}

/// The train pipeline of one model.
pub fn train(cx: &Context<'_>, model: &Model) -> Value {
    let t = &model.train;
    let sklearn = cx.image(Framework::Sklearn, &t.sklearn_version);
    let runs = cx.data(model, "train-runs");
    let evidence = cx.kept(model, "evidence");
    let mut preprocess = processing(
        cx,
        model,
        Script {
            name: "PreprocessData",
            script: "preprocess.py",
            image: sklearn.clone(),
            instance: get("Parameters.ProcessingInstanceType"),
            inputs: vec![s3_input("input-data", get("Parameters.InputDataUri"), "/opt/ml/processing/input/data")],
            outputs: ["train", "validation", "test", "profile"]
                .iter()
                .map(|o| s3_output(o, per_execution(runs.clone(), o), &format!("/opt/ml/processing/{o}")))
                .collect(),
            output_key: &cx.kms_key,
            arguments: Vec::new(),
            environment: Vec::new(),
            property_file: None,
        },
    );
    preprocess["Arguments"]["ProcessingResources"]["ClusterConfig"]["InstanceCount"] =
        get("Parameters.ProcessingInstanceCount");
    let channel = |name: &str| {
        json!({
            "ChannelName": name,
            "ContentType": "text/csv",
            "DataSource": {
                "S3DataSource": {
                    "S3DataType": "S3Prefix",
                    "S3Uri": output_uri("PreprocessData", name),
                    "S3DataDistributionType": "FullyReplicated"
                }
            }
        })
    };
    let mut training = json!({
        "Name": "TrainModel",
        "Type": "Training",
        "Arguments": {
            "AlgorithmSpecification": { "TrainingImage": super::training::image(cx, model), "TrainingInputMode": "File" },
            "OutputDataConfig": { "S3OutputPath": cx.kept(model, "models"), "KmsKeyId": cx.registry_key },
            "StoppingCondition": { "MaxRuntimeInSeconds": t.max_runtime_in_seconds },
            "ResourceConfig": {
                "InstanceCount": t.training_instance_count,
                "InstanceType": get("Parameters.TrainingInstanceType"),
                "VolumeSizeInGB": t.training_volume_size_in_gb,
                "VolumeKmsKeyId": cx.kms_key
            },
            "RoleArn": cx.role(),
            "EnableInterContainerTrafficEncryption": true,
            "EnableNetworkIsolation": cx.workload.network.isolation,
            "InputDataConfig": [channel("train"), channel("validation")],
            "HyperParameters": super::training::hyperparameters(cx, model)
        }
    });
    if let Some(vpc) = vpc_config(cx) {
        training["Arguments"]["VpcConfig"] = vpc;
    }
    let evaluate = processing(
        cx,
        model,
        Script {
            name: "EvaluateModel",
            script: "evaluate.py",
            image: super::training::evaluation_image(cx, model),
            instance: get("Parameters.ProcessingInstanceType"),
            inputs: super::training::evaluation_inputs(model),
            outputs: vec![s3_output(
                "evaluation",
                per_execution(evidence.clone(), "evaluation"),
                "/opt/ml/processing/evaluation",
            )],
            output_key: &cx.registry_key,
            arguments: Vec::new(),
            environment: Vec::new(),
            property_file: Some(("EvaluationReport", "evaluation", "evaluation.json")),
        },
    );
    // The builtin baseline also carries the preprocessing parameters (imputation values) that
    // batch preparation applies, so it runs with either engine ("DataProfile" beside Model
    // Monitor's own baseline).
    let profile_step = match model.monitoring.engine {
        Engine::Builtin => "DataQualityBaseline",
        Engine::ModelMonitor => "DataProfile",
    };
    let profile = processing(
        cx,
        model,
        Script {
            name: profile_step,
            script: "baseline.py",
            image: sklearn,
            instance: get("Parameters.ProcessingInstanceType"),
            inputs: vec![s3_input(
                "profile",
                output_uri("PreprocessData", "profile"),
                "/opt/ml/processing/input/profile",
            )],
            outputs: vec![s3_output(
                "baseline",
                per_execution(evidence.clone(), "baseline"),
                "/opt/ml/processing/baseline",
            )],
            output_key: &cx.registry_key,
            arguments: Vec::new(),
            environment: Vec::new(),
            property_file: None,
        },
    );
    let preprocessing = output_file(profile_step, "baseline", "statistics.json");
    let (baselines, statistics, constraints) = match model.monitoring.engine {
        Engine::Builtin => (
            vec![profile],
            output_file("DataQualityBaseline", "baseline", "statistics.json"),
            output_file("DataQualityBaseline", "baseline", "constraints.json"),
        ),
        Engine::ModelMonitor => (
            vec![
                profile,
                quality_check(
                    cx,
                    model,
                    "DataQualityBaseline",
                    json!({ "Std:Join": { "On": "/", "Values": [output_uri("PreprocessData", "profile"), "imputed"] } }),
                    per_execution(evidence.clone(), "model-monitor-baseline"),
                    true,
                ),
            ],
            get("Steps.DataQualityBaseline.CalculatedBaselineStatistics"),
            get("Steps.DataQualityBaseline.CalculatedBaselineConstraints"),
        ),
    };
    let metric = |uri: Value| json!({ "ContentType": "application/json", "S3Uri": uri });
    let register = json!({
        "Name": REGISTER_STEP,
        "Type": "RegisterModel",
        "Arguments": {
            "ModelPackageGroupName": cx.group_arn(model),
            "ModelPackageDescription": format!("{} trained by {} in {}", model.name, t.pipeline_name, cx.env.name),
            "ModelApprovalStatus": "PendingManualApproval",
            "InferenceSpecification": {
                "Containers": [super::training::container(cx, model, get("Steps.TrainModel.ModelArtifacts.S3ModelArtifacts"))],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
                "SupportedRealtimeInferenceInstanceTypes": [model.inference.transform_instance_type],
                "SupportedTransformInstanceTypes": [model.inference.transform_instance_type]
            },
            "ModelMetrics": {
                "ModelQuality": { "Statistics": metric(output_file("EvaluateModel", "evaluation", "evaluation.json")) },
                "ModelDataQuality": { "Statistics": metric(statistics.clone()), "Constraints": metric(constraints.clone()) }
            },
            "DriftCheckBaselines": {
                "ModelDataQuality": { "Statistics": metric(statistics), "Constraints": metric(constraints) }
            },
            "CustomerMetadataProperties": provenance(cx, model, preprocessing),
            "SkipModelValidation": "None"
        }
    });
    let (check, threshold) = super::problem::gate(model, baselines.into_iter().chain([register]).collect());
    let steps = [vec![preprocess, training], super::training::scoring_steps(cx, model), vec![evaluate, check]].concat();
    json!({
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": [
            { "Name": "InputDataUri", "Type": "String", "DefaultValue": format!("s3://{}/{}", cx.workload.default_bucket.name, t.input_data_prefix) },
            { "Name": "ProcessingInstanceType", "Type": "String", "DefaultValue": t.processing_instance_type },
            { "Name": "ProcessingInstanceCount", "Type": "Integer", "DefaultValue": t.processing_instance_count },
            { "Name": "TrainingInstanceType", "Type": "String", "DefaultValue": t.training_instance_type },
            threshold
        ],
        "Steps": steps
    })
}

/// The drift check's settings as its environment (an unset optional gate is left out).
fn drift_environment(model: &Model) -> Vec<(String, String)> {
    let d = &model.monitoring.drift;
    let mut env = vec![
        ("DRIFT_FALSE_DISCOVERY_RATE", super::hcl::format_float(d.false_discovery_rate)),
        ("DRIFT_JOINT_TEST", if d.joint_test { "1" } else { "0" }.to_string()),
    ];
    if let Some(psi) = d.min_psi {
        env.push(("DRIFT_MIN_PSI", super::hcl::format_float(psi)));
    }
    env.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The inference pipeline of one model.
pub fn inference(cx: &Context<'_>, model: &Model) -> Value {
    let i = &model.inference;
    let sklearn = cx.image(Framework::Sklearn, &model.train.sklearn_version);
    let runs = cx.data(model, "inference-runs");
    let evidence = cx.kept(model, "evidence");
    let function_arn = cx.env.regional_arn("lambda", &format!("function:{}", cx.env.latest_model_function_name()));
    let lambda = json!({
        "Name": "GetLatestApprovedModel",
        "Type": "Lambda",
        "FunctionArn": function_arn,
        "Arguments": {
            "model_package_group_arn": cx.group_arn(model),
            "allowed_environments": []
        },
        "OutputParameters": [
            { "OutputName": "ModelPackageArn", "OutputType": "String" },
            { "OutputName": "ModelPackageVersion", "OutputType": "String" },
            { "OutputName": "SourceEnvironment", "OutputType": "String" },
            { "OutputName": "BaselineStatisticsUri", "OutputType": "String" },
            { "OutputName": "BaselineConstraintsUri", "OutputType": "String" },
            { "OutputName": "PreprocessingUri", "OutputType": "String" }
        ]
    });
    let mut create_model = json!({
        "Name": "CreateModel",
        "Type": "Model",
        "Arguments": {
            "ExecutionRoleArn": cx.role(),
            "PrimaryContainer": { "ModelPackageName": get("Steps.GetLatestApprovedModel.OutputParameters['ModelPackageArn']") },
            "EnableNetworkIsolation": cx.workload.network.isolation
        }
    });
    if let Some(vpc) = vpc_config(cx) {
        create_model["Arguments"]["VpcConfig"] = vpc;
    }
    let predictions = json!({ "Std:Join": { "On": "/", "Values": [get("Parameters.BatchOutputUri"), get("Execution.PipelineExecutionId")] } });
    let mut prepared = vec![
        s3_output("canonical", per_execution(runs.clone(), "canonical"), "/opt/ml/processing/canonical"),
        s3_output(
            "transform-input",
            per_execution(runs.clone(), "transform-input"),
            "/opt/ml/processing/transform-input",
        ),
        s3_output("report", per_execution(runs.clone(), "report"), "/opt/ml/processing/report"),
        s3_output("manifest", predictions.clone(), "/opt/ml/processing/manifest"),
    ];
    if model.monitoring.engine == Engine::ModelMonitor {
        // Model Monitor reads features only, imputed as in training (its baseline's form).
        prepared.push(s3_output("imputed", per_execution(runs.clone(), "imputed"), "/opt/ml/processing/imputed"));
    }
    let prepare = processing(
        cx,
        model,
        Script {
            name: "PrepareBatch",
            script: "prepare_batch.py",
            image: sklearn.clone(),
            instance: get("Parameters.MonitoringInstanceType"),
            inputs: vec![
                s3_input("batch", get("Parameters.BatchInputUri"), "/opt/ml/processing/input/batch"),
                s3_input(
                    "preprocessing",
                    get("Steps.GetLatestApprovedModel.OutputParameters['PreprocessingUri']"),
                    "/opt/ml/processing/input/preprocessing",
                ),
            ],
            outputs: prepared,
            output_key: &cx.kms_key,
            arguments: vec![
                json!("--model-package-arn"),
                get("Steps.GetLatestApprovedModel.OutputParameters['ModelPackageArn']"),
                json!("--model-package-version"),
                get("Steps.GetLatestApprovedModel.OutputParameters['ModelPackageVersion']"),
                json!("--execution-id"),
                get("Execution.PipelineExecutionId"),
                json!("--source"),
                get("Parameters.BatchInputUri"),
            ],
            environment: Vec::new(),
            property_file: Some(("BatchReport", "report", "batch.json")),
        },
    );
    let transform = json!({
        "Name": "BatchTransform",
        "Type": "Transform",
        "Arguments": {
            "ModelName": get("Steps.CreateModel.ModelName"),
            "TransformInput": {
                "DataSource": { "S3DataSource": { "S3DataType": "S3Prefix", "S3Uri": output_uri("PrepareBatch", "transform-input") } },
                "ContentType": "text/csv",
                "SplitType": "Line"
            },
            "TransformOutput": {
                "S3OutputPath": predictions,
                "Accept": "text/csv",
                "AssembleWith": "Line",
                "KmsKeyId": cx.kms_key
            },
            "TransformResources": {
                "InstanceCount": i.transform_instance_count,
                "InstanceType": get("Parameters.TransformInstanceType"),
                "VolumeKmsKeyId": cx.kms_key
            },
            "DataProcessing": { "InputFilter": "$[1:]", "JoinSource": "Input", "OutputFilter": super::problem::output_filter(model) },
            "BatchStrategy": "MultiRecord"
        }
    });
    let checked = match model.monitoring.engine {
        Engine::Builtin => {
            let drift = processing(
                cx,
                model,
                Script {
                    name: "CheckDrift",
                    script: "drift_check.py",
                    image: sklearn,
                    instance: get("Parameters.MonitoringInstanceType"),
                    inputs: vec![
                        s3_input(
                            "canonical",
                            output_uri("PrepareBatch", "canonical"),
                            "/opt/ml/processing/input/canonical",
                        ),
                        s3_input(
                            "baseline-statistics",
                            get("Steps.GetLatestApprovedModel.OutputParameters['BaselineStatisticsUri']"),
                            "/opt/ml/processing/input/statistics",
                        ),
                        s3_input(
                            "baseline-constraints",
                            get("Steps.GetLatestApprovedModel.OutputParameters['BaselineConstraintsUri']"),
                            "/opt/ml/processing/input/constraints",
                        ),
                    ],
                    outputs: vec![s3_output(
                        "drift",
                        per_execution(evidence.clone(), "drift"),
                        "/opt/ml/processing/drift",
                    )],
                    output_key: &cx.registry_key,
                    arguments: vec![
                        json!("--model-package-arn"),
                        get("Steps.GetLatestApprovedModel.OutputParameters['ModelPackageArn']"),
                        json!("--execution-id"),
                        get("Execution.PipelineExecutionId"),
                    ],
                    environment: drift_environment(model),
                    property_file: Some(("DriftReport", "drift", "drift.json")),
                },
            );
            let decide = condition(
                "CheckForDrift",
                json!([{ "Type": "Equals", "LeftValue": json_get("CheckDrift", "DriftReport", "drift.detected"), "RightValue": 0 }]),
                vec![transform],
                vec![fail(
                    DRIFT_STEP,
                    json!({ "Std:Join": { "On": " ", "Values": [
                        "Drift detected:",
                        json_get("CheckDrift", "DriftReport", "drift.summary"),
                        "Report:",
                        output_file("CheckDrift", "drift", "drift.md")
                    ] } }),
                )],
            );
            vec![drift, decide]
        }
        Engine::ModelMonitor => {
            let check = quality_check(
                cx,
                model,
                MONITOR_CHECK_STEP,
                output_uri("PrepareBatch", "imputed"),
                per_execution(evidence.clone(), "drift"),
                false,
            );
            let mut transform = transform;
            transform["DependsOn"] = json!([MONITOR_CHECK_STEP]);
            vec![check, transform]
        }
    };
    let accept = condition(
        "CheckBatch",
        json!([{ "Type": "Equals", "LeftValue": json_get("PrepareBatch", "BatchReport", "batch.accepted"), "RightValue": 1 }]),
        checked,
        vec![fail(
            REJECT_STEP,
            json!({ "Std:Join": { "On": " ", "Values": [
                "The batch breaks the data contract:",
                json_get("PrepareBatch", "BatchReport", "batch.summary"),
                "Report:",
                output_file("PrepareBatch", "report", "batch.md")
            ] } }),
        )],
    );
    json!({
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": [
            { "Name": "BatchInputUri", "Type": "String", "DefaultValue": cx.data(model, &format!("data/batch-dataset/{}.csv", model.batch_dataset_filename)) },
            { "Name": "BatchOutputUri", "Type": "String", "DefaultValue": cx.data(model, "batch-predictions") },
            { "Name": "TransformInstanceType", "Type": "String", "DefaultValue": i.transform_instance_type },
            { "Name": "MonitoringInstanceType", "Type": "String", "DefaultValue": i.monitoring_instance_type }
        ],
        "Steps": [lambda, create_model, prepare, accept]
    })
}

/// The model-quality pipeline of one model: a scored batch's predictions against its labels.
pub fn quality(cx: &Context<'_>, model: &Model, q: &Quality) -> Value {
    let sklearn = cx.image(Framework::Sklearn, &model.train.sklearn_version);
    let evidence = cx.kept(model, "evidence");
    let environment = super::problem::quality_environment(q);
    let evaluate = processing(
        cx,
        model,
        Script {
            name: "EvaluateQuality",
            script: "quality_check.py",
            image: sklearn,
            instance: get("Parameters.MonitoringInstanceType"),
            inputs: vec![
                s3_input("predictions", get("Parameters.ScoredBatchUri"), "/opt/ml/processing/input/predictions"),
                s3_input("labels", get("Parameters.LabelsUri"), "/opt/ml/processing/input/labels"),
            ],
            outputs: vec![s3_output("quality", per_execution(evidence, "quality"), "/opt/ml/processing/quality")],
            output_key: &cx.registry_key,
            arguments: vec![json!("--execution-id"), get("Execution.PipelineExecutionId")],
            environment,
            property_file: Some(("QualityReport", "quality", "quality.json")),
        },
    );
    let decide = condition(
        "CheckQuality",
        json!([{ "Type": "Equals", "LeftValue": json_get("EvaluateQuality", "QualityReport", "quality.passed"), "RightValue": 1 }]),
        Vec::new(),
        vec![fail(
            QUALITY_STEP,
            json!({ "Std:Join": { "On": " ", "Values": [
                "Model quality below threshold:",
                json_get("EvaluateQuality", "QualityReport", "quality.summary"),
                "Report:",
                output_file("EvaluateQuality", "quality", "quality.md")
            ] } }),
        )],
    );
    json!({
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": [
            { "Name": "ScoredBatchUri", "Type": "String", "DefaultValue": cx.data(model, "batch-predictions/<inference-execution-id>/") },
            { "Name": "LabelsUri", "Type": "String", "DefaultValue": format!("s3://{}/{}<inference-execution-id>/", cx.workload.default_bucket.name, q.labels_prefix) },
            { "Name": "MonitoringInstanceType", "Type": "String", "DefaultValue": model.inference.monitoring_instance_type }
        ],
        "Steps": [evaluate, decide]
    })
}

/// Pretty JSON with a trailing newline (stable: keys keep insertion order).
pub fn to_text(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}
