package import StarfleetCore
import StarfleetWorkers
import StarfleetYAML

/// Loads a configuration directory the way the daemon and every starfleetctl command do: the files, then the
/// built-in Swift workers' checks of their own keys (the generator's OrgAccountId, …), so a section they cannot
/// run with stops start-up and reload with its place named, as Starfleet's worker schemas did.
package enum ConfigurationLoader {
    package static func load(_ directory: String) -> (configuration: Configuration?, diagnostics: [Diagnostic]) {
        let (loaded, diagnostics) = ConfigurationDirectory.load(directory, knownWorkers: WorkerRegistry.names)
        guard let loaded else { return (nil, diagnostics) }
        let workerProblems = WorkerRegistry.validate(loaded)
        return (workerProblems.containsErrors ? nil : loaded, diagnostics + workerProblems)
    }
}
