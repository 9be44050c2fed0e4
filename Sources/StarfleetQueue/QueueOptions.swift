import StarfleetFiles

/// How a ``JournalQueue`` behaves. Defaults follow Starfleet's worker defaults where SQS's differ.
package struct QueueOptions: Sendable {
    /// Seconds a received message stays invisible when the receive does not say (0...43,200).
    package var visibilityTimeout: Double
    /// A receive that would take a message's receive count past this dead-letters it instead (1...1,000).
    package var maxReceiveCount: Int
    /// Seconds a message is kept after its original send before it is dropped as expired (60...1,209,600).
    package var retention: Double
    /// Where dead-lettered messages go: `<root>/<queue name>/<MessageId>.json`.
    package var deadLetters: DeadLetterDirectory
    /// A journal segment is closed and a new one started once it holds this many bytes.
    package var segmentBytes: Int
    /// Make messages in flight at open visible at once: they belonged to a process that died holding the lock.
    /// SQS itself would wait out their visibility timeout (tests of that rule turn this off).
    package var releaseInFlightOnOpen: Bool
    /// The file-system seam (tests inject faults through it).
    package var fileSystem: any JournalFileSystem

    package init(
        visibilityTimeout: Double = 300, maxReceiveCount: Int = 4, retention: Double = 4 * 86_400,
        deadLetters: DeadLetterDirectory, segmentBytes: Int = 32 << 20,
        fileSystem: any JournalFileSystem = PosixFileSystem(), releaseInFlightOnOpen: Bool = true
    ) {
        self.releaseInFlightOnOpen = releaseInFlightOnOpen
        self.visibilityTimeout = visibilityTimeout
        self.maxReceiveCount = maxReceiveCount
        self.retention = retention
        self.deadLetters = deadLetters
        self.segmentBytes = segmentBytes
        self.fileSystem = fileSystem
    }
}

/// The SQS limits this queue enforces (semantics.md §A1).
package enum QueueLimits {
    /// Body plus every attribute name and value, in UTF-8 bytes.
    package static let maxMessageBytes = 1_048_576
    package static let maxDelaySeconds = 900
    package static let maxVisibilityTimeout: Double = 43_200
    package static let maxWaitSeconds: Double = 20
    package static let maxReceiveBatch = 10
    package static let maxAttributes = 10
    /// Deduplication ids are remembered this long.
    package static let deduplicationInterval: Double = 300
    /// The longest stderr tail kept per failure, in UTF-8 bytes (the end is kept).
    package static let maxStderrTailBytes = 8192
    /// The most failures kept per message (the oldest are dropped beyond it).
    package static let maxFailuresKept = 32
}
