import FoundationEssentials
import Glibc

/// Tells the service manager about the daemon's state over the sd_notify protocol (sd_notify(3)).
///
/// Built from the environment (`NOTIFY_SOCKET`, `WATCHDOG_USEC`, `WATCHDOG_PID`) in production, or from an
/// explicit socket path in tests. Every call is a no-op when no notify socket is configured, so the daemon
/// runs the same in a terminal. Errors are thrown, but a daemon should only log them: a lost notification
/// must never stop the work.
package struct SystemdNotifier: Sendable {
    private let address: NotifySocketAddress?
    /// The configured socket as given (`/run/systemd/notify`, `@name`), for messages.
    package let socketDescription: String?
    /// The watchdog timeout systemd enforces (`WATCHDOG_USEC`), when it applies to this process.
    package let watchdogTimeout: Duration?

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from `environment` (default: this process's).
    /// An unusable `NOTIFY_SOCKET` value throws; an absent one gives a disabled notifier.
    package init(environment: [String: String]? = nil, processID: Int32? = nil) throws {
        let environment = environment ?? ProcessInfo.processInfo.environment
        let socket = environment["NOTIFY_SOCKET"] ?? ""
        address = try NotifySocketAddress(socket)
        socketDescription = socket.isEmpty ? nil : socket
        watchdogTimeout = Self.watchdogTimeout(environment: environment, processID: processID ?? getpid())
    }

    /// Sends to an explicit socket: a filesystem path, or `@name` for the abstract namespace.
    package init(socketPath: String, watchdogTimeout: Duration? = nil) throws {
        address = try NotifySocketAddress(socketPath)
        socketDescription = socketPath
        self.watchdogTimeout = watchdogTimeout
    }

    /// A notifier that sends nothing (no service manager).
    package static var disabled: SystemdNotifier { SystemdNotifier() }

    private init() {
        address = nil
        socketDescription = nil
        watchdogTimeout = nil
    }

    /// Whether a service manager is listening for notifications.
    package var isEnabled: Bool { address != nil }

    /// How often to send `WATCHDOG=1`: half of ``watchdogTimeout``, as sd_watchdog_enabled(3) advises.
    package var watchdogInterval: Duration? { watchdogTimeout.map { $0 / 2 } }

    /// `READY=1` (startup or reload finished), with an optional one-line `STATUS=`.
    package func ready(status: String? = nil) throws {
        var fields = ["READY=1"]
        if let status { fields.append("STATUS=\(Self.oneLine(status))") }
        try send(fields)
    }

    /// `STATUS=`: free-form one-line text shown by `systemctl status`.
    package func status(_ text: String) throws {
        try send(["STATUS=\(Self.oneLine(text))"])
    }

    /// `WATCHDOG=1`: the keep-alive ping. Prefer ``WatchdogPinger``, which only pings while the work loops beat.
    package func watchdog() throws {
        try send(["WATCHDOG=1"])
    }

    /// `RELOADING=1` plus `MONOTONIC_USEC=` (CLOCK_MONOTONIC, µs): systemd ≥ 253 needs the timestamp to pair
    /// the reload with its `READY=1`; systemd 252 ignores the extra field. Follow with ``ready(status:)``.
    package func reloading(status: String? = nil) throws {
        var fields = ["RELOADING=1", "MONOTONIC_USEC=\(monotonicMicroseconds())"]
        if let status { fields.append("STATUS=\(Self.oneLine(status))") }
        try send(fields)
    }

    /// `STOPPING=1`: shutdown has begun.
    package func stopping(status: String? = nil) throws {
        var fields = ["STOPPING=1"]
        if let status { fields.append("STATUS=\(Self.oneLine(status))") }
        try send(fields)
    }

    /// Sends raw `KEY=value` fields as one datagram (newline-separated). No-op when disabled.
    package func send(_ fields: [String]) throws {
        guard let address else { return }
        try address.send(fields.joined(separator: "\n"), display: socketDescription ?? "NOTIFY_SOCKET")
    }

    /// The watchdog timeout from `WATCHDOG_USEC`, or `nil` when the watchdog is off or meant for another
    /// process: systemd sets `WATCHDOG_PID` to the main PID, and a child that inherited the variables must
    /// not ping (sd_watchdog_enabled(3)). Malformed or zero values mean "off".
    package static func watchdogTimeout(environment: [String: String], processID: Int32) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0,
            microseconds <= UInt64(Int64.max)
        else { return nil }
        if let pidText = environment["WATCHDOG_PID"], !pidText.isEmpty {
            guard let pid = Int32(pidText), pid == processID else { return nil }
        }
        return .microseconds(Int64(microseconds))
    }

    /// The protocol is line-based: a newline inside STATUS would start a bogus field.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}

/// CLOCK_MONOTONIC in microseconds: the clock systemd compares `MONOTONIC_USEC=` against.
func monotonicMicroseconds() -> UInt64 {
    var now = timespec()
    // clock_gettime(CLOCK_MONOTONIC) cannot fail on Linux; 0 would still keep the field well-formed.
    guard clock_gettime(CLOCK_MONOTONIC, &now) == 0 else { return 0 }
    return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
}
