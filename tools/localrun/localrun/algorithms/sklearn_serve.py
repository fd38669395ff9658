"""The SageMaker scikit-learn framework's serving contract for batch transform (the
sagemaker-scikit-learn 1.2-1 image's handler service), run inside the job sandbox with the
image's libraries: the module SAGEMAKER_PROGRAM is imported from SAGEMAKER_SUBMIT_DIRECTORY (here
/opt/ml/model/code, inside the model); model_fn(model_dir) is required; input_fn, predict_fn and
output_fn default to the framework's (text/csv decoded with numpy, model.predict, text/csv
encoded one row per line).

usage: sklearn_serve.py CONTENT_TYPE REQUEST... (each REQUEST a file; the answer goes to REQUEST.out)
"""

import importlib
import io
import os
import sys

import numpy as np


def default_input_fn(body, content_type):
    if content_type.split(";")[0].strip() not in ("text/csv", "csv"):
        raise ValueError("415: content type %s is not supported" % content_type)
    return np.genfromtxt(io.StringIO(body), delimiter=",", dtype=np.float64, ndmin=2)


def default_predict_fn(data, model):
    return model.predict(data)


def default_output_fn(prediction, accept):
    out = io.StringIO()
    np.savetxt(out, np.asarray(prediction), delimiter=",", fmt="%s")
    return out.getvalue(), accept


def main():
    content_type, requests = sys.argv[1], sys.argv[2:]
    program = os.environ.get("SAGEMAKER_PROGRAM", "")
    directory = os.environ.get("SAGEMAKER_SUBMIT_DIRECTORY", "")
    if not program or not directory:
        print("the model's container has no SAGEMAKER_PROGRAM / SAGEMAKER_SUBMIT_DIRECTORY")
        sys.exit(2)
    if not os.path.isfile(os.path.join(directory, program)):
        print("%s is not in %s" % (program, directory))
        sys.exit(2)
    sys.path.insert(0, directory)
    module = importlib.import_module(program[:-3] if program.endswith(".py") else program)
    if not hasattr(module, "model_fn"):
        print("%s defines no model_fn (the framework needs it)" % program)
        sys.exit(2)
    model = module.model_fn("/opt/ml/model")
    input_fn = getattr(module, "input_fn", default_input_fn)
    predict_fn = getattr(module, "predict_fn", default_predict_fn)
    output_fn = getattr(module, "output_fn", default_output_fn)
    for path in requests:
        with open(path, encoding="utf-8") as f:
            body = f.read()
        try:
            answer = output_fn(predict_fn(input_fn(body, content_type), model), "text/csv")
        except Exception as e:
            print("request %s failed: %s: %s" % (path, type(e).__name__, e))
            sys.exit(3)
        text = answer[0] if isinstance(answer, tuple) else answer
        with open(path + ".out", "w", encoding="utf-8") as out:
            out.write(text.decode("utf-8") if isinstance(text, bytes) else text)


if __name__ == "__main__":
    main()
