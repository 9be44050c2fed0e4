import FoundationEssentials
import StarfleetCore
import StarfleetWorkerKit

extension LambdaJob {
    /// This job under the payload's trace: the payload's Root (a new one stamped `now` when it has none) with a Parent
    /// of its own, so each attempt is its own segment of one trace; and the client's W3C `traceparent`, if any.
    func traced(_ invocation: WorkerInvocation, now: Date) -> LambdaJob {
        var random = SystemRandomNumberGenerator()
        let root =
            invocation.traceHeader.flatMap(TraceHeader.parse)
            ?? TraceHeader.newRoot(epochSeconds: Int64(now.timeIntervalSince1970), using: &random)
        var job = self
        job.trace = root.child(using: &random)
        job.traceparent = invocation.traceparent
        return job
    }
}
