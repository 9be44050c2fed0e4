#!/usr/bin/env python3
"""Starfleet's own worker ships (Starfleet 1.0.2, installed unchanged in a virtualenv) under starfleetd's Python
runtime client (runtimes/python: ``python3 -m starfleet_worker.runtime`` + starfleet_glue.py), without the daemon:

- a stand-in for the daemon's Runtime API (this file) serves SQS-shaped events with the client context's
  ``StarfleetCommit`` and takes results, error documents and ``/2018-06-01/starfleet/alert`` posts;
- the worker process gets the contract's files and variables (STARFLEET_WORKER_CONFIG_FILE, STARFLEET_SETTINGS_FILE
  with the daemon's own STARFLEET keys, STARFLEET_SECRETS_FILE, STARFLEET_COMMIT, AWS_REGION...);
- moto_server plays AWS: an Organization with nested OUs and tagged accounts.

Cases: (a) AccountIndexGeneratorShip dry run, then commit in the same warm process: the index JSON in moto S3 is
Starfleet's; (b) AwsConfigWorkerShip (ACCOUNT_REGION, reads the account index for its per-OU override, alerts on
success) dry run then commit: recorder, delivery channel and retention in moto, the override chosen by the daemon's
index file, the SUCCESS alert at the daemon's endpoint; (c) a payload failing the ship's marshmallow schema: the
error document carries Starfleet's own ValidationError message. The AWS Config ship calls STS at the fixed
https://sts.<region>.amazonaws.com, so its process goes through an HTTPS interceptor (a CONNECT proxy with a test
CA) that hands those calls to moto; everything else uses AWS_ENDPOINT_URL.

Run by scripts/e2e/starfleet-glue.sh with the venv's python. Arguments select tests by substring;
GLUE_TEST_VERBOSE=1 prints each worker process's output.
Last line: "starfleet-glue: N passed, M failed".
"""
import http.client
import json
import os
import queue
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts", "e2e", "lib"))
PY_RUNTIME = os.path.join(ROOT, "runtimes", "python")
PYTHON = sys.executable
REGION = "us-east-1"
MANAGEMENT = "123456789012"  # moto's default account: the organization's management account
INVOKE_TIMEOUT = 90


def ensure_moto_server():
    if shutil.which("moto_server"):
        return
    # Into this venv, without moving Starfleet's pins (boto3/botocore...).
    pins = os.path.join(tempfile.mkdtemp(), "pins.txt")
    frozen = subprocess.run([PYTHON, "-m", "pip", "freeze"], capture_output=True, text=True, check=True).stdout
    with open(pins, "w") as f:
        f.write("\n".join(l for l in frozen.splitlines() if "==" in l and not l.startswith("starfleet")))
    print("installing moto[server] into the Starfleet venv", flush=True)
    subprocess.run([PYTHON, "-m", "pip", "install", "-q", "moto[server]", "-c", pins], check=True)
    os.environ["PATH"] = os.path.dirname(PYTHON) + os.pathsep + os.environ["PATH"]


# ---------------------------------------------------------------------------------------------------------------
# The organization


