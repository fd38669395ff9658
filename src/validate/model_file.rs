//! Model files (`models/<model>.json`): a model declared once — its data contract, problem
//! type, registration gate, XGBoost hyperparameters and monitoring — for every environment that
//! runs it. Each file is checked once, on its own (its diagnostics name the model file); the
//! environments then take the result (`ModelSpec`) instead of repeating it.

use super::env::FileCtx;
use crate::config::SourceFile;
use crate::config::json::{self, Node};
use crate::config::path::JsonPath;
use crate::config::raw::RawModelFile;
use crate::diag::{Code, Diagnostic};
use crate::model::images::Framework;
use crate::model::{DataContract, Gate, Monitoring, ProblemType};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What a model file declares, with every default applied.
#[derive(Debug, Clone)]
pub struct ModelSpec {
    /// The model file, relative to the repository root.
    pub file: PathBuf,
    pub contract: DataContract,
    pub problem: ProblemType,
    pub gate: Gate,
    /// The XGBoost hyperparameters, when the file declares them (checked here, once).
    pub hyperparameters: Option<crate::model::Hyperparameters>,
    pub monitoring: Monitoring,
    pub training: crate::model::Training,
    /// Whether the file sets `monitoring` (else an environment may).
    pub declares_monitoring: bool,
}

/// The model files' specs by model name (only files whose JSON parsed and whose structure held),
/// and every diagnostic about them.
pub fn check_all(
    files: &[SourceFile],
    repo: Option<&std::path::Path>,
) -> (BTreeMap<String, ModelSpec>, Vec<Diagnostic>) {
    let mut specs = BTreeMap::new();
    let mut diags = Vec::new();
    for f in files {
        let root = match json::parse(&f.text) {
            Ok(root) => root,
            Err(e) => {
                diags.push(super::invalid_json(&f.path, e));
                continue;
            }
        };
        let (found, spec) = check_one(f, &root, repo);
        diags.extend(found);
        if let Some(spec) = spec {
            specs.insert(f.env.clone(), spec);
        }
    }
    (specs, diags)
}

fn check_one(f: &SourceFile, root: &Node, repo: Option<&std::path::Path>) -> (Vec<Diagnostic>, Option<ModelSpec>) {
    let (mut diags, cleaned) = super::structure::check_model(&f.path, &f.text, root);
    let (scanned, placeholders) = super::scan::scan(&f.path, root);
    diags.extend(scanned);
    if !matches!(root.value, json::Value::Object(_)) {
        return (diags, None);
    }
    let Ok(raw) = serde_json::from_value::<RawModelFile>(cleaned) else { return (diags, None) };
    let empty = BTreeMap::new();
    let mut cx = FileCtx { file: &f.path, root, placeholders: &placeholders, models: &empty, repo, diags: Vec::new() };
    let base = JsonPath::root();
    if let Err(b) = super::rules::model_name(&f.env) {
        cx.push(
            Diagnostic::error(
                Code::E0217,
                &f.path,
                format!("the model file's name is not a valid model name: {}", b.message),
            )
            .at(crate::diag::Span::new(root.span.start, root.span.start + 1), "$")
            .label(b.label)
            .expected(format!("models/<model>.json with {}", b.expected))
            .found(f.path.display().to_string()),
        );
    }
    let contract = super::contract::contract(&mut cx, raw.data_contract.as_ref(), &base);
    let problem =
        super::contract::problem(&mut cx, raw.problem_type.as_deref(), &contract, raw.data_contract.as_ref(), &base);
    let gate = super::contract::gate(&mut cx, raw.gate.as_ref(), None, problem, &base);
    let monitoring = super::contract::monitoring(&mut cx, raw.monitoring.as_ref(), &base, &f.env, problem);
    let hyperparameters = raw
        .hyperparameters
        .as_ref()
        .map(|h| super::env::hyperparameters(&mut cx, Some(h), problem, &base.key("hyperparameters")));
    let training =
        super::training::training(&mut cx, raw.training.as_ref(), raw.hyperparameters.is_some(), &base.key("training"));
    if let crate::model::Training::Script(s) = &training {
        // No region here: the environments that run the model check that the image is there.
        let path = base.key("training").key("framework_version");
        super::env::framework_version(&mut cx, Framework::Sklearn, "scikit-learn", &s.framework_version, &path, "");
    }
    diags.extend(cx.diags);
    let spec = ModelSpec {
        file: f.path.clone(),
        contract,
        problem,
        gate,
        hyperparameters,
        monitoring,
        declares_monitoring: raw.monitoring.is_some(),
        training,
    };
    (diags, Some(spec))
}
