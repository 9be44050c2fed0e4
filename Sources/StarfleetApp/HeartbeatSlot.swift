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

    func end() {
        if let heartbeat, let component { heartbeat.unregister(component) }
    }
}
