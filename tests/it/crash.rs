//! Crash safety: `mlopsgen generate` killed with SIGKILL at 100 points during its write leaves
//! every `generated/<dir>` as the complete old tree or the complete new one, and the next run
//! finishes the job.

use crate::common;

use common::*;
use mlopsgen::render::{self, FileSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    mlopsgen::write::list_files(dir)
        .expect("list")
        .into_iter()
        .filter(|f| !f.starts_with('.') || f.ends_with(".mlopsgen-manifest.json"))
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).expect("read");
            (f, bytes)
        })
        .collect()
}

fn expected(files: &FileSet, dir: &str) -> Vec<(String, Vec<u8>)> {
    files.under(Path::new(dir)).into_iter().map(|(p, b)| (p.to_string_lossy().into_owned(), b.to_vec())).collect()
}

fn render_repo(repo: &Path) -> (FileSet, Vec<PathBuf>) {
    let v = mlopsgen::validate_repo(repo, &[]);
    assert!(!v.report.has_errors(), "{}", v.report.render_plain());
    (render::render(&v.envs, &[]), render::owned_dirs(&v.envs))
}

#[test]
fn sigkill_during_generate_leaves_old_or_new_tree() {
    let repo = temp_repo(None);
    let cfg = repo.path().join("environments/prod.tfvars.json");
    let original = std::fs::read_to_string(&cfg).expect("read");
    let (old, dirs) = render_repo(repo.path());
    std::fs::write(
        &cfg,
        original.replace("\"name\": \"sagemaker-execution-role\"", "\"name\": \"sagemaker-execution-role-v2\""),
    )
    .expect("write");
    let (new, _) = render_repo(repo.path());
    let changed: Vec<&str> =
        ["modules", "dev", "prod", "registry"].into_iter().filter(|d| expected(&old, d) != expected(&new, d)).collect();
    assert!(
        changed.contains(&"prod") && changed.contains(&"registry"),
        "the change must touch several trees: {changed:?}"
    );

    // How long one uninterrupted run takes here (debug build, busy CI machine): the kills are
    // spread over 0 to 1.2 times that.
    mlopsgen::write::write(repo.path(), &old, &dirs, true).expect("reset to the old tree");
    let started = std::time::Instant::now();
    let full =
        Command::new(env!("CARGO_BIN_EXE_mlopsgen")).arg("-C").arg(repo.path()).arg("generate").output().expect("run");
    assert!(full.status.success());
    let span = started.elapsed().as_micros() as u64 * 12 / 10;

    let mut outcomes = [0usize; 2];
    for trial in 0..100u64 {
        mlopsgen::write::write(repo.path(), &old, &dirs, true).expect("reset to the old tree");
        let mut child = Command::new(env!("CARGO_BIN_EXE_mlopsgen"))
            .arg("-C")
            .arg(repo.path())
            .arg("generate")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        // Sweep the kill over the whole run: process start, validation, rendering, writing.
        std::thread::sleep(Duration::from_micros(trial * span / 100));
        let _ = child.kill();
        let status = child.wait().expect("wait");
        for dir in ["modules", "dev", "prod", "registry"] {
            let on_disk = tree(&repo.path().join("generated").join(dir));
            let is_old = on_disk == expected(&old, dir);
            let is_new = on_disk == expected(&new, dir);
            assert!(
                is_old || is_new,
                "trial {trial} (exit {status:?}): generated/{dir} is neither the old nor the new tree"
            );
        }
        outcomes[usize::from(tree(&repo.path().join("generated/prod")) == expected(&new, "prod"))] += 1;
        // The next run completes the change from whatever state the kill left.
        let done = Command::new(env!("CARGO_BIN_EXE_mlopsgen"))
            .arg("-C")
            .arg(repo.path())
            .arg("generate")
            .output()
            .expect("run");
        assert_eq!(done.status.code(), Some(0), "trial {trial}: {}", String::from_utf8_lossy(&done.stderr));
        for dir in ["modules", "dev", "prod", "registry"] {
            assert!(
                tree(&repo.path().join("generated").join(dir)) == expected(&new, dir),
                "trial {trial}: recovery of {dir}"
            );
        }
        let leftovers: Vec<_> = std::fs::read_dir(repo.path().join("generated"))
            .expect("read")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| e.file_name())
            .collect();
        assert!(leftovers.is_empty(), "trial {trial}: left behind {leftovers:?}");
    }
    // Both outcomes must occur, or the sweep missed the write.
    assert!(outcomes[0] > 0 && outcomes[1] > 0, "old/new outcomes: {outcomes:?}");
}
