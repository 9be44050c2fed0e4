import Glibc

/// An invocation that could not be started (or supervised), with the path, errno and what to do.
///
/// A program that starts and then fails is not an error: that is a ``ProcessOutcome`` with a non-zero status.
package struct ProcessRunnerError: Error, Sendable, Hashable, CustomStringConvertible {
    package enum Code: String, Sendable, Hashable {
        /// argv is empty, or an argument or environment entry holds a NUL byte or an `=` in a name.
        case invalidInvocation
        /// argv[0] does not exist (ENOENT), also after searching `PATH`.
        case executableNotFound
        /// argv[0] exists but cannot be executed (EACCES, ENOEXEC, a directory…).
        case notExecutable
        /// The working directory does not exist or is not a directory.
        case workingDirectoryUnavailable
        /// pipe2, pidfd_open, posix_spawn or the supervising thread failed for another reason (EMFILE, EAGAIN…).
        case spawnFailed
    }

    package var code: Code
    /// The path, argument or directory concerned.
    package var subject: String
    /// The underlying errno, when a system call failed.
    package var errno: Int32?
    /// One sentence on what to do.
    package var hint: String

    package init(code: Code, subject: String, errno: Int32? = nil, hint: String) {
        self.code = code
        self.subject = subject
        self.errno = errno
        self.hint = hint
    }

    package var description: String {
        var text = "\(subject): \(code.rawValue)"
        if let errno { text += " (\(errnoSentence(errno)))" }
        return text + ": \(hint)"
    }
}

/// strerror(3) as a Swift string, read at once on this thread.
func errnoSentence(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "errno \(code)" }
    return String(cString: text)
}
