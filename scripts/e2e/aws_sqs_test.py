#!/usr/bin/env python3
"""End-to-end tests of the SQS queue backend: the built starfleetd against moto_server (functional SQS: RedrivePolicy,
FIFO deduplication) and ministack with AUTH=true (SigV4 checked like AWS for an IAM-made key).

Run by scripts/e2e/aws-sqs.sh (after `swift build`). Every wait is bounded; the last line is "aws-sqs: N passed, N failed".
"""
import glob
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "lib"))
import awspeer  # noqa: E402
from daemon_test import CTL, Env, lines, main, recorder, wait_for  # noqa: E402

ACCOUNT_TEMPLATE = "TemplateName: t\nTemplateDescription: d\nIncludeAccounts: {AllAccounts: true}\n"
ACCOUNT_REGION_TEMPLATE = ("TemplateName: t\nTemplateDescription: d\nIncludeAccounts: {AllAccounts: true}\n"
                           "IncludeRegions: [us-east-1, eu-west-1]\n")
# 5 accounts in the index, the org root (100000000000) excluded by Starfleet's rules: 4 accounts.
ACCOUNTS = [f"{100000000000 + i}" for i in range(1, 5)]


def aws_url(account, name):
    """The queue's URL as a user configures it: the real AWS form; requests go to the peer via AWS_ENDPOINT_URL."""
    return f"https://sqs.us-east-1.amazonaws.com/{account}/{name}"


def make_queue(sqs, name, attributes=None):
    url = sqs.create_queue(QueueName=name, Attributes=attributes or {})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def counts(sqs, url):
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(a["ApproximateNumberOfMessages"]), int(a["ApproximateNumberOfMessagesNotVisible"])


