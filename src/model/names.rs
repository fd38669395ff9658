//! Every AWS name and ARN the generator writes, computed from the validated configuration. The
//! only place that formats an ARN (`format!("arn:` anywhere else is a bug).

use super::env::*;

/// `arn:<partition>:<service>:<region>:<account>:<resource>`.
fn arn(partition: &str, service: &str, region: &str, account: &str, resource: &str) -> String {
    format!("arn:{partition}:{service}:{region}:{account}:{resource}")
}

impl EnvConfig {
    /// `arn:<p>:iam::<account>:root`: the account as a principal.
    pub fn root_arn(&self) -> String {
        arn(self.partition, "iam", "", &self.account_id, "root")
    }

    /// The ARN of a role in this account.
    pub fn role_arn(&self, role: &Role) -> String {
        arn(self.partition, "iam", "", &self.account_id, &format!("role{}{}", role.path, role.name))
    }

    /// The ARN of a bucket (buckets are global; no region or account).
    pub fn bucket_arn(&self, bucket: &str) -> String {
        arn(self.partition, "s3", "", "", bucket)
    }

    /// A resource ARN in this account and region.
    pub fn regional_arn(&self, service: &str, resource: &str) -> String {
        arn(self.partition, service, &self.region, &self.account_id, resource)
    }

    /// A resource ARN in another account of this region (keys of other environments).
    pub fn regional_arn_in(&self, service: &str, account: &str, resource: &str) -> String {
        arn(self.partition, service, &self.region, account, resource)
    }

    /// The ARN of an EventBridge rule on `bus` (`default` or a custom bus).
    pub fn rule_arn(&self, bus: &str, rule: &str) -> String {
        let resource = if bus == "default" { format!("rule/{rule}") } else { format!("rule/{bus}/{rule}") };
        self.regional_arn("events", &resource)
    }

    /// The ARN of a pipeline in this account.
    pub fn pipeline_arn(&self, name: &str) -> String {
        self.regional_arn("sagemaker", &format!("pipeline/{name}"))
    }

    /// The dead-letter queue of the environment's EventBridge targets.
    pub fn events_dlq_name(&self) -> String {
        format!("{}-{}-events-dlq", self.prefix, self.name)
    }

    /// The role EventBridge uses to start pipelines.
    pub fn events_role_name(&self) -> String {
        format!("{}-{}-start-pipelines", self.prefix, self.name)
    }

    /// The role EventBridge Scheduler starts the inference pipelines with.
    pub fn scheduler_role_name(&self) -> String {
        format!("{}-{}-scheduled-runs", self.prefix, self.name)
    }

    /// The read-only role Jenkins plans pull requests with (bootstrap/).
    pub fn plan_role_name(&self) -> String {
        format!("{}-{}-terraform-plan", self.prefix, self.name)
    }

    /// The ARN of the read-only role pull requests plan with (bootstrap/).
    pub fn plan_role_arn(&self) -> String {
        self.role_arn(&Role::created(self.plan_role_name()))
    }

    /// The managed policy bootstrap/ creates as the permissions boundary of the roles the main
    /// root creates.
    pub fn boundary_policy_name(&self) -> String {
        format!("{}-{}-role-boundary", self.prefix, self.name)
    }

    /// The permissions boundary of the roles the main root creates, when bootstrap/ creates one
    /// (the environment has a deploy role).
    pub fn boundary_arn(&self) -> Option<String> {
        self.deploy.as_ref().map(|_| self.policy_arn(&self.boundary_policy_name()))
    }

    /// The ARN of a customer managed policy of this account.
    pub fn policy_arn(&self, name: &str) -> String {
        arn(self.partition, "iam", "", &self.account_id, &format!("policy/{name}"))
    }

    /// The ARN of a schedule of EventBridge Scheduler's default group.
    pub fn schedule_arn(&self, name: &str) -> String {
        self.regional_arn("scheduler", &format!("schedule/default/{name}"))
    }

    /// The Lambda that starts a model's quality pipeline when its ground truth arrives.
    pub fn quality_trigger_function_name(&self) -> String {
        format!("{}-{}-start-quality-check", self.prefix, self.name)
    }

    /// Whether any model of the environment has the model-quality pipeline.
    pub fn has_quality(&self) -> bool {
        self.workload.as_ref().is_some_and(|w| w.models.iter().any(|m| m.monitoring.quality.is_some()))
    }

