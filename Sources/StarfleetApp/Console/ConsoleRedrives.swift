import FoundationEssentials
import StarfleetClock
import StarfleetQueue
import Synchronization

/// The console's redrives. Each runs in the background at the pace the operator chose, so redriving thousands of dead
/// letters neither floods a worker's queue (and the accounts its payloads call) nor holds a page open; its page shows
/// the progress and can cancel it. Kept in memory: the letters not yet redriven stay in their files, so a redrive cut
/// short by a restart is simply started again.
final class ConsoleRedrives: Sendable {
    struct Job: Sendable {
        enum State: String, Sendable { case running, finished, cancelled }

        let id: Int
        /// What was asked for, e.g. "2 selected" or "all of Audit, account 111".
        let scope: String
        let started: Date
        let ratePerSecond: Double
        let total: Int
        var redriven = 0
        var failed = 0
        /// One line per failed letter or skipped worker, the first `ConsoleRedrives.maxLines`.
        var lines: [String] = []
        var state = State.running
        var ended: Date?

        var done: Int { redriven + failed }
    }

    private struct Jobs {
        var next = 1
        var jobs: [Int: Job] = [:]
        var tasks: [Int: Task<Void, Never>] = [:]
    }

    static let defaultRate = 100.0
    static let rates = 1.0...1000.0
    /// Finished jobs kept for their pages.
    static let kept = 20
    static let maxLines = 200

    private let state = Mutex(Jobs())

    /// Starts redriving `targets` at `rate` letters per second; returns the job's id for its page.
    func start(
        _ targets: [(worker: String, ids: [String])], scope: String, rate: Double, source: ConsoleSource
    ) -> Int {
        let rate = min(max(rate, Self.rates.lowerBound), Self.rates.upperBound)
        let total = targets.reduce(0) { $0 + $1.ids.count }
        let id = state.withLock { s -> Int in
            let id = s.next
            s.next += 1
            s.jobs[id] = Job(id: id, scope: scope, started: source.clock.now(), ratePerSecond: rate, total: total)
            let finished = s.jobs.values.filter { $0.state != .running }.map(\.id).sorted()
            for old in finished.dropLast(Self.kept) { s.jobs[old] = nil }
            return id
        }
        let task = Task { await self.run(id, targets, rate: rate, source: source) }
        state.withLock { s in
            if s.jobs[id]?.state == .running { s.tasks[id] = task }
        }
        return id
    }

    func job(_ id: Int) -> Job? { state.withLock { $0.jobs[id] } }

    /// Newest first.
    func recent() -> [Job] { state.withLock { $0.jobs.values.sorted { $0.id > $1.id } } }

    /// Stops the job after the letters it is sending now; false if it is not running.
    func cancel(_ id: Int) -> Bool {
        let task = state.withLock { s -> Task<Void, Never>? in
            guard s.jobs[id]?.state == .running else { return nil }
            return s.tasks[id]
        }
        task?.cancel()
        return task != nil
    }

    /// Waits for the job to end (tests).
    func wait(_ id: Int) async {
        await state.withLock { $0.tasks[id] }?.value
    }

    /// Sends the letters in small chunks, about ten a second, each when the pace allows it: `sent / rate` seconds after
    /// the start. A cancel takes effect between chunks, so every chunk's outcome is counted.
    private func run(_ id: Int, _ targets: [(worker: String, ids: [String])], rate: Double, source: ConsoleSource) async {
        let chunkSize = max(1, Int(rate / 10))
        let start = source.clock.now()
        var sent = 0
        work: for (worker, ids) in targets {
            let queue: any MessageQueue
            switch source.queue(for: worker) {
            case .failure(let why):
                update(id) {
                    $0.failed += ids.count
                    Self.note("\(worker): \(why)", in: &$0)
                }
                continue
            case .success(let q): queue = q
            }
            for first in stride(from: 0, to: ids.count, by: chunkSize) {
                do {
                    try await source.clock.sleep(until: start.addingTimeInterval(Double(sent) / rate))
                } catch {
                    break work
                }
                if Task.isCancelled { break work }
                let chunk = Array(ids[first..<min(first + chunkSize, ids.count)])
                sent += chunk.count
                do {
                    let result = try await source.deadLetters.redrive(
                        worker: worker, .ids(chunk), into: queue, ratePerSecond: nil, clock: source.clock)
                    update(id) {
                        $0.redriven += result.redriven.count
                        $0.failed += result.failed.count
                        for (letter, why) in result.failed.sorted(by: { $0.key < $1.key }) {
                            Self.note("\(worker)/\(letter): not redriven: \(why)", in: &$0)
                        }
                    }
                } catch {
                    update(id) {
                        $0.failed += chunk.count
                        Self.note("\(worker): \(chunk.count) letter(s) not redriven: \(error)", in: &$0)
                    }
                }
            }
        }
        let ended = source.clock.now()
        state.withLock { s in
            s.jobs[id]?.state = Task.isCancelled ? .cancelled : .finished
            s.jobs[id]?.ended = ended
            s.tasks[id] = nil
        }
    }

    private func update(_ id: Int, _ change: (inout Job) -> Void) {
        state.withLock { s in
            if var job = s.jobs[id] {
                change(&job)
                s.jobs[id] = job
            }
        }
    }

    private static func note(_ line: String, in job: inout Job) {
        if job.lines.count < maxLines { job.lines.append(line) }
    }
}
