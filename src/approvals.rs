//! `versions`, `approve` and `reject`: the registry's model versions and their approval, without
//! the console. Lists the versions of the model package groups an environment's models register
//! into (status, who registered and who decided, the provenance the train pipeline writes, metrics
//! and evidence), and records a decision through the registry's approver role, with MFA when the
//! registry requires it.
//!
//! Like `preflight` it talks to the network (STS, SageMaker) with the same bounds and never prints
//! a credential. Every refusal happens before `UpdateModelPackage`: a refused run changes nothing.
//! Refused, whatever the flags: approving a version that the caller (or the approver role itself)
//! registered. Refused unless `--force`: deciding a version that is not PendingManualApproval, and
//! approving one whose creator SageMaker does not record (self-approval cannot be ruled out).
//! Rejecting your own version is allowed: a rejected version never serves.

use crate::diag::Code;
use crate::model::{EnvConfig, EnvKind, Registry};
use crate::preflight::{
    Failure, Identity, Limits, caller_identity, failure, resolve_credentials, runtime, sdk_config, session_credentials,
    short_error,
};
use aws_sdk_sagemaker::error::ProvideErrorMetadata;
use aws_sdk_sagemaker::operation::describe_model_package::DescribeModelPackageOutput;
use aws_sdk_sagemaker::primitives::{DateTime, DateTimeFormat};
use aws_sdk_sagemaker::types::{MetricsSource, ModelApprovalStatus, ModelPackageSortBy, SortOrder};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// SageMaker's limit on `ApprovalDescription`.
pub const MAX_REASON_CHARS: usize = 1024;

/// How many `DescribeModelPackage` calls `versions` keeps in flight.
const DESCRIBE_CONCURRENCY: usize = 8;

/// The status of a version no one has decided yet.
const PENDING: &str = "PendingManualApproval";

/// One model package group that `versions`, `approve` or `reject` reads or decides in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub group: String,
    /// The registry account that holds the group.
    pub account: String,
    pub arn: String,
    /// `(environment, model)` of every model that registers into the group.
    pub models: Vec<(String, String)>,
}

/// The groups `env`'s models register into (a workload environment), or the registry's groups;
/// `model` narrows them to one model (or group) name.
pub fn targets(all: &[EnvConfig], env: &EnvConfig, model: Option<&str>) -> Result<Vec<Target>, Failure> {
    let registry = all.iter().find(|e| e.kind == EnvKind::Registry);
    let users = |account: &str, group: &str| -> Vec<(String, String)> {
        all.iter()
            .filter_map(|e| e.workload.as_ref().map(|w| (e, w)))
            .flat_map(|(e, w)| w.models.iter().map(move |m| (e, m)))
            .filter(|(_, m)| {
                m.group.name == group
                    && m.group.account.as_deref().or(registry.map(|r| r.account_id.as_str())) == Some(account)
            })
            .map(|(e, m)| (e.name.clone(), m.name.clone()))
            .collect()
    };
    let mut out: Vec<Target> = Vec::new();
    let mut known: Vec<String> = Vec::new();
    if let Some(w) = &env.workload {
        for m in &w.models {
            known.push(m.name.clone());
            if model.is_some_and(|x| x != m.name && x != m.group.name) {
                continue;
            }
            let Some(account) = m.group.account.clone().or_else(|| registry.map(|r| r.account_id.clone())) else {
                return Err(failure(
                    Code::E0607,
                    format!("the registry account of model package group {} is unknown", m.group.name),
                    "name the group by its ARN in the model's model_package_group_name, or add the registry environment",
                ));
            };
            if out.iter().any(|t| t.group == m.group.name && t.account == account) {
                continue;
            }
            out.push(Target {
                arn: env.group_arn(&account, &m.group.name),
                models: users(&account, &m.group.name),
                group: m.group.name.clone(),
                account,
            });
        }
    }
    if let Some(r) = &env.registry {
        for g in &r.groups {
            known.push(g.name.clone());
            let models = users(&env.account_id, &g.name);
            if model.is_some_and(|x| x != g.name && !models.iter().any(|(_, m)| m == x)) {
                continue;
            }
            out.push(Target {
                group: g.name.clone(),
                account: env.account_id.clone(),
                arn: env.group_arn(&env.account_id, &g.name),
                models,
            });
        }
    }
    if out.is_empty() {
        let what = if env.kind == EnvKind::Registry { "model package group" } else { "model" };
        return Err(match model {
            Some(m) => failure(
                Code::E0607,
                format!("{} has no {what} named {}", env.name, crate::diag::quoted(m)),
                if known.is_empty() {
                    format!("{} declares none", env.name)
                } else {
                    format!("use one of: {}", known.join(", "))
                },
            ),
            None => failure(
                Code::E0607,
                format!("{} has no {what}s", env.name),
                "nothing registers versions there; name another environment",
            ),
        });
    }
    Ok(out)
}

