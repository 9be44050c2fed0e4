/// Why a fan-out could not be planned.
package struct FanOutError: Error, Sendable, Hashable, CustomStringConvertible {
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}

/// The result of planning one template for one worker.
package struct FanOutPlan: Sendable {
    package var worker: String
    package var strategy: FanOutStrategy
    /// Sorted by account, then region: the same input always plans the same list.
    package var payloads: [WorkerPayload]
    /// Accounts the template selected that ended with no region to run in (ACCOUNT_REGION).
    package var accountsWithoutRegions: [String]

    /// Starfleet's "nothing to task" log line, when nothing would be sent.
    package var nothingToTask: String? { Self.nothingToTask(worker: worker, strategy: strategy, isEmpty: payloads.isEmpty) }

    static func nothingToTask(worker: String, strategy: FanOutStrategy, isEmpty: Bool) -> String? {
        guard isEmpty else { return nil }
        switch strategy {
        case .singleInvocation: return nil
        case .account: return "The worker ship: \(worker)'s template has no accounts to task!"
        case .accountRegion: return "The worker ship: \(worker)'s template has no accounts/regions to task!"
        }
    }
}

/// Turns a validated template into the exact payloads Starfleet's Starbase would send (`_fan_out_payload_logic`),
/// in a deterministic order. Pure: the account index and ScopeToRegions come in as values.
package enum FanOutPlanner {
    package static func plan(
        worker: String, strategy: FanOutStrategy, template: PayloadTemplate, index: AccountIndex?,
        scopeToRegions: Set<String> = []
    ) throws(FanOutError) -> FanOutPlan {
        let planned = try targets(
            worker: worker, strategy: strategy, template: template, index: index, scopeToRegions: scopeToRegions)
        return FanOutPlan(
            worker: worker, strategy: strategy, payloads: planned.targets.indices.map(planned.payload(at:)),
            accountsWithoutRegions: planned.accountsWithoutRegions)
    }

    /// The same plan without its bodies (built on demand by ``FanOutTargets/payload(at:)``): what the Starbase sends
    /// from, chunk by chunk.
    package static func targets(
        worker: String, strategy: FanOutStrategy, template: PayloadTemplate, index: AccountIndex?,
        scopeToRegions: Set<String> = []
    ) throws(FanOutError) -> FanOutTargets {
        let base = try baseBody(template.raw)
        var plan = FanOutTargets(worker: worker, strategy: strategy, targets: [], accountsWithoutRegions: [], base: base)
        switch strategy {
        case .singleInvocation:
            plan.targets = [.init(account: nil, region: nil)]
        case .account:
            let index = try require(index, worker)
            plan.targets = template.resolveAccounts(in: index).sorted().map { .init(account: $0, region: nil) }
        case .accountRegion:
            let index = try require(index, worker)
            let map = template.resolveAccountRegions(in: index, scopeToRegions: scopeToRegions)
            plan.targets.reserveCapacity(map.values.reduce(0) { $0 + $1.count })
            for account in map.keys.sorted() {
                let regions = map[account] ?? []
                if regions.isEmpty { plan.accountsWithoutRegions.append(account) }
                for region in regions { plan.targets.append(.init(account: account, region: region)) }
            }
        }
        return plan
    }

    /// One payload for an explicit account and region (the CLI's `invoke`): the same body the fan-out would send.
    package static func payload(worker: String, template: PayloadTemplate, account: String?, region: String?) throws(FanOutError)
        -> WorkerPayload
    {
        let base = try baseBody(template.raw)
        guard let account else {
            return WorkerPayload(worker: worker, account: nil, region: nil, body: base + [UInt8(ascii: "}")])
        }
        return WorkerPayload(worker: worker, account: account, region: region, body: body(base, account, region))
    }

    private static func require(_ index: AccountIndex?, _ worker: String) throws(FanOutError) -> AccountIndex {
        guard let index else {
            throw FanOutError("\(worker) fans out per account, but no account index is loaded (see STARFLEET.AccountIndex)")
        }
        return index
    }

    /// The template's JSON without its closing brace and without any Starbase keys it carried (they are
    /// overwritten per payload), so each payload is one append instead of one encode.
    static func baseBody(_ raw: Node) throws(FanOutError) -> [UInt8] {
        var node = raw
        if case .mapping(let entries) = raw.value {
            node.value = .mapping(
                entries.filter {
                    $0.key.string != PayloadTemplate.assignedAccountKey && $0.key.string != PayloadTemplate.assignedRegionKey
                })
        }
        let json: [UInt8]
        do throws(Node.JSONError) {
            json = try node.jsonBytes()
        } catch {
            throw FanOutError("\(error.mark): \(error.path): \(error.message)")
        }
        guard json.last == UInt8(ascii: "}") else { throw FanOutError("a payload template must be a mapping") }
        return Array(json.dropLast())
    }

    static func body(_ base: [UInt8], _ account: String, _ region: String?) -> [UInt8] {
        var out = base
        out.reserveCapacity(base.count + 80)
        if out.count > 1 { out.append(UInt8(ascii: ",")) }
        appendJSONString(PayloadTemplate.assignedAccountKey, to: &out)
        out.append(UInt8(ascii: ":"))
        appendJSONString(account, to: &out)
        if let region {
            out.append(UInt8(ascii: ","))
            appendJSONString(PayloadTemplate.assignedRegionKey, to: &out)
            out.append(UInt8(ascii: ":"))
            appendJSONString(region, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}