class Org:
    def __init__(self, moto):
        org = moto.client("organizations")
        org.create_organization(FeatureSet="ALL")
        self.root = org.list_roots()["Roots"][0]["Id"]

        def unit(name, parent):
            return org.create_organizational_unit(ParentId=parent, Name=name)["OrganizationalUnit"]["Id"]

        self.prod = unit("Prod", self.root)
        self.api = unit("Api", self.prod)
        self.web = unit("Web", self.api)           # three deep: Root > Prod > Api > Web
        self.sandbox = unit("Sandbox", self.root)
        self.names = {self.prod: "Prod", self.api: "Api", self.web: "Web", self.sandbox: "Sandbox"}
        self.above = {self.prod: self.root, self.api: self.prod, self.web: self.api, self.sandbox: self.root}
        self.accounts = {MANAGEMENT: (self.root, {})}
        for i, parent in enumerate([self.prod, self.api, self.web, self.sandbox, self.root]):
            tags = {"Env": "Prod" if i < 3 else "Dev", "Team": "team-%d" % i}
            account = org.create_account(Email="acct%d@example.com" % i, AccountName="Account %d" % i,
                                         Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
            account = account["CreateAccountStatus"]["AccountId"]
            if parent != self.root:
                org.move_account(AccountId=account, SourceParentId=self.root, DestinationParentId=parent)
            self.accounts[account] = (parent, tags)
        self.in_web = [a for a, (p, _) in self.accounts.items() if p == self.web]
        self.in_sandbox = [a for a, (p, _) in self.accounts.items() if p == self.sandbox]

    def parents(self, account):
        chain, place = [], self.accounts[account][0]
        while place != self.root:
            chain.append({"Id": place, "Name": self.names[place], "Type": "ORGANIZATIONAL_UNIT"})
            place = self.above[place]
        return chain + [{"Id": self.root, "Name": "ROOT", "Type": "ROOT"}]


# ---------------------------------------------------------------------------------------------------------------
# A stand-in for the daemon's Runtime API (one per worker process)


class RuntimeAPI:
    def __init__(self, worker):
        self.worker = worker
        self.pending = queue.Queue()
        self.results = {}
        self.alerts = []
        self.connections = set()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _reply(self, status, body=b"", headers=None):
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                api.connections.add(self.client_address)
                if not self.path.endswith("/runtime/invocation/next"):
                    return self._reply(404, b"{}")
                request_id, event, custom = api.pending.get()
                self._reply(200, json.dumps(event).encode(), {
                    "Content-Type": "application/json",
                    "Lambda-Runtime-Aws-Request-Id": request_id,
                    "Lambda-Runtime-Deadline-Ms": str(int((time.time() + 300) * 1000)),
                    "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:%s:000000000000:function:%s" % (REGION, api.worker),
                    "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000",
                    "Lambda-Runtime-Client-Context": json.dumps({"client": None, "env": None, "custom": custom}),
                })

            def do_POST(self):
                api.connections.add(self.client_address)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = self.path.split("/")
                if self.path.endswith("/starfleet/alert"):
                    api.alerts.append(json.loads(body))
                    return self._reply(202, b'{"status":"OK"}')
                if "/runtime/invocation/" in self.path and parts[-1] in ("response", "error"):
                    slot = api.results.get(parts[-2])
                    if slot is None:
                        return self._reply(400, b'{"errorMessage":"unknown request id"}')
                    slot.put((parts[-1], body))
                    return self._reply(202, b'{"status":"OK"}')
                if self.path.endswith("/runtime/init/error"):
                    api.init_error = body
                    for slot in api.results.values():
                        slot.put(("init-error", body))
                    return self._reply(202, b'{"status":"OK"}')
                self._reply(404, b"{}")

        self.init_error = None
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.address = "127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def invoke(self, payload, commit, account=None, region=None, process=None):
        """Queues one SQS-shaped event (the daemon's EventShape: sqs) and waits for the outcome."""
        request_id = str(uuid.uuid4())
        message_id = str(uuid.uuid4())
        body = json.dumps(payload)
        now = str(int(time.time() * 1000))
        record = {
            "messageId": message_id, "receiptHandle": message_id, "body": body,
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": now, "SenderId": "starfleetd",
                           "ApproximateFirstReceiveTimestamp": now},
            "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:%s:000000000000:%s" % (REGION, self.worker), "awsRegion": REGION,
        }
        custom = {"StarfleetWorker": self.worker, "StarfleetCommit": "true" if commit else "false",
                  "StarfleetMessageId": message_id, "StarfleetReceiveCount": "1", "StarfleetTemplate": "test.yaml"}
        if account:
            custom["StarfleetAccount"] = account
            record["messageAttributes"]["StarfleetAccount"] = {"stringValue": account, "dataType": "String"}
        if region:
            custom["StarfleetRegion"] = region
        slot = self.results[request_id] = queue.Queue()
        self.pending.put((request_id, {"Records": [record]}, custom))
        deadline = time.time() + INVOKE_TIMEOUT
        while True:
            try:
                kind, data = slot.get(timeout=0.5)
                return kind, (json.loads(data) if data else None)
            except queue.Empty:
                if process is not None and process.poll() is not None:
                    raise AssertionError("the worker process exited with %s" % process.returncode)
                if time.time() > deadline:
                    raise AssertionError("no outcome within %d s" % INVOKE_TIMEOUT)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------------------------------------------------------
