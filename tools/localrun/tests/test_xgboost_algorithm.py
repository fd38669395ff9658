"""Tests of the built-in XGBoost emulation (localrun/algorithms/xgboost_train.py, xgboost_serve.py),
run as the executor runs them: in the job sandbox (root mounted at /opt, no network) with the
image's runtime (xgboost-1.7-1, xgboost-3.2-0; installed on first use from the pinned
requirements). Small generated data: binary, three classes, regression. The expected error texts
are the container's (sagemaker_algorithm_toolkit/hyperparameter_validation.py,
algorithm_mode/hyperparameter_validation.py, xgb_constants.py CUSTOMER_ERRORS, serve_utils.py)."""

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir))

from localrun import runtimes, sandbox  # noqa: E402

ALGORITHMS = os.path.join(HERE, os.pardir, "localrun", "algorithms")
TRAIN = os.path.join(ALGORITHMS, "xgboost_train.py")
SERVE = os.path.join(ALGORITHMS, "xgboost_serve.py")
SPEC = os.path.join(HERE, os.pardir, os.pardir, os.pardir, "data", "xgboost", "hyperparameters-1.7-1.json")
VERSIONS = ["1.7-1", "3.2-0"]
FLOAT = r"-?\d+\.\d+(e-?\d+)?"  # Python's str() of a float here


@pytest.fixture(scope="module", params=VERSIONS)
def python(request):
    version = request.param
    if runtimes.PYTHON.get("xgboost-" + version) and not runtimes.python_for(runtimes.PYTHON["xgboost-" + version]) \
            and sys.version_info < (3, 10):
        pytest.skip("runtime xgboost-%s needs Python %s or >= 3.10" % (version, runtimes.PYTHON["xgboost-" + version]))
    return runtimes.ensure("xgboost-" + version, say=lambda m: None)


def dataset(kind, n=90, seed=7):
    rng = np.random.RandomState(seed)
    x = rng.rand(n, 4)
    if kind == "binary":
        y = (x[:, 0] + x[:, 1] > 1).astype(int)
    elif kind == "multiclass":
        y = np.digitize(x[:, 0] + 0.3 * x[:, 2], [0.45, 0.85])
    else:
        y = 3 * x[:, 0] - 2 * x[:, 1] + 0.1 * rng.rand(n)
    return x, y


def csv_text(x, y=None):
    rows = [([repr(float(v))] if y is not None else []) + ["%.6f" % f for f in r]
            for r, v in zip(x, y if y is not None else [None] * len(x))]
    return "".join(",".join(r) + "\n" for r in rows)


class Job:
    """A training job's root (mounted at /opt) and what the container left in it."""

    def __init__(self, tmp_path, python):
        self.root, self.python = str(tmp_path), python
        os.makedirs(os.path.join(self.root, "ml", "input", "config"))

    def train(self, hyper, train, validation=None, content_type="text/csv"):
        channels = {"train": train} if validation is None else {"train": train, "validation": validation}
        for name, text in channels.items():
            os.makedirs(os.path.join(self.root, "ml", "input", "data", name))
            with open(os.path.join(self.root, "ml", "input", "data", name, name + ".csv"), "w") as f:
                f.write(text)
        with open(os.path.join(self.root, "ml", "input", "config", "hyperparameters.json"), "w") as f:
            json.dump(hyper, f)
        with open(os.path.join(self.root, "ml", "input", "config", "inputdataconfig.json"), "w") as f:
            json.dump({name: {"ContentType": content_type} for name in channels}, f)
        self.code, self.output = sandbox.run(self.root, [self.python, TRAIN], {})
        self.failure = self._read("ml/output/failure")
        metrics = self._read("ml/output/metrics.json")
        self.metrics = json.loads(metrics) if metrics else None
        return self

    def serve(self, body, content_type="text/csv", flags=()):
        os.makedirs(os.path.join(self.root, "requests"), exist_ok=True)
        path = os.path.join(self.root, "requests", "%04d" % len(os.listdir(os.path.join(self.root, "requests"))))
        with open(path, "w") as f:
            f.write(body)
        code, output = sandbox.run(self.root, [self.python, SERVE] + list(flags)
                                   + [content_type, "/opt" + path[len(self.root):]], {})
        return code, output, self._read(path[len(self.root) + 1:] + ".out")

    def predictions(self, x, **predict):
        """What xgboost itself predicts for x with the trained model (read outside the sandbox)."""
        script = ("import json, sys, numpy as np, xgboost as xgb; b = xgb.Booster(); b.load_model(sys.argv[1]); "
                  "print(json.dumps(b.predict(xgb.DMatrix(np.array(json.loads(sys.argv[2]))), **json.loads(sys.argv[3])).tolist()))")
        out = subprocess.run([self.python, "-c", script, os.path.join(self.root, "ml", "model", "xgboost-model"),
                              json.dumps(np.round(x, 6).tolist()), json.dumps(predict)],
                             capture_output=True, text=True, check=True)
        return json.loads(out.stdout)

    def _read(self, rel):
        path = os.path.join(self.root, rel)
        if not os.path.exists(path):
            return None
        with open(path) as f:
            return f.read()


