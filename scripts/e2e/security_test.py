#!/usr/bin/env python3
"""starfleetd against another local user (issue 20). The built daemon runs as one uid (`sfd-sec-daemon`, under
`ulimit -n 1024`, systemd's default soft limit) with a warm Python worker, a process worker, the Invoke API on TCP,
metrics and the console; every attack runs as a second uid (`sfd-sec-attacker`, through setpriv) and must be
refused with nothing run, lost or deleted:

  F1  an Invoke API request from a socket bound to 127.0.0.X with the listener's own port (IPv4 and dual-stack), and
      one over IPv6 to an InvokeAddress on [::1]
  F2  a warm worker impersonated on the Runtime API the same way, with and without the process's real token
  F3  1,100 idle connections to each listener: `starfleetctl invoke`, a scrape and a template scan still work
  F7  request heads trickled a byte a second: closed within the documented time
  F8  the socket table inflated to 20,000 lines: a refused connection costs the daemon ≤ 1 ms of CPU, and the
      refusals are one warning line per user per minute
  F4  dead-letter purges and listings through the console naming `../../victim` or `../scheduler`
      (scripts/e2e/security_console_test.py): 400, nothing outside the dead-letter folder touched
  F5  DNS rebinding: a forged Host gets 421 and no page or token; a forged Host with a matching Origin cannot post
  F6  a worker's credential after it is disabled and reloaded, and after the stop: in no file
  F9  a state directory another user created (world-writable) or linked: refused at start with exit 73
  (8) a daemon that cannot find its runtime clients: validate and start say where they looked (exit 78)

Run by scripts/e2e/security.sh as root. Without useradd or setpriv it prints one SKIPPED line and counts nothing.
The last line is "security: N passed, M failed".
"""
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_test import DAEMON, CTL, FAILER, RECORDER, wait_for  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ATTACKS = os.path.join(HERE, "security_attacks.py")
DAEMON_USER = "sfd-sec-daemon"
ATTACKER = "sfd-sec-attacker"

HANDLER = """
import json, os
def handler(event, context):
    with open(os.environ["OUT"], "a") as f:
        f.write(json.dumps({"event": event, "pid": os.getpid()}) + "\\n")
    return {"echo": event.get("echo"), "pid": os.getpid()}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_user(name):
    try:
        return pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                       check=True, capture_output=True)
        return pwd.getpwnam(name)


def as_user(user, argv, nofile=None):
    prefix = ["prlimit", f"--nofile={nofile}:{nofile}"] if nofile else []
    return prefix + ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups", "--"] + argv


class Host:
    """The daemon as its own uid, in a temp tree that uid owns."""

    def __init__(self):
        self.daemon_user = ensure_user(DAEMON_USER)
        self.attacker = ensure_user(ATTACKER)
        self.dir = tempfile.mkdtemp(prefix="sfd-security-")
        os.chmod(self.dir, 0o755)
        self.config = os.path.join(self.dir, "config")
        self.state = os.path.join(self.dir, "state")
        self.out = os.path.join(self.dir, "out")
        self.log_path = os.path.join(self.dir, "daemon.log")
        for d in (os.path.join(self.config, "templates", "Audit"), os.path.join(self.config, "workers", "Warm"), self.out,
                  self.state):
            os.makedirs(d, exist_ok=True)
        with open(os.path.join(self.config, "workers", "Warm", "handler.py"), "w") as f:
            f.write(HANDLER)
        with open(os.path.join(self.config, "recorder.sh"), "w") as f:
            f.write(RECORDER)
        os.chmod(os.path.join(self.config, "recorder.sh"), 0o755)
        accounts = {str(100000000000 + i): {"Id": str(100000000000 + i), "Name": f"acct-{i}", "Parents": [],
                                             "Regions": ["us-east-1"], "Tags": {}} for i in range(3)}
        with open(os.path.join(self.config, "index.json"), "w") as f:
            json.dump({"accounts": accounts, "generated": "2026-01-01T00:00:00Z"}, f)
        self.invoke_port, self.metrics_port, self.console_port = free_port(), free_port(), free_port()
        self.secret = "sfd-secret-" + os.urandom(12).hex()
        self.credentials = os.path.join(self.dir, "credentials")
        os.makedirs(self.credentials)
        with open(os.path.join(self.credentials, "api-token"), "w") as f:
            f.write(self.secret)
        with open(os.path.join(self.config, "failer.sh"), "w") as f:
            f.write(FAILER)
        os.chmod(os.path.join(self.config, "failer.sh"), 0o755)
        self.victim = os.path.join(self.dir, "victim")
        os.makedirs(self.victim)
        with open(os.path.join(self.victim, "keep.json"), "w") as f:
            f.write("{}")
        self.secretive_disabled = False
        self.write_config()
        subprocess.run(["chown", "-R", f"{self.daemon_user.pw_uid}:{self.daemon_user.pw_gid}", self.dir], check=True)
        os.chown(self.dir, 0, 0)
        os.chmod(self.state, 0o700)
        self.proc = None
        self.secrets_seen = False

    def write_config(self):
        with open(os.path.join(self.config, "starfleetd.yaml"), "w") as f:
            f.write(f"""STARFLEET:
  TemplateDirectory: templates
  InvokeAddress: 127.0.0.1:{self.invoke_port}
  MetricsAddress: 127.0.0.1:{self.metrics_port}
  ConsoleAddress: 127.0.0.1:{self.console_port}
