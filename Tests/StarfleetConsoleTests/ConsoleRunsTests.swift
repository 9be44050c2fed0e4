import Foundation
import StarfleetRunHistory
import StarfleetTestSupport
import Testing

@testable import StarfleetConsole
@testable import StarfleetDaemon

/// The worker page's recent runs: read from the run history as `starfleetctl runs` reads it, then filtered.
@Suite struct ConsoleRunsTests {
    @Test func runsAreFilteredByOutcomeAccountRegionAndTemplateNewestFirst() throws {
        let root = NSTemporaryDirectory() + "console-runs-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let clock = ManualClock()
        let (writer, _) = try RunHistoryWriter.open(directory: root + "/Audit", clock: clock)
        let limits = RunHistoryLimits(maxRuns: 100, maxAgeSeconds: 86_400)
        let plan: [(String, RunOutcome)] = [
            ("111", .succeeded), ("222", .failedWillRetry), ("222", .deadLettered), ("333", .succeeded),
        ]
        for (n, (account, outcome)) in plan.enumerated() {
            try writer.append(
                RunRecord(
                    worker: "Audit", template: n < 2 ? "Audit/a.yaml" : "Audit/b.yaml", account: account,
                    region: n % 2 == 0 ? "us-east-1" : "eu-west-1", messageId: "m-\(n)", attempt: 1, started: clock.now(),
                    durationSeconds: 0.1, outcome: outcome), limits: limits)
            clock.advance(by: 1)
        }
        func runs(_ outcome: String?, _ account: String?, region: String? = nil, template: String? = nil) -> [String] {
            ConsoleSource.recentRuns(
                of: "Audit", history: root,
                filter: .init(outcome: outcome, account: account, region: region, template: template), limits: limits,
                now: clock.now()
            ).runs.map(\.messageId)
        }
        #expect(runs(nil, nil) == ["m-3", "m-2", "m-1", "m-0"])
        #expect(runs("failures", nil) == ["m-2", "m-1"])
        #expect(runs("dead-lettered", "222") == ["m-2"])
        #expect(runs(nil, "111") == ["m-0"])
        #expect(runs("succeeded", "222") == [])
        #expect(runs(nil, nil, region: "eu-west-1") == ["m-3", "m-1"])
        #expect(runs(nil, nil, template: "Audit/a.yaml") == ["m-1", "m-0"])
        #expect(runs("failures", "222", region: "us-east-1", template: "Audit/b.yaml") == ["m-2"])
    }

    @Test func eachRunShowsTheHostThatMadeItEscaped() {
        var recorded = RunRecord(
            worker: "Audit", messageId: "m-1", attempt: 1, started: Date(), durationSeconds: 0.1, outcome: .succeeded)
        recorded.host = "fleet-<2>"
        let older = RunRecord(
            worker: "Audit", messageId: "m-0", attempt: 1, started: Date(), durationSeconds: 0.1, outcome: .succeeded)
        let html = ConsolePages.recentRuns(
            .init(name: "Audit", settings: [], templates: [], runs: [recorded, older]))
        #expect(html.contains("<th>host</th>"))
        #expect(html.contains("<td class=\"host\">fleet-&lt;2&gt;</td>"))
        #expect(html.contains("<td class=\"host\">—</td>"))
    }

    @Test func aWorkerWithoutHistoryHasNoRunsAndNoError() {
        let result = ConsoleSource.recentRuns(
            of: "Nobody", history: "/nonexistent-" + UUID().uuidString, filter: .init(),
            limits: RunHistoryLimits(maxRuns: 10, maxAgeSeconds: 60), now: Date())
        #expect(result.runs.isEmpty)
    }
}
