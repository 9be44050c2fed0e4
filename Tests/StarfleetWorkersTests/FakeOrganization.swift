import Foundation
import StarfleetAWS

@testable import StarfleetWorkers

/// An organization answered from memory, counting calls: root → Prod → Api → Web, and Sandbox beside Prod.
actor FakeOrganization: OrganizationReader {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static let root = "r-ab12"
    /// OU id → (name, parent id).
    static let units: [String: (name: String, parent: String)] = [
        "ou-ab12-prod": ("Prod", root), "ou-ab12-api": ("Api", "ou-ab12-prod"), "ou-ab12-web": ("Web", "ou-ab12-api"),
        "ou-ab12-sandbox": ("Sandbox", root),
    ]

    var accounts: [OrganizationAccount]
    var parentOf: [String: String]
    var tags: [String: [String: String]]
    var failTagsFor: Set<String> = []
    var pageSize = 3
    private(set) var calls: [String: Int] = [:]

    init(accounts: [OrganizationAccount], parentOf: [String: String], tags: [String: [String: String]] = [:]) {
        self.accounts = accounts
        self.parentOf = parentOf
        self.tags = tags
    }

    func failTags(for ids: Set<String>) { failTagsFor = ids }
    func count(_ call: String) -> Int { calls[call, default: 0] }

    private func record(_ call: String) { calls[call, default: 0] += 1 }

    func listAccounts() async throws -> [OrganizationAccount] {
        // Paged as the real client pages: one call per page.
        for _ in stride(from: 0, to: accounts.count, by: pageSize) { record("ListAccounts") }
        return accounts
    }

    func listRoots() async throws -> [OrganizationUnit] {
        record("ListRoots")
        return [OrganizationUnit(Id: Self.root, Name: "Root")]
    }

    func listOrganizationalUnits(parentID: String) async throws -> [OrganizationUnit] {
        record("ListOrganizationalUnitsForParent")
        return Self.units.filter { $0.value.parent == parentID }.map { OrganizationUnit(Id: $0.key, Name: $0.value.name) }
            .sorted { $0.Id < $1.Id }
    }

    func listParents(childID: String) async throws -> [OrganizationParent] {
        record("ListParents")
        let parent = parentOf[childID] ?? Self.units[childID]?.parent
        guard let parent else { throw Failure(description: "ChildNotFoundException: \(childID)") }
        return [OrganizationParent(Id: parent, Type: parent.hasPrefix("r-") ? "ROOT" : "ORGANIZATIONAL_UNIT")]
    }

    func describeOrganizationalUnit(id: String) async throws -> OrganizationUnit {
        record("DescribeOrganizationalUnit")
        guard let unit = Self.units[id] else { throw Failure(description: "OrganizationalUnitNotFoundException: \(id)") }
        return OrganizationUnit(Id: id, Name: unit.name)
    }

    func listTags(resourceID: String) async throws -> [String: String] {
        record("ListTagsForResource")
        if failTagsFor.contains(resourceID) { throw Failure(description: "TooManyRequestsException for \(resourceID)") }
        return tags[resourceID] ?? [:]
    }

    static func account(_ n: Int, status: String = "ACTIVE") -> OrganizationAccount {
        let id = String(format: "%012d", n)
        return OrganizationAccount(
            Id: id, Arn: "arn:aws:organizations::000000000020:account/o-abcdefghi/\(id)", Email: "account\(n)@company.com",
            Name: "Account \(n)", Status: status, JoinedMethod: "INVITED", JoinedTimestamp: 1_711_564_707.52643)
    }
}

/// Counts how many region lookups run at once.
actor ConcurrencyGauge {
    private(set) var current = 0
    private(set) var peak = 0
    func enter() {
        current += 1
        peak = max(peak, current)
    }
    func leave() { current -= 1 }
}
