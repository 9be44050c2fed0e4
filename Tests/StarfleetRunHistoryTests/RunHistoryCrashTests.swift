import Foundation
import Testing

@testable import StarfleetRunHistory

/// What a crash mid-write leaves: a torn tail is never shown and is cut when the writer reopens; damage before good
/// records is skipped and reported; files that are not segments never stop the history.
@Suite struct RunHistoryCrashTests {
    func append(_ bytes: [UInt8], to path: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(bytes))
        try handle.close()
    }

    @Test func aTornTailIsInvisibleToReadersAndCutAtReopen() throws {
        let f = HistoryFixture()
        do {
            let (writer, _) = try f.open()
            for n in 1...3 { try writer.append(f.run(n), limits: .default) }
        }
        let path = f.directory() + "/" + f.segments()[0]
        let sizeBefore = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        // Half of a fourth record, as a power loss in the middle of its write would leave it.
        let torn = Array(f.run(4).frame().prefix(40))
        try append(torn, to: path)

        let read = try f.read()
        #expect(read.runs.map(\.messageId) == ["m-1", "m-2", "m-3"])
        #expect(read.unfinishedTailBytes == 40)
        #expect(read.problems.isEmpty)

        let (writer, recovery) = try f.open()
        #expect(recovery.truncatedTailBytes == 40)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == sizeBefore)
        try writer.append(f.run(5), limits: .default)
        let after = try f.read()
        #expect(after.runs.map(\.messageId) == ["m-1", "m-2", "m-3", "m-5"])
        #expect(after.unfinishedTailBytes == 0)
    }

    @Test func aFlippedByteInTheMiddleLosesOnlyThatRecord() throws {
        let f = HistoryFixture()
        let (writer, _) = try f.open()
        for n in 1...3 { try writer.append(f.run(n), limits: .default) }
        let path = f.directory() + "/" + f.segments()[0]
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let second = RunHistorySegment.headerBytes + f.run(1).frame().count + 20
        bytes[second] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let read = try f.read()
        #expect(read.runs.map(\.messageId) == ["m-1", "m-3"])
        #expect(read.problems.count == 1)
        #expect(read.problems.first?.contains("damaged bytes") == true)
    }

    @Test func aFileThatIsNotASegmentIsSetAsideAndRunsContinue() throws {
        let f = HistoryFixture()
        try FileManager.default.createDirectory(atPath: f.directory(), withIntermediateDirectories: true)
        try Data(repeating: 0x41, count: 100).write(to: URL(fileURLWithPath: f.directory() + "/000000000001.runs"))
        #expect(try f.read().problems.count == 1)
        let (writer, recovery) = try f.open()
        #expect(recovery.notes.first?.contains("set aside") == true)
        try writer.append(f.run(1), limits: .default)
        #expect(FileManager.default.fileExists(atPath: f.directory() + "/000000000001.runs.bad"))
        let read = try f.read()
        #expect(read.runs.map(\.messageId) == ["m-1"])
        #expect(read.problems.isEmpty)
    }

    @Test func aNewerFormatIsRefusedWithAClearMessageAndTheStoreCarriesOn() throws {
        let f = HistoryFixture()
        try FileManager.default.createDirectory(atPath: f.directory(), withIntermediateDirectories: true)
        var header = RunHistorySegment.header(number: 1, createdMs: 0)
        header[8] = 9  // format version 9
        try Data(header).write(to: URL(fileURLWithPath: f.directory() + "/000000000001.runs"))
        #expect(throws: RunHistoryError.self) { _ = try f.open() }
        // The store logs it and leaves that worker out; another worker's runs are recorded as usual.
        let store = RunHistoryStore(root: f.root, clock: f.clock, logger: f.logger)
        store.record(f.run(1), limits: .default)
        store.record(f.run(2, worker: "OtherWorker"), limits: .default)
        store.flush()
        #expect(try f.read("OtherWorker").runs.count == 1)
        #expect(try f.read().problems.first?.contains("newer starfleetd") == true)
    }

    @Test func aHeaderlessSegmentFromACrashAtCreationIsRemoved() throws {
        let f = HistoryFixture()
        do {
            let (writer, _) = try f.open()
            try writer.append(f.run(1), limits: .default)
        }
        _ = FileManager.default.createFile(atPath: f.directory() + "/000000000002.runs", contents: Data([0x53, 0x46]))
        let (writer, recovery) = try f.open()
        #expect(recovery.notes.count == 1)
        try writer.append(f.run(2), limits: .default)
        #expect(try f.read().runs.map(\.messageId) == ["m-1", "m-2"])
    }
}
