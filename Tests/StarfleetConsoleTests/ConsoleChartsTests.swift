import Foundation
import StarfleetRunHistory
import Testing

@testable import StarfleetConsole
@testable import StarfleetDaemon

/// The charts' SVG carries each bucket's numbers (title and data attributes) and says its totals in text.
@Suite struct ConsoleChartsTests {
    let now = Date(timeIntervalSince1970: 1_767_225_600 + 630)  // 2026-01-01T00:10:30Z

    func run(_ secondsAgo: Double, _ outcome: RunOutcome, duration: Double = 2) -> RunRecord {
        RunRecord(
            worker: "W", messageId: "m", attempt: 1, started: now.addingTimeInterval(-secondsAgo),
            durationSeconds: duration, outcome: outcome)
    }

    @Test func theRunsChartHasEveryBucketsCountsAndTheTotalsInText() {
        let series = RunChartSeries.lastHour(
            [run(1, .succeeded), run(2, .succeeded), run(65, .failedWillRetry), run(70, .deadLettered), run(3, .filtered)],
            now: now)
        let svg = ConsoleCharts.runs(series, id: "runs-hour", title: "Runs per minute, last hour")
        #expect(svg.components(separatedBy: "<g class=\"bucket\"").count - 1 == 60)
        #expect(
            svg.contains(
                "data-start=\"2026-01-01T00:10:00Z\" data-succeeded=\"2\" data-failed=\"0\" data-dead-lettered=\"0\""))
        #expect(
            svg.contains(
                "data-start=\"2026-01-01T00:09:00Z\" data-succeeded=\"0\" data-failed=\"1\" data-dead-lettered=\"1\""))
        #expect(svg.contains("<title>00:10Z: 2 succeeded, 0 failed, 0 dead-lettered</title>"))
        #expect(svg.contains("2 succeeded</span>, <span class=\"warn\">1 failed</span>"))
        #expect(svg.contains("(1 filtered by FilterCriteria, not charted)"))
        #expect(svg.contains("data-top=\"2\""))
    }

    @Test func theDurationChartShowsPercentilesOnlyForBucketsWithRuns() {
        let series = RunChartSeries.lastHour([run(1, .succeeded, duration: 1), run(2, .failed, duration: 3)], now: now)
        let svg = ConsoleCharts.durations(series, id: "d", title: "Duration")
        #expect(svg.components(separatedBy: "<g class=\"bucket\"").count - 1 == 1)
        #expect(svg.contains("data-p50=\"1.0\" data-p95=\"3.0\""))
        #expect(ConsoleCharts.durations(RunChartSeries.lastHour([], now: now), id: "d", title: "D").contains("no runs"))
    }

    @Test func theSparkAndTheWarmChartCarryTheirNumbers() {
        let spark = ConsoleCharts.spark(RunChartSeries.lastHour([run(1, .succeeded), run(5, .deadLettered)], now: now))
        #expect(spark.contains("data-succeeded=\"1\" data-failed=\"0\" data-dead-lettered=\"1\""))
        let minutes = [
            WarmProcessActivity.Minute(start: now.addingTimeInterval(-90), peakProcesses: 2, coldStarts: 2),
            WarmProcessActivity.Minute(start: now.addingTimeInterval(-30), peakProcesses: 1, coldStarts: 0),
        ]
        let warm = ConsoleCharts.warm(minutes, id: "warm-hour")
        #expect(warm.contains("data-processes=\"2\" data-cold-starts=\"2\""))
        #expect(warm.contains("2 cold start(s)</span> in the hour"))
    }

    @Test func labelsAreUTCMinutesOrHours() {
        #expect(ConsoleCharts.label(now, 60) == "00:10Z")
        #expect(ConsoleCharts.label(now, 3600) == "01-01 00:10Z")
        #expect(ConsoleCharts.n(1.234) == "1.23")
        #expect(ConsoleCharts.n(2.0) == "2")
        #expect(ConsoleCharts.n(12) == "12")
    }
}
