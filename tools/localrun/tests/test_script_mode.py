"""Tests of the scikit-learn framework emulation for script mode (localrun/algorithms/
sklearn_train.py, sklearn_serve.py), run as the executor runs them: in the job sandbox (root
mounted at /opt, no network) with the image's runtime (sklearn-1.2-1). A team script trains on
the platform's CSV channels; the serving module answers per record; requirements the image does
not meet are named, never installed."""

import json
import os
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir))

from localrun import runtimes, sandbox  # noqa: E402

ALGORITHMS = os.path.join(HERE, os.pardir, "localrun", "algorithms")
TRAIN = os.path.join(ALGORITHMS, "sklearn_train.py")
SERVE = os.path.join(ALGORITHMS, "sklearn_serve.py")

TEAM = '''
import argparse, glob, os
import joblib, numpy as np
from sklearn.linear_model import LogisticRegression

if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--C", type=float, default=1.0)
    p.add_argument("--note", default="")
    a = p.parse_args()
    d = np.vstack([np.loadtxt(f, delimiter=",", ndmin=2) for f in glob.glob(os.environ["SM_CHANNEL_TRAIN"] + "/*.csv")])
    print("C=%s note=%s channels=%s" % (a.C, a.note, os.environ["SM_CHANNELS"]))
    joblib.dump(LogisticRegression(C=a.C).fit(d[:, 1:], d[:, 0]), os.path.join(os.environ["SM_MODEL_DIR"], "model.joblib"))
'''

SERVE_MODULE = '''
import os, joblib, numpy as np
def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))
def predict_fn(data, model):
    return model.predict_proba(data)[:, 1]
'''


@pytest.fixture(scope="module")
def python():
    return runtimes.ensure("sklearn-1.2-1", say=lambda m: None)


def job(tmp_path, hyper, requirements=None):
    root = str(tmp_path)
    for d in ["ml/input/config", "ml/input/data/train", "ml/code"]:
        os.makedirs(os.path.join(root, d))
    rng = np.random.RandomState(3)
    x = rng.rand(80, 3)
    y = (x[:, 0] > 0.5).astype(int)
    with open(os.path.join(root, "ml/input/data/train/train.csv"), "w") as f:
        f.writelines("%d,%s\n" % (t, ",".join("%.5f" % v for v in r)) for t, r in zip(y, x))
    with open(os.path.join(root, "ml/input/config/inputdataconfig.json"), "w") as f:
        json.dump({"train": {"ContentType": "text/csv"}}, f)
    with open(os.path.join(root, "ml/input/config/hyperparameters.json"), "w") as f:
        json.dump(hyper, f)
    with open(os.path.join(root, "ml/code/train.py"), "w") as f:
        f.write(TEAM)
    with open(os.path.join(root, "ml/code/serve.py"), "w") as f:
        f.write(SERVE_MODULE)
    if requirements is not None:
        with open(os.path.join(root, "ml/code/requirements.txt"), "w") as f:
            f.write(requirements)
    return root, x


SCRIPT = {"sagemaker_program": '"train.py"', "sagemaker_submit_directory": '"s3://b/k/sourcedir.tar.gz"',
          "C": "0.5", "note": '"a b"'}


def failure(root):
    path = os.path.join(root, "ml/output/failure")
    return open(path).read() if os.path.exists(path) else None


def test_the_script_gets_decoded_hyperparameters_and_channels_and_its_model_serves(tmp_path, python):
    root, x = job(tmp_path, SCRIPT, requirements="scikit-learn>=1.0\njoblib  # the image has it\n")
    code, out = sandbox.run(root, [python, TRAIN], {})
    assert code == 0, out
    assert "C=0.5 note=a b channels=[\"train\"]" in out
    assert "every requirement is met" in out
    assert os.path.exists(os.path.join(root, "ml/model/model.joblib"))
    with open(os.path.join(root, "ml/output/metrics.json")) as f:
        assert json.load(f) == []
    # Served as the framework serves it: SAGEMAKER_PROGRAM from SAGEMAKER_SUBMIT_DIRECTORY.
    os.makedirs(os.path.join(root, "ml/model/code"))
    os.replace(os.path.join(root, "ml/code/serve.py"), os.path.join(root, "ml/model/code/serve.py"))
    request = os.path.join(root, "req")
    with open(request, "w") as f:
        f.writelines(",".join("%.5f" % v for v in r) + "\n" for r in x[:5])
    code, out = sandbox.run(root, [python, SERVE, "text/csv", "/opt/req"],
                            {"SAGEMAKER_PROGRAM": "serve.py", "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code"})
    assert code == 0, out
    lines = open(request + ".out").read().split("\n")
    assert len([l for l in lines if l]) == 5 and all(0 <= float(l) <= 1 for l in lines if l)


def test_requirements_the_image_does_not_meet_are_named_not_installed(tmp_path, python):
    root, _ = job(tmp_path, SCRIPT, requirements="scikit-learn==0.20.0\nlightgbm>=4\n--extra-index-url https://example.invalid\n")
    code, out = sandbox.run(root, [python, TRAIN], {})
    assert code != 0
    text = failure(root)
    assert "requirements.txt cannot be installed offline" in text
    assert "scikit-learn==0.20.0 (the image has scikit-learn 1.2.1)" in text or "scikit-learn==0.20.0 (the image has" in text
    assert "lightgbm>=4 (not in the image)" in text
    assert "pip options" in text


def test_a_failing_script_fails_the_job_with_its_last_lines(tmp_path, python):
    root, _ = job(tmp_path, dict(SCRIPT, C='"not a number"'))
    code, _ = sandbox.run(root, [python, TRAIN], {})
    assert code != 0
    assert "ExecuteUserScriptError: train.py exited with 2" in failure(root)
    assert "invalid float value" in failure(root)


def test_script_mode_needs_its_program(tmp_path, python):
    root, _ = job(tmp_path, {"sagemaker_submit_directory": '"s3://b/k"'})
    code, _ = sandbox.run(root, [python, TRAIN], {})
    assert code != 0 and "sagemaker_program" in failure(root)
