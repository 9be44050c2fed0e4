import Foundation
import StarfleetCore
import StarfleetQueue
import Testing

@testable import StarfleetDaemon

/// issue 13: a degraded queue in the metrics, the STATUS= line, status.json and the alert.
@Suite struct DegradedQueueTests {
    let record = DegradedRecord(
        queue: "AuditWorker", detectedAt: Date(timeIntervalSince1970: 1_800_000_000), missingSegments: [2, 3],
        quarantinedSegments: [5], quarantineFiles: ["/s/queues/AuditWorker/quarantine/000000000005-40.bad"])

    @Test func gaugesAreOneWhileDegradedAndZeroOtherwise() {
        let metrics = DaemonMetrics()
        metrics.setDegraded(queues: ["AuditWorker", "StarbaseFanOut"], degraded: ["AuditWorker": record])
        #expect(metrics.registry.value("starfleet_queue_degraded", ["queue": "AuditWorker"]) == 1)
        #expect(metrics.registry.value("starfleet_queue_missing_segments", ["queue": "AuditWorker"]) == 2)
        #expect(metrics.registry.value("starfleet_queue_quarantined_segments", ["queue": "AuditWorker"]) == 1)
        #expect(metrics.registry.value("starfleet_queue_degraded", ["queue": "StarbaseFanOut"]) == 0)
        metrics.setDegraded(queues: ["AuditWorker", "StarbaseFanOut"], degraded: [:])
        #expect(metrics.registry.value("starfleet_queue_degraded", ["queue": "AuditWorker"]) == 0)
    }

    @Test func snapshotAndStatusLineNameTheQueue() throws {
        let board = StatusBoard(startedAt: Date(), pid: 1)
        let now = Date()
        #expect(board.snapshot(now: now, queues: [:]).degraded == nil)
        let snapshot = board.snapshot(now: now, queues: [:], degraded: ["AuditWorker": record])
        #expect(snapshot.degraded?["AuditWorker"]?.missingSegments == [2, 3])
        #expect(StatusLoop.line(snapshot, workers: 1, now: now).hasPrefix("DEGRADED queue AuditWorker; 1 worker"))
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let back = try decoder.decode(StatusBoard.Snapshot.self, from: encoder.encode(snapshot))
        #expect(back.degraded == snapshot.degraded)
    }

    @Test func theAlertIsAProblemNamingTheSegments() throws {
        let workers = try AlertDispatcherTests.workers()
        let alert = Alert.degraded(queue: "AuditWorker", record: record, workers: Array(workers.values))
        #expect(alert.priority == .problem)
        #expect(alert.title == "queue AuditWorker is degraded: missing segments 2, 3; quarantined segments 5")
        #expect(alert.body.contains("starfleetctl queue acknowledge AuditWorker"))
        // Not a worker's queue: the first configured channel, whatever that worker's AlertPriority.
        #expect(!alert.channel.isEmpty)
        #expect(Alert.degraded(queue: "X", record: record, workers: []).channel == "")
    }
}
