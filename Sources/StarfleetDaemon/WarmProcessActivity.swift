package import FoundationEssentials
package import StarfleetClock
import StarfleetCore

/// The warm pools' processes over time, for /metrics and the console's charts: each Lambda-runtime worker's cold
/// starts (a process started to serve invocations: its runtime client and handler load before the first one) and how
/// many warm processes it has. The metrics are `starfleet_lambda_cold_starts_total` and
/// `starfleet_lambda_warm_processes`; the chart's history is kept per UTC minute for the last hour (60 minutes a
/// worker at most: the daemon's memory stays bounded however long it runs).
package final class WarmProcessActivity: Sendable {
    /// One UTC minute of one worker.
    package struct Minute: Sendable, Equatable {
        package var start: Date
        /// The most warm processes the worker had during the minute (its count at the minute's start included).
        package var peakProcesses: Int
        package var coldStarts: Int
    }

    static let keptMinutes = 60

    private struct Recorded {
        var minute: Minute
        /// The count the worker ended the minute with.
        var endProcesses: Int
    }

    private struct Worker {
        var minutes: [Recorded]
    }

    private let clock: any WallClock
    private let metrics: DaemonMetrics?
    private let workers = Locked<[String: Worker]>([:])

    package init(clock: any WallClock, metrics: DaemonMetrics?) {
        self.clock = clock
        self.metrics = metrics
    }

    /// A process of `worker`'s pool was started; it now has `processes`.
    package func coldStart(worker: String, processes: Int) {
        metrics?.coldStart(worker: worker, processes: processes)
        record(worker, processes: processes, coldStarts: 1)
    }

    /// A process of `worker`'s pool ended (or was retired); it now has `processes`.
    package func processEnded(worker: String, processes: Int) {
        metrics?.warmProcesses(worker: worker, processes: processes)
        record(worker, processes: processes, coldStarts: 0)
    }

    /// The worker's last `keptMinutes` minutes ending with the one holding now, oldest first. A minute without an
    /// event shows the count the worker ended the minute before with.
    package func lastHour(worker name: String) -> [Minute] {
        let first = Self.minute(clock.now()) - Double(Self.keptMinutes - 1) * 60
        let kept = workers.withLock { $0[name]?.minutes } ?? []
        var index = kept.startIndex
        var processes = 0  // at the end of the minute before the current one
        while index < kept.endIndex, kept[index].minute.start.timeIntervalSince1970 < first {
            processes = kept[index].endProcesses
            index += 1
        }
        return (0..<Self.keptMinutes).map { i in
            let start = Date(timeIntervalSince1970: first + Double(i) * 60)
            guard index < kept.endIndex, kept[index].minute.start == start else {
                return Minute(start: start, peakProcesses: processes, coldStarts: 0)
            }
            defer { index += 1 }
            processes = kept[index].endProcesses
            return kept[index].minute
        }
    }

    /// How many minutes are kept for `worker` (tests check the bound).
    func keptMinuteCount(worker name: String) -> Int { workers.withLock { $0[name]?.minutes.count ?? 0 } }

    private func record(_ name: String, processes: Int, coldStarts: Int) {
        let start = Date(timeIntervalSince1970: Self.minute(clock.now()))
        workers.withLock { all in
            var minutes = all[name]?.minutes ?? []
            if let last = minutes.last, last.minute.start == start {
                minutes[minutes.count - 1].minute.peakProcesses = max(last.minute.peakProcesses, processes)
                minutes[minutes.count - 1].minute.coldStarts += coldStarts
                minutes[minutes.count - 1].endProcesses = processes
            } else {
                let before = minutes.last?.endProcesses ?? 0
                minutes.append(
                    Recorded(
                        minute: Minute(start: start, peakProcesses: max(before, processes), coldStarts: coldStarts),
                        endProcesses: processes))
            }
            // Keep one minute older than the window: its end count is the count the window begins with.
            let oldest = start.timeIntervalSince1970 - Double(Self.keptMinutes) * 60
            while minutes.count > 1, minutes[1].minute.start.timeIntervalSince1970 <= oldest { minutes.removeFirst() }
            all[name] = Worker(minutes: minutes)
        }
    }

    private static func minute(_ date: Date) -> Double { (date.timeIntervalSince1970 / 60).rounded(.down) * 60 }
}
