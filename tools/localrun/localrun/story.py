"""The blog post's story, run on the generated platform offline, every arrow checked:

  train v1 on part 1 -> v1 PendingManualApproval, approvers notified -> approve v1 ->
  scheduled inference on the normal batch succeeds, predictions written, their quality against
  the held-out labels reported -> inference on the outlier batch fails at the drift step, the
  drift is notified -> the retrain rule starts training on part 1 + part 2 -> v2 Pending while v1
  is still served with v1's own baseline and metrics -> approve v2 -> the next inference uses v2.
  And: a batch with a missing column is rejected (notified, no retraining); flipped labels fail
  the model-quality minimums and notify.

The story is the post's for any model: its data comes from data.py (the post's files, or one CSV
file split by the model's data contract, see split.py), which also says which file plays which
part (layout.json); the texts, the quality arrow and the label corruption follow the model's
problem type (binary labels flipped, multiclass labels rotated to the next class, regression
labels reflected), and the figures show the registration gate's metric.

usage: python -m localrun.story --repo REPO --describe FILE --env ENV [--data PATH] [--work DIR]

Prints a progress line per step, one `ok:`/`FAILED:` line per arrow and a summary table; exits 0
only when every arrow holds. Runs in the `emulator` runtime (boto3); starts its own emulator.
"""

import argparse
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from . import cloud as s3util
from . import emulator, runtimes, split
from .cloud import Cloud
from .executor import Executor
from .platform import Platform

HERE = os.path.dirname(os.path.abspath(__file__))
# The metrics each problem type reports (the generated problem.py's METRICS, stated again here so
# that the quality arrow checks the report against what the type promises), their names in texts,
# the ones the quality arrow's detail shows, and those where lower is better.
METRICS = {"binary": ["auc", "accuracy", "precision", "recall", "f1"],
           "multiclass": ["accuracy", "macro_f1", "weighted_f1", "log_loss"],
           "regression": ["rmse", "mae", "r2"]}
DISPLAY = {"auc": "AUC", "f1": "F1", "macro_f1": "macro F1", "weighted_f1": "weighted F1", "log_loss": "log-loss",
           "rmse": "RMSE", "mae": "MAE", "r2": "R2"}
DETAIL = {"binary": ["auc", "accuracy", "f1"], "multiclass": ["accuracy", "macro_f1", "log_loss"],
          "regression": ["rmse", "mae", "r2"]}
LOWER_IS_BETTER = {"log_loss", "rmse", "mae"}
# The post's mammography columns: the only contract the seeded stand-in fits.
POST_COLUMNS = ["birads", "age", "shape", "margin", "density", "severity"]


class Story:
    def __init__(self, platform, executor, env, log):
        self.platform, self.executor, self.env, self.log = platform, executor, env, log
        self.arrows = []
        self.executions = []
        self.figures = {}

    def arrow(self, text, ok, detail=""):
        self.arrows.append((text, ok, detail))
        self.log("%s %s%s" % ("ok:" if ok else "FAILED:", text, (" -- " + detail) if detail else ""))
        return ok

    def run(self, pipeline, parameters=None, trigger="manual"):
        self.log("%s %s (%s)" % (pipeline.kind, pipeline.name, trigger))
        ex = self.executor.start(pipeline, parameters, trigger)
        self.executions.append(ex)
        self.log("  -> %s in %.1f s%s" % (ex.status, ex.duration(), (": " + ex.failure) if ex.status == "Failed" else ""))
        return ex

    def run_queued(self):
        """Starts what rules started (EventBridge starts pipelines asynchronously)."""
        started = []
        while self.platform.queued:
            pipeline, params, trigger = self.platform.queued.pop(0)
            started.append(self.run(pipeline, params, trigger))
        return started


def refusal(call):
    """What AWS (the emulator) answered when `call` was refused; None when it was allowed."""
    try:
        call()
    except Exception as e:
        return str(e)
    return None


def _failed_step(ex):
    failed = [(n, s) for n, s in ex.steps.items() if s["status"] == "Failed"]
    return failed[0] if failed else (None, None)


