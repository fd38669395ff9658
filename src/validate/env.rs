//! Checks the meaning of one environment file and builds its `EnvConfig`: AWS naming rules,
//! ARNs against the environment's account and region, which keys fit which kind of environment,
//! keys that say the same thing twice, and every default.

use super::rules::{self, Broken, Rule};
use super::scan::Placeholders;
use crate::config::json::Node;
use crate::config::path::JsonPath;
use crate::config::raw::*;
use crate::diag::{Code, Diagnostic, Span, quoted};
use crate::model::images::{self, Framework};
use crate::model::*;
use std::path::Path;

mod xgboost;

/// One file being checked: where diagnostics go and how paths map to spans.
pub struct FileCtx<'a> {
    pub file: &'a Path,
    pub root: &'a Node,
    pub placeholders: &'a Placeholders,
    /// The model files' declarations, by model name.
    pub models: &'a std::collections::BTreeMap<String, super::model_file::ModelSpec>,
    /// The repository root, where training scripts are read (None: nothing on disk, e.g. fuzzing).
    pub repo: Option<&'a Path>,
    pub diags: Vec<Diagnostic>,
}

impl FileCtx<'_> {
    /// The span of the value at `path`, or of the nearest enclosing value that exists.
    pub fn span(&self, path: &JsonPath) -> Span {
        path.span_in(self.root)
    }

    /// The span of the key at `path` (falls back to the value's span).
    pub fn key_span(&self, path: &JsonPath) -> Span {
        path.key_span(self.root).unwrap_or_else(|| self.span(path))
    }

    fn has_placeholder(&self, path: &JsonPath) -> bool {
        self.placeholders.contains(path)
    }

    /// Reports a broken rule for the value at `path`; the rule's proposal becomes the fix.
    pub fn broken(&mut self, code: Code, path: &JsonPath, found: &str, b: Broken) {
        let mut d = Diagnostic::error(code, self.file, b.message)
            .at(self.span(path), path.to_string())
            .label(b.label)
            .expected(b.expected)
            .found(quoted(found));
        if let Some(h) = b.help {
            d = d.help(h);
        }
        if let Some(v) = b.fix.as_deref().and_then(|to| self.replacement(path, found, to)) {
            d = d.fix(path, v);
        }
        self.diags.push(d);
    }

    /// The new text of the string at `path` when `found`, all of it or the one place it occurs
    /// in it (a group name inside `"registry:<group>"` or an ARN), becomes `to`. `None` when
    /// the value is not written there (a default) or is ambiguous.
    pub fn replacement(&self, path: &JsonPath, found: &str, to: &str) -> Option<String> {
        path.replacement(self.root, found, to)
    }

    /// Reports a broken rule for the key (not the value) at `path`, e.g. a map entry's name.
    pub fn broken_key(&mut self, code: Code, path: &JsonPath, b: Broken) {
        let found = match path.0.last() {
            Some(crate::config::path::Seg::Key(k)) => quoted(k),
            _ => String::new(),
        };
        let mut d = Diagnostic::error(code, self.file, b.message)
            .at(self.key_span(path), path.to_string())
            .label(b.label)
            .expected(b.expected)
            .found(found);
        if let Some(h) = b.help {
            d = d.help(h);
        }
        self.diags.push(d);
    }

    /// Applies `rule` to a string value unless it holds a placeholder; true when it passes.
    pub fn check(&mut self, code: Code, path: &JsonPath, value: &str, rule: impl FnOnce(&str) -> Rule) -> bool {
        if self.has_placeholder(path) {
            return false;
        }
        match rule(value) {
            Ok(()) => true,
            Err(b) => {
                self.broken(code, path, value, b);
                false
            }
        }
    }

    /// Pushes a finished diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// A new error at `path` with this file filled in.
    pub fn error(&self, code: Code, path: &JsonPath, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(code, self.file, message).at(self.span(path), path.to_string())
    }
}

const ROOT_ONLY_WORKLOAD: &[&str] = &[
    "pipelines_alert_topic_name",
    "email",
    "lambda_role",
    "sagemaker_execution_role",
    "default_bucket",
    "model_name",
    "model_package_group_name",
    "train_pipeline_name",
    "inference_pipeline_name",
    "batch_dataset_filename",
    "train_pipeline",
    "inference_pipeline",
    "retrain_on_drift",
    "models",
    "network",
    "job_logs",
];
const ROOT_ONLY_REGISTRY: &[&str] = &["model_package_groups", "approvals"];

/// Validates one file's meaning. `stem` is the environment name the file name gives.
/// `None` when the file's own errors leave the environment unusable (no account, name or region).
pub fn check_env(cx: &mut FileCtx<'_>, stem: &str, raw: &RawEnv) -> Option<EnvConfig> {
    let root = JsonPath::root();
    let p = |k: &str| root.key(k);

    // The environment's name and kind.
    let mut name_ok = cx.check(Code::E0208, &p("env_group"), &raw.env_group, rules::env_name);
    if name_ok && raw.env_group != stem {
        cx.push(
            cx.error(Code::E0208, &p("env_group"), "env_group must match the file name")
                .label(format!("file is {stem}.tfvars.json"))
                .expected(quoted(stem))
                .found(quoted(&raw.env_group))
                .help(format!(
                    "rename the file to {}.tfvars.json or set \"env_group\": {}",
                    raw.env_group,
                    quoted(stem)
                ))
                .fix(&p("env_group"), stem),
        );
        name_ok = false;
    }
    let kind = match raw.kind.as_deref() {
        Some("registry") => EnvKind::Registry,
        Some(_) => EnvKind::Workload,
        None if raw.env_group == "registry" => EnvKind::Registry,
        None => EnvKind::Workload,
    };
    let misplaced = match kind {
        EnvKind::Workload => ROOT_ONLY_REGISTRY,
        EnvKind::Registry => ROOT_ONLY_WORKLOAD,
    };
    for key in misplaced {
        if p(key).lookup(cx.root).is_some() {
            let other = if kind == EnvKind::Workload { "the registry environment" } else { "workload environments" };
            cx.push(
                Diagnostic::error(Code::E0227, cx.file, format!("`{key}` belongs in {other}"))
                    .at(cx.key_span(&p(key)), p(key).to_string())
                    .label(format!("not used by a {} environment", kind.as_str()))
                    .expected(format!("keys of a {} environment", kind.as_str()))
                    .found(quoted(key))
                    .help(format!(
                        "move it to {other}, or set \"kind\" if this environment is meant to be the other kind"
                    )),
            );
        }
    }

    // Region and partition.
    let region_ok = if cx.has_placeholder(&p("aws_region")) {
        false
    } else if images::known_regions().contains(&raw.aws_region) {
        true
    } else {
        let known = images::known_regions();
        let mut d = cx
            .error(Code::E0211, &p("aws_region"), "unknown AWS region")
            .label("not a region SageMaker serves")
            .expected("a region name such as \"us-east-1\" or \"eu-west-1\"")
            .found(quoted(&raw.aws_region));
        if let Some(s) = super::structure::did_you_mean(&raw.aws_region, known.iter().map(String::as_str)) {
            d = d.help(format!("did you mean {}?", quoted(s))).fix(&p("aws_region"), s);
        } else if raw.aws_region.chars().any(|c| c.is_ascii_uppercase()) || raw.aws_region.contains(' ') {
            d = d.help("region names are lowercase ids such as \"us-east-1\", not display names");
        }
        cx.push(d);
        false
    };
    let region = raw.aws_region.clone();
    let partition = rules::partition_of(&region);

    // The account: given, or inferred from the ARNs in the file; every ARN must agree.
    let account = resolve_account(cx, raw);

    // Tags.
    for (k, v) in &raw.tags {
        if let Err(e) = rules::tag(k, v) {
            let (on_key, b) = *e;
            let path = p("tags").key(k);
            if on_key {
                cx.broken_key(Code::E0220, &path, b);
            } else {
                cx.broken(Code::E0220, &path, v, b);
            }
        }
    }

    let event_bus_name = raw.event_bus_name.clone().unwrap_or_else(|| "default".into());
    if cx.check(Code::E0224, &p("event_bus_name"), &event_bus_name, rules::event_bus_name)
        && event_bus_name != "default"
    {
        // SageMaker (and S3) put their events on the default bus only; rules on another bus that
        // mlopsgen neither creates nor feeds would never fire (and a fresh account has no such bus).
        cx.push(
            cx.error(Code::E0224, &p("event_bus_name"), "SageMaker sends its events to the default event bus only")
                .label("the drift, failure and approval rules would never fire on this bus")
                .expected("\"default\"")
                .found(quoted(&event_bus_name))
                .help("write \"event_bus_name\": \"default\" (or remove the key); mlopsgen does not create or feed another bus")
                .fix(&p("event_bus_name"), "default"),
        );
    }

    let env_name = raw.env_group.clone();
    let prefix = raw.name_prefix.clone().unwrap_or_else(|| "mlops".into());
    let mut prefix_ok = cx.check(Code::E0236, &p("name_prefix"), &prefix, rules::name_prefix);
    // The longest name built from the prefix: a Lambda function's (64 characters at most).
    let longest = format!("{prefix}-{env_name}-latest-approved-model");
    if prefix_ok && name_ok && longest.len() > 64 {
        let room = 64 - "-latest-approved-model".len();
        cx.push(
            cx.error(Code::E0236, &p("name_prefix"), "names built from name_prefix and env_group would be too long")
                .label(format!("{} characters with env_group", longest.len()))
                .expected(format!("\"<name_prefix>-<env_group>\" of at most {room} characters"))
                .found(quoted(&longest))
                .help(format!(
                    "AWS allows 64 characters in a Lambda function's name; shorten name_prefix to {} characters",
                    room.saturating_sub(env_name.len() + 1)
                )),
        );
        prefix_ok = false;
    }
    let kms_key = kms_key(cx, raw, &env_name, &prefix, &region, partition);

    let state_bucket = bucket(cx, raw.terraform_state_bucket.as_ref(), &p("terraform_state_bucket"), || {
        format!("{prefix}-tfstate-{}-{}", account.as_deref().unwrap_or("000000000000"), region)
    });

    let deploy = raw.deploy.as_ref().map(|d| deploy(cx, d));

    let workload =
        (kind == EnvKind::Workload).then(|| workload(cx, raw, &prefix, account.as_deref(), &region, partition));
    let registry = (kind == EnvKind::Registry).then(|| registry(cx, raw, &prefix, account.as_deref(), &region));

    match (account, name_ok && prefix_ok, region_ok) {
        (Some(account_id), true, true) => Some(EnvConfig {
            name: env_name,
            file: cx.file.to_path_buf(),
            kind,
            account_id,
            region,
            partition,
            prefix,
            tags: raw.tags.clone(),
            event_bus_name,
            kms_key,
            state_bucket,
            deploy,
            workload,
            registry,
        }),
        _ => None,
    }
}

