#!/usr/bin/env python3
"""Starfleet's own worker ships (Starfleet 1.0.2, installed unchanged in a virtualenv) under the real starfleetd:
worker sections with `Runtime: python` + Starfleet's handler strings + `Python: <the venv>`, warm processes on the
daemon's Runtime API, templates dropped into the template directory and `starfleetctl invoke` through the daemon's
Invoke API; moto_server on 127.0.0.1 plays AWS (an Organization with nested OUs, Secrets Manager, S3, Config, IAM).

One daemon serves every case (the order matters: the index of (a) is the daemon's index for (b)):
  (a) `AccountIndexGeneratorShip` (the built-in Swift worker's name, with `Runtime: python`): a template dropped
      with commit off logs Starfleet's raw inventory and writes nothing; `invoke --commit` writes the index to S3,
      and that document equals the one Starfleet's own code writes run outside starfleetd (its lambda_handler
      with a native Starfleet configuration), `generated` aside, and matches the organization (nested parents, tags,
      regions). The test then hands it to the daemon as its LocalAccountIndex, as an operator would.
  (b) `AwsConfigWorkerShip`: a template dropped with commit off fans out over that index (every account, the org
      root too: OperateInOrgRoot) and changes nothing in moto; `invoke --commit --account-id --region` creates the
      recorder, delivery channel and retention, with the per-OU override chosen from the daemon's index (Root >
      Prod > Api > Web gets the Api override), and Starfleet's SUCCESS alert reaches the daemon's alert webhook.
      The ship calls STS at its fixed https://sts.<region>.amazonaws.com, so its process goes through an HTTPS
      interceptor (a CONNECT proxy with a test CA) that hands those calls to moto.
  (c) a template failing the generator's marshmallow schema is tried MaxReceiveCount (2) times and ends in
      <state>/dead-letter/AccountIndexGeneratorShip/ with Starfleet's own ValidationError message and the stack
      trace; the warm process survives the exceptions.
  (d) what Starfleet sees inside a warm process (the daemon's exact environment, read from /proc): the STARFLEET
      section it accepts, the ship's section without a queue URL in the daemon's file, the worker's entry of the
      Secrets Manager secret keyed as Starfleet reads it (not another worker's), the daemon's index as
      ACCOUNT_INDEX, the commit flag per invocation; and a worker named otherwise than its ship (GitHubSyncWorker)
      gets its section and secret under the names Starfleet looks them up by.
  (e) `GitHubSyncWorkerShip` as the worker `GitHubSyncWorker` (the key of its secret): GitHub App auth with the
      private key from the daemon's secrets file, api.github.com played by lib/github_standin.py through the same
      proxy (tunnelled: the ship's TLS reaches the stand-in); sync, dry run, update, DeleteMissingFiles, the zipball
      itself; then a second daemon's S3 template poller fans out a template the ship synced
      (starfleet_ships_github.py).
  (f) `IamRoleWorkerShip` (IAMbic) in two accounts of (a)'s index: dry-run drop, create, update, drift reported
      with commit off and corrected with commit on, with Starfleet's alert (starfleet_ships_iam.py).
Starfleet's own alerts are told from the daemon's per-outcome ones ("<worker> succeeded") by their text.

Run by scripts/e2e/starfleet-ships.sh with the venv's python (which has boto3). Arguments select cases by
substring (a case needing an earlier one's result runs that one too); SHIPS_TEST_VERBOSE=1 prints what validate,
the webhook and the dead letter got; KEEP=1 keeps the daemon's folder. Last line: "starfleet-ships: N passed, M failed".
"""
import glob
import http.client
import json
import os
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

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "lib"))
from daemon_test import Env, wait_for  # noqa: E402
from github_standin import GitHubStandIn  # noqa: E402
from starfleet_ships_github import (GITHUB_APP_ID, GITHUB_INSTALLATION, GITHUB_ORG, github_section,  # noqa: E402
                                    test_e_github_sync_ship_syncs_a_repo_to_s3)
from starfleet_ships_iam import iam_section, test_f_iam_role_ship_rolls_a_role_out_with_iambic  # noqa: E402

PYTHON = sys.executable        # the venv that holds Starfleet: the sections' `Python:`
REGION = "us-east-1"
MANAGEMENT = "123456789012"    # moto's default account: the organization's management account
GENERATOR_HANDLER = "starfleet.worker_ships.plugins.account_index_generator.ship.lambda_handler"
CONFIG_HANDLER = "starfleet.worker_ships.plugins.aws_config.ship.lambda_handler"
GENERATOR_DONE = "[🏁] Completed generating the account index."
CONFIG_DONE = "[🏁] Completed syncing the AWS Config template."


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
# An HTTPS interceptor for endpoints Starfleet hard-codes (the AWS Config ship's https://sts.<region>.amazonaws.com)


