#!/usr/bin/env python3
"""Throughput across hosts (issue 23): 17,000 payloads (1,000 accounts x 17 regions, ACCOUNT_REGION) fanned out once
by one host into a FIFO worker queue on ministack, consumed by 1, 2 and 3 local starfleetd hosts (the built-in
NoOpShip, Concurrency 64 each, so the worker costs nothing and the figure is the queue's). Each round has a fresh
ministack and fresh state directories.

    python3 scripts/bench_fleet.py [HOSTS ...]      # default: 1 2 3

Prints, per round: the fan-out (template dropped -> the Starbase's "tasked" line on host-1: SendMessageBatch to the
peer), the consumption (first run -> 17,000th, across hosts, from each host's log), payloads/s, each host's share,
and the CPU seconds used by ministack and by the starfleetd processes over the round.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "e2e", "lib"))
import awspeer  # noqa: E402

DAEMON = os.path.join(HERE, "..", ".build", "debug", "starfleetd")
REGIONS17 = ["ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
             "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
             "us-east-1", "us-east-2", "us-west-1", "us-west-2"]
TOTAL = 17000


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def count(path, text):
    try:
        with open(path, errors="replace") as f:
            return f.read().count(text)
    except FileNotFoundError:
        return 0


def round_with(hosts):
    root = tempfile.mkdtemp(prefix="sfd-fleet-bench-")
    procs, logs = [], []
    with awspeer.Ministack() as ms:
        sqs = ms.client("sqs")
        url = sqs.create_queue(QueueName="work.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
        queue = f"https://sqs.us-east-1.amazonaws.com/{url.rstrip('/').split('/')[-2]}/work.fifo"
        index = os.path.join(root, "index.json")
        with open(index, "w") as f:
            json.dump({"accounts": {f"{100000000000 + i}": {
                "Id": f"{100000000000 + i}", "Name": f"a{i}", "Regions": REGIONS17,
                "Arn": f"arn:aws:organizations::100000000000:account/o-b/{100000000000 + i}",
                "Parents": [{"Id": "r-b", "Name": "ROOT", "Type": "ROOT"}], "Tags": {}} for i in range(1000)}}, f)
        env = {**os.environ, **ms.env(), "AWS_ENDPOINT_URL_SQS": ms.endpoint}
        try:
            for n in range(hosts):
                config = os.path.join(root, f"host-{n + 1}")
                os.makedirs(os.path.join(config, "templates", "NoOp"))
                with open(os.path.join(config, "starfleetd.yaml"), "w") as f:
                    f.write(f"STARFLEET:\n  TemplateDirectory: templates\n  HostName: host-{n + 1}\n"
                            f"  Scheduler: {'true' if n == 0 else 'false'}\n"
                            f"LocalAccountIndex:\n  Path: {index}\n"
                            "NoOpShip:\n  Enabled: true\n  FanOutStrategy: ACCOUNT_REGION\n  TemplatePrefix: NoOp/\n"
                            f"  InvocationSources: [S3]\n  Concurrency: 64\n  InvocationQueueUrl: {queue}\n"
                            "  RunHistoryMaxRuns: 0\n")
                log = os.path.join(root, f"host-{n + 1}.log")
                logs.append(log)
                procs.append(subprocess.Popen([DAEMON, "--config", config, "--state-dir", os.path.join(config, "state")],
                                              stdout=open(log, "w"), stderr=subprocess.STDOUT, env=env))
            deadline = time.time() + 60
            while not all(count(log, "starfleetd started") for log in logs):
                assert time.time() < deadline, "the hosts did not start"
                time.sleep(0.1)
            time.sleep(1)
            peer_cpu0 = cpu_seconds(ms.process.pid)
            host_cpu0 = sum(cpu_seconds(p.pid) for p in procs)
            template = os.path.join(root, "host-1", "templates", "NoOp", "all.yaml")
            with open(template + ".tmp", "w") as f:
                f.write("TemplateName: all\nTemplateDescription: every account and region\n"
                        "IncludeAccounts: {AllAccounts: true}\nIncludeRegions: [ALL]\nOperateInOrgRoot: true\n")
            dropped = time.time()
            os.rename(template + ".tmp", template)
            first = tasked = None
            deadline = dropped + 900
            while True:
                done = [count(log, "worker succeeded") for log in logs]
                now = time.time()
                if first is None and sum(done) > 0:
                    first = now
                if tasked is None and count(logs[0], "tasked for the"):
                    tasked = now
                if sum(done) >= TOTAL:
                    break
                assert now < deadline, f"only {sum(done)} of {TOTAL} ran in 15 minutes"
                time.sleep(0.1)
            finished = time.time()
            peer_cpu = cpu_seconds(ms.process.pid) - peer_cpu0
            host_cpu = sum(cpu_seconds(p.pid) for p in procs) - host_cpu0
            consumed = finished - first
            print(f"{hosts} host(s): 17,000 payloads in {finished - dropped:.1f} s from the drop "
                  f"({TOTAL / (finished - dropped):,.0f} payloads/s); consumption {consumed:.1f} s "
                  f"({TOTAL / consumed:,.0f} payloads/s); fan-out sent in {(tasked or finished) - dropped:.1f} s; "
                  f"runs per host {done}; CPU: ministack {peer_cpu:.1f} s, starfleetd {host_cpu:.1f} s", flush=True)
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    print(f"fleet throughput, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}; ministack {subprocess.run([awspeer.MINISTACK.replace('bin/ministack', 'bin/pip'), 'show', 'ministack'], capture_output=True, text=True).stdout.split('Version: ')[1].split()[0]}")
    for n in [int(a) for a in sys.argv[1:]] or [1, 2, 3]:
        round_with(n)
