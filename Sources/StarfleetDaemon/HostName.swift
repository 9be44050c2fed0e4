import Glibc

/// This machine's name, as `gethostname(2)` gives it: the default `STARFLEET.HostName`, and the scheduler's jitter seed.
enum HostName {
    static func current() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The name this host records: `STARFLEET.HostName`, else the machine's name.
    static func configured(_ name: String?) -> String { name ?? current() }
}
