import FoundationEssentials
import Glibc
import Logging
import NIOCore
import StarfleetCore
import StarfleetHTTP
import StarfleetWorkers

/// What the daemon's worker-facing endpoints reach, across reloads: the warm pools and the invoker of the running
/// generation (each generation installs its own), the alerts, and which connection belongs to which process.
final class WorkerRuntimeHub: Sendable {
    struct Current: Sendable {
        var configuration: Configuration
        var invoker: DaemonInvoker
        var pools: [String: WarmPool]
    }

    let logger: Logger
    let alerts: AlertDispatcher?
    private let current = Locked<Current?>(nil)
    /// Connection → (worker, pid), learnt once per connection and forgotten when it closes.
    private let peers = Locked<[ObjectIdentifier: Peer]>([:])
    /// Connection → whether its user may use the Invoke API on TCP.
    private let trusted = Locked<[ObjectIdentifier: Bool]>([:])
    /// `http://127.0.0.1:<port>` once the worker listener is bound.
    let address = Locked<String?>(nil)

    struct Peer: Sendable {
        let pool: WarmPool
        let pid: pid_t
    }

    init(logger: Logger, alerts: AlertDispatcher?) {
        self.logger = logger
        self.alerts = alerts
    }

    func install(_ value: Current?) { current.withLock { $0 = value } }
    var running: Current? { current.value }

    /// The warm process on the other end of `channel`, or nil: the connection is not from a process of a pool of
    /// the running generation (another user, or a local process the daemon did not start).
    func peer(of channel: any Channel) async -> Peer? {
        let key = ObjectIdentifier(channel)
        if let known = peers.value[key] { return known }
        guard let pools = current.value?.pools.values, !pools.isEmpty else {
            logger.warning("refused a Runtime API connection: no Lambda-runtime worker is running")
            return nil
        }
        // A process is known to its pool the moment it is spawned; retry briefly in case its first request wins that race.
        // Real time on purpose, not the injected clock: this waits for another thread to record a real process's pid
        // (at most 10 ms, once per connection), which no manual clock could move; it is not a loop of the daemon.
        for attempt in 0..<3 {
            guard let socket = LoopbackPeer.find(remote: channel.remoteAddress, local: channel.localAddress) else {
                logger.warning(
                    "refused a Runtime API connection whose socket is not in /proc/net/tcp",
                    metadata: ["remote": "\(channel.remoteAddress.map { "\($0)" } ?? "-")"])
                return nil
            }
            guard socket.uid == geteuid() else {
                logger.warning("refused a Runtime API connection from another user", metadata: ["uid": "\(socket.uid)"])
                return nil
            }
            for pool in pools {
                if let pid = socket.owner(among: pool.pids) {
                    let peer = Peer(pool: pool, pid: pid)
                    peers.withLock { $0[key] = peer }
                    channel.closeFuture.whenComplete { [peers] _ in peers.withLock { _ = $0.removeValue(forKey: key) } }
                    return peer
                }
            }
            if attempt < 2 { try? await Task.sleep(nanoseconds: 5_000_000) }
        }
        logger.warning("refused a Runtime API connection from a process the daemon did not start")
        return nil
    }

    /// Whether a connection to an Invoke API on TCP comes from this user (or root): other local users may not invoke.
    /// Learnt once per connection: reading the kernel's socket table costs milliseconds on a busy host.
    func isTrustedLocalUser(_ channel: any Channel) -> Bool {
        let key = ObjectIdentifier(channel)
        if let known = trusted.value[key] { return known }
        guard let socket = LoopbackPeer.find(remote: channel.remoteAddress, local: channel.localAddress) else { return false }
        let verdict = socket.uid == geteuid() || socket.uid == 0
        trusted.withLock { $0[key] = verdict }
        channel.closeFuture.whenComplete { [trusted] _ in trusted.withLock { _ = $0.removeValue(forKey: key) } }
        return verdict
    }
}
