//! The file format, declared once. This tree drives three things that must never disagree: the
//! structural check of a loaded file (unknown keys, types, ranges, required keys), the JSON
//! Schema printed by `mlopsgen schema`, and the defaults documented in the README.
//!
//! Format rules that need context (ARN accounts, bucket naming, cron syntax) live in `validate`;
//! string patterns here are only hints for editors.

use serde_json::{Value as Json, json};
use std::sync::OnceLock;

pub mod xgboost;

/// What a value may be.
#[derive(Debug, Clone)]
pub enum Kind {
    String {
        min_len: usize,
        max_len: usize,
        one_of: &'static [&'static str],
        pattern: Option<&'static str>,
    },
    Integer {
        min: i64,
        max: i64,
    },
    Number {
        min: f64,
        max: f64,
    },
    Bool,
    Array {
        items: Box<Shape>,
        min_items: usize,
        max_items: usize,
        unique: bool,
    },
    Object {
        fields: Vec<Field>,
    },
    /// An object whose keys are names chosen by the user.
    Map {
        key_pattern: &'static str,
        key_hint: &'static str,
        values: Box<Shape>,
        max_entries: usize,
    },
    /// Alternatives distinguished by JSON type (e.g. an ARN string or an object that creates).
    Either(Vec<Shape>),
}

/// A value's kind with its documentation.
#[derive(Debug, Clone)]
pub struct Shape {
    pub kind: Kind,
    pub description: &'static str,
    pub default: Option<Json>,
    /// JSON Schema keywords for editors only, like string patterns (`exclusiveMinimum`, …); a
    /// null removes the kind's own keyword. The check they describe is `validate`'s.
    pub hints: Vec<(&'static str, Json)>,
}

/// One key of an object.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: &'static str,
    pub shape: Shape,
    pub required: bool,
}

impl Shape {
    fn new(kind: Kind, description: &'static str) -> Shape {
        Shape { kind, description, default: None, hints: Vec::new() }
    }
    fn default(mut self, value: Json) -> Shape {
        self.default = Some(value);
        self
    }
    fn pattern(mut self, p: &'static str) -> Shape {
        if let Kind::String { pattern, .. } = &mut self.kind {
            *pattern = Some(p);
        }
        self
    }
    fn len(mut self, min: usize, max: usize) -> Shape {
        if let Kind::String { min_len, max_len, .. } = &mut self.kind {
            *min_len = min;
            *max_len = max;
        }
        self
    }

    /// A short phrase naming the JSON type(s) accepted, for "expected" lines.
    pub fn type_phrase(&self) -> String {
        match &self.kind {
            Kind::String { .. } => "a string".into(),
            Kind::Integer { .. } => "an integer".into(),
            Kind::Number { .. } => "a number".into(),
            Kind::Bool => "true or false".into(),
            Kind::Array { items, .. } => format!("an array of {}", plural(&items.type_phrase())),
            Kind::Object { .. } | Kind::Map { .. } => "an object".into(),
            Kind::Either(alts) => {
                let names: Vec<String> = alts.iter().map(Shape::type_phrase).collect();
                names.join(" or ")
            }
        }
    }

    /// The fields of an object shape (empty for anything else).
    pub fn fields(&self) -> &[Field] {
        match &self.kind {
            Kind::Object { fields } => fields,
            _ => &[],
        }
    }
}

fn plural(phrase: &str) -> String {
    match phrase {
        "a string" => "strings".into(),
        "an integer" => "integers".into(),
        "a number" => "numbers".into(),
        "an object" => "objects".into(),
        other => other.to_string(),
    }
}

fn string(description: &'static str) -> Shape {
    Shape::new(Kind::String { min_len: 0, max_len: usize::MAX, one_of: &[], pattern: None }, description)
}
fn one_of(values: &'static [&'static str], description: &'static str) -> Shape {
    Shape::new(Kind::String { min_len: 0, max_len: usize::MAX, one_of: values, pattern: None }, description)
}
fn integer(min: i64, max: i64, description: &'static str) -> Shape {
    Shape::new(Kind::Integer { min, max }, description)
}
fn number(min: f64, max: f64, description: &'static str) -> Shape {
    Shape::new(Kind::Number { min, max }, description)
}
fn boolean(description: &'static str) -> Shape {
    Shape::new(Kind::Bool, description)
}
fn array(items: Shape, min_items: usize, max_items: usize, description: &'static str) -> Shape {
    Shape::new(Kind::Array { items: Box::new(items), min_items, max_items, unique: true }, description)
}
fn object(fields: Vec<Field>, description: &'static str) -> Shape {
    Shape::new(Kind::Object { fields }, description)
}
fn map(
    key_pattern: &'static str,
    key_hint: &'static str,
    values: Shape,
    max_entries: usize,
    description: &'static str,
) -> Shape {
    Shape::new(Kind::Map { key_pattern, key_hint, values: Box::new(values), max_entries }, description)
}
fn either(alternatives: Vec<Shape>, description: &'static str) -> Shape {
    Shape::new(Kind::Either(alternatives), description)
}
fn opt(name: &'static str, shape: Shape) -> Field {
    Field { name, shape, required: false }
}
fn req(name: &'static str, shape: Shape) -> Field {
    Field { name, shape, required: true }
}