/// Every ARN that names this environment's own account, with its path and expected service.
fn own_arns(raw: &RawEnv) -> Vec<(JsonPath, &str, &'static str)> {
    let root = JsonPath::root();
    let mut out = Vec::new();
    if let Some(KmsRef::Arn(a)) = &raw.kms_key {
        out.push((root.key("kms_key"), a.as_str(), "kms"));
    }
    if let Some(RoleRef::Arn(a)) = &raw.lambda_role {
        out.push((root.key("lambda_role"), a.as_str(), "iam"));
    }
    if let Some(RoleRef::Arn(a)) = &raw.sagemaker_execution_role {
        out.push((root.key("sagemaker_execution_role"), a.as_str(), "iam"));
    }
    let mut models: Vec<(JsonPath, &RawModel)> = vec![(root.clone(), &raw.single_model)];
    for (name, m) in raw.models.iter().flatten() {
        models.push((root.key("models").key(name), m));
    }
    for (base, m) in models {
        if let Some(t) = &m.train_pipeline {
            let tp = base.key("train_pipeline");
            if let Some(a) = &t.arn {
                out.push((tp.key("arn"), a.as_str(), "sagemaker"));
            }
            if let Some(a) = &t.role_arn {
                out.push((tp.key("role_arn"), a.as_str(), "iam"));
            }
        }
        if let Some(i) = &m.inference_pipeline {
            let ip = base.key("inference_pipeline");
            if let Some(a) = &i.arn {
                out.push((ip.key("arn"), a.as_str(), "sagemaker"));
            }
            if let Some(a) = &i.role_arn {
                out.push((ip.key("role_arn"), a.as_str(), "iam"));
            }
        }
    }
    out
}

fn resolve_account(cx: &mut FileCtx<'_>, raw: &RawEnv) -> Option<String> {
    let root = JsonPath::root();
    let mut account: Option<(String, JsonPath)> = None;
    let mut unknown = false;
    if let Some(a) = &raw.account_id {
        let path = root.key("account_id");
        if cx.check(Code::E0210, &path, a, rules::account_id) {
            account = Some((a.clone(), path));
        } else {
            unknown = true;
        }
    }
    for (path, arn, service) in own_arns(raw) {
        if cx.has_placeholder(&path) {
            // Only the account part may be a placeholder; the rest is still checked below.
            if arn.split(':').nth(4).is_some_and(|a| a.starts_with('<')) {
                unknown = true;
            }
        }
        let Ok(parsed) = rules::parse_arn(arn) else {
            if !cx.has_placeholder(&path)
                && let Err(b) = rules::parse_arn(arn)
            {
                cx.broken(Code::E0212, &path, arn, b);
            }
            continue;
        };
        if parsed.service != service {
            let b = Broken {
                message: format!("ARN is for the {} service, expected {service}", parsed.service),
                label: "wrong service".into(),
                expected: format!("an ARN of the form arn:aws:{service}:..."),
                help: None,
                fix: None,
            };
            cx.broken(Code::E0212, &path, arn, b);
            continue;
        }
        if parsed.account.starts_with('<') {
            continue;
        }
        if let Err(mut b) = rules::account_id(parsed.account) {
            b.message = format!("the account part of this ARN is invalid: {}", b.message);
            cx.broken(Code::E0212, &path, arn, b);
            continue;
        }
        match &account {
            None => account = Some((parsed.account.to_string(), path)),
            Some((acct, from)) if acct != parsed.account => {
                let from_s = from.to_string();
                cx.push(
                    cx.error(Code::E0212, &path, "ARN belongs to another account than the environment")
                        .label(format!("account {}", parsed.account))
                        .expected(format!("account {acct} (from {from_s})"))
                        .found(quoted(arn))
                        .help("every existing resource an environment references lives in its own account; check for a copy-paste from another environment"),
                );
            }
            Some(_) => {}
        }
    }
    match account {
        Some((a, _)) => Some(a),
        None if unknown || root.key("account_id").lookup(cx.root).is_some() => None,
        None => {
            cx.push(
                Diagnostic::error(Code::E0228, cx.file, "the environment's account id is not known")
                    .at(Span::new(cx.root.span.start, cx.root.span.start + 1), "$")
                    .label("no account_id and no ARN to take it from")
                    .expected("\"account_id\": a 12-digit string")
                    .found("neither account_id nor an ARN of this account")
                    .help("add \"account_id\": \"111122223333\" at the top level"),
            );
            None
        }
    }
}

