"""Patches applied to moto (the emulator) at start-up, before the server runs; the installed moto
is never edited. They make moto's SageMaker model registry behave as the service does where the
platform relies on it (checked against moto 5.2.5; `apply` refuses another version):

- calls that address a registry resource by ARN (CreateModelPackage and ListModelPackages with a
  group ARN, DescribeModelPackage and UpdateModelPackage with a package ARN, ...) are served by the
  backend of the ARN's account: a workload account registers into, and reads from, the central
  registry's account as the generated code does (moto serves every call from the caller's own
  account and would quietly list a same-named group of the caller);
- CreateModelPackage and DescribeModelPackageGroup accept a group ARN; a version created without
  ModelApprovalStatus is PendingManualApproval; versions are numbered per group and never reused;
- UpdateModelPackage changes only the fields it is sent (moto wiped the others) and merges
  CustomerMetadataProperties; DeleteModelPackage exists;
- PutModelPackageGroupPolicy, GetModelPackageGroupPolicy and DeleteModelPackageGroupPolicy exist
  without MLOPSGEN_IAM=enforce too (authz.py's; moto raised NotImplementedError, which the AWS
  provider retries for minutes): the registry root's group policy can be applied, read back and
  planned (`.ci/plan-counts.py`);
- with MLOPSGEN_BUCKET_POLICIES=unenforced (`.ci/plan-counts.py`, which applies the generated
  roots with Terraform), moto's S3 does not apply bucket policies: it evaluates them without the
  request's condition keys, so the platform's buckets (DenyInsecureTransport, uploads only with
  the bucket's key, each under a Condition) refused every object upload AWS allows. Otherwise
  (the offline story) moto's reading stays: it is what refuses the registry administrator's
  delete of an artefact;
- a version's CreatedBy and LastModifiedBy name the IAM identity that created or last updated it
  (`IamIdentity.Arn`, as GetCallerIdentity reports the caller), as SageMaker records them for model
  packages; moto invented a Studio user profile and copied CreatedBy into LastModifiedBy, so who
  registered and who decided could not be told apart (`mlopsgen approve` refuses self-approval).
"""

import re

MOTO_VERSION = "5.2.5"

# arn:aws:sagemaker:REGION:ACCOUNT:model-package-group/NAME  or  .../model-package/NAME[/VERSION]
_SM_ARN = re.compile(
    r"^arn:aws[a-z-]*:sagemaker:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<type>model-package-group|model-package)/(?P<rest>.+)$")

# operation -> request parameter that may carry a name-or-ARN of a registry resource
_ROUTED = {
    "CreateModelPackage": "ModelPackageGroupName",
    "ListModelPackages": "ModelPackageGroupName",
    "DescribeModelPackageGroup": "ModelPackageGroupName",
    "DescribeModelPackage": "ModelPackageName",
    "UpdateModelPackage": "ModelPackageArn",
    "DeleteModelPackage": "ModelPackageName",
    "DeleteModelPackageGroup": "ModelPackageGroupName",   # added by the shared moto_patches.py
    "AddTags": "ResourceArn",
    "ListTags": "ResourceArn",
    "DeleteTags": "ResourceArn",
}


def _parse(value):
    m = _SM_ARN.match(value) if isinstance(value, str) else None
    return m.groupdict() if m else None


def _strip(value):
    """Group name-or-ARN -> name (what moto keys model_package_groups by)."""
    p = _parse(value)
    return p["rest"] if p and p["type"] == "model-package-group" else value


# ---------------------------------------------------------------- 1. the routing itself
def _routed_backend(self):
    from moto.sagemaker.models import sagemaker_backends
    from moto.sagemaker.exceptions import ValidationError

    account, region = self.current_account, self.region
    param = _ROUTED.get(self._get_action())
    target = _parse(self._get_param(param)) if param else None
    if target:
        if target["region"] != region:
            # SageMaker resources are regional; AWS refuses another Region's ARN.
            raise ValidationError(f"{self._get_param(param)} is not in Region {region}")
        account = target["account"]
        # The group's resource policy is evaluated by authz.py (with MLOPSGEN_IAM=enforce).
    return sagemaker_backends[account][region]


