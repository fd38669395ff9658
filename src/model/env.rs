//! The validated configuration of one environment (`EnvConfig`): every default applied, the
//! single-model (seed) form and the `models` form merged, every reference parsed. Built only by
//! `validate`, after its checks pass; read by `resolve` and everything after it.

use crate::config::path::JsonPath;
use indexmap::IndexMap;
use std::path::PathBuf;

/// What an environment is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvKind {
    /// Trains and runs inference (the post's dev and prod accounts).
    Workload,
    /// Holds the central Model Registry and the model artifacts bucket.
    Registry,
}

impl EnvKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EnvKind::Workload => "workload",
            EnvKind::Registry => "registry",
        }
    }
}

/// One environment, validated.
#[derive(Debug, Clone)]
pub struct EnvConfig {
    /// `env_group`, equal to the file stem.
    pub name: String,
    /// The config file, relative to the repository root.
    pub file: PathBuf,
    pub kind: EnvKind,
    pub account_id: String,
    pub region: String,
    pub partition: &'static str,
    /// `name_prefix` (default `mlops`): starts every name `model::names` builds for a resource.
    pub prefix: String,
    pub tags: IndexMap<String, String>,
    pub event_bus_name: String,
    pub kms_key: KmsKey,
    pub state_bucket: Bucket,
    pub deploy: Option<Deploy>,
    pub workload: Option<Workload>,
    pub registry: Option<Registry>,
}

/// What only a workload environment has.
#[derive(Debug, Clone)]
pub struct Workload {
    pub alert_topic: String,
    pub alert_emails: Vec<String>,
    pub lambda_role: Role,
    pub execution_role: Role,
    pub default_bucket: Bucket,
    /// The registry's artifacts bucket, by name (created by the registry environment).
    pub artifacts_bucket: String,
    /// Where `model_artifacts_bucket` was given, for cross-environment diagnostics.
    pub artifacts_bucket_path: Option<JsonPath>,
    pub models: Vec<Model>,
    pub network: Network,
    pub job_logs: JobLogs,
}

/// The account's SageMaker job log groups (`job_logs`).
#[derive(Debug, Clone, PartialEq)]
pub struct JobLogs {
    pub mode: JobLogsMode,
    pub retention_in_days: i64,
}

/// Who owns the job log groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobLogsMode {
    /// The main root creates them (a fresh account).
    Create,
    /// They exist; the main root adopts them with `import` blocks.
    Import,
    /// SageMaker creates them on first use, unencrypted and never expiring.
    Unmanaged,
}

/// The network of the SageMaker jobs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Network {
    /// EnableNetworkIsolation and inter-container traffic encryption on every job.
    pub isolation: bool,
    /// `(subnets, security groups)` of the jobs' VpcConfig, when given.
    pub vpc: Option<(Vec<String>, Vec<String>)>,
}

/// What only the registry environment has.
#[derive(Debug, Clone)]
pub struct Registry {
    pub artifacts_bucket: Bucket,
    pub groups: Vec<Group>,
    pub approval_topic: String,
    pub approval_emails: Vec<String>,
    /// The role that alone may approve or reject versions.
    pub approver_role: Role,
    /// Who may assume it (ARNs); empty: the registry account.
    pub approvers: Vec<String>,
    pub require_mfa: bool,
}

/// A KMS key: referenced or created.
#[derive(Debug, Clone, PartialEq)]
pub enum KmsKey {
    Existing {
        arn: String,
    },
    Create {
        alias: String,
        description: String,
        /// Environment names whose accounts may use the key, with where each was named.
        shared_with: Vec<(String, JsonPath)>,
        deletion_window_in_days: i64,
        rotation_period_in_days: i64,
    },
}

/// An IAM role: referenced by ARN (policies are still generated for it) or created.
#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    pub name: String,
    pub path: String,
    pub create: bool,
}

impl Role {
    /// A role mlopsgen creates, at path `/`.
    pub fn created(name: impl Into<String>) -> Role {
        Role { name: name.into(), path: "/".into(), create: true }
    }
}