/// Pattern of environment names (they become parts of resource names and HCL labels).
/// `name_prefix`: lowercase letters, digits and hyphens, a letter first, at most 20 characters, so
/// that every name built from it stays within AWS's limits (aws-facts.md §4.1, §5.1).
pub const NAME_PREFIX_PATTERN: &str = "^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$";
pub const ENV_NAME_PATTERN: &str = "^[a-z][a-z0-9-]{0,30}[a-z0-9]$";
/// Pattern of model names (they become S3 prefixes and parts of SageMaker names).
pub const MODEL_NAME_PATTERN: &str = "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$";
/// Pattern of data-contract column names: printable, no quote, comma or backslash (they appear in
/// CSV header rows and reports).
pub const COLUMN_NAME_PATTERN: &str = "^[^\\x00-\\x1f\",\\\\]{1,64}$";
/// Cell values that mean "missing" unless the contract says otherwise.
pub const DEFAULT_MISSING_VALUES: &[&str] = &["", "?", "NA", "NaN", "nan"];

/// CloudWatch Logs retention values the API accepts (aws-facts.md §9).
pub const LOG_RETENTION_DAYS: &[i64] =
    &[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

fn emails(description: &'static str) -> Shape {
    either(
        vec![string("One e-mail address."), array(string("An e-mail address."), 0, 100, "E-mail addresses.")],
        description,
    )
}

fn bucket_ref(description: &'static str) -> Shape {
    either(
        vec![
            string("Name of an existing bucket; mlopsgen references it and creates nothing.").len(1, 255),
            object(
                vec![
                    req("name", string("Bucket name (S3 general purpose naming rules).").len(1, 255)),
                    opt(
                        "create",
                        boolean("Create the bucket (true) or reference an existing one (false).").default(json!(true)),
                    ),
                ],
                "A bucket to create (or, with \"create\": false, to reference).",
            ),
        ],
        description,
    )
}

fn role_ref(description: &'static str, default_name: &'static str) -> Shape {
    either(
        vec![
            string("ARN of an existing IAM role; mlopsgen attaches its least-privilege policies to it."),
            object(
                vec![
                    opt("name", string("Role name.").len(1, 64).default(json!(default_name))),
                    opt("path", string("Role path, \"/\" or \"/a/b/\".").default(json!("/"))),
                    opt(
                        "create",
                        boolean("Create the role (true); false means it exists already under this name.")
                            .default(json!(true)),
                    ),
                ],
                "A role to create.",
            ),
        ],
        description,
    )
}

fn kms_ref() -> Shape {
    either(
        vec![
            string("ARN of an existing customer managed KMS key (the seed's form)."),
            object(
                vec![
                    opt("create", boolean("Create the key (must be true; give an ARN string to use an existing key).").default(json!(true))),
                    opt("alias", string("Alias of the new key; must start with alias/ and not alias/aws/.").len(7, 256).default(json!("alias/<name_prefix>-<env_group>"))),
                    opt("description", string("Key description.").len(0, 8192)),
                    opt("shared_with", array(string("An environment name."), 0, 50,
                        "Environments (by env_group) whose accounts may use the key, e.g. prod reading model artifacts written in dev.").default(json!([]))),
                    opt("deletion_window_in_days", integer(7, 30, "Waiting period before a deleted key is destroyed.").default(json!(30))),
                    opt("rotation_period_in_days", integer(90, 2560, "Automatic rotation period.").default(json!(365))),
                ],
                "A customer managed key to create, with rotation and a least-privilege key policy.",
            ),
        ],
        "The environment's KMS key: an existing key's ARN, or an object asking mlopsgen to create one.",
    )
}

fn instance_type(description: &'static str) -> Shape {
    string(description).pattern("^ml\\.[a-z0-9]+\\.[a-z0-9]+$").default(json!("ml.m5.xlarge"))
}

/// The XGBoost hyperparameters: one key per hyperparameter (and alias) of the container's table
/// (`xgboost::table`) but those the platform decides (`xgboost::REFUSED`), typed as the
/// container parses them. Numbers take any value here and their range is a hint for editors:
/// `validate::env` checks it with the container's open and closed ends and proposes a value.
fn hyperparameters() -> Shape {
    let t = xgboost::table();
    let mut fields: Vec<Field> = Vec::new();
    let mut add = |name: &'static str, entry: &'static xgboost::Entry| {
        if xgboost::REFUSED.iter().any(|(r, _)| *r == entry.name) {
            return;
        }
        fields.push(opt(name, hyperparameter(name, entry)));
    };
    for e in &t.entries {
        add(e.name, e);
        for alias in &e.aliases {
            add(alias, e);
        }
    }
    fields.sort_by_key(|f| f.name);
    object(
        fields,
        "XGBoost hyperparameters of the training step: every one the SageMaker XGBoost container (1.7-1, 3.2-0) validates, with its range. The platform sets num_class (from the label's classes); the objective must fit the problem type; eval_metric defaults to the problem type's.",
    )
}

/// How the model is trained and served.
fn training() -> Shape {
    object(
        vec![
            opt(
                "algorithm",
                one_of(
                    &["xgboost", "script", "image"],
                    "xgboost: SageMaker's built-in XGBoost (hyperparameters, train_pipeline.xgboost_version); script: the team's own training script (entry_point) on the SageMaker scikit-learn framework image, served by the platform's serving module; image: a custom image (image_uri) for training and serving.",
                )
                .default(json!("xgboost")),
            ),
            opt(
                "entry_point",
                string("script: the training script, relative to the repository root, e.g. \"training/train.py\". Its directory is shipped with it (with its requirements.txt, installed by the image), content-addressed.")
                    .len(4, 256),
            ),
            opt(
                "framework_version",
                string("script: the SageMaker scikit-learn framework image version.").default(json!("1.2-1")),
            ),
            opt(
                "image_uri",
                string("image: the ECR image for training and serving, <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag> or @sha256:<digest>.")
                    .len(1, 255),
            ),
            opt(
                "hyperparameters",
                map(
                    "^[A-Za-z0-9_.-]{1,256}$",
                    "a hyperparameter name",
                    either(
                        vec![
                            number(-1e15, 1e15, "A number."),
                            string("A string.").len(0, 2500),
                            boolean("A flag."),
                        ],
                        "The value, passed as the framework passes it (script: --name value).",
                    ),
                    100,
                    "script and image: the training job's hyperparameters.",
                ),
            ),
        ],
        "How the model is trained and served: SageMaker's built-in XGBoost (default), the team's own script (script mode), or a custom image.",
    )
}

/// One hyperparameter's shape.
fn hyperparameter(name: &'static str, e: &'static xgboost::Entry) -> Shape {
    static DESCRIPTIONS: OnceLock<std::collections::BTreeMap<&'static str, String>> = OnceLock::new();
    let descriptions = DESCRIPTIONS.get_or_init(|| {
        let t = xgboost::table();
        let mut out = std::collections::BTreeMap::new();
        for e in &t.entries {
            let names = std::iter::once(e.name).chain(e.aliases.iter().copied());
            for n in names {
                let mut d = hyperparameter_summary(e.name).to_string();
                if n != e.name {
                    d = format!("Alias of {} (give one of them). {d}", e.name);
                }
                match (&e.range, e.kind) {
                    (Some(r), xgboost::HpType::NestedList) => d.push_str(&format!(
                        " A string as the container parses it (a list of lists of feature indices in {}).",
                        r.text
                    )),
                    (Some(r), _) => d.push_str(&format!(" Range {}.", r.text)),
                    (None, xgboost::HpType::CommaSeparatedList) => {
                        d.push_str(" Comma-separated, each one of the listed values.")
                    }
                    (None, xgboost::HpType::Tuple) => d.push_str(
                        " A string as the container parses it, e.g. \"(1,0,-1)\": one of -1, 0, 1 per feature.",
                    ),
                    _ => {}
                }
                out.insert(n, d);
            }
        }
        out
    });
    let description: &'static str = descriptions.get(name).map(String::as_str).unwrap_or("");
    let mut shape = match e.kind {
        xgboost::HpType::Integer => integer(i64::MIN, i64::MAX, description),
        xgboost::HpType::Continuous => number(f64::MIN, f64::MAX, description),
        xgboost::HpType::Categorical if e.is_boolean() => boolean(description),
        xgboost::HpType::Categorical => one_of(&e.strings, description),
        xgboost::HpType::CommaSeparatedList | xgboost::HpType::NestedList | xgboost::HpType::Tuple => {
            string(description).len(1, usize::MAX)
        }
    };
    if let (Some(r), xgboost::HpType::Integer | xgboost::HpType::Continuous) = (&e.range, e.kind) {
        let bound = |v: Option<f64>| match v {
            Some(v) if e.kind == xgboost::HpType::Integer => json!(v as i64),
            Some(v) => json!(v),
            None => Json::Null,
        };
        shape.hints = vec![
            ("minimum", bound(r.min_closed)),
            ("maximum", bound(r.max_closed)),
            ("exclusiveMinimum", bound(r.min_open)),
            ("exclusiveMaximum", bound(r.max_open)),
        ];
    }
    // The defaults the blog post's training step used, which the platform keeps.
    let default = match e.name {
        "num_round" => Some(json!(50)),
        "max_depth" => Some(json!(5)),
        "eta" => Some(json!(0.2)),
        "gamma" => Some(json!(4)),
        "min_child_weight" => Some(json!(6)),
        "subsample" => Some(json!(0.8)),
        _ => None,
    };
    match default {
        Some(d) if name == e.name => shape.default(d),
        _ => shape,
    }
}

/// What a hyperparameter does, in a phrase (the container's documentation, shortened).
fn hyperparameter_summary(name: &str) -> &'static str {
    match name {
        "num_round" => "Boosting rounds.",
        "early_stopping_rounds" => "Stop when the validation metric has not improved for this many rounds.",
        "booster" => "Booster.",
        "verbosity" => "Verbosity of printed messages.",
        "nthread" => "Parallel threads (default: all).",
        "eta" => "Learning rate: step size shrinkage.",
        "gamma" => "Minimum loss reduction to split a leaf.",
        "max_depth" => "Maximum tree depth (0: no limit, with grow_policy lossguide).",
        "min_child_weight" => "Minimum sum of instance weight in a child.",
        "max_delta_step" => "Maximum delta step of each leaf output (0: no constraint).",
        "subsample" => "Row subsample ratio of each tree.",
        "colsample_bytree" => "Column subsample ratio of each tree.",
        "colsample_bylevel" => "Column subsample ratio of each level.",
        "colsample_bynode" => "Column subsample ratio of each split.",
        "lambda" => "L2 regularization of weights.",
        "alpha" => "L1 regularization of weights.",
        "tree_method" => "Tree construction algorithm.",
        "sketch_eps" => "Approximate algorithm: the number of bins is about 1 / sketch_eps.",
        "scale_pos_weight" => "Balance of positive and negative weights (binary).",
        "updater" => "Tree updaters to run, in order (gblinear: exactly one of shotgun, coord_descent).",
        "dsplit" => "Data split mode of distributed training.",
        "refresh_leaf" => "With the refresh updater: 1 updates leaf and node statistics, 0 node statistics only.",
        "process_type" => "default builds new trees; update updates existing ones (updater refresh, prune).",
        "grow_policy" => "How new nodes are added (lossguide with tree_method hist).",
        "max_leaves" => "Maximum leaves (with grow_policy lossguide).",
        "max_bin" => "Maximum bins of continuous features (tree_method hist).",
        "predictor" => "Predictor algorithm.",
        "monotone_constraints" => "Monotonicity constraint per feature (needs tree_method exact or hist).",
        "interaction_constraints" => "Feature interactions allowed (needs tree_method exact, hist or approx).",
        "sample_type" => "Dart booster: sampling algorithm.",
        "normalize_type" => "Dart booster: normalization algorithm.",
        "rate_drop" => "Dart booster: dropout rate.",
        "one_drop" => "Dart booster: 1 always drops at least one tree.",
        "skip_drop" => "Dart booster: probability of skipping dropout in a round.",
        "lambda_bias" => "L2 regularization of the bias (gblinear).",
        "tweedie_variance_power" => "Variance of the Tweedie distribution (objective reg:tweedie).",
        "objective" => {
            "XGBoost learning objective; it must fit the problem type: binary:logistic (binary), multi:softprob (multiclass, with num_class from the label's classes), reg:squarederror, reg:absoluteerror, reg:pseudohubererror, reg:tweedie, reg:gamma or count:poisson (regression). Default: the first."
        }
        "base_score" => "Initial prediction score of all instances.",
        "eval_metric" => {
            "Validation metrics XGBoost logs. Default from problem_type: auc (binary), mlogloss (multiclass), rmse (regression); auc only with a binary objective."
        }
        "seed" => "Random number seed.",
        "num_parallel_tree" => "Trees built in parallel per round (boosted random forests).",
        "save_model_on_termination" => "Save the model when the job is stopped.",
        "aft_loss_distribution" => "Distribution of the survival:aft objective.",
        "aft_loss_distribution_scale" => "Scale of the survival:aft distribution.",
        "deterministic_histogram" => "Build histograms deterministically on GPU.",
        "sampling_method" => "Row sampling method (gradient_based with tree_method gpu_hist).",
        "prob_buffer_row" => "Buffer rows of the GPU external-memory mode.",
        "use_dask_gpu_training" => "Distributed GPU training with Dask.",
        _ => "An XGBoost hyperparameter.",
    }
}

