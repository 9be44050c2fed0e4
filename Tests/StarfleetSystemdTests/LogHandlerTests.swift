import Glibc
import Logging
import StarfleetSystemd
import Testing

@Suite struct LogHandlerTests {
    @Test func stderrLinesCarryThePriorityPrefixAndSortedMetadata() throws {
        let pipe = try Pipe()
        var handler = StderrLogHandler(identifier: "starfleetd", fileDescriptor: pipe.write, logLevel: .trace)
        handler[metadataKey: "worker"] = "AuditWorker"
        var logger = Logger(label: "test") { _ in handler }
        logger.logLevel = .trace
        logger.info("fan-out done", metadata: ["account_id": "123456789012"])
        logger.error("worker failed\nexit 3", metadata: ["stderr": "boom: \"bad\"", "empty": ""])
        logger.debug("tick")
        logger.warning("slow", metadata: ["receive_count": .stringConvertible(3)])
        logger.critical("disk full")
        logger.notice("reloaded")
        #expect(
            pipe.readAll() == """
                <6>starfleetd: fan-out done account_id=123456789012 worker=AuditWorker
                <3>starfleetd: worker failed\\nexit 3 empty="" stderr="boom: \\"bad\\"" worker=AuditWorker
                <7>starfleetd: tick worker=AuditWorker
                <4>starfleetd: slow receive_count=3 worker=AuditWorker
                <2>starfleetd: disk full worker=AuditWorker
                <5>starfleetd: reloaded worker=AuditWorker

                """)
    }

    @Test func stderrLineWithoutIdentifierForTheJournalStream() {
        #expect(StderrLogHandler.line(level: .info, message: "ready", metadata: [:], identifier: nil) == "<6>ready")
    }

    @Test func priorities() {
        let levels: [Logger.Level] = [.trace, .debug, .info, .notice, .warning, .error, .critical]
        #expect(levels.map(\.syslogPriority) == [7, 7, 6, 5, 4, 3, 2])
    }

    @Test(arguments: [
        ("worker", "WORKER"), ("account_id", "ACCOUNT_ID"), ("template", "TEMPLATE"), ("region", "REGION"),
        ("message_id", "MESSAGE_ID"), ("receive_count", "RECEIVE_COUNT"), ("receive-count", "RECEIVE_COUNT"),
        ("Account.Id", "ACCOUNT_ID"), ("_pid", "PID"), ("__x", "X"), ("9lives", "X_9LIVES"), ("", "X_FIELD"),
        ("message", "X_MESSAGE"), ("priority", "X_PRIORITY"), ("größe", "GR____E"),
        (String(repeating: "a", count: 80), String(repeating: "A", count: 64)),
    ])
    func journalFieldNames(key: String, field: String) {
        #expect(JournalLogHandler.fieldName(for: key) == field)
    }

    @Test func journalEntryFields() {
        let fields = JournalLogHandler.fields(
            level: .warning, message: "retrying\nlater",
            metadata: [
                "worker": "AuditWorker", "account_id": "42",
                "message": "shadow",
            ],
            identifier: "starfleetd", file: "StarfleetApp/Dispatcher.swift", function: "run()", line: 88)
        #expect(
            fields == [
                "MESSAGE=retrying\nlater", "PRIORITY=4", "SYSLOG_IDENTIFIER=starfleetd",
                "CODE_FILE=StarfleetApp/Dispatcher.swift", "CODE_LINE=88", "CODE_FUNC=run()",
                "ACCOUNT_ID=42", "X_MESSAGE=shadow", "WORKER=AuditWorker",
            ])
    }

    @Test func journalStreamDetectionComparesDeviceAndInode() throws {
        let pipe = try Pipe()
        var status = stat()
        try #require(fstat(pipe.write, &status) == 0)
        let match = "\(status.st_dev):\(status.st_ino)"
        #expect(JournalLogHandler.isJournalStream(environment: ["JOURNAL_STREAM": match], fileDescriptor: pipe.write))
        #expect(
            !JournalLogHandler.isJournalStream(
                environment: ["JOURNAL_STREAM": "\(status.st_dev):\(status.st_ino + 1)"], fileDescriptor: pipe.write))
        #expect(!JournalLogHandler.isJournalStream(environment: [:], fileDescriptor: pipe.write))
        #expect(!JournalLogHandler.isJournalStream(environment: ["JOURNAL_STREAM": "junk"], fileDescriptor: pipe.write))

        // Journal only when stderr is the journal stream AND the journal socket exists.
        let socket = try DatagramListener(abstract: false)
        #expect(
            JournalLogHandler.preferredTarget(
                environment: ["JOURNAL_STREAM": match], stderrFileDescriptor: pipe.write,
                journalSocket: socket.address) == .journal)
        #expect(
            JournalLogHandler.preferredTarget(
                environment: ["JOURNAL_STREAM": match], stderrFileDescriptor: pipe.write,
                journalSocket: socket.address + ".absent") == .stderr)
        #expect(
            JournalLogHandler.preferredTarget(
                environment: [:], stderrFileDescriptor: pipe.write, journalSocket: socket.address) == .stderr)
    }
}

/// A pipe whose write end a handler logs into; the test reads what arrived.
final class Pipe {
    let read: Int32
    let write: Int32
    /// Whether ``readAll()`` has closed the write end: closing it again in deinit could close a descriptor another
    /// test running in parallel has been given the same number since.
    private var writeClosed = false

    init() throws {
        var fds: [Int32] = [0, 0]
        guard Glibc.pipe(&fds) == 0 else { throw DatagramListener.Failure(description: "pipe: errno \(errno)") }
        read = fds[0]
        write = fds[1]
    }

    /// Everything written so far (closes the write end first).
    func readAll() -> String {
        if !writeClosed { close(write) }
        writeClosed = true
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = Glibc.read(read, &buffer, buffer.count)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    deinit {
        close(read)
        if !writeClosed { close(write) }
    }
}
