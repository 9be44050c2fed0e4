import CSocketDiag
import FoundationEssentials
package import Glibc
package import NIOCore
import Synchronization

/// Who holds the other end of a loopback TCP connection: the client socket's owner uid and inode, found by the
/// connection's exact four-tuple, then which process has that inode among its open files.
///
/// The four-tuple, not the ports: another user can bind `127.0.0.X:P` with the server's own port P and connect, and
/// the daemon's accepted socket for that connection then matches the same pair of ports (F1 in issue 20). Only the
/// socket whose own address is the connection's remote address and whose peer is the server's address is the client.
/// The kernel answers that by NETLINK_SOCK_DIAG in one hashed lookup; where a sandbox refuses netlink, the socket
/// tables in /proc are read instead (slower on a host with many sockets, and exact all the same).
package struct LoopbackPeer: Sendable, Hashable {
    package var uid: uid_t
    package var inode: UInt64

    /// The client socket connected from `remote` to `local` (the server side's view), or nil when there is none (the
    /// client has gone, or the address is not TCP).
    package static func find(remote: SocketAddress?, local: SocketAddress?) -> LoopbackPeer? {
        guard let remote, let local, let client = SocketEndpoint(remote), let server = SocketEndpoint(local),
            client.family == server.family
        else { return nil }
        switch Self.kernelLookup(client: client, server: server) {
        case .found(let peer): return peer
        case .none:
            // ENOENT is also the answer of a kernel without the tcp_diag module. The server's own side of this
            // connection exists for certain: if the kernel cannot find that either, it cannot look sockets up at all.
            if case .found = Self.kernelLookup(client: server, server: client) { return nil }
        case .unavailable:
            break
        }
        // Netlink is unavailable here: the /proc tables, matched on the same four-tuple. An IPv4 client may be an
        // IPv6 socket holding v4-mapped addresses (tcp6).
        procFallback.store(true, ordering: .relaxed)
        if client.family == AF_INET, let table = readProcFile("/proc/net/tcp"),
            let peer = ProcNetTCP.find(in: table, client: client, server: server)
        {
            return peer
        }
        guard let table = readProcFile("/proc/net/tcp6") else { return nil }
        return ProcNetTCP.find(in: table, client: client.v6, server: server.v6)
    }

    private enum KernelAnswer {
        case found(LoopbackPeer?)
        case none
        case unavailable
    }

    /// NETLINK_SOCK_DIAG's answer for the socket whose own address is `client` and whose peer is `server`.
    private static func kernelLookup(client: SocketEndpoint, server: SocketEndpoint) -> KernelAnswer {
        var uid: UInt32 = 0
        var inode: UInt64 = 0
        let found = client.address.withUnsafeBufferPointer { clientBytes in
            server.address.withUnsafeBufferPointer { serverBytes in
                starfleet_tcp_socket_owner(
                    client.family, clientBytes.baseAddress, client.port, serverBytes.baseAddress, server.port, &uid, &inode)
            }
        }
        switch found {
        // A socket that is closing (TIME_WAIT, orphaned) has no inode: no process holds it.
        case 1: return .found(inode == 0 ? nil : LoopbackPeer(uid: uid, inode: inode))
        case 0: return .none
        default: return .unavailable
        }
    }

    private static let procFallback = Atomic<Bool>(false)
    /// Whether a lookup has had to read /proc because the kernel's socket diagnostics were not available.
    package static var procFallbackUsed: Bool { procFallback.load(ordering: .relaxed) }

    /// The first of `candidates` (pids) that has this socket open, else the first process in one of their process
    /// groups that does (a `provided` Command may start the real client as a child).
    package func owner(among candidates: [pid_t]) -> pid_t? {
        let target = "socket:[\(inode)]"
        for pid in candidates where Self.holds(pid, target) { return pid }
        let groups = Set(candidates)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for entry in entries {
            guard let pid = pid_t(entry), !groups.contains(pid) else { continue }
            let group = getpgid(pid)
            if group > 0, groups.contains(group), Self.holds(pid, target) { return group }
        }
        return nil
    }

    static func holds(_ pid: pid_t, _ target: String) -> Bool {
        let directory = "/proc/\(pid)/fd"
        guard let fds = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return false }
        var buffer = [CChar](repeating: 0, count: 64)
        for fd in fds {
            let count = readlink("\(directory)/\(fd)", &buffer, buffer.count - 1)
            guard count > 0 else { continue }
            if String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) == target { return true }
        }
        return false
    }
}

