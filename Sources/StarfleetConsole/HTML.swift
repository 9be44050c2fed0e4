import StarfleetAWS

/// The one HTML escaping helper of the console: every piece of text that did not come from the console's own source
/// (worker names, payloads, errors, template keys) goes through `HTML.text` before it joins a page.
enum HTML {
    /// Escapes `& < > " '` so the text is safe both between tags and inside a quoted attribute value.
    static func text(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for c in value.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A path segment or query value for a link (worker names, dead-letter ids): everything but the unreserved
    /// bytes percent-encoded.
    static func pathSegment(_ value: String) -> String { PercentEncoding.encode(value) }
}
