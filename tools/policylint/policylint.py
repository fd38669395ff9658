#!/usr/bin/env python3
"""policylint: lint the IAM policies of `mlopsgen describe` with parliament and cloudsplaining.

Run it through the `policylint` launcher beside this file, which provides the pinned Python
environment (requirements.txt). README.md describes the checks, the options, reviewed.json and
the exit codes. In short:

* every JSON object in an environment that has a "Statement" is a policy, labelled by its JSON
  path ("prod execution_role.policy", "registry groups[0].policy"); key_policy,
  artifacts_bucket_policy and groups[].policy are resource policies, the rest identity policies;
* Terraform references ("${aws_sagemaker_pipeline.x_inference.arn}", "${module.kms.arn}") are
  replaced by a plausible ARN for the environment's account and region first, and said so;
* parliament runs on every policy; cloudsplaining's scan-policy-file check (with -aR, i.e.
  --flag-all-risky-actions) on every identity policy, its public-access check on every resource
  policy and its trust-policy checks on the trust a role's "trusted" field describes;
* a finding listed in reviewed.json is printed as "reviewed" with its reason; any other
  cloudsplaining privilege-escalation / resource-exposure / public-access finding, and any
  parliament finding of severity MEDIUM or higher, fails the run (exit 1).
"""

from __future__ import annotations

import argparse
import copy
import fnmatch
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from importlib import metadata

# parliament 1.6.4 imports pkg_resources, which warns on import (setuptools is pinned below 81).
warnings.filterwarnings("ignore", message=r"pkg_resources is deprecated", category=UserWarning)
warnings.filterwarnings("ignore", category=DeprecationWarning)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_REVIEWED = os.path.join(HERE, "reviewed.json")

# Where the describe JSON keeps resource policies (first path component); everything else that
# has a Statement is an identity policy of a role (execution_role, lambda_role, deploy_role,
# approver_role, and whatever role describe adds later).
RESOURCE_POLICIES = {
    "key_policy": "KMS key policy",
    "artifacts_bucket_policy": "S3 bucket policy",
    "groups": "SageMaker model package group policy",
}
IDENTITY_POLICIES = {
    "execution_role": "SageMaker execution role policy",
    "lambda_role": "Lambda role policy",
    "deploy_role": "deploy (Jenkins) role policy",
    "approver_role": "model approver role policy",
    "plan_role": "Terraform plan role policy",
    # A permissions boundary is a managed policy in identity-policy grammar; it grants nothing
    # itself but caps the roles it is attached to, so what it still allows is what a role under
    # it could at most do (escalation findings there are about that ceiling).
    "role_boundary": "permissions boundary (caps the roles it is attached to)",
}

SEVERITIES = ["INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"]
PARLIAMENT_FAIL_AT = "MEDIUM"
# cloudsplaining checks that fail unless reviewed; its other categories are printed as info.
CLOUDSPLAINING_FAILING = {
    "PrivilegeEscalation",
    "ResourceExposure",
    "InternetAccessible",
    "AssumableByAnyPrincipal",
    "AssumableByAnyPrincipalWithConditions",
}
CLOUDSPLAINING_CATEGORIES = [
    "PrivilegeEscalation",
    "ResourceExposure",
    "DataExfiltration",
    "CredentialsExposure",
    "ServiceWildcard",
    "InfrastructureModification",
]

log = logging.getLogger("policylint")


class UsageError(Exception):
    """Bad input: exit 2."""


# --------------------------------------------------------------------------------------------
# Finding the policies in the describe JSON


class Policy:
    def __init__(self, env, path, doc, parent, kind, what, classified_by):
        self.env = env
        self.env_name = str(env.get("name", "?"))
        self.path = path
        self.label = f"{self.env_name} {path}"
        self.original = doc
        self.doc = doc
        self.parent = parent if isinstance(parent, dict) else {}
        self.kind = kind  # "identity", "resource" or "trust"
        self.what = what
        self.classified_by = classified_by
        self.notes: list[str] = []
        self.findings: list[dict] = []
        self.key_arn = None  # the environment's key as linted (see substitute)

    @property
    def self_arn(self):
        arn = self.parent.get("arn")
        return arn if isinstance(arn, str) else None


def is_policy(value):
    return isinstance(value, dict) and "Statement" in value


def classify(path, doc):
    head = re.split(r"[.\[]", path, maxsplit=1)[0]
    if head in RESOURCE_POLICIES:
        return "resource", RESOURCE_POLICIES[head], "path"
    if head in IDENTITY_POLICIES:
        return "identity", IDENTITY_POLICIES[head], "path"
    # A key this tool does not know yet: go by its name, then by its content.
    if head.endswith("_role"):
        return "identity", "role policy", "name"
    if head.endswith("_boundary"):
        return "identity", "permissions boundary", "name"
    if head.endswith("_policy") and ("bucket" in head or "key" in head or "topic" in head or "queue" in head):
        return "resource", "resource policy", "name"
    stmts = statements(doc)
    if stmts and all(isinstance(s, dict) and ("Principal" in s or "NotPrincipal" in s) for s in stmts):
        return "resource", "resource policy", "content"
    return "identity", "identity policy", "content"


def walk(value, path):
    """Yields (path, value, parent, key) for every node, depth first, in document order."""
    if isinstance(value, dict):
        for k, v in value.items():
            p = f"{path}.{k}" if path else k
            yield p, v, value, k
            if not is_policy(v):
                yield from walk(v, p)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            p = f"{path}[{i}]"
            yield p, v, value, i
            if not is_policy(v):
                yield from walk(v, p)


def statements(doc):
    st = doc.get("Statement") if isinstance(doc, dict) else None
    if st is None:
        return []
    return st if isinstance(st, list) else [st]


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def trust_policy(role):
    """The trust policy a role's describe entry implies ("trusted", "external_id", "require_mfa")."""
    principals = [p for p in as_list(role.get("trusted")) if isinstance(p, str)]
    if not principals:
        return None
    stmt = {"Sid": "Trusted", "Effect": "Allow", "Principal": {"AWS": principals}, "Action": "sts:AssumeRole"}
    cond = {}
    if role.get("external_id"):
        cond.setdefault("StringEquals", {})["sts:ExternalId"] = role["external_id"]
    if role.get("require_mfa"):
        cond.setdefault("Bool", {})["aws:MultiFactorAuthPresent"] = "true"
    if cond:
        stmt["Condition"] = cond
    return {"Version": "2012-10-17", "Statement": [stmt]}


