#!/usr/bin/env python3
"""Worker runtime benchmarks (not tests): the release starfleetd running the same Python handler two ways, in one run.

  (1) payloads/s through a no-op Python Lambda handler at Concurrency 8 on the Lambda runtime (Runtime: python,
      warm processes) vs the same handler as one process per payload (Runtime: process, `python3 handler_cli.py`);
      both from a template fan-out, from the template's rename to the last "worker succeeded" line
  (2) Invoke API RequestResponse round trip on a no-op warm handler, p50 / p90 of 2,000 sequential calls over
      loopback TCP (STARFLEET.InvokeAddress), one keep-alive connection
  (3) RSS of one warm Python process (the worker's, not the daemon's) and of the daemon after (1)
  (4) the daemon's own CPU per warm payload (utime + stime of starfleetd from /proc/PID/stat, its threads' context
      switches), 999 payloads of a no-op handler from a template fan-out at Concurrency 4: with our Python runtime
      client (Runtime: python) and with AWS's awslambdaric (Runtime: provided), side by side

Usage: scripts/bench_workers.py [--payloads N] [--only cpu|roundtrip]   (default 4,000 warm, 800 per process)
  --only cpu runs (4) alone, --only roundtrip (2). awslambdaric comes from $STARFLEET_RIC_VENV (default ~/.cache/starfleetd-awslambdaric,
  the venv scripts/e2e/runtime.sh makes).
"""
import http.client
import os
import socket
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from bench_daemon import Daemon, REGIONS17, row  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
# The interpreter itself, not a version manager's shim (pyenv's adds a shell and tens of ms to every start).
PYTHON = os.path.realpath(sys.executable)

HANDLER = "def handler(event, context):\n    return None\n"
CLI = ("import json, sys\nsys.path.insert(0, sys.argv[1])\nfrom handler import handler\n"
       "print(json.dumps(handler(json.load(sys.stdin), None)))\n")


RIC_PYTHON = os.path.join(os.environ.get("STARFLEET_RIC_VENV", os.path.expanduser("~/.cache/starfleetd-awslambdaric")),
                          "bin", "python3")


def worker_section(name, runtime, code_dir, accounts_strategy="ACCOUNT_REGION", extra="", concurrency=8):
    text = (f"{name}:\n  Enabled: true\n  TemplatePrefix: {name}/\n  InvocationSources: [S3]\n"
            f"  FanOutStrategy: {accounts_strategy}\n  Concurrency: {concurrency}\n")
    if runtime == "python":
        text += f"  Runtime: python\n  Handler: handler.handler\n  CodeDirectory: {code_dir}\n  Python: {PYTHON}\n"
    elif runtime == "awslambdaric":
        text += (f"  Runtime: provided\n  CodeDirectory: {code_dir}\n"
                 f"  Command: [{RIC_PYTHON}, -m, awslambdaric, handler.handler]\n")
    else:
        text += f"  Command: [{PYTHON}, {code_dir}/handler_cli.py, {code_dir}]\n"
    return text + extra


def throughput(runtime, accounts):
    code = "/tmp/sfd-bench-handler"
    os.makedirs(code, exist_ok=True)
    for name, text in (("handler.py", HANDLER), ("handler_cli.py", CLI)):
        with open(os.path.join(code, name), "w") as f:
            f.write(text)
    d = Daemon(worker_section("Noop", runtime, code), accounts=accounts + 1)
    try:
        total = accounts * len(REGIONS17)
        started = d.drop("Noop/all.yaml", "TemplateName: t\nTemplateDescription: d\nIncludeAccounts: {AllAccounts: true}\n"
                                          "IncludeRegions: [ALL]\n")
        d.wait_for(lambda: d.count("worker succeeded") >= total, 900)
        elapsed = max(d.times("worker succeeded")) - started
        rss = d.rss_kib() / 1024
        warm = worker_rss(d.proc.pid) if runtime == "python" else None
        return total, elapsed, rss, warm
    finally:
        d.stop()


