import Glibc
import Logging

/// Drives one child from spawn to reap on the dedicated thread: feeds stdin, drains stdout and stderr, and
/// enforces the timeout — all in one poll(2) loop over non-blocking pipes, so a child that floods its output
/// or never reads its input cannot deadlock us.
///
/// Order of the end game: on timeout or cancellation SIGTERM goes to the process group, SIGKILL after the
/// grace. Once the leader has exited (seen with waitid WNOWAIT, which leaves it a zombie so its pid — the
/// group id — cannot be reused), output is drained until EOF or briefly, anything left in the group is
/// SIGKILLed, and only then is the leader reaped.
final class ChildSupervisor {
    /// Why we stopped the child, if we did.
    enum StopReason {
        case timeout
        case cancelled
    }

    struct Result {
        var waitStatus: Int32
        var stopReason: StopReason?
        var stdout: HeadBuffer
        var stderr: TailBuffer
    }

    /// How long to keep reading after the leader exited when something it left behind still holds a pipe.
    static let exitDrain = 0.25
    /// Without a pidfd, how often to ask waitid whether the leader has exited.
    static let exitPollTick = 0.02

    private let child: ChildProcess
    private let invocation: ProcessInvocation
    private let control: RunControl
    private let logger: Logger
    private let observer: ProcessObserver?
    private var stdinFD: Int32
    private var stdoutFD: Int32
    private var stderrFD: Int32
    private var stdinOffset = 0
    private var stdout: HeadBuffer
    private var stderr: TailBuffer
    private var readBuffer: UnsafeMutableRawBufferPointer

    init(
        child: ChildProcess, invocation: ProcessInvocation, control: RunControl, logger: Logger,
        observer: ProcessObserver? = nil
    ) {
        self.observer = observer
        self.child = child
        self.invocation = invocation
        self.control = control
        self.logger = logger
        stdinFD = child.stdin
        stdoutFD = child.stdout
        stderrFD = child.stderr
        stdout = HeadBuffer(limit: invocation.stdoutLimit)
        stderr = TailBuffer(limit: invocation.stderrTailLimit)
        readBuffer = .allocate(byteCount: 65536, alignment: 8)
    }

    deinit {
        readBuffer.deallocate()
        for fd in [stdinFD, stdoutFD, stderrFD, child.pidfd] { FileDescriptor.close(fd) }
    }

    /// Runs to the end: returns only after the child has been reaped. Throws only if the child was reaped by
    /// someone else (the daemon must not set SIGCHLD to SIG_IGN).
    func run() throws(ProcessRunnerError) -> Result {
        let deadline = monotonicSeconds() + max(0, invocation.timeout)
        var stopReason: StopReason?
        var killAt: Double?
        var killed = false
        var exitedAt: Double?
        if invocation.stdin.isEmpty { closeStdin() }

        while true {
            let now = monotonicSeconds()
            if exitedAt == nil {
                if stopReason == nil, control.isCancelled || now >= deadline {
                    stopReason = control.isCancelled ? .cancelled : .timeout
                    killAt = now + max(0, invocation.killGrace)
                    logger.notice(
                        "process \(stopReason == .cancelled ? "cancelled" : "timed out"): SIGTERM to its process group",
                        metadata: ["pid": "\(child.pid)", "timeout": "\(invocation.timeout)"])
                    signalGroup(SIGTERM)
                }
                if let killAt, !killed, now >= killAt {
                    logger.warning(
                        "process still running after the kill grace: SIGKILL to its process group",
                        metadata: ["pid": "\(child.pid)", "grace": "\(invocation.killGrace)"])
                    signalGroup(SIGKILL)
                    killed = true
                }
                if try leaderHasExited() {
                    exitedAt = now
                    closeStdin()  // nobody is left to read it
                }
            }
            if let exitedAt, (stdoutFD < 0 && stderrFD < 0) || now >= exitedAt + Self.exitDrain { break }

            // Sleep in poll until a pipe is ready, the child exits, we are cancelled, or the next deadline.
            var wakeAt: [Double] = []
            if let exitedAt {
                wakeAt.append(exitedAt + Self.exitDrain)
            } else {
                if stopReason == nil { wakeAt.append(deadline) }
                if let killAt, !killed { wakeAt.append(killAt) }
                if child.pidfd < 0 { wakeAt.append(now + Self.exitPollTick) }
            }
            let timeout = wakeAt.min().map { Int32(min(max(0, ($0 - now) * 1000).rounded(.up), 60_000)) } ?? -1
            pollOnce(timeoutMilliseconds: timeout, watchExit: exitedAt == nil)
        }

        // The leader is a zombie, so its group id is still ours: clear out whatever it left behind.
        signalGroup(SIGKILL)
        closeStdin()
        finalDrain()
        let status = try reap()
        return Result(waitStatus: status, stopReason: stopReason, stdout: stdout, stderr: stderr)
    }

