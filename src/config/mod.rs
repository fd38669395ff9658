//! Loading: find `environments/*.tfvars.json`, read the bytes, parse them keeping spans
//! (`json`), describe the format (`shape`), address values (`path`), and deserialize into the raw
//! typed form (`raw`). Nothing here judges meaning; that is `validate`'s job.

pub mod json;
pub mod path;
pub mod raw;
pub mod shape;

use crate::diag::{Code, Diagnostic, Span};
use path::{JsonPath, Seg};
use std::path::{Path, PathBuf};

/// The directory, relative to the repository root, that holds the config files.
pub const ENV_DIR: &str = "environments";
/// The suffix every config file has.
pub const ENV_SUFFIX: &str = ".tfvars.json";

/// One config file as read from disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The environment name the file name gives (`prod` for `prod.tfvars.json`).
    pub env: String,
    /// Relative to the repository root, as the user would type it.
    pub path: PathBuf,
    pub text: String,
}

/// A config file from its bytes; invalid UTF-8 is a diagnostic (the text is then lossy).
pub fn source_from_bytes(env: String, path: PathBuf, bytes: Vec<u8>) -> (SourceFile, Option<Diagnostic>) {
    match String::from_utf8(bytes) {
        Ok(text) => (SourceFile { env, path, text }, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let byte = e.as_bytes().get(at).copied().unwrap_or(0);
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let d = Diagnostic::error(Code::E0102, &path, "config file is not valid UTF-8")
                .at(Span::new(at, at + 1), "$")
                .label("invalid byte")
                .expected("UTF-8 text")
                .found(format!("byte 0x{byte:02X}"))
                .help("save the file as UTF-8");
            (SourceFile { env, path, text }, Some(d))
        }
    }
}

/// Reads every config file of the repository at `repo`, in name order. Problems reading a file
/// become diagnostics; the other files are still returned. So do a directory without any config
/// (E0105: nothing to validate is an error, not an empty success) and files that look like
/// configs but are not named `<env>.tfvars.json` (E0106, a warning: they are not read).
pub fn read_all(repo: &Path) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let dir = repo.join(ENV_DIR);
    let mut diags = Vec::new();
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(err) => {
            diags.push(
                Diagnostic::error(Code::E0104, ENV_DIR, "cannot read the environments directory")
                    .expected(format!("a directory {ENV_DIR}/ with one <env>{ENV_SUFFIX} per environment"))
                    .found(format!("{}: {err}", dir.display()))
                    .help("run mlopsgen at the repository root, or pass -C <repo>; `mlopsgen init` starts a new one"),
            );
            return (Vec::new(), diags);
        }
    };
    let all: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    let mut names: Vec<String> =
        all.iter().filter(|n| n.ends_with(ENV_SUFFIX) && n.len() > ENV_SUFFIX.len()).cloned().collect();
    names.sort();
    let mut misnamed: Vec<&String> = all.iter().filter(|n| looks_like_config(n)).collect();
    misnamed.sort();
    for name in &misnamed {
        let stem = name.split('.').next().unwrap_or(name);
        let expected = format!("{stem}{ENV_SUFFIX}");
        let rel = PathBuf::from(ENV_DIR).join(name);
        let d = Diagnostic::warning(Code::E0106, &rel, format!("{ENV_DIR}/{name} is not loaded"))
            .label("not a config file name")
            .expected(format!("{ENV_DIR}/<env>{ENV_SUFFIX}, here {ENV_DIR}/{expected}"))
            .found(format!("{ENV_DIR}/{name}"));
        diags.push(if names.contains(&expected) {
            d.help(format!("{ENV_DIR}/{expected} is the config of {stem}; remove {name} or merge it into that file"))
        } else {
            d.help(format!("rename it to {expected}; mlopsgen reads only <env>{ENV_SUFFIX} files"))
        });
    }
    if names.is_empty() {
        let help = if misnamed.is_empty() {
            "run `mlopsgen init` to write configs for dev, prod and registry (or pass -C <repo> if this is not the repository root)".to_string()
        } else {
            format!(
                "rename the files the warnings name to <env>{ENV_SUFFIX}, or run `mlopsgen init` to start from examples"
            )
        };
        diags.push(
            Diagnostic::error(Code::E0105, ENV_DIR, format!("no environment config in {ENV_DIR}/"))
                .expected(format!("one {ENV_DIR}/<env>{ENV_SUFFIX} per environment, e.g. {ENV_DIR}/prod{ENV_SUFFIX}"))
                .found(if all.iter().all(|n| n.starts_with('.')) {
                    format!("an empty {ENV_DIR}/ directory")
                } else {
                    format!("no file named <env>{ENV_SUFFIX} in {ENV_DIR}/")
                })
                .help(help),
        );
    }
    let files = read_named(repo, ENV_DIR, &names, ENV_SUFFIX, "config file", &mut diags);
    (files, diags)
}

