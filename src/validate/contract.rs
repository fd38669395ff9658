//! A model's data contract, problem type, registration gate and monitoring settings: one label
//! that fits the problem type (two classes and a positive one, three or more, or a number), at least one feature, unique column names (case-insensitively: header rows
//! are matched that way), types whose constraints fit them, missing-value markers that cannot be
//! mistaken for a value, and the time zone of the schedule.

use super::env::FileCtx;
use crate::config::path::JsonPath;
use crate::config::raw::{RawColumn, RawContract, RawGate, RawMonitoring};
use crate::config::shape::{self, DEFAULT_MISSING_VALUES};
use crate::diag::{Code, quoted};
use crate::model::*;
use serde_json::Value;

/// The contract of a model, with every default applied; columns that break a rule are reported
/// (E0230) and still returned, so later checks see the whole contract.
pub fn contract(cx: &mut FileCtx<'_>, raw: Option<&RawContract>, base: &JsonPath) -> DataContract {
    let path = base.key("data_contract");
    let raw = raw.cloned().unwrap_or_default();
    let header = match raw.header.as_deref() {
        Some("present") => HeaderMode::Present,
        Some("absent") => HeaderMode::Absent,
        _ => HeaderMode::Auto,
    };
    let missing_values =
        raw.missing_values.clone().unwrap_or_else(|| DEFAULT_MISSING_VALUES.iter().map(|s| s.to_string()).collect());
    let (raw_columns, columns_given) = match &raw.columns {
        Some(c) => (c.clone(), true),
        None => (
            serde_json::from_value::<Vec<RawColumn>>(shape::default_columns())
                .expect("the default contract deserializes (checked by a unit test)"),
            false,
        ),
    };
    let cols_path = path.key("columns");
    let mut columns = Vec::new();
    for (i, c) in raw_columns.iter().enumerate() {
        let at = if columns_given { cols_path.index(i) } else { path.clone() };
        columns.push(column(cx, c, &at));
    }
    let contract = DataContract { header, missing_values, columns };
    if columns_given {
        whole(cx, &contract, &cols_path);
    }
    for (i, m) in contract.missing_values.iter().enumerate() {
        let clash = contract.columns.iter().filter(|c| c.role != ColumnRole::Ignore).find(|c| match &c.kind {
            ColumnType::Categorical { categories } => categories.iter().any(|v| category_text(v) == *m),
            ColumnType::Numeric { .. } => m.trim().parse::<f64>().is_ok_and(f64::is_finite),
        });
        if let Some(c) = clash {
            let p = path.key("missing_values").index(i);
            cx.push(
                cx.error(Code::E0230, &p, "a missing-value marker is also a valid value")
                    .label(format!("a value of column {}", quoted(&c.name)))
                    .expected("markers that no column can hold, e.g. \"?\" or \"\"")
                    .found(quoted(m))
                    .help("remove the marker, or the category it collides with"),
            );
        }
    }
    contract
}

fn column(cx: &mut FileCtx<'_>, c: &RawColumn, at: &JsonPath) -> Column {
    let role = match c.role.as_deref() {
        Some("label") => ColumnRole::Label,
        Some("id") => ColumnRole::Id,
        Some("ignore") => ColumnRole::Ignore,
        _ => ColumnRole::Feature,
    };
    let categorical = c.kind.as_deref() == Some("categorical");
    if categorical {
        for key in ["min", "max"] {
            if (key == "min" && c.min.is_some()) || (key == "max" && c.max.is_some()) {
                cx.push(
                    cx.error(Code::E0230, &at.key(key), format!("`{key}` applies to numeric columns"))
                        .label("a categorical column")
                        .expected("categories for a categorical column")
                        .found(format!("\"{key}\" on {}", quoted(&c.name)))
                        .help("remove it, or set \"type\": \"numeric\""),
                );
            }
        }
    } else if c.categories.is_some() {
        cx.push(
            cx.error(Code::E0230, &at.key("categories"), "`categories` applies to categorical columns")
                .label("a numeric column")
                .expected("min and max for a numeric column")
                .found(format!("categories on {}", quoted(&c.name)))
                .help("add \"type\": \"categorical\" if the column holds codes"),
        );
    }
    let kind = if categorical {
        let categories = c.categories.clone().unwrap_or_default();
        if categories.is_empty() {
            cx.push(
                cx.error(Code::E0203, at, format!("categorical column {} has no categories", quoted(&c.name)))
                    .label("no categories")
                    .expected("\"categories\": the allowed values, e.g. [1, 2, 3, 4]")
                    .found("no such key"),
            );
        } else if categories.iter().any(Value::is_number) && categories.iter().any(Value::is_string) {
            cx.push(
                cx.error(Code::E0230, &at.key("categories"), "categories mix numbers and names")
                    .label("numbers and strings")
                    .expected("all numbers (codes) or all strings (names)")
                    .found(format!("{} values", categories.len()))
                    .help("write codes as numbers, e.g. [1, 2, 3]"),
            );
        }
        ColumnType::Categorical { categories }
    } else {
        if let (Some(lo), Some(hi)) = (c.min, c.max)
            && lo >= hi
        {
            cx.push(
                cx.error(Code::E0230, &at.key("max"), "`max` must be greater than `min`")
                    .label(format!("min is {}", crate::render::hcl::format_float(lo)))
                    .expected(format!("a number above {}", crate::render::hcl::format_float(lo)))
                    .found(crate::render::hcl::format_float(hi)),
            );
        }
        ColumnType::Numeric { min: c.min, max: c.max }
    };
    if c.positive.is_some() && role != ColumnRole::Label {
        cx.push(
            cx.error(Code::E0230, &at.key("positive"), "`positive` belongs to the label column")
                .label(format!("{} is not the label", quoted(&c.name)))
                .expected("\"positive\" only on the column with \"role\": \"label\"")
                .found(quoted(&c.name)),
        );
    }
    Column {
        name: c.name.clone(),
        role,
        kind,
        positive: c.positive.clone(),
        description: c.description.clone().unwrap_or_default(),
    }
}