class Interceptor:
    """A CONNECT proxy that terminates TLS for *.amazonaws.com with a certificate of a test CA and forwards each
    request, Host header kept, to moto_server (which tells services apart by the signature's scope and Host). Other
    hosts in `tunnels` (host -> a 127.0.0.1 port) are tunnelled as they are: the client's TLS reaches that server,
    which shows a certificate of the same CA (`issue`)."""

    def __init__(self, moto_port, hosts, tunnels=None):
        self.tunnels = dict(tunnels or {})
        self.dir = tempfile.mkdtemp(prefix="ships-ca-")
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
            "-days", "2", "-subj", "/CN=starfleet-ships test CA")
        with open(os.path.join(self.dir, "ext.cnf"), "w") as f:
            f.write("subjectAltName=" + ",".join("DNS:" + h for h in hosts) + "\n")
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr",
            "-subj", "/CN=" + hosts[0])
        run("openssl", "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "leaf.pem", "-days", "2", "-extfile", "ext.cnf")

    def issue(self, host):
        """A certificate and key for `host`, signed by this proxy's CA: (cert path, key path)."""
        def run(*argv):
            subprocess.run(argv, cwd=self.dir, check=True, capture_output=True)
        with open(os.path.join(self.dir, host + ".cnf"), "w") as f:
            f.write("subjectAltName=DNS:%s\n" % host)
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", host + ".key", "-out", host + ".csr",
            "-subj", "/CN=" + host)
        run("openssl", "x509", "-req", "-in", host + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", host + ".pem", "-days", "2", "-extfile", host + ".cnf")
        return os.path.join(self.dir, host + ".pem"), os.path.join(self.dir, host + ".key")

    def _tunnel(self, conn, port):
        """Bytes both ways between the client and 127.0.0.1:port until either side closes."""
        upstream = socket.create_connection(("127.0.0.1", port), timeout=60)
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")

        def pump(src, dst):
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        other = threading.Thread(target=pump, args=(upstream, conn), daemon=True)
        other.start()
        pump(conn, upstream)
        other.join(60)
        upstream.close()

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
            if method == "CONNECT" and host in self.tunnels:
                self.seen.append(host)
                self._tunnel(conn, self.tunnels[host])
                return
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
                "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost", "AWS_CA_BUNDLE": self.ca,
                "REQUESTS_CA_BUNDLE": self.ca}

    def close(self):
        self.sock.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Receiver:
    """The daemon's alert webhook: records every POST's JSON body."""

    def __init__(self):
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                outer.requests.append(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------------------------------------------------------
# The daemon's configuration: Starfleet's sections as a user moves them over (no InvocationQueueUrl)


def yaml_value(value):
    """A value for Env.write_config's `  Key: value` lines (JSON is YAML, and quotes the URLs' colons)."""
    return json.dumps(value) if isinstance(value, (dict, list, str)) else value


def generator_section(org, aws_env):
    return {
        "Enabled": True,
        "Runtime": "python",
        "Handler": GENERATOR_HANDLER,
        "Python": PYTHON,
        # No FanOutStrategy, as in Starfleet's configuration: the ship's class declares it (the daemon knows the table).
        "TemplatePrefix": "AccountIndexGenerator/",
        "InvocationSources": ["S3"],
        "OrgAccountAssumeRole": "starfleet-worker-basic-test-role",
        "OrgAccountId": MANAGEMENT,
        "OrgRootId": org.root,
        "DescribeRegionsAssumeRole": "starfleet-worker-basic-test-role",
        "Environment": aws_env,
        "TimeoutSeconds": 120,
        "MaxReceiveCount": 2,
        "Backoff": {"InitialSeconds": 0, "MaxSeconds": 0},
    }


def config_section(aws_env, interceptor):
    return {
        "Enabled": True,
        "Runtime": "python",
        "Handler": CONFIG_HANDLER,
        "Python": PYTHON,
        "TemplatePrefix": "AwsConfig/",
        "InvocationSources": ["S3", "EVENTBRIDGE_TIMED_EVENT"],
        "EventBridgeTimedFrequency": "DAILY",
        "WorkerRoleToAssume": "starfleet-worker-basic-test-role",
        "AlertConfiguration": {"ChannelId": "C0AWSCONFIG", "AlertPriority": "SUCCESS"},
        "Environment": dict(aws_env, **interceptor.env()),
        "Concurrency": 3,
        "TimeoutSeconds": 120,
        "MaxReceiveCount": 2,
        "Backoff": {"InitialSeconds": 0, "MaxSeconds": 0},
    }


def config_payload():
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
    }


# Starfleet's own code outside starfleetd: its configuration loader over a native Starfleet configuration (the
# `_configuration_path` Starfleet's tests point elsewhere), its lambda_handler, the SQS event Lambda would give it.
REFERENCE_RUN = r'''
import json, os, sys
from starfleet.utils.configuration import STARFLEET_CONFIGURATION
STARFLEET_CONFIGURATION._configuration_path = sys.argv[1]
from starfleet.worker_ships.plugins.account_index_generator.ship import lambda_handler
lambda_handler({"Records": [{"body": sys.argv[2]}]}, None)
'''


