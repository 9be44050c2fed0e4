/// The frame every journal record is written in, shared with the run history (StarfleetRunHistory): u32 length of
/// the body, u32 CRC-32C over the length field and the body, then the body. A frame whose length is plausible and
/// whose checksum matches was written whole, so a crash mid-write leaves a tail that fails this check.
package enum RecordFrame {
    /// Bytes before the body: the length and the checksum.
    package static let headerBytes = 8

    /// Fills in the length and checksum of the frame that starts at `start` (with `headerBytes` reserved there) and
    /// runs to the end of `bytes`.
    package static func seal(_ bytes: inout [UInt8], at start: Int) {
        let length = UInt32(bytes.count - start - headerBytes)
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: length.littleEndian, toByteOffset: start, as: UInt32.self)
            var crc = CRC32C.update(CRC32C.initial, UnsafeRawBufferPointer(rebasing: raw[start..<(start + 4)]))
            crc = CRC32C.update(crc, UnsafeRawBufferPointer(rebasing: raw[(start + headerBytes)...]))
            raw.storeBytes(of: CRC32C.finish(crc).littleEndian, toByteOffset: start + 4, as: UInt32.self)
        }
    }

    /// Checks the frame at the start of `raw`: its total size (header + body) when the body length is 1 to
    /// `maxBodyBytes`, fits in `raw` and the checksum matches; nil otherwise.
    package static func valid(_ raw: UnsafeRawBufferPointer, maxBodyBytes: Int) -> Int? {
        guard raw.count >= headerBytes + 1 else { return nil }
        let length = Int(UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)))
        guard length >= 1, length <= maxBodyBytes, headerBytes + length <= raw.count else { return nil }
        let stored = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        var crc = CRC32C.update(CRC32C.initial, UnsafeRawBufferPointer(rebasing: raw[0..<4]))
        crc = CRC32C.update(crc, UnsafeRawBufferPointer(rebasing: raw[headerBytes..<(headerBytes + length)]))
        return CRC32C.finish(crc) == stored ? headerBytes + length : nil
    }
}
