#!/usr/bin/env python3
"""End-to-end tests of what a Lambda handler sees of its context and trace, and of hot reload (issue 22 §4, §5).

A template fanned out to 3 accounts runs under one X-Ray Root (`starfleetctl runs --trace` lists those runs), the
function ARN names the configured region and account, the deadline counts down from TimeoutSeconds, a retry gets a
new request id under the same Root, an Invoke API caller's trace header is kept (boto3, the header added by a
botocore event hook); a warm worker under steady invokes picks up new code (a file change, `worker reload`) with no
failed payload. Run by scripts/e2e/lambda-trace.sh.
"""
import json
import os
import re
import threading
import time

import sys
sys.path.insert(0, os.path.dirname(__file__))
from daemon_test import Env, run_tests, wait_for  # noqa: E402
from runtime_test import RIC_PYTHON, python_worker, records, free_port, boto3_lambda  # noqa: E402

ROOT_RE = re.compile(r"^Root=(1-[0-9a-f]{8}-[0-9a-f]{24});Parent=([0-9a-f]{16});Sampled=([01])$")

# Records what Lambda's context and environment say; fails once per FAIL_ONCE marker (a retry's second attempt).
TRACE_HANDLER = """
import json, os

def handler(event, context):
    payload = event
    if isinstance(event, dict) and "Records" in event:
        payload = json.loads(event["Records"][0]["body"])
    line = {"arn": context.invoked_function_arn, "trace": os.environ.get("_X_AMZN_TRACE_ID"),
            "request": context.aws_request_id, "remaining": context.get_remaining_time_in_millis(),
            "account": payload.get("StarbaseAssignedAccount"), "tag": payload.get("tag")}
    with open(os.environ["OUT"], "a") as f:
        f.write(json.dumps(line) + "\\n")
    print("tracer handled", payload.get("StarbaseAssignedAccount"), flush=True)
    marker = os.environ["OUT"] + ".failed-" + str(payload.get("tag"))
    if payload.get("fail_once") and not os.path.exists(marker):
        open(marker, "w").close()
        raise RuntimeError("first attempt fails")
    return {"ok": True}
"""

VERSIONED_HANDLER = """
import os, time

def handler(event, context):
    time.sleep(0.02)
    return {"version": %d, "pid": os.getpid()}
"""


def with_invoke_address(env, port, extra=""):
    path = os.path.join(env.config, "starfleetd.yaml")
    text = open(path).read().replace("STARFLEET:\n", f"STARFLEET:\n  InvokeAddress: 127.0.0.1:{port}\n{extra}")
    with open(path, "w") as f:
        f.write(text)


def runs_for(env, root):
    out = env.ctl("runs", "--trace", root, "--json").stdout
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def traced_client(port, header):
    """boto3's Lambda client with extra request headers, added as an application would: a botocore event hook."""
    client = boto3_lambda(port)

    def add(request, **_):
        for name, value in header.items():
            request.headers[name] = value
    client.meta.events.register("before-sign.lambda.Invoke", add)
    return client


