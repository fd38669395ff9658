"""False-alarm and detection rates of the generated drift check, beside alibi-detect's, on the same batches.

Run in the pinned runtime of the SageMaker scikit-learn image's libraries::

    cd tools/localrun && $(python3 -m localrun runtime tests) drift_rates.py --quick     # about a minute
    cd tools/localrun && $(python3 -m localrun runtime tests) drift_rates.py             # the full table

    # another drift check (a branch's generated code), or another model's code and data:
    ... drift_rates.py --code /work/wt-drift/generated/prod/code/mammography-severity-model
    ... drift_rates.py --code REPO/generated/prod/code/breast-cancer-diagnosis --data breast_cancer.csv

What it runs: the generated steps of --code DIR (default: this repository's
generated/prod/code/mammography-severity-model), only through their ``main()``, each with its
``BASE`` (/opt/ml/processing) pointed at a temporary directory laid out as the pipeline definition
beside the code (DIR/../../pipelines/<model>-{train,inference}.json) lays out the step's channels,
with the step's Environment from that definition:

1. the reference, as the train pipeline builds it: the training file goes to PreprocessData, its
   profile to DataQualityBaseline; what that writes is the version's baseline;
2. each batch, as the inference pipeline checks it: the batch file goes to PrepareBatch; when
   accepted, its outputs and the baseline go to CheckDrift; ``drift.json``'s ``drift.detected``
   is the verdict (what the pipeline's CheckForDrift reads). A batch PrepareBatch rejects never
   reaches the drift check: it is counted apart and left out of the rates.

alibi-detect's TabularDrift (two-sample KS for numeric features, chi-squared for categorical ones
with ``categories_per_feature`` from the contract, p_val 0.05, Bonferroni and FDR correction) sees
the same reference and batches as the batch transform sees them: PrepareBatch's transform-input
(missing values filled with the training fill values of the version's baseline); the reference is
the training file's records sent through the same PrepareBatch. It runs in its own virtual
environment (``--alibi-venv``, default ~/.cache/mlopsgen/bench-alibi, created on first use from
bench/alibi-requirements.txt by ``--setup-alibi``), in a subprocess (bench/drift_alibi.py) that
reads the batches this script writes to disk: never a dependency of the product or of its tests.

Data, mammography (the default; the post's data: localrun.data's stand-in of the UCI file):
reference = the notebook's mammo-train-dataset-part1.csv of stand-in --seed (822 records).
Batches of n records are drawn from --pool:

- ``fresh`` (default): records of --fresh-stand-ins independent stand-ins (seeds 100000, 100001,
  ...; the same generator, none of the reference's records), drawn WITHOUT replacement, so a batch
  is (nearly) an independent sample of the reference's population at any n;
- ``holdout``: the 139 stand-in records not in part1, resampled WITH replacement (the old
  default). At n >> 139 a batch is a bootstrap of those 139 records: their own deviation from
  part1 is in every batch and a consistent test flags it (it is a shift), so its "false alarms"
  at n = 200 and 1000 are no false alarms;
- ``all``: the 961 stand-in records, resampled with replacement (86 % of them are the reference's).

Scenarios (each batch file in the notebook's outliers-file format: header row, missing values
empty; rows changed are drawn with a seed of (sample seed, scenario, n, repetition)):

- ``same``: the rows as drawn: the false-alarm rate;
- ``age_shift``: Age + 0.25 reference SD on every observed Age, stochastically rounded to whole
  years (floor, plus one year with probability the fractional part: mean shift exactly 0.25 SD,
  ages stay integers as in the data);
- ``age_outliers``: Age + 5 years on round(15 % of n) rows with an observed Age;
- ``mild_outliers``: the old drift_rates.py's "mild outliers" (data.inject_outliers with
  Age + 5 years on EVERY row and Shape 4 / Margin 5 on 15 % of the rows that have them);
- ``margin``: 20 % (rounded) of the rows with Margin 1 set to Margin 4;
- ``label_prior``: rows drawn by their label, round(70 % of n) malignant (46 % in the
  reference), the features moving with it;
- ``missing``: Age made missing on observed rows until round(9 % of n) rows miss it
  (0.6 % in the reference);
- ``correlation``: Margin permuted within the batch (a uniformly random permutation of the
  batch's Margin column, missing values included): every column's values in the batch are
  exactly those of the rows drawn (checked for every batch), so every marginal is unchanged,
  while Margin's dependence on Shape (Spearman 0.76 in the stand-in) and on Age
  is gone;
- ``unseen``: a category the contract declares but the reference lacks: the reference is part1
  without its records of --unseen (default Density=4; declared, 12 of the 961 records), the
  batch is drawn from the pool without those records, then round(5 % of n) rows with an
  observed value of that feature get that category (2, 10, 50 rows at n = 48, 200, 1000);
- ``same_unseen``: the false alarms against that reduced reference (batch drawn as for
  ``unseen``, nothing set);
- ``same_random_reference``: the false alarms with a reference drawn afresh for every batch:
  part1's size (822) of pool records and the batch n others, both without replacement, the
  reference rebuilt (PreprocessData, DataQualityBaseline) each time. Why: every stand-in holds
  exactly the UCI file's category and missing-value counts, so part1 (822 of one stand-in's 961
  records, drawn without replacement) matches the population's categorical shares far more
  closely than an independent sample of 822 would (finite-population factor 1 - 822/961 = 0.14
  on the variance). Tests that assume an independent reference are then conservative against
  part1 at large n, and ``same`` understates the false alarms a real reference would see;
  ``same_random_reference`` measures them over independent references (--pool fresh only).

Plus the post's own two files, checked once against the reference.

Data, any other model (--data FILE.csv, the CSV with a header row the model's contract
describes; e.g. tools/localrun/datasets.py's breast_cancer.csv with the code generated by
`mlopsgen init --data FILE --label COL` and `mlopsgen generate`), scenario ``same`` only:

- ``--split fixed`` (the story's split, localrun.split): reference = part 1, batches resampled
  WITH replacement from the held-out records (part 2 and the batch). The same caveat as the
  holdout pool: at n near or above the hold-out's size the batches carry the hold-out's own
  deviation from part 1;
- ``--split random`` (default): per repetition a fresh seeded random split: reference =
  min(|part 1|, N - n) records, the batch n records of the rest WITHOUT replacement (a valid
  null at every n <= N - 50; larger n are skipped). The reference is rebuilt (PreprocessData,
  DataQualityBaseline) for every repetition.

Rates are flagged / accepted batches with a 95 % Wilson interval. "CPU s" is the CPU time
(user + system, the process and its children) of one CheckDrift ``main()`` run (mlopsgen) or of
one ``predict`` per correction (alibi), averaged over the cell. With --workers 2 (the default;
the machine has two cores) the BLAS/OpenMP thread pools are limited to one thread per worker.
"""

