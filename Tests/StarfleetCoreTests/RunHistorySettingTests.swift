import StarfleetCore
import Testing

/// `RunHistoryMaxRuns` / `RunHistoryMaxAgeDays`: defaults, `STARFLEET` for every worker, a worker's own keys over
/// those, and out-of-range values refused with their place.
@Suite struct RunHistorySettingTests {
    static let worker = """
        AuditWorker:
          Enabled: true
          TemplatePrefix: AuditWorker/
          InvocationSources: [S3]
          Command: [./audit.py]
          FanOutStrategy: ACCOUNT

        """

    @Test func defaultsAreAThousandRunsAndSevenDays() throws {
        let (config, diagnostics) = try ConfigDir(["a.yaml": "STARFLEET: {}\n" + Self.worker]).load()
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let c = try #require(config)
        let policy = c.runHistory(for: try #require(c.worker(named: "AuditWorker")))
        #expect(policy == RunHistoryPolicy(maxRuns: 1000, maxAgeDays: 7))
    }

    @Test func aWorkerKeyOverridesTheStarfleetOne() throws {
        let yaml = "STARFLEET:\n  RunHistoryMaxRuns: 50\n  RunHistoryMaxAgeDays: 2\n" + Self.worker + "  RunHistoryMaxRuns: 0\n"
        let (config, diagnostics) = try ConfigDir(["a.yaml": yaml]).load()
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let c = try #require(config)
        #expect(c.runHistory(for: try #require(c.worker(named: "AuditWorker"))) == RunHistoryPolicy(maxRuns: 0, maxAgeDays: 2))
    }

    @Test func outOfRangeValuesAreErrorsWithTheirPlace() throws {
        let yaml = "STARFLEET:\n  RunHistoryMaxAgeDays: 0\n" + Self.worker + "  RunHistoryMaxRuns: 1000001\n"
        let errors = try ConfigDir(["a.yaml": yaml]).errors()
        #expect(errors.count == 2)
        #expect(errors.contains { $0.hasPrefix("a.yaml:2:25: error: STARFLEET.RunHistoryMaxAgeDays:") })
        #expect(errors.contains { $0.hasPrefix("a.yaml:9:22: error: AuditWorker.RunHistoryMaxRuns:") })
    }
}
