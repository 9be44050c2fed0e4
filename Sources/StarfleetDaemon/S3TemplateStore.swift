package import StarfleetAWS

/// The template bucket as the poller and the store see it: a listing under a prefix and the bytes of one key.
/// ``S3TemplateBucket`` is the real one; tests use a dictionary.
package protocol TemplateBucketReader: Sendable {
    /// The bucket's name (the bucket the Starbase's S3 events carry).
    var name: String { get }
    /// Every object under `prefix`, all pages.
    func list(prefix: String) async throws -> [S3Object]
    /// The object's bytes with the headers that name its revision.
    func get(key: String) async throws -> S3ObjectData
}

/// `STARFLEET.TemplateBucket` through ``S3Client``: ListObjectsV2 (paginated) and GetObject.
package struct S3TemplateBucket: TemplateBucketReader {
    let s3: S3Client
    package let name: String

    package init(s3: S3Client, name: String) {
        self.s3 = s3
        self.name = name
    }

    package func list(prefix: String) async throws -> [S3Object] {
        try await s3.listAllObjects(bucket: name, prefix: prefix)
    }

    package func get(key: String) async throws -> S3ObjectData {
        try await s3.getObjectData(bucket: name, key: key)
    }
}

/// Starfleet's template source: timed events list the worker's `TemplatePrefix` in the bucket (keys ending in
/// `.yaml`, recursively; a prefix that is itself a `.yaml` key is taken as it is, without a call), and the Starbase
/// reads each template from it (`fetch_template`).
package struct S3TemplateStore: TemplateStore {
    package let bucket: any TemplateBucketReader

    package init(bucket: any TemplateBucketReader) { self.bucket = bucket }

    package func templates(prefix: String) async throws -> [String] {
        if prefix.hasSuffix(".yaml") { return [prefix] }
        do {
            return try await bucket.list(prefix: prefix).map(\.key).filter {
                $0.hasSuffix(".yaml") && !$0.hasPrefix(S3TemplateFanOutLedger.prefix)
            }
        } catch {
            if Self.awsCode(of: error) == "NoSuchBucket" { throw Self.noSuchBucket(bucket.name, key: prefix) }
            throw TemplateStoreError(key: prefix, message: "cannot list s3://\(bucket.name)/\(prefix): \(error)")
        }
    }

    package func read(key: String) async throws -> [UInt8] {
        do {
            return try await bucket.get(key: key).bytes
        } catch {
            switch Self.awsCode(of: error) {
            case "NoSuchBucket":
                throw Self.noSuchBucket(bucket.name, key: key)
            case "NoSuchKey":
                throw TemplateStoreError(
                    key: key,
                    message:
                        "the template was not found in S3: no key \(key) in bucket \(bucket.name) (s3://\(bucket.name)/\(key))",
                    kind: .notFound)
            default:
                throw TemplateStoreError(key: key, message: "Can't read the template s3://\(bucket.name)/\(key): \(error)")
            }
        }
    }

    /// The S3 error code (`NoSuchKey`, `NoSuchBucket`, …) of a failed call, when S3 answered with one.
    static func awsCode(of error: any Error) -> String? { (error as? HTTPError)?.awsCode }

    static func noSuchBucket(_ bucket: String, key: String) -> TemplateStoreError {
        TemplateStoreError(
            key: key,
            message: "the template bucket \(bucket) does not exist (NoSuchBucket); check STARFLEET.TemplateBucket and its region",
            kind: .noSuchBucket)
    }
}