    private func pollOnce(timeoutMilliseconds: Int32, watchExit: Bool) {
        var fds = [pollfd(fd: control.wakeRead, events: Int16(POLLIN), revents: 0)]
        if watchExit, child.pidfd >= 0 { fds.append(pollfd(fd: child.pidfd, events: Int16(POLLIN), revents: 0)) }
        if stdinFD >= 0 { fds.append(pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)) }
        if stdoutFD >= 0 { fds.append(pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)) }
        if stderrFD >= 0 { fds.append(pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)) }

        let ready = poll(&fds, nfds_t(fds.count), timeoutMilliseconds)
        if ready < 0 {
            // EINTR: loop again. ENOMEM: back off briefly rather than spin.
            if errno != EINTR { usleep(10_000) }
            return
        }
        let anything = Int16(POLLIN | POLLOUT | POLLERR | POLLHUP | POLLNVAL)
        for entry in fds where entry.revents & anything != 0 {
            switch entry.fd {
            case control.wakeRead: control.drainWakeups()
            case stdinFD: writeStdin()
            case stdoutFD: stdoutFD = drain(stdoutFD, maxReads: 16) { self.keep($0, .stdout) }
            case stderrFD: stderrFD = drain(stderrFD, maxReads: 16) { self.keep($0, .stderr) }
            default: break  // the pidfd: leaderHasExited() looks next time round
            }
        }
    }

    /// Writes as much of the payload as the pipe takes. EPIPE (the child closed stdin or exited) just ends
    /// the payload: many programs legitimately stop reading early.
    private func writeStdin() {
        invocation.stdin.withUnsafeBytes { payload in
            guard let base = payload.baseAddress else { return }
            while stdinFD >= 0 && stdinOffset < payload.count {
                let written = write(stdinFD, base + stdinOffset, min(payload.count - stdinOffset, 65536))
                if written > 0 {
                    stdinOffset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                    return
                } else {
                    if errno == EPIPE { DedicatedThread.consumePendingSIGPIPE() }
                    closeStdin()
                }
            }
        }
        if stdinOffset >= invocation.stdin.count { closeStdin() }  // EOF tells the child the payload is complete
    }

    /// Reads until EAGAIN, EOF or `maxReads` chunks (so timers stay responsive against a flood). Returns the
    /// fd, or -1 once it has been closed at EOF or on an error.
    private func drain(_ fd: Int32, maxReads: Int, into sink: (UnsafeRawBufferPointer) -> Void) -> Int32 {
        for _ in 0..<maxReads {
            let count = read(fd, readBuffer.baseAddress, readBuffer.count)
            if count > 0 {
                sink(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
            } else if count < 0 && errno == EINTR {
                continue
            } else if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return fd
            } else {
                FileDescriptor.close(fd)
                return -1
            }
        }
        return fd
    }

    /// After the group is dead: whatever is still buffered in the pipes, without waiting for anyone.
    private func finalDrain() {
        if stdoutFD >= 0 { stdoutFD = drain(stdoutFD, maxReads: 256) { self.keep($0, .stdout) } }
        if stderrFD >= 0 { stderrFD = drain(stderrFD, maxReads: 256) { self.keep($0, .stderr) } }
    }

    private func keep(_ bytes: UnsafeRawBufferPointer, _ stream: ProcessObserver.Stream) {
        switch stream {
        case .stdout: stdout.append(bytes)
        case .stderr: stderr.append(bytes)
        }
        observer?.output(stream, Array(bytes))
    }

    private func closeStdin() {
        FileDescriptor.close(stdinFD)
        stdinFD = -1
    }

    /// kill(-pgid): the leader's pid is the group id (POSIX_SPAWN_SETPGROUP with 0). ESRCH means nobody is left.
    private func signalGroup(_ signal: Int32) {
        if kill(-child.pid, signal) != 0 && errno != ESRCH {
            logger.warning(
                "could not signal the process group", metadata: ["pid": "\(child.pid)", "errno": "\(errno)"])
        }
    }

    /// Whether the leader has exited, without reaping it (WNOWAIT keeps the zombie and so the group id).
    private func leaderHasExited() throws(ProcessRunnerError) -> Bool {
        var info = siginfo_t()
        while true {
            let rc = waitid(P_PID, id_t(child.pid), &info, WEXITED | WNOHANG | WNOWAIT)
            if rc == 0 { return info._sifields._sigchld.si_pid == child.pid }
            if errno == EINTR { continue }
            throw lostChild(errno)
        }
    }

    private func reap() throws(ProcessRunnerError) -> Int32 {
        var status: Int32 = 0
        while waitpid(child.pid, &status, 0) < 0 {
            if errno != EINTR { throw lostChild(errno) }
        }
        return status
    }

    private func lostChild(_ code: Int32) -> ProcessRunnerError {
        ProcessRunnerError(
            code: .spawnFailed, subject: "pid \(child.pid)", errno: code,
            hint: "the child was reaped by someone else; the daemon must not ignore SIGCHLD")
    }
}