def find_policies(describe):
    envs = describe.get("environments") if isinstance(describe, dict) else None
    if not isinstance(envs, list):
        raise UsageError('describe JSON has no "environments" list')
    policies, skipped = [], []
    for env in envs:
        if not isinstance(env, dict):
            continue
        for path, value, parent, key in walk(env, ""):
            if is_policy(value):
                kind, what, how = classify(path, value)
                policies.append(Policy(env, path, value, parent, kind, what, how))
                if isinstance(parent, dict) and "trusted" in parent:
                    trust = trust_policy(parent)
                    if trust is not None:
                        tpath = path.rsplit(".", 1)[0] + ".trusted"
                        t = Policy(env, tpath, trust, parent, "trust", "trust policy (built from trusted/external_id/require_mfa)", "path")
                        policies.append(t)
            elif key == "policy" and value is None:
                skipped.append((f"{env.get('name', '?')} {path}", "null"))
    return policies, skipped


# --------------------------------------------------------------------------------------------
# Terraform references and describe's stand-ins

REF = re.compile(r"\$\{([^}]*)\}")

TYPE_ARN = {
    "aws_sagemaker_pipeline": "arn:{p}:sagemaker:{r}:{a}:pipeline/{n}",
    "aws_sagemaker_model_package_group": "arn:{p}:sagemaker:{r}:{a}:model-package-group/{n}",
    "aws_sagemaker_model": "arn:{p}:sagemaker:{r}:{a}:model/{n}",
    "aws_s3_bucket": "arn:{p}:s3:::{n}",
    "aws_kms_key": "arn:{p}:kms:{r}:{a}:key/{uuid}",
    "aws_kms_alias": "arn:{p}:kms:{r}:{a}:alias/{n}",
    "aws_iam_role": "arn:{p}:iam::{a}:role/{n}",
    "aws_iam_policy": "arn:{p}:iam::{a}:policy/{n}",
    "aws_lambda_function": "arn:{p}:lambda:{r}:{a}:function:{n}",
    "aws_sns_topic": "arn:{p}:sns:{r}:{a}:{n}",
    "aws_sqs_queue": "arn:{p}:sqs:{r}:{a}:{n}",
    "aws_cloudwatch_log_group": "arn:{p}:logs:{r}:{a}:log-group:{n}",
    "aws_cloudwatch_event_rule": "arn:{p}:events:{r}:{a}:rule/{n}",
    "aws_cloudwatch_event_bus": "arn:{p}:events:{r}:{a}:event-bus/{n}",
    "aws_ecr_repository": "arn:{p}:ecr:{r}:{a}:repository/{n}",
    "aws_dynamodb_table": "arn:{p}:dynamodb:{r}:{a}:table/{n}",
    "aws_secretsmanager_secret": "arn:{p}:secretsmanager:{r}:{a}:secret:{n}-AbCdEf",
    "aws_ssm_parameter": "arn:{p}:ssm:{r}:{a}:parameter/{n}",
    "aws_sfn_state_machine": "arn:{p}:states:{r}:{a}:stateMachine:{n}",
}


def env_facts(env):
    return {
        "p": str(env.get("partition") or "aws"),
        "r": str(env.get("region") or "us-east-1"),
        "a": str(env.get("account_id") or "000000000000"),
    }


def key_stub(env):
    """A plausible key ARN for a key Terraform creates (the last UUID group is the account)."""
    f = env_facts(env)
    tail = f["a"][-12:].rjust(12, "0")
    return f"arn:{f['p']}:kms:{f['r']}:{f['a']}:key/00000000-0000-4000-8000-{tail}"


def key_is_alias_stand_in(env):
    """describe gives a key that Terraform creates by its alias ARN ("kms_key"; "kms_alias" set),
    where the generated Terraform uses module.kms.arn, the key ARN."""
    k = env.get("kms_key")
    return bool(env.get("kms_alias")) and isinstance(k, str) and ":alias/" in k


def env_key_arn(env):
    k = env.get("kms_key")
    if key_is_alias_stand_in(env):
        return key_stub(env)
    return k if isinstance(k, str) else None


def address_arns(env):
    """Terraform address -> (ARN, where) for every object of one environment (its own root
    module: addresses repeat across environments) that names both."""
    out = {}
    for path, value, _parent, _key in walk(env, ""):
        if isinstance(value, dict) and isinstance(value.get("resource"), str) and isinstance(value.get("arn"), str):
            out.setdefault(value["resource"], (value["arn"], path))
    return out


def last_segment(arn):
    return re.split(r"[:/]", arn)[-1]


def resolve_ref(expr, env, addresses):
    """(value, how) for a Terraform expression; how is None when nothing plausible is known."""
    f = env_facts(env)
    parts = expr.strip().split(".")
    attr = parts[-1] if len(parts) >= 3 else "arn"
    if parts[0] == "module" and len(parts) >= 2:
        name = parts[1]
        if name == "kms":
            arn = env_key_arn(env) or key_stub(env)
            return (last_segment(arn) if attr in ("key_id", "id") else arn), "the environment's key, kms_key"
        if "kms" in name or "key" in name:
            # Another key Terraform creates (e.g. module.state_key): not in describe; a key ARN
            # of its own, so that it is never mistaken for the environment's key.
            digest = hashlib.sha256(f"{env.get('name')}/{name}".encode()).hexdigest()
            arn = f"arn:{f['p']}:kms:{f['r']}:{f['a']}:key/{uuid.UUID(digest[:32])}"
            return (last_segment(arn) if attr in ("key_id", "id") else arn), f"a key of its own: module.{name} is not in describe"
        if name.endswith("_bucket"):
            buckets = env.get("buckets") if isinstance(env.get("buckets"), dict) else {}
            bucket = buckets.get(name[: -len("_bucket")])
            if isinstance(bucket, str):
                return (bucket if attr in ("id", "name", "bucket") else f"arn:{f['p']}:s3:::{bucket}"), f"buckets.{name[:-7]}"
        return None, None
    if parts[0] == "data" and len(parts) >= 3:
        if parts[1] == "aws_caller_identity":
            return f["a"], "the account"
        if parts[1] == "aws_region":
            return f["r"], "the region"
        if parts[1] == "aws_partition":
            return f["p"], "the partition"
        return None, None
    if parts[0].startswith("aws_") and len(parts) >= 2:
        address = f"{parts[0]}.{parts[1]}"
        if address in addresses:
            arn, where = addresses[address]
            return (last_segment(arn) if attr in ("id", "name") else arn), f"describe {env.get('name', '?')} {where}.arn"
        template = TYPE_ARN.get(parts[0])
        n = parts[1].replace("_", "-")
        if template:
            arn = template.format(uuid=last_segment(key_stub(env)), n=n, **f)
            return (last_segment(arn) if attr in ("id", "name") else arn), f"{parts[0]} ARN format"
        service = parts[0].split("_")[1] if "_" in parts[0] else "unknown"
        return f"arn:{f['p']}:{service}:{f['r']}:{f['a']}:{n}", f"guessed from {parts[0]}"
    return None, None


