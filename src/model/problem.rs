//! What a model predicts (`ProblemType`) and how it is judged (`Metric`, `Gate`): the one place
//! that knows which metrics each problem type has, which way each one is better, the XGBoost
//! objective and evaluation metric it trains with, and the section of SageMaker's model-quality
//! JSON its evaluation is written to. Validation, the pipelines, the scripts' templates and
//! `describe` all ask here.

/// What the label is and so what the model predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemType {
    /// Two classes; the model scores the positive one.
    Binary,
    /// Three or more classes (numbers or names); the model gives each a probability.
    Multiclass,
    /// A number.
    Regression,
}

impl ProblemType {
    pub const ALL: [ProblemType; 3] = [ProblemType::Binary, ProblemType::Multiclass, ProblemType::Regression];

    pub fn as_str(self) -> &'static str {
        match self {
            ProblemType::Binary => "binary",
            ProblemType::Multiclass => "multiclass",
            ProblemType::Regression => "regression",
        }
    }

    pub fn parse(s: &str) -> Option<ProblemType> {
        ProblemType::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The metrics of the held-out split and of scored batches, in report order.
    pub fn metrics(self) -> &'static [Metric] {
        use Metric::*;
        match self {
            ProblemType::Binary => &[Auc, Accuracy, Precision, Recall, F1],
            ProblemType::Multiclass => &[Accuracy, MacroF1, WeightedF1, LogLoss],
            ProblemType::Regression => &[Rmse, Mae, R2],
        }
    }

    /// The registration gate when the config sets none.
    pub fn default_gate(self) -> Gate {
        match self {
            ProblemType::Binary => Gate { metric: Metric::Auc, threshold: 0.75 },
            ProblemType::Multiclass => Gate { metric: Metric::Accuracy, threshold: 0.5 },
            // Better than always predicting the training mean.
            ProblemType::Regression => Gate { metric: Metric::R2, threshold: 0.0 },
        }
    }

    /// The model-quality limits when the config sets none.
    pub fn default_quality(self) -> Vec<Gate> {
        match self {
            ProblemType::Binary => {
                vec![Gate { metric: Metric::Auc, threshold: 0.7 }, Gate { metric: Metric::Accuracy, threshold: 0.7 }]
            }
            ProblemType::Multiclass => vec![Gate { metric: Metric::Accuracy, threshold: 0.5 }],
            ProblemType::Regression => vec![Gate { metric: Metric::R2, threshold: 0.0 }],
        }
    }

    /// The key of the evaluation report (SageMaker's model-quality JSON) holding the metrics.
    pub fn report_section(self) -> &'static str {
        match self {
            ProblemType::Binary => "binary_classification_metrics",
            ProblemType::Multiclass => "multiclass_classification_metrics",
            ProblemType::Regression => "regression_metrics",
        }
    }

    /// The built-in XGBoost objective it trains with by default.
    pub fn default_objective(self) -> &'static str {
        match self {
            ProblemType::Binary => "binary:logistic",
            ProblemType::Multiclass => "multi:softprob",
            ProblemType::Regression => "reg:squarederror",
        }
    }

    /// The XGBoost objectives that fit it: the platform needs a probability of the positive
    /// class (binary), every class's probability (multiclass) or a number (regression).
    pub fn objectives(self) -> &'static [&'static str] {
        match self {
            ProblemType::Binary => &["binary:logistic"],
            ProblemType::Multiclass => &["multi:softprob"],
            ProblemType::Regression => &[
                "reg:squarederror",
                "reg:absoluteerror",
                "reg:pseudohubererror",
                "reg:tweedie",
                "reg:gamma",
                "count:poisson",
            ],
        }
    }

    /// The XGBoost evaluation metric printed per round (the training job's final metric).
    pub fn eval_metric(self) -> &'static str {
        match self {
            ProblemType::Binary => "auc",
            ProblemType::Multiclass => "mlogloss",
            ProblemType::Regression => "rmse",
        }
    }
}

/// A metric of a problem type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    Auc,
    Accuracy,
    Precision,
    Recall,
    F1,
    MacroF1,
    WeightedF1,
    LogLoss,
    Rmse,
    Mae,
    R2,
}

impl Metric {
    pub const ALL: [Metric; 11] = [
        Metric::Auc,
        Metric::Accuracy,
        Metric::Precision,
        Metric::Recall,
        Metric::F1,
        Metric::MacroF1,
        Metric::WeightedF1,
        Metric::LogLoss,
        Metric::Rmse,
        Metric::Mae,
        Metric::R2,
    ];

