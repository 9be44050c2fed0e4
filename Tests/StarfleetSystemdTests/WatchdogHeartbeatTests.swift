import Logging
import StarfleetClock
import StarfleetSystemd
import StarfleetTestSupport
import Testing

@Suite struct WatchdogHeartbeatTests {
    @Test func gateOpensOnlyWhenEveryComponentHasBeaten() {
        let heartbeat = WatchdogHeartbeat()
        #expect(heartbeat.check() == .healthy)  // nothing registered: nothing to wait for
        let scheduler = heartbeat.register("scheduler")
        let dispatcher = heartbeat.register("dispatcher")
        #expect(heartbeat.check() == .healthy)  // registering counts as a first beat
        #expect(heartbeat.check() == .stalled(["dispatcher", "scheduler"]))
        heartbeat.beat(scheduler)
        #expect(heartbeat.check() == .stalled(["dispatcher"]))
        heartbeat.beat(dispatcher)
        #expect(heartbeat.check() == .healthy)
        heartbeat.beat(scheduler)
        #expect(heartbeat.check() == .stalled(["dispatcher"]))
        heartbeat.unregister(dispatcher)
        #expect(heartbeat.check() == .healthy)
        heartbeat.beat(dispatcher)  // a stale handle is ignored
        #expect(heartbeat.componentNames == ["scheduler"])
    }

    @Test func pingerWithholdsPingsWhileAComponentIsStuck() async throws {
        let listener = try DatagramListener(abstract: false)
        let notifier = try SystemdNotifier(socketPath: listener.address)
        let heartbeat = WatchdogHeartbeat()
        let scheduler = heartbeat.register("scheduler")
        let clock = ManualClock()
        let pinger = WatchdogPinger(
            heartbeat: heartbeat, notifier: notifier, interval: .seconds(10), clock: clock,
            logger: .quiet)
        let task = Task { await pinger.run() }

        // Each tick is half the interval. The first check finds the registration beat and pings.
        try await clock.waitForSleepers(1)
        #expect(listener.drain() == ["WATCHDOG=1"])
        #expect(clock.sleeperCount == 1)

        // The scheduler hangs: no pings, however long we wait.
        for _ in 0..<6 {
            clock.advance(by: 5)
            try await clock.waitForSleepers(1)
        }
        #expect(listener.drain().isEmpty)

        // It beats once: one ping at the next tick, then silence again until the next beat.
        heartbeat.beat(scheduler)
        clock.advance(by: 5)
        try await clock.waitForSleepers(1)
        #expect(listener.drain() == ["WATCHDOG=1"])
        clock.advance(by: 5)
        try await clock.waitForSleepers(1)
        #expect(listener.drain().isEmpty)

        // Beating every tick: a ping every tick.
        for _ in 0..<3 {
            heartbeat.beat(scheduler)
            clock.advance(by: 5)
            try await clock.waitForSleepers(1)
        }
        #expect(listener.drain() == ["WATCHDOG=1", "WATCHDOG=1", "WATCHDOG=1"])

        task.cancel()
        await task.value
    }

    @Test func noWatchdogMeansNoPinger() throws {
        let notifier = try SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/x"])
        let pinger = WatchdogPinger(
            heartbeat: WatchdogHeartbeat(), notifier: notifier, clock: ManualClock(), logger: Logger(label: "t"))
        #expect(pinger == nil)
    }
}
