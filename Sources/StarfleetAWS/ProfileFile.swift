internal import FoundationEssentials

/// The shared `credentials` and `config` files: INI sections of `key = value` lines, `#`/`;` comments.
/// In `config`, sections are `[profile name]` except `[default]`; in `credentials` they are `[name]`.
struct ProfileFile: Sendable {
    var sections: [String: [String: String]] = [:]

    /// Reads and parses a file; `nil` when it cannot be read.
    static func load(path: String, isConfig: Bool) -> ProfileFile? {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)) else { return nil }
        return parse(String(decoding: data, as: UTF8.self), isConfig: isConfig)
    }

    static func parse(_ text: String, isConfig: Bool) -> ProfileFile {
        var file = ProfileFile()
        var current: String?
        for rawLine in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().trimmingWhitespace()
                if isConfig {
                    if name == "default" {
                        current = "default"
                    } else if name.hasPrefix("profile ") || name.hasPrefix("profile\t") {
                        current = name.dropFirst("profile".count).trimmingWhitespace()
                    } else {
                        current = nil  // sso-session, services and other non-profile sections
                    }
                } else {
                    current = name
                }
                if let current, file.sections[current] == nil { file.sections[current] = [:] }
                continue
            }
            guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingWhitespace().lowercased()
            let value = line[line.index(after: equals)...].trimmingWhitespace()
            file.sections[section, default: [:]][key] = value
        }
        return file
    }
}
