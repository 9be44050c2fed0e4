import StarfleetCore
import Testing

@Suite struct MetricsAddressTests {
    @Test(arguments: [
        ("127.0.0.1:9464", "127.0.0.1", 9464, true),
        ("localhost:1", "localhost", 1, true),
        ("[::1]:9464", "::1", 9464, true),
        ("0.0.0.0:65535", "0.0.0.0", 65535, false),
        ("10.1.2.3:9100", "10.1.2.3", 9100, false),
    ])
    func accepts(_ text: String, _ host: String, _ port: Int, _ loopback: Bool) throws {
        let address = try MetricsAddress.parse(text).get()
        #expect(address.host == host && Int(address.port) == port && address.isLoopback == loopback)
        #expect(address.description == text)
    }

    @Test(arguments: [
        ":9464", "9464", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:", "256.0.0.1:80", "example.com:80", "::1:9464",
        "[::1]9464", "[zz]:80", "127.0.0.1:+80",
    ])
    func rejects(_ text: String) {
        #expect(throws: MetricsAddressError.self) { try MetricsAddress.parse(text).get() }
    }

    @Test func configurationKeyIsValidatedWithALineAndAHint() throws {
        let ok = try ConfigDir(["a.yaml": "STARFLEET:\n  MetricsAddress: 127.0.0.1:9464\n"])
        #expect(ok.load().0?.starfleet.metricsAddress == MetricsAddress(host: "127.0.0.1", port: 9464))
        let off = try ConfigDir(["a.yaml": "STARFLEET: {}\n"])
        #expect(off.load().0?.starfleet.metricsAddress == nil)
        let bad = try ConfigDir(["a.yaml": "STARFLEET:\n  MetricsAddress: :9464\n"])
        #expect(
            bad.errors() == [
                "a.yaml:2:19: error: STARFLEET.MetricsAddress: the host is missing: write 127.0.0.1:9464 (this machine) or 0.0.0.0:9464 (every interface) (e.g. MetricsAddress: 127.0.0.1:9464)"
            ])
        let open = try ConfigDir(["a.yaml": "STARFLEET:\n  MetricsAddress: 0.0.0.0:9464\n"])
        let (config, diagnostics) = open.load()
        #expect(config != nil)
        #expect(diagnostics.map(\.severity) == [.warning])
    }
}
