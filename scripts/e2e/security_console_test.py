#!/usr/bin/env python3
"""Attacks on the web console by another local user (issue 20, F4 and F5), for scripts/e2e/security.sh.

The harness starts starfleetd as one uid with STARFLEET.ConsoleAddress on loopback TCP, plants victim files, and runs
this script as another uid (`setpriv --reuid=U --regid=G --clear-groups`). Any local user can open a loopback console
and read its token (the documented model: docs/operations.md, "Web console"), so the script does that first, then:

- F4, path traversal in dead-letter operations: purges and redrives naming `../../victim` as the worker and
  `../scheduler` as a letter, and a listing of `../../victim`; each must be refused with 400 and nothing touched.
- F5, DNS rebinding: pages asked for with a Host that is not the console's (a rebinding name, another port, none)
  must get 421 (or 403) with no page and no token; a POST with such a Host and an Origin matching it, carrying the
  real token, must be refused.

Usage: security_console_test.py --daemon-url http://127.0.0.1:PORT [--state DIR] [--victim PATH ...] [--wait S]

The token is on the dead-letter page only while a dead letter exists: the harness should run a worker that fails
(MaxReceiveCount: 1) before or while this runs; the script waits up to --wait seconds for one.

One line per check, `ok: ...` or `FAIL: ...` (`skip: ...` where this uid cannot see a victim; the harness checks
those itself); exits 1 when any check failed. Python 3 standard library only; nothing else of the harness is needed.
"""
import argparse
import http.client
import os
import re
import socket
import sys
import time
import urllib.parse

REBIND = "rebind.attacker.example"
# A letter with valid names that does not exist: if a forged-Host post were let through it would answer "0 purged"
# (and nothing would be lost), so a refusal can only come from the Host check.
HARMLESS_LETTER = "Starbase/00000000-0000-0000-0000-000000000000"


class Checks:
    def __init__(self):
        self.failed = 0

    def ok(self, what):
        print(f"ok: {what}", flush=True)

    def fail(self, what):
        self.failed += 1
        print(f"FAIL: {what}", flush=True)

    def check(self, condition, what, detail=""):
        if condition:
            self.ok(what)
        else:
            self.fail(f"{what}{': ' + detail if detail else ''}")
        return condition


class Console:
    """Raw requests to the console, with whatever Host (or none) the attack needs."""

    def __init__(self, url):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme != "http" or not parsed.hostname or not parsed.port:
            raise SystemExit(f"--daemon-url must be http://HOST:PORT, not {url}")
        self.host, self.port = parsed.hostname, parsed.port
        # The Host a browser sends for this URL: what the console must answer.
        self.own_host = parsed.netloc

    def request(self, method, path, host=None, body=None, headers=None):
        """(status, body text); `host` None sends the console's own Host."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            connection.putheader("Host", host if host is not None else self.own_host)
            for name, value in (headers or {}).items():
                connection.putheader(name, value)
            data = body.encode() if body is not None else None
            if data is not None:
                connection.putheader("Content-Type", "application/x-www-form-urlencoded")
                connection.putheader("Content-Length", str(len(data)))
            connection.endheaders(data)
            response = connection.getresponse()
            return response.status, response.read().decode(errors="replace")
        finally:
            connection.close()

    def request_without_host(self, path):
        """HTTP/1.0 allows a request without Host; the console must still refuse it. (status, body)."""
        with socket.create_connection((self.host, self.port), timeout=10) as s:
            s.sendall(f"GET {path} HTTP/1.0\r\n\r\n".encode())
            # Read by Content-Length, not to EOF: the server may keep the connection open.
            raw = b""
            while b"\r\n\r\n" not in raw:
                chunk = s.recv(65536)
                if not chunk:
                    break
                raw += chunk
            head, _, body = raw.partition(b"\r\n\r\n")
            length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            while length and len(body) < int(length.group(1)):
                chunk = s.recv(65536)
                if not chunk:
                    break
                body += chunk
        match = re.match(rb"HTTP/\d\.\d (\d{3})", head)
        return (int(match.group(1)) if match else 0), body.decode(errors="replace")


def find_token(page):
    match = re.search(r'name="token" value="([^"]+)"', page)
    return match.group(1) if match else None


def leaks(body, token):
    """Whether a refusal's body shows any of the console: its token, its form field, an HTML page."""
    return (token is not None and token in body) or 'name="token"' in body or "<html" in body.lower()


