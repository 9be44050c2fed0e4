/// A planned fan-out without its bodies: the template's JSON once and where each payload goes, in the planner's
/// order. Bodies are built on demand (``payload(at:)``), so the Starbase can send a 100,000-payload fan-out chunk by
/// chunk while holding a few MB for the plan, instead of every body at once.
package struct FanOutTargets: Sendable {
    /// One payload's account and region (nil for SINGLE_INVOCATION, and the region for ACCOUNT).
    package struct Target: Sendable, Hashable {
        package var account: String?
        package var region: String?
    }

    package var worker: String
    package var strategy: FanOutStrategy
    /// Sorted by account, then region: the same input always plans the same list.
    package var targets: [Target]
    /// Accounts the template selected that ended with no region to run in (ACCOUNT_REGION).
    package var accountsWithoutRegions: [String]
    /// The template's JSON without its closing brace (``FanOutPlanner/baseBody(_:)``).
    let base: [UInt8]

    package var count: Int { targets.count }

    /// The payload for `targets[index]`: the same bytes ``FanOutPlanner/plan(worker:strategy:template:index:scopeToRegions:)`` holds.
    package func payload(at index: Int) -> WorkerPayload {
        let target = targets[index]
        guard let account = target.account else {
            return WorkerPayload(worker: worker, account: nil, region: nil, body: base + [UInt8(ascii: "}")])
        }
        return WorkerPayload(
            worker: worker, account: account, region: target.region,
            body: FanOutPlanner.body(base, account, target.region))
    }

    /// Starfleet's "nothing to task" log line, when nothing would be sent.
    package var nothingToTask: String? {
        FanOutPlan.nothingToTask(worker: worker, strategy: strategy, isEmpty: targets.isEmpty)
    }
}