/// One version of a group, as `DescribeModelPackage` tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub version: i32,
    pub arn: String,
    pub status: String,
    pub description: Option<String>,
    pub created: Option<String>,
    /// `CreatedBy.IamIdentity.Arn`: who registered it.
    pub created_by: Option<String>,
    pub modified: Option<String>,
    /// `LastModifiedBy.IamIdentity.Arn`: who decided it, for a decided version.
    pub modified_by: Option<String>,
    /// `ApprovalDescription`: why.
    pub reason: Option<String>,
    /// `CustomerMetadataProperties` whose key starts with `mlopsgen:` (written by the generated
    /// train pipeline), without the prefix.
    pub provenance: BTreeMap<String, String>,
    /// The other `CustomerMetadataProperties`.
    pub metadata: BTreeMap<String, String>,
    /// `ModelMetrics`: (what, S3 URI), e.g. ("model quality statistics", the evaluation report).
    pub metrics: Vec<(String, String)>,
    /// Other S3 evidence: the model artifacts and the drift-check baselines.
    pub evidence: Vec<(String, String)>,
    /// The version the inference pipelines use now (the latest approved one).
    pub serving: bool,
}

fn time(t: Option<&DateTime>) -> Option<String> {
    t.and_then(|t| t.fmt(DateTimeFormat::DateTime).ok())
}

fn sources<'a>(out: &mut Vec<(String, String)>, items: impl IntoIterator<Item = (&'a str, Option<&'a MetricsSource>)>) {
    for (what, source) in items {
        if let Some(uri) = source.and_then(|s| s.s3_uri()).filter(|u| !u.is_empty()) {
            out.push((what.to_string(), uri.to_string()));
        }
    }
}

impl Version {
    fn from_output(arn: &str, d: &DescribeModelPackageOutput) -> Version {
        let mut provenance = BTreeMap::new();
        let mut metadata = BTreeMap::new();
        for (k, v) in d.customer_metadata_properties().into_iter().flatten() {
            match k.strip_prefix("mlopsgen:") {
                Some(key) => provenance.insert(key.to_string(), v.clone()),
                None => metadata.insert(k.clone(), v.clone()),
            };
        }
        let mut metrics = Vec::new();
        if let Some(m) = d.model_metrics() {
            let q = m.model_quality();
            let dq = m.model_data_quality();
            let b = m.bias();
            sources(
                &mut metrics,
                [
                    ("model quality statistics", q.and_then(|q| q.statistics())),
                    ("model quality constraints", q.and_then(|q| q.constraints())),
                    ("data quality statistics", dq.and_then(|q| q.statistics())),
                    ("data quality constraints", dq.and_then(|q| q.constraints())),
                    ("bias report", b.and_then(|b| b.report())),
                    ("pre-training bias report", b.and_then(|b| b.pre_training_report())),
                    ("post-training bias report", b.and_then(|b| b.post_training_report())),
                    ("explainability report", m.explainability().and_then(|e| e.report())),
                ],
            );
        }
        let mut evidence = Vec::new();
        for c in d.inference_specification().map(|i| i.containers()).unwrap_or_default() {
            if let Some(uri) = c.model_data_url() {
                evidence.push(("model artifacts".to_string(), uri.to_string()));
            }
        }
        if let Some(b) = d.drift_check_baselines() {
            let q = b.model_quality();
            let dq = b.model_data_quality();
            sources(
                &mut evidence,
                [
                    ("drift baseline: model quality statistics", q.and_then(|q| q.statistics())),
                    ("drift baseline: model quality constraints", q.and_then(|q| q.constraints())),
                    ("drift baseline: data quality statistics", dq.and_then(|q| q.statistics())),
                    ("drift baseline: data quality constraints", dq.and_then(|q| q.constraints())),
                    ("drift baseline: bias constraints", b.bias().and_then(|x| x.post_training_constraints())),
                    ("drift baseline: explainability constraints", b.explainability().and_then(|x| x.constraints())),
                ],
            );
        }
        let iam = |u: Option<&aws_sdk_sagemaker::types::UserContext>| {
            u.and_then(|u| u.iam_identity()).and_then(|i| i.arn()).map(str::to_string)
        };
        Version {
            version: d.model_package_version().unwrap_or_default(),
            arn: d.model_package_arn().unwrap_or(arn).to_string(),
            status: d.model_approval_status().map(|s| s.as_str().to_string()).unwrap_or_default(),
            description: d.model_package_description().map(str::to_string),
            created: time(d.creation_time()),
            created_by: iam(d.created_by()),
            modified: time(d.last_modified_time()),
            modified_by: iam(d.last_modified_by()),
            reason: d.approval_description().map(str::to_string),
            provenance,
            metadata,
            metrics,
            evidence,
            serving: false,
        }
    }
}

