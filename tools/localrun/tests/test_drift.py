"""The statistics of the generated drift check agree with scipy computed directly.

The module under test is generated/prod/code/mammography-severity-model/drift_check.py (rendered
from templates/code/drift_check.py.tera), imported by path with its contract.py. Its settings are
read from DRIFT_* environment variables at import time; every test here runs at the values the
generated inference pipeline passes (false discovery rate 0.05, no PSI gate, joint test on)
unless it says otherwise (monkeypatching the module's globals, which check() reads at call time).

The expected values are computed here independently, on fixed (literal or seeded) samples: the
KS statistic from empirical CDFs and its p-value from scipy's ks_2samp, the chi-squared
homogeneity test from the contingency table (scipy's chi2_contingency) with a category unseen in
training kept, Fisher's exact test (scipy's fisher_exact), the Benjamini-Hochberg adjustment by
its step-up definition, the PSI and its chance level by their formulas.
"""

import csv
import importlib.util
import json
import math
import os
import sys

import numpy as np
import pytest
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, os.pardir, os.pardir, os.pardir))
CODE = os.path.join(ROOT, "generated", "prod", "code", "mammography-severity-model")
DRIFT_CHECK = os.path.join(CODE, "drift_check.py")

PIPELINE_ENV = {"DRIFT_FALSE_DISCOVERY_RATE": "0.05", "DRIFT_JOINT_TEST": "1"}
ALL_ENV = ("DRIFT_FALSE_DISCOVERY_RATE", "DRIFT_JOINT_TEST", "DRIFT_MIN_PSI")
EPS = 1e-4

# No __pycache__ beside the generated code.
sys.dont_write_bytecode = True
if CODE not in sys.path:
    sys.path.insert(0, CODE)
import contract  # noqa: E402


def load_drift_check(env, name):
    """A fresh copy of drift_check.py imported with `env` as the DRIFT_* variables."""
    saved = {k: os.environ.get(k) for k in ALL_ENV}
    try:
        for k in ALL_ENV:
            os.environ.pop(k, None)
        os.environ.update(env)
        spec = importlib.util.spec_from_file_location(name, DRIFT_CHECK)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


dc = load_drift_check(PIPELINE_ENV, "drift_check_under_test")

AGE, SHAPE, MARGIN, DENSITY = contract.FEATURES


# ----------------------------------------------------------------------------------------------
# Independent helpers
# ----------------------------------------------------------------------------------------------

def ecdf(sample, x):
    """Share of `sample` <= x."""
    s = np.sort(np.asarray(sample, dtype=float))
    return np.searchsorted(s, x, side="right") / len(s)


def ks_statistic(a, b):
    points = np.concatenate([a, b])
    return float(np.max(np.abs(ecdf(a, points) - ecdf(b, points))))


def bin_shares(values, edges):
    """Shares of `values` in (-inf, e1), [e1, e2), ..., [e_k, inf): a value on an edge counts in
    the bin above it."""
    counts = [0] * (len(edges) + 1)
    for v in values:
        counts[sum(1 for e in edges if v >= e)] += 1
    return [c / len(values) for c in counts]


def psi_formula(expected, actual):
    total = 0.0
    for e, a in zip(expected, actual):
        e, a = max(e, EPS), max(a, EPS)
        total += (a - e) * math.log(a / e)
    return total


def bh_by_definition(p, q):
    """Which hypotheses Benjamini-Hochberg rejects: all p <= p_(k) for the largest k with
    p_(k) <= k q / m."""
    m = len(p)
    ranked = sorted(p)
    k = max([i for i in range(1, m + 1) if ranked[i - 1] <= i * q / m], default=0)
    cut = ranked[k - 1] if k else -1.0
    return [v <= cut for v in p]


def numeric_base(train, missing=0):
    """A numeric feature's entry of statistics.json as baseline.py describes it, computed here:
    every observed value as the sample (fewer than 2000), the distinct deciles as bin edges."""
    train = [float(v) for v in train]
    edges = sorted(set(float(q) for q in np.quantile(train, np.linspace(0.1, 0.9, 9))))
    n = len(train) + missing
    return {"type": "numeric", "observed": len(train), "missing": missing, "missing_share": missing / n,
            "mean": float(np.mean(train)), "std": float(np.std(train)), "sample": sorted(train),
            "bin_edges": edges, "bin_shares": bin_shares(train, edges)}


