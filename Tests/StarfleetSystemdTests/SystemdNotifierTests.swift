import Glibc
import StarfleetSystemd
import Testing

@Suite struct SystemdNotifierTests {
    @Test(arguments: [false, true])
    func sendsTheExactDatagrams(abstract: Bool) throws {
        let listener = try DatagramListener(abstract: abstract)
        let notifier = try SystemdNotifier(socketPath: listener.address)
        #expect(notifier.isEnabled)

        try notifier.ready(status: "recovered 3 queues")
        #expect(listener.receive() == "READY=1\nSTATUS=recovered 3 queues")
        try notifier.ready()
        #expect(listener.receive() == "READY=1")
        try notifier.status("draining\n2 in flight")
        #expect(listener.receive() == "STATUS=draining 2 in flight")
        try notifier.watchdog()
        #expect(listener.receive() == "WATCHDOG=1")
        try notifier.stopping()
        #expect(listener.receive() == "STOPPING=1")
        #expect(listener.drain().isEmpty)
    }

    @Test func reloadingCarriesTheMonotonicTimestamp() throws {
        let listener = try DatagramListener(abstract: false)
        let notifier = try SystemdNotifier(socketPath: listener.address)
        let before = monotonicMicroseconds()
        try notifier.reloading()
        let after = monotonicMicroseconds()
        let datagram = try #require(listener.receive())
        let lines = datagram.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines.first == "RELOADING=1")
        let stamp = try #require(
            lines.last.flatMap { $0.hasPrefix("MONOTONIC_USEC=") ? UInt64($0.dropFirst(15)) : nil })
        #expect(before <= stamp && stamp <= after)
    }

    @Test func readsNotifySocketFromTheEnvironment() throws {
        let listener = try DatagramListener(abstract: true)
        let notifier = try SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.address])
        #expect(notifier.isEnabled)
        #expect(notifier.watchdogTimeout == nil)
        try notifier.ready()
        #expect(listener.receive() == "READY=1")
    }

    @Test func withoutNotifySocketEveryCallIsANoOp() throws {
        let notifier = try SystemdNotifier(environment: [:])
        #expect(!notifier.isEnabled)
        try notifier.ready(status: "x")
        try notifier.watchdog()
        try notifier.reloading()
        try notifier.stopping()
        #expect(!SystemdNotifier.disabled.isEnabled)
    }

    @Test func aSocketNobodyListensOnIsAnErrorWithErrno() throws {
        let directory = try makeTemporaryDirectory()
        defer { rmdir(directory) }
        let notifier = try SystemdNotifier(socketPath: directory + "/absent")
        let error = try #require(throws: SystemdError.self) { try notifier.ready() }
        #expect(error.code == .sendFailed)
        #expect(error.errno == ENOENT)
        #expect(error.description.contains("absent"))
    }

    @Test func anOverlongPathIsRejected() throws {
        let path = "/tmp/" + String(repeating: "x", count: 200)
        let error = try #require(throws: SystemdError.self) { try SystemdNotifier(socketPath: path) }
        #expect(error.code == .invalidNotifySocket)
    }
}

/// CLOCK_MONOTONIC in µs, computed independently of the module under test.
func monotonicMicroseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
}
