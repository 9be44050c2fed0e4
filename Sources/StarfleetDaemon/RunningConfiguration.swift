package import StarfleetCore
import Synchronization

/// The configuration of the running generation and its number, for readers outside the generation (the web
/// console): the daemon's generation cycle sets it each time a generation starts (1 for the first).
package final class RunningConfiguration: Sendable {
    private let state: Mutex<(configuration: Configuration, generation: Int)>

    /// Generation 0 until the first generation begins.
    package init(_ initial: Configuration) { state = Mutex((initial, 0)) }

    package var current: (configuration: Configuration, generation: Int) { state.withLock { $0 } }

    /// Called as a generation starts, with its configuration.
    func begin(_ configuration: Configuration) {
        state.withLock { $0 = (configuration, $0.generation + 1) }
    }
}
