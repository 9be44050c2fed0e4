/// What opening a queue found in its journal. Everything unusual here was also logged.
public struct RecoveryReport: Sendable, Hashable {
    /// A torn or zero-filled tail cut off the newest segment (a write that was never acknowledged).
    public struct TruncatedTail: Sendable, Hashable {
        public var path: String
        /// The offset of the last good record's end: the new file size.
        public var offset: Int64
        public var bytesDropped: Int64
    }

    /// A damaged stretch of a segment, copied aside and skipped.
    public struct QuarantinedRange: Sendable, Hashable {
        public var segmentPath: String
        public var offset: Int64
        public var length: Int64
        /// The copy under `<queue>/quarantine/`.
        public var quarantinePath: String
    }

    public var segmentsRead = 0
    public var recordsRead = 0
    /// Messages in the queue after recovery.
    public var messagesRecovered = 0
    /// Messages dropped on open because they outlived the retention period.
    public var expiredOnOpen = 0
    public var truncatedTails: [TruncatedTail] = []
    public var quarantined: [QuarantinedRange] = []
    /// Segment numbers between the compaction low-water mark and the newest segment that do not exist.
    public var missingSegments: [UInt64] = []
    /// Segments whose header is damaged or from another format version, moved to quarantine whole.
    public var unreadableSegments: [String] = []

    public init() {}

    /// True when recovery found nothing but a clean journal (a truncated torn tail is normal after a crash
    /// and does not count).
    public var isClean: Bool { quarantined.isEmpty && missingSegments.isEmpty && unreadableSegments.isEmpty }
}
