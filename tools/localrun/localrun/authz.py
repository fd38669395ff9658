"""IAM authorization of what the generated platform does across accounts, inside the emulator
(installed by moto_patches.apply when MLOPSGEN_IAM=enforce): requests signed with the keys of an
AssumeRole session (the executor acts as the platform's roles) to

- the SageMaker model registry (CreateModelPackage, UpdateModelPackage, DescribeModelPackage,
  ListModelPackages, DescribeModelPackageGroup), judged against the role's identity policies and
  the model package group's resource policy (PutModelPackageGroupPolicy);
- S3 objects and listings (PutObject, GetObject/HeadObject, ListBucket), judged against the
  role's identity policies and the bucket policy;

are decided as IAM decides (IAM User Guide, "Policy evaluation logic", "Cross-account policy
evaluation logic"): an explicit Deny in either policy wins; within one account an Allow in either
the identity or the resource policy suffices; across accounts both must allow. Context:
aws:PrincipalArn (the role), aws:PrincipalAccount, aws:SecureTransport "true",
sagemaker:ModelApprovalStatus (from the request), s3:x-amz-server-side-encryption(-aws-kms-key-id)
(from the headers); every other key is absent, with IAM's rules for absent keys. Not modelled:
KMS (key policies and the kms: calls S3 makes), permissions boundaries, session policies, SCPs.
A refusal answers as the service does (SageMaker AccessDeniedException, S3 AccessDenied) and
names the statement that decided.
"""

import fnmatch
import json
import re
import sys

from .moto_patches import _ROUTED, _parse, next_version

REGISTRY_OPS = {"CreateModelPackage", "UpdateModelPackage", "DescribeModelPackage", "ListModelPackages",
                "DescribeModelPackageGroup"}
LOG = []          # decisions, for the executor's report (served through the moto API)


class Denied(Exception):
    pass


def _list(v):
    return v if isinstance(v, list) else [v]


def _like(pattern, value, case=True):
    if not case:
        pattern, value = pattern.lower(), value.lower()
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


def _condition_holds(op, key, wanted, ctx):
    """One condition operator on one key (IAM User Guide, condition operators)."""
    prefix, _, op = op.rpartition(":") if op.startswith(("ForAnyValue:", "ForAllValues:")) else ("", "", op)
    if_exists = op.endswith("IfExists")
    base = op[:-len("IfExists")] if if_exists else op
    present = key.lower() in ctx
    values = _list(ctx.get(key.lower())) if present else []
    wanted = [str(w) for w in _list(wanted)]
    if base == "Null":
        return (not present) == (wanted[0].lower() == "true")
    if not present:
        if prefix == "ForAllValues":
            return True
        if if_exists:
            return True
        return base.startswith(("StringNot", "ArnNot", "NotIp")) or base == "NumericNotEquals"
    tests = {
        "StringEquals": lambda v, w: v == w, "StringNotEquals": lambda v, w: v != w,
        "StringEqualsIgnoreCase": lambda v, w: v.lower() == w.lower(),
        "StringNotEqualsIgnoreCase": lambda v, w: v.lower() != w.lower(),
        "StringLike": lambda v, w: _like(w, v), "StringNotLike": lambda v, w: not _like(w, v),
        "ArnEquals": lambda v, w: v == w, "ArnLike": lambda v, w: _like(w, v),
        "ArnNotEquals": lambda v, w: v != w, "ArnNotLike": lambda v, w: not _like(w, v),
        "Bool": lambda v, w: str(v).lower() == w.lower(),
    }
    if base not in tests:
        return False  # an operator this evaluator does not know never applies
    negated = "Not" in base
    f = tests[base]
    if prefix == "ForAllValues":
        return all(any(f(str(v), w) for w in wanted) for v in values)
    if negated:
        return all(all(f(str(v), w) for w in wanted) for v in values)
    return any(any(f(str(v), w) for w in wanted) for v in values)


def _matches(st, action, resource, ctx, principal=None):
    acts = st.get("Action")
    if acts is not None:
        if not any(_like(a, action, case=False) for a in _list(acts)):
            return False
    elif any(_like(a, action, case=False) for a in _list(st.get("NotAction", []))):
        return False
    res = st.get("Resource")
    if res is not None:
        if not any(_like(r, resource) for r in _list(res)):
            return False
    elif "NotResource" in st and any(_like(r, resource) for r in _list(st["NotResource"])):
        return False
    if principal is not None:
        p = st.get("Principal")
        if p != "*":
            aws = _list((p or {}).get("AWS", [])) if isinstance(p, dict) else []
            root = "arn:%s:iam::%s:root" % (principal["partition"], principal["account"])
            if not any(x in ("*", root, principal["role"]) for x in aws):
                return False
    for op, pairs in (st.get("Condition") or {}).items():
        for key, wanted in pairs.items():
            if not _condition_holds(op, key, wanted, ctx):
                return False
    return True


