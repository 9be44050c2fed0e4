import Glibc

/// The file-system calls the state directory's writers make (the journal, dead letters, state files), as a seam:
/// production uses ``PosixFileSystem``; tests wrap it to fail the Nth write with ENOSPC (beanstalkd's `falloc` trick).
///
/// Every method throws ``FileSystemError`` with the operation, the path and the errno.
package protocol FileSystem: Sendable {
    /// open(2). Returns the descriptor.
    func open(_ path: String, flags: Int32, mode: UInt32) throws -> Int32
    func close(_ fd: Int32)
    /// Writes all of `bytes` at `offset` (pwrite(2), looping over short writes).
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64, path: String) throws
    /// Reads up to `buffer.count` bytes at `offset`; returns how many (short only at end of file).
    func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64, path: String) throws -> Int
    func fdatasync(_ fd: Int32, path: String) throws
    func fsync(_ fd: Int32, path: String) throws
    func truncate(_ fd: Int32, to size: Int64, path: String) throws
    func size(_ fd: Int32, path: String) throws -> Int64
    func rename(_ from: String, to: String) throws
    func unlink(_ path: String) throws
    /// mkdir -p with `mode` for the directories it creates.
    func makeDirectories(_ path: String, mode: UInt32) throws
    /// The names in a directory (no "." or ".."); throws ENOENT when it does not exist.
    func contents(ofDirectory path: String) throws -> [String]
    /// Opens a directory and fsyncs it, making renames and creations in it durable.
    func syncDirectory(_ path: String) throws
    func fileExists(_ path: String) -> Bool
}

/// The real file system, through Glibc.
package struct PosixFileSystem: FileSystem {
    package init() {}

    package func open(_ path: String, flags: Int32, mode: UInt32) throws -> Int32 {
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode_t(mode))
        if fd < 0 { throw FileSystemError("open", path: path, errno: errno) }
        return fd
    }

    package func close(_ fd: Int32) { _ = Glibc.close(fd) }

    package func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64, path: String) throws {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = Glibc.pwrite(fd, base + done, bytes.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw FileSystemError("pwrite", path: path, errno: errno)
            }
            done += n
        }
    }

    package func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64, path: String) throws -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            let n = Glibc.pread(fd, base + done, buffer.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw FileSystemError("pread", path: path, errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    package func fdatasync(_ fd: Int32, path: String) throws {
        if Glibc.fdatasync(fd) != 0 { throw FileSystemError("fdatasync", path: path, errno: errno) }
    }

    package func fsync(_ fd: Int32, path: String) throws {
        if Glibc.fsync(fd) != 0 { throw FileSystemError("fsync", path: path, errno: errno) }
    }

    package func truncate(_ fd: Int32, to size: Int64, path: String) throws {
        if Glibc.ftruncate(fd, off_t(size)) != 0 { throw FileSystemError("ftruncate", path: path, errno: errno) }
    }

    package func size(_ fd: Int32, path: String) throws -> Int64 {
        var st = stat()
        if Glibc.fstat(fd, &st) != 0 { throw FileSystemError("fstat", path: path, errno: errno) }
        return Int64(st.st_size)
    }

    package func rename(_ from: String, to: String) throws {
        if Glibc.rename(from, to) != 0 { throw FileSystemError("rename to \(to)", path: from, errno: errno) }
    }

    package func unlink(_ path: String) throws {
        if Glibc.unlink(path) != 0 { throw FileSystemError("unlink", path: path, errno: errno) }
    }

    package func makeDirectories(_ path: String, mode: UInt32) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            if Glibc.mkdir(prefix, mode_t(mode)) != 0 && errno != EEXIST {
                throw FileSystemError("mkdir", path: prefix, errno: errno)
            }
        }
    }

    package func contents(ofDirectory path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw FileSystemError("opendir", path: path, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    package func syncDirectory(_ path: String) throws {
        let fd = try open(path, flags: O_RDONLY | O_DIRECTORY, mode: 0)
        defer { close(fd) }
        try fsync(fd, path: path)
    }

    package func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }
}
