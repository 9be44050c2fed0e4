import Glibc

extension FileSystem {
    /// Replaces `path` with `bytes` so that a crash leaves the old file or the new one, never a torn one: writes a
    /// temporary file beside it (`.<name>.tmp`, `mode`), fsyncs it, renames it over `path`, and fsyncs the directory
    /// so the rename itself is durable. On failure the temporary file is removed and `path` is unchanged.
    package func writeAtomically(_ bytes: [UInt8], to path: String, mode: UInt32 = 0o600) throws {
        let (directory, name) = Self.split(path)
        let temporary = directory + "/." + name + ".tmp"
        let fd = try open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: mode)
        do {
            // open(2) applies the umask; the mode asked for is the mode the file gets.
            if fchmod(fd, mode_t(mode)) != 0 { throw FileSystemError("fchmod", path: temporary, errno: Glibc.errno) }
            try bytes.withUnsafeBytes { try write(fd, $0, at: 0, path: temporary) }
            try fsync(fd, path: temporary)
            close(fd)
        } catch {
            close(fd)
            try? unlink(temporary)
            throw error
        }
        do {
            try rename(temporary, to: path)
        } catch {
            try? unlink(temporary)
            throw error
        }
        try syncDirectory(directory)
    }

    /// The directory part (`.` for a bare name) and the file name of `path`.
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }
}
