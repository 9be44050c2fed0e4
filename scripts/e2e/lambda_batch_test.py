#!/usr/bin/env python3
"""End-to-end tests of Lambda's SQS trigger (issue 22 §1): batches, partial batch responses, filters.

Real daemon, real handlers written with AWS Lambda Powertools (PyPI `aws-lambda-powertools`: the SQS BatchProcessor,
its Logger with the injected context, the event_source data classes) under `Runtime: python` + `EventShape: sqs`, on the
journal queue and on moto's SQS. Run by scripts/e2e/lambda-batch.sh, which makes the Powertools venv (cached).
The last line is "lambda-batch: N passed, M failed".
"""
import glob
import hashlib
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "lib"))
import awspeer  # noqa: E402
from daemon_test import Env, run_tests, wait_for  # noqa: E402

PYTHON = os.environ.get("STARFLEET_POWERTOOLS_PYTHON", os.path.expanduser("~/.cache/starfleetd-powertools/bin/python3"))

# A function as AWS's docs write one: Powertools' BatchProcessor reports the records that raised.
POWERTOOLS_HANDLER = """
import json, logging, os
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes import SQSEvent
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

OUT = os.environ["OUT"]
processor = BatchProcessor(event_type=EventType.SQS)
logger = Logger(service="orders", logger_handler=logging.FileHandler(OUT + ".log"))

def record_handler(record: SQSRecord):
    order = record.json_body
    with open(OUT, "a") as f:
        f.write(json.dumps({"id": record.message_id, "n": order["n"], "count": record.attributes.approximate_receive_count,
                            "md5": record.md5_of_body, "md5_ok": hashlib_md5(record.body) == record.md5_of_body,
                            "receipt": record.receipt_handle, "sent": record.attributes.sent_timestamp,
                            "first": record.attributes.approximate_first_receive_timestamp,
                            "source": record.event_source, "arn": record.event_source_arn}) + "\\n")
    if order.get("fail"):
        raise ValueError(f"order {order['n']} cannot be processed")

def hashlib_md5(text):
    import hashlib
    return hashlib.md5(text.encode()).hexdigest()

@logger.inject_lambda_context
def handler(event, context):
    batch = SQSEvent(event)
    logger.info("batch", extra={"records": len(list(batch.records))})
    with open(OUT + ".batches", "a") as f:
        f.write(json.dumps({"request": context.aws_request_id, "counts": [r.attributes.approximate_receive_count for r in batch.records]}) + "\\n")
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
"""

# Fails each batch's first delivery: with a response breaking the partial batch rules, by raising, or by dying.
FIRST_DELIVERY_FAILS = """
import json, os
from aws_lambda_powertools.utilities.data_classes import SQSEvent, event_source

@event_source(data_class=SQSEvent)
def handler(event: SQSEvent, context):
    records = list(event.records)
    with open(os.environ["OUT"], "a") as f:
        f.write(json.dumps([[json.loads(r.body)["n"], r.attributes.approximate_receive_count] for r in records]) + "\\n")
    if all(r.attributes.approximate_receive_count == "1" for r in records):
        if os.environ["HOW"] == "raise":
            raise RuntimeError("the whole batch failed")
        if os.environ["HOW"] == "crash":
            os._exit(3)  # the process dies holding the batch
        return {"batchItemFailures": [{"itemIdentifier": "not-a-message-of-this-batch"}]}
    return {"batchItemFailures": []}
"""

# Records what it was given: a filtered message must never reach it.
SEEN = """
import json, os
from aws_lambda_powertools.utilities.data_classes import SQSEvent, event_source

@event_source(data_class=SQSEvent)
def handler(event: SQSEvent, context):
    with open(os.environ["OUT"], "a") as f:
        for r in event.records:
            f.write(json.dumps({"body": r.body, "count": r.attributes.approximate_receive_count}) + "\\n")
"""


def worker(env, name, code, extra=None, how=None):
    directory = os.path.join(env.config, "workers", name)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "handler.py"), "w") as f:
        f.write(code)
    environment = "{OUT: " + os.path.join(env.out, name) + (f", HOW: {how}" if how else "") + "}"
    spec = {"Enabled": "true", "TemplatePrefix": f"{name}/", "InvocationSources": "[S3]", "FanOutStrategy": "SINGLE_INVOCATION",
            "Runtime": "python", "Handler": "handler.handler", "Python": PYTHON, "CodeDirectory": f"workers/{name}",
            "EventShape": "sqs", "Concurrency": 2, "VisibilityTimeoutSeconds": 60, "TimeoutSeconds": 20,
            "Backoff": "{InitialSeconds: 0, MaxSeconds: 0}", "Environment": environment}
    spec.update(extra or {})
    return spec


