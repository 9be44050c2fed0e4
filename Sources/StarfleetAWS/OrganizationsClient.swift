package import StarfleetClock

/// The read-only AWS Organizations calls the account index generator makes (JSON 1.1 protocol, target
/// `AWSOrganizationsV20161128`). Paginated calls follow `NextToken` to the end. Organizations lives in us-east-1
/// (the endpoint ``AWSEndpoint/resolve(service:region:environment:)`` gives), so requests are signed for it.
public struct OrganizationsClient: Sendable {
    let json: AWSJSONProtocol

    package init(
        http: HTTPClient, credentials: any AWSCredentialsProvider, endpoint: AWSEndpoint, region: String = "us-east-1",
        clock: any WallClock = SystemWallClock()
    ) {
        json = AWSJSONProtocol(
            caller: SignedServiceCaller(
                http: http, credentials: credentials, region: region, service: "organizations", endpoint: endpoint,
                clock: clock),
            targetPrefix: "AWSOrganizationsV20161128")
    }

    /// One ListAccounts page.
    public func listAccountsPage(nextToken: String? = nil, maxResults: Int? = nil) async throws
        -> (accounts: [OrganizationAccount], nextToken: String?)
    {
        let input = OrganizationsPages.ListAccountsInput(NextToken: nextToken, MaxResults: maxResults)
        let page = try await json.call("ListAccounts", input, as: OrganizationsPages.Accounts.self)
        return (page.Accounts ?? [], page.NextToken)
    }

    /// Every account of the organization, `pageSize` (1-20, the service's default when `nil`) per call.
    public func listAccounts(pageSize: Int? = nil) async throws -> [OrganizationAccount] {
        try await paginate { token in
            let page = try await listAccountsPage(nextToken: token, maxResults: pageSize)
            return (page.accounts, page.nextToken)
        }
    }

    /// The organization's roots (one in practice).
    public func listRoots() async throws -> [OrganizationUnit] {
        try await paginate("ListRoots", [:], OrganizationsPages.Roots.self) { ($0.Roots ?? [], $0.NextToken) }
    }

    /// The OUs directly under a root or OU.
    public func listOrganizationalUnits(parentID: String) async throws -> [OrganizationUnit] {
        try await paginate("ListOrganizationalUnitsForParent", ["ParentId": parentID], OrganizationsPages.Units.self) {
            ($0.OrganizationalUnits ?? [], $0.NextToken)
        }
    }

    /// The parent of an account or OU (a list in the API; one element in practice).
    public func listParents(childID: String) async throws -> [OrganizationParent] {
        try await paginate("ListParents", ["ChildId": childID], OrganizationsPages.Parents.self) {
            ($0.Parents ?? [], $0.NextToken)
        }
    }

    /// An OU's name and ARN.
    public func describeOrganizationalUnit(id: String) async throws -> OrganizationUnit {
        try await json.call(
            "DescribeOrganizationalUnit", ["OrganizationalUnitId": id], as: OrganizationsPages.DescribedUnit.self
        ).OrganizationalUnit
    }

    /// The tags of an account, OU, root or policy, as `Key: Value`.
    public func listTags(resourceID: String) async throws -> [String: String] {
        let tags = try await paginate("ListTagsForResource", ["ResourceId": resourceID], OrganizationsPages.Tags.self) {
            ($0.Tags ?? [], $0.NextToken)
        }
        return tags.reduce(into: [:]) { $0[$1.Key] = $1.Value }
    }

    private func paginate<Page: Decodable, Item>(
        _ action: String, _ input: [String: String], _ page: Page.Type, _ items: @escaping (Page) -> ([Item], String?)
    ) async throws -> [Item] {
        try await paginate { token in
            var request = input
            if let token { request["NextToken"] = token }
            return items(try await json.call(action, request, as: Page.self))
        }
    }

    /// Calls `fetch` with each page's token until no token comes back (a repeated token ends it too, so a peer
    /// that echoes the token cannot loop us forever).
    private func paginate<Item>(_ fetch: (String?) async throws -> ([Item], String?)) async throws -> [Item] {
        var all: [Item] = []
        var token: String?
        var seen: Set<String> = []
        repeat {
            let (items, next) = try await fetch(token)
            all += items
            token = next.flatMap { $0.isEmpty || seen.contains($0) ? nil : $0 }
            if let token { seen.insert(token) }
        } while token != nil
        return all
    }
}
