/// A validated payload template: the raw document (what workers receive) plus what the Starbase needs to fan it out.
package struct PayloadTemplate: Sendable, Hashable {
    /// The template exactly as written; payload bodies are this document as JSON plus the Starbase's keys.
    package var raw: Node
    package var name: String
    package var description: String
    /// ACCOUNT and ACCOUNT_REGION templates only.
    package var includeAccounts: AccountSpecification?
    package var excludeAccounts: AccountSpecification
    package var operateInOrgRoot: Bool
    /// ACCOUNT_REGION only: the requested regions with `ALL` expanded, sorted.
    package var includeRegions: [String]
    package var excludeRegions: Set<String>

    package init(
        raw: Node, name: String, description: String, includeAccounts: AccountSpecification? = nil,
        excludeAccounts: AccountSpecification = AccountSpecification(), operateInOrgRoot: Bool = false,
        includeRegions: [String] = [], excludeRegions: Set<String> = []
    ) {
        self.raw = raw
        self.name = name
        self.description = description
        self.includeAccounts = includeAccounts
        self.excludeAccounts = excludeAccounts
        self.operateInOrgRoot = operateInOrgRoot
        self.includeRegions = includeRegions
        self.excludeRegions = excludeRegions
    }

    /// The regions to task before per-account and ScopeToRegions limits: include minus exclude, sorted.
    package var requestedRegions: [String] { includeRegions.filter { !excludeRegions.contains($0) } }
}

extension PayloadTemplate {
    /// Accounts to task (Starfleet's `resolve_worker_template_accounts`): include − exclude, then minus the org
    /// root unless `OperateInOrgRoot` is set. Exclusion always wins.
    package func resolveAccounts(in index: AccountIndex, orgRootCheck: Bool = true) -> Set<String> {
        guard let include = includeAccounts else { return [] }
        var ids = include.resolve(in: index)
        if !excludeAccounts.isEmpty { ids.subtract(excludeAccounts.resolve(in: index)) }
        if orgRootCheck && !operateInOrgRoot { ids.subtract(index.orgRoots) }
        return ids
    }

    /// Regions per account (Starfleet's `resolve_worker_template_account_regions`): the requested regions, limited to
    /// `scopeToRegions` when that is non-empty and to the regions each account has enabled. Accounts whose set ends
    /// up empty stay in the map (they produce no payloads).
    package func resolveAccountRegions(in index: AccountIndex, scopeToRegions: Set<String>, orgRootCheck: Bool = true)
        -> [String: [String]]
    {
        let accounts = resolveAccounts(in: index, orgRootCheck: orgRootCheck)
        var regions = requestedRegions
        if !scopeToRegions.isEmpty { regions = regions.filter { scopeToRegions.contains($0) } }
        let enabled = index.accounts(regions: regions)
        var result: [String: [String]] = [:]
        for id in accounts {
            result[id] = regions.filter { enabled[$0]?.contains(id) == true }
        }
        return result
    }
}
