import Foundation
import Glibc
import StarfleetFiles
import StarfleetTestSupport
import Testing

/// Issue 20, F9: the atomic replace never writes through something it did not create. Its temporary file is made
/// `O_CREAT|O_EXCL|O_NOFOLLOW` under a random name; whatever already has that name is unlinked, never followed.
@Suite struct AtomicFileTests {
    @Test func aSymlinkPlantedAtTheTemporaryPathIsUnlinkedAndItsTargetUntouched() throws {
        let box = try TemporaryDirectory("atomic")
        defer { box.remove() }
        try box.write("victim", "the victim's file\n")
        let temporary = box.path(".status.json.planted.tmp")
        try FileManager.default.createSymbolicLink(atPath: temporary, withDestinationPath: box.path("victim"))

        try PosixFileSystem().writeAtomically(Array("{}\n".utf8), to: box.path("status.json"), mode: 0o600, temporary: temporary)

        #expect(box.read("victim") == "the victim's file\n")
        #expect(box.read("status.json") == "{}\n")
        #expect(access(temporary, F_OK) != 0 && errno == ENOENT)
        var info = stat()
        #expect(lstat(box.path("status.json"), &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG)
        #expect(info.st_mode & 0o777 == 0o600)
    }

    @Test func aLinkPlantedAgainAfterTheUnlinkFailsTheWriteInsteadOfFollowingIt() throws {
        let box = try TemporaryDirectory("atomic")
        defer { box.remove() }
        try box.write("victim", "the victim's file\n")
        try box.write("status.json", "old\n")
        let temporary = box.path(".status.json.planted.tmp")
        try FileManager.default.createSymbolicLink(atPath: temporary, withDestinationPath: box.path("victim"))
        // Someone who could write the folder would win the race between the unlink and the second create.
        let racing = ReplantingFileSystem(link: temporary, target: box.path("victim"))

        #expect(throws: FileSystemError.self) {
            try racing.writeAtomically(Array("new\n".utf8), to: box.path("status.json"), mode: 0o600, temporary: temporary)
        }
        #expect(box.read("victim") == "the victim's file\n")
        #expect(box.read("status.json") == "old\n")
    }

    @Test func everyWriteUsesItsOwnTemporaryAndLeavesNoneBehind() throws {
        let box = try TemporaryDirectory("atomic")
        defer { box.remove() }
        let names = Set((0..<100).map { _ in PosixFileSystem.temporaryPath(for: box.path("status.json")) })
        #expect(names.count == 100)
        #expect(names.allSatisfy { $0.hasPrefix(box.path(".status.json.")) && $0.hasSuffix(".tmp") })
        for i in 0..<5 { try PosixFileSystem().writeAtomically(Array("\(i)\n".utf8), to: box.path("status.json")) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.path) == ["status.json"])
        #expect(box.read("status.json") == "4\n")
    }
}

/// The real file system, except that unlinking `link` puts a symbolic link to `target` right back, as an attacker
/// racing the writer would.
final class ReplantingFileSystem: FileSystem {
    private let real = PosixFileSystem()
    let link: String
    let target: String

    init(link: String, target: String) {
        self.link = link
        self.target = target
    }

    func unlink(_ path: String) throws {
        try real.unlink(path)
        if path == link { _ = symlink(target, link) }
    }
    func open(_ path: String, flags: Int32, mode: UInt32) throws -> Int32 { try real.open(path, flags: flags, mode: mode) }
    func close(_ fd: Int32) { real.close(fd) }
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64, path: String) throws {
        try real.write(fd, bytes, at: offset, path: path)
    }
    func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64, path: String) throws -> Int {
        try real.read(fd, into: buffer, at: offset, path: path)
    }
    func fdatasync(_ fd: Int32, path: String) throws { try real.fdatasync(fd, path: path) }
    func fsync(_ fd: Int32, path: String) throws { try real.fsync(fd, path: path) }
    func truncate(_ fd: Int32, to size: Int64, path: String) throws { try real.truncate(fd, to: size, path: path) }
    func size(_ fd: Int32, path: String) throws -> Int64 { try real.size(fd, path: path) }
    func rename(_ from: String, to: String) throws { try real.rename(from, to: to) }
    func makeDirectories(_ path: String, mode: UInt32) throws { try real.makeDirectories(path, mode: mode) }
    func contents(ofDirectory path: String) throws -> [String] { try real.contents(ofDirectory: path) }
    func syncDirectory(_ path: String) throws { try real.syncDirectory(path) }
    func fileExists(_ path: String) -> Bool { real.fileExists(path) }
}
