"""The SageMaker built-in XGBoost algorithm's training contract (algorithm mode), run inside the job
sandbox with the image's own xgboost (runtime `xgboost-1.7-1` or `xgboost-3.2-0`).

What it follows, in aws/sagemaker-xgboost-container (1.7-1: branch 1.7-1 @ f7a93a21e50e; 3.2-0: the
image is built by aws/deep-learning-containers from branch master @ cb8df91cd44c, whose training
code differs from 1.7-1 only where noted below):

- hyperparameters: /opt/ml/input/config/hyperparameters.json (every value a string) checked by
  sagemaker_algorithm_toolkit/hyperparameter_validation.py `Hyperparameters.validate` (line 260:
  aliases, then "Missing required hyperparameter" (268), "Extraneous hyperparameter found" (278),
  "could not parse value" (282), the ranges (3., line 284: `Hyperparameter {}: {} is not in {}`,
  line 52; lists `value {} not in range {}`, 178/199/219), then the dependencies in the toolkit's
  order (4., line 295)) against the declaration of
  sagemaker_xgboost_container/algorithm_mode/hyperparameter_validation.py, which this module
  reads from data/xgboost/hyperparameters-<version>.json (master declares the same as 1.7-1).
  The container's dependency and range functions are reimplemented here by name
  (`objective_validator`: multi:softmax/multi:softprob need num_class, lines 82-90;
  `eval_metric_dep_validator`: auc only for binary:/rank:, lines 113-121, and an eval_metric
  without an objective fails with KeyError 'objective' as in the container; ...).
- channels: sagemaker_algorithm_toolkit/channel_validation.py (`Missing required channel`,
  `Extraneous channel found`, default ContentType text/libsvm, the exact content types of
  algorithm_mode/channel_validation.py); the TrainingInputMode and S3DistributionType SageMaker
  writes are taken as File and FullyReplicated when inputdataconfig.json leaves them out.
- data (data_utils.py): every file must be visible ("Hidden file found in the data path!", 675);
  CSV: the delimiter is sniffed from each file's first line (csv.Sniffer, 147-153, 209-221), the
  files are linked into one directory and read by xgboost as
  `<dir>?format=csv&label_column=0&delimiter=<d>` (294-323; `&weight_column=1` with csv_weights=1):
  label in the first column, no header. libsvm: xgb.DMatrix(<dir>) (3.2-0: `?format=libsvm`).
  The container links into /tmp/sagemaker_xgboost_input_data; here a private temporary directory
  is used, because /tmp is shared by parallel sandboxed jobs.
- labels: the container does not check them itself: xgboost's own errors ("label must be in
  [0,1] for logistic regression", "label must be in [0, num_class)", ...) are turned into a
  UserError when they contain one of xgb_constants.py CUSTOMER_ERRORS (train.py 409-415), any
  other xgboost failure into AlgorithmError "XGB train call failed with exception". xgboost 3.2
  words both label errors differently ("label must be in (0, 1) for logistic regression",
  "label must be discrete values in the range of [0, num_class)"), so the 3.2-0 container reports
  them as AlgorithmErrors. Regression objectives (reg:squarederror, reg:absoluteerror,
  reg:pseudohubererror, ...) take any label.
- training (train.py train_job, 257-328; callback.py get_callbacks): num_round,
  save_model_on_termination, _tuning_objective_metric and early_stopping_rounds are taken out of
  the parameters; eval_metric names the container computes itself with scikit-learn
  (metrics/custom_metrics.py: accuracy, f1, mse, rmse, mae, r2, ...) go to xgb.train's `feval`
  (3.2-0: `custom_metric`, which xgboost hands the transformed predictions, not the margins
  custom_metrics.py expects: its accuracy/f1/precision/recall of binary:logistic count every
  record as class 1) and the rest stay `eval_metric`; when none stays, xgboost adds the
  objective's default metric (reg:pseudohubererror: mphe); callbacks are xgboost's
  EvaluationMonitor (printing `[i]\\ttrain-<m>:<v>\\tvalidation-<m>:<v>`, the tab appearing as #011
  in CloudWatch) and, with early_stopping_rounds and an eval_metric, EarlyStopping on the last
  eval_metric of the validation set (save_best). xgboost 1.7 keeps callbacks in a set, so the line
  of the round where early stopping ends may or may not be printed.
- the model: Booster.save_model("/opt/ml/model/xgboost-model"), packed by SageMaker into
  model.tar.gz.
- metrics: algorithm_mode/metrics.py defines `validation:<m>` for each metric of xgb_constants.py
  with the regex `.*\\[[0-9]+\\].*#011validation-<m>:(\\S+)`; SageMaker's FinalMetricDataList holds
  the last value the log printed for each. They are written to /opt/ml/output/metrics.json, which
  the executor reads in place of CloudWatch.
- failure: sagemaker_containers 2.8.6.post2 _trainer.py writes "framework error: \\n<traceback>\\n
  <message>" to /opt/ml/output/failure (SageMaker reports it after "AlgorithmError: "); the
  traceback here is shortened to its last line so the message stays within the 1024 characters
  SageMaker keeps.

Not emulated (refused, naming what): Pipe mode, parquet and recordio-protobuf channels, _kfold
cross-validation, use_dask_gpu_training, checkpoints, several hosts.
"""

