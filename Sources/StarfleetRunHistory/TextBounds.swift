/// Cuts text to a number of UTF-8 bytes without splitting a character: the head (a result's start) or the tail
/// (stderr's end, where the error usually is).
enum TextBounds {
    static func head(_ text: String, bytes limit: Int) -> String {
        guard text.utf8.count > limit else { return text }  // the usual case, without copying the bytes
        let utf8 = Array(text.utf8)
        guard utf8.count > limit else { return text }
        var end = max(0, limit)
        while end > 0, end < utf8.count, utf8[end] & 0xC0 == 0x80 { end -= 1 }
        return String(decoding: utf8[..<end], as: UTF8.self)
    }

    static func tail(_ text: String, bytes limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        let utf8 = Array(text.utf8)
        guard utf8.count > limit else { return text }
        var start = utf8.count - max(0, limit)
        while start < utf8.count, utf8[start] & 0xC0 == 0x80 { start += 1 }
        return String(decoding: utf8[start...], as: UTF8.self)
    }
}

extension RunRecord {
    /// The start of `bytes` as text for ``resultExcerpt`` (nil when empty), bounded by ``excerptBytes``.
    package static func excerpt(head bytes: [UInt8]) -> String? {
        guard !bytes.isEmpty else { return nil }
        return TextBounds.head(String(decoding: bytes.prefix(excerptBytes + 4), as: UTF8.self), bytes: excerptBytes)
    }

    /// The end of `text` for ``stderrExcerpt`` (nil when empty), bounded by ``excerptBytes``.
    package static func excerpt(tail text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return TextBounds.tail(text, bytes: excerptBytes)
    }
}