def categorical_base(counts, missing=0):
    observed = sum(counts.values())
    n = observed + missing
    return {"type": "categorical", "observed": observed, "missing": missing, "missing_share": missing / n,
            "counts": dict(counts), "shares": {k: c / observed for k, c in counts.items()}}


def values_of(counts):
    return np.array([float(k) for k, c in counts.items() for _ in range(c)])


TRAIN_AGE = [float(v) for v in np.random.default_rng(11).normal(55.0, 12.0, 400).round()]
SAME_AGE = [float(v) for v in np.random.default_rng(12).normal(55.0, 12.0, 48).round()]
OLDER_AGE = [v + 15.0 for v in SAME_AGE]


# ----------------------------------------------------------------------------------------------
# Settings
# ----------------------------------------------------------------------------------------------

def test_settings_are_read_from_the_environment_at_import():
    assert (dc.FALSE_DISCOVERY_RATE, dc.MIN_PSI, dc.JOINT_TEST) == (0.05, None, True)
    other = load_drift_check({"DRIFT_FALSE_DISCOVERY_RATE": "0.01", "DRIFT_MIN_PSI": "0.1", "DRIFT_JOINT_TEST": "0"},
                             "drift_check_other")
    assert (other.FALSE_DISCOVERY_RATE, other.MIN_PSI, other.JOINT_TEST) == (0.01, 0.1, False)
    for m in (load_drift_check({}, "drift_check_unset"), load_drift_check({k: "" for k in ALL_ENV}, "drift_check_empty")):
        assert (m.FALSE_DISCOVERY_RATE, m.MIN_PSI, m.JOINT_TEST) == (0.05, None, True)


def test_pipeline_passes_the_settings_tested_here():
    path = os.path.join(ROOT, "generated", "prod", "pipelines", "mammography-severity-model-inference.json")
    with open(path, encoding="utf-8") as f:
        steps = json.load(f)["Steps"]

    def walk(items):
        for s in items:
            yield s
            if s.get("Type") == "Condition":
                yield from walk(s["Arguments"].get("IfSteps", []) + s["Arguments"].get("ElseSteps", []))

    env = [s for s in walk(steps) if s["Name"] == "CheckDrift"][0]["Arguments"]["Environment"]
    assert {k: v for k, v in env.items() if k.startswith("DRIFT_")} == PIPELINE_ENV


# ----------------------------------------------------------------------------------------------
# Numeric features: Kolmogorov-Smirnov, PSI, chance level
# ----------------------------------------------------------------------------------------------

def test_ks_on_a_tiny_sample_by_hand():
    base = numeric_base([1.0, 2.0, 3.0, 4.0])
    r = dc.numeric(base, np.array([3.0, 4.0, 5.0, 6.0]))
    # ECDFs at 1..6: training 1/4, 2/4, 3/4, 1, 1, 1; batch 0, 0, 1/4, 2/4, 3/4, 1: largest gap 1/2.
    assert r["statistic"] == pytest.approx(0.5)
    assert r["statistic"] == pytest.approx(ks_statistic([1, 2, 3, 4], [3, 4, 5, 6]))


@pytest.mark.parametrize("values", [SAME_AGE, OLDER_AGE], ids=["same", "older"])
def test_ks_matches_scipy_with_ties(values):
    r = dc.numeric(numeric_base(TRAIN_AGE), np.array(values))
    ks = stats.ks_2samp(TRAIN_AGE, values)
    assert r["test"] == "Kolmogorov-Smirnov"
    assert r["statistic"] == pytest.approx(ks_statistic(TRAIN_AGE, values), abs=1e-12)
    assert r["statistic"] == pytest.approx(ks.statistic, abs=1e-12)
    assert r["p_value"] == pytest.approx(ks.pvalue, rel=1e-12)


@pytest.mark.parametrize("values", [SAME_AGE, OLDER_AGE, [20.0, 21.0, 22.0]], ids=["same", "older", "young"])
def test_numeric_psi_over_the_baseline_bins_and_its_chance_level(values):
    base = numeric_base(TRAIN_AGE)
    r = dc.numeric(base, np.array(values))
    assert r["batch_shares"] == pytest.approx(bin_shares(values, base["bin_edges"]))
    assert r["psi"] == pytest.approx(psi_formula(base["bin_shares"], bin_shares(values, base["bin_edges"])))
    bins = len(base["bin_edges"]) + 1
    assert r["psi_chance"] == pytest.approx((bins - 1) * (1 / len(values) + 1 / len(TRAIN_AGE)))
    assert r["mean_shift_sd"] == pytest.approx((np.mean(values) - np.mean(TRAIN_AGE)) / np.std(TRAIN_AGE))