    /// The name in configs, reports and the evaluation JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Auc => "auc",
            Metric::Accuracy => "accuracy",
            Metric::Precision => "precision",
            Metric::Recall => "recall",
            Metric::F1 => "f1",
            Metric::MacroF1 => "macro_f1",
            Metric::WeightedF1 => "weighted_f1",
            Metric::LogLoss => "log_loss",
            Metric::Rmse => "rmse",
            Metric::Mae => "mae",
            Metric::R2 => "r2",
        }
    }

    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// True when smaller is better (an error or a loss): its limit is a maximum.
    pub fn lower_is_better(self) -> bool {
        matches!(self, Metric::LogLoss | Metric::Rmse | Metric::Mae)
    }

    /// `min` or `max`: the kind of limit the metric takes.
    pub fn bound(self) -> &'static str {
        if self.lower_is_better() { "max" } else { "min" }
    }

    /// The smallest and largest meaningful limit.
    pub fn range(self) -> (f64, f64) {
        match self {
            Metric::LogLoss | Metric::Rmse | Metric::Mae => (0.0, 1e15),
            Metric::R2 => (-1e15, 1.0),
            _ => (0.0, 1.0),
        }
    }

    /// The problem types that have it.
    pub fn problems(self) -> Vec<ProblemType> {
        ProblemType::ALL.into_iter().filter(|p| p.metrics().contains(&self)).collect()
    }

    /// The config key of its model-quality limit (`min_auc`, `max_rmse`).
    pub fn quality_key(self) -> String {
        format!("{}_{}", self.bound(), self.as_str())
    }

    /// As reports name it (`AUC`, `macro F1`).
    pub fn display(self) -> &'static str {
        match self {
            Metric::Auc => "AUC",
            Metric::Accuracy => "accuracy",
            Metric::Precision => "precision",
            Metric::Recall => "recall",
            Metric::F1 => "F1",
            Metric::MacroF1 => "macro F1",
            Metric::WeightedF1 => "weighted F1",
            Metric::LogLoss => "log-loss",
            Metric::Rmse => "RMSE",
            Metric::Mae => "MAE",
            Metric::R2 => "R2",
        }
    }

    /// CamelCase, for pipeline parameter and step names (`Auc`, `MacroF1`, `R2`).
    pub fn camel(self) -> &'static str {
        match self {
            Metric::Auc => "Auc",
            Metric::Accuracy => "Accuracy",
            Metric::Precision => "Precision",
            Metric::Recall => "Recall",
            Metric::F1 => "F1",
            Metric::MacroF1 => "MacroF1",
            Metric::WeightedF1 => "WeightedF1",
            Metric::LogLoss => "LogLoss",
            Metric::Rmse => "Rmse",
            Metric::Mae => "Mae",
            Metric::R2 => "R2",
        }
    }
}

/// A limit on a metric: at least `threshold` (higher is better) or at most (lower is better).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gate {
    pub metric: Metric,
    pub threshold: f64,
}

impl Gate {
    /// True when `value` meets the limit.
    pub fn holds(&self, value: f64) -> bool {
        if self.metric.lower_is_better() { value <= self.threshold } else { value >= self.threshold }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_belongs_to_a_problem_type_and_parses_back() {
        for m in Metric::ALL {
            assert!(!m.problems().is_empty(), "{m:?}");
            assert_eq!(Metric::parse(m.as_str()), Some(m));
        }
        for p in ProblemType::ALL {
            assert_eq!(ProblemType::parse(p.as_str()), Some(p));
            assert!(p.metrics().contains(&p.default_gate().metric));
            assert!(p.default_quality().iter().all(|g| p.metrics().contains(&g.metric)));
            assert!(p.objectives().contains(&p.default_objective()));
        }
    }

    #[test]
    fn the_schema_lists_every_metric() {
        let names: Vec<&str> = Metric::ALL.iter().map(|m| m.as_str()).collect();
        assert_eq!(names, crate::config::shape::METRIC_NAMES);
    }

    #[test]
    fn the_direction_follows_the_metric() {
        assert!(Gate { metric: Metric::Rmse, threshold: 10.0 }.holds(9.0));
        assert!(!Gate { metric: Metric::Rmse, threshold: 10.0 }.holds(11.0));
        assert!(Gate { metric: Metric::Auc, threshold: 0.7 }.holds(0.7));
        assert!(!Gate { metric: Metric::Auc, threshold: 0.7 }.holds(0.69));
        assert_eq!(Metric::LogLoss.quality_key(), "max_log_loss");
        assert_eq!(Metric::MacroF1.quality_key(), "min_macro_f1");
    }
}
