import Glibc
package import StarfleetFiles

/// Every error the queue and the dead-letter directory throw: what went wrong (``code``), on what (queue, path,
/// message id), the operating system's errno when a system call failed, and a sentence saying what to do.
package struct QueueError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure. Compare with the static members (`error.code == .messageTooLarge`).
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate let name: String
        package var description: String { name }

        /// A system call on the journal, a dead letter or a lock failed (see ``QueueError/errno``).
        package static let fileSystem = Code(name: "fileSystem")
        /// Body plus attributes exceed 1 MiB.
        package static let messageTooLarge = Code(name: "messageTooLarge")
        /// The body is empty or holds characters SQS does not allow.
        package static let invalidMessageContents = Code(name: "invalidMessageContents")
        /// A parameter is out of range (delay, max, wait, visibility timeout, attribute count).
        package static let invalidParameterValue = Code(name: "invalidParameterValue")
        /// The receipt handle is not one this queue issued.
        package static let receiptHandleIsInvalid = Code(name: "receiptHandleIsInvalid")
        /// The receipt handle is stale (received again since) or the message is gone.
        package static let messageNotInflight = Code(name: "messageNotInflight")
        /// The journal was written by a newer (or unknown) format version.
        package static let unsupportedFormatVersion = Code(name: "unsupportedFormatVersion")
        /// A journal record or dead-letter file could not be decoded.
        package static let corruptData = Code(name: "corruptData")
        /// Another process holds the queue's lock (normally the running daemon).
        package static let locked = Code(name: "locked")
        /// The queue was closed, or an earlier write failure left its journal unusable.
        package static let unavailable = Code(name: "unavailable")
        /// No such dead letter or queue.
        package static let notFound = Code(name: "notFound")
    }

    package var code: Code
    /// The queue concerned, when known.
    package var queue: String?
    /// The file or directory concerned, when known.
    package var path: String?
    /// The message concerned, when known.
    package var messageId: String?
    /// The errno of the failed system call, when one failed.
    package var errno: Int32?
    /// What failed, in one sentence.
    package var message: String
    /// What to do about it, in one sentence.
    package var hint: String

    package init(
        _ code: Code, _ message: String, hint: String, queue: String? = nil, path: String? = nil,
        messageId: String? = nil, errno: Int32? = nil
    ) {
        self.code = code
        self.message = message
        self.hint = hint
        self.queue = queue
        self.path = path
        self.messageId = messageId
        self.errno = errno
    }

    package var description: String {
        var text = "\(code)"
        if let queue { text += " [queue \(queue)]" }
        if let messageId { text += " [message \(messageId)]" }
        if let path { text += " [\(path)]" }
        text += ": \(message)"
        if let errno { text += ": \(String(cString: strerror(errno))) (errno \(errno))" }
        return text + ". " + hint
    }

    /// The same error, naming `queue` when it did not name one yet.
    func on(queue name: String) -> QueueError {
        var copy = self
        if copy.queue == nil { copy.queue = name }
        return copy
    }

    /// A failed system call: `operation` names the call, the hint depends on the errno.
    static func system(_ operation: String, path: String, errno code: Int32) -> QueueError {
        QueueError(FileSystemError(operation, path: path, errno: code))
    }

    /// The queue's error for a failed file-system call (its operation, path, errno and hint).
    package init(_ error: FileSystemError) {
        self.init(.fileSystem, "\(error.operation) failed", hint: error.hint, path: error.path, errno: error.errno)
    }
}