/// Reads `dir/<name>` for each of `names` (the stem, before `suffix`, names the file's
/// environment or model); a file that cannot be read is E0101, the others are still read.
fn read_named(
    repo: &Path,
    dir: &str,
    names: &[String],
    suffix: &str,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<SourceFile> {
    let mut files = Vec::new();
    for name in names {
        let rel = PathBuf::from(dir).join(name);
        let stem = name.trim_end_matches(suffix).to_string();
        match std::fs::read(repo.join(&rel)) {
            Ok(bytes) => {
                let (file, diag) = source_from_bytes(stem, rel, bytes);
                files.push(file);
                diags.extend(diag);
            }
            Err(err) => diags.push(
                Diagnostic::error(Code::E0101, &rel, format!("cannot read {what}"))
                    .expected("a readable file")
                    .found(err.to_string()),
            ),
        }
    }
    files
}

/// The directory, relative to the repository root, of the model files (`<model>.json`).
pub const MODEL_DIR: &str = "models";

/// Reads every model file `models/<model>.json` of the repository, in name order (none when the
/// directory does not exist: models may be declared inside the environment files).
pub fn read_models(repo: &Path) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let Ok(entries) = std::fs::read_dir(repo.join(MODEL_DIR)) else { return (Vec::new(), diags) };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json") && !n.starts_with('.') && n.len() > ".json".len())
        .collect();
    names.sort();
    let files = read_named(repo, MODEL_DIR, &names, ".json", "model file", &mut diags);
    (files, diags)
}

/// A file name that someone probably meant as a config but that `read_all` does not load:
/// JSON or Terraform variables without the exact `.tfvars.json` suffix (`prod.json`,
/// `prod.tfvars`, `prod.TFVARS.JSON`). Hidden files (editors' backups) are not configs.
fn looks_like_config(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    !name.starts_with('.')
        && !name.ends_with(ENV_SUFFIX)
        && [".json", ".tfvars", ".jsonc", ".json5"].iter().any(|s| lower.ends_with(s))
}

/// `text` with `value` written at `path`: the value there replaced, or, when the object at the
/// parent path lacks the key, the key added as its last member. `None` when `text` is not valid
/// JSON or the path leads nowhere. The rest of the text is kept byte for byte. Applies a
/// diagnostic's [`crate::diag::Fix`]; nothing here judges whether the value is right.
pub fn apply_fix(text: &str, path: &JsonPath, value: &serde_json::Value) -> Option<String> {
    let root = json::parse(text).ok()?;
    let literal = serde_json::to_string(value).ok()?;
    let splice = |at: Span, with: &str| {
        let mut out = String::with_capacity(text.len() + with.len());
        out.push_str(text.get(..at.start)?);
        out.push_str(with);
        out.push_str(text.get(at.end..)?);
        Some(out)
    };
    if let Some(node) = path.lookup(&root) {
        return splice(node.span, &literal);
    }
    let (Seg::Key(key), parent) = path.0.split_last()? else { return None };
    let parent = JsonPath(parent.to_vec()).lookup(&root)?;
    let json::Value::Object(members) = &parent.value else { return None };
    let member = format!("{}: {literal}", crate::diag::quoted(key));
    match members.last() {
        Some(last) => splice(Span::new(last.node.span.end, last.node.span.end), &format!(", {member}")),
        None => splice(Span::new(parent.span.start + 1, parent.span.start + 1), &member),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_fix_replaces_or_adds_and_keeps_the_rest() {
        let text = "{\n  \"a\": \"x\",\n  \"b\": {\"c\": [1, 2]}\n}\n";
        let p = JsonPath::root().key("b").key("c").index(1);
        assert_eq!(
            apply_fix(text, &p, &serde_json::json!(3)).as_deref(),
            Some("{\n  \"a\": \"x\",\n  \"b\": {\"c\": [1, 3]}\n}\n")
        );
        let p = JsonPath::root().key("b").key("d");
        assert_eq!(
            apply_fix(text, &p, &serde_json::json!("y")).as_deref(),
            Some("{\n  \"a\": \"x\",\n  \"b\": {\"c\": [1, 2], \"d\": \"y\"}\n}\n")
        );
        assert_eq!(
            apply_fix("{}", &JsonPath::root().key("k"), &serde_json::json!(true)).as_deref(),
            Some("{\"k\": true}")
        );
        assert_eq!(apply_fix(text, &JsonPath::root().key("x").key("y"), &serde_json::json!(1)), None);
    }
}