PIPELINE = {"eval_metric": "auc", "num_round": "6", "max_depth": "3", "eta": "0.2", "gamma": "4",
            "min_child_weight": "6", "subsample": "0.8"}


def trained(tmp_path, python, kind, **hyper):
    x, y = dataset(kind)
    job = Job(tmp_path, python).train(hyper, csv_text(x[:60], y[:60]), csv_text(x[60:], y[60:]))
    assert job.code == 0, job.output
    assert job.failure is None
    assert os.path.getsize(os.path.join(job.root, "ml", "model", "xgboost-model")) > 0
    return job, x[60:]


def log_lines(output):
    return [line for line in output.splitlines() if re.match(r"\[\d+\]\t", line)]


def last_logged(output, metric):
    """The value the log printed last for validation-<metric> (the number SageMaker's metric
    definition `validation:<metric>` reads from the training log)."""
    found = [m.group(1) for line in log_lines(output)
             for m in [re.search(r"\tvalidation-%s:([^\t]+)" % re.escape(metric), line)] if m]
    return float(found[-1])


# --- the hyperparameter table ----------------------------------------------------------------

def test_the_table_declares_what_the_container_validates():
    with open(SPEC) as f:
        spec = json.load(f)
    names = [h["name"] for h in spec["hyperparameters"]]
    assert names == sorted(names) and len(names) == 53 == spec["count"] == len(spec["declaration_order"])
    by = {h["name"]: h for h in spec["hyperparameters"]}
    assert [n for n in names if by[n]["required"]] == ["num_round"]
    assert by["num_round"]["range"] == {"min_closed": 1, "text": "[1, +inf)"}
    assert by["eta"]["range"] == {"min_closed": 0, "max_closed": 1, "text": "[0, 1]"}
    assert by["subsample"]["range"] == {"min_open": 0, "max_closed": 1, "text": "(0, 1]"}
    assert by["num_class"]["range"] == {"min_closed": 2, "text": "[2, +inf)"}
    assert by["objective"]["dependencies"]["on"] == ["num_class"]
    assert by["objective"]["dependencies"]["validator"] == "objective_validator"
    for objective in ["binary:logistic", "multi:softprob", "multi:softmax", "reg:squarederror", "reg:absoluteerror",
                      "reg:pseudohubererror"]:
        assert objective in spec["objectives"] and objective in by["objective"]["values"]
    for metric in ["auc", "mlogloss", "merror", "rmse", "mae"]:
        assert metric in spec["eval_metrics"]["values"]
    assert spec["aliases"] == {"learning_rate": "eta", "min_split_loss": "gamma", "reg_alpha": "alpha",
                               "reg_lambda": "lambda"}


# --- training and batch transform, per objective ---------------------------------------------

def test_binary_logistic(tmp_path, python):
    job, x = trained(tmp_path, python, "binary", objective="binary:logistic", **PIPELINE)
    assert len(log_lines(job.output)) == 6
    assert all(re.fullmatch(r"\[\d+\]\ttrain-auc:\d\.\d{5}\tvalidation-auc:\d\.\d{5}", line)
               for line in log_lines(job.output)), job.output
    assert job.metrics == [{"MetricName": "validation:auc", "Value": last_logged(job.output, "auc")}]
    code, output, out = job.serve(csv_text(x))
    assert code == 0, output
    expected = job.predictions(x)
    assert out == "\n".join(str(p) for p in expected) + "\n"
    lines = out.split("\n")[:-1]
    assert len(lines) == 30 and all(re.fullmatch(FLOAT, line) and 0 < float(line) < 1 for line in lines)
    assert all(np.float32(float(line)) == float(line) for line in lines)  # float32 printed as a double