def test_psi_formula_and_floor():
    assert dc.psi([0.5, 0.5], [0.5, 0.5]) == 0.0
    assert dc.psi([0.5, 0.5, 0.0], [0.4, 0.4, 0.2]) == pytest.approx(psi_formula([0.5, 0.5, 0.0], [0.4, 0.4, 0.2]))


# ----------------------------------------------------------------------------------------------
# Categorical features: chi-squared homogeneity
# ----------------------------------------------------------------------------------------------

TRAIN_MARGIN = {"1": 350, "2": 25, "3": 115, "4": 280, "5": 140}


def test_chi_squared_is_the_homogeneity_test_of_the_two_samples():
    # Every cell expects 5 records or more: the asymptotic test.
    batch = {"1": 100, "2": 12, "3": 40, "4": 70, "5": 30}
    r = dc.categorical(categorical_base(TRAIN_MARGIN), values_of(batch), MARGIN, 0)
    table = [[TRAIN_MARGIN[k] for k in "12345"], [batch[k] for k in "12345"]]
    chi2, p, dof, _ = stats.chi2_contingency(table)
    assert dof == 4 and r["method"] == "asymptotic"
    assert r["test"] == "chi-squared" and r["statistic"] == pytest.approx(chi2) and r["p_value"] == pytest.approx(p)
    assert r["unseen_categories"] == {}


def permutation_p_value(training, batch, draws=20000, seed=77):
    """The chi-squared homogeneity p-value by shuffling which pooled records are the batch's."""
    pooled = np.repeat(np.arange(len(training)), np.array(training) + np.array(batch))
    n = int(sum(batch))
    chi2 = stats.chi2_contingency([training, batch], correction=False)[0]
    rng = np.random.default_rng(seed)
    more = 0
    for _ in range(draws):
        b = np.bincount(rng.permutation(pooled)[:n], minlength=len(training))
        more += stats.chi2_contingency([np.bincount(pooled, minlength=len(training)) - b, b], correction=False)[0] >= chi2 - 1e-9
    return (more + 1) / (draws + 1)


def test_a_sparse_table_gets_a_monte_carlo_exact_p_value():
    # 48 records: category 2 expects 1.2 of them, the asymptotic p-value would be too small.
    batch = {"1": 10, "2": 4, "3": 6, "4": 20, "5": 8}
    r = dc.categorical(categorical_base(TRAIN_MARGIN), values_of(batch), MARGIN, 0)
    training, counts = [TRAIN_MARGIN[k] for k in "12345"], [batch[k] for k in "12345"]
    chi2, asymptotic, _, _ = stats.chi2_contingency([training, counts])
    assert r["method"].startswith("Monte-Carlo") and r["statistic"] == pytest.approx(chi2)
    assert r["p_value"] == pytest.approx(permutation_p_value(training, counts, draws=4000), abs=0.02)
    assert r["p_value"] > asymptotic


def test_a_category_unseen_in_training_is_named_and_left_out_of_the_test():
    training = {"1": 350, "2": 0, "3": 115, "4": 280, "5": 140}
    # 48 records, one of them in category 2, which training never saw.
    batch = {"1": 18, "2": 1, "3": 7, "4": 15, "5": 7}
    r = dc.categorical(categorical_base(training), values_of(batch), MARGIN, 0)
    chi2, p, _, _ = stats.chi2_contingency([[training[k] for k in "1345"], [batch[k] for k in "1345"]])
    assert r["method"] == "asymptotic" and r["statistic"] == pytest.approx(chi2) and r["p_value"] == pytest.approx(p)
    assert r["unseen_categories"] == {"2": 1}


def test_a_category_neither_sample_has_is_left_out_of_the_table():
    training = {"1": 350, "2": 0, "3": 115, "4": 280, "5": 140}
    batch = {"1": 18, "2": 0, "3": 7, "4": 15, "5": 8}
    r = dc.categorical(categorical_base(training), values_of(batch), MARGIN, 0)
    chi2, p, dof, _ = stats.chi2_contingency([[training[k] for k in "1345"], [batch[k] for k in "1345"]])
    assert dof == 3 and r["p_value"] == pytest.approx(p) and r["statistic"] == pytest.approx(chi2)


