package import Glibc
package import NIOCore

/// Who a connection is counted against: the owner uid of its loopback client socket; for a client on another host
/// (a metrics address that is not loopback), its address; the clients of a Unix socket together (the socket file's
/// mode decides who connects); or, where the owner could not be found, one shared bucket.
package enum ConnectionPeer: Sendable, Hashable, CustomStringConvertible {
    case user(uid_t)
    case remote(String)
    case unixSocket
    case unknown

    /// Who holds the other end of `channel`.
    package static func of(_ channel: any Channel) -> ConnectionPeer {
        switch channel.remoteAddress {
        case .some(.unixDomainSocket):
            return .unixSocket
        case .some(let remote):
            if let peer = LoopbackPeer.find(remote: remote, local: channel.localAddress) { return .user(peer.uid) }
            if let ip = remote.ipAddress, !SocketEndpoint.isLoopback(ip) { return .remote(ip) }
            return .unknown
        case .none:
            return .unknown
        }
    }

    /// The key refusal warnings are counted by.
    var refusalKey: UInt32 {
        switch self {
        case .user(let uid): uid
        default: UInt32.max
        }
    }

    package var description: String {
        switch self {
        case .user(let uid): "uid \(uid)"
        case .remote(let address): address
        case .unixSocket: "the Unix socket's clients"
        case .unknown: "unknown"
        }
    }
}