def starfleet_native_configuration(directory, org):
    os.makedirs(directory)
    with open(os.path.join(directory, "configuration.yaml"), "w") as f:
        json.dump({
            "STARFLEET": {"DeploymentRegion": REGION, "TemplateBucket": "starfleet-templates-%s" % MANAGEMENT,
                          "FanOutQueueUrl": "https://sqs.%s.amazonaws.com/%s/starbase-fanout-queue" % (REGION, MANAGEMENT),
                          "AccountIndex": "StarfleetDefaultAccountIndex", "LogLevel": "INFO"},
            "AccountIndexGeneratorShip": {
                "Enabled": True, "TemplatePrefix": "AccountIndexGenerator/SaveAccountInventory.yaml",
                "InvocationQueueUrl": "https://sqs.%s.amazonaws.com/%s/starfleet-account-index-generator" % (REGION, MANAGEMENT),
                "InvocationSources": ["EVENTBRIDGE_TIMED_EVENT", "S3"], "EventBridgeTimedFrequency": "HOURLY",
                "OrgAccountAssumeRole": "starfleet-worker-basic-test-role", "OrgAccountId": MANAGEMENT,
                "OrgRootId": org.root, "DescribeRegionsAssumeRole": "starfleet-worker-basic-test-role"},
        }, f)


def recorder_state(moto, account):
    import boto3
    creds = moto.client("sts").assume_role(RoleArn="arn:aws:iam::%s:role/checker" % account,
                                           RoleSessionName="check")["Credentials"]
    cfg = boto3.client("config", region_name=REGION, endpoint_url=moto.endpoint,
                       aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                       aws_session_token=creds["SessionToken"])
    return {
        "recorders": cfg.describe_configuration_recorders()["ConfigurationRecorders"],
        "channels": cfg.describe_delivery_channels()["DeliveryChannels"],
        "status": cfg.describe_configuration_recorder_status()["ConfigurationRecordersStatus"],
        "retention": cfg.describe_retention_configurations()["RetentionConfigurations"],
    }


# ---------------------------------------------------------------------------------------------------------------
# The shared fixture: moto, the organization, one daemon with both ships


class World:
    def __init__(self, moto):
        self.moto = moto
        self.org = Org(moto)
        self.secret_value = "ghp-" + uuid.uuid4().hex
        self.interceptor = Interceptor(moto.port, ["sts.%s.amazonaws.com" % REGION, "sts.amazonaws.com"])
        # api.github.com for the GitHubSyncWorkerShip (e): tunnelled to the stand-in, which shows a CA certificate.
        cert, key = self.interceptor.issue("api.github.com")
        self.github = GitHubStandIn(cert, key, app_id=GITHUB_APP_ID, installation_id=GITHUB_INSTALLATION, org=GITHUB_ORG)
        self.interceptor.tunnels["api.github.com"] = self.github.port
        sm = moto.client("secretsmanager")
        sm.create_secret(Name="starfleet", SecretString=json.dumps({
            "AwsConfigWorkerShip": {"token": self.secret_value},
            # Starfleet's layout: the GitHubSyncWorker entry maps each organization to its app's private key.
            "GitHubSyncWorker": {GITHUB_ORG: self.github.private_key_pem},
            "SomeoneElse": {"token": "not-for-this-worker"}}))
        self.bucket = "starfleet-account-index-%s" % uuid.uuid4().hex[:8]
        moto.client("s3").create_bucket(Bucket=self.bucket)
        self.receiver = Receiver()
        self.env = Env({})
        env = self.env
        # The index comes from (a); until then the daemon has none (it says so, and waits).
        os.remove(os.path.join(env.config, "index.json"))
        self.index_path = os.path.join(env.config, "index.json")
        creds = os.path.join(env.dir, "credentials")
        os.makedirs(creds)
        with open(os.path.join(creds, "alert-webhook"), "w") as f:
            f.write("http://127.0.0.1:%d/services/T0/B0/hook\n" % self.receiver.port)
        aws_env = moto.env()
        from awspeer import free_port
        self.metrics_port, self.console_port = free_port(), free_port()   # (g): /metrics and the console's chart
        workers = {
            "AccountIndexGeneratorShip": generator_section(self.org, aws_env),
            "AwsConfigWorkerShip": config_section(aws_env, self.interceptor),
            "GitHubSyncWorker": github_section(PYTHON, aws_env, self.interceptor.env()),
            "IamRoleWorkerShip": iam_section(PYTHON, aws_env, self.interceptor.env()),
        }
        env.write_config({name: {k: yaml_value(v) for k, v in spec.items()} for name, spec in workers.items()})
        path = os.path.join(env.config, "starfleetd.yaml")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("STARFLEET:\n", "STARFLEET:\n  DeploymentRegion: %s\n  AlertWebhookCredential: alert-webhook\n"
                                 "  SecretsManager: {SecretId: starfleet, SecretRegion: %s}\n"
                                 "  MetricsAddress: 127.0.0.1:%d\n  ConsoleAddress: 127.0.0.1:%d\n"
                                 % (REGION, REGION, self.metrics_port, self.console_port), 1))
        # validate: a `Runtime: python` section named like the built-in Swift generator is Starfleet's, not the
        # built-in's (its checks must not apply); the sections need no InvocationQueueUrl.
        r = env.ctl("validate", check=False)
        self.validate_output = r.stdout + r.stderr
        self.validate_status = r.returncode
        env.start(env=dict(moto.env(), CREDENTIALS_DIRECTORY=creds))
        self.state = {}

    def log(self):
        return self.env.read_log()

    def log_tail(self, n=40):
        """The log's last lines, without the lines of Starfleet's multi-line dumps (the raw inventory)."""
        kept = [l for l in self.log().splitlines() if not l.startswith("<6>starfleetd:  ") and "stream=stdout" not in l
                and (": {" not in l or "Raw Inventory" in l)]
        return "\n--- daemon log (last %d lines, dumps left out) ---\n" % n + "\n".join(kept[-n:])

    def payload_file(self, payload):
        path = os.path.join(self.env.dir, "payload-%d.json" % time.time_ns())
        with open(path, "w") as f:
            json.dump(payload, f)
        return path

    def close(self):
        try:
            status = self.env.stop()
        finally:
            self.env.cleanup()
            self.interceptor.close()
            self.receiver.close()
            self.github.close()
        return status