fn kms_key(cx: &mut FileCtx<'_>, raw: &RawEnv, env: &str, prefix: &str, region: &str, partition: &str) -> KmsKey {
    let path = JsonPath::root().key("kms_key");
    match &raw.kms_key {
        Some(KmsRef::Arn(arn)) => {
            if let Ok(a) = rules::parse_arn(arn)
                && a.service == "kms"
            {
                check_arn_location(cx, &path, arn, &a, region, partition);
                let id_ok = a.resource.strip_prefix("key/").is_some_and(|id| !id.is_empty() && !id.contains('/'));
                if !id_ok && !cx.has_placeholder(&path) {
                    cx.broken(Code::E0212, &path, arn, Broken {
                            message: "KMS key ARN must name a key, not an alias".into(),
                            label: "not key/<key-id>".into(),
                            expected: "arn:aws:kms:<region>:<account>:key/<key-id>".into(),
                            help: Some("an alias resolves in the caller's account, so cross-account readers would pick their own key; give the key ARN".into()),
                            fix: None,
                        });
                }
            }
            KmsKey::Existing { arn: arn.clone() }
        }
        Some(KmsRef::Create(k)) => {
            if k.create == Some(false) {
                cx.push(
                    cx.error(Code::E0226, &path.key("create"), "kms_key.create is false but no key ARN is given")
                        .label("nothing to create or reference")
                        .expected("true, or the ARN of an existing key as the value of kms_key")
                        .found("false")
                        .help("to use an existing key write \"kms_key\": \"arn:aws:kms:...:key/...\""),
                );
            }
            let alias = k.alias.clone().unwrap_or_else(|| format!("alias/{prefix}-{env}"));
            cx.check(Code::E0215, &path.key("alias"), &alias, rules::kms_alias);
            let shared_with =
                k.shared_with.iter().enumerate().map(|(i, e)| (e.clone(), path.key("shared_with").index(i))).collect();
            KmsKey::Create {
                alias,
                description: k
                    .description
                    .clone()
                    .unwrap_or_else(|| format!("mlopsgen: data, artifacts and notifications of {env}")),
                shared_with,
                deletion_window_in_days: k.deletion_window_in_days.unwrap_or(30),
                rotation_period_in_days: k.rotation_period_in_days.unwrap_or(365),
            }
        }
        None => KmsKey::Create {
            alias: format!("alias/{prefix}-{env}"),
            description: format!("mlopsgen: data, artifacts and notifications of {env}"),
            shared_with: Vec::new(),
            deletion_window_in_days: 30,
            rotation_period_in_days: 365,
        },
    }
}

/// Checks an ARN's partition and region against the environment.
fn check_arn_location(
    cx: &mut FileCtx<'_>,
    path: &JsonPath,
    arn: &str,
    a: &rules::Arn<'_>,
    region: &str,
    partition: &str,
) {
    if a.region.starts_with('<') || cx.placeholders.contains(path) && a.region.contains('<') {
        return;
    }
    // An unknown environment region is reported once (E0211); comparing ARNs with it would only
    // repeat that error once per ARN.
    if !images::known_regions().contains(region) {
        return;
    }
    if a.region != region {
        cx.broken(Code::E0212, path, arn, Broken {
            message: format!("ARN is in region {:?}, the environment in {region:?}", a.region),
            label: "other region".into(),
            expected: format!("an ARN in {region}"),
            help: Some("SageMaker, KMS and the model registry are regional; every resource of an environment lives in its region".into()),
            fix: None,
        });
    } else if a.partition != partition {
        cx.broken(
            Code::E0212,
            path,
            arn,
            Broken {
                message: format!("ARN is in partition {:?}, region {region} is in {partition:?}", a.partition),
                label: "other partition".into(),
                expected: format!("arn:{partition}:..."),
                help: None,
                fix: None,
            },
        );
    }
}

fn bucket(
    cx: &mut FileCtx<'_>,
    value: Option<&BucketRef>,
    path: &JsonPath,
    default: impl FnOnce() -> String,
) -> Bucket {
    let (name, create, name_path) = match value {
        Some(BucketRef::Name(n)) => (n.clone(), false, path.clone()),
        Some(BucketRef::Spec(s)) => (s.name.clone(), s.create.unwrap_or(true), path.key("name")),
        None => return Bucket { name: default(), create: true },
    };
    cx.check(Code::E0213, &name_path, &name, rules::bucket_name);
    Bucket { name, create }
}

fn role(cx: &mut FileCtx<'_>, value: Option<&RoleRef>, path: &JsonPath, default_name: &str) -> Role {
    match value {
        Some(RoleRef::Arn(arn)) => {
            role_from_arn(cx, path, arn).unwrap_or(Role { name: default_name.into(), path: "/".into(), create: false })
        }
        Some(RoleRef::Spec(r)) => {
            let name = r.name.clone().unwrap_or_else(|| default_name.into());
            cx.check(Code::E0214, &path.key("name"), &name, rules::role_name);
            let role_path = r.path.clone().unwrap_or_else(|| "/".into());
            cx.check(Code::E0214, &path.key("path"), &role_path, rules::iam_path);
            Role { name, path: role_path, create: r.create.unwrap_or(true) }
        }
        None => Role::created(default_name),
    }
}

/// Splits `arn:aws:iam::<acct>:role/<path><name>` (service and account were checked before).
fn role_from_arn(cx: &mut FileCtx<'_>, path: &JsonPath, arn: &str) -> Option<Role> {
    let a = rules::parse_arn(arn).ok()?;
    if a.service != "iam" {
        return None;
    }
    let Some(rest) = a.resource.strip_prefix("role/") else {
        if !cx.has_placeholder(path) {
            cx.broken(
                Code::E0212,
                path,
                arn,
                Broken {
                    message: "IAM ARN must name a role".into(),
                    label: "not role/<name>".into(),
                    expected: "arn:aws:iam::<account>:role/<name>".into(),
                    help: None,
                    fix: None,
                },
            );
        }
        return None;
    };
    if !a.region.is_empty() {
        cx.broken(
            Code::E0212,
            path,
            arn,
            Broken {
                message: "IAM ARNs have no region".into(),
                label: "region given".into(),
                expected: "arn:aws:iam::<account>:role/<name> (two colons after iam)".into(),
                help: None,
                fix: None,
            },
        );
        return None;
    }
    let (role_path, name) = match rest.rfind('/') {
        Some(i) => (format!("/{}", &rest[..=i]), &rest[i + 1..]),
        None => ("/".to_string(), rest),
    };
    if name.contains('<') {
        return Some(Role { name: name.into(), path: role_path, create: false });
    }
    if let Err(mut b) = rules::role_name(name) {
        b.message = format!("the role name in this ARN is invalid: {}", b.message);
        cx.broken(Code::E0214, path, arn, b);
        return None;
    }
    Some(Role { name: name.into(), path: role_path, create: false })
}

fn emails(cx: &mut FileCtx<'_>, value: Option<&OneOrMany>, path: &JsonPath) -> Vec<String> {
    let Some(v) = value else { return Vec::new() };
    let list = v.to_vec();
    // Several addresses in one string: one problem per string, fixed by the list written out.
    let split: Vec<Vec<String>> =
        list.iter().map(|e| rules::email_list(e).unwrap_or_else(|| vec![e.clone()])).collect();
    let whole: Vec<String> = split.iter().flatten().cloned().collect();
    for (i, e) in list.iter().enumerate() {
        let p = match v {
            OneOrMany::One(_) => path.clone(),
            OneOrMany::Many(_) => path.index(i),
        };
        if split[i].len() > 1 && !cx.has_placeholder(&p) {
            let n = split[i].len();
            cx.push(
                cx.error(Code::E0219, &p, format!("{n} e-mail addresses written as one string"))
                    .label("one string, several addresses")
                    .expected("each address its own string in a list, e.g. [\"a@example.com\", \"b@example.com\"]")
                    .found(quoted(e))
                    .help(format!(
                        "write a list of addresses: \"{}\": {}",
                        path.last_key(),
                        serde_json::to_string(&whole).unwrap_or_default().replace("\",\"", "\", \"")
                    ))
                    .fix(path, whole.clone()),
            );
            continue;
        }
        if cx.check(Code::E0219, &p, e, rules::email) && e == "admin@org.com" {
            cx.push(
                Diagnostic::warning(Code::E0219, cx.file, "this is the blog post's sample address")
                    .at(cx.span(&p), p.to_string())
                    .label("sample value")
                    .expected("an address that someone reads")
                    .found(quoted(e))
                    .help("notifications go nowhere useful until this is a real team address"),
            );
        }
    }
    whole
}

/// A topic mlopsgen creates with nobody subscribed: what it announces reaches no one, silently.
fn no_subscriber(cx: &mut FileCtx<'_>, path: &JsonPath, what: &str, topic: &str, announces: &str, example: &str) {
    let at = match path.lookup(cx.root) {
        Some(_) => cx.span(path),
        None => Span::new(cx.root.span.start, cx.root.span.start + 1),
    };
    cx.push(
        Diagnostic::warning(Code::E0232, cx.file, format!("the {what} has no subscriber"))
            .at(at, path.to_string())
            .label("nobody is told")
            .expected(format!("the addresses of the people to tell, e.g. {example}"))
            .found("no e-mail address")
            .help(format!(
                "{announces} are published to {} and reach nobody; each address gets a confirmation e-mail from SNS first",
                quoted(topic)
            )),
    );
}