import ast
import csv
import json
import os
import re
import shutil
import sys
import tempfile
import warnings

import numpy as np
import xgboost as xgb

CONFIG = "/opt/ml/input/config"
DATA = "/opt/ml/input/data"
MODEL_DIR = "/opt/ml/model"
OUTPUT = "/opt/ml/output"
MODEL_NAME = "xgboost-model"
HERE = os.path.dirname(os.path.abspath(__file__))
SPECS = os.path.join(HERE, os.pardir, os.pardir, os.pardir, os.pardir, "data", "xgboost")

# image version -> what differs between the images' training code
VERSIONS = {
    "1.7-1": {"hyperparameters": "hyperparameters-1.7-1.json", "custom_metric_arg": "feval",
              "libsvm_uri": "{}", "rmse": "squared"},
    # master's hyperparameter_validation.py declares exactly what 1.7-1 declares (the diff is
    # black's `2 ** 31` -> `2**31`); train.py passes custom_metric=, data_utils.py reads libsvm
    # with ?format=libsvm, custom_metrics.py uses root_mean_squared_error.
    "3.2-0": {"hyperparameters": "hyperparameters-1.7-1.json", "custom_metric_arg": "custom_metric",
              "libsvm_uri": "{}?format=libsvm", "rmse": "root"},
}
XGB_VERSION_TO_IMAGE = {"1.7": "1.7-1", "3.2": "3.2-0"}

# sagemaker_xgboost_container/constants/xgb_constants.py
CUSTOMER_ERRORS = [
    "label must be in [0,1] for logistic regression",
    "label must be in [0, num_class)",
    "Target is multiclass but average='binary'",
    "feature_names mismatch",
    "Check failed: preds.size() == info.labels_.size()",
    "Check failed: !auc_error AUC: the dataset only contains pos or neg samples",
    "Check failed: base_score > 0.0f && base_score < 1.0f base_score must be in (0,1) for logistic loss",
    "Check failed: label_correct PoissonRegression: label must be nonnegative",
    "Check failed: label_correct TweedieRegression: label must be nonnegative",
    "Parameter reg_lambda should be greater equal to 0",
]

# data_utils.py VALID_CONTENT_TYPES / VALID_PIPED_CONTENT_TYPES and algorithm_mode/channel_validation.py
CSV, LIBSVM, PARQUET, RECORDIO_PROTOBUF = "csv", "libsvm", "parquet", "recordio-protobuf"
VALID_CONTENT_TYPES = [CSV, LIBSVM, PARQUET, RECORDIO_PROTOBUF, "text/csv", "text/libsvm", "text/x-libsvm",
                       "application/x-parquet", "application/x-recordio-protobuf"]
VALID_PIPED_CONTENT_TYPES = [CSV, PARQUET, RECORDIO_PROTOBUF, "text/csv", "application/x-parquet",
                             "application/x-recordio-protobuf"]


# --- sagemaker_algorithm_toolkit/exceptions.py -------------------------------------------------

class BaseToolkitError(Exception):
    module = "sagemaker_algorithm_toolkit.exceptions"

    def __init__(self, message=None, caused_by=None):
        text = message or (str(caused_by) if caused_by else "unknown error occurred")
        if caused_by:
            text += " (caused by {})".format(caused_by.__class__.__name__)
        super().__init__(text)
        self.message = text


class UserError(BaseToolkitError):
    pass


