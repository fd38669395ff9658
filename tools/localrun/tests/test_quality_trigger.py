"""The generated ground-truth trigger (generated/prod/lambda/start_quality_check.py), run as Lambda
runs it, with a recording stand-in for the SageMaker client: which run it starts for which key."""
import importlib.util
import os
import sys
import types

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, os.pardir, os.pardir, os.pardir))
SOURCE = os.path.join(ROOT, "generated", "prod", "lambda", "start_quality_check.py")
BUCKET = "acme-sagemaker-prod-222222222222"
PREFIX = "mammography-severity-model/ground-truth/"


class Recorder:
    def __init__(self):
        self.calls = []

    def start_pipeline_execution(self, **kw):
        self.calls.append(kw)
        return {"PipelineExecutionArn": "arn:aws:sagemaker:us-east-1:222222222222:pipeline/%s/execution/x" % kw["PipelineName"]}


@pytest.fixture
def trigger(monkeypatch):
    # Lambda's runtime has boto3; this test needs only a client that records (no network).
    monkeypatch.setitem(sys.modules, "boto3", types.SimpleNamespace(client=lambda service: Recorder()))
    spec = importlib.util.spec_from_file_location("start_quality_check", SOURCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.sagemaker = Recorder()
    return module


def event(key, bucket=BUCKET, sequencer="0055AED6DCD90281E5"):
    return {"detail-type": "Object Created", "source": "aws.s3",
            "detail": {"bucket": {"name": bucket}, "object": {"key": key, "sequencer": sequencer}}}


def test_labels_of_a_run_start_its_quality_check(trigger):
    answer = trigger.handler(event(PREFIX + "725f7643f738/labels.csv"), None)
    (call,) = trigger.sagemaker.calls
    assert call["PipelineName"] == "mammo-severity-quality-pipeline"
    params = {p["Name"]: p["Value"] for p in call["PipelineParameters"]}
    assert params == {
        "ScoredBatchUri": "s3://%s/mammography-severity-model/batch-predictions/725f7643f738/" % BUCKET,
        "LabelsUri": "s3://%s/%s725f7643f738/" % (BUCKET, PREFIX),
    }
    assert answer["Parameters"] == params
    assert 32 <= len(call["ClientRequestToken"]) <= 128


def test_the_same_object_version_gets_the_same_token(trigger):
    trigger.handler(event(PREFIX + "run1/labels.csv"), None)
    trigger.handler(event(PREFIX + "run1/labels.csv"), None)
    trigger.handler(event(PREFIX + "run1/labels.csv", sequencer="0055AED6DCD90281F0"), None)
    tokens = [c["ClientRequestToken"] for c in trigger.sagemaker.calls]
    assert tokens[0] == tokens[1] != tokens[2]


@pytest.mark.parametrize("key", [PREFIX + "labels.csv", PREFIX + "run1/", "elsewhere/run1/labels.csv"])
def test_files_outside_the_layout_are_refused_with_where_they_belong(trigger, key):
    with pytest.raises(ValueError, match="belongs in|under no model"):
        trigger.handler(event(key), None)
    assert trigger.sagemaker.calls == []


def test_another_bucket_is_not_ours(trigger):
    with pytest.raises(ValueError, match="under no model"):
        trigger.handler(event(PREFIX + "run1/labels.csv", bucket="someone-elses"), None)
