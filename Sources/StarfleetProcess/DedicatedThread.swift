import Glibc

/// Runs blocking work on its own detached pthread, never on Swift's cooperative pool (2 threads on 2 cores:
/// one blocked poll(2) would halve the daemon's concurrency).
///
/// The thread blocks every asynchronous signal, SIGPIPE included: writing to a pipe whose reader has gone then
/// fails with EPIPE on this thread instead of killing the daemon, and the daemon's SIGTERM/SIGHUP handling stays
/// on its own threads. Synchronous fault signals stay unblocked so crashes still report.
enum DedicatedThread {
    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    static func start(_ body: @escaping @Sendable () -> Void) throws(ProcessRunnerError) {
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, nil,
            { raw in
                guard let raw else { return nil }
                let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
                DedicatedThread.blockAsynchronousSignals()
                box.body()
                return nil
            }, context)
        guard rc == 0 else {
            Unmanaged<Box>.fromOpaque(context).release()
            throw ProcessRunnerError(
                code: .spawnFailed, subject: "pthread_create", errno: rc,
                hint: "the daemon could not start a thread to supervise the child; check TasksMax= and memory")
        }
        pthread_detach(thread)
    }

    static func blockAsynchronousSignals() {
        var set = sigset_t()
        sigfillset(&set)
        for signal in [SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS] { sigdelset(&set, signal) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Consumes a SIGPIPE left pending on this thread by a write that returned EPIPE.
    static func consumePendingSIGPIPE() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGPIPE)
        var pending = sigset_t()
        guard sigpending(&pending) == 0, sigismember(&pending, SIGPIPE) == 1 else { return }
        var zero = timespec(tv_sec: 0, tv_nsec: 0)
        _ = sigtimedwait(&set, nil, &zero)
    }
}