def attack_traversal(c, console, token):
    """F4: every form of the reported traversal, with a valid token, must get 400 and do nothing."""
    form = lambda **fields: urllib.parse.urlencode({"token": token or "none", **fields})  # noqa: E731
    same_origin = {"Origin": f"http://{console.own_host}", "Sec-Fetch-Site": "same-origin"}
    attacks = [
        ("purge all of worker ../../victim", "/dead-letters/purge", form(all="1", worker="../../victim")),
        ("purge letter ../scheduler", "/dead-letters/purge", form(letter="../scheduler")),
        ("purge letter Starbase/../../scheduler", "/dead-letters/purge", form(letter="Starbase/../../scheduler")),
        ("redrive all of worker ../../victim", "/dead-letters/redrive", form(all="1", worker="../../victim")),
        ("redrive letter ../scheduler", "/dead-letters/redrive", form(letter="../scheduler")),
        ("confirm purge-all of worker ../../victim", "/dead-letters/confirm",
         form(action="purge-all", worker="../../victim")),
    ]
    for what, path, body in attacks:
        for label, headers in (("like curl", {}), ("like a browser", same_origin)):
            status, text = console.request("POST", path, body=body, headers=headers)
            c.check(status == 400 and "purged" not in text and "redriven" not in text,
                    f"F4 {what} ({label}) refused with 400", f"got {status}: {text[:200]!r}")
    status, text = console.request("GET", "/dead-letters?worker=..%2F..%2Fvictim")
    c.check(status == 400, "F4 listing dead letters of worker ../../victim refused with 400", f"got {status}")
    status, text = console.request("GET", "/dead-letters/..%2F..%2Fvictim/a")
    c.check(status in (400, 404), "F4 showing letter a of worker ../../victim refused", f"got {status}")


def attack_rebinding(c, console, token):
    """F5: a Host other than the console's gets no page and no token, and its posts are refused."""
    other_port = console.port + 1 if console.port < 65535 else console.port - 1
    forged = [f"{REBIND}:{console.port}", REBIND, f"{REBIND.upper()}.:{console.port}",
              f"{console.host}:{other_port}", f"{console.host}.{REBIND}:{console.port}"]
    for host in forged:
        for path in ("/", "/dead-letters"):
            status, body = console.request("GET", path, host=host)
            c.check(status in (421, 403) and not leaks(body, token),
                    f"F5 GET {path} with Host {host} refused without a page or token",
                    f"got {status}: {body[:200]!r}")
    status, body = console.request_without_host("/dead-letters")
    c.check(status in (421, 403, 400) and not leaks(body, token), "F5 GET /dead-letters without a Host refused",
            f"got {status}: {body[:200]!r}")
    for path, fields in (("/dead-letters/purge", {"letter": HARMLESS_LETTER}),
                         ("/dead-letters/redrive", {"letter": HARMLESS_LETTER})):
        host = f"{REBIND}:{console.port}"
        body = urllib.parse.urlencode({"token": token or "none", **fields})
        # What the rebinding page's own script sends: same-origin with itself, so Origin matches the forged Host.
        status, text = console.request("POST", path, host=host, body=body,
                                       headers={"Origin": f"http://{host}", "Sec-Fetch-Site": "same-origin"})
        c.check(status in (421, 403) and "purged" not in text and "redriven" not in text,
                f"F5 POST {path} with Host and Origin {host} and the real token refused", f"got {status}: {text[:200]!r}")
    # The console's own Host with a rebinding Origin: a cross-origin post, refused by the Origin check.
    body = urllib.parse.urlencode({"token": token or "none", "letter": HARMLESS_LETTER})
    status, text = console.request("POST", "/dead-letters/purge", body=body,
                                   headers={"Origin": f"http://{REBIND}:{console.port}"})
    c.check(status == 403 and "purged" not in text, "F5 POST with the console's Host and a rebinding Origin refused",
            f"got {status}: {text[:200]!r}")


def visible(path):
    """True/False when this uid can tell whether `path` exists; None when it cannot (a folder it may not search)."""
    try:
        os.stat(path)
        return True
    except FileNotFoundError:
        return False
    except PermissionError:
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--daemon-url", required=True, help="the console, http://127.0.0.1:PORT")
    parser.add_argument("--state", help="the daemon's state directory (its scheduler.json is a victim if visible)")
    parser.add_argument("--victim", action="append", default=[], help="a file the attacks must not delete")
    parser.add_argument("--wait", type=float, default=30,
                        help="seconds to wait for a dead letter, whose page carries the token (default 30)")
    args = parser.parse_args()
    c = Checks()
    console = Console(args.daemon_url)
    victims = list(args.victim)
    if args.state:
        victims.append(os.path.join(args.state, "scheduler.json"))
    before = {path: visible(path) for path in victims}

    # The documented model: any local user who can open the console can read its token. The dead-letter page carries
    # it once there is a dead letter (the harness makes one: a failing worker), so wait for that a while.
    token, status, deadline = None, 0, time.monotonic() + args.wait
    try:
        while True:
            status, page = console.request("GET", "/dead-letters")
            token = find_token(page) if status == 200 else None
            if token or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    except OSError as error:
        c.fail(f"the console at {args.daemon_url} cannot be reached: {error}")
        return 1
    c.check(token is not None, f"the console answers its own Host ({console.own_host}) with a page and token",
            f"got {status}" + ("" if status != 200 else
                               f"; no token after {args.wait:g} s: the page has one only when a dead letter exists"))

    for name, attack in (("F4", attack_traversal), ("F5", attack_rebinding)):
        try:
            attack(c, console, token)
        except (OSError, http.client.HTTPException) as error:
            c.fail(f"{name} attacks stopped: {error}")

    for path in victims:
        was, now = before[path], visible(path)
        if was is None or now is None:
            print(f"skip: {path} is not visible to this uid; the harness checks it", flush=True)
        elif was:
            c.check(now, f"victim {path} still exists")
        elif path in args.victim:
            c.fail(f"victim {path} did not exist before the attacks")
    print(f"security-console: {c.failed} failed", flush=True)
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