/// A group and its versions, oldest first.
#[derive(Debug, Clone)]
pub struct GroupVersions {
    pub target: Target,
    pub versions: Vec<Version>,
}

/// What `versions` found.
#[derive(Debug, Clone)]
pub struct Listing {
    pub env: String,
    pub region: String,
    pub groups: Vec<GroupVersions>,
    pub failure: Option<Failure>,
}

/// The IAM principal an ARN acts as, for telling whether two ARNs are one principal: a session
/// of a role is that role (whoever assumes a role picks the session name, so it proves nothing),
/// `iam::…:role/path/name` is the role too; names compare case-insensitively as IAM's do.
pub fn principal(arn: &str) -> String {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, partition, service, _, account, resource] = parts[..] else { return arn.to_string() };
    let segments: Vec<&str> = resource.split('/').collect();
    let who = match (service, segments.as_slice()) {
        ("sts", ["assumed-role", role, ..]) => format!("role/{}", role.to_lowercase()),
        ("iam", ["role", .., role]) => format!("role/{}", role.to_lowercase()),
        ("iam", ["user", .., user]) => format!("user/{}", user.to_lowercase()),
        _ => resource.to_string(),
    };
    format!("{partition}:{account}:{who}")
}

/// Whether two ARNs are one IAM principal (see [`principal`]).
pub fn same_principal(a: &str, b: &str) -> bool {
    principal(a) == principal(b)
}

/// A SageMaker error as a failure: no credentials is E0604, no answer E0602, the rest E0612.
fn sagemaker_failure<E>(operation: &str, e: &aws_sdk_sagemaker::error::SdkError<E>, help: &str) -> Failure
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
{
    let text = short_error(e);
    let lower = text.to_ascii_lowercase();
    if e.as_service_error().is_none() {
        // Before any request is sent, a problem with credentials is the chain's: none were found.
        if lower.contains("credential") {
            return failure(
                Code::E0604,
                "no AWS credentials found",
                "set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where an instance role is available",
            );
        }
        return failure(
            Code::E0602,
            format!("cannot reach SageMaker: {text}"),
            "check the network path to SageMaker (or AWS_ENDPOINT_URL, if set); each call is tried twice and abandoned after 12 seconds",
        );
    }
    failure(Code::E0612, format!("SageMaker {operation} failed: {text}"), help)
}

/// A "does not exist" answer (SageMaker says so with a ValidationException).
fn not_found<E: ProvideErrorMetadata>(e: &aws_sdk_sagemaker::error::SdkError<E>) -> bool {
    let message = e.message().unwrap_or_default().to_ascii_lowercase();
    matches!(e.code(), Some("ValidationException" | "ResourceNotFound"))
        && (message.contains("not found") || message.contains("does not exist"))
}

const READ_HELP: &str = "read with credentials the group's policy admits (a consumer account's roles) or with the registry account's (the approver role may read every version)";

async fn describe_group(client: &aws_sdk_sagemaker::Client, t: &Target) -> Result<(), Failure> {
    match client.describe_model_package_group().model_package_group_name(&t.arn).send().await {
        Ok(_) => Ok(()),
        Err(e) if not_found(&e) => Err(failure(
            Code::E0607,
            format!("model package group {} does not exist in account {}", t.group, t.account),
            "apply generated/registry (it creates the groups), or check the environment's region and account",
        )),
        Err(e) => Err(sagemaker_failure("DescribeModelPackageGroup", &e, READ_HELP)),
    }
}

async fn describe_version(client: &aws_sdk_sagemaker::Client, arn: &str) -> Result<Version, Failure> {
    match client.describe_model_package().model_package_name(arn).send().await {
        Ok(d) => Ok(Version::from_output(arn, &d)),
        Err(e) if not_found(&e) => Err(failure(
            Code::E0607,
            format!("model package version {arn} does not exist"),
            "list the versions with `mlopsgen versions`",
        )),
        Err(e) => Err(sagemaker_failure("DescribeModelPackage", &e, READ_HELP)),
    }
}

