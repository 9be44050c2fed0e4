import StarfleetCore
import Testing

/// `STARFLEET.ConsoleHostNames` and the Host values the console compares: names are case-insensitive and a trailing
/// dot names the same host, so both compare equal; anything that is not a host (a URL, a wildcard) is a
/// configuration error with its line.
@Suite struct ConsoleHostNamesTests {
    @Test(arguments: [
        ("starfleet.example.com", "starfleet.example.com"), ("starfleet.example.com:8443", "starfleet.example.com:8443"),
        ("StarFleet.Example.COM.", "starfleet.example.com"), ("localhost:9000", "localhost:9000"),
        ("127.0.0.1", "127.0.0.1"), ("[::1]:8080", "[::1]:8080"), ("[::1]", "[::1]"), ("a-1.b", "a-1.b"),
    ])
    func parsesNamesNormalized(_ text: String, _ expected: String) throws {
        #expect(try ConsoleHostName.parse(text).get().description == expected)
    }

    @Test(arguments: [
        "", "https://starfleet.example.com", "starfleet.example.com/", "*.example.com", "a b", "-a.example", "a-.example",
        "a..b", ".", "example.com:0", "example.com:65536", "example.com:", "example.com:80x", "::1", "[::1", "[::1]x",
        "[zz]:80", "ex_ample.com", "é.example", String(repeating: "a", count: 64) + ".com",
    ])
    func refusesAnythingButAHost(_ text: String) {
        #expect(throws: MetricsAddressError.self) { try ConsoleHostName.parse(text).get() }
    }

    @Test func aNameWithoutAPortAcceptsAnyPortAndOneWithAPortOnlyThatOne() throws {
        let any = try ConsoleHostName.parse("starfleet.example.com").get()
        let fixed = try ConsoleHostName.parse("starfleet.example.com:8443").get()
        let https = try ConsoleHostName.parse("starfleet.example.com:443").get()
        func host(_ text: String) throws -> ConsoleHostName { try ConsoleHostName.parse(text).get() }
        #expect(any.accepts(try host("STARFLEET.example.com.")))
        #expect(any.accepts(try host("starfleet.example.com:8443")))
        #expect(fixed.accepts(try host("starfleet.example.com:8443")))
        #expect(!fixed.accepts(try host("starfleet.example.com:8444")))
        #expect(!fixed.accepts(try host("starfleet.example.com")))
        #expect(https.accepts(try host("starfleet.example.com")))  // the browser leaves the default port out
        #expect(!any.accepts(try host("starfleet.example.com.evil.example")))
        #expect(!any.accepts(try host("evil.example")))
    }

    @Test func ownNamesAreTheBoundLoopbackAndLocalhostAtItsPort() throws {
        func own(_ text: String) throws -> [String] { try ConsoleAddress.parse(text).get().ownHostNames.map(\.description) }
        #expect(try own("127.0.0.1:8080") == ["127.0.0.1:8080", "localhost:8080"])
        #expect(try own("[::1]:8080") == ["[::1]:8080", "localhost:8080"])
        #expect(try own("localhost:8080") == ["localhost:8080", "127.0.0.1:8080", "[::1]:8080"])
        #expect(try own("unix:/run/c.sock") == [])
    }

    @Test func theKeyIsAListOfHostsCheckedWithTheirLines() throws {
        let ok = try ConfigDir([
            "a.yaml": "STARFLEET:\n  ConsoleAddress: unix:/tmp/c.sock\n  ConsoleHostNames: [Starfleet.Example.com, 'h:8443']\n"
        ])
        #expect(ok.load().0?.starfleet.consoleHostNames.map(\.description) == ["starfleet.example.com", "h:8443"])
        #expect(try ConfigDir(["a.yaml": "STARFLEET: {}\n"]).load().0?.starfleet.consoleHostNames == [])
        let bad = try ConfigDir([
            "a.yaml":
                "STARFLEET:\n  ConsoleAddress: 127.0.0.1:8080\n  ConsoleHostNames:\n    - ok.example\n    - https://x.example/\n"
        ])
        let errors = bad.errors()
        #expect(errors.count == 1)
        #expect(
            errors.first?.hasPrefix("a.yaml:5:7: error: STARFLEET.ConsoleHostNames: a host name or host:port, not a URL") == true)
        #expect(bad.load().0 == nil)
        let scalar = try ConfigDir(["a.yaml": "STARFLEET:\n  ConsoleAddress: 127.0.0.1:8080\n  ConsoleHostNames: h.example\n"])
        #expect(scalar.errors().count == 1)
    }

    @Test func namesWithoutAConsoleAreAWarning() throws {
        let dir = try ConfigDir(["a.yaml": "STARFLEET:\n  ConsoleHostNames: [h.example]\n"])
        let (configuration, diagnostics) = dir.load()
        #expect(configuration != nil)
        #expect(diagnostics.contains { $0.severity == .warning && $0.description.contains("no ConsoleAddress") })
    }
}
