import StarfleetQueue

/// The runs in one segment's bytes, and where they do not check out. A segment is scanned whole; a damaged range is
/// skipped up to the next record that checks out, and damage that runs to the end of the file is its tail: a write a
/// crash (or a writer still at work) left unfinished.
struct RunHistoryScan {
    struct Damage: Equatable {
        var offset: Int
        var bytes: Int
    }

    var runs: [RunRecord] = []
    /// Damaged ranges with good records after them.
    var damaged: [Damage] = []
    /// Bytes at the end that are not a whole record (zero when the file ends on a record boundary).
    var tail: Damage?
    /// Records that check out but this version cannot read (a newer starfleetd's kinds), skipped.
    var skipped = 0
    /// Where the last good record ends: where a writer appends next.
    var end: Int

    init(_ raw: UnsafeRawBufferPointer, path: String) {
        var offset = RunHistorySegment.headerBytes
        end = offset
        while offset < raw.count {
            let rest = UnsafeRawBufferPointer(rebasing: raw[offset...])
            if let size = RecordFrame.valid(rest, maxBodyBytes: RunRecord.maxBodyBytes) {
                do {
                    if let run = try RunRecord.decode(frame: UnsafeRawBufferPointer(rebasing: rest[0..<size]), path: path) {
                        runs.append(run)
                    } else {
                        skipped += 1
                    }
                } catch {
                    // The checksum matched but the fields do not decode: not a record this version can use.
                    skipped += 1
                }
                offset += size
                end = offset
                continue
            }
            guard let next = Self.nextGoodFrame(raw, after: offset) else {
                tail = Damage(offset: offset, bytes: raw.count - offset)
                return
            }
            damaged.append(Damage(offset: offset, bytes: next - offset))
            offset = next
        }
    }

    /// The first offset after `offset` where a record checks out, else nil.
    private static func nextGoodFrame(_ raw: UnsafeRawBufferPointer, after offset: Int) -> Int? {
        var position = offset + 1
        while position + RecordFrame.headerBytes < raw.count {
            let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
            // The cheap length filter first, the checksum only for plausible candidates.
            if length >= 1, length <= RunRecord.maxBodyBytes, position + RecordFrame.headerBytes + length <= raw.count,
                RecordFrame.valid(UnsafeRawBufferPointer(rebasing: raw[position...]), maxBodyBytes: RunRecord.maxBodyBytes) != nil
            {
                return position
            }
            position += 1
        }
        return nil
    }
}
