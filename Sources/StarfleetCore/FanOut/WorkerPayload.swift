/// One message the Starbase sends to a worker's queue: the template as JSON plus the account and region assigned.
public struct WorkerPayload: Sendable, Hashable {
    public var worker: String
    public var account: String?
    public var region: String?
    /// UTF-8 JSON: the raw template plus `StarbaseAssignedAccount` / `StarbaseAssignedRegion`.
    public var body: [UInt8]

    public init(worker: String, account: String?, region: String?, body: [UInt8]) {
        self.worker = worker
        self.account = account
        self.region = region
        self.body = body
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// What distinguishes this payload within one fan-out: `account` / `account/region`, or `-` for a single one.
    /// Combined with the triggering event it makes a deterministic deduplication id.
    public var target: String {
        switch (account, region) {
        case (let a?, let r?): return "\(a)/\(r)"
        case (let a?, nil): return a
        default: return "-"
        }
    }
}
