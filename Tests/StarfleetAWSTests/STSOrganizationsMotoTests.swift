import Foundation
import Logging
import StarfleetClock
import StarfleetTestSupport
import Testing

@testable import StarfleetAWS

/// STS AssumeRole, the assumed-role credentials cache, Organizations and EC2 DescribeRegions against a real
/// moto_server. moto keeps one organization per account, so the management account is moto's default
/// (123456789012) and the org role is assumed there.
@Suite struct STSOrganizationsMotoTests {
    static let managementAccount = "123456789012"

    static func session(_ server: TestServer) -> AWSSession {
        let environment = ["AWS_ENDPOINT_URL": server.baseURL, "AWS_REGION": "us-east-1"]
        return AWSSession(
            http: HTTPClient(logger: Logger(label: "test")),
            credentials: StaticCredentialsProvider(AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing")),
            environment: environment)
    }

    @Test func assumeRoleGivesTemporaryCredentialsOfThatAccount() async throws {
        try await TestServer.withMoto { server in
            let session = Self.session(server)
            let sts = session.clients().sts()
            let role = "arn:aws:iam::210987654321:role/starfleet-worker"
            let assumed = try await sts.assumeRole(roleARN: role, sessionName: "StarfleetAccountIndexer", durationSeconds: 900)
            #expect(assumed.accessKeyID.hasPrefix("ASIA"))
            #expect(assumed.sessionToken != nil)
            let expiration = try #require(assumed.expiration)
            #expect(expiration > Date() && expiration < Date().addingTimeInterval(3_600))
            let identity = try await session.clients(account: "210987654321", role: "starfleet-worker", sessionName: "probe")
                .sts().getCallerIdentity()
            #expect(identity.account == "210987654321")
            #expect(identity.arn == "arn:aws:sts::210987654321:assumed-role/starfleet-worker/probe")
        }
    }

    @Test func assumedRoleCredentialsAreCachedUntilFiveMinutesBeforeExpiry() async throws {
        try await TestServer.withMoto { server in
            // The manual clock decides only freshness; HTTP (and any retry wait) runs on the real one.
            let clock = ManualClock(Date())
            let session = Self.session(server)
            let provider = AssumedRoleCredentialsProvider(
                roleARN: "arn:aws:iam::123456789012:role/r", sessionName: "cache", sts: session.clients().sts(), clock: clock)
            async let a = provider.credentials()
            async let b = provider.credentials()
            let (first, second) = try await (a, b)
            #expect(first == second)
            #expect(await provider.assumeCalls == 1)
            clock.advance(by: 3_600 - 301)
            #expect(try await provider.credentials() == first)
            #expect(await provider.assumeCalls == 1)
            // Well past the margin: the expiry is moto's real time of the first call plus an hour, which on a loaded
            // machine is seconds after this clock's start, so a step of 2 s could still fall short of it.
            clock.advance(by: 600)
            // A second AssumeRole (moto may hand out the same key id again, so count the calls).
            let refreshed = try await provider.credentials()
            #expect(await provider.assumeCalls == 2)
            #expect(refreshed.accessKeyID.hasPrefix("ASIA"))
            // The session hands out one provider per role and session name.
            let one = session.clients(account: "1", role: "r", sessionName: "s").credentials
            let two = session.clients(account: "1", role: "r", sessionName: "s").credentials
            #expect((one as? AssumedRoleCredentialsProvider) === (two as? AssumedRoleCredentialsProvider))
        }
    }

    @Test func assumeRoleFailureNamesTheRoleAndNoSecret() async throws {
        try await TestServer.withFaultServer { server in
            // STS refuses (403, not retried): the error names the role and the advice, never a secret.
            let environment = ["AWS_ENDPOINT_URL_STS": server.baseURL + "/status/403/sts-deny"]
            let session = AWSSession(
                http: HTTPClient(logger: Logger(label: "test")),
                credentials: StaticCredentialsProvider(AWSCredentials(accessKeyID: "AKID", secretAccessKey: "base-secret")),
                environment: environment)
            let clients = session.clients(account: "123456789012", role: "missing", sessionName: "s")
            let error = await #expect(throws: CredentialsError.self) { _ = try await clients.credentials.credentials() }
            #expect(error?.description.contains("arn:aws:iam::123456789012:role/missing") == true)
            #expect(error?.description.contains("access denied") == true)
            #expect(error?.description.contains("base-secret") == false)
        }
    }

    @Test func organizationsReadsNestedOUsTagsAndPages() async throws {
        try await TestServer.withMoto { server in
            let session = Self.session(server)
            let org = try await MotoOrganization.create(session.clients().organizations(), accounts: 5)
            let client = session.clients(account: Self.managementAccount, role: "OrgRole", sessionName: "t").organizations()

            let first = try await client.listAccountsPage(maxResults: 2)
            #expect(first.accounts.count == 2)
            #expect(first.nextToken != nil)
            let all = try await client.listAccounts()
            #expect(all.count == 6)
            let paged = try await client.listAccounts(pageSize: 2)
            #expect(paged.map(\.Id) == all.map(\.Id))
            #expect(Set(all.map(\.Id)).count == 6)
            #expect(all.allSatisfy { $0.Status == "ACTIVE" && $0.JoinedTimestamp != nil })

            #expect(try await client.listRoots().map(\.Id) == [org.root])
            #expect(try await client.listOrganizationalUnits(parentID: org.root).map(\.Name) == ["Prod"])
            #expect(
                try await client.listParents(childID: org.deep) == [
                    OrganizationParent(Id: org.middle, Type: "ORGANIZATIONAL_UNIT")
                ])
            #expect(try await client.listParents(childID: org.top) == [OrganizationParent(Id: org.root, Type: "ROOT")])
            #expect(try await client.describeOrganizationalUnit(id: org.deep).Name == "Web")
            #expect(try await client.listTags(resourceID: org.accounts[0]) == ["Env": "Prod", "Team": "a"])
            #expect(try await client.listTags(resourceID: Self.managementAccount) == [:])

            let missing = await #expect(throws: HTTPError.self) {
                _ = try await client.describeOrganizationalUnit(id: "ou-zzzz-zzzzzzzz")
            }
            #expect(missing?.awsCode != nil)
        }
    }

    @Test func describeRegionsInAnAccountThroughItsRole() async throws {
        try await TestServer.withMoto { server in
            let session = Self.session(server)
            let regions = try await session.clients(account: "210987654321", role: "regions", sessionName: "t").ec2()
                .describeRegions()
            #expect(regions.contains("us-east-1") && regions.contains("eu-west-1"))
            #expect(regions == regions.sorted())
            #expect(!regions.contains("ap-east-1"), "moto lists opt-in regions as not-opted-in; they are left out")
        }
    }
}

