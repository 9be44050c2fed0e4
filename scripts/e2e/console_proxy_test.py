#!/usr/bin/env python3
"""The console behind a reverse proxy, as docs/operations.md sets it up: the built starfleetd serves
STARFLEET.ConsoleAddress on a Unix socket, a real nginx (Debian's nginx-light, its own prefix and a free port, not the
system's) authenticates with basic auth and proxies to the socket with `proxy_set_header Host $http_host`. Checked: the
socket is 0600, nobody gets in without the password, the console's pages come through, a request whose Host is not
the name listed in STARFLEET.ConsoleHostNames gets 421 and no page (DNS rebinding through the proxy), a form posted
through the proxy with the console's token and the browser's same-origin headers is accepted (a dead letter is
purged), and the same post from another origin is refused.

Run by scripts/e2e/console-proxy.sh. The last line is "console-proxy: N passed, M failed".
"""
import base64
import glob
import html
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_test import run_with_fixture, wait_for  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DAEMON = os.path.join(ROOT, ".build", "debug", "starfleetd")
USER, PASSWORD = "alice", "correct horse battery staple"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proxied:
    """starfleetd with a failing worker on a Unix-socket console, and nginx in front of it."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="sfd-console-proxy-")
        config = os.path.join(self.dir, "config")
        os.makedirs(os.path.join(config, "templates", "Fails"))
        self.state = os.path.join(self.dir, "state")
        self.socket = os.path.join(self.dir, "console.sock")
        # The proxy's port is chosen first: the name the browser uses, 127.0.0.1 on it, is the one name listed.
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        with open(os.path.join(config, "starfleetd.yaml"), "w") as f:
            f.write(f"""STARFLEET:
  TemplateDirectory: templates
  ConsoleAddress: unix:{self.socket}
  ConsoleHostNames: ["127.0.0.1:{self.port}"]
Fails:
  Enabled: true
  Command: ["/bin/sh", "-c", "cat > /dev/null; echo no such bucket >&2; exit 3"]
  FanOutStrategy: SINGLE_INVOCATION
  TemplatePrefix: Fails/
  InvocationSources: [S3]
  MaxReceiveCount: 1
""")
        self.log_path = os.path.join(self.dir, "daemon.log")
        self.log = open(self.log_path, "a")
        self.daemon = subprocess.Popen([DAEMON, "--config", config, "--state-dir", self.state],
                                       stdout=self.log, stderr=subprocess.STDOUT)
        self.nginx = None
        wait_for(lambda: os.path.exists(self.socket) or self.daemon.poll() is not None, 20, "the console's socket")
        assert self.daemon.poll() is None, f"daemon exited early:\n{self.read_log()}"
        with open(os.path.join(config, "templates", "Fails", "one.yaml"), "w") as f:
            f.write("TemplateName: one\nTemplateDescription: fails once\n")
        self.start_nginx()

    def start_nginx(self):
        prefix = os.path.join(self.dir, "nginx")
        os.makedirs(os.path.join(prefix, "logs"))
        hashed = subprocess.run(["openssl", "passwd", "-apr1", PASSWORD], check=True, capture_output=True,
                                text=True).stdout.strip()
        with open(os.path.join(prefix, "htpasswd"), "w") as f:
            f.write(f"{USER}:{hashed}\n")
        # The server block is docs/operations.md's, on a free port without TLS; the rest is what a prefix needs. The
        # workers run as this user (as root nginx would drop to nobody, who may not open the 0600 socket: the
        # setfacl step in docs/operations.md).
        with open(os.path.join(prefix, "nginx.conf"), "w") as f:
            f.write(f"""user {pwd.getpwuid(os.getuid()).pw_name};