def test_moto_worker_queues_deliver_retry_and_redrive_to_the_dlq():
    with awspeer.MotoServer() as moto:
        sqs = moto.client("sqs")
        ok_url, _ = make_queue(sqs, "recorder-q")
        dlq_url, dlq_arn = make_queue(sqs, "failer-dlq")
        failer_url, _ = make_queue(sqs, "failer-q", {
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"})})
        env = Env({})
        try:
            env.write_config({
                "Recorder": recorder(env, "ACCOUNT", "Recorder/", extra={
                    "InvocationQueueUrl": aws_url("123456789012", "recorder-q")}),
                "Failer": {"Enabled": "true", "Command": f'["./failer.sh", "{env.out}/attempts"]',
                           "FanOutStrategy": "SINGLE_INVOCATION", "TemplatePrefix": "Failer/", "InvocationSources": "[S3]",
                           "MaxReceiveCount": 3, "Backoff": "{InitialSeconds: 0, MaxSeconds: 0}",
                           "InvocationQueueUrl": aws_url("123456789012", "failer-q")},
            })
            env.start(moto.env())
            env.template("Recorder/all.yaml", ACCOUNT_TEMPLATE)
            env.template("Failer/t.yaml", "TemplateName: t\nTemplateDescription: d\n")

            # Delivery: one execution per account, each deleted from SQS afterwards.
            wait_for(lambda: len(lines(f"{env.out}/records")) >= 4, 30, "4 executions")
            rows = lines(f"{env.out}/records")
            assert sorted(r[1] for r in rows) == ACCOUNTS, rows
            assert all(r[0] == "Recorder" and r[4] == "1" for r in rows), rows
            wait_for(lambda: counts(sqs, ok_url) == (0, 0), 15, "the recorder queue to be empty (deleted)")

            # Retries: three receives (ApproximateReceiveCount 1, 2, 3), then SQS's RedrivePolicy moves it to the DLQ.
            dlq = wait_for(lambda: sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                                       MessageAttributeNames=["All"]).get("Messages"),
                           45, "the failing payload in moto's DLQ")
            assert len(dlq) == 1, dlq
            body = json.loads(dlq[0]["Body"])
            assert body["TemplateName"] == "t", body
            assert dlq[0]["MessageAttributes"]["StarfleetTemplate"]["StringValue"] == "Failer/t.yaml", dlq[0]
            assert [l[1] for l in lines(f"{env.out}/attempts")] == ["1", "2", "3"], lines(f"{env.out}/attempts")
            wait_for(lambda: counts(sqs, failer_url) == (0, 0), 15, "the failer queue to be empty")

            # The local dead-letter file keeps what SQS cannot: every failure's text, exit status and stderr.
            files = glob.glob(f"{env.state}/dead-letter/Failer/*.json")
            assert len(files) == 1, files
            with open(files[0]) as f:
                letter = json.load(f)
            assert letter["receiveCount"] == 3 and letter["maxReceiveCount"] == 3, letter
            assert "RedrivePolicy" in letter["reason"] and dlq_arn in letter["reason"], letter["reason"]
            assert len(letter["failures"]) == 3 and all(f["exitStatus"] == 3 for f in letter["failures"]), letter["failures"]
            assert "boom: the payload could not be processed" in letter["failures"][-1]["stderrTail"], letter
            assert oct(os.stat(files[0]).st_mode & 0o777) == "0o600"
            time.sleep(1.5)
            assert len(lines(f"{env.out}/attempts")) == 3, "no attempt after the move to the DLQ"

            # Operator commands keep working with SQS queues (counts from SQS through the daemon's status).
            stats = json.loads(env.ctl("queue", "stats", "--json").stdout)
            names = {q["name"]: q for q in stats["queues"]}
            assert "Recorder" in names and "Failer" in names, stats
            assert names["Failer"]["deadLetters"] == 1, stats
            status = env.ctl("status")
            assert "Recorder" in status.stdout, status.stdout
            assert env.stop() == 0
            assert not os.path.exists(f"{env.state}/queues/Recorder"), "an SQS-backed worker has no local journal"
            # The stop cancelled the daemon's 20 s long polls, but the peer (like SQS) keeps a poll open on its side
            # until its wait ends and hands it a message sent meanwhile, which then stays in flight until its
            # visibility timeout (docs/multi-host.md). Let those polls end before sending without the daemon.
            time.sleep(21)

            # With the daemon stopped, `invoke --async` sends to the SQS queue and `queue stats` asks SQS.
            payload = os.path.join(env.dir, "payload.yaml")
            with open(payload, "w") as f:
                f.write(ACCOUNT_TEMPLATE)
            r = ctl(env, moto, "invoke", "Recorder", "--payload", payload, "--async", "--account-id", "100000000001")
            assert "sent to its SQS queue" in r.stdout, r.stdout
            stats = json.loads(ctl(env, moto, "queue", "stats", "--json").stdout)
            assert not stats["daemonRunning"], stats
            assert {q["name"]: q["visible"] for q in stats["queues"]}["Recorder"] == 1, stats
            status = json.loads(ctl(env, moto, "status", "--json").stdout)
            assert {w["name"]: w["queue"]["visible"] for w in status["workers"]}["Recorder"] == 1, status

            # The dead letter's message is in moto's DLQ: redriving the file would send a second copy, so it is refused.
            letter_id = os.path.basename(files[0])[:-5]
            r = ctl(env, moto, "dlq", "redrive", letter_id, status=65)
            assert f"start-message-move-task --source-arn {dlq_arn}" in r.stderr, r.stderr
            r = ctl(env, moto, "dlq", "redrive", "--all")
            assert "skipped" in r.stderr and "nothing to redrive" in r.stdout, (r.stdout, r.stderr)
            assert os.path.exists(files[0])
            sent = sqs.receive_message(QueueUrl=ok_url, MessageAttributeNames=["All"])["Messages"]
            assert json.loads(sent[0]["Body"])["StarbaseAssignedAccount"] == "100000000001", sent
            assert sent[0]["MessageAttributes"]["StarfleetAccount"]["StringValue"] == "100000000001", sent
        finally:
            env.cleanup()


def ctl(env, peer, *args, status=0):
    """starfleetctl with the peer's endpoint and keys in its environment; `status` is the exit status expected."""
    r = subprocess.run([CTL, *args, "--config", env.config, "--state-dir", env.state], capture_output=True, text=True,
                       timeout=60, env={**os.environ, **peer.env()})
    assert r.returncode == status, f"starfleetctl {' '.join(args)} exited {r.returncode}: {r.stdout}{r.stderr}"
    return r


def previous_hour_is_safe():
    """Both daemons must see the same HOURLY boundary: stay clear of the top of the hour."""
    now = datetime.now(timezone.utc)
    if now.minute == 59 and now.second >= 30:
        time.sleep(60 - now.second + 2)


def test_two_daemons_on_fifo_queues_fan_out_each_payload_once():
    """Both hosts fire the same timed event; SQS FIFO deduplication lets each fan-out and each payload through once.

    Runs against ministack (with an IAM-made key, so SigV4 is checked too): moto forgets a deduplication id as soon as
    its message is deleted (moto/sqs/models.py add_message only compares with messages still queued), whereas AWS keeps
    it for the whole 5-minute interval — with moto the second host's send is a fresh message whenever the first host
    already finished the first one, which is exactly the case this test is about.
    """
    with awspeer.Ministack() as peer:
        key, secret = peer.create_verified_key()
        sqs = peer.client("sqs")
        fan_url, _ = make_queue(sqs, "fanout.fifo", {"FifoQueue": "true"})
        work_url, _ = make_queue(sqs, "work.fifo", {"FifoQueue": "true"})
        account = fan_url.rstrip("/").split("/")[-2]
        hosts = [Env({}), Env({})]
        records = f"{hosts[0].out}/records"
        try:
            previous_hour_is_safe()
            stale = (datetime.now(timezone.utc) - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
            for env in hosts:
                spec = recorder(env, "ACCOUNT_REGION", "Recorder/", sources="[EVENTBRIDGE_TIMED_EVENT]", extra={
                    "EventBridgeTimedFrequency": "HOURLY", "InvocationQueueUrl": aws_url(account, "work.fifo")})
                spec["Command"] = f'["./recorder.sh", "{records}"]'
                env.write_config({"Recorder": spec})
                add_starfleet_keys(env, f"FanOutQueueUrl: {aws_url(account, 'fanout.fifo')}")
                env.template("Recorder/all.yaml", ACCOUNT_REGION_TEMPLATE)
                # A missed HOURLY boundary: each daemon catches it up at start — the same timed event on both hosts.
                os.makedirs(env.state, exist_ok=True)
                with open(f"{env.state}/scheduler.json", "w") as f:
                    json.dump({"version": 1, "lastFired": {"HOURLY": stale}}, f)
            for env in hosts:
                env.start(peer.env(key, secret))
            for env in hosts:
                wait_for(lambda env=env: "timed event fired" in env.read_log(), 20, "both schedulers to fire the caught-up boundary")
            # 4 accounts × 2 regions, each exactly once although both hosts sent the fan-out.
            wait_for(lambda: len(lines(records)) >= 8, 45, "8 executions")
            wait_for(lambda: counts(sqs, fan_url) == (0, 0) and counts(sqs, work_url) == (0, 0), 20, "both FIFO queues to drain")
            time.sleep(3)
            rows = lines(records)
            pairs = sorted((r[1], r[2]) for r in rows)
            assert pairs == sorted({(a, r) for a in ACCOUNTS for r in ("us-east-1", "eu-west-1")}), rows
            assert len({r[3] for r in rows}) == 8, rows
            for env in hosts:
                assert "SignatureDoesNotMatch" not in env.read_log(), env.read_log()[-3000:]
                assert env.stop() == 0
        finally:
            for env in hosts:
                env.cleanup()


def add_starfleet_keys(env, *keys):
    """Adds `Key: value` lines to the STARFLEET section of the Env's configuration."""
    path = os.path.join(env.config, "starfleetd.yaml")
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.replace("STARFLEET:\n", "STARFLEET:\n" + "".join(f"  {k}\n" for k in keys), 1))


def test_scheduler_false_host_only_consumes():
    with awspeer.MotoServer() as moto:
        sqs = moto.client("sqs")
        make_queue(sqs, "consume-q")
        env = Env({})
        try:
            spec = recorder(env, "SINGLE_INVOCATION", "Recorder/", sources="[S3, EVENTBRIDGE_TIMED_EVENT]", extra={
                "EventBridgeTimedFrequency": "HOURLY", "InvocationQueueUrl": aws_url("123456789012", "consume-q")})
            env.write_config({"Recorder": spec})
            add_starfleet_keys(env, "Scheduler: false")
            env.template("Recorder/t.yaml", "TemplateName: t\nTemplateDescription: d\n")
            os.makedirs(env.state, exist_ok=True)
            stale = (datetime.now(timezone.utc) - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
            with open(f"{env.state}/scheduler.json", "w") as f:
                json.dump({"version": 1, "lastFired": {"HOURLY": stale}}, f)
            env.start(moto.env())
            wait_for(lambda: "only consumes" in env.read_log(), 10, "the consumer-only notice")
            # Another host's payload on the shared queue is consumed here.
            sqs.send_message(QueueUrl=sqs.get_queue_url(QueueName="consume-q")["QueueUrl"], MessageBody='{"from": "elsewhere"}',
                             MessageAttributes={"StarfleetEvent": {"DataType": "String", "StringValue": "x"}})
            wait_for(lambda: len(lines(f"{env.out}/records")) == 1, 20, "the message from another host to run here")
            time.sleep(2)
            log = env.read_log()
            assert "timed event fired" not in log, "a consumer-only host must not fire timers"
            assert "Template change queued" not in log, "a consumer-only host must not watch templates"
            assert len(lines(f"{env.out}/records")) == 1, lines(f"{env.out}/records")
            with open(f"{env.state}/scheduler.json") as f:
                assert json.load(f)["lastFired"]["HOURLY"] == stale, "the scheduler state is left alone"
            assert env.stop() == 0
        finally:
            env.cleanup()


def test_ministack_checks_sigv4_on_the_json_protocol():
    with awspeer.Ministack() as ms:
        key, secret = ms.create_verified_key()
        sqs = ms.client("sqs")
        url, _ = make_queue(sqs, "signed-q")
        account = url.rstrip("/").split("/")[-2]
        env = Env({})
        try:
            env.write_config({"Recorder": recorder(env, "ACCOUNT", "Recorder/", extra={
                "InvocationQueueUrl": aws_url(account, "signed-q"), "Concurrency": 4})})
            # Negative control first: the same key with a wrong secret is refused, so the peer really checks.
            env.start(ms.env(key, secret[:-1] + ("A" if secret[-1] != "A" else "B")))
            env.template("Recorder/all.yaml", ACCOUNT_TEMPLATE)
            wait_for(lambda: "SignatureDoesNotMatch" in env.read_log() or "InvalidSignature" in env.read_log(), 30,
                     "the wrong secret to be refused")
            assert lines(f"{env.out}/records") == [], "nothing may run with a refused signature"
            assert env.stop() == 0

            # The IAM-made key: SendMessageBatch, ReceiveMessage, DeleteMessageBatch all accepted. The fan-out SQS refused
            # was kept on the local Starbase queue and runs now, beside the new template: each account twice.
            env.start(ms.env(key, secret))
            env.template("Recorder/again.yaml", ACCOUNT_TEMPLATE)
            wait_for(lambda: len(lines(f"{env.out}/records")) >= 8, 45, "8 executions through ministack")
            wait_for(lambda: counts(sqs, url) == (0, 0), 20, "ministack's queue to be empty (DeleteMessageBatch)")
            time.sleep(1)
            rows = lines(f"{env.out}/records")
            assert sorted(r[1] for r in rows) == sorted(ACCOUNTS * 2), rows
            log = env.read_log()
            assert "SignatureDoesNotMatch" not in log.split("starfleetd started")[-1], log[-3000:]
            assert env.stop() == 0
        finally:
            env.cleanup()


if __name__ == "__main__":
    main("aws-sqs", globals())
