import Glibc

/// A failed system call on a file or directory: which call, on what path, the errno, and what an operator can do.
package struct FileSystemError: Error, Sendable, Equatable, CustomStringConvertible {
    package var operation: String
    package var path: String
    package var errno: Int32

    package init(_ operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// What to do about it, by errno.
    package var hint: String {
        switch errno {
        case ENOSPC, EDQUOT: "Free disk space on the state directory's file system, then retry."
        case EACCES, EPERM: "Check the ownership and mode of the state directory (the daemon's user must own it)."
        case EROFS: "The state directory's file system is read-only; remount it read-write."
        case EIO: "The disk reported an I/O error; check the kernel log (journalctl -k) and the disk's health."
        case ENOENT: "The file or directory is missing; check the state directory path."
        default: "Check the state directory and the kernel log, then retry."
        }
    }

    package var description: String {
        "\(operation) failed: \(path): \(String(cString: strerror(errno))) (errno \(errno)) (hint: \(hint))"
    }
}
