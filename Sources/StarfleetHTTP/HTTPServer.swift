import Glibc
package import Hummingbird
import HummingbirdCore
package import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// One HTTP/1.1 endpoint of the daemon (metrics, the Lambda Runtime and Invoke APIs, the console) on Hummingbird:
/// loopback TCP or a Unix socket, connections served concurrently, admitted by their owner's uid
/// (``ConnectionPolicy``), capped per user and in all, and closed when a request does not arrive in time.
package struct HTTPServer: Service {
    package enum Address: Sendable, Hashable, CustomStringConvertible {
        case tcp(host: String, port: Int)
        /// Created mode 0600 (a stale socket file from an earlier run is replaced).
        case unix(path: String)

        package var description: String {
            switch self {
            case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            case .unix(let path): return "unix:\(path)"
            }
        }
    }

    package let name: String
    package let responder: RouterResponder<PeerContext>
    package let address: Address
    /// Who may connect, how many connections each user may hold, and how long a request may take to arrive.
    package let policy: ConnectionPolicy
    /// Connections open at once, all users together (Hummingbird stops accepting beyond it).
    package var maxConnections: Int
    package let logger: Logger
    /// Resolved once the socket is bound (with the port, for a TCP port 0) or binding failed.
    package let bound: BindSignal
    /// The open connections per user and the refusals.
    package let ledger: ConnectionLedger

    package init(
        name: String, router: Router<PeerContext>, address: Address, policy: ConnectionPolicy, maxConnections: Int = 256,
        logger: Logger
    ) {
        self.name = name
        self.responder = router.buildResponder()
        self.address = address
        self.policy = policy
        self.maxConnections = maxConnections
        self.logger = logger
        self.bound = BindSignal()
        self.ledger = ConnectionLedger(endpoint: name, policy: policy, logger: logger)
    }

    /// A router for an endpoint, its middleware in place (Hummingbird applies middleware to the routes added after it).
    package static func router() -> Router<PeerContext> {
        let router = Router(context: PeerContext.self)
        router.add(middleware: HeaderLimitMiddleware())
        return router
    }

    package func run() async throws {
        let bindAddress: BindAddress
        switch address {
        case .tcp(let host, let port): bindAddress = .hostname(host, port: port)
        case .unix(let path):
            unlink(path)
            bindAddress = .unixDomainSocket(path: path)
        }
        // Hummingbird's idle timeout runs from the connection's start and from each response's end until the next
        // request part: no part is read before a head is whole, so it is the head's deadline too. A request that
        // is being answered (a long poll) is never idle.
        let idle = TimeAmount(policy.headTimeout)
        let ledger = self.ledger
        let address = self.address
        let bound = self.bound
        // HummingbirdCore's server with our responder, not Hummingbird's Application: the Application runs a date
        // cache that wakes every second, and an idle daemon must not wake at all (no Date header is needed here).
        let responder = self.responder
        let server = try HTTPServerBuilder.http1(
            configuration: .init(additionalChannelHandlers: [ConnectionGuard(ledger: ledger)], idleTimeout: idle)
        ).buildServer(
            configuration: ServerConfiguration(
                address: bindAddress, backlog: 256,
                availableConnectionsDelegate: MaximumAvailableConnections(maxConnections, logger: logger)),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger,
            responder: { request, writer, channel in
                let context = PeerContext(source: ApplicationRequestContextSource(channel: channel, logger: logger))
                let response: Response
                do {
                    response = try await responder.respond(to: request, context: context)
                } catch {
                    response = Response(status: .internalServerError)
                }
                try await writer.write(response: response.head, body: response.body)
            },
            onServerRunning: { channel in
                if case .unix(let path) = address { chmod(path, 0o600) }
                bound.resolve(.success(channel.localAddress?.port ?? 0))
            })
        do {
            try await server.run()
        } catch {
            bound.resolve(.failure(HTTPServerError(endpoint: name, address: address, underlying: "\(error)")))
            throw HTTPServerError(endpoint: name, address: address, underlying: "\(error)")
        }
        bound.resolve(.failure(HTTPServerError(endpoint: name, address: address, underlying: "stopped before it was bound")))
    }
}

/// Why an endpoint could not serve.
package struct HTTPServerError: Error, CustomStringConvertible {
    package var endpoint: String
    package var address: HTTPServer.Address
    package var underlying: String
    package var description: String { "cannot serve \(endpoint) on \(address): \(underlying)" }
}

/// A one-shot result that any number of tasks can await: the bound port, or why binding failed.
package final class BindSignal: Sendable {
    private let state = Mutex<(result: Result<Int, HTTPServerError>?, waiters: [CheckedContinuation<Int, any Error>])>((nil, []))

    package init() {}

    package func resolve(_ result: Result<Int, HTTPServerError>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int, any Error>] in
            guard state.result == nil else { return [] }
            state.result = result
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(with: result.mapError { $0 as any Error }) }
    }

    /// The bound port (0 for a Unix socket); throws the bind error.
    package func port() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<Int, HTTPServerError>? in
                if let result = state.result { return result }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(with: ready.mapError { $0 as any Error }) }
        }
    }
}