import argparse
import contextlib
import csv
import datetime
import io
import json
import math
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, os.pardir, os.pardir))
DEFAULT_CODE = os.path.join(ROOT, "generated", "prod", "code", "mammography-severity-model")
ALIBI_VENV = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "mlopsgen",
                          "bench-alibi")
ALIBI_REQUIREMENTS = os.path.join(HERE, "bench", "alibi-requirements.txt")
ALIBI_RUNNER = os.path.join(HERE, "bench", "drift_alibi.py")
PROC = "/opt/ml/processing/"

# No __pycache__ beside the generated code.
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
from localrun import data  # noqa: E402
from localrun import split as splitter  # noqa: E402

SCENARIOS = {
    "same": "same distribution (false alarms)",
    "age_shift": "Age +0.25 SD",
    "age_outliers": "Age +5 years on 15 % of rows",
    "mild_outliers": "mild outliers (old: Age +5 every row, 15 % Shape 4/Margin 5)",
    "margin": "Margin: 20 % of category-1 rows -> 4",
    "label_prior": "label prior 46 -> 70 %",
    "missing": "Age missing 0.6 -> 9 %",
    "correlation": "correlation only (Margin permuted in the batch)",
    "unseen": "unseen category (~5 % of rows)",
    "same_unseen": "same distribution, reference without that category",
    "same_random_reference": "same distribution, reference redrawn per batch",
}
NULL_SCENARIOS = ("same", "same_unseen", "same_random_reference")
CSV_SCENARIOS = ("same",)


class StepFailed(Exception):
    pass


# ============================================================================================
# The generated steps, laid out as the pipeline definitions lay out their channels
# ============================================================================================

class Steps:
    """The generated modules of one code directory and the channel layout of their steps."""

    def __init__(self, code, pipelines=None):
        self.code = os.path.abspath(code)
        self.model = os.path.basename(self.code.rstrip("/"))
        pipelines = pipelines or os.path.join(os.path.dirname(os.path.dirname(self.code)), "pipelines")
        self.definitions = {}
        for kind in ("train", "inference"):
            path = os.path.join(pipelines, "%s-%s.json" % (self.model, kind))
            if not os.path.exists(path):
                raise SystemExit("no pipeline definition %s (--pipelines DIR names their directory)" % path)
            with open(path, encoding="utf-8") as f:
                self.definitions[kind] = {s["Name"]: s for s in self._steps(json.load(f)["Steps"])}
        self.spec = {}
        for kind, name in (("train", "PreprocessData"), ("train", "DataQualityBaseline"),
                           ("inference", "PrepareBatch"), ("inference", "CheckDrift")):
            if name not in self.definitions[kind]:
                raise SystemExit("no %s step in the %s pipeline of %s" % (name, kind, self.model))
            self.spec[name] = self.definitions[kind][name]["Arguments"]
        # The steps' Environment, as the container has it, before the modules read it at import.
        env = {}
        for name, spec in self.spec.items():
            for k, v in (spec.get("Environment") or {}).items():
                if not isinstance(v, str):
                    raise SystemExit("step %s's environment %s is not a literal: %r" % (name, k, v))
                if k in env and env[k] != v:
                    raise SystemExit("steps disagree on the environment variable %s" % k)
                env[k] = v
        self.environment = env
        os.environ.update(env)
        sys.path.insert(0, self.code)
        import importlib
        self.modules = {}
        for name, spec in self.spec.items():
            entry = spec["AppSpecification"]["ContainerEntrypoint"][-1]
            self.modules[name] = importlib.import_module(os.path.splitext(os.path.basename(entry))[0])
        import contract
        self.contract = contract

        def _fail(message, code=1):
            # contract.fail writes /opt/ml/output/message and exits; here a failure is an exception.
            raise StepFailed(message)

        for m in list(self.modules.values()) + [contract]:
            if hasattr(m, "fail"):
                m.fail = _fail

    @staticmethod
    def _steps(items):
        for s in items:
            yield s
            if s.get("Type") == "Condition":
                yield from Steps._steps(s["Arguments"].get("IfSteps", []) + s["Arguments"].get("ElseSteps", []))

    @staticmethod
    def _local(path):
        if not path.startswith(PROC):
            raise SystemExit("a channel outside %s: %s" % (PROC, path))
        return path[len(PROC):]

    def outputs(self, step):
        config = self.spec[step].get("ProcessingOutputConfig") or {}
        return {o["OutputName"]: self._local(o["S3Output"]["LocalPath"]) for o in config.get("Outputs", [])}

    def run(self, step, base, sources, count=0):
        """Runs `step`'s main() with BASE = `base`. `sources` resolves each input: a function of its
        S3Uri expression returning a file or directory (copied into the channel), or None to skip
        (the code). Returns (printed text, CPU seconds of main())."""
        spec = self.spec[step]
        if os.path.exists(base):
            shutil.rmtree(base)
        os.makedirs(base)
        for item in spec.get("ProcessingInputs", []):
            if item["InputName"] == "code":
                continue
            source = sources(item["S3Input"]["S3Uri"])
            target = os.path.join(base, self._local(item["S3Input"]["LocalPath"]))
            if os.path.isdir(source):
                shutil.copytree(source, target)
            else:
                os.makedirs(target, exist_ok=True)
                shutil.copy(source, os.path.join(target, os.path.basename(source)))
        for d in self.outputs(step).values():
            os.makedirs(os.path.join(base, d), exist_ok=True)
        argv = []
        for a in spec["AppSpecification"].get("ContainerArguments", []):
            argv.append(a if isinstance(a, str) else "bench-%d" % count)
        module = self.modules[step]
        module.BASE = base
        saved = sys.argv
        sys.argv = [module.__file__] + argv
        out = io.StringIO()
        t0 = os.times()
        try:
            with contextlib.redirect_stdout(out):
                module.main()
        except SystemExit as e:
            raise StepFailed("%s exited with %s: %s" % (step, e.code, out.getvalue()[-500:]))
        finally:
            sys.argv = saved
        t1 = os.times()
        cpu = (t1.user - t0.user) + (t1.system - t0.system) + (t1.children_user - t0.children_user) + (
            t1.children_system - t0.children_system)
        return out.getvalue(), cpu


