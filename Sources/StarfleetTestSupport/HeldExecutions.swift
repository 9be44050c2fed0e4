/// Executions that start, report it, and wait until the test lets each one finish: for counting how many run at once
/// and what starts when a slot comes free.
package final class HeldExecutions: Sendable {
    package struct Runs: Sendable, CustomStringConvertible {
        package var started: [String] = []
        package var running: Set<String> = []
        package var mostAtOnce = 0
        package var released: Set<String> = []
        package var description: String { "started \(started), running \(running.sorted()), at most \(mostAtOnce) at once" }
    }

    package let runs = Watched(Runs())

    package init() {}

    /// One execution named `key`: returns when ``finish(_:)`` was called for it.
    package func run(_ key: String) async {
        runs.update { r in
            r.started.append(key)
            r.running.insert(key)
            r.mostAtOnce = max(r.mostAtOnce, r.running.count)
        }
        try? await runs.wait(for: "\(key) to be released", timeout: .seconds(3600)) { $0.released.contains(key) }
        runs.update { _ = $0.running.remove(key) }
    }

    /// Lets `key` finish (before or after it started).
    package func finish(_ key: String) { runs.update { _ = $0.released.insert(key) } }

    /// Waits until `count` executions have started.
    package func waitForStarts(_ count: Int) async throws {
        try await runs.wait(for: "\(count) execution(s) to start") { $0.started.count >= count }
    }
}
