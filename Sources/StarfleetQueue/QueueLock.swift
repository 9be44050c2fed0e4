import Glibc
import Synchronization

/// The exclusive flock on `<queue>/lock` that the process owning a queue holds while it has it open, so that
/// `starfleetctl` knows whether to open the queue itself or hand its request to the running daemon.
final class QueueLock: Sendable {
    let path: String
    private let fd: Mutex<Int32>

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = Mutex(fd)
    }

    deinit { release() }

    /// Drops the lock (closing its descriptor); idempotent.
    func release() {
        fd.withLock { fd in
            if fd >= 0 { _ = Glibc.close(fd) }
            fd = -1
        }
    }

    /// Takes the lock without waiting; throws `.locked` when another process holds it.
    static func acquire(directory: String, queue: String) throws -> QueueLock {
        let path = directory + "/lock"
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if fd < 0 { throw QueueError.system("open", path: path, errno: errno) }
        // A process spawning a child at this moment shares the lock's open file until the child's exec closes it
        // (O_CLOEXEC): retry briefly so that microseconds of inheritance are not mistaken for another owner.
        var attempts = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            attempts += 1
            if code == EWOULDBLOCK && attempts < 20 {
                usleep(5_000)
                continue
            }
            _ = Glibc.close(fd)
            if code == EWOULDBLOCK {
                throw QueueError(
                    .locked, "another process has the queue open",
                    hint:
                        "The daemon is running: drop a request into <state>/inbox/<queue>/ (starfleetctl does) or stop the daemon first.",
                    queue: queue, path: path)
            }
            throw QueueError.system("flock", path: path, errno: code)
        }
        return QueueLock(path: path, fd: fd)
    }

    /// True when some process holds the lock on the queue in `directory` (false when it does not exist).
    static func isHeld(directory: String) -> Bool {
        let fd = Glibc.open(directory + "/lock", O_RDONLY | O_CLOEXEC)
        if fd < 0 { return false }
        defer { _ = Glibc.close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) != 0 { return errno == EWOULDBLOCK }
        _ = flock(fd, LOCK_UN)
        return false
    }
}
