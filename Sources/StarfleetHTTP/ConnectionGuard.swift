import Glibc
import HummingbirdCore
package import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// The connections one endpoint holds, per peer uid, and its refusal warnings: shared by the guards of its
/// connections.
package final class ConnectionLedger: Sendable {
    let endpoint: String
    let policy: ConnectionPolicy
    let logger: Logger
    private let open = Mutex<[UInt32: Int]>([:])
    private let refusals = Mutex(RefusalLog())

    package init(endpoint: String, policy: ConnectionPolicy, logger: Logger) {
        self.endpoint = endpoint
        self.policy = policy
        self.logger = logger
    }

    /// Connections of `uid` open now.
    package func count(of uid: UInt32) -> Int { open.withLock { $0[uid] ?? 0 } }

    /// Admits a connection of `peer` (nil: its owner could not be found) or says why not.
    func admit(_ peer: UInt32?) -> String? {
        switch policy.admission {
        case .users where peer == Self.unixSocketPeer:
            break  // the socket file's mode decided who could connect
        case .users(let users):
            guard let peer else { return "its socket's owner could not be found" }
            guard users.contains(peer) else { return "another user may not use it" }
        case .everyone:
            break
        }
        let key = peer ?? Self.unknownPeer
        return open.withLock { open in
            let count = open[key] ?? 0
            guard count < policy.perUserConnections else {
                return "that user holds \(count) connections already (the most one user may)"
            }
            open[key] = count + 1
            return nil
        }
    }

    func release(_ peer: UInt32?) {
        let key = peer ?? Self.unknownPeer
        open.withLock { open in
            let count = (open[key] ?? 1) - 1
            open[key] = count > 0 ? count : nil
        }
    }

    func refused(_ peer: UInt32?, why: String) {
        let key = peer ?? Self.unknownPeer
        guard let count = refusals.withLock({ $0.note(key, now: .now) }) else { return }
        logger.warning(
            "refused \(count) connection\(count == 1 ? "" : "s") to \(endpoint) in the last minute: \(why)",
            metadata: ["uid": "\(peer.map { "\($0)" } ?? "unknown")"])
    }

    /// Where the owner of a TCP socket could not be found (it closed at once, or it is not TCP).
    static let unknownPeer = UInt32.max
    /// A Unix socket's clients, counted together: the socket file's mode decides who connects.
    static let unixSocketPeer = UInt32.max - 1
}

/// Admits or closes each connection as it is accepted (by its owner uid, before a byte is read), caps the
/// connections per uid, and closes one whose request body does not arrive within the policy's time. The head's time
/// is Hummingbird's idle timeout: no request part is read until the head is whole, so a trickled head ends there.
final class ConnectionGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let ledger: ConnectionLedger
    private var decided = false
    private var admitted = false
    private var peer: UInt32?
    private var bodyDeadline: Scheduled<Void>?

    init(ledger: ConnectionLedger) { self.ledger = ledger }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { decide(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        decide(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        bodyDeadline?.cancel()
        bodyDeadline = nil
        if admitted {
            admitted = false
            ledger.release(peer)
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard admitted else { return }
        switch unwrapInboundIn(data) {
        case .head:
            bodyDeadline?.cancel()
            let timeout = ledger.policy.bodyTimeout
            bodyDeadline = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: .init(timeout)) {
                context.close(promise: nil)
            }
        case .end:
            bodyDeadline?.cancel()
            bodyDeadline = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    private func decide(_ context: ChannelHandlerContext) {
        guard !decided else { return }
        decided = true
        let channel = context.channel
        switch channel.remoteAddress {
        case .some(.unixDomainSocket):
            peer = ConnectionLedger.unixSocketPeer
        default:
            peer = LoopbackPeer.find(remote: channel.remoteAddress, local: channel.localAddress)?.uid
        }
        if let why = ledger.admit(peer) {
            ledger.refused(peer, why: why)
            context.close(promise: nil)
        } else {
            admitted = true
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
