#!/usr/bin/env python3
"""A fleet end to end: three built starfleetd hosts — host-a and host-b scheduling, host-c `Scheduler: false` — each
with its own configuration, state directory and process, sharing FIFO worker and fan-out queues on ministack (it keeps
deduplication ids after a delete, as AWS does; moto does not), a template bucket on moto and one account index file.
Every check counts executions per payload across the three hosts' run histories (`starfleetctl runs --json`).

Also, on moto (whose request recording is the peer's own log): an idle SQS receive loop's ReceiveMessage calls a
minute, and the first message's latency after idle.

Run by scripts/e2e/fleet.sh. Every wait is bounded; the last line is "fleet: N passed, M failed".
"""
import collections
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "lib"))
import awspeer  # noqa: E402
from daemon_test import CTL, Env, wait_for  # noqa: E402

# Prints {"name": <TemplateName>} from the payload (one line of JSON on stdin) with shell builtins only: the run's
# result excerpt then says which template version it ran.
ECHO_NAME = r"""#!/bin/sh
IFS= read -r payload || true
rest=${payload#*\"TemplateName\"}
rest=${rest#*\"}
printf '{"name":"%s"}\n' "${rest%%\"*}"
"""
ACCOUNTS = [f"{200000000001 + i}" for i in range(2000)]
INTERVAL = 5  # S3PollIntervalSeconds, its minimum
CONCURRENCY = 10


def template(name, ids=None):
    accounts = "{AllAccounts: true}" if ids is None else "{ByIds: [" + ", ".join(f'"{i}"' for i in ids) + "]}"
    return f"TemplateName: {name}\nTemplateDescription: fleet test\nIncludeAccounts: {accounts}\n".encode()


def write_index(path):
    accounts = {a: {"Id": a, "Name": f"acct-{a}", "Arn": f"arn:aws:organizations::100000000000:account/o-test/{a}",
                    "Parents": [{"Id": "r-test", "Name": "ROOT", "Type": "ROOT"}], "Regions": ["us-east-1"], "Tags": {}}
                for a in ACCOUNTS}
    with open(path, "w") as f:
        json.dump({"accounts": accounts, "generated": "2026-01-01T00:00:00Z"}, f)


class Host(Env):
    """One starfleetd host of the fleet."""

    def __init__(self, name, scheduler, index, queues, aws_env):
        super().__init__({})
        self.name = name
        self.aws_env = aws_env
        path = os.path.join(self.config, "echo.sh")
        with open(path, "w") as f:
            f.write(ECHO_NAME)
        os.chmod(path, 0o755)
        worker = (f"  Enabled: true\n  Command: [\"./echo.sh\"]\n  FanOutStrategy: ACCOUNT\n  Concurrency: {CONCURRENCY}\n"
                  "  VisibilityTimeoutSeconds: 20\n  TimeoutSeconds: 10\n")
        with open(os.path.join(self.config, "starfleetd.yaml"), "w") as f:
            f.write(f"""STARFLEET:
  DeploymentRegion: us-east-1
  TemplateBucket: templates
  TemplateDirectory: templates
  S3PollIntervalSeconds: {INTERVAL}
  FanOutQueueUrl: {queues['fanout']}
  HostName: {name}
  Scheduler: {'true' if scheduler else 'false'}
  CatchUpMissedRuns: true
  RunHistoryMaxRuns: 20000
LocalAccountIndex:
  Path: {index}
Recorder:
{worker}  TemplatePrefix: Recorder/
  InvocationSources: [S3]
  InvocationQueueUrl: {queues['work']}
Timed:
{worker}  TemplatePrefix: Timed/
  InvocationSources: [EVENTBRIDGE_TIMED_EVENT]
  EventBridgeTimedFrequency: HOURLY
  InvocationQueueUrl: {queues['timed']}
""")

    def start(self, env=None):
        super().start({**self.aws_env, **(env or {})})

    def runs(self, *args):
        r = subprocess.run([CTL, "runs", "--json", "--limit", "0", *args, "--config", self.config, "--state-dir", self.state],
                           capture_output=True, text=True, timeout=120, env={**os.environ, **self.aws_env})
        assert r.returncode == 0, f"starfleetctl runs on {self.name} exited {r.returncode}: {r.stderr}"
        return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]

    def set_missed_hourly(self, last_fired):
        os.makedirs(self.state, exist_ok=True)
        with open(f"{self.state}/scheduler.json", "w") as f:
            json.dump({"version": 1, "lastFired": {"HOURLY": last_fired.strftime("%Y-%m-%dT%H:%M:%SZ")}}, f)