def _evaluate(documents, action, resource, ctx, principal=None):
    """(allowing statement, denying statement) among `documents` ((name, policy JSON))."""
    allow = deny = None
    for name, doc in documents:
        if isinstance(doc, str):
            try:
                doc = json.loads(doc)
            except ValueError:
                continue
        for st in _list((doc or {}).get("Statement", [])):
            if _matches(st, action, resource, ctx, principal):
                where = "%s statement %s" % (name, st.get("Sid", "(no Sid)"))
                if st.get("Effect") == "Deny":
                    deny = deny or where
                elif st.get("Effect") == "Allow":
                    allow = allow or where
    return allow, deny


def decide(principal, identity, resource_policy, action, resource, owner, ctx, boundary=None):
    """'allow' or raises Denied with AWS's wording and the deciding statement. `boundary`: the
    role's permissions boundary (name, policy) — it caps what the identity policies allow."""
    allow_i, deny_i = _evaluate(identity, action, resource, ctx)
    if boundary is not None:
        allow_b, deny_b = _evaluate([boundary], action, resource, ctx)
        who = "User: %s is not authorized to perform: %s on resource: %s" % (principal["session"], action, resource)
        if deny_b:
            raise Denied("%s with an explicit deny in %s" % (who, deny_b))
        if not allow_b:
            raise Denied("%s because no permissions boundary allows the %s action" % (who, action))
    allow_r, deny_r = _evaluate(resource_policy, action, resource, ctx, principal) if resource_policy else (None, None)
    who = "User: %s is not authorized to perform: %s on resource: %s" % (principal["session"], action, resource)
    if deny_i or deny_r:
        raise Denied("%s with an explicit deny in %s" % (who, deny_i or deny_r))
    if owner == principal["account"]:
        if allow_i or allow_r:
            return allow_i or allow_r
        raise Denied("%s because no identity-based policy allows the %s action" % (who, action))
    if not allow_i:
        raise Denied("%s because no identity-based policy allows the %s action" % (who, action))
    if not allow_r:
        raise Denied("%s because no resource-based policy allows the %s action" % (who, action))
    return "%s and %s" % (allow_i, allow_r)


def _principal(resp):
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends
    from moto.utilities.utils import get_partition

    key = resp.get_access_key()
    partition = get_partition(resp.region)
    for account, by_partition in list(sts_backends.items()):
        backend = by_partition.get(partition) if hasattr(by_partition, "get") else None
        if backend is None:
            continue
        for sess in list(getattr(backend, "assumed_roles", [])):
            if sess.access_key_id == key:
                role_account = sess.role_arn.split(":")[4]
                iam = iam_backends[role_account]["global"]
                boundary = None
                try:
                    role = iam.get_role_by_arn(sess.role_arn)
                    docs = [("the identity policy %s of %s" % (n, sess.role_arn), d) for n, d in role.policies.items()]
                    arn = getattr(role, "permissions_boundary_arn", None)
                    if arn:
                        p = iam.get_policy(arn)
                        doc = next(v.document for v in p.versions if v.version_id == p.default_version_id)
                        boundary = ("the permissions boundary %s" % arn, doc)
                except Exception:
                    docs = []
                return {"role": sess.role_arn, "session": sess.arn, "account": role_account,
                        "partition": partition, "identity": docs, "boundary": boundary}
    return None


def _authorize_sagemaker(resp, principal):
    from moto.sagemaker.models import sagemaker_backends

    action = resp._get_action()
    if action not in REGISTRY_OPS:
        return
    value = resp._get_param(_ROUTED[action]) or ""
    m = _parse(value)
    owner = m["account"] if m else principal["account"]
    region = m["region"] if m else resp.region
    backend = sagemaker_backends[owner][region]
    if m and m["type"] == "model-package":
        group = m["rest"].split("/")[0]
        resource = value
    else:
        group = m["rest"] if m else value
        if action == "CreateModelPackage":
            resource = "arn:%s:sagemaker:%s:%s:model-package/%s/%d" % (
                principal["partition"], region, owner, group, next_version(backend, group))
        else:
            resource = "arn:%s:sagemaker:%s:%s:model-package-group/%s" % (principal["partition"], region, owner, group)
    g = backend.model_package_groups.get(group)
    policy = getattr(g, "mlopsgen_resource_policy", None) if g else None
    ctx = _context(principal)
    status = resp._get_param("ModelApprovalStatus")
    if status:
        ctx["sagemaker:modelapprovalstatus"] = status
    resource_policy = [("the resource policy of model package group %s" % group, policy)] if policy else []
    _judge(principal, "sagemaker:" + action, resource, owner, ctx, resource_policy)


def _context(principal):
    return {"aws:principalarn": principal["role"], "aws:principalaccount": principal["account"],
            "aws:securetransport": "true"}


def _judge(principal, action, resource, owner, ctx, resource_policy):
    try:
        why = decide(principal, principal["identity"], resource_policy, action, resource, owner, ctx,
                     principal.get("boundary"))
        LOG.append({"decision": "allow", "role": principal["role"], "action": action, "resource": resource, "why": why})
    except Denied as e:
        LOG.append({"decision": "deny", "role": principal["role"], "action": action, "resource": resource, "why": str(e)})
        raise