    /// The log groups SageMaker writes the platform's jobs to (processing, training, transform;
    /// names fixed by SageMaker, one per account and region), when the main root manages them.
    pub fn job_log_groups(&self) -> Vec<&'static str> {
        match &self.workload {
            Some(w) if w.job_logs.mode != crate::model::env::JobLogsMode::Unmanaged => {
                vec!["/aws/sagemaker/ProcessingJobs", "/aws/sagemaker/TrainingJobs", "/aws/sagemaker/TransformJobs"]
            }
            _ => Vec::new(),
        }
    }

    /// The name of the Lambda that finds the latest approved model version.
    pub fn latest_model_function_name(&self) -> String {
        format!("{}-{}-latest-approved-model", self.prefix, self.name)
    }

    /// The ARN of a model package group in `account` (the registry's), in this region.
    pub fn group_arn(&self, account: &str, group: &str) -> String {
        arn(self.partition, "sagemaker", &self.region, account, &format!("model-package-group/{group}"))
    }

    /// The ARN pattern of every version in a model package group.
    pub fn group_versions_arn(&self, account: &str, group: &str) -> String {
        arn(self.partition, "sagemaker", &self.region, account, &format!("model-package/{group}/*"))
    }

    /// The ARN of one version of a model package group (how SageMaker addresses a versioned
    /// package: `DescribeModelPackage`, `UpdateModelPackage`).
    pub fn group_version_arn(&self, account: &str, group: &str, version: i32) -> String {
        arn(self.partition, "sagemaker", &self.region, account, &format!("model-package/{group}/{version}"))
    }

    /// The ARN of a KMS alias in this account.
    pub fn kms_alias_arn(&self, alias: &str) -> String {
        self.regional_arn("kms", alias)
    }

    /// The ARN of a role of another account (`account`), e.g. a workload role in the registry.
    pub fn foreign_role_arn(&self, account: &str, role: &Role) -> String {
        arn(self.partition, "iam", "", account, &format!("role{}{}", role.path, role.name))
    }

    /// The ARN of a named role in another account (the Jenkins server's role).
    pub fn foreign_role_arn_by_name(&self, account: &str, name: &str) -> String {
        arn(self.partition, "iam", "", account, &format!("role/{name}"))
    }

    /// The root principal of another account.
    pub fn foreign_root_arn(&self, account: &str) -> String {
        arn(self.partition, "iam", "", account, "root")
    }

    /// The ARN of an ECR repository in another account (AWS's image registries).
    pub fn ecr_repository_arn(&self, account: &str, repository: &str) -> String {
        arn(self.partition, "ecr", &self.region, account, &format!("repository/{repository}"))
    }

    /// The access-log bucket of the account, created by the bootstrap root.
    pub fn access_log_bucket(&self) -> String {
        format!("{}-access-logs-{}-{}", self.prefix, self.account_id, self.region)
    }

    /// What the names of a bootstrap role's managed policies start with (`<stem>-1`, `<stem>-2`,
    /// ...): `role` is the role's label, `deploy` or `plan`.
    pub fn managed_policy_stem(&self, role: &str) -> String {
        format!("{}-{}-{role}", self.prefix, self.name)
    }

    /// The alias of the key that encrypts Terraform state (bootstrap).
    pub fn state_key_alias(&self) -> String {
        format!("alias/{}-{}-tfstate", self.prefix, self.name)
    }

    /// The object key of this environment's state in the state bucket.
    pub fn state_key(&self) -> String {
        format!("mlopsgen/{}/terraform.tfstate", self.name)
    }

    /// S3's name in `kms:ViaService` conditions: `s3.<region>.amazonaws.com`.
    pub fn s3_service(&self) -> String {
        let suffix = if self.partition == "aws-cn" { "amazonaws.com.cn" } else { "amazonaws.com" };
        format!("s3.{}.{suffix}", self.region)
    }

    /// The CloudWatch Logs service principal of the region (regional: aws-facts.md §3.2).
    pub fn logs_principal(&self) -> String {
        let suffix = if self.partition == "aws-cn" { "amazonaws.com.cn" } else { "amazonaws.com" };
        format!("logs.{}.{suffix}", self.region)
    }
}

/// The schedule that runs a model's inference pipeline.
pub fn schedule_rule(model: &Model) -> String {
    format!("{}-schedule", model.name)
}

/// The EventBridge rule that notifies (and, with `retrain_on_drift`, retrains) when the drift
/// check finds drift.
pub fn drift_rule(model: &Model) -> String {
    format!("{}-drift-detected", model.name)
}

/// The EventBridge rule that notifies when a batch breaks the data contract.
pub fn rejected_rule(model: &Model) -> String {
    format!("{}-batch-rejected", model.name)
}

/// The EventBridge rule that notifies when a scored batch falls below the quality minimums.
pub fn quality_rule(model: &Model) -> String {
    format!("{}-quality-failed", model.name)
}

/// The EventBridge rule that notifies when a model's `kind` (train|inference) pipeline fails.
pub fn failure_rule(model: &Model, kind: &str) -> String {
    format!("{}-{kind}-failed", model.name)
}

/// The rule that starts the quality check when a model's ground truth arrives.
pub fn labels_rule(model: &Model) -> String {
    format!("{}-labels-arrived", model.name)
}

/// The model-quality pipeline: the train pipeline's name with `quality` for `train`.
pub fn quality_pipeline(model: &Model) -> String {
    let train = &model.train.pipeline_name;
    match train.strip_suffix("-train-pipeline") {
        Some(stem) => format!("{stem}-quality-pipeline"),
        None => format!("{}-quality", train.strip_suffix("-train").unwrap_or(train)),
    }
}

/// The registry's rule that notifies approvers of a version waiting for approval.
pub const APPROVAL_RULE: &str = "model-version-pending-approval";
/// The registry's rule that notifies when a version is approved or rejected.
pub const DECISION_RULE: &str = "model-version-approval-decided";

/// The longest suffix a rule name adds to a model name (`-inference-failed`).
pub const LONGEST_RULE_SUFFIX: usize = "-inference-failed".len();

/// A stable HCL label (snake_case) for a user-chosen name: `mammo-severity` → `mammo_severity`.
pub fn label(name: &str) -> String {
    let mut out: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) || out.is_empty() {
        out.insert(0, '_');
    }
    out
}