def substitute(policy, addresses, key_alias=True):
    """Replaces Terraform references (and describe's alias stand-in for the environment key) in
    policy.doc; each replacement is recorded in policy.notes. Returns unresolved expressions."""
    env = policy.env
    unresolved = []
    seen = set()
    alias = env.get("kms_key") if key_alias and key_is_alias_stand_in(env) else None

    def fix(s):
        if alias and s == alias:
            stub = key_stub(env)
            if ("alias", s) not in seen:
                seen.add(("alias", s))
                policy.notes.append(
                    f"substituted {s} -> {stub}: describe reports the key Terraform creates by its alias ARN "
                    f"(kms_key), where the generated Terraform uses module.kms.arn, a key ARN"
                )
            return stub

        def one(m):
            expr = m.group(1)
            value, how = resolve_ref(expr, env, addresses)
            if value is None:
                if expr not in seen:
                    seen.add(expr)
                    unresolved.append(expr)
                    policy.notes.append(f"could not resolve ${{{expr}}}; left a placeholder")
                return f"UNRESOLVED-{re.sub(r'[^A-Za-z0-9]+', '-', expr)}"
            if expr not in seen:
                seen.add(expr)
                policy.notes.append(f"substituted ${{{expr}}} -> {value} ({how})")
            return value

        return REF.sub(one, s)

    def rec(v):
        if isinstance(v, str):
            return fix(v)
        if isinstance(v, list):
            return [rec(x) for x in v]
        if isinstance(v, dict):
            return {k: rec(x) for k, x in v.items()}
        return v

    policy.doc = rec(policy.original)
    policy.key_arn = key_stub(env) if alias else (env.get("kms_key") if isinstance(env.get("kms_key"), str) else None)
    return unresolved


# --------------------------------------------------------------------------------------------
# Statement helpers


def action_matches(pattern, action):
    return fnmatch.fnmatchcase(action.lower(), str(pattern).lower())


def statements_granting(doc, action):
    """Allow statements whose Action (or NotAction) covers `action`."""
    out = []
    for s in statements(doc):
        if not isinstance(s, dict) or s.get("Effect") != "Allow":
            continue
        if "Action" in s:
            if any(action_matches(p, action) for p in as_list(s["Action"])):
                out.append(s)
        elif "NotAction" in s:
            if not any(action_matches(p, action) for p in as_list(s["NotAction"])):
                out.append(s)
    return out


def sids_for(doc, actions):
    sids = []
    for a in actions:
        for s in statements_granting(doc, a):
            sid = s.get("Sid") or "(no Sid)"
            if sid not in sids:
                sids.append(sid)
    return sids


def finding(tool, check, severity, policy, detail="", actions=(), sid=None, title="", method=None, extra=None):
    f = {
        "tool": tool,
        "check": check,
        "severity": severity,
        "policy": policy.label,
        "env": policy.env_name,
        "path": policy.path,
        "kind": policy.kind,
        "sid": sid,
        "actions": list(actions),
        "title": title,
        "detail": detail,
    }
    if method is not None:
        f["method"] = method
    if extra:
        f.update(extra)
    return f


# --------------------------------------------------------------------------------------------
# parliament


def parliament_text(doc):
    """The policy as JSON with one statement per line (line 2 is statement 0), so that
    parliament's line numbers name the statement."""
    head = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in doc.items() if k != "Statement"]
    stmts = statements(doc)
    prefix = "{" + "".join(h + ", " for h in head) + '"Statement": [\n'
    return prefix + ",\n".join(json.dumps(s) for s in stmts) + "\n]}", stmts


def bool_operators():
    from parliament.statement import OPERATORS

    return {k.lower() for k, v in OPERATORS.items() if v == "Bool"}


def normalize_for_parliament(doc):
    """parliament 1.6.4 crashes on Bool/Null conditions whose value is a one-element list
    ({"Bool": {"k": ["true"]}}, valid IAM, the form Terraform's aws_iam_policy_document writes).
    Passes such lists as the single value, which means the same to IAM. Returns (doc, changed)."""
    ops = bool_operators()
    doc = copy.deepcopy(doc)
    changed = False
    for s in statements(doc):
        cond = s.get("Condition") if isinstance(s, dict) else None
        if not isinstance(cond, dict):
            continue
        for op, block in cond.items():
            base = op.lower().split(":")[-1]
            if base.endswith("ifexists"):
                base = base[: -len("ifexists")]
            if base in ops and isinstance(block, dict):
                for k, v in list(block.items()):
                    if isinstance(v, list) and len(v) == 1:
                        block[k] = v[0]
                        changed = True
    return doc, changed


def parliament_actions(detail):
    acts = []
    if isinstance(detail, list):
        for d in detail:
            if isinstance(d, str):
                acts.append(d)
            elif isinstance(d, dict) and isinstance(d.get("action"), str):
                acts.append(d["action"])
    elif isinstance(detail, dict):
        for a in as_list(detail.get("actions")) + as_list(detail.get("action")):
            if isinstance(a, str):
                acts.append(a)
    elif isinstance(detail, str):
        m = re.search(r"for action (\S+)", detail) or re.search(r"but does allow (\S+)$", detail)
        if m:
            acts.append(m.group(1))
    return acts


def merge_unknown_conditions(found):
    """parliament reports UNKNOWN_CONDITION_FOR_ACTION once per action; one finding per statement
    and condition key, with all its actions, reads better and reviews the same."""
    out, merged = [], {}
    for f in found:
        m = re.fullmatch(r"Unknown condition (\S+) for action (\S+)", f["detail"]) if f["check"] == "UNKNOWN_CONDITION_FOR_ACTION" else None
        if not m:
            out.append(f)
            continue
        key = (f["sid"], m.group(1))
        if key in merged:
            merged[key]["actions"].append(m.group(2))
            merged[key]["parliament_findings"] += 1
            continue
        f["parliament_findings"] = 1
        merged[key] = f
        out.append(f)
    for (sid, cond), f in merged.items():
        f["detail"] = f"Unknown condition {cond} for action {', '.join(f['actions'])}"
    return out


