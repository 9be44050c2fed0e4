/// Starfleet's account index: every account with its OUs, tags and enabled regions, and the lookups the
/// Starbase resolves templates with. Lookups by name, OU and tag are case-insensitive, as in Starfleet's code.
///
/// One deliberate difference: Starfleet's OU-name map kept only the last OU of a given name; here a name selects
/// the union of every OU that carries it.
package struct AccountIndex: Sendable {
    /// Accounts sorted by id.
    package let accounts: [Account]
    /// When the generator wrote the index (`generated`), as written.
    package let generated: String?

    private let byID: [String: Account]
    private let idsByName: [String: Set<String>]
    private let idsByOU: [String: Set<String>]
    private let idsByTag: [String: [String: Set<String>]]
    private let idsByRegion: [String: Set<String>]
    /// Management accounts of the organizations in the index (normally one).
    package let orgRoots: Set<String>

    package init(accounts: [Account], generated: String? = nil) {
        var byID: [String: Account] = [:]
        var idsByName: [String: Set<String>] = [:]
        var idsByOU: [String: Set<String>] = [:]
        var idsByTag: [String: [String: Set<String>]] = [:]
        var idsByRegion: [String: Set<String>] = [:]
        var roots: Set<String> = []
        for account in accounts {
            byID[account.id] = account
            idsByName[account.name.lowercased(), default: []].insert(account.id)
            for parent in account.parents {
                idsByOU[parent.id.lowercased(), default: []].insert(account.id)
                idsByOU[parent.name.lowercased(), default: []].insert(account.id)
            }
            for (name, value) in account.tags {
                idsByTag[name.lowercased(), default: [:]][value.lowercased(), default: []].insert(account.id)
            }
            for region in account.regions { idsByRegion[region, default: []].insert(account.id) }
            if let root = account.managementAccountID { roots.insert(root) }
        }
        self.accounts = byID.values.sorted { $0.id < $1.id }
        self.generated = generated
        self.byID = byID
        self.idsByName = idsByName
        self.idsByOU = idsByOU
        self.idsByTag = idsByTag
        self.idsByRegion = idsByRegion
        self.orgRoots = roots
    }

    package func account(id: String) -> Account? { byID[id] }
    package var allAccountIDs: Set<String> { Set(byID.keys) }

    /// The ids that exist among `ids` (unknown ids are ignored, as in Starfleet).
    package func accounts(ids: some Sequence<String>) -> Set<String> { Set(ids.filter { byID[$0] != nil }) }

    /// Accounts whose Name matches one of `names`, case-insensitively.
    package func accounts(names: some Sequence<String>) -> Set<String> {
        names.reduce(into: Set<String>()) { $0.formUnion(idsByName[$1.lowercased()] ?? []) }
    }

    /// Accounts under an OU (by id or name, any depth) or the root (`r-…` or `ROOT`): transitive because every
    /// account lists all its ancestors.
    package func accounts(orgUnit: String) -> Set<String> { idsByOU[orgUnit.lowercased()] ?? [] }

    /// Accounts tagged `name: value`, both compared case-insensitively.
    package func accounts(tag name: String, value: String) -> Set<String> {
        idsByTag[name.lowercased()]?[value.lowercased()] ?? []
    }

    /// For each requested region, the accounts that have it enabled (empty for unknown regions).
    package func accounts(regions: some Sequence<String>) -> [String: Set<String>] {
        regions.reduce(into: [:]) { $0[$1] = idsByRegion[$1] ?? [] }
    }

    package func names(of ids: some Sequence<String>) -> [String: String?] {
        ids.reduce(into: [:]) { $0.updateValue(byID[$1]?.name, forKey: $1) }
    }
}
