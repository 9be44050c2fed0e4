import StarfleetTestSupport

/// The fault-injecting HTTP server the HTTP and credentials tests talk to (Python's http.server, threaded).
/// It prints its port on the first line of stdout. Routes, where `<k>` is a key the test picks so counters do
/// not collide between tests:
///   /status/<code>/<k>          always answers <code>
///   /flaky/<n>/<k>              503 for the first n requests, then 200 "ok"
///   /slowdown/<k>               503 with S3's SlowDown XML, always
///   /reqtimeout/<n>/<k>         400 with S3's RequestTimeout XML n times, then 200 "ok"
///   /hang                       sleeps 5 s before answering
///   /hold/<k>                   counted, then sleeps 20 s before answering (a long poll that finds nothing)
///   /truncate                   promises 1000 bytes, sends 10, closes
///   /big                        200,000 bytes
///   /count/<k>                  how many requests /…/<k> has seen
///   /echo                       method, headers and body as JSON
///   /latest/api/token           IMDSv2 token (PUT, needs the TTL header)
///   /latest/meta-data/iam/security-credentials/[role-a]   IMDS role and credentials (need the token)
///   /container/creds            container credentials (need Authorization: container-secret)
let faultServerScript = #"""
    import http.server, json, socketserver, sys, threading, time, collections
    counts = collections.Counter()
    lock = threading.Lock()
    def hit(key):
        with lock:
            counts[key] += 1
            return counts[key]
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *a): pass
        def send(self, code, body=b"", ctype="text/plain", extra=()):
            if isinstance(body, str): body = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in extra: self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
        def body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""
        def do_PUT(self): self.route("PUT")
        def do_POST(self): self.route("POST")
        def do_GET(self): self.route("GET")
        def do_DELETE(self): self.route("DELETE")
        def route(self, method):
            body = self.body()
            p = self.path.split("?")[0].split("/")[1:]
            if p[0] in ("status", "flaky", "slowdown", "reqtimeout", "hold"): n = hit(p[-1])
            if p[0] == "status": return self.send(int(p[1]), "status %s" % p[1])
            if p[0] == "flaky": return self.send(503, "busy") if n <= int(p[1]) else self.send(200, "ok")
            if p[0] == "slowdown":
                return self.send(503, "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>", "application/xml")
            if p[0] == "reqtimeout":
                if n <= int(p[1]):
                    return self.send(400, "<Error><Code>RequestTimeout</Code><Message>Idle too long.</Message></Error>", "application/xml")
                return self.send(200, "ok")
            if p[0] == "hold":
                time.sleep(20); return self.send(200, "nothing")
            if p[0] == "hang":
                time.sleep(5); return self.send(200, "late")
            if p[0] == "truncate":
                self.send_response(200); self.send_header("Content-Length", "1000"); self.end_headers()
                self.wfile.write(b"0123456789"); self.wfile.flush()
                self.close_connection = True
                import socket
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if p[0] == "big": return self.send(200, b"x" * 200000)
            if p[0] == "count": return self.send(200, str(counts[p[1]]))
            if p[0] == "echo":
                return self.send(200, json.dumps({"method": method, "path": self.path, "headers": dict(self.headers.items()), "body": body.decode("utf-8", "replace")}), "application/json")
            if self.path == "/latest/api/token" and method == "PUT":
                if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"): return self.send(400, "missing ttl")
                return self.send(200, "imds-token")
            if self.path.startswith("/latest/meta-data/iam/security-credentials/"):
                if self.headers.get("X-aws-ec2-metadata-token") != "imds-token": return self.send(401, "no token")
                role = self.path.rsplit("/", 1)[1]
                if role == "": return self.send(200, "role-a")
                n = hit("imds-creds")
                return self.send(200, json.dumps({"Code": "Success", "AccessKeyId": "IMDSKEY%d" % n, "SecretAccessKey": "imds-secret",
                    "Token": "imds-session", "Expiration": "2026-01-01T06:00:00Z"}), "application/json")
            if self.path == "/container/creds":
                if self.headers.get("Authorization") != "container-secret": return self.send(403, "bad auth")
                return self.send(200, json.dumps({"AccessKeyId": "CONTAINERKEY", "SecretAccessKey": "container-secret-key",
                    "Token": "container-session", "Expiration": "2026-01-01T06:00:00Z"}), "application/json")
            self.send(404, "no route")
    class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        allow_reuse_address = True
    s = S(("127.0.0.1", 0), H)
    print(s.server_address[1], flush=True)
    s.serve_forever()
    """#

extension TestServer {
    /// Runs `body` with the fault server above, then stops it.
    static func withFaultServer<T>(_ body: (TestServer) async throws -> T) async throws -> T {
        try await withFaultServer(script: faultServerScript, body)
    }
}
