import Glibc
public import StarfleetCore

/// `validate`'s look at each process worker's program: a path that does not lead to an executable file is an
/// error (every payload would fail); a bare name not found in `PATH` is a warning, since the daemon resolves it
/// through its own `PATH` at run time, which may differ from the operator's shell.
public enum CommandCheck {
    public static func diagnostics(_ configuration: Configuration) -> [Diagnostic] {
        diagnostics(configuration, path: getenv("PATH").map { String(cString: $0) })
    }

    static func diagnostics(_ configuration: Configuration, path: String?) -> [Diagnostic] {
        configuration.workers.compactMap { worker -> Diagnostic? in
            guard let program = worker.command?.first else { return nil }
            let node = worker.section["Command"] ?? worker.section
            let key = "\(worker.name).Command"
            if program.contains("/") {
                if let problem = problem(with: program) {
                    return Diagnostic(at: node.mark, path: key, "\(program) \(problem)",
                                      hint: "a program with a '/' is relative to the configuration directory; give the right path or install it")
                }
                return nil
            }
            let directories = (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
            if directories.contains(where: { problem(with: ($0.isEmpty ? "." : $0) + "/" + program) == nil }) { return nil }
            return Diagnostic(.warning, at: node.mark, path: key, "\(program) is not found in PATH (\(path ?? "unset"))",
                              hint: "the daemon looks it up in its own PATH when a payload runs; give a full path to be sure")
        }
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
