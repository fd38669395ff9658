"""The statistics of the generated drift check agree with scipy computed directly.

The module under test is generated/prod/code/mammography-severity-model/drift_check.py (rendered
from templates/code/drift_check.py.tera), imported by path with its contract.py. Its thresholds
are read from DRIFT_* environment variables at import time; every test here runs at the values
the generated inference pipeline passes (p_value 0.01, psi 0.2, missing_share 0.1,
drifted_features_share 0.25) unless it says otherwise (monkeypatching the module's globals,
which check() and main() read at call time).

The expected values are computed here independently: the empirical CDFs of the KS statistic,
the bins of the PSI, the smoothing and pooling of the chi-squared test's cells, the smoothed
binomial null of the missing-share test, and the decision rules, on fixed (literal or seeded)
samples.
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

PIPELINE_ENV = {"DRIFT_P_VALUE": "0.01", "DRIFT_PSI": "0.2", "DRIFT_MISSING_SHARE": "0.1",
                "DRIFT_FEATURES_SHARE": "0.25"}
EPS = 1e-4

# No __pycache__ beside the generated code.
sys.dont_write_bytecode = True
if CODE not in sys.path:
    sys.path.insert(0, CODE)
import contract  # noqa: E402


def load_drift_check(env, name):
    """A fresh copy of drift_check.py imported with `env` as the DRIFT_* variables."""
    saved = {k: os.environ.get(k) for k in PIPELINE_ENV}
    try:
        for k in PIPELINE_ENV:
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


def numeric_base(train, missing=0):
    """A numeric feature's entry of statistics.json as baseline.py describes it, computed here:
    every observed value as the sample (fewer than 2000), the distinct deciles as bin edges."""
    train = [float(v) for v in train]
    edges = sorted(set(float(q) for q in np.quantile(train, np.linspace(0.1, 0.9, 9))))
    n = len(train) + missing
    return {"type": "numeric", "observed": len(train), "missing": missing, "missing_share": missing / n,
            "mean": float(np.mean(train)), "sample": sorted(train), "bin_edges": edges,
            "bin_shares": bin_shares(train, edges)}


def categorical_base(counts, missing=0):
    observed = sum(counts.values())
    n = observed + missing
    return {"type": "categorical", "observed": observed, "missing": missing, "missing_share": missing / n,
            "counts": dict(counts), "shares": {k: c / observed for k, c in counts.items()}}


TRAIN_AGE = [float(v) for v in np.random.default_rng(11).normal(55.0, 12.0, 400).round()]
SAME_AGE = [float(v) for v in np.random.default_rng(12).normal(55.0, 12.0, 48).round()]
OLDER_AGE = [v + 15.0 for v in SAME_AGE]


# ----------------------------------------------------------------------------------------------
# Thresholds
# ----------------------------------------------------------------------------------------------

def test_thresholds_are_read_from_the_environment_at_import():
    assert (dc.P_VALUE, dc.PSI, dc.MISSING_SHARE, dc.FEATURES_SHARE) == (0.01, 0.2, 0.1, 0.25)
    other = load_drift_check({"DRIFT_P_VALUE": "0.05", "DRIFT_PSI": "0.1", "DRIFT_MISSING_SHARE": "0.3",
                              "DRIFT_FEATURES_SHARE": "0.5"}, "drift_check_other")
    assert (other.P_VALUE, other.PSI, other.MISSING_SHARE, other.FEATURES_SHARE) == (0.05, 0.1, 0.3, 0.5)
    unset = load_drift_check({}, "drift_check_unset")
    empty = load_drift_check({k: "" for k in PIPELINE_ENV}, "drift_check_empty")
    for m in (unset, empty):
        assert (m.P_VALUE, m.PSI, m.MISSING_SHARE, m.FEATURES_SHARE) == (0.01, 0.2, 0.1, 0.25)


def test_pipeline_passes_the_thresholds_tested_here():
    path = os.path.join(ROOT, "generated", "prod", "pipelines", "mammography-severity-model-inference.json")
    with open(path, encoding="utf-8") as f:
        steps = json.load(f)["Steps"]
    found = []

    def walk(items):
        for s in items:
            if s["Name"] == "CheckDrift":
                found.append(s["Arguments"]["Environment"])
            if s["Type"] == "Condition":
                walk(s["Arguments"].get("IfSteps", []) + s["Arguments"].get("ElseSteps", []))

    walk(steps)
    assert found == [PIPELINE_ENV]


# ----------------------------------------------------------------------------------------------
# Numeric features: Kolmogorov-Smirnov and PSI over the baseline's decile bins
# ----------------------------------------------------------------------------------------------

def test_ks_on_a_tiny_sample_by_hand():
    base = numeric_base([1, 2, 3, 4, 5])
    r = dc.numeric(base, [3.0, 4.0, 5.0, 6.0, 7.0])
    # ECDFs at 2: 0.4 vs 0; at 5: 1.0 vs 0.6.
    assert r["statistic"] == pytest.approx(0.4, abs=1e-12)
    ks = stats.ks_2samp([1, 2, 3, 4, 5], [3, 4, 5, 6, 7])
    assert r["p_value"] == pytest.approx(ks.pvalue, rel=1e-12)
    assert r["p_value"] > 0.3


@pytest.mark.parametrize("values, drifts", [(SAME_AGE, False), (OLDER_AGE, True)], ids=["same", "older"])
def test_ks_matches_scipy(values, drifts):
    base = numeric_base(TRAIN_AGE)
    r = dc.numeric(base, values)
    ks = stats.ks_2samp(TRAIN_AGE, values)
    assert r["test"] == "Kolmogorov-Smirnov"
    assert r["statistic"] == pytest.approx(ks.statistic, rel=1e-12)
    assert r["statistic"] == pytest.approx(ks_statistic(TRAIN_AGE, values), rel=1e-12)
    assert r["p_value"] == pytest.approx(ks.pvalue, rel=1e-12)
    assert r["batch_mean"] == pytest.approx(np.mean(values))
    if drifts:
        assert r["p_value"] < 1e-6
    else:
        assert r["p_value"] > 0.1


@pytest.mark.parametrize("values", [SAME_AGE, OLDER_AGE, [20.0, 21.0, 22.0]], ids=["same", "older", "young"])
def test_numeric_psi_is_the_formula_over_the_baseline_bins(values):
    base = numeric_base(TRAIN_AGE)
    r = dc.numeric(base, values)
    shares = bin_shares(values, base["bin_edges"])
    assert r["batch_shares"] == pytest.approx(shares, abs=1e-15)
    assert r["training_shares"] == pytest.approx(base["bin_shares"], abs=1e-15)
    assert len(r["bins"]) == len(base["bin_edges"]) + 1
    assert r["psi"] == pytest.approx(psi_formula(base["bin_shares"], shares), rel=1e-12)


def test_a_value_on_a_bin_edge_counts_in_the_bin_above():
    base = {"sample": [0.0, 1.0, 2.0, 3.0], "bin_edges": [1.0, 2.0], "bin_shares": [0.25, 0.25, 0.5], "mean": 1.5}
    r = dc.numeric(base, [1.0, 2.0, 2.0, 5.0])
    assert r["batch_shares"] == [0.0, 0.25, 0.75]
    assert r["bins"] == ["< 1", "1 to 2", ">= 2"]


def test_psi_formula_and_floor():
    assert dc.psi([0.5, 0.3, 0.2, 0.0], [0.25, 0.25, 0.5, 0.0]) == pytest.approx(
        (0.25 - 0.5) * math.log(0.25 / 0.5) + (0.25 - 0.3) * math.log(0.25 / 0.3) + (0.5 - 0.2) * math.log(0.5 / 0.2),
        rel=1e-12)
    # An empty bin counts as a share of 1e-4, not 0 (which would make the PSI infinite).
    assert dc.psi([0.5, 0.5], [1.0, 0.0]) == pytest.approx(
        0.5 * math.log(2.0) + (1e-4 - 0.5) * math.log(1e-4 / 0.5), rel=1e-12)
    assert dc.psi([0.0, 1.0], [0.1, 0.9]) == pytest.approx(
        (0.1 - 1e-4) * math.log(0.1 / 1e-4) + (0.9 - 1.0) * math.log(0.9), rel=1e-12)
    assert dc.psi([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]) == 0.0
    assert dc.psi([0.2, 0.3, 0.5], [0.3, 0.3, 0.4]) > 0.0


# ----------------------------------------------------------------------------------------------
# Categorical features: chi-squared on pooled cells, PSI over categories
# ----------------------------------------------------------------------------------------------

def values_of(counts):
    return [float(k) for k, c in counts.items() for _ in range(c)]


def test_chi_squared_pools_categories_expected_fewer_than_5_times():
    base = categorical_base({"1": 400, "2": 300, "3": 200, "4": 60, "5": 40})
    batch = {"1": 10, "2": 10, "3": 6, "4": 8, "5": 6}
    n = 40
    # By hand: training counts + 0.5, shares of 1002.5, times 40 records.
    smoothed = [400.5, 300.5, 200.5, 60.5, 40.5]
    e1, e2, e3, e4, e5 = [c / 1002.5 * n for c in smoothed]
    assert e5 < e4 < 5 and e4 + e5 < 5 <= e3  # 1.62 and 2.41 expected: pooled,
    assert e3 + e4 + e5 >= 5 and e2 < e3 + e4 + e5  # and still short: pooled with "3" (8.0), the next smallest
    f_obs = [10, 10, 6 + 8 + 6]
    f_exp = [e1, e2, e3 + e4 + e5]
    expected = stats.chisquare(f_obs, f_exp)
    r = dc.categorical(base, values_of(batch), MARGIN)
    assert r["test"] == "chi-squared"
    assert r["statistic"] == pytest.approx(expected.statistic, rel=1e-12)
    assert r["p_value"] == pytest.approx(expected.pvalue, rel=1e-12)
    # Without the pooling the test would say something else (so this test sees the pooling).
    unpooled = stats.chisquare([10, 10, 6, 8, 6], [e1, e2, e3, e4, e5])
    assert abs(unpooled.pvalue - r["p_value"]) > 1e-3
    shares = [c / 1002.5 for c in smoothed]
    assert r["bins"] == ["1", "2", "3", "4", "5"]
    assert r["training_shares"] == pytest.approx(shares, rel=1e-12)
    assert r["batch_shares"] == pytest.approx([c / n for c in batch.values()], rel=1e-12)
    assert r["psi"] == pytest.approx(psi_formula(shares, [c / n for c in batch.values()]), rel=1e-12)


def test_chi_squared_without_pooling_and_a_drifting_category():
    base = categorical_base({"1": 100, "2": 100, "3": 100, "4": 100})
    batch = {"1": 10, "2": 10, "3": 10, "4": 30}
    r = dc.categorical(base, values_of(batch), SHAPE)
    # Every cell expects 15 (shares 100.5/402): no pooling, 3 degrees of freedom.
    expected = stats.chisquare([10, 10, 10, 30], [15.0, 15.0, 15.0, 15.0])
    assert r["statistic"] == pytest.approx(expected.statistic, rel=1e-12)
    assert r["statistic"] == pytest.approx(20.0, rel=1e-12)  # 3 * 25/15 + 225/15
    assert r["p_value"] == pytest.approx(expected.pvalue, rel=1e-12)
    assert r["p_value"] == pytest.approx(stats.chi2.sf(20.0, 3), rel=1e-12)
    assert r["psi"] == pytest.approx(3 * (1 / 6 - 1 / 4) * math.log((1 / 6) / (1 / 4)) + (0.5 - 0.25) * math.log(2))
    res = dc.check("Shape", SHAPE, base, values_of(batch), 60)
    assert res["drifted"] and res["reason"] == "distribution"
    same = dc.check("Shape", SHAPE, base, values_of({"1": 15, "2": 14, "3": 16, "4": 15}), 60)
    assert same["p_value"] > 0.5 and not same["drifted"]


def test_chi_squared_when_everything_pools_into_one_cell():
    base = categorical_base({"1": 100, "2": 100, "3": 100, "4": 100})
    r = dc.categorical(base, [1.0, 2.0, 4.0, 4.0], SHAPE)  # 1 expected in each cell: one pooled cell
    assert (r["statistic"], r["p_value"]) == (0.0, 1.0)


def test_a_category_unseen_in_training_is_smoothed():
    base = categorical_base({"1": 0, "2": 50, "3": 50, "4": 0})
    r = dc.categorical(base, values_of({"1": 10, "2": 5, "3": 5}), SHAPE)
    shares = [0.5 / 102, 50.5 / 102, 50.5 / 102, 0.5 / 102]
    assert r["training_shares"] == pytest.approx(shares, rel=1e-12)
    e = [s * 20 for s in shares]  # 0.098, 9.9, 9.9, 0.098: "4" pooled with "1", then with "2"
    expected = stats.chisquare([10 + 0 + 5, 5], [e[0] + e[3] + e[1], e[2]])
    assert r["p_value"] == pytest.approx(expected.pvalue, rel=1e-12)
    assert r["psi"] == pytest.approx(psi_formula(shares, [0.5, 0.25, 0.25, 0.0]), rel=1e-12)


# ----------------------------------------------------------------------------------------------
# Missing values: one-sided binomial test against the smoothed training share
# ----------------------------------------------------------------------------------------------

def with_missing(values, k):
    return [None] * k + list(values)[: len(values) - k]


@pytest.mark.parametrize("k, records, drifts", [(12, 40, True), (3, 40, False), (1, 5, False), (0, 40, False)],
                         ids=["many", "few", "not-significant", "none"])
def test_missing_share_p_value_is_binomtest_greater(k, records, drifts):
    base = numeric_base(TRAIN_AGE[:95], missing=5)  # 5 of 100 missing in training
    values = with_missing(TRAIN_AGE[200:200 + records], k)
    r = dc.check("Age", AGE, base, values, records)
    p0 = (5 + 0.5) / (95 + 5 + 1.0)
    assert r["missing_p_value"] == pytest.approx(
        stats.binomtest(k, records, p0, alternative="greater").pvalue, rel=1e-12)
    assert r["missing_p_value"] == pytest.approx(stats.binom.sf(k - 1, records, p0), rel=1e-9)
    assert r["batch_missing_share"] == k / records and r["training_missing_share"] == 0.05
    assert r["observed"] == records - k
    assert r["p_value"] > dc.P_VALUE  # the observed values are training values: no distribution shift
    assert r["drifted"] is drifts
    assert r["reason"] == ("missing values" if drifts else "")
    if (k, records) == (1, 5):  # rises by 0.15 >= 0.1 but one record in five is no evidence
        assert k / records - 0.05 >= dc.MISSING_SHARE and r["missing_p_value"] > dc.P_VALUE


def test_a_clean_training_set_does_not_make_a_missing_value_impossible():
    base = categorical_base({"1": 300, "2": 300, "3": 200, "4": 200})  # no missing value
    r = dc.check("Density", DENSITY, base, [None] + values_of({"1": 12, "2": 12, "3": 12, "4": 11}), 48)
    p0 = 0.5 / 1001.0
    assert r["missing_p_value"] == pytest.approx(stats.binomtest(1, 48, p0, alternative="greater").pvalue)
    assert 0.0 < r["missing_p_value"] < 0.05 and not r["drifted"]  # 1/48 = 2 % < +10 %
    r = dc.check("Density", DENSITY, base, [None] * 8 + values_of({"1": 10, "2": 10, "3": 10, "4": 10}), 48)
    assert r["drifted"] and r["reason"] == "missing values"


def test_every_value_missing():
    base = categorical_base({"1": 300, "2": 300, "3": 200, "4": 200}, missing=10)
    r = dc.check("Density", DENSITY, base, [None] * 20, 20)
    assert r["test"] == "none (no observed value)" and r["p_value"] == 1.0
    assert r["drifted"] and r["reason"] == "missing values"


# Training: 50 of 1000 values missing (5 %); batch: 150 of 1000 (15 %), the observed values the
# training's own: a rise of exactly MISSING_SHARE (+10 %), with a binomial p-value about 4e-32.
EDGE_BASE = numeric_base(TRAIN_AGE[:95] * 10, missing=50)
EDGE_VALUES = with_missing(TRAIN_AGE[:95] * 11, 150)[:1000]


def test_a_rise_of_exactly_the_missing_share_threshold_preconditions():
    assert EDGE_BASE["missing_share"] == 0.05 and len(EDGE_VALUES) == 1000
    assert sum(v is None for v in EDGE_VALUES) == 150
    r = dc.check("Age", AGE, EDGE_BASE, EDGE_VALUES, 1000)
    assert r["batch_missing_share"] == 0.15
    assert r["missing_p_value"] < 1e-20
    assert r["p_value"] > 0.5  # no distribution shift: only the missing values can make it drift
    # The rule's subtraction in binary floating point falls short of 0.1 (drift_check allows 1e-9):
    assert 0.15 - 0.05 < 0.1


def test_a_rise_of_exactly_the_missing_share_threshold_drifts():
    r = dc.check("Age", AGE, EDGE_BASE, EDGE_VALUES, 1000)
    assert r["drifted"] and r["reason"] == "missing values"


# ----------------------------------------------------------------------------------------------
# A feature's rule: (p < P_VALUE and PSI >= PSI) or a significant rise of the missing share
# ----------------------------------------------------------------------------------------------

UNIFORM = numeric_base(np.linspace(0.0, 1.0, 2000))


def test_a_significant_shift_with_a_small_psi_does_not_drift(monkeypatch):
    values = list(np.linspace(0.07, 1.07, 4000))
    r = dc.check("Age", AGE, UNIFORM, values, len(values))
    ks = stats.ks_2samp(UNIFORM["sample"], values)
    assert r["p_value"] == pytest.approx(ks.pvalue, rel=1e-9) and r["p_value"] < 1e-4
    assert r["psi"] == pytest.approx(psi_formula(UNIFORM["bin_shares"], bin_shares(values, UNIFORM["bin_edges"])))
    assert 0.1 < r["psi"] < 0.2
    assert not r["drifted"]
    monkeypatch.setattr(dc, "PSI", 0.1)
    assert dc.check("Age", AGE, UNIFORM, values, len(values))["drifted"]


def test_a_large_psi_without_a_significant_test_does_not_drift(monkeypatch):
    values = [0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95]  # the first decile bin empty
    r = dc.check("Age", AGE, UNIFORM, values, len(values))
    assert r["psi"] >= 0.6  # mostly the empty bin: (1e-4 - 0.1) * ln(1e-3)
    assert r["p_value"] == pytest.approx(stats.ks_2samp(UNIFORM["sample"], values).pvalue, rel=1e-12)
    assert r["p_value"] > 0.5
    assert not r["drifted"]
    monkeypatch.setattr(dc, "P_VALUE", 1.0)
    assert dc.check("Age", AGE, UNIFORM, values, len(values))["drifted"]


def test_a_significant_shift_with_a_large_psi_drifts():
    base = numeric_base(TRAIN_AGE)
    r = dc.check("Age", AGE, base, OLDER_AGE, len(OLDER_AGE))
    assert r["p_value"] < dc.P_VALUE and r["psi"] >= dc.PSI
    assert r["drifted"] and r["reason"] == "distribution"
    r = dc.check("Age", AGE, base, SAME_AGE, len(SAME_AGE))
    assert not r["drifted"] and r["reason"] == ""


def test_both_reasons():
    base = numeric_base(TRAIN_AGE, missing=0)
    r = dc.check("Age", AGE, base, [None] * 12 + OLDER_AGE, 60)
    assert r["drifted"] and r["reason"] == "distribution and missing values"


# ----------------------------------------------------------------------------------------------
# The batch's rule, through main(): drift when at least FEATURES_SHARE of the features drift and
# at least one does
# ----------------------------------------------------------------------------------------------

STATISTICS = {"features": {
    "Age": numeric_base(TRAIN_AGE),
    "Shape": categorical_base({"1": 220, "2": 210, "3": 100, "4": 400}),
    "Margin": categorical_base({"1": 350, "2": 25, "3": 115, "4": 280, "5": 140}),
    "Density": categorical_base({"1": 15, "2": 60, "3": 800, "4": 12}),
}}
# 48 records whose categories follow the training shares closely.
SHAPES = [1.0] * 11 + [2.0] * 11 + [3.0] * 5 + [4.0] * 21
MARGINS = [1.0] * 18 + [2.0] * 1 + [3.0] * 6 + [4.0] * 15 + [5.0] * 8
DENSITIES = [1.0] * 1 + [2.0] * 3 + [3.0] * 43 + [4.0] * 1


def run_main(tmp_path, monkeypatch, ages):
    for d in ("input/statistics", "input/canonical"):
        os.makedirs(tmp_path / d, exist_ok=True)
    with open(tmp_path / "input" / "statistics" / "statistics.json", "w", encoding="utf-8") as f:
        json.dump(STATISTICS, f)
    with open(tmp_path / "input" / "canonical" / "batch.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(
            [contract.number(a), contract.number(s), contract.number(m), contract.number(d)]
            for a, s, m, d in zip(ages, SHAPES, MARGINS, DENSITIES))
    monkeypatch.setattr(dc, "BASE", str(tmp_path))
    monkeypatch.setattr(sys, "argv", ["drift_check.py", "--model-package-arn", "arn:test", "--execution-id", "x"])
    dc.main()
    with open(tmp_path / "drift" / "drift.json", encoding="utf-8") as f:
        return json.load(f)["drift"]


def test_main_no_feature_drifts(tmp_path, monkeypatch):
    d = run_main(tmp_path, monkeypatch, SAME_AGE)
    assert d["detected"] == 0 and d["drifted_features"] == [] and d["records"] == 48
    ks = stats.ks_2samp(TRAIN_AGE, SAME_AGE)
    assert d["features"]["Age"]["statistic"] == pytest.approx(ks.statistic, rel=1e-12)
    assert d["features"]["Age"]["p_value"] == pytest.approx(ks.pvalue, rel=1e-12)
    for name in ("Shape", "Margin", "Density"):
        assert d["features"][name]["p_value"] > 0.5
    # "At least one drifts": a share of 0 is reached by 0 drifted features, and still no drift.
    monkeypatch.setattr(dc, "FEATURES_SHARE", 0.0)
    assert run_main(tmp_path, monkeypatch, SAME_AGE)["detected"] == 0


def test_main_one_feature_of_four_drifts(tmp_path, monkeypatch):
    d = run_main(tmp_path, monkeypatch, OLDER_AGE)
    assert d["drifted_features"] == ["Age"] and d["drifted_share"] == 0.25
    assert d["detected"] == 1  # 1/4 >= 0.25
    assert d["features"]["Age"]["p_value"] == pytest.approx(stats.ks_2samp(TRAIN_AGE, OLDER_AGE).pvalue, rel=1e-12)
    assert d["thresholds"] == {"p_value": 0.01, "psi": 0.2, "missing_share": 0.1, "drifted_features_share": 0.25}
    assert (tmp_path / "drift" / "drift.md").read_text(encoding="utf-8").startswith("# Drift check: DRIFT DETECTED")
    monkeypatch.setattr(dc, "FEATURES_SHARE", 0.5)
    d = run_main(tmp_path, monkeypatch, OLDER_AGE)
    assert d["drifted_features"] == ["Age"] and d["detected"] == 0  # 1/4 < 0.5
    assert "below the share of 0.5" in d["summary"]
