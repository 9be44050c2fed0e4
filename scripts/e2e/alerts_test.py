#!/usr/bin/env python3
"""End-to-end alert and secret tests of the built starfleetd: a local webhook receiver sees exactly the alerts the
workers' AlertPriority allows; the webhook URL comes from a systemd credential ($CREDENTIALS_DIRECTORY) and
Starfleet's Slack token from Secrets Manager (moto, AWS keys also from $CREDENTIALS_DIRECTORY); no secret ever
reaches stdout, stderr or the state directory; a webhook that hangs never slows the workers.

Run by scripts/e2e/alerts.sh after `swift build`. The last line is "alerts: N passed, N failed".
"""
import glob
import json
import os
import socket
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from daemon_test import Env, free_port, lines, main, samples, scrape, wait_for  # noqa: E402
from awspeer import MotoServer  # noqa: E402


class Receiver:
    """An HTTP server on a free 127.0.0.1 port that records every POST (path, headers, JSON body) and answers 200
    (or `status` with `reply` as the body)."""

    def __init__(self, status=200, reply=b'{"ok": true}'):
        self.requests = []
        lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with lock:
                    outer.requests.append({"path": self.path, "headers": dict(self.headers), "json": json.loads(body)})
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def alerts(self):
        return sorted((r["json"]["starfleet"]["worker"], r["json"]["starfleet"]["priority"]) for r in self.requests)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# A worker that sends its own alerts (Starfleet's send_alert) through its result.
REPORTER = """#!/bin/sh
cat > /dev/null
echo '{"changed": 2, "starfleet_alerts": [{"priority": "IMPORTANT", "title": "2 things changed", "body": "*a*, *b*"},'
echo ' {"priority": "INFORMATIONAL", "title": "too chatty for an IMPORTANT worker"}]}'
"""


def credentials_dir(env, files):
    """A directory like systemd's $CREDENTIALS_DIRECTORY: one file per credential, mode 0400, directory 0500."""
    path = os.path.join(env.dir, "credentials")
    os.makedirs(path)
    for name, value in files.items():
        with open(os.path.join(path, name), "w") as f:
            f.write(value + "\n")
        os.chmod(os.path.join(path, name), 0o400)
    os.chmod(path, 0o500)
    return path


def worker(env, script, priority, extra=None):
    spec = {"Enabled": "true", "Command": f'["./{script}", "{env.out}/{script}.log"]', "FanOutStrategy": "SINGLE_INVOCATION",
            "InvocationSources": "[S3]", "MaxReceiveCount": 2, "Backoff": "{InitialSeconds: 0, MaxSeconds: 0}"}
    if priority:
        spec["AlertConfiguration"] = f"{{ChannelId: chan-{priority.lower()}, AlertPriority: {priority}}}"
    spec.update(extra or {})
    return spec


def add_starfleet_keys(env, keys):
    """Adds keys to the STARFLEET section Env.write_config wrote."""
    path = os.path.join(env.config, "starfleetd.yaml")
    with open(path) as f:
        text = f.read().replace("STARFLEET:\n", "STARFLEET:\n" + "".join(f"  {k}: {v}\n" for k, v in keys.items()), 1)
    with open(path, "w") as f:
        f.write(text)


def assert_secret_absent(env, *secrets):
    """No secret in the daemon's stdout/stderr (one log file) nor in any file of the state directory."""
    log = env.read_log()
    for secret in secrets:
        assert secret not in log, f"a secret reached the daemon's output: …{log[max(0, log.find(secret) - 200):][:400]}"
        for path in glob.glob(f"{env.state}/**", recursive=True):
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    assert secret.encode() not in f.read(), f"a secret reached {path}"