class AlgorithmError(BaseToolkitError):
    pass


class PlatformError(BaseToolkitError):
    pass


class NotEmulated(Exception):
    """Something the real container does that this emulation does not."""


# --- sagemaker_algorithm_toolkit/hyperparameter_validation.py ----------------------------------

class Interval:
    def __init__(self, min_open=None, min_closed=None, max_open=None, max_closed=None, **_):
        self.min_open, self.min_closed, self.max_open, self.max_closed = min_open, min_closed, max_open, max_closed

    def __str__(self):
        s = "({}, ".format(self.min_open) if self.min_open is not None else (
            "[{}, ".format(self.min_closed) if self.min_closed is not None else "(-inf, ")
        s += "{})".format(self.max_open) if self.max_open is not None else (
            "{}]".format(self.max_closed) if self.max_closed is not None else "+inf)")
        return s

    def __contains__(self, value):
        return not ((self.min_open is not None and value <= self.min_open)
                    or (self.min_closed is not None and value < self.min_closed)
                    or (self.max_open is not None and value >= self.max_open)
                    or (self.max_closed is not None and value > self.max_closed))


class RangeValidator:
    """hpv.range_validator: membership decided by the container's function, printed as its list."""

    def __init__(self, values, function):
        self.values, self.function = values, function

    def __str__(self):
        return str(self.values)

    def __contains__(self, value):
        return self.function(self.values, value)


def tree_method_range_validator(categories, value):
    return value in categories


def predictor_validator(categories, value):
    return value in categories


def eval_metric_range_validator(supported, metric):
    if "<function" in metric:
        raise UserError("User defined evaluation metric {} is not supported yet.".format(metric))
    if "@" in metric:
        name, threshold = metric.split("@")[0].strip(), metric.split("@")[1].strip()
        if name not in ["error", "ndcg", "map"]:
            raise UserError("Metric '{}' is not supported. Parameter 'eval_metric' with customized threshold should "
                            "be one of these options: 'error', 'ndcg', 'map'.".format(metric))
        try:
            float(threshold)
        except ValueError:
            raise UserError("Threshold value 't' in '{}@t' expects float input.".format(name))
        return True
    return metric in supported


def updater_validator(value, dependencies):
    tree = ["grow_colmaker", "distcol", "grow_histmaker", "grow_skmaker", "sync", "refresh", "prune",
            "grow_quantile_histmaker"]
    tree_build = ["grow_colmaker", "distcol", "grow_histmaker", "grow_colmaker", "grow_quantile_histmaker"]
    linear = ["shotgun", "coord_descent"]
    process_update = ["refresh", "prune"]
    if dependencies.get("booster") == "gblinear":
        if not (len(value) == 1 and value[0] in linear):
            # the container's format() is given a generator, so its message prints that generator
            raise UserError("Linear updater should be one of these options: {}.".format(
                ", ".join("'{0}'".format(u for u in linear))))
    elif dependencies.get("process_type") == "update":
        if not all(x in process_update for x in value):
            raise UserError("process_type 'update' can only be used with updater 'refresh' and 'prune'")
    else:
        if not all(x in tree for x in value):
            raise UserError("Tree updater should be selected from these options: 'grow_colmaker', 'distcol', "
                            "'grow_histmaker', 'grow_skmaker', 'grow_quantile_histmaker', 'sync', 'refresh', "
                            "'prune', 'shortgun', 'coord_descent'.")
        if sum(1 for x in value if x in tree_build) > 1:
            raise UserError("Only one tree grow plugin can be selected. Choose one from thefollowing: "
                            "'grow_colmaker', 'distcol', 'grow_histmaker', 'grow_skmaker'")


def objective_validator(value, dependencies):
    num_class = dependencies.get("num_class")
    if value in ("multi:softmax", "multi:softprob") and num_class is None:
        raise UserError("Require input for parameter 'num_class' for multi-classification")
    if value is None and num_class is not None:
        raise UserError("Do not need to setup parameter 'num_class' for learning task other than "
                        "multi-classification.")


def eval_metric_dep_validator(value, dependencies):
    objective = dependencies["objective"]  # KeyError without an objective, as in the container
    if "auc" in value:
        if not any(objective.startswith(t) for t in ["binary:", "rank:"]):
            raise UserError("Metric 'auc' can only be applied for classification and ranking problems.")
    if "aft-nloglik" in value:
        if objective not in ["survival:aft"]:
            raise UserError("Metric 'aft-nloglik' can only be applied for 'survival:aft' objective.")


