//! Rendering: validated environments → the in-memory set of files under `generated/`.
//! A pure function: no IO, no clock, no environment variables; same input, same bytes.
//!
//! `hcl` writes canonical HCL, `policy` builds IAM/KMS policies, `root` writes each
//! environment's Terraform roots (main and bootstrap), `modules` the shared modules, and
//! `manifest` the checksums that let `generate` detect hand edits.

pub mod deploy;
pub mod events;
pub mod hcl;
pub mod identity;
pub mod jenkins;
pub mod keys;
pub mod manifest;
pub mod modules;
pub mod pipeline;
pub mod policy;
pub mod problem;
pub mod python;
pub mod registry;
pub mod root;
pub mod targz;
pub mod tf;
pub mod training;
pub mod workflow;
pub mod zip;

use crate::model::EnvConfig;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Everything one `generate` would write, keyed by path under `generated/`. A BTreeMap so
/// iteration (and therefore the manifest and the plan) is ordered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSet(pub BTreeMap<PathBuf, Vec<u8>>);

impl FileSet {
    /// Adds a file (text).
    pub fn insert(&mut self, path: impl Into<PathBuf>, text: String) {
        self.0.insert(path.into(), text.into_bytes());
    }

    /// Adds a file (bytes).
    pub fn insert_bytes(&mut self, path: impl Into<PathBuf>, bytes: Vec<u8>) {
        self.0.insert(path.into(), bytes);
    }

    /// The files under a directory (`prod`, `modules`), with paths relative to it.
    pub fn under(&self, dir: &Path) -> BTreeMap<PathBuf, &[u8]> {
        self.0
            .iter()
            .filter_map(|(p, b)| p.strip_prefix(dir).ok().map(|rel| (rel.to_path_buf(), b.as_slice())))
            .collect()
    }
}

/// The directories `generate` owns under `generated/`: `modules` and one per environment.
pub fn owned_dirs(envs: &[EnvConfig]) -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from("modules"), PathBuf::from("jenkins")];
    dirs.extend(envs.iter().map(|e| PathBuf::from(&e.name)));
    dirs
}

/// Renders every environment and the shared modules. `all` is every environment (cross-account
/// facts such as the registry's grants need them); `selected` names those to render.
///
/// Environments are independent (each writes only under its own directory), so they are rendered
/// on up to one thread per core, each with its own manifest; the parts are merged into one ordered
/// map, so the result does not depend on the threads.
pub fn render(all: &[EnvConfig], selected: &[String]) -> FileSet {
    render_on_threads(all, selected, std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// [`render`] on at most `threads` threads (tests check that the count never changes a byte).
pub fn render_on_threads(all: &[EnvConfig], selected: &[String], threads: usize) -> FileSet {
    let mut files = FileSet::default();
    modules::render(&mut files);
    jenkins::render(all, &mut files);
    manifest::add_manifests(&mut files);
    let chosen: Vec<&EnvConfig> = all.iter().filter(|e| selected.is_empty() || selected.contains(&e.name)).collect();
    let threads = threads.min(chosen.len()).max(1);
    let per_thread = chosen.len().div_ceil(threads).max(1);
    let render_part = |envs: &[&EnvConfig]| {
        let mut part = FileSet::default();
        for env in envs {
            root::render(env, all, &mut part);
        }
        manifest::add_manifests(&mut part);
        part
    };
    std::thread::scope(|scope| {
        let mut chunks = chosen.chunks(per_thread);
        let first = chunks.next();
        let others: Vec<_> = chunks.map(|c| scope.spawn(move || render_part(c))).collect();
        if let Some(c) = first {
            files.0.append(&mut render_part(c).0);
        }
        for handle in others {
            match handle.join() {
                Ok(mut part) => files.0.append(&mut part.0),
                // A panic in a render thread is a bug: let it surface as one.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    files
}