def enqueue(env, name, bodies):
    """Puts the bodies on the worker's journal queue with the daemon stopped, so they are all there when it starts."""
    for i, body in enumerate(bodies):
        path = os.path.join(env.dir, f"payload-{name}-{i}.json")
        with open(path, "w") as f:
            f.write(body if isinstance(body, str) else json.dumps(body))
        env.ctl("invoke", name, "--payload", path, "--async")


def jsonl(path):
    try:
        with open(path) as f:
            return [json.loads(l) for l in f if l.strip()]
    except FileNotFoundError:
        return []


def runs(env, *args):
    r = env.ctl("runs", "--json", "--limit", "0", *args)
    return [json.loads(l) for l in r.stdout.splitlines() if l.strip()]


def queue_empty(env, name):
    """Whether `queue stats` (the daemon's status, refreshed every few seconds) shows nothing visible or in flight."""
    queues = {q["name"]: q for q in json.loads(env.ctl("queue", "stats", "--json").stdout)["queues"]}
    return queues[name]["visible"] + queues[name]["inFlight"] == 0


def dead_letters(env, name):
    return glob.glob(os.path.join(env.state, "dead-letter", name, "*.json"))


def test_powertools_batch_processor_retries_only_failed_records_until_dead_lettered():
    env = Env({})
    env.write_config({"Orders": worker(env, "Orders", POWERTOOLS_HANDLER, {
        "BatchSize": 10, "FunctionResponseTypes": "[ReportBatchItemFailures]", "MaxReceiveCount": 3})})
    try:
        enqueue(env, "Orders", [{"n": n, "fail": n in (3, 7)} for n in range(10)])
        env.start()
        wait_for(lambda: len(dead_letters(env, "Orders")) == 2, 60, "the two failing records dead-lettered")
        time.sleep(0.5)
        out = os.path.join(env.out, "Orders")
        rows = jsonl(out)
        by_n = {}
        for row in rows:
            by_n.setdefault(row["n"], []).append(row)
        # The good records ran once; the failing ones three times, their own receive count going 1, 2, 3.
        assert sorted(by_n) == list(range(10)), by_n.keys()
        for n, attempts in by_n.items():
            expected = ["1", "2", "3"] if n in (3, 7) else ["1"]
            assert [a["count"] for a in attempts] == expected, (n, attempts)
        # One invocation of ten records, then the two failed ones together, on their second and third receive.
        batches = jsonl(out + ".batches")
        assert [b["counts"] for b in batches] == [["1"] * 10, ["2", "2"], ["3", "3"]], batches
        assert len({b["request"] for b in batches}) == 3
        # Each record is its own message: its id, receipt handle, MD5 of its body, timestamps, Lambda's source fields.
        first = [r for r in rows if r["count"] == "1"]
        assert len({r["id"] for r in first}) == 10 and len({r["receipt"] for r in first}) == 10
        assert all(r["md5_ok"] and r["source"] == "aws:sqs" and r["arn"].endswith(":Orders") for r in rows), rows
        assert all(int(r["first"]) >= int(r["sent"]) > 1_600_000_000_000 for r in rows), rows
        # The dead letters are the two failed orders, with the handler's error for each attempt.
        letters = [json.load(open(p)) for p in dead_letters(env, "Orders")]
        assert sorted(json.loads(l["body"])["n"] if isinstance(l["body"], str) else l["body"]["n"] for l in letters) == [3, 7]
        assert all(l["receiveCount"] == 3 and len(l["failures"]) == 3 for l in letters), letters
        # Powertools' Logger saw Lambda's context: the function, each invocation's request id, a cold start first.
        logged = [l for l in jsonl(out + ".log") if l.get("message") == "batch"]
        assert [l["function_request_id"] for l in logged] == [b["request"] for b in batches], logged
        assert all(l["function_name"] == "Orders" and ":function:Orders" in l["function_arn"] for l in logged), logged
        assert [l["cold_start"] for l in logged] == [True, False, False], logged
        assert [l["records"] for l in logged] == [10, 2, 2]
        # Run history: one record per message and attempt, the attempt being its receive count.
        history = runs(env, "Orders")
        outcomes = sorted((r["attempt"], r["outcome"]) for r in history)
        assert outcomes == sorted([(1, "succeeded")] * 8 + [(1, "failed-will-retry"), (2, "failed-will-retry")] * 2
                                  + [(3, "dead-lettered")] * 2), outcomes
        assert env.stop() == 0
    finally:
        env.cleanup()


