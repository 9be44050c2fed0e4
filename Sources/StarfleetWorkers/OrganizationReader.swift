package import StarfleetAWS

/// The Organizations reads the account index generator needs. ``OrganizationsClient`` is the real one; tests
/// answer from canned data.
package protocol OrganizationReader: Sendable {
    func listAccounts() async throws -> [OrganizationAccount]
    func listRoots() async throws -> [OrganizationUnit]
    func listOrganizationalUnits(parentID: String) async throws -> [OrganizationUnit]
    func listParents(childID: String) async throws -> [OrganizationParent]
    func describeOrganizationalUnit(id: String) async throws -> OrganizationUnit
    func listTags(resourceID: String) async throws -> [String: String]
}

extension OrganizationsClient: OrganizationReader {
    package func listAccounts() async throws -> [OrganizationAccount] { try await listAccounts(pageSize: nil) }
}
