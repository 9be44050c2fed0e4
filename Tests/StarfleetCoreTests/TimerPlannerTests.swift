import Foundation
import StarfleetCore
import Testing

@Suite struct TimerPlannerTests {
    let hourly = Schedule.named(.hourly)
    let fiveMin = Schedule.named(.fiveMin)
    func t(_ s: String) -> Date { ISO8601DateFormatter().date(from: s) ?? Date(timeIntervalSince1970: 0) }

    @Test func firstStartFiresNothingAndWakesAtTheNextBoundary() {
        let now = t("2026-11-22T19:47:10Z")
        let state = TimerPlanner.startingState([hourly, fiveMin], persisted: [:], now: now, catchUp: true)
        #expect(state["HOURLY"] == t("2026-11-22T19:00:00Z"))
        #expect(TimerPlanner.due([hourly, fiveMin], lastFired: state, now: now).isEmpty)
        #expect(TimerPlanner.nextWake([hourly, fiveMin], lastFired: state, now: now) == t("2026-11-22T19:50:00Z"))
    }

    @Test func boundaryBecomesDueExactlyAtItsTime() {
        let state = ["HOURLY": t("2026-11-22T19:00:00Z")]
        #expect(TimerPlanner.due([hourly], lastFired: state, now: t("2026-11-22T19:59:59Z")).isEmpty)
        let due = TimerPlanner.due([hourly], lastFired: state, now: t("2026-11-22T20:00:00Z"))
        #expect(due.map(\.boundary) == [t("2026-11-22T20:00:00Z")])
    }

    @Test func downtimeCatchUpFiresTheLatestMissedBoundaryOnce() {
        let persisted = ["HOURLY": t("2026-11-22T12:00:00Z")]
        let now = t("2026-11-22T19:47:00Z")
        let state = TimerPlanner.startingState([hourly], persisted: persisted, now: now, catchUp: true)
        let due = TimerPlanner.due([hourly], lastFired: state, now: now)
        #expect(due.map(\.boundary) == [t("2026-11-22T19:00:00Z")])
    }

    @Test func catchUpOffSkipsMissedBoundaries() {
        let persisted = ["HOURLY": t("2026-11-22T12:00:00Z")]
        let now = t("2026-11-22T19:47:00Z")
        let state = TimerPlanner.startingState([hourly], persisted: persisted, now: now, catchUp: false)
        #expect(TimerPlanner.due([hourly], lastFired: state, now: now).isEmpty)
    }

    @Test func clockSteppedBackFiresNothingTwice() {
        let state = ["HOURLY": t("2026-11-22T20:00:00Z")]
        #expect(TimerPlanner.due([hourly], lastFired: state, now: t("2026-11-22T19:30:00Z")).isEmpty)
        #expect(TimerPlanner.due([hourly], lastFired: state, now: t("2026-11-22T20:59:00Z")).isEmpty)
        #expect(TimerPlanner.nextWake([hourly], lastFired: state, now: t("2026-11-22T19:30:00Z")) == t("2026-11-22T21:00:00Z"))
    }

    @Test func clockJumpedForwardCoalesces() {
        let state = ["FIVE_MIN": t("2026-11-22T19:00:00Z")]
        let due = TimerPlanner.due([fiveMin], lastFired: state, now: t("2026-11-22T23:31:00Z"))
        #expect(due.map(\.boundary) == [t("2026-11-22T23:30:00Z")])
    }
}
