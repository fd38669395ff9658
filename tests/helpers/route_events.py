"""Routes sample events through EventBridge rules in the local AWS emulator (moto).

usage: route_events.py ENDPOINT CASES.json

CASES.json: {"rules": [{"name", "pattern"}], "events": [{"id", "detail-type", "source", "detail"}]}.
For every rule it creates an SQS queue as the rule's target, puts every event on the default bus,
drains the queues, and prints {"<rule>": ["<event id>", ...]} on stdout: which events each rule
delivered. The event id travels in the detail as "mlopsgenTestId" (patterns ignore unknown fields).
Talks only to ENDPOINT (loopback).
"""

import json
import sys
import time

import boto3

endpoint, cases_path = sys.argv[1], sys.argv[2]
cases = json.load(open(cases_path, encoding="utf-8"))


def client(service):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


events, sqs = client("events"), client("sqs")
queues = {}
for i, rule in enumerate(cases["rules"]):
    url = sqs.create_queue(QueueName=f"mlopsgen-test-{i}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=rule["name"], EventPattern=json.dumps(rule["pattern"]), State="ENABLED")
    events.put_targets(Rule=rule["name"], Targets=[{"Id": "queue", "Arn": arn}])
    queues[rule["name"]] = url

entries = []
for e in cases["events"]:
    detail = dict(e["detail"], mlopsgenTestId=e["id"])
    entries.append({"Source": e["source"], "DetailType": e["detail-type"], "Detail": json.dumps(detail),
                    "Resources": e.get("resources", [])})
for start in range(0, len(entries), 10):
    answer = events.put_events(Entries=entries[start:start + 10])
    if answer.get("FailedEntryCount"):
        sys.exit(f"put_events failed: {answer}")

delivered = {}
for name, url in queues.items():
    ids = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        messages = got.get("Messages", [])
        if not messages:
            break
        for m in messages:
            ids.append(json.loads(m["Body"])["detail"]["mlopsgenTestId"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    delivered[name] = sorted(ids)
print(json.dumps(delivered, sort_keys=True))