def monotone_constraints_validator(value, dependencies):
    if value is not None and dependencies.get("tree_method") not in ("exact", "hist"):
        raise UserError("monotone_constraints can be used only when the tree_method parameter is set to "
                        "either 'exact' or 'hist'.")


def interaction_constraints_validator(value, dependencies):
    if value is not None and dependencies.get("tree_method") not in ("exact", "hist", "approx"):
        raise UserError("interaction_constraints can be used only when the tree_method parameter is set to "
                        "either 'exact', 'hist' or 'approx'.")


FUNCTIONS = {f.__name__: f for f in (
    tree_method_range_validator, predictor_validator, eval_metric_range_validator, updater_validator,
    objective_validator, eval_metric_dep_validator, monotone_constraints_validator,
    interaction_constraints_validator)}


def _parse_tuple(value):
    # the container eval()s the string; literal_eval accepts the same tuples of numbers
    if isinstance(value, str):
        return ast.literal_eval(value)
    return value if isinstance(value, tuple) else None


def _parse_nested(value):
    if isinstance(value, str):
        return ast.literal_eval(value)
    return value if isinstance(value, list) else None


PARSE = {"integer": int, "continuous": float, "categorical": lambda v: v, "comma_separated_list": lambda v: v.split(","),
         "tuple": _parse_tuple, "nested_list": _parse_nested}


class Hyperparameter:
    def __init__(self, spec):
        self.name, self.type, self.required = spec["name"], spec["type"], spec["required"]
        if self.type not in PARSE:
            raise ValueError("hyperparameter %s: unknown type %r" % (self.name, self.type))
        if "range" in spec:
            self.range = Interval(**spec["range"])
        elif "range_validator" in spec:
            self.range = RangeValidator(spec["values"], FUNCTIONS[spec["range_validator"]])
        else:
            self.range = spec["values"]
        dep = spec.get("dependencies")
        self.dependencies = dep["on"] if dep else None
        self.dependency_check = FUNCTIONS[dep["validator"]] if dep else None

    def parse(self, value):
        return PARSE[self.type](value)

    def validate_range(self, value):
        if self.type == "comma_separated_list":
            if any([v not in self.range for v in value]):
                raise UserError("Hyperparameter {}: value {} not in range {}".format(self.name, value, self.range))
        elif self.type == "nested_list":
            if any([e not in self.range for outer in value for e in outer]):
                raise UserError("Hyperparameter {}: value {} not in range {}".format(self.name, value, self.range))
        elif self.type == "tuple":
            if any([e not in self.range for e in value]):
                raise UserError("Hyperparameter {}: value {} not in range {}".format(self.name, value, self.range))
        elif self.range is not None and value not in self.range:
            raise UserError("Hyperparameter {}: {} is not in {}".format(self.name, value, self.range))


class Hyperparameters:
    def __init__(self, spec):
        declared = {h["name"]: Hyperparameter(h) for h in spec["hyperparameters"]}
        self.hyperparameters = {name: declared[name] for name in spec["declaration_order"]}
        self.aliases = spec["aliases"]

    def _sort_dependencies(self, names):
        stack, visited = [], {hp: False for hp in names}

        def visit(name):
            visited[name] = True
            for dep in self.hyperparameters[name].dependencies or []:
                if dep in visited and not visited[dep]:
                    visit(dep)
            stack.insert(0, name)

        for hp in names:
            if not visited[hp]:
                visit(hp)
        return stack

    def validate(self, user):
        user = {self.aliases.get(k, k): v for k, v in user.items()}
        for hp in self.hyperparameters:
            if hp not in user and self.hyperparameters[hp].required:
                raise UserError("Missing required hyperparameter: {}".format(hp))
        converted = {}
        for hp, value in user.items():
            if hp not in self.hyperparameters:
                raise UserError("Extraneous hyperparameter found: {}".format(hp))
            try:
                converted[hp] = self.hyperparameters[hp].parse(value)
            except ValueError as e:
                raise UserError("Hyperparameter {}: could not parse value".format(hp), caused_by=e)
        for hp, value in converted.items():
            try:
                self.hyperparameters[hp].validate_range(value)
            except UserError:
                raise
            except Exception as e:
                raise AlgorithmError("Hyperparameter {}: unexpected failure when validating {}".format(hp, value),
                                     caused_by=e)
        order = self._sort_dependencies(list(converted))
        validated = {}
        while order:
            hp = order.pop()
            h = self.hyperparameters[hp]
            if h.dependencies:
                h.dependency_check(converted[hp], {d: validated[d] for d in h.dependencies if d in validated})
            validated[hp] = converted[hp]
        return validated


