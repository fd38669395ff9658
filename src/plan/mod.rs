//! `plan`: what `generate` would change, without writing. Compares the rendered file set with
//! `generated/` on disk: per file (added, removed, changed, unchanged, edited by hand) with a
//! unified diff, and per Terraform address (`aws_kms_key.x`, `module.data_bucket`, `output.y`)
//! and pipeline step, parsed with hcl-rs and serde_json, so that reviewers read the effect in
//! Terraform's vocabulary. Never writes.

pub mod report;

use crate::render::FileSet;
use crate::render::manifest::{self, MANIFEST};
use crate::write::{self, EditKind, GENERATED};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What happens to a file or an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    /// Listed first: reviewers must see what goes away.
    Destroy,
    Replace,
    Create,
    Update,
}

impl Action {
    pub fn symbol(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update => "~",
            Action::Destroy => "-",
            Action::Replace => "-/+",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Destroy => "destroy",
            Action::Replace => "replace",
        }
    }
}

/// One Terraform address or pipeline step that changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// `prod/main.tf`-relative scope: `""` for the root, `bootstrap/`, `modules/kms-key/`,
    /// `pipelines/<file>` for steps.
    pub scope: String,
    pub address: String,
    pub action: Action,
    /// Attributes (or nested blocks, step fields) that differ, for updates.
    pub attributes: usize,
    /// The object holds data or keys (`prevent_destroy`, buckets, the registry): a destroy or
    /// replacement loses it.
    pub holds_data: bool,
    /// For a module call, the module it calls (`kms-key`): Terraform counts its resources.
    pub module: Option<String>,
}

/// What an address stands for in Terraform's own count (`Plan: N to add, …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A managed resource, or a module call (its resources).
    Resource,
    /// A pipeline step or parameter (counted apart).
    Pipeline,
    /// Data sources, outputs, variables, providers, module definitions: Terraform counts none.
    Other,
}

impl Change {
    pub fn kind(&self) -> Kind {
        let a = self.address.as_str();
        if self.scope.starts_with("pipelines") {
            Kind::Pipeline
        } else if self.scope.starts_with("modules/")
            || ["data.", "output.", "var.", "provider.", "locals"].iter().any(|p| a.starts_with(p))
            || a == "terraform"
        {
            Kind::Other
        } else {
            Kind::Resource
        }
    }
}

/// The state of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStatus {
    Added,
    Removed,
    Changed,
    HandEdited,
}

impl FileStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Added => "added",
            FileStatus::Removed => "removed",
            FileStatus::Changed => "changed",
            FileStatus::HandEdited => "edited by hand",
        }
    }
}

/// One file that differs, with its unified diff (old = disk, new = rendered).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// Relative to the repository root (`generated/prod/main.tf`).
    pub path: PathBuf,
    pub status: FileStatus,
    pub diff: String,
}

/// The plan of one owned directory (`modules` or an environment).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirPlan {
    pub dir: PathBuf,
    pub changes: Vec<Change>,
    pub files: Vec<FileChange>,
}

/// The plan of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub dirs: Vec<DirPlan>,
    /// Managed resources per shared module (`kms-key` → 2), as rendered.
    pub module_sizes: BTreeMap<String, usize>,
}

impl Plan {
    /// True when `generate` would change something (or a hand edit is present).
    pub fn has_changes(&self) -> bool {
        self.dirs.iter().any(|d| !d.files.is_empty())
    }

    /// `(add, change, destroy)` as `terraform plan` counts them: managed resources only, a
    /// module call as the resources of its module (created or destroyed with it; a call whose
    /// arguments change counts as one change, Terraform may update more of its resources), a
    /// replacement as add + destroy. Data sources, outputs, variables and pipeline steps are not
    /// resources (the steps: [`Plan::pipeline_counts`]).
    pub fn counts(&self) -> (usize, usize, usize) {
        self.tally(Kind::Resource)
    }

    /// `(add, change, remove)` of pipeline steps and parameters.
    pub fn pipeline_counts(&self) -> (usize, usize, usize) {
        self.tally(Kind::Pipeline)
    }