def _versions(cloud, group_arn):
    account = group_arn.split(":")[4]
    sm = cloud.client("sagemaker", account)
    found = sm.list_model_packages(ModelPackageGroupName=group_arn, SortBy="CreationTime", SortOrder="Ascending")
    return [sm.describe_model_package(ModelPackageName=p["ModelPackageArn"]) for p in found["ModelPackageSummaryList"]]


def _read_json(cloud, account, uri):
    return json.loads(s3util.read(cloud.client("s3", account), uri))


def display(metric):
    return DISPLAY.get(metric, metric)


def quality_text(problem_type):
    """The quality arrow's text: the type's metrics, and "minimums" when every one is a minimum."""
    names = METRICS[problem_type]
    kind = "limits" if any(m in LOWER_IS_BETTER for m in names) else "minimums"
    return "labels of the scored batch -> quality report (%s), %s met" % (", ".join(display(m) for m in names), kind)


def _layout(data_dir):
    with open(os.path.join(data_dir, "layout.json"), encoding="utf-8") as f:
        return json.load(f)


def tell(platform, executor, env_name, data_dir, log):
    env = platform.envs[env_name]
    model = env["models"][0]
    registry = platform.registry()
    cloud = platform.cloud
    account = env["account_id"]
    s3 = cloud.client("s3", account)
    story = Story(platform, executor, env, log)
    train = platform.pipeline(env_name, model["name"], "train")
    infer = platform.pipeline(env_name, model["name"], "inference")
    quality = platform.pipeline(env_name, model["name"], "quality") if "quality" in model["pipelines"] else None
    train_prefix = model["train_data"]
    batch_prefix = model["batch_prefix"]
    data_bucket = env["buckets"]["data"]

    problem_type = model.get("problem_type", "binary")
    gate_metric = (model.get("gate") or {}).get("metric", "auc")
    layout = _layout(data_dir)
    post = layout.get("source") == "post"

    def upload(name, uri_prefix, body=None, as_name=None):
        bucket, prefix = s3util.split(uri_prefix)
        path = os.path.join(data_dir, name)
        key = prefix + (as_name or name)
        s3util.put(s3, bucket, key, body=body, path=None if body is not None else path, kms_key=env["kms_key"])
        return "s3://%s/%s" % (bucket, key)

    upload(layout["train_part1"], train_prefix)
    # The schedule scores batch_prefix + the model's batch file: the normal batch goes there.
    batch_file = model.get("batch_file") or layout["batch"]
    upload(layout["batch"], batch_prefix, as_name=batch_file)
    outliers = upload(layout["batch_outliers"], batch_prefix)
    with open(os.path.join(data_dir, layout["batch"]), encoding="utf-8", newline="") as f:
        rows = [r for r in csv.reader(f) if r]
    missing_col = io.StringIO()
    csv.writer(missing_col, lineterminator="\n").writerows([r[:-1] for r in rows])
    stem = batch_file[:-4] if batch_file.endswith(".csv") else batch_file
    broken = upload(stem + "-missing-column.csv", batch_prefix, body=missing_col.getvalue())

    # 1. Train v1 on part 1.
    ex = story.run(train, trigger="manual (the post runs it from the notebook)")
    versions = _versions(cloud, model["group_arn"])
    v1 = versions[0] if versions else None
    story.figures["train v1"] = ex.steps.get("PreprocessData", {}).get("summary", "")
    story.figures["%s v1" % display(gate_metric)] = _gate_figure(cloud, [account, registry["account_id"]], ex, gate_metric)
    story.arrow("train v1 on part 1 -> version 1 registered in the registry account, PendingManualApproval",
                ex.status == "Succeeded" and v1 is not None and v1["ModelApprovalStatus"] == "PendingManualApproval"
                and v1["ModelPackageArn"].split(":")[4] == registry["account_id"],
                v1["ModelPackageArn"] + " " + v1["ModelApprovalStatus"] if v1 else "train %s: %s" % (ex.status, ex.failure))
    mail = [m for e, t, m in platform.notifications if e == registry["name"]]
    story.arrow("approvers notified that version 1 waits for approval",
                any("version 1 is waiting for approval" in m for m in mail), (mail or ["no message"])[-1])
    if v1 is None:
        return story

    # 2. Approve v1 in the registry, as the approver.
    def approve(version, reason):
        sm = cloud.as_role("sagemaker", registry["approver_role"]["arn"])
        sm.update_model_package(ModelPackageArn=version["ModelPackageArn"], ModelApprovalStatus="Approved",
                                ApprovalDescription=reason)
        package = sm.describe_model_package(ModelPackageName=version["ModelPackageArn"])
        platform.model_package_event(package)
        return package

    # The approval gate and the isolation, tried as the environment's execution role.
    exec_role = env["execution_role"]["arn"]
    sm = cloud.as_role("sagemaker", exec_role)
    approves_itself = refusal(lambda: sm.create_model_package(
        ModelPackageGroupName=model["group_arn"], ModelApprovalStatus="Approved",
        InferenceSpecification=v1["InferenceSpecification"], ModelPackageDescription="a version that approves itself"))
    approves = refusal(lambda: sm.update_model_package(ModelPackageArn=v1["ModelPackageArn"], ModelApprovalStatus="Approved"))
    other = [e for e in platform.envs.values() if e["kind"] == "workload" and e["name"] != env_name]
    target = (other[0]["name"] if other else "another-environment") + "/" + model["name"] + "/models/tampered.tar.gz"
    overwrites = refusal(lambda: cloud.as_role("s3", exec_role).put_object(
        Bucket=env["buckets"]["artifacts"], Key=target, Body=b"x",
        ServerSideEncryption="aws:kms", SSEKMSKeyId=registry["kms_key"]))
    # Its own artefacts, too, stay: nobody deletes from the registry bucket (versioned + deny).
    own = cloud.client("s3", registry["account_id"]).list_objects_v2(
        Bucket=env["buckets"]["artifacts"], Prefix=env_name + "/").get("Contents", [])
    own_key = own[0]["Key"] if own else env_name + "/" + model["name"] + "/missing"
    deletes = [(who, refusal(lambda c=client: c.delete_object(Bucket=env["buckets"]["artifacts"], Key=own_key)))
               for who, client in [("the execution role", cloud.as_role("s3", exec_role)),
                                   ("the registry account's administrator", cloud.client("s3", registry["account_id"]))]]
    story.arrow("the %s execution role cannot register an Approved version (the group policy's and its own explicit deny)" % env_name,
                "explicit deny" in (approves_itself or ""), (approves_itself or "it was allowed")[:220])
    story.arrow("the %s execution role cannot approve a version" % env_name,
                "AccessDenied" in (approves or ""), (approves or "it was allowed")[:220])
    story.arrow("the %s execution role cannot write under another environment's prefix of the registry bucket" % env_name,
                "AccessDenied" in (overwrites or ""), (overwrites or "it was allowed")[:220])
    story.arrow("nobody deletes a registry artefact: not the %s execution role (its own), not the registry's administrator" % env_name,
                bool(own) and all(m and ("AccessDenied" in m or "(403)" in m) for _, m in deletes),
                ("; ".join("%s: %s" % (who, (m or "it was allowed")[:100]) for who, m in deletes)
                 if own else "no artefact found")[:300])

    if env.get("role_boundary"):
        # The deploy role may rewrite the execution role's policy (within its boundary): even a
        # policy allowing all of SageMaker cannot approve, the boundary refuses it.
        iam = cloud.client("iam", env["account_id"])
        role_name = exec_role.split("/")[-1]
        iam.put_role_policy(RoleName=role_name, PolicyName="mlopsgen", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}]}))
        try:
            why = refusal(lambda: cloud.as_role("sagemaker", exec_role).update_model_package(
                ModelPackageArn=v1["ModelPackageArn"], ModelApprovalStatus="Approved")) or "it was allowed"
        finally:
            iam.put_role_policy(RoleName=role_name, PolicyName="mlopsgen",
                                PolicyDocument=json.dumps(env["execution_role"]["policy"]))
        story.arrow("a rewritten execution role policy (sagemaker:* on *) still cannot approve: the permissions boundary denies it",
                    "permissions boundary" in why and "explicit deny" in why, why[:220])

    approved = approve(v1, "%s and baseline reviewed (localrun story)" % display(gate_metric))
    mail = [m for e, t, m in platform.notifications if e == registry["name"]]
    story.arrow("approve v1 -> status Approved, approvers notified of the decision",
                approved["ModelApprovalStatus"] == "Approved" and any("version 1 is now Approved" in m for m in mail),
                (mail or ["no message"])[-1])

    # 3. The schedule starts inference on the normal batch.
    platform.queued.append((infer, {}, "schedule %s (%s %s)" % (model["schedule"]["name"], model["schedule"]["expression"],
                                                              model["schedule"]["timezone"])))
    # The first run started is the scheduled one (a drift on the normal batch would queue a retrain
    # after it: the arrow below fails, naming the step).
    ex = story.run_queued()[0]
    prefix = _predictions_prefix(ex)
    predictions = _predictions(s3, prefix)
    story.figures["drift, normal batch"] = ex.steps.get("CheckDrift", {}).get("summary", "")
    story.arrow("scheduled inference on the normal batch succeeds, predictions written",
                ex.status == "Succeeded" and len(predictions) == layout["batch_records"],
                "%d predictions in %s" % (len(predictions), prefix) if ex.status == "Succeeded" else
                "%s: %s" % (_failed_step(ex)[0], (_failed_step(ex)[1] or {}).get("failure", ex.failure or ""))[:300])
    manifest = _read_json(cloud, account, prefix + "manifest.json") if predictions else {}
    story.arrow("the batch was scored by version 1", manifest.get("model_package_version") == "1",
                "manifest: version %s" % manifest.get("model_package_version"))

    # 4. Ground truth arrives: the quality pipeline scores the predictions.
    if quality is not None:
        labels_uri = "%s%s/labels.csv" % (model["labels_prefix"], ex.id)
        with open(os.path.join(data_dir, layout["batch_labels"]), encoding="utf-8", newline="") as f:
            labels_text = f.read()
        bucket, key = s3util.split(labels_uri)
        s3util.put(s3, bucket, key, body=labels_text, kms_key=env["kms_key"])
        # S3 tells EventBridge; the labels rule invokes the generated Lambda, which starts the run.
        platform.object_created(account, bucket, key)
        started = story.run_queued()
        qx = started[0] if started else None
        story.arrow("ground truth under labels_prefix/<inference execution>/ starts the quality pipeline (rule -> Lambda)",
                    qx is not None and qx.pipeline.kind == "quality"
                    and qx.parameters.get("ScoredBatchUri", "").rstrip("/") == prefix.rstrip("/")
                    and qx.parameters.get("LabelsUri") == labels_uri.rsplit("/", 1)[0] + "/",
                    "started: %s" % (", ".join("%s %s" % (x.pipeline.name, x.parameters) for x in started) or "nothing"))
        if qx is None:
            qx = story.run(quality, {"ScoredBatchUri": prefix, "LabelsUri": labels_uri}, "labels arrived at %s" % labels_uri)
        report = _step_output(cloud, account, qx, "EvaluateQuality", "quality", "quality.json")
        quality_report = (report or {}).get("quality", {})
        metrics = quality_report.get("metrics", {})
        story.figures["quality, normal batch"] = quality_report.get("summary", "")
        expected = METRICS.get(problem_type, [])
        absent = [m for m in expected if metrics.get(m) is None]
        story.arrow(quality_text(problem_type),
                    qx.status == "Succeeded" and bool(expected) and not absent and quality_report.get("passed") == 1,
                    "%s (%s matched)%s" % (" ".join("%s %.3f" % (display(m), metrics.get(m) or 0) for m in DETAIL[problem_type]),
                                           quality_report.get("records_matched"),
                                           "; no %s in the report" % ", ".join(absent) if absent else ""))
        word, what = split.CORRUPTIONS[problem_type]
        wrong = split.corrupt_labels(labels_text, model["contract"], problem_type)
        wrong_uri = "%s%s-%s/labels.csv" % (model["labels_prefix"], word, ex.id)
        bucket, key = s3util.split(wrong_uri)
        s3util.put(s3, bucket, key, body=wrong, kms_key=env["kms_key"])
        before = len(platform.notifications)
        # Started by hand (the folder names no inference run): the pipeline's parameters as a person passes them.
        fx = story.run(quality, {"ScoredBatchUri": prefix, "LabelsUri": wrong_uri}, "manual, %s labels at %s" % (word, wrong_uri))
        step, record = _failed_step(fx)
        mail = [m for e, t, m in platform.notifications[before:] if e == env_name]
        story.arrow("%s -> the quality check fails (QualityBelowThreshold) and notifies" % what,
                    fx.status == "Failed" and step == "QualityBelowThreshold" and any("quality below threshold" in m.lower() for m in mail),
                    (record or {}).get("failure", "") if step else fx.failure or "")
        story.run_queued()

    # 5. A batch with a missing column: rejected, notified, no retraining.
    before, queued_before = len(platform.notifications), len(platform.queued)
    rx = story.run(infer, {"BatchInputUri": broken}, "manual, a batch without its last column")
    step, record = _failed_step(rx)
    mail = [m for e, t, m in platform.notifications[before:] if e == env_name]
    started = [q for q in platform.queued[queued_before:] if q[0].kind == "train"]
    story.arrow("a batch with a missing column fails at BatchRejected, notifies naming the problem, and does not retrain",
                rx.status == "Failed" and step == "BatchRejected" and any("Batch rejected" in m for m in mail) and not started,
                (record or {}).get("failure", "")[:200] if step else rx.failure or "")
    platform.queued = [q for q in platform.queued if q[0].kind != "inference"]

    # 6. The outlier batch: drift, notification, retraining on part 1 + part 2.
    upload(layout["train_part2"], train_prefix)
    before = len(platform.notifications)
    ox = story.run(infer, {"BatchInputUri": outliers}, "manual, the post's outlier batch" if post else "manual, the outlier batch")
    step, record = _failed_step(ox)
    drift = _step_output(cloud, registry["account_id"], ox, "CheckDrift", "drift", "drift.json") or {}
    story.figures["drift, outlier batch"] = drift.get("drift", {}).get("summary", "")
    story.arrow("inference on the outlier batch fails at the drift step (DriftDetected), the drifted features named",
                ox.status == "Failed" and step == "DriftDetected" and bool(drift.get("drift", {}).get("drifted_features")),
                (record or {}).get("failure", "")[:300] if step else ox.failure or "")
    mail = [m for e, t, m in platform.notifications[before:] if e == env_name]
    story.arrow("the drift is notified with the drifted features", any("Drift" in m and "features drifted" in m for m in mail),
                (mail or ["no message"])[0][:200])
    retrains = story.run_queued()
    rt = [r for r in retrains if r.pipeline.kind == "train"]
    records = rt[0].steps.get("PreprocessData", {}).get("summary", "") if rt else ""
    story.figures["train v2"] = records
    story.arrow("the retrain rule starts the train pipeline on part 1 + part 2",
                bool(rt) and rt[0].status == "Succeeded" and "from 2 file(s)" in records,
                records or "no train execution started")
    if rt:
        story.figures["%s v2" % display(gate_metric)] = _gate_figure(cloud, [account, registry["account_id"]], rt[0], gate_metric)
    versions = _versions(cloud, model["group_arn"])
    v2 = versions[1] if len(versions) > 1 else None
    ok, served = platform.function(env["lambda"]["arn"]).invoke({"model_package_group_arn": model["group_arn"],
                                                                  "allowed_environments": []})
    v1_exec = v1["CustomerMetadataProperties"]["mlopsgen:pipeline-execution-arn"].rsplit("/", 1)[-1]
    own = ok and served.get("ModelPackageVersion") == "1" and v1_exec in served.get("BaselineStatisticsUri", "")
    separate = v2 is not None and v2["ModelMetrics"] != v1["ModelMetrics"] and v2["DriftCheckBaselines"] != v1["DriftCheckBaselines"]
    story.arrow("v2 PendingManualApproval; v1 still served, with v1's own baseline and metrics",
                v2 is not None and v2["ModelApprovalStatus"] == "PendingManualApproval" and own and separate,
                "served version %s, baseline %s" % (served.get("ModelPackageVersion") if ok else "?", served.get("BaselineStatisticsUri") if ok else served))

    # 7. Approve v2: the next inference uses it.
    if v2 is not None:
        approve(v2, "retrained on part 1 + part 2 (localrun story)")
        platform.queued.append((infer, {}, "schedule %s" % model["schedule"]["name"]))
        nx = story.run_queued()[0]
        prefix = _predictions_prefix(nx)
        manifest = _read_json(cloud, account, prefix + "manifest.json") if nx.status == "Succeeded" else {}
        drift2 = _step_output(cloud, registry["account_id"], nx, "CheckDrift", "drift", "drift.json") or {}
        story.arrow("approve v2 -> the next inference uses v2 and v2's baseline",
                    nx.status == "Succeeded" and manifest.get("model_package_version") == "2"
                    and drift2.get("model_package_arn") == v2["ModelPackageArn"],
                    "manifest: version %s; drift checked against %s" % (manifest.get("model_package_version"), drift2.get("model_package_arn")))
    return story


