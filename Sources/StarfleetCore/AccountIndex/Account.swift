/// One AWS account as Starfleet's account index describes it (`organizations:ListAccounts` fields plus the
/// generator's `Parents`, `Regions` and `Tags`).
package struct Account: Sendable, Hashable, Codable {
    /// An organizational unit or the root, as listed in `Parents` (immediate parent first, ROOT last).
    package struct Parent: Sendable, Hashable, Codable {
        package var id: String
        package var name: String
        package var type: String

        package init(id: String, name: String, type: String) {
            self.id = id
            self.name = name
            self.type = type
        }

        enum CodingKeys: String, CodingKey {
            case id = "Id"
            case name = "Name"
            case type = "Type"
        }
    }

    package var id: String
    package var name: String
    package var arn: String
    package var email: String?
    package var status: String?
    package var parents: [Parent]
    /// The regions enabled in the account (sorted in the index).
    package var regions: [String]
    package var tags: [String: String]

    package init(
        id: String, name: String, arn: String, email: String? = nil, status: String? = nil, parents: [Parent] = [],
        regions: [String] = [], tags: [String: String] = [:]
    ) {
        self.id = id
        self.name = name
        self.arn = arn
        self.email = email
        self.status = status
        self.parents = parents
        self.regions = regions
        self.tags = tags
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case name = "Name"
        case arn = "Arn"
        case email = "Email"
        case status = "Status"
        case parents = "Parents"
        case regions = "Regions"
        case tags = "Tags"
    }

    /// Tolerant decoding: only what fan-out needs is required; absent lists and maps are empty.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id) ?? ""
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        arn = try c.decodeIfPresent(String.self, forKey: .arn) ?? ""
        email = try c.decodeIfPresent(String.self, forKey: .email)
        status = try c.decodeIfPresent(String.self, forKey: .status)
        parents = try c.decodeIfPresent([Parent].self, forKey: .parents) ?? []
        regions = try c.decodeIfPresent([String].self, forKey: .regions) ?? []
        tags = try c.decodeIfPresent([String: String].self, forKey: .tags) ?? [:]
    }

    /// The organization's management account, read from the account ARN
    /// (`arn:aws:organizations::<MANAGEMENT-ACCOUNT-ID>:account/o-…/<ACCOUNT-ID>`), as Starfleet finds the org root.
    package var managementAccountID: String? {
        let prefix = "arn:aws:organizations::"
        guard arn.hasPrefix(prefix) else { return nil }
        let rest = arn.dropFirst(prefix.count)
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        let id = rest[rest.startIndex..<colon]
        return id.isEmpty ? nil : String(id)
    }
}
