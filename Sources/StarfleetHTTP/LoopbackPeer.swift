import FoundationEssentials
package import Glibc
package import NIOCore

/// Who holds the other end of a loopback TCP connection, read from the kernel's socket tables: the client
/// socket's owner uid and inode (`/proc/net/tcp`, `tcp6`), then which process has that inode among its open files.
///
/// A loopback port can be reached by every local user; this is how the daemon tells its own worker processes from
/// anyone else without a secret a worker could leak (the Runtime API has no room for one: awslambdaric and every
/// other client send no credentials).
package struct LoopbackPeer: Sendable, Hashable {
    package var uid: uid_t
    package var inode: UInt64

    /// The entry of the client socket connected from `remote` to `local`, or nil when there is none (the client has
    /// gone, or the address is not loopback TCP).
    package static func find(remote: SocketAddress?, local: SocketAddress?) -> LoopbackPeer? {
        guard let remote, let local, let remotePort = remote.port, let localPort = local.port else { return nil }
        let table: String
        switch remote {
        case .v4: table = "/proc/net/tcp"
        case .v6: table = "/proc/net/tcp6"
        default: return nil
        }
        guard let text = readProcFile(table) else { return nil }
        let clientPort = String(remotePort, radix: 16, uppercase: true).leftPadded(to: 4)
        let serverPort = String(localPort, radix: 16, uppercase: true).leftPadded(to: 4)
        // Columns: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …; the client socket's
        // local address carries the client port and its remote address the server port. Loopback only.
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 9 else { continue }
            let localParts = fields[1].split(separator: ":")
            let remoteParts = fields[2].split(separator: ":")
            guard localParts.count == 2, remoteParts.count == 2, localParts[1] == clientPort, remoteParts[1] == serverPort,
                isLoopback(hex: localParts[0]), isLoopback(hex: remoteParts[0]),
                let uid = UInt32(fields[7]), let inode = UInt64(fields[9]), inode != 0
            else { continue }
            return LoopbackPeer(uid: uid, inode: inode)
        }
        return nil
    }

    /// 127.0.0.0/8 in /proc's byte order (little-endian on every Linux port we build for), or ::1, or ::ffff:127.x.
    static func isLoopback(hex: Substring) -> Bool {
        if hex.count == 8 { return hex.hasSuffix("7F") }
        if hex.count == 32 {
            return hex == "00000000000000000000000001000000" || (hex.hasPrefix("0000000000000000FFFF0000") && hex.hasSuffix("7F"))
        }
        return false
    }

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

extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
