import Foundation
import Testing

@testable import StarfleetDaemon

/// Issue 13: status.json (and every state file) is for the service user only, like the dead letters.
@Suite struct StateFileModeTests {
    @Test func stateFilesAreWrittenMode0600EvenOverALeftoverTemporaryFile() throws {
        let dir = NSTemporaryDirectory() + "/sf-state-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/status.json"
        // A temporary file left by a crash, world-readable.
        #expect(
            FileManager.default.createFile(
                atPath: path + ".tmp", contents: Data("{}".utf8), attributes: [.posixPermissions: 0o644]))
        try JSONStateFile.write(["queues": 1], to: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
    }
}