def test_missing_values_are_one_more_level_of_a_categorical_feature():
    batch = {"1": 100, "2": 12, "3": 40, "4": 70, "5": 30}
    r = dc.categorical(categorical_base(TRAIN_MARGIN, missing=20), values_of(batch), MARGIN, 60)
    table = [[TRAIN_MARGIN[k] for k in "12345"] + [20], [batch[k] for k in "12345"] + [60]]
    chi2, p, dof, _ = stats.chi2_contingency(table)
    assert dof == 5 and r["statistic"] == pytest.approx(chi2) and r["p_value"] == pytest.approx(p)
    assert r["bins"][-1] == "(missing)" and r["shift"] == "missing values"
    r = dc.categorical(categorical_base(TRAIN_MARGIN, missing=20), values_of({"1": 40, "2": 3, "3": 6, "4": 0, "5": 0}), MARGIN, 1)
    assert r["shift"] == "distribution"


def test_one_category_in_both_samples_is_no_test():
    r = dc.categorical(categorical_base({"1": 10, "2": 0, "3": 0, "4": 0, "5": 0}), values_of({"1": 5}), MARGIN, 0)
    assert r["p_value"] is None


# ----------------------------------------------------------------------------------------------
# Missing values: Fisher's exact test
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("missing, records, train_missing, train_observed",
                         [(12, 40, 5, 395), (3, 40, 5, 395), (0, 40, 5, 395), (90, 1000, 5, 817)])
def test_missing_values_is_fisher_two_sided(missing, records, train_missing, train_observed):
    base = {"missing": train_missing, "observed": train_observed}
    expected = stats.fisher_exact([[missing, records - missing], [train_missing, train_observed]])[1]
    assert dc.missing_test(base, missing, records) == pytest.approx(expected)


def test_no_missing_value_anywhere_is_no_test():
    assert dc.missing_test({"missing": 0, "observed": 400}, 0, 48) is None


# ----------------------------------------------------------------------------------------------
# Benjamini-Hochberg
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [
    [0.01, 0.04, 0.03, 0.2, 0.5],
    [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216],
    [0.02, 0.02, 0.02, 0.02],
    [0.9],
    list(np.random.default_rng(3).uniform(0, 0.1, 25)),
])
@pytest.mark.parametrize("q", [0.05, 0.1])
def test_benjamini_hochberg_matches_its_definition(p, q):
    adjusted = dc.benjamini_hochberg(p)
    assert [a <= q for a in adjusted] == bh_by_definition(p, q)
    assert all(a >= v for a, v in zip(adjusted, p)) and all(a <= 1.0 for a in adjusted)


# ----------------------------------------------------------------------------------------------
# The whole check
# ----------------------------------------------------------------------------------------------

TRAIN_SHAPE = {"1": 220, "2": 210, "3": 100, "4": 400}
TRAIN_DENSITY = {"1": 15, "2": 60, "3": 800, "4": 12}


def statistics(reference=True, seed=5, n=400, density=TRAIN_DENSITY):
    """A baseline of four features whose reference records tie Shape to Margin (Margin = Shape
    or Shape + 1)."""
    rng = np.random.default_rng(seed)
    shape = rng.choice([1.0, 2.0, 3.0, 4.0], n, p=[0.24, 0.22, 0.11, 0.43])
    margin = np.minimum(shape + rng.integers(0, 2, n), 5.0)
    age = rng.normal(55.0, 12.0, n).round()
    dens = rng.choice([float(k) for k in density], n, p=np.array(list(density.values())) / sum(density.values()))
    rows = np.column_stack([age, shape, margin, dens])
    counts = lambda col, keys: {k: int(np.sum(col == float(k))) for k in keys}  # noqa: E731
    doc = {"version": 2, "features": {
        "Age": numeric_base(age, missing=2), "Shape": categorical_base(counts(shape, "1234"), missing=3),
        "Margin": categorical_base(counts(margin, "12345"), missing=4), "Density": categorical_base(counts(dens, "1234"))}}
    if reference:
        doc["reference"] = {"columns": ["Age", "Shape", "Margin", "Density"], "records": n, "seed": 0,
                            "rows": rows.tolist()}
    return doc, rows


