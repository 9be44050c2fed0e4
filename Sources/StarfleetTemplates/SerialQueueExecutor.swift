import Dispatch

/// Runs an actor's jobs on its own serial Dispatch queue instead of Swift's cooperative pool.
///
/// The template watcher reads and hashes up to thousands of files and fsyncs its state file; on this daemon's
/// 2-core hosts the cooperative pool has 2 threads, so that blocking file I/O must not occupy one of them.
/// (`DispatchSerialQueue` is a `SerialExecutor` on Darwin only; this is the same thing spelled out for Linux.)
final class SerialQueueExecutor: SerialExecutor {
    let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
