import FoundationEssentials
package import Logging
package import StarfleetClock

/// Sends `WATCHDOG=1` while, and only while, every component of a ``WatchdogHeartbeat`` keeps beating.
///
/// It checks the gate every half ``interval`` and pings when it is open, so with components beating at least
/// once per `interval` (half the systemd timeout) consecutive pings are at most 1.5 × `interval` = 0.75 of
/// the timeout apart. Run it as one of the daemon's services; it ends when its task is cancelled.
package struct WatchdogPinger: Sendable {
    package let heartbeat: WatchdogHeartbeat
    package let notifier: SystemdNotifier
    /// The ping interval: half of `WATCHDOG_USEC`.
    package let interval: Duration
    private let clock: any WallClock
    private let logger: Logger

    /// `nil` when the notifier has no watchdog (the unit has no `WatchdogSec=`): nothing to run.
    package init?(heartbeat: WatchdogHeartbeat, notifier: SystemdNotifier, clock: any WallClock, logger: Logger) {
        guard notifier.isEnabled, let interval = notifier.watchdogInterval else { return nil }
        self.init(heartbeat: heartbeat, notifier: notifier, interval: interval, clock: clock, logger: logger)
    }

    /// An explicit interval, for tests and for callers that know better.
    package init(
        heartbeat: WatchdogHeartbeat, notifier: SystemdNotifier, interval: Duration, clock: any WallClock,
        logger: Logger
    ) {
        self.heartbeat = heartbeat
        self.notifier = notifier
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    /// Checks and pings until cancelled; returns normally on cancellation.
    package func run() async {
        let check = Self.seconds(interval) / 2
        var stalledSince: Date?
        var warned = false
        while !Task.isCancelled {
            switch heartbeat.check() {
            case .healthy:
                if warned { logger.notice("watchdog: every component is beating again") }
                stalledSince = nil
                warned = false
                do { try notifier.watchdog() } catch {
                    logger.warning("watchdog: ping failed", metadata: ["error": "\(error)"])
                }
            case .stalled(let names):
                let now = clock.now()
                let since = stalledSince ?? now
                stalledSince = since
                // Warn once per stall, after a full interval: a merely slow beat is not yet a hang.
                if !warned, now.timeIntervalSince(since) >= Self.seconds(interval) {
                    warned = true
                    logger.warning(
                        "watchdog: withholding WATCHDOG=1, components not beating",
                        metadata: ["components": "\(names.joined(separator: ","))"])
                }
            }
            do { try await clock.sleep(seconds: check) } catch { return }
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
