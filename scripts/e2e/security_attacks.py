#!/usr/bin/env python3
"""What another local user tries against a running starfleetd (issue 20, F1-F3, F7, F8). scripts/e2e/security_test.py
runs each case as a second uid (setpriv); every case prints one JSON line of what it achieved and never decides
pass or fail itself. Stdlib only; every loop is bounded in count and time, and traffic goes to 127.0.0.0/8 only.

  spoof-invoke PORT WORKER TRIES       bind 127.0.0.X:PORT (or ::ffff:127.0.0.X on an IPv6 socket), connect to
                                       127.0.0.1:PORT, invoke WORKER with commit on
  plain-invoke HOST PORT WORKER TRIES  connect to HOST:PORT as this user (IPv6 ::1) and invoke WORKER
  spoof-runtime PORT SECONDS [TOKEN]   for SECONDS: take each client port W of PORT's connections from /proc/net/tcp,
                                       bind 127.0.0.X:W, connect, ask for an invocation (with TOKEN if given) and post
                                       an init error
  hold PORT COUNT SECONDS              open COUNT connections that send nothing; after SECONDS, count those still open
  trickle PORT SECONDS                 send a request head one byte a second; when did the server close?
  inflate COUNT SECONDS                COUNT loopback connections of our own held for SECONDS (the socket table grows)
  knock PORT COUNT                     COUNT connections that are refused at once, as fast as they go
"""
import json
import random
import socket
import sys
import time


def say(**facts):
    print(json.dumps(facts), flush=True)


def request(method, path, body=b"", headers=None):
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n"
    for name, value in (headers or {}).items():
        head += f"{name}: {value}\r\n"
    return head.encode() + b"\r\n" + body


def exchange(sock, data, timeout=3):
    """Sends `data`; returns the status code answered, or None when the server closed without answering."""
    sock.settimeout(timeout)
    try:
        sock.sendall(data)
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                return None
            answer += chunk
        return int(answer.split()[1])
    except (ConnectionError, socket.timeout, OSError):
        return None


def spoofed(port, local_port, tries=20, dual_stack=False):
    """A socket bound to 127.0.0.X:local_port (X ≠ 1) and connected to 127.0.0.1:port, or None. `dual_stack`: an IPv6
    socket with v4-mapped addresses (::ffff:127.0.0.X), which the kernel lists in tcp6."""
    for _ in range(tries):
        s = socket.socket(socket.AF_INET6 if dual_stack else socket.AF_INET)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        prefix = "::ffff:" if dual_stack else ""
        try:
            s.bind((f"{prefix}127.0.0.{random.randint(2, 254)}", local_port))
            s.connect((f"{prefix}127.0.0.1", port))
            return s
        except OSError:
            s.close()
    return None


def plain_invoke(host, port, worker, tries):
    """Plain connections to HOST (e.g. ::1, where no other loopback address can be bound): invoke with commit on."""
    statuses = {}
    for _ in range(tries):
        try:
            s = socket.create_connection((host, port), timeout=3)
        except OSError:
            statuses["refused"] = statuses.get("refused", 0) + 1
            continue
        status = exchange(s, request("POST", f"/2015-03-31/functions/{worker}/invocations", b"{}"))
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        s.close()
    say(case="plain-invoke", statuses=statuses, succeeded=statuses.get("200", 0) + statuses.get("202", 0))


def spoof_invoke(port, worker, tries):
    import base64
    context = base64.b64encode(json.dumps({"custom": {"StarfleetCommit": "true"}}).encode()).decode()
    body = json.dumps({"attacker": True}).encode()
    statuses = {}
    for attempt in range(tries):
        s = spoofed(port, port, dual_stack=attempt % 2 == 1)
        if s is None:
            statuses["unbound"] = statuses.get("unbound", 0) + 1
            continue
        status = exchange(s, request("POST", f"/2015-03-31/functions/{worker}/invocations", body,
                                     {"X-Amz-Client-Context": context}))
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        s.close()
    say(case="spoof-invoke", statuses=statuses, succeeded=statuses.get("200", 0) + statuses.get("202", 0))


def reload_worker(port, worker, tries):
    """`starfleetctl worker reload`'s route, from plain and from spoofed connections, with a forged Host and with `../`
    in the name: none may reload anything."""
    statuses = {}
    paths = [f"/starfleet/workers/{worker}/reload", "/starfleet/workers/..%2F..%2Fetc/reload",
             f"/starfleet/workers/{worker}%2F..%2F{worker}/reload"]
    for attempt in range(tries):
        s = spoofed(port, port, dual_stack=attempt % 2 == 1) if attempt % 3 else None
        if s is None:
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=3)
            except OSError:
                statuses["refused"] = statuses.get("refused", 0) + 1
                continue
        path = paths[attempt % len(paths)]
        status = exchange(s, request("POST", path, b"", {"Host": "starfleet.example.com"}))
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        s.close()
    say(case="reload", statuses=statuses, succeeded=statuses.get("202", 0))


