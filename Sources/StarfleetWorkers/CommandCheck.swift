import Glibc
package import StarfleetCore

/// `validate`'s look at each process worker's program: a path that does not lead to an executable file is an
/// error (every payload would fail); a bare name not found in `PATH` is a warning, since the daemon resolves it
/// through its own `PATH` at run time, which may differ from the operator's shell.
package enum CommandCheck {
    package static func diagnostics(_ configuration: Configuration) -> [Diagnostic] {
        diagnostics(configuration, path: getenv("PATH").map { String(cString: $0) })
    }

    static func diagnostics(_ configuration: Configuration, path: String?) -> [Diagnostic] {
        configuration.workers.compactMap { check($0, path: path) } + configuration.workers.compactMap(codeDirectory)
    }

    /// An explicit `CodeDirectory` that is not a directory: the handler cannot be found there.
    static func codeDirectory(_ worker: WorkerConfiguration) -> Diagnostic? {
        guard worker.runtime.isLambda, worker.process.codeDirectoryIsExplicit else { return nil }
        var info = stat()
        guard stat(worker.process.codeDirectory, &info) != 0 || (info.st_mode & S_IFMT) != S_IFDIR else { return nil }
        let node = worker.section["CodeDirectory"] ?? worker.section
        return Diagnostic(
            at: node.mark, path: "\(worker.name).CodeDirectory", "\(worker.process.codeDirectory) is not a directory",
            hint: "CodeDirectory is relative to the configuration directory")
    }

    /// The program a worker starts: its Command's, or the interpreter of `Runtime: python` / `nodejs`.
    static func check(_ worker: WorkerConfiguration, path: String?) -> Diagnostic? {
        let program: String
        let node: Node
        let key: String
        switch worker.runtime {
        case .python, .nodejs:
            let interpreter = worker.runtime == .python ? worker.process.python : worker.process.node
            guard let interpreter else { return nil }  // the worker's venv or python3, found at run time
            program = interpreter
            key = "\(worker.name).\(worker.runtime == .python ? "Python" : "Node")"
            node = worker.section[worker.runtime == .python ? "Python" : "Node"] ?? worker.section
        default:
            guard let first = worker.command?.first else { return nil }
            program = first
            node = worker.section["Command"] ?? worker.section
            key = "\(worker.name).Command"
        }
        if program.contains("/") {
            if let problem = problem(with: program) {
                return Diagnostic(
                    at: node.mark, path: key, "\(program) \(problem)",
                    hint: "a program with a '/' is relative to the configuration directory; give the right path or install it")
            }
            return nil
        }
        let directories = (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        if directories.contains(where: { problem(with: ($0.isEmpty ? "." : $0) + "/" + program) == nil }) { return nil }
        return Diagnostic(
            .warning, at: node.mark, path: key, "\(program) is not found in PATH (\(path ?? "unset"))",
            hint: "the daemon looks it up in its own PATH when a payload runs; give a full path to be sure")
    }

    /// Why `file` cannot run, or nil when it is an executable regular file.
    static func problem(with file: String) -> String? {
        var info = stat()
        guard stat(file, &info) == 0 else {
            return errno == ENOENT ? "does not exist" : "cannot be examined (\(String(cString: strerror(errno))))"
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return "is not a regular file" }
        guard access(file, X_OK) == 0 else { return "is not executable (chmod +x it)" }
        return nil
    }
}