fn deploy(cx: &mut FileCtx<'_>, d: &RawDeploy) -> Deploy {
    let path = JsonPath::root().key("deploy");
    cx.check(Code::E0210, &path.key("jenkins_account_id"), &d.jenkins_account_id, rules::account_id);
    let jenkins_role_name = d.jenkins_role_name.clone().unwrap_or_else(|| "jenkins-server-role".into());
    cx.check(Code::E0214, &path.key("jenkins_role_name"), &jenkins_role_name, rules::role_name);
    let role_name = d.role_name.clone().unwrap_or_else(|| "cross-account-jenkins-role".into());
    cx.check(Code::E0214, &path.key("role_name"), &role_name, rules::role_name);
    if let Some(x) = &d.external_id {
        cx.check(Code::E0229, &path.key("external_id"), x, rules::external_id);
    }
    let log_group = d.log_group.as_ref().map(|l| {
        let lp = path.key("log_group");
        let name = l.name.clone().unwrap_or_else(|| "jenkins-log".into());
        cx.check(Code::E0223, &lp.key("name"), &name, rules::log_group_name);
        let retention_in_days = retention(cx, &lp.key("retention_in_days"), l.retention_in_days);
        LogGroup { name, retention_in_days }
    });
    let jenkins_plan_role_name = d.jenkins_plan_role_name.clone().unwrap_or_else(|| jenkins_role_name.clone());
    cx.check(Code::E0214, &path.key("jenkins_plan_role_name"), &jenkins_plan_role_name, rules::role_name);
    let branch = d.branch.clone().unwrap_or_else(|| "main".into());
    cx.check(Code::E0240, &path.key("branch"), &branch, rules::git_branch);
    if let Some(s) = &d.jenkins_submitter {
        cx.check(Code::E0240, &path.key("jenkins_submitter"), s, rules::jenkins_submitter);
    }
    Deploy {
        jenkins_account_id: d.jenkins_account_id.clone(),
        jenkins_role_name,
        role_name,
        external_id: d.external_id.clone(),
        jenkins_plan_role_name,
        approval_required: d.approval_required.unwrap_or(true),
        jenkins_submitter: d.jenkins_submitter.clone(),
        branch,
        log_group,
    }
}

/// A log retention (default 365): CloudWatch Logs accepts only its listed values.
fn retention(cx: &mut FileCtx<'_>, path: &JsonPath, value: Option<i64>) -> i64 {
    let retention_in_days = value.unwrap_or(365);
    if !crate::config::shape::LOG_RETENTION_DAYS.contains(&retention_in_days) {
        let nearest =
            crate::config::shape::LOG_RETENTION_DAYS.iter().copied().find(|d| *d >= retention_in_days).unwrap_or(3653);
        cx.push(
            cx.error(Code::E0223, path, "CloudWatch Logs does not accept this retention")
                .label("not an allowed value")
                .expected("one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653")
                .found(retention_in_days.to_string())
                .help(format!("the next allowed value is {nearest}"))
                .fix(path, nearest),
        );
    }
    retention_in_days
}

fn workload(
    cx: &mut FileCtx<'_>,
    raw: &RawEnv,
    prefix: &str,
    account: Option<&str>,
    region: &str,
    partition: &str,
) -> Workload {
    let root = JsonPath::root();
    let alert_topic = raw.pipelines_alert_topic_name.clone().unwrap_or_else(|| format!("{prefix}-pipeline-alerts"));
    cx.check(Code::E0216, &root.key("pipelines_alert_topic_name"), &alert_topic, rules::sns_topic_name);
    let alert_emails = emails(cx, raw.email.as_ref(), &root.key("email"));
    if alert_emails.is_empty() {
        let announces = "pipeline failures, drift and rejected batches";
        let example = "\"email\": [\"ml-ops@example.com\"]";
        no_subscriber(cx, &root.key("email"), "alert topic", &alert_topic, announces, example);
    }
    let lambda_role = role(cx, raw.lambda_role.as_ref(), &root.key("lambda_role"), "lambda-sagemaker-role");
    let execution_role = execution_role(cx, raw);
    let acct = account.unwrap_or("000000000000").to_string();
    let default_bucket = bucket(cx, raw.default_bucket.as_ref(), &root.key("default_bucket"), || {
        format!("{prefix}-data-{acct}-{region}")
    });
    let (artifacts_bucket, artifacts_bucket_path) = match &raw.model_artifacts_bucket {
        Some(BucketRef::Name(n)) => {
            cx.check(Code::E0213, &root.key("model_artifacts_bucket"), n, rules::bucket_name);
            (n.clone(), Some(root.key("model_artifacts_bucket")))
        }
        Some(BucketRef::Spec(s)) => {
            let p = root.key("model_artifacts_bucket");
            if s.create != Some(false) {
                cx.push(
                    Diagnostic::error(
                        Code::E0227,
                        cx.file,
                        "the model artifacts bucket is created by the registry environment",
                    )
                    .at(cx.span(&p), p.to_string())
                    .label("a workload environment only references it")
                    .expected("the bucket's name as a string")
                    .found("an object that creates the bucket")
                    .help(format!(
                        "write \"model_artifacts_bucket\": {} here and create it in the registry's file",
                        quoted(&s.name)
                    ))
                    .fix(&p, s.name.as_str()),
                );
            }
            cx.check(Code::E0213, &p.key("name"), &s.name, rules::bucket_name);
            (s.name.clone(), Some(p.key("name")))
        }
        None => (String::new(), None),
    };
    let models = models(cx, raw, region, partition);
    let n = raw.network.clone().unwrap_or_default();
    let vpc = match (&n.subnet_ids, &n.security_group_ids) {
        (Some(s), Some(g)) => Some((s.clone(), g.clone())),
        (None, None) => None,
        (s, _) => {
            let (have, missing) =
                if s.is_some() { ("subnet_ids", "security_group_ids") } else { ("security_group_ids", "subnet_ids") };
            let path = root.key("network").key(have);
            cx.push(
                cx.error(Code::E0226, &path, format!("network.{have} needs network.{missing}"))
                    .label("a VpcConfig needs both")
                    .expected("both subnet_ids and security_group_ids, or neither")
                    .found(format!("{have} without {missing}"))
                    .help(format!("add \"{missing}\": [...] to network, or remove \"{have}\"")),
            );
            None
        }
    };
    let network = Network { isolation: n.isolation.unwrap_or(true), vpc };
    let jl = raw.job_logs.clone().unwrap_or_default();
    let job_logs = JobLogs {
        // The structural check has refused any other value.
        mode: match jl.log_groups.as_deref() {
            Some("import") => JobLogsMode::Import,
            Some("unmanaged") => JobLogsMode::Unmanaged,
            _ => JobLogsMode::Create,
        },
        retention_in_days: retention(cx, &root.key("job_logs").key("retention_in_days"), jl.retention_in_days),
    };
    Workload {
        alert_topic,
        alert_emails,
        lambda_role,
        execution_role,
        default_bucket,
        artifacts_bucket,
        artifacts_bucket_path,
        models,
        network,
        job_logs,
    }
}

