"""Writes data sets that scikit-learn bundles (no network) as CSV files with a header row, for
trying the offline story on data other than the post's (`scripts/run-local -C REPO ENV --data
FILE.csv`), and beside each a model entry's "problem_type" and inline "data_contract" that fit it
(every numeric column's observed min/max declared, the tightest a contract can be):

  breast_cancer  binary: 569 records, 30 numeric features, label "diagnosis" malignant/benign
  wine           multiclass: 178 records, 13 numeric features, label "cultivar" class_0..class_2
  diabetes       regression: 442 records, 10 features (sex categorical 1/2), label "progression"
  digits         multiclass: 1797 records, 64 numeric features (8x8 pixels), label "digit" 0..9

usage: PYTHON datasets.py OUT_DIR [NAME...]
  PYTHON: a Python with scikit-learn, e.g. $(python3 -m localrun runtime sklearn-1.2-1) run in
  tools/localrun. Writes OUT_DIR/NAME.csv and OUT_DIR/NAME.model.json.
"""

import csv
import json
import os
import sys

from sklearn import datasets as sk


def _number(v):
    v = float(v)
    return str(int(v)) if v.is_integer() else repr(v)


def _numeric(name, values):
    """A numeric feature within its observed range (no range when it is constant: a contract's
    max must exceed its min)."""
    if min(values) == max(values):
        return {"name": name, "type": "numeric"}
    return {"name": name, "type": "numeric", "min": min(values), "max": max(values)}


def breast_cancer():
    d = sk.load_breast_cancer()
    names = [n.replace(" ", "_") for n in d.feature_names]
    labels = [d.target_names[t] for t in d.target]
    columns = [_numeric(n, [float(v) for v in d.data[:, j]]) for j, n in enumerate(names)]
    columns.append({"name": "diagnosis", "type": "categorical", "role": "label",
                    "categories": [str(c) for c in d.target_names], "positive": "malignant"})
    rows = [[_number(v) for v in x] + [y] for x, y in zip(d.data, labels)]
    return "binary", names + ["diagnosis"], rows, columns


def wine():
    d = sk.load_wine()
    names = list(d.feature_names)
    names = [n.replace("/", "_") for n in names]
    columns = [_numeric(n, [float(v) for v in d.data[:, j]]) for j, n in enumerate(names)]
    columns.append({"name": "cultivar", "type": "categorical", "role": "label",
                    "categories": [str(c) for c in d.target_names]})
    rows = [[_number(v) for v in x] + [str(d.target_names[y])] for x, y in zip(d.data, d.target)]
    return "multiclass", names + ["cultivar"], rows, columns


def diabetes():
    d = sk.load_diabetes(scaled=False)
    names = list(d.feature_names)
    columns = []
    for j, n in enumerate(names):
        values = [float(v) for v in d.data[:, j]]
        if n == "sex":
            columns.append({"name": n, "type": "categorical", "categories": sorted(set(int(v) for v in values))})
        else:
            columns.append(_numeric(n, values))
    columns.append({"name": "progression", "type": "numeric", "role": "label"})
    rows = [[_number(v) for v in x] + [_number(y)] for x, y in zip(d.data, d.target)]
    return "regression", names + ["progression"], rows, columns


def digits():
    d = sk.load_digits()
    names = ["pixel_%d_%d" % (j // 8, j % 8) for j in range(64)]
    columns = [_numeric(n, [float(v) for v in d.data[:, j]]) for j, n in enumerate(names)]
    columns.append({"name": "digit", "type": "categorical", "role": "label", "categories": list(range(10))})
    rows = [[_number(v) for v in x] + [str(int(y))] for x, y in zip(d.data, d.target)]
    return "multiclass", names + ["digit"], rows, columns


DATASETS = {"breast_cancer": breast_cancer, "wine": wine, "diabetes": diabetes, "digits": digits}


def main(argv):
    if not argv or argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    out, names = argv[0], argv[1:] or list(DATASETS)
    unknown = [n for n in names if n not in DATASETS]
    if unknown:
        print("unknown data set(s) %s (known: %s)" % (", ".join(unknown), ", ".join(DATASETS)), file=sys.stderr)
        return 2
    os.makedirs(out, exist_ok=True)
    for name in names:
        problem_type, header, rows, columns = DATASETS[name]()
        path = os.path.join(out, name + ".csv")
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)
        contract = {"header": "present", "missing_values": ["", "?"], "columns": columns}
        with open(os.path.join(out, name + ".model.json"), "w", encoding="utf-8") as f:
            json.dump({"problem_type": problem_type, "data_contract": contract}, f, indent=2)
            f.write("\n")
        print("%s: %d records, %d columns (%s)" % (path, len(rows), len(header), problem_type))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
