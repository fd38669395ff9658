//! What Terraform will do with one root, from its configuration before and after: the managed
//! resources it creates, updates, replaces or destroys, by the address Terraform prints
//! (`module.data_bucket.aws_s3_bucket.this`), and the replacements `prevent_destroy` refuses.
//!
//! Terraform sees more than the text of a block: a function such as `filemd5("${path.module}/f")`
//! reads a file's bytes, so a changed script updates the object that hashes it; a replaced
//! resource's computed attributes (its ARN, its id) are unknown until apply, so whatever refers
//! to them changes too; a module call's changed argument reaches the module's resources that use
//! it. This module follows those three paths to a fixed point. Which arguments force a
//! replacement is the provider's knowledge, kept in [`FORCES_NEW`] for the types mlopsgen writes
//! (checked against Terraform's own plans by `.ci/plan-counts.py`).
//!
//! Reads nothing from disk: the caller hands it the files' text and bytes.

use std::collections::{BTreeMap, BTreeSet};

use super::Action;

/// One managed resource that changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceChange {
    /// Terraform's address, inside modules included.
    pub address: String,
    pub action: Action,
    /// Arguments and nested blocks whose value changes (sorted).
    pub attributes: Vec<String>,
    /// Of those, the ones that force the replacement.
    pub forces: Vec<String>,
    /// Files of the root (relative to it) whose bytes Terraform hashes and that changed.
    pub files: Vec<String>,
    /// `lifecycle { prevent_destroy = true }` in the configuration: Terraform refuses to plan
    /// this replacement (or destroy) and stops.
    pub refused: bool,
    /// The object holds data or keys (a bucket, a key, a model package group, or protected).
    pub holds_data: bool,
}

/// Arguments whose change makes the AWS provider (hashicorp/aws 5.x) replace the resource
/// (`ForceNew` in its schema), for every resource type mlopsgen writes.
const FORCES_NEW: &[(&str, &[&str])] = &[
    ("aws_cloudwatch_event_rule", &["name", "name_prefix", "event_bus_name"]),
    ("aws_cloudwatch_event_target", &["rule", "target_id", "event_bus_name"]),
    ("aws_cloudwatch_log_group", &["name", "name_prefix", "log_group_class"]),
    ("aws_iam_policy", &["name", "name_prefix", "path", "description"]),
    ("aws_iam_role", &["name", "name_prefix", "path"]),
    ("aws_iam_role_policy", &["name", "name_prefix", "role"]),
    ("aws_iam_role_policy_attachment", &["role", "policy_arn"]),
    ("aws_kms_alias", &["name", "name_prefix"]),
    ("aws_kms_key", &["customer_master_key_spec", "key_usage", "multi_region", "custom_key_store_id"]),
    ("aws_lambda_function", &["function_name", "package_type"]),
    (
        "aws_lambda_permission",
        &[
            "action",
            "function_name",
            "principal",
            "source_arn",
            "source_account",
            "statement_id",
            "statement_id_prefix",
            "qualifier",
            "event_source_token",
            "principal_org_id",
            "function_url_auth_type",
        ],
    ),
    ("aws_s3_bucket", &["bucket", "bucket_prefix", "object_lock_enabled"]),
    ("aws_s3_bucket_lifecycle_configuration", &["bucket", "expected_bucket_owner"]),
    ("aws_s3_bucket_logging", &["bucket", "expected_bucket_owner"]),
    ("aws_s3_bucket_notification", &["bucket"]),
    ("aws_s3_bucket_ownership_controls", &["bucket"]),
    ("aws_s3_bucket_policy", &["bucket"]),
    ("aws_s3_bucket_public_access_block", &["bucket"]),
    ("aws_s3_bucket_server_side_encryption_configuration", &["bucket", "expected_bucket_owner"]),
    ("aws_s3_bucket_versioning", &["bucket", "expected_bucket_owner"]),
    ("aws_s3_object", &["bucket", "key"]),
    ("aws_sagemaker_model_package_group", &["model_package_group_name", "model_package_group_description"]),
    ("aws_sagemaker_model_package_group_policy", &["model_package_group_name"]),
    ("aws_sagemaker_pipeline", &["pipeline_name"]),
    ("aws_scheduler_schedule", &["name", "name_prefix", "group_name"]),
    ("aws_sns_topic", &["name", "name_prefix", "fifo_topic"]),
    ("aws_sns_topic_policy", &["arn"]),
    (
        "aws_sns_topic_subscription",
        &["topic_arn", "protocol", "endpoint", "endpoint_auto_confirms", "confirmation_timeout_in_minutes"],
    ),
    ("aws_sqs_queue", &["name", "name_prefix", "fifo_queue"]),
    ("aws_sqs_queue_policy", &["queue_url"]),
];

