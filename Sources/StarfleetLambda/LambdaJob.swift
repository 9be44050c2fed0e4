import FoundationEssentials
import StarfleetCore
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
    /// `Lambda-Runtime-Trace-Id`: the payload's Root with this invocation's own Parent.
    var trace: TraceHeader? = nil
    /// The W3C `traceparent` the client sent, passed on as a header of the same name.
    var traceparent: String? = nil

    /// A random (version 4) UUID, lower-case, as Lambda's request ids are. Drawn from the system generator
    /// (getrandom), not made by opening /dev/urandom for each id.
    static func newRequestId() -> String {
        var random = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 16)
        for half in 0..<2 {
            let word = random.next()
            for i in 0..<8 { bytes[half * 8 + i] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(i))) }
        }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (i, byte) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
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