/// Every metric name, for the gate's `metric` (a test keeps it equal to `model::Metric::ALL`).
pub const METRIC_NAMES: &[&str] =
    &["auc", "accuracy", "precision", "recall", "f1", "macro_f1", "weighted_f1", "log_loss", "rmse", "mae", "r2"];

/// The registration gate: one metric of the problem type and its limit.
fn gate() -> Shape {
    object(
        vec![
            req(
                "metric",
                one_of(
                    METRIC_NAMES,
                    "A metric of the model's problem type on the held-out test split. binary: auc, accuracy, precision, recall, f1; multiclass: accuracy, macro_f1, weighted_f1, log_loss; regression: rmse, mae, r2.",
                ),
            ),
            opt(
                "min",
                number(
                    -1e15,
                    1e15,
                    "Lowest value to register (metrics where higher is better: auc, accuracy, precision, recall, f1, macro_f1, weighted_f1, r2).",
                ),
            ),
            opt("max", number(0.0, 1e15, "Highest value to register (errors and losses: log_loss, rmse, mae).")),
        ],
        "The registration gate: a model is registered only when its test-split metric meets this limit. Default: auc >= 0.75 (binary), accuracy >= 0.5 (multiclass), r2 >= 0 (regression).",
    )
}

fn train_pipeline() -> Shape {
    object(
        vec![
            opt("name", string("Train pipeline name.").len(1, 256)),
            opt("arn", string("The pipeline's ARN (informational; must match name, region and account).")),
            opt("role_arn", string("ARN of an existing SageMaker execution role the pipeline runs with.")),
            opt(
                "processing_instance_type",
                instance_type("Instance type of preprocessing, evaluation and baseline jobs."),
            ),
            opt("processing_instance_count", integer(1, 100, "Instance count of processing jobs.").default(json!(1))),
            opt("training_instance_type", instance_type("Instance type of the XGBoost training job.")),
            opt("training_instance_count", integer(1, 100, "Instance count of the training job.").default(json!(1))),
            opt(
                "training_volume_size_in_gb",
                integer(1, 16384, "Encrypted EBS volume of the training instances.").default(json!(30)),
            ),
            opt(
                "max_runtime_in_seconds",
                integer(60, 2_419_200, "Stop the training job after this long.").default(json!(86400)),
            ),
            opt(
                "auc_threshold",
                number(0.0, 1.0, "Binary models: minimum test-split AUC for a model to be registered (the same as \"gate\": {\"metric\": \"auc\", \"min\": ...}).")
                    .default(json!(0.75)),
            ),
            opt("gate", gate()),
            opt("hyperparameters", hyperparameters()),
            opt("xgboost_version", string("Version of the SageMaker XGBoost image.").default(json!("1.7-1"))),
            opt(
                "sklearn_version",
                string("Version of the SageMaker scikit-learn image for processing.").default(json!("1.2-1")),
            ),
            opt(
                "input_data_prefix",
                string("S3 prefix (in default_bucket) of the training data.")
                    .default(json!("<model>/data/train-dataset/")),
            ),
        ],
        "The train pipeline: preprocess, train XGBoost, evaluate on the test split, gate, baseline and register.",
    )
}

