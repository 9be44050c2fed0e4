package import FoundationEssentials
package import StarfleetAWS
package import StarfleetCore

/// One account as the index lists it: the ListAccounts fields unchanged plus `Parents`, `Regions` and `Tags`.
package struct IndexedAccount: Sendable, Equatable {
    package var account: OrganizationAccount
    /// Immediate parent first, ROOT last.
    package var parents: [Account.Parent]
    /// Enabled regions, sorted.
    package var regions: [String]
    package var tags: [String: String]

    /// The entry as Starfleet writes it.
    var json: PythonStyleJSON {
        var members: [String: PythonStyleJSON] = [
            "Id": .string(account.Id), "Arn": .string(account.Arn),
            "Parents": .array(
                parents.map { .object(["Id": .string($0.id), "Name": .string($0.name), "Type": .string($0.type)]) }),
            "Regions": .array(regions.map(PythonStyleJSON.string)),
            "Tags": .object(tags.mapValues(PythonStyleJSON.string)),
        ]
        let optional: [(String, String?)] = [
            ("Email", account.Email), ("Name", account.Name), ("Status", account.Status), ("State", account.State),
            ("JoinedMethod", account.JoinedMethod), ("JoinedTimestamp", account.JoinedTimestamp.map(UTCTimestamp.joined)),
        ]
        for case (let key, let value?) in optional { members[key] = .string(value) }
        return .object(members)
    }
}

/// An account left out of the index, and why: suspended or closed (nothing can run there), or a lookup failed.
package struct SkippedAccount: Sendable, Equatable {
    package var id: String
    package var name: String?
    /// `SUSPENDED`, `PENDING_CLOSURE`, `CLOSED`, or the error of the failed lookup.
    package var reason: String

    var json: PythonStyleJSON {
        var members: [String: PythonStyleJSON] = ["Id": .string(id), "Reason": .string(reason)]
        if let name { members["Name"] = .string(name) }
        return .object(members)
    }
}

/// What one generator run found: the accounts of the index, the inactive ones left out, the per-account failures.
package struct AccountIndexReport: Sendable {
    /// Indexed accounts, sorted by id.
    package var accounts: [IndexedAccount]
    /// Suspended or closed accounts, not indexed.
    package var inactive: [SkippedAccount]
    /// Accounts whose tags, parents or regions could not be read, not indexed (a partial entry could let an
    /// `ExcludeAccounts: ByTags` template reach an account it must not).
    package var failures: [SkippedAccount]
    /// The organization root's id (`r-…`).
    package var rootID: String
    package var generated: Date

    /// Starfleet's index document: `{"accounts": {id: entry}, "generated": "…Z"}`.
    package var indexDocument: PythonStyleJSON {
        .object([
            "accounts": .object(Dictionary(uniqueKeysWithValues: accounts.map { ($0.account.Id, $0.json) })),
            "generated": .string(UTCTimestamp.generated(generated)),
        ])
    }
}
