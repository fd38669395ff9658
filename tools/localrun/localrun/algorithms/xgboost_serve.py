"""The SageMaker built-in XGBoost algorithm's serving contract, run inside the job sandbox with the
image's own xgboost (runtime `xgboost-1.7-1` or `xgboost-3.2-0`), one request per file.

What it follows, in aws/sagemaker-xgboost-container (1.7-1: branch 1.7-1 @ f7a93a21e50e; 3.2-0:
branch master @ cb8df91cd44c, from which aws/deep-learning-containers builds that image). A
single-model container serves algorithm mode with the flask app of algorithm_mode/serve.py
(serving.py main(): no user module -> serve.ScoringService.csdk_start()):

- serve.py invocations() (207-249): an empty body answers 204 with nothing; the body is parsed by
  serve_utils.parse_content_data (118-152): the request ContentType through
  data_utils.get_content_type (text/csv, csv, text/libsvm, ...; anything else is a UserError), a
  failure answers 415. CSV: the payload is stripped, the delimiter sniffed from its first line
  (encoder.py csv_to_dmatrix, 39-56: csv.Sniffer on the first 512 characters, "," if the sniffed
  one is alphanumeric), empty fields become "nan", the rows go through np.array(...).astype(float),
  so a header, a blank line in the middle or rows of different lengths fail ("Loading csv data
  failed with Exception, please ensure data is in csv format:\\n <type>\\n <error>", 415). Features
  only, no label column.
- the model: serve_utils.get_loaded_booster (168-194): every file in /opt/ml/model that does not
  start with "." (ensembles are on unless SAGEMAKER_INFERENCE_ENSEMBLE is not "true"), each first
  tried as a pickle, then as Booster.load_model; nthread 1. The emulation does not unpickle (a
  pickled model is refused by name) and loads the others as the container does.
- prediction: serve_utils.predict (197-237): booster.predict(dtest, ntree_limit=best_ntree_limit or
  0, validate_features=False) (3.2-0: _predict_with_compat, iteration_range); several models are
  averaged (multi:softmax and binary:hinge: their mode). A failure answers 400 "Unable to evaluate
  payload provided: ...".
- the answer, batch transform (SAGEMAKER_BATCH set, serve.py 240-242), whatever the Accept:
  `"\\n".join(map(str, preds.tolist())) + "\\n"`: one line per record, Python's str() of each
  prediction: binary:logistic, reg:* and binary:logitraw a float ("0.8717133402824402", the float32
  value printed as a double); multi:softmax and binary:hinge the class as a float ("2.0");
  multi:softprob the list of the class probabilities as Python prints a list
  ("[0.012, 0.95, 0.038]" with full digits: brackets, comma and space).
- real-time endpoint (`--endpoint`, serve.py 243-247): text/csv through sagemaker_containers
  2.8.6.post2 _encoders.array_to_csv (129-151): one row per record, values joined with ","
  (multi:softprob: "p0,p1,p2"), "\\n" after every row; application/json:
  serve_utils.encode_predictions_as_json (511-523), {"predictions": [{"score": ...}, ...]}.
  Accept comes from --accept; none or */* means SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT, default
  text/csv; others than serve.py's SUPPORTED_ACCEPTS answer 406.

Not emulated (refused by name): recordio-protobuf requests, pickled models, the selectable
inference output (SAGEMAKER_INFERENCE_OUTPUT), jsonlines and recordio answers.

usage: xgboost_serve.py [--endpoint] [--accept TYPE] CONTENT_TYPE REQUEST...
  (each REQUEST a file holding one request body; the answer goes to REQUEST.out)
Exit status: 0 all answered; 2 a request failed (status and message on the last line of output).
"""

import csv
import io
import json
import os
import re
import sys
import warnings

import numpy as np
import xgboost as xgb

MODEL_DIR = "/opt/ml/model"
SUPPORTED_ACCEPTS = ["application/json", "application/jsonlines", "application/x-recordio-protobuf", "text/csv"]
VERSIONS = {"1.7-1": {"predict": "ntree_limit", "libsvm_shift": False},
            "3.2-0": {"predict": "compat", "libsvm_shift": True}}
XGB_VERSION_TO_IMAGE = {"1.7": "1.7-1", "3.2": "3.2-0"}


class Answer(Exception):
    """An HTTP answer other than 200."""

    def __init__(self, status, message):
        super().__init__("%d %s" % (status, message))
        self.status = status


class NotEmulated(Exception):
    pass


