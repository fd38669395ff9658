//! What the training choice changes in the rendered output, in one place: the training job's
//! image and hyperparameters, the serving container a version registers, the image its
//! evaluation runs in, the script-mode source package (content-addressed), and the template of
//! `training.py`, the module the evaluation step loads and scores the model with.
//!
//! Script mode follows the SageMaker scikit-learn framework's contracts: the training job runs
//! `sagemaker_program` from the `sagemaker_submit_directory` archive with every hyperparameter
//! JSON-encoded (as the SageMaker Python SDK passes them) and `requirements.txt` installed; the
//! platform's `mlopsgen_train.py` runs the team's script and copies the shipped directory into
//! the model (`code/`), so a registered version carries its own code in the registry's bucket;
//! it is served with `SAGEMAKER_SUBMIT_DIRECTORY=/opt/ml/model/code` by `mlopsgen_serve.py`,
//! which answers in the problem type's format.

use super::steps::{Context, get, output_uri, per_execution, s3_input};
use crate::model::images::Framework;
use crate::model::{Model, Script, Training};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The program the training job runs in script mode.
pub const TRAIN_PROGRAM: &str = "mlopsgen_train.py";
/// The serving module of script mode.
pub const SERVE_PROGRAM: &str = "mlopsgen_serve.py";
/// The problem type's module inside the shipped directory.
pub const PROBLEM_MODULE: &str = "mlopsgen_problem.py";

/// The training job's image.
pub fn image(cx: &Context<'_>, model: &Model) -> String {
    match &model.training {
        Training::Xgboost => cx.image(Framework::Xgboost, &model.train.xgboost_version),
        Training::Script(s) => cx.image(Framework::Sklearn, &s.framework_version),
        Training::Image { uri, .. } => uri.clone(),
    }
}

/// The image the evaluation step runs in: the training image, which can load the model; for a
/// custom image the scikit-learn image (the image scores the test split in a batch transform,
/// the metrics are computed from its answers).
pub fn evaluation_image(cx: &Context<'_>, model: &Model) -> String {
    match &model.training {
        Training::Image { .. } => cx.image(Framework::Sklearn, &model.train.sklearn_version),
        _ => image(cx, model),
    }
}

/// The evaluation step's inputs: the model and the test split, or (custom image) the test
/// split as the image scored it.
pub fn evaluation_inputs(model: &Model) -> Vec<Value> {
    match &model.training {
        Training::Image { .. } => vec![s3_input(
            "scored",
            get("Steps.ScoreTestSplit.TransformOutput.S3OutputPath"),
            "/opt/ml/processing/scored",
        )],
        _ => vec![
            s3_input("model", get("Steps.TrainModel.ModelArtifacts.S3ModelArtifacts"), "/opt/ml/processing/model"),
            s3_input("test", output_uri("PreprocessData", "test"), "/opt/ml/processing/test"),
        ],
    }
}

/// The steps between training and evaluation: none, or (custom image) a model of the trained
/// artifacts and a batch transform of the test split by the image's own serving.
pub fn scoring_steps(cx: &Context<'_>, model: &Model) -> Vec<Value> {
    let Training::Image { uri, .. } = &model.training else { return Vec::new() };
    let scored = per_execution(cx.kept(model, "evidence"), "test-predictions");
    vec![
        json!({
            "Name": "CreateCandidateModel",
            "Type": "Model",
            "Arguments": {
                "ExecutionRoleArn": cx.role(),
                "PrimaryContainer": { "Image": uri, "ModelDataUrl": get("Steps.TrainModel.ModelArtifacts.S3ModelArtifacts") },
                "EnableNetworkIsolation": cx.workload.network.isolation
            }
        }),
        json!({
            "Name": "ScoreTestSplit",
            "Type": "Transform",
            "Arguments": {
                "ModelName": get("Steps.CreateCandidateModel.ModelName"),
                "TransformInput": {
                    "DataSource": { "S3DataSource": { "S3DataType": "S3Prefix", "S3Uri": output_uri("PreprocessData", "test") } },
                    "ContentType": "text/csv",
                    "SplitType": "Line"
                },
                "TransformOutput": {
                    "S3OutputPath": scored,
                    "Accept": "text/csv",
                    "AssembleWith": "Line",
                    "KmsKeyId": cx.registry_key
                },
                "TransformResources": {
                    "InstanceCount": 1,
                    "InstanceType": model.inference.transform_instance_type,
                    "VolumeKmsKeyId": cx.kms_key
                },
                "DataProcessing": { "InputFilter": "$[1:]", "JoinSource": "Input", "OutputFilter": super::problem::output_filter(model) },
                "BatchStrategy": "MultiRecord"
            }
        }),
    ]
}