# ---------------------------------------------------------------- 2. backend fixes
def _wrap_group_arg(original, argname):
    def wrapper(self, *args, **kwargs):
        if argname in kwargs:
            kwargs[argname] = _strip(kwargs[argname])
        return original(self, *args, **kwargs)
    wrapper.__name__ = original.__name__
    wrapper.__wrapped__ = original
    return wrapper


def next_version(backend, group):
    """The number the next version of `group` gets: one more than any it ever had (a deleted
    version's number is not reused, as on AWS)."""
    counters = backend.__dict__.get("_mp_version_counter", {})
    return 1 + max([counters.get(group, 0)] + [p.model_package_version or 0 for p in backend.model_packages.values()
                                               if p.model_package_group_name == group])


def _create_model_package(original):
    """Group name or ARN; versions numbered max+1 per group (never reused after a delete, as on
    AWS); ModelApprovalStatus defaults to PendingManualApproval for versioned packages.
    Unversioned packages (ModelPackageName) are left to moto."""
    def wrapper(self, **kw):
        from moto.sagemaker.exceptions import AWSValidationException
        from moto.sagemaker.models import ModelPackage

        g = kw.get("model_package_group_name")
        if not g or kw.get("model_package_name"):
            return original(self, **kw)
        g = _strip(g)
        if g not in self.model_package_groups:
            raise AWSValidationException("Model Package Group does not exist.")
        nxt = next_version(self, g)
        self.__dict__.setdefault("_mp_version_counter", {})[g] = nxt
        pkg = ModelPackage(
            model_package_name=g, model_package_group_name=g, model_package_version=nxt,
            model_package_description=kw.get("model_package_description"),
            inference_specification=kw.get("inference_specification"),
            source_algorithm_specification=kw.get("source_algorithm_specification"),
            validation_specification=kw.get("validation_specification"),
            certify_for_marketplace=kw.get("certify_for_marketplace", False),
            model_approval_status=kw.get("model_approval_status") or "PendingManualApproval",
            metadata_properties=kw.get("metadata_properties"),
            model_metrics=kw.get("model_metrics"), approval_description=None,
            customer_metadata_properties=kw.get("customer_metadata_properties"),
            drift_check_baselines=kw.get("drift_check_baselines"), domain=kw.get("domain"),
            task=kw.get("task"), sample_payload_url=kw.get("sample_payload_url"),
            additional_inference_specifications=kw.get("additional_inference_specifications"),
            client_token=kw.get("client_token"), region_name=self.region_name,
            account_id=self.account_id, model_package_type="Versioned", tags=kw.get("tags"))
        self.model_packages[pkg.arn] = pkg
        self.model_package_name_mapping[pkg.arn] = pkg.arn
        self.model_package_name_mapping[g] = pkg.arn  # DescribeModelPackage(group name) -> latest
        return pkg.arn
    wrapper.__name__ = original.__name__
    return wrapper


def update_model_package(self, model_package_arn, model_approval_status,
                         approval_description, customer_metadata_properties,
                         customer_metadata_properties_to_remove,
                         additional_inference_specifications_to_add):
    """Partial update as on AWS: only the fields sent change; metadata is merged."""
    from moto.sagemaker.exceptions import ValidationError

    mapped = self.model_package_name_mapping.get(model_package_arn, model_package_arn)
    pkg = self.model_packages.get(mapped)
    if pkg is None:
        raise ValidationError(f"Model package {model_package_arn} not found")
    if model_approval_status is not None:
        pkg.set_model_approval_status(model_approval_status)
    if approval_description is not None:
        pkg.approval_description = approval_description
    if customer_metadata_properties:
        pkg.customer_metadata_properties = {**(pkg.customer_metadata_properties or {}),
                                            **customer_metadata_properties}
    for k in customer_metadata_properties_to_remove or []:
        (pkg.customer_metadata_properties or {}).pop(k, None)
    if additional_inference_specifications_to_add:
        pkg.add_additional_inference_specifications(additional_inference_specifications_to_add)
    pkg.modifications_done()
    return pkg.arn