/// The SageMaker execution role: `sagemaker_execution_role` or the seed's `role_arn` keys, which
/// must all agree (one execution role per environment).
fn execution_role(cx: &mut FileCtx<'_>, raw: &RawEnv) -> Role {
    let root = JsonPath::root();
    let mut arns: Vec<(JsonPath, &str)> = Vec::new();
    if let Some(RoleRef::Arn(a)) = &raw.sagemaker_execution_role {
        arns.push((root.key("sagemaker_execution_role"), a));
    }
    let mut models: Vec<(JsonPath, &RawModel)> = vec![(root.clone(), &raw.single_model)];
    for (name, m) in raw.models.iter().flatten() {
        models.push((root.key("models").key(name), m));
    }
    for (base, m) in &models {
        if let Some(a) = m.train_pipeline.as_ref().and_then(|t| t.role_arn.as_deref()) {
            arns.push((base.key("train_pipeline").key("role_arn"), a));
        }
        if let Some(a) = m.inference_pipeline.as_ref().and_then(|t| t.role_arn.as_deref()) {
            arns.push((base.key("inference_pipeline").key("role_arn"), a));
        }
    }
    if let (Some(RoleRef::Spec(_)), Some((path, _))) = (&raw.sagemaker_execution_role, arns.first()) {
        cx.push(
            cx.error(
                Code::E0226,
                path,
                "role_arn names an existing role but sagemaker_execution_role asks to create one",
            )
            .label("conflicts with sagemaker_execution_role")
            .expected("either an existing role (role_arn) or a role to create, not both")
            .found("both")
            .help("remove role_arn to let mlopsgen create the role, or remove sagemaker_execution_role"),
        );
    }
    if let Some((first_path, first)) = arns.first().cloned() {
        for (path, a) in arns.iter().skip(1) {
            if a != &first && !cx.has_placeholder(path) && !cx.has_placeholder(&first_path) {
                cx.push(
                    cx.error(Code::E0226, path, "all pipelines of an environment run with one execution role")
                        .label("a different role")
                        .expected(format!("{} (as in {first_path})", quoted(first)))
                        .found(quoted(a))
                        .help("give the role once in \"sagemaker_execution_role\""),
                );
            }
        }
        return role(cx, Some(&RoleRef::Arn(first.to_string())), &first_path, "sagemaker-execution-role");
    }
    role(cx, raw.sagemaker_execution_role.as_ref(), &root.key("sagemaker_execution_role"), "sagemaker-execution-role")
}

fn models(cx: &mut FileCtx<'_>, raw: &RawEnv, region: &str, partition: &str) -> Vec<Model> {
    let root = JsonPath::root();
    let mut out = Vec::new();
    let single = !raw.single_model.is_empty() || raw.model_name.is_some();
    if single && raw.models.is_some() {
        let p = root.key("models");
        cx.push(
            Diagnostic::error(Code::E0226, cx.file, "use either the single-model keys or `models`, not both")
                .at(cx.key_span(&p), p.to_string())
                .label("models given twice")
                .expected("model_name with its keys at the top level (one model), or models (any number)")
                .found("both")
                .help("move the top-level model keys into an entry of models"),
        );
        return out;
    }
    if single {
        match &raw.model_name {
            Some(name) => {
                if cx.check(Code::E0217, &root.key("model_name"), name, rules::model_name) {
                    out.push(model(cx, name, &root, &raw.single_model, region, partition));
                }
            }
            None => cx.push(
                Diagnostic::error(Code::E0203, cx.file, "missing required key `model_name`")
                    .at(Span::new(cx.root.span.start, cx.root.span.start + 1), "$")
                    .label("the model keys here need a model_name")
                    .expected("\"model_name\": the model's name, e.g. \"mammography-severity-model\"")
                    .found("model keys without model_name"),
            ),
        }
    }
    for (name, m) in raw.models.iter().flatten() {
        let base = root.key("models").key(name);
        let ok = !cx.has_placeholder(&base)
            && match rules::model_name(name) {
                Ok(()) => true,
                Err(b) => {
                    cx.broken_key(Code::E0217, &base, b);
                    false
                }
            };
        if ok && let Some(first) = out.iter().find(|o| o.name.eq_ignore_ascii_case(name)) {
            cx.push(same_but_case(cx, &base, "model", name, &first.name).help(format!(
                "both would be labelled {} in Terraform and their files clash on case-insensitive file systems; rename one",
                crate::model::names::label(name)
            )));
        } else if ok {
            out.push(model(cx, name, &base, m, region, partition));
        }
    }
    if out.is_empty() && !single && raw.models.as_ref().is_none_or(|m| m.is_empty()) {
        cx.push(
            Diagnostic::error(Code::E0203, cx.file, "a workload environment needs at least one model")
                .at(Span::new(cx.root.span.start, cx.root.span.start + 1), "$")
                .label("no model")
                .expected("\"models\": {\"<name>\": {...}} or \"model_name\" with the single-model keys")
                .found("no model keys")
                .help("set \"kind\": \"registry\" if this environment holds the model registry"),
        );
    }
    out
}

/// `name` (the key at `path`) differs from an earlier `first` only in case: AWS and the file
/// system may take them for one (E0311).
fn same_but_case(cx: &FileCtx<'_>, path: &JsonPath, what: &str, name: &str, first: &str) -> Diagnostic {
    Diagnostic::error(Code::E0311, cx.file, format!("{what} names must differ in more than case"))
        .at(cx.key_span(path), path.to_string())
        .label(format!("{} apart from case", quoted(first)))
        .expected(format!("{what} names that are unique ignoring case"))
        .found(quoted(name))
}

/// Two spellings of one value (`train_pipeline_name` and `train_pipeline.name`) must agree.
fn one_of_two(
    cx: &mut FileCtx<'_>,
    a: Option<(&str, JsonPath)>,
    b: Option<(&str, JsonPath)>,
) -> Option<(String, JsonPath)> {
    match (a, b) {
        (Some((x, px)), Some((y, py))) => {
            if x != y {
                cx.push(
                    cx.error(Code::E0226, &py, "two keys name this differently")
                        .label(format!("differs from {px}"))
                        .expected(quoted(x))
                        .found(quoted(y))
                        .help("the seed repeats names in two places; keep them equal or drop one")
                        .fix(&py, x),
                );
            }
            Some((x.to_string(), px))
        }
        (Some((x, p)), None) | (None, Some((x, p))) => Some((x.to_string(), p)),
        (None, None) => None,
    }
}

