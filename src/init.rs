//! `init`: a repository to start from. Writes `environments/` for dev, prod and registry (or,
//! with `--from`, the blog post's seed file as its environment, its values kept), the model's
//! declaration `models/<model>.json` (its problem type and data contract: learned from a CSV
//! file with `--data`, see `infer`, else the blog post's contract written out), the JSON Schema
//! the configs reference (`schema/env.schema.json`, beside `environments/`) and a `.gitignore`.
//!
//! Owns only these files and never overwrites one: when any exists, nothing is written. The
//! configs are validated in memory before anything is written (`files` returns them; `cli` runs
//! the validation, prints, and calls `write`). Nothing is read but the seed and the data file;
//! nothing here prints.

use crate::config::{ENV_DIR, ENV_SUFFIX};
use crate::infer::{InferError, InferOptions, ProblemType};
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
    /// `name_prefix` of every environment: starts every name the platform gives a resource
    /// (buckets, key aliases, roles, Lambdas, topics, queues), and the project tag.
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
    /// A CSV file of the model's raw data to learn its data contract from.
    pub data: Option<PathBuf>,
    /// The column of `data` the model predicts.
    pub label: Option<String>,
    /// "binary", "multiclass" or "regression"; inferred from the label when absent.
    pub problem_type: Option<String>,
    /// The binary label's positive class.
    pub positive: Option<String>,
    /// The column of `data` that identifies a record.
    pub id: Option<String>,
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
    /// No contract can be learned from the data file (unreadable, malformed, or not fitting the
    /// flags: then `flag` is set).
    Data(Box<InferError>),
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
/// The directory of the model declarations, relative to the repository root.
pub const MODELS_DIR: &str = "models";
/// Where the model files' schema goes, relative to the repository root.
pub const MODEL_SCHEMA_PATH: &str = "schema/model.schema.json";
/// The `$schema` of a model declaration (`models/<model>.json`).
pub const MODEL_SCHEMA_REF: &str = "../schema/model.schema.json";

/// What `init` would write, and what it learned about the model.
#[derive(Debug, Clone)]
pub struct Files {
    /// The configs first, then the model declaration, the schema and `.gitignore`.
    pub files: Vec<File>,
    /// The model declaration's path (one of `files`).
    pub model: PathBuf,
    /// Sentences about the model declaration: what was learned from the data and guessed.
    pub notes: Vec<String>,
}

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

/// The files `init` would write for `opts`, configs first. Nothing is read but the seed file and
/// the data file. Flag mistakes are reported together, before any file is read.
pub fn files(opts: &Options) -> Result<Files, InitError> {
    let data_problems = check_data_flags(opts);
    let configs = match &opts.from {
        Some(seed) => from_seed(opts, seed).map(|(f, model)| (vec![f], model.unwrap_or_else(|| opts.model.clone()))),
        None => platform(opts).map(|f| (f, opts.model.clone())),
    };
    let (mut out, model) = match configs {
        Ok(c) if data_problems.is_empty() => c,
        Err(InitError::Flags(mut problems)) => {
            problems.extend(data_problems);
            return Err(InitError::Flags(problems));
        }
        Err(e) if data_problems.is_empty() => return Err(e),
        _ => return Err(InitError::Flags(data_problems)),
    };
    let (file, notes) = model_file(opts, &model)?;
    let model = file.path.clone();
    out.push(file);
    let schema = serde_json::to_string_pretty(&crate::config::shape::json_schema()).unwrap_or_default();
    out.push(File { path: PathBuf::from(SCHEMA_PATH), text: format!("{schema}\n") });
    let schema = serde_json::to_string_pretty(&crate::config::shape::model_json_schema()).unwrap_or_default();
    out.push(File { path: PathBuf::from(MODEL_SCHEMA_PATH), text: format!("{schema}\n") });
    out.push(File { path: PathBuf::from(".gitignore"), text: GITIGNORE.to_string() });
    Ok(Files { files: out, model, notes })
}

