import Glibc

/// Finds the program to exec and explains a failure to start it in words an operator can act on.
enum ExecutableLookup {
    /// `program` itself when it contains a slash (relative ones resolve in the working directory, after the
    /// child's chdir); otherwise the first executable regular file named `program` in `path`, like execvp
    /// but searching the *child's* PATH rather than the daemon's.
    static func resolve(_ program: String, path: String, workingDirectory: String?) throws(ProcessRunnerError)
        -> String
    {
        if let directory = workingDirectory {
            var status = stat()
            guard stat(directory, &status) == 0 else {
                throw ProcessRunnerError(
                    code: .workingDirectoryUnavailable, subject: directory, errno: errno,
                    hint: "create the working directory or fix the worker's configuration")
            }
            guard status.st_mode & S_IFMT == S_IFDIR else {
                throw ProcessRunnerError(
                    code: .workingDirectoryUnavailable, subject: directory, errno: ENOTDIR,
                    hint: "the working directory must be a directory")
            }
        }
        if program.contains("/") { return program }

        var firstDenied: String?
        for directory in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + program
            var status = stat()
            guard stat(candidate, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { continue }
            if access(candidate, X_OK) == 0 { return candidate }
            firstDenied = firstDenied ?? candidate
        }
        if let denied = firstDenied { throw spawnError(EACCES, executable: denied) }
        throw ProcessRunnerError(
            code: .executableNotFound, subject: program, errno: ENOENT,
            hint: "no executable named '\(program)' in PATH=\(path); give Command an absolute path")
    }

    /// The error for a failed posix_spawn (glibc reports the child's exec or chdir errno).
    static func spawnError(_ code: Int32, executable: String) -> ProcessRunnerError {
        switch code {
        case ENOENT:
            ProcessRunnerError(
                code: .executableNotFound, subject: executable, errno: code,
                hint: "check the worker's Command path (and, for a script, the interpreter on its #! line)")
        case EACCES, EPERM:
            ProcessRunnerError(
                code: .notExecutable, subject: executable, errno: code,
                hint: "make it executable (chmod +x) and readable by the daemon's user, on a mount without noexec")
        case ENOEXEC:
            ProcessRunnerError(
                code: .notExecutable, subject: executable, errno: code,
                hint: "the file is not a binary; give a script a #! line")
        case EISDIR, ENOTDIR:
            ProcessRunnerError(
                code: .notExecutable, subject: executable, errno: code,
                hint: "the worker's Command must name a file, not a directory")
        default:
            ProcessRunnerError(
                code: .spawnFailed, subject: executable, errno: code,
                hint: "the system could not start the program; check process and memory limits")
        }
    }
}
