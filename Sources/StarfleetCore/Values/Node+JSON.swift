/// JSON text of a node: what `json.dumps(template)` meant in Starfleet, with keys in document order.
extension Node {
    /// Why a node cannot become JSON (YAML allows what JSON does not).
    package struct JSONError: Error, Sendable, Hashable {
        package var mark: SourceMark
        package var path: String
        package var message: String
    }

    /// Compact JSON (no spaces), UTF-8. Mapping keys that are not strings are written as their text, as
    /// Python's json.dumps does for int/bool/None keys.
    package func jsonBytes() throws(JSONError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        try Node.writeJSON(self, path: "", into: &out)
        return out
    }

    /// The JSON text as a String.
    package func jsonString() throws(JSONError) -> String {
        String(decoding: try jsonBytes(), as: UTF8.self)
    }

    static func writeJSON(_ node: Node, path: String, into out: inout [UInt8]) throws(JSONError) {
        switch node.value {
        case .null: out.append(contentsOf: Array("null".utf8))
        case .bool(let b): out.append(contentsOf: Array((b ? "true" : "false").utf8))
        case .int(let i): out.append(contentsOf: Array(String(i).utf8))
        case .double(let d):
            guard d.isFinite else {
                throw JSONError(
                    mark: node.mark, path: path, message: "\(d) cannot be written as JSON (JSON has no infinity or NaN)")
            }
            // Integral doubles keep a ".0" so they stay floats for the reader, as Python prints them.
            out.append(contentsOf: Array(d.description.utf8))
        case .string(let s): appendJSONString(s, to: &out)
        case .sequence(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                try writeJSON(item, path: "\(path)[\(index)]", into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .mapping(let entries):
            out.append(UInt8(ascii: "{"))
            for (index, entry) in entries.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                let key = entry.key.keyText
                appendJSONString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                try writeJSON(entry.value, path: path.isEmpty ? key : "\(path).\(key)", into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}

/// Appends `s` as a JSON string literal: quotes, backslash escapes, control characters as \u00XX.
package func appendJSONString(_ s: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for byte in s.utf8 {
        switch byte {
        case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
        case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
        case 0x0A: out.append(contentsOf: [92, UInt8(ascii: "n")])
        case 0x0D: out.append(contentsOf: [92, UInt8(ascii: "r")])
        case 0x09: out.append(contentsOf: [92, UInt8(ascii: "t")])
        case 0..<0x20:
            let hex = Array("0123456789abcdef".utf8)
            out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
        default: out.append(byte)
        }
    }
    out.append(UInt8(ascii: "\""))
}
