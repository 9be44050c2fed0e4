import Foundation
import StarfleetWorkerKit
import Testing

@testable import StarfleetCore
@testable import StarfleetLambda

/// Each invocation of a payload runs under the payload's Root with a Parent and a request id of its own.
@Suite struct LambdaJobTraceTests {
    func job() -> LambdaJob {
        LambdaJob(
            requestId: LambdaJob.newRequestId(), event: [], clientContext: "{}", deadlineMilliseconds: 0, messageId: "m-1",
            account: nil)
    }

    func invocation(trace: String? = nil, traceparent: String? = nil) -> WorkerInvocation {
        var invocation = WorkerInvocation(
            worker: "W", body: [], account: nil, region: nil, commit: false, messageId: "m-1", receiveCount: 1)
        invocation.traceHeader = trace
        invocation.traceparent = traceparent
        return invocation
    }

    @Test func twoAttemptsOfATracedPayloadShareItsRootWithTheirOwnParentAndRequestId() throws {
        let root = "1-6571a2b0-0123456789abcdef01234567"
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let traced = invocation(
            trace: "Root=\(root);Sampled=0", traceparent: "00-6571a2b00123456789abcdef01234567-53995c3f42cd8ad8-00")
        let first = job().traced(traced, now: now)
        let second = job().traced(traced, now: now)
        #expect(first.trace?.root == root && second.trace?.root == root)
        #expect(first.trace?.parent != nil && first.trace?.parent != second.trace?.parent)
        #expect(first.requestId != second.requestId)
        #expect(first.traceparent == "00-6571a2b00123456789abcdef01234567-53995c3f42cd8ad8-00")
    }

    @Test func aPayloadWithoutATraceGetsARootStampedNow() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let trace = try #require(job().traced(invocation(), now: now).trace)
        #expect(trace.root.hasPrefix("1-6b49d200-") && TraceHeader.isRoot(trace.root))
        #expect(trace.text.hasSuffix(";Sampled=0"))
    }

    @Test func requestIdsAreRandomVersion4UUIDs() {
        let ids = (0..<1000).map { _ in LambdaJob.newRequestId() }
        #expect(Set(ids).count == 1000)
        let form = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
        #expect(ids.allSatisfy { $0.wholeMatch(of: form) != nil })
    }
}
