import Glibc

extension FileSystem {
    /// Replaces `path` with `bytes` so that a crash leaves the old file or the new one, never a torn one: writes a
    /// temporary file beside it (`.<name>.<random>.tmp`, `mode`), fsyncs it, renames it over `path`, and fsyncs the
    /// directory so the rename itself is durable. On failure the temporary file is removed and `path` is unchanged.
    package func writeAtomically(_ bytes: [UInt8], to path: String, mode: UInt32 = 0o600) throws {
        try writeAtomically(bytes, to: path, mode: mode, temporary: Self.temporaryPath(for: path))
    }

    /// ``writeAtomically(_:to:mode:)`` through the temporary file `temporary` (tests name it to plant things there).
    ///
    /// The temporary file is created exclusively (`O_CREAT|O_EXCL|O_NOFOLLOW`): whatever already has its name — a
    /// file left by a crash, or a symbolic link someone planted to make the daemon write through it — is unlinked (the
    /// link itself, never what it points to) and the create tried once more; a second collision is an error rather
    /// than a write into a file the daemon did not make.
    package func writeAtomically(_ bytes: [UInt8], to path: String, mode: UInt32, temporary: String) throws {
        let (directory, _) = Self.split(path)
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
        let fd: Int32
        do {
            fd = try open(temporary, flags: flags, mode: mode)
        } catch let error as FileSystemError where error.errno == EEXIST {
            try unlink(temporary)
            fd = try open(temporary, flags: flags, mode: mode)
        }
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

    /// A name beside `path` no other writer uses: a dot-file (listings of dead letters and templates skip those) with
    /// 64 random bits, so two writers of one file never share a temporary and nobody can plant one in advance.
    package static func temporaryPath(for path: String) -> String {
        let (directory, name) = split(path)
        let random = UInt64.random(in: .min ... .max)
        let hex = String(random, radix: 16)
        return directory + "/." + name + "." + String(repeating: "0", count: 16 - hex.count) + hex + ".tmp"
    }

    /// The directory part (`.` for a bare name) and the file name of `path`.
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }
}
