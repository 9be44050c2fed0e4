/// The pool's one watch over its invocations' TimeoutSeconds (``InvocationDeadlines``), instead of a timer per
/// invocation.
extension WarmPool {
    /// Fails each invocation that runs out of TimeoutSeconds (``timedOut(_:after:)``), sleeping on the pool's clock
    /// until the earliest deadline; ends once the pool is stopping and nothing runs.
    func watchDeadlines() async {
        while !(stopping && outcomes.isEmpty) {
            guard let target = deadlines.earliest else {
                await withCheckedContinuation { deadlineWatcher = $0 }
                continue
            }
            let clock = self.clock
            let sleep = Task { _ = try? await clock.sleep(seconds: target - clock.elapsedSeconds()) }
            watchTarget = target
            watchSleep = sleep
            await sleep.value
            watchTarget = nil
            watchSleep = nil
            for (requestId, seconds) in deadlines.takeExpired(at: clock.elapsedSeconds()) {
                timedOut(requestId, after: seconds)
            }
        }
    }

    /// Whether the watch sleeps until `deadline` (tests wait for it before moving a manual clock).
    func isWatching(until deadline: Double) -> Bool { watchTarget == deadline }

    /// Wakes the watch: an invocation due earlier than it sleeps for, the first after a pause, or the stop.
    func wakeDeadlineWatch() {
        deadlineWatcher?.resume()
        deadlineWatcher = nil
        watchSleep?.cancel()
    }
}