/// Builds an organization in moto through the JSON protocol: root → Prod → Api → Web (three levels of OUs),
/// accounts spread over them, each tagged.
struct MotoOrganization {
    var root: String
    var top: String
    var middle: String
    var deep: String
    var accounts: [String]

    struct Tag: Encodable {
        var Key: String
        var Value: String
    }
    struct NewAccount: Encodable {
        var Email: String
        var AccountName: String
        var Tags: [Tag]
    }
    struct Created: Decodable {
        var CreateAccountStatus: Status
        struct Status: Decodable { var AccountId: String }
    }
    struct NewUnit: Decodable { var OrganizationalUnit: OrganizationUnit }
    struct Roots: Decodable { var Roots: [OrganizationUnit] }
    struct Empty: Decodable {}

    static func create(_ client: OrganizationsClient, accounts count: Int) async throws -> MotoOrganization {
        let json = client.json
        _ = try await json.call("CreateOrganization", ["FeatureSet": "ALL"], as: Empty.self)
        let root = try await json.call("ListRoots", [String: String](), as: Roots.self).Roots[0].Id
        func unit(_ name: String, under parent: String) async throws -> String {
            try await json.call("CreateOrganizationalUnit", ["ParentId": parent, "Name": name], as: NewUnit.self)
                .OrganizationalUnit.Id
        }
        let top = try await unit("Prod", under: root)
        let middle = try await unit("Api", under: top)
        let deep = try await unit("Web", under: middle)
        var ids: [String] = []
        for i in 0..<count {
            let tags = [
                Tag(Key: "Env", Value: i % 2 == 0 ? "Prod" : "Dev"),
                Tag(Key: "Team", Value: String(UnicodeScalar(97 + i) ?? "z")),
            ]
            let id = try await json.call(
                "CreateAccount", NewAccount(Email: "a\(i)@example.com", AccountName: "Account \(i)", Tags: tags), as: Created.self
            ).CreateAccountStatus.AccountId
            let destination = [root, top, middle, deep][i % 4]
            if destination != root {
                _ = try await json.call(
                    "MoveAccount", ["AccountId": id, "SourceParentId": root, "DestinationParentId": destination], as: Empty.self)
            }
            ids.append(id)
        }
        return MotoOrganization(root: root, top: top, middle: middle, deep: deep, accounts: ids)
    }
}
