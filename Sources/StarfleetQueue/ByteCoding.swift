/// Little-endian encoding into a growing byte array: the journal's record payloads (and the run history's).
package struct ByteWriter {
    package var bytes: [UInt8]

    package init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    package mutating func u8(_ v: UInt8) { bytes.append(v) }
    package mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    package mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    package mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    package mutating func i32(_ v: Int32) { u32(UInt32(bitPattern: v)) }
    package mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }

    /// A message id as its 16 UUID bytes, in canonical (big-endian) order.
    mutating func id(_ v: MessageID) {
        withUnsafeBytes(of: v.high.bigEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: v.low.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// u32 length + UTF-8.
    package mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            u32(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// u8 presence flag, then the string.
    package mutating func optionalString(_ s: String?) {
        if let s {
            u8(1)
            string(s)
        } else {
            u8(0)
        }
    }
}

/// Bounds-checked little-endian decoding of a record payload; any overrun is ``QueueError/Code/corruptData``.
package struct ByteReader {
    let buffer: UnsafeRawBufferPointer
    var position: Int = 0

    package init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    package var remaining: Int { buffer.count - position }

    private mutating func take(_ n: Int) throws -> UnsafeRawBufferPointer {
        guard n >= 0, n <= remaining else {
            throw QueueError(.corruptData, "a journal record is shorter than its fields", hint: "The record is quarantined.")
        }
        let slice = UnsafeRawBufferPointer(rebasing: buffer[position..<(position + n)])
        position += n
        return slice
    }

    package mutating func u8() throws -> UInt8 { try take(1)[0] }
    package mutating func u16() throws -> UInt16 { UInt16(littleEndian: try take(2).loadUnaligned(as: UInt16.self)) }
    package mutating func u32() throws -> UInt32 { UInt32(littleEndian: try take(4).loadUnaligned(as: UInt32.self)) }
    package mutating func u64() throws -> UInt64 { UInt64(littleEndian: try take(8).loadUnaligned(as: UInt64.self)) }
    package mutating func i32() throws -> Int32 { Int32(bitPattern: try u32()) }
    package mutating func i64() throws -> Int64 { Int64(bitPattern: try u64()) }

    mutating func id() throws -> MessageID {
        let raw = try take(16)
        return MessageID(
            high: UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)),
            low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    }

    package mutating func bytes() throws -> UnsafeRawBufferPointer { try take(Int(try u32())) }

    package mutating func string() throws -> String { String(decoding: try bytes(), as: UTF8.self) }

    package mutating func optionalString() throws -> String? {
        switch try u8() {
        case 0: return nil
        case 1: return try string()
        default: throw QueueError(.corruptData, "a journal record has a bad optional flag", hint: "The record is quarantined.")
        }
    }
}
