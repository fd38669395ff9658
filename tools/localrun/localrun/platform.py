"""The generated platform, stood up in the emulator the way its Terraform would create it, and the
glue the executor needs around the pipelines: the buckets and keys of every account, the registry's
model package groups, the topics (each with a queue standing in for its e-mail subscribers), the
EventBridge rules of every account with their generated patterns, the Lambda function, and the
pipeline code uploaded where the definitions read it.

Reads `mlopsgen describe` (the rules, names and ARNs, from the same source as the Terraform) and
`generated/<env>/` (pipeline definitions, scripts, the Lambda source).

Events: every event the executor emits (pipeline and step status changes) and every model
package state change in the registry is put on the default bus of its account; the rules match
it (the emulator's EventBridge evaluates the patterns) and deliver to a queue per rule; the
platform then does what each rule's targets say: start a pipeline (queued, as EventBridge starts
it asynchronously) or publish the input-transformed message to the topic.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import time

from . import cloud as s3util
from .executor import Pipeline

HERE = os.path.dirname(os.path.abspath(__file__))

_INVOKE = r"""
import importlib.util, json, sys, traceback
source, handler = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location(handler.split(".")[0], source)
module = importlib.util.module_from_spec(spec)
try:
    spec.loader.exec_module(module)
    answer = getattr(module, handler.split(".")[1])(json.loads(sys.stdin.read()), None)
    print(json.dumps({"ok": True, "answer": answer}))
except Exception as e:
    print(json.dumps({"ok": False, "answer": "%s: %s" % (type(e).__name__, e)}))
"""


class Function:
    """A Lambda function of the platform: the generated handler, run with its account's identity."""

    def __init__(self, platform, env, spec):
        self.platform, self.env = platform, env
        self.name, self.arn = spec["name"], spec["arn"]
        self.source = os.path.join(platform.repo, env["directory"], spec["source"])
        self.handler = spec["handler"]
        self.role = (spec.get("role") or env["lambda_role"])["arn"]
        self.calls = []

    def invoke(self, event):
        environ = dict(os.environ)
        environ.update(self.platform.cloud.role_environment(self.role))
        proc = subprocess.run([sys.executable, "-c", _INVOKE, self.source, self.handler], input=json.dumps(event),
                              capture_output=True, text=True, env=environ, timeout=120)
        if proc.returncode != 0:
            result = {"ok": False, "answer": proc.stderr.strip().splitlines()[-1:] or "exit %d" % proc.returncode}
        else:
            result = json.loads(proc.stdout.strip().splitlines()[-1])
        self.calls.append((event, result))
        return result["ok"], result["answer"]


def _json_path(event, path):
    cur = event
    for part in path.lstrip("$").strip(".").split("."):
        if not part:
            continue
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def transform(event, paths, template):
    """EventBridge's input transformer for a string template: each <name> replaced by the value
    at its path (strings as they are, other values as JSON, missing paths as empty)."""
    text = json.loads(template) if template.startswith('"') else template

    def value(m):
        name = m.group(1)
        if name not in paths:
            return m.group(0)
        v = _json_path(event, paths[name])
        if v is None:
            return ""
        return v if isinstance(v, str) else json.dumps(v)

    return re.sub(r"<([A-Za-z0-9_.-]+)>", value, text)


