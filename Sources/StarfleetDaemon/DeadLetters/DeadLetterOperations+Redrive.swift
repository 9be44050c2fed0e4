import FoundationEssentials
package import StarfleetQueue

extension DeadLetterOperations {
    /// What a paced redrive reports as it goes, so each front end shows it its own way (a progress line and exit
    /// status, a job page) from the same counts.
    package enum RedriveEvent: Sendable {
        /// The worker's queue cannot be had: none of `ids` was sent, every one is still a dead letter.
        case queueUnavailable(worker: String, ids: [String], reason: any Error)
        /// A chunk was sent: which letters went back (old id → new id) and which did not, with why.
        case sent(worker: String, RedriveResult)
        /// A chunk failed as a whole (its folder unreadable, a name refused): none of `ids` was sent.
        case chunkFailed(worker: String, ids: [String], reason: any Error)
        /// Every letter of the worker was tried; `redriven` of them went back.
        case workerFinished(worker: String, redriven: Int)
    }

    /// How a paced redrive ended.
    package enum RedriveEnd: Sendable, Equatable {
        case finished
        /// A stop (or the task's cancellation) between two chunks; `untried` letters were not touched.
        case stopped(untried: Int)
    }

    /// The letters of a chunk at `ratePerSecond`: about ten chunks a second, so a stop takes effect within a tenth of a
    /// second and progress moves smoothly; with no rate, chunks of 100 (a progress line's step).
    package static func chunkSize(ratePerSecond: Double?) -> Int {
        guard let rate = ratePerSecond, rate > 0 else { return 100 }
        return max(1, Int(rate / 10))
    }

    /// Puts `targets` back on their queues at most `ratePerSecond` letters a second (nil: as fast as the queues take
    /// them), in chunks (``chunkSize(ratePerSecond:)``), each sent when the pace allows it: `sent / rate` seconds after
    /// the start on the injected clock, so a slow chunk does not make the next one late. Each letter is sent by
    /// ``DeadLetterDirectory/redrive(worker:_:into:)`` (new id, fresh receive count, the file
    /// removed once the send is acknowledged). A stop (`stopRequested`, or cancelling the task, which ends the pacing
    /// sleep) takes effect between chunks: a chunk being sent is finished and counted, never cut short — an SQS send's
    /// retry cut off could leave a letter both sent and still in its file.
    ///
    /// - Parameter queue: the queue a worker's letters go to, or why there is none.
    /// - Parameter report: called after each step, in order.
    package func redrive(
        _ targets: Targets, ratePerSecond: Double?, queue: (String) async -> Result<any MessageQueue, any Error>,
        stopRequested: () -> Bool = { false }, report: (RedriveEvent) async -> Void
    ) async -> RedriveEnd {
        let rate = ratePerSecond.flatMap { $0 > 0 ? $0 : nil }
        let size = Self.chunkSize(ratePerSecond: rate)
        let total = targets.reduce(0) { $0 + $1.ids.count }
        let start = clock.now()
        var sent = 0
        for (worker, ids) in targets {
            let target: any MessageQueue
            switch await queue(worker) {
            case .failure(let reason):
                sent += ids.count
                await report(.queueUnavailable(worker: worker, ids: ids, reason: reason))
                continue
            case .success(let q): target = q
            }
            var redriven = 0
            for first in stride(from: 0, to: ids.count, by: size) {
                if let rate {
                    let paced = (try? await clock.sleep(until: start.addingTimeInterval(Double(sent) / rate))) != nil
                    if !paced { return .stopped(untried: total - sent) }
                }
                if stopRequested() || Task.isCancelled { return .stopped(untried: total - sent) }
                let chunk = Array(ids[first..<min(first + size, ids.count)])
                sent += chunk.count
                let letters = self.letters
                // Its own task, so the caller's cancellation (a stop) cannot reach the send.
                let send = Task { () async -> Result<RedriveResult, any Error> in
                    do {
                        return .success(
                            try await letters.redrive(worker: worker, .ids(chunk), into: target))
                    } catch {
                        return .failure(error)
                    }
                }
                switch await send.value {
                case .success(let result):
                    redriven += result.redriven.count
                    await report(.sent(worker: worker, result))
                case .failure(let reason):
                    await report(.chunkFailed(worker: worker, ids: chunk, reason: reason))
                }
            }
            await report(.workerFinished(worker: worker, redriven: redriven))
        }
        return .finished
    }

    /// The inbox's redrive request (``InboxRedrive``) as a paced redrive: every name checked before the first send (a
    /// bad one refuses the whole request, nothing sent, as the request's result says), then the letters sent at the
    /// request's `ratePerSecond`, the outcome of each in the result.
    package func inboxRedrive(
        worker: String, _ selection: DeadLetterSelection, into queue: any MessageQueue, ratePerSecond: Double?
    ) async throws -> RedriveResult {
        let ids: [String]
        switch selection {
        case .all: ids = try letters.ids(worker: worker)
        case .ids(let named): ids = named
        }
        for id in ids { _ = try letters.path(worker: worker, id: id) }
        let collected = Collected()
        _ = await redrive(
            [(worker, ids)], ratePerSecond: ratePerSecond, queue: { _ in .success(queue) },
            report: { event in collected.add(event) })
        return collected.result
    }

    /// The letters' outcomes of a redrive, gathered from its events.
    private final class Collected {
        var result = RedriveResult()

        func add(_ event: RedriveEvent) {
            switch event {
            case .sent(_, let sent):
                result.redriven.merge(sent.redriven) { _, new in new }
                result.failed.merge(sent.failed) { _, new in new }
            case .queueUnavailable(_, let ids, let reason), .chunkFailed(_, let ids, let reason):
                for id in ids { result.failed[id] = "\(reason)" }
            case .workerFinished: break
            }
        }
    }
}
