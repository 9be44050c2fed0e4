/// The first `limit` bytes of a stream; later bytes are counted as truncation and dropped.
struct HeadBuffer {
    let limit: Int
    private(set) var bytes: [UInt8] = []
    private(set) var truncated = false

    init(limit: Int) { self.limit = max(0, limit) }

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        let room = limit - bytes.count
        if chunk.count > room { truncated = true }
        if room > 0 { bytes.append(contentsOf: chunk.prefix(room)) }
    }
}

/// The last `limit` bytes of a stream: appends freely and trims once the buffer doubles, so keeping a tail
/// of a 5 MB stream costs O(bytes) in total, not a shift per chunk.
struct TailBuffer {
    let limit: Int
    private var bytes: [UInt8] = []
    private(set) var dropped = false

    init(limit: Int) { self.limit = max(0, limit) }

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: chunk)
        if bytes.count > 2 * limit + 65536 { trim() }
    }

    private mutating func trim() {
        guard bytes.count > limit else { return }
        bytes.removeFirst(bytes.count - limit)
        dropped = true
    }

    /// The tail as text. When the cut fell inside a UTF-8 sequence, its orphaned continuation bytes are
    /// dropped so the text does not start with a replacement character.
    mutating func text() -> String {
        trim()
        var start = 0
        if dropped {
            while start < bytes.count, start < 3, bytes[start] & 0b1100_0000 == 0b1000_0000 { start += 1 }
        }
        return String(decoding: bytes[start...], as: UTF8.self)
    }
}
