import Glibc

/// A systemd notification or logging call that failed, with what to do about it.
public struct SystemdError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; stable for callers that branch on it.
    public enum Code: String, Sendable, Hashable {
        /// `NOTIFY_SOCKET` (or the explicit path) is not a usable AF_UNIX address.
        case invalidNotifySocket
        /// socket(2) failed.
        case socketFailed
        /// sendto(2) or sd_notify failed.
        case sendFailed
    }

    public var code: Code
    /// The socket address or message concerned.
    public var subject: String
    /// The underlying errno, when a system call failed.
    public var errno: Int32?
    /// One sentence: what went wrong and what to do.
    public var hint: String

    public init(code: Code, subject: String, errno: Int32? = nil, hint: String) {
        self.code = code
        self.subject = subject
        self.errno = errno
        self.hint = hint
    }

    public var description: String {
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
