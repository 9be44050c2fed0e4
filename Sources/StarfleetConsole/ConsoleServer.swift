package import Logging
package import StarfleetCore
package import StarfleetHTTP

/// The web console's HTTP endpoint on `STARFLEET.ConsoleAddress` (loopback TCP, or a 0600 Unix socket for a
/// reverse proxy), answering only its own address and the listed names, with a fresh CSRF token per daemon start.
package enum ConsoleServer {
    package static func make(address: ConsoleAddress, source: ConsoleSource, catalog: ConsoleCatalog, logger: Logger)
        -> HTTPServer
    {
        let router = HTTPServer.router()
        let running = source.running
        let hosts = ConsoleHosts(address: address) { running.current.configuration.starfleet.consoleHostNames }
        // Before every route, so no page (and no token) is rendered for another Host.
        router.add(middleware: hosts)
        ConsoleRoutes.add(to: router, source: source, catalog: catalog, guard: ConsoleGuard(hosts: hosts))
        let bind: HTTPServer.Address
        switch address {
        case .tcp(let a): bind = .tcp(host: a.host, port: Int(a.port))
        case .unix(let path): bind = .unix(path: path)
        }
        return HTTPServer(
            name: "the web console", router: router, address: bind, policy: .console, maxConnections: 256, logger: logger)
    }
}

extension ConnectionPolicy {
    /// The console: any local user (docs/operations.md, "Who can reach it"), 32 connections each (a browser opens 6).
    static let console = ConnectionPolicy(
        admission: .everyone, perUserConnections: 32, headTimeout: .seconds(5), bodyTimeout: .seconds(10))
}
