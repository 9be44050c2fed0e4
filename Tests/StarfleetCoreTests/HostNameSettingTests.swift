import Foundation
import StarfleetCore
import Testing

/// `STARFLEET.HostName`: the name a host gives its runs and its fleet records; unset means the machine's name.
@Suite struct HostNameSettingTests {
    @Test func unsetByDefaultAndTakenAsWritten() throws {
        let (plain, diagnostics) = try ConfigDir(["a.yaml": "STARFLEET: {}\n"]).load()
        #expect(diagnostics.isEmpty)
        #expect(try #require(plain).starfleet.hostName == nil)
        let (named, _) = try ConfigDir(["a.yaml": "STARFLEET:\n  HostName: worker-2.example_net\n"]).load()
        #expect(try #require(named).starfleet.hostName == "worker-2.example_net")
    }

    @Test func aNameWithSpacesOrControlCharactersIsRefusedWithItsPosition() throws {
        let errors = try ConfigDir(["a.yaml": "STARFLEET:\n  HostName: \"a b\\n\"\n"]).errors()
        #expect(errors.count == 1 && errors[0].hasPrefix("a.yaml:2:13: error: STARFLEET.HostName:"), "\(errors)")
        let long = try ConfigDir(["a.yaml": "STARFLEET:\n  HostName: \(String(repeating: "h", count: 300))\n"]).errors()
        #expect(long.count == 1 && long[0].contains("STARFLEET.HostName"), "\(long)")
    }
}
