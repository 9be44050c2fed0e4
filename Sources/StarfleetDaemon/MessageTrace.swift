package import FoundationEssentials
package import StarfleetCore
import StarfleetCrypto
package import StarfleetQueue

/// The trace a queue message runs under. A payload the Starbase or the Invoke API sent carries its header in the
/// `StarfleetTraceHeader` attribute; one without (sent by another tool, or queued before traces existed) gets a Root
/// derived from its message id and send time, so every attempt of it, and its run-history records, share one Root.
package enum MessageTrace {
    package static func header(of message: ReceivedMessage) -> TraceHeader {
        if let text = message.attributes[TraceHeader.attribute], let header = TraceHeader.parse(text) {
            return TraceHeader(root: header.root, sampled: header.sampled)
        }
        return derived(from: "message|\(message.messageId)", at: message.sentTimestamp)
    }

    /// A Root that is the same for the same `key` and time: a fan-out event delivered twice (a crash, two scheduler
    /// hosts) gives its payloads one Root.
    package static func derived(from key: String, at time: Date) -> TraceHeader {
        let stamp = String(UInt32(truncatingIfNeeded: Int64(max(0, time.timeIntervalSince1970))), radix: 16)
        let padded = String(repeating: "0", count: 8 - stamp.utf8.count) + stamp
        return TraceHeader(root: "1-\(padded)-\(Digest.sha256Hex("trace|\(key)").prefix(24))")
    }

    /// A new Root for work that starts here (a direct invocation without a caller's trace).
    package static func fresh(at time: Date) -> TraceHeader {
        var random = SystemRandomNumberGenerator()
        return TraceHeader.newRoot(epochSeconds: Int64(time.timeIntervalSince1970), using: &random)
    }
}
