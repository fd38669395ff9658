"""False-alarm and detection rates of the builtin drift check, as the platform would see them.

Run in the pinned runtime of the SageMaker scikit-learn image's libraries::

    cd tools/localrun && $(python3 -m localrun runtime tests) drift_rates.py

What it does, with the generated code of generated/prod/code/mammography-severity-model/ (no copy
of its logic: the modules are imported and their ``main()`` called, with their ``BASE``
(/opt/ml/processing) pointed at temporary directories laid out as the pipelines' channels):

1. Baseline, as the train pipeline builds it: the stand-in of the UCI file
   (``data.uci_stand_in(seed)``) goes through the notebook's cells (``data.notebook_files``);
   ``mammo-train-dataset-part1.csv`` goes to preprocess.py (input/data), its profile/ to
   baseline.py (input/profile), which writes the version's statistics.json.
2. Batches, as the inference pipeline checks them: each batch file goes to prepare_batch.py
   (input/batch, input/preprocessing = that statistics.json); when accepted, its canonical/ goes
   to drift_check.py (input/canonical, input/statistics) with the thresholds the generated
   inference pipeline passes (its CheckDrift step's Environment). drift.json's
   ``drift.detected`` is what the pipeline's CheckForDrift reads.

Batches (48 rows each, the post's size), resampled WITH replacement from a pool of stand-in
records (--pool):

- ``holdout`` (default): the 139 stand-in records NOT in part1 (the baseline's training file):
  part2's 91 and the notebook batch's 48; none of them is in the baseline. A small pool: its own
  deviation from part1 is in every batch (with seed 1 it holds no Margin 2, 2.9 % in part1), so
  its rates overstate the false alarms of batches drawn from the training population.
- ``all``: all 961 stand-in records (86 % of them are in the baseline, so slightly optimistic).
- ``fresh``: each batch drawn (with replacement) from its own independent stand-in (seed
  100000 + i): the same generator, none of the baseline's records; the closest to "batches from
  the training population".

Scenarios on the same resampled rows:

- normal: the notebook's normal-batch format: ``data.preprocess_batch_data`` (a SimpleImputer
  fitted on the batch, median), no header, floats: the false-alarm rate;
- normal, missing kept: the notebook's "outliers" file format without outliers (header row,
  missing values empty, as ``notebook_files(outliers=False)`` writes it): a false-alarm rate
  that exercises the missing-value test too;
- outliers: that format with outliers injected by ``data.inject_outliers`` (seed 200000 + i):
  the detection rate;
- mild outliers: the same injection with Age + 5 years and 15 % of Shape/Margin set to 4/5
  (seed 300000 + i): a detection rate that tells the thresholds apart.

Plus the post's own two files (``mammo-batch-dataset.csv``, ``mammo-batch-dataset-outliers.csv``).

A batch whose file prepare_batch rejects never reaches the drift check; the notebook's median
imputation can write a category such as Shape 2.5 (the mean of the two middle values), which
the data contract rejects. Such batches are counted apart and left out of the rates.

Alternative thresholds: drift_check reads its thresholds from the environment at import time
into the module's globals P_VALUE, PSI, MISSING_SHARE and FEATURES_SHARE, which ``check()``
reads at call time; each alternative sets those globals and calls ``check()`` on every feature
of the batch's canonical rows (the same rows ``main()`` read), then applies ``main()``'s batch
rule (at least one feature drifted and their share >= FEATURES_SHARE). At the pipeline's
thresholds that result is checked against ``main()``'s own drift.json for every batch.
"""

import argparse
import contextlib
import csv
import io
import json
import math
import os
import shutil
import sys
import tempfile
import time

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, os.pardir, os.pardir))
MODEL = "mammography-severity-model"
CODE = os.path.join(ROOT, "generated", "prod", "code", MODEL)
PIPELINE = os.path.join(ROOT, "generated", "prod", "pipelines", MODEL + "-inference.json")
ENV = ("DRIFT_P_VALUE", "DRIFT_PSI", "DRIFT_MISSING_SHARE", "DRIFT_FEATURES_SHARE")

# No __pycache__ beside the generated code.
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
from localrun import data  # noqa: E402


