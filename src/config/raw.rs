//! The typed form of a config file, exactly as written (`RawEnv`). Deserialized from the cleaned
//! tree that the structural check returns, so every key here is declared in `config::shape` too;
//! a test deserializes a file that sets every key to keep the two in step.

use indexmap::IndexMap;
use serde::Deserialize;

/// One `environments/<env>.tfvars.json` file.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawEnv {
    #[serde(rename = "$schema")]
    pub schema: Option<String>,
    pub env_group: String,
    pub kind: Option<String>,
    pub account_id: Option<String>,
    pub aws_region: String,
    pub name_prefix: Option<String>,
    #[serde(default)]
    pub tags: IndexMap<String, String>,
    pub event_bus_name: Option<String>,
    pub pipelines_alert_topic_name: Option<String>,
    pub email: Option<OneOrMany>,
    pub kms_key: Option<KmsRef>,
    pub lambda_role: Option<RoleRef>,
    pub sagemaker_execution_role: Option<RoleRef>,
    pub default_bucket: Option<BucketRef>,
    pub model_artifacts_bucket: Option<BucketRef>,
    pub terraform_state_bucket: Option<BucketRef>,
    pub model_name: Option<String>,
    #[serde(flatten)]
    pub single_model: RawModel,
    pub models: Option<IndexMap<String, RawModel>>,
    pub model_package_groups: Option<IndexMap<String, RawGroup>>,
    pub approvals: Option<RawApprovals>,
    pub deploy: Option<RawDeploy>,
    pub network: Option<RawNetwork>,
    pub job_logs: Option<RawJobLogs>,
}

/// `job_logs`: the log groups SageMaker's jobs write to.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawJobLogs {
    pub log_groups: Option<String>,
    pub retention_in_days: Option<i64>,
}

/// `network`: isolation and the VPC of the SageMaker jobs.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawNetwork {
    pub isolation: Option<bool>,
    pub subnet_ids: Option<Vec<String>>,
    pub security_group_ids: Option<Vec<String>>,
}

/// A string or a list of strings (`"email"`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    /// The values in order.
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// An existing key's ARN, or a key to create.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum KmsRef {
    Arn(String),
    Create(RawKmsKey),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKmsKey {
    pub create: Option<bool>,
    pub alias: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub shared_with: Vec<String>,
    pub deletion_window_in_days: Option<i64>,
    pub rotation_period_in_days: Option<i64>,
}

/// An existing role's ARN, or a role to create.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RoleRef {
    Arn(String),
    Spec(RawRole),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRole {
    pub name: Option<String>,
    pub path: Option<String>,
    pub create: Option<bool>,
}

/// An existing bucket's name, or a bucket spec.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum BucketRef {
    Name(String),
    Spec(RawBucket),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBucket {
    pub name: String,
    pub create: Option<bool>,
}

/// The keys that describe one model: at the top level (the seed's single-model form) or as an
/// entry of `models`.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct RawModel {
    pub model_package_group_name: Option<String>,
    pub train_pipeline_name: Option<String>,
    pub inference_pipeline_name: Option<String>,
    pub batch_dataset_filename: Option<String>,
    pub train_pipeline: Option<RawTrain>,
    pub inference_pipeline: Option<RawInference>,
    pub retrain_on_drift: Option<bool>,
    pub data_contract: Option<RawContract>,
    pub monitoring: Option<RawMonitoring>,
    pub problem_type: Option<String>,
    pub training: Option<RawTraining>,
}

