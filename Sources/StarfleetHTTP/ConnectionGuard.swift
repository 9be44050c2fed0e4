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
    private let open = Mutex<[ConnectionPeer: Int]>([:])
    private let refusals = Mutex(RefusalLog())
    private let warnedAboutProc = Atomic<Bool>(false)

    package init(endpoint: String, policy: ConnectionPolicy, logger: Logger) {
        self.endpoint = endpoint
        self.policy = policy
        self.logger = logger
    }

    /// Connections of `peer` open now.
    package func count(of peer: ConnectionPeer) -> Int { open.withLock { $0[peer] ?? 0 } }

    /// Admits a connection of `peer` or says why not.
    func admit(_ peer: ConnectionPeer) -> String? {
        switch (policy.admission, peer) {
        case (.users, .unixSocket):
            break  // the socket file's mode decided who could connect
        case (.users(let users), .user(let uid)):
            guard users.contains(uid) else { return "another user may not use it" }
        case (.users, _):
            return "its socket's owner could not be found"
        case (.everyone, _):
            break
        }
        return open.withLock { open in
            let count = open[peer] ?? 0
            guard count < policy.perUserConnections else {
                return "\(peer) holds \(count) connections already (the most one user may)"
            }
            open[peer] = count + 1
            return nil
        }
    }

    func release(_ peer: ConnectionPeer) {
        open.withLock { open in
            let count = (open[peer] ?? 1) - 1
            open[peer] = count > 0 ? count : nil
        }
    }

    func refused(_ peer: ConnectionPeer, why: String) {
        guard let count = refusals.withLock({ $0.note(peer.refusalKey, now: .now) }) else { return }
        logger.warning(
            "refused \(count) connection\(count == 1 ? "" : "s") to \(endpoint) in the last minute: \(why)",
            metadata: ["uid": "\(peer.refusalKey == UInt32.max ? "unknown" : "\(peer.refusalKey)")", "peer": "\(peer)"])
    }

    /// Says once that connections are admitted by reading /proc (netlink refused): slower with many sockets.
    func noteProcFallback() {
        guard LoopbackPeer.procFallbackUsed, !warnedAboutProc.exchange(true, ordering: .relaxed) else { return }
        logger.warning(
            "NETLINK_SOCK_DIAG is not available here; each connection's owner is read from /proc/net/tcp, which costs more on a host with many sockets (allow AF_NETLINK, or load the tcp_diag module)"
        )
    }
}

/// Admits or closes each connection as it is accepted (by its owner uid, before a byte is read), caps the
/// connections per uid, and closes one whose request body does not arrive, or whose client stops reading the answer,
/// within the policy's time. The head's time
/// is Hummingbird's idle timeout: no request part is read until the head is whole, so a trickled head ends there.
final class ConnectionGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let ledger: ConnectionLedger
    private var decided = false
    private var admitted = false
    private var peer = ConnectionPeer.unknown
    private var bodyDeadline: Scheduled<Void>?
    private var writeDeadline: Scheduled<Void>?

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
        writeDeadline?.cancel()
        writeDeadline = nil
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

    /// A client that stops reading an answer (its window full) holds the connection only so long.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            writeDeadline?.cancel()
            writeDeadline = nil
        } else if writeDeadline == nil {
            writeDeadline = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(
                in: .init(ledger.policy.bodyTimeout)
            ) {
                context.close(promise: nil)
            }
        }
        context.fireChannelWritabilityChanged()
    }

    private func decide(_ context: ChannelHandlerContext) {
        guard !decided else { return }
        decided = true
        peer = ConnectionPeer.of(context.channel)
        ledger.noteProcFallback()
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
