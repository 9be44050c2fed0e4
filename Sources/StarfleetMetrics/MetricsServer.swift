import Glibc
import Synchronization

/// A minimal HTTP/1.1 server for Prometheus scrapes: `GET /metrics` (and HEAD) answer the registry's text,
/// anything else 404 (405 for other methods), always `Connection: close`.
///
/// It runs on its own pthread (accept and reads block; the cooperative pool must never), one connection at a
/// time — a scraper every few seconds needs no more. Requests are bounded (8 KiB of headers, 2 s to send them),
/// and `stop()` ends the thread within one poll interval (200 ms) and closes the socket.
public final class MetricsServer: Sendable {
    public struct BindError: Error, CustomStringConvertible, Sendable {
        public let address: String
        public let operation: String
        public let code: Int32
        public var description: String { "\(operation) \(address): \(String(cString: strerror(code)))" }
    }

    static let maxRequestBytes = 8192
    static let requestTimeoutMs: Int32 = 2000

    private let listener: Int32
    private let stopped = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)
    private let render: @Sendable () -> String
    /// The bound port (useful when 0 was asked for).
    public let port: UInt16

    /// Binds and listens on `host:port` (an IPv4 or IPv6 literal, or `localhost`); serving starts with `start()`.
    public init(host: String, port: UInt16, render: @escaping @Sendable () -> String) throws(BindError) {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        var storage = sockaddr_storage()
        var length: socklen_t
        let family: Int32
        if !host.contains(":") {
            var v4 = sockaddr_in()
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &v4.sin_addr) == 1 else {
                throw BindError(address: address, operation: "parse", code: EINVAL)
            }
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: v4) { raw.copyMemory(from: $0) } }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            family = AF_INET
        } else {
            var v6 = sockaddr_in6()
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 else { throw BindError(address: address, operation: "parse", code: EINVAL) }
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: v6) { raw.copyMemory(from: $0) } }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            family = AF_INET6
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw BindError(address: address, operation: "socket", code: errno) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let code = errno
            close(fd)
            throw BindError(address: address, operation: bound == 0 ? "listen" : "bind", code: code)
        }
        var actual = sockaddr_storage()
        length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        // sin_port and sin6_port both sit right after the 2-byte family.
        let net: UInt16 = withUnsafeBytes(of: actual) { $0.load(fromByteOffset: 2, as: UInt16.self) }
        self.port = UInt16(bigEndian: net)
        self.listener = fd
        self.render = render
    }

    /// Starts the serving thread.
    public func start() throws(BindError) {
        let box = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let server = Unmanaged<MetricsServer>.fromOpaque(raw).takeRetainedValue()
            var set = sigset_t()
            sigfillset(&set)
            for signal in [SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS] { sigdelset(&set, signal) }
            pthread_sigmask(SIG_BLOCK, &set, nil)
            server.serve()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<MetricsServer>.fromOpaque(box).release()
            throw BindError(address: "port \(port)", operation: "pthread_create", code: rc)
        }
        pthread_detach(thread)
    }

    /// Asks the thread to stop; it closes the socket within one poll interval.
    public func stop() { stopped.store(true, ordering: .releasing) }

    /// Whether the thread has closed the socket and ended.
    public var isFinished: Bool { finished.load(ordering: .acquiring) }

    private func serve() {
        defer {
            close(listener)
            finished.store(true, ordering: .releasing)
        }
        while !stopped.load(ordering: .acquiring) {
            var pfd = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 200) > 0 else { continue }
            // accept4 is hidden by Glibc's module (no _GNU_SOURCE): set the flags after accept. No child is spawned
            // from this thread between the two calls, and process workers close inherited descriptors anyway.
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
            answer(client)
            close(client)
        }
    }

    private func answer(_ fd: Int32) {
        guard let request = readRequest(fd) else { return }
        let (status, body) = Self.route(request, render: render)
        var head = "HTTP/1.1 \(status)\r\nConnection: close\r\n"
        head += "Content-Type: \(status.hasPrefix("200") ? MetricsRegistry.contentType : "text/plain; charset=utf-8")\r\n"
        let bytes = Array(body.utf8)
        head += "Content-Length: \(bytes.count)\r\n\r\n"
        let isHead = request.hasPrefix("HEAD ")
        writeAll(fd, Array(head.utf8) + (isHead ? [] : bytes))
    }

    /// The status line and body for a request's first line.
    static func route(_ request: String, render: () -> String) -> (String, String) {
        let parts = request.split(separator: " ", maxSplits: 2)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else { return ("400 Bad Request", "bad request\n") }
        guard parts[0] == "GET" || parts[0] == "HEAD" else { return ("405 Method Not Allowed", "only GET /metrics\n") }
        let path = parts[1].split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        guard path == "/metrics" else { return ("404 Not Found", "not found: try /metrics\n") }
        return ("200 OK", render())
    }

    /// Reads until the end of the headers (or 8 KiB, or 2 s); returns the request line.
    private func readRequest(_ fd: Int32) -> String? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        var waited: Int32 = 0
        while data.count < Self.maxRequestBytes, waited < Self.requestTimeoutMs, !stopped.load(ordering: .acquiring) {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 100) > 0 else { waited += 100; continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            guard n > 0 else { break }
            data += buffer[0..<n]
            if let end = Self.headerEnd(data) { data = Array(data[0..<end]); break }
        }
        guard let line = data.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false).first,
              !line.isEmpty else { return nil }
        return String(decoding: line, as: UTF8.self).trimmingCarriageReturn()
    }

    static func headerEnd(_ data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        for i in 0...(data.count - 4) where data[i] == 13 && data[i + 1] == 10 && data[i + 2] == 13 && data[i + 3] == 10 { return i }
        return nil
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        var waited: Int32 = 0
        while offset < bytes.count, waited < Self.requestTimeoutMs {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n > 0 { offset += n; continue }
            guard n < 0, errno == EAGAIN || errno == EINTR else { return }
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            if poll(&pfd, 1, 100) <= 0 { waited += 100 }
        }
    }
}

extension String {
    fileprivate func trimmingCarriageReturn() -> String { hasSuffix("\r") ? String(dropLast()) : self }
}
