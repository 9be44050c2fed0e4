import CStarfleetQueueSupport

/// CRC-32C (Castagnoli), the checksum every journal record carries. The byte loop is C (CStarfleetQueueSupport):
/// it uses the CPU's crc32 instruction, which Swift cannot reach, and falls back to slicing-by-8 tables.
package enum CRC32C {
    /// The start state of a running checksum.
    package static let initial: UInt32 = 0xFFFF_FFFF

    /// Feeds `bytes` into a running checksum `state` (start with ``initial``, finish with ``finish(_:)``).
    package static func update(_ state: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        sfq_crc32c_update(state, bytes.baseAddress, bytes.count)
    }

    package static func finish(_ state: UInt32) -> UInt32 { ~state }

    /// The checksum of one buffer.
    package static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 { finish(update(initial, bytes)) }
}