fn inference_pipeline() -> Shape {
    object(
        vec![
            opt("name", string("Inference pipeline name.").len(1, 256)),
            opt("arn", string("The pipeline's ARN (informational; must match name, region and account).")),
            opt("role_arn", string("ARN of an existing SageMaker execution role the pipeline runs with.")),
            opt(
                "cron_schedule",
                string(
                    "Schedule of the batch inference run (EventBridge Scheduler): cron(...) with six fields or rate(...), in schedule_timezone.",
                )
                .default(json!("cron(0 23 * * ? *)")),
            ),
            opt("schedule_enabled", boolean("Whether the schedule is enabled.").default(json!(true))),
            opt("transform_instance_type", instance_type("Instance type of the batch transform job.")),
            opt(
                "transform_instance_count",
                integer(1, 100, "Instance count of the batch transform job.").default(json!(1)),
            ),
            opt("monitoring_instance_type", instance_type("Instance type of batch preparation, the drift check and the model-quality check.")),
            opt(
                "schedule_timezone",
                string("IANA time zone of cron_schedule, e.g. Europe/Berlin (EventBridge Scheduler).").len(1, 50).default(json!("UTC")),
            ),
            opt(
                "schedule_window_in_minutes",
                integer(0, 1440, "Flexible time window of the schedule: 0 runs at the exact time, N lets the scheduler start within N minutes.")
                    .default(json!(0)),
            ),
        ],
        "The inference pipeline: latest approved model, batch preparation, drift check, batch transform.",
    )
}

