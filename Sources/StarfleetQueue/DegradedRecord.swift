package import FoundationEssentials
import Glibc
import StarfleetFiles

/// `<queue>/degraded.json`: what recovery could not bring back (missing segments, quarantined segments or ranges),
/// kept until an operator acknowledges it (`starfleetctl queue acknowledge QUEUE`, which deletes the file).
///
/// Written once by the recovery that found the loss (temp file, fsync, rename, fsync of the folder, mode 0600), so
/// a crash leaves the old record or the new one, never half of one. A later recovery that finds more loss merges
/// into the record still there rather than hiding what the operator has not yet seen.
package struct DegradedRecord: Codable, Sendable, Hashable {
    package static let fileName = "degraded.json"

    package var version = 1
    package var queue: String
    /// When recovery first found a loss not yet acknowledged.
    package var detectedAt: Date
    /// Journal segment numbers that should exist and do not: their messages are lost.
    package var missingSegments: [UInt64]
    /// Segment numbers with damage moved to `<queue>/quarantine/` (a whole segment or ranges of it).
    package var quarantinedSegments: [UInt64]
    /// The files under `<queue>/quarantine/` that recovery wrote.
    package var quarantineFiles: [String]

    package init(
        queue: String, detectedAt: Date, missingSegments: [UInt64], quarantinedSegments: [UInt64], quarantineFiles: [String]
    ) {
        self.queue = queue
        self.detectedAt = detectedAt
        self.missingSegments = missingSegments
        self.quarantinedSegments = quarantinedSegments
        self.quarantineFiles = quarantineFiles
    }

    /// The record a recovery report calls for, or nil when nothing was lost (a torn tail is not a loss).
    package init?(queue: String, queueDirectory: String, report: RecoveryReport, at time: Date) {
        guard !report.isClean else { return nil }
        func number(_ path: String) -> UInt64? {
            path.split(separator: "/").last.flatMap { SegmentFile.number(inFileName: String($0)) }
        }
        var numbers = Set(report.quarantined.compactMap { number($0.segmentPath) })
        var files = report.quarantined.map(\.quarantinePath)
        for n in report.unreadableSegments.compactMap(number) {
            numbers.insert(n)
            files.append(queueDirectory + "/quarantine/" + SegmentFile.fileName(n))
        }
        self.init(
            queue: queue, detectedAt: time, missingSegments: report.missingSegments.sorted(),
            quarantinedSegments: numbers.sorted(), quarantineFiles: files)
    }

    /// This record with another's findings added (the earlier detection time kept).
    package func merged(with other: DegradedRecord) -> DegradedRecord {
        var out = self
        out.detectedAt = min(detectedAt, other.detectedAt)
        out.missingSegments = Array(Set(missingSegments).union(other.missingSegments)).sorted()
        out.quarantinedSegments = Array(Set(quarantinedSegments).union(other.quarantinedSegments)).sorted()
        out.quarantineFiles = Array(Set(quarantineFiles).union(other.quarantineFiles)).sorted()
        return out
    }

    /// One line for logs, status and alerts, e.g. "missing segments 2, 3; quarantined segments 5".
    package var summary: String {
        var parts: [String] = []
        if !missingSegments.isEmpty {
            parts.append("missing segments " + missingSegments.map(String.init).joined(separator: ", "))
        }
        if !quarantinedSegments.isEmpty {
            parts.append("quarantined segments " + quarantinedSegments.map(String.init).joined(separator: ", "))
        }
        return parts.joined(separator: "; ")
    }

    package static func path(queueDirectory: String) -> String { queueDirectory + "/" + fileName }

    /// The record in the queue folder, or nil when there is none (never degraded, or acknowledged).
    /// A file that cannot be decoded still marks the queue degraded (with no numbers) rather than hiding it.
    package static func read(queueDirectory: String, queue: String) -> DegradedRecord? {
        let path = path(queueDirectory: queueDirectory)
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)) else { return nil }
        if let record = try? JSONDecoder.degraded.decode(DegradedRecord.self, from: data) { return record }
        return DegradedRecord(
            queue: queue, detectedAt: Date(timeIntervalSince1970: 0), missingSegments: [], quarantinedSegments: [],
            quarantineFiles: [path])
    }

    /// Writes (merging with a record still unacknowledged) atomically and durably.
    package static func record(_ record: DegradedRecord, queueDirectory: String, fileSystem: any JournalFileSystem) throws {
        let merged = read(queueDirectory: queueDirectory, queue: record.queue).map { $0.merged(with: record) } ?? record
        let final = path(queueDirectory: queueDirectory)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let bytes = Array(try encoder.encode(merged)) + [0x0A]
        try fileSystem.writeAtomically(bytes, to: final)
    }

    /// Deletes the record (the operator's acknowledgement). Returns the record it removed, nil when there was none.
    /// Safe while the daemon runs: the daemon reads the file at every status report and never rewrites it after
    /// the queue's recovery.
    @discardableResult
    package static func acknowledge(queueDirectory: String, queue: String, fileSystem: any JournalFileSystem = PosixFileSystem())
        throws -> DegradedRecord?
    {
        guard let record = read(queueDirectory: queueDirectory, queue: queue) else { return nil }
        try fileSystem.unlink(path(queueDirectory: queueDirectory))
        try fileSystem.syncDirectory(queueDirectory)
        return record
    }
}

extension JSONDecoder {
    static var degraded: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
