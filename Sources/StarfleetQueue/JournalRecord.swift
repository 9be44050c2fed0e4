/// The full state of one message as written to the journal. Only a send writes it (receive count 0, no failures:
/// `encodeNewMessage`); compaction unlinks whole segments and never rewrites a live message forward. Recovery
/// still lets a later `message` record for the same id replace the earlier state entirely, the room kept for
/// carrying lingering messages forward (docs/queue-format.md, "Compaction").
struct MessageRecord {
    var id: MessageID
    var sentMs: Int64
    var visibleAtMs: Int64
    var receiveCount: Int32
    var firstReceiveMs: Int64
    var lastReceiveMs: Int64
    var deduplicationId: String?
    var attributes: [String: String]
    var failures: [FailureRecord]
    var body: [UInt8]
}

/// One journal record. Layout of each payload: docs/queue-format.md. Raw values are the on-disk type bytes.
enum JournalRecord {
    case message(MessageRecord)
    /// A receive: the new count, when, the visibility deadline, the first-receive time.
    case receive(id: MessageID, receiveCount: Int32, receivedMs: Int64, visibleAtMs: Int64, firstReceiveMs: Int64)
    /// A visibility change by the holder of receive `receiveCount`, with the failure it reported, if any.
    case visibility(id: MessageID, receiveCount: Int32, visibleAtMs: Int64, failure: FailureRecord?)
    case delete(id: MessageID, receiveCount: Int32)
    /// The message's dead-letter file is durable; the message has left the queue.
    case deadLetter(id: MessageID, reason: String)
    /// Every message sent before this record is gone.
    case purge(timeMs: Int64)
    /// Segments numbered up to and including `throughSegment` are about to be (or were) unlinked.
    case compacted(throughSegment: UInt64)

    enum Kind: UInt8 {
        case message = 1
        case receive = 2
        case visibility = 3
        case delete = 4
        case deadLetter = 5
        case purge = 6
        case compacted = 7
    }

    /// Frame bytes before the type byte: u32 length (of type + payload), u32 CRC-32C.
    static let headerBytes = RecordFrame.headerBytes
    /// No valid record is longer than this (1 MiB message + attributes + failures + fields), so a larger
    /// length field is corruption, not a record.
    static let maxRecordBytes = 4 << 20

    /// Appends this record, framed (length, checksum, type, payload), to `out`.
    func encode(into out: inout ByteWriter) {
        let start = out.bytes.count
        out.u32(0)
        out.u32(0)
        switch self {
        case .message(let m):
            out.u8(Kind.message.rawValue)
            out.id(m.id)
            out.i64(m.sentMs)
            out.i64(m.visibleAtMs)
            out.i32(m.receiveCount)
            out.i64(m.firstReceiveMs)
            out.i64(m.lastReceiveMs)
            out.optionalString(m.deduplicationId)
            out.u16(UInt16(m.attributes.count))
            for (key, value) in m.attributes.sorted(by: { $0.key < $1.key }) {
                out.string(key)
                out.string(value)
            }
            out.u16(UInt16(m.failures.count))
            for failure in m.failures { Self.encode(failure, into: &out) }
            out.u32(UInt32(m.body.count))
            out.bytes.append(contentsOf: m.body)
        case .receive(let id, let count, let receivedMs, let visibleAtMs, let firstReceiveMs):
            out.u8(Kind.receive.rawValue)
            out.id(id)
            out.i32(count)
            out.i64(receivedMs)
            out.i64(visibleAtMs)
            out.i64(firstReceiveMs)
        case .visibility(let id, let count, let visibleAtMs, let failure):
            out.u8(Kind.visibility.rawValue)
            out.id(id)
            out.i32(count)
            out.i64(visibleAtMs)
            if let failure {
                out.u8(1)
                Self.encode(failure, into: &out)
            } else {
                out.u8(0)
            }
        case .delete(let id, let count):
            out.u8(Kind.delete.rawValue)
            out.id(id)
            out.i32(count)
        case .deadLetter(let id, let reason):
            out.u8(Kind.deadLetter.rawValue)
            out.id(id)
            out.string(reason)
        case .purge(let timeMs):
            out.u8(Kind.purge.rawValue)
            out.i64(timeMs)
        case .compacted(let through):
            out.u8(Kind.compacted.rawValue)
            out.u64(through)
        }
        Self.seal(&out.bytes, at: start)
    }

