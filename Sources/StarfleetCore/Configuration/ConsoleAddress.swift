/// `STARFLEET.ConsoleAddress`: where the daemon serves its web console. The console can redrive and purge dead
/// letters and has no authentication of its own, so only this machine may reach it: a loopback `host:port`
/// (`127.0.0.1:8080`, `[::1]:8080`, `localhost:8080`) or `unix:/path` (for a reverse proxy that authenticates).
package enum ConsoleAddress: Sendable, Hashable, CustomStringConvertible {
    case tcp(MetricsAddress)
    /// An absolute socket path.
    case unix(path: String)

    package var description: String {
        switch self {
        case .tcp(let address): return address.description
        case .unix(let path): return "unix:\(path)"
        }
    }

    /// The Host values a browser sends when it reaches this address itself: the literal bound and `localhost`, with the
    /// port (`localhost` stands for both loopbacks, so binding it accepts `127.0.0.1` and `[::1]` too). None for a Unix
    /// socket: only a proxy reaches it, and its names are `STARFLEET.ConsoleHostNames`.
    package var ownHostNames: [ConsoleHostName] {
        guard case .tcp(let address) = self else { return [] }
        let hosts = address.host == "localhost" ? ["localhost", "127.0.0.1", "::1"] : [address.host, "localhost"]
        return hosts.map { ConsoleHostName(host: $0, port: address.port) }
    }

    /// Parses a loopback `host:port` or `unix:/absolute/path`; anything reachable from another machine is refused.
    package static func parse(_ text: String) -> Result<ConsoleAddress, MetricsAddressError> {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst("unix:".count))
            guard path.hasPrefix("/") else {
                return .failure(.init("a Unix socket path is absolute: unix:/run/starfleetd/console.sock"))
            }
            // sun_path holds 108 bytes including the terminating NUL.
            guard path.utf8.count <= 107 else { return .failure(.init("the socket path is longer than 107 bytes")) }
            return .success(.unix(path: path))
        }
        switch MetricsAddress.parse(text) {
        case .success(let address) where address.isLoopback: return .success(.tcp(address))
        case .success(let address):
            return .failure(
                .init(
                    "the console can redrive and purge dead letters and has no authentication; \(address) is not a loopback address"
                ))
        case .failure(let error): return .failure(error)
        }
    }
}
