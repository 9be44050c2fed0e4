import Glibc
import StarfleetCore

/// What `starfleetd`'s argument parsing needs: its version, and the run with the configuration directory resolved
/// (flag, then `$STARFLEETD_CONFIG`, then the default).
enum DaemonCommandLine {
    /// What `--version` prints.
    static let version = StarfleetVersion.current

    /// The configuration directory: `--config`, else `$STARFLEETD_CONFIG` (for containers and wrappers that cannot
    /// pass flags: an LD_PRELOAD such as libfaketime leaves Swift's CommandLine.arguments empty), else
    /// /etc/starfleetd.
    static func configDirectory(flag: String?) -> String {
        flag ?? getenv(EnvironmentName.configDirectory).map { String(cString: $0) } ?? Configuration.defaultDirectory
    }

    /// Runs the daemon to completion; its exit status (see ``Daemon/run(configDirectory:stateDirectoryFlag:)``).
    static func run(config: String?, stateDir: String?) async -> Int32 {
        FileDescriptorLimit.raiseToHard()
        // As the unit's UMask=0077, wherever it runs: what the daemon creates (its sockets between bind and chmod
        // among them) and what its workers create is private to the daemon's user.
        umask(0o077)
        return await Daemon.run(configDirectory: configDirectory(flag: config), stateDirectoryFlag: stateDir)
    }
}
