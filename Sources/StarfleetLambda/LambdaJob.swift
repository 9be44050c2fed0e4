import FoundationEssentials
import StarfleetWorkerKit
import StarfleetWorkers

/// One invocation handed to a warm process: what `GET …/invocation/next` answers with, and where its outcome goes.
struct LambdaJob: Sendable {
    let requestId: String
    let event: [UInt8]
    /// The `Lambda-Runtime-Client-Context` header (JSON): the Starfleet facts of the payload.
    let clientContext: String
    /// Epoch milliseconds (`Lambda-Runtime-Deadline-Ms`).
    let deadlineMilliseconds: Int64
    let messageId: String
    let account: String?
    var region: String? = nil

    static func newRequestId() -> String { UUID().uuidString.lowercased() }
}

/// How an invocation ended, as the runtime client reported it (or the daemon saw it).
enum LambdaJobOutcome: Sendable {
    case response([UInt8])
    case failure(WorkerFailure)
}

/// The error document of `…/error` and `…/init/error`: `{"errorMessage", "errorType", "stackTrace"}`.
struct LambdaErrorDocument: Decodable, Sendable {
    var errorMessage: String?
    var errorType: String?
    var stackTrace: [String]?

    static func parse(_ body: [UInt8], typeHeader: String?) -> LambdaErrorDocument {
        var document =
            (try? JSONDecoder().decode(LambdaErrorDocument.self, from: Data(body)))
            ?? LambdaErrorDocument(
                errorMessage: String(decoding: body.prefix(4096), as: UTF8.self), errorType: nil, stackTrace: nil)
        if document.errorType == nil { document.errorType = typeHeader }
        return document
    }

    func failure(prefix: String? = nil, stderrTail: String) -> WorkerFailure {
        let type = errorType ?? "Unhandled"
        let message = errorMessage ?? "the handler failed without a message"
        let frames = (stackTrace ?? []).joined(separator: stackTrace?.first?.hasSuffix("\n") == true ? "" : "\n")
        let lastFrame = (stackTrace?.last ?? "").split(separator: "\n").first.map(String.init) ?? ""
        // Runtime clients usually print the trace on stderr too: keep one copy.
        var tail = stderrTail
        if !frames.isEmpty && (lastFrame.isEmpty || !stderrTail.contains(lastFrame)) {
            tail = (tail.isEmpty ? "" : tail + "\n") + "Traceback (most recent call last):\n" + frames
        }
        var failure = WorkerFailure(
            prefix.map { "\($0): \(type): \(message)" } ?? "\(type): \(message)",
            stderrTail: tail.isEmpty ? nil : String(tail.suffix(8192)))
        failure.errorType = type
        failure.errorMessage = message
        return failure
    }
}
