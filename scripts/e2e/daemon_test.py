#!/usr/bin/env python3
"""End-to-end tests of the built starfleetd and starfleetctl: real processes, a temp config and state dir each.

Run by scripts/e2e/daemon.sh (after `swift build`). Every wait is bounded; the last line is "N passed, N failed".
"""
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.join(ROOT, ".build", "debug")
DAEMON = os.path.join(BIN, "starfleetd")
CTL = os.path.join(BIN, "starfleetctl")

RECORDER = """#!/bin/sh
# Records one line per payload: worker account region message-id receive-count.
cat > /dev/null
echo "$STARFLEET_WORKER ${STARFLEET_ACCOUNT_ID:--} ${STARFLEET_REGION:--} $STARFLEET_MESSAGE_ID $STARFLEET_RECEIVE_COUNT" >> "$1"
echo '{"ok": true}'
"""
FAILER = """#!/bin/sh
cat > /dev/null
echo "attempt $STARFLEET_RECEIVE_COUNT" >> "$1"
echo "boom: the payload could not be processed" >&2
exit 3
"""
SLOW = """#!/bin/sh
cat > /dev/null
touch "$1.started"
sleep 2
echo "finished $STARFLEET_MESSAGE_ID" >> "$1"
"""


def wait_for(predicate, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def lines(path):
    try:
        with open(path) as f:
            return [l.split() for l in f.read().splitlines() if l.strip()]
    except FileNotFoundError:
        return []


class Env:
    """A temp configuration directory, template directory, account index and state directory."""

    def __init__(self, workers, accounts=5, regions=("us-east-1", "us-west-2", "eu-west-1")):
        self.dir = tempfile.mkdtemp(prefix="sfd-e2e-")
        self.config = os.path.join(self.dir, "config")
        self.templates = os.path.join(self.config, "templates")
        self.state = os.path.join(self.dir, "state")
        self.out = os.path.join(self.dir, "out")
        os.makedirs(self.templates)
        os.makedirs(self.out)
        for name, body in (("recorder.sh", RECORDER), ("failer.sh", FAILER), ("slow.sh", SLOW)):
            path = os.path.join(self.config, name)
            with open(path, "w") as f:
                f.write(body)
            os.chmod(path, 0o755)
        self.write_index(accounts, regions)
        self.write_config(workers)
        self.proc = None
        self.log_path = os.path.join(self.dir, "daemon.log")

    def write_index(self, count, regions):
        accounts = {}
        for i in range(count):
            aid = f"{100000000000 + i}"
            parents = [{"Id": "r-test", "Name": "ROOT", "Type": "ROOT"}]
            accounts[aid] = {"Id": aid, "Name": f"acct-{i}", "Arn": f"arn:aws:organizations::100000000000:account/o-test/{aid}",
                             "Parents": parents, "Regions": list(regions), "Tags": {"Env": "test"}}
        with open(os.path.join(self.config, "index.json"), "w") as f:
            json.dump({"accounts": accounts, "generated": "2026-01-01T00:00:00Z"}, f)

    def write_config(self, workers, extra=""):
        text = "STARFLEET:\n  TemplateDirectory: templates\nLocalAccountIndex:\n  Path: index.json\n" + extra
        for name, spec in workers.items():
            text += f"{name}:\n" + "".join(f"  {k}: {v}\n" for k, v in spec.items())
        with open(os.path.join(self.config, "starfleetd.yaml"), "w") as f:
            f.write(text)

    def template(self, key, text):
        path = os.path.join(self.templates, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.rename(path + ".tmp", path)

    def start(self, env=None):
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([DAEMON, "--config", self.config, "--state-dir", self.state],
                                     stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        wait_for(lambda: "starfleetd started" in self.read_log() or self.proc.poll() is not None, 20, "the daemon to start")
        assert self.proc.poll() is None, f"daemon exited early:\n{self.read_log()}"

    def read_log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("the daemon did not stop in time")
        return self.proc.returncode if self.proc else None

    def ctl(self, *args, check=True):
        r = subprocess.run([CTL, *args, "--config", self.config, "--state-dir", self.state], capture_output=True, text=True, timeout=60)
        if check and r.returncode != 0:
            raise AssertionError(f"starfleetctl {' '.join(args)} exited {r.returncode}: {r.stdout}{r.stderr}")
        return r

    def cleanup(self):
        if os.environ.get("KEEP"):
            print(f"    kept {self.dir}")
            return
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def recorder(env, strategy, prefix, sources="[S3]", extra=None):
    spec = {"Enabled": "true", "Command": f'["./recorder.sh", "{env.out}/records"]', "FanOutStrategy": strategy,
            "TemplatePrefix": prefix, "InvocationSources": sources, "Concurrency": 4}
    spec.update(extra or {})
    return spec


ACCOUNT_REGION_TEMPLATE = "TemplateName: t\nTemplateDescription: d\nIncludeAccounts: {AllAccounts: true}\nIncludeRegions: [us-east-1, eu-west-1]\n"


def test_template_drop_reaches_each_account_region_once():
    env = Env({})
    try:
        env.write_config({"Recorder": recorder(env, "ACCOUNT_REGION", "Recorder/")})
        env.start()
        env.template("Recorder/all.yaml", ACCOUNT_REGION_TEMPLATE)
        # 5 accounts, the org root (100000000000) excluded: 4 accounts × 2 regions.
        wait_for(lambda: len(lines(f"{env.out}/records")) >= 8, 30, "8 executions")
        time.sleep(1.5)
        rows = lines(f"{env.out}/records")
        pairs = sorted((r[1], r[2]) for r in rows)
        assert len(rows) == 8, rows
        assert pairs == sorted({(f"{100000000000 + i}", r) for i in range(1, 5) for r in ("us-east-1", "eu-west-1")}), pairs
        assert env.stop() == 0
    finally:
        env.cleanup()


def test_failing_worker_dead_letters_after_max_receive_count():
    env = Env({})
    try:
        env.write_config({"Failer": {"Enabled": "true", "Command": f'["./failer.sh", "{env.out}/attempts"]', "FanOutStrategy": "SINGLE_INVOCATION",
                                     "TemplatePrefix": "Failer/", "InvocationSources": "[S3]", "MaxReceiveCount": 3,
                                     "Backoff": "{InitialSeconds: 0, MaxSeconds: 0}"}})
        env.start()
        env.template("Failer/t.yaml", "TemplateName: t\nTemplateDescription: d\n")
        files = wait_for(lambda: glob.glob(f"{env.state}/dead-letter/Failer/*.json"), 30, "a dead-letter file")
        with open(files[0]) as f:
            letter = json.load(f)
        assert len(lines(f"{env.out}/attempts")) == 3, lines(f"{env.out}/attempts")
        assert letter["receiveCount"] == 3, letter
        assert len(letter["failures"]) == 3, letter["failures"]
        assert all(f["exitStatus"] == 3 for f in letter["failures"]), letter["failures"]
        assert "boom: the payload could not be processed" in letter["failures"][-1]["stderrTail"], letter["failures"][-1]
        assert oct(os.stat(files[0]).st_mode & 0o777) == "0o600"
        time.sleep(1)
        assert len(lines(f"{env.out}/attempts")) == 3, "no attempt after dead-lettering"
        assert env.stop() == 0
    finally:
        env.cleanup()


def test_trigger_tasks_exactly_the_hourly_workers():
    env = Env({})
    try:
        timed = "[EVENTBRIDGE_TIMED_EVENT]"
        env.write_config({
            "Hourly": recorder(env, "SINGLE_INVOCATION", "Hourly/", timed, {"EventBridgeTimedFrequency": "HOURLY"}),
            "SixHourly": recorder(env, "SINGLE_INVOCATION", "SixHourly/", timed, {"EventBridgeTimedFrequency": "SIX_HOURLY"}),
            "Daily": recorder(env, "SINGLE_INVOCATION", "Daily/", timed, {"EventBridgeTimedFrequency": "DAILY"}),
        })
        for name in ("Hourly", "SixHourly", "Daily"):
            env.template(f"{name}/a.yaml", "TemplateName: a\nTemplateDescription: d\n")
        env.template("Hourly/b.yaml", "TemplateName: b\nTemplateDescription: d\n")
        env.start()
        out = env.ctl("trigger", "HOURLY").stdout
        assert "handed to the running daemon" in out, out
        wait_for(lambda: len(lines(f"{env.out}/records")) >= 2, 20, "two Hourly executions")
        time.sleep(1.5)
        workers = sorted(r[0] for r in lines(f"{env.out}/records"))
        assert workers == ["Hourly", "Hourly"], workers
        assert env.stop() == 0
    finally:
        env.cleanup()


def test_sighup_keeps_running_on_a_broken_config_and_applies_a_good_one():
    env = Env({})
    try:
        env.write_config({"Recorder": recorder(env, "SINGLE_INVOCATION", "Recorder/")})
        env.start()
        good = open(os.path.join(env.config, "starfleetd.yaml")).read()
        with open(os.path.join(env.config, "starfleetd.yaml"), "w") as f:
            f.write(good.replace("Enabled: true", "Enabled: maybe"))
        env.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "keeping the running one" in env.read_log(), 15, "the broken reload to be refused")
        assert "Not a valid boolean" in env.read_log()
        assert env.proc.poll() is None
        env.template("Recorder/t.yaml", "TemplateName: t\nTemplateDescription: d\n")
        wait_for(lambda: lines(f"{env.out}/records"), 20, "the old configuration to keep working")
        env.write_config({"Recorder": recorder(env, "SINGLE_INVOCATION", "Recorder/"),
                          "Second": recorder(env, "SINGLE_INVOCATION", "Second/")})
        env.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "configuration reloaded" in env.read_log(), 15, "the good reload")
        env.template("Second/t.yaml", "TemplateName: t\nTemplateDescription: d\n")
        wait_for(lambda: any(r[0] == "Second" for r in lines(f"{env.out}/records")), 20, "the new worker to run")
        assert env.stop() == 0
    finally:
        env.cleanup()


def test_sigterm_drains_running_workers_and_exits_zero():
    env = Env({})
    try:
        env.write_config({"Slow": {"Enabled": "true", "Command": f'["./slow.sh", "{env.out}/slow"]', "FanOutStrategy": "SINGLE_INVOCATION",
                                   "TemplatePrefix": "Slow/", "InvocationSources": "[S3]"}})
        env.start()
        env.template("Slow/t.yaml", "TemplateName: t\nTemplateDescription: d\n")
        wait_for(lambda: os.path.exists(f"{env.out}/slow.started"), 20, "the slow worker to start")
        assert env.stop(signal.SIGTERM) == 0
        assert len(lines(f"{env.out}/slow")) == 1, "the running worker finished before the exit"
    finally:
        env.cleanup()


def test_kill_9_mid_fan_out_loses_nothing():
    regions = ("us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1")
    env = Env({}, accounts=101, regions=regions)
    try:
        env.write_config({"Recorder": recorder(env, "ACCOUNT_REGION", "Recorder/", extra={"Concurrency": 8})})
        env.start()
        env.template("Recorder/all.yaml", "TemplateName: t\nTemplateDescription: d\nIncludeAccounts: {AllAccounts: true}\nIncludeRegions: [ALL]\n")
        wait_for(lambda: len(lines(f"{env.out}/records")) >= 40, 60, "some executions")
        env.proc.send_signal(signal.SIGKILL)
        env.proc.wait()
        before = len(lines(f"{env.out}/records"))
        env.start()
        expected = {(f"{100000000000 + i}", r) for i in range(1, 101) for r in regions}
        wait_for(lambda: expected <= {(r[1], r[2]) for r in lines(f"{env.out}/records")}, 180, "all 500 payloads")
        rows = lines(f"{env.out}/records")
        print(f"    kill -9 after {before} executions; {len(rows)} executions for {len(expected)} payloads "
              f"({len(rows) - len(expected)} duplicates, 0 lost)")
        assert env.stop() == 0
    finally:
        env.cleanup()


def test_missing_journal_segment_marks_the_queue_degraded_until_acknowledged():
    """issue 13: a lost segment keeps the daemon starting, and shows in status until `queue acknowledge`."""
    env = Env({})
    try:
        timed = "[EVENTBRIDGE_TIMED_EVENT]"
        env.write_config({"Hourly": recorder(env, "SINGLE_INVOCATION", "Hourly/", timed, {"EventBridgeTimedFrequency": "HOURLY"})})
        env.template("Hourly/a.yaml", "TemplateName: a\nTemplateDescription: d\n")
        # The daemon is not running: each trigger opens the Starbase journal itself, and each open starts a new
        # segment, so three triggers leave segments 1, 2 and 3 with one message each.
        for _ in range(3):
            out = env.ctl("trigger", "HOURLY").stdout
            assert "queued; they run when the daemon starts" in out, out
        journal = os.path.join(env.state, "queues", "StarbaseFanOut", "journal")
        segments = sorted(os.listdir(journal))
        assert segments == ["000000000001.seg", "000000000002.seg", "000000000003.seg"], segments
        os.unlink(os.path.join(journal, "000000000002.seg"))
        env.start()
        wait_for(lambda: len(lines(f"{env.out}/records")) >= 2, 20, "the two surviving events to run")
        assert "queue is degraded" in env.read_log(), env.read_log()
        text = env.ctl("status").stdout
        assert "DEGRADED queue StarbaseFanOut: missing segments 2" in text, text
        report = json.loads(env.ctl("status", "--json").stdout)
        assert [(d["queue"], d["missingSegments"]) for d in report["degraded"]] == [("StarbaseFanOut", [2])], report["degraded"]
        stats = env.ctl("queue", "stats").stdout
        assert "DEGRADED queue StarbaseFanOut: missing segments 2" in stats, stats

        def status_json():
            with open(os.path.join(env.state, "status.json")) as f:
                return json.load(f)
        wait_for(lambda: status_json().get("degraded", {}).get("StarbaseFanOut", {}).get("missingSegments") == [2], 10,
                 "status.json to show the degraded queue")
        out = env.ctl("queue", "acknowledge", "StarbaseFanOut").stdout
        assert "acknowledged queue StarbaseFanOut: missing segments 2" in out, out
        assert json.loads(env.ctl("status", "--json").stdout)["degraded"] == []
        assert "DEGRADED" not in env.ctl("status").stdout
        wait_for(lambda: "degraded" not in status_json(), 10, "the daemon to pick up the acknowledgement")
        assert "not degraded" in env.ctl("queue", "acknowledge", "StarbaseFanOut").stdout
        assert env.ctl("queue", "acknowledge", "../queues", check=False).returncode == 64
        assert env.stop() == 0
    finally:
        env.cleanup()


def test_notify_socket_ready_watchdog_stopping():
    env = Env({})
    sock_path = os.path.join(env.dir, "notify.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(sock_path)
    s.settimeout(0.2)
    received = []
    done = threading.Event()

    def listen():
        while not done.is_set():
            try:
                data = s.recv(4096).decode()
            except socket.timeout:
                continue
            received.append((time.time(), data, env.read_log()))

    t = threading.Thread(target=listen, daemon=True)
    t.start()
    try:
        env.write_config({"Recorder": recorder(env, "SINGLE_INVOCATION", "Recorder/")})
        env.start({"NOTIFY_SOCKET": sock_path, "WATCHDOG_USEC": "600000"})
        wait_for(lambda: sum("WATCHDOG=1" in d for _, d, _ in received) >= 3, 10, "three watchdog pings")
        ready = [(d, log) for _, d, log in received if "READY=1" in d]
        assert ready, received
        assert "queue recovered" in ready[0][1] and "starfleetd started" in ready[0][1], "READY=1 only after recovery"
        wait_for(lambda: any(d.startswith("STATUS=") and "worker" in d for _, d, _ in received), 10, "a STATUS line")
        assert env.stop() == 0
        wait_for(lambda: any("STOPPING=1" in d for _, d, _ in received), 5, "STOPPING=1")
    finally:
        done.set()
        t.join(2)
        s.close()
        env.cleanup()


def test_bad_templates_are_logged_and_the_good_one_still_runs():
    env = Env({})
    try:
        env.write_config({"Recorder": recorder(env, "ACCOUNT", "Recorder/")})
        env.start()
        env.template("Recorder/broken-yaml.yaml", "TemplateName: [unclosed\n")
        env.template("Recorder/no-description.yaml", "TemplateName: t\nIncludeAccounts: {AllAccounts: true}\n")
        with open(os.path.join(env.templates, "Recorder", "binary.yaml"), "wb") as f:
            f.write(bytes(range(256)) * 8)
        with open(os.path.join(env.templates, "Recorder", "huge.yaml"), "w") as f:
            f.write("TemplateName: t\nTemplateDescription: d\nBlob: '" + "a" * (2 * 1024 * 1024) + "'\n")
        os.symlink("/etc/passwd", os.path.join(env.templates, "Recorder", "escape.yaml"))
        env.template("Recorder/good.yaml", "TemplateName: t\nTemplateDescription: d\nIncludeAccounts: {ByNames: [acct-1]}\n")
        wait_for(lambda: lines(f"{env.out}/records"), 20, "the good template to run")
        letters = wait_for(lambda: len(glob.glob(f"{env.state}/dead-letter/StarbaseFanOut/*.json")) >= 3 and glob.glob(f"{env.state}/dead-letter/StarbaseFanOut/*.json"),
                           20, "three dead-lettered templates")
        reasons = " ".join(json.load(open(p))["failures"][-1]["error"] for p in letters)
        assert "TemplateDescription: Missing data for required field." in reasons, reasons
        assert "no-description.yaml:" in reasons, reasons
        log = env.read_log()
        assert "escape.yaml" in log and "huge.yaml" in log, "rejections are logged"
        assert env.proc.poll() is None
        assert [r[1] for r in lines(f"{env.out}/records")] == ["100000000001"]
        assert env.stop() == 0
    finally:
        env.cleanup()


def test_broken_config_exits_78():
    env = Env({})
    try:
        with open(os.path.join(env.config, "starfleetd.yaml"), "a") as f:
            f.write("W:\n  Enabled: true\n  TemplatePrefix: W/\n  InvocationSources: [EVENTBRIDGE_TIMED_EVENT]\n")
        r = subprocess.run([DAEMON, "--config", env.config, "--state-dir", env.state], capture_output=True, text=True, timeout=30)
        assert r.returncode == 78, (r.returncode, r.stderr)
        assert "W.EventBridgeTimedFrequency" in r.stderr, r.stderr
    finally:
        env.cleanup()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(port, path="/metrics"):
    """GET over a raw socket: (status code, headers text, body text)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.decode().partition("\r\n\r\n")
    return int(head.split()[1]), head, body


def samples(body):
    """{'name{labels}': value} for every sample line."""
    out = {}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            out[key] = float(value)
    return out


def test_metrics_count_exactly_what_happened():
    env = Env({})
    port = free_port()
    try:
        env.write_config({
            "Recorder": recorder(env, "ACCOUNT_REGION", "Recorder/"),
            "Failer": {"Enabled": "true", "Command": f'["./failer.sh", "{env.out}/attempts"]', "FanOutStrategy": "SINGLE_INVOCATION",
                       "TemplatePrefix": "Failer/", "InvocationSources": "[S3]", "MaxReceiveCount": 3,
                       "Backoff": "{InitialSeconds: 0, MaxSeconds: 0}"},
        })
        # MetricsAddress belongs to STARFLEET: insert it under the section's first line.
        path = os.path.join(env.config, "starfleetd.yaml")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("STARFLEET:\n", f"STARFLEET:\n  MetricsAddress: 127.0.0.1:{port}\n", 1))
        env.start()
        status, head, body = scrape(port)
        assert status == 200 and "Content-Type: text/plain; version=0.0.4" in head, head
        assert 'starfleet_build_info{version="' in body, body
        assert scrape(port, "/")[0] == 404
        env.template("Recorder/all.yaml", ACCOUNT_REGION_TEMPLATE)
        env.template("Failer/t.yaml", "TemplateName: t\nTemplateDescription: d\n")
        wait_for(lambda: len(lines(f"{env.out}/records")) >= 8, 30, "8 executions")
        wait_for(lambda: glob.glob(f"{env.state}/dead-letter/Failer/*.json"), 30, "a dead-letter file")
        want = {
            'starfleet_worker_messages_sent_total{worker="Recorder"}': 8,
            'starfleet_worker_messages_received_total{worker="Recorder"}': 8,
            'starfleet_worker_executions_succeeded_total{worker="Recorder"}': 8,
            'starfleet_worker_execution_duration_seconds_count{worker="Recorder"}': 8,
            'starfleet_worker_execution_duration_seconds_bucket{worker="Recorder",le="+Inf"}': 8,
            'starfleet_worker_messages_sent_total{worker="Failer"}': 1,
            'starfleet_worker_messages_received_total{worker="Failer"}': 3,
            'starfleet_worker_executions_failed_total{worker="Failer"}': 3,
            'starfleet_worker_execution_duration_seconds_count{worker="Failer"}': 3,
            'starfleet_queue_messages_dead_lettered_total{queue="Failer"}': 1,
            'starfleet_queue_messages_dead_lettered_total{queue="Recorder"}': 0,
            'starfleet_dead_letter_files{queue="Failer"}': 1,
            'starfleet_queue_messages{queue="Recorder",state="visible"}': 0,
            'starfleet_queue_messages{queue="Recorder",state="in_flight"}': 0,
            'starfleet_queue_messages{queue="Failer",state="visible"}': 0,
            'starfleet_queue_oldest_message_age_seconds{queue="Recorder"}': 0,
            'starfleet_template_events_total{result="queued"}': 2,
        }

        def settled():
            got = samples(scrape(port)[2])
            return got if all(got.get(k) == v for k, v in want.items()) else None
        try:
            got = wait_for(settled, 10, "the metrics to match")
        except AssertionError:
            got = samples(scrape(port)[2])
            raise AssertionError({k: (got.get(k), v) for k, v in want.items() if got.get(k) != v})
        assert 'starfleet_worker_executions_failed_total{worker="Recorder"}' not in got, got
        assert 'starfleet_worker_executions_succeeded_total{worker="Failer"}' not in got, got
        assert env.stop() == 0
        # The port is released with the daemon.
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))
    finally:
        env.cleanup()


def test_idle_connections_do_not_block_a_scrape_and_big_headers_are_refused():
    env = Env({})
    port = free_port()
    path = os.path.join(env.config, "starfleetd.yaml")
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.replace("STARFLEET:\n", f"STARFLEET:\n  MetricsAddress: 127.0.0.1:{port}\n", 1))
    idle = []
    try:
        env.start()
        idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(20)]
        started = time.time()
        status, _, body = scrape(port)
        assert status == 200 and "starfleet_build_info" in body and time.time() - started < 2
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(f"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: {'a' * 9000}\r\nConnection: close\r\n\r\n".encode())
            assert s.recv(4096).split(b"\r\n")[0] == b"HTTP/1.1 431 Request Header Fields Too Large"
        assert env.stop() == 0
    finally:
        for s in idle:
            s.close()
        env.cleanup()


def test_metrics_address_in_use_exits_69():
    env = Env({})
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        try:
            env.write_config({}, extra="")
            path = os.path.join(env.config, "starfleetd.yaml")
            with open(path) as f:
                text = f.read()
            with open(path, "w") as f:
                f.write(text.replace("STARFLEET:\n", f"STARFLEET:\n  MetricsAddress: 127.0.0.1:{port}\n", 1))
            r = subprocess.run([DAEMON, "--config", env.config, "--state-dir", env.state], capture_output=True, text=True, timeout=30)
            assert r.returncode == 69, (r.returncode, r.stderr)
            assert "cannot serve metrics" in r.stderr, r.stderr
        finally:
            env.cleanup()


def main(suite="daemon", namespace=None):
    run_tests(namespace or globals(), suite)


def run_tests(namespace, suite):
    """Runs the test_* functions of `namespace` (those whose names contain an argument, if any are given)."""
    tests = [(n, f) for n, f in sorted(namespace.items()) if n.startswith("test_") and callable(f)]
    selected = sys.argv[1:]
    passed = failed = 0
    for name, fn in tests:
        if selected and not any(s in name for s in selected):
            continue
        started = time.time()
        try:
            fn()
            passed += 1
            print(f"ok   {name} ({time.time() - started:.1f}s)", flush=True)
        except Exception:
            failed += 1
            print(f"FAIL {name} ({time.time() - started:.1f}s)\n{traceback.format_exc()}", flush=True)
    print(f"{suite}: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def run_with_fixture(suite, make, tests, prepare=None, finish=None):
    """Runs `tests` in order on one fixture `make()` (a daemon that is expensive to start), after `prepare(fixture)`.
    A failing setup counts as one failure and prints the fixture's log tail; the fixture is closed in any case.
    Returns the exit status; the last line is "SUITE: N passed, M failed"."""
    passed = failed = 0
    fixture = None
    try:
        fixture = make()
        if prepare:
            prepare(fixture)
        for test in tests:
            try:
                test(fixture)
                print(f"ok   {test.__name__}", flush=True)
                passed += 1
            except Exception:
                print(f"FAIL {test.__name__}")
                traceback.print_exc()
                failed += 1
        if finish:
            finish(fixture)
    except Exception:
        print("FAIL setup")
        traceback.print_exc()
        if fixture:
            print(fixture.read_log()[-3000:])
        failed += 1
    finally:
        if fixture:
            fixture.close()
    print(f"{suite}: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    main()
