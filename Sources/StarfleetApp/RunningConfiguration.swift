import StarfleetCore
import Synchronization

/// The configuration of the running generation and its number, for readers outside the generation (the web
/// console): the Supervisor sets it each time a generation starts.
final class RunningConfiguration: Sendable {
    private let state: Mutex<(configuration: Configuration, generation: Int)>

    init(_ initial: Configuration) { state = Mutex((initial, 1)) }

    var current: (configuration: Configuration, generation: Int) { state.withLock { $0 } }

    /// Called by the Supervisor when a reloaded configuration's generation starts.
    func advance(to configuration: Configuration) {
        state.withLock { $0 = (configuration, $0.generation + 1) }
    }
}
