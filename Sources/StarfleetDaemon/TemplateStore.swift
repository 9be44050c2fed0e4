import StarfleetCore
import StarfleetYAML

/// Where the Starbase lists and fetches templates: Starfleet's template bucket, here the watched template directory
/// (a file's path under it is its key), or the template bucket itself (``S3TemplateStore``).
public protocol TemplateStore: Sendable {
    /// Keys under `prefix` that end in `.yaml` (Starfleet's `list_worker_ship_templates`: a prefix that itself ends in
    /// `.yaml` is returned as it is, without a look-up).
    func templates(prefix: String) async throws -> [String]
    /// The template's bytes, or a ``TemplateStoreError``.
    func read(key: String) async throws -> [UInt8]
}

public struct TemplateStoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for the caller's choice of retrying.
    public enum Kind: Sendable, Equatable {
        /// The template is not there (S3 NoSuchKey): may appear later (a retry may find it).
        case notFound
        /// The template bucket itself does not exist (S3 NoSuchBucket): a configuration error no retry fixes.
        case noSuchBucket
        /// Anything else (network, access, a bad key): retried.
        case other
    }

    public var key: String
    public var message: String
    public var kind: Kind
    public init(key: String, message: String, kind: Kind = .other) {
        self.key = key
        self.message = message
        self.kind = kind
    }
    public var description: String { "\(key): \(message)" }
}

/// The template directory as a template store.
public struct DirectoryTemplateStore: TemplateStore {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public func templates(prefix: String) throws -> [String] {
        if prefix.hasSuffix(".yaml") { return [prefix] }
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        return TemplateFiles.list(under: directory).compactMap { path in
            guard path.hasPrefix(base) else { return nil }
            let key = String(path.dropFirst(base.count))
            return key.hasPrefix(prefix) ? key : nil
        }
    }

    public func read(key: String) throws -> [UInt8] {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard !key.isEmpty, !key.hasPrefix("/"), !parts.contains(".."), !parts.contains("") else {
            throw TemplateStoreError(key: key, message: "not a template key (empty parts or '..')")
        }
        let path = (directory.hasSuffix("/") ? directory : directory + "/") + key
        do {
            return try TemplateFileBytes.read(path)
        } catch {
            throw TemplateStoreError(key: key, message: "Can't find the template \(key) in \(directory): \(error)")
        }
    }
}
