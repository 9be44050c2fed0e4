import FoundationEssentials
import Glibc
import Logging
import StarfleetFiles

/// The persisted hash set: which content of each template key has already been turned into an event.
///
/// Format (version 1): `{"version":1,"templates":{"AuditWorker/all.yaml":"<sha256 hex>", …}}`, keys sorted.
/// Written atomically (temporary file, fsync, rename, fsync of the directory), so a crash leaves either the old or
/// the new set, never a torn one.
struct TemplateStateFile: Sendable {
    static let version = 1

    private struct Contents: Codable {
        var version: Int
        var templates: [String: String]
    }

    let path: String

    /// The acknowledged hashes. A missing file is a first start; a corrupt or unknown-version file is logged and
    /// read as empty, which re-reports every template once (at-least-once beats silently missing a change).
    func load(logger: Logger) -> [String: String] {
        let bytes: [UInt8]
        do {
            guard let read = try Self.readAll(path) else {
                logger.info("no template state file yet; every template present will be reported", metadata: ["path": "\(path)"])
                return [:]
            }
            bytes = read
        } catch {
            logger.error(
                "cannot read the template state file (\(SystemErrno.sentence(error.code))); treating it as empty, so every template will be reported once",
                metadata: ["path": "\(path)"])
            return [:]
        }
        do {
            let contents = try JSONDecoder().decode(Contents.self, from: Data(bytes))
            guard contents.version == Self.version else {
                logger.error(
                    "template state file has version \(contents.version), this starfleetd understands \(Self.version); treating it as empty, so every template will be reported once",
                    metadata: ["path": "\(path)"])
                return [:]
            }
            return contents.templates
        } catch {
            logger.error(
                "template state file is corrupt (\(error)); treating it as empty, so every template will be reported once",
                metadata: ["path": "\(path)"])
            return [:]
        }
    }

    /// Replaces the file with `templates`: write a temporary file beside it, fsync, rename over, fsync the directory.
    func save(_ templates: [String: String]) throws(TemplateWatcherError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes: [UInt8]
        do {
            bytes = Array(try encoder.encode(Contents(version: Self.version, templates: templates)))
        } catch {
            throw TemplateWatcherError(code: .stateWriteFailed, path: path, message: "cannot encode the hash set: \(error)")
        }
        bytes.append(UInt8(ascii: "\n"))

        do {
            try PosixFileSystem().writeAtomically(bytes, to: path)
        } catch let error as FileSystemError {
            throw TemplateWatcherError(
                code: .stateWriteFailed, path: path, errno: error.errno,
                message:
                    "\(error.operation) of \(error.path) failed; check that the state directory exists, is writable and has free space"
            )
        } catch {
            throw TemplateWatcherError(code: .stateWriteFailed, path: path, message: "\(error)")
        }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    struct ReadFailure: Error { var code: Int32 }

    /// The whole file, or nil when it does not exist.
    private static func readAll(_ path: String) throws(ReadFailure) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw ReadFailure(code: errno)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ReadFailure(code: errno)
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }
}
