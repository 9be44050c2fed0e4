import FoundationEssentials
import StarfleetQueue

/// The on-disk form of a run: one framed record (the journal's frame: length, CRC-32C, body). Layout of the body:
/// docs/run-history-format.md.
extension RunRecord {
    /// The body's first byte: what kind of record follows. Readers skip kinds they do not know.
    enum Kind: UInt8 {
        case run = 1
    }

    /// No body is longer than this: every text field is bounded when written, so a larger length is damage.
    static let maxBodyBytes = 64 << 10

    /// This run as one sealed frame, each text field cut to its bound.
    func frame() -> [UInt8] {
        var w = ByteWriter(capacity: 256 + (resultExcerpt?.utf8.count ?? 0) + (stderrExcerpt?.utf8.count ?? 0))
        w.u32(0)
        w.u32(0)
        w.u8(Kind.run.rawValue)
        w.i64(Self.milliseconds(started))
        w.i64(durationSeconds.isFinite ? Int64(max(0, min(durationSeconds, 1e12)) * 1_000_000) : 0)
        w.u8(outcome.rawValue)
        w.i32(Int32(clamping: attempt))
        w.string(TextBounds.head(worker, bytes: Self.fieldBytes))
        w.string(TextBounds.head(messageId, bytes: Self.fieldBytes))
        w.optionalString(template.map { TextBounds.head($0, bytes: Self.fieldBytes) })
        w.optionalString(account.map { TextBounds.head($0, bytes: Self.fieldBytes) })
        w.optionalString(region.map { TextBounds.head($0, bytes: Self.fieldBytes) })
        if let exitStatus {
            w.u8(1)
            w.i32(exitStatus)
        } else {
            w.u8(0)
        }
        w.optionalString(errorType.map { TextBounds.head($0, bytes: Self.fieldBytes) })
        w.optionalString(error.map { TextBounds.head($0, bytes: Self.errorBytes) })
        w.u64(UInt64(max(0, resultBytes)))
        w.optionalString(resultExcerpt.map { TextBounds.head($0, bytes: Self.excerptBytes) })
        w.optionalString(stderrExcerpt.map { TextBounds.tail($0, bytes: Self.excerptBytes) })
        // Fields added after version 1's first release: a reader that ends here (an older one) ignores them.
        w.optionalString(traceId.map { TextBounds.head($0, bytes: Self.fieldBytes) })
        w.optionalString(host.map { TextBounds.head($0, bytes: Self.fieldBytes) })
        RecordFrame.seal(&w.bytes, at: 0)
        return w.bytes
    }

    /// Decodes the body of a frame already checked by `RecordFrame.valid`; nil for a kind this version does not
    /// know (a newer starfleetd's), which readers skip.
    static func decode(frame raw: UnsafeRawBufferPointer, path: String) throws(RunHistoryError) -> RunRecord? {
        var r = ByteReader(UnsafeRawBufferPointer(rebasing: raw[RecordFrame.headerBytes...]))
        do {
            guard try r.u8() == Kind.run.rawValue else { return nil }
            let startedMs = try r.i64()
            let micros = try r.i64()
            let outcomeByte = try r.u8()
            guard let outcome = RunOutcome(rawValue: outcomeByte) else {
                throw RunHistoryError("a run record has an unknown outcome \(outcomeByte)", path: path)
            }
            let attempt = Int(try r.i32())
            let worker = try r.string()
            let messageId = try r.string()
            let template = try r.optionalString()
            let account = try r.optionalString()
            let region = try r.optionalString()
            let exitStatus: Int32? = try r.u8() == 1 ? try r.i32() : nil
            let errorType = try r.optionalString()
            let error = try r.optionalString()
            let resultBytes = Int(clamping: try r.u64())
            let resultExcerpt = try r.optionalString()
            let stderrExcerpt = try r.optionalString()
            // Records written before these fields existed end here.
            let traceId = r.remaining == 0 ? nil : try r.optionalString()
            let host = r.remaining == 0 ? nil : try r.optionalString()
            return RunRecord(
                worker: worker, template: template, account: account, region: region, messageId: messageId, attempt: attempt,
                started: Date(timeIntervalSince1970: Double(startedMs) / 1000), durationSeconds: Double(micros) / 1_000_000,
                outcome: outcome, exitStatus: exitStatus, errorType: errorType, error: error, resultBytes: resultBytes,
                resultExcerpt: resultExcerpt, stderrExcerpt: stderrExcerpt, traceId: traceId, host: host)
        } catch let error as RunHistoryError {
            throw error
        } catch {
            throw RunHistoryError("a run record is shorter than its fields", path: path)
        }
    }

    /// Milliseconds since 1970, saturating instead of trapping on absurd dates.
    static func milliseconds(_ date: Date) -> Int64 {
        let ms = (date.timeIntervalSince1970 * 1000).rounded()
        guard ms.isFinite else { return 0 }
        return ms >= 9.2e18 ? Int64.max / 2 : ms <= -9.2e18 ? Int64.min / 2 : Int64(ms)
    }
}
