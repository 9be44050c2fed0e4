import Foundation
import Testing

@testable import StarfleetRunHistory

@Suite struct RunHistoryQueryTests {
    @Test func aTraceRootSelectsOneFanOutsRunsAcrossWorkers() {
        let f = HistoryFixture()
        let fanOut = "1-6571a2b0-0123456789abcdef01234567"
        var runs: [RunRecord] = []
        for (n, worker) in ["Audit", "Inventory", "Audit", "Audit"].enumerated() {
            var run = f.run(n, worker: worker)
            run.traceId = n == 2 ? "1-6571a2b0-ffffffffffffffffffffffff" : fanOut
            runs.append(run)
            f.clock.advance(by: 1)
        }
        runs.append(f.run(9))
        let picked = RunHistoryQuery(traceId: fanOut).apply(to: runs, limits: nil, now: f.clock.now())
        #expect(picked.map(\.messageId) == ["m-3", "m-1", "m-0"])
        #expect(Set(picked.map(\.worker)) == ["Audit", "Inventory"])
    }

    @Test func filtersByAccountFailureAndTimeNewestFirstUpToTheLimit() {
        let f = HistoryFixture()
        var runs: [RunRecord] = []
        for n in 1...6 {
            runs.append(
                f.run(n, outcome: n % 2 == 0 ? .failedWillRetry : .succeeded, account: n <= 3 ? "111111111111" : "222222222222"))
            f.clock.advance(by: 60)
        }
        let now = f.clock.now()
        #expect(
            RunHistoryQuery(account: "222222222222").apply(to: runs, limits: nil, now: now).map(\.messageId) == [
                "m-6", "m-5", "m-4",
            ])
        #expect(
            RunHistoryQuery(failedOnly: true).apply(to: runs, limits: nil, now: now).map(\.messageId) == ["m-6", "m-4", "m-2"])
        #expect(
            RunHistoryQuery(since: now.addingTimeInterval(-150)).apply(to: runs, limits: nil, now: now).map(\.messageId) == [
                "m-6", "m-5",
            ])
        #expect(RunHistoryQuery(limit: 2).apply(to: runs, limits: nil, now: now).map(\.messageId) == ["m-6", "m-5"])
    }

    @Test func filtersByTheHostThatMadeTheRun() {
        let f = HistoryFixture()
        var runs: [RunRecord] = []
        for n in 1...4 {
            var run = f.run(n, outcome: .succeeded, account: "111111111111")
            run.host = n % 2 == 0 ? "worker-b" : "worker-a"
            runs.append(run)
        }
        runs.append(f.run(5, outcome: .succeeded, account: "111111111111"))  // recorded before hosts were
        let now = f.clock.now()
        var query = RunHistoryQuery()
        query.host = "worker-b"
        #expect(query.apply(to: runs, limits: nil, now: now).map(\.messageId) == ["m-4", "m-2"])
        query.host = "worker-c"
        #expect(query.apply(to: runs, limits: nil, now: now).isEmpty)
    }
}
