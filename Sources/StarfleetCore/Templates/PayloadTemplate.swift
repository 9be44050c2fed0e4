/// A validated payload template: the raw document (what workers receive) plus what the Starbase needs to fan it out.
public struct PayloadTemplate: Sendable, Hashable {
    /// The template exactly as written; payload bodies are this document as JSON plus the Starbase's keys.
    public var raw: Node
    public var name: String
    public var description: String
    /// ACCOUNT and ACCOUNT_REGION templates only.
    public var includeAccounts: AccountSpecification?
    public var excludeAccounts: AccountSpecification
    public var operateInOrgRoot: Bool
    /// ACCOUNT_REGION only: the requested regions with `ALL` expanded, sorted.
    public var includeRegions: [String]
    public var excludeRegions: Set<String>

    public init(
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
    public var requestedRegions: [String] { includeRegions.filter { !excludeRegions.contains($0) } }
}

extension PayloadTemplate {
    /// Accounts to task (Starfleet's `resolve_worker_template_accounts`): include − exclude, then minus the org
    /// root unless `OperateInOrgRoot` is set. Exclusion always wins.
    public func resolveAccounts(in index: AccountIndex, orgRootCheck: Bool = true) -> Set<String> {
        guard let include = includeAccounts else { return [] }
        var ids = include.resolve(in: index)
        if !excludeAccounts.isEmpty { ids.subtract(excludeAccounts.resolve(in: index)) }
        if orgRootCheck && !operateInOrgRoot { ids.subtract(index.orgRoots) }
        return ids
    }

    /// Regions per account (Starfleet's `resolve_worker_template_account_regions`): the requested regions, limited to
    /// `scopeToRegions` when that is non-empty and to the regions each account has enabled. Accounts whose set ends
    /// up empty stay in the map (they produce no payloads).
    public func resolveAccountRegions(in index: AccountIndex, scopeToRegions: Set<String>, orgRootCheck: Bool = true)
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
