import Testing

@testable import StarfleetHTTP

@Suite struct RefusalLogTests {
    /// One line per uid per minute, carrying how many were refused since the last line.
    @Test func oneLinePerUserPerMinuteWithTheCount() {
        var log = RefusalLog()
        let start = ContinuousClock.now
        #expect(log.note(2000, now: start) == 1)
        for second in 1...59 { #expect(log.note(2000, now: start.advanced(by: .seconds(second))) == nil) }
        #expect(log.note(3000, now: start.advanced(by: .seconds(30))) == 1)
        #expect(log.note(2000, now: start.advanced(by: .seconds(60))) == 60)
        #expect(log.note(2000, now: start.advanced(by: .seconds(61))) == nil)
        #expect(log.note(2000, now: start.advanced(by: .seconds(200))) == 2)
    }
}
