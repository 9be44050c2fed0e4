package import Logging

/// One line per message on stderr (or any fd), prefixed with the sd-daemon(3) priority `<N>` so journald
/// files it at the right level when stderr is connected to the journal; in a terminal it stays readable:
///
///     <6>starfleetd: fan-out done account_id=123456789012 worker=AuditWorker
///
/// Metadata is appended as sorted `key=value` pairs (quoted when they hold spaces, quotes, `=` or nothing),
/// and newlines are escaped so one message is always one line. Thread-safe: each line is one locked write(2).
package struct StderrLogHandler: LogHandler {
    package var metadata: Logger.Metadata = [:]
    package var logLevel: Logger.Level
    package var metadataProvider: Logger.MetadataProvider?
    /// Printed before the message (`starfleetd: `); `nil` when journald adds its own identifier.
    package let identifier: String?
    private let writer: LineWriter

    /// - Parameters:
    ///   - identifier: the line's tag, or `nil` to leave tagging to journald (stderr is the journal stream).
    ///   - fileDescriptor: where lines go; 2 in production, a pipe in tests.
    package init(
        identifier: String?, fileDescriptor: Int32 = 2, logLevel: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.identifier = identifier
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
        self.writer = LineWriter(fileDescriptor: fileDescriptor)
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        let merged = event.mergedMetadata(handler: metadata, provider: metadataProvider)
        let message = "\(event.message)"
        writer.write(Self.line(level: event.level, message: message, metadata: merged, identifier: identifier))
    }

    /// The exact line written for one message, without its newline.
    package static func line(level: Logger.Level, message: String, metadata: Logger.Metadata, identifier: String?)
        -> String
    {
        var line = "<\(level.syslogPriority)>"
        if let identifier { line += "\(identifier): " }
        line += escaped(message)
        for key in metadata.keys.sorted() {
            guard let value = metadata[key] else { continue }
            line += " \(key)=\(quotedIfNeeded("\(value)"))"
        }
        return line
    }

    /// Newlines and carriage returns become `\n` / `\r`, so journald and `grep` see one record per line.
    static func escaped(_ text: String) -> String {
        guard text.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        var out = ""
        for character in text {
            switch character {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\r\n": out += "\\r\\n"
            default: out.append(character)
            }
        }
        return out
    }

    /// Values with spaces, quotes, `=` or nothing are double-quoted, with `\\` and `\"` escaped inside.
    static func quotedIfNeeded(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\t" }
        guard needsQuotes else { return escaped(value) }
        var out = "\""
        for character in value {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n", "\r", "\r\n": out += escaped(String(character))
            default: out.append(character)
            }
        }
        return out + "\""
    }
}
