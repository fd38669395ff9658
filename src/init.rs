//! `init`: a repository to start from. Writes `environments/` for dev, prod and registry (or,
//! with `--from`, the blog post's seed file as its environment, its values kept), the JSON Schema
//! the configs reference (`schema/env.schema.json`, beside `environments/`) and a `.gitignore`.
//!
//! Owns only these files and never overwrites one: when any exists, nothing is written. The
//! configs are validated in memory before anything is written (`files` returns them; `cli` runs
//! the validation, prints, and calls `write`). Nothing here prints.

use crate::config::{ENV_DIR, ENV_SUFFIX};
use crate::validate::rules;
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

/// The blog post's placeholders for account ids, and the `init` flag that answers each.
pub const ACCOUNT_PLACEHOLDERS: &[(&str, &str)] = &[
    ("<prod-account-id>", "--prod-account"),
    ("<dev-account-id>", "--dev-account"),
    ("<central-model-registry-account-id>", "--registry-account"),
    ("<registry-account-id>", "--registry-account"),
];

/// What `mlopsgen init` was asked for (the command-line flags).
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub dev_account: Option<String>,
    pub prod_account: Option<String>,
    pub registry_account: Option<String>,
    pub region: String,
    /// Starts the names of buckets, key aliases and the project tag.
    pub prefix: String,
    /// Subscribers of the dev and prod alert topics.
    pub email: Vec<String>,
    /// Subscribers of the registry's approval topic.
    pub approver_email: Vec<String>,
    /// The account of the Jenkins server (gives every environment a deploy role).
    pub jenkins_account: Option<String>,
    pub model: String,
    /// The seed file (`prod.tfvars.json` of the blog post) to start from instead.
    pub from: Option<PathBuf>,
}

impl Options {
    /// The account id an account flag of [`ACCOUNT_PLACEHOLDERS`] gave.
    fn account(&self, flag: &str) -> Option<&String> {
        match flag {
            "--dev-account" => self.dev_account.as_ref(),
            "--prod-account" => self.prod_account.as_ref(),
            "--registry-account" => self.registry_account.as_ref(),
            _ => None,
        }
    }
}

/// Why `init` writes nothing.
#[derive(Debug)]
pub enum InitError {
    /// Flag values that would not make valid configs, one sentence each.
    Flags(Vec<String>),
    /// The seed file cannot be used.
    Seed(String),
    /// Files that exist already (relative to the repository).
    Exists(Vec<PathBuf>),
    /// A file could not be written.
    Io(PathBuf, std::io::Error),
}

/// One file to write, relative to the repository root.
#[derive(Debug, Clone)]
pub struct File {
    pub path: PathBuf,
    pub text: String,
}

/// The `$schema` every config written here starts with: the schema beside `environments/`.
pub const SCHEMA_REF: &str = "../schema/env.schema.json";
/// Where the schema goes, relative to the repository root.
pub const SCHEMA_PATH: &str = "schema/env.schema.json";

const GITIGNORE: &str = "\
# Written by `mlopsgen init`. generated/ itself is committed: `mlopsgen plan --check` compares it
# with the configs. Terraform's working files inside the generated roots are not (mlopsgen
# carries them across regenerations); neither is state, which may hold secrets.
.terraform/
.terraform.lock.hcl
*.tfstate
*.tfstate.*
*.tfplan
tfplan
crash.log
crash.*.log
";

/// The files `init` would write for `opts`, configs first. Nothing is read but the seed file.
pub fn files(opts: &Options) -> Result<Vec<File>, InitError> {
    let mut out = match &opts.from {
        Some(seed) => vec![from_seed(opts, seed)?],
        None => platform(opts)?,
    };
    let schema = serde_json::to_string_pretty(&crate::config::shape::json_schema()).unwrap_or_default();
    out.push(File { path: PathBuf::from(SCHEMA_PATH), text: format!("{schema}\n") });
    out.push(File { path: PathBuf::from(".gitignore"), text: GITIGNORE.to_string() });
    Ok(out)
}

