//! Shell completion that knows the repository: `mlopsgen completions SHELL` prints a script that,
//! on each TAB, runs `COMPLETE=SHELL mlopsgen -- <the words so far>` (clap_complete's
//! `CompleteEnv` protocol, answered in `cli::main` before any parsing). Subcommands and flags
//! come from the clap definition; ENV and MODEL arguments from the files of the repository the
//! command line points at (`-C DIR`, else the current directory), read afresh on every TAB.
//!
//! Reads file names and the names inside environment files only; never validates, never fails:
//! an unreadable or broken file just offers fewer names.

use clap_complete::engine::CompletionCandidate;
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The environment variable that switches the binary into answering a completion request.
pub const VAR: &str = "COMPLETE";

/// The environments of `repo`: every `environments/<env>.tfvars.json`, by name.
pub fn environment_names(repo: &Path) -> Vec<String> {
    let suffix = crate::config::ENV_SUFFIX;
    let mut names: Vec<String> = file_names(&repo.join(crate::config::ENV_DIR))
        .into_iter()
        .filter_map(|n| n.strip_suffix(suffix).filter(|s| !s.is_empty()).map(str::to_string))
        .collect();
    names.sort();
    names
}

/// The models of `repo`, by name: every `models/<model>.json`, the models the environment files
/// declare (`models` keys, `model_name`) and the registry's model package groups (what
/// `versions registry MODEL` takes).
pub fn model_names(repo: &Path) -> Vec<String> {
    let mut names: BTreeSet<String> = file_names(&repo.join(crate::config::MODEL_DIR))
        .into_iter()
        .filter_map(|n| n.strip_suffix(".json").filter(|s| !s.is_empty()).map(str::to_string))
        .collect();
    for env in environment_names(repo) {
        let path = repo.join(crate::config::ENV_DIR).join(format!("{env}{}", crate::config::ENV_SUFFIX));
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let Ok(serde_json::Value::Object(config)) = serde_json::from_str(text.trim_start_matches('\u{feff}')) else {
            continue;
        };
        for key in ["models", "model_package_groups"] {
            if let Some(serde_json::Value::Object(map)) = config.get(key) {
                names.extend(map.keys().cloned());
            }
        }
        if let Some(serde_json::Value::String(name)) = config.get("model_name") {
            names.insert(name.clone());
        }
    }
    names.into_iter().filter(|n| !n.is_empty() && !n.contains(char::is_whitespace)).collect()
}

/// The names of the files directly in `dir` (none when it cannot be read).
fn file_names(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect()
}

/// The repository a command line points at: the value of its last `-C`/`--chdir` (before a
/// `--`), else the current directory. `words` are the command line's words, the program first.
pub fn repo_of(words: &[OsString]) -> PathBuf {
    let mut repo = PathBuf::from(".");
    let mut words = words.iter().skip(1).map(|w| w.to_string_lossy().into_owned());
    while let Some(w) = words.next() {
        if w == "--" {
            break;
        } else if w == "-C" || w == "--chdir" {
            if let Some(dir) = words.next() {
                repo = PathBuf::from(dir);
            }
        } else if let Some(dir) = w.strip_prefix("--chdir=").or_else(|| w.strip_prefix("-C")) {
            repo = PathBuf::from(dir.strip_prefix('=').unwrap_or(dir));
        }
    }
    repo
}

/// The words being completed: what follows the first `--` of this process's arguments
/// (`mlopsgen -- mlopsgen -C dir versions pr`).
fn words_being_completed() -> Vec<OsString> {
    std::env::args_os().skip_while(|a| a != "--").skip(1).collect()
}

fn candidates(names: Vec<String>) -> Vec<CompletionCandidate> {
    names.into_iter().map(CompletionCandidate::new).collect()
}

/// The candidates of an ENV argument (clap_complete calls this while answering a request).
pub fn environments() -> Vec<CompletionCandidate> {
    candidates(environment_names(&repo_of(&words_being_completed())))
}

/// The candidates of a MODEL argument.
pub fn models() -> Vec<CompletionCandidate> {
    candidates(model_names(&repo_of(&words_being_completed())))
}

/// The script a shell sources to complete `mlopsgen` with the binary's help. `completer` is the
/// program the script runs on each TAB (the path it was started by, or `mlopsgen` from PATH).
pub fn registration(shell: clap_complete::Shell, completer: &str) -> String {
    let shells = clap_complete::env::Shells::builtins();
    let Some(adapter) = shells.completer(&shell.to_string()) else { return String::new() };
    let mut buf = Vec::new();
    let _ = adapter.write_registration(VAR, "mlopsgen", "mlopsgen", completer, &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

/// What the registration script should run: the program as it was started when that names a
/// file by a path (made absolute, so the script works from any directory), else `mlopsgen`.
pub fn completer_program(argv0: Option<OsString>) -> String {
    let Some(argv0) = argv0 else { return "mlopsgen".into() };
    let path = PathBuf::from(&argv0);
    if path.components().count() > 1
        && let Ok(abs) = std::fs::canonicalize(&path)
    {
        return abs.to_string_lossy().into_owned();
    }
    "mlopsgen".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<OsString> {
        w.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_repository_is_the_one_chdir_names() {
        assert_eq!(repo_of(&words(&["mlopsgen", "validate", "p"])), PathBuf::from("."));
        assert_eq!(repo_of(&words(&["mlopsgen", "-C", "/r", "validate"])), PathBuf::from("/r"));
        assert_eq!(repo_of(&words(&["mlopsgen", "--chdir=/r", "plan"])), PathBuf::from("/r"));
        assert_eq!(repo_of(&words(&["mlopsgen", "-C/r", "plan"])), PathBuf::from("/r"));
        assert_eq!(repo_of(&words(&["mlopsgen", "plan", "--", "-C", "/r"])), PathBuf::from("."));
    }

    #[test]
    fn every_shell_gets_a_script_that_calls_the_binary() {
        for shell in [
            clap_complete::Shell::Bash,
            clap_complete::Shell::Zsh,
            clap_complete::Shell::Fish,
            clap_complete::Shell::Elvish,
            clap_complete::Shell::PowerShell,
        ] {
            let script = registration(shell, "/opt/bin/mlopsgen");
            assert!(script.contains("/opt/bin/mlopsgen") && script.contains(VAR), "{shell}: {script}");
        }
    }
}
