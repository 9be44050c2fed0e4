/// A change callback held by reference. Not a bare closure in a `Mutex`: a closure read back through the mutex's
/// generic `inout` access is written back re-wrapped in a reabstraction thunk, so every call made the chain one
/// link longer — after 100,000 messages each notification walked 100,000 thunks and they held ~100 MB.
package final class ChangeObserver: Sendable {
    package let call: @Sendable () -> Void

    package init(_ call: @escaping @Sendable () -> Void) { self.call = call }
}
