import FoundationEssentials
import Glibc
import StarfleetFiles

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
        try PosixFileSystem().writeAtomically(bytes, to: path, mode: UInt32(mode))
    }
}