class Fleet:
    def __init__(self):
        self.moto = awspeer.MotoServer().__enter__()
        self.ms = awspeer.Ministack().__enter__()
        self.hosts = []
        self.dir = self.moto.dir
        self.s3 = self.moto.client("s3")
        self.s3.create_bucket(Bucket="templates")
        self.sqs = self.ms.client("sqs")
        self.urls = {}
        queues = {}
        for key, name in (("fanout", "fanout.fifo"), ("work", "work.fifo"), ("timed", "timed.fifo")):
            url = self.sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true"})["QueueUrl"]
            self.urls[key] = url
            account = url.rstrip("/").split("/")[-2]
            queues[key] = f"https://sqs.us-east-1.amazonaws.com/{account}/{name}"
        index = os.path.join(self.dir, "accountIndex.json")
        write_index(index)
        aws_env = {**self.ms.env(), "AWS_ENDPOINT_URL_SQS": self.ms.endpoint, "AWS_ENDPOINT_URL_S3": self.moto.endpoint}
        aws_env.pop("AWS_ENDPOINT_URL")
        self.hosts = [Host("host-a", True, index, queues, aws_env), Host("host-b", True, index, queues, aws_env),
                      Host("host-c", False, index, queues, aws_env)]
        self.a, self.b, self.c = self.hosts

    def put(self, key, body):
        self.s3.put_object(Bucket="templates", Key=key, Body=body, ContentType="application/x-yaml")

    def runs(self, worker):
        out = []
        for h in self.hosts:
            out += [r for r in h.runs() if r["worker"] == worker]
        return out

    def counts(self, key):
        a = self.sqs.get_queue_attributes(QueueUrl=self.urls[key], AttributeNames=["All"])["Attributes"]
        return int(a["ApproximateNumberOfMessages"]), int(a["ApproximateNumberOfMessagesNotVisible"])

    def drained(self, *keys):
        return all(self.counts(k) == (0, 0) for k in keys)

    def read_log(self):
        return "\n".join(f"--- {h.name}\n{h.read_log()[-2500:]}" for h in self.hosts)

    def close(self):
        for h in self.hosts:
            try:
                h.stop()
            except Exception:
                pass
            h.cleanup()
        self.ms.__exit__(None, None, None)
        self.moto.__exit__(None, None, None)


def per_payload(runs, key=lambda r: r.get("accountId")):
    return collections.Counter(key(r) for r in runs)


def name_of(run):
    try:
        return json.loads(run.get("resultExcerpt") or "{}").get("name")
    except ValueError:
        return None


def hosts_of(runs):
    return dict(collections.Counter(r.get("host") for r in runs))


TIMED_IDS = ACCOUNTS[:10]


def start_fleet(f):
    """host-a and host-b both missed an HOURLY boundary: each catches it up at start — one timed event on two hosts."""
    now = datetime.now(timezone.utc)
    if now.minute == 59 and now.second >= 20:
        time.sleep(60 - now.second + 2)  # both hosts must see the same boundary
    f.put("Timed/t.yaml", template("timed", TIMED_IDS))
    stale = datetime.now(timezone.utc) - timedelta(hours=3)
    f.a.set_missed_hourly(stale)
    f.b.set_missed_hourly(stale)
    for h in f.hosts:
        h.start()


def check_a_timed_boundary_fired_by_two_hosts_runs_each_payload_once(f):
    for h in (f.a, f.b):
        wait_for(lambda h=h: "timed event fired" in h.read_log(), 30, f"{h.name} to fire the caught-up boundary")
    wait_for(lambda: len(f.runs("Timed")) >= len(TIMED_IDS), 60, "the timed payloads to run")
    wait_for(lambda: f.drained("fanout", "timed"), 30, "the fan-out and timed queues to drain")
    time.sleep(2)
    runs = f.runs("Timed")
    assert per_payload(runs) == {a: 1 for a in TIMED_IDS}, (per_payload(runs), hosts_of(runs))
    print(f"    timed boundary: {len(runs)} runs for {len(TIMED_IDS)} payloads, by host {hosts_of(runs)}")


def check_a_host_stopped_over_a_boundary_catches_up_without_a_second_run(f):
    """host-b's state says it missed this hour's boundary (stopped over it), and it starts again after host-a's runs of
    that boundary were all finished and deleted. Not 2 minutes later: SQS's deduplication interval counts 5 minutes from
    host-a's send whether the restart comes 20 s or 2 min after it; what matters is that the first runs were deleted."""
    fired_at = time.time()
    assert f.b.stop() == 0
    stopped_at = time.time()
    boundary = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    f.b.set_missed_hourly(boundary - timedelta(hours=1))
    fired = f.b.read_log().count("timed event fired")
    f.b.start()
    wait_for(lambda: f.b.read_log().count("timed event fired") > fired, 30, "host-b to catch up the boundary it missed")
    wait_for(lambda: f.drained("fanout", "timed"), 30, "the queues to drain")
    time.sleep(5)
    runs = f.runs("Timed")
    assert per_payload(runs) == {a: 1 for a in TIMED_IDS}, (per_payload(runs), hosts_of(runs))
    print(f"    catch-up {time.time() - fired_at:.0f} s after the first fire: still {len(runs)} runs")
    # host-b's stop left its old process's 20 s long polls open at the peer (as SQS does, docs/multi-host.md): a
    # message sent before they end could be handed to a closed poll and wait out its visibility timeout (300 s for
    # the fan-out queue). Let them end before the next check sends anything.
    time.sleep(max(0, stopped_at + 21 - time.time()))


