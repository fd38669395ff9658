"""Runs a generated SageMaker pipeline definition step by step, as the service would, against the
local AWS emulator and with the libraries of the images the steps name:

- Processing: each ProcessingInput staged at its LocalPath (which must begin with
  /opt/ml/processing/), the AppSpecification's entrypoint and arguments run in the image's
  runtime inside a job sandbox (sandbox.py: /opt/ml as the container sees it, no network),
  Environment set, outputs uploaded from their LocalPath to their S3Uri with the job's KmsKeyId
  (EndOfJob outputs only when the job succeeds), /opt/ml/output/message as the exit message.
- Training: the built-in XGBoost algorithm contract (algorithms/xgboost_train.py): channels under
  /opt/ml/input/data/<name>, hyperparameters.json, model.tar.gz to
  <S3OutputPath>/<job>/output/model.tar.gz, FinalMetricDataList.
- Model: CreateModel from a (cross-account) model package: the package must exist and be Approved.
- Transform: the XGBoost serving contract for text/csv (algorithms/xgboost_serve.py), SplitType
  Line, BatchStrategy MultiRecord, DataProcessing (InputFilter, JoinSource, OutputFilter) and
  AssembleWith Line; output `<S3OutputPath>/<input key>.out`. As SageMaker documents for CSV, each
  record is a JSON array of its fields, a joined record is the input's fields followed by the
  answer's (all of them: every class's probability of a multiclass model), and a filter selects
  indexes and slices (`$[0,5:]`).
- RegisterModel: CreateModelPackage in the registry's account, addressed by the group's ARN from
  the workload account.
- Lambda: the generated handler, invoked with the step's Arguments and the function's account.
- Condition, Fail, PropertyFiles with Std:JsonGet, Std:Join, Get of parameters, step properties
  and execution variables, DependsOn, parameters overridable per run.
- Any other step type (QualityCheck, ClarifyCheck, ...) fails the run loudly: it is never skipped.

Steps whose dependencies are met run one at a time, the last-declared first, so a step that
needs another's output without saying so (Get or DependsOn) runs too early and fails here as it
may on the service. Every step and execution status change becomes an EventBridge event, in the
shape SageMaker documents, handed to `on_event`.
"""

import copy
import csv
import datetime
import hashlib
import io
import json
import os
import shutil
import tarfile
import time

from . import cloud as s3util
from . import definition as defs
from . import runtimes, sandbox

HERE = os.path.dirname(os.path.abspath(__file__))
ALGORITHMS = os.path.join(HERE, "algorithms")
PIPELINE_STATUS = "SageMaker Model Building Pipeline Execution Status Change"
STEP_STATUS = "SageMaker Model Building Pipeline Execution Step Status Change"


class StepFailed(Exception):
    def __init__(self, step, field, reason):
        self.step, self.field = step, field
        super().__init__(reason)


class Pipeline:
    """A pipeline as deployed: its name, ARN, account, the definition file, its role."""

    def __init__(self, env, kind, name, arn, account, region, definition_path, model, role_arn):
        self.env, self.kind, self.name, self.arn = env, kind, name, arn
        self.account, self.region = account, region
        self.definition_path = definition_path
        self.model = model
        # The pipeline's role: its jobs read and write S3 and call the registry as this role.
        self.role_arn = role_arn

    def definition(self):
        with open(self.definition_path, encoding="utf-8") as f:
            return defs.load(f.read(), self.definition_path)


class Execution:
    def __init__(self, pipeline, execution_id, parameters, trigger):
        self.pipeline = pipeline
        self.id = execution_id
        self.arn = "%s/execution/%s" % (pipeline.arn, execution_id)
        self.parameters = parameters
        self.trigger = trigger
        self.status = "Executing"
        self.failure = None
        self.steps = {}        # name -> {"status", "start", "end", "failure", "properties", "outcome", "summary"}
        self.start = time.time()
        self.end = None
        self.started_at = datetime.datetime.utcnow().replace(microsecond=0)

    def duration(self):
        return (self.end or time.time()) - self.start


