//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The repository root (where Cargo.toml is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture path under tests/fixtures.
pub fn fixture(rel: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(rel)
}

/// Copies every file of `from` into `to` (flat: `environments/*.tfvars.json`).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read fixture dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// A temporary repository with the frozen base environments, overlaid by `overlay` (a directory
/// holding `environments/*.tfvars.json`), if given.
pub fn temp_repo(overlay: Option<&Path>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&fixture("base/environments"), &dir.path().join("environments"));
    copy_dir(&fixture("base/models"), &dir.path().join("models"));
    if let Some(o) = overlay {
        if o.join("environments").exists() {
            copy_dir(&o.join("environments"), &dir.path().join("environments"));
        }
        for extra in ["models", "training"] {
            if o.join(extra).exists() {
                copy_dir(&o.join(extra), &dir.path().join(extra));
            }
        }
    }
    dir
}

/// A temporary repository holding exactly the given files under `environments/`.
pub fn temp_repo_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let envs = dir.path().join("environments");
    std::fs::create_dir_all(&envs).expect("create environments/");
    for (name, text) in files {
        std::fs::write(envs.join(name), text).expect("write config");
    }
    dir
}

/// The blog post's sample config, unmodified.
pub fn seed_text() -> String {
    let path = repo_root().join("tests/fixtures/seed/prod.tfvars.json");
    std::fs::read_to_string(path).expect("seed fixture")
}

/// The project's own local AWS emulator (tools/emulator: moto pinned in
/// tools/localrun/requirements/emulator.txt), stopped when dropped. Its first start installs the
/// emulator's Python environment (PyPI); later starts take about a second.
pub struct Emulator {
    pub vars: Vec<(String, String)>,
    pidfile: String,
}

impl Emulator {
    /// Starts one; with `account`, its credentials are an IAM user's in that account.
    pub fn start(account: Option<&str>) -> Emulator {
        let start = repo_root().join("tools/emulator/start");
        let mut cmd = std::process::Command::new(&start);
        if let Some(a) = account {
            cmd.arg("--account-id").arg(a);
        }
        cmd.env_remove("MOTO_ACCOUNT_ID");
        let out = cmd.output().expect("run tools/emulator/start");
        assert!(out.status.success(), "tools/emulator/start failed: {}", String::from_utf8_lossy(&out.stderr));
        let vars: Vec<(String, String)> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
            .collect();
        let pidfile = vars.iter().find(|(k, _)| k == "AWS_EMULATOR_PIDFILE").map(|(_, v)| v.clone()).expect("pidfile");
        Emulator { vars, pidfile }
    }

    pub fn var(&self, name: &str) -> String {
        self.vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = std::process::Command::new(repo_root().join("tools/emulator/stop")).arg(&self.pidfile).output();
    }
}

/// The Python of a pinned runtime of tools/localrun (`emulator`: moto and boto3), installed on
/// first use.
pub fn runtime_python(name: &str) -> PathBuf {
    let out = std::process::Command::new("python3")
        .args(["-m", "localrun", "runtime", name])
        .current_dir(repo_root().join("tools/localrun"))
        .output()
        .expect("run python3 -m localrun runtime");
    assert!(out.status.success(), "installing runtime {name} failed: {}", String::from_utf8_lossy(&out.stderr));
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}
