import ArgumentParser
import StarfleetControl

/// `starfleetctl plan TEMPLATE`: what the Starbase would send for a template, without sending anything.
struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the payloads a template would fan out to (nothing is sent).",
        discussion: """
            The worker is the one the template would go to (the first S3-sourced worker whose TemplatePrefix matches
            the template's path under the template directory), or the one named with --worker.
            Exit status: 0, 65 invalid template, 69 no account index, 78 configuration errors.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The payload template (YAML).", valueName: "template.yaml"))
    var template: String

    @Option(help: ArgumentHelp("The worker to plan for (default: the one the template's path routes to).", valueName: "name"))
    var worker: String?

    @Option(
        name: .customLong("account-index"),
        help: ArgumentHelp("An account index JSON file (default: the configured one).", valueName: "file"))
    var accountIndex: String?

    @Flag(help: "One JSON object per payload: {\"worker\", \"account\", \"region\", \"body\"}.")
    var json = false

    func run() async throws {
        try await runControl {
            try await PlanCommand(
                control: global.control, template: template, worker: worker, accountIndex: accountIndex, json: json
            ).run()
        }
    }
}