/// The columns of the blog post's model (the UCI mammographic mass data, in the order of its
/// files). BI-RADS is the radiologist's assessment, which the UCI description calls
/// non-predictive: the files carry it, the model does not read it.
pub fn default_columns() -> Json {
    json!([
        { "name": "BIRADS", "type": "numeric", "role": "ignore",
          "description": "BI-RADS assessment 1-5 (the radiologist's reading; non-predictive per the UCI description)" },
        { "name": "Age", "type": "numeric", "min": 0, "max": 120, "description": "Patient's age in years" },
        { "name": "Shape", "type": "categorical", "categories": [1, 2, 3, 4],
          "description": "Mass shape: round=1 oval=2 lobular=3 irregular=4" },
        { "name": "Margin", "type": "categorical", "categories": [1, 2, 3, 4, 5],
          "description": "Mass margin: circumscribed=1 microlobulated=2 obscured=3 ill-defined=4 spiculated=5" },
        { "name": "Density", "type": "categorical", "categories": [1, 2, 3, 4],
          "description": "Mass density: high=1 iso=2 low=3 fat-containing=4" },
        { "name": "Severity", "type": "categorical", "role": "label", "categories": [0, 1], "positive": 1,
          "description": "benign=0, malignant=1" }
    ])
}

/// A category of a categorical column: a number (a code, as the UCI files write them) or a string.
fn category(description: &'static str) -> Shape {
    either(vec![number(-1e15, 1e15, "A numeric category code."), string("A category name.").len(1, 64)], description)
}

fn column() -> Shape {
    object(
        vec![
            req(
                "name",
                string("Column name, as a header row would write it (matched case-insensitively).")
                    .len(1, 64)
                    .pattern(COLUMN_NAME_PATTERN),
            ),
            opt(
                "type",
                one_of(&["numeric", "categorical"], "numeric (any number, optionally within min..max) or categorical (one of categories).")
                    .default(json!("numeric")),
            ),
            opt(
                "role",
                one_of(
                    &["feature", "label", "id", "ignore"],
                    "feature: the model reads it; label: what the model predicts (training and ground-truth files only); id: identifies a record (kept through scoring); ignore: present in the files, not used.",
                )
                .default(json!("feature")),
            ),
            opt("min", number(-1e15, 1e15, "Smallest allowed value (numeric columns).")),
            opt("max", number(-1e15, 1e15, "Largest allowed value (numeric columns).")),
            opt("categories", array(category("An allowed value."), 1, 1000, "Allowed values (categorical columns).")),
            opt("positive", category("The label's positive class (label column), e.g. 1 for malignant.")),
            opt("description", string("What the column holds (shown in reports).").len(0, 256)),
        ],
        "One column of the raw files, in file order.",
    )
}

/// The data contract of a model: which columns its raw files have and how they are written.
fn data_contract() -> Shape {
    object(
        vec![
            opt(
                "header",
                one_of(
                    &["auto", "present", "absent"],
                    "Whether raw files start with a header row. auto: a first row that names the columns (their names, or their positions 0, 1, ... as pandas writes a frame read without header) is a header.",
                )
                .default(json!("auto")),
            ),
            opt(
                "missing_values",
                array(string("A marker, e.g. \"?\".").len(0, 16), 0, 20, "Cell values that mean \"missing\" (an empty cell is one when listed).")
                    .default(json!(DEFAULT_MISSING_VALUES)),
            ),
            opt(
                "columns",
                array(column(), 2, 500, "Every column of a raw training file, in order. Batch files have the same columns without the label; ground-truth files have the record id and the label.")
                    .default(default_columns()),
            ),
        ],
        "The data contract: the columns of the model's raw files, their types and allowed values, the label and its positive class, the record id, header and missing-value markers. Preprocessing, baseline, batch preparation, drift check, transform and model-quality check are all generated from it.",
    )
}

