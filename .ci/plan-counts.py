#!/usr/bin/env python3
"""plan-counts.py TOOLS MLOPSGEN ENV...: `mlopsgen plan`'s counts against Terraform's own.

For each ENV, in a scratch copy of the repository's environments/ with nothing generated yet:
`mlopsgen plan ENV --format json` says how many resources a first apply adds (bootstrap/ and
the main root together, module calls by their resources, no data sources, variables or
outputs). Then the roots are generated and planned for real against the project's AWS emulator
(tools/emulator, moto) with the real hashicorp/aws provider from the judges' filesystem mirror
(`tfcheck --info`): `terraform plan -out` and `terraform show -json` of bootstrap/ (which is then
applied, as an administrator does, so the main root's data sources can be read) and of the main
root; Terraform's count is the number of `resource_changes` whose actions include "create".
Exit 0 when every ENV's counts agree, 1 when one differs, 3 when the check cannot run.
"""
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Every service the generated roots use; a resource of another service would reach for AWS
# itself and fail the plan (there is no network here), never pass unnoticed.
SERVICES = ["cloudwatch", "events", "iam", "kms", "lambda", "logs", "s3", "sagemaker", "scheduler",
            "sns", "sqs", "sts"]


def run(cmd, cwd=None, env=None, check=True):
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise RuntimeError("%s failed (exit %d):\n%s%s" % (" ".join(cmd), p.returncode, p.stdout[-3000:], p.stderr[-3000:]))
    return p


def override(endpoint, has_backend):
    lines = []
    if has_backend:
        lines += ['terraform {', '  backend "local" {}', '}', '']
    lines += ['provider "aws" {', '  skip_credentials_validation = true', '  skip_metadata_api_check     = true',
              '  skip_region_validation      = true', '  s3_use_path_style           = true', '  endpoints {']
    lines += ['    %s = "%s"' % (s, endpoint) for s in SERVICES]
    lines += ['  }', '}', '']
    return "\n".join(lines)


def creates(tf_env, root, apply_after=False):
    run(["terraform", "init", "-input=false", "-no-color", "-lockfile=readonly"], cwd=root, env=tf_env)
    run(["terraform", "plan", "-input=false", "-no-color", "-out=plan.bin"], cwd=root, env=tf_env)
    shown = json.loads(run(["terraform", "show", "-json", "plan.bin"], cwd=root, env=tf_env).stdout)
    n = sum(1 for rc in shown.get("resource_changes", [])
            if rc.get("mode") == "managed" and "create" in rc["change"]["actions"])
    if apply_after:
        run(["terraform", "apply", "-input=false", "-no-color", "plan.bin"], cwd=root, env=tf_env)
    return n


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 3
    tools, mlopsgen, envs = argv[0], os.path.abspath(argv[1]), argv[2:]
    info = run([os.path.join(tools, "tfcheck", "tfcheck"), "--info"]).stdout
    mirror = (json.loads(info).get("real_provider") or {}).get("mirror")
    if not mirror:
        print("plan-counts: no real hashicorp/aws build in a filesystem mirror here (tfcheck --info)", file=sys.stderr)
        return 3
    failed = False
    with tempfile.TemporaryDirectory(prefix="plan-counts.") as tmp:
        rc = os.path.join(tmp, "mirror.tfrc")
        with open(rc, "w") as f:
            f.write('provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' % mirror)
        repo = os.path.join(tmp, "repo")
        os.makedirs(repo)
        shutil.copytree(os.path.join(REPO, "environments"), os.path.join(repo, "environments"))
        ours = {}
        for env in envs:
            p = run([mlopsgen, "plan", env, "--format", "json"], cwd=repo, check=False)
            if p.returncode not in (0, 2):
                raise RuntimeError("mlopsgen plan %s: exit %d\n%s" % (env, p.returncode, p.stderr))
            ours[env] = json.loads(p.stdout)["summary"]
        run([mlopsgen, "generate"], cwd=repo)
        described = json.loads(run([mlopsgen, "describe"], cwd=repo).stdout)
        accounts = {e["name"]: e["account_id"] for e in described["environments"]}
        def terraform_count(env):
            """Terraform's creates for env's roots, and the lines that say so (own emulator)."""
            lines = []
            pidfile = os.path.join(tmp, env + ".pid")
            start = [os.path.join(REPO, "tools", "emulator", "start"), "--pidfile", pidfile, "--account-id", accounts[env]]
            started = run(start).stdout
            emu = dict(line.split("=", 1) for line in started.splitlines() if "=" in line)
            try:
                tf_env = dict(os.environ, TF_CLI_CONFIG_FILE=rc, TF_PLUGIN_CACHE_DIR="", TF_IN_AUTOMATION="1",
                              AWS_ACCESS_KEY_ID=emu["AWS_ACCESS_KEY_ID"],
                              AWS_SECRET_ACCESS_KEY=emu["AWS_SECRET_ACCESS_KEY"],
                              AWS_REGION=emu.get("AWS_REGION", "us-east-1"))
                tf_env.pop("AWS_PROFILE", None)
                theirs = 0
                for sub, apply_after in (("bootstrap", True), ("", False)):
                    root = os.path.join(repo, "generated", env, sub)
                    if not os.path.isfile(os.path.join(root, "main.tf")):
                        continue
                    has_backend = any('backend "s3"' in open(os.path.join(root, f)).read()
                                      for f in os.listdir(root) if f.endswith(".tf"))
                    with open(os.path.join(root, "plan_counts_override.tf"), "w") as f:
                        f.write(override(emu["AWS_ENDPOINT_URL"], has_backend))
                    n = creates(tf_env, root, apply_after)
                    lines.append("  generated/%s%s: terraform show -json: %d to create" % (env, "/" + sub if sub else "", n))
                    theirs += n
            finally:
                run([os.path.join(REPO, "tools", "emulator", "stop"), pidfile], check=False)
            return lines, theirs

        # The environments are independent (one emulator each) and mostly wait on the provider's
        # polling: planned side by side, reported in order.
        t0 = time.time()
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(envs)) as pool:
            results = list(pool.map(terraform_count, envs))
        for env, (lines, theirs) in zip(envs, results):
            print("\n".join(lines))
            mine = ours[env]["add"]
            same = mine == theirs
            failed |= not same
            print("%s %s: mlopsgen plan %d to add, Terraform %d to create"
                  % ("ok:" if same else "DIFFERENT:", env, mine, theirs))
        print("plan-counts: %d environment(s) in %.0f s" % (len(envs), time.time() - t0))
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except RuntimeError as e:
        print("plan-counts: %s" % e, file=sys.stderr)
        sys.exit(1)
