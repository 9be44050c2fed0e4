#!/usr/bin/env python3
"""Tests of the worker runtime clients and SDKs in runtimes/ (python and node) against a stand-in for starfleetd's
Runtime API + Invoke API + alert endpoint (a small HTTP server in this file), so the clients are checked in
isolation: results and error documents, init errors, one TCP connection per process (and reconnection), client
context keys reaching the SDK context, SQS-shaped events, context.invoke / context.alert, per-payload mode.
Also prints (does not assert) the per-invocation round trip of the clients over 2,000 invocations.

Run by scripts/e2e/runtime-clients.sh (standard library only; needs python3 >= 3.8 and node >= 18 on PATH).
Arguments select tests by substring. The last line is "runtime-clients: N passed, M failed".
"""
import base64
import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PY_RUNTIME = os.path.join(ROOT, "runtimes", "python")
NODE_RUNTIME = os.path.join(ROOT, "runtimes", "node")
PYTHON = os.environ.get("PYTHON", sys.executable or "python3")
NODE = os.environ.get("NODE", shutil.which("node") or "node")
WAIT = 10.0

# ---------------------------------------------------------------------------------------------------------------
# The stand-in daemon


class FakeDaemon:
    """Runtime API (next / response / error / init error), the starfleet alert extension and the Invoke API on one
    127.0.0.1 port, as the contract puts them. Records which client ports (TCP connections) made each request."""

    def __init__(self, prefix=""):
        self.prefix = prefix
        self.events = queue.Queue()
        self.cond = threading.Condition()
        self.results = {}
        self.init_errors = []
        self.alerts = []
        self.invokes = []
        self.runtime_ports = set()
        self.all_ports = set()
        self.close_after_next = 0   # answer the Nth next from now with Connection: close
        self.stopped = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                BaseHTTPRequestHandler.setup(self)
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, *args):
                pass

            def _reply(self, status, body=b"", headers=None):
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

            def _path(self):
                path = self.path
                if outer.prefix:
                    if not path.startswith(outer.prefix + "/"):
                        return None
                    path = path[len(outer.prefix):]
                return path

            def do_GET(self):
                path = self._path()
                outer.all_ports.add(self.client_address[1])
                if path != "/2018-06-01/runtime/invocation/next":
                    return self._reply(404, b'{"message": "not found"}')
                outer.runtime_ports.add(self.client_address[1])
                while True:
                    if outer.stopped:
                        self.close_connection = True
                        return
                    try:
                        rid, body, headers = outer.events.get(timeout=0.2)
                        break
                    except queue.Empty:
                        continue
                headers = dict(headers)
                headers["Content-Type"] = "application/json"
                headers["Lambda-Runtime-Aws-Request-Id"] = rid
                with outer.cond:
                    if outer.close_after_next:
                        outer.close_after_next -= 1
                        if outer.close_after_next == 0:
                            headers["Connection"] = "close"
                            self.close_connection = True
                self._reply(200, body, headers)

            def do_POST(self):
                path = self._path()
                port = self.client_address[1]
                outer.all_ports.add(port)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = (path or "").strip("/").split("/")
                if path and path.startswith("/2018-06-01/runtime/"):
                    outer.runtime_ports.add(port)
                if path == "/2018-06-01/runtime/init/error":
                    with outer.cond:
                        outer.init_errors.append({"body": json.loads(body), "headers": dict(self.headers)})
                        outer.cond.notify_all()
                    return self._reply(202, b"{}")
                if len(parts) == 5 and parts[:3] == ["2018-06-01", "runtime", "invocation"] and \
                        parts[4] in ("response", "error"):
                    with outer.cond:
                        outer.results[parts[3]] = {"kind": parts[4], "body": body, "headers": dict(self.headers)}
                        outer.cond.notify_all()
                    return self._reply(202, b"{}")
                if path == "/2018-06-01/starfleet/alert":
                    with outer.cond:
                        outer.alerts.append({"json": json.loads(body), "port": port})
                    return self._reply(202, b"{}")
                if len(parts) == 4 and parts[:2] == ["2015-03-31", "functions"] and parts[3] == "invocations":
                    return self._invoke(parts[2], body, port)
                return self._reply(404, b'{"message": "not found"}')

            def _invoke(self, name, body, port):
                kind = self.headers.get("X-Amz-Invocation-Type", "RequestResponse")
                cc = self.headers.get("X-Amz-Client-Context")
                cc = json.loads(base64.b64decode(cc)) if cc else None
                outer.invokes.append({"name": name, "type": kind, "payload": json.loads(body), "cc": cc,
                                      "port": port})
                if name == "Echo":
                    if kind == "Event":
                        return self._reply(202)
                    doc = {"echo": json.loads(body), "cc": cc}
                    return self._reply(200, json.dumps(doc).encode(), {"Content-Type": "application/json"})
                if name == "Broken":
                    doc = {"errorMessage": "it broke", "errorType": "ValueError", "stackTrace": ["  File x"]}
                    return self._reply(200, json.dumps(doc).encode(),
                                       {"Content-Type": "application/json", "X-Amz-Function-Error": "Unhandled"})
                doc = {"Type": "User", "message": "Function not found: " + name}
                return self._reply(404, json.dumps(doc).encode(),
                                   {"Content-Type": "application/json",
                                    "x-amzn-ErrorType": "ResourceNotFoundException"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def api(self):
        return "127.0.0.1:%d%s" % (self.port, self.prefix)

    def push(self, event, custom=None, client_context=None, deadline_in=60.0, trace=None):
        rid = str(uuid.uuid4())
        headers = {"Lambda-Runtime-Deadline-Ms": str(int((time.time() + deadline_in) * 1000)),
                   "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-2:000000000000:function:Probe"}
        if custom is not None:
            client_context = {"client": None, "env": None, "custom": custom}
        if client_context is not None:
            headers["Lambda-Runtime-Client-Context"] = json.dumps(client_context)
        if trace:
            headers["Lambda-Runtime-Trace-Id"] = trace
        body = event if isinstance(event, bytes) else json.dumps(event).encode()
        self.events.put((rid, body, headers))
        return rid

    def wait(self, rid, timeout=WAIT):
        deadline = time.time() + timeout
        with self.cond:
            while rid not in self.results:
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError("no result for %s within %.0fs" % (rid, timeout))
                self.cond.wait(left)
            return self.results[rid]

    def result(self, rid):
        r = self.wait(rid)
        check(r["kind"] == "response", "expected a response, got %s: %s" % (r["kind"], r["body"][:500]))
        return json.loads(r["body"])

    def error(self, rid):
        r = self.wait(rid)
        check(r["kind"] == "error", "expected an error, got %s: %s" % (r["kind"], r["body"][:500]))
        return json.loads(r["body"]), r["headers"]

    def wait_init_error(self, timeout=WAIT):
        deadline = time.time() + timeout
        with self.cond:
            while not self.init_errors:
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError("no init error within %.0fs" % timeout)
                self.cond.wait(left)
            return self.init_errors[0]

    def stop(self):
        self.stopped = True
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------------------------------------------------------
# Fixtures: worker code, processes

PY_FILES = {
    "fns.py": r'''
import os

def ok(event, context):
    print("stdout line from ok")
    cc = context.client_context
    return {"event": event, "request_id": context.aws_request_id, "function_name": context.function_name,
            "function_version": context.function_version, "memory": context.memory_limit_in_mb,
            "arn": context.invoked_function_arn, "log_group": context.log_group_name,
            "log_stream": context.log_stream_name, "remaining": context.get_remaining_time_in_millis(),
            "identity": context.identity, "custom": cc.custom if cc else None,
            "app_title": cc.client.app_title if cc and cc.client else None,
            "trace": os.environ.get("_X_AMZN_TRACE_ID"), "pid": os.getpid()}

def none(event, context):
    return None

def fast(event, context):
    return event

def boom(event, context):
    raise ValueError("bad thing: %s" % event.get("why"))

def unserializable(event, context):
    return {"x": object()}

not_callable = 3
''',
    "pkg/__init__.py": "",
    "pkg/sub/__init__.py": "",
    "pkg/sub/mod.py": "def fn(event, context):\n    return 'dotted'\n",
    "broken_syntax.py": "def fn(event, context)\n    return 1\n",
    "main.py": r'''
import starfleet_worker
from starfleet_worker import Worker, InvokeError


class Probe(Worker):
    def execute(self, event, context):
        action = event.get("action") if isinstance(event, dict) else None
        if action == "fail":
            raise RuntimeError("probe failed: %s" % event.get("why"))
        if action == "print":
            print("stray print")
        if action == "invoke":
            out = {"sync": context.invoke("Echo", {"n": 1}, require_response=True),
                   "async": context.invoke("Echo", {"n": 2}),
                   "sync_cc": context.invoke("Echo", {"n": 3}, require_response=True, account="555566667777",
                                             commit=True)}
            for name in ("Broken", "Nope"):
                try:
                    context.invoke(name, {}, require_response=True)
                    out[name] = "no error"
                except InvokeError as exc:
                    out[name] = {"message": str(exc), "type": exc.error_type, "status": exc.status}
            return out
        if action == "alert":
            delivered = context.alert("IMPORTANT", "hello from " + context.worker)
            try:
                context.alert("LOUD", "x")
                bad = "accepted"
            except ValueError:
                bad = "rejected"
            return {"delivered": delivered, "bad": bad}
        context.logger.info("probe ran\nsecond line")
        return {"worker": context.worker, "account": context.account_id, "region": context.region,
                "commit": context.commit, "message_id": context.message_id, "receive_count": context.receive_count,
                "config": context.config, "settings": context.settings, "secrets": context.secrets,
                "credentials": context.credentials, "has_lambda": context.lambda_context is not None,
                "event": event}


handler = Probe.handler()

if __name__ == "__main__":
    starfleet_worker.main()
''',
}

NODE_FILES = {
    "fns.js": r'''
exports.sync = (event, context) => ({
  event, requestId: context.awsRequestId, functionName: context.functionName, version: context.functionVersion,
  memory: context.memoryLimitInMB, arn: context.invokedFunctionArn, remaining: context.getRemainingTimeInMillis(),
  custom: context.clientContext ? context.clientContext.custom : null, trace: process.env._X_AMZN_TRACE_ID || null,
  pid: process.pid,
});
exports.asyncFn = async (event) => ({ async: true, event });
exports.callback = (event, context, callback) => { setTimeout(() => callback(null, { callback: true }), 1); };
exports.callbackErr = (event, context, callback) => callback(new RangeError("cb failed"));
exports.boom = () => { throw new TypeError("bad thing"); };
exports.reject = async () => { throw new Error("rejected"); };
exports.undef = () => undefined;
exports.fast = (e) => e;
exports.nested = { inner: async () => "nested" };
exports.notFn = 3;
exports.late = (event, context, callback) => { setTimeout(() => { throw new Error("late failure"); }, 1); };
''',
    "esm.mjs": "export const handler = async (event) => ({ esm: true, event });\n",
    "lib/deep.js": "exports.handler = async () => 'deep';\n",
    "main.js": r'''
const { Worker, InvokeError } = require("worker");

class Probe extends Worker {
  async execute(event, context) {
    const action = event && event.action;
    if (action === "fail") throw new Error(`probe failed: ${event.why}`);
    if (action === "print") console.log("stray print");
    if (action === "invoke") {
      const out = {
        sync: await context.invoke("Echo", { n: 1 }, true),
        async: (await context.invoke("Echo", { n: 2 })) === undefined ? null : "defined",
        sync_cc: await context.invoke("Echo", { n: 3 }, true, { account: "555566667777", commit: true }),
      };
      for (const name of ["Broken", "Nope"]) {
        try {
          await context.invoke(name, {}, true);
          out[name] = "no error";
        } catch (err) {
          out[name] = { message: err.message, type: err.errorType, status: err.status, isInvokeError: err instanceof InvokeError };
        }
      }
      return out;
    }
    if (action === "detached-alert") {
      setTimeout(() => context.alert("SUCCESS", "after return"), 20);
      return "returned";
    }
    if (action === "alert") {
      const delivered = await context.alert("IMPORTANT", `hello from ${context.worker}`);
      let bad = "accepted";
      try { await context.alert("LOUD", "x"); } catch (err) { bad = "rejected"; }
      return { delivered, bad };
    }
    context.logger.info("probe ran\nsecond line");
    return {
      worker: context.worker, account: context.accountId, region: context.region, commit: context.commit,
      message_id: context.messageId, receive_count: context.receiveCount, config: context.config,
      settings: context.settings, secrets: context.secrets, credentials: context.credentials,
      has_lambda: context.lambdaContext !== null, event,
    };
  }
}

module.exports = { Probe, handler: Probe.handler() };
if (require.main === module) Probe.main();
''',
}

CONFIG = {"Enabled": True, "Handler": "main.handler", "Custom": {"x": 1}}
SETTINGS = {"STARFLEET": {"DeploymentRegion": "us-east-2"}, "AccountIndexFile": "/nonexistent/index.json",
            "ConfigDirectory": "/etc/starfleetd"}
SECRETS = {"Secrets": {"TOKEN": "s3cret"}, "Credentials": {"webhook": "https://hooks.example/x"}}


class World:
    """A temp dir with the fixtures and the config/settings/secrets files; processes started here are killed by
    close()."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="runtime-clients-")
        self.py_root = os.path.join(self.dir, "py")
        self.node_root = os.path.join(self.dir, "node")
        for root, files in ((self.py_root, PY_FILES), (self.node_root, NODE_FILES)):
            for name, text in files.items():
                path = os.path.join(root, name)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as f:
                    f.write(text.lstrip("\n"))
        self.files = {}
        for var, value in (("STARFLEET_WORKER_CONFIG_FILE", CONFIG), ("STARFLEET_SETTINGS_FILE", SETTINGS),
                           ("STARFLEET_SECRETS_FILE", SECRETS)):
            path = os.path.join(self.dir, var.lower() + ".json")
            with open(path, "w") as f:
                json.dump(value, f)
            os.chmod(path, 0o600)
            self.files[var] = path
        self.procs = []
        self.daemons = []

    def daemon(self, prefix=""):
        d = FakeDaemon(prefix)
        self.daemons.append(d)
        return d

    def base_env(self, extra=None):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
               "LANG": os.environ.get("LANG", "C.UTF-8"), "STARFLEET_WORKER": "Probe", "STARFLEET_COMMIT": "false"}
        env.update(self.files)
        env.update(extra or {})
        return env

    def warm_env(self, daemon, handler, root, extra=None):
        env = self.base_env({
            "AWS_LAMBDA_RUNTIME_API": daemon.api, "_HANDLER": handler, "LAMBDA_TASK_ROOT": root,
            "AWS_LAMBDA_FUNCTION_NAME": "Probe", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512", "AWS_LAMBDA_LOG_GROUP_NAME": "/starfleetd/Probe",
            "AWS_LAMBDA_LOG_STREAM_NAME": "probe-stream", "AWS_REGION": "us-east-2",
            "AWS_DEFAULT_REGION": "us-east-2", "AWS_ENDPOINT_URL_LAMBDA": "http://127.0.0.1:%d" % daemon.port})
        env.update(extra or {})
        return env

    def _spawn(self, argv, cwd, env):
        out = tempfile.TemporaryFile(dir=self.dir)
        err = tempfile.TemporaryFile(dir=self.dir)
        p = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        p.out, p.err = out, err
        self.procs.append(p)
        return p

    def python(self, daemon, handler, extra=None):
        env = self.warm_env(daemon, handler, self.py_root, extra)
        env["PYTHONPATH"] = PY_RUNTIME + os.pathsep + self.py_root
        env["PYTHONUNBUFFERED"] = "1"
        return self._spawn([PYTHON, "-m", "starfleet_worker.runtime"], self.py_root, env)

    def node(self, daemon, handler, extra=None):
        env = self.warm_env(daemon, handler, self.node_root, extra)
        env["NODE_PATH"] = NODE_RUNTIME
        return self._spawn([NODE, os.path.join(NODE_RUNTIME, "starfleet-runtime.js")], self.node_root, env)

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.wait()
        for d in self.daemons:
            d.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def output(f):
    f.seek(0)
    return f.read().decode("utf-8", "replace")


def run_once(argv, cwd, env, stdin):
    p = subprocess.run(argv, cwd=cwd, env=env, input=stdin.encode() if isinstance(stdin, str) else stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=WAIT)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def check(cond, message="check failed"):
    if not cond:
        raise AssertionError(message)


def eq(actual, expected, what=""):
    if actual != expected:
        raise AssertionError("%s: expected %r, got %r" % (what or "value", expected, actual))


def wait_exit(p, timeout=WAIT):
    try:
        return p.wait(timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError("process %d did not exit; stderr: %s" % (p.pid, output(p.err)[-2000:]))


CUSTOM = {"StarfleetWorker": "Probe", "StarfleetAccount": "123456789012", "StarfleetRegion": "eu-west-1",
          "StarfleetCommit": "true", "StarfleetMessageId": "msg-42", "StarfleetReceiveCount": "3",
          "StarfleetTemplate": "Probe/t.yaml"}


def sqs_record(payload, message_id, count="1", attributes=None):
    return {"messageId": message_id, "receiptHandle": "rh-" + message_id, "body": json.dumps(payload),
            "attributes": {"ApproximateReceiveCount": count, "SentTimestamp": "1", "SenderId": "starfleetd",
                           "ApproximateFirstReceiveTimestamp": "1"},
            "messageAttributes": {k: {"stringValue": v, "dataType": "String"} for k, v in (attributes or {}).items()},
            "md5OfBody": "x", "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-2:000000000000:Probe", "awsRegion": "us-east-2"}


# ---------------------------------------------------------------------------------------------------------------
# Shared checks (python and node differ in spelling only)

LANGS = {
    "python": {"start": "python", "ok": "fns.ok", "sdk": "main.handler", "fast": "fns.fast", "err_type": "ValueError",
               "boom": "fns.boom"},
    "node": {"start": "node", "ok": "fns.sync", "sdk": "main.handler", "fast": "fns.fast", "err_type": "TypeError",
             "boom": "fns.boom"},
}


def start(w, lang, daemon, handler, extra=None):
    return getattr(w, LANGS[lang]["start"])(daemon, handler, extra)


def check_sdk_context(w, lang):
    d = w.daemon()
    start(w, lang, d, "main.handler")
    # starfleetd's client context custom keys win.
    r = d.result(d.push({"StarbaseAssignedAccount": "999999999999", "x": 1}, custom=CUSTOM))
    eq((r["worker"], r["account"], r["region"], r["commit"], r["message_id"], r["receive_count"]),
       ("Probe", "123456789012", "eu-west-1", True, "msg-42", 3), "context from client context")
    eq(r["config"], CONFIG, "config")
    eq(r["settings"], SETTINGS, "settings")
    eq(r["secrets"], SECRETS["Secrets"], "secrets")
    eq(r["credentials"], SECRETS["Credentials"], "credentials")
    eq(r["has_lambda"], True, "lambda context")
    # Without them: the payload's StarbaseAssigned*, then the environment.
    r = d.result(d.push({"StarbaseAssignedAccount": "111122223333", "StarbaseAssignedRegion": "ap-south-1"}))
    eq((r["account"], r["region"], r["commit"], r["message_id"], r["receive_count"]),
       ("111122223333", "ap-south-1", False, None, 1), "context from payload/env")
    # SQS-shaped event: one record -> its body is the payload; the record gives message id and count.
    r = d.result(d.push({"Records": [sqs_record({"StarbaseAssignedAccount": "222233334444", "k": "v"}, "m-1", "4",
                                                {"StarfleetRegion": "sa-east-1"})]}))
    eq((r["account"], r["region"], r["message_id"], r["receive_count"], r["event"]),
       ("222233334444", "sa-east-1", "m-1", 4, {"StarbaseAssignedAccount": "222233334444", "k": "v"}), "sqs record")
    # Two records both run; one failing fails the batch.
    rid = d.push({"Records": [sqs_record({"n": 1}, "m-a"), sqs_record({"n": 2}, "m-b")]})
    r = d.result(rid)
    eq([x["event"] for x in r], [{"n": 1}, {"n": 2}], "two records")
    rid = d.push({"Records": [sqs_record({"action": "fail", "why": "x"}, "m-c"), sqs_record({"n": 2}, "m-d")]})
    doc, _ = d.error(rid)
    eq(doc["errorType"], "BatchFailure", "batch errorType")
    check("1 of 2 records failed" in doc["errorMessage"] and "m-c" in doc["errorMessage"], doc["errorMessage"])
    # A failing single payload is an error document with the worker's exception.
    doc, _ = d.error(d.push({"action": "fail", "why": "disk full"}))
    check("probe failed: disk full" in doc["errorMessage"], doc["errorMessage"])
    # The logger writes one line per record to stderr.
    deadline = time.time() + 2
    while "INFO probe ran\\nsecond line" not in output(w.procs[-1].err) and time.time() < deadline:
        time.sleep(0.02)
    check("INFO probe ran\\nsecond line" in output(w.procs[-1].err), output(w.procs[-1].err)[-2000:])


def check_invoke_alert(w, lang):
    d = w.daemon()
    start(w, lang, d, "main.handler")
    r = d.result(d.push({"action": "invoke"}, custom=CUSTOM))
    eq(r["sync"], {"echo": {"n": 1}, "cc": None}, "RequestResponse")
    eq(r["async"], None, "Event")
    eq(r["sync_cc"]["cc"], {"custom": {"StarfleetAccount": "555566667777", "StarfleetCommit": "true"}},
       "client context")
    check("it broke" in r["Broken"]["message"], r["Broken"])
    eq(r["Broken"]["type"], "ValueError", "function error type")
    eq(r["Nope"]["status"], 404, "unknown function")
    eq(r["Nope"]["type"], "ResourceNotFoundException", "unknown function type")
    eq([(i["name"], i["type"]) for i in d.invokes],
       [("Echo", "RequestResponse"), ("Echo", "Event"), ("Echo", "RequestResponse"), ("Broken", "RequestResponse"),
        ("Nope", "RequestResponse")], "invocations seen")
    r = d.result(d.push({"action": "alert"}, custom=CUSTOM))
    eq(r, {"delivered": True, "bad": "rejected"}, "alert result")
    eq([a["json"] for a in d.alerts], [{"priority": "IMPORTANT", "text": "hello from Probe"}], "alerts")
    # Runtime calls, invokes and the alert all went over the process's one connection.
    eq(len(d.all_ports), 1, "TCP connections (runtime + invoke + alert)")
    if lang == "node":
        # An alert sent while the runtime long-polls `next` is not stuck behind it.
        eq(d.result(d.push({"action": "detached-alert"})), "returned", "detached alert result")
        deadline = time.time() + 3
        while len(d.alerts) < 2 and time.time() < deadline:
            time.sleep(0.02)
        eq([a["json"]["text"] for a in d.alerts], ["hello from Probe", "after return"], "detached alert delivered")


def check_one_connection(w, lang):
    d = w.daemon()
    p = start(w, lang, d, LANGS[lang]["fast"])
    rids = [d.push({"i": i}) for i in range(100)]
    for i, rid in enumerate(rids):
        eq(d.result(rid), {"i": i}, "result %d" % i)
    eq(len(d.runtime_ports), 1, "TCP connections for 100 invocations")
    # The daemon closes the connection after a response: the client reconnects and carries on.
    d.close_after_next = 1
    rids = [d.push({"j": i}) for i in range(5)]
    for i, rid in enumerate(rids):
        eq(d.result(rid), {"j": i}, "result after reconnect")
    eq(len(d.runtime_ports), 2, "TCP connections after one close")
    check(p.poll() is None, "the client exited")


def check_prefix(w, lang):
    d = w.daemon(prefix="/s3cr3t-prefix")
    start(w, lang, d, LANGS[lang]["fast"])
    eq(d.result(d.push({"p": 1})), {"p": 1}, "result through a path prefix")


def bench(w, lang, n=2000):
    d = w.daemon()
    p = start(w, lang, d, LANGS[lang]["fast"])
    d.result(d.push({"warm": True}))
    cpu0 = _cpu_seconds(p.pid)
    began = time.perf_counter()
    rids = [d.push({"i": i}) for i in range(n)]
    d.wait(rids[-1], timeout=60)
    elapsed = time.perf_counter() - began
    cpu1 = _cpu_seconds(p.pid)
    check(all(d.results[r]["kind"] == "response" for r in rids), "every bench invocation answered")
    bench.cpu = (cpu1 - cpu0) / n if cpu0 is not None and cpu1 is not None else None
    return elapsed / n


def _cpu_note():
    return ", client CPU %.0f us" % (bench.cpu * 1e6) if getattr(bench, "cpu", None) is not None else ""


def _cpu_seconds(pid):
    """utime + stime of the client process (Linux /proc), or None elsewhere."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


# ---------------------------------------------------------------------------------------------------------------
# Python


def test_python_result(w):
    d = w.daemon()
    p = w.python(d, "fns.ok")
    cc = {"client": {"installation_id": "i", "app_title": "Starfleet", "app_version_name": "1",
                     "app_version_code": "1", "app_package_name": "p"}, "env": {"k": "v"}, "custom": CUSTOM}
    r = d.result(d.push({"a": 1}, client_context=cc, trace="Root=1-abc;Parent=def;Sampled=0"))
    eq(r["event"], {"a": 1}, "event")
    eq((r["function_name"], r["function_version"], r["memory"], r["log_group"], r["log_stream"]),
       ("Probe", "$LATEST", "512", "/starfleetd/Probe", "probe-stream"), "context fields")
    eq(r["arn"], "arn:aws:lambda:us-east-2:000000000000:function:Probe", "arn")
    check(50000 < r["remaining"] <= 60000, "remaining %r" % r["remaining"])
    eq(r["identity"], None, "identity")
    eq(r["custom"], CUSTOM, "client_context.custom")
    eq(r["app_title"], "Starfleet", "client_context.client")
    eq(r["trace"], "Root=1-abc;Parent=def;Sampled=0", "_X_AMZN_TRACE_ID")
    r2 = d.result(d.push({"b": 2}))
    eq((r2["custom"], r2["pid"]), (None, r["pid"]), "second invocation, same process")
    check("stdout line from ok" in output(p.out), "handler stdout is flushed")
    d2 = w.daemon()
    w.python(d2, "pkg.sub.mod.fn")
    eq(d2.result(d2.push({})), "dotted", "dotted handler")
    d3 = w.daemon()
    w.python(d3, "fns.none")
    eq(d3.wait(d3.push({}))["body"], b"null", "None -> null")


def test_python_errors(w):
    d = w.daemon()
    p = w.python(d, "fns.boom")
    doc, headers = d.error(d.push({"why": "disk"}))
    eq((doc["errorMessage"], doc["errorType"]), ("bad thing: disk", "ValueError"), "error document")
    check(isinstance(doc["stackTrace"], list) and all(isinstance(s, str) for s in doc["stackTrace"]), doc)
    check(any("fns.py" in s and "boom" in s for s in doc["stackTrace"]), doc["stackTrace"])
    eq(headers.get("Lambda-Runtime-Function-Error-Type"), "ValueError", "error type header")
    doc, _ = d.error(d.push({"why": "again"}))
    eq(doc["errorMessage"], "bad thing: again", "still serving after an error")
    check(p.poll() is None, "exited after a handler error")
    d2 = w.daemon()
    w.python(d2, "fns.unserializable")
    doc, _ = d2.error(d2.push({}))
    eq(doc["errorType"], "Runtime.MarshalError", "unserializable result")


def test_python_init_errors(w):
    for handler, kind in (("fns.missing", "Runtime.HandlerNotFound"), ("nosuch.fn", "Runtime.ImportModuleError"),
                          ("fns.not_callable", "Runtime.HandlerNotFound"), ("nodot", "Runtime.MalformedHandlerName"),
                          ("broken_syntax.fn", "Runtime.UserCodeSyntaxError")):
        d = w.daemon()
        p = w.python(d, handler)
        e = d.wait_init_error()
        eq(e["body"]["errorType"], kind, handler)
        check(e["body"]["errorMessage"] and isinstance(e["body"]["stackTrace"], list), e["body"])
        eq(e["headers"].get("Lambda-Runtime-Function-Error-Type"), kind, "header")
        eq(wait_exit(p), 1, "exit status after an init error")


def test_python_one_connection(w):
    check_one_connection(w, "python")


def test_python_prefix(w):
    check_prefix(w, "python")


def test_python_sdk_context_and_sqs(w):
    check_sdk_context(w, "python")


def test_python_sdk_invoke_and_alert(w):
    check_invoke_alert(w, "python")


def test_python_per_payload(w):
    env = w.base_env({"STARFLEET_ACCOUNT_ID": "123456789012", "STARFLEET_REGION": "us-west-2",
                      "STARFLEET_COMMIT": "true", "STARFLEET_MESSAGE_ID": "msg-7", "STARFLEET_RECEIVE_COUNT": "2",
                      "PYTHONPATH": PY_RUNTIME})
    for argv in ([PYTHON, "main.py"], [PYTHON, "-m", "starfleet_worker.run", "main"],
                 [PYTHON, "-m", "starfleet_worker.run", os.path.join(w.py_root, "main.py"), "Probe"]):
        cwd = w.py_root if argv[-1] != "Probe" else w.dir
        code, out, err = run_once(argv, cwd, env, json.dumps({"action": "print", "k": 1}))
        eq(code, 0, "exit status of %s (stderr %s)" % (argv, err[-1000:]))
        r = json.loads(out)
        eq((r["worker"], r["account"], r["region"], r["commit"], r["message_id"], r["receive_count"],
            r["has_lambda"], r["event"]),
           ("Probe", "123456789012", "us-west-2", True, "msg-7", 2, False, {"action": "print", "k": 1}), argv)
        eq((r["config"], r["secrets"], r["credentials"]), (CONFIG, SECRETS["Secrets"], SECRETS["Credentials"]),
           "files")
        check("stray print" in err and "INFO probe ran\\nsecond line" in err, err)
    code, out, err = run_once([PYTHON, "main.py"], w.py_root, env, json.dumps({"action": "fail", "why": "nope"}))
    eq((code, out), (1, ""), "failure")
    check("Traceback" in err and "RuntimeError: probe failed: nope" in err, err)
    code, out, err = run_once([PYTHON, "main.py"], w.py_root, env, json.dumps({"action": "alert"}))
    eq(code, 0, "alert per payload: " + err)
    eq(json.loads(out), {"delivered": False, "bad": "rejected", "starfleet_alerts": [
        {"priority": "IMPORTANT", "title": "hello from Probe", "body": "hello from Probe"}]}, "alerts in the result")
    code, out, err = run_once([PYTHON, "main.py"], w.py_root, env, "not json")
    eq(code, 1, "bad payload JSON")


# ---------------------------------------------------------------------------------------------------------------
# Node


def test_node_result(w):
    d = w.daemon()
    w.node(d, "fns.sync")
    r = d.result(d.push({"a": 1}, custom=CUSTOM, trace="Root=1-abc"))
    eq(r["event"], {"a": 1}, "event")
    eq((r["functionName"], r["version"], r["memory"]), ("Probe", "$LATEST", "512"), "context fields")
    eq(r["arn"], "arn:aws:lambda:us-east-2:000000000000:function:Probe", "arn")
    check(50000 < r["remaining"] <= 60000, "remaining %r" % r["remaining"])
    eq(r["custom"], CUSTOM, "clientContext.custom")
    eq(r["trace"], "Root=1-abc", "_X_AMZN_TRACE_ID")
    r2 = d.result(d.push({"b": 2}))
    eq((r2["custom"], r2["pid"]), (None, r["pid"]), "second invocation, same process")
    for handler, expected in (("fns.asyncFn", {"async": True, "event": {"q": 1}}), ("fns.callback", {"callback": True}),
                              ("fns.undef", None), ("fns.nested.inner", "nested"),
                              ("esm.handler", {"esm": True, "event": {"q": 1}}), ("lib/deep.handler", "deep")):
        d2 = w.daemon()
        w.node(d2, handler)
        eq(d2.result(d2.push({"q": 1})), expected, handler)


def test_node_errors(w):
    d = w.daemon()
    p = w.node(d, "fns.boom")
    doc, headers = d.error(d.push({}))
    eq((doc["errorMessage"], doc["errorType"]), ("bad thing", "TypeError"), "error document")
    check(isinstance(doc["stackTrace"], list) and any("fns.js" in s for s in doc["stackTrace"]), doc)
    eq(headers.get("Lambda-Runtime-Function-Error-Type"), "TypeError", "error type header")
    doc, _ = d.error(d.push({}))
    check(p.poll() is None, "exited after a handler error")
    for handler, kind, message in (("fns.reject", "Error", "rejected"), ("fns.callbackErr", "RangeError", "cb failed")):
        d2 = w.daemon()
        w.node(d2, handler)
        doc, _ = d2.error(d2.push({}))
        eq((doc["errorType"], doc["errorMessage"]), (kind, message), handler)
    # An exception escaping the handler asynchronously fails the invocation, then the process exits 1.
    d3 = w.daemon()
    p = w.node(d3, "fns.late")
    doc, _ = d3.error(d3.push({}))
    eq(doc["errorMessage"], "late failure", "asynchronous exception")
    eq(wait_exit(p), 1, "exit status after an asynchronous exception")


def test_node_init_errors(w):
    for handler, kind in (("fns.missing", "Runtime.HandlerNotFound"), ("nosuch.fn", "Runtime.ImportModuleError"),
                          ("fns.notFn", "Runtime.HandlerNotFound"), ("nodot", "Runtime.MalformedHandlerName")):
        d = w.daemon()
        p = w.node(d, handler)
        e = d.wait_init_error()
        eq(e["body"]["errorType"], kind, handler)
        eq(e["headers"].get("Lambda-Runtime-Function-Error-Type"), kind, "header")
        eq(wait_exit(p), 1, "exit status after an init error")


def test_node_one_connection(w):
    check_one_connection(w, "node")


def test_node_prefix(w):
    check_prefix(w, "node")


def test_node_sdk_context_and_sqs(w):
    check_sdk_context(w, "node")


def test_node_sdk_invoke_and_alert(w):
    check_invoke_alert(w, "node")


def test_node_per_payload(w):
    env = w.base_env({"STARFLEET_ACCOUNT_ID": "123456789012", "STARFLEET_REGION": "us-west-2",
                      "STARFLEET_COMMIT": "true", "STARFLEET_MESSAGE_ID": "msg-7", "STARFLEET_RECEIVE_COUNT": "2",
                      "NODE_PATH": NODE_RUNTIME})
    for argv in ([NODE, "main.js"], [NODE, os.path.join(NODE_RUNTIME, "worker.js"), "main.js"]):
        code, out, err = run_once(argv, w.node_root, env, json.dumps({"action": "print", "k": 1}))
        eq(code, 0, "exit status of %s (stderr %s)" % (argv, err[-1000:]))
        r = json.loads(out)
        eq((r["worker"], r["account"], r["region"], r["commit"], r["message_id"], r["receive_count"],
            r["has_lambda"], r["event"]),
           ("Probe", "123456789012", "us-west-2", True, "msg-7", 2, False, {"action": "print", "k": 1}), argv)
        eq((r["config"], r["secrets"], r["credentials"]), (CONFIG, SECRETS["Secrets"], SECRETS["Credentials"]),
           "files")
        check("stray print" in err and "INFO probe ran\\nsecond line" in err, err)
    code, out, err = run_once([NODE, "main.js"], w.node_root, env, json.dumps({"action": "fail", "why": "nope"}))
    eq((code, out), (1, ""), "failure")
    check("Error: probe failed: nope" in err, err)
    code, out, err = run_once([NODE, "main.js"], w.node_root, env, json.dumps({"action": "alert"}))
    eq(code, 0, "alert per payload: " + err)
    eq(json.loads(out), {"delivered": False, "bad": "rejected", "starfleet_alerts": [
        {"priority": "IMPORTANT", "title": "hello from Probe", "body": "hello from Probe"}]}, "alerts in the result")
    code, out, err = run_once([NODE, os.path.join(NODE_RUNTIME, "starfleet-worker.js")], w.node_root, env, "")
    eq(code, 0, "require('starfleet-worker') loads")


# ---------------------------------------------------------------------------------------------------------------
# Measurements (printed, not asserted)


def measure(w):
    lines = []
    py = bench(w, "python")
    lines.append("python warm round trip: %.3f ms per invocation (2,000 invocations)%s" % (py * 1000, _cpu_note()))
    node = bench(w, "node")
    lines.append("node warm round trip: %.3f ms per invocation (2,000 invocations)%s" % (node * 1000, _cpu_note()))
    env = w.base_env({"PYTHONPATH": PY_RUNTIME})
    runs = 10
    began = time.perf_counter()
    for _ in range(runs):
        code, _, err = run_once([PYTHON, "main.py"], w.py_root, env, "{}")
        check(code == 0, err)
    spawn = (time.perf_counter() - began) / runs
    lines.append("python per-payload process: %.1f ms per payload (%d runs) -> warm is %.0fx faster"
                 % (spawn * 1000, runs, spawn / py))
    return lines


def main():
    selected = sys.argv[1:]
    tests = [(n, f) for n, f in sorted(globals().items()) if n.startswith("test_") and callable(f)]
    passed = failed = 0
    w = World()
    started_all = time.time()
    try:
        for name, fn in tests:
            if selected and not any(s in name for s in selected):
                continue
            started = time.time()
            try:
                fn(w)
                passed += 1
                print("ok   %s (%.1fs)" % (name, time.time() - started), flush=True)
            except Exception:
                failed += 1
                print("FAIL %s (%.1fs)\n%s" % (name, time.time() - started, traceback.format_exc()), flush=True)
                for p in w.procs[-3:]:
                    err = output(p.err)
                    if err:
                        print("  stderr of pid %d:\n%s" % (p.pid, err[-3000:]), flush=True)
        if not selected or any(s in "measure bench" for s in selected):
            try:
                for line in measure(w):
                    print("measure: " + line, flush=True)
            except Exception:
                print("measure: failed\n" + traceback.format_exc(), flush=True)
    finally:
        w.close()
    print("(%.1fs)" % (time.time() - started_all))
    print("runtime-clients: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
