#!/usr/bin/env python3
"""Side-by-side figures for issue 13 (not tests): the release starfleetd, measured the way a user runs it.

  scripts/bench_perf.py [dispatcher] [memory] [idle] [history]      (default: the first three)

  dispatcher  10,000 payloads, each one run of /bin/true (a process worker, FanOutStrategy ACCOUNT over a
              10,000-account index), at Concurrency 8 and 32, timed from "payloads durable on the worker queue" (the
              Starbase's "tasked" line) to the 10,000th "worker succeeded" line; the peer is
              `seq 10000 | xargs -n 1 -P C /bin/true` timed in the same run, just before each daemon run.
  memory      100,000 queued 1 KiB payloads (5,883 accounts x 17 regions, ACCOUNT_REGION) held behind a gate (the worker's
              command waits for a file), starfleetd's own RSS (VmRSS and RssAnon of the starfleetd process from
              /proc/PID/status) once they are durable, then the gate opens, the queue drains, and the RSS is read again.
  idle        the example configuration (FIVE_MIN moved to HOURLY, no templates: nothing to do), after 10 s of settling,
              starfleetd's CPU (utime+stime, /proc/PID/stat) and writes (/proc/PID/io write_bytes, and status.json
              rewrites) over 60 s.
  history     the 17,000-payload no-op fan-out (1,000 accounts x 17 regions to the built-in NoOpShip, Concurrency 64)
              with the run history on (RunHistoryMaxRuns 1000, the default) and off (0), alternated in one run (ABBA
              order), 10 of each: the dispatcher's time from the first "worker succeeded" to the 17,000th, starfleetd's CPU time,
              and the history's bytes on disk afterwards; medians, and the median of each back-to-back pair's ratio.

Every figure is starfleetd's own process (the pid the script started), never a helper's.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
DAEMON = os.path.join(ROOT, ".build", "release", "starfleetd")
REGIONS17 = ["ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
             "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
             "us-east-1", "us-east-2", "us-west-1", "us-west-2"]
TICK = os.sysconf("SC_CLK_TCK")


def row(name, value):
    print(f"{name:<72}  {value}", flush=True)


def proc_status(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def io(pid):
    values = {}
    with open(f"/proc/{pid}/io") as f:
        for line in f:
            key, value = line.split(":")
            values[key] = int(value)
    return values


class Daemon:
    """starfleetd on a temp configuration; its log lines are counted as they arrive."""

    def __init__(self, workers, accounts, scripts=None, config_dir=None):
        self.dir = tempfile.mkdtemp(prefix="sfd-perf-")
        self.state = os.path.join(self.dir, "state")
        if config_dir:
            self.config = config_dir
        else:
            self.config = os.path.join(self.dir, "config")
            os.makedirs(os.path.join(self.config, "templates"))
            index = {f"{100000000000 + i}": {"Id": f"{100000000000 + i}", "Name": f"a{i}", "Regions": REGIONS17,
                                             "Arn": f"arn:aws:organizations::100000000000:account/o-b/{100000000000 + i}",
                                             "Parents": [{"Id": "r-b", "Name": "ROOT", "Type": "ROOT"}], "Tags": {}}
                     for i in range(accounts)}
            with open(os.path.join(self.config, "index.json"), "w") as f:
                json.dump({"accounts": index}, f)
            with open(os.path.join(self.config, "starfleetd.yaml"), "w") as f:
                f.write("STARFLEET:\n  TemplateDirectory: templates\nLocalAccountIndex:\n  Path: index.json\n" + workers)
        self.templates = os.path.join(self.config, "templates")
        self.counts = {}
        self.marks = {}
        self.watch = ("worker succeeded", "tasked for the", "starfleetd started", "timed event fired")
        self.lock = threading.Lock()
        self.proc = subprocess.Popen([DAEMON, "--config", self.config, "--state-dir", self.state],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.pid = self.proc.pid
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for(lambda: self.count("starfleetd started") > 0, 60)

    def _read(self):
        for line in self.proc.stdout:
            now = time.time()
            for text in self.watch:
                if text in line:
                    with self.lock:
                        n = self.counts.get(text, 0) + 1
                        self.counts[text] = n
                        self.marks[(text, n)] = now

    def count(self, text):
        with self.lock:
            return self.counts.get(text, 0)

    def mark(self, text, n):
        with self.lock:
            return self.marks.get((text, n))

    def wait_for(self, predicate, timeout, step=0.005):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if predicate():
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"starfleetd exited with {self.proc.returncode}")
            time.sleep(step)
        raise RuntimeError("timed out")

    def drop(self, key, text):
        path = os.path.join(self.templates, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.rename(path + ".tmp", path)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(120)
        shutil.rmtree(self.dir, ignore_errors=True)


def xargs(n, concurrency):
    started = time.perf_counter()
    subprocess.run(f"seq {n} | xargs -n 1 -P {concurrency} /bin/true", shell=True, check=True)
    return time.perf_counter() - started


def dispatcher(n=10000):
    for concurrency in (8, 32):
        peer = xargs(n, concurrency)
        d = Daemon(f"Runner:\n  Enabled: true\n  Command: [\"/bin/true\"]\n  FanOutStrategy: ACCOUNT\n  TemplatePrefix: Runner/\n"
                   f"  InvocationSources: [S3]\n  Concurrency: {concurrency}\n", accounts=n)
        os.makedirs(os.path.join(d.templates, "Runner"), exist_ok=True)
        time.sleep(0.5)
        try:
            d.drop("Runner/all.yaml", "TemplateName: all\nTemplateDescription: every account\n"
                   "IncludeAccounts: {AllAccounts: true}\nOperateInOrgRoot: true\n")
            d.wait_for(lambda: d.count("worker succeeded") >= n, 600, step=0.05)
            tasked = d.mark("tasked for the", 1)
            done = d.mark("worker succeeded", n)
        finally:
            d.stop()
        ours = done - tasked
        row(f"dispatcher: {n:,} x /bin/true at Concurrency {concurrency}, starfleetd", f"{ours:.2f} s  ({n / ours:,.0f} runs/s)")
        row(f"dispatcher: seq {n} | xargs -n 1 -P {concurrency} /bin/true", f"{peer:.2f} s  ({n / peer:,.0f} runs/s)")
        goal = 0.8 if concurrency == 8 else 0.9
        row(f"dispatcher: ratio to xargs at Concurrency {concurrency} (rate, higher is better)",
            f"{peer / ours:.2f}x  (goal >= {goal}x)")


def memory(accounts=5883):
    n = accounts * 17
    gate = tempfile.mktemp(prefix="sfd-perf-gate-")
    # A script file with an absolute path: the daemon resolves an argument with a '/' in it (an inline `sh -c` script
    # naming the gate) against the configuration directory, which broke the inline form.
    script = gate + ".sh"
    with open(script, "w") as f:
        f.write(f"while [ ! -e {gate} ]; do sleep 0.2; done\n")
    d = Daemon("Parked:\n  Enabled: true\n"
               f"  Command: [\"/bin/sh\", \"{script}\"]\n"
               "  FanOutStrategy: ACCOUNT_REGION\n  TemplatePrefix: Parked/\n  InvocationSources: [S3]\n  Concurrency: 16\n"
               "  TimeoutSeconds: 240\n", accounts=accounts)
    os.makedirs(os.path.join(d.templates, "Parked"), exist_ok=True)
    time.sleep(0.5)
    try:
        # TemplateDescription pads each payload (the template plus account and region) to about 1 KiB.
        d.drop("Parked/all.yaml", "TemplateName: all\nTemplateDescription: " + "x" * 900 + "\n"
               "IncludeAccounts: {AllAccounts: true}\nIncludeRegions: [ALL]\nOperateInOrgRoot: true\n")
        d.wait_for(lambda: d.count("tasked for the") >= 1, 600, step=0.05)
        time.sleep(3)
        queued_rss, queued_anon = proc_status(d.pid, "VmRSS"), proc_status(d.pid, "RssAnon")
        queued_hwm = proc_status(d.pid, "VmHWM")
        segments = os.path.join(d.state, "queues", "Parked", "journal")
        journal = sum(os.path.getsize(os.path.join(segments, f)) for f in os.listdir(segments))
        open(gate, "w").close()
        started = time.time()
        d.wait_for(lambda: d.count("worker succeeded") >= n, 1800, step=0.1)
        drained = time.time() - started
        time.sleep(5)
        after_rss, after_anon = proc_status(d.pid, "VmRSS"), proc_status(d.pid, "RssAnon")
    finally:
        d.stop()
        for path in (gate, script):
            if os.path.exists(path):
                os.unlink(path)
    row(f"memory: starfleetd RSS with {n:,} queued ~1 KiB payloads (VmRSS / RssAnon)",
        f"{queued_rss / 1024:.1f} MB / {queued_anon / 1024:.1f} MB  (goal <= 64 MB: {queued_rss / 1024 / 64:.2f}x)")
    row("memory: ... peak during the fan-out (VmHWM)", f"{queued_hwm / 1024:.1f} MB")
    row("memory: ... journal on disk", f"{journal / 1e6:.1f} MB")
    row(f"memory: starfleetd RSS after the {n:,} drained (VmRSS / RssAnon)",
        f"{after_rss / 1024:.1f} MB / {after_anon / 1024:.1f} MB  (drained in {drained:.0f} s)")


def idle(seconds=60):
    tmp = tempfile.mkdtemp(prefix="sfd-perf-idle-")
    config = os.path.join(tmp, "config")
    shutil.copytree(os.path.join(ROOT, "etc", "starfleetd"), config)
    shutil.rmtree(os.path.join(config, "templates"))
    os.makedirs(os.path.join(config, "templates"))
    path = os.path.join(config, "starfleetd.yaml")
    text = open(path).read().replace("FIVE_MIN", "HOURLY")
    open(path, "w").write(text)
    d = Daemon("", 0, config_dir=config)
    try:
        time.sleep(10)
        status = os.path.join(d.state, "status.json")
        inode = lambda: os.stat(status).st_ino if os.path.exists(status) else None
        cpu0, io0, fires0 = cpu_seconds(d.pid), io(d.pid), d.count("timed event fired")
        inodes, last = 0, inode()
        end = time.time() + seconds
        while time.time() < end:
            time.sleep(0.5)
            now = inode()
            if now != last:
                inodes, last = inodes + 1, now
        cpu1, io1, fires1 = cpu_seconds(d.pid), io(d.pid), d.count("timed event fired")
        rss = proc_status(d.pid, "VmRSS")
    finally:
        d.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    scale = 60 / seconds
    cpu_ms = (cpu1 - cpu0) * 1000 * scale
    row(f"idle: starfleetd CPU per minute (utime+stime over {seconds} s)", f"{cpu_ms:.0f} ms  (goal <= 10 ms: {cpu_ms / 10:.2f}x)")
    row("idle: starfleetd bytes written to storage per minute (/proc/PID/io write_bytes)",
        f"{(io1['write_bytes'] - io0['write_bytes']) * scale / 1024:.0f} KiB")
    row("idle: starfleetd write system calls per minute (/proc/PID/io syscw)", f"{(io1['syscw'] - io0['syscw']) * scale:.0f}")
    row("idle: status.json rewrites per minute", f"{inodes * scale:.0f}  (timed fires in the window: {fires1 - fires0})")
    row("idle: starfleetd RSS (VmRSS)", f"{rss / 1024:.1f} MB")


def history_fan_out(max_runs):
    d = Daemon("NoOpShip:\n  Enabled: true\n  FanOutStrategy: ACCOUNT_REGION\n  TemplatePrefix: NoOp/\n"
               f"  InvocationSources: [S3]\n  Concurrency: 64\n  RunHistoryMaxRuns: {max_runs}\n", accounts=1000)
    os.makedirs(os.path.join(d.templates, "NoOp"), exist_ok=True)
    time.sleep(0.5)
    try:
        cpu0 = cpu_seconds(d.pid)
        d.drop("NoOp/all.yaml", "TemplateName: all\nTemplateDescription: every account and region\n"
               "IncludeAccounts: {AllAccounts: true}\nIncludeRegions: [ALL]\nOperateInOrgRoot: true\n")
        d.wait_for(lambda: d.count("worker succeeded") >= 17000, 300, step=0.02)
        cpu = cpu_seconds(d.pid) - cpu0
        # From the first run's end to the last's: the Starbase logs "tasked" only after its last chunk, by which
        # time thousands of runs may be done, so that line is no start mark for the dispatcher.
        seconds = d.mark("worker succeeded", 17000) - d.mark("worker succeeded", 1)
        folder = os.path.join(d.state, "history", "NoOpShip")
        stored = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder)) if os.path.isdir(folder) else 0
    finally:
        d.stop()
    return seconds, cpu, stored


def history(rounds=10):
    runs = {"on": [], "off": []}
    for n in range(rounds):
        # ABBA: whichever runs second follows the other's shutdown (its writeback): alternate who goes first.
        order = (("off", 0), ("on", 1000)) if n % 2 == 0 else (("on", 1000), ("off", 0))
        for mode, max_runs in order:
            runs[mode].append(history_fan_out(max_runs))
    med = {mode: [sorted(r[i] for r in results)[len(results) // 2] for i in range(3)] for mode, results in runs.items()}
    for mode, label in (("off", "off (RunHistoryMaxRuns: 0)"), ("on", "on (RunHistoryMaxRuns: 1000)")):
        secs, cpu, stored = med[mode]
        each = ", ".join(f"{r[0]:.2f}" for r in runs[mode])
        row(f"history: 17,000 no-op runs through the dispatcher, history {label}",
            f"{secs:.2f} s  ({17000 / secs:,.0f} runs/s; runs {each} s)")
        row(f"history: ... starfleetd CPU time, history {mode}", f"{cpu:.2f} s")
        row(f"history: ... history on disk afterwards, history {mode}", f"{stored / 1e6:.2f} MB")
    row("history: on / off, dispatcher time (median)", f"{med['on'][0] / med['off'][0]:.3f}x")
    row("history: on / off, CPU time (median)", f"{med['on'][1] / med['off'][1]:.3f}x")
    # Each pair ran back to back, so a drift of the machine's speed during the benchmark cancels in its ratio.
    for i, what in ((0, "dispatcher time"), (1, "CPU time")):
        pairs = sorted(on[i] / off[i] for on, off in zip(runs["on"], runs["off"]))
        row(f"history: on / off, {what}, median of the {len(pairs)} pairs' ratios",
            f"{pairs[len(pairs) // 2]:.3f}x  (pairs {', '.join(f'{p:.2f}' for p in pairs)})")


def main():
    chosen = [a for a in sys.argv[1:] if not a.startswith("-")] or ["dispatcher", "memory", "idle"]
    print(f"starfleetd issue-13 benchmarks, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")
    for name in chosen:
        {"dispatcher": dispatcher, "memory": memory, "idle": idle, "history": history}[name]()


if __name__ == "__main__":
    main()
