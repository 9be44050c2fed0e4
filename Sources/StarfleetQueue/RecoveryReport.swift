/// What opening a queue found in its journal. Everything unusual here was also logged.
package struct RecoveryReport: Sendable, Hashable {
    /// A torn or zero-filled tail cut off the newest segment (a write that was never acknowledged).
    package struct TruncatedTail: Sendable, Hashable {
        package var path: String
        /// The offset of the last good record's end: the new file size.
        package var offset: Int64
        package var bytesDropped: Int64
    }

    /// A damaged stretch of a segment, copied aside and skipped.
    package struct QuarantinedRange: Sendable, Hashable {
        package var segmentPath: String
        package var offset: Int64
        package var length: Int64
        /// The copy under `<queue>/quarantine/`.
        package var quarantinePath: String
    }

    package var segmentsRead = 0
    package var recordsRead = 0
    /// Messages in the queue after recovery.
    package var messagesRecovered = 0
    /// Messages dropped on open because they outlived the retention period.
    package var expiredOnOpen = 0
    package var truncatedTails: [TruncatedTail] = []
    package var quarantined: [QuarantinedRange] = []
    /// Segment numbers between the compaction low-water mark and the newest segment that do not exist: the first
    /// ``maxMissingListed`` of them (each gap is also logged with its size).
    package var missingSegments: [UInt64] = []
    /// The most missing segment numbers a report lists: a gap is bounded by the numbers in file names, not by
    /// anything recovery read, so its size cannot decide what recovery allocates.
    package static let maxMissingListed = 1_000
    /// Segments whose header is damaged or from another format version, moved to quarantine whole.
    package var unreadableSegments: [String] = []

    package init() {}

    /// True when recovery found nothing but a clean journal (a truncated torn tail is normal after a crash
    /// and does not count).
    package var isClean: Bool { quarantined.isEmpty && missingSegments.isEmpty && unreadableSegments.isEmpty }
}