/// Rules over all columns: names, exactly one label with two classes, one id at most, a feature.
fn whole(cx: &mut FileCtx<'_>, contract: &DataContract, cols_path: &JsonPath) {
    for (i, c) in contract.columns.iter().enumerate() {
        if let Some(first) = contract.columns[..i].iter().position(|o| o.name.eq_ignore_ascii_case(&c.name)) {
            cx.push(
                cx.error(Code::E0230, &cols_path.index(i).key("name"), "two columns have the same name")
                    .label(format!("also column {first}"))
                    .expected("column names that differ (header rows are matched case-insensitively)")
                    .found(quoted(&c.name)),
            );
        }
    }
    let labels: Vec<usize> =
        contract.columns.iter().enumerate().filter(|(_, c)| c.role == ColumnRole::Label).map(|(i, _)| i).collect();
    match labels.as_slice() {
        [] => cx.push(
            cx.error(Code::E0230, cols_path, "the data contract has no label column")
                .label("no column with \"role\": \"label\"")
                .expected("one column with \"role\": \"label\": categorical for classification, numeric for regression")
                .found(format!("{} columns, none a label", contract.columns.len()))
                .help("mark the column the model predicts, e.g. {\"name\": \"Severity\", \"type\": \"categorical\", \"role\": \"label\", \"categories\": [0, 1], \"positive\": 1}"),
        ),
        [_] => {}
        [_, second, ..] => cx.push(
            cx.error(Code::E0230, &cols_path.index(*second).key("role"), "the data contract has two label columns")
                .label("a second label")
                .expected("exactly one column with \"role\": \"label\"")
                .found(quoted(&contract.columns[*second].name))
                .help("a model predicts one column: set this column's role to \"feature\" or \"ignore\""),
        ),
    }
    let ids: Vec<usize> =
        contract.columns.iter().enumerate().filter(|(_, c)| c.role == ColumnRole::Id).map(|(i, _)| i).collect();
    if let Some(second) = ids.get(1) {
        cx.push(
            cx.error(Code::E0230, &cols_path.index(*second).key("role"), "the data contract has two record-id columns")
                .label("a second id")
                .expected("at most one column with \"role\": \"id\"")
                .found(quoted(&contract.columns[*second].name))
                .help("set \"role\": \"ignore\" on the one the model should not carry"),
        );
    }
    if contract.features().next().is_none() {
        cx.push(
            cx.error(Code::E0230, cols_path, "the data contract has no feature column")
                .label("nothing for the model to read")
                .expected("at least one column with \"role\": \"feature\" (the default role)")
                .found(format!("{} columns", contract.columns.len())),
        );
    }
}

/// Where the label column was written: its entry of `columns`, or the contract (defaulted).
fn label_path(raw: Option<&RawContract>, contract: &DataContract, base: &JsonPath) -> JsonPath {
    let path = base.key("data_contract");
    match (raw.and_then(|r| r.columns.as_ref()), contract.columns.iter().position(|c| c.role == ColumnRole::Label)) {
        (Some(_), Some(i)) => path.key("columns").index(i),
        _ => path,
    }
}

