//! The example platforms of tests/fixtures/platforms: each validates without a problem and
//! renders into roots that parse; shape-specific promises hold (no bootstrap/ on the seed-only
//! path, roles exactly as broad as the rules that use them). `.ci/run` runs the judges on them.

use crate::common;

use common::*;
use std::path::PathBuf;

fn platform(name: &str) -> (mlopsgen::Validated, mlopsgen::render::FileSet) {
    let repo = fixture(&format!("platforms/{name}"));
    let v = mlopsgen::validate_repo(&repo, &[]);
    // An existing key (seed-only) always gets E0309: the statements its owner must add.
    let others: Vec<_> = v.report.diagnostics.iter().filter(|d| d.code != mlopsgen::diag::Code::E0309).collect();
    assert!(others.is_empty(), "{name}: {}", v.report.render_plain());
    let files = mlopsgen::render::render(&v.envs, &[]);
    (v, files)
}

fn text(files: &mlopsgen::render::FileSet, path: &str) -> String {
    String::from_utf8(files.0[&PathBuf::from(path)].clone()).expect("utf-8")
}

#[test]
fn every_platform_validates_and_renders_roots_that_parse() {
    let dir = fixture("platforms");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("platforms")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("environments").is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 4, "{names:?}");
    for name in names {
        let (_v, files) = platform(&name);
        for (path, bytes) in &files.0 {
            if path.extension().is_some_and(|e| e == "tf") {
                let t = String::from_utf8(bytes.clone()).expect("utf-8");
                hcl::parse(&t).unwrap_or_else(|e| panic!("{name}: {} does not parse: {e}", path.display()));
            }
            if path.extension().is_some_and(|e| e == "json") && path.starts_with("prod/pipelines") {
                serde_json::from_slice::<serde_json::Value>(bytes).expect("pipeline JSON");
            }
        }
    }
}

#[test]
fn the_seed_only_path_has_no_bootstrap_and_no_bucket_nobody_uses() {
    let (_v, files) = platform("seed-only");
    assert!(!files.0.keys().any(|p| p.starts_with("prod/bootstrap")), "nothing for an administrator to create");
    let main = text(&files, "prod/main.tf");
    assert!(!main.contains("module \"access_logs\""), "no bucket is created that would log into it");
    assert!(text(&files, "prod/backend.tf").contains("The state bucket exists already"));
    assert!(text(&files, "jenkins/Jenkinsfile").contains("No environment in environments/ has a deploy section"));
}

#[test]
fn roles_are_exactly_as_broad_as_the_rules_that_use_them() {
    let repo = fixture("platforms/multi-model-eu");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mlopsgen"))
        .arg("-C")
        .arg(&repo)
        .args(["describe", "prod"])
        .output()
        .expect("run");
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let prod = &d["environments"][0];
    let events = prod["events_role"]["policy"].to_string();
    // mammography retrains on drift; churn does not, so the events role may not start its train pipeline.
    assert!(events.contains("pipeline/mammo-severity-train-pipeline"), "{events}");
    assert!(!events.contains("churn-model"), "{events}");
    let trigger = prod["quality_trigger"]["role"]["policy"].to_string();
    assert!(trigger.contains("mammo-severity-quality-pipeline") && !trigger.contains("churn"), "{trigger}");
}