async fn list_versions(client: &aws_sdk_sagemaker::Client, t: &Target) -> Result<Vec<Version>, Failure> {
    let mut arns = Vec::new();
    let mut pages =
        client.list_model_packages().model_package_group_name(&t.arn).max_results(100).into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| sagemaker_failure("ListModelPackages", &e, READ_HELP))?;
        arns.extend(page.model_package_summary_list().iter().filter_map(|s| s.model_package_arn().map(str::to_string)));
    }
    let mut versions = Vec::with_capacity(arns.len());
    let mut pending = arns.into_iter();
    let mut running = tokio::task::JoinSet::new();
    loop {
        while running.len() < DESCRIBE_CONCURRENCY {
            let Some(arn) = pending.next() else { break };
            let client = client.clone();
            running.spawn(async move { describe_version(&client, &arn).await });
        }
        match running.join_next().await {
            Some(Ok(v)) => versions.push(v?),
            Some(Err(e)) => {
                return Err(failure(Code::E0612, format!("a DescribeModelPackage call failed: {e}"), "retry"));
            }
            None => break,
        }
    }
    versions.sort_by_key(|v| v.version);
    // What the latest-approved-model Lambda picks: the newest approved version by creation time,
    // which is the highest approved version number (SageMaker numbers a group's versions in the
    // order they are created; the formatted times do not sort within a second).
    if let Some(serving) = versions.iter_mut().filter(|v| v.status == "Approved").max_by_key(|v| v.version) {
        serving.serving = true;
    }
    Ok(versions)
}

/// The version the inference pipelines use now: what the latest-approved-model Lambda picks,
/// the newest approved version by creation time.
async fn serving(client: &aws_sdk_sagemaker::Client, group_arn: &str) -> Result<Option<i32>, Failure> {
    let page = client
        .list_model_packages()
        .model_package_group_name(group_arn)
        .model_approval_status(ModelApprovalStatus::Approved)
        .sort_by(ModelPackageSortBy::CreationTime)
        .sort_order(SortOrder::Descending)
        .max_results(1)
        .send()
        .await
        .map_err(|e| sagemaker_failure("ListModelPackages", &e, READ_HELP))?;
    Ok(page.model_package_summary_list().first().and_then(|s| s.model_package_version()))
}

/// Lists the versions of `targets` with the ambient credentials (blocking).
pub fn versions(env: &EnvConfig, targets: Vec<Target>, limits: Limits) -> Listing {
    let mut listing = Listing { env: env.name.clone(), region: env.region.clone(), groups: Vec::new(), failure: None };
    let runtime = match runtime() {
        Ok(r) => r,
        Err(f) => {
            listing.failure = Some(f);
            return listing;
        }
    };
    runtime.block_on(async {
        let config = sdk_config(&env.region, limits).await;
        if let Err(f) = resolve_credentials(&config).await {
            listing.failure = Some(f);
            return;
        }
        let client = aws_sdk_sagemaker::Client::new(&config);
        for t in targets {
            let found = match describe_group(&client, &t).await {
                Ok(()) => list_versions(&client, &t).await,
                Err(f) => Err(f),
            };
            match found {
                Ok(versions) => listing.groups.push(GroupVersions { target: t, versions }),
                Err(f) => {
                    listing.failure = Some(f);
                    return;
                }
            }
        }
    });
    listing
}

fn or_dash(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("-")
}

fn used_by(t: &Target) -> String {
    if t.models.is_empty() {
        return "no model registers here".into();
    }
    let list: Vec<String> = t.models.iter().map(|(e, m)| format!("{e}/{m}")).collect();
    format!("used by {}", list.join(", "))
}

/// The text report of `versions`.
pub fn versions_text(l: &Listing) -> String {
    let mut out = String::new();
    for g in &l.groups {
        let t = &g.target;
        out.push_str(&format!("{} (account {}, {}; {})\n", t.group, t.account, l.region, used_by(t)));
        if g.versions.is_empty() {
            out.push_str("  no versions yet\n");
        }
        for v in &g.versions {
            let serving = if v.serving { "  (serving)" } else { "" };
            out.push_str(&format!("  version {}  {}  {}{serving}\n", v.version, v.status, or_dash(&v.created)));
            out.push_str(&format!("    registered by: {}\n", or_dash(&v.created_by)));
            if v.status != PENDING || v.reason.is_some() {
                out.push_str(&format!(
                    "    decided by:    {}{}\n",
                    or_dash(&v.modified_by),
                    v.modified.as_ref().map(|t| format!(" at {t}")).unwrap_or_default()
                ));
                out.push_str(&format!(
                    "    reason:        {}\n",
                    v.reason.as_deref().map(crate::diag::quoted).unwrap_or("-".into())
                ));
            }
            if let Some(d) = &v.description {
                out.push_str(&format!("    description:   {d}\n"));
            }
            for (k, value) in &v.provenance {
                out.push_str(&format!("    provenance:    {k} = {value}\n"));
            }
            for (k, value) in &v.metadata {
                out.push_str(&format!("    metadata:      {k} = {value}\n"));
            }
            for (what, uri) in &v.metrics {
                out.push_str(&format!("    metrics:       {what}: {uri}\n"));
            }
            for (what, uri) in &v.evidence {
                out.push_str(&format!("    evidence:      {what}: {uri}\n"));
            }
        }
    }
    out
}