/// The model's problem type (`problem_type`, else from the label) and the label's fit with it:
/// a categorical label with exactly two classes and a positive one (binary), three or more
/// classes (multiclass), a numeric label (regression).
pub fn problem(
    cx: &mut FileCtx<'_>,
    raw: Option<&str>,
    contract: &DataContract,
    raw_contract: Option<&RawContract>,
    base: &JsonPath,
) -> ProblemType {
    let Some(c) = contract.label() else { return ProblemType::Binary };
    let at = label_path(raw_contract, contract, base);
    let classes = match &c.kind {
        ColumnType::Categorical { categories } => Some(categories),
        ColumnType::Numeric { .. } => None,
    };
    let inferred = match classes {
        None => ProblemType::Regression,
        Some(v) if v.len() > 2 => ProblemType::Multiclass,
        Some(_) => ProblemType::Binary,
    };
    let given = raw.and_then(ProblemType::parse);
    let problem = given.unwrap_or(inferred);
    let pt = base.key("problem_type");
    let mismatch = |cx: &mut FileCtx<'_>, message: String, label: String, expected: &str, found: String| {
        let mut d = cx.error(Code::E0233, &at, message).label(label).expected(expected).found(found);
        if given.is_some() && inferred != problem {
            d = d
                .help(format!(
                    "the label says {}: write \"problem_type\": \"{}\"",
                    inferred.as_str(),
                    inferred.as_str()
                ))
                .fix(&pt, inferred.as_str());
        }
        cx.push(d);
    };
    match (problem, classes) {
        (ProblemType::Regression, Some(v)) => mismatch(
            cx,
            format!("problem type regression needs a numeric label; {} is categorical", quoted(&c.name)),
            format!("{} classes", v.len()),
            "a label with \"type\": \"numeric\"",
            format!("\"type\": \"categorical\" with {} categories", v.len()),
        ),
        (ProblemType::Binary | ProblemType::Multiclass, None) => {
            let mut d = cx
                .error(Code::E0233, &at, format!("problem type {} needs a categorical label; {} is numeric", problem.as_str(), quoted(&c.name)))
                .label("a numeric label")
                .expected(if problem == ProblemType::Binary {
                    "\"type\": \"categorical\" with the two classes, e.g. \"categories\": [0, 1], and \"positive\""
                } else {
                    "\"type\": \"categorical\" with the classes, e.g. \"categories\": [\"setosa\", \"versicolor\", \"virginica\"]"
                })
                .found("\"type\": \"numeric\"");
            if given.is_some() {
                d = d
                    .help("declare the label's classes, or write \"problem_type\": \"regression\" if it is a quantity")
                    .fix(&pt, "regression");
            }
            cx.push(d);
        }
        (ProblemType::Binary, Some(v)) if v.len() != 2 => mismatch(
            cx,
            format!("problem type binary needs a label with exactly two classes; {} has {}", quoted(&c.name), v.len()),
            format!("{} classes", v.len()),
            "two categories, e.g. [0, 1]",
            format!("{} categories", v.len()),
        ),
        (ProblemType::Multiclass, Some(v)) if v.len() < 3 => mismatch(
            cx,
            format!(
                "problem type multiclass needs a label with three or more classes; {} has {}",
                quoted(&c.name),
                v.len()
            ),
            format!("{} classes", v.len()),
            "three or more categories",
            format!("{} categories", v.len()),
        ),
        _ => {}
    }
    match (problem, classes, &c.positive) {
        (ProblemType::Binary, Some(categories), None) if categories.len() == 2 => {
            let mut d = cx
                .error(Code::E0203, &at, "the label has no positive class")
                .label("no \"positive\"")
                .expected(format!(
                    "\"positive\": the class the model scores, one of {}",
                    categories.iter().map(Value::to_string).collect::<Vec<_>>().join(", ")
                ))
                .found("no such key");
            if let (Some(last), true) = (categories.last(), raw_contract.and_then(|r| r.columns.as_ref()).is_some()) {
                d = d.help(format!("write \"positive\": {last}")).fix(&at.key("positive"), last.clone());
            }
            cx.push(d);
        }
        (ProblemType::Binary, Some(categories), Some(p)) if !categories.iter().any(|v| same_category(v, p)) => {
            let mut d = cx
                .error(Code::E0230, &at.key("positive"), "the positive class is not a category of the label")
                .label("not a category")
                .expected(format!("one of {}", categories.iter().map(Value::to_string).collect::<Vec<_>>().join(", ")))
                .found(p.to_string());
            if let Some(last) = categories.last() {
                d = d.help(format!("write \"positive\": {last}")).fix(&at.key("positive"), last.clone());
            }
            cx.push(d);
        }
        (ProblemType::Multiclass | ProblemType::Regression, _, Some(p)) => cx.push(
            cx.error(
                Code::E0233,
                &at.key("positive"),
                format!("`positive` applies to binary labels; this model is {}", problem.as_str()),
            )
            .label("a positive class")
            .expected("no \"positive\" (every class is scored)")
            .found(p.to_string())
            .help("remove \"positive\""),
        ),
        _ => {}
    }
    problem
}

