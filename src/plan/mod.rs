//! `plan`: what `generate` would change, without writing. Compares the rendered file set with
//! `generated/` on disk: per file (added, removed, changed, unchanged, edited by hand) with a
//! unified diff; per managed resource, as Terraform will plan it (`terraform`: file hashes,
//! replacements, module calls expanded, `prevent_destroy` refusals), separately for each root
//! (the main root, and `bootstrap/`, which an administrator applies first); and per pipeline
//! step. Only the roots whose files changed are parsed. Never writes.

pub mod report;
pub mod terraform;

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

/// Which root a change belongs to: what applies it, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Root {
    /// `generated/<env>/bootstrap/`: applied first, by an administrator.
    Bootstrap,
    /// `generated/<env>/`: applied by the pipeline's deploy role.
    Main,
    /// A SageMaker pipeline definition's steps and parameters (the file Terraform uploads).
    Pipeline,
}

/// One managed resource (by Terraform's address) or pipeline step that changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub root: Root,
    /// `""` for the main root, `bootstrap/`, `pipelines/<file>: ` for steps.
    pub scope: String,
    /// Terraform's address (`module.data_bucket.aws_s3_bucket.this`) or `step <name>`.
    pub address: String,
    pub action: Action,
    /// Arguments, nested blocks or step fields that differ (updates and replacements).
    pub attributes: Vec<String>,
    /// Of those, the arguments that force a replacement.
    pub forces: Vec<String>,
    /// Files (relative to the environment's directory) whose bytes Terraform hashes for this
    /// resource and that change: the cause of an update the configuration text does not show.
    pub files: Vec<String>,
    /// The object holds data or keys (`prevent_destroy`, buckets, the registry): a destroy or
    /// replacement loses it.
    pub holds_data: bool,
    /// Terraform refuses this replacement or destroy (`prevent_destroy`) and stops the plan.
    pub refused: bool,
}

impl Change {
    fn resource(root: Root, c: terraform::ResourceChange) -> Change {
        Change {
            root,
            scope: if root == Root::Bootstrap { "bootstrap/".into() } else { String::new() },
            address: c.address,
            action: c.action,
            attributes: c.attributes,
            forces: c.forces,
            files: c.files,
            holds_data: c.holds_data,
            refused: c.refused,
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

/// The plan of one owned directory (`modules`, `jenkins` or an environment).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirPlan {
    pub dir: PathBuf,
    pub changes: Vec<Change>,
    pub files: Vec<FileChange>,
    /// An environment whose file is gone while `generated/<env>` remains: `generate` leaves it
    /// (Terraform needs it to destroy), and its changes are what `terraform destroy` plans.
    pub retired: bool,
}

/// The plan of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub dirs: Vec<DirPlan>,
}

/// `(add, change, destroy)` as `terraform plan` counts them.
pub type Counts = (usize, usize, usize);

impl Plan {
    /// True when `generate` would change something, a hand edit is present, or a retired
    /// environment is still in `generated/`.
    pub fn has_changes(&self) -> bool {
        self.dirs.iter().any(|d| !d.files.is_empty() || d.retired)
    }

    /// The changes Terraform counts: managed resources, not refused.
    fn counted(&self, root: Root) -> impl Iterator<Item = &Change> {
        self.dirs.iter().flat_map(|d| &d.changes).filter(move |c| c.root == root && !c.refused)
    }

    /// `(add, change, destroy)` of the main roots as `terraform plan` counts them (a replacement
    /// is one add and one destroy); refused changes are not counted (Terraform stops instead).
    pub fn counts(&self) -> Counts {
        tally(self.counted(Root::Main))
    }

    /// `(add, change, destroy)` of the bootstrap roots.
    pub fn bootstrap_counts(&self) -> Counts {
        tally(self.counted(Root::Bootstrap))
    }

    /// `(add, change, remove)` of pipeline steps and parameters.
    pub fn pipeline_counts(&self) -> Counts {
        tally(self.counted(Root::Pipeline))
    }

    /// Changes Terraform refuses (`prevent_destroy`).
    pub fn refused(&self) -> Vec<&Change> {
        self.dirs.iter().flat_map(|d| &d.changes).filter(|c| c.refused).collect()
    }