def test_webhook_from_a_credential_sees_exactly_the_allowed_alerts():
    receiver = Receiver()
    env = Env({})
    try:
        secret = "s3cr3t-" + uuid.uuid4().hex
        url = f"http://127.0.0.1:{receiver.port}/services/T0001/B0002/{secret}"
        creds = credentials_dir(env, {"alert-webhook": url})
        workers = {
            "OkProblem": worker(env, "recorder.sh", "PROBLEM"),       # succeeds: PROBLEM-only workers hear nothing
            "OkSuccess": worker(env, "recorder.sh", "SUCCESS"),       # succeeds: SUCCESS
            "FailImportant": worker(env, "failer.sh", "IMPORTANT"),   # retried (IMPORTANT, coalesced), then dead-lettered (PROBLEM)
            "FailProblem": worker(env, "failer.sh", "PROBLEM"),       # dead-lettered only (PROBLEM)
            "FailNone": worker(env, "failer.sh", "NONE"),             # nothing, ever
            "FailSilent": worker(env, "failer.sh", None),             # no AlertConfiguration: nothing
            "Reporter": worker(env, "reporter.sh", "IMPORTANT"),      # its own IMPORTANT alert, not its INFORMATIONAL one
        }
        with open(os.path.join(env.config, "reporter.sh"), "w") as f:
            f.write(REPORTER)
        os.chmod(os.path.join(env.config, "reporter.sh"), 0o755)
        for name, spec in workers.items():
            spec["TemplatePrefix"] = f"{name}/"
        env.write_config(workers)
        metrics = free_port()
        add_starfleet_keys(env, {"AlertWebhookCredential": "alert-webhook", "MetricsAddress": f"127.0.0.1:{metrics}"})
        env.start({"CREDENTIALS_DIRECTORY": creds})
        for name in workers:
            env.template(f"{name}/t.yaml", "TemplateName: t\nTemplateDescription: d\n")
        for name in ("FailImportant", "FailProblem", "FailNone", "FailSilent"):
            wait_for(lambda: glob.glob(f"{env.state}/dead-letter/{name}/*.json"), 30, f"{name}'s dead letter")
        # The retry is not posted on its own: it is coalesced into FailImportant's summary, sent when its
        # 5-minute window ends or at the stop (checked below).
        expected = [("FailImportant", "PROBLEM"), ("FailProblem", "PROBLEM"),
                    ("OkSuccess", "SUCCESS"), ("Reporter", "IMPORTANT")]
        wait_for(lambda: len(receiver.requests) >= len(expected), 20, f"{len(expected)} alerts")
        time.sleep(1.5)  # anything not allowed would have arrived by now
        assert receiver.alerts() == expected, receiver.alerts()
        assert all(r["path"] == f"/services/T0001/B0002/{secret}" for r in receiver.requests)
        problem = next(r["json"] for r in receiver.requests if r["json"]["starfleet"]["worker"] == "FailProblem")
        letter = os.path.basename(glob.glob(f"{env.state}/dead-letter/FailProblem/*.json")[0])[:-len(".json")]
        assert problem["starfleet"]["messageId"] == letter, (problem, letter)
        assert problem["channel"] == "chan-problem", problem
        assert problem["text"] == "🚨  FailProblem failed 2 times; the message was dead-lettered", problem["text"]
        assert "boom: the payload could not be processed" in problem["starfleet"]["error"], problem["starfleet"]
        assert [b["type"] for b in problem["blocks"]] == ["header", "section"], problem["blocks"]
        own = next(r["json"] for r in receiver.requests if r["json"]["starfleet"]["worker"] == "Reporter")
        assert own["text"] == "📣  2 things changed" and own["blocks"][1]["text"]["text"] == "*a*, *b*", own
        assert f"alerts go to webhook on 127.0.0.1:{receiver.port}" in env.read_log(), env.read_log()[-3000:]
        got = samples(scrape(metrics)[2])
        assert got.get('starfleet_alerts_total{outcome="sent"}') == len(expected), got
        assert got.get('starfleet_alerts_total{outcome="coalesced"}') == 1, got
        assert env.stop() == 0
        summary = [r["json"] for r in receiver.requests[len(expected):]]
        assert [(j["starfleet"]["worker"], j["starfleet"]["priority"]) for j in summary] == [("FailImportant", "IMPORTANT")], summary
        assert summary[0]["text"] == "📣  FailImportant: 1 failed attempt to be retried in the last 5 min", summary[0]["text"]
        assert "alerts held back for worker FailImportant in the last 300 s: 1 retries coalesced" in env.read_log()
        assert_secret_absent(env, secret)
    finally:
        env.cleanup()
        receiver.close()


