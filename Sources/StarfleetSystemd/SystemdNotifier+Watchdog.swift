extension SystemdNotifier {
    /// The watchdog timeout from `WATCHDOG_USEC`, or `nil` when the watchdog is off or meant for another
    /// process: systemd sets `WATCHDOG_PID` to the main PID, and a child that inherited the variables must
    /// not ping (sd_watchdog_enabled(3)). Malformed or zero values mean "off".
    public static func watchdogTimeout(environment: [String: String], processID: Int32) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0,
            microseconds <= UInt64(Int64.max)
        else { return nil }
        if let pidText = environment["WATCHDOG_PID"], !pidText.isEmpty {
            guard let pid = Int32(pidText), pid == processID else { return nil }
        }
        return .microseconds(Int64(microseconds))
    }
}
