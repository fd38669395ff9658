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
pub mod steps;
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
    manifest::add_manifests(&mut files);
    let chosen: Vec<&EnvConfig> = all.iter().filter(|e| selected.is_empty() || selected.contains(&e.name)).collect();
    let templates = templates_for(&chosen);
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
        // Tera's parse of the templates and the Jenkinsfile run beside the environments' own
        // files (a template is parsed once, by whichever thread needs it first).
        let warm = (!templates.is_empty()).then(|| scope.spawn(|| python::prepare(&templates)));
        let jenkins = scope.spawn(|| {
            let mut part = FileSet::default();
            jenkins::render(all, &mut part);
            manifest::add_manifests(&mut part);
            part
        });
        let mut chunks = chosen.chunks(per_thread);
        let first = chunks.next();
        let others: Vec<_> = chunks.map(|c| scope.spawn(move || render_part(c))).collect();
        if let Some(c) = first {
            files.0.append(&mut render_part(c).0);
        }
        for handle in warm.into_iter().map(|h| h.join().map(|()| FileSet::default())).chain([jenkins.join()]) {
            match handle {
                Ok(mut part) => files.0.append(&mut part.0),
                Err(panic) => std::panic::resume_unwind(panic),
            }
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

/// The Python templates the `chosen` environments render, last-rendered first (so that the
/// thread preparing them and the threads rendering meet instead of queueing on the same one).
fn templates_for(chosen: &[&EnvConfig]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for env in chosen {
        let Some(w) = &env.workload else { continue };
        let mut add = |n: String| {
            if !names.contains(&n) {
                names.push(n);
            }
        };
        for m in &w.models {
            for script in pipeline::SCRIPTS {
                add(match *script {
                    "problem.py" => problem::template(m),
                    "training.py" => training::template(m).to_string(),
                    _ => script.to_string(),
                });
            }
        }
        add("latest_approved_model.py".into());
        if env.has_quality() {
            add("start_quality_check.py".into());
        }
    }
    names.reverse();
    names
}

#[cfg(test)]
mod layering {
    //! The modules of `render` form floors (ARCHITECTURE.md, "render is a tree"): shared helpers
    //! on floor 0 import no capability; each capability on floor 1 imports floor 0 and only
    //! capabilities ranked below it; `deploy` and `root` on floor 2 compose them from above.
    //! This test reads the sources and fails on an import that reaches up or sideways.

    /// Every module of `render` and its rank: the floor is `rank / 10`; a module may import only
    /// modules of a lower rank.
    const RANKS: &[(&str, u32)] = &[
        // Floor 0: shared helpers.
        ("hcl", 0),
        ("python", 0),
        ("zip", 0),
        ("manifest", 0),
        ("modules", 0),
        ("policy", 1),
        ("tf", 2),
        ("targz", 1),
        ("steps", 2),
        // Floor 1: capabilities, lowest first.
        ("keys", 10),
        ("jenkins", 10),
        ("problem", 11),
        ("training", 12),
        ("pipeline", 13),
        ("events", 14),
        ("workflow", 15),
        ("registry", 16),
        ("identity", 17),
        // Floor 2: composition.
        ("deploy", 20),
        ("root", 21),
    ];

    /// Imports that break the order and are known: none.
    const KNOWN: &[(&str, &str)] = &[];

    fn rank(module: &str) -> Option<u32> {
        RANKS.iter().find(|(m, _)| *m == module).map(|(_, r)| *r)
    }

    /// The sibling modules `source` names: `super::x`, `super::{x, y::z}`, `crate::render::x`.
    fn imports(source: &str) -> Vec<String> {
        let mut out = Vec::new();
        for line in source.lines() {
            let code = line.split("//").next().unwrap_or("");
            for prefix in ["crate::render::", "super::"] {
                for (at, _) in code.match_indices(prefix) {
                    let rest = &code[at + prefix.len()..];
                    let names: Vec<&str> = match rest.strip_prefix('{') {
                        Some(list) => list.split('}').next().unwrap_or("").split(',').collect(),
                        None => vec![rest],
                    };
                    for name in names {
                        let name: String =
                            name.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                        if rank(&name).is_some() && !out.contains(&name) {
                            out.push(name);
                        }
                    }
                }
            }
        }
        out
    }

    /// The imports of `sources` (`(module, text)`) that reach a module of the same or a higher rank.
    fn violations(sources: &[(String, String)]) -> Vec<String> {
        let mut bad = Vec::new();
        for (module, text) in sources {
            let Some(from) = rank(module) else {
                bad.push(format!("render::{module} has no floor: add it to RANKS and ARCHITECTURE.md"));
                continue;
            };
            for to in imports(text) {
                let Some(r) = rank(&to) else { continue };
                if to != *module && r >= from && !KNOWN.contains(&(module.as_str(), to.as_str())) {
                    bad.push(format!(
                        "render::{module} (floor {}, rank {from}) imports render::{to} (floor {}, rank {r}), which is not below it",
                        from / 10,
                        r / 10
                    ));
                }
            }
        }
        bad
    }

    fn sources() -> Vec<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/render");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("src/render is readable") {
            let path = entry.expect("a directory entry").path();
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else { continue };
            if path.extension().is_some_and(|e| e == "rs") && stem != "mod" {
                let text = std::fs::read_to_string(&path).expect("a render source is readable");
                out.push((stem.to_string(), text));
            }
        }
        out.sort();
        out
    }

    #[test]
    fn render_modules_import_only_lower_floors() {
        let sources = sources();
        assert_eq!(sources.len(), RANKS.len(), "every module of render has a rank, and every rank a module");
        let bad = violations(&sources);
        assert!(bad.is_empty(), "render's layering is broken:\n{}", bad.join("\n"));
    }

    #[test]
    fn the_layering_check_sees_every_form_of_import() {
        let src = |m: &str, t: &str| vec![(m.to_string(), t.to_string())];
        assert!(violations(&src("keys", "use super::deploy::log_group;")).len() == 1);
        assert!(violations(&src("tf", "use super::{hcl::Expr, registry};")).len() == 1);
        assert!(violations(&src("registry", "let g = super::deploy::main_root_log_groups(env);")).len() == 1);
        assert!(violations(&src("events", "crate::render::workflow::pipeline_kinds(m)")).len() == 1);
        assert!(violations(&src("keys", "// super::deploy:: in a comment")).is_empty());
        assert!(violations(&src("deploy", "use super::keys::root_statement;")).is_empty());
        assert!(violations(&src("problem", "use super::pipeline::get;")).len() == 1);
        assert!(violations(&src("pipeline", "super::problem::gate(m)")).is_empty());
    }
}