def test_a_lost_journal_segment_is_one_problem_alert_and_a_gauge_until_acknowledged():
    """issue 13: the daemon starts with a segment missing, posts one PROBLEM alert naming it, sets the gauges."""
    receiver = Receiver()
    env = Env({})
    try:
        creds = credentials_dir(env, {"alert-webhook": f"http://127.0.0.1:{receiver.port}/hook"})
        spec = worker(env, "recorder.sh", "PROBLEM", {"InvocationSources": "[EVENTBRIDGE_TIMED_EVENT]",
                                                      "EventBridgeTimedFrequency": "HOURLY", "TemplatePrefix": "Hourly/"})
        env.write_config({"Hourly": spec})
        metrics = free_port()
        add_starfleet_keys(env, {"AlertWebhookCredential": "alert-webhook", "MetricsAddress": f"127.0.0.1:{metrics}"})
        env.template("Hourly/a.yaml", "TemplateName: a\nTemplateDescription: d\n")
        for _ in range(3):  # daemon stopped: each trigger opens the journal and starts a new segment
            env.ctl("trigger", "HOURLY")
        os.unlink(os.path.join(env.state, "queues", "StarbaseFanOut", "journal", "000000000002.seg"))
        env.start({"CREDENTIALS_DIRECTORY": creds})
        wait_for(lambda: receiver.requests, 20, "the degraded alert")
        time.sleep(1.5)
        assert receiver.alerts() == [("StarbaseFanOut", "PROBLEM")], receiver.alerts()
        alert = receiver.requests[0]["json"]
        assert alert["text"] == "🚨  queue StarbaseFanOut is degraded: missing segments 2", alert["text"]
        assert alert["channel"] == "chan-problem", alert
        assert "starfleetctl queue acknowledge StarbaseFanOut" in json.dumps(alert, ensure_ascii=False), alert
        want = {'starfleet_queue_degraded{queue="StarbaseFanOut"}': 1, 'starfleet_queue_missing_segments{queue="StarbaseFanOut"}': 1,
                'starfleet_queue_degraded{queue="Hourly"}': 0}
        wait_for(lambda: all(samples(scrape(metrics)[2]).get(k) == v for k, v in want.items()), 10, f"the gauges {want}")
        env.ctl("queue", "acknowledge", "StarbaseFanOut")
        wait_for(lambda: samples(scrape(metrics)[2]).get('starfleet_queue_degraded{queue="StarbaseFanOut"}') == 0, 10,
                 "the gauge to clear after the acknowledgement")
        assert env.stop() == 0
    finally:
        env.cleanup()
        receiver.close()


def test_a_failed_webhook_logs_its_status_and_a_redacted_excerpt_never_a_token():
    # A proxy that answers 500 and echoes the request: the URL (a secret) and a token in its body.
    token = "xoxb-" + uuid.uuid4().hex
    echoed = "echo-" + uuid.uuid4().hex
    receiver = Receiver(status=500, reply=f"upstream failed for https://hooks.example/{echoed} with {token}".encode())
    env = Env({})
    try:
        creds = credentials_dir(env, {"alert-webhook": f"http://127.0.0.1:{receiver.port}/hook/{echoed}"})
        env.write_config({"Fails": dict(worker(env, "failer.sh", "PROBLEM"), TemplatePrefix="Fails/")})
        add_starfleet_keys(env, {"AlertWebhookCredential": "alert-webhook"})
        env.start({"CREDENTIALS_DIRECTORY": creds})
        env.template("Fails/t.yaml", "TemplateName: t\nTemplateDescription: d\n")
        wait_for(lambda: "alert not delivered: HTTP 500" in env.read_log(), 30, "the failed delivery logged")
        assert "[redacted]" in env.read_log(), env.read_log()[-2000:]
        assert env.stop() == 0
        assert_secret_absent(env, token, echoed)
    finally:
        env.cleanup()
        receiver.close()


