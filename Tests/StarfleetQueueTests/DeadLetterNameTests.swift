import Foundation
import StarfleetClock
import StarfleetTestSupport
import Testing

@testable import StarfleetQueue

/// Worker names and letter ids come from forms, command lines and inbox requests and become path components: the
/// directory itself refuses any that could name a file outside `dead-letter/`, whatever its caller checked. The
/// console once purged `../../victim/*.json` (worker `../../victim`) and `<state>/scheduler.json` (`../scheduler`).
@Suite struct DeadLetterNameTests {
    /// `<tmp>/state/dead-letter` with one real letter of `Good`, and files a traversal would reach: `<tmp>/victim/*.json`
    /// (two folders up), `<tmp>/state/scheduler.json` (one up) and `<tmp>/state/dead-letter/victim.json` (the root).
    struct Layout {
        let temp: TemporaryDirectory
        let directory: DeadLetterDirectory
        let goodID = "0F6C1C3E-1111-4A7B-9C11-000000000001"
        let victims: [String: String]

        init() throws {
            temp = try TemporaryDirectory("dead-letter-names")
            directory = DeadLetterDirectory(root: temp.path("state/dead-letter"))
            let victims = [
                "victim/a.json": "victim a", "victim/b.json": "victim b", "state/scheduler.json": "scheduler",
                "state/dead-letter/victim.json": "root file",
            ]
            for (file, text) in victims { try temp.write(file, text) }
            self.victims = victims
            try directory.write(
                DeadLetter(
                    queue: "Good", messageId: goodID, reason: "maxReceiveCount exceeded", bodyText: "{}", attributes: [:],
                    deduplicationId: nil, receiveCount: 4, maxReceiveCount: 4, sentTimestamp: Date(timeIntervalSince1970: 0),
                    firstReceiveTimestamp: nil, deadLetteredTimestamp: Date(timeIntervalSince1970: 1), failures: []))
        }

