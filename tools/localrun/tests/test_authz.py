"""The local IAM evaluator (localrun/authz.py) decides as IAM does for the cases the story relies
on: identity and resource policies, explicit Denies, cross-account (both sides must allow) and a
permissions boundary that caps what a role's own policies allow."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from localrun import authz  # noqa: E402

PRINCIPAL = {"role": "arn:aws:iam::222222222222:role/exec", "session": "arn:aws:sts::222222222222:assumed-role/exec/s",
             "account": "222222222222", "partition": "aws"}
OBJ = "arn:aws:s3:::data/x.csv"


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource, **extra):
    return dict({"Effect": "Allow", "Action": action, "Resource": resource}, **extra)


def deny(action, resource, **extra):
    return dict({"Effect": "Deny", "Action": action, "Resource": resource}, **extra)


def test_own_account_identity_allow():
    assert authz.decide(PRINCIPAL, [("id", doc(allow("s3:GetObject", "arn:aws:s3:::data/*")))], [],
                        "s3:GetObject", OBJ, "222222222222", {})


def test_nothing_allows_is_denied():
    with pytest.raises(authz.Denied, match="no identity-based policy allows the s3:GetObject action"):
        authz.decide(PRINCIPAL, [("id", doc(allow("s3:PutObject", "*")))], [], "s3:GetObject", OBJ, "222222222222", {})


def test_explicit_deny_wins():
    with pytest.raises(authz.Denied, match="explicit deny"):
        authz.decide(PRINCIPAL, [("id", doc(allow("s3:*", "*"), deny("s3:GetObject", OBJ)))], [],
                     "s3:GetObject", OBJ, "222222222222", {})


def test_cross_account_needs_both_sides():
    ident = [("id", doc(allow("s3:GetObject", "*")))]
    with pytest.raises(authz.Denied, match="no resource-based policy"):
        authz.decide(PRINCIPAL, ident, [("bucket", doc())], "s3:GetObject", OBJ, "333333333333", {})
    bucket = doc(allow("s3:GetObject", OBJ, Principal={"AWS": "arn:aws:iam::222222222222:root"}))
    assert authz.decide(PRINCIPAL, ident, [("bucket", bucket)], "s3:GetObject", OBJ, "333333333333", {})


def test_boundary_caps_the_identity_policy():
    ident = [("id", doc(allow(["s3:GetObject", "s3:PutObject"], "*")))]
    boundary = ("boundary", doc(allow("s3:GetObject", "arn:aws:s3:::data/*")))
    assert authz.decide(PRINCIPAL, ident, [], "s3:GetObject", OBJ, "222222222222", {}, boundary)
    with pytest.raises(authz.Denied, match="no permissions boundary allows the s3:PutObject action"):
        authz.decide(PRINCIPAL, ident, [], "s3:PutObject", OBJ, "222222222222", {}, boundary)


def test_boundary_deny_wins():
    ident = [("id", doc(allow("sagemaker:UpdateModelPackage", "*")))]
    boundary = ("boundary", doc(allow("sagemaker:*", "*"), deny("sagemaker:UpdateModelPackage", "*")))
    with pytest.raises(authz.Denied, match="explicit deny in boundary"):
        authz.decide(PRINCIPAL, ident, [], "sagemaker:UpdateModelPackage", "arn:aws:sagemaker:x", "222222222222", {},
                     boundary)


def test_a_condition_that_does_not_hold_does_not_allow():
    st = allow("sagemaker:CreateModelPackage", "*",
               Condition={"StringEquals": {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}})
    ident = [("id", doc(st))]
    assert authz.decide(PRINCIPAL, ident, [], "sagemaker:CreateModelPackage", "arn:x", "222222222222",
                        {"sagemaker:modelapprovalstatus": "PendingManualApproval"})
    with pytest.raises(authz.Denied):
        authz.decide(PRINCIPAL, ident, [], "sagemaker:CreateModelPackage", "arn:x", "222222222222",
                     {"sagemaker:modelapprovalstatus": "Approved"})


# The data and artifacts buckets' upload rule (generated/modules/secure-bucket/main.tf): a
# headerless upload (aws s3 cp) gets the bucket's default SSE-KMS; asking for other encryption is
# refused. StringNotEquals alone would refuse the headerless upload too (absent key: true).
SECURE_BUCKET_DENY = deny("s3:PutObject", "arn:aws:s3:::data/*", Principal={"AWS": "*"}, Condition={
    "StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"},
    "Null": {"s3:x-amz-server-side-encryption": "false"}})


@pytest.mark.parametrize("header, refused", [(None, False), ("aws:kms", False), ("AES256", True)])
def test_secure_bucket_upload_rule(header, refused):
    ident = [("id", doc(allow("s3:PutObject", "arn:aws:s3:::data/*")))]
    bucket = [("bucket", doc(SECURE_BUCKET_DENY))]
    ctx = {} if header is None else {"s3:x-amz-server-side-encryption": header}
    if refused:
        with pytest.raises(authz.Denied, match="explicit deny"):
            authz.decide(PRINCIPAL, ident, bucket, "s3:PutObject", OBJ, "222222222222", ctx)
    else:
        assert authz.decide(PRINCIPAL, ident, bucket, "s3:PutObject", OBJ, "222222222222", ctx)


def test_without_the_null_condition_a_headerless_upload_is_refused():
    st = deny("s3:PutObject", "arn:aws:s3:::data/*", Principal={"AWS": "*"},
              Condition={"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}})
    with pytest.raises(authz.Denied):
        authz.decide(PRINCIPAL, [("id", doc(allow("s3:PutObject", "*")))], [("bucket", doc(st))],
                     "s3:PutObject", OBJ, "222222222222", {})
