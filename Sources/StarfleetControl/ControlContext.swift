import Glibc
import StarfleetCore
import StarfleetDaemon

/// What every `starfleetctl` command is given besides its own arguments: the configuration directory and the
/// `--state-dir` flag. The CLI parses them (GlobalOptions); loading and resolving them is done here.
package struct ControlContext: Sendable {
    /// The configuration directory when `--config` is not given (shown in the CLI's help).
    package static let defaultConfigDirectory = Configuration.defaultDirectory
    /// What `--version` prints.
    package static let version = StarfleetVersion.current

    package var config: String
    package var stateDir: String?

    package init(config: String, stateDir: String?) {
        self.config = config
        self.stateDir = stateDir
    }

    /// Loads and validates the configuration; prints every diagnostic to stderr and exits 78 on errors.
    func loadConfiguration(quietWarnings: Bool = false) throws -> Configuration {
        let (configuration, diagnostics) = ConfigurationLoader.load(config)
        for d in diagnostics where !(quietWarnings && d.severity == .warning) { Terminal.error(d.description) }
        guard let configuration else { throw ControlExit(ExitStatus.config) }
        return configuration
    }

    func stateDirectory(for configuration: Configuration) -> String {
        configuration.stateDirectory(
            flag: stateDir, environment: getenv(EnvironmentName.stateDirectory).map { String(cString: $0) })
    }
}

/// A command's end with a documented exit status (sysexits.h, see ``ExitStatus``), its message already printed.
/// The CLI turns it into its argument parser's exit; the application layer never imports the parser.
package struct ControlExit: Error, Equatable {
    package let status: Int32

    package init(_ status: Int32) { self.status = status }
}

/// A usage mistake found only once the command runs (e.g. `invoke` without `--account-id` for an ACCOUNT
/// worker): the CLI reports it as its parser reports a bad option, with the usage line and exit status 64.
package struct ControlUsageError: Error, Equatable {
    package let message: String

    package init(_ message: String) { self.message = message }
}
