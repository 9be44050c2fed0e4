import FoundationEssentials
import StarfleetAWS
package import StarfleetCore
import StarfleetWorkerAWS
package import StarfleetWorkerKit

/// Starfleet's `AccountIndexGeneratorShip`: builds the account index of the organization (accounts, nested OUs,
/// tags, enabled regions) and, with commit, writes it to S3 (`AccountInventoryBucket`) and/or a local file
/// (`AccountInventoryPath`); without commit it only logs it and returns it. SINGLE_INVOCATION.
///
/// Roles: `OrgAccountAssumeRole` in `OrgAccountId` for Organizations, `DescribeRegionsAssumeRole` in every account
/// for DescribeRegions, both assumed with the daemon's own credentials, which also write the S3 object.
package struct AccountIndexGeneratorShip: TypedWorkerShip {
    package typealias Payload = AccountIndexGeneratorPayload

    package let name = "AccountIndexGeneratorShip"
    package let fanOutStrategy = FanOutStrategy.singleInvocation
    /// The settings, or why the section cannot be used (reported by `validate` and when the worker runs).
    package let settings: Result<AccountIndexGeneratorSettings, WorkerFailure>
    private let configurationProblems: [Diagnostic]

    /// The session name the roles are assumed with (Starfleet's, so CloudTrail reads the same).
    static let sessionName = "StarfleetAccountIndexer"

    package init(configuration: WorkerConfiguration) {
        let (settings, problems) = AccountIndexGeneratorSettings.read(configuration)
        self.settings =
            settings.map { .success($0) }
            ?? .failure(WorkerFailure(problems.map(\.description).joined(separator: "\n")))
        configurationProblems = problems
    }

    package init(settings: AccountIndexGeneratorSettings) {
        self.settings = .success(settings)
        configurationProblems = []
    }

    package func validate(section: Node) -> [Diagnostic] { configurationProblems }

    package func validate(template: Node) -> [Diagnostic] { AccountIndexGeneratorPayload.validate(template) }

    package func execute(payload: Payload, context: WorkerContext) async throws -> [UInt8] {
        let settings = try self.settings.get()
        let organization = context.aws(
            account: settings.orgAccountID, role: settings.orgAccountAssumeRole, sessionName: Self.sessionName
        ).organizations()
        let builder = AccountIndexBuilder(
            organization: organization,
            regions: { account in
                try await context.aws(account: account, role: settings.describeRegionsAssumeRole, sessionName: Self.sessionName)
                    .ec2().describeRegions()
            },
            rootID: settings.orgRootID, parallelism: settings.parallelism, logger: context.logger)
        let report = try await builder.build(generated: Date())
        let text = report.indexDocument.text()
        for skipped in report.inactive {
            context.logger.info(
                "inactive account not indexed", metadata: ["account_id": "\(skipped.id)", "status": "\(skipped.reason)"])
        }

        var destinations: [String] = []
        if context.commit {
            destinations = try await write(Array(text.utf8), payload: payload, context: context)
        } else {
            // Starfleet's dry-run line, with the accounts map as it logs it.
            let accounts = report.indexDocument.member("accounts")?.text() ?? "{}"
            context.logger.info("[🍣] Raw Inventory:\n\(accounts)")
        }
        context.logger.info(
            "account index built",
            metadata: [
                "accounts": "\(report.accounts.count)", "inactive": "\(report.inactive.count)",
                "failures": "\(report.failures.count)", "committed": "\(context.commit)",
                "destinations": "\(destinations.joined(separator: " "))",
            ])
        return Array(Self.result(report, committed: context.commit, destinations: destinations).text().utf8) + [10]
    }

    /// Writes the index to each destination the payload names; returns them as `s3://…` URLs and paths.
    func write(_ bytes: [UInt8], payload: Payload, context: WorkerContext) async throws -> [String] {
        var written: [String] = []
        if let bucket = payload.AccountInventoryBucket {
            let key = payload.InventoryObjectPrefix ?? Payload.defaultObjectKey
            let s3 = context.aws().s3(region: payload.InventoryBucketRegion)
            do {
                try await s3.putObject(bucket: bucket, key: key, body: bytes, contentType: "application/json")
            } catch {
                throw WorkerFailure("cannot write the account index to s3://\(bucket)/\(key): \(error)")
            }
            written.append("s3://\(bucket)/\(key)")
        }
        if let path = payload.AccountInventoryPath {
            do {
                try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw WorkerFailure("cannot write the account index to \(path): \(error)")
            }
            written.append(path)
        }
        guard !written.isEmpty else {
            throw WorkerFailure(
                "the payload names no destination: set AccountInventoryBucket and InventoryBucketRegion, or AccountInventoryPath")
        }
        return written
    }

    /// The worker's result: counts, what was left out and why, where the index went; the index itself when it was
    /// not committed.
    static func result(_ report: AccountIndexReport, committed: Bool, destinations: [String]) -> PythonStyleJSON {
        var members: [String: PythonStyleJSON] = [
            "accounts": .integer(report.accounts.count),
            "committed": .bool(committed),
            "destinations": .array(destinations.map(PythonStyleJSON.string)),
            "failures": .array(report.failures.map(\.json)),
            "generated": .string(UTCTimestamp.generated(report.generated)),
            "inactive": .array(report.inactive.map(\.json)),
            "rootId": .string(report.rootID),
        ]
        if !committed { members["index"] = report.indexDocument }
        return .object(members)
    }
}

extension PythonStyleJSON {
    /// An object's member, or `nil`.
    func member(_ key: String) -> PythonStyleJSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }
}