def pipeline_thresholds():
    """The CheckDrift step's Environment in the generated inference pipeline."""
    with open(PIPELINE, encoding="utf-8") as f:
        definition = json.load(f)

    def steps(items):
        for s in items:
            yield s
            if s.get("Type") == "Condition":
                yield from steps(s["Arguments"].get("IfSteps", []) + s["Arguments"].get("ElseSteps", []))

    for s in steps(definition["Steps"]):
        if s["Name"] == "CheckDrift":
            return {k: v for k, v in s["Arguments"]["Environment"].items() if k in ENV}
    raise SystemExit("no CheckDrift step in " + PIPELINE)


# The generated modules, with the pipeline's thresholds in the environment as the step has them.
for _k, _v in pipeline_thresholds().items():
    os.environ[_k] = _v
sys.path.insert(0, CODE)
import contract  # noqa: E402
import preprocess  # noqa: E402
import baseline  # noqa: E402
import prepare_batch  # noqa: E402
import drift_check  # noqa: E402


class StepFailed(Exception):
    pass


def _fail(message, code=1):
    # contract.fail writes /opt/ml/output/message and exits; here a failure is an exception.
    raise StepFailed(message)


for _m in (contract, preprocess, baseline, prepare_batch, drift_check):
    if hasattr(_m, "fail"):
        _m.fail = _fail

DEFAULTS = (drift_check.P_VALUE, drift_check.PSI, drift_check.MISSING_SHARE, drift_check.FEATURES_SHARE)
NAMES = data.feature_columns_names
DTYPES = data.feature_columns_dtype


