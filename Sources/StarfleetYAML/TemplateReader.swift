package import StarfleetCore

/// Reads a payload template from bytes: size limit, YAML parsing, then the worker's schema. Every problem comes
/// back as a diagnostic, so a broken template is logged and dead-lettered with its reason, never a crash.
package enum TemplateReader {
    /// A payload is the template as JSON, and a queue message holds at most 1 MiB (SQS's limit); a template
    /// larger than that can never be delivered, so it is refused before parsing.
    package static let maxTemplateBytes = 1_048_576

    package static func read(_ bytes: [UInt8], file: String, strategy: FanOutStrategy) -> (PayloadTemplate?, [Diagnostic]) {
        if bytes.count > maxTemplateBytes {
            let size = bytes.count >= 1_048_576 ? "\(bytes.count / 1_048_576) MiB" : "\(bytes.count) bytes"
            return (
                nil,
                [
                    Diagnostic(
                        at: .start(of: file), path: "", "the template is \(size); the limit is 1 MiB",
                        hint: "a payload must fit in one queue message (SQS's 1 MiB); split the template")
                ]
            )
        }
        let root: Node?
        do {
            root = try YAMLParser.parse(bytes, file: file)
        } catch {
            return (nil, [error.diagnostic])
        }
        return PayloadTemplate.validate(root, strategy: strategy, file: file)
    }
}

extension TemplateReader {
    /// Reads a template file (refusing files over the limit before reading them) and validates it.
    package static func read(path: String, strategy: FanOutStrategy) -> (PayloadTemplate?, [Diagnostic]) {
        do throws(FileReader.Failure) {
            return read(try FileReader.read(path, limit: maxTemplateBytes), file: path, strategy: strategy)
        } catch {
            return (
                nil,
                [
                    Diagnostic(
                        at: .start(of: path), path: "", "cannot read the template: \(error.message)",
                        hint: error.message.contains("limit") ? "a payload must fit in one queue message (SQS's 1 MiB)" : nil)
                ]
            )
        }
    }
}

/// A template file's bytes with the template size limit applied (what the Starbase fetches).
package enum TemplateFileBytes {
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    package static func read(_ path: String) throws(Failure) -> [UInt8] {
        do throws(FileReader.Failure) {
            return try FileReader.read(path, limit: TemplateReader.maxTemplateBytes)
        } catch {
            throw Failure(description: error.message)
        }
    }
}