def format_detail(detail):
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list) and all(isinstance(d, dict) and "action" in d for d in detail):
        return "; ".join(f"{d['action']} needs {d.get('required_format', '?')}" for d in detail)
    if isinstance(detail, list):
        return ", ".join(str(d) for d in detail)
    return json.dumps(detail, sort_keys=True)


def run_parliament(policy):
    from parliament import analyze_policy_string, enhance_finding
    from parliament.cli import is_finding_filtered

    doc, changed = normalize_for_parliament(policy.doc)
    if changed:
        policy.notes.append('parliament was given one-element Bool/Null condition lists as scalars (its 1.6.4 crashes on ["true"])')
    text, stmts = parliament_text(doc)
    out = []
    try:
        result = analyze_policy_string(text, include_community_auditors=False)
        found = result.findings
    except Exception as e:  # parliament bugs must not pass silently
        return [
            finding(
                "parliament", "EXCEPTION", "CRITICAL", policy,
                detail=f"parliament raised {type(e).__name__}: {e}", title="parliament could not analyze the policy",
            )
        ]
    for f in found:
        try:
            enhance_finding(f)
        except Exception:
            f.severity, f.title = "MEDIUM", "(unknown parliament issue)"
        if is_finding_filtered(f, "INFO"):
            continue
        loc = f.location if isinstance(f.location, dict) else {}
        line = loc.get("line") or loc.get("lineno")
        sid = None
        acts = parliament_actions(f.detail)
        if isinstance(line, int) and 2 <= line < 2 + len(stmts):
            s = stmts[line - 2]
            sid = s.get("Sid", f"(statement {line - 2})") if isinstance(s, dict) else None
        elif acts:
            sid = ", ".join(sids_for(policy.doc, acts)) or None
        out.append(
            finding(
                "parliament", f.issue, f.severity, policy,
                detail=format_detail(f.detail), actions=acts, sid=sid, title=f.title,
            )
        )
    return merge_unknown_conditions(out)


# --------------------------------------------------------------------------------------------
# cloudsplaining


def cloudsplaining_options():
    # `cloudsplaining scan-policy-file -aR` == --flag-all-risky-actions: flag risky actions
    # whether or not they are limited by resource ARNs or conditions.
    return {"flag_conditional_statements": True, "flag_resource_arn_statements": True}


def run_cloudsplaining_identity(policy):
    from cloudsplaining.command.scan_policy_file import scan_policy
    from cloudsplaining.shared.constants import DEFAULT_EXCLUSIONS_CONFIG, ISSUE_SEVERITY

    try:
        results = scan_policy(copy.deepcopy(policy.doc), copy.deepcopy(DEFAULT_EXCLUSIONS_CONFIG), **cloudsplaining_options())
    except Exception as e:
        return [finding("cloudsplaining", "EXCEPTION", "CRITICAL", policy, detail=f"cloudsplaining raised {type(e).__name__}: {e}")]
    out, seen = [], set()
    for cat in CLOUDSPLAINING_CATEGORIES:
        block = results.get(cat) or {}
        sev = ISSUE_SEVERITY.get(cat, "low").upper()
        for item in block.get("findings") or []:
            # cloudsplaining repeats an action once per statement that grants it.
            key = (cat, json.dumps(item, sort_keys=True) if isinstance(item, dict) else str(item).lower())
            if key in seen:
                continue
            seen.add(key)
            if cat == "PrivilegeEscalation" and isinstance(item, dict):
                acts = [str(a) for a in item.get("actions", [])]
                method = str(item.get("type"))
                out.append(
                    finding(
                        "cloudsplaining", cat, sev, policy, method=method, actions=acts,
                        sid=", ".join(sids_for(policy.doc, acts)) or None,
                        title="Policy is capable of Privilege Escalation",
                        detail=f"Method: {method}; Actions: {', '.join(acts)}",
                    )
                )
            else:
                a = str(item)
                out.append(
                    finding(
                        "cloudsplaining", cat, sev, policy, actions=[a],
                        sid=", ".join(sids_for(policy.doc, [a])) or None,
                        title=CATEGORY_TITLES.get(cat, cat), detail=a,
                    )
                )
    return out


CATEGORY_TITLES = {
    "ResourceExposure": "Policy is capable of Resource Exposure",
    "DataExfiltration": "Policy is capable of Data Exfiltration",
    "CredentialsExposure": "Policy allows actions that return credentials",
    "ServiceWildcard": "Policy allows ALL Actions from a service (like service:*)",
    "InfrastructureModification": "Policy is capable of Unrestricted Infrastructure Modification",
}


def run_cloudsplaining_resource(policy):
    from cloudsplaining.scan.resource_policy_document import ResourceStatement

    out = []
    for i, s in enumerate(statements(policy.doc)):
        if not isinstance(s, dict) or "Effect" not in s:
            continue
        try:
            acts = ResourceStatement(s).internet_accessible_actions
        except Exception as e:
            out.append(finding("cloudsplaining", "EXCEPTION", "CRITICAL", policy, detail=f"cloudsplaining raised {type(e).__name__}: {e}"))
            continue
        if acts:
            out.append(
                finding(
                    "cloudsplaining", "InternetAccessible", "CRITICAL", policy,
                    actions=[str(a) for a in as_list(acts)], sid=s.get("Sid", f"(statement {i})"),
                    title="Resource policy grants access to any principal (Principal * without a limiting condition)",
                    detail=f"principal {json.dumps(s.get('Principal'))} may call {', '.join(str(a) for a in as_list(acts))}",
                )
            )
    return out


def run_cloudsplaining_trust(policy):
    from cloudsplaining.scan.assume_role_policy_document import AssumeRolePolicyDocument
    from cloudsplaining.shared.constants import ISSUE_SEVERITY

    doc = AssumeRolePolicyDocument(copy.deepcopy(policy.doc), current_account_id=str(policy.env.get("account_id") or "") or None)
    out = []
    checks = [
        ("AssumableByAnyPrincipal", doc.role_assumable_by_any_principal, "Role can be assumed by any principal"),
        ("AssumableByAnyPrincipalWithConditions", doc.role_assumable_by_any_principal_with_conditions, "Role can be assumed by any principal, limited only by conditions"),
        ("AssumableByCrossAccountPrincipal", doc.role_assumable_by_cross_account_principals, "Role can be assumed from another account"),
        ("AssumableByComputeService", doc.role_assumable_by_compute_services, "Role can be assumed by a compute service"),
    ]
    for check, principals, title in checks:
        for p in principals:
            out.append(
                finding(
                    "cloudsplaining", check, ISSUE_SEVERITY.get(check, "low").upper(), policy, actions=["sts:AssumeRole"],
                    sid="Trusted", title=title, detail=f"{p}" + (" (no sts:ExternalId)" if check == "AssumableByCrossAccountPrincipal" and not policy.parent.get("external_id") else ""),
                    extra={"principal": p},
                )
            )
    return out