# --- sagemaker_algorithm_toolkit/channel_validation.py -----------------------------------------

def validate_channels(user_channels):
    supported = {}
    for name in ("train", "validation"):
        supported[name] = {(ct, "File", d) for ct in VALID_CONTENT_TYPES for d in ("ShardedByS3Key", "FullyReplicated")}
        supported[name] |= {(ct, "Pipe", d) for ct in VALID_PIPED_CONTENT_TYPES for d in ("ShardedByS3Key", "FullyReplicated")}
    supported["code"] = {("text/python", "File", "FullyReplicated")}
    if "train" not in user_channels:
        raise UserError("Missing required channel: train")
    validated = {}
    for channel, value in user_channels.items():
        if channel not in supported:
            raise UserError("Extraneous channel found: {}".format(channel))
        value = dict(value)
        value.setdefault("TrainingInputMode", "File")          # written by SageMaker
        value.setdefault("S3DistributionType", "FullyReplicated")
        if "ContentType" not in value:
            value["ContentType"] = "text/libsvm"
        if (value["ContentType"], value["TrainingInputMode"], value["S3DistributionType"]) not in supported[channel]:
            raise UserError("Channel configuration for '{}' channel is not supported: {}".format(channel, value))
        validated[channel] = value
    return validated


# --- data_utils.py ------------------------------------------------------------------------------

def parse_header(value):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import cgi  # what the container uses (Python 3.9 and 3.12 have it)
        return cgi.parse_header(value)
    except ImportError:
        main, *rest = value.split(";")
        return main.strip(), {k.strip(): v.strip().strip('"') for k, _, v in (p.partition("=") for p in rest)}


def get_content_type(value):
    if value is None:
        return LIBSVM
    main, params = parse_header(value.lower())
    if main in (CSV, "text/csv"):
        if params and "label_size" in params and params["label_size"] != "1":
            raise UserError("{} is not an accepted csv ContentType. Optional parameter label_size must be equal "
                            "to 1".format(value))
        return CSV
    if main in (LIBSVM, "text/libsvm", "text/x-libsvm"):
        return LIBSVM
    if main in (PARQUET, "application/x-parquet"):
        return PARQUET
    if main in (RECORDIO_PROTOBUF, "application/x-recordio-protobuf"):
        return RECORDIO_PROTOBUF
    raise UserError("{} is not an accepted ContentType: {}.".format(value, ", ".join(VALID_CONTENT_TYPES)))


def get_size(path):
    if not os.path.exists(path):
        return 0
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            if name.startswith("."):
                raise UserError("Hidden file found in the data path! Remove that before training.")
            total += os.path.getsize(os.path.join(root, name))
    return total


def csv_delimiter(line):
    try:
        return csv.Sniffer().sniff(line).delimiter
    except Exception as e:
        raise UserError("Could not determine delimiter on line {}:\n{}".format(line[:50], e))


def _is_data_file(directory, name):
    if not os.path.isfile(os.path.join(directory, name)) or name.startswith((".", "_")):
        return False
    return not (".cache" in name and ("dtrain" in name or "dval" in name))


def validate_data_file_path(path, file_type):
    """data_utils.validate_data_file_path: the first line of each file of the first leaf directory."""
    leaf = path
    for root, dirs, _ in os.walk(path):
        if dirs == []:
            leaf = root
            break
    for name in os.listdir(leaf):
        if not _is_data_file(leaf, name):
            continue
        if file_type == CSV:
            with open(os.path.join(leaf, name), "r", errors="ignore") as f:
                csv_delimiter(f.readline())
        elif file_type == LIBSVM:
            with open(os.path.join(leaf, name), "r", errors="ignore") as f:
                for line in f:
                    n = _libsvm_features(line)
                    if n > 1:
                        return  # as the container: the first good line ends the whole check
                    if n < 0:
                        raise UserError("First line '{}...' of file '{}' is not 'LIBSVM' format. Please ensure the "
                                        "file is in 'LIBSVM' format.".format(line[:50], name))


