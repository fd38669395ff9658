"""Data for running the mammography-severity pipelines offline.

The blog post's notebook (``mammography-severity-modeling.ipynb`` in
aws-samples/mammography-severity-sagemaker-pipelines-sample, cells
"3.1 Raw Dataset", "3.2 Batch Dataset" and "3.3 Batch Dataset with Outliers")
derives four CSV files from the UCI file ``mammographic_masses.data``:

* ``mammo-train-dataset-part1.csv`` and ``mammo-train-dataset-part2.csv``:
  the raw rows (``?`` kept for missing values) that train and retrain the model;
* ``mammo-batch-dataset.csv``: 5 % of the rows, without the label,
  median-imputed, no header, for the inference pipeline;
* ``mammo-batch-dataset-outliers.csv``: the same rows with a header row and
  missing values left empty, meant to fail the inference pipeline's drift check.

The UCI file cannot be downloaded here, so :func:`uci_stand_in` generates a
seeded stand-in with the same shape (961 rows, the same missing-value counts,
the same class balance and realistic class-conditional distributions), and
:func:`notebook_files` repeats the notebook's cells on it.

Any other model's data comes from one CSV file with a header row, split the
same way by the model's data contract (split.py; ``--from FILE --model FILE``).
Beside the files, ``layout.json`` tells the story which file plays which part
(see :func:`post_layout` and split.split).

Everything here is a pure function of its arguments (no network, no clock),
built on the standard library, numpy, pandas and scikit-learn only.

Command line::

    python -m localrun.data OUT_DIR [--seed N | --uci FILE | --from PATH [--model FILE]] [--no-outliers]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import warnings
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline

from . import split as generic

UCI_FILE = "mammographic_masses.data"
TRAIN_PART1 = "mammo-train-dataset-part1.csv"
TRAIN_PART2 = "mammo-train-dataset-part2.csv"
BATCH = "mammo-batch-dataset.csv"
BATCH_OUTLIERS = "mammo-batch-dataset-outliers.csv"
BATCH_LABELS = "mammo-batch-dataset-labels.csv"

#: The four files the blog post's notebook writes, in the order it writes them.
POST_FILES: Tuple[str, ...] = (TRAIN_PART1, TRAIN_PART2, BATCH, BATCH_OUTLIERS)

# Cell "2. Import Packages and Constants" of the notebook.
feature_columns_names = [
    'BIRADS',
    'Age',
    'Shape',
    'Margin',
    'Density',
]
feature_columns_dtype = {
    'BIRADS': np.float64,
    'Age': np.float64,
    'Shape': np.float64,
    'Margin': np.float64,
    'Density': np.float64,
}

# --------------------------------------------------------------------------
# The stand-in for mammographic_masses.data
# --------------------------------------------------------------------------

N_ROWS = 961
N_MALIGNANT = 445
N_BENIGN = N_ROWS - N_MALIGNANT  # 516

#: Missing values ("?") per column in the UCI file.
MISSING_COUNTS = {"BI-RADS": 2, "Age": 5, "Shape": 31, "Margin": 48, "Density": 76}

# BI-RADS per class; the totals are those of the UCI file
# (0: 5, 2: 14, 3: 36, 4: 547, 5: 345, 6: 11, 55: 1, ?: 2).
# Ordinal values are given from least to most suspicious; "anomalies" are
# placed on random rows of the class.
_BIRADS_ORDINAL = {
    0: [(2, 14), (3, 33), (4, 421), (5, 40), (6, 4)],
    1: [(3, 3), (4, 126), (5, 305), (6, 7)],
}
_BIRADS_ANOMALIES = {
    0: [(0, 3), (None, 1)],
    1: [(0, 2), (55, 1), (None, 1)],
}

# Marginal counts (non-missing rows) of the UCI file, from least to most
# suspicious category.  Shape: round=1 oval=2 lobular=3 irregular=4;
# margin: circumscribed=1 microlobulated=2 obscured=3 ill-defined=4
# spiculated=5; density: high=1 iso=2 low=3 fat-containing=4.
_SHAPE_COUNTS = [(1, 224), (2, 211), (3, 95), (4, 400)]  # 930 = 961 - 31
_MARGIN_COUNTS = [(1, 357), (2, 24), (3, 116), (4, 280), (5, 136)]  # 913 = 961 - 48
_DENSITY_COUNTS = [(1, 16), (2, 59), (3, 798), (4, 12)]  # 885 = 961 - 76

# Class-conditional age (years): malignant older than benign.
_AGE = {0: (51.0, 14.0), 1: (63.0, 12.0)}
_AGE_RANGE = (18, 96)

# A latent "suspiciousness" per lesion: N(0, 1) for benign, N(_LATENT_SHIFT, 1)
# for malignant.  Shape and margin are ranks of latent + N(0, _LATENT_NOISE),
# so they are correlated with each other (as in the real data) and the four
# features Age/Shape/Margin/Density give a gradient-boosted model an AUC of
# about 0.85, close to what the real data gives.
_LATENT_SHIFT = 1.6
_LATENT_NOISE = 0.6


def _assign_by_rank(
    score: np.ndarray, rows: np.ndarray, counts: Sequence[Tuple[int, int]], out: np.ndarray
) -> None:
    """Give ``rows`` the values of ``counts`` in increasing order of ``score``."""
    if sum(c for _, c in counts) != len(rows):
        raise AssertionError("category counts do not add up to the rows")
    order = rows[np.argsort(score[rows], kind="stable")]
    pos = 0
    for value, count in counts:
        out[order[pos:pos + count]] = value
        pos += count


def _stand_in_columns(seed: int) -> Tuple[np.ndarray, np.ndarray]:
    """The stand-in as a (961, 6) float array (NaN = missing) and the labels."""
    rng = np.random.default_rng(seed)
    n = N_ROWS
    severity = np.array([1] * N_MALIGNANT + [0] * N_BENIGN)
    rng.shuffle(severity)  # classes mixed, row order seeded
    latent = severity * _LATENT_SHIFT + rng.normal(0.0, 1.0, n)

    # BI-RADS: exact per-class tables; within a class the ordinal values follow
    # the latent score (with noise), the odd values fall on random rows.
    birads = np.full(n, np.nan)
    birads_score = latent + rng.normal(0.0, 1.0, n)
    for cls in (0, 1):
        rows = np.flatnonzero(severity == cls)
        rows = rows[rng.permutation(len(rows))]
        pos = 0
        for value, count in _BIRADS_ANOMALIES[cls]:
            birads[rows[pos:pos + count]] = np.nan if value is None else value
            pos += count
        _assign_by_rank(birads_score, np.sort(rows[pos:]), _BIRADS_ORDINAL[cls], birads)

    def missing_rows(count: int) -> np.ndarray:
        return np.sort(rng.choice(n, size=count, replace=False))

    def present_rows(missing: np.ndarray) -> np.ndarray:
        return np.setdiff1d(np.arange(n), missing)

    age_missing = missing_rows(MISSING_COUNTS["Age"])
    shape_missing = missing_rows(MISSING_COUNTS["Shape"])
    margin_missing = missing_rows(MISSING_COUNTS["Margin"])
    density_missing = missing_rows(MISSING_COUNTS["Density"])

    mean = np.where(severity == 1, _AGE[1][0], _AGE[0][0])
    sd = np.where(severity == 1, _AGE[1][1], _AGE[0][1])
    age = np.clip(np.rint(rng.normal(mean, sd)), *_AGE_RANGE)
    age[age_missing] = np.nan

    shape = np.full(n, np.nan)
    _assign_by_rank(latent + rng.normal(0.0, _LATENT_NOISE, n),
                    present_rows(shape_missing), _SHAPE_COUNTS, shape)
    margin = np.full(n, np.nan)
    _assign_by_rank(latent + rng.normal(0.0, _LATENT_NOISE, n),
                    present_rows(margin_missing), _MARGIN_COUNTS, margin)

    # Density hardly depends on the class: the counts on random rows.
    density = np.full(n, np.nan)
    values = np.concatenate([np.full(c, v, dtype=float) for v, c in _DENSITY_COUNTS])
    density[present_rows(density_missing)] = values[rng.permutation(len(values))]

    table = np.column_stack([birads, age, shape, margin, density, severity.astype(float)])
    return table, severity


def uci_stand_in(seed: int = 1) -> str:
    """Text of a seeded stand-in for the UCI ``mammographic_masses.data``.

    Like the real file: 961 lines, no header, six comma-separated integer
    fields per line (BI-RADS, Age, Shape, Margin, Density, Severity), e.g.
    ``5,67,3,5,3,1``, ``?`` for a missing value, a trailing newline.

    * Severity: 445 rows 1 (malignant), 516 rows 0 (benign); never missing.
    * Missing values: BI-RADS 2, Age 5, Shape 31, Margin 48, Density 76.
    * BI-RADS: the real file's value counts, including its out-of-range
      values (0 in 5 rows, 6 in 11 rows, 55 in 1 row); benign mostly 4 with
      some 2 and 3, malignant mostly 5.
    * Age: integers 18-96, benign ~N(51, 14), malignant ~N(63, 12).
    * Shape 1-4 and Margin 1-5: the real file's value counts; benign mostly
      round/oval and circumscribed, malignant mostly irregular and
      ill-defined/spiculated; Shape and Margin are correlated.
    * Density 1-4: the real file's value counts (mostly 3), independent of
      the class.

    Rows are shuffled (seeded), so the classes are mixed.  The same seed
    gives the same text.
    """
    table, _ = _stand_in_columns(int(seed))
    lines = []
    for row in table:
        lines.append(",".join("?" if np.isnan(v) else str(int(v)) for v in row))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# The notebook's cells 3.1 - 3.3
# --------------------------------------------------------------------------

#: Seed of the outliers injected into the outliers file (see notebook_files).
OUTLIER_SEED = 200
OUTLIER_AGE_SHIFT = 25.0
OUTLIER_AGE_CAP = 100.0
OUTLIER_FRACTION = 0.6


def inject_outliers(df: pd.DataFrame, seed: int = OUTLIER_SEED) -> pd.DataFrame:
    """Return a copy of the float batch frame ``df`` with real outliers.

    * Age + 25 years on every row, capped at 100 (NaN stays NaN);
    * Shape set to 4 (irregular) on 60 % of the rows that have a Shape;
    * Margin set to 5 (spiculated) on 60 % of the rows that have a Margin.

    Missing values stay missing, so the missing-value pattern is the
    notebook's.  The rows changed are chosen with ``numpy.random.default_rng(seed)``.
    """
    rng = np.random.default_rng(seed)
    out = df.copy()
    out["Age"] = (out["Age"] + OUTLIER_AGE_SHIFT).clip(upper=OUTLIER_AGE_CAP)
    for column, value in (("Shape", 4.0), ("Margin", 5.0)):
        present = np.flatnonzero(out[column].notna().to_numpy())
        k = int(round(OUTLIER_FRACTION * len(present)))
        chosen = np.sort(rng.choice(present, size=k, replace=False))
        out.loc[out.index[chosen], column] = value
    return out


def preprocess_batch_data(feature_columns_names, feature_columns_dtype, batch_df):
    # Verbatim from the notebook (cell "3.2 Batch Dataset"); note that it
    # mutates the frame it is given (replace inplace, columns renamed).
    batch_df.replace("?", "NaN", inplace = True)
    batch_df.columns = feature_columns_names
    batch_df = batch_df.astype(feature_columns_dtype)
    numeric_transformer = Pipeline(
        steps=[("imputer", SimpleImputer(strategy="median"))]
        )
    numeric_features = list(feature_columns_names)
    preprocess = ColumnTransformer(
        transformers=[
            ("num", numeric_transformer, numeric_features)
        ]
    )
    batch_df = preprocess.fit_transform(batch_df)
    return batch_df


def notebook_files(
    uci_text: str, outliers: bool = True, *, outlier_seed: int = OUTLIER_SEED
) -> Dict[str, str]:
    """Run the notebook's cells 3.1-3.3 on ``uci_text``; return {file name: text}.

    The pandas calls are the notebook's, in its order: ``read_csv(header=None)``;
    the batch is ``sample(frac=0.05, random_state=200)`` (48 of 961 rows), the
    rest is split with ``sample(frac=0.1, random_state=200)`` into part2 (91
    rows) and part1 (822 rows).  Both train parts are written with
    ``to_csv(index=False)`` so their first line is ``0,1,2,3,4,5`` and ``?``
    stays as it is.  The batch loses column 5 (Severity); the notebook's
    ``batch_modified_df = batch_df`` is an alias, not a copy, so
    ``preprocess_batch_data`` mutates it ('?' becomes the string "NaN", the
    columns are renamed) before cell 3.3 writes it.
    ``mammo-batch-dataset.csv`` is the batch median-imputed by a SimpleImputer
    fitted on the batch itself, no header (floats such as ``4.0,67.0,3.0,5.0,3.0``);
    ``mammo-batch-dataset-outliers.csv`` has the header
    ``BIRADS,Age,Shape,Margin,Density`` and empty fields for missing values.

    Two additions beyond the notebook:

    * ``mammo-batch-dataset-labels.csv``: the ground truth of the batch (the
      Severity values the notebook drops), header ``record_id,Severity``, one
      line per batch row in the batch's order; ``record_id`` is the 1-based
      row number of the record in ``mammo-batch-dataset.csv`` (which has no
      header), Severity is 0 or 1.
    * ``outliers=True`` (the default): the notebook's "outliers" file differs
      from the normal batch only in format (header row, missing values not
      imputed), which a correct drift check must pass, although the post says
      the file "will introduce outliers into the dataset to fail the inference
      pipeline".  So real outliers are injected (see :func:`inject_outliers`,
      seeded with ``outlier_seed``) into the outliers frame just before it is
      written: Age + 25 years (capped at 100), Shape 4 on ~60 % of the rows,
      Margin 5 on ~60 % of the rows.  With ``outliers=False`` every file is
      byte-identical to what the notebook's code writes.
    """
    files: Dict[str, str] = {}
    with warnings.catch_warnings():
        # The notebook modifies a sampled frame in place; pandas may warn.
        warnings.simplefilter("ignore", getattr(pd.errors, "SettingWithCopyWarning", None) or pd.core.common.SettingWithCopyWarning)

        # 3.1 Raw Dataset
        mammographic_data = pd.read_csv(io.StringIO(uci_text), header=None)
        # split data into batch and raw datasets
        batch_df = mammographic_data.sample(frac=0.05, random_state=200)
        raw_df = mammographic_data.drop(batch_df.index)
        # Addition: the labels of the batch, in the batch's order.
        labels = mammographic_data.loc[batch_df.index, 5]
        # Split the raw datasets to two parts
        train_dataset_part2 = raw_df.sample(frac=0.1, random_state=200)
        train_dataset_part1 = raw_df.drop(train_dataset_part2.index)
        # save the train datasets
        files[TRAIN_PART1] = train_dataset_part1.to_csv(index=False)
        files[TRAIN_PART2] = train_dataset_part2.to_csv(index=False)

        # 3.2 Batch Dataset
        # remove label column from the batch dataset
        batch_df.drop(5, axis=1, inplace=True)
        # "create a copy of the batch dataset" (an alias in fact)
        batch_modified_df = batch_df
        # save the batch dataset file
        batch_df = preprocess_batch_data(feature_columns_names, feature_columns_dtype, batch_df)
        files[BATCH] = pd.DataFrame(batch_df).to_csv(header=False, index=False)

        # 3.3 Batch Dataset with Outliers
        batch_modified_df.replace("?", "NaN", inplace=True)
        batch_modified_df.columns = feature_columns_names
        batch_modified_df = batch_modified_df.astype(feature_columns_dtype)
        if outliers:
            batch_modified_df = inject_outliers(batch_modified_df, outlier_seed)
        # save the batch dataset with outliers file
        files[BATCH_OUTLIERS] = batch_modified_df.to_csv(index=False)

    files[BATCH_LABELS] = _labels_csv(labels.tolist())
    return files


def _labels_csv(severity: Iterable) -> str:
    lines = ["record_id,Severity"]
    for i, value in enumerate(severity, start=1):
        lines.append(f"{i},{int(value)}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# --data DIR
# --------------------------------------------------------------------------


def _read_text(path: str) -> str:
    # newline="" keeps the bytes' line endings as they are.
    with open(path, "r", encoding="utf-8", newline="") as f:
        return f.read()


def read_data_dir(path) -> Dict[str, str]:
    """The pipeline data for ``--data DIR``, as {file name: text}.

    * If DIR holds ``mammographic_masses.data``, the files are derived from it
      with :func:`notebook_files` (outliers injected, labels file included).
    * Else if DIR holds the four files of the post
      (``mammo-train-dataset-part1.csv``, ``mammo-train-dataset-part2.csv``,
      ``mammo-batch-dataset.csv``, ``mammo-batch-dataset-outliers.csv``), they
      are returned as they are, plus ``mammo-batch-dataset-labels.csv`` if
      present.
    * Else ``ValueError`` naming the directory and the files expected.
    """
    directory = os.fspath(path)
    expected = (
        f"expected either {UCI_FILE} or the four files "
        + ", ".join(POST_FILES)
        + f" (optionally with {BATCH_LABELS})"
    )
    if not os.path.isdir(directory):
        raise ValueError(f"data directory {directory!r} is not a directory: {expected}")
    uci = os.path.join(directory, UCI_FILE)
    if os.path.isfile(uci):
        return notebook_files(_read_text(uci))
    present = [n for n in POST_FILES if os.path.isfile(os.path.join(directory, n))]
    if len(present) == len(POST_FILES):
        files = {n: _read_text(os.path.join(directory, n)) for n in POST_FILES}
        labels = os.path.join(directory, BATCH_LABELS)
        if os.path.isfile(labels):
            files[BATCH_LABELS] = _read_text(labels)
        return files
    missing = [n for n in POST_FILES if n not in present]
    detail = f"; missing {', '.join(missing)}" if present else ""
    raise ValueError(f"data directory {directory!r} holds neither: {expected}{detail}")


def post_layout(files: Dict[str, str]) -> Dict:
    """Which of the post's files plays which part of the story (the layout split.split
    gives a CSV file's files)."""
    return {"source": "post", "train_part1": TRAIN_PART1, "train_part2": TRAIN_PART2,
            "batch": BATCH, "batch_outliers": BATCH_OUTLIERS, "batch_labels": BATCH_LABELS,
            "batch_records": row_count(BATCH, files[BATCH]), "batch_header": False,
            "records": {name: row_count(name, text) for name, text in files.items()}}