def _authorize_s3(resp, principal, bucket, key):
    from moto.s3.models import s3_backends

    method = resp.method
    qs = resp.querystring if hasattr(resp, "querystring") else {}
    if any(k in qs for k in ("tagging", "acl", "uploads", "uploadId", "policy", "versioning", "encryption",
                             "lifecycle", "notification", "logging", "ownershipControls", "publicAccessBlock")):
        return
    if key:
        action = {"PUT": "s3:PutObject", "POST": "s3:PutObject", "GET": "s3:GetObject", "HEAD": "s3:GetObject",
                  "DELETE": "s3:DeleteObject"}.get(method)
        resource = "arn:%s:s3:::%s/%s" % (principal["partition"], bucket, key)
    elif method == "GET":
        action, resource = "s3:ListBucket", "arn:%s:s3:::%s" % (principal["partition"], bucket)
    else:
        return
    if action is None:
        return
    owner = None
    policy = None
    for account, by_partition in list(s3_backends.items()):
        b = by_partition["global"].buckets.get(bucket) if hasattr(by_partition, "__getitem__") else None
        if b is not None:
            owner, policy = account, b.policy
            break
    if owner is None:
        return
    ctx = _context(principal)
    sse = resp.headers.get("x-amz-server-side-encryption")
    if sse:
        ctx["s3:x-amz-server-side-encryption"] = sse
    kid = resp.headers.get("x-amz-server-side-encryption-aws-kms-key-id")
    if kid:
        ctx["s3:x-amz-server-side-encryption-aws-kms-key-id"] = kid
    if isinstance(policy, bytes):
        policy = policy.decode("utf-8")
    resource_policy = [("the bucket policy of %s" % bucket, policy)] if policy else []
    _judge(principal, action, resource, owner, ctx, resource_policy)


def install():
    """Hooks the authorizer into moto's request handling (S3 handlers name the bucket and key)."""
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.core.exceptions import JsonRESTError
    from moto.s3.exceptions import S3ClientError

    class S3Denied(S3ClientError):
        # moto serializes the status from S3's error model, which has no AccessDenied shape: the
        # answer is 400 AccessDenied (AWS answers 403); clients see the same error code.
        def __init__(self, message):
            super().__init__("AccessDenied", message)

    def principal_of(resp):
        try:
            return _principal(resp)
        except Exception as e:  # never break the emulator over the authorizer
            print("authz: cannot find the principal: %s" % e, file=sys.stderr)
            return None

    original_s3 = ActionAuthenticatorMixin._authenticate_and_authorize_s3_action
    original_normal = ActionAuthenticatorMixin._authenticate_and_authorize_normal_action

    def s3_action(self, bucket_name=None, key_name=None):
        if bucket_name and not getattr(self, "_mlopsgen_judged", False):
            self._mlopsgen_judged = True  # a handler may ask twice for one request
            principal = principal_of(self)
            if principal is not None:
                try:
                    _authorize_s3(self, principal, bucket_name, key_name)
                except Denied as e:
                    raise S3Denied(str(e))
        return original_s3(self, bucket_name=bucket_name, key_name=key_name)

    def normal_action(self, resource="*"):
        if getattr(self, "service_name", "") == "sagemaker" and not getattr(self, "_mlopsgen_judged", False):
            self._mlopsgen_judged = True
            principal = principal_of(self)
            if principal is not None:
                try:
                    _authorize_sagemaker(self, principal)
                except Denied as e:
                    raise JsonRESTError("AccessDeniedException", str(e))
        return original_normal(self, resource)

    ActionAuthenticatorMixin._authenticate_and_authorize_s3_action = s3_action
    ActionAuthenticatorMixin._authenticate_and_authorize_normal_action = normal_action
    _install_group_policies()


def _install_group_policies():
    """PutModelPackageGroupPolicy / GetModelPackageGroupPolicy / DeleteModelPackageGroupPolicy
    (moto lacks them): the policy is stored on the group and evaluated above."""
    from moto.sagemaker import responses as sm_responses
    from moto.sagemaker.exceptions import ValidationError

    R = sm_responses.SageMakerResponse

    def _group(self):
        name = self._get_param("ModelPackageGroupName")
        group = self.sagemaker_backend.model_package_groups.get(name)
        if group is None:
            raise ValidationError("Cannot find Model Package Group: %s" % name)
        return group

    def put(self):
        group = _group(self)
        policy = self._get_param("ResourcePolicy")
        json.loads(policy)
        group.mlopsgen_resource_policy = policy
        return json.dumps({"ModelPackageGroupArn": group.arn})

    def get(self):
        group = _group(self)
        policy = getattr(group, "mlopsgen_resource_policy", None)
        if policy is None:
            raise ValidationError("Cannot find resource policy for: %s" % group.arn)
        return json.dumps({"ResourcePolicy": policy})

    def delete(self):
        _group(self).mlopsgen_resource_policy = None
        return "{}"

    R.put_model_package_group_policy = put
    R.get_model_package_group_policy = get
    R.delete_model_package_group_policy = delete
