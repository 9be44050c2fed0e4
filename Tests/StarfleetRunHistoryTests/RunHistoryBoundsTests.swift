import Foundation
import Testing

@testable import StarfleetRunHistory

/// The count and age bounds: the store removes whole segments, readers apply the bounds exactly.
@Suite struct RunHistoryBoundsTests {
    @Test func theCountBoundKeepsDiskWithinOneSegmentOfMaxRuns() throws {
        let f = HistoryFixture()
        let limits = RunHistoryLimits(maxRuns: 64, maxAgeSeconds: 86_400)  // 16 runs per segment
        let (writer, _) = try f.open()
        for n in 1...1000 {
            try writer.append(f.run(n), limits: limits)
            f.clock.advance(by: 1)
        }
        let read = try f.read()
        #expect(read.runs.count >= 64)
        #expect(read.runs.count < 64 + limits.segmentCapacity)
        #expect(writer.runsOnDisk == read.runs.count)
        #expect(read.runs.last?.messageId == "m-1000")
        #expect(f.segments().count <= 5)
        let shown = RunHistoryQuery().apply(to: read.runs, limits: limits, now: f.clock.now())
        #expect(shown.count == 64)
        #expect(shown.first?.messageId == "m-1000")
        #expect(shown.last?.messageId == "m-937")
    }

    @Test func theAgeBoundRemovesSegmentsWhoseRunsAreAllTooOld() throws {
        let f = HistoryFixture()
        let limits = RunHistoryLimits(maxRuns: 1000, maxAgeSeconds: 7 * 86_400)
        let (writer, _) = try f.open()
        for n in 1...300 { try writer.append(f.run(n), limits: limits) }  // 250 fill one segment, 50 start the next
        #expect(f.segments().count == 2)
        f.clock.advance(by: 8 * 86_400)
        try writer.append(f.run(301), limits: limits)
        // The sealed week-old segment is gone; the one being appended to stays until it is sealed.
        #expect(f.segments().count == 1)
        let read = try f.read()
        #expect(read.runs.count == 51)
        let shown = RunHistoryQuery().apply(to: read.runs, limits: limits, now: f.clock.now())
        #expect(shown.map(\.messageId) == ["m-301"])
    }

    @Test func pruneAtOpenRemovesAHistoryThatAgedWhileTheDaemonWasDown() throws {
        let f = HistoryFixture()
        let limits = RunHistoryLimits(maxRuns: 16, maxAgeSeconds: 3600)
        do {
            let (writer, _) = try f.open()
            for n in 1...20 { try writer.append(f.run(n), limits: limits) }  // one sealed segment of 16, 4 in the next
        }
        f.clock.advance(by: 7200)
        let (writer, _) = try f.open()
        writer.prune(limits: limits)
        #expect(writer.runsOnDisk == 4)  // the sealed segment went; the newest stays open for appends
        #expect(RunHistoryQuery().apply(to: try f.read().runs, limits: limits, now: f.clock.now()).isEmpty)
    }
}
