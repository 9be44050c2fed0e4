/// A warm process's Runtime API token: 128 random bits as 32 hex digits, safe in a URL path. It is a second lock
/// beside the socket owner check (``WorkerRuntimeHub``): a request must come from the process's socket and carry
/// the process's own token, so one mistake in either does not open the door.
enum RuntimeToken {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(32)
        for _ in 0..<2 {
            let word = generator.next() as UInt64
            for shift in stride(from: 60, through: 0, by: -4) { out.append(digits[Int((word >> UInt64(shift)) & 0xF)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `text` has a token's shape (a cheap refusal before any lookup).
    static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == 32 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
