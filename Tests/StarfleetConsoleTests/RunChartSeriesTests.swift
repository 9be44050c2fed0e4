import Foundation
import StarfleetRunHistory
import Testing

@testable import StarfleetConsole

/// Runs into clock-aligned buckets: the counts a reader of `starfleetctl runs --json` gets by flooring `started`.
@Suite struct RunChartSeriesTests {
    // 2026-01-01T00:10:30Z: half a minute into the bucket of 00:10.
    let now = Date(timeIntervalSince1970: 1_767_225_600 + 630)

    func run(_ secondsAgo: Double, _ outcome: RunOutcome, duration: Double = 1) -> RunRecord {
        RunRecord(
            worker: "W", messageId: "m", attempt: 1, started: now.addingTimeInterval(-secondsAgo),
            durationSeconds: duration, outcome: outcome)
    }

    @Test func bucketsAreWholeMinutesEndingWithTheOneHoldingNow() {
        let series = RunChartSeries.lastHour([], now: now)
        #expect(series.buckets.count == 60)
        #expect(series.buckets.last?.start == Date(timeIntervalSince1970: 1_767_225_600 + 600))
        #expect(series.buckets.first?.start == Date(timeIntervalSince1970: 1_767_225_600 + 600 - 59 * 60))
        #expect(RunChartSeries.lastWeek([], now: now).buckets.count == 168)
        #expect(RunChartSeries.lastWeek([], now: now).buckets.last?.start == Date(timeIntervalSince1970: 1_767_225_600))
    }

    @Test func outcomesAreCountedAsSucceededFailedOrDeadLetteredAndFilteredApart() {
        let runs = [
            run(10, .succeeded), run(20, .succeeded), run(25, .failedWillRetry), run(28, .timedOut), run(29, .failed),
            run(5, .deadLettered), run(6, .filtered), run(7, .filtered),
        ]
        let series = RunChartSeries.lastHour(runs, now: now)
        let last = series.buckets[59]
        #expect((last.succeeded, last.failed, last.deadLettered) == (2, 3, 1))
        #expect(series.filtered == 2)
        #expect(series.buckets.dropLast().allSatisfy { $0.total == 0 })
    }

    @Test func aRunOnABucketBoundaryBelongsToTheLaterBucketAndOlderRunsAreLeftOut() {
        // 30 s ago is exactly 00:10:00; 31 s ago is 00:09:59; an hour ago is before the window's first minute; a
        // run stamped 00:11:00 (a clock step) is after its last.
        let runs = [run(30, .succeeded), run(31, .failed), run(3600, .succeeded), run(-30, .succeeded)]
        let series = RunChartSeries.lastHour(runs, now: now)
        #expect(series.buckets[59].succeeded == 1)
        #expect(series.buckets[58].failed == 1)
        #expect(series.buckets.map(\.total).reduce(0, +) == 2)
    }

    @Test func durationsGiveNearestRankPercentilesPerBucketWithoutFilteredRuns() {
        let durations: [Double] = (1...20).map(Double.init)
        var runs = durations.map { run(3, .succeeded, duration: $0) }
        runs.append(run(3, .filtered, duration: 999))
        let bucket = RunChartSeries.lastHour(runs, now: now).buckets[59]
        #expect(bucket.p50 == 10)
        #expect(bucket.p95 == 19)
        #expect(RunChartSeries.lastHour(runs, now: now).buckets[0].p50 == nil)
        #expect(RunChartSeries.percentile([4], 0.95) == 4)
        #expect(RunChartSeries.percentile([1, 2], 0.5) == 1)
    }
}