fn model(cx: &mut FileCtx<'_>, name: &str, base: &JsonPath, m: &RawModel, region: &str, partition: &str) -> Model {
    let t = m.train_pipeline.clone().unwrap_or_default();
    let i = m.inference_pipeline.clone().unwrap_or_default();
    let tp = base.key("train_pipeline");
    let ip = base.key("inference_pipeline");

    let train_name = one_of_two(
        cx,
        m.train_pipeline_name.as_deref().map(|n| (n, base.key("train_pipeline_name"))),
        t.name.as_deref().map(|n| (n, tp.key("name"))),
    );
    // Default pipeline names are lowercase even for a model name with capitals (rules::pipeline_name).
    let stem = name.to_ascii_lowercase();
    let (train_name, train_path) = train_name.unwrap_or_else(|| (format!("{stem}-train-pipeline"), tp.clone()));
    cx.check(Code::E0217, &train_path, &train_name, rules::pipeline_name);
    let infer_name = one_of_two(
        cx,
        m.inference_pipeline_name.as_deref().map(|n| (n, base.key("inference_pipeline_name"))),
        i.name.as_deref().map(|n| (n, ip.key("name"))),
    );
    let (infer_name, infer_path) = infer_name.unwrap_or_else(|| (format!("{stem}-inference-pipeline"), ip.clone()));
    cx.check(Code::E0217, &infer_path, &infer_name, rules::pipeline_name);
    if train_name.eq_ignore_ascii_case(&infer_name) {
        cx.push(
            cx.error(Code::E0311, &infer_path, "the train and inference pipelines need different names")
                .label("same as the train pipeline")
                .expected(format!("a name other than {}", quoted(&train_name)))
                .found(quoted(&infer_name)),
        );
    }
    for (arn, path, pipeline) in [(&t.arn, tp.key("arn"), &train_name), (&i.arn, ip.key("arn"), &infer_name)] {
        let Some(arn) = arn else { continue };
        let Ok(a) = rules::parse_arn(arn) else { continue };
        if a.service != "sagemaker" {
            continue;
        }
        check_arn_location(cx, &path, arn, &a, region, partition);
        let want = format!("pipeline/{pipeline}");
        if !a.resource.eq_ignore_ascii_case(&want) && !a.resource.contains('<') {
            cx.broken(
                Code::E0212,
                &path,
                arn,
                Broken {
                    message: "pipeline ARN names another pipeline".into(),
                    label: format!("not {want}"),
                    expected: format!("an ARN ending in :{want}"),
                    help: Some("the ARN is informational; remove it or make it match the name".into()),
                    fix: None,
                },
            );
        }
    }

    let group = group_ref(cx, m, base, region, partition);

    let batch_dataset_filename = m.batch_dataset_filename.clone().unwrap_or_else(|| "batch-dataset".into());
    cx.check(Code::E0222, &base.key("batch_dataset_filename"), &batch_dataset_filename, rules::s3_file_name);

    let instance = |cx: &mut FileCtx<'_>, v: &Option<String>, path: JsonPath| {
        let s = v.clone().unwrap_or_else(|| "ml.m5.xlarge".into());
        cx.check(Code::E0221, &path, &s, rules::instance_type);
        s
    };
    let processing_instance_type = instance(cx, &t.processing_instance_type, tp.key("processing_instance_type"));
    let training_instance_type = instance(cx, &t.training_instance_type, tp.key("training_instance_type"));
    let transform_instance_type = instance(cx, &i.transform_instance_type, ip.key("transform_instance_type"));
    let monitoring_instance_type = instance(cx, &i.monitoring_instance_type, ip.key("monitoring_instance_type"));

    let xgboost_version = t.xgboost_version.clone().unwrap_or_else(|| "1.7-1".into());
    let sklearn_version = t.sklearn_version.clone().unwrap_or_else(|| "1.2-1".into());
    framework_version(cx, Framework::Xgboost, "XGBoost", &xgboost_version, &tp.key("xgboost_version"), region);
    framework_version(cx, Framework::Sklearn, "scikit-learn", &sklearn_version, &tp.key("sklearn_version"), region);
    // Hyperparameters from the model file were checked there, once: not again for each environment.
    let (contract, problem, gate, monitoring, declared, training) = match cx.models.get(name).cloned() {
        Some(spec) => {
            let file = crate::diag::display_path(&spec.file);
            // What the model is belongs to the model file alone; how it trains and is watched
            // may be set here when the model file leaves it out.
            let mine = [
                ("problem_type", m.problem_type.is_some(), base.key("problem_type")),
                ("data_contract", m.data_contract.is_some(), base.key("data_contract")),
                ("monitoring", m.monitoring.is_some() && spec.declares_monitoring, base.key("monitoring")),
                (
                    "hyperparameters",
                    t.hyperparameters.is_some() && spec.hyperparameters.is_some(),
                    tp.key("hyperparameters"),
                ),
            ];
            for (key, set, path) in mine {
                if set {
                    cx.push(
                        cx.error(
                            Code::E0226,
                            &path,
                            format!("`{key}` of model {} is declared in {file}", quoted(name)),
                        )
                        .label("declared twice")
                        .expected(format!("{key} only in {file}, which every environment of the model reads"))
                        .found(format!("{key} here too"))
                        .help(format!("remove it here; change {file} to change the model everywhere")),
                    );
                }
            }
            let gate = if t.gate.is_some() || t.auc_threshold.is_some() {
                super::contract::gate(cx, t.gate.as_ref(), t.auc_threshold, spec.problem, &tp)
            } else {
                spec.gate
            };
            let monitoring = if spec.declares_monitoring || m.monitoring.is_none() {
                spec.monitoring
            } else {
                super::contract::monitoring(cx, m.monitoring.as_ref(), base, name, spec.problem)
            };
            if t.hyperparameters.is_some() && spec.training != Training::Xgboost {
                cx.push(
                    cx.error(
                        Code::E0235,
                        &tp.key("hyperparameters"),
                        format!("model {} is not trained by the built-in XGBoost ({file})", quoted(name)),
                    )
                    .label("XGBoost hyperparameters")
                    .expected(format!("training.hyperparameters in {file}"))
                    .found("train_pipeline.hyperparameters")
                    .help("remove them here"),
                );
            }
            (spec.contract, spec.problem, gate, monitoring, spec.hyperparameters, spec.training)
        }
        None => {
            if m.data_contract.is_none() {
                let at = if base.0.is_empty() { base.key("model_name") } else { base.clone() };
                cx.push(
                    Diagnostic::warning(Code::E0234, cx.file, format!("model {} reads the blog post's data contract", quoted(name)))
                        .at(cx.key_span(&at), at.to_string())
                        .label("no data contract")
                        .expected(format!("models/{name}.json with the model's data_contract, or \"data_contract\" here"))
                        .found("the default: BIRADS, Age, Shape, Margin, Density and the label Severity (the UCI mammographic masses data)")
                        .help(format!("run `mlopsgen init --data FILE.csv --label COLUMN` in an empty directory and copy its models/*.json to models/{name}.json, or write the contract")),
                );
            }
            let contract = super::contract::contract(cx, m.data_contract.as_ref(), base);
            let problem =
                super::contract::problem(cx, m.problem_type.as_deref(), &contract, m.data_contract.as_ref(), base);
            let gate = super::contract::gate(cx, t.gate.as_ref(), t.auc_threshold, problem, &tp);
            let monitoring = super::contract::monitoring(cx, m.monitoring.as_ref(), base, name, problem);
            let training =
                super::training::training(cx, m.training.as_ref(), t.hyperparameters.is_some(), &base.key("training"));
            (contract, problem, gate, monitoring, None, training)
        }
    };
    if monitoring.engine == Engine::ModelMonitor
        && images::registry(Framework::ModelMonitor, images::MODEL_MONITOR_VERSION, region).is_none()
        && images::known_regions().contains(region)
    {
        cx.push(
            cx.error(Code::E0211, &base.key("monitoring").key("engine"), "SageMaker Model Monitor is not available in this region")
                .label(format!("no Model Monitor image in {region}"))
                .expected("\"builtin\" here, or a region with the Model Monitor image, e.g. \"us-east-1\"")
                .found("\"model-monitor\"")
                .help("monitoring.engine \"model-monitor\" needs the Model Monitor image; use the default engine \"builtin\" or another region")
                .fix(&base.key("monitoring").key("engine"), "builtin"),
        );
    }

    let input_data_prefix = t.input_data_prefix.clone().unwrap_or_else(|| format!("{name}/data/train-dataset/"));
    cx.check(Code::E0222, &tp.key("input_data_prefix"), &input_data_prefix, rules::s3_prefix);

    let cron_schedule = i.cron_schedule.clone().unwrap_or_else(|| "cron(0 23 * * ? *)".into());
    cx.check(Code::E0218, &ip.key("cron_schedule"), &cron_schedule, rules::schedule_expression);
    let schedule_timezone = i.schedule_timezone.clone().unwrap_or_else(|| "UTC".into());
    cx.check(Code::E0231, &ip.key("schedule_timezone"), &schedule_timezone, rules::time_zone);

    let hyperparameters = match declared {
        Some(h) => h,
        None => hyperparameters(cx, t.hyperparameters.as_ref(), problem, &tp.key("hyperparameters")),
    };
    let training_at = match cx.models.get(name) {
        Some(spec) => (spec.file.clone(), JsonPath::root().key("training")),
        None => (cx.file.to_path_buf(), base.key("training")),
    };
    match &training {
        Training::Script(s) if training_at.0 == cx.file => {
            framework_version(
                cx,
                Framework::Sklearn,
                "scikit-learn",
                &s.framework_version,
                &training_at.1.key("framework_version"),
                region,
            );
        }
        Training::Image { uri, .. } => {
            if let Ok((image_region, _)) = super::training::ecr_uri(uri)
                && image_region != region
            {
                let at = if training_at.0 == cx.file { training_at.1.key("image_uri") } else { base.clone() };
                cx.push(
                    cx.error(Code::E0235, &at, format!("the image is in {image_region}, the environment in {region}"))
                        .label("another region")
                        .expected(format!("an ECR image in {region} (SageMaker pulls from the job's region)"))
                        .found(quoted(uri))
                        .help(format!("replicate the repository to {region} (ECR replication) and use that URI")),
                );
            }
        }
        _ => {}
    }
    Model {
        name: name.to_string(),
        path: base.clone(),
        group,
        batch_dataset_filename,
        retrain_on_drift: m.retrain_on_drift.unwrap_or(true),
        problem,
        training,
        train: Train {
            pipeline_name: train_name,
            processing_instance_type,
            processing_instance_count: t.processing_instance_count.unwrap_or(1),
            training_instance_type,
            training_instance_count: t.training_instance_count.unwrap_or(1),
            training_volume_size_in_gb: t.training_volume_size_in_gb.unwrap_or(30),
            max_runtime_in_seconds: t.max_runtime_in_seconds.unwrap_or(86400),
            gate,
            hyperparameters,
            xgboost_version,
            sklearn_version,
            input_data_prefix,
        },
        inference: Inference {
            pipeline_name: infer_name,
            cron_schedule,
            schedule_enabled: i.schedule_enabled.unwrap_or(true),
            transform_instance_type,
            transform_instance_count: i.transform_instance_count.unwrap_or(1),
            monitoring_instance_type,
            schedule_timezone,
            schedule_window_in_minutes: i.schedule_window_in_minutes.unwrap_or(0),
        },
        contract,
        monitoring,
    }
}

