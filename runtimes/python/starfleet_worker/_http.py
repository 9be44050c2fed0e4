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