def expect(cond, message, world=None):
    if not cond:
        raise AssertionError(message + (world.log_tail() if world else ""))


# ---------------------------------------------------------------------------------------------------------------
# Cases


def generator_payload(world, **extra):
    payload = {"TemplateName": "AccountIndexGeneratorShip", "TemplateDescription": "The account index",
               "AccountInventoryBucket": world.bucket, "InventoryBucketRegion": REGION}
    payload.update(extra)
    return payload


def test_a_account_index_generator_under_the_daemon_writes_starfleets_index(world):
    w, org, s3 = world, world.org, world.moto.client("s3")
    if os.environ.get("SHIPS_TEST_VERBOSE"):
        print("    starfleetctl validate: %s" % w.validate_output.strip().replace("\n", "\n      "))
    expect(w.validate_status == 0, "validate refused the configuration (exit %d):\n%s" % (w.validate_status, w.validate_output))

    # Commit off (the section's default): a template drop.
    w.env.template("AccountIndexGenerator/SaveAccountInventory.yaml", json.dumps(generator_payload(w)))
    wait_for(lambda: GENERATOR_DONE in w.log(), 90, "the dry run to complete" + w.log_tail())
    expect(s3.list_objects_v2(Bucket=w.bucket).get("KeyCount", 0) == 0, "the dry run wrote to S3", w)
    expect("[🍣] Raw Inventory:" in w.log(), "the dry run did not log Starfleet's raw inventory", w)
    expect("Starting the AccountIndexGeneratorShip Worker Ship" in w.log(), "not Starfleet's worker_lambda", w)

    # Commit on: starfleetctl invoke through the daemon's Invoke API, same warm process.
    r = w.env.ctl("invoke", "AccountIndexGeneratorShip", "--payload", w.payload_file(generator_payload(w)), "--commit",
                  check=False)
    expect(r.returncode == 0, "invoke --commit exited %d: %s%s" % (r.returncode, r.stdout, r.stderr), w)
    expect("through the running daemon" in r.stderr, "invoke did not go through the daemon: %s" % r.stderr)
    body = s3.get_object(Bucket=w.bucket, Key="accountIndex.json")["Body"].read()
    index = json.loads(body)

    # What Starfleet's own code writes, outside starfleetd, from the same organization.
    native = os.path.join(w.env.dir, "starfleet-native-config")
    starfleet_native_configuration(native, org)
    ref_env = dict(os.environ, **w.moto.env(), STARFLEET_COMMIT="true")
    ref = subprocess.run([PYTHON, "-c", REFERENCE_RUN, native,
                          json.dumps(generator_payload(w, InventoryObjectPrefix="reference.json"))],
                         env=ref_env, capture_output=True, text=True, timeout=120)
    expect(ref.returncode == 0, "Starfleet's own run failed: %s" % ref.stderr[-3000:])
    reference = json.loads(s3.get_object(Bucket=w.bucket, Key="reference.json")["Body"].read())
    expect(set(index) == {"accounts", "generated"} and index["generated"].endswith("Z"),
           "not Starfleet's index document: keys %s" % sorted(index))
    expect(index["accounts"] == reference["accounts"],
           "the index under starfleetd differs from Starfleet's own:\n%s\n!=\n%s" % (
               json.dumps(index["accounts"], sort_keys=True)[:3000], json.dumps(reference["accounts"], sort_keys=True)[:3000]))
    expect(body.decode() == json.dumps(index, indent=4, sort_keys=True), "not Starfleet's serialization (indent 4, sorted)")

    # And the index is the organization's (so the comparison is not of two empty or wrong documents).
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
    # One warm process served both payloads.
    pids = worker_pids(w, "AccountIndexGeneratorShip")
    expect(len(pids) == 1, "AccountIndexGeneratorShip's warm processes: %s" % pids, w)
    w.state["generator_pid"] = pids[0]

    # The operator's step (the daemon reads a LocalAccountIndex; it does not copy an S3 index locally yet).
    with open(w.index_path + ".tmp", "wb") as f:
        f.write(body)
    os.rename(w.index_path + ".tmp", w.index_path)
    w.state["index"] = index