def check_a_template_put_then_changed_runs_each_version_once(f):
    ids = ACCOUNTS[100:130]
    f.put("Recorder/t.yaml", template("v1", ids))
    wait_for(lambda: sum(1 for r in f.runs("Recorder") if name_of(r) == "v1") >= len(ids), 90, "v1 to run everywhere")
    f.put("Recorder/t.yaml", template("v2", ids))
    wait_for(lambda: sum(1 for r in f.runs("Recorder") if name_of(r) == "v2") >= len(ids), 90, "v2 to run everywhere")
    # Both scheduling hosts poll twice more (each saw both changes), then the queue must be empty.
    time.sleep(2 * INTERVAL + 2)
    wait_for(lambda: f.drained("work"), 30, "the worker queue to drain")
    runs = [r for r in f.runs("Recorder") if name_of(r) in ("v1", "v2")]
    counts = per_payload(runs, key=lambda r: (name_of(r), r.get("accountId")))
    assert counts == {(v, a): 1 for v in ("v1", "v2") for a in ids}, (counts, hosts_of(runs))
    record = json.loads(f.s3.get_object(Bucket="templates", Key=".starfleet/fanned-out/Recorder/t.yaml.json")["Body"].read())
    assert record["host"] in ("host-a", "host-b") and record["event"].startswith("s3|templates|Recorder/t.yaml|"), record
    print(f"    template put then changed: {len(runs)} runs for 2 x {len(ids)} payloads, by host {hosts_of(runs)}")


def check_sigkill_and_reload_mid_2000_payload_fan_out_lose_nothing(f):
    f.put("Recorder/big.yaml", template("big"))

    def big():
        return [r for r in f.runs("Recorder") if name_of(r) == "big"]

    wait_for(lambda: len(big()) >= 300, 240, "300 of the 2,000 payloads to run")
    f.b.proc.send_signal(signal.SIGHUP)  # a reload of host-b while the others work
    wait_for(lambda: "configuration reloaded" in f.b.read_log(), 30, "host-b to reload")
    wait_for(lambda: len(big()) >= 800, 240, "800 of the 2,000 payloads to run")
    f.c.proc.send_signal(signal.SIGKILL)
    f.c.proc.wait(10)
    killed_at = time.time()
    wait_for(lambda: set(r["accountId"] for r in big()) >= set(ACCOUNTS), 300, "every one of the 2,000 payloads to run")
    wait_for(lambda: f.drained("work"), 60, "the worker queue to drain (the killed host's messages come back)")
    time.sleep(3)
    runs = big()
    counts = per_payload(runs)
    duplicates = sum(n - 1 for n in counts.values())
    assert set(counts) == set(ACCOUNTS), f"{len(set(ACCOUNTS) - set(counts))} payloads never ran"
    # What the killed host held: at most its Concurrency slots running plus as many received and not yet started.
    assert duplicates <= 2 * CONCURRENCY, (duplicates, hosts_of(runs))
    # Each run names its host (host-c's history is read after its SIGKILL), and `runs --host` picks them out.
    for h in f.hosts:
        mine = h.runs()
        assert mine and all(r.get("host") == h.name for r in mine), (h.name, hosts_of(mine))
        assert len(h.runs("--host", h.name)) == len(mine) and h.runs("--host", "elsewhere") == []
    print(f"    2,000 payloads: {len(runs)} runs, {duplicates} duplicate(s) (bound {2 * CONCURRENCY}: host-c's slots "
          f"and its received-not-started messages), by host {hosts_of(runs)}; drained {time.time() - killed_at:.0f} s "
          "after the kill")


def test_a_fleet_of_three_hosts_runs_each_payload_once():
    """One fleet, checked in order (each check counts across all three run histories)."""
    f = Fleet()
    try:
        start_fleet(f)
        for check in (check_a_timed_boundary_fired_by_two_hosts_runs_each_payload_once,
                      check_a_host_stopped_over_a_boundary_catches_up_without_a_second_run,
                      check_a_template_put_then_changed_runs_each_version_once,
                      check_sigkill_and_reload_mid_2000_payload_fan_out_lose_nothing):
            started = time.time()
            try:
                check(f)
            except Exception:
                print(f.read_log())
                raise
            print(f"  ok {check.__name__} ({time.time() - started:.1f}s)", flush=True)
    finally:
        f.close()