# An HTTPS interceptor for endpoints Starfleet hard-codes (the AWS Config ship's https://sts.<region>.amazonaws.com)


class Interceptor:
    """A CONNECT proxy that terminates TLS for *.amazonaws.com with a certificate of a test CA and forwards each
    request, Host header kept, to moto_server (which tells services apart by the signature's scope and Host)."""

    def __init__(self, moto_port, hosts):
        self.dir = tempfile.mkdtemp(prefix="glue-ca-")
        self.ca = os.path.join(self.dir, "ca.pem")
        self._make_certs(hosts)
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(os.path.join(self.dir, "leaf.pem"), os.path.join(self.dir, "leaf.key"))
        self.moto_port = moto_port
        self.seen = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _make_certs(self, hosts):
        def run(*argv):
            subprocess.run(argv, cwd=self.dir, check=True, capture_output=True)
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
            "-days", "2", "-subj", "/CN=starfleet-glue test CA")
        with open(os.path.join(self.dir, "ext.cnf"), "w") as f:
            f.write("subjectAltName=" + ",".join("DNS:" + h for h in hosts) + "\n")
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr",
            "-subj", "/CN=" + hosts[0])
        run("openssl", "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "leaf.pem", "-days", "2", "-extfile", "ext.cnf")

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
            line = head.split(b"\r\n", 1)[0].decode()
            method, target = line.split(" ")[:2]
            host = target.rsplit(":", 1)[0]
            if method != "CONNECT" or not host.endswith(".amazonaws.com"):
                self.seen.append("refused " + line)
                conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            self.seen.append(host)
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            tls = self.ctx.wrap_socket(conn, server_side=True)
            moto_port = self.moto_port

            class Forward(BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"

                def log_message(self, *args):
                    pass

                def _any(self):
                    body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                    upstream = http.client.HTTPConnection("127.0.0.1", moto_port, timeout=60)
                    upstream.request(self.command, self.path, body or None, dict(self.headers.items()))
                    resp = upstream.getresponse()
                    data = resp.read()
                    upstream.close()
                    self.send_response(resp.status)
                    for k, v in resp.getheaders():
                        if k.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                            self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)

                do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _any

            Forward(tls, ("127.0.0.1", 0), None)
        except Exception as exc:  # a test double: what went wrong shows in the worker's error
            self.seen.append("error %r" % exc)
        finally:
            try:
                conn.close()
            except Exception:
                pass

    def env(self):
        return {"HTTPS_PROXY": "http://127.0.0.1:%d" % self.port, "https_proxy": "http://127.0.0.1:%d" % self.port,
                "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost", "AWS_CA_BUNDLE": self.ca}

    def close(self):
        self.sock.close()
        shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------------------------------------------------------
# A warm worker process as the daemon starts one (runtime-contract.md)

# The daemon's own STARFLEET keys, as a local-mode configuration writes them: none of these is Starfleet's.
DAEMON_STARFLEET = {
    "DeploymentRegion": REGION,
    "AccountIndex": "LocalAccountIndex",
    "TemplateDirectory": "/etc/starfleetd/templates",
    "StateDirectory": "/var/lib/starfleetd",
    "MetricsAddress": "127.0.0.1:9464",
    "InvokeAddress": "127.0.0.1:9001",
    "S3PollIntervalSeconds": 60,
    "TimerJitterSeconds": 0,
    "CatchUpMissedRuns": True,
    "Scheduler": True,
    "LogLevel": "INFO",
    "ThirdPartyLoggerLevels": {"botocore": "CRITICAL", "urllib3.connectionpool": "CRITICAL"},
}

# The runtime client calls starfleet_glue.before_invocation(custom) before each handler call once runtime.py does;
# until then this launcher adds that one call around the handler runtime.py loads (and nothing else).
LAUNCHER = r'''
import sys
from starfleet_worker import runtime, starfleet_glue
if "before_invocation" not in open(runtime.__file__, encoding="utf-8").read():
    _load = runtime.load_handler
    def load_handler(spec, task_root):
        handler = _load(spec, task_root)
        def with_glue(event, context):
            cc = getattr(context, "client_context", None)
            starfleet_glue.before_invocation(getattr(cc, "custom", None) or {})
            return handler(event, context)
        return with_glue
    runtime.load_handler = load_handler
    sys.stderr.write("(test launcher: runtime.py does not call before_invocation yet; added around the handler)\n")
sys.exit(runtime.main())
'''


class WarmWorker:
    def __init__(self, name, section, moto, index_file=None, secrets=None, extra_env=None):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix="glue-%s-" % name)
        self.api = RuntimeAPI(name)
        code = os.path.join(self.dir, "code")
        os.makedirs(code)
        files = {
            "config.json": section,
            "settings.json": {"STARFLEET": DAEMON_STARFLEET, "ConfigDirectory": "/etc/starfleetd",
                              "AccountIndexFile": index_file, "DeploymentRegion": REGION},
            "secrets.json": {"Secrets": secrets, "Credentials": {}},
        }
        for fname, doc in files.items():
            path = os.path.join(self.dir, fname)
            with open(path, "w") as f:
                json.dump(doc, f)
            os.chmod(path, 0o600)
        launcher = os.path.join(self.dir, "launch.py")
        with open(launcher, "w") as f:
            f.write(LAUNCHER)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": os.environ.get("LANG", "C.UTF-8"),
            "HOME": os.environ.get("HOME", "/root"),
            "AWS_LAMBDA_RUNTIME_API": self.api.address, "_HANDLER": section["Handler"], "LAMBDA_TASK_ROOT": code,
            "LAMBDA_RUNTIME_DIR": os.path.join(ROOT, "runtimes"), "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/starfleetd/" + name, "AWS_LAMBDA_LOG_STREAM_NAME": "starfleetd",
            "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
            "AWS_ENDPOINT_URL_LAMBDA": "http://" + self.api.address,
            "STARFLEET_WORKER": name, "STARFLEET_COMMIT": "false",
            "STARFLEET_WORKER_CONFIG_FILE": os.path.join(self.dir, "config.json"),
            "STARFLEET_SETTINGS_FILE": os.path.join(self.dir, "settings.json"),
            "STARFLEET_SECRETS_FILE": os.path.join(self.dir, "secrets.json"),
            "PYTHONPATH": PY_RUNTIME + os.pathsep + code, "PYTHONUNBUFFERED": "1",
        }
        # The section's Environment: (the daemon passes it through): here, where AWS is.
        env.update(moto.env())
        env.update(extra_env or {})
        self.log_path = os.path.join(self.dir, "worker.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen([section["Python"], launcher], cwd=code, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def invoke(self, payload, commit, account=None, region=None):
        return self.api.invoke(payload, commit, account, region, process=self.process)

    def output(self):
        self.log.flush()
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def close(self):
        if os.environ.get("GLUE_TEST_VERBOSE"):
            print("--- %s worker output ---\n%s--- end ---" % (self.name, self.output()), flush=True)
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.api.close()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def expect(cond, message, worker=None):
    if not cond:
        tail = ("\n--- worker output (tail) ---\n" + worker.output()[-4000:]) if worker else ""
        raise AssertionError(message + tail)


# ---------------------------------------------------------------------------------------------------------------
# Tests

STATE = {}


def generator_section(org):
    # A user's worker section (YAML in the daemon's file) for Starfleet's AccountIndexGeneratorShip.
    return {
        "Enabled": True,
        "Runtime": "python",
        "Handler": "starfleet.worker_ships.plugins.account_index_generator.ship.lambda_handler",
        "Python": PYTHON,
        "TemplatePrefix": "AccountIndexGenerator/SaveAccountInventory.yaml",
        "InvocationSources": ["EVENTBRIDGE_TIMED_EVENT", "S3"],
        "EventBridgeTimedFrequency": "rate(30 minutes)",      # the daemon's; Starfleet's enum has no such name
        "OrgAccountAssumeRole": "starfleet-worker-basic-test-role",
        "OrgAccountId": MANAGEMENT,
        "OrgRootId": org.root,
        "DescribeRegionsAssumeRole": "starfleet-worker-basic-test-role",
    }


def aws_config_section():
    # A user's worker section for Starfleet's AwsConfigWorkerShip; the worker's name differs from the ship's.
    return {
        "Enabled": True,
        "Runtime": "python",
        "Handler": "starfleet.worker_ships.plugins.aws_config.ship.lambda_handler",
        "Python": PYTHON,
        "FanOutStrategy": "ACCOUNT_REGION",
        "TemplatePrefix": "AwsConfig/",
        "InvocationSources": ["S3", "EVENTBRIDGE_TIMED_EVENT"],
        "EventBridgeTimedFrequency": "DAILY",
        "WorkerRoleToAssume": "starfleet-worker-basic-test-role",
        "AlertConfiguration": {"ChannelId": "C0AWSCONFIG", "AlertPriority": "SUCCESS"},
    }


def config_payload(account):
    def settings(bucket, retention):
        return {
            "DeliveryChannelDetails": {"BucketName": bucket, "S3DeliveryFrequency": "TwentyFour_Hours"},
            "RecorderConfiguration": {"ConfigRoleName": "AWSConfigRecorderRole", "RecordingEnabled": True,
                                      "RecordingGroup": {"RecordEverything": {"RecordGlobalsInTheseRegions": [REGION]}}},
            "RetentionPeriodInDays": retention,
        }
    override = {"IncludeAccounts": {"ByOrgUnits": ["Api"]}, "IncludeRegions": [REGION]}  # Api and the nested Web
    override.update(settings("bucket-for-api-ou", 30))
    return {
        "TemplateName": "AwsConfigEverywhere",
        "TemplateDescription": "AWS Config recording in every account",
        "IncludeAccounts": {"AllAccounts": True},
        "OperateInOrgRoot": True,
        "IncludeRegions": [REGION],
        "DefaultConfiguration": settings("bucket-for-everyone", 2557),
        "AccountOverrideConfigurations": [override],
        "StarbaseAssignedAccount": account,
        "StarbaseAssignedRegion": REGION,
    }


def recorder_state(moto, account):
    sts = moto.client("sts")
    creds = sts.assume_role(RoleArn="arn:aws:iam::%s:role/checker" % account, RoleSessionName="check")["Credentials"]
    import boto3
    cfg = boto3.client("config", region_name=REGION, endpoint_url=moto.endpoint,
                       aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                       aws_session_token=creds["SessionToken"])
    return {
        "recorders": cfg.describe_configuration_recorders()["ConfigurationRecorders"],
        "channels": cfg.describe_delivery_channels()["DeliveryChannels"],
        "status": cfg.describe_configuration_recorder_status()["ConfigurationRecordersStatus"],
        "retention": cfg.describe_retention_configurations()["RetentionConfigurations"],
    }


def test_a_account_index_generator_dry_run_then_commit(moto, org):
    s3 = moto.client("s3")
    bucket = "starfleet-account-index-%s" % uuid.uuid4().hex[:8]
    s3.create_bucket(Bucket=bucket)
    w = WarmWorker("AccountIndexGeneratorShip", generator_section(org), moto)
    try:
        payload = {"TemplateName": "AccountIndexGeneratorShip", "TemplateDescription": "The account index",
                   "AccountInventoryBucket": bucket, "InventoryBucketRegion": REGION}
        kind, doc = w.invoke(payload, commit=False)
        expect(kind == "response", "dry run: %s %s" % (kind, doc), w)
        expect(s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0, "the dry run wrote to S3", w)
        expect("[🍣] Raw Inventory:" in w.output(), "the dry run did not log Starfleet's raw inventory", w)

        kind, doc = w.invoke(payload, commit=True)      # same warm process: commit comes per invocation
        expect(kind == "response", "commit: %s %s" % (kind, doc), w)
        body = s3.get_object(Bucket=bucket, Key="accountIndex.json")["Body"].read()
        index = json.loads(body)
        expect(set(index) == {"accounts", "generated"} and index["generated"].endswith("Z"),
               "not Starfleet's index document: keys %s" % sorted(index))
        expect(set(index["accounts"]) == set(org.accounts),
               "accounts %s != %s" % (sorted(index["accounts"]), sorted(org.accounts)))
        for account, (parent, tags) in org.accounts.items():
            entry = index["accounts"][account]
            expect({"Id", "Arn", "Email", "Name", "Status", "JoinedMethod", "JoinedTimestamp", "Tags", "Parents",
                    "Regions"} <= set(entry), "account %s lacks Starfleet's keys: %s" % (account, sorted(entry)))
            expect(entry["Parents"] == org.parents(account),
                   "parents of %s: %s != %s" % (account, entry["Parents"], org.parents(account)))
            expect(entry["Tags"] == tags, "tags of %s: %s" % (account, entry["Tags"]))
            expect(REGION in entry["Regions"] and entry["Regions"] == sorted(entry["Regions"]),
                   "regions of %s: %s" % (account, entry["Regions"]))
        expect(len(w.api.connections) == 1, "the worker used %d connections" % len(w.api.connections))
        # The daemon keeps a local copy of the index it generated: the next ship reads that (AccountIndexFile).
        path = os.path.join(STATE["tmp"], "accountIndex.json")
        with open(path, "wb") as f:
            f.write(body)
        STATE["index_file"] = path
    finally:
        w.close()


def test_b_aws_config_dry_run_then_commit_with_index_and_alert(moto, org):
    index_file = STATE.get("index_file")
    expect(index_file is not None, "needs the index of test (a)")
    hosts = ["sts.%s.amazonaws.com" % REGION, "sts.amazonaws.com"]
    icpt = Interceptor(moto.port, hosts)
    w = WarmWorker("AwsConfig", aws_config_section(), moto, index_file=index_file, extra_env=icpt.env())
    try:
        web, sandbox = org.in_web[0], org.in_sandbox[0]
        expect(not recorder_state(moto, web)["recorders"], "moto already has a recorder in %s" % web)

        kind, doc = w.invoke(config_payload(web), commit=False, account=web, region=REGION)
        expect(kind == "response", "dry run: %s %s" % (kind, doc), w)
        expect(not recorder_state(moto, web)["recorders"], "the dry run created a recorder", w)
        expect("because commit is disabled" in w.output(), "no dry-run summary from the ship", w)
        expect(not w.api.alerts, "alerts on a dry run: %s" % w.api.alerts, w)

        kind, doc = w.invoke(config_payload(web), commit=True, account=web, region=REGION)
        expect(kind == "response", "commit: %s %s" % (kind, doc), w)
        state = recorder_state(moto, web)
        expect(len(state["recorders"]) == 1 and state["recorders"][0]["name"] == "default",
               "recorder in %s: %s" % (web, state["recorders"]), w)
        expect(state["recorders"][0]["roleARN"] == "arn:aws:iam::%s:role/AWSConfigRecorderRole" % web,
               "recorder role: %s" % state["recorders"][0]["roleARN"], w)
        # Web sits under Api (Root > Prod > Api > Web): the Api override applies, as the daemon's index says.
        expect([c["s3BucketName"] for c in state["channels"]] == ["bucket-for-api-ou"],
               "delivery channel in %s: %s (the override comes from the account index)" % (web, state["channels"]), w)
        expect([r["RetentionPeriodInDays"] for r in state["retention"]] == [30], "retention: %s" % state["retention"])
        expect(state["status"] and state["status"][0]["recording"], "not recording: %s" % state["status"], w)
        expect(len(w.api.alerts) == 1 and w.api.alerts[0]["priority"] == "SUCCESS"
               and w.api.alerts[0]["text"].startswith("Updated AWS Config properties\n")
               and ("in %s/%s" % (web, REGION)) in w.api.alerts[0]["text"],
               "alerts: %s" % w.api.alerts, w)

        kind, doc = w.invoke(config_payload(sandbox), commit=True, account=sandbox, region=REGION)
        expect(kind == "response", "commit in %s: %s %s" % (sandbox, kind, doc), w)
        channels = recorder_state(moto, sandbox)["channels"]
        expect([c["s3BucketName"] for c in channels] == ["bucket-for-everyone"],
               "delivery channel in %s: %s" % (sandbox, channels), w)
        expect(any(h.startswith("sts.") for h in icpt.seen), "STS never went through the interceptor: %s" % icpt.seen)
        expect(len(w.api.connections) == 1, "the worker used %d connections" % len(w.api.connections))
        STATE["config_worker_ok"] = True
    finally:
        w.close()
        icpt.close()


def test_c_schema_failure_is_starfleets_validation_error(moto, org):
    w = WarmWorker("AccountIndexGeneratorShip", generator_section(org), moto)
    try:
        bad = {"TemplateName": "AccountIndexGeneratorShip", "TemplateDescription": "no destination",
               "InventoryBucketRegion": REGION}
        kind, doc = w.invoke(bad, commit=True)
        expect(kind == "error", "a payload without AccountInventoryBucket was accepted: %s %s" % (kind, doc), w)
        expect(doc["errorType"] == "ValidationError", "errorType %s" % doc.get("errorType"), w)
        expect(doc["errorMessage"] == "{'AccountInventoryBucket': ['Missing data for required field.']}",
               "errorMessage %r" % doc.get("errorMessage"), w)
        expect(any("marshmallow" in frame for frame in doc["stackTrace"]), "stack: %s" % doc["stackTrace"], w)
        expect("[💥] Encountered major problem processing the payload" in w.output(),
               "Starfleet's worker_lambda did not log the failure", w)
        # The process survives a failed payload and takes the next one.
        kind, doc = w.invoke({"TemplateName": "x"}, commit=False)
        expect(kind == "error" and "TemplateDescription" in doc["errorMessage"], "second: %s %s" % (kind, doc), w)
    finally:
        w.close()


def test_d_glue_config_view_and_secrets(moto, org):
    """What Starfleet sees inside the process: the STARFLEET section it accepts, the section under the ship's name,
    the secrets keyed as Starfleet reads them, the daemon's index as ACCOUNT_INDEX (checked in-process here)."""
    index_file = STATE.get("index_file")
    expect(index_file is not None, "needs the index of test (a)")
    d = tempfile.mkdtemp(prefix="glue-view-")
    section = dict(aws_config_section(), Handler="starfleet.worker_ships.plugins.github_sync.ship.lambda_handler")
    files = {
        "config.json": section,
        "settings.json": {"STARFLEET": DAEMON_STARFLEET, "ConfigDirectory": d, "AccountIndexFile": index_file},
        "secrets.json": {"Secrets": {"my-org": "-----BEGIN PRIVATE KEY-----..."}, "Credentials": {}},
    }
    env = dict(os.environ, PYTHONPATH=PY_RUNTIME, STARFLEET_WORKER="GitHubSyncWorker", AWS_REGION=REGION,
               _HANDLER=section["Handler"], STARFLEET_COMMIT="false")
    env.pop("AWS_LAMBDA_RUNTIME_API", None)
    for name, doc in files.items():
        with open(os.path.join(d, name), "w") as f:
            json.dump(doc, f)
        env["STARFLEET_%s_FILE" % {"config.json": "WORKER_CONFIG", "settings.json": "SETTINGS",
                                   "secrets.json": "SECRETS"}[name]] = os.path.join(d, name)
    probe = r'''
import json, os
from starfleet_worker import starfleet_glue
starfleet_glue.install()
from starfleet.utils.configuration import STARFLEET_CONFIGURATION as C
from starfleet.utils.secrets import SECRETS_MANAGER
from starfleet.account_index.loader import ACCOUNT_INDEX
from starfleet.account_index.resolvers import resolve_account_specification
starfleet_glue.before_invocation({"StarfleetCommit": "true"})
c1 = os.environ["STARFLEET_COMMIT"]
starfleet_glue.before_invocation({})
print(json.dumps({"STARFLEET": C.config["STARFLEET"], "ship": C.config.get("GitHubSyncWorkerShip"),
                  "secret": SECRETS_MANAGER.secrets["GitHubSyncWorker"]["my-org"],
                  "api": sorted(resolve_account_specification({"by_org_units": ["Api"], "by_ids": [], "by_names": [], "by_tags": []})),
                  "roots": sorted(ACCOUNT_INDEX.index.get_org_roots()), "commit": [c1, os.environ["STARFLEET_COMMIT"]]}))
'''
    out = subprocess.run([PYTHON, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    shutil.rmtree(d, ignore_errors=True)
    expect(out.returncode == 0, "probe failed: %s" % out.stderr[-3000:])
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    expect(set(seen["STARFLEET"]) <= {"DeploymentRegion", "TemplateBucket", "FanOutQueueUrl", "AccountIndex",
                                      "ScopeToRegions", "SecretsManager", "SlackEnabled", "LogLevel",
                                      "ThirdPartyLoggerLevels"}, "STARFLEET: %s" % seen["STARFLEET"])
    expect(seen["STARFLEET"]["AccountIndex"] == "StarfleetDefaultAccountIndex", "AccountIndex: %s" % seen["STARFLEET"])
    expect(seen["ship"] and seen["ship"]["InvocationQueueUrl"].startswith("https://"), "ship section: %s" % seen["ship"])
    expect(seen["ship"]["InvocationSources"] == ["S3", "EVENTBRIDGE_TIMED_EVENT"], "sources: %s" % seen["ship"])
    expect(seen["secret"].startswith("-----BEGIN"), "secret: %s" % seen["secret"])
    in_api = sorted(a for a, (p, _) in org.accounts.items() if p in (org.api, org.web))
    expect(seen["api"] == in_api, "accounts in Api: %s != %s" % (seen["api"], in_api))
    expect(seen["roots"] == [MANAGEMENT], "org roots: %s" % seen["roots"])
    expect(seen["commit"] == ["true", "false"], "commit: %s" % seen["commit"])


TESTS = [test_a_account_index_generator_dry_run_then_commit,
         test_b_aws_config_dry_run_then_commit_with_index_and_alert,
         test_c_schema_failure_is_starfleets_validation_error,
         test_d_glue_config_view_and_secrets]


def main():
    selected = [t for t in TESTS if not sys.argv[1:] or any(a in t.__name__ for a in sys.argv[1:])]
    ensure_moto_server()
    from awspeer import MotoServer
    passed = failed = 0
    started = time.time()
    STATE["tmp"] = tempfile.mkdtemp(prefix="glue-test-")
    with MotoServer() as moto:
        org = Org(moto)
        for test in selected:
            t0 = time.time()
            try:
                test(moto, org)
                passed += 1
                print("PASS %s (%.1f s)" % (test.__name__, time.time() - t0), flush=True)
            except Exception:
                failed += 1
                print("FAIL %s (%.1f s)\n%s" % (test.__name__, time.time() - t0, traceback.format_exc()), flush=True)
    shutil.rmtree(STATE["tmp"], ignore_errors=True)
    print("(%.1f s in all)" % (time.time() - started))
    print("starfleet-glue: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
