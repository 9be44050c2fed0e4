import Foundation
import Glibc
import StarfleetFiles
import StarfleetTestSupport
import Testing

/// Issue 20, F9: a state or runtime directory (or a folder the daemon keeps in it) that another user owns or may
/// write is refused with its path, not adopted. The tests run as root, so "another user" is a chown away.
@Suite struct PrivateDirectoryTests {
    static let isRoot = geteuid() == 0
    static let nobody: UInt32 = 65534

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func mode(_ path: String) -> UInt32 {
        var info = stat()
        return stat(path, &info) == 0 ? UInt32(info.st_mode & 0o7777) : 0
    }

    @Test func aDirectoryItMakesIsPrivateAndPasses() throws {
        let box = try TemporaryDirectory("private")
        defer { box.remove() }
        try PrivateDirectory.make(box.path("state/run"))
        #expect(Self.mode(box.path("state/run")) == 0o700)
        try PrivateDirectory.checkFolders(["run", "queues"], under: box.path("state"))
    }

    /// A folder above the state directory that others may write (and is not sticky) would let them rename the state
    /// directory away after the check and put their own in its place; a sticky one (as /tmp) would not.
    @Test func aDirectoryInAFolderOthersMayChangeIsRefused() throws {
        let box = try TemporaryDirectory("private")
        defer { box.remove() }
        let shared = try box.makeDirectory("shared")
        let state = try box.makeDirectory("shared/state")
        #expect(chmod(state, 0o700) == 0)
        #expect(chmod(shared, 0o777) == 0)
        let error = try #require(throws: UntrustedDirectoryError.self) { try PrivateDirectory.check(state) }
        #expect(error.path == state && error.problem.contains("writable by its group or by others"), "\(error)")
        #expect(chmod(shared, 0o1777) == 0)
        try PrivateDirectory.check(state)
    }

    @Test(arguments: [0o777, 0o770, 0o722, 0o1777])
    func aDirectoryWritableByOthersIsRefusedWithItsPath(mode: Int) throws {
        let box = try TemporaryDirectory("private")
        defer { box.remove() }
        let state = try box.makeDirectory("state")
        #expect(chmod(state, mode_t(mode)) == 0)
        let error = try #require(throws: UntrustedDirectoryError.self) { try PrivateDirectory.make(state) }
        #expect(error.path == state)
        #expect(error.description.contains(state) && error.description.contains("writable by its group or by others"))
        // What the daemon refuses it leaves as it was.
        #expect(Self.mode(state) == UInt32(mode))
    }

    @Test(.enabled(if: isRoot, "chown needs root")) func aDirectoryOwnedByAnotherUserIsRefused() throws {
        let box = try TemporaryDirectory("private")
        defer { box.remove() }
        let state = try box.makeDirectory("state")
        #expect(chmod(state, 0o700) == 0 && chown(state, Self.nobody, Self.nobody) == 0)
        let error = try #require(throws: UntrustedDirectoryError.self) { try PrivateDirectory.check(state) }
        #expect(error.path == state && error.problem == "is owned by uid 65534")
        // The same directory is fine for the user who owns it.
        try PrivateDirectory.check(state, owner: Self.nobody)
    }

    @Test(.enabled(if: isRoot, "chown needs root")) func aFolderInsideAnotherUserPlantedIsRefused() throws {
        let box = try TemporaryDirectory("private")
        defer { box.remove() }
        let state = try box.makeDirectory("state")
        #expect(chmod(state, 0o700) == 0)
        let planted = try box.makeDirectory("state/run")
        #expect(chown(planted, Self.nobody, Self.nobody) == 0)
        try PrivateDirectory.check(state)
        let error = try #require(throws: UntrustedDirectoryError.self) {
            try PrivateDirectory.checkFolders(["queues", "run"], under: state)
        }
        #expect(error.path == planted)
        // One level further down too: a worker's folder in workers/.
        #expect(chown(planted, 0, 0) == 0)
        let worker = try box.makeDirectory("state/run/workers/Audit")
        #expect(chmod(worker, 0o777) == 0)
        try PrivateDirectory.checkFolders(["run"], under: state)  // run/'s own children: workers/ is fine
        let deeper = try #require(throws: UntrustedDirectoryError.self) {
            try PrivateDirectory.checkFolders(["workers"], under: box.path("state/run"))
        }
        #expect(deeper.path == worker)
    }

    @Test(.enabled(if: isRoot, "chown needs root")) func aRootOwnedLinkToThePrivateDirectoryIsFollowed() throws {
        // systemd's DynamicUser=: /var/lib/starfleetd is root's link to private/starfleetd, the service user's.
        let box = try TemporaryDirectory("private")
        defer { box.remove() }
        let target = try box.makeDirectory("private/starfleetd")
        #expect(chmod(target, 0o700) == 0 && chown(target, Self.nobody, Self.nobody) == 0)
        #expect(symlink(target, box.path("starfleetd")) == 0)
        try PrivateDirectory.check(box.path("starfleetd"), owner: Self.nobody)
        // A link someone else made is not followed, even to a good directory.
        #expect(symlink(target, box.path("planted")) == 0 && lchown(box.path("planted"), 4242, 4242) == 0)
        let error = try #require(throws: UntrustedDirectoryError.self) {
            try PrivateDirectory.check(box.path("planted"), owner: Self.nobody)
        }
        #expect(error.problem == "is a symbolic link owned by uid 4242")
        // And a good link to a directory that is not the user's is refused at the target.
        #expect(throws: UntrustedDirectoryError.self) { try PrivateDirectory.check(box.path("starfleetd"), owner: 1000) }
    }
}
