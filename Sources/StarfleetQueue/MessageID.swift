/// A message's id: a random version-4 UUID, shown in its canonical upper-case text form (as SQS shows a
/// MessageId). Two words rather than Foundation's `UUID`, so hashing, comparing and formatting are cheap.
package struct MessageID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The UUID's bytes 0–7 and 8–15, big-endian.
    package let high: UInt64
    package let low: UInt64

    package init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A fresh random id.
    package init() { self = MessageIDGenerator.make(1)[0] }

    /// Parses the text form (8-4-4-4-12 hex digits, either case); nil when it is not one.
    package init?(_ text: String) {
        var words: [UInt64] = [0, 0]
        var digits = 0
        for (position, byte) in text.utf8.enumerated() {
            if position == 8 || position == 13 || position == 18 || position == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            let value: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            guard digits < 32 else { return nil }
            words[digits / 16] = words[digits / 16] << 4 | UInt64(value)
            digits += 1
        }
        guard digits == 32 else { return nil }
        high = words[0]
        low = words[1]
    }

    package var description: String {
        String(unsafeUninitializedCapacity: 36) { buffer in
            let hex: StaticString = "0123456789ABCDEF"
            var out = 0
            for (word, range) in [(high, 0..<16), (low, 16..<32)] {
                for digit in range {
                    if digit == 8 || digit == 12 || digit == 16 || digit == 20 {
                        buffer[out] = UInt8(ascii: "-")
                        out += 1
                    }
                    let shift = UInt64(60 - 4 * (digit % 16))
                    buffer[out] = hex.utf8Start[Int((word >> shift) & 0xF)]
                    out += 1
                }
            }
            return out
        }
    }

    package static func < (a: MessageID, b: MessageID) -> Bool { (a.high, a.low) < (b.high, b.low) }
}

/// Receipt handles are `<message id>:<receive count>`: a handle is current only while the message's receive
/// count still equals the one it carries, which is exactly SQS's "only the latest handle counts" rule, and it
/// stays valid across a restart because the receive count is durable.
extension ReceiptHandle {
    init(id: MessageID, receiveCount: Int32) {
        self.init(rawValue: "\(id):\(receiveCount)")
    }

    /// The message id and receive count, or nil for text this queue did not issue.
    var parsed: (id: MessageID, receiveCount: Int32)? {
        let parts = rawValue.split(separator: ":")
        guard parts.count == 2, let id = MessageID(String(parts[0])), let count = Int32(parts[1]), count > 0 else {
            return nil
        }
        return (id, count)
    }
}
