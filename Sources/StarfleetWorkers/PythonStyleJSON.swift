/// A JSON value written exactly as Python's `json.dumps(value, indent=4, sort_keys=True)` writes it, which is how
/// Starfleet writes its account index: keys sorted by code point, four-space indents, `", "`-free line breaks,
/// `": "` after keys, non-ASCII escaped as `\uXXXX` (lower-case hex, surrogate pairs above the BMP).
/// Byte-identical output lets an operator diff our index against one Starfleet wrote.
package indirect enum PythonStyleJSON: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case bool(Bool)
    case null
    case array([PythonStyleJSON])
    case object([String: PythonStyleJSON])

    /// The document's text, without a trailing newline (as `json.dumps` returns it).
    package func text() -> String {
        var out: [UInt8] = []
        write(into: &out, depth: 0)
        return String(decoding: out, as: UTF8.self)
    }

    private func write(into out: inout [UInt8], depth: Int) {
        switch self {
        case .string(let s): Self.appendString(s, to: &out)
        case .integer(let i): out += Array(String(i).utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .null: out += Array("null".utf8)
        case .array(let items):
            guard !items.isEmpty else {
                out += Array("[]".utf8)
                return
            }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.newline(&out, depth: depth + 1)
                item.write(into: &out, depth: depth + 1)
            }
            Self.newline(&out, depth: depth)
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            guard !members.isEmpty else {
                out += Array("{}".utf8)
                return
            }
            out.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            for (i, key) in keys.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.newline(&out, depth: depth + 1)
                Self.appendString(key, to: &out)
                out += Array(": ".utf8)
                members[key, default: .null].write(into: &out, depth: depth + 1)
            }
            Self.newline(&out, depth: depth)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ out: inout [UInt8], depth: Int) {
        out.append(UInt8(ascii: "\n"))
        out += [UInt8](repeating: UInt8(ascii: " "), count: 4 * depth)
    }

    /// Python's `ensure_ascii` string form.
    static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for unit in s.utf16 {
            switch unit {
            case 0x22: out += [92, 34]
            case 0x5C: out += [92, 92]
            case 0x0A: out += [92, UInt8(ascii: "n")]
            case 0x0D: out += [92, UInt8(ascii: "r")]
            case 0x09: out += [92, UInt8(ascii: "t")]
            case 0x08: out += [92, UInt8(ascii: "b")]
            case 0x0C: out += [92, UInt8(ascii: "f")]
            case 0x20..<0x7F: out.append(UInt8(unit))
            default:
                let hex = Array("0123456789abcdef".utf8)
                out += [92, UInt8(ascii: "u")]
                for shift in stride(from: 12, through: 0, by: -4) { out.append(hex[Int((unit >> UInt16(shift)) & 0xF)]) }
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
