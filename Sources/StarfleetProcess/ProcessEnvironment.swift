import FoundationEssentials
import StarfleetCore

/// The environment a process worker's program sees: a small inherited base plus the STARFLEET_* variables.
///
/// Nothing else leaks from the daemon (no NOTIFY_SOCKET, WATCHDOG_*, credentials or INVOCATION_ID): the
/// program gets what it needs to run (PATH, LANG, HOME) and the facts about its message.
package enum ProcessEnvironment {
    /// Variables copied from the daemon's environment when set.
    package static let inheritedNames = ["PATH", "LANG", "HOME"]

    /// Used when the daemon itself has no PATH (systemd always sets one; a bare exec may not).
    package static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// PATH, LANG and HOME from `environment` (default: this process's); PATH falls back to ``defaultPath``.
    package static func base(from environment: [String: String]? = nil) -> [String: String] {
        let environment = environment ?? ProcessInfo.processInfo.environment
        var base: [String: String] = [:]
        for name in inheritedNames {
            if let value = environment[name] { base[name] = value }
        }
        if base["PATH"] == nil { base["PATH"] = defaultPath }
        return base
    }

    /// `base` plus STARFLEET_WORKER, STARFLEET_COMMIT ("true"/"false"), STARFLEET_MESSAGE_ID,
    /// STARFLEET_RECEIVE_COUNT, and STARFLEET_ACCOUNT_ID / STARFLEET_REGION when the fan-out assigned them
    /// (a SINGLE_INVOCATION payload has neither, and then the variables are absent rather than empty).
    package static func worker(
        name: String, commit: Bool, accountID: String?, region: String?, messageID: String, receiveCount: Int,
        base: [String: String]
    ) -> [String: String] {
        var environment = base
        environment[EnvironmentName.worker] = name
        environment[EnvironmentName.commit] = commit ? "true" : "false"
        environment[EnvironmentName.messageID] = messageID
        environment[EnvironmentName.receiveCount] = String(receiveCount)
        if let accountID { environment[EnvironmentName.accountID] = accountID }
        if let region { environment[EnvironmentName.region] = region }
        return environment
    }
}
