/// When each running invocation of a pool runs out of TimeoutSeconds, in the clock's elapsed seconds (a step of the
/// wall clock moves no deadline). One watch per pool sleeps until the earliest and fails what has expired: a timer task
/// per invocation cost a task, a dispatch timer and two thread wakes on every warm payload.
struct InvocationDeadlines {
    private var entries: [String: (at: Double, seconds: Int)] = [:]

    var isEmpty: Bool { entries.isEmpty }

    mutating func add(_ requestId: String, at deadline: Double, seconds: Int) {
        entries[requestId] = (deadline, seconds)
    }

    mutating func remove(_ requestId: String) { entries.removeValue(forKey: requestId) }

    /// The next moment an invocation runs out of time.
    var earliest: Double? { entries.values.lazy.map(\.at).min() }

    /// The invocations out of time at `now` (with their TimeoutSeconds), which leave the set.
    mutating func takeExpired(at now: Double) -> [(requestId: String, seconds: Int)] {
        let expired = entries.filter { $0.value.at <= now }
        for id in expired.keys { entries.removeValue(forKey: id) }
        return expired.map { ($0.key, $0.value.seconds) }.sorted { $0.requestId < $1.requestId }
    }
}
