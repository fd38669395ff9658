//! One XGBoost hyperparameter's value against the container's table
//! (`config::shape::xgboost`): what the structural check cannot say, because the shape gives
//! numbers their JSON type only. Ranges with their open and closed ends, comma-separated lists,
//! tuples and nested lists; each problem proposes a value inside the table when there is one.

use super::FileCtx;
use crate::config::path::JsonPath;
use crate::config::shape::xgboost::{Entry, HpType};
use crate::diag::{Code, quoted};
use crate::validate::structure::did_you_mean;
use serde_json::Value as Json;

/// Metrics the container accepts with a threshold, `error@0.6`.
const WITH_THRESHOLD: &[&str] = &["error", "ndcg", "map"];

/// Checks `value` of `entry` written at `p`; false when it was reported. `preferred` is the
/// platform's default, proposed across an open bound.
pub(super) fn check(cx: &mut FileCtx<'_>, entry: &Entry, value: &Json, p: &JsonPath, preferred: Option<f64>) -> bool {
    match entry.kind {
        HpType::Integer | HpType::Continuous => {
            let integer = entry.kind == HpType::Integer;
            let (Some(v), Some(range)) = (value.as_f64(), entry.range.as_ref()) else {
                return value.is_number();
            };
            if range.contains(v) {
                return true;
            }
            let nearest = range.nearest(v, integer, preferred);
            let fix = if integer {
                Json::from(nearest as i64)
            } else {
                serde_json::Number::from_f64(nearest).map_or(Json::Null, Json::Number)
            };
            let what = if integer { "an integer" } else { "a number" };
            cx.push(
                cx.error(Code::E0204, p, format!("`{}` is out of range", p.last_key()))
                    .label(format!("outside {}", range.text))
                    .expected(format!("{what} in {} (the SageMaker XGBoost container's range)", range.text))
                    .found(value.to_string())
                    .help(format!("the container refuses the training job otherwise; e.g. {fix}"))
                    .fix(p, fix),
            );
            false
        }
        // One of the values or true/false: the structural check said so.
        HpType::Categorical => true,
        HpType::CommaSeparatedList => {
            let Some(text) = value.as_str() else { return false };
            let items: Vec<&str> = text.split(',').collect();
            let bad = items.iter().position(|i| !list_item_ok(entry, i));
            let Some(at) = bad else { return true };
            let item = items[at];
            let mut d = cx
                .error(Code::E0205, p, format!("`{}` lists a value the container does not take", p.last_key()))
                .label(format!("{} is not allowed", quoted(item)))
                .expected(format!(
                    "comma-separated values from {}{}",
                    entry.strings.join(", "),
                    if entry.name == "eval_metric" { " (error@t, ndcg@t, map@t with a number t)" } else { "" }
                ))
                .found(quoted(item));
            if let Some(s) = did_you_mean(item.trim(), entry.strings.iter().copied()) {
                let mut fixed = items.clone();
                fixed[at] = s;
                d = d.help(format!("did you mean {}?", quoted(s))).fix(p, fixed.join(","));
            }
            cx.push(d);
            false
        }
        HpType::Tuple => {
            let allowed = entry.integers();
            let parsed = value.as_str().and_then(|t| integers_in(t.trim().strip_prefix('(')?.strip_suffix(')')?));
            let ok = parsed.as_ref().is_some_and(|v| !v.is_empty() && v.iter().all(|i| allowed.contains(i)));
            if !ok {
                let allowed: Vec<String> = allowed.iter().map(i64::to_string).collect();
                cx.push(
                    cx.error(Code::E0205, p, format!("`{}` is not a tuple the container takes", p.last_key()))
                        .label("not a tuple of allowed values")
                        .expected(format!(
                            "a string \"(a,b,...)\" with one of {} per feature, e.g. \"(1,0,-1)\"",
                            allowed.join(", ")
                        ))
                        .found(value.to_string()),
                );
            }
            ok
        }
        HpType::NestedList => {
            let Some(range) = entry.range.as_ref() else { return true };
            let parsed = value.as_str().and_then(nested_list);
            let ok = parsed.as_ref().is_some_and(|lists| lists.iter().flatten().all(|i| range.contains(*i as f64)));
            if !ok {
                cx.push(
                    cx.error(Code::E0205, p, format!("`{}` is not a nested list the container takes", p.last_key()))
                        .label("not a list of lists of allowed feature indices")
                        .expected(format!(
                            "a string \"[[a,b],[c,d]]\" of integers in {}, e.g. \"[[1,2],[3,4]]\"",
                            range.text
                        ))
                        .found(value.to_string()),
                );
            }
            ok
        }
    }
}

/// One item of a comma-separated list: one of the values, or a metric with a threshold.
fn list_item_ok(entry: &Entry, item: &str) -> bool {
    if entry.strings.contains(&item) {
        return true;
    }
    entry.name == "eval_metric"
        && item.split_once('@').is_some_and(|(name, t)| {
            WITH_THRESHOLD.contains(&name.trim()) && t.trim().parse::<f64>().is_ok_and(f64::is_finite)
        })
}

/// `a,b,c` as integers (spaces allowed, a trailing comma as in Python's `(1,)`).
fn integers_in(text: &str) -> Option<Vec<i64>> {
    let text = text.trim().strip_suffix(',').unwrap_or(text.trim());
    if text.is_empty() {
        return Some(Vec::new());
    }
    text.split(',').map(|i| i.trim().parse::<i64>().ok()).collect()
}

/// `[[a,b],[c]]` as lists of integers.
fn nested_list(text: &str) -> Option<Vec<Vec<i64>>> {
    let inner = text.trim().strip_prefix('[')?.strip_suffix(']')?.trim();
    if inner.is_empty() {
        return Some(Vec::new());
    }
    let mut lists = Vec::new();
    let mut rest = inner;
    loop {
        let body = rest.strip_prefix('[')?;
        let end = body.find(']')?;
        lists.push(integers_in(&body[..end])?);
        rest = body[end + 1..].trim_start();
        if rest.is_empty() {
            return Some(lists);
        }
        rest = rest.strip_prefix(',')?.trim_start();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_containers_list_forms() {
        assert_eq!(integers_in("1, 0,-1"), Some(vec![1, 0, -1]));
        assert_eq!(integers_in("1,"), Some(vec![1]));
        assert_eq!(integers_in("1,x"), None);
        assert_eq!(nested_list("[[1,2], [3,4]]"), Some(vec![vec![1, 2], vec![3, 4]]));
        assert_eq!(nested_list("[[1,2],[3,4"), None);
        assert_eq!(nested_list("[1,2]"), None);
    }

    #[test]
    fn eval_metric_takes_thresholds_for_three_metrics() {
        let e = crate::config::shape::xgboost::table().entry("eval_metric").expect("eval_metric");
        assert!(list_item_ok(e, "auc") && list_item_ok(e, "error@0.7") && list_item_ok(e, "ndcg@3"));
        assert!(!list_item_ok(e, "rmse@2") && !list_item_ok(e, "error@x") && !list_item_ok(e, "<function f>"));
    }
}
