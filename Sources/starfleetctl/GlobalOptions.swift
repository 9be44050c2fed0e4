import ArgumentParser
import StarfleetControl

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The configuration directory (*.yaml files).", valueName: "dir"))
    var config: String = ControlContext.defaultConfigDirectory

    @Option(
        name: .customLong("state-dir"),
        help: ArgumentHelp(
            "The state directory (default: $STATE_DIRECTORY, then STARFLEET.StateDirectory, then /var/lib/starfleetd).",
            valueName: "dir"))
    var stateDir: String?

    /// What the application layer's commands are given: loading the configuration and finding the state directory
    /// are done there.
    var control: ControlContext { ControlContext(config: config, stateDir: stateDir) }
}

/// Runs a command's application-layer body and turns its documented ends into the parser's: an exit status
/// (``ControlExit``) into `ExitCode`, a usage mistake found while running (``ControlUsageError``) into a
/// `ValidationError` (printed with the usage line, exit 64). Anything else propagates as it is.
func runControl(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ControlExit {
        throw ExitCode(exit.status)
    } catch let usage as ControlUsageError {
        throw ValidationError(usage.message)
    }
}

/// ``runControl(_:)`` for commands that await.
func runControl(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let exit as ControlExit {
        throw ExitCode(exit.status)
    } catch let usage as ControlUsageError {
        throw ValidationError(usage.message)
    }
}
