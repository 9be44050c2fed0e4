import Foundation
import StarfleetCore
import Testing

/// `STARFLEET.TimerJitterSeconds`: a fixed per-host, per-schedule offset after each boundary.
@Suite struct TimerJitterTests {
    let hourly = Schedule.named(.hourly)
    func t(_ s: String) -> Date { ISO8601DateFormatter().date(from: s) ?? Date(timeIntervalSince1970: 0) }

    @Test func aFireWaitsForItsOffsetAndKeepsItsBoundary() {
        let state = ["HOURLY": t("2026-11-22T19:00:00Z")]
        let offsets = ["HOURLY": 90]
        #expect(TimerPlanner.due([hourly], lastFired: state, now: t("2026-11-22T20:01:29Z"), offsets: offsets).isEmpty)
        let due = TimerPlanner.due([hourly], lastFired: state, now: t("2026-11-22T20:01:30Z"), offsets: offsets)
        #expect(due.map(\.boundary) == [t("2026-11-22T20:00:00Z")])
    }

    @Test func theNextWakeIsTheBoundaryPlusTheOffset() {
        let offsets = ["HOURLY": 90]
        #expect(
            TimerPlanner.nextWake(
                [hourly], lastFired: ["HOURLY": t("2026-11-22T19:00:00Z")],
                now: t("2026-11-22T19:30:00Z"), offsets: offsets) == t("2026-11-22T20:01:30Z"))
        // Between the boundary and its delayed fire the wake is still that fire, not the next hour's.
        #expect(
            TimerPlanner.nextWake(
                [hourly], lastFired: ["HOURLY": t("2026-11-22T19:00:00Z")],
                now: t("2026-11-22T20:00:30Z"), offsets: offsets) == t("2026-11-22T20:01:30Z"))
        #expect(
            TimerPlanner.nextWake(
                [hourly], lastFired: ["HOURLY": t("2026-11-22T20:00:00Z")],
                now: t("2026-11-22T20:01:30Z"), offsets: offsets) == t("2026-11-22T21:01:30Z"))
    }

    @Test func theOffsetIsStableInRangeAndSpreadsHosts() {
        let offset = TimerJitter.offset(for: hourly, host: "host-a", maxSeconds: 300)
        #expect(offset == TimerJitter.offset(for: hourly, host: "host-a", maxSeconds: 300))
        #expect((0..<300).contains(offset))
        #expect(TimerJitter.offset(for: hourly, host: "host-a", maxSeconds: 0) == 0)
        let spread = Set((0..<20).map { TimerJitter.offset(for: hourly, host: "host-\($0)", maxSeconds: 300) })
        #expect(spread.count >= 15)
    }

    @Test func theSettingDefaultsToZeroAndIsBounded() throws {
        let (config, diagnostics) = try ConfigDir(["a.yaml": "STARFLEET: {}\n"]).load()
        #expect(diagnostics.isEmpty)
        #expect(try #require(config).starfleet.timerJitterSeconds == 0)
        let (jittered, _) = try ConfigDir(["a.yaml": "STARFLEET:\n  TimerJitterSeconds: 120\n"]).load()
        #expect(try #require(jittered).starfleet.timerJitterSeconds == 120)
        let errors = try ConfigDir(["a.yaml": "STARFLEET:\n  TimerJitterSeconds: 7200\n"]).errors()
        #expect(errors.count == 1 && errors[0].hasPrefix("a.yaml:2:23: error: STARFLEET.TimerJitterSeconds:"), "\(errors)")
    }
}
