#!/usr/bin/env python3
"""End-to-end tests of issue 22 §2 and the rest of §3: asynchronous invocation under Lambda's event invoke config
(MaximumRetryAttempts, MaximumEventAgeInSeconds, DestinationConfig to an SQS queue on moto and to another worker), and
Lambda's own answers on the Invoke API (429 TooManyRequestsException at Concurrency, the timeout error, a response
over 6 MB). One daemon and one moto_server serve every test; the event-age test is started first and checked last,
so its minute (Lambda's shortest MaximumEventAgeInSeconds) overlaps the others. Run by scripts/e2e/lambda-async.sh.
"""
import glob
import json
import os
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from daemon_test import Env, free_port, wait_for  # noqa: E402
from runtime_test import python_worker, records  # noqa: E402
from awspeer import MotoServer  # noqa: E402

ACCOUNT = "123456789012"  # moto's account
QUEUE = "https://sqs.us-east-1.amazonaws.com/" + ACCOUNT + "/{}"

# Handlers as users write them: nothing of starfleetd in them.
FAILING = """
import json, os

def handler(event, context):
    with open(os.environ["OUT"] + ".attempts", "a") as f:
        f.write(json.dumps({"id": event.get("id"), "request": context.aws_request_id}) + "\\n")
    raise ValueError("failed on purpose: " + str(event.get("id")))
"""

DOUBLING = """
def handler(event, context):
    return {"doubled": event["n"] * 2}
"""

RECORDING = """
import json, os

def handler(event, context):
    with open(os.environ["OUT"], "a") as f:
        f.write(json.dumps(event) + "\\n")
    return {"recorded": True}
"""

SLOW = """
import os, time

def handler(event, context):
    open(os.environ["OUT"] + ".started", "a").write("x\\n")
    time.sleep(event.get("sleep", 0))
    if event.get("big"):
        return "x" * (7 * 1024 * 1024)
    return {"slept": event.get("sleep", 0)}
"""

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def lambda_client(port):
    import boto3
    from botocore.config import Config
    # No retries: a 429 must reach the test as TooManyRequestsException, not be retried away.
    return boto3.client("lambda", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id="local", aws_secret_access_key="local",
                        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, read_timeout=30))