fn pairs(items: &[(String, String)]) -> Value {
    Value::Array(items.iter().map(|(what, uri)| json!({ "name": what, "s3_uri": uri })).collect())
}

fn failure_json(f: &Option<Failure>) -> Value {
    f.as_ref().map_or(Value::Null, Failure::json)
}

/// The JSON report of `versions` (`--format json`, version 1).
pub fn versions_json(l: &Listing) -> Value {
    let groups: Vec<Value> = l
        .groups
        .iter()
        .map(|g| {
            let versions: Vec<Value> = g
                .versions
                .iter()
                .map(|v| {
                    json!({
                        "version": v.version,
                        "arn": v.arn,
                        "status": v.status,
                        "serving": v.serving,
                        "description": v.description,
                        "created": v.created,
                        "created_by": v.created_by,
                        "last_modified": v.modified,
                        "last_modified_by": v.modified_by,
                        "approval_description": v.reason,
                        "provenance": v.provenance,
                        "metadata": v.metadata,
                        "metrics": pairs(&v.metrics),
                        "evidence": pairs(&v.evidence),
                    })
                })
                .collect();
            json!({
                "name": g.target.group,
                "account": g.target.account,
                "arn": g.target.arn,
                "models": g.target.models.iter().map(|(e, m)| json!({ "environment": e, "model": m })).collect::<Vec<_>>(),
                "versions": versions,
            })
        })
        .collect();
    json!({
        "version": 1,
        "environment": l.env,
        "region": l.region,
        "ok": l.failure.is_none(),
        "groups": groups,
        "error": failure_json(&l.failure),
    })
}

/// Approve or reject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

impl Decision {
    /// The ModelApprovalStatus it sets.
    pub fn status(self) -> &'static str {
        match self {
            Decision::Approve => "Approved",
            Decision::Reject => "Rejected",
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Reject => "reject",
        }
    }
}

/// What `approve`/`reject` is asked to do.
#[derive(Debug, Clone)]
pub struct Request {
    pub decision: Decision,
    pub version: i32,
    pub reason: String,
    pub mfa_serial: Option<String>,
    pub mfa_code: Option<String>,
    pub force: bool,
}

/// A version's decision, before or after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub status: String,
    pub reason: Option<String>,
    pub modified_by: Option<String>,
    pub modified: Option<String>,
}

impl From<&Version> for State {
    fn from(v: &Version) -> State {
        State {
            status: v.status.clone(),
            reason: v.reason.clone(),
            modified_by: v.modified_by.clone(),
            modified: v.modified.clone(),
        }
    }
}

/// The outcome of `approve`/`reject`.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub decision: Decision,
    pub group: String,
    pub version: i32,
    pub arn: String,
    pub caller: Option<Identity>,
    pub role_arn: Option<String>,
    pub assumed: Option<Identity>,
    pub registered_by: Option<String>,
    pub before: Option<State>,
    pub after: Option<State>,
    /// The version the inference pipelines use (the latest approved), before and after.
    pub serving_before: Option<i32>,
    pub serving_after: Option<i32>,
    pub notes: Vec<String>,
    pub failure: Option<Failure>,
}

impl Outcome {
    /// Whether the version's decision was changed.
    pub fn changed(&self) -> bool {
        self.after.is_some() && self.before != self.after
    }
}

/// The checks that need no network: a reason SageMaker accepts, MFA when the role requires it.
pub fn check_request(registry: &EnvConfig, r: &Registry, req: &Request) -> Result<(), Failure> {
    let reason = req.reason.trim();
    if reason.is_empty() {
        return Err(failure(
            Code::E0608,
            "the reason is empty",
            "say why, e.g. --reason \"AUC 0.91 on the holdout set; baseline statistics reviewed\"",
        ));
    }
    let chars = reason.chars().count();
    if chars > MAX_REASON_CHARS {
        return Err(failure(
            Code::E0608,
            format!("the reason has {chars} characters; SageMaker keeps at most {MAX_REASON_CHARS}"),
            "shorten it, and link longer notes (a ticket, a document) instead",
        ));
    }
    let role = registry.role_arn(&r.approver_role);
    match (&req.mfa_serial, &req.mfa_code) {
        (None, None) if r.require_mfa => {
            return Err(failure(
                Code::E0609,
                format!("the approver role {role} needs MFA, and no MFA code was given"),
                "pass --mfa-serial ARN --mfa-code CODE (or set MLOPSGEN_MFA_SERIAL and MLOPSGEN_MFA_CODE)",
            ));
        }
        (Some(_), None) => {
            return Err(failure(
                Code::E0609,
                "--mfa-serial was given without --mfa-code",
                "pass the current code of the device too: --mfa-code CODE (or MLOPSGEN_MFA_CODE)",
            ));
        }
        (None, Some(_)) => {
            return Err(failure(
                Code::E0609,
                "--mfa-code was given without --mfa-serial",
                "name the MFA device too: --mfa-serial arn:aws:iam::ACCOUNT:mfa/NAME (or MLOPSGEN_MFA_SERIAL)",
            ));
        }
        _ => {}
    }
    if let Some(code) = &req.mfa_code
        && !(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()))
    {
        // The code itself is not echoed: it is a credential, if a short-lived one.
        return Err(failure(Code::E0609, "the MFA code must be 6 digits", "type the code the device shows now"));
    }
    if let Some(serial) = &req.mfa_serial {
        let valid = (9..=256).contains(&serial.len())
            && serial.chars().all(|c| c.is_ascii_alphanumeric() || "_+=/:,.@-".contains(c));
        if !valid {
            return Err(failure(
                Code::E0609,
                format!("{} is not an MFA device serial number or ARN", crate::diag::quoted(serial)),
                "use the device's ARN, e.g. arn:aws:iam::123456789012:mfa/alice (IAM console, Security credentials)",
            ));
        }
    }
    Ok(())
}

