//! What the problem type changes in the rendered output, in one place: the XGBoost objective,
//! evaluation metric and class count of the training step, the registration gate's condition
//! and parameter, the model-quality limits given to its script, the columns the batch transform
//! keeps, and what the scripts' templates learn about the label. The scripts themselves branch
//! on nothing: each imports the `problem.py` module rendered from its problem type's template
//! (`templates/code/problem/`).

use super::hcl::format_float;
use super::steps::{condition, fail, get, json_get};
use crate::model::{HyperValue, Hyperparameters, Model, ProblemType, Quality};
use serde_json::{Value, json};

/// The training job's hyperparameters (all strings, as SageMaker passes them): the ones the
/// platform always sets, every other one given (by name), then num_class for a multiclass model.
pub fn hyperparameters(model: &Model, h: &Hyperparameters) -> Value {
    let mut out = json!({
        "objective": h.objective,
        "eval_metric": h.eval_metric.as_deref().unwrap_or(model.problem.eval_metric()),
        "num_round": h.num_round.to_string(),
        "max_depth": h.max_depth.to_string(),
        "eta": format_float(h.eta),
        "gamma": format_float(h.gamma),
        "min_child_weight": format_float(h.min_child_weight),
        "subsample": format_float(h.subsample)
    });
    for (name, v) in &h.others {
        out[name.as_str()] = json!(match v {
            HyperValue::Integer(i) => i.to_string(),
            HyperValue::Number(f) => format_float(*f),
            HyperValue::Text(t) => t.clone(),
            HyperValue::Bool(b) => b.to_string(),
        });
    }
    if model.problem == ProblemType::Multiclass {
        out["num_class"] = json!(classes(model).len().to_string());
    }
    out
}

/// The label's classes in the order the model numbers them (empty for regression).
pub fn classes(model: &Model) -> Vec<Value> {
    match model.contract.label().map(|c| &c.kind) {
        Some(crate::model::ColumnType::Categorical { categories }) if model.problem != ProblemType::Regression => {
            categories.clone()
        }
        _ => Vec::new(),
    }
}

/// The condition step that registers a version only when its test-split metric meets the gate,
/// and the pipeline parameter holding the limit.
pub fn gate(model: &Model, on_pass: Vec<Value>) -> (Value, Value) {
    let g = model.train.gate;
    let m = g.metric;
    let parameter = format!("{}Threshold", m.camel());
    let value = json_get(
        "EvaluateModel",
        "EvaluationReport",
        &format!("{}.{}.value", model.problem.report_section(), m.as_str()),
    );
    let (test, failed, words) = if m.lower_is_better() {
        ("LessThanOrEqualTo", format!("{}AboveThreshold", m.camel()), "is above the limit of")
    } else {
        ("GreaterThanOrEqualTo", format!("{}BelowThreshold", m.camel()), "is below the threshold of")
    };
    let stop = fail(
        &failed,
        json!({ "Std:Join": { "On": " ", "Values": [
            format!("Model {}", m.display()),
            value.clone(),
            words,
            get(&format!("Parameters.{parameter}"))
        ] } }),
    );
    let check = condition(
        &format!("Check{}Threshold", m.camel()),
        json!([{ "Type": test, "LeftValue": value, "RightValue": get(&format!("Parameters.{parameter}")) }]),
        on_pass,
        vec![stop],
    );
    (check, json!({ "Name": parameter, "Type": "Float", "DefaultValue": g.threshold }))
}

/// The model-quality limits as the quality script's environment (`MIN_AUC`, `MAX_RMSE`, ...).
pub fn quality_environment(q: &Quality) -> Vec<(String, String)> {
    q.thresholds.iter().map(|g| (g.metric.quality_key().to_ascii_uppercase(), format_float(g.threshold))).collect()
}

/// The batch transform's output filter over the input record joined with the prediction: the
/// record id and the prediction (one score or value), or every class's probability.
pub fn output_filter(model: &Model) -> String {
    match model.problem {
        ProblemType::Multiclass => format!("$[0,{}:]", model.contract.features().count() + 1),
        ProblemType::Binary | ProblemType::Regression => "$[0,-1]".into(),
    }
}

/// The template `problem.py` is rendered from.
pub fn template(model: &Model) -> String {
    format!("problem/{}.py", model.problem.as_str())
}

/// What the scripts' templates learn about the problem type.
pub fn context(model: &Model) -> Value {
    let positive = model.contract.label().and_then(|c| c.positive.clone()).unwrap_or(Value::Null);
    json!({
        "problem_type": model.problem.as_str(),
        "positive": if model.problem == ProblemType::Binary { positive } else { Value::Null },
        "target": match model.problem {
            ProblemType::Binary => "1 for the positive class, 0 for the other",
            ProblemType::Multiclass => "the class's position in the label's categories, 0..K-1",
            ProblemType::Regression => "the label's value",
        },
        "metric_names": model.problem.metrics().iter().map(|m| m.as_str()).collect::<Vec<_>>(),
        "report_section": model.problem.report_section(),
        "classes": classes(model),
        "metrics": model.problem.metrics().iter().map(|m| json!({
            "name": m.as_str(),
            "display": m.display(),
            "bound": m.bound(),
        })).collect::<Vec<_>>(),
        "gate": { "metric": model.train.gate.metric.as_str(), "threshold": model.train.gate.threshold },
    })
}