def cpu_seconds(pid):
    """utime + stime of a process (all its threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def context_switches(pid):
    """Voluntary + involuntary context switches summed over the process's threads."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def daemon_cpu(runtime, payloads=999, concurrency=4):
    """The daemon's CPU and context switches per payload while a fan-out of `payloads` runs a no-op handler warm."""
    code = "/tmp/sfd-bench-handler"
    os.makedirs(code, exist_ok=True)
    with open(os.path.join(code, "handler.py"), "w") as f:
        f.write(HANDLER)
    d = Daemon(worker_section("Noop", runtime, code, accounts_strategy="ACCOUNT", concurrency=concurrency),
               accounts=payloads + 1)  # the index's first account is the organization's own
    try:
        # Warm the processes first, so that the figure is the steady state, not the interpreters' start.
        d.drop("Noop/warm.yaml", "TemplateName: w\nTemplateDescription: d\nIncludeAccounts: {AllAccounts: true}\n")
        d.wait_for(lambda: d.count("worker succeeded") >= payloads, 900)
        cpu, switches = cpu_seconds(d.proc.pid), context_switches(d.proc.pid)
        started = d.drop("Noop/all.yaml", "TemplateName: t\nTemplateDescription: d\nIncludeAccounts: {AllAccounts: true}\n")
        d.wait_for(lambda: d.count("worker succeeded") >= 2 * payloads, 900)
        elapsed = max(d.times("worker succeeded")) - started
        return ((cpu_seconds(d.proc.pid) - cpu) / payloads, (context_switches(d.proc.pid) - switches) / payloads,
                payloads / elapsed)
    finally:
        d.stop()


def cpu_rows():
    for runtime, label in (("python", "our Python runtime client (Runtime: python)"),
                           ("awslambdaric", "AWS's awslambdaric (Runtime: provided)")):
        if runtime == "awslambdaric" and not os.access(RIC_PYTHON, os.X_OK):
            row(f"daemon CPU per warm payload, {label}", f"n/a: no {RIC_PYTHON} (scripts/e2e/runtime.sh makes it)")
            continue
        per, switches, rate = daemon_cpu(runtime)
        row(f"daemon CPU per warm payload, {label} (goal <= 100 us)", f"{per * 1e6:,.0f} us")
        row(f"  daemon context switches per payload / payloads per second, {label}", f"{switches:.1f} / {rate:,.0f}")


def worker_rss(daemon_pid):
    """RSS in MB of the daemon's first warm python child."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) != daemon_pid:
                continue
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except (FileNotFoundError, IndexError, ValueError):
            continue
    return None


def round_trip(calls=2000):
    code = "/tmp/sfd-bench-handler"
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    d = Daemon(worker_section("Noop", "python", code, accounts_strategy="SINGLE_INVOCATION"), accounts=1,
               starfleet_extra=f"  InvokeAddress: 127.0.0.1:{port}\n")
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port)
        connection.connect()
        # As boto3 (urllib3) does: without it Nagle and delayed ACKs add up to 40 ms to a request sent in two writes.
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def measure(headers, expect):
            samples = []
            for i in range(calls + 50):
                t = time.perf_counter()
                connection.request("POST", "/2015-03-31/functions/Noop/invocations", b"{}", headers)
                response = connection.getresponse()
                response.read()
                assert response.status == expect and not response.getheader("X-Amz-Function-Error"), response.status
                if i >= 50:  # the first calls start the warm process
                    samples.append(time.perf_counter() - t)
            samples.sort()
            return samples[len(samples) // 2], samples[int(len(samples) * 0.9)]

        return measure({}, 200), measure({"X-Amz-Invocation-Type": "DryRun"}, 204)
    finally:
        d.stop()


def round_trip_rows():
    (p50, p90), (dry50, _) = round_trip()
    row("Invoke API RequestResponse round trip, no-op warm handler: p50 (goal <= 0.4 ms)", f"{p50 * 1000:.2f} ms")
    row("Invoke API RequestResponse round trip, no-op warm handler: p90", f"{p90 * 1000:.2f} ms")
    row("Invoke API DryRun round trip (the HTTP server alone, no worker): p50", f"{dry50 * 1000:.2f} ms")


def main():
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    if only == "cpu":
        cpu_rows()
        return
    if only == "roundtrip":
        round_trip_rows()
        return
    warm_accounts = 235    # × 17 regions = 3,995 payloads
    cold_accounts = 47     # × 17 = 799
    if "--payloads" in sys.argv:
        n = int(sys.argv[sys.argv.index("--payloads") + 1])
        warm_accounts, cold_accounts = max(1, n // 17), max(1, n // 85)
    total, elapsed, daemon_rss, warm_rss = throughput("python", warm_accounts)
    warm_rate = total / elapsed
    row(f"warm: {total:,} payloads, no-op Python handler, Runtime: python, Concurrency 8", f"{warm_rate:,.0f} payloads/s")
    row("warm: RSS of one warm python process (the worker's)", f"{warm_rss:.1f} MB" if warm_rss else "n/a")
    row("warm: RSS of starfleetd after the run", f"{daemon_rss:.1f} MB")
    total, elapsed, _, _ = throughput("process", cold_accounts)
    cold_rate = total / elapsed
    row(f"per payload: {total:,} payloads, the same handler, one python process per payload, Concurrency 8", f"{cold_rate:,.0f} payloads/s")
    row("ratio: warm / one process per payload (goal >= 20)", f"{warm_rate / cold_rate:.1f}x")
    round_trip_rows()
    cpu_rows()
    row("load average (1 min) at the end", f"{os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
