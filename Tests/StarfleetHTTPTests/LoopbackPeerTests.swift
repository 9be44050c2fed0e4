import Glibc
import NIOCore
import Testing

@testable import StarfleetHTTP

/// The peer lookup decides who may take a payload: it must name the client socket of exactly this connection.
@Suite struct LoopbackPeerTests {
    static let header =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"

    static func line(_ n: Int, local: String, remote: String, state: String = "01", uid: Int, inode: Int) -> String {
        "  \(n): \(local) \(remote) \(state) 00000000:00000000 00:00000000 00000000 \(uid)        0 \(inode) 1 0000000000000000 20 4 30 10 -1\n"
    }

    static let server = SocketEndpoint(family: AF_INET, address: [127, 0, 0, 1], port: 0x9C40)  // 127.0.0.1:40000
    static let client = SocketEndpoint(family: AF_INET, address: [127, 0, 0, 5], port: 0x9C40)  // 127.0.0.5:40000

    @Test func procHexIsEachWordAsTheHostReadsIt() {
        #expect(Self.server.procHex == "0100007F")
        #expect(Self.server.procPortHex == "9C40")
        var v6 = [UInt8](repeating: 0, count: 16)
        v6[15] = 1
        #expect(SocketEndpoint(family: AF_INET6, address: v6, port: 80).procHex == "00000000000000000000000001000000")
    }

    /// F1: another user binds 127.0.0.5 with the server's own port and connects. The daemon's accepted socket for that
    /// connection has the same pair of ports (and the daemon's uid); only the exact four-tuple names the client.
    @Test func theDuplicatePortLineOfTheDaemonsOwnSocketIsNotTheClient() {
        let table =
            Self.header
            + Self.line(0, local: "0100007F:9C40", remote: "00000000:0000", state: "0A", uid: 1000, inode: 11)  // listener
            + Self.line(1, local: "0100007F:9C40", remote: "0500007F:9C40", uid: 1000, inode: 12)  // daemon's accepted
            + Self.line(2, local: "0500007F:9C40", remote: "0100007F:9C40", uid: 2000, inode: 13)  // attacker's client
        let peer = ProcNetTCP.find(in: table, client: Self.client, server: Self.server)
        #expect(peer == LoopbackPeer(uid: 2000, inode: 13))
    }

    @Test func noLineWhenTheClientHasGoneOrOnlyPortsMatch() {
        let table =
            Self.header
            + Self.line(0, local: "0100007F:9C40", remote: "0500007F:9C40", uid: 1000, inode: 12)
            + Self.line(1, local: "0600007F:9C40", remote: "0100007F:9C40", uid: 1000, inode: 14)
            + Self.line(2, local: "0500007F:9C40", remote: "0100007F:9C41", uid: 1000, inode: 15)
        #expect(ProcNetTCP.find(in: table, client: Self.client, server: Self.server) == nil)
    }

    @Test func aLineWithInodeZeroIsNotAnOwner() {
        let table = Self.header + Self.line(0, local: "0500007F:9C40", remote: "0100007F:9C40", state: "06", uid: 0, inode: 0)
        #expect(ProcNetTCP.find(in: table, client: Self.client, server: Self.server) == nil)
    }

    @Test func ipv6TableMatchesTheFullAddress() {
        var loopback = [UInt8](repeating: 0, count: 16)
        loopback[15] = 1
        let server = SocketEndpoint(family: AF_INET6, address: loopback, port: 8080)
        let client = SocketEndpoint(family: AF_INET6, address: loopback, port: 50000)
        let one = "00000000000000000000000001000000"
        let mapped = "0000000000000000FFFF00000100007F"
        let table =
            Self.header
            + Self.line(0, local: "\(mapped):C350", remote: "\(one):1F90", uid: 3000, inode: 20)
            + Self.line(1, local: "\(one):1F90", remote: "\(one):C350", uid: 1000, inode: 21)
            + Self.line(2, local: "\(one):C350", remote: "\(one):1F90", uid: 1000, inode: 22)
        #expect(ProcNetTCP.find(in: table, client: client, server: server) == LoopbackPeer(uid: 1000, inode: 22))
    }

    @Test func aTwentyThousandLineTableIsScannedWithoutAMatch() {
        var table = Self.header
        for n in 0..<20_000 {
            table += Self.line(
                n, local: "0100007F:9C40", remote: "0500007F:\(String(n % 65536, radix: 16, uppercase: true))", uid: 2000,
                inode: 100 + n)
        }
        #expect(ProcNetTCP.find(in: table, client: Self.client, server: Self.server) == nil)
    }

