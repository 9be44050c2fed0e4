import Glibc

/// The daemon's open-file limit. Every connection, queue segment, worker pipe and run-history file is a descriptor,
/// and the common soft limit of 1,024 is a number another local user can reach with idle connections (F3 in issue
/// 20); the hard limit is the kernel's and the administrator's word. systemd's unit sets both (`LimitNOFILE=`),
/// since its `~@resources` filter refuses setrlimit; elsewhere the daemon raises its soft limit itself.
enum FileDescriptorLimit {
    /// Raises the soft limit to the hard one; returns the limit in force.
    @discardableResult
    static func raiseToHard() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { return UInt64(raised.rlim_cur) }
        }
        return UInt64(limit.rlim_cur)
    }
}
