import Foundation
import Logging
import StarfleetAWS
import StarfleetCore
import StarfleetYAML
import Testing

@testable import StarfleetWorkerKit
@testable import StarfleetWorkers

/// The generator's index building against canned Organizations answers: nested OUs, tags, regions, inactive and
/// failing accounts, bounded parallelism, and an index the daemon's loader reads.
@Suite struct AccountIndexBuilderTests {
    static let logger = Logger(label: "test")
    static let regions = ["us-west-2", "eu-west-1", "us-east-1"]

    /// Twelve accounts: 1-3 under the root, 4-6 in Prod, 7-9 in Api (Prod/Api), 10-12 in Web (Prod/Api/Web).
    static func organization() -> FakeOrganization {
        let places = [FakeOrganization.root, "ou-ab12-prod", "ou-ab12-api", "ou-ab12-web"]
        var parentOf: [String: String] = [:]
        var tags: [String: [String: String]] = [:]
        let accounts = (1...12).map { FakeOrganization.account($0) }
        for (i, account) in accounts.enumerated() {
            parentOf[account.Id] = places[i / 3]
            tags[account.Id] = ["Env": i % 2 == 0 ? "Prod" : "Dev", "Team": "T\(i % 3)"]
        }
        return FakeOrganization(accounts: accounts, parentOf: parentOf, tags: tags)
    }

    static func builder(
        _ org: FakeOrganization, rootID: String? = FakeOrganization.root, parallelism: Int = 8,
        regions: @escaping @Sendable (String) async throws -> [String] = { _ in Self.regions }
    ) -> AccountIndexBuilder {
        AccountIndexBuilder(organization: org, regions: regions, rootID: rootID, parallelism: parallelism, logger: logger)
    }