/// The training job's hyperparameters (strings, as SageMaker passes them).
pub fn hyperparameters(cx: &Context<'_>, model: &Model) -> Value {
    match &model.training {
        Training::Xgboost => super::problem::hyperparameters(model, &model.train.hyperparameters),
        Training::Script(s) => {
            let mut out = serde_json::Map::new();
            for (k, v) in &s.hyperparameters {
                out.insert(k.clone(), Value::String(v.to_string()));
            }
            out.insert("sagemaker_program".into(), Value::String(json!(TRAIN_PROGRAM).to_string()));
            out.insert("sagemaker_submit_directory".into(), Value::String(json!(source_uri(cx, model, s)).to_string()));
            out.insert("sagemaker_container_log_level".into(), Value::String("20".into()));
            out.insert("sagemaker_region".into(), Value::String(json!(cx.env.region).to_string()));
            Value::Object(out)
        }
        Training::Image { hyperparameters, .. } => Value::Object(
            hyperparameters
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.as_str().map_or_else(|| v.to_string(), str::to_string))))
                .collect(),
        ),
    }
}

/// The container a version registers (and inference creates its model from).
pub fn container(cx: &Context<'_>, model: &Model, model_data: Value) -> Value {
    let mut c = json!({ "Image": image(cx, model), "ModelDataUrl": model_data });
    if let Training::Script(_) = &model.training {
        c["Environment"] = json!({
            "SAGEMAKER_PROGRAM": SERVE_PROGRAM,
            "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
            "SAGEMAKER_CONTAINER_LOG_LEVEL": "20",
            "SAGEMAKER_REGION": cx.env.region
        });
    }
    c
}

/// The training choice in words (the scripts' docstrings).
pub fn name(model: &Model) -> &'static str {
    match &model.training {
        Training::Xgboost => "the built-in XGBoost image",
        Training::Script(_) => "the scikit-learn framework image of the training script",
        Training::Image { .. } => "the custom image",
    }
}

/// The template of `training.py` (the evaluation step's loader).
pub fn template(model: &Model) -> &'static str {
    match &model.training {
        Training::Xgboost => "training/xgboost.py",
        Training::Script(_) => "training/script.py",
        Training::Image { .. } => "training/image.py",
    }
}

/// The files of the shipped directory: the team's, then the platform's three modules.
pub fn source_files(model: &Model, s: &Script, context: &Value) -> Vec<(String, Vec<u8>)> {
    let mut files = s.files.clone();
    let mut cx = context.clone();
    cx["program"] = json!(s.program());
    cx["program_module"] = json!(s.program().trim_end_matches(".py"));
    files.push((TRAIN_PROGRAM.into(), super::python::render("training/mlopsgen_train.py", &cx).into_bytes()));
    files.push((SERVE_PROGRAM.into(), super::python::render("training/mlopsgen_serve.py", &cx).into_bytes()));
    files.push((PROBLEM_MODULE.into(), super::python::render(&super::problem::template(model), &cx).into_bytes()));
    files
}

/// The archive's content hash (the first 16 hex digits of its SHA-256).
pub fn archive_hash(archive: &[u8]) -> String {
    Sha256::digest(archive).iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The key of the source archive in the data bucket: content-addressed.
pub fn source_key(model: &Model, s: &Script) -> String {
    format!("{}/code/sourcedir-{}.tar.gz", model.name, archive_hash(&archive_of(model, s)))
}

/// The archive bytes, rendered with the model's template context.
pub fn archive_of(model: &Model, s: &Script) -> Vec<u8> {
    let context = script_context(model);
    super::targz::archive(&source_files(model, s, &context))
}

fn source_uri(cx: &Context<'_>, model: &Model, s: &Script) -> String {
    format!("s3://{}/{}", cx.workload.default_bucket.name, source_key(model, s))
}

/// The context of the modules shipped in script mode: the same for every environment.
pub fn script_context(m: &Model) -> Value {
    let mut context = json!({
        "model": m.name,
        "generated_by": "Generated by mlopsgen. Do not edit; change the model and run: mlopsgen generate",
    });
    if let (Some(into), Value::Object(problem)) = (context.as_object_mut(), super::problem::context(m)) {
        into.extend(problem);
    }
    context
}
