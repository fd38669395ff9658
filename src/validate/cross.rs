//! Checks that need every environment at once: one registry, distinct accounts, one region,
//! model package groups that the registry declares and grants to exactly the environments that
//! use them, KMS keys shared with environments that exist and that need them, one artifacts
//! bucket, unique names. Fills in what one file cannot know alone (the registry's account and
//! bucket in each workload environment).

use super::structure::{did_you_mean, did_you_mean_env};
use crate::config::json::Node;
use crate::config::path::JsonPath;
use crate::diag::{Code, Diagnostic, quoted};
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Where each environment's file is and its parsed tree, for spans.
pub struct Trees<'a> {
    pub by_env: BTreeMap<String, (PathBuf, &'a Node)>,
    /// Every environment that has a file, whether or not it passed its own checks.
    pub files: BTreeSet<String>,
    /// Environments whose own file has errors: facts about them are unknown, so checks that
    /// would only repeat those errors in other words stay quiet.
    pub broken: BTreeSet<String>,
}

impl Trees<'_> {
    fn at(&self, env: &str, path: &JsonPath, code: Code, message: impl Into<String>) -> Diagnostic {
        let (file, root) = match self.by_env.get(env) {
            Some((f, r)) => (f.clone(), Some(*r)),
            None => (PathBuf::from(format!("environments/{env}.tfvars.json")), None),
        };
        let span = root.map(|r| path.span_in(r)).unwrap_or_default();
        Diagnostic::error(code, file, message).at(span, path.to_string())
    }

    /// The file of an environment, as diagnostics name it.
    fn file(&self, env: &str) -> PathBuf {
        match self.by_env.get(env) {
            Some((f, _)) => f.clone(),
            None => PathBuf::from(format!("environments/{env}.tfvars.json")),
        }
    }

    /// The text of the string at `path` in `env`'s file with `found` (all of it, or its one
    /// occurrence) replaced by `to`, for a fix; `None` when the value is not written there.
    fn replacement(&self, env: &str, path: &JsonPath, found: &str, to: &str) -> Option<String> {
        let (_, root) = self.by_env.get(env)?;
        path.replacement(root, found, to)
    }
}

