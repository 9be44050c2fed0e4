import StarfleetCore
import Testing

@Suite struct ConsoleAddressTests {
    @Test(arguments: ["127.0.0.1:8080", "[::1]:8080", "localhost:8080", "127.0.0.2:1", "unix:/run/starfleetd/console.sock"])
    func acceptsThisMachineOnly(_ text: String) throws {
        #expect(try ConsoleAddress.parse(text).get().description == text)
    }

    @Test(arguments: [
        "0.0.0.0:8080", "10.1.2.3:8080", "[::]:8080", "[fe80::1]:80", "unix:console.sock", "unix:", ":8080", "127.0.0.1:0",
        "example.com:80", "unix:/" + String(repeating: "a", count: 107),
    ])
    func refusesEverythingElse(_ text: String) {
        #expect(throws: MetricsAddressError.self) { try ConsoleAddress.parse(text).get() }
    }

    @Test func configurationKeyIsAnErrorWithALineWhenNotLocal() throws {
        let ok = try ConfigDir(["a.yaml": "STARFLEET:\n  ConsoleAddress: unix:/tmp/c.sock\n"])
        #expect(ok.load().0?.starfleet.consoleAddress == .unix(path: "/tmp/c.sock"))
        let off = try ConfigDir(["a.yaml": "STARFLEET: {}\n"])
        #expect(off.load().0?.starfleet.consoleAddress == nil)
        let open = try ConfigDir(["a.yaml": "STARFLEET:\n  ConsoleAddress: 0.0.0.0:8080\n"])
        let errors = open.errors()
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("a.yaml:2:19: error: STARFLEET.ConsoleAddress: the console can redrive") == true)
        #expect(open.load().0 == nil)
    }
}
