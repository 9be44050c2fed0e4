import FoundationEssentials
import Glibc
package import Logging
package import StarfleetAWS
package import StarfleetCore
import StarfleetYAML
import Synchronization

/// The account index the Starbase plans with, reloaded when it changes, so a regenerated index is used from the
/// next fan-out on without a restart: a local file is read again when its size or modification time changed;
/// Starfleet's S3 object (`StarfleetDefaultAccountIndex`) is asked for with `If-None-Match: <cached ETag>`, and
/// only a new ETag is downloaded and parsed again.
package final class AccountIndexCache: Sendable {
    private struct Loaded {
        var index: AccountIndex
        /// File: size and nanosecond mtime; S3 object: the ETag.
        var version: String
    }

    private enum Origin: Sendable {
        case file(path: String?)
        case object(any AccountIndexObjectReader)
    }

    /// The local file, when the index is local.
    package let path: String?
    private let origin: Origin
    private let logger: Logger?
    /// Where each new S3 copy is also written, for workers that read the index themselves (Starfleet's ships).
    private let mirror: String?
    private let loaded: Mutex<Loaded?> = Mutex(nil)

    /// A local index (`LocalAccountIndex`); `path` nil means the configuration names an S3 index this cache
    /// was not given a reader for.
    package init(source: AccountIndexSource, path: String?) {
        self.path = path
        origin = .file(path: path)
        logger = nil
        mirror = nil
    }

    /// Starfleet's index object in S3. The logger reports a failed refresh answered from the cached copy.
    package init(s3Object: any AccountIndexObjectReader, logger: Logger? = nil, mirror: String? = nil) {
        path = nil
        origin = .object(s3Object)
        self.logger = logger
        self.mirror = mirror
    }

    /// `<state>/accountIndex.s3.json`: the last S3 copy, what workers are given as their account index file.
    package static func mirrorPath(stateDirectory: String) -> String { StatePaths(stateDirectory).accountIndexMirror }

    /// Where the index comes from, for logs: the file's path or `s3://bucket/key`.
    package var location: String {
        switch origin {
        case .file(let path): return path ?? AccountIndexSource.s3Name
        case .object(let object): return object.location
        }
    }

    /// The current index. Throws (retryably) when it cannot be read and no copy is cached.
    package func current() async throws(AccountIndexError) -> AccountIndex {
        switch origin {
        case .file(let path): return try currentFile(path)
        case .object(let object): return try await currentObject(object)
        }
    }

    private func currentFile(_ path: String?) throws(AccountIndexError) -> AccountIndex {
        guard let path else {
            throw AccountIndexError(
                source: AccountIndexSource.s3Name,
                message: "the account index is in S3 and no S3 client was configured for it")
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw AccountIndexError(source: path, message: "cannot read the account index: \(String(cString: strerror(errno)))")
        }
        let version = "\(info.st_size)|\(Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec))"
        if let cached = loaded.withLock({ $0 }), cached.version == version { return cached.index }
        let index = try AccountIndexFile.load(path)
        loaded.withLock { $0 = Loaded(index: index, version: version) }
        return index
    }

    private func currentObject(_ object: any AccountIndexObjectReader) async throws(AccountIndexError) -> AccountIndex {
        let cached = loaded.withLock { $0 }
        let result: S3GetResult
        do {
            result = try await object.get(ifNoneMatch: cached?.version)
        } catch {
            guard let cached else {
                throw AccountIndexError(source: object.location, message: "cannot get the account index: \(error)")
            }
            // The copy last seen is what Starfleet's warm Lambda would use anyway; the next fan-out asks again.
            logger?.warning(
                "cannot refresh the account index; using the copy loaded before: \(error)",
                metadata: ["index": "\(object.location)", "etag": "\(cached.version)"])
            return cached.index
        }
        switch result {
        case .notModified:
            if let cached { return cached.index }
            throw AccountIndexError(source: object.location, message: "S3 answered 304 Not Modified to an unconditional GET")
        case .object(let bytes, let etag):
            guard bytes.count <= AccountIndexFile.maxBytes else {
                throw AccountIndexError(
                    source: object.location,
                    message: "the index is \(bytes.count) bytes, over the \(AccountIndexFile.maxBytes)-byte limit")
            }
            let index = try AccountIndex(json: Data(bytes), source: object.location)
            loaded.withLock { $0 = Loaded(index: index, version: etag) }
            if let mirror {
                do {
                    try JSONStateFile.writeBytes(bytes, to: mirror, mode: 0o600)
                } catch {
                    logger?.warning(
                        "cannot keep a local copy of the account index for workers: \(error)", metadata: ["path": "\(mirror)"])
                }
            }
            return index
        }
    }
}

/// Where the S3 account index is read: one object, asked for conditionally.
package protocol AccountIndexObjectReader: Sendable {
    /// `s3://bucket/key`.
    var location: String { get }
    /// The object, or `.notModified` while its ETag is still `etag`.
    func get(ifNoneMatch etag: String?) async throws -> S3GetResult
}

/// `StarfleetDefaultAccountIndex`: `IndexObjectPath` in `IndexBucket`, signed for `BucketRegion`.
package struct S3AccountIndexObject: AccountIndexObjectReader {
    let s3: S3Client
    package let bucket: String
    package let key: String

    package init(s3: S3Client, bucket: String, key: String) {
        self.s3 = s3
        self.bucket = bucket
        self.key = key
    }

    package var location: String { "s3://\(bucket)/\(key)" }

    package func get(ifNoneMatch etag: String?) async throws -> S3GetResult {
        try await s3.getObject(bucket: bucket, key: key, ifNoneMatch: etag)
    }
}
