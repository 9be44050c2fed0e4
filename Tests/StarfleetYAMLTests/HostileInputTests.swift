import Foundation
import StarfleetCore
import StarfleetTestSupport
import StarfleetYAML
import Testing

/// Issue 13: hostile or careless input ends in a clear error, in bounded time and memory, and never blocks.
@Suite(.serialized) struct HostileInputTests {
    /// A template whose aliases repeat one 4,000-character string 10, 100, … 100,000 times: 200 KB of text that
    /// expands to 400 MB of JSON, under the old node limit (111,111 nodes).
    static func aliasBombTemplate() -> String {
        var text =
            "TemplateName: bomb\nTemplateDescription: alias bomb\nIncludeAccounts: {AllAccounts: true}\nIncludeRegions: [ALL]\n"
        text += "s: &s \"" + String(repeating: "x", count: 4_000) + "\"\n"
        var previous = "s"
        for name in ["a", "b", "c", "d", "e"] {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
            previous = name
        }
        return text
    }

    static func peakRSSBytes() -> Int {
        var usage = rusage()
        _ = getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1_024
    }

    @Test func aliasBombTemplateIsRefusedFastInBoundedMemory() {
        let started = ContinuousClock.now
        let (template, diagnostics) = TemplateReader.read(
            Array(Self.aliasBombTemplate().utf8), file: "t/bomb.yaml", strategy: .accountRegion)
        let elapsed = ContinuousClock.now - started
        #expect(template == nil)
        let error = diagnostics.first { $0.severity == .error }
        #expect(error?.message.contains("alias bomb") == true, "\(diagnostics)")
        // file:line:col of the alias that crossed the limit (line 8 holds `c: [*b, …]`).
        #expect(error?.mark.file == "t/bomb.yaml")
        #expect(error?.mark.line == 8)
        #expect((error?.mark.column ?? 0) > 1)
        #expect(elapsed < .seconds(2))
        #expect(Self.peakRSSBytes() < 256 * 1_048_576, "peak RSS \(Self.peakRSSBytes() / 1_048_576) MB")
    }

    @Test func aliasBombConfigurationIsRefusedWithItsPlace() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var text = "STARFLEET:\n  TemplateDirectory: t\nBomb:\n  s: &s \"" + String(repeating: "y", count: 4_000) + "\"\n"
        var previous = "s"
        for name in ["a", "b", "c", "d", "e"] {
            text += "  \(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
            previous = name
        }
        try dir.write("config.yaml", text)
        let started = ContinuousClock.now
        let (configuration, diagnostics) = ConfigurationDirectory.load(dir.path)
        #expect(configuration == nil)
        #expect(
            diagnostics.contains {
                $0.message.contains("alias bomb") && $0.mark.file.hasSuffix("config.yaml") && $0.mark.line == 7
            })
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test func aliasesWithinTheLimitsStillExpand() throws {
        let root = try #require(try YAMLParser.parse("a: &a [1, 2]\nb: [*a, *a]\n", file: "ok.yaml"))
        #expect(root["b"]?.sequence?.count == 2)
        #expect(root["b"]?.sequence?.first?.sequence?.count == 2)
    }

    @Test func payloadTooLargeForOneMessageIsRefusedAtValidation() {
        // 300 aliases of a 4,000-character string: 1.2 MB of JSON from a 5 KB file, under every alias limit.
        var text =
            "TemplateName: big\nTemplateDescription: too big to send\nIncludeAccounts: {AllAccounts: true}\nIncludeRegions: [ALL]\n"
        text += "s: &s \"" + String(repeating: "z", count: 4_000) + "\"\n"
        text += "l: [" + Array(repeating: "*s", count: 300).joined(separator: ", ") + "]\n"
        let (template, diagnostics) = TemplateReader.read(Array(text.utf8), file: "big.yaml", strategy: .accountRegion)
        #expect(template == nil)
        #expect(diagnostics.contains { $0.message.contains("queue message holds at most") }, "\(diagnostics)")
    }

    @Test func hundredThousandListItemsParseInLinearTime() throws {
        func documents(_ n: Int) -> (list: String, map: String) {
            var list = "Accounts:\n"
            var map = "Names:\n"
            for i in 0..<n {
                list += "  - \"\(100_000_000_000 + i)\"\n"
                map += "  k\(i): v\n"
            }
            return (list, map)
        }
        func parse(_ n: Int) throws -> Duration {
            let (list, map) = documents(n)
            let started = ContinuousClock.now
            let root = try #require(try YAMLParser.parse(list, file: "list.yaml"))
            let names = try #require(try YAMLParser.parse(map, file: "map.yaml"))
            let elapsed = ContinuousClock.now - started
            #expect(root["Accounts"]?.sequence?.count == n)
            #expect(names["Names"]?.entries?.count == n)
            return elapsed
        }
        // The small size's median of three, so one quiet moment on a loaded machine does not make it the yardstick.
        let small = try [parse(10_000), parse(10_000), parse(10_000)].sorted()[1]
        let large = try parse(100_000)
        // Ten times the items: ~10x the time when linear, ~100x when quadratic (the old copy-on-append took minutes).
        // A ratio with room for a loaded machine (parallel tests slow one parse more than another), not a budget.
        #expect(large < small * 50, "10k items: \(small), 100k items: \(large)")
        #expect(large < .seconds(20), "\(large)")
    }

    /// Runs `body` on its own thread and waits at most `seconds` (a hang in open(2) cannot be cancelled).
    static func finishes(within seconds: Double, _ body: @escaping @Sendable () -> Void) -> Bool {
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            body()
            done.signal()
        }
        return done.wait(timeout: .now() + seconds) == .success
    }

    @Test func fifoNamedYAMLInTheConfigurationDirectoryIsAnErrorNotAHang() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("a.yaml", "STARFLEET:\n  TemplateDirectory: t\n")
        let fifo = dir.path + "/pipe.yaml"
        #expect(mkfifo(fifo, 0o600) == 0)
        let result = LockedBox<[Diagnostic]>()
        let finished = Self.finishes(within: 5) {
            result.value = ConfigurationDirectory.load(dir.path).1
        }
        if !finished {
            // Release the blocked open so the thread ends, then fail.
            let fd = open(fifo, O_WRONLY | O_NONBLOCK)
            if fd >= 0 { close(fd) }
        }
        #expect(finished, "loading a directory with a FIFO named *.yaml hung")
        let diagnostics = result.value ?? []
        #expect(diagnostics.contains { $0.mark.file == fifo && $0.message.contains("not a regular file") }, "\(diagnostics)")
    }

    @Test func fifoNamedYAMLInTheTemplateDirectoryIsSkippedAndReported() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("ok.yaml", "TemplateName: a\nTemplateDescription: b\n")
        #expect(mkfifo(dir.path + "/pipe.yaml", 0o600) == 0)
        let scan = TemplateFiles.scan(under: dir.path)
        #expect(scan.files == [dir.path + "/ok.yaml"])
        #expect(scan.skipped.map(\.path) == [dir.path + "/pipe.yaml"])
        #expect(scan.skipped.first?.reason.contains("FIFO") == true)
    }
}

final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T?
    var value: T? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
