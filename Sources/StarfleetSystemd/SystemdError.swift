import Glibc

/// A systemd notification or logging call that failed, with what to do about it.
package struct SystemdError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; stable for callers that branch on it.
    package enum Code: String, Sendable, Hashable {
        /// `NOTIFY_SOCKET` (or the explicit path) is not a usable AF_UNIX address.
        case invalidNotifySocket
        /// socket(2) failed.
        case socketFailed
        /// sendto(2) or sd_notify failed.
        case sendFailed
    }

    package var code: Code
    /// The socket address or message concerned.
    package var subject: String
    /// The underlying errno, when a system call failed.
    package var errno: Int32?
    /// One sentence: what went wrong and what to do.
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

/// strerror(3) as a Swift string (strerror's buffer is only read immediately, on this thread).
func errnoSentence(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "errno \(code)" }
    return String(cString: text)
}