/// An S3 bucket: referenced or created.
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    pub name: String,
    pub create: bool,
}

/// One model hosted by a workload environment.
#[derive(Debug, Clone)]
pub struct Model {
    pub name: String,
    /// `$` for the single-model form, `$.models.<name>` otherwise.
    pub path: JsonPath,
    pub group: GroupRef,
    pub batch_dataset_filename: String,
    pub retrain_on_drift: bool,
    /// What the label is (`problem_type`, or inferred from the label column).
    pub problem: super::ProblemType,
    /// How it is trained and served (`training`).
    pub training: Training,
    pub train: Train,
    pub inference: Inference,
    pub contract: DataContract,
    pub monitoring: Monitoring,
}

/// How raw files mark their first row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderMode {
    /// A first row naming the columns (by name or by position) is a header.
    Auto,
    Present,
    Absent,
}

impl HeaderMode {
    pub fn as_str(self) -> &'static str {
        match self {
            HeaderMode::Auto => "auto",
            HeaderMode::Present => "present",
            HeaderMode::Absent => "absent",
        }
    }
}

/// What a column is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnRole {
    Feature,
    Label,
    Id,
    Ignore,
}

impl ColumnRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnRole::Feature => "feature",
            ColumnRole::Label => "label",
            ColumnRole::Id => "id",
            ColumnRole::Ignore => "ignore",
        }
    }
}

/// The values a column may hold.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnType {
    Numeric {
        min: Option<f64>,
        max: Option<f64>,
    },
    /// Numbers (codes) or strings, in declared order.
    Categorical {
        categories: Vec<serde_json::Value>,
    },
}

/// One column of a model's raw files.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub role: ColumnRole,
    pub kind: ColumnType,
    /// The label's positive class.
    pub positive: Option<serde_json::Value>,
    pub description: String,
}

/// The data contract of a model (see `config::shape::data_contract`).
#[derive(Debug, Clone, PartialEq)]
pub struct DataContract {
    pub header: HeaderMode,
    pub missing_values: Vec<String>,
    pub columns: Vec<Column>,
}

impl DataContract {
    /// The feature columns, in file order.
    pub fn features(&self) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(|c| c.role == ColumnRole::Feature)
    }
    /// The label column (validation guarantees exactly one).
    pub fn label(&self) -> Option<&Column> {
        self.columns.iter().find(|c| c.role == ColumnRole::Label)
    }
}

/// Which engine checks a batch for drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// A Processing step of the scikit-learn image (scipy statistics): every account can run it.
    Builtin,
    /// SageMaker Model Monitor's QualityCheck steps (closed to new AWS customers).
    ModelMonitor,
}

/// Settings of the builtin engine's drift check: two-sample tests under false-discovery control.
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    /// Benjamini-Hochberg's q over every test of every feature (and the joint test).
    pub false_discovery_rate: f64,
    /// An optional extra gate: a feature's distribution shift counts only with this PSI.
    pub min_psi: Option<f64>,
    /// Run the classifier two-sample test of the features jointly.
    pub joint_test: bool,
}

/// Model-quality monitoring against ground truth.
#[derive(Debug, Clone, PartialEq)]
pub struct Quality {
    /// The limits a scored batch must meet, in the problem type's metric order.
    pub thresholds: Vec<super::Gate>,
    pub labels_prefix: String,
    pub retrain: bool,
}

/// How a model is monitored.
#[derive(Debug, Clone, PartialEq)]
pub struct Monitoring {
    pub engine: Engine,
    pub drift: Drift,
    /// `None` when disabled.
    pub quality: Option<Quality>,
}

/// A reference to a model package group in the registry.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRef {
    pub name: String,
    /// The registry account, when the config gave an ARN.
    pub account: Option<String>,
    /// The registry environment, when the config named one (`registry:group`).
    pub env: Option<String>,
    /// Where the reference was written.
    pub path: JsonPath,
}

