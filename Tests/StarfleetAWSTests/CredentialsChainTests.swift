import Foundation
import Logging
import StarfleetClock
import StarfleetTestSupport
import Testing

@testable import StarfleetAWS

/// The chain's sources and order: env, systemd credentials, profile files, container, IMDSv2 (the last two
/// served by the fault server), and refresh before expiry with a manual clock.
@Suite struct CredentialsChainTests {
    static let http = HTTPClient(logger: Logger(label: "test"))
    /// Nothing reachable: IMDS pointed at a closed port so a miss fails fast.
    static func isolated(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ["HOME": "/nonexistent", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(TestServer.freePort())"]
        env.merge(extra) { $1 }
        return env
    }

    static func tempDir(_ files: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aws-creds-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
        return dir
    }

    @Test func environmentComesFirst() async throws {
        let dir = try Self.tempDir(["aws_access_key_id": "SYSTEMDKEY\n", "aws_secret_access_key": "s\n"])
        let chain = CredentialsChain(
            environment: Self.isolated([
                "AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_SESSION_TOKEN": "envtoken",
                "CREDENTIALS_DIRECTORY": dir,
            ]), http: Self.http)
        let found = try await chain.credentials()
        #expect(found.accessKeyID == "ENVKEY")
        #expect(found.sessionToken == "envtoken")
        #expect(!"\(found)".contains("envsecret"))
    }

    @Test func systemdCredentialsBeforeProfiles() async throws {
        let dir = try Self.tempDir([
            "aws_access_key_id": "SYSTEMDKEY\n", "aws_secret_access_key": "systemdsecret\n",
            "credentials": "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n",
        ])
        let chain = CredentialsChain(
            environment: Self.isolated(["CREDENTIALS_DIRECTORY": dir, "AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials"]),
            http: Self.http)
        let found = try await chain.credentials()
        #expect(found.accessKeyID == "SYSTEMDKEY")
        #expect(found.secretAccessKey == "systemdsecret")
        #expect(found.sessionToken == nil)
    }

    @Test func profilesFromCredentialsAndConfigFiles() async throws {
        let dir = try Self.tempDir([
            "credentials":
                "# comment\n[default]\naws_access_key_id = DEFKEY\naws_secret_access_key = d\n[dev]\naws_access_key_id=DEVKEY\naws_secret_access_key=dev\naws_session_token = devtoken\n",
            "config":
                "[default]\nregion = eu-west-1\n[profile ops]\nregion = us-west-2\naws_access_key_id = OPSKEY\naws_secret_access_key = ops\n[ops]\naws_access_key_id = WRONG\naws_secret_access_key = wrong\n",
        ])
        let base = ["AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials", "AWS_CONFIG_FILE": dir + "/config"]
        #expect(
            try await CredentialsChain(environment: Self.isolated(base), http: Self.http).credentials().accessKeyID == "DEFKEY")
        let dev = try await CredentialsChain(
            environment: Self.isolated(base.merging(["AWS_PROFILE": "dev"]) { $1 }), http: Self.http
        )
        .credentials()
        #expect(dev.accessKeyID == "DEVKEY")
        #expect(dev.sessionToken == "devtoken")
        let ops = base.merging(["AWS_PROFILE": "ops", "AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "x"]) { $1 }
        #expect(
            try await CredentialsChain(environment: Self.isolated(ops), http: Self.http).credentials().accessKeyID == "OPSKEY")
        #expect(LocalCredentialSources.region(Self.isolated(ops)) == "us-west-2")
        #expect(LocalCredentialSources.region(Self.isolated(base)) == "eu-west-1")
    }

    @Test func containerCredentialsWithAuthorizationToken() async throws {
        try await TestServer.withFaultServer { server in
            let chain = CredentialsChain(
                environment: Self.isolated([
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/container/creds",
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN": "container-secret",
                ]), http: Self.http)
            let found = try await chain.credentials()
            #expect(found.accessKeyID == "CONTAINERKEY")
            #expect(found.sessionToken == "container-session")
            #expect(found.expiration == Date(timeIntervalSince1970: 1_767_225_600 + 6 * 3_600))
        }
    }

    @Test func imdsV2WithRefreshBeforeExpiry() async throws {
        try await TestServer.withFaultServer { server in
            let clock = ManualClock()  // 2026-01-01T00:00:00Z; the server's credentials expire at 06:00
            let chain = CredentialsChain(
                environment: ["HOME": "/nonexistent", "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.baseURL],
                http: Self.http, clock: clock, refreshMargin: 600)
            #expect(try await chain.credentials().accessKeyID == "IMDSKEY1")
            clock.advance(by: 5 * 3_600)
            #expect(try await chain.credentials().accessKeyID == "IMDSKEY1")  // cached: 1 h left
            clock.advance(by: 3_000)  // 05:50 → inside the 10 min margin
            let refreshed = try await chain.credentials()
            #expect(refreshed.accessKeyID == "IMDSKEY2")
            #expect(refreshed.source == "imds role role-a")
        }
    }

    @Test func nothingFoundSaysWhatToDo() async throws {
        let chain = CredentialsChain(environment: Self.isolated(), http: Self.http)
        let error = await #expect(throws: CredentialsError.self) { _ = try await chain.credentials() }
        #expect(error?.description.contains("IMDS failed") == true)
    }

    @Test func endpointResolution() {
        let env = ["AWS_ENDPOINT_URL": "http://127.0.0.1:4566/", "AWS_ENDPOINT_URL_SQS": "http://localhost:9324"]
        #expect(AWSEndpoint.resolve(service: "s3", region: "eu-west-1", environment: env).host == "127.0.0.1:4566")
        #expect(AWSEndpoint.resolve(service: "sqs", region: "eu-west-1", environment: env).host == "localhost:9324")
        let real = AWSEndpoint.resolve(
            service: "sqs", region: "eu-west-1", environment: env.merging(["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"]) { $1 })
        #expect(real == AWSEndpoint(scheme: "https", host: "sqs.eu-west-1.amazonaws.com", isOverride: false))
        #expect(
            AWSEndpoint.resolve(service: "organizations", region: "eu-west-1", environment: [:]).host
                == "organizations.us-east-1.amazonaws.com")
    }
}
