#!/usr/bin/env python3
"""End-to-end tests of warm workers on the Lambda Runtime API and of the Invoke API (issue 11).

Real daemon, real interpreters: Python handlers under `Runtime: python` (our runtime client) and under
`Runtime: provided` with AWS's own awslambdaric, a node handler under `Runtime: nodejs`, boto3's Lambda client
against the Invoke API. Run by scripts/e2e/runtime.sh, which builds the binaries and makes the awslambdaric venv.
"""
import base64
import botocore.exceptions
import glob
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from daemon_test import Env, run_tests, wait_for, lines  # noqa: E402

RIC_PYTHON = os.environ.get("STARFLEET_RIC_PYTHON", os.path.expanduser("~/.cache/starfleetd-awslambdaric/bin/python3"))
SECRET = "s3cr3t-" + base64.b32encode(os.urandom(10)).decode().lower()

# A Lambda handler as users write it: nothing of starfleetd in it.
RECORDING_HANDLER = """
import json, os, time

def handler(event, context):
    payload = event
    if isinstance(event, dict) and "Records" in event:
        payload = json.loads(event["Records"][0]["body"])
    mode = payload.get("mode")
    if mode == "raise":
        with open(os.environ["OUT"] + ".attempts", "a") as f:
            f.write("x\\n")
        raise ValueError("the payload could not be processed: " + payload.get("why", "no reason"))
    if mode == "hang":
        with open(os.environ["OUT"] + ".hung", "a") as f:
            f.write(str(os.getpid()) + "\\n")
        time.sleep(3600)
    if mode == "slow":
        with open(os.environ["OUT"] + ".slow", "a") as f:
            f.write(str(os.getpid()) + "\\n")
        time.sleep(2)
    line = {"pid": os.getpid(), "account": payload.get("StarbaseAssignedAccount"),
            "region": payload.get("StarbaseAssignedRegion"), "request": context.aws_request_id}
    with open(os.environ["OUT"], "a") as f:
        f.write(json.dumps(line) + "\\n")
    return {"ok": True, "pid": os.getpid(), "echo": payload.get("echo")}
"""

ENV_HANDLER = """
import json, os

def handler(event, context):
    config = json.load(open(os.environ["STARFLEET_WORKER_CONFIG_FILE"]))
    secrets = json.load(open(os.environ["STARFLEET_SECRETS_FILE"]))
    return {"own_key": config.get("OwnKey"), "passed": os.environ.get("PASSED_VAR"), "fixed": os.environ.get("FIXED_VAR"),
            "region": os.environ.get("AWS_REGION"), "secret_len": len(secrets["Credentials"]["api-token"]),
            "secret_ok": secrets["Credentials"]["api-token"] == event.get("expect")}
"""

NODE_HANDLER = """
exports.handler = async (event, context) => {
  return { ok: true, node: process.version, echo: event.echo, request: context.awsRequestId };
};
"""

SIBLING_CALLER = """
import json, boto3

def handler(event, context):
    client = boto3.client("lambda")
    answer = client.invoke(FunctionName="Callee", Payload=json.dumps({"echo": event.get("echo")}).encode())
    queued = client.invoke(FunctionName="Callee", InvocationType="Event", Payload=json.dumps({"echo": "async"}).encode())
    return {"sibling": json.loads(answer["Payload"].read()), "queued_status": queued["StatusCode"]}
"""


def python_worker(env, name, code, handler="handler.handler", extra=None, runtime="python"):
    directory = os.path.join(env.config, "workers", name)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, handler.split(".")[0] + (".js" if runtime == "nodejs" else ".py")), "w") as f:
        f.write(code)
    spec = {"Enabled": "true", "TemplatePrefix": f"{name}/", "InvocationSources": "[S3]", "FanOutStrategy": "SINGLE_INVOCATION",
            "Runtime": runtime, "CodeDirectory": f"workers/{name}", "Concurrency": 2, "VisibilityTimeoutSeconds": 30,
            "TimeoutSeconds": 20, "Backoff": "{InitialSeconds: 0, MaxSeconds: 0}",
            "Environment": "{OUT: " + os.path.join(env.out, name) + "}"}
    if runtime != "provided":
        spec["Handler"] = handler
    spec.update(extra or {})
    return spec