# --------------------------------------------------------------------------------------------
# policylint's own structural checks (what parliament 1.6.4 has no mode for: it accepts a
# Principal in any policy and never requires one)


def run_structure(policy, unresolved):
    out = []
    for i, s in enumerate(statements(policy.doc)):
        if not isinstance(s, dict):
            continue
        sid = s.get("Sid", f"(statement {i})")
        has_p = "Principal" in s or "NotPrincipal" in s
        acts = [str(a) for a in as_list(s.get("Action") or s.get("NotAction"))]
        if policy.kind == "identity" and has_p:
            out.append(finding("policylint", "PRINCIPAL_IN_IDENTITY_POLICY", "HIGH", policy, sid=sid, actions=acts,
                               title="Identity policy statement has a Principal", detail="IAM rejects Principal/NotPrincipal in an identity policy"))
        if policy.kind == "resource" and not has_p:
            out.append(finding("policylint", "MISSING_PRINCIPAL", "HIGH", policy, sid=sid, actions=acts,
                               title="Resource policy statement has no Principal", detail="a resource policy statement must name its Principal"))
        if policy.kind == "resource" and s.get("Effect") == "Allow" and "NotPrincipal" in s:
            out.append(finding("policylint", "NOTPRINCIPAL_WITH_ALLOW", "HIGH", policy, sid=sid, actions=acts,
                               title="Allow with NotPrincipal", detail="grants to every principal except those listed"))
    for expr in unresolved:
        out.append(finding("policylint", "UNRESOLVED_REFERENCE", "MEDIUM", policy,
                           title="Terraform reference with no plausible value", detail=f"${{{expr}}} was linted as a placeholder"))
    return out


# --------------------------------------------------------------------------------------------
# reviewed.json


def load_reviewed(path):
    if path is None or not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as fh:
        try:
            data = json.load(fh)
        except json.JSONDecodeError as e:
            raise UsageError(f"{path}: {e}")
    entries = data.get("reviewed") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise UsageError(f'{path}: expected {{"reviewed": [ ... ]}}')
    errors = []
    for i, e in enumerate(entries):
        where = f"{path}: reviewed[{i}]"
        if not isinstance(e, dict):
            errors.append(f"{where}: not an object")
            continue
        for k in ("tool", "check", "policy", "reason"):
            if not isinstance(e.get(k), str) or not e[k].strip():
                errors.append(f"{where}: needs a non-empty string {k!r}")
        reason = str(e.get("reason", "")).strip()
        if reason.upper().startswith("TODO") or len(reason) < 20:
            errors.append(f"{where}: reason must say concretely why the finding is acceptable")
        unknown = set(e) - {"tool", "check", "policy", "action", "method", "sid", "detail", "when", "reason"}
        if unknown:
            errors.append(f"{where}: unknown keys {sorted(unknown)}")
        when = e.get("when")
        if when is not None:
            if not isinstance(when, dict) or not all(
                isinstance(v, dict) and set(v) <= {"resources", "conditions"} for v in when.values()
            ):
                errors.append(f'{where}: "when" maps an action to {{"resources": [...], "conditions": [...]}}')
    if errors:
        raise UsageError("\n".join(errors))
    return entries


def placeholders(policy):
    env = policy.env
    f = env_facts(env)
    # {execution_role}, {lambda_role}, {deploy_role}, {role_boundary}, ...: the "arn" of every
    # object at the top of the environment.
    named = {k: v["arn"] for k, v in env.items() if isinstance(v, dict) and isinstance(v.get("arn"), str)}
    return {
        **named,
        "self": policy.self_arn,
        "account": f["a"],
        "region": f["r"],
        "partition": f["p"],
        "env": policy.env_name,
        "kms_key": policy.key_arn,
    }


def expand(pattern, values):
    missing = []

    def one(m):
        v = values.get(m.group(1))
        if v is None:
            missing.append(m.group(1))
            return ""
        return v

    out = re.sub(r"\{([a-z_]+)\}", one, pattern)
    return (None if missing else out), missing


def check_when(entry, policy):
    """None when the entry's "when" holds for the policy, else why not."""
    values = placeholders(policy)
    for action, req in (entry.get("when") or {}).items():
        for s in statements_granting(policy.doc, action):
            sid = s.get("Sid", "(no Sid)")
            if "resources" in req:
                if "Resource" not in s:
                    return f"{sid} grants {action} with NotResource"
                pats = []
                for p in req["resources"]:
                    x, missing = expand(p, values)
                    if x is None:
                        return f"{p} has no value here ({', '.join(missing)})"
                    pats.append(x)
                for r in as_list(s["Resource"]):
                    if not any(glob(r, p) for p in pats):
                        return f"{sid} grants {action} on {r}, not only on {', '.join(pats)}"
            for key in req.get("conditions", []):
                keys = {k.lower() for block in (s.get("Condition") or {}).values() if isinstance(block, dict) for k in block}
                if key.lower() not in keys:
                    return f"{sid} grants {action} without a {key} condition"
    return None


def glob(value, pattern):
    """fnmatch with only * and ? as wildcards: labels and details contain [ and ]."""
    pattern = "".join("[[]" if c == "[" else "[]]" if c == "]" else c for c in str(pattern))
    return fnmatch.fnmatchcase(str(value), pattern)


def entry_matches(entry, f):
    if entry["tool"] != f["tool"]:
        return False
    if not glob(f["check"], entry["check"]):
        return False
    if not glob(f["policy"], entry["policy"]):
        return False
    if "sid" in entry and not glob(str(f.get("sid") or ""), entry["sid"]):
        return False
    if "method" in entry and not glob(str(f.get("method") or ""), entry["method"]):
        return False
    if "detail" in entry and not glob(str(f.get("detail") or ""), entry["detail"]):
        return False
    if "action" in entry:
        acts = f.get("actions") or []
        if not acts:
            return entry["action"] == "*"
        if not all(action_matches(entry["action"], a) for a in acts):
            return False
    return True


