#!/usr/bin/env python3
"""plan-counts.py TOOLS MLOPSGEN [--break-mapping]: `mlopsgen plan` against Terraform's own plans,
address by address, over a series of config changes applied one after another.

In a scratch copy of the repository's environments/ and models/, with nothing generated yet, each
step edits the configuration, asks `mlopsgen plan --format json` what will happen, runs
`mlopsgen generate`, then plans every root whose files changed for real, against the project's
AWS emulator (tools/emulator, moto; one per account) with the real hashicorp/aws provider from
the judges' filesystem mirror (`tfcheck --info`): `terraform plan -out` and `terraform show -json`.
For every root, mlopsgen's (address, action) pairs (create, update, replace, destroy) must equal
the managed `resource_changes` of Terraform's plan. A replacement or destroy mlopsgen calls
refused must be exactly the resources Terraform refuses ("Instance cannot be destroyed"); the
rest of such a plan is then compared with prevent_destroy lifted in a copy, so that it is checked
too. Then the step is applied (bootstrap/ first, as an administrator does), and the next starts
from there; a refused step is undone as the plan advises (the old name kept).

The steps: the first apply of the whole platform; a model's data contract; a cron schedule; a
threshold; a renamed data bucket (refused); a new model; a removed environment (planned as
`terraform plan -destroy` of its directory, which generate keeps).

--break-mapping reads Terraform's "update" as "replace", to show the check failing.
Exit 0 when every root of every step agrees, 1 when one differs, 3 when the check cannot run.
"""
import concurrent.futures
import json
import os
import re
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
BREAK = False


def run(cmd, cwd=None, env=None, check=True):
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise RuntimeError("%s failed (exit %d):\n%s%s" % (" ".join(cmd), p.returncode, p.stdout[-3000:], p.stderr[-3000:]))
    return p


def override(endpoint, state):
    lines = ['terraform {', '  backend "local" {', '    path = "%s"' % state, '  }', '}', '',
             'provider "aws" {', '  skip_credentials_validation = true', '  skip_metadata_api_check     = true',
             '  skip_region_validation      = true', '  s3_use_path_style           = true', '  endpoints {']
    lines += ['    %s = "%s"' % (s, endpoint) for s in SERVICES]
    lines += ['  }', '}', '']
    return "\n".join(lines)


def edit(path, old, new):
    text = open(path).read()
    if old not in text:
        raise RuntimeError("%s: %r not found" % (path, old))
    open(path, "w").write(text.replace(old, new, 1))


def tf_action(actions):
    a = sorted(actions)
    if a == ["create"]:
        return "create"
    if a == ["update"]:
        return "replace" if BREAK else "update"
    if a == ["create", "delete"]:
        return "replace"
    if a == ["delete"]:
        return "destroy"
    return None  # no-op, read