def image_version():
    given = os.environ.get("MLOPSGEN_XGBOOST_IMAGE_VERSION")
    if given:
        return given
    m = re.match(r"xgboost-(.+)-[0-9a-f]{12}$", os.path.basename(os.path.normpath(sys.prefix)))
    if m and m.group(1) in VERSIONS:
        return m.group(1)
    return XGB_VERSION_TO_IMAGE.get(".".join(xgb.__version__.split(".")[:2]))


def parse_header(value):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import cgi  # what the container uses
        return cgi.parse_header(value)
    except ImportError:
        main, *rest = value.split(";")
        return main.strip(), {k.strip(): v.strip().strip('"') for k, _, v in (p.partition("=") for p in rest)}


def get_content_type(value):
    """data_utils.get_content_type."""
    if value is None:
        return "libsvm"
    main, params = parse_header(value.lower())
    if main in ("csv", "text/csv"):
        if params and "label_size" in params and params["label_size"] != "1":
            raise ValueError("{} is not an accepted csv ContentType. Optional parameter label_size must be equal to 1"
                             .format(value))
        return "csv"
    if main in ("libsvm", "text/libsvm", "text/x-libsvm"):
        return "libsvm"
    if main in ("parquet", "application/x-parquet"):
        return "parquet"
    if main in ("recordio-protobuf", "application/x-recordio-protobuf"):
        return "recordio-protobuf"
    raise ValueError("{} is not an accepted ContentType: csv, libsvm, parquet, recordio-protobuf, text/csv, "
                     "text/libsvm, text/x-libsvm, application/x-parquet, application/x-recordio-protobuf."
                     .format(value))


def csv_to_dmatrix(text):
    """encoder.csv_to_dmatrix(text, dtype=float)."""
    sniffed = csv.Sniffer().sniff(text.split("\n")[0][:512]).delimiter
    delimiter = "," if sniffed.isalnum() else sniffed
    rows = [["nan" if x == "" else x for x in line.split(delimiter)] for line in text.split("\n")]
    return xgb.DMatrix(np.array(rows).astype(float))


def libsvm_to_dmatrix(text, shift):
    """serve_utils._get_sparse_matrix_from_libsvm (3.2-0: 1-based indices shifted to 0-based)."""
    from scipy.sparse import csr_matrix
    row, col, data = [], [], []
    for row_idx, line in enumerate(x.split(" ") for x in text.split("\n")):
        for item in line:
            if ":" in item:
                row.append(row_idx)
                col.append(item.split(":")[0])
                data.append(item.split(":")[1])
    row, col, data = np.array(row), np.array(col).astype(int), np.array(data).astype(float)
    if shift and len(col) > 0 and col.min() >= 1:
        col = col - 1
    return xgb.DMatrix(csr_matrix((data, (row, col))))


def parse_content_data(payload, content_type, facts):
    try:
        kind = get_content_type(content_type)
    except ValueError as e:
        raise Answer(415, str(e))
    if kind == "csv":
        try:
            return csv_to_dmatrix(payload.strip().decode("utf-8"))
        except Exception as e:
            raise Answer(415, "Loading csv data failed with Exception, please ensure data is in csv format:\n {}\n {}"
                         .format(type(e), e))
    if kind == "libsvm":
        try:
            return libsvm_to_dmatrix(payload.strip().decode("utf-8"), facts["libsvm_shift"])
        except Exception as e:
            raise Answer(415, "Loading libsvm data failed with Exception, please ensure data is in libsvm format:\n"
                         " {}\n {}".format(type(e), e))
    if kind == "recordio-protobuf":
        raise NotEmulated("recordio-protobuf requests are not emulated here")
    raise Answer(415, "Content-type {} is not supported.".format(content_type))


def load_models():
    """serve_utils.get_loaded_booster with ensemble = SAGEMAKER_INFERENCE_ENSEMBLE (default "true")."""
    ensemble = os.environ.get("SAGEMAKER_INFERENCE_ENSEMBLE", "true") == "true"
    paths = []
    for name in os.listdir(MODEL_DIR):
        path = os.path.join(MODEL_DIR, name)
        if os.path.isfile(path):
            if name.startswith("."):
                print("WARNING: Ignoring dotfile '%s' found in model directory - please exclude dotfiles from "
                      "model archives" % path)
            else:
                paths.append(path)
    if not paths:
        raise Answer(500, "Unable to load model: no model file in %s" % MODEL_DIR)
    paths = paths if ensemble else paths[:1]
    models = []
    for path in paths:
        with open(path, "rb") as f:
            if f.read(1) == b"\x80":
                raise NotEmulated("model %s is a pickle; unpickling is not emulated here" % path)
        booster = xgb.Booster()
        try:
            booster.load_model(path)
        except Exception as e:
            raise Answer(500, "Unable to load model: Model {} cannot be loaded:\nPickle load error=(not a pickle)"
                         "\nXGB load model error={}".format(path, e))
        booster.set_param("nthread", 1)
        models.append(booster)
    objective = json.loads(models[0].save_config())["learner"]["objective"]["name"]
    return models, objective


