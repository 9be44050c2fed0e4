/// One account as `organizations:ListAccounts` describes it. `JoinedTimestamp` is seconds since the epoch (the
/// JSON protocol's timestamp form).
public struct OrganizationAccount: Sendable, Equatable, Decodable {
    public var Id: String
    public var Arn: String
    public var Email: String?
    public var Name: String?
    /// `ACTIVE`, `SUSPENDED` or `PENDING_CLOSURE` (deprecated by AWS in favour of `State`, still sent).
    public var Status: String?
    /// `PENDING_ACTIVATION`, `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE` or `CLOSED` (newer accounts' field).
    public var State: String?
    public var JoinedMethod: String?
    public var JoinedTimestamp: Double?

    public init(
        Id: String, Arn: String, Email: String? = nil, Name: String? = nil, Status: String? = nil, State: String? = nil,
        JoinedMethod: String? = nil, JoinedTimestamp: Double? = nil
    ) {
        self.Id = Id
        self.Arn = Arn
        self.Email = Email
        self.Name = Name
        self.Status = Status
        self.State = State
        self.JoinedMethod = JoinedMethod
        self.JoinedTimestamp = JoinedTimestamp
    }

    /// Whether the account can be worked in: neither `Status` nor `State` says suspended, closing or closed.
    public var isActive: Bool {
        let inactive: Set<String> = ["SUSPENDED", "PENDING_CLOSURE", "CLOSED"]
        return !inactive.contains(Status ?? "") && !inactive.contains(State ?? "")
    }
}

/// A root or organizational unit (ListRoots, ListOrganizationalUnitsForParent, DescribeOrganizationalUnit).
public struct OrganizationUnit: Sendable, Equatable, Decodable {
    public var Id: String
    public var Arn: String?
    public var Name: String?

    public init(Id: String, Arn: String? = nil, Name: String? = nil) {
        self.Id = Id
        self.Arn = Arn
        self.Name = Name
    }
}

/// The parent of an account or OU (ListParents): its id and `ROOT` or `ORGANIZATIONAL_UNIT`.
public struct OrganizationParent: Sendable, Equatable, Decodable {
    public var Id: String
    public var `Type`: String

    public init(Id: String, Type: String) {
        self.Id = Id
        self.Type = Type
    }
}

/// One tag (ListTagsForResource).
public struct OrganizationTag: Sendable, Equatable, Decodable {
    public var Key: String
    public var Value: String
}

/// The page shapes of the Organizations answers we read.
enum OrganizationsPages {
    struct ListAccountsInput: Encodable {
        var NextToken: String?
        var MaxResults: Int?
    }
    struct Accounts: Decodable {
        var Accounts: [OrganizationAccount]?
        var NextToken: String?
    }
    struct Roots: Decodable {
        var Roots: [OrganizationUnit]?
        var NextToken: String?
    }
    struct Units: Decodable {
        var OrganizationalUnits: [OrganizationUnit]?
        var NextToken: String?
    }
    struct Parents: Decodable {
        var Parents: [OrganizationParent]?
        var NextToken: String?
    }
    struct Tags: Decodable {
        var Tags: [OrganizationTag]?
        var NextToken: String?
    }
    struct DescribedUnit: Decodable {
        var OrganizationalUnit: OrganizationUnit
    }
}
