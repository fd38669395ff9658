"""Runs a job's program the way its container sees the machine: a fresh job root mounted at /opt
(so the program reads and writes /opt/ml/processing/..., /opt/ml/input/..., /opt/ml/model as
SageMaker lays them out), in a private mount namespace (nothing appears under the host's /opt)
and a network namespace with no interface (the job runs under network isolation: it cannot
reach S3, the emulator or anything else; SageMaker stages inputs and outputs for it).

Needs `unshare` (util-linux) and either root or unprivileged user namespaces.
"""

import os
import shutil
import subprocess

_MODE = None


class SandboxError(Exception):
    pass


def _probe():
    """How this machine isolates a job: as root, or through a user namespace."""
    global _MODE
    if _MODE is not None:
        return _MODE
    if shutil.which("unshare") is None:
        raise SandboxError("`unshare` (util-linux) is needed to run jobs in a private mount and network namespace")
    candidates = [["unshare", "--mount", "--net", "--propagation", "private"]]
    candidates.append(["unshare", "--user", "--map-root-user", "--mount", "--net", "--propagation", "private"])
    errors = []
    for prefix in candidates if os.geteuid() == 0 else candidates[1:]:
        probe = subprocess.run(prefix + ["sh", "-c", "mount -t tmpfs none /opt && test -w /opt"],
                               capture_output=True, text=True)
        if probe.returncode == 0:
            _MODE = prefix
            return _MODE
        errors.append("%s: %s" % (" ".join(prefix), probe.stderr.strip()))
    raise SandboxError("cannot create a private mount namespace (tried %s)" % "; ".join(errors))


def run(root, argv, env, cwd="/opt/ml", timeout=1800, log=None):
    """Runs `argv` with `root` mounted at /opt, no network; returns (exit code, output text)."""
    prefix = _probe()
    script = 'mount --bind "$MLOPSGEN_JOB_ROOT" /opt && cd "$MLOPSGEN_JOB_CWD" && exec "$@"'
    full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp", "LANG": "C.UTF-8",
                "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1",
                "MLOPSGEN_JOB_ROOT": root, "MLOPSGEN_JOB_CWD": cwd}
    full_env.update(env)
    try:
        proc = subprocess.run(prefix + ["sh", "-c", script, "sh"] + list(argv), env=full_env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return 124, (e.stdout or "") + "\n(stopped after %d s)" % timeout
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(proc.stdout)
    return proc.returncode, proc.stdout
