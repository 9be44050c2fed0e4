import FoundationEssentials
import StarfleetClock
import StarfleetQueue
import Synchronization

/// The console's redrives. Each runs in the background at the pace the operator chose, so redriving thousands of dead
/// letters neither floods a worker's queue (and the accounts its payloads call) nor holds a page open; its page shows
/// the progress and can stop it. A letter belongs to one running redrive at a time: a second redrive of the same
/// letters (a double-clicked button) skips them rather than send each twice. Kept in memory: the letters not yet
/// redriven stay in their files, so a redrive cut short by a restart is simply started again.
final class ConsoleRedrives: Sendable {
    struct Job: Sendable {
        enum State: String, Sendable { case running, finished, stopped }

        let id: Int
        /// What was asked for, e.g. "2 selected" or "all of Audit, account 111".
        let scope: String
        let started: Date
        let ratePerSecond: Double
        let total: Int
        var redriven = 0
        var failed = 0
        /// Letters left alone because another running redrive has them.
        var skipped = 0
        /// One line per failed letter or skipped worker, the first `ConsoleRedrives.maxLines`.
        var lines: [String] = []
        var state = State.running
        var stopRequested = false
        var ended: Date?

        var done: Int { redriven + failed }
    }

    /// Why a redrive was not started.
    enum Refusal: Error, CustomStringConvertible {
        case tooMany(running: Int)
        case allTaken(byJobs: [Int])

        var description: String {
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

    static let defaultRate = 100.0
    static let rates = 1.0...1000.0
    /// Redrives running at once: each paces its own sends, so more would only multiply the rate.
    static let maxRunning = 4
    /// Finished jobs kept for their pages.
    static let kept = 20
    static let maxLines = 200

    private let state = Mutex(Jobs())

    /// Starts redriving `targets` at `rate` letters per second; returns the job's id for its page.
    func start(
        _ targets: [(worker: String, ids: [String])], scope: String, rate: Double, source: ConsoleSource
    ) -> Result<Int, Refusal> {
        let rate = min(max(rate, Self.rates.lowerBound), Self.rates.upperBound)
        let started = source.clock.now()
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
        let task = Task { await self.run(id, mine, rate: rate, source: source) }
        state.withLock { s in
            if s.jobs[id]?.state == .running { s.tasks[id] = task }
        }
        return .success(id)
    }

    func job(_ id: Int) -> Job? { state.withLock { $0.jobs[id] } }

    /// Newest first.
    func recent() -> [Job] { state.withLock { $0.jobs.values.sorted { $0.id > $1.id } } }

    /// Stops the job after the chunk it is sending now; false if it is not running.
    func stop(_ id: Int) -> Bool {
        let (running, task) = state.withLock { s -> (Bool, Task<Void, Never>?) in
            guard s.jobs[id]?.state == .running else { return (false, nil) }
            s.jobs[id]?.stopRequested = true
            return (true, s.tasks[id])
        }
        task?.cancel()  // ends the pacing sleep; the chunk itself is shielded from it
        return running
    }

    /// Waits for the job to end (tests).
    func wait(_ id: Int) async {
        await state.withLock { $0.tasks[id] }?.value
    }

    /// Sends the letters in small chunks, about ten a second, each when the pace allows it: `sent / rate` seconds after
    /// the start. A stop takes effect between chunks, so every chunk's outcome is counted.
    private func run(_ id: Int, _ targets: [(worker: String, ids: [String])], rate: Double, source: ConsoleSource) async {
        let chunkSize = max(1, Int(rate / 10))
        let start = source.clock.now()
        var sent = 0
        var cutShort = false
        work: for (worker, ids) in targets {
            let queue: any MessageQueue
            switch source.queue(for: worker) {
            case .failure(let why):
                update(id) {
                    $0.failed += ids.count
                    Self.note("\(worker): \(why)", in: &$0)
                }
                sent += ids.count
                continue
            case .success(let q): queue = q
            }
            for first in stride(from: 0, to: ids.count, by: chunkSize) {
                let paced = (try? await source.clock.sleep(until: start.addingTimeInterval(Double(sent) / rate))) != nil
                if !paced || job(id)?.stopRequested == true {
                    cutShort = true
                    break work
                }
                let chunk = Array(ids[first..<min(first + chunkSize, ids.count)])
                sent += chunk.count
                // Its own task: a stop (which cancels this one to end the sleep) must not cut a send short, where an
                // SQS send's retry could leave a letter both sent and still in its file.
                let letters = source.deadLetters
                let clock = source.clock
                let send = Task { () async -> Result<RedriveResult, any Error> in
                    do {
                        return .success(
                            try await letters.redrive(worker: worker, .ids(chunk), into: queue, ratePerSecond: nil, clock: clock))
                    } catch {
                        return .failure(error)
                    }
                }
                let outcome = await send.value
                update(id) {
                    switch outcome {
                    case .success(let result):
                        $0.redriven += result.redriven.count
                        $0.failed += result.failed.count
                        for (letter, why) in result.failed.sorted(by: { $0.key < $1.key }) {
                            Self.note("\(worker)/\(letter): not redriven: \(why)", in: &$0)
                        }
                    case .failure(let error):
                        $0.failed += chunk.count
                        Self.note("\(worker): \(chunk.count) letter(s) not redriven: \(error)", in: &$0)
                    }
                }
            }
        }
        let ended = source.clock.now()
        state.withLock { s in
            s.jobs[id]?.state = cutShort ? .stopped : .finished
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