/// The model's declaration: `$schema`, the problem type and the data contract, learned from
/// `--data` or (without it) the blog post's, written out so what the model reads is visible.
fn model_file(opts: &Options, model: &str) -> Result<(File, Vec<String>), InitError> {
    let path = PathBuf::from(MODELS_DIR).join(format!("{model}.json"));
    let shown = crate::diag::display_path(&path);
    let (problem_type, contract, notes) = match &opts.data {
        None => (
            ProblemType::Binary.as_str().to_string(),
            json!({
                "header": "auto",
                "missing_values": crate::config::shape::DEFAULT_MISSING_VALUES,
                "columns": crate::config::shape::default_columns(),
            }),
            vec![format!(
                "the blog post's contract (the UCI mammographic mass columns, binary label \"Severity\"): edit {shown}, or learn it from your data with init --data FILE --label COLUMN (in an empty directory)"
            )],
        ),
        Some(data) => {
            let name = crate::diag::display_path(data);
            let unreadable = |e: std::io::Error| {
                InitError::Data(Box::new(InferError {
                    file: name.clone(),
                    line: None,
                    column: None,
                    message: format!("cannot read it: {e}"),
                    hint: None,
                    flag: None,
                }))
            };
            let bytes = std::fs::read(data).map_err(unreadable)?;
            let text = crate::infer::decode(&bytes, &name).map_err(|e| InitError::Data(Box::new(e)))?;
            let infer_opts = InferOptions {
                label: opts.label.clone().unwrap_or_default(),
                problem_type: opts.problem_type.as_deref().and_then(ProblemType::parse),
                positive: opts.positive.clone(),
                id: opts.id.clone(),
            };
            let inferred = crate::infer::infer(text, &name, &infer_opts).map_err(|e| InitError::Data(Box::new(e)))?;
            (inferred.problem_type, inferred.data_contract, inferred.notes)
        }
    };
    let mut m = Map::new();
    m.insert("$schema".into(), json!(MODEL_SCHEMA_REF));
    m.insert("problem_type".into(), json!(problem_type));
    m.insert("data_contract".into(), contract);
    Ok((File { path, text: pretty(&Value::Object(m)) }, notes))
}

