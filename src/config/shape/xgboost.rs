//! The hyperparameters the SageMaker XGBoost container validates, embedded from
//! `data/xgboost/hyperparameters-1.7-1.json` (introspected from the container's
//! `hyperparameter_validation.py`; image 3.2-0 declares the same table). It is data, not a
//! verdict: `config::shape` builds the `hyperparameters` object from it (names, JSON types,
//! allowed values) and `validate::env` checks ranges, lists and dependencies against it.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The table, parsed once.
#[derive(Debug, Deserialize)]
pub struct Table {
    pub version: &'static str,
    /// Alias → the name the container knows it by (`learning_rate` → `eta`).
    pub aliases: BTreeMap<&'static str, &'static str>,
    pub objectives: Vec<&'static str>,
    #[serde(rename = "hyperparameters")]
    pub entries: Vec<Entry>,
}

/// One hyperparameter as the container declares it.
#[derive(Debug, Deserialize)]
pub struct Entry {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub kind: HpType,
    pub range: Option<Range>,
    /// Allowed values of a categorical, list or tuple hyperparameter.
    #[serde(default)]
    pub values: Vec<Item>,
    #[serde(default)]
    pub aliases: Vec<&'static str>,
    /// The string values, in the table's order without repeats (filled after parsing).
    #[serde(skip)]
    pub strings: Vec<&'static str>,
}

/// How the container parses a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HpType {
    Integer,
    Continuous,
    Categorical,
    /// `"a,b"`: each item one of the values.
    CommaSeparatedList,
    /// `"[[0,1],[2,3]]"`: every integer in the range.
    NestedList,
    /// `"(1,0,-1)"`: every integer one of the values.
    Tuple,
}

/// An allowed value: a string, or an integer (the tuple's -1, 0, 1).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Item {
    Int(i64),
    Str(&'static str),
}

/// A range with each end open, closed or absent (infinite).
#[derive(Debug, Clone, Deserialize)]
pub struct Range {
    pub min_closed: Option<f64>,
    pub min_open: Option<f64>,
    pub max_closed: Option<f64>,
    pub max_open: Option<f64>,
    /// The container's notation, e.g. `(0, 1]`.
    pub text: &'static str,
}

impl Range {
    /// Whether `v` is inside.
    pub fn contains(&self, v: f64) -> bool {
        self.min_closed.is_none_or(|m| v >= m)
            && self.min_open.is_none_or(|m| v > m)
            && self.max_closed.is_none_or(|m| v <= m)
            && self.max_open.is_none_or(|m| v < m)
    }

    /// The value inside the range to propose for `v`, which is outside it: the bound it
    /// crossed when that bound is closed; across an open bound, `preferred` when inside, else
    /// the other end when closed, the middle of a bounded range, or one past the bound.
    pub fn nearest(&self, v: f64, integer: bool, preferred: Option<f64>) -> f64 {
        let step = if integer { 1.0 } else { 0.0 };
        let below = self.min_closed.is_some_and(|m| v < m) || self.min_open.is_some_and(|m| v <= m);
        let (closed, open, other_closed, other_open) = if below {
            (self.min_closed, self.min_open, self.max_closed, self.max_open)
        } else {
            (self.max_closed, self.max_open, self.min_closed, self.min_open)
        };
        if let Some(c) = closed {
            return c;
        }
        let open = open.expect("a value outside the range crossed one of its bounds");
        if integer {
            return if below { open + step } else { open - step };
        }
        if let Some(p) = preferred.filter(|p| self.contains(*p)) {
            return p;
        }
        if let Some(c) = other_closed {
            return c;
        }
        match other_open {
            Some(o) => (open + o) / 2.0,
            None if below => open + 1.0,
            None => open - 1.0,
        }
    }
}

impl Table {
    /// The entry of a name or an alias.
    pub fn entry(&self, name: &str) -> Option<&Entry> {
        let name = self.aliases.get(name).copied().unwrap_or(name);
        self.entries.iter().find(|e| e.name == name)
    }
}

impl Entry {
    /// Whether the container takes only `"true"` or `"false"` (written as a JSON boolean).
    pub fn is_boolean(&self) -> bool {
        self.kind == HpType::Categorical && self.strings == ["true", "false"]
    }

