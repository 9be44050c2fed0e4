import Glibc

/// The queue's state behind a pthread mutex. Not `Synchronization.Mutex`: its `inout sending` closure
/// parameter rejects the generic, non-Sendable bodies the journal operations pass in, and the discipline here
/// is simple enough to hold by hand: the state is only ever touched inside `withLock`, never across a suspension.
final class LockedState: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: QueueState

    init(_ value: QueueState) {
        self.value = value
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<R>(_ body: (inout QueueState) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
