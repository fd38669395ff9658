//! Validation: every check over every environment file, all at once. Runs the structural check
//! (`structure`), the placeholder and secret scan (`scan`), each file's meaning (`env`, with the
//! pure AWS rules in `rules`) and the cross-environment checks (`cross`). Returns every problem
//! found, sorted, and the validated environments. Never renders, never writes.

pub mod contract;
pub mod cross;
pub mod env;
pub mod model_file;
pub mod rules;
pub mod scan;
pub mod structure;
pub mod training;

use crate::config::{self, json, raw::RawEnv};
use crate::diag::{Code, Diagnostic, Report};
use crate::model::EnvConfig;
use std::collections::BTreeMap;
use std::path::Path;

/// The outcome of validating a repository.
#[derive(Debug)]
pub struct Validated {
    /// Every diagnostic, with the sources needed to render them.
    pub report: Report,
    /// The environments that passed their own checks, by name. Complete only when the report
    /// has no errors.
    pub envs: Vec<EnvConfig>,
    /// Every environment that has a config file, valid or not, in name order.
    pub files: Vec<String>,
}

/// An `E0104` for each name in `requested` that no config file has (`known`: the names that do).
pub fn unknown_environments(requested: &[String], known: &[String]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for name in requested.iter().filter(|n| !known.contains(n)) {
        let mut d = Diagnostic::error(
            Code::E0104,
            format!("environments/{name}.tfvars.json"),
            format!("no environment named {}", crate::diag::quoted(name)),
        )
        .expected(format!("one of {}", known.join(", ")))
        .found(format!("no file environments/{name}.tfvars.json"));
        if let Some(s) = structure::did_you_mean_env(name, known.iter().map(String::as_str)) {
            d = d.help(format!("did you mean {}?", crate::diag::quoted(s)));
        }
        out.push(d);
    }
    out
}

/// E0102 for a file the JSON parser refused, at the place it stopped.
pub fn invalid_json(path: &Path, e: json::SyntaxError) -> Diagnostic {
    let mut d = Diagnostic::error(Code::E0102, path, "invalid JSON")
        .at(e.span, "$")
        .label(e.label.unwrap_or_else(|| format!("expected {}", e.expected)))
        .expected(e.expected)
        .found(e.found);
    if let Some(h) = e.help {
        d = d.help(h);
    }
    d
}

/// What the other files say about `f`'s required keys: its `env_group` is its file name, its
/// `aws_region` the one region every other environment names (when they agree on a region
/// SageMaker serves).
fn known_values(f: &config::SourceFile, parsed: &[(&config::SourceFile, json::Node)]) -> Vec<structure::Known> {
    let mut known = Vec::new();
    if rules::env_name(&f.env).is_ok() {
        known.push(structure::Known {
            key: "env_group",
            value: f.env.clone(),
            because: format!("the file is {}{}", f.env, config::ENV_SUFFIX),
        });
    }
    let mut regions: Vec<(&str, &str)> = parsed
        .iter()
        .filter(|(other, _)| other.path != f.path)
        .filter_map(|(other, root)| Some((root.get("aws_region")?.as_str()?, other.env.as_str())))
        .collect();
    regions.sort();
    if let (Some((first, _)), Some((last, _))) = (regions.first(), regions.last())
        && first == last
        && crate::model::images::known_regions().iter().any(|r| r == first)
    {
        let names: Vec<&str> = regions.iter().map(|(_, env)| *env).collect();
        let because = match names[..] {
            [one] => format!("{one} is in {first}"),
            _ => format!("the other environments ({}) are in {first}", names.join(", ")),
        };
        known.push(structure::Known { key: "aws_region", value: first.to_string(), because });
    }
    known
}

/// Loads and validates every environment of the repository at `repo`. With a non-empty `only`,
/// every file is still loaded (cross-environment facts need them all), but only diagnostics in
/// the selected environments' files are kept, and each selected name must have a file.
pub fn validate_repo(repo: &Path, only: &[String]) -> Validated {
    let (files, mut read_diags) = config::read_all(repo);
    let (models, model_diags) = config::read_models(repo);
    read_diags.extend(model_diags);
    validate_with_models(&files, &models, read_diags, only, Some(repo))
}