/// The session name of the approver role: says who decided in CloudTrail and `LastModifiedBy`.
fn session_name(caller: &Identity) -> String {
    let who: String = caller
        .arn
        .rsplit(['/', ':'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(*c))
        .take(55)
        .collect();
    if who.is_empty() { "mlopsgen-approver".into() } else { format!("mlopsgen-{who}") }
}

/// Decides version `req.version` of `target` through the approver role of `registry` (blocking).
pub fn decide(registry: &EnvConfig, r: &Registry, target: &Target, req: &Request, limits: Limits) -> Outcome {
    let mut outcome = Outcome {
        decision: req.decision,
        group: target.group.clone(),
        version: req.version,
        arn: registry.group_version_arn(&target.account, &target.group, req.version),
        caller: None,
        role_arn: None,
        assumed: None,
        registered_by: None,
        before: None,
        after: None,
        serving_before: None,
        serving_after: None,
        notes: Vec::new(),
        failure: None,
    };
    if let Err(f) = check_request(registry, r, req) {
        outcome.failure = Some(f);
        return outcome;
    }
    match runtime() {
        Ok(rt) => {
            if let Err(f) = rt.block_on(decide_async(registry, r, target, req, limits, &mut outcome)) {
                outcome.failure = Some(f);
            }
        }
        Err(f) => outcome.failure = Some(f),
    }
    outcome
}

async fn decide_async(
    registry: &EnvConfig,
    r: &Registry,
    target: &Target,
    req: &Request,
    limits: Limits,
    outcome: &mut Outcome,
) -> Result<(), Failure> {
    let config = sdk_config(&registry.region, limits).await;
    resolve_credentials(&config).await?;
    let sts = aws_sdk_sts::Client::new(&config);
    let caller = caller_identity(&sts).await?;
    outcome.caller = Some(caller.clone());

    let role = registry.role_arn(&r.approver_role);
    outcome.role_arn = Some(role.clone());
    let assumed = sts
        .assume_role()
        .role_arn(&role)
        .role_session_name(session_name(&caller))
        .set_serial_number(req.mfa_serial.clone())
        .set_token_code(req.mfa_code.clone())
        .duration_seconds(900)
        .send()
        .await;
    let creds = match assumed {
        Ok(out) => session_credentials(&out, &role, "mlopsgen-approver")?,
        Err(e) => {
            let trusted = if r.approvers.is_empty() {
                format!("the registry account {}", registry.account_id)
            } else {
                r.approvers.join(", ")
            };
            let mfa = if req.mfa_code.is_some() {
                "use a fresh code of the MFA device --mfa-serial names (codes expire within a minute); "
            } else {
                ""
            };
            return Err(failure(
                Code::E0603,
                format!("cannot assume {role}: {}", short_error(&e)),
                format!(
                    "{mfa}the role trusts {trusted} (approvals.approvers{}) and is created by generated/registry",
                    if r.require_mfa { ", with MFA" } else { "" }
                ),
            ));
        }
    };
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(&config).credentials_provider(creds.clone()).build(),
    );
    let assumed = caller_identity(&sts).await?;
    outcome.assumed = Some(assumed.clone());
    if assumed.account != registry.account_id {
        return Err(failure(
            Code::E0601,
            format!(
                "the approver role's session belongs to account {}, but the registry is account {}",
                assumed.account, registry.account_id
            ),
            "check account_id in the registry environment's config",
        ));
    }
    let client = aws_sdk_sagemaker::Client::from_conf(
        aws_sdk_sagemaker::config::Builder::from(&config).credentials_provider(creds).build(),
    );
    let before = match describe_version(&client, &outcome.arn).await {
        Ok(v) => v,
        Err(f) if f.code == Code::E0607 => {
            return Err(failure(
                Code::E0607,
                format!("{} has no version {}", outcome.group, req.version),
                format!("`mlopsgen versions {}` lists its versions", registry.name),
            ));
        }
        Err(f) => return Err(f),
    };
    outcome.registered_by = before.created_by.clone();
    outcome.before = Some(State::from(&before));
    let what = format!("version {} of {}", req.version, outcome.group);

    if req.decision == Decision::Approve {
        match &before.created_by {
            Some(creator) if same_principal(creator, &caller.arn) || same_principal(creator, &assumed.arn) => {
                let who = if same_principal(creator, &caller.arn) { &caller.arn } else { &assumed.arn };
                return Err(failure(
                    Code::E0610,
                    format!("{who} registered {what}, so cannot approve it"),
                    "another approver must approve it; a version needs a second person",
                ));
            }
            Some(_) => {}
            None if req.force => outcome
                .notes
                .push(format!("SageMaker does not say who registered {what}; approving it anyway (--force)")),
            None => {
                return Err(failure(
                    Code::E0613,
                    format!("SageMaker does not say who registered {what}"),
                    "check who registered it (CloudTrail CreateModelPackage), then add --force",
                ));
            }
        }
    }
    if before.status != PENDING {
        if !req.force {
            let why = before.reason.as_deref().map(|r| format!(" ({})", crate::diag::quoted(r))).unwrap_or_default();
            let consequence = if before.status == "Approved" && req.decision == Decision::Reject {
                " (a rejected approved version stops serving: the inference pipelines fall back to the latest other approved version)"
            } else {
                ""
            };
            return Err(failure(
                Code::E0611,
                format!("{what} is already {}{why}", before.status),
                format!("add --force to decide again{consequence}"),
            ));
        }
        outcome.notes.push(format!("{what} was already {}; deciding again (--force)", before.status));
    }
    let group_arn = &target.arn;
    outcome.serving_before = serving(&client, group_arn).await?;

    let status = match req.decision {
        Decision::Approve => ModelApprovalStatus::Approved,
        Decision::Reject => ModelApprovalStatus::Rejected,
    };
    if let Err(e) = client
        .update_model_package()
        .model_package_arn(&outcome.arn)
        .model_approval_status(status)
        .approval_description(req.reason.trim())
        .send()
        .await
    {
        return Err(sagemaker_failure(
            "UpdateModelPackage",
            &e,
            "the approver role's policy (generated/registry) allows UpdateModelPackage to Approved or Rejected on the registry's groups; apply it",
        ));
    }
    match describe_version(&client, &outcome.arn).await {
        Ok(after) => {
            let ok = after.status == req.decision.status();
            outcome.after = Some(State::from(&after));
            if !ok {
                return Err(failure(
                    Code::E0612,
                    format!("SageMaker accepted the update, but {what} is {}", after.status),
                    "look at the version in the registry; retry",
                ));
            }
        }
        Err(f) => outcome.notes.push(format!("{what} was updated, but reading it back failed: {}", f.message)),
    }
    match serving(&client, group_arn).await {
        Ok(v) => outcome.serving_after = v,
        Err(f) => outcome.notes.push(format!("cannot tell which version serves now: {}", f.message)),
    }
    Ok(())
}