/// Computed attributes the provider recomputes on an in-place update (a new package, new
/// content): a reference to them changes with the update.
const RECOMPUTED_ON_UPDATE: &[(&str, &[&str])] = &[
    ("aws_lambda_function", &["last_modified", "qualified_arn", "qualified_invoke_arn", "version", "source_code_size"]),
    ("aws_s3_object", &["etag", "version_id"]),
];

/// Resource types that hold data or keys.
const DATA_TYPES: &[&str] = &["aws_kms_key", "aws_s3_bucket", "aws_sagemaker_model_package_group"];

/// Meta-arguments: they change no object.
const META: &[&str] = &["depends_on", "provider", "count", "for_each", "lifecycle", "source", "providers", "version"];

/// Functions that read a file's bytes at plan time.
fn reads_file(function: &str) -> bool {
    function.starts_with("file")
}

fn lookup(table: &'static [(&'static str, &'static [&'static str])], ty: &str) -> &'static [&'static str] {
    table.iter().find(|(t, _)| *t == ty).map_or(&[], |(_, a)| a)
}

/// A reference found in an expression.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Ref {
    Var(String),
    Local(String),
    /// A resource or data source's attribute: (`aws_iam_role.exec`, `arn`); the attribute is empty
    /// for a reference to the whole object.
    Object(String, String),
    /// A module call's output: (`data_bucket`, `arn`).
    Module(String, String),
}

/// One argument or nested block: its text (as hcl-rs prints it), the references and the
/// files it hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Arg {
    text: String,
    refs: BTreeSet<Ref>,
    files: BTreeSet<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Resource,
    Data,
    Module,
    Local,
    Variable,
    Output,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entity {
    kind: Kind,
    /// The resource type (resources and data sources), the module name (calls).
    ty: String,
    args: BTreeMap<String, Arg>,
    prevent_destroy: bool,
}

/// The blocks of one root or module, by address (`aws_iam_role.x`, `data.t.n`, `module.m`,
/// `local.l`, `var.v`, `output.o`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    entities: BTreeMap<String, Entity>,
}

