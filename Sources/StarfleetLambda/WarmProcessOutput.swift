import Glibc
import Logging
import StarfleetProcess
import Synchronization

/// A warm process's stdout and stderr as they arrive: each line to the log with the worker's fields (and the
/// running invocation's), and the last 8 KB of stderr since the invocation began, for its dead letter.
final class WarmProcessOutput: Sendable {
    private struct State {
        var partial: [ProcessObserver.Stream: [UInt8]] = [:]
        var tail: [UInt8] = []
        var logger: Logger
    }
    static let tailLimit = 8192
    static let lineLimit = 16384

    private let state: Mutex<State>

    init(logger: Logger) { state = Mutex(State(logger: logger)) }

    /// The logger lines go to from now on (the running invocation's metadata), and a fresh tail. It stays after the
    /// invocation is answered, until the next one begins: what the handler printed can still be in the pipe when its
    /// answer arrives over HTTP, and it belongs to that invocation.
    func begin(_ logger: Logger) {
        state.withLock {
            $0.logger = logger
            $0.tail.removeAll(keepingCapacity: true)
        }
    }

    var stderrTail: String { state.withLock { String(decoding: $0.tail, as: UTF8.self) } }

    func append(_ stream: ProcessObserver.Stream, _ bytes: [UInt8]) {
        let (lines, logger) = state.withLock { state -> ([String], Logger) in
            if stream == .stderr {
                state.tail.append(contentsOf: bytes)
                if state.tail.count > Self.tailLimit { state.tail.removeFirst(state.tail.count - Self.tailLimit) }
            }
            var buffer = state.partial[stream, default: []]
            buffer.append(contentsOf: bytes)
            var lines: [String] = []
            var start = 0
            for (i, byte) in buffer.enumerated() where byte == UInt8(ascii: "\n") {
                lines.append(String(decoding: buffer[start..<i], as: UTF8.self))
                start = i + 1
            }
            buffer.removeFirst(start)
            if buffer.count > Self.lineLimit {
                lines.append(String(decoding: buffer, as: UTF8.self))
                buffer.removeAll()
            }
            state.partial[stream] = buffer
            return (lines, state.logger)
        }
        for line in lines where !line.isEmpty {
            let (level, text) = Self.level(of: line)
            logger.log(level: level, "\(text)", metadata: ["stream": "\(stream == .stdout ? "stdout" : "stderr")"])
        }
    }

    /// The journal priority a line asks for with a leading level word (`ERROR …`, `[WARNING] …`, as the SDKs, Python's
    /// logging and the runtime clients write them), and the line without it; info and the whole line otherwise.
    static func level(of line: String) -> (Logger.Level, String) {
        let levels: [(String, Logger.Level)] = [
            ("CRITICAL", .critical), ("ERROR", .error), ("WARNING", .warning), ("WARN", .warning), ("INFO", .info),
            ("DEBUG", .debug),
        ]
        let bracketed = line.hasPrefix("[")
        let body = bracketed ? line.dropFirst() : Substring(line)
        for (word, level) in levels where body.hasPrefix(word) {
            var rest = body.dropFirst(word.count)
            if bracketed {
                guard rest.hasPrefix("]") else { continue }
                rest = rest.dropFirst()
            }
            guard rest.hasPrefix(" ") || rest.hasPrefix(":") else { continue }
            let text = rest.drop { $0 == " " || $0 == ":" }
            return (level, text.isEmpty ? line : String(text))
        }
        return (.info, line)
    }

    /// Logs what is left of an unterminated last line.
    func flush() {
        let (rest, logger) = state.withLock { state -> ([String], Logger) in
            defer { state.partial = [:] }
            return (state.partial.values.filter { !$0.isEmpty }.map { String(decoding: $0, as: UTF8.self) }, state.logger)
        }
        for line in rest { logger.info("\(line)") }
    }
}

/// A warm process's resident memory, read from `/proc/<pid>/statm` through a descriptor opened once: the MemorySize
/// check runs before every invocation, and an open and close each time were a third of its system calls. The
/// descriptor stays bound to that process (a reused pid is another process's file), and reads fail once it exits.
final class ResidentMemoryProbe: Sendable {
    private let fd: Int32
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    init?(pid: pid_t) {
        fd = open("/proc/\(pid)/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
    }

    deinit { close(fd) }

    /// Resident bytes now, or nil when the process is gone.
    var residentBytes: Int? {
        var buffer = (
            UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
            UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0)
        )
        return withUnsafeMutableBytes(of: &buffer) { raw -> Int? in
            let count = pread(fd, raw.baseAddress, raw.count, 0)
            guard count > 0 else { return nil }
            // "size resident shared …" in pages: the second field.
            var field = 0
            var value = 0
            var seen = false
            for byte in raw.prefix(count) {
                if byte == UInt8(ascii: " ") {
                    if field == 1 { break }
                    field += 1
                } else if field == 1, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                    value = value &* 10 &+ Int(byte - UInt8(ascii: "0"))
                    seen = true
                }
            }
            return seen ? value * Self.pageSize : nil
        }
    }
}
