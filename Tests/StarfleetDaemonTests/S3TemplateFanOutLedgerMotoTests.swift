import Foundation
import Logging
import StarfleetClock
import StarfleetTestSupport
import Testing

@testable import StarfleetAWS
@testable import StarfleetDaemon

/// The fleet's fan-out ledger and the revision headers against a real moto_server: what one host records another
/// reads, a key never recorded reads as none, and two hosts read the same revision headers.
@Suite struct S3TemplateFanOutLedgerMotoTests {
    static func client(_ server: TestServer) -> S3Client {
        S3Client(
            http: HTTPClient(logger: Logger(label: "test")),
            credentials: StaticCredentialsProvider(AWSCredentials(accessKeyID: "testkey", secretAccessKey: "testsecret")),
            region: "us-east-1",
            endpoint: AWSEndpoint.resolve(
                service: "s3", region: "us-east-1", environment: ["AWS_ENDPOINT_URL_S3": server.baseURL]))
    }

    @Test func oneHostsRecordIsAnothersAndAnUnrecordedKeyHasNone() async throws {
        try await TestServer.withMoto { server in
            let s3 = Self.client(server)
            try await s3.createBucket("templates")
            let clock = ManualClock()
            let hostA = S3TemplateFanOutLedger(s3: s3, bucket: "templates", now: { clock.now() })
            let hostB = S3TemplateFanOutLedger(s3: s3, bucket: "templates", now: { clock.now() })
            #expect(try await hostB.lastEventID(for: "Audit/a.yaml") == nil)
            try await hostA.record(key: "Audit/a.yaml", eventID: "s3|templates|Audit/a.yaml|e:1@x", host: "host-a")
            #expect(try await hostB.lastEventID(for: "Audit/a.yaml") == "s3|templates|Audit/a.yaml|e:1@x")
            let stored = try await s3.getObjectData(bucket: "templates", key: ".starfleet/fanned-out/Audit/a.yaml.json")
            let entry = try JSONDecoder().decode(S3TemplateFanOutLedger.Entry.self, from: Data(stored.bytes))
            #expect(entry.host == "host-a")
        }
    }

    @Test func getObjectDataNamesTheRevisionWithTheHeadersEveryHostGetsAlike() async throws {
        try await TestServer.withMoto { server in
            let s3 = Self.client(server)
            try await s3.createBucket("templates")
            let put = try await s3.putObject(bucket: "templates", key: "Audit/a.yaml", body: Array("a: 1".utf8))
            let hostA = try await S3TemplateBucket(s3: s3, name: "templates").get(key: "Audit/a.yaml")
            let hostB = try await S3TemplateBucket(s3: Self.client(server), name: "templates").get(key: "Audit/a.yaml")
            #expect(hostA.etag == put && hostA.versionId == nil && hostA.lastModified.hasSuffix("GMT"))
            #expect(hostA == hostB)
        }
    }
}