def predict_one(booster, dtest, facts):
    best = getattr(booster, "best_ntree_limit", 0)
    if facts["predict"] == "ntree_limit":
        return booster.predict(dtest, ntree_limit=best, validate_features=False)
    try:
        best = int(best) if best is not None else 0
    except (TypeError, ValueError):
        best = 0
    if best > 0:
        return booster.predict(dtest, iteration_range=(0, best), validate_features=False)
    return booster.predict(dtest, validate_features=False)


def predict(models, objective, dtest, facts):
    try:
        if len(models) == 1:
            return predict_one(models[0], dtest, facts)
        ensemble = [predict_one(b, dtest, facts) for b in models]
        if objective in ["multi:softmax", "binary:hinge"]:
            from scipy import stats
            return stats.mode(ensemble).mode[0]
        return np.mean(ensemble, axis=0)
    except Exception as e:
        raise Answer(400, "Unable to evaluate payload provided: %s" % e)


def parse_accept(accept):
    main = parse_header(accept or "")[0]
    if not main or main == "*/*":
        return os.environ.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "text/csv")
    if main.lower() not in SUPPORTED_ACCEPTS:
        raise Answer(406, "Accept type {} is not supported. Please use supported accept types: {}."
                     .format(main, SUPPORTED_ACCEPTS))
    return main.lower()


def array_to_csv(array_like):
    """sagemaker_containers._encoders.array_to_csv."""
    array = np.array(array_like)
    if len(array.shape) == 1:
        array = np.reshape(array, (array.shape[0], 1))
    stream = io.StringIO()
    csv.writer(stream, lineterminator="\n", delimiter=",", quotechar='"', doublequote=True, strict=True) \
        .writerows(array)
    return stream.getvalue()


def encode(preds, accept, batch):
    preds_list = preds.tolist()
    if batch:
        return "\n".join(map(str, preds_list)) + "\n"
    if accept == "application/json":
        return json.dumps({"predictions": [{"score": p} for p in preds_list]})
    if accept == "text/csv":
        return array_to_csv(preds_list)
    raise NotEmulated("the %s answer is not emulated here" % accept)


def answer(payload, content_type, accept, batch, facts, models_cache):
    if len(payload) == 0:
        return ""  # 204, no content
    dtest = parse_content_data(payload, content_type, facts)
    if not models_cache:
        models_cache.append(load_models())
    models, objective = models_cache[0]
    preds = predict(models, objective, dtest, facts)
    accept = parse_accept(accept)
    if os.environ.get("SAGEMAKER_INFERENCE_OUTPUT"):
        raise NotEmulated("selectable inference output (SAGEMAKER_INFERENCE_OUTPUT) is not emulated here")
    return encode(preds, accept, batch)


def main(argv):
    batch, accept = True, None
    while argv and argv[0].startswith("--"):
        flag = argv.pop(0)
        if flag == "--endpoint":
            batch = False
        elif flag == "--accept":
            accept = argv.pop(0)
        else:
            print("unknown flag %s" % flag)
            return 64
    if len(argv) < 2:
        print(__doc__)
        return 64
    version = image_version()
    if version not in VERSIONS:
        print("mlopsgen localrun: cannot tell which sagemaker-xgboost image this runtime stands for (xgboost %s)"
              % xgb.__version__)
        return 2
    facts = VERSIONS[version]
    content_type, requests = argv[0], argv[1:]
    models_cache = []
    for path in requests:
        with open(path, "rb") as f:
            payload = f.read()
        try:
            body = answer(payload, content_type, accept, batch, facts, models_cache)
        except Answer as e:
            print("request %s failed: %s" % (path, e))
            return 2
        except NotEmulated as e:
            print("request %s failed: mlopsgen localrun: %s (the sagemaker-xgboost %s container would answer it)"
                  % (path, e, version))
            return 2
        with open(path + ".out", "w", encoding="utf-8") as out:
            out.write(body)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
