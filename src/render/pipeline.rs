//! SageMaker pipeline definitions (JSON) for each model of a workload environment, mirroring the
//! blog post's pipelines in the form the service and `pipecheck` accept
//! (`../shared/reference/sagemaker-pipeline-facts.md` §6):
//!
//! train: PreprocessData → TrainModel → EvaluateModel → CheckAucThreshold
//!        ├ if AUC ≥ threshold: DataQualityBaseline, RegisterModel (PendingManualApproval)
//!        └ else: AucBelowThreshold (Fail)
//! inference: GetLatestApprovedModel (Lambda) → CreateModel → DataQualityCheck (fails on
//!            drift) → BatchTransform (after the check)
//!
//! Every job's volumes and outputs are encrypted with the environment's key. Where mlopsgen
//! creates the key, the definition names it by its alias ARN (its key ARN is only known after
//! apply) and the Terraform swaps in the key ARN when it loads the file.

use crate::model::images::{self, Framework};
use crate::model::*;
use serde_json::{Value, json};

/// Step names other resources refer to (the drift rule matches the check step by name).
pub const DATA_QUALITY_CHECK_STEP: &str = "DataQualityCheck";

/// The file name of a model's pipeline under `pipelines/`.
pub fn file_name(model: &Model, kind: &str) -> String {
    format!("{}-{kind}.json", model.name)
}

/// The names a pipeline definition needs from the environment.
pub struct Context<'a> {
    pub env: &'a EnvConfig,
    pub workload: &'a Workload,
    /// The key as written in definitions: the given ARN, or the alias ARN of the created key.
    pub kms_key: String,
}

impl<'a> Context<'a> {
    /// The context of a workload environment.
    pub fn new(env: &'a EnvConfig, workload: &'a Workload) -> Context<'a> {
        let kms_key = match &env.kms_key {
            KmsKey::Existing { arn } => arn.clone(),
            KmsKey::Create { alias, .. } => env.kms_alias_arn(alias),
        };
        Context { env, workload, kms_key }
    }

    fn data(&self, model: &Model, path: &str) -> String {
        format!("s3://{}/{}/{path}", self.workload.default_bucket.name, model.name)
    }

    fn artifacts(&self, model: &Model, path: &str) -> String {
        format!("s3://{}/{}/{path}", self.workload.artifacts_bucket, model.name)
    }

    fn role(&self) -> String {
        self.env.role_arn(&self.workload.execution_role)
    }

    fn image(&self, f: Framework, version: &str) -> String {
        let host = if self.env.partition == "aws-cn" {
            format!("ecr.{}.amazonaws.com.cn", self.env.region)
        } else {
            format!("ecr.{}.amazonaws.com", self.env.region)
        };
        let (account, repo) = images::registry(f, version, &self.env.region).unwrap_or(("000000000000", "unknown"));
        let tag = match f {
            Framework::Xgboost => format!(":{version}"),
            Framework::Sklearn => format!(":{version}-cpu-py3"),
            Framework::ModelMonitor => String::new(),
        };
        format!("{account}.dkr.{host}/{repo}{tag}")
    }

    fn group_arn(&self, model: &Model) -> String {
        self.env.group_arn(model.group.account.as_deref().unwrap_or(""), &model.group.name)
    }
}

fn s3_input(name: &str, uri: Value, local: &str) -> Value {
    json!({
        "InputName": name,
        "S3Input": {
            "S3Uri": uri,
            "LocalPath": local,
            "S3DataType": "S3Prefix",
            "S3InputMode": "File",
            "S3DataDistributionType": "FullyReplicated",
            "S3CompressionType": "None"
        }
    })
}

fn s3_output(name: &str, uri: String, local: &str) -> Value {
    json!({
        "OutputName": name,
        "S3Output": { "S3Uri": uri, "LocalPath": local, "S3UploadMode": "EndOfJob" }
    })
}