    /// Destroys or replacements of objects that hold data or keys, refused ones included.
    pub fn destructive(&self) -> Vec<&Change> {
        self.dirs
            .iter()
            .flat_map(|d| &d.changes)
            .filter(|c| c.holds_data && matches!(c.action, Action::Destroy | Action::Replace))
            .collect()
    }
}

fn tally<'a>(changes: impl Iterator<Item = &'a Change>) -> Counts {
    let mut c = (0, 0, 0);
    for ch in changes {
        match ch.action {
            Action::Create => c.0 += 1,
            Action::Update => c.1 += 1,
            Action::Destroy => c.2 += 1,
            Action::Replace => {
                c.0 += 1;
                c.2 += 1
            }
        }
    }
    c
}

/// Compares the rendered `files` with `<repo>/generated/<dir>` for every owned `dir`, and plans
/// what `terraform destroy` does in each `retired` directory (an environment whose file is gone).
pub fn plan(repo: &Path, files: &FileSet, dirs: &[PathBuf], retired: &[PathBuf]) -> Result<Plan, write::WriteError> {
    let mut plan = Plan::default();
    // Per directory: the files on disk, the rendered files, the file changes.
    let mut read: Vec<DirFiles<'_>> = Vec::new();
    for dir in dirs {
        let (on_disk, edits) = read_dir(repo, dir)?;
        let new: BTreeMap<String, &[u8]> =
            files.under(dir).into_iter().map(|(p, b)| (p.to_string_lossy().replace('\\', "/"), b)).collect();
        let mut names: BTreeSet<&String> = on_disk.keys().collect();
        names.extend(new.keys());
        let mut changed = Vec::new();
        for name in names {
            if name == MANIFEST {
                continue;
            }
            let rel = PathBuf::from(GENERATED).join(dir).join(name);
            let old = on_disk.get(name).map(Vec::as_slice);
            let new_bytes = new.get(name).copied();
            if old == new_bytes {
                continue;
            }
            let status = if edits.contains_key(&rel) {
                FileStatus::HandEdited
            } else {
                match (old, new_bytes) {
                    (None, Some(_)) => FileStatus::Added,
                    (Some(_), None) => FileStatus::Removed,
                    _ => FileStatus::Changed,
                }
            };
            changed.push(FileChange { path: rel, status, diff: file_diff(dir, name, old, new_bytes) });
        }
        read.push((dir.clone(), on_disk, new, changed));
    }
    // The shared modules, parsed only when a root needs them, once.
    let modules = read.iter().find(|r| r.0 == Path::new("modules"));
    let modules_changed = modules.is_some_and(|m| !m.3.is_empty());
    let mut module_configs: Option<(BTreeMap<String, terraform::Config>, BTreeMap<String, terraform::Config>)> = None;
    let mut parse_modules = || -> (BTreeMap<String, terraform::Config>, BTreeMap<String, terraform::Config>) {
        let disk = modules.map(|m| m.1.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect()).unwrap_or_default();
        let rendered: BTreeMap<String, &[u8]> = files
            .under(Path::new("modules"))
            .into_iter()
            .map(|(p, b)| (p.to_string_lossy().replace('\\', "/"), b))
            .collect();
        let new = module_defs(&rendered);
        let old = if modules_changed { module_defs(&disk) } else { new.clone() };
        (old, new)
    };
    for (dir, on_disk, new, changed) in &read {
        let mut dp = DirPlan { dir: dir.clone(), ..DirPlan::default() };
        let is_env = dir != Path::new("modules") && dir != Path::new("jenkins");
        if is_env {
            let edited: BTreeSet<String> = changed
                .iter()
                .filter(|f| f.status == FileStatus::HandEdited)
                .filter_map(|f| f.path.strip_prefix(Path::new(GENERATED).join(dir)).ok())
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .collect();
            let differs: BTreeSet<String> = changed
                .iter()
                .filter(|f| f.status != FileStatus::HandEdited)
                .filter_map(|f| f.path.strip_prefix(Path::new(GENERATED).join(dir)).ok())
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .collect();
            for (root, prefix) in [(Root::Main, ""), (Root::Bootstrap, "bootstrap/")] {
                let in_root = |name: &str| -> Option<String> {
                    if prefix.is_empty() {
                        (!name.starts_with("bootstrap/")).then(|| name.to_string())
                    } else {
                        name.strip_prefix(prefix).map(str::to_string)
                    }
                };
                let root_files: BTreeSet<String> = differs.iter().filter_map(|n| in_root(n)).collect();
                if root_files.is_empty() && !modules_changed {
                    continue;
                }
                let tf =
                    |name: &&String| in_root(name).is_some_and(|rest| rest.ends_with(".tf") && !rest.contains('/'));
                // A hand-edited file is compared as rendered: its edit is reported, not planned.
                let old_texts: Vec<String> = on_disk
                    .keys()
                    .filter(tf)
                    .filter(|n| !edited.contains(*n))
                    .map(|n| String::from_utf8_lossy(&on_disk[n]).into_owned())
                    .chain(
                        edited
                            .iter()
                            .filter(tf)
                            .filter_map(|n| new.get(n))
                            .map(|b| String::from_utf8_lossy(b).into_owned()),
                    )
                    .collect();
                let new_texts: Vec<String> =
                    new.iter().filter(|(n, _)| tf(n)).map(|(_, b)| String::from_utf8_lossy(b).into_owned()).collect();
                if old_texts.is_empty() && new_texts.is_empty() {
                    continue;
                }
                let new_config = terraform::Config::parse(new_texts.iter().map(String::as_str));
                let old_config = if old_texts == new_texts {
                    new_config.clone()
                } else {
                    terraform::Config::parse(old_texts.iter().map(String::as_str))
                };
                let (old_modules, new_modules) = module_configs.get_or_insert_with(&mut parse_modules);
                let changes = terraform::diff(&old_config, &new_config, &root_files, old_modules, new_modules);
                dp.changes.extend(changes.into_iter().map(|c| Change::resource(root, c)));
            }
            for f in changed.iter().filter(|f| f.status != FileStatus::HandEdited) {
                let Ok(name) = f.path.strip_prefix(Path::new(GENERATED).join(dir)) else { continue };
                let name = name.to_string_lossy().replace('\\', "/");
                if name.starts_with("pipelines/") && name.ends_with(".json") {
                    let text = |b: Option<&[u8]>| b.map(String::from_utf8_lossy).unwrap_or_default().into_owned();
                    let (old, new_text) = (text(on_disk.get(&name).map(Vec::as_slice)), text(new.get(&name).copied()));
                    dp.changes.extend(pipeline_changes(&name, &old, &new_text));
                }
            }
        }
        dp.files = changed.clone();
        dp.changes
            .sort_by(|a, b| (a.root, a.action, &a.scope, &a.address).cmp(&(b.root, b.action, &b.scope, &b.address)));
        plan.dirs.push(dp);
    }
    for dir in retired {
        let (on_disk, _) = read_dir(repo, dir)?;
        let (_, old_modules) = module_configs.get_or_insert_with(&mut parse_modules);
        let mut dp = DirPlan { dir: dir.clone(), retired: true, ..DirPlan::default() };
        for (root, prefix) in [(Root::Main, ""), (Root::Bootstrap, "bootstrap/")] {
            let texts: Vec<String> = on_disk
                .iter()
                .filter(|(n, _)| n.strip_prefix(prefix).is_some_and(|r| r.ends_with(".tf") && !r.contains('/')))
                .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
                .collect();
            let config = terraform::Config::parse(texts.iter().map(String::as_str));
            dp.changes
                .extend(terraform::destroy_all(&config, old_modules).into_iter().map(|c| Change::resource(root, c)));
        }
        plan.dirs.push(dp);
    }
    Ok(plan)
}

