import Foundation
import Testing

@testable import StarfleetControl
@testable import StarfleetDaemon

/// `starfleetctl runs --since`: spans back from now, ISO 8601 times and dates, and what is refused.
@Suite struct RunsSinceTests {
    let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    @Test func spansCountBackFromNow() {
        #expect(RunsSince.parse("90s", now: now) == now.addingTimeInterval(-90))
        #expect(RunsSince.parse("1h30m", now: now) == now.addingTimeInterval(-5400))
        #expect(RunsSince.parse("7d", now: now) == now.addingTimeInterval(-7 * 86_400))
    }

    @Test func isoTimesAndDatesAreUTC() {
        #expect(RunsSince.parse("2025-12-31T23:00:00Z", now: now) == now.addingTimeInterval(-3600))
        #expect(RunsSince.parse("2025-12-31", now: now) == now.addingTimeInterval(-86_400))
    }

    @Test func anythingElseIsRefused() {
        #expect(RunsSince.parse("", now: now) == nil)
        #expect(RunsSince.parse("5", now: now) == nil)
        #expect(RunsSince.parse("5w", now: now) == nil)
        #expect(RunsSince.parse("yesterday", now: now) == nil)
    }

    @Test func durationsShowMillisecondsUnderAMinute() {
        #expect(RunsCommand.duration(0.0421) == "0.042s")
        #expect(RunsCommand.duration(12.5) == "12.500s")
        #expect(RunsCommand.duration(252) == "4m12s")
    }
}
