"""Runs one pipeline of an environment with a definition given in a file (a mutated copy of a
generated one), on the stand-in data, and prints what happened as JSON: the executor as a judge
(tests/localrun.rs mutates definitions and checks that it fails naming the step and the field).

usage: python -m localrun.judge --repo REPO --describe FILE --env ENV --kind train|inference|quality
                                --definition FILE [--work DIR]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

from . import cloud as s3util
from . import emulator, runtimes
from .cloud import Cloud
from .executor import Executor
from .platform import Platform

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="localrun.judge")
    for flag in ("--repo", "--describe", "--env", "--kind", "--definition"):
        parser.add_argument(flag, required=True)
    parser.add_argument("--work")
    args = parser.parse_args(argv)
    work = args.work or tempfile.mkdtemp(prefix="mlopsgen-judge.")
    data = os.path.join(work, "data")
    subprocess.run([runtimes.ensure("sklearn-1.2-1"), "-m", "localrun.data", data], cwd=os.path.dirname(HERE),
                   check=True, capture_output=True)
    with open(args.describe, encoding="utf-8") as f:
        description = json.load(f)
    os.makedirs(os.path.join(work, "emulator"), exist_ok=True)
    emu = emulator.start(os.path.join(work, "emulator", "emulator.pid"), iam=True)
    try:
        env = [e for e in description["environments"] if e["name"] == args.env][0]
        cloud = Cloud(emu.endpoint, env["region"])
        platform = Platform(args.repo, description, cloud, log=lambda *_: None)
        platform.create()
        model = env["models"][0]
        s3 = cloud.client("s3", env["account_id"])
        bucket, prefix = s3util.split(model["train_data"])
        s3util.put(s3, bucket, prefix + "mammo-train-dataset-part1.csv",
                   path=os.path.join(data, "mammo-train-dataset-part1.csv"), kms_key=env["kms_key"])
        pipeline = platform.pipeline(args.env, model["name"], args.kind)
        pipeline.definition_path = os.path.abspath(args.definition)
        lines = []
        executor = Executor(platform, cloud, work, log=lines.append, on_event=platform.on_event)
        ex = executor.start(pipeline)
        failed = [(n, s) for n, s in ex.steps.items() if s["status"] == "Failed"]
        result = {"status": ex.status, "failure": ex.failure,
                  "steps": {n: s["status"] for n, s in ex.steps.items()}}
        if failed:
            name, record = failed[0]
            result.update({"failed_step": name, "field": record.get("field"), "reason": record["failure"]})
        print(json.dumps(result, indent=2))
    finally:
        emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