/// One owned directory as read: its name, the files on disk, the rendered files, what differs.
type DirFiles<'a> = (PathBuf, BTreeMap<String, Vec<u8>>, BTreeMap<String, &'a [u8]>, Vec<FileChange>);

/// The files of a directory on disk by name, and the hand edits among them.
type OnDisk = (BTreeMap<String, Vec<u8>>, BTreeMap<PathBuf, EditKind>);

/// Directories of `generated/` that an earlier `generate` wrote for an environment that is no
/// longer configured (they hold a manifest and are not among `dirs`), in name order.
pub fn retired(repo: &Path, dirs: &[PathBuf]) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(repo.join(GENERATED)) else { return Vec::new() };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().join(MANIFEST).is_file())
        .map(|e| PathBuf::from(e.file_name()))
        .filter(|d| !dirs.contains(d) && d != Path::new("modules") && d != Path::new("jenkins"))
        .collect();
    out.sort();
    out
}

/// The files of `generated/<dir>` (each read once) and the hand edits among them.
fn read_dir(repo: &Path, dir: &Path) -> Result<OnDisk, write::WriteError> {
    let abs = repo.join(GENERATED).join(dir);
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
    Ok((on_disk, edits))
}

/// Each shared module's configuration (`kms-key` → its blocks) from its files by path.
fn module_defs(files: &BTreeMap<String, &[u8]>) -> BTreeMap<String, terraform::Config> {
    let mut texts: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (name, bytes) in files {
        if let Some((module, file)) = name.split_once('/')
            && file.ends_with(".tf")
            && !file.contains('/')
        {
            texts.entry(module).or_default().push(String::from_utf8_lossy(bytes).into_owned());
        }
    }
    texts.into_iter().map(|(m, t)| (m.to_string(), terraform::Config::parse(t.iter().map(String::as_str)))).collect()
}

