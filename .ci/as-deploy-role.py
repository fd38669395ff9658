#!/usr/bin/env python3
"""Apply a generated environment as its deploy role (tfapply-emu --as-deploy-role), IAM enforced.

    .ci/as-deploy-role.py TOOLS generated/ENV [tfapply-emu options...]

Two things the judge cannot decide as AWS would, handled here in the open (each printed), never
in the generator:

1. The condition key ``iam:PermissionsBoundary``. The deploy role may create and change roles only
   with the platform's boundary (``ChangeRolesOnlyWithBoundary``); the emulator's IAM does not
   model the key, so every such call counts as "key absent" and is denied although AWS allows it
   (checked: a CreateRole with the right PermissionsBoundary is refused by iam_authz.py). This
   script proves, from the root's own files, that every role the main root creates carries
   exactly the boundary the condition names, and only then lifts the condition in the judge's
   copy. A role without it fails this script.
2. Destroying what ``prevent_destroy`` protects (the data and log buckets): the judge lifts
   ``prevent_destroy`` in its copy to exercise the destroy and reports the deploy role's denials
   there, marked "prevent_destroy in the original". A real destroy stops before them, and the
   deploy role is deliberately not allowed to delete those buckets or the access logs. Such
   lines are listed as "excused"; any other denial fails.
"""
import os
import re
import shutil
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


def boundary_conditions(text):
    """Spans and values of every `condition { ... variable = "iam:PermissionsBoundary" ... }`."""
    found = []
    for m in re.finditer(r'\n( *)condition \{\n(.*?)\n\1\}\n', text, re.S):
        if re.search(r'variable\s*=\s*"iam:PermissionsBoundary"', m.group(2)):
            values = re.findall(r'"(arn:[^"]+)"', m.group(2))
            found.append((m.start(), m.end(), values))
    return found


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
            conds = boundary_conditions(text)
            if not conds:
                continue
            arns = {v for _s, _e, vs in conds for v in vs}
            # Every role of the main root must carry that boundary, or the condition is not
            # met on AWS either.
            roles = []
            for tf in sorted(os.listdir(os.path.join(copy, env))):
                if tf.endswith(".tf"):
                    roles += [(tf, h, b) for h, b in blocks(open(os.path.join(copy, env, tf)).read(), "resource")
                              if h[0] == "aws_iam_role"]
            for tf, (_t, label), body in roles:
                m = re.search(r'^\s*permissions_boundary\s*=\s*"([^"]+)"', body, re.M)
                if not m or m.group(1) not in arns:
                    print(f"as-deploy-role: {env}/{tf}: aws_iam_role.{label} has no permissions_boundary "
                          f"in {sorted(arns)}: the deploy role could not create it on AWS either")
                    return 1
            for s, e, _v in reversed(conds):
                text = text[:s] + "\n" + text[e:]
                changed += 1
            open(path, "w").write(text)
            print(f"as-deploy-role: {len(roles)} role(s) of generated/{env} carry the boundary {sorted(arns)[0]}; "
                  f"lifted {len(conds)} iam:PermissionsBoundary condition(s) in the judge's copy of bootstrap/{name} "
                  "(the emulator does not model that key)")
        cmd = [os.path.join(tools, "tfapply-emu", "tfapply-emu"), "--as-deploy-role", os.path.join(copy, env)] + extra
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        out = p.stdout.replace(copy, "generated")
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
        again = [l for l in lines if l.startswith("  and ") and "denied as in" in l]
        m = re.search(r"(\d+) other genuine errors, (\d+) emulator errors", out)
        errors = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
        for l in excused:
            print(f"as-deploy-role: excused (prevent_destroy: a real destroy stops before it): {l[8:]}")
        if again and not bad:
            # "and N denied as in apply": those were listed (and judged) in apply already.
            pass
        if bad or errors != (0, 0):
            for phase, l, why in bad:
                print(f"as-deploy-role: FAILED in {phase}: {l[8:]} ({why})")
            return 1
        print(f"as-deploy-role: generated/{env}: OK as the deploy role "
              f"({len(excused)} protected destroy(s) excused, {changed} boundary condition(s) lifted)")
        return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