impl Config {
    /// Parses the `.tf` files of one directory (their text); a file that does not parse
    /// contributes nothing (a hand edit, shown as such elsewhere).
    pub fn parse<'a>(texts: impl IntoIterator<Item = &'a str>) -> Config {
        let mut entities = BTreeMap::new();
        for text in texts {
            let Ok(body) = hcl::parse(text) else { continue };
            for b in body.blocks() {
                let labels: Vec<&str> = b.labels().iter().map(|l| l.as_str()).collect();
                let (address, kind, ty) = match (b.identifier(), labels.as_slice()) {
                    ("resource", [t, n]) => (format!("{t}.{n}"), Kind::Resource, t.to_string()),
                    ("data", [t, n]) => (format!("data.{t}.{n}"), Kind::Data, t.to_string()),
                    ("module", [n]) => {
                        let source = b
                            .body()
                            .attributes()
                            .find(|a| a.key() == "source")
                            .map(|a| a.expr().to_string())
                            .unwrap_or_default();
                        let name = source.trim_matches('"').rsplit('/').next().unwrap_or_default().to_string();
                        (format!("module.{n}"), Kind::Module, name)
                    }
                    ("variable", [n]) => (format!("var.{n}"), Kind::Variable, String::new()),
                    ("output", [n]) => (format!("output.{n}"), Kind::Output, String::new()),
                    ("locals", []) => {
                        for a in b.body().attributes() {
                            let text = a.expr().to_string();
                            let mut args = BTreeMap::new();
                            args.insert("value".to_string(), arg(text));
                            entities.insert(
                                format!("local.{}", a.key()),
                                Entity { kind: Kind::Local, ty: String::new(), args, prevent_destroy: false },
                            );
                        }
                        continue;
                    }
                    _ => continue,
                };
                let mut args = BTreeMap::new();
                for a in b.body().attributes().filter(|a| !META.contains(&a.key())) {
                    args.insert(a.key().to_string(), arg(a.expr().to_string()));
                }
                let mut nested: BTreeMap<String, String> = BTreeMap::new();
                for n in b.body().blocks().filter(|n| !META.contains(&n.identifier())) {
                    let text = hcl::format::to_string(n).unwrap_or_else(|_| format!("{n:?}"));
                    nested.entry(n.identifier().to_string()).or_default().push_str(&text);
                }
                for (name, text) in nested {
                    args.insert(name, arg(text));
                }
                let prevent_destroy = b.body().blocks().any(|l| {
                    l.identifier() == "lifecycle"
                        && l.body().attributes().any(|a| a.key() == "prevent_destroy" && a.expr().to_string() == "true")
                });
                entities.insert(address, Entity { kind, ty, args, prevent_destroy });
            }
        }
        Config { entities }
    }

    /// The managed resources (module calls expanded through `modules`), by address.
    fn resources(&self, prefix: &str, modules: &BTreeMap<String, Config>, out: &mut Vec<(String, bool, bool)>) {
        for (addr, e) in &self.entities {
            match e.kind {
                Kind::Resource => out.push((format!("{prefix}{addr}"), e.prevent_destroy, holds_data(e))),
                Kind::Module => {
                    if let Some(m) = modules.get(&e.ty) {
                        m.resources(&format!("{prefix}{addr}."), modules, out);
                    }
                }
                _ => {}
            }
        }
    }
}

fn holds_data(e: &Entity) -> bool {
    DATA_TYPES.contains(&e.ty.as_str()) || e.prevent_destroy
}

fn arg(text: String) -> Arg {
    let (refs, files) = scan(&text);
    Arg { text, refs, files }
}