def _gate_figure(cloud, accounts, ex, metric):
    """The gate metric of a train run: the training job's final validation metric when it is the
    gate's (the post's AUC), else the test split's value the gate compared."""
    train = ex.steps.get("TrainModel", {})
    if any(m.get("MetricName") == "validation:" + metric for m in train.get("properties", {}).get("FinalMetricDataList", [])):
        return train.get("summary", "")
    for account in accounts:
        report = _step_output(cloud, account, ex, "EvaluateModel", "evaluation", "evaluation.json")
        for section in (report or {}).values():
            if isinstance(section, dict) and isinstance(section.get(metric), dict):
                return "test %s %.4f" % (display(metric), section[metric].get("value"))
    return train.get("summary", "")


def _predictions_prefix(ex):
    step = ex.steps.get("BatchTransform") or {}
    uri = step.get("properties", {}).get("TransformOutput", {}).get("S3OutputPath")
    if uri is None:
        base = ex.parameters.get("BatchOutputUri", "")
        uri = "%s/%s" % (base, ex.id)
    return uri.rstrip("/") + "/"


def _predictions(s3, prefix):
    bucket, keys_prefix, keys = s3util.list_keys(s3, prefix)
    out = []
    for k in keys:
        if k.endswith(".out"):
            out.extend(l for l in s3.get_object(Bucket=bucket, Key=k)["Body"].read().decode().split("\n") if l)
    return out


