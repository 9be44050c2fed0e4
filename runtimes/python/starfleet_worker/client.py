"""HTTP clients over ``_http``: the Runtime API client and the SDK's POST (awslambdaric's ``lambda_runtime_client``).

``RuntimeClient`` is the warm runtime's one keep-alive connection to ``AWS_LAMBDA_RUNTIME_API`` (``host:port``
with an optional path prefix, ``127.0.0.1:9001/<token>``: the prefix starts every Runtime API path, the starfleet
alert extension's too). ``register`` lends it to the SDK: ``post`` sends ``context.alert`` and ``context.invoke``
over it whenever it is idle (the daemon identifies the process by it) and over a one-shot connection otherwise.
"""
from __future__ import annotations

import json
from urllib.parse import urlsplit

from starfleet_worker._http import Connection, RawConnection

TYPE_CHECKING = False
if TYPE_CHECKING:  # for type checkers only: a per-payload process need not import typing
    from typing import Any, Dict, Mapping, Optional, Tuple

__all__ = ["RuntimeClient", "RuntimeConnection", "RUNTIME_PATH", "ALERT_PATH", "split_api", "alert_url",
           "register", "post"]

RUNTIME_PATH = "/2018-06-01/runtime"
ALERT_PATH = "/2018-06-01/starfleet/alert"

# (scheme, netloc) -> Connection; the warm runtime registers its own connection here.
_connections: Dict[Tuple[str, str], Connection] = {}


def split_api(api: str) -> Tuple[str, str]:
    """``AWS_LAMBDA_RUNTIME_API`` as ``(host:port, path prefix)``: ``"h:1/abc/"`` -> ``("h:1", "/abc")``."""
    host, _, prefix = api.strip().partition("/")
    return host, ("/" + prefix.strip("/")) if prefix.strip("/") else ""


def alert_url(api: str) -> str:
    """The starfleet alert extension's URL under ``AWS_LAMBDA_RUNTIME_API`` (its path prefix included)."""
    return "http://%s%s" % (api.strip().strip("/"), ALERT_PATH)


class RuntimeClient(RawConnection):
    """The Runtime API connection: ``AWS_LAMBDA_RUNTIME_API`` is ``host:port`` with an optional path prefix.

    ``invocation_path`` is the prefix of ``next`` and of every ``<request id>/response|error``. Hold ``lock``
    around ``send``/``request`` (the SDK borrows the connection without blocking)."""

    def __init__(self, api: str) -> None:
        host, prefix = split_api(api)
        RawConnection.__init__(self, host)
        self.host = host
        self.prefix = prefix
        self.invocation_path = prefix + RUNTIME_PATH + "/invocation/"

    def next_request(self) -> bytes:
        """The pre-built ``GET …/invocation/next`` (the hot path sends it as is)."""
        return self.build("GET", self.invocation_path + "next")

    def response_head_parts(self) -> Tuple[bytes, bytes]:
        """The bytes around the request id and the length in ``POST …/<id>/response``: the hot path joins
        ``start + id + b"/response" + end + b"<length>\\r\\n\\r\\n" + body``."""
        start = ("POST " + self.invocation_path).encode("latin-1")
        end = (" HTTP/1.1\r\n" + self._host_header.decode("latin-1")
               + "Content-Type: application/json\r\nContent-Length: ").encode("latin-1")
        return start, end

    def response_request(self, request_id: str, payload: bytes) -> bytes:
        """``POST …/<id>/response`` with ``payload`` (the result's JSON), as one bytes."""
        start, end = self.response_head_parts()
        return b"".join((start, request_id.encode("latin-1"), b"/response", end, b"%d\r\n\r\n" % len(payload),
                         payload))

    def error_path(self, request_id: Optional[str]) -> str:
        return self.invocation_path + str(request_id) + "/error"

    def error_request(self, request_id: Optional[str], error_type: str, payload: bytes) -> bytes:
        """``POST …/<id>/error`` with the error document ``payload`` and ``Lambda-Runtime-Function-Error-Type``."""
        return self.build("POST", self.error_path(request_id),
                          {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error_type},
                          len(payload)) + payload

    def post_init_error(self, doc: Mapping[str, Any]) -> Tuple[int, Any, bytes]:
        """``POST /runtime/init/error`` with the error document ``doc``."""
        body = json.dumps(doc).encode()
        with self.lock:
            return self.request("POST", self.prefix + RUNTIME_PATH + "/init/error", body,
                                {"Content-Type": "application/json",
                                 "Lambda-Runtime-Function-Error-Type": doc["errorType"]})


# The name the runtime module used for it.
RuntimeConnection = RuntimeClient


def register(connection: RuntimeClient) -> None:
    """Lends the runtime's connection to ``post`` for requests to the same ``host:port`` (the Invoke API's
    ``AWS_ENDPOINT_URL_LAMBDA`` and the alert extension share the Runtime API's port)."""
    _connections[("http", connection.host)] = connection


def post(url: str, body: bytes, headers: Mapping[str, str]) -> Tuple[int, Any, bytes]:
    """POSTs ``body`` to ``url`` over a kept-alive connection (borrowed when idle); returns (status, headers, data).

    ``headers`` of the answer: case-insensitive ``get``."""
    parts = urlsplit(url)
    path = parts.path + ("?" + parts.query if parts.query else "")
    key = (parts.scheme or "http", parts.netloc)
    conn = _connections.get(key)
    if conn is None:
        conn = _connections.setdefault(key, Connection(parts.netloc, key[0]))
    if conn.lock.acquire(False):
        try:
            return conn.request("POST", path, body, dict(headers))
        finally:
            conn.lock.release()
    once = Connection(parts.netloc, key[0])
    try:
        return once.request("POST", path, body, dict(headers))
    finally:
        once.close()