def read_data(path, model: Optional[Dict] = None) -> Tuple[Dict[str, str], Dict, List[str]]:
    """The story's data for ``--data PATH``: (files, layout, notes).

    * a directory: :func:`read_data_dir` (the post's files);
    * a file named ``mammographic_masses.data``: the notebook's files derived from it;
    * any other file: one CSV file with a header row, split by the contract of ``model``
      (describe's entry of the model: its name, "problem_type" and "contract"), see split.py.
    """
    source = os.fspath(path)
    if os.path.isdir(source):
        files = read_data_dir(source)
        return files, post_layout(files), []
    if not os.path.isfile(source):
        raise ValueError(f"data {source!r} is neither a file nor a directory")
    if os.path.basename(source) == UCI_FILE:
        files = notebook_files(_read_text(source))
        return files, post_layout(files), []
    if model is None:
        raise ValueError(f"splitting {source!r} needs the model's contract (--model FILE)")
    return generic.split(_read_text(source), model["contract"], model["problem_type"], model["name"],
                         source=os.path.basename(source))


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------

_HEADERLESS = {UCI_FILE, BATCH}
LAYOUT = "layout.json"


def row_count(name: str, text: str) -> int:
    """Data rows of one of these files (its header line, if any, not counted)."""
    lines = text.splitlines()
    if name in _HEADERLESS:
        return len(lines)
    return max(len(lines) - 1, 0)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m localrun.data",
        description="Write the blog post's data files (from a seeded stand-in "
        "of the UCI mammographic masses file, or from a given one).",
    )
    parser.add_argument("out_dir", metavar="OUT_DIR", help="directory to write into")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--seed", type=int, default=1,
                        help="seed of the generated stand-in (default 1)")
    source.add_argument("--uci", metavar="FILE",
                        help=f"derive the files from this {UCI_FILE} instead of a stand-in")
    source.add_argument("--from", dest="from_dir", metavar="PATH",
                        help=f"take the files from PATH: a directory with {UCI_FILE} (derived as the "
                        "notebook does) or the post's four files, or one CSV file with a header row "
                        "(split by the contract of --model)")
    parser.add_argument("--model", metavar="FILE",
                        help="describe's entry of the model (JSON: name, problem_type, contract), "
                        "for --from FILE.csv")
    parser.add_argument("--no-outliers", action="store_true",
                        help="write the notebook's outliers file as it is "
                        "(no outliers injected)")
    args = parser.parse_args(argv)

    files: Dict[str, str] = {}
    layout: Optional[Dict] = None
    notes: List[str] = []
    if args.from_dir:
        try:
            model = None
            if args.model:
                with open(args.model, encoding="utf-8") as f:
                    model = json.load(f)
            files, layout, notes = read_data(args.from_dir, model)
        except (ValueError, OSError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    elif args.uci:
        uci_text = _read_text(args.uci)
    else:
        uci_text = uci_stand_in(args.seed)
        files[UCI_FILE] = uci_text
    if not args.from_dir:
        files.update(notebook_files(uci_text, outliers=not args.no_outliers))
    if layout is None:
        layout = post_layout({n: t for n, t in files.items() if n != UCI_FILE})

    os.makedirs(args.out_dir, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(args.out_dir, name), "w", encoding="utf-8", newline="") as f:
            f.write(text)
        rows = layout["records"].get(name, row_count(name, text))
        print(f"{os.path.join(args.out_dir, name)}: {rows} rows")
    for note in notes:
        print(f"note: {note}")
    with open(os.path.join(args.out_dir, LAYOUT), "w", encoding="utf-8") as f:
        json.dump(layout, f, indent=2, sort_keys=True)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
