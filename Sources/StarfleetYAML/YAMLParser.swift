internal import CYAML
package import StarfleetCore

/// Parses one YAML document into a ``Node`` tree with a file:line:column mark on every value.
///
/// Walks libyaml's event stream (the same C parser PyYAML uses), resolves plain scalars as PyYAML's `safe_load`
/// does, expands anchors and aliases within ``YAMLLimits``, honours `<<` merge keys, and rejects what `safe_load`
/// rejects (unknown tags, more than one document).
package enum YAMLParser {
    /// - Returns: the document's root, or nil when the input holds no document (empty or only comments).
    package static func parse(_ bytes: [UInt8], file: String, limits: YAMLLimits = .default) throws(YAMLError) -> Node? {
        guard let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1) as UnsafeMutablePointer<yaml_parser_t>?
        else { throw YAMLError(mark: .start(of: file), message: "out of memory") }
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            throw YAMLError(mark: .start(of: file), message: "could not initialise the YAML parser (out of memory)")
        }
        defer { yaml_parser_delete(parser) }
        // libyaml keeps the input pointer across calls, so every parse call happens inside this closure.
        let result: Result<Node?, YAMLError> = bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count)
            var builder = TreeBuilder(file: file, limits: limits)
            return Result { () throws(YAMLError) -> Node? in try builder.run(parser) }
        }
        return try result.get()
    }

    /// Convenience for text.
    package static func parse(_ text: String, file: String, limits: YAMLLimits = .default) throws(YAMLError) -> Node? {
        try parse(Array(text.utf8), file: file, limits: limits)
    }
}

/// The libyaml event loop: a stack of open collections, the anchors seen so far, and the counters behind the limits.
private struct TreeBuilder {
    /// A collection being built. Children are appended in place (`stack[top].items.append`), never by popping the
    /// collection and pushing a modified copy: that copy made every append O(n) and a 100,000-item list quadratic.
    struct Open {
        var isSequence: Bool
        var mark: SourceMark
        var anchor: String?
        var items: [Node] = []
        var entries: [Node.Entry] = []
        var pendingKey: Node?
        /// The expanded counters when the collection opened: its own expanded size is the difference at its end.
        var startNodes: Int
        var startBytes: Int
    }

    /// What an anchored node expands to wherever an alias repeats it.
    struct Size {
        var nodes: Int
        var bytes: Int
    }

    let file: String
    let limits: YAMLLimits
    var stack: [Open] = []
    var anchors: [String: (node: Node, size: Size)] = [:]
    /// Nodes and scalar bytes of the document with every alias expanded (what a consumer walking it will see).
    var nodeCount = 0
    var byteCount = 0
    /// The share of those that aliases added.
    var aliasNodes = 0
    var aliasBytes = 0
    var documents = 0
    var root: Node?

    init(file: String, limits: YAMLLimits) {
        self.file = file
        self.limits = limits
    }

    func mark(_ m: yaml_mark_t) -> SourceMark {
        SourceMark(file: file, line: Int(m.line) + 1, column: Int(m.column) + 1)
    }