def test_b_aws_config_ship_commit_off_then_on(world):
    w, org, moto = world, world.org, world.moto
    if "index" not in w.state:
        test_a_account_index_generator_under_the_daemon_writes_starfleets_index(w)
    accounts = sorted(org.accounts)
    for account in accounts:
        expect(not recorder_state(moto, account)["recorders"], "moto already has a recorder in %s" % account)

    # Commit off: a template drop fans out over the daemon's index, every account (the org root too).
    before = w.log().count(CONFIG_DONE)
    w.env.template("AwsConfig/everywhere.yaml", json.dumps(config_payload()))
    wait_for(lambda: w.log().count(CONFIG_DONE) - before >= len(accounts), 120,
             "%d AWS Config payloads to complete%s" % (len(accounts), w.log_tail()))
    time.sleep(1.0)
    log = w.log()
    expect(log.count(CONFIG_DONE) - before == len(accounts),
           "%d payloads completed, expected %d" % (log.count(CONFIG_DONE) - before, len(accounts)), w)
    for account in accounts:
        expect("Fetching the current AWS Config state in %s/%s" % (account, REGION) in log,
               "no payload ran for %s" % account, w)
        expect(not recorder_state(moto, account)["recorders"], "commit off created a recorder in %s" % account, w)
    expect("because commit is disabled" in log, "no dry-run summary from the ship", w)
    expect(not glob.glob(os.path.join(w.env.state, "dead-letter", "AwsConfigWorkerShip", "*.json")),
           "dead letters on the dry run", w)
    # Starfleet's ship alerts only what it changed: nothing on a dry run. (The daemon's own per-outcome alerts,
    # "<worker> succeeded" for AlertPriority SUCCESS, are not Starfleet's and are left out here.)
    expect(not starfleet_alerts(w), "Starfleet alerts on a dry run: %s" % starfleet_alerts(w))

    # Commit on: starfleetctl invoke --commit through the daemon, for an account in Web (under Api) and one in Sandbox.
    web, sandbox = org.in_web[0], org.in_sandbox[0]
    for account in (web, sandbox):
        # `invoke --account-id/--region` puts StarbaseAssignedAccount/Region in the payload, as Starfleet's CLI does.
        payload = w.payload_file(config_payload())
        r = w.env.ctl("invoke", "AwsConfigWorkerShip", "--payload", payload, "--account-id", account, "--region", REGION,
                      "--commit", check=False)
        expect(r.returncode == 0, "invoke --commit for %s exited %d: %s%s" % (account, r.returncode, r.stdout, r.stderr), w)
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
    channels = recorder_state(moto, sandbox)["channels"]
    expect([c["s3BucketName"] for c in channels] == ["bucket-for-everyone"],
           "delivery channel in %s: %s" % (sandbox, channels), w)
    for account in accounts:
        if account not in (web, sandbox):
            expect(not recorder_state(moto, account)["recorders"], "a recorder appeared in %s" % account, w)
    expect(any(h.startswith("sts.") for h in w.interceptor.seen), "STS never went through the interceptor: %s"
           % w.interceptor.seen)

    # Starfleet's send_alert(SUCCESS, ...) reached the daemon's alert webhook, once per committed payload.
    wait_for(lambda: len(starfleet_alerts(w)) >= 2, 20, "Starfleet's two SUCCESS alerts at the webhook%s" % w.log_tail())
    time.sleep(0.5)
    alerts = starfleet_alerts(w)
    texts = [json.dumps(r, ensure_ascii=False) for r in alerts]
    expect(len(alerts) == 2 and any("in %s/%s" % (web, REGION) in t for t in texts)
           and any("in %s/%s" % (sandbox, REGION) in t for t in texts), "Starfleet's alerts: %s" % texts)
    expect(all(r.get("starfleet", {}).get("priority") == "SUCCESS" and r.get("channel") == "C0AWSCONFIG"
               and r.get("starfleet", {}).get("worker") == "AwsConfigWorkerShip" for r in alerts),
           "alert priority/channel/worker: %s" % texts)
    # Starfleet's header is the title, its summary the body, and the alert names the payload it concerns.
    expect(all(r.get("starfleet", {}).get("title", "").startswith("Updated AWS Config properties")
               and "\n" not in r["starfleet"]["title"] and "summary of the work performed" in json.dumps(r, ensure_ascii=False)
               and r["starfleet"].get("account") in (web, sandbox) and r["starfleet"].get("messageId", "-") != "-"
               for r in alerts), "alert title/body/account: %s" % texts)
    if os.environ.get("SHIPS_TEST_VERBOSE"):
        print("    Starfleet's alert at the webhook: %s" % texts[0])
    expect(len(worker_pids(w, "AwsConfigWorkerShip")) <= 3, "more warm processes than Concurrency 3", w)
    w.state["config_ok"] = True