def test_a_fan_out_to_three_accounts_shares_one_root_and_runs_trace_lists_exactly_its_runs():
    env = Env({})
    spec = python_worker(env, "Tracer", TRACE_HANDLER, extra={"FanOutStrategy": "ACCOUNT", "TimeoutSeconds": 25})
    env.write_index(4, ["us-east-1"])  # the first account is the organization's root: 3 payloads
    # A process worker (one process per payload) gets the trace in its environment too.
    script = os.path.join(env.config, "trace.sh")
    with open(script, "w") as f:
        f.write('#!/bin/sh\ncat > /dev/null\necho "$STARFLEET_ACCOUNT_ID $_X_AMZN_TRACE_ID" >> "$1"\necho "{}"\n')
    os.chmod(script, 0o755)
    shell = {"Enabled": "true", "Command": f'["./trace.sh", "{env.out}/shell"]', "FanOutStrategy": "ACCOUNT",
             "TemplatePrefix": "Shell/", "InvocationSources": "[S3]", "Concurrency": 2}
    env.write_config({"Tracer": spec, "Shell": shell})
    path = os.path.join(env.config, "starfleetd.yaml")
    text = open(path).read().replace("STARFLEET:\n", "STARFLEET:\n  DeploymentRegion: eu-west-1\n  LambdaAccountId: \"123456789012\"\n")
    with open(path, "w") as f:
        f.write(text)
    try:
        env.start()
        out = os.path.join(env.out, "Tracer")
        env.template("Tracer/all.yaml", "TemplateName: t\nTemplateDescription: d\nIncludeAccounts: {AllAccounts: true}\n")
        wait_for(lambda: len(records(out)) >= 3, 60, "3 payloads")
        time.sleep(0.3)
        got = records(out)
        assert len(got) == 3, got
        assert {r["arn"] for r in got} == {"arn:aws:lambda:eu-west-1:123456789012:function:Tracer"}, got
        matches = [ROOT_RE.match(r["trace"] or "") for r in got]
        assert all(matches), [r["trace"] for r in got]
        roots = {m.group(1) for m in matches}
        assert len(roots) == 1, f"a fan-out's payloads share one Root: {roots}"
        assert len({m.group(2) for m in matches}) == 3, "each invocation has its own Parent"
        assert len({r["request"] for r in got}) == 3
        # Lambda-Runtime-Deadline-Ms counts down from TimeoutSeconds (25 s): the handler ran well inside it.
        assert all(20_000 < r["remaining"] <= 25_000 for r in got), [r["remaining"] for r in got]
        assert all(m.group(3) == "0" for m in matches), "a trace that starts here is not sampled"
        root = roots.pop()
        # The Root's time part is the fan-out's time (epoch seconds, hex).
        assert abs(int(root.split("-")[1], 16) - time.time()) < 120, root
        # A second fan-out gets a Root of its own; `runs --trace` lists exactly the first one's 3 runs.
        env.template("Tracer/other.yaml", "TemplateName: u\nTemplateDescription: d\nIncludeAccounts: {AllAccounts: true}\n")
        wait_for(lambda: len(records(out)) >= 6, 60, "the second fan-out")
        time.sleep(0.5)
        assert len({ROOT_RE.match(r["trace"]).group(1) for r in records(out)}) == 2
        runs = runs_for(env, root)
        assert len(runs) == 3, runs
        assert {r["traceId"] for r in runs} == {root}
        assert sorted(r["accountId"] for r in runs) == sorted(r["account"] for r in got)
        assert all(r["template"] == "Tracer/all.yaml" for r in runs), runs
        table = env.ctl("runs", "--trace", f"Root={root};Parent=53995c3f42cd8ad8;Sampled=0").stdout
        assert table.strip().endswith("3 runs"), table
        bad = env.ctl("runs", "--trace", "not-a-root", check=False)
        assert bad.returncode == 64 and "expected an X-Ray Root" in bad.stderr, bad.stderr
        # The process worker's payloads: their own fan-out's Root in _X_AMZN_TRACE_ID, listed by runs --trace.
        env.template("Shell/all.yaml", "TemplateName: s\nTemplateDescription: d\nIncludeAccounts: {AllAccounts: true}\n")
        shell_out = os.path.join(env.out, "shell")
        wait_for(lambda: len(open(shell_out).read().splitlines()) >= 3 if os.path.exists(shell_out) else False, 60,
                 "the process worker's 3 payloads")
        shell_lines = [l.split() for l in open(shell_out).read().splitlines()]
        shell_roots = {re.match(r"^Root=(1-[0-9a-f]{8}-[0-9a-f]{24});Sampled=0$", t).group(1) for _, t in shell_lines}
        assert len(shell_roots) == 1 and root not in shell_roots, shell_lines
        time.sleep(0.3)
        shell_runs = runs_for(env, shell_roots.pop())
        assert len(shell_runs) == 3 and {r["worker"] for r in shell_runs} == {"Shell"}, shell_runs
        # The daemon's own log lines about these payloads carry the Root, and so do the lines the handler printed.
        log = env.read_log().splitlines()
        assert any("worker succeeded" in l and f"trace_id={root}" in l for l in log), log[-20:]
        printed = [l for l in log if "tracer handled" in l]
        assert len(printed) >= 6 and sum(f"trace_id={root}" in l for l in printed) == 3, printed
        assert env.stop() == 0
    finally:
        env.cleanup()