fn change_line(out: &mut String, label: &str, before: Option<&str>, after: Option<&str>, quote: bool) {
    let show = |v: Option<&str>| match v {
        None => "(none)".to_string(),
        Some(v) if quote => crate::diag::quoted(v),
        Some(v) => v.to_string(),
    };
    if before == after {
        out.push_str(&format!("  {label:<14} {} (unchanged)\n", show(after)));
    } else {
        out.push_str(&format!("  {label:<14} {} -> {}\n", show(before), show(after)));
    }
}

/// The text report of `approve`/`reject` (stdout); the failure, if any, is `Outcome::failure`.
pub fn decision_text(o: &Outcome) -> String {
    let mut out = String::new();
    if let Some(c) = &o.caller {
        out.push_str(&format!("caller:        {} (account {})\n", c.arn, c.account));
    }
    if let Some(r) = &o.role_arn {
        out.push_str(&format!("approver role: {r}\n"));
    }
    if let Some(a) = &o.assumed {
        out.push_str(&format!("assumed:       {} (account {})\n", a.arn, a.account));
    }
    if let Some(b) = &o.before {
        out.push_str(&format!("version {} of {} ({})\n", o.version, o.group, o.arn));
        out.push_str(&format!("  {:<14} {}\n", "registered by:", or_dash(&o.registered_by)));
        match &o.after {
            Some(a) => {
                change_line(&mut out, "status:", Some(&b.status), Some(&a.status), false);
                change_line(&mut out, "reason:", b.reason.as_deref(), a.reason.as_deref(), true);
                change_line(&mut out, "decided by:", b.modified_by.as_deref(), a.modified_by.as_deref(), false);
                let serving = |v: Option<i32>| v.map_or("no version".to_string(), |v| format!("version {v}"));
                change_line(
                    &mut out,
                    "serving:",
                    Some(&serving(o.serving_before)),
                    Some(&serving(o.serving_after)),
                    false,
                );
            }
            None => {
                out.push_str(&format!("  {:<14} {}\n", "status:", b.status));
                out.push_str(&format!(
                    "  {:<14} {}\n",
                    "reason:",
                    b.reason.as_deref().map(crate::diag::quoted).unwrap_or("(none)".into())
                ));
            }
        }
    }
    for n in &o.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    if o.failure.is_none() {
        let what = format!("version {} of {}", o.version, o.group);
        out.push_str(&match &o.after {
            Some(a) if o.changed() => format!("ok: {what} is now {}\n", a.status),
            Some(a) => format!("ok: {what} is {}; nothing changed\n", a.status),
            None => format!("ok: {what} was {}d\n", o.decision.verb()),
        });
    }
    out
}

