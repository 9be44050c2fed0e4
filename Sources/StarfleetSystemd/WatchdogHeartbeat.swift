import Synchronization

/// The gate between the work loops and the systemd watchdog: each loop that must stay alive registers a
/// component and calls ``beat(_:)`` from inside its loop; the pinger may send `WATCHDOG=1` only after every
/// registered component has beaten since the previous ping. A hung scheduler therefore stops the pings and
/// systemd restarts the daemon, which a timer that pings on its own would never do.
///
/// A component must beat at least once per ``SystemdNotifier/watchdogInterval``; a loop that waits longer
/// than that for work (a long poll, a sleep until the next fire) parks while it waits (``park(_:)``), so the pinger's
/// own timer is the only periodic wake-up an idle daemon has.
package final class WatchdogHeartbeat: Sendable {
    /// A registered work loop.
    package struct Component: Hashable, Sendable, CustomStringConvertible {
        package let id: Int
        package let name: String
        package var description: String { name }
    }

    /// What the gate decided at one check.
    package enum Verdict: Hashable, Sendable {
        /// Every component has beaten since the last ping (or none is registered): ping now.
        case healthy
        /// These components have not beaten since the last ping: withhold it.
        case stalled([String])
    }

    private struct State {
        var nextID = 0
        var components: [Int: String] = [:]
        var beaten: Set<Int> = []
        /// Waiting for work on purpose: not holding the pings back.
        var parked: Set<Int> = []
    }

    private let state = Mutex(State())

    package init() {}

    /// Registers a work loop. It counts as having beaten once, so registering never blocks the next ping.
    package func register(_ name: String) -> Component {
        state.withLock { s in
            s.nextID += 1
            s.components[s.nextID] = name
            s.beaten.insert(s.nextID)
            return Component(id: s.nextID, name: name)
        }
    }

    /// Removes a loop that has finished (or is idle on purpose); it no longer holds the pings back.
    package func unregister(_ component: Component) {
        state.withLock { s in
            s.components[component.id] = nil
            s.beaten.remove(component.id)
            s.parked.remove(component.id)
        }
    }

    /// `component` waits for work (a queue's notification, the next fire time) and will not beat meanwhile: it does
    /// not hold the pings back until ``unpark(_:)``. A hang inside that wait is not detected; a hang anywhere else is.
    package func park(_ component: Component) {
        state.withLock { s in
            if s.components[component.id] != nil { s.parked.insert(component.id) }
        }
    }

    /// `component` works again; counts as a beat.
    package func unpark(_ component: Component) {
        state.withLock { s in
            s.parked.remove(component.id)
            if s.components[component.id] != nil { s.beaten.insert(component.id) }
        }
    }

    /// Records that `component` made progress. Cheap: one uncontended lock.
    package func beat(_ component: Component) {
        state.withLock { s in
            if s.components[component.id] != nil { s.beaten.insert(component.id) }
        }
    }

    /// Names of the components parked now, sorted (a test waits on it to know a loop is idle).
    package var parkedNames: [String] { state.withLock { s in s.parked.compactMap { s.components[$0] }.sorted() } }

    /// Names of the registered components, sorted.
    package var componentNames: [String] { state.withLock { $0.components.values.sorted() } }

    /// Checks the gate. When healthy, the beats are consumed: every component must beat again before the
    /// next ping. When stalled, nothing is reset, so a late beat opens the gate at the next check.
    package func check() -> Verdict {
        state.withLock { s in
            let missing = s.components.filter { !s.beaten.contains($0.key) && !s.parked.contains($0.key) }.map(\.value).sorted()
            guard missing.isEmpty else { return .stalled(missing) }
            s.beaten.removeAll(keepingCapacity: true)
            return .healthy
        }
    }
}