def get_expr(uri):
    return uri.get("Get") if isinstance(uri, dict) else None


class Reference:
    """A version's baseline built from one training file, as the train pipeline builds it."""

    def __init__(self, steps, training_name, training_text, work, count=0):
        self.steps = steps
        self.work = work
        self.pre = os.path.join(work, "preprocess")
        self.base = os.path.join(work, "baseline")
        src = os.path.join(work, "training", training_name)
        os.makedirs(os.path.dirname(src), exist_ok=True)
        with open(src, "w", encoding="utf-8", newline="") as f:
            f.write(training_text)
        pre_out = steps.outputs("PreprocessData")

        def pre_sources(uri):
            g = get_expr(uri) or ""
            if g.startswith("Parameters.") or isinstance(uri, str):
                return os.path.dirname(src)
            raise SystemExit("PreprocessData: an input this benchmark cannot resolve: %r" % uri)

        self.training_text = training_text
        steps.run("PreprocessData", self.pre, pre_sources, count)

        def base_sources(uri):
            g = get_expr(uri) or ""
            if g.startswith("Steps.PreprocessData.ProcessingOutputConfig.Outputs['"):
                return os.path.join(self.pre, pre_out[g.split("'")[1]])
            raise SystemExit("DataQualityBaseline: an input this benchmark cannot resolve: %r" % uri)

        steps.run("DataQualityBaseline", self.base, base_sources, count)
        out = steps.outputs("DataQualityBaseline")
        if len(out) != 1:
            raise SystemExit("DataQualityBaseline has outputs %s; the benchmark expects one (the baseline)" % out)
        self.dir = os.path.join(self.base, list(out.values())[0])
        self.statistics = os.path.join(self.dir, "statistics.json")
        self.constraints = os.path.join(self.dir, "constraints.json")

    def source(self, uri, batch_dir, prepared=None):
        """The file or directory an input of PrepareBatch or CheckDrift reads."""
        g = get_expr(uri) or ""
        if g.startswith("Parameters."):
            return batch_dir
        if g.startswith("Steps.GetLatestApprovedModel.OutputParameters['"):
            name = g.split("'")[1]
            if name.endswith("StatisticsUri") or name == "PreprocessingUri":
                return self.statistics
            if name.endswith("ConstraintsUri"):
                return self.constraints
            if name.endswith("Uri") and "Baseline" in name:
                return self.dir
        if g.startswith("Steps.PrepareBatch.ProcessingOutputConfig.Outputs['") and prepared:
            return os.path.join(prepared, self.steps.outputs("PrepareBatch")[g.split("'")[1]])
        raise SystemExit("an input this benchmark cannot resolve: %r" % uri)


class Checker:
    """PrepareBatch and CheckDrift of batches against one reference."""

    def __init__(self, steps, reference, work):
        self.steps = steps
        self.reference = reference
        self.work = work
        self.count = 0

    def prepare(self, name, text):
        self.count += 1
        batch_dir = os.path.join(self.work, "batch-file")
        shutil.rmtree(batch_dir, ignore_errors=True)
        os.makedirs(batch_dir)
        with open(os.path.join(batch_dir, name), "w", encoding="utf-8", newline="") as f:
            f.write(text)
        prepared = os.path.join(self.work, "prepare")
        self.steps.run("PrepareBatch", prepared, lambda uri: self.reference.source(uri, batch_dir), self.count)
        report = None
        for root, _, files in os.walk(prepared):
            if "batch.json" in files:
                with open(os.path.join(root, "batch.json"), encoding="utf-8") as f:
                    report = json.load(f)["batch"]
        if report is None:
            raise StepFailed("PrepareBatch wrote no batch.json")
        return prepared, report

    def transform_input(self, prepared):
        """PrepareBatch's transform-input as a float matrix (id dropped, categories as indices)."""
        path = os.path.join(prepared, self.steps.outputs("PrepareBatch")["transform-input"], "batch.csv")
        with open(path, newline="", encoding="utf-8") as f:
            rows = [r[1:] for r in csv.reader(f) if r]
        out = np.empty((len(rows), len(self.steps.contract.FEATURES)))
        for j, column in enumerate(self.steps.contract.FEATURES):
            if column["type"] == "categorical":
                keys = [self.steps.contract.category_text(c) for c in column["categories"]]
                for i, r in enumerate(rows):
                    out[i, j] = keys.index(self.steps.contract.category_key(float(r[j]), column))
            else:
                out[:, j] = [float(r[j]) for r in rows]
        return out

    def check(self, name, text, want_matrix=True):
        """(accepted, detected, drifted features, CPU s of CheckDrift, transform-input matrix, summary)."""
        prepared, report = self.prepare(name, text)
        if not report["accepted"]:
            return False, None, None, None, None, report["summary"]
        d = os.path.join(self.work, "drift")
        _, cpu = self.steps.run("CheckDrift", d, lambda uri: self.reference.source(uri, None, prepared), self.count)
        drift = None
        for root, _, files in os.walk(d):
            if "drift.json" in files:
                with open(os.path.join(root, "drift.json"), encoding="utf-8") as f:
                    drift = json.load(f)["drift"]
        if drift is None:
            raise StepFailed("CheckDrift wrote no drift.json")
        drifted = drift.get("drifted_features")
        if drifted is None:
            drifted = [n for n, r in (drift.get("features") or {}).items() if isinstance(r, dict) and r.get("drifted")]
        matrix = self.transform_input(prepared) if want_matrix else None
        # Each hypothesis' raw p-value, where drift.json lists them (the calibration of the nulls).
        self.last_hypotheses = [("%s: %s" % (h.get("feature") or "joint", h.get("test")), h.get("p_value"))
                                for h in drift.get("hypotheses") or [] if isinstance(h, dict)]
        return True, bool(drift["detected"]), list(drifted), cpu, matrix, drift.get("summary", "")


# ============================================================================================
# Batches
# ============================================================================================

NAMES = data.feature_columns_names
DTYPES = data.feature_columns_dtype


def float_frame(rows):
    frame = rows.copy()
    frame.replace("?", "NaN", inplace=True)
    frame.columns = NAMES
    return frame.astype(DTYPES)


def notebook_split(uci_text):
    """The raw frame and the index labels of the notebook's batch, part2 and part1."""
    frame = pd.read_csv(io.StringIO(uci_text), header=None)
    batch = frame.sample(frac=0.05, random_state=200)
    raw = frame.drop(batch.index)
    part2 = raw.sample(frac=0.1, random_state=200)
    part1 = raw.drop(part2.index)
    return frame, batch.index, part2.index, part1.index