/// Writes `files` under `repo`, refusing (and writing nothing) when any of them exists.
pub fn write(repo: &Path, files: &[File]) -> Result<(), InitError> {
    let existing: Vec<PathBuf> =
        files.iter().filter(|f| repo.join(&f.path).symlink_metadata().is_ok()).map(|f| f.path.clone()).collect();
    if !existing.is_empty() {
        return Err(InitError::Exists(existing));
    }
    for f in files {
        let path = repo.join(&f.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| InitError::Io(f.path.clone(), e))?;
        }
        // create_new: a file that appeared since the check above is still not overwritten.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| InitError::Io(f.path.clone(), e))?;
        std::io::Write::write_all(&mut file, f.text.as_bytes()).map_err(|e| InitError::Io(f.path.clone(), e))?;
    }
    Ok(())
}

/// The environments the configs of `files` describe, in the order written.
pub fn environments(files: &[File]) -> Vec<String> {
    files
        .iter()
        .filter_map(|f| f.path.strip_prefix(ENV_DIR).ok()?.to_str()?.strip_suffix(ENV_SUFFIX).map(str::to_string))
        .collect()
}

fn config_path(env: &str) -> PathBuf {
    PathBuf::from(ENV_DIR).join(format!("{env}{ENV_SUFFIX}"))
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

/// Checks the flags the configs are built from, so that a mistake is reported as the flag's.
fn check_flags(opts: &Options, accounts: &[(&str, &str)]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut fail = |flag: &str, value: &str, r: rules::Rule| {
        if let Err(b) = r {
            let hint = b.help.map(|h| format!(" ({h})")).unwrap_or_default();
            problems.push(format!("{flag} {}: {}{hint}", crate::diag::quoted(value), b.message));
        }
    };
    for (flag, id) in accounts {
        fail(flag, id, rules::account_id(id));
    }
    for (i, (flag, id)) in accounts.iter().enumerate() {
        if let Some((other, _)) = accounts[..i].iter().find(|(_, o)| o == id) {
            fail(flag, id, Err(broken(&format!("the same account as {other}; each environment needs its own"))));
        }
    }
    if let Some(j) = &opts.jenkins_account {
        fail("--jenkins-account", j, rules::account_id(j));
    }
    if !crate::model::images::known_regions().contains(&opts.region) {
        let known = crate::model::images::known_regions();
        let near = crate::validate::structure::did_you_mean(&opts.region, known.iter().map(String::as_str));
        let mut b = broken("not a region with the SageMaker images the pipelines use");
        b.help = near.map(|n| format!("did you mean {}?", crate::diag::quoted(n)));
        fail("--region", &opts.region, Err(b));
    }
    // The longest names built from the prefix: a bucket and a key alias.
    let longest = format!("{}-sagemaker-model-artifacts-{}", opts.prefix, "000000000000");
    if let Err(mut b) = rules::bucket_name(&longest) {
        b.help = None;
        b.message = format!("the bucket names built from it would be invalid: {}", b.message);
        fail("--prefix", &opts.prefix, Err(b));
    } else {
        fail("--prefix", &opts.prefix, rules::kms_alias(&format!("alias/{}-registry", opts.prefix)));
    }
    fail("--model", &opts.model, rules::model_name(&opts.model));
    for e in opts.email.iter().chain(&opts.approver_email) {
        let flag = if opts.email.contains(e) { "--email" } else { "--approver-email" };
        fail(flag, e, rules::email(e));
    }
    problems
}

fn broken(message: &str) -> rules::Broken {
    rules::Broken { message: message.to_string(), label: String::new(), expected: String::new(), help: None, fix: None }
}

/// dev, prod and registry, each in its own account, one model whose versions the registry keeps.
fn platform(opts: &Options) -> Result<Vec<File>, InitError> {
    let (Some(dev), Some(prod), Some(registry)) = (&opts.dev_account, &opts.prod_account, &opts.registry_account)
    else {
        let missing: Vec<&str> = [
            ("--dev-account", &opts.dev_account),
            ("--prod-account", &opts.prod_account),
            ("--registry-account", &opts.registry_account),
        ]
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(f, _)| *f)
        .collect();
        return Err(InitError::Flags(vec![format!(
            "{} needed: the 12-digit id of each environment's AWS account (or start from the blog post's file with --from)",
            missing.join(", ")
        )]));
    };
    let accounts =
        [("--dev-account", dev.as_str()), ("--prod-account", prod.as_str()), ("--registry-account", registry.as_str())];
    let problems = check_flags(opts, &accounts);
    if !problems.is_empty() {
        return Err(InitError::Flags(problems));
    }
    let p = &opts.prefix;
    let group = format!("{}-package", opts.model);
    let common = |env: &str, account: &str| {
        let mut m = Map::new();
        m.insert("$schema".into(), json!(SCHEMA_REF));
        m.insert("env_group".into(), json!(env));
        if env == "registry" {
            m.insert("kind".into(), json!("registry"));
        }
        m.insert("account_id".into(), json!(account));
        m.insert("aws_region".into(), json!(opts.region));
        m.insert("tags".into(), json!({ "project": p, "environment": env, "managed-by": "mlopsgen" }));
        m
    };
    let deploy = opts.jenkins_account.as_ref().map(|j| json!({ "jenkins_account_id": j }));
    let workload = |env: &str, account: &str, inference: Value| {
        let mut m = common(env, account);
        if !opts.email.is_empty() {
            m.insert("email".into(), json!(opts.email));
        }
        m.insert("kms_key".into(), json!({ "create": true, "alias": format!("alias/{p}-{env}") }));
        m.insert("default_bucket".into(), json!({ "name": format!("{p}-sagemaker-{env}-{account}"), "create": true }));
        m.insert(
            "terraform_state_bucket".into(),
            json!({ "name": format!("{p}-tfstate-{env}-{account}"), "create": true }),
        );
        m.insert(
            "models".into(),
            json!({ opts.model.clone(): {
                "model_package_group_name": format!("registry:{group}"),
                "inference_pipeline": inference,
            }}),
        );
        if let Some(d) = &deploy {
            m.insert("deploy".into(), d.clone());
        }
        Value::Object(m)
    };
    // dev's schedule starts disabled (every run costs instances); prod scores nightly.
    let dev_config = workload("dev", dev, json!({ "schedule_enabled": false }));
    let prod_config = workload("prod", prod, json!({ "cron_schedule": "cron(0 23 * * ? *)" }));
    let mut r = common("registry", registry);
    r.insert("kms_key".into(), json!({ "create": true, "alias": format!("alias/{p}-registry") }));
    r.insert(
        "model_artifacts_bucket".into(),
        json!({ "name": format!("{p}-sagemaker-model-artifacts-{registry}"), "create": true }),
    );
    r.insert(
        "terraform_state_bucket".into(),
        json!({ "name": format!("{p}-tfstate-registry-{registry}"), "create": true }),
    );
    r.insert("model_package_groups".into(), json!({ group.clone(): { "consumers": ["dev", "prod"] } }));
    if !opts.approver_email.is_empty() {
        r.insert("approvals".into(), json!({ "email": opts.approver_email }));
    }
    if let Some(d) = &deploy {
        r.insert("deploy".into(), d.clone());
    }
    Ok(vec![
        File { path: config_path("dev"), text: pretty(&dev_config) },
        File { path: config_path("prod"), text: pretty(&prod_config) },
        File { path: config_path("registry"), text: pretty(&Value::Object(r)) },
    ])
}