def _step_output(cloud, account, ex, step, output, name):
    record = ex.steps.get(step)
    if not record or record["status"] != "Succeeded":
        return None
    for o in record["properties"].get("ProcessingOutputConfig", {}).get("Outputs", []):
        if o["OutputName"] == output:
            try:
                return _read_json(cloud, account, o["S3Output"]["S3Uri"].rstrip("/") + "/" + name)
            except Exception:
                return None
    return None


def summary_table(story):
    lines = ["", "%-34s %-14s %-10s %8s  %s" % ("pipeline / step", "type", "status", "seconds", "key output")]
    for ex in story.executions:
        lines.append("%-34s %-14s %-10s %8.1f  %s" % (ex.pipeline.name[:34], "(%s)" % ex.pipeline.kind, ex.status,
                                                      ex.duration(), ex.trigger[:60]))
        for name, s in ex.steps.items():
            out = s["failure"] if s["status"] == "Failed" else s["summary"]
            lines.append("  %-32s %-14s %-10s %8.1f  %s" % (name[:32], s["type"], s["status"], (s["end"] or s["start"]) - s["start"],
                                                         (out or "")[:110]))
    return "\n".join(lines)


def cannot_run_image(repo, env, model):
    """A custom image cannot run here (no container engine, and it is not ours to emulate): say
    so, say what was checked instead, and exit 3 (never a pass)."""
    from . import definition
    uri = model["training"]["image_uri"]
    checked = []
    for kind, p in sorted(model["pipelines"].items()):
        path = os.path.join(repo, env["directory"], p["definition"])
        with open(path, encoding="utf-8") as f:
            d = definition.load(f.read(), path)
        checked.append("%s pipeline: %d steps parse, every reference resolves" % (kind, len(d.steps)))
    with open(os.path.join(repo, env["directory"], model["pipelines"]["train"]["definition"]), encoding="utf-8") as f:
        names_image = uri in f.read()
    print("run-local: model %s trains and serves with the custom image %s, which cannot run offline: there is no "
          "container engine here, and the offline run emulates only the SageMaker images it knows (%s). Nothing "
          "was trained or scored; no arrow is claimed." % (model["name"], uri, ", ".join(sorted(runtimes.IMAGES))),
          file=sys.stderr)
    print("checked instead:", file=sys.stderr)
    for c in checked + ["the train pipeline names the image for training, the test split's batch transform and the "
                        "registered container (%s)" % ("yes" if names_image else "NO")]:
        print("  - " + c, file=sys.stderr)
    return 3