def invoke(env, worker, payload, *extra, check=True):
    path = os.path.join(env.dir, f"payload-{time.time_ns()}.json")
    with open(path, "w") as f:
        json.dump(payload, f)
    return env.ctl("invoke", worker, "--payload", path, *extra, check=check)


def records(path):
    try:
        with open(path) as f:
            return [json.loads(l) for l in f if l.strip()]
    except FileNotFoundError:
        return []


def test_python_handler_serves_1000_payloads_with_at_most_concurrency_processes():
    # 101 accounts, one of them the organization's root (Starfleet skips it), × 10 regions = 1,000 payloads.
    env = Env({})
    spec = python_worker(env, "Fleet", RECORDING_HANDLER, extra={"FanOutStrategy": "ACCOUNT_REGION", "Concurrency": 4})
    env.write_index(101, ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-west-3",
                          "eu-central-1", "eu-north-1", "ap-south-1"])
    env.write_config({"Fleet": spec})
    try:
        env.start()
        env.template("Fleet/all.yaml", "TemplateName: t\nTemplateDescription: d\nIncludeAccounts: {AllAccounts: true}\nIncludeRegions: [ALL]\n")
        out = os.path.join(env.out, "Fleet")
        wait_for(lambda: len(records(out)) >= 1000, 120, "1,000 payloads")
        time.sleep(0.5)
        got = records(out)
        assert len(got) == 1000, len(got)
        assert len({(r["account"], r["region"]) for r in got}) == 1000
        pids = {r["pid"] for r in got}
        assert 1 <= len(pids) <= 4, f"{len(pids)} processes served 1,000 payloads (Concurrency 4)"
        assert env.stop() == 0
    finally:
        env.cleanup()


def test_handler_exception_dead_letters_after_max_receive_count_with_its_message():
    env = Env({})
    env.write_config({"Raiser": python_worker(env, "Raiser", RECORDING_HANDLER, extra={"MaxReceiveCount": 3})})
    try:
        env.start()
        env.ctl("invoke", "Raiser", "--payload", write(env, {"mode": "raise", "why": "quota exceeded"}), "--async")
        letters = wait_for(lambda: glob.glob(os.path.join(env.state, "dead-letter", "Raiser", "*.json")), 60, "a dead letter")
        letter = json.load(open(letters[0]))
        text = json.dumps(letter)
        assert "ValueError: the payload could not be processed: quota exceeded" in text, text
        assert "Traceback" in text or "line" in text, text  # the handler's stack trace is kept
        assert len(lines(os.path.join(env.out, "Raiser.attempts"))) == 3
        assert env.stop() == 0
    finally:
        env.cleanup()


def write(env, payload):
    path = os.path.join(env.dir, f"payload-{time.time_ns()}.json")
    with open(path, "w") as f:
        json.dump(payload, f)
    return path


def test_hanging_handler_is_killed_at_timeout_and_a_fresh_process_serves_the_next():
    env = Env({})
    env.write_config({"Hanger": python_worker(env, "Hanger", RECORDING_HANDLER,
                                              extra={"TimeoutSeconds": 1, "Concurrency": 1, "MaxReceiveCount": 1})})
    try:
        env.start()
        started = time.time()
        r = invoke(env, "Hanger", {"mode": "hang"}, check=False)
        assert r.returncode == 1 and "Task timed out after 1.00 seconds" in r.stderr, r.stderr  # Lambda's words
        assert time.time() - started < 10
        hung = int(lines(os.path.join(env.out, "Hanger.hung"))[0][0])
        wait_for(lambda: not os.path.exists(f"/proc/{hung}"), 10, "the hung process to be gone")
        r = invoke(env, "Hanger", {"echo": "after"})
        answer = json.loads(r.stdout)
        assert answer["echo"] == "after" and answer["pid"] != hung, answer
        assert env.stop() == 0
    finally:
        env.cleanup()