    /// Fills in the length and checksum of the frame that starts at `start` and runs to the end of `bytes`.
    static func seal(_ bytes: inout [UInt8], at start: Int) { RecordFrame.seal(&bytes, at: start) }

    /// Checks the frame at the start of `raw`: returns its total size (header + body) when the length is
    /// plausible, fits in `raw` and the checksum matches; nil otherwise.
    static func validFrame(_ raw: UnsafeRawBufferPointer) -> Int? { RecordFrame.valid(raw, maxBodyBytes: maxRecordBytes) }

    /// Decodes the type byte and payload of a frame already checked by ``validFrame(_:)``.
    /// `bodyWanted: false` skips copying a message's body (recovery only needs where it is).
    static func decode(frame raw: UnsafeRawBufferPointer, bodyWanted: Bool = true) throws -> JournalRecord {
        var r = ByteReader(UnsafeRawBufferPointer(rebasing: raw[headerBytes...]))
        guard let kind = Kind(rawValue: try r.u8()) else {
            throw QueueError(
                .corruptData, "a journal record has an unknown type",
                hint: "The record is quarantined; a newer starfleetd may have written it.")
        }
        switch kind {
        case .message:
            let id = try r.id()
            let sentMs = try r.i64()
            let visibleAtMs = try r.i64()
            let count = try r.i32()
            let firstMs = try r.i64()
            let lastMs = try r.i64()
            let dedup = try r.optionalString()
            var attributes: [String: String] = [:]
            for _ in 0..<Int(try r.u16()) {
                let key = try r.string()
                attributes[key] = try r.string()
            }
            var failures: [FailureRecord] = []
            for _ in 0..<Int(try r.u16()) { failures.append(try decodeFailure(&r)) }
            let body = try r.bytes()
            return .message(
                MessageRecord(
                    id: id, sentMs: sentMs, visibleAtMs: visibleAtMs, receiveCount: count, firstReceiveMs: firstMs,
                    lastReceiveMs: lastMs, deduplicationId: dedup, attributes: attributes, failures: failures,
                    body: bodyWanted ? Array(body) : []))
        case .receive:
            return .receive(
                id: try r.id(), receiveCount: try r.i32(), receivedMs: try r.i64(), visibleAtMs: try r.i64(),
                firstReceiveMs: try r.i64())
        case .visibility:
            let id = try r.id()
            let count = try r.i32()
            let visibleAtMs = try r.i64()
            let failure = try r.u8() == 1 ? try decodeFailure(&r) : nil
            return .visibility(id: id, receiveCount: count, visibleAtMs: visibleAtMs, failure: failure)
        case .delete:
            return .delete(id: try r.id(), receiveCount: try r.i32())
        case .deadLetter:
            return .deadLetter(id: try r.id(), reason: try r.string())
        case .purge:
            return .purge(timeMs: try r.i64())
        case .compacted:
            return .compacted(throughSegment: try r.u64())
        }
    }

    private static func encode(_ f: FailureRecord, into out: inout ByteWriter) {
        out.i64(Milliseconds.from(f.time))
        out.string(f.error)
        if let status = f.exitStatus {
            out.u8(1)
            out.i32(status)
        } else {
            out.u8(0)
        }
        out.optionalString(f.stderrTail)
    }

    private static func decodeFailure(_ r: inout ByteReader) throws -> FailureRecord {
        let time = Milliseconds.date(try r.i64())
        let error = try r.string()
        let status: Int32? = try r.u8() == 1 ? try r.i32() : nil
        return FailureRecord(time: time, error: error, exitStatus: status, stderrTail: try r.optionalString())
    }
}
