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
    if let Some(o) = overlay {
        copy_dir(&o.join("environments"), &dir.path().join("environments"));
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