    mutating func run(_ parser: UnsafeMutablePointer<yaml_parser_t>) throws(YAMLError) -> Node? {
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(parser, &event) == 1 else { throw parserError(parser.pointee) }
            defer { yaml_event_delete(&event) }
            let at = mark(event.start_mark)
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return root
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 {
                    throw YAMLError(
                        mark: at,
                        message: "expected a single document, found a second one ('---'); put each template in its own file")
                }
            case YAML_SCALAR_EVENT:
                let s = event.data.scalar
                let text = string(s.value, s.length)
                let tag = s.tag.map { String(cString: $0) }
                let plain = s.style == YAML_PLAIN_SCALAR_STYLE
                let value = try scalarValue(text, tag: tag, plain: plain, at: at)
                try count(Size(nodes: 1, bytes: s.length), viaAlias: false, at: at)
                try add(
                    Node(value, at: at), anchor: s.anchor.map { String(cString: $0) }, size: Size(nodes: 1, bytes: s.length),
                    at: at)
            case YAML_SEQUENCE_START_EVENT:
                let d = event.data.sequence_start
                try checkCollectionTag(d.tag, expected: "tag:yaml.org,2002:seq", at: at)
                try push(
                    Open(
                        isSequence: true, mark: at, anchor: d.anchor.map { String(cString: $0) },
                        startNodes: nodeCount, startBytes: byteCount), at: at)
            case YAML_MAPPING_START_EVENT:
                let d = event.data.mapping_start
                try checkCollectionTag(d.tag, expected: "tag:yaml.org,2002:map", at: at)
                try push(
                    Open(
                        isSequence: false, mark: at, anchor: d.anchor.map { String(cString: $0) },
                        startNodes: nodeCount, startBytes: byteCount), at: at)
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let open = stack.popLast() else { break }
                try count(Size(nodes: 1, bytes: 0), viaAlias: false, at: open.mark)
                let size = Size(nodes: nodeCount - open.startNodes, bytes: byteCount - open.startBytes)
                let node =
                    open.isSequence
                    ? Node(.sequence(open.items), at: open.mark)
                    : Node(.mapping(try merged(open.entries)), at: open.mark)
                try add(node, anchor: open.anchor, size: size, at: open.mark)
            case YAML_ALIAS_EVENT:
                let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
                guard let target = anchors[name] else {
                    throw YAMLError(mark: at, message: "alias *\(name) refers to an anchor that is not defined before it")
                }
                try count(target.size, viaAlias: true, at: at)
                try add(target.node, anchor: nil, size: target.size, at: at)
            default:
                break
            }
        }
    }

    mutating func push(_ open: Open, at: SourceMark) throws(YAMLError) {
        if stack.count >= limits.maxDepth {
            throw YAMLError(mark: at, message: "nesting is deeper than \(limits.maxDepth) levels")
        }
        stack.append(open)
    }

    /// Adds a value's expanded size to the counters, stopping at the first limit it crosses (before anything is
    /// copied, so an alias bomb costs no more memory than its own text).
    mutating func count(_ size: Size, viaAlias: Bool, at: SourceMark) throws(YAMLError) {
        nodeCount += size.nodes
        byteCount += size.bytes
        if viaAlias {
            aliasNodes += size.nodes
            aliasBytes += size.bytes
        }
        if nodeCount > limits.maxNodes {
            throw YAMLError(mark: at, message: "the document expands to more than \(limits.maxNodes) values (an alias bomb?)")
        }
        if byteCount > limits.maxBytes {
            throw YAMLError(
                mark: at, message: "the document expands to more than \(limits.maxBytes) bytes of text (an alias bomb?)")
        }
        if aliasNodes > limits.maxAliasNodes {
            throw YAMLError(
                mark: at,
                message:
                    "aliases expand to more than \(limits.maxAliasNodes) values (an alias bomb?); write the repeated part out or repeat it less"
            )
        }
        if aliasBytes > limits.maxAliasBytes {
            throw YAMLError(
                mark: at,
                message:
                    "aliases expand to more than \(limits.maxAliasBytes) bytes of text (an alias bomb?); write the repeated part out or repeat it less"
            )
        }
    }

    /// Attaches a finished node to the open collection (or makes it the root), in place.
    mutating func add(_ node: Node, anchor: String?, size: Size, at: SourceMark) throws(YAMLError) {
        if let anchor {
            anchors[anchor] = (node, size)
        }
        let top = stack.count - 1
        guard top >= 0 else {
            root = node
            return
        }
        if stack[top].isSequence {
            stack[top].items.append(node)
        } else if let key = stack[top].pendingKey {
            stack[top].pendingKey = nil
            stack[top].entries.append(Node.Entry(key: key, value: node))
        } else {
            if case .sequence = node.value {
                throw YAMLError(mark: at, message: "a list cannot be a mapping key")
            }
            if case .mapping = node.value {
                throw YAMLError(mark: at, message: "a mapping cannot be a mapping key")
            }
            stack[top].pendingKey = node
        }
    }

    /// Applies `<<` merge keys: entries of the merged mapping(s) fill in keys the mapping does not set itself.
    func merged(_ entries: [Node.Entry]) throws(YAMLError) -> [Node.Entry] {
        guard entries.contains(where: { $0.key.string == "<<" }) else { return entries }
        var own: [Node.Entry] = []
        var inherited: [Node.Entry] = []
        for entry in entries {
            guard entry.key.string == "<<" else {
                own.append(entry)
                continue
            }
            let sources: [Node]
            switch entry.value.value {
            case .mapping: sources = [entry.value]
            case .sequence(let items): sources = items
            default:
                throw YAMLError(
                    mark: entry.value.mark,
                    message: "a merge key '<<' needs a mapping or a list of mappings, found a \(entry.value.kindName)")
            }
            for source in sources {
                guard let sourceEntries = source.entries else {
                    throw YAMLError(mark: source.mark, message: "a merge key '<<' needs mappings, found a \(source.kindName)")
                }
                for e in sourceEntries where !inherited.contains(where: { $0.key.keyText == e.key.keyText }) {
                    inherited.append(e)
                }
            }
        }
        let ownKeys = Set(own.map(\.key.keyText))
        return own + inherited.filter { !ownKeys.contains($0.key.keyText) }
    }

    func scalarValue(_ text: String, tag: String?, plain: Bool, at: SourceMark) throws(YAMLError) -> Node.Value {
        guard let tag, tag != "!" else {
            return plain ? ScalarResolver.resolvePlain(text) : .string(text)
        }
        switch tag {
        case "tag:yaml.org,2002:str": return .string(text)
        case "tag:yaml.org,2002:null": return .null
        case "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float":
            let resolved = ScalarResolver.resolvePlain(text)
            let ok: Bool
            switch (tag, resolved) {
            case ("tag:yaml.org,2002:bool", .bool), ("tag:yaml.org,2002:int", .int), ("tag:yaml.org,2002:float", .double):
                ok = true
            case ("tag:yaml.org,2002:float", .int(let i)): return .double(Double(i))
            default: ok = false
            }
            guard ok else {
                throw YAMLError(mark: at, message: "'\(text)' is not a valid \(tag.split(separator: ":").last ?? "")")
            }
            return resolved
        default:
            throw YAMLError(
                mark: at, message: "unsupported tag \(tag) (only the standard YAML tags are allowed, as in safe_load)")
        }
    }

    func checkCollectionTag(_ tag: UnsafeMutablePointer<yaml_char_t>?, expected: String, at: SourceMark) throws(YAMLError) {
        guard let tag else { return }
        let text = String(cString: tag)
        if text != expected && text != "!" {
            throw YAMLError(
                mark: at, message: "unsupported tag \(text) (only the standard YAML tags are allowed, as in safe_load)")
        }
    }

    func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, _ length: Int) -> String {
        guard let pointer else { return "" }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    func parserError(_ p: yaml_parser_t) -> YAMLError {
        let problem = p.problem.map { String(cString: $0) } ?? "unknown problem"
        var message = problem
        if let context = p.context.map({ String(cString: $0) }) {
            message = "\(context), \(problem)"
        }
        if p.error == YAML_READER_ERROR {
            // Reader errors (bad encoding) carry a byte offset rather than a usable line/column.
            message = "\(problem) at byte \(p.problem_offset) (the file must be UTF-8 text)"
            return YAMLError(mark: mark(p.mark), message: message)
        }
        return YAMLError(mark: mark(p.problem_mark), message: message)
    }
}
