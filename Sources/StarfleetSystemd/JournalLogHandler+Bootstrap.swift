import FoundationEssentials
import Glibc
package import Logging

/// Where the daemon's log lines go.
package enum LogTarget: String, Sendable, Hashable {
    /// The native journal protocol (``JournalLogHandler``): structured, searchable fields.
    case journal
    /// `<N>`-prefixed lines on stderr (``StderrLogHandler``).
    case stderr
}

extension JournalLogHandler {
    /// The journald socket sd_journal_sendv writes to.
    package static let journalSocketPath = "/run/systemd/journal/socket"

    /// Chooses the target the way systemd's own daemons do (`LOG_TARGET_AUTO`): the native journal when stderr
    /// *is* a journal stream (`$JOURNAL_STREAM` names the same device and inode as fd 2, i.e. systemd started
    /// us with the default StandardError=journal) and the journal socket exists; stderr otherwise — a terminal,
    /// a pipe, a container, or a unit that redirects stderr elsewhere.
    ///
    /// Why not the other way round: under systemd, stderr already reaches the journal, but only as text, so the
    /// WORKER/ACCOUNT_ID/… fields that `journalctl -u starfleetd WORKER=x` needs would be lost; and when a human
    /// runs the daemon in a terminal on a systemd host, sending the lines to the journal would leave the
    /// terminal silent. Exactly one target is used, so nothing is logged twice.
    package static func preferredTarget(
        environment: [String: String], stderrFileDescriptor: Int32 = 2, journalSocket: String = journalSocketPath
    ) -> LogTarget {
        guard isJournalStream(environment: environment, fileDescriptor: stderrFileDescriptor) else { return .stderr }
        var status = stat()
        guard stat(journalSocket, &status) == 0, status.st_mode & S_IFMT == S_IFSOCK else { return .stderr }
        return .journal
    }

    /// Whether `fileDescriptor` is the stream systemd connected to the journal: `$JOURNAL_STREAM` is
    /// `device:inode` of that stream, and only an fstat(2) match proves fd 2 is still it (the variable is
    /// inherited by children whose stderr may be anything).
    package static func isJournalStream(environment: [String: String], fileDescriptor: Int32) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var status = stat()
        guard fstat(fileDescriptor, &status) == 0 else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }

    /// Bootstraps swift-log for the daemon's `main` (call once): journal or stderr per ``preferredTarget``.
    /// Stderr lines omit the identifier when stderr is the journal stream (journald tags them already).
    /// Returns the chosen target so `main` can log it.
    @discardableResult
    package static func bootstrap(
        identifier: String, logLevel: Logger.Level = .info, target: LogTarget? = nil,
        metadataProvider: Logger.MetadataProvider? = nil, environment: [String: String]? = nil
    ) -> LogTarget {
        let environment = environment ?? ProcessInfo.processInfo.environment
        let chosen = target ?? preferredTarget(environment: environment)
        let tag: String? = isJournalStream(environment: environment, fileDescriptor: 2) ? nil : identifier
        LoggingSystem.bootstrap(
            { _, provider in
                switch chosen {
                case .journal:
                    JournalLogHandler(identifier: identifier, logLevel: logLevel, metadataProvider: provider)
                case .stderr:
                    StderrLogHandler(identifier: tag, logLevel: logLevel, metadataProvider: provider)
                }
            }, metadataProvider: metadataProvider)
        return chosen
    }
}
