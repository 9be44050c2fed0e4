import CSpawn
import Glibc
import Synchronization

/// The cancellation line from the awaiting task to the supervising thread: a flag plus a self-pipe whose
/// read end sits in the thread's poll(2) set, so a cancelled run reacts at once instead of at its next timer.
final class RunControl: Sendable {
    private let cancelled = Atomic<Bool>(false)
    let wakeRead: Int32
    private let wakeWrite: Int32

    init() throws(ProcessRunnerError) {
        let ends = try FileDescriptor.pipe()
        do {
            try FileDescriptor.setNonBlocking(ends.read)
            try FileDescriptor.setNonBlocking(ends.write)
        } catch {
            FileDescriptor.close(ends.read)
            FileDescriptor.close(ends.write)
            throw error
        }
        wakeRead = ends.read
        wakeWrite = ends.write
    }

    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    /// Marks the run cancelled and wakes the supervisor. Safe from any thread, any number of times.
    func cancel() {
        cancelled.store(true, ordering: .releasing)
        var byte: UInt8 = 1
        // EAGAIN (pipe already full of wake-ups) is fine: one pending byte is enough.
        _ = write(wakeWrite, &byte, 1)
    }

    /// Empties the wake pipe after poll reported it readable.
    func drainWakeups() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }

    deinit {
        FileDescriptor.close(wakeRead)
        FileDescriptor.close(wakeWrite)
    }
}