def _libsvm_features(line):
    parts = line.split(" ")
    label = parts[0].split(":")
    if len(label) > 2:
        return -1
    for piece in label:
        try:
            float(piece)
        except ValueError:
            return -1
    if len(parts) == 1:
        return 0
    for item in parts[1:]:
        if ":" not in item or len(parts[1].split(":")) != 2:
            return -1
    return len(parts) - 1


def _link_files(dest, path, depth=1):
    if depth > 3:
        print("WARNING: the depth of folder %s exceeds the limit 3; files in deeper sub dirs won't be loaded" % path)
        return
    if os.path.isfile(path):
        os.symlink(path, os.path.join(dest, os.path.basename(path)) + str(hash(path)))
        return
    for item in os.scandir(path):
        if item.is_file():
            os.symlink(item.path, os.path.join(dest, item.name) + str(hash(item.path)))
        elif item.is_dir():
            _link_files(dest, item.path, depth + 1)


def get_dmatrix(path, file_type, csv_weights, facts):
    files = tempfile.mkdtemp(prefix="sagemaker_xgboost_input_data")
    try:
        return _get_dmatrix(files, path, file_type, csv_weights, facts)
    finally:
        shutil.rmtree(files, ignore_errors=True)


def _get_dmatrix(files, path, file_type, csv_weights, facts):
    _link_files(files, path)
    if file_type == CSV:
        first = [f for f in os.listdir(files) if os.path.isfile(os.path.join(files, f))][0]
        with open(os.path.join(files, first)) as f:
            delimiter = csv_delimiter(f.readline())
        uri = "{}?format=csv&label_column=0&delimiter={}".format(files, delimiter)
        if csv_weights == 1:
            uri += "&weight_column=1"
        try:
            dmatrix = xgb.DMatrix(uri)
        except Exception as e:
            raise UserError("Failed to load csv data with exception:\n{}".format(e))
    elif file_type == LIBSVM:
        try:
            dmatrix = xgb.DMatrix(facts["libsvm_uri"].format(files))
        except Exception as e:
            raise UserError("Failed to load libsvm data with exception:\n{}".format(e))
    else:
        raise NotEmulated("content type %s is not emulated here (text/csv and libsvm are)" % file_type)
    if dmatrix and dmatrix.get_label().size == 0:
        raise UserError("Got input data without labels. Please check the input data set. If training job is running "
                        "on multiple instances, please switch to using single instance if number of records in the "
                        "data set is less than number of workers (16 * number of instance) in the cluster.")
    return dmatrix


# --- metrics/custom_metrics.py ------------------------------------------------------------------

def custom_metrics(facts):
    from sklearn import metrics as skm

    def labels_of(preds):
        if type(preds[0]) is np.ndarray:
            return np.argmax(preds, axis=-1)
        return (preds > 0.0).astype(int)

    def classification(fn):
        def compute(preds, dtrain):
            score = 0.0
            if preds.size > 0:
                score = fn(dtrain.get_label(), labels_of(preds))
            return score
        return compute

    def rmse(labels, preds):
        if facts["rmse"] == "root":
            return skm.root_mean_squared_error(labels, preds)
        return skm.mean_squared_error(labels, preds, squared=False)

    table = {
        "accuracy": classification(skm.accuracy_score),
        "balanced_accuracy": classification(skm.balanced_accuracy_score),
        "f1": classification(lambda x, y: skm.f1_score(x, y, average="macro")),
        "f1_binary": classification(lambda x, y: skm.f1_score(x, y, average="binary")),
        "f1_macro": classification(lambda x, y: skm.f1_score(x, y, average="macro")),
        "mse": lambda p, d: skm.mean_squared_error(d.get_label(), p),
        "rmse": lambda p, d: rmse(d.get_label(), p),
        "mae": lambda p, d: skm.mean_absolute_error(d.get_label(), p),
        "precision": classification(skm.precision_score),
        "precision_macro": classification(lambda x, y: skm.precision_score(x, y, average="macro")),
        "precision_micro": classification(lambda x, y: skm.precision_score(x, y, average="micro")),
        "r2": lambda p, d: skm.r2_score(d.get_label(), p),
        "recall": classification(skm.recall_score),
        "recall_macro": classification(lambda x, y: skm.recall_score(x, y, average="macro")),
        "recall_micro": classification(lambda x, y: skm.recall_score(x, y, average="micro")),
    }
    return table


