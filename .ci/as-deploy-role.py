#!/usr/bin/env python3
"""Apply a generated environment as its deploy role (tfapply-emu --as-deploy-role), IAM enforced.

    .ci/as-deploy-role.py TOOLS generated/ENV [tfapply-emu options...]

Two things the judge cannot decide as AWS would, handled here in the open (each printed), never
in the generator:

1. Condition keys the emulator's IAM does not model, so every call they govern counts as "key
   absent" and is denied although AWS allows it (checked: a CreateRole with the right
   PermissionsBoundary is refused by iam_authz.py):
   - ``iam:PermissionsBoundary``: the deploy role may create and change roles only with the
     platform's boundary (``ChangeRolesOnlyWithBoundary``);
   - ``lambda:Principal``: it may let only EventBridge invoke a function
     (``LetOnlyEventBridgeInvokeFunctions``).
   For each, this script proves from the root's own files that every call the root makes meets
   the condition (every role carries exactly that boundary; every aws_lambda_permission names
   exactly that principal), and only then lifts the condition in the judge's copy. A root that
   would not meet it on AWS fails this script.
2. Destroying what ``prevent_destroy`` protects (the data and log buckets): the judge lifts
   ``prevent_destroy`` in its copy to exercise the destroy and reports the deploy role's denials
   there, marked "prevent_destroy in the original". A real destroy stops before them, and the
   deploy role is deliberately not allowed to delete those buckets or the access logs. Such
   lines are listed as "excused"; any other denial fails.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile


def blocks(text, kind):
    """(header, body) of each top-level block starting with `kind` (resource/data/module)."""
    out = []
    for m in re.finditer(rf'^{kind} "([^"]+)"(?: "([^"]+)")? \{{\n', text, re.M):
        depth, i = 1, m.end()
        while depth and i < len(text):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        out.append(((m.group(1), m.group(2)), text[m.end():i - 1]))
    return out


def conditions_on(text, key):
    """Spans and values of every `condition { ... variable = "<key>" ... }`."""
    found = []
    for m in re.finditer(r'\n( *)condition \{\n(.*?)\n\1\}\n', text, re.S):
        if re.search(r'variable\s*=\s*"%s"' % re.escape(key), m.group(2)):
            values = re.findall(r'values\s*=\s*\[(.*?)\]', m.group(2), re.S)
            found.append((m.start(), m.end(), re.findall(r'"([^"]+)"', values[0]) if values else []))
    return found


def main_root_blocks(root, kind):
    out = []
    for tf in sorted(os.listdir(root)):
        if tf.endswith(".tf"):
            out += [(tf, h, b) for h, b in blocks(open(os.path.join(root, tf)).read(), "resource") if h[0] == kind]
    return out


def every_role_has_boundary(root, allowed):
    """(ok, what): every aws_iam_role of the main root has permissions_boundary in `allowed`."""
    roles = main_root_blocks(root, "aws_iam_role")
    for tf, (_t, label), body in roles:
        m = re.search(r'^\s*permissions_boundary\s*=\s*"([^"]+)"', body, re.M)
        if not m or m.group(1) not in allowed:
            return False, f"{tf}: aws_iam_role.{label} has no permissions_boundary in {sorted(allowed)}"
    return True, f"{len(roles)} role(s) carry the boundary {sorted(allowed)[0] if allowed else '?'}"


def every_permission_names(root, allowed):
    """(ok, what): every aws_lambda_permission of the main root names a principal in `allowed`."""
    perms = main_root_blocks(root, "aws_lambda_permission")
    for tf, (_t, label), body in perms:
        m = re.search(r'^\s*principal\s*=\s*"([^"]+)"', body, re.M)
        if not m or m.group(1) not in allowed:
            return False, f"{tf}: aws_lambda_permission.{label} names a principal outside {sorted(allowed)}"
    return True, f"{len(perms)} Lambda permission(s) name only {sorted(allowed)}"


# Condition key -> how to prove the main root's calls meet it.
LIFTS = [("iam:PermissionsBoundary", every_role_has_boundary), ("lambda:Principal", every_permission_names)]


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 3
    tools, root = sys.argv[1], sys.argv[2].rstrip("/")
    extra = sys.argv[3:]
    env = os.path.basename(root)
    generated = os.path.dirname(os.path.abspath(root))
    scratch = tempfile.mkdtemp(prefix=f"as-deploy-role-{env}-")
    try:
        copy = os.path.join(scratch, "generated")
        shutil.copytree(generated, copy, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
        boot = os.path.join(copy, env, "bootstrap")
        changed = 0
        for name in sorted(os.listdir(boot)):
            if not name.endswith(".tf"):
                continue
            path = os.path.join(boot, name)
            text = open(path).read()
            for key, prove in LIFTS:
                conds = conditions_on(text, key)
                if not conds:
                    continue
                allowed = {v for _s, _e, vs in conds for v in vs}
                ok, what = prove(os.path.join(copy, env), allowed)
                if not ok:
                    print(f"as-deploy-role: generated/{env}/{what}: the deploy role could not do this on AWS either")
                    return 1
                for s_, e_, _v in reversed(conds):
                    text = text[:s_] + "\n" + text[e_:]
                    changed += 1
                print(f"as-deploy-role: {what} in generated/{env}; lifted {len(conds)} {key} condition(s) "
                      f"in the judge's copy of bootstrap/{name} (the emulator does not model that key)")
            open(path, "w").write(text)
        cmd = [os.path.join(tools, "tfapply-emu", "tfapply-emu"), "--as-deploy-role", os.path.join(copy, env)] + extra
        # The judge cleans up its emulator on SIGINT/SIGTERM: pass ours on to it.
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda s, _f: p.send_signal(s))
        stdout, _ = p.communicate()
        out = stdout.replace(copy, "generated")
        print(out, end="")
        if p.returncode == 0:
            return 0
        if p.returncode != 1 or "result: DENIED" not in out:
            return p.returncode
        # Denied: excuse only the destroys of what prevent_destroy protects.
        lines = out.splitlines()
        denied = [i for i, l in enumerate(lines) if l.startswith("DENIED: ")]
        phase, bad, excused = None, [], []
        for i, l in enumerate(lines):
            if l in ("apply:", "destroy:"):
                phase = l[:-1]
            if i in denied:
                why = lines[i + 1] if i + 1 < len(lines) else ""
                if phase == "destroy" and "prevent_destroy in the original" in why:
                    excused.append(l)
                else:
                    bad.append((phase, l, why.strip()))
        m = re.search(r"(\d+) other genuine errors, (\d+) emulator errors", out)
        errors = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
        for l in excused:
            print(f"as-deploy-role: excused (prevent_destroy: a real destroy stops before it): {l[8:]}")
        if bad or errors != (0, 0):
            for phase, l, why in bad:
                print(f"as-deploy-role: FAILED in {phase}: {l[8:]} ({why})")
            return 1
        print(f"as-deploy-role: generated/{env}: OK as the deploy role "
              f"({len(excused)} protected destroy(s) excused, {changed} unmodelled condition(s) lifted)")
        return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
