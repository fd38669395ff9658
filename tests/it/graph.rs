//! `graph`: the picture of the example platform, in Mermaid (snapshotted, and the copy in
//! docs/platform.md kept current) and DOT. Rendering with mermaid-cli and Graphviz happens in `.ci/run`.

use crate::common;

use common::*;
use std::process::Command;

fn graph(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_mlopsgen"))
        .arg("-C")
        .arg(repo_root())
        .arg("graph")
        .args(args)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn mermaid_graph_snapshot_and_docs_copy() {
    let mermaid = graph(&[]);
    assert!(mermaid.starts_with("flowchart LR\n"));
    for flow in [
        "prod__mammography_severity_model_schedule -->|\"starts\"| prod__mammography_severity_model_inference",
        "prod__mammography_severity_model_inference -->|\"drift\"| prod__mammography_severity_model_drift_detected",
        "prod__mammography_severity_model_drift_detected -->|\"starts\"| prod__mammography_severity_model_train",
        "prod__mammography_severity_model_train -->|\"registers (pending approval)\"| registry__mammo_severity_model_package",
        "registry__mammo_severity_model_package -->|\"new version\"| registry__model_version_pending_approval",
        "registry__model_version_pending_approval -->|\"notifies\"| registry__approvals",
        "jenkins -->|\"assumes\"| prod__deploy",
        "registry__approver -->|\"approves or rejects\"| registry__mammo_severity_model_package",
        "prod__mammography_severity_model_inference -->|\"breaks the data contract\"| prod__mammography_severity_model_batch_rejected",
        "prod__mammography_severity_model_quality -->|\"below minimums\"| prod__mammography_severity_model_quality_failed",
    ] {
        assert!(mermaid.contains(flow), "missing flow: {flow}");
    }
    assert_snapshot!("mermaid_graph_snapshot_and_readme_copy", mermaid);
    let page = std::fs::read_to_string(repo_root().join("docs/platform.md")).expect("docs/platform.md");
    assert!(
        page.contains(&format!("```mermaid\n{mermaid}```")),
        "docs/platform.md's platform diagram is stale: paste the output of `cargo run -- graph`"
    );
}

#[test]
fn dot_graph_has_a_cluster_per_environment() {
    let dot = graph(&["--format", "dot"]);
    assert!(dot.starts_with("digraph mlopsgen {"));
    for env in ["dev", "prod", "registry"] {
        assert!(dot.contains(&format!("subgraph cluster_{env} {{")), "{env}");
    }
    assert_snapshot!("dot_graph_has_a_cluster_per_environment", dot);
}

#[test]
fn graph_of_one_environment_keeps_its_cross_account_context() {
    let prod = graph(&["prod"]);
    assert!(prod.contains("prod__key"));
    assert!(!prod.contains("dev__key"), "other environments' own objects are left out");
    assert!(prod.contains("registry__mammo_severity_model_package"), "the registry group prod registers into is shown");
}