def test_slack_token_from_secrets_manager_with_aws_keys_from_credentials():
    receiver = Receiver()
    env = Env({})
    try:
        with MotoServer() as moto:
            token = "xoxb-" + uuid.uuid4().hex
            moto.client("secretsmanager").create_secret(
                Name="starfleet-secrets", SecretString=json.dumps({"STARFLEET": {"SlackToken": token}, "Other": {"x": 1}}))
            aws_secret = "aws-secret-" + uuid.uuid4().hex
            creds = credentials_dir(env, {"aws_access_key_id": "AKIDCREDENTIALSDIR", "aws_secret_access_key": aws_secret})
            env.write_config({"FailProblem": dict(worker(env, "failer.sh", "PROBLEM", {"MaxReceiveCount": 1}),
                                                  TemplatePrefix="FailProblem/")})
            add_starfleet_keys(env, {"SlackEnabled": "true",
                                     "SecretsManager": "{SecretId: starfleet-secrets, SecretRegion: us-east-1}"})
            peer = moto.env()
            # The AWS keys come only from $CREDENTIALS_DIRECTORY, as LoadCredential= would provide them.
            del peer["AWS_ACCESS_KEY_ID"], peer["AWS_SECRET_ACCESS_KEY"]
            child = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env.start({**child, **peer, "CREDENTIALS_DIRECTORY": creds,
                       "STARFLEET_SLACK_API_URL": f"http://127.0.0.1:{receiver.port}/api/chat.postMessage"})
            env.template("FailProblem/t.yaml", "TemplateName: t\nTemplateDescription: d\n")
            wait_for(lambda: receiver.requests, 30, "the Slack post")
            time.sleep(1)
            assert len(receiver.requests) == 1, receiver.requests
            post = receiver.requests[0]
            assert post["path"] == "/api/chat.postMessage", post["path"]
            assert post["headers"].get("Authorization") == f"Bearer {token}", "the token from the secret was not used"
            assert post["json"]["channel"] == "chan-problem", post["json"]
            assert post["json"]["text"].startswith("🚨  FailProblem"), post["json"]["text"]
            assert "alerts go to Slack chat.postMessage on 127.0.0.1" in env.read_log(), env.read_log()[-3000:]
            assert env.stop() == 0
            assert_secret_absent(env, token, aws_secret)
    finally:
        env.cleanup()
        receiver.close()


def test_a_hanging_webhook_never_slows_the_workers():
    # A listener that accepts connections and never answers: each delivery waits out its timeout.
    hang = socket.socket()
    hang.bind(("127.0.0.1", 0))
    hang.listen(64)
    env = Env({}, accounts=41)
    try:
        creds = credentials_dir(env, {"alert-webhook": f"http://127.0.0.1:{hang.getsockname()[1]}/hook"})
        spec = worker(env, "recorder.sh", "SUCCESS", {"FanOutStrategy": "ACCOUNT", "Concurrency": 8})
        spec["Command"] = f'["./recorder.sh", "{env.out}/records"]'
        env.write_config({"Busy": dict(spec, TemplatePrefix="Busy/")})
        add_starfleet_keys(env, {"AlertWebhookCredential": "alert-webhook"})
        env.start({"CREDENTIALS_DIRECTORY": creds})
        started = time.time()
        env.template("Busy/all.yaml", "TemplateName: t\nTemplateDescription: d\nIncludeAccounts: {AllAccounts: true}\n")
        # 41 accounts, the org root excluded: 40 executions, each a SUCCESS alert: 10 pass the per-worker limit
        # (and the webhook never takes them), 30 are counted into the summary sent at the stop.
        wait_for(lambda: len(lines(f"{env.out}/records")) >= 40, 60, "40 executions")
        took = time.time() - started
        # A generous bound: it proves the workers did not wait on ~40 × 5 s of webhook timeouts.
        assert took < 40, f"40 executions took {took:.1f}s behind a hanging webhook"
        stop_started = time.time()
        assert env.stop(timeout=60) == 0
        assert time.time() - stop_started < 30, "the stop waited too long on undeliverable alerts"
        log = env.read_log()
        assert "alerts held back for worker Busy in the last 300 s: 0 retries coalesced, 30 dropped over the limit of 10" in log, log[-3000:]
    finally:
        env.cleanup()
        hang.close()


if __name__ == "__main__":
    main("alerts", globals())
