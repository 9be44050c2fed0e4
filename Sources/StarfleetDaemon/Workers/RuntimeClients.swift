import Glibc
package import StarfleetCore
import StarfleetFiles

/// Where the daemon finds the Lambda runtime clients it starts warm workers with (`runtimes/` of the source tree, or
/// the installed copy): `$STARFLEET_RUNTIMES_DIR`, else the first of `<prefix>/lib/starfleetd/runtimes` and a source
/// tree's `runtimes/` above the executable, then `/usr/local/lib/starfleetd/runtimes` (`make install`) and
/// `/usr/lib/starfleetd/runtimes` (the package). Without them every payload of a `Runtime: python` or `nodejs` worker
/// would be dead-lettered (`No module named 'starfleet_worker'`), so start, reload and `validate` check them first.
/// A folder found by searching counts only if no other user could have put it there (``TrustedPath``).
package struct RuntimeClients: Sendable, Hashable {
    /// The folder that holds `python/` and `node/` (the last place looked at when none was found).
    let directory: String
    /// Every folder looked at, in order: one when `$STARFLEET_RUNTIMES_DIR` names it.
    let searched: [String]
    /// Whether `directory` came from `$STARFLEET_RUNTIMES_DIR`.
    let explicit: Bool

    /// The client a worker of `runtime` is started with, relative to the runtimes folder; nil when the daemon starts
    /// none of its own (`provided` runs the worker's `Command`, `process` its program; the Python and node SDKs those
    /// may import are found through the interpreter's own path, as `make install` and the package set it up).
    static func client(for runtime: WorkerRuntime) -> String? {
        switch runtime {
        case .python: "python/starfleet_worker/runtime.py"
        case .nodejs: "node/starfleet-runtime.js"
        case .swift, .process, .provided: nil
        }
    }

    static let installedLocations = ["/usr/local/lib/starfleetd/runtimes", "/usr/lib/starfleetd/runtimes"]

    /// Looks for the runtimes folder as the daemon does, from `executable` (this process's, by default).
    package static func locate(environment: [String: String], executable: String? = currentExecutable()) -> RuntimeClients {
        if let explicit = environment[EnvironmentName.runtimesDirectory], !explicit.isEmpty {
            return RuntimeClients(directory: explicit, searched: [explicit], explicit: true)
        }
        var candidates: [String] = []
        var directory = executable ?? ""
        for _ in 0..<6 {
            directory = String(directory[..<(directory.lastIndex(of: "/") ?? directory.startIndex)])
            if directory.isEmpty { break }
            candidates += ["\(directory)/lib/starfleetd/runtimes", "\(directory)/runtimes"]
        }
        for fixed in installedLocations where !candidates.contains(fixed) { candidates.append(fixed) }
        // A candidate found by searching (not named by the operator) is used only where no other user could have put
        // it: the daemon runs that code with the workers' credentials.
        let found = candidates.first { candidate in
            [WorkerRuntime.python, .nodejs].contains { runtime in
                let file = "\(candidate)/\(client(for: runtime) ?? "")"
                let folder = String(file[..<(file.lastIndex(of: "/") ?? file.startIndex)])
                return access(file, R_OK) == 0 && TrustedPath.firstUntrusted(folder, owners: [geteuid()]) == nil
            }
        }
        return RuntimeClients(
            directory: found ?? installedLocations[installedLocations.count - 1], searched: candidates, explicit: false)
    }

    /// An error at each enabled worker's `Runtime` key whose client is not in `directory`, naming where it looked.
    package func diagnostics(_ configuration: Configuration) -> [Diagnostic] {
        configuration.enabledWorkers.compactMap { worker -> Diagnostic? in
            guard let client = Self.client(for: worker.runtime) else { return nil }
            let file = "\(directory)/\(client)"
            guard access(file, R_OK) != 0 else { return nil }
            let looked =
                explicit
                ? "\(EnvironmentName.runtimesDirectory)=\(directory)"
                : "\(EnvironmentName.runtimesDirectory) is not set; looked in \(searched.joined(separator: ", "))"
            return Diagnostic(
                at: (worker.section["Runtime"] ?? worker.section).mark, path: "\(worker.name).Runtime",
                "the \(worker.runtime.rawValue) runtime client \(file) is missing, so no payload of this worker could run "
                    + "(\(looked))",
                hint:
                    "install starfleetd (the package and make install put the clients in <prefix>/lib/starfleetd/runtimes), "
                    + "or set \(EnvironmentName.runtimesDirectory) to a folder holding python/ and node/, such as a source "
                    + "tree's runtimes/")
        }
    }

    /// `/proc/self/exe`, resolved.
    static func currentExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
