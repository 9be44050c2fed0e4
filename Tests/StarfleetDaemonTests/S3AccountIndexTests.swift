import Foundation
import Logging
import StarfleetAWS
import StarfleetCore
import Synchronization
import Testing

@testable import StarfleetDaemon

/// The S3 account index (StarfleetDefaultAccountIndex): downloaded once, then asked for with If-None-Match, so only a
/// new ETag is parsed again; without a copy a failure is an error the Starbase retries.
@Suite struct S3AccountIndexTests {
    /// One S3 object that answers conditional GETs like S3 does and records what it was asked.
    final class FakeIndexObject: AccountIndexObjectReader, Sendable {
        private let state = Mutex<(body: [UInt8]?, etag: String, down: Bool, asked: [String?])>((nil, "", false, []))
        let location = "s3://index-bucket/accountIndex.json"

        func replace(accounts: [String], etag: String) {
            state.withLock {
                $0.body = Self.index(accounts)
                $0.etag = etag
            }
        }
        func down(_ value: Bool) { state.withLock { $0.down = value } }
        var asked: [String?] { state.withLock { $0.asked } }

        func get(ifNoneMatch etag: String?) async throws -> S3GetResult {
            try state.withLock { s in
                s.asked.append(etag)
                if s.down { throw CredentialsError("network: connection refused") }
                guard let body = s.body else { throw CredentialsError("NoSuchKey") }
                return etag == s.etag ? .notModified : .object(bytes: body, etag: s.etag)
            }
        }

        static func index(_ ids: [String]) -> [UInt8] {
            let accounts = ids.map { id in
                #""\#(id)": {"Id": "\#(id)", "Name": "a\#(id)", "Arn": "arn:aws:organizations::999999999999:account/o-x/\#(id)", "Parents": [], "Regions": ["us-east-1"], "Tags": {}}"#
            }
            return Array(#"{"accounts": {\#(accounts.joined(separator: ","))}, "generated": "2026-01-01T00:00:00Z"}"#.utf8)
        }
    }

    @Test func loadsOnceThenOnlyANewETagIsDownloadedAgain() async throws {
        let object = FakeIndexObject()
        object.replace(accounts: ["111111111111", "222222222222"], etag: "e1")
        let cache = AccountIndexCache(s3Object: object)
        #expect(cache.location == "s3://index-bucket/accountIndex.json")
        #expect(try await cache.current().accounts.count == 2)
        #expect(try await cache.current().accounts.count == 2)
        #expect(object.asked == [nil, "e1"])
        object.replace(accounts: ["333333333333", "444444444444", "555555555555"], etag: "e2")
        let replaced = try await cache.current()
        #expect(Set(replaced.accounts.map(\.id)) == ["333333333333", "444444444444", "555555555555"])
        #expect(object.asked == [nil, "e1", "e1"])
        _ = try await cache.current()
        #expect(object.asked.last == "e2")
    }

    @Test func withoutACopyAFailureIsAnErrorAndWithOneTheCopyIsUsed() async throws {
        let object = FakeIndexObject()
        let cache = AccountIndexCache(s3Object: object)
        object.down(true)
        await #expect(throws: AccountIndexError.self) { try await cache.current() }
        object.down(false)
        object.replace(accounts: ["111111111111"], etag: "e1")
        #expect(try await cache.current().accounts.count == 1)
        object.down(true)
        #expect(try await cache.current().accounts.count == 1)
    }

    @Test func anInvalidIndexIsAnErrorNamingTheObject() async {
        let cache = AccountIndexCache(s3Object: BrokenBody())
        do {
            _ = try await cache.current()
            Issue.record("a body that is not JSON was accepted")
        } catch {
            #expect(error.source == "s3://b/k")
        }
    }

    struct BrokenBody: AccountIndexObjectReader {
        let location = "s3://b/k"
        func get(ifNoneMatch etag: String?) async throws -> S3GetResult { .object(bytes: Array("not json".utf8), etag: "x") }
    }
}
