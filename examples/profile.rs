//! Phase timings of validate, render and plan on a repository (for profiling; not a test).
//! usage: cargo run --release --example profile -- REPO
use std::time::Instant;

fn main() {
    let repo = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let t = Instant::now();
    let v = mlopsgen::validate_repo(&repo, &[]);
    let t_validate = t.elapsed();
    let t = Instant::now();
    let files = mlopsgen::render::render(&v.envs, &[]);
    let t_render = t.elapsed();
    let dirs = mlopsgen::render::owned_dirs(&v.envs);
    let t = Instant::now();
    let plan = mlopsgen::plan::plan(&repo, &files, &dirs, &[]);
    let t_plan = t.elapsed();
    let bytes: usize = files.0.values().map(Vec::len).sum();
    println!(
        "validate {t_validate:?}, render {t_render:?} ({} files, {} bytes), plan {t_plan:?} (changes: {})",
        files.0.len(),
        bytes,
        plan.map(|p| p.has_changes()).unwrap_or(false)
    );
}