def test_an_invoke_api_callers_trace_is_kept_sync_and_async_and_a_retry_gets_a_new_request_id():
    env = Env({})
    port = free_port()
    env.write_config({"Tracer": python_worker(env, "Tracer", TRACE_HANDLER, extra={"MaxReceiveCount": 3})})
    with_invoke_address(env, port)
    try:
        env.start()
        out = os.path.join(env.out, "Tracer")
        caller = "1-6571a2b0-0123456789abcdef01234567"
        client = traced_client(port, {"X-Amzn-Trace-Id": f"Root={caller};Parent=53995c3f42cd8ad8;Sampled=1"})
        answer = client.invoke(FunctionName="Tracer", Payload=b'{"tag": "sync"}')
        assert answer["StatusCode"] == 200 and "FunctionError" not in answer
        sync = [r for r in records(out) if r["tag"] == "sync"]
        assert len(sync) == 1 and sync[0]["trace"].startswith(f"Root={caller};Parent="), sync
        assert not sync[0]["trace"].startswith(f"Root={caller};Parent=53995c3f42cd8ad8"), "the invocation has its own Parent"
        # Asynchronous: the Root goes through the queue; the retry runs under it with a new request id.
        queued = client.invoke(FunctionName="Tracer", InvocationType="Event", Payload=b'{"tag": "async", "fail_once": true}')
        assert queued["StatusCode"] == 202
        wait_for(lambda: len([r for r in records(out) if r["tag"] == "async"]) >= 2, 60, "the retried async invocation")
        attempts = [r for r in records(out) if r["tag"] == "async"]
        assert all(ROOT_RE.match(r["trace"] or "").group(1) == caller for r in attempts), attempts
        # The caller's sampling decision is kept (Lambda's PassThrough).
        assert all(r["trace"].endswith(";Sampled=1") for r in attempts + sync), attempts
        assert attempts[0]["request"] != attempts[1]["request"], "each attempt has its own aws_request_id"
        assert attempts[0]["trace"] != attempts[1]["trace"], "each attempt has its own Parent"
        # W3C traceparent alone: the Root is its trace id in X-Ray's form.
        w3c = traced_client(port, {"traceparent": "00-4efaaf4d1e8720b39541901950019ee5-53995c3f42cd8ad8-01"})
        w3c.invoke(FunctionName="Tracer", Payload=b'{"tag": "w3c"}')
        w3c_run = [r for r in records(out) if r["tag"] == "w3c"]
        assert ROOT_RE.match(w3c_run[0]["trace"]).group(1) == "1-4efaaf4d-1e8720b39541901950019ee5", w3c_run
        # Without a header, a new Root per invocation.
        plain = boto3_lambda(port)
        plain.invoke(FunctionName="Tracer", Payload=b'{"tag": "plain"}')
        plain.invoke(FunctionName="Tracer", Payload=b'{"tag": "plain"}')
        plain_roots = {ROOT_RE.match(r["trace"]).group(1) for r in records(out) if r["tag"] == "plain"}
        assert len(plain_roots) == 2 and caller not in plain_roots, plain_roots
        time.sleep(0.5)
        runs = runs_for(env, caller)
        assert sorted(r["outcome"] for r in runs) == ["failed-will-retry", "succeeded", "succeeded"], runs
        assert env.stop() == 0
    finally:
        env.cleanup()