    /// The integer values of a tuple hyperparameter.
    pub fn integers(&self) -> Vec<i64> {
        self.values
            .iter()
            .filter_map(|v| match v {
                Item::Int(i) => Some(*i),
                Item::Str(_) => None,
            })
            .collect()
    }
}

/// Hyperparameters the platform sets or decides itself, with the reason; config never takes them.
pub const REFUSED: &[(&str, &str)] = &[
    ("num_class", "the platform sets it from the label's classes"),
    ("csv_weights", "the training CSV is the label then the features; it has no weight column"),
    ("_kfold", "cross-validation saves one model per fold; evaluation and registration read one model"),
    ("_num_cv_round", "cross-validation saves one model per fold; evaluation and registration read one model"),
    ("_tuning_objective_metric", "SageMaker automatic model tuning sets it; the train pipeline runs no tuning job"),
];

/// The embedded table.
pub fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t: Table = serde_json::from_str(include_str!("../../../data/xgboost/hyperparameters-1.7-1.json"))
            .expect("data/xgboost/hyperparameters-1.7-1.json is embedded and tested");
        for e in &mut t.entries {
            for v in &e.values {
                if let Item::Str(s) = v
                    && !e.strings.contains(s)
                {
                    e.strings.push(s);
                }
            }
        }
        t
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_with_every_declared_hyperparameter() {
        let t = table();
        assert_eq!(t.version, "1.7-1");
        assert_eq!(t.entries.len(), 53);
        for (alias, name) in &t.aliases {
            assert!(t.entry(name).is_some_and(|e| e.aliases.contains(alias)), "{alias} → {name}");
        }
        for e in &t.entries {
            match e.kind {
                HpType::Integer | HpType::Continuous | HpType::NestedList => {
                    assert!(e.range.is_some(), "{} has a range", e.name)
                }
                _ => assert!(!e.values.is_empty(), "{} has values", e.name),
            }
        }
        for (name, _) in REFUSED {
            assert!(t.entry(name).is_some(), "{name} is the container's");
        }
    }

    #[test]
    fn every_name_the_platform_writes_is_in_the_table() {
        let t = table();
        for name in [
            "objective",
            "eval_metric",
            "num_round",
            "max_depth",
            "eta",
            "gamma",
            "min_child_weight",
            "subsample",
            "num_class",
        ] {
            assert!(t.entry(name).is_some(), "{name}");
        }
        for p in crate::model::ProblemType::ALL {
            assert!(t.objectives.contains(&p.default_objective()));
            for o in p.objectives() {
                assert!(t.objectives.contains(o), "{o}");
            }
            assert!(t.entry("eval_metric").expect("eval_metric").strings.contains(&p.eval_metric()));
        }
    }

    #[test]
    fn ranges_keep_their_open_and_closed_ends() {
        let t = table();
        let sub = t.entry("subsample").and_then(|e| e.range.as_ref()).expect("subsample");
        assert!(!sub.contains(0.0) && sub.contains(1.0) && sub.contains(0.5) && !sub.contains(1.5));
        assert_eq!(sub.nearest(0.0, false, Some(0.8)), 0.8);
        assert_eq!(sub.nearest(2.0, false, None), 1.0);
        let tweedie = t.entry("tweedie_variance_power").and_then(|e| e.range.as_ref()).expect("tweedie");
        assert_eq!(tweedie.nearest(3.0, false, None), 1.5);
        let spw = t.entry("scale_pos_weight").and_then(|e| e.range.as_ref()).expect("spw");
        assert_eq!(spw.nearest(-1.0, false, None), 1.0);
        let seed = t.entry("seed").and_then(|e| e.range.as_ref()).expect("seed");
        assert_eq!(seed.nearest(2147483647.0, true, None), 2147483646.0);
        assert!(t.entry("learning_rate").is_some_and(|e| e.name == "eta"));
        assert!(t.entry("deterministic_histogram").is_some_and(Entry::is_boolean));
        assert_eq!(t.entry("monotone_constraints").map(Entry::integers), Some(vec![-1, 0, 1]));
    }
}