def test_sigkill_of_a_warm_process_mid_invocation_loses_nothing():
    env = Env({})
    env.write_config({"Slow": python_worker(env, "Slow", RECORDING_HANDLER, extra={"Concurrency": 1})})
    try:
        env.start()
        env.ctl("invoke", "Slow", "--payload", write(env, {"mode": "slow", "echo": "kept"}), "--async")
        slow = os.path.join(env.out, "Slow.slow")
        pid = int(wait_for(lambda: lines(slow), 30, "the slow handler to start")[0][0])
        os.kill(pid, signal.SIGKILL)
        # The message comes back (backoff 0) and its second attempt runs on a fresh process to the end.
        done = wait_for(lambda: records(os.path.join(env.out, "Slow")), 30, "the retried payload to finish")
        assert len(lines(slow)) == 2 and done[0]["pid"] != pid
        assert not glob.glob(os.path.join(env.state, "dead-letter", "Slow", "*.json"))
        assert env.stop() == 0
    finally:
        env.cleanup()


def test_worker_reads_its_keys_environment_region_and_secret_which_leaks_nowhere():
    env = Env({})
    creds = os.path.join(env.dir, "credentials")
    os.makedirs(creds)
    with open(os.path.join(creds, "api-token"), "w") as f:
        f.write(SECRET + "\n")
    spec = python_worker(env, "Reader", ENV_HANDLER, extra={
        "OwnKey": "mine", "PassEnvironment": "[PASSED_VAR]", "Environment": "{FIXED_VAR: fixed}", "Credentials": "[api-token]"})
    env.write_config({"Reader": spec})
    text = open(os.path.join(env.config, "starfleetd.yaml")).read().replace("STARFLEET:\n", "STARFLEET:\n  DeploymentRegion: eu-central-1\n")
    with open(os.path.join(env.config, "starfleetd.yaml"), "w") as f:
        f.write(text)
    try:
        env.start(env={"CREDENTIALS_DIRECTORY": creds, "PASSED_VAR": "passed-through"})
        answer = json.loads(invoke(env, "Reader", {"expect": SECRET}).stdout)
        assert answer == {"own_key": "mine", "passed": "passed-through", "fixed": "fixed", "region": "eu-central-1",
                          "secret_len": len(SECRET), "secret_ok": True}, answer
        # The secret is in the worker's 0600 secrets file and nowhere else: not in any process's environment or argv,
        # the daemon's log, state files or dead letters.
        secrets_files = glob.glob(os.path.join(env.state, "run", "workers", "Reader", "secrets.json"))
        assert secrets_files and oct(os.stat(secrets_files[0]).st_mode & 0o777) == "0o600"
        for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
            for what in ("environ", "cmdline"):
                try:
                    with open(f"/proc/{pid}/{what}", "rb") as f:
                        assert SECRET.encode() not in f.read(), f"the secret is in /proc/{pid}/{what}"
                except (FileNotFoundError, PermissionError, ProcessLookupError):
                    pass
        assert env.stop() == 0
        assert SECRET not in env.read_log()
        for root, _, files in os.walk(env.state):
            for name in files:
                path = os.path.join(root, name)
                if path in secrets_files or not os.path.isfile(path):
                    continue
                with open(path, "rb") as f:
                    assert SECRET.encode() not in f.read(), f"the secret leaked into {path}"
    finally:
        env.cleanup()


GROWING_HANDLER = """
import os
kept = []

def handler(event, context):
    if event.get("grow"):
        kept.append(bytearray(160 * 1024 * 1024))  # touched: resident, past MemorySize 128
        for i in range(0, len(kept[-1]), 4096):
            kept[-1][i] = 1
    return {"pid": os.getpid()}
"""