def fails(f):
    if f["tool"] == "cloudsplaining":
        return f["check"] in CLOUDSPLAINING_FAILING or f["check"] == "EXCEPTION"
    return SEVERITIES.index(f["severity"]) >= SEVERITIES.index(PARLIAMENT_FAIL_AT) if f["severity"] in SEVERITIES else True


def apply_reviews(policies, entries):
    used = [0] * len(entries)
    for pol in policies:
        for f in pol.findings:
            f["status"] = "fail" if fails(f) else "info"
            for i, e in enumerate(entries):
                if not entry_matches(e, f):
                    continue
                why_not = check_when(e, pol)
                if why_not:
                    f.setdefault("lapsed_reviews", []).append({"entry": i, "why": why_not})
                    continue
                used[i] += 1
                f["status"] = "reviewed"
                f["reason"] = e["reason"]
                f["reviewed_entry"] = i
                break
    return used


# --------------------------------------------------------------------------------------------
# The run


def versions():
    out = {}
    for name in ("parliament", "cloudsplaining", "policy_sentry"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def lint(describe, reviewed_entries, key_alias=True):
    policies, skipped = find_policies(describe)
    addresses = {}
    for pol in policies:
        if id(pol.env) not in addresses:
            addresses[id(pol.env)] = address_arns(pol.env)
        unresolved = substitute(pol, addresses[id(pol.env)], key_alias=key_alias)
        if pol.classified_by != "path":
            pol.notes.append(f"classified as {pol.kind} policy by its {pol.classified_by} (path not known to policylint)")
        if pol.kind == "trust":
            pol.findings += run_cloudsplaining_trust(pol)
            continue
        pol.findings += run_structure(pol, unresolved)
        pol.findings += run_parliament(pol)
        if pol.kind == "identity":
            pol.findings += run_cloudsplaining_identity(pol)
        else:
            pol.findings += run_cloudsplaining_resource(pol)
    used = apply_reviews(policies, reviewed_entries)
    return policies, skipped, used


def short_list(items, n=8):
    items = list(items)
    if len(items) <= n:
        return ", ".join(items)
    return ", ".join(items[:n]) + f", ... (+{len(items) - n} more)"


def describe_finding(f):
    sid = f" [{f['sid']}]" if f.get("sid") else ""
    if f["tool"] == "cloudsplaining" and f["check"] == "PrivilegeEscalation":
        what = f"Method: {f.get('method')} (Actions: {', '.join(f['actions'])})"
    elif f["tool"] == "cloudsplaining":
        what = f["detail"]
    else:
        d, t = str(f["detail"]), str(f["title"])
        # parliament's details often restate the title ("Unknown condition X for action Y").
        what = d if d and d.split()[0].lower() == t.split()[0].lower() else (f"{t}: {d}" if d else t)
        if f["actions"] and f["check"] in ("RESOURCE_STAR", "RESOURCE_EFFECTIVELY_STAR"):
            what = f"{f['title']}: {short_list(f['actions'])}"
    return f"{f['tool']} {f['check']} ({f['severity']}){sid}: {what}"


def print_report(policies, skipped, used, entries, out, elapsed, source):
    v = versions()
    print(
        f"policylint: parliament {v['parliament']} (community auditors off), cloudsplaining {v['cloudsplaining']} "
        f"(scan-policy-file -aR = --flag-all-risky-actions); policies from {source}",
        file=out,
    )
    n_fail = n_rev = n_info = 0
    failing_policies = 0
    for pol in policies:
        fs = pol.findings
        failing = [f for f in fs if f["status"] == "fail"]
        reviewed = [f for f in fs if f["status"] == "reviewed"]
        info = [f for f in fs if f["status"] == "info"]
        n_fail += len(failing)
        n_rev += len(reviewed)
        n_info += len(info)
        counts = f"cloudsplaining {sum(1 for f in failing if f['tool'] == 'cloudsplaining')}"
        if pol.kind != "trust":
            counts = f"parliament {sum(1 for f in failing if f['tool'] == 'parliament')}, " + counts
        own = sum(1 for f in failing if f["tool"] == "policylint")
        if own:
            counts += f", policylint {own}"
        extra = []
        if reviewed:
            extra.append(f"{len(reviewed)} reviewed")
        if info:
            extra.append(f"{len(info)} info")
        tail = f"; {', '.join(extra)}" if extra else ""
        status = "FAIL" if failing else "ok"
        if failing:
            failing_policies += 1
        kind = "" if pol.kind == "identity" else f" [{pol.kind}]"
        print(f"{status}: {pol.label}{kind} ({counts}{tail})", file=out)
        for n in pol.notes:
            print(f"  note: {n}", file=out)
        for f in failing:
            print(f"  fail: {describe_finding(f)}", file=out)
            for lapse in f.get("lapsed_reviews", []):
                print(f"        (reviewed.json entry {lapse['entry']} does not apply any more: {lapse['why']})", file=out)
        for f in reviewed:
            print(f"  reviewed: {describe_finding(f)} -- {f['reason']}", file=out)
        # Informational findings, one line per tool/check.
        groups: dict[tuple, list] = {}
        for f in info:
            groups.setdefault((f["tool"], f["check"], f["severity"]), []).append(f)
        for (tool, check, sev), items in groups.items():
            if tool == "cloudsplaining" and check not in ("AssumableByCrossAccountPrincipal", "AssumableByComputeService"):
                acts = [a for f in items for a in f["actions"]]
                print(f"  info: {tool} {check} ({sev}): {short_list(acts)}", file=out)
            else:
                for f in items:
                    print(f"  info: {describe_finding(f)}", file=out)
    for label, why in skipped:
        print(f"skip: {label} is {why} (nothing to lint)", file=out)
    for i, e in enumerate(entries):
        if not used[i]:
            print(f"stale: reviewed.json entry {i} ({e['tool']} {e['check']} {e['policy']} {e.get('action', '')}) matched no finding", file=out)
    n_id = sum(1 for p in policies if p.kind == "identity")
    n_res = sum(1 for p in policies if p.kind == "resource")
    n_tr = sum(1 for p in policies if p.kind == "trust")
    print(
        f"summary: {n_id + n_res} policies ({n_id} identity, {n_res} resource) and {n_tr} trust policies; "
        f"{failing_policies} failing; findings: {n_fail} failing, {n_rev} reviewed, {n_info} info; {elapsed:.1f} s",
        file=out,
    )
    return n_fail


def report_json(policies, skipped, used, entries, elapsed, source, exit_code):
    return {
        "version": 1,
        "source": source,
        "tools": {**versions(), "cloudsplaining_options": "scan-policy-file -aR (--flag-all-risky-actions)", "parliament_community_auditors": False},
        "policies": [
            {
                "label": p.label, "env": p.env_name, "path": p.path, "kind": p.kind, "what": p.what,
                "notes": p.notes, "linted": p.doc, "findings": p.findings,
            }
            for p in policies
        ],
        "skipped": [{"policy": lbl, "why": why} for lbl, why in skipped],
        "stale_reviews": [i for i, n in enumerate(used) if not n],
        "summary": {
            "failing": sum(1 for p in policies for f in p.findings if f["status"] == "fail"),
            "reviewed": sum(1 for p in policies for f in p.findings if f["status"] == "reviewed"),
            "info": sum(1 for p in policies for f in p.findings if f["status"] == "info"),
            "seconds": round(elapsed, 2),
        },
        "exit": exit_code,
    }


def suggestions(policies):
    out = []
    seen = set()
    for p in policies:
        for f in p.findings:
            if f["status"] != "fail":
                continue
            e = {"tool": f["tool"], "check": f["check"], "policy": f["policy"]}
            if f.get("method"):
                e["method"] = f["method"]
            if f.get("sid"):
                e["sid"] = f["sid"]
            if len(f["actions"]) == 1:
                e["action"] = f["actions"][0]
            e["reason"] = "TODO: why this is acceptable, from the policy text"
            key = json.dumps(e, sort_keys=True)
            if key not in seen:
                seen.add(key)
                out.append(e)
    return {"reviewed": out}


def find_mlopsgen(repo):
    env_bin = os.environ.get("MLOPSGEN")
    if env_bin:
        return env_bin
    local = os.path.join(repo, "target", "debug", "mlopsgen")
    if os.access(local, os.X_OK):
        return local
    found = shutil.which("mlopsgen")
    if found:
        return found
    raise UsageError(f"no mlopsgen binary: set MLOPSGEN, build {local} (cargo build), or put mlopsgen on PATH")


def load_describe(args):
    if args.describe:
        if args.describe == "-":
            return json.load(sys.stdin), "stdin"
        with open(args.describe, encoding="utf-8") as fh:
            return json.load(fh), args.describe
    repo = os.path.abspath(args.repo or DEFAULT_REPO)
    binary = find_mlopsgen(repo)
    try:
        proc = subprocess.run([binary, "-C", repo, "describe"], capture_output=True, text=True)
    except OSError as e:
        raise UsageError(f"cannot run {binary}: {e.strerror}")
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise UsageError(f"{binary} -C {repo} describe exited {proc.returncode}")
    try:
        return json.loads(proc.stdout), f"{os.path.relpath(binary) if binary.startswith(repo) else binary} -C {repo} describe"
    except json.JSONDecodeError as e:
        raise UsageError(f"mlopsgen describe printed no JSON: {e}")


# --------------------------------------------------------------------------------------------
# Self-test: the checks must be able to fail.


def selftest_describe():
    def env(name, account, **kw):
        base = {"name": name, "kind": "workload", "account_id": account, "region": "eu-west-1", "partition": "aws",
                "kms_key": f"arn:aws:kms:eu-west-1:{account}:alias/mlops-{name}", "kms_alias": f"alias/mlops-{name}"}
        base.update(kw)
        return base

    bad = env(
        "bad", "111111111111",
        buckets={"data": "bad-data-bucket"},
        # The same Terraform address as in "good": each environment is its own root module.
        models=[{"pipelines": {"inference": {"resource": "aws_sagemaker_pipeline.m_inference",
                                             "arn": "arn:aws:sagemaker:eu-west-1:111111111111:pipeline/m-inference"}}}],
        execution_role={
            "arn": "arn:aws:iam::111111111111:role/bad-role",
            "policy": {"Version": "2012-10-17", "Statement": [
                {"Sid": "Escalate", "Effect": "Allow", "Action": ["iam:PutRolePolicy", "iam:PassRole"], "Resource": "*"},
            ]},
        },
        artifacts_bucket_policy={"Version": "2012-10-17", "Statement": [
            {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
             "Resource": "${module.data_bucket.arn}/*"},
        ]},
    )
    good = env(
        "good", "222222222222",
        models=[{"pipelines": {"inference": {"resource": "aws_sagemaker_pipeline.m_inference",
                                             "arn": "arn:aws:sagemaker:eu-west-1:222222222222:pipeline/m-inference"}}}],
        execution_role={
            "arn": "arn:aws:iam::222222222222:role/good-role",
            "policy": {"Version": "2012-10-17", "Statement": [
                {"Sid": "DescribePipeline", "Effect": "Allow", "Action": ["sagemaker:DescribePipeline"],
                 "Resource": ["${aws_sagemaker_pipeline.m_inference.arn}"]},
                {"Sid": "UseKey", "Effect": "Allow", "Action": ["kms:Decrypt"],
                 "Resource": ["arn:aws:kms:eu-west-1:222222222222:alias/mlops-good"],
                 "Condition": {"Bool": {"aws:SecureTransport": ["true"]}}},
            ]},
        },
        artifacts_bucket_policy={"Version": "2012-10-17", "Statement": [
            {"Sid": "OneRole", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::222222222222:root"]},
             "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::good-bucket/*"],
             "Condition": {"ArnEquals": {"aws:PrincipalArn": ["arn:aws:iam::222222222222:role/good-role"]}}},
        ]},
    )
    return {"version": 1, "environments": [bad, good]}