pub(super) fn framework_version(
    cx: &mut FileCtx<'_>,
    f: Framework,
    label: &str,
    version: &str,
    path: &JsonPath,
    region: &str,
) {
    let versions = images::versions(f);
    if !versions.contains(&version) {
        let mut d = cx
            .error(Code::E0225, path, format!("unknown {label} image version"))
            .label("no such SageMaker image")
            .expected(format!("one of {}", versions.iter().map(|v| quoted(v)).collect::<Vec<_>>().join(", ")))
            .found(quoted(version));
        if let Some(s) = super::structure::did_you_mean(version, versions.iter().copied()) {
            d = d.help(format!("did you mean {}?", quoted(s))).fix(path, s);
        }
        cx.push(d);
    } else if images::registry(f, version, region).is_none() && images::known_regions().contains(region) {
        cx.push(
            cx.error(Code::E0225, path, format!("the {label} {version} image is not published in {region}"))
                .label("not in this region")
                .expected(format!("a {label} version available in {region}"))
                .found(quoted(version)),
        );
    }
}

/// Parses `model_package_group_name`: an ARN, `env:group`, or a group name.
fn group_ref(cx: &mut FileCtx<'_>, m: &RawModel, base: &JsonPath, region: &str, partition: &str) -> GroupRef {
    let path = base.key("model_package_group_name");
    let Some(value) = m.model_package_group_name.as_deref() else {
        cx.push(
            Diagnostic::error(Code::E0203, cx.file, "missing required key `model_package_group_name`")
                .at(cx.span(base), base.to_string())
                .label("the model needs a model package group")
                .expected("\"model_package_group_name\": \"registry:<group>\" or the group's ARN")
                .found("no such key"),
        );
        return GroupRef { name: String::new(), account: None, env: None, path };
    };
    if value.starts_with("arn:") {
        let Ok(a) = rules::parse_arn(value) else {
            if let Err(b) = rules::parse_arn(value)
                && !cx.has_placeholder(&path)
            {
                cx.broken(Code::E0212, &path, value, b);
            }
            return GroupRef { name: String::new(), account: None, env: None, path };
        };
        let name = a.resource.strip_prefix("model-package-group/");
        if a.service != "sagemaker" || name.is_none() {
            cx.broken(
                Code::E0212,
                &path,
                value,
                Broken {
                    message: "not a model package group ARN".into(),
                    label: "expected sagemaker ... model-package-group/<name>".into(),
                    expected: "arn:aws:sagemaker:<region>:<registry-account>:model-package-group/<name>".into(),
                    help: None,
                    fix: None,
                },
            );
            return GroupRef { name: String::new(), account: None, env: None, path };
        }
        check_arn_location(cx, &path, value, &a, region, partition);
        let name = name.unwrap_or_default().to_string();
        cx.check(Code::E0217, &path, &name, |s| rules::sagemaker_name(s, "model package group name", 63));
        let account = if a.account.starts_with('<') {
            None
        } else if let Err(mut b) = rules::account_id(a.account) {
            b.message = format!("the account part of this ARN is invalid: {}", b.message);
            cx.broken(Code::E0212, &path, value, b);
            None
        } else {
            Some(a.account.to_string())
        };
        return GroupRef { name, account, env: None, path };
    }
    let (env, name) = match value.split_once(':') {
        Some((e, n)) => (Some(e.to_string()), n.to_string()),
        None => (None, value.to_string()),
    };
    cx.check(Code::E0217, &path, &name, |s| rules::sagemaker_name(s, "model package group name", 63));
    GroupRef { name, account: None, env, path }
}

fn registry(cx: &mut FileCtx<'_>, raw: &RawEnv, prefix: &str, account: Option<&str>, region: &str) -> Registry {
    let root = JsonPath::root();
    let acct = account.unwrap_or("000000000000").to_string();
    let artifacts_bucket = bucket(cx, raw.model_artifacts_bucket.as_ref(), &root.key("model_artifacts_bucket"), || {
        format!("{prefix}-model-artifacts-{acct}-{region}")
    });
    let mut groups = Vec::new();
    for (name, g) in raw.model_package_groups.iter().flatten() {
        let path = root.key("model_package_groups").key(name);
        if let Err(b) = rules::sagemaker_name(name, "model package group name", 63) {
            cx.broken_key(Code::E0217, &path, b);
        }
        if let Some(first) = groups.iter().find(|g: &&Group| g.name.eq_ignore_ascii_case(name)) {
            let d = same_but_case(cx, &path, "model package group", name, &first.name).help(format!(
                "both would be labelled {} in Terraform, and SageMaker may take them for one group; rename one",
                crate::model::names::label(name)
            ));
            cx.push(d);
            continue;
        }
        let consumers =
            g.consumers.iter().enumerate().map(|(i, c)| (c.clone(), path.key("consumers").index(i))).collect();
        groups.push(Group {
            name: name.clone(),
            description: g.description.clone().unwrap_or_else(|| format!("Model versions of {name}")),
            consumers,
            path,
        });
    }
    if groups.is_empty() {
        cx.push(
            Diagnostic::error(Code::E0203, cx.file, "the registry environment declares no model package group")
                .at(Span::new(cx.root.span.start, cx.root.span.start + 1), "$")
                .label("no model_package_groups")
                .expected("\"model_package_groups\": {\"<group>\": {\"consumers\": [\"dev\", \"prod\"]}}")
                .found("none"),
        );
    }
    let approvals = raw.approvals.as_ref();
    let approval_topic =
        approvals.and_then(|a| a.topic_name.clone()).unwrap_or_else(|| "model-approval-notification".into());
    cx.check(Code::E0216, &root.key("approvals").key("topic_name"), &approval_topic, rules::sns_topic_name);
    let approval_emails = emails(cx, approvals.and_then(|a| a.email.as_ref()), &root.key("approvals").key("email"));
    if approval_emails.is_empty() {
        let path = root.key("approvals").key("email");
        let example = "\"approvals\": {\"email\": [\"ml-approvers@example.com\"]}";
        no_subscriber(cx, &path, "approval topic", &approval_topic, "model versions waiting for approval", example);
    }
    let role_name = approvals.and_then(|a| a.role_name.clone()).unwrap_or_else(|| format!("{prefix}-model-approver"));
    cx.check(Code::E0214, &root.key("approvals").key("role_name"), &role_name, rules::role_name);
    let approvers = approvals.and_then(|a| a.approvers.clone()).unwrap_or_default();
    for (i, a) in approvers.iter().enumerate() {
        cx.check(Code::E0212, &root.key("approvals").key("approvers").index(i), a, rules::principal_arn);
    }
    Registry {
        artifacts_bucket,
        groups,
        approval_topic,
        approval_emails,
        approver_role: Role::created(role_name),
        approvers,
        require_mfa: approvals.and_then(|a| a.require_mfa).unwrap_or(true),
    }
}

