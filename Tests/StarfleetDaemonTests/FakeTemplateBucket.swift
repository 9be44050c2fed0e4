import Foundation
import StarfleetCrypto
import Synchronization

@testable import StarfleetAWS
@testable import StarfleetDaemon

/// A template bucket in memory: objects with content-derived ETags (opaque, as the poller treats them), prefixes
/// and keys that fail on demand, and a count of every call.
final class FakeTemplateBucket: TemplateBucketReader, Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private struct State {
        var objects: [String: [UInt8]] = [:]
        var failingPrefixes: Set<String> = []
        var failingKeys: Set<String> = []
        /// The bucket is gone: every call answers NoSuchBucket, as S3 does.
        var missingBucket = false
        var lists = 0
        var gets: [String] = []
    }

    let name = "templates"
    private let state = Mutex(State())

    func put(_ key: String, _ text: String) { state.withLock { $0.objects[key] = Array(text.utf8) } }
    func put(_ key: String, bytes: [UInt8]) { state.withLock { $0.objects[key] = bytes } }
    func delete(_ key: String) { state.withLock { $0.objects[key] = nil } }
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

    func get(key: String) async throws -> (bytes: [UInt8], etag: String) {
        try state.withLock { s in
            s.gets.append(key)
            if s.failingKeys.contains(key) { throw Failure(description: "connection reset getting \(key)") }
            if s.missingBucket { throw Self.s3Error("NoSuchBucket", "GET https://templates/\(key)") }
            guard let bytes = s.objects[key] else { throw Self.s3Error("NoSuchKey", "GET https://templates/\(key)") }
            return (bytes, Self.etag(bytes))
        }
    }
}

/// What the poller handed to the Starbase, in order.
final class FiredEvents: Sendable {
    private let events = Mutex<[String]>([])
    private let failing = Mutex(false)

    var keys: [String] { events.withLock { $0 } }
    func failing(_ value: Bool) { failing.withLock { $0 = value } }

    func fire(_ key: String, _ bytes: [UInt8]) async throws {
        if failing.withLock({ $0 }) { throw FakeTemplateBucket.Failure(description: "the Starbase queue is full") }
        events.withLock { $0.append(key) }
    }
}