def test_awslambdaric_sees_the_same_context_and_trace():
    """AWS's own runtime client (Runtime: provided) reads the same headers: ARN, deadline, request id, trace."""
    if not os.access(RIC_PYTHON, os.X_OK):
        raise AssertionError(f"awslambdaric's venv is missing ({RIC_PYTHON}); scripts/e2e/lambda-trace.sh makes it")
    env = Env({})
    port = free_port()
    spec = python_worker(env, "Aws", TRACE_HANDLER, runtime="provided",
                         extra={"Command": f"[{RIC_PYTHON}, -m, awslambdaric, handler.handler]", "TimeoutSeconds": 20})
    env.write_config({"Aws": spec})
    with_invoke_address(env, port, extra='  LambdaAccountId: "210987654321"\n')
    try:
        env.start()
        caller = "1-6571a2b0-89abcdef0123456789abcdef"
        client = traced_client(port, {"X-Amzn-Trace-Id": f"Root={caller};Sampled=0"})
        for _ in range(2):
            answer = client.invoke(FunctionName="Aws", Payload=b'{"tag": "ric"}')
            assert answer["StatusCode"] == 200 and "FunctionError" not in answer, answer["Payload"].read()
        got = records(os.path.join(env.out, "Aws"))
        assert len(got) == 2, got
        assert {r["arn"] for r in got} == {"arn:aws:lambda:us-east-1:210987654321:function:Aws"}, got
        assert all(ROOT_RE.match(r["trace"] or "").group(1) == caller for r in got), got
        assert len({r["request"] for r in got}) == 2 and len({r["trace"] for r in got}) == 2
        assert all(15_000 < r["remaining"] <= 20_000 for r in got), got
        assert env.stop() == 0
    finally:
        env.cleanup()


# A bare `provided` runtime client: it records the headers of each `next` response as they came.
HEADER_CLIENT = """
import http.client, json, os
host, _, prefix = os.environ["AWS_LAMBDA_RUNTIME_API"].partition("/")
conn = http.client.HTTPConnection(host)
while True:
    conn.request("GET", "/" + prefix + "/2018-06-01/runtime/invocation/next")
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        break
    headers = {k.lower(): v for k, v in response.getheaders()}
    with open(os.environ["OUT"], "a") as f:
        f.write(json.dumps(headers) + "\\n")
    request_id = headers["lambda-runtime-aws-request-id"]
    conn.request("POST", "/" + prefix + "/2018-06-01/runtime/invocation/" + request_id + "/response", b"{}")
    conn.getresponse().read()
"""


def test_a_callers_w3c_traceparent_reaches_the_runtime_beside_the_xray_header():
    env = Env({})
    port = free_port()
    directory = os.path.join(env.config, "workers", "Raw")
    os.makedirs(directory)
    with open(os.path.join(directory, "client.py"), "w") as f:
        f.write(HEADER_CLIENT)
    spec = python_worker(env, "Raw", "", runtime="provided", extra={"Command": "[python3, client.py]"})
    env.write_config({"Raw": spec})
    with_invoke_address(env, port)
    try:
        env.start()
        parent = "00-4efaaf4d1e8720b39541901950019ee5-53995c3f42cd8ad8-01"
        traced_client(port, {"traceparent": parent}).invoke(FunctionName="Raw", Payload=b"{}")
        boto3_lambda(port).invoke(FunctionName="Raw", Payload=b"{}")
        seen = records(os.path.join(env.out, "Raw"))
        assert len(seen) == 2, seen
        assert seen[0]["traceparent"] == parent, seen[0]
        assert ROOT_RE.match(seen[0]["lambda-runtime-trace-id"]).group(1) == "1-4efaaf4d-1e8720b39541901950019ee5"
        # Without one from the caller there is no traceparent, and still an X-Ray header.
        assert "traceparent" not in seen[1] and ROOT_RE.match(seen[1]["lambda-runtime-trace-id"]), seen[1]
        assert env.stop() == 0
    finally:
        env.cleanup()


class SteadyInvokes:
    """Threads invoking a worker back to back; each answer is kept with the time its request was sent."""

    def __init__(self, port, worker, threads=2):
        self.results = []
        self.errors = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.loop, args=(port, worker)) for _ in range(threads)]
        for t in self.threads:
            t.start()

    def loop(self, port, worker):
        client = boto3_lambda(port)
        while not self.stop.is_set():
            sent = time.time()
            try:
                answer = client.invoke(FunctionName=worker, Payload=b"{}")
                body = json.loads(answer["Payload"].read())
                with self.lock:
                    if "FunctionError" in answer:
                        self.errors.append(body)
                    else:
                        self.results.append((sent, body))
            except Exception as exc:  # a refused or dropped request is a failed payload too
                with self.lock:
                    self.errors.append(repr(exc))

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(60)
        return self.results, self.errors


