package import StarfleetCore

/// The generator's own keys in its configuration section (Starfleet's `AccountIndexGeneratorShip` schema).
package struct AccountIndexGeneratorSettings: Sendable, Equatable {
    /// The role assumed in the organization's management account for the Organizations calls.
    package var orgAccountAssumeRole: String
    /// The management account's id.
    package var orgAccountID: String
    /// The root's id (`r-…`); starfleetd looks it up with ListRoots when it is left out.
    package var orgRootID: String?
    /// The role assumed in every account for DescribeRegions.
    package var describeRegionsAssumeRole: String
    /// Accounts described at once (starfleetd's key; default 8).
    package var parallelism: Int

    package init(
        orgAccountAssumeRole: String, orgAccountID: String, orgRootID: String?, describeRegionsAssumeRole: String,
        parallelism: Int = 8
    ) {
        self.orgAccountAssumeRole = orgAccountAssumeRole
        self.orgAccountID = orgAccountID
        self.orgRootID = orgRootID
        self.describeRegionsAssumeRole = describeRegionsAssumeRole
        self.parallelism = parallelism
    }

    /// Reads the section: the settings, or every problem with its place (`file:line:column`, the section's key
    /// for a missing one), as `starfleetctl validate` prints them.
    package static func read(_ configuration: WorkerConfiguration) -> (settings: Self?, problems: [Diagnostic]) {
        let section = configuration.section
        var problems: [Diagnostic] = []
        func path(_ key: String) -> String { "\(configuration.name).\(key)" }
        func text(_ key: String, required: Bool) -> String? {
            guard let node = section[key], !node.isNull else {
                if required {
                    problems.append(Diagnostic(at: configuration.mark, path: path(key), "Missing data for required field."))
                }
                return nil
            }
            guard let value = node.string, !value.isEmpty else {
                problems.append(
                    Diagnostic(at: node.mark, path: path(key), "Not a valid string.", hint: "quote ids: \"000000000020\""))
                return nil
            }
            return value
        }
        let role = text("OrgAccountAssumeRole", required: true)
        let account = text("OrgAccountId", required: true)
        let root = text("OrgRootId", required: false)
        let regionsRole = text("DescribeRegionsAssumeRole", required: true)
        if let account, account.count != 12 || !account.allSatisfy({ $0.isASCII && $0.isNumber }),
            let node = section["OrgAccountId"]
        {
            problems.append(Diagnostic(at: node.mark, path: path("OrgAccountId"), "\"\(account)\" is not a 12-digit account id"))
        }
        if let root, !root.hasPrefix("r-"), let node = section["OrgRootId"] {
            problems.append(
                Diagnostic(
                    at: node.mark, path: path("OrgRootId"), "\"\(root)\" is not a root id",
                    hint: "r-…, shown in the Organizations console"))
        }
        var parallelism = 8
        if let node = section["Parallelism"] {
            if let value = node.int, (1...64).contains(value) {
                parallelism = value
            } else {
                problems.append(Diagnostic(at: node.mark, path: path("Parallelism"), "must be an integer from 1 to 64"))
            }
        }
        guard problems.isEmpty, let role, let account, let regionsRole else { return (nil, problems) }
        let settings = Self(
            orgAccountAssumeRole: role, orgAccountID: account, orgRootID: root, describeRegionsAssumeRole: regionsRole,
            parallelism: parallelism)
        return (settings, [])
    }
}

/// The generator's payload keys (Starfleet's), plus starfleetd's `AccountInventoryPath` for a local index file.
package struct AccountIndexGeneratorPayload: Decodable, Sendable, Equatable {
    package var AccountInventoryBucket: String?
    package var InventoryBucketRegion: String?
    /// The object key (default `accountIndex.json`).
    package var InventoryObjectPrefix: String?
    /// An absolute path the index is written to (atomically), e.g. the daemon's `LocalAccountIndex` path.
    package var AccountInventoryPath: String?

    package static let defaultObjectKey = "accountIndex.json"

    /// The payload template's extra rules: a destination is required, S3 needs both bucket and region, a local
    /// path must be absolute.
    static func validate(_ template: Node) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        func string(_ key: String) -> Node? {
            guard let node = template[key] else { return nil }
            if node.string?.isEmpty ?? true {
                problems.append(Diagnostic(at: node.mark, path: key, "Not a valid string."))
                return nil
            }
            return node
        }
        let bucket = string("AccountInventoryBucket")
        let region = string("InventoryBucketRegion")
        _ = string("InventoryObjectPrefix")
        let path = string("AccountInventoryPath")
        if let path, path.string?.hasPrefix("/") == false {
            problems.append(Diagnostic(at: path.mark, path: "AccountInventoryPath", "must be an absolute path"))
        }
        if path == nil || bucket != nil || region != nil {
            for (key, node) in [("AccountInventoryBucket", bucket), ("InventoryBucketRegion", region)]
            where node == nil && template[key] == nil {
                problems.append(
                    Diagnostic(
                        at: template.mark, path: key, "Missing data for required field.",
                        hint: path == nil ? "or write the index to a local file with AccountInventoryPath" : nil))
            }
        }
        return problems
    }
}
