import StarfleetCore
import StarfleetYAML

/// Where the Starbase lists and fetches templates: Starfleet's template bucket, here the watched template directory
/// (a file's path under it is its key), or the template bucket itself (``S3TemplateStore``).
package protocol TemplateStore: Sendable {
    /// Keys under `prefix` that end in `.yaml` (Starfleet's `list_worker_ship_templates`: a prefix that itself ends in
    /// `.yaml` is returned as it is, without a look-up).
    func templates(prefix: String) async throws -> [String]
    /// The template's bytes, or a ``TemplateStoreError``.
    func read(key: String) async throws -> [UInt8]
}

package struct TemplateStoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for the caller's choice of retrying.
    package enum Kind: Sendable, Equatable {
        /// The template is not there (S3 NoSuchKey): may appear later (a retry may find it).
        case notFound
        /// The template bucket itself does not exist (S3 NoSuchBucket): a configuration error no retry fixes.
        case noSuchBucket
        /// Anything else (network, access, a bad key): retried.
        case other
    }

    package var key: String
    package var message: String
    package var kind: Kind
    package init(key: String, message: String, kind: Kind = .other) {
        self.key = key
        self.message = message
        self.kind = kind
    }
    package var description: String { "\(key): \(message)" }
}

/// The template directory as a template store.
package struct DirectoryTemplateStore: TemplateStore {
    package let directory: String

    package init(directory: String) { self.directory = directory }

    package func templates(prefix: String) throws -> [String] {
        if prefix.hasSuffix(".yaml") { return [prefix] }
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        return TemplateFiles.list(under: directory).compactMap { path in
            guard path.hasPrefix(base) else { return nil }
            let key = String(path.dropFirst(base.count))
            return key.hasPrefix(prefix) ? key : nil
        }
    }

    package func read(key: String) throws -> [UInt8] {
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
