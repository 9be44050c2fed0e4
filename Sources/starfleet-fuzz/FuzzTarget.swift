import Dispatch
import FoundationEssentials
import Glibc
import Logging
import StarfleetClock
import StarfleetCore
import StarfleetQueue
import StarfleetYAML

/// One fuzz target: a name (the corpus folder under Tests/FuzzCorpus) and a function that must return for every
/// input (errors are fine; a trap, an ASan report or a hang is the bug libFuzzer looks for).
struct FuzzTarget: Sendable {
    let name: String
    let run: @Sendable ([UInt8]) -> Void

    static let all: [FuzzTarget] = [
        FuzzTarget(name: "yaml-config", run: yamlConfig),
        FuzzTarget(name: "template", run: template),
        FuzzTarget(name: "account-index", run: accountIndex),
        FuzzTarget(name: "schedule", run: schedule),
        FuzzTarget(name: "journal", run: journal),
    ]

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}

/// YAML bytes → configuration, as the daemon loads starfleetd.yaml.
@Sendable func yamlConfig(_ bytes: [UInt8]) {
    guard let root = try? YAMLParser.parse(bytes, file: "fuzz.yaml") else { return }
    _ = Configuration.load([ConfigurationDocument(file: "fuzz.yaml", root: root)], directory: "/nonexistent-fuzz-config")
}

/// A small fixed account index the template target plans against: two OUs, a nested one, regions and tags.
let fixedIndex: AccountIndex? = {
    let json = """
        {"accounts": {
          "000000000001": {"Id": "000000000001", "Name": "Account 1", "Arn": "arn:aws:organizations::000000000020:account/o-x/000000000001",
            "Parents": [{"Id": "ou-1234-5678910", "Name": "SomeOU", "Type": "ORGANIZATIONAL_UNIT"}, {"Id": "r-123456", "Name": "ROOT", "Type": "ROOT"}],
            "Regions": ["us-east-1", "us-west-2", "eu-west-1"], "Tags": {"Env": "prod", "Team": "a"}},
          "000000000002": {"Id": "000000000002", "Name": "Account 2", "Arn": "arn:aws:organizations::000000000020:account/o-x/000000000002",
            "Parents": [{"Id": "ou-nested", "Name": "Nested", "Type": "ORGANIZATIONAL_UNIT"}, {"Id": "ou-1234-5678910", "Name": "SomeOU", "Type": "ORGANIZATIONAL_UNIT"}, {"Id": "r-123456", "Name": "ROOT", "Type": "ROOT"}],
            "Regions": ["us-east-1"], "Tags": {"Env": "dev"}},
          "000000000003": {"Id": "000000000003", "Name": "Account 3", "Arn": "arn:aws:organizations::000000000020:account/o-x/000000000003",
            "Parents": [{"Id": "r-123456", "Name": "ROOT", "Type": "ROOT"}], "Regions": [], "Tags": {}},
          "000000000020": {"Id": "000000000020", "Name": "Org root", "Arn": "arn:aws:organizations::000000000020:account/o-x/000000000020",
            "Parents": [{"Id": "r-123456", "Name": "ROOT", "Type": "ROOT"}], "Regions": ["us-east-1"], "Tags": {}}
        }, "generated": "2026-01-01T00:00:00Z"}
        """
    return try? AccountIndex(json: Data(json.utf8), source: "fuzz-index.json")
}()

/// Template bytes → schema check for each fan-out strategy → the plan Starbase would send.
@Sendable func template(_ bytes: [UInt8]) {
    for strategy in FanOutStrategy.allCases {
        let (template, _) = TemplateReader.read(bytes, file: "Fuzz/t.yaml", strategy: strategy)
        guard let template else { continue }
        _ = try? FanOutPlanner.plan(worker: "Fuzz", strategy: strategy, template: template, index: fixedIndex)
        _ = try? FanOutPlanner.plan(
            worker: "Fuzz", strategy: strategy, template: template, index: fixedIndex,
            scopeToRegions: ["us-east-1", "eu-west-1"])
    }
}

/// Account index JSON → AccountIndex.
@Sendable func accountIndex(_ bytes: [UInt8]) {
    _ = try? AccountIndex(json: Data(bytes), source: "fuzz-index.json")
}

/// Fixed dates the schedule target asks for next and previous fires around: the epoch, a leap day, a year end,
/// now-ish, and the far future.
let scheduleDates: [Date] = [
    Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 951_782_400), Date(timeIntervalSince1970: 1_735_689_599),
    Date(timeIntervalSince1970: 1_795_000_000), Date(timeIntervalSince1970: 4_102_444_800),
]

/// UTF-8 text → Schedule → next/previous fire times (must return, never trap).
@Sendable func schedule(_ bytes: [UInt8]) {
    guard let text = String(validating: bytes, as: UTF8.self), let schedule = try? Schedule(parsing: text) else { return }
    for date in scheduleDates {
        if let next = schedule.nextFire(after: date) { _ = schedule.previousFire(atOrBefore: next) }
        _ = schedule.previousFire(atOrBefore: date)
    }
}

/// Journal bytes → `<tmp>/journal/000000000001.seg` → inspect (read-only) and open (recovery, quarantine, a new
/// head segment): both must recover or throw, never trap or hang.
@Sendable func journal(_ bytes: [UInt8]) {
    let directory = JournalScratch.shared.reset()
    let path = directory + "/journal/000000000001.seg"
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { fatalError("fuzz harness: cannot create \(path): errno \(errno)") }
    bytes.withUnsafeBytes { buffer in
        var done = 0
        while done < buffer.count, let base = buffer.baseAddress {
            let n = write(fd, base + done, buffer.count - done)
            if n <= 0 { fatalError("fuzz harness: cannot write \(path): errno \(errno)") }
            done += n
        }
    }
    close(fd)
    let logger = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })
    let options = QueueOptions(deadLetters: DeadLetterDirectory(root: JournalScratch.shared.root + "/dead-letter"))
    _ = try? JournalQueue.inspect(directory: directory, options: options, clock: SystemWallClock(), logger: logger)
    if let queue = try? JournalQueue.open(
        directory: directory, name: "Fuzz", options: options, clock: SystemWallClock(), logger: logger)
    {
        // Close for real (flush, release the lock) so a long run does not pile up descriptors or commit queues.
        let closed = DispatchSemaphore(value: 0)
        Task {
            await queue.close()
            closed.signal()
        }
        closed.wait()
    }
}

/// The journal target's scratch directory, made once per process and emptied before every input.
final class JournalScratch: @unchecked Sendable {
    static let shared = JournalScratch()
    let root: String

    private init() {
        var template = Array("/tmp/starfleet-fuzz-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { fatalError("fuzz harness: mkdtemp failed: errno \(errno)") }
        root = String(cString: made)
        atexit { removeTree(JournalScratch.shared.root) }
    }

    /// Empties the queue directory and returns it with an empty journal folder.
    func reset() -> String {
        let directory = root + "/queue"
        removeTree(directory)
        mkdir(directory, 0o700)
        mkdir(directory + "/journal", 0o700)
        return directory
    }
}

/// rm -rf for the scratch directory (depth two is all a queue directory has, but recurse anyway).
func removeTree(_ path: String) {
    guard let dir = opendir(path) else {
        unlink(path)
        return
    }
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            raw.bindMemory(to: CChar.self).baseAddress.map { String(cString: $0) } ?? ""
        }
        if name == "." || name == ".." { continue }
        let child = path + "/" + name
        var st = stat()
        if lstat(child, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { removeTree(child) } else { unlink(child) }
    }
    closedir(dir)
    rmdir(path)
}
