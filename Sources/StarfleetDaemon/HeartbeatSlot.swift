import StarfleetSystemd

/// One loop's place in the watchdog heartbeat: registered on creation, beaten every iteration, removed at the end.
/// systemd's WATCHDOG=1 goes out only while every registered loop keeps beating, so a hung loop is noticed.
struct HeartbeatSlot: Sendable {
    private let heartbeat: WatchdogHeartbeat?
    private let component: WatchdogHeartbeat.Component?

    init(_ heartbeat: WatchdogHeartbeat?, name: String) {
        self.heartbeat = heartbeat
        component = heartbeat?.register(name)
    }

    func beat() {
        if let heartbeat, let component { heartbeat.beat(component) }
    }

    /// Runs `wait` (a wait for work with no timer) parked: the watchdog's pings go on without this loop's beats.
    func waiting<T>(_ wait: () async throws -> T) async rethrows -> T {
        if let heartbeat, let component { heartbeat.park(component) }
        defer { if let heartbeat, let component { heartbeat.unpark(component) } }
        return try await wait()
    }

    func end() {
        if let heartbeat, let component { heartbeat.unregister(component) }
    }
}
