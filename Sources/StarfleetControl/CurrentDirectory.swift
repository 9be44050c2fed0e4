import Glibc

/// The process's working directory, for resolving relative paths given on the command line.
enum CurrentDirectory {
    static var path: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// mkdir -p (mode 0700), quietly: used for a process worker's working directory.
enum PosixDirectory {
    static func make(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/\(part)"
            if mkdir(current, 0o700) != 0 && errno != EEXIST { throw ControlExit(ExitStatus.ioError) }
        }
    }
}
