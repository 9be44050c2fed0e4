#!/usr/bin/env python3
"""A Starfleet ship's payloads/s under starfleetd, warm vs one process per payload, in one run (a benchmark, not a test).

The ship: Starfleet 1.0.2's own AwsConfigWorkerShip (its lambda_handler, unchanged, from the cached venv of
scripts/e2e/lib/starfleet_venv.sh), commit off, against moto_server on 127.0.0.1. Commit off, the ship does its
whole read path per payload (schema, account index, assume role through STS, describe recorder, delivery channel,
retention and status, work out the changes and log them) and writes nothing, so every payload does the same work,
moto's state never changes between the runs, and few calls per payload leave the runtime's own cost visible
(the index generator's dry run does ~2 calls per account per payload, far more I/O for the same start-up).
Its STS calls go to the fixed https://sts.<region>.amazonaws.com, through the e2e tests' HTTPS interceptor.

The same template is fanned out by the daemon (ACCOUNT_REGION, the same accounts x regions) to two workers that
differ only in how the handler runs:
  warm          Runtime: python (starfleet_worker.runtime + the glue, processes kept between payloads)
  per payload   Runtime: process, Command: [<venv python>, -c, <a few lines that install the glue, import the
                handler and call it with the SQS event made from stdin>, <handler>], one process per payload
Figures: payloads / (template rename -> last "worker succeeded" line of that worker), and the CPU seconds per
payload of the ship's processes and of moto_server (less sensitive to a loaded machine than wall time). The warm worker's first run
includes starting its processes (the pool starts them at the first payloads); a second drop of the template
(another TemplateDescription, so it is not a duplicate) gives the steady state.

Usage: scripts/bench_starfleet_ship.py [--accounts N] [--regions M] [--concurrency C]
       (default 12 accounts x 2 regions = 24 payloads per run, Concurrency = the CPU count)
The daemon is .build/release/starfleetd when it exists, else .build/debug/starfleetd (the first line says which).
"""
import json
import os
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts", "e2e"))
sys.path.insert(0, os.path.join(ROOT, "scripts", "e2e", "lib"))
import bench_daemon  # noqa: E402
from bench_daemon import Daemon, row  # noqa: E402

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "us-east-2"]
HANDLER = "starfleet.worker_ships.plugins.aws_config.ship.lambda_handler"

# One payload, one process: what a user would write to run a Starfleet ship per payload (Runtime: process).
PER_PAYLOAD = r'''
import importlib, json, os, sys, time
os.environ["_HANDLER"] = sys.argv[1]     # what Lambda (and starfleetd's runtime client) would set; the glue reads it
from starfleet_worker import starfleet_glue
starfleet_glue.install()
starfleet_glue.before_invocation({})
module, function = sys.argv[1].rsplit(".", 1)
handler = getattr(importlib.import_module(module), function)
body = sys.stdin.read()
now = str(int(time.time() * 1000))
record = {"messageId": os.environ.get("STARFLEET_MESSAGE_ID", ""), "receiptHandle": "", "body": body,
          "attributes": {"ApproximateReceiveCount": os.environ.get("STARFLEET_RECEIVE_COUNT", "1"), "SentTimestamp": now},
          "messageAttributes": {}, "eventSource": "aws:sqs", "awsRegion": os.environ.get("AWS_REGION", "us-east-1")}
print(json.dumps(handler({"Records": [record]}, None)))
'''


def arg(name, default):
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def daemon_binary():
    release = os.path.join(ROOT, ".build", "release", "starfleetd")
    return release if os.access(release, os.X_OK) else os.path.join(ROOT, ".build", "debug", "starfleetd")


def section(name, mode, python, environment, concurrency):
    spec = {"Enabled": True, "TemplatePrefix": name + "/", "InvocationSources": ["S3"], "FanOutStrategy": "ACCOUNT_REGION",
            "Concurrency": concurrency, "TimeoutSeconds": 120, "WorkerRoleToAssume": "starfleet-worker-basic-test-role"}
    if mode == "warm":
        spec.update({"Runtime": "python", "Handler": HANDLER, "Python": python, "Environment": environment})
    else:
        env = dict(environment, PYTHONPATH=os.path.join(ROOT, "runtimes", "python"))
        spec.update({"Command": [python, "-c", PER_PAYLOAD, HANDLER], "Environment": env})
    return "%s:\n" % name + "".join("  %s: %s\n" % (k, json.dumps(v)) for k, v in spec.items())


def template(regions, note):
    settings = {"DeliveryChannelDetails": {"BucketName": "bench-config-bucket", "S3DeliveryFrequency": "TwentyFour_Hours"},
                "RecorderConfiguration": {"ConfigRoleName": "AWSConfigRecorderRole", "RecordingEnabled": True,
                                          "RecordingGroup": {"RecordEverything": {"RecordGlobalsInTheseRegions": ["us-east-1"]}}},
                "RetentionPeriodInDays": 2557}
    return json.dumps({"TemplateName": "AwsConfigBench", "TemplateDescription": "AWS Config everywhere (%s)" % note,
                       "IncludeAccounts": {"AllAccounts": True}, "IncludeRegions": regions,
                       "DefaultConfiguration": settings})


def succeeded(d, worker):
    with d.lock:
        return [t for t, line in d.lines if "worker succeeded" in line and "worker=%s " % worker in line.rstrip() + " "]


