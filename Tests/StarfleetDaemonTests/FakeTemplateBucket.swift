import Foundation
import StarfleetCore
import StarfleetCrypto
import Synchronization

@testable import StarfleetAWS
@testable import StarfleetDaemon

/// A template bucket in memory: objects with content-derived ETags (opaque, as the poller treats them), prefixes
/// and keys that fail on demand, and a count of every call. Each put is a new revision: a Last-Modified one second
/// after the previous put's, and a VersionId when the bucket is made `versioned`.
final class FakeTemplateBucket: TemplateBucketReader, Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private struct State {
        var objects: [String: [UInt8]] = [:]
        /// The put sequence number of each key's current revision.
        var revisions: [String: Int] = [:]
        var puts = 0
        var failingPrefixes: Set<String> = []
        var failingKeys: Set<String> = []
        /// The bucket is gone: every call answers NoSuchBucket, as S3 does.
        var missingBucket = false
        var lists = 0
        var gets: [String] = []
    }

    let name = "templates"
    let versioned: Bool
    private let state = Mutex(State())

    init(versioned: Bool = false) { self.versioned = versioned }

    func put(_ key: String, _ text: String) { put(key, bytes: Array(text.utf8)) }
    func put(_ key: String, bytes: [UInt8]) {
        state.withLock { s in
            s.puts += 1
            s.objects[key] = bytes
            s.revisions[key] = s.puts
        }
    }
    func delete(_ key: String) {
        state.withLock { s in
            s.objects[key] = nil
            s.revisions[key] = nil
        }
    }
    func failList(_ prefix: String, _ failing: Bool = true) {
        state.withLock { if failing { $0.failingPrefixes.insert(prefix) } else { $0.failingPrefixes.remove(prefix) } }
    }
    func failGet(_ key: String, _ failing: Bool = true) {
        state.withLock { if failing { $0.failingKeys.insert(key) } else { $0.failingKeys.remove(key) } }
    }
    func removeBucket() { state.withLock { $0.missingBucket = true } }
    var lists: Int { state.withLock { $0.lists } }

    /// S3's answer for a missing key or bucket, as ``S3Client`` throws it.
    static func s3Error(_ code: String, _ subject: String) -> HTTPError {
        HTTPError(
            code: .service(status: 404, awsCode: code), subject: subject, detail: "not found", hint: "the object does not exist")
    }
    var gets: [String] { state.withLock { $0.gets } }

    static func etag(_ bytes: [UInt8]) -> String { String(Digest.sha256Hex(bytes).prefix(32)) }

    func list(prefix: String) async throws -> [S3Object] {
        try state.withLock { s in
            s.lists += 1
            if s.missingBucket { throw Self.s3Error("NoSuchBucket", "GET https://templates/?prefix=\(prefix)") }
            if s.failingPrefixes.contains(prefix) { throw Failure(description: "503 SlowDown listing \(prefix)") }
            return s.objects.keys.sorted().filter { $0.hasPrefix(prefix) }.map { key in
                let bytes = s.objects[key] ?? []
                return S3Object(
                    key: key, etag: Self.etag(bytes), size: Int64(bytes.count), lastModified: "2026-01-01T00:00:00.000Z")
            }
        }
    }

    func get(key: String) async throws -> S3ObjectData {
        try state.withLock { s in
            s.gets.append(key)
            if s.failingKeys.contains(key) { throw Failure(description: "connection reset getting \(key)") }
            if s.missingBucket { throw Self.s3Error("NoSuchBucket", "GET https://templates/\(key)") }
            guard let bytes = s.objects[key] else { throw Self.s3Error("NoSuchKey", "GET https://templates/\(key)") }
            let revision = s.revisions[key] ?? 0
            return S3ObjectData(
                bytes: bytes, etag: Self.etag(bytes), versionId: versioned ? "version-\(revision)" : nil,
                lastModified: Self.lastModified(revision))
        }
    }

    /// An HTTP date `seconds` after 1 Jan 2026, as S3 sends Last-Modified.
    static func lastModified(_ seconds: Int) -> String {
        "Thu, 01 Jan 2026 00:\(String(format: "%02d", seconds / 60 % 60)):\(String(format: "%02d", seconds % 60)) GMT"
    }
}

/// What the poller handed to the Starbase, in order.
final class FiredEvents: Sendable {
    private let events = Mutex<[(key: String, id: String)]>([])
    private let failing = Mutex(false)

    var keys: [String] { events.withLock { $0.map(\.key) } }
    /// The event id of each fire, in order.
    var ids: [String] { events.withLock { $0.map(\.id) } }
    func failing(_ value: Bool) { failing.withLock { $0 = value } }

    func fire(_ key: String, _ event: FanOutEvent) async throws {
        if failing.withLock({ $0 }) { throw FakeTemplateBucket.Failure(description: "the Starbase queue is full") }
        events.withLock { $0.append((key, event.id)) }
    }
}

/// The fleet's fan-out ledger in memory, shared by the pollers of several "hosts" in a test; reads fail on demand.
final class FakeFanOutLedger: TemplateFanOutLedger, Sendable {
    private let entries = Mutex<[String: (event: String, host: String)]>([:])
    private let failingReads = Mutex(false)

    func failReads(_ value: Bool) { failingReads.withLock { $0 = value } }
    func entry(_ key: String) -> (event: String, host: String)? { entries.withLock { $0[key] } }

    func lastEventID(for key: String) async throws -> String? {
        if failingReads.withLock({ $0 }) { throw FakeTemplateBucket.Failure(description: "503 SlowDown reading the ledger") }
        return entries.withLock { $0[key]?.event }
    }

    func record(key: String, eventID: String, host: String) async throws {
        entries.withLock { $0[key] = (eventID, host) }
    }
}
