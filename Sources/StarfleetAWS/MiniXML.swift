/// A small, defensive XML reader for the few AWS documents we read (S3 listings and error bodies): elements,
/// text, CDATA and the five entities plus numeric references. Namespace prefixes are dropped; attributes,
/// comments, processing instructions and DOCTYPEs are skipped. Never traps on bad input: it returns `nil`.
struct XMLElement: Sendable {
    var name: String
    var text: String = ""
    var children: [XMLElement] = []

    /// The first child with this local name.
    func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }

    /// Every child with this local name.
    func children(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }

    /// The text of the first child with this name.
    func text(of name: String) -> String? { child(name)?.text }
}

enum MiniXML {
    /// Parses a document into its root element; `nil` when it is not well-formed enough to trust.
    static func parse(_ bytes: [UInt8]) -> XMLElement? {
        var stack: [XMLElement] = []
        var root: XMLElement?
        var i = 0
        let n = bytes.count
        func starts(_ literal: String, at index: Int) -> Bool {
            let l = Array(literal.utf8)
            return index + l.count <= n && Array(bytes[index..<index + l.count]) == l
        }
        func find(_ literal: String, from index: Int) -> Int? {
            let l = Array(literal.utf8)
            guard let first = l.first else { return nil }
            var j = index
            while j + l.count <= n {
                if bytes[j] == first && Array(bytes[j..<j + l.count]) == l { return j }
                j += 1
            }
            return nil
        }
        while i < n {
            if bytes[i] != UInt8(ascii: "<") {
                let end = find("<", from: i) ?? n
                if !stack.isEmpty { stack[stack.count - 1].text += unescape(bytes[i..<end]) }
                i = end
                continue
            }
            if starts("<![CDATA[", at: i) {
                guard let end = find("]]>", from: i + 9) else { return nil }
                if !stack.isEmpty { stack[stack.count - 1].text += String(decoding: bytes[(i + 9)..<end], as: UTF8.self) }
                i = end + 3
            } else if starts("<!--", at: i) {
                guard let end = find("-->", from: i + 4) else { return nil }
                i = end + 3
            } else if starts("<?", at: i) || starts("<!", at: i) {
                guard let end = find(">", from: i) else { return nil }
                i = end + 1
            } else {
                guard let end = find(">", from: i) else { return nil }
                var inner = Array(bytes[(i + 1)..<end])
                i = end + 1
                let closing = inner.first == UInt8(ascii: "/")
                let selfClosing = inner.last == UInt8(ascii: "/")
                if closing { inner.removeFirst() }
                if selfClosing { inner.removeLast() }
                let rawName = inner.prefix { $0 != UInt8(ascii: " ") && $0 != 9 && $0 != 10 && $0 != 13 }
                let qualified = String(decoding: rawName, as: UTF8.self)
                let name = qualified.split(separator: ":").last.map(String.init) ?? qualified
                if closing {
                    guard let element = stack.popLast(), element.name == name else { return nil }
                    if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
                } else if selfClosing {
                    let element = XMLElement(name: name)
                    if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
                } else {
                    stack.append(XMLElement(name: name))
                }
            }
        }
        return stack.isEmpty ? root : nil
    }

    /// Replaces entity and character references; unknown ones are kept literally.
    static func unescape(_ slice: ArraySlice<UInt8>) -> String {
        let text = String(decoding: slice, as: UTF8.self)
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";"), rest.distance(from: amp, to: semi) <= 10 else {
                out += "&"
                rest = rest[rest.index(after: amp)...]
                continue
            }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "lt": out += "<"
            case "gt": out += ">"
            case "amp": out += "&"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                var scalar: Unicode.Scalar?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    scalar = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                } else if entity.hasPrefix("#") {
                    scalar = UInt32(entity.dropFirst(1)).flatMap(Unicode.Scalar.init)
                }
                if let scalar { out.unicodeScalars.append(scalar) } else { out += "&" + entity + ";" }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}
