import StarfleetWorkerKit
import StarfleetWorkers

/// The function errors Lambda itself reports, with Lambda's errorType and errorMessage, so that a caller (boto3, a
/// destination's record) sees what it would see from AWS.
enum LambdaFunctionErrors {
    /// The errorTypes of the errors below: Lambda's document for them is `{"errorMessage", "errorType"}` only.
    static let types: Set<String> = ["Function.ResponseSizeTooLarge", "Sandbox.Timedout"]

    /// Lambda's limit on a synchronous response: 6 MB and 100 bytes.
    static let responseLimit = 6_291_556

    /// A response over ``responseLimit``: `Function.ResponseSizeTooLarge`.
    static func responseTooLarge() -> WorkerFailure {
        let message = "Response payload size exceeded maximum allowed payload size (\(responseLimit) bytes)."
        var failure = WorkerFailure("Function.ResponseSizeTooLarge: \(message)")
        failure.errorType = "Function.ResponseSizeTooLarge"
        failure.errorMessage = message
        return failure
    }

    /// An invocation that ran past TimeoutSeconds: `Sandbox.Timedout`, `RequestId: … Error: Task timed out after 3.00
    /// seconds` (the daemon ends it exactly at the timeout, so the figure is the configured one).
    static func timedOut(requestId: String, seconds: Int, worker: String) -> WorkerFailure {
        let message = "RequestId: \(requestId) Error: \(taskTimedOut(seconds: seconds))"
        var failure = WorkerFailure(
            "Sandbox.Timedout: \(taskTimedOut(seconds: seconds)): \(worker) ran longer than TimeoutSeconds (\(seconds) s); "
                + "its process was killed")
        failure.errorType = "Sandbox.Timedout"
        failure.errorMessage = message
        failure.timedOut = true
        return failure
    }

    /// `Task timed out after 3.00 seconds`, the words Lambda logs and returns.
    static func taskTimedOut(seconds: Int) -> String { "Task timed out after \(seconds).00 seconds" }
}