def same_multisets(a, b):
    for c in a.columns:
        x, y = a[c].to_numpy(dtype=float), b[c].to_numpy(dtype=float)
        if not np.array_equal(np.sort(x[~np.isnan(x)]), np.sort(y[~np.isnan(y)])) or np.isnan(x).sum() != np.isnan(y).sum():
            return False
    return True


class Mammography:
    """The post's data: reference, pools and the scenarios' batches."""

    def __init__(self, args):
        self.args = args
        uci = data.uci_stand_in(args.seed)
        self.files = data.notebook_files(uci)
        frame, batch_idx, part2_idx, part1_idx = notebook_split(uci)
        assert frame.loc[part1_idx].to_csv(index=False) == self.files[data.TRAIN_PART1]
        self.part1 = frame.loc[part1_idx]
        ages = pd.to_numeric(self.part1[1].replace("?", np.nan)).dropna()
        self.age_sd = float(ages.std(ddof=1))
        feature, value = args.unseen.split("=")
        self.unseen_column = NAMES.index(feature)
        self.unseen_feature, self.unseen_value = feature, float(value)
        keep = self.part1[self.unseen_column].astype(str) != value
        self.part1_reduced = self.part1[keep]
        self.dropped = int((~keep).sum())
        holdout = np.sort(np.concatenate([np.asarray(batch_idx), np.asarray(part2_idx)]))
        if args.pool == "fresh":
            parts = [pd.read_csv(io.StringIO(data.uci_stand_in(100000 + k)), header=None)
                     for k in range(args.fresh_stand_ins)]
            self.pool = pd.concat(parts, ignore_index=True)
            self.replace = False
        else:
            self.pool = frame.loc[holdout if args.pool == "holdout" else frame.index].reset_index(drop=True)
            self.replace = True
        self.pool_reduced = self.pool[self.pool[self.unseen_column].astype(str) != value].reset_index(drop=True)
        self.part1_name = data.TRAIN_PART1
        self.con = None  # set by main() from the generated contract
        self.references = {"main": (data.TRAIN_PART1, self.files[data.TRAIN_PART1]),
                           "unseen": (data.TRAIN_PART1, self.part1_reduced.to_csv(index=False))}

    def describe(self):
        a = self.args
        pool = ("%d fresh stand-ins (seeds 100000-%d, %d records), drawn without replacement"
                % (a.fresh_stand_ins, 100000 + a.fresh_stand_ins - 1, len(self.pool)) if a.pool == "fresh"
                else "%s (%d records), resampled with replacement" % (a.pool, len(self.pool)))
        return ["reference: %s of stand-in seed %d (%d records; Age SD %.2f)" % (
                    data.TRAIN_PART1, a.seed, len(self.part1), self.age_sd),
                "unseen-category reference: the same without its %d records of %s %g (%d records)" % (
                    self.dropped, self.unseen_feature, self.unseen_value, len(self.part1_reduced)),
                "pool: %s" % pool]

    def reference_of(self, scenario):
        return "unseen" if scenario in ("unseen", "same_unseen") else "main"

    def _draw(self, pool, n, rng):
        idx = rng.choice(len(pool), size=n, replace=self.replace)
        return pool.iloc[idx, :].reset_index(drop=True)

    def batch(self, scenario, n, rep):
        """(file name, text) of one batch."""
        sid = list(SCENARIOS).index(scenario)
        rng = np.random.default_rng([self.args.sample_seed, n, rep])
        srng = np.random.default_rng([self.args.sample_seed, n, rep, sid])
        if scenario == "label_prior":
            pos = self.pool[self.pool[5].astype(str) == "1"]
            neg = self.pool[self.pool[5].astype(str) == "0"]
            k = int(round(0.7 * n))
            rows = pd.concat([self._draw(pos, k, srng), self._draw(neg, n - k, srng)], ignore_index=True)
            rows = rows.iloc[srng.permutation(n)].reset_index(drop=True)
        elif scenario in ("unseen", "same_unseen"):
            rows = self._draw(self.pool_reduced, n, rng)
        else:
            rows = self._draw(self.pool, n, rng)
        f = float_frame(rows.loc[:, list(range(5))])
        if scenario == "age_shift":
            present = f["Age"].notna()
            shifted = f.loc[present, "Age"].to_numpy() + 0.25 * self.age_sd
            low = np.floor(shifted)
            f.loc[present, "Age"] = low + (srng.random(len(low)) < shifted - low)
        elif scenario == "age_outliers":
            present = np.flatnonzero(f["Age"].notna().to_numpy())
            k = int(round(0.15 * n))
            chosen = srng.choice(present, size=min(k, len(present)), replace=False)
            f.loc[chosen, "Age"] = (f.loc[chosen, "Age"] + 5.0).clip(upper=120.0)
        elif scenario == "mild_outliers":
            saved = data.OUTLIER_AGE_SHIFT, data.OUTLIER_FRACTION
            data.OUTLIER_AGE_SHIFT, data.OUTLIER_FRACTION = 5.0, 0.15
            try:
                f = data.inject_outliers(f, int(srng.integers(2 ** 31)))
            finally:
                data.OUTLIER_AGE_SHIFT, data.OUTLIER_FRACTION = saved
        elif scenario == "margin":
            ones = np.flatnonzero((f["Margin"] == 1.0).to_numpy())
            k = int(round(0.2 * len(ones)))
            f.loc[srng.choice(ones, size=k, replace=False), "Margin"] = 4.0
        elif scenario == "missing":
            present = np.flatnonzero(f["Age"].notna().to_numpy())
            k = max(0, int(round(0.09 * n)) - (n - len(present)))
            f.loc[srng.choice(present, size=k, replace=False), "Age"] = np.nan
        elif scenario == "correlation":
            before = f.copy()
            f["Margin"] = f["Margin"].to_numpy()[srng.permutation(n)]
            if not same_multisets(before, f):
                raise AssertionError("the correlation-only shift changed a marginal")
        elif scenario == "unseen":
            present = np.flatnonzero(f[self.unseen_feature].notna().to_numpy())
            k = max(1, int(round(0.05 * n)))
            f.loc[srng.choice(present, size=k, replace=False), self.unseen_feature] = self.unseen_value
        return data.BATCH_OUTLIERS, f.to_csv(index=False)

    def post_files(self):
        return [(n, self.files[n]) for n in (data.BATCH, data.BATCH_OUTLIERS)]

    def draw(self, n, rep):
        """same_random_reference: (reference training text, batch file name, batch text), both drawn
        without replacement from the fresh pool, disjoint, the reference part1's size."""
        if self.args.pool != "fresh":
            raise SystemExit("same_random_reference needs --pool fresh")
        rng = np.random.default_rng([self.args.sample_seed, n, rep, list(SCENARIOS).index("same_random_reference")])
        idx = rng.choice(len(self.pool), size=len(self.part1) + n, replace=False)
        ref = self.pool.iloc[idx[:len(self.part1)], :]
        batch = float_frame(self.pool.iloc[idx[len(self.part1):], :5].reset_index(drop=True))
        return ref.to_csv(index=False), data.BATCH_OUTLIERS, batch.to_csv(index=False)