class Executor:
    """Runs pipelines of a platform (see story.Platform) on the emulator."""

    def __init__(self, platform, cloud, work_dir, log=print, on_event=None):
        self.platform = platform
        self.cloud = cloud
        self.work_dir = work_dir
        self.log = log
        self.on_event = on_event or (lambda account, event: None)
        self.models = {}            # model name -> container spec (CreateModel)
        self.counter = 0

    # ---- events ----------------------------------------------------------------------------

    def _event(self, account, region, detail_type, detail, resources):
        self.counter += 1
        event = {
            "version": "0", "id": hashlib.sha1(("%d%s" % (self.counter, detail_type)).encode()).hexdigest()[:32],
            "detail-type": detail_type, "source": "aws.sagemaker", "account": account,
            "time": datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"), "region": region,
            "resources": resources, "detail": detail,
        }
        self.on_event(account, event)

    def _pipeline_event(self, ex, previous):
        p = ex.pipeline
        detail = {"pipelineArn": p.arn, "pipelineExecutionArn": ex.arn,
                  "pipelineExecutionDisplayName": "execution-%s" % ex.id,
                  "currentPipelineExecutionStatus": ex.status, "previousPipelineExecutionStatus": previous,
                  "executionStartTime": ex.started_at.strftime("%Y-%m-%dT%H:%M:%SZ")}
        if ex.status in ("Succeeded", "Failed", "Stopped"):
            detail["executionEndTime"] = datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
        self._event(p.account, p.region, PIPELINE_STATUS, detail, [p.arn, ex.arn])

    def _step_event(self, ex, step, status, previous, failure=None):
        p = ex.pipeline
        detail = {"stepName": step.name, "stepType": step.type, "currentStepStatus": status,
                  "previousStepStatus": previous, "pipelineArn": p.arn, "pipelineExecutionArn": ex.arn,
                  "stepStartTime": datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")}
        if failure:
            detail["failureReason"] = failure[:1024]
        self._event(p.account, p.region, STEP_STATUS, detail, [p.arn, ex.arn])

    # ---- running ---------------------------------------------------------------------------

    def start(self, pipeline, parameters=None, trigger="manual"):
        """Runs one execution to its end and returns it."""
        self.counter += 1
        eid = hashlib.sha1(("%s/%d" % (pipeline.arn, self.counter)).encode()).hexdigest()[:12]
        ex = Execution(pipeline, eid, {}, trigger)
        try:
            d = pipeline.definition()
            ex.parameters = self._parameters(d, parameters or {})
        except (defs.DefinitionError, ValueError) as e:
            ex.status, ex.failure, ex.end = "Failed", "ValidationException: %s" % e, time.time()
            self.log("  %s: %s" % (pipeline.name, ex.failure))
            return ex
        self._pipeline_event(ex, "")
        done = set()          # steps that finished (succeeded or failed)
        skipped = set()       # steps of a branch not taken
        while True:
            ready = []
            for step in d.steps:
                if step.name in done or step.name in skipped:
                    continue
                deps = defs.dependencies(d, step)
                if any(dep in skipped for dep in deps) or self._branch_not_taken(ex, step):
                    skipped.add(step.name)
                    continue
                if all(dep in done and ex.steps[dep]["status"] == "Succeeded" for dep in deps):
                    ready.append(step)
            if not ready or ex.status == "Failed":
                break
            step = ready[-1]
            self._run_step(ex, d, step)
            done.add(step.name)
            if ex.steps[step.name]["status"] == "Failed":
                ex.status = "Failed"
                ex.failure = "Step failure: One or multiple steps failed."
        if ex.status != "Failed":
            ex.status = "Succeeded"
        ex.end = time.time()
        self._pipeline_event(ex, "Executing")
        return ex

    def _branch_not_taken(self, ex, step):
        parent = step.parent
        if parent is None or parent.name not in ex.steps or ex.steps[parent.name]["status"] != "Succeeded":
            return False
        outcome = ex.steps[parent.name]["outcome"]
        return (step.branch == "IfSteps") != outcome

    def _parameters(self, d, given):
        values = {}
        for name, p in d.parameters.items():
            kind = p.get("Type", "String")
            value = given.get(name, p.get("DefaultValue"))
            if value is None:
                raise ValueError("parameter %s has no value and no default" % name)
            if name in given:
                try:
                    value = {"Integer": int, "Float": float, "Boolean": lambda v: str(v).lower() == "true",
                             "String": str}[kind](value)
                except ValueError:
                    raise ValueError("parameter %s: %r is not a valid %s" % (name, value, kind))
            values[name] = value
        unknown = sorted(set(given) - set(d.parameters))
        if unknown:
            raise ValueError("unknown parameter(s) %s (declared: %s)" % (", ".join(unknown), ", ".join(d.parameters)))
        return values

    def _run_step(self, ex, d, step):
        record = {"status": "Executing", "start": time.time(), "end": None, "failure": None, "properties": {},
                  "outcome": None, "summary": "", "type": step.type}
        ex.steps[step.name] = record
        self._step_event(ex, step, "Starting", "")
        self._step_event(ex, step, "Executing", "Starting")
        self.log("  step %-24s %s" % (step.name, step.type))
        handler = getattr(self, "_step_" + step.type.lower(), None)
        try:
            if handler is None:
                raise StepFailed(step.name, "Type", "the executor cannot run %s steps: %s" % (step.type, UNSUPPORTED.get(
                    step.type, "no local implementation")))
            handler(ex, d, step, record)
            record["status"] = "Succeeded"
        except StepFailed as e:
            record["status"], record["failure"] = "Failed", str(e)
            record["field"] = e.field
        except defs.DefinitionError as e:
            record["status"], record["failure"], record["field"] = "Failed", str(e), e.field
        record["end"] = time.time()
        self._step_event(ex, step, record["status"], "Executing", record["failure"])
        if record["failure"]:
            self.log("    failed: %s" % record["failure"])
        elif record["summary"]:
            self.log("    %s" % record["summary"])

    # ---- expressions -----------------------------------------------------------------------

    def evaluate(self, ex, d, step, value, field):
        if isinstance(value, dict):
            if set(value) == {"Get"}:
                return self._get(ex, d, step, value["Get"], field)
            if "Std:Join" in value:
                j = value["Std:Join"]
                parts = [self.evaluate(ex, d, step, v, "%s.Std:Join.Values[%d]" % (field, i))
                         for i, v in enumerate(j.get("Values", []))]
                return j.get("On", "").join(_text(p) for p in parts)
            if "Std:JsonGet" in value:
                return self._json_get(ex, d, step, value["Std:JsonGet"], field + ".Std:JsonGet")
            return {k: self.evaluate(ex, d, step, v, "%s.%s" % (field, k) if field else k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.evaluate(ex, d, step, v, "%s[%d]" % (field, i)) for i, v in enumerate(value)]
        return value

    def _get(self, ex, d, step, expr, field):
        root, _, rest = expr.partition(".")
        if root == "Parameters":
            return ex.parameters[rest]
        if root == "Execution":
            p = ex.pipeline
            return {"PipelineExecutionId": ex.id, "PipelineExecutionArn": ex.arn, "PipelineName": p.name,
                    "PipelineArn": p.arn, "StartDateTime": ex.started_at.isoformat() + "Z",
                    "CurrentDateTime": datetime.datetime.utcnow().replace(microsecond=0).isoformat() + "Z"}[rest]
        target, _, path = rest.partition(".")
        if target not in ex.steps or ex.steps[target]["status"] != "Succeeded":
            raise StepFailed(step.name, field, "Get %r: step %s has not succeeded" % (expr, target))
        try:
            return defs.lookup(ex.steps[target]["properties"], defs.property_path(path), "Get %r" % expr)
        except (KeyError, ValueError) as e:
            raise StepFailed(step.name, field, str(e))

    def _json_get(self, ex, d, step, jg, field):
        ref = jg.get("PropertyFile", {}).get("Get", "")
        _, target, _, name = ref.split(".", 3)
        source = d.step(target)
        pf = [f for f in source.raw.get("PropertyFiles", []) if f.get("PropertyFileName") == name][0]
        record = ex.steps.get(target)
        if record is None or record["status"] != "Succeeded":
            raise StepFailed(step.name, field, "property file %s: step %s has not succeeded" % (name, target))
        outputs = record["properties"]["ProcessingOutputConfig"]["Outputs"]
        output = [o for o in outputs if o["OutputName"] == pf["OutputName"]]
        if not output:
            raise StepFailed(step.name, field, "property file %s: step %s has no output %r" % (name, target, pf["OutputName"]))
        uri = output[0]["S3Output"]["S3Uri"].rstrip("/") + "/" + pf["FilePath"]
        try:
            document = json.loads(s3util.read(self.cloud.as_role("s3", ex.pipeline.role_arn), uri))
        except Exception as e:
            raise StepFailed(step.name, field, "property file %s (%s) of step %s cannot be read: %s" % (name, uri, target, e))
        try:
            return defs.json_path(document, jg.get("Path", ""), "Std:JsonGet of %s (%s of step %s)" % (name, pf["FilePath"], target))
        except (KeyError, ValueError) as e:
            raise StepFailed(step.name, field + ".Path", str(e))

    # ---- step types ------------------------------------------------------------------------

    def _job_root(self, ex, step):
        root = os.path.join(self.work_dir, "jobs", "%s-%s-%s" % (ex.pipeline.env, ex.id, step.name))
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(os.path.join(root, "ml", "output"))
        return root

    def _runtime(self, step, field, image):
        name = runtimes.image_runtime(image or "")
        if name is None:
            raise StepFailed(step.name, field, "no local runtime for image %r (known: %s)" % (image, ", ".join(runtimes.IMAGES)))
        return runtimes.ensure(name, say=self.log)

    def _missing_input(self, ex, d, step, field, uri):
        writers = []
        for other in d.steps:
            if other.name == step.name or other.type != "Processing":
                continue
            for o in other.raw.get("Arguments", {}).get("ProcessingOutputConfig", {}).get("Outputs", []):
                try:
                    target = self.evaluate(ex, d, other, o["S3Output"]["S3Uri"], "")
                except StepFailed:
                    continue
                if isinstance(target, str) and (uri.startswith(target.rstrip("/")) or target.startswith(uri.rstrip("/"))):
                    writers.append("%s (output %s)" % (other.name, o["OutputName"]))
        hint = ""
        if writers:
            pending = [w for w in writers if ex.steps.get(w.split(" ")[0], {}).get("status") != "Succeeded"]
            hint = "; it is written by step %s%s" % (", ".join(writers),
                                                     ", which had not run: read that output with Get, or list the step in DependsOn" if pending else "")
        return StepFailed(step.name, field, "ClientError: no S3 objects found under %s%s" % (uri, hint))

    def _step_processing(self, ex, d, step, record):
        args = self.evaluate(ex, d, step, step.raw.get("Arguments", {}), "Arguments")
        account = ex.pipeline.account
        s3 = self.cloud.as_role("s3", ex.pipeline.role_arn)
        app = args.get("AppSpecification", {})
        python = self._runtime(step, "Arguments.AppSpecification.ImageUri", app.get("ImageUri"))
        root = self._job_root(ex, step)
        staged = []
        for i, inp in enumerate(args.get("ProcessingInputs", [])):
            s3in = inp.get("S3Input", {})
            field = "Arguments.ProcessingInputs[%s].S3Input.LocalPath" % inp.get("InputName", i)
            local = s3in.get("LocalPath", "")
            if not local.startswith("/opt/ml/processing/"):
                raise StepFailed(step.name, field, "LocalPath %r must begin with /opt/ml/processing/" % local)
            uri = s3in.get("S3Uri")
            count = s3util.stage(s3, uri, os.path.join(root, local[len("/opt/"):]))
            if count == 0:
                raise self._missing_input(ex, d, step, field.replace("LocalPath", "S3Uri"), uri)
            staged.append("%s: %s -> %s (%d file(s))" % (inp.get("InputName"), uri, local, count))
        outputs = args.get("ProcessingOutputConfig", {}).get("Outputs", [])
        for o in outputs:
            local = o["S3Output"]["LocalPath"]
            if not local.startswith("/opt/ml/processing/"):
                raise StepFailed(step.name, "Arguments.ProcessingOutputConfig.Outputs[%s].S3Output.LocalPath" % o["OutputName"],
                                 "LocalPath %r must begin with /opt/ml/processing/" % local)
            os.makedirs(os.path.join(root, local[len("/opt/"):]), exist_ok=True)
        entry = list(app.get("ContainerEntrypoint", []))
        if not entry:
            raise StepFailed(step.name, "Arguments.AppSpecification.ContainerEntrypoint", "the image has no default entrypoint here; set ContainerEntrypoint")
        if entry[0] in ("python3", "python"):
            entry[0] = python
        argv = entry + [_text(a) for a in app.get("ContainerArguments", [])]
        env = {k: _text(v) for k, v in (args.get("Environment") or {}).items()}
        code, output = sandbox.run(root, argv, env, log=os.path.join(self.work_dir, "jobs.log"))
        message = _read(os.path.join(root, "ml", "output", "message"))
        if code != 0:
            tail = message or "\n".join(output.strip().splitlines()[-6:])
            raise StepFailed(step.name, "Arguments.AppSpecification", "AlgorithmError: %s, exit code: %d (inputs staged: %s)"
                             % (tail.strip(), code, "; ".join(staged) or "none"))
        key = args.get("ProcessingOutputConfig", {}).get("KmsKeyId")
        produced = []
        for o in outputs:
            local = os.path.join(root, o["S3Output"]["LocalPath"][len("/opt/"):])
            written = s3util.upload_dir(s3, local, o["S3Output"]["S3Uri"], key)
            produced.append("%s %d file(s)" % (o["OutputName"], len(written)))
        record["properties"] = {"ProcessingJobName": "pipelines-%s-%s" % (ex.id, step.name),
                                "ProcessingJobStatus": "Completed", "ExitMessage": message,
                                "ProcessingOutputConfig": args.get("ProcessingOutputConfig", {}),
                                "ProcessingInputs": args.get("ProcessingInputs", []),
                                "AppSpecification": app, "ProcessingResources": args.get("ProcessingResources", {})}
        record["summary"] = (output.strip().splitlines() or [""])[-1]
        record["outputs"] = produced

    def _step_training(self, ex, d, step, record):
        args = self.evaluate(ex, d, step, step.raw.get("Arguments", {}), "Arguments")
        account = ex.pipeline.account
        s3 = self.cloud.as_role("s3", ex.pipeline.role_arn)
        algo = args.get("AlgorithmSpecification", {})
        image = algo.get("TrainingImage", "")
        runtime = runtimes.image_runtime(image) or ""
        hyper = args.get("HyperParameters", {})
        if runtime.startswith("xgboost-"):
            program = "xgboost_train.py"
        elif runtime.startswith("sklearn-") and "sagemaker_program" in hyper:
            program = "sklearn_train.py"
        else:
            raise StepFailed(step.name, "Arguments.AlgorithmSpecification.TrainingImage",
                             "cannot run %r here: the offline run has the built-in XGBoost (%s) and the scikit-learn "
                             "framework in script mode (sagemaker_program), not other images"
                             % (image, ", ".join(k for k, v in runtimes.IMAGES.items() if v.startswith("xgboost-"))))
        python = self._runtime(step, "Arguments.AlgorithmSpecification.TrainingImage", image)
        root = self._job_root(ex, step)
        config = os.path.join(root, "ml", "input", "config")
        os.makedirs(config)
        channels = {}
        for i, ch in enumerate(args.get("InputDataConfig", [])):
            name = ch.get("ChannelName")
            uri = ch.get("DataSource", {}).get("S3DataSource", {}).get("S3Uri")
            count = s3util.stage(s3, uri, os.path.join(root, "ml", "input", "data", name))
            if count == 0:
                raise self._missing_input(ex, d, step, "Arguments.InputDataConfig[%s].DataSource.S3DataSource.S3Uri" % name, uri)
            channels[name] = {"ContentType": ch["ContentType"]} if ch.get("ContentType") else {}
        with open(os.path.join(config, "inputdataconfig.json"), "w") as f:
            json.dump(channels, f)
        with open(os.path.join(config, "hyperparameters.json"), "w") as f:
            json.dump(hyper, f)
        if program == "sklearn_train.py":
            self._stage_source(step, s3, hyper, os.path.join(root, "ml", "code"))
        code, output = sandbox.run(root, [python, os.path.join(ALGORITHMS, program)], {},
                                   log=os.path.join(self.work_dir, "jobs.log"))
        if code != 0:
            failure = _read(os.path.join(root, "ml", "output", "failure")) or output.strip().splitlines()[-1:]
            raise StepFailed(step.name, "Arguments", "AlgorithmError: %s" % (failure if isinstance(failure, str) else " ".join(failure)))
        job = "pipelines-%s-%s" % (ex.id, step.name)
        archive = os.path.join(root, "model.tar.gz")
        with tarfile.open(archive, "w:gz") as tar:
            for name in sorted(os.listdir(os.path.join(root, "ml", "model"))):
                tar.add(os.path.join(root, "ml", "model", name), arcname=name)
        out = args.get("OutputDataConfig", {})
        bucket, prefix = s3util.split(out.get("S3OutputPath", ""))
        key = "%s/%s/output/model.tar.gz" % (prefix.rstrip("/"), job)
        s3util.put(s3, bucket, key, path=archive, kms_key=out.get("KmsKeyId"))
        with open(os.path.join(root, "ml", "output", "metrics.json")) as f:
            metrics = json.load(f)
        record["properties"] = {"TrainingJobName": job, "TrainingJobStatus": "Completed",
                                "ModelArtifacts": {"S3ModelArtifacts": "s3://%s/%s" % (bucket, key)},
                                "FinalMetricDataList": metrics, "HyperParameters": hyper}
        record["summary"] = ", ".join("%s %.4f" % (m["MetricName"], m["Value"]) for m in metrics)

    def _stage_source(self, step, s3, hyper, code_dir):
        """Script mode: the source archive `sagemaker_submit_directory` names, extracted to
        /opt/ml/code as the training toolkit does (read as the job's role)."""
        try:
            uri = json.loads(hyper.get("sagemaker_submit_directory", '""'))
        except ValueError:
            uri = hyper.get("sagemaker_submit_directory", "")
        if not isinstance(uri, str) or not uri.startswith("s3://"):
            raise StepFailed(step.name, "Arguments.HyperParameters.sagemaker_submit_directory",
                             "ClientError: %r is not a JSON-encoded s3:// URI" % uri)
        bucket, key = s3util.split(uri)
        os.makedirs(code_dir)
        archive = code_dir + ".tar.gz"
        try:
            s3.download_file(bucket, key, archive)
        except Exception as e:
            raise StepFailed(step.name, "Arguments.HyperParameters.sagemaker_submit_directory",
                             "ClientError: cannot read the source archive %s: %s" % (uri, e))
        _extract(archive, code_dir, step.name, "Arguments.HyperParameters.sagemaker_submit_directory")

    def _step_model(self, ex, d, step, record):
        args = self.evaluate(ex, d, step, step.raw.get("Arguments", {}), "Arguments")
        container = args.get("PrimaryContainer") or (args.get("Containers") or [{}])[0]
        package_arn = container.get("ModelPackageName")
        if package_arn:
            sm = self.cloud.as_role("sagemaker", ex.pipeline.role_arn)
            try:
                package = sm.describe_model_package(ModelPackageName=package_arn)
            except Exception as e:
                raise StepFailed(step.name, "Arguments.PrimaryContainer.ModelPackageName", "ValidationException: %s" % e)
            if package.get("ModelApprovalStatus") != "Approved":
                raise StepFailed(step.name, "Arguments.PrimaryContainer.ModelPackageName",
                                 "ValidationException: model package %s is %s, not Approved" % (package_arn, package.get("ModelApprovalStatus")))
            spec = package["InferenceSpecification"]["Containers"][0]
            container = {"Image": spec["Image"], "ModelDataUrl": spec["ModelDataUrl"], "ModelPackageName": package_arn}
            if spec.get("Environment"):
                container["Environment"] = spec["Environment"]
        if not container.get("Image"):
            raise StepFailed(step.name, "Arguments.PrimaryContainer", "no Image or ModelPackageName")
        name = "pipelines-%s-%s" % (ex.id, step.name)
        self.models[name] = {"container": container, "account": ex.pipeline.account}
        record["properties"] = {"ModelName": name, "PrimaryContainer": container,
                                "ExecutionRoleArn": args.get("ExecutionRoleArn")}
        record["summary"] = "model %s from %s" % (name, package_arn or container.get("ModelDataUrl"))

    def _step_transform(self, ex, d, step, record):
        args = self.evaluate(ex, d, step, step.raw.get("Arguments", {}), "Arguments")
        account = ex.pipeline.account
        s3 = self.cloud.as_role("s3", ex.pipeline.role_arn)
        model = self.models.get(args.get("ModelName"))
        if model is None:
            raise StepFailed(step.name, "Arguments.ModelName", "ValidationException: no model %r" % args.get("ModelName"))
        container = model["container"]
        python = self._runtime(step, "Arguments.ModelName", container["Image"])
        tin = args.get("TransformInput", {})
        content_type = tin.get("ContentType", "")
        if tin.get("SplitType", "None") != "Line":
            raise StepFailed(step.name, "Arguments.TransformInput.SplitType", "only SplitType Line is implemented here")
        root = self._job_root(ex, step)
        model_dir = os.path.join(root, "ml", "model")
        os.makedirs(model_dir)
        archive = os.path.join(root, "model.tar.gz")
        bucket, key = s3util.split(container["ModelDataUrl"])
        s3.download_file(bucket, key, archive)
        _extract(archive, model_dir, step.name, "Arguments.ModelName")
        runtime = runtimes.image_runtime(container["Image"]) or ""
        environment = {k: _text(v) for k, v in (container.get("Environment") or {}).items()}
        serve = "sklearn_serve.py" if runtime.startswith("sklearn-") else "xgboost_serve.py"
        uri = tin.get("DataSource", {}).get("S3DataSource", {}).get("S3Uri")
        in_bucket, prefix, keys = s3util.list_keys(s3, uri)
        keys = [k for k in keys if not k.endswith("/")]
        if not keys:
            raise self._missing_input(ex, d, step, "Arguments.TransformInput.DataSource.S3DataSource.S3Uri", uri)
        dp = args.get("DataProcessing", {})
        in_filter = dp.get("InputFilter", "$")
        out_filter = dp.get("OutputFilter", "$")
        join = dp.get("JoinSource", "None")
        requests_dir = os.path.join(root, "requests")
        os.makedirs(requests_dir)
        plans = []
        for n, k in enumerate(keys):
            body = s3.get_object(Bucket=in_bucket, Key=k)["Body"].read().decode("utf-8")
            records = [line for line in body.split("\n") if line.strip()]
            try:
                filtered = [csv_line(csv_filter(csv_fields(r), in_filter)) for r in records]
            except ValueError as e:
                raise StepFailed(step.name, "Arguments.DataProcessing.InputFilter", str(e))
            path = os.path.join(requests_dir, "%04d" % n)
            with open(path, "w") as f:
                f.write("\n".join(filtered) + "\n")
            plans.append((k, records, path))
        code, output = sandbox.run(root, [python, os.path.join(ALGORITHMS, serve), content_type]
                                   + ["/opt" + p[len(root):] for _, _, p in plans], environment,
                                   log=os.path.join(self.work_dir, "jobs.log"))
        if code != 0:
            raise StepFailed(step.name, "Arguments.TransformInput", "ClientError: %s" % output.strip().splitlines()[-1:])
        tout = args.get("TransformOutput", {})
        out_bucket, out_prefix = s3util.split(tout.get("S3OutputPath", ""))
        total = 0
        for k, records, path in plans:
            with open(path + ".out") as f:
                predictions = [line for line in f.read().split("\n") if line != ""]
            if len(predictions) != len(records):
                raise StepFailed(step.name, "Arguments", "the container answered %d predictions for %d records" % (len(predictions), len(records)))
            lines = []
            for r, p in zip(records, predictions):
                joined = csv_fields(r) + csv_fields(p) if join == "Input" else csv_fields(p)
                try:
                    lines.append(csv_line(csv_filter(joined, out_filter)))
                except ValueError as e:
                    raise StepFailed(step.name, "Arguments.DataProcessing.OutputFilter", str(e))
            rel = s3util.relative(k, prefix)
            out_key = "%s/%s.out" % (out_prefix.rstrip("/"), rel)
            s3util.put(s3, out_bucket, out_key, body="\n".join(lines) + "\n", kms_key=tout.get("KmsKeyId"))
            total += len(lines)
        record["properties"] = {"TransformJobName": "pipelines-%s-%s" % (ex.id, step.name), "TransformJobStatus": "Completed",
                                "TransformOutput": tout, "ModelName": args.get("ModelName")}
        record["summary"] = "%d record(s) scored into %s" % (total, tout.get("S3OutputPath"))

    def _step_registermodel(self, ex, d, step, record):
        args = self.evaluate(ex, d, step, step.raw.get("Arguments", {}), "Arguments")
        sm = self.cloud.as_role("sagemaker", ex.pipeline.role_arn)
        request = copy.deepcopy(args)
        request.pop("SkipModelValidation", None)
        request["MetadataProperties"] = {"GeneratedBy": ex.arn}
        try:
            answer = sm.create_model_package(**request)
        except Exception as e:
            raise StepFailed(step.name, "Arguments", str(e))
        arn = answer["ModelPackageArn"]
        package = sm.describe_model_package(ModelPackageName=arn)
        record["properties"] = {"ModelPackageArn": arn, "ModelApprovalStatus": package.get("ModelApprovalStatus")}
        record["summary"] = "registered %s (%s)" % (arn, package.get("ModelApprovalStatus"))
        if self.platform is not None:
            self.platform.model_package_event(package)

    def _step_lambda(self, ex, d, step, record):
        arguments = self.evaluate(ex, d, step, step.raw.get("Arguments", {}), "Arguments")
        function_arn = step.raw.get("FunctionArn", "")
        fn = self.platform.function(function_arn) if self.platform else None
        if fn is None:
            raise StepFailed(step.name, "FunctionArn", "ResourceNotFoundException: no function %s" % function_arn)
        ok, answer = fn.invoke(arguments)
        if not ok:
            raise StepFailed(step.name, "FunctionArn", "the function failed: %s" % answer)
        outputs = {}
        for o in step.raw.get("OutputParameters", []):
            name, kind = o["OutputName"], o.get("OutputType", "String")
            if name not in answer:
                raise StepFailed(step.name, "OutputParameters[%s]" % name, "the function's answer has no %r (it has: %s)" % (name, ", ".join(answer)))
            value = answer[name]
            expected = {"String": str, "Integer": int, "Float": (int, float), "Boolean": bool}[kind]
            if not isinstance(value, expected):
                raise StepFailed(step.name, "OutputParameters[%s]" % name, "%r is not a %s" % (value, kind))
            outputs[name] = value
        record["properties"] = {"OutputParameters": outputs}
        record["summary"] = ", ".join("%s=%s" % (k, v) for k, v in outputs.items() if k in ("ModelPackageArn",))

    def _step_condition(self, ex, d, step, record):
        conditions = step.raw.get("Arguments", {}).get("Conditions", [])
        outcome = all(self._condition(ex, d, step, c, "Arguments.Conditions[%d]" % i) for i, c in enumerate(conditions))
        record["outcome"] = outcome
        record["properties"] = {"Outcome": outcome}
        record["summary"] = "outcome %s" % outcome

    def _condition(self, ex, d, step, c, field):
        kind = c.get("Type")
        if kind == "Not":
            return not self._condition(ex, d, step, c["Expression"], field + ".Expression")
        if kind == "Or":
            return any(self._condition(ex, d, step, x, "%s.Conditions[%d]" % (field, i)) for i, x in enumerate(c["Conditions"]))
        if kind == "In":
            q = self.evaluate(ex, d, step, c.get("QueryValue", c.get("Value")), field + ".QueryValue")
            return q in [self.evaluate(ex, d, step, v, field + ".Values") for v in c.get("Values", c.get("In", []))]
        left = self.evaluate(ex, d, step, c.get("LeftValue"), field + ".LeftValue")
        right = self.evaluate(ex, d, step, c.get("RightValue"), field + ".RightValue")
        ops = {"Equals": lambda a, b: a == b, "GreaterThan": lambda a, b: a > b,
               "GreaterThanOrEqualTo": lambda a, b: a >= b, "LessThan": lambda a, b: a < b,
               "LessThanOrEqualTo": lambda a, b: a <= b}
        if kind not in ops:
            raise StepFailed(step.name, field + ".Type", "unknown condition %r" % kind)
        try:
            return ops[kind](left, right)
        except TypeError:
            raise StepFailed(step.name, field, "cannot compare %r with %r" % (left, right))

    def _step_fail(self, ex, d, step, record):
        message = self.evaluate(ex, d, step, step.raw.get("Arguments", {}).get("ErrorMessage", ""), "Arguments.ErrorMessage")
        raise StepFailed(step.name, "Arguments.ErrorMessage", _text(message))


UNSUPPORTED = {
    "QualityCheck": "SageMaker Model Monitor's analyzer image is closed source and closed to new AWS customers; "
                    "use monitoring.engine \"builtin\"",
    "ClarifyCheck": "SageMaker Clarify's image is closed source",
}


def _text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return repr(v)
    return str(v)


def _read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return ""


def csv_fields(line):
    """A CSV record's fields (SageMaker reads a CSV record as a JSON array of them)."""
    return next(csv.reader([line]), [])


def csv_line(fields):
    """Fields as one CSV record (quoted only where a field needs it)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    return out.getvalue()


def csv_filter(fields, expression):
    """A DataProcessing filter (`$`, `$[1:]`, `$[0,-1]`, `$[2]`, `$[0,5:]`) applied to a CSV
    record's fields, which SageMaker treats as a JSON array: the union of the indexes and slices
    listed, in the order listed. An index outside the record is an error, as on SageMaker."""
    expr = expression.strip()
    if expr == "$":
        return list(fields)
    if not (expr.startswith("$[") and expr.endswith("]")):
        raise ValueError("unsupported filter %r (supported: $, $[i], $[i:j], $[i,j,...], $[i,j:])" % expression)
    n = len(fields)
    out = []
    for part in expr[2:-1].split(","):
        part = part.strip()
        try:
            if ":" in part:
                lo, _, hi = part.partition(":")
                out.extend(fields[int(lo) if lo.strip() else None: int(hi) if hi.strip() else None])
                continue
            i = int(part)
        except ValueError:
            raise ValueError("unsupported filter %r: %r is neither an index nor a slice" % (expression, part))
        if i >= n or i < -n:
            raise ValueError("filter %r: index %d out of range for a record of %d fields" % (expression, i, n))
        out.append(fields[i])
    return out


def _extract(archive, target, step_name, field):
    """Extracts a .tar.gz into `target`: plain files and directories only, every path inside it."""
    try:
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                name = os.path.normpath(member.name)
                if name.startswith("..") or os.path.isabs(name) or not (member.isfile() or member.isdir()):
                    raise StepFailed(step_name, field, "the archive holds %r, not a plain file inside it" % member.name)
                path = os.path.join(target, name)
                if member.isdir():
                    os.makedirs(path, exist_ok=True)
                    continue
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as out:
                    out.write(tar.extractfile(member).read())
    except tarfile.TarError as e:
        raise StepFailed(step_name, field, "not a readable .tar.gz: %s" % e)