/// The XGBoost hyperparameters with their defaults, checked against the container's table
/// (`config::shape::xgboost`): each value's range, list or tuple (`xgboost::check`), a name
/// given twice through an alias, the dependencies the container checks (updater with booster
/// and process_type, constraints with tree_method, eval_metric with the objective); the
/// objective must fit the problem type.
pub fn hyperparameters(
    cx: &mut FileCtx<'_>,
    raw: Option<&RawHyperparameters>,
    problem: ProblemType,
    hp: &JsonPath,
) -> Hyperparameters {
    use crate::config::shape::xgboost as table;
    let t = table::table();
    const DEFAULTS: [(&str, f64); 6] = [
        ("num_round", 50.0),
        ("max_depth", 5.0),
        ("eta", 0.2),
        ("gamma", 4.0),
        ("min_child_weight", 6.0),
        ("subsample", 0.8),
    ];
    // Canonical name → (the key as written, its value), for the values that passed.
    let mut given: std::collections::BTreeMap<&'static str, (String, &serde_json::Value)> = Default::default();
    // Canonical name → the key first written for it.
    let mut seen: std::collections::BTreeMap<&'static str, &str> = Default::default();
    for (key, value) in raw.iter().flat_map(|r| r.0.iter()) {
        // Unknown and refused names were reported by the structural check.
        let Some(entry) = t.entry(key) else { continue };
        if table::REFUSED.iter().any(|(r, _)| *r == entry.name) {
            continue;
        }
        let p = hp.key(key);
        if let Some(first) = seen.get(entry.name) {
            cx.push(
                cx.error(Code::E0226, &p, format!("`{key}` and `{first}` are one hyperparameter"))
                    .label(format!("{} again", entry.name))
                    .expected(format!("`{first}` or `{key}`, not both"))
                    .found("both")
                    .help(format!("the container reads `{key}` as `{}`; keep one of them", entry.name)),
            );
            continue;
        }
        seen.insert(entry.name, key);
        let preferred = DEFAULTS.iter().find(|(n, _)| *n == entry.name).map(|(_, d)| *d);
        if xgboost::check(cx, entry, value, &p, preferred) {
            given.insert(entry.name, (key.clone(), value));
        }
    }
    let text = |name: &str| given.get(name).and_then(|(_, v)| v.as_str()).map(str::to_string);
    let objective = text("objective").unwrap_or_else(|| problem.default_objective().into());
    if !problem.objectives().contains(&objective.as_str()) {
        let p = hp.key(given.get("objective").map_or("objective", |(k, _)| k.as_str()));
        cx.push(
            cx.error(Code::E0233, &p, format!("objective {} does not fit a {} model", quoted(&objective), problem.as_str()))
                .label(format!("not a {} objective", problem.as_str()))
                .expected(format!(
                    "one of {}",
                    problem.objectives().iter().map(|o| quoted(o)).collect::<Vec<_>>().join(", ")
                ))
                .found(quoted(&objective))
                .help(match problem {
                    ProblemType::Multiclass => "multi:softprob gives every class's probability (log-loss and the scores need them); the predicted class is the most probable one".to_string(),
                    _ => format!("write \"objective\": \"{}\" or leave it out", problem.default_objective()),
                })
                .fix(&p, problem.default_objective()),
        );
    }
    let eval_metric = text("eval_metric");
    if let Some(metrics) = &eval_metric {
        let p = hp.key(&given["eval_metric"].0);
        let items: Vec<&str> = metrics.split(',').map(str::trim).collect();
        // The container's eval_metric_dep_validator.
        let needs = |m: &str| match m {
            "auc" => (!objective.starts_with("binary:") && !objective.starts_with("rank:"))
                .then_some("an objective starting binary: or rank:"),
            "aft-nloglik" => (objective != "survival:aft").then_some("the objective survival:aft"),
            _ => None,
        };
        if let Some((m, need)) = items.iter().find_map(|m| needs(m).map(|n| (*m, n))) {
            cx.push(
                cx.error(
                    Code::E0233,
                    &p,
                    format!("eval_metric {} does not fit the objective {}", quoted(m), quoted(&objective)),
                )
                .label(format!("{m} needs {need}"))
                .expected(format!(
                    "metrics the container computes for {}, e.g. {}",
                    quoted(&objective),
                    quoted(problem.eval_metric())
                ))
                .found(quoted(metrics))
                .help(format!(
                    "the container refuses {m} with {objective}; leave eval_metric out for {}",
                    problem.eval_metric()
                ))
                .fix(&p, problem.eval_metric()),
            );
        }
    }
    dependencies(cx, hp, &given);
    let number = |name: &str, default: f64| given.get(name).and_then(|(_, v)| v.as_f64()).unwrap_or(default);
    let integer = |name: &str, default: i64| given.get(name).and_then(|(_, v)| v.as_i64()).unwrap_or(default);
    let mut others = std::collections::BTreeMap::new();
    for (name, (_, v)) in &given {
        if matches!(*name, "objective" | "eval_metric") || DEFAULTS.iter().any(|(n, _)| n == name) {
            continue;
        }
        let kind = t.entry(name).map(|e| e.kind);
        let value = match (kind, v) {
            (Some(table::HpType::Integer), v) => v.as_i64().map(HyperValue::Integer),
            (Some(table::HpType::Continuous), v) => v.as_f64().map(HyperValue::Number),
            (_, serde_json::Value::Bool(b)) => Some(HyperValue::Bool(*b)),
            (_, v) => v.as_str().map(|s| HyperValue::Text(s.to_string())),
        };
        if let Some(value) = value {
            others.insert(name.to_string(), value);
        }
    }
    Hyperparameters {
        objective,
        num_round: integer("num_round", 50),
        max_depth: integer("max_depth", 5),
        eta: number("eta", 0.2),
        gamma: number("gamma", 4.0),
        min_child_weight: number("min_child_weight", 6.0),
        subsample: number("subsample", 0.8),
        eval_metric,
        others,
    }
}

/// The container's dependency validators: `updater` with `booster` and `process_type`, the
/// feature constraints with `tree_method`.
fn dependencies(
    cx: &mut FileCtx<'_>,
    hp: &JsonPath,
    given: &std::collections::BTreeMap<&'static str, (String, &serde_json::Value)>,
) {
    let text = |name: &str| given.get(name).and_then(|(_, v)| v.as_str());
    let tree_method = text("tree_method");
    for (name, methods) in [
        ("monotone_constraints", &["exact", "hist"][..]),
        ("interaction_constraints", &["exact", "hist", "approx"][..]),
    ] {
        let Some((key, _)) = given.get(name) else { continue };
        if tree_method.is_some_and(|m| methods.contains(&m)) {
            continue;
        }
        let p = hp.key(key);
        let options = methods.iter().map(|m| quoted(m)).collect::<Vec<_>>().join(" or ");
        cx.push(
            cx.error(Code::E0226, &p, format!("`{name}` needs tree_method {options}"))
                .label(format!("with tree_method {}", tree_method.map_or("left out".to_string(), quoted)))
                .expected(format!("\"tree_method\": {options} beside it"))
                .found(tree_method.map_or("no tree_method".to_string(), |m| format!("\"tree_method\": {}", quoted(m))))
                .help("the container refuses the constraint with another tree method; \"hist\" is the fast one")
                .fix(&hp.key("tree_method"), "hist"),
        );
    }
    let Some(updater) = text("updater") else { return };
    let plugins: Vec<&str> = updater.split(',').map(str::trim).collect();
    const LINEAR: &[&str] = &["shotgun", "coord_descent"];
    const TREE: &[&str] = &["grow_colmaker", "distcol", "grow_histmaker", "grow_skmaker", "sync", "refresh", "prune"];
    const TREE_BUILD: &[&str] = &["grow_colmaker", "distcol", "grow_histmaker"];
    let problem = if text("booster") == Some("gblinear") {
        (!(plugins.len() == 1 && LINEAR.contains(&plugins[0]))).then_some({
            ("booster gblinear takes exactly one updater", "\"shotgun\" or \"coord_descent\"", Some("shotgun"))
        })
    } else if text("process_type") == Some("update") {
        (!plugins.iter().all(|p| ["refresh", "prune"].contains(p))).then_some({
            (
                "process_type update takes the updaters refresh and prune only",
                "\"refresh\", \"prune\" or \"refresh,prune\"",
                Some("refresh,prune"),
            )
        })
    } else if !plugins.iter().all(|p| TREE.contains(p)) {
        Some((
            "a tree booster takes tree updaters only",
            "updaters from grow_colmaker, distcol, grow_histmaker, grow_skmaker, sync, refresh, prune",
            None,
        ))
    } else if plugins.iter().filter(|p| TREE_BUILD.contains(p)).count() > 1 {
        Some(("a tree booster takes one grow updater", "at most one of grow_colmaker, distcol, grow_histmaker", None))
    } else {
        None
    };
    if let Some((message, expected, fix)) = problem {
        let p = hp.key(&given["updater"].0);
        let mut d = cx
            .error(Code::E0226, &p, format!("`updater`: {message}"))
            .label("the container refuses this updater")
            .expected(expected)
            .found(quoted(updater));
        if let Some(f) = fix {
            d = d.fix(&p, f);
        }
        cx.push(d);
    }
}
