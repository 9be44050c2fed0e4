import FoundationEssentials
import StarfleetCore

/// `starfleetctl schedule next`: when each timed worker fires next.
package struct ScheduleNextCommand {
    package var control: ControlContext
    package var count: Int
    package var json: Bool

    package init(control: ControlContext, count: Int, json: Bool) {
        self.control = control
        self.count = count
        self.json = json
    }

    package func run() throws {
        let configuration = try control.loadConfiguration(quietWarnings: true)
        let now = Date()
        let timed = configuration.enabledWorkers.filter { $0.invocationSources.contains(.eventBridgeTimedEvent) }
        if timed.isEmpty && !json { Terminal.out("no enabled worker has EVENTBRIDGE_TIMED_EVENT") }
        for worker in timed {
            guard let schedule = worker.schedule else { continue }
            var times: [Date] = []
            var cursor = now
            while times.count < count, let next = schedule.nextFire(after: cursor) {
                times.append(next)
                cursor = next
            }
            let stamps = times.map { $0.formatted(.iso8601) }
            if json {
                var line: [UInt8] = Array(#"{"worker":"#.utf8)
                appendJSONString(worker.name, to: &line)
                line += Array(#","schedule":"#.utf8)
                appendJSONString(schedule.description, to: &line)
                line += Array(#","next":["#.utf8)
                for (i, s) in stamps.enumerated() {
                    if i > 0 { line.append(UInt8(ascii: ",")) }
                    appendJSONString(s, to: &line)
                }
                line += Array("]}".utf8)
                Terminal.out(String(decoding: line, as: UTF8.self))
            } else {
                Terminal.out("\(worker.name)  \(schedule)  \(stamps.isEmpty ? "never" : stamps.joined(separator: "  "))")
            }
        }
    }
}