CUSTOM_METRIC_NAMES = ["accuracy", "balanced_accuracy", "f1", "f1_binary", "f1_macro", "mse", "rmse", "mae",
                       "precision", "precision_macro", "precision_micro", "r2", "recall", "recall_macro",
                       "recall_micro"]


def eval_metrics_and_feval(tuning_param, eval_metric, facts):
    """train_utils.get_eval_metrics_and_feval."""
    tuning = tuning_param.split(":")[1].split(",") if tuning_param is not None else None
    if tuning is None and eval_metric is None:
        union = None
    elif tuning is None:
        union = eval_metric
    elif eval_metric is None:
        union = tuning
    else:
        union = sorted(list(set(tuning).union(eval_metric)))
    cleaned, feval = None, None
    if union is not None:
        custom = [m for m in union if m in CUSTOM_METRIC_NAMES]
        if custom:
            table = custom_metrics(facts)

            def feval(preds, dtrain):
                return [(name, table[name](preds, dtrain)) for name in custom]

            cleaned = list(set(union) - set(custom))
        else:
            cleaned = union
    return cleaned, feval, tuning


# --- train.py -----------------------------------------------------------------------------------

class EvaluationMonitor(xgb.callback.EvaluationMonitor):
    """xgboost's EvaluationMonitor (what the container's get_callbacks adds), remembering the
    validation values of the last line it printed: the log SageMaker reads the metrics from. With
    xgboost 1.7 the callbacks are kept in a set, so on the round early stopping ends the line may or
    may not be printed, in the container as here."""

    def __init__(self):
        super().__init__()
        self.printed = {}

    def after_iteration(self, model, epoch, evals_log):
        stop = super().after_iteration(model, epoch, evals_log)
        if evals_log and getattr(self, "_latest", None) is None:
            self.printed = {m: (v[-1][0] if isinstance(v[-1], tuple) else v[-1])
                            for m, v in evals_log.get("validation", {}).items()}
        return stop


def image_version():
    """The image this runtime stands for: its runtime name (xgboost-<version>-<digest>), else xgboost's own version."""
    given = os.environ.get("MLOPSGEN_XGBOOST_IMAGE_VERSION")
    if given:
        return given
    m = re.match(r"xgboost-(.+)-[0-9a-f]{12}$", os.path.basename(os.path.normpath(sys.prefix)))
    if m and m.group(1) in VERSIONS:
        return m.group(1)
    return XGB_VERSION_TO_IMAGE.get(".".join(xgb.__version__.split(".")[:2]))


def load_spec(version):
    with open(os.path.join(SPECS, VERSIONS[version]["hyperparameters"]), encoding="utf-8") as f:
        return json.load(f)