/// The seed file as its environment's config: every value kept, the placeholders the account
/// flags answer filled in, `$schema` added. The other placeholders stay, for `validate` to
/// report one by one.
fn from_seed(opts: &Options, seed: &Path) -> Result<File, InitError> {
    let text =
        std::fs::read_to_string(seed).map_err(|e| InitError::Seed(format!("cannot read {}: {e}", seed.display())))?;
    let value: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| InitError::Seed(format!("{} is not valid JSON: {e}", seed.display())))?;
    let Value::Object(map) = value else {
        return Err(InitError::Seed(format!("{} is not a JSON object", seed.display())));
    };
    let env = map.get("env_group").and_then(Value::as_str).unwrap_or_default().to_string();
    if rules::env_name(&env).is_err() {
        return Err(InitError::Seed(format!(
            "{}: \"env_group\" must name the environment (lowercase letters, digits and hyphens), found {}",
            seed.display(),
            crate::diag::quoted(&env)
        )));
    }
    let mut accounts: Vec<(&str, &str)> = Vec::new();
    for (flag, v) in [
        ("--dev-account", &opts.dev_account),
        ("--prod-account", &opts.prod_account),
        ("--registry-account", &opts.registry_account),
    ] {
        if let Some(v) = v {
            accounts.push((flag, v.as_str()));
        }
    }
    let problems: Vec<String> = {
        let mut p = Vec::new();
        for (flag, id) in &accounts {
            if let Err(b) = rules::account_id(id) {
                p.push(format!("{flag} {}: {}", crate::diag::quoted(id), b.message));
            }
        }
        p
    };
    if !problems.is_empty() {
        return Err(InitError::Flags(problems));
    }
    let answers: Vec<(String, &str)> = ACCOUNT_PLACEHOLDERS
        .iter()
        .filter_map(|(p, flag)| opts.account(flag).map(|a| (p.to_string(), a.as_str())))
        .collect();
    let mut out = Map::new();
    if !map.contains_key("$schema") {
        out.insert("$schema".into(), json!(SCHEMA_REF));
    }
    for (k, v) in map {
        out.insert(k, fill(v, &answers));
    }
    Ok(File { path: config_path(&env), text: pretty(&Value::Object(out)) })
}

