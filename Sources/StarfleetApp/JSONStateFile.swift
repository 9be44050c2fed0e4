import FoundationEssentials
import Glibc

/// Small JSON state files (scheduler fires, status): read leniently, written atomically (tmp + fsync + rename +
/// fsync of the directory) so a crash leaves the old or the new content, never a torn file.
enum JSONStateFile {
    static func read<T: Decodable>(_ type: T.Type, from path: String) -> T? {
        guard let data = try? Data(contentsOf: URL(filePath: path)) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(type, from: data)
    }

    /// Mode 0600 by default: status and scheduler state name workers, queues and errors, and are for the service
    /// user (and root) only, like the dead letters.
    static func write<T: Encodable>(_ value: T, to path: String, mode: mode_t = 0o600) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try writeBytes([UInt8](try encoder.encode(value)) + [UInt8(ascii: "\n")], to: path, mode: mode)
    }

    /// Writes `bytes` to `path` atomically (temp file, fsync, rename, fsync of the folder) with `mode`.
    static func writeBytes(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws {
        let temporary = "\(path).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw StateFileError(path: temporary, operation: "open", code: errno) }
        // O_CREAT's mode applies only to a new file: a leftover temporary file keeps its old mode unless set here.
        guard fchmod(fd, mode) == 0 else {
            let code = errno
            close(fd)
            throw StateFileError(path: temporary, operation: "fchmod", code: code)
        }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let code = errno
                close(fd)
                throw StateFileError(path: temporary, operation: "write", code: code)
            }
            offset += n
        }
        guard fsync(fd) == 0 else {
            let code = errno
            close(fd)
            throw StateFileError(path: temporary, operation: "fsync", code: code)
        }
        close(fd)
        guard rename(temporary, path) == 0 else { throw StateFileError(path: path, operation: "rename", code: errno) }
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let dfd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }
}

struct StateFileError: Error, CustomStringConvertible {
    var path: String
    var operation: String
    var code: Int32
    var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
}
