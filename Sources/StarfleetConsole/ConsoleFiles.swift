import Dispatch

/// Where the console does its file work (reading dead letters and the run history, purging): a serial dispatch queue
/// of its own, awaited with a continuation, so a slow disk stalls a page and never one of the two cooperative
/// threads the dispatcher runs on.
enum ConsoleFiles {
    private static let queue = DispatchQueue(label: "starfleet.console.files")

    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