        /// Every victim file still holds its text, and the good letter is still there.
        func expectUntouched(_ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
            for (file, text) in victims {
                #expect(temp.read(file) == text, "\(file) after \(what)", sourceLocation: sourceLocation)
            }
            #expect(
                FileManager.default.fileExists(atPath: temp.path("state/dead-letter/Good/\(goodID).json")),
                "the good letter after \(what)", sourceLocation: sourceLocation)
        }
    }

    /// Names that reach outside the folder, or could: traversal, a slash, empty, absolute, NUL, too long.
    static func badWorkers(_ temp: TemporaryDirectory) -> [String] {
        [
            "..", ".", "../x", "../../victim", "../state", "a/b", "Good/..", "Good/../..", "", "/", temp.path("victim"),
            "Good\u{0}", "..\u{0}", "a\u{0}/../../victim", String(repeating: "a", count: 81),
            String(repeating: "A", count: 100_000), "Good ", "Gööd", "Good\n",
        ]
    }

    static func badIDs(_ temp: TemporaryDirectory) -> [String] {
        [
            "..", ".", "../scheduler", "../../scheduler", "../../../victim/a", "a/b", "", "/", temp.path("victim/a"),
            "x\u{0}", "\u{0}../scheduler", ".hidden", String(repeating: "f", count: 129),
            String(repeating: "f", count: 100_000),
        ]
    }

    static func expectRefusal(_ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("\(what): accepted", sourceLocation: sourceLocation)
        } catch let error as QueueError {
            #expect(error.code == .invalidParameterValue, "\(what): \(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(what): \(error)", sourceLocation: sourceLocation)
        }
    }

    static func expectRedriveRefusal(
        _ what: String, _ d: DeadLetterDirectory, worker: String, _ selection: DeadLetterSelection, into queue: InMemoryQueue,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        do {
            _ = try await d.redrive(worker: worker, selection, into: queue)
            Issue.record("\(what): accepted", sourceLocation: sourceLocation)
        } catch let error as QueueError {
            #expect(error.code == .invalidParameterValue, "\(what): \(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(what): \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func everyOperationRefusesAWorkerNameThatIsNotAQueueName() async throws {
        let layout = try Layout()
        defer { layout.temp.remove() }
        let d = layout.directory
        let queue = InMemoryQueue(clock: ManualClock())
        for worker in Self.badWorkers(layout.temp) {
            let shown = String(worker.prefix(40)).debugDescription
            Self.expectRefusal("directory \(shown)") { _ = try d.directory(worker: worker) }
            Self.expectRefusal("path \(shown)") { _ = try d.path(worker: worker, id: layout.goodID) }
            Self.expectRefusal("ids \(shown)") { _ = try d.ids(worker: worker) }
            Self.expectRefusal("list \(shown)") { _ = try d.list(worker: worker) }
            Self.expectRefusal("show \(shown)") { _ = try d.show(worker: worker, id: "a") }
            Self.expectRefusal("purge all \(shown)") { try d.purge(worker: worker, .all) }
            Self.expectRefusal("purge ids \(shown)") { try d.purge(worker: worker, .ids(["a", "scheduler"])) }
            for selection in [DeadLetterSelection.all, .ids(["a", "scheduler"])] {
                await Self.expectRedriveRefusal("redrive \(shown) \(selection)", d, worker: worker, selection, into: queue)
            }
            Self.expectRefusal("write \(shown)") {
                try d.write(
                    DeadLetter(
                        queue: worker, messageId: "scheduler", reason: "r", bodyText: "{}", attributes: [:],
                        deduplicationId: nil, receiveCount: 1, maxReceiveCount: 1, sentTimestamp: Date(),
                        firstReceiveTimestamp: nil, deadLetteredTimestamp: Date(), failures: []))
            }
            layout.expectUntouched("the operations on worker \(shown)")
        }
        #expect(queue.sent.isEmpty)
    }

    /// One bad id among good ones refuses the whole purge or redrive before the first file is touched: an operation
    /// is done whole or not at all, never half and then an error.
    @Test func everyOperationRefusesAnIDThatCouldLeaveTheFolderBeforeTouchingAny() async throws {
        let layout = try Layout()
        defer { layout.temp.remove() }
        let d = layout.directory
        let queue = InMemoryQueue(clock: ManualClock())
        for id in Self.badIDs(layout.temp) {
            let shown = String(id.prefix(40)).debugDescription
            Self.expectRefusal("path \(shown)") { _ = try d.path(worker: "Good", id: id) }
            Self.expectRefusal("show \(shown)") { _ = try d.show(worker: "Good", id: id) }
            Self.expectRefusal("show anywhere \(shown)") { _ = try d.show(id: id) }
            Self.expectRefusal("purge \(shown)") { try d.purge(worker: "Good", .ids([layout.goodID, id])) }
            await Self.expectRedriveRefusal("redrive \(shown)", d, worker: "Good", .ids([layout.goodID, id]), into: queue)
            layout.expectUntouched("the operations on id \(shown)")
        }
        #expect(queue.sent.isEmpty)
    }

    /// The reported attack, both halves, with the names as the console decoded them.
    @Test func theConsolesTraversalsNoLongerReachTheVictims() throws {
        let layout = try Layout()
        defer { layout.temp.remove() }
        Self.expectRefusal("purge all of ../../victim") { try layout.directory.purge(worker: "../../victim", .all) }
        Self.expectRefusal("purge ../scheduler") { try layout.directory.purge(worker: "..", .ids(["scheduler"])) }
        layout.expectUntouched("the reported attack")
    }

    /// The rule is the queues' own: valid names and ids still work, every operation, end to end.
    @Test func validNamesStillWork() async throws {
        let layout = try Layout()
        defer { layout.temp.remove() }
        let d = layout.directory
        #expect(try d.ids(worker: "Good") == [layout.goodID])
        #expect(try d.ids(worker: "Never-Written_1") == [])
        #expect(try d.list(worker: "Good").map(\.messageId) == [layout.goodID])
        #expect(try d.show(id: layout.goodID).queue == "Good")
        #expect(try d.path(worker: "Good", id: layout.goodID) == layout.temp.path("state/dead-letter/Good/\(layout.goodID).json"))
        let queue = InMemoryQueue(clock: ManualClock())
        let result = try await d.redrive(worker: "Good", .all, into: queue)
        #expect(result.redriven.keys.sorted() == [layout.goodID])
        #expect(queue.sent.count == 1)
        #expect(try d.purge(worker: "Good", .all) == 0)
        for (file, text) in layout.victims { #expect(layout.temp.read(file) == text) }
    }

    /// A refusal says what was wrong and stays one readable line, however long or odd the name.
    @Test func aRefusalShowsTheNameQuotedAndShort() {
        do {
            try DeadLetterDirectory.validateWorker("../\u{0}" + String(repeating: "x", count: 10_000))
            Issue.record("accepted")
        } catch let error as QueueError {
            #expect(error.message.hasPrefix(#""../\0xx"#))
            #expect(error.message.hasSuffix("… is not a valid worker name"))
            #expect(error.message.count < 150)
        } catch {
            Issue.record("\(error)")
        }
    }
}
