import Foundation
import StarfleetQueue
import StarfleetTestSupport
import Synchronization
import Testing

@testable import StarfleetDaemon

/// The dead-letter operations `starfleetctl dlq` and the console share: selection, purge, and the paced redrive on the
/// injected clock (its pace, a stop between chunks, the progress it reports, the claims of running redrives).
@Suite struct DeadLetterOperationsTests {
    struct Fixture {
        let directory: TemporaryDirectory
        let clock = ManualClock()
        let operations: DeadLetterOperations
        let queue: InMemoryQueue

        init() throws {
            directory = try TemporaryDirectory("dead-letter-operations")
            operations = DeadLetterOperations(
                letters: DeadLetterDirectory(root: directory.path + "/dead-letter"), clock: clock)
            queue = InMemoryQueue(name: "Audit", clock: clock)
        }

        /// Letters `m-0` … of `worker`, of accounts 111 (even) and 222 (odd).
        @discardableResult
        func letters(_ count: Int, worker: String = "Audit") throws -> [String] {
            try (0..<count).map { n in
                let id = "m-\(n)"
                try operations.letters.write(
                    DeadLetter(
                        queue: worker, messageId: id, reason: "maxReceiveCount exceeded", bodyText: "{\"n\":\(n)}",
                        attributes: ["StarfleetAccount": n % 2 == 0 ? "111" : "222"], deduplicationId: nil,
                        receiveCount: 4, maxReceiveCount: 4, sentTimestamp: clock.now(), firstReceiveTimestamp: nil,
                        deadLetteredTimestamp: clock.now().addingTimeInterval(Double(n)), failures: []))
                // Files written within one tick of the kernel's coarse clock share a modification time: set it.
                try FileManager.default.setAttributes(
                    [.modificationDate: clock.now().addingTimeInterval(Double(n))],
                    ofItemAtPath: try operations.letters.path(worker: worker, id: id))
                return id
            }
        }

        func remaining(_ worker: String = "Audit") throws -> Int { try operations.letters.ids(worker: worker).count }
    }

    /// The events a redrive reported, in order, as short lines.
    final class Events: Sendable {
        private let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }

        func record(_ event: DeadLetterOperations.RedriveEvent) {
            let line: String
            switch event {
            case .queueUnavailable(let worker, let ids, let reason): line = "unavailable \(worker) \(ids.count): \(reason)"
            case .sent(let worker, let result):
                line =
                    "sent \(worker) \(result.redriven.count)"
                    + result.failed.sorted { $0.key < $1.key }.map { " failed \($0.key)" }.joined()
            case .chunkFailed(let worker, let ids, _): line = "chunk failed \(worker) \(ids.count)"
            case .workerFinished(let worker, let redriven): line = "finished \(worker) \(redriven)"
            }
            lines.withLock { $0.append(line) }
        }
    }

    @Test func chunksAreATenthOfTheRate() {
        #expect(DeadLetterOperations.chunkSize(ratePerSecond: 100) == 10)
        #expect(DeadLetterOperations.chunkSize(ratePerSecond: 5) == 1)
        #expect(DeadLetterOperations.chunkSize(ratePerSecond: nil) == 100)
        #expect(DeadLetterOperations.chunkSize(ratePerSecond: 0) == 100)
    }

    @Test func aRedriveKeepsItsPaceOnTheClockAndReportsProgress() async throws {
        let f = try Fixture()
        let ids = try f.letters(5)
        let events = Events()
        let queue = f.queue
        // 10 a second: one letter per chunk, the n-th due n/10 s after the start.
        let task = Task {
            await f.operations.redrive([("Audit", ids)], ratePerSecond: 10, queue: { _ in .success(queue) }) {
                events.record($0)
            }
        }
        try await f.clock.waitForSleepers()
        #expect(f.queue.sent.count == 1)
        #expect(try f.remaining() == 4)
        for n in 2...4 {
            f.clock.advance(by: 0.1)
            try await f.clock.waitForSleepers()
            #expect(f.queue.sent.count == n)
        }
        f.clock.advance(by: 0.1)
        #expect(await task.value == .finished)
        #expect(f.queue.sent.count == 5 && f.queue.sent.allSatisfy { $0.deduplicationId?.hasPrefix("redrive-") == true })
        #expect(try f.remaining() == 0)
        #expect(events.all == Array(repeating: "sent Audit 1", count: 5) + ["finished Audit 5"])
    }

    @Test func aStopTakesEffectBetweenChunksAndLeavesTheRestInPlace() async throws {
        let f = try Fixture()
        let ids = try f.letters(30)
        let stop = Mutex(false)
        let queue = f.queue
        // 100 a second: chunks of 10.
        let task = Task {
            await f.operations.redrive(
                [("Audit", ids)], ratePerSecond: 100, queue: { _ in .success(queue) },
                stopRequested: { stop.withLock { $0 } }
            ) { _ in }
        }
        try await f.clock.waitForSleepers()
        #expect(f.queue.sent.count == 10)
        stop.withLock { $0 = true }
        f.clock.advance(by: 0.1)
        #expect(await task.value == .stopped(untried: 20))
        #expect(f.queue.sent.count == 10)
        #expect(try f.remaining() == 20)
    }

    @Test func failuresAreReportedWithReasonsAndNothingIsLost() async throws {
        let f = try Fixture()
        let ids = try f.letters(2)
        try f.letters(1, worker: "Gone")
        let events = Events()
        let queue = f.queue
        struct NoQueue: Error, CustomStringConvertible { var description: String { "nobody consumes it" } }
        let end = await f.operations.redrive(
            [("Gone", ["m-0"]), ("Audit", ids + ["missing"])], ratePerSecond: nil,
            queue: { $0 == "Audit" ? .success(queue) : .failure(NoQueue()) }, report: { events.record($0) })
        #expect(end == .finished)
        #expect(events.all == ["unavailable Gone 1: nobody consumes it", "sent Audit 2 failed missing", "finished Audit 2"])
        #expect(try f.remaining("Gone") == 1)
        #expect(try f.remaining() == 0)
    }

    /// A redrive request in the inbox (`ratePerSecond` in its JSON) keeps its pace: at 2 a second, a letter each half second.
    @Test func anInboxRedriveIsPacedAtItsRequestsRate() async throws {
        let f = try Fixture()
        try f.letters(3)
        let queue = f.queue
        let task = Task { try await f.operations.inboxRedrive(worker: "Audit", .all, into: queue, ratePerSecond: 2) }
        try await f.clock.waitForSleepers()
        #expect(try f.remaining() == 2)
        f.clock.advance(by: 0.5)
        try await f.clock.waitForSleepers()
        #expect(try f.remaining() == 1)
        f.clock.advance(by: 0.5)
        #expect(try await task.value.redriven.count == 3)
        #expect(try f.remaining() == 0)
    }

    @Test func anInboxRedriveNamingABadIdSendsNothing() async throws {
        let f = try Fixture()
        let ids = try f.letters(2)
        await #expect(throws: QueueError.self) {
            try await f.operations.inboxRedrive(worker: "Audit", .ids(ids + ["../x"]), into: f.queue, ratePerSecond: nil)
        }
        #expect(f.queue.sent.isEmpty)
        #expect(try f.remaining() == 2)
    }

    @Test func aLetterBelongsToOneRunningRedrive() async throws {
        let f = try Fixture()
        let ids = try f.letters(20)
        let redrives = DeadLetterRedrives(operations: f.operations)
        let queue = f.queue
        let first = try redrives.start([("Audit", Array(ids[..<15]))], scope: "15", rate: 10) { _ in .success(queue) }.get()
        try await f.clock.waitForSleepers()
        let second = try redrives.start([("Audit", ids)], scope: "all", rate: 1000) { _ in .success(queue) }.get()
        #expect(redrives.job(second)?.total == 5 && redrives.job(second)?.skipped == 15)
        guard
            case .failure(.allTaken(let holders)) = redrives.start(
                [("Audit", [ids[0]])], scope: "1", rate: 10, queue: { _ in .success(queue) })
        else {
            Issue.record("a redrive of held letters started")
            return
        }
        #expect(holders == [first])
        #expect(redrives.stop(first))
        await redrives.wait(first)
        await redrives.wait(second)
        #expect(redrives.job(first)?.state == .stopped && redrives.job(second)?.state == .finished)
        #expect(redrives.job(second)?.redriven == 5)
        // The stopped redrive's letters are free again.
        let again = try redrives.start([("Audit", ids)], scope: "rest", rate: 1000) { _ in .success(queue) }.get()
        await redrives.wait(again)
        #expect(try f.remaining() == 0)
    }

    @Test func selectionFiltersByWorkerAndAccount() throws {
        let f = try Fixture()
        try f.letters(6)
        try f.letters(3, worker: "Other")
        #expect(f.operations.targets(matching: .init(worker: "Audit", account: "")).map(\.ids.count) == [6])
        #expect(f.operations.targets(matching: .init(worker: nil, account: "222")).map(\.worker) == ["Audit", "Other"])
        #expect(f.operations.targets(matching: .init(worker: nil, account: "222")).map(\.ids.count) == [3, 1])
        #expect(f.operations.targets(matching: .init(worker: "Nobody", account: nil)).isEmpty)
        #expect(DeadLetterOperations.Filter(worker: "Audit", account: "222").description == "all of Audit, account 222")
        // The bounded listing: newest first, at most the limit, of the account asked for.
        let page = f.operations.newest(matching: .init(worker: "Audit", account: "111"), limit: 2)
        #expect(page.map(\.id) == ["m-4", "m-2"])
    }

    @Test func invalidNamesAreRefusedBeforeAnythingIsTouched() throws {
        let f = try Fixture()
        try f.letters(2)
        #expect(throws: DeadLetterOperations.InvalidSelection.self) {
            try DeadLetterOperations.Filter(worker: "../../victim", account: nil).validated()
        }
        #expect(throws: DeadLetterOperations.InvalidSelection.self) {
            try DeadLetterOperations.group(["Audit/m-0", "../scheduler"])
        }
        #expect(throws: DeadLetterOperations.InvalidSelection.self) { try DeadLetterOperations.group(["Audit/.."]) }
        #expect(throws: DeadLetterOperations.InvalidSelection.self) { try DeadLetterOperations.group(["no-slash"]) }
        guard case .stopped = f.operations.purge(worker: "..", ids: ["scheduler"]) else {
            Issue.record("a purge outside dead-letter/ went ahead")
            return
        }
        guard case .stopped = f.operations.purge(worker: "Audit", ids: ["m-0", "../m-1"]) else {
            Issue.record("a purge with a bad id went ahead")
            return
        }
        #expect(try f.remaining() == 2)
        guard case .purged(_, 2) = f.operations.purge(worker: "Audit", ids: ["m-0", "m-1"]) else {
            Issue.record("the purge did not remove both letters")
            return
        }
    }
}