LocalAccountIndex:
  Path: index.json
Warm:
  Enabled: true
  Runtime: python
  Handler: handler.handler
  CodeDirectory: workers/Warm
  Concurrency: 2
  TimeoutSeconds: 20
  InvocationSources: [S3]
  TemplatePrefix: Warm/
  FanOutStrategy: SINGLE_INVOCATION
  Environment: {{OUT: {self.out}/Warm}}
Audit:
  Enabled: true
  Command: ["./recorder.sh", "{self.out}/Audit"]
  FanOutStrategy: ACCOUNT
  TemplatePrefix: Audit/
  InvocationSources: [S3]
Failing:
  Enabled: true
  Command: ["./failer.sh", "{self.out}/Failing"]
  FanOutStrategy: SINGLE_INVOCATION
  TemplatePrefix: Failing/
  InvocationSources: [S3]
  MaxReceiveCount: 1
Secretive:
  Enabled: {"false" if self.secretive_disabled else "true"}
  Command: ["./recorder.sh", "{self.out}/Secretive"]
  FanOutStrategy: SINGLE_INVOCATION
  TemplatePrefix: Secretive/
  InvocationSources: [S3]
  Credentials: [api-token]
""")

    def start(self):
        log = open(self.log_path, "a")
        env = {"PATH": os.environ["PATH"], "HOME": self.dir, "LANG": "C.UTF-8", "CREDENTIALS_DIRECTORY": self.credentials}
        self.proc = subprocess.Popen(
            as_user(self.daemon_user, [DAEMON, "--config", self.config, "--state-dir", self.state], nofile=1024),
            stdout=log, stderr=subprocess.STDOUT, env=env)
        wait_for(lambda: "starfleetd started" in self.log() or self.proc.poll() is not None, 30, "the daemon to start")
        assert self.proc.poll() is None, self.log()
        match = re.search(r"serving the workers' Runtime and Invoke API address=127\.0\.0\.1:(\d+)", self.log())
        self.workers_port = int(match.group(1))

    def log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def ctl(self, *args, timeout=30):
        return subprocess.run(as_user(self.daemon_user, [CTL, *args, "--config", self.config, "--state-dir", self.state]),
                              capture_output=True, text=True, timeout=timeout, env={"PATH": os.environ["PATH"]})

    def invoke(self, payload, timeout=30):
        path = os.path.join(self.dir, f"payload-{time.time_ns()}.json")
        with open(path, "w") as f:
            json.dump(payload, f)
        os.chmod(path, 0o644)
        return self.ctl("invoke", "Warm", "--payload", path, timeout=timeout)

    def attack(self, *args, nofile=None, timeout=120):
        r = subprocess.run(as_user(self.attacker, [sys.executable, ATTACKS, *map(str, args)], nofile=nofile),
                           capture_output=True, text=True, timeout=timeout, env={"PATH": os.environ["PATH"]})
        facts = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
        assert facts, f"the attack printed nothing: {r.stdout}{r.stderr}"
        return facts

    def attack_in_background(self, *args, nofile=None):
        return subprocess.Popen(as_user(self.attacker, [sys.executable, ATTACKS, *map(str, args)], nofile=nofile),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={"PATH": os.environ["PATH"]})

    def warm_records(self):
        try:
            with open(os.path.join(self.out, "Warm")) as f:
                return [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            return []

    def cpu_ticks(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime

    def open_fds(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def scrape(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as r:
            return r.status

    def warm_pids(self):
        pids = set()
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/environ", "rb") as f:
                        env = f.read().split(b"\0")
                except OSError:
                    continue
                if b"STARFLEET_WORKER=Warm" in env and any(e.startswith(b"AWS_LAMBDA_RUNTIME_API=") for e in env):
                    pids.add(int(entry))
        return pids

    def token_of(self, pid):
        with open(f"/proc/{pid}/environ", "rb") as f:
            for entry in f.read().split(b"\0"):
                if entry.startswith(b"AWS_LAMBDA_RUNTIME_API="):
                    return entry.decode().split("/", 1)[1]
        return None

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if os.environ.get("KEEP"):
            print(f"    kept {self.dir}")


def f1_a_spoofed_invoke_runs_nothing(host):
    before = len(host.warm_records())
    for port in (host.invoke_port, host.workers_port):
        facts = host.attack("spoof-invoke", port, "Warm", 40)[0]
        assert facts["succeeded"] == 0, facts
        assert facts["statuses"] == {"None": 40}, facts  # every one closed unanswered, IPv4 and dual-stack alike
    time.sleep(0.5)
    assert len(host.warm_records()) == before, host.warm_records()[before:]
    assert host.invoke({"echo": "operator"}).returncode == 0
    assert host.warm_records()[-1]["event"] == {"echo": "operator"}


def f1_another_user_cannot_reload_a_warm_worker(host):
    """The reload route (`starfleetctl worker reload`) is admitted as an invoke is: plain and spoofed connections of
    another uid, a forged Host, `../` in the name — every one closed unanswered, and no process was replaced."""
    reloads = host.log().count("reload")
    facts = host.attack("reload", host.invoke_port, "Warm", 30)[0]
    # Connections were made and closed unanswered (not merely refused), so the route was really reached for.
    assert facts["succeeded"] == 0 and facts["statuses"].get("None", 0) >= 20, facts
    assert set(facts["statuses"]) <= {"None", "refused", "unbound"}, facts
    time.sleep(0.5)
    assert host.log().count("reload") == reloads, host.log().splitlines()[-5:]
    assert host.invoke({"echo": "after-reload-attack"}).returncode == 0


def f1_an_ipv6_invoke_address_admits_only_the_daemons_user(host):
    """A second daemon of the same user with STARFLEET.InvokeAddress on [::1]: the owner lookup is IPv6's too."""
    with socket.socket(socket.AF_INET6) as s:
        s.bind(("::1", 0))
        port = s.getsockname()[1]
    config = os.path.join(host.dir, "config6")
    state = os.path.join(host.dir, "state6")
    os.makedirs(os.path.join(config, "templates"))
    os.makedirs(state, mode=0o700)
    with open(os.path.join(config, "starfleetd.yaml"), "w") as f:
        f.write(f"""STARFLEET:
  TemplateDirectory: templates
  InvokeAddress: "[::1]:{port}"
Echo:
  Enabled: true
  Command: ["/bin/cat"]
  FanOutStrategy: SINGLE_INVOCATION
  TemplatePrefix: Echo/
  InvocationSources: [S3]
""")
    subprocess.run(["chown", "-R", f"{host.daemon_user.pw_uid}:{host.daemon_user.pw_gid}", config, state], check=True)
    log_path = os.path.join(host.dir, "daemon6.log")
    with open(log_path, "w") as log:
        daemon = subprocess.Popen(as_user(host.daemon_user, [DAEMON, "--config", config, "--state-dir", state]),
                                  stdout=log, stderr=subprocess.STDOUT, env={"PATH": os.environ["PATH"], "HOME": host.dir})
    try:
        wait_for(lambda: "starfleetd started" in open(log_path).read() or daemon.poll() is not None, 30, "the daemon")
        facts = host.attack("plain-invoke", "::1", port, "Echo", 20)[0]
        assert facts["succeeded"] == 0 and set(facts["statuses"]) <= {"None", "refused"}, facts
        mine = subprocess.run(
            as_user(host.daemon_user, [sys.executable, ATTACKS, "plain-invoke", "::1", str(port), "Echo", "1"]),
            capture_output=True, text=True, timeout=30, env={"PATH": os.environ["PATH"]})
        assert json.loads(mine.stdout.splitlines()[-1])["statuses"] == {"200": 1}, mine.stdout + mine.stderr
    finally:
        daemon.terminate()
        daemon.wait(30)


