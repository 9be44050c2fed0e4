import Glibc

/// A stand-in for systemd's notify socket: a bound AF_UNIX datagram socket in a temp dir or the abstract
/// namespace, read without blocking the test for long.
final class DatagramListener {
    let fileDescriptor: Int32
    /// What goes into NOTIFY_SOCKET: the path, or `@name`.
    let address: String
    private let directory: String?

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(abstract: Bool, fixedPath: String? = nil) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        fileDescriptor = fd
        var pathBytes: [UInt8]
        if let fixedPath {
            address = fixedPath
            pathBytes = Array(fixedPath.utf8) + [0]
            directory = nil
        } else if abstract {
            let name = "starfleet-test-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
            address = "@" + name
            pathBytes = [0] + Array(name.utf8)
            directory = nil
        } else {
            let dir = try makeTemporaryDirectory()
            directory = dir
            address = dir + "/notify"
            pathBytes = Array(address.utf8) + [0]
        }
        var sockaddr = sockaddr_un()
        sockaddr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &sockaddr.sun_path) { $0.copyBytes(from: pathBytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count)
        let rc = withUnsafePointer(to: &sockaddr) {
            $0.withMemoryRebound(to: Glibc.sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard rc == 0 else { throw Failure(description: "bind \(address): errno \(errno)") }
    }

    /// The next datagram, waiting up to `timeout` seconds; `nil` when none arrives.
    func receive(timeout: Double = 1) -> String? {
        receiveBytes(timeout: timeout).map { String(decoding: $0, as: UTF8.self) }
    }

    func receiveBytes(timeout: Double = 1) -> [UInt8]? {
        var pollFD = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&pollFD, 1, Int32(timeout * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = recv(fileDescriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        guard count >= 0 else { return nil }
        return Array(buffer[0..<count])
    }

    /// Every datagram already queued.
    func drain() -> [String] {
        var all: [String] = []
        while let next = receive(timeout: 0) { all.append(next) }
        return all
    }

    deinit {
        close(fileDescriptor)
        if directory == nil, address.hasPrefix("/") { unlink(address) }
        if let directory {
            unlink(address)
            rmdir(directory)
        }
    }
}

/// A fresh directory under /tmp (short, so socket paths fit sun_path's 108 bytes).
func makeTemporaryDirectory() throws -> String {
    var template = Array("/tmp/sf-test-XXXXXX".utf8CString)
    guard let result = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        throw DatagramListener.Failure(description: "mkdtemp: errno \(errno)")
    }
    return String(cString: result)
}