def test_a_batch_like_training_does_not_drift():
    doc, rows = statistics()
    _, batch = statistics(reference=False, seed=6, n=300)
    d = dc.check(doc, batch)
    assert d["detected"] == 0 and d["drifted_features"] == [] and d["records"] == 300
    # Age is numeric with missing values in training: KS and Fisher. The categorical features'
    # missing values are a level of their chi-squared tables. And the joint test.
    assert [(h["feature"], h["test"][:7]) for h in d["hypotheses"]] == [
        ("Age", "Kolmogo"), ("Age", "missing"), ("Shape", "chi-squ"), ("Margin", "chi-squ"), ("Density", "chi-squ"),
        (None, "joint")]
    assert d["summary"].startswith("no drift: none of 6 tests over 4 features rejected at false discovery rate 0.05")


def test_the_adjusted_p_values_are_benjamini_hochberg_over_every_test():
    doc, _ = statistics()
    _, batch = statistics(reference=False, seed=6, n=300)
    batch[:, 0] += 6.0  # Age half a standard deviation older
    d = dc.check(doc, batch)
    p = [h["p_value"] for h in d["hypotheses"]]
    assert [h["rejected"] for h in d["hypotheses"]] == bh_by_definition(p, 0.05)
    assert d["features"]["Age"]["adjusted_p_value"] == pytest.approx(dc.benjamini_hochberg(p)[0])
    assert d["drifted_features"][0] == "Age" and d["detected"] == 1
    assert "Age (KS p=" in d["summary"] and "adj=" in d["summary"] and "PSI" in d["summary"]


def test_a_single_row_of_a_category_training_never_saw_drifts():
    doc, _ = statistics(density={"1": 15, "2": 60, "3": 800, "4": 0})
    _, batch = statistics(reference=False, seed=6, n=48, density={"1": 15, "2": 60, "3": 800, "4": 0})
    assert not (batch[:, 3] == 4.0).any()
    batch[7, 3] = 4.0
    d = dc.check(doc, batch)
    assert d["features"]["Density"]["unseen_categories"] == {"4": 1}
    assert "Density" in d["drifted_features"] and d["detected"] == 1
    assert d["features"]["Density"]["reason"] == "unseen categories"
    assert "unseen in training: 4 (1)" in d["summary"]
    # By rule, outside the false-discovery control: the tests' count and adjustment are unchanged.
    assert [h["test"] for h in d["hypotheses"] if h["p_value"] is None] == ["unseen categories (rule)"]


def test_more_missing_values_drift_without_a_minimum_rise():
    doc, _ = statistics()
    _, batch = statistics(reference=False, seed=6, n=1000)
    batch[:40, 0] = np.nan  # 4 % missing against 0.5 % in training: a 3.5-point rise
    batch[:40, 3] = np.nan  # Density: none missing in training
    d = dc.check(doc, batch)
    assert d["features"]["Age"]["reason"] == "missing values" and d["detected"] == 1
    assert d["features"]["Density"]["reason"] == "missing values"
    assert "Density (missing 4.0% vs 0.0% in training, chi-squared p=" in d["summary"]


def test_a_change_in_how_features_relate_is_seen_by_the_joint_test_only():
    doc, _ = statistics(n=800)
    _, batch = statistics(reference=False, seed=6, n=1000)
    batch[:, 2] = np.random.default_rng(9).permutation(batch[:, 2])  # Margin no longer follows Shape
    d = dc.check(doc, batch)
    assert d["drifted_features"] == []
    assert d["joint"]["drifted"] and d["joint"]["auc"] > 0.6 and d["detected"] == 1
    assert d["summary"].startswith("the features' joint distribution drifted")


def test_the_joint_test_keeps_its_level():
    doc, _ = statistics(n=600)
    rejected = 0
    for seed in range(40):
        _, batch = statistics(reference=False, seed=100 + seed, n=200)
        rejected += dc.joint(doc["reference"], batch)["p_value"] < 0.05
    assert rejected <= 6  # 5 % of 40 is 2; the binomial's 99.9 % bound is 7


def test_a_batch_that_repeats_its_records_does_not_trip_the_joint_test():
    doc, _ = statistics(n=800)
    _, batch = statistics(reference=False, seed=6, n=150)
    twice = np.vstack([batch, batch])
    j = dc.joint(doc["reference"], twice)
    assert j["p_value"] > 0.01 and j["auc"] < 0.6


