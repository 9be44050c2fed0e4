import Logging
import StarfleetCore
import StarfleetDaemon
import StarfleetYAML

/// The account index `plan` and `invoke` resolve templates with: `--account-index FILE` when given, else the
/// configured one — the local file, or Starfleet's S3 object (StarfleetDefaultAccountIndex) read with the
/// current AWS credentials, as the daemon reads it.
enum ConfiguredAccountIndex {
    static func load(_ configuration: Configuration, override: String?, stateDirectory: String) async throws(AccountIndexError)
        -> AccountIndex
    {
        if let override {
            return try AccountIndexFile.load(Configuration.resolve(override, against: CurrentDirectory.path))
        }
        var logger = Logger(label: "starfleetctl")
        logger.logLevel = .warning
        return try await AWSResources(logger: logger).accountIndex(for: configuration, stateDirectory: stateDirectory).current()
    }

    /// Whether the failure is the index being unreachable (exit 69) rather than invalid (exit 65).
    static func isUnavailable(_ error: AccountIndexError) -> Bool {
        error.message.hasPrefix("cannot read") || error.message.hasPrefix("cannot get")
    }
}