def train(version):
    facts = VERSIONS[version]
    with open(os.path.join(CONFIG, "hyperparameters.json"), encoding="utf-8") as f:
        given = json.load(f)
    with open(os.path.join(CONFIG, "inputdataconfig.json"), encoding="utf-8") as f:
        data_config = json.load(f)
    spec = load_spec(version)
    cfg = Hyperparameters(spec).validate(given)
    if cfg.get("updater"):
        cfg["updater"] = ",".join(cfg["updater"])
    channels = validate_channels(data_config)

    file_type = get_content_type(channels["train"].get("ContentType"))
    if channels["train"]["TrainingInputMode"] == "Pipe":
        raise NotEmulated("TrainingInputMode Pipe is not emulated here")
    if cfg.pop("use_dask_gpu_training", "false") == "true":
        raise NotEmulated("use_dask_gpu_training (Dask on GPUs) is not emulated here")
    if "_kfold" in cfg:
        raise NotEmulated("_kfold (cross-validation ensembles) is not emulated here")
    if os.path.exists(os.path.join(CONFIG, "checkpointconfig.json")):
        raise NotEmulated("checkpoints are not emulated here")
    csv_weights = cfg.get("csv_weights", 0)
    train_path = os.path.join(DATA, "train")
    val_path = os.path.join(DATA, "validation") if "validation" in channels else None

    train_size = get_size(train_path)
    val_size = get_size(val_path) if val_path else 0
    if train_size > 0:
        validate_data_file_path(train_path, file_type)
    if val_size > 0:
        validate_data_file_path(val_path, file_type)
    dtrain = get_dmatrix(train_path, file_type, csv_weights, facts) if train_size > 0 else None
    dval = get_dmatrix(val_path, file_type, csv_weights, facts) if val_size > 0 else None
    if not dtrain:
        raise UserError("No data in training channel path {}".format(train_path))
    if "validation" in channels and not dval:
        raise UserError("No data in validation channel path {}".format(val_path))

    # train_job
    num_round = cfg.pop("num_round")
    cfg.pop("save_model_on_termination", "false")  # saves the same model on SIGTERM only
    tuning_param = cfg.pop("_tuning_objective_metric", None)
    eval_metric = cfg.get("eval_metric")
    cleaned, feval, tuning = eval_metrics_and_feval(tuning_param, eval_metric, facts)
    if cleaned:
        cfg["eval_metric"] = cleaned
    else:
        cfg.pop("eval_metric", None)
    early_stopping_rounds = cfg.pop("early_stopping_rounds", None)
    stop_metric = None
    if early_stopping_rounds:
        stop_metric = tuning[-1] if tuning else (eval_metric[-1] if eval_metric else None)
    print("Train matrix has %d rows and %d columns" % (dtrain.num_row(), dtrain.num_col()))
    if dval:
        print("Validation matrix has %d rows" % dval.num_row())
    watchlist = [(dtrain, "train")] + ([(dval, "validation")] if dval is not None else [])
    monitor = EvaluationMonitor()
    callbacks = [monitor]
    if dval and stop_metric and early_stopping_rounds:
        callbacks.append(xgb.callback.EarlyStopping(
            rounds=early_stopping_rounds, data_name="validation", metric_name=stop_metric,
            maximize=stop_metric in spec["eval_metrics"]["maximize"], save_best=True))
    history = {}
    try:
        bst = xgb.train(cfg, dtrain, num_boost_round=num_round, evals=watchlist, callbacks=callbacks,
                        evals_result=history, verbose_eval=False, **{facts["custom_metric_arg"]: feval})
    except Exception as e:
        for message in CUSTOMER_ERRORS:
            if message in str(e):
                raise UserError(str(e))
        raise AlgorithmError("XGB train call failed with exception:\n {}".format(str(e)))
    os.makedirs(MODEL_DIR, exist_ok=True)
    bst.save_model(os.path.join(MODEL_DIR, MODEL_NAME))

    # what SageMaker's metric definitions (validation:<m>) find last in the log, as printed (%.5f)
    last = monitor.printed
    final = [{"MetricName": "validation:%s" % m, "Value": float("%.5f" % last[m])}
             for m in spec["eval_metrics"]["maximize"] + spec["eval_metrics"]["minimize"] if m in last]
    os.makedirs(OUTPUT, exist_ok=True)
    with open(os.path.join(OUTPUT, "metrics.json"), "w", encoding="utf-8") as f:
        json.dump(final, f)
    rounds = max([len(v) for v in history.get("train", {}).values()] or [num_round])
    print("trained %d rounds on %d records (sagemaker-xgboost %s, xgboost %s)"
          % (rounds, dtrain.num_row(), version, xgb.__version__))


def fail(text):
    print(text, file=sys.stderr)
    os.makedirs(OUTPUT, exist_ok=True)
    with open(os.path.join(OUTPUT, "failure"), "w", encoding="utf-8") as f:
        f.write(text)
    sys.exit(1)


def main():
    version = image_version()
    if version not in VERSIONS:
        fail("mlopsgen localrun: cannot tell which sagemaker-xgboost image this runtime stands for "
             "(python %s, xgboost %s)" % (sys.prefix, xgb.__version__))
    try:
        train(version)
    except NotEmulated as e:
        fail("mlopsgen localrun: %s (the sagemaker-xgboost %s container would run it)" % (e, version))
    except Exception as e:
        name = e.__class__.__name__
        qualified = "%s.%s" % (e.module, name) if isinstance(e, BaseToolkitError) else name
        # _trainer.py: "framework error: \n%s\n%s" % (traceback.format_exc(), str(e)), the traceback
        # shortened to its last line
        fail("framework error: \nTraceback (most recent call last):\n  (sagemaker-xgboost %s, emulated)\n%s: %s\n\n%s"
             % (version, qualified, e, e))


if __name__ == "__main__":
    main()
