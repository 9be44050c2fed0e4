#!/usr/bin/env python3
"""The SQS trigger's batching benchmark (not a test), in one run: 10,000 SQS-shaped records through a no-op Python
handler (Runtime: python, EventShape: sqs, Concurrency 4) at BatchSize 10 and at BatchSize 1, on the release starfleetd.

The records come from one ACCOUNT fan-out of 10,000 accounts (the Starbase sends them to the worker's journal queue).
The handler's module waits, at import, for a file to appear, so the warm processes cannot take an invocation until the
fan-out has finished: the figure is the trigger's own, not the Starbase's. Timed from that file's creation to the last
"batch ran" line; the daemon's CPU time (utime + stime, /proc/<pid>/stat) and its warm processes' over the same span,
per record. Each figure is
the median of `--rounds` runs (BatchSize 10 and 1 alternating, a fresh daemon and state each), with every round's
figure beside it, since this shared 2-core machine's speed drifts between runs.

Usage: scripts/bench_batch.py [--records N] [--rounds R] [--only 10|1]   (default 10,000 records, 3 rounds, both)
"""
import os
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from bench_daemon import Daemon, row  # noqa: E402

PYTHON = os.path.realpath(sys.executable)
# Waits for $GO at import (the process's init), then does nothing per invocation.
HANDLER = ("import os, time\nwhile not os.path.exists(os.environ['GO']):\n    time.sleep(0.005)\n\n"
           "def handler(event, context):\n    return None\n")
SIZE = re.compile(r"batch_size=(\d+)")


def section(batch_size, code_dir, go):
    return ("Noop:\n  Enabled: true\n  TemplatePrefix: Noop/\n  InvocationSources: [S3]\n  FanOutStrategy: ACCOUNT\n"
            f"  Concurrency: 4\n  Runtime: python\n  Handler: handler.handler\n  CodeDirectory: {code_dir}\n"
            f"  Python: {PYTHON}\n  EventShape: sqs\n  BatchSize: {batch_size}\n  Environment: {{GO: {go}}}\n")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds(pid):
    """The CPU time of the daemon's child processes (the warm workers) so far."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def run(batch_size, records):
    """(records, invocations, seconds, daemon CPU seconds, warm processes' CPU seconds) of one run."""
    code = "/tmp/sfd-bench-batch-handler"
    os.makedirs(code, exist_ok=True)
    with open(os.path.join(code, "handler.py"), "w") as f:
        f.write(HANDLER)
    go = os.path.join(code, f"go-{os.getpid()}-{time.time_ns()}")
    d = Daemon(section(batch_size, code, go), accounts=records + 1)  # the organization's root account gets no payload
    try:
        def done():
            with d.lock:
                return sum(int(m.group(1)) for _, l in d.lines if "batch ran" in l for m in [SIZE.search(l)] if m)

        d.drop("Noop/all.yaml", "TemplateName: t\nTemplateDescription: d\nIncludeAccounts: {AllAccounts: true}\n")
        d.wait_for(lambda: d.count("tasked for the") > 0, 300)
        time.sleep(0.5)  # the Starbase's last writes settle
        cpu_before = cpu_seconds(d.proc.pid)
        workers_before = children_cpu_seconds(d.proc.pid)
        started = time.time()
        open(go, "w").close()
        d.wait_for(lambda: done() >= records, 900)
        cpu = cpu_seconds(d.proc.pid) - cpu_before
        workers = children_cpu_seconds(d.proc.pid) - workers_before
        last = max(d.times("batch ran"))
        return done(), d.count("batch ran"), last - started, cpu, workers
    finally:
        d.stop()
        if os.path.exists(go):
            os.unlink(go)


def main():
    records = int(sys.argv[sys.argv.index("--records") + 1]) if "--records" in sys.argv else 10_000
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 3
    sizes = [int(a) for a in sys.argv[sys.argv.index("--only") + 1].split(",")] if "--only" in sys.argv else [10, 1]
    results = {size: [] for size in sizes}
    for _ in range(rounds):
        for batch_size in sizes:
            results[batch_size].append(run(batch_size, records))

    def median(values):
        return statistics.median(values), ", ".join(f"{v:,.0f}" for v in values)

    rates, cpus = {}, {}
    for batch_size, runs in results.items():
        total, invocations = runs[0][0], runs[0][1]
        rate, each = median([r[0] / r[2] for r in runs])
        rates[batch_size] = rate
        label = f"BatchSize {batch_size}: {total:,} queued records, {invocations:,} invocations, no-op Python handler, Concurrency 4"
        row(label, f"{rate:,.0f} records/s  (rounds: {each})")
        cpu, each = median([r[3] / r[0] * 1e6 for r in runs])
        row(f"BatchSize {batch_size}: daemon CPU per record", f"{cpu:,.0f} µs  (rounds: {each})")
        total_cpu, each = median([(r[3] + r[4]) / r[0] * 1e6 for r in runs])
        cpus[batch_size] = total_cpu
        row(f"BatchSize {batch_size}: CPU per record, daemon + warm processes", f"{total_cpu:,.0f} µs  (rounds: {each})")
    if sorted(sizes) != [1, 10]:
        return
    ratios = [a[0] / a[2] / (b[0] / b[2]) for a, b in zip(results[10], results[1])]
    row("ratio: BatchSize 10 / BatchSize 1, medians (goal >= 5)",
        f"{rates[10] / rates[1]:.1f}x  (rounds: {', '.join(f'{r:.1f}' for r in ratios)})")
    row("CPU per record, BatchSize 1 / BatchSize 10 (the load-independent figure)", f"{cpus[1] / cpus[10]:.1f}x")
    row("load average (1 min) at the end", f"{os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