class CsvData:
    """Any model's CSV file: the story's split (fixed) or a fresh random split per repetition."""

    def __init__(self, args, steps):
        self.args = args
        c = steps.contract
        import problem
        self.contract = {"header": c.HEADER, "missing_values": c.MISSING, "columns": c.COLUMNS}
        self.problem_type = problem.PROBLEM_TYPE
        with open(args.data, encoding="utf-8", newline="") as f:
            self.text = f.read()
        con = splitter.Contract(self.contract, self.problem_type)
        records = splitter.read_records(self.text)
        self.header_raw = records[0][1]
        self.records = [r for r in records[1:] if not con.missing_cell(r[0][con.label])]
        self.con = con
        files, layout, _ = splitter.split(self.text, self.contract, self.problem_type, steps.model,
                                          source=os.path.basename(args.data))
        self.part1_name = layout["train_part1"]
        self.part1_text = files[self.part1_name]
        part1_lines = set(splitter.read_records(self.part1_text)[1:] and
                          [raw for _, raw in splitter.read_records(self.part1_text)[1:]])
        self.holdout = [r for r in self.records if r[1] not in part1_lines]
        self.part1_size = len(self.records) - len(self.holdout)
        self.batch_header = splitter._csv_line([con.names[j] for j in con.batch_columns]) if con.writes_header else ""

    def describe(self):
        a = self.args
        if a.split == "fixed":
            return ["data: %s (%d records); reference: the story's part 1 (%d records); batches resampled with "
                    "replacement from the %d held-out records" % (os.path.basename(a.data), len(self.records),
                                                                 self.part1_size, len(self.holdout))]
        return ["data: %s (%d records); per repetition a random split: reference min(%d, N - n) records, the "
                "batch n of the rest without replacement (reference rebuilt each time)"
                % (os.path.basename(a.data), len(self.records), self.part1_size)]

    def feasible(self, n):
        return self.args.split == "fixed" or n <= len(self.records) - 50

    def _batch_text(self, recs):
        return self.batch_header + "".join(
            splitter._csv_line([cells[j] for j in self.con.batch_columns]) for cells, _ in recs)

    def draw(self, n, rep):
        """(reference training text or None for the fixed part 1, batch file name, batch text)."""
        rng = np.random.default_rng([self.args.sample_seed, n, rep])
        if self.args.split == "fixed":
            idx = rng.choice(len(self.holdout), size=n, replace=True)
            return None, "batch.csv", self._batch_text([self.holdout[i] for i in idx])
        order = rng.permutation(len(self.records))
        m = min(self.part1_size, len(self.records) - n)
        ref = [self.records[i] for i in order[:m]]
        batch = [self.records[i] for i in order[m:m + n]]
        return self.header_raw + "".join(splitter._ended(raw) for _, raw in ref), "batch.csv", self._batch_text(batch)


# ============================================================================================
# Workers
# ============================================================================================

STATE = {}


def worker_init(args):
    work = tempfile.mkdtemp(prefix="worker-", dir=STATE["work_root"])
    STATE["work"] = work
    STATE["args"] = args
    STATE["checkers"] = {}
    for key, ref_dir in STATE["references"].items():
        STATE["checkers"][key] = Checker(STATE["steps"], ref_dir, os.path.join(work, key))


def run_task(task):
    """One batch: (cell key, rep, accepted, detected, drifted, cpu, batch matrix, reference matrix, note)."""
    scenario, n, rep = task
    steps = STATE["steps"]
    source = STATE["source"]
    try:
        if isinstance(source, Mammography) and scenario != "same_random_reference":
            checker = STATE["checkers"][source.reference_of(scenario)]
            name, text = source.batch(scenario, n, rep)
            ref_matrix = None
        else:
            ref_text, name, text = source.draw(n, rep)
            if ref_text is None:
                checker = STATE["checkers"]["main"]
                ref_matrix = None
            else:
                work = os.path.join(STATE["work"], "rep")
                shutil.rmtree(work, ignore_errors=True)
                reference = Reference(steps, source.part1_name, ref_text, work, rep)
                checker = Checker(steps, reference, os.path.join(work, "check"))
                ref_matrix = (reference_through_prepare(checker, ref_text, source.con)
                              if STATE["args"].alibi else None)
        checker.last_hypotheses = []
        accepted, detected, drifted, cpu, matrix, summary = checker.check(name, text, STATE["args"].alibi)
        return (scenario, n, rep, accepted, detected, drifted, cpu, matrix, ref_matrix,
                None if accepted else summary, checker.last_hypotheses)
    except StepFailed as e:
        return (scenario, n, rep, False, None, None, None, None, None, "step failed: %s" % e, [])


def reference_through_prepare(checker, training_text, con):
    """The training file's records, label dropped, through PrepareBatch: the transform-input form."""
    records = splitter.read_records(training_text)[1:]
    header = splitter._csv_line([con.names[j] for j in con.batch_columns]) if con.writes_header else ""
    text = header + "".join(splitter._csv_line([cells[j] for j in con.batch_columns]) for cells, _ in records)
    prepared, report = checker.prepare("reference.csv", text)
    if not report["accepted"]:
        raise SystemExit("PrepareBatch rejects the reference's own records: %s" % report["summary"])
    return checker.transform_input(prepared)


# ============================================================================================
# Rates
# ============================================================================================

def wilson(k, n, z=1.96):
    if n == 0:
        return float("nan"), float("nan")
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def fmt_rate(k, n):
    if not n:
        return "-"
    lo, hi = wilson(k, n)
    return "%.1f %% [%.1f, %.1f]" % (100.0 * k / n, 100 * lo, 100 * hi)


