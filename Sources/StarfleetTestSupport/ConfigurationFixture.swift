package import StarfleetCore
import StarfleetYAML

extension TemporaryDirectory {
    /// What the configuration reader said about a configuration that does not load.
    package struct ConfigurationErrors: Error, CustomStringConvertible {
        package let diagnostics: [Diagnostic]
        package var description: String { diagnostics.map(\.description).joined(separator: "\n") }
    }

    /// Writes `yaml` as `<folder>/c.yaml` (and `templates`, key → text, under `<folder>/templates/`) and loads the
    /// folder through the real configuration reader.
    package func configuration(
        _ yaml: String, templates: [String: String] = [:], folder: String = "config",
        knownWorkers: Set<String> = []
    ) throws -> Configuration {
        try makeDirectory(folder + "/templates")
        try write(folder + "/c.yaml", yaml)
        for (key, text) in templates { try write(folder + "/templates/" + key, text) }
        let (loaded, diagnostics) = ConfigurationDirectory.load(path(folder), knownWorkers: knownWorkers)
        guard let loaded else { throw ConfigurationErrors(diagnostics: diagnostics) }
        return loaded
    }
}
