import CSpawn
import Glibc

/// Small checked wrappers around the fd calls the runner needs.
enum FileDescriptor {
    /// A close-on-exec pipe (read end, write end) whose ends are both ≥ 3, so that dup2-ing them onto 0/1/2 in
    /// the child never hits the same-fd case (which would leave close-on-exec set and the child without stdio).
    static func pipe() throws(ProcessRunnerError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard cspawn_pipe(&fds) == 0 else { throw failure("pipe2", errno) }
        do {
            return (try aboveStdio(fds[0]), try aboveStdio(fds[1]))
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
    }

    /// `fd` itself when ≥ 3; otherwise a close-on-exec duplicate ≥ 3 (the original is closed).
    private static func aboveStdio(_ fd: Int32) throws(ProcessRunnerError) -> Int32 {
        guard fd < 3 else { return fd }
        let moved = fcntl(fd, F_DUPFD_CLOEXEC, Int32(3))
        guard moved >= 0 else { throw failure("fcntl(F_DUPFD_CLOEXEC)", errno) }
        close(fd)
        return moved
    }

    /// Sets O_NONBLOCK on the daemon's end of a pipe (the child's end stays blocking, as programs expect).
    static func setNonBlocking(_ fd: Int32) throws(ProcessRunnerError) {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else { throw failure("fcntl(O_NONBLOCK)", errno) }
    }

    /// close(2), ignoring the result: on Linux the fd is released even when close reports an error.
    static func close(_ fd: Int32) {
        if fd >= 0 { _ = Glibc.close(fd) }
    }

    static func failure(_ call: String, _ code: Int32) -> ProcessRunnerError {
        ProcessRunnerError(
            code: .spawnFailed, subject: call, errno: code,
            hint: "the daemon could not set up the child's pipes; check the open-file limit (LimitNOFILE=)")
    }
}

/// CLOCK_MONOTONIC in seconds: deadlines and durations must not jump with the wall clock.
func monotonicSeconds() -> Double {
    var now = timespec()
    guard clock_gettime(CLOCK_MONOTONIC, &now) == 0 else { return 0 }
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
