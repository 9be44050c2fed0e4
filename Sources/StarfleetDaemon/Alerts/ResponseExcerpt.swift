/// A failed webhook's response body, fit for a log line: Slack and proxies echo the request (its URL, a token)
/// in their error pages, so anything that looks like a URL, a token or a long opaque string is masked, control
/// characters are dropped and the result is bounded.
enum ResponseExcerpt {
    static let limit = 120

    static func make(_ body: [UInt8], limit: Int = limit) -> String {
        // Only the head of a large body is looked at: the bound is on work as well as output.
        let text = String(decoding: body.prefix(4_096), as: UTF8.self)
        var words: [String] = []
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }) {
            words.append(
                isSecretLike(word)
                    ? "[redacted]" : String(word.filter { !$0.isASCII || $0.asciiValue.map { $0 >= 0x20 && $0 < 0x7F } == true }))
        }
        let joined = words.joined(separator: " ")
        return joined.count > limit ? String(joined.prefix(limit)) + "…" : joined
    }

    /// URLs, Slack tokens (`xox?-…`), bearer/basic credentials, `key=value` pairs with a secret-ish key, and any
    /// run of 16 or more letters, digits and `-_/+=.` that mixes letters and digits (ids, tokens, signatures).
    static func isSecretLike(_ word: Substring) -> Bool {
        let lower = word.lowercased()
        if lower.contains("://") || lower.contains("xox") || lower.hasPrefix("bearer") || lower.hasPrefix("basic") { return true }
        for key in ["token", "secret", "password", "key", "sig", "auth", "hooks."]
        where lower.contains(key) && (lower.contains("=") || lower.contains(":")) {
            return true
        }
        var run = 0
        var letters = false
        var digits = false
        for c in word {
            if c.isLetter || c.isNumber || "-_/+=.".contains(c) {
                run += 1
                if c.isLetter { letters = true }
                if c.isNumber { digits = true }
                if run >= 16 && letters && digits { return true }
            } else {
                run = 0
                letters = false
                digits = false
            }
        }
        return false
    }
}
