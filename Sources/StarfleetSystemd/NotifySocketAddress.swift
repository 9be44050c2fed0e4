import CSystemd
import Glibc

/// Where sd_notify datagrams go: a filesystem AF_UNIX socket (`/run/systemd/notify`), an abstract one (`@name`),
/// or — for forms we do not speak ourselves, such as `vsock:CID:PORT` — libsystemd's own `sd_notify`.
enum NotifySocketAddress: Sendable, Hashable {
    /// `sun_path` bytes (a leading NUL for the abstract namespace), without a terminating NUL.
    case unix(pathBytes: [UInt8])
    /// Let libsystemd read `$NOTIFY_SOCKET` and send.
    case libsystemd

    /// Parses a `NOTIFY_SOCKET` value. `nil` for an empty value; throws for one that cannot be an address.
    init?(_ value: String) throws {
        if value.isEmpty { return nil }
        var bytes = Array(value.utf8)
        if bytes.first == UInt8(ascii: "@") {
            bytes[0] = 0  // abstract namespace: NUL in place of '@', length says where the name ends
        } else if bytes.first != UInt8(ascii: "/") {
            // systemd also accepts vsock:…; libsystemd knows how to reach those, so hand over.
            self = .libsystemd
            return
        }
        // sun_path holds 108 bytes; a filesystem path also needs its terminating NUL.
        let limit = Self.sunPathCapacity - (bytes[0] == 0 ? 0 : 1)
        guard bytes.count <= limit, bytes.count > 1 else {
            throw SystemdError(
                code: .invalidNotifySocket, subject: value,
                hint: "a notify socket address must be 2...\(limit) bytes; use a shorter socket path")
        }
        self = .unix(pathBytes: bytes)
    }

    static var sunPathCapacity: Int { MemoryLayout.size(ofValue: sockaddr_un().sun_path) }

    /// Sends one datagram. Opens and closes a socket per message, as sd_notify does: notifications are rare.
    func send(_ message: String, display: String) throws {
        switch self {
        case .libsystemd:
            let rc = sd_notify(0, message)
            if rc < 0 {
                throw SystemdError(
                    code: .sendFailed, subject: display, errno: -rc,
                    hint: "sd_notify failed; check that the service manager's notify socket is reachable")
            }
        case .unix(let pathBytes):
            try sendUnix(message, pathBytes: pathBytes, display: display)
        }
    }

    private func sendUnix(_ message: String, pathBytes: [UInt8], display: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw SystemdError(
                code: .socketFailed, subject: display, errno: errno,
                hint: "could not create an AF_UNIX datagram socket; check RestrictAddressFamilies= allows AF_UNIX")
        }
        defer { close(fd) }

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)  // the rest stays zero, which terminates a filesystem path
        }
        // Abstract names are exactly as long as their bytes; filesystem paths count their NUL.
        let pathLength = pathBytes.count + (pathBytes.first == 0 ? 0 : 1)
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathLength)

        var payload = Array(message.utf8)
        let sent = payload.withUnsafeMutableBytes { bytes in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, length)
                }
            }
        }
        guard sent >= 0 else {
            throw SystemdError(
                code: .sendFailed, subject: display, errno: errno,
                hint: "the notify socket did not accept the message; check that the service manager is listening")
        }
    }
}