def test_a_malformed_response_a_raised_error_or_a_crash_retries_the_whole_batch():
    env = Env({})
    common = {"BatchSize": 5, "FunctionResponseTypes": "[ReportBatchItemFailures]", "MaxReceiveCount": 3}
    env.write_config({"Malformed": worker(env, "Malformed", FIRST_DELIVERY_FAILS, common, how="malformed"),
                      "Raising": worker(env, "Raising", FIRST_DELIVERY_FAILS, common, how="raise"),
                      "Crashing": worker(env, "Crashing", FIRST_DELIVERY_FAILS, common, how="crash")})
    try:
        for name in ("Malformed", "Raising", "Crashing"):
            enqueue(env, name, [{"n": n} for n in range(5)])
        env.start()
        for name in ("Malformed", "Raising", "Crashing"):
            out = os.path.join(env.out, name)
            wait_for(lambda: len(jsonl(out)) >= 2, 30, f"{name}'s second delivery")
            deliveries = jsonl(out)
            # The first response deleted nothing: every record came back, on its second receive, in one batch.
            assert deliveries[0] == [[n, "1"] for n in range(5)], deliveries
            assert sorted(deliveries[1]) == [[n, "2"] for n in range(5)], deliveries
            wait_for(lambda: queue_empty(env, name), 15, f"{name}'s queue to be empty")
            assert len(jsonl(out)) == 2 and not dead_letters(env, name)
            failed = [r for r in runs(env, name) if r["outcome"] == "failed-will-retry"]
            assert len(failed) == 5, failed
            if name == "Malformed":
                assert all("not in the batch" in r["error"] for r in failed), failed
            elif name == "Raising":
                assert all("the whole batch failed" in r["error"] for r in failed), failed
            else:
                assert all("exit" in r["error"] for r in failed), failed
        assert env.stop() == 0
    finally:
        env.cleanup()


def test_filter_criteria_delete_non_matching_messages_unseen_and_count_them():
    env = Env({})
    filters = ("\n    Filters:\n"
               "      - Pattern: '{\"body\": {\"kind\": [\"order\"]}}'\n"
               "      - Pattern: '{\"body\": {\"amount\": [{\"numeric\": [\">\", 100]}]}}'")
    env.write_config({"Picky": worker(env, "Picky", SEEN, {"BatchSize": 10, "FilterCriteria": filters})})
    try:
        bodies = [{"kind": "order", "n": 1}, {"kind": "refund", "n": 2}, "plain text", {"kind": "refund", "amount": 500},
                  {"kind": "order", "n": 5}, {"amount": 7}]
        enqueue(env, "Picky", bodies)
        env.start()
        out = os.path.join(env.out, "Picky")
        wait_for(lambda: len(runs(env, "Picky")) >= 6, 30, "six runs recorded")
        seen = sorted(json.loads(r["body"]).get("n", 0) for r in jsonl(out))
        assert seen == [0, 1, 5], jsonl(out)
        history = runs(env, "Picky")
        assert sorted(r["outcome"] for r in history) == ["filtered"] * 3 + ["succeeded"] * 3, history
        wait_for(lambda: queue_empty(env, "Picky"), 15, "Picky's queue to be empty (filtered messages deleted)")
        assert not dead_letters(env, "Picky")
        assert env.stop() == 0
    finally:
        env.cleanup()


def test_moto_sqs_queue_batches_and_retries_only_the_reported_records():
    with awspeer.MotoServer() as moto:
        sqs = moto.client("sqs")
        url = sqs.create_queue(QueueName="orders-q", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
        env = Env({})
        try:
            env.write_config({"Orders": worker(env, "Orders", POWERTOOLS_HANDLER, {
                "BatchSize": 5, "MaximumBatchingWindowInSeconds": 1, "FunctionResponseTypes": "[ReportBatchItemFailures]",
                "MaxReceiveCount": 2, "InvocationQueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/orders-q"})})
            sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(n), "MessageBody": json.dumps({"n": n, "fail": n == 2})} for n in range(5)])
            env.start(moto.env())
            wait_for(lambda: len(dead_letters(env, "Orders")) == 1, 60, "the failing record dead-lettered")
            rows = jsonl(os.path.join(env.out, "Orders"))
            assert sorted((r["n"], r["count"]) for r in rows) == [(0, "1"), (1, "1"), (2, "1"), (2, "2"), (3, "1"), (4, "1")], rows
            assert all(r["md5"] == hashlib.md5(json.dumps({"n": r["n"], "fail": r["n"] == 2}).encode()).hexdigest() for r in rows)
            batches = jsonl(os.path.join(env.out, "Orders.batches"))
            assert len(batches[0]["counts"]) > 1, batches  # the window gathered more than one record
            # Every record left SQS: the good ones deleted after their batch, the failed one when it was dead-lettered.
            wait_for(lambda: [sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"][k] for k in (
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")] == ["0", "0"], 15,
                "the moto queue to be empty")
            assert env.stop() == 0
        finally:
            env.cleanup()


if __name__ == "__main__":
    run_tests(globals(), "lambda-batch")
