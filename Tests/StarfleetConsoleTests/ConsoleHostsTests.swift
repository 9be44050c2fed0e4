import StarfleetCore
import Testing

@testable import StarfleetConsole
@testable import StarfleetDaemon

extension ConsoleHosts {
    /// The console on `address` (as `ConsoleAddress` is written) with `names` listed in `ConsoleHostNames`.
    static func on(_ address: String, names: [String] = []) -> ConsoleHosts {
        let parsed = names.compactMap { try? ConsoleHostName.parse($0).get() }
        return ConsoleHosts(address: (try? ConsoleAddress.parse(address).get()) ?? .unix(path: "/nonexistent")) { parsed }
    }
}

/// Which Host headers the console answers (DNS rebinding): its own address at its own port, and the listed names.
@Suite struct ConsoleHostsTests {
    @Test func aLoopbackConsoleAnswersItsAddressAndLocalhostAtItsPort() {
        let hosts = ConsoleHosts.on("127.0.0.1:8080")
        for host in ["127.0.0.1:8080", "localhost:8080", "LocalHost:8080", "localhost.:8080", "LOCALHOST.:8080"] {
            #expect(hosts.allows(host), "\(host)")
        }
        for host in [
            nil, "", "127.0.0.1:9090", "127.0.0.1", "localhost", "localhost:80", "[::1]:8080", "127.0.0.2:8080",
            "rebind.attacker.example:8080", "rebind.attacker.example", "REBIND.attacker.example.:8080",
            "127.0.0.1.attacker.example:8080", "localhost.attacker.example:8080", "localhost:8080.attacker.example",
            "127.0.0.1:8080 ", "127.0.0.1:08080x", "localhost..:8080", "user@127.0.0.1:8080", "127.0.0.1:8080/",
        ] {
            #expect(!hosts.allows(host), "\(host ?? "no Host")")
        }
    }

    @Test func eachBoundAddressAnswersTheNamesThatReachIt() {
        let v6 = ConsoleHosts.on("[::1]:8080")
        #expect(v6.allows("[::1]:8080") && v6.allows("localhost:8080"))
        #expect(!v6.allows("127.0.0.1:8080") && !v6.allows("[::1]:8081"))
        let local = ConsoleHosts.on("localhost:8080")
        #expect(local.allows("localhost:8080") && local.allows("127.0.0.1:8080") && local.allows("[::1]:8080"))
        #expect(!local.allows("127.0.0.1:8081"))
        // Port 80: a browser leaves the default port out of the Host.
        let eighty = ConsoleHosts.on("127.0.0.1:80")
        #expect(eighty.allows("127.0.0.1") && eighty.allows("127.0.0.1:80") && eighty.allows("localhost"))
        #expect(!eighty.allows("rebind.attacker.example"))
    }

    @Test func listedNamesAreAnsweredTooWithTheirPortOrAny() {
        let hosts = ConsoleHosts.on("127.0.0.1:8080", names: ["starfleet.example.com", "tunnel.example:9000"])
        #expect(hosts.allows("127.0.0.1:8080"))
        #expect(hosts.allows("starfleet.example.com") && hosts.allows("Starfleet.Example.com.:8443"))
        #expect(hosts.allows("tunnel.example:9000") && !hosts.allows("tunnel.example:9001") && !hosts.allows("tunnel.example"))
        #expect(!hosts.allows("rebind.attacker.example:8080") && !hosts.allows(nil))
    }

    /// A Unix socket is reached only through the proxy the operator set up: with names listed only those, else any.
    @Test func aUnixSocketAnswersItsListedNamesOrAnyWhenNoneAreListed() {
        let open = ConsoleHosts.on("unix:/run/c.sock")
        #expect(open.allows("anything.example:1234") && open.allows(nil) && open.allows("127.0.0.1:8080"))
        let named = ConsoleHosts.on("unix:/run/c.sock", names: ["starfleet.example.com"])
        #expect(named.allows("starfleet.example.com") && named.allows("STARFLEET.example.com:443"))
        #expect(!named.allows("rebind.attacker.example") && !named.allows(nil) && !named.allows("localhost"))
    }

    /// The names are read at each request: a reload that lists one takes effect without a restart.
    @Test func listedNamesAreReadAtEachRequest() throws {
        let names = NamesBox()
        let hosts = ConsoleHosts(address: try ConsoleAddress.parse("127.0.0.1:8080").get()) { names.value }
        #expect(!hosts.allows("proxy.example"))
        names.value = [try ConsoleHostName.parse("proxy.example").get()]
        #expect(hosts.allows("proxy.example"))
    }
}

private final class NamesBox: @unchecked Sendable {
    var value: [ConsoleHostName] = []
}
