"""The Python environments the executor runs things in, installed on first use from the pinned
requirement files in ../requirements/ into ${XDG_CACHE_HOME:-~/.cache}/mlopsgen/localrun/:

- `emulator`: moto (the local AWS API) and boto3, for the executor itself, the emulator and the
  generated Lambda handler;
- one per SageMaker image the generated pipelines name, with that image's own library versions
  (read from the images' Dockerfiles and requirements; see ../requirements/README.md). The
  images run Python 3.9 (XGBoost 3.2-0: Python 3.12, `PYTHON`): where the machine has the image's
  Python the exact versions are installed; on a machine without it the nearest versions that
  have wheels for the running Python are (the `-py311` files), and the run says so.

`MLOPSGEN_PYTHON39` (`MLOPSGEN_PYTHON312`) names the Python 3.9 (3.12) interpreter to use;
`MLOPSGEN_PIP_INDEX` a package index.
"""

import fcntl
import glob
import hashlib
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REQUIREMENTS = os.path.join(os.path.dirname(HERE), "requirements")
CACHE = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "mlopsgen", "localrun")

# image repository:tag -> runtime name
IMAGES = {
    "sagemaker-scikit-learn:1.2-1-cpu-py3": "sklearn-1.2-1",
    "sagemaker-xgboost:1.7-1": "xgboost-1.7-1",
    "sagemaker-xgboost:3.2-0": "xgboost-3.2-0",
}

# runtime -> the Python of its image, where it is not 3.9
PYTHON = {
    "xgboost-3.2-0": "3.12",
}


class RuntimeError_(Exception):
    pass


def image_runtime(image_uri):
    """The runtime of an image URI (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`), or None."""
    repo_tag = image_uri.split("/", 1)[-1]
    return IMAGES.get(repo_tag)


def _is_python(path, version):
    try:
        out = subprocess.run([path, "-c", "import sys, venv; print('%d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and out.stdout.strip() == version


def python_for(version):
    """A working Python `version` ("3.9", "3.12") interpreter (with venv), or None."""
    given = os.environ.get("MLOPSGEN_PYTHON" + version.replace(".", ""))
    if given:
        return given
    candidates = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/%s*/bin/python%s" % (version, version))),
                        reverse=True)
    candidates += [p for p in (shutil.which("python" + version), "/usr/bin/python" + version,
                               "/usr/local/bin/python" + version) if p]
    for c in candidates:
        if os.path.exists(c) and _is_python(c, version):
            return c
    return None


def python39():
    """A working Python 3.9 interpreter (with venv), or None."""
    return python_for("3.9")


def _requirements(name):
    """(requirements file, interpreter, exact?) for a runtime."""
    if name == "emulator":
        return os.path.join(REQUIREMENTS, "emulator.txt"), sys.executable, True
    image_python = python_for(PYTHON.get(name, "3.9"))
    if image_python:
        return os.path.join(REQUIREMENTS, name + ".txt"), image_python, True
    return os.path.join(REQUIREMENTS, name + "-py311.txt"), sys.executable, False


def _included(req):
    """The requirement file and those it includes with `-r`."""
    found = [req]
    with open(req, encoding="utf-8") as f:
        for line in f:
            if line.startswith("-r "):
                found.extend(_included(os.path.join(os.path.dirname(req), line[3:].strip())))
    return found


def ensure(name, say=print):
    """The python executable of runtime `name`, installed if needed."""
    req, interpreter, exact = _requirements(name)
    digest = hashlib.sha256(os.path.realpath(interpreter).encode())
    for part in _included(req):
        with open(part, "rb") as f:
            digest.update(f.read())
    digest = digest.hexdigest()[:12]
    root = os.path.join(CACHE, "%s-%s" % (name, digest))
    python = os.path.join(root, "bin", "python")
    if os.path.exists(os.path.join(root, ".complete")):
        return python
    os.makedirs(CACHE, exist_ok=True)
    # Several processes (parallel tests) may want the same runtime: one installs, the others wait.
    with open(root + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(os.path.join(root, ".complete")):
            return python
        _install(name, req, interpreter, exact, root, python, say)
    return python


def _install(name, req, interpreter, exact, root, python, say):
    if not exact:
        say("  note: no Python %s here; runtime %s gets the nearest library versions for %s (%s)"
            % (PYTHON.get(name, "3.9"), name, sys.version.split()[0], os.path.basename(req)))
    say("  installing runtime %s (first use, pinned in %s)..." % (name, os.path.relpath(req)))
    shutil.rmtree(root, ignore_errors=True)
    made = subprocess.run([interpreter, "-m", "venv", root], capture_output=True, text=True)
    if made.returncode != 0:
        raise RuntimeError_("creating the virtual environment of runtime %s with %s failed:\n%s"
                            % (name, interpreter, made.stderr[-2000:]))
    cmd = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input",
           "--only-binary=:all:", "-r", req]
    if os.environ.get("MLOPSGEN_PIP_INDEX"):
        cmd += ["--index-url", os.environ["MLOPSGEN_PIP_INDEX"]]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError_("installing runtime %s failed:\n%s" % (name, proc.stderr[-3000:]))
    with open(os.path.join(root, ".complete"), "w") as f:
        f.write(req + "\n")
