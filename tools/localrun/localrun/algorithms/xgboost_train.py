"""The SageMaker built-in XGBoost algorithm's training contract (sagemaker-xgboost-container,
1.7-1, algorithm mode), run inside the job sandbox with the image's xgboost:

- channels under /opt/ml/input/data/<channel>: `train` (required) and `validation` (optional);
  any other channel is an error ("extraneous channel");
- /opt/ml/input/config/inputdataconfig.json gives each channel's ContentType: text/csv (label in
  the first column, no header: a header row is read as data); an absent ContentType means libsvm;
- /opt/ml/input/config/hyperparameters.json holds every hyperparameter as a string; num_round is
  required, unknown names are refused;
- metrics print per round as `[i]#011train-auc:...#011validation-auc:...` (the tab shows as #011
  in CloudWatch), defined as `validation:<metric>` for the training job's FinalMetricDataList;
- the model is saved with Booster.save_model to /opt/ml/model/xgboost-model (binary format), which
  SageMaker packs into model.tar.gz.
The final metrics also go to /opt/ml/output/metrics.json, which the executor reads in place of
CloudWatch's metric extraction.
"""

import json
import os
import sys
import tempfile

import xgboost as xgb

CONFIG = "/opt/ml/input/config"
DATA = "/opt/ml/input/data"
KNOWN = {
    "num_round": int, "objective": str, "eval_metric": str, "max_depth": int, "eta": float, "gamma": float,
    "min_child_weight": float, "subsample": float, "colsample_bytree": float, "colsample_bylevel": float,
    "colsample_bynode": float, "lambda": float, "alpha": float, "scale_pos_weight": float, "seed": int,
    "max_delta_step": float, "tree_method": str, "max_bin": int, "base_score": float, "verbosity": int,
    "early_stopping_rounds": int, "num_class": int,
}


def fail(message):
    print(message, file=sys.stderr)
    os.makedirs("/opt/ml/output", exist_ok=True)
    with open("/opt/ml/output/failure", "w", encoding="utf-8") as f:
        f.write(message)
    sys.exit(2)


def channel_matrix(name, content_type):
    directory = os.path.join(DATA, name)
    files = sorted(os.path.join(r, f) for r, _, fs in os.walk(directory) for f in fs if not f.startswith("."))
    if not files:
        fail("ClientError: channel %s is empty" % name)
    if content_type is None:
        fail("ClientError: channel %s has no ContentType, so the container reads libsvm; set text/csv" % name)
    if content_type.split(";")[0].strip() not in ("text/csv", "csv"):
        fail("ClientError: content type %s of channel %s is not supported here (text/csv only)" % (content_type, name))
    joined = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, dir="/tmp")
    with joined:
        for path in files:
            with open(path, encoding="utf-8") as f:
                text = f.read()
            joined.write(text if text.endswith("\n") or not text else text + "\n")
    return xgb.DMatrix(joined.name + "?format=csv&label_column=0")


def main():
    with open(os.path.join(CONFIG, "hyperparameters.json"), encoding="utf-8") as f:
        given = json.load(f)
    with open(os.path.join(CONFIG, "inputdataconfig.json"), encoding="utf-8") as f:
        channels = json.load(f)
    for name in channels:
        if name not in ("train", "validation"):
            fail("ClientError: extraneous channel %s: only train and validation are accepted" % name)
    if "train" not in channels:
        fail("ClientError: the train channel is required")
    params = {}
    for key, text in given.items():
        if not isinstance(text, str):
            fail("ClientError: hyperparameter %s must be a string, found %r" % (key, text))
        if key not in KNOWN:
            fail("ClientError: hyperparameter %s is not recognized" % key)
        try:
            params[key] = KNOWN[key](text)
        except ValueError:
            fail("ClientError: hyperparameter %s=%r is not a valid %s" % (key, text, KNOWN[key].__name__))
    if "num_round" not in params:
        fail("ClientError: hyperparameter num_round is required")
    rounds = params.pop("num_round")
    metrics = params.pop("eval_metric", "").split(",") if "eval_metric" in params else []
    if metrics:
        params["eval_metric"] = metrics
    dtrain = channel_matrix("train", channels["train"].get("ContentType"))
    evals = [(dtrain, "train")]
    if "validation" in channels:
        evals.append((channel_matrix("validation", channels["validation"].get("ContentType")), "validation"))
    labels = dtrain.get_label()
    if params.get("objective", "").startswith("binary:") and ((labels < 0) | (labels > 1)).any():
        fail("AlgorithmError: Label must be in [0,1] for logistic regression (train channel has labels %s)"
             % sorted(set(float(x) for x in labels))[:5])
    result = {}
    booster = xgb.train(params, dtrain, num_boost_round=rounds, evals=evals, evals_result=result, verbose_eval=False)
    names = [n for _, n in evals]
    for i in range(rounds):
        parts = ["%s-%s:%.5f" % (ds, m, result[ds][m][i]) for ds in names for m in result[ds]]
        print("[%d]\t%s" % (i, "\t".join(parts)))
    os.makedirs("/opt/ml/model", exist_ok=True)
    booster.save_model("/opt/ml/model/xgboost-model")
    final = [{"MetricName": "validation:%s" % m, "Value": float(v[-1])} for m, v in result.get("validation", {}).items()]
    os.makedirs("/opt/ml/output", exist_ok=True)
    with open("/opt/ml/output/metrics.json", "w", encoding="utf-8") as f:
        json.dump(final, f)
    print("trained %d rounds on %d records" % (rounds, dtrain.num_row()))


if __name__ == "__main__":
    main()
