import Foundation
import Logging
import StarfleetCrypto
import StarfleetTestSupport
import Testing

@testable import StarfleetAWS

/// S3Client against a real moto_server started for each test on a free 127.0.0.1 port and killed after.
@Suite struct S3MotoTests {
    static func client(_ server: TestServer) throws -> S3Client {
        let http = HTTPClient(logger: Logger(label: "test"))
        let endpoint = AWSEndpoint.resolve(
            service: "s3", region: "us-east-1", environment: ["AWS_ENDPOINT_URL_S3": server.baseURL])
        #expect(endpoint.isOverride)
        return S3Client(
            http: http,
            credentials: StaticCredentialsProvider(AWSCredentials(accessKeyID: "testkey", secretAccessKey: "testsecret")),
            region: "us-east-1", endpoint: endpoint)
    }

    @Test func listingPaginatesPast1000Keys() async throws {
        try await TestServer.withMoto { server in
            let s3 = try Self.client(server)
            try await s3.createBucket("paged")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        for i in stride(from: worker, to: 2_500, by: 8) {
                            try await s3.putObject(
                                bucket: "paged", key: "in/" + String(format: "%05d", i) + ".yaml",
                                body: Array("n: \(i)\n".utf8), contentType: "text/yaml")
                        }
                    }
                }
                try await group.waitForAll()
            }
            try await s3.putObject(bucket: "paged", key: "other/x", body: [1], contentType: "application/octet-stream")
            let first = try await s3.listObjectsV2(bucket: "paged", prefix: "in/")
            #expect(first.objects.count == 1_000)
            #expect(first.isTruncated)
            #expect(first.nextContinuationToken != nil)
            let all = try await s3.listAllObjects(bucket: "paged", prefix: "in/")
            #expect(all.count == 2_500)
            #expect(Set(all.map(\.key)).count == 2_500)
            #expect(all.map(\.key) == all.map(\.key).sorted())
            #expect(all[7].etag == Digest.hex(md5Hex: "n: 7\n"))
            #expect(all[7].size == 5)
        }
    }

    /// The daemon tells a missing template from a missing bucket by S3's error code (the first is retried, the
    /// second dead-letters at once), so both must come through as `awsCode`.
    @Test func aMissingKeyAndAMissingBucketHaveTheirOwnCodes() async throws {
        try await TestServer.withMoto { server in
            let s3 = try Self.client(server)
            try await s3.createBucket("present")
            do {
                _ = try await s3.getObject(bucket: "present", key: "gone.yaml")
                Issue.record("a missing key was read")
            } catch let error as HTTPError {
                #expect(error.awsCode == "NoSuchKey")
                #expect(error.attempts == 1)
            }
            do {
                _ = try await s3.getObject(bucket: "absent", key: "t.yaml")
                Issue.record("a missing bucket was read")
            } catch let error as HTTPError {
                #expect(error.awsCode == "NoSuchBucket")
                #expect(error.attempts == 1)
            }
            do {
                _ = try await s3.listAllObjects(bucket: "absent", prefix: "W/")
                Issue.record("a missing bucket was listed")
            } catch let error as HTTPError {
                #expect(error.awsCode == "NoSuchBucket")
            }
        }
    }

    @Test func conditionalGetAnswersNotModified() async throws {
        try await TestServer.withMoto { server in
            let s3 = try Self.client(server)
            try await s3.createBucket("cond")
            let etag = try await s3.putObject(bucket: "cond", key: "t.yaml", body: Array("a: 1\n".utf8), contentType: "text/yaml")
            let got = try await s3.getObject(bucket: "cond", key: "t.yaml")
            #expect(got == .object(bytes: Array("a: 1\n".utf8), etag: etag))
            #expect(try await s3.getObject(bucket: "cond", key: "t.yaml", ifNoneMatch: etag) == .notModified)
            #expect(try await s3.getObject(bucket: "cond", key: "t.yaml", ifNoneMatch: "\"\(etag)\"") == .notModified)
            try await s3.putObject(bucket: "cond", key: "t.yaml", body: Array("a: 2\n".utf8), contentType: "text/yaml")
            let changed = try await s3.getObject(bucket: "cond", key: "t.yaml", ifNoneMatch: etag)
            #expect(changed != .notModified)
        }
    }

    @Test func oddKeysRoundTrip() async throws {
        try await TestServer.withMoto { server in
            let s3 = try Self.client(server)
            try await s3.createBucket("odd")
            let keys = ["dir/with space.yaml", "plus+sign.json", "ünïcødé/ሴ.txt", "a/b/c/d~e=f&g.txt"]
            for key in keys {
                try await s3.putObject(bucket: "odd", key: key, body: Array(key.utf8), contentType: "text/plain")
            }
            for key in keys {
                guard case .object(let bytes, _) = try await s3.getObject(bucket: "odd", key: key) else {
                    Issue.record("no object for \(key)")
                    continue
                }
                #expect(String(decoding: bytes, as: UTF8.self) == key)
            }
            let listed = try await s3.listAllObjects(bucket: "odd")
            #expect(Set(listed.map(\.key)) == Set(keys))
            let spaced = try await s3.listAllObjects(bucket: "odd", prefix: "dir/with ")
            #expect(spaced.map(\.key) == ["dir/with space.yaml"])
        }
    }

    @Test func missingKeyAndBucketAreServiceErrors() async throws {
        try await TestServer.withMoto { server in
            let s3 = try Self.client(server)
            try await s3.createBucket("errs")
            let missingKey = await #expect(throws: HTTPError.self) { _ = try await s3.getObject(bucket: "errs", key: "nope") }
            #expect(missingKey?.awsCode == "NoSuchKey")
            let missingBucket = await #expect(throws: HTTPError.self) { _ = try await s3.listObjectsV2(bucket: "absent") }
            #expect(missingBucket?.awsCode == "NoSuchBucket")
            #expect(missingBucket?.description.contains("bucket does not exist") == true)
        }
    }
}

extension Digest {
    /// MD5 hex via the md5sum-free route: moto's ETag for a simple PUT is the MD5 of the body.
    static func hex(md5Hex text: String) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import hashlib,sys; print(hashlib.md5(sys.argv[1].encode()).hexdigest())", text]
        let pipe = Pipe()
        process.standardOutput = pipe
        try? process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
