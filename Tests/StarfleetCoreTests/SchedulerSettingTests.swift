import Testing

/// `STARFLEET.Scheduler`: on by default, `false` makes a consumer-only host, anything but a boolean is an error.
@Suite struct SchedulerSettingTests {
    @Test func defaultsToTrue() throws {
        let (config, diagnostics) = try ConfigDir(["a.yaml": "STARFLEET: {}\n"]).load()
        #expect(diagnostics.isEmpty)
        #expect(try #require(config).starfleet.scheduler)
    }

    @Test func falseMakesAConsumerOnlyHost() throws {
        let (config, diagnostics) = try ConfigDir(["a.yaml": "STARFLEET:\n  Scheduler: false\n"]).load()
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(try #require(config).starfleet.scheduler == false)
    }

    @Test func anythingElseIsAnErrorWithItsPlace() throws {
        let errors = try ConfigDir(["a.yaml": "STARFLEET:\n  Scheduler: sometimes\n"]).errors()
        #expect(
            errors == [
                "a.yaml:2:14: error: STARFLEET.Scheduler: Not a valid boolean: found the string \"sometimes\". (use true or false)"
            ])
    }
}