def test_a_process_past_memory_size_or_max_invocations_is_replaced_after_its_invocation():
    env = Env({})
    grow = python_worker(env, "Grow", GROWING_HANDLER, extra={"Concurrency": 1, "MemorySize": 128})
    count = python_worker(env, "Count", GROWING_HANDLER, extra={"Concurrency": 1, "MaxInvocationsPerProcess": 2})
    env.write_config({"Grow": grow, "Count": count})
    try:
        env.start()
        first = json.loads(invoke(env, "Grow", {}).stdout)["pid"]
        grown = json.loads(invoke(env, "Grow", {"grow": True}).stdout)["pid"]
        after = json.loads(invoke(env, "Grow", {}).stdout)["pid"]
        assert first == grown and after != grown, (first, grown, after)
        assert "warm process passed MemorySize; replacing it" in env.read_log()
        pids = [json.loads(invoke(env, "Count", {}).stdout)["pid"] for _ in range(5)]
        assert pids[0] == pids[1] and pids[2] == pids[3] and pids[1] != pids[2] and pids[3] != pids[4], pids
        assert env.stop() == 0
    finally:
        env.cleanup()


SM_HANDLER = """
import json, os

def handler(event, context):
    secrets = json.load(open(os.environ["STARFLEET_SECRETS_FILE"]))
    return {"mine": secrets["Secrets"] == {"token": event["expect"]}, "keys": sorted(secrets["Secrets"])}
"""


