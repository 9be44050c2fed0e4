import StarfleetAWS
import StarfleetCore
import StarfleetWorkerKit

/// Turns an account's immediate parent into Starfleet's `Parents` list: the parent first, then each enclosing
/// OU, the root (`{Id: <root>, Name: "ROOT", Type: "ROOT"}`) last. Each OU is described once however many accounts
/// sit under it, and concurrent lookups of one OU share the same calls (Starfleet's PR #53 fix for nested OUs).
actor OrganizationParentResolver {
    private let organization: any OrganizationReader
    private let rootID: String
    private var chains: [String: Task<[Account.Parent], any Error>] = [:]
    /// Organizations allows five levels of OUs; a deeper chain means the answers loop.
    static let maxDepth = 8

    init(organization: any OrganizationReader, rootID: String) {
        self.organization = organization
        self.rootID = rootID
    }

    var root: Account.Parent { Account.Parent(id: rootID, name: "ROOT", type: "ROOT") }

    /// Seeds the cache with the top-level OUs, whose names one ListOrganizationalUnitsForParent call gives.
    func seedTopLevel() async throws {
        let units = try await organization.listOrganizationalUnits(parentID: rootID)
        for unit in units where chains[unit.Id] == nil {
            let chain = [Account.Parent(id: unit.Id, name: unit.Name ?? unit.Id, type: "ORGANIZATIONAL_UNIT"), root]
            chains[unit.Id] = Task { chain }
        }
    }

    /// The `Parents` of an account (or any child).
    func parents(of childID: String) async throws -> [Account.Parent] {
        guard let parent = try await organization.listParents(childID: childID).first else {
            throw WorkerFailure("Organizations lists no parent for \(childID)")
        }
        return try await chain(from: parent, below: [childID])
    }

    /// `below` are the ids already on this path: a repeat (or a path longer than Organizations allows) means the
    /// answers loop, which is reported rather than waited on.
    private func chain(from parent: OrganizationParent, below: [String]) async throws -> [Account.Parent] {
        if parent.Type == "ROOT" { return [Account.Parent(id: parent.Id, name: "ROOT", type: "ROOT")] }
        guard below.count <= Self.maxDepth, !below.contains(parent.Id) else {
            throw WorkerFailure("the OUs above \(below[0]) loop or nest deeper than \(Self.maxDepth) levels (at \(parent.Id))")
        }
        if let known = chains[parent.Id] { return try await known.value }
        let task = Task { [organization] in
            async let unit = organization.describeOrganizationalUnit(id: parent.Id)
            async let above = organization.listParents(childID: parent.Id)
            guard let grandparent = try await above.first else {
                throw WorkerFailure("Organizations lists no parent for the OU \(parent.Id)")
            }
            let rest = try await self.chain(from: grandparent, below: below + [parent.Id])
            let name = try await unit.Name ?? parent.Id
            return [Account.Parent(id: parent.Id, name: name, type: "ORGANIZATIONAL_UNIT")] + rest
        }
        chains[parent.Id] = task
        do {
            return try await task.value
        } catch {
            // A failed lookup is not cached: the next account under this OU tries again.
            chains[parent.Id] = nil
            throw error
        }
    }
}