def main(argv=None):
    parser = argparse.ArgumentParser(prog="run-local")
    parser.add_argument("--repo", required=True)
    parser.add_argument("--describe", required=True)
    parser.add_argument("--env", required=True)
    parser.add_argument("--data")
    parser.add_argument("--work")
    args = parser.parse_args(argv)
    started = time.time()
    work = args.work or tempfile.mkdtemp(prefix="mlopsgen-localrun.")
    os.makedirs(work, exist_ok=True)
    with open(args.describe, encoding="utf-8") as f:
        description = json.load(f)
    envs = {e["name"]: e for e in description["environments"]}
    if args.env not in envs or envs[args.env]["kind"] != "workload":
        print("run-local: %s is not a workload environment (workloads: %s)" % (
            args.env, ", ".join(n for n, e in envs.items() if e["kind"] == "workload")), file=sys.stderr)
        return 2
    print("== runtimes (the images' library versions)")
    for name in sorted(set(runtimes.IMAGES.values())):
        print("  %s: %s" % (name, runtimes.ensure(name)))
    model = envs[args.env]["models"][0]
    if model.get("training", {}).get("algorithm") == "image":
        return cannot_run_image(args.repo, envs[args.env], model)
    columns = [c["name"].casefold() for c in model.get("contract", {}).get("columns", [])]
    if not args.data and columns and columns != POST_COLUMNS:
        print("run-local: model %s's data contract is not the post's mammography columns, so the seeded stand-in "
              "does not fit it: give its data with --data FILE.csv" % model["name"], file=sys.stderr)
        return 2
    print("== data")
    data_dir = os.path.join(work, "data")
    os.makedirs(data_dir, exist_ok=True)
    gen = [runtimes.ensure("sklearn-1.2-1"), "-m", "localrun.data", data_dir]
    if args.data:
        model_file = os.path.join(work, "model.json")
        with open(model_file, "w", encoding="utf-8") as f:
            json.dump({k: model.get(k) for k in ("name", "problem_type", "contract")}, f, indent=2)
        gen += ["--from", os.path.abspath(args.data), "--model", model_file]
    proc = subprocess.run(gen, cwd=os.path.dirname(HERE), capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stderr.strip(), file=sys.stderr)
        return 2
    print(proc.stdout.rstrip())
    print("== emulator")
    os.makedirs(os.path.join(work, "emulator"), exist_ok=True)
    emu = emulator.start(os.path.join(work, "emulator", "emulator.pid"), iam=True)
    print("  %s" % emu.endpoint)
    try:
        cloud = Cloud(emu.endpoint, envs[args.env]["region"])
        platform = Platform(args.repo, description, cloud)
        platform.create()
        executor = Executor(platform, cloud, work, on_event=platform.on_event)
        print("== the story (%s)" % args.env)
        story = tell(platform, executor, args.env, data_dir, print)
    finally:
        emu.stop()
    print(summary_table(story))
    print("")
    print("figures:")
    for k, v in story.figures.items():
        print("  %s: %s" % (k, v))
    print("notifications:")
    for env, topic, message in platform.notifications:
        print("  [%s %s] %s" % (env, topic, message[:240]))
    held = sum(1 for _, ok, _ in story.arrows if ok)
    print("")
    print("%d of %d arrows hold; %.0f s (work directory %s)" % (held, len(story.arrows), time.time() - started, work))
    return 0 if held == len(story.arrows) and story.arrows else 1


if __name__ == "__main__":
    sys.exit(main())
