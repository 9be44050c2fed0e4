/// One message the Starbase sends to a worker's queue: the template as JSON plus the account and region assigned.
package struct WorkerPayload: Sendable, Hashable {
    package var worker: String
    package var account: String?
    package var region: String?
    /// UTF-8 JSON: the raw template plus `StarbaseAssignedAccount` / `StarbaseAssignedRegion`.
    package var body: [UInt8]

    package init(worker: String, account: String?, region: String?, body: [UInt8]) {
        self.worker = worker
        self.account = account
        self.region = region
        self.body = body
    }

    package var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// What distinguishes this payload within one fan-out: `account` / `account/region`, or `-` for a single one.
    /// Combined with the triggering event it makes a deterministic deduplication id.
    package var target: String {
        switch (account, region) {
        case (let a?, let r?): return "\(a)/\(r)"
        case (let a?, nil): return a
        default: return "-"
        }
    }
}
