"""A keep-alive HTTP/1.1 connection shared by the runtime client and the SDK (standard library only)."""
import http.client
import socket
import threading


class Connection:
    """One keep-alive connection to ``netloc``; reopened when the peer drops it.

    Hold ``lock`` around ``request``: the runtime takes it for its own calls, the SDK takes it without blocking to
    borrow the idle connection while a handler runs (and opens a one-shot connection when it is busy)."""

    def __init__(self, netloc, scheme="http"):
        self.netloc = netloc
        self.scheme = scheme
        self.conn = None
        self.lock = threading.Lock()
        self.connects = 0

    def _open(self):
        if self.scheme == "https":
            conn = http.client.HTTPSConnection(self.netloc, timeout=None)
        else:
            conn = http.client.HTTPConnection(self.netloc, timeout=None)
        conn.connect()
        try:
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        self.connects += 1
        self.conn = conn
        return conn

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:
                pass
            self.conn = None

    def request(self, method, path, body=None, headers=None):
        """Sends one request and returns ``(status, headers (an HTTPMessage), body bytes)``.

        A request that fails on a reused connection (the peer closed it while idle) is sent once more on a fresh
        one. ``body`` should be bytes: http.client then sends headers and body in one write."""
        headers = headers or {}
        for attempt in (0, 1):
            reused = self.conn is not None
            conn = self.conn or self._open()
            try:
                conn.request(method, path, body, headers)
                resp = conn.getresponse()
                data = resp.read()
                if resp.will_close:
                    self.close()
                return resp.status, resp.msg, data
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt or not reused:
                    raise
            except BaseException:
                # Interrupted mid-request (a signal, KeyboardInterrupt): the stream state is unknown.
                self.close()
                raise
        raise ConnectionError("unreachable")


class _Headers(dict):
    """Response headers keyed by lower-cased name; ``get``/``[]`` are case-insensitive like ``HTTPMessage``'s (the
    first of repeated headers wins, a missing one is ``None``)."""

    __slots__ = ()

    def get(self, name, default=None):
        return dict.get(self, name.lower(), default)

    def __getitem__(self, name):
        return dict.get(self, name.lower())

    def __contains__(self, name):
        return dict.__contains__(self, name.lower())


class RawConnection(Connection):
    """``Connection`` over a plain socket with a lean HTTP/1.1 client (``http`` only, same ``lock`` contract).

    http.client parses every response's headers with email.parser, which costs more CPU than the rest of a warm
    invocation; this parses the status line and ``name: value`` lines with bytes operations. Bodies framed by
    Content-Length (what starfleetd sends), chunked, or by the close of the connection are read."""

    _HOST_LINE = None

    def __init__(self, netloc, scheme="http"):
        Connection.__init__(self, netloc, scheme)
        self.sock = None
        self._buf = b""
        host, _, port = netloc.rpartition(":")
        if not host or not port.isdigit():
            host, port = netloc, "80"
        self._addr = (host.strip("[]"), int(port))
        self._host_header = ("Host: %s\r\n" % netloc).encode("latin-1")

    def _open(self):
        sock = socket.create_connection(self._addr)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        self.connects += 1
        self.sock = sock
        self.conn = sock
        self._buf = b""
        return sock

    def close(self):
        sock = self.sock
        self.sock = self.conn = None
        self._buf = b""
        if sock is not None:
            try:
                sock.close()
            except Exception:
                pass

    def build(self, method, path, headers=None, body_length=None):
        """The request head as bytes (ends with the blank line); ``body_length`` adds Content-Length."""
        parts = ["%s %s HTTP/1.1\r\n" % (method, path)]
        if headers:
            for name, value in headers.items():
                parts.append("%s: %s\r\n" % (name, value))
        if body_length is not None:
            parts.append("Content-Length: %d\r\n" % body_length)
        parts.append("\r\n")
        return self._host_header.join(
            [parts[0].encode("latin-1"), "".join(parts[1:]).encode("latin-1")])

    def request(self, method, path, body=None, headers=None):
        """Sends one request and returns ``(status, headers, body bytes)`` (as ``Connection.request``)."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif body is not None and not isinstance(body, bytes):
            body = bytes(body)
        if body is None and method in ("POST", "PUT", "PATCH"):
            body = b""
        head = self.build(method, path, headers, None if body is None else len(body))
        return self.send(head + body if body else head, method == "HEAD")

    def send(self, data, head_only=False):
        """Sends ``data`` (a whole request) and reads the response; retried once on a fresh connection when a
        reused one fails (the peer closed it while idle)."""
        for attempt in (0, 1):
            sock = self.sock
            reused = sock is not None
            if sock is None:
                sock = self._open()
            try:
                sock.sendall(data)
                return self._response(head_only)
            except OSError:
                self.close()
                if attempt or not reused:
                    raise
            except BaseException:
                # Interrupted mid-request (a signal, KeyboardInterrupt), or a malformed response: the stream
                # state is unknown.
                self.close()
                raise
        raise ConnectionError("unreachable")

    def _fill(self, buf):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionResetError("the runtime API closed the connection")
        return buf + chunk

    def _response(self, head_only):
        buf = self._buf
        while True:
            end = buf.find(b"\r\n\r\n")
            if end >= 0:
                break
            buf = self._fill(buf)
        lines = buf[:end].split(b"\r\n")
        buf = buf[end + 4:]
        status_line = lines[0].split(None, 2)
        if len(status_line) < 2 or not status_line[0].startswith(b"HTTP/"):
            raise http.client.BadStatusLine(repr(lines[0]))
        status = int(status_line[1])
        headers = _Headers()
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if sep:
                key = name.strip().lower().decode("latin-1")
                if key not in headers:
                    dict.__setitem__(headers, key, value.strip().decode("latin-1"))
        if 100 <= status < 200 and status != 101:
            # An interim response (100 Continue): the real one follows.
            self._buf = buf
            return self._response(head_only)
        conn_header = dict.get(headers, "connection", "").lower()
        will_close = "close" in conn_header or (
            status_line[0] == b"HTTP/1.0" and "keep-alive" not in conn_header)
        length = dict.get(headers, "content-length")
        if head_only or status in (204, 304):
            data = b""
        elif "chunked" in dict.get(headers, "transfer-encoding", "").lower():
            data, buf = self._chunked(buf)
        elif length is not None:
            n = int(length)
            while len(buf) < n:
                buf = self._fill(buf)
            data, buf = buf[:n], buf[n:]
        else:
            # Delimited by the end of the connection.
            parts = [buf]
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                parts.append(chunk)
            data, buf, will_close = b"".join(parts), b"", True
        self._buf = buf
        if will_close:
            self.close()
        return status, headers, data

    def _chunked(self, buf):
        parts = []
        while True:
            while True:
                end = buf.find(b"\r\n")
                if end >= 0:
                    break
                buf = self._fill(buf)
            size = int(buf[:end].split(b";", 1)[0].strip(), 16)
            buf = buf[end + 2:]
            if size == 0:
                # Trailers, up to the blank line.
                while True:
                    end = buf.find(b"\r\n")
                    if end < 0:
                        buf = self._fill(buf)
                        continue
                    line, buf = buf[:end], buf[end + 2:]
                    if not line:
                        return b"".join(parts), buf
            while len(buf) < size + 2:
                buf = self._fill(buf)
            parts.append(buf[:size])
            buf = buf[size + 2:]
