//! Keys and storage: the statements a KMS key policy is made of (the account's, CloudWatch Logs',
//! EventBridge's, other accounts' through S3), the environment's key as the main root refers to
//! it, the secure buckets and the account's access-log bucket, and which other environments' keys
//! an environment reads. The lowest capability: it imports no other. The whole policy of a key is
//! composed from above (`deploy::key_policy`), from what every capability needs of the key.

use super::hcl::{Body, Expr};
use super::policy::Stmt;
use super::tf::{camel, module, output, push};
use crate::model::*;

pub(super) const KMS_USE: &[&str] =
    &["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"];

/// The key-policy statement that keeps the account in control of the key (aws-facts.md §3.2).
pub(super) fn root_statement(env: &EnvConfig) -> Stmt {
    Stmt::allow("EnableAccountAdministration", &["kms:*"], vec![Expr::str("*")])
        .principal("AWS", vec![Expr::str(env.root_arn())])
}

/// Statements letting other accounts use a key, through S3 only (both sides are needed:
/// aws-facts.md §3.2). Nothing another account does with a shared key creates grants.
pub(super) fn share_statements(env: &EnvConfig, others: &[&EnvConfig]) -> Vec<Stmt> {
    others
        .iter()
        .map(|o| {
            Stmt::allow(&format!("AllowUseBy{}", camel(&o.name)), KMS_USE, vec![Expr::str("*")])
                .principal("AWS", vec![Expr::str(o.root_arn())])
                .condition("StringEquals", "kms:ViaService", vec![Expr::str(env.s3_service())])
        })
        .collect()
}

/// The registry's key as a workload sees it: `(account, key ARN or alias name)`; what the
/// registry keeps about a version is encrypted with it.
pub(super) fn registry_key(all: &[EnvConfig]) -> Option<(String, RegistryKey)> {
    let r = all.iter().find(|e| e.kind == EnvKind::Registry)?;
    let key = match &r.kms_key {
        KmsKey::Existing { arn } => RegistryKey::Arn(arn.clone()),
        KmsKey::Create { alias, .. } => RegistryKey::Alias(alias.clone()),
    };
    Some((r.account_id.clone(), key))
}

/// How a workload names the registry's key in its policies.
pub(super) enum RegistryKey {
    Arn(String),
    /// A created key: its ARN is known after apply only, so policies name `key/*` of the
    /// registry's account with a `kms:ResourceAliases` condition.
    Alias(String),
}

/// CloudWatch Logs may use the key for exactly these log groups (aws-facts.md §3.2, §9).
pub(super) fn logs_statement(env: &EnvConfig, groups: &[String]) -> Stmt {
    Stmt::allow(
        "AllowCloudWatchLogs",
        // No kms:Describe*: DescribeKey carries no encryption context, so the condition below
        // would never let it through (parliament UNKNOWN_CONDITION_FOR_ACTION).
        &["kms:Decrypt*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
        vec![Expr::str("*")],
    )
    .principal("Service", vec![Expr::str(env.logs_principal())])
    .condition(
        "ArnEquals",
        "kms:EncryptionContext:aws:logs:arn",
        groups.iter().map(|g| Expr::str(env.regional_arn("logs", &format!("log-group:{g}")))).collect(),
    )
}

/// EventBridge delivers to the encrypted topic and dead-letter queue (aws-facts.md §3.2: no
/// source conditions on this statement).
pub(super) fn events_statement() -> Stmt {
    Stmt::allow("AllowEventBridgeToEncryptedTargets", &["kms:Decrypt", "kms:GenerateDataKey*"], vec![Expr::str("*")])
        .principal("Service", vec![Expr::str("events.amazonaws.com")])
}

/// The ARN of the alias of the key mlopsgen creates for `env` (None for an existing key).
pub(super) fn alias_arn(env: &EnvConfig) -> Option<String> {
    match &env.kms_key {
        KmsKey::Create { alias, .. } => Some(env.kms_alias_arn(alias)),
        KmsKey::Existing { .. } => None,
    }
}

/// A bucket of the secure-bucket module, encrypted with the environment's key (uploads may name
/// it by key or alias ARN) and logging into the account's access-log bucket, created here too;
/// `extra` are further module arguments.
pub(super) fn secure_bucket(
    env: &EnvConfig,
    label: &str,
    name: &str,
    key: &Expr,
    extra: Vec<(&str, Expr)>,
    body: &mut Body,
    outputs: &mut Body,
) {
    let logs = access_logs(env, body, outputs);
    let mut args = vec![("name", Expr::str(name)), ("kms_key_arn", key.clone())];
    if let Some(a) = alias_arn(env) {
        args.push(("kms_key_alias_arn", Expr::str(a)));
    }
    args.push(("access_log_bucket", logs));
    args.extend(extra);
    push(body, module(label, "../modules/secure-bucket", args));
}

/// The environment's key as the main root refers to it: a key mlopsgen creates is bootstrap/'s
/// (an administrator's: the deploy role never administers a key), read here by its alias.
pub(super) fn platform_key(env: &EnvConfig, body: &mut Body) -> Expr {
    match &env.kms_key {
        KmsKey::Existing { arn } => Expr::str(arn),
        KmsKey::Create { alias, .. } => {
            push(
                body,
                super::hcl::Block::new(
                    "data",
                    &["aws_kms_key", "platform"],
                    Body::new()
                        .comment("Created by bootstrap/ (an administrator's): the deploy role only uses it.")
                        .attr("key_id", Expr::str(alias)),
                ),
            );
            Expr::r("data.aws_kms_key.platform.arn")
        }
    }
}

/// The account's access-log bucket, target of every data bucket's server access logs.
pub(super) fn access_logs(env: &EnvConfig, body: &mut Body, outputs: &mut Body) -> Expr {
    push(body, module("access_logs", "../modules/log-bucket", vec![("name", Expr::str(env.access_log_bucket()))]));
    push(
        outputs,
        output("access_log_bucket", "Bucket receiving S3 server access logs.", Expr::r("module.access_logs.name")),
    );
    Expr::r("module.access_logs.name")
}

pub(super) fn shared_with<'a>(env: &EnvConfig, all: &'a [EnvConfig]) -> Vec<&'a EnvConfig> {
    match &env.kms_key {
        KmsKey::Create { shared_with, .. } => {
            all.iter().filter(|o| shared_with.iter().any(|(n, _)| n == &o.name)).collect()
        }
        KmsKey::Existing { .. } => Vec::new(),
    }
}

/// Workload environments whose model versions this environment may read (their key is shared
/// with it), for KMS permissions on keys in other accounts.
pub(super) fn readable_keys(env: &EnvConfig, all: &[EnvConfig]) -> Vec<(String, String)> {
    all.iter()
        .filter(|o| o.name != env.name)
        .filter_map(|o| match &o.kms_key {
            KmsKey::Create { alias, shared_with, .. } if shared_with.iter().any(|(n, _)| n == &env.name) => {
                Some((o.account_id.clone(), alias.clone()))
            }
            _ => None,
        })
        .collect()
}