def failed(d, worker):
    with d.lock:
        return [line for _, line in d.lines if "worker failed" in line and "worker=%s" % worker in line]


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid, children=False):
    """utime+stime of a process (children: of its reaped children), in seconds; 0 when it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    first = 13 if children else 11      # (utime, stime) are fields 14-15, (cutime, cstime) 16-17 of proc(5)
    return (int(fields[first]) + int(fields[first + 1])) / TICK


def warm_cpu(d, worker):
    """CPU seconds of the daemon's live children that run `worker` (its warm processes)."""
    total = 0.0
    for pid in (int(p) for p in os.listdir("/proc") if p.isdigit()):
        try:
            with open("/proc/%d/stat" % pid) as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) != d.proc.pid:
                    continue
            with open("/proc/%d/environ" % pid, "rb") as f:
                if ("STARFLEET_WORKER=%s" % worker).encode() not in f.read().split(b"\0"):
                    continue
        except (OSError, ValueError, IndexError):
            continue
        total += cpu_seconds(pid)
    return total


def worker_cpu(d, worker):
    """The worker's CPU seconds so far: its warm processes, plus every reaped child of the daemon (only the
    per-payload worker's processes end while the daemon runs)."""
    return warm_cpu(d, worker) + cpu_seconds(d.proc.pid, children=True)


def run(d, worker, total, note, regions, moto_pid):
    cpu_before, moto_before = worker_cpu(d, worker), cpu_seconds(moto_pid)
    before = len(succeeded(d, worker))
    started = d.drop("%s/all-%s.yaml" % (worker, note), template(regions, note))
    deadline = time.time() + 900
    while len(succeeded(d, worker)) < before + total:
        if failed(d, worker):
            raise RuntimeError("%s failed: %s" % (worker, failed(d, worker)[0].strip()[:2000]))
        if time.time() > deadline:
            raise RuntimeError("%s: %d of %d payloads in 900 s" % (worker, len(succeeded(d, worker)) - before, total))
        time.sleep(0.01)
    rate = total / (succeeded(d, worker)[before + total - 1] - started)
    time.sleep(0.3)     # the last per-payload processes are reaped
    return rate, (worker_cpu(d, worker) - cpu_before) / total, (cpu_seconds(moto_pid) - moto_before) / total


def main():
    accounts = arg("--accounts", 12)
    regions = REGIONS[:arg("--regions", 2)]
    concurrency = arg("--concurrency", os.cpu_count() or 2)
    bench_daemon.DAEMON = daemon_binary()
    python = subprocess.run([os.path.join(ROOT, "scripts", "e2e", "lib", "starfleet_venv.sh")], capture_output=True,
                            text=True)
    if python.returncode != 0:
        sys.exit("no Starfleet venv (scripts/e2e/lib/starfleet_venv.sh exited %d): %s" % (python.returncode, python.stderr))
    python = python.stdout.strip()
    from awspeer import MotoServer
    from starfleet_ships_test import Interceptor

    total = accounts * len(regions)
    row("daemon", os.path.relpath(bench_daemon.DAEMON, ROOT))
    row("ship", "Starfleet 1.0.2 AwsConfigWorkerShip, commit off, moto_server, %d accounts x %d regions = %d payloads"
        % (accounts, len(regions), total))
    with MotoServer() as moto:
        icpt = Interceptor(moto.port, ["sts.%s.amazonaws.com" % r for r in regions])
        environment = dict(moto.env(), **icpt.env())
        config = (section("ConfigWarm", "warm", python, environment, concurrency)
                  + section("ConfigPerPayload", "process", python, environment, concurrency))
        # bench_daemon's index: account 0 is the organization's root (left out: no OperateInOrgRoot), the others
        # enabled in the 17 default regions; moto's STS lets the ship assume a role in any of them.
        d = Daemon(config, accounts=accounts + 1, starfleet_extra="  DeploymentRegion: us-east-1\n")
        try:
            moto_pid = moto.process.pid
            warm_first = run(d, "ConfigWarm", total, "first", regions, moto_pid)
            warm_steady = run(d, "ConfigWarm", total, "again", regions, moto_pid)
            per_payload = run(d, "ConfigPerPayload", total, "first", regions, moto_pid)
        finally:
            d.stop()
            icpt.close()
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    row("machine", "%d CPUs, load average %s at the end" % (os.cpu_count() or 0, load))
    for label, (rate, cpu, moto_cpu) in (
            ("warm (Runtime: python, Concurrency %d), first run incl. process start" % concurrency, warm_first),
            ("warm (Runtime: python, Concurrency %d), second run" % concurrency, warm_steady),
            ("one process per payload (Runtime: process, Concurrency %d)" % concurrency, per_payload)):
        row(label, "%.2f payloads/s" % rate)
        row("    ... CPU per payload: the ship's processes / moto_server", "%.0f ms / %.0f ms" % (cpu * 1000, moto_cpu * 1000))
    row("ratio: warm second run / one process per payload, payloads/s", "%.1fx" % (warm_steady[0] / per_payload[0]))
    row("ratio: one process per payload / warm second run, the ship's CPU per payload", "%.1fx" % (per_payload[1] / warm_steady[1]))


if __name__ == "__main__":
    main()
