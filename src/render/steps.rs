//! The parts every pipeline definition is built from: the environment's names (`Context`), the
//! image URIs, and the step helpers (`Get`, `Std:JsonGet`, `Std:Join` per execution, S3 inputs
//! and outputs, Fail and Condition steps). Floor 0 of render: it imports no capability, so the
//! capabilities that shape a definition (`problem`, `training`) and the one that assembles it
//! (`pipeline`) all build on it.

use crate::model::images::{self, Framework};
use crate::model::*;
use serde_json::{Value, json};

/// The names a pipeline definition needs from the environment.
pub struct Context<'a> {
    pub env: &'a EnvConfig,
    pub workload: &'a Workload,
    /// The environment's key as written in definitions: the given ARN, or the alias ARN of the
    /// created key.
    pub kms_key: String,
    /// The registry's key, which encrypts what the registry keeps (alias ARN of a created key:
    /// KMS resolves an alias ARN in the account it names).
    pub registry_key: String,
    /// The registry's account.
    pub registry_account: String,
}

impl<'a> Context<'a> {
    /// The context of a workload environment; `all` holds the registry.
    pub fn new(env: &'a EnvConfig, workload: &'a Workload, all: &[EnvConfig]) -> Context<'a> {
        let kms_key = key_reference(env);
        let registry = all.iter().find(|e| e.kind == EnvKind::Registry);
        let registry_key = registry.map(key_reference).unwrap_or_else(|| kms_key.clone());
        let registry_account = registry.map(|r| r.account_id.clone()).unwrap_or_default();
        Context { env, workload, kms_key, registry_key, registry_account }
    }

    pub fn data(&self, model: &Model, path: &str) -> String {
        format!("s3://{}/{}/{path}", self.workload.default_bucket.name, model.name)
    }

    /// `s3://<artifacts>/<env>/<model>/<path>`: what the registry keeps about a version.
    pub fn kept(&self, model: &Model, path: &str) -> String {
        format!("s3://{}/{}/{}/{path}", self.workload.artifacts_bucket, self.env.name, model.name)
    }

    pub fn role(&self) -> String {
        self.env.role_arn(&self.workload.execution_role)
    }

    pub fn image(&self, f: Framework, version: &str) -> String {
        image_uri(self.env, f, version)
    }

    pub fn group_arn(&self, model: &Model) -> String {
        let account = model.group.account.as_deref().unwrap_or(&self.registry_account);
        self.env.group_arn(account, &model.group.name)
    }
}

/// How definitions name an environment's key.
pub fn key_reference(env: &EnvConfig) -> String {
    match &env.kms_key {
        KmsKey::Existing { arn } => arn.clone(),
        KmsKey::Create { alias, .. } => env.kms_alias_arn(alias),
    }
}

/// The image URI of a framework version in the environment's region.
pub fn image_uri(env: &EnvConfig, f: Framework, version: &str) -> String {
    let host = if env.partition == "aws-cn" {
        format!("ecr.{}.amazonaws.com.cn", env.region)
    } else {
        format!("ecr.{}.amazonaws.com", env.region)
    };
    let (account, repo) = images::registry(f, version, &env.region).unwrap_or(("000000000000", "unknown"));
    let tag = match f {
        Framework::Xgboost => format!(":{version}"),
        Framework::Sklearn => format!(":{version}-cpu-py3"),
        Framework::ModelMonitor => String::new(),
    };
    format!("{account}.dkr.{host}/{repo}{tag}")
}

pub fn s3_input(name: &str, uri: Value, local: &str) -> Value {
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

pub fn s3_output(name: &str, uri: Value, local: &str) -> Value {
    json!({
        "OutputName": name,
        "S3Output": { "S3Uri": uri, "LocalPath": local, "S3UploadMode": "EndOfJob" }
    })
}

pub fn get(path: &str) -> Value {
    json!({ "Get": path })
}

/// `<prefix>/<execution id>/<leaf>`: one location per pipeline execution.
pub fn per_execution(prefix: String, leaf: &str) -> Value {
    let mut values = vec![json!(prefix), get("Execution.PipelineExecutionId")];
    if !leaf.is_empty() {
        values.push(json!(leaf));
    }
    json!({ "Std:Join": { "On": "/", "Values": values } })
}

/// `<S3 URI of an output>/<file>`.
pub fn output_file(step: &str, output: &str, file: &str) -> Value {
    json!({ "Std:Join": { "On": "/", "Values": [
        get(&format!("Steps.{step}.ProcessingOutputConfig.Outputs['{output}'].S3Output.S3Uri")),
        file
    ] } })
}

pub fn output_uri(step: &str, output: &str) -> Value {
    get(&format!("Steps.{step}.ProcessingOutputConfig.Outputs['{output}'].S3Output.S3Uri"))
}

pub fn json_get(step: &str, file: &str, path: &str) -> Value {
    json!({ "Std:JsonGet": { "PropertyFile": get(&format!("Steps.{step}.PropertyFiles.{file}")), "Path": path } })
}

pub fn fail(name: &str, message: Value) -> Value {
    json!({ "Name": name, "Type": "Fail", "Arguments": { "ErrorMessage": message } })
}

pub fn condition(name: &str, conditions: Value, if_steps: Vec<Value>, else_steps: Vec<Value>) -> Value {
    json!({
        "Name": name,
        "Type": "Condition",
        "Arguments": { "Conditions": conditions, "IfSteps": if_steps, "ElseSteps": else_steps }
    })
}
