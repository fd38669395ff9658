//! Replays every input the fuzzer kept (`fuzz/regressions/`) through the fuzz target's path:
//! load → validate → render. None may panic.

use crate::common;

use common::*;
use mlopsgen::config::{SourceFile, source_from_bytes};
use std::path::PathBuf;

#[test]
fn fuzz_regressions_do_not_panic() {
    let dir = repo_root().join("fuzz/regressions");
    let mut inputs: Vec<PathBuf> =
        std::fs::read_dir(&dir).expect("fuzz/regressions").map(|e| e.expect("entry").path()).collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "fuzz/regressions holds the inputs to replay");
    let dev = std::fs::read_to_string(fixture("base/environments/dev.tfvars.json")).expect("dev");
    let registry = std::fs::read_to_string(fixture("base/environments/registry.tfvars.json")).expect("registry");
    for input in inputs {
        let bytes = std::fs::read(&input).expect("read input");
        let (prod, diag) = source_from_bytes("prod".into(), PathBuf::from("environments/prod.tfvars.json"), bytes);
        let files = vec![
            SourceFile { env: "dev".into(), path: PathBuf::from("environments/dev.tfvars.json"), text: dev.clone() },
            prod,
            SourceFile {
                env: "registry".into(),
                path: PathBuf::from("environments/registry.tfvars.json"),
                text: registry.clone(),
            },
        ];
        let v = mlopsgen::validate::validate_sources(&files, diag.into_iter().collect(), &[]);
        let _ = v.report.render_plain();
        let _ = v.report.to_json();
        if !v.report.has_errors() {
            assert!(!mlopsgen::render::render(&v.envs, &[]).0.is_empty(), "{}", input.display());
        }
    }
}