    @Test func nestedOUsResolveUpToTheRootOncePerOU() async throws {
        let org = Self.organization()
        let report = try await Self.builder(org).build(generated: Date(timeIntervalSince1970: 1_711_564_707))
        #expect(report.accounts.count == 12)
        #expect(report.failures.isEmpty && report.inactive.isEmpty)
        let byID = Dictionary(uniqueKeysWithValues: report.accounts.map { ($0.account.Id, $0) })
        let root = Account.Parent(id: "r-ab12", name: "ROOT", type: "ROOT")
        func ou(_ id: String, _ name: String) -> Account.Parent {
            Account.Parent(id: id, name: name, type: "ORGANIZATIONAL_UNIT")
        }
        #expect(byID["000000000001"]?.parents == [root])
        #expect(byID["000000000005"]?.parents == [ou("ou-ab12-prod", "Prod"), root])
        #expect(byID["000000000008"]?.parents == [ou("ou-ab12-api", "Api"), ou("ou-ab12-prod", "Prod"), root])
        #expect(
            byID["000000000012"]?.parents == [
                ou("ou-ab12-web", "Web"), ou("ou-ab12-api", "Api"), ou("ou-ab12-prod", "Prod"), root,
            ])
        #expect(byID["000000000012"]?.regions == ["eu-west-1", "us-east-1", "us-west-2"])
        #expect(byID["000000000012"]?.tags == ["Env": "Dev", "Team": "T2"])
        // Prod came with the top-level listing; Api and Web were described once each, not once per account.
        #expect(await org.count("DescribeOrganizationalUnit") == 2)
        #expect(await org.count("ListOrganizationalUnitsForParent") == 1)
        #expect(await org.count("ListParents") == 12 + 2)
        #expect(await org.count("ListTagsForResource") == 12)
        #expect(await org.count("ListAccounts") == 4)
        #expect(await org.count("ListRoots") == 0)
    }

    @Test func theRootIsLookedUpWhenNotConfigured() async throws {
        let org = Self.organization()
        let report = try await Self.builder(org, rootID: nil).build(generated: Date())
        #expect(report.rootID == "r-ab12")
        #expect(await org.count("ListRoots") == 1)
    }

    @Test func inactiveAndFailingAccountsAreReportedNotIndexed() async throws {
        let org = Self.organization()
        var accounts = await org.accounts
        accounts.append(FakeOrganization.account(13, status: "SUSPENDED"))
        accounts.append(
            OrganizationAccount(Id: "000000000014", Arn: "a", Name: "Closing", Status: "ACTIVE", State: "PENDING_CLOSURE"))
        let expanded = FakeOrganization(accounts: accounts, parentOf: await org.parentOf, tags: await org.tags)
        await expanded.failTags(for: ["000000000002"])
        let report = try await Self.builder(
            expanded,
            regions: { id in
                if id == "000000000003" { throw FakeOrganization.Failure(description: "AccessDenied assuming the role in \(id)") }
                return Self.regions
            }
        ).build(generated: Date())
        #expect(report.accounts.map(\.account.Id).contains("000000000001"))
        #expect(report.accounts.count == 10)
        #expect(
            report.inactive == [
                SkippedAccount(id: "000000000013", name: "Account 13", reason: "SUSPENDED"),
                SkippedAccount(id: "000000000014", name: "Closing", reason: "PENDING_CLOSURE"),
            ])
        #expect(report.failures.map(\.id) == ["000000000002", "000000000003"])
        #expect(report.failures[0].reason.contains("TooManyRequestsException"))
        #expect(report.failures[1].reason.contains("AccessDenied"))
        // Suspended accounts are not even asked about.
        #expect(await expanded.count("ListTagsForResource") == 12)
        let index = try AccountIndex(json: Data(report.indexDocument.text().utf8), source: "test")
        #expect(index.account(id: "000000000013") == nil && index.account(id: "000000000002") == nil)
    }

    @Test func everyAccountFailingEndsTheRunWithoutAnIndex() async throws {
        let org = Self.organization()
        let error = await #expect(throws: WorkerFailure.self) {
            _ = try await Self.builder(org, regions: { _ in throw FakeOrganization.Failure(description: "AccessDenied") })
                .build(generated: Date())
        }
        #expect(error?.message.contains("DescribeRegionsAssumeRole") == true)
    }

    @Test func organizationWideFailuresAreFatal() async throws {
        let org = FakeOrganization(accounts: [FakeOrganization.account(1)], parentOf: [:])
        // The account's parent is unknown: ListParents fails for it, and it was the only account.
        await #expect(throws: WorkerFailure.self) { _ = try await Self.builder(org).build(generated: Date()) }
        let empty = FakeOrganization(accounts: [], parentOf: [:])
        await #expect(throws: WorkerFailure.self) { _ = try await Self.builder(empty).build(generated: Date()) }
    }

    @Test func parallelismIsBounded() async throws {
        let gauge = ConcurrencyGauge()
        let org = Self.organization()
        _ = try await Self.builder(
            org, parallelism: 3,
            regions: { _ in
                await gauge.enter()
                try await Task.sleep(for: .milliseconds(5))
                await gauge.leave()
                return Self.regions
            }
        ).build(generated: Date())
        #expect(await gauge.peak <= 3)
        #expect(await gauge.peak >= 1)
    }

    @Test func theIndexLoadsAndResolvesLikeStarfleets() async throws {
        let report = try await Self.builder(Self.organization()).build(generated: Date(timeIntervalSince1970: 1_711_564_707))
        let text = report.indexDocument.text()
        #expect(text.contains(#""generated": "2024-03-27T18:38:27Z""#))
        #expect(text.contains(#""JoinedTimestamp": "2024-03-27 18:38:27.526430""#))
        // Through the daemon's own file loader, as LocalAccountIndex reads it.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("index-\(UUID().uuidString).json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let index = try AccountIndexFile.load(path)
        #expect(index.generated == "2024-03-27T18:38:27Z")
        #expect(index.allAccountIDs.count == 12)
        #expect(index.accounts(orgUnit: "prod").count == 9)
        #expect(index.accounts(orgUnit: "Web") == ["000000000010", "000000000011", "000000000012"])
        #expect(index.accounts(orgUnit: "ROOT").count == 12)
        #expect(index.accounts(orgUnit: "r-ab12").count == 12)
        #expect(index.accounts(tag: "env", value: "PROD").count == 6)
        #expect(index.accounts(regions: ["eu-west-1"])["eu-west-1"]?.count == 12)
        #expect(index.orgRoots == ["000000000020"])
    }
}