/// The references and hashed files of an expression's text. Conservative: a dotted name inside
/// a string literal counts as a reference too (at worst one more update shown, never one less),
/// and references to names the configuration does not declare are ignored later.
fn scan(text: &str) -> (BTreeSet<Ref>, BTreeSet<String>) {
    let mut refs = BTreeSet::new();
    let mut files = BTreeSet::new();
    let bytes = text.as_bytes();
    let is_ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'-';
    let mut i = 0;
    while i < bytes.len() {
        if !is_ident(bytes[i]) || (i > 0 && is_ident(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_ident(bytes[i]) {
            i += 1;
        }
        let word = &text[start..i];
        let parts: Vec<&str> = word.split('.').collect();
        // A function reading a file: `filemd5("${path.module}/code/x.py")`.
        if parts.len() == 1 && reads_file(word) && text[i..].starts_with("(\"${path.module}/") {
            let rest = &text[i + "(\"${path.module}/".len()..];
            if let Some(end) = rest.find('"') {
                files.insert(rest[..end].to_string());
            }
            continue;
        }
        let attr = |k: usize| parts.get(k).map_or(String::new(), |s| s.to_string());
        match parts.as_slice() {
            ["var", v, ..] => {
                refs.insert(Ref::Var(v.to_string()));
            }
            ["local", l, ..] => {
                refs.insert(Ref::Local(l.to_string()));
            }
            ["module", m, ..] => {
                refs.insert(Ref::Module(m.to_string(), attr(2)));
            }
            ["data", t, n, ..] => {
                refs.insert(Ref::Object(format!("data.{t}.{n}"), attr(3)));
            }
            [t, n, ..] if t.contains('_') && !n.is_empty() => {
                refs.insert(Ref::Object(format!("{t}.{n}"), attr(2)));
            }
            _ => {}
        }
    }
    (refs, files)
}

/// What changed in one scope (a root or a module instance), computed to a fixed point.
struct Scope<'a> {
    old: &'a Config,
    new: &'a Config,
    /// Input variables whose value changes (a module call's changed arguments).
    inputs: &'a BTreeSet<String>,
    /// Files of the root whose bytes changed.
    files: &'a BTreeSet<String>,
    old_modules: &'a BTreeMap<String, Config>,
    new_modules: &'a BTreeMap<String, Config>,
    /// Per entity in both versions: changed argument names, and the changed files among them.
    changed: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>,
    /// Per module call in both versions: outputs whose value changes.
    module_outputs: BTreeMap<String, BTreeSet<String>>,
}

impl Scope<'_> {
    fn action(&self, addr: &str) -> Option<Action> {
        let (o, n) = (self.old.entities.get(addr), self.new.entities.get(addr));
        match (o, n) {
            (None, Some(_)) => Some(Action::Create),
            (Some(_), None) => Some(Action::Destroy),
            (Some(_), Some(n)) => {
                let (attrs, _) = self.changed.get(addr)?;
                if attrs.is_empty() {
                    None
                } else if n.kind == Kind::Resource
                    && attrs.iter().any(|a| lookup(FORCES_NEW, &n.ty).contains(&a.as_str()))
                {
                    Some(Action::Replace)
                } else {
                    Some(Action::Update)
                }
            }
            (None, None) => None,
        }
    }

    /// Whether a reference's value changes.
    fn ref_changes(&self, r: &Ref) -> bool {
        match r {
            Ref::Var(v) => {
                let a = format!("var.{v}");
                self.inputs.contains(v) || self.changed.get(&a).is_some_and(|c| !c.0.is_empty())
            }
            Ref::Local(l) => self.changed.get(&format!("local.{l}")).is_some_and(|c| !c.0.is_empty()),
            Ref::Module(m, out) => {
                let addr = format!("module.{m}");
                match self.action(&addr) {
                    None => false,
                    Some(Action::Update) => {
                        self.module_outputs.get(&addr).is_some_and(|o| out.is_empty() || o.contains(out))
                    }
                    // Created with the referrer, or gone: the referrer's text changed as well.
                    Some(_) => true,
                }
            }
            Ref::Object(addr, attr) => {
                let Some(e) = self.new.entities.get(addr) else { return false };
                let Some(action) = self.action(addr) else { return false };
                let (attrs, _) = self.changed.get(addr).cloned().unwrap_or_default();
                match (e.kind, action) {
                    // A data source whose arguments change is read again (or at apply): its
                    // results are taken as changed.
                    (Kind::Data, _) => true,
                    (_, Action::Replace | Action::Create | Action::Destroy) => {
                        attr.is_empty() || !e.args.contains_key(attr) || attrs.contains(attr)
                    }
                    (_, Action::Update) => {
                        attr.is_empty()
                            || attrs.contains(attr)
                            || lookup(RECOMPUTED_ON_UPDATE, &e.ty).contains(&attr.as_str())
                    }
                }
            }
        }
    }

    /// Whether a reference points straight at a managed resource with a pending change (what
    /// makes Terraform defer a data source; a module's outputs or another data source count only
    /// through their values, as any reference does).
    fn pending(&self, r: &Ref) -> bool {
        match r {
            Ref::Object(addr, _) => {
                self.new.entities.get(addr).is_some_and(|e| e.kind == Kind::Resource) && self.action(addr).is_some()
            }
            Ref::Module(..) | Ref::Var(_) | Ref::Local(_) => false,
        }
    }

    fn solve(&mut self) {
        let both: Vec<String> =
            self.new.entities.keys().filter(|a| self.old.entities.contains_key(*a)).cloned().collect();
        loop {
            let mut moved = false;
            for addr in &both {
                let (o, n) = (&self.old.entities[addr], &self.new.entities[addr]);
                let mut attrs = BTreeSet::new();
                let mut files = BTreeSet::new();
                let names: BTreeSet<&String> = o.args.keys().chain(n.args.keys()).collect();
                for name in names {
                    let hashed: BTreeSet<String> = n
                        .args
                        .get(name)
                        .map(|b| b.files.intersection(self.files).cloned().collect())
                        .unwrap_or_default();
                    let differs = match (o.args.get(name), n.args.get(name)) {
                        (Some(a), Some(b)) if a.text == b.text => {
                            !hashed.is_empty() || b.refs.iter().any(|r| self.ref_changes(r))
                        }
                        _ => true,
                    };
                    if differs {
                        attrs.insert(name.clone());
                        files.extend(hashed);
                    }
                }
                // A data source that refers to an object with a pending change is read during
                // apply (Terraform defers it): every attribute of it is unknown until then.
                if n.kind == Kind::Data && n.args.values().flat_map(|a| &a.refs).any(|r| self.pending(r)) {
                    attrs.insert("(read during apply)".into());
                }
                if n.kind == Kind::Variable && self.inputs.contains(addr.trim_start_matches("var.")) {
                    attrs.insert("value".into());
                }
                let entry = (attrs, files);
                if self.changed.get(addr) != Some(&entry) {
                    self.changed.insert(addr.clone(), entry);
                    moved = true;
                }
                if n.kind == Kind::Module && o.kind == Kind::Module {
                    let outputs = self.module_instance(addr).1;
                    if self.module_outputs.get(addr) != Some(&outputs) {
                        self.module_outputs.insert(addr.clone(), outputs);
                        moved = true;
                    }
                }
            }
            if !moved {
                break;
            }
        }
    }

    /// A module call present in both versions: its resources' changes and its changed outputs.
    fn module_instance(&self, addr: &str) -> (Vec<ResourceChange>, BTreeSet<String>) {
        let (o, n) = (&self.old.entities[addr], &self.new.entities[addr]);
        let empty = Config::default();
        let old_def = self.old_modules.get(&o.ty).unwrap_or(&empty);
        let new_def = self.new_modules.get(&n.ty).unwrap_or(&empty);
        let inputs: BTreeSet<String> = self.changed.get(addr).map(|c| c.0.clone()).unwrap_or_default();
        let no_files = BTreeSet::new();
        let mut inner = Scope {
            old: old_def,
            new: new_def,
            inputs: &inputs,
            files: &no_files,
            old_modules: self.old_modules,
            new_modules: self.new_modules,
            changed: BTreeMap::new(),
            module_outputs: BTreeMap::new(),
        };
        inner.solve();
        let outputs = new_def
            .entities
            .iter()
            .filter(|(_, e)| e.kind == Kind::Output)
            .filter(|(a, _)| inner.changed.get(*a).is_some_and(|c| !c.0.is_empty()))
            .map(|(a, _)| a.trim_start_matches("output.").to_string())
            .collect();
        (inner.changes(&format!("{addr}.")), outputs)
    }

    fn changes(&self, prefix: &str) -> Vec<ResourceChange> {
        let mut out = Vec::new();
        let addrs: BTreeSet<&String> = self.old.entities.keys().chain(self.new.entities.keys()).collect();
        for addr in addrs {
            let (o, n) = (self.old.entities.get(addr), self.new.entities.get(addr));
            let Some(e) = n.or(o) else { continue };
            match e.kind {
                Kind::Resource => {
                    let Some(action) = self.action(addr) else { continue };
                    let (attrs, files) = self.changed.get(addr).cloned().unwrap_or_default();
                    let forces: Vec<String> = if action == Action::Replace {
                        attrs.iter().filter(|a| lookup(FORCES_NEW, &e.ty).contains(&a.as_str())).cloned().collect()
                    } else {
                        Vec::new()
                    };
                    out.push(ResourceChange {
                        address: format!("{prefix}{addr}"),
                        action,
                        attributes: if action == Action::Update || action == Action::Replace {
                            attrs.into_iter().collect()
                        } else {
                            Vec::new()
                        },
                        forces,
                        files: files.into_iter().collect(),
                        // Terraform checks `prevent_destroy` in the configuration it plans
                        // with: a removed block protects nothing.
                        refused: action == Action::Replace && n.is_some_and(|n| n.prevent_destroy),
                        holds_data: o.is_some_and(holds_data) || n.is_some_and(holds_data),
                    });
                }
                Kind::Module => match (o, n) {
                    (Some(_), Some(_)) => out.extend(self.module_instance(addr).0),
                    (None, Some(n)) => {
                        whole(n, &format!("{prefix}{addr}."), self.new_modules, Action::Create, &mut out)
                    }
                    (Some(o), None) => {
                        whole(o, &format!("{prefix}{addr}."), self.old_modules, Action::Destroy, &mut out)
                    }
                    (None, None) => {}
                },
                _ => {}
            }
        }
        out
    }
}

