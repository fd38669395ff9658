"""Test helper for tests/approvals.rs: model package groups and versions in the emulator, made as
the generated train pipeline makes them (RegisterModel's fields), and read back.

    python registry_versions.py ENDPOINT STEPS.json     # prints a JSON list, one result per step

Steps (run in order; credentials are the ambient AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or an
AssumeRole session of `as_role` when a step names one):
    {"op": "group", "name": G}                                   -> the group's ARN
    {"op": "versions", "group": GROUP_ARN, "count": N, "env": E, "as_role": R?}
                                                                 -> the new versions' ARNs
    {"op": "decide", "arn": A, "status": S, "reason": TEXT, "as_role": R?}
    {"op": "describe", "arn": A}       -> {status, reason, created_by, last_modified_by}
"""

import json
import sys

import boto3
import botocore.config

REGION = "us-east-1"
CONFIG = botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10)


def client(endpoint, service, role=None):
    if role is None:
        return boto3.client(service, endpoint_url=endpoint, region_name=REGION, config=CONFIG)
    sts = boto3.client("sts", endpoint_url=endpoint, region_name=REGION, config=CONFIG)
    c = sts.assume_role(RoleArn=role, RoleSessionName="SageMaker")["Credentials"]
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, config=CONFIG,
                        aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                        aws_session_token=c["SessionToken"])


def register(sm, group, env, n):
    evidence = "s3://acme-sagemaker-model-artifacts-333333333333/%s/mammography-severity-model/evidence/exec-%d" % (env, n)
    source = lambda path: {"ContentType": "application/json", "S3Uri": "%s/%s" % (evidence, path)}
    quality = {"Statistics": source("baseline/statistics.json"), "Constraints": source("baseline/constraints.json")}
    return sm.create_model_package(
        ModelPackageGroupName=group,
        ModelPackageDescription="mammography-severity-model trained by mammo-severity-train-pipeline in %s" % env,
        ModelApprovalStatus="PendingManualApproval",
        InferenceSpecification={
            "Containers": [{"Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
                            "ModelDataUrl": "s3://acme-sagemaker-model-artifacts-333333333333/%s/model-%d.tar.gz" % (env, n)}],
            "SupportedContentTypes": ["text/csv"], "SupportedResponseMIMETypes": ["text/csv"]},
        ModelMetrics={"ModelQuality": {"Statistics": source("evaluation/evaluation.json")},
                      "ModelDataQuality": quality},
        DriftCheckBaselines={"ModelDataQuality": quality},
        CustomerMetadataProperties={
            "mlopsgen:source-environment": env,
            "mlopsgen:model": "mammography-severity-model",
            "mlopsgen:pipeline-execution-arn":
                "arn:aws:sagemaker:us-east-1:222222222222:pipeline/mammo-severity-train-pipeline/execution/exec-%d" % n,
            "team": "ml-platform"},
    )["ModelPackageArn"]


def main(endpoint, path):
    with open(path) as f:
        steps = json.load(f)
    results = []
    for s in steps:
        sm = client(endpoint, "sagemaker", s.get("as_role"))
        if s["op"] == "group":
            results.append(sm.create_model_package_group(ModelPackageGroupName=s["name"])["ModelPackageGroupArn"])
        elif s["op"] == "versions":
            results.append([register(sm, s["group"], s["env"], n) for n in range(s.get("count", 1))])
        elif s["op"] == "decide":
            sm.update_model_package(ModelPackageArn=s["arn"], ModelApprovalStatus=s["status"],
                                    ApprovalDescription=s["reason"])
            results.append(None)
        elif s["op"] == "describe":
            d = sm.describe_model_package(ModelPackageName=s["arn"])
            results.append({"status": d.get("ModelApprovalStatus"), "reason": d.get("ApprovalDescription"),
                            "created_by": d.get("CreatedBy", {}).get("IamIdentity", {}).get("Arn"),
                            "last_modified_by": d.get("LastModifiedBy", {}).get("IamIdentity", {}).get("Arn")})
        else:
            raise SystemExit("unknown op %r" % s["op"])
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
