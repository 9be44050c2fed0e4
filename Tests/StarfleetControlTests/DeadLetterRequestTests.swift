import Testing

@testable import StarfleetControl
@testable import StarfleetDaemon

@Suite struct DeadLetterRequestTests {
    let a1 = "0F6C1C3E-1111-4A7B-9C11-000000000001"
    let a2 = "0F6C1C3E-2222-4A7B-9C11-000000000002"
    let b1 = "9B0D7F22-3333-4A7B-9C11-000000000003"
    var inventory: [String: [String]] { ["Audit": [a1, a2], "Inventory": [b1], "Empty": []] }
    let known: Set<String> = ["Audit", "Inventory", "Hello", "Starbase"]

    @Test func nothingSelectedIsAUsageError() {
        guard case .failure(let e) = DeadLetterOperations.Selection.parse(ids: [], worker: nil, all: false) else {
            Issue.record("accepted")
            return
        }
        #expect(e.status == 64)
        #expect(e.message.contains("--all"))
    }

    @Test func idsWithAllIsAUsageError() {
        guard case .failure(let e) = DeadLetterOperations.Selection.parse(ids: [a1], worker: nil, all: true) else {
            Issue.record("accepted")
            return
        }
        #expect(e.status == 64)
    }

    /// `--worker ../../victim` or an id `../scheduler` is refused as data (exit 65) with the directory's reason, before
    /// the inventory is even read; the directory would refuse it again.
    @Test func aWorkerOrIDThatCouldLeaveTheFolderIsADataError() {
        let cases: [(ids: [String], worker: String?)] = [
            ([], "../../victim"), ([a1], "a/b"), (["../scheduler"], nil), ([a1, "x\u{0}"], "Audit"),
        ]
        for (ids, worker) in cases {
            for all in ids.isEmpty ? [false, true] : [false] {
                guard case .failure(let e) = DeadLetterOperations.Selection.parse(ids: ids, worker: worker, all: all) else {
                    Issue.record("accepted \(ids) \(worker ?? "-")")
                    continue
                }
                #expect(e.status == 65)
                #expect(e.message.contains("is not a valid worker name") || e.message.contains("is not a dead-letter id"))
            }
        }
        #expect(DeadLetterOperations.Selection.invalidName(worker: "Audit", ids: [a1]) == nil)
    }

    @Test func parsesEachForm() throws {
        #expect(try DeadLetterOperations.Selection.parse(ids: [], worker: "Audit", all: false).get() == .worker("Audit"))
        #expect(try DeadLetterOperations.Selection.parse(ids: [], worker: "Audit", all: true).get() == .worker("Audit"))
        #expect(try DeadLetterOperations.Selection.parse(ids: [], worker: nil, all: true).get() == .everything)
        #expect(
            try DeadLetterOperations.Selection.parse(ids: [a1, a2, a1], worker: nil, all: false).get()
                == .ids([a1, a2], worker: nil))
        #expect(
            try DeadLetterOperations.Selection.parse(ids: [a1], worker: "Audit", all: false).get() == .ids([a1], worker: "Audit"))
    }

    @Test func everythingTakesEveryNonEmptyFolderSorted() throws {
        let targets = try DeadLetterOperations.Selection.everything.resolve(in: inventory, knownWorkers: known).get()
        #expect(targets.map(\.worker) == ["Audit", "Inventory"])
        #expect(targets.map(\.ids) == [[a1, a2], [b1]])
    }

    @Test func aConfiguredWorkerWithoutFolderHasNothing() throws {
        #expect(try DeadLetterOperations.Selection.worker("Hello").resolve(in: inventory, knownWorkers: known).get().isEmpty)
        #expect(try DeadLetterOperations.Selection.worker("Empty").resolve(in: inventory, knownWorkers: known).get().isEmpty)
    }

    @Test func anUnknownWorkerIsADataErrorWithAHint() {
        guard case .failure(let e) = DeadLetterOperations.Selection.worker("Audti").resolve(in: inventory, knownWorkers: known)
        else {
            Issue.record("accepted")
            return
        }
        #expect(e.status == 65)
        #expect(e.message.contains("did you mean Audit?"))
    }

    @Test func idsAreFoundAcrossWorkersAndCaseInsensitively() throws {
        let targets = try DeadLetterOperations.Selection.ids([b1, a2.lowercased()], worker: nil).resolve(
            in: inventory, knownWorkers: known
        )
        .get()
        #expect(targets.map(\.worker) == ["Audit", "Inventory"])
        #expect(targets.map(\.ids) == [[a2], [b1]])
    }

    @Test func unknownIdsFailTogetherWithHints() {
        let request = DeadLetterOperations.Selection.ids(
            [a1, "0F6C1C3E-2222", "9B0D7F22-3333-4A7B-9C11-00000000000X", "nope"], worker: nil)
        guard case .failure(let e) = request.resolve(in: inventory, knownWorkers: known) else {
            Issue.record("accepted")
            return
        }
        #expect(e.status == 65)
        let lines = e.message.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0] == "no dead letter with id 0F6C1C3E-2222 (did you mean \(a2)?)")
        #expect(lines[1] == "no dead letter with id 9B0D7F22-3333-4A7B-9C11-00000000000X (did you mean \(b1)?)")
        #expect(lines[2].hasPrefix("no dead letter with id nope ("))
    }

    @Test func anAmbiguousPrefixSaysSo() {
        guard
            case .failure(let e) = DeadLetterOperations.Selection.ids(["0F6C1C3E"], worker: nil).resolve(
                in: inventory, knownWorkers: known)
        else {
            Issue.record("accepted")
            return
        }
        #expect(e.message.contains("2 ids start with 0F6C1C3E"))
    }

    @Test func anIdUnderAnotherWorkerIsNamed() {
        guard
            case .failure(let e) = DeadLetterOperations.Selection.ids([b1], worker: "Audit").resolve(
                in: inventory, knownWorkers: known)
        else {
            Issue.record("accepted")
            return
        }
        #expect(e.message.contains("of worker Inventory"))
    }
}
