import Glibc
package import StarfleetCore

/// Reads a configuration directory as Starfleet does: every `*.yaml` file at its top level (not recursive),
/// merged by top-level section. Files are read in name order, so "first" and duplicate reports are stable.
package enum ConfigurationDirectory {
    /// Configuration files above this size are refused (a config is a few kilobytes; this stops accidents).
    package static let maxFileBytes = 4 * 1_048_576

    /// Loads and validates. Every problem (unreadable file, YAML error, schema error) is a diagnostic.
    package static func load(_ directory: String, knownWorkers: Set<String> = []) -> (Configuration?, [Diagnostic]) {
        let dir = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let names: [String]
        do throws(FileReader.Failure) {
            names = try FileReader.list(dir).filter { $0.hasSuffix(".yaml") }.sorted()
        } catch {
            return (
                nil,
                [
                    Diagnostic(
                        at: .start(of: dir), path: "", "cannot read the configuration directory: \(error.message)",
                        hint: "pass --config DIR with the directory holding your *.yaml files")
                ]
            )
        }
        if names.isEmpty {
            return (
                nil,
                [
                    Diagnostic(
                        at: .start(of: dir), path: "", "no *.yaml files in the configuration directory",
                        hint: "see etc/starfleetd/ in the source tree for an example")
                ]
            )
        }
        var documents: [ConfigurationDocument] = []
        var diagnostics: [Diagnostic] = []
        for name in names {
            let file = dir == "." ? name : "\(dir)/\(name)"
            do throws(FileReader.Failure) {
                let bytes = try FileReader.read(file, limit: maxFileBytes)
                do throws(YAMLError) {
                    documents.append(ConfigurationDocument(file: file, root: try YAMLParser.parse(bytes, file: file)))
                } catch {
                    diagnostics.append(error.diagnostic)
                }
            } catch {
                diagnostics.append(Diagnostic(at: .start(of: file), path: "", "cannot read the file: \(error.message)"))
            }
        }
        let (configuration, more) = Configuration.load(
            documents, directory: absolute(dir), knownWorkers: knownWorkers,
            incomplete: !diagnostics.isEmpty)
        let all = (diagnostics + more).sortedByLocation()
        return (all.containsErrors ? nil : configuration, all)
    }

    /// Paths in the configuration resolve against the directory's absolute path, whatever the working directory.
    static func absolute(_ dir: String) -> String {
        if dir.hasPrefix("/") { return dir }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return dir }
        let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return Configuration.resolve(dir, against: cwd)
    }
}