/// How a model is trained and served.
#[derive(Debug, Clone, PartialEq)]
pub enum Training {
    /// SageMaker's built-in XGBoost (`train_pipeline.xgboost_version`, `hyperparameters`).
    Xgboost,
    /// The team's own script on the SageMaker scikit-learn framework image (script mode).
    Script(Script),
    /// A custom image for training and serving.
    Image { uri: String, hyperparameters: Vec<(String, serde_json::Value)> },
}

/// The team's training script and the directory shipped with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    /// As written in the config: relative to the repository root, e.g. `training/train.py`.
    pub entry_point: String,
    /// The directory shipped (the entry point's), relative to the repository root.
    pub source_dir: String,
    /// Every file of `source_dir` (path inside it, bytes), sorted; read when validating.
    pub files: Vec<(String, Vec<u8>)>,
    /// The scikit-learn framework image version.
    pub framework_version: String,
    /// Passed as `--name value` (values as the config wrote them).
    pub hyperparameters: Vec<(String, serde_json::Value)>,
}

impl Script {
    /// The entry point's file name inside the shipped directory.
    pub fn program(&self) -> &str {
        self.entry_point.rsplit('/').next().unwrap_or(&self.entry_point)
    }
}

/// The train pipeline's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Train {
    pub pipeline_name: String,
    pub processing_instance_type: String,
    pub processing_instance_count: i64,
    pub training_instance_type: String,
    pub training_instance_count: i64,
    pub training_volume_size_in_gb: i64,
    pub max_runtime_in_seconds: i64,
    /// The registration gate on the held-out split (`gate`, or `auc_threshold` for binary).
    pub gate: super::Gate,
    pub hyperparameters: Hyperparameters,
    pub xgboost_version: String,
    pub sklearn_version: String,
    pub input_data_prefix: String,
}

/// XGBoost hyperparameters: the ones the training step always sets (with the blog post's
/// defaults) and every other one given, by the container's name (an alias is resolved).
#[derive(Debug, Clone, PartialEq)]
pub struct Hyperparameters {
    pub objective: String,
    pub num_round: i64,
    pub max_depth: i64,
    pub eta: f64,
    pub gamma: f64,
    pub min_child_weight: f64,
    pub subsample: f64,
    /// The eval_metric given, when it is not left to the problem type.
    pub eval_metric: Option<String>,
    /// Every other hyperparameter given, ordered by name.
    pub others: std::collections::BTreeMap<String, HyperValue>,
}

/// A hyperparameter's value as the config gives it (SageMaker passes them all as strings).
#[derive(Debug, Clone, PartialEq)]
pub enum HyperValue {
    Integer(i64),
    Number(f64),
    Text(String),
    Bool(bool),
}

/// The inference pipeline's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Inference {
    pub pipeline_name: String,
    pub cron_schedule: String,
    pub schedule_enabled: bool,
    pub transform_instance_type: String,
    pub transform_instance_count: i64,
    pub monitoring_instance_type: String,
    pub schedule_timezone: String,
    /// 0: the schedule runs at the exact time.
    pub schedule_window_in_minutes: i64,
}

/// A model package group declared by the registry.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub name: String,
    pub description: String,
    /// Workload environments granted access, with where each was named.
    pub consumers: Vec<(String, JsonPath)>,
    pub path: JsonPath,
}

/// How Jenkins deploys the environment.
#[derive(Debug, Clone, PartialEq)]
pub struct Deploy {
    pub jenkins_account_id: String,
    pub jenkins_role_name: String,
    pub role_name: String,
    pub external_id: Option<String>,
    /// The Jenkins role that plans pull requests (trusted by the plan role).
    pub jenkins_plan_role_name: String,
    pub approval_required: bool,
    pub jenkins_submitter: Option<String>,
    pub branch: String,
    pub log_group: Option<LogGroup>,
}

/// A CloudWatch log group to create.
#[derive(Debug, Clone, PartialEq)]
pub struct LogGroup {
    pub name: String,
    pub retention_in_days: i64,
}
