"""A stand-in for api.github.com, as much of it as Starfleet's GitHubSyncWorkerShip uses: a GitHub App's installation
token and a repository's zipball. It listens with TLS (a certificate for api.github.com from the test's CA) on
127.0.0.1; the ship reaches it through the test's CONNECT proxy, as it would reach GitHub.

It checks what GitHub checks, so a ship that sent nothing valid fails:
  POST /app/installations/{id}/access_tokens  `Authorization: Bearer <JWT>`: RS256, signed by the app's private key
      (verified with its public key), `iss` the app id, `iat`/`exp` current and at most 10 minutes apart -> 201
      {"token", "expires_at"}; otherwise 401.
  GET /repos/{org}/{repo}/zipball/{branch}  `Authorization: Bearer <installation token>` (one this server issued for
      that org's installation) -> 200 with the zip (one top folder `<org>-<repo>-<sha>/`, as GitHub's); otherwise 401/404.

    gh = GitHubStandIn(cert, key, app_id="1234", installation_id="5678", org="starfleet-org")
    gh.private_key_pem          # what goes in Starfleet's secret, under GitHubSyncWorker.<org>
    gh.set_repo("templates", "main", {"AwsConfig/a.yaml": b"..."})
"""
import hashlib
import io
import json
import ssl
import threading
import time
import uuid
import zipfile
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt  # PyJWT, from Starfleet's pinned requirements (the venv this runs in)
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


class GitHubStandIn:
    def __init__(self, cert, key, app_id, installation_id, org):
        self.app_id, self.installation_id, self.org = app_id, installation_id, org
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_key_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()).decode()
        self.public_key = private.public_key()
        self.tokens = set()          # installation tokens issued
        self.repos = {}              # (repo, branch) -> {path: bytes}
        self.log = []                # (method, path, status): what the ship asked and got
        self.served_zips = []        # the zip bytes of each download, in order
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _reply(self, status, body, content_type="application/json"):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                outer.log.append((self.command, self.path, status))
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _bearer(self):
                value = self.headers.get("Authorization", "")
                return value[len("Bearer "):] if value.startswith("Bearer ") else None

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = self.path.strip("/").split("/")
                if len(parts) != 4 or parts[:2] != ["app", "installations"] or parts[3] != "access_tokens":
                    return self._reply(404, {"message": "Not Found"})
                if parts[2] != outer.installation_id:
                    return self._reply(404, {"message": "Not Found"})
                problem = outer._jwt_problem(self._bearer())
                if problem:
                    return self._reply(401, {"message": problem})
                token = "ghs_" + uuid.uuid4().hex
                outer.tokens.add(token)
                expires = datetime.fromtimestamp(time.time() + 3600, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                self._reply(201, {"token": token, "expires_at": expires})

            def do_GET(self):
                parts = self.path.strip("/").split("/")
                if len(parts) != 5 or parts[0] != "repos" or parts[3] != "zipball":
                    return self._reply(404, {"message": "Not Found"})
                org, repo, branch = parts[1], parts[2], parts[4]
                if self._bearer() not in outer.tokens:
                    return self._reply(401, {"message": "Bad credentials"})
                if org != outer.org or (repo, branch) not in outer.repos:
                    return self._reply(404, {"message": "Not Found"})
                data = outer._zipball(org, repo, branch)
                outer.served_zips.append(data)
                self._reply(200, data, "application/zip")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _jwt_problem(self, token):
        """Why GitHub would refuse this app JWT, or None."""
        if not token:
            return "A JSON web token could not be decoded"
        try:
            claims = jwt.decode(token, self.public_key, algorithms=["RS256"], options={"require": ["iat", "exp", "iss"]},
                                leeway=60)
        except jwt.PyJWTError as exc:
            return "A JSON web token could not be decoded: %s" % exc
        if str(claims["iss"]) != self.app_id:
            return "'Issuer' claim ('iss') must be the app id"
        if claims["exp"] - claims["iat"] > 600:
            return "'Expiration time' claim ('exp') is too far in the future"
        return None

    def set_repo(self, repo, branch, files):
        self.repos[(repo, branch)] = dict(files)

    def _zipball(self, org, repo, branch):
        files = self.repos[(repo, branch)]
        sha = hashlib.sha1(json.dumps(sorted((k, v.hex()) for k, v in files.items())).encode()).hexdigest()[:7]
        top = "%s-%s-%s/" % (org, repo, sha)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(top, b"")    # GitHub's zipballs list the top folder first (the ship names it from entry 0)
            for path in sorted(files):
                z.writestr(top + path, files[path])
        return out.getvalue()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
