import FoundationEssentials
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import StarfleetConsole
import StarfleetCore
import StarfleetDaemon
import StarfleetHTTP
import StarfleetLambda
import StarfleetMetrics

/// The daemon's HTTP endpoints, all on one stack (Hummingbird):
/// - the workers' listener on 127.0.0.1 (an ephemeral port): the Lambda Runtime API for warm processes and the
///   Invoke API for any worker (`AWS_ENDPOINT_URL_LAMBDA`); only the daemon's own processes and user are answered;
/// - the Invoke API on `<runtime>/invoke.sock` (0600: the daemon's user and root), for `starfleetctl invoke`;
/// - optionally the Invoke API on `STARFLEET.InvokeAddress` (loopback; this user and root only);
/// - optionally Prometheus metrics on `STARFLEET.MetricsAddress`;
/// - optionally the web console on `STARFLEET.ConsoleAddress` (loopback or a Unix socket).
struct DaemonEndpoints: Sendable {
    let workers: HTTPServer
    let invokeSocket: HTTPServer
    let invokeTCP: HTTPServer?
    let metrics: HTTPServer?
    let console: HTTPServer?

    var all: [HTTPServer] { [workers, invokeSocket] + [invokeTCP, metrics, console].compactMap { $0 } }

    init(
        configuration: Configuration, hub: WorkerRuntimeHub, registry: MetricsRegistry, runtimeDirectory: String,
        console source: ConsoleSource, catalog: ConsoleCatalog, logger: Logger
    ) {
        let workerRouter = HTTPServer.router()
        RuntimeAPIRoutes.add(to: workerRouter, hub: hub)
        InvokeAPIRoutes.add(to: workerRouter, hub: hub) { hub.isTrustedLocalUser($0) }
        // A long poll on …/next may wait for hours: it is a request being answered, never idle.
        workers = HTTPServer(
            name: "the workers' Runtime and Invoke API", router: workerRouter,
            address: .tcp(host: "127.0.0.1", port: 0), policy: .workers, maxConnections: 4096, logger: logger)

        let socketRouter = HTTPServer.router()
        InvokeAPIRoutes.add(to: socketRouter, hub: hub) { _ in true }  // the socket file's mode decides who connects
        invokeSocket = HTTPServer(
            name: "the Invoke API", router: socketRouter,
            address: .unix(path: StatePaths.invokeSocket(inRuntimeDirectory: runtimeDirectory)),
            policy: .invoke, logger: logger)

        if let address = configuration.starfleet.invokeAddress {
            let router = HTTPServer.router()
            InvokeAPIRoutes.add(to: router, hub: hub) { hub.isTrustedLocalUser($0) }
            invokeTCP = HTTPServer(
                name: "the Invoke API", router: router, address: .tcp(host: address.host, port: Int(address.port)),
                policy: .invoke, logger: logger)
        } else {
            invokeTCP = nil
        }
        if let address = configuration.starfleet.metricsAddress {
            let router = HTTPServer.router()
            router.get("metrics") { _, _ -> Response in
                Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: registry.render())))
            }
            metrics = HTTPServer(
                name: "metrics", router: router, address: .tcp(host: address.host, port: Int(address.port)),
                policy: .metrics, maxConnections: 256, logger: logger)
        } else {
            metrics = nil
        }
        console = configuration.starfleet.consoleAddress.map {
            ConsoleServer.make(address: $0, source: source, catalog: catalog, logger: logger)
        }
    }
}

extension ConnectionPolicy {
    /// The workers' listener: the daemon's processes (its user) and root, a request head within 5 s of connecting or
    /// of the last response (a warm process asks for its next invocation at once), a body within 30 s.
    static let workers = ConnectionPolicy(
        admission: daemonUserAndRoot, perUserConnections: 4096, headTimeout: .seconds(5), bodyTimeout: .seconds(30))
    /// The Invoke API (socket and TCP): the daemon's user and root; a 6 MB payload has 30 s.
    static let invoke = ConnectionPolicy(
        admission: daemonUserAndRoot, perUserConnections: 256, headTimeout: .seconds(5), bodyTimeout: .seconds(30))
    /// Metrics: any local user (a Prometheus of its own user scrapes), 32 connections each, a request within 2 s.
    static let metrics = ConnectionPolicy(
        admission: .everyone, perUserConnections: 32, headTimeout: .seconds(2), bodyTimeout: .seconds(2))
}