def test_multi_softprob(tmp_path, python):
    job, x = trained(tmp_path, python, "multiclass", objective="multi:softprob", num_class="3",
                     eval_metric="mlogloss,merror", num_round="5", max_depth="3")
    assert job.metrics == [{"MetricName": "validation:merror", "Value": last_logged(job.output, "merror")},
                           {"MetricName": "validation:mlogloss", "Value": last_logged(job.output, "mlogloss")}]
    code, output, out = job.serve(csv_text(x))
    assert code == 0, output
    expected = job.predictions(x)
    assert out == "\n".join(str(p) for p in expected) + "\n"
    lines = out.split("\n")[:-1]
    assert len(lines) == 30
    for line in lines:  # the container's batch answer: str() of the row's list
        assert re.fullmatch(r"\[(%s), (%s), (%s)\]" % (FLOAT, FLOAT, FLOAT), line), line
        assert abs(sum(float(v) for v in line[1:-1].split(", ")) - 1) < 1e-5
    code, output, out = job.serve(csv_text(x), flags=["--endpoint", "--accept", "text/csv"])
    assert code == 0, output
    assert out == "".join(",".join(str(v) for v in p) + "\n" for p in expected)


def test_multi_softmax(tmp_path, python):
    job, x = trained(tmp_path, python, "multiclass", objective="multi:softmax", num_class="3", eval_metric="merror",
                     num_round="5")
    assert job.metrics == [{"MetricName": "validation:merror", "Value": last_logged(job.output, "merror")}]
    code, output, out = job.serve(csv_text(x))
    assert code == 0, output
    assert out == "\n".join(str(p) for p in job.predictions(x)) + "\n"
    assert set(out.split("\n")[:-1]) <= {"0.0", "1.0", "2.0"} and len(out.split("\n")) == 31


@pytest.mark.parametrize("objective", ["reg:squarederror", "reg:absoluteerror", "reg:pseudohubererror"])
def test_regression(tmp_path, python, objective):
    # rmse and mae are computed by the container with scikit-learn (custom_metrics.py), not by xgboost
    # (train.py: both are container metrics, so eval_metric is dropped and xgboost adds the objective's
    # default metric: rmse, mae, mphe)
    job, x = trained(tmp_path, python, "regression", objective=objective, eval_metric="rmse,mae", num_round="8")
    names = ["mae", "mphe", "rmse"] if objective == "reg:pseudohubererror" else ["mae", "rmse"]
    assert job.metrics == [{"MetricName": "validation:" + m, "Value": last_logged(job.output, m)} for m in names]
    code, output, out = job.serve(csv_text(x))
    assert code == 0, output
    assert out == "\n".join(str(p) for p in job.predictions(x)) + "\n"
    assert all(re.fullmatch(FLOAT, line) for line in out.split("\n")[:-1])


def test_early_stopping_keeps_the_last_logged_metric(tmp_path, python):
    job, x = trained(tmp_path, python, "binary", objective="binary:logistic", eval_metric="logloss", num_round="200",
                     early_stopping_rounds="3", eta="0.9")
    assert len(log_lines(job.output)) < 200
    assert job.metrics == [{"MetricName": "validation:logloss", "Value": last_logged(job.output, "logloss")}], job.output


# --- what the container refuses ----------------------------------------------------------------

