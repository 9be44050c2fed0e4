import Foundation
import Glibc
import StarfleetClock
import Testing

@testable import StarfleetQueue

/// Real processes, real SIGKILLs: `queue-crash-child` sends, receives, fails and deletes in a loop and prints
/// each acknowledgement; the test kills it at a random moment, reopens the queue and checks that nothing
/// acknowledged was lost and no receive count went backwards.
@Suite struct CrashTests {
    static var childPath: String? {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var candidates = [runner.deletingLastPathComponent().appendingPathComponent("queue-crash-child").path]
        // Inside an .xctest bundle directory on some layouts.
        candidates.append(
            runner.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("queue-crash-child").path)
        candidates.append(FileManager.default.currentDirectoryPath + "/.build/debug/queue-crash-child")
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test func sigkillAtRandomMomentsLosesNothingAcknowledged() async throws {
        let child = try #require(Self.childPath, "build queue-crash-child first (swift build --build-tests builds it)")
        let f = QueueFixture(maxReceiveCount: 5)
        var generator = SystemRandomNumberGenerator()
        var acknowledged = Set<String>()
        var deleted = Set<String>()
        var highestCount: [String: Int] = [:]
        var roundsWithWork = 0

        for round in 0..<50 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: child)
            process.arguments = [f.state, String(UInt64.random(in: 1...UInt64.max, using: &generator))]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            usleep(UInt32.random(in: 40_000...160_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            var lines = output.split(separator: "\n", omittingEmptySubsequences: false)
            if !output.hasSuffix("\n") { lines.removeLast() }  // a line cut by the kill proves nothing
            var sawWork = false
            for line in lines where !line.isEmpty {
                let parts = line.split(separator: " ")
                switch parts.first {
                case "S":
                    acknowledged.insert(String(parts[1]))
                    sawWork = true
                case "R":
                    highestCount[String(parts[1]), default: 0] = max(
                        highestCount[String(parts[1]), default: 0], Int(parts[2]) ?? 0)
                case "d": deleted.insert(String(parts[1]))  // announced: may be gone from here on
                case "D": deleted.insert(String(parts[1]))
                default: Issue.record("round \(round): child said \(line)")
                }
            }
            if sawWork { roundsWithWork += 1 }

            let queue = try f.open("CrashWorker")
            let present = Dictionary(uniqueKeysWithValues: try queue.messages().map { ($0.messageId, $0.receiveCount) })
            let deadLettered = Set(try f.deadLetters.ids(worker: "CrashWorker"))
            for id in acknowledged where present[id] == nil && !deleted.contains(id) && !deadLettered.contains(id) {
                Issue.record("round \(round): acknowledged send \(id) is gone")
            }
            for (id, count) in highestCount {
                if let now = present[id], now < count {
                    Issue.record("round \(round): receive count of \(id) went back from \(count) to \(now)")
                }
            }
            for id in deadLettered {
                let letter = try f.deadLetters.show(worker: "CrashWorker", id: id)
                if letter.receiveCount < 5 && !letter.reason.contains("last allowed attempt") {
                    Issue.record("round \(round): \(id) dead-lettered at receive count \(letter.receiveCount)")
                }
            }
            #expect(queue.recoveryReport.quarantined.isEmpty, "round \(round): \(queue.recoveryReport)")
            #expect(queue.recoveryReport.missingSegments.isEmpty, "round \(round): \(queue.recoveryReport)")
            await queue.close()
        }
        #expect(roundsWithWork >= 25, "too few rounds got as far as an acknowledged send")
        #expect(acknowledged.count > 100)
    }
}