def setup_alibi(venv):
    python = os.path.join(venv, "bin", "python")
    if os.path.exists(os.path.join(venv, ".complete")):
        return python
    print("creating the benchmark-only alibi-detect environment %s (from %s; PyPI, a few minutes)..."
          % (venv, os.path.relpath(ALIBI_REQUIREMENTS)), flush=True)
    base = shutil.which("python3.11") or shutil.which("python3")
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([base, "-m", "venv", venv], check=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input",
                    "-r", ALIBI_REQUIREMENTS], check=True)
    with open(os.path.join(venv, ".complete"), "w") as f:
        f.write(ALIBI_REQUIREMENTS + "\n")
    return python


def run_alibi(args, steps, cells, references, work):
    """alibi-detect's verdicts {(scenario, n, rep): (bonferroni, fdr, cpu_b, cpu_f)} and its version."""
    python = setup_alibi(args.alibi_venv)
    arrays = {}
    manifest = {"p_val": 0.05, "categories_per_feature": {}, "batches": []}
    for j, column in enumerate(steps.contract.FEATURES):
        if column["type"] == "categorical":
            manifest["categories_per_feature"][str(j)] = len(column["categories"])
    for key, matrix in references.items():
        arrays["ref_" + key] = matrix
    for (scenario, n), results in cells.items():
        for r in results:
            if r["matrix"] is None:
                continue
            name = "b_%s_%d_%d" % (scenario, n, r["rep"])
            arrays[name] = r["matrix"]
            ref = r.get("ref_key") or "main"
            if r.get("ref_matrix") is not None:
                ref = "rep_%s_%d_%d" % (scenario, n, r["rep"])
                arrays["ref_" + ref] = r["ref_matrix"]
            manifest["batches"].append({"batch": name, "ref": "ref_" + ref, "key": [scenario, n, r["rep"]]})
    npz = os.path.join(work, "alibi-input.npz")
    np.savez(npz, **arrays)
    with open(os.path.join(work, "alibi-manifest.json"), "w") as f:
        json.dump(manifest, f)
    out = os.path.join(work, "alibi-output.json")
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    cmd = [python, ALIBI_RUNNER, npz, os.path.join(work, "alibi-manifest.json"), out, "--workers", str(args.workers)]
    started = time.time()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit("alibi-detect runner failed:\n" + proc.stderr[-3000:])
    with open(out) as f:
        result = json.load(f)
    verdicts = {tuple(v["key"]): (v["bonferroni"], v["fdr"], v["cpu_bonferroni"], v["cpu_fdr"])
                for v in result["verdicts"]}
    return verdicts, result["versions"], time.time() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", default=DEFAULT_CODE, help="generated code directory of the model (default %(default)s)")
    parser.add_argument("--pipelines", help="directory of its pipeline definitions (default: CODE/../../pipelines)")
    parser.add_argument("--data", help="the model's CSV file (header row); default: the post's data (mammography)")
    parser.add_argument("--split", choices=("random", "fixed"), default="random",
                        help="with --data: a fresh random split per repetition (default) or the story's split")
    parser.add_argument("--seed", type=int, default=1, help="seed of the UCI stand-in (default 1, as localrun.data)")
    parser.add_argument("--sample-seed", type=int, default=20240601, help="seed of the batches")
    parser.add_argument("--pool", choices=("fresh", "holdout", "all"), default="fresh",
                        help="records the mammography batches are drawn from (default fresh; see above)")
    parser.add_argument("--fresh-stand-ins", type=int, default=50, help="stand-ins in the fresh pool (default 50)")
    parser.add_argument("--unseen", default="Density=4", help="FEATURE=CATEGORY the unseen-category reference lacks")
    parser.add_argument("--n", help="batch sizes (default 48,200,1000; --quick: 48,1000)")
    parser.add_argument("--scenarios", help="comma-separated subset of: " + ", ".join(SCENARIOS))
    parser.add_argument("--null-reps", type=int, default=300, help="repetitions of the null scenarios per n (300)")
    parser.add_argument("--reps", type=int, default=200, help="repetitions of the shift scenarios per n (200)")
    parser.add_argument("--max-minutes", type=float, default=0,
                        help="wall-clock budget of the batches: repetitions are run round-robin over the cells "
                        "and stop when it is spent, so every cell gets its share (0: no budget)")
    parser.add_argument("--quick", action="store_true", help="20 repetitions per cell, n = 48 and 1000 unless --n")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2: the machine's cores)")
    parser.add_argument("--no-alibi", dest="alibi", action="store_false", help="skip alibi-detect")
    parser.add_argument("--alibi-venv", default=ALIBI_VENV, help="alibi-detect's environment (default %(default)s)")
    parser.add_argument("--setup-alibi", action="store_true", help="only create the alibi-detect environment")
    parser.add_argument("--json", help="write every figure to this JSON file")
    parser.add_argument("--markdown", help="write the table as Markdown to this file")
    parser.add_argument("--label", default="", help="a name for this run in the outputs (e.g. before, after)")
    args = parser.parse_args()
    if args.setup_alibi:
        print(setup_alibi(args.alibi_venv))
        return
    if args.quick:
        args.null_reps = args.reps = 20
        args.n = args.n or "48,1000"
    args.n = args.n or "48,200,1000"
    sizes = [int(x) for x in args.n.split(",")]
    started_wall = time.time()
    started_cpu = os.times()

    steps = Steps(args.code, args.pipelines)
    STATE["steps"] = steps
    if args.data:
        source = CsvData(args, steps)
        scenarios = [s for s in (args.scenarios.split(",") if args.scenarios else CSV_SCENARIOS)]
        if set(scenarios) - set(CSV_SCENARIOS):
            raise SystemExit("with --data only these scenarios: " + ", ".join(CSV_SCENARIOS))
    else:
        if steps.contract.MODEL != "mammography-severity-model" and not set(
                c["name"] for c in steps.contract.FEATURES) >= {"Age", "Shape", "Margin", "Density"}:
            raise SystemExit("the code of %s is not the post's model: give its data with --data FILE.csv"
                             % steps.contract.MODEL)
        source = Mammography(args)
        source.con = splitter.Contract({"header": steps.contract.HEADER, "missing_values": steps.contract.MISSING,
                                        "columns": steps.contract.COLUMNS}, "binary")
        scenarios = args.scenarios.split(",") if args.scenarios else list(SCENARIOS)
        unknown = set(scenarios) - set(SCENARIOS)
        if unknown:
            raise SystemExit("unknown scenarios: " + ", ".join(sorted(unknown)))
    STATE["source"] = source

    work = tempfile.mkdtemp(prefix="drift-rates-")
    STATE["work_root"] = work
    try:
        references, ref_matrices, post = {}, {}, []
        if isinstance(source, Mammography):
            for key, (name, text) in source.references.items():
                references[key] = Reference(steps, name, text, os.path.join(work, "ref-" + key))
        elif args.split == "fixed":
            references["main"] = Reference(steps, source.part1_name, source.part1_text, os.path.join(work, "ref-main"))
        STATE["references"] = references
        if args.alibi and references:
            for key, ref in references.items():
                checker = Checker(steps, ref, os.path.join(work, "refcheck-" + key))
                if isinstance(source, Mammography):
                    training = source.references[key][1]
                    con = splitter.Contract({"header": steps.contract.HEADER, "missing_values": steps.contract.MISSING,
                                             "columns": steps.contract.COLUMNS}, "binary")
                else:
                    training, con = source.part1_text, source.con
                ref_matrices[key] = reference_through_prepare(checker, training, con)
        if isinstance(source, Mammography):
            checker = Checker(steps, references["main"], os.path.join(work, "post"))
            for name, text in source.post_files():
                ok, detected, drifted, cpu, _, summary = checker.check(name, text, False)
                post.append((name, ok, detected, summary))

        tasks = []
        for scenario in scenarios:
            for n in sizes:
                if isinstance(source, CsvData) and not source.feasible(n):
                    continue
                reps = args.null_reps if scenario in NULL_SCENARIOS else args.reps
                tasks.extend(((rep + 0.5) / reps, (scenario, n, rep)) for rep in range(reps))
        # Round-robin over the cells (each cell's repetitions spread evenly), so a budget cut leaves
        # every cell its share.
        tasks = [t for _, t in sorted(tasks, key=lambda x: x[0])]
        deadline = started_wall + 60 * args.max_minutes if args.max_minutes else None
        cells = {}
        print("running %d batches with %d worker(s)..." % (len(tasks), args.workers), file=sys.stderr, flush=True)

        def collect(r):
            scenario, n, rep, accepted, detected, drifted, cpu, matrix, ref_matrix, note, hypotheses = r
            cells.setdefault((scenario, n), []).append({
                "rep": rep, "accepted": accepted, "detected": detected, "drifted": drifted, "cpu": cpu,
                "matrix": matrix, "ref_matrix": ref_matrix, "note": note, "hypotheses": hypotheses,
                "ref_key": source.reference_of(scenario) if isinstance(source, Mammography) else "main"})

        done = 0
        stopped = False
        if args.workers > 1:
            import multiprocessing
            ctx = multiprocessing.get_context("fork")
            pool = ctx.Pool(args.workers, initializer=worker_init, initargs=(args,))
            try:
                for r in pool.imap(run_task, tasks, chunksize=2):
                    collect(r)
                    done += 1
                    if done % 200 == 0:
                        print("  %d/%d batches, %.0f s" % (done, len(tasks), time.time() - started_wall),
                              file=sys.stderr, flush=True)
                    if deadline and time.time() > deadline:
                        stopped = True
                        break
            finally:
                pool.terminate() if stopped else pool.close()
                pool.join()
        else:
            worker_init(args)
            for t in tasks:
                collect(run_task(t))
                if deadline and time.time() > deadline:
                    stopped = True
                    break
        if stopped:
            print("budget of %g minutes spent after %d of %d batches" % (args.max_minutes, done, len(tasks)),
                  file=sys.stderr, flush=True)

        alibi, versions, alibi_wall = {}, {}, 0.0
        if args.alibi:
            print("alibi-detect on the same batches...", file=sys.stderr, flush=True)
            alibi, versions, alibi_wall = run_alibi(args, steps, cells, ref_matrices, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    ended_cpu = os.times()
    cpu_total = sum((getattr(ended_cpu, f) - getattr(started_cpu, f))
                    for f in ("user", "system", "children_user", "children_system"))

    # ---------------------------------------------------------------- the table
    import numpy, scipy, sklearn
    libs = {"python": platform.python_version(), "numpy": numpy.__version__, "scipy": scipy.__version__,
            "scikit-learn": sklearn.__version__, "pandas": pd.__version__}
    rows = []
    for scenario in scenarios:
        for n in sizes:
            rs = cells.get((scenario, n))
            if not rs:
                continue
            acc = [r for r in rs if r["accepted"]]
            k = sum(1 for r in acc if r["detected"])
            cpus = [r["cpu"] for r in acc if r["cpu"] is not None]
            row = {"scenario": scenario, "n": n, "batches": len(rs), "accepted": len(acc), "detected": k,
                   "rate": k / len(acc) if acc else None, "wilson": wilson(k, len(acc)),
                   "cpu_mean": float(np.mean(cpus)) if cpus else None,
                   "cpu_max": float(np.max(cpus)) if cpus else None,
                   "rejected": len(rs) - len(acc),
                   "rejections": sorted(set(r["note"] for r in rs if r["note"]))[:3]}
            by_feature = {}
            for r in acc:
                if r["detected"]:
                    for f in r["drifted"] or []:
                        by_feature[f] = by_feature.get(f, 0) + 1
            row["features"] = by_feature
            if scenario in NULL_SCENARIOS:
                calibration = {}
                for r in acc:
                    for name, p in r["hypotheses"] or []:
                        if p is not None:
                            calibration.setdefault(name, []).append(float(p))
                row["calibration"] = {name: {"tests": len(ps), "below_0.05": float(np.mean(np.array(ps) < 0.05)),
                                             "below_0.01": float(np.mean(np.array(ps) < 0.01)),
                                             "below_0.001": float(np.mean(np.array(ps) < 0.001))}
                                      for name, ps in sorted(calibration.items())}
            if alibi:
                for c, pos in (("bonferroni", 0), ("fdr", 1)):
                    vs = [alibi[(scenario, n, r["rep"])] for r in acc if (scenario, n, r["rep"]) in alibi]
                    kk = sum(1 for v in vs if v[pos])
                    row["alibi_" + c] = {"detected": kk, "batches": len(vs), "rate": kk / len(vs) if vs else None,
                                         "wilson": wilson(kk, len(vs)),
                                         "cpu_mean": float(np.mean([v[2 + pos] for v in vs])) if vs else None}
            rows.append(row)

    header = "%-52s %5s | %-24s | %-24s | %-24s | %-12s" % (
        "scenario", "n", "mlopsgen", "alibi Bonferroni", "alibi FDR", "CPU s (m/a)")
    print()
    print("Drift check of %s (%s)" % (steps.code, args.label or "this run"))
    for line in source.describe():
        print("  " + line)
    print("  CheckDrift environment: %s" % (", ".join("%s=%s" % kv for kv in sorted(steps.environment.items())) or "none"))
    print("  runtime: %s; alibi-detect: %s" % (", ".join("%s %s" % kv for kv in libs.items()),
                                               ", ".join("%s %s" % kv for kv in versions.items()) or "not run"))
    print()
    print(header)
    print("-" * len(header))
    for row in rows:
        m = fmt_rate(row["detected"], row["accepted"])
        ab = row.get("alibi_bonferroni")
        af = row.get("alibi_fdr")
        cpu = "%.3f/%s" % (row["cpu_mean"] or 0, "%.3f" % ab["cpu_mean"] if ab and ab["cpu_mean"] is not None else "-")
        print("%-52s %5d | %-24s | %-24s | %-24s | %-12s%s" % (
            SCENARIOS[row["scenario"]][:52], row["n"], m, fmt_rate(ab["detected"], ab["batches"]) if ab else "-",
            fmt_rate(af["detected"], af["batches"]) if af else "-", cpu,
            "  (%d rejected by PrepareBatch)" % row["rejected"] if row["rejected"] else ""))
    print()
    print("Features named in flagged batches (mlopsgen):")
    for row in rows:
        if row["features"]:
            print("  %-30s n=%-5d %s" % (row["scenario"], row["n"], ", ".join(
                "%s %d" % kv for kv in sorted(row["features"].items(), key=lambda kv: -kv[1]))))
    for row in rows:
        if row["rejections"]:
            print("  %s n=%d rejected: %s" % (row["scenario"], row["n"], "; ".join(row["rejections"])))
    calibrated = [row for row in rows if row.get("calibration")]
    if calibrated:
        print()
        print("Calibration of each hypothesis (drift.json's hypotheses) in the null cells: share of raw p-values "
              "below 0.05 / 0.01 / 0.001 (a calibrated test: at most 5 / 1 / 0.1 %)")
        for row in calibrated:
            print("  %s n=%d:" % (row["scenario"], row["n"]))
            for name, c in row["calibration"].items():
                print("    %-48s %5d tests  %5.1f / %4.1f / %4.2f %%" % (
                    name[:48], c["tests"], 100 * c["below_0.05"], 100 * c["below_0.01"], 100 * c["below_0.001"]))
    for name, ok, detected, summary in post:
        print("post's %s: %s" % (name, ("DRIFT: " if detected else "no drift: ") + summary if ok else "rejected: " + summary))
    verdicts = acceptance(rows, isinstance(source, Mammography))
    if verdicts:
        print()
        print("Acceptance (issue 19):")
        for ok, text in verdicts:
            print("  %s %s" % ("ok  " if ok else "MISS", text))
    wall = time.time() - started_wall
    print()
    print("%d batches; %.0f s wall, %.0f s CPU (this process and its workers; alibi's subprocess %.0f s wall)"
          % (sum(r["batches"] for r in rows), wall, cpu_total, alibi_wall))
    command = "cd tools/localrun && $(python3 -m localrun runtime tests) " + " ".join(
        [os.path.basename(sys.argv[0])] + sys.argv[1:])
    meta = {"label": args.label, "code": steps.code, "command": command,
            "date": datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"),
            "machine": "%s, %d cores (%s)" % (platform.platform(), os.cpu_count() or 0, platform.processor() or platform.machine()),
            "libraries": libs, "alibi": versions, "environment": steps.environment, "describe": source.describe(),
            "wall_s": wall, "cpu_s": cpu_total, "workers": args.workers,
            "post": [{"file": n, "accepted": ok, "detected": d, "summary": s} for n, ok, d, s in post],
            "acceptance": [{"ok": ok, "text": t} for ok, t in verdicts]}
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "rows": rows}, f, indent=1, default=float)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(markdown_table(rows))


