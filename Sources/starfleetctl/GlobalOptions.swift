import ArgumentParser
import Glibc
import StarfleetCore
import StarfleetApp
import StarfleetWorkers
import StarfleetYAML

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The configuration directory (*.yaml files).", valueName: "dir"))
    var config: String = Configuration.defaultDirectory

    @Option(name: .customLong("state-dir"),
            help: ArgumentHelp("The state directory (default: $STATE_DIRECTORY, then STARFLEET.StateDirectory, then /var/lib/starfleetd).", valueName: "dir"))
    var stateDir: String?

    /// Loads and validates the configuration; prints every diagnostic to stderr and exits 78 on errors.
    func loadConfiguration(quietWarnings: Bool = false) throws -> Configuration {
        let (configuration, diagnostics) = ConfigurationLoader.load(config)
        for d in diagnostics where !(quietWarnings && d.severity == .warning) { Console.error(d.description) }
        guard let configuration else { throw ExitCode(ExitStatus.config) }
        return configuration
    }

    func stateDirectory(for configuration: Configuration) -> String {
        configuration.stateDirectory(flag: stateDir, environment: getenv("STATE_DIRECTORY").map { String(cString: $0) })
    }
}

/// Exit statuses (sysexits.h), documented in docs/operations.md.
enum ExitStatus {
    static let ok: Int32 = 0
    static let usage: Int32 = 64
    static let dataError: Int32 = 65
    static let unavailable: Int32 = 69
    static let ioError: Int32 = 74
    static let config: Int32 = 78
}

/// Line output without Foundation: stdout for data, stderr for diagnostics.
enum Console {
    static func out(_ line: String) { write(1, line + "\n") }
    static func error(_ line: String) { write(2, line + "\n") }

    private static func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            bytes = bytes.dropFirst(n)
        }
    }
}
