import Glibc

/// Small, honest file reads for the YAML edge: the bytes or an errno sentence, and a size cap checked first.
enum FileReader {
    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    static func errnoText(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// The whole file, refusing anything over `limit` bytes (returns the size it found in the error).
    static func read(_ path: String, limit: Int) throws(Failure) -> [UInt8] {
        // O_NONBLOCK: opening a FIFO (or a tty) named *.yaml would otherwise wait for a writer forever and hang
        // validate, start, reload and stop. It changes nothing for a regular file, the only kind read past fstat.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else {
            let code = errno
            // A socket cannot be opened at all (ENXIO); say what it is rather than the errno.
            if code == ENXIO { throw Failure(message: "not a regular file (a socket or a device); only regular files are read") }
            throw Failure(message: errnoText(code))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(message: errnoText(errno)) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw Failure(message: "not a regular file (\(kindName(info.st_mode))); only regular files are read")
        }
        guard Int(info.st_size) <= limit else {
            throw Failure(message: "the file is \(Int(info.st_size) / 1_048_576) MiB; the limit is \(limit / 1_048_576) MiB")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(message: errnoText(errno))
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > limit { throw Failure(message: "the file grew past \(limit / 1_048_576) MiB while being read") }
        }
        return bytes
    }

    /// What a non-regular file is, for the error naming it.
    static func kindName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFDIR: return "a directory"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }

    /// Names in a directory (not `.`/`..`), or the errno sentence.
    static func list(_ directory: String) throws(Failure) -> [String] {
        guard let dir = opendir(directory) else { throw Failure(message: errnoText(errno)) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