/// The data flags' mistakes, each as its flag's: a flag without the file it describes, a
/// combination that cannot hold.
fn check_data_flags(opts: &Options) -> Vec<String> {
    let mut problems = Vec::new();
    let given = [
        ("--label", opts.label.is_some()),
        ("--problem-type", opts.problem_type.is_some()),
        ("--positive", opts.positive.is_some()),
        ("--id", opts.id.is_some()),
    ];
    if opts.data.is_none() {
        for (flag, _) in given.iter().filter(|(_, g)| *g) {
            problems.push(format!("{flag} needs --data: the CSV file whose columns it describes"));
        }
        return problems;
    }
    let label = opts.label.as_deref().map(str::trim);
    match label {
        None => problems.push("--data needs --label: the column the model predicts".to_string()),
        Some("") => problems.push("--label \"\": name the column the model predicts".to_string()),
        Some(_) => {}
    }
    let problem_type = opts.problem_type.as_deref();
    if let Some(t) = problem_type
        && ProblemType::parse(t).is_none()
    {
        let names: Vec<&str> = ProblemType::ALL.iter().map(|p| p.as_str()).collect();
        problems.push(format!("--problem-type {}: not one of {}", crate::diag::quoted(t), names.join(", ")));
    }
    if let (Some(p), Some(t)) = (&opts.positive, problem_type)
        && t != ProblemType::Binary.as_str()
    {
        problems.push(format!(
            "--positive {}: a positive class belongs to --problem-type binary, not {t} (leave out --positive)",
            crate::diag::quoted(p)
        ));
    }
    if let (Some(id), Some(label)) = (&opts.id, label)
        && id.trim().to_lowercase() == label.to_lowercase()
    {
        problems.push(format!(
            "--id {}: the same column as --label; a record id is another column",
            crate::diag::quoted(id)
        ));
    }
    problems
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
    // The prefix itself, then the longest names built from it: a bucket and a key alias.
    let longest = format!("{}-sagemaker-model-artifacts-{}", opts.prefix, "000000000000");
    if let Err(b) = rules::name_prefix(&opts.prefix) {
        fail("--prefix", &opts.prefix, Err(b));
    } else if let Err(mut b) = rules::bucket_name(&longest) {
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
        m.insert("name_prefix".into(), json!(p));
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
/// Also returns the seed's model name (`model_name`, or the one key of `models`), when valid.
fn from_seed(opts: &Options, seed: &Path) -> Result<(File, Option<String>), InitError> {
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
    let model = match (map.get("model_name"), map.get("models")) {
        (Some(Value::String(name)), _) => Some(name.clone()),
        (None, Some(Value::Object(models))) if models.len() == 1 => models.keys().next().cloned(),
        _ => None,
    }
    .filter(|name| rules::model_name(name).is_ok());
    let mut out = Map::new();
    if !map.contains_key("$schema") {
        out.insert("$schema".into(), json!(SCHEMA_REF));
    }
    for (k, v) in map {
        out.insert(k, fill(v, &answers));
    }
    Ok((File { path: config_path(&env), text: pretty(&Value::Object(out)) }, model))
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
    fn writes_three_configs_the_model_the_schema_and_a_gitignore() {
        let out = files(&opts()).expect("valid flags");
        let f = &out.files;
        let paths: Vec<String> = f.iter().map(|f| crate::diag::display_path(&f.path)).collect();
        assert_eq!(
            paths,
            [
                "environments/dev.tfvars.json",
                "environments/prod.tfvars.json",
                "environments/registry.tfvars.json",
                "models/mammography-severity-model.json",
                "schema/env.schema.json",
                "schema/model.schema.json",
                ".gitignore"
            ]
        );
        assert_eq!(environments(f), ["dev", "prod", "registry"]);
        assert!(f[0].text.starts_with("{\n  \"$schema\": \"../schema/env.schema.json\",\n  \"env_group\": \"dev\""));
        assert_eq!(out.model, PathBuf::from("models/mammography-severity-model.json"));
    }

    #[test]
    fn without_data_the_model_file_spells_out_the_posts_contract() {
        let out = files(&opts()).expect("valid flags");
        let text = &out.files[3].text;
        assert!(text.starts_with("{\n  \"$schema\": \"../schema/model.schema.json\",\n  \"problem_type\": \"binary\",\n  \"data_contract\": {\n    \"header\": \"auto\",\n"), "{text}");
        assert!(text.ends_with("}\n"));
        let v: Value = serde_json::from_str(text).expect("json");
        assert_eq!(v["data_contract"]["columns"], crate::config::shape::default_columns());
        assert_eq!(v["data_contract"]["missing_values"], json!(crate::config::shape::DEFAULT_MISSING_VALUES));
        assert_eq!(
            v.as_object().map(|m| m.keys().cloned().collect::<Vec<_>>()),
            Some(vec!["$schema".to_string(), "problem_type".into(), "data_contract".into()])
        );
    }

    #[test]
    fn data_flags_are_checked_with_the_others() {
        let o = Options { label: Some("Severity".into()), positive: Some("1".into()), prefix: "Acme".into(), ..opts() };
        let Err(InitError::Flags(problems)) = files(&o) else { panic!("invalid flags") };
        let text = problems.join("\n");
        for want in ["--prefix \"Acme\"", "--label needs --data", "--positive needs --data"] {
            assert!(text.contains(want), "{want} in\n{text}");
        }
        let o = Options {
            data: Some("data.csv".into()),
            problem_type: Some("regression".into()),
            positive: Some("1".into()),
            id: Some("Severity".into()),
            ..opts()
        };
        let Err(InitError::Flags(problems)) = files(&o) else { panic!("invalid flags") };
        assert_eq!(
            problems,
            [
                "--data needs --label: the column the model predicts",
                "--positive \"1\": a positive class belongs to --problem-type binary, not regression (leave out --positive)",
            ]
        );
        let o = Options {
            data: Some("data.csv".into()),
            label: Some("severity".into()),
            id: Some("Severity ".into()),
            ..opts()
        };
        let Err(InitError::Flags(problems)) = files(&o) else { panic!("invalid flags") };
        assert_eq!(problems, ["--id \"Severity \": the same column as --label; a record id is another column"]);
    }

    #[test]
    fn an_unreadable_data_file_is_named() {
        let o = Options { data: Some("no/such/data.csv".into()), label: Some("y".into()), ..opts() };
        let Err(InitError::Data(e)) = files(&o) else { panic!("no such file") };
        assert!(e.to_string().starts_with("no/such/data.csv: cannot read it: "), "{e}");
        assert_eq!(e.flag, None);
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
            "--prefix \"Acme\": name_prefix must be lowercase letters, digits and hyphens (write \"acme\")",
        ] {
            assert!(text.contains(want), "{want} in\n{text}");
        }
        let Err(InitError::Flags(missing)) = files(&Options { dev_account: None, ..opts() }) else { panic!() };
        assert!(missing[0].starts_with("--dev-account needed"), "{missing:?}");
    }
}
