import CSystemd
import Glibc
package import Logging

/// Logs straight into the systemd journal with `sd_journal_sendv`, one entry per message, so metadata is
/// searchable: `journalctl -u starfleetd WORKER=AuditWorker ACCOUNT_ID=123456789012`.
///
/// Each entry carries MESSAGE, PRIORITY (syslog level), SYSLOG_IDENTIFIER, CODE_FILE/CODE_LINE/CODE_FUNC of
/// the Swift call site, and every metadata key as an upper-case field (`account_id` → `ACCOUNT_ID`, see
/// ``fieldName(for:)``). If journald refuses an entry, the line goes to stderr instead (which under systemd
/// is the journal's stdout stream), so nothing is silently lost.
package struct JournalLogHandler: LogHandler {
    package var metadata: Logger.Metadata = [:]
    package var logLevel: Logger.Level
    package var metadataProvider: Logger.MetadataProvider?
    /// SYSLOG_IDENTIFIER of every entry (`starfleetd`).
    package let identifier: String
    private let fallback: LineWriter

    package init(
        identifier: String, logLevel: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil,
        fallbackFileDescriptor: Int32 = 2
    ) {
        self.identifier = identifier
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
        self.fallback = LineWriter(fileDescriptor: fallbackFileDescriptor)
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        let merged = event.mergedMetadata(handler: metadata, provider: metadataProvider)
        let message = "\(event.message)"
        let entry = Self.fields(
            level: event.level, message: message, metadata: merged, identifier: identifier,
            file: event.file, function: event.function, line: event.line)
        if Self.send(entry) < 0 {
            fallback.write(
                StderrLogHandler.line(level: event.level, message: message, metadata: merged, identifier: nil))
        }
    }

    /// The journal field name for a metadata key: upper case `[A-Z0-9_]`, not starting with `_` or a digit,
    /// at most 64 bytes, and never one of the fields the handler writes itself.
    package static func fieldName(for key: String) -> String { JournalFieldName.make(key) }

    /// The `FIELD=value` strings of one entry, in the order sent: the fixed fields, then metadata by key.
    package static func fields(
        level: Logger.Level, message: String, metadata: Logger.Metadata, identifier: String,
        file: String, function: String, line: UInt
    ) -> [String] {
        var fields = [
            "MESSAGE=\(message)",
            "PRIORITY=\(level.syslogPriority)",
            "SYSLOG_IDENTIFIER=\(identifier)",
            "CODE_FILE=\(file)",
            "CODE_LINE=\(line)",
            "CODE_FUNC=\(function)",
        ]
        for key in metadata.keys.sorted() {
            guard let value = metadata[key] else { continue }
            fields.append("\(fieldName(for: key))=\(value)")
        }
        return fields
    }

    /// Hands the fields to `sd_journal_sendv` (values may hold newlines; sendv encodes them). Returns its result.
    static func send(_ fields: [String]) -> Int32 {
        var storage: [UInt8] = []
        var ranges: [(offset: Int, count: Int)] = []
        for field in fields {
            ranges.append((storage.count, field.utf8.count))
            storage.append(contentsOf: field.utf8)
        }
        return storage.withUnsafeMutableBytes { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -EINVAL }
            let vectors = ranges.map { iovec(iov_base: base + $0.offset, iov_len: $0.count) }
            return vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
        }
    }
}