    /// A dual-stack client (an IPv6 socket connected to 127.0.0.1, as Java makes) is in tcp6 with mapped addresses.
    @Test func anIPv4ClientOnAnIPv6SocketIsFoundInTcp6() {
        let mapped = "0000000000000000FFFF0000"
        let table =
            Self.header
            + Self.line(0, local: "\(mapped)0500007F:9C40", remote: "\(mapped)0100007F:9C40", uid: 1000, inode: 30)
        #expect(ProcNetTCP.find(in: table, client: Self.client.v6, server: Self.server.v6) == LoopbackPeer(uid: 1000, inode: 30))
    }

    /// The kernel's lookup on a real connection made the F1 way: the client bound to 127.0.0.2 with the listener's
    /// own port. The socket found is the client's (its inode), not the listener's accepted one.
    @Test func theKernelLookupFindsExactlyTheClientSocket() throws {
        let listener = try TCPSocket.listening()
        defer { close(listener.fd) }
        let client = try TCPSocket.connecting(to: listener.port, from: (127, 0, 0, 2), port: listener.port)
        defer { close(client) }
        let accepted = accept(listener.fd, nil, nil)
        #expect(accepted >= 0)
        defer { close(accepted) }
        let remote = try SocketAddress(ipAddress: "127.0.0.2", port: Int(listener.port))
        let local = try SocketAddress(ipAddress: "127.0.0.1", port: Int(listener.port))
        let peer = LoopbackPeer.find(remote: remote, local: local)
        #expect(peer == LoopbackPeer(uid: geteuid(), inode: TCPSocket.inode(of: client)))
        #expect(peer?.inode != TCPSocket.inode(of: accepted))
        #expect(peer?.owner(among: [getpid()]) == getpid())
        // A dual-stack client socket (AF_INET6, v4-mapped) is found by its IPv4 four-tuple too.
        let dual = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(dual) }
        var server6 = sockaddr_in6()
        server6.sin6_family = sa_family_t(AF_INET6)
        server6.sin6_port = listener.port.bigEndian
        server6.sin6_addr.__in6_u.__u6_addr8 = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 127, 0, 0, 1)
        let connected = withUnsafePointer(to: &server6) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(dual, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
        #expect(connected == 0)
        var bound6 = sockaddr_in6()
        var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        _ = withUnsafeMutablePointer(to: &bound6) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(dual, $0, &length) }
        }
        let dualRemote = try SocketAddress(ipAddress: "127.0.0.1", port: Int(UInt16(bigEndian: bound6.sin6_port)))
        #expect(
            LoopbackPeer.find(remote: dualRemote, local: local) == LoopbackPeer(uid: geteuid(), inode: TCPSocket.inode(of: dual)))
        // Nobody is connected from 127.0.0.3.
        let stranger = try SocketAddress(ipAddress: "127.0.0.3", port: Int(listener.port))
        #expect(LoopbackPeer.find(remote: stranger, local: local) == nil)
    }
}

/// Plain sockets for the lookup test: the daemon's side and a client bound where an attacker would bind.
enum TCPSocket {
    struct Failure: Error { let call: String }

    static func listening() throws -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        guard withAddress(&address, { bind(fd, $0, $1) }) == 0, listen(fd, 8) == 0 else { throw Failure(call: "bind") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    static func connecting(to port: UInt16, from ip: (UInt8, UInt8, UInt8, UInt8), port localPort: UInt16) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = (UInt32(ip.0) << 24 | UInt32(ip.1) << 16 | UInt32(ip.2) << 8 | UInt32(ip.3)).bigEndian
        local.sin_port = localPort.bigEndian
        guard withAddress(&local, { bind(fd, $0, $1) }) == 0 else { throw Failure(call: "bind the client") }
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        remote.sin_port = port.bigEndian
        guard withAddress(&remote, { connect(fd, $0, $1) }) == 0 else { throw Failure(call: "connect") }
        return fd
    }

    static func inode(of fd: Int32) -> UInt64 {
        var info = stat()
        fstat(fd, &info)
        return UInt64(info.st_ino)
    }

    private static func withAddress(_ address: inout sockaddr_in, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32
    {
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}
