/// A payload template that appeared or changed under the watched template directory: the local equivalent of an
/// S3 `ObjectCreated` event for the object `key`.
///
/// The watcher reports only what the content hash says is new, so a restart does not re-fire unchanged templates.
/// Deletions produce no change (Starfleet triggers on object creation only).
package struct TemplateChange: Sendable, Hashable, CustomStringConvertible {
    /// The S3-style key: the path relative to the template directory, `/`-separated (`AuditWorker/all.yaml`).
    package var key: String
    /// Where the file is on disk (the template directory joined with `key`; for a symbolic link, the link's path).
    package var path: String
    /// Lowercase hex SHA-256 of the bytes the watcher read.
    package var sha256: String
    /// Size in bytes of what was read.
    package var size: Int

    package init(key: String, path: String, sha256: String, size: Int) {
        self.key = key
        self.path = path
        self.sha256 = sha256
        self.size = size
    }

    package var description: String { "\(key) (\(size) bytes, sha256 \(sha256.prefix(12)))" }
}

/// A `*.yaml` entry under the template directory that the watcher refuses to read, and why: a symbolic link that
/// leads out of the directory, a `..` component, a file over the size limit, something that is not a regular file,
/// or a file it cannot read (the errno sentence is in `reason`).
///
/// Each rejection is reported once; it is reported again only after it was fixed (or vanished) and came back, or
/// when its reason changes. Content that is not valid YAML is not a rejection here: the Starbase validates it.
package struct TemplateRejection: Sendable, Hashable, CustomStringConvertible {
    /// Where the entry is on disk.
    package var path: String
    /// A sentence saying what is wrong and what to do about it.
    package var reason: String

    package init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    package var description: String { "\(path): \(reason)" }
}
