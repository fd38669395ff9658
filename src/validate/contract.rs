//! A model's data contract and monitoring settings: one label with two classes and its positive
//! class among them, at least one feature, unique column names (case-insensitively: header rows
//! are matched that way), types whose constraints fit them, missing-value markers that cannot be
//! mistaken for a value, and the time zone of the schedule.

use super::env::FileCtx;
use crate::config::path::JsonPath;
use crate::config::raw::{RawColumn, RawContract, RawMonitoring};
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
                .expected("one column with \"role\": \"label\", \"type\": \"categorical\", two categories and \"positive\"")
                .found(format!("{} columns, none a label", contract.columns.len()))
                .help("mark the column the model predicts, e.g. {\"name\": \"Severity\", \"type\": \"categorical\", \"role\": \"label\", \"categories\": [0, 1], \"positive\": 1}"),
        ),
        [only] => label(cx, &contract.columns[*only], &cols_path.index(*only)),
        [_, second, ..] => cx.push(
            cx.error(Code::E0230, &cols_path.index(*second).key("role"), "the data contract has two label columns")
                .label("a second label")
                .expected("exactly one column with \"role\": \"label\"")
                .found(quoted(&contract.columns[*second].name))
                .help("the platform trains binary classifiers: set this column's role to \"feature\" or \"ignore\""),
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

fn label(cx: &mut FileCtx<'_>, c: &Column, at: &JsonPath) {
    let ColumnType::Categorical { categories } = &c.kind else {
        cx.push(
            cx.error(Code::E0230, &at.key("role"), "the label must be categorical with two classes")
                .label("a numeric label")
                .expected("\"type\": \"categorical\" with two categories, e.g. [0, 1]")
                .found(quoted(&c.name))
                .help("the platform trains binary classifiers (XGBoost binary:logistic)"),
        );
        return;
    };
    if categories.len() != 2 {
        cx.push(
            cx.error(Code::E0230, &at.key("categories"), "the label must have exactly two classes")
                .label(format!("{} classes", categories.len()))
                .expected("two categories, e.g. [0, 1]")
                .found(format!("{} categories", categories.len()))
                .help("the platform trains binary classifiers (XGBoost binary:logistic)"),
        );
    }
    match &c.positive {
        None => cx.push(
            cx.error(Code::E0203, at, "the label has no positive class")
                .label("no \"positive\"")
                .expected(format!(
                    "\"positive\": the class the model scores, one of {}",
                    categories.iter().map(Value::to_string).collect::<Vec<_>>().join(", ")
                ))
                .found("no such key"),
        ),
        Some(p) if !categories.iter().any(|v| same_category(v, p)) => {
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
        Some(_) => {}
    }
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
pub fn monitoring(cx: &mut FileCtx<'_>, raw: Option<&RawMonitoring>, base: &JsonPath, model: &str) -> Monitoring {
    let raw = raw.cloned().unwrap_or_default();
    let engine = match raw.engine.as_deref() {
        Some("model-monitor") => Engine::ModelMonitor,
        _ => Engine::Builtin,
    };
    let d = raw.drift.unwrap_or_default();
    let drift = Drift {
        p_value: d.p_value.unwrap_or(0.01),
        psi: d.psi.unwrap_or(0.2),
        missing_share: d.missing_share.unwrap_or(0.1),
        drifted_features_share: d.drifted_features_share.unwrap_or(0.25),
    };
    let q = raw.model_quality.unwrap_or_default();
    let quality = q.enabled.unwrap_or(true).then(|| {
        let mut thresholds = vec![("auc", q.min_auc.unwrap_or(0.7)), ("accuracy", q.min_accuracy.unwrap_or(0.7))];
        for (name, v) in [("precision", q.min_precision), ("recall", q.min_recall), ("f1", q.min_f1)] {
            if let Some(v) = v {
                thresholds.push((name, v));
            }
        }
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
