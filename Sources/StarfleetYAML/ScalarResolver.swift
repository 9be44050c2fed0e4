import StarfleetCore

/// Resolves a plain (unquoted, untagged) scalar the way PyYAML's `safe_load` does (YAML 1.1), so a template
/// means here what it meant to Starfleet. Timestamps stay strings: JSON has no date type, and Starfleet's
/// `json.dumps` of a datetime failed outright.
enum ScalarResolver {
    static func resolvePlain(_ text: String) -> Node.Value {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        default: break
        }
        if let b = bool(text) { return .bool(b) }
        if let i = int(text) { return i }
        if let d = float(text) { return .double(d) }
        return .string(text)
    }

    private static func bool(_ t: String) -> Bool? {
        switch t {
        case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return true
        case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": return false
        default: return nil
        }
    }

    /// `[-+]?0b[01_]+ | [-+]?0[0-7_]+ | [-+]?(0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+ | [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+`
    private static func int(_ t: String) -> Node.Value? {
        var s = Substring(t)
        var negative = false
        if let c = s.first, c == "-" || c == "+" {
            negative = c == "-"
            s = s.dropFirst()
        }
        guard let first = s.first, first.isASCII, first.isNumber else { return nil }
        let value: Int?
        if s.hasPrefix("0b") {
            value = digits(s.dropFirst(2), radix: 2)
        } else if s.hasPrefix("0x") {
            value = digits(s.dropFirst(2), radix: 16)
        } else if s == "0" {
            value = 0
        } else if first == "0" {
            value = digits(s.dropFirst(), radix: 8)
        } else if s.contains(":") {
            value = sexagesimal(s)
        } else {
            value = digits(s, radix: 10)
        }
        guard let v = value else { return nil }
        if negative {
            let (r, overflow) = (0 as Int).subtractingReportingOverflow(v)
            return overflow ? nil : .int(r)
        }
        return .int(v)
    }

    /// Digits with `_` separators (at least one real digit), or nil; nil on overflow too.
    private static func digits(_ s: Substring, radix: Int) -> Int? {
        var result = 0
        var any = false
        for c in s {
            if c == "_" { continue }
            guard let d = c.hexDigitValue, d < radix else { return nil }
            let (m, o1) = result.multipliedReportingOverflow(by: radix)
            let (a, o2) = m.addingReportingOverflow(d)
            if o1 || o2 { return nil }
            result = a
            any = true
        }
        return any ? result : nil
    }

    /// Base-60 integers such as `1:20` (= 80), a YAML 1.1 curiosity PyYAML still honours.
    private static func sexagesimal(_ s: Substring) -> Int? {
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard let head = parts.first, head.first != "0", let first = digits(head, radix: 10) else { return nil }
        var result = first
        for part in parts.dropFirst() {
            guard (1...2).contains(part.count), let d = digits(part, radix: 10), d < 60 else { return nil }
            let (m, o1) = result.multipliedReportingOverflow(by: 60)
            let (a, o2) = m.addingReportingOverflow(d)
            if o1 || o2 { return nil }
            result = a
        }
        return result
    }

    /// PyYAML's float: a dot is required (`1e5` stays a string), an exponent needs its sign (`1.0e+5`).
    private static func float(_ t: String) -> Double? {
        switch t {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        var s = Substring(t)
        var sign = 1.0
        if let c = s.first, c == "-" || c == "+" {
            sign = c == "-" ? -1 : 1
            s = s.dropFirst()
        }
        if s.contains(":") { return sexagesimalFloat(s).map { $0 * sign } }
        guard let dot = s.firstIndex(of: ".") else { return nil }
        let whole = s[s.startIndex..<dot]
        var rest = s[s.index(after: dot)...]
        var exponent: Substring = ""
        if let e = rest.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = rest[rest.index(after: e)...]
            rest = rest[rest.startIndex..<e]
            guard let sgn = exponent.first, sgn == "+" || sgn == "-",
                exponent.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }), exponent.count > 1
            else { return nil }
        }
        // `[0-9][0-9_]*\.[0-9_]*` or `\.[0-9_]+`
        if whole.isEmpty {
            guard rest.contains(where: { $0 != "_" }) else { return nil }
        } else if whole.first == "_" {
            return nil
        }
        guard whole.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "_" }),
            rest.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "_" })
        else { return nil }
        let wholeDigits: String = whole.isEmpty ? "0" : String(whole.filter { $0 != "_" })
        let fractionDigits: String = String(rest.filter { $0 != "_" })
        var text: String = wholeDigits + "." + fractionDigits + "0"
        if !exponent.isEmpty { text += "e" + String(exponent) }
        return Double(text).map { $0 * sign }
    }

    private static func sexagesimalFloat(_ s: Substring) -> Double? {
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 2, let last = parts.last, last.contains(".") else { return nil }
        guard let head = parts.first, let first = digits(head, radix: 10) else { return nil }
        var result = Double(first)
        for part in parts.dropFirst().dropLast() {
            guard let d = digits(part, radix: 10), d < 60 else { return nil }
            result = result * 60 + Double(d)
        }
        guard let fraction = Double(String(last.filter { $0 != "_" })), fraction < 60 else { return nil }
        return result * 60 + fraction
    }
}
