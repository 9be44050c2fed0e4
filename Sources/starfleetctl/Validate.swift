import ArgumentParser
import StarfleetControl

/// `starfleetctl validate`: the configuration, then every template in the template directory against its worker.
struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the configuration and every template in the template directory.",
        discussion: """
            Prints every problem as file:line:column: error: Section.Key: what is wrong (hint).
            Offline: no network call unless --check-aws is given.
            Exit status: 0 valid, 78 configuration errors, 65 template errors, 69 an AWS check failed.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Check the configuration only, not the templates.")
    var configOnly = false

    @Flag(
        name: .customLong("check-aws"),
        help:
            "Also check that the template bucket, the S3 account index and the SQS queue URLs are reachable with the current credentials."
    )
    var checkAWS = false

    func run() async throws {
        try await runControl {
            try await ValidateCommand(control: global.control, configOnly: configOnly, checkAWS: checkAWS).run()
        }
    }
}