fn monitoring() -> Shape {
    object(
        vec![
            opt(
                "engine",
                one_of(
                    &["builtin", "model-monitor"],
                    "builtin: drift statistics (scipy) in a Processing step of the scikit-learn image, open to every account; model-monitor: SageMaker Model Monitor's QualityCheck steps (closed to new AWS customers).",
                )
                .default(json!("builtin")),
            ),
            opt(
                "drift",
                object(
                    vec![
                        opt(
                            "false_discovery_rate",
                            number(0.0001, 0.5, "The Benjamini-Hochberg false discovery rate over every test of the drift check (per feature: Kolmogorov-Smirnov or chi-squared homogeneity, Fisher on missing values; and the joint classifier test). The batch drifts when any test is rejected at this rate.")
                                .default(json!(0.05)),
                        ),
                        opt(
                            "min_psi",
                            number(0.0, 100.0, "Optional extra gate, off by default: a feature's significant distribution shift counts as drift only when its population stability index also reaches this (the report shows every PSI beside its chance level)."),
                        ),
                        opt(
                            "joint_test",
                            boolean("Also test the features jointly (a classifier two-sample test between the baseline's reference records and the batch), which sees shifts in how features relate that no per-feature test sees.")
                                .default(json!(true)),
                        ),
                    ],
                    "The drift check (builtin engine): two-sample tests against the model version's baseline, with false-discovery control.",
                ),
            ),
            opt(
                "model_quality",
                object(
                    vec![
                        opt("enabled", boolean("Generate the model-quality pipeline that scores predictions against ground truth.").default(json!(true))),
                        opt("min_auc", number(0.0, 1.0, "Binary: lowest acceptable AUC of a scored batch (default 0.7 when no limit is set).")),
                        opt("min_accuracy", number(0.0, 1.0, "Binary and multiclass: lowest acceptable accuracy (binary at a 0.5 threshold; default 0.7 for binary, 0.5 for multiclass when no limit is set).")),
                        opt("min_precision", number(0.0, 1.0, "Binary: lowest acceptable precision.")),
                        opt("min_recall", number(0.0, 1.0, "Binary: lowest acceptable recall.")),
                        opt("min_f1", number(0.0, 1.0, "Binary: lowest acceptable F1 score.")),
                        opt("min_macro_f1", number(0.0, 1.0, "Multiclass: lowest acceptable macro-averaged F1.")),
                        opt("min_weighted_f1", number(0.0, 1.0, "Multiclass: lowest acceptable support-weighted F1.")),
                        opt("max_log_loss", number(0.0, 1e15, "Multiclass: highest acceptable log-loss.")),
                        opt("max_rmse", number(0.0, 1e15, "Regression: highest acceptable root mean squared error.")),
                        opt("max_mae", number(0.0, 1e15, "Regression: highest acceptable mean absolute error.")),
                        opt("min_r2", number(-1e15, 1.0, "Regression: lowest acceptable R² (default 0: better than the mean, when no limit is set).")),
                        opt(
                            "labels_prefix",
                            string("S3 prefix (in default_bucket) where ground-truth files arrive, one folder per scored batch: <prefix><inference-execution-id>/<file>.csv.")
                                .default(json!("<model>/ground-truth/")),
                        ),
                        opt(
                            "retrain_on_low_quality",
                            boolean("Start the train pipeline when a scored batch falls below a threshold (else only notify).").default(json!(false)),
                        ),
                    ],
                    "Model-quality monitoring against ground truth that arrives after scoring.",
                ),
            ),
        ],
        "How the model is monitored: data drift before each batch is scored, model quality when its labels arrive.",
    )
}

/// Keys shared by the single-model (seed) form at the top level and each entry of `models`.
fn model_fields() -> Vec<Field> {
    vec![
        opt(
            "model_package_group_name",
            string(
                "The registry's model package group: its ARN (seed form), \"<registry-env>:<group>\", or a group name of the registry environment.",
            ),
        ),
        opt("train_pipeline_name", string("Train pipeline name (same as train_pipeline.name).").len(1, 256)),
        opt(
            "inference_pipeline_name",
            string("Inference pipeline name (same as inference_pipeline.name).").len(1, 256),
        ),
        opt(
            "batch_dataset_filename",
            string("Base name (no extension) of the CSV file the inference pipeline scores.")
                .default(json!("batch-dataset")),
        ),
        opt("train_pipeline", train_pipeline()),
        opt("inference_pipeline", inference_pipeline()),
        opt(
            "retrain_on_drift",
            boolean("Start the train pipeline when the inference pipeline's drift check finds drift.")
                .default(json!(true)),
        ),
        opt(
            "problem_type",
            one_of(
                &["binary", "multiclass", "regression"],
                "What the label is: binary (two classes, the model scores the positive one), multiclass (three or more classes, numbers or names), regression (a number). Default: from the data contract's label (two categories: binary; more: multiclass; numeric: regression).",
            ),
        ),
        opt("data_contract", data_contract()),
        opt("training", training()),
        opt("monitoring", monitoring()),
    ]
}

fn model_entry() -> Shape {
    let mut fields = model_fields();
    if let Some(group) = fields.first_mut() {
        group.required = true;
    }
    object(fields, "One model hosted by this environment.")
}

fn deploy() -> Shape {
    object(
        vec![
            req("jenkins_account_id", string("Account id of the Jenkins server.").pattern("^[0-9]{12}$")),
            opt(
                "jenkins_role_name",
                string("Name of the Jenkins server's own IAM role (in the Jenkins account).")
                    .len(1, 64)
                    .default(json!("jenkins-server-role")),
            ),
            opt(
                "role_name",
                string("Name of the role Jenkins assumes in this account to apply Terraform.")
                    .len(1, 64)
                    .default(json!("cross-account-jenkins-role")),
            ),
            opt("external_id", string("External id Jenkins must present when assuming the role.").len(2, 1224)),
            opt(
                "jenkins_plan_role_name",
                string("Name of the Jenkins role that plans pull requests (it may assume only the read-only plan role); default: jenkins_role_name.")
                    .len(1, 64),
            ),
            opt(
                "approval_required",
                boolean("Jenkins waits for a person to approve the archived plan before applying it.").default(json!(true)),
            ),
            opt(
                "jenkins_submitter",
                string("Jenkins users or groups (comma-separated) who may approve the apply (the input step's submitter); default: anyone who may build the job.")
                    .len(1, 512),
            ),
            opt(
                "branch",
                string("The only branch Jenkins applies this environment from (multibranch jobs; pull requests only plan).")
                    .len(1, 255)
                    .default(json!("main")),
            ),
            opt(
                "log_group",
                object(
                    vec![
                        opt("name", string("Log group name.").len(1, 512).default(json!("jenkins-log"))),
                        opt(
                            "retention_in_days",
                            integer(1, 3653, "Retention; one of CloudWatch Logs' allowed values.").default(json!(365)),
                        ),
                    ],
                    "A KMS-encrypted CloudWatch log group for Jenkins, created in this account.",
                ),
            ),
        ],
        "How Jenkins deploys this environment: the cross-account role it assumes.",
    )
}