def f2_a_spoofed_runtime_client_takes_nothing(host):
    assert host.invoke({"echo": "warm-up"}).returncode == 0
    pids = host.warm_pids()
    assert pids, "no warm process"
    token = host.token_of(sorted(pids)[0])
    assert token and len(token) == 32, token
    attackers = [host.attack_in_background("spoof-runtime", host.workers_port, 12),
                 host.attack_in_background("spoof-runtime", host.workers_port, 12, token)]
    for i in range(60):
        r = host.invoke({"echo": f"op-{i}"})
        assert r.returncode == 0 and f"op-{i}" in r.stdout, r.stdout + r.stderr
    results = []
    for attacker in attackers:
        out, err = attacker.communicate(timeout=60)
        results += [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert len(results) == 2, results
    for facts in results:
        assert facts["taken"] == 0 and facts["init_errors_accepted"] == 0, facts
    assert sum(f["attempts"] for f in results) > 0, results
    # The second lock alone: the daemon's own user (admitted by the listener) with the process's real token, from a
    # process that is not that warm process. The token names it; the socket is not its: 403.
    own = subprocess.run(as_user(host.daemon_user, [sys.executable, "-c", (
        "import http.client\n"
        f"c = http.client.HTTPConnection('127.0.0.1', {host.workers_port}, timeout=5)\n"
        f"c.request('POST', '/{token}/2018-06-01/runtime/init/error', b'{{}}'); r = c.getresponse(); r.read(); print(r.status)\n"
        f"c.request('GET', '/{token}/2018-06-01/runtime/invocation/next'); r = c.getresponse(); r.read(); print(r.status)\n")]),
        capture_output=True, text=True, timeout=30, env={"PATH": os.environ["PATH"]})
    assert own.stdout.split() == ["403", "403"], own.stdout + own.stderr
    echoed = [r["event"].get("echo") for r in host.warm_records()]
    assert all(f"op-{i}" in echoed for i in range(60)), echoed
    assert "init error" not in host.log() and "Forged" not in host.log()
    assert host.warm_pids() >= pids, "a warm process was killed"


def f3_idle_connections_hold_nothing_the_operator_needs(host):
    holders = [host.attack_in_background("hold", port, 1100, 8, nofile=8192)
               for port in (host.workers_port, host.invoke_port, host.metrics_port, host.console_port)]
    time.sleep(3)  # the attackers' connections are open (or refused) by now
    fds = host.open_fds()
    assert fds < 900, f"the daemon holds {fds} descriptors"
    started = time.time()
    r = host.invoke({"echo": "under-siege"}, timeout=20)
    assert r.returncode == 0 and time.time() - started < 10, r.stdout + r.stderr
    assert host.scrape() == 200
    with open(os.path.join(host.config, "templates", "Audit", "scan.yaml"), "w") as f:
        f.write("TemplateName: Scan\nTemplateDescription: during the siege\nIncludeAccounts:\n  AllAccounts: true\n")
    wait_for(lambda: len(open(os.path.join(host.out, "Audit")).read().splitlines()) >= 3
             if os.path.exists(os.path.join(host.out, "Audit")) else False, 30, "the template's fan-out")
    results = []
    for holder in holders:
        out, _ = holder.communicate(timeout=60)
        results += [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    after = {f["port"]: f for f in results if f.get("phase") == "after"}
    # Another user's connections to the daemon's own APIs are closed as they are accepted; the console's and the
    # metrics' (open to every local user) are capped per user and closed when no request comes.
    for port in (host.workers_port, host.invoke_port, host.metrics_port, host.console_port):
        assert after[port]["still_open"] == 0, (port, after[port])
    assert "EMFILE" not in host.log() and "Too many open files" not in host.log()


def f7_trickled_heads_are_cut_off(host):
    trickles = [host.attack_in_background("trickle", port, 24)
                for port in (host.metrics_port, host.console_port, host.invoke_port)]
    results = []
    for t in trickles:
        out, _ = t.communicate(timeout=60)
        results += [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    limits = {host.metrics_port: 3.5, host.console_port: 6.5, host.invoke_port: 1.5}
    assert sorted(f["port"] for f in results) == sorted(limits), results
    for facts in results:
        assert facts["closed_after"] is not None and facts["closed_after"] <= limits[facts["port"]], facts
    slow = host.attack_in_background("hold", host.metrics_port, 64, 4)  # 32 held, the rest closed at once
    time.sleep(1)
    assert host.scrape() == 200
    slow.communicate(timeout=30)


def f8_an_inflated_socket_table_makes_refusals_no_dearer(host):
    # Two processes of 10,000 sockets each: this sandbox's hard limit on descriptors is 20,000.
    inflaters = [host.attack_in_background("inflate", 5000, 60, nofile=12000) for _ in range(2)]
    ready = [json.loads(inflater.stdout.readline()) for inflater in inflaters][-1]
    with open("/proc/net/tcp") as f:
        ready["table_lines"] = len(f.read().splitlines()) - 1
    assert ready["table_lines"] >= 20000, ready
    lines_before = host.log().count("in the last minute")
    ticks = host.cpu_ticks()
    facts = host.attack("knock", host.workers_port, 1000)[0]
    spent = (host.cpu_ticks() - ticks) / os.sysconf("SC_CLK_TCK")
    assert facts["answered"] == 0 and facts["unreachable"] == 0 and facts["closed"] == 1000, facts
    per_refusal_ms = spent * 1000 / 1000
    print(f"    1,000 refused connections with {ready['table_lines']} socket lines: daemon CPU {spent * 1000:.0f} ms "
          f"({per_refusal_ms:.3f} ms each)")
    assert per_refusal_ms <= 1.0, per_refusal_ms
    assert host.log().count("in the last minute") - lines_before <= 2, host.log()[-2000:]
    started = time.time()
    with urllib.request.urlopen(f"http://127.0.0.1:{host.console_port}/", timeout=5) as r:
        assert r.status == 200
    assert time.time() - started < 0.5
    for inflater in inflaters:
        inflater.kill()
        inflater.wait()


def files_under(*roots):
    found = {}
    for root in roots:
        for directory, _, names in os.walk(root):
            for name in names:
                path = os.path.join(directory, name)
                if "/dead-letter/" not in path and "/history/" not in path and not name.startswith("."):
                    found[path] = os.lstat(path).st_size
    return found


def f4_f5_console_paths_and_hosts(host):
    path = os.path.join(host.dir, "fail.json")
    with open(path, "w") as f:
        json.dump({"TemplateName": "Fail", "TemplateDescription": "fails once, then is a dead letter"}, f)
    os.chmod(path, 0o644)
    r = host.ctl("invoke", "Failing", "--payload", path, "--async")
    assert r.returncode == 0, r.stdout + r.stderr
    wait_for(lambda: os.path.isdir(os.path.join(host.state, "dead-letter", "Failing"))
             and os.listdir(os.path.join(host.state, "dead-letter", "Failing")), 30, "a dead letter")
    before = files_under(host.victim, host.state)
    r = subprocess.run(as_user(host.attacker, [sys.executable, os.path.join(HERE, "security_console_test.py"),
                                               "--daemon-url", f"http://127.0.0.1:{host.console_port}",
                                               "--state", host.state, "--victim", os.path.join(host.victim, "keep.json")]),
                       capture_output=True, text=True, timeout=120, env={"PATH": os.environ["PATH"]})
    assert r.returncode == 0 and "FAIL" not in r.stdout, r.stdout + r.stderr
    assert r.stdout.count("ok:") >= 20, r.stdout
    print(f"    the console attacks: {r.stdout.count('ok:')} refused as they should be")
    after = files_under(host.victim, host.state)
    lost = sorted(set(before) - set(after))
    assert not lost, f"deleted: {lost}"
    assert os.path.exists(os.path.join(host.victim, "keep.json"))
    letters = os.listdir(os.path.join(host.state, "dead-letter", "Failing"))
    assert letters, "the real dead letter is gone"


def f6_a_disabled_workers_secret_is_in_no_file(host):
    runtime = os.path.join(host.state, "run")
    secret = host.secret.encode()

    def holders():
        found = []
        for directory, _, names in os.walk(runtime):
            for name in names:
                path = os.path.join(directory, name)
                if os.path.isfile(path) and not os.path.islink(path):
                    with open(path, "rb") as f:
                        if secret in f.read():
                            found.append(path)
        return found

    assert holders(), "the running worker's secrets file should hold its credential"
    host.secrets_seen = True
    host.secretive_disabled = True
    host.write_config()
    reloads = host.log().count("configuration reloaded")
    host.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: host.log().count("configuration reloaded") > reloads, 30, "the reload")
    assert not holders(), holders()


def f9_a_directory_another_user_made_is_refused(host):
    # A shared, sticky, world-writable folder, as /tmp is: where a state directory may be made by whoever comes first.
    shared = os.path.join(host.dir, "shared")
    os.makedirs(shared, exist_ok=True)
    os.chmod(shared, 0o1777)
    planted = os.path.join(shared, "planted-state")
    helper = os.path.join(HERE, "security_files_test.py")
    r = subprocess.run(as_user(host.attacker, [sys.executable, helper, "precreate-state", planted]),
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
    # An attacker's link to a directory the daemon's own user owns: the target would pass, the link's owner must not.
    target = os.path.join(host.dir, "daemons-own")
    os.makedirs(target, mode=0o700)
    os.chown(target, host.daemon_user.pw_uid, host.daemon_user.pw_gid)
    link = os.path.join(shared, "linked-state")
    r = subprocess.run(as_user(host.attacker, [sys.executable, helper, "plant-link", link, target]),
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and os.path.islink(link), r.stdout + r.stderr
    for state in (planted, link):
        daemon = as_user(host.daemon_user, [DAEMON, "--config", host.config, "--state-dir", state])
        r = subprocess.run([sys.executable, helper, "expect-refused", state, "--", *daemon],
                           capture_output=True, text=True, timeout=60, env={**os.environ, "TIMEOUT": "20"})
        assert r.returncode == 0, r.stdout + r.stderr


def item8_missing_runtime_clients_are_named(host):
    lonely = tempfile.mkdtemp(prefix="sfd-lonely-")
    try:
        binary = os.path.join(lonely, "bin", "starfleetctl")
        os.makedirs(os.path.dirname(binary))
        shutil.copy(CTL, binary)
        env = {k: v for k, v in os.environ.items() if k != "STARFLEET_RUNTIMES_DIR"}
        r = subprocess.run([binary, "validate", "--config", host.config], capture_output=True, text=True, timeout=60,
                           env=env)
        assert r.returncode == 78, r.stdout + r.stderr
        assert "Warm.Runtime" in r.stdout + r.stderr and "runtime client" in r.stdout + r.stderr, r.stdout + r.stderr
    finally:
        shutil.rmtree(lonely, ignore_errors=True)


CHECKS = [f1_a_spoofed_invoke_runs_nothing, f1_another_user_cannot_reload_a_warm_worker, f1_an_ipv6_invoke_address_admits_only_the_daemons_user,
          f2_a_spoofed_runtime_client_takes_nothing,
          f3_idle_connections_hold_nothing_the_operator_needs, f7_trickled_heads_are_cut_off,
          f8_an_inflated_socket_table_makes_refusals_no_dearer, f4_f5_console_paths_and_hosts,
          f6_a_disabled_workers_secret_is_in_no_file, f9_a_directory_another_user_made_is_refused,
          item8_missing_runtime_clients_are_named]


def main():
    if not shutil.which("setpriv") or not shutil.which("useradd") or os.geteuid() != 0:
        print("SKIPPED: the attacks need root, useradd and setpriv to act as a second local user")
        return 0
    selected = sys.argv[1:]
    passed = failed = 0
    host = Host()
    try:
        host.start()
        for check in CHECKS:
            if selected and not any(s in check.__name__ for s in selected):
                continue
            started = time.time()
            try:
                check(host)
                passed += 1
                print(f"ok   {check.__name__} ({time.time() - started:.1f}s)", flush=True)
            except Exception:
                failed += 1
                print(f"FAIL {check.__name__} ({time.time() - started:.1f}s)\n{traceback.format_exc()}", flush=True)
                print("    daemon log tail:\n" + "\n".join(host.log().splitlines()[-15:]))
    except Exception:
        failed += 1
        print(f"FAIL setting up the daemon\n{traceback.format_exc()}\n{host.log()[-3000:]}")
    finally:
        host.close()
    # F6 after the stop: no worker's files are left in <state>/run (not systemd's RuntimeDirectory here).
    if not selected or any(s in "f6_after_stop" for s in selected):
        leftover = [os.path.join(d, n) for d, _, names in os.walk(os.path.join(host.state, "run", "workers")) for n in names]
        if not host.secrets_seen:
            failed += 1
            print("FAIL f6_after_stop: the workers' secrets files were never seen, so their absence proves nothing")
        elif leftover:
            failed += 1
            print(f"FAIL f6_after_stop: {leftover}")
        else:
            passed += 1
            print("ok   f6_after_stop")
        shutil.rmtree(host.dir, ignore_errors=True)
    print(f"security: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