/// Names the metrics of a problem type for a diagnostic (`auc, accuracy, ...`).
pub fn metric_list(problem: ProblemType) -> String {
    problem.metrics().iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")
}

/// The registration gate: `gate` (a metric of the problem type, bounded the way it needs), or
/// `auc_threshold` (binary), or the problem type's default.
pub fn gate(
    cx: &mut FileCtx<'_>,
    raw: Option<&RawGate>,
    auc_threshold: Option<f64>,
    problem: ProblemType,
    tp: &JsonPath,
) -> Gate {
    let default = problem.default_gate();
    if let Some(t) = auc_threshold {
        if raw.is_some() {
            cx.push(
                cx.error(
                    Code::E0226,
                    &tp.key("auc_threshold"),
                    "`auc_threshold` and `gate` both set the registration gate",
                )
                .label("also set by gate")
                .expected("one of them")
                .found(format!("auc_threshold {}", crate::render::hcl::format_float(t)))
                .help("remove auc_threshold and keep gate"),
            );
        } else if problem != ProblemType::Binary {
            cx.push(
                cx.error(
                    Code::E0233,
                    &tp.key("auc_threshold"),
                    format!("`auc_threshold` applies to binary models; this model is {}", problem.as_str()),
                )
                .label("AUC of a binary model")
                .expected(format!(
                    "\"gate\": {{\"metric\": \"{}\", \"{}\": ...}} with a metric of {}",
                    default.metric.as_str(),
                    default.metric.bound(),
                    metric_list(problem)
                ))
                .found(format!("auc_threshold {}", crate::render::hcl::format_float(t)))
                .help(format!(
                    "replace it with \"gate\": {{\"metric\": \"{}\", \"{}\": {}}}",
                    default.metric.as_str(),
                    default.metric.bound(),
                    crate::render::hcl::format_float(default.threshold)
                )),
            );
            return default;
        } else {
            return Gate { metric: Metric::Auc, threshold: t };
        }
    }
    let Some(g) = raw else { return default };
    let gp = tp.key("gate");
    let Some(metric) = g.metric.as_deref().and_then(Metric::parse) else { return default };
    if !problem.metrics().contains(&metric) {
        cx.push(
            cx.error(
                Code::E0233,
                &gp.key("metric"),
                format!("{} is not a metric of a {} model", quoted(metric.as_str()), problem.as_str()),
            )
            .label(format!("a {} metric", metric.problems().iter().map(|p| p.as_str()).collect::<Vec<_>>().join("/")))
            .expected(format!("one of {}", metric_list(problem)))
            .found(quoted(metric.as_str()))
            .help(format!("write \"metric\": \"{}\"", default.metric.as_str()))
            .fix(&gp.key("metric"), default.metric.as_str()),
        );
        return default;
    }
    bound(cx, metric, g.min, g.max, &gp, "gate").map_or(default, |threshold| Gate { metric, threshold })
}

/// The limit of `metric` from `min`/`max`: exactly the one the metric takes.
fn bound(
    cx: &mut FileCtx<'_>,
    metric: Metric,
    min: Option<f64>,
    max: Option<f64>,
    at: &JsonPath,
    what: &str,
) -> Option<f64> {
    let (right, wrong, wrong_key) = if metric.lower_is_better() { (max, min, "min") } else { (min, max, "max") };
    if let Some(v) = wrong {
        cx.push(
            cx.error(
                Code::E0233,
                &at.key(wrong_key),
                format!(
                    "{} takes a {}: {}",
                    quoted(metric.as_str()),
                    metric.bound(),
                    if metric.lower_is_better() { "lower is better" } else { "higher is better" }
                ),
            )
            .label(format!("a {wrong_key}imum"))
            .expected(format!(
                "\"{}\": the {} {} a model may have",
                metric.bound(),
                if metric.lower_is_better() { "highest" } else { "lowest" },
                metric.as_str()
            ))
            .found(format!("\"{wrong_key}\": {}", crate::render::hcl::format_float(v)))
            .help(format!(
                "write \"{}\": {} in the {what}",
                metric.bound(),
                crate::render::hcl::format_float(v)
            )),
        );
        return None;
    }
    let Some(v) = right else {
        cx.push(
            cx.error(Code::E0203, at, format!("the {what} has no limit for {}", quoted(metric.as_str())))
                .label(format!("no \"{}\"", metric.bound()))
                .expected(format!("\"{}\": a number", metric.bound()))
                .found("no such key"),
        );
        return None;
    };
    let (lo, hi) = metric.range();
    if v < lo || v > hi {
        cx.push(
            cx.error(
                Code::E0204,
                &at.key(metric.bound()),
                format!("the limit of {} is out of range", quoted(metric.as_str())),
            )
            .label("out of range")
            .expected(format!("{}..{}", crate::render::hcl::format_float(lo), crate::render::hcl::format_float(hi)))
            .found(crate::render::hcl::format_float(v)),
        );
        return None;
    }
    Some(v)
}