class Account:
    """One emulator (an account) and the Terraform working directories of its roots."""

    def __init__(self, tmp, env, account, rc):
        self.env, self.tmp = env, tmp
        pidfile = os.path.join(tmp, env + ".pid")
        # Bucket policies unenforced by moto, which reads them without their conditions and would
        # refuse every upload of the roots' code (tools/localrun/localrun/moto_patches.py).
        started = run([os.path.join(REPO, "tools", "emulator", "start"), "--pidfile", pidfile,
                       "--account-id", account], env=dict(os.environ, MLOPSGEN_BUCKET_POLICIES="unenforced")).stdout
        self.pidfile = pidfile
        self.emu = dict(line.split("=", 1) for line in started.splitlines() if "=" in line)
        self.base = dict(os.environ, TF_CLI_CONFIG_FILE=rc, TF_PLUGIN_CACHE_DIR="", TF_IN_AUTOMATION="1",
                         AWS_ACCESS_KEY_ID=self.emu["AWS_ACCESS_KEY_ID"],
                         AWS_SECRET_ACCESS_KEY=self.emu["AWS_SECRET_ACCESS_KEY"],
                         AWS_REGION=self.emu.get("AWS_REGION", "us-east-1"))
        self.base.pop("AWS_PROFILE", None)

    def stop(self):
        run([os.path.join(REPO, "tools", "emulator", "stop"), self.pidfile], check=False)

    def workdir(self, generated, sub, lift=False):
        """A copy of generated/ (modules beside the root, as in the repository) with the state,
        provider and endpoints overridden; `lift`: prevent_destroy false in the copy."""
        key = "%s-%s%s" % (self.env, sub.replace("/", "-") or "main", "-lifted" if lift else "")
        work = os.path.join(self.tmp, "work", key)
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(generated, work, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
        if lift:
            for d, _, fs in os.walk(work):
                for f in fs:
                    if f.endswith(".tf"):
                        p = os.path.join(d, f)
                        t = open(p).read()
                        open(p, "w").write(t.replace("prevent_destroy = true", "prevent_destroy = false"))
        root = os.path.join(work, self.env, sub)
        state = os.path.join(self.tmp, "state", "%s-%s.tfstate" % (self.env, sub.replace("/", "-") or "main"))
        os.makedirs(os.path.dirname(state), exist_ok=True)
        if lift and os.path.exists(state):
            shutil.copy(state, state + ".lifted")
            state = state + ".lifted"
        has_backend = any('backend "' in open(os.path.join(root, f)).read() for f in os.listdir(root) if f.endswith(".tf"))
        name = "zz_plan_counts_override.tf" if has_backend else "zz_plan_counts.tf"
        text = override(self.emu["AWS_ENDPOINT_URL"], state)
        if not has_backend:
            # No backend to override: an ordinary file declares it (and the provider's override).
            backend, provider = text.split("\n\n", 1)
            open(os.path.join(root, "zz_plan_counts.tf"), "w").write(backend + "\n")
            open(os.path.join(root, "zz_plan_counts_override.tf"), "w").write(provider)
        else:
            open(os.path.join(root, name), "w").write(text)
        env = dict(self.base, TF_DATA_DIR=os.path.join(self.tmp, "data", key))
        return root, env

    def plan(self, generated, sub, destroy=False, lift=False):
        """(changes {address: action}, refused [address], error text) of one root."""
        root, env = self.workdir(generated, sub, lift)
        run(["terraform", "init", "-input=false", "-no-color", "-lockfile=readonly", "-reconfigure"], cwd=root, env=env)
        cmd = ["terraform", "plan", "-input=false", "-no-color", "-out=plan.bin"] + (["-destroy"] if destroy else [])
        p = run(cmd, cwd=root, env=env, check=False)
        if p.returncode != 0:
            refused = sorted(set(re.findall(r"Resource (\S+) has lifecycle\.prevent_destroy\s+set", p.stderr)))
            if not refused:
                raise RuntimeError("terraform plan in generated/%s/%s failed:\n%s" % (self.env, sub, p.stderr[-3000:]))
            return None, refused, root
        shown = json.loads(run(["terraform", "show", "-json", "plan.bin"], cwd=root, env=env).stdout)
        changes = {}
        for rc in shown.get("resource_changes", []):
            if rc.get("mode") != "managed":
                continue
            action = tf_action(rc["change"]["actions"])
            if action:
                changes[rc["address"]] = action
        return changes, [], root

    def apply(self, root, sub):
        env = dict(self.base, TF_DATA_DIR=os.path.join(self.tmp, "data", "%s-%s" % (self.env, sub.replace("/", "-") or "main")))
        run(["terraform", "apply", "-input=false", "-no-color", "plan.bin"], cwd=root, env=env)


def ours(doc):
    """mlopsgen's plan: {(env, sub): ({address: action}, [refused], retired)} per changed root."""
    out = {}
    for d in doc["directories"]:
        env = d["directory"][len("generated/"):]
        if env in ("modules", "jenkins"):
            continue
        for c in d["changes"]:
            if c["root"] == "pipeline":
                continue
            sub = "bootstrap" if c["root"] == "bootstrap" else ""
            changes, refused, _ = out.setdefault((env, sub), ({}, [], d["retired"]))
            changes[c["address"]] = c["action"]
            if c["refused"]:
                refused.append(c["address"])
    return out


def changed_roots(doc):
    """(env, sub) of every root one of whose files changes (or whose directory is retired)."""
    roots = set()
    for d in doc["directories"]:
        env = d["directory"][len("generated/"):]
        if env == "jenkins":
            continue
        for f in d["files"]:
            rest = f["path"][len(d["directory"]) + 1:]
            if env == "modules":
                roots.add(("*", None))
            else:
                roots.add((env, "bootstrap" if rest.startswith("bootstrap/") else ""))
        if d["retired"]:
            roots.update({(env, ""), (env, "bootstrap")})
    return roots


def compare(label, mine, theirs, drift):
    """(lines naming every address whose action differs, addresses excused as emulator drift)."""
    lines, excused = [], []
    for addr in sorted(set(mine) | set(theirs)):
        a, b = mine.get(addr, "no change"), theirs.get(addr, "no change")
        if a == b:
            continue
        if a == "no change" and drift.get(addr) == b:
            excused.append(addr)
        else:
            lines.append("  %s: %s: mlopsgen plan says %s, Terraform %s" % (label, addr, a, b))
    return lines, excused


def main(argv):
    global BREAK
    if "--break-mapping" in argv:
        BREAK = True
        argv = [a for a in argv if a != "--break-mapping"]
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 3
    tools, mlopsgen = argv[0], os.path.abspath(argv[1])
    info = run([os.path.join(tools, "tfcheck", "tfcheck"), "--info"]).stdout
    mirror = (json.loads(info).get("real_provider") or {}).get("mirror")
    if not mirror:
        print("plan-counts: no real hashicorp/aws build in a filesystem mirror here (tfcheck --info)", file=sys.stderr)
        return 3
    t_all = time.time()
    failed = False
    with tempfile.TemporaryDirectory(prefix="plan-counts.") as tmp:
        rc = os.path.join(tmp, "mirror.tfrc")
        with open(rc, "w") as f:
            f.write('provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' % mirror)
        repo = os.path.join(tmp, "repo")
        os.makedirs(repo)
        for d in ("environments", "models"):
            if os.path.isdir(os.path.join(REPO, d)):
                shutil.copytree(os.path.join(REPO, d), os.path.join(repo, d))
        described = json.loads(run([mlopsgen, "describe"], cwd=repo).stdout)
        accounts = {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
            started = {e["name"]: pool.submit(Account, tmp, e["name"], e["account_id"], rc) for e in described["environments"]}
            done = {n: f.exception() for n, f in started.items()}
            accounts = {n: f.result() for n, f in started.items() if done[n] is None}
            if len(accounts) != len(started):
                for a in accounts.values():
                    a.stop()
                raise RuntimeError("emulator: %s" % [str(e) for e in done.values() if e])
        try:
            failed = series(repo, accounts, mlopsgen)
        finally:
            for a in accounts.values():
                a.stop()
    print("plan-counts: %s in %.0f s: %s" % ("the series", time.time() - t_all, "FAILED" if failed else "every root agrees"))
    return 1 if failed else 0


def series(repo, accounts, mlopsgen):
    """Runs the steps; True when a root differed."""
    failed = False
    drift = {}
    generated = os.path.join(repo, "generated")
    envs_dir = os.path.join(repo, "environments")
    model = os.path.join(repo, "models", "mammography-severity-model.json")
    renamed = ('"acme-sagemaker-prod-222222222222"', '"acme-sagemaker-prod-v2-222222222222"')
    steps = [
        ("first apply of the platform", lambda: None, None),
        ("a model's data contract (Age max 120 -> 110)",
         lambda: edit(model, '"max": 120', '"max": 110'), None),
        ("prod's cron schedule",
         lambda: edit(os.path.join(envs_dir, "prod.tfvars.json"), '"cron(0 23 * * ? *)"', '"cron(30 22 * * ? *)"'), None),
        ("prod's AUC threshold",
         lambda: edit(os.path.join(envs_dir, "prod.tfvars.json"), '"auc_threshold": 0.75', '"auc_threshold": 0.8'), None),
        ("prod's data bucket renamed (prevent_destroy: refused)",
         lambda: edit(os.path.join(envs_dir, "prod.tfvars.json"), *renamed),
         lambda: edit(os.path.join(envs_dir, "prod.tfvars.json"), renamed[1], renamed[0])),
        ("a new model in dev",
         lambda: edit(os.path.join(envs_dir, "dev.tfvars.json"), '"models": {',
                      '"models": {\n    "churn-model": {\n      "model_package_group_name": "registry:mammo-severity-model-package"\n    },'),
         None),
        ("dev removed",
         lambda: (os.remove(os.path.join(envs_dir, "dev.tfvars.json")),
                  edit(os.path.join(envs_dir, "registry.tfvars.json"), '"consumers": ["dev", "prod"]', '"consumers": ["prod"]')),
         None),
    ]
    for i, (label, change, undo) in enumerate(steps):
        t0 = time.time()
        change()
        p = run([mlopsgen, "plan", "--format", "json"], cwd=repo, check=False)
        if p.returncode not in (0, 2):
            raise RuntimeError("mlopsgen plan: exit %d\n%s" % (p.returncode, p.stderr))
        doc = json.loads(p.stdout)
        mine = ours(doc)
        roots = changed_roots(doc)
        if ("*", None) in roots:
            roots = {(e, s) for e in accounts for s in ("bootstrap", "")} | {r for r in roots if r[0] != "*"}
        run([mlopsgen, "generate"], cwd=repo)
        # Bootstrap roots first (applied by an administrator before the main root).
        by_env = {}
        for env, sub in sorted(roots, key=lambda r: (r[0], r[1] != "bootstrap")):
            if os.path.isfile(os.path.join(generated, env, sub, "main.tf")):
                by_env.setdefault(env, []).append(sub)

        def one_env(env):
            lines, bad = [], False
            acct = accounts[env]
            # A step Terraform refuses is applied nowhere in that environment (an administrator
            # would not apply its bootstrap/ either); it is undone instead.
            hold = any(mine.get((env, s), ({}, [], False))[1] for s in ("", "bootstrap"))
            for sub in by_env[env]:
                label_root = "generated/%s%s" % (env, "/" + sub if sub else "")
                m_changes, m_refused, retired = mine.get((env, sub), ({}, [], False))
                t_changes, t_refused, root = acct.plan(generated, sub, destroy=retired)
                diff = []
                if sorted(m_refused) != t_refused:
                    diff.append("  %s: refused: mlopsgen plan says %s, Terraform %s" % (label_root, sorted(m_refused) or "none", t_refused or "none"))
                if t_changes is None:
                    # Terraform stopped at the refusal: compare the rest with it lifted.
                    t_changes, _, _ = acct.plan(generated, sub, destroy=retired, lift=True)
                    root = None
                differ, excused = compare(label_root, m_changes, t_changes, drift.get((env, sub), {}))
                diff += differ
                for addr in excused:
                    t_changes.pop(addr)
                counts = {}
                for a in t_changes.values():
                    counts[a] = counts.get(a, 0) + 1
                what = ", ".join("%d %s" % (n, a) for a, n in sorted(counts.items())) or "no changes"
                refused = "; refused %s" % ", ".join(t_refused) if t_refused else ""
                drifted = "; %d emulator drift excused" % len(excused) if excused else ""
                lines.append("  %s %s: Terraform %s%s%s" % ("ok:" if not diff else "DIFFERENT:", label_root, what, refused, drifted))
                lines += diff
                bad |= bool(diff)
                if root and not hold:
                    acct.apply(root, sub)
            return lines, bad

        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(by_env))) as pool:
            results = list(pool.map(one_env, sorted(by_env)))
        print("step %d: %s (%d root(s) planned, %.0f s)" % (i, label, sum(len(v) for v in by_env.values()), time.time() - t0))
        for lines, bad in results:
            print("\n".join(lines))
            failed |= bad
        sys.stdout.flush()
        if failed and BREAK:
            print("plan-counts: --break-mapping: stopping at the first step that differs")
            break
        if i == 0:
            # What the emulator itself keeps changing (an attribute it does not store, read back
            # differently): planned right after the first apply, with no config change. Such an
            # address is excused later only where mlopsgen says "no change" and Terraform plans
            # the same action as here; each step's line counts them.
            def drift_of(env):
                return {(env, sub): accounts[env].plan(generated, sub)[0] or {} for sub in ("bootstrap", "")}
            t0 = time.time()
            with concurrent.futures.ThreadPoolExecutor(max_workers=len(accounts)) as pool:
                for d in pool.map(drift_of, sorted(accounts)):
                    drift.update(d)
            print("emulator drift (planned with no change, %.0f s): %s" % (time.time() - t0, "; ".join(
                "generated/%s%s: %s" % (e, "/" + s_ if s_ else "", ", ".join("%s %s" % (v, k) for k, v in sorted(c.items())))
                for (e, s_), c in sorted(drift.items()) if c) or "none"))
            sys.stdout.flush()
        if undo:
            # Done as the plan advises: the old name kept.
            undo()
            run([mlopsgen, "generate"], cwd=repo)
    return failed


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except RuntimeError as e:
        print("plan-counts: %s" % e, file=sys.stderr)
        sys.exit(1)