fn get(path: &str) -> Value {
    json!({ "Get": path })
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

fn quality_check(cx: &Context<'_>, model: &Model, name: &str, input: Value, output: String, baseline: bool) -> Value {
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
    step["Arguments"] = json!({
        "ProcessingResources": cluster(cx, instance, json!(1)),
        "AppSpecification": { "ImageUri": cx.image(Framework::ModelMonitor, images::MODEL_MONITOR_VERSION) },
        "RoleArn": cx.role(),
        "ProcessingInputs": [s3_input("baseline_dataset_input", input, "/opt/ml/processing/input/baseline_dataset_input")],
        "ProcessingOutputConfig": {
            "KmsKeyId": cx.kms_key,
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
    step
}

/// The train pipeline of one model.
pub fn train(cx: &Context<'_>, model: &Model) -> Value {
    let t = &model.train;
    let h = &t.hyperparameters;
    let sklearn = cx.image(Framework::Sklearn, &t.sklearn_version);
    let xgboost = cx.image(Framework::Xgboost, &t.xgboost_version);
    let preprocess = json!({
        "Name": "PreprocessData",
        "Type": "Processing",
        "Arguments": {
            "ProcessingResources": cluster(cx, get("Parameters.ProcessingInstanceType"), get("Parameters.ProcessingInstanceCount")),
            "AppSpecification": {
                "ImageUri": sklearn,
                "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/preprocess.py"]
            },
            "RoleArn": cx.role(),
            "ProcessingInputs": [
                s3_input("input-data", get("Parameters.InputDataUri"), "/opt/ml/processing/input/data"),
                s3_input("code", json!(cx.data(model, "code/preprocess.py")), "/opt/ml/processing/input/code")
            ],
            "ProcessingOutputConfig": {
                "KmsKeyId": cx.kms_key,
                "Outputs": [
                    s3_output("train", cx.data(model, "preprocess/train"), "/opt/ml/processing/train"),
                    s3_output("validation", cx.data(model, "preprocess/validation"), "/opt/ml/processing/validation"),
                    s3_output("test", cx.data(model, "preprocess/test"), "/opt/ml/processing/test"),
                    s3_output("baseline", cx.data(model, "preprocess/baseline"), "/opt/ml/processing/baseline")
                ]
            },
            "StoppingCondition": { "MaxRuntimeInSeconds": 3600 }
        }
    });
    let channel = |name: &str| {
        json!({
            "ChannelName": name,
            "ContentType": "text/csv",
            "DataSource": {
                "S3DataSource": {
                    "S3DataType": "S3Prefix",
                    "S3Uri": get(&format!("Steps.PreprocessData.ProcessingOutputConfig.Outputs['{name}'].S3Output.S3Uri")),
                    "S3DataDistributionType": "FullyReplicated"
                }
            }
        })
    };
    let training = json!({
        "Name": "TrainModel",
        "Type": "Training",
        "Arguments": {
            "AlgorithmSpecification": { "TrainingImage": xgboost, "TrainingInputMode": "File" },
            "OutputDataConfig": { "S3OutputPath": cx.artifacts(model, "models"), "KmsKeyId": cx.kms_key },
            "StoppingCondition": { "MaxRuntimeInSeconds": t.max_runtime_in_seconds },
            "ResourceConfig": {
                "InstanceCount": t.training_instance_count,
                "InstanceType": get("Parameters.TrainingInstanceType"),
                "VolumeSizeInGB": t.training_volume_size_in_gb,
                "VolumeKmsKeyId": cx.kms_key
            },
            "RoleArn": cx.role(),
            "EnableInterContainerTrafficEncryption": true,
            "InputDataConfig": [channel("train"), channel("validation")],
            "HyperParameters": {
                "objective": h.objective,
                "eval_metric": "auc",
                "num_round": h.num_round.to_string(),
                "max_depth": h.max_depth.to_string(),
                "eta": super::hcl::format_float(h.eta),
                "gamma": super::hcl::format_float(h.gamma),
                "min_child_weight": super::hcl::format_float(h.min_child_weight),
                "subsample": super::hcl::format_float(h.subsample)
            }
        }
    });
    let evaluate = json!({
        "Name": "EvaluateModel",
        "Type": "Processing",
        "Arguments": {
            "ProcessingResources": cluster(cx, get("Parameters.ProcessingInstanceType"), json!(1)),
            "AppSpecification": {
                "ImageUri": xgboost,
                "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/evaluate.py"]
            },
            "RoleArn": cx.role(),
            "ProcessingInputs": [
                s3_input("model", get("Steps.TrainModel.ModelArtifacts.S3ModelArtifacts"), "/opt/ml/processing/model"),
                s3_input("test", get("Steps.PreprocessData.ProcessingOutputConfig.Outputs['test'].S3Output.S3Uri"), "/opt/ml/processing/test"),
                s3_input("code", json!(cx.data(model, "code/evaluate.py")), "/opt/ml/processing/input/code")
            ],
            "ProcessingOutputConfig": {
                "KmsKeyId": cx.kms_key,
                "Outputs": [s3_output("evaluation", cx.data(model, "evaluation"), "/opt/ml/processing/evaluation")]
            },
            "StoppingCondition": { "MaxRuntimeInSeconds": 3600 }
        },
        "PropertyFiles": [
            { "PropertyFileName": "EvaluationReport", "OutputName": "evaluation", "FilePath": "evaluation.json" }
        ]
    });
    let baseline = quality_check(
        cx,
        model,
        "DataQualityBaseline",
        get("Steps.PreprocessData.ProcessingOutputConfig.Outputs['baseline'].S3Output.S3Uri"),
        cx.artifacts(model, "data-quality-baseline"),
        true,
    );
    let metric = |path: &str| json!({ "ContentType": "application/json", "S3Uri": get(path) });
    let register = json!({
        "Name": "RegisterModel",
        "Type": "RegisterModel",
        "Arguments": {
            "ModelPackageGroupName": cx.group_arn(model),
            "ModelPackageDescription": format!("{} trained by {} in {}", model.name, t.pipeline_name, cx.env.name),
            "ModelApprovalStatus": get("Parameters.ModelApprovalStatus"),
            "InferenceSpecification": {
                "Containers": [{ "Image": xgboost, "ModelDataUrl": get("Steps.TrainModel.ModelArtifacts.S3ModelArtifacts") }],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
                "SupportedRealtimeInferenceInstanceTypes": [model.inference.transform_instance_type],
                "SupportedTransformInstanceTypes": [model.inference.transform_instance_type]
            },
            "ModelMetrics": {
                "ModelQuality": {
                    "Statistics": {
                        "ContentType": "application/json",
                        "S3Uri": {
                            "Std:Join": {
                                "On": "/",
                                "Values": [
                                    get("Steps.EvaluateModel.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri"),
                                    "evaluation.json"
                                ]
                            }
                        }
                    }
                },
                "ModelDataQuality": {
                    "Statistics": metric("Steps.DataQualityBaseline.CalculatedBaselineStatistics"),
                    "Constraints": metric("Steps.DataQualityBaseline.CalculatedBaselineConstraints")
                }
            },
            "DriftCheckBaselines": {
                "ModelDataQuality": {
                    "Statistics": metric("Steps.DataQualityBaseline.BaselineUsedForDriftCheckStatistics"),
                    "Constraints": metric("Steps.DataQualityBaseline.BaselineUsedForDriftCheckConstraints")
                }
            },
            "SkipModelValidation": "None"
        }
    });
    let fail = json!({
        "Name": "AucBelowThreshold",
        "Type": "Fail",
        "Arguments": {
            "ErrorMessage": {
                "Std:Join": { "On": " ", "Values": ["Model AUC is below the threshold of", get("Parameters.AucThreshold")] }
            }
        }
    });
    let condition = json!({
        "Name": "CheckAucThreshold",
        "Type": "Condition",
        "Arguments": {
            "Conditions": [{
                "Type": "GreaterThanOrEqualTo",
                "LeftValue": {
                    "Std:JsonGet": {
                        "PropertyFile": get("Steps.EvaluateModel.PropertyFiles.EvaluationReport"),
                        "Path": "binary_classification_metrics.auc.value"
                    }
                },
                "RightValue": get("Parameters.AucThreshold")
            }],
            "IfSteps": [baseline, register],
            "ElseSteps": [fail]
        }
    });
    json!({
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": [
            { "Name": "InputDataUri", "Type": "String", "DefaultValue": format!("s3://{}/{}", cx.workload.default_bucket.name, t.input_data_prefix) },
            { "Name": "ProcessingInstanceType", "Type": "String", "DefaultValue": t.processing_instance_type },
            { "Name": "ProcessingInstanceCount", "Type": "Integer", "DefaultValue": t.processing_instance_count },
            { "Name": "TrainingInstanceType", "Type": "String", "DefaultValue": t.training_instance_type },
            { "Name": "AucThreshold", "Type": "Float", "DefaultValue": t.auc_threshold },
            { "Name": "ModelApprovalStatus", "Type": "String", "DefaultValue": "PendingManualApproval" }
        ],
        "Steps": [preprocess, training, evaluate, condition]
    })
}

/// The inference pipeline of one model.
pub fn inference(cx: &Context<'_>, model: &Model) -> Value {
    let i = &model.inference;
    let function_arn = cx.env.regional_arn("lambda", &format!("function:{}", cx.env.latest_model_function_name()));
    let lambda = json!({
        "Name": "GetLatestApprovedModel",
        "Type": "Lambda",
        "FunctionArn": function_arn,
        "Arguments": { "model_package_group_arn": cx.group_arn(model) },
        "OutputParameters": [
            { "OutputName": "ModelPackageArn", "OutputType": "String" },
            { "OutputName": "BaselineStatisticsUri", "OutputType": "String" },
            { "OutputName": "BaselineConstraintsUri", "OutputType": "String" }
        ]
    });
    let create_model = json!({
        "Name": "CreateModel",
        "Type": "Model",
        "Arguments": {
            "ExecutionRoleArn": cx.role(),
            "PrimaryContainer": { "ModelPackageName": get("Steps.GetLatestApprovedModel.OutputParameters['ModelPackageArn']") }
        }
    });
    let check = quality_check(
        cx,
        model,
        DATA_QUALITY_CHECK_STEP,
        get("Parameters.BatchInputUri"),
        cx.data(model, "data-quality-check"),
        false,
    );
    let transform = json!({
        "Name": "BatchTransform",
        "Type": "Transform",
        "DependsOn": [DATA_QUALITY_CHECK_STEP],
        "Arguments": {
            "ModelName": get("Steps.CreateModel.ModelName"),
            "TransformInput": {
                "DataSource": { "S3DataSource": { "S3DataType": "S3Prefix", "S3Uri": get("Parameters.BatchInputUri") } },
                "ContentType": "text/csv",
                "SplitType": "Line"
            },
            "TransformOutput": {
                "S3OutputPath": get("Parameters.BatchOutputUri"),
                "Accept": "text/csv",
                "AssembleWith": "Line",
                "KmsKeyId": cx.kms_key
            },
            "TransformResources": {
                "InstanceCount": i.transform_instance_count,
                "InstanceType": get("Parameters.TransformInstanceType"),
                "VolumeKmsKeyId": cx.kms_key
            },
            "BatchStrategy": "MultiRecord"
        }
    });
    json!({
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": [
            { "Name": "BatchInputUri", "Type": "String", "DefaultValue": cx.data(model, &format!("data/batch-dataset/{}.csv", model.batch_dataset_filename)) },
            { "Name": "BatchOutputUri", "Type": "String", "DefaultValue": cx.data(model, "batch-predictions") },
            { "Name": "TransformInstanceType", "Type": "String", "DefaultValue": i.transform_instance_type },
            { "Name": "MonitoringInstanceType", "Type": "String", "DefaultValue": i.monitoring_instance_type }
        ],
        "Steps": [lambda, create_model, check, transform]
    })
}

/// Pretty JSON with a trailing newline (stable: keys keep insertion order).
pub fn to_text(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}
