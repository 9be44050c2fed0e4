/// `IncludeAccounts` / `ExcludeAccounts` of a payload template: which accounts, by id, name, OU or tag.
package struct AccountSpecification: Sendable, Hashable {
    package struct Tag: Sendable, Hashable {
        package var name: String
        package var value: String
        package init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Only for `IncludeAccounts`.
    package var allAccounts: Bool
    package var byNames: [String]
    package var byIds: [String]
    package var byOrgUnits: [String]
    package var byTags: [Tag]

    package init(
        allAccounts: Bool = false, byNames: [String] = [], byIds: [String] = [], byOrgUnits: [String] = [], byTags: [Tag] = []
    ) {
        self.allAccounts = allAccounts
        self.byNames = byNames
        self.byIds = byIds
        self.byOrgUnits = byOrgUnits
        self.byTags = byTags
    }

    /// True when nothing is selected (an empty `ExcludeAccounts` excludes nothing).
    package var isEmpty: Bool { !allAccounts && byNames.isEmpty && byIds.isEmpty && byOrgUnits.isEmpty && byTags.isEmpty }

    /// The union (OR) of every selector, resolved against the index (Starfleet's `resolve_account_specification`).
    package func resolve(in index: AccountIndex) -> Set<String> {
        if allAccounts { return index.allAccountIDs }
        var ids = index.accounts(ids: byIds)
        ids.formUnion(index.accounts(names: byNames))
        for ou in byOrgUnits { ids.formUnion(index.accounts(orgUnit: ou)) }
        for tag in byTags { ids.formUnion(index.accounts(tag: tag.name, value: tag.value)) }
        return ids
    }
}