/// Two categories are one when they are the same number or the same string.
fn same_category(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// A category as a CSV cell would hold it (`1`, `oval`).
pub fn category_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.as_f64().map(crate::render::hcl::format_float).unwrap_or_else(|| n.to_string()),
        other => other.to_string(),
    }
}

/// The monitoring settings of a model, with every default applied.
pub fn monitoring(
    cx: &mut FileCtx<'_>,
    raw: Option<&RawMonitoring>,
    base: &JsonPath,
    model: &str,
    problem: ProblemType,
) -> Monitoring {
    let raw = raw.cloned().unwrap_or_default();
    let engine = match raw.engine.as_deref() {
        Some("model-monitor") => Engine::ModelMonitor,
        _ => Engine::Builtin,
    };
    let d = raw.drift.unwrap_or_default();
    let drift = Drift {
        false_discovery_rate: d.false_discovery_rate.unwrap_or(0.05),
        min_psi: d.min_psi,
        joint_test: d.joint_test.unwrap_or(true),
    };
    let q = raw.model_quality.unwrap_or_default();
    let quality = q.enabled.unwrap_or(true).then(|| {
        let qp = base.key("monitoring").key("model_quality");
        let given = [
            (Metric::Auc, q.min_auc),
            (Metric::Accuracy, q.min_accuracy),
            (Metric::Precision, q.min_precision),
            (Metric::Recall, q.min_recall),
            (Metric::F1, q.min_f1),
            (Metric::MacroF1, q.min_macro_f1),
            (Metric::WeightedF1, q.min_weighted_f1),
            (Metric::LogLoss, q.max_log_loss),
            (Metric::Rmse, q.max_rmse),
            (Metric::Mae, q.max_mae),
            (Metric::R2, q.min_r2),
        ];
        let mut thresholds = Vec::new();
        for (metric, v) in given {
            let Some(v) = v else { continue };
            if problem.metrics().contains(&metric) {
                thresholds.push(Gate { metric, threshold: v });
                continue;
            }
            let keys: Vec<String> = problem.metrics().iter().map(|m| m.quality_key()).collect();
            cx.push(
                cx.error(
                    Code::E0233,
                    &qp.key(&metric.quality_key()),
                    format!("{} is not a metric of a {} model", quoted(metric.as_str()), problem.as_str()),
                )
                .label(format!(
                    "a {} metric",
                    metric.problems().iter().map(|p| p.as_str()).collect::<Vec<_>>().join("/")
                ))
                .expected(format!("one of {}", keys.join(", ")))
                .found(quoted(&metric.quality_key()))
                .help(format!("write \"{}\" instead", problem.default_quality()[0].metric.quality_key())),
            );
        }
        if thresholds.is_empty() {
            thresholds = problem.default_quality();
        }
        thresholds.sort_by_key(|g| problem.metrics().iter().position(|m| *m == g.metric));
        let labels_prefix = q.labels_prefix.clone().unwrap_or_else(|| format!("{model}/ground-truth/"));
        cx.check(
            Code::E0222,
            &base.key("monitoring").key("model_quality").key("labels_prefix"),
            &labels_prefix,
            super::rules::s3_prefix,
        );
        Quality { thresholds, labels_prefix, retrain: q.retrain_on_low_quality.unwrap_or(false) }
    });
    Monitoring { engine, drift, quality }
}

#[cfg(test)]
mod tests {
    #[test]
    fn default_contract_deserializes() {
        let cols: Vec<crate::config::raw::RawColumn> =
            serde_json::from_value(crate::config::shape::default_columns()).expect("default contract");
        assert_eq!(cols.len(), 6);
    }
}