    fn tally(&self, kind: Kind) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        // The shared modules' own blocks are definitions: their resources count per call.
        let calls = self.dirs.iter().filter(|d| d.dir != Path::new("modules"));
        for ch in calls.flat_map(|d| &d.changes).filter(|ch| ch.kind() == kind) {
            let n = ch.module.as_ref().map_or(1, |m| self.module_sizes.get(m).copied().unwrap_or(1));
            match ch.action {
                Action::Create => c.0 += n,
                Action::Update => c.1 += 1,
                Action::Destroy => c.2 += n,
                Action::Replace => {
                    c.0 += n;
                    c.2 += n
                }
            }
        }
        c
    }

    /// Destroys or replacements of objects that hold data or keys.
    pub fn destructive(&self) -> Vec<&Change> {
        self.dirs
            .iter()
            .flat_map(|d| &d.changes)
            .filter(|c| c.holds_data && matches!(c.action, Action::Destroy | Action::Replace))
            .collect()
    }
}

/// Compares the rendered `files` with `<repo>/generated/<dir>` for every owned `dir`.
pub fn plan(repo: &Path, files: &FileSet, dirs: &[PathBuf]) -> Result<Plan, write::WriteError> {
    let mut plan = Plan::default();
    for (path, bytes) in &files.0 {
        let mut parts = path.components().map(|c| c.as_os_str().to_string_lossy().into_owned());
        if let (Some(top), Some(name), Some(file)) = (parts.next(), parts.next(), parts.next())
            && top == "modules"
            && file.ends_with(".tf")
        {
            let text = String::from_utf8_lossy(bytes);
            *plan.module_sizes.entry(name).or_default() +=
                text.lines().filter(|l| l.starts_with("resource \"")).count();
        }
    }
    for dir in dirs {
        let abs = repo.join(GENERATED).join(dir);
        // Each file on disk is read once: for the hand-edit check and for the diff.
        let mut on_disk: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let mut edits: BTreeMap<PathBuf, EditKind> = BTreeMap::new();
        if abs.exists() {
            let names = write::list_files(&abs).map_err(|source| write::WriteError::Io {
                path: abs.clone(),
                action: "read",
                source,
            })?;
            for name in &names {
                let path = abs.join(name);
                let bytes =
                    std::fs::read(&path).map_err(|source| write::WriteError::Io { path, action: "read", source })?;
                on_disk.insert(name.clone(), bytes);
            }
            let checksum = |f: &str| Ok(manifest::sha256(on_disk.get(f).map_or(&[][..], Vec::as_slice)));
            edits = write::judge_edits(repo, dir, &names, checksum)?.into_iter().map(|e| (e.path, e.kind)).collect();
        }
        let new = files.under(dir);
        let mut names: BTreeSet<String> = on_disk.keys().cloned().collect();
        names.extend(new.keys().map(|p| p.to_string_lossy().replace('\\', "/")));
        let mut dp = DirPlan { dir: dir.clone(), ..DirPlan::default() };
        for name in names {
            if name == MANIFEST {
                continue;
            }
            let rel = PathBuf::from(GENERATED).join(dir).join(&name);
            let old = on_disk.remove(&name);
            let new_bytes = new.get(Path::new(&name)).map(|b| b.to_vec());
            if old == new_bytes {
                continue;
            }
            let status = if edits.contains_key(&rel) {
                FileStatus::HandEdited
            } else {
                match (&old, &new_bytes) {
                    (None, Some(_)) => FileStatus::Added,
                    (Some(_), None) => FileStatus::Removed,
                    _ => FileStatus::Changed,
                }
            };
            let old_text = old.as_deref().map(String::from_utf8_lossy).unwrap_or_default();
            let new_text = new_bytes.as_deref().map(String::from_utf8_lossy).unwrap_or_default();
            let label = crate::diag::display_path(&rel);
            let binary = |b: &Option<Vec<u8>>| b.as_deref().is_some_and(|b| std::str::from_utf8(b).is_err());
            let diff = if binary(&old) || binary(&new_bytes) {
                // A generated archive (the Lambda package): its source's diff says what changed.
                let len = |b: &Option<Vec<u8>>| b.as_ref().map_or(0, Vec::len);
                format!("Binary file {label} changed ({} -> {} bytes)\n", len(&old), len(&new_bytes))
            } else {
                similar::TextDiff::from_lines(old_text.as_ref(), new_text.as_ref())
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{label}"), &format!("b/{label}"))
                    .to_string()
            };
            if status != FileStatus::HandEdited {
                dp.changes.extend(entity_changes(&name, &old_text, &new_text));
            }
            dp.files.push(FileChange { path: rel, status, diff });
        }
        dp.changes.sort_by(|a, b| (a.action, &a.scope, &a.address).cmp(&(b.action, &b.scope, &b.address)));
        plan.dirs.push(dp);
    }
    Ok(plan)
}

