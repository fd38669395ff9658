"""The SageMaker built-in XGBoost algorithm's serving contract for batch transform
(sagemaker-xgboost-container 1.7-1, `algorithm_mode/serve.py` and `encoder.py`), run inside the
job sandbox with the image's xgboost: the model is /opt/ml/model/xgboost-model (from
model.tar.gz); each request body is text/csv, features only, one record per line (empty fields
are missing values; a header or blank line is refused with 415); the answer is one prediction per
line (`str()` of the float), newline-terminated.

usage: xgboost_serve.py CONTENT_TYPE REQUEST... (each REQUEST a file; the answer goes to REQUEST.out)
"""

import sys

import numpy as np
import xgboost as xgb


def parse(body):
    rows = []
    for n, line in enumerate(body.strip().split("\n"), start=1):
        if not line.strip():
            raise ValueError("415: blank line %d in the request" % n)
        try:
            rows.append([float(x) if x.strip() else np.nan for x in line.split(",")])
        except ValueError:
            raise ValueError("415: line %d is not numeric CSV (a header row?): %r" % (n, line[:80]))
    return np.array(rows, dtype=np.float64)


def main():
    content_type, requests = sys.argv[1], sys.argv[2:]
    if content_type.split(";")[0].strip() not in ("text/csv", "csv"):
        print("415: content type %s is not supported (text/csv, libsvm, recordio-protobuf)" % content_type)
        sys.exit(2)
    booster = xgb.Booster()
    booster.load_model("/opt/ml/model/xgboost-model")
    for path in requests:
        with open(path, encoding="utf-8") as f:
            body = f.read()
        try:
            x = parse(body)
            preds = booster.predict(xgb.DMatrix(x))
        except (ValueError, xgb.core.XGBoostError) as e:
            print("request %s failed: %s" % (path, e))
            sys.exit(3)
        with open(path + ".out", "w", encoding="utf-8") as out:
            out.write("\n".join(map(str, preds.tolist())) + "\n")


if __name__ == "__main__":
    main()
