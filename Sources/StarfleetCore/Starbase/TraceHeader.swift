/// An X-Ray trace header, `Root=1-<8 hex epoch seconds>-<24 hex>;Parent=<16 hex>;Sampled=0`, as Lambda hands it to a
/// function (`Lambda-Runtime-Trace-Id`, `_X_AMZN_TRACE_ID`) and SQS carries it (`AWSTraceHeader`). The Root names one
/// piece of work end to end: a fan-out's payloads, or an Invoke API caller's request, share it; each invocation gets
/// its own Parent. Pure: the time and the random source are the caller's.
package struct TraceHeader: Sendable, Hashable {
    /// `1-5759e988-bd862e3fe1be46a994272793`.
    package var root: String
    /// 16 hex digits; nil on a header that names only its Root (what the queue carries).
    package var parent: String?
    /// "0" or "1": a caller's sampling decision is kept; a trace that starts here is not sampled.
    package var sampled: String = "0"

    /// The message attribute that carries a payload's header through its queue (journal or SQS).
    package static let attribute = "StarfleetTraceHeader"
    /// The attribute carrying a client's W3C `traceparent` through the queue.
    package static let traceparentAttribute = "StarfleetTraceparent"

    package init(root: String, parent: String? = nil, sampled: String = "0") {
        self.root = root
        self.parent = parent
        self.sampled = sampled
    }

    /// A new Root stamped with `epochSeconds` (X-Ray's form: version 1, the time, 96 random bits).
    package static func newRoot(epochSeconds: Int64, using random: inout some RandomNumberGenerator) -> TraceHeader {
        let stamp = hex(UInt64(max(0, epochSeconds)) & 0xFFFF_FFFF, digits: 8)
        let high = hex(random.next() & 0xFFFF_FFFF, digits: 8)
        let low = hex(random.next(), digits: 16)
        return TraceHeader(root: "1-\(stamp)-\(high)\(low)")
    }

    /// This trace with a fresh Parent: one invocation under the Root.
    package func child(using random: inout some RandomNumberGenerator) -> TraceHeader {
        TraceHeader(root: root, parent: Self.hex(random.next(), digits: 16), sampled: sampled)
    }

    /// `Root=…;Parent=…;Sampled=…`.
    package var text: String {
        var out = "Root=\(root)"
        if let parent { out += ";Parent=\(parent)" }
        return out + ";Sampled=\(sampled)"
    }

    /// Reads an `X-Amzn-Trace-Id` / `AWSTraceHeader` value; nil unless it holds a well-formed Root. Unknown fields
    /// (Lineage, Self) are dropped; a malformed Parent is dropped rather than passed on.
    package static func parse(_ text: String) -> TraceHeader? {
        guard text.utf8.count <= 256 else { return nil }
        var root: String?
        var parent: String?
        var sampled = "0"
        for field in text.split(separator: ";") {
            let pair = field.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces }
            guard pair.count == 2 else { continue }
            switch pair[0] {
            case "Root": root = isRoot(pair[1]) ? pair[1] : nil
            case "Parent": parent = isHex(pair[1], count: 16) ? pair[1] : nil
            // The caller's decision is kept; "?" (decide downstream) becomes "0": nothing here samples.
            case "Sampled": sampled = pair[1] == "1" ? "1" : "0"
            default: continue
            }
        }
        guard let root else { return nil }
        return TraceHeader(root: root, parent: parent, sampled: sampled)
    }

    /// The trace a W3C `traceparent` (`00-<32 hex trace id>-<16 hex parent>-<2 hex flags>`) names, in X-Ray's form:
    /// the first 8 hex digits of the trace id are the Root's time part, the other 24 its random part (X-Ray's own
    /// mapping). Nil when the value is not a valid version-00 traceparent.
    package static func fromTraceparent(_ text: String) -> TraceHeader? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] == "00", isHex(parts[1], count: 32), isHex(parts[2], count: 16),
            isHex(parts[3], count: 2), parts[1] != String(repeating: "0", count: 32),
            parts[2] != String(repeating: "0", count: 16)
        else { return nil }
        let id = parts[1]
        let flags = UInt8(parts[3], radix: 16) ?? 0
        return TraceHeader(
            root: "1-\(id.prefix(8))-\(id.dropFirst(8))", parent: parts[2], sampled: flags & 1 == 1 ? "1" : "0")
    }

    /// `1-<8 hex>-<24 hex>`, lower-case hex as X-Ray writes it.
    package static func isRoot(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0] == "1" && isHex(String(parts[1]), count: 8) && isHex(String(parts[2]), count: 24)
    }

    static func isHex(_ text: String, count: Int) -> Bool {
        text.utf8.count == count && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.utf8.count)) + text
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