def write_handler(env, version):
    # As an editor saves: a temporary file renamed onto the handler.
    directory = os.path.join(env.config, "workers", "Hot")
    tmp = os.path.join(directory, ".handler.py.tmp")
    with open(tmp, "w") as f:
        f.write(VERSIONED_HANDLER % version)
    os.rename(tmp, os.path.join(directory, "handler.py"))


def reload_lines(env):
    return env.read_log().count("reloading the worker's code")


def test_a_busy_worker_picks_up_changed_code_and_worker_reload_without_a_failed_payload():
    env = Env({})
    port = free_port()
    plain = {"Enabled": "true", "Command": f'["./recorder.sh", "{env.out}/plain"]', "FanOutStrategy": "SINGLE_INVOCATION",
             "TemplatePrefix": "Plain/", "InvocationSources": "[S3]"}
    env.write_config({"Hot": python_worker(env, "Hot", VERSIONED_HANDLER % 1, extra={"Concurrency": 2}), "Plain": plain})
    with_invoke_address(env, port)
    try:
        env.start()
        steady = SteadyInvokes(port, "Hot")
        wait_for(lambda: len(steady.results) >= 20, 60, "invocations on version 1")
        # `starfleetctl worker reload`: processes replaced, none serves an invocation sent after the command returned.
        before = {body["pid"] for _, body in steady.results}
        reloaded = env.ctl("worker", "reload", "Hot")
        after_command = time.time()
        assert "warm process" in reloaded.stdout, reloaded.stdout
        wait_for(lambda: len([1 for sent, _ in steady.results if sent > after_command]) >= 20, 60, "invocations after reload")
        late = [body["pid"] for sent, body in steady.results if sent > after_command]
        assert not set(late) & before, f"an old process served after the reload: {set(late) & before}"
        assert reload_lines(env) == 1

        # Editors' temporary files are not code: no reload.
        directory = os.path.join(env.config, "workers", "Hot")
        for name in [".handler.py.swp", "handler.py~", "4913"]:
            with open(os.path.join(directory, name), "w") as f:
                f.write("x")
        time.sleep(1.5)
        assert reload_lines(env) == 1, "a temporary file reloaded the worker"

        # The handler file changes mid-stream: every invocation sent after the reload answers with the new code.
        write_handler(env, 22)
        wait_for(lambda: reload_lines(env) == 2, 30, "the reload after the file change")
        seen = time.time()
        wait_for(lambda: len([1 for sent, _ in steady.results if sent > seen]) >= 20, 60, "invocations after the change")
        results, errors = steady.finish()
        assert not errors, f"{len(errors)} failed payloads: {errors[:3]}"
        stale = [body for sent, body in results if sent > seen and body["version"] != 22]
        assert not stale, f"old code answered after the reload: {stale[:3]}"
        assert any(body["version"] == 22 for _, body in results)
        assert reload_lines(env) == 2, "one reload (one log line) per change"
        # A worker without warm processes cannot be reloaded; the command says so, and so does the route.
        missing = env.ctl("worker", "reload", "Nobody", check=False)
        assert missing.returncode == 64, missing.stderr
        assert env.ctl("worker", "reload", "Plain", check=False).returncode == 64
        import http.client
        for name, status, kind in [("Plain", 409, "ResourceConflictException"), ("Nobody", 404, "ResourceNotFoundException"),
                                   ("Hot", 202, None)]:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("POST", f"/starfleet/workers/{name}/reload")
            response = conn.getresponse()
            body = response.read()
            assert response.status == status, (name, response.status, body)
            assert kind is None or response.getheader("x-amzn-ErrorType") == kind, (name, response.getheaders())
        answer = json.loads(body)
        assert answer["worker"] == "Hot" and 1 <= answer["processes"] <= 3, body  # Concurrency 2, +1 for direct invokes
        assert env.stop() == 0
    finally:
        env.cleanup()


if __name__ == "__main__":
    run_tests(globals(), "lambda-trace")
