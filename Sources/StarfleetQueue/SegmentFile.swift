import Glibc

/// One journal segment file, `<queue>/journal/<number>.seg`, held open for appends (the newest one) and for
/// reading message bodies (all of them). A class so that a receive reading a body keeps the descriptor alive
/// even if compaction unlinks the file meanwhile: the descriptor closes when the last user lets go.
final class SegmentFile: Sendable {
    let number: UInt64
    let path: String
    let fd: Int32
    private let fileSystem: any JournalFileSystem

    /// Segment header: magic "SFQJRNL\0", u32 version, u32 flags (0), u64 segment number, u64 low-water mark.
    static let headerBytes = 32
    static let magic: [UInt8] = Array("SFQJRNL\0".utf8)
    static let formatVersion: UInt32 = 1
    /// The highest segment number the queue uses: the index keeps segment numbers in 32 bits
    /// (``MessageIndex/Slot``), and one is used per open or rollover, so a real journal never gets near it.
    /// Recovery treats a segment numbered at or above it as damaged, so the head it starts (newest + 1) still fits.
    static let maxNumber = UInt64(UInt32.max)

    init(number: UInt64, path: String, fd: Int32, fileSystem: any JournalFileSystem) {
        self.number = number
        self.path = path
        self.fd = fd
        self.fileSystem = fileSystem
    }

    deinit { fileSystem.close(fd) }

    static func fileName(_ number: UInt64) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 12 - digits.count)) + digits + ".seg"
    }

    /// The segment number in a file name, or nil when the name is not a segment's. Only the name ``fileName(_:)``
    /// gives counts: "1.seg" or "+000000000001.seg" would parse to a number whose file is another one.
    static func number(inFileName name: String) -> UInt64? {
        guard name.hasSuffix(".seg"), let number = UInt64(name.dropLast(4)), fileName(number) == name else { return nil }
        return number
    }

    static func header(number: UInt64, lowWater: UInt64) -> [UInt8] {
        var w = ByteWriter(capacity: headerBytes)
        w.bytes.append(contentsOf: magic)
        w.u32(formatVersion)
        w.u32(0)
        w.u64(number)
        w.u64(lowWater)
        return w.bytes
    }

    /// Creates a new segment with its header, durable (file fsync + directory fsync) before it returns.
    static func create(
        number: UInt64, directory: String, lowWater: UInt64, fileSystem: any JournalFileSystem
    ) throws -> SegmentFile {
        let path = directory + "/" + fileName(number)
        let fd = try fileSystem.open(path, flags: O_RDWR | O_CREAT | O_EXCL, mode: 0o600)
        let segment = SegmentFile(number: number, path: path, fd: fd, fileSystem: fileSystem)
        let bytes = header(number: number, lowWater: lowWater)
        try bytes.withUnsafeBytes { try fileSystem.write(fd, $0, at: 0, path: path) }
        try fileSystem.fsync(fd, path: path)
        try fileSystem.syncDirectory(directory)
        return segment
    }

    /// Reads `count` bytes at `offset`; throws `.corruptData` when the file is shorter.
    func read(at offset: Int64, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let got = try bytes.withUnsafeMutableBytes { try fileSystem.read(fd, into: $0, at: offset, path: path) }
        guard got == count else {
            throw QueueError(
                .corruptData, "a journal record ends past the end of its segment",
                hint: "The segment was truncated behind the daemon's back; restore it or let recovery quarantine it.",
                path: path)
        }
        return bytes
    }
}
