import Foundation
import StarfleetMetrics
import StarfleetTestSupport
import Testing

@testable import StarfleetDaemon

/// Cold starts and warm-process counts per minute, kept for an hour, and the two metrics beside them.
@Suite struct WarmProcessActivityTests {
    @Test func coldStartsAndPeaksAreCountedPerMinuteAndQuietMinutesCarryTheCount() {
        let clock = ManualClock()  // 2026-01-01T00:00:00Z
        let activity = WarmProcessActivity(clock: clock, metrics: nil)
        activity.coldStart(worker: "W", processes: 1)
        activity.coldStart(worker: "W", processes: 2)
        activity.processEnded(worker: "W", processes: 1)
        clock.advance(by: 180)  // 00:03
        activity.coldStart(worker: "W", processes: 2)
        let minutes = activity.lastHour(worker: "W")
        #expect(minutes.count == 60)
        #expect(minutes.last?.start == clock.now())
        let tail = minutes.suffix(4).map { ($0.peakProcesses, $0.coldStarts) }
        #expect(tail.map(\.0) == [2, 1, 1, 2])
        #expect(tail.map(\.1) == [2, 0, 0, 1])
        #expect(minutes.dropLast(4).allSatisfy { $0.peakProcesses == 0 && $0.coldStarts == 0 })
        #expect(activity.lastHour(worker: "Other").allSatisfy { $0.peakProcesses == 0 && $0.coldStarts == 0 })
    }

    @Test func onlyTheLastHourIsKeptAndTheCountBeforeItCarriesIn() {
        let clock = ManualClock()
        let activity = WarmProcessActivity(clock: clock, metrics: nil)
        activity.coldStart(worker: "W", processes: 1)
        activity.coldStart(worker: "W", processes: 2)
        clock.advance(by: 2 * 3600)
        let minutes = activity.lastHour(worker: "W")
        #expect(minutes.allSatisfy { $0.peakProcesses == 2 && $0.coldStarts == 0 })
        for _ in 0..<200 {
            clock.advance(by: 60)
            activity.processEnded(worker: "W", processes: 2)
        }
        #expect(activity.keptMinuteCount(worker: "W") <= WarmProcessActivity.keptMinutes + 1)
    }

    @Test func theMetricsCountColdStartsAndShowTheCurrentCount() {
        let metrics = DaemonMetrics()
        let activity = WarmProcessActivity(clock: ManualClock(), metrics: metrics)
        activity.coldStart(worker: "W", processes: 1)
        activity.coldStart(worker: "W", processes: 2)
        activity.processEnded(worker: "W", processes: 1)
        let text = metrics.registry.render()
        #expect(text.contains("starfleet_lambda_cold_starts_total{worker=\"W\"} 2"))
        #expect(text.contains("starfleet_lambda_warm_processes{worker=\"W\"} 1"))
    }
}
