package import FoundationEssentials
package import Logging
import StarfleetAWS
import StarfleetCore
import StarfleetWorkerKit

/// Builds the account index of an organization: ListAccounts, then per active account, at most `parallelism` at
/// a time, its tags and parents (Organizations) and its enabled regions (`regions`, DescribeRegions in the account).
/// Inactive accounts and accounts whose lookups fail are reported, not indexed; only organization-wide failures
/// (listing accounts, the root, the top-level OUs) or every account failing end the run.
package struct AccountIndexBuilder: Sendable {
    package let organization: any OrganizationReader
    /// The enabled regions of an account (the generator assumes the account's role and calls DescribeRegions).
    package let regions: @Sendable (_ accountID: String) async throws -> [String]
    /// The root's id; `nil` looks it up with ListRoots.
    package let rootID: String?
    package let parallelism: Int
    package let logger: Logger

    package init(
        organization: any OrganizationReader, regions: @escaping @Sendable (_ accountID: String) async throws -> [String],
        rootID: String?, parallelism: Int = 8, logger: Logger
    ) {
        self.organization = organization
        self.regions = regions
        self.rootID = rootID
        self.parallelism = max(1, parallelism)
        self.logger = logger
    }

    package func build(generated: Date) async throws -> AccountIndexReport {
        let listed = try await organization.listAccounts()
        guard !listed.isEmpty else { throw WorkerFailure("Organizations listed no accounts; check OrgAccountId and its role") }
        let root = try await resolveRootID()
        let resolver = OrganizationParentResolver(organization: organization, rootID: root)
        try await resolver.seedTopLevel()

        let active = listed.filter(\.isActive)
        let inactive = listed.filter { !$0.isActive }.map {
            SkippedAccount(id: $0.Id, name: $0.Name, reason: $0.State ?? $0.Status ?? "inactive")
        }
        var indexed: [IndexedAccount] = []
        var failures: [SkippedAccount] = []
        try await withThrowingTaskGroup(of: Described.self) { group in
            var pending = active[...]
            func startNext() {
                guard let account = pending.popFirst() else { return }
                group.addTask { await self.describe(account, resolver: resolver) }
            }
            for _ in 0..<parallelism { startNext() }
            while let outcome = try await group.next() {
                switch outcome {
                case .indexed(let entry): indexed.append(entry)
                case .failed(let failure): failures.append(failure)
                }
                startNext()
            }
        }
        if indexed.isEmpty && !active.isEmpty {
            throw WorkerFailure(
                "no account could be described (\(failures.count) failed, first: \(failures.first?.reason ?? "-")); "
                    + "nothing written, check DescribeRegionsAssumeRole and the roles' trust policies")
        }
        return AccountIndexReport(
            accounts: indexed.sorted { $0.account.Id < $1.account.Id }, inactive: inactive.sorted { $0.id < $1.id },
            failures: failures.sorted { $0.id < $1.id }, rootID: root, generated: generated)
    }

    private func resolveRootID() async throws -> String {
        if let rootID { return rootID }
        guard let root = try await organization.listRoots().first else {
            throw WorkerFailure("Organizations lists no root; set OrgRootId")
        }
        return root.Id
    }

    /// What became of one account.
    private enum Described: Sendable {
        case indexed(IndexedAccount)
        case failed(SkippedAccount)
    }

    /// Tags, parents and regions of one account, read concurrently; any failure makes the account a failure.
    private func describe(_ account: OrganizationAccount, resolver: OrganizationParentResolver) async -> Described {
        do {
            async let tags = organization.listTags(resourceID: account.Id)
            async let parents = resolver.parents(of: account.Id)
            async let enabled = regions(account.Id)
            let entry = IndexedAccount(
                account: account, parents: try await parents, regions: try await enabled.sorted(), tags: try await tags)
            return .indexed(entry)
        } catch {
            logger.warning(
                "account left out of the index", metadata: ["account_id": "\(account.Id)", "error": "\(error)"])
            return .failed(SkippedAccount(id: account.Id, name: account.Name, reason: "\(error)"))
        }
    }
}