def test_g_warm_process_chart_and_metrics_count_the_same_cold_starts(world):
    """Every Lambda-runtime worker that ran: the console's warm-process chart (server-drawn SVG, read over HTTP) counts
    the cold starts /metrics counts, at least one per distinct pid of the worker in the daemon's log; the gauge is the
    processes alive now (from /proc), and the chart's last minute holds at least them."""
    import re
    import urllib.request
    w = world
    if not w.state:
        test_a_account_index_generator_under_the_daemon_writes_starfleets_index(w)
    metrics = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % w.metrics_port, timeout=10).read().decode()
    checked = 0
    for worker in ("AccountIndexGeneratorShip", "AwsConfigWorkerShip", "GitHubSyncWorker", "IamRoleWorkerShip"):
        pids = set(re.findall(r" pid=(\d+) stream=std\w+(?: \w+=\S+)* worker=%s\b" % worker, w.log()))
        if not pids:
            continue  # this selection of cases did not run it
        found = re.search(r'^starfleet_lambda_cold_starts_total\{worker="%s"\} (\S+)$' % worker, metrics, re.M)
        # At least every process that wrote to the log (a process started for a retry may take none and say nothing).
        expect(found and float(found.group(1)) >= len(pids),
               "%s: cold starts in /metrics %s, distinct pids in the log %d" % (worker, found and found.group(1), len(pids)))
        cold = int(float(found.group(1)))
        gauge = re.search(r'^starfleet_lambda_warm_processes\{worker="%s"\} (\S+)$' % worker, metrics, re.M)
        alive = len(worker_pids(w, worker))
        expect(gauge and float(gauge.group(1)) == alive, "%s: warm processes %s, alive %d" % (
            worker, gauge and gauge.group(1), alive))
        page = urllib.request.urlopen("http://127.0.0.1:%d/workers/%s" % (w.console_port, worker), timeout=10).read().decode()
        chart = page.split('<figure class="chart" id="warm-hour">', 1)
        expect(len(chart) == 2, "%s: no warm-process chart on its page" % worker)
        minutes = re.findall(r'data-processes="(\d+)" data-cold-starts="(\d+)"', chart[1].split("</figure>", 1)[0])
        expect(len(minutes) == 60, "%s: %d minutes in the chart" % (worker, len(minutes)))
        expect(sum(int(c) for _, c in minutes) == cold, "%s: the chart's cold starts %s, /metrics %d" % (
            worker, [c for _, c in minutes if c != "0"], cold))
        expect(int(minutes[-1][0]) >= alive, "%s: the last minute's peak %s < alive %d" % (worker, minutes[-1][0], alive))
        checked += 1
    expect(checked > 0, "no Lambda-runtime worker ran")


def starfleet_alerts(world):
    """The alerts Starfleet's own send_alert posted (through the daemon's /starfleet/alert) that reached the webhook."""
    return [r for r in world.receiver.requests if "Updated AWS Config properties" in json.dumps(r, ensure_ascii=False)]