def delete_model_package(self, model_package_name):
    from moto.sagemaker.exceptions import ValidationError

    # AWS: a versioned package must be addressed by its ARN; a name is an unversioned package.
    mapped = model_package_name if _parse(model_package_name) else \
        self.model_package_name_mapping.get(model_package_name, model_package_name)
    pkg = self.model_packages.pop(mapped, None)
    if pkg is None:
        raise ValidationError(f"Model package {model_package_name} not found")
    for k in [k for k, v in self.model_package_name_mapping.items() if v == pkg.arn]:
        del self.model_package_name_mapping[k]
    if pkg.model_package_group_name:  # keep "describe by group name" pointing at the latest left
        left = [p for p in self.model_packages.values()
                if p.model_package_group_name == pkg.model_package_group_name]
        if left:
            latest = max(left, key=lambda p: p.model_package_version or 0)
            self.model_package_name_mapping[pkg.model_package_group_name] = latest.arn


def _caller_context(response):
    """The UserContext SageMaker records for the caller of `response`'s request."""
    from moto.sts.models import sts_backends

    user_id, arn, _ = sts_backends[response.current_account][response.partition].get_caller_identity(
        response.get_access_key(), response.region)
    return {"IamIdentity": {"Arn": arn, "PrincipalId": user_id}}


def _record_creator(original):
    def wrapper(self):
        backend = self.sagemaker_backend
        before = set(backend.model_packages)
        result = original(self)
        for arn in set(backend.model_packages) - before:
            backend.model_packages[arn].created_by = _caller_context(self)
        return result
    wrapper.__name__ = original.__name__
    return wrapper


def _record_modifier(original):
    def wrapper(self):
        result = original(self)
        backend = self.sagemaker_backend
        arn = self._get_param("ModelPackageArn")
        pkg = backend.model_packages.get(backend.model_package_name_mapping.get(arn, arn))
        if pkg is not None:
            pkg.last_modified_by = _caller_context(self)
        return result
    wrapper.__name__ = original.__name__
    return wrapper


def _response_delete_model_package(self):
    from moto.core.responses import EmptyResult

    self.sagemaker_backend.delete_model_package(self._get_param("ModelPackageName"))
    return EmptyResult()


def apply():
    import moto
    from moto.sagemaker import models as sm_models, responses as sm_responses

    if moto.__version__ != MOTO_VERSION:
        raise RuntimeError(f"written for moto {MOTO_VERSION}, found {moto.__version__}")
    B, R = sm_models.SageMakerModelBackend, sm_responses.SageMakerResponse
    if hasattr(B, "delete_model_package"):
        raise RuntimeError("moto now has DeleteModelPackage: revisit this patch")

    R.sagemaker_backend = property(_routed_backend)
    B.create_model_package = _create_model_package(B.create_model_package)
    B.describe_model_package_group = _wrap_group_arg(B.describe_model_package_group,
                                                     "model_package_group_name")
    B.update_model_package = update_model_package
    B.delete_model_package = delete_model_package
    R.delete_model_package = _response_delete_model_package

    import os

    if os.environ.get("MLOPSGEN_BUCKET_POLICIES") == "unenforced":
        from moto.iam.access_control import PermissionResult
        from moto.s3.models import FakeBucket

        FakeBucket.get_permission = lambda self, action, resource: PermissionResult.NEUTRAL
    if hasattr(R, "put_model_package_group_policy"):
        raise RuntimeError("moto now has PutModelPackageGroupPolicy: revisit this patch")
    from .authz import _install_group_policies

    _install_group_policies()
    R.create_model_package = _record_creator(R.create_model_package)
    R.update_model_package = _record_modifier(R.update_model_package)

    if os.environ.get("MLOPSGEN_IAM") == "enforce":
        from . import authz

        authz.install()
