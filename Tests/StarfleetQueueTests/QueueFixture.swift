import Foundation
import Logging
import StarfleetClock
import StarfleetFiles
import StarfleetTestSupport

@testable import StarfleetQueue

/// A temp state directory, a manual clock and a queue opened in it; removed with `cleanUp()`.
final class QueueFixture: @unchecked Sendable {
    let state: String
    let clock = ManualClock()
    var options: QueueOptions
    let logger = Logger.quiet

    init(
        maxReceiveCount: Int = 4, visibilityTimeout: Double = 30, segmentBytes: Int = 32 << 20,
        fileSystem: any JournalFileSystem = PosixFileSystem()
    ) {
        state = "/tmp/sfq-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        options = QueueOptions(
            visibilityTimeout: visibilityTimeout, maxReceiveCount: maxReceiveCount, retention: 4 * 86_400,
            deadLetters: DeadLetterDirectory(root: state + "/dead-letter", fileSystem: fileSystem),
            segmentBytes: segmentBytes, fileSystem: fileSystem)
    }

    var deadLetters: DeadLetterDirectory { options.deadLetters }

    func directory(_ name: String) -> String { state + "/queues/" + name }

    func open(_ name: String = "AuditWorker") throws -> JournalQueue {
        try JournalQueue.open(directory: directory(name), name: name, options: options, clock: clock, logger: logger)
    }

    func journalFiles(_ name: String = "AuditWorker") -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory(name) + "/journal")) ?? [])
            .filter { $0.hasSuffix(".seg") }.sorted().map { directory(name) + "/journal/" + $0 }
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: state) }

    deinit { cleanUp() }
}

func message(_ body: String, delay: Int = 0, dedup: String? = nil, attributes: [String: String] = [:]) -> OutgoingMessage {
    OutgoingMessage(body: body, delaySeconds: delay, attributes: attributes, deduplicationId: dedup)
}