def run_step(module, base, *argv):
    """`python3 module.py argv` with /opt/ml/processing at `base`; returns what it printed."""
    module.BASE = base
    saved = sys.argv
    sys.argv = [module.__file__] + list(argv)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            module.main()
    finally:
        sys.argv = saved
    return out.getvalue()


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def fresh_dir(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


# --------------------------------------------------------------------------------------------
# The train pipeline's baseline
# --------------------------------------------------------------------------------------------

def build_baseline(part1_text, work):
    pre = fresh_dir(os.path.join(work, "preprocess"))
    write(os.path.join(pre, "input", "data", data.TRAIN_PART1), part1_text)
    run_step(preprocess, pre)
    base = fresh_dir(os.path.join(work, "baseline"))
    shutil.copytree(os.path.join(pre, "profile"), os.path.join(base, "input", "profile"))
    run_step(baseline, base)
    return os.path.join(base, "baseline", "statistics.json")


# --------------------------------------------------------------------------------------------
# Batch files in the notebook's formats
# --------------------------------------------------------------------------------------------

def normal_file(rows):
    """The notebook's mammo-batch-dataset.csv of `rows` (raw frame, columns 0-4, '?' kept)."""
    imputed = data.preprocess_batch_data(NAMES, DTYPES, rows.copy())
    return pd.DataFrame(imputed).to_csv(header=False, index=False)


def float_frame(rows):
    frame = rows.copy()
    frame.replace("?", "NaN", inplace=True)
    frame.columns = NAMES
    return frame.astype(DTYPES)


def missing_kept_file(rows):
    """The notebook's mammo-batch-dataset-outliers.csv of `rows` without outliers."""
    return float_frame(rows).to_csv(index=False)


def outliers_file(rows, seed, age_shift=None, fraction=None):
    """The same with outliers injected as data.notebook_files does; `age_shift` and `fraction`
    (data.OUTLIER_AGE_SHIFT and data.OUTLIER_FRACTION, read by inject_outliers at call time)
    make them milder."""
    saved = data.OUTLIER_AGE_SHIFT, data.OUTLIER_FRACTION
    if age_shift is not None:
        data.OUTLIER_AGE_SHIFT = age_shift
    if fraction is not None:
        data.OUTLIER_FRACTION = fraction
    try:
        return data.inject_outliers(float_frame(rows), seed).to_csv(index=False)
    finally:
        data.OUTLIER_AGE_SHIFT, data.OUTLIER_FRACTION = saved


def notebook_split(uci_text):
    """The raw frame and the index labels of the notebook's batch, part2 and part1."""
    frame = pd.read_csv(io.StringIO(uci_text), header=None)
    batch = frame.sample(frac=0.05, random_state=200)
    raw = frame.drop(batch.index)
    part2 = raw.sample(frac=0.1, random_state=200)
    part1 = raw.drop(part2.index)
    return frame, batch.index, part2.index, part1.index


# --------------------------------------------------------------------------------------------
# The inference pipeline's PrepareBatch and CheckDrift
# --------------------------------------------------------------------------------------------

class Checker:
    def __init__(self, statistics_path, work):
        self.statistics_path = statistics_path
        with open(statistics_path, encoding="utf-8") as f:
            self.statistics = json.load(f)
        self.work = work
        self.count = 0

    def run(self, name, text):
        """(batch.json's batch, drift.json's drift or None, canonical rows or None)."""
        self.count += 1
        b = fresh_dir(os.path.join(self.work, "prepare"))
        write(os.path.join(b, "input", "batch", name), text)
        os.makedirs(os.path.join(b, "input", "preprocessing"))
        shutil.copy(self.statistics_path, os.path.join(b, "input", "preprocessing", "statistics.json"))
        run_step(prepare_batch, b, "--source", name, "--execution-id", str(self.count))
        with open(os.path.join(b, "report", "batch.json"), encoding="utf-8") as f:
            batch = json.load(f)["batch"]
        if not batch["accepted"]:
            return batch, None, None
        d = fresh_dir(os.path.join(self.work, "drift"))
        shutil.copytree(os.path.join(b, "canonical"), os.path.join(d, "input", "canonical"))
        os.makedirs(os.path.join(d, "input", "statistics"))
        shutil.copy(self.statistics_path, os.path.join(d, "input", "statistics", "statistics.json"))
        run_step(drift_check, d, "--model-package-arn", "local", "--execution-id", str(self.count))
        with open(os.path.join(d, "drift", "drift.json"), encoding="utf-8") as f:
            drift = json.load(f)["drift"]
        with open(os.path.join(d, "input", "canonical", "batch.csv"), newline="", encoding="utf-8") as f:
            rows = [r for r in csv.reader(f) if r]
        return batch, drift, rows

    def decide(self, rows, thresholds):
        """drift_check's verdict on canonical `rows` at `thresholds`: (detected, drifted features)."""
        saved = (drift_check.P_VALUE, drift_check.PSI, drift_check.MISSING_SHARE, drift_check.FEATURES_SHARE)
        (drift_check.P_VALUE, drift_check.PSI, drift_check.MISSING_SHARE, drift_check.FEATURES_SHARE) = thresholds
        try:
            drifted = []
            for j, column in enumerate(contract.FEATURES):
                base = self.statistics["features"][column["name"]]
                values = [float(r[j]) if r[j] != "" else None for r in rows]
                if drift_check.check(column["name"], column, base, values, len(rows))["drifted"]:
                    drifted.append(column["name"])
            share = len(drifted) / len(contract.FEATURES)
            return bool(drifted) and share >= drift_check.FEATURES_SHARE, drifted
        finally:
            (drift_check.P_VALUE, drift_check.PSI, drift_check.MISSING_SHARE, drift_check.FEATURES_SHARE) = saved


def grid():
    combos = [DEFAULTS]
    for p in (0.05, 0.01, 0.001):
        for psi in (0.1, 0.2, 0.25):
            for share in (0.25, 0.5):
                c = (p, psi, DEFAULTS[2], share)
                if c not in combos:
                    combos.append(c)
    return combos


class Tally:
    def __init__(self, combos):
        self.combos = combos
        self.accepted = 0
        self.rejected = 0
        self.rejections = {}
        self.flagged = {c: 0 for c in combos}
        self.by_feature = {}
        self.psi = {}

    def add(self, checker, batch, drift, rows, alternatives=True):
        if drift is None:
            self.rejected += 1
            key = batch["summary"].split(" (")[0]
            self.rejections[key] = self.rejections.get(key, 0) + 1
            return
        self.accepted += 1
        for n, r in drift["features"].items():
            self.psi.setdefault(n, []).append(r["psi"])
        for c in self.combos:
            if c == DEFAULTS:
                detected, drifted = bool(drift["detected"]), drift["drifted_features"]
                mine = checker.decide(rows, c)
                if mine[0] != detected or sorted(mine[1]) != sorted(drifted):
                    raise AssertionError("check() at the defaults disagrees with main(): %r vs %r" % (mine, drift))
                if detected:
                    for n in drifted:
                        self.by_feature[n] = self.by_feature.get(n, 0) + 1
            elif alternatives:
                detected = checker.decide(rows, c)[0]
            else:
                continue
            self.flagged[c] += int(detected)

    def rate(self, c):
        return self.flagged[c] / self.accepted if self.accepted else float("nan")


def wilson(k, n, z=1.96):
    if n == 0:
        return float("nan"), float("nan")
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def cell(t, c):
    if not t.accepted:
        return "-"
    return "%3d/%-3d %5.1f%%" % (t.flagged[c], t.accepted, 100 * t.rate(c))


SCENARIOS = ("normal", "missing kept", "outliers", "mild outliers")
MILD = (5.0, 0.15)


def simulate(pool_name, frame, pool, batches, sample_seed, checker, combos, alternatives):
    rng = np.random.default_rng(sample_seed)
    tallies = {s: Tally(combos) for s in SCENARIOS}
    for i in range(batches):
        if pool_name == "fresh":
            f = pd.read_csv(io.StringIO(data.uci_stand_in(100000 + i)), header=None)
            idx = rng.choice(len(f), size=48, replace=True)
            rows = f.iloc[idx, :5].reset_index(drop=True)
        else:
            idx = rng.choice(pool, size=48, replace=True)
            # reset_index: labels drawn twice must not share a label (inject_outliers assigns by label)
            rows = frame.loc[idx, list(range(5))].reset_index(drop=True)
        for scenario, text in (("normal", normal_file(rows)), ("missing kept", missing_kept_file(rows)),
                               ("outliers", outliers_file(rows, 200000 + i)),
                               ("mild outliers", outliers_file(rows, 300000 + i, *MILD))):
            name = data.BATCH if scenario == "normal" else data.BATCH_OUTLIERS
            tallies[scenario].add(checker, *checker.run(name, text), alternatives=alternatives)
    return tallies


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1, help="seed of the UCI stand-in (default 1, as localrun.data)")
    parser.add_argument("--batches", type=int, default=200, help="resampled batches per scenario (default 200)")
    parser.add_argument("--sample-seed", type=int, default=20240601, help="seed of the resampling")
    parser.add_argument("--pool", choices=("holdout", "all", "fresh"), default="holdout",
                        help="records the batches are resampled from (default holdout; see the docstring)")
    parser.add_argument("--other-pools", action="store_true",
                        help="also run the other two pools (pipeline thresholds only)")
    args = parser.parse_args()
    started = time.time()

    uci = data.uci_stand_in(args.seed)
    files = data.notebook_files(uci)
    frame, batch_idx, part2_idx, part1_idx = notebook_split(uci)
    # The split and the formats here are the notebook's: they reproduce its files.
    assert frame.loc[part1_idx].to_csv(index=False) == files[data.TRAIN_PART1]
    assert normal_file(frame.loc[batch_idx, list(range(5))]) == files[data.BATCH]
    assert outliers_file(frame.loc[batch_idx, list(range(5))], data.OUTLIER_SEED) == files[data.BATCH_OUTLIERS]
    holdout = np.sort(np.concatenate([np.asarray(batch_idx), np.asarray(part2_idx)]))
    assert len(set(holdout) & set(part1_idx)) == 0
    pools = {"holdout": holdout, "all": np.asarray(frame.index), "fresh": None}

    combos = grid()
    with tempfile.TemporaryDirectory(prefix="drift-rates-") as work:
        statistics = build_baseline(files[data.TRAIN_PART1], work)
        checker = Checker(statistics, work)
        post = {}
        for name in (data.BATCH, data.BATCH_OUTLIERS):
            batch, drift, rows = checker.run(name, files[name])
            post[name] = (batch, drift, rows)
        tallies = simulate(args.pool, frame, pools[args.pool], args.batches, args.sample_seed, checker, combos,
                           True)
        others = {}
        if args.other_pools:
            for pool in ("holdout", "all", "fresh"):
                if pool != args.pool:
                    others[pool] = simulate(pool, frame, pools[pool], args.batches, args.sample_seed, checker,
                                            [DEFAULTS], False)

        print("Drift check of generated/prod/code/%s, baseline from %s of stand-in seed %d (%d records)"
              % (MODEL, data.TRAIN_PART1, args.seed, checker.statistics["records"]))
        print("pipeline thresholds (CheckDrift Environment): p_value %g, psi %g, missing_share %g, "
              "drifted_features_share %g" % DEFAULTS)
        print("%d batches of 48 rows per scenario, resampled with replacement from pool %r (%s), sample seed %d"
              % (args.batches, args.pool, "%d records" % len(pools[args.pool]) if pools[args.pool] is not None
                 else "an independent stand-in per batch", args.sample_seed))
        for scenario, t in tallies.items():
            extra = ""
            if t.rejected:
                extra = "; %d rejected by PrepareBatch: %s" % (t.rejected, "; ".join(
                    "%s x%d" % (k, v) for k, v in sorted(t.rejections.items(), key=lambda kv: -kv[1])[:3]))
            print("  %-13s %d accepted%s" % (scenario + ":", t.accepted, extra))
        print()
        header = "%-7s %-5s %-5s | %-19s | %-19s | %-19s | %-19s | %-9s %-9s" % (
            "p_value", "psi", "share", "FA: normal", "FA: missing kept", "DR: outliers", "DR: mild outliers",
            "post norm", "post outl")
        print(header)
        print("-" * len(header))
        for c in combos:
            marks = []
            for name in (data.BATCH, data.BATCH_OUTLIERS):
                batch, drift, rows = post[name]
                marks.append("rejected" if drift is None else ("DRIFT" if checker.decide(rows, c)[0] else "ok"))
            print("%-7g %-5g %-5g | %-19s | %-19s | %-19s | %-19s | %-9s %-9s%s" % (
                c[0], c[1], c[3], cell(tallies["normal"], c), cell(tallies["missing kept"], c),
                cell(tallies["outliers"], c), cell(tallies["mild outliers"], c), marks[0], marks[1],
                "  <- pipeline" if c == DEFAULTS else ""))
        print("FA: false-alarm rate, DR: detection rate (flagged / accepted batches); share: "
              "drifted_features_share; missing_share %g throughout; post norm/outl: the post's two files"
              % DEFAULTS[2])
        print()
        print("95% Wilson intervals at the pipeline thresholds:")
        for scenario, t in tallies.items():
            lo, hi = wilson(t.flagged[DEFAULTS], t.accepted)
            feats = ", ".join("%s %d" % kv for kv in sorted(t.by_feature.items(), key=lambda kv: -kv[1]))
            print("  %-13s %5.1f%% [%4.1f%%, %5.1f%%]   features drifted in flagged batches: %s"
                  % (scenario, 100 * t.rate(DEFAULTS), 100 * lo, 100 * hi, feats or "none"))
        for name in (data.BATCH, data.BATCH_OUTLIERS):
            batch, drift, rows = post[name]
            print("  %s: %s" % (name, batch["summary"] if drift is None else drift["summary"]))
        print()
        print("PSI of each feature (median / 95th percentile; share of batches with PSI >= %g):" % DEFAULTS[1])
        for scenario, t in tallies.items():
            print("  %-13s %s" % (scenario, "   ".join(
                "%s %.2f/%.2f (%.0f%%)" % (n, np.median(v), np.percentile(v, 95),
                                          100 * np.mean(np.array(v) >= DEFAULTS[1]))
                for n, v in t.psi.items())))
        for pool, ts in others.items():
            print()
            print("pool %r at the pipeline thresholds:" % pool)
            for scenario, t in ts.items():
                lo, hi = wilson(t.flagged[DEFAULTS], t.accepted)
                print("  %-13s %s  [%4.1f%%, %5.1f%%]%s" % (
                    scenario, cell(t, DEFAULTS), 100 * lo, 100 * hi,
                    "  (%d rejected by PrepareBatch)" % t.rejected if t.rejected else ""))
        print()
        print("%d batch files checked in %.1f s" % (checker.count, time.time() - started))


if __name__ == "__main__":
    main()
