import Foundation
import StarfleetCore
import StarfleetYAML
import Testing

/// docs/ against the keys the configuration model accepts, both ways: every key the model reads has a row in an
/// option table of docs/configuration.md, and every key an option table (or a `STARFLEET.Key` / `<Worker>.Key`
/// mention anywhere in docs/) names is one the model reads. Keys are written as paths: `STARFLEET.LogLevel`,
/// `STARFLEET.SecretsManager.SecretId`, `LocalAccountIndex.Path`, `<Worker>.Backoff.InitialSeconds`.
@Suite struct DocumentedOptionsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let worker = "<Worker>"

    @Test func everyKeyTheModelReadsIsDocumentedAndNoOther() throws {
        let model = try Self.modelKeys()
        let documented = try Self.optionTableKeys(in: "docs/configuration.md")
        let undocumented = model.subtracting(documented).sorted()
        let unknown = documented.subtracting(model).sorted()
        #expect(
            undocumented.isEmpty,
            "read by the configuration model, missing from docs/configuration.md's option tables: \(undocumented)")
        #expect(unknown.isEmpty, "in docs/configuration.md's option tables, not read by the configuration model: \(unknown)")
    }

    @Test func everyKeyPathMentionedInDocsExists() throws {
        let model = try Self.modelKeys()
        var unknown: [String] = []
        for file in try Self.markdownFiles() {
            for (line, path) in try Self.keyPathMentions(in: file) where !model.contains(path) {
                unknown.append("\(file):\(line): \(path)")
            }
        }
        #expect(unknown.isEmpty, "mentioned in docs/, not read by the configuration model: \(unknown)")
    }

    /// The YAML examples in docs/ load without an unknown or near-miss key (a misspelt key in an example is copied).
    @Test func yamlExamplesInDocsUseOnlyKnownKeys() throws {
        var problems: [String] = []
        for file in try Self.markdownFiles() {
            for (line, block) in try Self.yamlBlocks(in: file) {
                for d in try ConfigDir(["a.yaml": block]).load().1
                where d.message == "Unknown field." || d.message.hasPrefix("unknown key") {
                    problems.append("\(file):\(line + d.mark.line): \(d.path): \(d.message) \(d.hint ?? "")")
                }
            }
        }
        #expect(problems.isEmpty, "\(problems)")
    }

    /// Sanity of the probe below: every closed sub-mapping the model has was found, so a changed hint cannot make
    /// the comparison vacuous.
    @Test func probeFindsEveryClosedSubMapping() throws {
        let parents = Set(try Self.modelKeys().map { $0.split(separator: ".").dropLast().joined(separator: ".") })
        #expect(
            parents == [
                "STARFLEET", "STARFLEET.SecretsManager", "LocalAccountIndex", "StarfleetDefaultAccountIndex", Self.worker,
                "\(Self.worker).Backoff", "\(Self.worker).AlertConfiguration", "\(Self.worker).DestinationConfig",
                "\(Self.worker).ScalingConfig", "\(Self.worker).FilterCriteria",
            ])
    }

    // MARK: - The model's keys

    /// `STARFLEET` and worker keys from the model's own lists; the keys of the sub-mappings it reads as closed sets
    /// (unknown keys refused) from the validator itself: an unknown key there is answered "known keys: A, B".
    static func modelKeys() throws -> Set<String> {
        var keys = Set(StarfleetSettings.keys.map { "STARFLEET.\($0)" })
        keys.formUnion(WorkerConfiguration.keys.map { "\(worker).\($0)" })
        let probe = "Zzzzzzzzzzzz"
        let s3 = """
            STARFLEET:
              AccountIndex: StarfleetDefaultAccountIndex
              SecretsManager: {\(probe): 1}
            StarfleetDefaultAccountIndex: {\(probe): 1}
            W:
              Enabled: true
              Command: [x]
              FanOutStrategy: ACCOUNT
              TemplatePrefix: W/
              InvocationSources: [S3]
              Backoff: {\(probe): 1}
              AlertConfiguration: {\(probe): 1}
              DestinationConfig: {\(probe): 1}
            V:
              Enabled: true
              Runtime: python
              Handler: main.handler
              EventShape: sqs
              FanOutStrategy: ACCOUNT
              TemplatePrefix: V/
              InvocationSources: [S3]
              ScalingConfig: {\(probe): 1}
              FilterCriteria: {\(probe): 1}

            """
        let local = "STARFLEET: {AccountIndex: LocalAccountIndex}\nLocalAccountIndex: {\(probe): 1}\n"
        for text in [s3, local] {
            for d in try ConfigDir(["a.yaml": text]).load().1 where d.message == "Unknown field." {
                guard let hint = d.hint, hint.hasPrefix("known keys: "), d.path.hasSuffix(".\(probe)") else { continue }
                let parent = d.path.dropLast(probe.count + 1).replacingOccurrences(of: "W.", with: "\(worker).")
                    .replacingOccurrences(of: "V.", with: "\(worker).")
                keys.formUnion(hint.dropFirst("known keys: ".count).split(separator: ", ").map { "\(parent).\($0)" })
            }
        }
        return keys
    }

    // MARK: - The docs' keys

    /// The keys of every option table (a table whose header starts with `key` or `section.key`): the first cell's
    /// backticked name, qualified by the section the `##` heading names (`STARFLEET`, worker sections), plus the keys
    /// of an inline mapping in the type cell (`{SecretId: string, SecretRegion: region}`).
    static func optionTableKeys(in file: String) throws -> Set<String> {
        var keys: Set<String> = []
        var section: String?
        var inOptionTable = false
        var qualified = false
        for line in try lines(of: file) {
            if line.hasPrefix("## ") {
                section = line.contains("`STARFLEET`") ? "STARFLEET" : line.contains("Worker sections") ? worker : nil
                continue
            }
            guard line.hasPrefix("|") else {
                inOptionTable = false
                continue
            }
            // `\|` is a pipe inside a cell (`process` \| `python`), not a cell border.
            let cells = line.replacingOccurrences(of: "\\|", with: "/").split(separator: "|", omittingEmptySubsequences: false)
                .dropFirst()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard let first = cells.first else { continue }
            if !inOptionTable {
                inOptionTable = first == "key" || first == "section.key"
                qualified = first == "section.key"
                continue
            }
            if first.hasPrefix("---") { continue }
            guard let name = backticked(first).first else { continue }
            let key: String
            if qualified {
                key = name
            } else if let section {
                key = "\(section).\(name)"
            } else {
                Issue.record("\(file): an option table under a heading that names no section: \(line)")
                continue
            }
            keys.insert(key)
            if cells.count > 1 { keys.formUnion(inlineMappingKeys(cells[1]).map { "\(key).\($0)" }) }
        }
        return keys
    }

    /// `STARFLEET.Key`, `STARFLEET.Key.Sub` and `<Worker>.Key` written in backticks anywhere in a file, with line numbers.
    static func keyPathMentions(in file: String) throws -> [(Int, String)] {
        var found: [(Int, String)] = []
        for (index, line) in try lines(of: file).enumerated() {
            for text in backticked(line) where text.hasPrefix("STARFLEET.") || text.hasPrefix("\(worker).") {
                let path = text.prefix { $0.isLetter || $0.isNumber || $0 == "." || $0 == "<" || $0 == ">" }
                found.append((index + 1, String(path)))
            }
        }
        return found
    }

    /// README.md and docs/*.md, relative to the repository.
    static func markdownFiles() throws -> [String] {
        let docs = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("docs").path)
        return ["README.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
    }

    /// Every ```yaml fenced block, with the line number of its fence.
    static func yamlBlocks(in file: String) throws -> [(Int, String)] {
        var blocks: [(Int, String)] = []
        var current: (Int, [String])?
        for (index, line) in try lines(of: file).enumerated() {
            if let open = current {
                if line.hasPrefix("```") {
                    blocks.append((open.0, open.1.joined(separator: "\n") + "\n"))
                    current = nil
                } else {
                    current?.1.append(line)
                }
            } else if line.hasPrefix("```yaml") {
                current = (index + 1, [])
            }
        }
        return blocks
    }

    static func lines(of file: String) throws -> [String] {
        try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false
        )
        .map(String.init)
    }

    /// The texts between pairs of backticks.
    static func backticked(_ text: String) -> [String] {
        text.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map {
            String($0.element)
        }
    }

    /// `Key` of every `Key:` inside `{…}` in a table cell.
    static func inlineMappingKeys(_ cell: String) -> [String] {
        guard let open = cell.firstIndex(of: "{"), let close = cell[open...].firstIndex(of: "}") else { return [] }
        return cell[cell.index(after: open)..<close].split(separator: ",").compactMap { item in
            let parts = item.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            return name.allSatisfy { $0.isLetter || $0.isNumber } && !name.isEmpty ? name : nil
        }
    }
}
