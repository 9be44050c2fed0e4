/// Where the account index comes from (`STARFLEET.AccountIndex` names the source, a section of that name configures it).
package enum AccountIndexSource: Sendable, Hashable {
    /// `LocalAccountIndex`: a JSON file; nil path means `<state directory>/accountIndex.json`.
    case local(path: String?)
    /// `StarfleetDefaultAccountIndex`: Starfleet's S3 object.
    case s3(bucket: String, region: String, objectPath: String)

    package static let localName = "LocalAccountIndex"
    package static let s3Name = "StarfleetDefaultAccountIndex"
    package static let names = [localName, s3Name]
}
