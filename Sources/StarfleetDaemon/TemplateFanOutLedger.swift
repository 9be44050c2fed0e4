import FoundationEssentials
import StarfleetAWS

/// The fleet-wide record of the last template revision fanned out per key, kept beside the templates so every host
/// polling the bucket reads the same one. FIFO deduplication stops a second fan-out only within SQS's 5-minute
/// window; a host that sees a change later (it was stopped, or lost its state file) looks here first and does not
/// fan the revision out again.
package protocol TemplateFanOutLedger: Sendable {
    /// The event id last recorded for `key`; nil when none was.
    func lastEventID(for key: String) async throws -> String?
    /// Records that `eventID` of `key` was queued for fan-out by `host`.
    func record(key: String, eventID: String, host: String) async throws
}

/// The ledger as small JSON objects under `.starfleet/fanned-out/` in the template bucket (one per template key).
/// Hosts need `s3:PutObject` there; without it the record cannot be written and only the FIFO window protects.
struct S3TemplateFanOutLedger: TemplateFanOutLedger {
    struct Entry: Codable {
        var event: String
        var host: String
        var at: String
    }

    /// Where the records live; no worker's templates are looked for under it.
    static let prefix = ".starfleet/fanned-out/"

    let s3: S3Client
    let bucket: String
    let now: @Sendable () -> Date

    init(s3: S3Client, bucket: String, now: @escaping @Sendable () -> Date) {
        self.s3 = s3
        self.bucket = bucket
        self.now = now
    }

    static func recordKey(_ key: String) -> String { prefix + key + ".json" }

    func lastEventID(for key: String) async throws -> String? {
        let bytes: [UInt8]
        do {
            bytes = try await s3.getObjectData(bucket: bucket, key: Self.recordKey(key)).bytes
        } catch let error as HTTPError where error.awsCode == "NoSuchKey" {
            return nil
        }
        // An unreadable record is no record: fanning out again is the at-least-once side.
        return (try? JSONDecoder().decode(Entry.self, from: Data(bytes)))?.event
    }

    func record(key: String, eventID: String, host: String) async throws {
        let entry = Entry(event: eventID, host: host, at: now().formatted(.iso8601))
        let body = Array(try JSONEncoder().encode(entry))
        try await s3.putObject(bucket: bucket, key: Self.recordKey(key), body: body, contentType: "application/json")
    }
}
