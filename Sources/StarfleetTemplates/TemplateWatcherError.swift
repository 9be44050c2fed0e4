import Glibc

/// A failure of the template watcher's own machinery (its state file, inotify). Problems with individual templates
/// are not errors: they are ``TemplateRejection``s.
package struct TemplateWatcherError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What the watcher was doing.
    package enum Code: String, Sendable, Hashable {
        /// Writing, syncing or renaming the state file (the persisted hash set) failed.
        case stateWriteFailed
        /// Creating the inotify instance failed.
        case inotifyUnavailable
        /// ``TemplateWatcher/run(onChanges:)`` was called while it already runs.
        case alreadyRunning
    }

    package var code: Code
    /// The file or directory concerned.
    package var path: String
    /// The underlying `errno`, when a system call failed.
    package var errno: Int32?
    /// What happened and what to do.
    package var message: String

    package init(code: Code, path: String, errno: Int32? = nil, message: String) {
        self.code = code
        self.path = path
        self.errno = errno
        self.message = message
    }

    package var description: String {
        var text = "\(code.rawValue): \(path): \(message)"
        if let errno { text += " (\(SystemErrno.sentence(errno)))" }
        return text
    }
}

/// errno → readable text, shared by errors and rejection reasons.
enum SystemErrno {
    /// `strerror` plus the symbolic number, e.g. "Permission denied, errno 13".
    static func sentence(_ code: Int32) -> String {
        "\(String(cString: strerror(code))), errno \(code)"
    }
}