def test_the_joint_test_says_why_it_did_not_run(monkeypatch):
    doc, batch = statistics(reference=False)
    assert "no reference records" in dc.check(doc, batch)["joint"]["skipped"]
    monkeypatch.setattr(dc, "JOINT_TEST", False)
    doc, batch = statistics()
    assert "turned off" in dc.check(doc, batch)["joint"]["skipped"]
    assert all(h["test"] != "joint" for h in dc.check(doc, batch)["hypotheses"])


def test_the_psi_gate_drops_significant_but_small_shifts(monkeypatch):
    doc, _ = statistics()
    _, batch = statistics(reference=False, seed=6, n=1000)
    batch[:, 0] += 4.0
    assert "Age" in dc.check(doc, batch)["drifted_features"]
    psi = dc.check(doc, batch)["features"]["Age"]["psi"]
    monkeypatch.setattr(dc, "MIN_PSI", psi + 0.01)
    d = dc.check(doc, batch)
    assert "Age" not in d["drifted_features"]
    assert [h.get("gated") for h in d["hypotheses"] if h["feature"] == "Age"][0] is True


def run_main(tmp_path, monkeypatch, doc, batch):
    for d in ("input/statistics", "input/canonical"):
        os.makedirs(tmp_path / d, exist_ok=True)
    with open(tmp_path / "input" / "statistics" / "statistics.json", "w", encoding="utf-8") as f:
        json.dump(doc, f)
    with open(tmp_path / "input" / "canonical" / "batch.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows([contract.number(v) for v in row] for row in batch)
    monkeypatch.setattr(dc, "BASE", str(tmp_path))
    monkeypatch.setattr(sys, "argv", ["drift_check.py", "--model-package-arn", "arn:test", "--execution-id", "x"])
    dc.main()
    with open(tmp_path / "drift" / "drift.json", encoding="utf-8") as f:
        return json.load(f)["drift"]


def test_main_reads_the_canonical_files_and_writes_every_report(tmp_path, monkeypatch):
    doc, _ = statistics()
    _, batch = statistics(reference=False, seed=6, n=200)
    batch[:, 0] += 15.0
    batch[3, 1] = np.nan
    d = run_main(tmp_path, monkeypatch, doc, batch)
    assert d["detected"] == 1 and d["drifted_features"][0] == "Age" and d["records"] == 200
    assert d["features"]["Age"]["p_value"] == pytest.approx(
        stats.ks_2samp(doc["features"]["Age"]["sample"], batch[:, 0]).pvalue, rel=1e-12)
    assert d["features"]["Shape"]["batch_missing_share"] == pytest.approx(1 / 200)
    out = tmp_path / "drift"
    assert (out / "drift.md").read_text(encoding="utf-8").startswith("# Drift check: DRIFT DETECTED")
    assert "<h2>Age</h2>" in (out / "drift.html").read_text(encoding="utf-8")
    # SageMaker Model Monitor's formats.
    monitor = json.loads((out / "statistics.json").read_text(encoding="utf-8"))
    assert monitor["dataset"] == {"item_count": 200}
    age = monitor["features"][0]
    assert age["name"] == "Age" and age["inferred_type"] == "Fractional"
    assert age["numerical_statistics"]["common"] == {"num_present": 200, "num_missing": 0}
    assert sum(b["count"] for b in age["numerical_statistics"]["distribution"]["kll"]["buckets"]) == 200
    shape = monitor["features"][1]["string_statistics"]
    assert shape["common"] == {"num_present": 199, "num_missing": 1}
    constraints = json.loads((out / "constraints.json").read_text(encoding="utf-8"))
    assert constraints["features"][1]["string_constraints"]["domains"] == ["1", "2", "3", "4"]
    assert constraints["monitoring_config"]["evaluate_constraints"] == "Enabled"
    violations = json.loads((out / "constraint_violations.json").read_text(encoding="utf-8"))["violations"]
    assert {"feature_name": "Age", "constraint_check_type": "baseline_drift_check"}.items() <= violations[0].items()


def test_main_on_a_batch_like_training_writes_no_violation(tmp_path, monkeypatch):
    doc, _ = statistics()
    _, batch = statistics(reference=False, seed=6, n=100)
    d = run_main(tmp_path, monkeypatch, doc, batch)
    assert d["detected"] == 0
    assert json.loads((tmp_path / "drift" / "constraint_violations.json").read_text(encoding="utf-8")) == {"violations": []}
