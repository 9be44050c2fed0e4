import FoundationEssentials
import Glibc

/// Tells the service manager about the daemon's state over the sd_notify protocol (sd_notify(3)).
///
/// Built from the environment (`NOTIFY_SOCKET`, `WATCHDOG_USEC`, `WATCHDOG_PID`) in production, or from an
/// explicit socket path in tests. Every call is a no-op when no notify socket is configured, so the daemon
/// runs the same in a terminal. Errors are thrown, but a daemon should only log them: a lost notification
/// must never stop the work.
public struct SystemdNotifier: Sendable {
    private let address: NotifySocketAddress?
    /// The configured socket as given (`/run/systemd/notify`, `@name`), for messages.
    public let socketDescription: String?
    /// The watchdog timeout systemd enforces (`WATCHDOG_USEC`), when it applies to this process.
    public let watchdogTimeout: Duration?

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from `environment` (default: this process's).
    /// An unusable `NOTIFY_SOCKET` value throws; an absent one gives a disabled notifier.
    public init(environment: [String: String]? = nil, processID: Int32? = nil) throws {
        let environment = environment ?? ProcessInfo.processInfo.environment
        let socket = environment["NOTIFY_SOCKET"] ?? ""
        address = try NotifySocketAddress(socket)
        socketDescription = socket.isEmpty ? nil : socket
        watchdogTimeout = Self.watchdogTimeout(environment: environment, processID: processID ?? getpid())
    }

    /// Sends to an explicit socket: a filesystem path, or `@name` for the abstract namespace.
    public init(socketPath: String, watchdogTimeout: Duration? = nil) throws {
        address = try NotifySocketAddress(socketPath)
        socketDescription = socketPath
        self.watchdogTimeout = watchdogTimeout
    }

    /// A notifier that sends nothing (no service manager).
    public static var disabled: SystemdNotifier { SystemdNotifier() }

    private init() {
        address = nil
        socketDescription = nil
        watchdogTimeout = nil
    }

    /// Whether a service manager is listening for notifications.
    public var isEnabled: Bool { address != nil }

    /// How often to send `WATCHDOG=1`: half of ``watchdogTimeout``, as sd_watchdog_enabled(3) advises.
    public var watchdogInterval: Duration? { watchdogTimeout.map { $0 / 2 } }

    /// `READY=1` (startup or reload finished), with an optional one-line `STATUS=`.
    public func ready(status: String? = nil) throws {
        var fields = ["READY=1"]
        if let status { fields.append("STATUS=\(Self.oneLine(status))") }
        try send(fields)
    }

    /// `STATUS=`: free-form one-line text shown by `systemctl status`.
    public func status(_ text: String) throws {
        try send(["STATUS=\(Self.oneLine(text))"])
    }

    /// `WATCHDOG=1`: the keep-alive ping. Prefer ``WatchdogPinger``, which only pings while the work loops beat.
    public func watchdog() throws {
        try send(["WATCHDOG=1"])
    }

    /// `RELOADING=1` plus `MONOTONIC_USEC=` (CLOCK_MONOTONIC, µs): systemd ≥ 253 needs the timestamp to pair
    /// the reload with its `READY=1`; systemd 252 ignores the extra field. Follow with ``ready(status:)``.
    public func reloading(status: String? = nil) throws {
        var fields = ["RELOADING=1", "MONOTONIC_USEC=\(monotonicMicroseconds())"]
        if let status { fields.append("STATUS=\(Self.oneLine(status))") }
        try send(fields)
    }

    /// `STOPPING=1`: shutdown has begun.
    public func stopping(status: String? = nil) throws {
        var fields = ["STOPPING=1"]
        if let status { fields.append("STATUS=\(Self.oneLine(status))") }
        try send(fields)
    }

    /// Sends raw `KEY=value` fields as one datagram (newline-separated). No-op when disabled.
    public func send(_ fields: [String]) throws {
        guard let address else { return }
        try address.send(fields.joined(separator: "\n"), display: socketDescription ?? "NOTIFY_SOCKET")
    }

    /// The protocol is line-based: a newline inside STATUS would start a bogus field.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
