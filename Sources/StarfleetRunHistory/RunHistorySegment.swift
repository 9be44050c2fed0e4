import StarfleetQueue

/// One segment file of a worker's history, `<state>/history/<Worker>/<number>.runs`: a 32-byte header, then framed
/// run records appended in the order the runs finished.
enum RunHistorySegment {
    /// Header: magic "SFRUNHS\0", u32 version, u32 flags (0), u64 segment number, u64 creation time (ms since 1970).
    static let headerBytes = 32
    static let magic: [UInt8] = Array("SFRUNHS\0".utf8)
    static let formatVersion: UInt32 = 1
    static let suffix = ".runs"

    static func fileName(_ number: UInt64) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 12 - digits.count)) + digits + suffix
    }

    /// The segment number in a file name, or nil when the name is not a segment's.
    /// Only the writer's own names count, numbered 1...``maxNumber``: a file name is input too, and a number near 2^64
    /// would overflow the next segment's `+ 1`.
    static func number(inFileName name: String) -> UInt64? {
        guard name.hasSuffix(suffix), let number = UInt64(name.dropLast(suffix.count)), (1...maxNumber).contains(number),
            name == fileName(number)
        else { return nil }
        return number
    }

    /// Twelve digits: a million segments a day would take 2,700 years to get there.
    static let maxNumber: UInt64 = 999_999_999_999

    static func header(number: UInt64, createdMs: Int64) -> [UInt8] {
        var w = ByteWriter(capacity: headerBytes)
        w.bytes.append(contentsOf: magic)
        w.u32(formatVersion)
        w.u32(0)
        w.u64(number)
        w.i64(createdMs)
        return w.bytes
    }

    /// What a file's first bytes say it is.
    enum HeaderCheck: Equatable {
        case valid
        /// Shorter than a header: the crash came between creating the file and writing its header (no runs in it).
        case torn
        /// Not a run-history segment at all.
        case foreign
        /// A newer starfleetd's format.
        case newerVersion(UInt32)
    }

    static func check(_ raw: UnsafeRawBufferPointer) -> HeaderCheck {
        guard raw.count >= headerBytes else { return .torn }
        guard raw.prefix(magic.count).elementsEqual(magic) else { return .foreign }
        let version = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        return version == formatVersion ? .valid : .newerVersion(version)
    }
}
