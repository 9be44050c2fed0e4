/// Where a payload is addressed: the account and region it fans out to and the template it came from. They travel as
/// message attributes (`StarfleetAccount`, `StarfleetRegion`, `StarfleetTemplate`) on the worker's queue, on SQS,
/// in a dead-letter file and in the Invoke API's client context, so the names are wire names: they are spelt here
/// once, and every reader and writer goes through this codec.
package struct PayloadAddress: Hashable, Sendable {
    package static let accountAttribute = "StarfleetAccount"
    package static let regionAttribute = "StarfleetRegion"
    package static let templateAttribute = "StarfleetTemplate"

    package var account: String?
    package var region: String?
    package var template: String?

    package init(account: String? = nil, region: String? = nil, template: String? = nil) {
        self.account = account
        self.region = region
        self.template = template
    }

    /// Reads the three attributes; any other attribute is not its business.
    package init(attributes: [String: String]) {
        self.init(
            account: attributes[Self.accountAttribute], region: attributes[Self.regionAttribute],
            template: attributes[Self.templateAttribute])
    }

    /// The attributes for what is set; an absent field writes no attribute (not an empty one).
    package var attributes: [String: String] {
        var out: [String: String] = [:]
        if let account { out[Self.accountAttribute] = account }
        if let region { out[Self.regionAttribute] = region }
        if let template { out[Self.templateAttribute] = template }
        return out
    }
}
