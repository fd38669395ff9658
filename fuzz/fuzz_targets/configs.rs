//! Fuzz target: arbitrary bytes as `environments/prod.tfvars.json` beside the example dev and
//! registry configs, through load → validate → render (when valid) → diagnostics rendering.
//! Seeds: the examples and the broken fixtures; `fuzz/configs.dict` holds every key of the format
//! so mutations stay close to the structure. Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run configs`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mlopsgen::config::{SourceFile, source_from_bytes};
use std::path::PathBuf;

const DEV: &str = include_str!("../../tests/fixtures/base/environments/dev.tfvars.json");
const REGISTRY: &str = include_str!("../../tests/fixtures/base/environments/registry.tfvars.json");

fuzz_target!(|data: &[u8]| {
    let (prod, diag) = source_from_bytes("prod".into(), PathBuf::from("environments/prod.tfvars.json"), data.to_vec());
    let files = vec![
        SourceFile { env: "dev".into(), path: PathBuf::from("environments/dev.tfvars.json"), text: DEV.into() },
        prod,
        SourceFile { env: "registry".into(), path: PathBuf::from("environments/registry.tfvars.json"), text: REGISTRY.into() },
    ];
    let v = mlopsgen::validate::validate_sources(&files, diag.into_iter().collect(), &[]);
    let _ = v.report.render_plain();
    let _ = v.report.to_json();
    if !v.report.has_errors() {
        let files = mlopsgen::render::render(&v.envs, &[]);
        let _ = mlopsgen::graph::mermaid(&mlopsgen::graph::build(&v.envs, &[]), &[]);
        assert!(!files.0.is_empty());
    }
});
