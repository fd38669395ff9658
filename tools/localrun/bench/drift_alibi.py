"""alibi-detect's TabularDrift on the batches drift_rates.py wrote: run in the benchmark-only
environment (drift_rates.py --setup-alibi), never in the product's.

usage: python drift_alibi.py INPUT.npz MANIFEST.json OUTPUT.json

INPUT.npz holds the reference matrices (ref_*) and the batches (b_*), each as the batch transform
sees it (missing values filled with the training fill values; categorical features as the index of
their category in the contract). MANIFEST.json: p_val, categories_per_feature ({column index: number
of declared categories}) and the batches, each with its reference. For each batch TabularDrift
(two-sample KS for numeric features, chi-squared on the contingency table for categorical ones) is
run with Bonferroni and with FDR correction at p_val; OUTPUT.json gets the verdicts and the CPU
seconds of each predict.

Categories: the contract's categorical features, with the declared categories present in the
reference (alibi adds those of the batch itself). A declared category absent from both the
reference and the batch would be a zero column of the contingency table, on which scipy's
chi2_contingency raises; it adds nothing to the test.
"""

import argparse
import json
import os
import sys
import time
import warnings

import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("npz")
    parser.add_argument("manifest")
    parser.add_argument("output")
    parser.add_argument("--workers", type=int, default=1, help="ignored: one process is fast enough")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    import alibi_detect
    import scipy
    from alibi_detect.cd import TabularDrift

    with open(args.manifest) as f:
        manifest = json.load(f)
    arrays = np.load(args.npz)
    declared = {int(k): v for k, v in manifest["categories_per_feature"].items()}
    detectors = {}
    verdicts = []
    for item in manifest["batches"]:
        ref = item["ref"]
        if ref not in detectors:
            x_ref = arrays[ref].astype(np.float64)
            cats = {f: [float(c) for c in range(k) if np.any(x_ref[:, f] == c)] for f, k in declared.items()}
            detectors[ref] = {c: TabularDrift(x_ref, p_val=manifest["p_val"], categories_per_feature=cats or None,
                                              correction=c) for c in ("bonferroni", "fdr")}
            if len(detectors) > 64:  # references of a random split are used once
                detectors.pop(next(iter(detectors)))
        x = arrays[item["batch"]].astype(np.float64)
        out = {"key": item["key"]}
        for c, detector in detectors[ref].items():
            t0 = time.process_time()
            pred = detector.predict(x, drift_type="batch", return_p_val=True)
            out["cpu_" + c] = time.process_time() - t0
            out[c] = int(pred["data"]["is_drift"])
        verdicts.append(out)
    with open(args.output, "w") as f:
        json.dump({"verdicts": verdicts, "versions": {"alibi-detect": alibi_detect.__version__,
                                                      "numpy": np.__version__, "scipy": scipy.__version__,
                                                      "python": "%d.%d.%d" % sys.version_info[:3]}}, f)


if __name__ == "__main__":
    main()