/// Address-level changes between two versions of one file.
fn entity_changes(name: &str, old: &str, new: &str) -> Vec<Change> {
    let (scope, file) = match name.rsplit_once('/') {
        Some((dir, file)) => (format!("{dir}/"), file),
        None => (String::new(), name),
    };
    if file.ends_with(".tf") {
        let old = hcl_entities(old);
        let new = hcl_entities(new);
        let mut changes = diff_maps(&scope, &old, &new, attribute_delta);
        for c in changes.iter_mut().filter(|c| c.address.starts_with("module.")) {
            let block = new.get(&c.address).or_else(|| old.get(&c.address));
            c.module = block.and_then(|(b, _)| {
                let source = b.body().attributes().find(|a| a.key() == "source")?.expr().to_string();
                Some(source.trim_matches('"').rsplit('/').next()?.to_string())
            });
        }
        changes
    } else if file.ends_with(".json") && scope.starts_with("pipelines") {
        let steps = |t: &str| -> BTreeMap<String, (serde_json::Value, bool)> {
            let v: serde_json::Value = serde_json::from_str(t).unwrap_or_default();
            let mut out = BTreeMap::new();
            for p in v.get("Parameters").and_then(|p| p.as_array()).into_iter().flatten() {
                let name = p.get("Name").and_then(|n| n.as_str()).unwrap_or("?");
                out.insert(format!("parameter {name}"), (p.clone(), false));
            }
            collect_steps(v.get("Steps"), &mut out);
            out
        };
        let scope = format!("{scope}{file}: ");
        // Parameters and steps are changed in place by UpdatePipeline: never a replacement.
        diff_maps(&scope, &steps(old), &steps(new), |a, b| (json_delta(&a.0, &b.0), false))
    } else {
        Vec::new()
    }
}

fn collect_steps(steps: Option<&serde_json::Value>, out: &mut BTreeMap<String, (serde_json::Value, bool)>) {
    for s in steps.and_then(|s| s.as_array()).into_iter().flatten() {
        let name = s.get("Name").and_then(|n| n.as_str()).unwrap_or("?");
        // A condition is compared with its branches reduced to step names; the nested steps are
        // entities of their own.
        let mut own = s.clone();
        for branch in ["IfSteps", "ElseSteps"] {
            collect_steps(s.get("Arguments").and_then(|a| a.get(branch)), out);
            if let Some(list) = own.get_mut("Arguments").and_then(|a| a.get_mut(branch)) {
                let names: Vec<serde_json::Value> =
                    list.as_array().into_iter().flatten().filter_map(|x| x.get("Name").cloned()).collect();
                *list = serde_json::Value::Array(names);
            }
        }
        out.insert(format!("step {name}"), (own, false));
    }
}

fn diff_maps<T>(
    scope: &str,
    old: &BTreeMap<String, (T, bool)>,
    new: &BTreeMap<String, (T, bool)>,
    delta: impl Fn(&(T, bool), &(T, bool)) -> (usize, bool),
) -> Vec<Change> {
    let mut out = Vec::new();
    for (addr, o) in old {
        match new.get(addr) {
            None => out.push(Change {
                scope: scope.to_string(),
                address: addr.clone(),
                action: Action::Destroy,
                attributes: 0,
                holds_data: o.1,
                module: None,
            }),
            Some(n) => {
                let (count, replace) = delta(o, n);
                if count > 0 {
                    let action = if replace { Action::Replace } else { Action::Update };
                    out.push(Change {
                        scope: scope.to_string(),
                        address: addr.clone(),
                        action,
                        attributes: count,
                        holds_data: o.1 || n.1,
                        module: None,
                    });
                }
            }
        }
    }
    for (addr, n) in new {
        if !old.contains_key(addr) {
            out.push(Change {
                scope: scope.to_string(),
                address: addr.clone(),
                action: Action::Create,
                attributes: 0,
                holds_data: n.1,
                module: None,
            });
        }
    }
    out
}