/// The JSON report of `approve`/`reject` (`--format json`, version 1).
pub fn decision_json(o: &Outcome) -> Value {
    let id = |i: &Option<Identity>| i.as_ref().map(|i| json!({ "arn": i.arn, "account": i.account }));
    let state = |s: &Option<State>| {
        s.as_ref().map(|s| {
            json!({ "status": s.status, "approval_description": s.reason, "last_modified_by": s.modified_by, "last_modified": s.modified })
        })
    };
    json!({
        "version": 1,
        "ok": o.failure.is_none(),
        "decision": o.decision.status(),
        "group": o.group,
        "model_version": o.version,
        "arn": o.arn,
        "caller": id(&o.caller),
        "approver_role": o.role_arn,
        "assumed": id(&o.assumed),
        "registered_by": o.registered_by,
        "before": state(&o.before),
        "after": state(&o.after),
        "serving_before": o.serving_before,
        "serving_after": o.serving_after,
        "changed": o.changed(),
        "notes": o.notes,
        "error": failure_json(&o.failure),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_of_one_role_are_one_principal() {
        let role = "arn:aws:iam::333333333333:role/service-role/Approver";
        assert!(same_principal("arn:aws:sts::333333333333:assumed-role/Approver/alice", role));
        assert!(same_principal(
            "arn:aws:sts::333333333333:assumed-role/approver/alice",
            "arn:aws:sts::333333333333:assumed-role/Approver/bob"
        ));
        assert!(!same_principal("arn:aws:sts::444444444444:assumed-role/Approver/alice", role));
        assert!(!same_principal("arn:aws:sts::333333333333:assumed-role/Other/alice", role));
    }

    #[test]
    fn users_roles_and_roots_differ() {
        let alice = "arn:aws:iam::333333333333:user/alice";
        assert!(same_principal(alice, "arn:aws:iam::333333333333:user/team/alice"));
        assert!(!same_principal(alice, "arn:aws:iam::333333333333:user/bob"));
        assert!(!same_principal(alice, "arn:aws:iam::333333333333:role/alice"));
        assert!(!same_principal(alice, "arn:aws:iam::333333333333:root"));
        assert!(same_principal("arn:aws:iam::333333333333:root", "arn:aws:iam::333333333333:root"));
        assert!(!same_principal("arn:aws-cn:iam::333333333333:root", "arn:aws:iam::333333333333:root"));
        assert!(same_principal("not an arn", "not an arn"));
    }

    #[test]
    fn session_names_are_valid_and_name_the_caller() {
        let id = |arn: &str| Identity { arn: arn.into(), account: "333333333333".into() };
        assert_eq!(session_name(&id("arn:aws:iam::333333333333:user/alice")), "mlopsgen-alice");
        assert_eq!(
            session_name(&id("arn:aws:sts::333333333333:assumed-role/AWSReservedSSO_Admin/bob@example.com")),
            "mlopsgen-bob@example.com"
        );
        assert_eq!(session_name(&id("arn:aws:iam::333333333333:root")), "mlopsgen-root");
        let long = session_name(&id(&format!("arn:aws:iam::333333333333:user/{}", "x".repeat(100))));
        assert!(long.len() <= 64, "{long}");
        assert_eq!(session_name(&id("")), "mlopsgen-approver");
    }
}