def client_ports(port):
    """The client ports of every connection to 127.0.0.1:port, from the socket table any user can read."""
    target = "0100007F:%04X" % port
    ports = set()
    with open("/proc/net/tcp") as f:
        for line in f.read().splitlines()[1:]:
            fields = line.split()
            if len(fields) > 3 and fields[2] == target and fields[3] == "01":
                ports.add(int(fields[1].split(":")[1], 16))
    return ports


def spoof_runtime(port, seconds, token=None):
    prefix = f"/{token}" if token else ""
    attempts = answered = taken = 0
    statuses = {}
    deadline = time.time() + seconds
    while time.time() < deadline:
        for w in client_ports(port):
            s = spoofed(port, w, tries=3)
            if s is None:
                continue
            attempts += 1
            status = exchange(s, request("GET", f"{prefix}/2018-06-01/runtime/invocation/next"), timeout=1)
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            if status == 200:
                taken += 1
            s.close()
            s = spoofed(port, w, tries=3)
            if s is not None:
                status = exchange(s, request("POST", f"{prefix}/2018-06-01/runtime/init/error",
                                             b'{"errorMessage": "forged", "errorType": "Forged"}'), timeout=1)
                if status == 202:
                    answered += 1
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                s.close()
        time.sleep(0.01)
    say(case="spoof-runtime", attempts=attempts, taken=taken, init_errors_accepted=answered, statuses=statuses)


def hold(port, count, seconds):
    held = []
    refused = 0
    for _ in range(count):
        s = socket.socket()
        try:
            s.connect(("127.0.0.1", port))
            held.append(s)
        except OSError:
            refused += 1
            s.close()
    say(case="hold", phase="opened", port=port, opened=len(held), refused=refused)
    time.sleep(seconds)
    still_open = 0
    for s in held:
        s.setblocking(False)
        try:
            data = s.recv(1)
            if data:
                still_open += 1
        except BlockingIOError:
            still_open += 1
        except OSError:
            pass
    say(case="hold", phase="after", port=port, opened=len(held), still_open=still_open, seconds=seconds)
    for s in held:
        s.close()


def trickle(port, seconds):
    s = socket.create_connection(("127.0.0.1", port))
    data = b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 64
    started = time.time()
    closed_after = None
    for i in range(seconds):
        try:
            s.sendall(data[i:i + 1] if i < len(data) else b"a")
            s.setblocking(False)
            try:
                if s.recv(1) == b"":
                    closed_after = time.time() - started
                    break
            except BlockingIOError:
                pass
            s.setblocking(True)
        except OSError:
            closed_after = time.time() - started
            break
        time.sleep(1)
    say(case="trickle", port=port, closed_after=closed_after, seconds=seconds)


def inflate(count, seconds):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    port = listener.getsockname()[1]
    ends = []
    for _ in range(count):
        c = socket.create_connection(("127.0.0.1", port))
        a, _ = listener.accept()
        ends += [c, a]
    with open("/proc/net/tcp") as f:
        lines = len(f.read().splitlines()) - 1
    say(case="inflate", phase="ready", sockets=len(ends), table_lines=lines)
    time.sleep(seconds)
    for s in ends:
        s.close()


def knock(port, count):
    """Connections that the listener accepts and closes at once: `closed` counts those, `unreachable` those whose
    connect itself failed (a listener that is down must not pass for one that refuses)."""
    closed = answered = unreachable = 0
    for _ in range(count):
        s = socket.socket()
        try:
            s.connect(("127.0.0.1", port))
        except OSError:
            unreachable += 1
            s.close()
            continue
        try:
            s.settimeout(2)
            if s.recv(1) == b"":
                closed += 1
            else:
                answered += 1
        except OSError:
            closed += 1
        finally:
            s.close()
    say(case="knock", port=port, closed=closed, answered=answered, unreachable=unreachable)


if __name__ == "__main__":
    case, args = sys.argv[1], sys.argv[2:]
    if case == "spoof-invoke":
        spoof_invoke(int(args[0]), args[1], int(args[2]))
    elif case == "reload":
        reload_worker(int(args[0]), args[1], int(args[2]))
    elif case == "plain-invoke":
        plain_invoke(args[0], int(args[1]), args[2], int(args[3]))
    elif case == "spoof-runtime":
        spoof_runtime(int(args[0]), float(args[1]), args[2] if len(args) > 2 else None)
    elif case == "hold":
        hold(int(args[0]), int(args[1]), float(args[2]))
    elif case == "trickle":
        trickle(int(args[0]), int(args[1]))
    elif case == "inflate":
        inflate(int(args[0]), float(args[1]))
    elif case == "knock":
        knock(int(args[0]), int(args[1]))
    else:
        sys.exit(f"unknown case {case}")