def moto_receives(moto):
    """ReceiveMessage calls in this moto's recording (its file is per test: by default moto appends every server's
    recording to ./moto_recording, so the URL's port is checked too)."""
    body = urllib.request.urlopen(moto.endpoint + "/moto-api/recorder/download-recording", timeout=30).read().decode()
    entries = [json.loads(line) for line in body.splitlines() if line.strip()]
    return sum(1 for e in entries if e.get("headers", {}).get("X-Amz-Target") == "AmazonSQS.ReceiveMessage"
               and e.get("url", "").startswith(moto.endpoint))


class RecordingMoto(awspeer.MotoServer):
    """moto_server whose request recording goes to a file of its own."""

    def __enter__(self):
        os.environ["MOTO_RECORDER_FILEPATH"] = os.path.join(self.dir, "recording.jsonl")
        try:
            return super().__enter__()
        finally:
            del os.environ["MOTO_RECORDER_FILEPATH"]

    def record(self):
        for action in ("reset-recording", "start-recording"):
            urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}/moto-api/recorder/{action}", method="POST"),
                                   timeout=30).read()


def test_an_idle_receive_loop_makes_at_most_4_receives_a_minute_and_the_first_message_is_prompt():
    """One host, one SQS worker queue (Concurrency 10: one receive loop), idle for IDLE seconds while moto records every
    request; then three messages, each sent a few seconds into a poll: each is taken within 100 ms (median)."""
    idle = 60
    with RecordingMoto() as moto:
        sqs = moto.client("sqs")
        url = sqs.create_queue(QueueName="idle-q")["QueueUrl"]
        env = Env({})
        try:
            with open(os.path.join(env.config, "echo.sh"), "w") as fh:
                fh.write(ECHO_NAME)
            os.chmod(os.path.join(env.config, "echo.sh"), 0o755)
            env.write_config({"Idle": {
                "Enabled": "true", "Command": '["./echo.sh"]', "FanOutStrategy": "SINGLE_INVOCATION",
                "TemplatePrefix": "Idle/", "InvocationSources": "[S3]", "Concurrency": CONCURRENCY,
                "InvocationQueueUrl": f"https://sqs.us-east-1.amazonaws.com/{url.rstrip('/').split('/')[-2]}/idle-q"}})
            env.start(moto.env())
            wait_for(lambda: "starfleetd started" in env.read_log(), 20, "the daemon")
            time.sleep(2)  # past the start's first poll
            moto.record()
            time.sleep(idle)
            calls = moto_receives(moto)
            assert 1 <= calls <= 4 * idle / 60, f"{calls} ReceiveMessage calls in {idle} s from one idle loop"
            latencies = []
            for n in range(3):
                time.sleep(3 + n * 4)
                sent = time.time()
                sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"TemplateName": f"m{n}"}))
                wait_for(lambda n=n: any(name_of(r) == f"m{n}" for r in runs_of(env)), 20, f"message {n} to run")
                run = next(r for r in runs_of(env) if name_of(r) == f"m{n}")
                started = datetime.strptime(run["startedAt"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
                latencies.append(started.timestamp() - sent)
            latencies.sort()
            assert latencies[1] < 0.1, f"first-message latencies after idle: {latencies}"
            print(f"    idle: {calls} ReceiveMessage calls in {idle} s ({calls * 60 / idle:.1f}/min, "
                  f"{calls * 3600 / idle:.0f}/hour); first message after idle: "
                  + ", ".join(f"{l * 1000:.0f} ms" for l in latencies))
            # A reload abandons the old generation's poll; what it receives is given back at once, so a message sent
            # right after the reload runs promptly, not after the 300 s visibility timeout.
            env.proc.send_signal(signal.SIGHUP)
            wait_for(lambda: "configuration reloaded" in env.read_log(), 30, "the reload")
            sent = time.time()
            sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"TemplateName": "after-reload"}))
            wait_for(lambda: any(name_of(r) == "after-reload" for r in runs_of(env)), 20, "the message sent after the reload")
            print(f"    a message sent just after a reload ran {time.time() - sent:.2f} s later")
            t0 = time.time()
            assert env.stop() == 0
            stop_seconds = time.time() - t0
            assert stop_seconds < 5, f"the stop took {stop_seconds:.1f} s with a 20 s poll in flight"
            print(f"    stop with a poll in flight: {stop_seconds:.2f} s")
        finally:
            env.cleanup()


def runs_of(env):
    r = subprocess.run([CTL, "runs", "--json", "--limit", "0", "--config", env.config, "--state-dir", env.state],
                       capture_output=True, text=True, timeout=60)
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


if __name__ == "__main__":
    from daemon_test import run_tests
    run_tests(globals(), "fleet")
