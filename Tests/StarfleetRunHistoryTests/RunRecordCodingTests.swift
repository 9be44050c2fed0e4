import Foundation
import StarfleetQueue
import Testing

@testable import StarfleetRunHistory

/// Fields appended to version 1 (trace id, host) and the `filtered` outcome: written, read back, and absent from
/// records written before they existed.
@Suite struct RunRecordCodingTests {
    func decode(_ frame: [UInt8]) throws -> RunRecord? {
        try frame.withUnsafeBytes { try RunRecord.decode(frame: $0, path: "test") }
    }

    @Test func traceIdAndHostRoundTrip() throws {
        let record = RunRecord(
            worker: "AuditWorker", messageId: "m-1", attempt: 2, started: Date(timeIntervalSince1970: 1_700_000_000),
            durationSeconds: 0.25, outcome: .filtered, traceId: "1-5f84c7a4-0123456789abcdef01234567", host: "host-b")
        let decoded = try #require(try decode(record.frame()))
        #expect(decoded == record)
        #expect(decoded.outcome.name == "filtered")
        #expect(!decoded.outcome.isFailure)
    }

    @Test func aRecordWithoutTheAppendedFieldsReadsAsNone() throws {
        let record = RunRecord(
            worker: "AuditWorker", messageId: "m-1", attempt: 1, started: Date(timeIntervalSince1970: 1_700_000_000),
            durationSeconds: 1, outcome: .succeeded, stderrExcerpt: "tail")
        // The same record as an older daemon wrote it: the frame ends after stderrExcerpt (two absent markers fewer).
        var old = Array(record.frame().dropLast(2))
        RecordFrame.seal(&old, at: 0)
        let decoded = try #require(try decode(old))
        #expect(decoded.stderrExcerpt == "tail")
        #expect(decoded.traceId == nil && decoded.host == nil)
    }
}