fn fill(v: Value, answers: &[(String, &str)]) -> Value {
    match v {
        Value::String(s) => Value::String(answers.iter().fold(s, |s, (from, to)| s.replace(from.as_str(), to))),
        Value::Array(items) => Value::Array(items.into_iter().map(|i| fill(i, answers)).collect()),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, fill(v, answers))).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> Options {
        Options {
            dev_account: Some("111111111111".into()),
            prod_account: Some("222222222222".into()),
            registry_account: Some("333333333333".into()),
            region: "us-east-1".into(),
            prefix: "acme".into(),
            model: "mammography-severity-model".into(),
            ..Options::default()
        }
    }

    #[test]
    fn writes_three_configs_the_schema_and_a_gitignore() {
        let f = files(&opts()).expect("valid flags");
        let paths: Vec<String> = f.iter().map(|f| crate::diag::display_path(&f.path)).collect();
        assert_eq!(
            paths,
            [
                "environments/dev.tfvars.json",
                "environments/prod.tfvars.json",
                "environments/registry.tfvars.json",
                "schema/env.schema.json",
                ".gitignore"
            ]
        );
        assert_eq!(environments(&f), ["dev", "prod", "registry"]);
        assert!(f[0].text.starts_with("{\n  \"$schema\": \"../schema/env.schema.json\",\n  \"env_group\": \"dev\""));
    }

    #[test]
    fn flag_mistakes_are_reported_as_the_flags() {
        let mut o = opts();
        o.prod_account = Some("1111-1111-1111".into());
        o.registry_account = Some("111111111111".into());
        o.prefix = "Acme".into();
        o.region = "us-east1".into();
        let Err(InitError::Flags(problems)) = files(&o) else { panic!("invalid flags") };
        let text = problems.join("\n");
        for want in [
            "--prod-account \"1111-1111-1111\": account id must be exactly 12 digits",
            "--registry-account \"111111111111\": the same account as --dev-account",
            "--region \"us-east1\"",
            "did you mean \"us-east-1\"?",
            "--prefix \"Acme\": the bucket names built from it would be invalid",
        ] {
            assert!(text.contains(want), "{want} in\n{text}");
        }
        let Err(InitError::Flags(missing)) = files(&Options { dev_account: None, ..opts() }) else { panic!() };
        assert!(missing[0].starts_with("--dev-account needed"), "{missing:?}");
    }
}
