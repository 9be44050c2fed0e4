import ArgumentParser
import StarfleetControl

/// `starfleetctl new worker NAME --language …`: scaffolds a worker ship (Bedrock's `bedrock new worker`).
struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new", abstract: "Scaffold new things.", subcommands: [Worker.self])

    struct Worker: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a new worker, its configuration section and a sample template.",
            discussion: """
                python, javascript, shell: writes <config>/workers/<name>.{py,js,sh} (an executable example that reads \
                the payload JSON on stdin, honours STARFLEET_COMMIT and prints a JSON result), <config>/<Name>.yaml \
                (a commented worker section with Command) and <TemplateDirectory>/<Name>/example.yaml.
                swift: writes <source>/Sources/StarfleetWorkers/<Name>.swift (a TypedWorkerShip), registers it in \
                WorkerRegistry.builtIns above the `// starfleetctl new worker` line, and writes the same section \
                (without Command) and template.
                Nothing is overwritten. Exit status: 0, 64 invalid name or option, or --source is not the package \
                root, 65 a file or configuration section of that name exists, 74 a file could not be written, \
                78 configuration errors.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(
            help: ArgumentHelp(
                "The worker's name: its section, queue and (Swift) type name; 1-80 of A-Z a-z 0-9 _ -, starting with a letter.",
                valueName: "name"))
        var name: String

        @Option(
            help: ArgumentHelp("The worker's language (not with NAME.py / NAME.js).", valueName: "swift|python|javascript|shell"))
        var language: WorkerScaffold.Language?

        @Option(
            name: .customLong("fan-out"),
            help: ArgumentHelp(
                "SINGLE_INVOCATION, ACCOUNT or ACCOUNT_REGION (default ACCOUNT; SINGLE_INVOCATION for NAME.py / NAME.js).",
                valueName: "strategy"))
        var fanOut: String?

        @Option(help: ArgumentHelp("The starfleetd package root, for --language swift.", valueName: "dir"))
        var source: String = "."

        var command: NewWorkerCommand {
            NewWorkerCommand(control: global.control, name: name, language: language, fanOut: fanOut, source: source)
        }

        func validate() throws {
            if let problem = command.validationProblem() { throw ValidationError(problem) }
        }

        func run() throws {
            try runControl { try command.run() }
        }
    }
}

extension WorkerScaffold.Language: ExpressibleByArgument {}