def test_c_schema_failure_dead_letters_with_starfleets_message(world):
    w = world
    bad = {"TemplateName": "AccountIndexGeneratorShip", "TemplateDescription": "no destination",
           "InventoryBucketRegion": REGION}
    w.env.template("AccountIndexGenerator/NoBucket.yaml", json.dumps(bad))
    folder = os.path.join(w.env.state, "dead-letter", "AccountIndexGeneratorShip")
    letters = wait_for(lambda: glob.glob(os.path.join(folder, "*.json")), 60, "a dead letter" + w.log_tail())
    expect(len(letters) == 1, "dead letters: %s" % letters, w)
    with open(letters[0]) as f:
        letter = json.load(f)
    text = json.dumps(letter, ensure_ascii=False)
    message = "{'AccountInventoryBucket': ['Missing data for required field.']}"
    expect(letter.get("receiveCount") == 2 and len(letter.get("failures", [])) == 2,
           "receiveCount %s, failures %d (MaxReceiveCount 2)" % (letter.get("receiveCount"), len(letter.get("failures", []))))
    expect(all(f.get("error") == "ValidationError: " + message for f in letter["failures"]),
           "not Starfleet's own message in each failure: %s" % text[:3000])
    expect("marshmallow" in letter["failures"][-1].get("stderrTail", ""),
           "the stack trace (marshmallow's frames) is not kept: %s" % text[:3000])
    expect(letter.get("body") == bad, "the dead letter's body is not the payload: %s" % letter.get("body"))
    if "generator_pid" in w.state:
        # Survived: still alive after both exceptions. (The retry, with Backoff 0, can arrive while that process is
        # still answering the first error; then the pool, Concurrency 4, starts a second one for it.)
        expect(w.state["generator_pid"] in worker_pids(w, "AccountIndexGeneratorShip"),
               "the warm process did not survive Starfleet's exceptions: %s, was %s"
               % (worker_pids(w, "AccountIndexGeneratorShip"), w.state["generator_pid"]), w)
    if os.environ.get("SHIPS_TEST_VERBOSE"):
        print("    dead letter's last failure: %s" % json.dumps(letter["failures"][-1], ensure_ascii=False)[:1500])
    expect(w.log().count("[💥] Encountered major problem processing the payload") >= 2,
           "Starfleet's worker_lambda did not log both failures", w)


