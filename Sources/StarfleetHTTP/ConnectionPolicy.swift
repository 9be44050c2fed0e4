package import Glibc

/// Who an endpoint serves and how long a connection may keep it waiting. Every listener has one, so that no local
/// user can hold the daemon's file descriptors with connections that send nothing (F3 and F7 in issue 20).
package struct ConnectionPolicy: Sendable {
    package enum Admission: Sendable, Equatable {
        /// Every local user (the console, metrics): each within `perUserConnections`.
        case everyone
        /// These uids only: any other connection is closed as it is accepted, before a byte is read.
        case users(Set<uid_t>)
    }

    package var admission: Admission
    /// Connections one uid may hold open at once; the next is closed as it is accepted.
    package var perUserConnections: Int
    /// From the connection's start, or the end of its last response, to a complete request head; then it is closed.
    package var headTimeout: Duration
    /// From a request's head to its last body byte.
    package var bodyTimeout: Duration

    package init(admission: Admission, perUserConnections: Int, headTimeout: Duration, bodyTimeout: Duration) {
        self.admission = admission
        self.perUserConnections = perUserConnections
        self.headTimeout = headTimeout
        self.bodyTimeout = bodyTimeout
    }

    /// The daemon's own user and root: what may use an API that runs workers with the daemon's credentials.
    package static var daemonUserAndRoot: Admission { .users([geteuid(), 0]) }
}