worker_processes 1;
error_log {prefix}/logs/error.log;
pid {prefix}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log {prefix}/logs/access.log;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{self.port};
        auth_basic "starfleetd";
        auth_basic_user_file {prefix}/htpasswd;
        location / {{
            proxy_pass http://unix:{self.socket}:;
            proxy_set_header Host $http_host;
            proxy_buffering off;
        }}
    }}
}}
""")
        self.nginx = subprocess.Popen(["nginx", "-p", prefix, "-c", os.path.join(prefix, "nginx.conf"),
                                       "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

        def listening():
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return True
            except OSError:
                assert self.nginx.poll() is None, f"nginx exited: {self.nginx.stderr.read().decode()}"
                return False
        wait_for(listening, 10, "nginx to listen")

    def read_log(self):
        with open(self.log_path) as f:
            return f.read()

    def request(self, path, data=None, headers=None, auth=True):
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {},
                                         method="POST" if data is not None else "GET")
        if auth:
            token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace")

    def close(self):
        for proc in (self.nginx, self.daemon):
            if proc and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def test_the_socket_is_for_the_daemons_user_only(p):
    mode = stat.S_IMODE(os.stat(p.socket).st_mode)
    assert mode == 0o600, oct(mode)


def test_nobody_gets_in_without_the_password(p):
    status, _ = p.request("/", auth=False)
    assert status == 401, status
    status, _ = p.request("/dead-letters/purge", data=b"token=x", auth=False)
    assert status == 401, status


def test_the_pages_come_through_the_proxy(p):
    status, body = p.request("/")
    assert status == 200 and "Fails" in body and 'id="workers"' in body, (status, body[:500])
    status, css = p.request("/assets/console.css")
    assert status == 200 and "font" in css, status


def test_a_host_the_console_does_not_answer_gets_421_and_no_page(p):
    # nginx passes the browser's Host on ($http_host): a rebinding name, or the right name on another port.
    for host in ("rebind.attacker.example", f"rebind.attacker.example:{p.port}", f"127.0.0.1:{p.port + 1}"):
        status, body = p.request("/dead-letters", headers={"Host": host})
        assert status == 421, (host, status)
        assert "token" not in body and "<html" not in body.lower(), (host, body[:300])
    status, _ = p.request("/", headers={"Host": f"127.0.0.1:{p.port}"})
    assert status == 200, status


def test_a_same_origin_post_through_the_proxy_is_accepted_and_another_origin_refused(p):
    wait_for(lambda: glob.glob(f"{p.state}/dead-letter/Fails/*.json"), 30, "the dead letter")
    status, page = p.request("/dead-letters?worker=Fails")
    assert status == 200, status
    token = html.unescape(re.search(r'name="token" value="([^"]+)"', page).group(1))
    letter = html.unescape(re.search(r'name="letter" value="([^"]+)"', page).group(1))
    form = urllib.parse.urlencode({"token": token, "letter": letter}).encode()
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    # What a browser on another site sends: refused even with the token, and the letter stays.
    status, _ = p.request("/dead-letters/purge", data=form,
                          headers={**form_type, "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
    assert status == 403, status
    assert len(glob.glob(f"{p.state}/dead-letter/Fails/*.json")) == 1
    # What the operator's browser sends from the console's own page behind the proxy: the Origin names the proxy's
    # host and port, which `Host $http_host` passes on.
    status, body = p.request("/dead-letters/purge", data=form,
                             headers={**form_type, "Origin": p.base, "Sec-Fetch-Site": "same-origin"})
    assert status == 200 and "1 dead letter(s) purged" in body, (status, body[:800])
    assert glob.glob(f"{p.state}/dead-letter/Fails/*.json") == []


def main():
    return run_with_fixture("console-proxy", Proxied, [
        test_the_socket_is_for_the_daemons_user_only, test_nobody_gets_in_without_the_password,
        test_the_pages_come_through_the_proxy, test_a_host_the_console_does_not_answer_gets_421_and_no_page,
        test_a_same_origin_post_through_the_proxy_is_accepted_and_another_origin_refused])


if __name__ == "__main__":
    sys.exit(main())