/// Every resource of a module call created or destroyed with it.
fn whole(
    call: &Entity,
    prefix: &str,
    modules: &BTreeMap<String, Config>,
    action: Action,
    out: &mut Vec<ResourceChange>,
) {
    let Some(def) = modules.get(&call.ty) else { return };
    let mut all = Vec::new();
    def.resources(prefix, modules, &mut all);
    out.extend(all.into_iter().map(|(address, _, holds_data)| ResourceChange {
        address,
        action,
        attributes: Vec::new(),
        forces: Vec::new(),
        files: Vec::new(),
        refused: false,
        holds_data,
    }));
}

/// What Terraform plans for a root whose configuration goes from `old` to `new`, with `files`
/// (relative to the root) changed in bytes, and the shared modules before and after.
pub fn diff(
    old: &Config,
    new: &Config,
    files: &BTreeSet<String>,
    old_modules: &BTreeMap<String, Config>,
    new_modules: &BTreeMap<String, Config>,
) -> Vec<ResourceChange> {
    let no_inputs = BTreeSet::new();
    let mut scope = Scope {
        old,
        new,
        inputs: &no_inputs,
        files,
        old_modules,
        new_modules,
        changed: BTreeMap::new(),
        module_outputs: BTreeMap::new(),
    };
    scope.solve();
    let mut out = scope.changes("");
    out.sort_by(|a, b| (a.action, &a.address).cmp(&(b.action, &b.address)));
    out
}

