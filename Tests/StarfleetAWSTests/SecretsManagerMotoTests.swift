import Foundation
import Logging
import StarfleetTestSupport
import Testing

@testable import StarfleetAWS

/// SecretsManagerClient against a real moto_server: Starfleet's secret document comes back as written, and a
/// missing secret is the service's ResourceNotFoundException, not a crash or an empty string.
@Suite struct SecretsManagerMotoTests {
    static func client(_ server: TestServer) -> SecretsManagerClient {
        let endpoint = AWSEndpoint.resolve(
            service: "secretsmanager", region: "us-east-2",
            environment: ["AWS_ENDPOINT_URL_SECRETSMANAGER": server.baseURL])
        return SecretsManagerClient(
            http: HTTPClient(logger: Logger(label: "test")),
            credentials: StaticCredentialsProvider(AWSCredentials(accessKeyID: "testkey", secretAccessKey: "testsecret")),
            region: "us-east-2", endpoint: endpoint)
    }

    @Test func getSecretValueReturnsStarfleetsDocument() async throws {
        try await TestServer.withMoto { server in
            let client = Self.client(server)
            let document = #"{"STARFLEET": {"SlackToken": "xoxb-not-a-real-token"}, "GitHubSyncWorker": {"org": "key"}}"#
            struct Create: Encodable {
                let Name: String
                let SecretString: String
            }
            _ = try await client.call(
                "CreateSecret", body: JSONEncoder().encode(Create(Name: "starfleet-secrets", SecretString: document)))
            let got = try await client.secretString(secretId: "starfleet-secrets")
            #expect(got == document)
        }
    }

    @Test func missingSecretIsResourceNotFound() async throws {
        try await TestServer.withMoto { server in
            do {
                _ = try await Self.client(server).secretString(secretId: "no-such-secret")
                Issue.record("a missing secret returned a value")
            } catch let error as HTTPError {
                #expect(error.awsCode == "ResourceNotFoundException")
            }
        }
    }
}
