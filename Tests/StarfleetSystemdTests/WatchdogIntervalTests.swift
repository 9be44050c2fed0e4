import StarfleetSystemd
import Testing

@Suite struct WatchdogIntervalTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var environment: [String: String]
        var expected: Duration?
        var testDescription: String { "\(environment) → \(expected.map { "\($0)" } ?? "off")" }
    }

    static let pid: Int32 = 4242

    @Test(arguments: [
        Case(environment: ["WATCHDOG_USEC": "2000000"], expected: .seconds(2)),
        Case(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4242"], expected: .seconds(30)),
        Case(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4243"], expected: nil),
        Case(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "bogus"], expected: nil),
        Case(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": ""], expected: .seconds(30)),
        Case(environment: ["WATCHDOG_USEC": "0"], expected: nil),
        Case(environment: ["WATCHDOG_USEC": "-5"], expected: nil),
        Case(environment: ["WATCHDOG_USEC": "2s"], expected: nil),
        Case(environment: ["WATCHDOG_PID": "4242"], expected: nil),
        Case(environment: [:], expected: nil),
    ])
    func parsesWatchdogUsecHonouringWatchdogPid(_ test: Case) {
        #expect(SystemdNotifier.watchdogTimeout(environment: test.environment, processID: Self.pid) == test.expected)
    }

    @Test func pingsEveryHalfOfTheTimeout() throws {
        let listener = try DatagramListener(abstract: false)
        let notifier = try SystemdNotifier(
            environment: ["NOTIFY_SOCKET": listener.address, "WATCHDOG_USEC": "3000000", "WATCHDOG_PID": "77"],
            processID: 77)
        #expect(notifier.watchdogTimeout == .seconds(3))
        #expect(notifier.watchdogInterval == .milliseconds(1500))
    }
}
