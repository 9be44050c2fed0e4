/// How the Starbase turns one template into worker payloads (Starfleet's `FanOutStrategy`).
public enum FanOutStrategy: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// One payload: the template itself.
    case singleInvocation = "SINGLE_INVOCATION"
    /// One payload per account the template selects, with `StarbaseAssignedAccount`.
    case account = "ACCOUNT"
    /// One payload per selected account and enabled region, with `StarbaseAssignedAccount` and `StarbaseAssignedRegion`.
    case accountRegion = "ACCOUNT_REGION"

    public var description: String { rawValue }
}
