//! `training`: how a model is trained and served. The built-in XGBoost (default), the team's own
//! script (script mode: its directory is read here, once, so that `render` can package it
//! without touching the disk), or a custom image. A script that does not exist, escapes the
//! repository or cannot be shipped is an error naming the key (E0235).

use super::env::FileCtx;
use crate::config::path::JsonPath;
use crate::config::raw::RawTraining;
use crate::diag::{Code, quoted};
use crate::model::{Script, Training};
use std::path::Path;

/// Files and bytes a shipped directory may hold: a training directory, not a data set.
const MAX_FILES: usize = 500;
const MAX_BYTES: usize = 20 * 1024 * 1024;
/// Names the platform adds to the shipped directory.
pub const RESERVED: [&str; 2] = ["mlopsgen_train.py", "mlopsgen_serve.py"];

/// The training choice at `at` (`…training`), with its script read from `repo`.
pub fn training(cx: &mut FileCtx<'_>, raw: Option<&RawTraining>, xgboost_keys: bool, at: &JsonPath) -> Training {
    let Some(raw) = raw else { return Training::Xgboost };
    let algorithm = raw.algorithm.as_deref().unwrap_or("xgboost");
    let misplaced = |cx: &mut FileCtx<'_>, key: &str, set: bool, belongs: &str| {
        if set {
            cx.push(
                cx.error(Code::E0235, &at.key(key), format!("`{key}` applies to \"algorithm\": \"{belongs}\""))
                    .label(format!("not used by {algorithm}"))
                    .expected(format!("no {key} with \"algorithm\": \"{algorithm}\""))
                    .found(format!("\"{key}\""))
                    .help(format!("remove it, or set \"algorithm\": \"{belongs}\"")),
            );
        }
    };
    let hyperparameters: Vec<(String, serde_json::Value)> =
        raw.hyperparameters.iter().flatten().map(|(k, v)| (k.clone(), v.clone())).collect();
    match algorithm {
        "script" => {
            misplaced(cx, "image_uri", raw.image_uri.is_some(), "image");
            xgboost_only(cx, xgboost_keys, algorithm, at);
            let framework_version = raw.framework_version.clone().unwrap_or_else(|| "1.2-1".into());
            let Some(entry) = raw.entry_point.clone() else {
                cx.push(
                    cx.error(Code::E0203, at, "script mode needs the training script")
                        .label("no entry_point")
                        .expected(
                            "\"entry_point\": the script, relative to the repository root, e.g. \"training/train.py\"",
                        )
                        .found("no such key"),
                );
                return Training::Xgboost;
            };
            let files = read_script(cx, &entry, &at.key("entry_point")).unwrap_or_default();
            let source_dir = entry.rsplit_once('/').map(|(d, _)| d.to_string()).unwrap_or_default();
            Training::Script(Script { entry_point: entry, source_dir, files, framework_version, hyperparameters })
        }
        "image" => {
            misplaced(cx, "entry_point", raw.entry_point.is_some(), "script");
            misplaced(cx, "framework_version", raw.framework_version.is_some(), "script");
            xgboost_only(cx, xgboost_keys, algorithm, at);
            let Some(uri) = raw.image_uri.clone() else {
                cx.push(
                    cx.error(Code::E0203, at, "a custom image needs its URI")
                        .label("no image_uri")
                        .expected("\"image_uri\": \"<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>\"")
                        .found("no such key"),
                );
                return Training::Xgboost;
            };
            if let Err(why) = ecr_uri(&uri) {
                cx.push(
                    cx.error(Code::E0235, &at.key("image_uri"), format!("not an ECR image URI: {why}"))
                        .label("not an ECR image")
                        .expected("<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag> (or @sha256:<digest>)")
                        .found(quoted(&uri))
                        .help("SageMaker pulls training and serving images from Amazon ECR in the job's region"),
                );
            }
            Training::Image { uri, hyperparameters }
        }
        _ => {
            misplaced(cx, "entry_point", raw.entry_point.is_some(), "script");
            misplaced(cx, "framework_version", raw.framework_version.is_some(), "script");
            misplaced(cx, "image_uri", raw.image_uri.is_some(), "image");
            if raw.hyperparameters.is_some() {
                cx.push(
                    cx.error(Code::E0235, &at.key("hyperparameters"), "the built-in XGBoost takes its hyperparameters from `hyperparameters`")
                        .label("script and image only")
                        .expected("XGBoost's hyperparameters under \"hyperparameters\" (the model's) or train_pipeline.hyperparameters")
                        .found("training.hyperparameters")
                        .help("move them to \"hyperparameters\""),
                );
            }
            Training::Xgboost
        }
    }
}