impl RawModel {
    /// True when no model key is set (a registry file, or a file that uses `models`).
    pub fn is_empty(&self) -> bool {
        self.model_package_group_name.is_none()
            && self.train_pipeline_name.is_none()
            && self.inference_pipeline_name.is_none()
            && self.batch_dataset_filename.is_none()
            && self.train_pipeline.is_none()
            && self.inference_pipeline.is_none()
            && self.retrain_on_drift.is_none()
            && self.data_contract.is_none()
            && self.monitoring.is_none()
            && self.problem_type.is_none()
            && self.training.is_none()
    }
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawTrain {
    pub name: Option<String>,
    pub arn: Option<String>,
    pub role_arn: Option<String>,
    pub processing_instance_type: Option<String>,
    pub processing_instance_count: Option<i64>,
    pub training_instance_type: Option<String>,
    pub training_instance_count: Option<i64>,
    pub training_volume_size_in_gb: Option<i64>,
    pub max_runtime_in_seconds: Option<i64>,
    pub auc_threshold: Option<f64>,
    pub gate: Option<RawGate>,
    pub hyperparameters: Option<RawHyperparameters>,
    pub xgboost_version: Option<String>,
    pub sklearn_version: Option<String>,
    pub input_data_prefix: Option<String>,
}

/// A limit on one metric: `min` for a metric where higher is better, `max` for an error or loss.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawGate {
    pub metric: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// XGBoost hyperparameters as written: name → number, string or boolean, in file order. The
/// names and JSON types are `config::shape`'s (built from the container's table).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(transparent)]
pub struct RawHyperparameters(pub serde_json::Map<String, serde_json::Value>);

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawInference {
    pub name: Option<String>,
    pub arn: Option<String>,
    pub role_arn: Option<String>,
    pub cron_schedule: Option<String>,
    pub schedule_enabled: Option<bool>,
    pub transform_instance_type: Option<String>,
    pub transform_instance_count: Option<i64>,
    pub monitoring_instance_type: Option<String>,
    pub schedule_timezone: Option<String>,
    pub schedule_window_in_minutes: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    pub description: Option<String>,
    pub consumers: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawApprovals {
    pub topic_name: Option<String>,
    pub email: Option<OneOrMany>,
    pub approvers: Option<Vec<String>>,
    pub require_mfa: Option<bool>,
    pub role_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeploy {
    pub jenkins_account_id: String,
    pub jenkins_role_name: Option<String>,
    pub role_name: Option<String>,
    pub external_id: Option<String>,
    pub jenkins_plan_role_name: Option<String>,
    pub approval_required: Option<bool>,
    pub jenkins_submitter: Option<String>,
    pub branch: Option<String>,
    pub log_group: Option<RawLogGroup>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLogGroup {
    pub name: Option<String>,
    pub retention_in_days: Option<i64>,
}

/// A model's data contract (`data_contract`).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawContract {
    pub header: Option<String>,
    pub missing_values: Option<Vec<String>>,
    pub columns: Option<Vec<RawColumn>>,
}

/// One column of a data contract.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawColumn {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub role: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub categories: Option<Vec<serde_json::Value>>,
    pub positive: Option<serde_json::Value>,
    pub description: Option<String>,
}

/// How a model is monitored (`monitoring`).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawMonitoring {
    pub engine: Option<String>,
    pub drift: Option<RawDrift>,
    pub model_quality: Option<RawQuality>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawDrift {
    pub false_discovery_rate: Option<f64>,
    pub min_psi: Option<f64>,
    pub joint_test: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawQuality {
    pub enabled: Option<bool>,
    pub min_auc: Option<f64>,
    pub min_accuracy: Option<f64>,
    pub min_precision: Option<f64>,
    pub min_recall: Option<f64>,
    pub min_f1: Option<f64>,
    pub min_macro_f1: Option<f64>,
    pub min_weighted_f1: Option<f64>,
    pub max_log_loss: Option<f64>,
    pub max_rmse: Option<f64>,
    pub max_mae: Option<f64>,
    pub min_r2: Option<f64>,
    pub labels_prefix: Option<String>,
    pub retrain_on_low_quality: Option<bool>,
}

/// A model file (`models/<model>.json`) as written.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct RawModelFile {
    pub description: Option<String>,
    pub problem_type: Option<String>,
    pub data_contract: Option<RawContract>,
    pub gate: Option<RawGate>,
    pub hyperparameters: Option<RawHyperparameters>,
    pub monitoring: Option<RawMonitoring>,
    pub training: Option<RawTraining>,
}

/// How a model is trained (`training`).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawTraining {
    pub algorithm: Option<String>,
    pub entry_point: Option<String>,
    pub framework_version: Option<String>,
    pub image_uri: Option<String>,
    pub hyperparameters: Option<indexmap::IndexMap<String, serde_json::Value>>,
}