/// Validates config files already in memory (`validate_repo` after reading; the fuzz target).
/// `read_diags` are the problems met while reading them.
pub fn validate_sources(files: &[config::SourceFile], read_diags: Vec<Diagnostic>, only: &[String]) -> Validated {
    validate_with_models(files, &[], read_diags, only, None)
}

/// Validates environment files and model files (`models/<model>.json`) already in memory. A
/// model file's problems are reported whatever `only` selects: every environment of the model
/// reads it.
pub fn validate_with_models(
    files: &[config::SourceFile],
    model_files: &[config::SourceFile],
    read_diags: Vec<Diagnostic>,
    only: &[String],
    repo: Option<&Path>,
) -> Validated {
    let mut report = Report::new();
    report.extend(read_diags);
    for f in model_files {
        report.add_source(&f.path, f.text.clone());
    }
    let (specs, model_diags) = model_file::check_all(model_files, repo);
    let names: Vec<String> = files.iter().map(|f| f.env.clone()).collect();

    let mut parsed = Vec::new();
    let utf8_broken: Vec<_> =
        report.diagnostics.iter().filter(|d| d.code == Code::E0102).map(|d| d.file.clone()).collect();
    for f in files {
        report.add_source(&f.path, f.text.clone());
        if utf8_broken.contains(&f.path) {
            continue;
        }
        match json::parse(&f.text) {
            Ok(root) => parsed.push((f, root)),
            Err(e) => report.extend([invalid_json(&f.path, e)]),
        }
    }

    let mut envs = Vec::new();
    let mut diags = Vec::new();
    for (f, root) in &parsed {
        let known = known_values(f, &parsed);
        let (structural, cleaned) = structure::check(&f.path, &f.text, root, &known);
        let (scanned, placeholders) = scan::scan(&f.path, root);
        diags.extend(structural);
        diags.extend(scanned);
        if !matches!(root.value, json::Value::Object(_)) {
            continue;
        }
        let Ok(raw) = serde_json::from_value::<RawEnv>(cleaned) else {
            // A required key is missing or unusable; the structural check has said which.
            continue;
        };
        let mut cx =
            env::FileCtx { file: &f.path, root, placeholders: &placeholders, models: &specs, repo, diags: Vec::new() };
        let checked = env::check_env(&mut cx, &f.env, &raw);
        diags.extend(cx.diags);
        envs.extend(checked);
    }

    let broken_files: Vec<&Path> =
        diags.iter().chain(&report.diagnostics).filter(|d| d.is_error()).map(|d| d.file.as_path()).collect();
    let trees = cross::Trees {
        by_env: parsed.iter().map(|(f, root)| (f.env.clone(), (f.path.clone(), root))).collect::<BTreeMap<_, _>>(),
        files: files.iter().map(|f| f.env.clone()).collect(),
        broken: files.iter().filter(|f| broken_files.contains(&f.path.as_path())).map(|f| f.env.clone()).collect(),
    };
    diags.extend(cross::check(&mut envs, &trees));
    // With two registries (E0312) one is a workload that says the wrong kind: that a registry
    // lacks approvers is that mistake again, not a second one.
    if diags.iter().any(|d| d.code == Code::E0312) {
        diags.retain(|d| !(d.code == Code::E0232 && d.json_path.starts_with("$.approvals")));
    }

    if !only.is_empty() {
        let selected: Vec<&Path> = files.iter().filter(|f| only.contains(&f.env)).map(|f| f.path.as_path()).collect();
        diags.retain(|d| selected.contains(&d.file.as_path()));
        // Problems of the directory itself concern every selection.
        report.diagnostics.retain(|d| {
            selected.contains(&d.file.as_path()) || matches!(d.code, Code::E0104 | Code::E0105 | Code::E0106)
        });
        diags.extend(unknown_environments(only, &names));
        envs.retain(|e| only.contains(&e.name));
    }
    report.extend(diags);
    report.extend(model_diags);
    envs.sort_by(|a, b| a.name.cmp(&b.name));
    Validated { report, envs, files: names }
}
