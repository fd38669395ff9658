"""The local AWS the executor works against: clients per account on the emulator (moto on
loopback, see emulator.py), and the S3 moves SageMaker makes for its jobs (staging a
`ProcessingInput`/channel from an S3 prefix, uploading outputs with the job's KMS key).
"""

import os

import boto3
import botocore.config

CONFIG = botocore.config.Config(retries={"max_attempts": 2}, connect_timeout=5, read_timeout=60)


class Cloud:
    """Clients of the emulator at `endpoint`, one identity per account (an IAM user the emulator
    files under that account)."""

    def __init__(self, endpoint, region="us-east-1"):
        self.endpoint = endpoint
        self.region = region
        self._keys = {}
        self._clients = {}
        self._sessions = {}

    def credentials(self, account, user=None):
        if account not in self._keys:
            iam = boto3.client("iam", endpoint_url=self.endpoint, region_name=self.region, config=CONFIG,
                               aws_access_key_id="testing", aws_secret_access_key="testing")
            iam.meta.events.register("before-send.iam.*",
                                     lambda request, **_: request.headers.__setitem__("x-moto-account-id", account))
            user = user or "localrun-%s" % account
            try:
                iam.create_user(UserName=user)
            except iam.exceptions.EntityAlreadyExistsException:
                pass
            made = iam.create_access_key(UserName=user)["AccessKey"]
            self._keys[account] = (made["AccessKeyId"], made["SecretAccessKey"])
        return self._keys[account]

    def client(self, service, account):
        key = (service, account)
        if key not in self._clients:
            access, secret = self.credentials(account)
            self._clients[key] = boto3.client(service, endpoint_url=self.endpoint, region_name=self.region,
                                              config=CONFIG, aws_access_key_id=access, aws_secret_access_key=secret)
        return self._clients[key]

    def session(self, role_arn):
        """Credentials of an AssumeRole session of `role_arn` (the emulator judges what such a
        session may do against the role's policies when started with MLOPSGEN_IAM=enforce)."""
        if role_arn not in self._sessions:
            account = role_arn.split(":")[4]
            sts = self.client("sts", account)
            c = sts.assume_role(RoleArn=role_arn, RoleSessionName="localrun")["Credentials"]
            self._sessions[role_arn] = (c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
        return self._sessions[role_arn]

    def as_role(self, service, role_arn):
        key = (service, role_arn)
        if key not in self._clients:
            access, secret, token = self.session(role_arn)
            self._clients[key] = boto3.client(service, endpoint_url=self.endpoint, region_name=self.region,
                                              config=CONFIG, aws_access_key_id=access, aws_secret_access_key=secret,
                                              aws_session_token=token)
        return self._clients[key]

    def role_environment(self, role_arn):
        access, secret, token = self.session(role_arn)
        env = self.environment(role_arn.split(":")[4])
        env.update({"AWS_ACCESS_KEY_ID": access, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": token})
        return env

    def environment(self, account):
        """The variables a process (the Lambda handler) needs to act as `account` here."""
        access, secret = self.credentials(account)
        return {"AWS_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": access, "AWS_SECRET_ACCESS_KEY": secret,
                "AWS_REGION": self.region, "AWS_DEFAULT_REGION": self.region,
                "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}


def split(uri):
    if not isinstance(uri, str) or not uri.startswith("s3://"):
        raise ValueError("not an S3 URI: %r" % (uri,))
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def list_keys(s3, uri):
    bucket, prefix = split(uri)
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(o["Key"] for o in page.get("Contents", []))
    return bucket, prefix, sorted(keys)


def relative(key, prefix):
    """Where SageMaker puts an object an S3Prefix matched: its key after the prefix (the
    prefix's own object, when the prefix is a whole key, under its name)."""
    rest = key[len(prefix):].lstrip("/")
    return rest or os.path.basename(key)


def stage(s3, uri, local_dir):
    """Downloads what an S3Prefix input matches into `local_dir`, as SageMaker does: every object
    whose key starts with the prefix, at its path after the prefix (a prefix that is a whole key
    lands as `local_dir/<its name>`). Returns the number of objects; 0 is the caller's error."""
    bucket, prefix, keys = list_keys(s3, uri)
    count = 0
    for key in keys:
        if key.endswith("/"):
            continue
        target = os.path.join(local_dir, relative(key, prefix))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        s3.download_file(bucket, key, target)
        count += 1
    return count


def upload_dir(s3, local_dir, uri, kms_key=None):
    """Uploads every file under `local_dir` to `uri` (keys relative to the folder), SSE-KMS with
    `kms_key` when given. Returns the keys written."""
    bucket, prefix = split(uri)
    prefix = prefix.rstrip("/")
    written = []
    for root, _, files in os.walk(local_dir):
        for name in sorted(files):
            path = os.path.join(root, name)
            rel = os.path.relpath(path, local_dir).replace(os.sep, "/")
            key = "%s/%s" % (prefix, rel) if prefix else rel
            put(s3, bucket, key, path=path, kms_key=kms_key)
            written.append(key)
    return written


def put(s3, bucket, key, body=None, path=None, kms_key=None):
    extra = {}
    if kms_key:
        extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key}
    if path is not None:
        with open(path, "rb") as f:
            body = f.read()
    if isinstance(body, str):
        body = body.encode("utf-8")
    s3.put_object(Bucket=bucket, Key=key, Body=body, **extra)


def read(s3, uri):
    bucket, key = split(uri)
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
