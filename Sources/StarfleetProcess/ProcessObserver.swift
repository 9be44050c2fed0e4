/// What a caller learns of a run while it goes on: the pid once the child exists, and its output as it is read
/// (a warm worker's lines go to the log as they come, not at its exit, which may be days away).
package struct ProcessObserver: Sendable {
    package enum Stream: Sendable { case stdout, stderr }

    /// Called on the supervising thread right after the spawn (with the pid), before any output.
    package var started: @Sendable (Int32) -> Void
    /// Called on the supervising thread with each chunk read (not split into lines); keep it short.
    package var output: @Sendable (Stream, [UInt8]) -> Void

    package init(
        started: @escaping @Sendable (Int32) -> Void = { _ in },
        output: @escaping @Sendable (Stream, [UInt8]) -> Void = { _, _ in }
    ) {
        self.started = started
        self.output = output
    }
}
