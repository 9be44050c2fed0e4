/// Where the account index comes from (`STARFLEET.AccountIndex` names the source, a section of that name configures it).
public enum AccountIndexSource: Sendable, Hashable {
    /// `LocalAccountIndex`: a JSON file; nil path means `<state directory>/accountIndex.json`.
    case local(path: String?)
    /// `StarfleetDefaultAccountIndex`: Starfleet's S3 object.
    case s3(bucket: String, region: String, objectPath: String)

    public static let localName = "LocalAccountIndex"
    public static let s3Name = "StarfleetDefaultAccountIndex"
    public static let names = [localName, s3Name]
}
