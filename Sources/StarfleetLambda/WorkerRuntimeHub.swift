import FoundationEssentials
import Glibc
package import Logging
package import NIOCore
import StarfleetCore
package import StarfleetDaemon
package import StarfleetHTTP
import StarfleetWorkers

/// What the daemon's worker-facing endpoints reach, across reloads: the warm pools and the invoker of the running
/// generation (each generation installs its own), the alerts, and which connection belongs to which process.
package final class WorkerRuntimeHub: Sendable {
    struct Current: Sendable {
        var configuration: Configuration
        var invoker: DaemonInvoker
        var pools: [String: WarmPool]
    }

    let logger: Logger
    let alerts: AlertDispatcher?
    private let current = Locked<Current?>(nil)
    /// Connection → (worker, pid, token), learnt once per connection and forgotten when it closes.
    private let peers = Locked<[ObjectIdentifier: Peer]>([:])
    /// Connection → whether its user may use the Invoke API on TCP.
    private let trusted = Locked<[ObjectIdentifier: Bool]>([:])
    /// Refused Runtime API requests, one warning a minute per uid.
    private let refusals = Locked(RefusalLog())
    /// `http://127.0.0.1:<port>` once the worker listener is bound.
    package let address = Locked<String?>(nil)

    struct Peer: Sendable {
        let pool: WarmPool
        let pid: pid_t
        let token: String
    }

    /// Where the warm pools report cold starts and process counts (nil: nowhere, as in tests that need neither).
    let warmActivity: WarmProcessActivity?

    package init(logger: Logger, alerts: AlertDispatcher?, warmActivity: WarmProcessActivity? = nil) {
        self.logger = logger
        self.alerts = alerts
        self.warmActivity = warmActivity
    }

    func install(_ value: Current?) {
        current.withLock { $0 = value }
        if value != nil { settled.resolve(.success(0)) }
    }
    var running: Current? { current.value }

    /// Resolved once the first generation has installed its workers (or could not): "started" and READY=1 wait for
    /// it, so an invoke right after the start finds its worker.
    package let settled = BindSignal()
    func firstGenerationFailed() { settled.resolve(.success(0)) }

    /// The warm process on the other end of `channel` that was given `token`, or nil. Two locks, both required: the
    /// token names one process of a pool of the running generation, and the connection's socket (found by its exact
    /// four-tuple) belongs to this user and is an open file of that process or its process group.
    func peer(of channel: any Channel, token: String) async -> Peer? {
        let key = ObjectIdentifier(channel)
        if let known = peers.withLock({ $0[key] }) {
            if known.token == token { return known }
            refuse(nil, "a Runtime API request with another process's token on a known connection")
            return nil
        }
        guard RuntimeToken.isWellFormed(token), let pools = current.value?.pools.values,
            let pool = pools.first(where: { $0.process(holding: token) != nil })
        else {
            refuse(nil, "a Runtime API request without a current process's token")
            return nil
        }
        guard let socket = LoopbackPeer.find(remote: channel.remoteAddress, local: channel.localAddress) else {
            refuse(nil, "a Runtime API connection whose socket could not be found")
            return nil
        }
        guard socket.uid == geteuid() else {
            refuse(socket.uid, "a Runtime API connection from another user")
            return nil
        }
        // The process is known to its pool the moment it is spawned, its pid a moment later; retry briefly in case its
        // first request wins that race. Real time on purpose, not the injected clock: this waits for another thread
        // to record a real process's pid (at most 10 ms, once per connection); it is not a loop of the daemon.
        for attempt in 0..<3 {
            guard let holder = pool.process(holding: token) else { break }
            if let pid = holder, socket.owner(among: [pid]) == pid {
                let peer = Peer(pool: pool, pid: pid, token: token)
                peers.withLock { $0[key] = peer }
                channel.closeFuture.whenComplete { [peers] _ in peers.withLock { _ = $0.removeValue(forKey: key) } }
                return peer
            }
            if attempt < 2 { try? await Task.sleep(nanoseconds: 5_000_000) }
        }
        refuse(socket.uid, "a Runtime API connection from a process that does not hold its token")
        return nil
    }

    /// Whether a connection to an Invoke API on TCP comes from this user (or root): other local users may not invoke.
    /// Learnt once per connection (the listener has admitted only these users already; this is the second look).
    package func isTrustedLocalUser(_ channel: any Channel) -> Bool {
        let key = ObjectIdentifier(channel)
        if let known = trusted.withLock({ $0[key] }) { return known }
        guard let socket = LoopbackPeer.find(remote: channel.remoteAddress, local: channel.localAddress) else { return false }
        let verdict = socket.uid == geteuid() || socket.uid == 0
        trusted.withLock { $0[key] = verdict }
        channel.closeFuture.whenComplete { [trusted] _ in trusted.withLock { _ = $0.removeValue(forKey: key) } }
        if !verdict { refuse(socket.uid, "an Invoke API connection from another user") }
        return verdict
    }

    private func refuse(_ uid: uid_t?, _ what: String) {
        let key = uid ?? UInt32.max
        guard let count = refusals.withLock({ $0.note(key, now: .now) }) else { return }
        logger.warning(
            "refused \(what) (\(count) refused from this user in the last minute)",
            metadata: ["uid": "\(uid.map { "\($0)" } ?? "unknown")"])
    }
}
