import Glibc

/// Finds the payload templates under a template directory: regular `*.yaml` files at any depth, in path order.
/// Symbolic links are not followed (a link could point outside the directory), and dot-files (editors' temporary
/// files such as `.x.yaml.swp`) are skipped.
package enum TemplateFiles {
    package static func list(under directory: String, maxFiles: Int = 100_000) -> [String] {
        scan(under: directory, maxFiles: maxFiles).files
    }

    /// A `*.yaml` entry that is not read: a FIFO, socket or device (opening one could block), or a symbolic link.
    package struct Skipped: Sendable, Hashable, CustomStringConvertible {
        package var path: String
        package var reason: String
        package var description: String { "\(path): skipped: \(reason)" }
    }

    /// The template files, and the `*.yaml` entries skipped with the reason (for a log line or a warning).
    package static func scan(under directory: String, maxFiles: Int = 100_000) -> (files: [String], skipped: [Skipped]) {
        var skipped: [Skipped] = []
        var result: [String] = []
        var pending = [directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory]
        while let dir = pending.popLast(), result.count < maxFiles {
            guard let names = try? FileReader.list(dir) else { continue }
            for name in names where !name.hasPrefix(".") {
                let path = "\(dir)/\(name)"
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: pending.append(path)
                case S_IFREG where name.hasSuffix(".yaml"): result.append(path)
                case let mode where name.hasSuffix(".yaml"):
                    skipped.append(
                        Skipped(
                            path: path,
                            reason: "\(FileReader.kindName(mode)), not a regular file; only regular *.yaml files are templates"))
                default: break
                }
            }
        }
        return (result.sorted(), skipped.sorted { $0.path < $1.path })
    }
}