# (hyperparameters, data, the failure's last line as the container writes it; "..." where only its start is given)
REFUSED = [
    ({"objective": "binary:logistic", "num_round": "3", "max_leaf": "3"}, "binary",
     "UserError: Extraneous hyperparameter found: max_leaf"),
    ({"objective": "binary:logistic", "num_round": "3", "eta": "1.5"}, "binary",
     "UserError: Hyperparameter eta: 1.5 is not in [0, 1]"),
    ({"objective": "binary:logistic", "num_round": "3", "subsample": "0"}, "binary",
     "UserError: Hyperparameter subsample: 0.0 is not in (0, 1]"),
    ({"objective": "binary:logistic", "num_round": "3", "max_depth": "-1"}, "binary",
     "UserError: Hyperparameter max_depth: -1 is not in [0, +inf)"),
    ({"objective": "multi:softprob", "num_round": "3", "num_class": "1"}, "multiclass",
     "UserError: Hyperparameter num_class: 1 is not in [2, +inf)"),
    ({"objective": "binary:logistic", "num_round": "2.5"}, "binary",
     "UserError: Hyperparameter num_round: could not parse value (caused by ValueError)"),
    ({"objective": "binary:logistic"}, "binary", "UserError: Missing required hyperparameter: num_round"),
    ({"objective": "binary:logistc", "num_round": "3"}, "binary",
     "UserError: Hyperparameter objective: binary:logistc is not in ['aft_loss_distribution', 'binary:logistic', ..."),
    ({"objective": "multi:softprob", "num_round": "3"}, "multiclass",
     "UserError: Require input for parameter 'num_class' for multi-classification"),
    ({"objective": "multi:softmax", "num_round": "3", "eval_metric": "merror"}, "multiclass",
     "UserError: Require input for parameter 'num_class' for multi-classification"),
    ({"objective": "multi:softprob", "num_class": "3", "num_round": "3", "eval_metric": "auc"}, "multiclass",
     "UserError: Metric 'auc' can only be applied for classification and ranking problems."),
    ({"objective": "binary:logistic", "num_round": "3", "eval_metric": "auc,f2"}, "binary",
     "UserError: Hyperparameter eval_metric: value ['auc', 'f2'] not in range ['accuracy', 'auc', ..."),
    ({"num_round": "3", "eval_metric": "rmse"}, "regression", "KeyError: 'objective'"),
    # the labels: xgboost's own errors, UserErrors where they contain one of xgb_constants.py's
    # CUSTOMER_ERRORS; xgboost 3.2 words them differently, so the 3.2-0 container reports AlgorithmErrors
    ({"objective": "multi:softprob", "num_class": "2", "num_round": "3"}, "multiclass", {
        "1.7-1": "UserError: ...SoftmaxMultiClassObj: label must be in [0, num_class)...",
        "3.2-0": "AlgorithmError: XGB train call failed with exception:\n ...SoftmaxMultiClassObj: label must be "
                 "discrete values in the range of [0, num_class)..."}),
    ({"objective": "binary:logistic", "num_round": "3"}, "multiclass", {
        "1.7-1": "UserError: ...label must be in [0,1] for logistic regression...",
        "3.2-0": "AlgorithmError: XGB train call failed with exception:\n ...label must be in (0, 1) for logistic "
                 "regression..."}),
]


def version_of(python):
    return re.search(r"/xgboost-(.+)-[0-9a-f]{12}/", python).group(1)


@pytest.mark.parametrize("hyper,kind,last", REFUSED,
                         ids=[(m if isinstance(m, str) else m["1.7-1"]).split(": ", 1)[-1][:40] for _, _, m in REFUSED])
def test_refused(tmp_path, python, hyper, kind, last):
    last = last if isinstance(last, str) else last[version_of(python)]
    x, y = dataset(kind, n=40)
    job = Job(tmp_path, python).train(hyper, csv_text(x[:30], y[:30]), csv_text(x[30:], y[30:]))
    assert job.code != 0, job.output
    assert job.failure is not None and job.failure.startswith("framework error: \nTraceback"), job.output
    # _trainer.py: "framework error: \n" + traceback (ending "<exception>: <message>\n") + "\n" + message
    exception, message = last.split(": ", 1)
    pattern = re.escape(message).replace(re.escape("..."), "(.|\n)*")
    toolkit = exception in ("UserError", "AlgorithmError")
    qualified = ("sagemaker_algorithm_toolkit.exceptions." if toolkit else "") + exception
    assert re.search("\n%s: %s\n\n%s$" % (re.escape(qualified), pattern, pattern), job.failure), job.failure
    assert not os.path.exists(os.path.join(job.root, "ml", "model", "xgboost-model"))
    assert job.metrics is None


def test_refused_channels(tmp_path, python):
    x, y = dataset("binary", n=20)
    job = Job(tmp_path, python).train({"objective": "binary:logistic", "num_round": "2"}, csv_text(x, y),
                                      content_type="application/json")
    assert job.code != 0
    assert "UserError: Channel configuration for 'train' channel is not supported: {'ContentType': 'application/json'," \
        in job.failure


def test_serving_refuses_what_the_container_refuses(tmp_path, python):
    job, x = trained(tmp_path, python, "binary", objective="binary:logistic", num_round="2")
    code, output, out = job.serve("BIRADS,Age,Shape,Margin\n" + csv_text(x))
    assert code != 0 and out is None
    assert "415 Loading csv data failed with Exception, please ensure data is in csv format:" in output, output
    code, output, out = job.serve(csv_text(x), content_type="application/json")
    assert code != 0 and "415 application/json is not an accepted ContentType" in output, output
    code, output, out = job.serve(csv_text(x), flags=["--endpoint", "--accept", "text/html"])
    assert code != 0 and "406 Accept type text/html is not supported." in output, output
    # empty fields are missing values, not errors
    code, output, out = job.serve("0.5,,0.2,0.1\n")
    assert code == 0 and re.fullmatch(FLOAT + "\n", out), output