def markdown_table(rows):
    lines = ["| scenario | n | mlopsgen | alibi Bonferroni | alibi FDR | CPU s per check (mlopsgen / alibi) |",
             "|---|---:|---|---|---|---|"]
    for row in rows:
        ab, af = row.get("alibi_bonferroni"), row.get("alibi_fdr")
        lines.append("| %s | %d | %s | %s | %s | %.3f / %s |" % (
            SCENARIOS[row["scenario"]], row["n"], fmt_rate(row["detected"], row["accepted"]),
            fmt_rate(ab["detected"], ab["batches"]) if ab else "-", fmt_rate(af["detected"], af["batches"]) if af else "-",
            row["cpu_mean"] or 0, "%.4f" % ab["cpu_mean"] if ab and ab["cpu_mean"] is not None else "-"))
    return "\n".join(lines) + "\n"


def acceptance(rows, mammography):
    """Issue 19's acceptance figures, cell by cell."""
    out = []
    by = {(r["scenario"], r["n"]): r for r in rows}
    for r in rows:
        if r["scenario"] in NULL_SCENARIOS and r["accepted"]:
            lo, hi = r["wilson"]
            out.append((r["rate"] <= 0.05 and hi <= 0.10, "false alarms %s n=%d: %.1f %% (upper %.1f %%) <= 5 %% (upper <= 10 %%)"
                        % (r["scenario"], r["n"], 100 * r["rate"], 100 * hi)))
    if mammography:
        for scenario, n, need in (("age_shift", 1000, 0.8), ("age_outliers", 1000, 0.8), ("mild_outliers", 1000, 0.8),
                                  ("missing", 1000, 0.8), ("margin", 1000, 0.7), ("unseen", 48, 0.8),
                                  ("correlation", 1000, 0.5)):
            r = by.get((scenario, n))
            if r and r["accepted"]:
                out.append((r["rate"] >= need, "detection %s n=%d: %.1f %% >= %.0f %%" % (scenario, n, 100 * r["rate"], 100 * need)))
    for r in rows:
        if r["n"] < 200 or r["scenario"] in NULL_SCENARIOS or not r["accepted"]:
            continue
        for c in ("bonferroni", "fdr"):
            a = r.get("alibi_" + c)
            if a and a["batches"]:
                below = r["wilson"][1] < a["wilson"][0]
                out.append((not below, "%s n=%d not below alibi %s beyond the intervals: %.1f %% [.., %.1f] vs %.1f %% [%.1f, ..]"
                            % (r["scenario"], r["n"], c, 100 * r["rate"], 100 * r["wilson"][1], 100 * a["rate"],
                               100 * a["wilson"][0])))
    return out


if __name__ == "__main__":
    main()
