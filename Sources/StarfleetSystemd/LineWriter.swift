import Glibc
import Synchronization

/// Writes whole lines to a file descriptor with write(2): no `stderr` FILE* (a shared mutable global that
/// Swift 6 rejects), no stdio buffering, and one lock for the whole process so lines from different
/// loggers never interleave, even past PIPE_BUF.
struct LineWriter: Sendable {
    let fileDescriptor: Int32

    private static let lock = Mutex(())

    /// Writes `line` and a newline; retries on EINTR and partial writes. A failing log destination is
    /// dropped silently: there is nowhere left to report it.
    func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        Self.lock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let start = buffer.baseAddress.map { $0 + offset }
                    let written = Glibc.write(fileDescriptor, start, buffer.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0 && errno == EINTR {
                        continue
                    } else {
                        return
                    }
                }
            }
        }
    }
}
