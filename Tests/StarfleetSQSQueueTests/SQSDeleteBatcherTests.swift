import StarfleetAWS
import StarfleetClock
import StarfleetTestSupport
import Testing

@testable import StarfleetSQSQueue

/// The delete batcher on the manual clock and a fake DeleteMessageBatch: the deletes of one window go out in calls of
/// at most ten entries when the window ends on the clock (not before), and each caller gets its own entry's outcome.
@Suite(.timeLimit(.minutes(1))) struct SQSDeleteBatcherTests {
    struct Unreachable: Error {}

    /// Records each DeleteMessageBatch call's receipts; answers per receipt from `failures` (receipt → error code),
    /// and leaves the receipts in `unanswered` out of both lists.
    final class FakeDeleter: SQSBatchDeleting {
        let calls = Watched<[[String]]>([])
        let failures: [String: String]
        let unanswered: Set<String>
        let unreachable: Bool

        init(failures: [String: String] = [:], unanswered: Set<String> = [], unreachable: Bool = false) {
            self.failures = failures
            self.unanswered = unanswered
            self.unreachable = unreachable
        }

        func deleteMessageBatch(queueUrl: String, entries: [(id: String, receiptHandle: String)]) async throws -> SQSBatchResult<
            String
        > {
            calls.update { $0.append(entries.map(\.receiptHandle)) }
            if unreachable { throw Unreachable() }
            var successful: [String: String] = [:]
            var failed: [SQSBatchFailure] = []
            for entry in entries where !unanswered.contains(entry.receiptHandle) {
                if let code = failures[entry.receiptHandle] {
                    failed.append(SQSBatchFailure(id: entry.id, senderFault: true, code: code, message: "no"))
                } else {
                    successful[entry.id] = entry.id
                }
            }
            return SQSBatchResult(successful: successful, failed: failed)
        }
    }

    /// Starts `receipts` deletes in order, each as its own task, and waits until all are in the batcher's round.
    static func startDeletes(_ receipts: [String], on batcher: SQSDeleteBatcher, clock: ManualClock)
        async throws -> [Task<Result<Bool, any Error>, Never>]
    {
        var tasks: [Task<Result<Bool, any Error>, Never>] = []
        for (index, receipt) in receipts.enumerated() {
            tasks.append(
                Task {
                    do { return .success(try await batcher.delete(receipt)) } catch { return .failure(error) }
                })
            if index == 0 { try await clock.waitForSleepers(1) }  // the first caller opens the window on the clock
            while await batcher.pendingCount < index + 1 { await Task.yield() }
        }
        return tasks
    }

    @Test func oneWindowsDeletesGoOutInCallsOfTenWhenTheWindowEnds() async throws {
        let clock = ManualClock()
        let deleter = FakeDeleter(failures: ["r7": "ReceiptHandleIsInvalid", "r12": "InternalError"])
        let batcher = SQSDeleteBatcher(client: deleter, queueUrl: "https://sqs.us-east-1.amazonaws.com/1/q", clock: clock)
        let receipts = (1...25).map { "r\($0)" }
        let tasks = try await Self.startDeletes(receipts, on: batcher, clock: clock)
        // The window has not ended on the clock: nothing has been sent.
        #expect(deleter.calls.value.isEmpty)
        clock.advance(by: SQSDeleteBatcher.defaultWindow)
        var outcomes: [String: Result<Bool, any Error>] = [:]
        for (receipt, task) in zip(receipts, tasks) { outcomes[receipt] = await task.value }
        #expect(deleter.calls.value == [Array(receipts[0..<10]), Array(receipts[10..<20]), Array(receipts[20..<25])])
        // A stale handle is "not deleted", not an error; a service failure is the caller's error; the rest deleted.
        #expect((try? outcomes["r7"]?.get()) == false)
        #expect(throws: SQSError.self) { try outcomes["r12"]?.get() }
        for receipt in receipts where receipt != "r7" && receipt != "r12" { #expect((try? outcomes[receipt]?.get()) == true) }
    }

    @Test func aDeleteAfterTheWindowOpensANewOne() async throws {
        let clock = ManualClock()
        let deleter = FakeDeleter()
        let batcher = SQSDeleteBatcher(client: deleter, queueUrl: "q", clock: clock)
        let first = try await Self.startDeletes(["a"], on: batcher, clock: clock)
        clock.advance(by: SQSDeleteBatcher.defaultWindow)
        #expect((try? await first[0].value.get()) == true)
        let second = try await Self.startDeletes(["b"], on: batcher, clock: clock)
        #expect(deleter.calls.value == [["a"]])
        clock.advance(by: SQSDeleteBatcher.defaultWindow)
        #expect((try? await second[0].value.get()) == true)
        #expect(deleter.calls.value == [["a"], ["b"]])
    }

    @Test func aFailedCallFailsEveryDeleteOfItsBatch() async throws {
        let clock = ManualClock()
        let batcher = SQSDeleteBatcher(client: FakeDeleter(unreachable: true), queueUrl: "q", clock: clock)
        let tasks = try await Self.startDeletes(["a", "b"], on: batcher, clock: clock)
        clock.advance(by: SQSDeleteBatcher.defaultWindow)
        for task in tasks {
            let outcome = await task.value
            #expect(throws: Unreachable.self) { try outcome.get() }
        }
    }

    @Test func invalidHandlesAndUnansweredEntriesAreNotDeletedRatherThanErrors() async throws {
        let clock = ManualClock()
        let deleter = FakeDeleter(
            failures: ["stale": "ReceiptHandleIsInvalid", "garbled": "InvalidParameterValue"], unanswered: ["lost"])
        let batcher = SQSDeleteBatcher(client: deleter, queueUrl: "q", clock: clock)
        let receipts = ["stale", "garbled", "lost", "fine"]
        let tasks = try await Self.startDeletes(receipts, on: batcher, clock: clock)
        clock.advance(by: SQSDeleteBatcher.defaultWindow)
        var outcomes: [Bool?] = []
        for task in tasks { outcomes.append(try? await task.value.get()) }
        // The message is gone or was received again: the caller logs "not deleted" and moves on, nothing to retry.
        #expect(outcomes == [false, false, false, true])
        #expect(deleter.calls.value == [receipts])
    }
}
