import Logging
import ServiceLifecycle
import StarfleetHTTP
import StarfleetLambda

/// Waits until every endpoint is bound, then says "started" and READY=1: a taken port fails the start, not a later
/// request. Throws the first bind error (the daemon exits 69).
struct StartupAnnouncer: Service {
    let endpoints: DaemonEndpoints
    let hub: WorkerRuntimeHub
    let logger: Logger
    let announce: @Sendable () -> Void

    func run() async throws {
        for server in endpoints.all {
            let port = try await server.bound.port()
            if server.address == endpoints.workers.address { hub.address.withLock { $0 = "http://127.0.0.1:\(port)" } }
            do {
                var shown = "\(server.address)"
                if case .tcp(let host, _) = server.address { shown = "\(HTTPServer.Address.tcp(host: host, port: port))" }
                logger.info("serving \(server.name)", metadata: ["address": "\(shown)"])
            }
        }
        // A stop before the first generation is up must not wait for it.
        await withGracefulShutdownHandler {
            _ = try? await hub.settled.port()
        } onGracefulShutdown: {
            hub.firstGenerationFailed()
        }
        guard !Task.isShuttingDownGracefully else { return }
        announce()
        try? await gracefulShutdown()
    }
}