def selftest():
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(f"{'ok' if ok else 'FAIL'}: {name}" + (f" ({detail})" if detail and not ok else ""))

    describe = selftest_describe()
    policies, _skipped, _used = lint(describe, [])
    by = {p.label: p for p in policies}
    bad_id, bad_res = by.get("bad execution_role.policy"), by.get("bad artifacts_bucket_policy")
    good_id, good_res = by.get("good execution_role.policy"), by.get("good artifacts_bucket_policy")
    check("finds the four policies", all([bad_id, bad_res, good_id, good_res]), ", ".join(by))
    if not all([bad_id, bad_res, good_id, good_res]):
        print(f"selftest: {sum(results)} passed, {len(results) - sum(results)} failed")
        return 1

    def failing(p, tool, check_, pred=lambda f: True):
        return [f for f in p.findings if f["status"] == "fail" and f["tool"] == tool and f["check"] == check_ and pred(f)]

    check("iam:PutRolePolicy + iam:PassRole on * is a failing privilege escalation",
          bool(failing(bad_id, "cloudsplaining", "PrivilegeEscalation", lambda f: f.get("method") == "PutRolePolicy")),
          json.dumps([f["method"] for f in bad_id.findings if f.get("method")]))
    check("iam:PassRole on * is a failing resource exposure",
          bool(failing(bad_id, "cloudsplaining", "ResourceExposure", lambda f: f["actions"] == ["iam:PassRole"])))
    check("parliament reports Resource * (LOW, printed, not failing)",
          any(f["tool"] == "parliament" and f["check"] == "RESOURCE_STAR" and f["status"] == "info" for f in bad_id.findings))
    check("an S3 bucket policy with Principal * is a failing public-access finding",
          bool(failing(bad_res, "cloudsplaining", "InternetAccessible", lambda f: f["actions"] == ["s3:GetObject"])))
    check("${module.data_bucket.arn} is substituted from buckets.data",
          statements(bad_res.doc)[0]["Resource"] == "arn:aws:s3:::bad-data-bucket/*", json.dumps(bad_res.doc))
    check("${aws_sagemaker_pipeline.m_inference.arn} is substituted with describe's ARN",
          statements(good_id.doc)[0]["Resource"] == ["arn:aws:sagemaker:eu-west-1:222222222222:pipeline/m-inference"])
    check("describe's alias stand-in for the created key becomes a key ARN",
          statements(good_id.doc)[1]["Resource"] == [key_stub(describe["environments"][1])])
    check("a Bool condition written as a one-element list does not crash parliament",
          not any(f["check"] == "EXCEPTION" for f in good_id.findings))
    check("the clean identity policy has no failing finding",
          not [f for f in good_id.findings if f["status"] == "fail"], json.dumps([describe_finding(f) for f in good_id.findings if f["status"] == "fail"]))
    check("the clean resource policy has no finding",
          not good_res.findings, json.dumps([describe_finding(f) for f in good_res.findings]))
    mixed = {"version": 1, "environments": [{"name": "x", "account_id": "333333333333", "region": "eu-west-1",
             "execution_role": {"arn": "arn:aws:iam::333333333333:role/r", "policy": {"Version": "2012-10-17", "Statement": [
                 {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}},
             "key_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}}]}
    mp, _, _ = lint(mixed, [])
    check("a Principal in an identity policy fails", any(f["check"] == "PRINCIPAL_IN_IDENTITY_POLICY" and f["status"] == "fail" for f in mp[0].findings))
    check("a resource policy statement without Principal fails", any(f["check"] == "MISSING_PRINCIPAL" and f["status"] == "fail" for f in mp[1].findings))

    # Reviews: one that holds silences the finding; the same one lapses when the policy widens.
    entry = {"tool": "cloudsplaining", "check": "ResourceExposure", "policy": "* execution_role.policy", "action": "iam:PassRole",
             "when": {"iam:PassRole": {"resources": ["{self}"]}}, "reason": "the role passes only itself (selftest)"}
    narrow = copy.deepcopy(describe)
    narrow["environments"][0]["execution_role"]["policy"]["Statement"][0]["Resource"] = ["arn:aws:iam::111111111111:role/bad-role"]
    p2, _, used = lint(narrow, [entry])
    re_ = [f for p in p2 for f in p.findings if f["check"] == "ResourceExposure" and f["actions"] == ["iam:PassRole"]]
    check("a reviewed finding whose condition holds is 'reviewed'", bool(re_) and all(f["status"] == "reviewed" for f in re_) and used[0] > 0)
    p3, _, _ = lint(describe, [entry])
    re3 = [f for p in p3 for f in p.findings if f["check"] == "ResourceExposure" and f["actions"] == ["iam:PassRole"]]
    check("the same review lapses when the policy grants more (Resource *)",
          bool(re3) and all(f["status"] == "fail" and f.get("lapsed_reviews") for f in re3))
    try:
        entries = load_reviewed(DEFAULT_REVIEWED)
        check(f"reviewed.json is well-formed ({len(entries)} entries)", True)
    except UsageError as e:
        check("reviewed.json is well-formed", False, str(e))
    try:
        load_reviewed_text('{"reviewed": [{"tool": "parliament", "check": "X", "policy": "*", "reason": "TODO"}]}')
        check("a review without a real reason is refused", False)
    except UsageError:
        check("a review without a real reason is refused", True)

    passed = sum(results)
    print(f"selftest: {passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


def load_reviewed_text(text):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        fh.write(text)
        name = fh.name
    try:
        return load_reviewed(name)
    finally:
        os.unlink(name)


# --------------------------------------------------------------------------------------------


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="policylint",
        description="Lint the IAM policies of `mlopsgen describe` with parliament and cloudsplaining (see README.md).",
    )
    ap.add_argument("repo", nargs="?", help=f"repository root holding environments/ (default: {DEFAULT_REPO})")
    ap.add_argument("--describe", metavar="FILE", help="read the describe JSON from FILE ('-': stdin) instead of running mlopsgen describe")
    ap.add_argument("--json", metavar="OUT", help="also write every finding (and the policies as linted) to OUT as JSON")
    ap.add_argument("--reviewed", metavar="FILE", default=DEFAULT_REVIEWED, help="reviewed findings (default: reviewed.json beside this tool)")
    ap.add_argument("--suggest-reviews", action="store_true", help="print reviewed.json stubs for the failing findings (reasons left TODO) and exit")
    ap.add_argument("--keep-key-alias", action="store_true", help="lint describe's alias ARN for a created key as is (no key ARN substitution)")
    ap.add_argument("--selftest", action="store_true", help="check that the linters flag known-bad policies and pass a clean one")
    ap.add_argument("-v", "--verbose", action="store_true", help="let parliament and cloudsplaining log")
    args = ap.parse_args(argv)

    if not args.verbose:
        logging.disable(logging.CRITICAL)

    if args.selftest:
        return selftest()

    started = time.monotonic()
    try:
        entries = load_reviewed(args.reviewed)
        describe, source = load_describe(args)
        policies, skipped, used = lint(describe, entries, key_alias=not args.keep_key_alias)
    except UsageError as e:
        print(f"policylint: {e}", file=sys.stderr)
        return 2
    except (OSError, json.JSONDecodeError) as e:
        print(f"policylint: {e}", file=sys.stderr)
        return 2
    if args.suggest_reviews:
        json.dump(suggestions(policies), sys.stdout, indent=2)
        print()
        return 0
    elapsed = time.monotonic() - started
    n_fail = print_report(policies, skipped, used, entries, sys.stdout, elapsed, source)
    code = 1 if n_fail else 0
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(report_json(policies, skipped, used, entries, elapsed, source, code), fh, indent=2)
            fh.write("\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