fn top_level() -> Shape {
    let mut fields = vec![
        opt("$schema", string("Path or URL of the JSON Schema (for editors; ignored by mlopsgen).")),
        req(
            "env_group",
            string("Environment name; must equal the file name (prod for prod.tfvars.json).").pattern(ENV_NAME_PATTERN),
        ),
        opt(
            "kind",
            one_of(
                &["workload", "registry"],
                "workload trains and runs inference; registry holds the central Model Registry. Default: registry when env_group is \"registry\", else workload.",
            ),
        ),
        opt(
            "account_id",
            string("The environment's AWS account id (12 digits). Default: taken from the ARNs in the file.")
                .pattern("^[0-9]{12}$"),
        ),
        req("aws_region", string("AWS region of the environment, e.g. us-east-1.")),
        opt(
            "name_prefix",
            string("Starts every name mlopsgen gives a resource itself (not the names written in this file): the access-log bucket, the Lambdas, the roles, the dead-letter queue, the state key's alias, and the defaults of the key alias, buckets, alert topic and approver role.")
                .pattern(NAME_PREFIX_PATTERN)
                .default(json!("mlops")),
        ),
        opt(
            "tags",
            map(
                "^.{1,128}$",
                "a tag key",
                string("Tag value.").len(0, 256),
                40,
                "Tags on every resource (provider default_tags).",
            ),
        ),
        opt(
            "event_bus_name",
            string("Event bus of the pipeline rules (schedules always use the default bus).").default(json!("default")),
        ),
        opt(
            "pipelines_alert_topic_name",
            string("SNS topic that pipeline failures notify.").default(json!("<name_prefix>-pipeline-alerts")),
        ),
        opt("email", emails("Subscribers (e-mail) of the alert topic.")),
        opt("kms_key", kms_ref()),
        opt(
            "lambda_role",
            role_ref("Role of the Lambda that finds the latest approved model.", "lambda-sagemaker-role"),
        ),
        opt(
            "sagemaker_execution_role",
            role_ref("Role the SageMaker pipelines and their jobs run with.", "sagemaker-execution-role"),
        ),
        opt("default_bucket", bucket_ref("Bucket for datasets, pipeline code and job outputs in this account.")),
        opt("model_artifacts_bucket", bucket_ref("The model artifacts bucket in the registry account.")),
        opt(
            "terraform_state_bucket",
            bucket_ref("Bucket holding this environment's Terraform state (created by bootstrap/)."),
        ),
        opt("model_name", string("Name of the model (single-model form; use models for several).")),
    ];
    fields.extend(model_fields());
    fields.extend([
        opt(
            "network",
            object(
                vec![
                    opt(
                        "isolation",
                        boolean("Jobs run with EnableNetworkIsolation (no outbound calls from the containers; SageMaker still stages inputs and outputs) and encrypted traffic between instances.")
                            .default(json!(true)),
                    ),
                    opt(
                        "subnet_ids",
                        array(string("A private subnet id, e.g. subnet-0a1b2c3d4e5f67890.").pattern("^subnet-[0-9a-f]{8,17}$"), 1, 16, "Private subnets the jobs run in (VpcConfig); with security_group_ids."),
                    ),
                    opt(
                        "security_group_ids",
                        array(string("A security group id, e.g. sg-0a1b2c3d4e5f67890.").pattern("^sg-[0-9a-f]{8,17}$"), 1, 5, "Security groups of the jobs (VpcConfig); with subnet_ids."),
                    ),
                ],
                "Network of the SageMaker jobs (workload environments).",
            ),
        ),
        opt(
            "job_logs",
            object(
                vec![
                    opt(
                        "log_groups",
                        one_of(
                            &["create", "import", "unmanaged"],
                            "create: mlopsgen creates /aws/sagemaker/{ProcessingJobs,TrainingJobs,TransformJobs} encrypted with the environment's key and expiring (the apply fails if they exist); import: they exist (an account that ran SageMaker jobs before) and Terraform adopts them; unmanaged: SageMaker creates them on first use (no key, never expire).",
                        )
                        .default(json!("create")),
                    ),
                    opt(
                        "retention_in_days",
                        integer(1, 3653, "Retention of the job logs; one of CloudWatch Logs' allowed values.").default(json!(365)),
                    ),
                ],
                "The account's SageMaker job log groups (workload environments).",
            ),
        ),
        opt(
            "models",
            map(
                MODEL_NAME_PATTERN,
                "a model name",
                model_entry(),
                50,
                "Models hosted by this workload environment, by name.",
            ),
        ),
        opt(
            "model_package_groups",
            map(
                MODEL_NAME_PATTERN,
                "a model package group name",
                object(
                    vec![
                        opt("description", string("Group description.").len(0, 1024)),
                        req(
                            "consumers",
                            array(
                                string("An environment name."),
                                1,
                                50,
                                "Workload environments that may register and read versions of this group.",
                            ),
                        ),
                    ],
                    "A model package group in the central registry.",
                ),
                1000,
                "Model package groups of the registry environment, by name.",
            ),
        ),
        opt(
            "approvals",
            object(
                vec![
                    opt(
                        "topic_name",
                        string("SNS topic notified when a model version waits for approval.")
                            .default(json!("model-approval-notification")),
                    ),
                    opt("email", emails("Approvers' e-mail addresses.")),
                    opt(
                        "approvers",
                        array(
                            string("ARN of an IAM role or user, e.g. an IAM Identity Center permission set's role.").len(20, 2048),
                            0,
                            50,
                            "Who may assume the approver role (default: the registry account, whose IAM then decides). Only that role may approve or reject a version.",
                        )
                        .default(json!([])),
                    ),
                    opt(
                        "require_mfa",
                        boolean("Assuming the approver role needs multi-factor authentication (aws:MultiFactorAuthPresent).").default(json!(true)),
                    ),
                    opt(
                        "role_name",
                        string("Name of the approver role in the registry account.").len(1, 64).default(json!("<name_prefix>-model-approver")),
                    ),
                ],
                "Model approval (registry environment): who approves, and who is told.",
            ),
        ),
        opt("deploy", deploy()),
    ]);
    object(fields, "One mlopsgen environment: an AWS account in one region.")
}