/// Runs every cross-environment check; completes `envs` where a fact comes from another file.
pub fn check(envs: &mut [EnvConfig], trees: &Trees<'_>) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let root = JsonPath::root();

    // One registry.
    let registries: Vec<usize> =
        envs.iter().enumerate().filter(|(_, e)| e.kind == EnvKind::Registry).map(|(i, _)| i).collect();
    for &i in registries.iter().skip(1) {
        let first = &envs[registries[0]].name;
        diags.push(
            trees
                .at(&envs[i].name, &root.key("env_group"), Code::E0312, "more than one registry environment")
                .label("a second registry")
                .expected("one central model registry")
                .found(format!("{} and {}", quoted(first), quoted(&envs[i].name)))
                .help("set \"kind\": \"workload\" on one of them")
                .fix(&root.key("kind"), "workload"),
        );
    }
    let registry = match registries[..] {
        [i] => {
            Some((envs[i].name.clone(), envs[i].account_id.clone(), envs[i].region.clone(), envs[i].registry.clone()))
        }
        _ => None,
    };
    // Without exactly one valid registry, "there is no registry" would only echo another error.
    let registry_unknown = registries.len() > 1 || (registry.is_none() && !trees.broken.is_empty());

    // Distinct accounts.
    for (i, e) in envs.iter().enumerate() {
        if let Some(other) = envs[..i].iter().find(|o| o.account_id == e.account_id) {
            diags.push(
                trees
                    .at(&e.name, &account_path(trees, &e.name), Code::E0301, "two environments use one account")
                    .label(format!("also the account of {}", other.name))
                    .expected("one AWS account per environment")
                    .found(quoted(&e.account_id))
                    .help("roles, pipelines and buckets of both would collide; the platform isolates environments by account"),
            );
        }
    }

    // One region: the registry's, since cross-account registration and reads are regional.
    if let Some((reg_name, _, reg_region, _)) = &registry {
        for e in envs.iter().filter(|e| e.kind == EnvKind::Workload) {
            if &e.region != reg_region {
                diags.push(
                    trees
                        .at(&e.name, &root.key("aws_region"), Code::E0302, "environment is not in the registry's region")
                        .label(format!("{reg_name} is in {reg_region}"))
                        .expected(quoted(reg_region))
                        .found(quoted(&e.region))
                        .help("SageMaker model package groups are regional; workload and registry environments share one region")
                        .fix(&root.key("aws_region"), reg_region.as_str()),
                );
            }
        }
    }

    // Model package groups: declared, in the registry account, granted to their users.
    let names: Vec<(String, EnvKind)> = envs.iter().map(|e| (e.name.clone(), e.kind)).collect();
    let workload_names = || names.iter().filter(|(_, k)| *k == EnvKind::Workload).map(|(n, _)| n.as_str());
    // A misspelt consumer is one problem (E0305, with its did-you-mean), not also a missing
    // grant for the environment it meant: `(group, environment meant)`.
    let mut misspelt: BTreeSet<(String, String)> = BTreeSet::new();
    if let Some((_, _, _, Some(reg))) = &registry {
        for g in &reg.groups {
            for (c, _) in g.consumers.iter().filter(|(c, _)| !trees.files.contains(c)) {
                if let Some(meant) = did_you_mean_env(c, workload_names()) {
                    misspelt.insert((g.name.clone(), meant.to_string()));
                }
            }
        }
    }
    let mut users: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut unresolved: BTreeSet<String> = BTreeSet::new();
    for e in envs.iter_mut().filter(|e| e.kind == EnvKind::Workload) {
        let env_name = e.name.clone();
        let Some(w) = e.workload.as_mut() else { continue };
        for m in &mut w.models {
            let g = &mut m.group;
            if g.name.is_empty() {
                unresolved.insert(env_name.clone());
                continue;
            }
            match &registry {
                Some((reg_name, reg_account, _, reg)) => {
                    if let Some(named) = &g.env
                        && named != reg_name
                    {
                        let proposed = format!("{reg_name}:{}", g.name);
                        let help = if did_you_mean_env(named, [reg_name.as_str()]).is_some() {
                            format!("did you mean {}?", quoted(&proposed))
                        } else {
                            format!("the registry environment is {}: {}", quoted(reg_name), quoted(&proposed))
                        };
                        diags.push(
                            trees
                                .at(
                                    &env_name,
                                    &g.path,
                                    Code::E0303,
                                    format!("{} is not the registry environment", quoted(named)),
                                )
                                .label("not the registry")
                                .expected(quoted(&proposed))
                                .found(quoted(&format!("{named}:{}", g.name)))
                                .help(help)
                                .fix(&g.path, proposed),
                        );
                        unresolved.insert(env_name.clone());
                        continue;
                    }
                    if let Some(acct) = &g.account
                        && acct != reg_account
                    {
                        diags.push(
                            trees
                                .at(
                                    &env_name,
                                    &g.path,
                                    Code::E0303,
                                    "model package group ARN is not in the registry account",
                                )
                                .label(format!("account {acct}"))
                                .expected(format!("an ARN in account {reg_account} ({reg_name})"))
                                .found(quoted(acct))
                                .help(format!("write \"{reg_name}:{}\" and mlopsgen builds the ARN", g.name))
                                .fix(&g.path, format!("{reg_name}:{}", g.name)),
                        );
                        unresolved.insert(env_name.clone());
                        continue;
                    }
                    g.account = Some(reg_account.clone());
                    g.env = Some(reg_name.clone());
                    let groups = reg.as_ref().map(|r| r.groups.as_slice()).unwrap_or_default();
                    match groups.iter().find(|x| x.name == g.name) {
                        None if trees.broken.contains(reg_name) => {
                            unresolved.insert(env_name.clone());
                        }
                        None => {
                            let mut d = trees
                                .at(
                                    &env_name,
                                    &g.path,
                                    Code::E0304,
                                    format!("the registry declares no model package group {}", quoted(&g.name)),
                                )
                                .label("not in model_package_groups")
                                .expected(format!(
                                    "one of {}",
                                    groups.iter().map(|x| quoted(&x.name)).collect::<Vec<_>>().join(", ")
                                ))
                                .found(quoted(&g.name));
                            d = match did_you_mean(&g.name, groups.iter().map(|x| x.name.as_str())) {
                                Some(s) => {
                                    let d = d.help(format!("did you mean {}?", quoted(s)));
                                    match trees.replacement(&env_name, &g.path, &g.name, s) {
                                        Some(v) => d.fix(&g.path, v),
                                        None => d,
                                    }
                                }
                                None => d.help(format!("add it to model_package_groups in {reg_name}.tfvars.json")),
                            };
                            diags.push(d);
                            unresolved.insert(env_name.clone());
                        }
                        Some(group) => {
                            users.entry(group.name.clone()).or_default().push(env_name.clone());
                            if !group.consumers.iter().any(|(c, _)| c == &env_name)
                                && !misspelt.contains(&(group.name.clone(), env_name.clone()))
                            {
                                let granted: Vec<&str> = group
                                    .consumers
                                    .iter()
                                    .map(|(c, _)| c.as_str())
                                    .chain([env_name.as_str()])
                                    .collect();
                                diags.push(
                                    trees
                                        .at(
                                            &env_name,
                                            &g.path,
                                            Code::E0306,
                                            format!(
                                                "the registry does not grant {env_name} access to {}",
                                                quoted(&g.name)
                                            ),
                                        )
                                        .label("registration and reads would be denied")
                                        .expected(format!(
                                            "{} in model_package_groups.{}.consumers of {reg_name}",
                                            quoted(&env_name),
                                            g.name
                                        ))
                                        .found(format!(
                                            "consumers: {}",
                                            group
                                                .consumers
                                                .iter()
                                                .map(|(c, _)| quoted(c))
                                                .collect::<Vec<_>>()
                                                .join(", ")
                                        ))
                                        .help(format!(
                                            "add {} to the consumers in {reg_name}.tfvars.json",
                                            quoted(&env_name)
                                        ))
                                        .fix_in(
                                            trees.file(reg_name),
                                            &group.path.key("consumers"),
                                            serde_json::json!(granted),
                                        ),
                                );
                            }
                        }
                    }
                }
                None if registry_unknown => {}
                None => {
                    if let Some(named) = &g.env {
                        diags.push(
                            trees
                                .at(
                                    &env_name,
                                    &g.path,
                                    Code::E0303,
                                    format!("there is no registry environment {}", quoted(named)),
                                )
                                .label("unknown environment")
                                .expected(format!(
                                    "environments/{named}.tfvars.json with \"kind\": \"registry\", or the group's ARN"
                                ))
                                .found(quoted(&format!("{named}:{}", g.name))),
                        );
                    } else if g.account.is_none() {
                        diags.push(
                            trees
                                .at(
                                    &env_name,
                                    &g.path,
                                    Code::E0303,
                                    "the registry account of this model package group is unknown",
                                )
                                .label("a name without a registry")
                                .expected("the group's ARN, or a registry environment that declares the group")
                                .found(quoted(&g.name))
                                .help("write arn:aws:sagemaker:<region>:<registry-account>:model-package-group/<name>"),
                        );
                    }
                }
            }
        }
    }

    // Consumers: existing workload environments that use the group.
    if let Some((reg_name, _, _, Some(reg))) = &registry {
        for g in &reg.groups {
            for (c, path) in &g.consumers {
                let quiet = trees.broken.contains(c) || unresolved.contains(c);
                let d = match names.iter().find(|(n, _)| n == c) {
                    None if trees.files.contains(c) => None,
                    None => {
                        let workloads = workload_names;
                        let d = trees
                            .at(reg_name, path, Code::E0305, format!("no environment named {}", quoted(c)))
                            .label("unknown environment")
                            .expected(format!("one of {}", workloads().map(quoted).collect::<Vec<_>>().join(", ")))
                            .found(quoted(c));
                        Some(match did_you_mean_env(c, workloads()) {
                            Some(s) => d.help(format!("did you mean {}?", quoted(s))).fix(path, s),
                            None => d,
                        })
                    }
                    Some((_, EnvKind::Registry)) => Some(
                        trees
                            .at(reg_name, path, Code::E0305, "the registry does not consume its own groups")
                            .label("not a workload environment")
                            .expected("a workload environment")
                            .found(quoted(c)),
                    ),
                    Some(_) if !quiet && !users.get(&g.name).is_some_and(|u| u.contains(c)) => Some(
                        trees
                            .at(
                                reg_name,
                                path,
                                Code::E0307,
                                format!("{} is granted {} but has no model in it", quoted(c), quoted(&g.name)),
                            )
                            .label("access nobody uses")
                            .expected("grants for exactly the environments whose models use the group")
                            .found(quoted(c))
                            .help(format!(
                                "remove {} from consumers, or point a model of {c} at this group",
                                quoted(c)
                            )),
                    ),
                    Some(_) => None,
                };
                diags.extend(d);
            }
        }
    }

    // KMS keys shared with environments that exist.
    for e in envs.iter() {
        if let KmsKey::Create { shared_with, .. } = &e.kms_key {
            for (other, path) in shared_with {
                if other == &e.name {
                    diags.push(
                        trees
                            .at(&e.name, path, Code::E0308, "a key is always usable by its own environment")
                            .label("itself")
                            .expected("another environment")
                            .found(quoted(other)),
                    );
                } else if !trees.files.contains(other) {
                    let mut d = trees
                        .at(&e.name, path, Code::E0308, format!("no environment named {}", quoted(other)))
                        .label("unknown environment")
                        .expected(format!(
                            "one of {}",
                            names
                                .iter()
                                .filter(|(n, _)| n != &e.name)
                                .map(|(n, _)| quoted(n))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                        .found(quoted(other));
                    if let Some(s) =
                        did_you_mean_env(other, names.iter().map(|(n, _)| n.as_str()).filter(|n| n != &e.name))
                    {
                        d = d.help(format!("did you mean {}?", quoted(s))).fix(path, s);
                    }
                    diags.push(d);
                }
            }
        }
    }

    // One artifacts bucket: the registry's.
    if let Some((reg_name, _, _, Some(reg))) = &registry {
        for e in envs.iter_mut().filter(|e| e.kind == EnvKind::Workload) {
            let env_name = e.name.clone();
            let Some(w) = e.workload.as_mut() else { continue };
            match &w.artifacts_bucket_path {
                Some(path) if w.artifacts_bucket != reg.artifacts_bucket.name => diags.push(
                    trees
                        .at(&env_name, path, Code::E0310, "model artifacts bucket differs from the registry's")
                        .label(format!("{reg_name} uses {}", reg.artifacts_bucket.name))
                        .expected(quoted(&reg.artifacts_bucket.name))
                        .found(quoted(&w.artifacts_bucket))
                        .help("remove the key here and mlopsgen takes the registry's bucket"),
                ),
                Some(_) => {}
                None => w.artifacts_bucket = reg.artifacts_bucket.name.clone(),
            }
        }
    } else if !registry_unknown {
        for e in envs.iter().filter(|e| e.kind == EnvKind::Workload) {
            if e.workload.as_ref().is_some_and(|w| w.artifacts_bucket.is_empty()) {
                diags.push(
                    trees
                        .at(&e.name, &root, Code::E0203, "missing required key `model_artifacts_bucket`")
                        .label("no registry environment to take it from")
                        .expected("\"model_artifacts_bucket\": the name of the bucket in the registry account")
                        .found("no such key"),
                );
            }
        }
    }

    // Names that must be unique: buckets everywhere, pipelines within an account. Compared
    // ignoring case: they become addresses, ARNs and file names, and AWS or a case-insensitive
    // file system may take two spellings for one.
    let mut buckets: BTreeMap<String, (String, JsonPath)> = BTreeMap::new();
    for e in envs.iter() {
        let mut created: Vec<(&Bucket, JsonPath)> = vec![(&e.state_bucket, root.key("terraform_state_bucket"))];
        if let Some(w) = &e.workload {
            created.push((&w.default_bucket, root.key("default_bucket")));
        }
        if let Some(r) = &e.registry {
            created.push((&r.artifacts_bucket, root.key("model_artifacts_bucket")));
        }
        for (b, path) in created {
            if let Some((other, _)) = buckets.get(&b.name.to_ascii_lowercase()) {
                diags.push(
                    trees
                        .at(&e.name, &path, Code::E0311, "bucket name used twice")
                        .label(format!("also used by {other}"))
                        .expected("a distinct bucket for each purpose and environment")
                        .found(quoted(&b.name)),
                );
            } else {
                buckets.insert(b.name.to_ascii_lowercase(), (e.name.clone(), path));
            }
        }
        if let Some(w) = &e.workload {
            let mut seen: BTreeMap<String, &str> = BTreeMap::new();
            for m in &w.models {
                // The quality pipeline is named after the train pipeline: its name is written there.
                for (kind, _) in crate::render::workflow::pipeline_kinds(m) {
                    let name = crate::render::workflow::pipeline_name(m, kind);
                    let which = if kind == "inference" { "inference_pipeline" } else { "train_pipeline" };
                    if let Some(first) = seen.insert(name.to_ascii_lowercase(), m.name.as_str())
                        && first != m.name
                    {
                        diags.push(
                            trees
                                .at(&e.name, &m.path.key(which), Code::E0311, "pipeline name used by two models")
                                .label(format!("also a pipeline of {first}"))
                                .expected("pipeline names unique within the account")
                                .found(quoted(&name)),
                        );
                    }
                }
            }
        }
    }

    // An existing key's policy is not mlopsgen's to write, so say exactly which statements the
    // platform needs there: the ones it would write into the policy of a key it created
    // (render::deploy::key_policy_statements, the one source). Only when every file is valid: with
    // an environment missing, the list would be incomplete.
    if trees.broken.is_empty() {
        for e in envs.iter() {
            if let KmsKey::Existing { arn } = &e.kms_key {
                diags.push(existing_key(trees, e, envs, arn));
            }
        }
    }
    diags
}

/// E0309: the statements an existing key's policy needs, as JSON its owner can paste.
fn existing_key(trees: &Trees<'_>, env: &EnvConfig, all: &[EnvConfig], arn: &str) -> Diagnostic {
    let statements = crate::render::deploy::key_policy_statements(env, all);
    let mut sids: Vec<String> = statements.iter().map(|s| s.sid.clone()).collect();
    sids.sort();
    let document = crate::render::policy::to_json(statements);
    let pasted = serde_json::to_string(&document["Statement"]).unwrap_or_default();
    let uses = match env.kind {
        EnvKind::Workload => {
            "the log groups, the alert topic, the dead-letter queue, the schedules and the pipelines' data are encrypted with it"
        }
        EnvKind::Registry => {
            "model artifacts, evidence and the approval topic are encrypted with it, and the workloads' execution roles read and write them through S3"
        }
    };
    Diagnostic {
        severity: crate::diag::Severity::Warning,
        ..trees.at(
            &env.name,
            &JsonPath::root().key("kms_key"),
            Code::E0309,
            "the existing KMS key's policy must allow what the platform does with it",
        )
    }
    .label("mlopsgen does not manage this key's policy")
    .expected(format!("a key policy with the statements {}", sids.join(", ")))
    .found(quoted(arn))
    .help(format!(
        "{uses}; a service (CloudWatch Logs, EventBridge) can use a key only if its key policy names it, \
         and the roles' own policies work only while the account statement (the default policy's) stays. \
         Add these statements to the key policy: {pasted}"
    ))
}

fn account_path(trees: &Trees<'_>, env: &str) -> JsonPath {
    let p = JsonPath::root().key("account_id");
    match trees.by_env.get(env) {
        Some((_, root)) if p.lookup(root).is_some() => p,
        _ => JsonPath::root(),
    }
}
