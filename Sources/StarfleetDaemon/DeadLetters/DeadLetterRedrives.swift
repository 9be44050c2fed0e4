package import FoundationEssentials
package import StarfleetQueue
import Synchronization

/// The redrives running in the background (the console's): each a paced ``DeadLetterOperations`` redrive. Each runs in the background at the pace the operator chose, so redriving thousands of dead
/// letters neither floods a worker's queue (and the accounts its payloads call) nor holds a page open; its page shows
/// the progress and can stop it. A letter belongs to one running redrive at a time: a second redrive of the same
/// letters (a double-clicked button) skips them rather than send each twice. Kept in memory: the letters not yet
/// redriven stay in their files, so a redrive cut short by a restart is simply started again.
package final class DeadLetterRedrives: Sendable {
    package struct Job: Sendable {
        package enum State: String, Sendable { case running, finished, stopped }

        package let id: Int
        /// What was asked for, e.g. "2 selected" or "all of Audit, account 111".
        package let scope: String
        package let started: Date
        package let ratePerSecond: Double
        package let total: Int
        package var redriven = 0
        package var failed = 0
        /// Letters left alone because another running redrive has them.
        package var skipped = 0
        /// One line per failed letter or skipped worker, the first `DeadLetterRedrives.maxLines`.
        package var lines: [String] = []
        package var state = State.running
        package var stopRequested = false
        package var ended: Date?

        package var done: Int { redriven + failed }
    }

    /// Why a redrive was not started.
    package enum Refusal: Error, CustomStringConvertible {
        case tooMany(running: Int)
        case allTaken(byJobs: [Int])

        package var description: String {
            switch self {
            case .tooMany(let n): return "\(n) redrives are running; wait for one to finish or stop one"
            case .allTaken(let jobs):
                return
                    "every selected letter is already being redriven by redrive \(jobs.map(String.init).joined(separator: ", "))"
            }
        }
    }

    private struct Jobs {
        var next = 1
        var jobs: [Int: Job] = [:]
        var tasks: [Int: Task<Void, Never>] = [:]
        /// `worker/id` of every letter a running job holds, and which job.
        var claimed: [String: Int] = [:]
    }

    package static let defaultRate = 100.0
    package static let rates = 1.0...1000.0
    /// Redrives running at once: each paces its own sends, so more would only multiply the rate.
    package static let maxRunning = 4
    /// Finished jobs kept for their pages.
    package static let kept = 20
    package static let maxLines = 200

    private let state = Mutex(Jobs())
    private let operations: DeadLetterOperations

    package init(operations: DeadLetterOperations) {
        self.operations = operations
    }

    /// Starts redriving `targets` at `rate` letters per second, each worker's to the queue `queue` names; returns the
    /// job's id for its page.
    package func start(
        _ targets: DeadLetterOperations.Targets, scope: String, rate: Double,
        queue: @escaping @Sendable (String) -> Result<any MessageQueue, any Error>
    ) -> Result<Int, Refusal> {
        let rate = min(max(rate, Self.rates.lowerBound), Self.rates.upperBound)
        let started = operations.clock.now()
        let claimed = state.withLock { s -> Result<(Int, [(worker: String, ids: [String])]), Refusal> in
            let running = s.jobs.values.filter { $0.state == .running }.count
            guard running < Self.maxRunning else { return .failure(.tooMany(running: running)) }
            var mine: [(worker: String, ids: [String])] = []
            var holders: Set<Int> = []
            var skipped = 0
            for (worker, ids) in targets {
                var free: [String] = []
                for id in ids {
                    if let holder = s.claimed["\(worker)/\(id)"] {
                        holders.insert(holder)
                        skipped += 1
                    } else {
                        free.append(id)
                    }
                }
                if !free.isEmpty { mine.append((worker, free)) }
            }
            guard !mine.isEmpty else { return .failure(.allTaken(byJobs: holders.sorted())) }
            let id = s.next
            s.next += 1
            for (worker, ids) in mine { for letter in ids { s.claimed["\(worker)/\(letter)"] = id } }
            var job = Job(
                id: id, scope: scope, started: started, ratePerSecond: rate, total: mine.reduce(0) { $0 + $1.ids.count })
            job.skipped = skipped
            if skipped > 0 {
                job.lines.append(
                    "\(skipped) letter(s) left alone: redrive \(holders.sorted().map(String.init).joined(separator: ", ")) has them"
                )
            }
            s.jobs[id] = job
            let finished = s.jobs.values.filter { $0.state != .running }.map(\.id).sorted()
            for old in finished.dropLast(Self.kept) { s.jobs[old] = nil }
            return .success((id, mine))
        }
        let id: Int
        let mine: [(worker: String, ids: [String])]
        switch claimed {
        case .failure(let refusal): return .failure(refusal)
        case .success(let claim): (id, mine) = claim
        }
        let task = Task { await self.run(id, mine, rate: rate, queue: queue) }
        state.withLock { s in
            if s.jobs[id]?.state == .running { s.tasks[id] = task }
        }
        return .success(id)
    }

    package func job(_ id: Int) -> Job? { state.withLock { $0.jobs[id] } }

    /// Newest first.
    package func recent() -> [Job] { state.withLock { $0.jobs.values.sorted { $0.id > $1.id } } }

    /// Stops the job after the chunk it is sending now; false if it is not running.
    package func stop(_ id: Int) -> Bool {
        let (running, task) = state.withLock { s -> (Bool, Task<Void, Never>?) in
            guard s.jobs[id]?.state == .running else { return (false, nil) }
            s.jobs[id]?.stopRequested = true
            return (true, s.tasks[id])
        }
        task?.cancel()  // ends the pacing sleep; the chunk itself is shielded from it
        return running
    }

    /// Waits for the job to end (tests).
    package func wait(_ id: Int) async {
        await state.withLock { $0.tasks[id] }?.value
    }

    /// The paced redrive (``DeadLetterOperations/redrive(_:ratePerSecond:queue:stopRequested:report:)``), its progress
    /// kept in the job for its page; the job's letters are released when it ends.
    private func run(
        _ id: Int, _ targets: DeadLetterOperations.Targets, rate: Double,
        queue: @Sendable (String) -> Result<any MessageQueue, any Error>
    ) async {
        let end = await operations.redrive(
            targets, ratePerSecond: rate, queue: { queue($0) }, stopRequested: { self.job(id)?.stopRequested == true },
            report: { event in
                update(id) { job in
                    switch event {
                    case .queueUnavailable(let worker, let ids, let reason):
                        job.failed += ids.count
                        Self.note("\(worker): \(reason)", in: &job)
                    case .sent(let worker, let result):
                        job.redriven += result.redriven.count
                        job.failed += result.failed.count
                        for (letter, why) in result.failed.sorted(by: { $0.key < $1.key }) {
                            Self.note("\(worker)/\(letter): not redriven: \(why)", in: &job)
                        }
                    case .chunkFailed(let worker, let ids, let reason):
                        job.failed += ids.count
                        Self.note("\(worker): \(ids.count) letter(s) not redriven: \(reason)", in: &job)
                    case .workerFinished: break
                    }
                }
            })
        let ended = operations.clock.now()
        state.withLock { s in
            s.jobs[id]?.state = end == .finished ? .finished : .stopped
            s.jobs[id]?.ended = ended
            s.tasks[id] = nil
            s.claimed = s.claimed.filter { $0.value != id }
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
