"""The SageMaker scikit-learn framework's training contract (script mode; sagemaker-training
toolkit as the sagemaker-scikit-learn 1.2-1 image runs it), run inside the job sandbox with the
image's libraries:

- /opt/ml/input/config/hyperparameters.json holds every hyperparameter as a JSON-encoded string
  (the SageMaker Python SDK json.dumps each value); `sagemaker_program` names the entry point,
  `sagemaker_submit_directory` the source archive (the executor has extracted it to
  /opt/ml/code); the other hyperparameters become `--name value` arguments (str() of the decoded
  value, as the toolkit's to_cmd_args writes them) and SM_HPS;
- requirements.txt in the source directory is pip-installed by the toolkit before the script
  runs. Offline there is no index: each requirement must already be met by the image's own
  libraries, else the job fails naming it (it never pretends to install it);
- the script runs as `python <program> args...` in /opt/ml/code with SM_MODEL_DIR=/opt/ml/model,
  SM_CHANNEL_<NAME>=/opt/ml/input/data/<name>, SM_CHANNELS, SM_OUTPUT_DATA_DIR, SM_HOSTS,
  SM_CURRENT_HOST, SM_NUM_CPUS; a non-zero exit fails the job with its last output line;
- the framework defines no metrics: /opt/ml/output/metrics.json is an empty list.
"""

import json
import os
import subprocess
import sys

CONFIG = "/opt/ml/input/config"
CODE = "/opt/ml/code"


def fail(message):
    print(message, file=sys.stderr)
    os.makedirs("/opt/ml/output", exist_ok=True)
    with open("/opt/ml/output/failure", "w", encoding="utf-8") as f:
        f.write(message)
    sys.exit(2)


def decode(text):
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def unmet_requirements(path):
    """The requirements of `path` the installed libraries do not meet, as sentences."""
    from importlib import metadata

    from pip._vendor.packaging.requirements import InvalidRequirement, Requirement

    unmet = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            if text.startswith("-"):
                unmet.append("line %d: %r (pip options need an index or files the offline run does not have)" % (n, text))
                continue
            try:
                req = Requirement(text)
            except InvalidRequirement as e:
                unmet.append("line %d: %r is not a requirement (%s)" % (n, text, e))
                continue
            if req.marker is not None and not req.marker.evaluate():
                continue
            try:
                have = metadata.version(req.name)
            except metadata.PackageNotFoundError:
                unmet.append("%s (not in the image)" % text)
                continue
            if req.specifier and not req.specifier.contains(have, prereleases=True):
                unmet.append("%s (the image has %s %s)" % (text, req.name, have))
    return unmet


def main():
    with open(os.path.join(CONFIG, "hyperparameters.json"), encoding="utf-8") as f:
        given = {k: decode(v) for k, v in json.load(f).items()}
    with open(os.path.join(CONFIG, "inputdataconfig.json"), encoding="utf-8") as f:
        channels = json.load(f)
    program = given.get("sagemaker_program")
    if not isinstance(program, str) or not program:
        fail("ClientError: script mode needs the hyperparameter sagemaker_program")
    if not given.get("sagemaker_submit_directory"):
        fail("ClientError: script mode needs the hyperparameter sagemaker_submit_directory")
    if not os.path.isfile(os.path.join(CODE, program)):
        fail("ClientError: %s is not in the source archive (it holds: %s)" % (program, ", ".join(sorted(os.listdir(CODE)))))
    requirements = os.path.join(CODE, "requirements.txt")
    if os.path.exists(requirements):
        unmet = unmet_requirements(requirements)
        if unmet:
            fail("InstallModulesError: requirements.txt cannot be installed offline (the image would pip install it, "
                 "which needs the network): " + "; ".join(unmet))
        print("requirements.txt: every requirement is met by the image's libraries")
    user = {k: v for k, v in given.items() if not k.startswith("sagemaker_")}
    args = []
    for k, v in user.items():
        args += ["--" + k, v if isinstance(v, str) else json.dumps(v) if isinstance(v, (list, dict)) else str(v)]
    env = dict(os.environ)
    env.update({
        "SM_MODEL_DIR": "/opt/ml/model", "SM_OUTPUT_DATA_DIR": "/opt/ml/output/data", "SM_HPS": json.dumps(user),
        "SM_CHANNELS": json.dumps(sorted(channels)), "SM_HOSTS": json.dumps(["algo-1"]), "SM_CURRENT_HOST": "algo-1",
        "SM_NUM_CPUS": str(os.cpu_count() or 1), "SM_NUM_GPUS": "0", "SM_USER_ARGS": json.dumps(args),
        "SM_MODULE_DIR": given["sagemaker_submit_directory"], "SM_USER_ENTRY_POINT": program,
    })
    for name in channels:
        env["SM_CHANNEL_" + name.upper()] = "/opt/ml/input/data/" + name
    os.makedirs("/opt/ml/model", exist_ok=True)
    os.makedirs("/opt/ml/output/data", exist_ok=True)
    proc = subprocess.run([sys.executable, program] + args, cwd=CODE, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    print(proc.stdout, end="")
    if proc.returncode != 0:
        last = [l for l in proc.stdout.strip().splitlines() if l.strip()][-3:]
        fail("AlgorithmError: ExecuteUserScriptError: %s exited with %d: %s" % (program, proc.returncode, " | ".join(last)))
    with open("/opt/ml/output/metrics.json", "w", encoding="utf-8") as f:
        json.dump([], f)


if __name__ == "__main__":
    main()