class Fixture:
    def __init__(self):
        self.moto = MotoServer().__enter__()
        self.sqs = self.moto.client("sqs")
        for name in ("failures", "aged"):
            self.sqs.create_queue(QueueName=name)
        self.s3 = self.moto.client("s3")
        self.s3.create_bucket(Bucket="failed-records")
        self.env = Env({})
        self.port = free_port()
        fast = "{InitialSeconds: 1, MaxSeconds: 1}"
        env = self.env
        workers = {
            "Flaky": python_worker(env, "Flaky", FAILING, extra={
                "Backoff": fast, "MaximumRetryAttempts": 1,
                "DestinationConfig": '{OnFailure: {Destination: "' + QUEUE.format("failures") + '"}}'}),
            # Its retry would come 100–200 s after the first attempt, past its 60 s age: it waits out the age instead.
            "Aging": python_worker(env, "Aging", FAILING, extra={
                "Backoff": "{InitialSeconds: 200, MaxSeconds: 200}", "MaximumEventAgeInSeconds": 60,
                "VisibilityTimeoutSeconds": 300,
                "DestinationConfig": '{OnFailure: {Destination: "arn:aws:sqs:us-east-1:' + ACCOUNT + ':aged"}}'}),
            "Plain": python_worker(env, "Plain", FAILING, extra={"Backoff": fast, "MaximumRetryAttempts": 0}),
            "Archiver": python_worker(env, "Archiver", FAILING, extra={
                "MaximumRetryAttempts": 0, "DestinationConfig": '{OnFailure: {Destination: "arn:aws:s3:::failed-records"}}'}),
            # Its destination queue does not exist until the test makes it.
            "Patient": python_worker(env, "Patient", FAILING, extra={
                "Backoff": fast, "MaximumRetryAttempts": 0, "MaxReceiveCount": 30,
                "DestinationConfig": '{OnFailure: {Destination: "' + QUEUE.format("later") + '"}}'}),
            "Doubler": python_worker(env, "Doubler", DOUBLING, extra={
                "DestinationConfig": '{OnSuccess: {Destination: "arn:aws:lambda:us-east-1:' + ACCOUNT + ':function:Sink"}}'}),
            "Sink": python_worker(env, "Sink", RECORDING),
            "Busy": python_worker(env, "Busy", SLOW, extra={"Concurrency": 1}),
            "Sleeper": python_worker(env, "Sleeper", SLOW, extra={"TimeoutSeconds": 2}),
        }
        env.write_config(workers)
        path = os.path.join(env.config, "starfleetd.yaml")
        text = open(path).read().replace("STARFLEET:\n", f"STARFLEET:\n  InvokeAddress: 127.0.0.1:{self.port}\n")
        open(path, "w").write(text)
        env.start({**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")}, **self.moto.env()})
        self.client = lambda_client(self.port)

    def receive(self, queue, timeout):
        url = self.sqs.get_queue_url(QueueName=queue)["QueueUrl"]
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
            if got:
                return [json.loads(m["Body"]) for m in got]
        raise AssertionError(f"no invocation record reached {queue} within {timeout}s")

    def read_log(self):
        return self.env.read_log()

    def close(self):
        try:
            assert self.env.stop() == 0, "the daemon did not exit 0"
        finally:
            self.env.cleanup()
            self.moto.__exit__(None, None, None)


def check_record(record, *, request_id, function, condition, count, payload):
    assert record["version"] == "1.0", record
    assert TIMESTAMP.match(record["timestamp"]), record["timestamp"]
    assert record["requestContext"] == {
        "requestId": request_id, "functionArn": f"arn:aws:lambda:us-east-1:000000000000:function:{function}:$LATEST",
        "condition": condition, "approximateInvokeCount": count}, record["requestContext"]
    assert record["requestPayload"] == payload, record["requestPayload"]


def start_aging(fx):
    answer = fx.client.invoke(FunctionName="Aging", InvocationType="Event", Payload=b'{"id": "old"}')
    assert answer["StatusCode"] == 202, answer
    fx.aging = (answer["ResponseMetadata"]["RequestId"], time.time())


def test_a_failing_event_is_attempted_exactly_twice_then_its_record_reaches_the_sqs_queue(fx):
    answer = fx.client.invoke(FunctionName="Flaky", InvocationType="Event", Payload=b'{"id": "f1"}')
    assert answer["StatusCode"] == 202, answer
    request_id = answer["ResponseMetadata"]["RequestId"]
    [record] = fx.receive("failures", 60)
    attempts = records(os.path.join(fx.env.out, "Flaky.attempts"))
    assert [a["id"] for a in attempts] == ["f1", "f1"], attempts
    assert attempts[0]["request"] != attempts[1]["request"], "each attempt has its own aws_request_id"
    check_record(record, request_id=request_id, function="Flaky", condition="RetriesExhausted", count=2,
                 payload={"id": "f1"})
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    assert record["responsePayload"]["errorType"] == "ValueError", record["responsePayload"]
    assert "failed on purpose: f1" in record["responsePayload"]["errorMessage"], record["responsePayload"]
    time.sleep(2.5)  # longer than its backoff: a third attempt would have started
    assert len(records(os.path.join(fx.env.out, "Flaky.attempts"))) == 2, "no attempt after the record was sent"
    assert not glob.glob(f"{fx.env.state}/dead-letter/Flaky/*.json"), "with OnFailure the event is not dead-lettered"
    assert re.search(r"failed for good after 2 attempts; its record went to the OnFailure destination.*worker=Flaky",
                     fx.env.read_log()), "the journal says where the failed event went"


def test_without_on_failure_the_event_still_ends_in_the_dead_letter_folder(fx):
    assert fx.client.invoke(FunctionName="Plain", InvocationType="Event", Payload=b'{"id": "p1"}')["StatusCode"] == 202
    files = wait_for(lambda: glob.glob(f"{fx.env.state}/dead-letter/Plain/*.json"), 30, "Plain's dead letter")
    letter = json.load(open(files[0]))
    assert "RetriesExhausted after 1 attempts (MaximumRetryAttempts 0)" in json.dumps(letter), letter
    assert len(records(os.path.join(fx.env.out, "Plain.attempts"))) == 1


def test_an_s3_on_failure_destination_gets_the_record_under_lambdas_key_layout(fx):
    answer = fx.client.invoke(FunctionName="Archiver", InvocationType="Event", Payload=b'{"id": "s3"}')
    request_id = answer["ResponseMetadata"]["RequestId"]
    objects = wait_for(lambda: fx.s3.list_objects_v2(Bucket="failed-records").get("Contents"), 30, "the record in S3")
    [entry] = objects
    assert re.fullmatch(r"aws/lambda/async/Archiver/(\d{4})/(\d{2})/(\d{2})/\1-\2-\3T\d{2}\.\d{2}\.\d{2}-[0-9a-f-]{36}",
                        entry["Key"]), entry["Key"]
    record = json.loads(fx.s3.get_object(Bucket="failed-records", Key=entry["Key"])["Body"].read())
    check_record(record, request_id=request_id, function="Archiver", condition="RetriesExhausted", count=1,
                 payload={"id": "s3"})


def test_a_destination_that_cannot_take_the_record_gets_it_later_without_a_rerun(fx):
    answer = fx.client.invoke(FunctionName="Patient", InvocationType="Event", Payload=b'{"id": "late"}')
    request_id = answer["ResponseMetadata"]["RequestId"]
    wait_for(lambda: "cannot take the invocation record now" in fx.env.read_log(), 30, "the refused delivery")
    time.sleep(2)  # a failed send more or two, with the 1 s backoff (30 are allowed before the record is dead-lettered)
    fx.sqs.create_queue(QueueName="later")
    [record] = fx.receive("later", 30)
    check_record(record, request_id=request_id, function="Patient", condition="RetriesExhausted", count=1,
                 payload={"id": "late"})
    assert len(records(os.path.join(fx.env.out, "Patient.attempts"))) == 1, "the function was run again for its record"
    assert not glob.glob(f"{fx.env.state}/dead-letter/Patient/*.json"), "the record was dead-lettered, not delivered"


def test_a_success_sends_its_record_to_the_on_success_worker(fx):
    answer = fx.client.invoke(FunctionName="Doubler", InvocationType="Event", Payload=b'{"n": 21}')
    request_id = answer["ResponseMetadata"]["RequestId"]
    got = wait_for(lambda: records(os.path.join(fx.env.out, "Sink")), 30, "the Sink's invocation record")
    [record] = got
    check_record(record, request_id=request_id, function="Doubler", condition="Success", count=1, payload={"n": 21})
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}, record["responseContext"]
    assert record["responsePayload"] == {"doubled": 42}, record["responsePayload"]


def test_a_synchronous_invoke_at_concurrency_is_throttled_with_429(fx):
    started = os.path.join(fx.env.out, "Busy.started")
    result = {}
    busy = threading.Thread(target=lambda: result.update(
        answer=fx.client.invoke(FunctionName="Busy", Payload=b'{"sleep": 4}')))
    busy.start()
    wait_for(lambda: os.path.exists(started), 30, "the busy invocation to start")
    before = time.time()
    try:
        fx.client.invoke(FunctionName="Busy", Payload=b'{"sleep": 0}')
        raise AssertionError("a second synchronous invoke ran beside Concurrency 1")
    except fx.client.exceptions.TooManyRequestsException as e:
        waited = time.time() - before
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 429, e.response
        assert e.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded", e.response
        assert 0.9 <= waited < 5, f"throttled after {waited:.2f}s, not after the ~1 s bounded wait"
    busy.join(30)
    assert json.loads(result["answer"]["Payload"].read()) == {"slept": 4}
    # With the slot free again, the same call runs.
    assert json.loads(fx.client.invoke(FunctionName="Busy", Payload=b'{"sleep": 0}')["Payload"].read()) == {"slept": 0}


def test_a_timed_out_invocation_gets_lambdas_timeout_error(fx):
    answer = fx.client.invoke(FunctionName="Sleeper", Payload=b'{"sleep": 30}')
    assert answer["FunctionError"] == "Unhandled", answer
    error = json.loads(answer["Payload"].read())
    assert set(error) == {"errorMessage", "errorType"} and error["errorType"] == "Sandbox.Timedout", error
    assert re.fullmatch(r"RequestId: [0-9a-f-]{36} Error: Task timed out after 2\.00 seconds", error["errorMessage"]), error
    assert re.search(r"[0-9a-f-]{36} Task timed out after 2\.00 seconds", fx.env.read_log()), "Lambda's log line"


def test_a_response_over_6_mb_is_lambdas_response_size_error(fx):
    answer = fx.client.invoke(FunctionName="Sleeper", Payload=b'{"big": true}')
    assert answer["FunctionError"] == "Unhandled", answer
    error = json.loads(answer["Payload"].read())
    assert error == {"errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
                     "errorType": "Function.ResponseSizeTooLarge"}, error
    # The worker goes on serving.
    assert json.loads(fx.client.invoke(FunctionName="Sleeper", Payload=b'{"sleep": 0}')["Payload"].read()) == {"slept": 0}


def test_an_event_older_than_its_age_is_not_run_again_and_goes_to_on_failure(fx):
    request_id, accepted = fx.aging
    [record] = fx.receive("aged", 90)
    waited = time.time() - accepted
    assert waited >= 60, f"discarded after {waited:.1f}s, before its 60 s age"
    check_record(record, request_id=request_id, function="Aging", condition="EventAgeExceeded", count=1,
                 payload={"id": "old"})
    assert record["responseContext"]["functionError"] == "Unhandled", record
    assert "failed on purpose: old" in record["responsePayload"]["errorMessage"], record["responsePayload"]
    assert len(records(os.path.join(fx.env.out, "Aging.attempts"))) == 1, "the old event was run again"


TESTS = [
    test_a_failing_event_is_attempted_exactly_twice_then_its_record_reaches_the_sqs_queue,
    test_without_on_failure_the_event_still_ends_in_the_dead_letter_folder,
    test_an_s3_on_failure_destination_gets_the_record_under_lambdas_key_layout,
    test_a_destination_that_cannot_take_the_record_gets_it_later_without_a_rerun,
    test_a_success_sends_its_record_to_the_on_success_worker,
    test_a_synchronous_invoke_at_concurrency_is_throttled_with_429,
    test_a_timed_out_invocation_gets_lambdas_timeout_error,
    test_a_response_over_6_mb_is_lambdas_response_size_error,
    test_an_event_older_than_its_age_is_not_run_again_and_goes_to_on_failure,
]

if __name__ == "__main__":
    from daemon_test import run_with_fixture
    selected = [t for t in TESTS if not sys.argv[1:] or any(s in t.__name__ for s in sys.argv[1:])]
    sys.exit(run_with_fixture("lambda-async", Fixture, selected, prepare=start_aging))
