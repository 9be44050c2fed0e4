import FoundationEssentials
import Glibc
import Logging
import StarfleetSystemd
import Testing

/// A real sd_journal_sendv round trip into a fake journald socket. sd_journal_sendv always writes to
/// /run/systemd/journal/socket, so this needs a private mount namespace (root): scripts/e2e/fake-journal.sh.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["STARFLEET_FAKE_JOURNAL"] == "1"))
struct JournalRoundTripTests {
    @Test func entriesArriveWithEveryField() throws {
        let journal = try DatagramListener(abstract: false, fixedPath: JournalLogHandler.journalSocketPath)
        var handler = JournalLogHandler(identifier: "starfleetd", logLevel: .debug)
        handler[metadataKey: "worker"] = "AuditWorker"
        let logger = Logger(label: "test") { _ in handler }
        let line = #line + 1
        logger.warning("retrying\nlater", metadata: ["account_id": "123456789012", "receive_count": "2"])
        let datagram = try #require(journal.receiveBytes())
        let fields = Self.parse(datagram)
        #expect(fields["MESSAGE"] == "retrying\nlater")
        #expect(fields["PRIORITY"] == "4")
        #expect(fields["SYSLOG_IDENTIFIER"] == "starfleetd")
        #expect(fields["CODE_FILE"]?.hasSuffix("JournalRoundTripTests.swift") == true)
        #expect(fields["CODE_LINE"] == "\(line)")
        #expect(fields["CODE_FUNC"] == "entriesArriveWithEveryField()")
        #expect(fields["WORKER"] == "AuditWorker")
        #expect(fields["ACCOUNT_ID"] == "123456789012")
        #expect(fields["RECEIVE_COUNT"] == "2")
    }

    @Test func aRefusingJournalFallsBackToStderr() throws {
        // A socket file nobody listens on any more: journald has died, sendv gets ECONNREFUSED.
        let stale = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(JournalLogHandler.journalSocketPath.utf8) + [0]
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(bound == 0)
        close(stale)
        defer { unlink(JournalLogHandler.journalSocketPath) }

        let pipe = try Pipe()
        let handler = JournalLogHandler(identifier: "starfleetd", fallbackFileDescriptor: pipe.write)
        Logger(label: "test") { _ in handler }.error("queue closed", metadata: ["worker": "W"])
        #expect(pipe.readAll() == "<3>queue closed worker=W\n")
    }

    /// The native protocol: `KEY=value\n`, or `KEY\n` + little-endian u64 length + bytes + `\n`.
    static func parse(_ bytes: [UInt8]) -> [String: String] {
        var fields: [String: String] = [:]
        var index = 0
        while index < bytes.count {
            guard let end = bytes[index...].firstIndex(where: { $0 == 10 || $0 == 61 }) else { break }
            let key = String(decoding: bytes[index..<end], as: UTF8.self)
            if bytes[end] == 61 {
                let stop = bytes[(end + 1)...].firstIndex(of: 10) ?? bytes.count
                fields[key] = String(decoding: bytes[(end + 1)..<stop], as: UTF8.self)
                index = stop + 1
            } else {
                var length = 0
                for shift in 0..<8 { length |= Int(bytes[end + 1 + shift]) << (8 * shift) }
                let start = end + 9
                fields[key] = String(decoding: bytes[start..<(start + length)], as: UTF8.self)
                index = start + length + 1
            }
        }
        return fields
    }
}