/// The shape of a whole config file.
pub fn env_file() -> &'static Shape {
    static SHAPE: OnceLock<Shape> = OnceLock::new();
    SHAPE.get_or_init(top_level)
}

/// A model file, `models/<model>.json`: what a model is, declared once for every environment
/// that runs it (the environments keep where and how often it runs).
fn model_file() -> Shape {
    object(
        vec![
            opt("$schema", string("Path or URL of the JSON Schema (for editors; ignored by mlopsgen).")),
            opt("description", string("What the model is for (shown in reports).").len(0, 1024)),
            opt(
                "problem_type",
                one_of(
                    &["binary", "multiclass", "regression"],
                    "What the label is: binary (two classes, the model scores the positive one), multiclass (three or more classes, numbers or names), regression (a number). Default: from the data contract's label.",
                ),
            ),
            req("data_contract", data_contract()),
            opt("training", training()),
            opt("gate", gate()),
            opt("hyperparameters", hyperparameters()),
            opt("monitoring", monitoring()),
        ],
        "A model, declared once: its data contract, problem type, registration gate, XGBoost hyperparameters and monitoring. Every environment whose `models` (or seed-form `model_name`) names it runs this model; an environment may still set its own train_pipeline.gate or auc_threshold (e.g. a lower bar in dev).",
    )
}

/// The shape of a model file, built once.
pub fn model_file_shape() -> &'static Shape {
    static SHAPE: OnceLock<Shape> = OnceLock::new();
    SHAPE.get_or_init(model_file)
}

/// The JSON Schema (draft 2020-12) of a config file.
pub fn json_schema() -> Json {
    schema_of(env_file(), "env.schema.json", "mlopsgen environment")
}

/// The JSON Schema (draft 2020-12) of a model file (`models/<model>.json`).
pub fn model_json_schema() -> Json {
    schema_of(model_file_shape(), "model.schema.json", "mlopsgen model")
}

fn schema_of(shape: &Shape, id: &str, title: &str) -> Json {
    let mut schema = to_schema(shape);
    if let Json::Object(map) = &mut schema {
        let mut head = serde_json::Map::new();
        head.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
        head.insert("$id".into(), json!(format!("https://mlopsgen.dev/schema/{id}")));
        head.insert("title".into(), json!(title));
        head.extend(std::mem::take(map));
        *map = head;
    }
    schema
}

fn to_schema(shape: &Shape) -> Json {
    let mut s = serde_json::Map::new();
    if !shape.description.is_empty() {
        s.insert("description".into(), json!(shape.description));
    }
    match &shape.kind {
        Kind::String { min_len, max_len, one_of, pattern } => {
            s.insert("type".into(), json!("string"));
            if *min_len > 0 {
                s.insert("minLength".into(), json!(min_len));
            }
            if *max_len != usize::MAX {
                s.insert("maxLength".into(), json!(max_len));
            }
            if !one_of.is_empty() {
                s.insert("enum".into(), json!(one_of));
            }
            if let Some(p) = pattern {
                s.insert("pattern".into(), json!(p));
            }
        }
        Kind::Integer { min, max } => {
            s.insert("type".into(), json!("integer"));
            s.insert("minimum".into(), json!(min));
            s.insert("maximum".into(), json!(max));
        }
        Kind::Number { min, max } => {
            s.insert("type".into(), json!("number"));
            s.insert("minimum".into(), json!(min));
            s.insert("maximum".into(), json!(max));
        }
        Kind::Bool => {
            s.insert("type".into(), json!("boolean"));
        }
        Kind::Array { items, min_items, max_items, unique } => {
            s.insert("type".into(), json!("array"));
            s.insert("items".into(), to_schema(items));
            if *min_items > 0 {
                s.insert("minItems".into(), json!(min_items));
            }
            s.insert("maxItems".into(), json!(max_items));
            if *unique {
                s.insert("uniqueItems".into(), json!(true));
            }
        }
        Kind::Object { fields } => {
            s.insert("type".into(), json!("object"));
            let props: serde_json::Map<String, Json> =
                fields.iter().map(|f| (f.name.to_string(), to_schema(&f.shape))).collect();
            s.insert("properties".into(), Json::Object(props));
            let required: Vec<&str> = fields.iter().filter(|f| f.required).map(|f| f.name).collect();
            if !required.is_empty() {
                s.insert("required".into(), json!(required));
            }
            s.insert("additionalProperties".into(), json!(false));
        }
        Kind::Map { key_pattern, values, max_entries, .. } => {
            s.insert("type".into(), json!("object"));
            s.insert("propertyNames".into(), json!({ "pattern": key_pattern }));
            s.insert("additionalProperties".into(), to_schema(values));
            s.insert("maxProperties".into(), json!(max_entries));
        }
        Kind::Either(alts) => {
            s.insert("oneOf".into(), Json::Array(alts.iter().map(to_schema).collect()));
        }
    }
    if let Some(d) = &shape.default
        && !d.as_str().is_some_and(|v| v.contains('<'))
    {
        s.insert("default".into(), d.clone());
    }
    for (k, v) in &shape.hints {
        match v {
            Json::Null => s.remove(*k),
            v => s.insert(k.to_string(), v.clone()),
        };
    }
    Json::Object(s)
}