class Platform:
    def __init__(self, repo, description, cloud, log=print):
        self.repo = repo
        self.cloud = cloud
        self.log = log
        self.envs = {e["name"]: e for e in description["environments"]}
        self.functions = {}
        self.pipelines = {}            # arn -> Pipeline
        self.queued = []               # (pipeline, parameters, trigger): started by rules
        self.notifications = []        # (env, topic, message)
        self.deliveries = []           # (env, rule name, event detail-type, step or status)
        self.rule_queues = {}          # (account, rule) -> (queue url, rule)
        self.topic_queues = {}         # topic arn -> queue url
        self.executor = None

    # ---- set up, as the Terraform would ------------------------------------------------------

    def create(self):
        registry = [e for e in self.envs.values() if e["kind"] == "registry"]
        for env in self.envs.values():
            account = env["account_id"]
            kms = self.cloud.client("kms", account)
            if env.get("kms_alias"):
                key = kms.create_key(Description="mlopsgen %s" % env["name"])["KeyMetadata"]["KeyId"]
                kms.create_alias(AliasName=env["kms_alias"], TargetKeyId=key)
            s3 = self.cloud.client("s3", account)
            for bucket in set(env.get("buckets", {}).values()):
                owner = self._bucket_owner(bucket)
                if owner == account:
                    _create_bucket(s3, bucket, self.cloud.region)
            for kind in ("alert_topic", "approval_topic"):
                if kind in env:
                    self._topic(env, env[kind]["name"])
            for rule in env["rules"]:
                self._rule(env, rule)
        for env in self.envs.values():
            boundary = None
            if env.get("role_boundary"):
                # bootstrap/'s managed policy: every role the main root creates carries it.
                b = env["role_boundary"]
                self.cloud.client("iam", env["account_id"]).create_policy(
                    PolicyName=b["arn"].split("/")[-1], PolicyDocument=json.dumps(b["policy"]))
                boundary = b["arn"]
            for role, service in (("execution_role", "sagemaker"), ("lambda_role", "lambda"), ("approver_role", None)):
                if role in env:
                    self._role(env, env[role], service, boundary if service else None)
            if env.get("quality_trigger"):
                self._role(env, env["quality_trigger"]["role"], "lambda", boundary)
        for env in registry:
            sm = self.cloud.client("sagemaker", env["account_id"])
            for g in env.get("groups", []):
                sm.create_model_package_group(ModelPackageGroupName=g["name"],
                                              ModelPackageGroupDescription=g.get("description", ""))
                if g.get("policy"):
                    sm.put_model_package_group_policy(ModelPackageGroupName=g["name"],
                                                      ResourcePolicy=json.dumps(g["policy"]))
            if env.get("artifacts_bucket_policy"):
                self.cloud.client("s3", env["account_id"]).put_bucket_policy(
                    Bucket=env["buckets"]["artifacts"], Policy=json.dumps(env["artifacts_bucket_policy"]))
        for env in self.envs.values():
            if env["kind"] != "workload":
                continue
            lam = env["lambda"]
            self.functions[lam["arn"]] = Function(self, env, lam)
            if env.get("quality_trigger"):
                trig = env["quality_trigger"]
                self.functions[trig["arn"]] = Function(self, env, trig)
            s3 = self.cloud.client("s3", env["account_id"])
            for m in env["models"]:
                # What Terraform uploads: each object of describe's list at its key.
                for o in m["code"]["objects"]:
                    bucket, key = s3util.split(o["uri"])
                    s3util.put(s3, bucket, key, path=os.path.join(self.repo, env["directory"], o["file"]),
                               kms_key=env["kms_key"])
                for kind, p in m["pipelines"].items():
                    path = os.path.join(self.repo, env["directory"], p["definition"])
                    self.pipelines[p["arn"]] = Pipeline(env["name"], kind, p["name"], p["arn"], env["account_id"],
                                                        env["region"], path, m["name"], env["execution_role"]["arn"])
                    # The pipeline exists in SageMaker too, so a Lambda can start it.
                    with open(path, encoding="utf-8") as f:
                        self.cloud.client("sagemaker", env["account_id"]).create_pipeline(
                            PipelineName=p["name"], PipelineDefinition=f.read(), RoleArn=env["execution_role"]["arn"])

    def _role(self, env, spec, service, boundary=None):
        """A role as the Terraform creates it: its trust, its permissions boundary and its inline
        policy (describe's)."""
        iam = self.cloud.client("iam", env["account_id"])
        name = spec["arn"].split("/")[-1]
        path = "/" + "/".join(spec["arn"].split(":role/", 1)[1].split("/")[:-1])
        path = path if path.endswith("/") else path + "/"
        if service:
            trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                             "Principal": {"Service": "%s.amazonaws.com" % service}}]}
        else:
            trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                             "Principal": {"AWS": spec.get("trusted", [])}}]}
        extra = {"PermissionsBoundary": boundary} if boundary else {}
        iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(trust), **extra)
        iam.put_role_policy(RoleName=name, PolicyName="mlopsgen", PolicyDocument=json.dumps(spec["policy"]))

    def _bucket_owner(self, bucket):
        """The account that creates a bucket: the registry for the artifacts bucket."""
        for env in self.envs.values():
            if env["kind"] == "registry" and env["buckets"].get("artifacts") == bucket:
                return env["account_id"]
        for env in self.envs.values():
            if env["kind"] == "workload" and env["buckets"].get("data") == bucket:
                return env["account_id"]
        return None

    def _topic(self, env, name):
        account = env["account_id"]
        sns, sqs = self.cloud.client("sns", account), self.cloud.client("sqs", account)
        arn = sns.create_topic(Name=name)["TopicArn"]
        url = sqs.create_queue(QueueName="localrun-mail-%s" % name[:50])["QueueUrl"]
        q_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=q_arn, Attributes={"RawMessageDelivery": "true"})
        self.topic_queues[arn] = (account, url)

    def _rule(self, env, rule):
        account = env["account_id"]
        events, sqs = self.cloud.client("events", account), self.cloud.client("sqs", account)
        events.put_rule(Name=rule["name"], EventPattern=json.dumps(rule["pattern"]), State="ENABLED")
        url = sqs.create_queue(QueueName="localrun-rule-%d" % len(self.rule_queues))["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_targets(Rule=rule["name"], Targets=[{"Id": "localrun", "Arn": arn}])
        self.rule_queues[(account, rule["name"])] = (url, rule, env)

    # ---- what the executor asks -------------------------------------------------------------

    def function(self, arn):
        return self.functions.get(arn)

    def pipeline(self, env, model, kind):
        for p in self.pipelines.values():
            if p.env == env and p.model == model and p.kind == kind:
                return p
        raise KeyError("no %s pipeline of %s in %s" % (kind, model, env))

    def registry(self):
        return [e for e in self.envs.values() if e["kind"] == "registry"][0]

    def model_package_event(self, package, previous=None):
        """SageMaker Model Package State Change, emitted in the account that owns the package."""
        arn = package["ModelPackageArn"]
        account, region = arn.split(":")[4], arn.split(":")[3]
        detail = {"ModelPackageGroupName": package.get("ModelPackageGroupName"),
                  "ModelPackageVersion": package.get("ModelPackageVersion"),
                  "ModelPackageArn": arn, "ModelApprovalStatus": package.get("ModelApprovalStatus"),
                  "ModelPackageStatus": package.get("ModelPackageStatus", "Completed"),
                  "CreationTime": int(time.time() * 1000)}
        if package.get("ApprovalDescription"):
            detail["ApprovalDescription"] = package["ApprovalDescription"]
        event = {"version": "0", "id": "mp-%s-%s" % (package.get("ModelPackageVersion"), package.get("ModelApprovalStatus")),
                 "detail-type": "SageMaker Model Package State Change", "source": "aws.sagemaker",
                 "account": account, "region": region, "resources": [arn], "detail": detail}
        self.emit(account, event)

    def object_created(self, account, bucket, key):
        """S3's "Object Created" event for a new object (the data bucket has EventBridge on)."""
        event = {"version": "0", "id": "s3-%s" % hashlib.sha1(key.encode()).hexdigest()[:12],
                 "detail-type": "Object Created", "source": "aws.s3", "account": account,
                 "region": self.cloud.region, "resources": ["arn:aws:s3:::%s" % bucket],
                 "detail": {"version": "0", "bucket": {"name": bucket},
                            "object": {"key": key, "sequencer": "%016X" % int(time.time() * 1e6)},
                            "reason": "PutObject"}}
        self.emit(account, event)

    def emit(self, account, event):
        """Puts the event on the account's default bus and does what every matching rule says."""
        events = self.cloud.client("events", account)
        answer = events.put_events(Entries=[{"Source": event["source"], "DetailType": event["detail-type"],
                                             "Detail": json.dumps(event["detail"]), "Resources": event["resources"]}])
        if answer.get("FailedEntryCount"):
            raise RuntimeError("put_events failed: %s" % answer)
        for (acct, name), (url, rule, env) in self.rule_queues.items():
            if acct != account:
                continue
            sqs = self.cloud.client("sqs", account)
            while True:
                got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
                if not got:
                    break
                for m in got:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
                    delivered = json.loads(m["Body"])
                    delivered.setdefault("time", event.get("time"))
                    self._act(env, rule, delivered)

    def _act(self, env, rule, event):
        d = event.get("detail", {})
        what = d.get("stepName") or d.get("currentPipelineExecutionStatus") or d.get("ModelApprovalStatus")
        self.deliveries.append((env["name"], rule["name"], event.get("detail-type"), what))
        for t in rule["targets"]:
            if t["type"] == "pipeline":
                self.queued.append((self.pipelines[t["arn"]], {}, "rule %s" % rule["name"]))
            elif t["type"] == "function":
                ok, answer = self.functions[t["arn"]].invoke(event)
                if not ok:
                    self.log("  rule %s: Lambda %s failed: %s" % (rule["name"], t["name"], answer))
                    continue
                # What the function started: run it (moto records executions, never runs them).
                sm = self.cloud.client("sagemaker", env["account_id"])
                sm.describe_pipeline_execution(PipelineExecutionArn=answer["PipelineExecutionArn"])
                pipeline = [p for p in self.pipelines.values()
                            if p.name == answer["PipelineName"] and p.account == env["account_id"]][0]
                self.queued.append((pipeline, answer["Parameters"], "rule %s -> Lambda %s" % (rule["name"], t["name"])))
            elif t["type"] == "notify":
                message = transform(event, t["input_paths"], t["input_template"])
                sns = self.cloud.client("sns", env["account_id"])
                sns.publish(TopicArn=t["topic"], Message=message)
        self.collect_mail()

    def collect_mail(self):
        for topic, (account, url) in self.topic_queues.items():
            sqs = self.cloud.client("sqs", account)
            while True:
                got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
                if not got:
                    break
                for m in got:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
                    env = [e["name"] for e in self.envs.values() if e["account_id"] == account][0]
                    self.notifications.append((env, topic.rsplit(":", 1)[-1], m["Body"]))

    def on_event(self, account, event):
        self.emit(account, event)


def _create_bucket(s3, bucket, region):
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
