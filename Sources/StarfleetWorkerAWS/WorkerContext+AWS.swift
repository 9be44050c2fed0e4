public import StarfleetAWS
public import StarfleetWorkerKit

/// AWS for Swift workers: a separate module so that a worker needing none links no libcurl.
extension WorkerContext {
    /// The daemon's session for this worker, or the process's own (made on first use).
    private var session: AWSSession { (awsSession as? AWSSession) ?? .processDefault }

    /// AWS clients with the daemon's own credentials (environment, profile, instance role…).
    public func aws() -> AWSClients { session.clients() }

    /// AWS clients acting as `arn:aws:iam::<account>:role/<role>`: the role is assumed with the daemon's credentials
    /// on first use and its credentials are cached until five minutes before they expire. The session name (shown in
    /// CloudTrail) defaults to `starfleetd-<worker>`.
    public func aws(account: String, role: String, sessionName: String? = nil) -> AWSClients {
        session.clients(account: account, role: role, sessionName: sessionName ?? "starfleetd-\(worker)")
    }
}