fn xgboost_only(cx: &mut FileCtx<'_>, xgboost_keys: bool, algorithm: &str, at: &JsonPath) {
    if xgboost_keys {
        cx.push(
            cx.error(
                Code::E0235,
                &at.key("algorithm"),
                format!("XGBoost hyperparameters are set, but the model trains with {algorithm}"),
            )
            .label(format!("\"{algorithm}\""))
            .expected("training.hyperparameters for the script or image; no XGBoost \"hyperparameters\"")
            .found("XGBoost hyperparameters beside it")
            .help("move them into training.hyperparameters, or remove them"),
        );
    }
}

/// `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>(:<tag>|@sha256:<digest>)`.
pub fn ecr_uri(uri: &str) -> Result<(&str, &str), String> {
    let (host, rest) = uri.split_once('/').ok_or("no repository after the registry")?;
    let parts: Vec<&str> = host.split('.').collect();
    let ok_host = parts.len() >= 6
        && parts[0].len() == 12
        && parts[0].bytes().all(|b| b.is_ascii_digit())
        && parts[1] == "dkr"
        && parts[2] == "ecr"
        && parts[4] == "amazonaws"
        && matches!(&parts[5..], ["com"] | ["com", "cn"]);
    if !ok_host {
        return Err(format!("registry {} is not <account>.dkr.ecr.<region>.amazonaws.com", quoted(host)));
    }
    let (repo, reference) = match rest.split_once('@') {
        Some((r, digest)) => {
            let hex = digest.strip_prefix("sha256:").unwrap_or("");
            if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
                return Err("a digest is @sha256: and 64 lowercase hex digits".into());
            }
            (r, digest)
        }
        None => match rest.rsplit_once(':') {
            Some((r, tag))
                if !tag.is_empty()
                    && tag.len() <= 128
                    && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b)) =>
            {
                (r, tag)
            }
            _ => return Err("no :<tag> or @sha256:<digest> (pin the image)".into()),
        },
    };
    if repo.is_empty() || !repo.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._/-".contains(&b)) {
        return Err(format!("repository {} must be lowercase letters, digits, . _ / -", quoted(repo)));
    }
    let _ = reference;
    Ok((parts[3], repo))
}

