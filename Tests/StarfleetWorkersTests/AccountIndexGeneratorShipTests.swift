import Foundation
import Logging
import StarfleetAWS
import StarfleetTestSupport
import StarfleetYAML
import Testing

@testable import StarfleetCore
@testable import StarfleetWorkerKit
@testable import StarfleetWorkers

/// The generator's configuration keys, payload rules and result, short of calling AWS (the moto tests do that).
@Suite struct AccountIndexGeneratorShipTests {
    static func node(_ yaml: String) throws -> Node {
        try #require(try YAMLParser.parse(yaml, file: "t.yaml"))
    }

    @Test func settingsReadStarfleetsKeys() throws {
        let section = try Self.node(
            """
            Enabled: true
            OrgAccountAssumeRole: starfleet-worker-basic-test-role
            OrgAccountId: "000000000020"
            OrgRootId: r-123456
            DescribeRegionsAssumeRole: starfleet-worker-basic-test-role
            """)
        let read = AccountIndexGeneratorSettings.read(try Self.configuration(section: section))
        #expect(read.problems.isEmpty)
        #expect(
            read.settings
                == AccountIndexGeneratorSettings(
                    orgAccountAssumeRole: "starfleet-worker-basic-test-role", orgAccountID: "000000000020", orgRootID: "r-123456",
                    describeRegionsAssumeRole: "starfleet-worker-basic-test-role", parallelism: 8))
        let withoutRoot = try Self.node(
            "OrgAccountAssumeRole: a\nOrgAccountId: '123456789012'\nDescribeRegionsAssumeRole: b\nParallelism: 3")
        let settings = try #require(AccountIndexGeneratorSettings.read(try Self.configuration(section: withoutRoot)).settings)
        #expect(settings.orgRootID == nil && settings.parallelism == 3)
    }

    @Test func badSettingsAreReportedWithTheirPlaces() throws {
        let section = try Self.node("OrgAccountId: 000000000020\nOrgRootId: ou-x\nParallelism: 0")
        let configuration = try Self.configuration(section: section)
        let ship = AccountIndexGeneratorShip(configuration: configuration)
        let problems = ship.validate(section: configuration.section).map(\.description)
        #expect(
            problems == [
                "t.yaml:1:1: error: AccountIndexGeneratorShip.OrgAccountAssumeRole: Missing data for required field.",
                "t.yaml:1:15: error: AccountIndexGeneratorShip.OrgAccountId: Not a valid string. (quote ids: \"000000000020\")",
                "t.yaml:1:1: error: AccountIndexGeneratorShip.DescribeRegionsAssumeRole: Missing data for required field.",
                "t.yaml:2:12: error: AccountIndexGeneratorShip.OrgRootId: \"ou-x\" is not a root id (r-…, shown in the Organizations console)",
                "t.yaml:3:14: error: AccountIndexGeneratorShip.Parallelism: must be an integer from 1 to 64",
            ])
        // The registry reports them for the whole configuration; the ship fails with them if it runs anyway.
        let error = #expect(throws: WorkerFailure.self) { try ship.settings.get() }
        #expect(error?.message.contains("OrgAccountAssumeRole: Missing data for required field.") == true)
    }

    @Test func payloadNeedsADestination() throws {
        let ship = AccountIndexGeneratorShip(
            settings: AccountIndexGeneratorSettings(
                orgAccountAssumeRole: "a", orgAccountID: "123456789012", orgRootID: nil, describeRegionsAssumeRole: "b"))
        let s3 = try Self.node(
            "TemplateName: x\nTemplateDescription: y\nAccountInventoryBucket: b\nInventoryBucketRegion: us-east-2")
        #expect(ship.validate(template: s3).isEmpty)
        let local = try Self.node(
            "TemplateName: x\nTemplateDescription: y\nAccountInventoryPath: /var/lib/starfleetd/accountIndex.json")
        #expect(ship.validate(template: local).isEmpty)
        let none = try Self.node("TemplateName: x\nTemplateDescription: y")
        #expect(ship.validate(template: none).map(\.path) == ["AccountInventoryBucket", "InventoryBucketRegion"])
        #expect(ship.validate(template: none).allSatisfy { $0.message == "Missing data for required field." })
        let halfS3 = try Self.node("TemplateName: x\nAccountInventoryBucket: b\nAccountInventoryPath: relative.json")
        #expect(ship.validate(template: halfS3).map(\.path) == ["AccountInventoryPath", "InventoryBucketRegion"])
    }

    @Test func theRegistryKnowsTheGenerator() throws {
        let section = try Self.node("Enabled: true\nTemplatePrefix: AccountIndexGenerator/\nInvocationSources: [S3]")
        let configuration = try Self.configuration(section: section)
        let ship = try #require(WorkerRegistry.ship(for: configuration, workingDirectory: nil))
        #expect(ship is AccountIndexGeneratorShip)
        #expect(ship.fanOutStrategy == .singleInvocation)
    }

    @Test func commitWritesTheLocalFileAtomically() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("generator-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("accountIndex.json").path
        let ship = AccountIndexGeneratorShip(
            settings: AccountIndexGeneratorSettings(
                orgAccountAssumeRole: "a", orgAccountID: "123456789012", orgRootID: nil, describeRegionsAssumeRole: "b"))
        let payload = AccountIndexGeneratorPayload(AccountInventoryPath: path)
        let written = try await ship.write(Array("{}".utf8), payload: payload, context: Self.context(commit: true))
        #expect(written == [path])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{}")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(leftovers == ["accountIndex.json"])
        let missing = AccountIndexGeneratorPayload(AccountInventoryPath: directory.path + "/no/such/dir/index.json")
        await #expect(throws: WorkerFailure.self) {
            _ = try await ship.write([], payload: missing, context: Self.context(commit: true))
        }
    }

    @Test func resultCarriesTheIndexOnlyWithoutCommit() throws {
        let account = IndexedAccount(
            account: OrganizationAccount(Id: "000000000001", Arn: "arn"), parents: [], regions: ["us-east-1"], tags: [:])
        let report = AccountIndexReport(
            accounts: [account], inactive: [SkippedAccount(id: "000000000002", name: nil, reason: "SUSPENDED")],
            failures: [SkippedAccount(id: "000000000003", name: "x", reason: "AccessDenied")], rootID: "r-1",
            generated: Date(timeIntervalSince1970: 0))
        let dry = AccountIndexGeneratorShip.result(report, committed: false, destinations: []).text()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(dry.utf8)) as? [String: Any])
        #expect(json["accounts"] as? Int == 1)
        #expect(json["committed"] as? Bool == false)
        #expect((json["index"] as? [String: Any])?["generated"] as? String == "1970-01-01T00:00:00Z")
        #expect((json["inactive"] as? [[String: String]])?.first?["Reason"] == "SUSPENDED")
        #expect((json["failures"] as? [[String: String]])?.first?["Reason"] == "AccessDenied")
        let committed = AccountIndexGeneratorShip.result(report, committed: true, destinations: ["s3://b/k"]).text()
        #expect(!committed.contains("\"index\""))
        #expect(committed.contains("s3://b/k"))
    }

    static func configuration(section: Node) throws -> WorkerConfiguration {
        WorkerConfiguration(
            name: "AccountIndexGeneratorShip", enabled: true, templatePrefix: "AccountIndexGenerator/", invocationQueueUrl: nil,
            invocationSources: [.s3], schedule: nil, alert: nil, concurrency: 1, visibilityTimeoutSeconds: 300, timeoutSeconds: 0,
            maxReceiveCount: 4, backoff: BackoffPolicy(), commit: false, command: nil, fanOutStrategy: nil, mark: section.mark,
            section: section)
    }

    static func context(commit: Bool) -> WorkerContext {
        WorkerContext(
            worker: "AccountIndexGeneratorShip", account: nil, region: nil, commit: commit, messageId: "m", receiveCount: 1,
            logger: Logger(label: "test"), invoker: NoInvoker())
    }
}