/// One end of a TCP connection: family, address bytes in network order (4 or 16), port.
package struct SocketEndpoint: Sendable, Hashable {
    package var family: Int32
    package var address: [UInt8]
    package var port: UInt16

    package init(family: Int32, address: [UInt8], port: UInt16) {
        self.family = family
        self.address = address
        self.port = port
    }

    package init?(_ socketAddress: SocketAddress) {
        guard let port = socketAddress.port, let portNumber = UInt16(exactly: port) else { return nil }
        switch socketAddress {
        case .v4(let v4):
            var raw = v4.address.sin_addr
            self.init(family: AF_INET, address: withUnsafeBytes(of: &raw) { Array($0) }, port: portNumber)
        case .v6(let v6):
            var raw = v6.address.sin6_addr
            self.init(family: AF_INET6, address: withUnsafeBytes(of: &raw) { Array($0) }, port: portNumber)
        default:
            return nil
        }
    }

    /// The address as /proc/net/tcp{,6} prints it: each 32-bit word of the network-order bytes as the host reads it
    /// (little-endian on every Linux port we build for), in upper-case hex.
    var procHex: String {
        var out = ""
        var index = 0
        while index + 4 <= address.count {
            let word =
                UInt32(address[index]) | UInt32(address[index + 1]) << 8 | UInt32(address[index + 2]) << 16
                | UInt32(address[index + 3]) << 24
            out += hex(UInt64(word), width: 8)
            index += 4
        }
        return out
    }

    var procPortHex: String { hex(UInt64(port), width: 4) }

    /// Whether `ip` (as NIO prints it) is 127.0.0.0/8, ::1 or ::ffff:127.x.
    static func isLoopback(_ ip: String) -> Bool {
        ip.hasPrefix("127.") || ip == "::1" || ip.lowercased().hasPrefix("::ffff:127.")
    }

    /// The IPv6 form: itself, or `::ffff:a.b.c.d` for an IPv4 address.
    var v6: SocketEndpoint {
        guard family == AF_INET else { return self }
        return SocketEndpoint(family: AF_INET6, address: [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF] + address, port: port)
    }
}

/// The /proc/net/tcp{,6} tables, read only where netlink is refused.
package enum ProcNetTCP {
    /// The line of the client socket: its local address is `client` and its remote address `server`, exactly.
    /// Columns: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ….
    package static func find(in table: String, client: SocketEndpoint, server: SocketEndpoint) -> LoopbackPeer? {
        let local = "\(client.procHex):\(client.procPortHex)"
        let remote = "\(server.procHex):\(server.procPortHex)"
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", maxSplits: 10, omittingEmptySubsequences: true)
            guard fields.count > 9, fields[1] == local, fields[2] == remote, let uid = UInt32(fields[7]),
                let inode = UInt64(fields[9]), inode != 0
            else { continue }
            return LoopbackPeer(uid: uid, inode: inode)
        }
        return nil
    }
}

private func hex(_ value: UInt64, width: Int) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

/// The whole of a /proc file: read until EOF (its size is 0 to stat, and the kernel hands it out a page at a time).
func readProcFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = read(fd, &buffer, buffer.count)
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else { break }
        out.append(contentsOf: buffer[0..<count])
        if out.count > 64 << 20 { break }
    }
    return String(decoding: out, as: UTF8.self)
}