/// Reads the entry point's directory from the repository: every regular file, sorted, hidden
/// files and Python caches left out. `None` (and a diagnostic) when it cannot be shipped.
fn read_script(cx: &mut FileCtx<'_>, entry: &str, at: &JsonPath) -> Option<Vec<(String, Vec<u8>)>> {
    let bad = |why: &str| Some(why.to_string());
    let problem = if entry.starts_with('/') || entry.contains('\\') {
        bad("an absolute path or backslashes")
    } else if entry.split('/').any(|c| c.is_empty() || c == "." || c == "..") {
        bad("an empty, `.` or `..` path component")
    } else if !entry.ends_with(".py") {
        bad("not a .py file")
    } else if !entry.contains('/') {
        bad("a file at the repository root (its directory, the whole repository, would be shipped)")
    } else {
        None
    };
    if let Some(why) = problem {
        cx.push(
            cx.error(Code::E0235, at, format!("the training script cannot be shipped: {why}"))
                .label("not a script in its own directory")
                .expected(
                    "a .py file in its own directory, relative to the repository root, e.g. \"training/train.py\"",
                )
                .found(quoted(entry)),
        );
        return None;
    }
    let Some(repo) = cx.repo else {
        return Some(Vec::new());
    };
    let (dir, program) = entry.rsplit_once('/').unwrap_or(("", entry));
    if RESERVED.contains(&program) {
        cx.push(
            cx.error(Code::E0235, at, format!("{} is the name of a file the platform adds", quoted(program)))
                .label("reserved name")
                .expected("another file name, e.g. \"train.py\"")
                .found(quoted(entry)),
        );
        return None;
    }
    if !repo.join(entry).is_file() {
        let mut d = cx
            .error(Code::E0235, at, "the training script does not exist")
            .label("no such file")
            .expected(format!("a file {entry} in the repository"))
            .found(format!("nothing at {entry}"));
        let near = python_files(&repo.join(dir));
        if let Some(s) = super::structure::did_you_mean(program, near.iter().map(String::as_str))
            .or(near.first().map(String::as_str))
        {
            let proposal = format!("{dir}/{s}");
            d = d.help(format!("did you mean {}?", quoted(&proposal))).fix(at, proposal.as_str());
        } else {
            d = d.help("write the path of the script relative to the repository root");
        }
        cx.push(d);
        return None;
    }
    let mut files = Vec::new();
    let mut total = 0usize;
    if let Err(why) = walk(&repo.join(dir), "", &mut files, &mut total) {
        cx.push(
            cx.error(Code::E0235, at, format!("the directory {} cannot be shipped: {why}", quoted(dir)))
                .label("too much to ship")
                .expected(format!(
                    "at most {MAX_FILES} files and {} MB: the code, not the data",
                    MAX_BYTES / 1024 / 1024
                ))
                .found(quoted(dir))
                .help("keep data out of the script's directory; training data comes from the pipeline's input"),
        );
        return None;
    }
    if let Some((name, _)) = files.iter().find(|(n, _)| RESERVED.contains(&n.as_str())) {
        cx.push(
            cx.error(Code::E0235, at, format!("{dir}/{name} has the name of a file the platform adds"))
                .label("reserved name")
                .expected(format!("no {} in the script's directory", RESERVED.join(" or ")))
                .found(format!("{dir}/{name}"))
                .help("rename it"),
        );
        return None;
    }
    Some(files)
}

fn python_files(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".py") && !RESERVED.contains(&n.as_str()))
        .collect();
    out.sort();
    out
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, Vec<u8>)>, total: &mut usize) -> Result<(), String> {
    let mut entries: Vec<_> = std::fs::read_dir(dir).map_err(|e| e.to_string())?.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let Ok(name) = e.file_name().into_string() else { continue };
        if name.starts_with('.') || name == "__pycache__" || name.ends_with(".pyc") {
            continue;
        }
        let rel = if prefix.is_empty() { name.clone() } else { format!("{prefix}/{name}") };
        let kind = e.file_type().map_err(|e| e.to_string())?;
        if kind.is_dir() {
            walk(&e.path(), &rel, out, total)?;
        } else if kind.is_file() {
            let bytes = std::fs::read(e.path()).map_err(|err| format!("{rel}: {err}"))?;
            *total += bytes.len();
            out.push((rel, bytes));
            if out.len() > MAX_FILES || *total > MAX_BYTES {
                return Err(format!("more than {MAX_FILES} files or {} MB", MAX_BYTES / 1024 / 1024));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::ecr_uri;

    #[test]
    fn ecr_uris() {
        assert_eq!(
            ecr_uri("123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn/train:1.4").map(|x| x.0),
            Ok("eu-west-1")
        );
        let digest = format!("123456789012.dkr.ecr.us-east-1.amazonaws.com/m@sha256:{}", "a".repeat(64));
        assert!(ecr_uri(&digest).is_ok());
        for bad in [
            "docker.io/library/python:3.11",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/Churn:1",
            "12345.dkr.ecr.us-east-1.amazonaws.com/churn:1",
        ] {
            assert!(ecr_uri(bad).is_err(), "{bad}");
        }
    }
}
