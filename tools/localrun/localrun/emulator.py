"""The local AWS emulator: moto (pinned in ../requirements/emulator.txt) in server mode on
127.0.0.1, with moto_patches.py applied. Never contacts AWS.

    python -m localrun.emulator start [--account-id ID] [--pidfile PATH]   # prints KEY=value lines
    python -m localrun.emulator stop PIDFILE

`start` waits until the emulator answers STS GetCallerIdentity and prints AWS_ENDPOINT_URL,
credentials (with --account-id: an IAM user's keys in that account, which GetCallerIdentity
reports), AWS_REGION, AWS_DEFAULT_REGION, AWS_EMULATOR_PID, AWS_EMULATOR_PIDFILE and
AWS_EMULATOR_LOG. Run it with the `emulator` runtime's Python (../../emulator/start does).
"""

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

REGION = "us-east-1"


def serve(port, ready_file):
    from . import moto_patches
    from moto.server import ThreadedMotoServer

    moto_patches.apply()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    _, bound = server.get_host_and_port()
    with open(ready_file + ".tmp", "w") as f:
        f.write("%d\n" % bound)
    os.replace(ready_file + ".tmp", ready_file)
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    server.stop()


class Emulator:
    def __init__(self, endpoint, pid, pidfile, log):
        self.endpoint, self.pid, self.pidfile, self.log = endpoint, pid, pidfile, log

    def stop(self):
        stop(self.pidfile)


def _alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def start(pidfile=None, timeout=60, iam=False):
    """Starts an emulator (this interpreter must be the emulator runtime's) and waits for it;
    with `iam`, requests of AssumeRole sessions are authorized (authz.py)."""
    import boto3
    import botocore.config

    if os.environ.get("MOTO_ACCOUNT_ID"):
        raise RuntimeError("MOTO_ACCOUNT_ID is set: it would override every identity; unset it")
    if pidfile is None:
        pidfile = os.path.join(tempfile.mkdtemp(prefix="mlopsgen-emulator."), "emulator.pid")
    ready, log = pidfile + ".port", pidfile + ".log"
    if os.path.exists(ready):
        os.remove(ready)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=here)
    env.pop("MLOPSGEN_IAM", None)
    if iam:
        env["MLOPSGEN_IAM"] = "enforce"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "localrun.emulator", "serve", "0", ready], stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    with open(pidfile, "w") as f:
        f.write("%d\n" % proc.pid)
    deadline = time.monotonic() + timeout
    port = None
    while port is None:
        if proc.poll() is not None:
            raise RuntimeError("the emulator exited during start-up; its log ends with:\n" + _tail(log))
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("the emulator did not start within %d s" % timeout)
        try:
            with open(ready) as f:
                port = int(f.read().strip())
        except (OSError, ValueError):
            time.sleep(0.05)
    endpoint = "http://127.0.0.1:%d" % port
    cfg = botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10)
    sts = boto3.client("sts", endpoint_url=endpoint, region_name=REGION, config=cfg,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    while True:
        try:
            sts.get_caller_identity()
            break
        except Exception as e:
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("the emulator is not answering STS: %s" % e)
            time.sleep(0.1)
    return Emulator(endpoint, proc.pid, pidfile, log)


def _tail(path, n=20):
    try:
        with open(path) as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def stop(pidfile):
    try:
        with open(pidfile) as f:
            pid = int(f.read().strip())
    except (OSError, ValueError):
        return
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            ours = b"localrun.emulator" in f.read()
    except OSError:
        ours = _alive(pid)
    if ours and _alive(pid):
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not _alive(pid):
                break
            time.sleep(0.1)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    for suffix in ("", ".port", ".log"):
        try:
            os.remove(pidfile + suffix)
        except OSError:
            pass
    try:
        os.rmdir(os.path.dirname(pidfile))
    except OSError:
        pass


def main(argv):
    if argv[:1] == ["serve"]:
        serve(int(argv[1]), argv[2])
        return 0
    if argv[:1] == ["stop"] and len(argv) == 2:
        stop(argv[1])
        return 0
    if argv[:1] != ["start"]:
        print(__doc__, file=sys.stderr)
        return 2
    account, pidfile = None, None
    rest = argv[1:]
    while rest:
        if rest[0] == "--account-id" and len(rest) > 1:
            account, rest = rest[1], rest[2:]
        elif rest[0] == "--pidfile" and len(rest) > 1:
            pidfile, rest = os.path.abspath(rest[1]), rest[2:]
        else:
            print("emulator start: unknown argument %s" % rest[0], file=sys.stderr)
            return 2
    if account is not None and not (len(account) == 12 and account.isdigit()):
        print("emulator start: --account-id must be 12 digits", file=sys.stderr)
        return 2
    try:
        emu = start(pidfile)
    except RuntimeError as e:
        print("emulator start: %s" % e, file=sys.stderr)
        return 3
    key, secret = "testing", "testing"
    if account:
        from .cloud import Cloud

        key, secret = Cloud(emu.endpoint, REGION).credentials(account, user="mlopsgen-test")
    for k, v in (("AWS_ENDPOINT_URL", emu.endpoint), ("AWS_ACCESS_KEY_ID", key), ("AWS_SECRET_ACCESS_KEY", secret),
                 ("AWS_REGION", REGION), ("AWS_DEFAULT_REGION", REGION), ("AWS_EMULATOR_PID", emu.pid),
                 ("AWS_EMULATOR_PIDFILE", emu.pidfile), ("AWS_EMULATOR_LOG", emu.log)):
        print("%s=%s" % (k, v))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
