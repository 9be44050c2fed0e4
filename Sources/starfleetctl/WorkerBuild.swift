import ArgumentParser
import StarfleetControl

/// `starfleetctl worker build NAME` (Bedrock's `bedrock build --worker=NAME`): the worker's own dependencies in an
/// environment of its own — `requirements.txt` into `<state>/workers/<Name>/venv` (pip), `package.json`'s
/// dependencies into its code directory's node_modules (npm) — so workers never share or clash over packages.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Manage workers' own environments and warm processes.",
        subcommands: [Build.self, Reload.self])

    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install a worker's requirements.txt into its own virtualenv (and package.json's dependencies with npm).",
            discussion: """
                The virtualenv is <state>/workers/<Name>/venv, made with the worker's Python (its Python: key, else python3); \
                the daemon runs a Runtime: python worker with it when the section names no Python. `validate` says when \
                requirements.txt changed since the last build. Exit status: 0, 1 pip or npm failed, 64 usage, 65 nothing \
                to build, 78 configuration errors.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The worker's name (its configuration section).")
        var worker: String

        func run() async throws {
            try await runControl { try await WorkerBuildCommand(control: global.control, worker: worker).run() }
        }
    }

    struct Reload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a warm worker's processes after their current invocation, to run its new code.",
            discussion: """
                Asks the running daemon (its Invoke API socket): each warm process of the worker leaves after the \
                invocation it runs (an idle one at once), so no payload fails and every later one runs the code now in \
                its CodeDirectory. The daemon does this by itself when the CodeDirectory changes (inotify). Exit status: \
                0, 64 no such warm worker, 69 the daemon is not running, 78 configuration errors.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The worker's name (its configuration section).")
        var worker: String

        func run() async throws {
            try await runControl { try await WorkerReloadCommand(control: global.control, worker: worker).run() }
        }
    }
}