def test_worker_gets_its_own_entry_of_starfleets_secrets_manager_secret():
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
    from awspeer import MotoServer
    env = Env({})
    env.write_config({"Holder": python_worker(env, "Holder", SM_HANDLER)})
    text = open(os.path.join(env.config, "starfleetd.yaml")).read().replace(
        "STARFLEET:\n", "STARFLEET:\n  SecretsManager: {SecretId: starfleet-secrets, SecretRegion: us-east-1}\n")
    with open(os.path.join(env.config, "starfleetd.yaml"), "w") as f:
        f.write(text)
    try:
        with MotoServer() as moto:
            moto.client("secretsmanager").create_secret(Name="starfleet-secrets", SecretString=json.dumps(
                {"STARFLEET": {"SlackToken": "xoxb-not-for-workers"}, "Holder": {"token": SECRET}, "Other": {"token": "theirs"}}))
            env.start({**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")}, **moto.env()})
            answer = json.loads(invoke(env, "Holder", {"expect": SECRET}).stdout)
            assert answer == {"mine": True, "keys": ["token"]}, answer
            assert env.stop() == 0
        assert SECRET not in env.read_log() and "theirs" not in env.read_log()
        for root, _, files in os.walk(env.state):
            for name in files:
                if name == "secrets.json":
                    continue
                with open(os.path.join(root, name), "rb") as f:
                    assert SECRET.encode() not in f.read(), f"the secret leaked into {name}"
    finally:
        env.cleanup()


def test_awslambdaric_under_runtime_provided_and_node_under_nodejs():
    if not os.access(RIC_PYTHON, os.X_OK):
        raise AssertionError(f"awslambdaric's venv is missing ({RIC_PYTHON}); scripts/e2e/runtime.sh makes it")
    env = Env({})
    ric = python_worker(env, "Ric", RECORDING_HANDLER, runtime="provided",
                        extra={"Command": f"[{RIC_PYTHON}, -m, awslambdaric, handler.handler]"})
    node = python_worker(env, "Node", NODE_HANDLER, runtime="nodejs")
    env.write_config({"Ric": ric, "Node": node})
    try:
        env.start()
        first = json.loads(invoke(env, "Ric", {"echo": "ric-1"}).stdout)
        second = json.loads(invoke(env, "Ric", {"echo": "ric-2"}).stdout)
        assert first["echo"] == "ric-1" and second["echo"] == "ric-2" and first["pid"] == second["pid"], (first, second)
        r = invoke(env, "Ric", {"mode": "raise", "why": "ric"}, check=False)
        assert r.returncode == 1 and "ValueError" in r.stderr and "ric" in r.stderr, r.stderr
        answer = json.loads(invoke(env, "Node", {"echo": "from-node"}).stdout)
        assert answer["ok"] is True and answer["echo"] == "from-node" and answer["node"].startswith("v"), answer
        assert env.stop() == 0
    finally:
        env.cleanup()


def boto3_lambda(port):
    import boto3
    return boto3.client("lambda", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id="local", aws_secret_access_key="local")


def test_boto3_invokes_through_the_invoke_api_and_a_worker_invokes_its_sibling():
    env = Env({})
    port = free_port()
    callee = python_worker(env, "Callee", RECORDING_HANDLER)
    caller = python_worker(env, "Caller", SIBLING_CALLER, extra={"Environment": "{AWS_ACCESS_KEY_ID: local, AWS_SECRET_ACCESS_KEY: local}"})
    env.write_config({"Callee": callee, "Caller": caller})
    text = open(os.path.join(env.config, "starfleetd.yaml")).read().replace("STARFLEET:\n", f"STARFLEET:\n  InvokeAddress: 127.0.0.1:{port}\n")
    with open(os.path.join(env.config, "starfleetd.yaml"), "w") as f:
        f.write(text)
    try:
        env.start()
        client = boto3_lambda(port)
        answer = client.invoke(FunctionName="Callee", Payload=b'{"echo": "boto3"}')
        assert answer["StatusCode"] == 200 and "FunctionError" not in answer
        assert json.loads(answer["Payload"].read())["echo"] == "boto3"
        failed = client.invoke(FunctionName="Callee", Payload=b'{"mode": "raise", "why": "boto"}')
        assert failed["FunctionError"] == "Unhandled"
        assert "ValueError" in json.loads(failed["Payload"].read())["errorType"]
        queued = client.invoke(FunctionName="Callee", InvocationType="Event", Payload=b'{"echo": "queued"}')
        assert queued["StatusCode"] == 202
        wait_for(lambda: any(r.get("request") for r in records(os.path.join(env.out, "Callee"))), 30, "the queued invocation")
        assert client.invoke(FunctionName="Callee", InvocationType="DryRun")["StatusCode"] == 204
        try:
            client.invoke(FunctionName="Nobody", Payload=b"{}")
            raise AssertionError("an unknown function was invoked")
        except client.exceptions.ResourceNotFoundException:
            pass
        sibling = json.loads(client.invoke(FunctionName="Caller", Payload=b'{"echo": "via-sibling"}')["Payload"].read())
        assert sibling["sibling"]["echo"] == "via-sibling" and sibling["queued_status"] == 202, sibling
        wait_for(lambda: len(records(os.path.join(env.out, "Callee"))) >= 4, 30, "the sibling's queued invocation")
        assert env.stop() == 0
    finally:
        env.cleanup()


def test_boto3_invokes_by_arn_and_qualifier_and_meets_lambdas_payload_limits():
    """Issue 22 (item 3, first part): FunctionName as Lambda takes it (boto3 percent-encodes an ARN in the path), the
    Qualifier parameter, and the 413 for payloads over 6 MB (synchronous) or 1 MB (asynchronous)."""
    env = Env({})
    port = free_port()
    env.write_config({"Callee": python_worker(env, "Callee", RECORDING_HANDLER)})
    text = open(os.path.join(env.config, "starfleetd.yaml")).read().replace("STARFLEET:\n", f"STARFLEET:\n  InvokeAddress: 127.0.0.1:{port}\n")
    with open(os.path.join(env.config, "starfleetd.yaml"), "w") as f:
        f.write(text)
    try:
        env.start()
        client = boto3_lambda(port)
        for name, qualifier in [("arn:aws:lambda:us-east-1:123456789012:function:Callee", None),
                                ("arn:aws:lambda:eu-west-1:123456789012:function:Callee:$LATEST", None),
                                ("123456789012:function:Callee", None), ("Callee:$LATEST", None), ("Callee", "$LATEST")]:
            extra = {"Qualifier": qualifier} if qualifier else {}
            answer = client.invoke(FunctionName=name, Payload=json.dumps({"echo": name}).encode(), **extra)
            assert answer["StatusCode"] == 200 and json.loads(answer["Payload"].read())["echo"] == name, name
        for name, qualifier in [("Callee", "prod"), ("Callee:1", None), ("arn:aws:lambda:us-east-1:123456789012:function:Nobody", None)]:
            extra = {"Qualifier": qualifier} if qualifier else {}
            try:
                client.invoke(FunctionName=name, Payload=b"{}", **extra)
                raise AssertionError(f"{name} {qualifier} was invoked")
            except client.exceptions.ResourceNotFoundException:
                pass
        big = json.dumps({"pad": "x" * (6 * 1024 * 1024)}).encode()
        async_big = json.dumps({"pad": "x" * (1024 * 1024)}).encode()
        for payload, kind in [(big, "RequestResponse"), (async_big, "Event")]:
            try:
                client.invoke(FunctionName="Callee", Payload=payload, InvocationType=kind)
                raise AssertionError(f"a {len(payload)}-byte {kind} payload was accepted")
            except botocore.exceptions.ClientError as e:  # Lambda's own answer, not the service model's shape name
                assert e.response["Error"]["Code"] == "RequestEntityTooLargeException", e.response
                assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 413
        assert client.invoke(FunctionName="Callee", InvocationType="Event", Payload=b'{"echo": "small"}')["StatusCode"] == 202
        assert env.stop() == 0
    finally:
        env.cleanup()


def test_another_user_and_a_foreign_process_cannot_take_or_answer_an_invocation():
    env = Env({})
    env.write_config({"Guarded": python_worker(env, "Guarded", RECORDING_HANDLER, extra={"Concurrency": 1})})
    user = "sfd-e2e-other"
    subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", user], capture_output=True)
    pwd.getpwnam(user)  # the test needs a second uid (it runs as root in CI)
    try:
        env.start()
        invoke(env, "Guarded", {"echo": "warm"})  # a warm process exists and waits in …/next
        port = workers_port(env)
        env.ctl("invoke", "Guarded", "--payload", write(env, {"mode": "slow", "echo": "pending"}), "--async")
        client = (
            "import http.client, sys\n"
            f"c = http.client.HTTPConnection('127.0.0.1', {port}, timeout=5)\n"
            "try:\n"
            "    c.request('GET', '/2018-06-01/runtime/invocation/next'); r = c.getresponse(); print(r.status, r.read()[:200])\n"
            "    c.request('POST', '/2018-06-01/runtime/invocation/forged/response', b'{\"forged\": true}'); r = c.getresponse(); print(r.status)\n"
            "except (ConnectionError, http.client.HTTPException) as e:\n"
            "    print('closed', type(e).__name__)\n"
        )
        # Another user's connection is closed as it is accepted, before a byte is read.
        other = subprocess.run(["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", sys.executable, "-c", client],
                               capture_output=True, text=True, timeout=30)
        assert other.stdout.split()[0] == "closed", other.stdout + other.stderr
        # The daemon's own user without a process's token: 403.
        same_user = subprocess.run([sys.executable, "-c", client], capture_output=True, text=True, timeout=30)
        assert same_user.stdout.split()[0] == "403", same_user.stdout + same_user.stderr
        wait_for(lambda: len(records(os.path.join(env.out, "Guarded"))) >= 2, 30, "both payloads")
        time.sleep(0.3)
        assert len(records(os.path.join(env.out, "Guarded"))) == 2
        assert "to the workers' Runtime and Invoke API in the last minute: another user may not use it" in env.read_log()
        assert env.stop() == 0
    finally:
        env.cleanup()
        subprocess.run(["userdel", user], capture_output=True)


def workers_port(env):
    match = re.search(r"serving the workers' Runtime and Invoke API address=127\.0\.0\.1:(\d+)", env.read_log())
    assert match, env.read_log()
    return int(match.group(1))


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


if __name__ == "__main__":
    run_tests(globals(), "runtime")