def test_d_what_starfleet_sees_in_a_warm_process(world):
    """The warm AwsConfigWorkerShip process's exact environment (from /proc), handed to a probe that installs the
    glue as the runtime client does and asks Starfleet's singletons what they hold."""
    w, org = world, world.org
    if "index" not in w.state:
        test_a_account_index_generator_under_the_daemon_writes_starfleets_index(w)
    pids = worker_pids(w, "AwsConfigWorkerShip")
    if not pids:  # no payload ran yet in this selection: one dry-run invoke starts a warm process
        account = org.in_sandbox[0]
        w.env.ctl("invoke", "AwsConfigWorkerShip", "--payload", w.payload_file(dict(
            config_payload(), StarbaseAssignedAccount=account, StarbaseAssignedRegion=REGION)),
                  "--account-id", account, "--region", REGION)
        pids = worker_pids(w, "AwsConfigWorkerShip")
    expect(pids, "no warm AwsConfigWorkerShip process", w)
    env = proc_environ(pids[0])
    for name in ("AWS_LAMBDA_RUNTIME_API", "AWS_ENDPOINT_URL_LAMBDA"):
        env.pop(name, None)     # the probe is not a runtime client
    with open(env["STARFLEET_WORKER_CONFIG_FILE"]) as f:
        written = json.load(f)
    expect("InvocationQueueUrl" not in written, "the daemon's section has a queue URL: %s" % written)
    probe = r'''
import json, os
from starfleet_worker import starfleet_glue
starfleet_glue.install()
from starfleet.utils.configuration import STARFLEET_CONFIGURATION as C
from starfleet.utils.secrets import SECRETS_MANAGER
from starfleet.account_index.loader import ACCOUNT_INDEX
from starfleet.account_index.resolvers import resolve_account_specification
from starfleet.worker_ships.plugins.aws_config.schemas import AwsConfigWorkerShipConfigurationTemplate
errors = AwsConfigWorkerShipConfigurationTemplate().validate(C.config["AwsConfigWorkerShip"])
starfleet_glue.before_invocation({"StarfleetCommit": "true"})
c1 = os.environ["STARFLEET_COMMIT"]
starfleet_glue.before_invocation({})
print(json.dumps({"STARFLEET": C.config["STARFLEET"], "ship": C.config.get("AwsConfigWorkerShip"), "errors": errors,
                  "secrets": SECRETS_MANAGER.secrets,
                  "api": sorted(resolve_account_specification({"by_org_units": ["Api"], "by_ids": [], "by_names": [], "by_tags": []})),
                  "roots": sorted(ACCOUNT_INDEX.index.get_org_roots()), "commit": [c1, os.environ["STARFLEET_COMMIT"]]}))
'''
    out = subprocess.run([PYTHON, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    expect(out.returncode == 0, "probe failed: %s" % out.stderr[-3000:])
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    expect(set(seen["STARFLEET"]) <= {"DeploymentRegion", "TemplateBucket", "FanOutQueueUrl", "AccountIndex",
                                      "ScopeToRegions", "SecretsManager", "SlackEnabled", "LogLevel",
                                      "ThirdPartyLoggerLevels"}, "STARFLEET: %s" % seen["STARFLEET"])
    expect(seen["STARFLEET"]["AccountIndex"] == "StarfleetDefaultAccountIndex", "AccountIndex: %s" % seen["STARFLEET"])
    expect(seen["STARFLEET"]["SecretsManager"] == {"SecretId": "starfleet", "SecretRegion": REGION},
           "SecretsManager: %s" % seen["STARFLEET"])
    expect(not seen["errors"], "Starfleet's schema refuses the section: %s" % seen["errors"])
    expect(seen["ship"]["InvocationQueueUrl"].startswith("https://"), "ship section: %s" % seen["ship"])
    expect(seen["ship"]["InvocationSources"] == ["S3", "EVENTBRIDGE_TIMED_EVENT"], "sources: %s" % seen["ship"])
    expect(seen["secrets"].get("AwsConfigWorkerShip") == {"token": w.secret_value}, "secrets: %s" % list(seen["secrets"]))
    expect("SomeoneElse" not in seen["secrets"], "another worker's secret reached the process: %s" % list(seen["secrets"]))
    in_api = sorted(a for a, (p, _) in org.accounts.items() if p in (org.api, org.web))
    expect(seen["api"] == in_api, "accounts in Api: %s != %s" % (seen["api"], in_api))
    expect(seen["roots"] == [MANAGEMENT], "org roots: %s" % seen["roots"])
    expect(seen["commit"] == ["true", "false"], "commit: %s" % seen["commit"])
    expect(w.secret_value not in w.log(), "the secret reached the daemon's log")

    # A worker named otherwise than its ship (GitHubSyncWorker, the secret key Starfleet's GitHubSyncWorkerShip reads):
    # the glue gives the ship's name the section and the worker's secret entry (the same files, another handler).
    renamed = dict(env, STARFLEET_WORKER="GitHubSyncWorker", AWS_LAMBDA_FUNCTION_NAME="GitHubSyncWorker",
                   _HANDLER="starfleet.worker_ships.plugins.github_sync.ship.lambda_handler")
    probe = r'''
import json
from starfleet_worker import starfleet_glue
starfleet_glue.install()
from starfleet.utils.configuration import STARFLEET_CONFIGURATION as C
from starfleet.utils.secrets import SECRETS_MANAGER
print(json.dumps({"ship": C.config.get("GitHubSyncWorkerShip"), "worker": C.config.get("GitHubSyncWorker"),
                  "secret": SECRETS_MANAGER.secrets.get("GitHubSyncWorker")}))
'''
    out = subprocess.run([PYTHON, "-c", probe], env=renamed, capture_output=True, text=True, timeout=60)
    expect(out.returncode == 0, "renamed probe failed: %s" % out.stderr[-3000:])
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    expect(seen["ship"] and seen["ship"] == seen["worker"], "GitHubSyncWorkerShip's section: %s" % seen)
    expect(seen["secret"] == {"token": w.secret_value}, "GitHubSyncWorker's secret: %s" % seen["secret"])


# ---------------------------------------------------------------------------------------------------------------


def worker_pids(world, worker):
    """The daemon's children that run `worker` (STARFLEET_WORKER in their environment)."""
    daemon = world.env.proc.pid
    found = []
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            with open("/proc/%s/stat" % pid) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            if ppid != daemon:
                continue
            if proc_environ(pid).get("STARFLEET_WORKER") == worker:
                found.append(int(pid))
        except (OSError, ValueError, IndexError):
            continue
    return sorted(found)


def proc_environ(pid):
    with open("/proc/%s/environ" % pid, "rb") as f:
        items = [e.decode("utf-8", "replace") for e in f.read().split(b"\0") if e]
    return dict(i.split("=", 1) for i in items if "=" in i)


TESTS = [test_a_account_index_generator_under_the_daemon_writes_starfleets_index,
         test_b_aws_config_ship_commit_off_then_on,
         test_c_schema_failure_dead_letters_with_starfleets_message,
         test_d_what_starfleet_sees_in_a_warm_process,
         test_e_github_sync_ship_syncs_a_repo_to_s3,
         test_f_iam_role_ship_rolls_a_role_out_with_iambic,
         test_g_warm_process_chart_and_metrics_count_the_same_cold_starts]


def main():
    selected = [t for t in TESTS if not sys.argv[1:] or any(a in t.__name__ for a in sys.argv[1:])]
    ensure_moto_server()
    from awspeer import MotoServer
    passed = failed = 0
    started = time.time()
    with MotoServer() as moto:
        try:
            world = World(moto)
        except Exception:
            print("FAIL setting up the daemon\n%s" % traceback.format_exc(), flush=True)
            print("starfleet-ships: 0 passed, 1 failed")
            return 1
        print("(moto, organization and daemon ready in %.1f s)" % (time.time() - started), flush=True)
        try:
            for test in selected:
                t0 = time.time()
                try:
                    test(world)
                    passed += 1
                    print("ok   %s (%.1f s)" % (test.__name__, time.time() - t0), flush=True)
                except Exception:
                    failed += 1
                    print("FAIL %s (%.1f s)\n%s" % (test.__name__, time.time() - t0, traceback.format_exc()), flush=True)
        finally:
            log = world.log()
            status = world.close()
        if status != 0:
            failed += 1
            print("FAIL the daemon exited %s on SIGTERM\n%s" % (status, log[-3000:]), flush=True)
    print("(%.1f s in all)" % (time.time() - started))
    print("starfleet-ships: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