/// A file's unified diff (old = disk, new = rendered); an archive by its sizes.
fn file_diff(dir: &Path, name: &str, old: Option<&[u8]>, new: Option<&[u8]>) -> String {
    let rel = PathBuf::from(GENERATED).join(dir).join(name);
    let label = crate::diag::display_path(&rel);
    let binary = |b: Option<&[u8]>| b.is_some_and(|b| std::str::from_utf8(b).is_err());
    if binary(old) || binary(new) {
        // A generated archive (the Lambda package): its source's diff says what changed.
        let len = |b: Option<&[u8]>| b.map_or(0, <[u8]>::len);
        return format!("Binary file {label} changed ({} -> {} bytes)\n", len(old), len(new));
    }
    let (old_text, new_text) =
        (String::from_utf8_lossy(old.unwrap_or_default()), String::from_utf8_lossy(new.unwrap_or_default()));
    similar::TextDiff::from_lines(old_text.as_ref(), new_text.as_ref())
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{label}"), &format!("b/{label}"))
        .to_string()
}

/// Step- and parameter-level changes between two versions of a pipeline definition.
fn pipeline_changes(name: &str, old: &str, new: &str) -> Vec<Change> {
    let steps = |t: &str| -> BTreeMap<String, serde_json::Value> {
        let v: serde_json::Value = serde_json::from_str(t).unwrap_or_default();
        let mut out = BTreeMap::new();
        for p in v.get("Parameters").and_then(|p| p.as_array()).into_iter().flatten() {
            let name = p.get("Name").and_then(|n| n.as_str()).unwrap_or("?");
            out.insert(format!("parameter {name}"), p.clone());
        }
        collect_steps(v.get("Steps"), &mut out);
        out
    };
    let (old, new) = (steps(old), steps(new));
    let scope = format!("{name}: ");
    let change = |address: &String, action: Action, attributes: Vec<String>| Change {
        root: Root::Pipeline,
        scope: scope.clone(),
        address: address.clone(),
        action,
        attributes,
        forces: Vec::new(),
        files: Vec::new(),
        holds_data: false,
        refused: false,
    };
    let mut out = Vec::new();
    // Parameters and steps are changed in place by UpdatePipeline: never a replacement.
    for (addr, o) in &old {
        match new.get(addr) {
            None => out.push(change(addr, Action::Destroy, Vec::new())),
            Some(n) if n != o => out.push(change(addr, Action::Update, json_delta(o, n))),
            Some(_) => {}
        }
    }
    for addr in new.keys().filter(|a| !old.contains_key(*a)) {
        out.push(change(addr, Action::Create, Vec::new()));
    }
    out
}

fn collect_steps(steps: Option<&serde_json::Value>, out: &mut BTreeMap<String, serde_json::Value>) {
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
        out.insert(format!("step {name}"), own);
    }
}

/// The top-level fields of a pipeline parameter or step that differ.
fn json_delta(old: &serde_json::Value, new: &serde_json::Value) -> Vec<String> {
    let (Some(o), Some(n)) = (old.as_object(), new.as_object()) else { return vec!["value".into()] };
    let keys: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    keys.into_iter().filter(|k| o.get(*k) != n.get(*k)).cloned().collect()
}