/// What `terraform plan -destroy` plans for a root: every managed resource destroyed, those
/// with `prevent_destroy` refused.
pub fn destroy_all(config: &Config, modules: &BTreeMap<String, Config>) -> Vec<ResourceChange> {
    let mut all = Vec::new();
    config.resources("", modules, &mut all);
    let mut out: Vec<ResourceChange> = all
        .into_iter()
        .map(|(address, prevent_destroy, holds_data)| ResourceChange {
            address,
            action: Action::Destroy,
            attributes: Vec::new(),
            forces: Vec::new(),
            files: Vec::new(),
            refused: prevent_destroy,
            holds_data,
        })
        .collect();
    out.sort_by(|a, b| a.address.cmp(&b.address));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(old: &str, new: &str, files: &[&str]) -> Vec<(String, Action, Vec<String>, bool)> {
        let module = Config::parse([r#"
variable "name" {}
resource "aws_s3_bucket" "this" {
  bucket = var.name
  lifecycle {
    prevent_destroy = true
  }
}
resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
}
output "arn" {
  value = aws_s3_bucket.this.arn
}
"#]);
        let modules: BTreeMap<String, Config> = [("secure-bucket".to_string(), module)].into();
        let files: BTreeSet<String> = files.iter().map(|f| f.to_string()).collect();
        diff(&Config::parse([old]), &Config::parse([new]), &files, &modules, &modules)
            .into_iter()
            .map(|c| (c.address, c.action, c.files, c.refused))
            .collect()
    }

    const OBJECT: &str = r#"
resource "aws_s3_object" "code" {
  bucket      = "b"
  key         = "k"
  source      = "${path.module}/code/x.py"
  source_hash = filemd5("${path.module}/code/x.py")
}
"#;

    #[test]
    fn a_hashed_file_updates_the_object_that_hashes_it() {
        assert_eq!(
            plan(OBJECT, OBJECT, &["code/x.py"]),
            [("aws_s3_object.code".to_string(), Action::Update, vec!["code/x.py".to_string()], false)]
        );
        assert_eq!(plan(OBJECT, OBJECT, &["code/other.py"]), []);
    }

    #[test]
    fn a_new_key_replaces_the_object() {
        let new = OBJECT.replace("\"k\"", "\"k2\"");
        assert_eq!(plan(OBJECT, &new, &[])[0].1, Action::Replace);
    }

    #[test]
    fn a_renamed_protected_bucket_is_refused_and_its_dependents_replaced() {
        let old = "module \"data\" {\n  source = \"../modules/secure-bucket\"\n  name = \"a\"\n}\nresource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n  description = module.data.arn\n}\n";
        let new = old.replace("name = \"a\"", "name = \"b\"");
        assert_eq!(
            plan(old, &new, &[]),
            [
                ("module.data.aws_s3_bucket.this".to_string(), Action::Replace, vec![], true),
                ("module.data.aws_s3_bucket_versioning.this".to_string(), Action::Replace, vec![], false),
                ("aws_iam_role.r".to_string(), Action::Update, vec![], false),
            ]
        );
    }

    #[test]
    fn a_data_source_that_refers_to_a_changing_resource_is_read_during_apply() {
        let old = r#"
resource "aws_sagemaker_pipeline" "p" {
  pipeline_name       = "p"
  pipeline_definition = file("${path.module}/pipelines/p.json")
}
data "aws_iam_policy_document" "d" {
  statement {
    resources = [aws_sagemaker_pipeline.p.arn]
  }
}
resource "aws_iam_role_policy" "r" {
  name   = "r"
  policy = data.aws_iam_policy_document.d.json
}
"#;
        assert_eq!(
            plan(old, old, &["pipelines/p.json"]),
            [
                ("aws_iam_role_policy.r".to_string(), Action::Update, vec![], false),
                ("aws_sagemaker_pipeline.p".to_string(), Action::Update, vec!["pipelines/p.json".to_string()], false),
            ]
        );
        assert_eq!(plan(old, old, &[]), []);
        // Through a module's output, only the value counts: a bucket updated in place keeps its
        // ARN, and the document is read at plan time (Terraform's plan in the CI series).
        let via_module = "module \"data\" {\n  source = \"../modules/secure-bucket\"\n  name = \"a\"\n  tags = 1\n}\ndata \"aws_iam_policy_document\" \"d\" {\n  statement {\n    resources = [module.data.arn]\n  }\n}\nresource \"aws_iam_role_policy\" \"r\" {\n  name   = \"r\"\n  policy = data.aws_iam_policy_document.d.json\n}\n";
        assert_eq!(plan(via_module, &via_module.replace("tags = 1", "tags = 2"), &[]), []);
    }
}