/// Modules whose resources hold data or keys (`prevent_destroy` inside).
const DATA_MODULES: &[&str] = &["kms-key", "secure-bucket", "state-bucket", "log-bucket"];
/// Resource types that hold data or keys.
const DATA_RESOURCES: &[&str] = &["aws_kms_key", "aws_s3_bucket", "aws_sagemaker_model_package_group"];
/// Arguments whose change replaces a data-holding object (its name).
const REPLACING: &[&str] = &["name", "bucket", "model_package_group_name"];

/// The top-level blocks of a Terraform file by address, with whether each holds data.
fn hcl_entities(text: &str) -> BTreeMap<String, (hcl::Block, bool)> {
    let mut out = BTreeMap::new();
    let Ok(body) = hcl::parse(text) else { return out };
    for b in body.blocks() {
        let labels: Vec<&str> = b.labels().iter().map(|l| l.as_str()).collect();
        let (address, holds) = match (b.identifier(), labels.as_slice()) {
            ("resource", [t, n]) => (format!("{t}.{n}"), DATA_RESOURCES.contains(t) || has_prevent_destroy(b)),
            ("data", [t, n]) => (format!("data.{t}.{n}"), false),
            ("module", [n]) => {
                let source = b
                    .body()
                    .attributes()
                    .find(|a| a.key() == "source")
                    .map(|a| a.expr().to_string())
                    .unwrap_or_default();
                (format!("module.{n}"), DATA_MODULES.iter().any(|m| source.contains(m)))
            }
            ("output", [n]) => (format!("output.{n}"), false),
            ("variable", [n]) => (format!("var.{n}"), false),
            ("provider", [n]) => (format!("provider.{n}"), false),
            ("terraform", []) => ("terraform".to_string(), false),
            (kind, labels) => (format!("{kind}.{}", labels.join(".")), false),
        };
        out.insert(address, (b.clone(), holds));
    }
    out
}

fn has_prevent_destroy(b: &hcl::Block) -> bool {
    b.body().blocks().any(|l| {
        l.identifier() == "lifecycle"
            && l.body().attributes().any(|a| a.key() == "prevent_destroy" && a.expr().to_string() == "true")
    })
}

/// How many attributes and nested blocks differ, and whether a data holder's name changed.
fn attribute_delta(old: &(hcl::Block, bool), new: &(hcl::Block, bool)) -> (usize, bool) {
    if old.0 == new.0 {
        return (0, false);
    }
    let attrs = |b: &hcl::Block| -> BTreeMap<String, String> {
        b.body().attributes().map(|a| (a.key().to_string(), a.expr().to_string())).collect()
    };
    let blocks = |b: &hcl::Block| -> Vec<String> { b.body().blocks().map(|x| format!("{x:?}")).collect() };
    let (oa, na) = (attrs(&old.0), attrs(&new.0));
    let mut count = 0;
    let mut replace = false;
    for k in oa.keys().chain(na.keys().filter(|k| !oa.contains_key(*k))) {
        if oa.get(k) != na.get(k) {
            count += 1;
            if (old.1 || new.1) && REPLACING.contains(&k.as_str()) {
                replace = true;
            }
        }
    }
    let (ob, nb) = (blocks(&old.0), blocks(&new.0));
    count += ob.iter().filter(|b| !nb.contains(b)).count().max(nb.iter().filter(|b| !ob.contains(b)).count());
    (count.max(1), replace)
}

/// How many top-level fields of a pipeline parameter or step differ.
fn json_delta(old: &serde_json::Value, new: &serde_json::Value) -> usize {
    if old == new {
        return 0;
    }
    let (Some(o), Some(n)) = (old.as_object(), new.as_object()) else { return 1 };
    let keys: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    keys.into_iter().filter(|k| o.get(*k) != n.get(*k)).count().max(1)
}
